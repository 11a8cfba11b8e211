# SPDX-License-Identifier: GPL-2.0
# What the tests of skap-server share (bash, sourced after tap.sh and
# tap_begin, with $server set): a real server on 127.0.0.1 over the state
# directory $tmp/srv, and REST calls with curl and jq.
#
#   srv_setup WHAT TOOL...  makes $tmp and the EXIT trap (stop the server,
#                           remove $tmp); skips the test (named WHAT) when
#                           a TOOL is missing
#   start [PORT]            serves $tmp/srv on PORT (default: a free one),
#                           with $SRV_ARGS added; sets $pid, $url, $base
#   stop                    SIGTERM, and waits for the server to end
#   call METHOD PATH TOKEN [BODY [CONTENT-TYPE]]
#                           sets $code, the answer's body in $tmp/out
#   expect NAME CODE [JQ-FILTER]
#                           the last call answered CODE (and the filter holds)
#   login USER PASSWORD     sets $tok (and $code)

srv_setup() {
	local what=$1 tool
	shift
	tmp=$(mktemp -d)
	pid=
	trap 'stop; rm -rf "$tmp"' EXIT
	for tool in "$@"; do
		if ! command -v "$tool" >/dev/null; then
			tap_skip "$what" "$tool is not installed"
			tap_end
		fi
	done
}

stop() {
	[ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null && wait "$pid"
	pid=
}

start() {
	rm -f "$tmp/port"
	# shellcheck disable=SC2086 # SRV_ARGS: words on purpose
	timeout "${SRV_TIMEOUT:-300}" "$server" serve -d "$tmp/srv" -p "${1:-0}" \
		--port-file "$tmp/port" ${SRV_ARGS:-} 2>>"$tmp/log" &
	pid=$!
	for _ in $(seq 100); do
		[ -s "$tmp/port" ] && break
		sleep 0.1
	done
	url=https://127.0.0.1:$(cat "$tmp/port")
	base=$url/api/v1
}

call() {
	local args=(-sk --max-time 20 -o "$tmp/out" -w '%{http_code}' -X "$1" "$base$2")
	[ -n "$3" ] && args+=(-H "Authorization: Bearer $3")
	if [ $# -ge 4 ]; then
		args+=(-H "Content-Type: ${5:-application/json}" --data-binary "$4")
	fi
	code=$(curl "${args[@]}")
}

expect() {
	if [ "$code" != "$2" ]; then
		tap_fail "$1" "HTTP $code, wanted $2: $(head -c 300 "$tmp/out")"
	elif [ $# -ge 3 ] && ! jq -e "$3" "$tmp/out" >/dev/null 2>&1; then
		tap_fail "$1" "answer fails $3: $(head -c 300 "$tmp/out")"
	else
		tap_ok "$1"
	fi
}

login() {
	call POST /login "" "{\"user\":\"$1\",\"password\":\"$2\"}"
	tok=$(jq -r .token "$tmp/out" 2>/dev/null)
}
