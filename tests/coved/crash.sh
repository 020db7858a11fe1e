#!/bin/bash
# Crash safety of coved's store (issue #6 Must-show): two clients stream
# PUT /policies/SgxEnclave and PUT /keys/kN writes, logging each write before
# it is sent and once it is acknowledged (HTTP 200); coved is SIGKILLed at a
# random moment, several rounds.  After each kill, read through libcove's
# store API (store_probe, coved dead): the database passes the integrity
# check, every acknowledged key is there with its material, and the policy
# is the last acknowledged one (or the one in flight at the kill).  Then the
# restarted coved serves the same policy through GET /policies.
. "$(dirname "$0")/lib.sh"
PROBE=${COVED_STORE_PROBE:-}
[ -n "$PROBE" ] && [ -x "$PROBE" ] || skip "COVED_STORE_PROBE does not name the store_probe helper"
ROUNDS=${COVED_CRASH_ROUNDS:-5}
ST=$T/st

policy_of() { printf 'version=1.0;\nauthorizationrules\n{\n    => permit();\n};\nissuancerules\n{\n    => issue(type="seq", value=%s);\n};\n' "$1"; }

# policy_writer ROUND: PUT policies until coved dies; logs "sent N" / "ack N".
policy_writer() {
	local i=0 st
	while :; do
		i=$((i + 1))
		policy_of "$1$(printf '%05d' $i)" >"$T/pw.txt"
		echo "sent $1$(printf '%05d' $i)" >>"$T/policy.log"
		st=$(curl -s -o /dev/null -w '%{http_code}' -X PUT -H "Authorization: Bearer $ADMIN" \
			--data-binary @"$T/pw.txt" "$BASE/policies/SgxEnclave") || break
		[ "$st" = 200 ] || { echo "unexpected $st" >>"$T/policy.log"; break; }
		echo "ack $1$(printf '%05d' $i)" >>"$T/policy.log"
	done
}
# key_writer ROUND: PUT /keys/kR_N with random material; logs "sent NAME HEX" / "ack NAME HEX".
key_writer() {
	local i=0 st hex k name
	while :; do
		i=$((i + 1))
		name=k$1_$i
		hex=$(head -c 32 /dev/urandom | od -An -tx1 -v | tr -d ' \n')
		k=$(printf '%s' "$hex" | sed 's/../\\x&/g' | xargs -0 printf '%b' | b64url)
		echo "sent $name $hex" >>"$T/keys.log"
		st=$(curl -s -o /dev/null -w '%{http_code}' -X PUT -H "Authorization: Bearer $ADMIN" \
			--data-binary "{\"key\":{\"kty\":\"oct\",\"k\":\"$k\"},\"release_policy\":{\"version\":\"1.0.0\",\"anyOf\":[{\"authority\":\"$ISSUER\",\"allOf\":[{\"claim\":\"x-ms-attestation-type\",\"equals\":\"sgx\"}]}]}}" \
			"$BASE/keys/$name") || break
		[ "$st" = 200 ] || { echo "unexpected $st" >>"$T/keys.log"; break; }
		echo "ack $name $hex" >>"$T/keys.log"
	done
}

: >"$T/policy.log"
: >"$T/keys.log"
total_p=0
total_k=0
for r in $(seq "$ROUNDS"); do
	start_coved "round$r" --state-dir "$ST" --admin-token-file "$T/admin" || { fail "start, round $r"; break; }
	policy_writer "$r" &
	pw=$!
	key_writer "$r" &
	kw=$!
	# Kill somewhere between 0.3 and 2.3 s into the stream.
	sleep "$(awk -v s=$RANDOM 'BEGIN {srand(s); printf "%.2f", 0.3 + 2 * rand()}')"
	kill -KILL "$COVED_PID"
	wait "$COVED_PID" 2>/dev/null
	wait "$pw" "$kw"
	grep -q unexpected "$T/policy.log" "$T/keys.log" && fail "round $r: a write was refused: $(grep -h unexpected "$T/policy.log" "$T/keys.log")"

	# coved is dead: read its store as the next process will.
	[ "$("$PROBE" "$ST" check 2>&1)" = ok ] || fail "round $r: integrity check: $("$PROBE" "$ST" check 2>&1)"
	"$PROBE" "$ST" keys >"$T/stored-keys" 2>"$T/probe.err" || fail "round $r: key list: $(cat "$T/probe.err")"
	n=0
	while read -r _ name hex; do
		n=$((n + 1))
		grep -q -x "$name oct $hex" "$T/stored-keys" || fail "round $r: acknowledged key $name is missing or differs"
	done < <(grep '^ack ' "$T/keys.log")
	total_k=$n
	# Nothing else: every stored key is one that was sent, with what was sent.
	while read -r name _ hex; do
		grep -q -x "sent $name $hex" "$T/keys.log" || fail "round $r: stored key $name was never sent with that value"
	done <"$T/stored-keys"
	last_ack=$(grep '^ack ' "$T/policy.log" | tail -1 | cut -d' ' -f2)
	last_sent=$(grep '^sent ' "$T/policy.log" | tail -1 | cut -d' ' -f2)
	total_p=$(grep -c '^ack ' "$T/policy.log")
	"$PROBE" "$ST" policy SgxEnclave >"$T/stored-policy" 2>"$T/probe.err"
	got=$(grep -o 'value=[0-9]*' "$T/stored-policy" | cut -d= -f2)
	if [ -n "$last_ack" ]; then
		[ "$got" = "$last_ack" ] || [ "$got" = "$last_sent" ] ||
			fail "round $r: stored policy is #$got; last acknowledged #$last_ack, last sent #$last_sent"
		policy_of "$got" | cmp -s - <(cat "$T/stored-policy"; echo) || fail "round $r: stored policy text differs"
	fi
	echo "round $r: acknowledged so far: $total_p policies, $total_k keys; stored policy #$got (last ack #$last_ack)"

	# The restarted coved serves it.
	start_coved "restart$r" --state-dir "$ST" --admin-token-file "$T/admin" || { fail "restart, round $r"; break; }
	http GET /policies/SgxEnclave
	served=$(jwt_part "$(jq -r .token "$T/body")" 1 | jq -r '."x-ms-policy"' | { read -r t; jwt_part "$t" 1; } |
		jq -r .AttestationPolicy | b64url_d | grep -o 'value=[0-9]*' | cut -d= -f2)
	[ "$served" = "$got" ] || fail "round $r: restarted coved serves policy #$served, the store holds #$got"
	# coved sees the acknowledged keys: the last one deletes (200; then it leaves the log), a never-sent one is 404.
	some=$(grep '^ack ' "$T/keys.log" | tail -1 | cut -d' ' -f2)
	if [ -n "$some" ]; then
		admin DELETE "/keys/$some"
		[ "$STATUS" = 200 ] || fail "round $r: restarted coved does not find key $some: $STATUS"
		sed -i "/^ack $some /d; /^sent $some /d" "$T/keys.log"
	fi
	admin DELETE /keys/never-sent-key
	[ "$STATUS" = 404 ] || fail "round $r: DELETE of a never-sent key: $STATUS"
	stop_coved
done
[ "$total_p" -gt 0 ] && [ "$total_k" -gt 0 ] || fail "no write was acknowledged: the test proved nothing"
[ "$("$PROBE" "$ST" check 2>&1)" = ok ] || fail "final integrity check"
finish
