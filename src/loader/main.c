/*
 * cove-loader: the process an emulated enclave lives in (src/loader/loader.h
 * gives the start-up order; docs/enclave-runtime.md the threat model).
 *
 * It takes nothing on the host's word.  It reads the image itself into a
 * sealed memfd (so the bytes it measures are the bytes it maps), parses and
 * measures it with the same code as `cove sign` (cove/enclave_image.h),
 * checks the SIGSTRUCT as EINIT does, and only then dlopen()s it.  Enclave
 * data - heap, stacks and TLS, and the image's writable segments - lives in
 * memfd_secret memory; the process is not dumpable, refuses a tracer, and
 * runs under a seccomp filter once its threads are up, so enclave code
 * reaches the OS only through ocalls.  Every frame the host posts is
 * snapshotted and checked before the generated bridge sees it.
 */
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "cove/bytes.h"
#include "cove/edge.h"
#include "cove/enclave.h"
#include "cove/enclave_image.h"
#include "cove/platform.h"
#include "host/channel.h"
#include "loader/loader.h"

cove_loader_state cove_loader;

/* Heap reserved for the runtime itself (glibc, OpenSSL, the bridges' copies) beside the enclave's own heap. */
#define RUNTIME_HEAP (UINT64_C(4) << 20)
#define PAGE 4096u

static struct {
	uint8_t *area;
	size_t area_size;
	cove_chan_control *ctl;
	cove_chan *chans;
	cove_chan_slot *slots, *oslots;
	uint32_t nchannels, ntcs, nworkers, nslots, spin;
	uint64_t region_off, region_size;
	const cove_edge_table *table;
	cove_edge_transport t;
	uint64_t stack_size;
} L;

/* Per enclave thread: its channel and the marshalling stack of its ocalls. */
typedef struct enclave_thread {
	uint32_t chan;
	uint32_t seen;   /* last to_enclave seq consumed */
	uint64_t top;    /* bump offset inside the channel's region */
} enclave_thread;

static _Thread_local enclave_thread *self;

/*
 * Threads that have finished glibc's start-up (set_robust_list, rseq): the
 * seccomp filter goes on only after all of them, since those calls are not on
 * its list and a new thread makes them with every signal blocked.
 */
static _Atomic uint32_t threads_running;

static void thread_started(void)
{
	atomic_fetch_add(&threads_running, 1);
	cove_futex_wake(&threads_running, INT32_MAX);
}

/* ---- refusing to start ---- */

static _Noreturn void refuse(cove_err code, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (L.ctl) {
		memcpy(L.ctl->reason, msg, sizeof(L.ctl->reason));
		L.ctl->reason[sizeof(L.ctl->reason) - 1] = '\0';
		L.ctl->refuse_err = (uint32_t)code;
		atomic_store(&L.ctl->state, COVE_CHAN_REFUSED);
		cove_futex_wake(&L.ctl->state, INT32_MAX);
	} else {
		fprintf(stderr, "cove-loader: %s\n", msg);
	}
	_exit(COVE_LOADER_EXIT_REFUSED);
}

static void add_range(uintptr_t lo, uintptr_t hi)
{
	if (cove_loader.nranges >= COVE_LOADER_MAX_RANGES)
		refuse(COVE_ERR_INTERNAL, "too many enclave memory ranges");
	cove_loader.ranges[cove_loader.nranges].lo = lo;
	cove_loader.ranges[cove_loader.nranges].hi = hi;
	cove_loader.nranges++;
}

/* ---- the enclave face of the transport ---- */

static bool in_area(const void *p, size_t n)
{
	uintptr_t a = (uintptr_t)p, lo = (uintptr_t)L.area;
	return a >= lo && a - lo <= L.area_size && n <= L.area_size - (a - lo);
}

static void *region_base(uint32_t chan)
{
	return L.area + L.region_off + (uint64_t)chan * L.region_size;
}

static void *enc_alloc_untrusted(void *ctx, size_t n)
{
	enclave_thread *th = self;
	uint64_t at, need;

	(void)ctx;
	if (!th)
		return NULL;
	need = ((uint64_t)(n ? n : 1) + COVE_EDGE_ALIGN - 1) & ~(uint64_t)(COVE_EDGE_ALIGN - 1);
	at = th->top;
	if (need > L.region_size - at)
		return NULL;
	th->top = at + need;
	return (uint8_t *)region_base(th->chan) + at;
}

/* LIFO: freeing the top block pops it; anything else is released when the ecall that made it returns. */
static void enc_free_untrusted(void *ctx, void *p)
{
	enclave_thread *th = self;
	uint8_t *base;

	(void)ctx;
	if (!th || !p)
		return;
	base = region_base(th->chan);
	if ((uint8_t *)p >= base && (uint8_t *)p < base + th->top)
		th->top = (uint64_t)((uint8_t *)p - base);
}

static bool enc_is_shared(void *ctx, const void *p, size_t n)
{
	(void)ctx;
	return in_area(p, n);
}

static bool enc_is_within(void *ctx, const void *p, size_t n)
{
	(void)ctx;
	return cove_is_within_enclave(p, n);
}

static bool enc_is_outside(void *ctx, const void *p, size_t n)
{
	(void)ctx;
	return cove_is_outside_enclave(p, n);
}

static void *enc_alloc_trusted(void *ctx, size_t n)
{
	(void)ctx;
	return aligned_alloc(COVE_EDGE_ALIGN, (n + COVE_EDGE_ALIGN - 1) & ~(size_t)(COVE_EDGE_ALIGN - 1));
}

static void enc_free_trusted(void *ctx, void *p)
{
	(void)ctx;
	free(p);
}

static cove_edge_status handle_ecall(enclave_thread *th, uint64_t frame_off);

static cove_edge_status fill_frame(cove_edge_frame *f, uint32_t id, uint32_t flags, void *in, size_t in_size,
				   void *out, size_t out_size)
{
	if ((in_size && !in_area(in, in_size)) || (out_size && !in_area(out, out_size)))
		return COVE_EDGE_BAD_POINTER;
	memset(f, 0, sizeof(*f));
	f->magic = COVE_EDGE_FRAME_MAGIC;
	f->version = COVE_EDGE_ABI_VERSION;
	f->kind = COVE_EDGE_KIND_OCALL;
	f->id = id;
	f->flags = flags;
	f->in_off = in_size ? (uint64_t)((uint8_t *)in - L.area) : 0;
	f->in_size = in_size;
	f->out_off = out_size ? (uint64_t)((uint8_t *)out - L.area) : 0;
	f->out_size = out_size;
	return COVE_EDGE_OK;
}

static cove_edge_status clamp_status(uint32_t s)
{
	return s <= COVE_EDGE_TOO_DEEP ? (cove_edge_status)s : COVE_EDGE_UNEXPECTED;
}

/* A switchless ocall: a host worker serves it while this thread spins; false = nobody came, call normally. */
static bool try_switchless_ocall(uint64_t frame_off, uint32_t id, cove_edge_status *st)
{
	for (uint32_t i = 0; i < L.nslots; i++) {
		cove_chan_slot *s = &L.oslots[i];
		uint32_t expect = COVE_SLOT_FREE;

		if (!atomic_compare_exchange_strong(&s->state, &expect, COVE_SLOT_CLAIMED))
			continue;
		s->id = id;
		s->frame_off = frame_off;
		atomic_store(&s->state, COVE_SLOT_POSTED);
		if (atomic_load(&L.ctl->osl_sleepers)) {
			atomic_fetch_add(&L.ctl->osl_pending, 1);
			cove_futex_wake(&L.ctl->osl_pending, 1);
		}
		for (uint32_t n = 0;; n++) {
			uint32_t v = atomic_load_explicit(&s->state, memory_order_acquire);
			if (v == COVE_SLOT_DONE) {
				*st = clamp_status(s->status);
				atomic_store(&s->state, COVE_SLOT_FREE);
				return true;
			}
			if (v == COVE_SLOT_POSTED && n >= L.spin) {
				expect = COVE_SLOT_POSTED;
				if (atomic_compare_exchange_strong(&s->state, &expect, COVE_SLOT_FREE))
					return false;
			}
			if (n < L.spin)
				cove_cpu_relax();
			else
				sched_yield();
		}
	}
	return false;
}

static cove_edge_status enc_ocall(void *ctx, uint32_t id, uint32_t flags, void *in, size_t in_size, void *out,
				  size_t out_size)
{
	enclave_thread *th = self;
	cove_edge_frame *f;
	cove_edge_status st;
	uint64_t mark, frame_off;
	cove_chan *c;

	(void)ctx;
	if (!th)
		return COVE_EDGE_NO_ENCLAVE;
	mark = th->top;
	f = enc_alloc_untrusted(NULL, sizeof(*f));
	if (!f)
		return COVE_EDGE_OUT_OF_MEMORY;
	st = fill_frame(f, id, flags, in, in_size, out, out_size);
	if (st)
		goto out;
	frame_off = (uint64_t)((uint8_t *)f - L.area);
	if ((flags & COVE_EDGE_CALL_SWITCHLESS) && atomic_load(&L.ctl->ocall_workers) &&
	    try_switchless_ocall(frame_off, id, &st))
		goto out;

	c = &L.chans[th->chan];
	cove_chan_post(&c->to_host, COVE_MSG_OCALL, 0, frame_off);
	for (;;) {
		uint32_t type, status;
		uint64_t off;

		cove_chan_wait(&c->to_enclave, &th->seen, L.spin, NULL, NULL, 0);
		type = c->to_enclave.type;
		status = c->to_enclave.status;
		off = c->to_enclave.frame_off;
		if (type == COVE_MSG_OCALL_RET) {
			st = clamp_status(status);
			break;
		}
		if (type == COVE_MSG_ECALL) {
			/* Nested ecall while this ocall runs (checked against its allow() list by dispatch). */
			cove_chan_post(&c->to_host, COVE_MSG_ECALL_RET, handle_ecall(th, off), 0);
			continue;
		}
		st = COVE_EDGE_BAD_FRAME;
		break;
	}
out:
	th->top = mark;
	return st;
}

static const cove_edge_transport_ops enclave_ops = {
	.ocall = enc_ocall,
	.alloc_untrusted = enc_alloc_untrusted,
	.free_untrusted = enc_free_untrusted,
	.is_shared = enc_is_shared,
	.is_within_enclave = enc_is_within,
	.is_outside_enclave = enc_is_outside,
	.alloc_trusted = enc_alloc_trusted,
	.free_trusted = enc_free_trusted,
};

/* ---- serving ecalls ---- */

static cove_edge_status handle_ecall(enclave_thread *th, uint64_t frame_off)
{
	cove_edge_frame snap;
	cove_edge_status st;
	uint64_t mark = th->top;

	/* One read of the frame into enclave memory; the host may rewrite the shared copy at will. */
	if (frame_off % COVE_EDGE_ALIGN || frame_off > L.area_size - sizeof(snap))
		return COVE_EDGE_BAD_FRAME;
	memcpy(&snap, L.area + frame_off, sizeof(snap));
	st = cove_edge_frame_check(&snap, COVE_EDGE_KIND_ECALL, L.area_size);
	if (st)
		return st;
	st = cove_edge_dispatch_ecall(&L.t, L.table, snap.id, L.area + snap.in_off, (size_t)snap.in_size,
				      L.area + snap.out_off, (size_t)snap.out_size);
	th->top = mark;
	return st;
}

static void *tcs_main(void *arg)
{
	enclave_thread *th = arg;
	cove_chan *c = &L.chans[th->chan];

	self = th;
	thread_started();
	for (;;) {
		uint32_t type;
		uint64_t off;

		cove_chan_wait(&c->to_enclave, &th->seen, L.spin, NULL, NULL, 0);
		type = c->to_enclave.type;
		off = c->to_enclave.frame_off;
		if (type == COVE_MSG_STOP)
			break;
		if (type != COVE_MSG_ECALL) {
			cove_chan_post(&c->to_host, COVE_MSG_ECALL_RET, COVE_EDGE_BAD_FRAME, 0);
			continue;
		}
		cove_chan_post(&c->to_host, COVE_MSG_ECALL_RET, handle_ecall(th, off), 0);
	}
	return NULL;
}

/* A switchless worker: takes posted ecalls and runs them on its own channel. */
static void *worker_main(void *arg)
{
	enclave_thread *th = arg;
	cove_chan *c = &L.chans[th->chan];
	uint32_t idle = 0;

	self = th;
	thread_started();
	while (!atomic_load(&L.ctl->stop)) {
		bool served = false;
		for (uint32_t i = 0; i < L.nslots; i++) {
			cove_chan_slot *s = &L.slots[i];
			uint32_t expect = COVE_SLOT_POSTED;
			uint64_t off;
			uint32_t seen_before;

			if (atomic_load_explicit(&s->state, memory_order_acquire) != COVE_SLOT_POSTED ||
			    !atomic_compare_exchange_strong(&s->state, &expect, COVE_SLOT_CLAIMED))
				continue;
			off = s->frame_off;
			s->worker = th->chan;
			atomic_store_explicit(&s->state, COVE_SLOT_TAKEN, memory_order_release);
			/* The host now talks to us on our channel; ocalls wait there for OCALL_RET. */
			seen_before = atomic_load(&c->to_enclave.seq);
			th->seen = seen_before;
			cove_chan_post(&c->to_host, COVE_MSG_ECALL_RET, handle_ecall(th, off), 0);
			served = true;
		}
		if (served) {
			idle = 0;
			continue;
		}
		if (++idle < L.spin) {
			cove_cpu_relax();
			continue;
		}
		{
			struct timespec ts = {0, 10 * 1000000L};
			uint32_t v = atomic_load(&L.ctl->sl_pending);
			atomic_fetch_add(&L.ctl->sl_sleepers, 1);
			cove_futex_wait(&L.ctl->sl_pending, v, &ts);
			atomic_fetch_sub(&L.ctl->sl_sleepers, 1);
			idle = 0;
		}
	}
	return NULL;
}

/* ---- start-up ---- */

static void map_shared(void)
{
	struct stat st;
	cove_chan_control ctl;
	uint64_t end;

	if (fstat(COVE_CHAN_FD, &st) != 0 || st.st_size < (off_t)COVE_CHAN_CONTROL_SIZE)
		refuse(COVE_ERR_ARG, "no shared memory on descriptor %d (start enclaves with cove_enclave_create)",
		       COVE_CHAN_FD);
	L.area_size = (size_t)st.st_size;
	L.area = mmap(NULL, L.area_size, PROT_READ | PROT_WRITE, MAP_SHARED, COVE_CHAN_FD, 0);
	if (L.area == MAP_FAILED)
		refuse(COVE_ERR_IO, "mapping the shared memory: %s", strerror(errno));
	close(COVE_CHAN_FD);
	L.ctl = (cove_chan_control *)L.area;
	memcpy(&ctl, L.ctl, sizeof(ctl)); /* one snapshot of the host's geometry, then checked */
	if (ctl.magic != COVE_CHAN_MAGIC || ctl.version != COVE_CHAN_VERSION)
		refuse(COVE_ERR_ARG, "shared memory: wrong magic or version");
	if (ctl.area_size != L.area_size || ctl.nchannels != ctl.ntcs + ctl.nworkers || ctl.nchannels == 0 ||
	    ctl.nslots == 0 || ctl.nslots > 1024 || ctl.region_size < PAGE || ctl.spin == 0)
		refuse(COVE_ERR_ARG, "shared memory: inconsistent geometry");
#define WITHIN(off, len) ((off) <= L.area_size && (len) <= L.area_size - (off))
	if (!WITHIN(ctl.chan_off, (uint64_t)ctl.nchannels * sizeof(cove_chan)) ||
	    !WITHIN(ctl.sl_off, (uint64_t)ctl.nslots * sizeof(cove_chan_slot)) ||
	    !WITHIN(ctl.osl_off, (uint64_t)ctl.nslots * sizeof(cove_chan_slot)) ||
	    ctl.chan_off % 64 || ctl.sl_off % 64 || ctl.osl_off % 64 || ctl.region_off % PAGE ||
	    ctl.region_size % PAGE || ctl.region_size > L.area_size / ctl.nchannels ||
	    !WITHIN(ctl.region_off, (uint64_t)ctl.nchannels * ctl.region_size))
		refuse(COVE_ERR_ARG, "shared memory: a region lies outside the area");
#undef WITHIN
	end = ctl.region_off;
	(void)end;
	L.chans = (cove_chan *)(L.area + ctl.chan_off);
	L.slots = (cove_chan_slot *)(L.area + ctl.sl_off);
	L.oslots = (cove_chan_slot *)(L.area + ctl.osl_off);
	L.nchannels = ctl.nchannels;
	L.ntcs = ctl.ntcs;
	L.nworkers = ctl.nworkers;
	L.nslots = ctl.nslots;
	L.spin = ctl.spin;
	L.region_off = ctl.region_off;
	L.region_size = ctl.region_size;
}

/* Copy the image into a sealed memfd: the bytes measured are the bytes mapped, whatever happens to the file. */
static int seal_image(const char *path, const uint8_t **data, size_t *len)
{
	cove_buf buf = {0};
	cove_error err = {0};
	int fd;
	void *p;

	if (cove_file_read(path, COVE_ENCLAVE_IMAGE_MAX, &buf, &err))
		refuse(err.code, "%s", err.msg);
	fd = memfd_create("cove-enclave-image", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0 || cove_write_all(fd, buf.data, buf.len) != 0 ||
	    fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) != 0)
		refuse(COVE_ERR_IO, "sealing the image in memory: %s", strerror(errno));
	*len = buf.len;
	cove_buf_free(&buf);
	p = mmap(NULL, *len, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		refuse(COVE_ERR_IO, "mapping the sealed image: %s", strerror(errno));
	*data = p;
	return fd;
}

typedef struct image_find {
	const char *name;
	struct dl_phdr_info info;
	bool found;
} image_find;

static int find_image(struct dl_phdr_info *info, size_t size, void *arg)
{
	image_find *f = arg;

	(void)size;
	if (info->dlpi_name && strcmp(info->dlpi_name, f->name) == 0) {
		f->info = *info;
		f->found = true;
		return 1;
	}
	return 0;
}

/*
 * Move the image's writable segments (.data, .bss, relocated pointers) into
 * secret memory, keeping their content and the RELRO part read-only.
 */
static void secure_image_data(const image_find *img)
{
	const struct dl_phdr_info *in = &img->info;

	for (int i = 0; i < in->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &in->dlpi_phdr[i];
		uintptr_t lo, hi;
		void *copy, *m;
		int fd;

		if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_W))
			continue;
		lo = (in->dlpi_addr + ph->p_vaddr) & ~(uintptr_t)(PAGE - 1);
		hi = (in->dlpi_addr + ph->p_vaddr + ph->p_memsz + PAGE - 1) & ~(uintptr_t)(PAGE - 1);
		copy = malloc(hi - lo);
		if (!copy)
			refuse(COVE_ERR_NOMEM, "securing the image's data: out of memory");
		mprotect((void *)lo, hi - lo, PROT_READ | PROT_WRITE);
		memcpy(copy, (void *)lo, hi - lo);
		fd = (int)syscall(SYS_memfd_secret, O_CLOEXEC);
		if (fd < 0 || ftruncate(fd, (off_t)(hi - lo)) != 0) {
			/* The heap got secret memory but this cannot (RLIMIT_MEMLOCK): run degraded, and say so. */
			fprintf(stderr, "cove-loader: warning: the image's data stays in ordinary memory: memfd_secret: %s\n",
				strerror(errno));
			if (fd >= 0)
				close(fd);
			OPENSSL_cleanse(copy, hi - lo);
			free(copy);
			cove_loader.secret_memory = false;
			continue;
		}
		m = mmap((void *)lo, hi - lo, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0);
		close(fd);
		if (m == MAP_FAILED)
			refuse(COVE_ERR_IO, "securing the image's data: mmap: %s", strerror(errno));
		memcpy((void *)lo, copy, hi - lo);
		OPENSSL_cleanse(copy, hi - lo);
		free(copy);
	}
	for (int i = 0; i < in->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &in->dlpi_phdr[i];
		if (ph->p_type == PT_GNU_RELRO) {
			uintptr_t lo = (in->dlpi_addr + ph->p_vaddr) & ~(uintptr_t)(PAGE - 1);
			uintptr_t hi = (in->dlpi_addr + ph->p_vaddr + ph->p_memsz) & ~(uintptr_t)(PAGE - 1);
			if (hi > lo)
				mprotect((void *)lo, hi - lo, PROT_READ);
		}
	}
}

static void record_image_ranges(const image_find *img)
{
	const struct dl_phdr_info *in = &img->info;
	uintptr_t lo = UINTPTR_MAX, hi = 0;

	for (int i = 0; i < in->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &in->dlpi_phdr[i];
		if (ph->p_type != PT_LOAD)
			continue;
		if (in->dlpi_addr + ph->p_vaddr < lo)
			lo = (in->dlpi_addr + ph->p_vaddr) & ~(uintptr_t)(PAGE - 1);
		if (in->dlpi_addr + ph->p_vaddr + ph->p_memsz > hi)
			hi = (in->dlpi_addr + ph->p_vaddr + ph->p_memsz + PAGE - 1) & ~(uintptr_t)(PAGE - 1);
	}
	if (lo < hi)
		add_range(lo, hi);
}

/* Run every trusted service once before seccomp, so that lazy initialisation (OpenSSL providers, platform files) is done. */
static void warm_up(void)
{
	cove_error err = {0};
	uint8_t rd[COVE_SGX_REPORT_DATA_SIZE] = {0}, report[COVE_SGX_REPORT_SIZE];
	uint8_t *blob = NULL, *text = NULL, *quote = NULL;
	size_t blob_len = 0, text_len = 0, quote_len = 0;
	uint8_t rnd[16];

	if (cove_random(rnd, sizeof(rnd), &err) ||
	    cove_enclave_report(NULL, 0, rd, report, &err) ||
	    cove_enclave_verify_report(report, sizeof(report), NULL, &err) ||
	    cove_enclave_seal(COVE_SGX_KEYPOLICY_MRENCLAVE, "warm", 4, NULL, 0, &blob, &blob_len, &err) ||
	    cove_enclave_unseal(blob, blob_len, &text, &text_len, NULL, NULL, &err) ||
	    cove_enclave_quote(rd, &quote, &quote_len, &err))
		refuse(err.code ? err.code : COVE_ERR_INTERNAL, "platform services: %s", err.msg);
	cove_enclave_free(blob);
	cove_enclave_free(text);
	cove_enclave_free(quote);
}

static void start_threads(pthread_t *threads, enclave_thread *ths)
{
	for (uint32_t i = 0; i < L.nchannels; i++) {
		pthread_attr_t attr;
		void *stack = NULL;
		bool secret = false;
		cove_error err = {0};
		size_t size = (size_t)L.stack_size + PAGE;
		int rc;

		if (cove_loader_secret_map(size, false, &stack, &secret, &err))
			refuse(err.code, "thread stack: %s", err.msg);
		if (!secret)
			cove_loader.secret_memory = false;
		mprotect(stack, PAGE, PROT_NONE); /* guard page below the stack */
		add_range((uintptr_t)stack, (uintptr_t)stack + size);
		ths[i].chan = i;
		ths[i].seen = atomic_load(&L.chans[i].to_enclave.seq);
		ths[i].top = 0;
		pthread_attr_init(&attr);
		pthread_attr_setstack(&attr, (uint8_t *)stack + PAGE, size - PAGE);
		rc = pthread_create(&threads[i], &attr, i < L.ntcs ? tcs_main : worker_main, &ths[i]);
		pthread_attr_destroy(&attr);
		if (rc)
			refuse(COVE_ERR_IO, "starting enclave thread %u: %s", i, strerror(rc));
	}
	for (;;) {
		uint32_t n = atomic_load(&threads_running);
		if (n >= L.nchannels)
			break;
		cove_futex_wait(&threads_running, n, NULL);
	}
}

static void usage(void)
{
	fprintf(stderr, "usage: cove-loader --image IMAGE --platform-dir DIR [--debug] [--require-secret]\n"
			"Started by the cove host runtime (cove_enclave_create), with the shared memory on fd 3;\n"
			"not meant to be run by hand.\n");
	_exit(2);
}

int main(int argc, char **argv)
{
	const char *image_path = NULL, *platform_dir = NULL;
	bool debug = false, require_secret = false, secret = false;
	const uint8_t *data = NULL;
	size_t len = 0;
	cove_enclave_image *img = NULL;
	cove_error err = {0};
	cove_sigstruct sig;
	uint64_t attr = 0;
	const cove_enclave_config *cfg;
	image_find found = {0};
	char fdpath[64];
	void *handle;
	const cove_edge_table *const *tablep;
	pthread_t *threads;
	enclave_thread *ths;
	int image_fd;

	/* 1. Hardening before anything else can be observed. */
	if (cove_loader_harden(&err)) {
		fprintf(stderr, "cove-loader: %s\n", err.msg);
		_exit(COVE_LOADER_EXIT_REFUSED);
	}
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--image") == 0 && i + 1 < argc)
			image_path = argv[++i];
		else if (strcmp(argv[i], "--platform-dir") == 0 && i + 1 < argc)
			platform_dir = argv[++i];
		else if (strcmp(argv[i], "--debug") == 0)
			debug = true;
		else if (strcmp(argv[i], "--require-secret") == 0)
			require_secret = true;
		else
			usage();
	}
	if (!image_path || !platform_dir)
		usage();
	map_shared();

	/* 2. The image: sealed copy, parse, measure, EINIT-style checks. */
	image_fd = seal_image(image_path, &data, &len);
	if (cove_enclave_image_parse(data, len, &img, &err))
		refuse(err.code, "%s", err.msg);
	cfg = cove_enclave_image_config(img);
	if (cfg->tcs_count != L.ntcs || cfg->switchless_workers != L.nworkers)
		refuse(COVE_ERR_ARG, "the host sized the shared memory for %u threads and %u workers, the image says %u and %u",
		       L.ntcs, L.nworkers, cfg->tcs_count, cfg->switchless_workers);
	if (cove_enclave_image_check(img, debug, &sig, cove_loader.identity.mr_enclave, cove_loader.identity.mr_signer,
				     &attr, &err))
		refuse(err.code, "%s", err.msg);
	cove_loader.identity.isv_prod_id = sig.f.isv_prod_id;
	cove_loader.identity.isv_svn = sig.f.isv_svn;
	cove_loader.identity.attr_flags = attr;
	cove_loader.identity.attr_xfrm = 0x3;
	memcpy(cove_loader.identity.isv_family_id, sig.f.isv_family_id, 16);
	memcpy(cove_loader.identity.isv_ext_prod_id, sig.f.isv_ext_prod_id, 16);
	L.stack_size = cfg->stack_size;

	/* 3. The heap in secret memory: the enclave's configured heap plus the runtime's own needs. */
	if (cove_loader_heap_init((size_t)(cfg->heap_size + RUNTIME_HEAP), require_secret, &secret, &err))
		refuse(err.code, "%s", err.msg);
	cove_loader.secret_memory = secret;
	{
		uintptr_t lo, hi;
		cove_loader_heap_range(&lo, &hi);
		add_range(lo, hi);
	}

	/* 4. Platform secrets, loaded now: no file is opened once seccomp is on. */
	if (cove_platform_open(platform_dir, true, &cove_loader.platform, &err) ||
	    cove_platform_sgx_load(cove_loader.platform, &err))
		refuse(err.code, "emulated platform: %s", err.msg);
	cove_loader.root_secret = malloc(COVE_SGX_ROOT_SECRET_SIZE);
	if (!cove_loader.root_secret ||
	    cove_platform_sgx_root_secret(cove_loader.platform, cove_loader.root_secret, &err) ||
	    cove_platform_sgx_cpusvn(cove_loader.platform, secret, cove_loader.identity.cpu_svn, &err))
		refuse(err.code ? err.code : COVE_ERR_NOMEM, "emulated platform: %s", err.msg);

	/* 5. Map the measured bytes and find the entry table. */
	snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", image_fd);
	handle = dlopen(fdpath, RTLD_NOW | RTLD_LOCAL);
	if (!handle)
		refuse(COVE_ERR_ARG, "loading the image: %s", dlerror());
	found.name = fdpath;
	dl_iterate_phdr(find_image, &found);
	if (!found.found)
		refuse(COVE_ERR_INTERNAL, "the loaded image is not in the link map");
	record_image_ranges(&found);
	if (secret)
		secure_image_data(&found);
	tablep = dlsym(handle, "cove_enclave_ecall_table");
	if (!tablep || !*tablep || (*tablep)->abi_version != COVE_EDGE_ABI_VERSION)
		refuse(COVE_ERR_ARG, "the image has no cove_enclave_ecall_table of edge ABI version %u "
				     "(build it with cove_add_enclave)", COVE_EDGE_ABI_VERSION);
	L.table = *tablep;
	L.t.ops = &enclave_ops;
	L.t.ctx = NULL;
	L.t.trusted = true;
	cove_enclave_image_free(img);
	img = NULL;

	/* 6. Threads on secret stacks, platform services warmed up, then seccomp for all of them. */
	threads = calloc(L.nchannels, sizeof(*threads));
	ths = calloc(L.nchannels, sizeof(*ths));
	if (!threads || !ths)
		refuse(COVE_ERR_NOMEM, "out of memory");
	warm_up();
	start_threads(threads, ths);
	/* Any part that fell back to ordinary memory makes the whole enclave degraded, in its evidence too. */
	if (cove_platform_sgx_cpusvn(cove_loader.platform, cove_loader.secret_memory, cove_loader.identity.cpu_svn, &err))
		refuse(err.code, "emulated platform: %s", err.msg);
	if (cove_loader_seccomp_install((volatile uint32_t *)&L.ctl->violation, &err))
		refuse(err.code, "seccomp: %s", err.msg);

	/* 7. Ready: tell the host what runs. */
	memcpy(L.ctl->mr_enclave, cove_loader.identity.mr_enclave, 32);
	memcpy(L.ctl->mr_signer, cove_loader.identity.mr_signer, 32);
	L.ctl->isv_prod_id = cove_loader.identity.isv_prod_id;
	L.ctl->isv_svn = cove_loader.identity.isv_svn;
	L.ctl->attr_flags = cove_loader.identity.attr_flags;
	L.ctl->secret_memory = cove_loader.secret_memory;
	atomic_store(&L.ctl->state, COVE_CHAN_READY);
	cove_futex_wake(&L.ctl->state, INT32_MAX);

	/* The main thread only waits; the host ends the process with SIGKILL (or dies, and PDEATHSIG follows). */
	for (;;) {
		uint32_t v = atomic_load(&L.ctl->stop);
		if (v)
			break;
		cove_futex_wait(&L.ctl->stop, v, NULL);
	}
	syscall(SYS_exit_group, 0);
	return 0;
}
