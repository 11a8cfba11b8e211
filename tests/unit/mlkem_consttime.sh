#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Constant time: ML-KEM-768 KeyGen, Encaps, Decaps (valid and tampered
# ciphertexts) and X-Wing KeyGen and Decaps run under valgrind's memcheck
# with their secret inputs marked undefined (tests/crypto/ct_mlkem.c). Any
# conditional jump or memory index that depends on a secret, in the
# compiled code at -O2, is a failure. A deliberately leaky case must be
# caught, or the harness itself is broken. Both ML-KEM codes are checked:
# AVX2 (on a CPU that has it) and portable. Calls into libsodium
# (X25519) are not judged: tests/crypto/ct_openssl.supp says why.
set -u

SRC=${SKAP_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${SKAP_BUILD:-$SRC/build}
case $BUILD in /*) ;; *) BUILD=$(pwd)/$BUILD ;; esac
OUT=$BUILD/ct
BIN=$OUT/ct_mlkem
MODES="keygen encaps decaps decaps-tampered xwing-keygen xwing-decaps"

. "$SRC/tests/lib/tap.sh"

tap_begin
if ! command -v valgrind >/dev/null; then
	echo "# valgrind is not installed (apt-get install valgrind)"
	tap_fail "valgrind available"
	tap_end
fi
mkdir -p "$OUT"
cd "$SRC" || exit 1
# The release flags that matter for code generation, plus the hook.
${CC:-cc} -std=c11 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Werror -Iinclude -DSKAP_CT_VALGRIND \
	-o "$BIN" tests/crypto/ct_mlkem.c userspace/lib/mlkem.c userspace/lib/mlkem_avx2.c \
	userspace/lib/keccak.c userspace/lib/keccak_x4.c \
	userspace/lib/xwing.c userspace/lib/crypto_ecc.c userspace/lib/random.c -lsodium -lcrypto >"$OUT/build.log" 2>&1
rc=$?
[ $rc = 0 ] || sed 's/^/# /' "$OUT/build.log"
tap_status $rc "ct_mlkem built with the valgrind hook at -O2"

vg() { # mode [portable]
	valgrind -q --error-exitcode=99 --track-origins=yes \
		--suppressions="$SRC/tests/crypto/ct_openssl.supp" "$BIN" "$@" >"$OUT/$1${2:-}.log" 2>&1
}

# Each mode with the code this CPU runs (AVX2 where it has it), then with
# the portable code.
for code in "" portable; do
	for m in $MODES; do
		vg "$m" $code
		rc=$?
		if [ $rc != 0 ]; then
			grep -E 'depends on uninit|Use of uninit|at 0x|by 0x|ct_mlkem:' \
				"$OUT/$m$code.log" | head -20 | sed 's/^/# /'
		fi
		tap_status $rc "$m${code:+ ($code)}: no branch or index on secret data"
	done
done

vg leak
rc=$?
grep -q 'depends on uninitialised' "$OUT/leak.log"
found=$?
[ $rc = 99 ] && [ $found = 0 ]
tap_status $? "a deliberate secret-dependent branch is caught (the check can fail)"
tap_end
