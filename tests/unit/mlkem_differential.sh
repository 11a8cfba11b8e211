#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Differential test: libskap's ML-KEM-768 and X-Wing (through kemtool) against
# npm's @noble/post-quantum 0.7.1 under node, on CASES random deterministic
# inputs each (default 1000): key generation, encapsulation, decapsulation,
# a one-bit-tampered and a random ciphertext and the wrong key (implicit
# rejection), and, for every tenth case, an encapsulation key with a
# coefficient >= q, which both must refuse. Output must agree byte for byte. The pinned package is
# installed into $SKAP_BUILD/node when missing.
set -u

SRC=${SKAP_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${SKAP_BUILD:-$SRC/build}
case $BUILD in /*) ;; *) BUILD=$(pwd)/$BUILD ;; esac
CASES=${SKAP_DIFF_CASES:-1000}
NOBLE_VERSION=0.7.1
KEMTOOL=$BUILD/tests/kemtool
NODE_DIR=$BUILD/node
LOG=$(mktemp)
trap 'rm -f "$LOG"' EXIT

# Runs a command with its output kept aside, shown as TAP comments on failure.
quiet() {
	"$@" >"$LOG" 2>&1
	rc=$?
	[ $rc = 0 ] || sed 's/^/# /' "$LOG"
	return $rc
}

. "$SRC/tests/lib/tap.sh"

tap_begin

have_noble() {
	[ -f "$NODE_DIR/node_modules/@noble/post-quantum/package.json" ] &&
		node -e 'process.exit(require(process.argv[1]).version === process.argv[2] ? 0 : 1)' \
			"$NODE_DIR/node_modules/@noble/post-quantum/package.json" "$NOBLE_VERSION" 2>/dev/null
}

if ! have_noble; then
	mkdir -p "$NODE_DIR" &&
		cp "$SRC/tests/crypto/package.json" "$NODE_DIR/package.json" &&
		quiet npm install --prefix "$NODE_DIR" --no-audit --no-fund --loglevel=error \
			"@noble/post-quantum@$NOBLE_VERSION"
fi
have_noble
tap_status $? "noble-post-quantum $NOBLE_VERSION available under $NODE_DIR"

if [ ! -x "$KEMTOOL" ]; then
	echo "# $KEMTOOL missing: run make BUILD=$BUILD userspace"
	tap_fail "kemtool built"
	tap_end
fi

TMP=$(mktemp -d)
trap 'rm -rf "$TMP" "$LOG"' EXIT
quiet node "$SRC/tests/crypto/noble_oracle.mjs" "$NODE_DIR" "$TMP" "$CASES"
tap_status $? "noble produced $CASES ML-KEM-768 and $CASES X-Wing cases"

for kem in mlkem xwing; do
	if [ ! -s "$TMP/$kem.cmd" ]; then
		tap_status 1 "$kem: $CASES cases agree with noble"
		continue
	fi
	"$KEMTOOL" batch <"$TMP/$kem.cmd" | sed 's/^error: .*/ERROR/' >"$TMP/$kem.got"
	lines=$(wc -l <"$TMP/$kem.want")
	if cmp -s "$TMP/$kem.want" "$TMP/$kem.got"; then
		echo "# $kem: $lines answers identical"
		tap_status 0 "$kem: $CASES cases ($lines operations) agree with noble byte for byte"
	else
		first=$(paste -d '\n' "$TMP/$kem.want" "$TMP/$kem.got" | awk 'NR % 2 { w = $0; next } w != $0 { print (NR / 2); exit }')
		echo "# $kem: first difference at operation ${first:-?}: $(sed -n "${first:-1}p" "$TMP/$kem.cmd" | cut -d' ' -f1)"
		tap_status 1 "$kem: $CASES cases agree with noble byte for byte"
	fi
done
tap_end
