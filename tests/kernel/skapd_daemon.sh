#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# skapd as a process against the real module: it installs its links'
# policies, reports acquires, applies a reload without touching unchanged
# links, refuses a broken reload, leaves policies in place when stopped, and
# a restart with the same configuration changes nothing.
. /vm/tap.sh
IP=/usr/sbin/ip
tap_begin
if [ ! -x /usr/sbin/skapd ]; then
	tap_fail "skapd is in the image" "build skapd (make) before make vm-prereqs"
	tap_end
fi
dir=/tmp/skapd-test
mkdir -p $dir
log=$dir/log
conf=$dir/skapd.conf
$IP xfrm policy flush

cat >$conf <<CONF
[skapd]
platform = https://platform.example

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
tap_check "a broken reload is refused with the file and line" wait_log "skapd.conf:16: lifetime 'forever' is not a duration"
tap_check "and the running configuration stays" wait_log "reload refused"
tap_check "policies are unchanged" test "$(policies)" -eq 5
cp $dir/good.conf $conf

kill -TERM $pid
wait $pid
rc=$?
tap_check "SIGTERM stops skapd with status 0" test "$rc" -eq 0
tap_check "its policies stay in place for a restart" test "$(policies)" -eq 5

: >$log
/usr/sbin/skapd -c $conf >$log 2>&1 &
pid=$!
tap_check "a restart with the same configuration changes nothing" wait_log "policies: 5 kept, 0 added, 0 removed (2 links)"
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
tap_end
