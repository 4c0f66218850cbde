#!/bin/bash
# run.sh - `make bench`: the figures of deskpilot's performance targets, each
# beside the same figure for a trivial libfcgi responder where one applies.
#
#  1. tests/bench/ingest_cpu: the CPU one webhook costs the front
#     in-process, with no nginx, client or other thread.
#  2. wrk through the same nginx config (the shipped locations snippet)
#     against (a) deskpilot's ingest path: signed Zammad webhooks on POST
#     /hooks/zammad, each a new article, so every request is verified,
#     parsed and committed (the workers decide the stored events meanwhile,
#     in shadow mode); and (b) a trivial libfcgi responder that only reads
#     the body and answers 202. First flat out at each of CONNECTIONS
#     (requests/s, latency, the ratio a/b), then paced at each of PACE_RATES
#     requests/s in all over 16 connections, where the latency is the
#     service time rather than the queue. For (a) it also reports how many
#     events were decided when wrk stopped, how long the workers took to
#     decide the rest, the WAL file's size (its high-water mark) and the
#     service's resident memory before, a third of the way in, and after.
#  3. The pipeline, with the kb drafter in draft mode against the fake
#     Zammad (tests/fakes/fake_zammad.py), through nginx: LATENCY_N
#     webhooks one at a time (an idle service), received -> decided and
#     decided -> the first helpdesk call; then WRITEBACK_N webhooks at once
#     against a fake that answers in 100 ms, the actions applied a second
#     with [outbox] max_in_flight = 8 and = 1 (tests/bench/pipeline.py).
#  4. A table of every target, its figure in this run and whether it is met.
#
# Environment: DURATION (s per wrk run, default 10), CONNECTIONS (default
# "16 64"), PACE_RATES (default "250 1000"; "" skips the paced runs),
# KEEP_CONN (default "off"; "off on" adds runs with nginx's fastcgi_keep_conn
# on, which the shipped snippet leaves off), WRK_THREADS (default 2),
# FCGI_THREADS (deskpilot's and the responder's accept threads, default 8),
# LATENCY_N (default 200; 0 skips the pipeline runs), WRITEBACK_N
# (default 60), BUILDDIR, SRCDIR (set
# by make bench), BENCH_KEEP=1 to keep the configs, databases and logs,
# BENCH_INI for extra deskpilot config lines (e.g. $'[workers]\nnice = 0'),
# BENCH_NO_INFLIGHT=1 for a deskpilot that has no [outbox] max_in_flight.
set -euo pipefail
SRCDIR=${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILDDIR=${BUILDDIR:-$SRCDIR}
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS-16 64}
PACE_RATES=${PACE_RATES-${PACE_RATE:-250 1000}}
LATENCY_N=${LATENCY_N:-200}
WRITEBACK_N=${WRITEBACK_N:-60}
KEEP_CONN=${KEEP_CONN:-off}
WRK_THREADS=${WRK_THREADS:-2}
FCGI_THREADS=${FCGI_THREADS:-8}
NGINX=${NGINX_BIN:-/usr/sbin/nginx}
PYTHON3=${PYTHON3:-python3}
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

# front NAME DIR SOCK [keep_conn]: once the FastCGI server listens on SOCK,
# start nginx in DIR in front of it on a free port, left in $port.
front() {
	local name=$1 dir=$2 sock=$3
	for _ in $(seq 200); do [ -S "$sock" ] && break; sleep 0.05; done
	port=$(free_port)
	"$SRCDIR/scripts/nginx-conf.sh" "$dir" "$port" "unix:$sock" ${4:+"$4"}
	"$NGINX" -p "$dir/" -c "$dir/nginx.conf" -e "$dir/nginx-error.log" &
	pids+=($!)
	wait_for "http://127.0.0.1:$port/healthz" "${pids[-1]}" ||
		{ echo "bench: nginx did not start for $name" >&2; cat "$dir/nginx-error.log" >&2; exit 1; }
}

# run_one NAME a|b off|on CONNECTIONS PACE_MS -> prints the RESULT line
run_one() {
	local name=$1 target=$2 keep=$3 conns=$4 pace=$5 dir=$work/$1 port sock
	mkdir -p "$dir"
	trap cleanup EXIT # called as $(run_one ...): stop its servers however it ends
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
	front "$name" "$dir" "$sock" "$([ "$keep" = on ] && echo keep_conn)"
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

# run_pipeline NAME MODE IN_FLIGHT DELAY_MS N [GAP_MS] -> prints the RESULT line
# of tests/bench/pipeline.py MODE against deskpilot in draft mode (kb
# drafter, the example knowledge base) and a fake Zammad answering in
# DELAY_MS.
run_pipeline() {
	local name=$1 mode=$2 inflight=$3 delay=$4 n=$5 gap=${6:-0} dir=$work/$1 port sock fport=
	mkdir -p "$dir"
	trap cleanup EXIT # called as $(run_pipeline ...), like run_one
	"$PYTHON3" "$SRCDIR/tests/fakes/fake_zammad.py" 0 > "$dir/fake.port" 2>"$dir/fake.log" &
	pids+=($!)
	for _ in $(seq 200); do
		fport=$(head -1 "$dir/fake.port" 2>/dev/null || true)
		[ -n "$fport" ] && break
		sleep 0.05
	done
	[ -n "$fport" ] || { echo "bench: the fake Zammad did not start" >&2; exit 1; }
	sock=$dir/deskpilot.sock
	{
		printf '[server]\nlisten = unix:%s\nlisten_mode = 0600\ndatabase = %s\n' "$sock" "$dir/deskpilot.db"
		printf 'threads = %s\nlog_level = warn\n[policy]\nmode = draft\n' "$FCGI_THREADS"
		printf '[zammad]\nurl = http://127.0.0.1:%s\ntoken = test-token\nwebhook_secret = %s\n' "$fport" "$SECRET"
		[ -n "${BENCH_NO_INFLIGHT:-}" ] || printf '[outbox]\nmax_in_flight = %s\n' "$inflight"
		printf '%s\n' "${BENCH_INI:-}"
	} > "$dir/deskpilot.conf"
	"$BUILDDIR/src/deskpilot" kb import -c "$dir/deskpilot.conf" "$SRCDIR/examples/kb" \
		> "$dir/kb.log" 2>&1 || { cat "$dir/kb.log" >&2; exit 1; }
	"$BUILDDIR/src/deskpilot" serve -c "$dir/deskpilot.conf" 2>"$dir/deskpilot.log" &
	pids+=($!)
	front "$name" "$dir" "$sock"
	curl -s -o /dev/null -X POST --data "{\"delay_ms\": $delay}" "http://127.0.0.1:$fport/__control"
	"$PYTHON3" "$SRCDIR/tests/bench/pipeline.py" "$mode" "http://127.0.0.1:$port" "$BENCH_BODY" \
		"$SECRET" "$dir/deskpilot.db" "$fport" "$n" "$gap" > "$dir/pipeline.out" 2>&1 || true
	cleanup
	grep -v '^RESULT' "$dir/pipeline.out" | sed 's/^/  /' >&2
	grep '^RESULT' "$dir/pipeline.out" || echo "RESULT failed=1"
}

echo "deskpilot bench: ${DURATION}s per run, connections $CONNECTIONS, $WRK_THREADS wrk threads,"
echo "$FCGI_THREADS FastCGI threads, nginx $("$NGINX" -v 2>&1 | sed 's/.*\///'), $(nproc) cores,"
echo "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), $(uname -r)"
echo
cpu=$("$BUILDDIR/tests/bench/ingest_cpu" "$BENCH_BODY" "$work")
echo "$cpu"
cpu_us=$(sed -n 's/.*: \([0-9]*\) us CPU each.*/\1/p' <<<"$cpu")
echo
echo "decided: when wrk stopped; open: left undecided after draining; drain: seconds to decide the rest"
printf '\n%-34s %8s %7s %7s %8s %8s %6s %7s %8s %5s %6s %6s %21s\n' run "req/s" "p50 ms" \
	"p99 ms" "p99.9 ms" requests non2xx errors decided open "drain" "WAL MB" "RSS KiB"
status=0
check() { # the run must have answered every request with a 2xx
	[ "$(field "$1" non2xx)" = 0 ] && [ "$(field "$1" errors)" = 0 ] &&
		[ "$(field "$1" requests)" != 0 ] || status=1
}
ratio16= paced=()
for keep in $KEEP_CONN; do
	for c in $CONNECTIONS; do
		a=$(run_one "a-$keep-$c" a "$keep" "$c" 0)
		b=$(run_one "b-$keep-$c" b "$keep" "$c" 0)
		row "(a) deskpilot, $c conn, keep $keep" "$a"
		row "(b) trivial, $c conn, keep $keep" "$b"
		r=$(awk -v a="$(field "$a" rps)" -v b="$(field "$b" rps)" \
			'BEGIN { if (b > 0) printf "%.2f", a / b }')
		echo "ratio a/b, $c connections, keep_conn $keep: $r"
		[ "$c" = 16 ] && [ "$keep" = off ] && ratio16=$r
		check "$a"
	done
done
for rate in $PACE_RATES; do
	pace=$(awk -v r="$rate" 'BEGIN { printf "%d", 16 * 1000 / r }')
	a=$(run_one "a-paced-$rate" a off 16 "$pace")
	b=$(run_one "b-paced-$rate" b off 16 "$pace")
	row "(a) deskpilot, ${rate}/s paced" "$a"
	row "(b) trivial, ${rate}/s paced" "$b"
	paced+=("$rate $(field "$a" p99_ms) $(field "$b" p99_ms) $(field "$a" decided) $(field "$a" stored)")
	check "$a"
done

lat= wb8= wb1=
if [ "$LATENCY_N" != 0 ]; then
	echo
	echo "pipeline (draft mode, kb drafter, fake Zammad):"
	lat=$(run_pipeline p-latency latency 8 0 "$LATENCY_N" 50)
	echo "  idle, $LATENCY_N webhooks 50 ms apart: $lat"
	wb8=$(run_pipeline p-writeback-8 writeback 8 100 "$WRITEBACK_N")
	echo "  helpdesk at 100 ms a call, max_in_flight 8: $wb8"
	wb1=$(run_pipeline p-writeback-1 writeback 1 100 "$((WRITEBACK_N / 4))")
	echo "  helpdesk at 100 ms a call, max_in_flight 1: $wb1"
fi

# ---- the targets ---------------------------------------------------------
verdict() { awk "BEGIN { exit !($1) }" 2>/dev/null && echo met || echo "NOT met"; }
target() { printf '%-52s %-26s %s\n' "$1" "$2" "$3"; }
echo
target "target" "this run" ""
target "front CPU per webhook <= 150 us (ingest_cpu)" "${cpu_us} us" \
	"$(verdict "${cpu_us:-999999} <= 150")"
[ -n "$ratio16" ] && target "ingest >= 0.6 x trivial, 16 connections" "$ratio16" \
	"$(verdict "$ratio16 >= 0.6")"
for p in "${paced[@]}"; do
	read -r rate pa pb dec sto <<<"$p"
	target "paced ${rate}/s p99 <= 1.5 x trivial's" "$pa ms vs $pb ms ($(awk -v a="$pa" -v b="$pb" 'BEGIN { if (b > 0) printf "%.2fx", a / b }'))" \
		"$(verdict "$pa <= 1.5 * $pb")"
	target "  ... decided during the run" "$dec of $sto" ""
done
[ -n "$lat" ] && {
target "idle received -> decided p50 <= 5 ms" "$(field "$lat" decide_p50_ms) ms" \
	"$(verdict "$(field "$lat" decide_p50_ms) <= 5")"
target "idle received -> decided p99 <= 20 ms" "$(field "$lat" decide_p99_ms) ms" \
	"$(verdict "$(field "$lat" decide_p99_ms) <= 20")"
target "decided -> first helpdesk call <= 5 ms (p50)" "$(field "$lat" call_p50_ms) ms" \
	"$(verdict "$(field "$lat" call_p50_ms) <= 5")"
target "  ... p99" "$(field "$lat" call_p99_ms) ms" ""
target "write-back >= 50 actions/s, 8 in flight" "$(field "$wb8" actions_per_s)/s (max $(field "$wb8" max_in_flight) at once)" \
	"$(verdict "$(field "$wb8" actions_per_s) >= 50")"
target "  ... 1 in flight (for comparison)" "$(field "$wb1" actions_per_s)/s" ""
}
exit $status
