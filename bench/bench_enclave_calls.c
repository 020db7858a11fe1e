/*
 * Benchmark: round-trip latency of ecalls and ocalls through cove's enclave
 * runtime (cove/host.h, channels of src/host/channel.h), next to bare
 * shared-memory ping-pongs between two processes measured in the same run:
 *
 *   baseline spin+futex  fork(); two cove_chan_box mailboxes in one MAP_SHARED
 *                        anonymous page; cove_chan_post/cove_chan_wait
 *                        themselves, with the spin count the enclave gets
 *   baseline pure spin   the same mailboxes, waiting by spinning only
 *   baseline futex only  cove_chan_wait with spin 0: every wait sleeps
 *   ecall                ecall_noop, an ordinary ecall on a TCS channel
 *   ecall switchless     ecall_noop_switchless (transition_using_threads)
 *   ocall                ecall_ocall_loop(n, 0): n ordinary ocalls
 *   ocall switchless     ecall_ocall_loop(n, 1) with one host ocall worker
 *
 * Every call is timed alone with clock_gettime(CLOCK_MONOTONIC) (vDSO; its
 * own cost is printed and included in each figure).  Ecalls and baselines are
 * timed on the calling host thread around each call.  Ocalls are timed on the
 * host as the interval between consecutive entries of the host's ocall
 * handler, which is one full round trip (handler return -> enclave resumes ->
 * next ocall posted -> handler entered); the enclave itself reads no clock.
 * The two waiting baselines and the ordinary ecall alternate in ROUNDS
 * rounds, and the ecall/baseline ratio is the median of per-round ratios:
 * on a VM the cost of one cache-line transfer between the two vCPUs moves
 * several-fold with their placement on the host.  The enclave is
 * bench/enclave/bench_calls.edl, started on an emulated platform in a
 * scratch directory.  Issue target: ordinary ecalls under 4 us
 * median (an SGX hardware EENTER/EEXIT round trip costs ~8,000-17,000 cycles).
 *
 * Usage: bench_enclave_calls [--json] [--calls N] [--spin N]
 */
#include <errno.h>
#include <ftw.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "host/channel.h"

#ifdef COVE_BENCH_ENCLAVE
#include "bench_calls_u.h"
#include "cove/host.h"
#include "cove/platform.h"
#endif

#define DEFAULT_CALLS 200000u
#define DEFAULT_SPIN 20000u  /* DEFAULT_SPIN of src/host/runtime.c; passed explicitly to the enclave */
#define FUTEX_CALLS_DIV 4u   /* futex-only baseline: a quarter of the calls (each is ~10x slower) */
#define OCALL_CHUNK 10000u   /* ocalls per ecall_ocall_loop; intervals never span two ecalls */
#define ROUNDS 10u           /* baselines and ordinary ecalls alternate in this many rounds */
#define TARGET_NS 4000.0
#define MSG_PING 1u
#define MSG_STOP 2u

typedef struct row {
	const char *name;
	const char *how;
	size_t n;
	double median, p99, mean; /* ns */
	bool ok;
} row;

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

#ifdef COVE_BENCH_ENCLAVE
static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}
#endif

#ifdef COVE_BENCH_ENCLAVE
/* The median of n samples (sorts them). */
static double median_of(uint64_t *s, size_t n)
{
	qsort(s, n, sizeof(*s), cmp_u64);
	return n ? (double)s[n / 2] : 0;
}
#endif

/* Median, p99 and mean of n samples (sorts them). */
static void summarize(row *r, uint64_t *s, size_t n)
{
	double sum = 0;

	r->n = n;
	r->ok = n > 0;
	if (!n)
		return;
	qsort(s, n, sizeof(*s), cmp_u64);
	for (size_t i = 0; i < n; i++)
		sum += (double)s[i];
	r->median = (double)s[n / 2];
	r->p99 = (double)s[n * 99 / 100];
	r->mean = sum / (double)n;
}

/* Median cost of one clock_gettime(CLOCK_MONOTONIC), as seen between two reads. */
static double clock_cost(uint64_t *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint64_t a = now_ns();
		s[i] = now_ns() - a;
	}
	qsort(s, n, sizeof(*s), cmp_u64);
	return (double)s[n / 2];
}

/* How long `spin` pause iterations take: a wait longer than this falls into FUTEX_WAIT. */
static double spin_window(uint32_t spin)
{
	uint64_t w[21];

	for (size_t r = 0; r < 21; r++) {
		uint64_t t0 = now_ns();
		for (uint32_t i = 0; i < spin; i++)
			cove_cpu_relax();
		w[r] = now_ns() - t0;
	}
	qsort(w, 21, sizeof(w[0]), cmp_u64);
	return (double)w[10];
}

/* ---- baseline: two processes, one shared page ---- */

typedef struct pingpong {
	cove_chan_box to_child;
	cove_chan_box to_parent;
} pingpong;

enum { WAIT_CHAN, WAIT_SPIN };

static pid_t peer_pid;
static int peer_status;
static bool peer_gone;

static bool peer_dead(void *arg)
{
	(void)arg;
	if (!peer_gone && waitpid(peer_pid, &peer_status, WNOHANG) == peer_pid)
		peer_gone = true;
	return peer_gone;
}

/* Pure spinning: no futex ever; every 2^24 spins, ask give_up. */
static bool spin_wait(cove_chan_box *b, uint32_t *seen, bool (*give_up)(void *))
{
	for (uint32_t i = 1;; i++) {
		uint32_t s = atomic_load_explicit(&b->seq, memory_order_acquire);
		if (s != *seen) {
			*seen = s;
			return true;
		}
		cove_cpu_relax();
		if (!(i & 0xffffffu) && give_up && give_up(NULL))
			return false;
	}
}

/* Spin-only producer: the consumer never sleeps, so no wake is ever needed. */
static void spin_post(cove_chan_box *b, uint32_t type)
{
	b->type = type;
	atomic_fetch_add_explicit(&b->seq, 1, memory_order_seq_cst);
}

static bool do_wait(int mode, cove_chan_box *b, uint32_t *seen, uint32_t spin, bool (*give_up)(void *))
{
	if (mode == WAIT_SPIN)
		return spin_wait(b, seen, give_up);
	return cove_chan_wait(b, seen, spin, give_up, NULL, give_up ? 20 : 0);
}

static void do_post(int mode, cove_chan_box *b, uint32_t type)
{
	if (mode == WAIT_SPIN)
		spin_post(b, type);
	else
		cove_chan_post(b, type, 0, 0);
}

static _Noreturn void child_main(pingpong *pp, int mode, uint32_t spin)
{
	uint32_t seen = 0;

	for (;;) {
		do_wait(mode, &pp->to_child, &seen, spin, NULL);
		if (pp->to_child.type == MSG_STOP)
			_exit(0);
		do_post(mode, &pp->to_parent, MSG_PING);
	}
}

static int run_baseline(int mode, uint32_t spin, uint64_t *s, size_t calls, size_t warmup)
{
	pingpong *pp = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	uint32_t seen = 0;
	size_t done = 0;
	int rc = -1;

	if (pp == MAP_FAILED) {
		fprintf(stderr, "bench_enclave_calls: mmap: %s\n", strerror(errno));
		return -1;
	}
	memset(pp, 0, sizeof(*pp));
	peer_gone = false;
	peer_pid = fork();
	if (peer_pid < 0) {
		fprintf(stderr, "bench_enclave_calls: fork: %s\n", strerror(errno));
		goto out;
	}
	if (peer_pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		child_main(pp, mode, spin);
	}
	for (size_t i = 0; i < warmup + calls; i++) {
		uint64_t t0 = now_ns(), t1;

		do_post(mode, &pp->to_child, MSG_PING);
		if (!do_wait(mode, &pp->to_parent, &seen, spin, peer_dead)) {
			fprintf(stderr, "bench_enclave_calls: baseline peer died (status %#x)\n", (unsigned)peer_status);
			goto out;
		}
		t1 = now_ns();
		if (i >= warmup)
			s[done++] = t1 - t0;
	}
	rc = 0;
out:
	if (peer_pid > 0 && !peer_gone) {
		do_post(mode, &pp->to_child, MSG_STOP);
		waitpid(peer_pid, NULL, 0);
	}
	munmap(pp, 4096);
	return rc;
}

/* ---- the enclave ---- */

#ifdef COVE_BENCH_ENCLAVE

/* Host ocall handlers: each records when it was entered. */
static uint64_t *ocall_stamps;
static size_t ocall_cap;
static _Atomic size_t ocall_n;
static _Atomic size_t ocall_off_main; /* handler entries on a thread other than the ecall's (a host worker) */
static pthread_t main_thread;

static void stamp(void)
{
	size_t i = atomic_load_explicit(&ocall_n, memory_order_relaxed);

	if (i < ocall_cap)
		ocall_stamps[i] = now_ns();
	atomic_store_explicit(&ocall_n, i + 1, memory_order_relaxed);
	if (!pthread_equal(pthread_self(), main_thread))
		atomic_fetch_add_explicit(&ocall_off_main, 1, memory_order_relaxed);
}

void ocall_noop(void)
{
	stamp();
}

void ocall_noop_switchless(void)
{
	stamp();
}

static int check_call(cove_enclave *enc, cove_edge_status st, const char *what)
{
	const char *lost;

	if (st == COVE_EDGE_OK)
		return 0;
	lost = cove_enclave_lost_reason(enc);
	fprintf(stderr, "bench_enclave_calls: %s: %s (%s)\n", what, cove_edge_status_name(st),
		lost ? lost : "enclave alive");
	return -1;
}

static int run_ecalls(cove_enclave *enc, bool switchless, uint64_t *s, size_t calls, size_t warmup)
{
	size_t done = 0;

	for (size_t i = 0; i < warmup + calls; i++) {
		uint64_t t0 = now_ns(), t1;
		cove_edge_status st = switchless ? ecall_noop_switchless(enc) : ecall_noop(enc);

		t1 = now_ns();
		if (check_call(enc, st, switchless ? "ecall_noop_switchless" : "ecall_noop"))
			return -1;
		if (i >= warmup)
			s[done++] = t1 - t0;
	}
	return 0;
}

/*
 * Ocalls in loops of up to OCALL_CHUNK until `calls` intervals are taken after
 * `warmup` discarded ones; an interval never spans two ecalls.
 */
static int run_ocalls(cove_enclave *enc, bool switchless, uint64_t *s, size_t calls, size_t warmup,
		      size_t *by_worker, size_t *entries)
{
	size_t done = 0, skipped = 0, chunk = calls + warmup + 1 < OCALL_CHUNK ? calls + warmup + 1 : OCALL_CHUNK;

	ocall_stamps = calloc(chunk, sizeof(*ocall_stamps));
	if (!ocall_stamps) {
		fprintf(stderr, "bench_enclave_calls: out of memory\n");
		return -1;
	}
	ocall_cap = chunk;
	atomic_store(&ocall_off_main, 0);
	*entries = 0;
	while (done < calls) {
		int ret = 0;
		size_t n;

		atomic_store(&ocall_n, 0);
		if (check_call(enc, ecall_ocall_loop(enc, &ret, (int)chunk, switchless ? 1 : 0), "ecall_ocall_loop"))
			goto fail;
		n = atomic_load(&ocall_n);
		if (ret != (int)chunk || n != chunk) {
			fprintf(stderr, "bench_enclave_calls: ecall_ocall_loop(%zu) returned %d after %zu handler entries\n",
				chunk, ret, n);
			goto fail;
		}
		*entries += n;
		for (size_t i = 1; i < n && done < calls; i++) {
			if (skipped < warmup)
				skipped++;
			else
				s[done++] = ocall_stamps[i] - ocall_stamps[i - 1];
		}
	}
	*by_worker = atomic_load(&ocall_off_main);
	free(ocall_stamps);
	ocall_stamps = NULL;
	return 0;
fail:
	free(ocall_stamps);
	ocall_stamps = NULL;
	return -1;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path);
}

#endif /* COVE_BENCH_ENCLAVE */

/* ---- output ---- */

/* ecall median / spin+futex baseline median, per interleaved round. */
typedef struct ratio_stats {
	size_t rounds;
	double median, min, max;
	double each[ROUNDS]; /* in round order */
} ratio_stats;

static void print_table(const row *rows, size_t n, double clk, uint32_t spin, double win, size_t rounds,
			const ratio_stats *ratio, const char *note)
{
	printf("clock: clock_gettime(CLOCK_MONOTONIC) around each call, median cost %.0f ns (included in every "
	       "figure)\n"
	       "spin count %u (%.1f us of pause; a longer wait sleeps in FUTEX_WAIT)\n"
	       "baseline spin+futex, baseline pure spin and ecall alternate in %zu rounds\n",
	       clk, spin, win / 1e3, rounds);
	printf("%-22s %9s %9s %9s %8s  %s\n", "round trip", "median", "p99", "mean", "samples", "timed");
	for (size_t i = 0; i < n; i++) {
		if (!rows[i].ok)
			continue;
		printf("%-22s %6.2f us %6.2f us %6.2f us %8zu  %s\n", rows[i].name, rows[i].median / 1e3,
		       rows[i].p99 / 1e3, rows[i].mean / 1e3, rows[i].n, rows[i].how);
	}
	if (note[0])
		printf("%s\n", note);
	if (ratio->rounds)
		printf("ecall median / baseline spin+futex median: %.2f (median of %zu rounds; min %.2f, max %.2f)\n"
		       "target < 4 us median for an ordinary ecall: %s\n",
		       ratio->median, ratio->rounds, ratio->min, ratio->max,
		       rows[0].ok && rows[3].median < TARGET_NS ? "met" : "NOT met");
}

static void print_json(const row *rows, size_t n, double clk, uint32_t spin, double win, size_t rounds,
		       const ratio_stats *ratio)
{
	printf("{\"clock\":\"CLOCK_MONOTONIC\",\"clock_cost_ns\":%.0f,\"spin\":%u,\"spin_window_ns\":%.0f,"
	       "\"rounds\":%zu,\"rows\":[",
	       clk, spin, win, rounds);
	for (size_t i = 0, k = 0; i < n; i++) {
		if (!rows[i].ok)
			continue;
		printf("%s{\"name\":\"%s\",\"timed\":\"%s\",\"samples\":%zu,\"median_ns\":%.0f,\"p99_ns\":%.0f,"
		       "\"mean_ns\":%.1f}",
		       k++ ? "," : "", rows[i].name, rows[i].how, rows[i].n, rows[i].median, rows[i].p99, rows[i].mean);
	}
	printf("]");
	if (ratio->rounds) {
		printf(",\"ecall_over_baseline\":{\"median\":%.2f,\"min\":%.2f,\"max\":%.2f,\"rounds\":[",
		       ratio->median, ratio->min, ratio->max);
		for (size_t i = 0; i < ratio->rounds; i++)
			printf("%s%.3f", i ? "," : "", ratio->each[i]);
		printf("]},\"target_ns\":%.0f,\"target_met\":%s", TARGET_NS,
		       rows[3].median < TARGET_NS ? "true" : "false");
	}
	printf("}\n");
}

static int parse_count(const char *s, uint32_t *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v == 0 || v > 100000000ul)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

enum { R_BASE, R_SPIN, R_FUTEX, R_ECALL, R_ECALL_SL, R_OCALL, R_OCALL_SL, R_COUNT };
_Static_assert(R_BASE == 0 && R_ECALL == 3, "print_table and print_json index these rows");

int main(int argc, char **argv)
{
	row rows[R_COUNT] = {
		[R_BASE] = {.name = "baseline spin+futex", .how = "host, fork()ed peer, cove_chan_post/wait"},
		[R_SPIN] = {.name = "baseline pure spin", .how = "host, fork()ed peer, spin only"},
		[R_FUTEX] = {.name = "baseline futex only", .how = "host, fork()ed peer, cove_chan_wait spin 0"},
		[R_ECALL] = {.name = "ecall", .how = "host, around ecall_noop()"},
		[R_ECALL_SL] = {.name = "ecall switchless", .how = "host, around ecall_noop_switchless()"},
		[R_OCALL] = {.name = "ocall", .how = "host, between ocall handler entries"},
		[R_OCALL_SL] = {.name = "ocall switchless", .how = "host worker, between ocall handler entries"},
	};
	uint32_t calls = DEFAULT_CALLS, spin = DEFAULT_SPIN;
	bool json = false;
	uint64_t *s = NULL, *s_base = NULL, *s_spin = NULL, *s_ecall = NULL;
	double ratios[ROUNDS];
	ratio_stats ratio = {0};
	size_t per, warm, futex_n;
	double clk, win;
	int rc = 1;
	char note[512] = "";
#ifdef COVE_BENCH_ENCLAVE
	char scratch[] = "/tmp/cove-bench-calls-XXXXXX", pdir[64];
	cove_enclave_create_opts o = {.platform_dir = pdir};
	cove_enclave *enc = NULL;
	cove_platform *p = NULL;
	cove_error e = {0};
	size_t by_worker = 0, entries = 0;
	bool made_scratch = false;
#endif

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			json = true;
		} else if (!strcmp(argv[i], "--calls") && i + 1 < argc && !parse_count(argv[i + 1], &calls) &&
			   calls >= ROUNDS) {
			i++;
		} else if (!strcmp(argv[i], "--spin") && i + 1 < argc && !parse_count(argv[i + 1], &spin)) {
			i++;
		} else {
			fprintf(stderr, "usage: %s [--json] [--calls N (%u..100000000)] [--spin N (1..100000000)]\n",
				argv[0], ROUNDS);
			return 2;
		}
	}
	per = calls / ROUNDS;
	calls = (uint32_t)(per * ROUNDS);
	warm = per / 10 < 1000 ? 1000 : per / 10;
	futex_n = calls / FUTEX_CALLS_DIV ? calls / FUTEX_CALLS_DIV : 1;
	s = calloc(calls, sizeof(*s));
	s_base = calloc(calls, sizeof(*s));
	s_spin = calloc(calls, sizeof(*s));
	s_ecall = calloc(calls, sizeof(*s));
	if (!s || !s_base || !s_spin || !s_ecall) {
		fprintf(stderr, "bench_enclave_calls: out of memory\n");
		goto out;
	}
	clk = clock_cost(s, calls);
	win = spin_window(spin);
	if (run_baseline(WAIT_CHAN, 0, s, futex_n, warm / FUTEX_CALLS_DIV))
		goto out;
	summarize(&rows[R_FUTEX], s, futex_n);

#ifdef COVE_BENCH_ENCLAVE
	o.spin_iterations = spin;
	main_thread = pthread_self();
	if (!mkdtemp(scratch)) {
		fprintf(stderr, "bench_enclave_calls: scratch directory: %s\n", strerror(errno));
		goto out;
	}
	made_scratch = true;
	snprintf(pdir, sizeof(pdir), "%s/platform", scratch);
	if (cove_platform_open(pdir, true, &p, &e)) {
		fprintf(stderr, "bench_enclave_calls: platform: %s\n", e.msg);
		goto out;
	}
	cove_platform_free(p);
	if (cove_enclave_create(COVE_BENCH_ENCLAVE, COVE_ENCLAVE_FLAG_EMULATED, &o, &enc, &e)) {
		fprintf(stderr, "bench_enclave_calls: cove_enclave_create: %s\n", e.msg);
		goto out;
	}
#endif
	/* Interleaved rounds: the ratio compares figures taken side by side (see the top of the file). */
	for (size_t r = 0; r < ROUNDS; r++) {
		uint64_t *b = s_base + r * per, *sp = s_spin + r * per;

		if (run_baseline(WAIT_CHAN, spin, b, per, warm) || run_baseline(WAIT_SPIN, spin, sp, per, warm))
			goto out;
#ifdef COVE_BENCH_ENCLAVE
		{
			uint64_t *ec = s_ecall + r * per;
			if (run_ecalls(enc, false, ec, per, warm))
				goto out;
			ratios[r] = median_of(ec, per) / median_of(b, per);
		}
#else
		(void)ratios;
#endif
	}
	summarize(&rows[R_BASE], s_base, calls);
	summarize(&rows[R_SPIN], s_spin, calls);

#ifdef COVE_BENCH_ENCLAVE
	summarize(&rows[R_ECALL], s_ecall, calls);
	ratio.rounds = ROUNDS;
	memcpy(ratio.each, ratios, sizeof(ratios));
	qsort(ratios, ROUNDS, sizeof(ratios[0]), cmp_double);
	ratio.median = ratios[ROUNDS / 2];
	ratio.min = ratios[0];
	ratio.max = ratios[ROUNDS - 1];
	/* Ordinary ocalls first: the switchless workers, once busy, spin on the same two cores. */
	if (run_ocalls(enc, false, s, calls, warm, &by_worker, &entries))
		goto out;
	summarize(&rows[R_OCALL], s, calls);
	if (run_ecalls(enc, true, s, calls, warm))
		goto out;
	summarize(&rows[R_ECALL_SL], s, calls);
	if (cove_enclave_set_ocall_workers(enc, 1, &e)) {
		fprintf(stderr, "bench_enclave_calls: ocall workers: %s\n", e.msg);
		goto out;
	}
	if (run_ocalls(enc, true, s, calls, warm, &by_worker, &entries))
		goto out;
	summarize(&rows[R_OCALL_SL], s, calls);
	snprintf(note, sizeof(note),
		 "switchless ocalls served by the host worker: %zu of %zu (the rest fell back to ordinary ocalls)",
		 by_worker, entries);
#else
	snprintf(note, sizeof(note), "enclave rows: not built (needs cove_add_enclave and cove-loader)");
#endif

	if (json)
		print_json(rows, R_COUNT, clk, spin, win, ROUNDS, &ratio);
	else
		print_table(rows, R_COUNT, clk, spin, win, ROUNDS, &ratio, note);
	rc = 0;
out:
#ifdef COVE_BENCH_ENCLAVE
	cove_enclave_terminate(enc);
	if (made_scratch)
		nftw(scratch, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
#endif
	free(s);
	free(s_base);
	free(s_spin);
	free(s_ecall);
	return rc;
}
