/*
 * `cove snp emulate`: an SEV-SNP attestation report signed by the emulated
 * platform (include/cove/platform.h), with its certificates and CRL.
 */
#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cove/platform.h"
#include "cove/snp.h"

static const char usage[] =
	"Usage: cove snp emulate --measurement HEX --report-data HEX [OPTIONS]\n"
	"\n"
	"Write an SEV-SNP attestation report in the real layout (version 3 by default),\n"
	"signed by the emulated platform's VCEK.  The platform is created on first use\n"
	"(see 'cove platform --help').  Such reports verify only with\n"
	"'cove snp verify --trust-emulated-root'; against AMD's roots they fail.\n"
	"\n"
	"Report content:\n"
	"  --measurement HEX    MEASUREMENT: exactly 96 hex digits (48 bytes, a SHA-384)\n"
	"  --report-data HEX    REPORT_DATA: 2 to 128 hex digits (1 to 64 bytes); shorter\n"
	"                       values are padded on the right with zero bytes, so a\n"
	"                       SHA-256 fills the first 32 bytes\n"
	"  --host-data HEX      HOST_DATA: up to 64 hex digits (32 bytes), zero-padded\n"
	"  --family-id HEX      FAMILY_ID: up to 32 hex digits (16 bytes), zero-padded\n"
	"  --image-id HEX       IMAGE_ID: up to 32 hex digits (16 bytes), zero-padded\n"
	"  --id-key-digest HEX  ID_KEY_DIGEST: exactly 96 hex digits (48 bytes)\n"
	"  --guest-svn N        GUEST_SVN (default 0)\n"
	"  --policy HEX         guest POLICY in hex (default 30000: SMT allowed, debug off;\n"
	"                       add 80000 for a debug guest); bit 17 must be set\n"
	"  --vmpl N             VMPL 0..3 (default 0)\n"
	"  --platform-info HEX  PLATFORM_INFO in hex (default 3: SMT_EN, TSME_EN)\n"
	"  --mask-chip-id       report CHIP_ID as zeros (MASK_CHIP_ID)\n"
	"  --report-version N   2, 3, 4 or 5 (default 3)\n"
	"  --tcb SPEC           CURRENT, REPORTED, COMMITTED and LAUNCH TCB, e.g.\n"
	"                       bl=4,tee=0,snp=22,ucode=213 (Turin adds fmc=N); components\n"
	"                       left out keep the platform's value.  The report is signed\n"
	"                       by a VCEK certified for its REPORTED_TCB, issued on first use\n"
	"  --reported-tcb SPEC  REPORTED_TCB only (as after SNP_SET_REPORTED_TCB)\n"
	"  --launch-tcb SPEC    LAUNCH_TCB only\n"
	"\n"
	"Output:\n"
	"  --out FILE           the 1184-byte report, raw binary ('-' = standard output);\n"
	"                       without --out the report is printed as hex\n"
	"  --certs-out FILE     PEM bundle VCEK, ASK, ARK\n"
	"  --cert-table-out FILE  the same certificates as an extended-report certificate\n"
	"                       table (GUID table, as SNP_GET_EXT_REPORT or configfs auxblob)\n"
	"  --crl-out FILE       the platform's CRL (PEM, signed by the ARK; re-signed when\n"
	"                       stale or within 30 days of its nextUpdate)\n"
	"  --state-dir DIR      state directory (default: see 'cove platform --help')\n"
	"  --json               machine-readable summary including the report as hex\n"
	"  -h, --help           this text\n";

#define PROG "cove snp emulate"

/*
 * Hex option into a fixed field: `exact` demands the whole field, otherwise
 * 1..size bytes are zero-padded on the right.
 */
static bool hex_opt(const char *opt, const char *text, uint8_t *out, size_t size, bool exact)
{
	size_t n = strlen(text);
	for (size_t i = 0; i < n; i++) {
		if (!isxdigit((unsigned char)text[i])) {
			cove_cli_usage_error(PROG, "--%s: character '%c' at position %zu is not a hex digit", opt, text[i],
					     i + 1);
			return false;
		}
	}
	if (n == 0 || n % 2) {
		cove_cli_usage_error(PROG, "--%s: %s hex digits (%zu); give whole bytes", opt, n ? "odd number of" : "no",
				     n);
		return false;
	}
	if (exact && n != 2 * size) {
		cove_cli_usage_error(PROG, "--%s: expected exactly %zu hex digits (%zu bytes), got %zu", opt, 2 * size,
				     size, n);
		return false;
	}
	if (n > 2 * size) {
		cove_cli_usage_error(PROG, "--%s: %zu hex digits is %zu bytes, more than the field's %zu", opt, n, n / 2,
				     size);
		return false;
	}
	memset(out, 0, size);
	cove_error e = {0};
	if (cove_hex_decode_fixed(text, out, n / 2, &e)) {
		cove_cli_usage_error(PROG, "--%s: %s", opt, e.msg);
		return false;
	}
	return true;
}

/* A hexadecimal number, with or without 0x. */
static bool hex_number(const char *opt, const char *text, uint64_t *out)
{
	const char *p = text;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		p += 2;
	size_t n = strlen(p);
	bool ok = n > 0 && n <= 16;
	for (size_t i = 0; ok && i < n; i++)
		ok = isxdigit((unsigned char)p[i]);
	if (!ok) {
		cove_cli_usage_error(PROG, "--%s: '%s' is not a hexadecimal number of at most 64 bits", opt, text);
		return false;
	}
	*out = strtoull(p, NULL, 16);
	return true;
}

static bool u32_opt(const char *opt, const char *text, uint32_t *out)
{
	unsigned long long v;
	if (!cove_cli_parse_u64(text, &v) || v > UINT32_MAX) {
		cove_cli_usage_error(PROG, "--%s: '%s' is not a number from 0 to %u", opt, text, UINT32_MAX);
		return false;
	}
	*out = (uint32_t)v;
	return true;
}

static cove_err write_out(const char *path, const void *data, size_t len, cove_error *e)
{
	if (strcmp(path, "-") == 0) {
		if (fwrite(data, 1, len, stdout) != len || fflush(stdout) != 0)
			return cove_error_set(e, COVE_ERR_IO, "cannot write to standard output");
		return COVE_OK;
	}
	return cove_file_write(path, data, len, 0644, e);
}

static json_t *hex_json(const void *p, size_t n)
{
	char *h = cove_hex_new(p, n);
	json_t *j = h ? json_string(h) : json_null();
	free(h);
	return j;
}

static json_t *path_json(const char *path)
{
	return path ? json_string(path) : json_null();
}

int cove_cmd_snp_emulate(int argc, char **argv)
{
	enum {
		O_MEAS = 256, O_RDATA, O_HDATA, O_FAMILY, O_IMAGE, O_IDKEY, O_SVN, O_POLICY, O_VMPL, O_PINFO, O_MASK,
		O_VERSION, O_TCB, O_RTCB, O_LTCB, O_OUT, O_CERTS, O_TABLE, O_CRL, O_DIR, O_JSON,
	};
	static const struct option opts[] = {
		{"measurement", required_argument, NULL, O_MEAS},
		{"report-data", required_argument, NULL, O_RDATA},
		{"host-data", required_argument, NULL, O_HDATA},
		{"family-id", required_argument, NULL, O_FAMILY},
		{"image-id", required_argument, NULL, O_IMAGE},
		{"id-key-digest", required_argument, NULL, O_IDKEY},
		{"guest-svn", required_argument, NULL, O_SVN},
		{"policy", required_argument, NULL, O_POLICY},
		{"vmpl", required_argument, NULL, O_VMPL},
		{"platform-info", required_argument, NULL, O_PINFO},
		{"mask-chip-id", no_argument, NULL, O_MASK},
		{"report-version", required_argument, NULL, O_VERSION},
		{"tcb", required_argument, NULL, O_TCB},
		{"reported-tcb", required_argument, NULL, O_RTCB},
		{"launch-tcb", required_argument, NULL, O_LTCB},
		{"out", required_argument, NULL, O_OUT},
		{"certs-out", required_argument, NULL, O_CERTS},
		{"cert-table-out", required_argument, NULL, O_TABLE},
		{"crl-out", required_argument, NULL, O_CRL},
		{"state-dir", required_argument, NULL, O_DIR},
		{"json", no_argument, NULL, O_JSON},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	cove_snp_emulate_opts eo;
	const char *tcb_spec = NULL, *rtcb_spec = NULL, *ltcb_spec = NULL;
	const char *out = NULL, *certs_out = NULL, *table_out = NULL, *crl_out = NULL, *dir = NULL;
	bool json = false, have_meas = false, have_rdata = false;
	cove_error e = {0};
	int c;

	cove_snp_emulate_opts_init(&eo);
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		bool ok = true;
		switch (c) {
		case O_MEAS: ok = have_meas = hex_opt("measurement", optarg, eo.measurement, 48, true); break;
		case O_RDATA: ok = have_rdata = hex_opt("report-data", optarg, eo.report_data, 64, false); break;
		case O_HDATA: ok = hex_opt("host-data", optarg, eo.host_data, 32, false); break;
		case O_FAMILY: ok = hex_opt("family-id", optarg, eo.family_id, 16, false); break;
		case O_IMAGE: ok = hex_opt("image-id", optarg, eo.image_id, 16, false); break;
		case O_IDKEY: ok = hex_opt("id-key-digest", optarg, eo.id_key_digest, 48, true); break;
		case O_SVN: ok = u32_opt("guest-svn", optarg, &eo.guest_svn); break;
		case O_POLICY: ok = hex_number("policy", optarg, &eo.policy); break;
		case O_VMPL: ok = u32_opt("vmpl", optarg, &eo.vmpl); break;
		case O_PINFO: ok = hex_number("platform-info", optarg, &eo.platform_info); break;
		case O_MASK: eo.mask_chip_id = true; break;
		case O_VERSION: ok = u32_opt("report-version", optarg, &eo.version); break;
		case O_TCB: tcb_spec = optarg; break;
		case O_RTCB: rtcb_spec = optarg; break;
		case O_LTCB: ltcb_spec = optarg; break;
		case O_OUT: out = optarg; break;
		case O_CERTS: certs_out = optarg; break;
		case O_TABLE: table_out = optarg; break;
		case O_CRL: crl_out = optarg; break;
		case O_DIR: dir = optarg; break;
		case O_JSON: json = true; break;
		case 'h': fputs(usage, stdout); return COVE_EXIT_OK;
		default: return cove_cli_usage_error(PROG, "bad option");
		}
		if (!ok)
			return COVE_EXIT_USAGE;
	}
	if (optind != argc)
		return cove_cli_usage_error(PROG, "unexpected argument '%s'", argv[optind]);
	if (!have_meas || !have_rdata)
		return cove_cli_usage_error(PROG, "--measurement and --report-data are required");
	if (out && strcmp(out, "-") == 0 && json)
		return cove_cli_usage_error(PROG, "--out - and --json would both write to standard output");

	/* Check the TCB syntax before a platform is created for nothing (Turin accepts every component). */
	const char *specs[3] = {tcb_spec, rtcb_spec, ltcb_spec};
	static const char *const spec_opt[3] = {"tcb", "reported-tcb", "launch-tcb"};
	for (int i = 0; i < 3; i++) {
		cove_snp_tcb scratch = {0};
		if (specs[i] && cove_platform_tcb_parse(specs[i], COVE_SNP_TURIN, &scratch, &e))
			return cove_cli_usage_error(PROG, "--%s: %s", spec_opt[i], e.msg);
	}

	cove_platform *p = NULL;
	cove_buf certs = {0}, table = {0}, crl = {0};
	cove_snp_report *r = NULL;
	uint8_t report[COVE_SNP_REPORT_SIZE];
	bool refreshed = false;
	int rc = COVE_EXIT_OK;

	cove_err oc = cove_platform_open(dir, false, &p, &e);
	if (oc == COVE_ERR_UNAVAILABLE) {
		fprintf(stderr, "cove: no emulated platform yet; creating one (RSA-4096 keys take a few seconds)...\n");
		oc = cove_platform_open(dir, true, &p, &e);
	}
	if (oc) {
		rc = cove_cli_fail(&e);
		goto out;
	}
	cove_snp_product product = cove_platform_product(p);
	cove_snp_tcb *targets[3] = {&eo.tcb, &eo.reported_tcb, &eo.launch_tcb};
	bool *has[3] = {&eo.has_tcb, &eo.has_reported_tcb, &eo.has_launch_tcb};
	for (int i = 0; i < 3; i++) {
		if (!specs[i])
			continue;
		/* Components left out keep the platform's value (for --reported/--launch-tcb: --tcb's). */
		*targets[i] = i > 0 && eo.has_tcb ? eo.tcb : cove_platform_tcb(p);
		if (cove_platform_tcb_parse(specs[i], product, targets[i], &e)) {
			rc = cove_cli_usage_error(PROG, "--%s: %s", spec_opt[i], e.msg);
			goto out;
		}
		*has[i] = true;
	}
	if (cove_platform_crl_refresh(p, false, &refreshed, &e) || cove_platform_snp_emulate(p, &eo, report, &e)) {
		rc = cove_cli_fail(&e);
		goto out;
	}
	if (refreshed)
		fprintf(stderr, "cove: re-signed the emulated platform's CRL (it was stale or about to be)\n");
	if (!(r = malloc(sizeof(*r))) || cove_snp_report_parse(report, sizeof(report), r, &e)) {
		if (!r)
			cove_error_set(&e, COVE_ERR_NOMEM, "out of memory");
		rc = cove_cli_fail(&e);
		goto out;
	}
	cove_snp_tcb reported = cove_snp_tcb_decode(r->reported_tcb, product);
	if ((out && write_out(out, report, sizeof(report), &e)) ||
	    (certs_out && (cove_platform_snp_chain_pem(p, &reported, &certs, &e) ||
			   cove_file_write(certs_out, certs.data, certs.len, 0644, &e))) ||
	    (table_out && (cove_platform_snp_cert_table(p, &reported, &table, &e) ||
			   cove_file_write(table_out, table.data, table.len, 0644, &e))) ||
	    (crl_out && (cove_platform_snp_crl_pem(p, &crl, &e) ||
			 cove_file_write(crl_out, crl.data, crl.len, 0644, &e)))) {
		rc = cove_cli_fail(&e);
		goto out;
	}

	if (json) {
		cove_snp_root root;
		cove_x509_list chain = {0};
		uint8_t vcek_fp[COVE_SHA256_LEN];
		if (cove_platform_snp_root(p, &root, &e) || cove_platform_snp_chain(p, &reported, &chain, &e) ||
		    cove_x509_spki_sha256(chain.certs[0], vcek_fp, &e)) {
			cove_x509_list_free(&chain);
			rc = cove_cli_fail(&e);
			goto out;
		}
		cove_x509_list_free(&chain);
		json_t *j = json_object();
		json_object_set_new(j, "emulated", json_true());
		json_object_set_new(j, "state_dir", json_string(cove_platform_dir(p)));
		json_object_set_new(j, "product", json_string(cove_snp_product_name(product)));
		json_object_set_new(j, "report", hex_json(report, sizeof(report)));
		json_object_set_new(j, "report_file", path_json(out));
		json_object_set_new(j, "certs_file", path_json(certs_out));
		json_object_set_new(j, "cert_table_file", path_json(table_out));
		json_object_set_new(j, "crl_file", path_json(crl_out));
		json_object_set_new(j, "crl_refreshed", json_boolean(refreshed));
		json_object_set_new(j, "ark_spki_sha256", hex_json(root.ark_spki_sha256, 32));
		json_object_set_new(j, "ask_spki_sha256", hex_json(root.ask_spki_sha256, 32));
		json_object_set_new(j, "vcek_spki_sha256", hex_json(vcek_fp, sizeof(vcek_fp)));
		json_object_set_new(j, "fields", cove_snp_report_to_json(r, product));
		cove_cli_print_json(j);
	} else if (!out) {
		char hex[2 * COVE_SNP_REPORT_SIZE + 1];
		cove_hex_write(hex, report, sizeof(report));
		puts(hex);
	} else if (strcmp(out, "-") != 0) {
		printf("report        %s (%d bytes, version %u, %s, signed by the emulated VCEK)\n", out,
		       COVE_SNP_REPORT_SIZE, r->version, cove_snp_product_name(product));
		if (certs_out)
			printf("certificates  %s (VCEK, ASK, ARK)\n", certs_out);
		if (table_out)
			printf("cert table    %s (VCEK, ASK, ARK)\n", table_out);
		if (crl_out)
			printf("crl           %s\n", crl_out);
	}
out:
	free(r);
	cove_buf_free(&certs);
	cove_buf_free(&table);
	cove_buf_free(&crl);
	cove_platform_free(p);
	return rc;
}
