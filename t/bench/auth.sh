#!/bin/bash
# auth.sh: what HTTP Basic authentication costs mod_caldav: GET of one event over 8 keep-alive
# connections with each password setup of t/bench/servers/apache-common.sh (BENCH_AUTH):
#   bcrypt        htpasswd -B, checked on every request (Apache without a credential cache)
#   bcrypt-cache  htpasswd -B behind the module's caldav_cache provider, the README's setup
#   socache       htpasswd -B behind mod_authn_socache (caches the hash: bcrypt still runs)
#   sha           {SHA}, a cheap hash on every request (the benchmark's setting before)
# One server per setup, all up at once; ROUNDS interleaved rounds of SECONDS each (the setups'
# order rotates every round), so that the load of a shared machine falls on all of them alike.
# Prints req/s per round, medians, server CPU per request, and the ratios between the medians.
#
#   t/bench/auth.sh [--rounds N] [--seconds S] [--work DIR] [--modes a,b,c]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
PYTHON=${PYTHON:-/usr/bin/python3}
rounds=5 seconds=4 work=/tmp/mod_caldav-bench-auth modes=bcrypt,socache,bcrypt-cache,sha
while [ $# -gt 0 ]; do
    case $1 in
        --rounds) rounds=$2; shift ;;
        --seconds) seconds=$2; shift ;;
        --work) work=$2; shift ;;
        --modes) modes=$2; shift ;;
        *) echo "usage: $0 [--rounds N] [--seconds S] [--work DIR] [--modes a,b,c]" >&2; exit 2 ;;
    esac
    shift
done
export MODULE=${MODULE:-$top/mod_caldav/.libs/mod_caldav.so}
rm -rf "$work"
mkdir -p "$work"
chmod 755 "$work"
${CXX:-g++} -O2 -std=c++17 -pthread -o "$work/load" "$here/load.cpp"

IFS=, read -r -a setups <<<"$modes"
declare -A port pid
stop_all() {
    for m in "${setups[@]}"; do
        BENCH_AUTH=$m bash "$here/servers/mod_caldav.sh" stop "$work/$m" >/dev/null 2>&1 || true
    done
}
trap stop_all EXIT

event=$'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t/bench/auth.sh//EN\r\nBEGIN:VEVENT\r\nUID:auth-bench\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20300101T100000Z\r\nDURATION:PT1H\r\nSUMMARY:auth\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n'
for m in "${setups[@]}"; do
    p=$("$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    mkdir -p "$work/$m"
    out=$(BENCH_AUTH=$m bash "$here/servers/mod_caldav.sh" start "$work/$m" "$p")
    port[$m]=$p
    pid[$m]=$(sed -n 's/^pid=//p' <<<"$out")
    code=$(curl -s -o /dev/null -w '%{http_code}' -u bench:bench -X PUT -H 'Content-Type: text/calendar' \
        --data-binary "$event" "http://127.0.0.1:$p/caldav/calendars/bench/default/auth.ics")
    [ "$code" = 201 ] || { echo "auth.sh: PUT on the $m server answered $code" >&2; exit 1; }
    printf 'GET\t/caldav/calendars/bench/default/auth.ics\t200\t-\t-\n' >"$work/$m.list"
done

# Server CPU (utime+stime of the process tree, in clock ticks).
ticks() {
    local total=0 p
    for p in $1 $(ps --ppid "$1" -o pid= 2>/dev/null); do
        total=$((total + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0)))
    done
    echo "$total"
}

: >"$work/results.tsv"
n=${#setups[@]}
for r in $(seq 1 "$rounds"); do
    for i in $(seq 0 $((n - 1))); do
        m=${setups[$(((i + r - 1) % n))]}
        before=$(ticks "${pid[$m]}")
        json=$("$work/load" --port "${port[$m]}" --list "$work/$m.list" --conns 8 --duration "$seconds")
        after=$(ticks "${pid[$m]}")
        "$PYTHON" - "$m" "$r" "$json" "$before" "$after" >>"$work/results.tsv" <<'PY'
import json, os, sys
m, r, res, before, after = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
if res["errors"]:
    sys.exit("auth.sh: %d errors with %s" % (res["errors"], m))
cpu = (after - before) * 1000.0 / os.sysconf("SC_CLK_TCK") / max(res["requests"], 1)
print("%s\t%s\t%.1f\t%.3f\t%.3f" % (m, r, res["rps"], res["p50_ms"], cpu))
PY
        tail -n 1 "$work/results.tsv" | awk -F'\t' '{printf "round %s  %-13s %9.1f req/s  p50 %.3f ms  server CPU %.3f ms/req\n", $2, $1, $3, $4, $5}'
    done
done

"$PYTHON" - "$work/results.tsv" "$modes" <<'PY'
import statistics, sys
rows = [l.split("\t") for l in open(sys.argv[1]).read().splitlines()]
modes = sys.argv[2].split(",")
med = {m: statistics.median(float(r[2]) for r in rows if r[0] == m) for m in modes}
cpu = {m: statistics.median(float(r[4]) for r in rows if r[0] == m) for m in modes}
print("\nmedians over %d rounds (GET of one event, 8 keep-alive connections):" % (len(rows) // len(modes)))
for m in modes:
    print("  %-13s %9.1f req/s   server CPU %.3f ms/req" % (m, med[m], cpu[m]))
for ref in ("bcrypt", "sha"):
    if ref in med:
        print("  relative to %s: %s" % (ref, ", ".join("%s %.2fx" % (m, med[m] / med[ref]) for m in modes if m != ref)))
PY
