#!/bin/bash
# coved's API against a running daemon (issue #6): health, metrics, JWKS and
# OpenID metadata; MAA attestation of emulated SNP and SGX evidence (accepted
# only with --trust-emulated-root); runtimeData binding and its x-ms-runtime
# claim; and bad input, each a 4xx JSON error with error.code that stores
# nothing.
. "$(dirname "$0")/lib.sh"

PLAT=$T/plat
platform_init "$PLAT" || { fail "platform init"; finish; }

# ---- evidence ----
printf '{"keys":[],"purpose":"api-test","n":7}' >"$T/rt.json"
snp_report "$PLAT" "$T/snp" "$T/rt.json" || fail "snp emulate"
snp_body "$T/snp-req.json" "$T/snp.bin" "$T/snp.chain.pem" "$T/rt.json" JSON
snp_body "$T/snp-bare.json" "$T/snp.bin" "$T/snp.chain.pem"
printf '{"keys":[],"purpose":"something else"}' >"$T/rt-other.json"
snp_body "$T/snp-mismatch.json" "$T/snp.bin" "$T/snp.chain.pem" "$T/rt-other.json" JSON
# SGX: report data = SHA-256(runtimeData) || 0^32, as MAA binds enclave held data.
printf '{"enclave":"api-test"}' >"$T/sgx-rt.json"
sgx_quote "$PLAT" "$T/q.bin" "$(sha256sum <"$T/sgx-rt.json" | cut -c1-64)" || fail "sgx emulate"
jq -cn --arg q "$(b64url <"$T/q.bin")" --arg d "$(b64url <"$T/sgx-rt.json")" \
	'{quote:$q, runtimeData:{data:$d, dataType:"JSON"}}' >"$T/sgx-req.json"

# ---- without --trust-emulated-root: emulated evidence is not authentic ----
start_coved plain --state-dir "$T/st-plain" --admin-token-file "$T/admin" || { fail "start"; finish; }
http POST /attest/SevSnpVm -H 'Content-Type: application/json' --data-binary @"$T/snp-req.json"
expect_status 400 evidence_not_authentic "SNP without --trust-emulated-root"
jq -e '.error.failures | length > 0' "$T/body" >/dev/null || fail "evidence_not_authentic names no failed check"
grep -q '"token"' "$T/body" && fail "a token without --trust-emulated-root"
# SGX: not authentic, or (offline, no collateral for Intel's chain) 503 collateral_unavailable; never a token.
http POST /attest/SgxEnclave --data-binary @"$T/sgx-req.json"
case "$STATUS" in
400) expect_status 400 evidence_not_authentic "SGX without --trust-emulated-root" ;;
503) expect_status 503 collateral_unavailable "SGX without --trust-emulated-root" ;;
*) fail "SGX without --trust-emulated-root: status $STATUS: $(head -c 300 "$T/body")" ;;
esac
grep -q '"token"' "$T/body" && fail "an SGX token without --trust-emulated-root"
stop_coved

# ---- --collateral-dir: a genuine SGX quote against collateral from a PCS cache, offline ----
# The cache holds Intel's collateral of the phala-dcap-qvl vector (shared/vectors/sgx/MANIFEST.md) in cove's PCS
# cache envelopes (src/pcs/pcs.c): what `cove dcap verify` would have stored.  Offline, coved serves it; the
# collateral's nextUpdate (2025-07) is long past, so the quote is refused for stale collateral (400 naming the
# collateral checks) where, without the cache, coved has no collateral at all (503).
VEC=$COVE_SHARED_DIR/vectors/sgx/phala-dcap-qvl
if [ -r "$VEC/sgx_quote" ] && [ -r "$VEC/sgx_quote_collateral.json" ]; then
	C=$VEC/sgx_quote_collateral.json
	PCS=$T/coll/pcs
	mkdir -p "$PCS/pckcrl" "$PCS/sgx/tcb"
	fmspc=$(jq -r '.tcb_info | fromjson | .fmspc | ascii_upcase' "$C")
	for ca in processor platform; do
		jq -c '{url: "seeded", issuer_chain: .pck_crl_issuer_chain, crl: .pck_crl}' "$C" >"$PCS/pckcrl/$ca.json"
	done
	jq -c '{url: "seeded", crl: .root_ca_crl}' "$C" >"$PCS/rootcacrl.json"
	jq -c '{url: "seeded", issuer_chain: .tcb_info_issuer_chain,
		body: ("{\"tcbInfo\":" + .tcb_info + ",\"signature\":\"" + .tcb_info_signature + "\"}")}' \
		"$C" >"$PCS/sgx/tcb/$fmspc.json"
	jq -c '{url: "seeded", issuer_chain: .qe_identity_issuer_chain,
		body: ("{\"enclaveIdentity\":" + .qe_identity + ",\"signature\":\"" + .qe_identity_signature + "\"}")}' \
		"$C" >"$PCS/sgx/qe_identity.json"
	jq -cn --arg q "$(b64url <"$VEC/sgx_quote")" '{quote: $q}' >"$T/sgx-real.json"

	start_coved cached --state-dir "$T/st-cached" --collateral-dir "$T/coll" || { fail "start"; finish; }
	http POST /attest/SgxEnclave --data-binary @"$T/sgx-real.json"
	expect_status 400 evidence_not_authentic "a genuine SGX quote with stale cached collateral"
	jq -e '[.error.failures[].check] | any(startswith("collateral") or startswith("crl"))' "$T/body" >/dev/null ||
		fail "stale cached collateral: no collateral check failed: $(head -c 400 "$T/body")"
	jq -e '[.error.failures[].check] | any(startswith("pck") or startswith("quote.signature"))' "$T/body" >/dev/null &&
		fail "the genuine quote's own checks failed: $(head -c 400 "$T/body")"
	stop_coved
	# Control: the same request with an empty collateral directory has nothing to verify against.
	mkdir -p "$T/coll-empty"
	start_coved uncached --state-dir "$T/st-uncached" --collateral-dir "$T/coll-empty" || { fail "start"; finish; }
	http POST /attest/SgxEnclave --data-binary @"$T/sgx-real.json"
	expect_status 503 collateral_unavailable "a genuine SGX quote with no cached collateral"
	stop_coved
else
	fail "the phala-dcap-qvl SGX vector is missing under $COVE_SHARED_DIR"
fi
# An unusable collateral directory stops coved at start-up, saying why (not a 500 at the first attestation).
rc=0
timeout 10 "$COVED_BIN" --listen 127.0.0.1:0 --state-dir "$T/st-badcoll" --collateral-dir /proc/cove-no-such-dir \
	>"$T/badcoll.out" 2>&1 || rc=$?
case $rc in 1 | 2) grep -q 'collateral cache' "$T/badcoll.out" || fail "unwritable --collateral-dir: $(cat "$T/badcoll.out")" ;;
*) fail "coved with an unwritable --collateral-dir: exit $rc (expected a start-up failure)" ;; esac
rc=0
timeout 10 "$COVED_BIN" --listen 127.0.0.1:0 --offline --state-dir "$T/st-badcoll" --collateral-dir "$T/no-such-dir" \
	>"$T/badcoll.out" 2>&1 || rc=$?
case $rc in 1 | 2) grep -q 'no-such-dir' "$T/badcoll.out" || fail "missing offline --collateral-dir: $(cat "$T/badcoll.out")" ;;
*) fail "coved --offline with a missing --collateral-dir: exit $rc (expected a start-up failure)" ;; esac

# ---- --max-body 4096: the limit is exact ----
start_coved small --state-dir "$T/st-small" --max-body 4096 || { fail "start"; finish; }
pad() { printf '{"quote":"%s"}' "$(head -c $(($1 - 12)) /dev/zero | tr '\0' 'A')"; }
pad 4096 >"$T/b4096"
pad 4097 >"$T/b4097"
[ "$(stat -c %s "$T/b4096")" = 4096 ] || fail "test bug: the 4096-byte body is $(stat -c %s "$T/b4096") bytes"
http POST /attest/SgxEnclave --data-binary @"$T/b4096"
expect_status 400 bad_request "a 4096-byte body under --max-body 4096 (read, then refused as a quote)"
http POST /attest/SgxEnclave --data-binary @"$T/b4097"
expect_status 413 body_too_large "a 4097-byte body under --max-body 4096"
http POST /attest/SgxEnclave --data-binary @"$T/b4097" -H 'Transfer-Encoding: chunked'
expect_status 413 body_too_large "a chunked 4097-byte body under --max-body 4096"
stop_coved

# ---- the trusting instance ----
start_coved main --state-dir "$T/st" --trust-emulated-root --platform-dir "$PLAT" --admin-token-file "$T/admin" \
	--max-body 65536 || { fail "start"; finish; }

http GET /healthz
expect_status 200 "" healthz && [ "$(jq -r .status "$T/body")" = ok ] || fail "healthz body: $(cat "$T/body")"

http GET /certs
expect_status 200 "" certs
jq -e '.keys | length >= 1 and all(.kty == "RSA" and (.kid | length > 0) and .alg == "RS256" and (has("d") | not))' \
	"$T/body" >/dev/null || fail "JWKS shape (public RSA keys with kid, alg): $(cat "$T/body")"
cp "$T/body" "$T/jwks.json"

http GET /.well-known/openid-configuration
expect_status 200 "" openid
[ "$(jq -r .issuer "$T/body")" = "$ISSUER" ] || fail "openid issuer $(jq -r .issuer "$T/body") != $ISSUER"
[ "$(jq -r .jwks_uri "$T/body")" = "$ISSUER/certs" ] || fail "openid jwks_uri: $(jq -r .jwks_uri "$T/body")"

metric() { curl -s "$BASE/metrics" | grep -E "^$1" | awk '{s += $NF} END {print s + 0}'; }
m0=$(metric 'coved_attestations_total\{[^}]*issued_emulated')

# SNP: 200 + token whose claims carry the attestation type, the runtime data and the report data binding.
http POST /attest/SevSnpVm -H 'Content-Type: application/json' --data-binary @"$T/snp-req.json"
if expect_status 200 "" "SNP attest"; then
	tok=$(jq -r .token "$T/body")
	verify_token "$tok"
	[ "$(jq -r '."x-ms-attestation-type"' "$T/claims.json")" = sevsnpvm ] || fail "x-ms-attestation-type"
	jq -e --slurpfile rt "$T/rt.json" '."x-ms-runtime" == $rt[0]' "$T/claims.json" >/dev/null ||
		fail "x-ms-runtime is not the runtime data: $(jq -c '."x-ms-runtime"' "$T/claims.json")"
	[ "$(jq -r '."x-ms-sevsnpvm-launchmeasurement"' "$T/claims.json")" = "$MEAS" ] ||
		fail "launch measurement claim: $(jq -r '."x-ms-sevsnpvm-launchmeasurement"' "$T/claims.json")"
	[ "$(jq -r .nonce "$T/claims.json")" = n-123 ] || fail "nonce not echoed"
	jq -e '."x-ms-policy-hash" | length > 0' "$T/claims.json" >/dev/null || fail "no x-ms-policy-hash"
	jq -e '."x-cove-tcb-status" != null' "$T/claims.json" >/dev/null || fail "no x-cove-tcb-status"
fi
m1=$(metric 'coved_attestations_total\{[^}]*issued_emulated')
[ "$m1" -gt "$m0" ] 2>/dev/null || fail "metrics: issued_emulated attestations did not move ($m0 -> $m1)"
curl -s "$BASE/metrics" | grep -q '^# TYPE ' || fail "metrics: no # TYPE lines"
curl -s "$BASE/metrics" | grep -v '^#' | grep -v -E '^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})? [-+0-9.eEInfNa]+$' |
	grep -q . && fail "metrics: lines not in Prometheus text format"
# Binary runtime data binds the same way.
snp_body "$T/snp-bin.json" "$T/snp.bin" "$T/snp.chain.pem" "$T/rt.json" Binary
http POST /attest/SevSnpVm --data-binary @"$T/snp-bin.json"
expect_status 200 "" "SNP attest, Binary runtime data"
# Mismatching runtime data is refused.
http POST /attest/SevSnpVm --data-binary @"$T/snp-mismatch.json"
[ "${STATUS:0:1}" = 4 ] || fail "mismatching runtimeData: status $STATUS"
grep -q '"token"' "$T/body" && fail "a token for mismatching runtimeData"
jq -e '.error.code | length > 0' "$T/body" >/dev/null || fail "mismatching runtimeData: no error.code"
# Without runtimeData: a token all the same.
http POST /attest/SevSnpVm --data-binary @"$T/snp-bare.json"
expect_status 200 "" "SNP attest without runtimeData"

# SGX
http POST /attest/SgxEnclave --data-binary @"$T/sgx-req.json"
if expect_status 200 "" "SGX attest"; then
	tok=$(jq -r .token "$T/body")
	verify_token "$tok"
	[ "$(jq -r '."x-ms-attestation-type"' "$T/claims.json")" = sgx ] || fail "SGX x-ms-attestation-type: $(jq -r '."x-ms-attestation-type"' "$T/claims.json")"
	[ "$(jq -r '."x-ms-sgx-mrenclave"' "$T/claims.json")" = "$MRE" ] || fail "x-ms-sgx-mrenclave"
	[ "$(jq -r '."x-ms-sgx-mrsigner"' "$T/claims.json")" = "$MRS" ] || fail "x-ms-sgx-mrsigner"
	jq -e --slurpfile rt "$T/sgx-rt.json" '."x-ms-runtime" == $rt[0]' "$T/claims.json" >/dev/null || fail "SGX x-ms-runtime"
fi
# A tampered quote (one byte of the report body) is not authentic.
cp "$T/q.bin" "$T/q-bad.bin"
printf '\x77' | dd of="$T/q-bad.bin" bs=1 seek=200 conv=notrunc 2>/dev/null
jq -cn --arg q "$(b64url <"$T/q-bad.bin")" '{quote:$q}' >"$T/sgx-bad.json"
http POST /attest/SgxEnclave --data-binary @"$T/sgx-bad.json"
expect_status 400 evidence_not_authentic "tampered SGX quote"

# ---- bad input ----
http POST /attest/SevSnpVm --data-binary '{"report": '
expect_status 400 bad_request "malformed JSON"
http POST /attest/SevSnpVm --data-binary '{"report": "!!!not*base64url"}'
expect_status 400 bad_request "wrong base64"
grep -q report "$T/body" || fail "wrong base64: the error does not name the field"
http POST /attest/SgxEnclave --data-binary '{"quote": "%%%%"}'
expect_status 400 bad_request "wrong base64 (quote)"
http POST /attest/SevSnpVm --data-binary ''
expect_status 400 bad_request "empty body"
head -c 70000 /dev/zero | tr '\0' 'a' | sed 's/^/{"report":"/; s/$/"}/' >"$T/big.json"
http POST /attest/SevSnpVm --data-binary @"$T/big.json"
expect_status 413 body_too_large "oversized body"
http POST /attest/FooVm --data-binary @"$T/snp-req.json"
expect_status 404 unknown_attestation_type "unknown attestation type"
http GET /no/such/thing
expect_status 404 not_found "unknown path"
http DELETE /healthz
expect_status 405 method_not_allowed "wrong method"

# Admin credential: missing, wrong, wrong scheme; nothing stored.
printf 'version=1.0; authorizationrules { => deny(); }; issuancerules { };' >"$T/deny.txt"
http PUT /policies/SgxEnclave --data-binary @"$T/deny.txt"
expect_status 401 unauthorized "policy PUT without admin token"
http PUT /policies/SgxEnclave --data-binary @"$T/deny.txt" -H "Authorization: Bearer ${ADMIN}x"
expect_status 401 unauthorized "policy PUT with a wrong admin token"
http PUT /policies/SgxEnclave --data-binary @"$T/deny.txt" -H "Authorization: Bearer ${ADMIN:0:10}"
expect_status 401 unauthorized "policy PUT with a prefix of the admin token"
http PUT /policies/SgxEnclave --data-binary @"$T/deny.txt" -H "Authorization: Basic $ADMIN"
expect_status 401 unauthorized "policy PUT with another scheme"
http POST /policies/SgxEnclave:reset -H "Authorization: Bearer nope-nope-nope-nope"
expect_status 401 unauthorized "policy reset with a wrong token"
admin PUT /policies/SgxEnclave --data-binary 'version=1.0; authorizationrules { => frobnicate(); };'
expect_status 400 bad_policy "unparsable policy"
http GET /policies/SgxEnclave
expect_status 200 "" "policy GET"
[ "$(jwt_part "$(jq -r .token "$T/body")" 1 | jq -r '."x-ms-policy-result"')" = Default ] ||
	fail "after refused uploads the SgxEnclave policy is not the default"
http POST /attest/SgxEnclave --data-binary @"$T/sgx-req.json"
expect_status 200 "" "SGX attest after refused policy uploads"

KEY='{"key":{"kty":"oct","k":"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"},"release_policy":{"version":"1.0.0","anyOf":[{"authority":"x","allOf":[{"claim":"x-ms-attestation-type","equals":"sevsnpvm"}]}]}}'
http PUT /keys/kbad --data-binary "$KEY"
expect_status 401 unauthorized "key PUT without admin token"
http PUT /keys/kbad --data-binary "$KEY" -H "Authorization: Bearer wrong-wrong-wrong-wrong"
expect_status 401 unauthorized "key PUT with a wrong admin token"
admin PUT /keys/kbad --data-binary '{"key": {"kty":"oct","k":"AAEC"}, "release_policy": {"version":"1.0.0","anyOf":[]}}'
[ "$STATUS" = 400 ] || fail "key PUT with a 3-byte key: status $STATUS"
admin PUT /keys/kbad --data-binary '{"key": '
expect_status 400 bad_json "key PUT malformed JSON"
# Nothing stored: a release of kbad is "no such key" (404), not a policy decision.
http POST /keys/kbad/release --data-binary "{\"target\":\"$tok\"}"
expect_status 404 not_found "release of a key whose uploads all failed"
http DELETE /keys/kbad -H "Authorization: Bearer $ADMIN"
expect_status 404 not_found "delete of a key whose uploads all failed"
http POST /kbs/v0/resource/r/t/g --data-binary 'secret'
[ "$STATUS" = 401 ] || fail "resource POST without admin token: $STATUS"

# Tokens refused by /keys/x/release: forged signature, alg none, garbage, expired, wrong issuer.
admin PUT /keys/kgood --data-binary "${KEY/\"x\"/\"$ISSUER\"}"
expect_status 200 "" "key PUT"
h=$(printf '%s' "$tok" | cut -d.  -f1)
p=$(printf '%s' "$tok" | cut -d. -f2)
s=$(printf '%s' "$tok" | cut -d. -f3)
forged_p=$(jwt_part "$tok" 1 | jq -c '."x-ms-attestation-type" = "sevsnpvm"' | b64url)
rel() { http POST /keys/kgood/release --data-binary "{\"target\":\"$1\"}"; }
rel "$h.$forged_p.$s"
expect_status 401 bad_token "release with forged claims"
rel "$(printf '{"alg":"none"}' | b64url).$forged_p."
expect_status 401 bad_token "release with an alg none token"
rel "not-a-token"
expect_status 401 bad_token "release with garbage"
# An expired token: the same claims, exp in the past, signed by a key of our own under coved's kid.
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$T/evil.pem" 2>/dev/null
exp_p=$(jwt_part "$tok" 1 | jq -c '.exp = 1000 | .iat = 900 | .nbf = 900' | b64url)
printf '%s.%s' "$h" "$exp_p" >"$T/evil-signed"
evil_s=$(openssl dgst -sha256 -sign "$T/evil.pem" "$T/evil-signed" | b64url)
rel "$h.$exp_p.$evil_s"
expect_status 401 bad_token "release with an expired token signed by another key"
# Expired but signed with coved's own key (read from its state directory): refused for its exp alone.
ls "$T"/st/token-signing-key-RS256.pem >/dev/null || fail "no token signing key in the state directory"
exp_s=$(openssl dgst -sha256 -sign "$T/st/token-signing-key-RS256.pem" "$T/evil-signed" | b64url)
rel "$h.$exp_p.$exp_s"
expect_status 401 bad_token "release with an expired token"
grep -q -i 'expire\|exp' "$T/body" || fail "expired token: the error does not say so: $(cat "$T/body")"
# Control: the same key signing the genuine claims yields a token the policy decides on.
printf '%s.%s' "$h" "$forged_p" >"$T/good-signed"
good_s=$(openssl dgst -sha256 -sign "$T/st/token-signing-key-RS256.pem" "$T/good-signed" | b64url)
rel "$h.$forged_p.$good_s"
[ "$STATUS" = 401 ] && fail "re-signing with coved's key is refused too: the expiry check above proves nothing"
# The original token (a sgx one) is genuine: the policy decides (403), which shows the 401s above are about the token.
rel "$tok"
expect_status 403 policy_denied "release with a genuine token of the wrong type"

stop_coved
finish
