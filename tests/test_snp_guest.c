/*
 * In-guest report acquisition (src/snp/guest.c) without SEV hardware.
 *
 * configfs-tsm: the fake configfs-tsm "kernel" of
 * tests/support/fake_configfs.h plays the sev_guest provider (privlevel,
 * privlevel_floor and auxblob as well as inblob / outblob), serving the
 * report made by fake_outblob() below.  Everything else is the library's
 * real path.
 *
 * /dev/sev-guest: ioctls need a real character device, so these tests plug
 * in a test transport (cove_snp_guest_transport) that ships each request
 * over a socketpair to a thread playing the kernel and the host.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "testutil.h"
#include "cove/snp.h"
#include "cove/snp_guest.h"
#include "snp/guest_layout.h"
#include "snp/report_layout.h"
#include "support/expect.h"
#include "support/fake_configfs.h"

static const uint8_t vcek_guid[16] = {0x63, 0xda, 0x75, 0x8d, 0xe6, 0x64, 0x45, 0x64,
				      0xad, 0xc5, 0xf4, 0xb9, 0x3b, 0xe8, 0xac, 0xcd};

/* A recognisable report: version 2, the given VMPL and REPORT_DATA, a fixed MEASUREMENT. */
static void fake_report(uint8_t out[COVE_SNP_REPORT_SIZE], const uint8_t data[64], uint32_t vmpl)
{
	memset(out, 0, COVE_SNP_REPORT_SIZE);
	cove_put_le32(out + SNP_OFF_VERSION, 2);
	cove_put_le32(out + SNP_OFF_VMPL, vmpl);
	memcpy(out + SNP_OFF_REPORT_DATA, data, 64);
	memset(out + SNP_OFF_MEASUREMENT, 0xab, 48);
}

/* A certificate table with one VCEK entry of `body_len` pattern bytes after the table. */
static size_t fake_cert_table(uint8_t *buf, size_t cap, size_t body_len)
{
	size_t off = 2 * SNP_CERT_ENTRY_SIZE;
	assert_true(off + body_len <= cap);
	memset(buf, 0, cap);
	memcpy(buf, vcek_guid, 16);
	cove_put_le32(buf + SNP_CERT_ENTRY_OFFSET, (uint32_t)off);
	cove_put_le32(buf + SNP_CERT_ENTRY_LENGTH, (uint32_t)body_len);
	for (size_t i = 0; i < body_len; i++)
		buf[off + i] = (uint8_t)(i * 7 + 1);
	return off + body_len;
}

/* The request `o` fails with `rc`, gives no report and says `msg`; `e` keeps the error for further checks. */
static void expect_report_error(const cove_snp_guest_opts *o, cove_err rc, const char *msg, cove_error *e)
{
	cove_snp_guest_report *r = NULL;
	assert_int_equal(cove_snp_guest_report_new(o, &r, e), rc);
	assert_null(r);
	cove_test_expect_msg(e, msg);
}

static void test_data_parse(void **state)
{
	(void)state;
	uint8_t d[64];
	cove_error e = {0};
	assert_int_equal(cove_snp_guest_data_parse("0102ff", d, &e), COVE_OK);
	assert_int_equal(d[0], 0x01);
	assert_int_equal(d[1], 0x02);
	assert_int_equal(d[2], 0xff);
	assert_true(cove_is_zero(d + 3, 61));
	char full[129];
	memset(full, 'a', 128);
	full[128] = '\0';
	assert_int_equal(cove_snp_guest_data_parse(full, d, &e), COVE_OK);
	assert_int_equal(d[63], 0xaa);
	char over[131];
	memset(over, 'b', 130);
	over[130] = '\0';
	assert_int_equal(cove_snp_guest_data_parse(over, d, &e), COVE_ERR_ARG);
	assert_non_null(strstr(e.msg, "65 bytes"));
	assert_int_not_equal(cove_snp_guest_data_parse("xyz", d, &e), COVE_OK);
	assert_int_not_equal(cove_snp_guest_data_parse("123", d, &e), COVE_OK);
}

/* ------------------------------------------------------------------ */
/* Fake configfs-tsm (tests/support/fake_configfs.h) as the sev_guest provider */

static cove_test_tsm *const fake = &cove_test_tsm_fake;

/* What the fake firmware puts in outblob. */
static struct firmware {
	size_t outblob_len;
	bool corrupt_data;       /* echo different REPORT_DATA */
} fw;

/* The report for what the kernel saw: its REPORT_DATA, at its privlevel (the floor when none was written). */
static size_t fake_outblob(void *ctx, const cove_test_tsm *seen, uint8_t *out, size_t cap)
{
	(void)ctx;
	uint8_t data[64];
	cove_test_tsm_report_data(seen, data);
	if (fw.corrupt_data)
		data[5] ^= 1;
	if (cap < COVE_SNP_REPORT_SIZE + 16)
		return 0;
	fake_report(out, data, seen->privlevel[0] ? (uint32_t)atoi(seen->privlevel) : seen->floor);
	memset(out + COVE_SNP_REPORT_SIZE, 0xee, 16);
	return fw.outblob_len;
}

static int fake_setup(void **state)
{
	(void)state;
	if (cove_test_tsm_setup("tsm") != 0)
		return -1;
	fake->provider = "sev_guest\n";
	fake->privlevel_attr = true;
	fake->floor_attr = true;
	fake->auxblob_attr = true;
	fake->outblob = fake_outblob;
	fw.outblob_len = COVE_SNP_REPORT_SIZE;
	fw.corrupt_data = false;
	return 0;
}

static void configfs_opts(cove_snp_guest_opts *o)
{
	cove_snp_guest_opts_init(o);
	o->iface = COVE_SNP_GUEST_CONFIGFS;
	o->configfs_root = fake->root;
	for (int i = 0; i < 64; i++)
		o->report_data[i] = (uint8_t)(0x40 + i);
}

static void test_configfs_report(void **state)
{
	(void)state;
	cove_snp_guest_opts o;
	cove_snp_guest_report *r = NULL;
	cove_error e = {0};
	uint8_t table[512];
	fake->aux_len = fake_cert_table(table, sizeof(table), 300);
	fake->aux = table;
	fake->gen_start = 7; /* not necessarily 0: only the difference counts */
	configfs_opts(&o);
	o.extended = true;
	assert_int_equal(cove_snp_guest_report_new(&o, &r, &e), COVE_OK);
	assert_non_null(r);
	assert_int_equal(r->iface, COVE_SNP_GUEST_CONFIGFS);
	assert_non_null(strstr(r->source, fake->root));
	/* The kernel saw exactly our 64 bytes and no privlevel write. */
	assert_int_equal(fake->inblob_len, 64);
	assert_memory_equal(fake->inblob, o.report_data, 64);
	assert_string_equal(fake->privlevel, "");
	assert_memory_equal(r->report + SNP_OFF_REPORT_DATA, o.report_data, 64);
	assert_int_equal(r->report[SNP_OFF_MEASUREMENT], 0xab);
	assert_int_equal(r->certs.len, fake->aux_len);
	assert_memory_equal(r->certs.data, table, fake->aux_len);
	/* The table is what the lead's parser expects. */
	cove_snp_cert_table t = {0};
	assert_int_equal(cove_snp_cert_table_parse(r->certs.data, r->certs.len, &t, &e), COVE_OK);
	assert_int_equal(t.count, 1);
	assert_int_equal(t.entries[0].kind, COVE_SNP_CERT_VCEK);
	assert_int_equal(t.entries[0].len, 300);
	cove_snp_cert_table_free(&t);
	assert_int_equal(fake->made, 1);
	assert_int_equal(fake->removed, 1);
	cove_snp_guest_report_free(r);
}

static void test_configfs_privlevel(void **state)
{
	(void)state;
	cove_snp_guest_opts o;
	cove_snp_guest_report *r = NULL;
	cove_error e = {0};
	configfs_opts(&o);
	o.vmpl = 2;
	assert_int_equal(cove_snp_guest_report_new(&o, &r, &e), COVE_OK);
	assert_string_equal(fake->privlevel, "2\n");
	assert_int_equal(cove_le32(r->report + SNP_OFF_VMPL), 2);
	assert_int_equal(r->certs.len, 0); /* not extended: auxblob untouched */
	cove_snp_guest_report_free(r);
}

static void test_configfs_below_floor(void **state)
{
	(void)state;
	cove_snp_guest_opts o;
	cove_error e = {0};
	fake->floor = 2;
	configfs_opts(&o);
	o.vmpl = 1;
	expect_report_error(&o, COVE_ERR_ARG, "below the guest's privilege floor 2", &e);
	assert_non_null(strstr(e.msg, "privlevel_floor"));
	assert_false(fake->served_outblob);
	assert_int_equal(fake->removed, 1);
}

static void test_configfs_race(void **state)
{
	(void)state;
	cove_snp_guest_opts o;
	cove_error e = {0};
	fake->gen_extra = 1; /* someone else wrote inblob between our write and our read */
	configfs_opts(&o);
	expect_report_error(&o, COVE_ERR_UNAVAILABLE, "generation moved from 0 to 2 while we made 1 write", &e);
	assert_non_null(strstr(e.msg, "another process"));
	assert_int_equal(fake->removed, 1);
}

static void test_configfs_wrong_provider(void **state)
{
	(void)state;
	cove_snp_guest_opts o;
	cove_error e = {0};
	fake->provider = "tdx_guest\n";
	configfs_opts(&o);
	expect_report_error(&o, COVE_ERR_UNSUPPORTED, "/provider is 'tdx_guest', not 'sev_guest'", &e);
	assert_false(fake->served_outblob);
	assert_int_equal(fake->inblob_len, 0);
	assert_int_equal(fake->removed, 1);
}

static void test_configfs_short_outblob(void **state)
{
	(void)state;
	cove_snp_guest_opts o;
	cove_error e = {0};
	fw.outblob_len = 1000;
	configfs_opts(&o);
	expect_report_error(&o, COVE_ERR_PARSE, "outblob holds 1000 bytes; an SNP report has 1184", &e);
	fw.outblob_len = COVE_SNP_REPORT_SIZE + 16;
	expect_report_error(&o, COVE_ERR_PARSE, "holds 1200 bytes", &e);
	assert_int_equal(fake->removed, 2);
}

static void test_configfs_foreign_data(void **state)
{
	(void)state;
	cove_snp_guest_opts o;
	cove_error e = {0};
	fw.corrupt_data = true;
	configfs_opts(&o);
	expect_report_error(&o, COVE_ERR_VERIFY, "different REPORT_DATA", &e);
}

static void test_configfs_no_auxblob(void **state)
{
	(void)state;
	cove_snp_guest_opts o;
	cove_snp_guest_report *r = NULL;
	cove_error e = {0};
	fake->auxblob_attr = false; /* kernel 6.7 before auxblob */
	configfs_opts(&o);
	o.extended = true;
	o.iface = COVE_SNP_GUEST_AUTO; /* the root exists, so configfs is chosen */
	o.device = "/nonexistent/sev-guest";
	assert_int_equal(cove_snp_guest_report_new(&o, &r, &e), COVE_OK);
	assert_int_equal(r->iface, COVE_SNP_GUEST_CONFIGFS);
	assert_int_equal(r->certs.len, 0);
	cove_snp_guest_report_free(r);
}

static void test_configfs_missing(void **state)
{
	(void)state;
	cove_snp_guest_opts o;
	cove_error e = {0};
	cove_snp_guest_opts_init(&o);
	o.iface = COVE_SNP_GUEST_CONFIGFS;
	o.configfs_root = "/nonexistent/tsm/report";
	expect_report_error(&o, COVE_ERR_UNAVAILABLE, "/nonexistent/tsm/report/cove-", &e);
	assert_non_null(strstr(e.msg, "No such file or directory"));
	o.iface = COVE_SNP_GUEST_AUTO;
	o.device = "/nonexistent/sev-guest";
	expect_report_error(&o, COVE_ERR_UNAVAILABLE,
			    "neither /nonexistent/tsm/report (configfs-tsm) nor /nonexistent/sev-guest", &e);
}

/* ------------------------------------------------------------------ */
/* Fake /dev/sev-guest                                                 */

typedef enum dev_mode {
	DEV_OK,
	DEV_SHORT,        /* fewer response bytes than a report */
	DEV_STATUS,       /* MSG_REPORT_RSP status != 0 */
	DEV_WRONG_SIZE,   /* report_size != 1184 */
	DEV_ERRNO,        /* the ioctl fails */
	DEV_NEED_BAD,     /* asks for more than 16 KiB */
	DEV_NEED_TWICE,   /* still too small after the retry */
} dev_mode;

static struct fake_dev {
	int sv[2];
	pthread_t thread;
	dev_mode mode;
	uint32_t status;
	int err;
	const uint8_t *table;
	size_t table_len;
	/* what the kernel saw */
	int requests;
	bool mismatch;           /* certs_len in the request disagreed with the buffer shipped */
	unsigned long ioctl_seen[4];
	uint32_t vmpl_seen;
	uint32_t certs_len_seen[4];
} dev;

#define WIRE_MAX (64 + SNP_EXT_REQ_SIZE + SNP_RESP_SIZE + COVE_SNP_GUEST_CERTS_MAX + 8192)

/* Request: ioctl u64, req_len u32, resp_cap u32, certs_cap u32, pad u32, req bytes. */
/* Reply: errno u32, pad u32, exitinfo2 u64, resp_len u32, certs_len u32, req, resp, certs. */
static int sock_submit(void *ctx, cove_snp_guest_msg *m)
{
	int fd = *(int *)ctx;
	uint8_t *buf = calloc(1, WIRE_MAX);
	assert_non_null(buf);
	cove_put_le64(buf, m->ioctl);
	cove_put_le32(buf + 8, (uint32_t)m->req_len);
	cove_put_le32(buf + 12, (uint32_t)m->resp_len);
	cove_put_le32(buf + 16, (uint32_t)m->certs_cap);
	memcpy(buf + 24, m->req, m->req_len);
	assert_int_equal(send(fd, buf, 24 + m->req_len, 0), (ssize_t)(24 + m->req_len));
	ssize_t n = recv(fd, buf, WIRE_MAX, 0);
	assert_true(n >= 24);
	int err = (int)cove_le32(buf);
	m->exitinfo2 = cove_le64(buf + 8);
	size_t resp_len = cove_le32(buf + 16), certs_len = cove_le32(buf + 20);
	assert_true(resp_len <= m->resp_len && certs_len <= m->certs_cap);
	assert_int_equal((size_t)n, 24 + m->req_len + resp_len + certs_len);
	memcpy(m->req, buf + 24, m->req_len);
	memcpy(m->resp, buf + 24 + m->req_len, resp_len);
	if (certs_len)
		memcpy(m->certs, buf + 24 + m->req_len + resp_len, certs_len);
	m->resp_len = resp_len;
	free(buf);
	return err;
}

/* The kernel and host: decode the request, answer per `dev.mode`. */
static void *fake_device(void *arg)
{
	(void)arg;
	uint8_t *in = calloc(1, WIRE_MAX), *out = calloc(1, WIRE_MAX);
	for (;;) {
		ssize_t n = recv(dev.sv[1], in, WIRE_MAX, 0);
		if (n <= 0)
			break;
		unsigned long nr = (unsigned long)cove_le64(in);
		size_t req_len = cove_le32(in + 8), resp_cap = cove_le32(in + 12), certs_cap = cove_le32(in + 16);
		uint8_t *req = in + 24;
		int idx = dev.requests++;
		if (idx < 4)
			dev.ioctl_seen[idx] = nr;
		dev.vmpl_seen = cove_le32(req + SNP_REQ_VMPL);

		int err = 0;
		uint64_t exitinfo2 = 0;
		size_t resp_len = resp_cap, certs_len = 0;
		uint8_t *resp = out + 24 + req_len, *certs = resp + resp_cap;
		memset(resp, 0, resp_cap);
		if (nr == COVE_SNP_IOCTL_GET_EXT_REPORT) {
			uint32_t want = cove_le32(req + SNP_EXT_REQ_CERTS_LEN);
			if (idx < 4)
				dev.certs_len_seen[idx] = want;
			if (want != certs_cap)
				dev.mismatch = true;
			uint32_t need = (uint32_t)((dev.table_len + SNP_PAGE_SIZE - 1) / SNP_PAGE_SIZE * SNP_PAGE_SIZE);
			if (dev.mode == DEV_NEED_BAD)
				need = 5 * SNP_PAGE_SIZE;
			if (dev.mode == DEV_NEED_TWICE)
				need = want + SNP_PAGE_SIZE;
			if (want < need) {
				/* As sev-guest.c: -EIO, VMM error INVALID_LEN, certs_len rewritten. */
				err = EIO;
				exitinfo2 = (uint64_t)SNP_VMM_ERR_INVALID_LEN << 32;
				cove_put_le32(req + SNP_EXT_REQ_CERTS_LEN, need);
				resp_len = 0;
			} else {
				memset(certs, 0, certs_cap);
				memcpy(certs, dev.table, dev.table_len);
				certs_len = certs_cap;
			}
		}
		if (!err && dev.mode == DEV_ERRNO) {
			err = dev.err;
			exitinfo2 = 0xff;
			resp_len = 0;
			certs_len = 0;
		}
		if (!err) {
			cove_put_le32(resp + SNP_RESP_STATUS, dev.mode == DEV_STATUS ? dev.status : 0);
			cove_put_le32(resp + SNP_RESP_REPORT_SIZE,
				      dev.mode == DEV_WRONG_SIZE ? 1000 : COVE_SNP_REPORT_SIZE);
			fake_report(resp + SNP_RESP_REPORT, req + SNP_REQ_USER_DATA, dev.vmpl_seen);
			if (dev.mode == DEV_SHORT)
				resp_len = 100;
		}
		cove_put_le32(out, (uint32_t)err);
		cove_put_le64(out + 8, exitinfo2);
		cove_put_le32(out + 16, (uint32_t)resp_len);
		cove_put_le32(out + 20, (uint32_t)certs_len);
		memcpy(out + 24, req, req_len);
		memmove(out + 24 + req_len + resp_len, certs, certs_len);
		send(dev.sv[1], out, 24 + req_len + resp_len + certs_len, 0);
	}
	free(in);
	free(out);
	return NULL;
}

static int dev_setup(void **state)
{
	(void)state;
	memset(&dev, 0, sizeof(dev));
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, dev.sv) != 0)
		return -1;
	int size = 4 * WIRE_MAX;
	setsockopt(dev.sv[0], SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
	setsockopt(dev.sv[1], SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
	return pthread_create(&dev.thread, NULL, fake_device, NULL) == 0 ? 0 : -1;
}

static int dev_teardown(void **state)
{
	(void)state;
	shutdown(dev.sv[0], SHUT_RDWR);
	pthread_join(dev.thread, NULL);
	close(dev.sv[0]);
	close(dev.sv[1]);
	return dev.mismatch ? -1 : 0;
}

static cove_snp_guest_transport dev_transport;

static void device_opts(cove_snp_guest_opts *o)
{
	cove_snp_guest_opts_init(o);
	o->iface = COVE_SNP_GUEST_DEVICE;
	o->device = "/dev/fake-sev-guest";
	dev_transport.ctx = &dev.sv[0];
	dev_transport.submit = sock_submit;
	o->transport = &dev_transport;
	for (int i = 0; i < 64; i++)
		o->report_data[i] = (uint8_t)(0xff - i);
}

static void test_device_report(void **state)
{
	(void)state;
	cove_snp_guest_opts o;
	cove_snp_guest_report *r = NULL;
	cove_error e = {0};
	device_opts(&o);
	o.vmpl = 1;
	assert_int_equal(cove_snp_guest_report_new(&o, &r, &e), COVE_OK);
	assert_int_equal(dev.requests, 1);
	assert_true(dev.ioctl_seen[0] == COVE_SNP_IOCTL_GET_REPORT);
	assert_int_equal(dev.vmpl_seen, 1);
	assert_int_equal(r->iface, COVE_SNP_GUEST_DEVICE);
	assert_string_equal(r->source, "/dev/fake-sev-guest");
	assert_memory_equal(r->report + SNP_OFF_REPORT_DATA, o.report_data, 64);
	assert_int_equal(cove_le32(r->report + SNP_OFF_VMPL), 1);
	assert_int_equal(r->certs.len, 0);
	cove_snp_guest_report_free(r);
}

static void test_device_ext_retry(void **state)
{
	(void)state;
	cove_snp_guest_opts o;
	cove_snp_guest_report *r = NULL;
	cove_error e = {0};
	static uint8_t table[6000];
	dev.table_len = fake_cert_table(table, sizeof(table), 5000);
	dev.table = table;
	device_opts(&o);
	o.extended = true;
	assert_int_equal(cove_snp_guest_report_new(&o, &r, &e), COVE_OK);
	/* One page first, then exactly the two pages the host asked for. */
	assert_int_equal(dev.requests, 2);
	assert_true(dev.ioctl_seen[0] == COVE_SNP_IOCTL_GET_EXT_REPORT);
	assert_int_equal(dev.certs_len_seen[0], 4096);
	assert_int_equal(dev.certs_len_seen[1], 8192);
	assert_int_equal(dev.vmpl_seen, 0);
	/* The zero padding after the last certificate is trimmed, as the kernel does for auxblob. */
	assert_int_equal(r->certs.len, dev.table_len);
	assert_memory_equal(r->certs.data, table, dev.table_len);
	cove_snp_guest_report_free(r);
}

static void test_device_ext_no_certs(void **state)
{
	(void)state;
	cove_snp_guest_opts o;
	cove_snp_guest_report *r = NULL;
	cove_error e = {0};
	static const uint8_t none[SNP_CERT_ENTRY_SIZE] = {0};
	dev.table = none;
	dev.table_len = sizeof(none);
	device_opts(&o);
	o.extended = true;
	assert_int_equal(cove_snp_guest_report_new(&o, &r, &e), COVE_OK);
	assert_int_equal(dev.requests, 1);
	assert_int_equal(r->certs.len, 0);
	cove_snp_guest_report_free(r);
}

static void test_device_status(void **state)
{
	(void)state;
	cove_snp_guest_opts o;
	cove_error e = {0};
	dev.mode = DEV_STATUS;
	dev.status = 0x16;
	device_opts(&o);
	expect_report_error(&o, COVE_ERR_UNAVAILABLE, "status 0x16, invalid parameters", &e);
	dev.status = 0x17;
	expect_report_error(&o, COVE_ERR_UNAVAILABLE, "status 0x17, invalid key", &e);
}

/* Device failures: each row is the cmocka test of that name (see main), run by test_device_failure. */
typedef struct dev_failure {
	const char *name;
	dev_mode mode;
	int err;                 /* DEV_ERRNO: the ioctl's errno, whose text the message must carry */
	bool extended;           /* with a certificate table of one 10-byte entry ... */
	uint32_t entry_len;      /* ... whose length field says this instead, when not 0 */
	cove_err rc;
	const char *msgs[2];
	int requests;            /* requests the device must have seen */
} dev_failure;

static const dev_failure dev_failures[] = {
	{"test_device_ext_too_big", DEV_NEED_BAD, .extended = true, .rc = COVE_ERR_UNAVAILABLE,
	 .msgs = {"needs a 20480-byte certificate buffer"}, .requests = 1},
	{"test_device_ext_twice", DEV_NEED_TWICE, .extended = true, .rc = COVE_ERR_UNAVAILABLE,
	 .msgs = {"rejected a 8192-byte certificate buffer it had asked for"}, .requests = 2 /* retried once only */},
	{"test_device_ext_bad_table", DEV_OK, .extended = true, .entry_len = 9000 /* past the one-page buffer */,
	 .rc = COVE_ERR_PARSE, .msgs = {"entry 0", "past the 4096-byte buffer"}, .requests = 1},
	{"test_device_short", DEV_SHORT, .rc = COVE_ERR_PARSE,
	 .msgs = {"SNP_GET_REPORT on /dev/fake-sev-guest returned 100 response bytes"}, .requests = 1},
	{"test_device_wrong_size", DEV_WRONG_SIZE, .rc = COVE_ERR_PARSE, .msgs = {"report_size is 1000"},
	 .requests = 1},
	{"test_device_errno", DEV_ERRNO, .err = ENOTTY, .rc = COVE_ERR_UNAVAILABLE,
	 .msgs = {"SNP_GET_REPORT on /dev/fake-sev-guest failed", "firmware error 0xff"}, .requests = 1},
};

static void test_device_failure(void **state)
{
	const dev_failure *c = *state;
	cove_snp_guest_opts o;
	cove_error e = {0};
	uint8_t table[100];
	if (c->extended) {
		dev.table_len = fake_cert_table(table, sizeof(table), 10);
		if (c->entry_len)
			cove_put_le32(table + SNP_CERT_ENTRY_LENGTH, c->entry_len);
		dev.table = table;
	}
	dev.mode = c->mode;
	dev.err = c->err;
	device_opts(&o);
	o.extended = c->extended;
	expect_report_error(&o, c->rc, c->msgs[0], &e);
	if (c->msgs[1])
		assert_non_null(strstr(e.msg, c->msgs[1]));
	if (c->err)
		assert_non_null(strstr(e.msg, strerror(c->err)));
	assert_int_equal(dev.requests, c->requests);
}

#define DEVICE_FAILURE(i)                                                                                              \
	{                                                                                                              \
		dev_failures[i].name, test_device_failure, dev_setup, dev_teardown, (void *)&dev_failures[i]           \
	}

/* The production transport against something that is not the device. */
static void test_device_ioctl_real(void **state)
{
	(void)state;
	cove_snp_guest_opts o;
	cove_snp_guest_report *r = NULL;
	cove_error e = {0};
	cove_snp_guest_opts_init(&o);
	o.iface = COVE_SNP_GUEST_DEVICE;
	o.device = "/dev/null";
	expect_report_error(&o, COVE_ERR_UNAVAILABLE, "SNP_GET_REPORT on /dev/null failed", &e);
	assert_non_null(strstr(e.msg, strerror(ENOTTY)));
	o.device = "/nonexistent/sev-guest";
	expect_report_error(&o, COVE_ERR_UNAVAILABLE, "cannot open /nonexistent/sev-guest", &e);
	assert_non_null(strstr(e.msg, strerror(ENOENT)));
	o.vmpl = 4;
	assert_int_equal(cove_snp_guest_report_new(&o, &r, &e), COVE_ERR_ARG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_data_parse),
		cmocka_unit_test_setup_teardown(test_configfs_report, fake_setup, cove_test_tsm_teardown),
		cmocka_unit_test_setup_teardown(test_configfs_privlevel, fake_setup, cove_test_tsm_teardown),
		cmocka_unit_test_setup_teardown(test_configfs_below_floor, fake_setup, cove_test_tsm_teardown),
		cmocka_unit_test_setup_teardown(test_configfs_race, fake_setup, cove_test_tsm_teardown),
		cmocka_unit_test_setup_teardown(test_configfs_wrong_provider, fake_setup, cove_test_tsm_teardown),
		cmocka_unit_test_setup_teardown(test_configfs_short_outblob, fake_setup, cove_test_tsm_teardown),
		cmocka_unit_test_setup_teardown(test_configfs_foreign_data, fake_setup, cove_test_tsm_teardown),
		cmocka_unit_test_setup_teardown(test_configfs_no_auxblob, fake_setup, cove_test_tsm_teardown),
		cmocka_unit_test(test_configfs_missing),
		cmocka_unit_test_setup_teardown(test_device_report, dev_setup, dev_teardown),
		cmocka_unit_test_setup_teardown(test_device_ext_retry, dev_setup, dev_teardown),
		cmocka_unit_test_setup_teardown(test_device_ext_no_certs, dev_setup, dev_teardown),
		DEVICE_FAILURE(0), /* test_device_ext_too_big */
		DEVICE_FAILURE(1), /* test_device_ext_twice */
		DEVICE_FAILURE(2), /* test_device_ext_bad_table */
		DEVICE_FAILURE(3), /* test_device_short */
		cmocka_unit_test_setup_teardown(test_device_status, dev_setup, dev_teardown),
		DEVICE_FAILURE(4), /* test_device_wrong_size */
		DEVICE_FAILURE(5), /* test_device_errno */
		cmocka_unit_test(test_device_ioctl_real),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
