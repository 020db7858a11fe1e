/*
 * `cove sgx show QUOTE` and `cove tdx show QUOTE`: print every field of an
 * Intel DCAP quote (header, enclave or TD report body, signature data, QE
 * report, certification data with the PCK chain and its SGX extension).
 * Nothing is verified; `cove sgx verify` / `cove tdx verify` do that.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cove/dcap.h"

static const char sgx_usage[] =
	"Usage: cove sgx show QUOTE [--json] [--allow-trailing]\n"
	"\n"
	"Print every field of an Intel SGX DCAP quote (v3, v4 or v5 with an SGX\n"
	"report body): header, enclave report body with decoded attributes,\n"
	"signature data, QE report, QE authentication data and certification data\n"
	"(each PCK certificate and the SGX extension of the PCK leaf).  QUOTE is raw\n"
	"binary or hex text; '-' reads standard input.  Nothing is verified.\n"
	"\n"
	"Options:\n"
	"  --json            machine-readable output\n"
	"  --allow-trailing  ignore non-zero bytes after the quote's end (zero\n"
	"                    padding is always accepted)\n"
	"  -h, --help        this text\n";

static const char tdx_usage[] =
	"Usage: cove tdx show QUOTE [--json] [--allow-trailing]\n"
	"\n"
	"Print every field of an Intel TDX DCAP quote (v4, or v5 with a TDX 1.0 or\n"
	"1.5 TD report body): header, TD report body (TEE_TCB_SVN, MRSEAM, MRTD,\n"
	"RTMRs, decoded TD attributes, ...), signature data, QE report, QE\n"
	"authentication data and certification data (each PCK certificate and the\n"
	"SGX extension of the PCK leaf).  QUOTE is raw binary or hex text; '-' reads\n"
	"standard input.  Nothing is verified.\n"
	"\n"
	"Options:\n"
	"  --json            machine-readable output\n"
	"  --allow-trailing  ignore non-zero bytes after the quote's end (zero\n"
	"                    padding is always accepted)\n"
	"  -h, --help        this text\n";

static void print_value(const char *key, json_t *val, int depth);

static void print_object(json_t *j, int depth)
{
	const char *key;
	json_t *val;
	json_object_foreach(j, key, val)
		print_value(key, val, depth);
}

static void print_value(const char *key, json_t *val, int depth)
{
	int ind = depth * 2;
	if (json_is_object(val)) {
		printf("%*s%s:\n", ind, "", key);
		print_object(val, depth + 1);
	} else if (json_is_string(val)) {
		printf("%*s%-22s %s\n", ind, "", key, json_string_value(val));
	} else if (json_is_boolean(val)) {
		printf("%*s%-22s %s\n", ind, "", key, json_is_true(val) ? "yes" : "no");
	} else if (json_is_integer(val)) {
		printf("%*s%-22s %lld\n", ind, "", key, (long long)json_integer_value(val));
	} else if (json_is_array(val)) {
		size_t i;
		json_t *item;
		bool scalars = true;
		json_array_foreach(val, i, item) scalars = scalars && !json_is_object(item);
		if (scalars) {
			char *text = json_dumps(val, JSON_COMPACT | JSON_ENCODE_ANY);
			printf("%*s%-22s %s\n", ind, "", key, text ? text : "?");
			free(text);
			return;
		}
		printf("%*s%s:\n", ind, "", key);
		json_array_foreach(val, i, item) {
			printf("%*s[%zu]\n", ind + 2, "", i + 1);
			print_object(item, depth + 2);
		}
	}
}

/* Sections in reading order: header, body, signature, QE report, certification data. */
static void print_text(json_t *j, const cove_dcap_quote *q)
{
	json_t *sig = json_object_get(j, "signature_data");
	printf("%s DCAP quote v%u, %zu bytes", q->tee_type == COVE_TEE_TDX ? "TDX" : "SGX", q->version, q->quote_len);
	if (q->trailing_len)
		printf(" (+%zu bytes after it)", q->trailing_len);
	printf("\n\n");
	printf("Header:\n");
	print_object(json_object_get(j, "header"), 1);
	printf("\n%s:\n", json_string_value(json_object_get(j, "body_type_name")));
	print_object(json_object_get(j, "body"), 1);
	printf("\nSignature data:\n");
	const char *key;
	json_t *val;
	json_object_foreach(sig, key, val) {
		if (strcmp(key, "qe_report") && strcmp(key, "certification_data"))
			print_value(key, val, 1);
	}
	printf("\nQE report (offset %lld):\n", (long long)json_integer_value(json_object_get(sig, "qe_report_offset")));
	print_object(json_object_get(sig, "qe_report"), 1);
	printf("\nCertification data:\n");
	print_object(json_object_get(sig, "certification_data"), 1);
}

static int show(bool want_tdx, int argc, char **argv)
{
	static const struct option opts[] = {
		{"json", no_argument, NULL, 'j'},
		{"allow-trailing", no_argument, NULL, 't'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	const char *prog = want_tdx ? "cove tdx show" : "cove sgx show";
	bool json = false, allow_trailing = false;
	cove_error e = {0};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'j': json = true; break;
		case 't': allow_trailing = true; break;
		case 'h': fputs(want_tdx ? tdx_usage : sgx_usage, stdout); return COVE_EXIT_OK;
		default: return cove_cli_usage_error(prog, "bad option");
		}
	}
	if (optind != argc - 1)
		return cove_cli_usage_error(prog, "expected one QUOTE argument");

	cove_buf buf = {0};
	cove_dcap_quote q = {0};
	int rc = COVE_EXIT_OK;
	if (cove_cli_read_binary_or_hex(argv[optind], 3 * COVE_DCAP_MAX_QUOTE_SIZE, &buf, &e) ||
	    (allow_trailing ? cove_dcap_quote_parse_prefix(buf.data, buf.len, &q, &e)
			    : cove_dcap_quote_parse(buf.data, buf.len, &q, &e))) {
		rc = cove_cli_fail(&e);
		goto out;
	}
	if ((q.tee_type == COVE_TEE_TDX) != want_tdx) {
		fprintf(stderr, "%s: %s is a%s quote (v%u); use 'cove %s show'\n", prog, argv[optind],
			want_tdx ? "n SGX" : " TDX (TD)", q.version, want_tdx ? "sgx" : "tdx");
		rc = COVE_EXIT_USAGE;
		goto out;
	}
	json_t *j = cove_dcap_quote_to_json(&q);
	if (json) {
		cove_cli_print_json(j);
	} else {
		print_text(j, &q);
		json_decref(j);
	}
out:
	cove_dcap_quote_free(&q);
	cove_buf_free(&buf);
	return rc;
}

int cove_cmd_sgx_show(int argc, char **argv)
{
	return show(false, argc, argv);
}

int cove_cmd_tdx_show(int argc, char **argv)
{
	return show(true, argc, argv);
}
