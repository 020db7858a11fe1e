/*
 * In-guest TD quote acquisition through configfs-tsm.
 *
 * The configfs-tsm mechanics (entry, provider, generation race check) are
 * shared with the SEV-SNP guest code in src/tsm/configfs.c; this file adds
 * what is TDX's, per linux drivers/virt/coco/tdx-guest/tdx-guest.c: the
 * provider "tdx_guest", an inblob of exactly TDX_REPORTDATA_LEN (64) bytes,
 * no privlevel or auxblob, and an outblob holding the quote.  The quote is
 * only checked for shape and for our REPORTDATA, at the offsets of Intel's
 * sgx_quote_4.h / sgx_quote_5.h (shared/research/sgx-tdx.md section c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cove/bytes.h"
#include "cove/tdx_guest.h"
#include "tsm/configfs.h"

#define TSM_PROVIDER_TDX "tdx_guest"

/* Quote header (48 bytes) and where the TD report body sits in v4 and v5. */
#define Q_VERSION 0       /* u16 */
#define Q_TEE_TYPE 4      /* u32 */
#define Q_HEADER_SIZE 48
#define Q_TEE_TDX 0x81u
#define Q4_BODY 48
#define Q5_BODY_TYPE 48   /* u16: 2 = TDX 1.0 body, 3 = TDX 1.5 body */
#define Q5_BODY_SIZE 50   /* u32 */
#define Q5_BODY 54
#define TD10_BODY_SIZE 584
#define TD15_BODY_SIZE 648
#define TD_BODY_REPORTDATA 520
#define Q_SIG_LEN_SIZE 4  /* u32 signature data length after the body */

void cove_tdx_guest_opts_init(cove_tdx_guest_opts *o)
{
	memset(o, 0, sizeof(*o));
}

cove_err cove_tdx_guest_data_parse(const char *hex, uint8_t out[COVE_TDX_REPORTDATA_SIZE], cove_error *e)
{
	return cove_tsm_data_parse(hex, out, "REPORTDATA", e);
}

void cove_tdx_guest_quote_free(cove_tdx_guest_quote *q)
{
	if (!q)
		return;
	cove_buf_free(&q->quote);
	free(q);
}

/* Offset of REPORTDATA in a TD quote, after checking the header and body fit. */
static cove_err quote_reportdata(const char *what, const uint8_t *q, size_t len, size_t *off, cove_error *e)
{
	if (len < Q_HEADER_SIZE)
		return cove_error_set(e, COVE_ERR_PARSE, "%s holds %zu bytes, fewer than a %d-byte quote header", what,
				      len, Q_HEADER_SIZE);
	uint16_t version = cove_le16(q + Q_VERSION);
	uint32_t tee = cove_le32(q + Q_TEE_TYPE);
	if (version != 4 && version != 5)
		return cove_error_set(e, COVE_ERR_PARSE, "%s holds a quote of version %u; a TD quote is version 4 or 5",
				      what, version);
	if (tee != Q_TEE_TDX)
		return cove_error_set(e, COVE_ERR_PARSE, "%s holds a quote for TEE type 0x%x, not TDX (0x81)", what, tee);
	size_t body = Q4_BODY, body_size = TD10_BODY_SIZE;
	if (version == 5) {
		if (len < Q5_BODY)
			return cove_error_set(e, COVE_ERR_PARSE, "%s holds %zu bytes, too few for a v5 quote's body "
					      "descriptor", what, len);
		uint16_t type = cove_le16(q + Q5_BODY_TYPE);
		uint32_t size = cove_le32(q + Q5_BODY_SIZE);
		if (!((type == 2 && size == TD10_BODY_SIZE) || (type == 3 && size == TD15_BODY_SIZE)))
			return cove_error_set(e, COVE_ERR_PARSE,
					      "%s holds a v5 quote with body type %u of %u bytes; a TD body is type 2 "
					      "(%d bytes) or 3 (%d bytes)",
					      what, type, size, TD10_BODY_SIZE, TD15_BODY_SIZE);
		body = Q5_BODY;
		body_size = size;
	}
	if (len < body + body_size + Q_SIG_LEN_SIZE)
		return cove_error_set(e, COVE_ERR_PARSE, "%s holds %zu bytes; a v%u TD quote needs at least %zu", what,
				      len, version, body + body_size + Q_SIG_LEN_SIZE);
	*off = body + TD_BODY_REPORTDATA;
	return COVE_OK;
}

static cove_err check_tdx_outblob(void *ctx, const char *path, const cove_buf *blob, cove_error *e)
{
	size_t off;
	(void)ctx;
	return quote_reportdata(path, blob->data, blob->len, &off, e);
}

cove_err cove_tdx_guest_quote_new(const cove_tdx_guest_opts *o, cove_tdx_guest_quote **out, cove_error *e)
{
	cove_err rc;
	cove_tsm_result res;
	size_t off = 0;
	cove_tdx_guest_quote *q = NULL;
	cove_tsm_request req = {
		.root = o->configfs_root ? o->configfs_root : COVE_TDX_GUEST_CONFIGFS_DEFAULT,
		.provider = TSM_PROVIDER_TDX,
		.platform = "a TDX guest",
		.inblob = o->report_data,
		.inblob_len = sizeof(o->report_data),
		.privlevel = -1,
		.check_outblob = check_tdx_outblob,
	};

	*out = NULL;
	if ((rc = cove_tsm_report(&req, &res, e)))
		return rc;
	q = calloc(1, sizeof(*q));
	if (!q) {
		rc = cove_error_set(e, COVE_ERR_NOMEM, "out of memory");
		goto out;
	}
	snprintf(q->source, sizeof(q->source), "%s", res.entry);
	q->quote = res.outblob;
	res.outblob = (cove_buf){0};
	if ((rc = quote_reportdata(q->source, q->quote.data, q->quote.len, &off, e)))
		goto out;
	/* A quote that does not carry our data is someone else's (or a broken host's). */
	if (!cove_equal_ct(q->quote.data + off, o->report_data, sizeof(o->report_data))) {
		rc = cove_error_set(e, COVE_ERR_VERIFY, "the quote from %s carries different REPORTDATA than requested",
				    q->source);
		goto out;
	}
	*out = q;
	q = NULL;
out:
	cove_tsm_result_free(&res);
	cove_tdx_guest_quote_free(q);
	return rc;
}
