#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Unpacks, once, the Debian kernel image that matches the installed headers:
# vmlinuz and its modules tree land in OUTDIR; nothing goes into /boot.
# Usage: fetch-kernel.sh KVER OUTDIR
set -eu
kver=$1
out=$2
[ -f "$out/.done" ] && exit 0
# The image must be the very build the headers describe: same package version.
version=$(dpkg-query -W -f='${Version}' "linux-headers-$kver" 2>/dev/null || true)
pkg=linux-image-$kver
spec=$pkg${version:+=$version}
cache=$(dirname "$out")/cache
mkdir -p "$cache"
deb=$(ls "$cache/${pkg}_"*.deb 2>/dev/null | head -n 1 || true)
if [ -z "$deb" ]; then
	if ! (cd "$cache" && apt-get download "$spec" >/dev/null 2>&1); then
		apt-get update -q >/dev/null
		# The archive keeps one version per package: a newer build of the
		# same ABI ($kver) loads modules built against these headers.
		(cd "$cache" && { apt-get download "$spec" >/dev/null 2>&1 ||
			apt-get download "$pkg" >/dev/null; }) || {
			echo "fetch-kernel: cannot download $spec or $pkg" >&2
			exit 1
		}
	fi
	deb=$(ls "$cache/${pkg}_"*.deb | head -n 1)
fi
rm -rf "$out"
mkdir -p "$out"
dpkg -x "$deb" "$out"
[ -f "$out/boot/vmlinuz-$kver" ] || {
	echo "fetch-kernel: $deb has no vmlinuz-$kver" >&2
	exit 1
}
touch "$out/.done"
