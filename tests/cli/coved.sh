#!/bin/sh
# coved as an operator meets it: --help, the config file and flags overriding it, refusal of
# plain HTTP off loopback, HTTPS with a configured certificate, structured logs without
# secrets, and a graceful SIGTERM.  coved sits next to the cove binary in the build tree.
set -u
[ -n "${COVE_BIN:-}" ] && [ -x "$COVE_BIN" ] || { echo "SKIP: COVE_BIN is not set"; exit 77; }
coved="$(dirname "$COVE_BIN")/coved"
[ -x "$coved" ] || { echo "SKIP: coved is not built next to $COVE_BIN"; exit 77; }
command -v curl >/dev/null 2>&1 || { echo "SKIP: curl is not installed"; exit 77; }
command -v openssl >/dev/null 2>&1 || { echo "SKIP: openssl is not installed"; exit 77; }
tmp=$(mktemp -d)
pids=""
cleanup() { for p in $pids; do kill -9 "$p" 2>/dev/null; done; rm -rf "$tmp"; }
trap cleanup EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# start LOG ARGS...: run coved in the background, wait for its port; sets $pid and $port.
start() {
	log=$1
	shift
	"$coved" "$@" 2>"$log" &
	pid=$!
	pids="$pids $pid"
	port=""
	for _ in $(seq 1 100); do
		port=$(sed -n 's/.*"msg":"listening".*"port":\([0-9]*\).*/\1/p' "$log" | head -n 1)
		[ -n "$port" ] && return 0
		kill -0 "$pid" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# --help documents the flags and the config file.
"$coved" --help >"$tmp/help" || fail "coved --help exited $?"
for w in --config --listen --state-dir --tls-cert --tls-key --admin-token-file --trust-emulated-root \
	--allow-plain-http --max-body "config file"; do
	grep -q -- "$w" "$tmp/help" || fail "--help does not mention $w"
done

# Plain HTTP off loopback is refused unless the operator insists.
"$coved" --listen 0.0.0.0:0 --state-dir "$tmp/s0" >/dev/null 2>"$tmp/refused"
[ $? -eq 2 ] || fail "plain HTTP on 0.0.0.0 was not refused with exit 2"
grep -q "allow-plain-http" "$tmp/refused" || fail "the refusal does not name --allow-plain-http"

# Unknown config keys are refused; flags override the file.
printf '{"listen": "127.0.0.1:1", "state-dir": "%s/s1", "lisen": "x"}\n' "$tmp" >"$tmp/bad.json"
"$coved" --config "$tmp/bad.json" >/dev/null 2>"$tmp/badcfg"
[ $? -eq 2 ] || fail "a config with an unknown key did not exit 2"
grep -q 'unknown key "lisen"' "$tmp/badcfg" || fail "the unknown key is not named"
printf '{"listen": "127.0.0.1:1", "state-dir": "%s/s1", "max-body": 2048, "log-level": "info"}\n' "$tmp" >"$tmp/good.json"
start "$tmp/log1" --config "$tmp/good.json" --listen 127.0.0.1:0 || fail "coved did not start with a config file"
if [ -n "$port" ]; then
	[ "$port" != 1 ] || fail "--listen did not override the config file"
	body=$(curl -s "http://127.0.0.1:$port/healthz")
	[ "$body" = '{"status":"ok"}' ] || fail "healthz answered '$body'"
	# max-body from the file: a 4 KiB body is refused with 413 and a JSON error.
	head -c 4096 /dev/zero | tr '\0' 'a' >"$tmp/big"
	code=$(curl -s -o "$tmp/413" -w '%{http_code}' -X POST --data-binary @"$tmp/big" "http://127.0.0.1:$port/attest/SevSnpVm")
	[ "$code" = 413 ] || fail "an oversized body got HTTP $code"
	grep -q '"code":"body_too_large"' "$tmp/413" || fail "413 without the JSON error"
	curl -s "http://127.0.0.1:$port/metrics" | grep -q '^coved_http_requests_total{route="/healthz",status="200"} 1$' ||
		fail "metrics do not count the healthz request"
	# Graceful stop: SIGTERM, exit 0, the last log line says so.
	kill -TERM "$pid"
	wait "$pid"
	[ $? -eq 0 ] || fail "coved did not exit 0 on SIGTERM"
	tail -n 1 "$tmp/log1" | grep -q '"msg":"stopped"' || fail "no 'stopped' log line"
	# Every log line is one JSON object with ts, level and msg.
	while IFS= read -r line; do
		case "$line" in
		'{'*'"level":'*'"msg":'*'"ts":'*'}') ;;
		*) fail "log line is not structured JSON: $line" ;;
		esac
	done <"$tmp/log1"
fi

# HTTPS with a configured certificate (self-signed here), and the admin token never in the logs.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$tmp/key.pem" -out "$tmp/cert.pem" \
	-days 1 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 >/dev/null 2>&1 || fail "openssl req"
secret=0123456789abcdef0123456789abcdef
(umask 077 && printf '%s\n' "$secret" >"$tmp/admin")
start "$tmp/log2" --listen 127.0.0.1:0 --state-dir "$tmp/s2" --tls-cert "$tmp/cert.pem" --tls-key "$tmp/key.pem" \
	--admin-token-file "$tmp/admin" || fail "coved did not start with TLS"
if [ -n "$port" ]; then
	body=$(curl -s --cacert "$tmp/cert.pem" "https://127.0.0.1:$port/healthz")
	[ "$body" = '{"status":"ok"}' ] || fail "HTTPS healthz answered '$body'"
	curl -s "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && fail "plain HTTP answered on the TLS port"
	iss=$(curl -s --cacert "$tmp/cert.pem" "https://127.0.0.1:$port/.well-known/openid-configuration" |
		sed -n 's/.*"issuer":"\([^"]*\)".*/\1/p')
	[ "$iss" = "https://127.0.0.1:$port" ] || fail "issuer is '$iss'"
	code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$tmp/cert.pem" -X POST -H "Authorization: Bearer $secret" \
		"https://127.0.0.1:$port/policies/SgxEnclave:reset")
	[ "$code" = 200 ] || fail "admin reset over HTTPS got HTTP $code"
	code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$tmp/cert.pem" -X POST -H "Authorization: Bearer wrong$secret" \
		"https://127.0.0.1:$port/policies/SgxEnclave:reset")
	[ "$code" = 401 ] || fail "a wrong admin token got HTTP $code"
	kill -TERM "$pid"
	wait "$pid"
	grep -q "$secret" "$tmp/log2" && fail "the admin token appears in the log"
fi
# A group-readable admin token file is refused.
chmod 640 "$tmp/admin"
"$coved" --listen 127.0.0.1:0 --state-dir "$tmp/s3" --admin-token-file "$tmp/admin" >/dev/null 2>"$tmp/perm"
[ $? -ne 0 ] || fail "a group-readable admin token file was accepted"
grep -q "readable by group or others" "$tmp/perm" || fail "the refusal does not say why"

[ "$fails" -eq 0 ] && echo "all coved checks passed" && exit 0
exit 1
