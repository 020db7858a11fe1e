/*
 * `cove sgx emulate`: a DCAP-layout SGX quote (version 3) signed by the
 * emulated platform's quoting key (include/cove/platform.h), with the
 * collateral that appraises it.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cove/dcap.h"
#include "cove/dcap_collateral.h"
#include "cove/platform.h"

static const char usage[] =
	"Usage: cove sgx emulate --mrenclave HEX --mrsigner HEX --report-data HEX [OPTIONS]\n"
	"\n"
	"Write an SGX ECDSA quote in Intel's version-3 layout for an enclave with the given\n"
	"identity, signed by the emulated platform's attestation key under its own PCK-style\n"
	"chain and root CA \"cove emulated SGX Root CA (not Intel)\".  The platform and its\n"
	"SGX side are created on first use (see 'cove platform --help').  Such quotes verify\n"
	"only with 'cove sgx verify --trust-emulated-root'; against Intel's root they fail.\n"
	"\n"
	"Enclave identity:\n"
	"  --mrenclave HEX         MRENCLAVE: exactly 64 hex digits (32 bytes)\n"
	"  --mrsigner HEX          MRSIGNER: exactly 64 hex digits (32 bytes)\n"
	"  --report-data HEX       REPORTDATA: 2 to 128 hex digits, zero-padded on the right\n"
	"  --isv-prod-id N         ISVPRODID (default 0)\n"
	"  --isv-svn N             ISVSVN (default 0)\n"
	"  --debug                 a debug enclave (ATTRIBUTES.DEBUG; refused by default policies)\n"
	"\n"
	"Output:\n"
	"  --out FILE              the quote, raw binary ('-' = standard output); without\n"
	"                          --out the quote is printed as hex\n"
	"  --collateral-out FILE   collateral bundle (JSON, the form 'cove sgx verify\n"
	"                          --collateral' reads); stale items are re-signed first\n"
	"  --state-dir DIR         state directory (default: see 'cove platform --help')\n"
	"  --json                  machine-readable summary including the quote as hex\n"
	"  -h, --help              this text\n";

#define PROG "cove sgx emulate"

enum { OPT_MRENCLAVE = 256, OPT_MRSIGNER, OPT_REPORT_DATA, OPT_PROD, OPT_SVN, OPT_DEBUG, OPT_OUT, OPT_COLL_OUT,
       OPT_STATE_DIR, OPT_JSON, OPT_HELP };

static const struct option options[] = {
	{"mrenclave", required_argument, NULL, OPT_MRENCLAVE},
	{"mrsigner", required_argument, NULL, OPT_MRSIGNER},
	{"report-data", required_argument, NULL, OPT_REPORT_DATA},
	{"isv-prod-id", required_argument, NULL, OPT_PROD},
	{"isv-svn", required_argument, NULL, OPT_SVN},
	{"debug", no_argument, NULL, OPT_DEBUG},
	{"out", required_argument, NULL, OPT_OUT},
	{"collateral-out", required_argument, NULL, OPT_COLL_OUT},
	{"state-dir", required_argument, NULL, OPT_STATE_DIR},
	{"json", no_argument, NULL, OPT_JSON},
	{"help", no_argument, NULL, OPT_HELP},
	{0},
};

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

int cove_cmd_sgx_emulate(int argc, char **argv)
{
	cove_sgx_emulate_opts o;
	const char *out = NULL, *coll_out = NULL, *dir = NULL;
	bool json = false, have_enc = false, have_signer = false, have_rd = false;
	uint8_t body[COVE_SGX_REPORT_BODY_SIZE], spki[32];
	uint8_t *quote = NULL;
	size_t len = 0;
	char *bundle = NULL;
	cove_dcap_collateral coll;
	cove_platform *p = NULL;
	cove_error e = {0};
	unsigned long long u;
	int rc = COVE_EXIT_INTERNAL, c;

	memset(&o, 0, sizeof(o));
	memset(&coll, 0, sizeof(coll));
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		cove_err err = COVE_OK;
		switch (c) {
		case OPT_MRENCLAVE:
			err = cove_cli_hex_arg("mrenclave", optarg, o.mr_enclave, 32, false, &e);
			have_enc = true;
			break;
		case OPT_MRSIGNER:
			err = cove_cli_hex_arg("mrsigner", optarg, o.mr_signer, 32, false, &e);
			have_signer = true;
			break;
		case OPT_REPORT_DATA:
			err = cove_cli_hex_arg("report-data", optarg, o.report_data, 64, true, &e);
			have_rd = true;
			break;
		case OPT_PROD:
		case OPT_SVN:
			if (!cove_cli_parse_u64(optarg, &u) || u > UINT16_MAX) {
				rc = cove_cli_usage_error(PROG, "--%s: '%s' is not a number from 0 to 65535",
							  c == OPT_PROD ? "isv-prod-id" : "isv-svn", optarg);
				goto out;
			}
			*(c == OPT_PROD ? &o.isv_prod_id : &o.isv_svn) = (uint16_t)u;
			break;
		case OPT_DEBUG: o.debug = true; break;
		case OPT_OUT: out = optarg; break;
		case OPT_COLL_OUT: coll_out = optarg; break;
		case OPT_STATE_DIR: dir = optarg; break;
		case OPT_JSON: json = true; break;
		case 'h':
		case OPT_HELP: fputs(usage, stdout); rc = COVE_EXIT_OK; goto out;
		default: rc = cove_cli_usage_error(PROG, "unknown option '%s'", argv[optind - 1]); goto out;
		}
		if (err) {
			rc = cove_cli_usage_error(PROG, "%s", e.msg);
			goto out;
		}
	}
	if (optind != argc) {
		rc = cove_cli_usage_error(PROG, "unexpected argument '%s'", argv[optind]);
		goto out;
	}
	if (!have_enc || !have_signer || !have_rd) {
		rc = cove_cli_usage_error(PROG, "--mrenclave, --mrsigner and --report-data are required");
		goto out;
	}
	if (json && out && strcmp(out, "-") == 0) {
		rc = cove_cli_usage_error(PROG, "--json and --out - both write to standard output");
		goto out;
	}

	cove_err oc = cove_platform_open(dir, false, &p, &e);
	if (oc == COVE_ERR_UNAVAILABLE) {
		fprintf(stderr, "cove: no emulated platform yet; creating one (RSA-4096 keys take a few seconds)...\n");
		oc = cove_platform_open(dir, true, &p, &e);
	}
	if (oc || cove_platform_sgx_report_body(p, &o, body, &e) || cove_platform_sgx_quote(p, body, &quote, &len, &e) ||
	    cove_platform_sgx_root(p, spki, &e)) {
		rc = cove_cli_fail(&e);
		goto out;
	}
	if (coll_out && (cove_platform_sgx_collateral(p, &coll, &e) ||
			 cove_dcap_collateral_to_bundle(&coll, &bundle, &e) ||
			 write_out(coll_out, bundle, strlen(bundle), &e))) {
		rc = cove_cli_fail(&e);
		goto out;
	}
	if (out && write_out(out, quote, len, &e)) {
		rc = cove_cli_fail(&e);
		goto out;
	}
	if (json) {
		json_t *j = json_object();
		json_object_set_new(j, "emulated", json_true());
		json_object_set_new(j, "state_dir", json_string(cove_platform_dir(p)));
		json_object_set_new(j, "quote", hex_json(quote, len));
		json_object_set_new(j, "quote_size", json_integer((json_int_t)len));
		json_object_set_new(j, "quote_file", out ? json_string(out) : json_null());
		json_object_set_new(j, "collateral_file", coll_out ? json_string(coll_out) : json_null());
		json_object_set_new(j, "root_spki_sha256", hex_json(spki, 32));
		json_object_set_new(j, "fmspc", json_string(COVE_PLATFORM_SGX_FMSPC));
		cove_cli_print_json(j);
	} else if (!out) {
		char *h = cove_hex_new(quote, len);
		if (!h) {
			rc = COVE_EXIT_INTERNAL;
			goto out;
		}
		printf("%s\n", h);
		free(h);
	} else if (strcmp(out, "-") != 0) {
		fprintf(stderr, "cove: wrote a %zu-byte emulated SGX quote to %s (root key SHA-256 ", len, out);
		for (int i = 0; i < 32; i++)
			fprintf(stderr, "%02x", spki[i]);
		fprintf(stderr, ")\n");
	}
	rc = COVE_EXIT_OK;
out:
	free(bundle);
	free(quote);
	cove_dcap_collateral_free(&coll);
	cove_platform_free(p);
	return rc;
}
