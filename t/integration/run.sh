#!/bin/bash
# run.sh: the integration suite (an automake test): runs every test in t/integration/ against
# its own fresh Apache httpd + data directory with the module just built, one PASS/FAIL/SKIP
# line per test, then "N passed, N failed". Exit 0 all passed, 77 httpd or module missing, 1 else.
#
# Environment (set by `make check`; defaults let it run by hand from anywhere):
#   top_srcdir top_builddir HTTPD LITMUS PYTHON MODULE
# Arguments: optional test names to run only those (e.g. `t/integration/run.sh isolation webdav`).
# KEEP_TMP=1 keeps the temporary directories even when everything passed.
# CALDAV_SOAK=1 runs the long variants of the tests that have them, with fifteen times the time.

set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${top_srcdir:=$(cd "$here/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${HTTPD:=/usr/sbin/apache2}"
: "${LITMUS:=/usr/bin/litmus}"
: "${PYTHON:=/usr/bin/python3}"
: "${MODULE:=$top_builddir/mod_caldav/.libs/mod_caldav.so}"
[ -n "$PYTHON" ] || PYTHON=/usr/bin/python3
export top_srcdir top_builddir HTTPD LITMUS PYTHON MODULE
export APACHE_SH="$here/apache.sh"
export PYTHONDONTWRITEBYTECODE=1

if [ ! -x "$HTTPD" ]; then
    echo "SKIP: httpd not found ($HTTPD)"
    exit 77
fi
if [ ! -f "$MODULE" ]; then
    echo "SKIP: module not built ($MODULE)"
    exit 77
fi

# shellcheck source=apache.sh
. "$APACHE_SH"

# A scratch root the server's user (www-data when we are root) can traverse and write.
pick_tmproot() {
    local base="$top_builddir/t/tmp" root
    mkdir -p "$base" 2>/dev/null && chmod 755 "$base" 2>/dev/null
    if [ -d "$base" ] && root=$(mktemp -d "$base/run.XXXXXX") && chmod 755 "$root" &&
       { [ "$(id -u)" -ne 0 ] || runuser -u www-data -- test -x "$root"; }; then
        echo "$root"
        return
    fi
    [ -n "${root:-}" ] && rmdir "$root" 2>/dev/null
    root=$(mktemp -d /tmp/mod_caldav-it.XXXXXX) && chmod 755 "$root" && echo "$root"
}
TMPROOT=$(pick_tmproot) || { echo "cannot create a temporary directory" >&2; exit 1; }
export TMPROOT

# name | layout | timeout (s) | command (shell words, run in the test's directory)
TESTS_TABLE="
litmus|alias|300|bash \"$here/litmus.sh\"
litmus-location|location|300|bash \"$here/litmus.sh\"
webdav|alias|240|\"$PYTHON\" \"$here/test_webdav.py\"
webdav-location|location|120|\"$PYTHON\" \"$here/test_webdav.py\" --smoke
isolation|alias|240|\"$PYTHON\" \"$here/test_isolation.py\"
isolation-anonymous|alias|120|\"$PYTHON\" \"$here/test_isolation.py\" --anonymous
fail2ban|alias|240|\"$PYTHON\" \"$here/test_fail2ban.py\"
fail2ban-proxy|alias|240|env FORWARDED_CLIENT=203.0.113.7 \"$PYTHON\" \"$here/test_fail2ban.py\"
caldav|alias|240|\"$PYTHON\" \"$here/test_caldav.py\"
python-caldav|alias|240|\"$PYTHON\" \"$here/test_python_caldav.py\"
concurrency|alias|240|\"$PYTHON\" \"$here/test_concurrency.py\"
propfind-memory|alias|300|\"$PYTHON\" \"$here/test_propfind_memory.py\"
vdirsyncer|alias|400|\"$PYTHON\" \"$here/test_vdirsyncer.py\"
clients|alias|300|\"$PYTHON\" \"$here/test_clients.py\"
crash|alias|240|\"$PYTHON\" \"$here/test_crash.py\"
crash-large|alias|300|\"$PYTHON\" \"$here/test_crash_large.py\"
hostile|alias|300|\"$PYTHON\" \"$here/test_hostile.py\"
limits|alias|180|\"$PYTHON\" \"$here/test_limits.py\"
authn-cache|alias|120|\"$PYTHON\" \"$here/test_authn_cache.py\"
"

selected() {
    [ $# -eq 0 ] && return 0
    local want
    for want in "${SELECTION[@]}"; do
        [ "$want" = "$1" ] && return 0
    done
    return 1
}
SELECTION=("$@")

passed=0 failed=0 skipped=0
failed_names=""
echo "integration tests: module $MODULE, httpd $HTTPD, scratch $TMPROOT"
while IFS='|' read -r name layout limit cmd; do
    [ -n "$name" ] || continue
    if [ ${#SELECTION[@]} -gt 0 ] && ! selected "$name"; then
        continue
    fi
    dir="$TMPROOT/$name"
    mkdir -p "$dir"
    log="$dir/test.log"
    start=$(date +%s)
    # The memory test wants freed memory to leave the process, so that the peak RSS of a
    # request measures what it really holds: apr keeps little (MaxMemFree), glibc maps every
    # block of 8 KB or more on its own and unmaps it when freed.
    unset APACHE_EXTRA_CONF APACHE_EXTRA_DAV_CONF APACHE_THREADS APACHE_CHILDREN MALLOC_MMAP_THRESHOLD_ MALLOC_TRIM_THRESHOLD_
    case $name in
        crash|crash-large)
            # Writers in two children, as on a real server: a byte one child holds past its
            # commit would lose the other child's later commits too. pids.log says which child
            # served each request.
            export APACHE_CHILDREN=2 APACHE_THREADS=4 APACHE_EXTRA_CONF="LogFormat \"%P %u %m %U %>s\" pids
CustomLog \"$dir/httpd/pids.log\" pids
KeepAliveTimeout 120" ;;
        propfind-memory)
            export APACHE_EXTRA_CONF="MaxMemFree 64" MALLOC_MMAP_THRESHOLD_=8192 MALLOC_TRIM_THRESHOLD_=65536 ;;
        fail2ban-proxy)
            # Behind a reverse proxy on 127.0.0.1 that sends X-Forwarded-For.
            export APACHE_EXTRA_CONF="LoadModule remoteip_module /usr/lib/apache2/modules/mod_remoteip.so
RemoteIPHeader X-Forwarded-For
RemoteIPInternalProxy 127.0.0.1" ;;
        limits)
            # The limits the README documents: a quota, a small resource size, mod_reqtimeout.
            export APACHE_EXTRA_DAV_CONF="CalDAVQuota 64K
    CalDAVMaxResourceSize 204800"
            export APACHE_EXTRA_CONF="LoadModule reqtimeout_module /usr/lib/apache2/modules/mod_reqtimeout.so
RequestReadTimeout header=2-4,MinRate=500 body=3,MinRate=500" APACHE_THREADS=16 ;;
        authn-cache)
            # A short cache lifetime, so that the test sees an entry expire.
            export APACHE_EXTRA_DAV_CONF="CalDAVAuthnCacheTimeout 3" ;;
        isolation-anonymous)
            # Apache lets requests without credentials through: the module must refuse them.
            export APACHE_EXTRA_DAV_CONF="Require all granted" ;;
    esac
    if ! apache_start "$dir/httpd" "$layout" >"$dir/start.log" 2>&1; then
        echo "FAIL: $name (Apache with the $layout layout did not start)"
        sed 's/^/    /' "$dir/start.log"
        failed=$((failed + 1)); failed_names="$failed_names $name"
        apache_stop "$dir/httpd" >/dev/null 2>&1
        continue
    fi
    # CALDAV_SOAK=1: the long variants (crash tests: 40 random kills, every large-transaction round
    # three times) get fifteen times the time.
    [ "${CALDAV_SOAK:-0}" = 0 ] || limit=$((limit * 15))
    ( cd "$dir" && export APACHE_LAYOUT="$layout" && eval "timeout $limit $cmd" ) >"$log" 2>&1
    rc=$?
    apache_stop "$dir/httpd" >>"$dir/start.log" 2>&1
    secs=$(( $(date +%s) - start ))
    case $rc in
        0)  echo "PASS: $name (${secs}s)"; passed=$((passed + 1)) ;;
        77) echo "SKIP: $name ($(tail -n 1 "$log"))"; skipped=$((skipped + 1)) ;;
        *)
            [ $rc -eq 124 ] && echo "(timed out after ${limit}s)" >>"$log"
            echo "FAIL: $name (exit $rc, ${secs}s; log $log)"
            failed=$((failed + 1)); failed_names="$failed_names $name"
            # The test's own report: the failing checks with their HTTP exchanges.
            if [ "$(wc -l <"$log")" -gt 400 ]; then
                head -n 200 "$log" | sed 's/^/    | /'
                echo "    | [... $(( $(wc -l <"$log") - 400 )) lines, see $log ...]"
                tail -n 200 "$log" | sed 's/^/    | /'
            else
                sed 's/^/    | /' "$log"
            fi
            echo "    ---- $dir/httpd/error.log (last 30 lines) ----"
            tail -n 30 "$dir/httpd/error.log" 2>/dev/null | sed 's/^/    | /'
            ;;
    esac
done <<<"$TESTS_TABLE"

summary="$passed passed, $failed failed"
[ $skipped -gt 0 ] && summary="$summary, $skipped skipped"
echo "$summary"
if [ $failed -gt 0 ]; then
    echo "failed:$failed_names (directories kept in $TMPROOT)"
    exit 1
fi
if [ "${KEEP_TMP:-0}" = 1 ]; then
    echo "kept $TMPROOT"
else
    rm -rf "$TMPROOT"
fi
exit 0
