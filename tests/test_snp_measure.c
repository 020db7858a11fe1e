/*
 * Tests of the SEV-SNP / SEV-ES / SEV launch-digest calculation and of the
 * OVMF footer-table parser:
 *  - every row of shared/vectors/snp/measure/sev-snp-measure-fixtures/EXPECTED.md
 *    (sev-snp-measure's own golden values for its two 4 KiB fixtures);
 *  - every row of the Debian 12 `ovmf` table in shared/vectors/snp/MANIFEST.md,
 *    against /usr/share/OVMF after checking the firmware's sha256, and the
 *    refusal of OVMF_CODE_4M.fd (no SEV metadata);
 *  - register layouts, the kernel-hashes table, vCPU signatures;
 *  - malformed images (lengths past the file, zero-length entries, wrong
 *    GUIDs, truncation, bad metadata) giving precise errors, never crashes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"

#include "cove/crypto.h"
#include "cove/snp_measure.h"
#include "snp/measure_layout.h"

#define FIXTURES "vectors/snp/measure/sev-snp-measure-fixtures/"
#define DEBIAN_OVMF "/usr/share/OVMF/OVMF_CODE.fd"
#define DEBIAN_OVMF_SHA256 "d9b568def24088c92f34b5479e0ed7e44d0a4d4cea8a0f5716719180bba48106"
#define DEBIAN_SECBOOT "/usr/share/OVMF/OVMF_CODE.secboot.fd"
#define DEBIAN_SECBOOT_SHA256 "6ee6a5db7a1443d17594f1e00e3cf2a2250bc1c95c8f9101bc49c9977ce11a68"
#define DEBIAN_OVMF_4M "/usr/share/OVMF/OVMF_CODE_4M.fd"

#define ROW1_OVMF_HASH                                                                                         \
	"086e2e9149ebf45abdc3445fba5b2da8270bdbb04094d7a2c37faaa4b24af3aa16aff8c374c2a55c467a50da6d466b74"
#define DEBIAN_OVMF_HASH                                                                                       \
	"a5429c12f18e96502e1dd4917e8b0c35e4f4ebceac5fe8820b41d91d1c509abeb28146fcc453e8be4d3ede27c3fbaad3"

/* ---- helpers ---- */

enum { K_NONE = 0, K_EMPTY = 1 };

typedef struct row {
	const char *id;
	cove_snp_measure_mode mode;
	unsigned vcpus;
	const char *vcpu; /* a type name, "fms:F/M/S", or NULL */
	int kernel, initrd; /* K_NONE or K_EMPTY (an empty file, as upstream passes /dev/null) */
	const char *append; /* NULL = none */
	uint64_t features;
	cove_snp_vmm vmm;
	const char *ovmf_hash; /* hex, or NULL */
	const char *expected;  /* hex digest, or NULL when an error is expected */
	cove_err err;
	const char *err_text; /* substring of the error message */
} row;

static void set_vcpu(cove_snp_measure_opts *o, const char *vcpu)
{
	cove_error e = {0};
	unsigned f, m, s;
	if (!vcpu)
		return;
	if (sscanf(vcpu, "fms:%u/%u/%u", &f, &m, &s) == 3)
		assert_int_equal(cove_snp_vcpu_sig_encode(f, m, s, &o->vcpu_sig, &e), COVE_OK);
	else
		assert_int_equal(cove_snp_vcpu_sig_lookup(vcpu, &o->vcpu_sig, &e), COVE_OK);
}

static void run_row(const row *r, const cove_buf *fw)
{
	cove_snp_measure_opts o;
	cove_snp_measure_opts_init(&o);
	o.mode = r->mode;
	o.ovmf = fw->data;
	o.ovmf_len = fw->len;
	o.vcpus = r->vcpus;
	o.vmm = r->vmm;
	o.guest_features = r->features;
	set_vcpu(&o, r->vcpu);
	cove_error e = {0};
	cove_snp_kernel_hashes kh;
	if (r->kernel == K_EMPTY) {
		assert_int_equal(cove_snp_kernel_hashes_compute("", 0, r->initrd == K_EMPTY ? "" : NULL, 0, r->append,
								&kh, &e),
				 COVE_OK);
		o.kernel_hashes = &kh;
	}
	uint8_t seed[COVE_SNP_LD_LEN];
	if (r->ovmf_hash) {
		assert_int_equal(cove_hex_decode_fixed(r->ovmf_hash, seed, sizeof(seed), &e), COVE_OK);
		o.ovmf_hash = seed;
	}
	uint8_t digest[COVE_SNP_LD_LEN];
	size_t len = 99;
	cove_err rc = cove_snp_measure(&o, digest, &len, &e);
	if (!r->expected) {
		if (rc != r->err || !strstr(e.msg, r->err_text))
			fail_msg("row %s: expected error %d containing '%s', got %d '%s'", r->id, r->err, r->err_text, rc,
				 e.msg);
		assert_int_equal(len, 0);
		return;
	}
	if (rc != COVE_OK)
		fail_msg("row %s: %s", r->id, e.msg);
	char hex[2 * COVE_SNP_LD_LEN + 1];
	cove_hex_write(hex, digest, len);
	if (strcmp(hex, r->expected) != 0)
		fail_msg("row %s: digest %s, expected %s", r->id, hex, r->expected);
}

/* Read a Debian firmware file and check its sha256; false (after a SKIP line) when absent or different. */
static bool read_debian(const char *path, const char *sha256_hex, cove_buf *out)
{
	cove_error e = {0};
	if (access(path, R_OK) != 0) {
		fprintf(stderr, "SKIP: %s is absent (install Debian 12's ovmf package: scripts/install-deps)\n", path);
		return false;
	}
	assert_int_equal(cove_file_read(path, COVE_SNP_OVMF_MAX_LEN, out, &e), COVE_OK);
	if (!sha256_hex)
		return true;
	uint8_t d[32];
	char hex[65];
	assert_int_equal(cove_digest(COVE_SHA256, out->data, out->len, d, &e), COVE_OK);
	cove_hex_write(hex, d, 32);
	if (strcmp(hex, sha256_hex) != 0) {
		fprintf(stderr, "SKIP: %s has sha256 %s, not the Debian 12 ovmf 2022.11-6+deb12u2 build (%s) the "
				"expected values were computed for\n",
			path, hex, sha256_hex);
		cove_buf_free(out);
		return false;
	}
	return true;
}

/* ---- EXPECTED.md rows (sev-snp-measure's fixtures) ---- */

#define AMDSEV_ROW(id, mode, vcpus, vcpu, k, i, app, feat, vmm, oh, exp)                                      \
	{id, mode, vcpus, vcpu, k, i, app, feat, vmm, oh, exp, COVE_OK, NULL}

static const row amdsev_rows[] = {
	AMDSEV_ROW("1", COVE_SNP_MODE_SNP_OVMF_HASH, 0, NULL, K_NONE, K_NONE, NULL, 0x1, COVE_SNP_VMM_QEMU, NULL,
		   ROW1_OVMF_HASH),
	AMDSEV_ROW("2", COVE_SNP_MODE_SNP, 1, "EPYC-v4", K_EMPTY, K_EMPTY, "console=ttyS0 loglevel=7", 0x21,
		   COVE_SNP_VMM_QEMU, NULL,
		   "803f691094946e42068aaa3a8f9e26a5c89f36f7b73ecfb28c653360fe4b3aba7e534442e7e1e17895dfe778d0228977"),
	AMDSEV_ROW("3", COVE_SNP_MODE_SNP, 1, "EPYC-v4", K_EMPTY, K_EMPTY, "console=ttyS0 loglevel=7", 0x1,
		   COVE_SNP_VMM_QEMU, NULL,
		   "6d287813eb5222d770f75005c664e34c204f385ce832cc2ce7d0d6f354454362f390ef83a92046c042e706363b4b08fa"),
	AMDSEV_ROW("4", COVE_SNP_MODE_SNP, 1, "EPYC-v4", K_EMPTY, K_EMPTY, "", 0x21, COVE_SNP_VMM_QEMU, ROW1_OVMF_HASH,
		   "329c8ce0972ae52343b64d34a434a86f245dfd74f5ed7aae15d22efc78fb9683632b9b50e4e1d7fa41179ef98a7ef198"),
	AMDSEV_ROW("5", COVE_SNP_MODE_SNP, 1, "EPYC-v4", K_EMPTY, K_EMPTY, "", 0x1, COVE_SNP_VMM_QEMU, ROW1_OVMF_HASH,
		   "ddc5224521617a536ee7ce9dd6224d1b58a8d4fda1c741f3ac99fc4bfa04ba6e9fc98646d4a07a9079397fa3852819b5"),
	AMDSEV_ROW("6a", COVE_SNP_MODE_SNP, 1, "EPYC-v4", K_EMPTY, K_EMPTY, "console=ttyS0 loglevel=7", 0x21,
		   COVE_SNP_VMM_QEMU, ROW1_OVMF_HASH,
		   "803f691094946e42068aaa3a8f9e26a5c89f36f7b73ecfb28c653360fe4b3aba7e534442e7e1e17895dfe778d0228977"),
	AMDSEV_ROW("6b", COVE_SNP_MODE_SNP, 1, "EPYC-v4", K_EMPTY, K_EMPTY, "console=ttyS0 loglevel=7", 0x1,
		   COVE_SNP_VMM_QEMU, ROW1_OVMF_HASH,
		   "6d287813eb5222d770f75005c664e34c204f385ce832cc2ce7d0d6f354454362f390ef83a92046c042e706363b4b08fa"),
	AMDSEV_ROW("7", COVE_SNP_MODE_SNP, 1, "EPYC-v4", K_EMPTY, K_EMPTY, "", 0x21, COVE_SNP_VMM_EC2, NULL,
		   "0ce9ccc06bab55eebe8abc234f3df6514883977a68a591b71052498ab52b2f1aa415db338033946ef93aa8278c0d67fb"),
	AMDSEV_ROW("8", COVE_SNP_MODE_SNP, 1, "EPYC-v4", K_EMPTY, K_EMPTY, "", 0x1, COVE_SNP_VMM_EC2, NULL,
		   "0883bd0eeb716e65b7b977a321c278d1e51b33b5c655fab985443bbcc65c086b9c15e8a0bd8811050dec7e24964e5056"),
	AMDSEV_ROW("9", COVE_SNP_MODE_SNP, 1, NULL, K_EMPTY, K_EMPTY, "", 0x1, COVE_SNP_VMM_GCE, NULL,
		   "5da7106cf14cf46b1725ebab123eb9e53bd46a1e9f400cd0c08e7827b04b688ea8b4e403c8404efed4397ea5d5d0722e"),
	AMDSEV_ROW("10", COVE_SNP_MODE_SNP, 4, NULL, K_EMPTY, K_EMPTY, "", 0x1, COVE_SNP_VMM_GCE, NULL,
		   "5c5debf100fc339f90276e761ee1f1658d08922c3b20e2a2e6c7a6c3370b2452a15a00eae11886a93d6fd1e7ab81e29d"),
	AMDSEV_ROW("11", COVE_SNP_MODE_SNP, 1, "EPYC-v4", K_NONE, K_NONE, NULL, 0x21, COVE_SNP_VMM_QEMU, NULL,
		   "e1e1ca029dd7973ab9513295be68198472dcd4fc834bd9af9b63f6e8a1674dbf281a9278a4a2ebe0eed9f22adbcd0e2b"),
	AMDSEV_ROW("12", COVE_SNP_MODE_SNP, 1, "EPYC-v4", K_NONE, K_NONE, NULL, 0x1, COVE_SNP_VMM_QEMU, NULL,
		   "19358ba9a7615534a9a1e2f0dfc29384dcd4dcb7062ff9c6013b26869a5fc6ecabe033c48dd6f6db5d6d76e7c5df632d"),
	AMDSEV_ROW("13", COVE_SNP_MODE_SNP, 4, "EPYC-v4", K_EMPTY, K_EMPTY, "", 0x21, COVE_SNP_VMM_QEMU, NULL,
		   "4953b1fb416fa874980e8442b3706d345926d5f38879134e00813c5d7abcbe78eafe7b422907be0b4698e2414a631942"),
	AMDSEV_ROW("14", COVE_SNP_MODE_SNP, 4, "EPYC-v4", K_EMPTY, K_EMPTY, "", 0x1, COVE_SNP_VMM_QEMU, NULL,
		   "5061fffb019493a903613d56d54b94912a1a2f9e4502385f5c194616753720a92441310ba6c4933de877c36e23046ad5"),
	AMDSEV_ROW("18", COVE_SNP_MODE_SEV_ES, 1, "EPYC-v4", K_EMPTY, K_EMPTY, "", 0x1, COVE_SNP_VMM_QEMU, NULL,
		   "13810ae661ea11e2bb205621f582fee268f0367c8f97bc297b7fadef3e12002c"),
	AMDSEV_ROW("19", COVE_SNP_MODE_SEV_ES, 4, "EPYC-v4", K_EMPTY, K_EMPTY, "", 0x21, COVE_SNP_VMM_QEMU, NULL,
		   "0dccbcaba8e90b261bd0d2e1863a2f9da714768b7b2a19363cd6ae35aa90de91"),
	AMDSEV_ROW("21", COVE_SNP_MODE_SEV, 1, NULL, K_EMPTY, K_EMPTY, "console=ttyS0 loglevel=7", 0x21,
		   COVE_SNP_VMM_QEMU, NULL, "82a3ee5d537c3620628270c292ae30cb40c3c878666a7890ee7ef2a08fb535ff"),
	AMDSEV_ROW("22", COVE_SNP_MODE_SEV, 1, NULL, K_EMPTY, K_NONE, NULL, 0x21, COVE_SNP_VMM_QEMU, NULL,
		   "77f613d7bbcdf12a73782ea9e88b0172aeda50d1a54201cb903594ff52846898"),
};

static const row x64_rows[] = {
	AMDSEV_ROW("15", COVE_SNP_MODE_SNP, 1, "EPYC-v4", K_NONE, K_NONE, NULL, 0x21, COVE_SNP_VMM_QEMU, NULL,
		   "28797ae0afaba4005a81e629acebfb59e6687949d6be44007cd5506823b0dd66f146aaae26ff291eed7b493d8a64c385"),
	AMDSEV_ROW("16", COVE_SNP_MODE_SNP, 1, "EPYC-v4", K_NONE, K_NONE, NULL, 0x1, COVE_SNP_VMM_QEMU, NULL,
		   "da0296de8193586a5512078dcd719eccecbd87e2b825ad4148c44f665dc87df21e5b49e21523a9ad993afdb6a30b4005"),
	{"17", COVE_SNP_MODE_SNP, 1, "EPYC-v4", K_EMPTY, K_EMPTY, "", 0x21, COVE_SNP_VMM_QEMU, NULL, NULL,
	 COVE_ERR_UNSUPPORTED, "has no SNP_KERNEL_HASHES section"},
	{"20", COVE_SNP_MODE_SEV_ES, 1, NULL, K_EMPTY, K_EMPTY, "", 0x21, COVE_SNP_VMM_QEMU, NULL, NULL,
	 COVE_ERR_UNSUPPORTED, "cannot measure kernel, initrd and command line"},
	{"23", COVE_SNP_MODE_SEV, 1, NULL, K_EMPTY, K_EMPTY, "", 0x21, COVE_SNP_VMM_QEMU, NULL, NULL,
	 COVE_ERR_UNSUPPORTED, "cannot measure kernel, initrd and command line"},
	/* Row 24: the SEV digest without a kernel is the SHA-256 of the file itself. */
	AMDSEV_ROW("24", COVE_SNP_MODE_SEV, 1, NULL, K_NONE, K_NONE, NULL, 0x21, COVE_SNP_VMM_QEMU, NULL,
		   "b4c021e085fb83ceffe6571a3d357b4a98773c83c474e47f76c876708fe316da"),
};

static void test_expected_amdsev(void **state)
{
	(void)state;
	cove_buf fw = {0};
	cove_test_read_shared(FIXTURES "ovmf_AmdSev_suffix.bin", &fw);
	for (size_t i = 0; i < sizeof(amdsev_rows) / sizeof(amdsev_rows[0]); i++)
		run_row(&amdsev_rows[i], &fw);
	cove_buf_free(&fw);
}

static void test_expected_ovmfx64(void **state)
{
	(void)state;
	cove_buf fw = {0};
	cove_test_read_shared(FIXTURES "ovmf_OvmfX64_suffix.bin", &fw);
	for (size_t i = 0; i < sizeof(x64_rows) / sizeof(x64_rows[0]); i++)
		run_row(&x64_rows[i], &fw);
	cove_buf_free(&fw);
}

typedef struct vmsa_count {
	unsigned n;
	uint8_t first[COVE_SNP_VMSA_SIZE];
} vmsa_count;

static cove_err count_vmsa(void *ctx, unsigned index, const uint8_t page[COVE_SNP_VMSA_SIZE], cove_error *e)
{
	vmsa_count *c = ctx;
	if (index != c->n)
		return cove_error_set(e, COVE_ERR_INTERNAL, "VMSA %u out of order", index);
	if (index == 0)
		memcpy(c->first, page, COVE_SNP_VMSA_SIZE);
	c->n++;
	return COVE_OK;
}

static cove_err refuse_vmsa(void *ctx, unsigned index, const uint8_t page[COVE_SNP_VMSA_SIZE], cove_error *e)
{
	(void)ctx;
	(void)page;
	return cove_error_set(e, COVE_ERR_IO, "cannot write vmsa%u", index);
}

/* Rows 25 and 26: one VMSA page per vCPU is produced (and can be dumped). */
static void test_expected_vmsa_dump(void **state)
{
	(void)state;
	cove_buf fw = {0};
	cove_test_read_shared(FIXTURES "ovmf_AmdSev_suffix.bin", &fw);
	cove_snp_kernel_hashes kh;
	cove_error e = {0};
	assert_int_equal(cove_snp_kernel_hashes_compute("", 0, "", 0, "", &kh, &e), COVE_OK);
	cove_snp_measure_opts o;
	cove_snp_measure_opts_init(&o);
	o.ovmf = fw.data;
	o.ovmf_len = fw.len;
	o.kernel_hashes = &kh;
	o.guest_features = 0x21;
	assert_int_equal(cove_snp_vcpu_sig_lookup("EPYC-v4", &o.vcpu_sig, &e), COVE_OK);
	vmsa_count c = {0};
	o.vmsa_cb = count_vmsa;
	o.vmsa_ctx = &c;
	uint8_t d[COVE_SNP_LD_LEN];
	size_t len;

	o.mode = COVE_SNP_MODE_SEV_ES; /* row 25 */
	o.vcpus = 4;
	assert_int_equal(cove_snp_measure(&o, d, &len, &e), COVE_OK);
	assert_int_equal(c.n, 4);
	char hex[97];
	cove_hex_write(hex, d, len);
	assert_string_equal(hex, "0dccbcaba8e90b261bd0d2e1863a2f9da714768b7b2a19363cd6ae35aa90de91");
	assert_int_equal(cove_le64(c.first + VMSA_OFF_SEV_FEATURES), 0); /* SEV-ES: no features */

	c.n = 0; /* row 26 */
	o.mode = COVE_SNP_MODE_SNP;
	o.vcpus = 1;
	assert_int_equal(cove_snp_measure(&o, d, &len, &e), COVE_OK);
	assert_int_equal(c.n, 1);
	assert_int_equal(cove_le64(c.first + VMSA_OFF_SEV_FEATURES), 0x21);
	cove_hex_write(hex, d, len);
	assert_string_equal(hex, "329c8ce0972ae52343b64d34a434a86f245dfd74f5ed7aae15d22efc78fb9683632b9b50e4e1d7fa41"
				 "179ef98a7ef198");

	/* A failing callback stops the calculation with its error. */
	o.vmsa_cb = refuse_vmsa;
	assert_int_equal(cove_snp_measure(&o, d, &len, &e), COVE_ERR_IO);
	assert_non_null(strstr(e.msg, "vmsa0"));
	assert_int_equal(len, 0);
	cove_buf_free(&fw);
}

/* ---- Debian 12 `ovmf` (MANIFEST.md measure/ table) ---- */

static const row debian_rows[] = {
	AMDSEV_ROW("ovmf-hash", COVE_SNP_MODE_SNP_OVMF_HASH, 0, NULL, K_NONE, K_NONE, NULL, 0x1, COVE_SNP_VMM_QEMU,
		   NULL, DEBIAN_OVMF_HASH),
	AMDSEV_ROW("1 EPYC-v4", COVE_SNP_MODE_SNP, 1, "EPYC-v4", K_NONE, K_NONE, NULL, 0x1, COVE_SNP_VMM_QEMU, NULL,
		   "a479327cbb0b50e876024c2dac7412d4e5e95c7315c1f8b0446f6d3be69fefba50766285475926737e4a70b155252f88"),
	AMDSEV_ROW("1 EPYC-v4 0x21", COVE_SNP_MODE_SNP, 1, "EPYC-v4", K_NONE, K_NONE, NULL, 0x21, COVE_SNP_VMM_QEMU,
		   NULL,
		   "c8804f337177df783bbdde3e199a765bf502035ca43ba7f5f236f59f27e3d96bb4c5d98d75530adcda8fa583d9222efb"),
	AMDSEV_ROW("1 EPYC-v4 0x21 precomputed", COVE_SNP_MODE_SNP, 1, "EPYC-v4", K_NONE, K_NONE, NULL, 0x21,
		   COVE_SNP_VMM_QEMU, DEBIAN_OVMF_HASH,
		   "c8804f337177df783bbdde3e199a765bf502035ca43ba7f5f236f59f27e3d96bb4c5d98d75530adcda8fa583d9222efb"),
	AMDSEV_ROW("4 EPYC-Milan", COVE_SNP_MODE_SNP, 4, "EPYC-Milan", K_NONE, K_NONE, NULL, 0x1, COVE_SNP_VMM_QEMU,
		   NULL,
		   "cc2b38913550ecd41aadbcf2a5d309ae9d3cb0455c9e1f72892f6b18cfaea3f2e4f46a28b61ca0353724ee707c73177c"),
	AMDSEV_ROW("4 EPYC-Milan 0x21", COVE_SNP_MODE_SNP, 4, "EPYC-Milan", K_NONE, K_NONE, NULL, 0x21,
		   COVE_SNP_VMM_QEMU, NULL,
		   "d44124322592a3390e2d258d4ad7df5897c9dd3958f906aa223588e327f97935802f9130b9009cf3dd60f9734cdc72f3"),
	AMDSEV_ROW("2 EPYC-Genoa 0x21", COVE_SNP_MODE_SNP, 2, "EPYC-Genoa", K_NONE, K_NONE, NULL, 0x21,
		   COVE_SNP_VMM_QEMU, NULL,
		   "4c3f15c10944733a35c665004cc08c01ea5a9a5388edd670d022a58fb82c05fd14994a6b38446824e9599004172eac17"),
	AMDSEV_ROW("8 family 25 model 17 stepping 1 0x21", COVE_SNP_MODE_SNP, 8, "fms:25/17/1", K_NONE, K_NONE, NULL,
		   0x21, COVE_SNP_VMM_QEMU, NULL,
		   "85e272a53c6fe133a63ee006e3a7e27d2fc58b9fdf31d2a477a570f8203b24bfa1df1cfa4b5886fdecf7c2a12179b1c5"),
	AMDSEV_ROW("2 EPYC-Turin 0x21", COVE_SNP_MODE_SNP, 2, "EPYC-Turin", K_NONE, K_NONE, NULL, 0x21,
		   COVE_SNP_VMM_QEMU, NULL,
		   "2fe89fb95f6c2248296fe05fac918fdbe1a5ae698991fd4b7d3ae7af34e79521707cd2cc1737a9df5297aa26c74cee19"),
	AMDSEV_ROW("2 ec2", COVE_SNP_MODE_SNP, 2, NULL, K_NONE, K_NONE, NULL, 0x1, COVE_SNP_VMM_EC2, NULL,
		   "d678fcd1097a1ac27f2ee75dac7c37a002c9aa5e3e407c6a284b780a99af8f39df3283f1ed05526483cc5684f9b28630"),
	AMDSEV_ROW("2 gce", COVE_SNP_MODE_SNP, 2, NULL, K_NONE, K_NONE, NULL, 0x1, COVE_SNP_VMM_GCE, NULL,
		   "4533a3de7876297e19711fc610bff6b9928ca050a81516b3dcbe8f410ce38ba4769b29060d00322cefa19e4abcbab4ed"),
	AMDSEV_ROW("seves 2 EPYC-v4", COVE_SNP_MODE_SEV_ES, 2, "EPYC-v4", K_NONE, K_NONE, NULL, 0x1, COVE_SNP_VMM_QEMU,
		   NULL, "02a0c4a5a76ee32cd799d5a26ffb2f2aff33fb3cc5d494e59b96b7e182add13f"),
	AMDSEV_ROW("sev", COVE_SNP_MODE_SEV, 0, NULL, K_NONE, K_NONE, NULL, 0x1, COVE_SNP_VMM_QEMU, NULL,
		   DEBIAN_OVMF_SHA256),
	{"kernel", COVE_SNP_MODE_SNP, 1, "EPYC-v4", K_EMPTY, K_NONE, "console=ttyS0", 0x1, COVE_SNP_VMM_QEMU, NULL, NULL,
	 COVE_ERR_UNSUPPORTED, "has no SNP_KERNEL_HASHES section"},
};

static void test_debian_ovmf(void **state)
{
	(void)state;
	cove_buf fw = {0};
	if (!read_debian(DEBIAN_OVMF, DEBIAN_OVMF_SHA256, &fw)) {
		skip();
		return;
	}
	for (size_t i = 0; i < sizeof(debian_rows) / sizeof(debian_rows[0]); i++)
		run_row(&debian_rows[i], &fw);

	/* The layout MANIFEST.md lists for it. */
	cove_snp_ovmf o;
	cove_error e = {0};
	assert_int_equal(cove_snp_ovmf_parse(fw.data, fw.len, &o, &e), COVE_OK);
	assert_int_equal(o.len, 0x1e0000);
	assert_int_equal(o.gpa, 0xffe20000);
	assert_int_equal(o.reset_eip, 0x80b004);
	assert_true(o.has_hash_table);
	assert_int_equal(o.hash_table_gpa, 0);
	assert_int_equal(o.nsections, 5);
	static const cove_snp_ovmf_section want[5] = {
		{0x800000, 0x9000, COVE_SNP_SECTION_SEC_MEM}, {0x80a000, 0x3000, COVE_SNP_SECTION_SEC_MEM},
		{0x80d000, 0x1000, COVE_SNP_SECTION_SECRETS}, {0x80e000, 0x1000, COVE_SNP_SECTION_CPUID},
		{0x80f000, 0x11000, COVE_SNP_SECTION_SEC_MEM},
	};
	for (size_t i = 0; i < 5; i++) {
		assert_int_equal(o.sections[i].gpa, want[i].gpa);
		assert_int_equal(o.sections[i].size, want[i].size);
		assert_int_equal(o.sections[i].type, want[i].type);
	}
	cove_buf_free(&fw);
}

static void test_debian_secboot(void **state)
{
	(void)state;
	static const row r = AMDSEV_ROW(
		"secboot", COVE_SNP_MODE_SNP, 1, "EPYC-v4", K_NONE, K_NONE, NULL, 0x1, COVE_SNP_VMM_QEMU, NULL,
		"301c675375a61fc004214a4c77545733b96a6e9ef58d43e1cdf35bf2c2199333ba5b5cbe8bfd602d35fb62c8219c4930");
	cove_buf fw = {0};
	if (!read_debian(DEBIAN_SECBOOT, DEBIAN_SECBOOT_SHA256, &fw)) {
		skip();
		return;
	}
	run_row(&r, &fw);
	cove_buf_free(&fw);
}

/* OVMF_CODE_4M.fd has no SEV metadata: refused in the SNP modes (sev-snp-measure prints a meaningless value). */
static void test_debian_4m_refused(void **state)
{
	(void)state;
	cove_buf fw = {0};
	if (!read_debian(DEBIAN_OVMF_4M, NULL, &fw)) {
		skip();
		return;
	}
	static const row rows[] = {
		{"4M snp", COVE_SNP_MODE_SNP, 1, "EPYC-v4", K_NONE, K_NONE, NULL, 0x1, COVE_SNP_VMM_QEMU, NULL, NULL,
		 COVE_ERR_UNSUPPORTED, "has no SEV metadata"},
		{"4M ovmf-hash", COVE_SNP_MODE_SNP_OVMF_HASH, 0, NULL, K_NONE, K_NONE, NULL, 0x1, COVE_SNP_VMM_QEMU,
		 NULL, NULL, COVE_ERR_UNSUPPORTED, "QEMU cannot launch an SEV-SNP guest with it"},
	};
	for (size_t i = 0; i < 2; i++)
		run_row(&rows[i], &fw);
	cove_snp_ovmf o;
	cove_error e = {0};
	assert_int_equal(cove_snp_ovmf_parse(fw.data, fw.len, &o, &e), COVE_OK);
	assert_true(o.has_footer);
	assert_false(o.has_metadata);
	assert_int_equal(o.reset_eip, 0x808004);
	cove_buf_free(&fw);
}

/* ---- Parser on the fixtures ---- */

static void test_parse_amdsev(void **state)
{
	(void)state;
	cove_buf fw = {0};
	cove_test_read_shared(FIXTURES "ovmf_AmdSev_suffix.bin", &fw);
	cove_snp_ovmf o;
	cove_error e = {0};
	assert_int_equal(cove_snp_ovmf_parse(fw.data, fw.len, &o, &e), COVE_OK);
	assert_true(o.has_footer);
	assert_int_equal(o.gpa, 0xfffff000);
	assert_int_equal(o.nentries, 5);
	char g[37];
	cove_snp_guid_format(o.entries[4].guid, g);
	assert_string_equal(g, "00f771de-1a7e-4fcb-890e-68c77e2fb44e");
	cove_snp_guid_format(o.entries[0].guid, g);
	assert_string_equal(g, "e47a6535-984a-4798-865e-4685a7bf8ec2"); /* TDX metadata, first in the file */
	assert_int_equal(o.reset_eip, 0x80b004);
	assert_int_equal(o.hash_table_gpa, 0x810c00);
	assert_int_equal(o.hash_table_size, 0x400);
	assert_int_equal(o.metadata_offset, 0x554);
	assert_int_equal(o.nsections, 7);
	assert_int_equal(o.sections[4].type, COVE_SNP_SECTION_SVSM_CAA);
	assert_int_equal(o.sections[5].type, COVE_SNP_SECTION_KERNEL_HASHES);
	assert_int_equal(o.sections[5].gpa, 0x810000);
	assert_true(cove_snp_ovmf_has_section(&o, COVE_SNP_SECTION_KERNEL_HASHES));

	json_t *j = cove_snp_ovmf_to_json(&o);
	assert_int_equal(json_array_size(json_object_get(j, "sections")), 7);
	assert_string_equal(json_string_value(json_object_get(j, "sev_es_reset_eip")), "0x80b004");
	assert_string_equal(
		json_string_value(json_object_get(json_array_get(json_object_get(j, "sections"), 5), "type")),
		"SNP_KERNEL_HASHES");
	json_decref(j);
	cove_buf_free(&fw);
}

/* Every single-byte change of the image changes the SNP digest, or makes the image unusable. */
static void test_every_byte_counts(void **state)
{
	(void)state;
	cove_buf fw = {0};
	cove_test_read_shared(FIXTURES "ovmf_AmdSev_suffix.bin", &fw);
	cove_snp_measure_opts o;
	cove_snp_measure_opts_init(&o);
	o.ovmf = fw.data;
	o.ovmf_len = fw.len;
	o.vcpus = 2;
	cove_error e = {0};
	assert_int_equal(cove_snp_vcpu_sig_lookup("EPYC-v4", &o.vcpu_sig, &e), COVE_OK);
	uint8_t base[COVE_SNP_LD_LEN], d[COVE_SNP_LD_LEN];
	size_t len;
	assert_int_equal(cove_snp_measure(&o, base, &len, &e), COVE_OK);
	for (size_t i = 0; i < fw.len; i++) {
		fw.data[i] ^= 0x01;
		cove_err rc = cove_snp_measure(&o, d, &len, &e);
		if (rc == COVE_OK && memcmp(d, base, sizeof(d)) == 0)
			fail_msg("flipping byte 0x%zx left the digest unchanged", i);
		fw.data[i] ^= 0x01;
	}
	cove_buf_free(&fw);
}

/* Parsing every prefix of a real image never crashes; each either parses or fails as a parse error. */
static void test_truncation(void **state)
{
	(void)state;
	cove_buf fw = {0};
	cove_test_read_shared(FIXTURES "ovmf_AmdSev_suffix.bin", &fw);
	for (size_t n = 0; n <= fw.len; n++) {
		uint8_t *copy = malloc(n ? n : 1);
		assert_non_null(copy);
		memcpy(copy, fw.data, n);
		cove_snp_ovmf o;
		cove_error e = {0};
		cove_err rc = cove_snp_ovmf_parse(copy, n, &o, &e);
		assert_true(rc == COVE_OK || rc == COVE_ERR_PARSE);
		if (rc == COVE_ERR_PARSE)
			assert_true(e.msg[0] != '\0');
		if (n < 50)
			assert_non_null(strstr(e.msg, "too short"));
		free(copy);
	}
	cove_buf_free(&fw);
}

/* ---- Synthetic images for malformed-input tests ---- */

#define IMG_LEN 4096
#define META_OFF 0x800 /* metadata header at IMG_LEN - META_OFF */

typedef struct tentry {
	const uint8_t *guid;
	uint8_t data[16];
	size_t dlen;
} tentry;

/* Write the entries (in file order) so that the table ends at the footer; returns the footer's offset. */
static size_t put_table(uint8_t *img, size_t len, const tentry *t, size_t n)
{
	size_t footer = len - 50;
	size_t pos = footer;
	for (size_t i = n; i-- > 0;) {
		size_t elen = t[i].dlen + 18;
		pos -= elen;
		memcpy(img + pos, t[i].data, t[i].dlen);
		cove_put_le16(img + pos + t[i].dlen, (uint16_t)elen);
		memcpy(img + pos + t[i].dlen + 2, t[i].guid, 16);
	}
	cove_put_le16(img + footer, (uint16_t)(footer - pos + 18));
	memcpy(img + footer + 2, cove_snp_guid_table_footer, 16);
	return footer;
}

static void put_metadata(uint8_t *img, size_t len, uint32_t off, const cove_snp_ovmf_section *s, uint32_t n)
{
	uint8_t *m = img + len - off;
	memcpy(m, "ASEV", 4);
	cove_put_le32(m + 4, 16 + 12 * n);
	cove_put_le32(m + 8, 1);
	cove_put_le32(m + 12, n);
	for (uint32_t i = 0; i < n; i++) {
		cove_put_le32(m + 16 + 12 * i, s[i].gpa);
		cove_put_le32(m + 20 + 12 * i, s[i].size);
		cove_put_le32(m + 24 + 12 * i, s[i].type);
	}
}

static const cove_snp_ovmf_section std_sections[] = {
	{0x800000, 0x2000, COVE_SNP_SECTION_SEC_MEM},
	{0x802000, 0x1000, COVE_SNP_SECTION_SECRETS},
	{0x803000, 0x1000, COVE_SNP_SECTION_CPUID},
	{0x804000, 0x1000, COVE_SNP_SECTION_KERNEL_HASHES},
};

/* A well-formed 4 KiB image: metadata, hash table at 0x804c00, reset EIP 0x80b004. Returns the footer offset. */
static size_t std_image(uint8_t img[IMG_LEN], uint32_t hash_gpa)
{
	memset(img, 0xCC, IMG_LEN);
	tentry t[3] = {
		{cove_snp_guid_sev_metadata, {0}, 4},
		{cove_snp_guid_hash_table, {0}, 8},
		{cove_snp_guid_sev_es_reset, {0}, 4},
	};
	cove_put_le32(t[0].data, META_OFF);
	cove_put_le32(t[1].data, hash_gpa);
	cove_put_le32(t[1].data + 4, 0x400);
	cove_put_le32(t[2].data, 0x80b004);
	put_metadata(img, IMG_LEN, META_OFF, std_sections, 4);
	return put_table(img, IMG_LEN, t, 3);
}

static void opts_for(cove_snp_measure_opts *o, const uint8_t *img, size_t len)
{
	cove_snp_measure_opts_init(o);
	o->ovmf = img;
	o->ovmf_len = len;
	o->vcpus = 2;
	o->vcpu_sig = 0x800f12;
}

static void expect_parse_error(const uint8_t *img, size_t len, const char *text)
{
	cove_snp_ovmf o;
	cove_error e = {0};
	cove_err rc = cove_snp_ovmf_parse(img, len, &o, &e);
	if (rc != COVE_ERR_PARSE || !strstr(e.msg, text))
		fail_msg("expected a parse error containing '%s', got %d '%s'", text, rc, e.msg);
	if (len == 0)
		return;
	/* The measurement refuses it the same way. */
	cove_snp_measure_opts mo;
	opts_for(&mo, img, len);
	uint8_t d[COVE_SNP_LD_LEN];
	size_t dl;
	assert_int_equal(cove_snp_measure(&mo, d, &dl, &e), COVE_ERR_PARSE);
}

static void expect_measure_error(const cove_snp_measure_opts *o, cove_err code, const char *text)
{
	cove_error e = {0};
	uint8_t d[COVE_SNP_LD_LEN];
	size_t dl = 7;
	cove_err rc = cove_snp_measure(o, d, &dl, &e);
	if (rc != code || !strstr(e.msg, text))
		fail_msg("expected error %d containing '%s', got %d '%s'", code, text, rc, e.msg);
	assert_int_equal(dl, 0);
}

static void test_synthetic_ok(void **state)
{
	(void)state;
	uint8_t img[IMG_LEN];
	std_image(img, 0x804c00);
	cove_snp_ovmf o;
	cove_error e = {0};
	assert_int_equal(cove_snp_ovmf_parse(img, IMG_LEN, &o, &e), COVE_OK);
	assert_int_equal(o.nentries, 3);
	assert_int_equal(o.nsections, 4);
	assert_int_equal(o.hash_table_gpa, 0x804c00);

	cove_snp_measure_opts mo;
	opts_for(&mo, img, IMG_LEN);
	uint8_t plain[COVE_SNP_LD_LEN], booted[COVE_SNP_LD_LEN], d[COVE_SNP_LD_LEN];
	size_t dl;
	assert_int_equal(cove_snp_measure(&mo, plain, &dl, &e), COVE_OK);
	cove_snp_kernel_hashes kh;
	assert_int_equal(cove_snp_kernel_hashes_compute("k", 1, NULL, 0, NULL, &kh, &e), COVE_OK);
	mo.kernel_hashes = &kh;
	assert_int_equal(cove_snp_measure(&mo, booted, &dl, &e), COVE_OK);
	assert_memory_not_equal(plain, booted, sizeof(plain));
	/* Each input matters: command line, vCPU count, signature, features, VMM. */
	assert_int_equal(cove_snp_kernel_hashes_compute("k", 1, NULL, 0, "quiet", &kh, &e), COVE_OK);
	assert_int_equal(cove_snp_measure(&mo, d, &dl, &e), COVE_OK);
	assert_memory_not_equal(d, booted, sizeof(d));
	mo.kernel_hashes = NULL;
	cove_snp_measure_opts variants[4];
	for (int i = 0; i < 4; i++)
		variants[i] = mo;
	variants[0].vcpus = 3;
	variants[1].vcpu_sig = 0xa00f11;
	variants[2].guest_features = 0x21;
	variants[3].vmm = COVE_SNP_VMM_EC2;
	for (int i = 0; i < 4; i++) {
		assert_int_equal(cove_snp_measure(&variants[i], d, &dl, &e), COVE_OK);
		assert_memory_not_equal(d, plain, sizeof(d));
	}
}

static void test_footer_errors(void **state)
{
	(void)state;
	uint8_t img[IMG_LEN];
	size_t footer;

	/* Wrong footer GUID: a plain firmware, refused for SNP. */
	footer = std_image(img, 0x804c00);
	img[footer + 2] ^= 0xFF;
	cove_snp_ovmf o;
	cove_error e = {0};
	assert_int_equal(cove_snp_ovmf_parse(img, IMG_LEN, &o, &e), COVE_OK);
	assert_false(o.has_footer);
	cove_snp_measure_opts mo;
	opts_for(&mo, img, IMG_LEN);
	expect_measure_error(&mo, COVE_ERR_UNSUPPORTED, "no footer table at all");

	footer = std_image(img, 0x804c00); /* table size smaller than the footer entry itself */
	cove_put_le16(img + footer, 17);
	expect_parse_error(img, IMG_LEN, "smaller than its own 18-byte header");

	footer = std_image(img, 0x804c00); /* table size past the start of the file */
	cove_put_le16(img + footer, 0xFFFF);
	expect_parse_error(img, IMG_LEN, "reaches before the start");

	footer = std_image(img, 0x804c00); /* a zero-length entry would loop forever */
	cove_put_le16(img + footer - 18, 0);
	expect_parse_error(img, IMG_LEN, "length 0, less than");

	footer = std_image(img, 0x804c00); /* an entry longer than what remains of the table */
	cove_put_le16(img + footer - 18, 200);
	expect_parse_error(img, IMG_LEN, "only 70 bytes of the table remain");

	footer = std_image(img, 0x804c00); /* table size covering 5 extra bytes */
	cove_put_le16(img + footer, (uint16_t)(cove_le16(img + footer) + 5));
	expect_parse_error(img, IMG_LEN, "5 stray bytes");

	/* The same GUID twice. */
	memset(img, 0, IMG_LEN);
	tentry dup[2] = {{cove_snp_guid_sev_es_reset, {1, 2, 3, 4}, 4}, {cove_snp_guid_sev_es_reset, {5, 6, 7, 8}, 4}};
	put_table(img, IMG_LEN, dup, 2);
	expect_parse_error(img, IMG_LEN, "00f771de-1a7e-4fcb-890e-68c77e2fb44e appears twice");

	/* Too many entries. */
	memset(img, 0, IMG_LEN);
	uint8_t guids[33][16];
	tentry many[33];
	for (int i = 0; i < 33; i++) {
		memset(guids[i], i + 1, 16);
		many[i] = (tentry){guids[i], {0}, 0};
	}
	put_table(img, IMG_LEN, many, 33);
	expect_parse_error(img, IMG_LEN, "more than 32 entries");

	/* A known entry too short for its value. */
	memset(img, 0, IMG_LEN);
	tentry shortreset[1] = {{cove_snp_guid_sev_es_reset, {4, 0}, 2}};
	put_table(img, IMG_LEN, shortreset, 1);
	expect_parse_error(img, IMG_LEN, "SEV-ES reset block entry 00f771de-1a7e-4fcb-890e-68c77e2fb44e at offset "
					 "0xfba holds 2 bytes, needs 4");

	/* Truncated files. */
	expect_parse_error(img, 49, "too short");
	expect_parse_error(img, 0, "too short");
}

static void test_metadata_errors(void **state)
{
	(void)state;
	uint8_t img[IMG_LEN];
	uint8_t *m = img + IMG_LEN - META_OFF;
	size_t footer;

	/* Metadata offset beyond the image, or too small for the header.  The metadata entry is the first
	 * in the table, so its data starts where the table starts. */
	footer = std_image(img, 0x804c00);
	size_t table_start = footer - (cove_le16(img + footer) - 18);
	assert_int_equal(cove_le32(img + table_start), META_OFF);
	cove_put_le32(img + table_start, IMG_LEN + 1);
	expect_parse_error(img, IMG_LEN, "does not leave room for its 16-byte header");
	cove_put_le32(img + table_start, 8);
	expect_parse_error(img, IMG_LEN, "does not leave room for its 16-byte header");

	std_image(img, 0x804c00);
	memcpy(m, "ASEX", 4);
	expect_parse_error(img, IMG_LEN, "is not \"ASEV\"");

	std_image(img, 0x804c00);
	cove_put_le32(m + 8, 2);
	expect_parse_error(img, IMG_LEN, "version 2, only 1 is known");

	std_image(img, 0x804c00);
	cove_put_le32(m + 4, 15);
	expect_parse_error(img, IMG_LEN, "size 15 must be at least 16");

	std_image(img, 0x804c00);
	cove_put_le32(m + 4, META_OFF + 1);
	expect_parse_error(img, IMG_LEN, "end inside the image");

	std_image(img, 0x804c00);
	cove_put_le32(m + 12, 5); /* size covers 4 items */
	expect_parse_error(img, IMG_LEN, "5 sections of 12 bytes do not fit");

	std_image(img, 0x804c00);
	cove_put_le32(m + 12, 0xFFFFFFFF);
	expect_parse_error(img, IMG_LEN, "4294967295 sections");

	std_image(img, 0x804c00);
	cove_put_le32(m + 4, 16 + 12 * 65);
	cove_put_le32(m + 12, 65);
	expect_parse_error(img, IMG_LEN, "65 sections, at most 64");
}

static void set_section(uint8_t img[IMG_LEN], int i, uint32_t gpa, uint32_t size, uint32_t type)
{
	uint8_t *s = img + IMG_LEN - META_OFF + 16 + 12 * i;
	cove_put_le32(s, gpa);
	cove_put_le32(s + 4, size);
	cove_put_le32(s + 8, type);
}

static void test_section_errors(void **state)
{
	(void)state;
	uint8_t img[IMG_LEN];
	cove_snp_measure_opts mo;
	cove_snp_kernel_hashes kh;
	cove_error e = {0};
	assert_int_equal(cove_snp_kernel_hashes_compute("k", 1, NULL, 0, NULL, &kh, &e), COVE_OK);
	opts_for(&mo, img, IMG_LEN);

	std_image(img, 0x804c00);
	set_section(img, 1, 0x802000, 0x1000, 7);
	expect_measure_error(&mo, COVE_ERR_UNSUPPORTED, "section 1 (GPA 0x802000) has unknown type 0x7");

	std_image(img, 0x804c00);
	set_section(img, 0, 0x800800, 0x2000, COVE_SNP_SECTION_SEC_MEM);
	expect_measure_error(&mo, COVE_ERR_PARSE, "section 0 (SNP_SEC_MEM): GPA 0x800800 is not page-aligned");

	std_image(img, 0x804c00);
	set_section(img, 0, 0x800000, 0x1800, COVE_SNP_SECTION_SEC_MEM);
	expect_measure_error(&mo, COVE_ERR_PARSE, "size 0x1800 is not a multiple of 4 KiB");

	std_image(img, 0x804c00);
	set_section(img, 0, 0xFFFFF000, 0x2000, COVE_SNP_SECTION_SEC_MEM);
	expect_measure_error(&mo, COVE_ERR_PARSE, "ends above 4 GiB");

	/* Kernel-hashes page checks apply only when a kernel is given. */
	std_image(img, 0x804c00);
	set_section(img, 3, 0x804000, 0x2000, COVE_SNP_SECTION_KERNEL_HASHES);
	uint8_t d[COVE_SNP_LD_LEN];
	size_t dl;
	assert_int_equal(cove_snp_measure(&mo, d, &dl, &e), COVE_OK);
	mo.kernel_hashes = &kh;
	expect_measure_error(&mo, COVE_ERR_PARSE, "the hashes page must be exactly 4 KiB");

	std_image(img, 0x805c00);
	expect_measure_error(&mo, COVE_ERR_PARSE, "SEV hash table GPA 0x805c00 lies outside the SNP_KERNEL_HASHES page");

	std_image(img, 0x804f80);
	expect_measure_error(&mo, COVE_ERR_PARSE, "would cross the end of its page");
	std_image(img, 0x804000 + 4096 - 176); /* the last position that fits */
	assert_int_equal(cove_snp_measure(&mo, d, &dl, &e), COVE_OK);

	std_image(img, 0);
	expect_measure_error(&mo, COVE_ERR_UNSUPPORTED, "has no SEV hash table (footer table entry 7255371f");

	/* Without the hash-table entry at all, and in SEV-ES mode. */
	memset(img, 0, IMG_LEN);
	tentry only_reset[1] = {{cove_snp_guid_sev_es_reset, {0x04, 0xb0, 0x80, 0x00}, 4}};
	put_table(img, IMG_LEN, only_reset, 1);
	mo.mode = COVE_SNP_MODE_SEV_ES;
	expect_measure_error(&mo, COVE_ERR_UNSUPPORTED, "is missing");
	mo.kernel_hashes = NULL;
	assert_int_equal(cove_snp_measure(&mo, d, &dl, &e), COVE_OK);
	assert_int_equal(dl, 32);
	mo.mode = COVE_SNP_MODE_SNP; /* no metadata */
	expect_measure_error(&mo, COVE_ERR_UNSUPPORTED, "has no SEV metadata");
}

static void test_option_errors(void **state)
{
	(void)state;
	uint8_t img[IMG_LEN];
	std_image(img, 0x804c00);
	cove_snp_measure_opts mo;
	uint8_t d[COVE_SNP_LD_LEN];
	size_t dl;
	cove_error e = {0};

	opts_for(&mo, img, IMG_LEN);
	mo.vcpus = 0;
	expect_measure_error(&mo, COVE_ERR_ARG, "vCPU count 0 out of range");
	mo.vcpus = COVE_SNP_MAX_VCPUS + 1;
	expect_measure_error(&mo, COVE_ERR_ARG, "out of range");

	opts_for(&mo, img, IMG_LEN);
	mo.vcpu_sig = 0;
	expect_measure_error(&mo, COVE_ERR_ARG, "a vCPU type (or family, model and stepping) is required");
	mo.vmm = COVE_SNP_VMM_EC2; /* EC2 and GCE do not use it */
	assert_int_equal(cove_snp_measure(&mo, d, &dl, &e), COVE_OK);
	mo.vmm = (cove_snp_vmm)9;
	expect_measure_error(&mo, COVE_ERR_ARG, "unknown VMM type 9");

	opts_for(&mo, img, IMG_LEN);
	mo.guest_features = 0x20;
	expect_measure_error(&mo, COVE_ERR_ARG, "lack bit 0 (SNPActive)");

	opts_for(&mo, img, IMG_LEN);
	uint8_t seed[COVE_SNP_LD_LEN] = {0};
	mo.ovmf_hash = seed;
	mo.mode = COVE_SNP_MODE_SEV_ES;
	expect_measure_error(&mo, COVE_ERR_ARG, "only applies to mode snp");
	mo.mode = COVE_SNP_MODE_SNP_OVMF_HASH;
	expect_measure_error(&mo, COVE_ERR_ARG, "only applies to mode snp");

	opts_for(&mo, img, IMG_LEN);
	cove_snp_kernel_hashes kh;
	memset(&kh, 0, sizeof(kh));
	mo.kernel_hashes = &kh;
	mo.mode = COVE_SNP_MODE_SNP_OVMF_HASH;
	expect_measure_error(&mo, COVE_ERR_ARG, "a kernel does not apply");

	opts_for(&mo, img, IMG_LEN);
	mo.mode = (cove_snp_measure_mode)42;
	expect_measure_error(&mo, COVE_ERR_ARG, "unknown measurement mode 42");

	opts_for(&mo, NULL, 0);
	expect_measure_error(&mo, COVE_ERR_ARG, "no OVMF image given");
	opts_for(&mo, img, COVE_SNP_OVMF_MAX_LEN + 1);
	expect_measure_error(&mo, COVE_ERR_ARG, "larger than");
	assert_int_equal(cove_snp_measure(NULL, d, &dl, &e), COVE_ERR_ARG);

	/* The image must be whole pages for SNP (SEV hashes any length). */
	static uint8_t odd[IMG_LEN + 100];
	memset(odd, 0, sizeof(odd));
	tentry t[2] = {
		{cove_snp_guid_sev_metadata, {0}, 4},
		{cove_snp_guid_sev_es_reset, {0x04, 0xb0, 0x80, 0x00}, 4},
	};
	cove_put_le32(t[0].data, META_OFF);
	put_metadata(odd, sizeof(odd), META_OFF, std_sections, 3);
	put_table(odd, sizeof(odd), t, 2);
	opts_for(&mo, odd, sizeof(odd));
	expect_measure_error(&mo, COVE_ERR_PARSE, "size 4196 is not a multiple of 4 KiB");
	mo.mode = COVE_SNP_MODE_SEV;
	assert_int_equal(cove_snp_measure(&mo, d, &dl, &e), COVE_OK);

	/* A reset block is needed for the VMSAs; EIP 0 can start only the boot vCPU. */
	memset(img, 0, IMG_LEN);
	tentry meta_only[1] = {{cove_snp_guid_sev_metadata, {0}, 4}};
	cove_put_le32(meta_only[0].data, META_OFF);
	put_metadata(img, IMG_LEN, META_OFF, std_sections, 3);
	put_table(img, IMG_LEN, meta_only, 1);
	opts_for(&mo, img, IMG_LEN);
	expect_measure_error(&mo, COVE_ERR_UNSUPPORTED, "has no SEV-ES reset block");
	mo.mode = COVE_SNP_MODE_SNP_OVMF_HASH; /* needs no vCPU state */
	assert_int_equal(cove_snp_measure(&mo, d, &dl, &e), COVE_OK);

	memset(img, 0, IMG_LEN);
	tentry zero_eip[2] = {{cove_snp_guid_sev_metadata, {0}, 4}, {cove_snp_guid_sev_es_reset, {0}, 4}};
	cove_put_le32(zero_eip[0].data, META_OFF);
	put_metadata(img, IMG_LEN, META_OFF, std_sections, 3);
	put_table(img, IMG_LEN, zero_eip, 2);
	opts_for(&mo, img, IMG_LEN);
	expect_measure_error(&mo, COVE_ERR_UNSUPPORTED, "gives EIP 0: it cannot start 2 vCPUs");
	mo.vcpus = 1;
	assert_int_equal(cove_snp_measure(&mo, d, &dl, &e), COVE_OK);
}

/* ---- Building blocks ---- */

static void test_vcpu_sigs(void **state)
{
	(void)state;
	cove_error e = {0};
	uint32_t sig;
	assert_int_equal(cove_snp_vcpu_sig_encode(14, 1, 2, &sig, &e), COVE_OK);
	assert_int_equal(sig, 0x0e12);
	assert_int_equal(cove_snp_vcpu_sig_encode(23, 1, 2, &sig, &e), COVE_OK);
	assert_int_equal(sig, 0x800f12);
	assert_int_equal(cove_snp_vcpu_sig_encode(25, 17, 1, &sig, &e), COVE_OK);
	assert_int_equal(sig, 0xa10f11);
	assert_int_equal(cove_snp_vcpu_sig_encode(270, 255, 15, &sig, &e), COVE_OK);
	assert_int_equal(sig, 0x0fff0fff); /* bits 12-15 stay zero */
	assert_int_equal(cove_snp_vcpu_sig_encode(271, 0, 0, &sig, &e), COVE_ERR_ARG);
	assert_int_equal(cove_snp_vcpu_sig_encode(25, 256, 0, &sig, &e), COVE_ERR_ARG);
	assert_int_equal(cove_snp_vcpu_sig_encode(25, 1, 16, &sig, &e), COVE_ERR_ARG);

	static const struct { const char *n; uint32_t sig; } want[] = {
		{"EPYC", 0x800f12},      {"EPYC-v4", 0x800f12},    {"epyc-ibpb", 0x800f12}, {"EPYC-Rome", 0x830f10},
		{"EPYC-Rome-v3", 0x830f10}, {"EPYC-Milan", 0xa00f11}, {"EPYC-Milan-v2", 0xa00f11},
		{"EPYC-Genoa", 0xa10f10}, {"EPYC-Genoa-v1", 0xa10f10}, {"EPYC-Turin", 0xb00f00},
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		assert_int_equal(cove_snp_vcpu_sig_lookup(want[i].n, &sig, &e), COVE_OK);
		assert_int_equal(sig, want[i].sig);
	}
	assert_int_equal(cove_snp_vcpu_sig_lookup("EPYC-v9", &sig, &e), COVE_ERR_ARG);
	assert_non_null(strstr(e.msg, "unknown vCPU type 'EPYC-v9'"));
	size_t n;
	const cove_snp_vcpu_type *types = cove_snp_vcpu_types(&n);
	assert_int_equal(n, 16);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(cove_snp_vcpu_sig_lookup(types[i].name, &sig, &e), COVE_OK);
		assert_int_equal(sig, types[i].sig);
	}

	cove_snp_vmm v;
	assert_int_equal(cove_snp_vmm_parse("QEMU", &v, &e), COVE_OK);
	assert_int_equal(v, COVE_SNP_VMM_QEMU);
	assert_int_equal(cove_snp_vmm_parse("ec2", &v, &e), COVE_OK);
	assert_int_equal(v, COVE_SNP_VMM_EC2);
	assert_int_equal(cove_snp_vmm_parse("gce", &v, &e), COVE_OK);
	assert_int_equal(v, COVE_SNP_VMM_GCE);
	assert_int_equal(cove_snp_vmm_parse("xen", &v, &e), COVE_ERR_ARG);
	cove_snp_measure_mode m;
	assert_int_equal(cove_snp_measure_mode_parse("snp:ovmf-hash", &m, &e), COVE_OK);
	assert_int_equal(m, COVE_SNP_MODE_SNP_OVMF_HASH);
	assert_int_equal(cove_snp_measure_mode_parse("seves", &m, &e), COVE_OK);
	assert_int_equal(m, COVE_SNP_MODE_SEV_ES);
	assert_int_equal(cove_snp_measure_mode_parse("sev-snp", &m, &e), COVE_ERR_ARG);
}

static void expect_seg(const uint8_t *p, size_t off, uint16_t sel, uint16_t attr, uint32_t limit, uint64_t base)
{
	assert_int_equal(cove_le16(p + off), sel);
	assert_int_equal(cove_le16(p + off + 2), attr);
	assert_int_equal(cove_le32(p + off + 4), limit);
	assert_int_equal(cove_le64(p + off + 8), base);
}

static void test_vmsa_layout(void **state)
{
	(void)state;
	uint8_t p[COVE_SNP_VMSA_SIZE];
	cove_snp_vmsa_encode(COVE_SNP_VMM_QEMU, 0xFFFFFFF0, 0x21, 0x800f12, p);
	expect_seg(p, 0x00, 0, 0x93, 0xffff, 0);            /* ES */
	expect_seg(p, 0x10, 0xf000, 0x9b, 0xffff, 0xffff0000); /* CS */
	expect_seg(p, 0x20, 0, 0x93, 0xffff, 0);            /* SS */
	expect_seg(p, 0x60, 0, 0, 0xffff, 0);               /* GDTR */
	expect_seg(p, 0x70, 0, 0x82, 0xffff, 0);            /* LDTR */
	expect_seg(p, 0x90, 0, 0x8b, 0xffff, 0);            /* TR */
	assert_int_equal(cove_le64(p + 0xD0), 0x1000);      /* EFER */
	assert_int_equal(cove_le64(p + 0x148), 0x40);       /* CR4 */
	assert_int_equal(cove_le64(p + 0x158), 0x10);       /* CR0 */
	assert_int_equal(cove_le64(p + 0x160), 0x400);      /* DR7 */
	assert_int_equal(cove_le64(p + 0x168), 0xffff0ff0); /* DR6 */
	assert_int_equal(cove_le64(p + 0x170), 0x2);        /* RFLAGS */
	assert_int_equal(cove_le64(p + 0x178), 0xfff0);     /* RIP */
	assert_int_equal(cove_le64(p + 0x268), 0x0007040600070406ULL); /* G_PAT */
	assert_int_equal(cove_le64(p + 0x310), 0x800f12);   /* RDX */
	assert_int_equal(cove_le64(p + 0x3B0), 0x21);       /* SEV_FEATURES */
	assert_int_equal(cove_le64(p + 0x3E8), 0x1);        /* XCR0 */
	assert_int_equal(cove_le32(p + 0x408), 0x1f80);     /* MXCSR */
	assert_int_equal(cove_le16(p + 0x410), 0x37f);      /* x87 FCW */
	/* Nothing else is set. */
	size_t set = 0;
	for (size_t i = 0; i < sizeof(p); i++)
		set += p[i] != 0;
	assert_int_equal(set, 57);

	cove_snp_vmsa_encode(COVE_SNP_VMM_QEMU, 0x80b004, 0x1, 0x800f12, p); /* an AP */
	expect_seg(p, 0x10, 0xf000, 0x9b, 0xffff, 0x800000);
	assert_int_equal(cove_le64(p + 0x178), 0xb004);

	cove_snp_vmsa_encode(COVE_SNP_VMM_EC2, 0xFFFFFFF0, 0x1, 0x800f12, p);
	expect_seg(p, 0x10, 0xf000, 0x9a, 0xffff, 0xffff0000);
	expect_seg(p, 0x20, 0, 0x92, 0xffff, 0);
	expect_seg(p, 0x90, 0, 0x83, 0xffff, 0);
	assert_int_equal(cove_le64(p + 0x310), 0x600); /* not the vCPU signature */
	assert_int_equal(cove_le32(p + 0x408), 0);
	assert_int_equal(cove_le16(p + 0x410), 0);
	cove_snp_vmsa_encode(COVE_SNP_VMM_EC2, 0x80b004, 0x1, 0, p);
	expect_seg(p, 0x10, 0xf000, 0x9b, 0xffff, 0x800000);

	cove_snp_vmsa_encode(COVE_SNP_VMM_GCE, 0xFFFFFFF0, 0x1, 0x800f12, p);
	assert_int_equal(cove_le64(p + 0x310), 0x600);
	assert_int_equal(cove_le64(p + 0x268), 0x00070106);
	expect_seg(p, 0x90, 0, 0x8b, 0xffff, 0);
	assert_int_equal(cove_le32(p + 0x408), 0);
}

static void test_hashes_table(void **state)
{
	(void)state;
	cove_snp_kernel_hashes h;
	cove_error e = {0};
	assert_int_equal(cove_snp_kernel_hashes_compute("", 0, NULL, 0, NULL, &h, &e), COVE_OK);
	uint8_t want[32];
	/* No command line is hashed as a lone NUL; no initrd as the empty string. */
	assert_int_equal(cove_hex_decode_fixed("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", want, 32,
					       &e),
			 COVE_OK);
	assert_memory_equal(h.cmdline, want, 32);
	assert_int_equal(cove_hex_decode_fixed("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", want, 32,
					       &e),
			 COVE_OK);
	assert_memory_equal(h.initrd, want, 32);
	assert_memory_equal(h.kernel, want, 32);
	cove_snp_kernel_hashes h2;
	assert_int_equal(cove_snp_kernel_hashes_compute("", 0, NULL, 0, "", &h2, &e), COVE_OK);
	assert_memory_equal(h2.cmdline, h.cmdline, 32);
	assert_int_equal(cove_snp_kernel_hashes_compute("", 0, NULL, 0, "a", &h2, &e), COVE_OK);
	assert_int_equal(cove_digest(COVE_SHA256, "a", 2, want, &e), COVE_OK); /* "a" and its NUL */
	assert_memory_equal(h2.cmdline, want, 32);
	assert_int_equal(cove_snp_kernel_hashes_compute(NULL, 5, NULL, 0, NULL, &h2, &e), COVE_ERR_ARG);

	memset(h.cmdline, 0xA1, 32);
	memset(h.initrd, 0xB2, 32);
	memset(h.kernel, 0xC3, 32);
	uint8_t t[COVE_SNP_HASHES_TABLE_LEN];
	cove_snp_kernel_hashes_encode(&h, t);
	static const uint8_t header_guid[16] = {0x06, 0xd6, 0x38, 0x94, 0x22, 0x4f, 0xc9, 0x4c,
						0xb4, 0x79, 0xa7, 0x93, 0xd4, 0x11, 0xfd, 0x21};
	static const uint8_t cmdline_guid[16] = {0xd8, 0x2d, 0xd0, 0x97, 0x20, 0xbd, 0x94, 0x4c,
						 0xaa, 0x78, 0xe7, 0x71, 0x4d, 0x36, 0xab, 0x2a};
	static const uint8_t initrd_guid[16] = {0x31, 0xf7, 0xba, 0x44, 0x2f, 0x3a, 0xd7, 0x4b,
						0x9a, 0xf1, 0x41, 0xe2, 0x91, 0x69, 0x78, 0x1d};
	static const uint8_t kernel_guid[16] = {0x37, 0x94, 0xe7, 0x4d, 0xd2, 0xab, 0x7f, 0x42,
						0xb8, 0x35, 0xd5, 0xb1, 0x72, 0xd2, 0x04, 0x5b};
	assert_memory_equal(t, header_guid, 16);
	assert_int_equal(cove_le16(t + 16), 168);
	assert_memory_equal(t + 18, cmdline_guid, 16);
	assert_int_equal(cove_le16(t + 34), 50);
	assert_memory_equal(t + 36, h.cmdline, 32);
	assert_memory_equal(t + 68, initrd_guid, 16);
	assert_int_equal(cove_le16(t + 84), 50);
	assert_memory_equal(t + 86, h.initrd, 32);
	assert_memory_equal(t + 118, kernel_guid, 16);
	assert_int_equal(cove_le16(t + 134), 50);
	assert_memory_equal(t + 136, h.kernel, 32);
	assert_true(cove_is_zero(t + 168, 8));
}

static void test_hashes_from_files(void **state)
{
	(void)state;
	char dir[] = "/tmp/cove-measure-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char kpath[64], ipath[64];
	snprintf(kpath, sizeof(kpath), "%s/vmlinuz", dir);
	snprintf(ipath, sizeof(ipath), "%s/initrd", dir);
	cove_error e = {0};
	/* Larger than one read buffer, so the streaming path is exercised. */
	size_t klen = 200000;
	uint8_t *k = malloc(klen);
	assert_non_null(k);
	for (size_t i = 0; i < klen; i++)
		k[i] = (uint8_t)(i * 7);
	assert_int_equal(cove_file_write(kpath, k, klen, 0600, &e), COVE_OK);
	assert_int_equal(cove_file_write(ipath, "initrd!", 7, 0600, &e), COVE_OK);
	cove_snp_kernel_hashes a, b;
	assert_int_equal(cove_snp_kernel_hashes_read(kpath, ipath, "root=/dev/vda", &a, &e), COVE_OK);
	assert_int_equal(cove_snp_kernel_hashes_compute(k, klen, "initrd!", 7, "root=/dev/vda", &b, &e), COVE_OK);
	assert_memory_equal(&a, &b, sizeof(a));
	assert_int_equal(cove_snp_kernel_hashes_read(kpath, NULL, NULL, &a, &e), COVE_OK);
	assert_int_equal(cove_snp_kernel_hashes_compute(k, klen, NULL, 0, NULL, &b, &e), COVE_OK);
	assert_memory_equal(&a, &b, sizeof(a));
	assert_int_equal(cove_snp_kernel_hashes_read("/nonexistent/vmlinuz", NULL, NULL, &a, &e), COVE_ERR_IO);
	assert_non_null(strstr(e.msg, "kernel /nonexistent/vmlinuz"));
	assert_int_equal(cove_snp_kernel_hashes_read(kpath, "/nonexistent/initrd", NULL, &a, &e), COVE_ERR_IO);
	assert_non_null(strstr(e.msg, "initrd"));
	assert_int_equal(cove_snp_kernel_hashes_read(NULL, NULL, NULL, &a, &e), COVE_ERR_ARG);
	unlink(kpath);
	unlink(ipath);
	rmdir(dir);
	free(k);
}

static void test_ovmf_read(void **state)
{
	(void)state;
	char dir[] = "/tmp/cove-ovmf-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[64];
	snprintf(path, sizeof(path), "%s/OVMF.fd", dir);
	cove_error e = {0};
	uint8_t img[IMG_LEN];
	std_image(img, 0x804c00);
	assert_int_equal(cove_file_write(path, img, sizeof(img), 0600, &e), COVE_OK);
	cove_buf b = {0};
	assert_int_equal(cove_snp_ovmf_read(path, &b, &e), COVE_OK);
	assert_int_equal(b.len, sizeof(img));
	assert_memory_equal(b.data, img, sizeof(img));
	/* A sparse file just over the limit is refused before anything is read. */
	FILE *f = fopen(path, "r+");
	assert_non_null(f);
	assert_int_equal(ftruncate(fileno(f), (off_t)COVE_SNP_OVMF_MAX_LEN + 1), 0);
	fclose(f);
	assert_int_equal(cove_snp_ovmf_read(path, &b, &e), COVE_ERR_ARG);
	assert_non_null(strstr(e.msg, "larger than the 67108864-byte limit"));
	assert_int_equal(b.len, sizeof(img)); /* untouched on failure */
	/* Not a regular file: read as a stream. */
	assert_int_equal(cove_snp_ovmf_read("/dev/null", &b, &e), COVE_OK);
	assert_int_equal(b.len, 0);
	assert_int_equal(cove_snp_ovmf_read("/nonexistent/OVMF.fd", &b, &e), COVE_ERR_IO);
	assert_non_null(strstr(e.msg, "cannot open /nonexistent/OVMF.fd"));
	cove_buf_free(&b);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_expected_amdsev),
		cmocka_unit_test(test_expected_ovmfx64),
		cmocka_unit_test(test_expected_vmsa_dump),
		cmocka_unit_test(test_debian_ovmf),
		cmocka_unit_test(test_debian_secboot),
		cmocka_unit_test(test_debian_4m_refused),
		cmocka_unit_test(test_parse_amdsev),
		cmocka_unit_test(test_every_byte_counts),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_synthetic_ok),
		cmocka_unit_test(test_footer_errors),
		cmocka_unit_test(test_metadata_errors),
		cmocka_unit_test(test_section_errors),
		cmocka_unit_test(test_option_errors),
		cmocka_unit_test(test_vcpu_sigs),
		cmocka_unit_test(test_vmsa_layout),
		cmocka_unit_test(test_hashes_table),
		cmocka_unit_test(test_hashes_from_files),
		cmocka_unit_test(test_ovmf_read),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
