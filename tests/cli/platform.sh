#!/bin/sh
# CLI tests of the emulated SEV-SNP platform: `cove platform init|show` and
# `cove snp emulate` (state directory and permissions, identity output, report
# content, certificates and CRL checked with the openssl tool, precise usage
# errors, key rotation, a Turin platform).  Each platform created here costs a
# few seconds of RSA-4096 key generation.
set -u

COVE=${COVE_BIN:-}
if [ -z "$COVE" ] || [ ! -x "$COVE" ]; then
	echo "SKIP: COVE_BIN does not name the cove executable"
	exit 77
fi
for tool in python3 openssl; do
	command -v "$tool" >/dev/null 2>&1 || { echo "SKIP: $tool is needed"; exit 77; }
done

T=$(mktemp -d "${TMPDIR:-/tmp}/cove-cli-platform-XXXXXX")
trap 'chmod -R u+rwx "$T" 2>/dev/null; rm -rf "$T"' EXIT
S=$T/state/cove
unset COVE_STATE_DIR
fails=0

fail() {
	echo "FAIL: $*"
	fails=$((fails + 1))
}

# expect CODE COMMAND...: run it (stdout in $T/out, stderr in $T/err) and check the exit code.
expect() {
	want=$1
	shift
	"$@" >"$T/out" 2>"$T/err"
	got=$?
	if [ "$got" != "$want" ]; then
		fail "exit $got, expected $want: $*"
		sed 's/^/  err| /' "$T/err"
	fi
}

# has FILE TEXT: FILE contains TEXT literally.
has() {
	grep -qF -- "$2" "$1" || { fail "$(basename "$1") lacks '$2'"; sed 's/^/  | /' "$1" | head -20; }
}

# jq_py FILE EXPR: evaluate a Python expression over the JSON document d.
jq_py() {
	python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

eq() {
	[ "$1" = "$2" ] || fail "$3: got '$1', expected '$2'"
}

mode() {
	stat -c %a "$1"
}

MEAS=$(printf 'cove platform test' | openssl dgst -sha384 -r | cut -d' ' -f1)
RDATA=$(printf 'nonce' | openssl dgst -sha256 -r | cut -d' ' -f1)
ZERO32=0000000000000000000000000000000000000000000000000000000000000000

# --- help ---
expect 0 "$COVE" platform --help
has "$T/out" "init"
expect 0 "$COVE" platform init --help
has "$T/out" "--force"
expect 0 "$COVE" platform show --help
has "$T/out" "fingerprints of the ARK, ASK and"
expect 0 "$COVE" snp emulate --help
has "$T/out" "--report-data HEX"
has "$T/out" "--trust-emulated-root"

# --- no platform yet ---
expect 3 "$COVE" platform show --state-dir "$S"
has "$T/err" "cove platform init"
[ ! -e "$S" ] || fail "show created $S"

# --- usage errors never create a platform ---
expect 2 "$COVE" snp emulate --state-dir "$S" --measurement abcd --report-data 01
has "$T/err" "--measurement: expected exactly 96 hex digits (48 bytes), got 4"
expect 2 "$COVE" snp emulate --state-dir "$S" --measurement "$MEAS"
has "$T/err" "--measurement and --report-data are required"
expect 2 "$COVE" snp emulate --state-dir "$S" --measurement "$MEAS" --report-data "$RDATA$RDATA"00
has "$T/err" "--report-data: 130 hex digits is 65 bytes, more than the field's 64"
expect 2 "$COVE" snp emulate --state-dir "$S" --measurement "$MEAS" --report-data 0g
has "$T/err" "character 'g' at position 2 is not a hex digit"
expect 2 "$COVE" snp emulate --state-dir "$S" --measurement "$MEAS" --report-data 123
has "$T/err" "odd number of hex digits (3)"
expect 2 "$COVE" snp emulate --state-dir "$S" --measurement "$MEAS" --report-data 01 --tcb ucode=300
has "$T/err" "--tcb: TCB component ucode=300: the value must be 0..255"
expect 2 "$COVE" snp emulate --state-dir "$S" --measurement "$MEAS" --report-data 01 --policy 3zz
has "$T/err" "--policy: '3zz' is not a hexadecimal number"
expect 2 "$COVE" snp emulate --state-dir "$S" --measurement "$MEAS" --report-data 01 --vmpl 99999999999
has "$T/err" "--vmpl"
[ ! -e "$S" ] || fail "a usage error created $S"

# --- init ---
expect 0 "$COVE" platform init --state-dir "$S" --json
cp "$T/out" "$T/init.json"
eq "$(jq_py "$T/init.json" 'd["created_now"]')" True "init created_now"
eq "$(jq_py "$T/init.json" 'd["product"]')" Milan "product"
eq "$(jq_py "$T/init.json" 'd["tcb_raw"]')" 0xd516000000000004 "default TCB"
eq "$(jq_py "$T/init.json" 'd["ark"]["serial"]')" 0x10000 "ARK serial"
eq "$(jq_py "$T/init.json" 'd["ask"]["serial"]')" 0x10001 "ASK serial"
eq "$(jq_py "$T/init.json" 'len(d["chip_id"])')" 128 "chip id length"
ARK_FP=$(jq_py "$T/init.json" 'd["ark"]["spki_sha256"]')
CHIP=$(jq_py "$T/init.json" 'd["chip_id"]')
eq "$(mode "$S")" 700 "state dir mode"
eq "$(mode "$T/state")" 700 "created parent mode"
eq "$(mode "$S/snp")" 700 "platform dir mode"
for k in ark ask vcek; do
	eq "$(mode "$S/snp/$k.key")" 600 "$k.key mode"
	[ -s "$S/snp/$k.pem" ] || fail "$k.pem missing"
done
eq "$(wc -c <"$S/snp/chip_id" | tr -d ' ')" 64 "chip_id size"
eq "$(od -An -tx1 -v "$S/snp/chip_id" | tr -d ' \n')" "$CHIP" "chip_id file content"

# Again: nothing changes.
expect 0 "$COVE" platform init --state-dir "$S"
has "$T/out" "already exists; nothing changed"
expect 0 "$COVE" platform show --state-dir "$S" --json
eq "$(jq_py "$T/out" 'd["ark"]["spki_sha256"]')" "$ARK_FP" "ARK after second init"
# Another product or TCB would need new keys.
expect 2 "$COVE" platform init --state-dir "$S" --product Genoa
has "$T/err" "use --force"
expect 2 "$COVE" platform init --state-dir "$S" --tcb ucode=100
has "$T/err" "use --force"
expect 2 "$COVE" platform init --state-dir "$S" --product Sapphire
has "$T/err" "unknown SEV-SNP product 'Sapphire'"

# --- show ---
expect 0 "$COVE" platform show --state-dir "$S"
has "$T/out" "not AMD hardware"
has "$T/out" "--trust-emulated-root"
has "$T/out" "SPKI SHA-256 $ARK_FP"
has "$T/out" "bl=4 tee=0 snp=22 ucode=213"
has "$T/out" "CN=ARK-Milan (cove emulated"
expect 0 env COVE_STATE_DIR="$S" "$COVE" platform show --json
eq "$(jq_py "$T/out" 'd["ark"]["spki_sha256"]')" "$ARK_FP" "ARK via COVE_STATE_DIR"

# --- emulate ---
expect 0 "$COVE" snp emulate --state-dir "$S" --measurement "$MEAS" --report-data "$RDATA" --host-data 0102 \
	--vmpl 1 --out "$T/r.bin" --certs-out "$T/certs.pem" --crl-out "$T/crl.pem" --cert-table-out "$T/table.bin"
has "$T/out" "1184 bytes, version 3, Milan"
eq "$(wc -c <"$T/r.bin" | tr -d ' ')" 1184 "report size"
expect 0 "$COVE" snp show "$T/r.bin" --json
cp "$T/out" "$T/show.json"
eq "$(jq_py "$T/show.json" 'd["version"]')" 3 "report version"
eq "$(jq_py "$T/show.json" 'd["measurement"]')" "$MEAS" "measurement"
eq "$(jq_py "$T/show.json" 'd["report_data"]')" "$RDATA$ZERO32" "report data, zero-padded"
eq "$(jq_py "$T/show.json" 'd["host_data"][:8]')" 01020000 "host data, zero-padded"
eq "$(jq_py "$T/show.json" 'd["vmpl"]')" 1 "vmpl"
eq "$(jq_py "$T/show.json" 'd["policy"]["raw"]')" 0x30000 "default policy"
eq "$(jq_py "$T/show.json" 'd["policy"]["debug"]')" False "debug off"
eq "$(jq_py "$T/show.json" 'd["chip_id"]')" "$CHIP" "chip id in report"
eq "$(jq_py "$T/show.json" 'd["reported_tcb"]["raw"]')" 0xd516000000000004 "reported TCB"
eq "$(jq_py "$T/show.json" 'd["product"]')" Milan "product from CPUID"

# Certificates: three, VCEK first, chain verifies with the openssl tool, RSA-PSS SHA-384 salt 48.
eq "$(grep -c 'BEGIN CERTIFICATE' "$T/certs.pem")" 3 "certificates in bundle"
awk -v d="$T" '/BEGIN CERTIFICATE/ { n++ } { print > (d "/cert" n ".pem") }' "$T/certs.pem"
openssl x509 -in "$T/cert1.pem" -noout -subject >"$T/out" 2>&1
has "$T/out" "SEV-VCEK (cove emulated, not AMD)"
openssl verify -CAfile "$T/cert3.pem" -untrusted "$T/cert2.pem" "$T/cert1.pem" >"$T/out" 2>&1 ||
	fail "openssl verify of the chain: $(cat "$T/out")"
for n in 1 2 3; do
	openssl x509 -in "$T/cert$n.pem" -noout -text >"$T/out" 2>&1
	has "$T/out" "rsassaPss"
	has "$T/out" "Salt Length: 0x30"
	grep -q "Advanced Micro Devices" "$T/out" && fail "certificate $n names AMD"
done
openssl crl -in "$T/crl.pem" -CAfile "$T/cert3.pem" -noout >"$T/out" 2>&1 || fail "CRL: $(cat "$T/out")"
has "$T/out" "verify OK"
[ "$(wc -c <"$T/table.bin")" -gt 3000 ] || fail "certificate table too small"

# Other outputs: hex on stdout by default, raw with --out -.
expect 0 "$COVE" snp emulate --state-dir "$S" --measurement "$MEAS" --report-data 01
eq "$(tr -d '\n' <"$T/out" | wc -c | tr -d ' ')" 2368 "hex report length"
expect 0 "$COVE" snp emulate --state-dir "$S" --measurement "$MEAS" --report-data 01 --out -
eq "$(wc -c <"$T/out" | tr -d ' ')" 1184 "raw report on stdout"
expect 2 "$COVE" snp emulate --state-dir "$S" --measurement "$MEAS" --report-data 01 --out - --json

# Policy and TCB options; firmware-impossible combinations are refused.
expect 0 "$COVE" snp emulate --state-dir "$S" --measurement "$MEAS" --report-data 01 --policy 0xb0000 \
	--tcb ucode=115 --out "$T/dbg.bin" --certs-out "$T/dbg.pem" --json
eq "$(jq_py "$T/out" 'd["fields"]["policy"]["debug"]')" True "debug policy"
eq "$(jq_py "$T/out" 'd["fields"]["reported_tcb"]["microcode"]')" 115 "overridden TCB"
eq "$(jq_py "$T/out" 'd["fields"]["reported_tcb"]["snp"]')" 22 "TCB components left out"
[ -d "$S/snp/vcek-tcb/7316000000000004" ] || fail "no VCEK kept for the TCB override"
expect 2 "$COVE" snp emulate --state-dir "$S" --measurement "$MEAS" --report-data 01 --vmpl 4
has "$T/err" "VMPL 4 is out of range"
expect 2 "$COVE" snp emulate --state-dir "$S" --measurement "$MEAS" --report-data 01 --policy 10000
has "$T/err" "bit 17 is reserved and must be 1"
expect 2 "$COVE" snp emulate --state-dir "$S" --measurement "$MEAS" --report-data 01 --policy 20000
has "$T/err" "forbids SMT"
expect 2 "$COVE" snp emulate --state-dir "$S" --measurement "$MEAS" --report-data 01 --tcb fmc=1
has "$T/err" "fmc exists only on Turin"

# Verification (the verifier's own tests go further): accepted only with the emulated root trusted.
if "$COVE" snp verify --help 2>/dev/null | grep -q -- --trust-emulated-root; then
	expect 0 "$COVE" snp verify "$T/r.bin" --certs "$T/certs.pem" --crl "$T/crl.pem" --trust-emulated-root \
		--state-dir "$S"
	expect 1 "$COVE" snp verify "$T/r.bin" --certs "$T/certs.pem" --crl "$T/crl.pem"
	has "$T/out" "chain.root"
fi

# --- an insecure state directory is refused, saying why ---
chmod 755 "$S"
expect 2 "$COVE" snp emulate --state-dir "$S" --measurement "$MEAS" --report-data 01
has "$T/err" "accessible by group or others (mode 0755)"
has "$T/err" "chmod 700"
chmod 700 "$S"
chmod 644 "$S/snp/vcek.key"
expect 2 "$COVE" platform show --state-dir "$S"
has "$T/err" "chmod 600"
chmod 600 "$S/snp/vcek.key"

# --- rotation ---
expect 0 "$COVE" platform init --state-dir "$S" --force --json
eq "$(jq_py "$T/out" 'd["created_now"]')" True "rotation created_now"
NEW_FP=$(jq_py "$T/out" 'd["ark"]["spki_sha256"]')
[ "$NEW_FP" != "$ARK_FP" ] || fail "--force kept the ARK key"
[ "$(jq_py "$T/out" 'd["chip_id"]')" != "$CHIP" ] || fail "--force kept the chip id"
[ ! -e "$S/snp/vcek-tcb" ] || fail "--force kept VCEKs of the old keys"
ls -a "$S" | grep -q '^\.snp-new' && fail "temporary folders left in $S"
if "$COVE" snp verify --help 2>/dev/null | grep -q -- --trust-emulated-root; then
	# The old report and chain no longer match the (new) trusted emulated root.
	expect 1 "$COVE" snp verify "$T/r.bin" --certs "$T/certs.pem" --crl "$T/crl.pem" --trust-emulated-root \
		--state-dir "$S"
fi

# --- a Turin platform: FMC in the TCB, 8-byte chip id ---
TS=$T/turin
expect 0 "$COVE" platform init --state-dir "$TS" --product turin --tcb fmc=3,ucode=0x50 --json
eq "$(jq_py "$T/out" 'd["tcb"]["fmc"]')" 3 "Turin FMC"
eq "$(jq_py "$T/out" 'd["chip_id"][16:]')" "$(printf '0%.0s' $(seq 112))" "Turin chip id is 8 bytes"
expect 0 "$COVE" snp emulate --state-dir "$TS" --measurement "$MEAS" --report-data 01 --out "$T/turin.bin" \
	--certs-out "$T/turin.pem" --crl-out "$T/turin-crl.pem"
expect 0 "$COVE" snp show "$T/turin.bin" --json
eq "$(jq_py "$T/out" 'd["product"]')" Turin "Turin product from CPUID"
eq "$(jq_py "$T/out" 'd["reported_tcb"]["fmc"]')" 3 "Turin reported FMC"
eq "$(jq_py "$T/out" 'd["reported_tcb"]["microcode"]')" 80 "Turin reported microcode"
awk -v d="$T" '/BEGIN CERTIFICATE/ { n++ } { print > (d "/turin" n ".pem") }' "$T/turin.pem"
openssl x509 -in "$T/turin1.pem" -noout -text >"$T/out" 2>&1
has "$T/out" "1.3.6.1.4.1.3704.1.3.9"
grep -q "1.3.6.1.4.1.3704.1.3.4" "$T/out" && fail "Turin VCEK carries spl_4"
if "$COVE" snp verify --help 2>/dev/null | grep -q -- --trust-emulated-root; then
	expect 0 "$COVE" snp verify "$T/turin.bin" --certs "$T/turin.pem" --crl "$T/turin-crl.pem" \
		--trust-emulated-root --state-dir "$TS"
fi

if [ "$fails" -ne 0 ]; then
	echo "$fails check(s) failed"
	exit 1
fi
echo "all platform CLI checks passed"
