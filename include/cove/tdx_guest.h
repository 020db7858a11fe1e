/*
 * cove/tdx_guest.h - obtaining a TD quote from inside a TDX guest through
 * configfs-tsm (/sys/kernel/config/tsm/report, Linux 6.7+, provider
 * "tdx_guest").
 *
 * Interface: linux Documentation/ABI/testing/configfs-tsm-report and
 * drivers/virt/coco/tdx-guest/tdx-guest.c (tdx_report_new: inblob is the
 * 64-byte REPORTDATA of TDG.MR.REPORT, outblob the quote the host's quoting
 * service returned through TDG.VP.VMCALL<GetQuote>).  See docs/tdx-eventlog.md.
 */
#ifndef COVE_TDX_GUEST_H
#define COVE_TDX_GUEST_H

#include <stddef.h>
#include <stdint.h>

#include "cove/bytes.h"
#include "cove/err.h"

#ifdef __cplusplus
extern "C" {
#endif

#define COVE_TDX_GUEST_CONFIGFS_DEFAULT "/sys/kernel/config/tsm/report"
#define COVE_TDX_REPORTDATA_SIZE 64

typedef struct cove_tdx_guest_opts {
	uint8_t report_data[COVE_TDX_REPORTDATA_SIZE]; /* REPORTDATA: the caller's nonce / key binding */
	const char *configfs_root;                     /* NULL: COVE_TDX_GUEST_CONFIGFS_DEFAULT */
} cove_tdx_guest_opts;

/* All-zero REPORTDATA, default root. */
void cove_tdx_guest_opts_init(cove_tdx_guest_opts *o);

/* Decode up to 64 bytes of hex (white space around it allowed) into `out`, zero-padded on the right. */
cove_err cove_tdx_guest_data_parse(const char *hex, uint8_t out[COVE_TDX_REPORTDATA_SIZE], cove_error *e);

typedef struct cove_tdx_guest_quote {
	cove_buf quote;     /* the quote as the kernel returned it (ECDSA quote v4 or v5) */
	char source[512];   /* the configfs entry used */
} cove_tdx_guest_quote;

/*
 * Obtain a fresh quote: a new configfs-tsm entry is created, the provider
 * must be tdx_guest, exactly 64 bytes are written to inblob, outblob is
 * read, `generation` must have advanced by exactly our one write, and the
 * entry is removed again.  The quote must look like a TD quote (version 4
 * or 5, TEE type TDX, long enough for its TD report body) and carry the
 * requested REPORTDATA (COVE_ERR_VERIFY otherwise).  Signatures are not
 * checked here: that is the relying party's job (cove tdx verify).
 */
cove_err cove_tdx_guest_quote_new(const cove_tdx_guest_opts *opts, cove_tdx_guest_quote **out, cove_error *e);
void cove_tdx_guest_quote_free(cove_tdx_guest_quote *q);

#ifdef __cplusplus
}
#endif
#endif
