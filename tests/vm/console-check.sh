#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Reads a VM console log and prints every line that shows the kernel in
# trouble. Exit 0 when the log is clean, 1 when it is not.
# Usage: console-check.sh CONSOLE_LOG
set -u
pattern='Oops|BUG:|kernel BUG|WARNING:|general protection|blocked for more than|Kernel panic|UBSAN:|KASAN:|Call Trace:|soft lockup|hard LOCKUP|RCU stall|rcu_sched self-detected|list_(add|del) corruption'
if tr -d '\r' <"$1" | grep -E "$pattern"; then
	exit 1
fi
exit 0
