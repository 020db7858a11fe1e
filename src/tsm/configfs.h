/*
 * configfs-tsm report requests, shared by the SEV-SNP and TDX guest code
 * (internal to libcove).
 *
 * Interface: linux Documentation/ABI/testing/configfs-tsm-report and
 * drivers/virt/coco/guest/report.c (tsm/report).  One report directory
 * entry per request; the provider module (sev_guest, tdx_guest) decides
 * which attributes exist and what inblob / outblob hold.
 */
#ifndef COVE_TSM_CONFIGFS_H
#define COVE_TSM_CONFIGFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cove/bytes.h"
#include "cove/err.h"

/* configfs binary attributes are capped at TSM_REPORT_OUTBLOB_MAX (32 KiB) by the kernel. */
#define COVE_TSM_BLOB_MAX 32768
#define COVE_TSM_CONFIGFS_DEFAULT "/sys/kernel/config/tsm/report"
#define COVE_TSM_ENTRY_MAX 512

typedef struct cove_tsm_request {
	const char *root;        /* the report directory, e.g. COVE_TSM_CONFIGFS_DEFAULT */
	const char *provider;    /* the provider the request is meant for ("sev_guest", "tdx_guest") */
	const char *platform;    /* for messages: "an SEV-SNP guest", "a TDX guest" */
	const uint8_t *inblob;
	size_t inblob_len;
	int privlevel;           /* -1: leave privlevel alone */
	const char *privlevel_name; /* for messages: "VMPL" */
	bool auxblob;            /* also read auxblob (absent on kernels before it existed) */
	/*
	 * Called on outblob as soon as it has been read, before auxblob and the
	 * generation check; `path` names the attribute for messages.
	 */
	cove_err (*check_outblob)(void *ctx, const char *path, const cove_buf *outblob, cove_error *e);
	void *check_ctx;
} cove_tsm_request;

typedef struct cove_tsm_result {
	cove_buf outblob;
	cove_buf auxblob;        /* len 0 when not asked for, absent or empty */
	char entry[COVE_TSM_ENTRY_MAX]; /* the entry used (already removed again) */
} cove_tsm_result;

/*
 * One request: mkdir a private entry, check `provider`, read `generation`,
 * check `privlevel_floor` and write `privlevel` when asked, write `inblob`,
 * read `outblob` (and `auxblob`), check that `generation` advanced by exactly
 * our writes, rmdir the entry.  Every error names the path and the errno.
 * On failure `out` holds nothing (buffers are freed).
 */
cove_err cove_tsm_report(const cove_tsm_request *req, cove_tsm_result *out, cove_error *e);
void cove_tsm_result_free(cove_tsm_result *r);

/*
 * Decode up to 64 bytes of hex into `out`, zero-padded on the right; `field`
 * names the report field in messages ("REPORT_DATA", "REPORTDATA").
 */
cove_err cove_tsm_data_parse(const char *hex, uint8_t out[64], const char *field, cove_error *e);

#endif
