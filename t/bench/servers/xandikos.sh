#!/bin/bash
# xandikos.sh: runs Debian's Xandikos as a benchmark peer, plain (no Apache in front):
# start DIR PORT | stop DIR | rss DIR | load DIR SRCDIR | load-cards DIR SRCDIR.
#
# Xandikos has no authentication of its own (its docs put it behind a reverse proxy for that);
# here it runs bare and ignores the load client's Authorization header, so its numbers carry
# no auth cost. One process, aiohttp event loop; each collection is a git repository with a
# work tree (TreeGitStore): a PUT writes the file, updates the index and commits.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/peers-lib.sh"

# --defaults creates these for the principal /user/ (xandikos/web.py create_principal_defaults).
calendar_path=/user/calendars/calendar/
addressbook_path=/user/contacts/addressbook/

start() {
    local dir=$1 port=$2 pid base
    need_cmd xandikos xandikos
    mkdir -p "$dir" || die "cannot create $dir"
    dir=$(cd "$dir" && pwd -P)
    # setsid: own session, so stop takes the tree down; no fd of ours stays open in it.
    setsid xandikos --defaults -d "$dir/data" -l 127.0.0.1 -p "$port" \
        </dev/null >"$dir/xandikos.log" 2>&1 &
    pid=$!
    echo "$pid" >"$dir/server.pid"
    wait_tcp "$port" "$pid" || {
        tail -n 30 "$dir/xandikos.log" >&2
        die "Xandikos did not come up on 127.0.0.1:$port"
    }
    base=http://127.0.0.1:$port
    echo "calendar=$base$calendar_path"
    echo "addressbook=$base$addressbook_path"
    echo "pid=$pid"
    echo "version=Xandikos $(xandikos --version 2>/dev/null | awk "{print \$NF}") (Debian), plain (no auth)"
}

# load_into DIR SRC EXT PATH: copy every SRC/*.EXT into the collection's work tree and commit
# them in one git commit, as Xandikos would have (it reads the index and HEAD on each request,
# and the etag of a resource is its blob id, so nothing else needs updating).
load_into() {
    local dir=$1 src=$2 ext=$3 path=$4 repo
    repo=$dir/data${path%/}
    [ -d "$repo/.git" ] || die "no collection repository at $repo (run start first)"
    [ -d "$src" ] || die "no directory $src"
    find "$src" -maxdepth 1 -type f -name "*.$ext" -exec cp -t "$repo" {} + ||
        die "copy into $repo failed"
    git -C "$repo" add -A . &&
        git -C "$repo" -c user.name=bench -c user.email=bench@localhost \
            commit -q -m "Bulk load of $(basename "$src")" ||
        die "git commit in $repo failed"
}

case ${1:-} in
    start) [ $# = 3 ] || die "usage: $0 start DIR PORT"; start "$2" "$3" ;;
    stop) [ $# = 2 ] || die "usage: $0 stop DIR"; common_stop "$2" ;;
    rss) [ $# = 2 ] || die "usage: $0 rss DIR"; common_rss "$2" ;;
    load) [ $# = 3 ] || die "usage: $0 load DIR SRCDIR"; load_into "$2" "$3" ics "$calendar_path" ;;
    load-cards) [ $# = 3 ] || die "usage: $0 load-cards DIR SRCDIR"; load_into "$2" "$3" vcf "$addressbook_path" ;;
    *) die "usage: $0 start DIR PORT | stop DIR | rss DIR | load DIR SRCDIR | load-cards DIR SRCDIR" ;;
esac
