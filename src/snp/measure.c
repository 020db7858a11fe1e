/*
 * The SEV-SNP launch digest (MEASUREMENT) and the SEV / SEV-ES launch digests,
 * recomputed from what the VMM loads into the guest.
 *
 * SNP (AMD 56860 "SNP_LAUNCH_UPDATE", PAGE_INFO): the digest starts at 48
 * zero bytes and every page added at launch replaces it by SHA-384 of a
 * 0x70-byte PAGE_INFO holding the previous digest, the page's contents hash
 * (zero for ZERO/SECRETS/CPUID/UNMEASURED pages), its type and GPA.  The order
 * is the one QEMU uses for OVMF (as reproduced by virtee/sev-snp-measure
 * guest.py and gctx.py): every firmware page as NORMAL at 4 GiB - size +
 * offset, then the SEV metadata sections in table order, then one VMSA per
 * vCPU.  EC2 adds the CPUID page after all other sections; GCE leaves the
 * SNP_SEC_MEM pages UNMEASURED.
 *
 * SEV and SEV-ES: SHA-256 over the firmware, the kernel-hashes table when
 * booting a kernel directly, and (SEV-ES) every VMSA page.
 *
 * The kernel-hashes table must equal QEMU's byte for byte
 * (target/i386/sev.c; sev-snp-measure sev_hashes.py): a header GUID and
 * length, then cmdline, initrd and kernel entries {GUID, u16 50, SHA-256},
 * padded to 16 bytes.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cove/bytes.h"
#include "cove/crypto.h"
#include "cove/snp_measure.h"
#include "snp/measure_layout.h"

#define PAGE_MASK 0xFFFu
#define BSP_EIP 0xFFFFFFF0u
#define FOUR_GIB 0x100000000ULL

/* ---- Kernel hashes table ---- */

static const uint8_t guid_hashes_header[16] =
	COVE_EFI_GUID(0x9438d606, 0x4f22, 0x4cc9, 0xb4, 0x79, 0xa7, 0x93, 0xd4, 0x11, 0xfd, 0x21);
static const uint8_t guid_hashes_cmdline[16] =
	COVE_EFI_GUID(0x97d02dd8, 0xbd20, 0x4c94, 0xaa, 0x78, 0xe7, 0x71, 0x4d, 0x36, 0xab, 0x2a);
static const uint8_t guid_hashes_initrd[16] =
	COVE_EFI_GUID(0x44baf731, 0x3a2f, 0x4bd7, 0x9a, 0xf1, 0x41, 0xe2, 0x91, 0x69, 0x78, 0x1d);
static const uint8_t guid_hashes_kernel[16] =
	COVE_EFI_GUID(0x4de79437, 0xabd2, 0x427f, 0xb8, 0x35, 0xd5, 0xb1, 0x72, 0xd2, 0x04, 0x5b);

#define HT_HDR_LEN 18                     /* GUID + u16 length */
#define HT_ENTRY_LEN (16 + 2 + 32)        /* GUID + u16 length + SHA-256 */
#define HT_LEN (HT_HDR_LEN + 3 * HT_ENTRY_LEN) /* 168, the length QEMU records */
_Static_assert(((HT_LEN + 15) & ~15) == COVE_SNP_HASHES_TABLE_LEN, "hashes table padding");

void cove_snp_kernel_hashes_encode(const cove_snp_kernel_hashes *h, uint8_t out[COVE_SNP_HASHES_TABLE_LEN])
{
	const uint8_t *guids[3] = {guid_hashes_cmdline, guid_hashes_initrd, guid_hashes_kernel};
	const uint8_t *hashes[3] = {h->cmdline, h->initrd, h->kernel};
	memset(out, 0, COVE_SNP_HASHES_TABLE_LEN);
	memcpy(out, guid_hashes_header, 16);
	cove_put_le16(out + 16, HT_LEN);
	for (size_t i = 0; i < 3; i++) {
		uint8_t *en = out + HT_HDR_LEN + i * HT_ENTRY_LEN;
		memcpy(en, guids[i], 16);
		cove_put_le16(en + 16, HT_ENTRY_LEN);
		memcpy(en + 18, hashes[i], 32);
	}
}

/* QEMU hashes the command line with its terminating NUL; no command line is a lone NUL. */
static cove_err hash_cmdline(const char *append, uint8_t out[32], cove_error *e)
{
	if (!append || !*append)
		return cove_digest(COVE_SHA256, "", 1, out, e);
	return cove_digest(COVE_SHA256, append, strlen(append) + 1, out, e);
}

cove_err cove_snp_kernel_hashes_compute(const void *kernel, size_t kernel_len, const void *initrd, size_t initrd_len,
					const char *append, cove_snp_kernel_hashes *out, cove_error *e)
{
	cove_err rc;
	if ((!kernel && kernel_len) || (!initrd && initrd_len))
		return cove_error_set(e, COVE_ERR_ARG, "kernel hashes: NULL data with a non-zero length");
	if ((rc = cove_digest(COVE_SHA256, kernel ? kernel : "", kernel_len, out->kernel, e)) ||
	    (rc = cove_digest(COVE_SHA256, initrd ? initrd : "", initrd ? initrd_len : 0, out->initrd, e)))
		return rc;
	return hash_cmdline(append, out->cmdline, e);
}

static cove_err hash_file(const char *what, const char *path, uint8_t out[32], cove_error *e)
{
	cove_hash_ctx *h = NULL;
	cove_err rc = cove_hash_ctx_new(COVE_SHA256, &h, e);
	if (rc)
		return rc;
	FILE *f = fopen(path, "rb");
	if (!f) {
		rc = cove_error_set(e, COVE_ERR_IO, "cannot open %s %s", what, path);
		goto out;
	}
	uint8_t buf[1 << 16];
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
		if ((rc = cove_hash_ctx_update(h, buf, n, e)))
			goto out;
	}
	if (ferror(f)) {
		rc = cove_error_set(e, COVE_ERR_IO, "cannot read %s %s", what, path);
		goto out;
	}
	rc = cove_hash_ctx_final(h, out, e);
out:
	if (f)
		fclose(f);
	cove_hash_ctx_free(h);
	return rc;
}

cove_err cove_snp_kernel_hashes_read(const char *kernel_path, const char *initrd_path, const char *append,
				     cove_snp_kernel_hashes *out, cove_error *e)
{
	cove_err rc;
	if (!kernel_path)
		return cove_error_set(e, COVE_ERR_ARG, "kernel hashes: no kernel file given");
	if ((rc = hash_file("kernel", kernel_path, out->kernel, e)))
		return rc;
	if (initrd_path)
		rc = hash_file("initrd", initrd_path, out->initrd, e);
	else
		rc = cove_digest(COVE_SHA256, "", 0, out->initrd, e);
	if (rc)
		return rc;
	return hash_cmdline(append, out->cmdline, e);
}

/* ---- Modes and options ---- */

const char *cove_snp_measure_mode_name(cove_snp_measure_mode m)
{
	switch (m) {
	case COVE_SNP_MODE_SNP: return "snp";
	case COVE_SNP_MODE_SNP_OVMF_HASH: return "snp:ovmf-hash";
	case COVE_SNP_MODE_SEV_ES: return "seves";
	case COVE_SNP_MODE_SEV: return "sev";
	default: return "unknown";
	}
}

cove_err cove_snp_measure_mode_parse(const char *name, cove_snp_measure_mode *out, cove_error *e)
{
	static const cove_snp_measure_mode all[] = {COVE_SNP_MODE_SNP, COVE_SNP_MODE_SNP_OVMF_HASH,
						     COVE_SNP_MODE_SEV_ES, COVE_SNP_MODE_SEV};
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		if (strcasecmp(name, cove_snp_measure_mode_name(all[i])) == 0) {
			*out = all[i];
			return COVE_OK;
		}
	}
	return cove_error_set(e, COVE_ERR_ARG, "unknown mode '%s' (expected snp, snp:ovmf-hash, seves or sev)", name);
}

void cove_snp_measure_opts_init(cove_snp_measure_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->mode = COVE_SNP_MODE_SNP;
	o->vmm = COVE_SNP_VMM_QEMU;
	o->guest_features = 0x1;
}

/* ---- The SNP launch digest chain ---- */

typedef struct ld_chain {
	cove_hash_ctx *h; /* SHA-384, reused for page contents and PAGE_INFO */
	uint8_t ld[COVE_SNP_LD_LEN];
	uint8_t info[PAGE_INFO_LEN];
} ld_chain;

static const uint8_t zero_contents[COVE_SNP_LD_LEN];

static cove_err ld_update(ld_chain *c, uint8_t page_type, uint64_t gpa, const uint8_t contents[COVE_SNP_LD_LEN],
			  cove_error *e)
{
	uint8_t *p = c->info;
	memset(p, 0, PAGE_INFO_LEN);
	memcpy(p + PAGE_INFO_OFF_DIGEST_CUR, c->ld, COVE_SNP_LD_LEN);
	memcpy(p + PAGE_INFO_OFF_CONTENTS, contents, COVE_SNP_LD_LEN);
	cove_put_le16(p + PAGE_INFO_OFF_LENGTH, PAGE_INFO_LEN);
	p[PAGE_INFO_OFF_PAGE_TYPE] = page_type;
	/* IMI_PAGE, VMPL3..1 permissions and the reserved byte stay zero. */
	cove_put_le64(p + PAGE_INFO_OFF_GPA, gpa);
	cove_err rc = cove_hash_ctx_update(c->h, p, PAGE_INFO_LEN, e);
	return rc ? rc : cove_hash_ctx_final(c->h, c->ld, e);
}

static cove_err ld_normal_pages(ld_chain *c, uint64_t gpa, const uint8_t *data, size_t len, cove_error *e)
{
	uint8_t contents[COVE_SNP_LD_LEN];
	for (size_t off = 0; off < len; off += COVE_SNP_PAGE_SIZE) {
		cove_err rc = cove_hash_ctx_update(c->h, data + off, COVE_SNP_PAGE_SIZE, e);
		if (!rc)
			rc = cove_hash_ctx_final(c->h, contents, e);
		if (!rc)
			rc = ld_update(c, PAGE_TYPE_NORMAL, gpa + off, contents, e);
		if (rc)
			return rc;
	}
	return COVE_OK;
}

static cove_err ld_empty_pages(ld_chain *c, uint8_t page_type, uint64_t gpa, uint64_t len, cove_error *e)
{
	for (uint64_t off = 0; off < len; off += COVE_SNP_PAGE_SIZE) {
		cove_err rc = ld_update(c, page_type, gpa + off, zero_contents, e);
		if (rc)
			return rc;
	}
	return COVE_OK;
}

static cove_err ld_vmsa_page(ld_chain *c, const uint8_t page[COVE_SNP_VMSA_SIZE], cove_error *e)
{
	uint8_t contents[COVE_SNP_LD_LEN];
	cove_err rc = cove_hash_ctx_update(c->h, page, COVE_SNP_VMSA_SIZE, e);
	if (!rc)
		rc = cove_hash_ctx_final(c->h, contents, e);
	return rc ? rc : ld_update(c, PAGE_TYPE_VMSA, VMSA_GPA, contents, e);
}

/* ---- Validation shared by the modes ---- */

static cove_err check_vcpus(const cove_snp_measure_opts *o, const cove_snp_ovmf *ovmf, cove_error *e)
{
	if (o->vcpus < 1 || o->vcpus > COVE_SNP_MAX_VCPUS)
		return cove_error_set(e, COVE_ERR_ARG, "vCPU count %u out of range 1..%d", o->vcpus, COVE_SNP_MAX_VCPUS);
	if (o->vmm > COVE_SNP_VMM_GCE)
		return cove_error_set(e, COVE_ERR_ARG, "unknown VMM type %d", (int)o->vmm);
	if (o->vmm == COVE_SNP_VMM_QEMU && o->vcpu_sig == 0)
		return cove_error_set(e, COVE_ERR_ARG,
				      "QEMU loads the vCPU signature into RDX of every VMSA: a vCPU type (or family, model "
				      "and stepping) is required");
	if (!ovmf->has_reset_eip)
		return cove_error_set(e, COVE_ERR_UNSUPPORTED,
				      "OVMF image has no SEV-ES reset block (footer table entry 00f771de-1a7e-4fcb-890e-"
				      "68c77e2fb44e): the start address of the application processors is unknown");
	if (o->vcpus > 1 && ovmf->reset_eip == 0)
		return cove_error_set(e, COVE_ERR_UNSUPPORTED,
				      "OVMF image's SEV-ES reset block gives EIP 0: it cannot start %u vCPUs", o->vcpus);
	return COVE_OK;
}

/* Produce the VMSA pages in launch order, handing each to `fn` (and to the caller's callback). */
typedef cove_err (*vmsa_sink)(void *ctx, const uint8_t *page, cove_error *e);

static cove_err emit_vmsas(const cove_snp_measure_opts *o, const cove_snp_ovmf *ovmf, uint64_t features,
			   vmsa_sink sink, void *ctx, cove_error *e)
{
	uint8_t bsp[COVE_SNP_VMSA_SIZE], ap[COVE_SNP_VMSA_SIZE];
	cove_snp_vmsa_encode(o->vmm, BSP_EIP, features, o->vcpu_sig, bsp);
	if (o->vcpus > 1)
		cove_snp_vmsa_encode(o->vmm, ovmf->reset_eip, features, o->vcpu_sig, ap);
	for (unsigned i = 0; i < o->vcpus; i++) {
		const uint8_t *page = i == 0 ? bsp : ap;
		cove_err rc = sink(ctx, page, e);
		if (!rc && o->vmsa_cb)
			rc = o->vmsa_cb(o->vmsa_ctx, i, page, e);
		if (rc)
			return rc;
	}
	return COVE_OK;
}

static cove_err sink_ld(void *ctx, const uint8_t *page, cove_error *e)
{
	return ld_vmsa_page(ctx, page, e);
}

static cove_err sink_sha256(void *ctx, const uint8_t *page, cove_error *e)
{
	return cove_hash_ctx_update(ctx, page, COVE_SNP_VMSA_SIZE, e);
}

static cove_err require_hash_table(const cove_snp_ovmf *ovmf, cove_error *e)
{
	if (!ovmf->has_hash_table || ovmf->hash_table_gpa == 0)
		return cove_error_set(e, COVE_ERR_UNSUPPORTED,
				      "a kernel was given but the OVMF image has no SEV hash table (footer table entry "
				      "7255371f-3a3b-4b04-927b-1da6efa8d454 %s): it cannot measure kernel, initrd and "
				      "command line",
				      ovmf->has_hash_table ? "gives GPA 0" : "is missing");
	return COVE_OK;
}

/*
 * Check every SEV metadata section before hashing anything, so that a bad
 * image fails fast and with the section named.
 */
static cove_err check_sections(const cove_snp_measure_opts *o, const cove_snp_ovmf *ovmf, cove_error *e)
{
	for (size_t i = 0; i < ovmf->nsections; i++) {
		const cove_snp_ovmf_section *s = &ovmf->sections[i];
		const char *name = cove_snp_section_type_name(s->type);
		if (strcmp(name, "unknown") == 0)
			return cove_error_set(e, COVE_ERR_UNSUPPORTED,
					      "SEV metadata section %zu (GPA 0x%x) has unknown type 0x%x: how the VMM "
					      "populates it is not known",
					      i, s->gpa, s->type);
		if (s->gpa & PAGE_MASK)
			return cove_error_set(e, COVE_ERR_PARSE,
					      "SEV metadata section %zu (%s): GPA 0x%x is not page-aligned", i, name, s->gpa);
		if ((uint64_t)s->gpa + s->size > FOUR_GIB)
			return cove_error_set(e, COVE_ERR_PARSE,
					      "SEV metadata section %zu (%s): GPA 0x%x + size 0x%x ends above 4 GiB", i, name,
					      s->gpa, s->size);
		bool ranged = s->type == COVE_SNP_SECTION_SEC_MEM || s->type == COVE_SNP_SECTION_SVSM_CAA ||
			      s->type == COVE_SNP_SECTION_KERNEL_HASHES;
		if (ranged && (s->size & PAGE_MASK))
			return cove_error_set(e, COVE_ERR_PARSE,
					      "SEV metadata section %zu (%s): size 0x%x is not a multiple of 4 KiB", i, name,
					      s->size);
		if (s->type == COVE_SNP_SECTION_KERNEL_HASHES && o->kernel_hashes) {
			if (s->size != COVE_SNP_PAGE_SIZE)
				return cove_error_set(e, COVE_ERR_PARSE,
						      "SEV metadata section %zu (SNP_KERNEL_HASHES): size 0x%x, the hashes "
						      "page must be exactly 4 KiB",
						      i, s->size);
			cove_err rc = require_hash_table(ovmf, e);
			if (rc)
				return rc;
			uint32_t page = ovmf->hash_table_gpa & ~PAGE_MASK;
			uint32_t in_page = ovmf->hash_table_gpa & PAGE_MASK;
			if (page != s->gpa)
				return cove_error_set(e, COVE_ERR_PARSE,
						      "SEV hash table GPA 0x%x lies outside the SNP_KERNEL_HASHES page at "
						      "0x%x",
						      ovmf->hash_table_gpa, s->gpa);
			if (in_page + COVE_SNP_HASHES_TABLE_LEN > COVE_SNP_PAGE_SIZE)
				return cove_error_set(e, COVE_ERR_PARSE,
						      "SEV hash table GPA 0x%x: the %d-byte table would cross the end of "
						      "its page",
						      ovmf->hash_table_gpa, COVE_SNP_HASHES_TABLE_LEN);
		}
	}
	if (o->kernel_hashes && !cove_snp_ovmf_has_section(ovmf, COVE_SNP_SECTION_KERNEL_HASHES))
		return cove_error_set(e, COVE_ERR_UNSUPPORTED,
				      "a kernel was given but the OVMF SEV metadata has no SNP_KERNEL_HASHES section: "
				      "this firmware cannot do measured direct boot (an OvmfPkg/AmdSev build can)");
	return COVE_OK;
}

static cove_err measure_sections(const cove_snp_measure_opts *o, const cove_snp_ovmf *ovmf, ld_chain *c,
				 cove_error *e)
{
	cove_err rc = COVE_OK;
	for (size_t i = 0; i < ovmf->nsections && !rc; i++) {
		const cove_snp_ovmf_section *s = &ovmf->sections[i];
		switch (s->type) {
		case COVE_SNP_SECTION_SEC_MEM:
			rc = ld_empty_pages(c, o->vmm == COVE_SNP_VMM_GCE ? PAGE_TYPE_UNMEASURED : PAGE_TYPE_ZERO,
					    s->gpa, s->size, e);
			break;
		case COVE_SNP_SECTION_SECRETS:
			rc = ld_update(c, PAGE_TYPE_SECRETS, s->gpa, zero_contents, e);
			break;
		case COVE_SNP_SECTION_CPUID:
			if (o->vmm != COVE_SNP_VMM_EC2) /* EC2 adds the CPUID page last */
				rc = ld_update(c, PAGE_TYPE_CPUID, s->gpa, zero_contents, e);
			break;
		case COVE_SNP_SECTION_SVSM_CAA:
			rc = ld_empty_pages(c, PAGE_TYPE_ZERO, s->gpa, s->size, e);
			break;
		case COVE_SNP_SECTION_KERNEL_HASHES:
			if (o->kernel_hashes) {
				uint8_t page[COVE_SNP_PAGE_SIZE] = {0};
				cove_snp_kernel_hashes_encode(o->kernel_hashes, page + (ovmf->hash_table_gpa & PAGE_MASK));
				rc = ld_normal_pages(c, s->gpa, page, sizeof(page), e);
			} else {
				rc = ld_empty_pages(c, PAGE_TYPE_ZERO, s->gpa, s->size, e);
			}
			break;
		default: /* refused by check_sections */
			rc = cove_error_set(e, COVE_ERR_INTERNAL, "unchecked section type 0x%x", s->type);
		}
	}
	if (o->vmm == COVE_SNP_VMM_EC2) {
		for (size_t i = 0; i < ovmf->nsections && !rc; i++)
			if (ovmf->sections[i].type == COVE_SNP_SECTION_CPUID)
				rc = ld_update(c, PAGE_TYPE_CPUID, ovmf->sections[i].gpa, zero_contents, e);
	}
	return rc;
}

static cove_err measure_snp(const cove_snp_measure_opts *o, const cove_snp_ovmf *ovmf, uint8_t *digest,
			    cove_error *e)
{
	cove_err rc;
	bool full = o->mode == COVE_SNP_MODE_SNP;
	if (!ovmf->has_metadata)
		return cove_error_set(e, COVE_ERR_UNSUPPORTED,
				      "OVMF image has no SEV metadata (footer table entry dc886566-984a-4798-a75e-"
				      "5585a7bf67cc%s): QEMU cannot launch an SEV-SNP guest with it, so no MEASUREMENT "
				      "exists; use an SEV-capable build such as Debian's OVMF_CODE.fd or OvmfPkg/AmdSev",
				      ovmf->has_footer ? "" : "; the image has no footer table at all");
	if (ovmf->len % COVE_SNP_PAGE_SIZE)
		return cove_error_set(e, COVE_ERR_PARSE, "OVMF image size %zu is not a multiple of 4 KiB", ovmf->len);
	if (full) {
		if ((rc = check_sections(o, ovmf, e)) || (rc = check_vcpus(o, ovmf, e)))
			return rc;
		if (!(o->guest_features & 0x1))
			return cove_error_set(e, COVE_ERR_ARG,
					      "guest features 0x%llx lack bit 0 (SNPActive), which every SEV-SNP VMSA "
					      "has",
					      (unsigned long long)o->guest_features);
	}

	ld_chain c = {0};
	if ((rc = cove_hash_ctx_new(COVE_SHA384, &c.h, e)))
		return rc;
	if (o->ovmf_hash)
		memcpy(c.ld, o->ovmf_hash, COVE_SNP_LD_LEN); /* the caller's precomputed OVMF part */
	else if ((rc = ld_normal_pages(&c, ovmf->gpa, ovmf->data, ovmf->len, e)))
		goto out;
	if (full) {
		if ((rc = measure_sections(o, ovmf, &c, e)) ||
		    (rc = emit_vmsas(o, ovmf, o->guest_features, sink_ld, &c, e)))
			goto out;
	}
	memcpy(digest, c.ld, COVE_SNP_LD_LEN);
out:
	cove_hash_ctx_free(c.h);
	return rc;
}

static cove_err measure_sev(const cove_snp_measure_opts *o, const cove_snp_ovmf *ovmf, uint8_t *digest,
			    cove_error *e)
{
	cove_err rc;
	/* The firmware's inability to measure a kernel is reported first, as sev-snp-measure does. */
	if (o->kernel_hashes && (rc = require_hash_table(ovmf, e)))
		return rc;
	if (o->mode == COVE_SNP_MODE_SEV_ES && (rc = check_vcpus(o, ovmf, e)))
		return rc;
	cove_hash_ctx *h = NULL;
	if ((rc = cove_hash_ctx_new(COVE_SHA256, &h, e)))
		return rc;
	if ((rc = cove_hash_ctx_update(h, ovmf->data, ovmf->len, e)))
		goto out;
	if (o->kernel_hashes) {
		uint8_t table[COVE_SNP_HASHES_TABLE_LEN];
		cove_snp_kernel_hashes_encode(o->kernel_hashes, table);
		if ((rc = cove_hash_ctx_update(h, table, sizeof(table), e)))
			goto out;
	}
	/* SEV-ES VMSAs carry no SEV features. */
	if (o->mode == COVE_SNP_MODE_SEV_ES && (rc = emit_vmsas(o, ovmf, 0, sink_sha256, h, e)))
		goto out;
	rc = cove_hash_ctx_final(h, digest, e);
out:
	cove_hash_ctx_free(h);
	return rc;
}

cove_err cove_snp_measure(const cove_snp_measure_opts *o, uint8_t digest[COVE_SNP_LD_LEN], size_t *digest_len,
			  cove_error *e)
{
	if (!o || !digest || !digest_len)
		return cove_error_set(e, COVE_ERR_ARG, "cove_snp_measure: NULL argument");
	*digest_len = 0;
	if (!o->ovmf || o->ovmf_len == 0)
		return cove_error_set(e, COVE_ERR_ARG, "no OVMF image given");
	if (o->ovmf_len > COVE_SNP_OVMF_MAX_LEN)
		return cove_error_set(e, COVE_ERR_ARG, "OVMF image of %zu bytes is larger than the %zu-byte limit",
				      o->ovmf_len, COVE_SNP_OVMF_MAX_LEN);
	if (o->ovmf_hash && o->mode != COVE_SNP_MODE_SNP)
		return cove_error_set(e, COVE_ERR_ARG, "a precomputed OVMF hash only applies to mode snp, not %s",
				      cove_snp_measure_mode_name(o->mode));
	if (o->kernel_hashes && o->mode == COVE_SNP_MODE_SNP_OVMF_HASH)
		return cove_error_set(e, COVE_ERR_ARG,
				      "mode snp:ovmf-hash covers the firmware pages only: a kernel does not apply");

	cove_snp_ovmf ovmf;
	cove_err rc = cove_snp_ovmf_parse(o->ovmf, o->ovmf_len, &ovmf, e);
	if (rc)
		return rc;
	switch (o->mode) {
	case COVE_SNP_MODE_SNP:
	case COVE_SNP_MODE_SNP_OVMF_HASH:
		rc = measure_snp(o, &ovmf, digest, e);
		if (!rc)
			*digest_len = COVE_SNP_LD_LEN;
		return rc;
	case COVE_SNP_MODE_SEV_ES:
	case COVE_SNP_MODE_SEV:
		rc = measure_sev(o, &ovmf, digest, e);
		if (!rc)
			*digest_len = COVE_SNP_SEV_LD_LEN;
		return rc;
	default:
		return cove_error_set(e, COVE_ERR_ARG, "unknown measurement mode %d", (int)o->mode);
	}
}
