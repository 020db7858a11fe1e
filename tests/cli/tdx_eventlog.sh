#!/bin/sh
# `cove tdx eventlog` on the go-tdx-guest CCEL sample (shared/): listing, replay against the
# RTMRs of the sample's own TD quote, mismatches, JSON and malformed input.  The expected RTMRs
# are cut from the quote here (v4: TD report body at 48, RTMR0 at 48 + 328), so only the --quote
# checks need the DCAP quote parser; they are skipped while `cove tdx show` is not available.
set -u
[ -n "${COVE_BIN:-}" ] && [ -x "$COVE_BIN" ] || { echo "SKIP: COVE_BIN is not set"; exit 77; }
C=${COVE_SHARED_DIR:-}/vectors/tdx/go-tdx-guest/testdata/ccel
[ -f "$C/ccel_data.dat" ] || { echo "SKIP: sample evidence ($C) is absent"; exit 77; }
LOG=$C/ccel_data.dat TABLE=$C/ccel_table.dat QUOTE=$C/cos-113-tdx-quote.dat

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0

# expect CODE DESCRIPTION PATTERN -- ARGS...: exit code, and a substring of stdout+stderr.
expect() {
	code=$1 what=$2 pattern=$3
	shift 4
	"$COVE_BIN" tdx eventlog "$@" >"$tmp/out" 2>&1
	rc=$?
	if [ "$rc" -ne "$code" ]; then
		echo "FAIL: $what: exit $rc, expected $code"; cat "$tmp/out"; fails=$((fails + 1)); return
	fi
	if [ -n "$pattern" ] && ! grep -qF -- "$pattern" "$tmp/out"; then
		echo "FAIL: $what: output lacks '$pattern':"; head -50 "$tmp/out"; fails=$((fails + 1)); return
	fi
	echo "ok: $what"
}

# 48 bytes of the quote at offset $1 as hex
cut_hex() { od -An -v -tx1 -j "$1" -N 48 "$QUOTE" | tr -d ' \n'; }
R0=$(cut_hex 376) R1=$(cut_hex 424) R2=$(cut_hex 472) R3=$(cut_hex 520)
[ ${#R0} -eq 96 ] && [ ${#R3} -eq 96 ] || { echo "FAIL: cannot cut RTMRs from $QUOTE"; exit 1; }
# RTMR1 with its last digit changed
case $R1 in *0) R1BAD=${R1%?}1 ;; *) R1BAD=${R1%?}0 ;; esac
ALL="--rtmr0 $R0 --rtmr1 $R1 --rtmr2 $R2 --rtmr3 $R3"

"$COVE_BIN" tdx eventlog --help >"$tmp/help" || { echo "FAIL: --help"; fails=$((fails + 1)); }
for opt in --log --ccel-table --quote --rtmr0 --rtmr3 --json; do
	grep -q -- "$opt" "$tmp/help" || { echo "FAIL: --help does not mention $opt"; fails=$((fails + 1)); }
done

# shellcheck disable=SC2086
expect 0 "replay matches the quote's RTMRs" "result: every expected RTMR matches the replayed log" -- \
	--log "$LOG" --ccel-table "$TABLE" $ALL
grep -qF "Event log $LOG: 43 events in 18101 bytes, 244043 bytes of padding" "$tmp/out" ||
	{ echo "FAIL: summary line"; fails=$((fails + 1)); }
for want in "CC type 2 (TDX)" "log area 262144 bytes at 0xbedbf000" "EV_EFI_ACTION" \
	"path \\EFI\\BOOT\\BOOTX64.EFI" "SecureBoot {8be4df61-93ca-11d2-aa0d-00e098032b8c}, 1 byte: 00" \
	"RTMR0  16 events  match" "RTMR1  7 events  match" "RTMR2  20 events  match" "RTMR3  0 events  match" \
	"computed  $R0"; do
	grep -qF -- "$want" "$tmp/out" || { echo "FAIL: output lacks '$want'"; fails=$((fails + 1)); }
done
expect 0 "replay only" "result: replayed only" -- --log "$LOG"
expect 0 "one expected RTMR" "RTMR2  20 events  match" -- --log "$LOG" --rtmr2 "$R2"
grep -qF "RTMR0  16 events  (no expected value)" "$tmp/out" || { echo "FAIL: unchecked RTMR0"; fails=$((fails + 1)); }
expect 1 "RTMR1 mismatch" "result: MISMATCH: RTMR1" -- --log "$LOG" --rtmr0 "$R0" --rtmr1 "$R1BAD" --rtmr2 "$R2"
grep -qF "RTMR1  7 events  MISMATCH" "$tmp/out" || { echo "FAIL: RTMR1 line"; fails=$((fails + 1)); }

# shellcheck disable=SC2086
expect 0 "JSON" '"ok": true' -- --log "$LOG" --ccel-table "$TABLE" $ALL --json
for want in '"type_name": "EV_EFI_BOOT_SERVICES_APPLICATION"' '"match": true' '"laml": 262144' \
	'"summary": "Exit Boot Services Returned with Success"' '"expected_source": "command_line"'; do
	grep -qF -- "$want" "$tmp/out" || { echo "FAIL: JSON lacks '$want'"; fails=$((fails + 1)); }
done
expect 1 "JSON mismatch" '"match": false' -- --log "$LOG" --rtmr1 "$R1BAD" --json
grep -qF '"ok": false' "$tmp/out" || { echo "FAIL: JSON ok false"; fails=$((fails + 1)); }

# Tampered and malformed input
cp "$LOG" "$tmp/log"
printf '\001' | dd of="$tmp/log" bs=1 seek=9400 conv=notrunc 2>/dev/null # inside event 15's digest (RTMR1)
# shellcheck disable=SC2086
expect 1 "tampered digest" "MISMATCH: RTMR1" -- --log "$tmp/log" $ALL
head -c 9400 "$LOG" >"$tmp/short"
expect 2 "truncated log" "event 15 at offset 9378: the 48-byte sha384 digest runs past the end of the log" -- \
	--log "$tmp/short"
expect 2 "not an event log" "not EV_NO_ACTION" -- --log "$QUOTE"
expect 2 "no --log" "--log FILE is required" -- --rtmr0 "$R0"
expect 2 "short --rtmr0" "--rtmr0: expected 48 bytes of hex (96 digits), got 2 bytes" -- --log "$LOG" --rtmr0 0011
expect 2 "quote and rtmr" "either --quote or --rtmrN" -- --log "$LOG" --quote "$QUOTE" --rtmr0 "$R0"
expect 2 "stray argument" "unexpected argument" -- --log "$LOG" extra
expect 2 "missing log" "$tmp/none" -- --log "$tmp/none"
cp "$TABLE" "$tmp/table"
printf 'X' | dd of="$tmp/table" bs=1 seek=20 conv=notrunc 2>/dev/null
expect 2 "bad table checksum" "CCEL table: bytes sum to" -- --log "$LOG" --ccel-table "$tmp/table"
cat "$LOG" "$TABLE" >"$tmp/long"
expect 2 "log larger than the log area" "more than the 262144-byte log area (LAML)" -- \
	--log "$tmp/long" --ccel-table "$TABLE"
head -c 56 "$QUOTE" >"$tmp/q56"
expect 2 "table is not CCEL" "not \"CCEL\"" -- --log "$LOG" --ccel-table "$tmp/q56"

# --quote needs the DCAP quote parser (cove tdx show).
if "$COVE_BIN" tdx show "$QUOTE" >/dev/null 2>&1; then
	expect 0 "expected values from the quote" "expected values: from the quote, parsed but not verified" -- \
		--log "$LOG" --ccel-table "$TABLE" --quote "$QUOTE"
	grep -qF "result: every expected RTMR matches" "$tmp/out" || { echo "FAIL: --quote result"; fails=$((fails + 1)); }
	cp "$QUOTE" "$tmp/quote"
	printf '\377' | dd of="$tmp/quote" bs=1 seek=$((48 + 328 + 3 * 48 - 1)) conv=notrunc 2>/dev/null
	expect 1 "quote with another RTMR2" "MISMATCH: RTMR2" -- --log "$LOG" --quote "$tmp/quote"
	SGX=${COVE_SHARED_DIR}/vectors/sgx
	sgxq=$(find "$SGX" -name 'quote*.dat' 2>/dev/null | head -1)
	if [ -n "$sgxq" ] && "$COVE_BIN" sgx show "$sgxq" >/dev/null 2>&1; then
		expect 2 "SGX quote" "RTMRs exist in TD quotes only" -- --log "$LOG" --quote "$sgxq"
	fi
else
	echo "skip: --quote checks (cove tdx show is not available in this build)"
fi

[ "$fails" -eq 0 ] || { echo "$fails failure(s)"; exit 1; }
echo "all tdx eventlog CLI checks passed"
