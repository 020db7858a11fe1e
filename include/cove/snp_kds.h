/*
 * cove/snp_kds.h - a client of AMD's Key Distribution Service (KDS) for
 * SEV-SNP collateral: VCEK certificates, the ASK/ASVK + ARK chains and the
 * ARK-signed CRLs, with an on-disk cache keyed by product, hardware ID and
 * TCB, HTTP 429 back-off and an offline mode.
 *
 * URL forms follow AMD 57230 (VCEK certificate and KDS interface) as used by
 * go-sev-guest kds/kds.go and virtee/snpguest src/fetch.rs; see
 * shared/research/snp.md section b and docs/snp-collateral.md.
 *
 * A cove_snp_kds object is not thread-safe: use one per thread.
 */
#ifndef COVE_SNP_KDS_H
#define COVE_SNP_KDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cove/bytes.h"
#include "cove/err.h"
#include "cove/snp.h"

#ifdef __cplusplus
extern "C" {
#endif

#define COVE_SNP_KDS_DEFAULT_URL "https://kdsintf.amd.com"

typedef struct cove_snp_kds_opts {
	const char *base_url;        /* NULL: COVE_SNP_KDS_DEFAULT_URL; http:// or https:// */
	const char *cache_dir;       /* NULL: no on-disk cache; created 0700 when missing */
	bool offline;                /* serve the cache only, never the network (needs cache_dir) */
	unsigned max_retries;        /* further attempts after HTTP 429 / 503 */
	unsigned retry_delay_ms;     /* first back-off when no Retry-After is sent; doubles each time */
	unsigned max_wait_ms;        /* total back-off allowed for one object */
	unsigned timeout_ms;         /* per HTTP request, whole transfer */
	unsigned connect_timeout_ms;
	size_t max_response;         /* largest response body accepted */
	int64_t now;                 /* the time that decides whether a cached CRL is stale; 0: the clock */
} cove_snp_kds_opts;

/*
 * Defaults: AMD's URL, no cache, online, 3 retries, 2 s first back-off,
 * 60 s total back-off, 30 s request timeout, 10 s connect timeout, 1 MiB
 * bodies, the real clock.  Always start from these.
 */
void cove_snp_kds_opts_init(cove_snp_kds_opts *o);

typedef struct cove_snp_kds cove_snp_kds;

/* `opts` NULL means the defaults.  Creates the cache directory (0700) when one is named. */
cove_err cove_snp_kds_new(const cove_snp_kds_opts *opts, cove_snp_kds **out, cove_error *e);
void cove_snp_kds_free(cove_snp_kds *k);

/*
 * Fill `out` with callbacks serving cove_snp_verify from this client (the
 * client must outlive the source).  Every failure to obtain collateral -
 * offline cache miss, HTTP 404, throttling beyond the budget, a timeout, a
 * body that is too large or does not parse - is COVE_ERR_UNAVAILABLE with
 * a message naming the URL or cache file; COVE_ERR_ARG means a bad request
 * (unknown product).
 */
void cove_snp_kds_source(cove_snp_kds *k, cove_snp_collateral_source *out);

/*
 * The VCEK (DER) for a chip and REPORTED_TCB.  Milan and Genoa use all 64
 * bytes of CHIP_ID and the bl/tee/snp/ucode SPLs; Turin the first 8 bytes
 * and fmcSPL as well.  A masked (all-zero) CHIP_ID cannot be looked up.
 * Cached at {cache}/vcek/{product}/{hwid hex}/{reported_tcb as 16 hex digits}.der.
 */
cove_err cove_snp_kds_get_vcek(cove_snp_kds *k, cove_snp_product p, const uint8_t chip_id[64], uint64_t reported_tcb,
			       cove_buf *der, cove_error *e);

/* The ASK + ARK (or, with `vlek`, ASVK + ARK) PEM chain; cached at {cache}/{vcek|vlek}/{product}/cert_chain.pem. */
cove_err cove_snp_kds_get_chain(cove_snp_kds *k, cove_snp_product p, bool vlek, cove_buf *pem, cove_error *e);

/*
 * The ARK-signed CRL (DER) of the VCEK or VLEK hierarchy; cached at
 * {cache}/{vcek|vlek}/{product}/crl.der and fetched again once the cached
 * one is past its nextUpdate (offline, the stale copy is returned and the
 * verifier's freshness check decides).
 */
cove_err cove_snp_kds_get_crl(cove_snp_kds *k, cove_snp_product p, bool vlek, cove_buf *der, cove_error *e);

/* The KDS URL of a VCEK (for messages and tests); *out is malloc'ed. */
cove_err cove_snp_kds_format_vcek_url(const char *base_url, cove_snp_product p, const uint8_t chip_id[64],
				      uint64_t reported_tcb, char **out, cove_error *e);

#ifdef __cplusplus
}
#endif
#endif
