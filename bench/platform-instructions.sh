#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# skap-server's instructions per operation, counted by valgrind's callgrind:
# per OTA_QUANTUM bootstrap-key enrollment (both round trips) and per key
# ticket (mutual TLS), over keep-alive HTTPS on loopback with the release
# build. Unlike bench/platform.sh's rates, these counts do not depend on how
# fast this machine is today or on what else runs on it, so they are the
# figures to compare across days and commits (docs/development.md).
#
# Each figure is a difference: the load generator runs twice against one
# server, with N1 and then N2 operations, and the count is the instructions
# of the second run less those of the first, over N2 - N1. What both runs
# share (the TLS handshakes, the generator's own devices for tickets) drops
# out; what stays is everything the server's process does for one more
# request in user space: TLS, HTTP, JSON, cryptography, SQLite, the group
# commit. The kernel's share (loopback TCP, fdatasync) is not an
# instruction callgrind sees.
#
# Under valgrind, which reports no SHA extensions, SHA-256 runs OpenSSL's
# other assembly, so a ticket's hashing weighs a little more here than
# natively. Ticket counts from 2026-11-23 (evening), when libskap hashed with
# its own portable C under valgrind, are not comparable with others.
#
#   SKAP_BENCH_ENROLLMENTS (100 then 400), SKAP_BENCH_TICKETS (500 then
#   2500): N1 and N2 as "N1 N2", over 4 connections.
set -u
. "$(dirname "$0")/lib/platform.sh"
platform_setup platform-instructions.sh
enrollments=${SKAP_BENCH_ENROLLMENTS:-100 400}
tickets=${SKAP_BENCH_TICKETS:-500 2500}
for t in valgrind callgrind_control callgrind_annotate; do
	command -v $t >/dev/null || { echo "platform-instructions.sh: $t missing (apt-get install valgrind)" >&2; exit 1; }
done

# One run of the generator: COUNT operations of JOB, which must all succeed.
load_run() {
	local line
	line=$("$load" -s "$url" --ca "$tmp/srv/tls.crt" -k "$key" -c 4 -n "$2" -t 600 "$1" | tail -1)
	case $line in
	"$1: $2 ok, 0 failed"*) ;;
	*) echo "platform-instructions.sh: $1: $line" >&2; return 1 ;;
	esac
}

# The instructions in callgrind dump FILE.
dump_total() {
	callgrind_annotate "$1" 2>/dev/null | awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1; exit }'
}

# PER_OP: the server's instructions for one more operation of JOB, from runs of N1 and N2.
count() {
	local job=$1 n1=$2 n2=$3 out=$tmp/$1.cg i1 i2
	platform_start valgrind --tool=callgrind --callgrind-out-file="$out" || return 1
	# Each dump holds what the server did since the one before.
	callgrind_control -z $pid >/dev/null 2>&1
	load_run "$job" "$n1" || return 1
	callgrind_control -d $pid >/dev/null 2>&1
	load_run "$job" "$n2" || return 1
	callgrind_control -d $pid >/dev/null 2>&1
	platform_stop
	i1=$(dump_total "$out.1") i2=$(dump_total "$out.2")
	[ -n "$i1" ] && [ -n "$i2" ] || { echo "platform-instructions.sh: no callgrind dump" >&2; return 1; }
	per_op=$(((i2 - i1) / (n2 - n1)))
}

set -- $enrollments
count enroll "$1" "$2" || exit 1
printf 'enroll: %s instructions per enrollment on the server\n' "$per_op"
set -- $tickets
count keys "$1" "$2" || exit 1
printf 'keys: %s instructions per key ticket on the server\n' "$per_op"
