/*
 * Secret memory against root (src/loader/sandbox.c, shared/research/enclave-sdk.md
 * A4).  A child maps a page with cove_loader_secret_map, writes a 32-byte
 * secret, hardens itself, tells the parent the address and waits; the parent,
 * root, tries every way in: /proc/<pid>/mem, process_vm_readv, PTRACE_ATTACH
 * + PTRACE_PEEKDATA, and pidfd_getfd of every descriptor 0..64 followed by
 * mmap.  None may yield the secret, and each fails with the errno measured on
 * Linux 6.18.  The control runs the same probes against ordinary heap memory
 * of a hardened child (plus an open memfd holding the secret) and must read
 * the secret (root has CAP_SYS_PTRACE), so the probes are shown to detect a
 * leak.  Needs root and memfd_secret; skips
 * (77) otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "loader.h"

#define SECRET_LEN 32
#define MAX_FD 64

typedef struct probe {
	ssize_t mem_read;   /* pread of /proc/pid/mem */
	int mem_errno;
	bool mem_leak;
	ssize_t vm_read;    /* process_vm_readv */
	int vm_errno;
	bool vm_leak;
	bool attached;      /* PTRACE_ATTACH worked */
	int attach_errno;
	int peek_errno;     /* first failing PEEKDATA, 0 when all words were read */
	bool peek_leak;
	int pidfd_errno;
	int nfds;           /* descriptors taken with pidfd_getfd */
	int got_errno[MAX_FD + 1];  /* pidfd_getfd errno per fd (0 = got it) */
	int mmap_errno[MAX_FD + 1]; /* mmap of the taken fd (0 = mapped) */
	bool fd_leak;
	int child_status;
} probe;

static void make_secret(uint8_t *s)
{
	for (int i = 0; i < SECRET_LEN; i++)
		s[i] = (uint8_t)(0xC3 ^ (i * 37));
}

static bool has_secret(const uint8_t *p, size_t n)
{
	uint8_t s[SECRET_LEN];
	make_secret(s);
	return n >= SECRET_LEN && memmem(p, n, s, SECRET_LEN) != NULL;
}

/* The child: secret in place, hardened, address to the parent, wait, check the secret is intact. */
static _Noreturn void child(bool secret, int to_parent, int from_parent)
{
	uint8_t *mem;
	if (secret) {
		bool is_secret = false;
		void *p = NULL;
		cove_error e;
		if (cove_loader_secret_map(4096, true, &p, &is_secret, &e) != COVE_OK || !is_secret) {
			fprintf(stderr, "child: %s\n", e.msg);
			_exit(10);
		}
		mem = p;
	} else {
		mem = malloc(4096);
		/* For the pidfd_getfd probe: a shareable memfd holding the secret, left open. */
		int fd = memfd_create("control", MFD_CLOEXEC);
		uint8_t s[SECRET_LEN];
		make_secret(s);
		if (fd < 0 || ftruncate(fd, 4096) != 0 || pwrite(fd, s, sizeof(s), 100) != (ssize_t)sizeof(s))
			_exit(14);
	}
	make_secret(mem + 1000);
	cove_error e;
	if (cove_loader_harden(&e) != COVE_OK) {
		fprintf(stderr, "child: %s\n", e.msg);
		_exit(11);
	}
	uintptr_t addr = (uintptr_t)(mem + 1000);
	if (write(to_parent, &addr, sizeof(addr)) != (ssize_t)sizeof(addr))
		_exit(12);
	char c;
	while (read(from_parent, &c, 1) < 0 && errno == EINTR)
		;
	_exit(has_secret(mem + 1000, SECRET_LEN) ? 0 : 13);
}

static void run_probes(bool secret, probe *r)
{
	memset(r, 0, sizeof(*r));
	int up[2], down[2];
	assert_int_equal(pipe(up), 0);
	assert_int_equal(pipe(down), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(up[0]);
		close(down[1]);
		child(secret, up[1], down[0]);
	}
	close(up[1]);
	close(down[0]);
	uintptr_t addr = 0;
	assert_int_equal(read(up[0], &addr, sizeof(addr)), (ssize_t)sizeof(addr));
	uint8_t buf[SECRET_LEN];
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
	int fd = open(path, O_RDONLY);
	assert_true(fd >= 0); /* root may open it; the read is what fails */
	memset(buf, 0, sizeof(buf));
	r->mem_read = pread(fd, buf, sizeof(buf), (off_t)addr);
	r->mem_errno = r->mem_read < 0 ? errno : 0;
	r->mem_leak = r->mem_read > 0 && has_secret(buf, (size_t)r->mem_read);
	close(fd);

	memset(buf, 0, sizeof(buf));
	struct iovec local = { buf, sizeof(buf) }, remote = { (void *)addr, sizeof(buf) };
	r->vm_read = process_vm_readv(pid, &local, 1, &remote, 1, 0);
	r->vm_errno = r->vm_read < 0 ? errno : 0;
	r->vm_leak = r->vm_read > 0 && has_secret(buf, (size_t)r->vm_read);

	if (ptrace(PTRACE_ATTACH, pid, NULL, NULL) == 0) {
		r->attached = true;
		int st;
		assert_int_equal(waitpid(pid, &st, __WALL), pid);
		assert_true(WIFSTOPPED(st));
		memset(buf, 0, sizeof(buf));
		for (size_t off = 0; off < SECRET_LEN; off += sizeof(long)) {
			errno = 0;
			long w = ptrace(PTRACE_PEEKDATA, pid, (void *)(addr + off), NULL);
			if (errno) {
				r->peek_errno = errno;
				break;
			}
			memcpy(buf + off, &w, sizeof(w));
		}
		r->peek_leak = r->peek_errno == 0 && has_secret(buf, sizeof(buf));
		assert_int_equal(ptrace(PTRACE_DETACH, pid, NULL, NULL), 0);
	} else {
		r->attach_errno = errno;
	}

	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0) {
		r->pidfd_errno = errno;
	} else {
		for (int target = 0; target <= MAX_FD; target++) {
			int got = (int)syscall(SYS_pidfd_getfd, pidfd, target, 0);
			if (got < 0) {
				r->got_errno[target] = errno;
				continue;
			}
			r->nfds++;
			void *m = mmap(NULL, 4096, PROT_READ, MAP_SHARED, got, 0);
			if (m == MAP_FAILED) {
				r->mmap_errno[target] = errno;
			} else {
				if (has_secret(m, 4096))
					r->fd_leak = true;
				munmap(m, 4096);
			}
			close(got);
		}
		close(pidfd);
	}

	printf("probes of %s memory: /proc/pid/mem %zd (%s), process_vm_readv %zd (%s), ptrace attach %s, "
	       "PEEKDATA %s, pidfd_getfd took %d fds:",
	       secret ? "secret" : "plain", r->mem_read, strerror(r->mem_errno), r->vm_read, strerror(r->vm_errno),
	       r->attached ? "ok" : strerror(r->attach_errno), strerror(r->peek_errno), r->nfds);
	for (int t = 0; t <= MAX_FD; t++)
		if (!r->got_errno[t])
			printf(" %d(mmap %s)", t, strerror(r->mmap_errno[t]));
	printf("\n");
	assert_int_equal(write(down[1], "x", 1), 1);
	assert_int_equal(waitpid(pid, &r->child_status, 0), pid);
	close(up[0]);
	close(down[1]);
}

static void test_secret_memory_resists_root(void **state)
{
	(void)state;
	probe r;
	run_probes(true, &r);
	assert_true(WIFEXITED(r.child_status));
	assert_int_equal(WEXITSTATUS(r.child_status), 0); /* mapped, hardened, secret intact */

	/* /proc/pid/mem: open works for root, the read of secret memory fails with EIO. */
	assert_int_equal(r.mem_read, -1);
	assert_int_equal(r.mem_errno, EIO);
	assert_false(r.mem_leak);
	/* process_vm_readv: EFAULT (GUP refuses secretmem). */
	assert_int_equal(r.vm_read, -1);
	assert_int_equal(r.vm_errno, EFAULT);
	assert_false(r.vm_leak);
	/* Root may attach (CAP_SYS_PTRACE), but PEEKDATA of secret memory is EIO. */
	assert_true(r.attached);
	assert_int_equal(r.peek_errno, EIO);
	assert_false(r.peek_leak);
	/* pidfd_getfd: root takes the child's open fds (stdio, pipes) but none maps the
	 * secret; the memfd_secret descriptor was closed right after mmap. */
	assert_int_equal(r.pidfd_errno, 0);
	assert_true(r.nfds >= 3);
	assert_false(r.fd_leak);
	for (int fd = 0; fd <= MAX_FD; fd++) {
		if (r.got_errno[fd]) {
			assert_int_equal(r.got_errno[fd], EBADF);
		} else {
			/* Pipes and terminals cannot be mapped; /dev/null maps but is empty. */
			if (r.mmap_errno[fd])
				assert_true(r.mmap_errno[fd] == ENODEV || r.mmap_errno[fd] == EACCES);
		}
	}
}

static void test_control_plain_memory_is_readable(void **state)
{
	(void)state;
	probe r;
	run_probes(false, &r);
	assert_true(WIFEXITED(r.child_status));
	assert_int_equal(WEXITSTATUS(r.child_status), 0);
	/* The same probes do see a secret in ordinary memory, dumpable 0 or not. */
	assert_int_equal(r.mem_read, SECRET_LEN);
	assert_true(r.mem_leak);
	assert_int_equal(r.vm_read, SECRET_LEN);
	assert_true(r.vm_leak);
	assert_true(r.attached);
	assert_int_equal(r.peek_errno, 0);
	assert_true(r.peek_leak);
	assert_true(r.fd_leak); /* the control's open memfd is taken and mapped */
}

static void test_secret_map_rejects_bad_size(void **state)
{
	(void)state;
	void *p = NULL;
	bool s = true;
	cove_error e;
	assert_int_equal(cove_loader_secret_map(0, false, &p, &s, &e), COVE_ERR_ARG);
	assert_int_equal(cove_loader_secret_map(100, false, &p, &s, &e), COVE_ERR_ARG);
	assert_non_null(strstr(e.msg, "100"));
	assert_null(p);
	assert_int_equal(cove_loader_secret_map(1 << 20, true, &p, &s, &e), COVE_OK);
	assert_true(s);
	memset(p, 0x77, 1 << 20); /* RW, and all of it is there */
	cove_loader_secret_unmap(p, 1 << 20);
}

static void test_harden_refuses_foreign_user_namespace(void **state)
{
	(void)state;
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (unshare(CLONE_NEWUSER) != 0)
			_exit(77);
		cove_error e;
		cove_err rc = cove_loader_harden(&e);
		if (rc == COVE_ERR_POLICY && strstr(e.msg, "user namespace") && strstr(e.msg, "pitfall"))
			_exit(0);
		fprintf(stderr, "harden in a user namespace: %d %s\n", rc, e.msg);
		_exit(1);
	}
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	if (WEXITSTATUS(st) == 77)
		skip();
	assert_int_equal(WEXITSTATUS(st), 0);
}

static void test_harden_refuses_tracer(void **state)
{
	(void)state;
	int ready[2];
	assert_int_equal(pipe(ready), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(ready[1]);
		char c;
		if (read(ready[0], &c, 1) != 1) /* the parent has attached */
			_exit(2);
		cove_error e;
		cove_err rc = cove_loader_harden(&e);
		_exit(rc == COVE_ERR_POLICY && strstr(e.msg, "tracer") ? 0 : 1);
	}
	close(ready[0]);
	assert_int_equal(ptrace(PTRACE_SEIZE, pid, NULL, NULL), 0);
	assert_int_equal(write(ready[1], "x", 1), 1);
	close(ready[1]);
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

int main(void)
{
	if (geteuid() != 0) {
		printf("SKIP: the secret-memory isolation test needs root\n");
		return 77;
	}
	long fd = syscall(SYS_memfd_secret, O_CLOEXEC);
	if (fd < 0) {
		printf("SKIP: memfd_secret unavailable here (%s)\n", strerror(errno));
		return 77;
	}
	close((int)fd);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_secret_memory_resists_root),
		cmocka_unit_test(test_control_plain_memory_is_readable),
		cmocka_unit_test(test_secret_map_rejects_bad_size),
		cmocka_unit_test(test_harden_refuses_foreign_user_namespace),
		cmocka_unit_test(test_harden_refuses_tracer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
