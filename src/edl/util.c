/*
 * EDL front end plumbing: the arena that owns one parsed tree (a chain of
 * blocks released together by cove_edl_file_free), heap vectors used while a
 * construct is being parsed, and bounded file reading.  A parse touches a
 * few hundred kilobytes at most, so simplicity wins over reuse.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "edl/internal.h"

struct edl_arena_block {
	edl_arena_block *next;
	size_t used;
	size_t cap;
	max_align_t data[];
};

#define EDL_ARENA_BLOCK (64u * 1024u)

void *edl_alloc(edl_arena *a, size_t n)
{
	size_t align = _Alignof(max_align_t);
	if (n == 0)
		n = 1;
	if (n > SIZE_MAX - align) {
		a->failed = true;
		return NULL;
	}
	n = (n + align - 1) & ~(align - 1);
	edl_arena_block *b = a->head;
	if (!b || b->cap - b->used < n) {
		size_t cap = n > EDL_ARENA_BLOCK ? n : EDL_ARENA_BLOCK;
		b = malloc(sizeof(*b) + cap);
		if (!b) {
			a->failed = true;
			return NULL;
		}
		b->used = 0;
		b->cap = cap;
		b->next = a->head;
		a->head = b;
	}
	void *p = (char *)b->data + b->used;
	b->used += n;
	memset(p, 0, n);
	return p;
}

char *edl_strndup(edl_arena *a, const char *s, size_t n)
{
	if (n == SIZE_MAX) {
		a->failed = true;
		return NULL;
	}
	char *p = edl_alloc(a, n + 1);
	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

char *edl_strdup(edl_arena *a, const char *s)
{
	return edl_strndup(a, s, strlen(s));
}

void edl_arena_free(edl_arena *a)
{
	edl_arena_block *b = a->head;
	while (b) {
		edl_arena_block *next = b->next;
		free(b);
		b = next;
	}
	a->head = NULL;
}

bool edl_vec_push(edl_vec *v, const void *elem, size_t size)
{
	if (v->len == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 8;
		if (cap > SIZE_MAX / size)
			return false;
		void *p = realloc(v->data, cap * size);
		if (!p)
			return false;
		v->data = p;
		v->cap = cap;
	}
	memcpy((char *)v->data + v->len * size, elem, size);
	v->len++;
	return true;
}

void *edl_vec_finish(edl_vec *v, edl_arena *a, size_t size)
{
	void *p = NULL;
	if (v->len) {
		p = edl_alloc(a, v->len * size);
		if (p)
			memcpy(p, v->data, v->len * size);
	}
	free(v->data);
	v->data = NULL;
	v->cap = 0;
	return p;
}

void edl_vec_free(edl_vec *v)
{
	free(v->data);
	v->data = NULL;
	v->len = v->cap = 0;
}

cove_err edl_read_file(const char *path, size_t max, char **out, size_t *len, int *errnum)
{
	cove_err rc = COVE_ERR_IO;
	char *buf = NULL;
	*out = NULL;
	*len = 0;
	*errnum = 0;
	FILE *fp = fopen(path, "rb");
	if (!fp) {
		*errnum = errno;
		return COVE_ERR_IO;
	}
	struct stat st;
	/* Only regular files: a device or FIFO named in an import must not hang the compiler. */
	if (fstat(fileno(fp), &st) != 0) {
		*errnum = errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode))
		goto out;
	if ((uintmax_t)st.st_size > max) {
		rc = COVE_ERR_UNSUPPORTED;
		goto out;
	}
	size_t n = (size_t)st.st_size;
	buf = malloc(n + 1);
	if (!buf) {
		rc = COVE_ERR_NOMEM;
		goto out;
	}
	if (n && fread(buf, 1, n, fp) != n) {
		*errnum = ferror(fp) ? EIO : 0;
		goto out;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	buf = NULL;
	rc = COVE_OK;
out:
	free(buf);
	fclose(fp);
	return rc;
}
