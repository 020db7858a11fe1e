/*
 * Byte offsets of the SGX structures the trusted API reads and writes
 * (Intel SDM vol. 3D ch. 38 "Enclave Data Structures"; linux-sgx
 * common/inc/sgx_report.h, sgx_key.h, sgx_tseal.h with the offsets measured
 * from the compiled layout, see shared/research/sgx-tdx.md section b).
 * REPORTBODY offsets come from dcap/quote_layout.h.
 */
#ifndef COVE_ENCLAVE_SGX_LAYOUT_H
#define COVE_ENCLAVE_SGX_LAYOUT_H

#include "cove/seal.h"
#include "cove/sgx_report.h"
#include "dcap/quote_layout.h"

/* REPORT (432). */
#define SGX_REPORT_OFF_BODY 0
#define SGX_REPORT_OFF_KEYID 384
#define SGX_REPORT_OFF_MAC 416
#define SGX_REPORT_END 432

/* TARGETINFO (512). */
#define SGX_TI_OFF_MR_ENCLAVE 0
#define SGX_TI_OFF_ATTRIBUTES 32   /* flags u64, xfrm u64 */
#define SGX_TI_OFF_RESERVED1 48    /* 2 bytes */
#define SGX_TI_OFF_CONFIG_SVN 50
#define SGX_TI_OFF_MISC_SELECT 52
#define SGX_TI_OFF_RESERVED2 56    /* 8 bytes */
#define SGX_TI_OFF_CONFIG_ID 64
#define SGX_TI_OFF_RESERVED3 128   /* 384 bytes */
#define SGX_TI_END 512

/* KEYREQUEST (512). */
#define SGX_KR_OFF_KEY_NAME 0
#define SGX_KR_OFF_KEY_POLICY 2
#define SGX_KR_OFF_ISV_SVN 4
#define SGX_KR_OFF_RESERVED1 6     /* 2 bytes */
#define SGX_KR_OFF_CPU_SVN 8
#define SGX_KR_OFF_ATTR_MASK 24    /* flags u64, xfrm u64 */
#define SGX_KR_OFF_KEY_ID 40
#define SGX_KR_OFF_MISC_MASK 72
#define SGX_KR_OFF_CONFIG_SVN 76
#define SGX_KR_OFF_RESERVED2 78    /* 434 bytes */
#define SGX_KR_END 512

/* sgx_sealed_data_t (560 + payload). */
#define SGX_SEALED_OFF_KEY_REQUEST 0
#define SGX_SEALED_OFF_TEXT_OFFSET 512  /* u32: ciphertext length */
#define SGX_SEALED_OFF_RESERVED1 516    /* 12 bytes */
#define SGX_SEALED_OFF_PAYLOAD_SIZE 528 /* u32: ciphertext + MAC text */
#define SGX_SEALED_OFF_RESERVED2 532    /* 12 bytes */
#define SGX_SEALED_OFF_TAG 544
#define SGX_SEALED_OFF_PAYLOAD 560

_Static_assert(SGX_RB_END == COVE_SGX_REPORT_BODY_SIZE, "REPORTBODY is 384 bytes");
_Static_assert(SGX_REPORT_OFF_KEYID == SGX_RB_END && SGX_REPORT_OFF_MAC == SGX_REPORT_OFF_KEYID + COVE_SGX_KEYID_SIZE,
	       "REPORT = body || KEYID || MAC");
_Static_assert(SGX_REPORT_END == COVE_SGX_REPORT_SIZE && SGX_REPORT_OFF_MAC + COVE_SGX_MAC_SIZE == SGX_REPORT_END,
	       "REPORT is 432 bytes");
_Static_assert(SGX_TI_END == COVE_SGX_TARGETINFO_SIZE && SGX_TI_OFF_RESERVED3 + 384 == SGX_TI_END,
	       "TARGETINFO is 512 bytes");
_Static_assert(SGX_KR_END == COVE_SGX_KEYREQUEST_SIZE && SGX_KR_OFF_RESERVED2 + 434 == SGX_KR_END,
	       "KEYREQUEST is 512 bytes");
_Static_assert(SGX_SEALED_OFF_TEXT_OFFSET == SGX_KR_END && SGX_SEALED_OFF_PAYLOAD == COVE_SEALED_HEADER_SIZE &&
		       SGX_SEALED_OFF_TAG + 16 == SGX_SEALED_OFF_PAYLOAD,
	       "sealed header is 560 bytes");

#endif
