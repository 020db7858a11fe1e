/*
 * Intel DCAP ECDSA quotes: parsing and presentation of versions 3 (SGX),
 * 4 (SGX or TDX 1.0) and 5 (SGX, TDX 1.0 or TDX 1.5 body), following Intel's
 * QuoteGeneration headers sgx_quote_3.h / sgx_quote_4.h / sgx_quote_5.h and
 * sgx_report.h; offsets are in quote_layout.h and shared/research/sgx-tdx.md
 * section c.
 *
 * The parser trusts nothing about the buffer size: every region is bounded by
 * the length field that announces it and by the region enclosing it, and the
 * nested regions must fill their parents exactly, so no byte inside the quote
 * goes unaccounted.  Errors name the version, the field and its offset.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/x509.h>

#include "cove/bytes.h"
#include "cove/dcap.h"
#include "dcap/quote_layout.h"

/* Intel's Quoting Enclave vendor ID (sgx_quote_3.h examples; every genuine sample). */
static const uint8_t intel_qe_vendor_id[16] = {0x93, 0x9A, 0x72, 0x33, 0xF7, 0x9C, 0x4C, 0xA9,
					       0x94, 0x0A, 0x0D, 0xB3, 0x95, 0x7F, 0x06, 0x07};

/* ---- report bodies ---- */

void cove_sgx_report_body_parse(const uint8_t raw[COVE_SGX_REPORT_BODY_SIZE], cove_sgx_report_body *out)
{
	memset(out, 0, sizeof(*out));
	memcpy(out->cpu_svn, raw + SGX_RB_OFF_CPU_SVN, 16);
	out->misc_select = cove_le32(raw + SGX_RB_OFF_MISC_SELECT);
	memcpy(out->isv_ext_prod_id, raw + SGX_RB_OFF_ISV_EXT_PROD_ID, 16);
	memcpy(out->attributes, raw + SGX_RB_OFF_ATTRIBUTES, 16);
	out->attr_flags = cove_le64(raw + SGX_RB_OFF_ATTRIBUTES);
	out->attr_xfrm = cove_le64(raw + SGX_RB_OFF_ATTRIBUTES + 8);
	memcpy(out->mr_enclave, raw + SGX_RB_OFF_MR_ENCLAVE, 32);
	memcpy(out->mr_signer, raw + SGX_RB_OFF_MR_SIGNER, 32);
	memcpy(out->config_id, raw + SGX_RB_OFF_CONFIG_ID, 64);
	out->isv_prod_id = cove_le16(raw + SGX_RB_OFF_ISV_PROD_ID);
	out->isv_svn = cove_le16(raw + SGX_RB_OFF_ISV_SVN);
	out->config_svn = cove_le16(raw + SGX_RB_OFF_CONFIG_SVN);
	memcpy(out->isv_family_id, raw + SGX_RB_OFF_ISV_FAMILY_ID, 16);
	memcpy(out->report_data, raw + SGX_RB_OFF_REPORT_DATA, 64);
}

static void td_body_parse(const uint8_t *raw, bool is_15, cove_tdx_td_body *out)
{
	memset(out, 0, sizeof(*out));
	memcpy(out->tee_tcb_svn, raw + TD_OFF_TEE_TCB_SVN, 16);
	memcpy(out->mr_seam, raw + TD_OFF_MR_SEAM, 48);
	memcpy(out->mr_signer_seam, raw + TD_OFF_MR_SIGNER_SEAM, 48);
	out->seam_attributes = cove_le64(raw + TD_OFF_SEAM_ATTRIBUTES);
	out->td_attributes = cove_le64(raw + TD_OFF_TD_ATTRIBUTES);
	out->xfam = cove_le64(raw + TD_OFF_XFAM);
	memcpy(out->mr_td, raw + TD_OFF_MR_TD, 48);
	memcpy(out->mr_config_id, raw + TD_OFF_MR_CONFIG_ID, 48);
	memcpy(out->mr_owner, raw + TD_OFF_MR_OWNER, 48);
	memcpy(out->mr_owner_config, raw + TD_OFF_MR_OWNER_CONFIG, 48);
	for (int i = 0; i < 4; i++)
		memcpy(out->rtmr[i], raw + TD_OFF_RTMR0 + 48 * i, 48);
	memcpy(out->report_data, raw + TD_OFF_REPORT_DATA, 64);
	out->is_15 = is_15;
	if (is_15) {
		memcpy(out->tee_tcb_svn2, raw + TD_OFF_TEE_TCB_SVN2, 16);
		memcpy(out->mr_service_td, raw + TD_OFF_MR_SERVICE_TD, 48);
	}
}

/* ---- the parser ---- */

/* A region [pos, end) of the quote buffer; offsets are absolute. */
typedef struct region {
	size_t pos, end;
	const char *name; /* what bounds it, for messages */
} region;

typedef struct qparse {
	const uint8_t *d;
	unsigned version;
	unsigned flags; /* COVE_DCAP_PARSE_* */
	cove_error *e;
} qparse;

/* Claim `n` bytes of `r` for `what`; *at receives their offset. */
static cove_err take(qparse *q, region *r, size_t n, const char *what, size_t *at)
{
	if (r->end - r->pos < n)
		return cove_error_set(q->e, COVE_ERR_PARSE,
				      "quote v%u: %s at offset %zu needs %zu bytes but %s ends at offset %zu", q->version,
				      what, r->pos, n, r->name, r->end);
	*at = r->pos;
	r->pos += n;
	return COVE_OK;
}

/*
 * A length-prefixed sub-region of `r`: `n` bytes (announced by the field at
 * len_off) starting at r->pos, holding `what` and called `name` in messages.
 */
static cove_err sub_region(qparse *q, region *r, size_t n, const char *what, size_t len_off, const char *name,
			   region *out)
{
	if (r->end - r->pos < n)
		return cove_error_set(q->e, COVE_ERR_PARSE,
				      "quote v%u: %s length %zu (field at offset %zu) runs past %s, which ends at offset "
				      "%zu", q->version, what, n, len_off, r->name, r->end);
	out->pos = r->pos;
	out->end = r->pos + n;
	out->name = name;
	r->pos += n;
	return COVE_OK;
}

/* A region must be filled exactly by what it contains. */
static cove_err check_filled(qparse *q, const region *r)
{
	if (r->pos != r->end)
		return cove_error_set(q->e, COVE_ERR_PARSE,
				      "quote v%u: %zu unaccounted bytes at offset %zu inside %s (which ends at offset %zu)",
				      q->version, r->end - r->pos, r->pos, r->name, r->end);
	return COVE_OK;
}

static const char *cert_type_name(unsigned t)
{
	switch (t) {
	case COVE_DCAP_CERT_PPID_CLEARTEXT: return "PPID in clear text";
	case COVE_DCAP_CERT_PPID_RSA2048: return "PPID encrypted with RSA-2048-OAEP";
	case COVE_DCAP_CERT_PPID_RSA3072: return "PPID encrypted with RSA-3072-OAEP";
	case COVE_DCAP_CERT_PCK_LEAF: return "PCK leaf certificate";
	case COVE_DCAP_CERT_PCK_CHAIN: return "PCK certificate chain";
	case COVE_DCAP_CERT_QE_REPORT: return "QE report certification data";
	default: return "unknown";
	}
}

/*
 * Type-5 certification data: PEM certificates, NUL-terminated with the NUL
 * counted (Intel's QE; Open Enclave's sample omits the NUL), or DER
 * certificates back to back (Intel QVL's TDX sample).  Only NULs and white
 * space may follow the last certificate.
 */
static cove_err parse_chain(const uint8_t *p, size_t n, cove_x509_list *l, cove_error *e)
{
	size_t m = n;
	while (m > 0 && p[m - 1] == 0)
		m--;
	if (m == 0)
		return cove_error_set(e, COVE_ERR_PARSE, "it holds no certificate");
	if (p[0] == 0x30) {
		const unsigned char *c = p;
		while (c < p + m) {
			size_t at = (size_t)(c - p);
			X509 *x = d2i_X509(NULL, &c, (long)(p + m - c));
			if (!x)
				return cove_error_set(e, COVE_ERR_PARSE, "DER certificate %zu at byte %zu is malformed: %s",
						      l->count + 1, at, cove_openssl_error());
			cove_err rc = cove_x509_list_add(l, x, e);
			X509_free(x);
			if (rc)
				return rc;
		}
		return COVE_OK;
	}
	static const char begin[] = "-----BEGIN CERTIFICATE-----", end[] = "-----END CERTIFICATE-----";
	if (memchr(p, 0, m))
		return cove_error_set(e, COVE_ERR_PARSE, "a NUL byte at %zu precedes the end of the PEM text",
				      (size_t)((const uint8_t *)memchr(p, 0, m) - p));
	size_t blocks = 0;
	const uint8_t *last_end = NULL;
	if (!memmem(p, m, begin, sizeof(begin) - 1))
		return cove_error_set(e, COVE_ERR_PARSE, "neither DER nor PEM certificates");
	/* Every PEM block must be a certificate: OpenSSL's reader would skip others silently. */
	for (const uint8_t *s = p; (s = memmem(s, (size_t)(p + m - s), "-----BEGIN ", 11)); s++)
		blocks++;
	for (const uint8_t *s = p; (s = memmem(s, (size_t)(p + m - s), end, sizeof(end) - 1)); s++)
		last_end = s;
	if (!last_end)
		return cove_error_set(e, COVE_ERR_PARSE, "a PEM certificate has no END line");
	for (const uint8_t *s = last_end + sizeof(end) - 1; s < p + m; s++)
		if (!isspace(*s))
			return cove_error_set(e, COVE_ERR_PARSE, "byte %zu after the last PEM certificate is 0x%02x",
					      (size_t)(s - p), *s);
	cove_err rc = cove_x509_list_parse(l, p, m, e);
	if (rc)
		return rc;
	if (l->count != blocks)
		return cove_error_set(e, COVE_ERR_PARSE, "%zu PEM blocks but %zu certificates decoded", blocks,
				      l->count);
	return COVE_OK;
}

/*
 * Intel's QE writes leaf, intermediate, root; QVL's DER sample is root first.
 * Callers get the leaf first either way.
 */
static void leaf_first(cove_x509_list *l)
{
	if (l->count < 2 || !cove_x509_is_self_issued(l->certs[0]) || cove_x509_is_self_issued(l->certs[l->count - 1]))
		return;
	for (size_t i = 0, j = l->count - 1; i < j; i++, j--) {
		cove_x509 *t = l->certs[i];
		l->certs[i] = l->certs[j];
		l->certs[j] = t;
	}
}

/* Certification data header {type u16, size u32}: the type (checked first, by the caller) ... */
static cove_err cert_header(qparse *q, region *r, uint16_t *type, size_t *type_off)
{
	cove_err rc = take(q, r, DCAP_CERT_HEADER_SIZE, "certification data header", type_off);
	if (rc)
		return rc;
	*type = cove_le16(q->d + *type_off);
	return COVE_OK;
}

/* ... then the data region its size announces. */
static cove_err cert_data(qparse *q, region *r, size_t type_off, const char *name, region *data)
{
	return sub_region(q, r, cove_le32(q->d + type_off + 2), "certification data", type_off + 2, name, data);
}

/* QE report ‖ QE report signature ‖ auth data ‖ certification data (1..5): v3 tail, type-6 content. */
static cove_err parse_qe_part(qparse *q, region *r, cove_dcap_quote *out)
{
	size_t at = 0;
	cove_err rc;
	if ((rc = take(q, r, DCAP_QE_REPORT_SIZE, "QE report", &at)))
		return rc;
	out->qe_report_raw = q->d + at;
	cove_sgx_report_body_parse(out->qe_report_raw, &out->qe_report);
	if ((rc = take(q, r, DCAP_QE_REPORT_SIG_SIZE, "QE report signature", &at)))
		return rc;
	memcpy(out->qe_report_signature, q->d + at, DCAP_QE_REPORT_SIG_SIZE);
	if ((rc = take(q, r, DCAP_QE_AUTH_LEN_SIZE, "QE authentication data length", &at)))
		return rc;
	region auth = {.name = "the QE authentication data"};
	if ((rc = sub_region(q, r, cove_le16(q->d + at), "QE authentication data", at, "the QE authentication data",
			     &auth)))
		return rc;
	out->qe_auth_data = q->d + auth.pos;
	out->qe_auth_len = auth.end - auth.pos;

	uint16_t type = 0;
	size_t type_off = 0;
	region cert = {.name = "the certification data"};
	if ((rc = cert_header(q, r, &type, &type_off)))
		return rc;
	if (type < COVE_DCAP_CERT_PPID_CLEARTEXT || type > COVE_DCAP_CERT_PCK_CHAIN)
		return cove_error_set(q->e, COVE_ERR_PARSE,
				      "quote v%u: certification data type %u at offset %zu (%s)", q->version, type, type_off,
				      q->version == 3 ? "v3 allows 1 to 5" : "inside type 6 it must be 1 to 5");
	if ((rc = cert_data(q, r, type_off, "the certification data", &cert)))
		return rc;
	out->cert_type = type;
	out->cert_data = q->d + cert.pos;
	out->cert_len = cert.end - cert.pos;
	if (type == COVE_DCAP_CERT_PCK_CHAIN && !(q->flags & COVE_DCAP_PARSE_NO_CERTS)) {
		cove_error sub = {0};
		if (cove_dcap_pck_chain_parse(out->cert_data, out->cert_len, &out->pck_chain, &sub))
			return cove_error_set(q->e, sub.code == COVE_ERR_NOMEM ? COVE_ERR_NOMEM : COVE_ERR_PARSE,
					      "quote v%u: PCK certificate chain (certification data type 5 at offset %zu, "
					      "%zu bytes): %s", q->version, type_off, out->cert_len, sub.msg);
	}
	return COVE_OK;
}

/* Up to 16 printable bytes of the start of the input, for a hint about text headers. */
static void text_hint(const uint8_t *d, size_t len, char *out, size_t out_len)
{
	size_t n = 0;
	out[0] = '\0';
	for (; n < len && n < 16 && n + 1 < out_len; n++) {
		if (!isprint(d[n]))
			break;
		out[n] = (char)d[n];
	}
	if (n < 4)
		out[0] = '\0';
	else
		out[n] = '\0';
}

cove_err cove_dcap_pck_chain_parse(const uint8_t *data, size_t len, cove_x509_list *out, cove_error *e)
{
	cove_x509_list l = {0};
	cove_err rc = parse_chain(data, len, &l, e);
	if (rc) {
		cove_x509_list_free(&l);
		return rc;
	}
	leaf_first(&l);
	cove_x509_list_free(out);
	*out = l;
	return COVE_OK;
}

static cove_err parse_quote(const void *data, size_t len, unsigned flags, cove_dcap_quote *out, cove_error *e)
{
	bool prefix = flags & COVE_DCAP_PARSE_PREFIX;
	qparse q = {.d = data, .version = 0, .flags = flags, .e = e};
	region all = {.pos = 0, .end = len, .name = "the input"};
	size_t at = 0, body_off = 0, body_size;
	cove_err rc;

	memset(out, 0, sizeof(*out));
	if (!data && len)
		return cove_error_set(e, COVE_ERR_ARG, "quote: no data");
	if (len > COVE_DCAP_MAX_QUOTE_SIZE)
		return cove_error_set(e, COVE_ERR_PARSE, "quote: %zu bytes is more than the %u accepted", len,
				      COVE_DCAP_MAX_QUOTE_SIZE);
	if (len < COVE_DCAP_HEADER_SIZE)
		return cove_error_set(e, COVE_ERR_PARSE, "quote: %zu bytes is shorter than the %d-byte header", len,
				      COVE_DCAP_HEADER_SIZE);
	const uint8_t *d = data;
	out->version = cove_le16(d + DCAP_OFF_VERSION);
	if (out->version < 3 || out->version > 5) {
		char hint[20];
		text_hint(d, len, hint, sizeof(hint));
		return cove_error_set(e, COVE_ERR_PARSE, "quote version %u is not supported (3, 4 and 5 are)%s%s%s",
				      out->version, hint[0] ? "; the input starts with text \"" : "", hint,
				      hint[0] ? "\", not a quote header" : "");
	}
	q.version = out->version;
	out->att_key_type = cove_le16(d + DCAP_OFF_ATT_KEY_TYPE);
	if (out->att_key_type != DCAP_ATT_KEY_ECDSA_P256)
		return cove_error_set(e, COVE_ERR_PARSE,
				      "quote v%u: attestation key type %u at offset %d is not supported (only 2, "
				      "ECDSA-256 with P-256%s)", q.version, out->att_key_type, DCAP_OFF_ATT_KEY_TYPE,
				      out->att_key_type == DCAP_ATT_KEY_ECDSA_P384 ? "; 3 is ECDSA-384" : "");
	if (out->version == 3) {
		out->tee_type = COVE_TEE_SGX;
		out->qe_svn = cove_le16(d + DCAP_OFF_QE_SVN);
		out->pce_svn = cove_le16(d + DCAP_OFF_PCE_SVN);
	} else {
		out->tee_type = cove_le32(d + DCAP_OFF_TEE_TYPE);
		if (out->tee_type != COVE_TEE_SGX && out->tee_type != COVE_TEE_TDX)
			return cove_error_set(e, COVE_ERR_PARSE,
					      "quote v%u: TEE type 0x%x at offset %d is neither SGX (0x0) nor TDX (0x81)",
					      q.version, out->tee_type, DCAP_OFF_TEE_TYPE);
	}
	memcpy(out->qe_vendor_id, d + DCAP_OFF_QE_VENDOR_ID, 16);
	memcpy(out->user_data, d + DCAP_OFF_USER_DATA, 20);
	all.pos = DCAP_HEADER_END;

	/* Body. */
	if (out->version == 5) {
		if ((rc = take(&q, &all, DCAP_V5_OFF_BODY - DCAP_HEADER_END, "body type and size", &at)))
			return rc;
		unsigned type = cove_le16(d + DCAP_V5_OFF_BODY_TYPE);
		uint32_t size = cove_le32(d + DCAP_V5_OFF_BODY_SIZE);
		static const size_t sizes[] = {0, COVE_SGX_REPORT_BODY_SIZE, COVE_TDX_TD10_BODY_SIZE,
					       COVE_TDX_TD15_BODY_SIZE};
		if (type < COVE_DCAP_BODY_SGX || type > COVE_DCAP_BODY_TD15)
			return cove_error_set(e, COVE_ERR_PARSE,
					      "quote v5: body type %u at offset %d is unknown (1 SGX, 2 TD 1.0, 3 TD 1.5)",
					      type, DCAP_V5_OFF_BODY_TYPE);
		if ((type == COVE_DCAP_BODY_SGX) != (out->tee_type == COVE_TEE_SGX))
			return cove_error_set(e, COVE_ERR_PARSE,
					      "quote v5: body type %u at offset %d does not fit TEE type %s (SGX takes "
					      "body type 1, TDX 2 or 3)", type, DCAP_V5_OFF_BODY_TYPE,
					      out->tee_type == COVE_TEE_SGX ? "SGX" : "TDX");
		if (size != sizes[type])
			return cove_error_set(e, COVE_ERR_PARSE,
					      "quote v5: body size %u at offset %d, but a type-%u body is %zu bytes", size,
					      DCAP_V5_OFF_BODY_SIZE, type, sizes[type]);
		out->body_type = (cove_dcap_body_type)type;
		body_size = size;
	} else if (out->tee_type == COVE_TEE_SGX) {
		out->body_type = COVE_DCAP_BODY_SGX;
		body_size = COVE_SGX_REPORT_BODY_SIZE;
	} else {
		out->body_type = COVE_DCAP_BODY_TD10;
		body_size = COVE_TDX_TD10_BODY_SIZE;
	}
	if ((rc = take(&q, &all, body_size, out->body_type == COVE_DCAP_BODY_SGX ? "SGX report body" : "TD report body",
		       &body_off)))
		return rc;
	if (out->body_type == COVE_DCAP_BODY_SGX)
		cove_sgx_report_body_parse(d + body_off, &out->sgx);
	else
		td_body_parse(d + body_off, out->body_type == COVE_DCAP_BODY_TD15, &out->td);
	out->signed_data = d;
	out->signed_len = all.pos;

	/* Signature data. */
	region sig = {.name = "the signature data"};
	if ((rc = take(&q, &all, 4, "signature data length", &at)) ||
	    (rc = sub_region(&q, &all, cove_le32(d + at), "signature data", at, "the signature data", &sig)))
		return rc;
	if ((rc = take(&q, &sig, DCAP_ECDSA_SIG_SIZE, "quote signature", &at)))
		return rc;
	memcpy(out->signature, d + at, DCAP_ECDSA_SIG_SIZE);
	if ((rc = take(&q, &sig, DCAP_ECDSA_KEY_SIZE, "attestation key", &at)))
		return rc;
	memcpy(out->attest_key, d + at, DCAP_ECDSA_KEY_SIZE);

	if (out->version == 3) {
		if ((rc = parse_qe_part(&q, &sig, out)))
			goto fail;
	} else {
		uint16_t type = 0;
		size_t type_off = 0;
		region outer = {.name = "the QE report certification data (type 6)"};
		if ((rc = cert_header(&q, &sig, &type, &type_off)))
			return rc;
		if (type != COVE_DCAP_CERT_QE_REPORT)
			return cove_error_set(e, COVE_ERR_PARSE,
					      "quote v%u: certification data type %u at offset %zu (outer must be 6)",
					      q.version, type, type_off);
		if ((rc = cert_data(&q, &sig, type_off, outer.name, &outer)))
			return rc;
		if ((rc = parse_qe_part(&q, &outer, out)) || (rc = check_filled(&q, &outer)))
			goto fail;
	}
	if ((rc = check_filled(&q, &sig)))
		goto fail;
	out->quote_len = all.pos;
	out->trailing_len = len - all.pos;

	for (size_t i = all.pos; !prefix && i < len; i++) {
		if (d[i]) {
			rc = cove_error_set(e, COVE_ERR_PARSE,
					    "quote v%u: byte at offset %zu is 0x%02x, but the quote ends at offset %zu and "
					    "only zero padding may follow", q.version, i, d[i], all.pos);
			goto fail;
		}
	}
	return COVE_OK;
fail:
	cove_dcap_quote_free(out);
	return rc;
}

cove_err cove_dcap_quote_parse(const void *data, size_t len, cove_dcap_quote *out, cove_error *e)
{
	return parse_quote(data, len, 0, out, e);
}

cove_err cove_dcap_quote_parse_prefix(const void *data, size_t len, cove_dcap_quote *out, cove_error *e)
{
	return parse_quote(data, len, COVE_DCAP_PARSE_PREFIX, out, e);
}

cove_err cove_dcap_quote_parse_ex(const void *data, size_t len, unsigned flags, cove_dcap_quote *out, cove_error *e)
{
	return parse_quote(data, len, flags, out, e);
}

void cove_dcap_quote_free(cove_dcap_quote *q)
{
	if (q)
		cove_x509_list_free(&q->pck_chain);
}

/* ---- JSON ---- */

static json_t *hexj(const void *p, size_t n)
{
	char *s = cove_hex_new(p, n);
	json_t *j = json_string(s ? s : "");
	free(s);
	return j;
}

static json_t *hex64j(uint64_t v)
{
	char buf[24];
	snprintf(buf, sizeof(buf), "0x%016llx", (unsigned long long)v);
	return json_string(buf);
}

json_t *cove_sgx_report_body_to_json(const cove_sgx_report_body *b)
{
	json_t *j = json_object();
	char misc[16];
	snprintf(misc, sizeof(misc), "0x%08x", b->misc_select);
	json_object_set_new(j, "cpu_svn", hexj(b->cpu_svn, 16));
	json_object_set_new(j, "misc_select", json_string(misc));
	json_object_set_new(j, "isv_ext_prod_id", hexj(b->isv_ext_prod_id, 16));
	json_t *a = json_object();
	json_object_set_new(a, "raw", hexj(b->attributes, 16));
	json_object_set_new(a, "flags", hex64j(b->attr_flags));
	json_object_set_new(a, "xfrm", hex64j(b->attr_xfrm));
	json_object_set_new(a, "init", json_boolean(b->attr_flags & COVE_SGX_FLAGS_INIT));
	json_object_set_new(a, "debug", json_boolean(b->attr_flags & COVE_SGX_FLAGS_DEBUG));
	json_object_set_new(a, "mode64bit", json_boolean(b->attr_flags & COVE_SGX_FLAGS_MODE64BIT));
	json_object_set_new(a, "provision_key", json_boolean(b->attr_flags & COVE_SGX_FLAGS_PROVISION_KEY));
	json_object_set_new(a, "einittoken_key", json_boolean(b->attr_flags & COVE_SGX_FLAGS_EINITTOKEN_KEY));
	json_object_set_new(a, "kss", json_boolean(b->attr_flags & COVE_SGX_FLAGS_KSS));
	json_object_set_new(a, "aex_notify", json_boolean(b->attr_flags & COVE_SGX_FLAGS_AEXNOTIFY));
	json_object_set_new(j, "attributes", a);
	json_object_set_new(j, "mr_enclave", hexj(b->mr_enclave, 32));
	json_object_set_new(j, "mr_signer", hexj(b->mr_signer, 32));
	json_object_set_new(j, "config_id", hexj(b->config_id, 64));
	json_object_set_new(j, "isv_prod_id", json_integer(b->isv_prod_id));
	json_object_set_new(j, "isv_svn", json_integer(b->isv_svn));
	json_object_set_new(j, "config_svn", json_integer(b->config_svn));
	json_object_set_new(j, "isv_family_id", hexj(b->isv_family_id, 16));
	json_object_set_new(j, "report_data", hexj(b->report_data, 64));
	return j;
}

json_t *cove_tdx_td_body_to_json(const cove_tdx_td_body *b)
{
	json_t *j = json_object();
	json_object_set_new(j, "tee_tcb_svn", hexj(b->tee_tcb_svn, 16));
	json_object_set_new(j, "mr_seam", hexj(b->mr_seam, 48));
	json_object_set_new(j, "mr_signer_seam", hexj(b->mr_signer_seam, 48));
	json_object_set_new(j, "seam_attributes", hex64j(b->seam_attributes));
	json_t *a = json_object();
	json_object_set_new(a, "raw", hex64j(b->td_attributes));
	json_object_set_new(a, "debug", json_boolean(b->td_attributes & COVE_TDX_ATTR_DEBUG));
	json_object_set_new(a, "sept_ve_disable", json_boolean(b->td_attributes & COVE_TDX_ATTR_SEPT_VE_DISABLE));
	json_object_set_new(a, "pks", json_boolean(b->td_attributes & COVE_TDX_ATTR_PKS));
	json_object_set_new(a, "key_locker", json_boolean(b->td_attributes & COVE_TDX_ATTR_KL));
	json_object_set_new(a, "perfmon", json_boolean(b->td_attributes & COVE_TDX_ATTR_PERFMON));
	json_object_set_new(j, "td_attributes", a);
	json_object_set_new(j, "xfam", hex64j(b->xfam));
	json_object_set_new(j, "mr_td", hexj(b->mr_td, 48));
	json_object_set_new(j, "mr_config_id", hexj(b->mr_config_id, 48));
	json_object_set_new(j, "mr_owner", hexj(b->mr_owner, 48));
	json_object_set_new(j, "mr_owner_config", hexj(b->mr_owner_config, 48));
	for (int i = 0; i < 4; i++) {
		char key[8];
		snprintf(key, sizeof(key), "rtmr%d", i);
		json_object_set_new(j, key, hexj(b->rtmr[i], 48));
	}
	json_object_set_new(j, "report_data", hexj(b->report_data, 64));
	if (b->is_15) {
		json_object_set_new(j, "tee_tcb_svn2", hexj(b->tee_tcb_svn2, 16));
		json_object_set_new(j, "mr_service_td", hexj(b->mr_service_td, 48));
	}
	return j;
}

static json_t *name_json(X509_NAME *n)
{
	char buf[512] = "";
	BIO *b = BIO_new(BIO_s_mem());
	if (b) {
		X509_NAME_print_ex(b, n, 0, XN_FLAG_RFC2253);
		int k = BIO_read(b, buf, (int)sizeof(buf) - 1);
		buf[k > 0 ? k : 0] = '\0';
		BIO_free(b);
	}
	return json_string(buf);
}

static json_t *cert_json(cove_x509 *c)
{
	json_t *j = json_object();
	char serial[96], when[32];
	uint8_t fp[COVE_SHA256_LEN];
	json_object_set_new(j, "subject", name_json(X509_get_subject_name(c)));
	json_object_set_new(j, "issuer", name_json(X509_get_issuer_name(c)));
	cove_x509_serial_hex(c, serial, sizeof(serial));
	json_object_set_new(j, "serial", json_string(serial));
	cove_time_format(cove_x509_not_before(c), when);
	json_object_set_new(j, "not_before", json_string(when));
	cove_time_format(cove_x509_not_after(c), when);
	json_object_set_new(j, "not_after", json_string(when));
	if (cove_x509_sha256(c, fp, NULL) == COVE_OK)
		json_object_set_new(j, "sha256", hexj(fp, sizeof(fp)));
	const uint8_t *ext;
	size_t ext_len;
	bool found = false;
	cove_error err = {0};
	if (cove_x509_extension(c, "1.2.840.113741.1.13.1", &ext, &ext_len, &found, &err) != COVE_OK) {
		json_object_set_new(j, "pck_extension_error", json_string(err.msg));
	} else if (found) {
		cove_sgx_pck_ext x;
		if (cove_sgx_pck_ext_parse_der(ext, ext_len, &x, &err) == COVE_OK)
			json_object_set_new(j, "pck_extension", cove_sgx_pck_ext_to_json(&x));
		else
			json_object_set_new(j, "pck_extension_error", json_string(err.msg));
	}
	return j;
}

static size_t offset_of(const cove_dcap_quote *q, const uint8_t *p)
{
	return (size_t)(p - q->signed_data);
}

json_t *cove_dcap_quote_to_json(const cove_dcap_quote *q)
{
	char buf[32];
	json_t *j = json_object();

	json_t *h = json_object();
	json_object_set_new(h, "version", json_integer(q->version));
	json_object_set_new(h, "att_key_type", json_integer(q->att_key_type));
	json_object_set_new(h, "att_key_type_name", json_string(q->att_key_type == 2 ? "ECDSA-256 with P-256" : "?"));
	snprintf(buf, sizeof(buf), "0x%02x", q->tee_type);
	json_object_set_new(h, "tee_type", json_string(buf));
	json_object_set_new(h, "tee", json_string(q->tee_type == COVE_TEE_TDX ? "TDX" : "SGX"));
	if (q->version == 3) {
		json_object_set_new(h, "qe_svn", json_integer(q->qe_svn));
		json_object_set_new(h, "pce_svn", json_integer(q->pce_svn));
	}
	json_object_set_new(h, "qe_vendor_id", hexj(q->qe_vendor_id, 16));
	json_object_set_new(h, "qe_vendor",
			    json_string(memcmp(q->qe_vendor_id, intel_qe_vendor_id, 16) == 0 ? "Intel" : "unknown"));
	json_object_set_new(h, "user_data", hexj(q->user_data, 20));
	json_object_set_new(j, "header", h);

	static const char *const body_names[] = {"?", "SGX report body", "TD report body (TDX 1.0)",
						 "TD report body (TDX 1.5)"};
	json_object_set_new(j, "body_type", json_integer(q->body_type));
	json_object_set_new(j, "body_type_name", json_string(body_names[q->body_type <= 3 ? q->body_type : 0]));
	json_object_set_new(j, "body", q->body_type == COVE_DCAP_BODY_SGX ? cove_sgx_report_body_to_json(&q->sgx)
									  : cove_tdx_td_body_to_json(&q->td));

	json_t *s = json_object();
	json_object_set_new(s, "signed_bytes", json_integer((json_int_t)q->signed_len));
	json_object_set_new(s, "signature", hexj(q->signature, 64));
	json_object_set_new(s, "attestation_key", hexj(q->attest_key, 64));
	json_object_set_new(s, "qe_report_offset", json_integer((json_int_t)offset_of(q, q->qe_report_raw)));
	json_object_set_new(s, "qe_report", cove_sgx_report_body_to_json(&q->qe_report));
	json_object_set_new(s, "qe_report_signature", hexj(q->qe_report_signature, 64));
	json_object_set_new(s, "qe_auth_data", hexj(q->qe_auth_data, q->qe_auth_len));

	json_t *c = json_object();
	json_object_set_new(c, "type", json_integer(q->cert_type));
	json_object_set_new(c, "type_name", json_string(cert_type_name(q->cert_type)));
	json_object_set_new(c, "offset", json_integer((json_int_t)offset_of(q, q->cert_data)));
	json_object_set_new(c, "size", json_integer((json_int_t)q->cert_len));
	if (q->cert_type == COVE_DCAP_CERT_PCK_CHAIN) {
		json_t *certs = json_array();
		for (size_t i = 0; i < q->pck_chain.count; i++)
			json_array_append_new(certs, cert_json(q->pck_chain.certs[i]));
		json_object_set_new(c, "certificates", certs);
	} else {
		json_object_set_new(c, "data", hexj(q->cert_data, q->cert_len));
	}
	json_object_set_new(s, "certification_data", c);
	json_object_set_new(j, "signature_data", s);

	json_object_set_new(j, "quote_len", json_integer((json_int_t)q->quote_len));
	json_object_set_new(j, "trailing_bytes", json_integer((json_int_t)q->trailing_len));
	return j;
}
