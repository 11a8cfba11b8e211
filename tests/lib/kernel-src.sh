#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Takes from Debian's linux-source package the few files the build needs and
# the project does not carry: the kselftest harness headers and checkpatch.
# Usage: kernel-src.sh KVER OUTDIR. Cached: a second run does nothing.
set -eu
kver=$1
out=$2
files="tools/testing/selftests/kselftest_harness.h
tools/testing/selftests/kselftest.h
scripts/checkpatch.pl
scripts/spelling.txt
scripts/const_structs.checkpatch"
[ -f "$out/.done" ] && exit 0
series=$(echo "$kver" | sed -E 's/^([0-9]+\.[0-9]+).*/\1/')
pkg=linux-source-$series
cache=$(dirname "$out")/cache
mkdir -p "$cache" "$out"
deb=$(ls "$cache"/"$pkg"_*.deb 2>/dev/null | head -n 1 || true)
if [ -z "$deb" ]; then
	(cd "$cache" && apt-get download "$pkg" >/dev/null 2>&1) || {
		apt-get update -q >/dev/null && (cd "$cache" && apt-get download "$pkg" >/dev/null)
	}
	deb=$(ls "$cache"/"$pkg"_*.deb | head -n 1)
fi
members=$(for f in $files; do printf 'linux-source-%s/%s\n' "$series" "$f"; done)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# shellcheck disable=SC2086
dpkg-deb --fsys-tarfile "$deb" | tar -xO "./usr/src/linux-source-$series.tar.xz" |
	tar -xJ -C "$tmp" $members
for f in $files; do
	cp "$tmp/linux-source-$series/$f" "$out/"
done
chmod +x "$out/checkpatch.pl"
touch "$out/.done"
