#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# In the VM (tests/vm/run.sh --bench, image built with charon): strongSwan's
# charon (Debian 12, IKEv2) as the anchor for skap's negotiation figures.
# Two namespaces over a veth (192.0.2.1 <-> 192.0.2.2), a "LAN" address on
# each side's lo (198.51.100.1/32, 203.0.113.1/32), one charon per
# namespace, PSK, IKE aes256gcm16-prfsha256-x25519, ESP aes256gcm16 (rfc4106
# gcm(aes) 256) in tunnel mode, start_action=trap on both sides. Measures
#   (a) first packet to SA: from the kernel's acquire (the first ping met
#       the trap policy) until the initiator's `ip -t xfrm monitor` shows
#       both keyed SAs, by the monitor's timestamps, NEG_RUNS times
#       (default 20), median and p90; and the same from starting the ping
#       by the shell's clock, which adds the start of a process in a
#       namespace (tens of ms under TCG) to both daemons alike;
#   (b) negotiations per second: initiate (IKE_SA_INIT + IKE_AUTH with the
#       CHILD_SA) then terminate, back to back for NEG_SECONDS (default 20).
# The timing code is bench/lib/negotiation.sh, which skapd's side reuses.
set -u
here=$(cd "$(dirname "$0")" && pwd)
for lib in "$here/lib/negotiation.sh" /vm/lib/negotiation.sh; do
	[ -f "$lib" ] && break
done
# shellcheck source=bench/lib/negotiation.sh
. "$lib"

# Busybox's shell prefers its own applets to $PATH; its ip knows no netns.
# (Backgrounded commands name /usr/sbin/ip, so that $! is ip itself.)
ip() { /usr/sbin/ip "$@"; }

CHARON=${CHARON:-/usr/lib/ipsec/charon}
runs=${NEG_RUNS:-20}
secs=${NEG_SECONDS:-20}
p=negc$$
dir=/tmp/$p
A=$p-a
B=$p-b

fail() {
	echo "negotiation-charon: $*" >&2
	for s in a b; do
		[ -f "$dir/$s/charon.log" ] && tail -n 20 "$dir/$s/charon.log" | sed "s/^/# charon $s: /" >&2
	done
	exit 1
}

cleanup() {
	for s in a b; do
		[ -f "$dir/$s/pid" ] && kill "$(cat "$dir/$s/pid")" 2>/dev/null
	done
	[ -f "$dir/monitor.pid" ] && kill "$(cat "$dir/monitor.pid")" 2>/dev/null
	sleep 1
	ip netns del "$A" 2>/dev/null
	ip netns del "$B" 2>/dev/null
	[ -n "${NEG_KEEP:-}" ] || rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

[ -x "$CHARON" ] || fail "$CHARON missing (bench image without charon? SKAP_VM_WITH_CHARON=1)"
command -v swanctl >/dev/null || fail "swanctl missing"
for m in xfrm_user esp4 veth; do modprobe "$m" 2>/dev/null; done

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

# A fresh PSK per run; it stays in the run's directory (mode 0700).
psk=0x$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')

# Writes side $1's strongswan.conf and swanctl.conf: $2 local, $3 remote
# outer address, $4 local, $5 remote LAN, $6 local, $7 remote identity.
conf() {
	d=$dir/$1
	mkdir -p "$d/swanctl"
	cat >"$d/strongswan.conf" <<CONF
charon {
	load_modular = no
	load = random nonce openssl kdf kernel-netlink socket-default vici
	install_routes = no
	install_virtual_ip = no
	retransmit_timeout = 1.0
	plugins {
		vici {
			socket = unix://$d/charon.vici
		}
	}
	filelog {
		log {
			path = $d/charon.log
			default = 1
			time_format = %T
		}
	}
	syslog {
		daemon {
			default = -1
		}
	}
}
swanctl {
	load = openssl
}
CONF
	cat >"$d/swanctl/swanctl.conf" <<CONF
connections {
	gw {
		version = 2
		mobike = no
		local_addrs = $2
		remote_addrs = $3
		proposals = aes256gcm16-prfsha256-x25519
		local {
			auth = psk
			id = $6
		}
		remote {
			auth = psk
			id = $7
		}
		children {
			net {
				local_ts = $4
				remote_ts = $5
				mode = tunnel
				esp_proposals = aes256gcm16
				start_action = trap
			}
		}
	}
}
secrets {
	ike-gw {
		id-a = $6
		id-b = $7
		secret = $psk
	}
}
CONF
}

mkdir -m 0700 "$dir" || fail "cannot create $dir"
conf a 192.0.2.1 192.0.2.2 198.51.100.1/32 203.0.113.1/32 a.example b.example
conf b 192.0.2.2 192.0.2.1 203.0.113.1/32 198.51.100.1/32 b.example a.example

# charon keeps its pid file at the fixed /var/run/charon.pid: each instance
# gets its own /run in the mount namespace ip netns exec makes (in the VM,
# /var/run is /run/run).
start() {
	ns=$1 d=$dir/$2
	# shellcheck disable=SC2016 # $1 and $2 are the inner shell's
	/usr/sbin/ip netns exec "$ns" sh -c 'mount -t tmpfs tmpfs /run && mkdir -p /var/run && exec env STRONGSWAN_CONF="$1" "$2"' \
		sh "$d/strongswan.conf" "$CHARON" >"$d/stderr" 2>&1 &
	echo $! >"$d/pid"
}

sw() {
	s=$1
	shift
	STRONGSWAN_CONF=$dir/$s/strongswan.conf SWANCTL_DIR=$dir/$s/swanctl \
		swanctl "$@" --uri "unix://$dir/$s/charon.vici"
}

start "$A" a
start "$B" b
for s in a b; do
	i=0
	until [ -S "$dir/$s/charon.vici" ]; do
		kill -0 "$(cat "$dir/$s/pid")" 2>/dev/null ||
			fail "charon ($s) exited at start: $(cat "$dir/$s/stderr")"
		i=$((i + 1))
		[ "$i" -lt 300 ] || fail "charon ($s) did not open its vici socket in 30 s"
		sleep 0.1
	done
	sw "$s" --load-all --noprompt >"$dir/$s/load.log" 2>&1 ||
		fail "swanctl --load-all ($s): $(cat "$dir/$s/load.log")"
done
sw a --list-pols 2>/dev/null | grep -q 'gw/net' || fail "no trap policy on the initiator"
: >"$dir/monitor"
/usr/sbin/ip -t -n "$A" xfrm monitor >>"$dir/monitor" 2>&1 &
echo $! >"$dir/monitor.pid"

# Both SAs (in and out) in the initiator's namespace, keyed: the larval
# states of the acquire and of the SPI allocation carry no algorithm. Read
# from `ip xfrm monitor`'s output with shell builtins only: polling `ip xfrm
# state` costs an exec, tens of ms under TCG, which would be the resolution.
appeared() {
	neg_keyed "$dir/monitor"
}
reset() {
	sw a --terminate --ike gw --timeout 10 >/dev/null 2>&1
	neg_cleared "$dir/monitor" "$A" "$B"
}
trigger() {
	ip netns exec "$A" ping -c 1 -W 1 -I 198.51.100.1 203.0.113.1 >/dev/null 2>&1 &
}
cycle() {
	sw a --initiate --child net --ike gw --timeout 10 >/dev/null 2>&1 &&
		sw a --terminate --ike gw --timeout 10 >/dev/null 2>&1
}

# What one poll of the predicate costs: the resolution of (a); and a check
# that the monitor sees what ip xfrm state shows.
neg_clock
# shellcheck disable=SC2154 # _now is set by neg_clock
t0=$_now
for _ in 1 2 3 4 5 6 7 8 9 10; do appeared; done
neg_clock
poll_us=$(((_now - t0) / 10))
sw a --initiate --child net --ike gw --timeout 10 >/dev/null 2>&1 || fail "swanctl --initiate failed"
sleep 1
[ "$(ip -n "$A" xfrm state | grep -c 'aead rfc4106')" -ge 2 ] || fail "initiate built no SA"
appeared || fail "ip xfrm monitor did not report the SAs: $(head -c 400 "$dir/monitor")"

lat=$(neg_first_packet "$runs" trigger appeared reset "$dir/monitor") ||
	fail "first-packet measurement failed"
wall=$(printf '%s\n' "$lat" | neg_stats 2)
# shellcheck disable=SC2046,SC2086 # the figures are words on purpose
set -- $(printf '%s\n' "$lat" | neg_stats)
reset || fail "could not tear the SA down"
rate=$(neg_rate "$secs" cycle) || fail "rate measurement failed"
# shellcheck disable=SC2086
set -- "$@" $rate

version=$(grep -o 'strongSwan [0-9.]*' "$dir/a/charon.log" | head -n 1)
printf '%-40s %10s %10s %10s %10s\n' "charon ($version, PSK, x25519)" median p90 min max
printf '%-40s %10s %10s %10s %10s\n' "first packet to SA, ms ($runs runs)" "$1" "$2" "$3" "$4"
# shellcheck disable=SC2086 # the four figures
printf '%-40s %10s %10s %10s %10s\n' "  (from starting ping, shell clock)" $wall
# For negotiation-skap.sh, which runs next in the same boot: the ratio.
echo "$1 $5 $6 ${wall%% *}" >/tmp/negotiation-charon.result
echo "# one poll of the SA predicate (ip xfrm monitor's output): $(neg_us_ms "$poll_us") ms"
awk -v c="$5" -v s="$6" 'BEGIN { printf "%-40s %10.2f   (%d in %.1f s)\n", "negotiations/s (initiate+delete)", c / s, c, s }'
