#!/bin/sh
# CLI tests of `cove sign` on the test enclave built by cove_add_enclave()
# (tests/enclave): signing with a fresh key prints the MRENCLAVE that --dump
# measures and the MRSIGNER of the key (computed here with openssl + python3),
# --json agrees with the text output, the build's signed image and a freshly
# signed one both verify, --no-debug and --date land in the SIGSTRUCT, the
# default output name replaces .so by .signed.so, and tampering (a byte of
# code, a byte of the signed SIGSTRUCT body) is reported with exit status 1.
set -u

COVE=${COVE_BIN:-}
if [ -z "$COVE" ] || [ ! -x "$COVE" ]; then
	echo "SKIP: COVE_BIN does not name the cove executable"
	exit 77
fi
for tool in python3 openssl; do
	command -v "$tool" >/dev/null 2>&1 || { echo "SKIP: $tool is needed"; exit 77; }
done
# The test enclaves live in <build>/tests/enclave, next to <build>/tools/cove.
DIR=${COVE_TEST_ENCLAVE_DIR:-$(dirname "$(dirname "$COVE")")/tests/enclave}
if [ ! -f "$DIR/minimal.so" ] || [ ! -f "$DIR/minimal.signed.so" ]; then
	echo "SKIP: test enclave not built in $DIR"
	exit 77
fi

T=$(mktemp -d "${TMPDIR:-/tmp}/cove-cli-sign-XXXXXX")
trap 'rm -rf "$T"' EXIT
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
		sed 's/^/  out| /' "$T/out"
		sed 's/^/  err| /' "$T/err"
	fi
}

mrsigner_of() {
	openssl rsa -in "$1" -noout -modulus 2>/dev/null | python3 -c '
import hashlib, sys
n = bytes.fromhex(sys.stdin.read().strip().split("=", 1)[1])
print(hashlib.sha256(n[::-1]).hexdigest())'
}

json_field() { # FILE PATH.TO.FIELD
	python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
for k in sys.argv[2].split("."):
    d = d[k]
print(str(d).lower() if isinstance(d, bool) else d)' "$1" "$2"
}

# Flip the byte at OFFSET of FILE (in place).
flip() {
	python3 -c '
import sys
p, off = sys.argv[1], int(sys.argv[2])
b = bytearray(open(p, "rb").read())
b[off] ^= 0x01
open(p, "wb").write(b)' "$1" "$2"
}

# Usage errors.
expect 0 "$COVE" sign --help
grep -q -- "--no-debug" "$T/out" || fail "--help does not document --no-debug"
expect 2 "$COVE" sign
expect 2 "$COVE" sign "$DIR/minimal.so"
grep -q -- "-k KEY.pem is required" "$T/err" || fail "missing key not reported"
expect 2 "$COVE" sign --bogus "$DIR/minimal.so"
expect 2 "$COVE" sign -k "$T/none.pem" --date 20261399 "$DIR/minimal.so"
expect 2 "$COVE" sign --dump -k "$T/none.pem" "$DIR/minimal.so"
expect 2 "$COVE" sign -k "$T/none.pem" "$DIR/minimal.so"

# The image the build signed verifies; the unsigned one is reported as unsigned.
expect 0 "$COVE" sign --dump "$DIR/minimal.signed.so"
grep -q "signature      valid" "$T/out" || fail "build-signed image: signature not valid"
grep -q "(matches MRENCLAVE)" "$T/out" || fail "build-signed image: ENCLAVEHASH does not match"
build_mr=$(sed -n 's/^MRENCLAVE //p' "$T/out")
expect 1 "$COVE" sign --dump "$DIR/minimal.so"
grep -q "SIGSTRUCT: none" "$T/out" || fail "unsigned image not reported as unsigned"
[ "$(sed -n 's/^MRENCLAVE //p' "$T/out")" = "$build_mr" ] || fail "signing changed MRENCLAVE"

# Sign with a fresh key.
K=$T/key.pem
"$COVE" keygen --out "$K" >/dev/null 2>&1 || fail "keygen failed"
cp "$DIR/minimal.so" "$T/enc.so"
expect 0 "$COVE" sign -k "$K" --date 20250704 "$T/enc.so"
[ -f "$T/enc.signed.so" ] || fail "default output enc.signed.so not written"
mr=$(sed -n 's/^MRENCLAVE //p' "$T/out")
signer=$(sed -n 's/^MRSIGNER //p' "$T/out")
[ "$mr" = "$build_mr" ] || fail "cove sign printed MRENCLAVE $mr, --dump measured $build_mr"
key_signer=$(mrsigner_of "$K")
[ -n "$key_signer" ] && [ "$signer" = "$key_signer" ] || fail "MRSIGNER printed '$signer', expected '$key_signer'"
cmp -s "$T/enc.so" "$DIR/minimal.so" || fail "signing modified its input"

expect 0 "$COVE" sign --dump --json "$T/enc.signed.so"
cp "$T/out" "$T/dump.json"
[ "$(json_field "$T/dump.json" mrenclave)" = "$mr" ] || fail "--json mrenclave differs"
[ "$(json_field "$T/dump.json" sigstruct.mrsigner)" = "$key_signer" ] || fail "--json mrsigner differs"
[ "$(json_field "$T/dump.json" sigstruct.date)" = "20250704" ] || fail "--date not in SIGSTRUCT"
[ "$(json_field "$T/dump.json" sigstruct.isv_prod_id)" = "7" ] || fail "ISVPRODID not from the config"
[ "$(json_field "$T/dump.json" sigstruct.isv_svn)" = "3" ] || fail "ISVSVN not from the config"
[ "$(json_field "$T/dump.json" sigstruct.signature_valid)" = "true" ] || fail "--json signature not valid"
[ "$(json_field "$T/dump.json" sigstruct.launch_debug)" = "true" ] || fail "debug launch refused for a DEBUG config"
[ "$(json_field "$T/dump.json" config.heap_size)" = "262144" ] || fail "--json config heap"
python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
kinds = [r["kind"] for r in d["regions"]]
assert kinds.count("tcs") == 2 and kinds.count("heap") == 1, kinds
assert all(r["measured"] == (r["kind"] in ("image", "tcs")) for r in d["regions"])' "$T/dump.json" ||
	fail "--json regions wrong"

# --json sign output, -o, --no-debug.
expect 0 "$COVE" sign -k "$K" -o "$T/prod.so" --no-debug --json "$T/enc.so"
[ "$(json_field "$T/out" mrenclave)" = "$mr" ] || fail "sign --json mrenclave differs"
[ "$(json_field "$T/out" mrsigner)" = "$key_signer" ] || fail "sign --json mrsigner differs"
[ "$(json_field "$T/out" debug)" = "false" ] || fail "--no-debug not reported"
expect 0 "$COVE" sign --dump "$T/prod.so"
grep -q "launch         production allowed, debug refused" "$T/out" || fail "--no-debug image allows debug"

# Tampering: a byte of code, then a byte of the signed SIGSTRUCT body (ISVSVN).
off=$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print([r for r in d["regions"] if r["kind"] == "image" and r["perms"] == "r-x"][0]["offset"] + 16)' "$T/dump.json")
cp "$T/enc.signed.so" "$T/tampered.so"
flip "$T/tampered.so" "$off"
expect 1 "$COVE" sign --dump "$T/tampered.so"
grep -q "DOES NOT match MRENCLAVE" "$T/out" || fail "tampered code not reported"
expect 1 "$COVE" sign --dump --json "$T/tampered.so"
[ "$(json_field "$T/out" sigstruct.enclave_hash_matches)" = "false" ] || fail "--json: tampered code matches"

sig=$(python3 -c '
import sys
b = open(sys.argv[1], "rb").read()
i = b.find(bytes([6, 0, 0, 0, 0xE1, 0, 0, 0, 0, 0, 1, 0]))
assert i > 0
print(i)' "$T/enc.signed.so")
cp "$T/enc.signed.so" "$T/tampered2.so"
flip "$T/tampered2.so" $((sig + 1026))
expect 1 "$COVE" sign --dump "$T/tampered2.so"
grep -q "signature      INVALID" "$T/out" || fail "tampered SIGSTRUCT not reported"

# Not an enclave image.
printf 'not an ELF file' >"$T/junk.so"
expect 2 "$COVE" sign --dump "$T/junk.so"
grep -q "enclave image" "$T/err" || fail "junk input not explained"

[ "$fails" -eq 0 ] || { echo "$fails failure(s)"; exit 1; }
echo "ok"
