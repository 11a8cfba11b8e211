#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# DKMS can add and build the module from its source package against the
# installed headers (not the running kernel: -k), and removes it cleanly.
set -u
src=${SKAP_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$src/tests/lib/tap.sh"
tap_begin
if [ "$(id -u)" -ne 0 ] || ! command -v dkms >/dev/null; then
	tap_skip "dkms" "needs root and dkms"
	tap_end
fi
kver=$("$src/tests/lib/kver.sh" "${KDIR:-}")
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$src/dkms/dkms.conf")
dest=/usr/src/skap-$ver

cleanup() {
	dkms remove "skap/$ver" --all >/dev/null 2>&1
	rm -rf "$dest"
}
cleanup
trap cleanup EXIT

tap_check "make dkms-src stages the source package in $dest" \
	make -s -C "$src" dkms-src DKMS_SRC="$dest"
tap_check "dkms add skap/$ver" dkms add "skap/$ver"
tap_check "dkms build skap/$ver -k $kver" dkms build "skap/$ver" -k "$kver"
ko=$(find "/var/lib/dkms/skap/$ver/$kver" -name 'skap.ko*' 2>/dev/null | head -n 1)
if [ -n "$ko" ] && modinfo -F vermagic "$ko" | grep -q "^$kver "; then
	tap_ok "the built module's vermagic names $kver"
else
	tap_fail "the built module's vermagic names $kver" "module: '${ko:-none}'"
fi
tap_check "dkms status lists skap/$ver as built" sh -c "dkms status skap/$ver | grep -q built"
tap_check "dkms remove skap/$ver --all" dkms remove "skap/$ver" --all
tap_check_fails "after removal dkms knows nothing of skap" sh -c "dkms status skap | grep -q skap"
tap_end
