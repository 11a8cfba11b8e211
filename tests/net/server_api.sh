#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# skap-server on 127.0.0.1 (an ephemeral port), real HTTPS, real SQLite:
# init, login, every endpoint with success, the roles it must refuse (403),
# and bad input (malformed JSON, wrong types, unknown fields, oversized
# body, unknown ids) answered with a clear 4xx and no change of state;
# restart keeps everything; SIGTERM stops it cleanly. Needs curl and jq.
set -u
src=${SKAP_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
server=${SKAP_SAN:-$src/build/san}/skap-server
. "$src/tests/lib/tap.sh"
tap_begin
. "$src/tests/lib/server.sh"
SRV_TIMEOUT=120
srv_setup "server API" curl jq

state() {
	sqlite3 "$tmp/srv/skap.db" \
		"SELECT count(*) FROM users; SELECT count(*) FROM audit;
		 SELECT group_concat(name || ':' || disabled || ':' || max_uses || ':' || uses) FROM bootstrap_keys;
		 SELECT group_concat(name || ':' || role) FROM users;" 2>&1
}

# ---- init ----
out=$(echo "correct horse" | "$server" init -d "$tmp/srv" -t acme -u alice --password-stdin 2>&1)
rc=$?
defkey=$(sed -n 's/^default bootstrap key: //p' <<<"$out")
mode=$(stat -c %a "$tmp/srv/master.key" 2>/dev/null)
dbmode=$(stat -c %a "$tmp/srv/skap.db" 2>/dev/null)
if [ $rc -eq 0 ] && [ "$mode" = 600 ] && [ "$dbmode" = 600 ] && [[ $defkey =~ ^skb1_[0-9a-f]{64}$ ]] &&
	! grep -q "correct horse" <<<"$out"; then
	tap_ok "init makes a 0600 master key and database, prints the default key, not the password"
else
	tap_fail "init makes a 0600 master key and database" "exit $rc mode $mode/$dbmode: $out"
fi
echo x | "$server" init -d "$tmp/srv" -t acme -u alice --password-stdin >/dev/null 2>&1
tap_check "init refuses an initialised directory" test $? -eq 1

# serve's configuration file: every error with FILE:LINE, nothing started.
printf 'dir = %s/srv\nport = 70000\nbogus = 1\nlisten\n' "$tmp" >"$tmp/serve.conf"
"$server" serve -c "$tmp/serve.conf" >"$tmp/conf.out" 2>&1
rc=$?
if [ $rc -eq 2 ] && grep -q "serve.conf:2: port: 0..65535" "$tmp/conf.out" &&
	grep -q "serve.conf:3: unknown setting 'bogus'" "$tmp/conf.out" &&
	grep -q "serve.conf:4: expected 'name = value'" "$tmp/conf.out" &&
	! grep -q "serving" "$tmp/conf.out"; then
	tap_ok "serve -c: a broken file is refused line by line, nothing starts"
else
	tap_fail "serve -c: a broken file is refused line by line" "exit $rc: $(cat "$tmp/conf.out")"
fi
# The file sets the directory and the port file; the flags win (port 0 over 1).
printf '# the platform\ndir = %s/srv\nport = 1\nport-file = %s/port\n' "$tmp" "$tmp" >"$tmp/serve.conf"
rm -f "$tmp/port"
timeout 120 "$server" serve -c "$tmp/serve.conf" -p 0 2>>"$tmp/log" &
pid=$!
for _ in $(seq 100); do
	[ -s "$tmp/port" ] && break
	sleep 0.1
done
tap_check "serve -c FILE with flags over it: serving on an ephemeral port" \
	sh -c "[ \$(cat '$tmp/port' 2>/dev/null || echo 1) -gt 1 ]"
stop

start
tap_check "serve listens on an ephemeral port" test -s "$tmp/port"

# ---- login ----
login alice "correct horse"; owner=$tok
expect "owner logs in" 200 '.role == "owner" and (.token | length) == 64 and .expires > now'
login alice "wrong password"
expect "a wrong password is refused" 401 '.error.code == "bad_credentials"'
login nobody "correct horse"
expect "an unknown user is refused alike" 401 '.error.code == "bad_credentials"'
call POST /login "" '{"user":"alice","password":"correct horse","x":1}'
expect "login: unknown field" 400 '.error.code == "unknown_field"'
call POST /login "" '{"user":"alice","password":5}'
expect "login: wrong type" 400 '.error.code == "bad_field"'
call POST /login "" '{"user":"alice",'
expect "login: malformed JSON" 400 '.error.code == "bad_json"'
call POST /login "" '{"user":"alice","user":"bob","password":"correct horse"}'
expect "login: duplicate keys" 400 '.error.code == "bad_json"'
call POST /login "" '["alice"]'
expect "login: not an object" 400 '.error.code == "bad_json"'
call POST /login "" 'user=alice' application/x-www-form-urlencoded
expect "login: not JSON" 415
call GET /tenant ""
expect "no token: 401" 401 '.error.code == "unauthenticated"'
call GET /tenant "0000000000000000000000000000000000000000000000000000000000000000"
expect "a made-up token: 401" 401
call GET /tenant "$owner"
expect "tenant" 200 '.name == "acme" and .ota_tls == false'
call GET /nothing "$owner"
expect "unknown path: 404" 404 '.error.code == "not_found"'

# ---- users ----
before=$(state)
call POST /users "$owner" '{"name":"bob","role":"admin","password":"short"}'
expect "users: short password" 400 '.error.code == "bad_field"'
call POST /users "$owner" '{"name":"bob","role":"root","password":"long enough"}'
expect "users: unknown role" 400
call POST /users "$owner" '{"name":"b o b","role":"admin","password":"long enough"}'
expect "users: bad name" 400
call POST /users "$owner" '{"name":"bob","role":"admin","password":"long enough","x":true}'
expect "users: unknown field" 400 '.error.code == "unknown_field"'
call POST /users "$owner" '{"name":"alice","role":"admin","password":"long enough"}'
expect "users: name taken" 409 '.error.code == "conflict"'
head -c 70000 /dev/zero | tr '\0' 'a' >"$tmp/big"
code=$(curl -sk -o "$tmp/out" -w '%{http_code}' -X POST "$base/users" -H "Authorization: Bearer $owner" \
	-H "Content-Type: application/json" --data-binary @"$tmp/big")
expect "users: oversized body" 413
tap_check "bad user requests changed nothing" test "$before" = "$(state)"

for u in bob:admin carol:operator dave:enroller erin:auditor; do
	call POST /users "$owner" "{\"name\":\"${u%%:*}\",\"role\":\"${u##*:}\",\"password\":\"pass-${u%%:*}\"}"
	expect "users: create ${u##*:}" 201 ".name == \"${u%%:*}\" and .role == \"${u##*:}\""
done
login bob pass-bob; admin=$tok
login carol pass-carol; operator=$tok
login dave pass-dave; enroller=$tok
login erin pass-erin; auditor=$tok
call GET "/users?limit=2" "$auditor"
expect "users: list, first page" 200 '(.items | length) == 2 and .next > 0'
next=$(jq .next "$tmp/out")
call GET "/users?limit=2&after=$next" "$auditor"
expect "users: list, next page" 200 "(.items | length) == 2 and (.items[0].id > $next)"
call GET "/users?limit=0" "$owner"
expect "users: limit 0 refused" 400 '.error.code == "bad_query"'
call GET "/users?after=x" "$owner"
expect "users: bad after refused" 400

before=$(state)
call POST /users "$admin" '{"name":"frank","role":"owner","password":"long enough"}'
expect "users: an admin may not make an owner" 403
for t in operator enroller auditor; do
	call POST /users "${!t}" '{"name":"frank","role":"auditor","password":"long enough"}'
	expect "users: $t may not create users" 403 '.error.code == "forbidden"'
done
call GET /users "$enroller"
expect "users: an enroller may not list" 403
tap_check "refused user requests changed nothing" test "$before" = "$(state)"

# ---- one user ----
bobid=$(sqlite3 "$tmp/srv/skap.db" "SELECT id FROM users WHERE name = 'bob'")
daveid=$(sqlite3 "$tmp/srv/skap.db" "SELECT id FROM users WHERE name = 'dave'")
call GET "/users/$daveid" "$auditor"
expect "user: get" 200 '.name == "dave" and .role == "enroller"'
call GET "/users/999" "$owner"
expect "user: unknown id" 404
before=$(state)
call PATCH "/users/$daveid" "$admin" '{"role":"auditor","disabled":true}'
expect "user: two changes at once refused" 400
call PATCH "/users/$daveid" "$admin" '{"role":"owner"}'
expect "user: an admin may not make an owner" 403
call PATCH "/users/$daveid" "$admin" '{"disabled":"yes"}'
expect "user: disabled must be a boolean" 400
call PATCH "/users/$daveid" "$admin" '{"password":"short"}'
expect "user: short password" 400
call PATCH "/users/$daveid" "$operator" '{"disabled":true}'
expect "user: an operator may not edit users" 403
call PATCH "/users/1" "$admin" '{"disabled":true}'
expect "user: an admin may not touch an owner" 403
call PATCH "/users/1" "$owner" '{"role":"admin"}'
expect "user: the last owner stays" 409
call DELETE "/users/1" "$owner"
expect "user: the last owner cannot be deleted" 409
call DELETE "/users/$daveid" "$auditor"
expect "user: an auditor may not delete" 403
tap_check "refused user edits changed nothing" test "$before" = "$(state)"
call PATCH "/users/$daveid" "$admin" '{"password":"new-pass-dave"}'
expect "user: password change" 200
call GET /tenant "$enroller"
expect "a password change ends the user's sessions" 401
login dave pass-dave
expect "the old password no longer works" 401
login dave new-pass-dave
expect "the new one does" 200
call PATCH "/users/$daveid" "$admin" '{"disabled":true}'
expect "user: disable" 200 '.disabled'
login dave new-pass-dave
expect "a disabled user cannot log in" 401
call DELETE "/users/$daveid" "$admin"
expect "user: delete" 204
call GET "/users/$daveid" "$admin"
expect "user: deleted is gone" 404
call POST /users "$owner" '{"name":"gina","role":"enroller","password":"pass-gina"}'
expect "users: another enroller" 201
login gina pass-gina; enroller=$tok

# ---- bootstrap keys ----
before=$(state)
call POST /bootstrap-keys "$owner" '{"name":"b7","max_uses":-1}'
expect "keys: negative max_uses" 400
call POST /bootstrap-keys "$owner" '{"name":"b7","auto_accept":"yes"}'
expect "keys: auto_accept not a boolean" 400
call POST /bootstrap-keys "$owner" '{"name":"b7","group":"nope"}'
expect "keys: unknown group" 400
call POST /bootstrap-keys "$owner" '{"name":"b7","expires":1.5}'
expect "keys: fractional expiry" 400
call POST /bootstrap-keys "$owner" '{"description":"no name"}'
expect "keys: name required" 400
call POST /bootstrap-keys "$owner" '{"name":"default"}'
expect "keys: name taken" 409
call POST /bootstrap-keys "$owner" '{"name":"b7","description":"tab\there"}'
expect "keys: control characters refused" 400
for t in operator enroller auditor; do
	call POST /bootstrap-keys "${!t}" '{"name":"b7"}'
	expect "keys: $t may not create" 403
done
tap_check "bad key requests changed nothing" test "$before" = "$(state)"

call POST /bootstrap-keys "$admin" '{"name":"b7","description":"batch 7","auto_accept":true,"max_uses":100}'
expect "keys: create" 201 '.name == "b7" and .auto_accept and .max_uses == 100 and .uses == 0 and (.key | test("^skb1_[0-9a-f]{64}$"))'
kid=$(jq .id "$tmp/out")
key=$(jq -r .key "$tmp/out")
if ! grep -qa "${key#skb1_}" "$tmp/srv/skap.db" "$tmp/srv/skap.db-wal" 2>/dev/null; then
	tap_ok "keys: the key is not stored in clear"
else
	tap_fail "keys: the key is not stored in clear"
fi
call GET /bootstrap-keys "$operator"
expect "keys: list (operator)" 200 '(.items | length) == 2 and all(.items[]; has("key") | not)'
call GET "/bootstrap-keys/$kid" "$auditor"
expect "keys: get (auditor)" 200 '.name == "b7" and (has("key") | not)'
call POST "/bootstrap-keys/$kid/reveal" "$admin"
expect "keys: reveal" 200 ".key == \"$key\""
call POST "/bootstrap-keys/$kid/reveal" "$auditor"
expect "keys: an auditor may not reveal" 403
call POST "/bootstrap-keys/1/reveal" "$owner"
expect "keys: the default key revealed is the one init printed" 200 ".key == \"$defkey\""

before=$(state)
call PATCH "/bootstrap-keys/$kid" "$owner" '{"uses":0}'
expect "keys: uses cannot be edited" 400 '.error.code == "unknown_field"'
call PATCH "/bootstrap-keys/$kid" "$owner" '{"disabled":1}'
expect "keys: disabled must be a boolean" 400
call PATCH "/bootstrap-keys/$kid" "$operator" '{"disabled":true}'
expect "keys: an operator may not edit" 403
call PATCH "/bootstrap-keys/999" "$owner" '{"disabled":true}'
expect "keys: edit an unknown id" 404
call DELETE "/bootstrap-keys/999" "$owner"
expect "keys: delete an unknown id" 404
call DELETE "/bootstrap-keys/$kid" "$auditor"
expect "keys: an auditor may not delete" 403
call GET "/bootstrap-keys/0" "$owner"
expect "keys: id 0" 404
call GET "/bootstrap-keys/12x" "$owner"
expect "keys: id not a number" 404
tap_check "bad key edits changed nothing" test "$before" = "$(state)"

call PATCH "/bootstrap-keys/$kid" "$admin" '{"disabled":true,"max_uses":5,"description":"paused"}'
expect "keys: edit" 200 '.disabled and .max_uses == 5 and .description == "paused" and .name == "b7"'

call GET /audit "$auditor"
expect "audit: read by an auditor" 200 'any(.items[]; .action == "bootstrap_key.reveal" and .actor == "user:bob")'
call GET /audit "$operator"
expect "audit: an operator may not read it" 403

# ---- restart ----
stop
tap_check "SIGTERM stops the server cleanly" grep -q "stopped" "$tmp/log"
start
call GET "/bootstrap-keys/$kid" "$owner"
expect "restart: a session lives on (sessions are in the database)" 200
tap_check "the database keeps the token's hash, never the token" \
	sh -c "[ \$(sqlite3 '$tmp/srv/skap.db' \"SELECT count(*) FROM sessions WHERE hex(token_hash) = upper('\$(printf %s '$owner' | sha256sum | cut -c1-64)')\") -eq 1 ] &&
	       ! strings '$tmp/srv/skap.db' '$tmp/srv/skap.db-wal' 2>/dev/null | grep -q '$owner'"
call POST "/bootstrap-keys/$kid/reveal" "$owner"
expect "restart keeps users and keys" 200 ".key == \"$key\""
call DELETE "/bootstrap-keys/$kid" "$owner"
expect "keys: delete" 204
call GET "/bootstrap-keys/$kid" "$owner"
expect "keys: deleted is gone" 404

call POST /logout "$owner"
expect "logout" 204
call GET /tenant "$owner"
expect "a token is dead after logout" 401

# ---- login rate limit (per account: bursts of 10, then 1/s) ----
# Until the first 429, at most 40 tries: each login costs an Argon2 hash, and
# on a loaded machine 15 of them can take long enough for the bucket to refill.
limited=0
for _ in $(seq 40); do
	login carol wrong-password
	if [ "$code" = 429 ]; then
		limited=1
		break
	fi
done
tap_check "failed logins to one account are rate limited" test $limited -eq 1
if grep -q "correct horse\|pass-bob\|$key\|${defkey:-nokey}" "$tmp/log"; then
	tap_fail "no secret in the log"
else
	tap_ok "no secret in the log"
fi
stop
if grep -q "Sanitizer\|runtime error" "$tmp/log"; then
	tap_fail "the server ran clean under ASan and UBSan" "$(grep -m5 "Sanitizer\|runtime error" "$tmp/log")"
else
	tap_ok "the server ran clean under ASan and UBSan"
fi
tap_end
