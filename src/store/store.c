/*
 * coved's store, the backend-independent side (include/cove/store.h,
 * docs/store.md): argument checks, then a call through the backend's
 * operation table.  Every name, size and text is checked here, before a
 * backend sees it, so bad input changes nothing and is reported precisely.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "store/internal.h"

static bool is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* `extra` lists the punctuation allowed besides letters and digits. */
static cove_err check_name(const char *what, const char *name, size_t max, const char *extra, bool alnum_first,
			   cove_error *e)
{
	if (!name)
		return cove_error_set(e, COVE_ERR_ARG, "%s is missing", what);
	size_t len = strnlen(name, max + 1);
	if (len == 0)
		return cove_error_set(e, COVE_ERR_ARG, "%s is empty", what);
	if (len > max)
		return cove_error_set(e, COVE_ERR_ARG, "%s is longer than %zu bytes", what, max);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];
		if (is_alnum((char)c) || (c && strchr(extra, c) && !(i == 0 && alnum_first)))
			continue;
		if (c >= 0x21 && c <= 0x7e)
			return cove_error_set(e, COVE_ERR_ARG, "%s \"%.*s\": character '%c' at offset %zu is not "
					      "allowed%s (allowed: letters, digits and \"%s\")", what, (int)len, name,
					      c, i, i == 0 && alnum_first ? " first" : "", extra);
		return cove_error_set(e, COVE_ERR_ARG, "%s: byte 0x%02x at offset %zu is not allowed (allowed: "
				      "letters, digits and \"%s\")", what, c, i, extra);
	}
	return COVE_OK;
}

static cove_err check_type(const char *type, cove_error *e)
{
	return check_name("attestation type", type, COVE_STORE_TYPE_MAX, "_-", false, e);
}

static cove_err check_key_name(const char *name, cove_error *e)
{
	return check_name("key name", name, COVE_STORE_KEY_NAME_MAX, "._-", true, e);
}

static cove_err check_resource(const char *repository, const char *type, const char *tag, store_resource_id *id,
			       cove_error *e)
{
	cove_err rc;
	if ((rc = check_name("KBS resource repository", repository, COVE_STORE_PATH_PART_MAX, "._-", true, e)) ||
	    (rc = check_name("KBS resource type", type, COVE_STORE_PATH_PART_MAX, "._-", true, e)) ||
	    (rc = check_name("KBS resource tag", tag, COVE_STORE_PATH_PART_MAX, "._-", true, e)))
		return rc;
	id->repository = repository;
	id->type = type;
	id->tag = tag;
	snprintf(id->joined, sizeof(id->joined), "%s/%s/%s", repository, type, tag);
	return COVE_OK;
}

static cove_err check_actor(const char *actor, cove_error *e)
{
	if (!actor)
		return COVE_OK;
	size_t len = strnlen(actor, COVE_STORE_ACTOR_MAX + 1);
	if (len == 0 || len > COVE_STORE_ACTOR_MAX)
		return cove_error_set(e, COVE_ERR_ARG, "actor (credential id) must be 1 to %d bytes, or NULL",
				      COVE_STORE_ACTOR_MAX);
	for (size_t i = 0; i < len; i++)
		if (actor[i] < 0x20 || actor[i] > 0x7e)
			return cove_error_set(e, COVE_ERR_ARG, "actor (credential id): byte 0x%02x at offset %zu is "
					      "not printable ASCII", (unsigned char)actor[i], i);
	return COVE_OK;
}

/* A NUL-terminated text of at most `max` bytes. */
static cove_err check_text(const char *what, const char *text, size_t max, bool required, cove_error *e)
{
	if (!text)
		return required ? cove_error_set(e, COVE_ERR_ARG, "%s is missing", what) : COVE_OK;
	size_t len = strnlen(text, max + 1);
	if (len > max)
		return cove_error_set(e, COVE_ERR_ARG, "%s is larger than the %zu bytes accepted", what, max);
	if (required && len == 0)
		return cove_error_set(e, COVE_ERR_ARG, "%s is empty", what);
	return COVE_OK;
}

static cove_err check_out(const void *out, const bool *found, cove_error *e)
{
	if (!out || !found)
		return cove_error_set(e, COVE_ERR_ARG, "no place for the result (out and found must be given)");
	return COVE_OK;
}

cove_err store_names_add(cove_store_names *l, const char *name, cove_error *e)
{
	char **v = realloc(l->v, (l->n + 1) * sizeof(*v));
	if (!v)
		return cove_error_set(e, COVE_ERR_NOMEM, "out of memory listing the store");
	l->v = v;
	if (!(v[l->n] = strdup(name)))
		return cove_error_set(e, COVE_ERR_NOMEM, "out of memory listing the store");
	l->n++;
	return COVE_OK;
}

void cove_store_names_free(cove_store_names *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

void cove_store_policy_free(cove_store_policy *p)
{
	if (!p)
		return;
	free(p->type);
	free(p->text);
	free(p->signer);
	memset(p, 0, sizeof(*p));
}

void cove_store_key_free(cove_store_key *k)
{
	if (!k)
		return;
	free(k->name);
	free(k->key_type);
	free(k->release_policy);
	store_buf_wipe(&k->material);
	memset(k, 0, sizeof(*k));
}

void cove_store_resource_free(cove_store_resource *r)
{
	if (!r)
		return;
	free(r->repository);
	free(r->type);
	free(r->tag);
	free(r->policy);
	store_buf_wipe(&r->data);
	memset(r, 0, sizeof(*r));
}

void cove_store_audit_free(cove_store_audit *a)
{
	if (!a)
		return;
	for (size_t i = 0; i < a->n; i++) {
		free(a->v[i].actor);
		free(a->v[i].action);
		free(a->v[i].object);
		free(a->v[i].detail);
	}
	free(a->v);
	a->v = NULL;
	a->n = 0;
}

void cove_store_free(cove_store *s)
{
	if (!s)
		return;
	s->ops->close(s);
	store_cipher_free(s->cipher);
	free(s);
}

const char *cove_store_backend(const cove_store *s)
{
	return s ? s->ops->name : "none";
}

int cove_store_schema_version(const cove_store *s)
{
	return s ? s->schema_version : 0;
}

#define CHECK_STORE(s)                                                                         \
	do {                                                                                   \
		if (!(s))                                                                      \
			return cove_error_set(e, COVE_ERR_ARG, "no store (the handle is NULL)"); \
	} while (0)

cove_err cove_store_check(cove_store *s, cove_error *e)
{
	CHECK_STORE(s);
	return s->ops->check(s, e);
}

cove_err cove_store_rotate_key(cove_store *s, const char *new_key_file, const char *actor, cove_error *e)
{
	CHECK_STORE(s);
	cove_err rc;
	store_cipher *next = NULL;
	bool created = false;
	if (!new_key_file || !*new_key_file)
		return cove_error_set(e, COVE_ERR_ARG, "no file named for the new master key");
	if ((rc = check_actor(actor, e)))
		return rc;
	if ((rc = store_cipher_load(new_key_file, true, &next, &created, e)))
		return cove_error_wrap(e, rc, "key rotation");
	if ((rc = s->ops->rotate(s, next, actor, e))) {
		store_cipher_free(next);
		/* A key file made for this rotation and not used is removed again. */
		if (created)
			unlink(new_key_file);
	}
	return rc;
}

/* ---- policies ---- */

cove_err cove_store_policy_put(cove_store *s, const char *type, const char *text, const char *signer,
			       const char *actor, int64_t *version, cove_error *e)
{
	CHECK_STORE(s);
	cove_err rc;
	uint8_t digest[32];
	char etag[65];
	if ((rc = check_type(type, e)) || (rc = check_text("policy text", text, COVE_STORE_POLICY_MAX, true, e)) ||
	    (rc = check_text("policy signer", signer, COVE_STORE_SIGNER_MAX, false, e)) ||
	    (rc = check_actor(actor, e)))
		return rc;
	if (!EVP_Digest(text, strlen(text), digest, NULL, EVP_sha256(), NULL))
		return cove_error_set(e, COVE_ERR_CRYPTO, "SHA-256 of the policy text failed");
	cove_hex_write(etag, digest, sizeof(digest));
	return s->ops->policy_put(s, type, text, signer, etag, actor, version, e);
}

cove_err cove_store_policy_get(cove_store *s, const char *type, cove_store_policy *out, bool *found, cove_error *e)
{
	CHECK_STORE(s);
	cove_err rc;
	if ((rc = check_out(out, found, e)) || (rc = check_type(type, e)))
		return rc;
	return s->ops->policy_get(s, type, out, found, e);
}

cove_err cove_store_policy_delete(cove_store *s, const char *type, const char *actor, bool *found, cove_error *e)
{
	CHECK_STORE(s);
	cove_err rc;
	bool dummy;
	if ((rc = check_type(type, e)) || (rc = check_actor(actor, e)))
		return rc;
	return s->ops->remove(s, STORE_POLICIES, type, NULL, actor, found ? found : &dummy, e);
}

cove_err cove_store_policy_list(cove_store *s, cove_store_names *out, cove_error *e)
{
	CHECK_STORE(s);
	if (!out)
		return cove_error_set(e, COVE_ERR_ARG, "no place for the list");
	return s->ops->list(s, STORE_POLICIES, out, e);
}

/* ---- keys ---- */

cove_err cove_store_key_put(cove_store *s, const char *name, const char *key_type, const void *material,
			    size_t material_len, const char *release_policy, const char *actor, int64_t *version,
			    cove_error *e)
{
	CHECK_STORE(s);
	cove_err rc;
	if ((rc = check_key_name(name, e)) ||
	    (rc = check_name("key type", key_type, COVE_STORE_KEY_TYPE_MAX, "_-", false, e)) ||
	    (rc = check_text("release policy", release_policy, COVE_STORE_RELEASE_POLICY_MAX, true, e)) ||
	    (rc = check_actor(actor, e)))
		return rc;
	if (!material || material_len == 0)
		return cove_error_set(e, COVE_ERR_ARG, "key %s: no key material", name);
	if (material_len > COVE_STORE_MATERIAL_MAX)
		return cove_error_set(e, COVE_ERR_ARG, "key %s: %zu bytes of key material, more than the %d accepted",
				      name, material_len, COVE_STORE_MATERIAL_MAX);
	json_error_t jerr;
	json_t *j = json_loads(release_policy, JSON_REJECT_DUPLICATES, &jerr);
	if (!j)
		return cove_error_set(e, COVE_ERR_PARSE, "key %s: release policy is not valid JSON (line %d, column "
				      "%d: %s)", name, jerr.line, jerr.column, jerr.text);
	bool is_object = json_is_object(j);
	json_decref(j);
	if (!is_object)
		return cove_error_set(e, COVE_ERR_PARSE, "key %s: release policy must be a JSON object", name);
	return s->ops->key_put(s, name, key_type, material, material_len, release_policy, actor, version, e);
}

cove_err cove_store_key_get(cove_store *s, const char *name, cove_store_key *out, bool *found, cove_error *e)
{
	CHECK_STORE(s);
	cove_err rc;
	if ((rc = check_out(out, found, e)) || (rc = check_key_name(name, e)))
		return rc;
	return s->ops->key_get(s, name, out, found, e);
}

cove_err cove_store_key_delete(cove_store *s, const char *name, const char *actor, bool *found, cove_error *e)
{
	CHECK_STORE(s);
	cove_err rc;
	bool dummy;
	if ((rc = check_key_name(name, e)) || (rc = check_actor(actor, e)))
		return rc;
	return s->ops->remove(s, STORE_KEYS, name, NULL, actor, found ? found : &dummy, e);
}

cove_err cove_store_key_list(cove_store *s, cove_store_names *out, cove_error *e)
{
	CHECK_STORE(s);
	if (!out)
		return cove_error_set(e, COVE_ERR_ARG, "no place for the list");
	return s->ops->list(s, STORE_KEYS, out, e);
}

/* ---- KBS resources ---- */

cove_err cove_store_resource_put(cove_store *s, const char *repository, const char *type, const char *tag,
				 const void *data, size_t len, const char *policy, const char *actor,
				 int64_t *version, cove_error *e)
{
	CHECK_STORE(s);
	cove_err rc;
	store_resource_id id;
	if ((rc = check_resource(repository, type, tag, &id, e)) ||
	    (rc = check_text("resource policy", policy, COVE_STORE_RELEASE_POLICY_MAX, false, e)) ||
	    (rc = check_actor(actor, e)))
		return rc;
	if (!data && len)
		return cove_error_set(e, COVE_ERR_ARG, "resource %s: no data", id.joined);
	if (len > COVE_STORE_RESOURCE_MAX)
		return cove_error_set(e, COVE_ERR_ARG, "resource %s: %zu bytes, more than the %d accepted", id.joined,
				      len, COVE_STORE_RESOURCE_MAX);
	return s->ops->resource_put(s, &id, data ? data : "", len, policy, actor, version, e);
}

cove_err cove_store_resource_get(cove_store *s, const char *repository, const char *type, const char *tag,
				 cove_store_resource *out, bool *found, cove_error *e)
{
	CHECK_STORE(s);
	cove_err rc;
	store_resource_id id;
	if ((rc = check_out(out, found, e)) || (rc = check_resource(repository, type, tag, &id, e)))
		return rc;
	return s->ops->resource_get(s, &id, out, found, e);
}

cove_err cove_store_resource_delete(cove_store *s, const char *repository, const char *type, const char *tag,
				    const char *actor, bool *found, cove_error *e)
{
	CHECK_STORE(s);
	cove_err rc;
	store_resource_id id;
	bool dummy;
	if ((rc = check_resource(repository, type, tag, &id, e)) || (rc = check_actor(actor, e)))
		return rc;
	return s->ops->remove(s, STORE_RESOURCES, id.joined, &id, actor, found ? found : &dummy, e);
}

cove_err cove_store_resource_list(cove_store *s, cove_store_names *out, cove_error *e)
{
	CHECK_STORE(s);
	if (!out)
		return cove_error_set(e, COVE_ERR_ARG, "no place for the list");
	return s->ops->list(s, STORE_RESOURCES, out, e);
}

/* ---- audit ---- */

cove_err cove_store_audit_list(cove_store *s, int64_t after_id, size_t limit, cove_store_audit *out, cove_error *e)
{
	CHECK_STORE(s);
	if (!out)
		return cove_error_set(e, COVE_ERR_ARG, "no place for the audit entries");
	return s->ops->audit_list(s, after_id, limit, out, e);
}
