#!/bin/sh
# The remote attestation sample end to end (ctest examples_remote_attestation): the sample
# verifies its own quote in-process (emulated root: accepted; Intel's root only: refused;
# flipped bit: refused), then the quote and collateral it wrote are checked again with the
# CLI exactly as README.md shows, with the same outcomes.
# Usage: remote_attestation_test.sh SAMPLE_BIN COVE_BIN PLATFORM_DIR WORK_DIR [SIGNED_IMAGE]
set -u
bin=$1 cove=$2 platform=$3 work=$4 image=${5:-}
fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }

rm -rf "$work"
mkdir -p "$work" || exit 1
"$bin" --out "$work/quote.bin" --collateral-out "$work/collateral.json" --platform-dir "$platform" \
	>"$work/out" || { cat "$work/out"; echo "FAIL: the sample failed" >&2; exit 1; }
cat "$work/out"
rd=$(sed -n 's/^report data: \([0-9a-f]\{128\}\)$/\1/p' "$work/out")
mre=$(sed -n 's/^expected MRENCLAVE: \([0-9a-f]\{64\}\)$/\1/p' "$work/out")
if [ -z "$rd" ] || [ -z "$mre" ]; then
	echo "FAIL: the sample did not print the report data and MRENCLAVE" >&2
	exit 1
fi
# The MRENCLAVE `cove sign` states for the image is the one the loader measured and the quote carries.
if [ -n "$image" ]; then
	signed=$("$cove" sign --dump --json "$image" | sed -n 's/.*"mrenclave": "\([0-9a-f]\{64\}\)".*/\1/p' | head -n 1)
	[ "$signed" = "$mre" ] || fail "cove sign --dump says MRENCLAVE $signed, the running enclave $mre"
fi
accept=""
grep -q "NOT memfd_secret-backed" "$work/out" && accept="--accept ConfigurationNeeded"

# expect STATUS CMD...: run CMD, output to $work/cli.out, check its exit status.
expect() {
	want=$1
	shift
	"$@" >"$work/cli.out" 2>&1
	got=$?
	[ "$got" -eq "$want" ] || { fail "exit $got, expected $want: $*"; cat "$work/cli.out" >&2; }
}

# shellcheck disable=SC2086
expect 0 "$cove" sgx verify "$work/quote.bin" --collateral "$work/collateral.json" --trust-emulated-root \
	--state-dir "$platform" --mrenclave "$mre" --report-data "$rd" $accept
grep -q "$(sed -n 's/^  TCB status: //p' "$work/out")" "$work/cli.out" || fail "the CLI names another TCB status"
# Intel's root alone: refused.
# shellcheck disable=SC2086
expect 1 "$cove" sgx verify "$work/quote.bin" --collateral "$work/collateral.json" --mrenclave "$mre" \
	--report-data "$rd" $accept
# Another nonce than the one bound: refused by the policy.
# shellcheck disable=SC2086
expect 1 "$cove" sgx verify "$work/quote.bin" --collateral "$work/collateral.json" --trust-emulated-root \
	--state-dir "$platform" --mrenclave "$mre" --report-data "00$(echo "$rd" | cut -c3-)" $accept

if [ "$fails" -ne 0 ]; then
	echo "$fails failure(s)" >&2
	exit 1
fi
echo "remote attestation CLI checks passed"
