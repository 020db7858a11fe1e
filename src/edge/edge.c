/*
 * The enclave edge runtime shared by every transport and by the bridges that
 * cove-edger8r generates (include/cove/edge.h): status names, frame checks,
 * overflow-checked size arithmetic, string checks, the single-pass copy of a
 * buffer the other side wrote, the chunk cursor, and ecall/ocall dispatch with
 * the private-ecall rule.
 *
 * Behaviour mirrored, as facts (shared/research/enclave-sdk.md A1/A2): Intel's
 * trts is_ecall_allowed() (root ecalls must be public, nested ecalls must be in
 * the running ocall's allow() row), the generated trusted bridge's copy of the
 * marshalling struct before use and its SIZE_MAX / sizeof overflow test, and
 * Open Enclave's overflow-checked OE_ADD_SIZE and buffer checks in
 * enclave/core/sgx/calls.c.
 */
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "cove/bytes.h"
#include "cove/edge.h"

const char *cove_edge_status_name(cove_edge_status st)
{
	switch (st) {
	case COVE_EDGE_OK: return "ok";
	case COVE_EDGE_INVALID_PARAMETER: return "invalid-parameter";
	case COVE_EDGE_BAD_POINTER: return "bad-pointer";
	case COVE_EDGE_OVERFLOW: return "overflow";
	case COVE_EDGE_BAD_STRING: return "bad-string";
	case COVE_EDGE_BUFFER_TOO_SMALL: return "buffer-too-small";
	case COVE_EDGE_INVALID_FUNCTION: return "invalid-function";
	case COVE_EDGE_NOT_ALLOWED: return "not-allowed";
	case COVE_EDGE_OUT_OF_MEMORY: return "out-of-memory";
	case COVE_EDGE_UNEXPECTED: return "unexpected";
	case COVE_EDGE_ENCLAVE_LOST: return "enclave-lost";
	case COVE_EDGE_NO_ENCLAVE: return "no-enclave";
	case COVE_EDGE_BAD_FRAME: return "bad-frame";
	case COVE_EDGE_TOO_DEEP: return "too-deep";
	}
	return "unknown";
}

static const char *status_sentence(cove_edge_status st)
{
	switch (st) {
	case COVE_EDGE_OK: return "succeeded";
	case COVE_EDGE_INVALID_PARAMETER: return "was given an invalid parameter";
	case COVE_EDGE_BAD_POINTER: return "was refused a buffer overlapping enclave memory or outside the marshalling area";
	case COVE_EDGE_OVERFLOW: return "was refused a size that overflows or is negative";
	case COVE_EDGE_BAD_STRING: return "was refused a string not terminated within its length";
	case COVE_EDGE_BUFFER_TOO_SMALL: return "found a marshalling buffer too small for its data";
	case COVE_EDGE_INVALID_FUNCTION: return "named a function outside the call table";
	case COVE_EDGE_NOT_ALLOWED: return "is a private ecall not allowed in this context";
	case COVE_EDGE_OUT_OF_MEMORY: return "ran out of memory";
	case COVE_EDGE_UNEXPECTED: return "hit an internal inconsistency";
	case COVE_EDGE_ENCLAVE_LOST: return "lost the enclave (crashed, stopped or terminated)";
	case COVE_EDGE_NO_ENCLAVE: return "ran with no enclave context on this thread";
	case COVE_EDGE_BAD_FRAME: return "was refused a malformed call frame";
	case COVE_EDGE_TOO_DEEP: return "nested deep-copied structures deeper than the limit";
	}
	return "failed with an unknown status";
}

cove_err cove_edge_status_err(cove_edge_status st, const char *what, cove_error *e)
{
	cove_err code;

	switch (st) {
	case COVE_EDGE_OK: return COVE_OK;
	case COVE_EDGE_INVALID_PARAMETER:
	case COVE_EDGE_INVALID_FUNCTION:
	case COVE_EDGE_NOT_ALLOWED: code = COVE_ERR_ARG; break;
	case COVE_EDGE_BAD_POINTER:
	case COVE_EDGE_OVERFLOW:
	case COVE_EDGE_BAD_STRING:
	case COVE_EDGE_BUFFER_TOO_SMALL:
	case COVE_EDGE_BAD_FRAME:
	case COVE_EDGE_TOO_DEEP: code = COVE_ERR_PARSE; break;
	case COVE_EDGE_OUT_OF_MEMORY: code = COVE_ERR_NOMEM; break;
	case COVE_EDGE_ENCLAVE_LOST:
	case COVE_EDGE_NO_ENCLAVE: code = COVE_ERR_UNAVAILABLE; break;
	default: code = COVE_ERR_INTERNAL; break;
	}
	return cove_error_set(e, code, "%s %s (edge status %s)", what ? what : "enclave call", status_sentence(st),
			      cove_edge_status_name(st));
}

/* ---- frames ---- */

static bool range_ok(uint64_t off, uint64_t size, size_t area)
{
	return off <= area && size <= area - off && off % COVE_EDGE_ALIGN == 0;
}

cove_edge_status cove_edge_frame_check(const cove_edge_frame *f, cove_edge_kind expect, size_t area_size)
{
	if (!f)
		return COVE_EDGE_INVALID_PARAMETER;
	if (f->magic != COVE_EDGE_FRAME_MAGIC || f->version != COVE_EDGE_ABI_VERSION || f->kind != expect ||
	    f->reserved != 0)
		return COVE_EDGE_BAD_FRAME;
	if (f->flags & ~(uint32_t)COVE_EDGE_CALL_SWITCHLESS)
		return COVE_EDGE_BAD_FRAME;
	if (!range_ok(f->in_off, f->in_size, area_size) || !range_ok(f->out_off, f->out_size, area_size))
		return COVE_EDGE_BAD_POINTER;
	/* The bridge writes the output while the input may still be read by the host: no overlap. */
	if (f->in_size && f->out_size && f->in_off < f->out_off + f->out_size && f->out_off < f->in_off + f->in_size)
		return COVE_EDGE_BAD_FRAME;
	return COVE_EDGE_OK;
}

/* ---- size arithmetic ---- */

cove_edge_status cove_edge_mul_size(size_t a, size_t b, size_t *out)
{
	if (a != 0 && b > SIZE_MAX / a)
		return COVE_EDGE_OVERFLOW;
	*out = a * b;
	return COVE_EDGE_OK;
}

cove_edge_status cove_edge_add_size(size_t a, size_t b, size_t *out)
{
	if (b > SIZE_MAX - a)
		return COVE_EDGE_OVERFLOW;
	*out = a + b;
	return COVE_EDGE_OK;
}

static cove_edge_status align_up(size_t v, size_t *out)
{
	size_t r = v % COVE_EDGE_ALIGN;
	if (r == 0) {
		*out = v;
		return COVE_EDGE_OK;
	}
	return cove_edge_add_size(v, COVE_EDGE_ALIGN - r, out);
}

cove_edge_status cove_edge_add_chunk(size_t *total, size_t n)
{
	size_t a;
	cove_edge_status st = align_up(*total, &a);
	if (st)
		return st;
	return cove_edge_add_size(a, n, total);
}

cove_edge_status cove_edge_add_framed(size_t *total, size_t n)
{
	size_t a;
	cove_edge_status st = align_up(*total, &a);
	if (!st)
		st = cove_edge_add_size(a, COVE_EDGE_FRAMED_HEADER, &a);
	if (!st)
		st = cove_edge_add_size(a, n, total);
	return st;
}

cove_edge_status cove_edge_size_from_signed(long long v, size_t *out)
{
	if (v < 0)
		return COVE_EDGE_OVERFLOW;
	if ((unsigned long long)v > SIZE_MAX)
		return COVE_EDGE_OVERFLOW;
	*out = (size_t)v;
	return COVE_EDGE_OK;
}

cove_edge_status cove_edge_size_from_unsigned(unsigned long long v, size_t *out)
{
	if (v > SIZE_MAX)
		return COVE_EDGE_OVERFLOW;
	*out = (size_t)v;
	return COVE_EDGE_OK;
}

cove_edge_status cove_edge_size_from_float(long double v, size_t *out)
{
	/* Written so that NaN fails every comparison and is refused. */
	if (!(v >= 0.0L) || !(v < 18446744073709551616.0L))
		return COVE_EDGE_OVERFLOW;
	if ((unsigned long long)v > SIZE_MAX)
		return COVE_EDGE_OVERFLOW;
	*out = (size_t)v;
	return COVE_EDGE_OK;
}

/* ---- strings ---- */

cove_edge_status cove_edge_string_len(const char *s, size_t *out)
{
	if (!s)
		return COVE_EDGE_INVALID_PARAMETER;
	return cove_edge_add_size(strlen(s), 1, out);
}

cove_edge_status cove_edge_wstring_len(const void *ws, size_t *out)
{
	if (!ws)
		return COVE_EDGE_INVALID_PARAMETER;
	return cove_edge_add_size(wcslen((const wchar_t *)ws), 1, out);
}

cove_edge_status cove_edge_check_string_in(const char *s, size_t len)
{
	if (!s || len == 0)
		return COVE_EDGE_BAD_STRING;
	const char *nul = memchr(s, '\0', len);
	return nul == s + len - 1 ? COVE_EDGE_OK : COVE_EDGE_BAD_STRING;
}

cove_edge_status cove_edge_check_string_out(const char *s, size_t len)
{
	if (!s || len == 0)
		return COVE_EDGE_BAD_STRING;
	return memchr(s, '\0', len) ? COVE_EDGE_OK : COVE_EDGE_BAD_STRING;
}

/* Index of the first L'\0' among len wide characters, or len. */
static size_t wfind_nul(const void *ws, size_t len)
{
	const wchar_t *w = ws;
	for (size_t i = 0; i < len; i++)
		if (w[i] == L'\0')
			return i;
	return len;
}

cove_edge_status cove_edge_check_wstring_in(const void *ws, size_t len)
{
	if (!ws || len == 0)
		return COVE_EDGE_BAD_STRING;
	return wfind_nul(ws, len) == len - 1 ? COVE_EDGE_OK : COVE_EDGE_BAD_STRING;
}

cove_edge_status cove_edge_check_wstring_out(const void *ws, size_t len)
{
	if (!ws || len == 0)
		return COVE_EDGE_BAD_STRING;
	return wfind_nul(ws, len) < len ? COVE_EDGE_OK : COVE_EDGE_BAD_STRING;
}

/* ---- memory of each side ---- */

void *cove_edge_alloc(const cove_edge_transport *t, size_t n)
{
	size_t sz;
	void *p;

	if (align_up(n ? n : 1, &sz))
		return NULL;
	if (t && t->trusted) {
		if (!t->ops || !t->ops->alloc_trusted)
			return NULL;
		p = t->ops->alloc_trusted(t->ctx, sz);
	} else {
		p = aligned_alloc(COVE_EDGE_ALIGN, sz);
	}
	if (p)
		memset(p, 0, sz);
	return p;
}

void cove_edge_release(const cove_edge_transport *t, void *p)
{
	if (!p)
		return;
	if (t && t->trusted) {
		if (t->ops && t->ops->free_trusted)
			t->ops->free_trusted(t->ctx, p);
		return;
	}
	free(p);
}

static bool outside_enclave(const cove_edge_transport *t, const void *p, size_t n)
{
	return t->ops && t->ops->is_outside_enclave && t->ops->is_outside_enclave(t->ctx, p, n);
}

static void copy_shared(const cove_edge_transport *t, void *dst, const void *src, size_t n)
{
	if (n == 0)
		return;
	if (t->ops && t->ops->copy_in)
		t->ops->copy_in(t->ctx, dst, src, n);
	else
		memcpy(dst, src, n);
}

cove_edge_status cove_edge_fetch(const cove_edge_transport *t, const void *src, size_t n, size_t min, void **out)
{
	void *p;

	*out = NULL;
	if (!t)
		return COVE_EDGE_NO_ENCLAVE;
	if (n < min)
		return COVE_EDGE_BUFFER_TOO_SMALL;
	if (!src)
		return n ? COVE_EDGE_INVALID_PARAMETER : COVE_EDGE_OK;
	/* Checked before anything is allocated: a refused buffer touches no enclave memory. */
	if (t->trusted && !outside_enclave(t, src, n))
		return COVE_EDGE_BAD_POINTER;
	p = cove_edge_alloc(t, n < COVE_EDGE_ALIGN ? COVE_EDGE_ALIGN : n);
	if (!p)
		return COVE_EDGE_OUT_OF_MEMORY;
	copy_shared(t, p, src, n);
	*out = p;
	return COVE_EDGE_OK;
}

cove_edge_status cove_edge_check_target(const cove_edge_transport *t, const void *dst, size_t n, size_t min)
{
	if (!t)
		return COVE_EDGE_NO_ENCLAVE;
	if (n < min)
		return COVE_EDGE_BUFFER_TOO_SMALL;
	if (!dst)
		return n ? COVE_EDGE_INVALID_PARAMETER : COVE_EDGE_OK;
	if (t->trusted && !outside_enclave(t, dst, n))
		return COVE_EDGE_BAD_POINTER;
	return COVE_EDGE_OK;
}

cove_edge_status cove_edge_check_caller(const cove_edge_transport *t, const void *p, size_t n)
{
	if (!t || t->trusted || !p)
		return COVE_EDGE_OK;
	if (t->ops && t->ops->is_outside_enclave && !t->ops->is_outside_enclave(t->ctx, p, n))
		return COVE_EDGE_BAD_POINTER;
	return COVE_EDGE_OK;
}

cove_edge_status cove_edge_alloc_untrusted(const cove_edge_transport *t, size_t n, void **out)
{
	size_t sz;
	void *p;

	*out = NULL;
	if (!t || !t->ops || !t->ops->alloc_untrusted)
		return COVE_EDGE_NO_ENCLAVE;
	if (align_up(n ? n : 1, &sz))
		return COVE_EDGE_OVERFLOW;
	p = t->ops->alloc_untrusted(t->ctx, sz);
	if (!p)
		return COVE_EDGE_OUT_OF_MEMORY;
	/* The host runs the area's allocator: inside the enclave, trust nothing it returns. */
	if (((uintptr_t)p % COVE_EDGE_ALIGN) != 0 || (t->trusted && !outside_enclave(t, p, sz))) {
		if (t->ops->free_untrusted)
			t->ops->free_untrusted(t->ctx, p);
		return COVE_EDGE_BAD_POINTER;
	}
	memset(p, 0, sz);
	*out = p;
	return COVE_EDGE_OK;
}

void cove_edge_free_untrusted(const cove_edge_transport *t, void *p)
{
	if (p && t && t->ops && t->ops->free_untrusted)
		t->ops->free_untrusted(t->ctx, p);
}

cove_edge_status cove_edge_fetch_extra(const cove_edge_transport *t, const void *out, const cove_edge_out_header *h,
				       void **shared, void **copy)
{
	uintptr_t base = (uintptr_t)out, addr;

	*shared = NULL;
	*copy = NULL;
	if (!t || !h)
		return COVE_EDGE_INVALID_PARAMETER;
	if (h->extra_size == 0)
		return h->extra_delta == 0 ? COVE_EDGE_OK : COVE_EDGE_BAD_FRAME;
	if (h->extra_size > SIZE_MAX)
		return COVE_EDGE_OVERFLOW;
	/* out + delta without wrapping around the address space. */
	if (h->extra_delta >= 0) {
		if ((uint64_t)h->extra_delta > UINTPTR_MAX - base)
			return COVE_EDGE_BAD_POINTER;
		addr = base + (uintptr_t)h->extra_delta;
	} else {
		uint64_t back = (uint64_t)(-(h->extra_delta + 1)) + 1;
		if (back > base)
			return COVE_EDGE_BAD_POINTER;
		addr = base - (uintptr_t)back;
	}
	if (addr % COVE_EDGE_ALIGN != 0 || (size_t)h->extra_size > UINTPTR_MAX - addr)
		return COVE_EDGE_BAD_POINTER;
	if (t->trusted) {
		if (!outside_enclave(t, (const void *)addr, (size_t)h->extra_size))
			return COVE_EDGE_BAD_POINTER;
	} else if (!t->ops || !t->ops->is_shared || !t->ops->is_shared(t->ctx, (const void *)addr, (size_t)h->extra_size)) {
		return COVE_EDGE_BAD_POINTER;
	}
	cove_edge_status st = cove_edge_fetch(t, (const void *)addr, (size_t)h->extra_size, 0, copy);
	if (st)
		return st;
	*shared = (void *)addr;
	return COVE_EDGE_OK;
}

/* ---- cursor ---- */

void cove_edge_cursor_init(cove_edge_cursor *c, void *base, size_t size, size_t start)
{
	c->base = base;
	c->size = size;
	c->off = start;
}

cove_edge_status cove_edge_take(cove_edge_cursor *c, size_t n, void **p)
{
	size_t at;

	*p = NULL;
	if (align_up(c->off, &at) || at > c->size || n > c->size - at)
		return COVE_EDGE_BUFFER_TOO_SMALL;
	*p = c->base + at;
	c->off = at + n;
	return COVE_EDGE_OK;
}

cove_edge_status cove_edge_put(cove_edge_cursor *c, const void *src, size_t n)
{
	void *p;
	cove_edge_status st = cove_edge_take(c, n, &p);
	if (st)
		return st;
	if (n)
		memcpy(p, src, n);
	return COVE_EDGE_OK;
}

cove_edge_status cove_edge_put_framed(cove_edge_cursor *c, const void *src, size_t len, size_t reserve)
{
	size_t total;
	uint8_t *p;
	cove_edge_status st;

	if (len > reserve)
		return COVE_EDGE_BUFFER_TOO_SMALL;
	st = cove_edge_add_size(reserve, COVE_EDGE_FRAMED_HEADER, &total);
	if (!st)
		st = cove_edge_take(c, total, (void **)&p);
	if (st)
		return st;
	memset(p, 0, COVE_EDGE_FRAMED_HEADER);
	cove_put_le64(p, (uint64_t)len);
	if (len)
		memcpy(p + COVE_EDGE_FRAMED_HEADER, src, len);
	if (reserve > len)
		memset(p + COVE_EDGE_FRAMED_HEADER + len, 0, reserve - len);
	return COVE_EDGE_OK;
}

cove_edge_status cove_edge_take_framed(cove_edge_cursor *c, size_t reserve, size_t *len, void **p)
{
	size_t total;
	uint8_t *q;
	uint64_t l;
	cove_edge_status st;

	*len = 0;
	*p = NULL;
	st = cove_edge_add_size(reserve, COVE_EDGE_FRAMED_HEADER, &total);
	if (!st)
		st = cove_edge_take(c, total, (void **)&q);
	if (st)
		return st;
	l = cove_le64(q);
	if (l > reserve)
		return COVE_EDGE_BUFFER_TOO_SMALL;
	*len = (size_t)l;
	*p = q + COVE_EDGE_FRAMED_HEADER;
	return COVE_EDGE_OK;
}

/* ---- the enclave side's per-thread state ---- */

/*
 * One record per thread: the transport of the ecall being served and the
 * ocall it is currently making (-1 when none).  Dispatch saves and restores
 * it, so ecall -> ocall -> nested ecall unwinds correctly.
 */
typedef struct edge_thread {
	const cove_edge_transport *t;
	int64_t ocall;
} edge_thread;

static _Thread_local edge_thread cur = {NULL, -1};

const cove_edge_transport *cove_edge_current(void)
{
	return cur.t;
}

void *cove_edge_malloc(size_t n)
{
	const cove_edge_transport *t = cur.t;
	if (t && t->ops && t->ops->alloc_trusted)
		return t->ops->alloc_trusted(t->ctx, n ? n : 1);
	return malloc(n ? n : 1);
}

void cove_edge_free(void *p)
{
	const cove_edge_transport *t = cur.t;
	if (!p)
		return;
	if (t && t->ops && t->ops->free_trusted)
		t->ops->free_trusted(t->ctx, p);
	else
		free(p);
}

bool cove_edge_is_within_enclave(const void *p, size_t n)
{
	const cove_edge_transport *t = cur.t;
	return t && t->ops && t->ops->is_within_enclave && t->ops->is_within_enclave(t->ctx, p, n);
}

bool cove_edge_is_outside_enclave(const void *p, size_t n)
{
	const cove_edge_transport *t = cur.t;
	return t && t->ops && t->ops->is_outside_enclave && t->ops->is_outside_enclave(t->ctx, p, n);
}

static bool table_ok(const cove_edge_table *table)
{
	return table && table->abi_version == COVE_EDGE_ABI_VERSION && (table->count == 0 || table->entries);
}

cove_edge_status cove_edge_dispatch_ecall(const cove_edge_transport *t, const cove_edge_table *table, uint32_t id,
					  const void *in, size_t in_size, void *out, size_t out_size)
{
	edge_thread saved = cur;
	cove_edge_status st;

	if (!t || !t->trusted || !table_ok(table))
		return COVE_EDGE_INVALID_PARAMETER;
	if (id >= table->count || !table->entries[id].bridge)
		return COVE_EDGE_INVALID_FUNCTION;
	cove_edge_fence();
	if (saved.t == NULL || saved.ocall < 0) {
		/* Root ecall: private ones are reachable only from an ocall that allows them. */
		if (!(table->entries[id].flags & COVE_EDGE_CALL_PUBLIC))
			return COVE_EDGE_NOT_ALLOWED;
	} else {
		uint64_t o = (uint64_t)saved.ocall;
		bool listed = o < table->nocalls && table->allow && table->allow[o * table->count + id];
		bool open = (table->flags & COVE_EDGE_TABLE_NESTED_PUBLIC) &&
			    (table->entries[id].flags & COVE_EDGE_CALL_PUBLIC);
		if (!listed && !open)
			return COVE_EDGE_NOT_ALLOWED;
	}
	cur.t = t;
	cur.ocall = -1;
	st = table->entries[id].bridge(t, in, in_size, out, out_size);
	cur = saved;
	return st;
}

cove_edge_status cove_edge_dispatch_ocall(const cove_edge_transport *t, const cove_edge_table *table, uint32_t id,
					  const void *in, size_t in_size, void *out, size_t out_size)
{
	if (!t || t->trusted || !table_ok(table))
		return COVE_EDGE_INVALID_PARAMETER;
	if (id >= table->count || !table->entries[id].bridge)
		return COVE_EDGE_INVALID_FUNCTION;
	return table->entries[id].bridge(t, in, in_size, out, out_size);
}

cove_edge_status cove_edge_call_ocall(const cove_edge_transport *t, uint32_t id, uint32_t flags, void *in,
				      size_t in_size, void *out, size_t out_size)
{
	int64_t saved = cur.ocall;
	cove_edge_status st;

	if (!t || !t->trusted || !t->ops || !t->ops->ocall)
		return COVE_EDGE_NO_ENCLAVE;
	cur.ocall = id;
	st = t->ops->ocall(t->ctx, id, flags, in, in_size, out, out_size);
	cur.ocall = saved;
	return st;
}

/* ---- host handle ---- */

struct cove_enclave {
	cove_edge_transport t;
};

cove_err cove_edge_enclave_new(const cove_edge_transport_ops *ops, void *ctx, cove_enclave **out, cove_error *e)
{
	cove_enclave *enc;

	if (!out)
		return cove_error_set(e, COVE_ERR_ARG, "enclave handle: no output pointer");
	*out = NULL;
	if (!ops || !ops->ecall || !ops->alloc_untrusted || !ops->free_untrusted || !ops->is_shared)
		return cove_error_set(e, COVE_ERR_ARG,
				      "enclave handle: the transport lacks ecall, alloc_untrusted, free_untrusted or is_shared");
	enc = calloc(1, sizeof(*enc));
	if (!enc)
		return cove_error_set(e, COVE_ERR_NOMEM, "enclave handle: out of memory");
	enc->t.ops = ops;
	enc->t.ctx = ctx;
	enc->t.trusted = false;
	*out = enc;
	return COVE_OK;
}

void cove_edge_enclave_free(cove_enclave *enc)
{
	if (!enc)
		return;
	if (enc->t.ops->close)
		enc->t.ops->close(enc->t.ctx);
	free(enc);
}

void *cove_edge_enclave_context(const cove_enclave *enc)
{
	return enc ? enc->t.ctx : NULL;
}

const cove_edge_transport *cove_edge_enclave_transport(const cove_enclave *enc)
{
	return enc ? &enc->t : NULL;
}

cove_edge_status cove_edge_call_ecall(cove_enclave *enc, uint32_t id, uint32_t flags, const cove_edge_table *ocalls,
				      void *in, size_t in_size, void *out, size_t out_size)
{
	if (!enc)
		return COVE_EDGE_INVALID_PARAMETER;
	return enc->t.ops->ecall(enc->t.ctx, id, flags, ocalls, in, in_size, out, out_size);
}
