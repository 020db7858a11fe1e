/*
 * cove/snp_guest.h - obtaining an SEV-SNP attestation report from inside a
 * guest, through configfs-tsm (/sys/kernel/config/tsm/report, Linux 6.7+) or
 * the /dev/sev-guest ioctls (SNP_GET_REPORT / SNP_GET_EXT_REPORT).
 *
 * Interfaces: linux Documentation/ABI/testing/configfs-tsm-report and
 * include/uapi/linux/sev-guest.h; see shared/research/snp.md section c and
 * docs/snp-guest.md.
 */
#ifndef COVE_SNP_GUEST_H
#define COVE_SNP_GUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cove/bytes.h"
#include "cove/err.h"
#include "cove/snp.h"

#ifdef __cplusplus
extern "C" {
#endif

#define COVE_SNP_GUEST_CONFIGFS_DEFAULT "/sys/kernel/config/tsm/report"
#define COVE_SNP_GUEST_DEVICE_DEFAULT "/dev/sev-guest"

/* ioctl numbers of /dev/sev-guest: _IOWR('S', n, struct snp_guest_request_ioctl). */
#define COVE_SNP_IOCTL_GET_REPORT 0xC0205300ul
#define COVE_SNP_IOCTL_GET_EXT_REPORT 0xC0205302ul

/* The certificate buffer of SNP_GET_EXT_REPORT is at most this large (SEV_FW_BLOB_MAX_SIZE). */
#define COVE_SNP_GUEST_CERTS_MAX 16384

typedef enum cove_snp_guest_iface {
	COVE_SNP_GUEST_AUTO = 0, /* configfs-tsm when its directory exists, else the device */
	COVE_SNP_GUEST_CONFIGFS,
	COVE_SNP_GUEST_DEVICE,
} cove_snp_guest_iface;

/* "auto", "configfs-tsm" or "sev-guest device". */
const char *cove_snp_guest_iface_name(cove_snp_guest_iface i);

/*
 * One request to /dev/sev-guest as the kernel sees it: the ioctl number and
 * the buffers struct snp_guest_request_ioctl points at.  `req` holds a
 * struct snp_report_req (96 bytes) or snp_ext_report_req (112 bytes, whose
 * certs_address is the address of `certs`); like the kernel, a transport may
 * rewrite the request's certs_len to say how much room the host needs.
 */
typedef struct cove_snp_guest_msg {
	unsigned long ioctl;  /* COVE_SNP_IOCTL_* */
	uint8_t *req;
	size_t req_len;
	uint8_t *resp;        /* struct snp_report_resp */
	size_t resp_len;      /* in: capacity; out: bytes the device wrote */
	uint8_t *certs;       /* extended requests only */
	size_t certs_cap;
	uint64_t exitinfo2;   /* out: firmware error (bits 31:0), VMM error (bits 63:32) */
} cove_snp_guest_msg;

/*
 * How requests reach the device.  The default is ioctl(2) on the device
 * node; tests substitute a transport that serves requests themselves.
 * `submit` returns 0 or an errno value, as the ioctl would.
 */
typedef struct cove_snp_guest_transport {
	void *ctx;
	int (*submit)(void *ctx, cove_snp_guest_msg *m);
} cove_snp_guest_transport;

typedef struct cove_snp_guest_opts {
	uint8_t report_data[64];      /* REPORT_DATA: the caller's nonce / key binding */
	int vmpl;                     /* -1: configfs leaves privlevel at its floor, the device asks for VMPL 0 */
	bool extended;                /* also fetch the host's certificate table */
	cove_snp_guest_iface iface;
	const char *configfs_root;    /* NULL: COVE_SNP_GUEST_CONFIGFS_DEFAULT */
	const char *device;           /* NULL: COVE_SNP_GUEST_DEVICE_DEFAULT */
	const cove_snp_guest_transport *transport; /* NULL: ioctl(2) on `device` */
} cove_snp_guest_opts;

/* All zero data, vmpl -1, not extended, AUTO, default paths. */
void cove_snp_guest_opts_init(cove_snp_guest_opts *o);

/*
 * Decode up to 64 bytes of hex (white space around it allowed) into `out`,
 * zero-padded on the right.
 */
cove_err cove_snp_guest_data_parse(const char *hex, uint8_t out[64], cove_error *e);

typedef struct cove_snp_guest_report {
	uint8_t report[COVE_SNP_REPORT_SIZE]; /* raw ATTESTATION_REPORT as the firmware signed it */
	cove_buf certs;               /* certificate table (GHCB GUID table); len 0 when none was supplied */
	cove_snp_guest_iface iface;   /* the interface that answered */
	char source[512];             /* the configfs entry or device path used */
} cove_snp_guest_report;

/*
 * Obtain a fresh report.  configfs-tsm: a new entry is created, `inblob`
 * (and `privlevel`) written, `outblob` (and `auxblob`) read, the provider
 * must be sev_guest, `generation` must have advanced by exactly our writes,
 * and the entry is removed again.  Device: SNP_GET_REPORT, or
 * SNP_GET_EXT_REPORT retried once with the certificate buffer size the
 * kernel asks for.  Either way the report must be 1184 bytes and echo the
 * requested REPORT_DATA.  Errors name the path and the errno.
 */
cove_err cove_snp_guest_report_new(const cove_snp_guest_opts *opts, cove_snp_guest_report **out, cove_error *e);
void cove_snp_guest_report_free(cove_snp_guest_report *r);

#ifdef __cplusplus
}
#endif
#endif
