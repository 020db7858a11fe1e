/*
 * Wire layouts of the /dev/sev-guest ioctl structures (linux
 * include/uapi/linux/sev-guest.h; sizes checked against Debian 12's 6.1 uapi
 * header, see shared/research/snp.md section c) and of the GHCB certificate
 * table entry (AMD 56421, MSG_REPORT_REQ extended data).  Internal to the snp
 * module and its tests, which act as the kernel.
 */
#ifndef COVE_SNP_GUEST_LAYOUT_H
#define COVE_SNP_GUEST_LAYOUT_H

/* struct snp_guest_request_ioctl */
#define SNP_IOC_SIZE 32
#define SNP_IOC_MSG_VERSION 0 /* u8, must be non-zero */
#define SNP_IOC_REQ_DATA 8    /* u64 user pointer */
#define SNP_IOC_RESP_DATA 16  /* u64 user pointer */
#define SNP_IOC_EXITINFO2 24  /* u64: fw_error u32, vmm_error u32 */

/* struct snp_report_req */
#define SNP_REQ_SIZE 96
#define SNP_REQ_USER_DATA 0 /* 64 bytes */
#define SNP_REQ_VMPL 64     /* u32 */
#define SNP_REQ_KEY_SEL 68  /* u32, 0 = firmware chooses */

/* struct snp_ext_report_req: a snp_report_req followed by the certificate buffer */
#define SNP_EXT_REQ_SIZE 112
#define SNP_EXT_REQ_CERTS_ADDRESS 96 /* u64 user pointer */
#define SNP_EXT_REQ_CERTS_LEN 104    /* u32, page multiple */

/* struct snp_report_resp: MSG_REPORT_RSP (AMD 56860) in a 4000-byte buffer */
#define SNP_RESP_SIZE 4000
#define SNP_RESP_STATUS 0      /* u32 */
#define SNP_RESP_REPORT_SIZE 4 /* u32 */
#define SNP_RESP_REPORT 0x20

/* MSG_REPORT_RSP status values */
#define SNP_RESP_STATUS_OK 0x00
#define SNP_RESP_STATUS_INVALID_PARAMS 0x16
#define SNP_RESP_STATUS_INVALID_KEY 0x17

/* exitinfo2 VMM error: certificate buffer too small (SNP_GUEST_VMM_ERR_INVALID_LEN) */
#define SNP_VMM_ERR_INVALID_LEN 1u
#define SNP_PAGE_SIZE 4096

/* Certificate table entry: GUID[16], offset u32, length u32; an all-zero entry ends the table. */
#define SNP_CERT_ENTRY_SIZE 24
#define SNP_CERT_ENTRY_OFFSET 16
#define SNP_CERT_ENTRY_LENGTH 20

#endif
