/*
 * Intel PCS / PCCS client for DCAP collateral (public API in
 * cove/dcap_pcs.h).
 *
 * Paths and headers, checked against public sources:
 *   - Intel PCS v4 documentation (api.portal.trustedservices.intel.com,
 *     "pcs-tcb-info-tdx-v4", "pcs-enclave-identity-v4", "pcs-revocation-v4"),
 *     as cited by google/go-tdx-guest pcs/pcs.go: base URLs
 *     https://api.trustedservices.intel.com/{sgx,tdx}/certification/v4,
 *     /tcb?fmspc=, /qe/identity, /pckcrl?ca=&encoding=der, headers
 *     TCB-Info-Issuer-Chain, SGX-Enclave-Identity-Issuer-Chain,
 *     SGX-PCK-CRL-Issuer-Chain;
 *   - intel/SGXDataCenterAttestationPrimitives QuoteGeneration/pccs:
 *     routes/index.js (sgxRouter: /pckcrl, /tcb, /qe/identity, /rootcacrl;
 *     tdxRouter: /tcb, /qe/identity, mounted under /{sgx,tdx}/certification/v4),
 *     constants/index.js (TCB-Info-Issuer-Chain and the older
 *     SGX-TCB-Info-Issuer-Chain), services/rootcacrlService.js (the root CA
 *     CRL answered as hex text "for backward compatibility");
 *   - Phala-Network/dcap-qvl src/collateral.rs (same paths, URL-decoded
 *     header values, SGX-TCB-Info-Issuer-Chain falling back to
 *     TCB-Info-Issuer-Chain);
 *   - the Intel SGX Root CA's CRL distribution point,
 *     https://certificates.trustedservices.intel.com/IntelSGXRootCA.der.
 *
 * Each item is cached on its own (so the CRLs and QE identity are shared by
 * every FMSPC) as a small JSON envelope holding what the service sent: the
 * body (the PCS JSON as served, or the CRL as hex DER) and the URL-decoded
 * issuer chain.  Everything is parsed before it is cached or returned, so
 * the cache only holds well-formed items; a cached file that no longer
 * parses is treated as missing.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <jansson.h>

#include "cove/crypto.h"
#include "cove/dcap_pcs.h"
#include "net/cache.h"
#include "net/http.h"

struct cove_dcap_pcs {
	cove_dcap_pcs_opts o;
	char *base_url;     /* without trailing '/' */
	char *root_crl_url;
	char *cache_dir;    /* NULL: no cache */
	cove_http *http;
};

void cove_dcap_pcs_opts_init(cove_dcap_pcs_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->max_retries = 3;
	o->retry_delay_ms = 2000;
	o->max_wait_ms = 60000;
	o->timeout_ms = 30000;
	o->connect_timeout_ms = 10000;
	o->max_response = 1u << 20;
}

static cove_err check_url(const char *what, const char *url, bool query_ok, cove_error *e)
{
	if (strncasecmp(url, "https://", 8) != 0 && strncasecmp(url, "http://", 7) != 0)
		return cove_error_set(e, COVE_ERR_ARG, "%s '%s' is not an http:// or https:// URL", what, url);
	if (strpbrk(url, query_ok ? "# \t\r\n" : "?# \t\r\n"))
		return cove_error_set(e, COVE_ERR_ARG, "%s '%s' must not contain %sa fragment or white space", what, url,
				      query_ok ? "" : "a query, ");
	return COVE_OK;
}

/* The service root: no trailing '/', nor the "/sgx/certification/v4" a PCCS_URL often carries. */
static char *service_root(const char *url)
{
	static const char *const suffixes[] = {"/sgx/certification/v4", "/tdx/certification/v4"};
	size_t n = strlen(url);
	while (n > 1 && url[n - 1] == '/')
		n--;
	for (size_t i = 0; i < 2; i++) {
		size_t k = strlen(suffixes[i]);
		if (n > k && strncasecmp(url + n - k, suffixes[i], k) == 0) {
			n -= k;
			break;
		}
	}
	while (n > 1 && url[n - 1] == '/')
		n--;
	return strndup(url, n);
}

cove_err cove_dcap_pcs_new(const cove_dcap_pcs_opts *opts, cove_dcap_pcs **out, cove_error *e)
{
	cove_err rc;
	cove_dcap_pcs_opts defaults;
	if (!out)
		return cove_error_set(e, COVE_ERR_ARG, "cove_dcap_pcs_new: no output");
	*out = NULL;
	if (!opts) {
		cove_dcap_pcs_opts_init(&defaults);
		opts = &defaults;
	}
	const char *base = opts->base_url ? opts->base_url : COVE_DCAP_PCS_DEFAULT_URL;
	if ((rc = check_url("PCS base URL", base, false, e)))
		return rc;
	if (opts->root_crl_url && (rc = check_url("root CA CRL URL", opts->root_crl_url, true, e)))
		return rc;
	if (opts->offline && !opts->cache_dir)
		return cove_error_set(e, COVE_ERR_ARG, "offline PCS mode needs a cache directory");
	if (opts->max_response == 0)
		return cove_error_set(e, COVE_ERR_ARG,
				      "max_response is 0 (initialise options with cove_dcap_pcs_opts_init)");

	cove_dcap_pcs *p = calloc(1, sizeof(*p));
	if (!p)
		return cove_error_set(e, COVE_ERR_NOMEM, "out of memory");
	p->o = *opts;
	p->o.base_url = p->o.root_crl_url = p->o.ca_file = p->o.cache_dir = NULL;
	if (!(p->base_url = service_root(base)))
		goto nomem;
	if (opts->root_crl_url)
		p->root_crl_url = strdup(opts->root_crl_url);
	else if (opts->base_url) {
		if (asprintf(&p->root_crl_url, "%s/sgx/certification/v4/rootcacrl", p->base_url) < 0)
			p->root_crl_url = NULL;
	} else
		p->root_crl_url = strdup(COVE_DCAP_PCS_ROOT_CRL_URL);
	if (!p->root_crl_url)
		goto nomem;
	if (opts->cache_dir) {
		size_t n = strlen(opts->cache_dir);
		while (n > 1 && opts->cache_dir[n - 1] == '/')
			n--;
		if (!(p->cache_dir = strndup(opts->cache_dir, n)))
			goto nomem;
		if (!opts->offline && (rc = cove_cache_mkdirs(p->cache_dir, e)))
			goto fail;
	}
	if (!opts->offline) {
		cove_http_opts ho = {
			.service = opts->base_url ? "PCCS" : "Intel PCS",
			.user_agent = "cove/0.1 (DCAP collateral)",
			.ca_file = opts->ca_file,
			.max_retries = opts->max_retries,
			.retry_delay_ms = opts->retry_delay_ms,
			.max_wait_ms = opts->max_wait_ms,
			.timeout_ms = opts->timeout_ms,
			.connect_timeout_ms = opts->connect_timeout_ms,
			.max_response = opts->max_response,
		};
		if ((rc = cove_http_new(&ho, &p->http, e)))
			goto fail;
	}
	*out = p;
	return COVE_OK;
nomem:
	rc = cove_error_set(e, COVE_ERR_NOMEM, "out of memory");
fail:
	cove_dcap_pcs_free(p);
	return rc;
}

void cove_dcap_pcs_free(cove_dcap_pcs *p)
{
	if (!p)
		return;
	cove_http_free(p->http);
	free(p->base_url);
	free(p->root_crl_url);
	free(p->cache_dir);
	free(p);
}

/* ---- items ---- */

typedef enum item_kind { ITEM_PCK_CRL, ITEM_ROOT_CRL, ITEM_TCB_INFO, ITEM_QE_IDENTITY } item_kind;

static const char *const tcb_headers[] = {"TCB-Info-Issuer-Chain", "SGX-TCB-Info-Issuer-Chain", NULL};
static const char *const qe_headers[] = {"SGX-Enclave-Identity-Issuer-Chain", NULL};
static const char *const crl_headers[] = {"SGX-PCK-CRL-Issuer-Chain", NULL};

typedef struct item {
	item_kind kind;
	const char *what;              /* for messages */
	const char *const *headers;    /* where the issuer chain comes; NULL for the root CA CRL */
	char *url;
	char path[PATH_MAX];           /* "" without a cache */
	cove_tee_type tee;
	uint8_t fmspc[6];
} item;

static bool is_crl(const item *it)
{
	return it->kind == ITEM_PCK_CRL || it->kind == ITEM_ROOT_CRL;
}

static cove_x509_list *chain_slot(item_kind k, cove_dcap_collateral *c)
{
	switch (k) {
	case ITEM_PCK_CRL: return &c->pck_crl_issuer_chain;
	case ITEM_TCB_INFO: return &c->tcb_info_issuer_chain;
	case ITEM_QE_IDENTITY: return &c->qe_identity_issuer_chain;
	case ITEM_ROOT_CRL: break;
	}
	return NULL;
}

/* Move one item's fields from `src` to `dst` (whose fields for it are empty). */
static void move_item(item_kind k, cove_dcap_collateral *dst, cove_dcap_collateral *src)
{
	cove_x509_list *from = chain_slot(k, src), *to = chain_slot(k, dst);
	if (from) {
		*to = *from;
		memset(from, 0, sizeof(*from));
	}
	switch (k) {
	case ITEM_PCK_CRL:
		dst->pck_crl = src->pck_crl;
		src->pck_crl = NULL;
		break;
	case ITEM_ROOT_CRL:
		dst->root_ca_crl = src->root_ca_crl;
		src->root_ca_crl = NULL;
		break;
	case ITEM_TCB_INFO:
		dst->tcb_info = src->tcb_info;
		dst->tcb_info_raw = src->tcb_info_raw;
		memcpy(dst->tcb_info_signature, src->tcb_info_signature, 64);
		memset(&src->tcb_info, 0, sizeof(src->tcb_info));
		memset(&src->tcb_info_raw, 0, sizeof(src->tcb_info_raw));
		break;
	case ITEM_QE_IDENTITY:
		dst->qe_identity = src->qe_identity;
		dst->qe_identity_raw = src->qe_identity_raw;
		memcpy(dst->qe_identity_signature, src->qe_identity_signature, 64);
		memset(&src->qe_identity, 0, sizeof(src->qe_identity));
		memset(&src->qe_identity_raw, 0, sizeof(src->qe_identity_raw));
		break;
	}
}

/*
 * Parse an item's body and issuer chain (from `where`) into `c` and give
 * its nextUpdate.  Everything wrong is COVE_ERR_UNAVAILABLE: the service
 * (or the cache) did not give us the collateral.
 */
static cove_err accept_item(const item *it, const void *body, size_t len, const char *chain, size_t chain_len,
			    const char *where, cove_dcap_collateral *c, int64_t *next, cove_error *e)
{
	char hex[13];
	cove_err rc;
	*next = 0;
	switch (it->kind) {
	case ITEM_PCK_CRL:
	case ITEM_ROOT_CRL: {
		cove_x509_crl **slot = it->kind == ITEM_PCK_CRL ? &c->pck_crl : &c->root_ca_crl;
		if ((rc = cove_dcap_crl_parse(body, len, slot, e)))
			return cove_error_wrap(e, COVE_ERR_UNAVAILABLE, "the %s from %s is not a CRL", it->what, where);
		*next = cove_x509_crl_next_update(*slot);
		break;
	}
	case ITEM_TCB_INFO:
		if ((rc = cove_dcap_collateral_set_tcb_info_body(c, body, len, e)))
			return cove_error_wrap(e, COVE_ERR_UNAVAILABLE, "the TCB info from %s is unusable", where);
		if (memcmp(c->tcb_info.fmspc, it->fmspc, 6) != 0) {
			cove_hex_write(hex, c->tcb_info.fmspc, 6);
			return cove_error_set(e, COVE_ERR_UNAVAILABLE, "%s gave a TCB info for FMSPC %s, not the one asked for",
					      where, hex);
		}
		if (it->tee == COVE_TEE_TDX ? strcmp(c->tcb_info.id, "TDX") != 0 : strcmp(c->tcb_info.id, "TDX") == 0)
			return cove_error_set(e, COVE_ERR_UNAVAILABLE, "%s gave a TCB info with id \"%s\" for %s", where,
					      c->tcb_info.id, it->tee == COVE_TEE_TDX ? "TDX" : "SGX");
		*next = c->tcb_info.next_update;
		break;
	case ITEM_QE_IDENTITY: {
		const char *want = it->tee == COVE_TEE_TDX ? "TD_QE" : "QE";
		if ((rc = cove_dcap_collateral_set_qe_identity_body(c, body, len, e)))
			return cove_error_wrap(e, COVE_ERR_UNAVAILABLE, "the QE identity from %s is unusable", where);
		if (strcmp(c->qe_identity.id, want) != 0)
			return cove_error_set(e, COVE_ERR_UNAVAILABLE, "%s gave the identity of \"%s\", not of \"%s\"", where,
					      c->qe_identity.id, want);
		*next = c->qe_identity.next_update;
		break;
	}
	}
	cove_x509_list *l = chain_slot(it->kind, c);
	if (l && (rc = cove_x509_list_parse(l, chain, chain_len, e)))
		return cove_error_wrap(e, COVE_ERR_UNAVAILABLE, "the issuer chain of the %s from %s is not PEM certificates",
				       it->what, where);
	return COVE_OK;
}

/* ---- cache envelopes: {"url", "issuer_chain"?, "body" (PCS JSON) | "crl" (hex DER)} ---- */

static cove_err envelope_write(const item *it, const cove_dcap_collateral *c, const void *body, size_t len,
			       const char *chain, size_t chain_len, cove_error *e)
{
	cove_err rc = COVE_OK;
	cove_buf der = {0};
	char *hex = NULL, *text = NULL;
	json_t *o = json_object();
	if (!o)
		return cove_error_set(e, COVE_ERR_NOMEM, "out of memory");
	if (json_object_set_new(o, "url", json_string(it->url))) {
		rc = cove_error_set(e, COVE_ERR_NOMEM, "out of memory");
		goto out;
	}
	if (chain && json_object_set_new(o, "issuer_chain", json_stringn(chain, chain_len))) {
		rc = cove_error_set(e, COVE_ERR_UNAVAILABLE, "the issuer chain from %s is not text", it->url);
		goto out;
	}
	if (is_crl(it)) {
		/* The DER the CRL was parsed from, whatever encoding the service chose. */
		if ((rc = cove_x509_crl_der(it->kind == ITEM_PCK_CRL ? c->pck_crl : c->root_ca_crl, &der, e)))
			goto out;
		if (!(hex = cove_hex_new(der.data, der.len)) || json_object_set_new(o, "crl", json_string(hex))) {
			rc = cove_error_set(e, COVE_ERR_NOMEM, "out of memory");
			goto out;
		}
	} else if (json_object_set_new(o, "body", json_stringn(body, len))) {
		rc = cove_error_set(e, COVE_ERR_UNAVAILABLE, "the body from %s is not text", it->url);
		goto out;
	}
	if (!(text = json_dumps(o, JSON_COMPACT))) {
		rc = cove_error_set(e, COVE_ERR_NOMEM, "out of memory");
		goto out;
	}
	rc = cove_cache_write(it->path, text, strlen(text), e);
out:
	free(text);
	free(hex);
	cove_buf_free(&der);
	json_decref(o);
	return rc;
}

/* Load a cached envelope into `c`; *next is the item's nextUpdate. */
static cove_err envelope_read(const item *it, const cove_buf *raw, cove_dcap_collateral *c, int64_t *next,
			      cove_error *e)
{
	cove_err rc;
	json_error_t je;
	const char *key = is_crl(it) ? "crl" : "body";
	json_t *o = json_loadb((const char *)raw->data, raw->len, JSON_REJECT_DUPLICATES, &je);
	json_t *b = json_object_get(o, key), *ch = json_object_get(o, "issuer_chain");
	if (!o || !json_is_string(b) || (it->headers && !json_is_string(ch))) {
		rc = cove_error_set(e, COVE_ERR_UNAVAILABLE, "%s is not a cove PCS cache entry (\"%s\"%s)", it->path, key,
				    it->headers ? " and \"issuer_chain\"" : "");
		goto out;
	}
	rc = accept_item(it, json_string_value(b), json_string_length(b), ch ? json_string_value(ch) : NULL,
			 ch ? json_string_length(ch) : 0, it->path, c, next, e);
out:
	json_decref(o);
	return rc;
}

/* ---- cache + network ---- */

static cove_err fetch_item(cove_dcap_pcs *p, const item *it, cove_dcap_collateral *out, cove_error *e)
{
	cove_err rc;
	cove_buf raw = {0}, body = {0};
	cove_dcap_collateral tmp;
	char *header = NULL, *chain = NULL;
	int chain_len = 0;
	bool found = false;
	int64_t next = 0;
	cove_error ce = {0}; /* why the cached copy could not be used */
	memset(&tmp, 0, sizeof(tmp));

	if (it->path[0]) {
		size_t max = p->o.max_response > (SIZE_MAX - 65536) / 3 ? SIZE_MAX : 3 * p->o.max_response + 65536;
		if (cove_cache_read(it->path, max, &raw, &found, &ce) == COVE_OK && found &&
		    envelope_read(it, &raw, &tmp, &next, &ce) == COVE_OK) {
			int64_t now = p->o.now ? p->o.now : cove_time_now();
			/* A hit makes no request, unless the item is past its nextUpdate (and we may go online). */
			if (p->o.offline || (next != 0 && now <= next)) {
				move_item(it->kind, out, &tmp);
				rc = COVE_OK;
				goto done;
			}
		}
		cove_dcap_collateral_free(&tmp);
	}
	if (p->o.offline) {
		if (ce.msg[0])
			rc = cove_error_set(e, COVE_ERR_UNAVAILABLE, "offline, and the cached %s is unusable: %s", it->what,
					    ce.msg);
		else
			rc = cove_error_set(e, COVE_ERR_UNAVAILABLE, "offline, and the %s is not cached (%s)", it->what,
					    it->path);
		goto done;
	}
	if ((rc = cove_http_get(p->http, it->url, it->headers, &body, it->headers ? &header : NULL, e)))
		goto done;
	if (it->headers) {
		if (!header) {
			rc = cove_error_set(e, COVE_ERR_UNAVAILABLE, "%s came without the %s header (its issuer chain)",
					    it->url, it->headers[0]);
			goto done;
		}
		/* The chain is URL-encoded PEM (PCS v4 documentation; dcap-qvl, go-tdx-guest decode it so). */
		if (!(chain = curl_easy_unescape(NULL, header, 0, &chain_len))) {
			rc = cove_error_set(e, COVE_ERR_NOMEM, "out of memory");
			goto done;
		}
	}
	if ((rc = accept_item(it, body.data, body.len, chain, (size_t)chain_len, it->url, &tmp, &next, e)))
		goto done;
	if (it->path[0] && (rc = envelope_write(it, &tmp, body.data, body.len, chain, (size_t)chain_len, e)))
		goto done;
	move_item(it->kind, out, &tmp);
done:
	cove_dcap_collateral_free(&tmp);
	cove_buf_free(&raw);
	cove_buf_free(&body);
	free(header);
	curl_free(chain);
	return rc;
}

static cove_err item_path(cove_dcap_pcs *p, item *it, const char *rel, cove_error *e)
{
	if (!p->cache_dir)
		return COVE_OK;
	if ((size_t)snprintf(it->path, sizeof(it->path), "%s/%s", p->cache_dir, rel) >= sizeof(it->path))
		return cove_error_set(e, COVE_ERR_ARG, "cache directory path is too long");
	return COVE_OK;
}

cove_err cove_dcap_pcs_get_collateral(cove_dcap_pcs *p, cove_tee_type tee, const uint8_t fmspc[6], const char *ca,
				      cove_dcap_collateral *out, cove_error *e)
{
	cove_err rc = COVE_OK;
	cove_dcap_collateral c;
	item items[4];
	char fm[13], rel[64];
	memset(&c, 0, sizeof(c));
	memset(items, 0, sizeof(items));
	if (!p || !fmspc || !out)
		return cove_error_set(e, COVE_ERR_ARG, "cove_dcap_pcs_get_collateral: missing argument");
	memset(out, 0, sizeof(*out));
	if (tee != COVE_TEE_SGX && tee != COVE_TEE_TDX)
		return cove_error_set(e, COVE_ERR_ARG, "TEE type 0x%x is neither SGX (0x00) nor TDX (0x81)", (unsigned)tee);
	if (!ca || (strcasecmp(ca, "processor") != 0 && strcasecmp(ca, "platform") != 0))
		return cove_error_set(e, COVE_ERR_ARG, "PCK CA '%s' is neither \"processor\" nor \"platform\"",
				      ca ? ca : "(none)");
	const char *cas = strcasecmp(ca, "processor") == 0 ? "processor" : "platform";
	const char *t = tee == COVE_TEE_TDX ? "tdx" : "sgx";
	/* Upper case, as the TCB info itself and Intel's documentation write FMSPCs. */
	for (int i = 0; i < 6; i++)
		snprintf(fm + 2 * i, 3, "%02X", fmspc[i]);

	items[0] = (item){.kind = ITEM_PCK_CRL, .what = "PCK CRL", .headers = crl_headers};
	items[1] = (item){.kind = ITEM_ROOT_CRL, .what = "root CA CRL"};
	items[2] = (item){.kind = ITEM_TCB_INFO, .what = "TCB info", .headers = tcb_headers};
	items[3] = (item){.kind = ITEM_QE_IDENTITY, .what = "QE identity", .headers = qe_headers};
	for (int i = 0; i < 4; i++) {
		items[i].tee = tee;
		memcpy(items[i].fmspc, fmspc, 6);
	}
	if (asprintf(&items[0].url, "%s/sgx/certification/v4/pckcrl?ca=%s&encoding=der", p->base_url, cas) < 0)
		items[0].url = NULL;
	items[1].url = strdup(p->root_crl_url);
	if (asprintf(&items[2].url, "%s/%s/certification/v4/tcb?fmspc=%s", p->base_url, t, fm) < 0)
		items[2].url = NULL;
	if (asprintf(&items[3].url, "%s/%s/certification/v4/qe/identity", p->base_url, t) < 0)
		items[3].url = NULL;
	for (int i = 0; i < 4; i++) {
		if (!items[i].url) {
			rc = cove_error_set(e, COVE_ERR_NOMEM, "out of memory");
			goto out;
		}
	}
	snprintf(rel, sizeof(rel), "pckcrl/%s.json", cas);
	if ((rc = item_path(p, &items[0], rel, e)) || (rc = item_path(p, &items[1], "rootcacrl.json", e)))
		goto out;
	snprintf(rel, sizeof(rel), "%s/tcb/%s.json", t, fm);
	if ((rc = item_path(p, &items[2], rel, e)))
		goto out;
	snprintf(rel, sizeof(rel), "%s/qe_identity.json", t);
	if ((rc = item_path(p, &items[3], rel, e)))
		goto out;

	for (int i = 0; i < 4; i++)
		if ((rc = fetch_item(p, &items[i], &c, e)))
			goto out;
	*out = c;
	memset(&c, 0, sizeof(c));
out:
	cove_dcap_collateral_free(&c);
	for (int i = 0; i < 4; i++)
		free(items[i].url);
	return rc;
}
