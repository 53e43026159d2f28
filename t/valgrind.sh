#!/usr/bin/env bash
# valgrind.sh: memcheck on a single-process Apache (apache2 -X) with the module, while litmus and
# the caldav integration test run against it. Fails when valgrind reports an error.
#
# Usage: MODULE=/path/to/mod_caldav.so t/valgrind.sh [test names: litmus caldav webdav ...]
#   (default MODULE: build-plain/, a build without sanitizers: valgrind and ASan do not mix)
# Leaks are not counted: Apache frees its pools at exit or never; memory errors are the point.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
: "${HTTPD:=/usr/sbin/apache2}"
: "${MODULE:=$top/build-plain/mod_caldav/.libs/mod_caldav.so}"
PYTHON=/usr/bin/python3
export HTTPD MODULE PYTHON top_srcdir=$top top_builddir=$top
command -v valgrind >/dev/null || { echo "valgrind: not installed (apt install valgrind)"; exit 77; }
[ -f "$MODULE" ] || { echo "valgrind: module not built ($MODULE)"; exit 77; }
export APACHE_SH="$here/integration/apache.sh"
# shellcheck source=integration/apache.sh
. "$APACHE_SH"

tests=("$@")
[ ${#tests[@]} -gt 0 ] || tests=(litmus caldav)
root=$(mktemp -d /tmp/mod_caldav-valgrind.XXXXXX)
chmod 755 "$root"
dir="$root/httpd"
# apache_start writes the configuration (and checks it starts); the server under valgrind reuses it.
APACHE_THREADS=4 apache_start "$dir" alias >"$root/start.log" 2>&1 || { cat "$root/start.log"; exit 1; }
apache_stop "$dir"
valgrind --tool=memcheck --error-exitcode=99 --leak-check=no --track-origins=yes --num-callers=30 \
    --log-file="$dir/valgrind.log" "$HTTPD" -X -f "$dir/httpd.conf" &
server=$!
port=$(cat "$dir/port")
for _ in $(seq 1 600); do
    "$PYTHON" -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1).close()' "$port" \
        2>/dev/null && break
    sleep 0.2
done
export BASE_URL="http://127.0.0.1:$port" APACHE_DIR="$dir" APACHE_LAYOUT=alias

status=0
for name in "${tests[@]}"; do
    case $name in
        litmus | litmus-location) cmd=(bash "$here/integration/litmus.sh") ;;
        *) cmd=("$PYTHON" "$here/integration/test_${name//-/_}.py") ;;
    esac
    start=$(date +%s)
    mkdir -p "$root/$name"
    if (cd "$root/$name" && timeout 1200 "${cmd[@]}") >"$root/$name/test.log" 2>&1; then
        echo "PASS: $name ($(($(date +%s) - start))s under valgrind)"
    else
        echo "FAIL: $name ($(($(date +%s) - start))s; log $root/$name/test.log)"
        tail -20 "$root/$name/test.log"
        status=1
    fi
done

kill -TERM "$server"
wait "$server"
rc=$?
errors=$(grep -o "ERROR SUMMARY: [0-9]*" "$dir/valgrind.log" | tail -1)
echo "valgrind: exit $rc, $errors (log $dir/valgrind.log)"
if [ "$rc" -eq 99 ]; then
    grep -A30 "^==[0-9]*== [A-Z][a-z]" "$dir/valgrind.log" | head -120
    status=1
fi
[ $status -eq 0 ] && rm -rf "$root"
exit $status
