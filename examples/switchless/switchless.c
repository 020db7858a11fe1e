/*
 * examples/switchless/switchless.c - host side of the switchless sample:
 * N ordinary and N switchless ecalls, then N ordinary and N switchless ocalls
 * (one host worker thread serves the switchless ones), and the average time
 * per call of each.  Timings depend on the machine and its load, so only
 * that every call arrived is checked, not which kind was faster.
 *
 * Usage: switchless [--calls N] [--platform-dir DIR] [--enclave IMAGE]
 * Exit status: 0 success, 1 failure, 2 usage.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "example.h"
#include "switchless_u.h"

static atomic_long plain_ocalls, fast_ocalls, fast_on_worker;
static pthread_t main_thread;

void ocall_plain(void)
{
	atomic_fetch_add(&plain_ocalls, 1);
}

void ocall_fast(void)
{
	atomic_fetch_add(&fast_ocalls, 1);
	/* Served by a host worker thread, unless every worker was busy and the call fell back. */
	if (!pthread_equal(pthread_self(), main_thread))
		atomic_fetch_add(&fast_on_worker, 1);
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* n ecalls of one kind; the average in *avg_ns.  0, or 1 after printing why. */
static int time_ecalls(cove_enclave *enc, long n, bool fast, double *avg_ns)
{
	double t0 = now_ns();

	for (long i = 0; i < n; i++) {
		cove_edge_status st = fast ? ecall_fast(enc) : ecall_plain(enc);
		if (st != COVE_EDGE_OK) {
			example_report_call(fast ? "ecall_fast" : "ecall_plain", st, enc);
			return 1;
		}
	}
	*avg_ns = (now_ns() - t0) / (double)n;
	return 0;
}

/* n ocalls of one kind from inside one ecall. */
static int time_ocalls(cove_enclave *enc, long n, bool fast, double *avg_ns)
{
	int r = -1;
	double t0 = now_ns();
	cove_edge_status st = ecall_ocalls(enc, &r, (int)n, fast ? 1 : 0);

	if (st != COVE_EDGE_OK || r != (int)n) {
		if (st != COVE_EDGE_OK)
			example_report_call("ecall_ocalls", st, enc);
		else
			fprintf(stderr, "switchless: an ocall failed inside the enclave: %s\n",
				r < 0 ? cove_edge_status_name((cove_edge_status)-r) : "short count");
		return 1;
	}
	*avg_ns = (now_ns() - t0) / (double)n;
	return 0;
}

int main(int argc, char **argv)
{
	example_opts o;
	long n = 2000;
	cove_enclave *enc = NULL;
	cove_enclave_info info;
	cove_error e = {0};
	double ep = 0, ef = 0, op = 0, of = 0;
	char *end;
	int rc = 1;

	main_thread = pthread_self();
	if (example_parse_common(&argc, argv, &o, SWITCHLESS_ENCLAVE_IMAGE))
		return 2;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--calls") == 0 && i + 1 < argc) {
			n = strtol(argv[++i], &end, 10);
			if (*end || n < 1 || n > 10000000) {
				fprintf(stderr, "switchless: --calls must be 1 to 10000000\n");
				return 2;
			}
		} else {
			fprintf(stderr, "usage: %s [--calls N] [--platform-dir DIR] [--enclave IMAGE]\n", argv[0]);
			return 2;
		}
	}

	enc = example_start("switchless", o.enclave, &o);
	if (!enc)
		return 1;
	if (cove_enclave_get_info(enc, &info, &e) || cove_enclave_set_ocall_workers(enc, 1, &e)) {
		fprintf(stderr, "switchless: %s\n", e.msg);
		goto out;
	}
	printf("enclave-side switchless workers: %u, host-side ocall workers: 1, %ld calls of each kind\n",
	       info.switchless_workers, n);
	if (info.switchless_workers != 2) {
		fprintf(stderr, "switchless: the enclave should run 2 workers (WORKERS 2), the loader says %u\n",
			info.switchless_workers);
		goto out;
	}
	/* A few calls of each kind first, so that page faults and thread start-up are not timed. */
	if (time_ecalls(enc, 10, false, &ep) || time_ecalls(enc, 10, true, &ef) || time_ocalls(enc, 10, false, &op) ||
	    time_ocalls(enc, 10, true, &of))
		goto out;
	atomic_store(&plain_ocalls, 0);
	atomic_store(&fast_ocalls, 0);
	atomic_store(&fast_on_worker, 0);
	if (time_ecalls(enc, n, false, &ep) || time_ecalls(enc, n, true, &ef) || time_ocalls(enc, n, false, &op) ||
	    time_ocalls(enc, n, true, &of))
		goto out;
	if (atomic_load(&plain_ocalls) != n || atomic_load(&fast_ocalls) != n) {
		fprintf(stderr, "switchless: the host saw %ld ordinary and %ld switchless ocalls, not %ld each\n",
			atomic_load(&plain_ocalls), atomic_load(&fast_ocalls), n);
		goto out;
	}
	printf("ecall, ordinary:   %10.0f ns per call\n", ep);
	printf("ecall, switchless: %10.0f ns per call\n", ef);
	printf("ocall, ordinary:   %10.0f ns per call\n", op);
	printf("ocall, switchless: %10.0f ns per call (%ld of %ld served by the host worker thread)\n", of,
	       atomic_load(&fast_on_worker), n);
	printf("switchless: all calls completed\n");
	rc = 0;
out:
	cove_enclave_terminate(enc);
	return rc;
}
