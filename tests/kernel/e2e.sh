#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The whole system, in one VM: a platform, a router, and three gateways each
# with a LAN behind it, in separate network namespaces.
#
#   ha -- gwa --\                      /-- plat (skap-server 203.0.113.1)
#   hb -- gwb ---+-- router (no LAN routes) 
#   hc -- gwc --/
#
# The administrator makes a manual-accept bootstrap key with a group and a
# QKEY; gateway A enrolls with `skapd bootstrap -k`, B with QKEY, C with
# OTA_QUANTUM. They stay pending until approved with skapctl.
# The first ping from A's LAN to B's triggers acquire, a key ticket,
# the SKAP exchange and ESP SAs; the router only ever sees ESP. Keys are in
# the keyring and cannot be read back; a continuous ping survives 20 rekeys
# and a restart of skapd without losing a packet; revoking B ends its keys.
# Bad paths: wrong, deleted bootstrap key, wrong QKEY, unapproved device,
# peer in an unpeered network, each refused with a clear message. skapctl
# on gateway A joins an installed SA's SPI to the key id the platform's
# audit log holds, and shows the revoked peer's link failed closed.
#
# SKAP_E2E_NARRATE=1 (make demo) tells the story on the console as it goes.
. /vm/tap.sh
IP=/usr/sbin/ip
NARRATE=${SKAP_E2E_NARRATE:-0}
W=/tmp/e2e
URL=https://203.0.113.1:8443
SRV=$W/srv
CA=$SRV/tls.crt
REKEYS=${SKAP_E2E_REKEYS:-20}

say() {
	[ "$NARRATE" = 1 ] && printf '\nskap-demo: %s\n' "$*"
	echo "# -- $*"
}

# show CMD...: runs CMD, and in narration shows it with its output.
show() {
	if [ "$NARRATE" = 1 ]; then
		echo "  \$ $*"
		"$@" 2>&1 | sed 's/^/    /'
	else
		"$@" >/dev/null 2>&1
	fi
}

in_ns() {
	_ns=$1
	shift
	$IP netns exec "e2e-$_ns" "$@"
}

# wait_for SECONDS COMMAND...: polls COMMAND every 0.2 s.
wait_for() {
	_n=$(($1 * 5))
	shift
	while [ "$_n" -gt 0 ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.2
		_n=$((_n - 1))
	done
	return 1
}

cleanup() {
	for p in $W/*.pid; do
		[ -f "$p" ] && kill "$(cat "$p")" 2>/dev/null
	done
	sleep 0.3
	for n in plat router gwa gwb gwc ha hb hc; do
		$IP netns del "e2e-$n" 2>/dev/null
	done
}

# ---- topology ----
# veth NS1 IF1 ADDR1 NS2 IF2 ADDR2
veth() {
	$IP link add "$2" netns "e2e-$1" type veth peer name "$5" netns "e2e-$4" || return 1
	$IP -n "e2e-$1" addr add "$3" dev "$2" && $IP -n "e2e-$1" link set "$2" up &&
		$IP -n "e2e-$4" addr add "$6" dev "$5" && $IP -n "e2e-$4" link set "$5" up
}

topology() {
	for n in plat router gwa gwb gwc ha hb hc; do
		$IP netns add "e2e-$n" || return 1
		$IP -n "e2e-$n" link set lo up
		# No IPv6 chatter: the router's counters must count our traffic only.
		in_ns $n sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1 || return 1
	done
	veth router r-plat 203.0.113.254/24 plat eth0 203.0.113.1/24 &&
		veth router r-a 192.0.2.1/26 gwa wan 192.0.2.2/26 &&
		veth router r-b 192.0.2.65/26 gwb wan 192.0.2.66/26 &&
		veth router r-c 192.0.2.129/26 gwc wan 192.0.2.130/26 &&
		veth gwa lan 198.51.100.1/26 ha eth0 198.51.100.10/26 &&
		veth gwb lan 198.51.100.65/26 hb eth0 198.51.100.74/26 &&
		veth gwc lan 198.51.100.129/26 hc eth0 198.51.100.138/26 || return 1
	# The router knows the WAN and the platform, never a LAN: clear LAN
	# traffic could not even cross it.
	in_ns router sysctl -q -w net.ipv4.ip_forward=1 || return 1
	$IP -n e2e-plat route add default via 203.0.113.254 || return 1
	for g in a b c; do
		in_ns gw$g sysctl -q -w net.ipv4.ip_forward=1 || return 1
	done
	$IP -n e2e-gwa route add default via 192.0.2.1 &&
		$IP -n e2e-gwb route add default via 192.0.2.65 &&
		$IP -n e2e-gwc route add default via 192.0.2.129 &&
		$IP -n e2e-ha route add default via 198.51.100.1 &&
		$IP -n e2e-hb route add default via 198.51.100.65 &&
		$IP -n e2e-hc route add default via 198.51.100.129
}

# ---- the platform and its administrators ----
# Note: anything that leaves a process in the background runs outside
# tap_check, whose $(...) would wait for that process to end.
# ctl AS ARGS...: skapctl in the platform's namespace with AS's session.
ctl() {
	_who=$1
	shift
	SKAPCTL_SESSION=$W/$_who.session in_ns plat /usr/sbin/skapctl -s $URL --ca $CA "$@"
}

platform() {
	echo "correct horse" | in_ns plat /usr/sbin/skap-server init -d $SRV -t acme -u alice \
		--password-stdin --san IP:203.0.113.1 >$W/init.out 2>&1 || return 1
	in_ns plat /usr/sbin/skap-server serve -d $SRV -l 203.0.113.1 -p 8443 \
		--port-file $W/port >$W/server.log 2>&1 &
	echo $! >$W/server.pid
	wait_for 20 test -s $W/port
}

login() {
	echo "$2" | ctl "$1" login -u "$1" --password-stdin
}

# field NAME FILE: the value of a "NAME: value" line of a skapctl answer.
field() {
	sed -n "s/^$1: *//p" "$2" | head -n 1
}

# has FILE PATTERN: FILE holds PATTERN (shown when not).
has() {
	grep -q -- "$2" "$1" && return 0
	sed 's/^/    /' "$1"
	return 1
}

# ---- gateways ----
# skapd_conf GW LINKS...: the [skapd] section of GW; links are appended.
skapd_conf() {
	_g=$1
	cat >$W/$_g.conf <<EOF
[skapd]
platform = $URL
ca = $CA
state-dir = $W/$_g
control = $W/$_g.run/skapd.sock
listen = $(gw_wan $_g)
log-level = debug
EOF
}

gw_wan() {
	case $1 in
	gwa) echo 192.0.2.2 ;;
	gwb) echo 192.0.2.66 ;;
	gwc) echo 192.0.2.130 ;;
	esac
}

gw_lan() {
	case $1 in
	gwa) echo 198.51.100.0/26 ;;
	gwb) echo 198.51.100.64/26 ;;
	gwc) echo 198.51.100.128/26 ;;
	esac
}

# add_link GW NAME PEER-GW PEER-ID [KEY = VALUE...]
add_link() {
	_g=$1 _name=$2 _p=$3 _id=$4
	shift 4
	{
		echo
		echo "[link $_name]"
		echo "peer = $_id"
		echo "peer-address = $(gw_wan $_p)"
		echo "local-address = $(gw_wan $_g)"
		echo "local = $(gw_lan $_g)"
		echo "remote = $(gw_lan $_p)"
		for kv in "$@"; do
			echo "$kv"
		done
	} >>$W/$_g.conf
}

# local GW ARGS...: skapctl's local view of GW's skapd.
local_ctl() {
	_g=$1
	shift
	in_ns "$_g" /usr/sbin/skapctl "$@" --socket $W/$_g.run/skapd.sock
}

# jget FILE STEP...: one value of a saved JSON answer (no jq in the VM).
jget() {
	_f=$1
	shift
	/vm/tools/ctlsock json "$@" <"$_f"
}

# Not through in_ns: $! must be skapd itself (ip netns exec execs it), or
# stop_skapd would end a subshell and leave skapd running.
start_skapd() {
	$IP netns exec "e2e-$1" /usr/sbin/skapd -c $W/$1.conf >>$W/$1.log 2>&1 &
	echo $! >$W/$1.pid
	wait_for 10 grep -q "policies:" $W/$1.log
}

stop_skapd() {
	kill -TERM "$(cat $W/$1.pid)" 2>/dev/null
	_n=50
	while kill -0 "$(cat $W/$1.pid)" 2>/dev/null && [ $_n -gt 0 ]; do
		sleep 0.1
		_n=$((_n - 1))
	done
	rm -f $W/$1.pid
}


# esp_states GW: the number of ESP states in GW's namespace.
esp_states() {
	$IP -n "e2e-$1" xfrm state | grep -c '^src'
}

# ping_loss FROM TO SECONDS: pings every 0.2 s; prints the packets lost.
ping_stats() {
	in_ns "$1" ping -q -i 0.2 -w "$3" -W 1 "$2" 2>&1 |
		sed -n 's/^\([0-9]*\) packets transmitted, \([0-9]*\) packets received.*/\1 \2/p'
}

tap_begin
for p in skapd skapctl skap-server; do
	if [ ! -x /usr/sbin/$p ]; then
		tap_fail "$p is in the image" "build it (make) before make vm-prereqs"
		tap_end
	fi
done
rm -rf $W
mkdir -p $W
trap cleanup EXIT
modprobe skap
say "building the network: platform, router, three gateways, three LANs"
tap_check "topology: 8 namespaces joined over veth" topology
tap_check "the gateways reach the platform through the router" \
	in_ns gwa ping -c 1 -W 2 203.0.113.1
tap_check_fails "the router has no route between the LANs" \
	in_ns ha ping -c 1 -W 1 198.51.100.74

say "the platform: tenant acme, its owner alice"
# Background processes start outside tap_check: its $(...) would wait for them.
platform
tap_status $? "skap-server init, a second tenant, serve"
tap_check "alice logs in" login alice "correct horse"
say "alice makes a manual-accept bootstrap key for a production batch"
ctl alice bootstrap-key create batch-2026 --manual-accept >$W/bkey.out 2>&1
tap_check "manual-accept bootstrap key created" grep -q "^key:" $W/bkey.out
BKEY=$(field key $W/bkey.out)
BKEY_ID=$(field id $W/bkey.out)
[ "$NARRATE" = 1 ] && sed 's/^key: .*/key: (shown once; kept by the operator)/; s/^/    /' $W/bkey.out
say "alice makes a QKEY for gateway B (delivered out of band)"
ctl alice qkey create --device-name gw-b >$W/qkey.out 2>&1
tap_check "QKEY created" grep -q "^qkey:" $W/qkey.out
QKEY_ID=$(field qkey_id $W/qkey.out)
field qkey $W/qkey.out >$W/qkey.b64

say "gateway A enrolls with the bootstrap key (skapd bootstrap -k)"
skapd_conf gwa
skapd_conf gwb
skapd_conf gwc
tap_check "A: skapd bootstrap -k answers pending" \
	eval "in_ns gwa /usr/sbin/skapd bootstrap -k $BKEY -c $W/gwa.conf --name gw-a --no-wait \
		>$W/gwa.enroll 2>&1; grep -q pending $W/gwa.enroll"
[ "$NARRATE" = 1 ] && sed 's/^/    /' $W/gwa.enroll
say "gateway B enrolls with its QKEY"
tap_check "B: skapd enroll --method qkey answers pending" \
	eval "in_ns gwb /usr/sbin/skapd enroll --method qkey --qkey-id $QKEY_ID \
		--qkey-file $W/qkey.b64 --bootstrap-key $BKEY -c $W/gwb.conf --name gw-b --no-wait \
		>$W/gwb.enroll 2>&1; grep -q pending $W/gwb.enroll"
say "gateway C enrolls over the air, post-quantum (OTA_QUANTUM)"
tap_check "C: skapd enroll --method ota-quantum answers pending" \
	eval "in_ns gwc /usr/sbin/skapd enroll --method ota-quantum --bootstrap-key $BKEY \
		-c $W/gwc.conf --name gw-c --no-wait >$W/gwc.enroll 2>&1; grep -q pending $W/gwc.enroll"
for g in gwa gwb gwc; do
	tap_check "$g: identity and DMK are 0600, the credential is not stored" \
		eval "test \"\$(stat -c %a $W/$g/identity.key)\" = 600 && ! grep -rqF -- '$BKEY' $W/$g"
done

say "the pending list shows what each device reported; alice approves A and B"
show ctl alice device list --state pending
ctl alice -j device list --state pending >$W/pending.json
tap_check "A, B and C are pending" eval "grep -c '\"state\": *\"pending\"' $W/pending.json | grep -qx 3"
A_ID=$(sed -n 's/^device id: *//p' $W/gwa.enroll)
B_ID=$(sed -n 's/^device id: *//p' $W/gwb.enroll)
C_ID=$(sed -n 's/^device id: *//p' $W/gwc.enroll)
tap_check "alice approves A" ctl alice device approve "$A_ID"
tap_check "alice approves B" ctl alice device approve "$B_ID"
for g in gwa gwb; do
	tap_check "$g: skapd enroll --wait collects the certificate" \
		in_ns $g /usr/sbin/skapd enroll --wait -c $W/$g.conf
done

say "links: A <-> B, and A <-> C (C stays unapproved)"
add_link gwa to-b gwb "$B_ID" "lifetime = 4s" "rekey-after = 2s"
add_link gwb to-a gwa "$A_ID" "lifetime = 4s" "rekey-after = 2s"
add_link gwa to-c gwc "$C_ID"
add_link gwc to-a gwa "$A_ID"
for g in gwa gwb; do
	start_skapd $g
	tap_status $? "$g: skapd starts and installs its policies"
done

say "the first ping from A's LAN to B's LAN: acquire, key ticket, SKAP, SAs"
# Not through in_ns: $! must be the counter itself (ip netns exec execs it).
$IP netns exec e2e-router /vm/tools/pktcount r-a 198.51.100.0/24 >$W/capture 2>&1 &
echo $! >$W/capture.pid
wait_for 5 grep -q ready $W/capture
tap_check "a ping from ha reaches hb through the tunnel" \
	in_ns ha ping -c 5 -W 10 198.51.100.74
tap_check "A has inbound and outbound ESP states" test "$(esp_states gwa)" -ge 2
show $IP -n e2e-gwa -s xfrm state

say "traffic is encrypted: the router sees ESP between the gateways, no LAN address"
in_ns ha ping -c 3 -i 0.2 -W 2 198.51.100.74 >/dev/null 2>&1
# Now, before the 2-second rekeys retire the SAs that carried the pings.
$IP -n e2e-gwa -s xfrm state >$W/states
kill -TERM "$(cat $W/capture.pid)"
wait_for 5 grep -q "esp=" $W/capture
show cat $W/capture
tap_check "the router counted ESP packets" has $W/capture "esp=[1-9]"
tap_check "and no packet with a LAN address (watched=0)" has $W/capture "watched=0"
tap_check "A's states counted the packets" has $W/states "[1-9][0-9]*(packets)"

say "keys are in the kernel keyring: keyctl shows them, reading one fails"
in_ns gwa grep ' skap ' /proc/keys >$W/keys
show cat $W/keys
tap_check "A's keyring holds skap keys for B" grep -q ":$B_ID:" $W/keys
serial=$(printf '%d' "0x$(head -n 1 $W/keys | cut -d' ' -f1)")
tap_check_fails "keyctl read of a skap key fails" in_ns gwa keyctl read "$serial"
[ "$NARRATE" = 1 ] && grep "SA pair installed" $W/gwa.log | head -n 1 | sed 's/^/    /'
tap_check "skapd's log joins SPI, key id and keyring serials" \
	grep -q "link to-b: SA pair installed .* key id [0-9a-f]\{32\}, keyring serials" $W/gwa.log
KID=$(sed -n 's/.*link to-b: SA pair installed .* key id \([0-9a-f]*\),.*/\1/p' $W/gwa.log | head -n 1)
tap_check "the platform's audit log holds the same key id" \
	eval "[ -n '$KID' ] && ctl alice audit list --limit 1000 | grep -q '$KID'"

say "skapctl on A: the SA in place, its SPI, the platform's key id, the keyring serial"
show local_ctl gwa sas
# Rekeys come every 2 s and SAs live 4 s: the four views are taken at once,
# and taken again (5 times at most) when an SA expired between two of them
# on a loaded machine.
for _ in 1 2 3 4 5; do
	local_ctl gwa -j sas >$W/gwa.sas.json 2>&1
	$IP -n e2e-gwa xfrm state >$W/gwa.xfrm 2>&1
	local_ctl gwa keys >$W/gwa.keys 2>&1
	local_ctl gwa links >$W/gwa.links 2>&1
	SPI=$(jget $W/gwa.sas.json sas direction=out spi)
	SA_KID=$(jget $W/gwa.sas.json sas spi=$SPI key_id)
	SA_SERIAL=$(jget $W/gwa.sas.json sas spi=$SPI key_serial)
	grep -q "spi $SPI " $W/gwa.xfrm && grep -q "^$SA_SERIAL " $W/gwa.keys && break
	sleep 0.3
done
tap_check "skapctl sas on A shows an outbound SA of link to-b, negotiated by this skapd" \
	test "$(jget $W/gwa.sas.json sas spi=$SPI link) $(jget $W/gwa.sas.json sas spi=$SPI recorded)" = "to-b true"
tap_check "its SPI is a state in the kernel (ip xfrm state)" has $W/gwa.xfrm "spi $SPI "
tap_check "skapd's log installed that SPI with that key id and serial" \
	eval "grep 'link to-b: SA pair installed' $W/gwa.log | grep 'out $SPI, key id $SA_KID,' | grep -q '/$SA_SERIAL\$'"
tap_check "the platform's audit log holds the key id skapctl shows" \
	eval "[ -n '$SA_KID' ] && ctl alice audit list --limit 1000 | grep -q '$SA_KID'"
tap_check "skapctl keys on A shows that key with its peer, never its bytes" \
	eval "grep '^$SA_SERIAL ' $W/gwa.keys | grep -q '$SA_KID *$B_ID *to-b *out'"
tap_check "skapctl links on A: to-b is up, with its last negotiation's time" \
	eval "grep -q '^to-b .* up  *[0-9][0-9]* *20[0-9-]*T' $W/gwa.links"
local_ctl gwa -j status >$W/gwa.status.json 2>&1
tap_check "skapctl status on A: its device id, approved, the fingerprint it enrolled with" \
	test "$(jget $W/gwa.status.json device id) $(jget $W/gwa.status.json device approved) $(jget $W/gwa.status.json device fingerprint)" = \
	"$A_ID true $(sed -n 's/^fingerprint: *//p' $W/gwa.enroll)"
tap_check "and when its certificate expires" \
	test "$(jget $W/gwa.status.json device certificate_expires)" -gt "$(date +%s)"

say "a continuous ping across $REKEYS rekeys (lifetime 4 s, rekey after 2 s)"
secs=$((REKEYS * 2 + 2))
before=$(grep -c "link to-b: SA pair installed" $W/gwa.log)
set -- $(ping_stats ha 198.51.100.74 $secs)
sent=${1:-0} got=${2:-0}
rekeys=$(($(grep -c "link to-b: SA pair installed" $W/gwa.log) - before))
[ "$NARRATE" = 1 ] && echo "    $sent sent, $got received, $rekeys SA pairs installed on A"
tap_check "at least $REKEYS rekeys happened during the ping" test "$rekeys" -ge "$REKEYS"
tap_check "no packet was lost ($got of $sent)" test "$sent" -gt 0 -a "$sent" -eq "$got"

say "skapd on A restarts while traffic flows"
in_ns ha ping -q -i 0.2 -w 8 -W 1 198.51.100.74 >$W/restart.ping 2>&1 &
ping_pid=$!
sleep 1
stop_skapd gwa
start_skapd gwa
tap_status $? "skapd on A restarts"
wait $ping_pid
tap_check "no packet lost across the restart" grep -q " 0% packet loss" $W/restart.ping

say "bad paths, each refused with a clear message"
in_ns gwc /usr/sbin/skapd bootstrap -k skb1_$(printf '%064d' 7) -c $W/gwc.conf \
	--state-dir $W/bad1 --no-wait >$W/bad1.out 2>&1
tap_check "a wrong bootstrap key is refused" has $W/bad1.out "enrollment refused"
ctl alice bootstrap-key create spare --manual-accept >$W/bkey2.out 2>&1
BKEY2=$(field key $W/bkey2.out)
ctl alice bootstrap-key delete "$BKEY_ID" >/dev/null 2>&1
in_ns gwc /usr/sbin/skapd bootstrap -k "$BKEY" -c $W/gwc.conf --state-dir $W/bad2 \
	--no-wait >$W/bad2.out 2>&1
tap_check "a deleted bootstrap key is refused" has $W/bad2.out "enrollment refused"
tap_check "devices it enrolled are not affected" \
	eval "ctl alice -j device show '$A_ID' | grep -q '\"approved\"'"
printf '%s\n' "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=" >$W/wrong.qkey
ctl alice qkey create >$W/qkey2.out 2>&1
in_ns gwc /usr/sbin/skapd enroll --method qkey --qkey-id "$(field qkey_id $W/qkey2.out)" \
	--qkey-file $W/wrong.qkey --bootstrap-key "$BKEY2" -c $W/gwc.conf --state-dir $W/bad3 \
	--no-wait >$W/bad3.out 2>&1
tap_check "a wrong QKEY is refused" has $W/bad3.out "enrollment refused"
tap_check "a ping from A's LAN to C's (C unapproved) gets no keys" \
	eval "! in_ns ha ping -c 2 -W 2 198.51.100.138"
tap_check "A's log tells why" wait_for 10 grep -q "link to-c: the platform refused a key .*peer_not_approved" $W/gwa.log
say "alice approves C, but into another network, not peered with A's"
tap_check "alice makes a network 'lab'" ctl alice network create lab
tap_check "alice approves C and moves it to 'lab'" \
	eval "ctl alice device approve '$C_ID' && ctl alice device move '$C_ID' --network lab &&
		ctl alice -j device show '$C_ID' | grep -q '\"network\": *\"lab\"'"
# The kernel sends no new acquire while the larval SA of the first refusal
# lives (xfrm_acq_expires, 30 s): A starts the link itself instead, by a
# reload that makes it start = immediate.
sed -i 's/^\[link to-c\]$/[link to-c]\nstart = immediate/' $W/gwa.conf
tap_check "skapctl reload on A applies the change" eval "local_ctl gwa reload | grep -q '^reloaded '"
if wait_for 15 grep -q "link to-c: the platform refused a key .*(policy)" $W/gwa.log; then
	tap_ok "A asks for a key with C and is refused: another network (policy)"
else
	tap_fail "A asks for a key with C and is refused: another network (policy)" \
		"$(grep to-c $W/gwa.log | tail -n 6)"
fi
tap_check "a ping from A's LAN to C's (unpeered network) gets no keys" \
	eval "! in_ns ha ping -c 2 -W 2 198.51.100.138"

say "alice revokes B: its keys end, its link goes down, traffic stops (fail closed)"
tap_check "revoke B" ctl alice device revoke "$B_ID" --reason "stolen"
tap_check "A's link to B gets no new key" \
	wait_for 15 grep -q "link to-b: the platform refused a key .*peer_not_approved" $W/gwa.log
sleep 5
tap_check "no SA towards B remains on A" eval "[ \$($IP -n e2e-gwa xfrm state | grep -c 192.0.2.66) -eq 0 ]"
tap_check_fails "traffic from A's LAN to B's is dropped, not sent in clear" \
	in_ns ha ping -c 2 -W 1 198.51.100.74
show local_ctl gwa links
local_ctl gwa -j links >$W/gwa.links.json 2>&1
tap_check "skapctl links on A shows to-b failed closed" \
	test "$(jget $W/gwa.links.json links name=to-b state) $(jget $W/gwa.links.json links name=to-b sas)" = "failed-closed 0"
tap_check "with the platform's reason" \
	eval "jget $W/gwa.links.json links name=to-b last_error | grep -q peer_not_approved"
tap_check "and the time it failed" test "$(jget $W/gwa.links.json links name=to-b failed_at)" != null
tap_check "to-c (C never approved) is failed closed too" \
	test "$(jget $W/gwa.links.json links name=to-c state)" = failed-closed
tap_end
