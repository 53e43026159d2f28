#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan + UBSan) over lib/ (request_xml: also the module's
# request-body readers, with apr/apr-util) and runs each for FUZZ_SECONDS
# (default 20; a long run: FUZZ_SECONDS=3600 t/fuzz/run.sh) on its corpus in t/fuzz/corpus/NAME.
# New inputs go to a scratch directory, so the committed corpus changes only by hand. Prints
# "N passed, N failed" and exits non-zero when a target crashes, leaks or trips a sanitizer.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
seconds=${FUZZ_SECONDS:-20}
CXX=${FUZZ_CXX:-clang++}
command -v "$CXX" >/dev/null || { echo "fuzz: $CXX not found (apt install clang libclang-rt-14-dev)"; exit 77; }
build=$(mktemp -d /tmp/mod_caldav-fuzz.XXXXXX)
trap 'rm -rf "$build"' EXIT
flags="-std=c++17 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -I$top/lib
       $(pkg-config --cflags libical sqlite3 libxml-2.0 icu-uc)"
libs="$(pkg-config --libs libical sqlite3 libxml-2.0 icu-uc)"
sources=$(cd "$top" && ls lib/ical/*.cpp lib/vcard/*.cpp lib/query/*.cpp lib/text/*.cpp)
# REPORT/PROPPATCH bodies: mod_caldav/request_xml.cpp needs APR only, not httpd.
request_xml_flags="-I$top/mod_caldav $(pkg-config --cflags apr-1 apr-util-1)"
request_xml_sources="mod_caldav/request_xml.cpp lib/dav/sync_token.cpp"
request_xml_libs="$(pkg-config --libs apr-1 apr-util-1)"
passed=0 failed=0
for target in calendar_object vcard calendar_filter request_xml; do
    echo "== fuzz_$target: building"
    extra_flags="" extra_sources="" extra_libs=""
    if [ "$target" = request_xml ]; then
        extra_flags=$request_xml_flags extra_sources=$request_xml_sources extra_libs=$request_xml_libs
    fi
    # shellcheck disable=SC2086
    if ! (cd "$top" && $CXX $flags $extra_flags "t/fuzz/fuzz_$target.cpp" $sources $extra_sources $libs $extra_libs \
        -o "$build/fuzz_$target") \
        >"$build/$target.build.log" 2>&1; then
        echo "FAIL: fuzz_$target does not build"; tail -20 "$build/$target.build.log"; failed=$((failed + 1)); continue
    fi
    mkdir -p "$build/new-$target"
    echo "== fuzz_$target: ${seconds}s"
    if "$build/fuzz_$target" -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 "$build/new-$target" "$here/corpus/$target" >"$build/$target.log" 2>&1; then
        grep -E "stat::number_of_executed_units|cov:" "$build/$target.log" | tail -2
        echo "PASS: fuzz_$target"; passed=$((passed + 1))
    else
        tail -60 "$build/$target.log"
        cp "$build"/crash-* "$build"/leak-* "$build"/timeout-* "$top/t/fuzz/" 2>/dev/null
        echo "FAIL: fuzz_$target (reproducer, if any, copied to t/fuzz/)"; failed=$((failed + 1))
    fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
