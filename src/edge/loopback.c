/*
 * The loopback edge transport (cove/edge_loopback.h): host and simulated
 * enclave in one process, calls delivered on the caller's thread through real
 * cove_edge_frame slots in a simulated marshalling area.  For tests and
 * development only - it isolates nothing.
 *
 * Calls follow the ABI exactly as the process-isolated runtime (issue #5)
 * will: the caller writes a frame with area-relative offsets, the receiving
 * side snapshots it once, validates it (cove_edge_frame_check) and dispatches
 * through the generated table (cove_edge_dispatch_ecall/_ocall).  The fetch
 * hook stands in for a host thread rewriting shared memory between the
 * enclave's first read and its use.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cove/bytes.h"
#include "cove/edge_loopback.h"

/* ---- a small first-fit heap over a fixed region ---- */

/*
 * Blocks are [16-byte header][payload], payload a multiple of 16.  Header:
 * le64 payload size, le64 used flag.  Freed payloads are zeroed and adjacent
 * free blocks merged (absorbed headers zeroed), so freeing everything restores
 * the region's initial bytes.
 */
#define HDR 16u

typedef struct lb_heap {
	uint8_t *base;
	size_t size;
	size_t in_use;
} lb_heap;

static void heap_init(lb_heap *h, uint8_t *base, size_t size)
{
	h->base = base;
	h->size = size;
	h->in_use = 0;
	cove_put_le64(base, size - HDR);
	cove_put_le64(base + 8, 0);
}

static void *heap_alloc(lb_heap *h, size_t n)
{
	size_t want = n ? n : 1;

	if (want > h->size)
		return NULL;
	want = (want + 15u) & ~(size_t)15u;
	for (size_t off = 0; off + HDR <= h->size;) {
		uint8_t *b = h->base + off;
		size_t sz = (size_t)cove_le64(b);
		bool used = cove_le64(b + 8) != 0;
		if (!used && sz >= want) {
			if (sz - want >= 2 * HDR) {
				uint8_t *nb = b + HDR + want;
				cove_put_le64(nb, sz - want - HDR);
				cove_put_le64(nb + 8, 0);
				cove_put_le64(b, want);
				sz = want;
			}
			cove_put_le64(b + 8, 1);
			h->in_use += HDR + sz;
			return b + HDR;
		}
		off += HDR + sz;
	}
	return NULL;
}

static void heap_free(lb_heap *h, void *p)
{
	uint8_t *b = NULL;
	size_t off;

	for (off = 0; off + HDR <= h->size;) {
		uint8_t *c = h->base + off;
		if (c + HDR == (uint8_t *)p) {
			b = c;
			break;
		}
		off += HDR + (size_t)cove_le64(c);
	}
	if (!b || cove_le64(b + 8) == 0) {
		/* A bridge freed something it did not allocate: a bug worth stopping on. */
		fprintf(stderr, "cove edge loopback: invalid free of %p\n", p);
		abort();
	}
	size_t sz = (size_t)cove_le64(b);
	memset(b + HDR, 0, sz);
	cove_put_le64(b + 8, 0);
	h->in_use -= HDR + sz;
	/* Merge runs of free blocks. */
	for (off = 0; off + HDR <= h->size;) {
		uint8_t *c = h->base + off;
		size_t csz = (size_t)cove_le64(c);
		if (cove_le64(c + 8) == 0 && off + 2 * HDR + csz <= h->size) {
			uint8_t *n = c + HDR + csz;
			if (cove_le64(n + 8) == 0) {
				size_t nsz = (size_t)cove_le64(n);
				memset(n, 0, HDR);
				cove_put_le64(c, csz + HDR + nsz);
				continue;
			}
		}
		off += HDR + csz;
	}
}

/* ---- the transport ---- */

struct cove_edge_loopback {
	uint8_t *map;
	size_t map_size;
	uint8_t *shared;
	size_t shared_size;
	uint8_t *enclave;
	size_t enclave_size;
	lb_heap shared_heap;
	lb_heap enclave_heap;
	pthread_mutex_t mu;
	const cove_edge_table *ecalls;
	cove_edge_transport host;
	cove_edge_transport trusted;
	cove_enclave *handle;
	cove_edge_loopback_hook hook;
	void *hook_arg;
	cove_edge_loopback_stats stats;
};

/* The ocall table of the ecall this thread is serving (set around each delivery). */
static _Thread_local const cove_edge_table *lb_ocalls;

static bool range_in(const uint8_t *base, size_t size, const void *p, size_t n)
{
	uintptr_t a = (uintptr_t)p, b = (uintptr_t)base;
	if (n == 0)
		n = 1;
	return a >= b && n <= size && a - b <= size - n;
}

static bool lb_is_within(void *ctx, const void *p, size_t n)
{
	cove_edge_loopback *lb = ctx;
	return range_in(lb->enclave, lb->enclave_size, p, n);
}

static bool lb_is_outside(void *ctx, const void *p, size_t n)
{
	cove_edge_loopback *lb = ctx;
	uintptr_t a = (uintptr_t)p, eb = (uintptr_t)lb->enclave, ee = eb + lb->enclave_size;
	if (n == 0)
		n = 1;
	if (n > UINTPTR_MAX - a)
		return false; /* wraps: never "outside" */
	return a + n <= eb || a >= ee;
}

static bool lb_is_shared(void *ctx, const void *p, size_t n)
{
	cove_edge_loopback *lb = ctx;
	return range_in(lb->shared, lb->shared_size, p, n);
}

static void *lb_alloc_untrusted(void *ctx, size_t n)
{
	cove_edge_loopback *lb = ctx;
	pthread_mutex_lock(&lb->mu);
	void *p = heap_alloc(&lb->shared_heap, n);
	pthread_mutex_unlock(&lb->mu);
	return p;
}

static void lb_free_untrusted(void *ctx, void *p)
{
	cove_edge_loopback *lb = ctx;
	pthread_mutex_lock(&lb->mu);
	heap_free(&lb->shared_heap, p);
	pthread_mutex_unlock(&lb->mu);
}

static void *lb_alloc_trusted(void *ctx, size_t n)
{
	cove_edge_loopback *lb = ctx;
	pthread_mutex_lock(&lb->mu);
	void *p = heap_alloc(&lb->enclave_heap, n);
	pthread_mutex_unlock(&lb->mu);
	return p;
}

static void lb_free_trusted(void *ctx, void *p)
{
	cove_edge_loopback *lb = ctx;
	pthread_mutex_lock(&lb->mu);
	heap_free(&lb->enclave_heap, p);
	pthread_mutex_unlock(&lb->mu);
}

/* Enclave face: every read out of shared memory goes through here, then the hostile-host hook runs. */
static void lb_copy_in_trusted(void *ctx, void *dst, const void *src, size_t n)
{
	cove_edge_loopback *lb = ctx;
	memcpy(dst, src, n);
	if (lb->hook && lb_is_shared(ctx, src, n))
		lb->hook(lb->hook_arg, (void *)(uintptr_t)src, n);
}

static void count(cove_edge_loopback *lb, uint64_t *c, uint64_t *sw, uint32_t flags)
{
	pthread_mutex_lock(&lb->mu);
	(*c)++;
	if (flags & COVE_EDGE_CALL_SWITCHLESS)
		(*sw)++;
	pthread_mutex_unlock(&lb->mu);
}

/* Write a frame for a call whose buffers the caller placed in the marshalling area. */
static cove_edge_status frame_new(cove_edge_loopback *lb, cove_edge_kind kind, uint32_t id, uint32_t flags,
				  const void *in, size_t in_size, const void *out, size_t out_size, size_t *frame_off)
{
	cove_edge_frame *f;

	if ((in_size && !lb_is_shared(lb, in, in_size)) || (out_size && !lb_is_shared(lb, out, out_size)))
		return COVE_EDGE_BAD_POINTER;
	f = lb_alloc_untrusted(lb, sizeof(*f));
	if (!f)
		return COVE_EDGE_OUT_OF_MEMORY;
	memset(f, 0, sizeof(*f));
	f->magic = COVE_EDGE_FRAME_MAGIC;
	f->version = COVE_EDGE_ABI_VERSION;
	f->kind = (uint16_t)kind;
	f->id = id;
	f->flags = flags & COVE_EDGE_CALL_SWITCHLESS;
	f->in_off = in_size ? (uint64_t)((const uint8_t *)in - lb->shared) : 0;
	f->in_size = in_size;
	f->out_off = out_size ? (uint64_t)((const uint8_t *)out - lb->shared) : 0;
	f->out_size = out_size;
	*frame_off = (size_t)((uint8_t *)f - lb->shared);
	return COVE_EDGE_OK;
}

cove_edge_status cove_edge_loopback_deliver(cove_edge_loopback *lb, size_t frame_off, const cove_edge_table *ocalls)
{
	cove_edge_frame snap;
	cove_edge_status st;

	if (!lb)
		return COVE_EDGE_INVALID_PARAMETER;
	if (frame_off % COVE_EDGE_ALIGN || frame_off > lb->shared_size || lb->shared_size - frame_off < sizeof(snap))
		return COVE_EDGE_BAD_FRAME;
	cove_edge_frame *shared = (cove_edge_frame *)(lb->shared + frame_off);
	/* One read of the frame; everything below uses the snapshot. */
	lb_copy_in_trusted(lb, &snap, shared, sizeof(snap));
	st = cove_edge_frame_check(&snap, COVE_EDGE_KIND_ECALL, lb->shared_size);
	if (st) {
		pthread_mutex_lock(&lb->mu);
		lb->stats.refused_frames++;
		pthread_mutex_unlock(&lb->mu);
		shared->status = (uint32_t)st;
		return st;
	}
	count(lb, &lb->stats.ecalls, &lb->stats.switchless_ecalls, snap.flags);
	const cove_edge_table *saved = lb_ocalls;
	lb_ocalls = ocalls;
	st = cove_edge_dispatch_ecall(&lb->trusted, lb->ecalls, snap.id, snap.in_size ? lb->shared + snap.in_off : NULL,
				      (size_t)snap.in_size, snap.out_size ? lb->shared + snap.out_off : NULL,
				      (size_t)snap.out_size);
	lb_ocalls = saved;
	shared->status = (uint32_t)st;
	return st;
}

static cove_edge_status lb_ecall(void *ctx, uint32_t id, uint32_t flags, const cove_edge_table *ocalls, void *in,
				 size_t in_size, void *out, size_t out_size)
{
	cove_edge_loopback *lb = ctx;
	size_t off;
	cove_edge_status st = frame_new(lb, COVE_EDGE_KIND_ECALL, id, flags, in, in_size, out, out_size, &off);
	if (st)
		return st;
	st = cove_edge_loopback_deliver(lb, off, ocalls);
	lb_free_untrusted(lb, lb->shared + off);
	return st;
}

static cove_edge_status lb_ocall(void *ctx, uint32_t id, uint32_t flags, void *in, size_t in_size, void *out,
				 size_t out_size)
{
	cove_edge_loopback *lb = ctx;
	cove_edge_frame snap;
	size_t off;
	cove_edge_status st = frame_new(lb, COVE_EDGE_KIND_OCALL, id, flags, in, in_size, out, out_size, &off);
	if (st)
		return st;
	/* The host side takes the frame as the runtime's host loop would. */
	memcpy(&snap, lb->shared + off, sizeof(snap));
	st = cove_edge_frame_check(&snap, COVE_EDGE_KIND_OCALL, lb->shared_size);
	if (!st) {
		count(lb, &lb->stats.ocalls, &lb->stats.switchless_ocalls, snap.flags);
		if (!lb_ocalls)
			st = COVE_EDGE_INVALID_FUNCTION;
		else
			st = cove_edge_dispatch_ocall(&lb->host, lb_ocalls, snap.id,
						      snap.in_size ? lb->shared + snap.in_off : NULL, (size_t)snap.in_size,
						      snap.out_size ? lb->shared + snap.out_off : NULL,
						      (size_t)snap.out_size);
	}
	((cove_edge_frame *)(lb->shared + off))->status = (uint32_t)st;
	lb_free_untrusted(lb, lb->shared + off);
	return st;
}

static const cove_edge_transport_ops host_ops = {
	.ecall = lb_ecall,
	.alloc_untrusted = lb_alloc_untrusted,
	.free_untrusted = lb_free_untrusted,
	.is_shared = lb_is_shared,
	.is_within_enclave = lb_is_within,
	.is_outside_enclave = lb_is_outside,
};

static const cove_edge_transport_ops trusted_ops = {
	.ocall = lb_ocall,
	.alloc_untrusted = lb_alloc_untrusted,
	.free_untrusted = lb_free_untrusted,
	.is_shared = lb_is_shared,
	.is_within_enclave = lb_is_within,
	.is_outside_enclave = lb_is_outside,
	.alloc_trusted = lb_alloc_trusted,
	.free_trusted = lb_free_trusted,
	.copy_in = lb_copy_in_trusted,
};

cove_err cove_edge_loopback_new(const cove_edge_table *ecalls, const cove_edge_loopback_config *cfg,
				cove_edge_loopback **out, cove_error *e)
{
	cove_edge_loopback *lb = NULL;
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t ss = cfg && cfg->shared_size ? cfg->shared_size : (size_t)1 << 20;
	size_t es = cfg && cfg->enclave_size ? cfg->enclave_size : (size_t)4 << 20;
	cove_err err;

	if (!out)
		return cove_error_set(e, COVE_ERR_ARG, "edge loopback: no output pointer");
	*out = NULL;
	if (!ecalls || ecalls->abi_version != COVE_EDGE_ABI_VERSION)
		return cove_error_set(e, COVE_ERR_ARG, "edge loopback: the ecall table is missing or of another ABI version");
	if (ss > ((size_t)1 << 40) || es > ((size_t)1 << 40))
		return cove_error_set(e, COVE_ERR_ARG, "edge loopback: regions are limited to 1 TiB");
	ss = (ss + page - 1) / page * page;
	es = (es + page - 1) / page * page;
	lb = calloc(1, sizeof(*lb));
	if (!lb)
		return cove_error_set(e, COVE_ERR_NOMEM, "edge loopback: out of memory");
	lb->map_size = ss + es + page;
	lb->map = mmap(NULL, lb->map_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (lb->map == MAP_FAILED) {
		lb->map = NULL;
		err = cove_error_set(e, COVE_ERR_NOMEM, "edge loopback: cannot map %zu bytes", lb->map_size);
		goto out;
	}
	/* A guard page after the enclave region turns any overrun into a fault. */
	if (mprotect(lb->map + ss + es, page, PROT_NONE) != 0) {
		err = cove_error_set(e, COVE_ERR_IO, "edge loopback: cannot protect the guard page");
		goto out;
	}
	lb->shared = lb->map;
	lb->shared_size = ss;
	lb->enclave = lb->map + ss;
	lb->enclave_size = es;
	heap_init(&lb->shared_heap, lb->shared, ss);
	heap_init(&lb->enclave_heap, lb->enclave, es);
	pthread_mutex_init(&lb->mu, NULL);
	lb->ecalls = ecalls;
	lb->host = (cove_edge_transport){&host_ops, lb, false};
	lb->trusted = (cove_edge_transport){&trusted_ops, lb, true};
	err = cove_edge_enclave_new(&host_ops, lb, &lb->handle, e);
	if (err) {
		pthread_mutex_destroy(&lb->mu);
		goto out;
	}
	*out = lb;
	return COVE_OK;
out:
	if (lb->map)
		munmap(lb->map, lb->map_size);
	free(lb);
	return err;
}

void cove_edge_loopback_free(cove_edge_loopback *lb)
{
	if (!lb)
		return;
	cove_edge_enclave_free(lb->handle); /* host_ops has no close: the loopback owns itself */
	pthread_mutex_destroy(&lb->mu);
	munmap(lb->map, lb->map_size);
	free(lb);
}

cove_enclave *cove_edge_loopback_enclave(cove_edge_loopback *lb)
{
	return lb ? lb->handle : NULL;
}

const cove_edge_transport *cove_edge_loopback_trusted(cove_edge_loopback *lb)
{
	return lb ? &lb->trusted : NULL;
}

const cove_edge_transport *cove_edge_loopback_untrusted(cove_edge_loopback *lb)
{
	return lb ? &lb->host : NULL;
}

void cove_edge_loopback_shared_region(const cove_edge_loopback *lb, uint8_t **base, size_t *size)
{
	*base = lb->shared;
	*size = lb->shared_size;
}

void cove_edge_loopback_enclave_region(const cove_edge_loopback *lb, uint8_t **base, size_t *size)
{
	*base = lb->enclave;
	*size = lb->enclave_size;
}

size_t cove_edge_loopback_shared_in_use(cove_edge_loopback *lb)
{
	pthread_mutex_lock(&lb->mu);
	size_t n = lb->shared_heap.in_use;
	pthread_mutex_unlock(&lb->mu);
	return n;
}

size_t cove_edge_loopback_enclave_in_use(cove_edge_loopback *lb)
{
	pthread_mutex_lock(&lb->mu);
	size_t n = lb->enclave_heap.in_use;
	pthread_mutex_unlock(&lb->mu);
	return n;
}

void *cove_edge_loopback_enclave_alloc(cove_edge_loopback *lb, size_t n)
{
	return lb_alloc_trusted(lb, n);
}

void cove_edge_loopback_enclave_free(cove_edge_loopback *lb, void *p)
{
	if (p)
		lb_free_trusted(lb, p);
}

void cove_edge_loopback_set_fetch_hook(cove_edge_loopback *lb, cove_edge_loopback_hook hook, void *arg)
{
	lb->hook = hook;
	lb->hook_arg = arg;
}

void cove_edge_loopback_get_stats(cove_edge_loopback *lb, cove_edge_loopback_stats *out)
{
	pthread_mutex_lock(&lb->mu);
	*out = lb->stats;
	pthread_mutex_unlock(&lb->mu);
}
