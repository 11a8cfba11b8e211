#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# skap-server under load on loopback, keep-alive HTTPS, release builds:
# bootstrap-key enrollments a second (OTA_QUANTUM, the production method:
# two round trips, an X-Wing encapsulation on the server and the device's
# key generation and decapsulation on the client) and key tickets a second
# (mutual TLS, DMK MAC, two sealings, an audit record each), with p50/p99.
# Each runs twice: with SKAP_BENCH_CONNS connections (4), where each device
# waits for its answer and the round trips and the disk's sync set the pace,
# then with many (SKAP_BENCH_ENROLL_CONNS, 16; SKAP_BENCH_KEY_CONNS, 32),
# where one sync of the server's group commit serves many devices
# (docs/server.md) and the CPU sets the pace.
# Client and server share this machine's cores, so the figures are a floor;
# each line ends with the CPU time the server and the load generator each
# spent per operation.
# Targets from issue 5: 2 000 enrollments/s, 20 000 tickets/s.
set -u
. "$(dirname "$0")/lib/platform.sh"
platform_setup platform.sh
seconds=${SKAP_BENCH_SECONDS:-10}
conns=${SKAP_BENCH_CONNS:-4}
enroll_conns=${SKAP_BENCH_ENROLL_CONNS:-16}
key_conns=${SKAP_BENCH_KEY_CONNS:-32}
platform_start || exit 1
# The server's CPU time so far (user and system), in clock ticks.
server_ticks() {
	awk '{ print $14 + $15 }' "/proc/$pid/stat"
}
for run in "enroll $conns" "enroll $enroll_conns" "keys $conns" "keys $key_conns"; do
	set -- $run
	job=$1 c=$2
	t0=$(server_ticks)
	line=$("$load" -s "$url" --ca "$tmp/srv/tls.crt" -k "$key" -c "$c" -t "$seconds" "$job") ||
		{ echo "platform.sh: $job failed: $line" >&2; exit 1; }
	t1=$(server_ticks)
	ok=$(sed -n 's/^[a-z]*: \([0-9]*\) ok.*/\1/p' <<<"$line")
	rate=$(sed -n 's/.*s: \([0-9]*\)\/s.*/\1/p' <<<"$line")
	target=$([ "$job" = enroll ] && echo 2000 || echo 20000)
	echo "$line"
	awk -v r="$rate" -v t="$target" -v j="$job" -v c="$c" -v ok="$ok" -v dt=$((t1 - t0)) \
		-v hz="$(getconf CLK_TCK)" \
		'BEGIN { printf "%s (%d connections): %.2f of the target (%d/s), server CPU %.0f us/op\n",
			 j, c, r / t, t, ok ? dt * 1e6 / hz / ok : 0 }'
done
