# shellcheck shell=bash
# peers-lib.sh: helpers shared by the peer server scripts (radicale.sh, xandikos.sh, sabredav.sh):
# process trees, RSS, waiting for a port, and curl calls that create collections.
#
# Sourced; every function reports failures on stderr and returns non-zero.

BENCH_USER=bench
BENCH_PASSWORD=bench
: "${PYTHON:=/usr/bin/python3}"

# die MESSAGE...: print MESSAGE on stderr and exit 1 (start's contract: a clear reason).
die() {
    echo "$(basename "$0"): $*" >&2
    exit 1
}

# need_cmd CMD PACKAGE: fail clearly when a peer's binary is missing.
need_cmd() {
    command -v "$1" >/dev/null 2>&1 ||
        die "$1 not found (install Debian package $2, see t/bench/servers/install-peers.sh)"
}

# tree_pids PID: PID and all its descendants, one per line.
tree_pids() {
    local pid=$1 kid
    echo "$pid"
    for kid in $(ps --ppid "$pid" -o pid= 2>/dev/null); do
        tree_pids "$kid"
    done
}

# tree_rss PID: sum of the RSS (KB) of PID's process tree; 0 when it is gone.
tree_rss() {
    local pids
    pids=$(tree_pids "$1" | paste -sd, -)
    ps -o rss= -p "$pids" 2>/dev/null | awk '{ s += $1 } END { print s + 0 }'
}

# stop_tree PID: SIGTERM the whole tree, wait up to 10 s, then SIGKILL what is left.
stop_tree() {
    local pid=$1 pids alive p
    kill -0 "$pid" 2>/dev/null || return 0
    pids=$(tree_pids "$pid")
    # shellcheck disable=SC2086 # a list of pids
    kill -TERM $pids 2>/dev/null
    for _ in $(seq 1 100); do
        alive=0
        for p in $pids; do kill -0 "$p" 2>/dev/null && alive=1; done
        [ "$alive" = 0 ] && return 0
        sleep 0.1
    done
    # shellcheck disable=SC2086
    kill -KILL $pids 2>/dev/null
    sleep 0.2
}

# wait_tcp PORT [PID]: wait up to 30 s until 127.0.0.1:PORT accepts connections; fail early
# when PID (the server) died.
wait_tcp() {
    local port=$1 pid=${2:-}
    for _ in $(seq 1 300); do
        if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
            return 1
        fi
        if "$PYTHON" -c 'import socket, sys
socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1).close()' "$port" 2>/dev/null; then
            return 0
        fi
        sleep 0.1
    done
    return 1
}

# dav METHOD URL [BODY]: an authenticated request with an XML body; prints the status code.
dav() {
    local method=$1 url=$2 body=${3:-}
    curl -s -o /dev/null -w '%{http_code}' -u "$BENCH_USER:$BENCH_PASSWORD" -X "$method" \
        -H 'Content-Type: application/xml; charset=utf-8' ${body:+--data-binary "$body"} "$url"
}

# make_calendar URL: MKCALENDAR (RFC 4791 §5.3.1) an empty calendar at URL.
make_calendar() {
    local code
    code=$(dav MKCALENDAR "$1" '<?xml version="1.0" encoding="utf-8"?>
<C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop>
<D:displayname>bench</D:displayname>
<C:supported-calendar-component-set><C:comp name="VEVENT"/><C:comp name="VTODO"/></C:supported-calendar-component-set>
</D:prop></D:set></C:mkcalendar>')
    [ "$code" = 201 ] || { echo "MKCALENDAR $1 answered $code" >&2; return 1; }
}

# make_addressbook URL: extended MKCOL (RFC 5689) of an address book (RFC 6352 §6.3.1).
make_addressbook() {
    local code
    code=$(dav MKCOL "$1" '<?xml version="1.0" encoding="utf-8"?>
<D:mkcol xmlns:D="DAV:" xmlns:CR="urn:ietf:params:xml:ns:carddav"><D:set><D:prop>
<D:resourcetype><D:collection/><CR:addressbook/></D:resourcetype>
<D:displayname>bench</D:displayname>
</D:prop></D:set></D:mkcol>')
    [ "$code" = 201 ] || { echo "MKCOL $1 answered $code" >&2; return 1; }
}

# server_pid DIR: the pid recorded by start, or fail.
server_pid() {
    [ -s "$1/server.pid" ] || return 1
    cat "$1/server.pid"
}

# common_stop DIR / common_rss DIR: the stop and rss subcommands of a peer run from server.pid.
common_stop() {
    local pid
    pid=$(server_pid "$1") || return 0
    stop_tree "$pid"
    rm -f "$1/server.pid"
}

common_rss() {
    local pid
    pid=$(server_pid "$1") || { echo 0; return 0; }
    tree_rss "$pid"
}
