#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `skapd --check-config` as an operator runs it: a valid file is summarised
# with exit 0; a broken one lists every error as FILE:LINE and exits 1.
set -u
src=${SKAP_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
skapd=${SKAP_SAN:-$src/build/san}/skapd
. "$src/tests/lib/tap.sh"
tap_begin
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cat >"$tmp/good.conf" <<'CONF'
[skapd]
platform = https://platform.example:8443
ca = /etc/skap/ca.pem

[link branch-b]
peer = dev-b
peer-address = 203.0.113.1
local-address = 198.51.100.1
local = 192.0.2.0/25
remote = 192.0.2.128/25
lifetime = 30s
CONF
out=$("$skapd" -c "$tmp/good.conf" --check-config 2>&1)
rc=$?
if [ $rc -eq 0 ] && grep -q "good.conf: valid; platform https://platform.example:8443; 1 link" <<<"$out" &&
	grep -q "link branch-b: peer dev-b at 203.0.113.1:7520 from 198.51.100.1, tunnel, on demand, lifetime 30 s (rekey after 27 s)" <<<"$out"; then
	tap_ok "a valid file is accepted and summarised"
else
	tap_fail "a valid file is accepted and summarised" "exit $rc: $out"
fi

cat >"$tmp/bad.conf" <<'CONF'
[skapd]
platform = https://platform.example:8443

[link branch-b]
peer = dev-b
peer-address = 203.0.113.1:99999
local-address = 198.51.100.1
local = 192.0.2.1/25
remote = 192.0.2.128/25
mode = tunel
CONF
out=$("$skapd" --config "$tmp/bad.conf" --check-config 2>&1)
rc=$?
[ $rc -eq 1 ] && tap_ok "a broken file exits 1" || tap_fail "a broken file exits 1" "exit $rc"
for want in "bad.conf:6: peer-address '203.0.113.1:99999' has a port that is not 1-65535" \
	"bad.conf:8: local '192.0.2.1/25' has bits set beyond its prefix length" \
	"bad.conf:10: mode 'tunel' is not tunnel or transport" \
	"bad.conf: 3 errors"; do
	if grep -qF "$want" <<<"$out"; then
		tap_ok "reports: $want"
	else
		tap_fail "reports: $want" "got: $out"
	fi
done

out=$("$skapd" -c "$tmp/missing.conf" --check-config 2>&1)
rc=$?
if [ $rc -eq 1 ] && grep -q "missing.conf: cannot open: No such file or directory" <<<"$out"; then
	tap_ok "a missing file is reported by name"
else
	tap_fail "a missing file is reported by name" "exit $rc: $out"
fi
"$skapd" --bogus >/dev/null 2>&1
rc=$?
[ $rc -eq 2 ] && tap_ok "an unknown option exits 2" || tap_fail "an unknown option exits 2" "exit $rc"
"$skapd" --version | grep -q '^skapd [0-9]' && tap_ok "--version" || tap_fail "--version"
tap_end
