/*
 * KBS sessions (RCAR protocol 0.4.0, shared/research/attestation-services.md
 * 3.2): /kbs/v0/auth opens a session with a fresh nonce and a cookie;
 * /kbs/v0/attest must come back with that cookie and that nonce; afterwards
 * the session holds the attestation's claims and the TEE's public key until
 * it expires.  In memory only: a restart asks clients to attest again, as
 * Trustee's KBS does.
 */
#ifndef COVED_KBS_SESSION_H
#define COVED_KBS_SESSION_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#define KBS_SESSION_ID_LEN 32  /* hex characters */
#define KBS_NONCE_LEN 32       /* bytes, sent base64 */
#define KBS_SESSION_TTL 300    /* seconds */
#define KBS_MAX_SESSIONS 4096

typedef struct kbs_session_table kbs_session_table;

kbs_session_table *kbs_sessions_new(void);
void kbs_sessions_free(kbs_session_table *t);

/* A new session for `tee`: writes its id (NUL-terminated) and nonce (base64, NUL-terminated). */
bool kbs_session_open(kbs_session_table *t, const char *tee, char id[KBS_SESSION_ID_LEN + 1], char nonce_b64[64],
		      int64_t now);

/* The session's tee and nonce, if it exists, has not expired and is not yet attested. */
bool kbs_session_challenge(kbs_session_table *t, const char *id, char tee[32], char nonce_b64[64], int64_t now);

/* Record a successful attestation: claims (stolen) and the TEE key (stolen). */
bool kbs_session_attested(kbs_session_table *t, const char *id, json_t *claims, json_t *tee_pubkey, int64_t now);

/* A new reference to the attested session's claims and key; false when there is none. */
bool kbs_session_get(kbs_session_table *t, const char *id, json_t **claims, json_t **tee_pubkey, int64_t now);

/* The session id from a Cookie header ("kbs-session-id=..."), or false. */
bool kbs_cookie_session(const char *cookie, char id[KBS_SESSION_ID_LEN + 1]);

#endif
