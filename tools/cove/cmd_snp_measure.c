/*
 * `cove snp measure`: the expected launch MEASUREMENT of an SEV-SNP guest
 * (or the SEV-ES / SEV launch digest) from its OVMF image and VM parameters.
 * Options follow virtee/sev-snp-measure so that its users feel at home; the
 * computation is libcove's cove_snp_measure().
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cove/crypto.h"
#include "cove/snp_measure.h"

static const char prog[] = "cove snp measure";

static const char usage[] =
	"Usage: cove snp measure --ovmf FILE --vcpus N --vcpu-type NAME [options]\n"
	"\n"
	"Compute the expected SEV-SNP launch MEASUREMENT (SHA-384) of a guest started\n"
	"by QEMU, EC2 or GCE from an OVMF image, and print it as hex.  The value is\n"
	"computed the way virtee/sev-snp-measure does; no hardware confirms it.\n"
	"\n"
	"Options:\n"
	"  --ovmf FILE             OVMF firmware image ('-' = standard input; required; must\n"
	"                          carry SEV metadata for the snp modes)\n"
	"  --mode MODE             snp (default): the SNP MEASUREMENT;\n"
	"                          snp:ovmf-hash: only the firmware part, for --snp-ovmf-hash;\n"
	"                          seves: SEV-ES launch digest (SHA-256);\n"
	"                          sev: SEV launch digest (SHA-256)\n"
	"  --vcpus N               number of vCPUs (required for snp and seves)\n"
	"  --vcpu-type NAME        QEMU CPU model: EPYC, EPYC-v1..v4, EPYC-IBPB, EPYC-Rome[-v1..v3],\n"
	"                          EPYC-Milan[-v1,-v2], EPYC-Genoa[-v1], EPYC-Turin\n"
	"  --vcpu-family F --vcpu-model M --vcpu-stepping S\n"
	"                          the CPU signature from its parts, instead of --vcpu-type\n"
	"  --vcpu-sig VALUE        the raw CPUID 1.EAX signature, instead of --vcpu-type\n"
	"                          (one vCPU source is required for QEMU; EC2 and GCE ignore it)\n"
	"  --vmm-type TYPE         qemu (default), ec2 or gce\n"
	"  --guest-features VALUE  VMSA SEV_FEATURES, 0x-hex or decimal (default 0x1 = SNPActive;\n"
	"                          0x21 adds DebugSwap, as Linux 6.6+ KVM hosts set it); snp only\n"
	"  --kernel FILE           measured direct boot: the kernel given to QEMU -kernel\n"
	"  --initrd FILE           with --kernel: the initrd (default none)\n"
	"  --append CMDLINE        with --kernel: the command line (default none)\n"
	"  --snp-ovmf-hash HEX     the 48-byte output of --mode snp:ovmf-hash, used instead of\n"
	"                          hashing the firmware pages (the image still supplies the layout)\n"
	"  --dump-vmsa DIR         also write every VMSA page as DIR/vmsa<i>.bin\n"
	"  --json                  print the inputs, the firmware layout and the digest as JSON\n"
	"  -h, --help              this text\n"
	"\n"
	"Exit status: 0 digest printed; 2 bad usage, unreadable or malformed firmware, or a\n"
	"firmware that cannot do what was asked (no SEV metadata, no kernel-hashes section);\n"
	"4 internal error.\n"
	"\n"
	"Example:\n"
	"  cove snp measure --ovmf /usr/share/OVMF/OVMF_CODE.fd --vcpus 4 --vcpu-type EPYC-Milan\n";

enum {
	OPT_OVMF = 256,
	OPT_MODE,
	OPT_VCPUS,
	OPT_VCPU_TYPE,
	OPT_VCPU_SIG,
	OPT_VCPU_FAMILY,
	OPT_VCPU_MODEL,
	OPT_VCPU_STEPPING,
	OPT_VMM_TYPE,
	OPT_GUEST_FEATURES,
	OPT_KERNEL,
	OPT_INITRD,
	OPT_APPEND,
	OPT_OVMF_HASH,
	OPT_DUMP_VMSA,
	OPT_JSON,
};

typedef struct args {
	const char *ovmf, *mode, *vcpu_type, *vmm, *kernel, *initrd, *append, *ovmf_hash, *dump_dir;
	const char *vcpus, *vcpu_sig, *family, *model, *stepping, *features;
	bool json;
} args;

static cove_err dump_vmsa(void *ctx, unsigned index, const uint8_t page[COVE_SNP_VMSA_SIZE], cove_error *e)
{
	char path[4096];
	int n = snprintf(path, sizeof(path), "%s/vmsa%u.bin", (const char *)ctx, index);
	if (n < 0 || (size_t)n >= sizeof(path))
		return cove_error_set(e, COVE_ERR_ARG, "--dump-vmsa directory name is too long");
	return cove_file_write(path, page, COVE_SNP_VMSA_SIZE, 0644, e);
}

/* A small unsigned number option; false (after printing the usage error) on junk. */
static bool parse_num(const char *opt, const char *text, unsigned long long max, unsigned long long *out)
{
	if (!cove_cli_parse_u64(text, out) || *out > max) {
		cove_cli_usage_error(prog, "%s: '%s' is not a number in 0..%llu", opt, text, max);
		return false;
	}
	return true;
}

static json_t *hexj(const uint8_t *p, size_t n)
{
	char buf[2 * COVE_SNP_LD_LEN + 1];
	cove_hex_write(buf, p, n);
	return json_string(buf);
}

static json_t *numj(unsigned long long v)
{
	char buf[24];
	snprintf(buf, sizeof(buf), "0x%llx", v);
	return json_string(buf);
}

int cove_cmd_snp_measure(int argc, char **argv)
{
	static const struct option opts[] = {
		{"ovmf", required_argument, NULL, OPT_OVMF},
		{"mode", required_argument, NULL, OPT_MODE},
		{"vcpus", required_argument, NULL, OPT_VCPUS},
		{"vcpu-type", required_argument, NULL, OPT_VCPU_TYPE},
		{"vcpu-sig", required_argument, NULL, OPT_VCPU_SIG},
		{"vcpu-family", required_argument, NULL, OPT_VCPU_FAMILY},
		{"vcpu-model", required_argument, NULL, OPT_VCPU_MODEL},
		{"vcpu-stepping", required_argument, NULL, OPT_VCPU_STEPPING},
		{"vmm-type", required_argument, NULL, OPT_VMM_TYPE},
		{"guest-features", required_argument, NULL, OPT_GUEST_FEATURES},
		{"kernel", required_argument, NULL, OPT_KERNEL},
		{"initrd", required_argument, NULL, OPT_INITRD},
		{"append", required_argument, NULL, OPT_APPEND},
		{"snp-ovmf-hash", required_argument, NULL, OPT_OVMF_HASH},
		{"dump-vmsa", required_argument, NULL, OPT_DUMP_VMSA},
		{"json", no_argument, NULL, OPT_JSON},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	args a = {0};
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_OVMF: a.ovmf = optarg; break;
		case OPT_MODE: a.mode = optarg; break;
		case OPT_VCPUS: a.vcpus = optarg; break;
		case OPT_VCPU_TYPE: a.vcpu_type = optarg; break;
		case OPT_VCPU_SIG: a.vcpu_sig = optarg; break;
		case OPT_VCPU_FAMILY: a.family = optarg; break;
		case OPT_VCPU_MODEL: a.model = optarg; break;
		case OPT_VCPU_STEPPING: a.stepping = optarg; break;
		case OPT_VMM_TYPE: a.vmm = optarg; break;
		case OPT_GUEST_FEATURES: a.features = optarg; break;
		case OPT_KERNEL: a.kernel = optarg; break;
		case OPT_INITRD: a.initrd = optarg; break;
		case OPT_APPEND: a.append = optarg; break;
		case OPT_OVMF_HASH: a.ovmf_hash = optarg; break;
		case OPT_DUMP_VMSA: a.dump_dir = optarg; break;
		case OPT_JSON: a.json = true; break;
		case 'h': fputs(usage, stdout); return COVE_EXIT_OK;
		default: return cove_cli_usage_error(prog, "bad option");
		}
	}
	if (optind != argc)
		return cove_cli_usage_error(prog, "unexpected argument '%s'", argv[optind]);

	cove_snp_measure_opts o;
	cove_snp_measure_opts_init(&o);
	cove_error e = {0};
	unsigned long long v;

	if (!a.ovmf)
		return cove_cli_usage_error(prog, "--ovmf FILE is required");
	if (a.mode && cove_snp_measure_mode_parse(a.mode, &o.mode, &e))
		return cove_cli_usage_error(prog, "%s", e.msg);
	if (a.vmm && cove_snp_vmm_parse(a.vmm, &o.vmm, &e))
		return cove_cli_usage_error(prog, "%s", e.msg);
	bool needs_vcpus = o.mode == COVE_SNP_MODE_SNP || o.mode == COVE_SNP_MODE_SEV_ES;
	if (a.vcpus) {
		if (!parse_num("--vcpus", a.vcpus, COVE_SNP_MAX_VCPUS, &v))
			return COVE_EXIT_USAGE;
		o.vcpus = (unsigned)v;
	} else if (needs_vcpus) {
		return cove_cli_usage_error(prog, "--vcpus N is required in mode %s", cove_snp_measure_mode_name(o.mode));
	}

	/* The vCPU signature: exactly one of --vcpu-type, --vcpu-sig, or family+model+stepping. */
	int sources = !!a.vcpu_type + !!a.vcpu_sig + !!(a.family || a.model || a.stepping);
	if (sources > 1)
		return cove_cli_usage_error(prog, "give only one of --vcpu-type, --vcpu-sig and "
						  "--vcpu-family/--vcpu-model/--vcpu-stepping");
	if (a.vcpu_type && cove_snp_vcpu_sig_lookup(a.vcpu_type, &o.vcpu_sig, &e))
		return cove_cli_usage_error(prog, "%s", e.msg);
	if (a.vcpu_sig) {
		if (!parse_num("--vcpu-sig", a.vcpu_sig, 0xFFFFFFFFull, &v))
			return COVE_EXIT_USAGE;
		o.vcpu_sig = (uint32_t)v;
	}
	if (a.family || a.model || a.stepping) {
		unsigned long long f, m, s;
		if (!a.family || !a.model || !a.stepping)
			return cove_cli_usage_error(prog, "--vcpu-family, --vcpu-model and --vcpu-stepping go together");
		if (!parse_num("--vcpu-family", a.family, 0xFFFF, &f) || !parse_num("--vcpu-model", a.model, 0xFFFF, &m) ||
		    !parse_num("--vcpu-stepping", a.stepping, 0xFFFF, &s))
			return COVE_EXIT_USAGE;
		if (cove_snp_vcpu_sig_encode((unsigned)f, (unsigned)m, (unsigned)s, &o.vcpu_sig, &e))
			return cove_cli_usage_error(prog, "%s", e.msg);
	}
	if (needs_vcpus && o.vmm == COVE_SNP_VMM_QEMU && sources == 0)
		return cove_cli_usage_error(prog, "QEMU puts the vCPU signature into the VMSA: give --vcpu-type "
						  "(or --vcpu-family/--vcpu-model/--vcpu-stepping, or --vcpu-sig)");

	if (a.features) {
		if (!parse_num("--guest-features", a.features, ~0ULL, &v))
			return COVE_EXIT_USAGE;
		o.guest_features = v;
	}
	if ((a.initrd || a.append) && !a.kernel)
		return cove_cli_usage_error(prog, "--initrd and --append need --kernel");

	uint8_t ovmf_hash[COVE_SNP_LD_LEN];
	if (a.ovmf_hash) {
		if (cove_hex_decode_fixed(a.ovmf_hash, ovmf_hash, sizeof(ovmf_hash), &e))
			return cove_cli_usage_error(prog, "--snp-ovmf-hash: %s (expected %d bytes of hex)", e.msg,
						    COVE_SNP_LD_LEN);
		o.ovmf_hash = ovmf_hash;
	}
	if (a.dump_dir) {
		o.vmsa_cb = dump_vmsa;
		o.vmsa_ctx = (void *)a.dump_dir;
	}

	cove_buf fw = {0};
	cove_snp_kernel_hashes kh;
	uint8_t digest[COVE_SNP_LD_LEN];
	size_t digest_len = 0;
	int rc = COVE_EXIT_OK;
	if (strcmp(a.ovmf, "-") == 0 ? cove_cli_read(a.ovmf, COVE_SNP_OVMF_MAX_LEN, &fw, &e)
				      : cove_snp_ovmf_read(a.ovmf, &fw, &e)) {
		rc = cove_cli_fail(&e);
		goto out;
	}
	o.ovmf = fw.data;
	o.ovmf_len = fw.len;
	if (a.kernel) {
		if (o.mode == COVE_SNP_MODE_SNP_OVMF_HASH) {
			rc = cove_cli_usage_error(prog, "--kernel does not apply to --mode snp:ovmf-hash");
			goto out;
		}
		if (cove_snp_kernel_hashes_read(a.kernel, a.initrd, a.append, &kh, &e)) {
			rc = cove_cli_fail(&e);
			goto out;
		}
		o.kernel_hashes = &kh;
	}
	if (cove_snp_measure(&o, digest, &digest_len, &e)) {
		rc = cove_cli_fail(&e);
		goto out;
	}

	if (!a.json) {
		char hex[2 * COVE_SNP_LD_LEN + 1];
		cove_hex_write(hex, digest, digest_len);
		puts(hex);
		goto out;
	}
	json_t *j = json_object();
	json_object_set_new(j, "mode", json_string(cove_snp_measure_mode_name(o.mode)));
	json_object_set_new(j, "algorithm", json_string(digest_len == COVE_SNP_LD_LEN ? "sha384" : "sha256"));
	uint8_t fw_sha256[COVE_SHA256_LEN];
	if (cove_digest(COVE_SHA256, fw.data, fw.len, fw_sha256, &e)) {
		json_decref(j);
		rc = cove_cli_fail(&e);
		goto out;
	}
	json_t *jo = json_object();
	json_object_set_new(jo, "path", json_string(a.ovmf));
	json_object_set_new(jo, "sha256", hexj(fw_sha256, sizeof(fw_sha256)));
	cove_snp_ovmf parsed;
	if (cove_snp_ovmf_parse(fw.data, fw.len, &parsed, NULL) == COVE_OK) {
		json_t *layout = cove_snp_ovmf_to_json(&parsed);
		json_object_update(jo, layout);
		json_decref(layout);
	}
	json_object_set_new(j, "ovmf", jo);
	if (o.mode != COVE_SNP_MODE_SNP_OVMF_HASH && o.mode != COVE_SNP_MODE_SEV) {
		json_object_set_new(j, "vcpus", json_integer(o.vcpus));
		json_object_set_new(j, "vmm_type", json_string(cove_snp_vmm_name(o.vmm)));
		if (a.vcpu_type)
			json_object_set_new(j, "vcpu_type", json_string(a.vcpu_type));
		json_object_set_new(j, "vcpu_sig", o.vmm == COVE_SNP_VMM_QEMU ? numj(o.vcpu_sig) : json_null());
		json_object_set_new(j, "guest_features", numj(o.mode == COVE_SNP_MODE_SNP ? o.guest_features : 0));
	}
	if (o.ovmf_hash)
		json_object_set_new(j, "snp_ovmf_hash", hexj(o.ovmf_hash, COVE_SNP_LD_LEN));
	if (o.kernel_hashes) {
		json_t *jk = json_object();
		json_object_set_new(jk, "kernel", json_string(a.kernel));
		json_object_set_new(jk, "kernel_sha256", hexj(kh.kernel, 32));
		json_object_set_new(jk, "initrd", a.initrd ? json_string(a.initrd) : json_null());
		json_object_set_new(jk, "initrd_sha256", hexj(kh.initrd, 32));
		json_object_set_new(jk, "append", a.append ? json_string(a.append) : json_null());
		json_object_set_new(jk, "cmdline_sha256", hexj(kh.cmdline, 32));
		json_object_set_new(j, "direct_boot", jk);
	}
	json_object_set_new(j, "measurement", hexj(digest, digest_len));
	cove_cli_print_json(j);
out:
	cove_buf_free(&fw);
	return rc;
}
