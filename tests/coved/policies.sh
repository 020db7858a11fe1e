#!/bin/bash
# coved's policy management (issue #6 scope 4): PUT /policies/SgxEnclave as an
# unsigned JWT (MAA's upload form) with a deny-all policy makes attestation
# 403 policy_denied; a policy issuing a claim puts it in the token; GET shows
# the text in x-ms-policy; :reset brings the default back; MAA's sample
# policies upload as raw text (or are refused with line/column when invalid).
. "$(dirname "$0")/lib.sh"

PLAT=$T/plat
platform_init "$PLAT" || { fail "platform init"; finish; }
sgx_quote "$PLAT" "$T/q.bin" 00 || fail "sgx emulate"
jq -cn --arg q "$(b64url <"$T/q.bin")" '{quote:$q}' >"$T/sgx-req.json"
start_coved main --state-dir "$T/st" --trust-emulated-root --platform-dir "$PLAT" --admin-token-file "$T/admin" ||
	{ fail "start"; finish; }

# unsigned_jwt FILE: {"alg":"none"}.{"AttestationPolicy": b64url(text)}.
unsigned_jwt() {
	printf '%s.%s.' "$(printf '{"alg":"none"}' | b64url)" \
		"$(jq -cn --arg p "$(b64url <"$1")" '{AttestationPolicy:$p}' | b64url)"
}
# policy_text TYPE: the policy in force, from x-ms-policy of GET /policies/TYPE; result in $RESULT.
policy_text() {
	http GET "/policies/$1"
	[ "$STATUS" = 200 ] || { fail "GET /policies/$1: $STATUS"; return 1; }
	jwt_part "$(jq -r .token "$T/body")" 1 >"$T/pol-claims.json"
	RESULT=$(jq -r '."x-ms-policy-result"' "$T/pol-claims.json")
	jwt_part "$(jq -r '."x-ms-policy"' "$T/pol-claims.json")" 1 | jq -r .AttestationPolicy | b64url_d
}
attest() { http POST /attest/SgxEnclave --data-binary @"$T/sgx-req.json"; }

policy_text SgxEnclave >"$T/default.txt"
[ "$RESULT" = Default ] || fail "fresh instance: x-ms-policy-result $RESULT"
grep -q 'permit()' "$T/default.txt" || fail "the default policy text does not permit: $(cat "$T/default.txt")"
attest
expect_status 200 "" "attest under the default policy"
hash_default=$(jwt_part "$(jq -r .token "$T/body")" 1 | jq -r '."x-ms-policy-hash"')

# Deny-all as an unsigned JWT.
printf 'version=1.0;\nauthorizationrules\n{\n    => deny();\n};\nissuancerules\n{\n};\n' >"$T/deny.txt"
admin PUT /policies/SgxEnclave --data-binary "$(unsigned_jwt "$T/deny.txt")"
expect_status 200 "" "PUT deny-all (unsigned JWT)"
[ "$(jwt_part "$(jq -r .token "$T/body")" 1 | jq -r '."x-ms-policy-result"')" = Updated ] || fail "PUT result is not Updated"
policy_text SgxEnclave >"$T/got.txt"
[ "$RESULT" = Current ] || fail "after PUT: x-ms-policy-result $RESULT"
cmp -s "$T/got.txt" "$T/deny.txt" || fail "GET does not return the uploaded text: $(cat "$T/got.txt")"
attest
expect_status 403 policy_denied "attest under deny-all"
grep -q '"token"' "$T/body" && fail "a token under deny-all"
# Other types keep their own (default) policy.
policy_text SevSnpVm >/dev/null
[ "$RESULT" = Default ] || fail "SevSnpVm policy changed by a SgxEnclave upload"

# A policy issuing a custom claim, from an incoming one.
cat >"$T/issue.txt" <<'POL'
version=1.0;
authorizationrules
{
    [type=="x-ms-sgx-is-debuggable", value==false] => permit();
};
issuancerules
{
    c:[type=="x-ms-sgx-mrsigner"] => issue(type="signer-copy", value=c.value);
    => issue(type="SecurityLevelValue", value=100);
};
POL
admin PUT /policies/SgxEnclave --data-binary "$(unsigned_jwt "$T/issue.txt")"
expect_status 200 "" "PUT issuing policy"
attest
if expect_status 200 "" "attest under the issuing policy"; then
	jwt_part "$(jq -r .token "$T/body")" 1 >"$T/claims.json"
	[ "$(jq -r .SecurityLevelValue "$T/claims.json")" = 100 ] || fail "issued SecurityLevelValue missing: $(jq -c . "$T/claims.json" | head -c 300)"
	[ "$(jq -r '."signer-copy"' "$T/claims.json")" = "$MRS" ] || fail "issued signer-copy is not MRSIGNER"
	h=$(jq -r '."x-ms-policy-hash"' "$T/claims.json")
	[ -n "$h" ] && [ "$h" != "$hash_default" ] || fail "x-ms-policy-hash did not change with the policy"
fi

# :reset
admin POST /policies/SgxEnclave:reset
expect_status 200 "" "reset"
policy_text SgxEnclave >"$T/got.txt"
[ "$RESULT" = Default ] || fail "after reset: x-ms-policy-result $RESULT"
cmp -s "$T/got.txt" "$T/default.txt" || fail "after reset the text is not the default"
attest
expect_status 200 "" "attest after reset"
[ "$(jwt_part "$(jq -r .token "$T/body")" 1 | jq -r '."x-ms-policy-hash"')" = "$hash_default" ] ||
	fail "after reset the policy hash is not the default's"

# Invalid uploads: a precise error with a position; nothing changes.
printf 'version=1.0;\nauthorizationrules\n{\n    => permit(;\n};\n' >"$T/bad.txt"
admin PUT /policies/SgxEnclave --data-binary @"$T/bad.txt"
expect_status 400 bad_policy "syntax error"
grep -q -E 'line 4|4:[0-9]+' "$T/body" || fail "syntax error without a position: $(cat "$T/body")"
admin PUT /policies/SgxEnclave --data-binary "$(printf '{"alg":"none"}' | b64url).$(printf '{"x":1}' | b64url)."
expect_status 400 bad_policy "JWT without AttestationPolicy"
admin PUT /policies/NoSuchType --data-binary @"$T/deny.txt"
expect_status 404 unknown_attestation_type "PUT of an unknown type"
policy_text SgxEnclave >/dev/null
[ "$RESULT" = Default ] || fail "a refused upload changed the policy"

# MAA's sample policies as raw text.
V=${COVE_SHARED_DIR:-}/vectors/coco/maa/policies
if [ -d "$V" ]; then
	n=0
	for f in "$V"/*.txt; do
		n=$((n + 1))
		admin PUT /policies/SevSnpVm --data-binary @"$f"
		case "$(basename "$f")" in
		*invalid*) [ "$STATUS" = 400 ] || fail "$(basename "$f") (invalid) accepted: $STATUS" ;;
		*)
			expect_status 200 "" "upload of $(basename "$f")" || continue
			policy_text SevSnpVm >"$T/got.txt"
			# Trailing whitespace is not part of the stored text.
			cmp -s <(printf '%s' "$(cat "$f")") <(printf '%s' "$(cat "$T/got.txt")") ||
				fail "$(basename "$f"): GET does not return the uploaded text"
			;;
		esac
	done
	[ "$n" -gt 0 ] || fail "no sample policies in $V"
	# deny.all from the samples denies SNP for real.
	admin PUT /policies/SgxEnclave --data-binary @"$V/signing-tool-sample.deny.all.txt"
	attest
	expect_status 403 policy_denied "attest under MAA's deny.all sample"
else
	echo "note: COVE_SHARED_DIR unset; MAA sample policies not uploaded"
fi

stop_coved
finish
