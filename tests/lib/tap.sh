# SPDX-License-Identifier: GPL-2.0
# TAP 13 helpers for test scripts, in POSIX sh so that the same file serves
# bash on the host and busybox sh in the VM. Source it, call tap_begin, then
# one tap_* per test, and end with tap_end (which exits with the verdict).

_tap_n=0
_tap_pass=0
_tap_fail=0
_tap_skip=0

tap_begin() {
	echo "TAP version 13"
}

tap_ok() {
	_tap_n=$((_tap_n + 1))
	_tap_pass=$((_tap_pass + 1))
	echo "ok $_tap_n $1"
}

# tap_fail NAME [REASON]
tap_fail() {
	_tap_n=$((_tap_n + 1))
	_tap_fail=$((_tap_fail + 1))
	echo "not ok $_tap_n $1"
	[ $# -gt 1 ] && echo "# $2"
	return 0
}

# tap_status STATUS NAME: ok when STATUS (an exit status) is 0.
tap_status() {
	if [ "$1" = 0 ]; then
		tap_ok "$2"
	else
		tap_fail "$2" "exit status $1"
	fi
}

# tap_skip NAME REASON
tap_skip() {
	_tap_n=$((_tap_n + 1))
	_tap_skip=$((_tap_skip + 1))
	echo "ok $_tap_n $1 # SKIP $2"
}

# tap_check NAME COMMAND...: ok when COMMAND succeeds; its output is shown
# as TAP comments when it does not.
tap_check() {
	_tap_name=$1
	shift
	if _tap_out=$("$@" 2>&1); then
		tap_ok "$_tap_name"
	else
		tap_fail "$_tap_name" "command failed: $*"
		printf '%s\n' "$_tap_out" | sed 's/^/#   /'
	fi
}

# tap_check_fails NAME COMMAND...: ok when COMMAND fails.
tap_check_fails() {
	_tap_name=$1
	shift
	if _tap_out=$("$@" 2>&1); then
		tap_fail "$_tap_name" "command succeeded but should have failed: $*"
		printf '%s\n' "$_tap_out" | sed 's/^/#   /'
	else
		tap_ok "$_tap_name"
	fi
}

tap_end() {
	echo "1..$_tap_n"
	echo "# Totals: pass:$_tap_pass fail:$_tap_fail xfail:0 xpass:0 skip:$_tap_skip error:0"
	[ "$_tap_fail" -eq 0 ]
	exit $?
}
