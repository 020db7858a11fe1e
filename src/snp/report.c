/*
 * SEV-SNP ATTESTATION_REPORT parsing, encoding and presentation.
 *
 * The report is a fixed 0x4A0-byte little-endian structure (AMD 56860,
 * "ATTESTATION_REPORT Structure"); its version decides which fields exist:
 * v3 added CPUID_FAM_ID/MOD_ID/STEP at 0x188, v5 the mitigation vectors at
 * 0x1F8.  Reserved bytes must be zero, as go-sev-guest also requires.
 */
#include <string.h>
#include <strings.h>

#include "cove/bytes.h"
#include "cove/snp.h"
#include "snp/report_layout.h"

const char *cove_snp_product_name(cove_snp_product p)
{
	switch (p) {
	case COVE_SNP_MILAN: return "Milan";
	case COVE_SNP_GENOA: return "Genoa";
	case COVE_SNP_TURIN: return "Turin";
	default: return "unknown";
	}
}

cove_err cove_snp_product_parse(const char *name, cove_snp_product *out, cove_error *e)
{
	static const struct { const char *n; cove_snp_product p; } names[] = {
		{"Milan", COVE_SNP_MILAN}, {"Genoa", COVE_SNP_GENOA}, {"Turin", COVE_SNP_TURIN},
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		size_t n = strlen(names[i].n);
		if (strncasecmp(name, names[i].n, n) == 0 && (name[n] == '\0' || name[n] == '-')) {
			*out = names[i].p;
			return COVE_OK;
		}
	}
	return cove_error_set(e, COVE_ERR_ARG, "unknown SEV-SNP product '%s' (expected Milan, Genoa or Turin)", name);
}

/* TCB_VERSION byte positions: virtee/sev src/firmware/host/types/snp.rs (legacy and Turin layouts). */
cove_snp_tcb cove_snp_tcb_decode(uint64_t raw, cove_snp_product p)
{
	cove_snp_tcb t = {0};
	uint8_t b[8];
	cove_put_le64(b, raw);
	if (p == COVE_SNP_TURIN) {
		t.fmc = b[0];
		t.bootloader = b[1];
		t.tee = b[2];
		t.snp = b[3];
	} else {
		t.bootloader = b[0];
		t.tee = b[1];
		t.snp = b[6];
	}
	t.microcode = b[7];
	return t;
}

uint64_t cove_snp_tcb_encode(const cove_snp_tcb *t, cove_snp_product p)
{
	uint8_t b[8] = {0};
	if (p == COVE_SNP_TURIN) {
		b[0] = t->fmc;
		b[1] = t->bootloader;
		b[2] = t->tee;
		b[3] = t->snp;
	} else {
		b[0] = t->bootloader;
		b[1] = t->tee;
		b[6] = t->snp;
	}
	b[7] = t->microcode;
	return cove_le64(b);
}

static bool has_cpuid(uint32_t version)
{
	return version >= 3;
}

static bool has_mit(uint32_t version)
{
	return version >= 5;
}

static cove_err check_zero(const uint8_t *raw, size_t off, size_t len, const char *what, cove_error *e)
{
	for (size_t i = 0; i < len; i++) {
		if (raw[off + i])
			return cove_error_set(e, COVE_ERR_PARSE,
					      "report byte 0x%03zx (%s) is 0x%02x but must be zero", off + i, what,
					      raw[off + i]);
	}
	return COVE_OK;
}

cove_err cove_snp_report_parse(const void *data, size_t len, cove_snp_report *r, cove_error *e)
{
	const uint8_t *raw = data;
	cove_err rc;

	if (len != COVE_SNP_REPORT_SIZE)
		return cove_error_set(e, COVE_ERR_PARSE, "an SNP attestation report is %d bytes, got %zu",
				      COVE_SNP_REPORT_SIZE, len);
	memset(r, 0, sizeof(*r));
	memcpy(r->raw, raw, COVE_SNP_REPORT_SIZE);

	r->version = cove_le32(raw + SNP_OFF_VERSION);
	if (r->version < 2 || r->version > 5)
		return cove_error_set(e, COVE_ERR_PARSE, "report version %u is not supported (2 to 5 are)", r->version);
	r->guest_svn = cove_le32(raw + SNP_OFF_GUEST_SVN);
	r->policy = cove_le64(raw + SNP_OFF_POLICY);
	memcpy(r->family_id, raw + SNP_OFF_FAMILY_ID, 16);
	memcpy(r->image_id, raw + SNP_OFF_IMAGE_ID, 16);
	r->vmpl = cove_le32(raw + SNP_OFF_VMPL);
	r->signature_algo = cove_le32(raw + SNP_OFF_SIGNATURE_ALGO);
	r->current_tcb = cove_le64(raw + SNP_OFF_CURRENT_TCB);
	r->platform_info = cove_le64(raw + SNP_OFF_PLATFORM_INFO);
	r->signer_info = cove_le32(raw + SNP_OFF_SIGNER_INFO);
	r->author_key_en = r->signer_info & SNP_SIGNER_AUTHOR_KEY_EN;
	r->mask_chip_key = r->signer_info & SNP_SIGNER_MASK_CHIP_KEY;
	r->signing_key = (r->signer_info >> SNP_SIGNER_KEY_SHIFT) & SNP_SIGNER_KEY_MASK;
	memcpy(r->report_data, raw + SNP_OFF_REPORT_DATA, 64);
	memcpy(r->measurement, raw + SNP_OFF_MEASUREMENT, 48);
	memcpy(r->host_data, raw + SNP_OFF_HOST_DATA, 32);
	memcpy(r->id_key_digest, raw + SNP_OFF_ID_KEY_DIGEST, 48);
	memcpy(r->author_key_digest, raw + SNP_OFF_AUTHOR_KEY_DIGEST, 48);
	memcpy(r->report_id, raw + SNP_OFF_REPORT_ID, 32);
	memcpy(r->report_id_ma, raw + SNP_OFF_REPORT_ID_MA, 32);
	r->reported_tcb = cove_le64(raw + SNP_OFF_REPORTED_TCB);
	r->has_cpuid = has_cpuid(r->version);
	if (r->has_cpuid) {
		r->cpuid_fam_id = raw[SNP_OFF_CPUID_FAM_ID];
		r->cpuid_mod_id = raw[SNP_OFF_CPUID_MOD_ID];
		r->cpuid_step = raw[SNP_OFF_CPUID_STEP];
	}
	memcpy(r->chip_id, raw + SNP_OFF_CHIP_ID, 64);
	r->committed_tcb = cove_le64(raw + SNP_OFF_COMMITTED_TCB);
	r->current_build = raw[SNP_OFF_CURRENT_BUILD];
	r->current_minor = raw[SNP_OFF_CURRENT_MINOR];
	r->current_major = raw[SNP_OFF_CURRENT_MAJOR];
	r->committed_build = raw[SNP_OFF_COMMITTED_BUILD];
	r->committed_minor = raw[SNP_OFF_COMMITTED_MINOR];
	r->committed_major = raw[SNP_OFF_COMMITTED_MAJOR];
	r->launch_tcb = cove_le64(raw + SNP_OFF_LAUNCH_TCB);
	r->has_mit_vectors = has_mit(r->version);
	if (r->has_mit_vectors) {
		r->launch_mit_vector = cove_le64(raw + SNP_OFF_LAUNCH_MIT_VECTOR);
		r->current_mit_vector = cove_le64(raw + SNP_OFF_CURRENT_MIT_VECTOR);
	}
	memcpy(r->signature_r, raw + SNP_OFF_SIG_R, SNP_SIG_COMPONENT);
	memcpy(r->signature_s, raw + SNP_OFF_SIG_S, SNP_SIG_COMPONENT);

	/* Reserved (MBZ) regions, which differ by version. */
	if ((rc = check_zero(raw, SNP_OFF_RESERVED0, 4, "reserved", e)))
		return rc;
	size_t res1 = r->has_cpuid ? SNP_OFF_RESERVED1 : SNP_OFF_CPUID_FAM_ID;
	if ((rc = check_zero(raw, res1, SNP_OFF_CHIP_ID - res1, "reserved", e)) ||
	    (rc = check_zero(raw, SNP_OFF_RESERVED2, 1, "reserved", e)) ||
	    (rc = check_zero(raw, SNP_OFF_RESERVED3, 1, "reserved", e)))
		return rc;
	size_t res4 = r->has_mit_vectors ? SNP_OFF_RESERVED4 : SNP_OFF_LAUNCH_MIT_VECTOR;
	if ((rc = check_zero(raw, res4, SNP_OFF_SIGNATURE - res4, "reserved", e)) ||
	    (rc = check_zero(raw, SNP_OFF_SIG_RESERVED, SNP_REPORT_END - SNP_OFF_SIG_RESERVED,
			     "reserved part of the signature", e)))
		return rc;

	if (r->signer_info >> 5)
		return cove_error_set(e, COVE_ERR_PARSE, "signer info 0x%08x has reserved bits 31:5 set", r->signer_info);
	if (r->signing_key != COVE_SNP_KEY_VCEK && r->signing_key != COVE_SNP_KEY_VLEK &&
	    r->signing_key != COVE_SNP_KEY_NONE)
		return cove_error_set(e, COVE_ERR_PARSE, "SIGNING_KEY %u is reserved (0 VCEK, 1 VLEK, 7 none)",
				      r->signing_key);
	if (r->policy & ~COVE_SNP_POLICY_KNOWN_MASK)
		return cove_error_set(e, COVE_ERR_PARSE, "guest policy 0x%016llx has reserved bits 63:26 set",
				      (unsigned long long)r->policy);
	if (!(r->policy & COVE_SNP_POLICY_RESERVED1))
		return cove_error_set(e, COVE_ERR_PARSE, "guest policy 0x%016llx: bit 17 is reserved and must be 1",
				      (unsigned long long)r->policy);
	if (r->vmpl > 3)
		return cove_error_set(e, COVE_ERR_PARSE, "VMPL %u is out of range (0 to 3)", r->vmpl);
	if (r->signature_algo != SNP_SIG_ALGO_ECDSA_P384_SHA384)
		return cove_error_set(e, COVE_ERR_PARSE,
				      "signature algorithm %u is not supported (1 = ECDSA P-384 with SHA-384)",
				      r->signature_algo);
	return COVE_OK;
}

cove_err cove_snp_report_encode(const cove_snp_report *r, uint8_t out[COVE_SNP_REPORT_SIZE], cove_error *e)
{
	if (r->version < 2 || r->version > 5)
		return cove_error_set(e, COVE_ERR_ARG, "cannot encode report version %u", r->version);
	memset(out, 0, COVE_SNP_REPORT_SIZE);
	uint32_t signer = (r->author_key_en ? SNP_SIGNER_AUTHOR_KEY_EN : 0) |
			  (r->mask_chip_key ? SNP_SIGNER_MASK_CHIP_KEY : 0) |
			  (r->signing_key & SNP_SIGNER_KEY_MASK) << SNP_SIGNER_KEY_SHIFT;
	cove_put_le32(out + SNP_OFF_VERSION, r->version);
	cove_put_le32(out + SNP_OFF_GUEST_SVN, r->guest_svn);
	cove_put_le64(out + SNP_OFF_POLICY, r->policy);
	memcpy(out + SNP_OFF_FAMILY_ID, r->family_id, 16);
	memcpy(out + SNP_OFF_IMAGE_ID, r->image_id, 16);
	cove_put_le32(out + SNP_OFF_VMPL, r->vmpl);
	cove_put_le32(out + SNP_OFF_SIGNATURE_ALGO, r->signature_algo);
	cove_put_le64(out + SNP_OFF_CURRENT_TCB, r->current_tcb);
	cove_put_le64(out + SNP_OFF_PLATFORM_INFO, r->platform_info);
	cove_put_le32(out + SNP_OFF_SIGNER_INFO, signer);
	memcpy(out + SNP_OFF_REPORT_DATA, r->report_data, 64);
	memcpy(out + SNP_OFF_MEASUREMENT, r->measurement, 48);
	memcpy(out + SNP_OFF_HOST_DATA, r->host_data, 32);
	memcpy(out + SNP_OFF_ID_KEY_DIGEST, r->id_key_digest, 48);
	memcpy(out + SNP_OFF_AUTHOR_KEY_DIGEST, r->author_key_digest, 48);
	memcpy(out + SNP_OFF_REPORT_ID, r->report_id, 32);
	memcpy(out + SNP_OFF_REPORT_ID_MA, r->report_id_ma, 32);
	cove_put_le64(out + SNP_OFF_REPORTED_TCB, r->reported_tcb);
	if (has_cpuid(r->version)) {
		out[SNP_OFF_CPUID_FAM_ID] = r->cpuid_fam_id;
		out[SNP_OFF_CPUID_MOD_ID] = r->cpuid_mod_id;
		out[SNP_OFF_CPUID_STEP] = r->cpuid_step;
	}
	memcpy(out + SNP_OFF_CHIP_ID, r->chip_id, 64);
	cove_put_le64(out + SNP_OFF_COMMITTED_TCB, r->committed_tcb);
	out[SNP_OFF_CURRENT_BUILD] = r->current_build;
	out[SNP_OFF_CURRENT_MINOR] = r->current_minor;
	out[SNP_OFF_CURRENT_MAJOR] = r->current_major;
	out[SNP_OFF_COMMITTED_BUILD] = r->committed_build;
	out[SNP_OFF_COMMITTED_MINOR] = r->committed_minor;
	out[SNP_OFF_COMMITTED_MAJOR] = r->committed_major;
	cove_put_le64(out + SNP_OFF_LAUNCH_TCB, r->launch_tcb);
	if (has_mit(r->version)) {
		cove_put_le64(out + SNP_OFF_LAUNCH_MIT_VECTOR, r->launch_mit_vector);
		cove_put_le64(out + SNP_OFF_CURRENT_MIT_VECTOR, r->current_mit_vector);
	}
	memcpy(out + SNP_OFF_SIG_R, r->signature_r, SNP_SIG_COMPONENT);
	memcpy(out + SNP_OFF_SIG_S, r->signature_s, SNP_SIG_COMPONENT);
	return COVE_OK;
}

/* Family/model to product: virtee/sev src/lib.rs identify_cpu. */
cove_snp_product cove_snp_report_product(const cove_snp_report *r)
{
	if (!r->has_cpuid)
		return COVE_SNP_PRODUCT_UNKNOWN;
	uint8_t fam = r->cpuid_fam_id, mod = r->cpuid_mod_id;
	if (fam == 0x19) {
		if (mod <= 0x0F)
			return COVE_SNP_MILAN;
		if ((mod >= 0x10 && mod <= 0x1F) || (mod >= 0xA0 && mod <= 0xAF))
			return COVE_SNP_GENOA;
	} else if (fam == 0x1A && mod <= 0x11) {
		return COVE_SNP_TURIN;
	}
	return COVE_SNP_PRODUCT_UNKNOWN;
}

static json_t *hexj(const void *p, size_t n)
{
	char buf[2 * 72 + 1];
	if (n > 72)
		return NULL;
	cove_hex_write(buf, p, n);
	return json_string(buf);
}

static json_t *tcb_json(uint64_t raw, cove_snp_product p)
{
	cove_snp_tcb t = cove_snp_tcb_decode(raw, p);
	char hex[19];
	snprintf(hex, sizeof(hex), "0x%016llx", (unsigned long long)raw);
	json_t *j = json_pack("{s:s, s:i, s:i, s:i, s:i}", "raw", hex, "bootloader", t.bootloader, "tee", t.tee, "snp",
			      t.snp, "microcode", t.microcode);
	if (p == COVE_SNP_TURIN)
		json_object_set_new(j, "fmc", json_integer(t.fmc));
	return j;
}

static json_t *policy_json(uint64_t pol)
{
	char hex[19];
	snprintf(hex, sizeof(hex), "0x%llx", (unsigned long long)pol);
	return json_pack("{s:s, s:i, s:i, s:b, s:b, s:b, s:b, s:b, s:b, s:b, s:b, s:b}", "raw", hex, "abi_minor",
			 (int)(pol & 0xFF), "abi_major", (int)((pol >> 8) & 0xFF), "smt_allowed",
			 !!(pol & COVE_SNP_POLICY_SMT), "migrate_ma", !!(pol & COVE_SNP_POLICY_MIGRATE_MA), "debug",
			 !!(pol & COVE_SNP_POLICY_DEBUG), "single_socket", !!(pol & COVE_SNP_POLICY_SINGLE_SOCKET),
			 "cxl_allowed", !!(pol & COVE_SNP_POLICY_CXL_ALLOW), "mem_aes_256_xts",
			 !!(pol & COVE_SNP_POLICY_MEM_AES_256_XTS), "rapl_disabled", !!(pol & COVE_SNP_POLICY_RAPL_DIS),
			 "ciphertext_hiding", !!(pol & COVE_SNP_POLICY_CIPHERTEXT_HIDING), "page_swap_disabled",
			 !!(pol & COVE_SNP_POLICY_PAGE_SWAP_DISABLE));
}

static json_t *platform_json(uint64_t pi)
{
	char hex[19];
	snprintf(hex, sizeof(hex), "0x%llx", (unsigned long long)pi);
	return json_pack("{s:s, s:b, s:b, s:b, s:b, s:b, s:b, s:b}", "raw", hex, "smt_enabled",
			 !!(pi & COVE_SNP_PLATFORM_SMT_EN), "tsme_enabled", !!(pi & COVE_SNP_PLATFORM_TSME_EN),
			 "ecc_enabled", !!(pi & COVE_SNP_PLATFORM_ECC_EN), "rapl_disabled",
			 !!(pi & COVE_SNP_PLATFORM_RAPL_DIS), "ciphertext_hiding_enabled",
			 !!(pi & COVE_SNP_PLATFORM_CIPHERTEXT_HIDING_EN), "alias_check_complete",
			 !!(pi & COVE_SNP_PLATFORM_ALIAS_CHECK_COMPLETE), "sev_tio_enabled",
			 !!(pi & COVE_SNP_PLATFORM_SEV_TIO_EN));
}

static const char *key_name(uint32_t k)
{
	return k == COVE_SNP_KEY_VCEK ? "VCEK" : k == COVE_SNP_KEY_VLEK ? "VLEK" : "none";
}

json_t *cove_snp_report_to_json(const cove_snp_report *r, cove_snp_product p)
{
	char ver[16];
	json_t *j = json_object();
	json_object_set_new(j, "version", json_integer(r->version));
	json_object_set_new(j, "product", json_string(cove_snp_product_name(p)));
	json_object_set_new(j, "guest_svn", json_integer(r->guest_svn));
	json_object_set_new(j, "policy", policy_json(r->policy));
	json_object_set_new(j, "family_id", hexj(r->family_id, 16));
	json_object_set_new(j, "image_id", hexj(r->image_id, 16));
	json_object_set_new(j, "vmpl", json_integer(r->vmpl));
	json_object_set_new(j, "signature_algo", json_integer(r->signature_algo));
	json_object_set_new(j, "current_tcb", tcb_json(r->current_tcb, p));
	json_object_set_new(j, "platform_info", platform_json(r->platform_info));
	json_object_set_new(j, "signer_info", json_pack("{s:b, s:b, s:s}", "author_key_en", r->author_key_en,
							"mask_chip_key", r->mask_chip_key, "signing_key",
							key_name(r->signing_key)));
	json_object_set_new(j, "report_data", hexj(r->report_data, 64));
	json_object_set_new(j, "measurement", hexj(r->measurement, 48));
	json_object_set_new(j, "host_data", hexj(r->host_data, 32));
	json_object_set_new(j, "id_key_digest", hexj(r->id_key_digest, 48));
	json_object_set_new(j, "author_key_digest", hexj(r->author_key_digest, 48));
	json_object_set_new(j, "report_id", hexj(r->report_id, 32));
	json_object_set_new(j, "report_id_ma", hexj(r->report_id_ma, 32));
	json_object_set_new(j, "reported_tcb", tcb_json(r->reported_tcb, p));
	if (r->has_cpuid) {
		json_object_set_new(j, "cpuid", json_pack("{s:i, s:i, s:i}", "family", r->cpuid_fam_id, "model",
							  r->cpuid_mod_id, "stepping", r->cpuid_step));
	}
	json_object_set_new(j, "chip_id", hexj(r->chip_id, 64));
	json_object_set_new(j, "committed_tcb", tcb_json(r->committed_tcb, p));
	snprintf(ver, sizeof(ver), "%u.%u.%u", r->current_major, r->current_minor, r->current_build);
	json_object_set_new(j, "current_version", json_string(ver));
	snprintf(ver, sizeof(ver), "%u.%u.%u", r->committed_major, r->committed_minor, r->committed_build);
	json_object_set_new(j, "committed_version", json_string(ver));
	json_object_set_new(j, "launch_tcb", tcb_json(r->launch_tcb, p));
	if (r->has_mit_vectors) {
		char hex[19];
		snprintf(hex, sizeof(hex), "0x%llx", (unsigned long long)r->launch_mit_vector);
		json_object_set_new(j, "launch_mit_vector", json_string(hex));
		snprintf(hex, sizeof(hex), "0x%llx", (unsigned long long)r->current_mit_vector);
		json_object_set_new(j, "current_mit_vector", json_string(hex));
	}
	json_object_set_new(j, "signature", json_pack("{s:o, s:o}", "r", hexj(r->signature_r, 72), "s",
						      hexj(r->signature_s, 72)));
	return j;
}
