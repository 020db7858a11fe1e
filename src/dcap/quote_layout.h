/*
 * Offsets of Intel DCAP ECDSA quotes (QuoteGeneration sgx_quote_3.h,
 * sgx_quote_4.h, sgx_quote_5.h; sgx_report.h for the SGX REPORTBODY; the TDX
 * module's TD report body), cross-checked on the genuine quotes under
 * shared/vectors/{sgx,tdx} (see shared/research/sgx-tdx.md section c).
 * Internal to libcove's dcap module and to code that builds quotes.
 */
#ifndef COVE_DCAP_QUOTE_LAYOUT_H
#define COVE_DCAP_QUOTE_LAYOUT_H

/* Header, 48 bytes. */
#define DCAP_OFF_VERSION 0
#define DCAP_OFF_ATT_KEY_TYPE 2
#define DCAP_OFF_TEE_TYPE 4        /* v4, v5 (v3: att_key_data_0, reserved) */
#define DCAP_OFF_QE_SVN 8          /* v3 */
#define DCAP_OFF_PCE_SVN 10        /* v3 */
#define DCAP_OFF_QE_VENDOR_ID 12
#define DCAP_OFF_USER_DATA 28
#define DCAP_HEADER_END 48

#define DCAP_ATT_KEY_ECDSA_P256 2
#define DCAP_ATT_KEY_ECDSA_P384 3

/* v5 body descriptor: type u16, size u32, then the body. */
#define DCAP_V5_OFF_BODY_TYPE 48
#define DCAP_V5_OFF_BODY_SIZE 50
#define DCAP_V5_OFF_BODY 54
#define DCAP_V34_OFF_BODY 48

/* SGX REPORTBODY (sgx_report.h), 384 bytes. */
#define SGX_RB_OFF_CPU_SVN 0
#define SGX_RB_OFF_MISC_SELECT 16
#define SGX_RB_OFF_RESERVED1 20      /* 12 bytes */
#define SGX_RB_OFF_ISV_EXT_PROD_ID 32
#define SGX_RB_OFF_ATTRIBUTES 48     /* flags u64, xfrm u64 */
#define SGX_RB_OFF_MR_ENCLAVE 64
#define SGX_RB_OFF_RESERVED2 96      /* 32 bytes */
#define SGX_RB_OFF_MR_SIGNER 128
#define SGX_RB_OFF_RESERVED3 160     /* 32 bytes */
#define SGX_RB_OFF_CONFIG_ID 192
#define SGX_RB_OFF_ISV_PROD_ID 256
#define SGX_RB_OFF_ISV_SVN 258
#define SGX_RB_OFF_CONFIG_SVN 260
#define SGX_RB_OFF_RESERVED4 262     /* 42 bytes */
#define SGX_RB_OFF_ISV_FAMILY_ID 304
#define SGX_RB_OFF_REPORT_DATA 320
#define SGX_RB_END 384

/* TD report body, TDX 1.0 (584 bytes) and 1.5 (648 bytes). */
#define TD_OFF_TEE_TCB_SVN 0
#define TD_OFF_MR_SEAM 16
#define TD_OFF_MR_SIGNER_SEAM 64
#define TD_OFF_SEAM_ATTRIBUTES 112
#define TD_OFF_TD_ATTRIBUTES 120
#define TD_OFF_XFAM 128
#define TD_OFF_MR_TD 136
#define TD_OFF_MR_CONFIG_ID 184
#define TD_OFF_MR_OWNER 232
#define TD_OFF_MR_OWNER_CONFIG 280
#define TD_OFF_RTMR0 328            /* four RTMRs of 48 bytes */
#define TD_OFF_REPORT_DATA 520
#define TD10_END 584
#define TD_OFF_TEE_TCB_SVN2 584     /* TDX 1.5 */
#define TD_OFF_MR_SERVICE_TD 600
#define TD15_END 648

/* Signature data, relative to its start (after the u32 length). */
#define DCAP_SIG_OFF_SIGNATURE 0
#define DCAP_SIG_OFF_ATTEST_KEY 64
#define DCAP_SIG_OFF_CERT 128      /* v3: the QE report; v4/v5: the outer certification data */
#define DCAP_ECDSA_SIG_SIZE 64
#define DCAP_ECDSA_KEY_SIZE 64

/* Certification data header: type u16, size u32. */
#define DCAP_CERT_HEADER_SIZE 6

/* QE report certification data (type 6) and the v3 tail share this order. */
#define DCAP_QE_REPORT_SIZE 384
#define DCAP_QE_REPORT_SIG_SIZE 64
#define DCAP_QE_AUTH_LEN_SIZE 2

#endif
