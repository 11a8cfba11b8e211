#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The module loads, registers its generic netlink family, unloads cleanly and
# loads again. Runs in the VM (the runner has already loaded skap once).
. /vm/tap.sh
tap_begin

# A dump of the registered families: unlike "ctrl get name skap" it does
# not make the kernel load the module on demand.
family_registered() {
	/usr/sbin/genl ctrl list 2>/dev/null | grep -q 'Name: skap$'
}

tap_check "skap is loaded" grep -q '^skap ' /proc/modules
tap_check "the generic netlink family skap is registered" family_registered
tap_check "/sys/module/skap shows version $(cat /sys/module/skap/version 2>/dev/null)" \
	test -n "$(cat /sys/module/skap/version 2>/dev/null)"
tap_check "rmmod skap succeeds" rmmod skap
tap_check_fails "after unload the module is gone" grep -q '^skap ' /proc/modules
tap_check_fails "after unload the family is gone" family_registered
tap_check "modprobe skap loads it again" modprobe skap
tap_check "after reload the family is back" family_registered
tap_check "a second unload/reload cycle works" sh -c 'rmmod skap && modprobe skap'
tap_check "rmmod skap once more" rmmod skap
tap_check "asking for the family by name loads the module on demand" \
	/usr/sbin/genl ctrl get name skap
tap_check "and it is loaded now" grep -q '^skap ' /proc/modules
tap_end
