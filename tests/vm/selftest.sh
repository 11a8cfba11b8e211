#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Proves the harness can fail: boots the VM with a module that WARNs on
# purpose and checks that the console check reports exactly that.
set -uo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-$src/build}
case "$build" in /*) ;; *) build=$src/$build ;; esac
. "$src/tests/lib/tap.sh"
tap_begin
SKAP_VM_TIMEOUT=${SKAP_VM_TIMEOUT:-300} "$src/tests/vm/run.sh" --selftest >/dev/null 2>&1
console=$build/vm/last-selftest/console.log
if grep -q 'skap-vm: booted' "$console" 2>/dev/null; then
	tap_ok "harness: the VM boots"
else
	tap_fail "harness: the VM boots" "no boot line in $console"
fi
if bad=$("$src/tests/vm/console-check.sh" "$console"); then
	tap_fail "harness: console check flags a deliberate WARN" "the console check saw nothing"
else
	if printf '%s\n' "$bad" | grep -q 'WARNING:.*skap_selftest_warn'; then
		tap_ok "harness: console check flags a deliberate WARN"
		printf '%s\n' "$bad" | grep 'WARNING:' | head -n 1 | sed 's/^/# caught: /'
	else
		tap_fail "harness: console check flags a deliberate WARN" "flagged something else"
		printf '%s\n' "$bad" | head -n 10 | sed 's/^/#   /'
	fi
fi
# The same check on a clean log must pass, or it proves nothing.
clean=$(mktemp)
grep -v -E 'WARNING:|Call Trace:|skap_selftest_warn' "$console" >"$clean"
tap_check "harness: console check passes a clean log" "$src/tests/vm/console-check.sh" "$clean"
rm -f "$clean"
tap_end
