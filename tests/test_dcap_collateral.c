/*
 * DCAP collateral parsing (src/dcap/collateral.c, tcb_info.c,
 * qe_identity.c): every TCB info, QE identity and collateral bundle in
 * shared/vectors parses with the values Intel served; PCS bodies split into
 * exactly the bytes the bundles hold; malformed JSON, wrong types, lengths
 * and values get COVE_ERR_PARSE naming the JSON path; bundles round-trip.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "cove/dcap_collateral.h"
#include "testutil.h"
#include "support/expect.h"

#define SIG128                                                                                                         \
	"00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"                                             \
	"00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"

static void must(cove_err rc, const cove_error *e, const char *what)
{
	if (rc != COVE_OK)
		fail_msg("%s: %s (%s)", what, e->msg, cove_err_name(rc));
}

static void hexeq(const uint8_t *got, size_t n, const char *want_hex)
{
	char hex[256];
	assert_true(2 * n < sizeof(hex));
	cove_hex_write(hex, got, n);
	if (strcasecmp(hex, want_hex) != 0)
		fail_msg("got %s, want %s", hex, want_hex);
}

/* advisory_ids of a level as one comma-separated string. */
static void advisories(const json_t *ids, char *out, size_t n)
{
	out[0] = '\0';
	assert_non_null(ids);
	assert_true(json_is_array(ids));
	for (size_t i = 0; i < json_array_size(ids); i++) {
		if (i)
			strncat(out, ",", n - strlen(out) - 1);
		strncat(out, json_string_value(json_array_get(ids, i)), n - strlen(out) - 1);
	}
}

/* ------------------------------------------------------------------ */

static void test_status_names(void **state)
{
	(void)state;
	static const char *const names[] = {"UpToDate",
					    "SWHardeningNeeded",
					    "ConfigurationNeeded",
					    "ConfigurationAndSWHardeningNeeded",
					    "OutOfDate",
					    "OutOfDateConfigurationNeeded",
					    "Revoked",
					    "TCBNotSupported"};
	cove_error e = {0};
	for (int i = 0; i < 8; i++) {
		cove_tcb_status s;
		assert_string_equal(cove_tcb_status_name((cove_tcb_status)i), names[i]);
		assert_int_equal(cove_tcb_status_parse(names[i], &s, &e), COVE_OK);
		assert_int_equal(s, i);
	}
	assert_int_equal(COVE_TCB_REVOKED, 6);
	cove_tcb_status s;
	assert_int_equal(cove_tcb_status_parse("uptodate", &s, &e), COVE_ERR_PARSE);
	cove_test_expect_msg(&e, "'uptodate' is not a TCB status");
	assert_int_equal(cove_tcb_status_parse(NULL, &s, &e), COVE_ERR_ARG);
	assert_string_equal(cove_tcb_status_name((cove_tcb_status)99), "unknown");
}

/* ---- PCS bodies ---- */

typedef struct tcb_case {
	const char *rel;
	int version;
	const char *id;
	const char *fmspc;
	int eval;
	size_t nlevels;
	cove_tcb_status first;
	int64_t issue;
	bool tdx_module;
	size_t nmodules;
	bool compact; /* {"tcbInfo":{...},"signature":"..."} with no white space */
} tcb_case;

static const tcb_case tcb_cases[] = {
	{"vectors/sgx/automata/solana-tests-data/tcb_info_v3_sgx.json", 3, "SGX", "00A067110000", 17, 11,
	 COVE_TCB_SW_HARDENING_NEEDED, 1746432216, false, 0, true},
	{"vectors/sgx/openenclave/tests/report/data_v2/tcbInfo.json", 2, "", "00906EA10000", 5, 7, COVE_TCB_UP_TO_DATE,
	 1528279937, false, 0, false},
	{"vectors/sgx/openenclave/tests/report/data_v3/tcbinfo_sgx.json", 3, "SGX", "00906EA10000", 14, 5,
	 COVE_TCB_UP_TO_DATE, 1528279937, false, 0, false},
	{"vectors/sgx/intel-qvl/sampleData/tcbInfo.json", 2, "", "00707F000000", 3, 6, COVE_TCB_UP_TO_DATE, 1567669627,
	 false, 0, true},
	{"vectors/tdx/automata/solana-tests-data/tcb_info_v3_with_tdx_module.json", 3, "TDX", "00806F050000", 17, 4,
	 COVE_TCB_UP_TO_DATE, 1751879203, true, 2, true},
	{"vectors/tdx/automata/evm-assets/0625/tcbinfov3_00806f050000.json", 3, "TDX", "00806F050000", 17, 4,
	 COVE_TCB_UP_TO_DATE, 1749030698, true, 2, true},
	{"vectors/tdx/automata/evm-assets/0625/tcbinfov3_90C06F000000.json", 3, "TDX", "90C06F000000", 17, 2,
	 COVE_TCB_UP_TO_DATE, 1749095025, true, 2, true},
	{"vectors/tdx/automata/evm-assets/1025/tcb_info.json", 3, "TDX", "00806F050000", 17, 4, COVE_TCB_UP_TO_DATE,
	 1760896130, true, 2, true},
	{"vectors/tdx/go-tdx-guest/testdata/sample_tcbInfo_response", 3, "TDX", "50806F000000", 15, 2,
	 COVE_TCB_UP_TO_DATE, 1687077778, true, 0, true},
	{"vectors/tdx/go-tdx-guest/testdata/sample_tcbinfo_response_v5", 3, "TDX", "90C06F000000", 18, 3,
	 COVE_TCB_UP_TO_DATE, 1769957366, true, 2, true},
	{"vectors/tdx/openenclave/tests/report/data_v3/tcbinfo_tdx.json", 3, "TDX", "00906EA10000", 14, 5,
	 COVE_TCB_UP_TO_DATE, 1528279937, true, 0, false},
};

/* Independent of the scanner: in a compact body the object runs from after {"tcbInfo": to before ,"signature". */
static void check_compact_span(const cove_buf *b, const char *member, const char *obj, size_t len)
{
	char prefix[64];
	snprintf(prefix, sizeof(prefix), "{\"%s\":", member);
	const char *body = (const char *)b->data;
	assert_int_equal(memcmp(body, prefix, strlen(prefix)), 0);
	const char *sig = strstr(body, ",\"signature\":\"");
	assert_non_null(sig);
	assert_ptr_equal(obj, body + strlen(prefix));
	assert_int_equal(len, (size_t)(sig - obj));
}

/* A PCS body from shared/ and what the split found in it: obj / len point into text. */
typedef struct split_body {
	cove_buf text;
	const char *obj;
	size_t len;
	uint8_t sig[64];
} split_body;

static void read_split(split_body *b, const char *rel, const char *member)
{
	cove_error e = {0};
	memset(b, 0, sizeof(*b));
	cove_test_read_shared(rel, &b->text);
	must(cove_dcap_signed_json_split((const char *)b->text.data, b->text.len, member, &b->obj, &b->len, b->sig, &e),
	     &e, rel);
}

static void test_tcb_info_bodies(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(tcb_cases) / sizeof(tcb_cases[0]); i++) {
		const tcb_case *tc = &tcb_cases[i];
		split_body b;
		cove_error e = {0};
		cove_dcap_tcb_info t;
		print_message("%s\n", tc->rel);
		read_split(&b, tc->rel, "tcbInfo");
		assert_int_equal(b.obj[0], '{');
		assert_int_equal(b.obj[b.len - 1], '}');
		if (tc->compact)
			check_compact_span(&b.text, "tcbInfo", b.obj, b.len);
		must(cove_dcap_tcb_info_parse(b.obj, b.len, &t, &e), &e, tc->rel);
		assert_int_equal(t.version, tc->version);
		assert_string_equal(t.id, tc->id);
		hexeq(t.fmspc, 6, tc->fmspc);
		assert_int_equal(t.tcb_evaluation_data_number, tc->eval);
		assert_int_equal(t.tcb_type, 0);
		assert_int_equal(t.nlevels, tc->nlevels);
		assert_int_equal(t.levels[0].status, tc->first);
		assert_int_equal(t.issue_date, tc->issue);
		assert_true(t.next_update > t.issue_date);
		assert_int_equal(t.has_tdx_module, tc->tdx_module);
		assert_int_equal(t.nmodules, tc->nmodules);
		for (size_t k = 0; k < t.nlevels; k++) {
			assert_non_null(t.levels[k].advisory_ids);
			assert_int_equal(t.levels[k].has_tdx, strcmp(tc->id, "TDX") == 0);
		}
		cove_dcap_tcb_info_free(&t);
		assert_null(t.levels);
		cove_buf_free(&b.text);
	}
}

/* Intel's synthetic TDX sample uses component SVNs above 255, which no PCK or TD report can carry. */
static void test_tcb_info_qvl_tdx_sample(void **state)
{
	(void)state;
	split_body b;
	cove_error e = {0};
	cove_dcap_tcb_info t;
	read_split(&b, "vectors/tdx/intel-qvl/sampleData/tdx/tcbInfo.json", "tcbInfo");
	check_compact_span(&b.text, "tcbInfo", b.obj, b.len);
	assert_int_equal(cove_dcap_tcb_info_parse(b.obj, b.len, &t, &e), COVE_ERR_PARSE);
	assert_string_equal(e.msg,
			    "tcbInfo.tcbLevels[0].tcb.sgxtcbcomponents[1].svn must be an integer from 0 to 255, not 65473");
	assert_null(t.levels);
	cove_buf_free(&b.text);
}

typedef struct qe_case {
	const char *rel;
	const char *id;
	uint16_t isvprodid;
	int eval;
	size_t nlevels;
	uint16_t first_isvsvn;
	uint32_t miscselect;
	const char *mrsigner;
} qe_case;

#define QE_MRSIGNER "8C4F5775D796503E96137F77C68A829A0056AC8DED70140B081B094490C57BFF"
#define TDQE_MRSIGNER "DC9E2A7C6F948F17474E34A7FC43ED030F7C1563F1BABDDF6340C82E0E54A8C5"

static const qe_case qe_cases[] = {
	{"vectors/sgx/automata/solana-tests-data/qe_identity.json", "TD_QE", 2, 17, 1, 4, 0, TDQE_MRSIGNER},
	{"vectors/sgx/openenclave/tests/qeidentity/data_v2/qe_identity_ok.json", "QE", 1, 5, 2, 2, 0, QE_MRSIGNER},
	{"vectors/sgx/intel-qvl/sampleData/qeIdentity.json", "QE", 1, 0, 1, 1, 0x8CB182D1, QE_MRSIGNER},
	{"vectors/sgx/intel-qvl/sampleData/qveIdentity.json", "QVE", 2, 0, 1, 1, 0x1FCE8999, NULL},
	{"vectors/tdx/automata/evm-assets/0625/identity.json", "QE", 1, 17, 6, 8, 0, QE_MRSIGNER},
	{"vectors/tdx/automata/evm-assets/0625/qe_td.json", "TD_QE", 2, 17, 1, 4, 0, TDQE_MRSIGNER},
	{"vectors/tdx/automata/evm-assets/1025/identity.json", "TD_QE", 2, 17, 1, 4, 0, TDQE_MRSIGNER},
	{"vectors/tdx/go-tdx-guest/testdata/sample_qeIdentity_response", "TD_QE", 2, 15, 1, 4, 0, TDQE_MRSIGNER},
	{"vectors/tdx/intel-qvl/sampleData/tdx/qeIdentity.json", "TD_QE", 29854, 0, 1, 12677, 0x093B3713, NULL},
};

static void test_qe_identity_bodies(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(qe_cases) / sizeof(qe_cases[0]); i++) {
		const qe_case *qc = &qe_cases[i];
		split_body b;
		cove_error e = {0};
		cove_dcap_qe_identity q;
		print_message("%s\n", qc->rel);
		read_split(&b, qc->rel, "enclaveIdentity");
		if (b.text.data[1] == '"')
			check_compact_span(&b.text, "enclaveIdentity", b.obj, b.len);
		must(cove_dcap_qe_identity_parse(b.obj, b.len, &q, &e), &e, qc->rel);
		assert_string_equal(q.id, qc->id);
		assert_int_equal(q.version, 2);
		assert_int_equal(q.isvprodid, qc->isvprodid);
		assert_int_equal(q.tcb_evaluation_data_number, qc->eval);
		assert_int_equal(q.nlevels, qc->nlevels);
		assert_int_equal(q.levels[0].isvsvn, qc->first_isvsvn);
		assert_int_equal(q.levels[0].status, COVE_TCB_UP_TO_DATE);
		assert_int_equal(q.miscselect, qc->miscselect);
		assert_int_equal(q.miscselect_mask, 0xFFFFFFFF);
		if (qc->mrsigner)
			hexeq(q.mrsigner, 32, qc->mrsigner);
		cove_dcap_qe_identity_free(&q);
		cove_buf_free(&b.text);
	}
}

/*
 * The byte order of miscselect/attributes, decided by data: the QE report
 * in Intel's sample quote carries the identity's "D182B18C" as the bytes
 * d1 82 b1 8c at REPORTBODY offset 16, read little-endian as MISCSELECT.
 */
static void test_qe_identity_byte_order(void **state)
{
	(void)state;
	split_body b;
	cove_buf quote = {0};
	cove_error e = {0};
	cove_dcap_qe_identity q;
	read_split(&b, "vectors/sgx/intel-qvl/sampleData/qeIdentity.json", "enclaveIdentity");
	cove_test_read_shared("vectors/sgx/intel-qvl/sampleData/quote.dat", &quote);
	must(cove_dcap_qe_identity_parse(b.obj, b.len, &q, &e), &e, "parse");
	/* v3 quote: signature data at 436, QE REPORTBODY at +128; MISCSELECT @16, ATTRIBUTES @48 */
	const uint8_t *qe = quote.data + 436 + 128;
	assert_true(quote.len > 436 + 128 + 384);
	assert_int_equal(cove_le32(qe + 16), q.miscselect);
	assert_int_equal(q.miscselect, 0x8CB182D1);
	assert_memory_equal(qe + 48, q.attributes, 16);
	hexeq(q.attributes, 16, "70C8CBF48BD76EAB9C8126CE95E96C90");
	for (int i = 0; i < 16; i++)
		assert_int_equal(q.attributes_mask[i], 0xFF);
	cove_dcap_qe_identity_free(&q);
	cove_buf_free(&b.text);
	cove_buf_free(&quote);
}

/* ---- bundles ---- */

typedef struct bundle_case {
	const char *rel;
	int version;
	const char *id;
	const char *fmspc;
	int eval;
	size_t nlevels;
	cove_tcb_status first;
	const char *qe_id;
	size_t qe_levels;
	uint16_t qe_first_isvsvn;
	int64_t tcb_next;
} bundle_case;

static const bundle_case bundle_cases[] = {
	{"vectors/sgx/phala-dcap-qvl/sgx_quote_collateral.json", 3, "SGX", "00A067110000", 17, 11,
	 COVE_TCB_SW_HARDENING_NEEDED, "QE", 6, 8, 1752922571},
	{"vectors/tdx/phala-dcap-qvl/tdx_quote_collateral.json", 3, "TDX", "B0C06F000000", 17, 2, COVE_TCB_UP_TO_DATE,
	 "TD_QE", 1, 4, 1752920163},
	{"vectors/sgx/derived-collateral/openenclave_attestation_plugin_endorsements.json", 2, "", "00906ED50000", 12, 13,
	 COVE_TCB_SW_HARDENING_NEEDED, "QE", 5, 6, 1653604765},
	{"vectors/tdx/derived-collateral/automata_1025_fmspc00806f050000.json", 3, "TDX", "00806F050000", 17, 4,
	 COVE_TCB_UP_TO_DATE, "TD_QE", 1, 4, 1763488130},
	{"vectors/tdx/derived-collateral/go-tdx-guest_tcbinfo_v5.json", 3, "TDX", "90C06F000000", 18, 3,
	 COVE_TCB_UP_TO_DATE, "TD_QE", 1, 4, 1772549366},
	{"vectors/tdx/derived-collateral/go-tdx-guest_tdx_v4_fmspc50806f000000.json", 3, "TDX", "50806F000000", 15, 2,
	 COVE_TCB_UP_TO_DATE, "TD_QE", 1, 4, 1689669778},
	{"vectors/tdx/derived-collateral/openenclave_tdx_endorsement.json", 3, "TDX", "90C06F000000", 18, 3,
	 COVE_TCB_UP_TO_DATE, "TD_QE", 1, 4, 1743158240},
};

static void load_bundle(const char *rel, cove_buf *text, cove_dcap_collateral *c)
{
	cove_error e = {0};
	cove_test_read_shared(rel, text);
	must(cove_dcap_collateral_parse_bundle((const char *)text->data, text->len, c, &e), &e, rel);
}

/* The DER of `crl` equals the hex text the bundle holds under `key`. */
static void crl_matches(cove_x509_crl *crl, json_t *bundle, const char *key)
{
	cove_buf der = {0}, want = {0};
	cove_error e = {0};
	const char *hex = json_string_value(json_object_get(bundle, key));
	assert_non_null(hex);
	must(cove_hex_decode(hex, strlen(hex), &want, &e), &e, "hex");
	must(cove_x509_crl_der(crl, &der, &e), &e, "der");
	assert_int_equal(der.len, want.len);
	assert_memory_equal(der.data, want.data, der.len);
	cove_buf_free(&der);
	cove_buf_free(&want);
}

static void test_bundles(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bundle_cases) / sizeof(bundle_cases[0]); i++) {
		const bundle_case *bc = &bundle_cases[i];
		cove_buf text = {0}, sig = {0};
		cove_dcap_collateral c;
		cove_error e = {0};
		print_message("%s\n", bc->rel);
		load_bundle(bc->rel, &text, &c);
		json_t *j = json_loadb((const char *)text.data, text.len, 0, NULL);
		assert_non_null(j);
		assert_int_equal(c.tcb_info.version, bc->version);
		assert_string_equal(c.tcb_info.id, bc->id);
		hexeq(c.tcb_info.fmspc, 6, bc->fmspc);
		assert_true(c.tcb_info.has_pce_id);
		hexeq(c.tcb_info.pce_id, 2, "0000");
		assert_int_equal(c.tcb_info.tcb_evaluation_data_number, bc->eval);
		assert_int_equal(c.tcb_info.nlevels, bc->nlevels);
		assert_int_equal(c.tcb_info.levels[0].status, bc->first);
		assert_int_equal(c.tcb_info.next_update, bc->tcb_next);
		assert_string_equal(c.qe_identity.id, bc->qe_id);
		assert_int_equal(c.qe_identity.nlevels, bc->qe_levels);
		assert_int_equal(c.qe_identity.levels[0].isvsvn, bc->qe_first_isvsvn);
		/* Issuer chains: the signing certificate (or PCK CA) and the root. */
		assert_int_equal(c.pck_crl_issuer_chain.count, 2);
		assert_int_equal(c.tcb_info_issuer_chain.count, 2);
		assert_int_equal(c.qe_identity_issuer_chain.count, 2);
		char cn[128];
		cove_x509_subject_cn(c.tcb_info_issuer_chain.certs[0], cn, sizeof(cn));
		assert_string_equal(cn, "Intel SGX TCB Signing");
		cove_x509_subject_cn(c.pck_crl_issuer_chain.certs[1], cn, sizeof(cn));
		assert_string_equal(cn, "Intel SGX Root CA");
		crl_matches(c.root_ca_crl, j, "root_ca_crl");
		crl_matches(c.pck_crl, j, "pck_crl");
		/* The raw items are the JSON strings' bytes, exactly. */
		const char *ti = json_string_value(json_object_get(j, "tcb_info"));
		assert_int_equal(c.tcb_info_raw.len, strlen(ti));
		assert_memory_equal(c.tcb_info_raw.data, ti, c.tcb_info_raw.len);
		const char *qi = json_string_value(json_object_get(j, "qe_identity"));
		assert_int_equal(c.qe_identity_raw.len, strlen(qi));
		assert_memory_equal(c.qe_identity_raw.data, qi, c.qe_identity_raw.len);
		const char *ts = json_string_value(json_object_get(j, "tcb_info_signature"));
		must(cove_hex_decode(ts, strlen(ts), &sig, &e), &e, "sig");
		assert_int_equal(sig.len, 64);
		assert_memory_equal(c.tcb_info_signature, sig.data, 64);
		json_decref(j);
		cove_buf_free(&sig);
		cove_dcap_collateral_free(&c);
		assert_null(c.pck_crl);
		assert_null(c.tcb_info_raw.data);
		cove_buf_free(&text);
	}
}

static void test_phala_tdx_modules(void **state)
{
	(void)state;
	cove_buf text = {0};
	cove_dcap_collateral c;
	load_bundle("vectors/tdx/phala-dcap-qvl/tdx_quote_collateral.json", &text, &c);
	const cove_dcap_tcb_info *t = &c.tcb_info;
	assert_true(t->has_tdx_module);
	assert_true(cove_is_zero(t->tdx_module_mrsigner, 48));
	assert_int_equal(t->tdx_module_attributes, 0);
	assert_int_equal(t->tdx_module_attributes_mask, UINT64_MAX);
	assert_int_equal(t->nmodules, 2);
	assert_string_equal(t->modules[0].id, "TDX_03");
	assert_int_equal(t->modules[0].nlevels, 1);
	assert_int_equal(t->modules[0].levels[0].isvsvn, 3);
	assert_int_equal(t->modules[0].levels[0].status, COVE_TCB_UP_TO_DATE);
	assert_int_equal(t->modules[0].levels[0].tcb_date, 1710288000);
	assert_string_equal(t->modules[1].id, "TDX_01");
	assert_true(cove_is_zero(t->modules[1].mrsigner, 48));
	assert_int_equal(t->modules[1].attributes_mask, UINT64_MAX);
	assert_int_equal(t->modules[1].nlevels, 2);
	assert_int_equal(t->modules[1].levels[0].isvsvn, 4);
	assert_int_equal(t->modules[1].levels[0].status, COVE_TCB_UP_TO_DATE);
	assert_int_equal(t->modules[1].levels[1].isvsvn, 2);
	assert_int_equal(t->modules[1].levels[1].status, COVE_TCB_OUT_OF_DATE);
	assert_int_equal(t->modules[1].levels[1].tcb_date, 1691539200);
	assert_int_equal(json_array_size(t->modules[1].levels[1].advisory_ids), 0);
	/* Platform levels: SGX and TDX components, PCESVN. */
	static const uint8_t sgx0[16] = {2, 2, 2, 2, 3, 1, 0, 5};
	static const uint8_t tdx0[16] = {5, 0, 2};
	assert_true(t->levels[0].has_tdx);
	assert_memory_equal(t->levels[0].sgx_comp, sgx0, 16);
	assert_memory_equal(t->levels[0].tdx_comp, tdx0, 16);
	assert_int_equal(t->levels[0].pcesvn, 11);
	assert_int_equal(t->levels[1].pcesvn, 5);
	assert_int_equal(t->levels[1].status, COVE_TCB_OUT_OF_DATE);
	assert_int_equal(json_array_size(t->levels[1].advisory_ids), 14);
	/* TD_QE identity. */
	const cove_dcap_qe_identity *q = &c.qe_identity;
	hexeq(q->mrsigner, 32, TDQE_MRSIGNER);
	assert_int_equal(q->isvprodid, 2);
	assert_int_equal(q->miscselect, 0);
	assert_int_equal(q->miscselect_mask, 0xFFFFFFFF);
	hexeq(q->attributes, 16, "11000000000000000000000000000000");
	hexeq(q->attributes_mask, 16, "FBFFFFFFFFFFFFFF0000000000000000");
	assert_int_equal(q->issue_date, 1750329147);
	cove_dcap_collateral_free(&c);
	cove_buf_free(&text);
}

/* MANIFEST: quote_tdx.bin / the Azure TD quote evaluate to OutOfDate with these advisories. */
static void test_automata_out_of_date_advisories(void **state)
{
	(void)state;
	cove_buf text = {0};
	cove_dcap_collateral c;
	char ids[512];
	load_bundle("vectors/tdx/derived-collateral/automata_1025_fmspc00806f050000.json", &text, &c);
	const cove_dcap_tcb_info *t = &c.tcb_info;
	assert_int_equal(t->levels[0].status, COVE_TCB_UP_TO_DATE);
	assert_int_equal(json_array_size(t->levels[0].advisory_ids), 0);
	static const uint8_t sgx0[16] = {7, 7, 2, 2, 3, 1, 0, 3};
	static const uint8_t tdx0[16] = {5, 0, 7};
	assert_memory_equal(t->levels[0].sgx_comp, sgx0, 16);
	assert_memory_equal(t->levels[0].tdx_comp, tdx0, 16);
	assert_int_equal(t->levels[1].status, COVE_TCB_OUT_OF_DATE);
	assert_int_equal(t->levels[1].tcb_date, 1691539200);
	advisories(t->levels[1].advisory_ids, ids, sizeof(ids));
	assert_string_equal(ids, "INTEL-SA-00960,INTEL-SA-00982,INTEL-SA-00986");
	advisories(t->levels[2].advisory_ids, ids, sizeof(ids));
	assert_string_equal(ids, "INTEL-SA-00837,INTEL-SA-00960,INTEL-SA-00982,INTEL-SA-00986");
	assert_int_equal(json_array_size(t->levels[3].advisory_ids), 17);
	assert_int_equal(t->levels[3].pcesvn, 5);
	cove_dcap_collateral_free(&c);
	cove_buf_free(&text);
}

static void test_oe_v2(void **state)
{
	(void)state;
	cove_buf text = {0};
	cove_dcap_collateral c;
	load_bundle("vectors/sgx/derived-collateral/openenclave_attestation_plugin_endorsements.json", &text, &c);
	const cove_dcap_tcb_info *t = &c.tcb_info;
	assert_int_equal(t->version, 2);
	assert_string_equal(t->id, "");
	assert_false(t->has_tdx_module);
	assert_int_equal(t->nmodules, 0);
	assert_int_equal(t->levels[0].tcb_date, 1636502400);
	static const uint8_t sgx0[16] = {17, 17, 2, 4, 1, 128, 6};
	assert_memory_equal(t->levels[0].sgx_comp, sgx0, 16);
	assert_int_equal(t->levels[0].pcesvn, 11);
	assert_false(t->levels[0].has_tdx);
	assert_int_equal(t->levels[1].status, COVE_TCB_OUT_OF_DATE);
	assert_int_equal(t->levels[1].pcesvn, 10);
	assert_int_equal(c.qe_identity.levels[0].isvsvn, 6);
	assert_int_equal(c.qe_identity.levels[1].status, COVE_TCB_OUT_OF_DATE);
	cove_dcap_collateral_free(&c);
	cove_buf_free(&text);

	/* OpenEnclave's 2018 v2 fixture has no pceId: parsed, and said to be unknown. */
	split_body b;
	cove_error e = {0};
	cove_dcap_tcb_info v2;
	read_split(&b, "vectors/sgx/openenclave/tests/report/data_v2/tcbInfo.json", "tcbInfo");
	must(cove_dcap_tcb_info_parse(b.obj, b.len, &v2, &e), &e, "parse");
	assert_false(v2.has_pce_id);
	assert_int_equal(v2.levels[6].status, COVE_TCB_REVOKED);
	static const uint8_t sgx_fx[16] = {4, 4, 2, 4, 1, 128, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
	assert_memory_equal(v2.levels[0].sgx_comp, sgx_fx, 16);
	assert_int_equal(v2.levels[0].pcesvn, 8);
	cove_dcap_tcb_info_free(&v2);
	cove_buf_free(&b.text);
}

/* Where a bundle was re-packaged from a PCS body, the split gives exactly the bundle's bytes and signature. */
static void test_split_matches_bundles(void **state)
{
	(void)state;
	static const struct {
		const char *bundle, *tcb_body, *qe_body;
	} pairs[] = {
		{"vectors/tdx/derived-collateral/go-tdx-guest_tdx_v4_fmspc50806f000000.json",
		 "vectors/tdx/go-tdx-guest/testdata/sample_tcbInfo_response",
		 "vectors/tdx/go-tdx-guest/testdata/sample_qeIdentity_response"},
		{"vectors/tdx/derived-collateral/go-tdx-guest_tcbinfo_v5.json",
		 "vectors/tdx/go-tdx-guest/testdata/sample_tcbinfo_response_v5",
		 "vectors/tdx/go-tdx-guest/testdata/sample_qeIdentity_response"},
		{"vectors/tdx/derived-collateral/automata_1025_fmspc00806f050000.json",
		 "vectors/tdx/automata/evm-assets/1025/tcb_info.json", "vectors/tdx/automata/evm-assets/1025/identity.json"},
	};
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		cove_buf text = {0};
		split_body tb, qb;
		cove_dcap_collateral c, d;
		cove_error e = {0};
		load_bundle(pairs[i].bundle, &text, &c);
		read_split(&tb, pairs[i].tcb_body, "tcbInfo");
		assert_int_equal(tb.len, c.tcb_info_raw.len);
		assert_memory_equal(tb.obj, c.tcb_info_raw.data, tb.len);
		assert_memory_equal(tb.sig, c.tcb_info_signature, 64);
		read_split(&qb, pairs[i].qe_body, "enclaveIdentity");
		assert_int_equal(qb.len, c.qe_identity_raw.len);
		assert_memory_equal(qb.obj, c.qe_identity_raw.data, qb.len);
		assert_memory_equal(qb.sig, c.qe_identity_signature, 64);

		/* The setters assemble the same collateral from the separate bodies. */
		memset(&d, 0, sizeof(d));
		must(cove_dcap_collateral_set_tcb_info_body(&d, (const char *)tb.text.data, tb.text.len, &e), &e,
		     "set tcb");
		must(cove_dcap_collateral_set_qe_identity_body(&d, (const char *)qb.text.data, qb.text.len, &e), &e,
		     "set qe");
		assert_int_equal(d.tcb_info_raw.len, c.tcb_info_raw.len);
		assert_memory_equal(d.tcb_info_raw.data, c.tcb_info_raw.data, d.tcb_info_raw.len);
		assert_memory_equal(d.qe_identity_signature, c.qe_identity_signature, 64);
		assert_int_equal(d.tcb_info.nlevels, c.tcb_info.nlevels);
		assert_int_equal(d.qe_identity.issue_date, c.qe_identity.issue_date);
		cove_dcap_collateral_free(&d);
		cove_dcap_collateral_free(&c);
		cove_buf_free(&text);
		cove_buf_free(&tb.text);
		cove_buf_free(&qb.text);
	}
}

/* ---- the split on hand-made bodies ---- */

static cove_err split(const char *body, const char *member, const char **obj, size_t *len, cove_error *e)
{
	uint8_t sig[64];
	return cove_dcap_signed_json_split(body, strlen(body), member, obj, len, sig, e);
}

static void expect_span(const char *body, const char *member, const char *want)
{
	const char *obj;
	size_t len;
	cove_error e = {0};
	must(split(body, member, &obj, &len, &e), &e, body);
	if (len != strlen(want) || memcmp(obj, want, len) != 0)
		fail_msg("span of %s in %s is \"%.*s\", want \"%s\"", member, body, (int)len, obj, want);
}

static void expect_split_error(const char *body, const char *want)
{
	const char *obj = (const char *)1;
	size_t len = 1;
	cove_error e = {0};
	assert_int_equal(split(body, "tcbInfo", &obj, &len, &e), COVE_ERR_PARSE);
	cove_test_expect_msg(&e, want);
	assert_null(obj);
	assert_int_equal(len, 0);
}

static void test_split_scanner(void **state)
{
	(void)state;
	/* Strings with escaped quotes, braces and brackets before the member. */
	expect_span("{\"x\":\"a\\\"}\\\\{\",\"y\":[\"}\",{\"z\":\"\\\"]\"}],"
		    "\"tcbInfo\":{\"a\":\"}\"},\"signature\":\"" SIG128 "\"}",
		    "tcbInfo", "{\"a\":\"}\"}");
	/* White space everywhere; the member after the signature; nested arrays and literals. */
	expect_span(" \r\n{ \"signature\" : \"" SIG128 "\" ,\n\t\"n\": -1.5e3, \"t\": [true, false, null],\n"
		    "  \"enclaveIdentity\" :\t{ \"a\" : [ 1, { \"b\" : \"\\u007d\" } ] }  \n}\n ",
		    "enclaveIdentity", "{ \"a\" : [ 1, { \"b\" : \"\\u007d\" } ] }");
	/* A member spelled with an escape is the same member. */
	expect_span("{\"tcb\\u0049nfo\":{\"k\":1},\"signature\":\"" SIG128 "\"}", "tcbInfo", "{\"k\":1}");
	/* A key that merely contains the name is not it. */
	expect_span("{\"xtcbInfo\":{\"k\":2},\"tcbInfo\":{\"k\":3},\"signature\":\"" SIG128 "\"}", "tcbInfo",
		    "{\"k\":3}");
	/* Upper-case signature hex. */
	uint8_t sig[64];
	const char *obj;
	size_t len;
	cove_error e = {0};
	static const char upper[] = "{\"tcbInfo\":{},\"signature\":\"" SIG128 "\"}";
	char body[sizeof(upper)];
	memcpy(body, upper, sizeof(upper));
	for (char *p = body + 27; *p != '"'; p++)
		*p = (char)toupper((unsigned char)*p);
	must(cove_dcap_signed_json_split(body, strlen(body), "tcbInfo", &obj, &len, sig, &e), &e, "upper");
	assert_int_equal(sig[0], 0x00);
	assert_int_equal(sig[15], 0xFF);
	assert_int_equal(len, 2);

	expect_split_error("{\"tcbInfo\":{\"a\":1},\"tcbInfo\":{\"a\":1},\"signature\":\"" SIG128 "\"}",
			   "duplicate object key");
	expect_split_error("{\"tcbInfo\":{\"a\":1,\"a\":2},\"signature\":\"" SIG128 "\"}", "duplicate object key");
	expect_split_error("{\"tcb\\u0049nfo\":{},\"tcbInfo\":{},\"signature\":\"" SIG128 "\"}", "duplicate object key");
	expect_split_error("{\"tcbinfo\":{},\"signature\":\"" SIG128 "\"}", "PCS body.tcbInfo is missing");
	expect_split_error("{\"tcbInfo\":\"{}\",\"signature\":\"" SIG128 "\"}",
			 "PCS body.tcbInfo must be an object, not a string");
	expect_split_error("{\"tcbInfo\":{}}", "PCS body.signature is missing");
	expect_split_error("{\"tcbInfo\":{},\"signature\":7}", "PCS body.signature must be a string, not an integer");
	expect_split_error("{\"tcbInfo\":{},\"signature\":\"abcd\"}",
			   "signature (r || s) must be 128 hex digits (64 bytes), not 4 characters");
	expect_split_error("{\"tcbInfo\":{},\"signature\":\"" SIG128 "00\"}", "not 130 characters");
	expect_split_error("{\"tcbInfo\":{},\"signature\":\"x" SIG128 "\"}", "not 129 characters");
	static const char nonhex[] = "{\"tcbInfo\":{},\"signature\":\"" SIG128 "\"}";
	char bad[sizeof(nonhex)];
	memcpy(bad, nonhex, sizeof(nonhex));
	bad[27 + 5] = 'g';
	expect_split_error(bad, "character 5 is not a hex digit");
	expect_split_error("{\"tcbInfo\":{},\"signature\":\"" SIG128 "\"} x", "PCS body is not valid JSON");
	expect_split_error("{\"tcbInfo\":{},\"signature\":\"" SIG128, "PCS body is not valid JSON");
	expect_split_error("[{\"tcbInfo\":{}}]", "PCS body must be a JSON object, not an array");
	expect_split_error("", "PCS body is not valid JSON");
	expect_split_error("{\"tcbInfo\":{},\"signature\":\"" SIG128 "\",}", "PCS body is not valid JSON");
	/* Truncations of a real-looking body never crash and always fail. */
	static const char full[] = "{\"tcbInfo\":{\"id\":\"TDX\",\"l\":[{\"s\":\"a\\\"b\"}]},\"signature\":\"" SIG128 "\"}";
	for (size_t n = 0; n + 1 < sizeof(full); n++)
		assert_int_equal(cove_dcap_signed_json_split(full, n, "tcbInfo", &obj, &len, sig, &e), COVE_ERR_PARSE);
	assert_int_equal(cove_dcap_signed_json_split(full, sizeof(full) - 1, "tcbInfo", &obj, &len, sig, &e), COVE_OK);
	assert_int_equal(cove_dcap_signed_json_split(full, 5, NULL, &obj, &len, sig, &e), COVE_ERR_ARG);
}

/* ---- malformed TCB info / QE identity ---- */

/* A small, valid TDX TCB info v3 to mutate. */
static json_t *tdx_tcb_doc(void)
{
	static const char text[] =
		"{\"id\":\"TDX\",\"version\":3,\"issueDate\":\"2025-06-19T10:16:03Z\",\"nextUpdate\":\"2025-07-19T10:16:03Z\","
		"\"fmspc\":\"B0C06F000000\",\"pceId\":\"0000\",\"tcbType\":0,\"tcbEvaluationDataNumber\":17,"
		"\"tdxModule\":{\"mrsigner\":\"" "000000000000000000000000000000000000000000000000"
		"000000000000000000000000000000000000000000000000" "\",\"attributes\":\"0100000000000080\","
		"\"attributesMask\":\"FFFFFFFFFFFFFFFF\"},"
		"\"tdxModuleIdentities\":[{\"id\":\"TDX_01\",\"mrsigner\":\""
		"000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
		"\",\"attributes\":\"0000000000000000\",\"attributesMask\":\"FFFFFFFFFFFFFFFF\",\"tcbLevels\":["
		"{\"tcb\":{\"isvsvn\":4},\"tcbDate\":\"2024-03-13T00:00:00Z\",\"tcbStatus\":\"UpToDate\"}]}],"
		"\"tcbLevels\":[{\"tcb\":{\"sgxtcbcomponents\":["
		"{\"svn\":2,\"category\":\"BIOS\",\"type\":\"Early Microcode Update\"},{\"svn\":2},{\"svn\":2},{\"svn\":2},"
		"{\"svn\":3},{\"svn\":1},{\"svn\":0},{\"svn\":5},{\"svn\":0},{\"svn\":0},{\"svn\":0},{\"svn\":0},{\"svn\":0},"
		"{\"svn\":0},{\"svn\":0},{\"svn\":255}],\"pcesvn\":11,\"tdxtcbcomponents\":["
		"{\"svn\":5},{\"svn\":0},{\"svn\":2},{\"svn\":0},{\"svn\":0},{\"svn\":0},{\"svn\":0},{\"svn\":0},{\"svn\":0},"
		"{\"svn\":0},{\"svn\":0},{\"svn\":0},{\"svn\":0},{\"svn\":0},{\"svn\":0},{\"svn\":0}]},"
		"\"tcbDate\":\"2024-03-13T00:00:00Z\",\"tcbStatus\":\"UpToDate\","
		"\"advisoryIDs\":[\"INTEL-SA-00001\"]}]}";
	json_t *j = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
	assert_non_null(j);
	return j;
}

/* A small, valid QE identity v2 to mutate. */
static json_t *qe_doc(void)
{
	static const char text[] =
		"{\"id\":\"QE\",\"version\":2,\"issueDate\":\"2025-06-19T10:01:18Z\",\"nextUpdate\":\"2025-07-19T10:01:18Z\","
		"\"tcbEvaluationDataNumber\":17,\"miscselect\":\"01020304\",\"miscselectMask\":\"FFFFFFFF\","
		"\"attributes\":\"11000000000000000000000000000000\",\"attributesMask\":\"FBFFFFFFFFFFFFFF0000000000000000\","
		"\"mrsigner\":\"" QE_MRSIGNER "\",\"isvprodid\":1,\"tcbLevels\":["
		"{\"tcb\":{\"isvsvn\":8},\"tcbDate\":\"2024-03-13T00:00:00Z\",\"tcbStatus\":\"UpToDate\"},"
		"{\"tcb\":{\"isvsvn\":6},\"tcbDate\":\"2021-11-10T00:00:00Z\",\"tcbStatus\":\"OutOfDate\","
		"\"advisoryIDs\":[\"INTEL-SA-00615\"]}]}";
	json_t *j = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
	assert_non_null(j);
	return j;
}

/*
 * Change `doc` at `path`: dot-separated member names and [i] for array
 * elements ("tcbLevels[0].tcb.pcesvn").  `json` is the new value as JSON
 * text; NULL deletes the member or element; an index one past the end appends.
 */
static void mutate(json_t *doc, const char *path, const char *json)
{
	struct {
		char key[64];
		long index; /* -1: a member name */
	} steps[8];
	size_t n = 0;
	for (const char *p = path; *p;) {
		assert_true(n < sizeof(steps) / sizeof(steps[0]));
		steps[n].index = -1;
		if (*p == '[') {
			char *end;
			steps[n].index = strtol(p + 1, &end, 10);
			assert_int_equal(*end, ']');
			p = end + 1;
		} else {
			size_t k = strcspn(p, ".[");
			assert_true(k > 0 && k < sizeof(steps[n].key));
			memcpy(steps[n].key, p, k);
			steps[n].key[k] = '\0';
			p += k;
		}
		n++;
		if (*p == '.')
			p++;
	}
	assert_true(n > 0);
	json_t *at = doc;
	for (size_t i = 0; i + 1 < n; i++) {
		at = steps[i].index >= 0 ? json_array_get(at, (size_t)steps[i].index)
					 : json_object_get(at, steps[i].key);
		if (!at)
			fail_msg("%s: nothing at step %zu", path, i);
	}
	json_t *v = json ? json_loads(json, JSON_DECODE_ANY, NULL) : NULL;
	if (json && !v)
		fail_msg("%s: bad JSON %s", path, json);
	long i = steps[n - 1].index;
	int rc;
	if (i < 0)
		rc = v ? json_object_set_new(at, steps[n - 1].key, v) : json_object_del(at, steps[n - 1].key);
	else if (!v)
		rc = json_array_remove(at, (size_t)i);
	else if ((size_t)i == json_array_size(at))
		rc = json_array_append_new(at, v);
	else
		rc = json_array_set_new(at, (size_t)i, v);
	if (rc != 0)
		fail_msg("%s: cannot change it", path);
}

/* One change to a valid document and the error it must give. */
typedef struct doc_case {
	const char *path; /* see mutate() */
	const char *json; /* the new value; NULL deletes */
	cove_err code;
	const char *want;
} doc_case;

/* The compact text of `doc`, which is released. */
static char *doc_text(json_t *doc)
{
	char *s = json_dumps(doc, JSON_COMPACT);
	assert_non_null(s);
	json_decref(doc);
	return s;
}

static cove_err parse_tcb_doc(json_t *doc, cove_dcap_tcb_info *t, cove_error *e)
{
	char *s = doc_text(doc);
	cove_err rc = cove_dcap_tcb_info_parse(s, strlen(s), t, e);
	free(s);
	return rc;
}

static cove_err parse_qe_doc(json_t *doc, cove_dcap_qe_identity *q, cove_error *e)
{
	char *s = doc_text(doc);
	cove_err rc = cove_dcap_qe_identity_parse(s, strlen(s), q, e);
	free(s);
	return rc;
}

typedef enum doc_kind { TCB_INFO, QE_IDENTITY } doc_kind;

/* Parsing `doc` (released) as a TCB info or a QE identity fails with `code`, saying `want`, nothing kept. */
static void expect_doc_error(doc_kind kind, json_t *doc, cove_err code, const char *want)
{
	cove_error e = {0};
	if (kind == TCB_INFO) {
		cove_dcap_tcb_info t;
		assert_int_equal(parse_tcb_doc(doc, &t, &e), code);
		cove_test_expect_msg(&e, want);
		assert_null(t.levels);
		assert_null(t.modules);
	} else {
		cove_dcap_qe_identity q;
		assert_int_equal(parse_qe_doc(doc, &q, &e), code);
		cove_test_expect_msg(&e, want);
		assert_null(q.levels);
	}
}

/* Each case applied to a fresh valid document of that kind. */
static void expect_doc_errors(doc_kind kind, const doc_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		json_t *d = kind == TCB_INFO ? tdx_tcb_doc() : qe_doc();
		mutate(d, cases[i].path, cases[i].json);
		expect_doc_error(kind, d, cases[i].code, cases[i].want);
	}
}

static void test_tcb_info_valid_doc(void **state)
{
	(void)state;
	cove_dcap_tcb_info t;
	cove_error e = {0};
	json_t *doc = tdx_tcb_doc();
	/* Unknown members anywhere are fine. */
	mutate(doc, "futureField", "{\"x\":[1,\"y\"]}");
	mutate(doc, "tcbLevels[0].futureLevelField", "true");
	mutate(doc, "tcbLevels[0].tcb.sgxtcbcomponents[3].note", "\"x\"");
	must(parse_tcb_doc(doc, &t, &e), &e, "valid");
	assert_int_equal(t.version, 3);
	assert_string_equal(t.id, "TDX");
	assert_int_equal(t.issue_date, 1750328163);
	assert_int_equal(t.tdx_module_attributes, 0x8000000000000001ull); /* bytes 01 .. 80, little-endian */
	assert_int_equal(t.levels[0].sgx_comp[15], 255);
	assert_int_equal(t.levels[0].tdx_comp[0], 5);
	char ids[64];
	advisories(t.levels[0].advisory_ids, ids, sizeof(ids));
	assert_string_equal(ids, "INTEL-SA-00001");
	assert_int_equal(t.modules[0].levels[0].isvsvn, 4);
	cove_dcap_tcb_info_free(&t);

	/* An SGX v3 TCB info needs neither tdxtcbcomponents nor tdxModule. */
	doc = tdx_tcb_doc();
	mutate(doc, "id", "\"SGX\"");
	mutate(doc, "tdxModule", NULL);
	mutate(doc, "tdxModuleIdentities", NULL);
	mutate(doc, "tcbLevels[0].tcb.tdxtcbcomponents", NULL);
	must(parse_tcb_doc(doc, &t, &e), &e, "sgx");
	assert_false(t.levels[0].has_tdx);
	assert_false(t.has_tdx_module);
	cove_dcap_tcb_info_free(&t);
}

#define L0_SGX "tcbLevels[0].tcb.sgxtcbcomponents"
#define TDX_MI0 "tdxModuleIdentities[0]"

static const doc_case tcb_errors[] = {
	{L0_SGX "[2]", "{\"svn\":256}", COVE_ERR_PARSE,
	 "tcbInfo.tcbLevels[0].tcb.sgxtcbcomponents[2].svn must be an integer from 0 to 255, not 256"},
	{"tcbLevels[0].tcb.tdxtcbcomponents[15]", "{\"svn\":-1}", COVE_ERR_PARSE,
	 "tcbInfo.tcbLevels[0].tcb.tdxtcbcomponents[15].svn must be an integer from 0 to 255, not -1"},
	{L0_SGX "[0]", "{\"svn\":2.0}", COVE_ERR_PARSE,
	 "tcbInfo.tcbLevels[0].tcb.sgxtcbcomponents[0].svn must be an integer from 0 to 255, not a real number"},
	{L0_SGX "[4]", "3", COVE_ERR_PARSE, "tcbInfo.tcbLevels[0].tcb.sgxtcbcomponents[4] must be an object"},
	{L0_SGX "[0]", "{\"svn\":1,\"category\":7}", COVE_ERR_PARSE,
	 "tcbInfo.tcbLevels[0].tcb.sgxtcbcomponents[0].category must be a string, not an integer"},
	{L0_SGX "[0]", NULL, COVE_ERR_PARSE,
	 "tcbInfo.tcbLevels[0].tcb.sgxtcbcomponents must list 16 components, not 15"},
	{"tcbLevels[0].tcb.tdxtcbcomponents", NULL, COVE_ERR_PARSE,
	 "tcbInfo.tcbLevels[0].tcb.tdxtcbcomponents is missing"},
	{"tcbLevels[0].tcb.pcesvn", "65536", COVE_ERR_PARSE,
	 "tcbInfo.tcbLevels[0].tcb.pcesvn must be an integer from 0 to 65535, not 65536"},
	{"fmspc", "\"B0C06F0000\"", COVE_ERR_PARSE, "tcbInfo.fmspc must be 12 hex digits (6 bytes), not 10 characters"},
	{"fmspc", "\"B0C06F00000G\"", COVE_ERR_PARSE, "tcbInfo.fmspc: character 11 is not a hex digit"},
	{"fmspc", "\" B0C06F00000\"", COVE_ERR_PARSE, "tcbInfo.fmspc: character 0 is not a hex digit"},
	{"pceId", "0", COVE_ERR_PARSE, "tcbInfo.pceId must be a string, not an integer"},
	{"pceId", NULL, COVE_ERR_PARSE, "tcbInfo.pceId is missing"},
	{"version", "4", COVE_ERR_UNSUPPORTED, "tcbInfo.version: TCB info version 4 is not supported (2 and 3 are)"},
	{"version", "\"3\"", COVE_ERR_PARSE, "tcbInfo.version must be an integer from 0 to 2147483647, not a string"},
	{"id", "\"SEV\"", COVE_ERR_PARSE, "tcbInfo.id must be \"SGX\" or \"TDX\", not \"SEV\""},
	{"id", NULL, COVE_ERR_PARSE, "tcbInfo.id is missing"},
	{"issueDate", "\"yesterday\"", COVE_ERR_PARSE, "tcbInfo.issueDate: 'yesterday' is not an RFC 3339 time"},
	{"nextUpdate", "null", COVE_ERR_PARSE, "tcbInfo.nextUpdate must be a string, not null"},
	{"tcbEvaluationDataNumber", "-17", COVE_ERR_PARSE,
	 "tcbInfo.tcbEvaluationDataNumber must be an integer from 0 to 2147483647, not -17"},
	{"tcbLevels[0].tcbStatus", "\"Fine\"", COVE_ERR_PARSE,
	 "tcbInfo.tcbLevels[0].tcbStatus: \"Fine\" is not a TCB status"},
	{"tcbLevels[0].tcbStatus", "\"TCBNotSupported\"", COVE_ERR_PARSE,
	 "tcbInfo.tcbLevels[0].tcbStatus: \"TCBNotSupported\" is not a TCB status"},
	{"tcbLevels[0].tcbDate", NULL, COVE_ERR_PARSE, "tcbInfo.tcbLevels[0].tcbDate is missing"},
	{"tcbLevels[0].advisoryIDs", "[\"A\",1]", COVE_ERR_PARSE,
	 "tcbInfo.tcbLevels[0].advisoryIDs[1] must be a non-empty string, not an integer"},
	{"tcbLevels[0].advisoryIDs", "\"INTEL-SA-1\"", COVE_ERR_PARSE,
	 "tcbInfo.tcbLevels[0].advisoryIDs must be an array, not a string"},
	{"tcbLevels[1]", "\"level\"", COVE_ERR_PARSE, "tcbInfo.tcbLevels[1] must be an object"},
	{"tcbLevels", "[]", COVE_ERR_PARSE, "tcbInfo.tcbLevels is empty"},
	{"tdxModule", NULL, COVE_ERR_PARSE, "tcbInfo.tdxModule is missing"},
	{"tdxModule.mrsigner", "\"00\"", COVE_ERR_PARSE,
	 "tcbInfo.tdxModule.mrsigner must be 96 hex digits (48 bytes), not 2 characters"},
	{"tdxModule.attributesMask", "\"FFFFFFFFFFFFFFFFFF\"", COVE_ERR_PARSE,
	 "tcbInfo.tdxModule.attributesMask must be 16 hex digits (8 bytes), not 18 characters"},
	{TDX_MI0 ".tcbLevels[0].tcb.isvsvn", "-1", COVE_ERR_PARSE,
	 "tcbInfo.tdxModuleIdentities[0].tcbLevels[0].tcb.isvsvn must be an integer from 0 to 65535, not -1"},
	{TDX_MI0 ".id", "\"TDX_0123456789ABCDEF\"", COVE_ERR_PARSE,
	 "tcbInfo.tdxModuleIdentities[0].id must be 1 to 15 characters"},
	{TDX_MI0 ".tcbLevels", "[]", COVE_ERR_PARSE, "tcbInfo.tdxModuleIdentities[0].tcbLevels is empty"},
	{"tdxModuleIdentities[1]", "1", COVE_ERR_PARSE, "tcbInfo.tdxModuleIdentities[1] must be an object"},
};

static void test_tcb_info_errors(void **state)
{
	(void)state;
	expect_doc_errors(TCB_INFO, tcb_errors, sizeof(tcb_errors) / sizeof(tcb_errors[0]));

	/* v2: every sgxtcbcompNNsvn. */
	json_t *d = tdx_tcb_doc();
	mutate(d, "version", "2");
	mutate(d, L0_SGX, NULL);
	for (int i = 1; i <= 16; i++) {
		char k[64], v[8];
		snprintf(k, sizeof(k), "tcbLevels[0].tcb.sgxtcbcomp%02dsvn", i);
		snprintf(v, sizeof(v), "%d", i);
		if (i != 7)
			mutate(d, k, v);
	}
	expect_doc_error(TCB_INFO, d, COVE_ERR_PARSE, "tcbInfo.tcbLevels[0].tcb.sgxtcbcomp07svn is missing");

	/* Not the object but the whole PCS response. */
	d = json_pack("{s:o,s:s}", "tcbInfo", tdx_tcb_doc(), "signature", SIG128);
	expect_doc_error(TCB_INFO, d, COVE_ERR_PARSE, "this is a whole PCS response");

	/* Malformed JSON and duplicates. */
	cove_dcap_tcb_info t;
	cove_error e = {0};
	static const char dup[] = "{\"version\":3,\"version\":3}";
	assert_int_equal(cove_dcap_tcb_info_parse(dup, strlen(dup), &t, &e), COVE_ERR_PARSE);
	cove_test_expect_msg(&e, "tcbInfo is not valid JSON: duplicate object key");
	assert_int_equal(cove_dcap_tcb_info_parse("[3]", 3, &t, &e), COVE_ERR_PARSE);
	cove_test_expect_msg(&e, "tcbInfo must be a JSON object, not an array");
	assert_int_equal(cove_dcap_tcb_info_parse("{\"version\":3", 12, &t, &e), COVE_ERR_PARSE);
	assert_int_equal(cove_dcap_tcb_info_parse(NULL, 0, &t, &e), COVE_ERR_ARG);
	/* Every truncation of a valid document fails cleanly. */
	char *s = doc_text(tdx_tcb_doc());
	for (size_t n = 0; n < strlen(s); n += 7)
		assert_int_equal(cove_dcap_tcb_info_parse(s, n, &t, &e), COVE_ERR_PARSE);
	assert_int_equal(cove_dcap_tcb_info_parse(s, strlen(s), &t, &e), COVE_OK);
	cove_dcap_tcb_info_free(&t);
	free(s);
}

static const doc_case qe_errors[] = {
	{"miscselect", "\"010203\"", COVE_ERR_PARSE,
	 "enclaveIdentity.miscselect must be 8 hex digits (4 bytes), not 6 characters"},
	{"attributes", "\"1100000000000000000000000000000\"", COVE_ERR_PARSE,
	 "enclaveIdentity.attributes must be 32 hex digits (16 bytes), not 31 characters"},
	{"mrsigner", "\"" QE_MRSIGNER "00\"", COVE_ERR_PARSE,
	 "enclaveIdentity.mrsigner must be 64 hex digits (32 bytes), not 66 characters"},
	{"isvprodid", "65536", COVE_ERR_PARSE,
	 "enclaveIdentity.isvprodid must be an integer from 0 to 65535, not 65536"},
	{"id", "\"XE\"", COVE_ERR_PARSE, "enclaveIdentity.id must be \"QE\", \"QVE\" or \"TD_QE\", not \"XE\""},
	{"version", "1", COVE_ERR_UNSUPPORTED, "enclaveIdentity.version: enclave identity version 1 is not supported"},
	{"tcbLevels[1].tcb.isvsvn", NULL, COVE_ERR_PARSE, "enclaveIdentity.tcbLevels[1].tcb.isvsvn is missing"},
	{"tcbLevels[0].tcb", "8", COVE_ERR_PARSE, "enclaveIdentity.tcbLevels[0].tcb must be an object, not an integer"},
	{"tcbLevels[1].advisoryIDs", "[\"\"]", COVE_ERR_PARSE,
	 "enclaveIdentity.tcbLevels[1].advisoryIDs[0] must be a non-empty string, not an empty string"},
	{"tcbLevels[0].tcbDate", "\"2024-13-13T00:00:00Z\"", COVE_ERR_PARSE,
	 "enclaveIdentity.tcbLevels[0].tcbDate: '2024-13-13T00:00:00Z' is not a valid RFC 3339 time"},
};

static void test_qe_identity_errors(void **state)
{
	(void)state;
	cove_dcap_qe_identity q;
	cove_error e = {0};
	must(parse_qe_doc(qe_doc(), &q, &e), &e, "valid");
	assert_int_equal(q.miscselect, 0x04030201);
	assert_int_equal(q.levels[1].status, COVE_TCB_OUT_OF_DATE);
	assert_int_equal(json_array_size(q.levels[1].advisory_ids), 1);
	cove_dcap_qe_identity_free(&q);

	expect_doc_errors(QE_IDENTITY, qe_errors, sizeof(qe_errors) / sizeof(qe_errors[0]));
	json_t *d = json_pack("{s:o,s:s}", "enclaveIdentity", qe_doc(), "signature", SIG128);
	expect_doc_error(QE_IDENTITY, d, COVE_ERR_PARSE, "this is a whole PCS response");
}

/* ---- bundle errors and round trip ---- */

static const char *const bundle_keys[] = {"pck_crl_issuer_chain", "root_ca_crl", "pck_crl",
					  "tcb_info_issuer_chain", "tcb_info", "tcb_info_signature",
					  "qe_identity_issuer_chain", "qe_identity", "qe_identity_signature"};

static void expect_bundle_error(json_t *doc, const char *want)
{
	cove_dcap_collateral c;
	cove_error e = {0};
	char *s = json_dumps(doc, 0);
	assert_non_null(s);
	assert_int_equal(cove_dcap_collateral_parse_bundle(s, strlen(s), &c, &e), COVE_ERR_PARSE);
	cove_test_expect_msg(&e, want);
	/* Nothing to free after a failure. */
	assert_null(c.pck_crl);
	assert_null(c.root_ca_crl);
	assert_int_equal(c.pck_crl_issuer_chain.count, 0);
	assert_null(c.tcb_info_raw.data);
	assert_null(c.tcb_info.levels);
	free(s);
	json_decref(doc);
}

static json_t *phala_sgx_bundle(void)
{
	cove_buf b = {0};
	cove_test_read_shared("vectors/sgx/phala-dcap-qvl/sgx_quote_collateral.json", &b);
	json_t *j = json_loadb((const char *)b.data, b.len, 0, NULL);
	assert_non_null(j);
	cove_buf_free(&b);
	return j;
}

static void test_bundle_errors(void **state)
{
	(void)state;
	json_t *d;
	char want[128];
	for (size_t i = 0; i < sizeof(bundle_keys) / sizeof(bundle_keys[0]); i++) {
		d = phala_sgx_bundle();
		json_object_del(d, bundle_keys[i]);
		snprintf(want, sizeof(want), "collateral bundle: \"%s\" is missing", bundle_keys[i]);
		expect_bundle_error(d, want);
		d = phala_sgx_bundle();
		json_object_set_new(d, bundle_keys[i], json_integer(1));
		snprintf(want, sizeof(want), "collateral bundle: \"%s\" must be a string, not an integer", bundle_keys[i]);
		expect_bundle_error(d, want);
	}
	/* A member with a string value that is wrong for it. */
	static const struct {
		const char *key, *value, *want;
	} bad_values[] = {
		{"root_ca_crl", "3082", "collateral bundle: \"root_ca_crl\" is not a CRL (hex DER or PEM)"},
		{"pck_crl", "not a crl", "collateral bundle: \"pck_crl\" is not a CRL"},
		{"tcb_info_issuer_chain", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
		 "collateral bundle: \"tcb_info_issuer_chain\" is not a PEM certificate chain"},
		{"qe_identity_issuer_chain", "",
		 "collateral bundle: \"qe_identity_issuer_chain\" is not a PEM certificate chain"},
		{"tcb_info_signature", "00",
		 "collateral bundle: \"tcb_info_signature\" must be 128 hex digits (64 bytes), not 2 characters"},
		{"tcb_info", "{\"id\":\"SGX\",\"version\":3}",
		 "collateral bundle: \"tcb_info\": tcbInfo.issueDate is missing"},
		{"qe_identity", "{}", "collateral bundle: \"qe_identity\": enclaveIdentity.version is missing"},
	};
	for (size_t i = 0; i < sizeof(bad_values) / sizeof(bad_values[0]); i++) {
		d = phala_sgx_bundle();
		json_object_set_new(d, bad_values[i].key, json_string(bad_values[i].value));
		expect_bundle_error(d, bad_values[i].want);
	}
	d = phala_sgx_bundle();
	{
		/* A deep error names the bundle key and the JSON path inside it. */
		json_t *t = json_loads(json_string_value(json_object_get(d, "tcb_info")), 0, NULL);
		assert_non_null(t);
		mutate(t, "tcbLevels[3].tcb.sgxtcbcomponents[2]", "{\"svn\":\"2\"}");
		char *ts = json_dumps(t, JSON_COMPACT);
		json_object_set_new(d, "tcb_info", json_string(ts));
		free(ts);
		json_decref(t);
	}
	expect_bundle_error(d, "collateral bundle: \"tcb_info\": tcbInfo.tcbLevels[3].tcb.sgxtcbcomponents[2].svn must be "
			       "an integer from 0 to 255, not a string");

	cove_dcap_collateral c;
	cove_error e = {0};
	assert_int_equal(cove_dcap_collateral_parse_bundle("{", 1, &c, &e), COVE_ERR_PARSE);
	cove_test_expect_msg(&e, "collateral bundle is not valid JSON");
	assert_int_equal(cove_dcap_collateral_parse_bundle("\"x\"", 3, &c, &e), COVE_ERR_PARSE);
	assert_int_equal(cove_dcap_collateral_parse_bundle("{}", 2, &c, &e), COVE_ERR_PARSE);
	cove_test_expect_msg(&e, "\"pck_crl_issuer_chain\" is missing");
	assert_int_equal(cove_dcap_collateral_parse_bundle("{\"a\":1,\"a\":1}", 13, &c, &e), COVE_ERR_PARSE);
	cove_test_expect_msg(&e, "duplicate object key");

	/* Unknown keys are fine, and CRLs may be PEM (or hex with white space). */
	cove_buf pem = {0};
	cove_test_read_shared("vectors/sgx/intel-qvl/sampleData/rootCaCrl.pem", &pem);
	d = phala_sgx_bundle();
	json_object_set_new(d, "comment", json_string("extra"));
	json_object_set_new(d, "root_ca_crl", json_stringn((const char *)pem.data, pem.len));
	char *hex = strdup(json_string_value(json_object_get(d, "pck_crl")));
	char *spaced = malloc(strlen(hex) + 8);
	sprintf(spaced, "\n %s \n", hex);
	json_object_set_new(d, "pck_crl", json_string(spaced));
	char *s = json_dumps(d, 0);
	must(cove_dcap_collateral_parse_bundle(s, strlen(s), &c, &e), &e, "pem");
	assert_true(cove_x509_crl_next_update(c.root_ca_crl) > 0);
	assert_true(cove_x509_crl_this_update(c.pck_crl) == 1750328598); /* 2025-06-19T10:23:18Z */
	cove_dcap_collateral_free(&c);
	free(s);
	free(hex);
	free(spaced);
	json_decref(d);
	cove_buf_free(&pem);
}

static void test_crl_forms(void **state)
{
	(void)state;
	cove_buf der = {0}, pem = {0};
	cove_x509_crl *a = NULL, *b = NULL, *c = NULL;
	cove_error e = {0};
	cove_test_read_shared("vectors/sgx/automata/solana-tests-data/intel_root_ca_crl.der", &der);
	cove_test_read_shared("vectors/sgx/intel-qvl/sampleData/rootCaCrl.pem", &pem);
	must(cove_dcap_crl_parse(der.data, der.len, &a, &e), &e, "der");
	char *hex = cove_hex_new(der.data, der.len);
	must(cove_dcap_crl_parse(hex, strlen(hex), &b, &e), &e, "hex");
	cove_buf back = {0};
	must(cove_x509_crl_der(b, &back, &e), &e, "der of hex");
	assert_int_equal(back.len, der.len);
	assert_memory_equal(back.data, der.data, der.len);
	must(cove_dcap_crl_parse(pem.data, pem.len, &c, &e), &e, "pem");
	cove_x509_crl_free(a);
	assert_int_equal(cove_dcap_crl_parse("", 0, &a, &e), COVE_ERR_PARSE);
	assert_null(a);
	assert_int_equal(cove_dcap_crl_parse("abc", 3, &a, &e), COVE_ERR_PARSE);
	assert_int_equal(cove_dcap_crl_parse(hex, strlen(hex) - 2, &a, &e), COVE_ERR_PARSE);
	cove_x509_crl_free(b);
	cove_x509_crl_free(c);
	cove_buf_free(&back);
	free(hex);
	cove_buf_free(&der);
	cove_buf_free(&pem);
}

static void test_bundle_roundtrip(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bundle_cases) / sizeof(bundle_cases[0]); i++) {
		cove_buf text = {0};
		cove_dcap_collateral c, d;
		cove_error e = {0};
		char *out1 = NULL, *out2 = NULL;
		load_bundle(bundle_cases[i].rel, &text, &c);
		must(cove_dcap_collateral_to_bundle(&c, &out1, &e), &e, "to_bundle");
		must(cove_dcap_collateral_parse_bundle(out1, strlen(out1), &d, &e), &e, "reparse");
		assert_int_equal(d.tcb_info_raw.len, c.tcb_info_raw.len);
		assert_memory_equal(d.tcb_info_raw.data, c.tcb_info_raw.data, c.tcb_info_raw.len);
		assert_int_equal(d.qe_identity_raw.len, c.qe_identity_raw.len);
		assert_memory_equal(d.qe_identity_raw.data, c.qe_identity_raw.data, c.qe_identity_raw.len);
		assert_memory_equal(d.tcb_info_signature, c.tcb_info_signature, 64);
		assert_memory_equal(d.qe_identity_signature, c.qe_identity_signature, 64);
		uint8_t h1[32], h2[32];
		must(cove_x509_crl_sha256(c.pck_crl, h1, &e), &e, "h");
		must(cove_x509_crl_sha256(d.pck_crl, h2, &e), &e, "h");
		assert_memory_equal(h1, h2, 32);
		must(cove_x509_crl_sha256(c.root_ca_crl, h1, &e), &e, "h");
		must(cove_x509_crl_sha256(d.root_ca_crl, h2, &e), &e, "h");
		assert_memory_equal(h1, h2, 32);
		assert_int_equal(d.tcb_info_issuer_chain.count, c.tcb_info_issuer_chain.count);
		for (size_t k = 0; k < c.tcb_info_issuer_chain.count; k++) {
			must(cove_x509_sha256(c.tcb_info_issuer_chain.certs[k], h1, &e), &e, "h");
			must(cove_x509_sha256(d.tcb_info_issuer_chain.certs[k], h2, &e), &e, "h");
			assert_memory_equal(h1, h2, 32);
		}
		/* The form is stable: writing the re-read collateral gives the same text. */
		must(cove_dcap_collateral_to_bundle(&d, &out2, &e), &e, "to_bundle 2");
		assert_string_equal(out1, out2);
		free(out1);
		free(out2);
		cove_dcap_collateral_free(&d);
		cove_dcap_collateral_free(&c);
		cove_buf_free(&text);
	}
	/* An incomplete collateral cannot be written. */
	cove_dcap_collateral empty;
	cove_error e = {0};
	char *out = (char *)1;
	memset(&empty, 0, sizeof(empty));
	assert_int_equal(cove_dcap_collateral_to_bundle(&empty, &out, &e), COVE_ERR_ARG);
	assert_null(out);
	cove_test_expect_msg(&e, "the collateral has no pck_crl_issuer_chain");
}

static void test_setters(void **state)
{
	(void)state;
	cove_buf text = {0}, body = {0};
	cove_dcap_collateral c;
	cove_error e = {0};
	load_bundle("vectors/sgx/phala-dcap-qvl/sgx_quote_collateral.json", &text, &c);
	assert_int_equal(c.tcb_info.issue_date, 1750330571);
	/* Replace the TCB info with automata's (same FMSPC, issued 2025-05-05). */
	cove_test_read_shared("vectors/sgx/automata/solana-tests-data/tcb_info_v3_sgx.json", &body);
	must(cove_dcap_collateral_set_tcb_info_body(&c, (const char *)body.data, body.len, &e), &e, "set");
	assert_int_equal(c.tcb_info.issue_date, 1746432216);
	assert_ptr_not_equal(c.tcb_info_raw.data, body.data); /* a copy */
	assert_memory_equal(c.tcb_info_raw.data, body.data + strlen("{\"tcbInfo\":"), c.tcb_info_raw.len);
	/* A failing setter leaves everything as it was. */
	uint8_t *raw_before = c.tcb_info_raw.data;
	uint8_t sig_before[64];
	memcpy(sig_before, c.tcb_info_signature, 64);
	static const char bad[] = "{\"tcbInfo\":{\"version\":3},\"signature\":\"" SIG128 "\"}";
	assert_int_equal(cove_dcap_collateral_set_tcb_info_body(&c, bad, strlen(bad), &e), COVE_ERR_PARSE);
	cove_test_expect_msg(&e, "TCB info body: tcbInfo.id is missing");
	assert_ptr_equal(c.tcb_info_raw.data, raw_before);
	assert_memory_equal(c.tcb_info_signature, sig_before, 64);
	assert_int_equal(c.tcb_info.issue_date, 1746432216);
	assert_int_equal(cove_dcap_collateral_set_qe_identity_body(&c, bad, strlen(bad), &e), COVE_ERR_PARSE);
	cove_test_expect_msg(&e, "QE identity body: PCS body.enclaveIdentity is missing");
	assert_string_equal(c.qe_identity.id, "QE");
	cove_dcap_collateral_free(&c);
	cove_buf_free(&text);
	cove_buf_free(&body);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status_names),
		cmocka_unit_test(test_tcb_info_bodies),
		cmocka_unit_test(test_tcb_info_qvl_tdx_sample),
		cmocka_unit_test(test_qe_identity_bodies),
		cmocka_unit_test(test_qe_identity_byte_order),
		cmocka_unit_test(test_bundles),
		cmocka_unit_test(test_phala_tdx_modules),
		cmocka_unit_test(test_automata_out_of_date_advisories),
		cmocka_unit_test(test_oe_v2),
		cmocka_unit_test(test_split_matches_bundles),
		cmocka_unit_test(test_split_scanner),
		cmocka_unit_test(test_tcb_info_valid_doc),
		cmocka_unit_test(test_tcb_info_errors),
		cmocka_unit_test(test_qe_identity_errors),
		cmocka_unit_test(test_bundle_errors),
		cmocka_unit_test(test_crl_forms),
		cmocka_unit_test(test_bundle_roundtrip),
		cmocka_unit_test(test_setters),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
