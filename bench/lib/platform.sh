# SPDX-License-Identifier: GPL-2.0
# What bench/platform.sh and bench/platform-instructions.sh share, sourced
# by both (bash): the release programs, and a skap-server on loopback with
# its owner logged in and an auto-accept bootstrap key, as the load
# generator needs it.
#
#   platform_setup NAME     the programs (server ctl load), a temporary
#                           directory (tmp) removed at exit with the server
#   platform_start [CMD..]  a fresh server started under CMD (valgrind, say),
#                           with $SKAP_BENCH_SERVER_ARGS added to serve's
#                           (--ticket-sync-ms 0, say): sets pid, url and
#                           key; 1 when it does not answer
#   platform_stop           stops it

platform_setup() {
	bench_name=$1
	src=${SKAP_SRC:-$(cd "$(dirname "$0")/.." && pwd)}
	build=${SKAP_BUILD:-$src/build}
	server=$build/skap-server
	ctl=$build/skapctl
	load=$build/tests/platform_load
	for b in "$server" "$ctl" "$load"; do
		[ -x "$b" ] || { echo "$bench_name: $b missing (make bench)" >&2; exit 1; }
	done
	tmp=$(mktemp -d)
	pid=
	trap 'platform_stop; rm -rf "$tmp"' EXIT
}

platform_start() {
	rm -rf "$tmp/srv" "$tmp/port" "$tmp/session"
	echo "bench horse" | "$server" init -d "$tmp/srv" -t bench -u owner --password-stdin >/dev/null
	# shellcheck disable=SC2086 # SKAP_BENCH_SERVER_ARGS: words on purpose
	"$@" "$server" serve -d "$tmp/srv" -p 0 --port-file "$tmp/port" --enroll-rate 1000000 \
		${SKAP_BENCH_SERVER_ARGS:-} 2>"$tmp/log" &
	pid=$!
	# Under valgrind the server takes seconds to listen.
	for _ in $(seq 600); do
		[ -s "$tmp/port" ] && break
		sleep 0.1
	done
	[ -s "$tmp/port" ] || { echo "$bench_name: the server did not start" >&2; return 1; }
	url=https://127.0.0.1:$(cat "$tmp/port")
	export SKAPCTL_SESSION=$tmp/session
	echo "bench horse" | "$ctl" -s "$url" --ca "$tmp/srv/tls.crt" login -u owner --password-stdin >/dev/null
	key=$("$ctl" bootstrap-key create bench --auto-accept | sed -n 's/^key: *//p')
	[ -n "$key" ] || { echo "$bench_name: no bootstrap key" >&2; return 1; }
}

platform_stop() {
	[ -n "$pid" ] || return 0
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	pid=
}
