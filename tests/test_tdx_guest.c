/*
 * In-guest TD quote acquisition (src/tdx/guest.c over src/tsm/configfs.c)
 * without TDX hardware.
 *
 * The fake configfs-tsm "kernel" of tests/support/fake_configfs.h plays the
 * tdx_guest provider: an entry under the fake root appears with provider,
 * generation, inblob and outblob (no privlevel or auxblob), and outblob is a
 * FIFO served by a thread, so the library's read blocks until the fake
 * kernel has seen inblob, as the real read triggers quote generation.  The
 * quote it serves comes from fake_quote() below.  Everything else is the
 * library's real path.
 */
#include <string.h>

#include "testutil.h"
#include "cove/tdx_guest.h"
#include "support/expect.h"
#include "support/fake_configfs.h"

/* Quote layout facts the fake host needs (sgx_quote_4.h / sgx_quote_5.h). */
#define V4_REPORTDATA (48 + 520)
#define V5_REPORTDATA (54 + 520)

typedef enum quote_kind {
	Q_V4,        /* v4, TDX 1.0 body */
	Q_V5_15,     /* v5, body type 3 (TDX 1.5) */
	Q_SGX,       /* v4 header with TEE type SGX */
	Q_V3,        /* a version-3 quote */
	Q_V5_BAD,    /* v5 with body type 1 */
	Q_RAW,       /* `raw_len` bytes of 0x11 */
} quote_kind;

static cove_test_tsm *const fake = &cove_test_tsm_fake;

/* What the fake host puts in outblob. */
static struct host {
	quote_kind kind;
	size_t quote_len;
	bool corrupt_data;       /* the quote carries different REPORTDATA */
} host;

/* A TD-quote-shaped buffer: header, body with REPORTDATA, signature length; the rest is filler. */
static size_t fake_quote(void *ctx, const cove_test_tsm *seen, uint8_t *q, size_t cap)
{
	(void)ctx;
	uint8_t data[64];
	cove_test_tsm_report_data(seen, data);
	if (host.corrupt_data)
		data[63] ^= 0x80;
	size_t n = host.quote_len;
	if (n > cap)
		n = cap;
	memset(q, 0xa5, n);
	if (host.kind == Q_RAW) {
		memset(q, 0x11, n);
		return n;
	}
	uint16_t version = host.kind == Q_V3 ? 3 : (host.kind == Q_V5_15 || host.kind == Q_V5_BAD) ? 5 : 4;
	cove_put_le16(q, version);
	cove_put_le16(q + 2, 2);
	cove_put_le32(q + 4, host.kind == Q_SGX ? 0 : 0x81);
	size_t rd = V4_REPORTDATA;
	if (version == 5) {
		cove_put_le16(q + 48, host.kind == Q_V5_BAD ? 1 : 3);
		cove_put_le32(q + 50, host.kind == Q_V5_BAD ? 384 : 648);
		rd = V5_REPORTDATA;
	}
	if (rd + 64 <= n)
		memcpy(q + rd, data, 64);
	return n;
}

static int fake_setup(void **state)
{
	(void)state;
	if (cove_test_tsm_setup("tdx-tsm") != 0)
		return -1;
	fake->provider = "tdx_guest\n";
	fake->outblob = fake_quote;
	host.kind = Q_V4;
	host.quote_len = 5006;
	host.corrupt_data = false;
	return 0;
}

static void opts(cove_tdx_guest_opts *o)
{
	cove_tdx_guest_opts_init(o);
	o->configfs_root = fake->root;
	for (int i = 0; i < 64; i++)
		o->report_data[i] = (uint8_t)(0x80 + i);
}

/* A request with the fake's current behaviour fails with `rc`, no quote and a message containing `msg`. */
static void expect_quote_error(cove_err rc, const char *msg, cove_error *e)
{
	cove_tdx_guest_opts o;
	cove_tdx_guest_quote *q = NULL;
	opts(&o);
	assert_int_equal(cove_tdx_guest_quote_new(&o, &q, e), rc);
	assert_null(q);
	cove_test_expect_msg(e, msg);
}

static void test_data_parse(void **state)
{
	(void)state;
	uint8_t d[64];
	cove_error e = {0};
	assert_int_equal(cove_tdx_guest_data_parse(" 00ff10 \n", d, &e), COVE_OK);
	assert_int_equal(d[1], 0xff);
	assert_int_equal(d[2], 0x10);
	assert_true(cove_is_zero(d + 3, 61));
	char over[131];
	memset(over, 'c', 130);
	over[130] = '\0';
	assert_int_equal(cove_tdx_guest_data_parse(over, d, &e), COVE_ERR_ARG);
	assert_string_equal(e.msg, "report data is 65 bytes; at most 64 fit in REPORTDATA");
	assert_int_not_equal(cove_tdx_guest_data_parse("abc", d, &e), COVE_OK);
	assert_non_null(strstr(e.msg, "report data"));
}

static void test_quote_v4(void **state)
{
	(void)state;
	cove_tdx_guest_opts o;
	cove_tdx_guest_quote *q = NULL;
	cove_error e = {0};
	fake->gen_start = 41;
	opts(&o);
	assert_int_equal(cove_tdx_guest_quote_new(&o, &q, &e), COVE_OK);
	assert_non_null(q);
	/* The kernel saw exactly our 64 bytes, and nothing touched privlevel. */
	assert_int_equal(fake->inblob_len, 64);
	assert_memory_equal(fake->inblob, o.report_data, 64);
	assert_false(fake->privlevel_exists);
	assert_int_equal(q->quote.len, 5006);
	assert_int_equal(cove_le16(q->quote.data), 4);
	assert_memory_equal(q->quote.data + V4_REPORTDATA, o.report_data, 64);
	assert_non_null(strstr(q->source, fake->root));
	assert_non_null(strstr(q->source, "/cove-"));
	assert_int_equal(fake->made, 1);
	assert_int_equal(fake->removed, 1);
	cove_tdx_guest_quote_free(q);
}

static void test_quote_v5(void **state)
{
	(void)state;
	cove_tdx_guest_opts o;
	cove_tdx_guest_quote *q = NULL;
	cove_error e = {0};
	host.kind = Q_V5_15;
	opts(&o);
	assert_int_equal(cove_tdx_guest_quote_new(&o, &q, &e), COVE_OK);
	assert_int_equal(cove_le16(q->quote.data), 5);
	assert_memory_equal(q->quote.data + V5_REPORTDATA, o.report_data, 64);
	cove_tdx_guest_quote_free(q);
	/* The smallest v5 quote with a 1.5 body: header, descriptor, body, signature length. */
	host.quote_len = 54 + 648 + 4;
	assert_int_equal(cove_tdx_guest_quote_new(&o, &q, &e), COVE_OK);
	cove_tdx_guest_quote_free(q);
	host.quote_len--;
	expect_quote_error(COVE_ERR_PARSE, "/outblob holds 705 bytes; a v5 TD quote needs at least 706", &e);
}

static void test_wrong_provider(void **state)
{
	(void)state;
	cove_error e = {0};
	fake->provider = "sev_guest\n";
	expect_quote_error(COVE_ERR_UNSUPPORTED, "/provider is 'sev_guest', not 'tdx_guest': this is not a TDX guest",
			   &e);
	assert_false(fake->served_outblob);
	assert_int_equal(fake->inblob_len, 0);
	assert_int_equal(fake->removed, 1);
}

static void test_race(void **state)
{
	(void)state;
	cove_error e = {0};
	fake->gen_start = 3;
	fake->gen_extra = 1; /* another process wrote inblob between our write and our read */
	expect_quote_error(COVE_ERR_UNAVAILABLE,
			   "/generation moved from 3 to 5 while we made 1 write(s): another process", &e);
	assert_int_equal(fake->removed, 1);
}

static void test_foreign_data(void **state)
{
	(void)state;
	cove_error e = {0};
	host.corrupt_data = true;
	expect_quote_error(COVE_ERR_VERIFY, "carries different REPORTDATA than requested", &e);
	assert_non_null(strstr(e.msg, fake->root));
}

static void test_malformed_quotes(void **state)
{
	(void)state;
	cove_error e = {0};
	static const struct {
		quote_kind kind;
		size_t len;
		const char *msg;
	} cases[] = {
		{Q_RAW, 0, "/outblob holds 0 bytes, fewer than a 48-byte quote header"},
		{Q_V4, 47, "/outblob holds 47 bytes, fewer than a 48-byte quote header"},
		{Q_V4, 100, "/outblob holds 100 bytes; a v4 TD quote needs at least 636"},
		{Q_V4, 635, "/outblob holds 635 bytes; a v4 TD quote needs at least 636"},
		{Q_V3, 5000, "/outblob holds a quote of version 3; a TD quote is version 4 or 5"},
		{Q_SGX, 5000, "/outblob holds a quote for TEE type 0x0, not TDX (0x81)"},
		{Q_V5_BAD, 5000, "/outblob holds a v5 quote with body type 1 of 384 bytes; a TD body is type 2 (584 "
				 "bytes) or 3 (648 bytes)"},
		{Q_RAW, 4000, "/outblob holds a quote of version 4369; a TD quote is version 4 or 5"},
		{Q_RAW, 40000, "/outblob holds more than the 32768 bytes expected"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		host.kind = cases[i].kind;
		host.quote_len = cases[i].len;
		expect_quote_error(COVE_ERR_PARSE, cases[i].msg, &e);
	}
	assert_int_equal(fake->removed, (int)(sizeof(cases) / sizeof(cases[0])));
}

static void test_missing_root(void **state)
{
	(void)state;
	cove_tdx_guest_opts o;
	cove_tdx_guest_quote *q = NULL;
	cove_error e = {0};
	cove_tdx_guest_opts_init(&o);
	o.configfs_root = "/nonexistent/tsm/report";
	assert_int_equal(cove_tdx_guest_quote_new(&o, &q, &e), COVE_ERR_UNAVAILABLE);
	assert_null(q);
	assert_non_null(strstr(e.msg, "cannot create configfs-tsm entry /nonexistent/tsm/report/cove-"));
	assert_non_null(strstr(e.msg, "No such file or directory"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_data_parse),
		cmocka_unit_test_setup_teardown(test_quote_v4, fake_setup, cove_test_tsm_teardown),
		cmocka_unit_test_setup_teardown(test_quote_v5, fake_setup, cove_test_tsm_teardown),
		cmocka_unit_test_setup_teardown(test_wrong_provider, fake_setup, cove_test_tsm_teardown),
		cmocka_unit_test_setup_teardown(test_race, fake_setup, cove_test_tsm_teardown),
		cmocka_unit_test_setup_teardown(test_foreign_data, fake_setup, cove_test_tsm_teardown),
		cmocka_unit_test_setup_teardown(test_malformed_quotes, fake_setup, cove_test_tsm_teardown),
		cmocka_unit_test(test_missing_root),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
