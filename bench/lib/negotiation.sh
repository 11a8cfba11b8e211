# SPDX-License-Identifier: GPL-2.0
# Negotiation measurements shared by the IKE daemon under comparison and
# skapd (POSIX sh, busybox included). Each takes shell commands as strings,
# so that the same timing runs against strongSwan's charon and against skapd
# in the same VM boot:
#
#   neg_first_packet N TRIGGER APPEARED RESET MONITOR
#       N times: RESET (no SA, trap in place), then TRIGGER (e.g. the first
#       ping, started in the background), then wait until APPEARED (a
#       predicate, e.g. "the monitor shows both keyed SAs") succeeds.
#       Prints one line a run: the ms from the kernel's acquire to the
#       second keyed SA, both as timestamped by `ip -t xfrm monitor` in
#       MONITOR (the first packet met the policy: the acquire; it can
#       leave: both SAs), then the ms from TRIGGER to APPEARED by the
#       shell's clock (which adds starting ping in a namespace, tens of ms
#       under TCG). Returns 1 if one run saw no SA within NEG_TIMEOUT_MS
#       (default 10000).
#   neg_rate SECONDS CYCLE
#       runs CYCLE (one complete negotiation, e.g. initiate then tear down)
#       back to back for SECONDS; prints "COUNT ELAPSED_S"; returns 1 if a
#       cycle fails.
#   neg_stats [COLUMN] reads ms values on stdin (column COLUMN, default
#                      1): prints "median p90 min max"
#   neg_cleared MONITOR NS...
#                      waits (up to 5 s) until no keyed SA is left in the
#                      namespaces NS..., then empties the MONITOR file so
#                      that neg_keyed sees only what comes next
#   neg_keyed FILE     true when FILE (the output of `ip -t xfrm monitor`)
#                      shows at least two keyed SAs (rfc4106) not deleted
#                      since: shell builtins only, as an exec costs ms under
#                      TCG
#   neg_acquire_to_keyed FILE
#                      prints the µs from FILE's first acquire to the
#                      message that made the second keyed SA
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
	_n=$1 _trigger=$2 _appeared=$3 _reset=$4 _fmon=$5
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
		_wall=$((_now - _t0))
		_acq=$(neg_acquire_to_keyed "$_fmon") || {
			echo "neg_first_packet: no acquire before the SAs in $_fmon (run $_i)" >&2
			return 1
		}
		echo "$(neg_us_ms "$_acq") $(neg_us_ms "$_wall")"
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
	awk -v c="${1:-1}" '{ print $c }' | sort -n | awk '{ v[NR] = $1 }
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

# The time of day in µs of a "Timestamp: Mon Nov 23 09:53:37 2026 507481
# usec" line (ip -t), in _tod; leading zeros would read as octal.
neg_tod() {
	# shellcheck disable=SC2086 # the line's words on purpose
	set -- $1
	_hms=$5
	_h=${_hms%%:*}
	_ms=${_hms#*:}
	_m=${_ms%%:*}
	_s=${_ms#*:}
	_us=$7
	while [ "${#_us}" -gt 1 ] && [ "${_us#0}" != "$_us" ]; do
		_us=${_us#0}
	done
	_tod=$(((${_h#0} * 3600 + ${_m#0} * 60 + ${_s#0}) * 1000000 + _us))
}

neg_acquire_to_keyed() {
	_ka=
	_kts=
	_kn=0
	_kskip=0
	while IFS= read -r _kl; do
		case $_kl in
		Timestamp:*)
			neg_tod "$_kl"
			_kts=$_tod
			continue
			;;
		acquire*) [ -n "$_ka" ] || _ka=$_kts ;;
		esac
		case $_kl in
		Deleted* | Expired* | acquire* | Flushed*) _kskip=1 ;;
		[!\ \	]*) _kskip=0 ;;
		esac
		case $_kl in *"aead rfc4106"*)
			[ "$_kskip" = 1 ] && continue
			_kn=$((_kn + 1))
			if [ "$_kn" -eq 2 ] && [ -n "$_ka" ]; then
				_kd=$((_kts - _ka))
				# Across midnight.
				[ "$_kd" -ge 0 ] || _kd=$((_kd + 86400000000))
				echo "$_kd"
				return 0
			fi
			;;
		esac
	done <"$1"
	return 1
}
