/*
 * A fake configfs-tsm "kernel" inside a test program, for the in-guest
 * report code over src/tsm/configfs.c (SEV-SNP: tests/test_snp_guest.c,
 * TDX: tests/test_tdx_guest.c).  Attribute names and behaviour follow Linux
 * Documentation/ABI/testing/configfs-tsm-report.
 *
 * Real configfs creates an entry's attributes atomically with mkdir(2),
 * which a plain directory cannot do, so this module DEFINES mkdir() and
 * rmdir() for the whole program: for an entry directly under the fake root
 * they also create / remove the attribute files.  outblob (and auxblob) are
 * FIFOs served by a thread, so the library's read blocks until the fake
 * kernel has seen inblob and privlevel, exactly as the real read triggers
 * report generation.  Everything else is the library's real path.
 *
 * Because of that interposition, link it only into the programs that want
 * it: tests/CMakeLists.txt keeps it in an OBJECT library of its own.
 *
 * There is one fake, cove_test_tsm_fake: a test's setup calls
 * cove_test_tsm_setup() and sets the behaviour fields, its teardown is
 * cove_test_tsm_teardown(); the test reads the "what the kernel saw" fields
 * after the library call returned (the library removes its entry, and
 * rmdir() joins the kernel thread, before it returns).
 */
#ifndef COVE_TEST_FAKE_CONFIGFS_H
#define COVE_TEST_FAKE_CONFIGFS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct cove_test_tsm cove_test_tsm;

/* The most outblob bytes a generator may produce. */
#define COVE_TEST_TSM_OUTBLOB_CAP 65536

/*
 * Makes outblob from what the kernel saw (inblob, privlevel) and returns its
 * length (at most cap).  It runs on the fake kernel's thread, so it must
 * report problems through its result, never with cmocka's asserts.
 */
typedef size_t (*cove_test_tsm_outblob_fn)(void *ctx, const cove_test_tsm *seen, uint8_t *out, size_t cap);

struct cove_test_tsm {
	/* Behaviour: set after cove_test_tsm_setup(), before the library's call. */
	char root[128];           /* the fake /sys/kernel/config/tsm/report */
	const char *provider;     /* the provider attribute's text, e.g. "sev_guest\n" */
	uint64_t gen_start;       /* generation of a fresh entry */
	uint64_t gen_extra;       /* writes by "another process" before outblob is read */
	bool privlevel_attr;      /* entries have privlevel (sev_guest's do, tdx_guest's do not) */
	bool floor_attr;          /* entries have privlevel_floor, holding `floor` */
	unsigned floor;
	bool auxblob_attr;        /* entries have an auxblob FIFO, serving aux / aux_len after outblob */
	const uint8_t *aux;
	size_t aux_len;
	cove_test_tsm_outblob_fn outblob; /* NULL: an empty outblob */
	void *outblob_ctx;

	/* What the fake kernel saw. */
	char entry[256];          /* the last entry made */
	uint8_t inblob[128];
	size_t inblob_len;
	char privlevel[16];       /* the privlevel text written, "" when none */
	bool privlevel_exists;    /* a privlevel file was there when outblob was read */
	int made, removed;        /* entries made and removed under the root */
	bool served_outblob;      /* outblob was written to a reader */

	/* Internal: the kernel thread of the current entry and the attributes it was made with. */
	pthread_t thread;
	bool running;
	atomic_bool stop;
	const char *attrs[8];
	size_t nattrs;
};

extern cove_test_tsm cove_test_tsm_fake;

/*
 * Reset the fake and make a fresh empty root /tmp/cove-test-<tag>-XXXXXX.
 * SIGPIPE is ignored from then on: a FIFO write after the library gave up
 * must not kill the test.  0, or -1 on failure (for cmocka setup functions).
 */
int cove_test_tsm_setup(const char *tag);

/*
 * A cmocka teardown function: remove the root; -1 when the library left
 * anything in it (it must always remove its entry).
 */
int cove_test_tsm_teardown(void **state);

/* REPORT_DATA as the kernel passes it on: inblob's first 64 bytes, zero-padded. */
void cove_test_tsm_report_data(const cove_test_tsm *seen, uint8_t data[64]);

#endif
