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
# QKEY; gateway A enrolls with `skapd bootstrap -k`, B with QKEY, C (another
# tenant) with OTA_QUANTUM. They stay pending until approved with skapctl.
# The first ping from A's LAN to B's triggers acquire, a key ticket,
# the SKAP exchange and ESP SAs; the router only ever sees ESP. Keys are in
# the keyring and cannot be read back; a continuous ping survives 20 rekeys
# and a restart of skapd without losing a packet; revoking B ends its keys.
# Bad paths: wrong, deleted bootstrap key, wrong QKEY, unapproved device,
# peer in an unpeered network, each refused with a clear message.
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
tap_end
