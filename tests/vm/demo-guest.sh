#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs inside the VM for `make demo`: narrates each step and ends with
# "skap-demo: OK" only if every step worked.
say() {
	echo
	echo "skap-demo: $*"
}
run() {
	echo "  \$ $*"
	"$@" 2>&1 | sed 's/^/    /'
}
fail() {
	echo "skap-demo: FAILED: $*"
	exit 1
}

say "kernel $(uname -r); loading the skap module"
run modprobe skap
grep -q '^skap ' /proc/modules || fail "skap is not loaded"
run grep '^skap ' /proc/modules
say "module version $(cat /sys/module/skap/version)"
say "the generic netlink family the daemon talks to"
/usr/sbin/genl ctrl get name skap >/dev/null 2>&1 || fail "family skap is not registered"
run /usr/sbin/genl ctrl get name skap
if grep -q skap /proc/keys 2>/dev/null; then
	say "the module's keyring in this network namespace"
	run sh -c "grep skap /proc/keys"
fi
say "unloading and loading again"
rmmod skap || fail "rmmod skap"
modprobe skap || fail "modprobe skap after rmmod"
/usr/sbin/genl ctrl get name skap >/dev/null 2>&1 || fail "family skap missing after reload"
echo "skap-demo: OK"
