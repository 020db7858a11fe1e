/*
 * `cove snp show REPORT [--product NAME] [--hcl] [--json]`: print every field.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cove/azure_hcl.h"
#include "cove/snp.h"

static const char usage[] =
	"Usage: cove snp show REPORT [--product NAME] [--hcl] [--json]\n"
	"\n"
	"Print every field of an SEV-SNP attestation report (1184 bytes, raw binary\n"
	"or hex text; '-' reads standard input).  Nothing is verified.\n"
	"\n"
	"Options:\n"
	"  --product NAME  Milan, Genoa or Turin: decides the TCB layout of a v2 report\n"
	"                  (v3+ reports carry their CPUID; default: Milan layout for v2)\n"
	"  --hcl           REPORT is an Azure HCL report (vTPM NV 0x01400001): show its\n"
	"                  SEV-SNP report and runtime claims\n"
	"  --json          machine-readable output\n"
	"  -h, --help      this text\n";

static void print_text(json_t *j, int depth)
{
	const char *key;
	json_t *val;
	json_object_foreach(j, key, val) {
		if (json_is_object(val)) {
			printf("%*s%s:\n", depth * 2, "", key);
			print_text(val, depth + 1);
		} else if (json_is_string(val)) {
			printf("%*s%-22s %s\n", depth * 2, "", key, json_string_value(val));
		} else if (json_is_boolean(val)) {
			printf("%*s%-22s %s\n", depth * 2, "", key, json_is_true(val) ? "yes" : "no");
		} else if (json_is_integer(val)) {
			printf("%*s%-22s %lld\n", depth * 2, "", key, (long long)json_integer_value(val));
		} else if (json_is_array(val)) {
			size_t i;
			json_t *item;
			printf("%*s%s:\n", depth * 2, "", key);
			json_array_foreach(val, i, item) {
				char *text = json_dumps(item, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
				printf("%*s- %s\n", depth * 2 + 2, "", text ? text : "?");
				free(text);
			}
		}
	}
}

int cove_cmd_snp_show(int argc, char **argv)
{
	static const struct option opts[] = {
		{"product", required_argument, NULL, 'p'},
		{"json", no_argument, NULL, 'j'},
		{"hcl", no_argument, NULL, 'H'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	bool json = false, hcl = false;
	cove_snp_product product = COVE_SNP_PRODUCT_UNKNOWN;
	cove_error e = {0};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (cove_snp_product_parse(optarg, &product, &e))
				return cove_cli_fail(&e);
			break;
		case 'j': json = true; break;
		case 'H': hcl = true; break;
		case 'h': fputs(usage, stdout); return COVE_EXIT_OK;
		default: return cove_cli_usage_error("cove snp show", "bad option");
		}
	}
	if (optind != argc - 1)
		return cove_cli_usage_error("cove snp show", "expected one REPORT argument");

	cove_buf buf = {0};
	cove_snp_report report;
	cove_azure_hcl h = {0};
	int rc = COVE_EXIT_OK;
	if (cove_cli_read_binary_or_hex(argv[optind], 1 << 20, &buf, &e) ||
	    (hcl && cove_azure_hcl_parse(buf.data, buf.len, &h, &e)) ||
	    cove_snp_report_parse(hcl ? h.hw_report : buf.data, hcl ? COVE_SNP_REPORT_SIZE : buf.len, &report, &e)) {
		rc = cove_cli_fail(&e);
		goto out;
	}
	if (product == COVE_SNP_PRODUCT_UNKNOWN)
		product = cove_snp_report_product(&report);
	json_t *j = cove_snp_report_to_json(&report, product == COVE_SNP_PRODUCT_UNKNOWN ? COVE_SNP_MILAN : product);
	if (product == COVE_SNP_PRODUCT_UNKNOWN)
		json_object_set_new(j, "product", json_string("unknown (v2 report: TCB shown in the Milan/Genoa layout)"));
	if (hcl)
		json_object_set(j, "x-ms-runtime", h.runtime);
	if (json) {
		cove_cli_print_json(j);
	} else {
		print_text(j, 0);
		json_decref(j);
	}
out:
	cove_azure_hcl_free(&h);
	cove_buf_free(&buf);
	return rc;
}
