#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# In the VM (tests/vm/run.sh --bench), after negotiation-charon.sh in the
# same boot: skapd on the same topology, selectors and ESP algorithm as the
# charon run (A 192.0.2.1 <-> B 192.0.2.2 over a veth, "LANs" 198.51.100.1/32
# and 203.0.113.1/32 on lo, tunnel mode, rfc4106(gcm(aes)) 256). The
# platform (skap-server) listens in A's namespace; both gateways are
# enrolled with an auto-accept key beforehand. Measures, with
# bench/lib/negotiation.sh:
#   (a) first packet to SA: from the kernel's acquire (the first ping met
#       the policy, no SA) until A's `ip -t xfrm monitor` shows both keyed
#       SAs, by the monitor's timestamps (and, as a second line, from
#       starting the ping by the shell's clock): a key ticket
#       from the platform over mutual TLS, the SKAP exchange (X-Wing) and
#       the SA installation; NEG_RUNS times, median and p90;
#   (b) negotiations per second: flush the SAs, ping, wait for the SAs,
#       back to back for NEG_SECONDS.
# and prints skap / charon for the first-packet median (target <= 0.5).
set -u
here=$(cd "$(dirname "$0")" && pwd)
for lib in "$here/lib/negotiation.sh" /vm/lib/negotiation.sh; do
	[ -f "$lib" ] && break
done
# shellcheck source=bench/lib/negotiation.sh
. "$lib"
ip() { /usr/sbin/ip "$@"; }

runs=${NEG_RUNS:-20}
secs=${NEG_SECONDS:-20}
p=negs$$
dir=/tmp/$p
A=$p-a
B=$p-b
url=https://192.0.2.1:8443

fail() {
	echo "negotiation-skap: $*" >&2
	for f in server a.log b.log; do
		[ -f "$dir/$f" ] && tail -n 15 "$dir/$f" | sed "s/^/# $f: /" >&2
	done
	exit 1
}
cleanup() {
	for f in "$dir"/*.pid; do
		[ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null
	done
	sleep 0.5
	ip netns del "$A" 2>/dev/null
	ip netns del "$B" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

modprobe skap || fail "modprobe skap"
mkdir -m 0700 "$dir" || fail "cannot create $dir"
{ ip netns add "$A" && ip netns add "$B"; } || fail "cannot create namespaces"
ip link add "$p-a" netns "$A" type veth peer name "$p-b" netns "$B" || fail "cannot create veth"
ip -n "$A" link set lo up; ip -n "$B" link set lo up
ip -n "$A" link set "$p-a" up; ip -n "$B" link set "$p-b" up
ip -n "$A" addr add 192.0.2.1/24 dev "$p-a"
ip -n "$B" addr add 192.0.2.2/24 dev "$p-b"
ip -n "$A" addr add 198.51.100.1/32 dev lo
ip -n "$B" addr add 203.0.113.1/32 dev lo
ip -n "$A" route add 203.0.113.1/32 via 192.0.2.2 src 198.51.100.1
ip -n "$B" route add 198.51.100.1/32 via 192.0.2.1 src 203.0.113.1

# The platform, and an auto-accept key for the two gateways.
echo "bench horse" | ip netns exec "$A" /usr/sbin/skap-server init -d "$dir/srv" -t bench \
	-u owner --password-stdin --san IP:192.0.2.1 >/dev/null 2>&1 || fail "skap-server init"
ip netns exec "$A" /usr/sbin/skap-server serve -d "$dir/srv" -l 192.0.2.1 -p 8443 \
	--port-file "$dir/port" >"$dir/server" 2>&1 &
echo $! >"$dir/server.pid"
i=0
until [ -s "$dir/port" ]; do
	i=$((i + 1))
	[ "$i" -lt 200 ] || fail "skap-server did not start"
	sleep 0.1
done
export SKAPCTL_SESSION=$dir/session
echo "bench horse" | ip netns exec "$A" /usr/sbin/skapctl -s "$url" --ca "$dir/srv/tls.crt" \
	login -u owner --password-stdin >/dev/null || fail "login"
key=$(ip netns exec "$A" /usr/sbin/skapctl bootstrap-key create bench --auto-accept |
	sed -n 's/^key: *//p')

# gateway NAME NS ADDRESS LOCAL REMOTE PEER-ADDRESS: config, enrollment.
gateway() {
	cat >"$dir/$1.conf" <<EOF
[skapd]
platform = $url
ca = $dir/srv/tls.crt
state-dir = $dir/$1
listen = $3
EOF
	ip netns exec "$2" /usr/sbin/skapd bootstrap -k "$key" -c "$dir/$1.conf" \
		>"$dir/$1.enroll" 2>&1 || fail "enrolling $1: $(cat "$dir/$1.enroll")"
	sed -n 's/^device id: *//p' "$dir/$1.enroll"
}
id_a=$(gateway a "$A" 192.0.2.1) || exit 1
id_b=$(gateway b "$B" 192.0.2.2) || exit 1
# link NAME PEER-ID PEER-ADDRESS LOCAL-ADDRESS LOCAL-LAN REMOTE-LAN
link() {
	cat >>"$dir/$1.conf" <<EOF

[link bench]
peer = $2
peer-address = $3
local-address = $4
local = $5
remote = $6
lifetime = 1h
rekey-after = 50m
EOF
}
link a "$id_b" 192.0.2.2 192.0.2.1 198.51.100.1/32 203.0.113.1/32
link b "$id_a" 192.0.2.1 192.0.2.2 203.0.113.1/32 198.51.100.1/32
for s in a b; do
	ns=$A
	[ $s = b ] && ns=$B
	ip netns exec "$ns" /usr/sbin/skapd -c "$dir/$s.conf" >"$dir/$s.log" 2>&1 &
	echo $! >"$dir/$s.pid"
done
i=0
until grep -q "negotiating on UDP" "$dir/a.log" && grep -q "negotiating on UDP" "$dir/b.log"; do
	i=$((i + 1))
	[ "$i" -lt 200 ] || fail "skapd did not start"
	sleep 0.1
done

: >"$dir/monitor"
/usr/sbin/ip -t -n "$A" xfrm monitor >>"$dir/monitor" 2>&1 &
echo $! >"$dir/monitor.pid"
appeared() {
	neg_keyed "$dir/monitor"
}
gone() {
	[ "$(ip -n "$A" xfrm state | grep -c 'aead rfc4106')" -eq 0 ] &&
		[ "$(ip -n "$B" xfrm state | grep -c 'aead rfc4106')" -eq 0 ]
}
reset() {
	ip -n "$A" xfrm state flush && ip -n "$B" xfrm state flush || return 1
	neg_cleared "$dir/monitor" "$A" "$B"
}
trigger() {
	ip netns exec "$A" ping -c 1 -W 1 -I 198.51.100.1 203.0.113.1 >/dev/null 2>&1 &
}
# A negotiation is complete when B has both SAs too: the responder installs
# its outbound SA one retransmission interval (1 s) after its inbound one
# (docs/protocol.md section 5), and flushing before that would leave it
# behind. The rate below includes that wait: it is sequential latency, not
# the throughput of many links negotiating at once.
complete() {
	appeared && [ "$(ip -n "$B" xfrm state | grep -c 'aead rfc4106')" -ge 2 ]
}
cycle() {
	reset && trigger && {
		j=0
		until complete; do
			j=$((j + 1))
			[ "$j" -lt 1000 ] || return 1
			sleep 0.01
		done
	}
}

# Each run starts from a completed negotiation (see complete()).
settle() {
	j=0
	while ! gone && ! complete; do
		j=$((j + 1))
		[ "$j" -lt 300 ] || return 1
		sleep 0.01
	done
	reset
}
lat=$(neg_first_packet "$runs" trigger appeared settle "$dir/monitor") ||
	fail "first-packet measurement failed"
wall=$(printf '%s\n' "$lat" | neg_stats 2)
# shellcheck disable=SC2046,SC2086
set -- $(printf '%s\n' "$lat" | neg_stats)
rate=$(neg_rate "$secs" cycle) || fail "rate measurement failed"
# shellcheck disable=SC2086
set -- "$@" $rate
printf '%-40s %10s %10s %10s %10s\n' "skapd (SKAP, X-Wing, platform ticket)" median p90 min max
printf '%-40s %10s %10s %10s %10s\n' "first packet to SA, ms ($runs runs)" "$1" "$2" "$3" "$4"
# shellcheck disable=SC2086 # the four figures
printf '%-40s %10s %10s %10s %10s\n' "  (from starting ping, shell clock)" $wall
awk -v c="$5" -v s="$6" 'BEGIN { printf "%-40s %10.2f   (%d in %.1f s)\n", "negotiations/s (flush, ping, both sides)", c / s, c, s }'
# Where the time of the last negotiation went: both daemons' and the
# platform's log lines, with their millisecond timestamps.
for f in a.log b.log server; do
	tail -n 6 "$dir/$f" | sed "s/^/# $f: /"
done
if [ -s /tmp/negotiation-charon.result ]; then
	read -r c_med c_count c_secs c_wall </tmp/negotiation-charon.result
	awk -v s="$1" -v c="$c_med" -v sw="${wall%% *}" -v cw="$c_wall" -v sr="$5" -v ss="$6" \
		-v cr="$c_count" -v cs="$c_secs" 'BEGIN {
		printf "skap / charon, first packet to SA (median): %.2f (target <= 0.50)\n", s / c
		printf "skap / charon, the same from starting ping (median): %.2f\n", sw / cw
		printf "skap / charon, negotiations per second: %.2f\n", (sr / ss) / (cr / cs) }'
fi
