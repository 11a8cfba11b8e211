#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# build/tests/kemtool against the shared test data, as a user of the tool
# sees it: every key of vectors/mlkem/modulus-ML-KEM-768.txt.gz is refused
# by "encaps" with exit status 1 and a message on stderr; the three X-Wing
# vectors of vectors/xwing/test-vectors.json come out of xwing-keygen,
# xwing-encaps and xwing-decaps byte for byte; malformed input is refused.
set -u

SRC=${SKAP_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${SKAP_BUILD:-$SRC/build}
SHARED=${SKAP_SHARED:-$SRC/../shared}
K=$BUILD/tests/kemtool

. "$SRC/tests/lib/tap.sh"

tap_begin
if [ ! -x "$K" ]; then
	echo "# $K missing"
	tap_fail "kemtool built"
	tap_end
fi
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
M=$(printf '%064d' 7)

# Modulus file: one batch run, every answer must be a refusal.
gzip -dc "$SHARED/vectors/mlkem/modulus-ML-KEM-768.txt.gz" >"$TMP/keys" || true
total=$(grep -c . "$TMP/keys")
sed "s/.*/encaps & $M/" "$TMP/keys" | "$K" batch >"$TMP/answers"
refused=$(grep -c '^error: EK: invalid encapsulation key' "$TMP/answers")
echo "# $refused of $total invalid keys refused"
[ "$total" -gt 0 ] && [ "$refused" = "$total" ]
tap_status $? "every key of modulus-ML-KEM-768.txt.gz is refused by encaps"

# One of them on the command line: exit 1, a message, nothing on stdout.
"$K" encaps "$(head -1 "$TMP/keys")" "$M" >"$TMP/out" 2>"$TMP/err"
rc=$?
[ $rc = 1 ] && [ ! -s "$TMP/out" ] && grep -q 'invalid encapsulation key' "$TMP/err"
tap_status $? "a refused key exits 1 with a message on stderr and no output"

# X-Wing vectors.
node -e '
const v = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
for (const t of v) console.log([t.seed, t.sk, t.pk, t.eseed, t.ct, t.ss].join(" "));
' "$SHARED/vectors/xwing/test-vectors.json" >"$TMP/xwing" 2>"$TMP/err"
nvec=$(grep -c . "$TMP/xwing")
ok=0
while read -r seed sk pk eseed ct ss; do
	[ "$("$K" xwing-keygen "$seed")" = "$pk $sk" ] &&
		[ "$("$K" xwing-encaps "$pk" "$eseed")" = "$ct $ss" ] &&
		[ "$("$K" xwing-decaps "$sk" "$ct")" = "$ss" ] && ok=$((ok + 1))
done <"$TMP/xwing"
echo "# $ok of $nvec X-Wing vectors reproduced"
[ "$nvec" -gt 0 ] && [ "$ok" = "$nvec" ]
tap_status $? "the X-Wing draft's vectors: keygen, encaps, decaps"

# Malformed input.
"$K" keygen 00 "$M" >/dev/null 2>"$TMP/err"
[ $? = 1 ] && grep -q 'expected 32 bytes' "$TMP/err"
tap_status $? "a short seed is refused with its expected length"
"$K" keygen "$(printf '%063dz' 0)" "$M" >/dev/null 2>"$TMP/err"
[ $? = 1 ] && grep -q 'not hex' "$TMP/err"
tap_status $? "non-hex input is refused"
"$K" frobnicate a b >/dev/null 2>"$TMP/err"
[ $? = 1 ] && grep -q 'unknown command' "$TMP/err"
tap_status $? "an unknown command is refused"
tap_end
