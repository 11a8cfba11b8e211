#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Networks, groups, peerings and device administration against a real
# skap-server on loopback (real HTTPS, real SQLite), with a second tenant
# made by `skap-server tenant create` while the server runs: every endpoint
# with success, the roles it must refuse (403), bad input answered with a
# 4xx and no change in the database, unknown ids 404, the peering life
# cycle across the two tenants, and key tickets (through devtool, as
# server_enroll.sh drives devices) refused between networks that are not
# peered and accepted across an active peering only while it lasts, and
# refused by roles. Then rename, move, delete, rebind after a clone, the
# group's configuration in the status answer, and the tenant's OTA_TLS
# switch. Needs curl, jq and sqlite3.
set -u
src=${SKAP_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
bin=${SKAP_SAN:-$src/build/san}
server=$bin/skap-server
dev=$bin/tests/devtool
. "$src/tests/lib/tap.sh"
tap_begin
. "$src/tests/lib/server.sh"
SRV_ARGS="--enroll-rate 1000"
srv_setup "networks and peerings" curl jq sqlite3

D() {
	"$dev" -s "$url" --ca "$tmp/srv/tls.crt" "$@" >"$tmp/dev" 2>&1
}
# said TEXT: the last devtool answer holds TEXT.
said() {
	if grep -q -- "$1" "$tmp/dev"; then
		return 0
	fi
	echo "devtool said: $(cat "$tmp/dev")"
	return 1
}
devid() { sed -n 's/^device \([^ ]*\) .*/\1/p' "$tmp/dev"; }

state() {
	sqlite3 "$tmp/srv/skap.db" \
		"SELECT group_concat(id || ':' || name || ':' || description) FROM networks;
		 SELECT group_concat(name || ':' || coalesce(network_id, '-') || ':' || config) FROM dev_groups;
		 SELECT group_concat(id || ':' || state || ':' || accepted || ':' || ended) FROM peerings;
		 SELECT group_concat(id || ':' || coalesce(name, '-') || ':' || group_id || ':' ||
			network_id || ':' || role || ':' || state || ':' || clone_attempts || ':' || rebind)
			FROM devices;
		 SELECT group_concat(ota_tls) FROM tenants;
		 SELECT count(*) FROM audit;" 2>&1
}

# ---- two tenants: the second made while the server runs ----
echo "correct horse" | "$server" init -d "$tmp/srv" -t acme -u alice --password-stdin >/dev/null
start
out=$(echo "zebra horse" | "$server" tenant create -d "$tmp/srv" other --owner zed --password-stdin 2>&1)
tap_check "tenant create works while the server runs and prints the default key" \
	grep -Eq "^default bootstrap key: skb1_[0-9a-f]{64}$" <<<"$out"
if grep -q "zebra horse" <<<"$out"; then
	tap_fail "tenant create does not print the password it read"
else
	tap_ok "tenant create does not print the password it read"
fi
echo "x horse long" | "$server" tenant create -d "$tmp/srv" other --owner yan --password-stdin >/dev/null 2>&1
tap_check "tenant create refuses a taken name (exit 1)" test $? -eq 1
"$server" tenant create -d "$tmp/srv" third >/dev/null 2>&1
tap_check "tenant create without an owner is a usage error (exit 2)" test $? -eq 2
tap_check "tenant list shows both" sh -c "'$server' tenant list -d '$tmp/srv' | grep -q ' other '"

login alice "correct horse"; owner=$tok
login zed "zebra horse"; zed=$tok
expect "the new tenant's owner logs in" 200 '.role == "owner"'
for u in bob:admin carol:operator dave:enroller erin:auditor; do
	call POST /users "$owner" "{\"name\":\"${u%%:*}\",\"role\":\"${u##*:}\",\"password\":\"pass-${u%%:*}\"}"
done
login bob pass-bob; admin=$tok
login carol pass-carol; operator=$tok
login dave pass-dave; enroller=$tok
login erin pass-erin; auditor=$tok

# ---- networks ----
call GET /networks "$auditor"
expect "networks: every tenant has a default network" 200 \
	'(.items | length) == 1 and .items[0].name == "default" and .next == 0'
before=$(state)
call POST /networks "$admin" '{"name":"a b"}'
expect "networks: bad name" 400 '.error.code == "bad_field"'
call POST /networks "$admin" '{"name":"lab","vlan":7}'
expect "networks: unknown field" 400 '.error.code == "unknown_field"'
call POST /networks "$admin" '{"name":"lab","description":"tab\there"}'
expect "networks: control characters refused" 400
call POST /networks "$admin" '{"description":"no name"}'
expect "networks: name required" 400
call POST /networks "$admin" '{"name":"default"}'
expect "networks: name taken" 409 '.error.code == "conflict"'
call POST /networks "$admin" '{"name":'
expect "networks: malformed JSON" 400 '.error.code == "bad_json"'
for t in operator enroller auditor; do
	call POST /networks "${!t}" '{"name":"lab"}'
	expect "networks: $t may not create" 403 '.error.code == "forbidden"'
done
call GET /networks "$enroller"
expect "networks: an enroller may not list" 403
tap_check "bad network requests changed nothing" test "$before" = "$(state)"

call POST /networks "$admin" '{"name":"lab","description":"the lab"}'
expect "networks: create" 201 '.name == "lab" and .description == "the lab" and .id > 0'
lab=$(jq .id "$tmp/out")
call POST /networks "$zed" '{"name":"lab"}'
expect "networks: names are per tenant" 201
zlab=$(jq .id "$tmp/out")
call GET "/networks/$lab" "$operator"
expect "networks: get" 200 '.name == "lab"'
call GET "/networks/$zlab" "$owner"
expect "networks: another tenant's network is absent" 404 '.error.code == "not_found"'
call GET /networks/999 "$owner"
expect "networks: unknown id" 404
before=$(state)
call PATCH "/networks/$lab" "$operator" '{"description":"x"}'
expect "networks: an operator may not edit" 403
call PATCH /networks/1 "$admin" '{"name":"renamed"}'
expect "networks: the default network keeps its name" 409
call PATCH "/networks/$lab" "$admin" '{"name":"default"}'
expect "networks: rename onto a taken name" 409
call PATCH "/networks/$zlab" "$admin" '{"description":"x"}'
expect "networks: another tenant's network cannot be edited" 404
call DELETE /networks/1 "$admin"
expect "networks: the default network cannot be deleted" 409
call DELETE "/networks/$lab" "$auditor"
expect "networks: an auditor may not delete" 403
tap_check "refused network edits changed nothing" test "$before" = "$(state)"
call PATCH "/networks/$lab" "$admin" '{"description":"the test lab"}'
expect "networks: edit" 200 '.description == "the test lab" and .name == "lab"'

# ---- groups ----
before=$(state)
call POST /groups "$admin" '{"name":"branch","config":[1]}'
expect "groups: config must be an object" 400 '.error.code == "bad_field"'
big=$(head -c 5000 /dev/zero | tr '\0' 'a')
call POST /groups "$admin" "{\"name\":\"branch\",\"config\":{\"x\":\"$big\"}}"
expect "groups: config over 4096 bytes" 400
call POST /groups "$admin" '{"name":"branch","network":"nowhere"}'
expect "groups: unknown network" 400
call POST /groups "$admin" '{"name":"branch","network":"lab","extra":1}'
expect "groups: unknown field" 400 '.error.code == "unknown_field"'
call POST /groups "$admin" '{"name":"default"}'
expect "groups: name taken" 409
call POST /groups "$operator" '{"name":"branch"}'
expect "groups: an operator may not create" 403
tap_check "bad group requests changed nothing" test "$before" = "$(state)"
call POST /groups "$admin" '{"name":"branch","network":"lab","config":{"mtu":1400}}'
expect "groups: create" 201 '.name == "branch" and .network == "lab" and .config.mtu == 1400'
branch=$(jq .id "$tmp/out")
call GET /groups "$auditor"
expect "groups: list" 200 '(.items | length) == 2 and .items[0].name == "default" and .items[0].network == null'
call GET "/groups/$branch" "$operator"
expect "groups: get" 200 '.config == {"mtu":1400}'
call GET "/groups/$branch" "$zed"
expect "groups: another tenant's group is absent" 404
call PATCH "/groups/$branch" "$admin" '{"config":{"mtu":1380,"dns":["192.0.2.53"]}}'
expect "groups: edit the configuration" 200 '.config.mtu == 1380 and .network == "lab"'
call POST /groups "$admin" '{"name":"spare"}'
spare=$(jq .id "$tmp/out")
call PATCH "/groups/$spare" "$admin" '{"network":"lab"}'
expect "groups: set a network" 200 '.network == "lab"'
call PATCH "/groups/$spare" "$admin" '{"network":null}'
expect "groups: back to the default network" 200 '.network == null'
call DELETE /groups/1 "$admin"
expect "groups: the default group cannot be deleted" 409
call DELETE "/groups/$spare" "$auditor"
expect "groups: an auditor may not delete" 403
call DELETE "/groups/$spare" "$admin"
expect "groups: delete" 204
call GET "/groups/$spare" "$admin"
expect "groups: deleted is gone" 404

# ---- devices in networks ----
call POST /bootstrap-keys "$admin" '{"name":"lab-key","group":"branch","auto_accept":true}'
labkey=$(jq -r .key "$tmp/out")
call DELETE "/groups/$branch" "$admin"
expect "groups: a group a bootstrap key uses stays" 409 '.error.code == "in_use"'
call POST /bootstrap-keys "$admin" '{"name":"auto","auto_accept":true}'
autokey=$(jq -r .key "$tmp/out")
call POST /bootstrap-keys "$zed" '{"name":"auto","auto_accept":true}'
zkey=$(jq -r .key "$tmp/out")

D enroll -m ota-quantum -k "$labkey" --name lab-1 "$tmp/l"
L=$(devid)
D enroll -m ota-quantum -k "$autokey" --name site-a "$tmp/a"
A=$(devid)
D enroll -m ota-quantum -k "$autokey" --name site-b "$tmp/b"
B=$(devid)
D enroll -m ota-quantum -k "$zkey" --name z-1 "$tmp/z"
Z=$(devid)
for d in l a b z; do D status "$tmp/$d"; done
call GET "/devices/$L" "$auditor"
expect "a device lands in its group's network, named as it reported, role gateway" 200 \
	'.network == "lab" and .group == "branch" and .name == "lab-1" and .role == "gateway"'
call GET "/devices/$A" "$auditor"
expect "without a group network: the default network" 200 '.network == "default" and .name == "site-a"'
D status "$tmp/l"
sed -n 's/^config //p' "$tmp/dev" >"$tmp/config"
tap_check "an approved device reads its group's configuration" \
	jq -e '.mtu == 1380 and .dns == ["192.0.2.53"]' "$tmp/config"
call POST /bootstrap-keys "$admin" '{"name":"manual"}'
D enroll -m ota-quantum -k "$(jq -r .key "$tmp/out")" "$tmp/p"
D status "$tmp/p"
tap_check "a pending device gets no configuration" sh -c "! grep -q '^config' '$tmp/dev'"

# ---- key tickets and networks ----
D key "$tmp/a" "$B" "$tmp/b"
tap_check "same network: a key" said "ticket opens with the peer's key"
D key "$tmp/a" "$L"
tap_check "same tenant, another network: refused" said "HTTP 403 policy"
D key "$tmp/a" "$Z"
tap_check "another tenant without a peering: refused" said "HTTP 403 policy"
D key "$tmp/z" "$A"
tap_check "and the other way round" said "HTTP 403 policy"
D key "$tmp/a" gw-0000000000000000
tap_check "an unknown peer is answered alike" said "HTTP 403 policy: no such peer in this device's network or peered networks"

# ---- peerings ----
before=$(state)
call POST /peerings "$admin" '{"network":"default","peer_tenant":"acme","peer_network":"default"}'
expect "peerings: not with oneself" 400
call POST /peerings "$admin" '{"network":"default","peer_tenant":"nobody","peer_network":"default"}'
expect "peerings: unknown tenant" 404 '.error.message == "no such tenant or network"'
call POST /peerings "$admin" '{"network":"default","peer_tenant":"other","peer_network":"nothing"}'
expect "peerings: unknown network of a known tenant reads the same" 404 '.error.message == "no such tenant or network"'
call POST /peerings "$admin" '{"network":"nothing","peer_tenant":"other","peer_network":"default"}'
expect "peerings: a network that is not ours" 400
call POST /peerings "$admin" '{"network":"default","peer_tenant":"other"}'
expect "peerings: all fields required" 400
call POST /peerings "$operator" '{"network":"default","peer_tenant":"other","peer_network":"default"}'
expect "peerings: an operator may not request" 403
tap_check "bad peering requests changed nothing" test "$before" = "$(state)"

call POST /peerings "$admin" '{"network":"default","peer_tenant":"other","peer_network":"default"}'
expect "peerings: request" 201 '.state == "requested" and .side == "requester" and .peer.tenant == "other" and .requester.network == "default" and .requested_by == "user:bob"'
P=$(jq .id "$tmp/out")
call POST /peerings "$zed" '{"network":"default","peer_tenant":"acme","peer_network":"default"}'
expect "peerings: one live peering per pair of networks" 409
call GET /peerings "$zed"
expect "peerings: the other tenant sees the request" 200 \
	".items[0].id == $P and .items[0].side == \"peer\" and .items[0].state == \"requested\" and (.items[0] | has(\"requested_by\") | not)"
call GET "/peerings/$P" "$auditor"
expect "peerings: get" 200 '.state == "requested"'
D key "$tmp/a" "$Z"
tap_check "a requested peering opens nothing" said "HTTP 403 policy"
before=$(state)
call POST "/peerings/$P/accept" "$admin"
expect "peerings: the requester cannot accept its own request" 403
call POST "/peerings/$P/accept" "$operator"
expect "peerings: an operator may not accept" 403
call POST /peerings/999/accept "$zed"
expect "peerings: unknown id" 404
tap_check "refused answers changed nothing" test "$before" = "$(state)"
call POST "/peerings/$P/accept" "$zed"
expect "peerings: the other tenant's owner accepts" 200 '.state == "active" and .accepted > 0'
call POST "/peerings/$P/accept" "$zed"
expect "peerings: accepted once" 409
D key "$tmp/a" "$Z" "$tmp/z"
tap_check "across an active peering: a key" said "ticket opens with the peer's key"
xkid=$(sed -n 's/^kid //p' "$tmp/out")
call GET "/audit?limit=1000" "$zed"
expect "the peer's tenant audits the same key id" 200 \
	"any(.items[]; .action == \"key.issue\" and (.detail | contains(\"kid $xkid\")))"
D key "$tmp/z" "$A"
tap_check "both ways" said "^kid "
D key "$tmp/l" "$Z"
tap_check "a network not in the peering stays apart" said "HTTP 403 policy"
call GET /audit "$zed"
expect "peerings: the other tenant's audit log has the request and the acceptance" 200 \
	'any(.items[]; .action == "peering.request") and any(.items[]; .action == "peering.accept")'

# A peering keeps its networks: a second one, rejected, then deletable.
call POST /networks "$admin" '{"name":"edge"}'
edge=$(jq .id "$tmp/out")
call POST /peerings "$admin" '{"network":"edge","peer_tenant":"other","peer_network":"lab"}'
P2=$(jq .id "$tmp/out")
call DELETE "/networks/$edge" "$admin"
expect "networks: a network with a requested peering stays" 409 '.error.code == "in_use"'
call DELETE "/networks/$zlab" "$zed"
expect "and the peer's network too" 409
call POST "/peerings/$P2/reject" "$zed"
expect "peerings: reject" 200 '.state == "rejected"'
call DELETE "/networks/$edge" "$admin"
expect "networks: delete" 204
call GET "/peerings/$P2" "$zed"
expect "peerings: a rejected peering stays on record" 200 '.state == "rejected" and .requester.network == null'
call DELETE "/networks/$lab" "$admin"
expect "networks: a network with devices stays" 409

call DELETE "/peerings/$P" "$zed"
expect "peerings: either side ends it" 200 '.state == "ended" and .ended > 0'
call DELETE "/peerings/$P" "$admin"
expect "peerings: ended once" 409
D key "$tmp/a" "$Z"
tap_check "after the end: refused again" said "HTTP 403 policy"

# ---- device administration: role, rename, move ----
before=$(state)
call PATCH "/devices/$A" "$admin" '{"role":"king"}'
expect "devices: unknown role" 400
call PATCH "/devices/$A" "$admin" '{"name":"a b"}'
expect "devices: bad name" 400
call PATCH "/devices/$A" "$admin" '{"group":"nothing"}'
expect "devices: unknown group" 400
call PATCH "/devices/$A" "$admin" '{"network":"nothing"}'
expect "devices: unknown network" 400
call PATCH "/devices/$A" "$admin" '{"state":"approved"}'
expect "devices: unknown field" 400 '.error.code == "unknown_field"'
call PATCH "/devices/$A" "$admin" '{}'
expect "devices: nothing to change" 400
call PATCH "/devices/$A" "$admin" '{"name":"site-b"}'
expect "devices: name taken" 409
call PATCH "/devices/$A" "$operator" '{"role":"initiator"}'
expect "devices: an operator may not edit" 403
call PATCH "/devices/$Z" "$admin" '{"role":"initiator"}'
expect "devices: another tenant's device is absent" 404
call PATCH /devices/gw-0000000000000000 "$admin" '{"role":"initiator"}'
expect "devices: unknown device" 404
tap_check "bad device edits changed nothing" test "$before" = "$(state)"

call PATCH "/devices/$A" "$admin" '{"role":"responder"}'
expect "devices: set the role" 200 '.role == "responder"'
D key "$tmp/a" "$B"
tap_check "a responder may not request" said "HTTP 403 role"
D key "$tmp/b" "$A"
tap_check "but answers" said "^kid "
call PATCH "/devices/$A" "$admin" '{"role":"initiator"}'
D key "$tmp/b" "$A"
tap_check "an initiator does not answer" said "HTTP 403 role"
D key "$tmp/a" "$B"
tap_check "but requests" said "^kid "
call PATCH "/devices/$L" "$admin" '{"name":"lab-one","network":"default","group":"default"}'
expect "devices: rename and move" 200 '.name == "lab-one" and .network == "default" and .group == "default"'
D key "$tmp/a" "$L"
tap_check "moved into A's network: a key" said "^kid "

# ---- rebind after a clone alert ----
D enroll -m ota-quantum -k "$autokey" --reuse "$tmp/b" "$tmp/b2"
tap_check "a second enrollment of B's key is a clone" said "HTTP 409 clone"
call GET "/devices/$B" "$operator"
expect "the clone attempt shows" 200 '.clone_attempts == 1 and .last_address != ""'
call POST "/devices/$B/rebind" "$operator"
expect "devices: an operator may not rebind" 403
call POST "/devices/$B/rebind" "$admin"
expect "devices: rebind" 200 '.clone_attempts == 0 and .last_address == "" and .rebind'
D enroll -m ota-quantum -k "$autokey" --reuse "$tmp/b" "$tmp/b2"
tap_check "the rebound key enrolls once more: same device, pending" said "device $B pending"
D status "$tmp/b"
tap_check "the old DMK opens nothing any more" said "HTTP 401"
D status "$tmp/b2"
tap_check "the fresh one does" said "state pending"
call POST "/devices/$B/approve" "$operator" '{}'
D enroll -m ota-quantum -k "$autokey" --reuse "$tmp/b" "$tmp/b3"
tap_check "and only once" said "HTTP 409 clone"

# ---- delete ----
call DELETE "/devices/$B" "$operator"
expect "devices: an operator may not delete" 403
call DELETE "/devices/$B" "$admin"
expect "devices: delete" 204
call GET "/devices/$B" "$admin"
expect "devices: deleted is gone" 404
D key "$tmp/a" "$B"
tap_check "no key with a deleted device" said "HTTP 403 policy"
D status "$tmp/b2"
tap_check "a deleted device is unknown" said "HTTP 401"
call GET /audit "$auditor"
expect "audit: rebind, re-enrollment and deletion recorded" 200 \
	'any(.items[]; .action == "device.rebind") and any(.items[]; .action == "device.reenroll") and any(.items[]; .action == "device.delete")'

# ---- the tenant's OTA_TLS switch ----
before=$(state)
call PATCH /tenant "$admin" '{"ota_tls":true}'
expect "tenant: an admin may not switch OTA_TLS" 403
call PATCH /tenant "$owner" '{"ota_tls":"yes"}'
expect "tenant: ota_tls must be a boolean" 400
call PATCH /tenant "$owner" '{}'
expect "tenant: ota_tls required" 400
call PATCH /tenant "$owner" '{"ota_tls":true,"name":"x"}'
expect "tenant: unknown field" 400
tap_check "refused tenant changes changed nothing" test "$before" = "$(state)"
D enroll -m ota-tls -k "$autokey" "$tmp/t1"
tap_check "OTA_TLS is off by default" said "HTTP 403 ota_tls_disabled"
call PATCH /tenant "$owner" '{"ota_tls":true}'
expect "tenant: the owner switches OTA_TLS on" 200 '.ota_tls == true'
D enroll -m ota-tls -k "$autokey" "$tmp/t2"
tap_check "then OTA_TLS enrolls, labelled development only" said "(development only)"
D enroll -m ota-tls -k "$zkey" "$tmp/t3"
tap_check "for this tenant only" said "HTTP 403 ota_tls_disabled"
call PATCH /tenant "$owner" '{"ota_tls":false}'
expect "tenant: and off again" 200 '.ota_tls == false'
D enroll -m ota-tls -k "$autokey" "$tmp/t4"
tap_check "off means refused" said "HTTP 403 ota_tls_disabled"

if grep -q "correct horse\|zebra horse\|pass-bob\|$labkey\|$autokey" "$tmp/log"; then
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
