#!/bin/bash
# smoke.sh: the benchmark as a CI check: `run.sh --smoke` (mod_caldav and mod_dav_fs, a few
# hundred objects, every answer checked) in a throwaway directory; non-zero on any error.
set -u
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/mod_caldav-bench-smoke.XXXXXX)
chmod 755 "$work"
"$here/run.sh" --smoke --work "$work"
status=$?
if [ $status -eq 0 ]; then
    rm -rf "$work"
else
    echo "smoke.sh: failed; results and server logs kept in $work" >&2
fi
exit $status
