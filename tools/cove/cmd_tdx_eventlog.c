/*
 * `cove tdx eventlog --log FILE ...`: list the events of a TDX CC event log
 * (CCEL), replay them into RTMR0..3 and compare with expected values taken
 * from a TD quote or given on the command line (libcove tdx_eventlog).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cove/dcap.h"
#include "cove/tdx_eventlog.h"

#define LOG_MAX (64u << 20)
#define TABLE_MAX 4096
#define QUOTE_FILE_MAX (4u << 20)

static const char usage[] =
	"Usage: cove tdx eventlog --log FILE [options]\n"
	"\n"
	"List the events of a TDX CC event log (CCEL: a TCG2 crypto-agile log),\n"
	"replay them into RTMR0..RTMR3 (RTMR := SHA-384(RTMR || digest), EV_NO_ACTION\n"
	"events are not extended) and compare the result with expected values.\n"
	"Inside a TD guest the log is /sys/firmware/acpi/tables/data/CCEL and its ACPI\n"
	"table /sys/firmware/acpi/tables/CCEL.\n"
	"\n"
	"Options:\n"
	"  --log FILE         the event log (required; trailing 0xFF or zero padding is fine)\n"
	"  --ccel-table FILE  the ACPI CCEL table: checked (signature, length, checksum,\n"
	"                     CC type TDX) and the log must fit its log area (LAML)\n"
	"  --quote QUOTE      take the expected RTMRs from this TD quote (binary or hex).\n"
	"                     The quote is parsed, not verified: run 'cove tdx verify' on it\n"
	"  --rtmr0 HEX ... --rtmr3 HEX\n"
	"                     expected RTMR values (48 bytes of hex each); only the ones\n"
	"                     given are compared.  Not together with --quote\n"
	"  --json             machine-readable output\n"
	"  -h, --help         this text\n"
	"\n"
	"Exit status: 0 every expected RTMR matches (or none was given), 1 mismatch,\n"
	"2 usage or malformed input, 4 internal error.\n";

static void print_hex(const char *label, const uint8_t *d, size_t n)
{
	char *h = cove_hex_new(d, n);
	printf("  %-9s %s\n", label, h ? h : "?");
	free(h);
}

static void print_text(const char *log_path, const cove_tdx_eventlog *log, const cove_tdx_ccel_table *table,
		       const cove_tdx_rtmrs *r, const uint8_t *expected,
		       unsigned which, unsigned mismatch, const char *source)
{
	printf("Event log %s: %zu events in %zu bytes, %zu bytes of padding\n", log_path, log->count, log->used,
	       log->padding);
	printf("Spec ID event: version %u.%u errata %u, digests:", log->spec_version_major, log->spec_version_minor,
	       log->spec_errata);
	for (size_t i = 0; i < log->alg_count; i++) {
		const char *an = cove_tcg_alg_name(log->algs[i].id);
		if (an)
			printf(" %s", an);
		else
			printf(" 0x%04x", log->algs[i].id);
		printf(" (%u bytes)%s", log->algs[i].size, i + 1 < log->alg_count ? "," : "\n");
	}
	if (table)
		printf("CCEL table: revision %u, OEM '%s' '%s', CC type %u (TDX) subtype %u, log area %llu bytes at "
		       "0x%llx\n",
		       table->revision, table->oem_id, table->oem_table_id, table->cc_type, table->cc_subtype,
		       (unsigned long long)table->laml, (unsigned long long)table->lasa);
	printf("\n%5s  %-5s  %-32s  %-16s  %s\n", "#", "MR", "type", "sha384", "data");
	for (size_t i = 0; i < log->count; i++) {
		const cove_tdx_event *ev = &log->events[i];
		const char *mr = cove_tdx_mr_name(ev->mr_index), *tn = cove_tdx_event_type_name(ev->type);
		const cove_tdx_event_digest *d = cove_tdx_event_digest_find(ev, COVE_TCG_ALG_SHA384);
		char mrbuf[16], tbuf[24], dig[17] = "-", summary[160];
		if (!mr) {
			snprintf(mrbuf, sizeof(mrbuf), "%u", ev->mr_index);
			mr = mrbuf;
		}
		if (!tn) {
			snprintf(tbuf, sizeof(tbuf), "0x%08x", ev->type);
			tn = tbuf;
		}
		if (d)
			cove_hex_write(dig, d->value, 8);
		cove_tdx_event_describe(ev, summary, sizeof(summary));
		printf("%5zu  %-5s  %-32s  %-16s  %s\n", ev->seq, ev->type == COVE_TCG_EV_NO_ACTION ? "-" : mr, tn, dig,
		       summary);
	}
	printf("\nReplay (expected values: %s):\n",
	       !source				   ? "none given"
	       : strcmp(source, "quote") == 0 ? "from the quote, parsed but not verified"
					       : "from the command line");
	for (unsigned i = 0; i < COVE_TDX_RTMR_COUNT; i++) {
		bool given = which & (1u << i);
		printf("RTMR%u  %zu event%s  %s\n", i, r->extended[i], r->extended[i] == 1 ? "" : "s",
		       !given ? "(no expected value)" : (mismatch & (1u << i)) ? "MISMATCH" : "match");
		print_hex("computed", r->rtmr[i], COVE_TDX_RTMR_SIZE);
		if (given)
			print_hex("expected", expected + i * COVE_TDX_RTMR_SIZE, COVE_TDX_RTMR_SIZE);
	}
	if (!which)
		printf("\nresult: replayed only; give --quote or --rtmrN to compare\n");
	else if (mismatch) {
		printf("\nresult: MISMATCH:");
		for (unsigned i = 0; i < COVE_TDX_RTMR_COUNT; i++)
			if (mismatch & (1u << i))
				printf(" RTMR%u", i);
		printf(" (the log does not account for what was measured)\n");
	} else {
		printf("\nresult: every expected RTMR matches the replayed log\n");
	}
}

static json_t *result_json(const cove_tdx_eventlog *log, const cove_tdx_ccel_table *table, const cove_tdx_rtmrs *r,
			   const uint8_t *expected, unsigned which,
			   unsigned mismatch, const char *source)
{
	json_t *j = cove_tdx_eventlog_to_json(log), *rtmrs = json_array();
	if (!j || !rtmrs) {
		json_decref(j);
		json_decref(rtmrs);
		return NULL;
	}
	if (table)
		json_object_set_new(j, "ccel_table", cove_tdx_ccel_table_to_json(table));
	for (unsigned i = 0; i < COVE_TDX_RTMR_COUNT; i++) {
		bool given = which & (1u << i);
		char name[8], *h = cove_hex_new(r->rtmr[i], COVE_TDX_RTMR_SIZE);
		char *x = given ? cove_hex_new(expected + i * COVE_TDX_RTMR_SIZE, COVE_TDX_RTMR_SIZE) : NULL;
		json_t *o = json_object();
		snprintf(name, sizeof(name), "RTMR%u", i);
		json_object_set_new(o, "name", json_string(name));
		json_object_set_new(o, "events", json_integer((json_int_t)r->extended[i]));
		json_object_set_new(o, "computed", h ? json_string(h) : json_null());
		json_object_set_new(o, "expected", x ? json_string(x) : json_null());
		json_object_set_new(o, "match", given ? json_boolean(!(mismatch & (1u << i))) : json_null());
		json_array_append_new(rtmrs, o);
		free(h);
		free(x);
	}
	json_object_set_new(j, "rtmrs", rtmrs);
	json_object_set_new(j, "expected_source", source ? json_string(source) : json_null());
	json_object_set_new(j, "ok", json_boolean(mismatch == 0));
	return j;
}

/* Expected RTMRs from a TD quote; the quote parser lives in libcove dcap. */
static int rtmrs_from_quote(const char *prog, const char *path,
			    uint8_t *expected)
{
	cove_buf qb = {0};
	cove_dcap_quote q;
	cove_error e = {0};
	int rc = COVE_EXIT_OK;
	memset(&q, 0, sizeof(q));
	if (cove_cli_read_binary_or_hex(path, QUOTE_FILE_MAX, &qb, &e)) {
		rc = cove_cli_fail(&e);
		goto out;
	}
	if (cove_dcap_quote_parse(qb.data, qb.len, &q, &e)) {
		cove_error_wrap(&e, e.code, "--quote %s", path);
		rc = cove_cli_fail(&e);
		goto out;
	}
	if (q.body_type != COVE_DCAP_BODY_TD10 && q.body_type != COVE_DCAP_BODY_TD15) {
		rc = cove_cli_usage_error(prog, "--quote %s is an SGX quote; RTMRs exist in TD quotes only", path);
		goto out;
	}
	memcpy(expected, &q.td.rtmr[0][0], sizeof(q.td.rtmr));
out:
	cove_dcap_quote_free(&q);
	cove_buf_free(&qb);
	return rc;
}

int cove_cmd_tdx_eventlog(int argc, char **argv)
{
	enum { OPT_LOG = 256, OPT_TABLE, OPT_QUOTE, OPT_RTMR0, OPT_RTMR1, OPT_RTMR2, OPT_RTMR3, OPT_JSON };
	static const struct option opts[] = {
		{"log", required_argument, NULL, OPT_LOG},
		{"ccel-table", required_argument, NULL, OPT_TABLE},
		{"quote", required_argument, NULL, OPT_QUOTE},
		{"rtmr0", required_argument, NULL, OPT_RTMR0},
		{"rtmr1", required_argument, NULL, OPT_RTMR1},
		{"rtmr2", required_argument, NULL, OPT_RTMR2},
		{"rtmr3", required_argument, NULL, OPT_RTMR3},
		{"json", no_argument, NULL, OPT_JSON},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	const char *prog = "cove tdx eventlog";
	const char *log_path = NULL, *table_path = NULL, *quote_path = NULL, *source = NULL;
	bool json = false;
	uint8_t expected[COVE_TDX_RTMR_COUNT * COVE_TDX_RTMR_SIZE];
	unsigned which = 0, mismatch = 0;
	cove_buf logb = {0}, tableb = {0};
	cove_tdx_eventlog log;
	cove_tdx_ccel_table table;
	cove_tdx_rtmrs r;
	cove_error e = {0};
	int c, rc = COVE_EXIT_OK;

	memset(expected, 0, sizeof(expected));
	memset(&log, 0, sizeof(log));
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_LOG: log_path = optarg; break;
		case OPT_TABLE: table_path = optarg; break;
		case OPT_QUOTE: quote_path = optarg; break;
		case OPT_RTMR0:
		case OPT_RTMR1:
		case OPT_RTMR2:
		case OPT_RTMR3: {
			unsigned i = (unsigned)(c - OPT_RTMR0);
			if (cove_hex_decode_fixed(optarg, expected + i * COVE_TDX_RTMR_SIZE, COVE_TDX_RTMR_SIZE, &e))
				return cove_cli_usage_error(prog, "--rtmr%u: %s", i, e.msg);
			which |= 1u << i;
			break;
		}
		case OPT_JSON: json = true; break;
		case 'h': fputs(usage, stdout); return COVE_EXIT_OK;
		default: return cove_cli_usage_error(prog, "bad option");
		}
	}
	if (optind != argc)
		return cove_cli_usage_error(prog, "unexpected argument '%s'", argv[optind]);
	if (!log_path)
		return cove_cli_usage_error(prog, "--log FILE is required (in a TD: /sys/firmware/acpi/tables/data/CCEL)");
	if (quote_path && which)
		return cove_cli_usage_error(prog, "give either --quote or --rtmrN values, not both");

	if (quote_path) {
		if ((rc = rtmrs_from_quote(prog, quote_path, expected)))
			goto out;
		which = (1u << COVE_TDX_RTMR_COUNT) - 1;
		source = "quote";
	} else if (which) {
		source = "command_line";
	}
	if (cove_cli_read(log_path, LOG_MAX, &logb, &e)) {
		rc = cove_cli_fail(&e);
		goto out;
	}
	if (table_path) {
		if (cove_cli_read(table_path, TABLE_MAX, &tableb, &e)) {
			rc = cove_cli_fail(&e);
			goto out;
		}
		if (cove_tdx_ccel_table_parse(tableb.data, tableb.len, &table, &e) ||
		    cove_tdx_ccel_table_check_log(&table, logb.len, &e)) {
			cove_error_wrap(&e, e.code, "%s", table_path);
			rc = cove_cli_fail(&e);
			goto out;
		}
	}
	if (cove_tdx_eventlog_parse(logb.data, logb.len, &log, &e) || cove_tdx_eventlog_replay(&log, &r, &e)) {
		cove_error_wrap(&e, e.code, "%s", log_path);
		rc = cove_cli_fail(&e);
		goto out;
	}
	/* A mismatch is the command's verdict, not an error: report it in the output and the exit code. */
	if (cove_tdx_rtmr_compare(&r, expected, which, &mismatch, &e) &&
	    e.code != COVE_ERR_VERIFY) {
		rc = cove_cli_fail(&e);
		goto out;
	}
	if (json) {
		json_t *j = result_json(&log, table_path ? &table : NULL, &r,
					expected, which, mismatch, source);
		if (!j) {
			rc = COVE_EXIT_INTERNAL;
			goto out;
		}
		cove_cli_print_json(j);
	} else {
		print_text(log_path, &log, table_path ? &table : NULL, &r,
			   expected, which, mismatch, source);
	}
	rc = mismatch ? COVE_EXIT_FAIL : COVE_EXIT_OK;
out:
	cove_tdx_eventlog_free(&log);
	cove_buf_free(&logb);
	cove_buf_free(&tableb);
	return rc;
}
