# Shared helpers of the coved integration tests (tests/coved/*.sh): a scratch
# directory, an emulated platform, a coved on a free loopback port, HTTP calls
# with curl, base64url, and the pass/fail bookkeeping.  Sourced by bash.
# Environment: COVED_BIN, COVE_BIN (the executables), COVE_SHARED_DIR.
# A coved built with AddressSanitizer writes its reports to its log; stop_coved
# fails the test when one appears.

set -u
fails=0
fail() {
	echo "FAIL: $*"
	fails=$((fails + 1))
}
finish() {
	if [ "$fails" -ne 0 ]; then
		echo "$fails check(s) failed"
		exit 1
	fi
	echo "all checks passed"
	exit 0
}
skip() {
	echo "SKIP: $*"
	exit 77
}

for v in COVED_BIN COVE_BIN; do
	eval "x=\${$v:-}"
	[ -n "$x" ] && [ -x "$x" ] || skip "$v does not name an executable"
done
for t in curl jq openssl base64 sha256sum; do
	command -v "$t" >/dev/null 2>&1 || skip "$t is needed"
done

T=$(mktemp -d "${TMPDIR:-/tmp}/coved-test-XXXXXX")
COVED_PIDS=""
cleanup() {
	for p in $COVED_PIDS; do kill -9 "$p" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT
unset COVE_STATE_DIR
# Leaks are reported at a graceful exit; a SIGKILLed coved reports nothing.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}

ADMIN="test-admin-token-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
printf '%s' "$ADMIN" >"$T/admin"
chmod 600 "$T/admin"
MRE=$(printf 'e1%.0s' $(seq 32))
MRS=$(printf '51%.0s' $(seq 32))
MEAS=$(printf 'a5%.0s' $(seq 48))

# b64url < bytes; b64url_d < text
b64url() { base64 -w0 | tr '+/' '-_' | tr -d '='; }
b64url_d() {
	local s
	s=$(tr -d '\n' | tr -- '-_' '+/')
	while [ $((${#s} % 4)) -ne 0 ]; do s="$s="; done
	printf '%s' "$s" | base64 -d
}
# jwt_part TOKEN N: the decoded header (0) or payload (1)
jwt_part() { printf '%s' "$1" | cut -d. -f$(($2 + 1)) | b64url_d; }

# platform_init DIR: the emulated platform with its SNP and SGX sides.
platform_init() {
	"$COVE_BIN" platform init --state-dir "$1" >/dev/null 2>"$T/platform.err" || {
		cat "$T/platform.err"
		return 1
	}
	# The SGX side exists once something quoted on it, and coved looks for it at start.
	"$COVE_BIN" sgx emulate --mrenclave "$MRE" --mrsigner "$MRS" --report-data 00 --out "$T/sgx-first.bin" \
		--state-dir "$1" >/dev/null 2>&1
}

# start_coved NAME ARGS...: runs coved with its log in $T/NAME.log; sets PORT, BASE, COVED_PID.
start_coved() {
	local name=$1 i
	shift
	: >"$T/$name.log"
	"$COVED_BIN" --listen 127.0.0.1:0 --offline "$@" 2>>"$T/$name.log" &
	COVED_PID=$!
	COVED_PIDS="$COVED_PIDS $COVED_PID"
	COVED_LOG=$T/$name.log
	PORT=""
	for i in $(seq 200); do
		PORT=$(grep -o '"msg":"listening"[^}]*' "$COVED_LOG" | grep -o '"port":[0-9]*' | head -1 | cut -d: -f2)
		[ -n "$PORT" ] && break
		kill -0 "$COVED_PID" 2>/dev/null || break
		sleep 0.1
	done
	if [ -z "$PORT" ]; then
		echo "coved did not start:"
		cat "$COVED_LOG"
		return 1
	fi
	BASE=http://127.0.0.1:$PORT
	ISSUER=$BASE
}

# stop_coved: SIGTERM, wait; fails on a non-zero exit or a sanitizer report.
stop_coved() {
	local rc
	kill -TERM "$COVED_PID" 2>/dev/null
	wait "$COVED_PID"
	rc=$?
	[ "$rc" -eq 0 ] || fail "coved exited $rc after SIGTERM (log $COVED_LOG)"
	if grep -q -E 'Sanitizer|runtime error:' "$COVED_LOG"; then
		fail "sanitizer report in coved's log:"
		grep -v '^{' "$COVED_LOG" | head -60
	fi
}

# http METHOD PATH [curl args...]: body in $T/body, status in $STATUS.
http() {
	local m=$1 p=$2
	shift 2
	STATUS=$(curl -s -o "$T/body" -w '%{http_code}' -X "$m" "$@" "$BASE$p")
}
admin() { http "$@" -H "Authorization: Bearer $ADMIN"; }

# expect_status WANT [CODE] WHAT: the last response had status WANT (and error.code CODE).
expect_status() {
	local want=$1 code=${2:-} what=${3:-}
	if [ "$STATUS" != "$want" ]; then
		fail "$what: status $STATUS, expected $want: $(head -c 400 "$T/body")"
		return 1
	fi
	if [ -n "$code" ]; then
		local got
		got=$(jq -r '.error.code // empty' "$T/body" 2>/dev/null)
		if [ "$got" != "$code" ]; then
			fail "$what: error.code '$got', expected '$code': $(head -c 400 "$T/body")"
			return 1
		fi
		[ -n "$(jq -r '.error.message // empty' "$T/body")" ] || fail "$what: no error.message"
	fi
	return 0
}

# snp_body OUT REPORT CHAIN [RUNTIME_FILE DATATYPE]: the MAA SevSnpVm request.
snp_body() {
	local out=$1 rep=$2 chain=$3 rt=${4:-} dt=${5:-JSON} inner
	inner=$(jq -cn --arg r "$(b64url <"$rep")" --arg c "$(b64url <"$chain")" '{SnpReport:$r, VcekCertChain:$c}' | b64url)
	if [ -n "$rt" ]; then
		jq -cn --arg i "$inner" --arg d "$(b64url <"$rt")" --arg t "$dt" \
			'{report:$i, runtimeData:{data:$d, dataType:$t}, nonce:"n-123"}' >"$out"
	else
		jq -cn --arg i "$inner" '{report:$i}' >"$out"
	fi
}

# snp_report PLAT PREFIX RUNTIME_FILE: an emulated report bound to the runtime data (SHA-256 || 0^32).
snp_report() {
	local rd
	rd=$(sha256sum <"$3" | cut -c1-64)
	"$COVE_BIN" snp emulate --state-dir "$1" --measurement "$MEAS" --report-data "$rd" --out "$2.bin" \
		--certs-out "$2.chain.pem" --crl-out "$2.crl.pem" >/dev/null 2>"$2.err" || {
		cat "$2.err"
		return 1
	}
}

# sgx_quote PLAT OUT REPORT_DATA_HEX
sgx_quote() {
	"$COVE_BIN" sgx emulate --state-dir "$1" --mrenclave "$MRE" --mrsigner "$MRS" --report-data "$3" --out "$2" \
		>/dev/null 2>"$2.err" || {
		cat "$2.err"
		return 1
	}
}

# verify_jws TOKEN: its RS256 signature against the JWKS ($JWKS_FILE or $T/jwks.json) with
# openssl; the payload in $T/claims.json.
verify_jws() {
	local tok=$1 kid n e
	kid=$(jwt_part "$tok" 0 | jq -r .kid)
	[ "$(jwt_part "$tok" 0 | jq -r .alg)" = RS256 ] || { fail "token alg is not RS256"; return 1; }
	[ "$(jwt_part "$tok" 0 | jq -r .jku)" = "$ISSUER/certs" ] || fail "token jku is not $ISSUER/certs"
	jq --arg k "$kid" '{keys:[.keys[] | select(.kid == $k)]}' "${JWKS_FILE:-$T/jwks.json}" >"$T/jwk1.json"
	[ "$(jq '.keys | length' "$T/jwk1.json")" = 1 ] || { fail "kid $kid not in /certs"; return 1; }
	# The JWK as a PEM public key, through an RSA DER built by openssl asn1parse's generator.
	n=$(jq -r '.keys[0].n' "$T/jwk1.json" | b64url_d | od -An -tx1 -v | tr -d ' \n')
	e=$(jq -r '.keys[0].e' "$T/jwk1.json" | b64url_d | od -An -tx1 -v | tr -d ' \n')
	printf 'asn1=SEQUENCE:pk\n[pk]\nn=INTEGER:0x%s\ne=INTEGER:0x%s\n' "$n" "$e" >"$T/pk.cnf"
	openssl asn1parse -genconf "$T/pk.cnf" -out "$T/pk.der" >/dev/null &&
		openssl rsa -RSAPublicKey_in -inform DER -in "$T/pk.der" -pubout -out "$T/pk.pem" 2>/dev/null ||
		{ fail "cannot turn the JWK into a key"; return 1; }
	printf '%s' "$tok" | cut -d. -f1-2 | tr -d '\n' >"$T/signed"
	printf '%s' "$tok" | cut -d. -f3 | b64url_d >"$T/sig"
	openssl dgst -sha256 -verify "$T/pk.pem" -signature "$T/sig" "$T/signed" >/dev/null 2>&1 ||
		{ fail "token signature does not verify against /certs"; return 1; }
	jwt_part "$tok" 1 >"$T/claims.json"
}
# verify_token TOKEN: verify_jws, then iss and iat/nbf/exp.
verify_token() {
	verify_jws "$1" || return 1
	[ "$(jq -r .iss "$T/claims.json")" = "$ISSUER" ] || fail "iss $(jq -r .iss "$T/claims.json") != $ISSUER"
	jq -e '.exp > .iat and .nbf <= .iat + 1' "$T/claims.json" >/dev/null || fail "iat/nbf/exp"
}
