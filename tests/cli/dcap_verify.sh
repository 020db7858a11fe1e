#!/bin/sh
# `cove sgx verify` / `cove tdx verify` on genuine Intel evidence (shared/, each pair at the instant its
# MANIFEST pins): exit codes, TCB status in text and JSON, --accept, separate collateral files, and bad input.
set -u
[ -n "${COVE_BIN:-}" ] && [ -x "$COVE_BIN" ] || { echo "SKIP: COVE_BIN is not set"; exit 77; }
S=${COVE_SHARED_DIR:-}/vectors
[ -d "$S/sgx" ] && [ -d "$S/tdx" ] || { echo "SKIP: sample evidence ($S) is absent"; exit 77; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0

expect() {
	code=$1 what=$2 pattern=$3
	shift 4
	"$COVE_BIN" "$@" >"$tmp/out" 2>&1
	rc=$?
	if [ "$rc" -ne "$code" ]; then
		echo "FAIL: $what: exit $rc, expected $code"; cat "$tmp/out"; fails=$((fails + 1)); return
	fi
	if [ -n "$pattern" ] && ! grep -qF -- "$pattern" "$tmp/out"; then
		echo "FAIL: $what: output lacks '$pattern':"; cat "$tmp/out"; fails=$((fails + 1)); return
	fi
	echo "ok: $what"
}

SGXQ=$S/sgx/phala-dcap-qvl/sgx_quote
SGXC=$S/sgx/phala-dcap-qvl/sgx_quote_collateral.json
TDXQ=$S/tdx/phala-dcap-qvl/tdx_quote
TDXC=$S/tdx/phala-dcap-qvl/tdx_quote_collateral.json
AT=2025-07-01T00:00:00Z

expect 0 "sgx --help" "--accept" -- sgx verify --help
expect 0 "tdx --help" "--rtmr0" -- tdx verify --help
expect 1 "SGX status not accepted by default" "policy.tcb_status" -- sgx verify "$SGXQ" --collateral "$SGXC" --at $AT
expect 1 "SGX status explained" "ConfigurationAndSWHardeningNeeded" -- sgx verify "$SGXQ" --collateral "$SGXC" --at $AT
expect 0 "SGX --accept" "ok                   yes" -- sgx verify "$SGXQ" --collateral "$SGXC" --at $AT \
	--accept ConfigurationAndSWHardeningNeeded
expect 0 "SGX JSON" '"tcb_status": "ConfigurationAndSWHardeningNeeded"' -- sgx verify "$SGXQ" --collateral "$SGXC" \
	--at $AT --accept ConfigurationAndSWHardeningNeeded --json
expect 0 "SGX JSON advisories" '"INTEL-SA-00615"' -- sgx verify "$SGXQ" --collateral "$SGXC" \
	--at $AT --accept ConfigurationAndSWHardeningNeeded --json
expect 1 "SGX rejected advisory" "policy.advisory" -- sgx verify "$SGXQ" --collateral "$SGXC" --at $AT \
	--accept ConfigurationAndSWHardeningNeeded --reject-advisory INTEL-SA-00615
expect 1 "SGX wrong MRENCLAVE" "policy.mr_enclave" -- sgx verify "$SGXQ" --collateral "$SGXC" --at $AT \
	--accept ConfigurationAndSWHardeningNeeded --mrenclave "$(printf '%064d' 0)"
expect 1 "SGX debug enclave" "policy.debug" -- sgx verify "$S/sgx/automata/solana-tests-data/quote_sgx.bin" \
	--collateral "$SGXC" --at $AT --accept ConfigurationAndSWHardeningNeeded
expect 1 "stale collateral" "collateral.tcb_info.validity" -- sgx verify "$SGXQ" --collateral "$SGXC" \
	--at 2025-09-01T00:00:00Z --accept ConfigurationAndSWHardeningNeeded
expect 0 "TDX UpToDate" "UpToDate" -- tdx verify "$TDXQ" --collateral "$TDXC" --at $AT
expect 1 "TDX wrong RTMR" "policy.rtmr0" -- tdx verify "$TDXQ" --collateral "$TDXC" --at $AT --rtmr0 "$(printf '%096d' 0)"
expect 1 "TDX OutOfDate" "OutOfDate" -- tdx verify "$S/tdx/automata/solana-tests-data/quote_tdx.bin" \
	--collateral "$S/tdx/derived-collateral/automata_1025_fmspc00806f050000.json" --at 2025-11-01T00:00:00Z
expect 0 "TDX OutOfDate accepted" "INTEL-SA-00960" -- tdx verify "$S/tdx/automata/solana-tests-data/quote_tdx.bin" \
	--collateral "$S/tdx/derived-collateral/automata_1025_fmspc00806f050000.json" --at 2025-11-01T00:00:00Z \
	--accept OutOfDate
expect 2 "trailing bytes refused" "only zero padding may follow" -- tdx verify \
	"$S/tdx/go-tdx-guest/testdata/tdx_prod_quote_SPR_E4.dat" --collateral "$TDXC" --at $AT
expect 1 "trailing bytes allowed" "ignored 39 bytes" -- tdx verify --allow-trailing \
	"$S/tdx/go-tdx-guest/testdata/tdx_prod_quote_SPR_E4.dat" --collateral "$TDXC" --at $AT

# Separate PCS-style files: the raw PCS bodies of go-tdx-guest (2023) with the 2023 pin.
G=$S/tdx/go-tdx-guest/testdata
"$COVE_BIN" tdx show --json "$S/tdx/openenclave/tests/host_verify/data/tdx_quote.bin" >/dev/null 2>&1 ||
	{ echo "FAIL: tdx show"; fails=$((fails + 1)); }
python3 - "$S/sgx/derived-collateral/openenclave_attestation_plugin_endorsements.json" "$tmp/signing.pem" <<'PY'
import json, sys
open(sys.argv[2], "w").write(json.load(open(sys.argv[1]))["tcb_info_issuer_chain"])
PY
expect 0 "separate files" "UpToDate" -- tdx verify "$S/tdx/openenclave/tests/host_verify/data/tdx_quote.bin" \
	--tcb-info "$G/sample_tcbInfo_response" --qe-identity "$G/sample_qeIdentity_response" \
	--tcb-signing-chain "$tmp/signing.pem" --pck-crl "$G/pckcrl" --root-crl "$G/rootcrl.der" --at 2023-06-20T00:00:00Z
expect 2 "separate files incomplete" "needs --tcb-info" -- tdx verify "$TDXQ" --tcb-info "$G/sample_tcbInfo_response"

# Usage and malformed input.
expect 2 "SGX quote to tdx verify" "use 'cove sgx verify'" -- tdx verify "$SGXQ" --collateral "$SGXC"
expect 2 "SGX flag on TDX" "applies to SGX quotes" -- tdx verify "$TDXQ" --mrenclave "$(printf '%064d' 0)"
expect 2 "bad status" "is not a TCB status" -- sgx verify "$SGXQ" --collateral "$SGXC" --accept Fine
head -c 600 "$SGXQ" >"$tmp/short"
expect 2 "truncated quote" "quote v3" -- sgx verify "$tmp/short" --collateral "$SGXC"
printf '{"tcb_info": 1}' >"$tmp/bad.json"
expect 2 "bad collateral" "$tmp/bad.json" -- sgx verify "$SGXQ" --collateral "$tmp/bad.json"
expect 3 "offline, no cache" "" -- sgx verify "$SGXQ" --offline --cache-dir "$tmp/cache" --at $AT
expect 1 "Intel test root" "root" -- tdx verify "$S/tdx/intel-qvl/sampleData/tdx/quote.dat" --collateral "$TDXC" --at $AT

[ "$fails" -eq 0 ] && echo "all dcap verify CLI checks passed" && exit 0
echo "$fails dcap verify CLI check(s) failed"
exit 1
