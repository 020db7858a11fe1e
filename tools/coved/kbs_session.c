/*
 * KBS session table (kbs_session.h): a fixed-size open hash of sessions
 * behind one mutex, expired entries reclaimed on insertion.  Session ids and
 * nonces come from the OpenSSL DRBG.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cove/bytes.h"
#include "cove/crypto.h"
#include "kbs_session.h"

typedef struct kbs_session {
	bool used;
	bool attested;
	char id[KBS_SESSION_ID_LEN + 1];
	char tee[32];
	char nonce[64];
	int64_t expires;
	json_t *claims;
	json_t *tee_pubkey;
} kbs_session;

struct kbs_session_table {
	pthread_mutex_t mu;
	kbs_session s[KBS_MAX_SESSIONS];
};

kbs_session_table *kbs_sessions_new(void)
{
	kbs_session_table *t = calloc(1, sizeof(*t));
	if (t)
		pthread_mutex_init(&t->mu, NULL);
	return t;
}

static void clear(kbs_session *s)
{
	json_decref(s->claims);
	json_decref(s->tee_pubkey);
	memset(s, 0, sizeof(*s));
}

void kbs_sessions_free(kbs_session_table *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < KBS_MAX_SESSIONS; i++)
		clear(&t->s[i]);
	pthread_mutex_destroy(&t->mu);
	free(t);
}

static kbs_session *find(kbs_session_table *t, const char *id, int64_t now)
{
	for (size_t i = 0; i < KBS_MAX_SESSIONS; i++) {
		kbs_session *s = &t->s[i];
		if (s->used && strcmp(s->id, id) == 0) {
			if (s->expires <= now) {
				clear(s);
				return NULL;
			}
			return s;
		}
	}
	return NULL;
}

bool kbs_session_open(kbs_session_table *t, const char *tee, char id[KBS_SESSION_ID_LEN + 1], char nonce_b64[64],
		      int64_t now)
{
	uint8_t raw_id[KBS_SESSION_ID_LEN / 2], nonce[KBS_NONCE_LEN];
	kbs_session *slot = NULL;
	char *b64;

	if (strlen(tee) >= sizeof(slot->tee))
		return false;
	cove_random_bytes(raw_id, sizeof(raw_id));
	cove_random_bytes(nonce, sizeof(nonce));
	b64 = cove_base64_new(nonce, sizeof(nonce));
	if (!b64 || strlen(b64) >= 64) {
		free(b64);
		return false;
	}
	pthread_mutex_lock(&t->mu);
	for (size_t i = 0; i < KBS_MAX_SESSIONS && !slot; i++) {
		kbs_session *s = &t->s[i];
		if (s->used && s->expires <= now)
			clear(s);
		if (!s->used)
			slot = s;
	}
	/*
	 * Full: a flood of /auth must not lock attested clients out, nor new ones
	 * for the session lifetime.  Reuse the oldest session that was challenged
	 * but never attested; attested sessions are kept.
	 */
	if (!slot) {
		for (size_t i = 0; i < KBS_MAX_SESSIONS; i++) {
			kbs_session *s = &t->s[i];
			if (!s->attested && (!slot || s->expires < slot->expires))
				slot = s;
		}
		if (slot)
			clear(slot);
	}
	if (slot) {
		slot->used = true;
		cove_hex_write(slot->id, raw_id, sizeof(raw_id));
		snprintf(slot->tee, sizeof(slot->tee), "%s", tee);
		snprintf(slot->nonce, sizeof(slot->nonce), "%s", b64);
		slot->expires = now + KBS_SESSION_TTL;
		memcpy(id, slot->id, sizeof(slot->id));
		memcpy(nonce_b64, slot->nonce, sizeof(slot->nonce));
	}
	pthread_mutex_unlock(&t->mu);
	free(b64);
	return slot != NULL;
}

bool kbs_session_challenge(kbs_session_table *t, const char *id, char tee[32], char nonce_b64[64], int64_t now)
{
	kbs_session *s;
	bool ok = false;

	pthread_mutex_lock(&t->mu);
	s = find(t, id, now);
	if (s && !s->attested) {
		memcpy(tee, s->tee, sizeof(s->tee));
		memcpy(nonce_b64, s->nonce, sizeof(s->nonce));
		ok = true;
	}
	pthread_mutex_unlock(&t->mu);
	return ok;
}

bool kbs_session_attested(kbs_session_table *t, const char *id, json_t *claims, json_t *tee_pubkey, int64_t now)
{
	kbs_session *s;
	bool ok = false;

	pthread_mutex_lock(&t->mu);
	s = find(t, id, now);
	if (s && !s->attested) {
		s->attested = true;
		s->claims = claims;
		s->tee_pubkey = tee_pubkey;
		s->expires = now + KBS_SESSION_TTL;
		ok = true;
	}
	pthread_mutex_unlock(&t->mu);
	if (!ok) {
		json_decref(claims);
		json_decref(tee_pubkey);
	}
	return ok;
}

bool kbs_session_get(kbs_session_table *t, const char *id, json_t **claims, json_t **tee_pubkey, int64_t now)
{
	kbs_session *s;
	bool ok = false;

	pthread_mutex_lock(&t->mu);
	s = find(t, id, now);
	if (s && s->attested) {
		*claims = json_incref(s->claims);
		*tee_pubkey = json_incref(s->tee_pubkey);
		ok = true;
	}
	pthread_mutex_unlock(&t->mu);
	return ok;
}

bool kbs_cookie_session(const char *cookie, char id[KBS_SESSION_ID_LEN + 1])
{
	const char *p = cookie;

	while (p && *p) {
		while (*p == ' ' || *p == ';')
			p++;
		if (strncmp(p, "kbs-session-id=", 15) == 0) {
			const char *v = p + 15;
			size_t n = strcspn(v, "; ");
			if (n != KBS_SESSION_ID_LEN || strspn(v, "0123456789abcdef") < n)
				return false;
			memcpy(id, v, n);
			id[n] = '\0';
			return true;
		}
		p = strchr(p, ';');
	}
	return false;
}
