# SPDX-License-Identifier: GPL-2.0
# Negotiation measurements shared by the IKE daemon under comparison and
# skapd (POSIX sh, busybox included). Each takes shell commands as strings,
# so that the same timing runs against strongSwan's charon and against skapd
# in the same VM boot:
#
#   neg_first_packet N TRIGGER APPEARED RESET
#       N times: RESET (no SA, trap in place), then time from TRIGGER
#       (e.g. the first ping, started in the background) until APPEARED
#       (a predicate, e.g. "ip -n A xfrm state shows the SAs") succeeds.
#       Prints the N latencies in ms, one a line, on stdout; returns 1 if
#       one run saw no SA within NEG_TIMEOUT_MS (default 10000).
#   neg_rate SECONDS CYCLE
#       runs CYCLE (one complete negotiation, e.g. initiate then tear down)
#       back to back for SECONDS; prints "COUNT ELAPSED_S"; returns 1 if a
#       cycle fails.
#   neg_stats          reads ms values on stdin: prints "median p90 min max"
#   neg_cleared MONITOR NS...
#                      waits (up to 5 s) until no keyed SA is left in the
#                      namespaces NS..., then empties the MONITOR file so
#                      that neg_keyed sees only what comes next
#   neg_keyed FILE     true when FILE (the output of `ip xfrm monitor`) shows
#                      at least two keyed SAs (rfc4106) not deleted since:
#                      shell builtins only, as an exec costs ms under TCG
#   neg_clock          sets _now to the wall clock in µs
#
# sh has one scope: each function's variables carry its own prefix, so that
# one called from another's loop (a RESET inside neg_first_packet) cannot
# clobber its counter.
#
# The clock is $EPOCHREALTIME (busybox ash, bash 5) when the shell has it,
# otherwise date +%s%N. The predicate is polled every NEG_POLL_MS (default
# 1; each poll also costs what the predicate itself costs, e.g. one exec of
# ip, which bounds the resolution).

# Sets _now to the wall clock in µs; no exec when the shell has
# $EPOCHREALTIME, which matters under TCG where each exec costs milliseconds.
neg_clock() {
	if [ -n "${EPOCHREALTIME:-}" ]; then
		_e=$EPOCHREALTIME
		# "1${frac}" - 1000000: the six fraction digits, leading zeros and all.
		_now=$((${_e%.*} * 1000000 + 1${_e#*.} - 1000000))
	else
		_now=$(($(date +%s%N) / 1000))
	fi
}

# Prints a µs count as ms with three decimals.
neg_us_ms() {
	printf '%d.%03d\n' $(($1 / 1000)) $(($1 % 1000))
}

neg_first_packet() {
	_n=$1 _trigger=$2 _appeared=$3 _reset=$4
	_limit=$((${NEG_TIMEOUT_MS:-10000} * 1000))
	_poll=$(awk -v p="${NEG_POLL_MS:-1}" 'BEGIN { printf "%.3f\n", p / 1000 }')
	_i=0
	while [ "$_i" -lt "$_n" ]; do
		eval "$_reset" || { echo "neg_first_packet: reset failed: $_reset" >&2; return 1; }
		if eval "$_appeared"; then
			echo "neg_first_packet: SA present before the trigger (reset did not clear it)" >&2
			return 1
		fi
		neg_clock
		_t0=$_now
		eval "$_trigger"
		while ! eval "$_appeared"; do
			neg_clock
			if [ $((_now - _t0)) -ge "$_limit" ]; then
				echo "neg_first_packet: no SA $((_limit / 1000)) ms after the trigger (run $_i)" >&2
				return 1
			fi
			sleep "$_poll"
		done
		neg_clock
		neg_us_ms $((_now - _t0))
		_i=$((_i + 1))
	done
}

neg_rate() {
	_secs=$1 _cycle=$2
	_count=0
	neg_clock
	_t0=$_now
	while :; do
		eval "$_cycle" || { echo "neg_rate: cycle $_count failed: $_cycle" >&2; return 1; }
		_count=$((_count + 1))
		neg_clock
		[ $((_now - _t0)) -ge $((_secs * 1000000)) ] && break
	done
	echo "$_count $(neg_us_ms $((_now - _t0)) | awk '{ printf "%.3f", $1 / 1000 }')"
}

neg_stats() {
	sort -n | awk '{ v[NR] = $1 }
		END {
			if (NR == 0) exit 1
			m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
			i = int(NR * 0.9 + 0.999999); if (i < 1) i = 1; if (i > NR) i = NR
			printf "%.1f %.1f %.1f %.1f\n", m, v[i], v[1], v[NR]
		}'
}

neg_keyed() {
	_keyed=0
	_skip=0
	while IFS= read -r _l; do
		case $_l in
		Deleted* | Expired* | acquire* | Flushed*) _skip=1 ;;
		[!\ \	]*) _skip=0 ;;
		esac
		case $_l in *"aead rfc4106"*) [ "$_skip" = 1 ] || _keyed=$((_keyed + 1)) ;; esac
	done <"$1"
	[ "$_keyed" -ge 2 ]
}

neg_cleared() {
	_cmon=$1
	shift
	_cw=0
	while :; do
		_cleft=0
		for _cns in "$@"; do
			_cleft=$((_cleft + $(/usr/sbin/ip -n "$_cns" xfrm state | grep -c 'aead rfc4106')))
		done
		[ "$_cleft" -eq 0 ] && break
		_cw=$((_cw + 1))
		[ "$_cw" -lt 500 ] || return 1
		sleep 0.01
	done
	# Late "Deleted" messages are skipped by neg_keyed; start afresh.
	sleep 0.2
	: >"$_cmon"
}
