#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# libskap's ML-KEM-768 and X-Wing beside @noble/post-quantum 0.7.1 under
# node, in the same run: operations per second of each and the ratio (goal:
# at least 20x). With SKAP_KYBER_REF pointing at a checkout of
# github.com/pq-crystals/kyber, its C reference implementation (ref/) is
# built and measured in the same run too, and the cycle ratio printed (goal:
# within 1.5x). Exits non-zero only when something fails to run.
set -u

SRC=${SKAP_SRC:-$(cd "$(dirname "$0")/.." && pwd)}
BUILD=${SKAP_BUILD:-$SRC/build}
case $BUILD in /*) ;; *) BUILD=$(pwd)/$BUILD ;; esac
BENCH=$BUILD/bench/crypto
NODE_DIR=$BUILD/node
NOBLE_VERSION=0.7.1
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

if [ ! -x "$BENCH" ]; then
	echo "crypto.sh: $BENCH missing (make BUILD=$BUILD bench)" >&2
	exit 1
fi
"$BENCH" -m >"$TMP/skap" || exit 1

if [ ! -f "$NODE_DIR/node_modules/@noble/post-quantum/package.json" ]; then
	mkdir -p "$NODE_DIR" && cp "$SRC/tests/crypto/package.json" "$NODE_DIR/package.json" &&
		npm install --prefix "$NODE_DIR" --no-audit --no-fund --loglevel=error \
			"@noble/post-quantum@$NOBLE_VERSION" >&2
fi
node "$SRC/tests/crypto/noble_bench.mjs" "$NODE_DIR" 1 >"$TMP/noble" || exit 1

printf '%-16s %12s %12s %12s %8s\n' operation "skap ops/s" "cycles/op" "noble ops/s" "x noble"
awk 'NR == FNR { noble[$1] = $2; next }
     $1 in noble { printf "%-16s %12.0f %12d %12.0f %7.1fx\n", $1, $2, $3, noble[$1], $2 / noble[$1] }
     !($1 in noble) { printf "%-16s %12.0f %12d %12s %8s\n", $1, $2, $3, "-", "-" }' \
	"$TMP/noble" "$TMP/skap"

if [ -n "${SKAP_KYBER_REF:-}" ] && [ -d "$SKAP_KYBER_REF/ref" ]; then
	ref=$BUILD/kyber-ref
	rm -rf "$ref" && cp -r "$SKAP_KYBER_REF/ref" "$ref" &&
		make -s -C "$ref" test/test_speed768 >"$TMP/refbuild" 2>&1 || {
		cat "$TMP/refbuild" >&2
		exit 1
	}
	"$ref/test/test_speed768" >"$TMP/ref" || exit 1
	echo "# pq-crystals reference (ref/, its own Makefile flags), median cycles, same run:"
	awk 'NR == FNR { map["kyber_keypair:"] = "mlkem768_keygen"; map["kyber_encaps:"] = "mlkem768_encaps";
		      map["kyber_decaps:"] = "mlkem768_decaps" }
	     NR == FNR { if ($1 in map) { want = map[$1]; next } if (want && $1 == "median:") { ref[want] = $2; want = "" } next }
	     $1 in ref { printf "%-16s ref %8d  skap %8d  skap/ref %.2f\n", $1, ref[$1], $3, $3 / ref[$1] }' \
		"$TMP/ref" "$TMP/skap"
else
	echo "# set SKAP_KYBER_REF to a pq-crystals/kyber checkout to measure its ref/ in the same run"
fi
