/*
 * In-guest TD quote acquisition (src/tdx/guest.c over src/tsm/configfs.c)
 * without TDX hardware.
 *
 * A fake configfs-tsm "kernel" lives in this process, as in
 * tests/test_snp_guest.c: mkdir() and rmdir() are supplied here so that an
 * entry under the fake root appears with the attributes the tdx_guest
 * provider shows (provider, generation, inblob, outblob; no privlevel or
 * auxblob), and outblob is a FIFO served by a thread, so the library's read
 * blocks until the fake kernel has seen inblob, as the real read triggers
 * quote generation.  Everything else is the library's real path.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>

#include "testutil.h"
#include "cove/tdx_guest.h"

/* Quote layout facts the fake host needs (sgx_quote_4.h / sgx_quote_5.h). */
#define V4_REPORTDATA (48 + 520)
#define V5_REPORTDATA (54 + 520)

typedef enum quote_kind {
	Q_V4,        /* v4, TDX 1.0 body */
	Q_V5_15,     /* v5, body type 3 (TDX 1.5) */
	Q_SGX,       /* v4 header with TEE type SGX */
	Q_V3,        /* a version-3 quote */
	Q_V5_BAD,    /* v5 with body type 1 */
	Q_RAW,       /* `raw_len` bytes of 0x11 */
} quote_kind;

static struct fake_tsm {
	char root[128];
	/* behaviour */
	const char *provider;
	uint64_t gen_start;
	uint64_t gen_extra;      /* writes by "another process" */
	quote_kind kind;
	size_t quote_len;
	bool corrupt_data;       /* the quote carries different REPORTDATA */
	/* what the fake kernel saw */
	char entry[256];
	uint8_t inblob[128];
	size_t inblob_len;
	int made, removed;
	bool served;
	bool privlevel_touched;
	pthread_t thread;
	bool running;
	atomic_bool stop;
} fake;

/* Runs on the fake kernel's thread too, so it reports failure instead of asserting. */
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

/* A TD-quote-shaped buffer: header, body with REPORTDATA, signature length; the rest is filler. */
static size_t fake_quote(uint8_t *q, size_t cap, const uint8_t data[64])
{
	size_t n = fake.quote_len;
	if (n > cap)
		n = cap;
	memset(q, 0xa5, n);
	if (fake.kind == Q_RAW) {
		memset(q, 0x11, n);
		return n;
	}
	uint16_t version = fake.kind == Q_V3 ? 3 : (fake.kind == Q_V5_15 || fake.kind == Q_V5_BAD) ? 5 : 4;
	cove_put_le16(q, version);
	cove_put_le16(q + 2, 2);
	cove_put_le32(q + 4, fake.kind == Q_SGX ? 0 : 0x81);
	size_t rd = V4_REPORTDATA;
	if (version == 5) {
		cove_put_le16(q + 48, fake.kind == Q_V5_BAD ? 1 : 3);
		cove_put_le32(q + 50, fake.kind == Q_V5_BAD ? 384 : 648);
		rd = V5_REPORTDATA;
	}
	if (rd + 64 <= n)
		memcpy(q + rd, data, 64);
	return n;
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

static void *fake_kernel(void *arg)
{
	(void)arg;
	static uint8_t quote[40000];
	int fd = open_fifo_writer("outblob");
	if (fd < 0)
		return NULL;
	/* A reader on outblob means inblob was written: ask the "host" for a quote, as tdx_report_new does. */
	fake.inblob_len = get_file(fake.entry, "inblob", fake.inblob, sizeof(fake.inblob));
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/privlevel", fake.entry);
	fake.privlevel_touched = access(p, F_OK) == 0;
	uint64_t gen = fake.gen_start + (fake.inblob_len ? 1 : 0) + fake.gen_extra;
	char text[32];
	int n = snprintf(text, sizeof(text), "%llu\n", (unsigned long long)gen);
	if (!put_file(fake.entry, "generation", text, (size_t)n))
		return NULL;
	uint8_t data[64] = {0};
	memcpy(data, fake.inblob, fake.inblob_len < 64 ? fake.inblob_len : 64);
	if (fake.corrupt_data)
		data[63] ^= 0x80;
	size_t len = fake_quote(quote, sizeof(quote), data);
	ssize_t w = write(fd, quote, len);
	(void)w;
	close(fd);
	fake.served = true;
	return NULL;
}

static bool in_fake_root(const char *path)
{
	size_t n = strlen(fake.root);
	return n && strncmp(path, fake.root, n) == 0 && path[n] == '/' && !strchr(path + n + 1, '/');
}

/* mkdir(2) as configfs does it for the tdx_guest provider: the entry appears with its attributes. */
int mkdir(const char *path, mode_t mode)
{
	if (mkdirat(AT_FDCWD, path, mode) != 0)
		return -1;
	if (!in_fake_root(path))
		return 0;
	snprintf(fake.entry, sizeof(fake.entry), "%s", path);
	fake.made++;
	char text[32], p[PATH_MAX];
	int n = snprintf(text, sizeof(text), "%llu\n", (unsigned long long)fake.gen_start);
	bool ok = put_file(path, "provider", fake.provider, strlen(fake.provider)) &&
		  put_file(path, "generation", text, (size_t)n) && put_file(path, "inblob", "", 0);
	snprintf(p, sizeof(p), "%s/outblob", path);
	ok = ok && mkfifo(p, 0600) == 0;
	atomic_store(&fake.stop, false);
	ok = ok && pthread_create(&fake.thread, NULL, fake_kernel, NULL) == 0;
	fake.running = ok;
	if (!ok) {
		errno = EIO;
		return -1;
	}
	return 0;
}

/* rmdir(2) of a configfs entry drops it with its attributes. */
int rmdir(const char *path)
{
	if (!in_fake_root(path))
		return unlinkat(AT_FDCWD, path, AT_REMOVEDIR);
	if (fake.running) {
		atomic_store(&fake.stop, true);
		pthread_join(fake.thread, NULL);
		fake.running = false;
	}
	static const char *const attrs[] = {"provider", "generation", "inblob", "outblob", "privlevel"};
	for (size_t i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++) {
		char p[PATH_MAX];
		snprintf(p, sizeof(p), "%s/%s", path, attrs[i]);
		unlink(p);
	}
	if (unlinkat(AT_FDCWD, path, AT_REMOVEDIR) != 0)
		return -1;
	fake.removed++;
	return 0;
}

static size_t dir_entries(const char *dir)
{
	size_t n = 0;
	DIR *d = opendir(dir);
	assert_non_null(d);
	for (struct dirent *de; (de = readdir(d));)
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

static int fake_setup(void **state)
{
	(void)state;
	memset(&fake, 0, sizeof(fake));
	snprintf(fake.root, sizeof(fake.root), "/tmp/cove-test-tdx-tsm-XXXXXX");
	if (!mkdtemp(fake.root))
		return -1;
	fake.provider = "tdx_guest\n";
	fake.kind = Q_V4;
	fake.quote_len = 5006;
	return 0;
}

static int fake_teardown(void **state)
{
	(void)state;
	/* The library must always remove its entry. */
	size_t left = dir_entries(fake.root);
	unlinkat(AT_FDCWD, fake.root, AT_REMOVEDIR);
	fake.root[0] = '\0';
	return left == 0 ? 0 : -1;
}

static void opts(cove_tdx_guest_opts *o)
{
	cove_tdx_guest_opts_init(o);
	o->configfs_root = fake.root;
	for (int i = 0; i < 64; i++)
		o->report_data[i] = (uint8_t)(0x80 + i);
}

static void test_data_parse(void **state)
{
	(void)state;
	uint8_t d[64];
	cove_error e = {0};
	assert_int_equal(cove_tdx_guest_data_parse(" 00ff10 \n", d, &e), COVE_OK);
	assert_int_equal(d[1], 0xff);
	assert_int_equal(d[2], 0x10);
	assert_true(cove_is_zero(d + 3, 61));
	char over[131];
	memset(over, 'c', 130);
	over[130] = '\0';
	assert_int_equal(cove_tdx_guest_data_parse(over, d, &e), COVE_ERR_ARG);
	assert_string_equal(e.msg, "report data is 65 bytes; at most 64 fit in REPORTDATA");
	assert_int_not_equal(cove_tdx_guest_data_parse("abc", d, &e), COVE_OK);
	assert_non_null(strstr(e.msg, "report data"));
}

static void test_quote_v4(void **state)
{
	(void)state;
	cove_tdx_guest_opts o;
	cove_tdx_guest_quote *q = NULL;
	cove_error e = {0};
	fake.gen_start = 41;
	opts(&o);
	assert_int_equal(cove_tdx_guest_quote_new(&o, &q, &e), COVE_OK);
	assert_non_null(q);
	/* The kernel saw exactly our 64 bytes, and nothing touched privlevel. */
	assert_int_equal(fake.inblob_len, 64);
	assert_memory_equal(fake.inblob, o.report_data, 64);
	assert_false(fake.privlevel_touched);
	assert_int_equal(q->quote.len, 5006);
	assert_int_equal(cove_le16(q->quote.data), 4);
	assert_memory_equal(q->quote.data + V4_REPORTDATA, o.report_data, 64);
	assert_non_null(strstr(q->source, fake.root));
	assert_non_null(strstr(q->source, "/cove-"));
	assert_int_equal(fake.made, 1);
	assert_int_equal(fake.removed, 1);
	cove_tdx_guest_quote_free(q);
}

static void test_quote_v5(void **state)
{
	(void)state;
	cove_tdx_guest_opts o;
	cove_tdx_guest_quote *q = NULL;
	cove_error e = {0};
	fake.kind = Q_V5_15;
	opts(&o);
	assert_int_equal(cove_tdx_guest_quote_new(&o, &q, &e), COVE_OK);
	assert_int_equal(cove_le16(q->quote.data), 5);
	assert_memory_equal(q->quote.data + V5_REPORTDATA, o.report_data, 64);
	cove_tdx_guest_quote_free(q);
	/* The smallest v5 quote with a 1.5 body: header, descriptor, body, signature length. */
	fake.quote_len = 54 + 648 + 4;
	assert_int_equal(cove_tdx_guest_quote_new(&o, &q, &e), COVE_OK);
	cove_tdx_guest_quote_free(q);
	fake.quote_len--;
	assert_int_equal(cove_tdx_guest_quote_new(&o, &q, &e), COVE_ERR_PARSE);
	assert_null(q);
	assert_non_null(strstr(e.msg, "/outblob holds 705 bytes; a v5 TD quote needs at least 706"));
}

static void test_wrong_provider(void **state)
{
	(void)state;
	cove_tdx_guest_opts o;
	cove_tdx_guest_quote *q = NULL;
	cove_error e = {0};
	fake.provider = "sev_guest\n";
	opts(&o);
	assert_int_equal(cove_tdx_guest_quote_new(&o, &q, &e), COVE_ERR_UNSUPPORTED);
	assert_null(q);
	assert_non_null(strstr(e.msg, "/provider is 'sev_guest', not 'tdx_guest': this is not a TDX guest"));
	assert_false(fake.served);
	assert_int_equal(fake.inblob_len, 0);
	assert_int_equal(fake.removed, 1);
}

static void test_race(void **state)
{
	(void)state;
	cove_tdx_guest_opts o;
	cove_tdx_guest_quote *q = NULL;
	cove_error e = {0};
	fake.gen_start = 3;
	fake.gen_extra = 1; /* another process wrote inblob between our write and our read */
	opts(&o);
	assert_int_equal(cove_tdx_guest_quote_new(&o, &q, &e), COVE_ERR_UNAVAILABLE);
	assert_null(q);
	assert_non_null(strstr(e.msg, "/generation moved from 3 to 5 while we made 1 write(s): another process"));
	assert_int_equal(fake.removed, 1);
}

static void test_foreign_data(void **state)
{
	(void)state;
	cove_tdx_guest_opts o;
	cove_tdx_guest_quote *q = NULL;
	cove_error e = {0};
	fake.corrupt_data = true;
	opts(&o);
	assert_int_equal(cove_tdx_guest_quote_new(&o, &q, &e), COVE_ERR_VERIFY);
	assert_null(q);
	assert_non_null(strstr(e.msg, "carries different REPORTDATA than requested"));
	assert_non_null(strstr(e.msg, fake.root));
}

static void test_malformed_quotes(void **state)
{
	(void)state;
	cove_tdx_guest_opts o;
	cove_tdx_guest_quote *q = NULL;
	cove_error e = {0};
	static const struct {
		quote_kind kind;
		size_t len;
		const char *msg;
	} cases[] = {
		{Q_RAW, 0, "/outblob holds 0 bytes, fewer than a 48-byte quote header"},
		{Q_V4, 47, "/outblob holds 47 bytes, fewer than a 48-byte quote header"},
		{Q_V4, 100, "/outblob holds 100 bytes; a v4 TD quote needs at least 636"},
		{Q_V4, 635, "/outblob holds 635 bytes; a v4 TD quote needs at least 636"},
		{Q_V3, 5000, "/outblob holds a quote of version 3; a TD quote is version 4 or 5"},
		{Q_SGX, 5000, "/outblob holds a quote for TEE type 0x0, not TDX (0x81)"},
		{Q_V5_BAD, 5000, "/outblob holds a v5 quote with body type 1 of 384 bytes; a TD body is type 2 (584 "
				 "bytes) or 3 (648 bytes)"},
		{Q_RAW, 4000, "/outblob holds a quote of version 4369; a TD quote is version 4 or 5"},
		{Q_RAW, 40000, "/outblob holds more than the 32768 bytes expected"},
	};
	opts(&o);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fake.kind = cases[i].kind;
		fake.quote_len = cases[i].len;
		assert_int_equal(cove_tdx_guest_quote_new(&o, &q, &e), COVE_ERR_PARSE);
		assert_null(q);
		if (!strstr(e.msg, cases[i].msg))
			fail_msg("case %zu: '%s' lacks '%s'", i, e.msg, cases[i].msg);
	}
	assert_int_equal(fake.removed, (int)(sizeof(cases) / sizeof(cases[0])));
}

static void test_missing_root(void **state)
{
	(void)state;
	cove_tdx_guest_opts o;
	cove_tdx_guest_quote *q = NULL;
	cove_error e = {0};
	cove_tdx_guest_opts_init(&o);
	o.configfs_root = "/nonexistent/tsm/report";
	assert_int_equal(cove_tdx_guest_quote_new(&o, &q, &e), COVE_ERR_UNAVAILABLE);
	assert_null(q);
	assert_non_null(strstr(e.msg, "cannot create configfs-tsm entry /nonexistent/tsm/report/cove-"));
	assert_non_null(strstr(e.msg, "No such file or directory"));
}

int main(void)
{
	/* A fake-kernel FIFO write after the library gave up must not kill the test. */
	signal(SIGPIPE, SIG_IGN);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_data_parse),
		cmocka_unit_test_setup_teardown(test_quote_v4, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_quote_v5, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_wrong_provider, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_race, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_foreign_data, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_malformed_quotes, fake_setup, fake_teardown),
		cmocka_unit_test(test_missing_root),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
