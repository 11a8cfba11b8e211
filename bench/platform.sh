#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# skap-server under load on loopback, keep-alive HTTPS, release builds:
# bootstrap-key enrollments a second (OTA_QUANTUM, the production method:
# two round trips, an X-Wing encapsulation on the server and the device's
# key generation and decapsulation on the client) and key tickets a second
# (mutual TLS, DMK MAC, two sealings, an audit record each), with p50/p99.
# Client and server share this machine's cores, so the figures are a floor.
# Targets from issue 5: 2 000 enrollments/s, 20 000 tickets/s.
set -u
src=${SKAP_SRC:-$(cd "$(dirname "$0")/.." && pwd)}
build=${SKAP_BUILD:-$src/build}
server=$build/skap-server
ctl=$build/skapctl
load=$build/tests/platform_load
seconds=${SKAP_BENCH_SECONDS:-10}
conns=${SKAP_BENCH_CONNS:-4}
tmp=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"' EXIT
for b in "$server" "$ctl" "$load"; do
	[ -x "$b" ] || { echo "platform.sh: $b missing (make bench)" >&2; exit 1; }
done
echo "bench horse" | "$server" init -d "$tmp/srv" -t bench -u owner --password-stdin >/dev/null
"$server" serve -d "$tmp/srv" -p 0 --port-file "$tmp/port" --enroll-rate 1000000 2>"$tmp/log" &
pid=$!
for _ in $(seq 100); do
	[ -s "$tmp/port" ] && break
	sleep 0.1
done
url=https://127.0.0.1:$(cat "$tmp/port")
export SKAPCTL_SESSION=$tmp/session
echo "bench horse" | "$ctl" -s "$url" --ca "$tmp/srv/tls.crt" login -u owner --password-stdin >/dev/null
key=$("$ctl" bootstrap-key create bench --auto-accept | sed -n 's/^key: *//p')
for job in enroll keys; do
	line=$("$load" -s "$url" --ca "$tmp/srv/tls.crt" -k "$key" -c "$conns" -t "$seconds" $job) ||
		{ echo "platform.sh: $job failed: $line" >&2; exit 1; }
	rate=$(sed -n 's/.*s: \([0-9]*\)\/s.*/\1/p' <<<"$line")
	target=$([ $job = enroll ] && echo 2000 || echo 20000)
	echo "$line"
	awk -v r="$rate" -v t="$target" -v j="$job" \
		'BEGIN { printf "%s: %.2f of the target (%d/s)\n", j, r / t, t }'
done
