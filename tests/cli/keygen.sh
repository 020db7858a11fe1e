#!/bin/sh
# CLI tests of `cove keygen`: the key is RSA-3072 with e = 3 (checked with the
# openssl tool), written with mode 0600, an existing file is refused without
# --force and replaced with it, and the printed MRSIGNER equals SHA-256 of the
# little-endian modulus computed here with openssl + python3.
set -u

COVE=${COVE_BIN:-}
if [ -z "$COVE" ] || [ ! -x "$COVE" ]; then
	echo "SKIP: COVE_BIN does not name the cove executable"
	exit 77
fi
for tool in python3 openssl; do
	command -v "$tool" >/dev/null 2>&1 || { echo "SKIP: $tool is needed"; exit 77; }
done

T=$(mktemp -d "${TMPDIR:-/tmp}/cove-cli-keygen-XXXXXX")
trap 'rm -rf "$T"' EXIT
fails=0

fail() {
	echo "FAIL: $*"
	fails=$((fails + 1))
}

# expect CODE COMMAND...: run it (stdout in $T/out, stderr in $T/err) and check the exit code.
expect() {
	want=$1
	shift
	"$@" >"$T/out" 2>"$T/err"
	got=$?
	if [ "$got" != "$want" ]; then
		fail "exit $got, expected $want: $*"
		sed 's/^/  err| /' "$T/err"
	fi
}

# MRSIGNER of a PEM key, independently: SHA-256 of the modulus in little-endian.
mrsigner_of() {
	openssl rsa -in "$1" -noout -modulus 2>/dev/null | python3 -c '
import hashlib, sys
n = bytes.fromhex(sys.stdin.read().strip().split("=", 1)[1])
assert len(n) == 384, len(n)
print(hashlib.sha256(n[::-1]).hexdigest())'
}

K=$T/signing.pem

expect 0 "$COVE" keygen --help
grep -q -- "--out FILE" "$T/out" || fail "--help does not document --out"
expect 2 "$COVE" keygen
grep -q -- "--out FILE is required" "$T/err" || fail "missing --out not reported"
expect 2 "$COVE" keygen --out "$K" extra
expect 2 "$COVE" keygen --bogus

(umask 0; "$COVE" keygen --out "$K" >"$T/out" 2>"$T/err") || fail "keygen failed: $(cat "$T/err")"
mode=$(stat -c %a "$K")
[ "$mode" = 600 ] || fail "key mode is $mode, expected 600"
text=$(openssl rsa -in "$K" -noout -text 2>/dev/null)
echo "$text" | grep -q "Private-Key: (3072 bit" || fail "key is not RSA-3072"
echo "$text" | grep -q "publicExponent: 3 (0x3)" || fail "public exponent is not 3"
want=$(mrsigner_of "$K")
got=$(sed -n 's/^MRSIGNER //p' "$T/out")
[ -n "$want" ] && [ "$got" = "$want" ] || fail "MRSIGNER printed '$got', expected '$want'"

# Overwrite refusal leaves the key untouched.
cp "$K" "$T/before"
expect 2 "$COVE" keygen --out "$K"
grep -q "refusing to overwrite" "$T/err" || fail "overwrite refusal not explained"
cmp -s "$K" "$T/before" || fail "refused keygen changed the key"

# --force replaces it (new key, mode 0600 even over a 0644 file) and --json.
chmod 0644 "$K"
expect 0 "$COVE" keygen --out "$K" --force --json
cmp -s "$K" "$T/before" && fail "--force did not replace the key"
mode=$(stat -c %a "$K")
[ "$mode" = 600 ] || fail "replaced key mode is $mode, expected 600"
want=$(mrsigner_of "$K")
got=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["bits"] == 3072 and d["exponent"] == 3; print(d["mrsigner"])' "$T/out") ||
	fail "bad --json output: $(cat "$T/out")"
[ "$got" = "$want" ] || fail "--json MRSIGNER '$got', expected '$want'"

# An unwritable location is an error, not a crash.
expect 2 "$COVE" keygen --out "$T/no/such/dir/key.pem"

[ "$fails" -eq 0 ] || { echo "$fails failure(s)"; exit 1; }
echo "ok"
