/*
 * `cove snp verify REPORT ...`: verify an SEV-SNP report (or an Azure HCL
 * report) and appraise it against a policy given as a JSON file and/or flags.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "collateral.h"
#include "cove/azure_hcl.h"
#include "cove/platform.h"
#include "cove/snp.h"

static const char usage[] =
	"Usage: cove snp verify REPORT [options]\n"
	"\n"
	"Verify an SEV-SNP attestation report: the ECDSA P-384 report signature, the\n"
	"VCEK/VLEK certificate chain up to a pinned AMD root (Milan, Genoa, Turin), the\n"
	"CRL, and that the certificate was issued for this chip and REPORTED_TCB; then\n"
	"apply the appraisal policy.  REPORT is raw binary or hex text ('-' = stdin).\n"
	"\n"
	"Evidence and collateral:\n"
	"  --certs FILE        certificates, DER or PEM, any order (VCEK/VLEK, ASK/ASVK,\n"
	"                      ARK); repeatable.  A root supplied here is trusted only\n"
	"                      if its public key is pinned.\n"
	"  --cert-table FILE   an extended-report certificate table (auxblob)\n"
	"  --crl FILE          the ARK's CRL (DER or PEM)\n"
	"  --no-crl            accept that revocation is not checked (claims say so)\n"
	"  --hcl               REPORT is an Azure HCL report (vTPM NV 0x01400001)\n"
	"  --product NAME      Milan, Genoa or Turin (needed for v2 reports without a VCEK)\n"
	"  --at RFC3339        verification time (default: now)\n"
	"  --offline           never contact AMD KDS; use the cache only\n"
	"  --kds-url URL       KDS base URL (default https://kdsintf.amd.com)\n"
	"  --cache-dir DIR     collateral cache (default: $XDG_CACHE_HOME/cove/kds)\n"
	"  --trust-emulated-root  also trust the emulated platform's root (tests, demos)\n"
	"  --state-dir DIR     emulated platform state directory (see cove platform)\n"
	"\n"
	"Policy (a JSON file, then flags; see docs/snp-policy.md):\n"
	"  --policy FILE       JSON appraisal policy\n"
	"  --allow-debug       accept guests launched with DEBUG (forbidden by default)\n"
	"  --allow-migration-agent   accept a migration agent (forbidden by default)\n"
	"  --forbid-smt        require SMT disabled in the guest policy\n"
	"  --require-single-socket\n"
	"  --measurement HEX   an allowed MEASUREMENT (repeatable)\n"
	"  --host-data HEX     required HOST_DATA (32 bytes)\n"
	"  --report-data HEX   required REPORT_DATA (up to 64 bytes, zero-padded)\n"
	"  --report-data-hash-of FILE  REPORT_DATA must be the hash of FILE's bytes\n"
	"  --report-data-hash ALG      sha256, sha384 or sha512 (default) for the above\n"
	"  --id-key-digest HEX, --author-key-digest HEX   trusted digests (repeatable)\n"
	"  --family-id HEX, --image-id HEX   required ID-block values (16 bytes)\n"
	"  --min-tcb SPEC      minimum REPORTED_TCB, e.g. bl=3,tee=0,snp=8,ucode=115[,fmc=N]\n"
	"  --min-launch-tcb SPEC   minimum LAUNCH_TCB, same form\n"
	"  --min-guest-svn N, --vmpl N, --min-report-version N\n"
	"  --json              machine-readable result\n"
	"\n"
	"Result: 'authentic' when every signature, chain, CRL and TCB-binding check\n"
	"held; 'ok' when the policy accepts as well.  Exit status 0 ok, 1 failed,\n"
	"2 usage or malformed input, 3 collateral unavailable, 4 internal error.\n";

enum {
	OPT_CERTS = 256, OPT_CERT_TABLE, OPT_CRL, OPT_NO_CRL, OPT_HCL, OPT_PRODUCT, OPT_AT, OPT_OFFLINE, OPT_KDS_URL,
	OPT_CACHE_DIR, OPT_TRUST_EMU, OPT_STATE_DIR, OPT_POLICY, OPT_ALLOW_DEBUG, OPT_ALLOW_MA, OPT_FORBID_SMT,
	OPT_SINGLE_SOCKET, OPT_MEASUREMENT, OPT_HOST_DATA, OPT_REPORT_DATA, OPT_RD_HASH_OF, OPT_RD_HASH, OPT_ID_KEY,
	OPT_AUTHOR_KEY, OPT_FAMILY_ID, OPT_IMAGE_ID, OPT_MIN_TCB, OPT_MIN_LAUNCH_TCB, OPT_MIN_SVN, OPT_VMPL,
	OPT_MIN_VERSION, OPT_JSON, OPT_HELP,
};

static const struct option options[] = {
	{"certs", required_argument, NULL, OPT_CERTS},
	{"cert-table", required_argument, NULL, OPT_CERT_TABLE},
	{"crl", required_argument, NULL, OPT_CRL},
	{"no-crl", no_argument, NULL, OPT_NO_CRL},
	{"hcl", no_argument, NULL, OPT_HCL},
	{"product", required_argument, NULL, OPT_PRODUCT},
	{"at", required_argument, NULL, OPT_AT},
	{"offline", no_argument, NULL, OPT_OFFLINE},
	{"kds-url", required_argument, NULL, OPT_KDS_URL},
	{"cache-dir", required_argument, NULL, OPT_CACHE_DIR},
	{"trust-emulated-root", no_argument, NULL, OPT_TRUST_EMU},
	{"state-dir", required_argument, NULL, OPT_STATE_DIR},
	{"policy", required_argument, NULL, OPT_POLICY},
	{"allow-debug", no_argument, NULL, OPT_ALLOW_DEBUG},
	{"allow-migration-agent", no_argument, NULL, OPT_ALLOW_MA},
	{"forbid-smt", no_argument, NULL, OPT_FORBID_SMT},
	{"require-single-socket", no_argument, NULL, OPT_SINGLE_SOCKET},
	{"measurement", required_argument, NULL, OPT_MEASUREMENT},
	{"host-data", required_argument, NULL, OPT_HOST_DATA},
	{"report-data", required_argument, NULL, OPT_REPORT_DATA},
	{"report-data-hash-of", required_argument, NULL, OPT_RD_HASH_OF},
	{"report-data-hash", required_argument, NULL, OPT_RD_HASH},
	{"id-key-digest", required_argument, NULL, OPT_ID_KEY},
	{"author-key-digest", required_argument, NULL, OPT_AUTHOR_KEY},
	{"family-id", required_argument, NULL, OPT_FAMILY_ID},
	{"image-id", required_argument, NULL, OPT_IMAGE_ID},
	{"min-tcb", required_argument, NULL, OPT_MIN_TCB},
	{"min-launch-tcb", required_argument, NULL, OPT_MIN_LAUNCH_TCB},
	{"min-guest-svn", required_argument, NULL, OPT_MIN_SVN},
	{"vmpl", required_argument, NULL, OPT_VMPL},
	{"min-report-version", required_argument, NULL, OPT_MIN_VERSION},
	{"json", no_argument, NULL, OPT_JSON},
	{"help", no_argument, NULL, OPT_HELP},
	{0},
};

#define INPUT_MAX_BYTES (1 << 20)

/* "bl=3,tee=0,snp=8,ucode=115,fmc=1" into a minimum. */
static cove_err parse_min_tcb(const char *spec, cove_snp_tcb_min *t, cove_error *e)
{
	char *copy = strdup(spec), *save = NULL;
	cove_err rc = COVE_OK;
	if (!copy)
		return cove_error_set(e, COVE_ERR_NOMEM, "out of memory");
	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '=');
		unsigned long long v;
		if (!eq || !cove_cli_parse_u64(eq + 1, &v) || v > 255) {
			rc = cove_error_set(e, COVE_ERR_ARG, "TCB spec '%s': '%s' is not NAME=0..255", spec, tok);
			break;
		}
		*eq = '\0';
		int *slot = strcmp(tok, "bl") == 0 || strcmp(tok, "bootloader") == 0 ? &t->bootloader
			    : strcmp(tok, "tee") == 0                                 ? &t->tee
			    : strcmp(tok, "snp") == 0                                 ? &t->snp
			    : strcmp(tok, "ucode") == 0 || strcmp(tok, "microcode") == 0 ? &t->microcode
			    : strcmp(tok, "fmc") == 0                                    ? &t->fmc
											 : NULL;
		if (!slot) {
			rc = cove_error_set(e, COVE_ERR_ARG, "TCB spec '%s': unknown component '%s' (bl, tee, snp, ucode, fmc)",
					    spec, tok);
			break;
		}
		*slot = (int)v;
		t->set = true;
	}
	free(copy);
	return rc;
}

static cove_err add_certs_file(cove_x509_list *certs, const char *path, cove_error *e)
{
	cove_buf b = {0};
	cove_err rc = cove_cli_read(path, INPUT_MAX_BYTES, &b, e);
	if (!rc && (rc = cove_x509_list_parse(certs, b.data, b.len, e)))
		cove_error_wrap(e, rc, "%s", path);
	cove_buf_free(&b);
	return rc;
}

static cove_err add_cert_table(cove_x509_list *certs, cove_x509_crl **crl, const char *path, cove_error *e)
{
	cove_buf b = {0};
	cove_snp_cert_table t = {0};
	cove_err rc = cove_cli_read(path, INPUT_MAX_BYTES, &b, e);
	if (rc)
		goto out;
	if ((rc = cove_snp_cert_table_parse(b.data, b.len, &t, e))) {
		cove_error_wrap(e, rc, "%s", path);
		goto out;
	}
	for (size_t i = 0; i < t.count; i++) {
		if (t.entries[i].kind == COVE_SNP_CERT_CRL) {
			if (!*crl && (rc = cove_x509_crl_parse(t.entries[i].data, t.entries[i].len, crl, e)))
				goto out;
		} else if (t.entries[i].kind != COVE_SNP_CERT_OTHER &&
			   (rc = cove_x509_list_parse(certs, t.entries[i].data, t.entries[i].len, e))) {
			cove_error_wrap(e, rc, "%s entry %zu", path, i);
			goto out;
		}
	}
out:
	cove_snp_cert_table_free(&t);
	cove_buf_free(&b);
	return rc;
}

static void print_text(const cove_result *res)
{
	json_t *c = res->claims;
	json_t *rep = json_object_get(c, "report");
	printf("%-20s %s\n", "product", json_string_value(json_object_get(c, "product")));
	if (json_object_get(c, "root"))
		printf("%-20s %s%s\n", "root", json_string_value(json_object_get(c, "root")),
		       json_is_true(json_object_get(c, "emulated")) ? " (EMULATED: not AMD hardware)" : "");
	if (json_object_get(c, "signing_key"))
		printf("%-20s %s\n", "signing key", json_string_value(json_object_get(c, "signing_key")));
	printf("%-20s %s\n", "measurement", json_string_value(json_object_get(rep, "measurement")));
	printf("%-20s %s\n", "report data", json_string_value(json_object_get(rep, "report_data")));
	printf("%-20s %s\n", "verified at", json_string_value(json_object_get(c, "verified_at")));
	if (json_object_get(c, "revocation_checked"))
		printf("%-20s %s\n", "revocation checked",
		       json_is_true(json_object_get(c, "revocation_checked")) ? "yes" : "NO");
	printf("%-20s %s\n", "authentic", res->authentic ? "yes" : "NO");
	printf("%-20s %s\n", "ok", res->ok ? "yes" : "NO");
	for (size_t i = 0; i < res->nfailures; i++)
		printf("  FAIL %-26s %s\n", res->failures[i].check, res->failures[i].detail);
}

int cove_cmd_snp_verify(int argc, char **argv)
{
	cove_x509_list certs = {0};
	cove_x509_crl *crl = NULL;
	cove_snp_policy policy;
	cove_snp_verify_opts vopts = {0};
	cove_cli_collateral_opts copts = {0};
	cove_snp_verifier *verifier = NULL;
	cove_cli_collateral *coll = NULL;
	cove_platform *platform = NULL;
	cove_result *res = NULL;
	cove_buf input = {0}, rd_file = {0};
	cove_error e = {0};
	bool json = false, hcl = false, trust_emulated = false, no_crl = false;
	const char *state_dir = NULL, *policy_file = NULL, *rd_hash_of = NULL, *rd_hash = "sha512";
	int rc = COVE_EXIT_INTERNAL, c;
	unsigned long long u;

	/* The policy file is applied before the flags, whatever their order. */
	policy_file = cove_cli_option_value(argc, argv, options, OPT_POLICY);
	cove_snp_policy_init(&policy);
	if (policy_file) {
		cove_buf pb = {0};
		cove_err prc = cove_cli_read(policy_file, INPUT_MAX_BYTES, &pb, &e);
		if (!prc && (prc = cove_snp_policy_load_json(&policy, (const char *)pb.data, pb.len, &e)))
			cove_error_wrap(&e, prc, "%s", policy_file);
		cove_buf_free(&pb);
		if (prc) {
			rc = cove_cli_fail(&e);
			goto out;
		}
	}

	while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		cove_err err = COVE_OK;
		switch (c) {
		case OPT_CERTS: err = add_certs_file(&certs, optarg, &e); break;
		case OPT_CERT_TABLE: err = add_cert_table(&certs, &crl, optarg, &e); break;
		case OPT_CRL: {
			cove_buf b = {0};
			cove_x509_crl_free(crl);
			crl = NULL;
			if (!(err = cove_cli_read(optarg, INPUT_MAX_BYTES, &b, &e)) &&
			    (err = cove_x509_crl_parse(b.data, b.len, &crl, &e)))
				cove_error_wrap(&e, err, "%s", optarg);
			cove_buf_free(&b);
			break;
		}
		case OPT_NO_CRL: no_crl = true; break;
		case OPT_HCL: hcl = true; break;
		case OPT_PRODUCT: err = cove_snp_product_parse(optarg, &vopts.product, &e); break;
		case OPT_AT: err = cove_time_parse(optarg, &vopts.at, &e); break;
		case OPT_OFFLINE: copts.offline = true; break;
		case OPT_KDS_URL: copts.kds_url = optarg; break;
		case OPT_CACHE_DIR: copts.cache_dir = optarg; break;
		case OPT_TRUST_EMU: trust_emulated = true; break;
		case OPT_STATE_DIR: state_dir = optarg; break;
		case OPT_POLICY: break;
		case OPT_ALLOW_DEBUG: policy.allow_debug = true; break;
		case OPT_ALLOW_MA: policy.allow_migration_agent = true; break;
		case OPT_FORBID_SMT: policy.allow_smt = false; break;
		case OPT_SINGLE_SOCKET: policy.require_single_socket = true; break;
		case OPT_MEASUREMENT:
			if (policy.n_measurements == COVE_SNP_POLICY_MAX_LIST)
				err = cove_error_set(&e, COVE_ERR_ARG, "at most %d measurements", COVE_SNP_POLICY_MAX_LIST);
			else
				err = cove_cli_hex_arg("--measurement", optarg,
								       policy.measurements[policy.n_measurements++], 48, false, &e);
			break;
		case OPT_HOST_DATA:
			policy.has_host_data =
				!(err = cove_cli_hex_arg("--host-data", optarg, policy.host_data, 32, false, &e));
			break;
		case OPT_REPORT_DATA:
			policy.has_report_data =
				!(err = cove_cli_hex_arg("--report-data", optarg, policy.report_data, 64, true, &e));
			break;
		case OPT_RD_HASH_OF: rd_hash_of = optarg; break;
		case OPT_RD_HASH: rd_hash = optarg; break;
		case OPT_ID_KEY:
			if (policy.n_id_key_digests == COVE_SNP_POLICY_MAX_LIST)
				err = cove_error_set(&e, COVE_ERR_ARG, "too many --id-key-digest");
			else
				err = cove_cli_hex_arg("--id-key-digest", optarg,
								       policy.id_key_digests[policy.n_id_key_digests++], 48, false, &e);
			break;
		case OPT_AUTHOR_KEY:
			if (policy.n_author_key_digests == COVE_SNP_POLICY_MAX_LIST)
				err = cove_error_set(&e, COVE_ERR_ARG, "too many --author-key-digest");
			else
				err = cove_cli_hex_arg("--author-key-digest", optarg,
								       policy.author_key_digests[policy.n_author_key_digests++], 48, false, &e);
			break;
		case OPT_FAMILY_ID:
			policy.has_family_id =
				!(err = cove_cli_hex_arg("--family-id", optarg, policy.family_id, 16, false, &e));
			break;
		case OPT_IMAGE_ID:
			policy.has_image_id =
				!(err = cove_cli_hex_arg("--image-id", optarg, policy.image_id, 16, false, &e));
			break;
		case OPT_MIN_TCB: err = parse_min_tcb(optarg, &policy.min_reported_tcb, &e); break;
		case OPT_MIN_LAUNCH_TCB: err = parse_min_tcb(optarg, &policy.min_launch_tcb, &e); break;
		case OPT_MIN_SVN:
			if (!cove_cli_parse_u64(optarg, &u) || u > UINT32_MAX)
				err = cove_error_set(&e, COVE_ERR_ARG, "--min-guest-svn: '%s' is not 0..2^32-1", optarg);
			else
				policy.min_guest_svn = (uint32_t)u;
			break;
		case OPT_VMPL:
			if (!cove_cli_parse_u64(optarg, &u) || u > 3)
				err = cove_error_set(&e, COVE_ERR_ARG, "--vmpl: '%s' is not 0..3", optarg);
			else
				policy.vmpl = (int)u;
			break;
		case OPT_MIN_VERSION:
			if (!cove_cli_parse_u64(optarg, &u) || u < 2 || u > 5)
				err = cove_error_set(&e, COVE_ERR_ARG, "--min-report-version: '%s' is not 2..5", optarg);
			else
				policy.min_version = (uint32_t)u;
			break;
		case OPT_JSON: json = true; break;
		case 'h':
		case OPT_HELP: fputs(usage, stdout); rc = COVE_EXIT_OK; goto out;
		default: rc = cove_cli_usage_error("cove snp verify", "bad option"); goto out;
		}
		if (err) {
			e.code = err == COVE_ERR_PARSE ? COVE_ERR_ARG : err;
			rc = cove_cli_fail(&e);
			goto out;
		}
	}
	if (optind != argc - 1) {
		rc = cove_cli_usage_error("cove snp verify", "expected one REPORT argument");
		goto out;
	}
	if (no_crl)
		policy.require_crl = false;
	if (rd_hash_of) {
		cove_hash h = strcmp(rd_hash, "sha256") == 0 ? COVE_SHA256 : strcmp(rd_hash, "sha384") == 0 ? COVE_SHA384
						     : strcmp(rd_hash, "sha512") == 0 ? COVE_SHA512 : 0;
		if (!h) {
			rc = cove_cli_usage_error("cove snp verify", "--report-data-hash: '%s' is not sha256, sha384 or sha512",
						  rd_hash);
			goto out;
		}
		memset(policy.report_data, 0, sizeof(policy.report_data));
		if (cove_cli_read(rd_hash_of, INPUT_MAX_BYTES, &rd_file, &e) ||
		    cove_digest(h, rd_file.data, rd_file.len, policy.report_data, &e)) {
			rc = cove_cli_fail(&e);
			goto out;
		}
		policy.has_report_data = true;
	}

	if (cove_cli_read_binary_or_hex(argv[optind], INPUT_MAX_BYTES, &input, &e) ||
	    cove_snp_verifier_new(&verifier, &e)) {
		rc = cove_cli_fail(&e);
		goto out;
	}
	if (trust_emulated) {
		cove_snp_root root;
		if (cove_platform_open(state_dir, false, &platform, &e) || cove_platform_snp_root(platform, &root, &e) ||
		    cove_snp_verifier_add_root(verifier, &root, &e)) {
			cove_error_wrap(&e, e.code, "--trust-emulated-root");
			rc = cove_cli_fail(&e);
			goto out;
		}
	}
	copts.at = vopts.at;
	if (cove_cli_collateral_new(&copts, &coll, &e)) {
		rc = cove_cli_fail(&e);
		goto out;
	}
	cove_cli_collateral_attach(coll, verifier);

	cove_err vrc;
	if (hcl) {
		vrc = cove_azure_hcl_verify(verifier, input.data, input.len, &certs, crl, &policy, &vopts, &res, &e);
	} else {
		cove_snp_report report;
		vrc = cove_snp_report_parse(input.data, input.len, &report, &e);
		if (!vrc)
			vrc = cove_snp_verify(verifier, &report, &certs, crl, &policy, &vopts, &res, &e);
	}
	if (vrc != COVE_OK && vrc != COVE_ERR_UNAVAILABLE) {
		rc = cove_cli_fail(&e);
		goto out;
	}
	if (json)
		cove_cli_print_json(cove_result_to_json(res));
	else
		print_text(res);
	rc = vrc == COVE_ERR_UNAVAILABLE ? COVE_EXIT_UNAVAILABLE : res->ok ? COVE_EXIT_OK : COVE_EXIT_FAIL;
	if (vrc == COVE_ERR_UNAVAILABLE && !json)
		fprintf(stderr, "cove: %s\n", e.msg);
out:
	cove_result_free(res);
	cove_cli_collateral_free(coll);
	cove_snp_verifier_free(verifier);
	cove_platform_free(platform);
	cove_x509_crl_free(crl);
	cove_x509_list_free(&certs);
	cove_buf_free(&input);
	cove_buf_free(&rd_file);
	return rc;
}
