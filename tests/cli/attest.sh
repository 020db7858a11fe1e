#!/bin/sh
# `cove attest snp|sgx|tdx` against a coved on loopback: evidence of the emulated platform
# (`cove snp emulate`, `cove sgx emulate`) bound to runtime data, tokens verified against
# coved's /certs, the claims printed (launch measurement, runtime data, nonce), refusals by
# the service (binding, policy, untrusted emulated root) as exit 1 with its message, and an
# unreachable or unavailable service as exit 3.  coved is taken from next to cove.
set -u
[ -n "${COVE_BIN:-}" ] && [ -x "$COVE_BIN" ] || { echo "SKIP: COVE_BIN is not set"; exit 77; }
COVED=$(dirname "$COVE_BIN")/coved
[ -x "$COVED" ] || { echo "SKIP: coved ($COVED) is not built"; exit 77; }
command -v openssl >/dev/null || { echo "SKIP: openssl command line absent"; exit 77; }

tmp=$(mktemp -d)
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	for p in $pids; do wait "$p" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT
fails=0

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

# has_line DESCRIPTION LINE: the output of the last expect holds exactly LINE.
has_line() {
	if grep -qxF -- "$2" "$tmp/out"; then
		echo "ok: $1"
	else
		echo "FAIL: $1: no line '$2' in:"; cat "$tmp/out"; fails=$((fails + 1))
	fi
}

# start_coved NAME ARGS...: run coved on a free loopback port; sets $port (and $pid).
start_coved() {
	name=$1
	shift
	mkdir -m 700 "$tmp/$name"
	"$COVED" --listen 127.0.0.1:0 --state-dir "$tmp/$name" --offline "$@" 2>"$tmp/$name.log" &
	pid=$!
	pids="$pids $pid"
	port=""
	i=0
	while [ -z "$port" ] && [ $i -lt 300 ]; do
		port=$(grep -o '"msg":"listening"[^}]*"port":[0-9]*' "$tmp/$name.log" 2>/dev/null | grep -o '"port":[0-9]*' |
			cut -d: -f2 | head -n 1)
		[ -n "$port" ] || { kill -0 $pid 2>/dev/null || break; sleep 0.1; i=$((i + 1)); }
	done
	[ -n "$port" ] || { echo "FAIL: coved $name did not start:"; cat "$tmp/$name.log"; exit 1; }
}

# ---- evidence: an emulated SNP report and SGX quote whose report data binds rt.json ----
PLAT=$tmp/plat
"$COVE_BIN" platform init --state-dir "$PLAT" >/dev/null 2>&1 || { echo "FAIL: cove platform init"; exit 1; }
printf '{"keys":[{"kty":"oct","kid":"k1","k":"AAAA"}],"purpose":"cove attest test"}' >"$tmp/rt.json"
printf '{"other":"data"}' >"$tmp/rt2.json"
RD=$(openssl dgst -sha256 -r "$tmp/rt.json" | cut -d' ' -f1)
M=$(openssl rand -hex 48)
"$COVE_BIN" snp emulate --state-dir "$PLAT" --measurement "$M" --report-data "$RD" --out "$tmp/r.bin" \
	--certs-out "$tmp/chain.pem" --crl-out "$tmp/crl.pem" >/dev/null 2>&1 || { echo "FAIL: cove snp emulate"; exit 1; }
MRE=$(openssl rand -hex 32)
"$COVE_BIN" sgx emulate --state-dir "$PLAT" --mrenclave "$MRE" --mrsigner "$(openssl rand -hex 32)" --report-data "$RD" \
	--out "$tmp/q.bin" >/dev/null 2>&1 || { echo "FAIL: cove sgx emulate"; exit 1; }

# ---- a coved that trusts the emulated root ----
start_coved trusting --trust-emulated-root --platform-dir "$PLAT"
U=http://127.0.0.1:$port
SNP="attest snp --report $tmp/r.bin --certs $tmp/chain.pem --url $U"

# shellcheck disable=SC2086
expect 0 "snp: token verified with coved's /certs" "token verified: RS256 signature by a key of $U/certs, iss $U" -- \
	$SNP --runtime-data "$tmp/rt.json" --nonce n-123 --jwks "$U/certs" --out "$tmp/tok.jwt"
has_line "launch measurement claim" "x-ms-sevsnpvm-launchmeasurement: $M"
has_line "report data claim" "x-ms-sevsnpvm-reportdata: ${RD}$(printf '%064d' 0)"
has_line "runtime claim" 'x-ms-runtime: {"keys":[{"k":"AAAA","kid":"k1","kty":"oct"}],"purpose":"cove attest test"}'
has_line "nonce claim" "nonce: n-123"
has_line "type claim" "x-ms-attestation-type: sevsnpvm"
expect 0 "the saved token verifies with cove token verify" "x-ms-sevsnpvm-launchmeasurement: $M" -- \
	token verify --token-file "$tmp/tok.jwt" --jwks-url "$U/certs" --issuer "$U"
expect 1 "the saved token: another issuer" "is not the expected \"https://attest.example\"" -- \
	token verify --token-file "$tmp/tok.jwt" --jwks-url "$U/certs" --issuer https://attest.example
expect 0 "token show on the saved token" "token NOT verified: decoded only" -- token show --token-file "$tmp/tok.jwt"
# shellcheck disable=SC2086
expect 0 "snp --json" "\"x-ms-sevsnpvm-launchmeasurement\": \"$M\"" -- $SNP --runtime-data "$tmp/rt.json" --json --jwks "$U/certs"
# shellcheck disable=SC2086
expect 0 "snp without --jwks: labelled unverified" "token signature NOT verified" -- $SNP --runtime-data "$tmp/rt.json"
# shellcheck disable=SC2086
expect 0 "snp: binary runtime data" "x-ms-sevsnpvm-launchmeasurement: $M" -- \
	$SNP --runtime-data "$tmp/rt.json" --runtime-data-type binary
printf '{"keys":[]}' >"$tmp/other-jwks.json"
# shellcheck disable=SC2086
expect 1 "snp: token checked against a JWKS without coved's key" "did NOT verify: token kid" -- \
	$SNP --runtime-data "$tmp/rt.json" --jwks "$tmp/other-jwks.json"
# shellcheck disable=SC2086
expect 1 "snp: token from another issuer" "is not the expected \"https://attest.example\"" -- \
	$SNP --runtime-data "$tmp/rt.json" --jwks "$U/certs" --issuer https://attest.example
# shellcheck disable=SC2086
expect 1 "snp: runtime data not bound" "failed check binding.runtime_data" -- $SNP --runtime-data "$tmp/rt2.json"
# shellcheck disable=SC2086
expect 1 "snp: runtime data not bound (HTTP status)" "HTTP 400 evidence_not_authentic" -- $SNP --runtime-data "$tmp/rt2.json"
printf 'version= 1.0;\nauthorizationrules\n{\n  => deny();\n};\nissuancerules\n{\n};\n' >"$tmp/deny.txt"
printf 'version= 1.0;\nauthorizationrules\n{\n  => permit();\n};\nissuancerules\n{\n  => issue(type="cove-test", value="drafted");\n};\n' \
	>"$tmp/permit.txt"
# shellcheck disable=SC2086
expect 1 "snp: draft policy denies" "HTTP 403 policy_denied" -- $SNP --draft-policy "$tmp/deny.txt"
# shellcheck disable=SC2086
expect 0 "snp: draft policy token is unsigned" "draft-policy token is unsigned" -- $SNP --draft-policy "$tmp/permit.txt"
has_line "draft policy's issued claim" "cove-test: drafted"
expect 3 "snp without its VCEK chain, coved offline" "HTTP 503" -- attest snp --report "$tmp/r.bin" --url "$U"

expect 0 "sgx: emulated quote" "x-ms-sgx-mrenclave: $MRE" -- \
	attest sgx --quote "$tmp/q.bin" --runtime-data "$tmp/rt.json" --url "$U/" --jwks "$U/certs"
expect 1 "sgx: runtime data not bound" "binding.runtime_data" -- \
	attest sgx --quote "$tmp/q.bin" --runtime-data "$tmp/rt2.json" --url "$U"
expect 1 "tdx: an SGX quote is refused" "HTTP 400 bad_request" -- attest tdx --quote "$tmp/q.bin" --url "$U"
TDXQ=${COVE_SHARED_DIR:-}/vectors/tdx/trustee/tdx_quote_4.dat
if [ -f "$TDXQ" ]; then
	expect 3 "tdx: real quote, coved offline without its collateral" "HTTP 503 collateral_unavailable" -- \
		attest tdx --quote "$TDXQ" --url "$U"
fi

# ---- a coved that does not trust the emulated root (the default) ----
start_coved strict
U2=http://127.0.0.1:$port
expect 1 "refused without --trust-emulated-root on coved" "needs --trust-emulated-root" -- \
	attest snp --report "$tmp/r.bin" --certs "$tmp/chain.pem" --url "$U2"
kill "$pid" && wait "$pid" 2>/dev/null
expect 3 "unreachable service" "cannot reach $U2/attest/SevSnpVm" -- \
	attest snp --report "$tmp/r.bin" --certs "$tmp/chain.pem" --url "$U2"
expect 3 "unreachable JWKS" "cannot reach $U2/certs" -- \
	attest snp --report "$tmp/r.bin" --certs "$tmp/chain.pem" --url "$U" --jwks "$U2/certs"

# ---- usage ----
expect 0 "--help" "--runtime-data-type" -- attest snp --help
expect 2 "no --url" "give --url" -- attest snp --report "$tmp/r.bin"
expect 2 "no evidence" "give --report" -- attest snp --url "$U"
expect 2 "--quote on snp" "--quote is for sgx and tdx" -- attest snp --quote "$tmp/q.bin" --url "$U"
expect 2 "--report on sgx" "--report is for 'cove attest snp'" -- attest sgx --report "$tmp/r.bin" --url "$U"
expect 2 "not an http URL" "not an http(s) URL" -- attest snp --report "$tmp/r.bin" --url "ftp://$U"
expect 2 "bad data type" "expected json or binary, got 'text'" -- \
	attest snp --report "$tmp/r.bin" --url "$U" --runtime-data "$tmp/rt.json" --runtime-data-type text
expect 2 "JSON data type on non-JSON" "dataType JSON needs a JSON object" -- \
	attest snp --report "$tmp/r.bin" --url "$U" --runtime-data "$tmp/r.bin" --runtime-data-type json
expect 2 "missing report file" "" -- attest snp --report "$tmp/none.bin" --url "$U"
expect 2 "draft policy with --jwks" "--jwks cannot verify it" -- \
	attest snp --report "$tmp/r.bin" --url "$U" --draft-policy "$tmp/deny.txt" --jwks "$U/certs"
expect 2 "unknown attest type" "unknown command 'sev'" -- attest sev --report "$tmp/r.bin" --url "$U"

[ "$fails" -eq 0 ] || { echo "$fails failure(s)"; exit 1; }
echo "all attest CLI checks passed"
