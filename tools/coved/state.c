/*
 * coved's shared state (state.h): the store, the token signing key and its
 * JWKS, the emulated platform when the operator trusts it, KBS sessions, and
 * one attestation context per worker thread (the verifiers and collateral
 * clients are not thread-safe; each thread builds its own on first use).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cove/bytes.h"
#include "cove/crypto.h"
#include "cove/dcap_collateral.h"
#include "cove/dcap_pcs.h"
#include "cove/platform.h"
#include "cove/snp_kds.h"
#include "cove/store.h"
#include "cove/token.h"
#include "coved_state.h"
#include "state.h"

static cove_err default_state_dir(char *out, size_t cap, cove_error *e)
{
	const char *home = getenv("HOME");

	if (geteuid() == 0)
		return snprintf(out, cap, "/var/lib/coved") < (int)cap ? COVE_OK
				       : cove_error_set(e, COVE_ERR_ARG, "state directory name too long");
	if (!home || !*home)
		return cove_error_set(e, COVE_ERR_ARG, "no --state-dir and no $HOME");
	if (snprintf(out, cap, "%s/.local/state/coved", home) >= (int)cap)
		return cove_error_set(e, COVE_ERR_ARG, "state directory name too long");
	return COVE_OK;
}

static cove_err mkdir_private(const char *dir, cove_error *e)
{
	char tmp[4096];

	if (snprintf(tmp, sizeof(tmp), "%s", dir) >= (int)sizeof(tmp))
		return cove_error_set(e, COVE_ERR_ARG, "directory name too long (%zu bytes)", strlen(dir));
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
			return cove_error_set(e, COVE_ERR_IO, "mkdir %s: %s", tmp, strerror(errno));
		*p = '/';
	}
	if (mkdir(tmp, 0700) != 0 && errno != EEXIST)
		return cove_error_set(e, COVE_ERR_IO, "mkdir %s: %s", tmp, strerror(errno));
	return COVE_OK;
}

/* DIR of the KDS and PCS caches (DIR/kds, DIR/pcs): --collateral-dir, else STATE_DIR/collateral. */
static void collateral_base(const coved *srv, char *out, size_t cap)
{
	if (srv->cfg.collateral_dir[0])
		snprintf(out, cap, "%s", srv->cfg.collateral_dir);
	else
		snprintf(out, cap, "%s/collateral", srv->cfg.state_dir);
}

/*
 * The caches' directories, checked at start-up rather than at the first
 * attestation: online they are created and must be writable; with
 * --offline nothing ever fills them, so a --collateral-dir that does not
 * exist is a mistake (the default one may be empty: evidence then carries
 * its own collateral or is refused).
 */
static cove_err collateral_prepare(const coved *srv, cove_error *e)
{
	char base[4200], sub[4300];
	struct stat sb;
	cove_err rc;

	collateral_base(srv, base, sizeof(base));
	if (srv->cfg.offline) {
		if (srv->cfg.collateral_dir[0] && stat(base, &sb) != 0)
			return cove_error_set(e, COVE_ERR_ARG, "--collateral-dir %s: %s (with --offline, coved only reads "
					      "collateral from it)", base, strerror(errno));
		if (srv->cfg.collateral_dir[0] && !S_ISDIR(sb.st_mode))
			return cove_error_set(e, COVE_ERR_ARG, "--collateral-dir %s is not a directory", base);
		return COVE_OK;
	}
	for (int i = 0; i < 3; i++) {
		snprintf(sub, sizeof(sub), "%s%s", base, i == 0 ? "" : i == 1 ? "/kds" : "/pcs");
		if ((rc = mkdir_private(sub, e)))
			return cove_error_wrap(e, rc, "collateral cache");
		if (access(sub, W_OK | X_OK) != 0)
			return cove_error_set(e, COVE_ERR_IO, "collateral cache %s is not writable: %s", sub,
					      strerror(errno));
	}
	return COVE_OK;
}

/* The signing key in the state directory, created on first start. */
static cove_err open_signing_key(coved *srv, coved_state *st, cove_error *e)
{
	char path[4200];
	cove_token_alg alg = cove_token_alg_from_name(srv->cfg.token_alg);
	cove_err rc;

	snprintf(path, sizeof(path), "%s/token-signing-key-%s.pem", srv->cfg.state_dir, srv->cfg.token_alg);
	if (access(path, F_OK) == 0)
		return cove_token_key_load_pem(path, alg, &st->key, e);
	rc = cove_token_key_generate(alg, 0, &st->key, e);
	if (!rc)
		rc = cove_token_key_save_pem(st->key, path, e);
	if (!rc)
		coved_log(COVED_LOG_INFO, "created the token signing key",
			  json_pack("{s:s, s:s, s:s}", "path", path, "alg", srv->cfg.token_alg, "kid",
				    cove_token_key_kid(st->key)));
	return rc;
}

static cove_err open_platform(coved *srv, coved_state *st, cove_error *e)
{
	char dir[4096];
	cove_err rc;

	if (!srv->cfg.trust_emulated_root)
		return COVE_OK;
	if (srv->cfg.platform_dir[0])
		snprintf(dir, sizeof(dir), "%s", srv->cfg.platform_dir);
	else if ((rc = cove_platform_default_dir(dir, sizeof(dir), e)))
		return rc;
	rc = cove_platform_open(dir, false, &st->platform, e);
	if (rc)
		return cove_error_wrap(e, rc, "--trust-emulated-root: the emulated platform (create it with `cove platform init`)");
	if ((rc = cove_platform_snp_root(st->platform, &st->emu_snp_root, e)))
		return rc;
	/* The SGX side exists once something quoted on it; without it SGX evidence is simply not emulated. */
	st->have_emu_sgx = cove_platform_sgx_root(st->platform, st->emu_sgx_spki, NULL) == COVE_OK;
	return COVE_OK;
}

cove_err coved_state_open(coved *srv, cove_error *e)
{
	coved_state *st = calloc(1, sizeof(*st));
	cove_err rc;

	if (!st)
		return cove_error_set(e, COVE_ERR_NOMEM, "out of memory");
	srv->ctx = st;
	pthread_mutex_init(&st->platform_mu, NULL);
	atomic_store(&st->policy_generation, 1);
	pthread_key_create(&st->worker_key, coved_worker_free);
	if (!srv->cfg.state_dir[0] && (rc = default_state_dir(srv->cfg.state_dir, sizeof(srv->cfg.state_dir), e)))
		return rc;
	if ((rc = mkdir_private(srv->cfg.state_dir, e)) || (rc = collateral_prepare(srv, e)))
		return rc;
	if ((rc = cove_store_open_sqlite(srv->cfg.state_dir, NULL, &st->store, e)))
		return rc;
	if ((rc = open_signing_key(srv, st, e)))
		return rc;
	if ((rc = cove_token_key_pem(st->key, &st->key_pem, e)) || (rc = cove_token_jwks_new(&st->key, 1, &st->jwks, e)))
		return rc;
	if ((rc = open_platform(srv, st, e)))
		return rc;
	for (unsigned i = 0; i < srv->cfg.ntrusted; i++) {
		json_error_t je;
		json_t *j = json_load_file(srv->cfg.trusted[i].jwks_file, JSON_REJECT_DUPLICATES, &je);
		if (!j || !json_is_array(json_object_get(j, "keys"))) {
			json_decref(j);
			return cove_error_set(e, COVE_ERR_PARSE, "trusted issuer %s: %s is not a JWKS ({\"keys\": [...]})%s%s",
					      srv->cfg.trusted[i].issuer, srv->cfg.trusted[i].jwks_file, j ? "" : ": ",
					      j ? "" : je.text);
		}
		st->trusted_jwks[i] = j;
	}
	if (srv->cfg.issuer[0])
		snprintf(st->issuer, sizeof(st->issuer), "%s", srv->cfg.issuer);
	else
		snprintf(st->issuer, sizeof(st->issuer), "%s://%s:%u", srv->cfg.tls_cert[0] ? "https" : "http",
			 srv->cfg.listen_addr, (unsigned)srv->cfg.port);
	snprintf(st->jku, sizeof(st->jku), "%s/certs", st->issuer);
	st->kbs = kbs_sessions_new();
	if (!st->kbs)
		return cove_error_set(e, COVE_ERR_NOMEM, "out of memory");
	return COVE_OK;
}

/* After binding port 0, the issuer names the real port. */
void coved_state_set_port(coved *srv, uint16_t port)
{
	coved_state *st = srv->ctx;

	if (!srv->cfg.issuer[0] && st) {
		snprintf(st->issuer, sizeof(st->issuer), "%s://%s:%u", srv->cfg.tls_cert[0] ? "https" : "http",
			 srv->cfg.listen_addr, (unsigned)port);
		snprintf(st->jku, sizeof(st->jku), "%s/certs", st->issuer);
	}
}

void coved_state_close(coved *srv)
{
	coved_state *st = srv->ctx;

	if (!st)
		return;
	kbs_sessions_free(st->kbs);
	for (size_t i = 0; i < sizeof(st->trusted_jwks) / sizeof(st->trusted_jwks[0]); i++)
		json_decref(st->trusted_jwks[i]);
	json_decref(st->jwks);
	cove_token_key_free(st->key);
	if (st->key_pem)
		memset(st->key_pem, 0, strlen(st->key_pem));
	free(st->key_pem);
	cove_store_free(st->store);
	cove_platform_free(st->platform);
	pthread_mutex_destroy(&st->platform_mu);
	free(st);
	srv->ctx = NULL;
}

/* ---- per-thread attestation contexts ---- */

static cove_err snp_crl(void *arg, cove_snp_product p, bool vlek, cove_buf *der, cove_error *e)
{
	coved_worker *w = arg;
	cove_err rc;

	if (w->request_emulated) {
		pthread_mutex_lock(&w->st->platform_mu);
		rc = cove_platform_snp_crl_pem(w->st->platform, der, e);
		pthread_mutex_unlock(&w->st->platform_mu);
		return rc;
	}
	return cove_snp_kds_get_crl(w->kds, p, vlek, der, e);
}

static cove_err snp_chain(void *arg, cove_snp_product p, bool vlek, cove_buf *pem, cove_error *e)
{
	coved_worker *w = arg;

	if (w->request_emulated)
		return cove_error_set(e, COVE_ERR_UNAVAILABLE, "no ASK/ARK chain in the request and none fetched");
	return cove_snp_kds_get_chain(w->kds, p, vlek, pem, e);
}

static cove_err snp_vcek(void *arg, cove_snp_product p, const uint8_t chip_id[64], uint64_t tcb, cove_buf *der,
			 cove_error *e)
{
	coved_worker *w = arg;

	if (w->request_emulated)
		return cove_error_set(e, COVE_ERR_UNAVAILABLE, "no VCEK in the request and none fetched");
	return cove_snp_kds_get_vcek(w->kds, p, chip_id, tcb, der, e);
}

/* The emulated platform's collateral: one platform object shared by the workers, so asked under its lock. */
static cove_err dcap_platform_get(void *arg, cove_tee_type tee, const uint8_t fmspc[6], const char *ca,
				  cove_dcap_collateral *out, cove_error *e)
{
	coved_state *st = arg;
	cove_err rc;

	pthread_mutex_lock(&st->platform_mu);
	rc = cove_attest_dcap_from_platform(st->platform, tee, fmspc, ca, out, e);
	pthread_mutex_unlock(&st->platform_mu);
	return rc;
}

void coved_worker_free(void *p)
{
	coved_worker *w = p;

	if (!w)
		return;
	cove_snp_verifier_free(w->ctx.snp);
	cove_dcap_verifier_free(w->ctx.dcap);
	cove_snp_kds_free(w->kds);
	cove_dcap_pcs_free(w->pcs);
	cove_attest_dcap_keeper_free(w->platform_coll);
	cove_attest_dcap_keeper_free(w->pcs_coll);
	cove_token_key_free(w->key);
	for (size_t i = 0; i < COVED_POLICY_TYPES; i++)
		cove_maa_policy_free(w->policies[i].parsed);
	free(w);
}

coved_worker *coved_worker_get(coved *srv, cove_error *e)
{
	coved_state *st = srv->ctx;
	coved_worker *w = pthread_getspecific(st->worker_key);
	cove_err rc = COVE_OK;

	if (w)
		return w;
	w = calloc(1, sizeof(*w));
	if (!w) {
		cove_error_set(e, COVE_ERR_NOMEM, "out of memory");
		return NULL;
	}
	w->st = st;
	cove_attest_ctx_init(&w->ctx);
	{
		/*
		 * AMD KDS and Intel PCS through on-disk caches in DIR/kds and DIR/pcs:
		 * the layout of cove's own ~/.cache/cove, so a cache that `cove snp
		 * verify` or `cove dcap verify` filled serves coved too.  DIR is
		 * --collateral-dir, else STATE_DIR/collateral.  --offline serves the
		 * caches only.
		 */
		cove_snp_kds_opts ko;
		cove_dcap_pcs_opts po;
		char base[4200], kdir[4300], pdir[4300];
		collateral_base(srv, base, sizeof(base));
		snprintf(kdir, sizeof(kdir), "%s/kds", base);
		snprintf(pdir, sizeof(pdir), "%s/pcs", base);
		cove_snp_kds_opts_init(&ko);
		cove_dcap_pcs_opts_init(&po);
		ko.cache_dir = kdir;
		ko.offline = srv->cfg.offline;
		po.cache_dir = pdir;
		po.offline = srv->cfg.offline;
		if ((rc = cove_snp_kds_new(&ko, &w->kds, e)) || (rc = cove_dcap_pcs_new(&po, &w->pcs, e)))
			goto fail;
	}
	if ((rc = cove_snp_verifier_new(&w->ctx.snp, e)) || (rc = cove_dcap_verifier_new(&w->ctx.dcap, e)) ||
	    (rc = cove_token_key_from_pem(st->key_pem, strlen(st->key_pem), cove_token_key_alg(st->key), &w->key, e)))
		goto fail;
	{
		cove_snp_collateral_source src = {.ctx = w, .get_vcek = snp_vcek, .get_chain = snp_chain,
						  .get_crl = snp_crl};
		cove_snp_verifier_set_source(w->ctx.snp, &src);
	}
	if (st->platform) {
		if ((rc = cove_snp_verifier_add_root(w->ctx.snp, &st->emu_snp_root, e)))
			goto fail;
		if (st->have_emu_sgx &&
		    (rc = cove_dcap_verifier_add_root(w->ctx.dcap, st->emu_sgx_spki, COVE_PLATFORM_NAME, true, e)))
			goto fail;
		if (st->have_emu_sgx) {
			/* Collateral is decoded once a minute per platform and worker, not per quote. */
			if ((rc = cove_attest_dcap_keeper_new(dcap_platform_get, st, COVED_COLLATERAL_KEEP_SECONDS,
							      &w->platform_coll, e)))
				goto fail;
			w->ctx.dcap_sources[w->ctx.n_dcap_sources++] = cove_attest_dcap_keeper_source(w->platform_coll);
		}
	}
	if ((rc = cove_attest_dcap_keeper_new(cove_attest_dcap_from_pcs, w->pcs, COVED_COLLATERAL_KEEP_SECONDS,
					      &w->pcs_coll, e)))
		goto fail;
	w->ctx.dcap_sources[w->ctx.n_dcap_sources++] = cove_attest_dcap_keeper_source(w->pcs_coll);
	pthread_setspecific(st->worker_key, w);
	return w;
fail:
	coved_worker_free(w);
	return NULL;
}

/*
 * Whether the request's SNP chain (decoded by the request parser) holds the
 * emulated platform's ARK or ASK: then its CRL is the platform's.
 */
bool coved_snp_chain_is_emulated(const coved_worker *w, const cove_x509_list *chain)
{
	const coved_state *st = w->st;

	if (!st->platform)
		return false;
	for (size_t i = 0; i < chain->count; i++) {
		uint8_t spki[32];
		if (cove_x509_spki_sha256(chain->certs[i], spki, NULL) == COVE_OK &&
		    (memcmp(spki, st->emu_snp_root.ark_spki_sha256, 32) == 0 ||
		     memcmp(spki, st->emu_snp_root.ask_spki_sha256, 32) == 0))
			return true;
	}
	return false;
}
