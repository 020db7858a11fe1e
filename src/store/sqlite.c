/*
 * The SQLite backend of coved's store (docs/store.md; SQLite documentation:
 * "Write-Ahead Logging", "PRAGMA synchronous", "PRAGMA user_version").
 *
 * One database file, <state_dir>/coved.db, in WAL mode with
 * synchronous=FULL: in WAL mode, NORMAL already survives a killed process
 * but may lose the last commits on power loss, and FULL syncs the WAL at
 * every commit, so a put that returned is on stable storage.  Every write
 * is one BEGIN IMMEDIATE transaction (the write lock is taken up front, so
 * two writers never deadlock upgrading a read lock) holding the change and
 * its audit record.  The schema version is PRAGMA user_version; migrations
 * are an ordered list of constant SQL scripts, each run in a transaction of
 * its own that also sets the new version.  One connection per handle,
 * serialised by a mutex (statements are prepared per call, always with
 * bound parameters).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store/internal.h"

#define APPLICATION_ID 0x636f7665 /* "cove" */
#define DB_NAME "coved.db"
#define KEY_NAME "master.key"

/*
 * Migration n (0-based) takes the schema from version n to n + 1.  Never
 * edit a released step; add a new one.  v1: policies, keys, metadata and
 * the audit log (append-only by trigger); v2: policy signer information and
 * KBS resources.
 */
static const char *const migrations[COVE_STORE_SCHEMA_VERSION] = {
	"PRAGMA application_id = 1668249189;\n"
	"CREATE TABLE meta (name TEXT PRIMARY KEY NOT NULL, value BLOB NOT NULL);\n"
	"CREATE TABLE policies (type TEXT PRIMARY KEY NOT NULL, text TEXT NOT NULL, etag TEXT NOT NULL,\n"
	"  version INTEGER NOT NULL CHECK (version > 0), updated_at INTEGER NOT NULL);\n"
	"CREATE TABLE keys (name TEXT PRIMARY KEY NOT NULL, key_type TEXT NOT NULL, material BLOB NOT NULL,\n"
	"  release_policy TEXT NOT NULL, version INTEGER NOT NULL CHECK (version > 0),\n"
	"  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);\n"
	"CREATE TABLE audit (id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, actor TEXT,\n"
	"  action TEXT NOT NULL, object TEXT NOT NULL, version INTEGER NOT NULL, detail TEXT);\n"
	"CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit\n"
	"  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;\n"
	"CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit\n"
	"  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;\n"
	"PRAGMA user_version = 1;\n",

	"ALTER TABLE policies ADD COLUMN signer TEXT;\n"
	"CREATE TABLE resources (repository TEXT NOT NULL, type TEXT NOT NULL, tag TEXT NOT NULL,\n"
	"  data BLOB NOT NULL, policy TEXT, version INTEGER NOT NULL CHECK (version > 0),\n"
	"  updated_at INTEGER NOT NULL, PRIMARY KEY (repository, type, tag));\n"
	"PRAGMA user_version = 2;\n",
};

typedef struct sq {
	sqlite3 *db;
	pthread_mutex_t lock;
	char path[PATH_MAX];
} sq;

static sq *impl_of(cove_store *s)
{
	return s->impl;
}

/* An SQLite failure as a cove error: lock timeouts are "unavailable", the rest I/O. */
static cove_err sq_fail(sqlite3 *db, int rc, cove_error *e, const char *what)
{
	cove_err code = COVE_ERR_IO;
	int prim = rc & 0xff;
	if (prim == SQLITE_BUSY || prim == SQLITE_LOCKED)
		code = COVE_ERR_UNAVAILABLE;
	else if (prim == SQLITE_NOMEM)
		code = COVE_ERR_NOMEM;
	return cove_error_set(e, code, "store: %s: %s (SQLite %s)", what, db ? sqlite3_errmsg(db) : sqlite3_errstr(rc),
			      sqlite3_errstr(rc));
}

static cove_err sq_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **st, cove_error *e)
{
	int rc = sqlite3_prepare_v2(db, sql, -1, st, NULL);
	if (rc != SQLITE_OK)
		return sq_fail(db, rc, e, "preparing a statement");
	return COVE_OK;
}

static cove_err sq_exec(sqlite3 *db, const char *sql, const char *what, cove_error *e)
{
	int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		return sq_fail(db, rc, e, what);
	return COVE_OK;
}

static cove_err bind_text(sqlite3 *db, sqlite3_stmt *st, int i, const char *text, cove_error *e)
{
	int rc = text ? sqlite3_bind_text(st, i, text, -1, SQLITE_STATIC) : sqlite3_bind_null(st, i);
	return rc == SQLITE_OK ? COVE_OK : sq_fail(db, rc, e, "binding a parameter");
}

static cove_err bind_blob(sqlite3 *db, sqlite3_stmt *st, int i, const void *data, size_t len, cove_error *e)
{
	int rc = sqlite3_bind_blob64(st, i, data, len, SQLITE_STATIC);
	return rc == SQLITE_OK ? COVE_OK : sq_fail(db, rc, e, "binding a parameter");
}

static cove_err bind_int(sqlite3 *db, sqlite3_stmt *st, int i, int64_t v, cove_error *e)
{
	int rc = sqlite3_bind_int64(st, i, v);
	return rc == SQLITE_OK ? COVE_OK : sq_fail(db, rc, e, "binding a parameter");
}

/* Run a statement that returns no rows. */
static cove_err step_done(sqlite3 *db, sqlite3_stmt *st, const char *what, cove_error *e)
{
	int rc = sqlite3_step(st);
	if (rc != SQLITE_DONE)
		return sq_fail(db, rc, e, what);
	return COVE_OK;
}

/* Step a statement that returns at most one row: *row says whether it did. */
static cove_err step_row(sqlite3 *db, sqlite3_stmt *st, const char *what, bool *row, cove_error *e)
{
	int rc = sqlite3_step(st);
	*row = rc == SQLITE_ROW;
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sq_fail(db, rc, e, what);
	return COVE_OK;
}

/* A copy of a text column; NULL stays NULL. */
static cove_err col_text(sqlite3_stmt *st, int i, char **out, cove_error *e)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	*out = NULL;
	if (!t)
		return sqlite3_column_type(st, i) == SQLITE_NULL
			       ? COVE_OK
			       : cove_error_set(e, COVE_ERR_NOMEM, "out of memory reading the store");
	if (!(*out = strdup((const char *)t)))
		return cove_error_set(e, COVE_ERR_NOMEM, "out of memory reading the store");
	return COVE_OK;
}

static int64_t now(void)
{
	return (int64_t)time(NULL);
}

static cove_err begin(sqlite3 *db, cove_error *e)
{
	return sq_exec(db, "BEGIN IMMEDIATE", "starting a write transaction", e);
}

/* COMMIT; with synchronous=FULL it returns after the WAL is synced. */
static cove_err commit(sqlite3 *db, cove_error *e)
{
	return sq_exec(db, "COMMIT", "committing", e);
}

static void rollback(sqlite3 *db)
{
	if (!sqlite3_get_autocommit(db))
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
}

static cove_err audit_add(sqlite3 *db, int64_t at, const char *actor, const char *action, const char *object,
			  int64_t version, const char *detail, cove_error *e)
{
	sqlite3_stmt *st = NULL;
	cove_err rc;
	if ((rc = sq_prepare(db, "INSERT INTO audit (at, actor, action, object, version, detail) "
				 "VALUES (?1, ?2, ?3, ?4, ?5, ?6)", &st, e)) ||
	    (rc = bind_int(db, st, 1, at, e)) || (rc = bind_text(db, st, 2, actor, e)) ||
	    (rc = bind_text(db, st, 3, action, e)) || (rc = bind_text(db, st, 4, object, e)) ||
	    (rc = bind_int(db, st, 5, version, e)) || (rc = bind_text(db, st, 6, detail, e)))
		goto out;
	rc = step_done(db, st, "writing the audit log", e);
out:
	sqlite3_finalize(st);
	return rc;
}

/* The current version of a row (0 when absent) by a one-row SELECT of `sql` with parameters already bound. */
static cove_err current_version(sqlite3 *db, sqlite3_stmt *st, int64_t *version, int64_t *created, cove_error *e)
{
	bool row;
	cove_err rc = step_row(db, st, "reading the current version", &row, e);
	*version = row ? sqlite3_column_int64(st, 0) : 0;
	if (row && created)
		*created = sqlite3_column_int64(st, 1);
	return rc;
}

/* ---- open, schema and migrations ---- */

static cove_err pragma_int(sqlite3 *db, const char *sql, int64_t *out, cove_error *e)
{
	sqlite3_stmt *st = NULL;
	cove_err rc = sq_prepare(db, sql, &st, e);
	if (rc)
		return rc;
	int r = sqlite3_step(st);
	if (r == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	else
		rc = sq_fail(db, r, e, sql);
	sqlite3_finalize(st);
	return rc;
}

/*
 * Refuse, before changing anything (even the journal mode), a database that
 * is not coved's or is newer than this build.
 */
static cove_err identify(sqlite3 *db, const char *path, cove_error *e)
{
	cove_err rc;
	int64_t v = 0, app = 0, objects = 0;
	if ((rc = pragma_int(db, "PRAGMA user_version", &v, e)) ||
	    (rc = pragma_int(db, "PRAGMA application_id", &app, e)) ||
	    (rc = pragma_int(db, "SELECT count(*) FROM sqlite_master", &objects, e)))
		return cove_error_wrap(e, rc, "%s", path);
	if (app != 0 && app != APPLICATION_ID)
		return cove_error_set(e, COVE_ERR_UNSUPPORTED, "%s is an SQLite database of another application "
				      "(application_id 0x%08llx), not coved's", path, (unsigned long long)app);
	if (app == 0 && (v != 0 || objects != 0))
		return cove_error_set(e, COVE_ERR_UNSUPPORTED, "%s is an SQLite database that coved did not create "
				      "(no coved application_id); refusing to change it", path);
	if (v > COVE_STORE_SCHEMA_VERSION)
		return cove_error_set(e, COVE_ERR_UNSUPPORTED, "%s has schema version %lld, newer than version %d that "
				      "this coved knows: it was written by a newer coved; run that version or "
				      "restore a backup", path, (long long)v, COVE_STORE_SCHEMA_VERSION);
	return COVE_OK;
}

/* Apply migrations until `target`, each in one transaction; another process may be migrating too. */
static cove_err migrate(sqlite3 *db, const char *path, int target, int *reached, cove_error *e)
{
	cove_err rc;
	int64_t v = 0;
	if ((rc = identify(db, path, e)) || (rc = pragma_int(db, "PRAGMA user_version", &v, e)))
		return rc;
	while (v < target) {
		if ((rc = begin(db, e)))
			return rc;
		int64_t now_v = 0;
		if ((rc = pragma_int(db, "PRAGMA user_version", &now_v, e)))
			goto fail;
		if (now_v == v) {
			if ((rc = sq_exec(db, migrations[v], "migrating the schema", e))) {
				cove_error_wrap(e, rc, "%s: schema version %lld to %lld", path, (long long)v,
						(long long)v + 1);
				goto fail;
			}
		}
		if ((rc = commit(db, e)))
			goto fail;
		if ((rc = pragma_int(db, "PRAGMA user_version", &v, e)))
			return rc;
	}
	*reached = (int)v;
	return COVE_OK;
fail:
	rollback(db);
	return rc;
}

static cove_err check_dir(const char *dir, cove_error *e)
{
	struct stat st;
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return cove_error_set(e, COVE_ERR_IO, "cannot create state directory %s: %s", dir, strerror(errno));
	if (lstat(dir, &st) != 0)
		return cove_error_set(e, COVE_ERR_IO, "cannot use state directory %s: %s", dir, strerror(errno));
	if (S_ISLNK(st.st_mode) && stat(dir, &st) != 0)
		return cove_error_set(e, COVE_ERR_IO, "cannot use state directory %s: %s", dir, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return cove_error_set(e, COVE_ERR_ARG, "state directory %s is not a directory", dir);
	if (st.st_uid != geteuid())
		return cove_error_set(e, COVE_ERR_ARG, "state directory %s is owned by uid %u, not by the current "
				      "user (uid %u); it holds coved's keys, so only a directory of its own is used",
				      dir, (unsigned)st.st_uid, (unsigned)geteuid());
	if (st.st_mode & 077)
		return cove_error_set(e, COVE_ERR_ARG, "state directory %s is accessible by group or others (mode "
				      "%04o); it holds coved's keys: run 'chmod 700 %s' or choose another directory",
				      dir, (unsigned)(st.st_mode & 07777), dir);
	return COVE_OK;
}

/* Create the database file 0600 (SQLite gives its -wal and -shm files the same mode) and check an existing one. */
static cove_err check_db_file(const char *path, cove_error *e)
{
	struct stat st;
	int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd >= 0)
		close(fd);
	else if (errno != EEXIST)
		return cove_error_set(e, COVE_ERR_IO, "cannot create %s: %s", path, strerror(errno));
	if (lstat(path, &st) != 0)
		return cove_error_set(e, COVE_ERR_IO, "cannot use %s: %s", path, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return cove_error_set(e, COVE_ERR_ARG, "%s is not a regular file (a symbolic link or another kind of "
				      "file)", path);
	if (st.st_uid != geteuid())
		return cove_error_set(e, COVE_ERR_ARG, "%s is owned by uid %u, not by the current user (uid %u)", path,
				      (unsigned)st.st_uid, (unsigned)geteuid());
	if (st.st_mode & 077)
		return cove_error_set(e, COVE_ERR_ARG, "%s is accessible by group or others (mode %04o): run 'chmod "
				      "600 %s'", path, (unsigned)(st.st_mode & 07777), path);
	return COVE_OK;
}

static cove_err connect_db(const char *path, int busy_ms, sqlite3 **out, cove_error *e)
{
	sqlite3 *db = NULL;
	cove_err rc = COVE_OK;
	/* NOMUTEX: the handle's own mutex serialises every use of the connection. */
	int r = sqlite3_open_v2(path, &db,
				SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_EXRESCODE,
				NULL);
	if (r != SQLITE_OK) {
		rc = sq_fail(db, r, e, "opening the database");
		cove_error_wrap(e, rc, "%s", path);
		goto out;
	}
	sqlite3_busy_timeout(db, busy_ms);
	if ((rc = identify(db, path, e)))
		goto out;
	/* journal_mode answers with the mode in force: anything but "wal" means WAL could not be used. */
	sqlite3_stmt *st = NULL;
	if ((rc = sq_prepare(db, "PRAGMA journal_mode = WAL", &st, e)))
		goto out;
	r = sqlite3_step(st);
	const unsigned char *mode = r == SQLITE_ROW ? sqlite3_column_text(st, 0) : NULL;
	if (!mode || strcmp((const char *)mode, "wal") != 0) {
		rc = r == SQLITE_ROW ? cove_error_set(e, COVE_ERR_IO, "%s: SQLite refused WAL mode (journal mode stays "
						      "%s)", path, mode ? (const char *)mode : "unknown")
				     : sq_fail(db, r, e, "switching to WAL mode");
		sqlite3_finalize(st);
		goto out;
	}
	sqlite3_finalize(st);
	if ((rc = sq_exec(db, "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA secure_delete = ON; "
			      "PRAGMA trusted_schema = OFF", "setting connection options", e)))
		goto out;
	*out = db;
	db = NULL;
out:
	sqlite3_close(db);
	return rc;
}

static cove_err meta_key_id(sqlite3 *db, uint8_t id[STORE_KEY_ID_LEN], bool *present, cove_error *e)
{
	sqlite3_stmt *st = NULL;
	cove_err rc = sq_prepare(db, "SELECT value FROM meta WHERE name = 'key_id'", &st, e);
	*present = false;
	if (rc)
		return rc;
	bool row;
	if (!(rc = step_row(db, st, "reading the master key identifier", &row, e)) && row) {
		if (sqlite3_column_bytes(st, 0) != STORE_KEY_ID_LEN) {
			rc = cove_error_set(e, COVE_ERR_PARSE, "the store's recorded master key identifier is %d bytes, "
					    "not %d", sqlite3_column_bytes(st, 0), STORE_KEY_ID_LEN);
		} else {
			memcpy(id, sqlite3_column_blob(st, 0), STORE_KEY_ID_LEN);
			*present = true;
		}
	}
	sqlite3_finalize(st);
	return rc;
}

static cove_err meta_set_key_id(sqlite3 *db, const uint8_t id[STORE_KEY_ID_LEN], cove_error *e)
{
	sqlite3_stmt *st = NULL;
	cove_err rc;
	if ((rc = sq_prepare(db, "INSERT INTO meta (name, value) VALUES ('key_id', ?1) "
				 "ON CONFLICT (name) DO UPDATE SET value = excluded.value", &st, e)) ||
	    (rc = bind_blob(db, st, 1, id, STORE_KEY_ID_LEN, e)))
		goto out;
	rc = step_done(db, st, "recording the master key identifier", e);
out:
	sqlite3_finalize(st);
	return rc;
}

/*
 * Inside a write transaction, before sealing: the key this handle holds is
 * still the database's.  Another handle or process may have rotated it, and
 * a secret sealed under the old key would be unreadable by everyone else.
 */
static cove_err check_key_current(sqlite3 *db, const store_cipher *c, cove_error *e)
{
	uint8_t id[STORE_KEY_ID_LEN];
	bool present = false;
	cove_err rc = meta_key_id(db, id, &present, e);
	if (rc)
		return rc;
	if (!present || !cove_equal_ct(id, c->key_id, STORE_KEY_ID_LEN))
		return cove_error_set(e, COVE_ERR_VERIFY, "the database's master key was rotated since this store was "
				      "opened (by another handle or process); reopen it with the new key file");
	return COVE_OK;
}

/* Load the master key and match it against the one the database records (recording it the first time). */
static cove_err attach_key(sqlite3 *db, const char *key_path, store_cipher **out, cove_error *e)
{
	uint8_t want[STORE_KEY_ID_LEN];
	bool present = false, created = false;
	store_cipher *c = NULL;
	cove_err rc = meta_key_id(db, want, &present, e);
	if (rc)
		return rc;
	if (present && access(key_path, F_OK) != 0 && errno == ENOENT)
		return cove_error_set(e, COVE_ERR_ARG, "master key file %s does not exist, but the database holds data "
				      "encrypted under a master key; give the right key file (a new key would make "
				      "every stored secret unreadable)", key_path);
	if ((rc = store_cipher_load(key_path, !present, &c, &created, e)))
		return rc;
	if (present && !cove_equal_ct(want, c->key_id, STORE_KEY_ID_LEN)) {
		rc = cove_error_set(e, COVE_ERR_VERIFY, "master key file %s is not the key this database's secrets are "
				    "encrypted under (its identifier differs); give the right key file", key_path);
		goto out;
	}
	if (!present) {
		if ((rc = begin(db, e)))
			goto out;
		if ((rc = meta_set_key_id(db, c->key_id, e)) || (rc = commit(db, e))) {
			rollback(db);
			goto out;
		}
	}
	*out = c;
	c = NULL;
out:
	store_cipher_free(c);
	return rc;
}

static const store_ops sqlite_ops;

cove_err cove_store_open_sqlite(const char *state_dir, const cove_store_opts *o, cove_store **out, cove_error *e)
{
	cove_err rc;
	cove_store *s = NULL;
	sq *q = NULL;
	char key_path[PATH_MAX];
	if (!out)
		return cove_error_set(e, COVE_ERR_ARG, "no place for the store handle");
	*out = NULL;
	if (!state_dir || !*state_dir)
		return cove_error_set(e, COVE_ERR_ARG, "no state directory given");
	int busy = o && o->busy_timeout_ms > 0 ? o->busy_timeout_ms : 5000;
	if (!(s = calloc(1, sizeof(*s))) || !(q = calloc(1, sizeof(*q)))) {
		free(s);
		return cove_error_set(e, COVE_ERR_NOMEM, "out of memory opening the store");
	}
	s->ops = &sqlite_ops;
	s->impl = q;
	if (pthread_mutex_init(&q->lock, NULL) != 0) {
		free(q);
		free(s);
		return cove_error_set(e, COVE_ERR_INTERNAL, "cannot create the store's mutex");
	}
	int n = snprintf(q->path, sizeof(q->path), "%s/" DB_NAME, state_dir);
	int m = o && o->key_file ? snprintf(key_path, sizeof(key_path), "%s", o->key_file)
				 : snprintf(key_path, sizeof(key_path), "%s/" KEY_NAME, state_dir);
	if (n < 0 || (size_t)n >= sizeof(q->path) || m < 0 || (size_t)m >= sizeof(key_path)) {
		rc = cove_error_set(e, COVE_ERR_ARG, "state directory or key file path is too long");
		goto out;
	}
	if (o && o->key_file && !*o->key_file) {
		rc = cove_error_set(e, COVE_ERR_ARG, "the master key file path is empty");
		goto out;
	}
	if ((rc = check_dir(state_dir, e)) || (rc = check_db_file(q->path, e)) ||
	    (rc = connect_db(q->path, busy, &q->db, e)) ||
	    (rc = migrate(q->db, q->path, COVE_STORE_SCHEMA_VERSION, &s->schema_version, e)) ||
	    (rc = attach_key(q->db, key_path, &s->cipher, e)))
		goto out;
	*out = s;
	s = NULL;
out:
	cove_store_free(s);
	return rc;
}

cove_err store_sqlite_create_at(const char *db_path, int version, cove_error *e)
{
	sqlite3 *db = NULL;
	int reached = 0;
	cove_err rc;
	if (version < 1 || version > COVE_STORE_SCHEMA_VERSION)
		return cove_error_set(e, COVE_ERR_ARG, "no schema version %d", version);
	if ((rc = check_db_file(db_path, e)) || (rc = connect_db(db_path, 5000, &db, e)))
		goto out;
	rc = migrate(db, db_path, version, &reached, e);
out:
	sqlite3_close(db);
	return rc;
}

static void sq_close(cove_store *s)
{
	sq *q = impl_of(s);
	if (!q)
		return;
	/* Closing the last connection checkpoints the WAL into the database file. */
	sqlite3_close(q->db);
	pthread_mutex_destroy(&q->lock);
	free(q);
	s->impl = NULL;
}

static cove_err sq_check(cove_store *s, cove_error *e)
{
	sq *q = impl_of(s);
	sqlite3_stmt *st = NULL;
	pthread_mutex_lock(&q->lock);
	cove_err rc = sq_prepare(q->db, "PRAGMA integrity_check", &st, e);
	if (rc)
		goto out;
	int r = sqlite3_step(st);
	if (r != SQLITE_ROW) {
		rc = sq_fail(q->db, r, e, "integrity check");
		goto out;
	}
	const char *first = (const char *)sqlite3_column_text(st, 0);
	if (!first || strcmp(first, "ok") != 0)
		rc = cove_error_set(e, COVE_ERR_PARSE, "%s fails its integrity check: %s", q->path,
				    first ? first : "(no answer)");
out:
	sqlite3_finalize(st);
	pthread_mutex_unlock(&q->lock);
	return rc;
}

/* ---- policies ---- */

static cove_err sq_policy_put(cove_store *s, const char *type, const char *text, const char *signer,
			      const char *etag, const char *actor, int64_t *version, cove_error *e)
{
	sq *q = impl_of(s);
	sqlite3_stmt *st = NULL;
	int64_t v = 0, t = now();
	pthread_mutex_lock(&q->lock);
	cove_err rc = begin(q->db, e);
	if (rc)
		goto out;
	if ((rc = sq_prepare(q->db, "SELECT version FROM policies WHERE type = ?1", &st, e)) ||
	    (rc = bind_text(q->db, st, 1, type, e)) || (rc = current_version(q->db, st, &v, NULL, e)))
		goto out;
	sqlite3_finalize(st);
	st = NULL;
	v++;
	if ((rc = sq_prepare(q->db, "INSERT INTO policies (type, text, etag, version, updated_at, signer) "
				    "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (type) DO UPDATE SET "
				    "text = excluded.text, etag = excluded.etag, version = excluded.version, "
				    "updated_at = excluded.updated_at, signer = excluded.signer", &st, e)) ||
	    (rc = bind_text(q->db, st, 1, type, e)) || (rc = bind_text(q->db, st, 2, text, e)) ||
	    (rc = bind_text(q->db, st, 3, etag, e)) || (rc = bind_int(q->db, st, 4, v, e)) ||
	    (rc = bind_int(q->db, st, 5, t, e)) || (rc = bind_text(q->db, st, 6, signer, e)) ||
	    (rc = step_done(q->db, st, "writing the policy", e)) ||
	    (rc = audit_add(q->db, t, actor, "policy.put", type, v, etag, e)) || (rc = commit(q->db, e)))
		goto out;
	if (version)
		*version = v;
out:
	sqlite3_finalize(st);
	if (rc) {
		rollback(q->db);
		cove_error_wrap(e, rc, "policy %s", type);
	}
	pthread_mutex_unlock(&q->lock);
	return rc;
}

static cove_err sq_policy_get(cove_store *s, const char *type, cove_store_policy *out, bool *found, cove_error *e)
{
	sq *q = impl_of(s);
	sqlite3_stmt *st = NULL;
	cove_store_policy p = {0};
	*found = false;
	pthread_mutex_lock(&q->lock);
	cove_err rc;
	if ((rc = sq_prepare(q->db, "SELECT type, text, signer, version, etag, updated_at FROM policies "
				    "WHERE type = ?1", &st, e)) ||
	    (rc = bind_text(q->db, st, 1, type, e)))
		goto out;
	bool row;
	if ((rc = step_row(q->db, st, "reading the policy", &row, e)) || !row)
		goto out;
	if ((rc = col_text(st, 0, &p.type, e)) || (rc = col_text(st, 1, &p.text, e)) ||
	    (rc = col_text(st, 2, &p.signer, e)))
		goto out;
	p.version = sqlite3_column_int64(st, 3);
	snprintf(p.etag, sizeof(p.etag), "%s", sqlite3_column_text(st, 4) ? (const char *)sqlite3_column_text(st, 4) : "");
	p.updated_at = sqlite3_column_int64(st, 5);
	*out = p;
	memset(&p, 0, sizeof(p));
	*found = true;
out:
	sqlite3_finalize(st);
	pthread_mutex_unlock(&q->lock);
	cove_store_policy_free(&p);
	return rc;
}

/* ---- keys ---- */

static cove_err sq_key_put(cove_store *s, const char *name, const char *key_type, const void *material, size_t len,
			   const char *release_policy, const char *actor, int64_t *version, cove_error *e)
{
	sq *q = impl_of(s);
	sqlite3_stmt *st = NULL;
	cove_buf sealed = {0};
	int64_t v = 0, created = 0, t = now();
	pthread_mutex_lock(&q->lock);
	cove_err rc = begin(q->db, e);
	if (rc || (rc = check_key_current(q->db, s->cipher, e)))
		goto out;
	if ((rc = sq_prepare(q->db, "SELECT version, created_at FROM keys WHERE name = ?1", &st, e)) ||
	    (rc = bind_text(q->db, st, 1, name, e)) || (rc = current_version(q->db, st, &v, &created, e)))
		goto out;
	sqlite3_finalize(st);
	st = NULL;
	if (v == 0)
		created = t;
	v++;
	if ((rc = store_seal(s->cipher, "keys", name, v, material, len, &sealed, e)))
		goto out;
	if ((rc = sq_prepare(q->db, "INSERT INTO keys (name, key_type, material, release_policy, version, "
				    "created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (name) "
				    "DO UPDATE SET key_type = excluded.key_type, material = excluded.material, "
				    "release_policy = excluded.release_policy, version = excluded.version, "
				    "updated_at = excluded.updated_at", &st, e)) ||
	    (rc = bind_text(q->db, st, 1, name, e)) || (rc = bind_text(q->db, st, 2, key_type, e)) ||
	    (rc = bind_blob(q->db, st, 3, sealed.data, sealed.len, e)) ||
	    (rc = bind_text(q->db, st, 4, release_policy, e)) || (rc = bind_int(q->db, st, 5, v, e)) ||
	    (rc = bind_int(q->db, st, 6, created, e)) || (rc = bind_int(q->db, st, 7, t, e)) ||
	    (rc = step_done(q->db, st, "writing the key", e)) ||
	    (rc = audit_add(q->db, t, actor, "key.put", name, v, key_type, e)) || (rc = commit(q->db, e)))
		goto out;
	if (version)
		*version = v;
out:
	sqlite3_finalize(st);
	if (rc) {
		rollback(q->db);
		cove_error_wrap(e, rc, "key %s", name);
	}
	pthread_mutex_unlock(&q->lock);
	cove_buf_free(&sealed);
	return rc;
}

static cove_err sq_key_get(cove_store *s, const char *name, cove_store_key *out, bool *found, cove_error *e)
{
	sq *q = impl_of(s);
	sqlite3_stmt *st = NULL;
	cove_store_key k = {0};
	*found = false;
	pthread_mutex_lock(&q->lock);
	cove_err rc;
	if ((rc = sq_prepare(q->db, "SELECT name, key_type, material, release_policy, version, created_at, "
				    "updated_at FROM keys WHERE name = ?1", &st, e)) ||
	    (rc = bind_text(q->db, st, 1, name, e)))
		goto out;
	bool row;
	if ((rc = step_row(q->db, st, "reading the key", &row, e)) || !row)
		goto out;
	k.version = sqlite3_column_int64(st, 4);
	k.created_at = sqlite3_column_int64(st, 5);
	k.updated_at = sqlite3_column_int64(st, 6);
	if ((rc = col_text(st, 0, &k.name, e)) || (rc = col_text(st, 1, &k.key_type, e)) ||
	    (rc = col_text(st, 3, &k.release_policy, e)) ||
	    (rc = store_unseal(s->cipher, "keys", name, k.version, sqlite3_column_blob(st, 2),
			       (size_t)sqlite3_column_bytes(st, 2), &k.material, e)))
		goto out;
	*out = k;
	memset(&k, 0, sizeof(k));
	*found = true;
out:
	sqlite3_finalize(st);
	pthread_mutex_unlock(&q->lock);
	cove_store_key_free(&k);
	return rc;
}

/* ---- resources ---- */

static cove_err sq_resource_put(cove_store *s, const store_resource_id *id, const void *data, size_t len,
				const char *policy, const char *actor, int64_t *version, cove_error *e)
{
	sq *q = impl_of(s);
	sqlite3_stmt *st = NULL;
	cove_buf sealed = {0};
	int64_t v = 0, t = now();
	pthread_mutex_lock(&q->lock);
	cove_err rc = begin(q->db, e);
	if (rc || (rc = check_key_current(q->db, s->cipher, e)))
		goto out;
	if ((rc = sq_prepare(q->db, "SELECT version FROM resources WHERE repository = ?1 AND type = ?2 AND tag = ?3",
			     &st, e)) ||
	    (rc = bind_text(q->db, st, 1, id->repository, e)) || (rc = bind_text(q->db, st, 2, id->type, e)) ||
	    (rc = bind_text(q->db, st, 3, id->tag, e)) || (rc = current_version(q->db, st, &v, NULL, e)))
		goto out;
	sqlite3_finalize(st);
	st = NULL;
	v++;
	if ((rc = store_seal(s->cipher, "resources", id->joined, v, data, len, &sealed, e)))
		goto out;
	if ((rc = sq_prepare(q->db, "INSERT INTO resources (repository, type, tag, data, policy, version, updated_at) "
				    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (repository, type, tag) DO UPDATE "
				    "SET data = excluded.data, policy = excluded.policy, version = excluded.version, "
				    "updated_at = excluded.updated_at", &st, e)) ||
	    (rc = bind_text(q->db, st, 1, id->repository, e)) || (rc = bind_text(q->db, st, 2, id->type, e)) ||
	    (rc = bind_text(q->db, st, 3, id->tag, e)) || (rc = bind_blob(q->db, st, 4, sealed.data, sealed.len, e)) ||
	    (rc = bind_text(q->db, st, 5, policy, e)) || (rc = bind_int(q->db, st, 6, v, e)) ||
	    (rc = bind_int(q->db, st, 7, t, e)) || (rc = step_done(q->db, st, "writing the resource", e)) ||
	    (rc = audit_add(q->db, t, actor, "resource.put", id->joined, v, NULL, e)) || (rc = commit(q->db, e)))
		goto out;
	if (version)
		*version = v;
out:
	sqlite3_finalize(st);
	if (rc) {
		rollback(q->db);
		cove_error_wrap(e, rc, "resource %s", id->joined);
	}
	pthread_mutex_unlock(&q->lock);
	cove_buf_free(&sealed);
	return rc;
}

static cove_err sq_resource_get(cove_store *s, const store_resource_id *id, cove_store_resource *out, bool *found,
				cove_error *e)
{
	sq *q = impl_of(s);
	sqlite3_stmt *st = NULL;
	cove_store_resource r = {0};
	*found = false;
	pthread_mutex_lock(&q->lock);
	cove_err rc;
	if ((rc = sq_prepare(q->db, "SELECT repository, type, tag, data, policy, version, updated_at FROM resources "
				    "WHERE repository = ?1 AND type = ?2 AND tag = ?3", &st, e)) ||
	    (rc = bind_text(q->db, st, 1, id->repository, e)) || (rc = bind_text(q->db, st, 2, id->type, e)) ||
	    (rc = bind_text(q->db, st, 3, id->tag, e)))
		goto out;
	bool row;
	if ((rc = step_row(q->db, st, "reading the resource", &row, e)) || !row)
		goto out;
	r.version = sqlite3_column_int64(st, 5);
	r.updated_at = sqlite3_column_int64(st, 6);
	if ((rc = col_text(st, 0, &r.repository, e)) || (rc = col_text(st, 1, &r.type, e)) ||
	    (rc = col_text(st, 2, &r.tag, e)) || (rc = col_text(st, 4, &r.policy, e)) ||
	    (rc = store_unseal(s->cipher, "resources", id->joined, r.version, sqlite3_column_blob(st, 3),
			       (size_t)sqlite3_column_bytes(st, 3), &r.data, e)))
		goto out;
	*out = r;
	memset(&r, 0, sizeof(r));
	*found = true;
out:
	sqlite3_finalize(st);
	pthread_mutex_unlock(&q->lock);
	cove_store_resource_free(&r);
	return rc;
}

/* ---- delete, list, audit ---- */

static cove_err sq_remove(cove_store *s, store_kind kind, const char *object, const store_resource_id *rid,
			  const char *actor, bool *found, cove_error *e)
{
	static const char *const sql[] = {
		[STORE_POLICIES] = "DELETE FROM policies WHERE type = ?1",
		[STORE_KEYS] = "DELETE FROM keys WHERE name = ?1",
		[STORE_RESOURCES] = "DELETE FROM resources WHERE repository = ?1 AND type = ?2 AND tag = ?3",
	};
	static const char *const action[] = {
		[STORE_POLICIES] = "policy.delete",
		[STORE_KEYS] = "key.delete",
		[STORE_RESOURCES] = "resource.delete",
	};
	sq *q = impl_of(s);
	sqlite3_stmt *st = NULL;
	*found = false;
	pthread_mutex_lock(&q->lock);
	cove_err rc = begin(q->db, e);
	if (rc)
		goto out;
	if ((rc = sq_prepare(q->db, sql[kind], &st, e)))
		goto out;
	if (kind == STORE_RESOURCES) {
		if ((rc = bind_text(q->db, st, 1, rid->repository, e)) || (rc = bind_text(q->db, st, 2, rid->type, e)) ||
		    (rc = bind_text(q->db, st, 3, rid->tag, e)))
			goto out;
	} else if ((rc = bind_text(q->db, st, 1, object, e))) {
		goto out;
	}
	if ((rc = step_done(q->db, st, "deleting", e)))
		goto out;
	/* Deleting nothing changes nothing and is not audited. */
	if (sqlite3_changes(q->db) > 0) {
		*found = true;
		if ((rc = audit_add(q->db, now(), actor, action[kind], object, 0, NULL, e)))
			goto out;
	}
	rc = commit(q->db, e);
out:
	sqlite3_finalize(st);
	if (rc) {
		*found = false;
		rollback(q->db);
		cove_error_wrap(e, rc, "deleting %s", object);
	}
	pthread_mutex_unlock(&q->lock);
	return rc;
}

static cove_err sq_list(cove_store *s, store_kind kind, cove_store_names *out, cove_error *e)
{
	static const char *const sql[] = {
		[STORE_POLICIES] = "SELECT type FROM policies ORDER BY type",
		[STORE_KEYS] = "SELECT name FROM keys ORDER BY name",
		[STORE_RESOURCES] = ("SELECT repository || '/' || type || '/' || tag FROM resources "
				     "ORDER BY repository, type, tag"),
	};
	sq *q = impl_of(s);
	sqlite3_stmt *st = NULL;
	cove_store_names l = {0};
	pthread_mutex_lock(&q->lock);
	cove_err rc = sq_prepare(q->db, sql[kind], &st, e);
	if (rc)
		goto out;
	int r;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		const unsigned char *t = sqlite3_column_text(st, 0);
		if (!t) {
			rc = cove_error_set(e, COVE_ERR_NOMEM, "out of memory listing the store");
			goto out;
		}
		if ((rc = store_names_add(&l, (const char *)t, e)))
			goto out;
	}
	if (r != SQLITE_DONE) {
		rc = sq_fail(q->db, r, e, "listing");
		goto out;
	}
	cove_store_names_free(out);
	*out = l;
	memset(&l, 0, sizeof(l));
out:
	sqlite3_finalize(st);
	pthread_mutex_unlock(&q->lock);
	cove_store_names_free(&l);
	return rc;
}

static cove_err sq_audit_list(cove_store *s, int64_t after_id, size_t limit, cove_store_audit *out, cove_error *e)
{
	sq *q = impl_of(s);
	sqlite3_stmt *st = NULL;
	cove_store_audit a = {0};
	pthread_mutex_lock(&q->lock);
	cove_err rc;
	if ((rc = sq_prepare(q->db, "SELECT id, at, actor, action, object, version, detail FROM audit WHERE id > ?1 "
				    "ORDER BY id LIMIT ?2", &st, e)) ||
	    (rc = bind_int(q->db, st, 1, after_id, e)) ||
	    (rc = bind_int(q->db, st, 2, limit == 0 || limit > INT64_MAX ? -1 : (int64_t)limit, e)))
		goto out;
	int r;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		cove_store_audit_entry *v = realloc(a.v, (a.n + 1) * sizeof(*v));
		if (!v) {
			rc = cove_error_set(e, COVE_ERR_NOMEM, "out of memory reading the audit log");
			goto out;
		}
		a.v = v;
		cove_store_audit_entry *x = &a.v[a.n++];
		memset(x, 0, sizeof(*x));
		x->id = sqlite3_column_int64(st, 0);
		x->at = sqlite3_column_int64(st, 1);
		x->version = sqlite3_column_int64(st, 5);
		if ((rc = col_text(st, 2, &x->actor, e)) || (rc = col_text(st, 3, &x->action, e)) ||
		    (rc = col_text(st, 4, &x->object, e)) || (rc = col_text(st, 6, &x->detail, e)))
			goto out;
	}
	if (r != SQLITE_DONE) {
		rc = sq_fail(q->db, r, e, "reading the audit log");
		goto out;
	}
	cove_store_audit_free(out);
	*out = a;
	memset(&a, 0, sizeof(a));
out:
	sqlite3_finalize(st);
	pthread_mutex_unlock(&q->lock);
	cove_store_audit_free(&a);
	return rc;
}

/* ---- key rotation ---- */

typedef struct sealed_row {
	char *id;          /* key name, or "repository/type/tag" */
	int64_t version;
	int64_t rowid;
	cove_buf blob;
} sealed_row;

/* Read every secret of `table` first, so no SELECT is running over the rows being rewritten. */
static cove_err collect(sqlite3 *db, const char *sql, sealed_row **rows, size_t *n, cove_error *e)
{
	sqlite3_stmt *st = NULL;
	cove_err rc = sq_prepare(db, sql, &st, e);
	if (rc)
		return rc;
	int r;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		sealed_row *v = realloc(*rows, (*n + 1) * sizeof(*v));
		if (!v) {
			rc = cove_error_set(e, COVE_ERR_NOMEM, "out of memory rotating the master key");
			goto out;
		}
		*rows = v;
		sealed_row *x = &v[(*n)++];
		memset(x, 0, sizeof(*x));
		x->rowid = sqlite3_column_int64(st, 0);
		x->version = sqlite3_column_int64(st, 2);
		if ((rc = col_text(st, 1, &x->id, e)) ||
		    (rc = cove_buf_set(&x->blob, sqlite3_column_blob(st, 3), (size_t)sqlite3_column_bytes(st, 3), e)))
			goto out;
		if (!x->id) {
			rc = cove_error_set(e, COVE_ERR_PARSE, "a row without a name in the store");
			goto out;
		}
	}
	if (r != SQLITE_DONE)
		rc = sq_fail(db, r, e, "reading secrets for rotation");
out:
	sqlite3_finalize(st);
	return rc;
}

static void rows_free(sealed_row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(rows[i].id);
		cove_buf_free(&rows[i].blob);
	}
	free(rows);
}

static cove_err reseal(sqlite3 *db, const store_cipher *old, const store_cipher *next, const char *table,
		       const char *select_sql, const char *update_sql, cove_error *e)
{
	sealed_row *rows = NULL;
	size_t n = 0;
	cove_buf plain = {0}, sealed = {0};
	sqlite3_stmt *st = NULL;
	cove_err rc = collect(db, select_sql, &rows, &n, e);
	if (rc)
		goto out;
	for (size_t i = 0; i < n; i++) {
		if ((rc = store_unseal(old, table, rows[i].id, rows[i].version, rows[i].blob.data, rows[i].blob.len,
				       &plain, e)) ||
		    (rc = store_seal(next, table, rows[i].id, rows[i].version, plain.data, plain.len, &sealed, e)))
			goto out;
		store_buf_wipe(&plain);
		if ((rc = sq_prepare(db, update_sql, &st, e)) || (rc = bind_blob(db, st, 1, sealed.data, sealed.len, e)) ||
		    (rc = bind_int(db, st, 2, rows[i].rowid, e)) || (rc = step_done(db, st, "re-encrypting", e)))
			goto out;
		sqlite3_finalize(st);
		st = NULL;
	}
out:
	sqlite3_finalize(st);
	store_buf_wipe(&plain);
	cove_buf_free(&sealed);
	rows_free(rows, n);
	return rc;
}

static cove_err sq_rotate(cove_store *s, store_cipher *next, const char *actor, cove_error *e)
{
	sq *q = impl_of(s);
	pthread_mutex_lock(&q->lock);
	cove_err rc = begin(q->db, e);
	if (rc || (rc = check_key_current(q->db, s->cipher, e)))
		goto out;
	if ((rc = reseal(q->db, s->cipher, next, "keys", "SELECT rowid, name, version, material FROM keys",
			 "UPDATE keys SET material = ?1 WHERE rowid = ?2", e)) ||
	    (rc = reseal(q->db, s->cipher, next, "resources",
			 "SELECT rowid, repository || '/' || type || '/' || tag, version, data FROM resources",
			 "UPDATE resources SET data = ?1 WHERE rowid = ?2", e)) ||
	    (rc = meta_set_key_id(q->db, next->key_id, e)) ||
	    (rc = audit_add(q->db, now(), actor, "store.rotate_key", "master.key", 0, NULL, e)) ||
	    (rc = commit(q->db, e)))
		goto out;
	store_cipher_free(s->cipher);
	s->cipher = next;
out:
	if (rc) {
		rollback(q->db);
		cove_error_wrap(e, rc, "key rotation");
	}
	pthread_mutex_unlock(&q->lock);
	return rc;
}

static const store_ops sqlite_ops = {
	.name = "sqlite",
	.close = sq_close,
	.check = sq_check,
	.rotate = sq_rotate,
	.policy_put = sq_policy_put,
	.policy_get = sq_policy_get,
	.key_put = sq_key_put,
	.key_get = sq_key_get,
	.resource_put = sq_resource_put,
	.resource_get = sq_resource_get,
	.remove = sq_remove,
	.list = sq_list,
	.audit_list = sq_audit_list,
};
