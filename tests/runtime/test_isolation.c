/*
 * Isolation of the emulated platform: a secret placed in enclave memory (the
 * enclave heap, a global of the image, and a thread's stack while it waits in
 * an ocall) must not be readable from outside the enclave process - not by
 * the host application, not by another process, not through ptrace - with
 * /proc/PID/mem, process_vm_readv, PTRACE_PEEKDATA or by taking the enclave's
 * descriptors with pidfd_getfd.  The tests run as root, as they do here, so
 * PR_SET_DUMPABLE alone would not stop them: memfd_secret does
 * (shared/research/enclave-sdk.md A4).  A control read of the enclave's
 * ordinary (non-secret) code proves the probes can read what is readable.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "cove/host.h"
#include "cove/platform.h"
#include "runtime_u.h"
#include "runtime_fixture.h"

static uint8_t secret[32];

/* ---- ocalls of runtime.edl ---- */

static pid_t probe_pid;
static int stack_probe_result = -1;
static int probe_from_ocall(pid_t pid, uint64_t addr);

int ocall_reenter(int depth)
{
	(void)depth;
	return -1;
}

void ocall_noop(void)
{
}

void ocall_noop_switchless(void)
{
}

void ocall_secret_on_stack(uint64_t addr)
{
	/* The enclave thread waits for this ocall with the secret on its stack. */
	stack_probe_result = probe_from_ocall(probe_pid, addr);
}

/* ---- probes: each returns 1 if it read the secret, 0 if refused, and records errno ---- */

typedef struct probe_result {
	int leaked;
	int err;
	const char *how;
} probe_result;

static probe_result probe_proc_mem(pid_t pid, uint64_t addr, size_t n, uint8_t *out)
{
	char path[64];
	probe_result r = {0, 0, "/proc/PID/mem"};
	int fd;
	ssize_t got;

	snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
	fd = open(path, O_RDONLY);
	if (fd < 0) {
		r.err = errno;
		return r;
	}
	got = pread(fd, out, n, (off_t)addr);
	if (got < 0)
		r.err = errno;
	else if ((size_t)got == n && memcmp(out, secret, n) == 0)
		r.leaked = 1;
	close(fd);
	return r;
}

static probe_result probe_vm_readv(pid_t pid, uint64_t addr)
{
	uint8_t buf[32];
	struct iovec local = {buf, sizeof(buf)}, remote = {(void *)(uintptr_t)addr, sizeof(buf)};
	probe_result r = {0, 0, "process_vm_readv"};
	ssize_t got = process_vm_readv(pid, &local, 1, &remote, 1, 0);

	if (got < 0)
		r.err = errno;
	else if (got == (ssize_t)sizeof(buf) && memcmp(buf, secret, sizeof(buf)) == 0)
		r.leaked = 1;
	return r;
}

/* Attach (as root this succeeds despite PR_SET_DUMPABLE 0), stop the process, PEEKDATA, detach. */
static probe_result probe_ptrace(pid_t pid, uint64_t addr)
{
	probe_result r = {0, 0, "PTRACE_PEEKDATA"};
	int status;

	if (ptrace(PTRACE_SEIZE, pid, NULL, NULL) != 0) {
		r.err = errno;
		return r;
	}
	if (ptrace(PTRACE_INTERRUPT, pid, NULL, NULL) != 0 || waitpid(pid, &status, __WALL) != pid) {
		r.err = errno;
		ptrace(PTRACE_DETACH, pid, NULL, NULL);
		return r;
	}
	for (size_t off = 0; off < sizeof(secret); off += sizeof(long)) {
		long w;
		errno = 0;
		w = ptrace(PTRACE_PEEKDATA, pid, (void *)(uintptr_t)(addr + off), NULL);
		if (errno) {
			r.err = errno;
			break;
		}
		if (memcmp(&w, secret + off, sizeof(w)) == 0 && off + sizeof(long) >= sizeof(secret))
			r.leaked = 1;
	}
	ptrace(PTRACE_DETACH, pid, NULL, NULL);
	return r;
}

/* Take every descriptor of the enclave process and look for the secret in whatever can be mapped or read. */
static probe_result probe_pidfd_getfd(pid_t pid)
{
	probe_result r = {0, 0, "pidfd_getfd"};
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	int taken = 0;

	if (pidfd < 0) {
		r.err = errno;
		return r;
	}
	for (int fd = 0; fd < 256; fd++) {
		int mine = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);
		struct stat st;
		if (mine < 0)
			continue;
		taken++;
		if (fstat(mine, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
			size_t len = (size_t)st.st_size;
			uint8_t *m = mmap(NULL, len, PROT_READ, MAP_SHARED, mine, 0);
			if (m != MAP_FAILED) {
				if (len >= sizeof(secret) && memmem(m, len, secret, sizeof(secret)))
					r.leaked = 1;
				munmap(m, len);
			}
		}
		close(mine);
	}
	close(pidfd);
	r.err = taken; /* how many descriptors it could take (none of them secret memory) */
	return r;
}

static int probe_from_ocall(pid_t pid, uint64_t addr)
{
	uint8_t buf[32];
	probe_result a = probe_proc_mem(pid, addr, sizeof(buf), buf);
	probe_result b = probe_vm_readv(pid, addr);

	return a.leaked || b.leaked;
}

/* ---- helpers ---- */

/* Where the loader executable's ELF header is mapped (ordinary memory, readable by root: the control). */
static uint64_t loader_text(pid_t pid)
{
	char path[64], line[512];
	FILE *f;
	uint64_t lo = 0;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		unsigned long a, b, off;
		char perms[8];
		if (sscanf(line, "%lx-%lx %7s %lx", &a, &b, perms, &off) == 4 && strstr(line, "cove-loader") && off == 0) {
			lo = a;
			break;
		}
	}
	fclose(f);
	return lo;
}

static int group_setup(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(secret); i++)
		secret[i] = (uint8_t)(0xA5 ^ (i * 29));
	return rt_fixture_setup("isolation");
}

static int group_teardown(void **state)
{
	(void)state;
	rt_fixture_teardown();
	return 0;
}

/* ---- tests ---- */

static void place(cove_enclave *enc, uint64_t *heap, uint64_t *global)
{
	int r = -1;
	assert_int_equal(ecall_place_secret(enc, &r, secret, heap, global), COVE_EDGE_OK);
	assert_int_equal(r, 0);
}

static void test_control_read_works(void **state)
{
	cove_enclave *enc = rt_start(0);
	cove_enclave_info info;
	cove_error e = {0};
	uint8_t buf[16];
	uint64_t text;
	char path[64];
	int fd;

	(void)state;
	assert_int_equal(cove_enclave_get_info(enc, &info, &e), COVE_OK);
	assert_true(info.secret_memory);
	text = loader_text(info.pid);
	assert_true(text != 0);
	/* Root can read the loader's ordinary memory: the probes below are able to see what is visible. */
	snprintf(path, sizeof(path), "/proc/%d/mem", (int)info.pid);
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(pread(fd, buf, sizeof(buf), (off_t)text), (ssize_t)sizeof(buf));
	assert_memory_equal(buf, "\x7f" "ELF", 4);
	close(fd);
	cove_enclave_terminate(enc);
}

static void test_host_cannot_read(void **state)
{
	cove_enclave *enc = rt_start(0);
	cove_enclave_info info;
	cove_error e = {0};
	uint64_t heap = 0, global = 0;
	uint8_t buf[32];
	uint64_t where[2];
	int r = 0;

	(void)state;
	assert_int_equal(cove_enclave_get_info(enc, &info, &e), COVE_OK);
	place(enc, &heap, &global);
	where[0] = heap;
	where[1] = global;
	for (int i = 0; i < 2; i++) {
		probe_result a = probe_proc_mem(info.pid, where[i], sizeof(buf), buf);
		probe_result b = probe_vm_readv(info.pid, where[i]);
		assert_false(a.leaked);
		assert_int_equal(a.err, EIO);
		assert_false(b.leaked);
		assert_int_equal(b.err, EFAULT);
	}
	/* The secret is really there: the enclave itself sees it at that address. */
	assert_int_equal(ecall_within(enc, &r, heap, 32), COVE_EDGE_OK);
	assert_int_equal(r, 1);
	assert_int_equal(ecall_within(enc, &r, global, 32), COVE_EDGE_OK);
	assert_int_equal(r, 1);
	cove_enclave_terminate(enc);
}

static void test_ptrace_cannot_read(void **state)
{
	cove_enclave *enc = rt_start(0);
	cove_enclave_info info;
	cove_error e = {0};
	uint64_t heap = 0, global = 0;
	probe_result p;
	int r = 0;

	(void)state;
	assert_int_equal(cove_enclave_get_info(enc, &info, &e), COVE_OK);
	place(enc, &heap, &global);
	/* The tracer is a process of its own: the enclave's parent (this host) waits for the enclave's end. */
	for (int i = 0; i < 2; i++) {
		pid_t child = fork();
		int status = 0;
		assert_true(child >= 0);
		if (child == 0) {
			p = probe_ptrace(info.pid, i ? global : heap);
			_exit(p.leaked ? 100 : p.err == EIO ? 0 : 50 + (p.err & 31));
		}
		assert_int_equal(waitpid(child, &status, 0), child);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}
	/* The enclave keeps serving after the tracer left. */
	assert_int_equal(ecall_add(enc, &r, 2, 2), COVE_EDGE_OK);
	assert_int_equal(r, 4);
	cove_enclave_terminate(enc);
}

static void test_pidfd_getfd_finds_no_secret(void **state)
{
	cove_enclave *enc = rt_start(0);
	cove_enclave_info info;
	cove_error e = {0};
	uint64_t heap = 0, global = 0;
	probe_result p;

	(void)state;
	assert_int_equal(cove_enclave_get_info(enc, &info, &e), COVE_OK);
	place(enc, &heap, &global);
	p = probe_pidfd_getfd(info.pid);
	assert_false(p.leaked);
	/* Root does take descriptors (stdio, the sealed image): none of them is the secret memory. */
	assert_true(p.err > 0);
	cove_enclave_terminate(enc);
}

/* Another process (same user, and an unprivileged one) tries the same. */
static void test_other_process_cannot_read(void **state)
{
	cove_enclave *enc = rt_start(0);
	cove_enclave_info info;
	cove_error e = {0};
	uint64_t heap = 0, global = 0;

	(void)state;
	assert_int_equal(cove_enclave_get_info(enc, &info, &e), COVE_OK);
	place(enc, &heap, &global);
	for (int unprivileged = 0; unprivileged < 2; unprivileged++) {
		pid_t child = fork();
		int status = 0;
		assert_true(child >= 0);
		if (child == 0) {
			uint8_t buf[32];
			int leaks = 0;
			if (unprivileged && (setgid(65534) != 0 || setuid(65534) != 0))
				_exit(3);
			leaks += probe_proc_mem(info.pid, heap, sizeof(buf), buf).leaked;
			leaks += probe_proc_mem(info.pid, global, sizeof(buf), buf).leaked;
			leaks += probe_vm_readv(info.pid, heap).leaked;
			leaks += probe_vm_readv(info.pid, global).leaked;
			leaks += probe_ptrace(info.pid, heap).leaked;
			leaks += probe_pidfd_getfd(info.pid).leaked;
			_exit(leaks ? 1 : 0);
		}
		assert_int_equal(waitpid(child, &status, 0), child);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}
	cove_enclave_terminate(enc);
}

static void test_stack_secret_during_ocall(void **state)
{
	cove_enclave *enc = rt_start(0);
	cove_enclave_info info;
	cove_error e = {0};
	int r = -1;

	(void)state;
	assert_int_equal(cove_enclave_get_info(enc, &info, &e), COVE_OK);
	probe_pid = info.pid;
	stack_probe_result = -1;
	assert_int_equal(ecall_hold_secret_on_stack(enc, &r, secret), COVE_EDGE_OK);
	assert_int_equal(r, 0);
	assert_int_equal(stack_probe_result, 0);
	cove_enclave_terminate(enc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_control_read_works),
		cmocka_unit_test(test_host_cannot_read),
		cmocka_unit_test(test_ptrace_cannot_read),
		cmocka_unit_test(test_pidfd_getfd_finds_no_secret),
		cmocka_unit_test(test_other_process_cannot_read),
		cmocka_unit_test(test_stack_secret_during_ocall),
	};
	if (geteuid() != 0) {
		printf("SKIP: the isolation tests must run as root (they show that even root cannot read enclave memory)\n");
		return 77;
	}
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
