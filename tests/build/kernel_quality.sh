#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Kernel code quality gates: checkpatch, a W=1 build and a sparse (C=1) build
# with no warning at all, GPL-2.0 SPDX headers, and one version everywhere.
# Builds in a copy of the sources so the tree's own objects stay untouched.
set -u
src=${SKAP_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${SKAP_BUILD:-$src/build}
. "$src/tests/lib/tap.sh"
tap_begin
kver=$("$src/tests/lib/kver.sh" "${KDIR:-}")
kdir=${KDIR:-/lib/modules/$kver/build}
"$src/tests/lib/kernel-src.sh" "$kver" "$build/kernel-src" || tap_fail "kernel sources for checkpatch"
checkpatch=$build/kernel-src/checkpatch.pl

cd "$src" || exit 1
kfiles=$(ls kernel/*.[ch] include/uapi/linux/skap.h tests/vm/warn/*.c 2>/dev/null | grep -v '\.mod\.c$')

out=$("$checkpatch" --no-tree --quiet --show-types --max-line-length=100 -f $kfiles 2>&1)
if [ -z "$out" ]; then
	tap_ok "checkpatch: $(echo $kfiles | wc -w) files clean"
else
	tap_fail "checkpatch reports problems"
	printf '%s\n' "$out" | head -n 60 | sed 's/^/#   /'
fi

missing=$(for f in $kfiles Kbuild tests/vm/warn/Kbuild; do
	head -n 2 "$f" | grep -q 'SPDX-License-Identifier: .*GPL-2.0' || echo "$f"
done)
if [ -z "$missing" ]; then
	tap_ok "every kernel file has a GPL-2.0 SPDX header"
else
	tap_fail "kernel files without a GPL-2.0 SPDX header: $missing"
fi

# Builds a copy of the module with extra checks; any warning fails.
strict_build() {
	local what=$1 tmp log
	shift
	tmp=$(mktemp -d)
	cp -r Kbuild kernel include "$tmp/"
	log=$(make -C "$kdir" M="$tmp" "$@" modules 2>&1)
	local rc=$?
	rm -rf "$tmp"
	local warnings
	warnings=$(printf '%s\n' "$log" | grep -E 'warning:|error:' | grep -v 'Skipping BTF')
	if [ $rc -eq 0 ] && [ -z "$warnings" ]; then
		tap_ok "$what: no warning"
	else
		tap_fail "$what: build failed or warned (status $rc)"
		printf '%s\n' "$warnings" | head -n 40 | sed 's/^/#   /'
	fi
}
strict_build "make W=1" W=1
strict_build "sparse (make C=2)" C=2

v_make=$(sed -n 's/^VERSION := //p' Makefile)
v_dkms=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms/dkms.conf)
v_uapi=$(sed -n 's/^#define SKAP_MODULE_VERSION "\(.*\)"/\1/p' include/uapi/linux/skap.h)
if [ -n "$v_make" ] && [ "$v_make" = "$v_dkms" ] && [ "$v_make" = "$v_uapi" ]; then
	tap_ok "one version everywhere: $v_make"
else
	tap_fail "versions disagree: Makefile '$v_make', dkms.conf '$v_dkms', uapi '$v_uapi'"
fi
tap_end
