#!/bin/bash
# Secure Key Release against a running coved (issue #6 scope 5a): an oct key
# stored with a release policy naming coved as authority; an emulated SNP
# report whose runtimeData carries the TEE's RSA-2048 public key; the
# released {"value": JWS} verifies against /certs, and key_hsm unwrapped with
# the TEE private key by the openssl CLI (RSA-OAEP then AES-KWP, RFC 5649)
# equals the stored key.  A policy wanting another attestation type is 403.
. "$(dirname "$0")/lib.sh"

PLAT=$T/plat
platform_init "$PLAT" || { fail "platform init"; finish; }

# The TEE key and its public JWK.
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$T/tee.pem" 2>/dev/null || fail "genpkey"
N=$(openssl rsa -in "$T/tee.pem" -noout -modulus 2>/dev/null | cut -d= -f2 | sed 's/^\(00\)*//' | xxd -r -p 2>/dev/null | b64url)
if [ -z "$N" ]; then
	# Without xxd: hex to bytes through printf.
	hex=$(openssl rsa -in "$T/tee.pem" -noout -modulus | cut -d= -f2)
	N=$(printf '%s' "$hex" | sed 's/../\\x&/g' | xargs -0 printf '%b' | b64url)
fi
jq -cn --arg n "$N" '{keys:[{kty:"RSA", n:$n, e:"AQAB", key_ops:["encrypt"], kid:"tee-rsa-1"}]}' >"$T/rt.json"
snp_report "$PLAT" "$T/snp" "$T/rt.json" || fail "snp emulate"
snp_body "$T/snp-req.json" "$T/snp.bin" "$T/snp.chain.pem" "$T/rt.json" JSON

start_coved main --state-dir "$T/st" --trust-emulated-root --platform-dir "$PLAT" --admin-token-file "$T/admin" ||
	{ fail "start"; finish; }
http GET /certs
cp "$T/body" "$T/jwks.json"

# The key and its release policy.
KEYHEX=$(head -c 32 /dev/urandom | od -An -tx1 -v | tr -d ' \n')
K=$(printf '%s' "$KEYHEX" | sed 's/../\\x&/g' | xargs -0 printf '%b' | b64url)
policy() {
	jq -cn --arg iss "$ISSUER" --arg t "$1" \
		'{version:"1.0.0", anyOf:[{authority:$iss, allOf:[{claim:"x-ms-attestation-type", equals:$t}]}]}'
}
admin PUT /keys/k1 --data-binary "$(jq -cn --arg k "$K" --argjson p "$(policy sevsnpvm)" '{key:{kty:"oct", k:$k}, release_policy:$p}')"
expect_status 200 "" "PUT /keys/k1"
admin PUT /keys/k2 --data-binary "$(jq -cn --arg k "$K" --argjson p "$(policy sgx)" '{key:{kty:"oct", k:$k}, release_policy:$p}')"
expect_status 200 "" "PUT /keys/k2"
# Key Vault's form of the policy: {"contentType", "data": base64url(policy)}.
admin PUT /keys/k3 --data-binary "$(jq -cn --arg k "$K" --arg d "$(policy sevsnpvm | b64url)" \
	'{key:{kty:"oct", k:$k}, release_policy:{contentType:"application/json; charset=utf-8", data:$d}}')"
expect_status 200 "" "PUT /keys/k3 (Key Vault policy form)"

http POST /attest/SevSnpVm --data-binary @"$T/snp-req.json"
expect_status 200 "" "SNP attest" || finish
TOKEN=$(jq -r .token "$T/body")
verify_token "$TOKEN"
jq -e '."x-ms-runtime".keys[0].kid == "tee-rsa-1"' "$T/claims.json" >/dev/null || fail "token lacks the TEE key"

# release NAME ENC OAEP_MD: release, verify the JWS, unwrap, compare.
release() {
	local name=$1 enc=$2 md=$3 hsm ct rsalen=256
	http POST "/keys/$name/release" --data-binary "$(jq -cn --arg t "$TOKEN" --arg e "$enc" '{target:$t} + (if $e == "" then {} else {enc:$e} end)')"
	expect_status 200 "" "release $name ${enc:-default}" || return 1
	jws=$(jq -r .value "$T/body")
	verify_jws "$jws" || return 1
	[ "$(jq -r .response.key.key.kid "$T/claims.json")" = "$name" ] || fail "release $name: response kid"
	hsm=$(jq -r .response.key.key.key_hsm "$T/claims.json")
	printf '%s' "$hsm" | b64url_d >"$T/hsm.json"
	[ "$(jq -r .header.kid "$T/hsm.json")" = tee-rsa-1 ] || fail "key_hsm header.kid: $(jq -c .header "$T/hsm.json")"
	if [ -z "$enc" ]; then
		# coved's default: whichever it names, with that name's OAEP hash.
		case "$(jq -r .header.enc "$T/hsm.json")" in
		CKM_RSA_AES_KEY_WRAP) md=sha1 ;;
		RSA_AES_KEY_WRAP_256) md=sha256 ;;
		RSA_AES_KEY_WRAP_384) md=sha384 ;;
		*) fail "key_hsm header.enc $(jq -r .header.enc "$T/hsm.json")"; return 1 ;;
		esac
		echo "default enc: $(jq -r .header.enc "$T/hsm.json")"
	fi
	[ "$(jq -r .header.enc "$T/hsm.json")" = "${enc:-$(jq -r .header.enc "$T/hsm.json")}" ] || fail "key_hsm header.enc"
	[ "$(jq -r .request.enc "$T/claims.json")" = "$(jq -r .header.enc "$T/hsm.json")" ] || fail "request.enc differs from key_hsm's"
	jq -r .ciphertext "$T/hsm.json" | b64url_d >"$T/wrapped"
	ct=$(stat -c %s "$T/wrapped")
	[ "$ct" -eq $((rsalen + 40)) ] || fail "wrapped length $ct, expected 256 + 40 (KWP of 32 bytes)"
	head -c $rsalen "$T/wrapped" >"$T/w-rsa"
	tail -c +$((rsalen + 1)) "$T/wrapped" >"$T/w-kwp"
	openssl pkeyutl -decrypt -inkey "$T/tee.pem" -in "$T/w-rsa" -out "$T/aes" -pkeyopt rsa_padding_mode:oaep \
		-pkeyopt rsa_oaep_md:"$md" -pkeyopt rsa_mgf1_md:"$md" 2>"$T/err" ||
		{ fail "release $name: RSA-OAEP-$md does not decrypt: $(cat "$T/err")"; return 1; }
	[ "$(stat -c %s "$T/aes")" = 32 ] || fail "the transport key is not 32 bytes"
	openssl enc -d -id-aes256-wrap-pad -K "$(od -An -tx1 -v "$T/aes" | tr -d ' \n')" -iv A65959A6 \
		-in "$T/w-kwp" -out "$T/key" 2>"$T/err" || { fail "release $name: AES-KWP unwrap: $(cat "$T/err")"; return 1; }
	[ "$(od -An -tx1 -v "$T/key" | tr -d ' \n')" = "$KEYHEX" ] || fail "release $name: the unwrapped key is not the stored one"
}
release k1 "" ""
release k1 CKM_RSA_AES_KEY_WRAP sha1
release k1 RSA_AES_KEY_WRAP_256 sha256
release k3 RSA_AES_KEY_WRAP_384 sha384

# A policy wanting another attestation type.
http POST /keys/k2/release --data-binary "$(jq -cn --arg t "$TOKEN" '{target:$t}')"
expect_status 403 policy_denied "release of a key for sgx to an SNP token"
grep -q '"value"' "$T/body" && fail "a denied release carries a value"
# A policy naming another authority.
admin PUT /keys/k4 --data-binary "$(jq -cn --arg k "$K" --argjson p "$(policy sevsnpvm | jq -c '.anyOf[0].authority = "https://sharedeus.eus.attest.azure.net"')" '{key:{kty:"oct", k:$k}, release_policy:$p}')"
expect_status 200 "" "PUT /keys/k4"
http POST /keys/k4/release --data-binary "$(jq -cn --arg t "$TOKEN" '{target:$t}')"
expect_status 403 policy_denied "release under another authority"
# Unknown enc; a deleted key.
http POST /keys/k1/release --data-binary "$(jq -cn --arg t "$TOKEN" '{target:$t, enc:"ROT13"}')"
expect_status 400 bad_request "unknown enc"
admin DELETE /keys/k1
expect_status 200 "" "DELETE /keys/k1"
http POST /keys/k1/release --data-binary "$(jq -cn --arg t "$TOKEN" '{target:$t}')"
expect_status 404 not_found "release after delete"
# A token without a TEE key in x-ms-runtime: no key to wrap to.
snp_report "$PLAT" "$T/snp0" /dev/null >/dev/null 2>&1
snp_body "$T/snp0-req.json" "$T/snp0.bin" "$T/snp0.chain.pem"
http POST /attest/SevSnpVm --data-binary @"$T/snp0-req.json"
expect_status 200 "" "attest without runtime data"
http POST /keys/k3/release --data-binary "$(jq -cn --arg t "$(jq -r .token "$T/body")" '{target:$t}')"
expect_status 400 no_tee_key "release to a token without a TEE key"

stop_coved

# Tokens of another attestation service: refused unless the operator trusts its issuer and JWKS.
start_coved other --state-dir "$T/st" --trust-emulated-root --platform-dir "$PLAT" --admin-token-file "$T/admin" ||
	{ fail "restart"; finish; }
OTHER_ISSUER=$ISSUER
http GET /certs
cp "$T/body" "$T/other-jwks.json"
http POST /attest/SevSnpVm --data-binary @"$T/snp-req.json"
expect_status 200 "" "SNP attest at the first instance"
FOREIGN=$(jq -r .token "$T/body")
stop_coved
start_coved third --state-dir "$T/st3" --admin-token-file "$T/admin" || { fail "third instance"; finish; }
admin PUT /keys/kx --data-binary "$(jq -cn --arg k "$K" --argjson p "$(ISSUER=$OTHER_ISSUER policy sevsnpvm)" '{key:{kty:"oct", k:$k}, release_policy:$p}')"
expect_status 200 "" "PUT /keys/kx naming the other issuer"
http POST /keys/kx/release --data-binary "$(jq -cn --arg t "$FOREIGN" '{target:$t}')"
expect_status 401 untrusted_issuer "a token of an issuer nobody configured"
stop_coved
start_coved fourth --state-dir "$T/st3" --admin-token-file "$T/admin" --trusted-issuer "$OTHER_ISSUER=$T/other-jwks.json" ||
	{ fail "fourth instance"; finish; }
http POST /keys/kx/release --data-binary "$(jq -cn --arg t "$FOREIGN" '{target:$t}')"
expect_status 200 "" "release to a token of a trusted issuer"
jq -e '.value | length > 0' "$T/body" >/dev/null || fail "no value from the trusted-issuer release"
stop_coved
finish
