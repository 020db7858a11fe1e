/*
 * `cove tdx report --data HEX ...`: obtain a TD quote inside a TDX guest
 * through configfs-tsm (libcove tdx_guest).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cove/tdx_guest.h"

static const char usage[] =
	"Usage: cove tdx report --data HEX [options]\n"
	"\n"
	"Obtain a TD quote from inside a TDX guest through configfs-tsm\n"
	"(" COVE_TDX_GUEST_CONFIGFS_DEFAULT ", provider tdx_guest, Linux 6.7+).\n"
	"The host's quoting service must be reachable (QGS); the quote is checked\n"
	"for shape and for the requested REPORTDATA, not verified: run\n"
	"'cove tdx verify' on it where it is relied upon.\n"
	"\n"
	"Output: the quote as one line of hex on standard output; with --out, the\n"
	"binary quote goes to FILE and nothing is printed; with --json, a JSON\n"
	"object (interface, source, quote size, quote hex).\n"
	"\n"
	"Options:\n"
	"  --data HEX        REPORTDATA: up to 64 bytes of hex, zero-padded (required)\n"
	"  --configfs DIR    use configfs-tsm at DIR (its report directory)\n"
	"  --out FILE        write the binary quote to FILE\n"
	"  --json            machine-readable output\n"
	"  -h, --help        this text\n"
	"\n"
	"Exit status: 0 ok, 1 the quote carries other REPORTDATA, 2 usage or a\n"
	"malformed answer, 3 no configfs-tsm, not a TDX guest, or the request was\n"
	"refused, 4 internal error.\n";

int cove_cmd_tdx_report(int argc, char **argv)
{
	enum { OPT_DATA = 256, OPT_CONFIGFS, OPT_OUT, OPT_JSON };
	static const struct option opts[] = {
		{"data", required_argument, NULL, OPT_DATA},
		{"configfs", required_argument, NULL, OPT_CONFIGFS},
		{"out", required_argument, NULL, OPT_OUT},
		{"json", no_argument, NULL, OPT_JSON},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	const char *prog = "cove tdx report";
	cove_tdx_guest_opts go;
	const char *data = NULL, *out_path = NULL;
	bool json = false;
	cove_error e = {0};
	int c, rc = COVE_EXIT_OK;
	cove_tdx_guest_quote *q = NULL;
	char *hex = NULL;

	cove_tdx_guest_opts_init(&go);
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_DATA: data = optarg; break;
		case OPT_CONFIGFS: go.configfs_root = optarg; break;
		case OPT_OUT: out_path = optarg; break;
		case OPT_JSON: json = true; break;
		case 'h': fputs(usage, stdout); return COVE_EXIT_OK;
		default: return cove_cli_usage_error(prog, "bad option");
		}
	}
	if (optind != argc)
		return cove_cli_usage_error(prog, "unexpected argument '%s'", argv[optind]);
	if (!data)
		return cove_cli_usage_error(prog, "--data HEX is required (the REPORTDATA to bind)");
	if (cove_tdx_guest_data_parse(data, go.report_data, &e))
		return cove_cli_usage_error(prog, "--data: %s", e.msg);

	if (cove_tdx_guest_quote_new(&go, &q, &e)) {
		rc = cove_cli_fail(&e);
		goto out;
	}
	if (out_path && cove_file_write(out_path, q->quote.data, q->quote.len, 0644, &e)) {
		rc = cove_cli_fail(&e);
		goto out;
	}
	if (json || !out_path) {
		hex = cove_hex_new(q->quote.data, q->quote.len);
		if (!hex) {
			rc = COVE_EXIT_INTERNAL;
			goto out;
		}
	}
	if (json) {
		json_t *j = json_object();
		json_object_set_new(j, "interface", json_string("configfs-tsm"));
		json_object_set_new(j, "source", json_string(q->source));
		json_object_set_new(j, "quote_size", json_integer((json_int_t)q->quote.len));
		json_object_set_new(j, "quote", json_string(hex));
		cove_cli_print_json(j);
	} else if (!out_path) {
		puts(hex);
	}
out:
	free(hex);
	cove_tdx_guest_quote_free(q);
	return rc;
}
