/*
 * The loader's protections (loader.h "secret memory"): memory taken out of
 * the kernel's direct map with memfd_secret(2), the hardening that keeps the
 * host (even root) from reading the process, and the seccomp filter it runs
 * under.  Why each step, and what was measured on Linux 6.18:
 * shared/research/enclave-sdk.md A4 (memfd_secret, PR_SET_DUMPABLE, the
 * user-namespace pitfall, the late tracer).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <seccomp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "loader.h"

#ifndef SYS_memfd_secret
#define SYS_memfd_secret 447 /* x86-64 and the generic table alike */
#endif

/* ---- secret memory ---- */

static atomic_flag warned = ATOMIC_FLAG_INIT;

/* Secret memory is charged to RLIMIT_MEMLOCK: use all the hard limit allows. */
static void raise_memlock(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_MEMLOCK, &rl) == 0 && rl.rlim_cur != rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_MEMLOCK, &rl);
	}
}

/* Map memfd_secret memory; 0 or the errno of the step that failed (*step names it). */
static int map_secret(size_t size, void **out, const char **step)
{
	*step = "memfd_secret";
	int fd = (int)syscall(SYS_memfd_secret, (unsigned int)O_CLOEXEC);
	if (fd < 0)
		return errno;
	int err = 0;
	*step = "ftruncate";
	if (ftruncate(fd, (off_t)size) != 0) {
		err = errno;
		goto out;
	}
	*step = "mmap";
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		err = errno;
		goto out;
	}
	/* The kernel marks secretmem VM_DONTDUMP already; say it anyway in case that changes. */
	(void)madvise(p, size, MADV_DONTDUMP);
	*out = p;
out:
	close(fd); /* no descriptor to the memory outlives this function */
	return err;
}

cove_err cove_loader_secret_map(size_t size, bool require, void **out, bool *is_secret, cove_error *e)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	if (!out || size == 0 || size % page)
		return cove_error_set(e, COVE_ERR_ARG, "secret memory size %zu is not a positive multiple of %zu",
				      size, page);
	raise_memlock();
	const char *step = NULL;
	int err = map_secret(size, out, &step);
	if (err == 0) {
		if (is_secret)
			*is_secret = true;
		return COVE_OK;
	}
	/*
	 * ENOSYS: no memfd_secret (or secretmem.enable=0); EPERM: a container's
	 * seccomp profile forbids it; EAGAIN/ENOMEM from mmap: RLIMIT_MEMLOCK.
	 * Anything else is a real failure.
	 */
	bool unavailable = (err == ENOSYS || err == EPERM) || (strcmp(step, "mmap") == 0 && (err == EAGAIN || err == ENOMEM));
	if (!unavailable || require)
		return cove_error_set(e, unavailable ? COVE_ERR_UNAVAILABLE : COVE_ERR_IO,
				      "%s for %zu bytes of secret memory failed: %s%s", step, size, strerror(err),
				      err == EAGAIN ? " (RLIMIT_MEMLOCK too small)" : "");
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return cove_error_set(e, COVE_ERR_NOMEM, "mmap of %zu bytes of anonymous memory failed: %s", size,
				      strerror(errno));
	(void)madvise(p, size, MADV_DONTDUMP);
	(void)mlock(p, size); /* best effort: keeps it out of swap when RLIMIT_MEMLOCK allows */
	if (!atomic_flag_test_and_set(&warned))
		fprintf(stderr,
			"cove-loader: warning: %s failed (%s%s): enclave memory is ordinary anonymous memory, "
			"readable by root and the kernel\n",
			step, strerror(err), err == EAGAIN ? ", RLIMIT_MEMLOCK too small" : "");
	*out = p;
	if (is_secret)
		*is_secret = false;
	return COVE_OK;
}

void cove_loader_secret_unmap(void *p, size_t size)
{
	/* The kernel zeroes secretmem pages when it frees them. */
	if (p)
		munmap(p, size);
}

/* ---- hardening ---- */

/*
 * The parent at start-up: a constructor runs before main, as early as user
 * code can; a fork()ed child (tests) records its new parent again.
 */
static pid_t start_ppid;

static void record_parent(void)
{
	start_ppid = getppid();
}

__attribute__((constructor)) static void record_parent_at_start(void)
{
	record_parent();
	pthread_atfork(NULL, NULL, record_parent);
}

/* Read a small /proc file into buf (NUL-terminated); bytes read or -errno. */
static ssize_t read_small(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	size_t len = 0;
	while (len < cap - 1) {
		ssize_t n = read(fd, buf + len, cap - 1 - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			int err = errno;
			close(fd);
			return -err;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	return (ssize_t)len;
}

cove_err cove_loader_harden(cove_error *e)
{
	/* Not dumpable: no ptrace attach, no /proc/pid/mem, no pidfd_getfd without CAP_SYS_PTRACE. */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
		return cove_error_set(e, COVE_ERR_IO, "prctl(PR_SET_DUMPABLE, 0) failed: %s", strerror(errno));
	struct rlimit none = { 0, 0 };
	if (setrlimit(RLIMIT_CORE, &none) != 0)
		return cove_error_set(e, COVE_ERR_IO, "setrlimit(RLIMIT_CORE, 0) failed: %s", strerror(errno));
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0)
		return cove_error_set(e, COVE_ERR_IO, "prctl(PR_SET_PDEATHSIG) failed: %s", strerror(errno));
	/* The parent may have died before PDEATHSIG was armed: then we were re-parented. */
	if (getppid() != start_ppid)
		_exit(COVE_LOADER_EXIT_REFUSED);

	/* After dumpable 0, so a tracer cannot attach between the check and the protection. */
	char buf[4096];
	ssize_t n = read_small("/proc/self/status", buf, sizeof(buf));
	if (n < 0)
		return cove_error_set(e, COVE_ERR_IO, "cannot read /proc/self/status to look for a tracer: %s",
				      strerror((int)-n));
	const char *t = strstr(buf, "\nTracerPid:");
	if (!t)
		return cove_error_set(e, COVE_ERR_IO, "/proc/self/status has no TracerPid line");
	long tracer = strtol(t + strlen("\nTracerPid:"), NULL, 10);
	if (tracer != 0)
		return cove_error_set(e, COVE_ERR_POLICY,
				      "refusing to run under a tracer (TracerPid %ld): a tracer attached before "
				      "start-up keeps control of the enclave process",
				      tracer);

	/* Only the initial user namespace maps every uid onto itself. */
	n = read_small("/proc/self/uid_map", buf, sizeof(buf));
	if (n < 0)
		return cove_error_set(e, COVE_ERR_IO, "cannot read /proc/self/uid_map to check the user namespace: %s",
				      strerror((int)-n));
	unsigned long inner, outer, count;
	int used = 0;
	bool initial = sscanf(buf, " %lu %lu %lu %n", &inner, &outer, &count, &used) == 3 && inner == 0 &&
		       outer == 0 && count == 4294967295UL && buf[used] == '\0';
	if (!initial) {
		size_t len = strcspn(buf, "\n");
		return cove_error_set(e, COVE_ERR_POLICY,
				      "refusing to run in a user namespace other than the initial one (uid_map \"%.*s\"): "
				      "the namespace's owner could trace the process despite PR_SET_DUMPABLE 0 "
				      "(shared/research/enclave-sdk.md A4, user-namespace pitfall)",
				      (int)(len > 200 ? 200 : len), buf);
	}
	return COVE_OK;
}

/* ---- seccomp ---- */

static volatile uint32_t *violation_word;

static void on_sigsys(int sig, siginfo_t *info, void *uctx)
{
	(void)sig;
	(void)uctx;
	/* Number + 1, so that 0 keeps meaning "none" and read (0) is still reported (host/channel.h). */
	if (violation_word)
		__atomic_store_n(violation_word, (uint32_t)info->si_syscall + 1u, __ATOMIC_RELEASE);
	syscall(SYS_exit_group, COVE_LOADER_EXIT_SECCOMP);
	for (;;) /* not reached: exit_group is on the allow-list */
		;
}

/*
 * The allow-list, and why each is on it:
 *   futex            pthread mutexes/condvars, the call queue, thread-exit join wake-up
 *   exit             a thread's end (pthread_exit, return from its start routine)
 *   exit_group       process exit, and the SIGSYS handler itself
 *   getrandom        OpenSSL's DRBG seeding and RAND_bytes
 *   clock_gettime, clock_nanosleep, nanosleep, sched_yield
 *                    time and back-off, when the vDSO does not answer
 *   restart_syscall  resumes an interrupted sleep or futex wait (e.g. after SIGSTOP/SIGCONT)
 *   rt_sigreturn     return from any signal handler
 *   rt_sigprocmask   abort() and raise() mask signals around tgkill; thread exit blocks all
 *   getpid, gettid   raise() names the calling thread
 *   tgkill           raise() for abort(); only towards this process (argument 0 = our pid)
 * Not allowed, on purpose: madvise (glibc releases the unused part of a thread
 * stack it allocated itself when the thread exits: threads that end after
 * install must run on stacks the loader supplied), rt_sigaction (abort()'s
 * second stage after a SIGABRT handler returned), mmap/munmap/brk (the heap
 * is pre-mapped), clone (no new threads), and all I/O.
 */
static const int allowed[] = {
	SCMP_SYS(futex), SCMP_SYS(exit), SCMP_SYS(exit_group), SCMP_SYS(getrandom), SCMP_SYS(clock_gettime),
	SCMP_SYS(clock_nanosleep), SCMP_SYS(nanosleep), SCMP_SYS(sched_yield), SCMP_SYS(restart_syscall),
	SCMP_SYS(rt_sigreturn), SCMP_SYS(rt_sigprocmask), SCMP_SYS(getpid), SCMP_SYS(gettid),
};

cove_err cove_loader_seccomp_install(volatile uint32_t *violation, cove_error *e)
{
	cove_err rc = COVE_OK;
	scmp_filter_ctx ctx = NULL;
	int r;

	violation_word = violation;
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigsys;
	sa.sa_flags = SA_SIGINFO;
	sigfillset(&sa.sa_mask);
	if (sigaction(SIGSYS, &sa, NULL) != 0)
		return cove_error_set(e, COVE_ERR_IO, "sigaction(SIGSYS) failed: %s", strerror(errno));
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		return cove_error_set(e, COVE_ERR_IO, "prctl(PR_SET_NO_NEW_PRIVS) failed: %s", strerror(errno));

	ctx = seccomp_init(SCMP_ACT_TRAP);
	if (!ctx)
		return cove_error_set(e, COVE_ERR_NOMEM, "seccomp_init failed");
	/* Calls through another ABI (int 0x80, x32) have other numbers: kill rather than misreport them. */
	if ((r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS)) != 0 ||
	    (r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1)) != 0) {
		rc = cove_error_set(e, COVE_ERR_INTERNAL, "seccomp_attr_set failed: %s", strerror(-r));
		goto out;
	}
	for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++) {
		if ((r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, allowed[i], 0)) != 0) {
			rc = cove_error_set(e, COVE_ERR_INTERNAL, "seccomp rule for syscall %d: %s", allowed[i],
					    strerror(-r));
			goto out;
		}
	}
	struct scmp_arg_cmp own_pid = { .arg = 0, .op = SCMP_CMP_EQ, .datum_a = (scmp_datum_t)getpid(), .datum_b = 0 };
	if ((r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(tgkill), 1, own_pid)) != 0) {
		rc = cove_error_set(e, COVE_ERR_INTERNAL, "seccomp rule for tgkill: %s", strerror(-r));
		goto out;
	}
	if ((r = seccomp_load(ctx)) != 0) {
		rc = cove_error_set(e, COVE_ERR_IO, "seccomp_load failed: %s%s", strerror(-r),
				    r == -ESRCH ? " (a thread could not be synchronised)" : "");
		goto out;
	}
out:
	seccomp_release(ctx);
	return rc;
}
