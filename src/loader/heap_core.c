/*
 * The loader's allocator core (see heap_core.h for the layout and the
 * zero-on-free invariant).  Boundary tags and segregated free lists as in
 * Knuth's TAOCP 2.5 and Doug Lea's allocator design note; the code is cove's.
 */
#include <string.h>

#include "heap_core.h"

struct cove_heap_chunk {
	size_t prev_size;      /* size of the chunk below; 0 for the first chunk */
	size_t head;           /* own size (a multiple of 16) | IN_USE */
	cove_heap_chunk *next; /* free list links: free chunks only, first payload bytes */
	cove_heap_chunk *prev;
};

#define HDR ((size_t)16)
#define MIN_CHUNK ((size_t)32)
#define IN_USE ((size_t)1)
#define SIZE_MASK (~(size_t)15)
#define NSMALL 64u /* bins 0..63: exact sizes below 1 KiB (only 2..63 are used) */

_Static_assert(sizeof(cove_heap_chunk) == MIN_CHUNK, "chunk header + links");
_Static_assert(COVE_HEAP_ALIGN == HDR, "the header keeps payloads aligned");

static size_t csize(const cove_heap_chunk *c) { return c->head & SIZE_MASK; }
static bool cinuse(const cove_heap_chunk *c) { return (c->head & IN_USE) != 0; }
static uint8_t *cmem(cove_heap_chunk *c) { return (uint8_t *)c + HDR; }
static cove_heap_chunk *at(void *p) { return (cove_heap_chunk *)p; }
static cove_heap_chunk *cnext(cove_heap_chunk *c) { return at((uint8_t *)c + csize(c)); }

static unsigned bin_index(size_t size)
{
	if (size < 1024)
		return (unsigned)(size >> 4);
	/* Four bins per power of two, by the two bits below the leading one. */
	unsigned lg = 63u - (unsigned)__builtin_clzll((unsigned long long)size);
	size_t idx = NSMALL + (size_t)(lg - 10) * 4 + ((size >> (lg - 2)) & 3);
	return idx < COVE_HEAP_NBINS ? (unsigned)idx : COVE_HEAP_NBINS - 1;
}

/* Chunk size for an n-byte request; 0 when n is too large to represent. */
static size_t request_size(size_t n)
{
	if (n > SIZE_MAX - 2 * COVE_HEAP_MAX_ALIGN - 4 * MIN_CHUNK)
		return 0;
	size_t s = (n + HDR + 15) & SIZE_MASK;
	return s < MIN_CHUNK ? MIN_CHUNK : s;
}

static void bin_insert(cove_heap_core *h, cove_heap_chunk *c)
{
	unsigned i = bin_index(csize(c));
	c->prev = NULL;
	c->next = h->bins[i];
	if (c->next)
		c->next->prev = c;
	h->bins[i] = c;
	h->bitmap[i / 64] |= (uint64_t)1 << (i % 64);
}

static void bin_unlink(cove_heap_core *h, cove_heap_chunk *c)
{
	unsigned i = bin_index(csize(c));
	if (c->prev)
		c->prev->next = c->next;
	else
		h->bins[i] = c->next;
	if (c->next)
		c->next->prev = c->prev;
	if (!h->bins[i])
		h->bitmap[i / 64] &= ~((uint64_t)1 << (i % 64));
	/* A chunk leaving the lists is in use or becomes interior: its links must read zero. */
	c->next = NULL;
	c->prev = NULL;
}

/* First non-empty bin at index >= from, or -1. */
static int bin_find(const cove_heap_core *h, unsigned from)
{
	for (unsigned w = from / 64; w < COVE_HEAP_NBINS / 64; w++) {
		uint64_t bits = h->bitmap[w];
		if (w == from / 64)
			bits &= ~(uint64_t)0 << (from % 64);
		if (bits)
			return (int)(w * 64 + (unsigned)__builtin_ctzll(bits));
	}
	return -1;
}

/* Tell the chunk above c (or the top) that c is now csize(c) bytes. */
static void set_above_prev_size(cove_heap_core *h, cove_heap_chunk *c)
{
	cove_heap_chunk *n = cnext(c);
	if ((uint8_t *)n < h->top)
		n->prev_size = csize(c);
	else
		h->last_size = csize(c);
}

void cove_heap_core_init(cove_heap_core *h, void *mem, size_t size)
{
	memset(h, 0, sizeof(*h));
	uintptr_t lo = ((uintptr_t)mem + 15) & ~(uintptr_t)15;
	uintptr_t hi = ((uintptr_t)mem + size) & ~(uintptr_t)15;
	if (hi < lo)
		hi = lo;
	h->base = (uint8_t *)lo;
	h->top = h->base;
	h->end = (uint8_t *)hi;
}

/*
 * Release the free-to-be chunk c (already out of in_use's count, payload
 * already zero): merge it with free neighbours or the top, then list it.
 */
static void release(cove_heap_core *h, cove_heap_chunk *c)
{
	size_t size = csize(c);
	cove_heap_chunk *n = cnext(c);
	if (c->prev_size) {
		cove_heap_chunk *p = at((uint8_t *)c - c->prev_size);
		if (!cinuse(p)) {
			bin_unlink(h, p);
			memset(c, 0, HDR); /* c's header becomes free payload */
			size += csize(p);
			c = p;
		}
	}
	if ((uint8_t *)n == h->top) {
		h->top = (uint8_t *)c;
		h->last_size = c->prev_size;
		memset(c, 0, MIN_CHUNK); /* the top is all zero */
		return;
	}
	if (!cinuse(n)) {
		bin_unlink(h, n);
		size += csize(n);
		memset(n, 0, MIN_CHUNK);
	}
	c->head = size;
	set_above_prev_size(h, c);
	bin_insert(h, c);
}

/* Free the part of in-use chunk c above its first `keep` bytes (when worth a chunk). */
static void trim(cove_heap_core *h, cove_heap_chunk *c, size_t keep, bool zero)
{
	size_t size = csize(c);
	if (size - keep < MIN_CHUNK)
		return;
	cove_heap_chunk *t = at((uint8_t *)c + keep);
	c->head = keep | IN_USE;
	t->prev_size = keep;
	t->head = (size - keep) | IN_USE;
	set_above_prev_size(h, t);
	h->in_use -= size - keep;
	if (zero)
		memset(cmem(t), 0, size - keep - HDR);
	release(h, t);
}

/* An in-use chunk of exactly `need` bytes (or a little more), or NULL. */
static cove_heap_chunk *take(cove_heap_core *h, size_t need)
{
	unsigned i = bin_index(need);
	cove_heap_chunk *c = NULL;
	if (i >= NSMALL) {
		for (cove_heap_chunk *f = h->bins[i]; f; f = f->next)
			if (csize(f) >= need) {
				c = f;
				break;
			}
	} else {
		c = h->bins[i];
	}
	if (!c) {
		/* Every chunk in a higher bin is larger than any in bin i. */
		int j = bin_find(h, i + 1);
		if (j >= 0)
			c = h->bins[j];
	}
	if (c) {
		bin_unlink(h, c);
		size_t size = csize(c);
		c->head = size | IN_USE;
		h->in_use += size;
		if (size - need >= MIN_CHUNK) {
			/* The remainder lies in zero memory: list it without zeroing again. */
			cove_heap_chunk *r = at((uint8_t *)c + need);
			c->head = need | IN_USE;
			r->prev_size = need;
			r->head = size - need;
			set_above_prev_size(h, r);
			bin_insert(h, r);
			h->in_use -= size - need;
		}
		return c;
	}
	if ((size_t)(h->end - h->top) < need)
		return NULL;
	c = at(h->top);
	c->prev_size = h->last_size;
	c->head = need | IN_USE;
	h->top += need;
	h->last_size = need;
	h->in_use += need;
	return c;
}

void *cove_heap_core_alloc(cove_heap_core *h, size_t n)
{
	size_t need = request_size(n);
	if (!need)
		return NULL;
	cove_heap_chunk *c = take(h, need);
	return c ? cmem(c) : NULL;
}

void *cove_heap_core_memalign(cove_heap_core *h, size_t align, size_t n)
{
	if (align == 0 || (align & (align - 1)) || align > COVE_HEAP_MAX_ALIGN)
		return NULL;
	if (align <= COVE_HEAP_ALIGN)
		return cove_heap_core_alloc(h, n);
	size_t need = request_size(n);
	if (!need)
		return NULL;
	/* Room for the chunk at any alignment plus a leading chunk of at least MIN_CHUNK. */
	cove_heap_chunk *c = take(h, need + align + MIN_CHUNK);
	if (!c)
		return NULL;
	uintptr_t mem = (uintptr_t)cmem(c);
	uintptr_t a = (mem + align - 1) & ~(uintptr_t)(align - 1);
	if (a != mem) {
		if (a - mem < MIN_CHUNK)
			a += align;
		size_t lead = a - mem; /* = (a - HDR) - c, the leading chunk's size */
		size_t size = csize(c);
		cove_heap_chunk *ac = at((uint8_t *)(a - HDR));
		ac->prev_size = lead;
		ac->head = (size - lead) | IN_USE;
		c->head = lead | IN_USE;
		set_above_prev_size(h, ac);
		/* The leading chunk's payload was zero (fresh allocation): release it as is. */
		h->in_use -= lead;
		release(h, c);
		c = ac;
	}
	trim(h, c, need, false);
	return cmem(c);
}

/* The chunk of p when p is a live allocation of h, else NULL. */
static cove_heap_chunk *live_chunk(const cove_heap_core *h, const void *p)
{
	const uint8_t *m = p;
	if (((uintptr_t)m & 15) || m < h->base + HDR || m >= h->top)
		return NULL;
	cove_heap_chunk *c = at((uint8_t *)m - HDR);
	size_t size = csize(c);
	if (!cinuse(c) || size < MIN_CHUNK || size > (size_t)(h->top - (uint8_t *)c))
		return NULL;
	cove_heap_chunk *n = cnext(c);
	if ((uint8_t *)n < h->top ? n->prev_size != size : h->last_size != size)
		return NULL;
	if ((uint8_t *)c == h->base ? c->prev_size != 0
	    : (c->prev_size < MIN_CHUNK || c->prev_size > (size_t)((uint8_t *)c - h->base)
	       || csize(at((uint8_t *)c - c->prev_size)) != c->prev_size))
		return NULL;
	return c;
}

bool cove_heap_core_free(cove_heap_core *h, void *p)
{
	cove_heap_chunk *c = live_chunk(h, p);
	if (!c)
		return false;
	size_t size = csize(c);
	h->in_use -= size;
	memset(cmem(c), 0, size - HDR);
	c->head = size;
	release(h, c);
	return true;
}

void *cove_heap_core_realloc(cove_heap_core *h, void *p, size_t n)
{
	if (!p)
		return cove_heap_core_alloc(h, n);
	cove_heap_chunk *c = live_chunk(h, p);
	size_t need = request_size(n);
	if (!c || !need)
		return NULL;
	size_t size = csize(c);
	if (need <= size) {
		/* What the caller gives back is zeroed, kept slack included. */
		if (n < size - HDR)
			memset((uint8_t *)p + n, 0, size - HDR - n);
		trim(h, c, need, false);
		return p;
	}
	cove_heap_chunk *nx = cnext(c);
	if ((uint8_t *)nx == h->top) {
		if ((size_t)(h->end - (uint8_t *)c) >= need) {
			c->head = need | IN_USE;
			h->top = (uint8_t *)c + need;
			h->last_size = need;
			h->in_use += need - size;
			return p;
		}
	} else if (!cinuse(nx) && size + csize(nx) >= need) {
		size_t grown = size + csize(nx);
		bin_unlink(h, nx);
		memset(nx, 0, MIN_CHUNK);
		c->head = grown | IN_USE;
		h->in_use += grown - size;
		set_above_prev_size(h, c);
		trim(h, c, need, false); /* what lies above the old size is zero */
		return p;
	}
	void *q = cove_heap_core_alloc(h, n);
	if (!q)
		return NULL;
	memcpy(q, p, size - HDR);
	cove_heap_core_free(h, p);
	return q;
}

bool cove_heap_core_owns(const cove_heap_core *h, const void *p)
{
	const uint8_t *m = p;
	return m >= h->base && m < h->top;
}

size_t cove_heap_core_usable_size(const cove_heap_core *h, const void *p)
{
	cove_heap_chunk *c = live_chunk(h, p);
	return c ? csize(c) - HDR : 0;
}

size_t cove_heap_core_in_use(const cove_heap_core *h)
{
	return h->in_use;
}

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

const char *cove_heap_core_check(const cove_heap_core *h)
{
	size_t prev = 0, used = 0, nfree = 0;
	bool prev_free = false;
	uint8_t *p = h->base;
	while (p < h->top) {
		cove_heap_chunk *c = at(p);
		size_t size = csize(c);
		if (size < MIN_CHUNK || size > (size_t)(h->top - p))
			return "chunk size out of range";
		if (c->prev_size != prev)
			return "prev_size does not match the chunk below";
		if (cinuse(c)) {
			used += size;
			prev_free = false;
		} else {
			if (prev_free)
				return "two free chunks side by side";
			if (!all_zero(p + MIN_CHUNK, size - MIN_CHUNK))
				return "free memory is not zero";
			unsigned i = bin_index(size);
			cove_heap_chunk *f = h->bins[i];
			while (f && f != c)
				f = f->next;
			if (!f)
				return "free chunk missing from its list";
			nfree++;
			prev_free = true;
		}
		prev = size;
		p += size;
	}
	if (p != h->top)
		return "chunks overrun the top";
	if (prev != h->last_size)
		return "last_size does not match the chunk below the top";
	if (prev_free)
		return "free chunk next to the top";
	if (used != h->in_use)
		return "in_use does not add up";
	if (!all_zero(h->top, (size_t)(h->end - h->top)))
		return "top memory is not zero";
	size_t listed = 0;
	for (unsigned i = 0; i < COVE_HEAP_NBINS; i++) {
		bool bit = (h->bitmap[i / 64] >> (i % 64)) & 1;
		if (bit != (h->bins[i] != NULL))
			return "bitmap disagrees with a list";
		cove_heap_chunk *back = NULL;
		for (cove_heap_chunk *f = h->bins[i]; f; f = f->next) {
			if ((uint8_t *)f < h->base || (uint8_t *)f >= h->top || cinuse(f))
				return "list holds a chunk that is not free";
			if (bin_index(csize(f)) != i || f->prev != back)
				return "list links or bin are wrong";
			back = f;
			if (++listed > nfree)
				return "lists hold more chunks than the heap";
		}
	}
	if (listed != nfree)
		return "lists and heap disagree on the free chunks";
	return NULL;
}
