#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# When skap-server's answers leave against when what they tell of reaches
# the disk (docs/server.md, "Durability and performance"), read from the
# server's own system calls under strace: a pwrite64 is a write of the
# database (its log, or a checkpoint), an fdatasync makes every write
# before it durable, a write on a socket is an answer.
#   - An enrollment, an approval, a status poll: no answer while a write
#     of the database is not synced.
#   - An issued key ticket leaves once its batch is written, before the
#     sync; no write waits for its sync longer than --ticket-sync-ms (with
#     slack for the sanitizers and strace), and nothing is left unsynced.
#   - With --ticket-sync-ms 0 every ticket waits for the sync.
#   - A ticket's audit record survives a SIGKILL of the server right after
#     the answer (it was in the log before the answer left).
# Needs curl, jq, sqlite3 and strace.
set -u
src=${SKAP_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
bin=${SKAP_SAN:-$src/build/san}
server=$bin/skap-server
ctl=$bin/skapctl
dev=$bin/tests/devtool
load=$bin/tests/platform_load
. "$src/tests/lib/tap.sh"
tap_begin
. "$src/tests/lib/server.sh"
srv_setup "durability" curl jq sqlite3 strace
export SKAPCTL_SESSION=$tmp/session
trace_pid=

D() {
	"$dev" -s "$url" --ca "$tmp/srv/tls.crt" "$@" >"$tmp/out" 2>&1
}
C() {
	"$ctl" -s "$url" --ca "$tmp/srv/tls.crt" "$@" 2>"$tmp/err"
}

# The server's own process: start runs it under timeout(1), as $pid.
server_pid() {
	pgrep -P "$pid" -f "skap-server serve"
}

# trace NAME: the server's writes, syncs and answers go to $tmp/NAME.trace
# until untrace.
trace() {
	strace -f -tt -e trace=pwrite64,fdatasync,write -o "$tmp/$1.trace" -p "$(server_pid)" 2>/dev/null &
	trace_pid=$!
	# strace reports nothing when it has attached: wait for the file and a moment.
	for _ in $(seq 50); do
		[ -e "$tmp/$1.trace" ] && break
		sleep 0.1
	done
	sleep 0.3
}
untrace() {
	kill -INT "$trace_pid" 2>/dev/null
	wait "$trace_pid" 2>/dev/null
	trace_pid=
}

# sync_report NAME: "ANSWERS_BEFORE_SYNC MAX_WAIT_S UNSYNCED_AT_END WRITES SYNCS"
# from a trace: answers given while a database write was not yet synced,
# the longest a write waited for its sync, whether one never was synced.
sync_report() {
	awk '
	function secs(t, a) { split(t, a, ":"); return a[1] * 3600 + a[2] * 60 + a[3] }
	{ t = secs($2) }
	$3 ~ /^pwrite64\(/ { writes++; if (!dirty) { dirty = 1; since = t } }
	$3 ~ /^fdatasync\(/ { syncs++; if (dirty && t - since > max) max = t - since; dirty = 0 }
	# An answer: a write on a socket (fd 0-2 are the log).
	$3 ~ /^write\([0-9]+,/ { fd = substr($3, 7) + 0; if (fd > 2 && dirty) early++ }
	END { printf "%d %.3f %d %d %d\n", early, max, dirty, writes, syncs }
	' "$tmp/$1.trace"
}

echo "correct horse" | "$server" init -d "$tmp/srv" -t acme -u alice --password-stdin >/dev/null
SRV_ARGS="--enroll-rate 1000"
start
echo "correct horse" | C login -u alice --password-stdin >/dev/null
C bootstrap-key create auto --auto-accept >"$tmp/k1"
C bootstrap-key create manual --manual-accept >"$tmp/k2"
key() { sed -n 's/^key: *//p' "$tmp/$1"; }

# ---- everything but a ticket waits for the disk ----
trace admin
D enroll -m ota-quantum -k "$(key k1)" "$tmp/a"
D enroll -m ota-quantum -k "$(key k1)" "$tmp/b"
D enroll -m ota-quantum -k "$(key k2)" "$tmp/p"
P=$(sed -n 's/^id \(.*\)/\1/p' "$tmp/p")
C device approve "$P" >/dev/null
D status "$tmp/a"
D status "$tmp/p"
C -j device list >/dev/null
sleep 0.3
untrace
read -r early max unsynced writes syncs < <(sync_report admin)
tap_check "enrollments, an approval, status polls: the database was written and synced ($writes writes, $syncs syncs)" \
	test "$writes" -gt 0 -a "$syncs" -gt 0
tap_check "and no answer left before its sync ($early did)" test "$early" = 0
B=$(sed -n 's/^id \(.*\)/\1/p' "$tmp/b")

# traced_tickets NAME: 200 tickets over 2 connections with the server
# traced; sets early, max, unsynced, writes and syncs from its report.
traced_tickets() {
	trace "$1"
	"$load" -s "$url" --ca "$tmp/srv/tls.crt" -k "$(key k1)" -c 2 -n 200 keys >"$tmp/load" 2>&1
	# Longer than --ticket-sync-ms: the last sync is in the trace.
	sleep 0.5
	untrace
	read -r early max unsynced writes syncs < <(sync_report "$1")
}

# ---- tickets: written before the answer, synced within --ticket-sync-ms ----
traced_tickets tickets
tap_check "200 tickets issued" grep -q "^keys: 200 ok, 0 failed" "$tmp/load"
tap_check "tickets leave before the disk's sync ($early answers did, $syncs syncs)" \
	test "$early" -gt 100
tap_check "no write waited more than 50 ms and slack for its sync (longest $max s)" \
	awk -v m="$max" 'BEGIN { exit !(m <= 0.5) }'
tap_check "and nothing stayed unsynced" test "$unsynced" = 0

# ---- a ticket's record is in the log before the answer leaves ----
D key "$tmp/a" "$B" "$tmp/b"
k=$(sed -n 's/^kid //p' "$tmp/out")
kill -KILL "$(server_pid)"
wait "$pid" 2>/dev/null
pid=
tap_check "a ticket issued ($k), then the server killed at once" test -n "$k"
tap_check "its audit record survived the kill" \
	test "$(sqlite3 "$tmp/srv/skap.db" "SELECT count(*) FROM audit WHERE action = 'key.issue' AND detail LIKE '%kid $k'")" = 1

# ---- --ticket-sync-ms 0: every ticket waits ----
SRV_ARGS="--enroll-rate 1000 --ticket-sync-ms 0"
start
traced_tickets strict
tap_check "with --ticket-sync-ms 0, 200 tickets issued" grep -q "^keys: 200 ok, 0 failed" "$tmp/load"
tap_check "and none left before its sync ($syncs syncs)" test "$early" = 0 -a "$syncs" -gt 0
stop
"$server" serve -d "$tmp/srv" -p 0 --ticket-sync-ms 1001 >"$tmp/bad" 2>&1
rc=$?
tap_check "--ticket-sync-ms above 1000 is refused" \
	sh -c "[ $rc = 2 ] && grep -q 'ticket-sync-ms: 0..1000' '$tmp/bad'"
tap_end
