# SPDX-License-Identifier: GPL-2.0
# Network namespace topologies for host tests (bash). Every namespace gets a
# per-run prefix, so parallel runs never collide, and is deleted on exit.
# Addresses come from the documentation ranges (RFC 5737, RFC 3849): they
# exist only inside the namespaces a test makes.
#
#   netns_add NAME                  a namespace with lo up, forwarding on
#   netns_link A IFA ADDRA B IFB ADDRB
#                                   a veth pair; ADDR as "v4/len,v6/len"
#   ns NAME CMD...                  run CMD inside namespace NAME
#   netns_cleanup                   delete them all (installed as EXIT trap)

NETNS_PREFIX=${NETNS_PREFIX:-skap$$}
_netns_list=

netns_name() {
	echo "$NETNS_PREFIX-$1"
}

ns() {
	local name
	name=$(netns_name "$1")
	shift
	ip netns exec "$name" "$@"
}

netns_add() {
	local name
	name=$(netns_name "$1")
	ip netns add "$name" || return 1
	_netns_list="$_netns_list $name"
	ip -n "$name" link set lo up
	ip netns exec "$name" sysctl -q -w net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
}

# netns_link A IFA ADDRS_A B IFB ADDRS_B
netns_link() {
	local a b addr
	a=$(netns_name "$1")
	b=$(netns_name "$4")
	ip link add "$2" netns "$a" type veth peer name "$5" netns "$b" || return 1
	for addr in ${3//,/ }; do
		ip -n "$a" addr add "$addr" dev "$2" nodad 2>/dev/null || ip -n "$a" addr add "$addr" dev "$2"
	done
	for addr in ${6//,/ }; do
		ip -n "$b" addr add "$addr" dev "$5" nodad 2>/dev/null || ip -n "$b" addr add "$addr" dev "$5"
	done
	ip -n "$a" link set "$2" up
	ip -n "$b" link set "$5" up
}

netns_cleanup() {
	local n
	for n in $_netns_list; do
		ip netns del "$n" 2>/dev/null
	done
	_netns_list=
}
trap netns_cleanup EXIT
