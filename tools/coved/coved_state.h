/*
 * The state coved's routes share (opened by state.c): store, signing key and
 * JWKS, issuer, the emulated platform when trusted, the policies in force
 * (parsed once per stored version), KBS sessions, and one attestation context
 * per worker thread.
 */
#ifndef COVED_STATE_INTERNAL_H
#define COVED_STATE_INTERNAL_H

#include <pthread.h>

#include "cove/attest.h"
#include "cove/maa_policy.h"
#include "cove/platform.h"
#include "cove/snp.h"
#include "cove/snp_kds.h"
#include "cove/dcap_pcs.h"
#include "cove/store.h"
#include "cove/token.h"
#include "coved.h"
#include "kbs_session.h"

#define COVED_POLICY_TYPES 3 /* SevSnpVm, SgxEnclave, TdxVm */

typedef struct coved_policy_cache {
	int64_t version;          /* stored version parsed; 0 = the default policy */
	cove_maa_policy *parsed;
	char hash[48];            /* x-ms-policy-hash */
} coved_policy_cache;

typedef struct coved_state {
	cove_store *store;
	cove_token_key *key;
	json_t *jwks;
	char issuer[512];
	char jku[600];
	cove_platform *platform;  /* only with --trust-emulated-root */
	pthread_mutex_t platform_mu;
	cove_snp_root emu_snp_root;
	uint8_t emu_sgx_spki[32];
	bool have_emu_sgx;
	pthread_mutex_t policy_mu;
	coved_policy_cache policies[COVED_POLICY_TYPES];
	kbs_session_table *kbs;
	pthread_key_t worker_key;
} coved_state;

typedef struct coved_worker {
	coved_state *st;
	cove_attest_ctx ctx;
	cove_snp_kds *kds;        /* NULL when offline */
	cove_dcap_pcs *pcs;
	bool request_emulated;    /* the SNP chain of the request in hand is the emulated platform's */
	/* Which SNP chains (by SHA-256 of their PEM) are the emulated platform's: parsing one costs ~0.4 ms. */
	struct {
		uint8_t hash[32];
		bool used, emulated;
	} chains[8];
	unsigned next_chain;
	/* The emulated platform's SGX collateral as a bundle, re-read at most every minute (no global lock per request). */
	char *sgx_bundle;
	int64_t sgx_bundle_until;
} coved_worker;

coved_worker *coved_worker_get(coved *srv, cove_error *e);
void coved_worker_free(void *w);
bool coved_snp_chain_is_emulated(coved_worker *w, const cove_buf *chain_pem);
void coved_state_set_port(coved *srv, uint16_t port);

/* The default policy of every type: permit what verified (docs/coved.md). */
extern const char coved_default_policy[];

#endif
