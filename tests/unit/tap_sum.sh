#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The test summary must never turn a failure green: a crash, a program that
# ran nothing, or one that never finished all count as failures.
set -u
src=${SKAP_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$src/tests/lib/tap.sh"
tap_begin

# summary STREAM: prints the closing line and the exit status of tap-sum.awk.
summary() {
	local out rc
	out=$(printf '%b' "$1" | awk -f "$src/tests/lib/tap-sum.awk")
	rc=$?
	echo "$(tail -n 1 <<<"$out") rc=$rc"
}

expect() {
	local name=$1 stream=$2 want=$3 got
	got=$(summary "$stream")
	if [ "$got" = "$want" ]; then
		tap_ok "$name"
	else
		tap_fail "$name" "expected '$want', got '$got'"
	fi
}

expect "passing tests add up" \
	'# skap-test: a\nok 1 x\nok 2 y\n# skap-test-exit: a 0\n' \
	"2 passed, 0 failed, 0 skipped rc=0"
expect "a failing line fails the run" \
	'# skap-test: a\nok 1 x\nnot ok 2 y\n# skap-test-exit: a 1\n' \
	"1 passed, 1 failed, 0 skipped rc=1"
expect "a crash without a failing line is a failure" \
	'# skap-test: a\nok 1 x\n# skap-test-exit: a 139\n' \
	"1 passed, 1 failed, 0 skipped rc=1"
expect "a program that reports no test is a failure" \
	'# skap-test: a\nTAP version 13\n# skap-test-exit: a 0\n' \
	"0 passed, 1 failed, 0 skipped rc=1"
expect "a program that never finishes is a failure" \
	'# skap-test: a\nok 1 x\n' \
	"1 passed, 1 failed, 0 skipped rc=1"
expect "skips are counted apart and do not fail" \
	'# skap-test: a\nok 1 x # SKIP no root\nok 2 y\n# skap-test-exit: a 0\n' \
	"1 passed, 0 failed, 1 skipped rc=0"
expect "indented and commented lines are not results" \
	'# skap-test: a\n# ok 1 x\n  not ok 2 y\nok 3 z\n# skap-test-exit: a 0\n' \
	"1 passed, 0 failed, 0 skipped rc=0"
expect "results outside a program frame count" \
	'ok - vm: booted\nnot ok - vm: console\n' \
	"1 passed, 1 failed, 0 skipped rc=1"
tap_end
