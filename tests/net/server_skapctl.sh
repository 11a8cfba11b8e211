#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# skapctl against a real skap-server on 127.0.0.1: login saves a 0600
# session, every administrative command works with tables and with --json,
# the server's certificate is checked (a wrong CA is refused), networks,
# groups, peerings between two tenants and device administration work
# (a device enrolled through devtool), and the exit
# status tells success (0), refusal (1), usage (2), unreachable (3) and
# missing authentication (4) apart. Needs jq.
set -u
src=${SKAP_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
bin=${SKAP_SAN:-$src/build/san}
server=$bin/skap-server
ctl=$bin/skapctl
. "$src/tests/lib/tap.sh"
tap_begin
tmp=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill -TERM $pid 2>/dev/null && wait $pid; [ -n "${KEEP_LOG:-}" ] && cp "$tmp/log" "$KEEP_LOG"; rm -rf "$tmp"' EXIT
if ! command -v jq >/dev/null; then
	tap_skip "skapctl" "jq is not installed"
	tap_end
fi
export SKAPCTL_SESSION=$tmp/cli/session
unset SKAP_SERVER SKAP_CA SKAP_TOKEN

echo "correct horse" | "$server" init -d "$tmp/srv" -t acme -u alice --password-stdin >"$tmp/init.out"
echo "other horse" | "$server" init -d "$tmp/other" -t other -u zed --password-stdin \
	--san IP:192.0.2.7 --san DNS:platform.example >/dev/null
tap_check "init --san names the platform in its development certificate" \
	sh -c "openssl x509 -in '$tmp/other/tls.crt' -noout -ext subjectAltName |
		grep -q 'IP Address:192.0.2.7, DNS:platform.example'"
tap_check_fails "init refuses a --san that is no DNS name or address" \
	sh -c "echo 'pass word' | '$server' init -d '$tmp/bad' -t x -u y --password-stdin --san 'DNS:a b'"
tap_check "and leaves nothing behind" test ! -e "$tmp/bad"
timeout 120 "$server" serve -d "$tmp/srv" -p 0 --port-file "$tmp/port" 2>"$tmp/log" &
pid=$!
for _ in $(seq 100); do
	[ -s "$tmp/port" ] && break
	sleep 0.1
done
url=https://127.0.0.1:$(cat "$tmp/port")

# run EXPECTED-STATUS NAME ARGS...: output in $tmp/out (stdout) and $tmp/err.
run() {
	local want=$1 name=$2
	shift 2
	"$ctl" "$@" >"$tmp/out" 2>"$tmp/err" <"${stdin:-/dev/null}"
	local rc=$?
	if [ $rc -eq "$want" ]; then
		tap_ok "$name"
	else
		tap_fail "$name" "exit $rc, wanted $want: $(head -c 300 "$tmp/err")"
	fi
}

# ---- login ----
echo "wrong" >"$tmp/pw"
stdin=$tmp/pw run 1 "login with a wrong password: 1" -s "$url" --ca "$tmp/srv/tls.crt" login -u alice --password-stdin
tap_check "a refused login saves no session" test ! -e "$SKAPCTL_SESSION"
echo "correct horse" >"$tmp/pw"
stdin=$tmp/pw run 3 "a server whose certificate the CA does not sign: 3" -s "$url" --ca "$tmp/other/tls.crt" login -u alice --password-stdin
stdin=$tmp/pw run 3 "a name the certificate does not carry: 3" -s "https://127.0.0.2:${url##*:}" --ca "$tmp/srv/tls.crt" login -u alice --password-stdin
stdin=$tmp/pw run 0 "login" -s "$url" --ca "$tmp/srv/tls.crt" login -u alice --password-stdin
tap_check "the session file is 0600" test "$(stat -c %a "$SKAPCTL_SESSION")" = 600
if grep -q "correct horse" "$SKAPCTL_SESSION"; then
	tap_fail "the session holds the token, not the password"
else
	tap_ok "the session holds the token, not the password"
fi
run 2 "no object: 2"
run 2 "unknown object: 2" frobnicate
run 2 "unknown verb: 2" bootstrap-key frobnicate
run 2 "bad id: 2" bootstrap-key show 12x
run 2 "bad --max-uses: 2" bootstrap-key create b9 --max-uses -3
run 3 "unreachable server: 3" -s https://127.0.0.1:1 tenant show

# ---- commands ----
run 0 "tenant show" tenant show
tap_check "tenant show names the tenant" grep -q "tenant acme" "$tmp/out"
run 0 "tenant show --json" -j tenant show
tap_check "--json is the server's object" jq -e '.name == "acme"' "$tmp/out"

run 0 "bootstrap-key create" bootstrap-key create b7 --auto-accept --max-uses 10 --description "batch 7"
tap_check "create prints the key once" grep -Eq "^key: +skb1_[0-9a-f]{64}$" "$tmp/out"
key=$(sed -n 's/^key: *//p' "$tmp/out")
run 1 "bootstrap-key create with a taken name: 1" bootstrap-key create b7
tap_check "the server's reason is shown" grep -q "exists" "$tmp/err"
run 0 "bootstrap-key list" bootstrap-key list
tap_check "list shows both keys with accept mode and limit" \
	grep -Eq "^[0-9]+ +b7 +auto +enabled +0 +10$" "$tmp/out"
run 0 "bootstrap-key list --json" -j bootstrap-key list --limit 1
tap_check "--json list pages" jq -e '(.items | length) == 1 and .next > 0' "$tmp/out"
id=$(jq -r '.items[0].id' "$tmp/out")
run 0 "bootstrap-key reveal" bootstrap-key reveal 2
tap_check "reveal prints the same key" test "$(cat "$tmp/out")" = "$key"
run 0 "bootstrap-key edit" bootstrap-key edit 2 --disable --max-uses 3
run 0 "bootstrap-key show --json" -j bootstrap-key show 2
tap_check "edit took effect" jq -e '.disabled and .max_uses == 3 and .name == "b7"' "$tmp/out"
run 2 "bootstrap-key edit with nothing to change: 2" bootstrap-key edit 2
run 1 "bootstrap-key show of an unknown id: 1" bootstrap-key show 999
run 0 "bootstrap-key delete" bootstrap-key delete 2
run 1 "a deleted key is gone: 1" bootstrap-key show 2

echo "pass-of-erin" >"$tmp/pw"
stdin=$tmp/pw run 0 "user create" user create erin --role auditor --password-stdin
stdin=$tmp/pw run 1 "user create with an unknown role: 1" user create finn --role root --password-stdin
run 0 "user list" user list
tap_check "user list shows roles" grep -Eq "^[0-9]+ +erin +auditor +enabled$" "$tmp/out"
run 0 "audit list" audit list
tap_check "audit shows who created the key" grep -Eq "user:alice +bootstrap_key.create +b7" "$tmp/out"

# ---- networks, groups, peerings, device administration, tenant switch ----
run 0 "network create" network create lab --description "the lab"
tap_check "network create shows it" grep -Eq "^name: +lab$" "$tmp/out"
lab=$(sed -n 's/^id: *//p' "$tmp/out")
run 1 "network create with a taken name: 1" network create lab
run 0 "network list" network list
tap_check "network list shows both" grep -Eq "^[0-9]+ +lab +the lab$" "$tmp/out"
run 0 "network update" -j network update "$lab" --description "lab 2"
tap_check "update took effect" jq -e '.description == "lab 2"' "$tmp/out"
run 2 "network update with nothing to change: 2" network update "$lab"
run 1 "network delete of the default network: 1" network delete 1
echo '{"mtu": 1400}' >"$tmp/cfg.json"
echo '[1]' >"$tmp/bad.json"
run 2 "group create with a config that is no object: 2" group create branch --config-file "$tmp/bad.json"
run 0 "group create" group create branch --network lab --config-file "$tmp/cfg.json"
tap_check "group create shows network and config" \
	sh -c "grep -Eq '^network: +lab$' '$tmp/out' && grep -Eq '^config: +\{\"mtu\":1400\}$' '$tmp/out'"
grp=$(sed -n 's/^id: *//p' "$tmp/out")
run 0 "group list" group list
tap_check "group list shows the group's network" grep -Eq "^$grp +branch +lab$" "$tmp/out"
run 0 "group update --default-network" -j group update "$grp" --default-network
tap_check "the group lands devices in the default network" jq -e '.network == null and .config.mtu == 1400' "$tmp/out"
run 0 "group delete" group delete "$grp"
run 1 "a deleted group is gone: 1" group show "$grp"
run 0 "network delete" network delete "$lab"

stdin=/dev/null run 0 "tenant set --ota-tls on" -j tenant set --ota-tls on
tap_check "OTA_TLS is on" jq -e '.ota_tls == true' "$tmp/out"
run 0 "tenant set --ota-tls off" tenant set --ota-tls off
tap_check "and off" grep -q "OTA_TLS off" "$tmp/out"
run 2 "tenant set --ota-tls maybe: 2" tenant set --ota-tls maybe

echo "zebra horse" | "$server" tenant create -d "$tmp/srv" beta --owner zed --password-stdin >/dev/null
run 0 "peering request" peering request --network default --peer-tenant beta --peer-network default
tap_check "the request waits for the other tenant" grep -q "^state: *requested" "$tmp/out"
pid_=$(sed -n 's/^id: *//p' "$tmp/out")
run 1 "peering request with an unknown tenant: 1" peering request --network default --peer-tenant nobody --peer-network default
run 2 "peering request without the peer network: 2" peering request --network default --peer-tenant beta
run 1 "the requester cannot accept: 1" peering accept "$pid_"
echo "zebra horse" >"$tmp/zpw"
stdin=$tmp/zpw SKAPCTL_SESSION=$tmp/cli/zed run 0 "the other tenant's owner logs in" -s "$url" --ca "$tmp/srv/tls.crt" login -u zed --password-stdin
SKAPCTL_SESSION=$tmp/cli/zed run 0 "the other tenant lists it" peering list
tap_check "as the peer side" grep -Eq "^$pid_ +requested +peer +acme/default +beta/default$" "$tmp/out"
SKAPCTL_SESSION=$tmp/cli/zed run 0 "peering accept" peering accept "$pid_"
tap_check "accepted: active" grep -q "^state: *active" "$tmp/out"
run 0 "peering end" -j peering end "$pid_"
tap_check "ended" jq -e '.state == "ended"' "$tmp/out"
run 1 "ended once: 1" peering end "$pid_"

defkey=$(sed -n 's/^default bootstrap key: //p' "$tmp/init.out")
"$bin/tests/devtool" -s "$url" --ca "$tmp/srv/tls.crt" enroll -m ota-quantum -k "$defkey" --name gw-one "$tmp/dev1" >"$tmp/dev.out" 2>&1
dev=$(sed -n 's/^device \([^ ]*\) .*/\1/p' "$tmp/dev.out")
run 0 "device rename" device rename "$dev" branch-7
tap_check "the device shows its new name" grep -Eq "^name: +branch-7$" "$tmp/out"
run 1 "device rename to a bad name: 1" device rename "$dev" "a b"
run 0 "device set-role" -j device set-role "$dev" initiator
tap_check "the role is set" jq -e '.role == "initiator"' "$tmp/out"
run 1 "device set-role to an unknown role: 1" device set-role "$dev" king
run 0 "network create for a move" network create west
run 0 "device move" device move "$dev" --network west
tap_check "the device is in the new network" grep -Eq "^network: +west " "$tmp/out"
run 2 "device move to nowhere: 2" device move "$dev"
run 0 "device rebind" -j device rebind "$dev"
tap_check "rebind allows one re-enrollment" jq -e '.rebind == true and .clone_attempts == 0' "$tmp/out"
run 0 "device delete" device delete "$dev"
run 1 "a deleted device is gone: 1" device show "$dev"

# An auditor's session: reads, but may not change.
export SKAPCTL_SESSION=$tmp/cli/auditor
stdin=$tmp/pw run 0 "auditor login" -s "$url" --ca "$tmp/srv/tls.crt" login -u erin --password-stdin
run 0 "auditor lists keys" bootstrap-key list
run 1 "auditor may not create a key: 1" bootstrap-key create b8
tap_check "the refusal says why" grep -q "role" "$tmp/err"
run 1 "auditor may not reveal: 1" bootstrap-key reveal 1
run 0 "auditor lists networks" network list
run 1 "auditor may not create a network: 1" network create east
run 1 "auditor may not request a peering: 1" peering request --network default --peer-tenant beta --peer-network default
run 1 "auditor may not switch OTA_TLS: 1" tenant set --ota-tls on

run 0 "logout" logout
tap_check "logout removes the session" test ! -e "$SKAPCTL_SESSION"
SKAP_TOKEN=0000000000000000000000000000000000000000000000000000000000000000 \
	run 4 "a dead token: 4" -s "$url" --ca "$tmp/srv/tls.crt" tenant show
if grep -q "$key\|correct horse\|pass-of-erin" "$tmp/log"; then
	tap_fail "no secret in the server's log"
else
	tap_ok "no secret in the server's log"
fi
tap_end
