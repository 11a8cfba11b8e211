#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The VM's own IPsec stack, without skap: two namespaces over veth, ESP with
# rfc4106(gcm(aes)) states and policies made by hand with `ip xfrm`, in
# transport and tunnel mode, IPv4 and IPv6. It proves the plumbing the
# module's data-path tests and benchmarks stand on, and that the checks they
# use can fail: with mismatched keys nothing gets through.
. /vm/tap.sh
IP=/usr/sbin/ip
tap_begin

A=esp-a
B=esp-b
cleanup() {
	$IP netns del $A 2>/dev/null
	$IP netns del $B 2>/dev/null
}
cleanup
$IP netns add $A && $IP netns add $B
$IP -n $A link set lo up
$IP -n $B link set lo up
$IP link add veth-a netns $A type veth peer name veth-b netns $B
$IP -n $A addr add 198.51.100.1/24 dev veth-a
$IP -n $B addr add 198.51.100.2/24 dev veth-b
$IP -n $A addr add 2001:db8:1::1/64 dev veth-a nodad
$IP -n $B addr add 2001:db8:1::2/64 dev veth-b nodad
$IP -n $A link set veth-a up
$IP -n $B link set veth-b up
# Tunnel mode carries these "LAN" addresses.
$IP -n $A addr add 192.0.2.1/32 dev lo
$IP -n $B addr add 192.0.2.129/32 dev lo
$IP -n $A route add 192.0.2.129/32 via 198.51.100.2 src 192.0.2.1
$IP -n $B route add 192.0.2.1/32 via 198.51.100.1 src 192.0.2.129
$IP -n $A addr add 2001:db8:a::1/128 dev lo nodad
$IP -n $B addr add 2001:db8:b::1/128 dev lo nodad
$IP -n $A route add 2001:db8:b::1/128 via 2001:db8:1::2 src 2001:db8:a::1
$IP -n $B route add 2001:db8:a::1/128 via 2001:db8:1::1 src 2001:db8:b::1

KEY_AB=0x$(printf '%072d' 1 | tr 0 a)
KEY_BA=0x$(printf '%072d' 2 | tr 0 b)
WRONG=0x$(printf '%072d' 3 | tr 0 c)

# sa NS SRC DST SPI KEY MODE
sa() {
	$IP -n "$1" xfrm state add src "$2" dst "$3" proto esp spi "$4" reqid 1 mode "$6" \
		aead 'rfc4106(gcm(aes))' "$5" 128
}
# pol NS DIR SRC DST TSRC TDST MODE
pol() {
	$IP -n "$1" xfrm policy add src "$2" dst "$3" dir "$4" \
		tmpl src "$5" dst "$6" proto esp reqid 1 mode "$7"
}
flush() {
	$IP -n $A xfrm state flush
	$IP -n $A xfrm policy flush
	$IP -n $B xfrm state flush
	$IP -n $B xfrm policy flush
}
# setup MODE A_ADDR B_ADDR A_SEL B_SEL KEY_ON_B
setup() {
	flush
	sa $A "$2" "$3" 0x100 "$KEY_AB" "$1"
	sa $A "$3" "$2" 0x200 "$KEY_BA" "$1"
	sa $B "$2" "$3" 0x100 "$6" "$1"
	sa $B "$3" "$2" 0x200 "$KEY_BA" "$1"
	pol $A "$4" "$5" out "$2" "$3" "$1"
	pol $A "$5" "$4" in "$3" "$2" "$1"
	pol $B "$5" "$4" out "$3" "$2" "$1"
	pol $B "$4" "$5" in "$2" "$3" "$1"
}
# ESP packets A sent under SPI 0x100, from `ip -s xfrm state`.
esp_packets() {
	$IP -n $A -s xfrm state get src "$1" dst "$2" proto esp spi 0x100 |
		awk '/^[ \t]*[0-9]+\(bytes\), [0-9]+\(packets\)/ { sub(/\(packets\).*/, "", $2); print $2; exit }'
}

tap_check "esp4, esp6 and gcm load" modprobe -a esp4 esp6 gcm
for case in "transport 198.51.100.1 198.51.100.2 198.51.100.1/32 198.51.100.2/32 198.51.100.2" \
	"transport 2001:db8:1::1 2001:db8:1::2 2001:db8:1::1/128 2001:db8:1::2/128 2001:db8:1::2" \
	"tunnel 198.51.100.1 198.51.100.2 192.0.2.1/32 192.0.2.129/32 192.0.2.129" \
	"tunnel 2001:db8:1::1 2001:db8:1::2 2001:db8:a::1/128 2001:db8:b::1/128 2001:db8:b::1"; do
	set -- $case
	mode=$1 target=$6
	fam=IPv4
	case $target in *:*) fam=IPv6 ;; esac
	setup "$mode" "$2" "$3" "$4" "$5" "$KEY_AB"
	tap_check "$mode $fam: ping through ESP" $IP netns exec $A ping -c 3 -W 2 "$target"
	n=$(esp_packets "$2" "$3")
	if [ "${n:-0}" -ge 3 ]; then
		tap_ok "$mode $fam: $n packets went out under SPI 0x100"
	else
		tap_fail "$mode $fam: ESP counters move" "SPI 0x100 counted '${n}' packets"
	fi
	setup "$mode" "$2" "$3" "$4" "$5" "$WRONG"
	# Only a working setup makes "nothing gets through" mean anything.
	tap_check "$mode $fam: mismatched-key states are installed" \
		test "$($IP -n $B xfrm state | grep -c '^src')" -eq 2
	tap_check_fails "$mode $fam: with mismatched keys nothing gets through" \
		$IP netns exec $A ping -c 2 -W 1 "$target"
done
flush
cleanup
tap_end
