/*
 * `cove snp report --data HEX ...`: obtain an attestation report inside an
 * SEV-SNP guest through configfs-tsm or /dev/sev-guest (libcove snp_guest).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cove/snp.h"
#include "cove/snp_guest.h"

static const char usage[] =
	"Usage: cove snp report --data HEX [options]\n"
	"\n"
	"Obtain an SEV-SNP attestation report from inside the guest.  configfs-tsm\n"
	"(" COVE_SNP_GUEST_CONFIGFS_DEFAULT ") is used when it exists, otherwise\n"
	COVE_SNP_GUEST_DEVICE_DEFAULT " (SNP_GET_REPORT / SNP_GET_EXT_REPORT).\n"
	"\n"
	"Output: the raw 1184-byte report as one line of hex on standard output;\n"
	"with --out, the binary report goes to FILE and nothing is printed; with\n"
	"--json, a JSON object (interface, source, report hex, certificates).\n"
	"\n"
	"Options:\n"
	"  --data HEX        REPORT_DATA: up to 64 bytes of hex, zero-padded (required)\n"
	"  --vmpl N          request a report for VMPL N (0..3); default: the kernel's\n"
	"                    privilege floor (configfs) or 0 (device)\n"
	"  --extended        also fetch the host's certificate table\n"
	"  --certs-out FILE  write the certificate table (GUID table) to FILE; implies\n"
	"                    --extended.  The file is empty when the host supplied none\n"
	"  --out FILE        write the binary report to FILE\n"
	"  --configfs DIR    use configfs-tsm at DIR (its report directory)\n"
	"  --device PATH     use the sev-guest device at PATH\n"
	"                    (giving both: DIR if it exists, else PATH)\n"
	"  --json            machine-readable output\n"
	"  -h, --help        this text\n"
	"\n"
	"Exit status: 0 ok, 2 usage, 3 no guest interface or the request was refused,\n"
	"4 internal error.\n";

static const char *cert_kind_name(cove_snp_cert_kind k)
{
	switch (k) {
	case COVE_SNP_CERT_VCEK: return "vcek";
	case COVE_SNP_CERT_VLEK: return "vlek";
	case COVE_SNP_CERT_ASK: return "ask";
	case COVE_SNP_CERT_ARK: return "ark";
	case COVE_SNP_CERT_CRL: return "crl";
	default: return "other";
	}
}

static json_t *certs_json(const cove_buf *certs)
{
	json_t *j = json_object();
	json_object_set_new(j, "size", json_integer((json_int_t)certs->len));
	if (certs->len == 0) {
		json_object_set_new(j, "entries", json_array());
		return j;
	}
	cove_snp_cert_table t = {0};
	cove_error e = {0};
	if (cove_snp_cert_table_parse(certs->data, certs->len, &t, &e)) {
		json_object_set_new(j, "error", json_string(e.msg));
		return j;
	}
	json_t *arr = json_array();
	for (size_t i = 0; i < t.count; i++) {
		const uint8_t *g = t.entries[i].guid;
		char guid[40];
		snprintf(guid, sizeof(guid),
			 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", g[0], g[1], g[2],
			 g[3], g[4], g[5], g[6], g[7], g[8], g[9], g[10], g[11], g[12], g[13], g[14], g[15]);
		json_t *ent = json_object();
		json_object_set_new(ent, "kind", json_string(cert_kind_name(t.entries[i].kind)));
		json_object_set_new(ent, "guid", json_string(guid));
		json_object_set_new(ent, "length", json_integer((json_int_t)t.entries[i].len));
		json_array_append_new(arr, ent);
	}
	json_object_set_new(j, "entries", arr);
	cove_snp_cert_table_free(&t);
	return j;
}

int cove_cmd_snp_report(int argc, char **argv)
{
	enum { OPT_DATA = 256, OPT_VMPL, OPT_EXTENDED, OPT_CONFIGFS, OPT_DEVICE, OPT_OUT, OPT_CERTS_OUT, OPT_JSON };
	static const struct option opts[] = {
		{"data", required_argument, NULL, OPT_DATA},
		{"vmpl", required_argument, NULL, OPT_VMPL},
		{"extended", no_argument, NULL, OPT_EXTENDED},
		{"configfs", required_argument, NULL, OPT_CONFIGFS},
		{"device", required_argument, NULL, OPT_DEVICE},
		{"out", required_argument, NULL, OPT_OUT},
		{"certs-out", required_argument, NULL, OPT_CERTS_OUT},
		{"json", no_argument, NULL, OPT_JSON},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	const char *prog = "cove snp report";
	cove_snp_guest_opts go;
	const char *data = NULL, *out_path = NULL, *certs_path = NULL;
	bool json = false;
	cove_error e = {0};
	int c, rc = COVE_EXIT_OK;
	cove_snp_guest_report *r = NULL;

	cove_snp_guest_opts_init(&go);
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		unsigned long long v;
		switch (c) {
		case OPT_DATA: data = optarg; break;
		case OPT_VMPL:
			if (!cove_cli_parse_u64(optarg, &v) || v > 3)
				return cove_cli_usage_error(prog, "--vmpl wants 0, 1, 2 or 3, not '%s'", optarg);
			go.vmpl = (int)v;
			break;
		case OPT_EXTENDED: go.extended = true; break;
		case OPT_CONFIGFS: go.configfs_root = optarg; break;
		case OPT_DEVICE: go.device = optarg; break;
		case OPT_OUT: out_path = optarg; break;
		case OPT_CERTS_OUT:
			certs_path = optarg;
			go.extended = true;
			break;
		case OPT_JSON: json = true; break;
		case 'h': fputs(usage, stdout); return COVE_EXIT_OK;
		default: return cove_cli_usage_error(prog, "bad option");
		}
	}
	if (optind != argc)
		return cove_cli_usage_error(prog, "unexpected argument '%s'", argv[optind]);
	if (!data)
		return cove_cli_usage_error(prog, "--data HEX is required (the REPORT_DATA to bind)");
	if (cove_snp_guest_data_parse(data, go.report_data, &e))
		return cove_cli_usage_error(prog, "--data: %s", e.msg);
	if (go.configfs_root && !go.device)
		go.iface = COVE_SNP_GUEST_CONFIGFS;
	else if (go.device && !go.configfs_root)
		go.iface = COVE_SNP_GUEST_DEVICE;

	if (cove_snp_guest_report_new(&go, &r, &e)) {
		rc = cove_cli_fail(&e);
		goto out;
	}
	if (out_path && cove_file_write(out_path, r->report, sizeof(r->report), 0644, &e)) {
		rc = cove_cli_fail(&e);
		goto out;
	}
	if (certs_path) {
		if (cove_file_write(certs_path, r->certs.data ? r->certs.data : (const uint8_t *)"", r->certs.len, 0644,
				    &e)) {
			rc = cove_cli_fail(&e);
			goto out;
		}
		if (r->certs.len == 0)
			fprintf(stderr, "cove: note: the host supplied no certificates; %s is empty\n", certs_path);
	}
	if (json) {
		char *hex = cove_hex_new(r->report, sizeof(r->report));
		json_t *j = json_object();
		json_object_set_new(j, "interface", json_string(cove_snp_guest_iface_name(r->iface)));
		json_object_set_new(j, "source", json_string(r->source));
		json_object_set_new(j, "report_size", json_integer(COVE_SNP_REPORT_SIZE));
		json_object_set_new(j, "report", json_string(hex ? hex : ""));
		if (go.extended)
			json_object_set_new(j, "certificates", certs_json(&r->certs));
		free(hex);
		cove_cli_print_json(j);
	} else if (!out_path) {
		char *hex = cove_hex_new(r->report, sizeof(r->report));
		if (!hex) {
			rc = COVE_EXIT_INTERNAL;
			goto out;
		}
		puts(hex);
		free(hex);
	}
out:
	cove_snp_guest_report_free(r);
	return rc;
}
