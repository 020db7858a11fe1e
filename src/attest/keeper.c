/*
 * A keeper of DCAP collateral (include/cove/attest.h): what a collateral
 * source returned for a platform, lent to the quotes of that platform for a
 * bounded time.  A platform is named as the source names it: TEE type, the
 * PCK certificate's FMSPC and the CA that issued the PCK (Intel PCS API v4,
 * "Get TCB Info" / "Get PCK Cert CRL": collateral is per FMSPC and per CA).
 * Slots are few and replaced oldest first; no locking, one keeper per thread.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cove/attest.h"

typedef struct kept {
	bool used;
	cove_tee_type tee;
	uint8_t fmspc[6];
	bool platform_ca;
	int64_t until;   /* lent while time(NULL) < until */
	uint64_t stamp;  /* when filled, for replacing the oldest */
	cove_dcap_collateral coll;
} kept;

struct cove_attest_dcap_keeper {
	cove_attest_dcap_fn get;
	void *arg;
	unsigned seconds;
	uint64_t fills;
	kept slots[COVE_ATTEST_DCAP_KEPT];
};

cove_err cove_attest_dcap_keeper_new(cove_attest_dcap_fn get, void *arg, unsigned seconds,
				     cove_attest_dcap_keeper **out, cove_error *e)
{
	cove_attest_dcap_keeper *k;

	if (!get || !out)
		return cove_error_set(e, COVE_ERR_ARG, "cove_attest_dcap_keeper_new: missing argument");
	k = calloc(1, sizeof(*k));
	if (!k)
		return cove_error_set(e, COVE_ERR_NOMEM, "out of memory");
	k->get = get;
	k->arg = arg;
	k->seconds = seconds;
	*out = k;
	return COVE_OK;
}

static void slot_clear(kept *s)
{
	if (s->used)
		cove_dcap_collateral_free(&s->coll);
	memset(s, 0, sizeof(*s));
}

void cove_attest_dcap_keeper_free(cove_attest_dcap_keeper *k)
{
	if (!k)
		return;
	for (size_t i = 0; i < COVE_ATTEST_DCAP_KEPT; i++)
		slot_clear(&k->slots[i]);
	free(k);
}

static const cove_dcap_collateral *keeper_borrow(void *arg, cove_tee_type tee, const uint8_t fmspc[6],
						 const char *ca, cove_error *e)
{
	cove_attest_dcap_keeper *k = arg;
	int64_t now = (int64_t)time(NULL);
	bool platform_ca = ca && strcasecmp(ca, "platform") == 0;
	kept *victim = NULL;

	for (size_t i = 0; i < COVE_ATTEST_DCAP_KEPT && !victim; i++) {
		kept *s = &k->slots[i];
		if (s->used && s->tee == tee && s->platform_ca == platform_ca && memcmp(s->fmspc, fmspc, 6) == 0) {
			if (now < s->until)
				return &s->coll;
			victim = s; /* expired: this platform's slot is filled again */
		}
	}
	for (size_t i = 0; i < COVE_ATTEST_DCAP_KEPT && !victim; i++)
		if (!k->slots[i].used)
			victim = &k->slots[i];
	if (!victim) {
		victim = &k->slots[0];
		for (size_t i = 1; i < COVE_ATTEST_DCAP_KEPT; i++)
			if (k->slots[i].stamp < victim->stamp)
				victim = &k->slots[i];
	}
	slot_clear(victim);
	if (k->get(k->arg, tee, fmspc, ca, &victim->coll, e) != COVE_OK) {
		cove_dcap_collateral_free(&victim->coll);
		memset(victim, 0, sizeof(*victim));
		if (e && !e->code)
			cove_error_set(e, COVE_ERR_UNAVAILABLE, "the collateral source failed without a reason");
		return NULL;
	}
	victim->used = true;
	victim->tee = tee;
	memcpy(victim->fmspc, fmspc, 6);
	victim->platform_ca = platform_ca;
	victim->until = now + (int64_t)k->seconds;
	victim->stamp = ++k->fills;
	return &victim->coll;
}

cove_attest_dcap_source cove_attest_dcap_keeper_source(cove_attest_dcap_keeper *k)
{
	cove_attest_dcap_source s = {.get = NULL, .arg = k, .borrow = keeper_borrow};
	return s;
}
