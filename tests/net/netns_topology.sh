#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The topology the gateway tests build on: two gateways joined through a
# router, each with a LAN behind it. Checks that tests/lib/netns.sh builds
# it, that traffic is routed end to end over IPv4 and IPv6, that the
# namespaces are isolated, and that cleanup leaves nothing behind.
set -u
src=${SKAP_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$src/tests/lib/tap.sh"
. "$src/tests/lib/netns.sh"
tap_begin
if [ "$(id -u)" -ne 0 ]; then
	tap_skip "namespace topology" "needs root"
	tap_end
fi

netns_add gwa && netns_add router && netns_add gwb && netns_add lana && netns_add lanb
netns_link lana eth0 192.0.2.10/25,2001:db8:a::10/64 gwa lan 192.0.2.1/25,2001:db8:a::1/64
netns_link gwa wan 198.51.100.1/30,2001:db8:1::1/64 router ra 198.51.100.2/30,2001:db8:1::2/64
netns_link router rb 203.0.113.2/30,2001:db8:2::2/64 gwb wan 203.0.113.1/30,2001:db8:2::1/64
netns_link gwb lan 192.0.2.129/25,2001:db8:b::1/64 lanb eth0 192.0.2.130/25,2001:db8:b::10/64

ns lana ip route add default via 192.0.2.1
ns lana ip -6 route add default via 2001:db8:a::1
ns lanb ip route add default via 192.0.2.129
ns lanb ip -6 route add default via 2001:db8:b::1
ns gwa ip route add default via 198.51.100.2
ns gwa ip -6 route add default via 2001:db8:1::2
ns gwb ip route add default via 203.0.113.2
ns gwb ip -6 route add default via 2001:db8:2::2
ns router ip route add 192.0.2.0/25 via 198.51.100.1
ns router ip route add 192.0.2.128/25 via 203.0.113.1
ns router ip -6 route add 2001:db8:a::/64 via 2001:db8:1::1
ns router ip -6 route add 2001:db8:b::/64 via 2001:db8:2::1

tap_check "five namespaces exist" test "$(ip netns list | grep -c "^$NETNS_PREFIX-")" -eq 5
tap_check "gateway A reaches the router" ns gwa ping -c 1 -W 2 198.51.100.2
tap_check "LAN A reaches LAN B over IPv4 through both gateways" ns lana ping -c 2 -W 2 192.0.2.130
tap_check "LAN B reaches LAN A over IPv4" ns lanb ping -c 2 -W 2 192.0.2.10
tap_check "LAN A reaches LAN B over IPv6" ns lana ping -6 -c 2 -W 2 2001:db8:b::10
tap_check "the path from LAN A to LAN B has three hops" \
	test "$(ns lana ping -c 1 -W 2 192.0.2.130 | sed -n 's/.*ttl=\([0-9]*\).*/\1/p')" -eq 61
tap_check_fails "namespaces are isolated: gateway A has no link named rb" ns gwa ip link show rb
tap_check_fails "an address outside the topology is unreachable" ns lana ping -c 1 -W 1 192.0.2.200

prefix=$NETNS_PREFIX
netns_cleanup
tap_check "cleanup removes every namespace" test "$(ip netns list | grep -c "^$prefix-")" -eq 0
tap_end
