/*
 * The emulated platform's state directory: where it is, that only its owner
 * can use it, and how files are published so that a reader never sees half a
 * platform.
 *
 * Default location follows the XDG Base Directory Specification 0.8
 * ($XDG_STATE_HOME, default ~/.local/state, "should be 0700") for users and
 * the FHS (/var/lib) for root.  New platforms are written into a private
 * temporary directory and renamed into place (rename(2) is atomic); a key
 * rotation swaps the two directories with renameat2(RENAME_EXCHANGE).
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "platform/internal.h"

cove_err plat_path(char *out, size_t out_len, cove_error *e, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(out, out_len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= out_len)
		return cove_error_set(e, COVE_ERR_ARG, "path too long (more than %zu bytes)", out_len - 1);
	return COVE_OK;
}

cove_err cove_platform_default_dir(char *out, size_t out_len, cove_error *e)
{
	const char *env = getenv("COVE_STATE_DIR");
	if (env && *env)
		return plat_path(out, out_len, e, "%s", env);
	if (geteuid() == 0)
		return plat_path(out, out_len, e, "/var/lib/cove");
	/* The XDG spec says relative values are invalid and must be ignored. */
	const char *xdg = getenv("XDG_STATE_HOME");
	if (xdg && xdg[0] == '/')
		return plat_path(out, out_len, e, "%s/cove", xdg);
	const char *home = getenv("HOME");
	if (!home || home[0] != '/') {
		struct passwd *pw = getpwuid(geteuid());
		home = pw ? pw->pw_dir : NULL;
	}
	if (!home || home[0] != '/')
		return cove_error_set(e, COVE_ERR_ARG,
				      "no state directory: HOME is not set and uid %u has no home directory; "
				      "give one with --state-dir or COVE_STATE_DIR", (unsigned)geteuid());
	return plat_path(out, out_len, e, "%s/.local/state/cove", home);
}

cove_err plat_resolve_dir(const char *dir, char *out, size_t out_len, cove_error *e)
{
	if (!dir)
		return cove_platform_default_dir(out, out_len, e);
	if (!*dir)
		return cove_error_set(e, COVE_ERR_ARG, "the state directory path is empty");
	return plat_path(out, out_len, e, "%s", dir);
}

cove_err plat_mkdirs(const char *path, cove_error *e)
{
	char buf[PATH_MAX];
	cove_err rc = plat_path(buf, sizeof(buf), e, "%s", path);
	if (rc)
		return rc;
	for (char *p = buf + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char saved = *p;
		*p = '\0';
		if (mkdir(buf, 0700) != 0 && errno != EEXIST)
			return cove_error_set(e, COVE_ERR_IO, "cannot create directory %s: %s", buf, strerror(errno));
		*p = saved;
		if (saved == '\0')
			break;
	}
	return COVE_OK;
}

cove_err plat_check_private_dir(const char *path, const char *what, cove_error *e)
{
	struct stat st;
	if (stat(path, &st) != 0)
		return cove_error_set(e, COVE_ERR_IO, "cannot use %s %s: %s", what, path, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return cove_error_set(e, COVE_ERR_ARG, "%s %s is not a directory", what, path);
	if (st.st_uid != geteuid())
		return cove_error_set(e, COVE_ERR_ARG,
				      "%s %s is owned by uid %u, not by the current user (uid %u); it holds private "
				      "keys, so cove uses only a directory of your own",
				      what, path, (unsigned)st.st_uid, (unsigned)geteuid());
	if (st.st_mode & 077)
		return cove_error_set(e, COVE_ERR_ARG,
				      "%s %s is accessible by group or others (mode %04o); it holds private keys: "
				      "run 'chmod 700 %s' or choose another directory",
				      what, path, (unsigned)(st.st_mode & 07777), path);
	return COVE_OK;
}

cove_err plat_check_file(const char *path, bool secret, cove_error *e)
{
	struct stat st;
	if (lstat(path, &st) != 0)
		return cove_error_set(e, COVE_ERR_IO, "cannot use %s: %s", path, strerror(errno));
	if (S_ISLNK(st.st_mode))
		return cove_error_set(e, COVE_ERR_ARG, "%s is a symbolic link; the platform's files must be regular "
				      "files in its own directory", path);
	if (!S_ISREG(st.st_mode))
		return cove_error_set(e, COVE_ERR_ARG, "%s is not a regular file", path);
	if (st.st_uid != geteuid())
		return cove_error_set(e, COVE_ERR_ARG, "%s is owned by uid %u, not by the current user (uid %u)", path,
				      (unsigned)st.st_uid, (unsigned)geteuid());
	if (secret && (st.st_mode & 077))
		return cove_error_set(e, COVE_ERR_ARG,
				      "private key %s is accessible by group or others (mode %04o): run 'chmod 600 %s'",
				      path, (unsigned)(st.st_mode & 07777), path);
	return COVE_OK;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	int r = flag == FTW_DP ? rmdir(path) : unlink(path);
	return r != 0 && errno != ENOENT ? -1 : 0;
}

cove_err plat_remove_tree(const char *path, cove_error *e)
{
	if (nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS) != 0 && errno != ENOENT)
		return cove_error_set(e, COVE_ERR_IO, "cannot remove %s: %s", path, strerror(errno));
	return COVE_OK;
}

cove_err plat_make_temp_dir(const char *parent, const char *stem, char *out, size_t out_len, cove_error *e)
{
	cove_err rc = plat_path(out, out_len, e, "%s/.%s-XXXXXX", parent, stem);
	if (rc)
		return rc;
	if (!mkdtemp(out)) /* mode 0700 */
		return cove_error_set(e, COVE_ERR_IO, "cannot create a temporary directory in %s: %s", parent,
				      strerror(errno));
	return COVE_OK;
}

cove_err plat_publish_dir(const char *tmp, const char *final, bool replace, bool *lost, cove_error *e)
{
	*lost = false;
	if (!replace) {
		if (rename(tmp, final) == 0)
			return COVE_OK;
		int err = errno;
		if (err == EEXIST || err == ENOTEMPTY) {
			/* Another process created it first: use theirs. */
			*lost = true;
			return plat_remove_tree(tmp, e);
		}
		plat_remove_tree(tmp, NULL);
		return cove_error_set(e, COVE_ERR_IO, "cannot move %s to %s: %s", tmp, final, strerror(err));
	}
	if (renameat2(AT_FDCWD, tmp, AT_FDCWD, final, RENAME_EXCHANGE) == 0)
		return plat_remove_tree(tmp, e); /* tmp now holds the old platform */
	if (errno == ENOENT) {
		if (rename(tmp, final) == 0)
			return COVE_OK;
	} else if (errno == EINVAL || errno == ENOSYS) {
		/* A file system without RENAME_EXCHANGE: move the old one aside first. */
		char old[PATH_MAX];
		cove_err rc = plat_path(old, sizeof(old), e, "%s.old-%ld", final, (long)getpid());
		if (rc)
			return rc;
		if (rename(final, old) == 0) {
			if (rename(tmp, final) == 0)
				return plat_remove_tree(old, e);
			int err = errno;
			rename(old, final); /* put the old platform back */
			errno = err;
		}
	}
	int err = errno;
	plat_remove_tree(tmp, NULL);
	return cove_error_set(e, COVE_ERR_IO, "cannot replace %s: %s", final, strerror(err));
}

cove_err plat_write_atomic(const char *path, const void *data, size_t len, unsigned mode, cove_error *e)
{
	char tmp[PATH_MAX];
	uint32_t nonce;
	cove_random_bytes(&nonce, sizeof(nonce));
	cove_err rc = plat_path(tmp, sizeof(tmp), e, "%s.tmp-%ld-%08x", path, (long)getpid(), (unsigned)nonce);
	if (rc)
		return rc;
	if ((rc = cove_file_write(tmp, data, len, mode, e)))
		goto out;
	if (rename(tmp, path) != 0)
		rc = cove_error_set(e, COVE_ERR_IO, "cannot replace %s: %s", path, strerror(errno));
out:
	if (rc)
		unlink(tmp);
	return rc;
}
