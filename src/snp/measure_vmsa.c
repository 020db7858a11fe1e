/*
 * Initial vCPU state for the launch measurement: the VMSA page of each vCPU,
 * the VMM-specific register defaults, and the vCPU signatures of QEMU's EPYC
 * CPU models.
 *
 * The VMSA is the SEV-ES save area (AMD APM vol. 2 table B-4; Linux struct
 * sev_es_save_area).  Which registers a VMM sets at reset, and to what, is
 * taken from virtee/sev-snp-measure vmsa.py (QEMU/KVM, AWS EC2 and Google
 * GCE); the CPUID signature encoding from AMD 25481 "CPUID Fn0000_0001_EAX"
 * and the model list from QEMU's builtin_x86_defs as mirrored in
 * sev-snp-measure vcpu_types.py.
 */
#include <string.h>
#include <strings.h>

#include "cove/bytes.h"
#include "cove/snp_measure.h"
#include "snp/measure_layout.h"

#define BSP_EIP 0xFFFFFFF0u

const char *cove_snp_vmm_name(cove_snp_vmm v)
{
	switch (v) {
	case COVE_SNP_VMM_QEMU: return "qemu";
	case COVE_SNP_VMM_EC2: return "ec2";
	case COVE_SNP_VMM_GCE: return "gce";
	default: return "unknown";
	}
}

cove_err cove_snp_vmm_parse(const char *name, cove_snp_vmm *out, cove_error *e)
{
	static const cove_snp_vmm all[] = {COVE_SNP_VMM_QEMU, COVE_SNP_VMM_EC2, COVE_SNP_VMM_GCE};
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		if (strcasecmp(name, cove_snp_vmm_name(all[i])) == 0) {
			*out = all[i];
			return COVE_OK;
		}
	}
	return cove_error_set(e, COVE_ERR_ARG, "unknown VMM type '%s' (expected qemu, ec2 or gce)", name);
}

cove_err cove_snp_vcpu_sig_encode(unsigned family, unsigned model, unsigned stepping, uint32_t *sig, cove_error *e)
{
	/* Families above 0xF are 0xF in the base field plus the rest in the 8-bit extended field. */
	if (family > 0xF + 0xFF || model > 0xFF || stepping > 0xF)
		return cove_error_set(e, COVE_ERR_ARG,
				      "vCPU family %u / model %u / stepping %u out of range (family <= 270, model <= 255, "
				      "stepping <= 15)",
				      family, model, stepping);
	uint32_t fam_lo = family > 0xF ? 0xF : family;
	uint32_t fam_hi = family > 0xF ? family - 0xF : 0;
	*sig = fam_hi << 20 | (model >> 4) << 16 | fam_lo << 8 | (model & 0xF) << 4 | stepping;
	return COVE_OK;
}

/* Family, model, stepping of QEMU's models, encoded as above. */
#define SIG(f, m, s) ((uint32_t)(((f) > 0xF ? (f) - 0xF : 0) << 20 | ((m) >> 4) << 16 | ((f) > 0xF ? 0xF : (f)) << 8 | \
				 ((m) & 0xF) << 4 | (s)))
static const cove_snp_vcpu_type vcpu_types[] = {
	{"EPYC", SIG(23, 1, 2)},          {"EPYC-v1", SIG(23, 1, 2)},       {"EPYC-v2", SIG(23, 1, 2)},
	{"EPYC-IBPB", SIG(23, 1, 2)},     {"EPYC-v3", SIG(23, 1, 2)},       {"EPYC-v4", SIG(23, 1, 2)},
	{"EPYC-Rome", SIG(23, 49, 0)},    {"EPYC-Rome-v1", SIG(23, 49, 0)}, {"EPYC-Rome-v2", SIG(23, 49, 0)},
	{"EPYC-Rome-v3", SIG(23, 49, 0)}, {"EPYC-Milan", SIG(25, 1, 1)},    {"EPYC-Milan-v1", SIG(25, 1, 1)},
	{"EPYC-Milan-v2", SIG(25, 1, 1)}, {"EPYC-Genoa", SIG(25, 17, 0)},   {"EPYC-Genoa-v1", SIG(25, 17, 0)},
	{"EPYC-Turin", SIG(26, 0, 0)},
};

const cove_snp_vcpu_type *cove_snp_vcpu_types(size_t *count)
{
	*count = sizeof(vcpu_types) / sizeof(vcpu_types[0]);
	return vcpu_types;
}

cove_err cove_snp_vcpu_sig_lookup(const char *name, uint32_t *sig, cove_error *e)
{
	for (size_t i = 0; i < sizeof(vcpu_types) / sizeof(vcpu_types[0]); i++) {
		if (strcasecmp(name, vcpu_types[i].name) == 0) {
			*sig = vcpu_types[i].sig;
			return COVE_OK;
		}
	}
	return cove_error_set(e, COVE_ERR_ARG,
			      "unknown vCPU type '%s' (known: EPYC, EPYC-v1..v4, EPYC-IBPB, EPYC-Rome[-v1..v3], "
			      "EPYC-Milan[-v1,-v2], EPYC-Genoa[-v1], EPYC-Turin; or give --vcpu-family/--vcpu-model/"
			      "--vcpu-stepping)",
			      name);
}

static void put_seg(uint8_t *page, size_t off, uint16_t selector, uint16_t attrib, uint32_t limit, uint64_t base)
{
	cove_put_le16(page + off + VMSA_SEG_OFF_SELECTOR, selector);
	cove_put_le16(page + off + VMSA_SEG_OFF_ATTRIB, attrib);
	cove_put_le32(page + off + VMSA_SEG_OFF_LIMIT, limit);
	cove_put_le64(page + off + VMSA_SEG_OFF_BASE, base);
}

void cove_snp_vmsa_encode(cove_snp_vmm vmm, uint32_t eip, uint64_t sev_features, uint32_t vcpu_sig,
			  uint8_t page[COVE_SNP_VMSA_SIZE])
{
	/* QEMU's reset state; EC2 and GCE differ in the few places below. */
	uint16_t cs_attr = 0x9b, ss_attr = 0x93, tr_attr = 0x8b;
	uint64_t g_pat = 0x0007040600070406ULL; /* the architectural reset PAT (APM vol. 2 A.3) */
	uint64_t rdx = vcpu_sig;                /* KVM loads the CPUID signature into RDX at reset */
	uint32_t mxcsr = 0x1f80;
	uint16_t fcw = 0x37f;
	switch (vmm) {
	case COVE_SNP_VMM_EC2:
		cs_attr = eip == BSP_EIP ? 0x9a : 0x9b;
		ss_attr = 0x92;
		tr_attr = 0x83;
		rdx = 0x600; /* EC2's current VMSA (sev-snp-measure 0.0.13; earlier EC2 launches used 0) */
		mxcsr = 0;
		fcw = 0;
		break;
	case COVE_SNP_VMM_GCE:
		g_pat = 0x00070106; /* GCE's hypervisor programs its own PAT */
		rdx = 0x600;
		mxcsr = 0;
		fcw = 0;
		break;
	default: break;
	}

	memset(page, 0, COVE_SNP_VMSA_SIZE);
	put_seg(page, VMSA_OFF_ES, 0, 0x93, 0xffff, 0);
	/* Real-mode reset: CS base holds the upper bits of the entry point, RIP the low 16. */
	put_seg(page, VMSA_OFF_CS, 0xf000, cs_attr, 0xffff, eip & 0xffff0000u);
	put_seg(page, VMSA_OFF_SS, 0, ss_attr, 0xffff, 0);
	put_seg(page, VMSA_OFF_DS, 0, 0x93, 0xffff, 0);
	put_seg(page, VMSA_OFF_FS, 0, 0x93, 0xffff, 0);
	put_seg(page, VMSA_OFF_GS, 0, 0x93, 0xffff, 0);
	put_seg(page, VMSA_OFF_GDTR, 0, 0, 0xffff, 0);
	put_seg(page, VMSA_OFF_LDTR, 0, 0x82, 0xffff, 0);
	put_seg(page, VMSA_OFF_IDTR, 0, 0, 0xffff, 0);
	put_seg(page, VMSA_OFF_TR, 0, tr_attr, 0xffff, 0);
	cove_put_le64(page + VMSA_OFF_EFER, 0x1000); /* KVM sets EFER.SVME */
	cove_put_le64(page + VMSA_OFF_CR4, 0x40);    /* KVM sets CR4.MCE */
	cove_put_le64(page + VMSA_OFF_CR0, 0x10);
	cove_put_le64(page + VMSA_OFF_DR7, 0x400);
	cove_put_le64(page + VMSA_OFF_DR6, 0xffff0ff0);
	cove_put_le64(page + VMSA_OFF_RFLAGS, 0x2);
	cove_put_le64(page + VMSA_OFF_RIP, eip & 0xffffu);
	cove_put_le64(page + VMSA_OFF_G_PAT, g_pat);
	cove_put_le64(page + VMSA_OFF_RDX, rdx);
	cove_put_le64(page + VMSA_OFF_SEV_FEATURES, sev_features);
	cove_put_le64(page + VMSA_OFF_XCR0, 0x1);
	cove_put_le32(page + VMSA_OFF_MXCSR, mxcsr);
	cove_put_le16(page + VMSA_OFF_X87_FCW, fcw);
}
