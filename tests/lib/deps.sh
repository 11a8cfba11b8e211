#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Installs the Debian packages that building and testing need, only when one
# is missing: quick and silent on a machine that has them all.
# Usage: deps.sh [bench]   (bench: also strongSwan's charon and swanctl, the
# anchor of the negotiation benchmark; charon-systemd is of no use in the VM)
set -eu
packages="
	make gcc pkg-config xz-utils cpio kmod
	linux-headers-amd64 dkms sparse
	qemu-system-x86 busybox-static iproute2 iputils-ping keyutils
	libssl-dev libnl-3-dev libnl-genl-3-dev libkeyutils-dev
	libsqlite3-dev libjansson-dev libevent-dev libargon2-dev libsodium-dev
	valgrind clang libclang-rt-14-dev curl jq sqlite3 strace
"
if [ "${1:-}" = bench ]; then
	packages="$packages strongswan-charon strongswan-swanctl libstrongswan-standard-plugins"
fi
missing=
for p in $packages; do
	if ! dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
		missing="$missing $p"
	fi
done
# node and npm may come from another packaging than Debian's (the image ships
# them in one package): ask for the commands, not for package names.
command -v node >/dev/null 2>&1 || missing="$missing nodejs"
command -v npm >/dev/null 2>&1 || missing="$missing npm"
[ -z "$missing" ] && exit 0
echo "deps: installing$missing"
if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing packages and not root: apt-get install$missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing
