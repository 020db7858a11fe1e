/*
 * SEV-SNP report parsing: every genuine sample parses with the expected
 * fields; malformed input gets a precise error and never crashes.
 */
#include <string.h>

#include "cove/snp.h"
#include "snp/report_layout.h"
#include "testutil.h"

static void load_report(const char *rel, cove_snp_report *r)
{
	cove_buf b = {0};
	cove_error e = {0};
	cove_test_read_shared_evidence(rel, &b);
	if (cove_snp_report_parse(b.data, b.len, r, &e) != COVE_OK)
		fail_msg("%s: %s", rel, e.msg);
	cove_buf_free(&b);
}

static void test_go_sev_guest_v2(void **state)
{
	(void)state;
	cove_snp_report r;
	load_report("vectors/snp/go-sev-guest/attestation.bin", &r);
	assert_int_equal(r.version, 2);
	assert_int_equal(r.policy, 0xB0000);
	assert_true(r.policy & COVE_SNP_POLICY_DEBUG);
	assert_int_equal(r.vmpl, 0);
	assert_int_equal(r.signing_key, COVE_SNP_KEY_VCEK);
	assert_false(r.has_cpuid);
	assert_int_equal(cove_snp_report_product(&r), COVE_SNP_PRODUCT_UNKNOWN);
	static const uint8_t rd[] = {1, 2, 3, 4, 5};
	assert_memory_equal(r.report_data, rd, sizeof(rd));
	assert_true(cove_is_zero(r.report_data + 5, 59));
	assert_int_equal(r.current_major, 1);
	assert_int_equal(r.current_minor, 49);
	assert_int_equal(r.current_build, 3);
	cove_snp_tcb t = cove_snp_tcb_decode(r.reported_tcb, COVE_SNP_MILAN);
	assert_int_equal(t.bootloader, 2);
	assert_int_equal(t.snp, 5);
	assert_int_equal(t.microcode, 0x44);
	/* REPORT_ID_MA is all 0xFF without a migration agent. */
	for (int i = 0; i < 32; i++)
		assert_int_equal(r.report_id_ma[i], 0xFF);
}

static void test_trustee_tcb_differs(void **state)
{
	(void)state;
	cove_snp_report r;
	load_report("vectors/snp/trustee/snp/test-report.bin", &r);
	cove_snp_tcb cur = cove_snp_tcb_decode(r.current_tcb, COVE_SNP_MILAN);
	cove_snp_tcb rep = cove_snp_tcb_decode(r.reported_tcb, COVE_SNP_MILAN);
	assert_int_equal(cur.microcode, 0xCE);
	assert_int_equal(rep.microcode, 0x73);
	assert_int_equal(r.guest_svn, 4);
	assert_int_equal(r.policy, 0x3001F);
}

static void test_genoa_v3_cpuid(void **state)
{
	(void)state;
	cove_snp_report r;
	load_report("vectors/snp/derived/trustee_evidence-genoa_snp-report.bin", &r);
	assert_int_equal(r.version, 3);
	assert_true(r.has_cpuid);
	assert_int_equal(r.cpuid_fam_id, 0x19);
	assert_int_equal(r.cpuid_mod_id, 0x11);
	assert_int_equal(r.cpuid_step, 1);
	assert_int_equal(cove_snp_report_product(&r), COVE_SNP_GENOA);
	assert_int_equal(r.current_major, 1);
	assert_int_equal(r.current_minor, 55);
	assert_int_equal(r.current_build, 40);
}

static void test_hex_and_binary_agree(void **state)
{
	(void)state;
	cove_snp_report a, b;
	load_report("vectors/snp/virtee-sev/report_milan.hex", &a);
	load_report("vectors/snp/derived/virtee-sev_report_milan.bin", &b);
	assert_memory_equal(a.raw, b.raw, COVE_SNP_REPORT_SIZE);
	assert_int_equal(a.policy, 0x30000);
}

static void test_encode_round_trip(void **state)
{
	(void)state;
	static const char *const files[] = {
		"vectors/snp/go-sev-guest/attestation.bin",
		"vectors/snp/trustee/snp/test-report.bin",
		"vectors/snp/derived/trustee_evidence-genoa_snp-report.bin",
		"vectors/snp/derived/trustee_az-hcl-report_snp-report.bin",
	};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		cove_snp_report r;
		uint8_t out[COVE_SNP_REPORT_SIZE];
		load_report(files[i], &r);
		assert_int_equal(cove_snp_report_encode(&r, out, NULL), COVE_OK);
		assert_memory_equal(out, r.raw, COVE_SNP_REPORT_SIZE);
	}
}

/* A minimal valid v3 report built from scratch. */
static void make_report(uint8_t raw[COVE_SNP_REPORT_SIZE], uint32_t version)
{
	cove_snp_report r;
	memset(&r, 0, sizeof(r));
	r.version = version;
	r.policy = 0x30000;
	r.signature_algo = 1;
	r.cpuid_fam_id = 0x19;
	r.cpuid_mod_id = 0x01;
	r.launch_mit_vector = 7;
	assert_int_equal(cove_snp_report_encode(&r, raw, NULL), COVE_OK);
}

static void expect_parse_error(const uint8_t *raw, size_t len, const char *needle)
{
	cove_snp_report r;
	cove_error e = {0};
	assert_int_equal(cove_snp_report_parse(raw, len, &r, &e), COVE_ERR_PARSE);
	if (!strstr(e.msg, needle))
		fail_msg("error '%s' does not mention '%s'", e.msg, needle);
}

static void test_malformed(void **state)
{
	(void)state;
	uint8_t raw[COVE_SNP_REPORT_SIZE + 16];
	make_report(raw, 3);
	cove_snp_report r;
	assert_int_equal(cove_snp_report_parse(raw, COVE_SNP_REPORT_SIZE, &r, NULL), COVE_OK);
	assert_int_equal(cove_snp_report_product(&r), COVE_SNP_MILAN);

	expect_parse_error(raw, 0, "1184 bytes, got 0");
	expect_parse_error(raw, COVE_SNP_REPORT_SIZE - 1, "got 1183");
	expect_parse_error(raw, COVE_SNP_REPORT_SIZE + 16, "got 1200");

	uint8_t bad[COVE_SNP_REPORT_SIZE];
	memcpy(bad, raw, sizeof(bad));
	cove_put_le32(bad + SNP_OFF_VERSION, 6);
	expect_parse_error(bad, sizeof(bad), "version 6");
	cove_put_le32(bad + SNP_OFF_VERSION, 1);
	expect_parse_error(bad, sizeof(bad), "version 1");

	memcpy(bad, raw, sizeof(bad));
	bad[0x19B] = 1; /* reserved after CPUID */
	expect_parse_error(bad, sizeof(bad), "0x19b");

	memcpy(bad, raw, sizeof(bad));
	bad[0x400] = 1; /* reserved part of the signature */
	expect_parse_error(bad, sizeof(bad), "signature");

	memcpy(bad, raw, sizeof(bad));
	bad[0x1F8] = 1; /* mitigation vector is reserved before v5 */
	expect_parse_error(bad, sizeof(bad), "0x1f8");

	memcpy(bad, raw, sizeof(bad));
	cove_put_le64(bad + SNP_OFF_POLICY, 0x10000); /* bit 17 clear */
	expect_parse_error(bad, sizeof(bad), "bit 17");
	cove_put_le64(bad + SNP_OFF_POLICY, 0x30000 | (1ull << 40));
	expect_parse_error(bad, sizeof(bad), "reserved bits 63:26");

	memcpy(bad, raw, sizeof(bad));
	cove_put_le32(bad + SNP_OFF_SIGNER_INFO, 2u << 2);
	expect_parse_error(bad, sizeof(bad), "SIGNING_KEY 2");
	cove_put_le32(bad + SNP_OFF_SIGNER_INFO, 1u << 5);
	expect_parse_error(bad, sizeof(bad), "31:5");

	memcpy(bad, raw, sizeof(bad));
	cove_put_le32(bad + SNP_OFF_VMPL, 4);
	expect_parse_error(bad, sizeof(bad), "VMPL 4");

	memcpy(bad, raw, sizeof(bad));
	cove_put_le32(bad + SNP_OFF_SIGNATURE_ALGO, 2);
	expect_parse_error(bad, sizeof(bad), "algorithm 2");
}

static void test_versions(void **state)
{
	(void)state;
	uint8_t raw[COVE_SNP_REPORT_SIZE];
	cove_snp_report r;
	/* v2: bytes 0x188.. are reserved, so a CPUID there is malformed. */
	make_report(raw, 2);
	assert_int_equal(cove_snp_report_parse(raw, sizeof(raw), &r, NULL), COVE_OK);
	assert_false(r.has_cpuid);
	raw[SNP_OFF_CPUID_FAM_ID] = 0x19;
	expect_parse_error(raw, sizeof(raw), "0x188");
	/* v5: mitigation vectors exist. */
	make_report(raw, 5);
	assert_int_equal(cove_snp_report_parse(raw, sizeof(raw), &r, NULL), COVE_OK);
	assert_true(r.has_mit_vectors);
	assert_int_equal(r.launch_mit_vector, 7);
	make_report(raw, 4);
	assert_int_equal(cove_snp_report_parse(raw, sizeof(raw), &r, NULL), COVE_OK);
	assert_false(r.has_mit_vectors);
}

static void test_tcb_layouts(void **state)
{
	(void)state;
	cove_snp_tcb t = {.fmc = 1, .bootloader = 2, .tee = 3, .snp = 4, .microcode = 5};
	uint64_t turin = cove_snp_tcb_encode(&t, COVE_SNP_TURIN);
	assert_int_equal(turin, 0x0500000004030201ull);
	cove_snp_tcb back = cove_snp_tcb_decode(turin, COVE_SNP_TURIN);
	assert_memory_equal(&back, &t, sizeof(t));
	uint64_t milan = cove_snp_tcb_encode(&t, COVE_SNP_MILAN);
	assert_int_equal(milan, 0x0504000000000302ull);
	back = cove_snp_tcb_decode(milan, COVE_SNP_GENOA);
	assert_int_equal(back.fmc, 0);
	assert_int_equal(back.snp, 4);
}

static void test_products(void **state)
{
	(void)state;
	cove_snp_product p;
	assert_int_equal(cove_snp_product_parse("Milan-B0", &p, NULL), COVE_OK);
	assert_int_equal(p, COVE_SNP_MILAN);
	assert_int_equal(cove_snp_product_parse("genoa", &p, NULL), COVE_OK);
	assert_int_equal(p, COVE_SNP_GENOA);
	assert_int_equal(cove_snp_product_parse("Turin", &p, NULL), COVE_OK);
	assert_int_equal(cove_snp_product_parse("Milano", &p, NULL), COVE_ERR_ARG);
	assert_int_equal(cove_snp_product_parse("", &p, NULL), COVE_ERR_ARG);
}

static void test_json(void **state)
{
	(void)state;
	cove_snp_report r;
	load_report("vectors/snp/derived/trustee_evidence-genoa_snp-report.bin", &r);
	json_t *j = cove_snp_report_to_json(&r, COVE_SNP_GENOA);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "product")), "Genoa");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "cpuid"), "model")), 0x11);
	assert_int_equal(strlen(json_string_value(json_object_get(j, "measurement"))), 96);
	assert_int_equal(strlen(json_string_value(json_object_get(json_object_get(j, "signature"), "r"))), 144);
	json_decref(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_go_sev_guest_v2),   cmocka_unit_test(test_trustee_tcb_differs),
		cmocka_unit_test(test_genoa_v3_cpuid),    cmocka_unit_test(test_hex_and_binary_agree),
		cmocka_unit_test(test_encode_round_trip), cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_versions),          cmocka_unit_test(test_tcb_layouts),
		cmocka_unit_test(test_products),          cmocka_unit_test(test_json),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
