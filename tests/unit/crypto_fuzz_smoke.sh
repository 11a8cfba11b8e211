#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Builds each crypto libFuzzer target (tests/fuzz/fuzz_mlkem.c,
# fuzz_xwing.c, fuzz_crypto_wrappers.c) with clang, ASan and UBSan, and runs
# it for a few seconds (SKAP_FUZZ_SECONDS, default 5): the targets compile,
# and a short run finds nothing. Longer runs: see docs/crypto.md.
set -u

SRC=${SKAP_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${SKAP_BUILD:-$SRC/build}
case $BUILD in /*) ;; *) BUILD=$(pwd)/$BUILD ;; esac
OUT=$BUILD/fuzz-crypto
SECONDS_EACH=${SKAP_FUZZ_SECONDS:-5}
TARGETS="fuzz_mlkem fuzz_xwing fuzz_crypto_wrappers"
LIB="userspace/lib/mlkem.c userspace/lib/keccak.c userspace/lib/xwing.c userspace/lib/sym.c
     userspace/lib/crypto_ecc.c userspace/lib/crypto_secret.c"
n=0
fail=0

tap() { # status name
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n $2"; else echo "not ok $n $2"; fail=1; fi
}

echo "TAP version 13"
echo "1..6"
if ! command -v clang >/dev/null; then
	echo "# clang is not installed"
	tap 1 "clang available"
	exit 1
fi
mkdir -p "$OUT"
cd "$SRC" || exit 1
for t in $TARGETS; do
	# shellcheck disable=SC2086
	clang -std=c11 -D_GNU_SOURCE -O1 -g -Iinclude -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=all -o "$OUT/$t" "tests/fuzz/$t.c" $LIB -lcrypto \
		>"$OUT/$t.build.log" 2>&1
	rc=$?
	[ $rc = 0 ] || sed 's/^/# /' "$OUT/$t.build.log" | head -20
	tap $rc "$t builds with libFuzzer, ASan and UBSan"
	if [ $rc = 0 ]; then
		mkdir -p "$OUT/$t.corpus"
		"$OUT/$t" -max_total_time="$SECONDS_EACH" -max_len=4096 \
			-artifact_prefix="$OUT/$t." "$OUT/$t.corpus" \
			>"$OUT/$t.log" 2>&1
		rc=$?
		[ $rc = 0 ] || tail -30 "$OUT/$t.log" | sed 's/^/# /'
		echo "# $t: $(grep -o 'Done [0-9]* runs in [0-9]* second' "$OUT/$t.log" | head -1)"
	fi
	tap $rc "$t runs ${SECONDS_EACH}s without a finding"
done
exit $fail
