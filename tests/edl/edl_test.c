/*
 * Helpers of the generated-bridge tests (see edl_test.h).  Linked into the
 * host side of every test program; the simulated enclave reaches edl_check()
 * and edl_mark() as ordinary external symbols.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edl_test.h"

static unsigned failures;
static int quiet;
static unsigned scribbles;

#define MAX_MARKS 512
static struct {
	const char *what;
	unsigned n;
} marks[MAX_MARKS];

void edl_check(int ok, const char *expr, const char *file, int line)
{
	if (ok)
		return;
	failures++;
	if (!quiet)
		fprintf(stderr, "%s:%d: enclave check failed: %s\n", file, line, expr);
}

void edl_quiet(int on)
{
	quiet = on;
}

unsigned edl_take_failures(void)
{
	unsigned n = failures;
	failures = 0;
	return n;
}

void edl_mark(const char *what)
{
	for (size_t i = 0; i < MAX_MARKS; i++) {
		if (marks[i].what && strcmp(marks[i].what, what) == 0) {
			marks[i].n++;
			return;
		}
		if (!marks[i].what) {
			marks[i].what = what;
			marks[i].n = 1;
			return;
		}
	}
	failures++;
}

cove_edge_status edl_status(cove_edge_status st)
{
	edl_mark(cove_edge_status_name(st));
	return st;
}

bool edl_ok(cove_edge_status st, const char *expr, const char *file, int line)
{
	if (st == COVE_EDGE_OK)
		return true;
	failures++;
	if (!quiet)
		fprintf(stderr, "%s:%d: %s returned %s\n", file, line, expr, cove_edge_status_name(st));
	return false;
}

unsigned edl_marks(const char *what)
{
	for (size_t i = 0; i < MAX_MARKS && marks[i].what; i++)
		if (strcmp(marks[i].what, what) == 0)
			return marks[i].n;
	return 0;
}

void edl_marks_reset(void)
{
	memset(marks, 0, sizeof(marks));
}

uint8_t *edl_snapshot_enclave(cove_edge_loopback *lb)
{
	uint8_t *base;
	size_t size;
	cove_edge_loopback_enclave_region(lb, &base, &size);
	uint8_t *copy = malloc(size);
	if (copy)
		memcpy(copy, base, size);
	return copy;
}

bool edl_enclave_unchanged(cove_edge_loopback *lb, const uint8_t *snap)
{
	uint8_t *base;
	size_t size;
	cove_edge_loopback_enclave_region(lb, &base, &size);
	return snap && memcmp(base, snap, size) == 0;
}

#define MAX_WATCH 32
static cove_edge_loopback *watched[MAX_WATCH];

void edl_watch(cove_edge_loopback *lb)
{
	for (size_t i = 0; i < MAX_WATCH; i++) {
		if (!watched[i]) {
			watched[i] = lb;
			return;
		}
	}
	failures++;
}

void edl_unwatch_all(void)
{
	memset(watched, 0, sizeof(watched));
}

bool edl_in_enclave(const void *p, size_t n)
{
	uintptr_t a = (uintptr_t)p;
	if (n == 0)
		n = 1;
	for (size_t i = 0; i < MAX_WATCH && watched[i]; i++) {
		uint8_t *base;
		size_t size;
		cove_edge_loopback_enclave_region(watched[i], &base, &size);
		if (a < (uintptr_t)base + size && a + n > (uintptr_t)base)
			return true;
	}
	return false;
}

void edl_scribble_hook(void *arg, void *shared, size_t n)
{
	(void)arg;
	memset(shared, 0xA5, n);
	scribbles++;
}

unsigned edl_scribbles(void)
{
	return scribbles;
}
