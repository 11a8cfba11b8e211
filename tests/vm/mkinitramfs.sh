#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Builds the VM's initramfs: busybox, the iproute2 and keyutils tools, the
# in-VM tests with their shared libraries, skap.ko, the harness self-test
# module and a depmod'ed subset of the Debian modules.
# Usage: mkinitramfs.sh KVER KERNEL_TREE OUTFILE
set -euo pipefail
kver=$1
ktree=$2
outfile=$3
src=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-$src/build}
mods=lib/modules/$kver

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
# mktemp makes it 0700, and it becomes the VM's /: tests that drop to
# another uid must be able to walk the tree.
chmod 0755 "$root"
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,lib64,lib,proc,sys,dev,tmp,run,etc,root,mnt,vm/tests,vm/bench,"$mods"/extra}
ln -s ../run "$root/var" 2>/dev/null || true

# Copies an ELF file and, once each, the shared objects it needs.
copy_elf() {
	local file=$1 dest=$2
	install -D -m 0755 "$file" "$root$dest"
	ldd "$file" 2>/dev/null | awk '/=>/ && $3 ~ /^\// { print $3 } /^\t\// { print $1 }' |
		while read -r lib; do
			[ -e "$root$lib" ] || install -D -m 0755 "$(readlink -f "$lib")" "$root$lib"
		done
}

install -m 0755 /bin/busybox "$root/bin/busybox"
copy_elf /usr/sbin/ip /usr/sbin/ip
copy_elf /usr/sbin/genl /usr/sbin/genl
copy_elf /usr/bin/keyctl /usr/bin/keyctl
install -m 0755 "$src/tests/vm/init" "$root/init"
install -m 0755 "$src/tests/vm/runner.sh" "$root/vm/runner.sh"
[ -f "$src/tests/vm/demo-guest.sh" ] && install -m 0755 "$src/tests/vm/demo-guest.sh" "$root/vm/demo.sh"
# The same TAP helpers the host-side shell tests use.
install -m 0644 "$src/tests/lib/tap.sh" "$root/vm/tap.sh"

# The programs under test, release builds.
for p in skapd skapctl skap-server; do
	[ -x "$build/$p" ] && copy_elf "$build/$p" "/usr/sbin/$p"
done
# Tools tests drive (tests/tools/*.c): packet counting, KEM vectors.
for t in "$build"/tests/*; do
	[ -f "$t" ] && [ -x "$t" ] && copy_elf "$t" "/vm/tools/$(basename "$t")"
done
for t in "$build"/vm/tests/*; do
	[ -f "$t" ] && copy_elf "$t" "/vm/tests/$(basename "$t")"
done
for t in "$src"/tests/kernel/*.sh; do
	[ -f "$t" ] && install -m 0755 "$t" "$root/vm/tests/$(basename "$t")"
done
for b in "$build"/vm/bench/*; do
	[ -f "$b" ] && copy_elf "$b" "/vm/bench/$(basename "$b")"
done
for b in "$src"/bench/kernel-*.sh; do
	[ -f "$b" ] && install -m 0755 "$b" "$root/vm/bench/$(basename "$b")"
done

# The benchmark image only (SKAP_VM_WITH_CHARON=1, set by run.sh --bench):
# strongSwan's charon and swanctl with the few plugins a PSK IKEv2 tunnel
# needs, and the negotiation benchmarks that compare skap against it.
if [ "${SKAP_VM_WITH_CHARON:-0}" = 1 ]; then
	if [ ! -x /usr/lib/ipsec/charon ] || [ ! -x /usr/sbin/swanctl ]; then
		echo "mkinitramfs.sh: charon or swanctl missing (tests/lib/deps.sh bench)" >&2
		exit 1
	fi
	copy_elf /usr/lib/ipsec/charon /usr/lib/ipsec/charon
	copy_elf /usr/sbin/swanctl /usr/sbin/swanctl
	# glibc dlopens it for pthread_cancel, which charon and swanctl use.
	gcc_s=$(ldconfig -p | awk '$1 == "libgcc_s.so.1" && /x86-64/ { print $NF; exit }')
	copy_elf "$gcc_s" "$gcc_s"
	for pl in random nonce openssl kdf kernel-netlink socket-default vici; do
		copy_elf "/usr/lib/ipsec/plugins/libstrongswan-$pl.so" \
			"/usr/lib/ipsec/plugins/libstrongswan-$pl.so"
	done
	install -D -m 0644 "$src/bench/lib/negotiation.sh" "$root/vm/lib/negotiation.sh"
	for b in "$src"/bench/negotiation-*.sh; do
		[ -f "$b" ] && install -m 0755 "$b" "$root/vm/bench/$(basename "$b")"
	done
fi

# Debian modules: what xfrm, ESP with AES-GCM, IPv6 and veth pull in.
for d in crypto arch/x86/crypto net/xfrm net/ipv4 net/ipv6 net/key lib; do
	[ -d "$ktree/$mods/kernel/$d" ] || continue
	mkdir -p "$root/$mods/kernel/$d"
	cp -a "$ktree/$mods/kernel/$d/." "$root/$mods/kernel/$d/"
done
install -D -m 0644 "$ktree/$mods/kernel/drivers/net/veth.ko" "$root/$mods/kernel/drivers/net/veth.ko"
cp "$ktree/$mods"/modules.builtin* "$ktree/$mods/modules.order" "$root/$mods/"
install -m 0644 "$src/skap.ko" "$root/$mods/extra/skap.ko"
install -m 0644 "$src/tests/vm/warn/skap_selftest_warn.ko" "$root/$mods/extra/skap_selftest_warn.ko"
depmod -b "$root" "$kver"

mkdir -p "$(dirname "$outfile")"
(cd "$root" && find . -print0 | cpio --null -o -H newc --quiet) | gzip -1 >"$outfile.tmp"
mv "$outfile.tmp" "$outfile"
