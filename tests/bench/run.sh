#!/bin/bash
# run.sh - `make bench`: wrk through the same nginx config (the shipped
# locations snippet) against
#   (a) deskpilot's ingest path: signed Zammad webhooks on POST /hooks/zammad,
#       each a new article, so every request is verified, parsed and committed
#       (the workers decide the stored events meanwhile, in shadow mode);
#   (b) a trivial libfcgi responder that only reads the body and answers 202;
# first flat out at each of CONNECTIONS (requests/s, latency, the ratio a/b),
# then paced at PACE_RATE requests/s in all over 16 connections, where the
# latency is the service time rather than the queue. For (a) it also reports
# how many events were decided when wrk stopped, how long the workers took
# to decide the rest, the WAL file's size (its high-water mark) and the
# service's resident memory before, a third of the way in, and after.
#
# It starts with tests/bench/ingest_cpu: the CPU one webhook costs the front
# in-process, with no nginx, client or other thread.
#
# Environment: DURATION (s per run, default 10), CONNECTIONS (default
# "16 64"), PACE_RATE (default 1000; 0 skips the paced runs), KEEP_CONN
# (default "off"; "off on" adds runs with nginx's fastcgi_keep_conn on, which
# the shipped snippet leaves off), WRK_THREADS (default 2), FCGI_THREADS
# (deskpilot's and the responder's accept threads, default 8), BUILDDIR,
# SRCDIR (set by make bench), BENCH_KEEP=1 to keep the configs, databases
# and logs, BENCH_INI for extra deskpilot config lines (e.g.
# $'[workers]\nnice = 0').
set -euo pipefail
SRCDIR=${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILDDIR=${BUILDDIR:-$SRCDIR}
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-16 64}
PACE_RATE=${PACE_RATE:-1000}
KEEP_CONN=${KEEP_CONN:-off}
WRK_THREADS=${WRK_THREADS:-2}
FCGI_THREADS=${FCGI_THREADS:-8}
NGINX=${NGINX_BIN:-/usr/sbin/nginx}
SECRET=bench-secret
export BENCH_SECRET=$SECRET
export BENCH_BODY=$SRCDIR/tests/data/zammad/webhook-default-customer-email.body

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

# Events not yet decided in database $1.
open_events() {
	sqlite3 "$1" "SELECT count(*) FROM events WHERE state IN ('pending','claimed')" 2>/dev/null || echo '?'
}

# run_one NAME a|b off|on CONNECTIONS PACE_MS -> prints the RESULT line
run_one() {
	local name=$1 target=$2 keep=$3 conns=$4 pace=$5 dir=$work/$1 port sock
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
	local server=${pids[0]} rss0 rss_mid
	rss0=$(rss_kb "$server")
	# Resident memory a third of the way in: against the end, flat or not.
	(sleep $((DURATION / 3)); rss_kb "$server" > "$dir/rss_mid") &
	BENCH_PACE_MS=$pace wrk -t"$WRK_THREADS" -c"$conns" -d"${DURATION}s" --timeout 10s \
		-s "$SRCDIR/tests/bench/zammad_ingest.lua" "http://127.0.0.1:$port" \
		> "$dir/wrk.out" 2>&1 || true
	local result
	result=$(grep '^RESULT' "$dir/wrk.out" || echo "RESULT rps=0 p50_ms=0 p99_ms=0 p999_ms=0 requests=0 non2xx=0 errors=0")
	if [ "$target" = a ]; then
		local db=$dir/deskpilot.db stored decided t0 wal
		stored=$(sqlite3 "$db" 'SELECT count(*) FROM events' 2>/dev/null || echo '?')
		decided=$(sqlite3 "$db" 'SELECT count(*) FROM decisions' 2>/dev/null || echo '?')
		# A rewind does not shrink the WAL: its size is the most it held.
		wal=$(stat -c %s "$db-wal" 2>/dev/null || echo 0)
		t0=$(date +%s.%N)
		for _ in $(seq 3000); do
			[ "$(open_events "$db")" = 0 ] && break
			sleep 0.1
		done
		result="$result stored=$stored decided=$decided open=$(open_events "$db")"
		result="$result drain_s=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')"
		result="$result wal_mb=$(awk -v w="$wal" 'BEGIN { printf "%.1f", w / 1048576 }')"
	fi
	wait $! 2>/dev/null || true
	rss_mid=$(cat "$dir/rss_mid" 2>/dev/null || echo '?')
	result="$result rss=${rss0}->${rss_mid}->$(rss_kb "$server")"
	cleanup
	echo "$result"
}

field() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<"$1"; }

row() { # row LABEL RESULT
	printf '%-34s %8s %7s %7s %8s %8s %6s %7s %8s %5s %6s %6s %21s\n' "$1" \
		"$(field "$2" rps)" "$(field "$2" p50_ms)" "$(field "$2" p99_ms)" \
		"$(field "$2" p999_ms)" "$(field "$2" requests)" "$(field "$2" non2xx)" \
		"$(field "$2" errors)" "$(field "$2" decided)" "$(field "$2" open)" \
		"$(field "$2" drain_s)" "$(field "$2" wal_mb)" "$(field "$2" rss)"
}

echo "deskpilot bench: ${DURATION}s per run, connections $CONNECTIONS, $WRK_THREADS wrk threads,"
echo "$FCGI_THREADS FastCGI threads, nginx $("$NGINX" -v 2>&1 | sed 's/.*\///'), $(nproc) cores"
echo
"$BUILDDIR/tests/bench/ingest_cpu" "$BENCH_BODY" "$work"
echo
echo "decided: when wrk stopped; open: left undecided after draining; drain: seconds to decide the rest"
printf '\n%-34s %8s %7s %7s %8s %8s %6s %7s %8s %5s %6s %6s %21s\n' run "req/s" "p50 ms" \
	"p99 ms" "p99.9 ms" requests non2xx errors decided open "drain" "WAL MB" "RSS KiB"
status=0
check() { # the run must have answered every request with a 2xx
	[ "$(field "$1" non2xx)" = 0 ] && [ "$(field "$1" errors)" = 0 ] &&
		[ "$(field "$1" requests)" != 0 ] || status=1
}
for keep in $KEEP_CONN; do
	for c in $CONNECTIONS; do
		a=$(run_one "a-$keep-$c" a "$keep" "$c" 0)
		b=$(run_one "b-$keep-$c" b "$keep" "$c" 0)
		row "(a) deskpilot, $c conn, keep $keep" "$a"
		row "(b) trivial, $c conn, keep $keep" "$b"
		awk -v a="$(field "$a" rps)" -v b="$(field "$b" rps)" -v c="$c" -v k="$keep" \
			'BEGIN { if (b > 0) printf "ratio a/b, %s connections, keep_conn %s: %.2f\n", c, k, a / b }'
		check "$a"
	done
done
if [ "$PACE_RATE" != 0 ]; then
	pace=$(awk -v r="$PACE_RATE" 'BEGIN { printf "%d", 16 * 1000 / r }')
	a=$(run_one a-paced a off 16 "$pace")
	b=$(run_one b-paced b off 16 "$pace")
	row "(a) deskpilot, ${PACE_RATE}/s paced" "$a"
	row "(b) trivial, ${PACE_RATE}/s paced" "$b"
	check "$a"
fi
exit $status
