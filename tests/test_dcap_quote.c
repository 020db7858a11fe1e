/*
 * DCAP quote parsing: every genuine quote in shared/vectors/{sgx,tdx} parses
 * with the field values their MANIFESTs and shared/research/sgx-tdx.md state;
 * synthetic quotes cover the layouts no sample has (SGX v4, SGX v5); malformed
 * input (every truncation, flipped length fields, wrong types, trailing
 * garbage, every single-byte flip) gets a precise PARSE error and never
 * crashes.
 */
#include <stdlib.h>
#include <string.h>

#include "cove/dcap.h"
#include "dcap/quote_layout.h"
#include "testutil.h"

static const uint8_t intel_vendor[16] = {0x93, 0x9A, 0x72, 0x33, 0xF7, 0x9C, 0x4C, 0xA9,
					 0x94, 0x0A, 0x0D, 0xB3, 0x95, 0x7F, 0x06, 0x07};

static void parse_ok(const cove_buf *b, cove_dcap_quote *q, const char *what)
{
	cove_error e = {0};
	if (cove_dcap_quote_parse(b->data, b->len, q, &e) != COVE_OK)
		fail_msg("%s: %s", what, e.msg);
	assert_ptr_equal(q->signed_data, b->data);
}

static void load_quote(const char *rel, cove_buf *b, cove_dcap_quote *q)
{
	cove_test_read_shared(rel, b);
	parse_ok(b, q, rel);
}

/* Parse a copy of exactly `len` bytes (so ASan sees any over-read) and expect a PARSE error containing `needle`. */
static void expect_error(const uint8_t *data, size_t len, const char *needle)
{
	uint8_t *copy = malloc(len ? len : 1);
	cove_dcap_quote q;
	cove_error e = {0};
	assert_non_null(copy);
	if (len)
		memcpy(copy, data, len);
	cove_err rc = cove_dcap_quote_parse(copy, len, &q, &e);
	free(copy);
	if (rc != COVE_ERR_PARSE)
		fail_msg("expected a parse error containing \"%s\", got %s: %s", needle, cove_err_name(rc), e.msg);
	if (needle && !strstr(e.msg, needle))
		fail_msg("error \"%s\" does not contain \"%s\"", e.msg, needle);
}

/* FMSPC and PCE-ID of the PCK leaf; genuine PCKs have PCE-ID 0000. */
static void leaf_ext(const cove_dcap_quote *q, const char *want_hex, const char *pceid_hex, bool platform_ca)
{
	cove_sgx_pck_ext x;
	cove_error e = {0};
	uint8_t want[6];
	char cn[128];
	assert_true(q->pck_chain.count >= 1);
	cove_x509_subject_cn(q->pck_chain.certs[0], cn, sizeof(cn));
	assert_string_equal(cn, "Intel SGX PCK Certificate");
	if (cove_sgx_pck_ext_parse(q->pck_chain.certs[0], &x, &e) != COVE_OK)
		fail_msg("PCK extension: %s", e.msg);
	assert_int_equal(cove_hex_decode_fixed(want_hex, want, 6, NULL), COVE_OK);
	assert_memory_equal(x.fmspc, want, 6);
	assert_int_equal(x.has_platform_instance_id, platform_ca);
	assert_int_equal(x.has_configuration, platform_ca);
	uint8_t pceid[2];
	assert_int_equal(cove_hex_decode_fixed(pceid_hex, pceid, 2, NULL), COVE_OK);
	assert_memory_equal(x.pceid, pceid, 2);
}

static void fmspc_of_leaf(const cove_dcap_quote *q, const char *want_hex, bool platform_ca)
{
	leaf_ext(q, want_hex, "0000", platform_ca);
}

static void chain_cns(const cove_dcap_quote *q, const char *intermediate)
{
	char cn[128];
	assert_int_equal(q->pck_chain.count, 3);
	cove_x509_subject_cn(q->pck_chain.certs[1], cn, sizeof(cn));
	assert_string_equal(cn, intermediate);
	cove_x509_subject_cn(q->pck_chain.certs[2], cn, sizeof(cn));
	assert_string_equal(cn, "Intel SGX Root CA");
}

static void intel_qe_auth(const cove_dcap_quote *q)
{
	assert_int_equal(q->qe_auth_len, 32);
	for (int i = 0; i < 32; i++)
		assert_int_equal(q->qe_auth_data[i], i);
}

/* ---- genuine SGX quotes ---- */

static void test_phala_sgx(void **state)
{
	(void)state;
	cove_buf b = {0};
	cove_dcap_quote q;
	load_quote("vectors/sgx/phala-dcap-qvl/sgx_quote", &b, &q);
	assert_int_equal(q.version, 3);
	assert_int_equal(q.att_key_type, 2);
	assert_int_equal(q.tee_type, COVE_TEE_SGX);
	assert_int_equal(q.qe_svn, 10);
	assert_int_equal(q.pce_svn, 15);
	assert_memory_equal(q.qe_vendor_id, intel_vendor, 16);
	assert_int_equal(q.body_type, COVE_DCAP_BODY_SGX);
	assert_int_equal(q.sgx.attr_flags, COVE_SGX_FLAGS_INIT | COVE_SGX_FLAGS_MODE64BIT);
	assert_false(q.sgx.attr_flags & COVE_SGX_FLAGS_DEBUG);
	assert_int_equal(q.sgx.attr_xfrm, 0xE7);
	assert_memory_equal(q.sgx.report_data, "Hello, world!", 13);
	assert_true(cove_is_zero(q.sgx.report_data + 13, 51));
	assert_int_equal(q.signed_len, 432);
	assert_memory_equal(q.signature, b.data + 436, 64);
	assert_memory_equal(q.attest_key, b.data + 500, 64);
	assert_ptr_equal(q.qe_report_raw, b.data + 564);
	assert_int_equal(q.qe_report.isv_svn, 10);
	assert_int_equal(q.qe_report.isv_prod_id, 1);
	assert_memory_equal(q.qe_report_signature, b.data + 948, 64);
	intel_qe_auth(&q);
	assert_int_equal(q.cert_type, COVE_DCAP_CERT_PCK_CHAIN);
	assert_ptr_equal(q.cert_data, b.data + 1052);
	assert_int_equal(q.cert_len, 3548);
	assert_int_equal(q.quote_len, 4600);
	assert_int_equal(q.trailing_len, 0);
	chain_cns(&q, "Intel SGX PCK Processor CA");
	fmspc_of_leaf(&q, "00A067110000", false);
	assert_int_equal(cove_x509_not_before(q.pck_chain.certs[0]), 1695246823); /* 2023-09-20T21:53:43Z */
	cove_dcap_quote_free(&q);
	cove_buf_free(&b);
}

static void test_automata_sgx_debug(void **state)
{
	(void)state;
	cove_buf b = {0};
	cove_dcap_quote q;
	load_quote("vectors/sgx/automata/solana-tests-data/quote_sgx.bin", &b, &q);
	assert_int_equal(q.version, 3);
	assert_int_equal(q.sgx.attr_flags, 0x7);
	assert_true(q.sgx.attr_flags & COVE_SGX_FLAGS_DEBUG);
	assert_int_equal(q.quote_len, 4600);
	chain_cns(&q, "Intel SGX PCK Processor CA");
	fmspc_of_leaf(&q, "00A067110000", false);
	cove_dcap_quote_free(&q);
	cove_buf_free(&b);
}

static void test_openenclave_evidence(void **state)
{
	(void)state;
	cove_buf raw = {0}, b = {0};
	cove_dcap_quote q;
	cove_error e = {0};
	/* The upstream file has an 81-byte "# Copyright..." text header: not a quote. */
	cove_test_read_shared("vectors/sgx/openenclave/tests/attestation_plugin/data/evidence", &raw);
	assert_int_equal(raw.len, 4680);
	assert_int_equal(cove_dcap_quote_parse(raw.data, raw.len, &q, &e), COVE_ERR_PARSE);
	assert_non_null(strstr(e.msg, "quote version 8227 is not supported"));
	assert_non_null(strstr(e.msg, "starts with text \"# Copyright"));
	/* The stripped copy is the quote (4599 bytes, PEM chain without its NUL terminator). */
	load_quote("vectors/sgx/derived-collateral/openenclave_attestation_plugin_evidence.quote.bin", &b, &q);
	assert_int_equal(b.len, raw.len - 81);
	assert_memory_equal(b.data, raw.data + 81, b.len);
	assert_int_equal(q.version, 3);
	assert_int_equal(q.sgx.attr_flags, 0x7);
	assert_int_equal(q.cert_len, 3547);
	assert_int_equal(q.quote_len, 4599);
	chain_cns(&q, "Intel SGX PCK Processor CA");
	fmspc_of_leaf(&q, "00906ED50000", false);
	cove_dcap_quote_free(&q);
	cove_buf_free(&b);
	cove_buf_free(&raw);
}

static void test_openenclave_bad_report(void **state)
{
	(void)state;
	cove_buf b = {0};
	cove_dcap_quote q;
	cove_error e = {0};
	/* A 16-byte OE report header, then a quote whose Processor CA was tampered with (still parses). */
	cove_test_read_shared("vectors/sgx/openenclave/tests/host_verify/data/sgx_report_bad.bin", &b);
	assert_int_equal(cove_dcap_quote_parse(b.data, b.len, &q, &e), COVE_ERR_PARSE);
	assert_non_null(strstr(e.msg, "quote version 1 is not supported"));
	assert_int_equal(cove_dcap_quote_parse(b.data + 16, b.len - 16, &q, &e), COVE_OK);
	assert_int_equal(q.version, 3);
	assert_int_equal(q.quote_len, b.len - 16);
	assert_int_equal(q.pck_chain.count, 3);
	/* The older DER of the Intel SGX Root CA: notAfter 2033-05-21. */
	assert_true(cove_x509_is_self_issued(q.pck_chain.certs[2]));
	char when[32];
	cove_time_format(cove_x509_not_after(q.pck_chain.certs[2]), when);
	assert_memory_equal(when, "2033-05-21", 10);
	cove_dcap_quote_free(&q);
	cove_buf_free(&b);
}

static void test_qvl_sgx_cert_type1(void **state)
{
	(void)state;
	cove_buf b = {0};
	cove_dcap_quote q;
	load_quote("vectors/sgx/intel-qvl/sampleData/quote.dat", &b, &q);
	assert_int_equal(q.version, 3);
	assert_int_equal(q.pce_svn, 3);
	assert_int_equal(q.cert_type, COVE_DCAP_CERT_PPID_CLEARTEXT);
	assert_int_equal(q.cert_len, 34);
	assert_ptr_equal(q.cert_data, b.data + 1020);
	assert_int_equal(q.pck_chain.count, 0);
	assert_int_equal(q.qe_auth_len, 0);
	assert_true(cove_is_zero(q.sgx.mr_enclave, 32));
	assert_int_equal(q.quote_len, 1054);
	json_t *j = cove_dcap_quote_to_json(&q);
	json_t *c = json_object_get(json_object_get(j, "signature_data"), "certification_data");
	assert_int_equal(json_integer_value(json_object_get(c, "type")), 1);
	assert_string_equal(json_string_value(json_object_get(c, "data")),
			    "8461863bb7ece31f64c8e9b77fd31cad000300000001010000000000000000000300");
	json_decref(j);
	cove_dcap_quote_free(&q);
	cove_buf_free(&b);
}

/* ---- genuine TDX quotes ---- */

static void test_phala_tdx_offsets(void **state)
{
	(void)state;
	cove_buf b = {0};
	cove_dcap_quote q;
	load_quote("vectors/tdx/phala-dcap-qvl/tdx_quote", &b, &q);
	assert_int_equal(q.version, 4);
	assert_int_equal(q.tee_type, COVE_TEE_TDX);
	assert_int_equal(q.body_type, COVE_DCAP_BODY_TD10);
	assert_false(q.td.is_15);
	assert_int_equal(q.signed_len, 632);
	/* Worked offsets of shared/research/sgx-tdx.md. */
	assert_memory_equal(q.signature, b.data + 636, 64);
	assert_memory_equal(q.attest_key, b.data + 700, 64);
	assert_int_equal(cove_le16(b.data + 764), 6);
	assert_int_equal(cove_le32(b.data + 766), 4166);
	assert_ptr_equal(q.qe_report_raw, b.data + 770);
	assert_memory_equal(q.qe_report_signature, b.data + 1154, 64);
	intel_qe_auth(&q);
	assert_ptr_equal(q.qe_auth_data, b.data + 1220);
	assert_int_equal(q.cert_type, 5);
	assert_int_equal(q.cert_len, 3678);
	assert_ptr_equal(q.cert_data, b.data + 1258);
	assert_int_equal(q.quote_len, 4936);
	assert_int_equal(q.trailing_len, 70);
	static const uint8_t svn[3] = {6, 1, 3};
	assert_memory_equal(q.td.tee_tcb_svn, svn, 3);
	assert_int_equal(q.td.td_attributes, COVE_TDX_ATTR_SEPT_VE_DISABLE);
	assert_int_equal(q.td.seam_attributes, 0);
	assert_true(cove_is_zero(q.td.mr_signer_seam, 48));
	assert_memory_equal(q.td.mr_td, b.data + 48 + 136, 48);
	assert_memory_equal(q.td.rtmr[3], b.data + 48 + 472, 48);
	assert_memory_equal(q.td.report_data, b.data + 48 + 520, 64);
	assert_int_equal(q.qe_report.isv_prod_id, 2); /* TD_QE */
	chain_cns(&q, "Intel SGX PCK Platform CA");
	fmspc_of_leaf(&q, "B0C06F000000", true);

	json_t *j = cove_dcap_quote_to_json(&q);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "header"), "version")), 4);
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "header"), "tee")), "TDX");
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "header"), "qe_vendor")), "Intel");
	json_t *attrs = json_object_get(json_object_get(j, "body"), "td_attributes");
	assert_true(json_is_false(json_object_get(attrs, "debug")));
	assert_true(json_is_true(json_object_get(attrs, "sept_ve_disable")));
	json_t *sig = json_object_get(j, "signature_data");
	assert_int_equal(json_integer_value(json_object_get(sig, "qe_report_offset")), 770);
	json_t *cd = json_object_get(sig, "certification_data");
	assert_int_equal(json_integer_value(json_object_get(cd, "offset")), 1258);
	json_t *certs = json_object_get(cd, "certificates");
	assert_int_equal(json_array_size(certs), 3);
	json_t *ext = json_object_get(json_array_get(certs, 0), "pck_extension");
	assert_string_equal(json_string_value(json_object_get(ext, "fmspc")), "b0c06f000000");
	assert_string_equal(json_string_value(json_object_get(json_array_get(certs, 0), "not_before")),
			    "2025-02-06T23:25:51Z");
	assert_null(json_object_get(json_array_get(certs, 1), "pck_extension"));
	assert_int_equal(json_integer_value(json_object_get(j, "trailing_bytes")), 70);
	json_decref(j);
	cove_dcap_quote_free(&q);
	cove_buf_free(&b);
}

static void test_trustee_debug_td(void **state)
{
	(void)state;
	cove_buf b = {0};
	cove_dcap_quote q;
	load_quote("vectors/tdx/trustee/tdx_quote_4.dat", &b, &q);
	assert_int_equal(q.version, 4);
	assert_int_equal(q.td.td_attributes, 0x10000001);
	assert_true(q.td.td_attributes & COVE_TDX_ATTR_DEBUG);
	assert_int_equal(q.quote_len, 4936);
	fmspc_of_leaf(&q, "50806F000000", true);
	json_t *j = cove_dcap_quote_to_json(&q);
	assert_true(json_is_true(json_object_get(json_object_get(json_object_get(j, "body"), "td_attributes"), "debug")));
	json_decref(j);
	cove_dcap_quote_free(&q);
	cove_buf_free(&b);
}

static void test_go_tdx_guest_extra_bytes(void **state)
{
	(void)state;
	cove_buf b = {0};
	cove_dcap_quote q;
	cove_error e = {0};
	/* Upstream appended "\nextra bytes(only for testing purpose)." after the genuine quote. */
	cove_test_read_shared("vectors/tdx/go-tdx-guest/testdata/tdx_prod_quote_SPR_E4.dat", &b);
	assert_int_equal(b.len, 4974);
	assert_int_equal(cove_dcap_quote_parse(b.data, b.len, &q, &e), COVE_ERR_PARSE);
	assert_string_equal(e.msg, "quote v4: byte at offset 4935 is 0x0a, but the quote ends at offset 4935 and only "
				   "zero padding may follow");
	assert_int_equal(cove_dcap_quote_parse_prefix(b.data, b.len, &q, &e), COVE_OK);
	assert_int_equal(q.quote_len, 4935);
	assert_int_equal(q.trailing_len, 39);
	assert_int_equal(q.td.td_attributes, COVE_TDX_ATTR_PKS);
	static const uint8_t svn[3] = {3, 0, 4};
	assert_memory_equal(q.td.tee_tcb_svn, svn, 3);
	fmspc_of_leaf(&q, "50806F000000", true);
	cove_dcap_quote_free(&q);
	cove_buf_free(&b);
}

static void test_padded_8000(void **state)
{
	(void)state;
	static const struct {
		const char *rel;
		const char *fmspc;
	} files[] = {
		{"vectors/tdx/go-tdx-guest/testdata/ccel/cos-113-tdx-quote.dat", "00806F050000"},
		{"vectors/tdx/automata/solana-tests-data/quote_tdx.bin", "00806F050000"},
	};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		cove_buf b = {0};
		cove_dcap_quote q;
		load_quote(files[i].rel, &b, &q);
		assert_int_equal(b.len, 8000);
		assert_int_equal(q.version, 4);
		assert_int_equal(q.quote_len, 4935);
		assert_int_equal(q.trailing_len, 8000 - 4935);
		assert_int_equal(q.cert_len, 3677);
		fmspc_of_leaf(&q, files[i].fmspc, true);
		if (i == 0) {
			/* The CCEL set's nonce is the TD's REPORTDATA. */
			cove_buf nonce = {0};
			cove_test_read_shared("vectors/tdx/go-tdx-guest/testdata/ccel/nonce.dat", &nonce);
			assert_int_equal(nonce.len, 64);
			assert_memory_equal(q.td.report_data, nonce.data, 64);
			cove_buf_free(&nonce);
		}
		cove_dcap_quote_free(&q);
		cove_buf_free(&b);
	}
}

static void test_other_v4(void **state)
{
	(void)state;
	static const struct {
		const char *rel;
		const char *fmspc;
		uint64_t attrs;
		size_t len;
	} files[] = {
		{"vectors/tdx/openenclave/tests/host_verify/data/tdx_quote.bin", "50806F000000", 0, 4940},
		{"vectors/tdx/trustee/az-tdx-vtpm/td-quote.bin", "00806F050000", 0, 4936},
	};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		cove_buf b = {0};
		cove_dcap_quote q;
		load_quote(files[i].rel, &b, &q);
		assert_int_equal(q.version, 4);
		assert_int_equal(q.body_type, COVE_DCAP_BODY_TD10);
		assert_int_equal(q.td.td_attributes, files[i].attrs);
		assert_int_equal(q.quote_len, files[i].len);
		chain_cns(&q, "Intel SGX PCK Platform CA");
		fmspc_of_leaf(&q, files[i].fmspc, true);
		cove_dcap_quote_free(&q);
		cove_buf_free(&b);
	}
}

static void test_v5(void **state)
{
	(void)state;
	static const char *const files[] = {
		"vectors/tdx/go-tdx-guest/testdata/quote_v5_sample.dat",
		"vectors/tdx/openenclave/tests/host_verify/data/tdx_quote-moduleupdate-seamldr5.dat",
		"vectors/tdx/trustee/tdx_quote_5.dat",
		"vectors/tdx/automata/evm-assets/tdx_quote_5.dat",
	};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		cove_buf b = {0};
		cove_dcap_quote q;
		load_quote(files[i], &b, &q);
		assert_int_equal(q.version, 5);
		assert_int_equal(q.tee_type, COVE_TEE_TDX);
		assert_int_equal(q.body_type, COVE_DCAP_BODY_TD15);
		assert_true(q.td.is_15);
		assert_int_equal(q.signed_len, 54 + 648);
		assert_ptr_equal(q.qe_report_raw, b.data + 840);
		assert_int_equal(q.cert_len, 3678);
		assert_int_equal(q.quote_len, 5006);
		assert_memory_equal(q.td.tee_tcb_svn2, b.data + 54 + 584, 16);
		assert_memory_equal(q.td.mr_service_td, b.data + 54 + 600, 48);
		assert_memory_equal(q.td.report_data, b.data + 54 + 520, 64);
		intel_qe_auth(&q);
		fmspc_of_leaf(&q, "90C06F000000", true);
		if (i == 1) /* after a runtime module update the two TEE_TCB_SVNs differ */
			assert_memory_not_equal(q.td.tee_tcb_svn, q.td.tee_tcb_svn2, 16);
		json_t *j = cove_dcap_quote_to_json(&q);
		assert_int_equal(json_integer_value(json_object_get(j, "body_type")), 3);
		assert_non_null(json_object_get(json_object_get(j, "body"), "mr_service_td"));
		json_decref(j);
		cove_dcap_quote_free(&q);
		cove_buf_free(&b);
	}
}

static void test_qvl_tdx_der_chain(void **state)
{
	(void)state;
	cove_buf b = {0};
	cove_dcap_quote q;
	char cn[128];
	load_quote("vectors/tdx/intel-qvl/sampleData/tdx/quote.dat", &b, &q);
	assert_int_equal(q.version, 4);
	assert_int_equal(q.tee_type, COVE_TEE_TDX);
	assert_int_equal(q.qe_auth_len, 0);
	assert_int_equal(q.cert_type, 5);
	assert_int_equal(q.cert_len, 2470);
	assert_int_equal(q.cert_data[0], 0x30); /* DER, root first in the quote */
	assert_int_equal(q.quote_len, 3696);
	/* Reordered leaf first. */
	chain_cns(&q, "Intel SGX PCK Processor CA");
	cove_x509_subject_cn(q.pck_chain.certs[0], cn, sizeof(cn));
	assert_string_equal(cn, "Intel SGX PCK Certificate");
	leaf_ext(&q, "ED742AF8ADF5", "8A67", false);
	/* Same certificate as the sample's pckCert.pem. */
	cove_buf pem = {0};
	cove_x509 *leaf = NULL;
	uint8_t a[32], c[32];
	cove_test_read_shared("vectors/tdx/intel-qvl/sampleData/tdx/pckCert.pem", &pem);
	assert_int_equal(cove_x509_parse(pem.data, pem.len, &leaf, NULL), COVE_OK);
	assert_int_equal(cove_x509_sha256(leaf, a, NULL), COVE_OK);
	assert_int_equal(cove_x509_sha256(q.pck_chain.certs[0], c, NULL), COVE_OK);
	assert_memory_equal(a, c, 32);
	cove_x509_free(leaf);
	cove_buf_free(&pem);
	cove_dcap_quote_free(&q);
	cove_buf_free(&b);
}

/* ---- synthetic quotes ---- */

typedef struct spec {
	unsigned version;
	uint32_t tee;
	unsigned body_type; /* v5 */
	uint32_t body_size; /* v5; 0 = the size of body_type */
	uint16_t outer_type;
	uint16_t inner_type;
	const uint8_t *cert;
	size_t cert_len;
	size_t auth_len;
} spec;

typedef struct layout {
	size_t len, sig_len_off, outer_off, auth_off, inner_off, end;
} layout;

static size_t body_size_of(unsigned type)
{
	return type == 1 ? 384 : type == 2 ? 584 : 648;
}

/* Build a quote from `s` into out (>= 16 KiB); signatures are filler, nothing is signed. */
static layout build(const spec *s, uint8_t *out)
{
	layout l = {0};
	size_t p = 0, body;
	memset(out, 0, 16384);
	cove_put_le16(out, (uint16_t)s->version);
	cove_put_le16(out + 2, 2);
	if (s->version == 3) {
		cove_put_le16(out + 8, 7);
		cove_put_le16(out + 10, 13);
	} else {
		cove_put_le32(out + 4, s->tee);
	}
	memcpy(out + 12, intel_vendor, 16);
	memset(out + 28, 0xAB, 16);
	p = 48;
	if (s->version == 5) {
		cove_put_le16(out + 48, (uint16_t)s->body_type);
		body = s->body_size ? s->body_size : body_size_of(s->body_type);
		cove_put_le32(out + 50, (uint32_t)body);
		p = 54;
	} else {
		body = s->tee == COVE_TEE_TDX ? 584 : 384;
	}
	for (size_t i = 0; i < body; i++)
		out[p + i] = (uint8_t)(i * 7 + 1);
	p += body;
	l.sig_len_off = p;
	p += 4;
	memset(out + p, 0x11, 64);
	memset(out + p + 64, 0x22, 64);
	p += 128;
	if (s->version != 3) {
		l.outer_off = p;
		cove_put_le16(out + p, s->outer_type);
		p += 6;
	}
	memset(out + p, 0x33, 384);
	memset(out + p + 384, 0x44, 64);
	p += 448;
	l.auth_off = p;
	cove_put_le16(out + p, (uint16_t)s->auth_len);
	for (size_t i = 0; i < s->auth_len; i++)
		out[p + 2 + i] = (uint8_t)i;
	p += 2 + s->auth_len;
	l.inner_off = p;
	cove_put_le16(out + p, s->inner_type);
	cove_put_le32(out + p + 2, (uint32_t)s->cert_len);
	memcpy(out + p + 6, s->cert, s->cert_len);
	p += 6 + s->cert_len;
	if (s->version != 3)
		cove_put_le32(out + l.outer_off + 2, (uint32_t)(p - l.outer_off - 6));
	cove_put_le32(out + l.sig_len_off, (uint32_t)(p - l.sig_len_off - 4));
	l.len = l.end = p;
	return l;
}

static const uint8_t ppid_blob[36] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18};

static spec default_spec(unsigned version, uint32_t tee, unsigned body_type)
{
	spec s = {.version = version, .tee = tee, .body_type = body_type, .outer_type = 6, .inner_type = 1,
		  .cert = ppid_blob, .cert_len = sizeof(ppid_blob), .auth_len = 32};
	return s;
}

static void test_synthetic_layouts(void **state)
{
	(void)state;
	static const struct {
		unsigned version;
		uint32_t tee;
		unsigned body_type;
		cove_dcap_body_type want;
		size_t signed_len;
	} cases[] = {
		{3, COVE_TEE_SGX, 0, COVE_DCAP_BODY_SGX, 432},
		{4, COVE_TEE_SGX, 0, COVE_DCAP_BODY_SGX, 432},
		{4, COVE_TEE_TDX, 0, COVE_DCAP_BODY_TD10, 632},
		{5, COVE_TEE_SGX, 1, COVE_DCAP_BODY_SGX, 438},
		{5, COVE_TEE_TDX, 2, COVE_DCAP_BODY_TD10, 638},
		{5, COVE_TEE_TDX, 3, COVE_DCAP_BODY_TD15, 702},
	};
	uint8_t *buf = malloc(16384);
	assert_non_null(buf);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		spec s = default_spec(cases[i].version, cases[i].tee, cases[i].body_type);
		layout l = build(&s, buf);
		cove_dcap_quote q;
		cove_error e = {0};
		if (cove_dcap_quote_parse(buf, l.len, &q, &e) != COVE_OK)
			fail_msg("case %zu: %s", i, e.msg);
		assert_int_equal(q.version, cases[i].version);
		assert_int_equal(q.tee_type, cases[i].tee);
		assert_int_equal(q.body_type, cases[i].want);
		assert_int_equal(q.signed_len, cases[i].signed_len);
		assert_int_equal(q.quote_len, l.len);
		assert_int_equal(q.cert_type, 1);
		assert_int_equal(q.cert_len, sizeof(ppid_blob));
		assert_ptr_equal(q.cert_data, buf + l.inner_off + 6);
		assert_int_equal(q.qe_auth_len, 32);
		assert_int_equal(q.pck_chain.count, 0);
		size_t body_off = cases[i].version == 5 ? 54 : 48;
		if (q.body_type == COVE_DCAP_BODY_SGX) {
			assert_int_equal(q.sgx.misc_select, cove_le32(buf + body_off + 16));
			assert_int_equal(q.sgx.isv_prod_id, cove_le16(buf + body_off + 256));
			assert_memory_equal(q.sgx.mr_signer, buf + body_off + 128, 32);
			assert_memory_equal(q.sgx.isv_family_id, buf + body_off + 304, 16);
		} else {
			assert_int_equal(q.td.xfam, cove_le64(buf + body_off + 128));
			assert_memory_equal(q.td.mr_owner_config, buf + body_off + 280, 48);
			assert_int_equal(q.td.is_15, q.body_type == COVE_DCAP_BODY_TD15);
		}
		if (cases[i].version == 3) {
			assert_int_equal(q.qe_svn, 7);
			assert_int_equal(q.pce_svn, 13);
		}
		/* Zero padding is accepted and counted. */
		cove_dcap_quote_free(&q);
		assert_int_equal(cove_dcap_quote_parse(buf, l.len + 100, &q, &e), COVE_OK);
		assert_int_equal(q.quote_len, l.len);
		assert_int_equal(q.trailing_len, 100);
		json_t *j = cove_dcap_quote_to_json(&q);
		assert_non_null(j);
		json_decref(j);
		cove_dcap_quote_free(&q);
	}
	free(buf);
}

static void test_bad_header_fields(void **state)
{
	(void)state;
	uint8_t *buf = malloc(16384);
	assert_non_null(buf);
	spec s = default_spec(4, COVE_TEE_TDX, 0);
	layout l = build(&s, buf);

	expect_error(buf, 0, "quote: 0 bytes is shorter than the 48-byte header");
	expect_error(buf, 47, "shorter than the 48-byte header");
	cove_put_le16(buf, 2);
	expect_error(buf, l.len, "quote version 2 is not supported (3, 4 and 5 are)");
	cove_put_le16(buf, 6);
	expect_error(buf, l.len, "quote version 6 is not supported");
	cove_put_le16(buf, 4);
	cove_put_le16(buf + 2, 3);
	expect_error(buf, l.len, "quote v4: attestation key type 3 at offset 2 is not supported (only 2, ECDSA-256 "
				 "with P-256; 3 is ECDSA-384)");
	cove_put_le16(buf + 2, 2);
	cove_put_le32(buf + 4, 0x80);
	expect_error(buf, l.len, "quote v4: TEE type 0x80 at offset 4 is neither SGX (0x0) nor TDX (0x81)");
	cove_put_le32(buf + 4, 0x81);

	/* Too large. */
	uint8_t *big = calloc(1, COVE_DCAP_MAX_QUOTE_SIZE + 1);
	assert_non_null(big);
	memcpy(big, buf, l.len);
	expect_error(big, COVE_DCAP_MAX_QUOTE_SIZE + 1, "is more than the 1048576 accepted");
	free(big);
	free(buf);
}

static void test_v5_body_mismatch(void **state)
{
	(void)state;
	uint8_t *buf = malloc(16384);
	assert_non_null(buf);
	spec s = default_spec(5, COVE_TEE_SGX, 2);
	layout l = build(&s, buf);
	expect_error(buf, l.len, "quote v5: body type 2 at offset 48 does not fit TEE type SGX (SGX takes body type 1, "
				 "TDX 2 or 3)");
	s = default_spec(5, COVE_TEE_SGX, 3);
	l = build(&s, buf);
	expect_error(buf, l.len, "body type 3 at offset 48 does not fit TEE type SGX");
	s = default_spec(5, COVE_TEE_TDX, 1);
	l = build(&s, buf);
	expect_error(buf, l.len, "quote v5: body type 1 at offset 48 does not fit TEE type TDX");
	s = default_spec(5, COVE_TEE_TDX, 4);
	s.body_size = 648;
	l = build(&s, buf);
	expect_error(buf, l.len, "quote v5: body type 4 at offset 48 is unknown (1 SGX, 2 TD 1.0, 3 TD 1.5)");
	s = default_spec(5, COVE_TEE_TDX, 0);
	s.body_size = 648;
	l = build(&s, buf);
	expect_error(buf, l.len, "body type 0 at offset 48 is unknown");
	s = default_spec(5, COVE_TEE_TDX, 3);
	s.body_size = 584;
	l = build(&s, buf);
	expect_error(buf, l.len, "quote v5: body size 584 at offset 50, but a type-3 body is 648 bytes");
	s = default_spec(5, COVE_TEE_TDX, 2);
	build(&s, buf);
	cove_put_le32(buf + 50, 0xFFFFFFFFu);
	expect_error(buf, 2000, "quote v5: body size 4294967295 at offset 50, but a type-2 body is 584 bytes");
	free(buf);
}

static void test_cert_types(void **state)
{
	(void)state;
	uint8_t *buf = malloc(16384);
	assert_non_null(buf);
	spec s = default_spec(4, COVE_TEE_TDX, 0);
	s.outer_type = 3;
	layout l = build(&s, buf);
	assert_int_equal(l.outer_off, 764);
	expect_error(buf, l.len, "quote v4: certification data type 3 at offset 764 (outer must be 6)");
	/* The type is judged before its size. */
	cove_put_le32(buf + 766, 0xFFFFFFFFu);
	expect_error(buf, l.len, "quote v4: certification data type 3 at offset 764 (outer must be 6)");
	s.outer_type = 5;
	l = build(&s, buf);
	expect_error(buf, l.len, "quote v4: certification data type 5 at offset 764 (outer must be 6)");
	s = default_spec(5, COVE_TEE_SGX, 1);
	s.outer_type = 0;
	l = build(&s, buf);
	expect_error(buf, l.len, "quote v5: certification data type 0 at offset 570 (outer must be 6)");
	for (uint16_t t = 0; t < 9; t += (t == 0 ? 6 : 1)) {
		s = default_spec(4, COVE_TEE_TDX, 0);
		s.inner_type = t;
		l = build(&s, buf);
		char want[96];
		snprintf(want, sizeof(want), "quote v4: certification data type %u at offset %zu (inside type 6 it must "
			 "be 1 to 5)", t, l.inner_off);
		expect_error(buf, l.len, want);
	}
	s = default_spec(3, COVE_TEE_SGX, 0);
	s.inner_type = 6;
	l = build(&s, buf);
	assert_int_equal(l.inner_off, 1046);
	expect_error(buf, l.len, "quote v3: certification data type 6 at offset 1046 (v3 allows 1 to 5)");
	/* Types 1 to 4 keep their data and no chain. */
	for (uint16_t t = 1; t <= 4; t++) {
		cove_dcap_quote q;
		s = default_spec(3, COVE_TEE_SGX, 0);
		s.inner_type = t;
		l = build(&s, buf);
		assert_int_equal(cove_dcap_quote_parse(buf, l.len, &q, NULL), COVE_OK);
		assert_int_equal(q.cert_type, t);
		assert_int_equal(q.pck_chain.count, 0);
		cove_dcap_quote_free(&q);
	}
	/* Type 5 that holds no certificate. */
	static const uint8_t nul[1] = {0};
	s = default_spec(4, COVE_TEE_TDX, 0);
	s.inner_type = 5;
	s.cert = nul;
	s.cert_len = 1;
	l = build(&s, buf);
	expect_error(buf, l.len, "PCK certificate chain (certification data type 5 at offset 1252, 1 bytes): it holds "
				 "no certificate");
	s.cert_len = 0;
	l = build(&s, buf);
	expect_error(buf, l.len, "it holds no certificate");
	static const char text[] = "hello";
	s.cert = (const uint8_t *)text;
	s.cert_len = 5;
	l = build(&s, buf);
	expect_error(buf, l.len, "neither DER nor PEM certificates");
	static const uint8_t der_junk[] = {0x30, 0x03, 0x02, 0x01, 0x05};
	s.cert = der_junk;
	s.cert_len = sizeof(der_junk);
	l = build(&s, buf);
	expect_error(buf, l.len, "DER certificate 1 at byte 0 is malformed");
	free(buf);
}

/* A PEM chain taken from a genuine quote, for synthetic type-5 cases. */
static void genuine_pem(cove_buf *out)
{
	cove_buf b = {0};
	cove_dcap_quote q;
	load_quote("vectors/sgx/phala-dcap-qvl/sgx_quote", &b, &q);
	assert_int_equal(cove_buf_set(out, q.cert_data, q.cert_len, NULL), COVE_OK);
	cove_dcap_quote_free(&q);
	cove_buf_free(&b);
}

static void test_pem_chain_variants(void **state)
{
	(void)state;
	cove_buf pem = {0};
	genuine_pem(&pem);
	uint8_t *buf = malloc(16384), *chain = malloc(pem.len + 64);
	assert_non_null(buf);
	assert_non_null(chain);
	spec s = default_spec(4, COVE_TEE_TDX, 0);
	s.inner_type = 5;
	cove_dcap_quote q;
	cove_error e = {0};

	/* As is; without the NUL; with extra white space and NULs at the end. */
	memcpy(chain, pem.data, pem.len);
	s.cert = chain;
	s.cert_len = pem.len;
	layout l = build(&s, buf);
	assert_int_equal(cove_dcap_quote_parse(buf, l.len, &q, &e), COVE_OK);
	assert_int_equal(q.pck_chain.count, 3);
	cove_dcap_quote_free(&q);
	s.cert_len = pem.len - 1;
	l = build(&s, buf);
	assert_int_equal(cove_dcap_quote_parse(buf, l.len, &q, &e), COVE_OK);
	assert_int_equal(q.pck_chain.count, 3);
	cove_dcap_quote_free(&q);
	memcpy(chain + pem.len - 1, "\n \r\n\0\0", 6);
	s.cert_len = pem.len + 5;
	l = build(&s, buf);
	assert_int_equal(cove_dcap_quote_parse(buf, l.len, &q, &e), COVE_OK);
	cove_dcap_quote_free(&q);

	/* Junk after the last certificate. */
	memcpy(chain + pem.len - 1, "x\0", 2);
	s.cert_len = pem.len + 1;
	l = build(&s, buf);
	expect_error(buf, l.len, "after the last PEM certificate is 0x78");
	/* A NUL in the middle. */
	memcpy(chain, pem.data, pem.len);
	chain[100] = 0;
	s.cert_len = pem.len;
	l = build(&s, buf);
	expect_error(buf, l.len, "a NUL byte at 100 precedes the end of the PEM text");
	/* A damaged base64 body. */
	memcpy(chain, pem.data, pem.len);
	chain[200] = '*';
	l = build(&s, buf);
	expect_error(buf, l.len, "quote v4: PCK certificate chain (certification data type 5 at offset 1252");
	/* A non-certificate PEM block in the middle is not silently skipped. */
	memcpy(chain, pem.data, pem.len);
	char *second = strstr((char *)chain + 10, "-----BEGIN CERTIFICATE-----");
	assert_non_null(second);
	memcpy(second + 11, "CERTIFICATX", 11);
	char *second_end = strstr(second, "-----END CERTIFICATE-----");
	memcpy(second_end + 9, "CERTIFICATX", 11);
	l = build(&s, buf);
	expect_error(buf, l.len, "3 PEM blocks but 2 certificates decoded");
	free(chain);
	free(buf);
	cove_buf_free(&pem);
}

static void test_length_fields(void **state)
{
	(void)state;
	uint8_t *buf = malloc(16384);
	assert_non_null(buf);
	spec s = default_spec(4, COVE_TEE_TDX, 0);
	layout l = build(&s, buf);
	char want[256];
	uint32_t sig_len = cove_le32(buf + l.sig_len_off);

	/* Signature data length. */
	cove_put_le32(buf + l.sig_len_off, sig_len + 1);
	snprintf(want, sizeof(want), "quote v4: signature data length %u (field at offset 632) runs past the input, "
		 "which ends at offset %zu", sig_len + 1, l.len);
	expect_error(buf, l.len, want);
	cove_put_le32(buf + l.sig_len_off, 0xFFFFFFFFu);
	expect_error(buf, l.len, "signature data length 4294967295 (field at offset 632) runs past the input");
	cove_put_le32(buf + l.sig_len_off, sig_len - 1);
	expect_error(buf, l.len, "runs past the signature data, which ends");
	cove_put_le32(buf + l.sig_len_off, 0);
	expect_error(buf, l.len, "quote v4: quote signature at offset 636 needs 64 bytes but the signature data ends "
				 "at offset 636");
	/* One more byte in the signature data than its content uses: unaccounted. */
	cove_put_le32(buf + l.sig_len_off, sig_len + 1);
	snprintf(want, sizeof(want), "quote v4: 1 unaccounted bytes at offset %zu inside the signature data", l.len);
	expect_error(buf, l.len + 1, want);
	cove_put_le32(buf + l.sig_len_off, sig_len);

	/* Outer (type 6) size. */
	uint32_t outer = cove_le32(buf + l.outer_off + 2);
	cove_put_le32(buf + l.outer_off + 2, outer + 1);
	expect_error(buf, l.len, "quote v4: certification data length");
	cove_put_le32(buf + l.outer_off + 2, outer - 1);
	expect_error(buf, l.len, "runs past the QE report certification data (type 6)");
	cove_put_le32(buf + l.outer_off + 2, 100);
	expect_error(buf, l.len, "quote v4: QE report at offset 770 needs 384 bytes but the QE report certification "
				 "data (type 6) ends at offset 870");
	cove_put_le32(buf + l.outer_off + 2, outer);

	/* QE authentication data length. */
	cove_put_le16(buf + l.auth_off, 0xFFFF);
	snprintf(want, sizeof(want), "quote v4: QE authentication data length 65535 (field at offset %zu) runs past",
		 l.auth_off);
	expect_error(buf, l.len, want);
	cove_put_le16(buf + l.auth_off, 31);
	expect_error(buf, l.len, "quote v4:");
	cove_put_le16(buf + l.auth_off, 32);

	/* Inner certification data size. */
	uint32_t inner = cove_le32(buf + l.inner_off + 2);
	cove_put_le32(buf + l.inner_off + 2, inner + 1);
	snprintf(want, sizeof(want), "quote v4: certification data length %u (field at offset %zu) runs past the QE "
		 "report certification data (type 6)", inner + 1, l.inner_off + 2);
	expect_error(buf, l.len, want);
	cove_put_le32(buf + l.inner_off + 2, inner - 1);
	snprintf(want, sizeof(want), "quote v4: 1 unaccounted bytes at offset %zu inside the QE report certification "
		 "data (type 6)", l.len - 1);
	expect_error(buf, l.len, want);
	cove_put_le32(buf + l.inner_off + 2, 0x80000000u);
	expect_error(buf, l.len, "certification data length 2147483648");
	cove_put_le32(buf + l.inner_off + 2, inner);

	/* v3: the certification data ends the signature data. */
	s = default_spec(3, COVE_TEE_SGX, 0);
	l = build(&s, buf);
	inner = cove_le32(buf + l.inner_off + 2);
	cove_put_le32(buf + l.inner_off + 2, inner + 1);
	expect_error(buf, l.len, "quote v3: certification data length 37 (field at offset 1048) runs past the "
				 "signature data");
	cove_put_le32(buf + l.inner_off + 2, inner);
	cove_dcap_quote q;
	assert_int_equal(cove_dcap_quote_parse(buf, l.len, &q, NULL), COVE_OK);
	cove_dcap_quote_free(&q);
	free(buf);
}

static void test_trailing_garbage(void **state)
{
	(void)state;
	cove_buf b = {0};
	cove_dcap_quote q;
	cove_error e = {0};
	cove_test_read_shared("vectors/sgx/phala-dcap-qvl/sgx_quote", &b);
	uint8_t *big = calloc(1, b.len + 3400);
	assert_non_null(big);
	memcpy(big, b.data, b.len);
	/* Zero padding to 8000 bytes: fine. */
	assert_int_equal(cove_dcap_quote_parse(big, 8000, &q, &e), COVE_OK);
	assert_int_equal(q.quote_len, 4600);
	assert_int_equal(q.trailing_len, 3400);
	cove_dcap_quote_free(&q);
	/* A non-zero byte anywhere after the end. */
	big[4600] = 1;
	expect_error(big, 4601, "quote v3: byte at offset 4600 is 0x01, but the quote ends at offset 4600");
	big[4600] = 0;
	big[7999] = 0xFF;
	expect_error(big, 8000, "byte at offset 7999 is 0xff");
	/* ... which the prefix parser ignores. */
	assert_int_equal(cove_dcap_quote_parse_prefix(big, 8000, &q, &e), COVE_OK);
	assert_int_equal(q.trailing_len, 3400);
	cove_dcap_quote_free(&q);
	free(big);
	cove_buf_free(&b);
}

/* Every prefix shorter than the quote fails with a PARSE error, and never reads past it. */
static void truncations(const char *rel)
{
	cove_buf b = {0};
	cove_dcap_quote q;
	cove_test_read_shared(rel, &b);
	parse_ok(&b, &q, rel);
	size_t n = q.quote_len;
	cove_dcap_quote_free(&q);
	for (size_t len = 0; len < n; len++) {
		uint8_t *copy = malloc(len ? len : 1);
		cove_error e = {0};
		assert_non_null(copy);
		memcpy(copy, b.data, len);
		cove_err rc = cove_dcap_quote_parse_prefix(copy, len, &q, &e);
		free(copy);
		if (rc != COVE_ERR_PARSE || !e.msg[0])
			fail_msg("%s cut to %zu bytes: %s (%s)", rel, len, cove_err_name(rc), e.msg);
	}
	cove_buf_free(&b);
}

static void test_truncations(void **state)
{
	(void)state;
	truncations("vectors/sgx/phala-dcap-qvl/sgx_quote");
	truncations("vectors/tdx/phala-dcap-qvl/tdx_quote");
	truncations("vectors/tdx/trustee/tdx_quote_5.dat");
	truncations("vectors/tdx/intel-qvl/sampleData/tdx/quote.dat");
}

static void test_truncation_messages(void **state)
{
	(void)state;
	cove_buf b = {0};
	cove_test_read_shared("vectors/tdx/phala-dcap-qvl/tdx_quote", &b);
	expect_error(b.data, 600, "quote v4: TD report body at offset 48 needs 584 bytes but the input ends at offset "
				  "600");
	expect_error(b.data, 634, "quote v4: signature data length at offset 632 needs 4 bytes but the input ends at "
				  "offset 634");
	expect_error(b.data, 4935, "quote v4: signature data length 4300 (field at offset 632) runs past the input, "
				   "which ends at offset 4935");
	cove_buf_free(&b);
	cove_test_read_shared("vectors/tdx/trustee/tdx_quote_5.dat", &b);
	expect_error(b.data, 50, "quote v5: body type and size at offset 48 needs 6 bytes but the input ends at offset "
				 "50");
	cove_buf_free(&b);
}

/* Every single-byte flip either parses or gives a PARSE error; what parses renders as JSON. */
static void test_byte_flips(void **state)
{
	(void)state;
	cove_buf b = {0};
	cove_test_read_shared("vectors/tdx/phala-dcap-qvl/tdx_quote", &b);
	uint8_t *copy = malloc(b.len);
	assert_non_null(copy);
	size_t ok = 0, bad = 0;
	for (size_t i = 0; i < b.len; i++) {
		cove_dcap_quote q;
		cove_error e = {0};
		memcpy(copy, b.data, b.len);
		copy[i] ^= 0xFF;
		cove_err rc = cove_dcap_quote_parse(copy, b.len, &q, &e);
		if (rc == COVE_OK) {
			ok++;
			if (i % 64 == 0) {
				json_t *j = cove_dcap_quote_to_json(&q);
				assert_non_null(j);
				json_decref(j);
			}
			cove_dcap_quote_free(&q);
		} else {
			bad++;
			if (rc != COVE_ERR_PARSE || !e.msg[0])
				fail_msg("flip at %zu: %s (%s)", i, cove_err_name(rc), e.msg);
		}
	}
	/* Header fields, lengths, types and the chain's structure are checked; signed bytes are not. */
	assert_true(ok > 1000);
	assert_true(bad > 50);
	free(copy);
	cove_buf_free(&b);
}

static void test_sgx_json(void **state)
{
	(void)state;
	cove_buf b = {0};
	cove_dcap_quote q;
	load_quote("vectors/sgx/phala-dcap-qvl/sgx_quote", &b, &q);
	json_t *j = cove_dcap_quote_to_json(&q);
	json_t *h = json_object_get(j, "header");
	assert_int_equal(json_integer_value(json_object_get(h, "qe_svn")), 10);
	assert_int_equal(json_integer_value(json_object_get(h, "pce_svn")), 15);
	assert_string_equal(json_string_value(json_object_get(h, "qe_vendor_id")), "939a7233f79c4ca9940a0db3957f0607");
	json_t *body = json_object_get(j, "body");
	assert_memory_equal(json_string_value(json_object_get(body, "report_data")), "48656c6c6f2c20776f726c6421", 26);
	json_t *a = json_object_get(body, "attributes");
	assert_string_equal(json_string_value(json_object_get(a, "flags")), "0x0000000000000005");
	assert_true(json_is_false(json_object_get(a, "debug")));
	assert_true(json_is_true(json_object_get(a, "mode64bit")));
	json_t *sig = json_object_get(j, "signature_data");
	assert_string_equal(json_string_value(json_object_get(sig, "qe_auth_data")),
			    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(sig, "qe_report"), "isv_svn")), 10);
	json_t *leaf = json_array_get(json_object_get(json_object_get(sig, "certification_data"), "certificates"), 0);
	assert_non_null(strstr(json_string_value(json_object_get(leaf, "subject")), "CN=Intel SGX PCK Certificate"));
	assert_non_null(strstr(json_string_value(json_object_get(leaf, "issuer")), "CN=Intel SGX PCK Processor CA"));
	json_t *ext = json_object_get(leaf, "pck_extension");
	assert_string_equal(json_string_value(json_object_get(ext, "fmspc")), "00a067110000");
	assert_string_equal(json_string_value(json_object_get(ext, "sgx_type_name")), "Standard");
	json_decref(j);
	cove_dcap_quote_free(&q);
	cove_buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_phala_sgx),
		cmocka_unit_test(test_automata_sgx_debug),
		cmocka_unit_test(test_openenclave_evidence),
		cmocka_unit_test(test_openenclave_bad_report),
		cmocka_unit_test(test_qvl_sgx_cert_type1),
		cmocka_unit_test(test_phala_tdx_offsets),
		cmocka_unit_test(test_trustee_debug_td),
		cmocka_unit_test(test_go_tdx_guest_extra_bytes),
		cmocka_unit_test(test_padded_8000),
		cmocka_unit_test(test_other_v4),
		cmocka_unit_test(test_v5),
		cmocka_unit_test(test_qvl_tdx_der_chain),
		cmocka_unit_test(test_synthetic_layouts),
		cmocka_unit_test(test_bad_header_fields),
		cmocka_unit_test(test_v5_body_mismatch),
		cmocka_unit_test(test_cert_types),
		cmocka_unit_test(test_pem_chain_variants),
		cmocka_unit_test(test_length_fields),
		cmocka_unit_test(test_trailing_garbage),
		cmocka_unit_test(test_truncations),
		cmocka_unit_test(test_truncation_messages),
		cmocka_unit_test(test_byte_flips),
		cmocka_unit_test(test_sgx_json),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
