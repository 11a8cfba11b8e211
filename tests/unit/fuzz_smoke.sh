#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Builds every libFuzzer target in tests/fuzz/ against libskap compiled
# with clang, ASan and UBSan, and runs each for a few seconds
# (SKAP_FUZZ_SECONDS, default 5): the targets compile, and a short run
# finds nothing. fuzz_server_requests also links skap-server's objects
# (all but main.c) and starts from tests/fuzz/seeds/. Longer runs: see
# docs/crypto.md and docs/server.md.
set -u

SRC=${SKAP_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${SKAP_BUILD:-$SRC/build}
case $BUILD in /*) ;; *) BUILD=$(pwd)/$BUILD ;; esac
OUT=$BUILD/fuzz
SECONDS_EACH=${SKAP_FUZZ_SECONDS:-5}
PKGS="libssl libcrypto libsodium libnl-genl-3.0 libkeyutils sqlite3 jansson libevent libevent_openssl libargon2"

. "$SRC/tests/lib/tap.sh"

tap_begin
if ! command -v clang >/dev/null; then
	echo "# clang is not installed"
	tap_fail "clang available"
	tap_end
fi
mkdir -p "$OUT/obj"
cd "$SRC" || exit 1
# libskap once, instrumented; each target links only the objects it uses.
FLAGS="-std=c11 -D_GNU_SOURCE -O1 -g -Iinclude -Iinclude/uapi $(pkg-config --cflags $PKGS)"
SAN="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all"
rc=0
: >"$OUT/lib.build.log"
for c in userspace/lib/*.c; do
	# shellcheck disable=SC2086
	clang $FLAGS $SAN -c -o "$OUT/obj/$(basename "$c" .c).o" "$c" >>"$OUT/lib.build.log" 2>&1 || rc=1
done
rm -f "$OUT/libskap-fuzz.a"
[ $rc = 0 ] && ar rcs "$OUT/libskap-fuzz.a" "$OUT"/obj/*.o || rc=1
[ $rc = 0 ] || sed 's/^/# /' "$OUT/lib.build.log" | head -20
tap_status $rc "libskap builds with clang's fuzzer instrumentation, ASan and UBSan"
# skap-server's request handlers, for the target that drives them.
rc=0
mkdir -p "$OUT/obj/server"
: >"$OUT/server.build.log"
for c in userspace/server/*.c; do
	[ "$c" = userspace/server/main.c ] && continue
	# shellcheck disable=SC2086
	clang $FLAGS $SAN -c -o "$OUT/obj/server/$(basename "$c" .c).o" "$c" \
		>>"$OUT/server.build.log" 2>&1 || rc=1
done
[ $rc = 0 ] || sed 's/^/# /' "$OUT/server.build.log" | head -20
tap_status $rc "skap-server's objects build with the same instrumentation"
for src in tests/fuzz/*.c; do
	t=$(basename "$src" .c)
	extra=
	case $t in fuzz_server_*) extra=$(ls "$OUT"/obj/server/*.o) ;; esac
	# shellcheck disable=SC2086
	clang $FLAGS -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		-o "$OUT/$t" "$src" $extra "$OUT/libskap-fuzz.a" $(pkg-config --libs $PKGS) \
		>"$OUT/$t.build.log" 2>&1
	rc=$?
	[ $rc = 0 ] || sed 's/^/# /' "$OUT/$t.build.log" | head -20
	tap_status $rc "$t builds with libFuzzer, ASan and UBSan"
	if [ $rc = 0 ]; then
		mkdir -p "$OUT/$t.corpus"
		seeds=
		[ -d "tests/fuzz/seeds/$t" ] && seeds=tests/fuzz/seeds/$t
		# shellcheck disable=SC2086
		"$OUT/$t" -max_total_time="$SECONDS_EACH" -max_len=4096 \
			-artifact_prefix="$OUT/$t." "$OUT/$t.corpus" $seeds \
			>"$OUT/$t.log" 2>&1
		rc=$?
		[ $rc = 0 ] || tail -30 "$OUT/$t.log" | sed 's/^/# /'
		echo "# $t: $(grep -o 'Done [0-9]* runs in [0-9]* second' "$OUT/$t.log" | head -1)"
	fi
	tap_status $rc "$t runs ${SECONDS_EACH}s without a finding"
done
tap_end
