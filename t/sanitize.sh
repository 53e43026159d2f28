#!/usr/bin/env bash
# sanitize.sh: builds the module and unit tests with ASan + UBSan (gcc) in build-sanitize/ and
# runs the unit tests and the integration suite (t/integration/run.sh) against that build.
#
# Usage: t/sanitize.sh [integration test names]   (e.g. `t/sanitize.sh caldav litmus`); by default
# every test but propfind-memory, whose peak-RSS limits mean nothing with ASan's shadow memory.
#   SANITIZE_BUILD=DIR  build directory (default build-sanitize/ in the source tree)
#   SANITIZE_SKIP_UNIT=1  skip the unit tests
# apache2 itself is not instrumented, so it is started with gcc's libasan.so in LD_PRELOAD
# (apache.sh honours APACHE_PRELOAD): the ASan runtime has to come before every other library.
# libstdc++ is preloaded as well: apache2 is C, and ASan's __cxa_throw interceptor finds the real
# one only if libstdc++ is loaded when ASan starts (else the first C++ throw aborts with a CHECK).
# Leak detection is off: Apache frees its pools wholesale or not at all at exit, and children
# leave through exit paths that LSan reports as leaks; we look for memory errors and UB only.
# Every report goes to a log file under the build directory; the script fails if any exists.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${SANITIZE_BUILD:-$top/build-sanitize}
flags="-g -O1 -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined"
asan_runtime=$(gcc -print-file-name=libasan.so)
cxx_runtime=$(g++ -print-file-name=libstdc++.so.6)
[ -f "$asan_runtime" ] && [ -f "$cxx_runtime" ] || { echo "sanitize: gcc's libasan.so or libstdc++ not found"; exit 77; }

# A VPATH build keeps the sanitized objects away from the source tree's own build.
[ -x "$top/configure" ] || (cd "$top" && ./autogen.sh) || exit 1
mkdir -p "$build"
cd "$build" || exit 1
if [ ! -f Makefile ]; then
    "$top/configure" CXXFLAGS="$flags" LDFLAGS="-fsanitize=address,undefined" >configure.out 2>&1 ||
        { tail -30 configure.out; exit 1; }
fi
make -j2 all t/unit/unit_tests >make.out 2>&1 || { tail -40 make.out; exit 1; }

# Reports go here; www-data (the server children when we are root) must be able to write them.
reports="$build/reports"
rm -rf "$reports"
mkdir -p "$reports"
chmod 1777 "$reports"
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:log_path=$reports/asan"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$reports/ubsan"

status=0
if [ "${SANITIZE_SKIP_UNIT:-0}" != 1 ]; then
    echo "== unit tests (ASan + UBSan)"
    start=$(date +%s)
    if ! ./t/unit/unit_tests >unit.out 2>&1; then
        tail -30 unit.out
        status=1
    fi
    echo "unit tests: $(tail -n 2 unit.out | tr -s '\n' ' ') ($(($(date +%s) - start))s)"
fi

tests=("$@")
if [ ${#tests[@]} -eq 0 ]; then
    mapfile -t tests < <(sed -n 's/^\([a-z0-9-]*\)|[a-z]*|[0-9]*|.*/\1/p' "$top/t/integration/run.sh" | grep -vx propfind-memory)
fi
echo "== integration tests (module built with ASan + UBSan, apache2 with LD_PRELOAD=$asan_runtime $cxx_runtime)"
start=$(date +%s)
APACHE_PRELOAD="$asan_runtime $cxx_runtime" top_srcdir="$top" top_builddir="$build" HTTPD=${HTTPD:-/usr/sbin/apache2} \
    LITMUS=${LITMUS:-/usr/bin/litmus} PYTHON=/usr/bin/python3 MODULE="$build/mod_caldav/.libs/mod_caldav.so" \
    bash "$top/t/integration/run.sh" "${tests[@]}" || status=1
echo "integration tests: $(($(date +%s) - start))s"

shopt -s nullglob
logs=("$reports"/*)
if [ ${#logs[@]} -gt 0 ]; then
    echo "FAIL: ${#logs[@]} sanitizer report(s) in $reports:"
    for f in "${logs[@]}"; do
        echo "---- $f"
        head -n 60 "$f"
    done
    status=1
else
    echo "no sanitizer reports"
fi
exit $status
