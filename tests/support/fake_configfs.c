/*
 * The fake configfs-tsm kernel (see fake_configfs.h).  Follows Linux
 * Documentation/ABI/testing/configfs-tsm-report: an entry made with mkdir
 * shows provider, generation, inblob, outblob and, per provider, privlevel,
 * privlevel_floor and auxblob; reading outblob generates the report from
 * what was written before and `generation` counts those writes.
 *
 * Everything here may run on the kernel thread or inside the library's
 * mkdir / rmdir calls, so failures are reported through return values and
 * errno, never with cmocka's asserts.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "support/fake_configfs.h"
#include "support/scratch.h"

cove_test_tsm cove_test_tsm_fake;

/* The one fake, by a short name inside this file. */
#define fake cove_test_tsm_fake

static bool put_file(const char *dir, const char *name, const void *data, size_t len)
{
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return false;
	bool ok = write(fd, data, len) == (ssize_t)len;
	return close(fd) == 0 && ok;
}

static size_t get_file(const char *dir, const char *name, void *buf, size_t cap)
{
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	int fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, buf, cap);
	close(fd);
	return n < 0 ? 0 : (size_t)n;
}

static bool put_number(const char *dir, const char *name, unsigned long long v)
{
	char text[32];
	int n = snprintf(text, sizeof(text), "%llu\n", v);
	return put_file(dir, name, text, (size_t)n);
}

/* Wait until the library opens the FIFO for reading; -1 when told to stop. */
static int open_fifo_writer(const char *name)
{
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/%s", fake.entry, name);
	for (;;) {
		int fd = open(p, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
		if (fd >= 0) {
			fcntl(fd, F_SETFL, 0);
			return fd;
		}
		if (errno != ENXIO || atomic_load(&fake.stop))
			return -1;
		struct timespec ts = {0, 1000000};
		nanosleep(&ts, NULL);
	}
}

static void *kernel_thread(void *arg)
{
	(void)arg;
	int fd = open_fifo_writer("outblob");
	if (fd < 0)
		return NULL;
	/* A reader on outblob means inblob / privlevel were written: generate, as tsm_report_read does. */
	fake.inblob_len = get_file(fake.entry, "inblob", fake.inblob, sizeof(fake.inblob));
	size_t pl = get_file(fake.entry, "privlevel", fake.privlevel, sizeof(fake.privlevel) - 1);
	fake.privlevel[pl] = '\0';
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/privlevel", fake.entry);
	fake.privlevel_exists = access(p, F_OK) == 0;
	uint64_t gen = fake.gen_start + (fake.inblob_len ? 1 : 0) + (pl ? 1 : 0) + fake.gen_extra;
	uint8_t *blob = malloc(COVE_TEST_TSM_OUTBLOB_CAP);
	if (!blob || !put_number(fake.entry, "generation", gen)) {
		free(blob);
		close(fd);
		return NULL;
	}
	size_t len = fake.outblob ? fake.outblob(fake.outblob_ctx, &fake, blob, COVE_TEST_TSM_OUTBLOB_CAP) : 0;
	ssize_t w = write(fd, blob, len);
	(void)w; /* the library may stop reading early */
	close(fd);
	free(blob);
	fake.served_outblob = true;

	if (fake.auxblob_attr) {
		fd = open_fifo_writer("auxblob");
		if (fd < 0)
			return NULL;
		if (fake.aux_len)
			w = write(fd, fake.aux, fake.aux_len);
		close(fd);
	}
	return NULL;
}

static bool in_fake_root(const char *path)
{
	size_t n = strlen(fake.root);
	return n && strncmp(path, fake.root, n) == 0 && path[n] == '/' && !strchr(path + n + 1, '/');
}

static bool add_attr(const char *path, const char *name, const void *data, size_t len)
{
	fake.attrs[fake.nattrs++] = name;
	return put_file(path, name, data, len);
}

static bool add_fifo(const char *path, const char *name)
{
	char p[PATH_MAX];
	fake.attrs[fake.nattrs++] = name;
	snprintf(p, sizeof(p), "%s/%s", path, name);
	return mkfifo(p, 0600) == 0;
}

/* mkdir(2) as configfs does it: the entry appears with its attributes. */
int mkdir(const char *path, mode_t mode)
{
	if (mkdirat(AT_FDCWD, path, mode) != 0)
		return -1;
	if (!in_fake_root(path))
		return 0;
	snprintf(fake.entry, sizeof(fake.entry), "%s", path);
	fake.made++;
	fake.nattrs = 0;
	char text[32];
	int n = snprintf(text, sizeof(text), "%llu\n", (unsigned long long)fake.gen_start);
	bool ok = add_attr(path, "provider", fake.provider, strlen(fake.provider)) &&
		  add_attr(path, "generation", text, (size_t)n) && add_attr(path, "inblob", "", 0);
	if (ok && fake.privlevel_attr)
		ok = add_attr(path, "privlevel", "", 0);
	if (ok && fake.floor_attr) {
		n = snprintf(text, sizeof(text), "%u\n", fake.floor);
		ok = add_attr(path, "privlevel_floor", text, (size_t)n);
	}
	ok = ok && add_fifo(path, "outblob");
	if (ok && fake.auxblob_attr)
		ok = add_fifo(path, "auxblob");
	atomic_store(&fake.stop, false);
	ok = ok && pthread_create(&fake.thread, NULL, kernel_thread, NULL) == 0;
	fake.running = ok;
	if (!ok) {
		errno = EIO;
		return -1;
	}
	return 0;
}

/*
 * rmdir(2) of a configfs entry drops it with its attributes.  Only those:
 * anything else in it (configfs would never have let the library create a
 * file) keeps the directory, so rmdir fails as a non-empty one does.
 */
int rmdir(const char *path)
{
	if (!in_fake_root(path))
		return unlinkat(AT_FDCWD, path, AT_REMOVEDIR);
	if (fake.running) {
		atomic_store(&fake.stop, true);
		pthread_join(fake.thread, NULL);
		fake.running = false;
	}
	for (size_t i = 0; i < fake.nattrs; i++) {
		char p[PATH_MAX];
		snprintf(p, sizeof(p), "%s/%s", path, fake.attrs[i]);
		unlink(p);
	}
	if (unlinkat(AT_FDCWD, path, AT_REMOVEDIR) != 0)
		return -1;
	fake.removed++;
	return 0;
}

int cove_test_tsm_setup(const char *tag)
{
	signal(SIGPIPE, SIG_IGN);
	memset(&fake, 0, sizeof(fake));
	return cove_test_scratch_make(fake.root, sizeof(fake.root), tag);
}

int cove_test_tsm_teardown(void **state)
{
	(void)state;
	/* The library must always remove its entry; a leftover stays for inspection. */
	long left = cove_test_scratch_entries(fake.root);
	unlinkat(AT_FDCWD, fake.root, AT_REMOVEDIR);
	fake.root[0] = '\0';
	return left == 0 ? 0 : -1;
}

void cove_test_tsm_report_data(const cove_test_tsm *seen, uint8_t data[64])
{
	memset(data, 0, 64);
	memcpy(data, seen->inblob, seen->inblob_len < 64 ? seen->inblob_len : 64);
}
