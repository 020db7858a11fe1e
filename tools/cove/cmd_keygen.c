/*
 * `cove keygen`: create an SGX enclave signing key (RSA-3072, e = 3) and print
 * the MRSIGNER of the enclaves it will sign (see include/cove/sigstruct.h and
 * docs/sigstruct.md).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cove/sigstruct.h"

static const char usage[] =
	"Usage: cove keygen --out FILE [--force] [--json]\n"
	"\n"
	"Generate an SGX enclave signing key: RSA-3072 with public exponent 3, written\n"
	"as a PEM private key with mode 0600.  Prints MRSIGNER, the SHA-256 of the key's\n"
	"modulus in SIGSTRUCT's little-endian form, which every enclave signed with the\n"
	"key reports.\n"
	"\n"
	"Options:\n"
	"  --out FILE   where to write the key (an existing file is refused)\n"
	"  --force      replace an existing FILE\n"
	"  --json       machine-readable output\n"
	"  -h, --help   this text\n";

enum { OPT_OUT = 256, OPT_FORCE, OPT_JSON, OPT_HELP };

static const struct option options[] = {
	{"out", required_argument, NULL, OPT_OUT},
	{"force", no_argument, NULL, OPT_FORCE},
	{"json", no_argument, NULL, OPT_JSON},
	{"help", no_argument, NULL, OPT_HELP},
	{0},
};

int cove_cmd_keygen(int argc, char **argv)
{
	const char *out = NULL;
	bool force = false, json = false;
	cove_error e = {0};
	cove_pkey *key = NULL;
	uint8_t mrsigner[COVE_SHA256_LEN];
	char hex[2 * COVE_SHA256_LEN + 1];
	int c, rc = COVE_EXIT_OK;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		switch (c) {
		case OPT_OUT: out = optarg; break;
		case OPT_FORCE: force = true; break;
		case OPT_JSON: json = true; break;
		case 'h':
		case OPT_HELP: fputs(usage, stdout); return COVE_EXIT_OK;
		default: return cove_cli_usage_error("cove keygen", "unknown option (see --help)");
		}
	}
	if (optind < argc)
		return cove_cli_usage_error("cove keygen", "unexpected argument '%s'", argv[optind]);
	if (!out)
		return cove_cli_usage_error("cove keygen", "--out FILE is required");

	if (cove_sigstruct_key_new(&key, &e) || cove_sigstruct_key_mrsigner(key, mrsigner, &e) ||
	    cove_sigstruct_key_write(key, out, force, &e)) {
		rc = cove_cli_fail(&e);
		goto out;
	}
	cove_hex_write(hex, mrsigner, sizeof(mrsigner));
	if (json) {
		cove_cli_print_json(json_pack("{s:s, s:s, s:i, s:i}", "key", out, "mrsigner", hex, "bits",
					      COVE_SIGSTRUCT_KEY_BITS, "exponent", COVE_SIGSTRUCT_EXPONENT));
	} else {
		printf("Enclave signing key (RSA-3072, e = 3) written to %s\n", out);
		printf("MRSIGNER %s\n", hex);
	}
out:
	cove_pkey_free(key);
	return rc;
}
