#!/bin/sh
# The sealing sample end to end (ctest examples_sealing): seal in one process, unseal in
# another, for a given and for an enclave-generated secret; then blobs with one flipped
# bit in each part of sgx_sealed_data_t (docs/sealing.md), and a truncated blob, must be
# refused without printing a secret.
# Usage: sealing_test.sh SEALING_BIN PLATFORM_DIR WORK_DIR
set -u
bin=$1 platform=$2 work=$3
fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }

[ -x "$bin" ] || { echo "FAIL: no sample program $bin" >&2; exit 1; }
rm -rf "$work"
mkdir -p "$work" || exit 1

# Run the sample; its stdout goes to $work/out, stderr to $work/err; returns its status.
run() {
	"$bin" "$@" --platform-dir "$platform" >"$work/out" 2>"$work/err"
}

# A copy of $1 as $2 with bit 0 of byte $3 flipped (od and printf: no other tools needed).
flip() {
	cp "$1" "$2" || return 1
	b=$(od -An -tu1 -j "$3" -N1 "$1" | tr -d ' ')
	[ -n "$b" ] || return 1
	# shellcheck disable=SC2059
	printf "$(printf '\\%03o' $((b ^ 1)))" | dd of="$2" bs=1 seek="$3" conv=notrunc 2>/dev/null
}

# 1. A given secret, sealed by one process and unsealed by the next.
secret="cove sealing example $$ $(date +%s)"
if ! run seal "$work/given.sealed" --secret "$secret" || [ ! -s "$work/given.sealed" ]; then
	echo "FAIL: seal: $(cat "$work/err")" >&2
	exit 1
fi
cat "$work/out"
grep -q "$secret" "$work/given.sealed" && fail "the secret is in the blob in clear"
run unseal "$work/given.sealed" || fail "unseal: $(cat "$work/err")"
cat "$work/out"
grep -qxF "unsealed secret: $secret" "$work/out" || fail "the secret did not round-trip"

# 2. A secret generated inside the enclave.
run seal "$work/generated.sealed" || fail "seal (generated): $(cat "$work/err")"
gen=$(sed -n 's/^generated secret: \([0-9a-f]\{64\}\)$/\1/p' "$work/out")
[ -n "$gen" ] || fail "no generated secret shown"
run unseal "$work/generated.sealed" || fail "unseal (generated): $(cat "$work/err")"
grep -qxF "unsealed secret: $gen" "$work/out" || fail "the generated secret did not round-trip"

# 3. Tampered blobs: KEYID (another key), tag, ciphertext, the label (additional MAC text, last byte).
size=$(wc -c <"$work/given.sealed")
for off in 40 544 560 $((size - 1)); do
	flip "$work/given.sealed" "$work/bad.sealed" "$off" || { fail "cannot flip byte $off"; continue; }
	if run unseal "$work/bad.sealed"; then
		fail "a blob with byte $off flipped was unsealed"
	else
		echo "byte $off flipped: refused ($(cat "$work/err"))"
	fi
	grep -q "$secret" "$work/out" && fail "byte $off flipped: the secret was printed"
done
head -c 600 "$work/given.sealed" >"$work/short.sealed"
run unseal "$work/short.sealed" && fail "a truncated blob was unsealed"
echo "truncated blob: refused ($(cat "$work/err"))"

# The untouched blob still unseals (the refusals were the tampering's doing).
run unseal "$work/given.sealed" || fail "the original blob no longer unseals"

if [ "$fails" -ne 0 ]; then
	echo "$fails failure(s)" >&2
	exit 1
fi
echo "sealing: all checks passed"
