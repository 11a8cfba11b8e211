#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# skapd as a process against the real module: it installs its links'
# policies, reports acquires, applies a reload without touching unchanged
# links, refuses a broken reload, leaves policies in place when stopped, and
# a restart with the same configuration changes nothing. Its control socket
# (skapctl status, links, sas, keys, reload) answers root and the socket's
# group only, refuses malformed requests without changing anything, and
# joins the module's SAs to their key ids.
. /vm/tap.sh
IP=/usr/sbin/ip
tap_begin
if [ ! -x /usr/sbin/skapd ]; then
	tap_fail "skapd is in the image" "build skapd (make) before make vm-prereqs"
	tap_end
fi
dir=/tmp/skapd-test
mkdir -p $dir
# Others may walk to the control socket's directory: its own mode decides.
chmod 0755 $dir
log=$dir/log
conf=$dir/skapd.conf
$IP xfrm policy flush

cat >$conf <<CONF
[skapd]
platform = https://platform.example
control = $dir/run/skapd.sock

[link b]
peer = dev-b
peer-address = 203.0.113.2
local-address = 198.51.100.1
local = 192.0.2.0/25
remote = 192.0.2.128/25
CONF

# wait_log PATTERN: up to 10 s for PATTERN to appear in the log.
wait_log() {
	i=0
	while [ $i -lt 100 ]; do
		grep -q "$1" $log && return 0
		sleep 0.1
		i=$((i + 1))
	done
	echo "# log so far:"
	sed 's/^/#   /' $log
	return 1
}
policies() {
	$IP xfrm policy | grep -c '^src'
}
# has FILE PATTERN: FILE holds PATTERN (shown when not).
has() {
	grep -q -- "$2" "$1" && return 0
	sed 's/^/    /' "$1"
	return 1
}

/usr/sbin/skapd -c $conf >$log 2>&1 &
pid=$!
tap_check "skapd starts and installs the link's policies" wait_log "policies: 0 kept, 3 added, 0 removed (1 link)"
tap_check "ip xfrm policy shows out, in and fwd" test "$(policies)" -eq 3

# Traffic for the link, with no SA yet: the module reports an acquire.
$IP link add wan0 type veth peer name wan1
# No IPv6 chatter: the packet counters below must count our traffic only.
sysctl -q -w net.ipv6.conf.wan0.disable_ipv6=1 net.ipv6.conf.wan1.disable_ipv6=1
$IP addr add 198.51.100.1/24 dev wan0
$IP link set wan0 up
$IP link set wan1 up
$IP addr add 192.0.2.1/32 dev lo
$IP route add 192.0.2.128/25 via 198.51.100.2 src 192.0.2.1
ping -c 1 -W 1 192.0.2.130 >/dev/null 2>&1
tap_check "an acquire reaches skapd with its link" wait_log "link b: traffic to peer dev-b waits for keys"
tx_packets() {
	cat /sys/class/net/wan0/statistics/tx_packets
}
before=$(tx_packets)
ping -c 2 -W 1 192.0.2.130 >/dev/null 2>&1
tap_check "without an SA nothing leaves the WAN link (fail closed)" test "$(tx_packets)" -eq "$before"

cat >>$conf <<CONF

[link c]
peer = dev-c
peer-address = 203.0.113.3
local-address = 198.51.100.1
mode = transport
CONF
kill -HUP $pid
tap_check "SIGHUP adds the new link and keeps the other" wait_log "policies: 3 kept, 2 added, 0 removed (2 links)"

cp $conf $dir/good.conf
echo "lifetime = forever" >>$conf
kill -HUP $pid
tap_check "a broken reload is refused with the file and line" wait_log "skapd.conf:17: lifetime 'forever' is not a duration"
tap_check "and the running configuration stays" wait_log "reload refused"
tap_check "policies are unchanged" test "$(policies)" -eq 5
cp $dir/good.conf $conf

# ---- the control socket (skapctl's local view) ----
sock=$dir/run/skapd.sock
CS=/vm/tools/ctlsock
ctl() {
	/usr/sbin/skapctl "$@" --socket $sock
}
# jget FILE STEP...: one value of a saved JSON answer (no jq in the VM).
jget() {
	_f=$1
	shift
	$CS json "$@" <"$_f"
}
# raw REQUEST [ctlsock options]: REQUEST as it is, the answer on stdout.
raw() {
	_r=$1
	shift
	printf '%s' "$_r" | $CS send "$@" $sock
}
# refused_with REQUEST TEXT: skapd answers ok false with TEXT in the error.
refused_with() {
	raw "$1" >$dir/raw.out 2>&1
	test "$(jget $dir/raw.out ok)" = false && jget $dir/raw.out error | grep -q -- "$2" && return 0
	sed 's/^/    /' $dir/raw.out
	return 1
}

tap_check "the control directory is 0750 and the socket 0660, both root's" \
	test "$(stat -c '%a %u' $dir/run) $(stat -c '%a %u' $sock)" = "750 0 660 0"
for c in status links sas keys; do
	tap_check "skapctl $c answers" ctl $c
	ctl -j $c >$dir/$c.json 2>&1
	tap_check "skapctl -j $c is one JSON object with ok true" test "$(jget $dir/$c.json ok)" = true
done
tap_check "status: not enrolled, this configuration, two links" \
	test "$(jget $dir/status.json device enrolled) $(jget $dir/status.json config) $(jget $dir/status.json links)" = "false $conf 2"
tap_check "skapctl status says the device is not enrolled" eval "ctl status | grep -q 'not enrolled'"
tap_check "links: b is failed-closed (no keys can be had), and says why" \
	test "$(jget $dir/links.json links name=b state)" = failed-closed -a \
	-n "$(jget $dir/links.json links name=b last_error | grep 'not enrolled')"
tap_check "links: b's selectors and peer address" \
	test "$(jget $dir/links.json links name=b local 0) $(jget $dir/links.json links name=b remote 0) $(jget $dir/links.json links name=b peer_address)" = "192.0.2.0/25 192.0.2.128/25 203.0.113.2:7520"
tap_check "sas: none yet" test "$(jget $dir/sas.json sas '#')" = 0

# Link b's SAs, put in as skapd would (key, then SA), by a process that is
# not this skapd: skapd has no record of them, only the module has.
set -- $(/vm/tools/satool b out 198.51.100.1 203.0.113.2 0x1001 dev-b)
SERIAL_OUT=$2 KID_OUT=$4
set -- $(/vm/tools/satool b in 203.0.113.2 198.51.100.1 0x1002 dev-b)
KID_IN=$4
tap_check "two SAs for link b in the module" test -n "$KID_OUT" -a -n "$KID_IN"
ctl -j sas >$dir/sas.json 2>&1
tap_check "sas: the outbound SA with its link, peer, key id and keyring serial" \
	test "$(jget $dir/sas.json sas spi=0x00001001 link) $(jget $dir/sas.json sas spi=0x00001001 peer) $(jget $dir/sas.json sas spi=0x00001001 key_id) $(jget $dir/sas.json sas spi=0x00001001 key_serial)" = "b dev-b $KID_OUT $SERIAL_OUT"
tap_check "sas: the inbound one, its key id read from the keyring" \
	test "$(jget $dir/sas.json sas spi=0x00001002 direction) $(jget $dir/sas.json sas spi=0x00001002 key_id)" = "in $KID_IN"
tap_check "sas: not negotiated by this skapd: the time is unknown, not made up" \
	test "$(jget $dir/sas.json sas spi=0x00001001 negotiated_at) $(jget $dir/sas.json sas spi=0x00001001 recorded)" = "null false"
tap_check "sas: counters and lifetimes from the module" \
	test "$(jget $dir/sas.json sas spi=0x00001001 counters packets) $(jget $dir/sas.json sas spi=0x00001001 lifetime hard_seconds)" = "0 3600"
tap_check "skapctl sas prints the SPI and key id in its table" \
	eval "ctl sas | grep '^0x00001001 ' | grep -q '$KID_OUT'"
ctl -j keys >$dir/keys.json 2>&1
tap_check "keys: the key by its id, with peer, link, direction, SPI" \
	test "$(jget $dir/keys.json keys key_id=$KID_OUT peer) $(jget $dir/keys.json keys key_id=$KID_OUT link) $(jget $dir/keys.json keys key_id=$KID_OUT direction) $(jget $dir/keys.json keys key_id=$KID_OUT spi) $(jget $dir/keys.json keys key_id=$KID_OUT in_use)" = "dev-b b out 0x00001001 true"
tap_check "keys: no member carries key material" \
	eval "! grep -qi '\"key\"\\|secret\\|material' $dir/keys.json"
ctl -j links >$dir/links.json 2>&1
tap_check "links: b is up with 2 SAs and a next rekey" \
	test "$(jget $dir/links.json links name=b state) $(jget $dir/links.json links name=b sas)" = "up 2" -a \
	"$(jget $dir/links.json links name=b next_rekey)" != null

# Who may use it.
tap_check "uid 65534 cannot even connect (the file's mode)" \
	eval "raw '{\"command\":\"status\"}' --uid 65534 2>&1 | grep -q 'Permission denied'"
raw '{"command":"status"}' --uid 65534 --gid 0 >$dir/raw.out 2>&1
tap_check "a member of the socket's group (gid 0) may" has $dir/raw.out '"ok":true'
chmod 0755 $dir/run
chmod 0666 $sock
raw '{"command":"sas"}' --uid 65534 >$dir/raw.out 2>&1
tap_check "with the mode opened wide, uid 65534 is still refused (SO_PEERCRED)" \
	has $dir/raw.out '"ok":false,"error":"permission denied'
tap_check "and learns nothing of the SAs" eval "! grep -q 00001001 $dir/raw.out"
tap_check "skapd logs the refusal with the client's uid" wait_log "control: refused a client (pid [0-9]*, uid 65534"
chmod 0750 $dir/run
chmod 0660 $sock

# Malformed requests: a clear error each, nothing changes.
tap_check "not JSON is refused" refused_with 'status
' "not JSON"
tap_check "JSON that is not an object is refused" refused_with '["status"]
' "not a JSON object"
tap_check "a request without a command string is refused" refused_with '{"command": 5}
' 'no "command" string'
tap_check "an unknown member is refused" refused_with '{"command":"status","all":true}
' 'unknown member "all"'
tap_check "an unknown command is refused" refused_with '{"command":"flush"}
' 'unknown command "flush"'
tap_check "a duplicated member is refused" refused_with '{"command":"status","command":"reload"}
' "not JSON"
tap_check "a request over 4096 bytes is refused" \
	refused_with "$(head -c 5000 /dev/zero | tr '\0' ' ')" "longer than 4096 bytes"
tap_check "a request without an end of line still ends with the connection" \
	eval "raw '{\"command\":\"status\"}' | grep -q '\"ok\":true'"
raw '' --hold >$dir/raw.out 2>&1
tap_check "a silent client is answered and dropped after 5 s" \
	eval "jget $dir/raw.out error | grep -q 'no complete request within 5 s'"
for i in 1 2 3 4 5 6 7 8; do
	raw '{"command":"links"}' --hang-up
done
sleep 0.5
tap_check "clients that hang up before the answer do not harm skapd" \
	eval "raw '{\"command\":\"status\"}' | grep -q '\"ok\":true'"
held=
for i in 1 2 3 4; do
	raw '' --hold >/dev/null 2>&1 &
	held="$held $!"
done
sleep 1
raw '{"command":"status"}' >$dir/raw.out 2>&1
tap_check "a fifth client at once is told skapd is busy" \
	eval "jget $dir/raw.out error | grep -q 'busy'"
wait $held
tap_check "skapd still runs, its policies unchanged" test "$(policies)" -eq 5 -a -d /proc/$pid
tap_check "and its SAs too" test "$(ctl -j sas | $CS json sas '#')" = 2

# Reload over the socket.
ctl -j sas >$dir/sas.before 2>&1
echo "lifetime = forever" >>$conf
ctl reload >$dir/reload.out 2>&1
rc=$?
tap_check "skapctl reload refuses a broken file (exit 1)" test "$rc" -eq 1
tap_check "with its file:line diagnostics" has $dir/reload.out "skapd.conf:17: lifetime 'forever' is not a duration"
ctl -j links >$dir/links.json 2>&1
tap_check "the running links are unchanged" \
	test "$(jget $dir/links.json links '#') $(jget $dir/links.json links name=b state) $(policies)" = "2 up 5"
# Link c's peer moves (its policies change), link d is added, b stays.
sed 's/^peer-address = 203.0.113.3$/peer-address = 203.0.113.33/' $dir/good.conf >$conf
cat >>$conf <<CONF

[link d]
peer = dev-d
peer-address = 203.0.113.4
local-address = 198.51.100.1
mode = transport
CONF
ctl reload >$dir/reload.out 2>&1
rc=$?
tap_check "skapctl reload applies a good file (exit 0)" test "$rc" -eq 0
tap_check "and says what it did" has $dir/reload.out "3 links; policies 3 kept, 4 added, 0 replaced, 2 removed"
ctl -j links >$dir/links.json 2>&1
tap_check "the added link appears" test "$(jget $dir/links.json links name=d peer)" = dev-d
tap_check "the changed link has its new peer address" \
	test "$(jget $dir/links.json links name=c peer_address)" = 203.0.113.33:7520
ctl -j sas >$dir/sas.after 2>&1
tap_check "link b's SAs are untouched (same SPIs, same add time)" \
	test "$(jget $dir/sas.before sas spi=0x00001001 add_time) $(jget $dir/sas.before sas spi=0x00001002 add_time) 2" = \
	"$(jget $dir/sas.after sas spi=0x00001001 add_time) $(jget $dir/sas.after sas spi=0x00001002 add_time) $(jget $dir/sas.after sas '#')"
cp $dir/good.conf $conf
ctl -j reload >$dir/reload.json 2>&1
tap_check "removing the link again over the socket (and c back as it was)" \
	test "$(jget $dir/reload.json accepted) $(jget $dir/reload.json policies removed) $(policies)" = "true 4 5"
tap_check "b's SAs are still there" test "$(ctl -j sas | $CS json sas '#')" = 2

kill -TERM $pid
wait $pid
rc=$?
tap_check "SIGTERM stops skapd with status 0" test "$rc" -eq 0
tap_check "its policies stay in place for a restart" test "$(policies)" -eq 5

: >$log
/usr/sbin/skapd -c $conf >$log 2>&1 &
pid=$!
tap_check "a restart with the same configuration changes nothing" wait_log "policies: 5 kept, 0 added, 0 removed (2 links)"
ctl -j sas >$dir/sas.restart 2>&1
tap_check "after a restart skapctl sas shows link b's SA with its key id from the keyring" \
	test "$(jget $dir/sas.restart sas spi=0x00001001 key_id)" = "$KID_OUT"
kill -TERM $pid
wait $pid

# The same traffic without skap's policies does leave: the counter can move.
$IP xfrm policy flush
before=$(tx_packets)
ping -c 1 -W 1 192.0.2.130 >/dev/null 2>&1
tap_check "without policies the same traffic leaves in clear (the check above can fail)" \
	test "$(tx_packets)" -gt "$before"

echo "lifetime = forever" >>$conf
tap_check_fails "skapd refuses to start on a broken file" /usr/sbin/skapd -c $conf
$IP link del wan0
$IP xfrm policy flush
$IP xfrm state flush
tap_end
