#!/bin/bash
# ab_put.sh: PUT throughput of two builds of mod_caldav side by side (an A/B, not a target run):
# each build gets its own Apache and database, both preloaded with the same events, then rounds
# of PUTs of new events on 8 connections alternate between them (which one goes first alternates
# too), so that the machine's drift hits both alike. Prints each round and the medians: PUT/s,
# server CPU per PUT, and B/A.
#   t/bench/ab_put.sh A.so B.so [--rounds N] [--puts N] [--preload N] [--work DIR]
# A change to the write path is judged by this and by the crash tests (t/integration/test_crash*.py):
# a faster server that loses a write is not faster.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
[ $# -ge 2 ] || { echo "usage: $0 A.so B.so [--rounds N] [--puts N] [--preload N] [--work DIR]" >&2; exit 2; }
module_a=$(realpath "$1") module_b=$(realpath "$2")
shift 2
rounds=6 puts=2000 preload=5000 work=/tmp/mod_caldav-ab
while [ $# -gt 0 ]; do
    case $1 in
        --rounds) rounds=$2; shift ;;
        --puts) puts=$2; shift ;;
        --preload) preload=$2; shift ;;
        --work) work=$2; shift ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
PYTHON=${PYTHON:-/usr/bin/python3}
mkdir -p "$work" && chmod 755 "$work"
${CXX:-g++} -O2 -std=c++17 -pthread -o "$work/load" "$here/load.cpp"
new=$((rounds * puts))
data=$work/data-$preload-$new
if [ ! -f "$data/.done" ]; then
    rm -rf "$data"
    "$PYTHON" "$here/generate.py" "$data" --events "$preload" --sizes "$preload" --cards 1 --new "$new" >/dev/null
    touch "$data/.done"
fi

# A PUT list of the events in DIR named by the manifest's KEY, lines FIRST.. (COUNT of them).
put_list() {
    local calendar=$1 dir=$2 key=$3 first=$4 count=$5
    "$PYTHON" - "$data" "$calendar" "$dir" "$key" "$first" "$count" <<'EOF'
import json, os, sys
data, calendar, sub, key, first, count = sys.argv[1:]
manifest = json.load(open(os.path.join(data, "manifest.json")))
for uid in manifest[key][int(first):int(first) + int(count)]:
    print("\t".join(["PUT", calendar + uid + ".ics", "201,204", os.path.join(data, sub, uid + ".ics"), "-",
                     "Content-Type: text/calendar; charset=utf-8"]))
EOF
}

# Server CPU (utime + stime, clock ticks) of an Apache and its children.
apache_ticks() {
    local pid total=0 stat
    for pid in $(cat "$1/httpd.pid") $(ps --ppid "$(cat "$1/httpd.pid")" -o pid=); do
        stat=$(cut -d' ' -f14,15 "/proc/$pid/stat" 2>/dev/null) || continue
        total=$((total + ${stat% *} + ${stat#* }))
    done
    echo $total
}

port_of() { "$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

declare -A port calendar dir
for side in A B; do
    dir[$side]=$work/server-$side
    rm -rf "${dir[$side]}"
    port[$side]=$(port_of)
    module=$module_a
    [ $side = B ] && module=$module_b
    MODULE=$module bash "$here/servers/mod_caldav.sh" start "${dir[$side]}" "${port[$side]}" >"$work/start-$side.txt"
    calendar[$side]=$(sed -n 's|^calendar=http://[^/]*||p' "$work/start-$side.txt")
    put_list "${calendar[$side]}" events events 0 "$preload" >"$work/preload-$side.list"
    "$work/load" --port "${port[$side]}" --auth bench:bench --list "$work/preload-$side.list" --conns 4 >/dev/null
done
trap 'for s in A B; do bash "$here/servers/mod_caldav.sh" stop "${dir[$s]}" >/dev/null 2>&1 || true; done' EXIT

echo "round side PUT/s cpu_ms/PUT errors"
results=$work/ab-results.txt
: >"$results"
tick_ms=$((1000 / $(getconf CLK_TCK)))
for round in $(seq 1 "$rounds"); do
    order="A B"
    [ $((round % 2)) -eq 0 ] && order="B A"
    for side in $order; do
        put_list "${calendar[$side]}" new new $(((round - 1) * puts)) "$puts" >"$work/put-$side.list"
        before=$(apache_ticks "${dir[$side]}")
        json=$("$work/load" --port "${port[$side]}" --auth bench:bench --list "$work/put-$side.list" --conns 8)
        after=$(apache_ticks "${dir[$side]}")
        "$PYTHON" - "$round" "$side" "$json" "$((after - before))" "$tick_ms" "$puts" <<'EOF' | tee -a "$results"
import json, sys
round_no, side, raw, ticks, tick_ms, puts = sys.argv[1:]
r = json.loads(raw)
print(round_no, side, "%.0f" % r["rps"], "%.3f" % (int(ticks) * int(tick_ms) / int(puts)), r["errors"] + r.get("wrong", 0))
EOF
    done
done
"$PYTHON" - "$results" <<'EOF'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
for side in "AB":
    rps = [float(r[2]) for r in rows if r[1] == side]
    cpu = [float(r[3]) for r in rows if r[1] == side]
    print("%s: median %.0f PUT/s (%s), CPU %.3f ms per PUT, errors %d" % (side, statistics.median(rps),
          " ".join("%.0f" % x for x in rps), statistics.median(cpu), sum(int(r[4]) for r in rows if r[1] == side)))
a = {r[0]: float(r[2]) for r in rows if r[1] == "A"}
b = {r[0]: float(r[2]) for r in rows if r[1] == "B"}
ratios = [b[k] / a[k] for k in a if k in b]
print("B/A per round: %s; median %.3f" % (" ".join("%.2f" % x for x in ratios), statistics.median(ratios)))
EOF
