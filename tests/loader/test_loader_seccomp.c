/*
 * The loader's seccomp filter (src/loader/sandbox.c) and the host's syscall
 * names (src/host/syscall_name.c).  Each case runs in a child that installs
 * the filter: a forbidden call (openat, socket, mmap, tgkill towards another
 * process) ends the child with COVE_LOADER_EXIT_SECCOMP and the number + 1
 * in the shared violation word (0 = none, host/channel.h); the allowed calls (futex, getrandom,
 * clock_gettime, nanosleep, sched_yield, a mutex/condvar hand-off between
 * threads created before install, thread exit and join on loader-supplied
 * stacks) keep working; abort() still aborts.  Built without sanitizers.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "host/syscall_name.h"
#include "loader.h"

static atomic_int started; /* threads of the child that reached their own code */
static volatile uint32_t *violation; /* MAP_SHARED: the parent reads what the child stored */

static int setup(void **state)
{
	(void)state;
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	assert_true(p != MAP_FAILED);
	violation = p;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	munmap((void *)violation, 4096);
	return 0;
}

static void install_or_die(void)
{
	cove_error e;
	if (cove_loader_seccomp_install(violation, &e) != COVE_OK) {
		fprintf(stderr, "child: %s\n", e.msg);
		_exit(90);
	}
}

/* Run fn in a child; return its wait status. */
static int in_child(void (*fn)(void))
{
	*violation = 0;
	atomic_store(&started, 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		fn();
		_exit(0);
	}
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	return st;
}

static void expect_violation(void (*fn)(void), long nr, const char *name)
{
	int st = in_child(fn);
	if (!WIFEXITED(st))
		fail_msg("child did not exit (signal %d)", WIFSIGNALED(st) ? WTERMSIG(st) : 0);
	assert_int_equal(WEXITSTATUS(st), COVE_LOADER_EXIT_SECCOMP);
	/* The word holds the number + 1 (0 = none; host/channel.h). */
	assert_int_equal(__atomic_load_n(violation, __ATOMIC_ACQUIRE), nr + 1);
	assert_string_equal(cove_host_syscall_name(*violation - 1), name);
}

static void do_openat(void)
{
	install_or_die();
	syscall(SYS_openat, AT_FDCWD, "/etc/hostname", O_RDONLY);
	_exit(1); /* not reached when the filter works */
}

static void do_socket(void)
{
	install_or_die();
	syscall(SYS_socket, AF_INET, SOCK_STREAM, 0);
	_exit(1);
}

static void do_mmap(void)
{
	install_or_die();
	syscall(SYS_mmap, NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	_exit(1);
}

static void do_tgkill_parent(void)
{
	pid_t parent = getppid();
	install_or_die();
	syscall(SYS_tgkill, parent, parent, 0); /* signal 0 to another process: still refused */
	_exit(1);
}

static void test_forbidden_calls_stop_the_process(void **state)
{
	(void)state;
	expect_violation(do_openat, SYS_openat, "openat");
	expect_violation(do_socket, SYS_socket, "socket");
	expect_violation(do_mmap, SYS_mmap, "mmap");
	expect_violation(do_tgkill_parent, SYS_tgkill, "tgkill");
}

/* ---- allowed calls ---- */

typedef struct handoff {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int turn;    /* odd: the worker's move, even: main's */
	int rounds;
	bool go;     /* set after install: the workers start their rounds */
} handoff;

static handoff hs = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 2000, false };

static void *worker(void *arg)
{
	(void)arg;
	atomic_fetch_add(&started, 1);
	pthread_mutex_lock(&hs.mu);
	while (!hs.go)
		pthread_cond_wait(&hs.cv, &hs.mu);
	for (;;) {
		while (hs.turn % 2 == 0 && hs.turn < 2 * hs.rounds)
			pthread_cond_wait(&hs.cv, &hs.mu);
		if (hs.turn >= 2 * hs.rounds)
			break;
		hs.turn++;
		pthread_cond_broadcast(&hs.cv);
	}
	pthread_mutex_unlock(&hs.mu);
	return (void *)(uintptr_t)0x600d;
}

static void do_allowed(void)
{
	/* Threads on stacks the caller supplies (the loader's are secret memory):
	 * glibc then has no stack of its own to madvise away when they end. */
	enum { NT = 2, STACK = 256 * 1024 };
	pthread_t t[NT];
	for (int i = 0; i < NT; i++) {
		pthread_attr_t a;
		pthread_attr_init(&a);
		void *stack = mmap(NULL, STACK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (stack == MAP_FAILED || pthread_attr_setstack(&a, stack, STACK) != 0 ||
		    pthread_create(&t[i], &a, worker, NULL) != 0)
			_exit(20);
		pthread_attr_destroy(&a);
	}
	/* A thread still starting up (glibc's rseq, robust list and signal mask calls)
	 * when the filter arrives dies of SIGSYS: wait until each is in its own code. */
	while (atomic_load(&started) < NT)
		sched_yield();
	install_or_die();

	uint32_t word = 0;
	if (syscall(SYS_futex, &word, FUTEX_WAKE, 1, NULL, NULL, 0) != 0)
		_exit(21);
	uint8_t rnd[32] = { 0 };
	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		_exit(22);
	struct timespec ts;
	if (syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts) != 0 || clock_gettime(CLOCK_REALTIME, &ts) != 0)
		_exit(23);
	struct timespec nap = { 0, 1000000 };
	if (nanosleep(&nap, NULL) != 0 || clock_nanosleep(CLOCK_MONOTONIC, 0, &nap, NULL) != 0)
		_exit(24);
	if (sched_yield() != 0)
		_exit(25);

	pthread_mutex_lock(&hs.mu);
	hs.go = true;
	pthread_cond_broadcast(&hs.cv);
	for (;;) {
		while (hs.turn % 2 == 1)
			pthread_cond_wait(&hs.cv, &hs.mu);
		if (hs.turn >= 2 * hs.rounds)
			break;
		hs.turn++;
		pthread_cond_broadcast(&hs.cv);
	}
	pthread_mutex_unlock(&hs.mu);
	for (int i = 0; i < NT; i++) {
		void *ret = NULL;
		if (pthread_join(t[i], &ret) != 0 || ret != (void *)(uintptr_t)0x600d)
			_exit(26);
	}
	if (hs.turn != 2 * hs.rounds)
		_exit(27);
	_exit(0);
}

static void test_allowed_calls_work(void **state)
{
	(void)state;
	int st = in_child(do_allowed);
	if (WIFSIGNALED(st))
		fail_msg("child killed by signal %d", WTERMSIG(st));
	if (WEXITSTATUS(st) == COVE_LOADER_EXIT_SECCOMP)
		fail_msg("allowed path hit the filter: %s (%u)", cove_host_syscall_name(*violation - 1), *violation - 1);
	assert_int_equal(WEXITSTATUS(st), 0);
	assert_int_equal(*violation, 0);
}

static void *idle_thread(void *arg)
{
	(void)arg;
	atomic_fetch_add(&started, 1);
	struct timespec nap = { 0, 50000000 };
	nanosleep(&nap, NULL);
	return NULL;
}

static void do_glibc_stack_thread_exit(void)
{
	pthread_t t;
	if (pthread_create(&t, NULL, idle_thread, NULL) != 0)
		_exit(30);
	while (atomic_load(&started) < 1)
		sched_yield();
	install_or_die();
	pthread_join(t, NULL);
	_exit(0);
}

/*
 * Measured (strace shows the trapped call is madvise): a thread on a stack glibc
 * allocated releases it with madvise(MADV_DONTNEED) when it ends, which the
 * filter forbids; hence loader threads run on supplied stacks.  glibc blocks
 * every signal before that point, and the kernel delivers a seccomp SIGSYS that
 * is blocked with the default action: the process is killed by SIGSYS and the
 * handler never runs, so the violation word stays 0.
 */
static void test_glibc_stack_thread_exit_is_refused(void **state)
{
	(void)state;
	int st = in_child(do_glibc_stack_thread_exit);
	assert_true(WIFSIGNALED(st));
	assert_int_equal(WTERMSIG(st), SIGSYS);
	assert_int_equal(*violation, 0);
}

static void do_abort(void)
{
	install_or_die();
	abort();
}

static void test_abort_still_aborts(void **state)
{
	(void)state;
	int st = in_child(do_abort);
	assert_true(WIFSIGNALED(st));
	assert_int_equal(WTERMSIG(st), SIGABRT);
	assert_int_equal(*violation, 0);
}

static void test_syscall_names(void **state)
{
	(void)state;
	assert_string_equal(cove_host_syscall_name(SYS_openat), "openat");
	assert_string_equal(cove_host_syscall_name(SYS_futex), "futex");
	assert_string_equal(cove_host_syscall_name(0x7fffffffu), "unknown");
	assert_string_equal(cove_host_syscall_name(0xffffffffu), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_forbidden_calls_stop_the_process, setup, teardown),
		cmocka_unit_test_setup_teardown(test_allowed_calls_work, setup, teardown),
		cmocka_unit_test_setup_teardown(test_glibc_stack_thread_exit_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_abort_still_aborts, setup, teardown),
		cmocka_unit_test(test_syscall_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
