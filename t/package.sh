#!/usr/bin/env bash
# Builds the Debian package from a clean copy of the tree, installs it,
# enables the module and checks that a real Apache serves CalDAV with it:
#   - dpkg-buildpackage -us -uc -b (DEB_BUILD_OPTIONS=nocheck) in a temp dir
#   - apt-get install ./libapache2-mod-caldav_*.deb; a2enmod caldav
#   - apache2ctl -t on the system configuration
#   - a throwaway Apache instance (own config, pid file and error log; the
#     system's mods-enabled/, so the packaged .load is what loads the module)
#     on a free loopback port, with the README's Alias /caldav /var/lib/caldav
#     block; PROPFIND as alice must give 207 with her principal URL
#   - wrong password and foreign access are logged in the format the
#     packaged fail2ban filter matches
# Run as root on Debian 12 after t/install-deps.sh. The work tree is not
# touched; the .deb is left in the temp dir (printed) and KEEP=1 keeps it all.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

passed=0
failed=0
ok()   { passed=$((passed + 1)); echo "ok     - $*"; }
fail() { failed=$((failed + 1)); echo "FAILED - $*"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else fail "$what"; fi; }
finish() {
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ]
    exit
}

if [ "$(id -u)" -ne 0 ]; then
    echo "t/package.sh must run as root (it installs the package)" >&2
    fail "running as root"
    finish
fi

work=$(mktemp -d /tmp/mod-caldav-package.XXXXXX)
chmod 0755 "$work"
srv="$work/httpd"
pidfile="$srv/httpd.pid"
created_db=

cleanup() {
    if [ -s "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
        /usr/sbin/apache2 -f "$srv/httpd.conf" -k stop >/dev/null 2>&1 || true
        for _ in $(seq 50); do kill -0 "$(cat "$pidfile" 2>/dev/null)" 2>/dev/null || break; sleep 0.1; done
    fi
    if [ -n "$created_db" ]; then
        rm -f /var/lib/caldav/caldav.sqlite /var/lib/caldav/caldav.sqlite-wal \
              /var/lib/caldav/caldav.sqlite-shm /var/lib/caldav/caldav.sqlite-journal
    fi
    if [ "${KEEP:-0}" = 1 ]; then
        echo "kept $work"
    else
        rm -rf "$srv" "$work/src"
    fi
}
trap cleanup EXIT

# ---- 1. a clean copy of the tree ------------------------------------------
# Tracked and untracked-but-not-ignored files, less anything a build in the
# work tree may have left behind.
generated='(^|/)(\.libs|\.deps|autom4te\.cache|build-aux)/|\.(o|lo|la|so|a|deb|ddeb|log|trs|buildinfo|changes)$|(^|/)Makefile(\.in)?$|^(configure|aclocal\.m4|config\.status|config\.h|config\.h\.in|libtool|stamp-h1)$|^m4/(libtool|ltoptions|ltsugar|ltversion|lt~obsolete)\.m4$|^t/unit/unit_tests$|^var/|^debian/(\.debhelper/|libapache2-mod-caldav/|tmp/|files$|debhelper-build-stamp$|.*\.substvars$)'
mkdir -p "$work/src"
if git -C "$root" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    (cd "$root" && git ls-files -co --exclude-standard | grep -Ev "$generated" |
        while IFS= read -r f; do [ -e "$f" ] && printf '%s\n' "$f"; done |
        tar -cf - -T -) | tar -xf - -C "$work/src"
else
    (cd "$root" && find . -type f ! -path './.git/*' | sed 's|^\./||' | grep -Ev "$generated" |
        tar -cf - -T -) | tar -xf - -C "$work/src"
fi
check "clean copy of the tree has debian/control and configure.ac" \
    test -f "$work/src/debian/control" -a -f "$work/src/configure.ac"

# ---- 2. build the .deb -----------------------------------------------------
echo "building the package in $work/src (log: $work/build.log)"
if (cd "$work/src" && DEB_BUILD_OPTIONS="nocheck${DEB_BUILD_OPTIONS:+ $DEB_BUILD_OPTIONS}" \
        DEB_BUILD_PROFILES=nocheck dpkg-buildpackage -us -uc -b) >"$work/build.log" 2>&1; then
    ok "dpkg-buildpackage -us -uc -b"
else
    fail "dpkg-buildpackage -us -uc -b"
    tail -n 60 "$work/build.log"
    finish
fi
deb=$(ls "$work"/libapache2-mod-caldav_*.deb 2>/dev/null | grep -v dbgsym | head -n 1)
if [ -n "$deb" ]; then ok "built $deb"; else fail "no libapache2-mod-caldav_*.deb in $work"; finish; fi
contents=$(dpkg-deb -c "$deb")
check "package ships mod_caldav.so, caldav.load and caldav.conf" \
    bash -c 'grep -q "usr/lib/apache2/modules/mod_caldav.so" <<<"$1" &&
             grep -q "etc/apache2/mods-available/caldav.load" <<<"$1" &&
             grep -q "etc/apache2/mods-available/caldav.conf" <<<"$1"' _ "$contents"

# ---- 3. install it and enable the module -----------------------------------
# --force-confnew: test the configuration the package ships (dpkg keeps a
# locally changed conffile as *.dpkg-old).
if DEBIAN_FRONTEND=noninteractive apt-get install -y -q --reinstall \
        -o Dpkg::Options::=--force-confnew "$deb" >"$work/install.log" 2>&1; then
    ok "apt-get install $(basename "$deb")"
else
    fail "apt-get install $(basename "$deb")"
    tail -n 30 "$work/install.log"
    finish
fi
check "a2enmod caldav" a2enmod -q caldav
check "mods-enabled has dav.load and caldav.load" \
    test -e /etc/apache2/mods-enabled/dav.load -a -e /etc/apache2/mods-enabled/caldav.load
check "/var/lib/caldav is www-data:www-data 750" \
    test "$(stat -c '%U:%G %a' /var/lib/caldav 2>/dev/null)" = "www-data:www-data 750"
check "fail2ban filter installed, jail installed disabled" \
    bash -c 'test -f /etc/fail2ban/filter.d/caldav.conf &&
             grep -q "^enabled *= *false" /etc/fail2ban/jail.d/caldav.conf'
if apache2ctl -t >"$work/configtest.log" 2>&1; then
    ok "apache2ctl -t (system configuration with caldav enabled)"
else
    fail "apache2ctl -t (system configuration with caldav enabled)"
    cat "$work/configtest.log"
fi

# ---- 4. a throwaway Apache serving /caldav ---------------------------------
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$srv"
chmod 0755 "$srv"
htpasswd -B -b -c "$srv/caldav.passwd" alice secret >/dev/null 2>&1
htpasswd -B -b "$srv/caldav.passwd" bob secret2 >/dev/null 2>&1
chmod 0644 "$srv/caldav.passwd"

# Never touch an existing database: point the module elsewhere then.
db_directive=
if [ -e /var/lib/caldav/caldav.sqlite ]; then
    install -d -o www-data -g www-data -m 0750 "$srv/data"
    db_directive="CalDAVDatabase $srv/data/caldav.sqlite"
else
    created_db=1
fi

cat >"$srv/httpd.conf" <<CONF
# Test-only server: the system's modules, its own port, pid file and logs.
ServerRoot /etc/apache2
ServerName 127.0.0.1
PidFile $pidfile
DefaultRuntimeDir $srv
Mutex file:$srv default
User www-data
Group www-data
ErrorLog $srv/error.log
LogLevel warn
IncludeOptional mods-enabled/*.load
IncludeOptional mods-enabled/*.conf
Listen 127.0.0.1:$port

Alias /caldav /var/lib/caldav
<Directory /var/lib/caldav>
    DAV caldav
    DavBasePath /caldav
    $db_directive
    AuthType Basic
    AuthName "Calendars"
    AuthUserFile $srv/caldav.passwd
    Require valid-user
</Directory>
Redirect 301 /.well-known/caldav  /caldav/
Redirect 301 /.well-known/carddav /caldav/
CONF

if /usr/sbin/apache2 -f "$srv/httpd.conf" -t >"$srv/configtest.log" 2>&1; then
    ok "apache2 -t with the caldav block"
else
    fail "apache2 -t with the caldav block"
    cat "$srv/configtest.log"
    finish
fi
if /usr/sbin/apache2 -f "$srv/httpd.conf" -k start >"$srv/start.log" 2>&1; then
    up=
    for _ in $(seq 50); do
        curl -s -o /dev/null "http://127.0.0.1:$port/" && { up=1; break; }
        sleep 0.1
    done
    if [ -n "$up" ]; then ok "apache2 started on 127.0.0.1:$port"; else fail "apache2 answering on 127.0.0.1:$port"; cat "$srv/error.log"; finish; fi
else
    fail "apache2 -k start"
    cat "$srv/start.log" "$srv/error.log" 2>/dev/null
    finish
fi

base="http://127.0.0.1:$port"
propfind='<?xml version="1.0" encoding="utf-8"?>
<d:propfind xmlns:d="DAV:"><d:prop><d:current-user-principal/></d:prop></d:propfind>'

code=$(curl -s -o "$srv/root.xml" -w '%{http_code}' -u alice:secret -X PROPFIND \
    -H 'Depth: 0' -H 'Content-Type: application/xml; charset=utf-8' \
    --data-binary "$propfind" "$base/caldav/")
if [ "$code" = 207 ] && grep -q 'current-user-principal' "$srv/root.xml" &&
   grep -q '/caldav/principals/alice/' "$srv/root.xml"; then
    ok "PROPFIND /caldav/ as alice: 207 with current-user-principal /caldav/principals/alice/"
else
    fail "PROPFIND /caldav/ as alice: got $code, body:"
    head -c 2000 "$srv/root.xml"; echo
fi

code=$(curl -s -o /dev/null -w '%{http_code}' -X PROPFIND -H 'Depth: 0' "$base/caldav/")
check "PROPFIND without credentials: 401 (got $code)" test "$code" = 401

code=$(curl -s -o /dev/null -w '%{http_code}' -u alice:wrong -X PROPFIND -H 'Depth: 0' "$base/caldav/")
check "PROPFIND with a wrong password: 401 (got $code)" test "$code" = 401

code=$(curl -s -o /dev/null -w '%{http_code}' "$base/.well-known/caldav")
check "/.well-known/caldav redirects (got $code)" test "$code" = 301

code=$(curl -s -o /dev/null -w '%{http_code}' -u bob:secret2 -X PROPFIND -H 'Depth: 0' \
    "$base/caldav/calendars/alice/")
check "bob's PROPFIND on alice's calendar home is refused (got $code)" test "$code" = 403

/usr/sbin/apache2 -f "$srv/httpd.conf" -k stop >/dev/null 2>&1
for _ in $(seq 50); do [ -s "$pidfile" ] && kill -0 "$(cat "$pidfile" 2>/dev/null)" 2>/dev/null || break; sleep 0.1; done
check "apache2 stopped" bash -c "! { [ -s '$pidfile' ] && kill -0 \$(cat '$pidfile') 2>/dev/null; }"

# ---- 5. the error log, as fail2ban sees it ---------------------------------
check "error log has the caldav denial line for bob" \
    grep -Eq '\[caldav:error\] .*caldav: denied client=127\.0\.0\.1 user="bob" method=PROPFIND uri="/caldav/calendars/alice/" reason="[^"]+"' "$srv/error.log"
check "error log has mod_auth_basic's AH01617 line" grep -q 'AH01617: user alice' "$srv/error.log"
if command -v fail2ban-regex >/dev/null 2>&1; then
    matched=$(fail2ban-regex "$srv/error.log" /etc/fail2ban/filter.d/caldav.conf 2>/dev/null |
              sed -n 's/^Lines: .* \([0-9][0-9]*\) matched.*/\1/p')
    check "installed fail2ban filter matches both failures (matched ${matched:-none})" test "${matched:-0}" -ge 2
else
    echo "skip   - fail2ban-regex not installed"
fi

finish
