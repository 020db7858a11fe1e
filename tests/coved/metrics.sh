#!/bin/bash
# /metrics under hostile traffic (issue #6 scope 1, Prometheus text format
# 0.0.4): unauthenticated requests to unknown paths, some with '"' and '\' in
# the path, must neither break the exposition format (label values escaped)
# nor use up the series so that real counters stop moving; and each
# "# TYPE name counter" line names its samples exactly, as 0.0.4 wants.
. "$(dirname "$0")/lib.sh"

PLAT=$T/plat
platform_init "$PLAT" || { fail "platform init"; finish; }
sgx_quote "$PLAT" "$T/q.bin" 00 || fail "sgx emulate"
jq -cn --arg q "$(b64url <"$T/q.bin")" '{quote:$q}' >"$T/sgx-req.json"
start_coved main --state-dir "$T/st" --trust-emulated-root --platform-dir "$PLAT" || { fail "start"; finish; }

# valid_exposition FILE: every line a comment or name{label="escaped",...} value; TYPE names match samples.
valid_exposition() {
	local bad
	bad=$(grep -v '^#' "$1" | grep -v -E '^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\["\\n])*",?)*\})? [-+0-9.eEInfNa]+$')
	[ -z "$bad" ] || fail "metrics lines not in the text format: $(printf "%s" "$bad" | head -3)"
	awk '/^# TYPE / {name = $3; type = $4; next}
	     /^#/ {next}
	     {s = $0; sub(/[{ ].*/, "", s)
	      if (type == "counter" && s != name) {print "counter " name " has sample " s; exit 1}
	      if (type == "histogram" && s != name "_bucket" && s != name "_sum" && s != name "_count") {print "histogram " name " has sample " s; exit 1}}' \
		"$1" >"$T/awk.out" || fail "metrics: $(cat "$T/awk.out")"
}
metric() { curl -s "$BASE/metrics" | grep -E "^$1" | awk '{s += $NF} END {print s + 0}'; }

curl -s "$BASE/metrics" >"$T/m0"
valid_exposition "$T/m0"

# A path with a quote and a backslash, sent raw (curl would encode it).
exec 3<>"/dev/tcp/127.0.0.1/$PORT"
printf 'GET /x"y\\z} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' >&3
cat <&3 >/dev/null
exec 3<&-
# Many distinct unknown paths.
for i in $(seq 300); do printf 'url = "%s/no-such-%d"\noutput = /dev/null\n' "$BASE" "$i"; done >"$T/urls"
curl -s -K "$T/urls"
curl -s "$BASE/metrics" >"$T/m1"
valid_exposition "$T/m1"
[ "$(grep -c . "$T/m1")" -lt 2000 ] || fail "metrics grew to $(grep -c . "$T/m1") lines from unknown paths"

# Real counters still move.
a0=$(metric 'coved_attestations_total')
r0=$(metric 'coved_http_requests_total\{route="/attest/SgxEnclave",status="200"\}')
http POST /attest/SgxEnclave --data-binary @"$T/sgx-req.json"
expect_status 200 "" "SGX attest"
a1=$(metric 'coved_attestations_total')
r1=$(metric 'coved_http_requests_total\{route="/attest/SgxEnclave",status="200"\}')
[ "$a1" -gt "$a0" ] || fail "coved_attestations_total did not move after unknown-path traffic ($a0 -> $a1)"
[ "$r1" -gt "$r0" ] || fail "requests of /attest/SgxEnclave 200 not counted after unknown-path traffic ($r0 -> $r1)"

stop_coved
finish
