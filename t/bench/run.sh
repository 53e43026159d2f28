#!/bin/bash
# run.sh: the benchmark in one command: builds the load client, generates (or reuses) the data
# set, runs every scenario on every selected server and writes t/bench/results/.
#
#   t/bench/run.sh [--quick | --smoke | --full] [--servers a,b,c] [--work DIR]
#   t/bench/run.sh --soak [--minutes N] [--work DIR]
#
# --full (default): 1k/10k/100k events, 10 s per scenario, 60 s mixed profile.
# --quick: 1k/10k, 4 s per scenario, 15 s mixed profile (a few minutes per server).
# --smoke: mod_caldav + mod_dav_fs, a few hundred objects; exits non-zero on any error or wrong
#          answer; results stay in the work directory (for CI, < 2 minutes on 2 cores).
# --soak: mod_caldav with 10k events under 100 sync clients for N minutes (default 10), Apache's
#         memory sampled every 30 s: results/soak.md says whether it grew after warm-up.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
PYTHON=${PYTHON:-/usr/bin/python3}
mode=full
servers=
work=${BENCH_WORK:-/tmp/mod_caldav-bench}
minutes=10
while [ $# -gt 0 ]; do
    case $1 in
        --quick) mode=quick ;;
        --smoke) mode=smoke ;;
        --full) mode=full ;;
        --soak) mode=soak ;;
        --minutes) minutes=$2; shift ;;
        --servers) servers=$2; shift ;;
        --servers=*) servers=${1#--servers=} ;;
        --work) work=$2; shift ;;
        *) echo "usage: $0 [--quick|--smoke|--full|--soak [--minutes N]] [--servers a,b,c] [--work DIR]" >&2; exit 2 ;;
    esac
    shift
done
if [ -z "$servers" ]; then
    if [ $mode = smoke ]; then
        servers=mod_caldav,mod_dav_fs
    else
        servers=mod_caldav,mod_dav_fs,radicale,xandikos,sabredav
    fi
fi
export MODULE=${MODULE:-$top/mod_caldav/.libs/mod_caldav.so}

# The servers run as www-data when we are root: the work directory must be reachable.
mkdir -p "$work"
chmod 755 "$work"

# The load client: compiled each time (a second), so it always matches the source.
${CXX:-g++} -O2 -std=c++17 -pthread -o "$work/load" "$here/load.cpp"

# The data set depends only on the mode and the generator: reuse it when both are unchanged.
case $mode in
    smoke) gen="--events 600 --sizes 250,600 --cards 200 --new 300" ;;
    quick | soak) gen="--events 10000 --sizes 1000,10000 --cards 5000 --new 3000" ;;
    full) gen="--events 100000 --sizes 1000,10000,100000 --cards 5000 --new 8000" ;;
esac
data=$work/data-$mode
[ $mode != soak ] || data=$work/data-quick
stamp="$gen $(sha1sum "$here/generate.py" | cut -c1-12)"
if [ "$(cat "$data/.stamp" 2>/dev/null)" != "$stamp" ]; then
    rm -rf "$data"
    # shellcheck disable=SC2086 # $gen is a list of options
    "$PYTHON" "$here/generate.py" "$data" $gen
    echo "$stamp" >"$data/.stamp"
fi

if [ $mode = smoke ]; then
    out=$work/results
else
    out=$here/results
fi
mkdir -p "$out"
if [ $mode = soak ]; then
    exec "$PYTHON" "$here/soak.py" --data "$data" --work "$work" --load "$work/load" --minutes "$minutes" \
        --out "$out/soak.md"
fi
status=0
"$PYTHON" "$here/bench.py" --mode $mode --servers "$servers" --data "$data" --work "$work" \
    --load "$work/load" --out "$out/results-$mode.json" || status=$?
# The full and quick reports sit side by side: results-full.md, results-quick.md (and their charts).
suffix=
[ $mode = smoke ] || suffix=-$mode
"$PYTHON" "$here/report.py" "$out/results-$mode.json" "$out" $suffix
echo "run.sh: results in $out/results$suffix.md" >&2
exit $status
