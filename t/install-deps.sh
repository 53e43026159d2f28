#!/usr/bin/env bash
# Installs everything needed to build, test and package mod_caldav on
# Debian 12: every package in debian/control's Build-Depends (including the
# <!nocheck> test tools) plus build-essential and dpkg-dev for
# dpkg-buildpackage. Run as root. Quick and silent when all is installed.
set -euo pipefail
cd "$(dirname "$0")/.."

control=debian/control
[ -r "$control" ] || { echo "install-deps: $control not found" >&2; exit 1; }

# Build-Depends (and Build-Depends-Arch/-Indep), continuation lines folded,
# split on commas; of "a | b" keep a; drop "(>= v)", "[arch]", "<profile>".
mapfile -t pkgs < <(
    awk '
        /^[^ \t#]/ { keep = ($0 ~ /^Build-Depends(-Arch|-Indep)?:/) }
        /^#/ { next }
        keep { sub(/^Build-Depends(-Arch|-Indep)?:/, ""); printf "%s ", $0 }
    ' "$control" |
    tr ',' '\n' |
    sed -e 's/|.*//' -e 's/([^)]*)//g' -e 's/\[[^]]*\]//g' -e 's/<[^>]*>//g' \
        -e 's/:any//' -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//' |
    grep -v '^$'
)
pkgs+=(build-essential dpkg-dev)

if [ "${#pkgs[@]}" -le 2 ]; then
    echo "install-deps: no Build-Depends parsed from $control" >&2
    exit 1
fi

# Installed packages and what they provide (debhelper-compat is a virtual
# package provided by debhelper, dh-apache2 by apache2-dev).
have=$(dpkg-query -W -f='${db:Status-Abbrev} ${Package} ${Provides}\n' 2>/dev/null |
       awk '$1 == "ii" { for (i = 2; i <= NF; i++) { sub(/:.*/, "", $i); if ($i !~ /^[(=<>]/ && $i !~ /\)$/) print $i } }' |
       tr -d ',' | sort -u)

missing=()
for p in "${pkgs[@]}"; do
    if ! grep -qxF "$p" <<<"$have"; then
        missing+=("$p")
    fi
done

if [ "${#missing[@]}" -eq 0 ]; then
    echo "install-deps: all ${#pkgs[@]} packages already installed"
    exit 0
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${pkgs[@]}"
