/*
 * cove/dcap_pcs.h - a client of Intel's Provisioning Certification Service
 * (PCS, API v4) or of a PCCS serving the same paths, for the collateral that
 * appraises a DCAP quote: TCB info, QE identity, PCK CRL, root CA CRL and
 * their issuer chains.  An on-disk cache honours each item's nextUpdate;
 * HTTP 429 / 503 are retried within a bounded budget; an offline mode
 * serves the cache only.
 *
 * Requests (Intel PCS v4 documentation; intel/SGXDataCenterAttestationPrimitives
 * QuoteGeneration/pccs routes and constants; google/go-tdx-guest pcs/pcs.go;
 * Phala-Network/dcap-qvl src/collateral.rs), {tee} being "sgx" or "tdx":
 *   TCB info     {base}/{tee}/certification/v4/tcb?fmspc=HEX
 *                header TCB-Info-Issuer-Chain (older servers: SGX-TCB-Info-Issuer-Chain)
 *   QE identity  {base}/{tee}/certification/v4/qe/identity
 *                header SGX-Enclave-Identity-Issuer-Chain
 *   PCK CRL      {base}/sgx/certification/v4/pckcrl?ca=processor|platform&encoding=der
 *                header SGX-PCK-CRL-Issuer-Chain
 *   root CA CRL  Intel: https://certificates.trustedservices.intel.com/IntelSGXRootCA.der,
 *                a PCCS: {base}/sgx/certification/v4/rootcacrl
 * Issuer chains arrive as URL-encoded PEM.  See docs/dcap-collateral.md.
 *
 * A cove_dcap_pcs object is not thread-safe: use one per thread.
 */
#ifndef COVE_DCAP_PCS_H
#define COVE_DCAP_PCS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cove/dcap.h"
#include "cove/dcap_collateral.h"
#include "cove/err.h"

#ifdef __cplusplus
extern "C" {
#endif

#define COVE_DCAP_PCS_DEFAULT_URL "https://api.trustedservices.intel.com"
#define COVE_DCAP_PCS_ROOT_CRL_URL "https://certificates.trustedservices.intel.com/IntelSGXRootCA.der"

typedef struct cove_dcap_pcs_opts {
	/*
	 * NULL: Intel PCS.  A PCCS: "https://pccs.example:8081"; a trailing
	 * "/sgx/certification/v4" (the form dcap-qvl's PCCS_URL takes) is
	 * accepted and dropped.  http:// or https://.
	 */
	const char *base_url;
	/* NULL: Intel's URL when base_url is NULL, else {base_url}/sgx/certification/v4/rootcacrl. */
	const char *root_crl_url;
	const char *ca_file;         /* PEM CAs trusted for TLS instead of the system's (a PCCS's own); NULL: system */
	const char *cache_dir;       /* NULL: no on-disk cache; created 0700 when missing */
	bool offline;                /* serve the cache only, never the network (needs cache_dir) */
	unsigned max_retries;        /* further attempts after HTTP 429 / 503 */
	unsigned retry_delay_ms;     /* first back-off when no Retry-After is sent; doubles each time */
	unsigned max_wait_ms;        /* total back-off allowed for one object */
	unsigned timeout_ms;         /* per HTTP request, whole transfer */
	unsigned connect_timeout_ms;
	size_t max_response;         /* largest response body accepted */
	int64_t now;                 /* the time that decides whether a cached item is past nextUpdate; 0: the clock */
} cove_dcap_pcs_opts;

/*
 * Defaults: Intel PCS, no cache, online, 3 retries, 2 s first back-off,
 * 60 s total back-off, 30 s request timeout, 10 s connect timeout, 1 MiB
 * bodies, the real clock.  Always start from these.
 */
void cove_dcap_pcs_opts_init(cove_dcap_pcs_opts *o);

typedef struct cove_dcap_pcs cove_dcap_pcs;

/* `opts` NULL means the defaults.  Creates the cache directory (0700) when one is named. */
cove_err cove_dcap_pcs_new(const cove_dcap_pcs_opts *opts, cove_dcap_pcs **out, cove_error *e);
void cove_dcap_pcs_free(cove_dcap_pcs *p);

/*
 * Everything needed to appraise a quote of `tee` from a platform with
 * `fmspc` whose PCK certificate was issued by the Intel SGX PCK `ca`
 * ("processor" or "platform") - the PCK CRL, the root CA CRL, the TCB info
 * for the FMSPC and the QE identity ("QE" for SGX, "TD_QE" for TDX) with
 * their issuer chains - into `out` (zeroed first; release with
 * cove_dcap_collateral_free).  Nothing is verified here beyond form: the
 * TCB info must be for `fmspc` and `tee`, the QE identity for `tee`.
 *
 * Cached items are used until their nextUpdate (TCB info and QE identity:
 * the JSON field; CRLs: the CRL's nextUpdate) is past at `now`, then
 * fetched again; offline, whatever is cached is returned, stale or not,
 * and the verifier's freshness checks decide.  Every failure to obtain an
 * item - offline cache miss, HTTP 404, throttling beyond the budget, a
 * timeout, a body that is too large or does not parse, a missing issuer
 * chain header - is COVE_ERR_UNAVAILABLE naming the URL or the cache file;
 * COVE_ERR_ARG means a bad request.  Cache layout under cache_dir:
 * {sgx,tdx}/tcb/{FMSPC}.json, {sgx,tdx}/qe_identity.json,
 * pckcrl/{processor,platform}.json, rootcacrl.json.
 */
cove_err cove_dcap_pcs_get_collateral(cove_dcap_pcs *p, cove_tee_type tee, const uint8_t fmspc[6], const char *ca,
				      cove_dcap_collateral *out, cove_error *e);

#ifdef __cplusplus
}
#endif
#endif
