/*
 * EDL diagnostics in the form compilers use ("file:line:col: error: text",
 * as GCC prints them, so editors and CI annotators can jump to the place).
 * Each file of an import graph collects its own list, which is ordered by
 * position once the file is done and then appended to the caller's list:
 * every error of every file is reported, not only the first.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edl/internal.h"

void cove_edl_diags_init(cove_edl_diags *d)
{
	memset(d, 0, sizeof(*d));
}

void cove_edl_diags_free(cove_edl_diags *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->count; i++)
		free(d->items[i].message);
	free(d->items);
	for (size_t i = 0; i < d->nfiles; i++)
		free(d->files[i]);
	free(d->files);
	memset(d, 0, sizeof(*d));
}

/* The diags' own copy of a file name (few distinct names per parse: linear search is enough). */
static const char *intern_file(cove_edl_diags *d, const char *file)
{
	if (!file)
		return NULL;
	for (size_t i = 0; i < d->nfiles; i++)
		if (strcmp(d->files[i], file) == 0)
			return d->files[i];
	char **files = realloc(d->files, (d->nfiles + 1) * sizeof(*files));
	if (!files)
		return NULL;
	d->files = files;
	char *copy = strdup(file);
	if (!copy)
		return NULL;
	d->files[d->nfiles++] = copy;
	return copy;
}

static cove_err push_diag(cove_edl_diags *d, cove_edl_severity sev, const cove_edl_loc *loc, const char *flag,
			  char *message)
{
	if (d->count == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 16;
		cove_edl_diag *items = realloc(d->items, cap * sizeof(*items));
		if (!items) {
			free(message);
			return COVE_ERR_NOMEM;
		}
		d->items = items;
		d->cap = cap;
	}
	cove_edl_diag *g = &d->items[d->count++];
	memset(g, 0, sizeof(*g));
	g->severity = sev;
	if (loc) {
		g->loc.file = intern_file(d, loc->file);
		g->loc.line = loc->line;
		g->loc.col = loc->col;
	}
	g->flag = flag; /* flags are string literals */
	g->message = message;
	if (sev == COVE_EDL_ERROR)
		d->errors++;
	else if (sev == COVE_EDL_WARNING)
		d->warnings++;
	return COVE_OK;
}

static cove_err vadd(cove_edl_diags *d, cove_edl_severity sev, const cove_edl_loc *loc, const char *flag,
		     const char *fmt, va_list ap)
{
	char *message = NULL;
	if (vasprintf(&message, fmt, ap) < 0)
		return COVE_ERR_NOMEM;
	return push_diag(d, sev, loc, flag, message);
}

cove_err cove_edl_diag_add(cove_edl_diags *d, cove_edl_severity sev, const cove_edl_loc *loc, const char *flag,
			   const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	cove_err rc = vadd(d, sev, loc, flag, fmt, ap);
	va_end(ap);
	return rc;
}

static const char *severity_name(cove_edl_severity sev)
{
	switch (sev) {
	case COVE_EDL_ERROR:
		return "error";
	case COVE_EDL_WARNING:
		return "warning";
	default:
		return "note";
	}
}

size_t cove_edl_diag_format(const cove_edl_diag *g, char *buf, size_t n)
{
	char where[600] = "";
	if (g->loc.file && g->loc.line)
		snprintf(where, sizeof(where), "%s:%u:%u: ", g->loc.file, (unsigned)g->loc.line, (unsigned)g->loc.col);
	else if (g->loc.file)
		snprintf(where, sizeof(where), "%s: ", g->loc.file);
	int r;
	if (g->flag)
		r = snprintf(buf, n, "%s%s: %s [-W%s]", where, severity_name(g->severity), g->message, g->flag);
	else
		r = snprintf(buf, n, "%s%s: %s", where, severity_name(g->severity), g->message);
	return r < 0 ? 0 : (size_t)r;
}

void cove_edl_diags_print(const cove_edl_diags *d, FILE *out)
{
	for (size_t i = 0; i < d->count; i++) {
		char line[1024];
		size_t n = cove_edl_diag_format(&d->items[i], line, sizeof(line));
		if (n >= sizeof(line)) {
			/* Rare: a very long path or identifier; print it whole. */
			char *big = malloc(n + 1);
			if (big) {
				cove_edl_diag_format(&d->items[i], big, n + 1);
				fprintf(out, "%s\n", big);
				free(big);
				continue;
			}
		}
		fprintf(out, "%s\n", line);
	}
	if (d->truncated)
		fprintf(out, "note: too many errors; the rest were not reported\n");
}

const cove_edl_diag *cove_edl_diags_first(const cove_edl_diags *d, cove_edl_severity sev)
{
	for (size_t i = 0; i < d->count; i++)
		if (d->items[i].severity == sev)
			return &d->items[i];
	return NULL;
}

void edl_vreport(edl_ctx *ctx, edl_unit *unit, cove_edl_severity sev, const cove_edl_loc *loc, const char *flag,
		 const char *fmt, va_list ap)
{
	if (sev == COVE_EDL_WARNING && flag) {
		for (size_t i = 0; i < ctx->opts.ndisabled_warnings; i++)
			if (ctx->opts.disabled_warnings[i] && strcmp(ctx->opts.disabled_warnings[i], flag) == 0)
				return;
	}
	if (sev == COVE_EDL_WARNING && ctx->opts.warnings_as_errors)
		sev = COVE_EDL_ERROR;
	cove_edl_diags *d = unit ? &unit->diags : ctx->diags;
	if (vadd(d, sev, loc, flag, fmt, ap) != COVE_OK)
		ctx->oom = true;
}

void edl_report(edl_ctx *ctx, edl_unit *unit, cove_edl_severity sev, const cove_edl_loc *loc, const char *flag,
		const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	edl_vreport(ctx, unit, sev, loc, flag, fmt, ap);
	va_end(ap);
}

/* Order by line then column, keeping the order of equal places (insertion sort: lists are short). */
static void sort_by_place(cove_edl_diags *d)
{
	for (size_t i = 1; i < d->count; i++) {
		cove_edl_diag g = d->items[i];
		size_t j = i;
		while (j > 0) {
			const cove_edl_diag *p = &d->items[j - 1];
			if (p->loc.line < g.loc.line || (p->loc.line == g.loc.line && p->loc.col <= g.loc.col))
				break;
			d->items[j] = d->items[j - 1];
			j--;
		}
		d->items[j] = g;
	}
}

void edl_diags_flush(edl_ctx *ctx, cove_edl_diags *src)
{
	cove_edl_diags *dst = ctx->diags;
	sort_by_place(src);
	for (size_t i = 0; i < src->count; i++) {
		cove_edl_diag *g = &src->items[i];
		if (g->severity == COVE_EDL_ERROR && ctx->opts.max_errors && dst->errors >= ctx->opts.max_errors) {
			dst->truncated = true;
			continue;
		}
		char *message = g->message;
		g->message = NULL;
		if (push_diag(dst, g->severity, &g->loc, g->flag, message) != COVE_OK)
			ctx->oom = true;
	}
	cove_edl_diags_free(src);
}
