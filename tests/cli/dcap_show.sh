#!/bin/sh
# `cove sgx show` / `cove tdx show` on the genuine quotes of shared/vectors: text and JSON output,
# hex input, standard input, the wrong-TEE refusal, trailing bytes and malformed input.
set -u
[ -n "${COVE_BIN:-}" ] && [ -x "$COVE_BIN" ] || { echo "SKIP: COVE_BIN is not set"; exit 77; }
[ -n "${COVE_SHARED_DIR:-}" ] && [ -d "$COVE_SHARED_DIR/vectors/sgx" ] && [ -d "$COVE_SHARED_DIR/vectors/tdx" ] ||
	{ echo "SKIP: shared/vectors is absent (COVE_SHARED_DIR=${COVE_SHARED_DIR:-})"; exit 77; }

v=$COVE_SHARED_DIR/vectors
sgxq=$v/sgx/phala-dcap-qvl/sgx_quote
tdxq=$v/tdx/phala-dcap-qvl/tdx_quote
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0

fail() {
	echo "FAIL: $*"; fails=$((fails + 1))
}

# run CODE DESCRIPTION ARGS...: exit code check; output in $tmp/out, $tmp/err.
run() {
	code=$1 what=$2
	shift 2
	"$COVE_BIN" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ "$rc" -ne "$code" ]; then
		fail "$what: exit $rc, expected $code"; cat "$tmp/err"; return 1
	fi
	echo "ok: $what"
}

# has FILE DESCRIPTION TEXT: the file contains TEXT literally.
has() {
	grep -qF -- "$3" "$1" || { fail "$2: output lacks '$3'"; sed -n 1,20p "$1"; }
}

for tee in sgx tdx; do
	run 0 "$tee show --help" $tee show --help && {
		for opt in --json --allow-trailing QUOTE; do has "$tmp/out" "$tee show --help" "$opt"; done
	}
	run 2 "$tee show without QUOTE" $tee show
	run 2 "$tee show with two QUOTEs" $tee show "$sgxq" "$tdxq"
	run 2 "$tee show bad option" $tee show --bogus "$sgxq"
	run 2 "$tee show missing file" $tee show "$tmp/none" && has "$tmp/err" "missing file" "$tmp/none"
done

# SGX v3, text.
if run 0 "sgx show phala" sgx show "$sgxq"; then
	has "$tmp/out" "sgx text" "SGX DCAP quote v3, 4600 bytes"
	has "$tmp/out" "sgx text" "Header:"
	has "$tmp/out" "sgx text" "SGX report body:"
	has "$tmp/out" "sgx text" "QE report (offset 564):"
	has "$tmp/out" "sgx text" "Certification data:"
	has "$tmp/out" "sgx text" "type_name              PCK certificate chain"
	has "$tmp/out" "sgx text" "report_data            48656c6c6f2c20776f726c6421"
	has "$tmp/out" "sgx text" "debug                  no"
	has "$tmp/out" "sgx text" "fmspc                  00a067110000"
	has "$tmp/out" "sgx text" "sgx_tcb_comp_svn       [11,11,2,2,255,1,0,0,0,0,0,0,0,0,0,0]"
	has "$tmp/out" "sgx text" "CN=Intel SGX PCK Processor CA"
fi

# SGX v3, JSON: the same quote as binary, hex text and standard input.
if run 0 "sgx show --json" sgx show --json "$sgxq"; then
	cp "$tmp/out" "$tmp/sgx.json"
	has "$tmp/sgx.json" "sgx json" '"fmspc": "00a067110000"'
	has "$tmp/sgx.json" "sgx json" '"qe_svn": 10'
	has "$tmp/sgx.json" "sgx json" '"quote_len": 4600'
	od -An -tx1 -v "$sgxq" | tr -d ' ' >"$tmp/sgx.hex"
	run 0 "sgx show hex text" sgx show --json "$tmp/sgx.hex" &&
		{ cmp -s "$tmp/out" "$tmp/sgx.json" || fail "hex text input gives different JSON"; }
	"$COVE_BIN" sgx show --json - <"$sgxq" >"$tmp/out" 2>"$tmp/err" &&
		cmp -s "$tmp/out" "$tmp/sgx.json" && echo "ok: standard input" || fail "standard input"
	if command -v jq >/dev/null 2>&1; then
		[ "$(jq -r '.signature_data.certification_data.certificates | length' "$tmp/sgx.json")" = 3 ] ||
			fail "jq: 3 certificates"
		[ "$(jq -r '.body.attributes.flags' "$tmp/sgx.json")" = 0x0000000000000005 ] || fail "jq: flags"
	fi
fi

# Debug enclave.
run 0 "sgx show debug enclave" sgx show --json "$v/sgx/automata/solana-tests-data/quote_sgx.bin" &&
	has "$tmp/out" "debug enclave" '"debug": true'

# TDX v4, text: worked offsets of the research notes.
if run 0 "tdx show phala" tdx show "$tdxq"; then
	has "$tmp/out" "tdx text" "TDX DCAP quote v4, 4936 bytes (+70 bytes after it)"
	has "$tmp/out" "tdx text" "TD report body (TDX 1.0):"
	has "$tmp/out" "tdx text" "QE report (offset 770):"
	has "$tmp/out" "tdx text" "offset                 1258"
	has "$tmp/out" "tdx text" "size                   3678"
	has "$tmp/out" "tdx text" "tee_tcb_svn            06010300000000000000000000000000"
	has "$tmp/out" "tdx text" "fmspc                  b0c06f000000"
	has "$tmp/out" "tdx text" "platform_instance_id"
	has "$tmp/out" "tdx text" "CN=Intel SGX PCK Platform CA"
fi

# TD with DEBUG set.
run 0 "tdx show debug TD" tdx show --json "$v/tdx/trustee/tdx_quote_4.dat" && {
	has "$tmp/out" "debug TD" '"raw": "0x0000000010000001"'
	has "$tmp/out" "debug TD" '"debug": true'
}

# v5 with a TDX 1.5 body; 8000-byte padded v4.
run 0 "tdx show v5" tdx show "$v/tdx/go-tdx-guest/testdata/quote_v5_sample.dat" && {
	has "$tmp/out" "v5" "TDX DCAP quote v5, 5006 bytes"
	has "$tmp/out" "v5" "TD report body (TDX 1.5):"
	has "$tmp/out" "v5" "mr_service_td"
	has "$tmp/out" "v5" "fmspc                  90c06f000000"
}
run 0 "tdx show padded" tdx show "$v/tdx/automata/solana-tests-data/quote_tdx.bin" &&
	has "$tmp/out" "padded" "TDX DCAP quote v4, 4935 bytes (+3065 bytes after it)"

# The DER chain of Intel's QVL sample, shown leaf first.
run 0 "tdx show DER chain" tdx show --json "$v/tdx/intel-qvl/sampleData/tdx/quote.dat" && {
	has "$tmp/out" "DER chain" '"fmspc": "ed742af8adf5"'
	if command -v jq >/dev/null 2>&1; then
		jq -r '.signature_data.certification_data.certificates[0].subject' "$tmp/out" |
			grep -q "CN=Intel SGX PCK Certificate" || fail "DER chain: leaf first"
	fi
}

# Certification data type 1: data, no certificates.
run 0 "sgx show cert type 1" sgx show "$v/sgx/intel-qvl/sampleData/quote.dat" &&
	has "$tmp/out" "cert type 1" "type_name              PPID in clear text"

# Wrong TEE.
run 2 "sgx show on a TD quote" sgx show "$tdxq" &&
	has "$tmp/err" "sgx on TD" "is a TDX (TD) quote (v4); use 'cove tdx show'"
run 2 "tdx show on an SGX quote" tdx show "$sgxq" &&
	has "$tmp/err" "tdx on SGX" "is an SGX quote (v3); use 'cove sgx show'"

# Bytes after the quote: zero padding is fine, anything else needs --allow-trailing.
spr=$v/tdx/go-tdx-guest/testdata/tdx_prod_quote_SPR_E4.dat
run 2 "trailing ASCII" tdx show "$spr" &&
	has "$tmp/err" "trailing ASCII" "quote v4: byte at offset 4935 is 0x0a, but the quote ends at offset 4935"
run 0 "--allow-trailing" tdx show --allow-trailing "$spr" &&
	has "$tmp/out" "--allow-trailing" "TDX DCAP quote v4, 4935 bytes (+39 bytes after it)"
{ cat "$sgxq"; printf 'x'; } >"$tmp/garbage"
run 2 "sgx trailing garbage" sgx show "$tmp/garbage" && has "$tmp/err" "garbage" "byte at offset 4600 is 0x78"

# Not quotes.
run 2 "OE evidence with its text header" sgx show "$v/sgx/openenclave/tests/attestation_plugin/data/evidence" &&
	has "$tmp/err" "OE evidence" "quote version 8227 is not supported"
head -c 1000 "$sgxq" >"$tmp/short"
run 2 "truncated quote" sgx show "$tmp/short" &&
	has "$tmp/err" "truncated" "quote v3: signature data length 4164 (field at offset 432) runs past the input"
printf 'abc' >"$tmp/tiny"
run 2 "3 bytes" sgx show "$tmp/tiny" && has "$tmp/err" "tiny" "shorter than the 48-byte header"

[ "$fails" -eq 0 ] || { echo "$fails failure(s)"; exit 1; }
echo "all dcap show CLI checks passed"
