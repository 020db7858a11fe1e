/*
 * coved's store (include/cove/store.h, docs/store.md) on its SQLite backend:
 * round trips of policies, keys and KBS resources; secrets absent from the
 * database's bytes; ciphertexts swapped between rows or rolled back under a
 * newer version refused (AES-GCM additional data); wrong, missing and
 * badly-permitted master keys; key rotation; migration of a v1 database;
 * refusal of a newer or foreign database; the append-only audit log;
 * concurrent writers on one and on two handles; bad names; permissions.
 * Crash safety: a child process writes policies and keys and reports every
 * acknowledged put on a pipe; it is SIGKILLed at random points and, after
 * each kill, every acknowledged write must be there with its value and the
 * database must pass PRAGMA integrity_check.  Seed: COVE_TEST_SEED.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <sqlite3.h>

#include "cove/store.h"
#include "store/internal.h"
#include "support/expect.h"
#include "support/scratch.h"
#include "testutil.h"

typedef struct fixture {
	char dir[128];   /* scratch directory */
	char state[192]; /* dir/state: the store's state directory */
	char db[256];
	char key[256];
} fixture;

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));
	if (!f || cove_test_scratch_make(f->dir, sizeof(f->dir), "store") != 0)
		return -1;
	snprintf(f->state, sizeof(f->state), "%s/state", f->dir);
	snprintf(f->db, sizeof(f->db), "%s/coved.db", f->state);
	snprintf(f->key, sizeof(f->key), "%s/master.key", f->state);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;
	cove_test_scratch_remove(f->dir);
	free(f);
	return 0;
}

static cove_store *open_ok(const char *dir, const cove_store_opts *o)
{
	cove_error e = {0};
	cove_store *s = NULL;
	if (cove_store_open_sqlite(dir, o, &s, &e) != COVE_OK)
		fail_msg("open %s: %s", dir, e.msg);
	return s;
}

static cove_err open_err(const char *dir, const cove_store_opts *o, cove_error *e)
{
	cove_store *s = NULL;
	cove_err rc = cove_store_open_sqlite(dir, o, &s, e);
	assert_null(s);
	return rc;
}

#define OK(call)                                             \
	do {                                                 \
		cove_error e_ = {0};                         \
		cove_err rc_ = (call);                       \
		if (rc_ != COVE_OK)                          \
			fail_msg("%s: %s", #call, e_.msg);   \
	} while (0)
/* OK() with the error variable named `e_` visible to the call. */
#define E (&e_)

/* Raw SQL on the database file, outside the store, as an attacker or an older coved would. */
static void raw_exec(const char *db_path, const char *sql)
{
	sqlite3 *db = NULL;
	char *msg = NULL;
	assert_int_equal(sqlite3_open(db_path, &db), SQLITE_OK);
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("raw SQL \"%s\": %s", sql, msg);
	sqlite3_close(db);
}

static int64_t raw_int(const char *db_path, const char *sql)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	assert_int_equal(sqlite3_open(db_path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	int64_t v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

static void raw_text_equal(const char *db_path, const char *sql, const char *want)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	assert_int_equal(sqlite3_open(db_path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	const unsigned char *t = sqlite3_column_text(st, 0);
	assert_non_null(t);
	assert_string_equal((const char *)t, want);
	sqlite3_finalize(st);
	sqlite3_close(db);
}

/* Flip byte `off` of key `name`'s stored ciphertext. */
static void raw_flip(const char *db_path, const char *name, int off)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	uint8_t buf[256];
	assert_int_equal(sqlite3_open(db_path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT material FROM keys WHERE name = ?1", -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	int len = sqlite3_column_bytes(st, 0);
	assert_true(len > off && len <= (int)sizeof(buf));
	memcpy(buf, sqlite3_column_blob(st, 0), (size_t)len);
	sqlite3_finalize(st);
	buf[off] ^= 0x01;
	assert_int_equal(sqlite3_prepare_v2(db, "UPDATE keys SET material = ?1 WHERE name = ?2", -1, &st, NULL),
			 SQLITE_OK);
	sqlite3_bind_blob(st, 1, buf, len, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
	sqlite3_close(db);
}

static bool file_contains(const char *path, const void *needle, size_t len)
{
	cove_buf b = {0};
	if (cove_file_read(path, 64u << 20, &b, NULL) != COVE_OK)
		return false;
	bool found = b.len >= len && memmem(b.data, b.len, needle, len) != NULL;
	cove_buf_free(&b);
	return found;
}

static const char release[] = "{\"version\":\"1.0.0\",\"anyOf\":[{\"authority\":\"https://a.example\","
			      "\"allOf\":[{\"claim\":\"x-ms-attestation-type\",\"equals\":\"sevsnpvm\"}]}]}";

/* ---- round trips ---- */

static void test_policy_round_trip(void **state)
{
	fixture *f = *state;
	cove_store *s = open_ok(f->state, NULL);
	assert_string_equal(cove_store_backend(s), "sqlite");
	assert_int_equal(cove_store_schema_version(s), COVE_STORE_SCHEMA_VERSION);
	int64_t v = 0;
	OK(cove_store_policy_put(s, "SevSnpVm", "version=1.0; authorizationrules { => permit(); };", NULL, "admin-1",
				 &v, E));
	assert_int_equal(v, 1);
	OK(cove_store_policy_put(s, "SevSnpVm", "version=1.2; authorizationrules { => deny(); };", "CN=signer",
				 "admin-2", &v, E));
	assert_int_equal(v, 2);
	OK(cove_store_policy_put(s, "TdxVm", "version=1.0;", NULL, NULL, NULL, E));

	cove_store_policy p = {0};
	bool found = false;
	OK(cove_store_policy_get(s, "SevSnpVm", &p, &found, E));
	assert_true(found);
	assert_string_equal(p.type, "SevSnpVm");
	assert_string_equal(p.text, "version=1.2; authorizationrules { => deny(); };");
	assert_string_equal(p.signer, "CN=signer");
	assert_int_equal(p.version, 2);
	assert_true(p.updated_at > 1700000000);
	/* The etag is the SHA-256 of the text, computed independently here. */
	uint8_t d[32];
	char hex[65];
	EVP_Digest(p.text, strlen(p.text), d, NULL, EVP_sha256(), NULL);
	cove_hex_write(hex, d, sizeof(d));
	assert_string_equal(p.etag, hex);
	cove_store_policy_free(&p);

	OK(cove_store_policy_get(s, "SgxEnclave", &p, &found, E));
	assert_false(found);
	cove_store_names l = {0};
	OK(cove_store_policy_list(s, &l, E));
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[0], "SevSnpVm");
	assert_string_equal(l.v[1], "TdxVm");
	cove_store_names_free(&l);

	OK(cove_store_policy_delete(s, "TdxVm", "admin-1", &found, E));
	assert_true(found);
	OK(cove_store_policy_delete(s, "TdxVm", "admin-1", &found, E));
	assert_false(found);
	OK(cove_store_policy_get(s, "TdxVm", &p, &found, E));
	assert_false(found);

	/* The audit log: every change, in order, with who made it; a delete of nothing is not recorded. */
	cove_store_audit a = {0};
	OK(cove_store_audit_list(s, 0, 0, &a, E));
	assert_int_equal(a.n, 4);
	assert_string_equal(a.v[0].action, "policy.put");
	assert_string_equal(a.v[0].object, "SevSnpVm");
	assert_string_equal(a.v[0].actor, "admin-1");
	assert_int_equal(a.v[1].version, 2);
	assert_string_equal(a.v[1].detail, hex);
	assert_null(a.v[2].actor);
	assert_string_equal(a.v[3].action, "policy.delete");
	assert_true(a.v[0].id < a.v[1].id && a.v[2].id < a.v[3].id);
	int64_t second = a.v[1].id;
	cove_store_audit_free(&a);
	OK(cove_store_audit_list(s, second, 1, &a, E));
	assert_int_equal(a.n, 1);
	assert_string_equal(a.v[0].object, "TdxVm");
	cove_store_audit_free(&a);
	OK(cove_store_check(s, E));
	cove_store_free(s);

	/* Durable across a reopen. */
	s = open_ok(f->state, NULL);
	OK(cove_store_policy_get(s, "SevSnpVm", &p, &found, E));
	assert_true(found);
	assert_int_equal(p.version, 2);
	cove_store_policy_free(&p);
	cove_store_free(s);
}

static void test_key_and_resource_round_trip(void **state)
{
	fixture *f = *state;
	cove_store *s = open_ok(f->state, NULL);
	uint8_t mat[300];
	for (size_t i = 0; i < sizeof(mat); i++)
		mat[i] = (uint8_t)(i * 7); /* includes zero bytes */
	int64_t v = 0;
	OK(cove_store_key_put(s, "my-key.1", "RSA", mat, sizeof(mat), release, "admin", &v, E));
	assert_int_equal(v, 1);
	mat[0] ^= 1;
	OK(cove_store_key_put(s, "my-key.1", "RSA", mat, sizeof(mat), release, "admin", &v, E));
	assert_int_equal(v, 2);

	cove_store_key k = {0};
	bool found = false;
	OK(cove_store_key_get(s, "my-key.1", &k, &found, E));
	assert_true(found);
	assert_string_equal(k.name, "my-key.1");
	assert_string_equal(k.key_type, "RSA");
	assert_int_equal(k.material.len, sizeof(mat));
	assert_memory_equal(k.material.data, mat, sizeof(mat));
	assert_string_equal(k.release_policy, release);
	assert_int_equal(k.version, 2);
	assert_true(k.created_at <= k.updated_at && k.created_at > 0);
	cove_store_key_free(&k);
	OK(cove_store_key_get(s, "other", &k, &found, E));
	assert_false(found);

	const char data[] = "resource \0 bytes";
	OK(cove_store_resource_put(s, "default", "key", "1", data, sizeof(data), "allow = true", "kbs-admin", &v, E));
	assert_int_equal(v, 1);
	OK(cove_store_resource_put(s, "default", "cert", "a.b_c-d", "", 0, NULL, "kbs-admin", &v, E));
	cove_store_resource r = {0};
	OK(cove_store_resource_get(s, "default", "key", "1", &r, &found, E));
	assert_true(found);
	assert_string_equal(r.repository, "default");
	assert_string_equal(r.type, "key");
	assert_string_equal(r.tag, "1");
	assert_int_equal(r.data.len, sizeof(data));
	assert_memory_equal(r.data.data, data, sizeof(data));
	assert_string_equal(r.policy, "allow = true");
	cove_store_resource_free(&r);
	OK(cove_store_resource_get(s, "default", "cert", "a.b_c-d", &r, &found, E));
	assert_true(found);
	assert_int_equal(r.data.len, 0);
	assert_null(r.policy);
	cove_store_resource_free(&r);

	cove_store_names l = {0};
	OK(cove_store_resource_list(s, &l, E));
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[0], "default/cert/a.b_c-d");
	assert_string_equal(l.v[1], "default/key/1");
	cove_store_names_free(&l);
	OK(cove_store_key_list(s, &l, E));
	assert_int_equal(l.n, 1);
	cove_store_names_free(&l);

	OK(cove_store_resource_delete(s, "default", "key", "1", "kbs-admin", &found, E));
	assert_true(found);
	OK(cove_store_resource_get(s, "default", "key", "1", &r, &found, E));
	assert_false(found);
	OK(cove_store_key_delete(s, "my-key.1", NULL, &found, E));
	assert_true(found);
	OK(cove_store_key_get(s, "my-key.1", &k, &found, E));
	assert_false(found);

	/* The audit log names keys and their types, never their material. */
	cove_store_audit a = {0};
	OK(cove_store_audit_list(s, 0, 0, &a, E));
	assert_int_equal(a.n, 6);
	assert_string_equal(a.v[0].action, "key.put");
	assert_string_equal(a.v[0].detail, "RSA");
	assert_string_equal(a.v[2].action, "resource.put");
	assert_string_equal(a.v[2].object, "default/key/1");
	assert_string_equal(a.v[4].action, "resource.delete");
	assert_string_equal(a.v[5].action, "key.delete");
	cove_store_audit_free(&a);
	cove_store_free(s);
}

/* ---- secrets at rest ---- */

static void test_secrets_not_in_file(void **state)
{
	fixture *f = *state;
	cove_store *s = open_ok(f->state, NULL);
	static const char key_secret[] = "KEY-MATERIAL-MARKER-3f9a1c77e0d2";
	static const char res_secret[] = "RESOURCE-MARKER-b81f0e4c92aa";
	static const char policy_marker[] = "POLICY-TEXT-MARKER-77aa";
	OK(cove_store_key_put(s, "k", "oct", key_secret, strlen(key_secret), release, NULL, NULL, E));
	OK(cove_store_resource_put(s, "r", "t", "g", res_secret, strlen(res_secret), NULL, NULL, NULL, E));
	OK(cove_store_policy_put(s, "SgxEnclave", policy_marker, NULL, NULL, NULL, E));
	char wal[300];
	snprintf(wal, sizeof(wal), "%s-wal", f->db);
	/* While open, the writes are in the WAL; after close they are checkpointed into the database file. */
	assert_true(file_contains(wal, policy_marker, strlen(policy_marker))); /* the search works */
	assert_false(file_contains(wal, key_secret, strlen(key_secret)));
	assert_false(file_contains(wal, res_secret, strlen(res_secret)));
	cove_store_free(s);
	assert_true(file_contains(f->db, policy_marker, strlen(policy_marker)));
	assert_false(file_contains(f->db, key_secret, strlen(key_secret)));
	assert_false(file_contains(f->db, res_secret, strlen(res_secret)));
	/* Nor the master key. */
	cove_buf mk = {0};
	assert_int_equal(cove_file_read(f->key, 64, &mk, NULL), COVE_OK);
	assert_int_equal(mk.len, 32);
	assert_false(file_contains(f->db, mk.data, mk.len));
	cove_buf_free(&mk);
}

static void test_ciphertext_swap_detected(void **state)
{
	fixture *f = *state;
	cove_store *s = open_ok(f->state, NULL);
	OK(cove_store_key_put(s, "alpha", "oct", "AAAAAAAAAAAAAAAA", 16, release, NULL, NULL, E));
	OK(cove_store_key_put(s, "beta", "oct", "BBBBBBBBBBBBBBBB", 16, release, NULL, NULL, E));
	OK(cove_store_resource_put(s, "r", "t", "one", "1111", 4, NULL, NULL, NULL, E));
	OK(cove_store_resource_put(s, "r", "t", "two", "2222", 4, NULL, NULL, NULL, E));
	cove_store_free(s);

	/* Same version (1), same table: only the name in the additional data tells them apart. */
	raw_exec(f->db, "UPDATE keys SET material = (SELECT material FROM keys WHERE name = 'beta') "
			"WHERE name = 'alpha'");
	raw_exec(f->db, "UPDATE resources SET data = (SELECT data FROM resources WHERE tag = 'one') WHERE tag = 'two'");
	s = open_ok(f->state, NULL);
	cove_store_key k = {0};
	cove_store_resource r = {0};
	bool found = true;
	cove_error e = {0};
	assert_int_equal(cove_store_key_get(s, "alpha", &k, &found, &e), COVE_ERR_VERIFY);
	cove_test_expect_msg(&e, "keys/alpha (version 1) fails authentication");
	assert_false(found);
	assert_null(k.material.data);
	OK(cove_store_key_get(s, "beta", &k, &found, E)); /* the source row is intact */
	assert_memory_equal(k.material.data, "BBBBBBBBBBBBBBBB", 16);
	cove_store_key_free(&k);
	assert_int_equal(cove_store_resource_get(s, "r", "t", "two", &r, &found, &e), COVE_ERR_VERIFY);
	cove_test_expect_msg(&e, "resources/r/t/two");

	/* A key's older ciphertext put back under its newer version: the version is bound too. */
	OK(cove_store_key_put(s, "gamma", "oct", "old-value-000000", 16, release, NULL, NULL, E));
	cove_store_free(s);
	raw_exec(f->db, "CREATE TABLE saved AS SELECT material FROM keys WHERE name = 'gamma'");
	s = open_ok(f->state, NULL);
	OK(cove_store_key_put(s, "gamma", "oct", "new-value-111111", 16, release, NULL, NULL, E));
	cove_store_free(s);
	raw_exec(f->db, "UPDATE keys SET material = (SELECT material FROM saved) WHERE name = 'gamma'");
	s = open_ok(f->state, NULL);
	assert_int_equal(cove_store_key_get(s, "gamma", &k, &found, &e), COVE_ERR_VERIFY);
	cove_test_expect_msg(&e, "keys/gamma (version 2)");
	/* Put the consistent old pair back (the edit above is what broke it), then flip one byte. */
	cove_store_free(s);
	raw_exec(f->db, "UPDATE keys SET material = (SELECT material FROM saved), version = 1 WHERE name = 'gamma'");
	s = open_ok(f->state, NULL);
	OK(cove_store_key_get(s, "gamma", &k, &found, E));
	assert_memory_equal(k.material.data, "old-value-000000", 16);
	cove_store_key_free(&k);
	cove_store_free(s);
	raw_flip(f->db, "gamma", 20);
	s = open_ok(f->state, NULL);
	assert_int_equal(cove_store_key_get(s, "gamma", &k, &found, &e), COVE_ERR_VERIFY);
	cove_store_free(s);
}

static void write_file(const char *path, const void *data, size_t len, unsigned mode)
{
	unlink(path);
	assert_int_equal(cove_file_write(path, data, len, mode, NULL), COVE_OK);
	chmod(path, mode);
}

static void test_master_key_checks(void **state)
{
	fixture *f = *state;
	cove_store *s = open_ok(f->state, NULL);
	assert_int_equal(cove_test_file_mode(f->key), 0600);
	OK(cove_store_key_put(s, "k", "oct", "secret-secret-00", 16, release, NULL, NULL, E));
	cove_store_free(s);

	cove_error e = {0};
	char other[300];
	snprintf(other, sizeof(other), "%s/other.key", f->dir);
	uint8_t wrong[32];
	memset(wrong, 0x42, sizeof(wrong));
	write_file(other, wrong, sizeof(wrong), 0600);
	cove_store_opts o = {.key_file = other};
	assert_int_equal(open_err(f->state, &o, &e), COVE_ERR_VERIFY);
	cove_test_expect_msg(&e, "is not the key this database's secrets are encrypted under");

	write_file(other, wrong, 31, 0600);
	assert_int_equal(open_err(f->state, &o, &e), COVE_ERR_PARSE);
	cove_test_expect_msg(&e, "holds 31 bytes; it must hold exactly 32");

	write_file(other, wrong, sizeof(wrong), 0640);
	assert_int_equal(open_err(f->state, &o, &e), COVE_ERR_ARG);
	cove_test_expect_msg(&e, "accessible by group or others (mode 0640)");

	char link_path[300];
	snprintf(link_path, sizeof(link_path), "%s/link.key", f->dir);
	assert_int_equal(symlink(f->key, link_path), 0);
	o.key_file = link_path;
	assert_int_equal(open_err(f->state, &o, &e), COVE_ERR_ARG);
	cove_test_expect_msg(&e, "is a symbolic link");

	/* A missing key file is not replaced by a new one once secrets exist. */
	char moved[300];
	snprintf(moved, sizeof(moved), "%s/moved.key", f->dir);
	assert_int_equal(rename(f->key, moved), 0);
	assert_int_equal(open_err(f->state, NULL, &e), COVE_ERR_ARG);
	cove_test_expect_msg(&e, "does not exist, but the database holds data encrypted");
	assert_int_equal(access(f->key, F_OK), -1);

	/* The key may live elsewhere (another volume): the moved file still opens the store. */
	o.key_file = moved;
	s = open_ok(f->state, &o);
	cove_store_key k = {0};
	bool found = false;
	OK(cove_store_key_get(s, "k", &k, &found, E));
	assert_memory_equal(k.material.data, "secret-secret-00", 16);
	cove_store_key_free(&k);
	cove_store_free(s);
}

static void test_rotate_key(void **state)
{
	fixture *f = *state;
	cove_store *s = open_ok(f->state, NULL);
	OK(cove_store_key_put(s, "k1", "oct", "k1-material-....", 16, release, NULL, NULL, E));
	OK(cove_store_key_put(s, "k1", "oct", "k1-material-v2..", 16, release, NULL, NULL, E));
	OK(cove_store_key_put(s, "k2", "EC", "k2", 2, release, NULL, NULL, E));
	OK(cove_store_resource_put(s, "repo", "key", "t", "resource-bytes", 14, NULL, NULL, NULL, E));
	cove_store *other = open_ok(f->state, NULL); /* a second handle, as another process would have */
	char next[300];
	snprintf(next, sizeof(next), "%s/next.key", f->dir);
	OK(cove_store_rotate_key(s, next, "operator", E));
	assert_int_equal(cove_test_file_mode(next), 0600);
	/* Still readable through the same handle. */
	cove_store_key k = {0};
	bool found = false;
	OK(cove_store_key_get(s, "k1", &k, &found, E));
	assert_memory_equal(k.material.data, "k1-material-v2..", 16);
	assert_int_equal(k.version, 2);
	cove_store_key_free(&k);
	cove_store_audit a = {0};
	OK(cove_store_audit_list(s, 0, 0, &a, E));
	assert_string_equal(a.v[a.n - 1].action, "store.rotate_key");
	assert_string_equal(a.v[a.n - 1].actor, "operator");
	cove_store_audit_free(&a);
	cove_store_free(s);

	/* The other handle still holds the old key: it must neither write under it nor pretend to read. */
	cove_error e = {0};
	assert_int_equal(cove_store_key_put(other, "k3", "oct", "x", 1, release, NULL, NULL, &e), COVE_ERR_VERIFY);
	cove_test_expect_msg(&e, "master key was rotated since this store was opened");
	assert_int_equal(cove_store_resource_put(other, "a", "b", "c", "x", 1, NULL, NULL, NULL, &e), COVE_ERR_VERIFY);
	assert_int_equal(cove_store_key_get(other, "k1", &k, &found, &e), COVE_ERR_VERIFY);
	cove_test_expect_msg(&e, "encrypted under another master key");
	cove_store_free(other);

	/* The old key no longer opens it; the new one does, and every secret reads back. */
	assert_int_equal(open_err(f->state, NULL, &e), COVE_ERR_VERIFY);
	cove_store_opts o = {.key_file = next};
	s = open_ok(f->state, &o);
	OK(cove_store_key_get(s, "k2", &k, &found, E));
	assert_memory_equal(k.material.data, "k2", 2);
	cove_store_key_free(&k);
	cove_store_resource r = {0};
	OK(cove_store_resource_get(s, "repo", "key", "t", &r, &found, E));
	assert_memory_equal(r.data.data, "resource-bytes", 14);
	cove_store_resource_free(&r);
	/* Rotating to a key file that is unusable changes nothing. */
	char bad[300];
	snprintf(bad, sizeof(bad), "%s/bad.key", f->dir);
	write_file(bad, "short", 5, 0600);
	assert_int_equal(cove_store_rotate_key(s, bad, NULL, &e), COVE_ERR_PARSE);
	cove_test_expect_msg(&e, "key rotation: master key file");
	OK(cove_store_key_get(s, "k1", &k, &found, E));
	cove_store_key_free(&k);
	cove_store_free(s);
	s = open_ok(f->state, &o);
	cove_store_free(s);
}

/* ---- schema ---- */

static void test_migrate_from_v1(void **state)
{
	fixture *f = *state;
	assert_int_equal(mkdir(f->state, 0700), 0);
	cove_error e = {0};
	if (store_sqlite_create_at(f->db, 1, &e) != COVE_OK)
		fail_msg("create v1: %s", e.msg);
	assert_int_equal(raw_int(f->db, "PRAGMA user_version"), 1);
	/* Rows as a v1 coved wrote them: no signer column, no resources table. */
	raw_exec(f->db, "INSERT INTO policies (type, text, etag, version, updated_at) "
			"VALUES ('SevSnpVm', 'version=1.0;', 'e', 3, 1700000000)");
	raw_exec(f->db, "INSERT INTO audit (at, actor, action, object, version) "
			"VALUES (1700000000, 'old', 'policy.put', 'SevSnpVm', 3)");
	assert_int_equal(raw_int(f->db, "SELECT count(*) FROM sqlite_master WHERE name = 'resources'"), 0);

	cove_store *s = open_ok(f->state, NULL);
	assert_int_equal(cove_store_schema_version(s), COVE_STORE_SCHEMA_VERSION);
	cove_store_policy p = {0};
	bool found = false;
	OK(cove_store_policy_get(s, "SevSnpVm", &p, &found, E));
	assert_true(found);
	assert_string_equal(p.text, "version=1.0;");
	assert_int_equal(p.version, 3);
	assert_null(p.signer);
	cove_store_policy_free(&p);
	OK(cove_store_policy_put(s, "SevSnpVm", "version=1.1;", "signer", NULL, NULL, E));
	OK(cove_store_resource_put(s, "a", "b", "c", "x", 1, NULL, NULL, NULL, E));
	cove_store_audit a = {0};
	OK(cove_store_audit_list(s, 0, 0, &a, E));
	assert_int_equal(a.n, 3);
	assert_string_equal(a.v[0].actor, "old");
	cove_store_audit_free(&a);
	cove_store_free(s);
	assert_int_equal(raw_int(f->db, "PRAGMA user_version"), COVE_STORE_SCHEMA_VERSION);
	assert_int_equal(raw_int(f->db, "PRAGMA application_id"), 0x636f7665);
}

static void test_refuse_newer_and_foreign(void **state)
{
	fixture *f = *state;
	cove_store *s = open_ok(f->state, NULL);
	OK(cove_store_policy_put(s, "TdxVm", "x", NULL, NULL, NULL, E));
	cove_store_free(s);
	raw_exec(f->db, "PRAGMA user_version = 3");
	cove_error e = {0};
	assert_int_equal(open_err(f->state, NULL, &e), COVE_ERR_UNSUPPORTED);
	cove_test_expect_msg(&e, "has schema version 3, newer than version 2 that this coved knows");
	assert_int_equal(raw_int(f->db, "PRAGMA user_version"), 3); /* untouched */

	/* Another application's SQLite database in the state directory. */
	char other[300];
	snprintf(other, sizeof(other), "%s/other", f->dir);
	assert_int_equal(mkdir(other, 0700), 0);
	char db[400];
	snprintf(db, sizeof(db), "%s/coved.db", other);
	raw_exec(db, "CREATE TABLE t (x)");
	chmod(db, 0600);
	assert_int_equal(open_err(other, NULL, &e), COVE_ERR_UNSUPPORTED);
	cove_test_expect_msg(&e, "that coved did not create");
	raw_exec(db, "PRAGMA application_id = 7");
	assert_int_equal(open_err(other, NULL, &e), COVE_ERR_UNSUPPORTED);
	cove_test_expect_msg(&e, "application_id 0x00000007");
	assert_int_equal(raw_int(db, "SELECT count(*) FROM sqlite_master"), 1);
}

static void test_audit_append_only(void **state)
{
	fixture *f = *state;
	cove_store *s = open_ok(f->state, NULL);
	OK(cove_store_policy_put(s, "TdxVm", "x", NULL, "a", NULL, E));
	cove_store_free(s);
	sqlite3 *db = NULL;
	assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
	assert_int_not_equal(sqlite3_exec(db, "UPDATE audit SET actor = 'b'", NULL, NULL, NULL), SQLITE_OK);
	assert_non_null(strstr(sqlite3_errmsg(db), "append-only"));
	assert_int_not_equal(sqlite3_exec(db, "DELETE FROM audit", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(raw_int(f->db, "SELECT count(*) FROM audit WHERE actor = 'a'"), 1);
}

/* ---- input checks ---- */

static void test_bad_input(void **state)
{
	fixture *f = *state;
	cove_store *s = open_ok(f->state, NULL);
	cove_error e = {0};
	char long_name[200];
	memset(long_name, 'a', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	struct {
		const char *type;
		const char *want;
	} bad_types[] = {
		{"", "attestation type is empty"},
		{"Sev/Snp", "character '/' at offset 3 is not allowed"},
		{"Sev Snp", "byte 0x20 at offset 3"},
		{"Sev'; DROP TABLE policies; --", "character ''' at offset 3"},
		{"Sev\xc3\xa9", "byte 0xc3 at offset 3"},
		{long_name, "longer than 64 bytes"},
	};
	for (size_t i = 0; i < sizeof(bad_types) / sizeof(bad_types[0]); i++) {
		assert_int_equal(cove_store_policy_put(s, bad_types[i].type, "p", NULL, NULL, NULL, &e), COVE_ERR_ARG);
		cove_test_expect_msg(&e, bad_types[i].want);
	}
	assert_int_equal(cove_store_policy_put(s, NULL, "p", NULL, NULL, NULL, &e), COVE_ERR_ARG);
	cove_test_expect_msg(&e, "attestation type is missing");
	assert_int_equal(cove_store_policy_put(s, "T", "", NULL, NULL, NULL, &e), COVE_ERR_ARG);
	cove_test_expect_msg(&e, "policy text is empty");
	assert_int_equal(cove_store_policy_put(s, "T", "p", NULL, "bad\nactor", NULL, &e), COVE_ERR_ARG);
	cove_test_expect_msg(&e, "byte 0x0a at offset 3 is not printable");

	assert_int_equal(cove_store_key_put(s, ".hidden", "oct", "k", 1, release, NULL, NULL, &e), COVE_ERR_ARG);
	cove_test_expect_msg(&e, "key name \".hidden\": character '.' at offset 0 is not allowed first");
	assert_int_equal(cove_store_key_put(s, long_name, "oct", "k", 1, release, NULL, NULL, &e), COVE_ERR_ARG);
	cove_test_expect_msg(&e, "key name is longer than 127 bytes");
	assert_int_equal(cove_store_key_put(s, "k", "o c t", "k", 1, release, NULL, NULL, &e), COVE_ERR_ARG);
	cove_test_expect_msg(&e, "key type");
	assert_int_equal(cove_store_key_put(s, "k", "oct", "k", 0, release, NULL, NULL, &e), COVE_ERR_ARG);
	cove_test_expect_msg(&e, "no key material");
	assert_int_equal(cove_store_key_put(s, "k", "oct", "k", 1, "{\"a\":1,}", NULL, NULL, &e), COVE_ERR_PARSE);
	cove_test_expect_msg(&e, "release policy is not valid JSON (line 1, column");
	assert_int_equal(cove_store_key_put(s, "k", "oct", "k", 1, "[1]", NULL, NULL, &e), COVE_ERR_PARSE);
	cove_test_expect_msg(&e, "must be a JSON object");
	assert_int_equal(cove_store_key_put(s, "k", "oct", "k", 1, "{\"a\":1,\"a\":2}", NULL, NULL, &e),
			 COVE_ERR_PARSE);
	uint8_t *big = calloc(1, COVE_STORE_MATERIAL_MAX + 1);
	assert_non_null(big);
	assert_int_equal(cove_store_key_put(s, "k", "oct", big, COVE_STORE_MATERIAL_MAX + 1, release, NULL, NULL, &e),
			 COVE_ERR_ARG);
	cove_test_expect_msg(&e, "more than the 65536 accepted");
	free(big);

	assert_int_equal(cove_store_resource_put(s, "..", "key", "1", "x", 1, NULL, NULL, NULL, &e), COVE_ERR_ARG);
	cove_test_expect_msg(&e, "KBS resource repository \"..\"");
	assert_int_equal(cove_store_resource_put(s, "r", "a/b", "1", "x", 1, NULL, NULL, NULL, &e), COVE_ERR_ARG);
	cove_test_expect_msg(&e, "KBS resource type \"a/b\": character '/' at offset 1");
	assert_int_equal(cove_store_resource_put(s, "r", "t", "", "x", 1, NULL, NULL, NULL, &e), COVE_ERR_ARG);
	cove_test_expect_msg(&e, "KBS resource tag is empty");

	cove_store_key k = {0};
	assert_int_equal(cove_store_key_get(s, "k", &k, NULL, &e), COVE_ERR_ARG);
	assert_int_equal(cove_store_policy_list(NULL, NULL, &e), COVE_ERR_ARG);
	cove_test_expect_msg(&e, "handle is NULL");

	/* Nothing was written. */
	cove_store_audit a = {0};
	OK(cove_store_audit_list(s, 0, 0, &a, E));
	assert_int_equal(a.n, 0);
	cove_store_audit_free(&a);
	cove_store_names l = {0};
	OK(cove_store_key_list(s, &l, E));
	assert_int_equal(l.n, 0);
	cove_store_free(s);
	assert_int_equal(open_err(NULL, NULL, &e), COVE_ERR_ARG);
	cove_store_opts o = {.key_file = ""};
	assert_int_equal(open_err(f->state, &o, &e), COVE_ERR_ARG);
	cove_test_expect_msg(&e, "master key file path is empty");
}

static void test_permissions(void **state)
{
	fixture *f = *state;
	/* A missing state directory is created private; the files are 0600. */
	cove_store *s = open_ok(f->state, NULL);
	OK(cove_store_policy_put(s, "TdxVm", "x", NULL, NULL, NULL, E));
	assert_int_equal(cove_test_file_mode(f->state), 0700);
	assert_int_equal(cove_test_file_mode(f->db), 0600);
	assert_int_equal(cove_test_file_mode(f->key), 0600);
	char wal[300];
	snprintf(wal, sizeof(wal), "%s-wal", f->db);
	assert_int_equal(cove_test_file_mode(wal), 0600);
	cove_store_free(s);

	cove_error e = {0};
	assert_int_equal(chmod(f->state, 0750), 0);
	assert_int_equal(open_err(f->state, NULL, &e), COVE_ERR_ARG);
	cove_test_expect_msg(&e, "is accessible by group or others (mode 0750)");
	assert_int_equal(chmod(f->state, 0700), 0);

	assert_int_equal(chmod(f->db, 0644), 0);
	assert_int_equal(open_err(f->state, NULL, &e), COVE_ERR_ARG);
	cove_test_expect_msg(&e, "coved.db is accessible by group or others (mode 0644)");
	assert_int_equal(chmod(f->db, 0600), 0);

	assert_int_equal(chmod(f->key, 0604), 0);
	assert_int_equal(open_err(f->state, NULL, &e), COVE_ERR_ARG);
	cove_test_expect_msg(&e, "run 'chmod 600");
	assert_int_equal(chmod(f->key, 0600), 0);

	/* A database file that is a symbolic link is refused. */
	char real[300];
	snprintf(real, sizeof(real), "%s/real.db", f->dir);
	assert_int_equal(rename(f->db, real), 0);
	assert_int_equal(symlink(real, f->db), 0);
	assert_int_equal(open_err(f->state, NULL, &e), COVE_ERR_ARG);
	cove_test_expect_msg(&e, "is not a regular file");
	unlink(f->db);
	assert_int_equal(rename(real, f->db), 0);

	/* A regular file where the directory should be. */
	char file_dir[300];
	snprintf(file_dir, sizeof(file_dir), "%s/plain", f->dir);
	write_file(file_dir, "x", 1, 0600);
	assert_int_equal(open_err(file_dir, NULL, &e), COVE_ERR_ARG);
	cove_test_expect_msg(&e, "is not a directory");
	s = open_ok(f->state, NULL);
	cove_store_free(s);
}

/* ---- concurrency ---- */

#define THREADS 4
#define PER_THREAD 30

typedef struct worker {
	cove_store *s;
	int id;
	int failures;
	char msg[COVE_ERROR_MSG_MAX];
} worker;

static void *work(void *arg)
{
	worker *w = arg;
	for (int i = 0; i < PER_THREAD; i++) {
		char name[32], text[64];
		cove_error e = {0};
		snprintf(name, sizeof(name), "t%d-%d", w->id, i);
		snprintf(text, sizeof(text), "policy of %s", name);
		if (cove_store_policy_put(w->s, name, text, NULL, name, NULL, &e) != COVE_OK ||
		    cove_store_key_put(w->s, name, "oct", text, strlen(text), release, name, NULL, &e) != COVE_OK) {
			w->failures++;
			snprintf(w->msg, sizeof(w->msg), "%s", e.msg);
		}
		cove_store_policy p = {0};
		bool found = false;
		if (cove_store_policy_get(w->s, name, &p, &found, &e) != COVE_OK || !found || strcmp(p.text, text)) {
			w->failures++;
			snprintf(w->msg, sizeof(w->msg), "read back %s: %.400s", name, e.msg);
		}
		cove_store_policy_free(&p);
	}
	return NULL;
}

static void test_concurrent_writers(void **state)
{
	fixture *f = *state;
	/* Two handles (two connections, as two processes would have) each shared by two threads. */
	cove_store *a = open_ok(f->state, NULL);
	cove_store *b = open_ok(f->state, NULL);
	pthread_t t[THREADS];
	worker w[THREADS];
	for (int i = 0; i < THREADS; i++) {
		w[i] = (worker){.s = i % 2 ? b : a, .id = i};
		assert_int_equal(pthread_create(&t[i], NULL, work, &w[i]), 0);
	}
	for (int i = 0; i < THREADS; i++) {
		pthread_join(t[i], NULL);
		if (w[i].failures)
			fail_msg("thread %d: %d failures, last: %s", i, w[i].failures, w[i].msg);
	}
	cove_store_names l = {0};
	OK(cove_store_key_list(a, &l, E));
	assert_int_equal(l.n, THREADS * PER_THREAD);
	cove_store_names_free(&l);
	cove_store_audit au = {0};
	OK(cove_store_audit_list(b, 0, 0, &au, E));
	assert_int_equal(au.n, 2 * THREADS * PER_THREAD);
	cove_store_audit_free(&au);
	cove_store_key k = {0};
	bool found = false;
	OK(cove_store_key_get(b, "t2-17", &k, &found, E));
	assert_memory_equal(k.material.data, "policy of t2-17", 15);
	cove_store_key_free(&k);
	OK(cove_store_check(a, E));
	cove_store_free(a);
	cove_store_free(b);
}

/* ---- crash safety ---- */

#define CRASH_NAMES 6
#define CRASH_ITERATIONS 8

/* What the child reports after a put returned: which object and the version it got. */
typedef struct ack {
	uint8_t kind; /* 0 policy, 1 key */
	uint8_t idx;
	uint8_t pad[6];
	int64_t version;
} ack;
_Static_assert(sizeof(ack) == 16, "ack record is 16 bytes");

/* The value written as version `v` of object (kind, idx): recomputable by the parent. */
static void crash_value(int kind, int idx, int64_t v, char *out, size_t cap)
{
	/* Lengths vary so that rows move between pages. */
	int n = snprintf(out, cap, "%s-%d-v%lld:", kind ? "key" : "policy", idx, (long long)v);
	int pad = (int)((v * 37 + idx * 11) % 900);
	for (int i = 0; i < pad && (size_t)n + 1 < cap; i++)
		out[n++] = (char)('a' + (v + i) % 26);
	out[n] = '\0';
}

static void crash_name(int kind, int idx, char *out, size_t cap)
{
	snprintf(out, cap, kind ? "crash-key-%d" : "Crash%d", idx);
}

static void crash_child(const char *dir, int fd)
{
	cove_store *s = NULL;
	if (cove_store_open_sqlite(dir, NULL, &s, NULL) != COVE_OK)
		_exit(3);
	for (unsigned i = 0;; i++) {
		int kind = (int)(i % 2), idx = (int)((i / 2) % CRASH_NAMES);
		char name[64], value[1024];
		int64_t v = 0;
		crash_name(kind, idx, name, sizeof(name));
		/* The value depends on the version the put will get: read it first (only this process writes). */
		int64_t cur = 0;
		bool found = false;
		if (kind == 0) {
			cove_store_policy p = {0};
			if (cove_store_policy_get(s, name, &p, &found, NULL) != COVE_OK)
				_exit(4);
			cur = found ? p.version : 0;
			cove_store_policy_free(&p);
			crash_value(kind, idx, cur + 1, value, sizeof(value));
			if (cove_store_policy_put(s, name, value, NULL, "crash-test", &v, NULL) != COVE_OK)
				_exit(5);
		} else {
			cove_store_key k = {0};
			if (cove_store_key_get(s, name, &k, &found, NULL) != COVE_OK)
				_exit(4);
			cur = found ? k.version : 0;
			cove_store_key_free(&k);
			crash_value(kind, idx, cur + 1, value, sizeof(value));
			if (cove_store_key_put(s, name, "oct", value, strlen(value), release, "crash-test", &v, NULL) !=
			    COVE_OK)
				_exit(5);
		}
		if (v != cur + 1)
			_exit(6);
		ack a = {.kind = (uint8_t)kind, .idx = (uint8_t)idx, .version = v};
		if (cove_write_all(fd, &a, sizeof(a)) != 0)
			_exit(7);
	}
}

static void test_crash_safety(void **state)
{
	fixture *f = *state;
	unsigned seed = (unsigned)time(NULL) ^ (unsigned)getpid();
	const char *env = getenv("COVE_TEST_SEED");
	if (env && *env)
		seed = (unsigned)strtoul(env, NULL, 0);
	print_message("crash test seed %u (set COVE_TEST_SEED to repeat)\n", seed);
	srand(seed);
	int64_t acked[2][CRASH_NAMES] = {{0}};
	long total = 0;
	for (int it = 0; it < CRASH_ITERATIONS; it++) {
		int p[2];
		assert_int_equal(pipe(p), 0);
		pid_t pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			close(p[0]);
			crash_child(f->state, p[1]);
			_exit(2);
		}
		close(p[1]);
		/* Kill after a random number of acknowledgements, or after a random time. */
		long want = 1 + rand() % 120;
		bool by_time = it % 3 == 2;
		long got = 0;
		ack a;
		if (by_time) {
			struct timespec ts = {0, (long)(rand() % 300) * 1000000L};
			nanosleep(&ts, NULL);
			kill(pid, SIGKILL);
		}
		for (;;) {
			ssize_t n = read(p[0], &a, sizeof(a));
			if (n < 0 && errno == EINTR)
				continue;
			if (n == 0)
				break;
			assert_int_equal(n, sizeof(a)); /* writes of 16 bytes to a pipe are atomic */
			assert_true(a.kind < 2 && a.idx < CRASH_NAMES);
			assert_true(a.version > acked[a.kind][a.idx]);
			acked[a.kind][a.idx] = a.version;
			if (++got == want && !by_time)
				kill(pid, SIGKILL);
		}
		close(p[0]);
		int status = 0;
		assert_int_equal(waitpid(pid, &status, 0), pid);
		if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL)
			fail_msg("iteration %d: the writer ended by itself (status 0x%x) after %ld acknowledgements", it,
				 status, got);
		total += got;

		/* Every acknowledged write is there; at most one later write (the one in flight) may be too. */
		cove_store *s = open_ok(f->state, NULL);
		OK(cove_store_check(s, E));
		raw_text_equal(f->db, "PRAGMA integrity_check", "ok"); /* and independently of the store */
		int ahead = 0;
		for (int kind = 0; kind < 2; kind++) {
			for (int idx = 0; idx < CRASH_NAMES; idx++) {
				char name[64], value[1024];
				crash_name(kind, idx, name, sizeof(name));
				bool found = false;
				int64_t v = 0;
				if (kind == 0) {
					cove_store_policy pol = {0};
					OK(cove_store_policy_get(s, name, &pol, &found, E));
					if (found) {
						v = pol.version;
						crash_value(kind, idx, v, value, sizeof(value));
						assert_string_equal(pol.text, value);
					}
					cove_store_policy_free(&pol);
				} else {
					cove_store_key k = {0};
					OK(cove_store_key_get(s, name, &k, &found, E));
					if (found) {
						v = k.version;
						crash_value(kind, idx, v, value, sizeof(value));
						assert_int_equal(k.material.len, strlen(value));
						assert_memory_equal(k.material.data, value, strlen(value));
					}
					cove_store_key_free(&k);
				}
				if (v < acked[kind][idx])
					fail_msg("iteration %d: %s has version %lld, but version %lld was acknowledged",
						 it, name, (long long)v, (long long)acked[kind][idx]);
				if (v > acked[kind][idx] + 1)
					fail_msg("iteration %d: %s has version %lld, beyond the one write in flight",
						 it, name, (long long)v);
				if (v == acked[kind][idx] + 1) {
					ahead++;
					acked[kind][idx] = v; /* committed, just not reported: the next child builds on it */
				}
			}
		}
		assert_true(ahead <= 1);
		cove_store_free(s);
	}
	print_message("crash test: %ld acknowledged writes across %d kills\n", total, CRASH_ITERATIONS);
	assert_true(total > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_policy_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_key_and_resource_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_secrets_not_in_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ciphertext_swap_detected, setup, teardown),
		cmocka_unit_test_setup_teardown(test_master_key_checks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rotate_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migrate_from_v1, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refuse_newer_and_foreign, setup, teardown),
		cmocka_unit_test_setup_teardown(test_audit_append_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_input, setup, teardown),
		cmocka_unit_test_setup_teardown(test_permissions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_concurrent_writers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_crash_safety, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
