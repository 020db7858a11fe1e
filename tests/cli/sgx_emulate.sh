#!/bin/sh
# CLI tests of the emulated platform's SGX side: `cove sgx emulate` writes a
# v3 quote and collateral; `cove sgx verify` accepts them only with
# --trust-emulated-root, refuses a debug enclave by default, catches a
# tampered quote, and usage errors are precise.  One platform for the script
# (RSA-4096 key generation of the SNP side takes a few seconds).
set -u

COVE=${COVE_BIN:-}
if [ -z "$COVE" ] || [ ! -x "$COVE" ]; then
	echo "SKIP: COVE_BIN does not name the cove executable"
	exit 77
fi
command -v python3 >/dev/null 2>&1 || { echo "SKIP: python3 is needed"; exit 77; }

T=$(mktemp -d "${TMPDIR:-/tmp}/cove-cli-sgx-XXXXXX")
trap 'chmod -R u+rwx "$T" 2>/dev/null; rm -rf "$T"' EXIT
S=$T/state
unset COVE_STATE_DIR
fails=0

fail() {
	echo "FAIL: $*"
	fails=$((fails + 1))
}

expect() {
	want=$1
	shift
	"$@" >"$T/out" 2>"$T/err"
	got=$?
	if [ "$got" != "$want" ]; then
		fail "exit $got, expected $want: $*"
		sed 's/^/  err| /' "$T/err"
		sed 's/^/  out| /' "$T/out"
	fi
}

MRE=$(printf 'e1%.0s' $(seq 32))
MRS=$(printf '51%.0s' $(seq 32))

# Usage errors.
expect 2 "$COVE" sgx emulate --mrenclave "$MRE" --mrsigner "$MRS" --state-dir "$S"
grep -q "report-data" "$T/err" || fail "missing --report-data not named"
expect 2 "$COVE" sgx emulate --mrenclave abcd --mrsigner "$MRS" --report-data 01 --state-dir "$S"
grep -q "mrenclave" "$T/err" || fail "short --mrenclave not named"
expect 2 "$COVE" sgx emulate --mrenclave "$MRE" --mrsigner "$MRS" --report-data 01 --isv-svn 70000 --state-dir "$S"
grep -q "isv-svn" "$T/err" || fail "out-of-range --isv-svn not named"
expect 0 "$COVE" sgx emulate --help
grep -q "trust-emulated-root" "$T/out" || fail "help does not say how to verify"
[ -d "$S" ] && fail "usage errors created the state directory"

# First use creates the platform, its SGX side, the quote and the collateral.
expect 0 "$COVE" sgx emulate --mrenclave "$MRE" --mrsigner "$MRS" --report-data c0ffee --isv-prod-id 7 --isv-svn 3 \
	--out "$T/q.bin" --collateral-out "$T/coll.json" --state-dir "$S"
[ -s "$T/q.bin" ] || fail "no quote written"
[ "$(stat -c %a "$S/sgx")" = 700 ] || fail "sgx/ is not 0700"
[ "$(stat -c %a "$S/sgx/attestation.key")" = 600 ] || fail "attestation.key is not 0600"

# The quote's fields.
expect 0 "$COVE" sgx show "$T/q.bin" --json
python3 - "$T/out" "$MRE" "$MRS" <<'PY' || fail "quote fields"
import json, sys
q = json.load(open(sys.argv[1]))
s = json.dumps(q)
assert sys.argv[2] in s.lower() and sys.argv[3] in s.lower(), "identity"
assert "c0ffee" + "00" * 61 in s.lower(), "report data"
assert '"version": 3' in s, "version"
PY

# Verification: only with the emulated root trusted.
expect 0 "$COVE" sgx verify "$T/q.bin" --collateral "$T/coll.json" --trust-emulated-root --state-dir "$S" --json
python3 - "$T/out" <<'PY' || fail "verdict with the emulated root"
import json, sys
r = json.load(open(sys.argv[1]))
s = json.dumps(r)
assert r.get("ok") is True and r.get("authentic") is True, s[:400]
assert "UpToDate" in s, "tcb status"
PY
expect 1 "$COVE" sgx verify "$T/q.bin" --collateral "$T/coll.json" --json
grep -q '"root"' "$T/out" || fail "Intel-only verification does not name the root"
expect 1 "$COVE" sgx verify "$T/q.bin" --collateral "$T/coll.json" --trust-emulated-root --state-dir "$S" \
	--mrenclave "$MRS"
expect 0 "$COVE" sgx verify "$T/q.bin" --collateral "$T/coll.json" --trust-emulated-root --state-dir "$S" \
	--mrenclave "$MRE" --isv-prod-id 7 --min-isv-svn 3 --report-data c0ffee

# A flipped MRENCLAVE byte breaks the quote signature.
python3 - "$T/q.bin" "$T/bad.bin" <<'PY'
import sys
b = bytearray(open(sys.argv[1], "rb").read())
b[48 + 64] ^= 1
open(sys.argv[2], "wb").write(b)
PY
expect 1 "$COVE" sgx verify "$T/bad.bin" --collateral "$T/coll.json" --trust-emulated-root --state-dir "$S" --json
grep -q "quote.signature" "$T/out" || fail "tampered quote: no quote.signature failure"

# A debug enclave: authentic, refused by the default policy, accepted with --allow-debug.
expect 0 "$COVE" sgx emulate --mrenclave "$MRE" --mrsigner "$MRS" --report-data 01 --debug --out "$T/dbg.bin" \
	--state-dir "$S"
expect 1 "$COVE" sgx verify "$T/dbg.bin" --collateral "$T/coll.json" --trust-emulated-root --state-dir "$S"
expect 0 "$COVE" sgx verify "$T/dbg.bin" --collateral "$T/coll.json" --trust-emulated-root --state-dir "$S" \
	--allow-debug

# --trust-emulated-root with a state directory that has no platform.
expect 3 "$COVE" sgx verify "$T/q.bin" --collateral "$T/coll.json" --trust-emulated-root --state-dir "$T/none"
grep -q "trust-emulated-root" "$T/err" || fail "missing platform: error does not name the option"

# JSON summary and hex output.
expect 0 "$COVE" sgx emulate --mrenclave "$MRE" --mrsigner "$MRS" --report-data 01 --json --state-dir "$S"
python3 - "$T/out" <<'PY' || fail "--json summary"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["emulated"] is True and j["fmspc"] == "C0FFEE000000"
assert len(j["quote"]) == 2 * j["quote_size"]
PY

# platform show names the SGX side; rotation (init --force) replaces its keys too, so old quotes stop verifying.
expect 0 "$COVE" platform show --state-dir "$S"
grep -q "SGX side *root cove emulated SGX Root CA" "$T/out" || fail "platform show does not list the SGX side"
expect 0 "$COVE" platform init --force --state-dir "$S"
expect 0 "$COVE" platform show --state-dir "$S"
grep -q "SGX side *not created yet" "$T/out" || fail "init --force left the old SGX keys"
expect 3 "$COVE" sgx verify "$T/q.bin" --collateral "$T/coll.json" --trust-emulated-root --state-dir "$S"

if [ "$fails" -ne 0 ]; then
	echo "$fails failure(s)"
	exit 1
fi
echo "ok"
