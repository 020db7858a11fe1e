/*
 * EDL files and imports: finding a file (the importing file's folder, then
 * --search-path folders in order, then cove's system EDL folder), reading
 * each file once per canonical path, detecting import cycles, and merging
 * what an import brings.  The merge follows what both SDKs do (Intel
 * sdk/edger8r/linux/CodeGen.ml reduce_import, oeedger8r-cpp parser.cpp
 * parse_import/parse_from_import): an import always brings the imported
 * file's user types and includes; `import *` (and OE's `import "x"`) brings
 * all its functions, `import a, b` those named (searched through the files
 * it imports in turn); a function reached twice through different paths is
 * the same function, two different functions with one name are an error.
 * A file's own functions come first, then the imported ones in import order.
 *
 * Also here: the public parse entry points and the final merged tree.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "edl/internal.h"

/* ---- unit membership ---- */

static cove_edl_func *find_in(edl_vec *v, const char *name, const cove_edl_func *skip)
{
	for (size_t i = 0; i < v->len; i++) {
		cove_edl_func *f = EDL_VEC_AT(v, cove_edl_func *, i);
		if (f != skip && f->name && name && strcmp(f->name, name) == 0)
			return f;
	}
	return NULL;
}

static bool contains_ptr(edl_vec *v, const void *ptr)
{
	for (size_t i = 0; i < v->len; i++)
		if (EDL_VEC_AT(v, const void *, i) == ptr)
			return true;
	return false;
}

void edl_unit_add_func(edl_ctx *ctx, edl_unit *unit, edl_vec *list, cove_edl_func *fn, const cove_edl_loc *at)
{
	edl_vec *lists[4] = {&unit->own_ecalls, &unit->own_ocalls, &unit->imported_ecalls, &unit->imported_ocalls};
	for (size_t i = 0; i < 4; i++) {
		if (contains_ptr(lists[i], fn))
			return; /* the same function reached again */
	}
	for (size_t i = 0; i < 4; i++) {
		cove_edl_func *other = find_in(lists[i], fn->name, fn);
		if (other) {
			edl_report(ctx, unit, COVE_EDL_ERROR, at, NULL,
				   "duplicate function `%s' (declared at %s:%u and at %s:%u)", fn->name,
				   other->loc.file, (unsigned)other->loc.line, fn->loc.file, (unsigned)fn->loc.line);
			return;
		}
	}
	if (!edl_vec_push(list, &fn, sizeof(fn)))
		ctx->oom = true;
}

void edl_unit_add_type(edl_ctx *ctx, edl_unit *unit, cove_edl_user_type *t, const cove_edl_loc *at)
{
	if (contains_ptr(&unit->types, t))
		return;
	if (t->name) {
		for (size_t i = 0; i < unit->types.len; i++) {
			cove_edl_user_type *o = EDL_VEC_AT(&unit->types, cove_edl_user_type *, i);
			if (o->name && strcmp(o->name, t->name) == 0) {
				edl_report(ctx, unit, COVE_EDL_ERROR, at, NULL,
					   "duplicate definition of type `%s' (defined at %s:%u and at %s:%u)", t->name,
					   o->loc.file, (unsigned)o->loc.line, t->loc.file, (unsigned)t->loc.line);
				return;
			}
		}
	}
	if (!edl_vec_push(&unit->types, &t, sizeof(t)))
		ctx->oom = true;
}

void edl_unit_add_include(edl_ctx *ctx, edl_unit *unit, cove_edl_include *inc)
{
	if (!inc->path)
		return;
	for (size_t i = 0; i < unit->includes.len; i++) {
		cove_edl_include *o = EDL_VEC_AT(&unit->includes, cove_edl_include *, i);
		if (strcmp(o->path, inc->path) == 0)
			return;
	}
	if (!edl_vec_push(&unit->includes, &inc, sizeof(inc)))
		ctx->oom = true;
}

cove_edl_user_type *edl_unit_find_type(edl_unit *unit, const char *name)
{
	for (size_t i = 0; i < unit->types.len; i++) {
		cove_edl_user_type *t = EDL_VEC_AT(&unit->types, cove_edl_user_type *, i);
		if (t->name && strcmp(t->name, name) == 0)
			return t;
	}
	return NULL;
}

cove_edl_func *edl_unit_find_func(edl_unit *unit, const char *name)
{
	cove_edl_func *f = find_in(&unit->ecalls, name, NULL);
	return f ? f : find_in(&unit->ocalls, name, NULL);
}

/* ---- paths ---- */

static bool is_regular(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static char *join(edl_arena *a, const char *dir, const char *name)
{
	if (!dir || !*dir || strcmp(dir, ".") == 0)
		return edl_strdup(a, name);
	size_t n = strlen(dir) + strlen(name) + 2;
	char *s = edl_alloc(a, n);
	if (s)
		snprintf(s, n, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", name);
	return s;
}

static char *dir_of(edl_arena *a, const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return edl_strdup(a, ".");
	if (slash == path)
		return edl_strdup(a, "/");
	return edl_strndup(a, path, (size_t)(slash - path));
}

/*
 * Where `spec` is found: absolute as is; else in `first_dir` (the importing
 * file's folder, or the current directory for the main file), then the
 * search paths, then the system folder.  NULL when nowhere.
 */
static char *resolve(edl_ctx *ctx, const char *first_dir, const char *spec)
{
	if (spec[0] == '/')
		return is_regular(spec) ? edl_strdup(ctx->arena, spec) : NULL;
	char *c = join(ctx->arena, first_dir, spec);
	if (c && is_regular(c))
		return c;
	for (size_t i = 0; i < ctx->opts.nsearch_paths; i++) {
		if (!ctx->opts.search_paths[i] || !*ctx->opts.search_paths[i])
			continue;
		c = join(ctx->arena, ctx->opts.search_paths[i], spec);
		if (c && is_regular(c))
			return c;
	}
	if (ctx->opts.system_dir && *ctx->opts.system_dir) {
		c = join(ctx->arena, ctx->opts.system_dir, spec);
		if (c && is_regular(c))
			return c;
	}
	return NULL;
}

/* "dir1, dir2, ..." of the places searched, for a not-found message. */
static void searched_list(edl_ctx *ctx, const char *first_dir, char *buf, size_t n)
{
	size_t used = 0;
	buf[0] = '\0';
#define ADD(s)                                                                                                         \
	do {                                                                                                           \
		int r_ = snprintf(buf + used, n - used, "%s%s", used ? ", " : "", (s));                                \
		if (r_ < 0 || (size_t)r_ >= n - used) {                                                                \
			used = n - 1;                                                                                  \
			goto done;                                                                                     \
		}                                                                                                      \
		used += (size_t)r_;                                                                                    \
	} while (0)
	ADD(first_dir && *first_dir ? first_dir : ".");
	for (size_t i = 0; i < ctx->opts.nsearch_paths; i++)
		if (ctx->opts.search_paths[i] && *ctx->opts.search_paths[i])
			ADD(ctx->opts.search_paths[i]);
	if (ctx->opts.system_dir && *ctx->opts.system_dir)
		ADD(ctx->opts.system_dir);
#undef ADD
done:
	return;
}

static const char *canonical(edl_ctx *ctx, const char *path)
{
	char *r = realpath(path, NULL);
	if (!r)
		return edl_strdup(ctx->arena, path);
	const char *s = edl_strdup(ctx->arena, r);
	free(r);
	return s;
}

/* ---- units ---- */

static edl_unit *new_unit(edl_ctx *ctx, const char *path, const char *key)
{
	edl_unit *u = edl_alloc(ctx->arena, sizeof(*u));
	if (!u)
		return NULL;
	u->path = edl_strdup(ctx->arena, path);
	u->key = key;
	u->dir = dir_of(ctx->arena, path);
	if (!u->path || !u->dir || !edl_vec_push(&ctx->units, &u, sizeof(u))) {
		ctx->oom = true;
		return NULL;
	}
	if (!edl_vec_push(&ctx->sources, &u->path, sizeof(u->path)))
		ctx->oom = true;
	return u;
}

static void unit_free_vecs(edl_unit *u)
{
	edl_vec *v[] = {&u->types,      &u->includes,  &u->ecalls,          &u->ocalls,          &u->own_ecalls,
			&u->own_ocalls, &u->own_types, &u->imported_ecalls, &u->imported_ocalls, &u->imports};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		edl_vec_free(v[i]);
	cove_edl_diags_free(&u->diags);
}

static void append_all(edl_ctx *ctx, edl_vec *dst, const edl_vec *src)
{
	for (size_t i = 0; i < src->len; i++)
		if (!edl_vec_push(dst, &EDL_VEC_AT(src, cove_edl_func *, i), sizeof(cove_edl_func *)))
			ctx->oom = true;
}

/* Parse `text` as `unit` and check it; the unit is on the import stack meanwhile. */
static void run_unit(edl_ctx *ctx, edl_unit *u, const char *text, size_t len)
{
	if (!edl_vec_push(&ctx->stack, &u, sizeof(u)))
		ctx->oom = true;
	edl_parse_unit(ctx, u, text, len);
	append_all(ctx, &u->ecalls, &u->own_ecalls);
	append_all(ctx, &u->ecalls, &u->imported_ecalls);
	append_all(ctx, &u->ocalls, &u->own_ocalls);
	append_all(ctx, &u->ocalls, &u->imported_ocalls);
	edl_sema_unit(ctx, u);
	u->done = true;
	if (ctx->stack.len)
		ctx->stack.len--;
	edl_diags_flush(ctx, &u->diags);
}

edl_unit *edl_import_file(edl_ctx *ctx, edl_unit *from, const char *spec, const cove_edl_loc *loc)
{
	if (!spec || !*spec) {
		edl_report(ctx, from, COVE_EDL_ERROR, loc, NULL, "empty EDL file name in import");
		return NULL;
	}
	if (ctx->stack.len >= EDL_MAX_IMPORT_DEPTH) {
		edl_report(ctx, from, COVE_EDL_ERROR, loc, NULL, "imports nested more than %d deep at `%s'",
			   EDL_MAX_IMPORT_DEPTH, spec);
		return NULL;
	}
	char *path = resolve(ctx, from ? from->dir : ".", spec);
	if (!path) {
		char where[2048];
		searched_list(ctx, from ? from->dir : ".", where, sizeof(where));
		edl_report(ctx, from, COVE_EDL_ERROR, loc, NULL, "cannot find imported file `%s' (searched: %s)", spec,
			   where);
		return NULL;
	}
	const char *key = canonical(ctx, path);
	if (!key) {
		ctx->oom = true;
		return NULL;
	}
	for (size_t i = 0; i < ctx->units.len; i++) {
		edl_unit *u = EDL_VEC_AT(&ctx->units, edl_unit *, i);
		if (strcmp(u->key, key) != 0)
			continue;
		if (u->done)
			return u;
		/* On the stack: a cycle.  Name the chain from that file to here. */
		char chain[2048];
		size_t used = 0;
		chain[0] = '\0';
		for (size_t j = 0; j < ctx->stack.len && used < sizeof(chain); j++) {
			edl_unit *s = EDL_VEC_AT(&ctx->stack, edl_unit *, j);
			bool in_cycle = false;
			for (size_t k = 0; k <= j; k++)
				if (EDL_VEC_AT(&ctx->stack, edl_unit *, k) == u)
					in_cycle = true;
			if (!in_cycle)
				continue;
			int r = snprintf(chain + used, sizeof(chain) - used, "%s -> ", s->path);
			if (r < 0)
				break;
			used += (size_t)r;
		}
		edl_report(ctx, from, COVE_EDL_ERROR, loc, NULL, "circular import of `%s' (%s%s)", spec, chain,
			   u->path);
		return NULL;
	}
	char *text = NULL;
	size_t len = 0;
	int err = 0;
	cove_err rc = edl_read_file(path, EDL_MAX_FILE, &text, &len, &err);
	if (rc != COVE_OK) {
		if (rc == COVE_ERR_NOMEM)
			ctx->oom = true;
		edl_report(ctx, from, COVE_EDL_ERROR, loc, NULL, "cannot read imported file `%s': %s", path,
			   rc == COVE_ERR_NOMEM         ? "out of memory"
			   : rc == COVE_ERR_UNSUPPORTED ? "larger than 16 MiB"
			   : err                        ? strerror(err)
							: "not a regular file");
		return NULL;
	}
	edl_unit *u = new_unit(ctx, path, key);
	if (u)
		run_unit(ctx, u, text, len);
	free(text);
	return u;
}

/* ---- the merged tree ---- */

static const char *base_name(edl_arena *a, const char *path)
{
	const char *b = strrchr(path, '/');
	b = b ? b + 1 : path;
	size_t n = strlen(b);
	if (n > 4 && strcmp(b + n - 4, ".edl") == 0)
		n -= 4;
	return edl_strndup(a, b, n);
}

static cove_edl_file *build_file(edl_ctx *ctx, edl_unit *main)
{
	edl_arena *a = ctx->arena;
	cove_edl_file *f = edl_alloc(a, sizeof(*f));
	if (!f)
		return NULL;
	f->path = main->path;
	f->name = base_name(a, main->path);
	f->dialect = ctx->opts.dialect;

	f->nincludes = main->includes.len;
	f->includes = edl_alloc(a, (f->nincludes ? f->nincludes : 1) * sizeof(*f->includes));
	for (size_t i = 0; f->includes && i < f->nincludes; i++) {
		f->includes[i] = *EDL_VEC_AT(&main->includes, cove_edl_include *, i);
		f->includes[i].imported = strcmp(f->includes[i].origin, main->path) != 0;
	}
	f->ntypes = main->types.len;
	f->types = edl_alloc(a, (f->ntypes ? f->ntypes : 1) * sizeof(*f->types));
	for (size_t i = 0; f->types && i < f->ntypes; i++) {
		f->types[i] = *EDL_VEC_AT(&main->types, cove_edl_user_type *, i);
		f->types[i].imported = strcmp(f->types[i].origin, main->path) != 0;
	}
	f->necalls = main->ecalls.len;
	f->ecalls = edl_alloc(a, (f->necalls ? f->necalls : 1) * sizeof(*f->ecalls));
	for (size_t i = 0; f->ecalls && i < f->necalls; i++) {
		f->ecalls[i] = *EDL_VEC_AT(&main->ecalls, cove_edl_func *, i);
		f->ecalls[i].index = i;
		f->ecalls[i].imported = strcmp(f->ecalls[i].origin, main->path) != 0;
	}
	f->nocalls = main->ocalls.len;
	f->ocalls = edl_alloc(a, (f->nocalls ? f->nocalls : 1) * sizeof(*f->ocalls));
	for (size_t i = 0; f->ocalls && i < f->nocalls; i++) {
		f->ocalls[i] = *EDL_VEC_AT(&main->ocalls, cove_edl_func *, i);
		f->ocalls[i].index = i;
		f->ocalls[i].imported = strcmp(f->ocalls[i].origin, main->path) != 0;
	}
	/* Every import statement of every file read, in the order the files were read. */
	size_t nimports = 0;
	for (size_t i = 0; i < ctx->units.len; i++)
		nimports += EDL_VEC_AT(&ctx->units, edl_unit *, i)->imports.len;
	f->imports = edl_alloc(a, (nimports ? nimports : 1) * sizeof(*f->imports));
	for (size_t i = 0; f->imports && i < ctx->units.len; i++) {
		edl_unit *u = EDL_VEC_AT(&ctx->units, edl_unit *, i);
		for (size_t j = 0; j < u->imports.len; j++)
			f->imports[f->nimports++] = *EDL_VEC_AT(&u->imports, cove_edl_import *, j);
	}
	f->nsources = ctx->sources.len;
	f->sources = edl_alloc(a, (f->nsources ? f->nsources : 1) * sizeof(*f->sources));
	for (size_t i = 0; f->sources && i < f->nsources; i++)
		f->sources[i] = EDL_VEC_AT(&ctx->sources, const char *, i);
	if (!f->includes || !f->types || !f->ecalls || !f->ocalls || !f->imports || !f->sources)
		return NULL;
	return f;
}

static cove_err parse_main(const char *path, const char *text, size_t len, const cove_edl_options *opts,
			   cove_edl_file **out, cove_edl_diags *user_diags)
{
	cove_edl_diags local;
	cove_edl_diags *diags = user_diags;
	if (!diags) {
		cove_edl_diags_init(&local);
		diags = &local;
	}
	*out = NULL;
	size_t errors_before = diags->errors;
	cove_err rc = COVE_ERR_NOMEM;
	edl_ctx ctx;
	memset(&ctx, 0, sizeof(ctx));
	if (opts)
		ctx.opts = *opts;
	ctx.diags = diags;
	ctx.arena = calloc(1, sizeof(*ctx.arena));
	if (!ctx.arena)
		goto out;

	edl_unit *main = new_unit(&ctx, path, canonical(&ctx, path));
	if (!main)
		goto out;
	run_unit(&ctx, main, text, len);
	cove_edl_file *f = build_file(&ctx, main);
	if (!f || ctx.oom || ctx.arena->failed)
		goto out;
	edl_sema_final(&ctx, main, f);
	if (ctx.oom || ctx.arena->failed)
		goto out;
	if (diags->errors > errors_before) {
		rc = COVE_ERR_PARSE;
		goto out;
	}
	f->priv = ctx.arena;
	ctx.arena = NULL;
	*out = f;
	rc = COVE_OK;
out:
	if (rc == COVE_ERR_NOMEM)
		cove_edl_diag_add(diags, COVE_EDL_ERROR, NULL, NULL, "out of memory while compiling `%s'", path);
	for (size_t i = 0; i < ctx.units.len; i++)
		unit_free_vecs(EDL_VEC_AT(&ctx.units, edl_unit *, i));
	edl_vec_free(&ctx.units);
	edl_vec_free(&ctx.stack);
	edl_vec_free(&ctx.sources);
	if (ctx.arena) {
		edl_arena_free(ctx.arena);
		free(ctx.arena);
	}
	if (diags == &local)
		cove_edl_diags_free(&local);
	return rc;
}

cove_err cove_edl_parse_buffer(const char *name, const char *text, size_t len, const cove_edl_options *opts,
			       cove_edl_file **out, cove_edl_diags *diags)
{
	if (!out)
		return COVE_ERR_ARG;
	*out = NULL;
	if (!name || (!text && len))
		return COVE_ERR_ARG;
	return parse_main(name, text ? text : "", len, opts, out, diags);
}

cove_err cove_edl_parse_file(const char *path, const cove_edl_options *opts, cove_edl_file **out, cove_edl_diags *diags)
{
	if (!out)
		return COVE_ERR_ARG;
	*out = NULL;
	if (!path)
		return COVE_ERR_ARG;
	cove_edl_diags local;
	cove_edl_diags *d = diags;
	if (!d) {
		cove_edl_diags_init(&local);
		d = &local;
	}
	/* The main file: as given, else in the search paths (as both SDKs look it up). */
	const char *found = path;
	char *owned = NULL;
	if (!is_regular(path) && path[0] != '/' && opts) {
		edl_arena tmp = {0};
		edl_ctx ctx;
		memset(&ctx, 0, sizeof(ctx));
		ctx.opts = *opts;
		ctx.opts.system_dir = NULL;
		ctx.arena = &tmp;
		char *r = resolve(&ctx, ".", path);
		if (r)
			owned = strdup(r);
		edl_arena_free(&tmp);
		if (owned)
			found = owned;
	}
	char *text = NULL;
	size_t len = 0;
	int err = 0;
	cove_err rc = edl_read_file(found, EDL_MAX_FILE, &text, &len, &err);
	if (rc != COVE_OK) {
		cove_edl_loc l = {found, 0, 0};
		cove_edl_diag_add(d, COVE_EDL_ERROR, &l, NULL, "cannot read EDL file: %s",
				  rc == COVE_ERR_NOMEM         ? "out of memory"
				  : rc == COVE_ERR_UNSUPPORTED ? "larger than 16 MiB"
				  : err                        ? strerror(err)
							       : "not a regular file");
		free(owned);
		if (d == &local)
			cove_edl_diags_free(&local);
		return rc == COVE_ERR_NOMEM ? rc : COVE_ERR_IO;
	}
	rc = parse_main(found, text, len, opts, out, d);
	free(text);
	free(owned);
	if (d == &local)
		cove_edl_diags_free(&local);
	return rc;
}

void cove_edl_file_free(cove_edl_file *f)
{
	if (!f)
		return;
	edl_arena *a = f->priv;
	/* f lives in its own arena. */
	if (a) {
		edl_arena_free(a);
		free(a);
	}
}
