#!/bin/bash
# run.sh - `make bench`: wrk through the same nginx config (the shipped
# locations snippet) against
#   (a) deskpilot's ingest path: signed Zammad webhooks on POST /hooks/zammad,
#       each a new article, so every request is verified, parsed and committed
#       (the workers decide the stored events meanwhile, in shadow mode);
#   (b) a trivial libfcgi responder that only reads the body and answers 202;
# with nginx's fastcgi_keep_conn off (the shipped setting) and on, printing
# requests/s, p50/p99 latency and the ratio a/b.
#
# Environment: DURATION (s, default 10), CONNECTIONS (default 16),
# WRK_THREADS (default 2), FCGI_THREADS (deskpilot's and the responder's
# accept threads, default 4), BUILDDIR, SRCDIR (set by make bench),
# BENCH_KEEP=1 to keep the configs, databases and logs, BENCH_INI for
# extra deskpilot config lines (e.g. $'[workers]\npoll_ms = 60000').
set -euo pipefail
SRCDIR=${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILDDIR=${BUILDDIR:-$SRCDIR}
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-16}
WRK_THREADS=${WRK_THREADS:-2}
FCGI_THREADS=${FCGI_THREADS:-4}
NGINX=${NGINX_BIN:-/usr/sbin/nginx}
SECRET=bench-secret
export BENCH_SECRET=$SECRET
export BENCH_BODY=$SRCDIR/tests/data/foundation/zammad-customer-email.body

command -v wrk >/dev/null || { echo "bench: wrk not found (apt-get install wrk)" >&2; exit 1; }
[ -x "$NGINX" ] || { echo "bench: nginx not found at $NGINX" >&2; exit 1; }

work=$(mktemp -d /tmp/dp-bench-XXXXXX)
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
	pids=()
}
trap 'cleanup; if [ -n "${BENCH_KEEP:-}" ]; then echo "kept $work"; else rm -rf "$work"; fi' EXIT INT TERM

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

wait_for() { # wait_for URL PID
	for _ in $(seq 200); do
		curl -s -o /dev/null "$1" && return 0
		kill -0 "$2" 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}

# Resident memory of a process in KiB.
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status" 2>/dev/null || echo '?'; }

# run_one NAME a|b off|on -> prints the RESULT line
run_one() {
	local name=$1 target=$2 keep=$3 dir=$work/$1 port sock
	mkdir -p "$dir"
	port=$(free_port)
	if [ "$target" = a ]; then
		sock=$dir/deskpilot.sock
		cat > "$dir/deskpilot.conf" <<CONF
[server]
listen = unix:$sock
listen_mode = 0600
database = $dir/deskpilot.db
threads = $FCGI_THREADS
log_level = warn
[policy]
mode = shadow
[zammad]
url = http://127.0.0.1:9
webhook_secret = $SECRET
${BENCH_INI:-}
CONF
		"$BUILDDIR/src/deskpilot" serve -c "$dir/deskpilot.conf" 2>"$dir/deskpilot.log" &
	else
		sock=$dir/trivial.sock
		"$BUILDDIR/tests/bench/trivial_fcgi" "$sock" "$FCGI_THREADS" 2>"$dir/trivial.log" &
	fi
	pids+=($!)
	for _ in $(seq 200); do [ -S "$sock" ] && break; sleep 0.05; done
	"$SRCDIR/scripts/nginx-conf.sh" "$dir" "$port" "unix:$sock" \
		"$([ "$keep" = on ] && echo keep_conn)"
	"$NGINX" -p "$dir/" -c "$dir/nginx.conf" -e "$dir/nginx-error.log" &
	pids+=($!)
	wait_for "http://127.0.0.1:$port/healthz" "${pids[-1]}" ||
		{ echo "bench: nginx did not start for $name" >&2; cat "$dir/nginx-error.log" >&2; exit 1; }
	local server=${pids[0]} rss0
	rss0=$(rss_kb "$server")
	wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --timeout 10s \
		-s "$SRCDIR/tests/bench/zammad_ingest.lua" "http://127.0.0.1:$port" \
		> "$dir/wrk.out" 2>&1 || true
	local result
	result=$(grep '^RESULT' "$dir/wrk.out" || echo "RESULT rps=0 p50_ms=0 p99_ms=0 p999_ms=0 requests=0 non2xx=0 errors=0")
	result="$result rss=${rss0}->$(rss_kb "$server")"
	if [ "$target" = a ]; then
		local stored decided
		stored=$(sqlite3 "$dir/deskpilot.db" 'SELECT count(*) FROM events' 2>/dev/null || echo '?')
		decided=$(sqlite3 "$dir/deskpilot.db" 'SELECT count(*) FROM decisions' 2>/dev/null || echo '?')
		result="$result stored=$stored decided=$decided"
	fi
	cleanup
	echo "$result"
}

field() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<"$1"; }

echo "deskpilot bench: ${DURATION}s per run, $CONNECTIONS connections, $WRK_THREADS wrk threads,"
echo "$FCGI_THREADS FastCGI threads, nginx $("$NGINX" -v 2>&1 | sed 's/.*\///'), $(nproc) cores"
printf '\n%-34s %9s %8s %8s %9s %9s %7s %8s %8s %15s\n' run "req/s" "p50 ms" "p99 ms" \
	"p99.9 ms" requests non-2xx stored decided "RSS KiB"
status=0
for keep in off on; do
	a=$(run_one "a-keep-$keep" a "$keep")
	b=$(run_one "b-keep-$keep" b "$keep")
	for r in "a:(a) deskpilot ingest" "b:(b) trivial responder"; do
		line=$a
		[ "${r%%:*}" = b ] && line=$b
		printf '%-34s %9s %8s %8s %9s %9s %7s %8s %8s %15s\n' \
			"${r#*:}, keep_conn $keep" "$(field "$line" rps)" "$(field "$line" p50_ms)" \
			"$(field "$line" p99_ms)" "$(field "$line" p999_ms)" "$(field "$line" requests)" \
			"$(field "$line" non2xx)" "$(field "$line" stored)" "$(field "$line" decided)" \
			"$(field "$line" rss)"
	done
	awk -v a="$(field "$a" rps)" -v b="$(field "$b" rps)" -v k="$keep" \
		'BEGIN { if (b > 0) printf "ratio a/b, keep_conn %s: %.2f\n", k, a / b }'
	[ "$(field "$a" non2xx)" = 0 ] && [ "$(field "$a" requests)" != 0 ] || status=1
done
exit $status
