/*
 * cove/store.h - coved's persistent state: attestation policies, keys for
 * Secure Key Release, KBS resources and an append-only audit log
 * (issue #6, scope item 2; docs/store.md).
 *
 * A cove_store is an opaque handle over a backend (a table of operations in
 * src/store/internal.h); SQLite in WAL mode is the embedded default, in a
 * state directory.  Secret values (key material, resource bytes) are
 * encrypted with AES-256-GCM under a 32-byte master key read from a file
 * kept outside the database; each ciphertext's additional data names its
 * row (table, name, version), so ciphertexts cannot be moved between rows.
 *
 * Every put/delete returns only after its transaction committed durably
 * (SQLite synchronous=FULL): an acknowledged write survives a crash of the
 * process or of the machine.  A write and its audit record commit together.
 * A handle may be shared by any number of threads.
 *
 * Names are checked before anything is touched (COVE_ERR_ARG, saying which
 * character or length is wrong):
 *   attestation type   [A-Za-z0-9_-], 1..64 bytes   ("SevSnpVm")
 *   key name           [A-Za-z0-9._-], 1..127, starting with a letter or digit
 *   KBS repository, type, tag: [A-Za-z0-9._-], 1..128 each, not starting with '.'
 *   actor (credential id): printable ASCII, 1..128, or NULL when unknown
 */
#ifndef COVE_STORE_H
#define COVE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cove/bytes.h"
#include "cove/err.h"

#ifdef __cplusplus
extern "C" {
#endif

#define COVE_STORE_KEY_LEN 32                      /* master key: AES-256 */
#define COVE_STORE_TYPE_MAX 64                     /* attestation type */
#define COVE_STORE_KEY_NAME_MAX 127                /* Secure Key Release key name */
#define COVE_STORE_PATH_PART_MAX 128               /* KBS repository, type or tag */
#define COVE_STORE_ACTOR_MAX 128                   /* credential id in the audit log */
#define COVE_STORE_POLICY_MAX (1024 * 1024)        /* policy text */
#define COVE_STORE_SIGNER_MAX (64 * 1024)          /* signer information (e.g. a PEM certificate) */
#define COVE_STORE_KEY_TYPE_MAX 32                 /* "RSA", "EC", "oct", ... */
#define COVE_STORE_MATERIAL_MAX (64 * 1024)        /* key material */
#define COVE_STORE_RELEASE_POLICY_MAX (256 * 1024) /* release / resource policy text */
#define COVE_STORE_RESOURCE_MAX (4 * 1024 * 1024)  /* KBS resource bytes */

/* Newest database schema this build writes and reads (PRAGMA user_version). */
#define COVE_STORE_SCHEMA_VERSION 2

typedef struct cove_store cove_store;

typedef struct cove_store_opts {
	/*
	 * The master key file: exactly 32 raw bytes, a regular file owned by
	 * the effective user with no group/other permissions.  NULL means
	 * <state_dir>/master.key.  When the file does not exist and the
	 * database holds no encrypted data yet, a fresh random key is written
	 * there (mode 0600); when the database already has a key, a missing or
	 * different file is refused.
	 */
	const char *key_file;
	int busy_timeout_ms; /* wait for another process's lock; 0 means 5000 */
} cove_store_opts;

/*
 * Open (creating when needed) <state_dir>/coved.db.  The directory is made
 * with mode 0700 when missing and must be owned by the effective user and
 * closed to group and others; the database file is created with mode 0600.
 * Migrates an older schema to COVE_STORE_SCHEMA_VERSION, one transaction per
 * step; a database from a newer cove is refused (COVE_ERR_UNSUPPORTED).
 * `o` may be NULL.
 */
cove_err cove_store_open_sqlite(const char *state_dir, const cove_store_opts *o, cove_store **out, cove_error *e);
/* Close the store (NULL is fine).  The master key is wiped from memory. */
void cove_store_free(cove_store *s);

/* Backend name ("sqlite") and the schema version the database is at. */
const char *cove_store_backend(const cove_store *s);
int cove_store_schema_version(const cove_store *s);

/* Full consistency check of the database (SQLite: PRAGMA integrity_check). */
cove_err cove_store_check(cove_store *s, cove_error *e);

/*
 * Re-encrypt every secret under the key in `new_key_file` (created with a
 * fresh random key when it does not exist) in one transaction; afterwards
 * the store uses the new key, and the database can be opened only with it.
 * Keep the old file until the configuration names the new one.
 */
cove_err cove_store_rotate_key(cove_store *s, const char *new_key_file, const char *actor, cove_error *e);

/* A list of names, owned by the caller: cove_store_names_free(). */
typedef struct cove_store_names {
	char **v;
	size_t n;
} cove_store_names;
void cove_store_names_free(cove_store_names *l);

/* ---- Attestation policies: one per attestation type ---- */

typedef struct cove_store_policy {
	char *type;       /* attestation type, "SevSnpVm" */
	char *text;       /* the policy as uploaded */
	char *signer;     /* who signed the upload (e.g. the signing certificate, PEM); NULL when unsigned */
	int64_t version;  /* 1 for the first put of this type, +1 per put */
	char etag[65];    /* lowercase hex SHA-256 of text */
	int64_t updated_at; /* Unix seconds */
} cove_store_policy;
/* Release what a get filled in (the struct itself is the caller's). */
void cove_store_policy_free(cove_store_policy *p);

/* Store `text` (and `signer`, may be NULL) for `type`; *version (may be NULL) gets the new version. */
cove_err cove_store_policy_put(cove_store *s, const char *type, const char *text, const char *signer,
			       const char *actor, int64_t *version, cove_error *e);
/* *found is false (and `out` untouched) when `type` has no stored policy. */
cove_err cove_store_policy_get(cove_store *s, const char *type, cove_store_policy *out, bool *found, cove_error *e);
/* *found (may be NULL) tells whether there was one to delete. */
cove_err cove_store_policy_delete(cove_store *s, const char *type, const char *actor, bool *found, cove_error *e);
cove_err cove_store_policy_list(cove_store *s, cove_store_names *out, cove_error *e);

/* ---- Secure Key Release keys ---- */

typedef struct cove_store_key {
	char *name;
	char *key_type;       /* coved's vocabulary, e.g. "RSA", "EC", "oct" ([A-Za-z0-9_-], 1..32) */
	cove_buf material;    /* the secret key, decrypted; wiped by cove_store_key_free() */
	char *release_policy; /* release policy, a JSON object as text */
	int64_t version;
	int64_t created_at, updated_at; /* Unix seconds */
} cove_store_key;
void cove_store_key_free(cove_store_key *k);

/* Store or replace a key.  `release_policy` must be a JSON object. */
cove_err cove_store_key_put(cove_store *s, const char *name, const char *key_type, const void *material,
			    size_t material_len, const char *release_policy, const char *actor, int64_t *version,
			    cove_error *e);
cove_err cove_store_key_get(cove_store *s, const char *name, cove_store_key *out, bool *found, cove_error *e);
cove_err cove_store_key_delete(cove_store *s, const char *name, const char *actor, bool *found, cove_error *e);
cove_err cove_store_key_list(cove_store *s, cove_store_names *out, cove_error *e);

/* ---- KBS resources: <repository>/<type>/<tag> ---- */

typedef struct cove_store_resource {
	char *repository, *type, *tag;
	cove_buf data;  /* decrypted; wiped by cove_store_resource_free() */
	char *policy;   /* resource policy text; NULL when none */
	int64_t version;
	int64_t updated_at;
} cove_store_resource;
void cove_store_resource_free(cove_store_resource *r);

cove_err cove_store_resource_put(cove_store *s, const char *repository, const char *type, const char *tag,
				 const void *data, size_t len, const char *policy, const char *actor,
				 int64_t *version, cove_error *e);
cove_err cove_store_resource_get(cove_store *s, const char *repository, const char *type, const char *tag,
				 cove_store_resource *out, bool *found, cove_error *e);
cove_err cove_store_resource_delete(cove_store *s, const char *repository, const char *type, const char *tag,
				    const char *actor, bool *found, cove_error *e);
/* Names are "repository/type/tag". */
cove_err cove_store_resource_list(cove_store *s, cove_store_names *out, cove_error *e);

/* ---- Audit log: append-only, never holds secret values ---- */

typedef struct cove_store_audit_entry {
	int64_t id;     /* increasing */
	int64_t at;     /* Unix seconds */
	char *actor;    /* NULL when the caller gave none */
	char *action;   /* "policy.put", "policy.delete", "key.put", "key.delete", "resource.put",
			   "resource.delete", "store.rotate_key" */
	char *object;   /* attestation type, key name or "repository/type/tag" */
	int64_t version; /* the version written (0 for deletes and rotation) */
	char *detail;   /* non-secret detail (a policy's etag, a key's type); NULL when none */
} cove_store_audit_entry;

typedef struct cove_store_audit {
	cove_store_audit_entry *v;
	size_t n;
} cove_store_audit;
void cove_store_audit_free(cove_store_audit *a);

/* Entries with id > after_id, oldest first, at most `limit` (0: no limit). */
cove_err cove_store_audit_list(cove_store *s, int64_t after_id, size_t limit, cove_store_audit *out,
			       cove_error *e);

#ifdef __cplusplus
}
#endif
#endif
