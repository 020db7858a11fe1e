/*
 * On-disk cache of the collateral clients (see cache.h), moved here from
 * src/kds so that the AMD KDS and Intel PCS clients share it.  Each client
 * decides its layout under the cache directory (kds.c mirrors KDS's URL
 * paths; pcs.c keys by TEE, FMSPC and CA).  Files are written to a
 * temporary name in the same directory and renamed into place, which POSIX
 * makes atomic, so concurrent verifiers sharing a cache never read a
 * half-written object.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "net/cache.h"

cove_err cove_cache_mkdirs(const char *dir, cove_error *e)
{
	char p[PATH_MAX];
	size_t n = strlen(dir);
	if (n == 0 || n >= sizeof(p))
		return cove_error_set(e, COVE_ERR_ARG, "cache directory path '%s' is empty or too long", dir);
	memcpy(p, dir, n + 1);
	for (size_t i = 1; i <= n; i++) {
		if (p[i] != '/' && p[i] != '\0')
			continue;
		char saved = p[i];
		p[i] = '\0';
		if (mkdir(p, 0700) != 0 && errno != EEXIST)
			return cove_error_set(e, COVE_ERR_IO, "cannot create cache directory %s: %s", p, strerror(errno));
		struct stat st;
		if (stat(p, &st) != 0 || !S_ISDIR(st.st_mode))
			return cove_error_set(e, COVE_ERR_IO, "cache path %s exists but is not a directory", p);
		p[i] = saved;
	}
	return COVE_OK;
}

cove_err cove_cache_read(const char *path, size_t max, cove_buf *out, bool *found, cove_error *e)
{
	struct stat st;
	*found = false;
	if (stat(path, &st) != 0) {
		if (errno == ENOENT)
			return COVE_OK;
		return cove_error_set(e, COVE_ERR_IO, "cannot read cache file %s: %s", path, strerror(errno));
	}
	cove_err rc = cove_file_read(path, max, out, e);
	if (rc)
		return rc;
	*found = true;
	return COVE_OK;
}

cove_err cove_cache_write(const char *path, const void *data, size_t len, cove_error *e)
{
	char dir[PATH_MAX], tmp[PATH_MAX];
	cove_err rc = COVE_OK;
	if ((size_t)snprintf(dir, sizeof(dir), "%s", path) >= sizeof(dir) ||
	    (size_t)snprintf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", path) >= sizeof(tmp))
		return cove_error_set(e, COVE_ERR_ARG, "cache path %s is too long", path);
	char *slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		if ((rc = cove_cache_mkdirs(dir, e)))
			return rc;
	}
	int fd = mkstemp(tmp); /* mode 0600 */
	if (fd < 0)
		return cove_error_set(e, COVE_ERR_IO, "cannot create %s: %s", tmp, strerror(errno));
	const uint8_t *p = data;
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			rc = cove_error_set(e, COVE_ERR_IO, "cannot write %s: %s", tmp, strerror(errno));
			close(fd);
			goto out;
		}
		p += n;
		len -= (size_t)n;
	}
	/* Contents on disk before the name points at them. */
	int failed = fsync(fd) != 0 ? errno : 0;
	if (close(fd) != 0 && !failed)
		failed = errno;
	if (failed) {
		rc = cove_error_set(e, COVE_ERR_IO, "cannot write %s: %s", tmp, strerror(failed));
		goto out;
	}
	if (rename(tmp, path) != 0) {
		rc = cove_error_set(e, COVE_ERR_IO, "cannot rename %s to %s: %s", tmp, path, strerror(errno));
		goto out;
	}
	return COVE_OK;
out:
	unlink(tmp);
	return rc;
}
