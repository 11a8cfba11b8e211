#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs inside the VM for `make demo`: the whole system, narrated. The
# end-to-end test (tests/kernel/e2e.sh) tells its story on the console as
# it asserts it; "skap-demo: OK" closes the run only when every step held.
echo 5 >/proc/sys/kernel/printk
modprobe skap
echo
echo "skap-demo: kernel $(uname -r), skap.ko $(cat /sys/module/skap/version 2>/dev/null)"
SKAP_E2E_NARRATE=1 /vm/tests/e2e.sh 2>&1 | while IFS= read -r line; do
	echo "$line" >>/tmp/demo.tap
	case $line in
	"ok "* | "# "* | "TAP "* | 1..*) ;;
	"not ok"*) echo "skap-demo: FAILED: ${line#not ok }" ;;
	*) echo "$line" ;;
	esac
done
if grep -q '^not ok' /tmp/demo.tap || ! grep -q '^1\.\.' /tmp/demo.tap; then
	echo "skap-demo: FAILED"
	exit 1
fi
echo
echo "skap-demo: $(grep -c '^ok ' /tmp/demo.tap) steps checked"
echo "skap-demo: OK"
