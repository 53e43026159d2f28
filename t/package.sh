#!/usr/bin/env bash
# Builds the Debian package from a clean copy of the tree, installs it,
# enables the module and checks that a real Apache serves CalDAV with it:
#   - the nocheck profile leaves every test tool out of the build dependencies
#   - DEB_BUILD_OPTIONS=nocheck dpkg-buildpackage -us -uc -b -Pnocheck (the README's
#     command) in a temp dir, no test run; the README's install glob finds the .deb
#   - apt-get install ./libapache2-mod-caldav_*.deb; a2enmod caldav (dav comes
#     with it); apache2ctl -t on the system configuration
#   - the README's vhost block, taken from the README, in a site of the system
#     configuration and in a throwaway Apache instance (own config, pid file and
#     error log; the system's mods-enabled/, so the packaged .load is what loads
#     the module) on a free loopback port; PROPFIND as alice gives 207 with her
#     principal; the .well-known redirects are 308s to /caldav/; a changed
#     password keeps working while cached (the documented trade)
#   - the shipped backup job (the caldav-backup.service's ExecStart): modes 0700
#     and 0600, generations pruned to 7; restore refused while Apache runs, then
#     restore gives back what was backed up, drops what came after, and a sync
#     token from after the backup gets 403 valid-sync-token
#   - wrong password and foreign access are logged in the format the
#     packaged fail2ban filter matches
#   - apt-get remove: apache2ctl -t still passes with the site in place and
#     Apache starts; dpkg --purge keeps the database; a reinstall serves it again
# Run as root on Debian 12 after t/install-deps.sh. The work tree is not
# touched; the .deb is left in the temp dir (printed) and KEEP=1 keeps it all.
# The package is left installed at the end.
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
site_link=/etc/apache2/sites-enabled/zz-mod-caldav-package-test.conf
created_db=
created_backups=

apache_up() { [ -s "$pidfile" ] && kill -0 "$(cat "$pidfile" 2>/dev/null)" 2>/dev/null; }
stop_apache() {
    apache_up || return 0
    /usr/sbin/apache2 -f "$srv/httpd.conf" -k stop >/dev/null 2>&1 || true
    for _ in $(seq 100); do apache_up || break; sleep 0.1; done
    ! apache_up
}

cleanup() {
    stop_apache
    # Never leave the system configuration pointing into the temp dir.
    rm -f "$site_link"
    if [ -n "$created_db" ]; then
        rm -f /var/lib/caldav/caldav.sqlite /var/lib/caldav/caldav.sqlite-wal \
              /var/lib/caldav/caldav.sqlite-shm /var/lib/caldav/caldav.sqlite-journal \
              /var/lib/caldav/caldav.sqlite.before-restore-*
    fi
    [ -z "$created_backups" ] || rm -rf /var/backups/caldav
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
generated='(^|/)(\.libs|\.deps|autom4te\.cache|build-aux)/|\.(o|lo|la|so|a|deb|ddeb|log|trs|buildinfo|changes)$|(^|/)Makefile(\.in)?$|^(configure|aclocal\.m4|config\.status|config\.h|config\.h\.in|libtool|stamp-h1)$|^m4/(libtool|ltoptions|ltsugar|ltversion|lt~obsolete)\.m4$|^t/unit/unit_tests$|^var/|^t/tmp/|^debian/(\.debhelper/|libapache2-mod-caldav/|tmp/|files$|debhelper-build-stamp$|.*\.substvars$)'
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

# ---- 2. build the .deb without the test tools (nocheck) ---------------------
# What the nocheck profile leaves of Build-Depends must hold no test tool.
nocheck_deps=$(cd "$work/src" && perl -MDpkg::Control::Info -MDpkg::Deps -e '
    my $src = Dpkg::Control::Info->new("debian/control")->get_source;
    my $deps = deps_parse($src->{"Build-Depends"}, build_dep => 1, reduce_profiles => 1,
                          build_profiles => ["nocheck"]);
    print join("\n", map { $_->output() } $deps->get_deps()), "\n";' 2>&1)
test_tools=$(grep -Ex '(catch2|litmus|vdirsyncer|python3|python3-caldav|fail2ban|nftables|clang|clang-tidy|libclang-rt-14-dev|curl|sqlite3|apache2)( .*)?' <<<"$nocheck_deps" | tr '\n' ' ')
check "Build-Depends under the nocheck profile hold no test tool (${test_tools:-none}; left: $(tr '\n' ' ' <<<"$nocheck_deps"))" \
    test -n "$nocheck_deps" -a -z "$test_tools"
check "the README's 'apt-get build-dep -P nocheck ./' resolves (simulated)" \
    bash -c "cd '$work/src' && grep -q 'apt-get build-dep -P nocheck ./' README.md &&
             apt-get build-dep -s -q -P nocheck ./ >'$work/build-dep.log' 2>&1"

# The README's command, word for word.
build_cmd=$(grep -o '^DEB_BUILD_OPTIONS=nocheck dpkg-buildpackage [^#]*' "$work/src/README.md" | head -n 1 | sed 's/ *$//')
check "the README documents the nocheck build ($build_cmd)" test -n "$build_cmd"
echo "building the package in $work/src (log: $work/build.log)"
if (cd "$work/src" && env ${build_cmd:-DEB_BUILD_OPTIONS=nocheck dpkg-buildpackage -us -uc -b -Pnocheck}) \
        >"$work/build.log" 2>&1; then
    ok "$build_cmd"
else
    fail "$build_cmd"
    tail -n 60 "$work/build.log"
    finish
fi
check "the nocheck build ran no test (no unit_tests in the build log)" \
    bash -c "! grep -q 'unit_tests' '$work/build.log'"
deb=$(ls "$work"/libapache2-mod-caldav_*.deb 2>/dev/null | grep -v dbgsym | head -n 1)
if [ -n "$deb" ]; then ok "built $deb"; else fail "no libapache2-mod-caldav_*.deb in $work"; finish; fi
# The README's install line, run from the repository root: its glob must find this .deb.
readme_glob=$(grep -o 'apt install [^ ]*libapache2-mod-caldav_[^ ]*\.deb' "$work/src/README.md" | head -n 1 | cut -d' ' -f3)
found=$(cd "$work/src" && ls -d $readme_glob 2>/dev/null | head -n 1)
check "the README's 'apt install ${readme_glob:-?}' finds the .deb from the repository root (got ${found:-nothing})" \
    test -n "$found" -a "$(readlink -f "$work/src/$found" 2>/dev/null)" = "$(readlink -f "$deb")"
contents=$(dpkg-deb -c "$deb")
check "package ships mod_caldav.so, caldav.load and caldav.conf" \
    bash -c 'grep -q "usr/lib/apache2/modules/mod_caldav.so" <<<"$1" &&
             grep -q "etc/apache2/mods-available/caldav.load" <<<"$1" &&
             grep -q "etc/apache2/mods-available/caldav.conf" <<<"$1"' _ "$contents"
check "package ships the backup: caldav-backup, its timer and service, /etc/default/caldav-backup" \
    bash -c 'grep -q "usr/sbin/caldav-backup$" <<<"$1" &&
             grep -q "systemd/system/caldav-backup.timer$" <<<"$1" &&
             grep -q "systemd/system/caldav-backup.service$" <<<"$1" &&
             grep -q "etc/default/caldav-backup$" <<<"$1"' _ "$contents"
check "package Depends on sqlite3 (the backup job needs it): $(dpkg-deb -f "$deb" Depends)" \
    bash -c 'dpkg-deb -f "$1" Depends | tr "," "\n" | grep -qx " *sqlite3"' _ "$deb"

# ---- 3. install it and enable the module -----------------------------------
# --force-confnew: test the configuration the package ships (dpkg keeps a
# locally changed conffile as *.dpkg-old).
install_deb() {
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --reinstall \
        -o Dpkg::Options::=--force-confnew "$deb" >"$work/install.log" 2>&1
}
if install_deb; then
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
check "caldav-backup.timer enabled (timers.target.wants)" \
    test -L /etc/systemd/system/timers.target.wants/caldav-backup.timer
if command -v systemd-analyze >/dev/null 2>&1; then
    check "systemd-analyze verify caldav-backup.timer and .service" \
        bash -c "systemd-analyze verify /lib/systemd/system/caldav-backup.timer \
                 /lib/systemd/system/caldav-backup.service >'$work/verify.log' 2>&1 ||
                 { cat '$work/verify.log'; false; }"
fi
if apache2ctl -t >"$work/configtest.log" 2>&1; then
    ok "apache2ctl -t (system configuration with caldav enabled)"
else
    fail "apache2ctl -t (system configuration with caldav enabled)"
    cat "$work/configtest.log"
fi

# ---- 4. the README's block in a site, served by a throwaway Apache ----------
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$srv"
chmod 0755 "$srv"
htpasswd -B -b -c "$srv/caldav.passwd" alice secret >/dev/null 2>&1
htpasswd -B -b "$srv/caldav.passwd" bob secret2 >/dev/null 2>&1
chmod 0644 "$srv/caldav.passwd"

# Never touch an existing database: point the module elsewhere then.
db=/var/lib/caldav/caldav.sqlite
if [ -e "$db" ]; then
    install -d -o www-data -g www-data -m 0750 "$srv/data"
    db="$srv/data/caldav.sqlite"
else
    created_db=1
fi

# The block as the README has it (the first ```apache block after "Add it to an
# existing TLS vhost"), with this test's password file (and database).
block=$(awk '/^## Add it to an existing TLS vhost/ {s = 1} s && /^```apache/ {p = 1; next} p && /^```/ {exit} p' "$root/README.md")
check "the README has the vhost block" test -n "$block"
block=$(sed "s|AuthUserFile /etc/apache2/caldav.passwd|AuthUserFile $srv/caldav.passwd|" <<<"$block")
if [ "$db" != /var/lib/caldav/caldav.sqlite ]; then
    block=$(sed "s|^\( *\)DavBasePath /caldav\$|&\n\1CalDAVDatabase $db|" <<<"$block")
fi
cat >"$srv/site.conf" <<CONF
# t/package.sh: the README's block in a vhost (removed when the test ends).
<VirtualHost 127.0.0.1:$port>
$block
</VirtualHost>
CONF
# In the system configuration too: apache2ctl -t must pass with it, also once
# the package is removed.
ln -sf "$srv/site.conf" "$site_link"

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
# One child process: the credential cache (caldav_cache) is per process, and
# the check of the documented trade below must meet the process that verified
# the password.
StartServers 1
ServerLimit 1
MaxRequestWorkers 25
Include $srv/site.conf
CONF

# start_apache WHAT: configtest and start the throwaway instance; false (and
# the logs shown) when either fails.
start_apache() {
    if ! /usr/sbin/apache2 -f "$srv/httpd.conf" -t >"$srv/configtest.log" 2>&1; then
        fail "apache2 -t $1"
        cat "$srv/configtest.log"
        return 1
    fi
    ok "apache2 -t $1"
    if ! /usr/sbin/apache2 -f "$srv/httpd.conf" -k start >"$srv/start.log" 2>&1; then
        fail "apache2 -k start $1"
        cat "$srv/start.log" "$srv/error.log" 2>/dev/null
        return 1
    fi
    for _ in $(seq 50); do
        if curl -s -o /dev/null "http://127.0.0.1:$port/"; then
            ok "apache2 started on 127.0.0.1:$port $1"
            return 0
        fi
        sleep 0.1
    done
    fail "apache2 answering on 127.0.0.1:$port $1"
    cat "$srv/error.log"
    return 1
}

if apache2ctl -t >"$work/configtest-site.log" 2>&1; then
    ok "apache2ctl -t (system configuration with the README's block in a site)"
else
    fail "apache2ctl -t (system configuration with the README's block in a site)"
    cat "$work/configtest-site.log"
fi
# The snippet the package ships (caldav.conf, commented out), uncommented as
# its header says, must be a valid configuration too.
snippet=$(sed -n '/^# <IfModule caldav_module>/,/^# <\/IfModule>/p' /etc/apache2/mods-available/caldav.conf |
          sed -e 's/^# \{0,1\}//' -e "s|AuthUserFile /etc/apache2/caldav.passwd|AuthUserFile $srv/caldav.passwd|")
printf '<VirtualHost 127.0.0.1:%s>\n%s\n</VirtualHost>\n' "$port" "$snippet" >"$srv/shipped.conf"
sed "s|^Include $srv/site.conf\$|Include $srv/shipped.conf|" "$srv/httpd.conf" >"$srv/httpd-shipped.conf"
check "the shipped caldav.conf, uncommented, passes apache2 -t (DAV caldav, caldav_cache, RedirectMatch 308)" \
    bash -c "grep -q '^ *DAV caldav' '$srv/shipped.conf' && grep -q '^ *AuthBasicProvider caldav_cache' '$srv/shipped.conf' &&
             grep -q '^ *RedirectMatch 308 ' '$srv/shipped.conf' &&
             /usr/sbin/apache2 -f '$srv/httpd-shipped.conf' -t >'$srv/configtest-shipped.log' 2>&1 ||
             { cat '$srv/configtest-shipped.log'; false; }"

start_apache "(the README's block)" || finish

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

# RFC 6764 §5: a redirect that keeps the method and body (308), to /caldav/,
# with or without a trailing slash.
for wk in caldav carddav carddav/ caldav/; do
    got=$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' -X PROPFIND "$base/.well-known/$wk")
    check "PROPFIND /.well-known/$wk: 308 to $base/caldav/ (got $got)" test "$got" = "308 $base/caldav/"
done
code=$(curl -s -o "$srv/wk.xml" -w '%{http_code}' -L -u alice:secret -X PROPFIND -H 'Depth: 0' \
    -H 'Content-Type: application/xml; charset=utf-8' --data-binary "$propfind" "$base/.well-known/caldav")
check "PROPFIND /.well-known/caldav followed: 207 naming alice's principal (got $code)" \
    bash -c "test '$code' = 207 && grep -q '/caldav/principals/alice/' '$srv/wk.xml'"

code=$(curl -s -o /dev/null -w '%{http_code}' -u bob:secret2 -X PROPFIND -H 'Depth: 0' \
    "$base/caldav/calendars/alice/")
check "bob's PROPFIND on alice's calendar home is refused (got $code)" test "$code" = 403

# The credential cache (AuthBasicProvider caldav_cache): a changed password
# keeps working until the cached entry expires (CalDAVAuthnCacheTimeout), the
# trade the README states; the new one works at once.
htpasswd -B -b "$srv/caldav.passwd" alice changed >/dev/null 2>&1
code=$(curl -s -o /dev/null -w '%{http_code}' -u alice:secret -X PROPFIND -H 'Depth: 0' "$base/caldav/")
check "alice's old password still works after the change while cached (got $code)" test "$code" = 207
code=$(curl -s -o /dev/null -w '%{http_code}' -u alice:changed -X PROPFIND -H 'Depth: 0' "$base/caldav/")
check "alice's new password works at once (got $code)" test "$code" = 207
htpasswd -B -b "$srv/caldav.passwd" alice secret >/dev/null 2>&1

# ---- 5. the shipped backup job, and a restore --------------------------------
cal="$base/caldav/calendars/alice/default"
event() {
    printf 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t/package.sh//EN\r\nBEGIN:VEVENT\r\nUID:%s\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20300101T100000Z\r\nDURATION:PT1H\r\nSUMMARY:%s\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n' "$1" "$2"
}
put() {
    curl -s -o /dev/null -w '%{http_code}' -u alice:secret -X PUT -H 'Content-Type: text/calendar' \
        --data-binary @- "$cal/$1.ics" <<<"$(event "$1" "$2")"
}
check "PUT before-backup.ics: 201" test "$(put before-backup 'Before the backup')" = 201
curl -s -o "$srv/before.ics" -u alice:secret "$cal/before-backup.ics"

# The job as the installed service runs it (its ExecStart), on this test's
# database and, when the system already has backups, into a directory of its own.
exec_start=$(sed -n 's/^ExecStart=//p' /lib/systemd/system/caldav-backup.service)
check "caldav-backup.service runs /usr/sbin/caldav-backup (ExecStart=$exec_start)" \
    test "${exec_start%% *}" = /usr/sbin/caldav-backup
backups=/var/backups/caldav
job_args=()
[ "$db" = /var/lib/caldav/caldav.sqlite ] || job_args+=(--db "$db")
if [ -e "$backups" ]; then
    backups="$work/backups"
    job_args+=(--dir "$backups")
else
    created_backups=1
fi
# Eight older generations: the job must keep the newest 7 in all.
mkdir -p "$backups"
chmod 0755 "$backups"
for i in 1 2 3 4 5 6 7 8; do
    cp "$srv/before.ics" "$backups/caldav-2020010${i}T000000Z.sqlite"
    chmod 0644 "$backups/caldav-2020010${i}T000000Z.sqlite"
done
if $exec_start "${job_args[@]}" >"$work/backup.log" 2>&1; then
    ok "the backup job ran: $(tail -n 1 "$work/backup.log")"
else
    fail "the backup job failed"
    cat "$work/backup.log"
fi
newest=$(ls -1 "$backups"/caldav-*.sqlite 2>/dev/null | sort | tail -n 1)
check "the backup directory is root's, mode 700 (got $(stat -c '%U %a' "$backups"))" \
    test "$(stat -c '%U %a' "$backups")" = "root 700"
check "the new backup $newest is root's, mode 600 (got $(stat -c '%U %a' "$newest" 2>/dev/null))" \
    test "$(stat -c '%U %a' "$newest" 2>/dev/null)" = "root 600"
check "7 generations kept: the new one and the 6 newest old ones ($(ls "$backups" | tr '\n' ' '))" \
    bash -c "test \$(ls '$backups' | wc -l) = 7 && test ! -e '$backups/caldav-20200102T000000Z.sqlite' &&
             test -e '$backups/caldav-20200103T000000Z.sqlite' && test '$newest' != '$backups/caldav-20200108T000000Z.sqlite'"
check "the backup is a sound database (PRAGMA quick_check)" \
    test "$(sqlite3 -readonly "$newest" 'PRAGMA quick_check;' 2>&1)" = ok
for f in "$db-wal" "$db-shm"; do
    [ -e "$f" ] && check "$(basename "$f") still belongs to www-data after the backup" \
        test "$(stat -c %U "$f")" = www-data
done

check "PUT after-backup.ics: 201" test "$(put after-backup 'After the backup')" = 201
sync_body='<?xml version="1.0" encoding="utf-8"?>
<d:sync-collection xmlns:d="DAV:"><d:sync-token/><d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>'
curl -s -o "$srv/sync.xml" -u alice:secret -X REPORT -H 'Content-Type: application/xml' \
    --data-binary "$sync_body" "$cal/"
token=$(sed -n 's|.*<D:sync-token>\([^<]*\)</D:sync-token>.*|\1|Ip' "$srv/sync.xml" | head -n 1)
check "a sync token after the second PUT ($token)" test -n "$token"

# A restore under a running Apache is refused and changes nothing.
if /usr/sbin/caldav-backup --restore "$newest" --db "$db" >"$work/restore-live.log" 2>&1; then
    fail "caldav-backup --restore while Apache has the database open: it went ahead"
else
    ok "caldav-backup --restore while Apache runs: refused ($(tail -n 1 "$work/restore-live.log"))"
fi
code=$(curl -s -o /dev/null -w '%{http_code}' -u alice:secret "$cal/after-backup.ics")
check "after the refused restore, after-backup.ics is still there (got $code)" test "$code" = 200

check "apache2 stopped for the restore" stop_apache
restore_cmd=$(grep -o '^caldav-backup --restore ' "$root/README.md" | head -n 1)
check "the README documents 'caldav-backup --restore BACKUP'" test -n "$restore_cmd"
if /usr/sbin/caldav-backup --restore "$newest" --db "$db" >"$work/restore.log" 2>&1; then
    ok "caldav-backup --restore $(basename "$newest")"
else
    fail "caldav-backup --restore $(basename "$newest")"
    cat "$work/restore.log"
fi
check "the restored database is www-data's (got $(stat -c %U "$db"))" test "$(stat -c %U "$db")" = www-data
check "the database before the restore is kept beside it" \
    bash -c "ls '$db'.before-restore-* >/dev/null 2>&1"
start_apache "(after the restore)"
code=$(curl -s -o "$srv/restored.ics" -w '%{http_code}' -u alice:secret "$cal/before-backup.ics")
check "after the restore, before-backup.ics is back byte for byte (got $code)" \
    bash -c "test '$code' = 200 && cmp -s '$srv/before.ics' '$srv/restored.ics'"
code=$(curl -s -o /dev/null -w '%{http_code}' -u alice:secret "$cal/after-backup.ics")
check "after the restore, after-backup.ics (written after the backup) is gone (got $code)" test "$code" = 404
code=$(curl -s -o "$srv/sync2.xml" -w '%{http_code}' -u alice:secret -X REPORT -H 'Content-Type: application/xml' \
    --data-binary "${sync_body/<d:sync-token\/>/<d:sync-token>$token</d:sync-token>}" "$cal/")
check "the sync token from after the backup: 403 valid-sync-token (got $code)" \
    bash -c "test '$code' = 403 && grep -q 'valid-sync-token' '$srv/sync2.xml'"

check "apache2 stopped" stop_apache

# ---- 6. the error log, as fail2ban sees it ---------------------------------
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

# ---- 7. remove, purge, reinstall ---------------------------------------------
# The site still holds the block: removing the module must not stop Apache
# (and with it every other site) from starting.
if DEBIAN_FRONTEND=noninteractive apt-get remove -y -q libapache2-mod-caldav >"$work/remove.log" 2>&1; then
    ok "apt-get remove libapache2-mod-caldav"
else
    fail "apt-get remove libapache2-mod-caldav"
    tail -n 30 "$work/remove.log"
fi
check "the module is gone from mods-enabled" test ! -e /etc/apache2/mods-enabled/caldav.load
if apache2ctl -t >"$work/configtest-removed.log" 2>&1; then
    ok "apache2ctl -t after the removal, the site still in place"
else
    fail "apache2ctl -t after the removal, the site still in place"
    cat "$work/configtest-removed.log"
fi
if start_apache "(module removed, the site in place)"; then
    code=$(curl -s -o /dev/null -w '%{http_code}' -u alice:secret -X PROPFIND -H 'Depth: 0' "$base/caldav/")
    check "without the module /caldav/ is not served (got $code)" test "$code" != 207
    check "apache2 stopped" stop_apache
fi

if DEBIAN_FRONTEND=noninteractive dpkg --purge libapache2-mod-caldav >"$work/purge.log" 2>&1; then
    ok "dpkg --purge libapache2-mod-caldav"
else
    fail "dpkg --purge libapache2-mod-caldav"
    tail -n 30 "$work/purge.log"
fi
check "the purge kept the database $db" test -s "$db"
check "the purge kept the backups" test -s "$newest"

if install_deb; then
    ok "apt-get install $(basename "$deb") again"
else
    fail "apt-get install $(basename "$deb") again"
    tail -n 30 "$work/install.log"
    finish
fi
a2enmod -q caldav
check "apache2ctl -t after the reinstall" bash -c "apache2ctl -t >\"$work/configtest-reinstalled.log\" 2>&1"
if start_apache "(reinstalled)"; then
    code=$(curl -s -o "$srv/again.ics" -w '%{http_code}' -u alice:secret "$cal/before-backup.ics")
    check "after the reinstall before-backup.ics is served as before (got $code)" \
        bash -c "test '$code' = 200 && cmp -s '$srv/before.ics' '$srv/again.ics'"
    check "apache2 stopped" stop_apache
fi

finish
