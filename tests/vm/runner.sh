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
# A test asked for by name that is not in the image fails: it was not built.
if [ "$want" != all ]; then
	for name in $(echo "$want" | tr ',' ' '); do
		[ -x "/vm/tests/$name" ] || [ -x "/vm/tests/$name.sh" ] ||
			echo "not ok - kernel/$name is not in the image (not built?)"
	done
fi
echo "# skap-vm: done"
