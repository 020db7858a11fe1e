#!/bin/sh
# `cove snp show` and `cove snp verify` on genuine AMD evidence (shared/, time pinned to
# 2025-07-01): exit codes, JSON shape, collateral from an offline cache, and malformed input.
set -u
[ -n "${COVE_BIN:-}" ] && [ -x "$COVE_BIN" ] || { echo "SKIP: COVE_BIN is not set"; exit 77; }
V=${COVE_SHARED_DIR:-}/vectors/snp
[ -d "$V" ] || { echo "SKIP: sample evidence ($V) is absent"; exit 77; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
AT=2025-07-01T00:00:00Z

# expect CODE DESCRIPTION PATTERN -- ARGS...: exit code, and a substring of stdout+stderr.
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

GSG="$V/go-sev-guest/attestation.bin --certs $V/go-sev-guest/vcek.testcer.der --certs $V/go-sev-guest/milan_cert_chain.pem"
CRL="--crl $V/openpcc/test_amd_milan_crl.pem"

expect 0 "--help" "--trust-emulated-root" -- snp verify --help
expect 0 "show" "1.49.3" -- snp show "$V/go-sev-guest/attestation.bin"
expect 0 "show hex" "\"version\": 2" -- snp show --json "$V/virtee-sev/report_milan.hex"
expect 0 "show HCL" "HCLAkPub" -- snp show --hcl "$V/trustee/az-snp-vtpm/hcl-report.bin"
expect 2 "show HCL of a plain report" "an HCL report needs at least" -- snp show --hcl "$V/go-sev-guest/attestation.bin"
# shellcheck disable=SC2086
expect 1 "debug guest refused by default" "policy.debug" -- snp verify $GSG $CRL --at $AT
# shellcheck disable=SC2086
expect 0 "debug allowed" "authentic            yes" -- snp verify $GSG $CRL --at $AT --allow-debug
# shellcheck disable=SC2086
expect 0 "json result" '"ok": true' -- snp verify $GSG $CRL --at $AT --allow-debug --json
# shellcheck disable=SC2086
expect 1 "wrong measurement" "policy.measurement" -- snp verify $GSG $CRL --at $AT --allow-debug \
	--measurement "$(printf '%096d' 0)"
# shellcheck disable=SC2086
expect 0 "report data prefix" "" -- snp verify $GSG $CRL --at $AT --allow-debug --report-data 0102030405
# shellcheck disable=SC2086
expect 1 "expired certificate" "chain.validity" -- snp verify $GSG --no-crl --at 2031-01-01T00:00:00Z --allow-debug
# shellcheck disable=SC2086
expect 1 "stale CRL" "crl.validity" -- snp verify $GSG $CRL --at 2026-06-01T00:00:00Z --allow-debug
# shellcheck disable=SC2086
expect 1 "TCB below policy" "policy.reported_tcb" -- snp verify $GSG $CRL --at $AT --allow-debug --min-tcb snp=8
expect 0 "Azure HCL" "x-ms-runtime" -- snp verify --hcl "$V/trustee/az-snp-vtpm/hcl-report.bin" \
	--certs "$V/trustee/az-snp-vtpm/vcek.pem" $CRL --at $AT --json
expect 1 "wrong product chain" "chain.product" -- snp verify "$V/derived/trustee_evidence-genoa_snp-report.bin" \
	--certs "$V/trustee/az-snp-vtpm/vcek-genoa.pem" --certs "$V/go-sev-guest/milan_cert_chain.pem" --at $AT --no-crl

# Policy file, then flags over it.
printf '{"allow_debug": true, "vmpl": 0}\n' >"$tmp/policy.json"
# shellcheck disable=SC2086
expect 0 "policy file" "" -- snp verify $GSG $CRL --at $AT --policy "$tmp/policy.json"
printf '{"allow_debgu": true}\n' >"$tmp/bad.json"
# shellcheck disable=SC2086
expect 2 "bad policy key" "unknown key \"allow_debgu\"" -- snp verify $GSG $CRL --at $AT --policy "$tmp/bad.json"

# Collateral from an offline cache laid out as the KDS client keeps it.
chip=$("$COVE_BIN" snp show --json "$V/go-sev-guest/attestation.bin" | sed -n 's/.*"chip_id": "\(.*\)".*/\1/p')
tcb=$("$COVE_BIN" snp show --json "$V/go-sev-guest/attestation.bin" | grep -A1 '"reported_tcb"' | sed -n 's/.*"raw": "0x\(.*\)".*/\1/p')
mkdir -p "$tmp/cache/vcek/Milan/$chip"
cp "$V/go-sev-guest/vcek.testcer.der" "$tmp/cache/vcek/Milan/$chip/$tcb.der"
cp "$V/go-sev-guest/milan_cert_chain.pem" "$tmp/cache/vcek/Milan/cert_chain.pem"
openssl crl -in "$V/openpcc/test_amd_milan_crl.pem" -outform DER -out "$tmp/cache/vcek/Milan/crl.der"
chmod -R go-rwx "$tmp/cache"
expect 0 "offline cache (v2 needs --product)" "revocation checked   yes" -- snp verify "$V/go-sev-guest/attestation.bin" \
	--offline --cache-dir "$tmp/cache" --product Milan --at $AT --allow-debug
expect 1 "v2 without product or VCEK" "does not name its product" -- snp verify "$V/go-sev-guest/attestation.bin" \
	--offline --cache-dir "$tmp/cache" --at $AT --allow-debug
expect 3 "offline cache miss" "collateral" -- snp verify "$V/derived/trustee_evidence-genoa_snp-report.bin" \
	--offline --cache-dir "$tmp/cache" --at $AT

# Malformed input and usage.
head -c 1000 "$V/go-sev-guest/attestation.bin" >"$tmp/short.bin"
expect 2 "truncated report" "1184 bytes, got 1000" -- snp verify "$tmp/short.bin" --at $AT
expect 2 "truncated report (show)" "got 1000" -- snp show "$tmp/short.bin"
head -c 100000 /dev/zero >"$tmp/big.bin"
expect 2 "oversized report" "got 100000" -- snp verify "$tmp/big.bin" --at $AT
expect 2 "bad time" "RFC 3339" -- snp verify "$V/go-sev-guest/attestation.bin" --at yesterday
expect 2 "bad product" "unknown SEV-SNP product" -- snp verify "$V/go-sev-guest/attestation.bin" --product Naples
expect 2 "missing certs file" "cannot open" -- snp verify "$V/go-sev-guest/attestation.bin" --certs "$tmp/nope.pem"
expect 2 "no report" "expected one REPORT" -- snp verify
expect 2 "bad measurement hex" "--measurement" -- snp verify "$V/go-sev-guest/attestation.bin" --measurement xyz

[ "$fails" -eq 0 ] && echo "all snp verify CLI checks passed" && exit 0
echo "$fails snp verify CLI check(s) failed"
exit 1
