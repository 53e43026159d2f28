#!/bin/bash
# serve.sh: the README's "try it" command. Run from anywhere (as root on a fresh Debian 12, or as
# a normal user once the dependencies are installed): installs the build dependencies, builds the
# module if needed, and serves it with Apache on http://127.0.0.1:8008/caldav/ (user demo,
# password demo), its data, config and logs in var/ at the top of the checkout.
#
#   t/serve.sh          start (or say it is already running) and print the URLs for clients
#   t/serve.sh stop     stop it
#   t/serve.sh status   tell whether it runs
#
# Environment: PORT (default 8008), ADDRESS (default 127.0.0.1; 0.0.0.0 to let phones on the
# LAN in), SERVE_USERS (default "demo:demo"; "user:password ..." pairs).

set -u
repo=$(cd "$(dirname "$0")/.." && pwd -P)
cd "$repo" || exit 1
: "${PORT:=8008}"
: "${ADDRESS:=127.0.0.1}"
: "${SERVE_USERS:=demo:demo}"
export HTTPD=${HTTPD:-/usr/sbin/apache2}
export PYTHON=/usr/bin/python3
export MODULE="$repo/mod_caldav/.libs/mod_caldav.so"
VAR="$repo/var"

say() { printf '%s\n' "$*"; }
die() { printf 'serve.sh: %s\n' "$*" >&2; exit 1; }

running() {
    [ -s "$VAR/httpd.pid" ] && kill -0 "$(cat "$VAR/httpd.pid")" 2>/dev/null
}

# The host name clients should use.
client_host() {
    case $ADDRESS in
        0.0.0.0 | "*")
            hostname -I 2>/dev/null | awk '{print $1}' | grep . || echo 127.0.0.1 ;;
        *) echo "$ADDRESS" ;;
    esac
}

print_urls() {
    local port host base user pass
    port=$(cat "$VAR/port" 2>/dev/null || echo "$PORT")
    host=$(client_host)
    base="http://$host:$port"
    user=${SERVE_USERS%% *}; pass=${user#*:}; user=${user%%:*}
    cat <<EOF

mod_caldav is serving on $base/caldav/   (user $user, password $pass)

  Server root (discovery)  $base/caldav/
  Principal                $base/caldav/principals/$user/
  Calendar                 $base/caldav/calendars/$user/default/
  Address book             $base/caldav/addressbooks/$user/default/

What to type into clients:
  iOS (Settings > Calendar > Accounts > Add Account > Other > Add CalDAV Account; the same for
  CardDAV under Contacts):
      Server     $host:$port/caldav/      User Name $user      Password $pass
      (plain HTTP: under Advanced Settings turn "Use SSL" off and set the port to $port)
  macOS Calendar/Contacts (Settings > Accounts > + > Other CalDAV/CardDAV Account, type Manual):
      User Name $user   Password $pass   Server Address $base/caldav/
  Thunderbird (New Calendar > On the Network):
      Username $user   Location $base/caldav/calendars/$user/default/
      (address book: New CardDAV Address Book, URL $base/caldav/addressbooks/$user/default/)
  DAVx5 (Add account > Login with URL and user name):
      Base URL $base/caldav/   User name $user   Password $pass

Data, configuration and logs: $VAR/   (error log: $VAR/error.log)
This is plain HTTP for trying things out: put it behind TLS before real use (see the README).
Stop it with: t/serve.sh stop
EOF
}

case ${1:-start} in
    stop)
        . "$repo/t/integration/apache.sh"
        if running; then
            apache_stop "$VAR" && say "stopped"
        else
            say "not running"
        fi
        exit 0 ;;
    status)
        if running; then say "running (pid $(cat "$VAR/httpd.pid")) on port $(cat "$VAR/port")"; exit 0; fi
        say "not running"; exit 3 ;;
    start) ;;
    *) die "usage: t/serve.sh [start|stop|status]" ;;
esac

if running; then
    say "already running (pid $(cat "$VAR/httpd.pid")); t/serve.sh stop to stop it"
    print_urls
    exit 0
fi

# 1. Dependencies (quick when everything is there already).
if [ "$(id -u)" -eq 0 ]; then
    if [ -x t/install-deps.sh ] || [ -f t/install-deps.sh ]; then
        bash t/install-deps.sh || die "t/install-deps.sh failed"
    fi
else
    for tool in "$HTTPD" htpasswd; do
        command -v "$tool" >/dev/null 2>&1 || [ -x "$tool" ] ||
            die "$tool missing: run t/install-deps.sh as root (or t/serve.sh as root) first"
    done
fi

# 2. Build, only what is missing or out of date.
if [ ! -x configure ]; then
    ./autogen.sh || die "./autogen.sh failed"
fi
if [ ! -f Makefile ]; then
    ./configure || die "./configure failed"
fi
make -j2 || die "make failed"
[ -f "$MODULE" ] || die "the build did not produce $MODULE"

# 3. var/: the data directory must be reachable by the server's user (www-data when root).
#    A checkout under /root is not: keep the data in /var/lib/mod_caldav-serve, var/ a link to it.
if [ "$(id -u)" -eq 0 ] && [ ! -L "$VAR" ]; then
    mkdir -p "$VAR" && chmod 755 "$VAR"
    if ! runuser -u www-data -- test -x "$VAR"; then
        fallback=/var/lib/mod_caldav-serve
        say "note: www-data cannot reach $VAR (a parent directory is private);"
        say "      keeping the data in $fallback, with $VAR a link to it"
        mkdir -p "$fallback" && chmod 755 "$fallback"
        if [ -z "$(ls -A "$VAR")" ]; then
            rmdir "$VAR" && ln -s "$fallback" "$VAR"
        else
            die "$VAR is not empty and not reachable by www-data: move it away first"
        fi
    fi
fi
mkdir -p "$VAR"

# 4. Start Apache with the documented Alias + <Directory> layout, keeping the data across runs.
. "$repo/t/integration/apache.sh"
export APACHE_PORT=$PORT APACHE_ADDRESS=$ADDRESS APACHE_USERS=$SERVE_USERS APACHE_KEEP_LOGS=1
export APACHE_THREADS=${APACHE_THREADS:-16}
# apache.sh writes the README's /.well-known redirect (308 to /caldav/) itself.
if ! apache_start "$VAR" alias; then
    die "Apache did not start (is port $PORT taken? try PORT=8009 t/serve.sh)"
fi

# 5. A first request as the first user: provisions the principal, calendar and address book.
first=${SERVE_USERS%% *}
code=$(curl -s -o /dev/null -w '%{http_code}' -u "$first" -X PROPFIND -H 'Depth: 0' "$BASE_URL/caldav/" 2>/dev/null)
if [ "$code" != 207 ]; then
    say "warning: PROPFIND $BASE_URL/caldav/ as ${first%%:*} answered $code, not 207; see $VAR/error.log:"
    tail -n 10 "$VAR/error.log"
fi
print_urls
