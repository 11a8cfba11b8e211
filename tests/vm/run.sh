#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Boots the Debian kernel that matches the installed headers under qemu,
# once, with skap.ko and the in-VM tests in an initramfs, and reports:
# the tests' TAP (streamed from the VM's second serial port), whether the VM
# ran to the end, and whether the console shows any Oops, BUG, WARNING,
# general protection fault, hung task or panic. Exit status 0 only if all
# of that is clean.
#
# Usage: tests/vm/run.sh [--shell | --demo | --selftest] [NAME[,NAME...]]
#   (no option)  run the tests in tests/kernel (all, or those named)
#   --shell      an interactive shell in the VM (Ctrl-A X leaves qemu)
#   --demo       the README's main job, narrated on the terminal
#   --selftest   boot a module that WARNs on purpose (the harness self-test)
#   --bench      run the in-VM benchmarks (bench/kernel-*, bench/negotiation-*;
#                all, or those named without .sh) and print them; the image carries charon (SKAP_VM_WITH_CHARON=0
#                leaves it out)
# Environment: BUILD (build dir), KDIR (headers), SKAP_VM_TIMEOUT (seconds,
# default 1500), SKAP_VM_MEM (default 1G), SKAP_VM_ACCEL (default tcg).
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
export BUILD=${BUILD:-$src/build}
case "$BUILD" in /*) ;; *) BUILD=$src/$BUILD ;; esac
mode=test
case "${1:-}" in
--shell) mode=shell; shift ;;
--demo) mode=demo; shift ;;
--selftest) mode=selftest; shift ;;
--bench) mode=bench; shift ;;
esac
tests=$(echo "${*:-all}" | tr ' ' ',')
timeout_s=${SKAP_VM_TIMEOUT:-1500}

kver=$("$src/tests/lib/kver.sh" "${KDIR:-}")
[ -n "$kver" ] || { echo "run.sh: no kernel headers installed (make deps)" >&2; exit 1; }
for f in "$src/skap.ko" "$src/tests/vm/warn/skap_selftest_warn.ko"; do
	[ -f "$f" ] || { echo "run.sh: $f missing: run 'make vm-prereqs'" >&2; exit 1; }
done
ktree=$BUILD/vm/kernel
"$src/tests/vm/fetch-kernel.sh" "$kver" "$ktree"
initrd=$BUILD/vm/initramfs.cpio.gz
# The benchmark image also carries strongSwan's charon, the anchor of the
# negotiation benchmark; the test image stays without it.
if [ "$mode" = bench ]; then
	initrd=$BUILD/vm/initramfs-bench.cpio.gz
	export SKAP_VM_WITH_CHARON=${SKAP_VM_WITH_CHARON:-1}
fi
"$src/tests/vm/mkinitramfs.sh" "$kver" "$ktree" "$initrd"

out=$BUILD/vm/last-$mode
mkdir -p "$out"
console=$out/console.log
taplog=$out/tap.log
: >"$console"
: >"$taplog"

# TCG by default: the development machines expose a /dev/kvm on which qemu
# aborts (it cannot set MSR_IA32_ARCH_CAPABILITIES). SKAP_VM_ACCEL=kvm where
# KVM works.
accel=${SKAP_VM_ACCEL:-tcg}
qemu=(qemu-system-x86_64 -accel "$accel" -m "${SKAP_VM_MEM:-1G}" -smp 2 -cpu max
	-no-reboot -display none -monitor none
	-kernel "$ktree/boot/vmlinuz-$kver" -initrd "$initrd")
append="console=ttyS0 panic=-1 quiet skap.mode=$mode skap.tests=$tests"

case $mode in
shell)
	exec "${qemu[@]}" -serial mon:stdio -serial "file:$taplog" -append "$append"
	;;
demo)
	# The narration is the console itself; the verdict is its last word.
	timeout "$timeout_s" "${qemu[@]}" -serial stdio -serial "file:$taplog" \
		-append "$append" </dev/null | tr -d '\r' | tee "$console"
	if grep -q '^skap-demo: OK' "$console" && "$src/tests/vm/console-check.sh" "$console" >/dev/null; then
		exit 0
	fi
	echo "demo: FAILED (console in $console)" >&2
	exit 1
	;;
esac

start=$(date +%s)
rc=0
timeout "$timeout_s" "${qemu[@]}" -serial "file:$console" -serial stdio \
	-append "$append" </dev/null | tr -d '\r' | tee "$taplog" || rc=$?
elapsed=$(($(date +%s) - start))

case $mode in
selftest) exit 0 ;;
bench) grep -q '^# skap-vm: done' "$taplog" && "$src/tests/vm/console-check.sh" "$console"; exit $? ;;
esac

echo "# vm: kernel $kver, accel $accel, $elapsed s of wall time, console in $console"
verdict=0
grep -q '^not ok' "$taplog" && verdict=1
if grep -q '^# skap-vm: done' "$taplog"; then
	echo "ok - vm: booted, ran the tests and powered off"
else
	verdict=1
	echo "not ok - vm: did not run to the end (status $rc, timeout ${timeout_s}s); console tail:"
	tr -d '\r' <"$console" | tail -n 40 | sed 's/^/#   /'
fi
if bad=$("$src/tests/vm/console-check.sh" "$console"); then
	echo "ok - vm: console free of Oops, BUG, WARNING, GPF, hung task and panic"
else
	verdict=1
	echo "not ok - vm: the kernel complained on the console:"
	printf '%s\n' "$bad" | head -n 40 | sed 's/^/#   /'
fi
exit $verdict
