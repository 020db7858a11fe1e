#!/bin/sh
# `cove token verify|show`: the legacy CoCo AS token of shared/ (RS384 with its own jwk claim;
# pinned at 2023-12-04T06:53:00Z as vectors/coco/MANIFEST.md says), and ES256 tokens signed here by
# the OpenSSL command line with Trustee's published TEST key, checked against Trustee's fixture
# JWKS (an issuer independent of libcove).  Expiry, nbf, issuer, algorithm, tampering, alg none,
# unknown key and usage errors each fail with their own exit code and reason.
set -u
[ -n "${COVE_BIN:-}" ] && [ -x "$COVE_BIN" ] || { echo "SKIP: COVE_BIN is not set"; exit 77; }
V=${COVE_SHARED_DIR:-}/vectors/coco/kbs/tokens
[ -f "$V/coco-as-legacy-simple-token.rs384.jwt" ] || { echo "SKIP: token vectors ($V) are absent"; exit 77; }
command -v openssl >/dev/null || { echo "SKIP: openssl command line absent"; exit 77; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
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

LEGACY=$V/coco-as-legacy-simple-token.rs384.jwt
PIN=2023-12-04T06:53:00Z

expect 0 "--help" "--allow-embedded-jwk" -- token verify --help
expect 0 "show is labelled unverified" "token NOT verified: decoded only" -- token show --token-file "$LEGACY"
expect 0 "show --json" '"verified": false' -- token show --json --token-file "$LEGACY"
expect 0 "show: token as argument" "iss: CoCo-Attestation-Service" -- token show "$(cat "$LEGACY")"
expect 0 "legacy token at the pin" "token verified: RS384 signature by the key from the token's own jwk claim" -- \
	token verify --token-file "$LEGACY" --allow-embedded-jwk --alg RS384 --at $PIN
expect 0 "legacy token: claims printed" '"test_key":"test_value"' -- \
	token verify --token-file "$LEGACY" --allow-embedded-jwk --alg RS384 --at $PIN
expect 0 "legacy token: issuer matches" "exp: 1701672965 (2023-12-04T06:56:05Z)" -- \
	token verify --token-file "$LEGACY" --allow-embedded-jwk --alg RS384 --at $PIN --issuer CoCo-Attestation-Service
expect 0 "legacy token: --json" '"key_source": "claim-jwk"' -- \
	token verify --json --token-file - --allow-embedded-jwk --alg RS384 --at $PIN <"$LEGACY"
expect 1 "legacy token after exp" "token expired at 2023-12-04T06:56:05Z" -- \
	token verify --token-file "$LEGACY" --allow-embedded-jwk --alg RS384 --at 2023-12-04T07:00:00Z
expect 1 "legacy token before nbf" "token not valid before 2023-12-04T06:51:05Z" -- \
	token verify --token-file "$LEGACY" --allow-embedded-jwk --alg RS384 --at 2023-12-04T06:50:00Z
expect 1 "legacy token: RS384 not accepted by default" "RS384" -- \
	token verify --token-file "$LEGACY" --allow-embedded-jwk --at $PIN
expect 1 "legacy token: wrong issuer" 'is not the expected "https://other"' -- \
	token verify --token-file "$LEGACY" --allow-embedded-jwk --alg RS384 --at $PIN --issuer https://other
expect 1 "legacy token: embedded key not trusted without the flag" "does not fit JWKS key 0" -- \
	token verify --token-file "$LEGACY" --jwks "$V/fixtures-jwk/expected-jwks.json" --alg RS384 --at $PIN

# ---- ES256 tokens signed with Trustee's TEST key, verified with Trustee's fixture JWKS ----
KEY=$V/fixtures-jwk/signing-key.TEST-ONLY.pem
JWKS=$V/fixtures-jwk/expected-jwks.json
b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }
# jws HEADER CLAIMS: a compact JWS; the DER ECDSA signature is turned into r||s (RFC 7518 3.4).
jws() {
	input="$(printf %s "$1" | b64url).$(printf %s "$2" | b64url)"
	printf %s "$input" | openssl dgst -sha256 -sign "$KEY" -out "$tmp/sig.der" || return 1
	rs=$(openssl asn1parse -inform DER -in "$tmp/sig.der" | awk -F: '/INTEGER/ {
		v = $NF; sub(/^0+/, "", v); while (length(v) < 64) v = "0" v; printf "%s", v }')
	[ ${#rs} -eq 128 ] || return 1
	printf '%s.%s' "$input" "$(printf %s "$rs" | xxd -r -p | b64url)"
}
H='{"alg":"ES256","typ":"JWT"}'
C='{"iss":"https://as.example","iat":1704067200,"nbf":1704067200,"exp":1704096000,"tee":"sample","nonce":"n-42"}'
AT=2024-01-01T01:00:00Z
jws "$H" "$C" >"$tmp/es.jwt" || { echo "FAIL: cannot sign with openssl"; exit 1; }

expect 0 "fixture token verifies with the fixture JWKS" "token verified: ES256 signature by the key from the JWKS" -- \
	token verify --token-file "$tmp/es.jwt" --jwks "$JWKS" --at $AT --issuer https://as.example
expect 0 "fixture token: claims" "nonce: n-42" -- token verify --token-file "$tmp/es.jwt" --jwks "$JWKS" --at $AT
expect 0 "fixture token: --json" '"tee": "sample"' -- token verify --json --token-file "$tmp/es.jwt" --jwks "$JWKS" --at $AT
expect 1 "fixture token: wrong issuer" 'is not the expected "https://as.example/"' -- \
	token verify --token-file "$tmp/es.jwt" --jwks "$JWKS" --at $AT --issuer https://as.example/
expect 1 "fixture token: expired" "expired" -- token verify --token-file "$tmp/es.jwt" --jwks "$JWKS" --at 2024-01-02T00:00:00Z
expect 1 "fixture token: ES256 not in --alg" "ES256 is not among the accepted ones" -- \
	token verify --token-file "$tmp/es.jwt" --jwks "$JWKS" --at $AT --alg RS256
# Tampering: the same signature over other claims.
sig=$(cut -d. -f3 "$tmp/es.jwt")
evil=$(printf %s '{"iss":"https://as.example","iat":1704067200,"nbf":1704067200,"exp":1704096000,"tee":"evil","nonce":"n-42"}' | b64url)
printf '%s.%s.%s' "$(cut -d. -f1 "$tmp/es.jwt")" "$evil" "$sig" >"$tmp/tampered.jwt"
expect 1 "tampered claims" "ES256 signature does not verify" -- token verify --token-file "$tmp/tampered.jwt" --jwks "$JWKS" --at $AT
expect 0 "tampered claims still show (unverified)" "tee: evil" -- token show --token-file "$tmp/tampered.jwt"
printf '%s.%s.' "$(printf %s '{"alg":"none"}' | b64url)" "$(cut -d. -f2 "$tmp/es.jwt")" >"$tmp/none.jwt"
expect 1 "alg none" 'unsigned ("alg":"none")' -- token verify --token-file "$tmp/none.jwt" --jwks "$JWKS" --at $AT
printf '{"keys":[]}' >"$tmp/empty.json"
expect 1 "empty JWKS" "JWKS has no keys" -- token verify --token-file "$tmp/es.jwt" --jwks "$tmp/empty.json" --at $AT
expect 1 "malformed token" "a compact JWS has 3" -- token verify "not.a-token" --jwks "$JWKS"

# ---- usage and unreachable key sources ----
expect 3 "JWKS URL unreachable" "cannot reach" -- token verify --token-file "$tmp/es.jwt" --jwks-url http://127.0.0.1:9/certs
expect 2 "no key source" "no key to verify with" -- token verify --token-file "$tmp/es.jwt"
expect 2 "no token" "expected one TOKEN" -- token verify --jwks "$JWKS"
expect 2 "unknown --alg" "unknown algorithm 'HS256'" -- token verify --token-file "$tmp/es.jwt" --jwks "$JWKS" --alg HS256
expect 2 "bad --at" "not an RFC 3339 time" -- token verify --token-file "$tmp/es.jwt" --jwks "$JWKS" --at yesterday
expect 2 "JWKS not JSON" "invalid JSON" -- token verify --token-file "$tmp/es.jwt" --jwks "$KEY"
expect 2 "missing token file" "" -- token show --token-file "$tmp/nope.jwt"
expect 2 "verify options on show" "applies to 'cove token verify' only" -- token show --jwks "$JWKS" "$(cat "$tmp/es.jwt")"

[ "$fails" -eq 0 ] || { echo "$fails failure(s)"; exit 1; }
echo "all token CLI checks passed"
