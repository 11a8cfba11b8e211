#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make install` puts everything under DESTDIR and PREFIX, nothing elsewhere.
set -u
src=${SKAP_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$src/tests/lib/tap.sh"
tap_begin
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
kver=$("$src/tests/lib/kver.sh" "${KDIR:-}")
if make -s -C "$src" install DESTDIR="$dest" PREFIX=/usr >"$dest.log" 2>&1; then
	tap_ok "make install DESTDIR=... PREFIX=/usr succeeds"
else
	tap_fail "make install DESTDIR=... PREFIX=/usr succeeds"
	sed 's/^/#   /' "$dest.log" | tail -n 20
fi
rm -f "$dest.log"
for f in usr/include/linux/skap.h usr/lib/libskap.a "lib/modules/$kver/updates/skap.ko"; do
	tap_check "installs /$f" test -f "$dest/$f"
done
# Each program whose directory has sources: DIR:PROGRAM:WHERE.
for entry in skapd:skapd:sbin server:skap-server:sbin skapctl:skapctl:bin; do
	IFS=: read -r dir prog where <<<"$entry"
	ls "$src/userspace/$dir"/*.c >/dev/null 2>&1 || continue
	tap_check "installs /usr/$where/$prog" test -x "$dest/usr/$where/$prog"
done
for m in "$src"/docs/man/*.[1-8]; do
	[ -f "$m" ] || continue
	sec=${m##*.}
	tap_check "installs man page $(basename "$m")" test -f "$dest/usr/share/man/man$sec/$(basename "$m")"
done
tap_check "nothing lands outside /usr and /lib" \
	test -z "$(cd "$dest" && find . -mindepth 1 -maxdepth 1 ! -name usr ! -name lib)"
tap_end
