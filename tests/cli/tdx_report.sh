#!/bin/sh
# `cove tdx report`: options, exit codes and error messages on a machine without TDX.  The
# successful path runs against a fake configfs-tsm kernel in tests/test_tdx_guest.c.
set -u
[ -n "${COVE_BIN:-}" ] && [ -x "$COVE_BIN" ] || { echo "SKIP: COVE_BIN is not set"; exit 77; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0

# expect CODE DESCRIPTION PATTERN -- ARGS...: exit code and a stderr substring.
expect() {
	code=$1 what=$2 pattern=$3
	shift 4
	"$COVE_BIN" tdx report "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ "$rc" -ne "$code" ]; then
		echo "FAIL: $what: exit $rc, expected $code"; cat "$tmp/err"; fails=$((fails + 1)); return
	fi
	if [ -n "$pattern" ] && ! grep -qF -- "$pattern" "$tmp/err"; then
		echo "FAIL: $what: stderr lacks '$pattern':"; cat "$tmp/err"; fails=$((fails + 1)); return
	fi
	echo "ok: $what"
}

"$COVE_BIN" tdx report --help >"$tmp/help" || { echo "FAIL: --help"; fails=$((fails + 1)); }
for opt in --data --configfs --out --json; do
	grep -q -- "$opt" "$tmp/help" || { echo "FAIL: --help does not mention $opt"; fails=$((fails + 1)); }
done

expect 2 "no --data" "--data HEX is required" -- --configfs "$tmp"
expect 2 "65 bytes of data" "at most 64 fit in REPORTDATA" -- --data "$(printf '%0130d' 0)" --configfs "$tmp"
expect 2 "odd hex" "--data" -- --data abc --configfs "$tmp"
expect 2 "stray argument" "unexpected argument" -- --data 00 extra
expect 3 "missing configfs root" "cannot create configfs-tsm entry $tmp/none/cove-" -- --data 00 --configfs "$tmp/none"
# A directory that is not configfs: the entry is created, has no provider, and is removed again.
mkdir "$tmp/tsm"
expect 3 "configfs without provider" "/provider: No such file or directory" -- --data 00 --configfs "$tmp/tsm" \
	--out "$tmp/quote"
if [ -n "$(ls -A "$tmp/tsm")" ]; then
	echo "FAIL: the configfs entry was left behind: $(ls -A "$tmp/tsm")"; fails=$((fails + 1))
fi
[ ! -e "$tmp/quote" ] || { echo "FAIL: --out written although the request failed"; fails=$((fails + 1)); }

[ "$fails" -eq 0 ] || { echo "$fails failure(s)"; exit 1; }
echo "all tdx report CLI checks passed"
