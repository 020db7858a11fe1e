/*
 * cove/azure_hcl.h - Azure confidential VM evidence: the HCL report that the
 * Microsoft paravisor writes to vTPM NV index 0x01400001.
 *
 * It carries an SEV-SNP report whose REPORT_DATA binds a runtime-claims JSON
 * document (with the vTPM attestation key HCLAkPub), so that the chain of trust
 * runs ARK -> ASK -> VCEK -> SNP report -> runtime JSON -> vTPM AK -> TPM quote.
 * Layout: shared/research/snp.md section c (Azure confidential-computing-cvm-
 * guest-attestation SnpVmReport.h, kinvolk az-cvm-vtpm hcl/mod.rs).
 */
#ifndef COVE_AZURE_HCL_H
#define COVE_AZURE_HCL_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "cove/crypto.h"
#include "cove/result.h"
#include "cove/snp.h"

#ifdef __cplusplus
extern "C" {
#endif

#define COVE_AZURE_HCL_NV_INDEX 0x01400001u
#define COVE_AZURE_HCL_USER_DATA_NV_INDEX 0x01400002u

enum { COVE_AZURE_HCL_REPORT_SNP = 2, COVE_AZURE_HCL_REPORT_TDX = 4 };

typedef struct cove_azure_hcl {
	uint32_t version;
	uint32_t report_size;
	uint32_t request_type;
	uint32_t report_type;      /* 2 = SEV-SNP */
	uint32_t hash_type;        /* 1 SHA-256, 2 SHA-384, 3 SHA-512 */
	const uint8_t *hw_report;  /* COVE_SNP_REPORT_SIZE bytes inside the input */
	const uint8_t *runtime_data; /* runtime claims JSON, exactly as stored */
	size_t runtime_len;
	json_t *runtime;           /* parsed runtime claims (owned) */
} cove_azure_hcl;

/* Parse an HCL report; pointers refer into `data`, which must outlive the result. */
cove_err cove_azure_hcl_parse(const void *data, size_t len, cove_azure_hcl *out, cove_error *e);
void cove_azure_hcl_free(cove_azure_hcl *h);

/* The vTPM attestation key (JWK "HCLAkPub" of the runtime claims); caller frees. */
cove_err cove_azure_hcl_ak_pub(const cove_azure_hcl *h, cove_pkey **out, cove_error *e);

/*
 * Verify an HCL report: its SEV-SNP report as cove_snp_verify() does, plus
 * REPORT_DATA = H(runtime claims) (rest zero) and VMPL 0.  Claims gain
 * "x-ms-runtime" (the runtime JSON) and "hcl".  Same return contract as
 * cove_snp_verify().
 */
cove_err cove_azure_hcl_verify(cove_snp_verifier *v, const void *data, size_t len, const cove_x509_list *certs,
			       cove_x509_crl *crl, const cove_snp_policy *policy, const cove_snp_verify_opts *opts,
			       cove_result **out, cove_error *e);

#ifdef __cplusplus
}
#endif
#endif
