#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs the in-VM tests in name order, each under a time limit, framed by the
# markers the host's TAP summary reads (tests/lib/tap-sum.awk).
# Usage: runner.sh all|NAME[,NAME...]
want=$1
limit=${SKAP_TEST_TIMEOUT:-600}

if modprobe skap; then
	echo "# skap-vm: module skap loaded"
else
	echo "# skap-vm: modprobe skap failed"
fi
for t in /vm/tests/*; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	if [ "$want" != all ]; then
		case ",$want," in
		*",$name,"* | *",${name%.*},"*) ;;
		*) continue ;;
		esac
	fi
	echo "# skap-test: kernel/$name"
	cd /tmp && timeout -s KILL "$limit" "$t"
	echo "# skap-test-exit: kernel/$name $?"
done
echo "# skap-vm: done"
