#!/bin/sh
# `cove snp report`: options, exit codes and error messages on a machine
# without SEV-SNP.  The successful paths (configfs-tsm and the device) run
# against fake kernels in tests/test_snp_guest.c.
set -u
[ -n "${COVE_BIN:-}" ] && [ -x "$COVE_BIN" ] || { echo "SKIP: COVE_BIN is not set"; exit 77; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0

# expect CODE DESCRIPTION PATTERN -- ARGS...: exit code and a stderr substring.
expect() {
	code=$1 what=$2 pattern=$3
	shift 4
	"$COVE_BIN" snp report "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ "$rc" -ne "$code" ]; then
		echo "FAIL: $what: exit $rc, expected $code"; cat "$tmp/err"; fails=$((fails + 1)); return
	fi
	if [ -n "$pattern" ] && ! grep -qF -- "$pattern" "$tmp/err"; then
		echo "FAIL: $what: stderr lacks '$pattern':"; cat "$tmp/err"; fails=$((fails + 1)); return
	fi
	echo "ok: $what"
}

"$COVE_BIN" snp report --help >"$tmp/help" || { echo "FAIL: --help"; fails=$((fails + 1)); }
for opt in --data --vmpl --extended --configfs --device --out --certs-out --json; do
	grep -q -- "$opt" "$tmp/help" || { echo "FAIL: --help does not mention $opt"; fails=$((fails + 1)); }
done

expect 2 "no --data" "--data HEX is required" -- --device /dev/null
expect 2 "65 bytes of data" "at most 64" -- --data "$(printf '%0130d' 0)" --device /dev/null
expect 2 "odd hex" "--data" -- --data abc --device /dev/null
expect 2 "not hex" "--data" -- --data zz --device /dev/null
expect 2 "VMPL out of range" "--vmpl wants 0, 1, 2 or 3" -- --data 00 --vmpl 4
expect 2 "stray argument" "unexpected argument" -- --data 00 extra
expect 3 "no interface" "neither $tmp/none (configfs-tsm) nor $tmp/nodev exists" -- \
	--data 00 --configfs "$tmp/none" --device "$tmp/nodev"
expect 3 "missing device" "cannot open $tmp/nodev: No such file or directory" -- --data 00 --device "$tmp/nodev"
expect 3 "not an SEV device" "SNP_GET_REPORT on /dev/null failed: Inappropriate ioctl for device" -- \
	--data 0102 --device /dev/null
expect 3 "extended, not an SEV device" "SNP_GET_EXT_REPORT on /dev/null failed" -- \
	--data 0102 --device /dev/null --certs-out "$tmp/certs"
[ ! -e "$tmp/certs" ] || { echo "FAIL: --certs-out written although the request failed"; fails=$((fails + 1)); }

# A directory that is not configfs: the entry is created, has no provider, and is removed again.
mkdir "$tmp/tsm"
expect 3 "configfs without provider" "/provider: No such file or directory" -- --data 00 --configfs "$tmp/tsm"
if [ -n "$(ls -A "$tmp/tsm")" ]; then
	echo "FAIL: the configfs entry was left behind: $(ls -A "$tmp/tsm")"; fails=$((fails + 1))
fi
expect 3 "missing configfs root" "cannot create configfs-tsm entry $tmp/none/cove-" -- --data 00 --configfs "$tmp/none"

[ "$fails" -eq 0 ] || { echo "$fails failure(s)"; exit 1; }
echo "all snp report CLI checks passed"
