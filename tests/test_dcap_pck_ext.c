/*
 * The SGX extension of PCK certificates: Processor-CA and Platform-CA leaves
 * from shared/vectors parse to the values `openssl asn1parse` shows; DER built
 * here covers every rule (mandatory items, duplicates, ranges, exact octet
 * lengths, types, DER form, unknown items) and truncated or flipped real
 * extensions never crash.
 */
#include <stdlib.h>
#include <string.h>

#include "cove/dcap.h"
#include "testutil.h"

#define SGX_OID "1.2.840.113741.1.13.1"

static void hex(const char *h, uint8_t *out, size_t n)
{
	assert_int_equal(cove_hex_decode_fixed(h, out, n, NULL), COVE_OK);
}

static void check_bytes(const uint8_t *got, const char *want_hex, size_t n)
{
	uint8_t want[64];
	hex(want_hex, want, n);
	assert_memory_equal(got, want, n);
}

static cove_x509 *load_cert(const char *rel)
{
	cove_buf b = {0};
	cove_x509 *c = NULL;
	cove_error e = {0};
	cove_test_read_shared(rel, &b);
	if (cove_x509_parse(b.data, b.len, &c, &e) != COVE_OK)
		fail_msg("%s: %s", rel, e.msg);
	cove_buf_free(&b);
	return c;
}

/* The PCK leaf of a genuine quote (the first certificate of its chain). */
static cove_x509 *quote_leaf(const char *rel)
{
	cove_buf b = {0};
	cove_dcap_quote q;
	cove_error e = {0};
	cove_test_read_shared(rel, &b);
	if (cove_dcap_quote_parse(b.data, b.len, &q, &e) != COVE_OK)
		fail_msg("%s: %s", rel, e.msg);
	assert_true(q.pck_chain.count >= 1);
	cove_x509 *c = cove_x509_ref(q.pck_chain.certs[0]);
	cove_dcap_quote_free(&q);
	cove_buf_free(&b);
	return c;
}

static void parse_cert_ok(cove_x509 *c, cove_sgx_pck_ext *x)
{
	cove_error e = {0};
	if (cove_sgx_pck_ext_parse(c, x, &e) != COVE_OK)
		fail_msg("%s", e.msg);
}

static void test_platform_ca_leaf(void **state)
{
	(void)state;
	cove_sgx_pck_ext x;
	cove_x509 *c = load_cert("vectors/sgx/automata/solana-tests-data/pck.der");
	parse_cert_ok(c, &x);
	check_bytes(x.ppid, "CAEDEC04D9AFD957C2DF2DB0FC34836F", 16);
	static const uint8_t comp[16] = {12, 12, 3, 3, 255, 255, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0};
	assert_memory_equal(x.tcb_comp, comp, 16);
	assert_int_equal(x.pcesvn, 13);
	check_bytes(x.cpusvn, "0C0C0303FFFF01000000000000000000", 16);
	check_bytes(x.pceid, "0000", 2);
	check_bytes(x.fmspc, "00606A000000", 6);
	assert_int_equal(x.sgx_type, COVE_SGX_TYPE_SCALABLE);
	assert_true(x.has_platform_instance_id);
	check_bytes(x.platform_instance_id, "E9EBC4DA8072A2137AFF4AF003899DFA", 16);
	assert_true(x.has_configuration);
	assert_true(x.dynamic_platform);
	assert_false(x.cached_keys);
	assert_false(x.smt_enabled);

	json_t *j = cove_sgx_pck_ext_to_json(&x);
	assert_string_equal(json_string_value(json_object_get(j, "fmspc")), "00606a000000");
	assert_string_equal(json_string_value(json_object_get(j, "sgx_type_name")), "Scalable");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "tcb"), "pcesvn")), 13);
	json_t *svns = json_object_get(json_object_get(j, "tcb"), "sgx_tcb_comp_svn");
	assert_int_equal(json_array_size(svns), 16);
	assert_int_equal(json_integer_value(json_array_get(svns, 4)), 255);
	json_t *cfg = json_object_get(j, "configuration");
	assert_true(json_is_true(json_object_get(cfg, "dynamic_platform")));
	assert_true(json_is_false(json_object_get(cfg, "smt_enabled")));
	assert_string_equal(json_string_value(json_object_get(j, "platform_instance_id")),
			    "e9ebc4da8072a2137aff4af003899dfa");
	json_decref(j);
	cove_x509_free(c);
}

static void test_processor_ca_leaf(void **state)
{
	(void)state;
	cove_sgx_pck_ext x;
	cove_x509 *c = quote_leaf("vectors/sgx/phala-dcap-qvl/sgx_quote");
	parse_cert_ok(c, &x);
	check_bytes(x.ppid, "D04EC06D4E6D92DC90D0AD3CF5EE2DDF", 16);
	static const uint8_t comp[16] = {11, 11, 2, 2, 255, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
	assert_memory_equal(x.tcb_comp, comp, 16);
	assert_int_equal(x.pcesvn, 13);
	check_bytes(x.cpusvn, "0B0B0202FF0100000000000000000000", 16);
	check_bytes(x.fmspc, "00A067110000", 6);
	assert_int_equal(x.sgx_type, COVE_SGX_TYPE_STANDARD);
	assert_false(x.has_platform_instance_id);
	assert_false(x.has_configuration);
	json_t *j = cove_sgx_pck_ext_to_json(&x);
	assert_null(json_object_get(j, "configuration"));
	assert_null(json_object_get(j, "platform_instance_id"));
	json_decref(j);
	cove_x509_free(c);
}

static void test_tdx_platform_leaf(void **state)
{
	(void)state;
	cove_sgx_pck_ext x;
	cove_x509 *c = quote_leaf("vectors/tdx/phala-dcap-qvl/tdx_quote");
	parse_cert_ok(c, &x);
	check_bytes(x.ppid, "811DCA2A26B952E85BB6448B097BA4FD", 16);
	static const uint8_t comp[16] = {3, 3, 2, 2, 4, 1, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0};
	assert_memory_equal(x.tcb_comp, comp, 16);
	assert_int_equal(x.pcesvn, 11);
	check_bytes(x.cpusvn, "03030202040100050000000000000000", 16);
	check_bytes(x.fmspc, "B0C06F000000", 6);
	assert_int_equal(x.sgx_type, COVE_SGX_TYPE_SCALABLE);
	check_bytes(x.platform_instance_id, "07828474603E7019DC930775FFE8CDD2", 16);
	assert_true(x.dynamic_platform && x.cached_keys && x.smt_enabled);
	cove_x509_free(c);
}

static void test_qvl_sample_pck(void **state)
{
	(void)state;
	cove_sgx_pck_ext x;
	cove_x509 *c = load_cert("vectors/sgx/intel-qvl/sampleData/pckCert.pem");
	parse_cert_ok(c, &x);
	check_bytes(x.ppid, "8461863BB7ECE31F64C8E9B77FD31CAD", 16);
	static const uint8_t comp[16] = {0, 3, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0};
	assert_memory_equal(x.tcb_comp, comp, 16);
	assert_int_equal(x.pcesvn, 3);
	check_bytes(x.fmspc, "00707F000000", 6);
	cove_x509_free(c);
}

static void test_not_a_pck(void **state)
{
	(void)state;
	cove_sgx_pck_ext x;
	cove_error e = {0};
	cove_x509 *c = load_cert("vectors/sgx/automata/solana-tests-data/root.der");
	assert_int_equal(cove_sgx_pck_ext_parse(c, &x, &e), COVE_ERR_PARSE);
	assert_non_null(strstr(e.msg, "has no Intel SGX extension (OID " SGX_OID "): not a PCK certificate"));
	assert_non_null(strstr(e.msg, "CN=Intel SGX Root CA"));
	cove_x509_free(c);
	assert_int_equal(cove_sgx_pck_ext_parse(NULL, &x, &e), COVE_ERR_ARG);
}

/* ---- DER built here ---- */

typedef struct bytes {
	uint8_t b[2048];
	size_t n;
} bytes;

static void put_tlv(bytes *out, uint8_t tag, const uint8_t *c, size_t n)
{
	assert_true(out->n + n + 4 <= sizeof(out->b));
	out->b[out->n++] = tag;
	if (n < 128) {
		out->b[out->n++] = (uint8_t)n;
	} else if (n < 256) {
		out->b[out->n++] = 0x81;
		out->b[out->n++] = (uint8_t)n;
	} else {
		out->b[out->n++] = 0x82;
		out->b[out->n++] = (uint8_t)(n >> 8);
		out->b[out->n++] = (uint8_t)n;
	}
	memmove(out->b + out->n, c, n);
	out->n += n;
}

static void append(bytes *out, const bytes *in)
{
	assert_true(out->n + in->n <= sizeof(out->b));
	memcpy(out->b + out->n, in->b, in->n);
	out->n += in->n;
}

/* SEQUENCE { OID 1.2.840.113741.1.13.1.<arcs>, value } */
static void put_item(bytes *out, const uint8_t *arcs, size_t narcs, const bytes *value)
{
	static const uint8_t base[9] = {0x2A, 0x86, 0x48, 0x86, 0xF8, 0x4D, 0x01, 0x0D, 0x01};
	uint8_t oid[16];
	bytes inner = {.n = 0};
	memcpy(oid, base, 9);
	memcpy(oid + 9, arcs, narcs);
	put_tlv(&inner, 0x06, oid, 9 + narcs);
	append(&inner, value);
	put_tlv(out, 0x30, inner.b, inner.n);
}

static bytes octets(size_t n, uint8_t fill)
{
	bytes v = {.n = 0};
	uint8_t c[64];
	memset(c, fill, sizeof(c));
	put_tlv(&v, 0x04, c, n);
	return v;
}

/* Minimal two's-complement DER INTEGER (or ENUMERATED with tag 0x0A). */
static bytes integer(uint8_t tag, long x)
{
	bytes v = {.n = 0};
	uint8_t c[9];
	size_t n = 0;
	if (x < 0) {
		c[n++] = (uint8_t)x; /* -1 .. -128 only */
	} else {
		uint8_t tmp[9];
		size_t k = 0;
		do {
			tmp[k++] = (uint8_t)(x & 0xFF);
			x >>= 8;
		} while (x);
		if (tmp[k - 1] & 0x80)
			c[n++] = 0;
		while (k)
			c[n++] = tmp[--k];
	}
	put_tlv(&v, tag, c, n);
	return v;
}

static bytes boolean(uint8_t raw)
{
	bytes v = {.n = 0};
	put_tlv(&v, 0x01, &raw, 1);
	return v;
}

typedef struct variant {
	long svn[16];
	long pcesvn;
	size_t ppid_len, cpusvn_len, pceid_len, fmspc_len;
	long sgx_type;
	bool omit[8];      /* top-level .1 .. .7 */
	bool omit_tcb[19]; /* .2.1 .. .2.18 */
	bool dup_fmspc, dup_tcb3, dup_config1;
	bool platform;     /* add .6 and .7 */
	bool unknown_top, unknown_tcb, unknown_config;
	bool outside_arc;
	bool ppid_as_integer;
	uint8_t true_byte; /* encoding of TRUE in the configuration */
	bool long_length;  /* non-minimal length of the outer SEQUENCE */
	bool trailing;     /* a byte after the outer SEQUENCE */
} variant;

static variant base_variant(void)
{
	variant v;
	memset(&v, 0, sizeof(v));
	for (int i = 0; i < 16; i++)
		v.svn[i] = i + 1;
	v.svn[4] = 255;
	v.pcesvn = 300;
	v.ppid_len = 16;
	v.cpusvn_len = 16;
	v.pceid_len = 2;
	v.fmspc_len = 6;
	v.sgx_type = 2;
	v.platform = true;
	v.true_byte = 0xFF;
	return v;
}

static bytes build_ext(const variant *v)
{
	bytes items = {.n = 0}, tcb = {.n = 0}, val, out = {.n = 0};
	uint8_t arc[2];
	if (!v->omit[1]) {
		arc[0] = 1;
		val = v->ppid_as_integer ? integer(0x02, 5) : octets(v->ppid_len, 0xA1);
		put_item(&items, arc, 1, &val);
	}
	for (uint8_t i = 1; i <= 18; i++) {
		if (v->omit_tcb[i])
			continue;
		uint8_t a[2] = {2, i};
		val = i <= 16 ? integer(0x02, v->svn[i - 1]) : i == 17 ? integer(0x02, v->pcesvn) : octets(v->cpusvn_len, 0xC5);
		put_item(&tcb, a, 2, &val);
		if (i == 3 && v->dup_tcb3)
			put_item(&tcb, a, 2, &val);
	}
	if (v->unknown_tcb) {
		uint8_t a[2] = {2, 19};
		val = integer(0x02, 1);
		put_item(&tcb, a, 2, &val);
	}
	if (!v->omit[2]) {
		bytes seq = {.n = 0};
		put_tlv(&seq, 0x30, tcb.b, tcb.n);
		arc[0] = 2;
		put_item(&items, arc, 1, &seq);
	}
	if (!v->omit[3]) {
		arc[0] = 3;
		val = octets(v->pceid_len, 0x00);
		put_item(&items, arc, 1, &val);
	}
	for (int k = 0; k < (v->dup_fmspc ? 2 : 1) && !v->omit[4]; k++) {
		arc[0] = 4;
		val = octets(v->fmspc_len, 0x42);
		put_item(&items, arc, 1, &val);
	}
	if (!v->omit[5]) {
		arc[0] = 5;
		val = integer(0x0A, v->sgx_type);
		put_item(&items, arc, 1, &val);
	}
	if (v->platform) {
		arc[0] = 6;
		val = octets(16, 0x66);
		put_item(&items, arc, 1, &val);
		bytes cfg = {.n = 0};
		for (uint8_t i = 1; i <= 3; i++) {
			uint8_t a[2] = {7, i};
			val = boolean(i == 2 ? 0x00 : v->true_byte);
			put_item(&cfg, a, 2, &val);
			if (i == 1 && v->dup_config1)
				put_item(&cfg, a, 2, &val);
		}
		if (v->unknown_config) {
			uint8_t a[2] = {7, 9};
			val = integer(0x02, 7);
			put_item(&cfg, a, 2, &val);
		}
		bytes seq = {.n = 0};
		put_tlv(&seq, 0x30, cfg.b, cfg.n);
		arc[0] = 7;
		put_item(&items, arc, 1, &seq);
	}
	if (v->unknown_top) {
		arc[0] = 42;
		val = octets(3, 0x01);
		put_item(&items, arc, 1, &val);
	}
	if (v->outside_arc) {
		/* SEQUENCE { OID 1.2.3, NULL } */
		static const uint8_t foreign[] = {0x30, 0x06, 0x06, 0x02, 0x2A, 0x03, 0x05, 0x00};
		memcpy(items.b + items.n, foreign, sizeof(foreign));
		items.n += sizeof(foreign);
	}
	if (v->long_length) {
		/* Three length octets with a leading zero where two suffice. */
		assert_true(items.n >= 256 && items.n < 65536);
		out.b[0] = 0x30;
		out.b[1] = 0x83;
		out.b[2] = 0;
		out.b[3] = (uint8_t)(items.n >> 8);
		out.b[4] = (uint8_t)items.n;
		memcpy(out.b + 5, items.b, items.n);
		out.n = 5 + items.n;
	} else {
		put_tlv(&out, 0x30, items.b, items.n);
	}
	if (v->trailing)
		out.b[out.n++] = 0;
	return out;
}

static void expect_ok(const variant *v, cove_sgx_pck_ext *x)
{
	bytes d = build_ext(v);
	cove_error e = {0};
	if (cove_sgx_pck_ext_parse_der(d.b, d.n, x, &e) != COVE_OK)
		fail_msg("%s", e.msg);
}

static void expect_bad(const variant *v, const char *needle)
{
	bytes d = build_ext(v);
	uint8_t *copy = malloc(d.n);
	cove_sgx_pck_ext x;
	cove_error e = {0};
	assert_non_null(copy);
	memcpy(copy, d.b, d.n);
	cove_err rc = cove_sgx_pck_ext_parse_der(copy, d.n, &x, &e);
	free(copy);
	if (rc != COVE_ERR_PARSE)
		fail_msg("expected a parse error with \"%s\", got %s", needle, cove_err_name(rc));
	if (!strstr(e.msg, needle))
		fail_msg("\"%s\" does not contain \"%s\"", e.msg, needle);
	/* A failed parse leaves nothing behind. */
	assert_int_equal(x.pcesvn, 0);
	assert_false(x.has_configuration);
}

static void test_built_ok(void **state)
{
	(void)state;
	cove_sgx_pck_ext x;
	variant v = base_variant();
	expect_ok(&v, &x);
	assert_int_equal(x.tcb_comp[0], 1);
	assert_int_equal(x.tcb_comp[4], 255);
	assert_int_equal(x.tcb_comp[15], 16);
	assert_int_equal(x.pcesvn, 300);
	assert_int_equal(x.sgx_type, 2);
	assert_int_equal(x.ppid[0], 0xA1);
	assert_int_equal(x.cpusvn[15], 0xC5);
	assert_int_equal(x.fmspc[5], 0x42);
	assert_true(x.has_platform_instance_id);
	assert_int_equal(x.platform_instance_id[0], 0x66);
	assert_true(x.dynamic_platform);
	assert_false(x.cached_keys);
	assert_true(x.smt_enabled);

	/* Bounds that are accepted. */
	v.pcesvn = 65535;
	v.svn[0] = 0;
	v.sgx_type = 0;
	expect_ok(&v, &x);
	assert_int_equal(x.pcesvn, 65535);
	assert_int_equal(x.tcb_comp[0], 0);

	/* Unknown items under the arc are skipped (top level and configuration). */
	v = base_variant();
	v.unknown_top = true;
	v.unknown_config = true;
	expect_ok(&v, &x);
	assert_int_equal(x.pcesvn, 300);

	/* Processor-CA shape: no .6 / .7. */
	v = base_variant();
	v.platform = false;
	expect_ok(&v, &x);
	assert_false(x.has_platform_instance_id);
	assert_false(x.has_configuration);
}

static void test_built_bad(void **state)
{
	(void)state;
	variant v;
	static const char *const names[] = {"", "PPID", "TCB", "PCE-ID", "FMSPC", "SGX Type"};
	for (int i = 1; i <= 5; i++) {
		char want[128];
		v = base_variant();
		v.omit[i] = true;
		snprintf(want, sizeof(want), "mandatory item " SGX_OID ".%d (%s) is missing", i, names[i]);
		expect_bad(&v, want);
	}
	for (int i = 1; i <= 18; i++) {
		char want[128];
		v = base_variant();
		v.omit_tcb[i] = true;
		snprintf(want, sizeof(want), "the TCB lacks " SGX_OID ".2.%d", i);
		expect_bad(&v, want);
	}
	v = base_variant();
	v.dup_fmspc = true;
	expect_bad(&v, SGX_OID ".4 (FMSPC) appears more than once");
	v = base_variant();
	v.dup_tcb3 = true;
	expect_bad(&v, SGX_OID ".2.3 (SGX TCB comp 03 SVN) appears more than once");
	v = base_variant();
	v.dup_config1 = true;
	expect_bad(&v, SGX_OID ".7.1 (DynamicPlatform) appears more than once");

	v = base_variant();
	v.svn[6] = 256;
	expect_bad(&v, SGX_OID ".2.7 (SGX TCB comp 07 SVN) is out of range 0..255");
	v = base_variant();
	v.svn[0] = -1;
	expect_bad(&v, SGX_OID ".2.1 (SGX TCB comp 01 SVN) is out of range 0..255");
	v = base_variant();
	v.pcesvn = 65536;
	expect_bad(&v, SGX_OID ".2.17 (PCESVN) is out of range 0..65535");
	v = base_variant();
	v.pcesvn = 0x7FFFFFFFFFFFL;
	expect_bad(&v, "(PCESVN) is out of range");
	v = base_variant();
	v.sgx_type = 3;
	expect_bad(&v, SGX_OID ".5 (SGX Type) is out of range 0..2");

	v = base_variant();
	v.fmspc_len = 5;
	expect_bad(&v, SGX_OID ".4 (FMSPC) is 5 bytes, expected 6");
	v = base_variant();
	v.fmspc_len = 7;
	expect_bad(&v, "(FMSPC) is 7 bytes, expected 6");
	v = base_variant();
	v.ppid_len = 15;
	expect_bad(&v, SGX_OID ".1 (PPID) is 15 bytes, expected 16");
	v = base_variant();
	v.cpusvn_len = 17;
	expect_bad(&v, SGX_OID ".2.18 (CPUSVN) is 17 bytes, expected 16");
	v = base_variant();
	v.pceid_len = 0;
	expect_bad(&v, SGX_OID ".3 (PCE-ID) is 0 bytes, expected 2");
	v = base_variant();
	v.ppid_as_integer = true;
	expect_bad(&v, SGX_OID ".1 (PPID) is not an OCTET STRING (tag 2)");

	v = base_variant();
	v.unknown_tcb = true;
	expect_bad(&v, "unknown TCB item " SGX_OID ".2.19");
	v = base_variant();
	v.outside_arc = true;
	expect_bad(&v, "has OID 1.2.3, outside " SGX_OID);

	/* DER only: TRUE must be 0xFF, lengths minimal, nothing after the SEQUENCE. */
	v = base_variant();
	v.true_byte = 0x01;
	expect_bad(&v, "is not in DER form");
	v = base_variant();
	v.platform = false;
	v.long_length = true;
	expect_bad(&v, "SGX PCK extension: the extension value is not in DER form");
	v = base_variant();
	v.trailing = true;
	expect_bad(&v, "SGX PCK extension: 1 bytes follow the extension value");
}

static void test_raw_malformed(void **state)
{
	(void)state;
	cove_sgx_pck_ext x;
	cove_error e = {0};
	static const uint8_t not_seq[] = {0x04, 0x01, 0x00};
	assert_int_equal(cove_sgx_pck_ext_parse_der(not_seq, sizeof(not_seq), &x, &e), COVE_ERR_PARSE);
	assert_non_null(strstr(e.msg, "the extension value is not a SEQUENCE"));
	assert_int_equal(cove_sgx_pck_ext_parse_der(not_seq, 0, &x, &e), COVE_ERR_PARSE);
	static const uint8_t empty_seq[] = {0x30, 0x00};
	assert_int_equal(cove_sgx_pck_ext_parse_der(empty_seq, sizeof(empty_seq), &x, &e), COVE_ERR_PARSE);
	assert_non_null(strstr(e.msg, "mandatory item " SGX_OID ".1 (PPID) is missing"));
	static const uint8_t int_item[] = {0x30, 0x03, 0x02, 0x01, 0x05};
	assert_int_equal(cove_sgx_pck_ext_parse_der(int_item, sizeof(int_item), &x, &e), COVE_ERR_PARSE);
	assert_non_null(strstr(e.msg, "item 1 of the extension is not a SEQUENCE (tag 2)"));
	static const uint8_t three[] = {0x30, 0x0B, 0x30, 0x09, 0x06, 0x02, 0x2A, 0x03, 0x05, 0x00, 0x05, 0x00};
	assert_int_equal(cove_sgx_pck_ext_parse_der(three, sizeof(three) - 1, &x, &e), COVE_ERR_PARSE);
	static const uint8_t indefinite[] = {0x30, 0x80, 0x00, 0x00};
	assert_int_equal(cove_sgx_pck_ext_parse_der(indefinite, sizeof(indefinite), &x, &e), COVE_ERR_PARSE);
	assert_int_equal(cove_sgx_pck_ext_parse_der(NULL, 5, &x, &e), COVE_ERR_ARG);
}

/* Every truncation and every single-byte flip of a real extension: no crash, PARSE or OK. */
static void test_real_mutations(void **state)
{
	(void)state;
	cove_x509 *c = load_cert("vectors/sgx/automata/solana-tests-data/pck.der");
	const uint8_t *der;
	size_t len;
	bool found;
	assert_int_equal(cove_x509_extension(c, SGX_OID, &der, &len, &found, NULL), COVE_OK);
	assert_true(found);
	assert_int_equal(len, 556);
	uint8_t *copy = malloc(len);
	assert_non_null(copy);
	for (size_t n = 0; n < len; n++) {
		cove_sgx_pck_ext x;
		cove_error e = {0};
		uint8_t *cut = malloc(n ? n : 1);
		assert_non_null(cut);
		memcpy(cut, der, n);
		cove_err rc = cove_sgx_pck_ext_parse_der(cut, n, &x, &e);
		free(cut);
		if (rc != COVE_ERR_PARSE || !e.msg[0])
			fail_msg("cut to %zu: %s", n, cove_err_name(rc));
	}
	size_t ok = 0;
	for (size_t i = 0; i < len; i++) {
		cove_sgx_pck_ext x;
		cove_error e = {0};
		memcpy(copy, der, len);
		copy[i] ^= 0xFF;
		cove_err rc = cove_sgx_pck_ext_parse_der(copy, len, &x, &e);
		if (rc == COVE_OK)
			ok++;
		else if (rc != COVE_ERR_PARSE || !e.msg[0])
			fail_msg("flip at %zu: %s", i, cove_err_name(rc));
	}
	/* Flips inside PPID / CPUSVN / FMSPC / instance-ID octets still parse. */
	assert_true(ok >= 16 + 16 + 6 + 16);
	free(copy);
	cove_x509_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_platform_ca_leaf), cmocka_unit_test(test_processor_ca_leaf),
		cmocka_unit_test(test_tdx_platform_leaf), cmocka_unit_test(test_qvl_sample_pck),
		cmocka_unit_test(test_not_a_pck),        cmocka_unit_test(test_built_ok),
		cmocka_unit_test(test_built_bad),        cmocka_unit_test(test_raw_malformed),
		cmocka_unit_test(test_real_mutations),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
