/*
 * The state coved's routes share (opened by state.c): store, signing key and
 * JWKS, issuer, the emulated platform when trusted, the policies in force
 * (parsed once per stored version), KBS sessions, and one attestation context
 * per worker thread.
 */
#ifndef COVED_STATE_INTERNAL_H
#define COVED_STATE_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>

#include "cove/attest.h"
#include "cove/maa_policy.h"
#include "cove/platform.h"
#include "cove/snp.h"
#include "cove/snp_kds.h"
#include "cove/dcap_collateral.h"
#include "cove/dcap_pcs.h"
#include "cove/store.h"
#include "cove/token.h"
#include "coved.h"
#include "kbs_session.h"

#define COVED_POLICY_TYPES 3 /* SevSnpVm, SgxEnclave, TdxVm */

typedef struct coved_policy_cache {
	uint64_t generation;      /* policy_generation when loaded; 0 = never */
	int64_t version;          /* stored version parsed; 0 = the default policy */
	cove_maa_policy *parsed;
	char hash[48];            /* x-ms-policy-hash */
} coved_policy_cache;

typedef struct coved_state {
	cove_store *store;
	cove_token_key *key;
	char *key_pem;            /* to give each worker its own copy */
	json_t *trusted_jwks[8];  /* JWKS of cfg.trusted[i] */
	json_t *jwks;
	char issuer[512];
	char jku[600];
	cove_platform *platform;  /* only with --trust-emulated-root */
	pthread_mutex_t platform_mu;
	cove_snp_root emu_snp_root;
	uint8_t emu_sgx_spki[32];
	bool have_emu_sgx;
	/*
	 * coved is the store's only writer: a generation counter bumped by every
	 * policy change tells the workers when to reload their parsed copies;
	 * attestations read no row and take no lock otherwise.
	 */
	_Atomic uint64_t policy_generation;
	kbs_session_table *kbs;
	pthread_key_t worker_key;
} coved_state;

/* How long a worker lends a platform's decoded DCAP collateral before asking its source again. */
#define COVED_COLLATERAL_KEEP_SECONDS 60

typedef struct coved_worker {
	coved_state *st;
	cove_attest_ctx ctx;
	cove_snp_kds *kds;        /* AMD KDS and Intel PCS through the collateral caches (--offline: the caches only) */
	cove_dcap_pcs *pcs;
	bool request_emulated;    /* the SNP chain of the request in hand is the emulated platform's */
	cove_token_key *key;      /* this worker's copy of the signing key (OpenSSL's RSA blinding is per key) */
	coved_policy_cache policies[COVED_POLICY_TYPES]; /* this worker's parsed policies */
	/* DCAP collateral decoded once per platform and period, not per quote (the emulated platform's, PCS's). */
	cove_attest_dcap_keeper *platform_coll, *pcs_coll;
} coved_worker;

coved_worker *coved_worker_get(coved *srv, cove_error *e);
void coved_worker_free(void *w);
bool coved_snp_chain_is_emulated(const coved_worker *w, const cove_x509_list *chain);
void coved_state_set_port(coved *srv, uint16_t port);

/* The default policy of every type: permit what verified (docs/coved.md). */
extern const char coved_default_policy[];

#endif
