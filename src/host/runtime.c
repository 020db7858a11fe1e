/*
 * The host side of cove's enclave runtime (cove/host.h): start the loader
 * process for a signed image, share the marshalling area with it, and carry
 * ecalls, ocalls and nested calls over the channels of src/host/channel.h.
 *
 * The host trusts nothing the enclave process writes either: a frame the
 * enclave posts is snapshotted and checked (cove_edge_frame_check) before the
 * generated ocall bridge sees it, and a dead or wedged enclave turns every
 * pending and later call into COVE_EDGE_ENCLAVE_LOST with the reason (exit
 * status, signal, seccomp violation) instead of a hang: a monitor thread
 * waits for the process and wakes every waiter when it goes.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cove/bytes.h"
#include "cove/enclave_image.h"
#include "cove/host.h"
#include "cove/platform.h"
#include "host/channel.h"
#include "host/syscall_name.h"

extern char **environ;

#define HOST_HEAP_SIZE (UINT64_C(256) << 20)   /* ecall buffers; memfd pages are allocated on first touch */
#define ENCLAVE_REGION_SIZE (UINT64_C(32) << 20) /* per channel: ocall buffers */
#define SLOTS 16u
#define DEFAULT_SPIN 20000u
#define TICK_MS 20
#define HEAP_GRAIN 64u
#define HEAP_CLASSES 40

typedef struct host_heap {
	pthread_mutex_t mu;
	uint8_t *base;
	size_t size;
	size_t bump;
	uint8_t *cls;                    /* class of the block at each HEAP_GRAIN, private to the host */
	uint64_t *free_list[HEAP_CLASSES]; /* stacks of free offsets per class */
	size_t free_n[HEAP_CLASSES], free_cap[HEAP_CLASSES];
} host_heap;

typedef struct host_enc {
	cove_enclave *handle;
	pid_t pid;
	uint8_t *area;
	size_t area_size;
	cove_chan_control *ctl;
	cove_chan *chans;
	cove_chan_slot *slots, *oslots;
	uint32_t nchannels, ntcs, nworkers, spin;
	uint32_t *seen;                  /* per channel: last to_host seq consumed */
	bool *busy;                      /* per TCS channel */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	host_heap heap;
	pthread_t monitor;
	bool monitor_started;
	_Atomic bool lost;
	char lost_reason[512];
	_Atomic(const cove_edge_table *) ocalls;
	pthread_t *oworkers;
	uint32_t noworkers;
	_Atomic bool ostop;
	cove_enclave_info info;
} host_enc;

/* The channel this host thread is serving an ocall on (a nested ecall reuses it, as on one TCS). */
typedef struct host_binding {
	host_enc *enc;
	uint32_t chan;
} host_binding;

static _Thread_local host_binding tl_cur;

/* ---- the marshalling heap (metadata in host memory, blocks in the shared area) ---- */

static unsigned heap_class(size_t n, size_t *bytes)
{
	unsigned c = 0;
	size_t sz = HEAP_GRAIN;

	while (sz < n && c + 1 < HEAP_CLASSES) {
		sz <<= 1;
		c++;
	}
	*bytes = sz;
	return c;
}

static void *heap_alloc(host_heap *h, size_t n)
{
	size_t bytes;
	unsigned c;
	void *p = NULL;

	if (n == 0)
		n = 1;
	if (n > h->size)
		return NULL;
	c = heap_class(n, &bytes);
	pthread_mutex_lock(&h->mu);
	if (h->free_n[c]) {
		p = h->base + h->free_list[c][--h->free_n[c]];
	} else if (bytes <= h->size - h->bump) {
		p = h->base + h->bump;
		h->cls[h->bump / HEAP_GRAIN] = (uint8_t)(c + 1);
		h->bump += bytes;
	}
	pthread_mutex_unlock(&h->mu);
	return p;
}

static void heap_free(host_heap *h, void *p)
{
	size_t off;
	unsigned c;

	if (!p || (uint8_t *)p < h->base || (uint8_t *)p >= h->base + h->size)
		return;
	off = (size_t)((uint8_t *)p - h->base);
	if (off % HEAP_GRAIN)
		return;
	pthread_mutex_lock(&h->mu);
	c = h->cls[off / HEAP_GRAIN];
	if (c && off < h->bump) {
		c--;
		if (h->free_n[c] == h->free_cap[c]) {
			size_t cap = h->free_cap[c] ? h->free_cap[c] * 2 : 64;
			uint64_t *nl = realloc(h->free_list[c], cap * sizeof(*nl));
			if (!nl) {
				pthread_mutex_unlock(&h->mu);
				return; /* the block leaks; the heap stays consistent */
			}
			h->free_list[c] = nl;
			h->free_cap[c] = cap;
		}
		h->free_list[c][h->free_n[c]++] = off;
	}
	pthread_mutex_unlock(&h->mu);
}

/* ---- liveness ---- */

static bool enclave_lost(void *arg)
{
	host_enc *h = arg;
	return atomic_load(&h->lost);
}

static void wake_everyone(host_enc *h)
{
	for (uint32_t i = 0; i < h->nchannels; i++)
		cove_futex_wake(&h->chans[i].to_host.seq, INT32_MAX);
	cove_futex_wake(&h->ctl->state, INT32_MAX);
	pthread_mutex_lock(&h->mu);
	pthread_cond_broadcast(&h->cv);
	pthread_mutex_unlock(&h->mu);
}

static void describe_exit(host_enc *h, int status)
{
	uint32_t v = atomic_load(&h->ctl->violation);

	if (WIFEXITED(status) && WEXITSTATUS(status) == 159 && v) {
		const char *name = cove_host_syscall_name(v - 1);
		snprintf(h->lost_reason, sizeof(h->lost_reason),
			 "enclave process %d stopped by its seccomp filter: it made the forbidden system call %u (%s); "
			 "enclave code reaches the OS only through ocalls",
			 (int)h->pid, v - 1, name ? name : "unknown");
	} else if (WIFEXITED(status)) {
		snprintf(h->lost_reason, sizeof(h->lost_reason), "enclave process %d exited with status %d",
			 (int)h->pid, WEXITSTATUS(status));
	} else if (WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS) {
		const char *name = v ? cove_host_syscall_name(v - 1) : NULL;
		snprintf(h->lost_reason, sizeof(h->lost_reason),
			 "enclave process %d killed by SIGSYS (seccomp) %s%u (%s)", (int)h->pid,
			 v ? "at system call " : "before it could name the system call ", v ? v - 1 : 0,
			 name ? name : "unknown");
	} else if (WIFSIGNALED(status)) {
		snprintf(h->lost_reason, sizeof(h->lost_reason), "enclave process %d crashed: killed by signal %d (%s)",
			 (int)h->pid, WTERMSIG(status), strsignal(WTERMSIG(status)));
	} else {
		snprintf(h->lost_reason, sizeof(h->lost_reason), "enclave process %d ended (wait status %#x)",
			 (int)h->pid, (unsigned)status);
	}
}

static void *monitor_main(void *arg)
{
	host_enc *h = arg;
	int status = 0;
	pid_t r;

	/* Only the end of the process counts (a debugger's stops are not an exit). */
	do
		r = waitpid(h->pid, &status, __WALL);
	while ((r < 0 && errno == EINTR) || (r == h->pid && !WIFEXITED(status) && !WIFSIGNALED(status)));
	if (r == h->pid)
		describe_exit(h, status);
	else
		snprintf(h->lost_reason, sizeof(h->lost_reason), "enclave process %d: waitpid: %s", (int)h->pid,
			 strerror(errno));
	atomic_store(&h->lost, true);
	wake_everyone(h);
	return NULL;
}

/* ---- calls ---- */

static bool in_area(const host_enc *h, const void *p, size_t n)
{
	uintptr_t a = (uintptr_t)p, lo = (uintptr_t)h->area;
	return a >= lo && a - lo <= h->area_size && n <= h->area_size - (a - lo);
}

static cove_edge_status serve_ocall(host_enc *h, uint32_t chan, uint64_t frame_off)
{
	cove_edge_frame snap;
	const cove_edge_table *table = atomic_load(&h->ocalls);
	cove_edge_status st;
	host_binding saved = tl_cur;

	if (frame_off % COVE_EDGE_ALIGN || frame_off > h->area_size - sizeof(snap))
		return COVE_EDGE_BAD_FRAME;
	memcpy(&snap, h->area + frame_off, sizeof(snap));
	st = cove_edge_frame_check(&snap, COVE_EDGE_KIND_OCALL, h->area_size);
	if (st)
		return st;
	if (!table)
		return COVE_EDGE_INVALID_FUNCTION;
	/* A switchless ocall (chan UINT32_MAX) has no channel: a nested ecall from it takes a TCS of its own. */
	tl_cur.enc = chan < h->nchannels ? h : NULL;
	tl_cur.chan = chan;
	st = cove_edge_dispatch_ocall(cove_edge_enclave_transport(h->handle), table, snap.id, h->area + snap.in_off,
				      (size_t)snap.in_size, h->area + snap.out_off, (size_t)snap.out_size);
	tl_cur = saved;
	return st;
}

/* Wait on `chan` for the ecall's return, serving the ocalls it makes meanwhile. */
static cove_edge_status run_on_channel(host_enc *h, uint32_t chan)
{
	cove_chan *c = &h->chans[chan];

	for (;;) {
		uint32_t type, status;
		uint64_t off;

		if (!cove_chan_wait(&c->to_host, &h->seen[chan], h->spin, enclave_lost, h, TICK_MS))
			return COVE_EDGE_ENCLAVE_LOST;
		type = c->to_host.type;
		status = c->to_host.status;
		off = c->to_host.frame_off;
		if (type == COVE_MSG_ECALL_RET)
			return status <= COVE_EDGE_TOO_DEEP ? (cove_edge_status)status : COVE_EDGE_UNEXPECTED;
		if (type != COVE_MSG_OCALL)
			return COVE_EDGE_BAD_FRAME;
		cove_chan_post(&c->to_enclave, COVE_MSG_OCALL_RET, serve_ocall(h, chan, off), 0);
	}
}

static bool try_switchless(host_enc *h, uint64_t frame_off, uint32_t id, uint32_t *worker)
{
	for (uint32_t i = 0; i < h->ctl->nslots; i++) {
		cove_chan_slot *s = &h->slots[i];
		uint32_t expect = COVE_SLOT_FREE;

		if (!atomic_compare_exchange_strong(&s->state, &expect, COVE_SLOT_CLAIMED))
			continue;
		s->id = id;
		s->frame_off = frame_off;
		s->worker = UINT32_MAX;
		atomic_store(&s->state, COVE_SLOT_POSTED);
		if (atomic_load(&h->ctl->sl_sleepers)) {
			atomic_fetch_add(&h->ctl->sl_pending, 1);
			cove_futex_wake(&h->ctl->sl_pending, 1);
		}
		for (uint32_t n = 0; n < h->spin; n++) {
			if (atomic_load_explicit(&s->state, memory_order_acquire) == COVE_SLOT_TAKEN) {
				uint32_t w = s->worker;
				atomic_store(&s->state, COVE_SLOT_FREE);
				if (w < h->ntcs || w >= h->nchannels)
					return false; /* cannot happen with an honest loader; treated as lost below */
				*worker = w;
				return true;
			}
			cove_cpu_relax();
		}
		/* No worker came: withdraw the request and make an ordinary call (Intel's fallback). */
		expect = COVE_SLOT_POSTED;
		if (atomic_compare_exchange_strong(&s->state, &expect, COVE_SLOT_FREE))
			return false;
		/* Taken at the last moment. */
		while (atomic_load_explicit(&s->state, memory_order_acquire) != COVE_SLOT_TAKEN) {
			if (atomic_load(&h->lost))
				return false;
			cove_cpu_relax();
		}
		*worker = s->worker;
		atomic_store(&s->state, COVE_SLOT_FREE);
		return *worker >= h->ntcs && *worker < h->nchannels;
	}
	return false;
}

static cove_edge_status acquire_tcs(host_enc *h, uint32_t *chan)
{
	pthread_mutex_lock(&h->mu);
	for (;;) {
		if (atomic_load(&h->lost)) {
			pthread_mutex_unlock(&h->mu);
			return COVE_EDGE_ENCLAVE_LOST;
		}
		for (uint32_t i = 0; i < h->ntcs; i++) {
			if (!h->busy[i]) {
				h->busy[i] = true;
				*chan = i;
				pthread_mutex_unlock(&h->mu);
				return COVE_EDGE_OK;
			}
		}
		pthread_cond_wait(&h->cv, &h->mu);
	}
}

static void release_tcs(host_enc *h, uint32_t chan)
{
	pthread_mutex_lock(&h->mu);
	h->busy[chan] = false;
	pthread_cond_signal(&h->cv);
	pthread_mutex_unlock(&h->mu);
}

static cove_edge_status host_ecall(void *ctx, uint32_t id, uint32_t flags, const cove_edge_table *ocalls, void *in,
				   size_t in_size, void *out, size_t out_size)
{
	host_enc *h = ctx;
	cove_edge_frame *f;
	cove_edge_status st;
	uint32_t chan = 0, worker = 0;
	bool acquired = false;
	const cove_edge_table *none = NULL;

	if (atomic_load(&h->lost))
		return COVE_EDGE_ENCLAVE_LOST;
	if ((in_size && !in_area(h, in, in_size)) || (out_size && !in_area(h, out, out_size)))
		return COVE_EDGE_BAD_POINTER;
	if (ocalls)
		atomic_compare_exchange_strong(&h->ocalls, &none, ocalls);
	f = heap_alloc(&h->heap, sizeof(*f));
	if (!f)
		return COVE_EDGE_OUT_OF_MEMORY;
	memset(f, 0, sizeof(*f));
	f->magic = COVE_EDGE_FRAME_MAGIC;
	f->version = COVE_EDGE_ABI_VERSION;
	f->kind = COVE_EDGE_KIND_ECALL;
	f->id = id;
	f->flags = flags;
	f->in_off = in_size ? (uint64_t)((uint8_t *)in - h->area) : 0;
	f->in_size = in_size;
	f->out_off = out_size ? (uint64_t)((uint8_t *)out - h->area) : 0;
	f->out_size = out_size;

	if (tl_cur.enc == h) {
		/* A nested ecall from inside an ocall: same channel, as on the same TCS. */
		chan = tl_cur.chan;
		cove_chan_post(&h->chans[chan].to_enclave, COVE_MSG_ECALL, 0, (uint64_t)((uint8_t *)f - h->area));
		st = run_on_channel(h, chan);
	} else if ((flags & COVE_EDGE_CALL_SWITCHLESS) && h->nworkers &&
		   try_switchless(h, (uint64_t)((uint8_t *)f - h->area), id, &worker)) {
		st = run_on_channel(h, worker);
	} else {
		st = acquire_tcs(h, &chan);
		if (!st) {
			acquired = true;
			cove_chan_post(&h->chans[chan].to_enclave, COVE_MSG_ECALL, 0,
				       (uint64_t)((uint8_t *)f - h->area));
			st = run_on_channel(h, chan);
		}
	}
	if (acquired)
		release_tcs(h, chan);
	heap_free(&h->heap, f);
	return st;
}

/* ---- switchless ocall workers ---- */

static void *ocall_worker_main(void *arg)
{
	host_enc *h = arg;
	uint32_t idle = 0;

	while (!atomic_load(&h->ostop) && !atomic_load(&h->lost)) {
		bool served = false;
		for (uint32_t i = 0; i < h->ctl->nslots; i++) {
			cove_chan_slot *s = &h->oslots[i];
			uint32_t expect = COVE_SLOT_POSTED;
			if (atomic_load_explicit(&s->state, memory_order_acquire) != COVE_SLOT_POSTED ||
			    !atomic_compare_exchange_strong(&s->state, &expect, COVE_SLOT_TAKEN))
				continue;
			s->status = serve_ocall(h, UINT32_MAX, s->frame_off);
			atomic_store_explicit(&s->state, COVE_SLOT_DONE, memory_order_release);
			served = true;
		}
		if (served) {
			idle = 0;
			continue;
		}
		if (++idle < h->spin) {
			cove_cpu_relax();
			continue;
		}
		/* Idle: sleep until the enclave posts (it bumps osl_pending when someone sleeps). */
		{
			struct timespec ts = {0, 10 * 1000000L};
			uint32_t v = atomic_load(&h->ctl->osl_pending);
			atomic_fetch_add(&h->ctl->osl_sleepers, 1);
			cove_futex_wait(&h->ctl->osl_pending, v, &ts);
			atomic_fetch_sub(&h->ctl->osl_sleepers, 1);
			idle = 0;
		}
	}
	return NULL;
}

cove_err cove_enclave_set_ocall_workers(cove_enclave *enc, uint32_t n, cove_error *e)
{
	host_enc *h = cove_edge_enclave_context(enc);

	if (!h)
		return cove_error_set(e, COVE_ERR_ARG, "switchless ocall workers: no enclave");
	if (h->noworkers)
		return cove_error_set(e, COVE_ERR_ARG, "switchless ocall workers: already started (%u)", h->noworkers);
	if (n > COVE_ENCLAVE_MAX_WORKERS)
		return cove_error_set(e, COVE_ERR_ARG, "switchless ocall workers: %u is above the limit of %u", n,
				      (unsigned)COVE_ENCLAVE_MAX_WORKERS);
	if (n == 0)
		return COVE_OK;
	h->oworkers = calloc(n, sizeof(*h->oworkers));
	if (!h->oworkers)
		return cove_error_set(e, COVE_ERR_NOMEM, "switchless ocall workers: out of memory");
	for (uint32_t i = 0; i < n; i++) {
		int rc = pthread_create(&h->oworkers[i], NULL, ocall_worker_main, h);
		if (rc) {
			atomic_store(&h->ctl->ocall_workers, h->noworkers);
			return cove_error_set(e, COVE_ERR_IO, "switchless ocall workers: pthread_create: %s",
					      strerror(rc));
		}
		h->noworkers++;
	}
	atomic_store(&h->ctl->ocall_workers, n);
	return COVE_OK;
}

/* ---- transport ops (host face) ---- */

static void *host_alloc_untrusted(void *ctx, size_t n)
{
	host_enc *h = ctx;
	return heap_alloc(&h->heap, n);
}

static void host_free_untrusted(void *ctx, void *p)
{
	host_enc *h = ctx;
	heap_free(&h->heap, p);
}

static bool host_is_shared(void *ctx, const void *p, size_t n)
{
	return in_area(ctx, p, n);
}

/* Enclave memory is not in this address space at all. */
static bool host_is_within(void *ctx, const void *p, size_t n)
{
	(void)ctx, (void)p, (void)n;
	return false;
}

static bool host_is_outside(void *ctx, const void *p, size_t n)
{
	(void)ctx, (void)p, (void)n;
	return true;
}

static void host_close(void *ctx);

static const cove_edge_transport_ops host_ops = {
	.ecall = host_ecall,
	.alloc_untrusted = host_alloc_untrusted,
	.free_untrusted = host_free_untrusted,
	.is_shared = host_is_shared,
	.is_within_enclave = host_is_within,
	.is_outside_enclave = host_is_outside,
	.close = host_close,
};

static void host_close(void *ctx)
{
	host_enc *h = ctx;

	if (!h)
		return;
	if (h->pid > 0 && !atomic_load(&h->lost))
		kill(h->pid, SIGKILL);
	if (h->monitor_started)
		pthread_join(h->monitor, NULL);
	else if (h->pid > 0)
		waitpid(h->pid, NULL, 0);
	atomic_store(&h->ostop, true);
	for (uint32_t i = 0; i < h->noworkers; i++)
		pthread_join(h->oworkers[i], NULL);
	free(h->oworkers);
	if (h->area)
		munmap(h->area, h->area_size);
	for (unsigned c = 0; c < HEAP_CLASSES; c++)
		free(h->heap.free_list[c]);
	free(h->heap.cls);
	free(h->seen);
	free(h->busy);
	pthread_mutex_destroy(&h->heap.mu);
	pthread_mutex_destroy(&h->mu);
	pthread_cond_destroy(&h->cv);
	free(h);
}

/* ---- creation ---- */

static const char *loader_path(const cove_enclave_create_opts *o)
{
	const char *env = getenv("COVE_LOADER");

	if (o && o->loader_path)
		return o->loader_path;
	if (env && *env)
		return env;
#ifdef COVE_LOADER_INSTALL_PATH
	if (access(COVE_LOADER_INSTALL_PATH, X_OK) == 0)
		return COVE_LOADER_INSTALL_PATH;
#endif
#ifdef COVE_LOADER_BUILD_PATH
	return COVE_LOADER_BUILD_PATH;
#else
	return "cove-loader";
#endif
}

static cove_err read_geometry(const char *path, cove_enclave_config *cfg, cove_error *e)
{
	cove_buf data = {0};
	cove_enclave_image *img = NULL;
	cove_err rc;

	rc = cove_file_read(path, COVE_ENCLAVE_IMAGE_MAX, &data, e);
	if (rc)
		return rc;
	rc = cove_enclave_image_parse(data.data, data.len, &img, e);
	if (!rc)
		*cfg = *cove_enclave_image_config(img);
	cove_enclave_image_free(img);
	cove_buf_free(&data);
	return rc;
}

static cove_err spawn_loader(host_enc *h, int memfd, const char *loader, const char *image, uint32_t flags,
			     const char *platform_dir, cove_error *e)
{
	posix_spawn_file_actions_t fa;
	char *argv[10];
	int argc = 0, rc;

	argv[argc++] = (char *)"cove-loader";
	argv[argc++] = (char *)"--image";
	argv[argc++] = (char *)image;
	argv[argc++] = (char *)"--platform-dir";
	argv[argc++] = (char *)platform_dir;
	if (flags & COVE_ENCLAVE_FLAG_DEBUG)
		argv[argc++] = (char *)"--debug";
	if (flags & COVE_ENCLAVE_FLAG_REQUIRE_SECRET)
		argv[argc++] = (char *)"--require-secret";
	argv[argc] = NULL;

	posix_spawn_file_actions_init(&fa);
	/* The loader inherits stdin/stdout/stderr and the shared memory as fd 3: nothing else. */
	posix_spawn_file_actions_adddup2(&fa, memfd, COVE_CHAN_FD);
	posix_spawn_file_actions_addclosefrom_np(&fa, COVE_CHAN_FD + 1);
	rc = posix_spawn(&h->pid, loader, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc) {
		h->pid = 0;
		return cove_error_set(e, COVE_ERR_IO, "enclave: cannot start the loader %s: %s", loader, strerror(rc));
	}
	return COVE_OK;
}

cove_err cove_enclave_create(const char *path, uint32_t flags, const cove_enclave_create_opts *o, cove_enclave **out,
			     cove_error *e)
{
	host_enc *h = NULL;
	cove_enclave_config cfg;
	char image[PATH_MAX], pdir[PATH_MAX];
	int memfd = -1;
	uint64_t off;
	cove_err rc;

	if (!out || !path)
		return cove_error_set(e, COVE_ERR_ARG, "enclave: no image path or output handle");
	*out = NULL;
	if (!(flags & COVE_ENCLAVE_FLAG_EMULATED))
		return cove_error_set(e, COVE_ERR_UNSUPPORTED,
				      "enclave %s: this build runs enclaves on cove's emulated platform only "
				      "(COVE_ENCLAVE_FLAG_EMULATED); SGX hardware is not supported", path);
	if (flags & ~(COVE_ENCLAVE_FLAG_DEBUG | COVE_ENCLAVE_FLAG_EMULATED | COVE_ENCLAVE_FLAG_REQUIRE_SECRET))
		return cove_error_set(e, COVE_ERR_ARG, "enclave %s: unknown flags %#x", path, flags);
	if (!realpath(path, image))
		return cove_error_set(e, COVE_ERR_IO, "enclave %s: %s", path, strerror(errno));
	if (o && o->platform_dir) {
		if (snprintf(pdir, sizeof(pdir), "%s", o->platform_dir) >= (int)sizeof(pdir))
			return cove_error_set(e, COVE_ERR_ARG, "enclave: platform directory name too long");
	} else {
		rc = cove_platform_default_dir(pdir, sizeof(pdir), e);
		if (rc)
			return rc;
	}
	/* The host reads the configuration only to size the shared memory; the loader re-checks everything. */
	rc = read_geometry(image, &cfg, e);
	if (rc)
		return rc;

	h = calloc(1, sizeof(*h));
	if (!h)
		return cove_error_set(e, COVE_ERR_NOMEM, "enclave: out of memory");
	pthread_mutex_init(&h->mu, NULL);
	pthread_cond_init(&h->cv, NULL);
	pthread_mutex_init(&h->heap.mu, NULL);
	h->ntcs = cfg.tcs_count;
	h->nworkers = cfg.switchless_workers;
	h->nchannels = h->ntcs + h->nworkers;
	h->spin = o && o->spin_iterations ? o->spin_iterations : DEFAULT_SPIN;

	off = COVE_CHAN_CONTROL_SIZE;
	{
		uint64_t chan_off = off;
		uint64_t sl_off = chan_off + (uint64_t)h->nchannels * sizeof(cove_chan);
		uint64_t osl_off = sl_off + SLOTS * sizeof(cove_chan_slot);
		uint64_t heap_off = (osl_off + SLOTS * sizeof(cove_chan_slot) + 4095) & ~UINT64_C(4095);
		uint64_t region_off = heap_off + HOST_HEAP_SIZE;
		h->area_size = region_off + (uint64_t)h->nchannels * ENCLAVE_REGION_SIZE;

		memfd = memfd_create("cove-marshalling", MFD_CLOEXEC);
		if (memfd < 0 || ftruncate(memfd, (off_t)h->area_size) != 0) {
			rc = cove_error_set(e, COVE_ERR_IO, "enclave: shared memory: %s", strerror(errno));
			goto out;
		}
		h->area = mmap(NULL, h->area_size, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
		if (h->area == MAP_FAILED) {
			h->area = NULL;
			rc = cove_error_set(e, COVE_ERR_IO, "enclave: mapping shared memory: %s", strerror(errno));
			goto out;
		}
		h->ctl = (cove_chan_control *)h->area;
		h->chans = (cove_chan *)(h->area + chan_off);
		h->slots = (cove_chan_slot *)(h->area + sl_off);
		h->oslots = (cove_chan_slot *)(h->area + osl_off);
		h->ctl->magic = COVE_CHAN_MAGIC;
		h->ctl->version = COVE_CHAN_VERSION;
		h->ctl->nchannels = h->nchannels;
		h->ctl->ntcs = h->ntcs;
		h->ctl->nworkers = h->nworkers;
		h->ctl->nslots = SLOTS;
		h->ctl->area_size = h->area_size;
		h->ctl->chan_off = chan_off;
		h->ctl->sl_off = sl_off;
		h->ctl->osl_off = osl_off;
		h->ctl->heap_off = heap_off;
		h->ctl->heap_size = HOST_HEAP_SIZE;
		h->ctl->region_off = region_off;
		h->ctl->region_size = ENCLAVE_REGION_SIZE;
		h->ctl->spin = h->spin;
		h->heap.base = h->area + heap_off;
		h->heap.size = HOST_HEAP_SIZE;
		h->heap.cls = calloc(HOST_HEAP_SIZE / HEAP_GRAIN, 1);
	}
	h->seen = calloc(h->nchannels, sizeof(*h->seen));
	h->busy = calloc(h->ntcs ? h->ntcs : 1, sizeof(*h->busy));
	if (!h->heap.cls || !h->seen || !h->busy) {
		rc = cove_error_set(e, COVE_ERR_NOMEM, "enclave: out of memory");
		goto out;
	}

	rc = spawn_loader(h, memfd, loader_path(o), image, flags, pdir, e);
	if (rc)
		goto out;
	close(memfd);
	memfd = -1;
	if (pthread_create(&h->monitor, NULL, monitor_main, h) != 0) {
		rc = cove_error_set(e, COVE_ERR_IO, "enclave: cannot start the monitor thread");
		goto out;
	}
	h->monitor_started = true;

	/* Wait for the loader's verdict (it measures the image: seconds at most for a large heap). */
	for (;;) {
		struct timespec ts = {0, TICK_MS * 1000000L};
		uint32_t s = atomic_load(&h->ctl->state);
		if (s == COVE_CHAN_READY)
			break;
		if (s == COVE_CHAN_REFUSED || atomic_load(&h->lost)) {
			char reason[sizeof(h->ctl->reason)];
			cove_err code = s == COVE_CHAN_REFUSED && h->ctl->refuse_err ? (cove_err)h->ctl->refuse_err
										 : COVE_ERR_IO;
			memcpy(reason, h->ctl->reason, sizeof(reason));
			reason[sizeof(reason) - 1] = '\0';
			if (s != COVE_CHAN_REFUSED) {
				pthread_join(h->monitor, NULL);
				h->monitor_started = false;
				h->pid = 0;
				rc = cove_error_set(e, COVE_ERR_IO, "enclave %s: the loader did not start: %s", path,
						    h->lost_reason);
			} else {
				rc = cove_error_set(e, code, "enclave %s refused by the loader: %s", path, reason);
			}
			goto out;
		}
		cove_futex_wait(&h->ctl->state, s, &ts);
	}

	memcpy(h->info.mr_enclave, h->ctl->mr_enclave, 32);
	memcpy(h->info.mr_signer, h->ctl->mr_signer, 32);
	h->info.isv_prod_id = h->ctl->isv_prod_id;
	h->info.isv_svn = h->ctl->isv_svn;
	h->info.attr_flags = h->ctl->attr_flags;
	h->info.debug = (h->ctl->attr_flags & COVE_SGX_ATTR_DEBUG) != 0;
	h->info.secret_memory = h->ctl->secret_memory != 0;
	h->info.tcs_count = h->ntcs;
	h->info.switchless_workers = h->nworkers;
	h->info.pid = h->pid;

	rc = cove_edge_enclave_new(&host_ops, h, &h->handle, e);
	if (rc)
		goto out;
	*out = h->handle;
	h = NULL;
out:
	if (memfd >= 0)
		close(memfd);
	if (h)
		host_close(h);
	return rc;
}

void cove_enclave_terminate(cove_enclave *enc)
{
	cove_edge_enclave_free(enc);
}

cove_err cove_enclave_get_info(const cove_enclave *enc, cove_enclave_info *out, cove_error *e)
{
	host_enc *h = cove_edge_enclave_context(enc);

	if (!h || !out)
		return cove_error_set(e, COVE_ERR_ARG, "enclave info: no enclave or output");
	*out = h->info;
	return COVE_OK;
}

const char *cove_enclave_lost_reason(const cove_enclave *enc)
{
	host_enc *h = cove_edge_enclave_context(enc);

	if (!h || !atomic_load(&h->lost))
		return NULL;
	return h->lost_reason;
}

/* ---- test hooks (src/host/runtime_test.h) ---- */

cove_err cove_host_test_raw_ecall(cove_enclave *enc, const cove_edge_frame *frame, cove_edge_status *status,
				  cove_error *e)
{
	host_enc *h = cove_edge_enclave_context(enc);
	cove_edge_frame *f;
	uint32_t chan;

	if (!h || !frame || !status)
		return cove_error_set(e, COVE_ERR_ARG, "raw ecall: missing argument");
	f = heap_alloc(&h->heap, sizeof(*f));
	if (!f)
		return cove_error_set(e, COVE_ERR_NOMEM, "raw ecall: marshalling heap exhausted");
	memcpy(f, frame, sizeof(*f));
	*status = acquire_tcs(h, &chan);
	if (!*status) {
		cove_chan_post(&h->chans[chan].to_enclave, COVE_MSG_ECALL, 0, (uint64_t)((uint8_t *)f - h->area));
		*status = run_on_channel(h, chan);
		release_tcs(h, chan);
	}
	heap_free(&h->heap, f);
	return COVE_OK;
}

cove_err cove_host_test_area(cove_enclave *enc, const void *p, size_t *offset, cove_error *e)
{
	host_enc *h = cove_edge_enclave_context(enc);

	if (!h || !offset || !in_area(h, p, 1))
		return cove_error_set(e, COVE_ERR_ARG, "area offset: not a pointer into the marshalling area");
	*offset = (size_t)((const uint8_t *)p - h->area);
	return COVE_OK;
}
