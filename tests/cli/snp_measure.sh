#!/bin/sh
# CLI test of `cove snp measure`: output format, JSON, exit codes and error messages.
# Needs $COVE_BIN; uses sev-snp-measure's fixtures from $COVE_SHARED_DIR and Debian's
# ovmf package when present (each part says SKIP when its input is absent).
set -u

[ -n "${COVE_BIN:-}" ] && [ -x "$COVE_BIN" ] || { echo "SKIP: COVE_BIN is not set"; exit 77; }

fails=0
ran=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# expect NAME CODE PATTERN -- ARGS...: run `cove snp measure ARGS`, check the exit code and that
# stdout+stderr match the extended regular expression PATTERN.
expect() {
	name=$1 code=$2 pattern=$3
	shift 4
	ran=$((ran + 1))
	"$COVE_BIN" snp measure "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ "$rc" != "$code" ]; then
		echo "FAIL: $name: exit $rc, expected $code"
		sed 's/^/  | /' "$tmp/out" "$tmp/err"
		fails=$((fails + 1))
		return
	fi
	if ! cat "$tmp/out" "$tmp/err" | grep -Eq -- "$pattern"; then
		echo "FAIL: $name: output does not match /$pattern/"
		sed 's/^/  | /' "$tmp/out" "$tmp/err"
		fails=$((fails + 1))
		return
	fi
	echo "ok: $name"
}

# The output is exactly one line holding the digest.
expect_digest() {
	name=$1 digest=$2
	shift 3
	expect "$name" 0 "^$digest\$" -- "$@"
	[ "$(wc -l <"$tmp/out")" = 1 ] && [ ! -s "$tmp/err" ] || {
		echo "FAIL: $name: expected one line on stdout and nothing on stderr"
		fails=$((fails + 1))
	}
}

# ---- usage, independent of any firmware ----
expect "help" 0 "Usage: cove snp measure.*--ovmf FILE" -- --help
expect "help states defaults" 0 "snp \(default\)" -- --help
expect "help states vmm default" 0 "qemu \(default\)" -- -h
expect "no --ovmf" 2 "--ovmf FILE is required" -- --vcpus 1 --vcpu-type EPYC
expect "bad option" 2 "bad option" -- --ovmf x --frobnicate
expect "stray argument" 2 "unexpected argument 'extra'" -- --ovmf x extra
expect "bad mode" 2 "unknown mode 'sevsnp'" -- --ovmf x --mode sevsnp
expect "bad vmm" 2 "unknown VMM type 'xen'" -- --ovmf x --vcpus 1 --vmm-type xen
expect "no vcpus" 2 "--vcpus N is required in mode snp" -- --ovmf x --vcpu-type EPYC
expect "vcpus junk" 2 "--vcpus: '1x' is not a number" -- --ovmf x --vcpus 1x --vcpu-type EPYC
expect "vcpus too many" 2 "--vcpus: '5000' is not a number in 0..4096" -- --ovmf x --vcpus 5000 --vcpu-type EPYC
expect "no vcpu type for qemu" 2 "give --vcpu-type" -- --ovmf x --vcpus 1
expect "unknown vcpu type" 2 "unknown vCPU type 'EPYC-v9'" -- --ovmf x --vcpus 1 --vcpu-type EPYC-v9
expect "two vcpu sources" 2 "give only one of" -- --ovmf x --vcpus 1 --vcpu-type EPYC --vcpu-sig 0x800f12
expect "partial fms" 2 "go together" -- --ovmf x --vcpus 1 --vcpu-family 25
expect "stepping out of range" 2 "out of range" -- --ovmf x --vcpus 1 --vcpu-family 25 --vcpu-model 1 --vcpu-stepping 16
expect "initrd without kernel" 2 "--initrd and --append need --kernel" -- --ovmf x --vcpus 1 --vcpu-type EPYC --initrd y
expect "bad ovmf hash" 2 "--snp-ovmf-hash" -- --ovmf x --vcpus 1 --vcpu-type EPYC --snp-ovmf-hash abcd
expect "missing firmware" 2 "cannot open /nonexistent/OVMF.fd" -- --ovmf /nonexistent/OVMF.fd --vcpus 1 --vcpu-type EPYC

# A firmware that is not one: too short for a footer table.
printf 'not an OVMF image' >"$tmp/junk.fd"
expect "junk firmware" 2 "too short to hold the footer table" -- --ovmf "$tmp/junk.fd" --vcpus 1 --vcpu-type EPYC
# 8 KiB of zeros: no footer table, so no SEV metadata: refused.
dd if=/dev/zero of="$tmp/zero.fd" bs=4096 count=2 2>/dev/null
expect "plain firmware refused" 2 "no SEV metadata.*no footer table" -- --ovmf "$tmp/zero.fd" --vcpus 1 --vcpu-type EPYC

# ---- sev-snp-measure's fixtures (EXPECTED.md) ----
fix=${COVE_SHARED_DIR:-}/vectors/snp/measure/sev-snp-measure-fixtures
if [ -f "$fix/ovmf_AmdSev_suffix.bin" ] && [ -f "$fix/ovmf_OvmfX64_suffix.bin" ]; then
	amd=$fix/ovmf_AmdSev_suffix.bin x64=$fix/ovmf_OvmfX64_suffix.bin
	: >"$tmp/empty"
	expect_digest "fixture row 1" 086e2e9149ebf45abdc3445fba5b2da8270bdbb04094d7a2c37faaa4b24af3aa16aff8c374c2a55c467a50da6d466b74 \
		-- --mode snp:ovmf-hash --ovmf "$amd"
	expect_digest "fixture row 2" 803f691094946e42068aaa3a8f9e26a5c89f36f7b73ecfb28c653360fe4b3aba7e534442e7e1e17895dfe778d0228977 \
		-- --ovmf "$amd" --vcpus 1 --vcpu-type EPYC-v4 --kernel "$tmp/empty" --initrd "$tmp/empty" \
		--append "console=ttyS0 loglevel=7" --guest-features 0x21
	expect_digest "fixture row 5 (precomputed OVMF hash)" ddc5224521617a536ee7ce9dd6224d1b58a8d4fda1c741f3ac99fc4bfa04ba6e9fc98646d4a07a9079397fa3852819b5 \
		-- --ovmf "$amd" --vcpus 1 --vcpu-sig 0x800f12 --kernel "$tmp/empty" --initrd "$tmp/empty" --append "" \
		--snp-ovmf-hash 086e2e9149ebf45abdc3445fba5b2da8270bdbb04094d7a2c37faaa4b24af3aa16aff8c374c2a55c467a50da6d466b74
	expect_digest "fixture row 8 (ec2)" 0883bd0eeb716e65b7b977a321c278d1e51b33b5c655fab985443bbcc65c086b9c15e8a0bd8811050dec7e24964e5056 \
		-- --ovmf "$amd" --vcpus 1 --vcpu-type EPYC-v4 --vmm-type ec2 --kernel "$tmp/empty" --initrd "$tmp/empty"
	expect_digest "fixture row 10 (gce)" 5c5debf100fc339f90276e761ee1f1658d08922c3b20e2a2e6c7a6c3370b2452a15a00eae11886a93d6fd1e7ab81e29d \
		-- --ovmf "$amd" --vcpus 4 --vmm-type GCE --kernel "$tmp/empty" --initrd "$tmp/empty"
	expect_digest "fixture row 12 (defaults)" 19358ba9a7615534a9a1e2f0dfc29384dcd4dcb7062ff9c6013b26869a5fc6ecabe033c48dd6f6db5d6d76e7c5df632d \
		-- --ovmf "$amd" --vcpus 1 --vcpu-family 23 --vcpu-model 1 --vcpu-stepping 2
	expect_digest "fixture row 16" da0296de8193586a5512078dcd719eccecbd87e2b825ad4148c44f665dc87df21e5b49e21523a9ad993afdb6a30b4005 \
		-- --ovmf "$x64" --vcpus 1 --vcpu-type EPYC-v4
	expect "fixture row 17 (no kernel hashes)" 2 "no SNP_KERNEL_HASHES section" \
		-- --ovmf "$x64" --vcpus 1 --vcpu-type EPYC-v4 --kernel "$tmp/empty" --initrd "$tmp/empty" --guest-features 0x21
	expect_digest "fixture row 19 (seves)" 0dccbcaba8e90b261bd0d2e1863a2f9da714768b7b2a19363cd6ae35aa90de91 \
		-- --mode seves --ovmf "$amd" --vcpus 4 --vcpu-type EPYC-v4 --kernel "$tmp/empty" --initrd "$tmp/empty"
	expect_digest "fixture row 22 (sev)" 77f613d7bbcdf12a73782ea9e88b0172aeda50d1a54201cb903594ff52846898 \
		-- --mode sev --ovmf "$amd" --kernel "$tmp/empty"
	expect "fixture row 23 (sev, no hash table)" 2 "no SEV hash table" \
		-- --mode sev --ovmf "$x64" --kernel "$tmp/empty" --initrd "$tmp/empty"
	expect "missing kernel file" 2 "cannot open kernel $tmp/nokernel" \
		-- --ovmf "$amd" --vcpus 1 --vcpu-type EPYC-v4 --kernel "$tmp/nokernel"
	expect "kernel in ovmf-hash mode" 2 "--kernel does not apply" \
		-- --mode snp:ovmf-hash --ovmf "$amd" --kernel "$tmp/empty"
	expect "features without SNPActive" 2 "lack bit 0 \(SNPActive\)" \
		-- --ovmf "$amd" --vcpus 1 --vcpu-type EPYC-v4 --guest-features 0x20

	# JSON: inputs, firmware layout and digest (row 26, which also dumps its one VMSA).
	mkdir "$tmp/vmsa"
	expect "fixture row 26 as JSON" 0 '"measurement": "329c8ce0972ae52343b64d34a434a86f245dfd74f5ed7aae15d22efc78fb9683632b9b50e4e1d7fa41179ef98a7ef198"' \
		-- --ovmf "$amd" --vcpus 1 --vcpu-type EPYC-v4 --kernel "$tmp/empty" --initrd "$tmp/empty" --append "" \
		--guest-features 0x21 --json --dump-vmsa "$tmp/vmsa"
	for field in '"mode": "snp"' '"algorithm": "sha384"' '"vcpu_sig": "0x800f12"' '"guest_features": "0x21"' \
		'"sev_es_reset_eip": "0x80b004"' '"type": "SNP_KERNEL_HASHES"' \
		'"kernel_sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"'; do
		grep -qF -- "$field" "$tmp/out" || { echo "FAIL: JSON lacks $field"; fails=$((fails + 1)); }
	done
	python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$tmp/out" 2>/dev/null ||
		{ command -v python3 >/dev/null && { echo "FAIL: --json output is not JSON"; fails=$((fails + 1)); }; }
	[ "$(ls "$tmp/vmsa")" = "vmsa0.bin" ] && [ "$(wc -c <"$tmp/vmsa/vmsa0.bin")" -eq 4096 ] ||
		{ echo "FAIL: --dump-vmsa did not write exactly vmsa0.bin (4096 bytes)"; fails=$((fails + 1)); }
	rm -f "$tmp/vmsa"/*
	expect_digest "fixture row 25 (4 VMSAs dumped)" 0dccbcaba8e90b261bd0d2e1863a2f9da714768b7b2a19363cd6ae35aa90de91 \
		-- --mode seves --ovmf "$amd" --vcpus 4 --vcpu-type EPYC-v4 --kernel "$tmp/empty" --initrd "$tmp/empty" \
		--dump-vmsa "$tmp/vmsa"
	[ "$(ls "$tmp/vmsa" | tr '\n' ' ')" = "vmsa0.bin vmsa1.bin vmsa2.bin vmsa3.bin " ] ||
		{ echo "FAIL: --dump-vmsa did not write vmsa0..3.bin"; fails=$((fails + 1)); }
	expect "dump into a missing directory" 2 "cannot create $tmp/none/vmsa0.bin" \
		-- --ovmf "$amd" --vcpus 1 --vcpu-type EPYC-v4 --dump-vmsa "$tmp/none"

	# A truncated fixture: the footer table now reaches past the start of the file.
	tail -c 100 "$amd" >"$tmp/trunc.fd"
	expect "truncated firmware" 2 "footer table at offset 0x32: size 136 reaches before the start" \
		-- --ovmf "$tmp/trunc.fd" --vcpus 1 --vcpu-type EPYC-v4
else
	echo "SKIP: sev-snp-measure fixtures absent (COVE_SHARED_DIR=${COVE_SHARED_DIR:-unset})"
fi

# ---- Debian 12's ovmf package ----
deb=/usr/share/OVMF/OVMF_CODE.fd
if [ -f "$deb" ] && [ "$(sha256sum "$deb" | cut -d' ' -f1)" = d9b568def24088c92f34b5479e0ed7e44d0a4d4cea8a0f5716719180bba48106 ]; then
	expect_digest "debian 4 vCPUs EPYC-Milan" cc2b38913550ecd41aadbcf2a5d309ae9d3cb0455c9e1f72892f6b18cfaea3f2e4f46a28b61ca0353724ee707c73177c \
		-- --ovmf "$deb" --vcpus 4 --vcpu-type EPYC-Milan
	expect_digest "debian 2 vCPUs EPYC-Turin 0x21" 2fe89fb95f6c2248296fe05fac918fdbe1a5ae698991fd4b7d3ae7af34e79521707cd2cc1737a9df5297aa26c74cee19 \
		-- --ovmf "$deb" --vcpus 2 --vcpu-type EPYC-Turin --guest-features 0x21
	expect "debian direct boot refused" 2 "no SNP_KERNEL_HASHES section" \
		-- --ovmf "$deb" --vcpus 1 --vcpu-type EPYC-v4 --kernel /dev/null --append console=ttyS0
else
	echo "SKIP: $deb absent or not Debian 12's ovmf 2022.11-6+deb12u2 build"
fi
if [ -f /usr/share/OVMF/OVMF_CODE_4M.fd ]; then
	expect "debian OVMF_CODE_4M.fd refused" 2 "has no SEV metadata.*cannot launch an SEV-SNP guest" \
		-- --ovmf /usr/share/OVMF/OVMF_CODE_4M.fd --vcpus 1 --vcpu-type EPYC-v4
else
	echo "SKIP: /usr/share/OVMF/OVMF_CODE_4M.fd absent"
fi

echo "$ran checks, $fails failed"
[ "$fails" = 0 ]
