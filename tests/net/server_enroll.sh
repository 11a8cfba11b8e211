#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Devices against a real skap-server on loopback (real HTTPS, real SQLite),
# through libskap's platform client (build/san/tests/devtool): enrollment by
# OTA_QUANTUM, QKEY and OTA_TLS with bootstrap keys and with a user; the
# bootstrap-key life cycle; proof of possession; clones; pending, approved,
# rejected and revoked devices; certificates; key tickets over mutual TLS
# (refused to pending, rejected and revoked devices, at once on a kept-alive
# connection too, opening only for the peer); 200 concurrent enrollments;
# restart; roles; bad input changing nothing. A key request replayed on
# other connections is refused; the enrollment and login rate limits hold
# over many connections. Needs curl, jq and sqlite3.
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
SRV_ARGS="--enroll-rate 1000"
srv_setup "enrollment" curl jq sqlite3
export SKAPCTL_SESSION=$tmp/session

D() {
	"$dev" -s "$url" --ca "$tmp/srv/tls.crt" "$@" >"$tmp/out" 2>&1
}
C() {
	"$ctl" -s "$url" --ca "$tmp/srv/tls.crt" "$@" 2>"$tmp/err"
}
# said TEXT: the last devtool answer holds TEXT.
said() {
	if grep -q -- "$1" "$tmp/out"; then
		return 0
	fi
	echo "devtool said: $(cat "$tmp/out")"
	return 1
}
devices() {
	sqlite3 "$tmp/srv/skap.db" "SELECT count(*) FROM devices"
}
db_state() {
	sqlite3 "$tmp/srv/skap.db" "SELECT count(*) FROM devices; SELECT count(*) FROM qkeys WHERE used > 0;
		SELECT group_concat(uses) FROM bootstrap_keys;"
}

echo "correct horse" | "$server" init -d "$tmp/srv" -t acme -u alice --password-stdin >/dev/null
start
echo "correct horse" | C login -u alice --password-stdin >/dev/null
C bootstrap-key create manual --manual-accept >"$tmp/k1"
C bootstrap-key create auto --auto-accept >"$tmp/k2"
C bootstrap-key create once --auto-accept --max-uses 1 >"$tmp/k3"
C bootstrap-key create old --auto-accept --expires 1000 >"$tmp/k4"
C bootstrap-key create off --auto-accept >"$tmp/k5"
key() { sed -n 's/^key: *//p' "$tmp/$1"; }
kid() { sed -n 's/^id: *//p' "$tmp/$1"; }
C bootstrap-key edit "$(kid k5)" --disable >/dev/null

# ---- bootstrap keys, and the state a key gives ----
D enroll -m ota-quantum -k "$(key k1)" --name branch-1 "$tmp/a"
tap_check "OTA_QUANTUM with a manual-accept key: pending" said "pending"
D status "$tmp/a"
tap_check "a pending device polls: pending, no certificate" said "certificate no"
D key "$tmp/a" gw-x
tap_check "a pending device gets no key (no certificate)" said "HTTP 401 certificate_required"
C -j device list --state pending >"$tmp/pending"
tap_check "the pending list shows it with what it reported" \
	jq -e '.items | length == 1 and .[0].report.name == "branch-1" and .[0].report.hostname == "devtool.example" and (.[0].fingerprint | startswith("SHA256:"))' "$tmp/pending"
A=$(sed -n 's/^device \([^ ]*\) .*/\1/p' "$tmp/out" | head -1)
A=$(jq -r '.items[0].id' "$tmp/pending")
tap_check "the operator approves it" C device approve "$A"
D status "$tmp/a"
tap_check "approved: the status answer carries a certificate" said "certificate yes"
tap_check "the certificate is for the device, issued by the tenant's CA" \
	sh -c "openssl x509 -in '$tmp/a.crt' -noout -subject -issuer | grep -q 'CN = $A' &&
	       openssl x509 -in '$tmp/a.crt' -noout -issuer | grep -q 'skap tenant acme CA'"

D enroll -m ota-quantum -k "$(key k2)" "$tmp/b"
tap_check "an auto-accept key: approved at once" said "approved"
B=$(sed -n 's/^device \([^ ]*\) .*/\1/p' "$tmp/out")
D status "$tmp/b"
D enroll -m ota-quantum -k "$(key k3)" "$tmp/c1"
tap_check "a key with one use admits one device" said "approved"
before=$(db_state)
D enroll -m ota-quantum -k "$(key k3)" "$tmp/c2"
tap_check "and refuses the next" said "HTTP 403 refused"
D enroll -m ota-quantum -k "$(key k4)" "$tmp/c3"
tap_check "an expired key is refused" said "HTTP 403 refused"
D enroll -m ota-quantum -k "$(key k5)" "$tmp/c4"
tap_check "a disabled key is refused" said "HTTP 403 refused"
D enroll -m ota-quantum -k "skb1_$(printf '%064d' 0)" "$tmp/c5"
tap_check "an unknown key is refused alike" said "HTTP 403 refused"
D enroll -m ota-quantum -k "$(key k2)" --mis-sign "$tmp/c6"
tap_check "a request not signed by its own key is refused (proof of possession)" said "HTTP 403 refused"
D enroll -m ota-quantum -k "$(key k2)" --reuse "$tmp/b" "$tmp/c7"
tap_check "an enrolled identity enrolling again is refused as a clone" said "HTTP 409 clone"
tap_check "refusals changed nothing but the clone count" test "$before" = "$(db_state)"
C -j device show "$B" >"$tmp/bshow"
tap_check "the clone attempt shows on the device" jq -e '.clone_attempts == 1' "$tmp/bshow"
C bootstrap-key delete "$(kid k2)" >/dev/null
D enroll -m ota-quantum -k "$(key k2)" "$tmp/c8"
tap_check "a deleted key admits nobody" said "HTTP 403 refused"
D status "$tmp/b"
tap_check "and devices it enrolled stay approved" said "state approved"

# ---- QKEY ----
C qkey create --id q-branch-2 --device-name branch-2 >"$tmp/q1"
sed -n 's/^qkey: *//p' "$tmp/q1" >"$tmp/q1.b64"
tap_check "a QKEY is shown once as base64 of 32 bytes" \
	sh -c "[ \$(base64 -d '$tmp/q1.b64' | wc -c) -eq 32 ]"
head -c 32 /dev/urandom | base64 >"$tmp/wrong.b64"
D enroll -m qkey --qkey-id q-branch-2 --qkey-file "$tmp/wrong.b64" -k "$(key k1)" --name branch-2 "$tmp/q0"
tap_check "a wrong QKEY is refused" said "HTTP 403 refused"
D enroll -m qkey --qkey-id q-nothing --qkey-file "$tmp/q1.b64" -k "$(key k1)" --name branch-2 "$tmp/q0"
tap_check "a wrong qkey_id is refused" said "HTTP 403 refused"
D enroll -m qkey --qkey-id q-branch-2 --qkey-file "$tmp/q1.b64" -k "$(key k1)" --name other "$tmp/q0"
tap_check "a QKEY bound to another device name is refused" said "HTTP 403 refused"
D enroll -m qkey --qkey-id q-branch-2 --qkey-file "$tmp/q1.b64" -k "$(key k1)" --name branch-2 "$tmp/q"
tap_check "QKEY enrollment: pending" said "pending"
D enroll -m qkey --qkey-id q-branch-2 --qkey-file "$tmp/q1.b64" -k "$(key k1)" --name branch-2 "$tmp/q2"
tap_check "a used QKEY is refused" said "HTTP 403 refused"
Q=$(sed -n 's/^id \(.*\)/\1/p' "$tmp/q")

# ---- OTA_TLS and users ----
D enroll -m ota-tls -k "$(key k1)" "$tmp/t"
tap_check "OTA_TLS is refused while the tenant has it off" said "HTTP 403 ota_tls_disabled"
echo "correct horse" >"$tmp/pw"
D enroll -m ota-quantum -u alice -P "$tmp/pw" "$tmp/u"
tap_check "an owner's name and password enroll a pending device" said "pending"
echo "wrong horse" >"$tmp/pw2"
D enroll -m ota-quantum -u alice -P "$tmp/pw2" "$tmp/u2"
tap_check "a wrong password is refused" said "HTTP 403 refused"

# ---- rejection and revocation; key tickets ----
tap_check "the operator rejects the QKEY device with a reason" \
	C device reject "$Q" --reason "unknown site"
D status "$tmp/q"
tap_check "the rejected device reads the reason" said "state rejected unknown site"
D key "$tmp/a" "$B" "$tmp/b"
tap_check "A gets a key with B over mutual TLS" said "^kid [0-9a-f]\{32\}$"
tap_check "the ticket opens with B's key" said "ticket opens with the peer's key"
tap_check "and not with A's" said "ticket does not open with the requester's key"
k=$(sed -n 's/^kid //p' "$tmp/out")
# Each replay on its own new connection: the cache is the server's, not the connection's.
D key-replay "$tmp/a" "$B" 12
tap_check "a key request answered once" said "^first HTTP 200$"
tap_check "is refused as a replay on 12 other connections" \
	sh -c "[ \$(grep -c '^replay [0-9]*: HTTP 401 replay$' '$tmp/out') -eq 12 ]"
C -j audit list --limit 1000 >"$tmp/audit"
tap_check "the audit log holds the key id, never the key" grep -q "kid $k" "$tmp/audit"
# skapd's kept connection (skap_https_idle_check, skap_https_reconnect).
mkfifo "$tmp/go"
"$dev" -s "$url" --ca "$tmp/srv/tls.crt" reconnect "$tmp/a" "$B" <"$tmp/go" >"$tmp/rc" 2>&1 &
rc_pid=$!
exec 3>"$tmp/go"
for _ in $(seq 100); do
	grep -q "^idle" "$tmp/rc" && break
	sleep 0.1
done
tap_check "an idle kept connection reads open (session tickets are no close)" \
	grep -q "^idle ok" "$tmp/rc"
port=$(cat "$tmp/port")
stop
start "$port"
# Sessions live in the server's memory: a restart ends them.
echo "correct horse" | C login -u alice --password-stdin >/dev/null
echo go >&3
exec 3>&-
wait "$rc_pid"
tap_check "a server restart reads as a close on the idle connection" grep -qx "closed" "$tmp/rc"
tap_check "and a reconnection with the same options gets a key" \
	sh -c "tail -n 1 '$tmp/rc' | grep -q '^kid [0-9a-f]\{32\}$'"
D key "$tmp/a" "$Q"
tap_check "no key with a rejected peer" said "HTTP 403 peer_not_approved"
D key "$tmp/a" gw-nosuchdevice
tap_check "no key with a device of no network of A's" said "HTTP 403 policy"
tap_check "the operator revokes B" C device revoke "$B" --reason stolen
D key "$tmp/b" "$A"
tap_check "a revoked device gets no key" said "HTTP 403 not_approved"
D key "$tmp/a" "$B"
tap_check "and no key is issued for it" said "HTTP 403 peer_not_approved"

# The certificate is checked in full once per TLS connection; the device's
# state still is every request's: a revocation bites at once.
C bootstrap-key create held --auto-accept >"$tmp/k7"
D enroll -m ota-quantum -k "$(key k7)" "$tmp/e"
E=$(sed -n 's/^device \([^ ]*\) .*/\1/p' "$tmp/out")
D status "$tmp/e"
"$dev" -s "$url" --ca "$tmp/srv/tls.crt" key-again "$tmp/e" "$A" "$tmp/gate" >"$tmp/again" 2>&1 &
held=$!
for _ in $(seq 100); do
	grep -q "^kid" "$tmp/again" && break
	sleep 0.1
done
tap_check "a device gets a key on a kept-alive connection" grep -q "^kid" "$tmp/again"
C device revoke "$E" --reason test >/dev/null
touch "$tmp/gate"
wait $held
tap_check "revoked, it gets none on that same connection" grep -q "HTTP 403 not_approved" "$tmp/again"

tap_check_fails "a rejected device cannot be approved afterwards" C device approve "$Q"

# ---- roles ----
echo "auditor pass" | C user create erin --role auditor --password-stdin >/dev/null
SKAPCTL_SESSION=$tmp/s-erin sh -c "echo 'auditor pass' | '$ctl' -s '$url' --ca '$tmp/srv/tls.crt' login -u erin --password-stdin" >/dev/null
tap_check "an auditor lists devices" \
	env SKAPCTL_SESSION="$tmp/s-erin" "$ctl" -s "$url" --ca "$tmp/srv/tls.crt" device list
env SKAPCTL_SESSION="$tmp/s-erin" "$ctl" -s "$url" --ca "$tmp/srv/tls.crt" device approve "$A" 2>"$tmp/err"
tap_check "and may not approve (403)" grep -q "HTTP 403" "$tmp/err"
env SKAPCTL_SESSION="$tmp/s-erin" "$ctl" -s "$url" --ca "$tmp/srv/tls.crt" qkey create 2>"$tmp/err"
tap_check "nor create QKEYs (403)" grep -q "HTTP 403" "$tmp/err"

# ---- bad input changes nothing ----
before=$(db_state)
post() {
	code=$(curl -sk --max-time 10 -o "$tmp/out" -w '%{http_code}' -X POST "$url/api/v1/$1" \
		-H "Content-Type: application/json" --data-binary "$2")
}
post enroll '{"method":'
tap_check "malformed JSON: 400" test "$code" = 400
post enroll '{"method":"ota-quantum","public_key":"AAAA","ciphertext":"AAAA","token":"AAAA","sealed":"AAAA"}'
tap_check "short fields: 400" test "$code" = 400
post enroll '{"method":"qkey","qkey_id":"q","nonce":"not base64!","sealed":"AAAA"}'
tap_check "bad base64: 400" test "$code" = 400
post enroll '{"method":"ota-tls","request":"e30=","signature":"AAAA","extra":1}'
tap_check "unknown field: 400" test "$code" = 400
post enroll '{"method":"telepathy"}'
tap_check "unknown method: 400" test "$code" = 400
post enroll/kem '{"public_key":5}'
tap_check "wrong type: 400" test "$code" = 400
post device/status '{"device":"gw-0000000000000000","ts":1,"nonce":"AAAAAAAAAAAAAAAAAAAAAA==","mac":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}'
tap_check "status of an unknown device: 401" test "$code" = 401
tap_check "bad requests changed nothing" test "$before" = "$(db_state)"

# ---- concurrency and restart ----
n0=$(devices)
C bootstrap-key create batch --auto-accept >"$tmp/k6"
"$load" -s "$url" --ca "$tmp/srv/tls.crt" -k "$(key k6)" -c 50 -n 200 enroll >"$tmp/many" 2>&1
tap_check "200 concurrent enrollments all succeed" grep -q "^enroll: 200 ok, 0 failed" "$tmp/many"
tap_check "none lost, none duplicated" \
	sh -c "[ \$(grep -c '^device ' '$tmp/many') -eq 200 ] &&
	       [ \$(grep '^device ' '$tmp/many' | sort -u | wc -l) -eq 200 ] &&
	       [ \$(( \$(sqlite3 '$tmp/srv/skap.db' 'SELECT count(*) FROM devices') - $n0 )) -eq 200 ]"
C -j bootstrap-key show "$(kid k6)" >"$tmp/k6.json"
tap_check "and the key counts 200 uses" jq -e '.uses == 200' "$tmp/k6.json"
audit_before=$(sqlite3 "$tmp/srv/skap.db" "SELECT count(*) FROM audit")
stop
# Enrollment limit per source, 5/s in bursts of 20: the kem and enroll
# requests of 100 enrollments over 16 connections from 127.0.0.1 pass at
# most 20 + 5 a second of the run (a limit kept per connection would pass
# them all).
SRV_ARGS="--enroll-rate 5"
start
"$load" -s "$url" --ca "$tmp/srv/tls.crt" -k "$(key k6)" -c 16 -n 100 enroll >"$tmp/limited" 2>&1
ok=$(sed -n 's/^enroll: \([0-9]*\) ok.*/\1/p' "$tmp/limited")
secs=$(sed -n 's/.* in \([0-9.]*\) s:.*/\1/p' "$tmp/limited")
tap_check "the enrollment rate limit holds over 16 connections ($ok of 100 in $secs s)" \
	awk -v ok="${ok:-999}" -v s="${secs:-0}" 'BEGIN { exit !(ok > 0 && 2 * ok <= 20 + 5 * (s + 1) + 2) }'
tap_check "and refuses the rest" grep -q "^enroll: [0-9]* ok, [1-9][0-9]* failed" "$tmp/limited"
# Login limit per account, bursts of 10 then 1/s: 30 wrong passwords at
# once, each on its own connection.
t0=$(date +%s)
seq 30 | xargs -P 10 -I{} curl -sk --max-time 60 -o /dev/null -w '%{http_code}\n' \
	-H "Content-Type: application/json" --data-binary '{"user":"alice","password":"wrong horse"}' \
	"$base/login" >"$tmp/logins"
t1=$(date +%s)
tried=$(grep -c '^401$' "$tmp/logins")
# At most 10 + 1 a second reach the password check; unless each check is
# slow enough (a sanitizer's Argon2) for the bucket to refill meanwhile,
# some are refused.
tap_check "the login limit per account holds over 30 connections ($tried tried in $((t1 - t0)) s)" \
	sh -c "[ $tried -le $((10 + t1 - t0 + 2)) ] &&
	       { [ $((t1 - t0)) -ge 20 ] || [ \$(grep -c '^429$' '$tmp/logins') -ge 1 ]; }"
stop
SRV_ARGS="--enroll-rate 1000"
start
D status "$tmp/a"
tap_check "after a restart A is still approved" said "state approved"
tap_check "the 200 concurrent enrollments are all still there" test $(($(devices) - n0)) -ge 200
tap_check "and the audit log kept every record, the key's included" \
	sh -c "[ \$(sqlite3 '$tmp/srv/skap.db' 'SELECT count(*) FROM audit') -ge $audit_before ] &&
	       [ \$(sqlite3 '$tmp/srv/skap.db' \"SELECT count(*) FROM audit WHERE action = 'key.issue' AND detail LIKE '%kid $k'\") -eq 1 ]"
D key "$tmp/a" "$B" "$tmp/b"
tap_check "and B is still revoked" said "HTTP 403 peer_not_approved"
D enroll -m ota-quantum -k "$(key k1)" "$tmp/r"
tap_check "and enrollment works" said "pending"
tap_end
