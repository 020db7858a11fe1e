/*
 * Internal interfaces of coved's store (src/store; public side
 * include/cove/store.h, design docs/store.md): the backend operation table,
 * the handle, and the encryption of secrets at rest (cipher.c).
 *
 * store.c validates every argument and then calls the backend, so a backend
 * sees only well-formed names and sizes.  The backend encrypts and decrypts
 * through store_seal()/store_unseal() with the row identity it is writing,
 * inside its own transaction, because only it knows the version a put gets.
 */
#ifndef COVE_STORE_INTERNAL_H
#define COVE_STORE_INTERNAL_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "cove/store.h"

/* ---- cipher.c: the master key and AES-256-GCM with row-bound additional data ---- */

#define STORE_KEY_ID_LEN 32 /* HMAC-SHA256(master key, label): recorded in the database */

typedef struct store_cipher {
	uint8_t key[COVE_STORE_KEY_LEN];
	uint8_t key_id[STORE_KEY_ID_LEN];
	char path[PATH_MAX];
} store_cipher;

/*
 * Read the master key file at `path`; when it does not exist and
 * `may_create`, write a fresh random one first (*created tells).  The file
 * must be a regular file, not a link, owned by the effective user, mode
 * closed to group and others, exactly 32 bytes.
 */
cove_err store_cipher_load(const char *path, bool may_create, store_cipher **out, bool *created, cove_error *e);
/* Wipe and free (NULL is fine). */
void store_cipher_free(store_cipher *c);

/*
 * Encrypt `len` bytes for the row (`table`, `id`, `version`): out = 0x01 ||
 * nonce(12) || ciphertext || tag(16).  The additional data is
 * "cove-store-v1" 0 table 0 id 0 le64(version).
 */
cove_err store_seal(const store_cipher *c, const char *table, const char *id, int64_t version, const void *plain,
		    size_t len, cove_buf *out, cove_error *e);
/* Decrypt what store_seal() made for the same row; COVE_ERR_VERIFY when it does not authenticate. */
cove_err store_unseal(const store_cipher *c, const char *table, const char *id, int64_t version, const void *blob,
		      size_t len, cove_buf *out, cove_error *e);

/* Free a buffer that held a secret, wiping it first. */
void store_buf_wipe(cove_buf *b);

/* ---- backends ---- */

typedef struct store_resource_id {
	const char *repository, *type, *tag;
	char joined[3 * COVE_STORE_PATH_PART_MAX + 3]; /* "repository/type/tag" */
} store_resource_id;

typedef enum store_kind { STORE_POLICIES, STORE_KEYS, STORE_RESOURCES } store_kind;

/*
 * A backend's operations.  Each is called with validated arguments and must
 * be safe to call from any thread at any time; a mutating operation returns
 * COVE_OK only after its change and its audit record committed durably.
 */
typedef struct store_ops {
	const char *name;
	void (*close)(cove_store *s);
	cove_err (*check)(cove_store *s, cove_error *e);
	/* Re-encrypt every secret under `next`; on success the store owns `next` and uses it from then on. */
	cove_err (*rotate)(cove_store *s, store_cipher *next, const char *actor, cove_error *e);
	cove_err (*policy_put)(cove_store *s, const char *type, const char *text, const char *signer, const char *etag,
			       const char *actor, int64_t *version, cove_error *e);
	cove_err (*policy_get)(cove_store *s, const char *type, cove_store_policy *out, bool *found, cove_error *e);
	cove_err (*key_put)(cove_store *s, const char *name, const char *key_type, const void *material, size_t len,
			    const char *release_policy, const char *actor, int64_t *version, cove_error *e);
	cove_err (*key_get)(cove_store *s, const char *name, cove_store_key *out, bool *found, cove_error *e);
	cove_err (*resource_put)(cove_store *s, const store_resource_id *id, const void *data, size_t len,
				 const char *policy, const char *actor, int64_t *version, cove_error *e);
	cove_err (*resource_get)(cove_store *s, const store_resource_id *id, cove_store_resource *out, bool *found,
				 cove_error *e);
	/* `object` is the type, key name or resource id; for resources `rid` is set too. */
	cove_err (*remove)(cove_store *s, store_kind kind, const char *object, const store_resource_id *rid,
			   const char *actor, bool *found, cove_error *e);
	cove_err (*list)(cove_store *s, store_kind kind, cove_store_names *out, cove_error *e);
	cove_err (*audit_list)(cove_store *s, int64_t after_id, size_t limit, cove_store_audit *out, cove_error *e);
} store_ops;

struct cove_store {
	const store_ops *ops;
	void *impl;
	int schema_version;
	/* The current master key: read and replaced only under the backend's lock. */
	store_cipher *cipher;
};

/* Append one name to a list (copied). */
cove_err store_names_add(cove_store_names *l, const char *name, cove_error *e);

/* sqlite.c: the test hook that builds a database at an older schema (tests/test_store.c). */
cove_err store_sqlite_create_at(const char *db_path, int version, cove_error *e);

#endif
