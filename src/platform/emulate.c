/*
 * Attestation reports from the emulated SEV-SNP platform.
 *
 * The report is built field by field and serialised by the snp module's
 * encoder in the ATTESTATION_REPORT layout of AMD 56860 (offsets in
 * src/snp/report_layout.h, cross-checked in shared/research/snp.md section
 * a), then bytes 0x000..0x29F are signed with ECDSA P-384 / SHA-384 by the
 * VCEK certified for the report's REPORTED_TCB; R and S are stored as 72-byte
 * little-endian integers at 0x2A0 and 0x2E8, as the firmware does.
 *
 * Only combinations a real platform could produce are accepted: the policy's
 * reserved bits and its must-be-one bit 17, VMPL 0..3, SMT consistency
 * between policy and platform, and a policy ABI no newer than the firmware.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "platform/internal.h"
#include "snp/report_layout.h"

void cove_snp_emulate_opts_init(cove_snp_emulate_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->version = 3;
	o->policy = COVE_SNP_POLICY_SMT | COVE_SNP_POLICY_RESERVED1; /* 0x30000 */
	o->platform_info = COVE_SNP_PLATFORM_SMT_EN | COVE_SNP_PLATFORM_TSME_EN;
}

static cove_err check_tcb(const cove_platform *p, bool has, const cove_snp_tcb *t, const char *what, cove_error *e)
{
	if (has && t->fmc && p->prod->product != COVE_SNP_TURIN)
		return cove_error_set(e, COVE_ERR_ARG, "%s: an FMC SPL exists only on Turin, not on %s", what,
				      p->prod->name);
	return COVE_OK;
}

static cove_err check_opts(const cove_platform *p, const cove_snp_emulate_opts *o, cove_error *e)
{
	if (o->version < 2 || o->version > 5)
		return cove_error_set(e, COVE_ERR_ARG, "report version %u cannot be emulated (2 to 5 can)", o->version);
	if (o->policy & ~COVE_SNP_POLICY_KNOWN_MASK)
		return cove_error_set(e, COVE_ERR_ARG, "guest policy 0x%llx sets reserved bits 63:26",
				      (unsigned long long)o->policy);
	if (!(o->policy & COVE_SNP_POLICY_RESERVED1))
		return cove_error_set(e, COVE_ERR_ARG, "guest policy 0x%llx: bit 17 is reserved and must be 1 (e.g. 0x30000)",
				      (unsigned long long)o->policy);
	if (o->vmpl > 3)
		return cove_error_set(e, COVE_ERR_ARG, "VMPL %u is out of range (0 to 3)", o->vmpl);
	if (o->platform_info & ~COVE_SNP_PLATFORM_KNOWN_MASK)
		return cove_error_set(e, COVE_ERR_ARG, "platform info 0x%llx sets reserved bits (known: 0x%llx)",
				      (unsigned long long)o->platform_info, (unsigned long long)COVE_SNP_PLATFORM_KNOWN_MASK);
	if (!(o->policy & COVE_SNP_POLICY_SMT) && (o->platform_info & COVE_SNP_PLATFORM_SMT_EN))
		return cove_error_set(e, COVE_ERR_ARG,
				      "the guest policy 0x%llx forbids SMT (bit 16 clear) but the platform info says SMT "
				      "is enabled (bit 0); firmware would not launch such a guest: allow SMT in the "
				      "policy or clear SMT_EN in the platform info",
				      (unsigned long long)o->policy);
	unsigned abi_major = (unsigned)(o->policy >> 8) & 0xFF, abi_minor = (unsigned)o->policy & 0xFF;
	if (abi_major > p->fw_major || (abi_major == p->fw_major && abi_minor > p->fw_minor))
		return cove_error_set(e, COVE_ERR_ARG,
				      "the guest policy requires firmware ABI %u.%u, newer than the emulated firmware %u.%u",
				      abi_major, abi_minor, p->fw_major, p->fw_minor);
	cove_err rc = check_tcb(p, o->has_tcb, &o->tcb, "TCB", e);
	if (rc || (rc = check_tcb(p, o->has_reported_tcb, &o->reported_tcb, "reported TCB", e)) ||
	    (rc = check_tcb(p, o->has_launch_tcb, &o->launch_tcb, "launch TCB", e)))
		return rc;
	return COVE_OK;
}

cove_err cove_platform_snp_sign(cove_platform *p, uint8_t report[COVE_SNP_REPORT_SIZE], cove_error *e)
{
	EVP_PKEY *key;
	cove_err rc = plat_vcek_key(p, cove_le64(report + SNP_OFF_REPORTED_TCB), &key, e);
	if (rc)
		return rc;
	return cove_ecdsa_sign_raw(key, COVE_SHA384, report, COVE_SNP_SIGNED_SIZE, report + SNP_OFF_SIG_R,
				   report + SNP_OFF_SIG_S, SNP_SIG_COMPONENT, true, e);
}

cove_err cove_platform_snp_emulate(cove_platform *p, const cove_snp_emulate_opts *o,
				   uint8_t report[COVE_SNP_REPORT_SIZE], cove_error *e)
{
	cove_snp_report *r = calloc(1, sizeof(*r)); /* ~2.5 KiB of raw copies: keep it off the stack */
	cove_err rc;
	if (!r)
		return cove_error_set(e, COVE_ERR_NOMEM, "out of memory");
	if ((rc = check_opts(p, o, e)))
		goto out;
	cove_snp_product prod = p->prod->product;
	cove_snp_tcb cur = o->has_tcb ? o->tcb : p->tcb;
	cove_snp_tcb reported = o->has_reported_tcb ? o->reported_tcb : cur;
	cove_snp_tcb launch = o->has_launch_tcb ? o->launch_tcb : cur;

	r->version = o->version;
	r->guest_svn = o->guest_svn;
	r->policy = o->policy;
	memcpy(r->family_id, o->family_id, sizeof(r->family_id));
	memcpy(r->image_id, o->image_id, sizeof(r->image_id));
	r->vmpl = o->vmpl;
	r->signature_algo = SNP_SIG_ALGO_ECDSA_P384_SHA384;
	r->current_tcb = cove_snp_tcb_encode(&cur, prod);
	r->platform_info = o->platform_info;
	r->signing_key = COVE_SNP_KEY_VCEK;
	memcpy(r->report_data, o->report_data, sizeof(r->report_data));
	memcpy(r->measurement, o->measurement, sizeof(r->measurement));
	memcpy(r->host_data, o->host_data, sizeof(r->host_data));
	memcpy(r->id_key_digest, o->id_key_digest, sizeof(r->id_key_digest));
	cove_random_bytes(r->report_id, sizeof(r->report_id));
	/* REPORT_ID_MA is all ones unless a migration agent is bound to the guest. */
	if (o->policy & COVE_SNP_POLICY_MIGRATE_MA)
		cove_random_bytes(r->report_id_ma, sizeof(r->report_id_ma));
	else
		memset(r->report_id_ma, 0xFF, sizeof(r->report_id_ma));
	r->reported_tcb = cove_snp_tcb_encode(&reported, prod);
	r->cpuid_fam_id = p->prod->cpuid_fam;
	r->cpuid_mod_id = p->prod->cpuid_mod;
	r->cpuid_step = p->prod->cpuid_step;
	/* MASK_CHIP_ID zeroes CHIP_ID; the report is still signed (MASK_CHIP_KEY would be another matter). */
	if (!o->mask_chip_id)
		memcpy(r->chip_id, p->chip_id, sizeof(r->chip_id));
	r->committed_tcb = r->current_tcb;
	r->current_build = r->committed_build = p->fw_build;
	r->current_minor = r->committed_minor = p->fw_minor;
	r->current_major = r->committed_major = p->fw_major;
	r->launch_tcb = cove_snp_tcb_encode(&launch, prod);

	if ((rc = cove_snp_report_encode(r, report, e)) || (rc = cove_platform_snp_sign(p, report, e)))
		goto out;
	/* What we emit must be what cove (and a real verifier) parses. */
	if (cove_snp_report_parse(report, COVE_SNP_REPORT_SIZE, r, e) != COVE_OK)
		rc = cove_error_wrap(e, COVE_ERR_INTERNAL, "emulated report does not parse");
out:
	free(r);
	return rc;
}

cove_err cove_platform_tcb_parse(const char *text, cove_snp_product product, cove_snp_tcb *inout, cove_error *e)
{
	static const char hint[] = "expected NAME=VALUE[,...] with NAME bl, tee, snp, ucode";
	const char *turin_hint = product == COVE_SNP_TURIN ? " or fmc" : "";
	cove_snp_tcb t = *inout;
	unsigned seen = 0;
	if (!text || !*text)
		return cove_error_set(e, COVE_ERR_ARG, "empty TCB (%s%s, e.g. bl=4,tee=0,snp=22,ucode=213)", hint,
				      turin_hint);
	for (const char *p = text;;) {
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		char item[48];
		if (n == 0)
			return cove_error_set(e, COVE_ERR_ARG, "TCB '%s' has an empty component (%s%s)", text, hint,
					      turin_hint);
		if (n >= sizeof(item))
			return cove_error_set(e, COVE_ERR_ARG, "TCB component '%.*s...' is too long", 16, p);
		memcpy(item, p, n);
		item[n] = '\0';
		char *eq = strchr(item, '=');
		if (!eq)
			return cove_error_set(e, COVE_ERR_ARG, "TCB component '%s' is not NAME=VALUE (%s%s)", item, hint,
					      turin_hint);
		*eq = '\0';
		const char *name = item, *val = eq + 1;
		/* Decimal, or hex with 0x; never octal, so "010" means ten. */
		bool hex = val[0] == '0' && (val[1] == 'x' || val[1] == 'X');
		unsigned long long v = 0;
		char *vend = NULL;
		bool digit = hex ? isxdigit((unsigned char)val[2]) : isdigit((unsigned char)val[0]);
		if (digit)
			v = strtoull(val, &vend, hex ? 16 : 10);
		if (!digit || *vend || v > 255)
			return cove_error_set(e, COVE_ERR_ARG,
					      "TCB component %s=%s: the value must be 0..255 (decimal or 0x-hex)", name, val);
		uint8_t *slot;
		unsigned bit;
		if (!strcmp(name, "bl") || !strcmp(name, "bootloader")) {
			slot = &t.bootloader;
			bit = 1;
		} else if (!strcmp(name, "tee")) {
			slot = &t.tee;
			bit = 2;
		} else if (!strcmp(name, "snp")) {
			slot = &t.snp;
			bit = 4;
		} else if (!strcmp(name, "ucode") || !strcmp(name, "microcode")) {
			slot = &t.microcode;
			bit = 8;
		} else if (!strcmp(name, "fmc")) {
			if (product != COVE_SNP_TURIN)
				return cove_error_set(e, COVE_ERR_ARG, "TCB component fmc exists only on Turin, not on %s",
						      cove_snp_product_name(product));
			slot = &t.fmc;
			bit = 16;
		} else {
			return cove_error_set(e, COVE_ERR_ARG, "unknown TCB component '%s' (%s%s)", name, hint, turin_hint);
		}
		if (seen & bit)
			return cove_error_set(e, COVE_ERR_ARG, "TCB component %s is given twice", name);
		seen |= bit;
		*slot = (uint8_t)v;
		if (!end)
			break;
		p = end + 1;
	}
	*inout = t;
	return COVE_OK;
}
