#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The module loads, registers its generic netlink family, unloads cleanly and
# loads again. Runs in the VM (the runner has already loaded skap once).
. /vm/tap.sh
tap_begin

family_registered() {
	/usr/sbin/genl ctrl get name skap >/dev/null 2>&1
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
tap_end
