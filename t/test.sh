#!/usr/bin/env bash
# The README's test command. As root on Debian 12, from anywhere:
#   installs the build and test dependencies (t/install-deps.sh), builds,
#   runs `make check` (Catch2 unit tests + t/integration/run.sh against a
#   real apache2), clang-tidy (t/tidy.sh), the benchmark's smoke run, each
#   fuzz target briefly, then builds, installs and smoke-tests the Debian
#   package (t/package.sh).
#   Ends with "N passed, N failed" over these steps and exits non-zero if
#   any failed.
set -uo pipefail
cd "$(dirname "$0")/.."

passed=0
failed=0
broken=   # set once the build chain fails: later build steps cannot run

step() {
    local name=$1; shift
    echo
    echo "==== $name"
    if [ -n "$broken" ]; then
        echo "FAILED - $name (not run: $broken failed)"
        failed=$((failed + 1))
        return 1
    fi
    if "$@"; then
        echo "ok     - $name"
        passed=$((passed + 1))
    else
        echo "FAILED - $name"
        failed=$((failed + 1))
        return 1
    fi
}

# On a `make check` failure: test-suite.log (it holds the failing tests'
# logs), each test's own log (tail), and the names of the other logs under t/
# (scratch servers' error logs, litmus debug logs) to look at by hand.
show_test_logs() {
    local f
    if [ -f test-suite.log ]; then
        echo "---- ./test-suite.log"
        cat test-suite.log
    fi
    for f in $(find . -name '*.trs' -path '*t/*' | sort); do
        f=${f%.trs}.log
        [ -f "$f" ] || continue
        echo "---- $f (last 200 lines)"
        tail -n 200 "$f"
    done
    echo "---- other logs under t/:"
    find . -name '*.log' -path '*t/*' ! -path './debian/*' | sort |
        while IFS= read -r f; do [ -f "${f%.log}.trs" ] || echo "$f"; done
}

step "t/install-deps.sh" bash t/install-deps.sh || broken="t/install-deps.sh"
step "./autogen.sh" ./autogen.sh || broken=${broken:-./autogen.sh}
step "./configure" ./configure || broken=${broken:-./configure}
step "make -j2" make -j2 || broken=${broken:-make}
step "make check" make check || { [ -z "$broken" ] && show_test_logs; }
step "t/tidy.sh (clang-tidy)" bash t/tidy.sh
step "t/bench/smoke.sh (the benchmark works, every answer checked)" bash t/bench/smoke.sh
step "t/fuzz/run.sh (${FUZZ_SECONDS:-30}s per target)" env FUZZ_SECONDS="${FUZZ_SECONDS:-30}" bash t/fuzz/run.sh
broken=  # the package is built from a clean copy: worth trying regardless
step "t/package.sh" bash t/package.sh

echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
