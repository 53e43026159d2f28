#!/usr/bin/env bash
# t/tidy.sh: clang-tidy (the checks in .clang-tidy) over every source file of lib/ and mod_caldav/,
# with the flags configure found. Run after ./configure; exits non-zero if clang-tidy warns.
set -uo pipefail
cd "$(dirname "$0")/.."
[ -f Makefile ] || { echo "run ./configure first" >&2; exit 2; }
flags() { make -s --no-print-directory -f Makefile -f - print-flags <<<'print-flags: ; @echo $(DEFS) -Ibuild-aux $(LIB_CPPFLAGS) $(CATCH2_CFLAGS) -I$(top_srcdir)/mod_caldav -I$(APXS_INCLUDEDIR) $(APXS_CPPFLAGS) $(APR_CFLAGS)'; }
read -r -a cxxflags <<<"$(flags) -std=c++17"
status=0
for file in lib/*/*.cpp mod_caldav/*.cpp mod_caldav/reports/*.cpp; do
    out=$(clang-tidy --quiet "$file" -- "${cxxflags[@]}" 2>/dev/null | grep -E "warning:|error:" -A3)
    if [ -n "$out" ]; then
        echo "$out"
        status=1
    fi
done
[ $status -eq 0 ] && echo "clang-tidy: no warnings"
exit $status
