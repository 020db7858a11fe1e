/*
 * `cove sgx verify` and `cove tdx verify`: verify a DCAP quote against Intel's
 * PCK chain and collateral, evaluate its TCB status and apply a policy.
 */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cove/dcap.h"
#include "cove/dcap_collateral.h"
#include "cove/dcap_pcs.h"
#include "cove/dcap_verify.h"
#include "cove/platform.h"

#define INPUT_MAX_BYTES (1 << 20)

static const char usage_sgx[] =
	"Usage: cove sgx verify QUOTE [options]\n"
	"\n"
	"Verify an SGX DCAP quote (v3, v4; raw binary or hex text, '-' = stdin): the PCK\n"
	"certificate chain up to the Intel SGX Root CA (pinned by its public key), the root\n"
	"and PCK CRLs, TCB info and QE identity (signatures over their exact JSON bytes,\n"
	"freshness), the QE report and its binding of the attestation key, the quote\n"
	"signature; then evaluate the platform's TCB status and apply the policy.\n";

static const char usage_tdx[] =
	"Usage: cove tdx verify QUOTE [options]\n"
	"\n"
	"Verify a TDX DCAP quote (v4, v5; raw binary or hex text, '-' = stdin): the PCK\n"
	"certificate chain up to the Intel SGX Root CA (pinned by its public key), the root\n"
	"and PCK CRLs, TCB info and TD_QE identity (signatures over their exact JSON bytes,\n"
	"freshness), the TDX module identity, the QE report and its binding of the\n"
	"attestation key, the quote signature; then evaluate the TCB status of the platform,\n"
	"the TDX module and the QE (with the TD relaunch case) and apply the policy.\n";

static const char usage_common[] =
	"\n"
	"Collateral (one of):\n"
	"  --collateral FILE      a collateral bundle (JSON: tcb_info, qe_identity, CRLs, chains)\n"
	"  --tcb-info FILE --qe-identity FILE --tcb-signing-chain FILE --pck-crl FILE --root-crl FILE\n"
	"                         separate PCS responses (bodies as served), CRLs DER, PEM or hex\n"
	"  (neither)              fetched from Intel PCS or a PCCS, through the cache:\n"
	"  --pcs-url URL          PCS/PCCS base URL (default https://api.trustedservices.intel.com)\n"
	"  --cache-dir DIR        collateral cache (default $XDG_CACHE_HOME/cove/pcs)\n"
	"  --offline              never fetch; use the cache only\n"
	"  --at RFC3339           verification time (default: now)\n"
	"\n"
	"Policy (a JSON file, then flags; see docs/dcap-policy.md):\n"
	"  --policy FILE          JSON appraisal policy\n"
	"  --accept STATUS,...    also accept these TCB statuses (default: UpToDate only), e.g.\n"
	"                         SWHardeningNeeded,ConfigurationNeeded,OutOfDate\n"
	"  --accept-advisory ID   accept only listed advisories (repeatable)\n"
	"  --reject-advisory ID   never accept this advisory (repeatable)\n"
	"  --allow-debug          accept debug enclaves / TDs (forbidden by default)\n"
	"  --report-data HEX      required REPORTDATA (up to 64 bytes, zero-padded)\n";

static const char usage_sgx_policy[] =
	"  --mrenclave HEX, --mrsigner HEX   allowed values (repeatable)\n"
	"  --isv-prod-id N, --min-isv-svn N\n";

static const char usage_tdx_policy[] =
	"  --mrtd HEX             allowed MRTD (repeatable)\n"
	"  --rtmr0 HEX .. --rtmr3 HEX, --mr-config-id HEX, --mr-owner HEX, --mr-owner-config HEX\n";

static const char usage_tail[] =
	"  --trust-emulated-root  also trust the emulated platform's SGX root CA (tests, demos;\n"
	"                         quotes from 'cove sgx emulate')\n"
	"  --state-dir DIR        emulated platform state directory (see cove platform)\n"
	"  --allow-trailing       ignore bytes after the quote that are not zero padding (no\n"
	"                         signature covers them; by default they are an error)\n"
	"  --json                 machine-readable result\n"
	"\n"
	"Result: 'authentic' when every signature, chain, CRL and collateral check held;\n"
	"'ok' when the policy accepts as well (a TCB status it does not accept is named).\n"
	"Exit status 0 ok, 1 failed, 2 usage or malformed input, 3 collateral unavailable,\n"
	"4 internal error.\n";

enum {
	OPT_COLLATERAL = 256, OPT_TCB_INFO, OPT_QE_IDENTITY, OPT_SIGNING_CHAIN, OPT_PCK_CRL, OPT_ROOT_CRL, OPT_PCS_URL,
	OPT_CACHE_DIR, OPT_OFFLINE, OPT_AT, OPT_POLICY, OPT_ACCEPT, OPT_ACCEPT_ADV, OPT_REJECT_ADV, OPT_ALLOW_DEBUG,
	OPT_REPORT_DATA, OPT_MRENCLAVE, OPT_MRSIGNER, OPT_ISV_PROD_ID, OPT_MIN_ISV_SVN, OPT_MRTD, OPT_RTMR0, OPT_RTMR1,
	OPT_RTMR2, OPT_RTMR3, OPT_MR_CONFIG_ID, OPT_MR_OWNER, OPT_MR_OWNER_CONFIG, OPT_JSON, OPT_HELP, OPT_ALLOW_TRAILING,
	OPT_TRUST_EMU, OPT_STATE_DIR,
};

static const struct option options[] = {
	{"collateral", required_argument, NULL, OPT_COLLATERAL},
	{"tcb-info", required_argument, NULL, OPT_TCB_INFO},
	{"qe-identity", required_argument, NULL, OPT_QE_IDENTITY},
	{"tcb-signing-chain", required_argument, NULL, OPT_SIGNING_CHAIN},
	{"pck-crl", required_argument, NULL, OPT_PCK_CRL},
	{"root-crl", required_argument, NULL, OPT_ROOT_CRL},
	{"pcs-url", required_argument, NULL, OPT_PCS_URL},
	{"cache-dir", required_argument, NULL, OPT_CACHE_DIR},
	{"offline", no_argument, NULL, OPT_OFFLINE},
	{"at", required_argument, NULL, OPT_AT},
	{"policy", required_argument, NULL, OPT_POLICY},
	{"accept", required_argument, NULL, OPT_ACCEPT},
	{"accept-advisory", required_argument, NULL, OPT_ACCEPT_ADV},
	{"reject-advisory", required_argument, NULL, OPT_REJECT_ADV},
	{"allow-debug", no_argument, NULL, OPT_ALLOW_DEBUG},
	{"report-data", required_argument, NULL, OPT_REPORT_DATA},
	{"mrenclave", required_argument, NULL, OPT_MRENCLAVE},
	{"mrsigner", required_argument, NULL, OPT_MRSIGNER},
	{"isv-prod-id", required_argument, NULL, OPT_ISV_PROD_ID},
	{"min-isv-svn", required_argument, NULL, OPT_MIN_ISV_SVN},
	{"mrtd", required_argument, NULL, OPT_MRTD},
	{"rtmr0", required_argument, NULL, OPT_RTMR0},
	{"rtmr1", required_argument, NULL, OPT_RTMR1},
	{"rtmr2", required_argument, NULL, OPT_RTMR2},
	{"rtmr3", required_argument, NULL, OPT_RTMR3},
	{"mr-config-id", required_argument, NULL, OPT_MR_CONFIG_ID},
	{"mr-owner", required_argument, NULL, OPT_MR_OWNER},
	{"mr-owner-config", required_argument, NULL, OPT_MR_OWNER_CONFIG},
	{"json", no_argument, NULL, OPT_JSON},
	{"help", no_argument, NULL, OPT_HELP},
	{"allow-trailing", no_argument, NULL, OPT_ALLOW_TRAILING},
	{"trust-emulated-root", no_argument, NULL, OPT_TRUST_EMU},
	{"state-dir", required_argument, NULL, OPT_STATE_DIR},
	{0},
};

typedef struct files {
	const char *bundle, *tcb_info, *qe_identity, *signing_chain, *pck_crl, *root_crl;
} files;

static void print_usage(cove_tee_type tee)
{
	fputs(tee == COVE_TEE_TDX ? usage_tdx : usage_sgx, stdout);
	fputs(usage_common, stdout);
	fputs(tee == COVE_TEE_TDX ? usage_tdx_policy : usage_sgx_policy, stdout);
	fputs(usage_tail, stdout);
}

static cove_err read_crl(const char *path, cove_x509_crl **out, cove_error *e)
{
	cove_buf b = {0};
	cove_err rc = cove_cli_read(path, INPUT_MAX_BYTES, &b, e);
	if (!rc) {
		cove_x509_crl_free(*out);
		*out = NULL;
		if ((rc = cove_dcap_crl_parse(b.data, b.len, out, e)))
			cove_error_wrap(e, rc, "%s", path);
	}
	cove_buf_free(&b);
	return rc;
}

/* Assemble collateral from separate PCS-style files. */
static cove_err load_separate(const files *f, cove_dcap_collateral *c, cove_error *e)
{
	cove_buf b = {0};
	cove_err rc;
	if (!f->tcb_info || !f->qe_identity || !f->signing_chain || !f->pck_crl || !f->root_crl)
		return cove_error_set(e, COVE_ERR_ARG, "separate collateral needs --tcb-info, --qe-identity, "
				      "--tcb-signing-chain, --pck-crl and --root-crl");
	if ((rc = cove_cli_read(f->tcb_info, INPUT_MAX_BYTES, &b, e)) ||
	    (rc = cove_dcap_collateral_set_tcb_info_body(c, (const char *)b.data, b.len, e))) {
		cove_error_wrap(e, rc, "%s", f->tcb_info);
		goto out;
	}
	if ((rc = cove_cli_read(f->qe_identity, INPUT_MAX_BYTES, &b, e)) ||
	    (rc = cove_dcap_collateral_set_qe_identity_body(c, (const char *)b.data, b.len, e))) {
		cove_error_wrap(e, rc, "%s", f->qe_identity);
		goto out;
	}
	if ((rc = cove_cli_read(f->signing_chain, INPUT_MAX_BYTES, &b, e)) ||
	    (rc = cove_x509_list_parse(&c->tcb_info_issuer_chain, b.data, b.len, e)) ||
	    (rc = cove_x509_list_parse(&c->qe_identity_issuer_chain, b.data, b.len, e))) {
		cove_error_wrap(e, rc, "%s", f->signing_chain);
		goto out;
	}
	if ((rc = read_crl(f->pck_crl, &c->pck_crl, e)) || (rc = read_crl(f->root_crl, &c->root_ca_crl, e)))
		goto out;
out:
	cove_buf_free(&b);
	return rc;
}

static void default_cache_dir(char *out, size_t n)
{
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	out[0] = '\0';
	if (xdg && *xdg)
		snprintf(out, n, "%s/cove/pcs", xdg);
	else if (home && *home)
		snprintf(out, n, "%s/.cache/cove/pcs", home);
}

/* Fetch collateral for this quote's platform from PCS/PCCS (through the cache). */
static cove_err fetch_collateral(const cove_dcap_quote *q, const char *url, const char *cache_dir, bool offline,
				 int64_t at, cove_dcap_collateral *c, cove_error *e)
{
	cove_sgx_pck_ext pck;
	cove_dcap_pcs_opts o;
	cove_dcap_pcs *pcs = NULL;
	char dir[PATH_MAX], cn[128] = "";
	cove_x509 *leaf = NULL;
	cove_err rc;

	for (size_t i = 0; i < q->pck_chain.count; i++)
		if (!cove_x509_is_ca(q->pck_chain.certs[i]))
			leaf = q->pck_chain.certs[i];
	if (!leaf)
		return cove_error_set(e, COVE_ERR_UNAVAILABLE, "the quote carries no PCK certificate, so the platform's "
				      "collateral cannot be looked up; pass --collateral");
	if ((rc = cove_sgx_pck_ext_parse(leaf, &pck, e)))
		return rc;
	for (size_t i = 0; i < q->pck_chain.count; i++) {
		if (cove_x509_is_issuer_of(q->pck_chain.certs[i], leaf))
			cove_x509_subject_cn(q->pck_chain.certs[i], cn, sizeof(cn));
	}
	const char *ca = strstr(cn, "Platform") ? "platform" : "processor";
	cove_dcap_pcs_opts_init(&o);
	if (url)
		o.base_url = url;
	if (cache_dir) {
		snprintf(dir, sizeof(dir), "%s", cache_dir);
	} else {
		default_cache_dir(dir, sizeof(dir));
	}
	o.cache_dir = dir[0] ? dir : NULL;
	o.offline = offline;
	o.now = at;
	if (!(rc = cove_dcap_pcs_new(&o, &pcs, e)))
		rc = cove_dcap_pcs_get_collateral(pcs, q->tee_type == COVE_TEE_TDX ? COVE_TEE_TDX : COVE_TEE_SGX, pck.fmspc,
						  ca, c, e);
	cove_dcap_pcs_free(pcs);
	return rc;
}

static void print_text(const cove_result *res)
{
	json_t *c = res->claims, *tcb = json_object_get(c, "tcb");
	printf("%-20s %s (quote v%lld)\n", "tee", json_string_value(json_object_get(c, "tee")),
	       (long long)json_integer_value(json_object_get(c, "quote_version")));
	if (json_object_get(c, "root"))
		printf("%-20s %s%s\n", "root", json_string_value(json_object_get(c, "root")),
		       json_is_true(json_object_get(c, "emulated")) ? " (EMULATED: not Intel hardware)" : "");
	json_t *body = json_object_get(c, "enclave") ? json_object_get(c, "enclave") : json_object_get(c, "td");
	static const char *const keys[] = {"mr_enclave", "mr_signer", "isv_prod_id", "isv_svn", "mr_td", "report_data"};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		json_t *v = json_object_get(body, keys[i]);
		if (json_is_string(v))
			printf("%-20s %s\n", keys[i], json_string_value(v));
		else if (json_is_integer(v))
			printf("%-20s %lld\n", keys[i], (long long)json_integer_value(v));
	}
	if (tcb) {
		printf("%-20s %s\n", "TCB status", json_string_value(json_object_get(tcb, "status")));
		printf("%-20s %s\n", "", json_string_value(json_object_get(tcb, "explanation")));
		json_t *adv = json_object_get(tcb, "advisory_ids");
		if (json_array_size(adv)) {
			char *s = json_dumps(adv, JSON_COMPACT);
			printf("%-20s %s\n", "advisories", s ? s : "");
			free(s);
		}
		if (json_object_get(tcb, "tcb_date"))
			printf("%-20s %s\n", "TCB date", json_string_value(json_object_get(tcb, "tcb_date")));
	}
	printf("%-20s %s\n", "verified at", json_string_value(json_object_get(c, "verified_at")));
	printf("%-20s %s\n", "authentic", res->authentic ? "yes" : "NO");
	printf("%-20s %s\n", "ok", res->ok ? "yes" : "NO");
	for (size_t i = 0; i < res->nfailures; i++)
		printf("  FAIL %-28s %s\n", res->failures[i].check, res->failures[i].detail);
}

static json_t *result_json(const cove_result *res)
{
	json_t *j = cove_result_to_json(res), *tcb = json_object_get(res->claims, "tcb");
	json_t *out = json_object();
	json_object_set(out, "ok", json_object_get(j, "ok"));
	json_object_set(out, "authentic", json_object_get(j, "authentic"));
	json_object_set_new(out, "tcb_status", tcb ? json_copy(json_object_get(tcb, "status")) : json_null());
	json_object_set_new(out, "advisory_ids", tcb ? json_copy(json_object_get(tcb, "advisory_ids")) : json_array());
	json_object_set(out, "failures", json_object_get(j, "failures"));
	json_object_set(out, "claims", json_object_get(j, "claims"));
	json_decref(j);
	return out;
}

static int verify_main(cove_tee_type tee, int argc, char **argv)
{
	const char *prog = tee == COVE_TEE_TDX ? "cove tdx verify" : "cove sgx verify";
	files f = {0};
	const char *policy_file = NULL, *pcs_url = NULL, *cache_dir = NULL;
	bool offline = false, json = false, allow_trailing = false, trust_emulated = false;
	const char *state_dir = NULL;
	cove_platform *platform = NULL;
	cove_dcap_policy policy;
	cove_dcap_collateral coll;
	cove_dcap_quote quote;
	cove_dcap_verifier *verifier = NULL;
	cove_dcap_verify_opts vopts = {0};
	cove_result *res = NULL;
	cove_buf input = {0};
	cove_error e = {0};
	bool have_quote = false;
	int rc = COVE_EXIT_INTERNAL, c;
	unsigned long long u;

	memset(&coll, 0, sizeof(coll));
	cove_dcap_policy_init(&policy);
	policy_file = cove_cli_option_value(argc, argv, options, OPT_POLICY);
	if (policy_file) {
		cove_buf pb = {0};
		cove_err prc = cove_cli_read(policy_file, INPUT_MAX_BYTES, &pb, &e);
		if (!prc && (prc = cove_dcap_policy_load_json(&policy, tee, (const char *)pb.data, pb.len, &e)))
			cove_error_wrap(&e, prc, "%s", policy_file);
		cove_buf_free(&pb);
		if (prc) {
			rc = cove_cli_fail(&e);
			goto out;
		}
	}
	while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		cove_err err = COVE_OK;
		bool sgx_only = false, tdx_only = false;
		switch (c) {
		case OPT_COLLATERAL: f.bundle = optarg; break;
		case OPT_TCB_INFO: f.tcb_info = optarg; break;
		case OPT_QE_IDENTITY: f.qe_identity = optarg; break;
		case OPT_SIGNING_CHAIN: f.signing_chain = optarg; break;
		case OPT_PCK_CRL: f.pck_crl = optarg; break;
		case OPT_ROOT_CRL: f.root_crl = optarg; break;
		case OPT_PCS_URL: pcs_url = optarg; break;
		case OPT_CACHE_DIR: cache_dir = optarg; break;
		case OPT_OFFLINE: offline = true; break;
		case OPT_AT: err = cove_time_parse(optarg, &vopts.at, &e); break;
		case OPT_POLICY: break;
		case OPT_ACCEPT: err = cove_dcap_policy_accept(&policy, optarg, &e); break;
		case OPT_ACCEPT_ADV: json_array_append_new(policy.accepted_advisories, json_string(optarg)); break;
		case OPT_REJECT_ADV: json_array_append_new(policy.rejected_advisories, json_string(optarg)); break;
		case OPT_ALLOW_DEBUG: policy.allow_debug = true; break;
		case OPT_REPORT_DATA:
			policy.has_report_data =
				!(err = cove_cli_hex_arg("--report-data", optarg, policy.report_data, 64, true, &e));
			break;
		case OPT_MRENCLAVE:
			sgx_only = true;
			if (policy.n_mr_enclaves == COVE_DCAP_POLICY_MAX_LIST)
				err = cove_error_set(&e, COVE_ERR_ARG, "too many --mrenclave");
			else
				err = cove_cli_hex_arg("--mrenclave", optarg,
								       policy.mr_enclaves[policy.n_mr_enclaves++], 32, false, &e);
			break;
		case OPT_MRSIGNER:
			sgx_only = true;
			if (policy.n_mr_signers == COVE_DCAP_POLICY_MAX_LIST)
				err = cove_error_set(&e, COVE_ERR_ARG, "too many --mrsigner");
			else
				err = cove_cli_hex_arg("--mrsigner", optarg,
								       policy.mr_signers[policy.n_mr_signers++], 32, false, &e);
			break;
		case OPT_ISV_PROD_ID:
		case OPT_MIN_ISV_SVN:
			sgx_only = true;
			if (!cove_cli_parse_u64(optarg, &u) || u > 65535) {
				err = cove_error_set(&e, COVE_ERR_ARG, "'%s' is not 0..65535", optarg);
			} else if (c == OPT_ISV_PROD_ID) {
				policy.has_isv_prod_id = true;
				policy.isv_prod_id = (uint16_t)u;
			} else {
				policy.min_isv_svn = (uint16_t)u;
			}
			break;
		case OPT_MRTD:
			tdx_only = true;
			if (policy.n_mr_tds == COVE_DCAP_POLICY_MAX_LIST)
				err = cove_error_set(&e, COVE_ERR_ARG, "too many --mrtd");
			else
				err = cove_cli_hex_arg("--mrtd", optarg,
								       policy.mr_tds[policy.n_mr_tds++], 48, false, &e);
			break;
		case OPT_RTMR0:
		case OPT_RTMR1:
		case OPT_RTMR2:
		case OPT_RTMR3:
			tdx_only = true;
			policy.rtmr[c - OPT_RTMR0].set =
				!(err = cove_cli_hex_arg(argv[optind - 1], optarg,
								       policy.rtmr[c - OPT_RTMR0].v, 48, false, &e));
			break;
		case OPT_MR_CONFIG_ID:
			tdx_only = true;
			policy.mr_config_id.set = !(err = cove_cli_hex_arg("--mr-config-id", optarg,
							       policy.mr_config_id.v, 48, false, &e));
			break;
		case OPT_MR_OWNER:
			tdx_only = true;
			policy.mr_owner.set = !(err = cove_cli_hex_arg("--mr-owner", optarg,
							       policy.mr_owner.v, 48, false, &e));
			break;
		case OPT_MR_OWNER_CONFIG:
			tdx_only = true;
			policy.mr_owner_config.set =
				!(err = cove_cli_hex_arg("--mr-owner-config", optarg,
								       policy.mr_owner_config.v, 48, false, &e));
			break;
		case OPT_JSON: json = true; break;
		case OPT_ALLOW_TRAILING: allow_trailing = true; break;
		case OPT_TRUST_EMU: trust_emulated = true; break;
		case OPT_STATE_DIR: state_dir = optarg; break;
		case 'h':
		case OPT_HELP: print_usage(tee); rc = COVE_EXIT_OK; goto out;
		default: rc = cove_cli_usage_error(prog, "bad option"); goto out;
		}
		if ((sgx_only && tee != COVE_TEE_SGX) || (tdx_only && tee != COVE_TEE_TDX)) {
			rc = cove_cli_usage_error(prog, "option --%s applies to %s quotes", argv[optind - 1] + 2,
						  sgx_only ? "SGX" : "TDX");
			goto out;
		}
		if (err) {
			e.code = err == COVE_ERR_PARSE ? COVE_ERR_ARG : err;
			rc = cove_cli_fail(&e);
			goto out;
		}
	}
	if (optind != argc - 1) {
		rc = cove_cli_usage_error(prog, "expected one QUOTE argument");
		goto out;
	}
	if (!vopts.at)
		vopts.at = cove_time_now();
	if (cove_cli_read_binary_or_hex(argv[optind], INPUT_MAX_BYTES, &input, &e) ||
	    cove_dcap_quote_parse_ex(input.data, input.len, allow_trailing ? COVE_DCAP_PARSE_PREFIX : 0, &quote, &e)) {
		rc = cove_cli_fail(&e);
		goto out;
	}
	have_quote = true;
	if (quote.trailing_len && !cove_is_zero(quote.signed_data + quote.quote_len, quote.trailing_len))
		fprintf(stderr, "cove: note: ignored %zu bytes after the quote; no signature covers them\n",
			quote.trailing_len);
	if ((quote.tee_type == COVE_TEE_TDX) != (tee == COVE_TEE_TDX)) {
		rc = cove_cli_usage_error(prog, "this is %s quote; use 'cove %s verify'",
					  quote.tee_type == COVE_TEE_TDX ? "a TDX" : "an SGX",
					  quote.tee_type == COVE_TEE_TDX ? "tdx" : "sgx");
		goto out;
	}

	cove_err crc;
	if (f.bundle) {
		cove_buf b = {0};
		if (!(crc = cove_cli_read(f.bundle, INPUT_MAX_BYTES, &b, &e)) &&
		    (crc = cove_dcap_collateral_parse_bundle((const char *)b.data, b.len, &coll, &e)))
			cove_error_wrap(&e, crc, "%s", f.bundle);
		cove_buf_free(&b);
	} else if (f.tcb_info || f.qe_identity || f.signing_chain || f.pck_crl || f.root_crl) {
		crc = load_separate(&f, &coll, &e);
	} else {
		crc = fetch_collateral(&quote, pcs_url, cache_dir, offline, vopts.at, &coll, &e);
	}
	if (crc) {
		rc = cove_cli_fail(&e);
		goto out;
	}
	if (cove_dcap_verifier_new(&verifier, &e)) {
		rc = cove_cli_fail(&e);
		goto out;
	}
	if (trust_emulated) {
		uint8_t spki[32];
		if (cove_platform_open(state_dir, false, &platform, &e) || cove_platform_sgx_root(platform, spki, &e) ||
		    cove_dcap_verifier_add_root(verifier, spki, COVE_PLATFORM_NAME, true, &e)) {
			cove_error_wrap(&e, e.code, "--trust-emulated-root");
			rc = cove_cli_fail(&e);
			goto out;
		}
	}
	if (cove_dcap_verify(verifier, &quote, &coll, &policy, &vopts, &res, &e)) {
		rc = cove_cli_fail(&e);
		goto out;
	}
	if (json)
		cove_cli_print_json(result_json(res));
	else
		print_text(res);
	rc = res->ok ? COVE_EXIT_OK : COVE_EXIT_FAIL;
out:
	cove_result_free(res);
	cove_dcap_verifier_free(verifier);
	cove_platform_free(platform);
	cove_dcap_collateral_free(&coll);
	if (have_quote)
		cove_dcap_quote_free(&quote);
	cove_dcap_policy_free(&policy);
	cove_buf_free(&input);
	return rc;
}

int cove_cmd_sgx_verify(int argc, char **argv)
{
	return verify_main(COVE_TEE_SGX, argc, argv);
}

int cove_cmd_tdx_verify(int argc, char **argv)
{
	return verify_main(COVE_TEE_TDX, argc, argv);
}
