/*
 * TDX CC event log (src/tdx/eventlog.c): the go-tdx-guest CCEL sample
 * replayed against the RTMRs of its own TD quote, tampering, malformed logs
 * and the ACPI CCEL table.
 *
 * The expected RTMRs are read from the quote at fixed offsets here (v4
 * quote: TD report body at 48, RTMR0..3 at body + 328), so these tests do
 * not depend on the DCAP quote parser.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "cove/crypto.h"
#include "cove/tdx_eventlog.h"
#include "tdx/eventlog_layout.h"

#define CCEL_DIR "vectors/tdx/go-tdx-guest/testdata/ccel/"
#define QUOTE_RTMR0 (48 + 328)
#define SPEC_RECORD 65    /* Spec ID record of the sample: 32 + 33 bytes */
#define SAMPLE_EVENTS 43
#define SAMPLE_USED 18101

static cove_buf sample_log, sample_quote, sample_table;

static int load(void **state)
{
	(void)state;
	const char *p = cove_test_shared_path(CCEL_DIR "ccel_data.dat");
	cove_error e = {0};
	if (!p)
		return 0; /* each test skips */
	if (cove_file_read(p, 1 << 20, &sample_log, &e))
		return -1;
	p = cove_test_shared_path(CCEL_DIR "cos-113-tdx-quote.dat");
	if (cove_file_read(p, 1 << 20, &sample_quote, &e))
		return -1;
	p = cove_test_shared_path(CCEL_DIR "ccel_table.dat");
	if (cove_file_read(p, 4096, &sample_table, &e))
		return -1;
	return 0;
}

static int unload(void **state)
{
	(void)state;
	cove_buf_free(&sample_log);
	cove_buf_free(&sample_quote);
	cove_buf_free(&sample_table);
	return 0;
}

static void need_sample(void)
{
	if (!sample_log.len)
		skip();
}

/* A writable copy of the sample log (the caller frees it). */
static uint8_t *log_copy(void)
{
	uint8_t *c = malloc(sample_log.len);
	assert_non_null(c);
	memcpy(c, sample_log.data, sample_log.len);
	return c;
}

static const uint8_t *quote_rtmrs(void)
{
	assert_true(sample_quote.len >= QUOTE_RTMR0 + 4 * 48);
	return sample_quote.data + QUOTE_RTMR0;
}

static void test_sample_replay(void **state)
{
	(void)state;
	need_sample();
	cove_tdx_eventlog log;
	cove_tdx_rtmrs r;
	cove_error e = {0};
	unsigned mismatch = 99;
	assert_int_equal(cove_tdx_eventlog_parse(sample_log.data, sample_log.len, &log, &e), COVE_OK);
	assert_int_equal(log.count, SAMPLE_EVENTS);
	assert_int_equal(log.header_size, SPEC_RECORD);
	assert_int_equal(log.used, SAMPLE_USED);
	assert_int_equal(log.padding, 262144 - SAMPLE_USED);
	assert_int_equal(log.spec_version_major, 2);
	assert_int_equal(log.uintn_size, 2);
	assert_int_equal(log.alg_count, 1);
	assert_int_equal(log.algs[0].id, COVE_TCG_ALG_SHA384);
	assert_int_equal(log.algs[0].size, 48);
	assert_int_equal(cove_tdx_eventlog_replay(&log, &r, &e), COVE_OK);
	assert_int_equal(r.extended[0], 16);
	assert_int_equal(r.extended[1], 7);
	assert_int_equal(r.extended[2], 20);
	assert_int_equal(r.extended[3], 0);
	/* Byte-exact against the quote, and independently against the known RTMR0 value. */
	assert_int_equal(cove_tdx_rtmr_compare(&r, quote_rtmrs(), 0xf, &mismatch, &e), COVE_OK);
	assert_int_equal(mismatch, 0);
	char *h = cove_hex_new(r.rtmr[0], 48);
	assert_string_equal(h, "3fa2f61f395b7f5feefb4ec2df61297f109ad8abcd6410c1b7df60f21f37b19297fc35e544039c7e1edece752afd17f6");
	free(h);
	assert_true(cove_is_zero(r.rtmr[3], 48));

	/* First and last events as logged. */
	const cove_tdx_event *ev = &log.events[0];
	assert_int_equal(ev->seq, 1);
	assert_int_equal(ev->offset, SPEC_RECORD);
	assert_int_equal(ev->mr_index, 1);
	assert_int_equal(ev->type, 0x8000000B);
	assert_int_equal(ev->digest_count, 1);
	assert_int_equal(ev->data_len, 42);
	ev = &log.events[SAMPLE_EVENTS - 1];
	assert_int_equal(ev->offset, 17995);
	assert_int_equal(ev->mr_index, 2);
	assert_int_equal(ev->offset + ev->size, SAMPLE_USED);
	cove_tdx_eventlog_free(&log);
}

static void test_sample_describe(void **state)
{
	(void)state;
	need_sample();
	cove_tdx_eventlog log;
	cove_error e = {0};
	char s[256];
	assert_int_equal(cove_tdx_eventlog_parse(sample_log.data, sample_log.len, &log, &e), COVE_OK);
	static const struct {
		size_t seq;
		const char *type, *summary;
	} want[] = {
		{1, "EV_EFI_HANDOFF_TABLES2", "TdxTable, 1 table"},
		{2, "EV_EFI_PLATFORM_FIRMWARE_BLOB2", "Fv(48DB5E17-707C-472D-91CD-1613E7EF51B0), 131072 bytes at 0xffe00000"},
		{3, "EV_EFI_VARIABLE_DRIVER_CONFIG", "SecureBoot {8be4df61-93ca-11d2-aa0d-00e098032b8c}, 1 byte: 00"},
		{6, "EV_EFI_VARIABLE_DRIVER_CONFIG", "db {d719b2cb-3d3a-4596-a3bc-dad00e67656f}, 1085 bytes"},
		{8, "EV_SEPARATOR", "separator 0x00000000"},
		{9, "EV_PLATFORM_CONFIG_FLAGS", "ACPI DATA"},
		{12, "EV_EFI_VARIABLE_BOOT", "BootOrder {8be4df61-93ca-11d2-aa0d-00e098032b8c}, 4 bytes: 01000000"},
		{15, "EV_EFI_ACTION", "Calling EFI Application from Boot Option"},
		{17, "EV_EFI_GPT_EVENT", "GPT with 12 partitions"},
		{18, "EV_EFI_BOOT_SERVICES_APPLICATION", "image of 924688 bytes at 0xbcb5c018, path \\EFI\\BOOT\\BOOTX64.EFI"},
		{21, "EV_EFI_VARIABLE_AUTHORITY", "SbatLevel {605dab50-e046-4300-abb6-3dd810dd8b23}, 18 bytes"},
		{25, "EV_IPL", "/efi/boot/grub.cfg"},
		{43, "EV_EFI_ACTION", "Exit Boot Services Returned with Success"},
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const cove_tdx_event *ev = &log.events[want[i].seq - 1];
		assert_string_equal(cove_tdx_event_type_name(ev->type), want[i].type);
		cove_tdx_event_describe(ev, s, sizeof(s));
		assert_string_equal(s, want[i].summary);
	}
	/* Long text is cut with "..." and new lines are escaped; a tiny buffer stays terminated. */
	cove_tdx_event_describe(&log.events[32], s, sizeof(s));
	assert_non_null(strstr(s, "grub_cmd: menuentry local image A {\\n  linux /syslinux/vmlinuz.A"));
	assert_int_equal(strcmp(s + strlen(s) - 3, "..."), 0);
	cove_tdx_event_describe(&log.events[14], s, 8);
	assert_string_equal(s, "Calling");
	cove_tdx_eventlog_free(&log);
}

static void test_sample_json(void **state)
{
	(void)state;
	need_sample();
	cove_tdx_eventlog log;
	cove_error e = {0};
	assert_int_equal(cove_tdx_eventlog_parse(sample_log.data, sample_log.len, &log, &e), COVE_OK);
	json_t *j = cove_tdx_eventlog_to_json(&log);
	assert_non_null(j);
	json_t *events = json_object_get(j, "events");
	assert_int_equal(json_array_size(events), SAMPLE_EVENTS);
	json_t *ev = json_array_get(events, 14);
	assert_int_equal(json_integer_value(json_object_get(ev, "seq")), 15);
	assert_string_equal(json_string_value(json_object_get(ev, "mr")), "RTMR1");
	assert_int_equal(json_integer_value(json_object_get(ev, "mr_index")), 2);
	assert_string_equal(json_string_value(json_object_get(ev, "type_name")), "EV_EFI_ACTION");
	assert_true(json_is_true(json_object_get(ev, "data_hashed")));
	json_t *d = json_array_get(json_object_get(ev, "digests"), 0);
	assert_string_equal(json_string_value(json_object_get(d, "alg")), "sha384");
	/* The digest in the JSON is SHA-384 of the action string. */
	uint8_t h[48];
	const char *action = "Calling EFI Application from Boot Option";
	assert_int_equal(cove_digest(COVE_SHA384, action, strlen(action), h, NULL), COVE_OK);
	char *hex = cove_hex_new(h, 48);
	assert_string_equal(json_string_value(json_object_get(d, "digest")), hex);
	free(hex);
	/* An image load event: the digest is of the PE image, not of the event data. */
	assert_true(json_is_false(json_object_get(json_array_get(events, 17), "data_hashed")));
	json_t *spec = json_object_get(j, "spec_id");
	assert_string_equal(json_string_value(json_object_get(spec, "version")), "2.0 errata 0");
	assert_int_equal(json_array_size(json_object_get(spec, "algorithms")), 1);
	assert_int_equal(json_integer_value(json_object_get(j, "used")), SAMPLE_USED);
	json_decref(j);
	cove_tdx_eventlog_free(&log);
}

/* Every extended event's digest matters, and only to its own RTMR. */
static void test_digest_flips(void **state)
{
	(void)state;
	need_sample();
	cove_tdx_eventlog log;
	cove_error e = {0};
	assert_int_equal(cove_tdx_eventlog_parse(sample_log.data, sample_log.len, &log, &e), COVE_OK);
	uint8_t *c = log_copy();
	for (size_t i = 0; i < log.count; i++) {
		const cove_tdx_event *ev = &log.events[i];
		size_t at = (size_t)(ev->digests[0].value - sample_log.data) + (i * 7) % 48;
		c[at] ^= 0x01;
		cove_tdx_eventlog tampered;
		cove_tdx_rtmrs r;
		unsigned mismatch = 0;
		assert_int_equal(cove_tdx_eventlog_parse(c, sample_log.len, &tampered, &e), COVE_OK);
		assert_int_equal(cove_tdx_eventlog_replay(&tampered, &r, &e), COVE_OK);
		assert_int_equal(cove_tdx_rtmr_compare(&r, quote_rtmrs(), 0xf, &mismatch, &e), COVE_ERR_VERIFY);
		assert_int_equal(mismatch, 1u << (ev->mr_index - 1));
		char name[16];
		snprintf(name, sizeof(name), "RTMR%u", ev->mr_index - 1);
		assert_non_null(strstr(e.msg, name));
		/* Comparing only the other RTMRs still succeeds. */
		assert_int_equal(cove_tdx_rtmr_compare(&r, quote_rtmrs(), 0xf & ~mismatch, NULL, &e), COVE_OK);
		cove_tdx_eventlog_free(&tampered);
		c[at] ^= 0x01;
	}
	/* Event data is not what is extended: changing it leaves the replay intact, and JSON says so. */
	const cove_tdx_event *action = &log.events[14];
	c[(size_t)(action->data - sample_log.data)] ^= 0x20; /* 'C' -> 'c' */
	cove_tdx_eventlog tampered;
	cove_tdx_rtmrs r;
	assert_int_equal(cove_tdx_eventlog_parse(c, sample_log.len, &tampered, &e), COVE_OK);
	assert_int_equal(cove_tdx_eventlog_replay(&tampered, &r, &e), COVE_OK);
	assert_int_equal(cove_tdx_rtmr_compare(&r, quote_rtmrs(), 0xf, NULL, &e), COVE_OK);
	json_t *j = cove_tdx_eventlog_to_json(&tampered);
	assert_true(json_is_false(json_object_get(json_array_get(json_object_get(j, "events"), 14), "data_hashed")));
	json_decref(j);
	cove_tdx_eventlog_free(&tampered);
	free(c);
	cove_tdx_eventlog_free(&log);
}

/* Dropping the last event (Exit Boot Services) changes RTMR1 only. */
static void test_missing_event(void **state)
{
	(void)state;
	need_sample();
	cove_tdx_eventlog log;
	cove_tdx_rtmrs r;
	cove_error e = {0};
	unsigned mismatch = 0;
	assert_int_equal(cove_tdx_eventlog_parse(sample_log.data, 17995, &log, &e), COVE_OK);
	assert_int_equal(log.count, SAMPLE_EVENTS - 1);
	assert_int_equal(log.padding, 0);
	assert_int_equal(cove_tdx_eventlog_replay(&log, &r, &e), COVE_OK);
	assert_int_equal(cove_tdx_rtmr_compare(&r, quote_rtmrs(), 0xf, &mismatch, &e), COVE_ERR_VERIFY);
	assert_int_equal(mismatch, 0x2);
	assert_string_equal(e.msg, "the event log does not replay to the expected value of RTMR1");
	cove_tdx_eventlog_free(&log);
}

static void test_padding(void **state)
{
	(void)state;
	need_sample();
	cove_tdx_eventlog log;
	cove_tdx_rtmrs r;
	cove_error e = {0};
	uint8_t *c = log_copy();
	/* Unpadded: the log ends with the buffer. */
	assert_int_equal(cove_tdx_eventlog_parse(c, SAMPLE_USED, &log, &e), COVE_OK);
	assert_int_equal(log.count, SAMPLE_EVENTS);
	assert_int_equal(log.padding, 0);
	cove_tdx_eventlog_free(&log);
	/* Zero padding instead of 0xFF. */
	memset(c + SAMPLE_USED, 0, sample_log.len - SAMPLE_USED);
	assert_int_equal(cove_tdx_eventlog_parse(c, sample_log.len, &log, &e), COVE_OK);
	assert_int_equal(log.count, SAMPLE_EVENTS);
	assert_int_equal(log.padding, sample_log.len - SAMPLE_USED);
	assert_int_equal(cove_tdx_eventlog_replay(&log, &r, &e), COVE_OK);
	assert_int_equal(cove_tdx_rtmr_compare(&r, quote_rtmrs(), 0xf, NULL, &e), COVE_OK);
	cove_tdx_eventlog_free(&log);
	/* A short padding tail (fewer bytes than a record header) is still padding. */
	memset(c + SAMPLE_USED, 0xff, 5);
	assert_int_equal(cove_tdx_eventlog_parse(c, SAMPLE_USED + 5, &log, &e), COVE_OK);
	assert_int_equal(log.count, SAMPLE_EVENTS);
	cove_tdx_eventlog_free(&log);
	/* Something after the 0xFF end marker: not padding, so not silently ignored. */
	memcpy(c, sample_log.data, sample_log.len);
	c[sample_log.len - 1] = 0x01;
	assert_int_equal(cove_tdx_eventlog_parse(c, sample_log.len, &log, &e), COVE_ERR_PARSE);
	assert_string_equal(e.msg, "event 44 at offset 18101: MR index 0xffffffff marks the end of the log, but bytes "
				   "other than padding follow");
	assert_null(log.events);
	free(c);
}

static void test_truncated(void **state)
{
	(void)state;
	need_sample();
	cove_tdx_eventlog log;
	cove_error e = {0};
	static const struct {
		size_t len;
		const char *msg;
	} cases[] = {
		{0, "event log: the Spec ID header record needs 32 bytes, the log has 0"},
		{20, "event log: the Spec ID header record needs 32 bytes, the log has 20"},
		{50, "event log: the Spec ID event claims 33 bytes, only 18 remain after its header"},
		{SPEC_RECORD + 5, "event 1 at offset 65: the record header needs 12 bytes, only 5 remain (truncated log)"},
		{SPEC_RECORD + 13, "event 1 at offset 65: digest 0's algorithm ID runs past the end of the log (truncated log)"},
		{SPEC_RECORD + 40, "event 1 at offset 65: the 48-byte sha384 digest runs past the end of the log (truncated log)"},
		{SPEC_RECORD + 63, "event 1 at offset 65: the event size field runs past the end of the log (truncated log)"},
		{SPEC_RECORD + 70, "event 1 at offset 65: event data of 42 bytes runs past the end of the log (4 bytes remain)"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(cove_tdx_eventlog_parse(sample_log.data, cases[i].len, &log, &e), COVE_ERR_PARSE);
		assert_string_equal(e.msg, cases[i].msg);
		assert_null(log.events);
		assert_int_equal(log.count, 0);
	}
	/* Every cut: a clean error inside a record, a shorter log at a record boundary. */
	size_t boundaries = 0;
	for (size_t len = SPEC_RECORD; len <= SAMPLE_USED; len += 3) {
		cove_err rc = cove_tdx_eventlog_parse(sample_log.data, len, &log, &e);
		if (rc == COVE_OK) {
			assert_int_equal(log.used, len);
			boundaries++;
		} else {
			assert_int_equal(rc, COVE_ERR_PARSE);
			assert_true(strstr(e.msg, "truncated log") || strstr(e.msg, "runs past the end of the log"));
		}
		cove_tdx_eventlog_free(&log);
	}
	assert_true(boundaries > 0);
}

/* Field offsets of event 1 of the sample (one SHA-384 digest). */
#define EV1 SPEC_RECORD
#define EV1_COUNT (EV1 + TCG_EV2_DIGEST_COUNT)
#define EV1_ALG (EV1 + TCG_EV2_DIGESTS)
#define EV1_SIZE (EV1 + TCG_EV2_DIGESTS + 2 + 48)

static void expect_parse_error(const uint8_t *log, size_t len, const char *msg)
{
	cove_tdx_eventlog l;
	cove_error e = {0};
	assert_int_equal(cove_tdx_eventlog_parse(log, len, &l, &e), COVE_ERR_PARSE);
	assert_string_equal(e.msg, msg);
	assert_null(l.events);
}

static void test_bad_fields(void **state)
{
	(void)state;
	need_sample();
	uint8_t *c = log_copy();
	size_t n = sample_log.len;

	cove_put_le32(c + EV1_COUNT, 0);
	expect_parse_error(c, n, "event 1 at offset 65: digest count 0; the Spec ID event allows 1 to 1");
	cove_put_le32(c + EV1_COUNT, 2);
	expect_parse_error(c, n, "event 1 at offset 65: digest count 2; the Spec ID event allows 1 to 1");
	cove_put_le32(c + EV1_COUNT, 0xffffffff);
	expect_parse_error(c, n, "event 1 at offset 65: digest count 4294967295; the Spec ID event allows 1 to 1");
	memcpy(c, sample_log.data, n);

	cove_put_le32(c + EV1_SIZE, 0xffffffff);
	expect_parse_error(c, n, "event 1 at offset 65: event data of 4294967295 bytes runs past the end of the log "
				 "(262013 bytes remain)");
	cove_put_le32(c + EV1_SIZE, (uint32_t)(n - EV1_SIZE - 4 + 1));
	expect_parse_error(c, n, "event 1 at offset 65: event data of 262014 bytes runs past the end of the log "
				 "(262013 bytes remain)");
	memcpy(c, sample_log.data, n);

	cove_put_le16(c + EV1_ALG, COVE_TCG_ALG_SHA256);
	expect_parse_error(c, n, "event 1 at offset 65: digest 0 uses algorithm 0x000b, which the Spec ID event does "
				 "not declare");
	cove_put_le16(c + EV1_ALG, 0x1234);
	expect_parse_error(c, n, "event 1 at offset 65: digest 0 uses algorithm 0x1234, which the Spec ID event does "
				 "not declare");
	memcpy(c, sample_log.data, n);

	/* A later event: the number and offset point at it. */
	cove_put_le16(c + 17995 + TCG_EV2_DIGESTS, COVE_TCG_ALG_SHA1);
	expect_parse_error(c, n, "event 43 at offset 17995: digest 0 uses algorithm 0x0004, which the Spec ID event "
				 "does not declare");
	memcpy(c, sample_log.data, n);

	cove_put_le32(c + EV1 + TCG_EV2_INDEX, 0);
	expect_parse_error(c, n, "event 1 at offset 65: a measured event for MR index 0 (MRTD), which cannot be "
				 "extended at run time");
	cove_put_le32(c + EV1 + TCG_EV2_INDEX, 5);
	expect_parse_error(c, n, "event 1 at offset 65: MR index 5 is not a TDX measurement register (0 MRTD, 1..4 "
				 "RTMR0..3)");
	/* An EV_NO_ACTION event is not extended, so its index does not matter. */
	cove_put_le32(c + EV1 + TCG_EV2_TYPE, COVE_TCG_EV_NO_ACTION);
	cove_tdx_eventlog l;
	cove_tdx_rtmrs r;
	cove_error e = {0};
	assert_int_equal(cove_tdx_eventlog_parse(c, n, &l, &e), COVE_OK);
	assert_int_equal(cove_tdx_eventlog_replay(&l, &r, &e), COVE_OK);
	assert_int_equal(r.extended[0], 15);
	assert_int_equal(cove_tdx_rtmr_compare(&r, quote_rtmrs(), 0xf, NULL, &e), COVE_ERR_VERIFY);
	assert_string_equal(e.msg, "the event log does not replay to the expected value of RTMR0");
	cove_tdx_eventlog_free(&l);
	free(c);
}

static void test_bad_spec_id(void **state)
{
	(void)state;
	need_sample();
	uint8_t *c = log_copy();
	size_t n = sample_log.len;
	const size_t spec = TCG_EV1_EVENT;

	cove_put_le32(c + TCG_EV1_TYPE, 0x80000001);
	expect_parse_error(c, n, "event log: the first record has event type 0x80000001, not EV_NO_ACTION: this is not "
				 "a crypto-agile log starting with the Spec ID event");
	memcpy(c, sample_log.data, n);
	c[TCG_EV1_DIGEST + 19] = 1;
	expect_parse_error(c, n, "event log: the Spec ID header record carries a non-zero SHA-1 digest (it must be 20 "
				 "zero bytes)");
	memcpy(c, sample_log.data, n);
	c[spec + 14] = '2'; /* "Spec ID Event02" */
	expect_parse_error(c, n, "event log: the first event's signature is not \"Spec ID Event03\": a SHA-1-only (TPM "
				 "1.2 style) log cannot hold RTMR digests");
	memcpy(c, sample_log.data, n);
	c[spec + TCG_SPEC_VERSION_MAJOR] = 1;
	expect_parse_error(c, n, "event log: Spec ID event version 1.0; expected 2.x");
	memcpy(c, sample_log.data, n);
	cove_put_le32(c + spec + TCG_SPEC_NUM_ALGS, 0);
	expect_parse_error(c, n, "event log: the Spec ID event declares 0 digest algorithms; expected 1 to 8");
	cove_put_le32(c + spec + TCG_SPEC_NUM_ALGS, 2);
	expect_parse_error(c, n, "event log: the Spec ID event's 2 algorithm entries run past its 33 bytes");
	memcpy(c, sample_log.data, n);
	cove_put_le16(c + spec + TCG_SPEC_ALGS + 2, 32);
	expect_parse_error(c, n, "event log: the Spec ID event gives sha384 (0x000c) a 32-byte digest; it has 48");
	memcpy(c, sample_log.data, n);
	c[spec + TCG_SPEC_ALGS + 4] = 3; /* vendorInfoSize 3 in a 33-byte event */
	expect_parse_error(c, n, "event log: the Spec ID event is 33 bytes but its fields (algorithms: 1, vendor info: "
				 "3 bytes) make 36");
	memcpy(c, sample_log.data, n);
	cove_put_le32(c + TCG_EV1_EVENT_SIZE, 20);
	expect_parse_error(c, n, "event log: the Spec ID event has 20 bytes, fewer than the 33 of the smallest "
				 "TCG_EfiSpecIDEventStruct");
	cove_put_le32(c + TCG_EV1_EVENT_SIZE, 0xfffffff0);
	expect_parse_error(c, n, "event log: the Spec ID event claims 4294967280 bytes, only 262112 remain after its "
				 "header");
	free(c);
}

/* ---- synthetic logs ---- */

typedef struct lb {
	uint8_t buf[4096];
	size_t len;
} lb;

static void lb_put(lb *b, const void *d, size_t n)
{
	assert_true(b->len + n <= sizeof(b->buf));
	memcpy(b->buf + b->len, d, n);
	b->len += n;
}

static void lb_u32(lb *b, uint32_t v)
{
	uint8_t t[4];
	cove_put_le32(t, v);
	lb_put(b, t, 4);
}

static void lb_u16(lb *b, uint16_t v)
{
	uint8_t t[2];
	cove_put_le16(t, v);
	lb_put(b, t, 2);
}

/* The Spec ID record with the given algorithms. */
static void lb_spec(lb *b, const cove_tcg_alg *algs, size_t n)
{
	uint8_t zero[20] = {0};
	lb_u32(b, 0);
	lb_u32(b, COVE_TCG_EV_NO_ACTION);
	lb_put(b, zero, 20);
	lb_u32(b, (uint32_t)(TCG_SPEC_ALGS + 4 * n + 1));
	lb_put(b, "Spec ID Event03", 16);
	lb_u32(b, 0);
	uint8_t ver[4] = {0, 2, 0, 2};
	lb_put(b, ver, 4);
	lb_u32(b, (uint32_t)n);
	for (size_t i = 0; i < n; i++) {
		lb_u16(b, algs[i].id);
		lb_u16(b, algs[i].size);
	}
	uint8_t vendor = 0;
	lb_put(b, &vendor, 1);
}

/* One event with a digest per algorithm: SHA-384 of the data for sha384, a pattern otherwise. */
static void lb_event(lb *b, uint32_t mr, uint32_t type, const cove_tcg_alg *algs, size_t n, const void *data,
		     size_t dlen)
{
	lb_u32(b, mr);
	lb_u32(b, type);
	lb_u32(b, (uint32_t)n);
	for (size_t i = 0; i < n; i++) {
		uint8_t d[512];
		lb_u16(b, algs[i].id);
		if (algs[i].id == COVE_TCG_ALG_SHA384)
			assert_int_equal(cove_digest(COVE_SHA384, data, dlen, d, NULL), COVE_OK);
		else
			memset(d, 0x5a, algs[i].size);
		lb_put(b, d, algs[i].size);
	}
	lb_u32(b, (uint32_t)dlen);
	lb_put(b, data, dlen);
}

static void test_synthetic_algorithms(void **state)
{
	(void)state;
	/* A vendor algorithm declared in the Spec ID event is skipped by its declared size. */
	const cove_tcg_alg algs[] = {{COVE_TCG_ALG_SHA256, 32}, {0x00fe, 10}, {COVE_TCG_ALG_SHA384, 48}};
	lb b = {0};
	cove_tdx_eventlog log;
	cove_tdx_rtmrs r;
	cove_error e = {0};
	lb_spec(&b, algs, 3);
	lb_event(&b, 4, COVE_TCG_EV_IPL, algs, 3, "hello", 5);
	lb_event(&b, 4, COVE_TCG_EV_NO_ACTION, algs, 3, "StartupLocality\0\3", 17);
	lb_event(&b, 1, 0x00000001, algs, 2, "x", 1); /* sha256 and the vendor digest only */
	assert_int_equal(cove_tdx_eventlog_parse(b.buf, b.len, &log, &e), COVE_OK);
	assert_int_equal(log.count, 3);
	assert_int_equal(log.alg_count, 3);
	assert_int_equal(log.events[0].digest_count, 3);
	assert_int_equal(log.events[0].digests[1].alg, 0x00fe);
	assert_int_equal(log.events[0].digests[1].size, 10);
	assert_null(cove_tcg_alg_name(0x00fe));
	/* The third event has no SHA-384 digest, so it cannot be replayed. */
	assert_int_equal(cove_tdx_eventlog_replay(&log, &r, &e), COVE_ERR_PARSE);
	assert_string_equal(e.msg, "event 3 at offset 319: no SHA-384 digest, but RTMRs are SHA-384 registers");
	cove_tdx_eventlog_free(&log);

	/* Without it: RTMR3 = SHA-384(0^48 || SHA-384("hello")). */
	assert_int_equal(cove_tdx_eventlog_parse(b.buf, 319, &log, &e), COVE_OK);
	assert_int_equal(cove_tdx_eventlog_replay(&log, &r, &e), COVE_OK);
	uint8_t chain[96] = {0}, want[48];
	assert_int_equal(cove_digest(COVE_SHA384, "hello", 5, chain + 48, NULL), COVE_OK);
	assert_int_equal(cove_digest(COVE_SHA384, chain, 96, want, NULL), COVE_OK);
	assert_memory_equal(r.rtmr[3], want, 48);
	assert_int_equal(r.extended[3], 1);
	assert_int_equal(r.extended[0] + r.extended[1] + r.extended[2], 0);
	uint8_t expected[4 * 48] = {0};
	memcpy(expected + 3 * 48, want, 48);
	assert_int_equal(cove_tdx_rtmr_compare(&r, expected, 0xf, NULL, &e), COVE_OK);
	/* A mismatch on two RTMRs names both. */
	expected[0] = 1;
	expected[3 * 48] ^= 1;
	unsigned mismatch = 0;
	assert_int_equal(cove_tdx_rtmr_compare(&r, expected, 0xf, &mismatch, &e), COVE_ERR_VERIFY);
	assert_int_equal(mismatch, 0x9);
	assert_string_equal(e.msg, "the event log does not replay to the expected value of RTMR0, RTMR3");
	assert_int_equal(cove_tdx_rtmr_compare(&r, expected, 0x6, &mismatch, &e), COVE_OK);
	assert_int_equal(mismatch, 0);
	cove_tdx_eventlog_free(&log);

	/* A repeated algorithm in an event or in the Spec ID event. */
	lb d = {0};
	const cove_tcg_alg two[] = {{COVE_TCG_ALG_SHA384, 48}, {COVE_TCG_ALG_SHA384, 48}};
	lb_spec(&d, algs, 3);
	lb_event(&d, 1, COVE_TCG_EV_IPL, two, 2, "a", 1);
	assert_int_equal(cove_tdx_eventlog_parse(d.buf, d.len, &log, &e), COVE_ERR_PARSE);
	assert_string_equal(e.msg, "event 1 at offset 73: algorithm 0x000c appears twice");
	d.len = 0;
	lb_spec(&d, two, 2);
	assert_int_equal(cove_tdx_eventlog_parse(d.buf, d.len, &log, &e), COVE_ERR_PARSE);
	assert_string_equal(e.msg, "event log: the Spec ID event declares algorithm 0x000c twice");
	/* An undeclared size for a vendor algorithm. */
	const cove_tcg_alg silly[] = {{0x7777, 0}};
	d.len = 0;
	lb_spec(&d, silly, 1);
	assert_int_equal(cove_tdx_eventlog_parse(d.buf, d.len, &log, &e), COVE_ERR_PARSE);
	assert_string_equal(e.msg, "event log: the Spec ID event gives algorithm 0x7777 a 0-byte digest; expected 1 to 512");
}

static void test_synthetic_describe(void **state)
{
	(void)state;
	const cove_tcg_alg alg = {COVE_TCG_ALG_SHA384, 48};
	lb b = {0};
	cove_tdx_eventlog log;
	cove_error e = {0};
	char s[256];
	static const uint8_t ucs2[] = {'B', 0, 'I', 0, 'O', 0, 'S', 0, 0, 0};
	static const uint8_t tagged[] = {0x11, 0, 0, 0, 2, 0, 0, 0, 0xaa, 0xbb};
	static const uint8_t binary[] = {0x00, 0x01, 0xfe, 0x80};
	static const uint8_t sep_err[] = {0xff, 0xff, 0xff, 0xff};
	uint8_t big[300];
	memset(big, 0x81, sizeof(big));
	lb_spec(&b, &alg, 1);
	lb_event(&b, 1, 0x00000008, &alg, 1, ucs2, sizeof(ucs2));           /* EV_S_CRTM_VERSION */
	lb_event(&b, 1, COVE_TCG_EV_EVENT_TAG, &alg, 1, tagged, sizeof(tagged));
	lb_event(&b, 1, 0x00000001, &alg, 1, binary, sizeof(binary));        /* EV_POST_CODE */
	lb_event(&b, 1, COVE_TCG_EV_SEPARATOR, &alg, 1, sep_err, sizeof(sep_err));
	lb_event(&b, 2, 0x12345678, &alg, 1, big, sizeof(big));
	lb_event(&b, 2, 0x80000001, &alg, 1, "short", 5); /* variable event too short for UEFI_VARIABLE_DATA */
	lb_event(&b, 3, 0x80000003, &alg, 1, big, 40);     /* image event with a bogus device path length */
	assert_int_equal(cove_tdx_eventlog_parse(b.buf, b.len, &log, &e), COVE_OK);
	assert_int_equal(log.count, 7);
	static const char *const want[] = {
		"BIOS", "tag 0x00000011, 2 bytes", "4 bytes: 0001fe80", "separator 0xffffffff (error)", "300 bytes",
		"short",
		"image of 9331882296111890817 bytes at 0x8181818181818181",
	};
	for (size_t i = 0; i < log.count; i++) {
		cove_tdx_event_describe(&log.events[i], s, sizeof(s));
		assert_string_equal(s, want[i]);
	}
	assert_string_equal(cove_tdx_event_type_name(0x00000008), "EV_S_CRTM_VERSION");
	assert_null(cove_tdx_event_type_name(0x12345678));
	assert_string_equal(cove_tdx_event_type_name(0x800000E0), "EV_EFI_VARIABLE_AUTHORITY");
	assert_string_equal(cove_tdx_mr_name(0), "MRTD");
	assert_string_equal(cove_tdx_mr_name(4), "RTMR3");
	assert_null(cove_tdx_mr_name(5));
	json_t *j = cove_tdx_eventlog_to_json(&log);
	json_t *ev = json_array_get(json_object_get(j, "events"), 4);
	assert_true(json_is_null(json_object_get(ev, "type_name")));
	assert_int_equal(json_integer_value(json_object_get(ev, "type")), 0x12345678);
	assert_true(json_is_true(json_object_get(ev, "data_hashed")));
	json_decref(j);
	cove_tdx_eventlog_free(&log);
}

static void test_event_limit(void **state)
{
	(void)state;
	/* 65537 minimal events: refused once the limit is passed, not allocated without bound. */
	const cove_tcg_alg alg = {COVE_TCG_ALG_SHA1, 20};
	size_t rec = 12 + 2 + 20 + 4, n = COVE_TDX_EVENTLOG_MAX_EVENTS + 1;
	lb head = {0};
	lb_spec(&head, &alg, 1);
	size_t len = head.len + n * rec;
	uint8_t *buf = calloc(1, len);
	assert_non_null(buf);
	memcpy(buf, head.buf, head.len);
	for (size_t i = 0; i < n; i++) {
		uint8_t *p = buf + head.len + i * rec;
		cove_put_le32(p, 1);
		cove_put_le32(p + 4, COVE_TCG_EV_IPL);
		cove_put_le32(p + 8, 1);
		cove_put_le16(p + 12, COVE_TCG_ALG_SHA1);
		p[14] = 1;
	}
	cove_tdx_eventlog log;
	cove_error e = {0};
	assert_int_equal(cove_tdx_eventlog_parse(buf, len - rec, &log, &e), COVE_OK);
	assert_int_equal(log.count, COVE_TDX_EVENTLOG_MAX_EVENTS);
	/* Parsed, but a SHA-1-only log cannot be replayed into RTMRs. */
	cove_tdx_rtmrs r;
	assert_int_equal(cove_tdx_eventlog_replay(&log, &r, &e), COVE_ERR_PARSE);
	assert_non_null(strstr(e.msg, "event 1 at offset 65: no SHA-384 digest"));
	cove_tdx_eventlog_free(&log);
	assert_int_equal(cove_tdx_eventlog_parse(buf, len, &log, &e), COVE_ERR_PARSE);
	assert_non_null(strstr(e.msg, "more than 65536 events"));
	free(buf);
}

/* ---- ACPI CCEL table ---- */

static void fix_checksum(uint8_t *t, size_t n)
{
	uint8_t sum = 0;
	t[CCEL_CHECKSUM] = 0;
	for (size_t i = 0; i < n; i++)
		sum = (uint8_t)(sum + t[i]);
	t[CCEL_CHECKSUM] = (uint8_t)(0x100 - sum);
}

static void test_ccel_table(void **state)
{
	(void)state;
	need_sample();
	cove_tdx_ccel_table t;
	cove_error e = {0};
	uint8_t c[64];
	assert_int_equal(sample_table.len, 56);
	assert_int_equal(cove_tdx_ccel_table_parse(sample_table.data, sample_table.len, &t, &e), COVE_OK);
	assert_int_equal(t.length, 56);
	assert_int_equal(t.revision, 1);
	assert_int_equal(t.cc_type, COVE_CCEL_CC_TYPE_TDX);
	assert_int_equal(t.cc_subtype, 0);
	assert_int_equal(t.laml, 0x40000);
	assert_true(t.lasa == 0xbedbf000ull);
	assert_string_equal(t.oem_id, "INTEL ");
	assert_string_equal(t.oem_table_id, "EDK2    ");
	/* The sample log is exactly the log area. */
	assert_int_equal(cove_tdx_ccel_table_check_log(&t, sample_log.len, &e), COVE_OK);
	assert_int_equal(cove_tdx_ccel_table_check_log(&t, sample_log.len + 1, &e), COVE_ERR_PARSE);
	assert_string_equal(e.msg, "the event log has 262145 bytes, more than the 262144-byte log area (LAML) of the "
				   "CCEL table: they do not belong together");
	json_t *j = cove_tdx_ccel_table_to_json(&t);
	assert_string_equal(json_string_value(json_object_get(j, "lasa")), "0xbedbf000");
	assert_int_equal(json_integer_value(json_object_get(j, "laml")), 262144);
	json_decref(j);

	/* Any changed byte breaks the checksum. */
	for (size_t i = 0; i < 56; i++) {
		if (i < 8)
			continue; /* signature and length have their own messages */
		memcpy(c, sample_table.data, 56);
		c[i] ^= 0x10;
		assert_int_equal(cove_tdx_ccel_table_parse(c, 56, &t, &e), COVE_ERR_PARSE);
		assert_non_null(strstr(e.msg, "CCEL table: bytes sum to 0x"));
	}
	memcpy(c, sample_table.data, 56);
	c[CCEL_CHECKSUM] ^= 1;
	assert_int_equal(cove_tdx_ccel_table_parse(c, 56, &t, &e), COVE_ERR_PARSE);
	assert_string_equal(e.msg, "CCEL table: bytes sum to 0xff, not 0 (checksum 0x68 is wrong or the table was "
				   "altered)");
	memcpy(c, sample_table.data, 56);
	memcpy(c, "TPM2", 4);
	assert_int_equal(cove_tdx_ccel_table_parse(c, 56, &t, &e), COVE_ERR_PARSE);
	assert_string_equal(e.msg, "CCEL table: signature is 54 50 4d 32, not \"CCEL\" (is this another ACPI table?)");
	assert_int_equal(cove_tdx_ccel_table_parse(sample_table.data, 55, &t, &e), COVE_ERR_PARSE);
	assert_string_equal(e.msg, "CCEL table: 55 bytes, fewer than the 56 of a CCEL table");
	memcpy(c, sample_table.data, 56);
	c[56] = 0;
	assert_int_equal(cove_tdx_ccel_table_parse(c, 57, &t, &e), COVE_ERR_PARSE);
	assert_string_equal(e.msg, "CCEL table: the length field says 56 bytes, the table has 57");
	/* A valid table for another CC type. */
	memcpy(c, sample_table.data, 56);
	c[CCEL_CC_TYPE] = COVE_CCEL_CC_TYPE_SEV;
	fix_checksum(c, 56);
	assert_int_equal(cove_tdx_ccel_table_parse(c, 56, &t, &e), COVE_ERR_UNSUPPORTED);
	assert_string_equal(e.msg, "CCEL table: CC type 1 (AMD SEV), not 2 (Intel TDX)");
	memcpy(c, sample_table.data, 56);
	cove_put_le64(c + CCEL_LAML, 0);
	fix_checksum(c, 56);
	assert_int_equal(cove_tdx_ccel_table_parse(c, 56, &t, &e), COVE_ERR_PARSE);
	assert_string_equal(e.msg, "CCEL table: the log area minimum length (LAML) is 0");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sample_replay),
		cmocka_unit_test(test_sample_describe),
		cmocka_unit_test(test_sample_json),
		cmocka_unit_test(test_digest_flips),
		cmocka_unit_test(test_missing_event),
		cmocka_unit_test(test_padding),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_bad_fields),
		cmocka_unit_test(test_bad_spec_id),
		cmocka_unit_test(test_synthetic_algorithms),
		cmocka_unit_test(test_synthetic_describe),
		cmocka_unit_test(test_event_limit),
		cmocka_unit_test(test_ccel_table),
	};
	return cmocka_run_group_tests(tests, load, unload);
}
