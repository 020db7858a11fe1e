/*
 * Encryption of coved's secrets at rest (docs/store.md, "Secrets at rest").
 *
 * AES-256-GCM (NIST SP 800-38D) with a random 96-bit nonce per encryption
 * under one 32-byte master key read from a file outside the database.  The
 * additional authenticated data names the row a ciphertext belongs to
 * (table, name, version), so a ciphertext copied into another row, or an
 * older version's ciphertext put back under a newer version number, fails
 * authentication on read.  The database records only HMAC-SHA256(key,
 * label) as the key's identifier, to tell a wrong key file at open time.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "store/internal.h"

#define SEAL_FORMAT 1
#define NONCE_LEN 12
#define TAG_LEN 16
#define AAD_LABEL "cove-store-v1"
#define KEY_ID_LABEL "cove-store master key id v1"

void store_buf_wipe(cove_buf *b)
{
	if (b->data)
		OPENSSL_cleanse(b->data, b->len);
	cove_buf_free(b);
}

void store_cipher_free(store_cipher *c)
{
	if (!c)
		return;
	OPENSSL_cleanse(c->key, sizeof(c->key));
	free(c);
}

/* Fill `buf` from the kernel's CSPRNG (getrandom(2), blocking until it is seeded). */
static cove_err fill_random(uint8_t *buf, size_t len, cove_error *e)
{
	size_t got = 0;
	while (got < len) {
		ssize_t n = getrandom(buf + got, len - got, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return cove_error_set(e, COVE_ERR_IO, "getrandom failed: %s", strerror(errno));
		}
		got += (size_t)n;
	}
	return COVE_OK;
}

static cove_err fsync_parent(const char *path, cove_error *e)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return cove_error_set(e, COVE_ERR_IO, "cannot open directory %s: %s", dir, strerror(errno));
	int rc = fsync(fd);
	int err = errno;
	close(fd);
	if (rc != 0)
		return cove_error_set(e, COVE_ERR_IO, "cannot sync directory %s: %s", dir, strerror(err));
	return COVE_OK;
}

/*
 * Write a fresh key to `path` without ever exposing a partial file: a
 * private temporary file is written and synced, then hard-linked into place
 * (link(2) fails when `path` appeared meanwhile; the other writer's key wins).
 */
static cove_err create_key_file(const char *path, cove_error *e)
{
	char tmp[PATH_MAX];
	uint8_t key[COVE_STORE_KEY_LEN];
	uint32_t tag;
	cove_err rc = fill_random((uint8_t *)&tag, sizeof(tag), e);
	if (rc)
		return rc;
	int n = snprintf(tmp, sizeof(tmp), "%s.tmp-%ld-%08x", path, (long)getpid(), (unsigned)tag);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return cove_error_set(e, COVE_ERR_ARG, "master key path %s is too long", path);
	if ((rc = fill_random(key, sizeof(key), e)))
		return rc;
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		rc = cove_error_set(e, COVE_ERR_IO, "cannot create master key file %s: %s", tmp, strerror(errno));
		goto out;
	}
	int err = cove_write_all(fd, key, sizeof(key));
	if (!err && fsync(fd) != 0)
		err = errno;
	if (close(fd) != 0 && !err)
		err = errno;
	if (err) {
		rc = cove_error_set(e, COVE_ERR_IO, "cannot write master key file %s: %s", tmp, strerror(err));
		goto out;
	}
	if (link(tmp, path) != 0 && errno != EEXIST) {
		rc = cove_error_set(e, COVE_ERR_IO, "cannot create master key file %s: %s", path, strerror(errno));
		goto out;
	}
	rc = fsync_parent(path, e);
out:
	if (fd >= 0)
		unlink(tmp);
	OPENSSL_cleanse(key, sizeof(key));
	return rc;
}

static cove_err read_key_file(const char *path, uint8_t key[COVE_STORE_KEY_LEN], cove_error *e)
{
	cove_err rc = COVE_OK;
	struct stat st;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ELOOP)
			return cove_error_set(e, COVE_ERR_ARG, "master key file %s is a symbolic link; name the file "
					      "itself", path);
		return cove_error_set(e, COVE_ERR_IO, "cannot open master key file %s: %s", path, strerror(errno));
	}
	if (fstat(fd, &st) != 0) {
		rc = cove_error_set(e, COVE_ERR_IO, "cannot stat master key file %s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = cove_error_set(e, COVE_ERR_ARG, "master key file %s is not a regular file", path);
		goto out;
	}
	if (st.st_uid != geteuid()) {
		rc = cove_error_set(e, COVE_ERR_ARG, "master key file %s is owned by uid %u, not by the current "
				    "user (uid %u)", path, (unsigned)st.st_uid, (unsigned)geteuid());
		goto out;
	}
	if (st.st_mode & 077) {
		rc = cove_error_set(e, COVE_ERR_ARG, "master key file %s is accessible by group or others (mode "
				    "%04o): run 'chmod 600 %s'", path, (unsigned)(st.st_mode & 07777), path);
		goto out;
	}
	if (st.st_size != COVE_STORE_KEY_LEN) {
		rc = cove_error_set(e, COVE_ERR_PARSE, "master key file %s holds %lld bytes; it must hold exactly %d "
				    "random bytes", path, (long long)st.st_size, COVE_STORE_KEY_LEN);
		goto out;
	}
	size_t got = 0;
	while (got < COVE_STORE_KEY_LEN) {
		ssize_t n = read(fd, key + got, COVE_STORE_KEY_LEN - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = cove_error_set(e, COVE_ERR_IO, "cannot read master key file %s: %s", path,
					    n < 0 ? strerror(errno) : "it shrank while being read");
			goto out;
		}
		got += (size_t)n;
	}
out:
	close(fd);
	return rc;
}

cove_err store_cipher_load(const char *path, bool may_create, store_cipher **out, bool *created, cove_error *e)
{
	cove_err rc;
	*created = false;
	if (strlen(path) >= PATH_MAX)
		return cove_error_set(e, COVE_ERR_ARG, "master key path is longer than %d bytes", PATH_MAX - 1);
	store_cipher *c = calloc(1, sizeof(*c));
	if (!c)
		return cove_error_set(e, COVE_ERR_NOMEM, "out of memory loading the master key");
	snprintf(c->path, sizeof(c->path), "%s", path);
	if (may_create && access(path, F_OK) != 0 && errno == ENOENT) {
		if ((rc = create_key_file(path, e)))
			goto out;
		*created = true;
	}
	if ((rc = read_key_file(path, c->key, e)))
		goto out;
	size_t mac_len = 0;
	if (!EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, c->key, sizeof(c->key), (const unsigned char *)KEY_ID_LABEL,
		       strlen(KEY_ID_LABEL), c->key_id, sizeof(c->key_id), &mac_len) ||
	    mac_len != STORE_KEY_ID_LEN) {
		rc = cove_error_set(e, COVE_ERR_CRYPTO, "cannot compute the master key's identifier (HMAC-SHA256)");
		goto out;
	}
	*out = c;
	c = NULL;
out:
	store_cipher_free(c);
	return rc;
}

/* "cove-store-v1" 0 table 0 id 0 le64(version): names never contain NUL, so the fields cannot run together. */
static cove_err make_aad(const char *table, const char *id, int64_t version, cove_buf *aad, cove_error *e)
{
	uint8_t v[8];
	cove_put_le64(v, (uint64_t)version);
	cove_err rc;
	if ((rc = cove_buf_append(aad, AAD_LABEL, sizeof(AAD_LABEL), e)) ||
	    (rc = cove_buf_append(aad, table, strlen(table) + 1, e)) ||
	    (rc = cove_buf_append(aad, id, strlen(id) + 1, e)) || (rc = cove_buf_append(aad, v, sizeof(v), e)))
		return rc;
	return COVE_OK;
}

cove_err store_seal(const store_cipher *c, const char *table, const char *id, int64_t version, const void *plain,
		    size_t len, cove_buf *out, cove_error *e)
{
	cove_err rc = COVE_OK;
	cove_buf aad = {0};
	uint8_t *blob = NULL;
	EVP_CIPHER_CTX *ctx = NULL;
	int n = 0;
	if (len > INT32_MAX)
		return cove_error_set(e, COVE_ERR_ARG, "secret of %zu bytes is too large to encrypt", len);
	size_t blob_len = 1 + NONCE_LEN + len + TAG_LEN;
	if ((rc = make_aad(table, id, version, &aad, e)))
		goto out;
	if (!(blob = malloc(blob_len))) {
		rc = cove_error_set(e, COVE_ERR_NOMEM, "out of memory encrypting %s/%s", table, id);
		goto out;
	}
	blob[0] = SEAL_FORMAT;
	if ((rc = fill_random(blob + 1, NONCE_LEN, e)))
		goto out;
	uint8_t *ct = blob + 1 + NONCE_LEN;
	if (!(ctx = EVP_CIPHER_CTX_new()) || !EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, c->key, blob + 1) ||
	    !EVP_EncryptUpdate(ctx, NULL, &n, aad.data, (int)aad.len) ||
	    (len && !EVP_EncryptUpdate(ctx, ct, &n, plain, (int)len)) || !EVP_EncryptFinal_ex(ctx, ct + len, &n) ||
	    !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, TAG_LEN, ct + len)) {
		rc = cove_error_set(e, COVE_ERR_CRYPTO, "AES-256-GCM encryption of %s/%s failed", table, id);
		goto out;
	}
	cove_buf_take(out, blob, blob_len);
	blob = NULL;
out:
	EVP_CIPHER_CTX_free(ctx);
	free(blob);
	cove_buf_free(&aad);
	return rc;
}

cove_err store_unseal(const store_cipher *c, const char *table, const char *id, int64_t version, const void *blob,
		      size_t len, cove_buf *out, cove_error *e)
{
	cove_err rc = COVE_OK;
	cove_buf aad = {0};
	uint8_t *plain = NULL;
	EVP_CIPHER_CTX *ctx = NULL;
	const uint8_t *b = blob;
	int n = 0;
	if (len < 1 + NONCE_LEN + TAG_LEN || len - (1 + NONCE_LEN + TAG_LEN) > INT32_MAX)
		return cove_error_set(e, COVE_ERR_PARSE, "stored secret %s/%s (version %lld) is %zu bytes, not a "
				      "sealed value", table, id, (long long)version, len);
	if (b[0] != SEAL_FORMAT)
		return cove_error_set(e, COVE_ERR_UNSUPPORTED, "stored secret %s/%s (version %lld) has format %u; "
				      "this cove reads format %d", table, id, (long long)version, b[0], SEAL_FORMAT);
	size_t plen = len - (1 + NONCE_LEN + TAG_LEN);
	const uint8_t *ct = b + 1 + NONCE_LEN;
	if ((rc = make_aad(table, id, version, &aad, e)))
		goto out;
	if (!(plain = malloc(plen ? plen : 1))) {
		rc = cove_error_set(e, COVE_ERR_NOMEM, "out of memory decrypting %s/%s", table, id);
		goto out;
	}
	if (!(ctx = EVP_CIPHER_CTX_new()) || !EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, c->key, b + 1) ||
	    !EVP_DecryptUpdate(ctx, NULL, &n, aad.data, (int)aad.len) ||
	    (plen && !EVP_DecryptUpdate(ctx, plain, &n, ct, (int)plen)) ||
	    !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, TAG_LEN, (void *)(ct + plen))) {
		rc = cove_error_set(e, COVE_ERR_CRYPTO, "AES-256-GCM decryption of %s/%s failed", table, id);
		goto out;
	}
	if (EVP_DecryptFinal_ex(ctx, plain + plen, &n) != 1) {
		rc = cove_error_set(e, COVE_ERR_VERIFY, "stored secret %s/%s (version %lld) fails authentication: it "
				    "was altered, copied from another row, or encrypted under another master key",
				    table, id, (long long)version);
		goto out;
	}
	cove_buf_take(out, plain, plen);
	plain = NULL;
out:
	EVP_CIPHER_CTX_free(ctx);
	if (plain) {
		OPENSSL_cleanse(plain, plen);
		free(plain);
	}
	cove_buf_free(&aad);
	return rc;
}
