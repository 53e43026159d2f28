#!/bin/bash
# install-peers.sh: installs (idempotently) the Debian packages the benchmark's peer servers
# need: Radicale, Xandikos, SabreDAV under Apache + mod_php. Run as root; not part of the tests.
set -eu
packages="radicale xandikos php-sabre-dav libapache2-mod-php php-cli php-sqlite3 apache2
    apache2-utils curl git"
missing=""
for p in $packages; do
    dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing="$missing $p"
done
if [ -z "$missing" ]; then
    echo "install-peers.sh: all peer packages are installed"
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "install-peers.sh: missing:$missing (run as root to install them)" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086 # a list of package names
apt-get install -y -q $missing
