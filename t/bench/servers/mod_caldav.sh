#!/bin/bash
# mod_caldav.sh: the benchmark's server script for Apache + the mod_caldav just built
# (`DAV caldav`, the README's Alias + <Directory> deployment). Contract: t/bench/README.md.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/apache-common.sh"
: "${MODULE:=$(cd "$here/../../.." && pwd)/mod_caldav/.libs/mod_caldav.so}"

start() {
    local dir=$1 port=$2
    if [ ! -f "$MODULE" ]; then
        echo "mod_caldav.sh: MODULE '$MODULE' not found (build first)" >&2
        return 1
    fi
    mkdir -p "$dir/data" "$dir/run" "$dir/htdocs"
    dir=$(cd "$dir" && pwd -P)
    bench_apache_conf "$dir" "$port" "LoadModule caldav_module \"$MODULE\"
Alias /caldav \"$dir/data\"
<Directory \"$dir/data\">
    DAV caldav
    DavBasePath /caldav
$(bench_apache_auth "$dir" caldav)
</Directory>"
    bench_apache_launch "$dir" "$port" caldav || return 1
    # Auto-provisioning happens on the user's first authenticated request.
    curl -s -o /dev/null -u bench:bench -X PROPFIND -H 'Depth: 0' \
        "http://127.0.0.1:$port/caldav/calendars/bench/default/" || return 1
    echo "calendar=http://127.0.0.1:$port/caldav/calendars/bench/default/"
    echo "addressbook=http://127.0.0.1:$port/caldav/addressbooks/bench/default/"
    echo "pid=$(cat "$dir/httpd.pid")"
    echo "version=$("$HTTPD" -v | sed -n 's/^Server version: //p') + mod_caldav $(git -C "$here" describe --always --dirty 2>/dev/null || echo '?')"
    echo "auth=Basic, $(bench_auth_mode caldav)"
}

case ${1:-} in
    start) start "$2" "$3" ;;
    stop) bench_apache_stop "$2" ;;
    rss) bench_apache_rss "$2" ;;
    *) echo "usage: $0 start DIR PORT | stop DIR | rss DIR" >&2; exit 2 ;;
esac
