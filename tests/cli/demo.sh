#!/bin/sh
# `cove demo`, the main job of `make run`: every step as expected, in text and JSON.
set -u
[ -n "${COVE_BIN:-}" ] && [ -x "$COVE_BIN" ] || { echo "SKIP: COVE_BIN is not set"; exit 77; }
[ -f /usr/share/OVMF/OVMF_CODE.fd ] || { echo "SKIP: Debian's ovmf package is not installed"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
"$COVE_BIN" demo >"$tmp/out" 2>&1 || { echo "FAIL: cove demo exited $?"; cat "$tmp/out"; fails=$((fails + 1)); }
for want in "cc2b38913550ecd41aadbcf2a5d309ae9d3cb0455c9e1f72892f6b18cfaea3f2e4f46a28b61ca0353724ee707c73177c" \
	"authentic yes, policy accepts" "TCB UpToDate" "chain.root:" "root: the pck chain ends at"; do
	grep -qF -- "$want" "$tmp/out" || { echo "FAIL: demo output lacks '$want'"; fails=$((fails + 1)); }
done
for want in "enclave run 1: seal a secret           ok" "the secret of run 1, intact" \
	"enclave quote, emulated root trusted   ok" "coved attests the SNP report           ok" \
	"coved attests the enclave's quote      ok" "unwrapped inside the enclave"; do
	grep -qF -- "$want" "$tmp/out" || { echo "FAIL: demo output lacks '$want'"; fails=$((fails + 1)); }
done
# A tampered demo enclave image stops the enclave steps with the loader's reason.
if [ -n "${COVE_DEMO_ENCLAVE:-}" ] && [ -f "$COVE_DEMO_ENCLAVE" ]; then
	cp "$COVE_DEMO_ENCLAVE" "$tmp/tampered.so"
	printf '\377' | dd of="$tmp/tampered.so" bs=1 seek=4200 conv=notrunc 2>/dev/null
	"$COVE_BIN" demo --enclave "$tmp/tampered.so" >"$tmp/tout" 2>&1
	[ $? -eq 1 ] || { echo "FAIL: a tampered enclave image did not fail the demo"; fails=$((fails + 1)); }
	grep -q "refused by the loader" "$tmp/tout" || grep -q "MRENCLAVE\|does not verify" "$tmp/tout" ||
		{ echo "FAIL: no reason for the tampered image"; cat "$tmp/tout"; fails=$((fails + 1)); }
fi
[ "$(grep -c 'rejected, as it must be' "$tmp/out")" -eq 2 ] || { echo "FAIL: expected two rejections"; fails=$((fails + 1)); }
"$COVE_BIN" demo --json --state-dir "$tmp/state" >"$tmp/json" 2>"$tmp/json.err" ||
	{ echo "FAIL: demo --json exited $?"; cat "$tmp/json.err"; fails=$((fails + 1)); }
grep -q '"ok": true' "$tmp/json" || {
	echo "FAIL: demo --json is not ok"
	cat "$tmp/json"
	[ -f "$tmp/state/coved.log" ] && tail -n 20 "$tmp/state/coved.log"
	fails=$((fails + 1))
}
[ "$(stat -c %a "$tmp/state")" = 700 ] || { echo "FAIL: state dir mode $(stat -c %a "$tmp/state")"; fails=$((fails + 1)); }
"$COVE_BIN" demo --ovmf /nonexistent >/dev/null 2>&1
[ $? -eq 2 ] || { echo "FAIL: missing OVMF is not a usage error"; fails=$((fails + 1)); }
[ "$fails" -eq 0 ] && echo "all demo checks passed" && exit 0
exit 1
