#!/bin/bash
# mod_dav_fs.sh: the benchmark's baseline, Apache's own mod_dav_fs over a directory, with the same
# MPM and authentication as mod_caldav.sh. It stores .ics files as plain files (no CalDAV REPORTs).
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/apache-common.sh"

start() {
    local dir=$1 port=$2
    mkdir -p "$dir/data/calendar" "$dir/data/files" "$dir/run" "$dir/htdocs" "$dir/davlock"
    dir=$(cd "$dir" && pwd -P)
    [ "$(id -u)" -ne 0 ] || chown www-data:www-data "$dir/davlock"
    bench_apache_conf "$dir" "$port" "LoadModule dav_fs_module \"$(bench_apache_modules_dir)/mod_dav_fs.so\"
DavLockDB \"$dir/davlock/lockdb\"
Alias /dav \"$dir/data\"
<Directory \"$dir/data\">
    DAV On
$(bench_apache_auth "$dir")
</Directory>"
    bench_apache_launch "$dir" "$port" || return 1
    echo "calendar=http://127.0.0.1:$port/dav/calendar/"
    echo "files=http://127.0.0.1:$port/dav/files/"
    echo "pid=$(cat "$dir/httpd.pid")"
    echo "version=$("$HTTPD" -v | sed -n 's/^Server version: //p') + mod_dav_fs"
    echo "auth=Basic, $(bench_auth_mode)"
}

case ${1:-} in
    start) start "$2" "$3" ;;
    stop) bench_apache_stop "$2" ;;
    rss) bench_apache_rss "$2" ;;
    *) echo "usage: $0 start DIR PORT | stop DIR | rss DIR" >&2; exit 2 ;;
esac
