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
# Under valgrind OpenSSL takes its portable SHA-256 (no SHA extensions), so
# hashing weighs more here than natively.
#
#   SKAP_BENCH_ENROLLMENTS (100 then 400), SKAP_BENCH_TICKETS (500 then
#   2500): N1 and N2 as "N1 N2", over 4 connections.
set -u
src=${SKAP_SRC:-$(cd "$(dirname "$0")/.." && pwd)}
build=${SKAP_BUILD:-$src/build}
server=$build/skap-server
ctl=$build/skapctl
load=$build/tests/platform_load
enrollments=${SKAP_BENCH_ENROLLMENTS:-100 400}
tickets=${SKAP_BENCH_TICKETS:-500 2500}
for b in "$server" "$ctl" "$load"; do
	[ -x "$b" ] || { echo "platform-instructions.sh: $b missing (make bench)" >&2; exit 1; }
done
for t in valgrind callgrind_control callgrind_annotate; do
	command -v $t >/dev/null || { echo "platform-instructions.sh: $t missing (apt-get install valgrind)" >&2; exit 1; }
done
tmp=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"' EXIT

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

# Prints the server's instructions for one more operation of JOB, from runs of N1 and N2.
count() {
	local job=$1 n1=$2 n2=$3 out=$tmp/$1.cg i1 i2
	rm -rf "$tmp/srv" "$tmp/port"
	echo "bench horse" | "$server" init -d "$tmp/srv" -t bench -u owner --password-stdin >/dev/null
	valgrind --tool=callgrind --callgrind-out-file="$out" "$server" serve -d "$tmp/srv" -p 0 \
		--port-file "$tmp/port" --enroll-rate 1000000 2>"$tmp/log" &
	pid=$!
	for _ in $(seq 600); do
		[ -s "$tmp/port" ] && break
		sleep 0.1
	done
	[ -s "$tmp/port" ] || { echo "platform-instructions.sh: the server did not start" >&2; return 1; }
	url=https://127.0.0.1:$(cat "$tmp/port")
	export SKAPCTL_SESSION=$tmp/session
	echo "bench horse" | "$ctl" -s "$url" --ca "$tmp/srv/tls.crt" login -u owner --password-stdin >/dev/null
	key=$("$ctl" bootstrap-key create bench --auto-accept | sed -n 's/^key: *//p')
	# Each dump holds what the server did since the one before.
	callgrind_control -z $pid >/dev/null 2>&1
	load_run "$job" "$n1" || return 1
	callgrind_control -d $pid >/dev/null 2>&1
	load_run "$job" "$n2" || return 1
	callgrind_control -d $pid >/dev/null 2>&1
	kill $pid
	wait $pid 2>/dev/null
	pid=
	i1=$(dump_total "$out.1") i2=$(dump_total "$out.2")
	[ -n "$i1" ] && [ -n "$i2" ] || { echo "platform-instructions.sh: no callgrind dump" >&2; return 1; }
	echo $(((i2 - i1) / (n2 - n1)))
}

set -- $enrollments
e=$(count enroll "$1" "$2") || exit 1
set -- $tickets
k=$(count keys "$1" "$2") || exit 1
printf 'enroll: %s instructions per enrollment on the server\n' "$e"
printf 'keys: %s instructions per key ticket on the server\n' "$k"
