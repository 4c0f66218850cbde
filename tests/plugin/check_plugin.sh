#!/bin/sh
# check_plugin.sh - `php -l` on every file of the osTicket plugin, then the
# plugin's own tests (test_plugin.php) against osTicket stand-ins. Prints
# TAP; skipped when no php is installed (configure found none).
src=${DP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
php=${DP_PHP:-}
if [ -z "$php" ] || [ ! -x "$php" ]; then
	echo "1..0 # SKIP php not found (install php-cli to test the osTicket plugin)"
	exit 0
fi
n=0
fail=0
for f in "$src"/plugin/osticket/*.php "$src"/plugin/osticket/lib/*.php \
	"$src"/tests/plugin/*.php "$src"/tests/plugin/stubs/*.php; do
	n=$((n + 1))
	if out=$("$php" -l "$f" 2>&1); then
		echo "ok $n - php -l ${f#"$src"/}"
	else
		echo "not ok $n - php -l ${f#"$src"/}"
		echo "$out" | sed 's/^/# /'
		fail=1
	fi
done
# The logic tests print their own TAP; renumber them after the lint lines.
log=$(mktemp) || exit 1
trap 'rm -f "$log"' EXIT
"$php" "$src/tests/plugin/test_plugin.php" "$src" > "$log" 2>&1
rc=$?
while IFS= read -r line; do
	case $line in
	"ok "*|"not ok "*)
		n=$((n + 1))
		echo "$line" | sed -E "s/^(ok|not ok) [0-9]+/\\1 $n/" ;;
	1..*) ;;
	*) echo "# $line" ;;
	esac
done < "$log"
if [ $rc -ne 0 ]; then
	n=$((n + 1))
	echo "not ok $n - test_plugin.php exited with status $rc"
fi
echo "1..$n"
exit 0
