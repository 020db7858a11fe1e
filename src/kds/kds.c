/*
 * AMD Key Distribution Service client for SEV-SNP collateral (public API in
 * cove/snp_kds.h).
 *
 * URLs (AMD 57230; go-sev-guest kds/kds.go, virtee/snpguest src/fetch.rs,
 * shared/research/snp.md section b):
 *   VCEK Milan/Genoa {base}/vcek/v1/{product}/{hex(CHIP_ID[0:64])}?blSPL=&teeSPL=&snpSPL=&ucodeSPL=
 *   VCEK Turin       {base}/vcek/v1/Turin/{hex(CHIP_ID[0:8])}?fmcSPL=&blSPL=&teeSPL=&snpSPL=&ucodeSPL=
 *                    (KDS answers 404 to the 64-byte form: AMDESE/AMDSEV #285, microsoft/CCF #7499)
 *   chain            {base}/{vcek|vlek}/v1/{product}/cert_chain   (PEM, ASK|ASVK then ARK)
 *   CRL              {base}/{vcek|vlek}/v1/{product}/crl          (DER, signed by the ARK)
 * SPLs are written as plain decimal, as go-sev-guest does.  Everything a
 * response yields is parsed before it is cached or returned, so the cache
 * only ever holds well-formed objects; a cached file that no longer parses
 * is treated as missing.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>


#include "cove/crypto.h"
#include "cove/snp_kds.h"
#include "net/cache.h"
#include "net/http.h"

/* Collateral objects are a few KiB; a larger cache file is not ours. */
#define CACHE_FILE_MAX (1u << 20)

struct cove_snp_kds {
	cove_snp_kds_opts o;
	char *base_url;  /* without trailing '/' */
	char *cache_dir; /* NULL: no cache */
	cove_http *http;
};

void cove_snp_kds_opts_init(cove_snp_kds_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->max_retries = 3;
	o->retry_delay_ms = 2000;
	o->max_wait_ms = 60000;
	o->timeout_ms = 30000;
	o->connect_timeout_ms = 10000;
	o->max_response = 1u << 20;
}

static cove_err check_base_url(const char *url, cove_error *e)
{
	if (strncasecmp(url, "https://", 8) != 0 && strncasecmp(url, "http://", 7) != 0)
		return cove_error_set(e, COVE_ERR_ARG, "KDS base URL '%s' is not an http:// or https:// URL", url);
	if (strpbrk(url, "?# \t\r\n"))
		return cove_error_set(e, COVE_ERR_ARG, "KDS base URL '%s' must not contain a query, fragment or space",
				      url);
	return COVE_OK;
}

static char *strip_slashes(const char *s)
{
	size_t n = strlen(s);
	while (n > 1 && s[n - 1] == '/')
		n--;
	return strndup(s, n);
}

cove_err cove_snp_kds_new(const cove_snp_kds_opts *opts, cove_snp_kds **out, cove_error *e)
{
	cove_err rc;
	cove_snp_kds_opts defaults;
	if (!opts) {
		cove_snp_kds_opts_init(&defaults);
		opts = &defaults;
	}
	const char *base = opts->base_url ? opts->base_url : COVE_SNP_KDS_DEFAULT_URL;
	*out = NULL;
	if ((rc = check_base_url(base, e)))
		return rc;
	if (opts->offline && !opts->cache_dir)
		return cove_error_set(e, COVE_ERR_ARG, "offline KDS mode needs a cache directory");
	if (opts->max_response == 0)
		return cove_error_set(e, COVE_ERR_ARG, "max_response is 0 (initialise options with cove_snp_kds_opts_init)");

	cove_snp_kds *k = calloc(1, sizeof(*k));
	if (!k)
		return cove_error_set(e, COVE_ERR_NOMEM, "out of memory");
	k->o = *opts;
	k->o.base_url = NULL;
	k->o.cache_dir = NULL;
	k->base_url = strip_slashes(base);
	if (!k->base_url || (opts->cache_dir && !(k->cache_dir = strip_slashes(opts->cache_dir)))) {
		rc = cove_error_set(e, COVE_ERR_NOMEM, "out of memory");
		goto fail;
	}
	if (k->cache_dir && !opts->offline && (rc = cove_cache_mkdirs(k->cache_dir, e)))
		goto fail;
	if (!opts->offline) {
		cove_http_opts ho = {
			.service = "AMD KDS",
			.user_agent = "cove/0.1 (SEV-SNP collateral)",
			.max_retries = opts->max_retries,
			.retry_delay_ms = opts->retry_delay_ms,
			.max_wait_ms = opts->max_wait_ms,
			.timeout_ms = opts->timeout_ms,
			.connect_timeout_ms = opts->connect_timeout_ms,
			.max_response = opts->max_response,
		};
		if ((rc = cove_http_new(&ho, &k->http, e)))
			goto fail;
	}
	*out = k;
	return COVE_OK;
fail:
	cove_snp_kds_free(k);
	return rc;
}

void cove_snp_kds_free(cove_snp_kds *k)
{
	if (!k)
		return;
	cove_http_free(k->http);
	free(k->base_url);
	free(k->cache_dir);
	free(k);
}

static cove_err check_product(cove_snp_product p, cove_error *e)
{
	if (p != COVE_SNP_MILAN && p != COVE_SNP_GENOA && p != COVE_SNP_TURIN)
		return cove_error_set(e, COVE_ERR_ARG, "AMD KDS serves Milan, Genoa and Turin; product '%s' has no collateral",
				      cove_snp_product_name(p));
	return COVE_OK;
}

/* Turin VCEKs are indexed by the first 8 bytes of CHIP_ID, earlier products by all 64. */
static size_t hwid_len(cove_snp_product p)
{
	return p == COVE_SNP_TURIN ? 8 : 64;
}

cove_err cove_snp_kds_format_vcek_url(const char *base_url, cove_snp_product p, const uint8_t chip_id[64],
				      uint64_t reported_tcb, char **out, cove_error *e)
{
	cove_err rc;
	char hwid[129], query[128];
	*out = NULL;
	if ((rc = check_product(p, e)))
		return rc;
	size_t n = hwid_len(p);
	cove_hex_write(hwid, chip_id, n);
	cove_snp_tcb t = cove_snp_tcb_decode(reported_tcb, p);
	if (p == COVE_SNP_TURIN)
		snprintf(query, sizeof(query), "fmcSPL=%u&blSPL=%u&teeSPL=%u&snpSPL=%u&ucodeSPL=%u", t.fmc, t.bootloader,
			 t.tee, t.snp, t.microcode);
	else
		snprintf(query, sizeof(query), "blSPL=%u&teeSPL=%u&snpSPL=%u&ucodeSPL=%u", t.bootloader, t.tee, t.snp,
			 t.microcode);
	size_t base_len = strlen(base_url);
	while (base_len > 1 && base_url[base_len - 1] == '/')
		base_len--;
	if (asprintf(out, "%.*s/vcek/v1/%s/%s?%s", (int)base_len, base_url, cove_snp_product_name(p), hwid, query) < 0) {
		*out = NULL;
		return cove_error_set(e, COVE_ERR_NOMEM, "out of memory");
	}
	return COVE_OK;
}

/* ---- validation of what KDS (or the cache) hands us ---- */

static cove_err check_vcek(const cove_buf *b, const char *where, cove_buf *der, cove_error *e)
{
	cove_x509 *cert = NULL;
	cove_err rc = cove_x509_parse(b->data, b->len, &cert, e);
	if (rc)
		return cove_error_wrap(e, COVE_ERR_UNAVAILABLE, "%s is not a certificate", where);
	/* KDS serves DER; a PEM copy (e.g. placed in the cache by hand) is converted. */
	rc = cove_x509_der(cert, der, e);
	cove_x509_free(cert);
	return rc;
}

static cove_err check_chain(const cove_buf *b, const char *where, cove_error *e)
{
	cove_x509_list l = {0};
	cove_err rc = cove_x509_list_parse(&l, b->data, b->len, e);
	if (rc) {
		rc = cove_error_wrap(e, COVE_ERR_UNAVAILABLE, "%s is not a PEM certificate chain", where);
		goto out;
	}
	if (l.count < 2) {
		rc = cove_error_set(e, COVE_ERR_UNAVAILABLE,
				    "%s holds %zu certificate(s); a KDS chain has the intermediate and the ARK", where,
				    l.count);
		goto out;
	}
out:
	cove_x509_list_free(&l);
	return rc;
}

/* Parse a CRL (DER or PEM) and return its DER encoding and nextUpdate. */
static cove_err check_crl(const cove_buf *b, const char *where, cove_buf *der, int64_t *next_update, cove_error *e)
{
	cove_x509_crl *crl = NULL;
	cove_err rc = cove_x509_crl_parse(b->data, b->len, &crl, e);
	if (rc)
		return cove_error_wrap(e, COVE_ERR_UNAVAILABLE, "%s is not a CRL", where);
	*next_update = cove_x509_crl_next_update(crl);
	if ((rc = cove_x509_crl_der(crl, der, e)))
		cove_error_wrap(e, rc, "CRL from %s", where);
	cove_x509_crl_free(crl);
	return rc;
}

/* ---- cache + network ---- */

typedef enum kind { KIND_VCEK, KIND_CHAIN, KIND_CRL } kind;

typedef struct object {
	kind kind;
	const char *what;  /* for messages: "VCEK", "cert_chain", "CRL" */
	char *url;
	char path[PATH_MAX]; /* "" without a cache */
} object;

/* Validate raw bytes from `where`; fills `out` with what callers get and tells whether a CRL is stale. */
static cove_err accept(cove_snp_kds *k, const object *obj, const cove_buf *raw, const char *where, cove_buf *out,
		       bool *stale, cove_error *e)
{
	cove_err rc;
	*stale = false;
	switch (obj->kind) {
	case KIND_VCEK: return check_vcek(raw, where, out, e);
	case KIND_CHAIN:
		if ((rc = check_chain(raw, where, e)))
			return rc;
		return cove_buf_set(out, raw->data, raw->len, e);
	case KIND_CRL: {
		int64_t next = 0;
		if ((rc = check_crl(raw, where, out, &next, e)))
			return rc;
		int64_t now = k->o.now ? k->o.now : cove_time_now();
		*stale = next == 0 || next < now;
		return COVE_OK;
	}
	}
	return cove_error_set(e, COVE_ERR_INTERNAL, "unknown collateral kind");
}

static cove_err fetch(cove_snp_kds *k, const object *obj, cove_buf *out, cove_error *e)
{
	cove_err rc;
	cove_buf raw = {0}, got = {0}, cached = {0};
	bool found = false, stale = false;
	cove_error ce = {0}; /* why the cached copy could not be used */

	if (obj->path[0]) {
		if ((rc = cove_cache_read(obj->path, CACHE_FILE_MAX, &raw, &found, &ce)) == COVE_OK && found) {
			rc = accept(k, obj, &raw, obj->path, &cached, &stale, &ce);
			if (rc == COVE_OK) {
				/* Cache hit: the network is never touched, except to renew a stale CRL. */
				if (!stale || k->o.offline) {
					cove_buf_free(out);
					*out = cached;
					cached.data = NULL;
					goto done;
				}
			}
		}
		/* A corrupt or unreadable cache file is a miss; its reason is reported when offline. */
	}
	if (k->o.offline) {
		if (ce.msg[0])
			rc = cove_error_set(e, COVE_ERR_UNAVAILABLE, "offline, and the cached %s is unusable: %s", obj->what,
					    ce.msg);
		else
			rc = cove_error_set(e, COVE_ERR_UNAVAILABLE, "offline, and the %s is not cached (%s)", obj->what,
					    obj->path[0] ? obj->path : "no cache directory");
		goto done;
	}
	if ((rc = cove_http_get(k->http, obj->url, NULL, &raw, NULL, e)))
		goto done;
	if ((rc = accept(k, obj, &raw, obj->url, &got, &stale, e)))
		goto done;
	if (obj->path[0]) {
		/* Cache what callers get: DER for VCEKs and CRLs, the PEM as served for chains. */
		if ((rc = cove_cache_write(obj->path, got.data, got.len, e)))
			goto done;
	}
	cove_buf_free(out);
	*out = got;
	got.data = NULL;
done:
	cove_buf_free(&raw);
	cove_buf_free(&got);
	cove_buf_free(&cached);
	return rc;
}

static cove_err object_init(cove_snp_kds *k, object *obj, kind kd, cove_snp_product p, bool vlek, cove_error *e)
{
	const char *tree = vlek ? "vlek" : "vcek";
	const char *leaf = kd == KIND_CHAIN ? "cert_chain" : "crl";
	memset(obj, 0, sizeof(*obj));
	obj->kind = kd;
	obj->what = kd == KIND_CHAIN ? (vlek ? "VLEK cert_chain" : "VCEK cert_chain") : (vlek ? "VLEK CRL" : "VCEK CRL");
	if (asprintf(&obj->url, "%s/%s/v1/%s/%s", k->base_url, tree, cove_snp_product_name(p), leaf) < 0) {
		obj->url = NULL;
		return cove_error_set(e, COVE_ERR_NOMEM, "out of memory");
	}
	if (k->cache_dir &&
	    (size_t)snprintf(obj->path, sizeof(obj->path), "%s/%s/%s/%s", k->cache_dir, tree, cove_snp_product_name(p),
			     kd == KIND_CHAIN ? "cert_chain.pem" : "crl.der") >= sizeof(obj->path))
		return cove_error_set(e, COVE_ERR_ARG, "cache directory path is too long");
	return COVE_OK;
}

cove_err cove_snp_kds_get_vcek(cove_snp_kds *k, cove_snp_product p, const uint8_t chip_id[64], uint64_t reported_tcb,
			       cove_buf *der, cove_error *e)
{
	cove_err rc;
	object obj = {.kind = KIND_VCEK, .what = "VCEK"};
	if ((rc = check_product(p, e)))
		return rc;
	size_t n = hwid_len(p);
	if (cove_is_zero(chip_id, n))
		return cove_error_set(e, COVE_ERR_UNAVAILABLE,
				      "CHIP_ID is masked (all zero), so the VCEK cannot be looked up at AMD KDS; supply it "
				      "with the evidence");
	if ((rc = cove_snp_kds_format_vcek_url(k->base_url, p, chip_id, reported_tcb, &obj.url, e)))
		return rc;
	if (k->cache_dir) {
		char hwid[129];
		cove_hex_write(hwid, chip_id, n);
		if ((size_t)snprintf(obj.path, sizeof(obj.path), "%s/vcek/%s/%s/%016llx.der", k->cache_dir,
				     cove_snp_product_name(p), hwid, (unsigned long long)reported_tcb) >= sizeof(obj.path)) {
			rc = cove_error_set(e, COVE_ERR_ARG, "cache directory path is too long");
			goto out;
		}
	}
	rc = fetch(k, &obj, der, e);
out:
	free(obj.url);
	return rc;
}

cove_err cove_snp_kds_get_chain(cove_snp_kds *k, cove_snp_product p, bool vlek, cove_buf *pem, cove_error *e)
{
	cove_err rc;
	object obj;
	if ((rc = check_product(p, e)))
		return rc;
	if ((rc = object_init(k, &obj, KIND_CHAIN, p, vlek, e)) == COVE_OK)
		rc = fetch(k, &obj, pem, e);
	free(obj.url);
	return rc;
}

cove_err cove_snp_kds_get_crl(cove_snp_kds *k, cove_snp_product p, bool vlek, cove_buf *der, cove_error *e)
{
	cove_err rc;
	object obj;
	if ((rc = check_product(p, e)))
		return rc;
	if ((rc = object_init(k, &obj, KIND_CRL, p, vlek, e)) == COVE_OK)
		rc = fetch(k, &obj, der, e);
	free(obj.url);
	return rc;
}

/* ---- cove_snp_collateral_source adapters ---- */

static cove_err src_vcek(void *ctx, cove_snp_product p, const uint8_t chip_id[64], uint64_t reported_tcb, cove_buf *der,
			 cove_error *e)
{
	return cove_snp_kds_get_vcek(ctx, p, chip_id, reported_tcb, der, e);
}

static cove_err src_chain(void *ctx, cove_snp_product p, bool vlek, cove_buf *pem, cove_error *e)
{
	return cove_snp_kds_get_chain(ctx, p, vlek, pem, e);
}

static cove_err src_crl(void *ctx, cove_snp_product p, bool vlek, cove_buf *der, cove_error *e)
{
	return cove_snp_kds_get_crl(ctx, p, vlek, der, e);
}

void cove_snp_kds_source(cove_snp_kds *k, cove_snp_collateral_source *out)
{
	out->ctx = k;
	out->get_vcek = src_vcek;
	out->get_chain = src_chain;
	out->get_crl = src_crl;
}
