/*
 * EDL front end (src/edl): every file of shared/edl-corpus gets the outcome
 * its MANIFEST.md gives (accepted, or the deliberately invalid Open Enclave
 * generator tests rejected with their error at the right line), Intel's
 * Edger8rSyntax samples and Open Enclave's oeedger8r tests parse into the
 * expected trees, the preprocessor and imports behave, the dialect rules
 * differ where the SDKs differ, and malformed input gets precise errors
 * without crashing.
 *
 * The expected lines and messages below are written out here, independently
 * of the table in tools/edger8r/corpus.c.
 */
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"
#include "edl/edl.h"

#define CORPUS "edl-corpus/"
#define OE8    "openenclave/tests/oeedger8r/"
#define SYNTAX "linux-sgx/SampleCode/SampleEnclave/Enclave/Edger8rSyntax/"

static char system_dir[4096];
static char corpus_root[4096];

static int setup(void **state)
{
	(void)state;
	const char *src = getenv("COVE_SOURCE_DIR");
	snprintf(system_dir, sizeof(system_dir), "%s/edl", src && *src ? src : ".");
	const char *c = cove_test_shared_path("edl-corpus");
	if (c)
		snprintf(corpus_root, sizeof(corpus_root), "%s", c);
	return 0;
}

/* ---- helpers ---- */

typedef struct parsed {
	cove_err rc;
	cove_edl_file *f;
	cove_edl_diags d;
} parsed;

static void parsed_free(parsed *p)
{
	cove_edl_file_free(p->f);
	cove_edl_diags_free(&p->d);
	memset(p, 0, sizeof(*p));
}

static void dump_diags(const cove_edl_diags *d)
{
	cove_edl_diags_print(d, stderr);
}

static cove_edl_options opts_for(cove_edl_dialect dialect)
{
	cove_edl_options o = {0};
	o.system_dir = system_dir;
	o.dialect = dialect;
	return o;
}

static parsed parse_text(const char *text, const cove_edl_options *o)
{
	parsed p;
	memset(&p, 0, sizeof(p));
	cove_edl_diags_init(&p.d);
	p.rc = cove_edl_parse_buffer("mem.edl", text, strlen(text), o, &p.f, &p.d);
	return p;
}

static parsed parse_text_d(const char *text, cove_edl_dialect dialect)
{
	cove_edl_options o = opts_for(dialect);
	return parse_text(text, &o);
}

/* Full path of a corpus file, or skip the test. */
static const char *corpus_file(const char *rel)
{
	static char path[8192];
	if (!corpus_root[0]) {
		skip();
		return NULL;
	}
	snprintf(path, sizeof(path), "%s/%s", corpus_root, rel);
	return path;
}

/* The dialect, search paths and defines a corpus file is compiled with (as its own build does). */
static parsed parse_corpus(const char *rel, cove_edl_dialect dialect)
{
	static char extra[2][8192];
	static const char *search[2];
	static const char *defines[1] = {"OE_SGX"};
	const char *path = corpus_file(rel);
	cove_edl_options o = opts_for(dialect);
	if (strncmp(rel, "openenclave/samples", 19) == 0 || strncmp(rel, "openenclave/devex", 17) == 0) {
		snprintf(extra[0], sizeof(extra[0]), "%s/openenclave/edl/sgx", system_dir);
		search[o.nsearch_paths++] = extra[0];
	}
	if (strncmp(rel, OE8 "edl/", strlen(OE8 "edl/")) == 0) {
		snprintf(extra[0], sizeof(extra[0]), "%s/" OE8 "moreedl", corpus_root);
		search[o.nsearch_paths++] = extra[0];
	}
	if (strncmp(rel, "linux-sgx/SampleCode/SampleAttestedTLS", 38) == 0) {
		snprintf(extra[0], sizeof(extra[0]), "%s/linux-sgx/SampleCode/SampleAttestedTLS/common", corpus_root);
		snprintf(extra[1], sizeof(extra[1]), "%s/linux-sgx/SampleCode/SampleAttestedTLS/sgx_socket/include",
			 corpus_root);
		search[o.nsearch_paths++] = extra[0];
		search[o.nsearch_paths++] = extra[1];
	}
	o.search_paths = search;
	if (strncmp(rel, "openenclave/tests/edl_opt_out", 29) == 0) {
		o.defines = defines;
		o.ndefines = 1;
	}
	parsed p;
	memset(&p, 0, sizeof(p));
	cove_edl_diags_init(&p.d);
	/* Intel's Eclipse templates are instantiated by the plugin before compiling. */
	cove_buf text = {0};
	cove_error e = {0};
	if (cove_file_read(path, 1 << 20, &text, &e) != COVE_OK)
		fail_msg("cannot read %s: %s", path, e.msg);
	const char *ph = "$(enclaveName)";
	char *src = malloc(text.len * 2 + 1);
	assert_non_null(src);
	size_t n = 0;
	for (size_t i = 0; i < text.len;) {
		if (i + strlen(ph) <= text.len && memcmp(text.data + i, ph, strlen(ph)) == 0) {
			memcpy(src + n, "Enclave1", 8);
			n += 8;
			i += strlen(ph);
		} else {
			src[n++] = (char)text.data[i++];
		}
	}
	p.rc = cove_edl_parse_buffer(path, src, n, &o, &p.f, &p.d);
	free(src);
	cove_buf_free(&text);
	return p;
}

/* A diagnostic of `sev` at `line` whose message contains `text`. */
static const cove_edl_diag *find_diag(const cove_edl_diags *d, cove_edl_severity sev, unsigned line, const char *text)
{
	for (size_t i = 0; i < d->count; i++)
		if (d->items[i].severity == sev && d->items[i].loc.line == line && strstr(d->items[i].message, text))
			return &d->items[i];
	return NULL;
}

static void expect_diag(const parsed *p, cove_edl_severity sev, unsigned line, const char *text)
{
	if (!find_diag(&p->d, sev, line, text)) {
		dump_diags(&p->d);
		fail_msg("no %s at line %u containing \"%s\"", sev == COVE_EDL_ERROR ? "error" : "warning", line, text);
	}
}

static const cove_edl_func *ecall(const cove_edl_file *f, const char *name)
{
	const cove_edl_func *fn = cove_edl_find_func(f, name);
	if (!fn || fn->kind != COVE_EDL_ECALL)
		fail_msg("no ecall %s", name);
	return fn;
}

static const cove_edl_func *ocall(const cove_edl_file *f, const char *name)
{
	const cove_edl_func *fn = cove_edl_find_func(f, name);
	if (!fn || fn->kind != COVE_EDL_OCALL)
		fail_msg("no ocall %s", name);
	return fn;
}

/* ---- the corpus: diagnostic cases ---- */

typedef struct diag_case {
	const char *rel;
	cove_edl_severity sev;
	unsigned line;
	const char *text;
} diag_case;

static const diag_case oe_cases[] = {
    {OE8 "behavior/private_trusted.edl", COVE_EDL_ERROR, 7, "function `private': `private' specifier"},
    {OE8 "behavior/allow_list.edl", COVE_EDL_ERROR, 6, "`allow(...)' is only valid on untrusted"},
    {OE8 "behavior/deepcopy_value.edl", COVE_EDL_ERROR, 14, "`MyStruct' specifies a deep copy"},
    {OE8 "behavior/size_and_count.edl", COVE_EDL_ERROR, 8, "parameter `in': simultaneous `size' and `count'"},
    {OE8 "string/string_attribute.edl", COVE_EDL_ERROR, 7, "`s' is not char pointer"},
    {OE8 "string/wstring_attribute.edl", COVE_EDL_ERROR, 7, "`s' is not wchar_t pointer"},
    {OE8 "string/string_out.edl", COVE_EDL_ERROR, 6, "should be used with an `in' attribute"},
    {OE8 "string/string_usercheck.edl", COVE_EDL_ERROR, 6, "must be used with pointer direction"},
    {OE8 "string/string_count.edl", COVE_EDL_ERROR, 6, "mutually exclusive with (w)string"},
    {OE8 "string/string_size.edl", COVE_EDL_ERROR, 6, "mutually exclusive with (w)string"},
    {OE8 "string/string_isary.edl", COVE_EDL_ERROR, 6, "`isary' attribute is only valid for user defined type"},
    {OE8 "string/string_isptr.edl", COVE_EDL_ERROR, 6, "`isptr' attribute is only valid for user defined type"},
    {OE8 "string/wstring_isptr.edl", COVE_EDL_ERROR, 6, "`isptr' attribute is only valid for user defined type"},
    {OE8 "string/string_readonly.edl", COVE_EDL_ERROR, 6, "unknown attribute `readonly'"},
    {OE8 "string/wstring_readonly.edl", COVE_EDL_ERROR, 6, "unknown attribute `readonly'"},
    {OE8 "struct/struct_deepcopy_01.edl", COVE_EDL_ERROR, 14, "`ms_t' specifies a deep copy"},
    {OE8 "struct/pointer_array_01.edl", COVE_EDL_ERROR, 36, "`s' is a pointer array"},
    {OE8 "struct/pointer_array_02.edl", COVE_EDL_ERROR, 36, "`s' is a pointer array"},
    {OE8 "struct/pointer_array_03.edl", COVE_EDL_ERROR, 36, "`p' is a pointer array"},
    {OE8 "struct/pointer_array_04.edl", COVE_EDL_ERROR, 36, "`p' is a pointer array"},
    {OE8 "basictypes/duplicated_size.edl", COVE_EDL_ERROR, 7, "duplicated attribute `size'"},
    {OE8 "basictypes/duplicated_count.edl", COVE_EDL_ERROR, 7, "duplicated attribute `count'"},
    {OE8 "userdata/string_usertype.edl", COVE_EDL_ERROR, 8, "`p1' is not char pointer"},
    {OE8 "userdata/usercheck_count.edl", COVE_EDL_ERROR, 8, "size/count attributes must be used with pointer"},
    {OE8 "userdata/usercheck_size.edl", COVE_EDL_ERROR, 8, "size/count attributes must be used with pointer"},
    {OE8 "behavior/portability.edl", COVE_EDL_WARNING, 6, "function `ecall': `long double' has different sizes"},
    {OE8 "behavior/portability.edl", COVE_EDL_WARNING, 10, "function `ocall': `unsigned long' has different"},
    {OE8 "behavior/size_signedness.edl", COVE_EDL_WARNING, 8, "`signed_size': the size or count parameter `size'"},
    {OE8 "behavior/count_signedness.edl", COVE_EDL_WARNING, 8, "`signed_count': the size or count parameter"},
};

static void test_corpus_diagnostic_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(oe_cases) / sizeof(oe_cases[0]); i++) {
		const diag_case *c = &oe_cases[i];
		parsed p = parse_corpus(c->rel, COVE_EDL_DIALECT_OE);
		const cove_edl_diag *g = find_diag(&p.d, c->sev, c->line, c->text);
		if (!g) {
			dump_diags(&p.d);
			fail_msg("%s: no diagnostic at line %u with \"%s\"", c->rel, c->line, c->text);
		}
		/* The diagnostic names the file it belongs to, with a column. */
		assert_non_null(g->loc.file);
		assert_non_null(strstr(g->loc.file, strrchr(c->rel, '/') + 1));
		assert_true(g->loc.col > 0);
		if (c->sev == COVE_EDL_ERROR) {
			assert_int_equal(p.rc, COVE_ERR_PARSE);
			assert_null(p.f);
		} else {
			assert_int_equal(p.rc, COVE_OK);
			assert_int_equal(p.d.errors, 0);
		}
		parsed_free(&p);
	}
}

/* The unsigned twins in the signedness files must not warn; portability warns 8 times, once per parameter. */
static void test_corpus_warning_counts(void **state)
{
	(void)state;
	parsed p = parse_corpus(OE8 "behavior/size_signedness.edl", COVE_EDL_DIALECT_OE);
	assert_int_equal(p.d.warnings, 1);
	assert_null(find_diag(&p.d, COVE_EDL_WARNING, 13, "signed"));
	parsed_free(&p);
	p = parse_corpus(OE8 "behavior/count_signedness.edl", COVE_EDL_DIALECT_OE);
	assert_int_equal(p.d.warnings, 1);
	parsed_free(&p);
	p = parse_corpus(OE8 "behavior/portability.edl", COVE_EDL_DIALECT_OE);
	assert_int_equal(p.d.warnings, 8);
	assert_int_equal(p.d.errors, 0);
	for (size_t i = 0; i < p.d.count; i++)
		assert_string_equal(p.d.items[i].flag, "non-portable-type");
	parsed_free(&p);
	/* Intel's edger8r has no portability warnings. */
	p = parse_corpus(OE8 "behavior/portability.edl", COVE_EDL_DIALECT_INTEL);
	assert_int_equal(p.rc, COVE_OK);
	assert_int_equal(p.d.warnings, 0);
	parsed_free(&p);
	/* struct_deepcopy_02 passes the same struct by pointer: accepted. */
	p = parse_corpus(OE8 "struct/struct_deepcopy_02.edl", COVE_EDL_DIALECT_OE);
	assert_int_equal(p.rc, COVE_OK);
	assert_int_equal(p.d.count, 0);
	assert_true(p.f->types[0].deep_copy);
	parsed_free(&p);
}

/* Where the dialects differ, the default accepts what either SDK accepts. */
static void test_corpus_default_dialect(void **state)
{
	(void)state;
	/* Intel accepts readonly. */
	parsed p = parse_corpus(OE8 "string/string_readonly.edl", COVE_EDL_DIALECT_BOTH);
	assert_int_equal(p.rc, COVE_OK);
	assert_true(p.f->ecalls[0].params[0].attrs.readonly);
	parsed_free(&p);
	/* size with count: Intel multiplies them; the default warns that oeedger8r refuses. */
	p = parse_corpus(OE8 "behavior/size_and_count.edl", COVE_EDL_DIALECT_BOTH);
	assert_int_equal(p.rc, COVE_OK);
	expect_diag(&p, COVE_EDL_WARNING, 8, "`size' and `count' together are not supported by oeedger8r");
	parsed_free(&p);
	p = parse_corpus(OE8 "behavior/size_and_count.edl", COVE_EDL_DIALECT_INTEL);
	assert_int_equal(p.rc, COVE_OK);
	assert_int_equal(p.d.count, 0);
	parsed_free(&p);
	/* A lone private ecall: Intel refuses an enclave without a public root ecall. */
	p = parse_corpus(OE8 "behavior/private_trusted.edl", COVE_EDL_DIALECT_BOTH);
	assert_int_equal(p.rc, COVE_ERR_PARSE);
	expect_diag(&p, COVE_EDL_ERROR, 7, "contains no public root ECALL");
	parsed_free(&p);
	/* allow() on an ecall is refused by both. */
	p = parse_corpus(OE8 "behavior/allow_list.edl", COVE_EDL_DIALECT_INTEL);
	assert_int_equal(p.rc, COVE_ERR_PARSE);
	parsed_free(&p);
}

/* ---- the corpus: every other file is accepted ---- */

static char **walk_paths;
static size_t walk_n, walk_cap;

static int collect(const char *fpath, const struct stat *sb, int type, struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	size_t n = strlen(fpath);
	if (type != FTW_F || n < 4 || strcmp(fpath + n - 4, ".edl") != 0)
		return 0;
	if (walk_n == walk_cap) {
		walk_cap = walk_cap ? walk_cap * 2 : 512;
		walk_paths = realloc(walk_paths, walk_cap * sizeof(*walk_paths));
		if (!walk_paths)
			return 1;
	}
	walk_paths[walk_n++] = strdup(fpath + strlen(corpus_root) + 1);
	return 0;
}

static bool is_diag_case(const char *rel)
{
	static const char *const dirs[] = {OE8 "behavior/", OE8 "string/", OE8 "struct/", OE8 "basictypes/",
					   OE8 "userdata/"};
	if (strcmp(rel, OE8 "struct/struct_deepcopy_02.edl") == 0)
		return false;
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		if (strncmp(rel, dirs[i], strlen(dirs[i])) == 0)
			return true;
	return false;
}

static void test_corpus_accepted(void **state)
{
	(void)state;
	if (!corpus_root[0]) {
		skip();
		return;
	}
	walk_n = 0;
	assert_int_equal(nftw(corpus_root, collect, 16, FTW_PHYS), 0);
	/* The MANIFEST counts 258 files: 53 linux-sgx, 205 openenclave. */
	assert_int_equal(walk_n, 258);
	size_t accepted = 0, cases = 0;
	for (size_t i = 0; i < walk_n; i++) {
		const char *rel = walk_paths[i];
		if (is_diag_case(rel)) {
			cases++;
		} else {
			cove_edl_dialect d =
			    strncmp(rel, "linux-sgx/", 10) == 0 ? COVE_EDL_DIALECT_INTEL : COVE_EDL_DIALECT_OE;
			parsed p = parse_corpus(rel, d);
			if (p.rc != COVE_OK || p.d.errors) {
				dump_diags(&p.d);
				fail_msg("%s was not accepted", rel);
			}
			assert_non_null(p.f);
			accepted++;
			parsed_free(&p);
		}
		free(walk_paths[i]);
	}
	free(walk_paths);
	walk_paths = NULL;
	walk_cap = 0;
	assert_int_equal(cases, 28);
	assert_int_equal(accepted, 230);
}

/* ---- Intel's Edger8rSyntax samples ---- */

static void test_syntax_pointers(void **state)
{
	(void)state;
	parsed p = parse_corpus(SYNTAX "Pointers.edl", COVE_EDL_DIALECT_INTEL);
	assert_int_equal(p.rc, COVE_OK);
	const cove_edl_file *f = p.f;
	assert_string_equal(f->name, "Pointers");
	assert_int_equal(f->necalls, 10);
	assert_int_equal(f->nocalls, 4);

	const cove_edl_func *fn = ecall(f, "ecall_pointer_user_check");
	assert_true(fn->is_public);
	assert_int_equal(fn->ret.kind, COVE_EDL_TYPE_SIZE_T);
	assert_int_equal(fn->params[0].dir, COVE_EDL_DIR_USER_CHECK);
	assert_int_equal(fn->params[0].type.kind, COVE_EDL_TYPE_VOID);
	assert_int_equal(fn->params[0].type.ptr, 1);
	assert_int_equal(fn->loc.line, 53);

	fn = ecall(f, "ecall_pointer_string");
	assert_true(fn->params[0].attrs.in && fn->params[0].attrs.out && fn->params[0].attrs.string);
	assert_int_equal(fn->params[0].dir, COVE_EDL_DIR_INOUT);
	assert_int_equal(fn->params[0].type.kind, COVE_EDL_TYPE_CHAR);

	fn = ecall(f, "ecall_pointer_string_const");
	assert_true(fn->params[0].type.is_const);
	assert_int_equal(fn->params[0].dir, COVE_EDL_DIR_IN);

	fn = ecall(f, "ecall_pointer_size");
	const cove_edl_param *ptr = &fn->params[0];
	assert_true(ptr->attrs.size.present);
	assert_string_equal(ptr->attrs.size.ident, "len");
	assert_ptr_equal(ptr->attrs.size.ref, &fn->params[1]);
	char buf[128];
	cove_edl_decl_elem_sizeof(ptr, buf, sizeof(buf));
	assert_string_equal(buf, "1");

	fn = ecall(f, "ecall_pointer_count");
	assert_string_equal(fn->params[0].attrs.count.ident, "cnt");
	assert_ptr_equal(fn->params[0].attrs.count.ref, cove_edl_find_param(fn, "cnt"));
	cove_edl_decl_elem_sizeof(&fn->params[0], buf, sizeof(buf));
	assert_string_equal(buf, "sizeof(int)");

	fn = ecall(f, "ecall_pointer_isptr_readonly");
	const cove_edl_param *b = &fn->params[0];
	assert_true(b->attrs.in && b->attrs.isptr && b->attrs.readonly && b->attrs.size.present);
	assert_int_equal(b->type.kind, COVE_EDL_TYPE_FOREIGN);
	assert_string_equal(b->type.name, "buffer_t");
	assert_true(cove_edl_decl_is_pointer(b));
	cove_edl_decl_elem_sizeof(b, buf, sizeof(buf));
	assert_string_equal(buf, "sizeof(*(buffer_t)0)");
	/* Attribute positions: `isptr' is the second attribute of line 123. */
	assert_int_equal(b->attrs.at[COVE_EDL_ATTR_ISPTR].line, 123);
	assert_true(b->attrs.at[COVE_EDL_ATTR_ISPTR].col > b->attrs.at[COVE_EDL_ATTR_IN].col);

	/* "Users can define multiple trusted/untrusted blocks": merged in order. */
	assert_string_equal(f->ecalls[9].name, "ocall_pointer_attr");
	assert_int_equal(f->ecalls[9].index, 9);
	fn = ocall(f, "ocall_pointer_in_out");
	assert_int_equal(fn->params[0].dir, COVE_EDL_DIR_INOUT);
	assert_int_equal(fn->index, 3);
	parsed_free(&p);
}

static void test_syntax_functions_arrays_types(void **state)
{
	(void)state;
	parsed p = parse_corpus(SYNTAX "Functions.edl", COVE_EDL_DIALECT_INTEL);
	assert_int_equal(p.rc, COVE_OK);
	const cove_edl_func *priv = ecall(p.f, "ecall_function_private");
	assert_false(priv->is_public);
	assert_true(priv->allowed);
	assert_int_equal(priv->ret.kind, COVE_EDL_TYPE_INT);
	assert_true(priv->void_params);
	const cove_edl_func *o = ocall(p.f, "ocall_function_allow");
	assert_true(o->has_allow);
	assert_int_equal(o->nallow, 1);
	assert_string_equal(o->allow[0].name, "ecall_function_private");
	assert_ptr_equal(o->allow[0].ecall, priv);
	assert_int_equal(p.d.count, 0);
	parsed_free(&p);

	p = parse_corpus(SYNTAX "Arrays.edl", COVE_EDL_DIALECT_INTEL);
	assert_int_equal(p.rc, COVE_OK);
	const cove_edl_func *fn = ecall(p.f, "ecall_array_in_out");
	const cove_edl_param *arr = &fn->params[0];
	assert_int_equal(arr->ndims, 1);
	assert_int_equal(arr->dims[0].value, 4);
	assert_null(arr->dims[0].ident);
	assert_int_equal(arr->dir, COVE_EDL_DIR_INOUT);
	assert_true(cove_edl_decl_is_array(arr));
	assert_int_equal(cove_edl_decl_array_count(arr), 4);
	char buf[128];
	cove_edl_decl_array_sizeof(arr, buf, sizeof(buf));
	assert_string_equal(buf, "sizeof(int) * 4");
	cove_edl_decl_format(arr, buf, sizeof(buf));
	assert_string_equal(buf, "int arr[4]");
	fn = ecall(p.f, "ecall_array_isary");
	assert_true(fn->params[0].attrs.isary && fn->params[0].attrs.user_check);
	cove_edl_decl_array_sizeof(&fn->params[0], buf, sizeof(buf));
	assert_string_equal(buf, "sizeof(array_t)");
	parsed_free(&p);

	p = parse_corpus(SYNTAX "Types.edl", COVE_EDL_DIALECT_INTEL);
	assert_int_equal(p.rc, COVE_OK);
	assert_int_equal(p.f->ntypes, 3);
	const cove_edl_user_type *st = cove_edl_find_type(p.f, "struct_foo_t");
	assert_non_null(st);
	assert_int_equal(st->kind, COVE_EDL_USER_STRUCT);
	assert_int_equal(st->nmembers, 2);
	assert_int_equal(st->members[1].type.kind, COVE_EDL_TYPE_UINT64);
	assert_false(st->deep_copy);
	const cove_edl_user_type *en = cove_edl_find_type(p.f, "enum_foo_t");
	assert_int_equal(en->nitems, 2);
	assert_true(en->items[1].has_int);
	assert_int_equal(en->items[1].value, 1);
	assert_int_equal(cove_edl_find_type(p.f, "union_foo_t")->kind, COVE_EDL_USER_UNION);
	fn = ecall(p.f, "ecall_type_struct");
	assert_int_equal(fn->params[0].type.kind, COVE_EDL_TYPE_STRUCT);
	assert_ptr_equal(fn->params[0].type.user, st);
	fn = ecall(p.f, "ecall_type_enum_union");
	assert_ptr_equal(fn->params[0].type.user, en);
	assert_int_equal(fn->params[1].type.kind, COVE_EDL_TYPE_UNION);
	assert_int_equal(ecall(p.f, "ecall_type_wchar_t")->params[0].type.kind, COVE_EDL_TYPE_WCHAR);
	parsed_free(&p);
}

/* SampleEnclave's Enclave.edl imports the syntax samples, sgx_tstdc.edl and its trusted libraries. */
static void test_syntax_enclave_imports(void **state)
{
	(void)state;
	parsed p = parse_corpus("linux-sgx/SampleCode/SampleEnclave/Enclave/Enclave.edl", COVE_EDL_DIALECT_INTEL);
	if (p.rc != COVE_OK)
		dump_diags(&p.d);
	assert_int_equal(p.rc, COVE_OK);
	const cove_edl_func *fn = ecall(p.f, "ecall_pointer_size");
	assert_true(fn->imported);
	assert_non_null(strstr(fn->origin, "Edger8rSyntax/Pointers.edl"));
	fn = ocall(p.f, "sgx_oc_cpuidex");
	assert_true(fn->imported);
	assert_int_equal(fn->callconv, COVE_EDL_CALLCONV_CDECL);
	assert_non_null(strstr(fn->origin, "sgx_tstdc.edl"));
	assert_int_equal(fn->params[0].ndims, 1);
	assert_int_equal(fn->params[0].dims[0].value, 4);
	/* Own functions first, each list numbered from 0. */
	for (size_t i = 0; i < p.f->necalls; i++)
		assert_int_equal(p.f->ecalls[i].index, i);
	assert_false(p.f->ocalls[0].imported);
	assert_true(p.f->nsources >= 8);
	assert_true(p.f->nimports >= 8);
	parsed_free(&p);
}

/* ---- Open Enclave's generator tests ---- */

static void test_oe_edl_details(void **state)
{
	(void)state;
	parsed p = parse_corpus(OE8 "edl/all.edl", COVE_EDL_DIALECT_OE);
	if (p.rc != COVE_OK)
		dump_diags(&p.d);
	assert_int_equal(p.rc, COVE_OK);
	const cove_edl_file *f = p.f;

	/* Multi-dimensional arrays (array.edl). */
	const cove_edl_func *fn = NULL;
	const cove_edl_param *two_d = NULL;
	for (size_t i = 0; i < f->necalls && !two_d; i++)
		for (size_t j = 0; j < f->ecalls[i].nparams; j++)
			if (f->ecalls[i].params[j].ndims == 2) {
				fn = &f->ecalls[i];
				two_d = &f->ecalls[i].params[j];
				break;
			}
	assert_non_null(two_d);
	assert_non_null(strstr(fn->origin, "array.edl"));
	assert_true(cove_edl_decl_array_count(two_d) == two_d->dims[0].value * two_d->dims[1].value);

	/* Deep copy structs (deepcopy.edl) carry count/size on members, resolved to siblings. */
	size_t deep = 0;
	for (size_t i = 0; i < f->ntypes; i++) {
		const cove_edl_user_type *t = &f->types[i];
		if (!t->deep_copy)
			continue;
		deep++;
		for (size_t m = 0; m < t->nmembers; m++) {
			const cove_edl_size *s =
			    t->members[m].attrs.count.present ? &t->members[m].attrs.count : &t->members[m].attrs.size;
			if (s->present && s->ident) {
				assert_non_null(s->ref);
				assert_true(s->ref >= t->members && s->ref < t->members + t->nmembers);
			}
		}
	}
	assert_true(deep >= 3);

	/* Switchless and errno (switchless_test.edl is separate; errno.edl is imported). */
	bool saw_errno = false;
	for (size_t i = 0; i < f->nocalls; i++)
		saw_errno |= f->ocalls[i].propagate_errno;
	assert_true(saw_errno);

	/* moreedl/foo.edl: only the two named functions come in. */
	assert_non_null(cove_edl_find_func(f, "enc_foo1"));
	assert_non_null(cove_edl_find_func(f, "host_foo1"));
	assert_true(cove_edl_find_func(f, "enc_foo1")->imported);
	parsed_free(&p);

	p = parse_corpus(OE8 "edl/switchless_test.edl", COVE_EDL_DIALECT_OE);
	assert_int_equal(p.rc, COVE_OK);
	size_t sw = 0;
	for (size_t i = 0; i < p.f->necalls; i++)
		sw += p.f->ecalls[i].switchless;
	for (size_t i = 0; i < p.f->nocalls; i++)
		sw += p.f->ocalls[i].switchless;
	assert_true(sw > 0);
	parsed_free(&p);

	/* Foreign isptr/isary types (foreign.edl). */
	p = parse_corpus(OE8 "edl/foreign.edl", COVE_EDL_DIALECT_OE);
	assert_int_equal(p.rc, COVE_OK);
	size_t isptr = 0, isary = 0;
	for (size_t i = 0; i < p.f->necalls; i++)
		for (size_t j = 0; j < p.f->ecalls[i].nparams; j++) {
			isptr += p.f->ecalls[i].params[j].attrs.isptr;
			isary += p.f->ecalls[i].params[j].attrs.isary;
			if (p.f->ecalls[i].params[j].attrs.isptr)
				assert_int_equal(p.f->ecalls[i].params[j].type.kind, COVE_EDL_TYPE_FOREIGN);
		}
	assert_true(isptr > 0 && isary > 0);
	parsed_free(&p);
}

/* The Intel system EDLs as cove ships them declare what the corpus imports by name. */
static void test_system_edls(void **state)
{
	(void)state;
	static const char *const names[] = {
	    "sgx_oc_cpuidex", "sgx_thread_wait_untrusted_event_ocall", "sgx_thread_set_untrusted_event_ocall",
	    "sgx_thread_setwait_untrusted_events_ocall", "sgx_thread_set_multiple_untrusted_events_ocall"};
	parsed p = parse_text("enclave {\n"
			      "  from \"sgx_tstdc.edl\" import sgx_oc_cpuidex, sgx_thread_wait_untrusted_event_ocall,\n"
			      "      sgx_thread_set_untrusted_event_ocall, sgx_thread_setwait_untrusted_events_ocall,\n"
			      "      sgx_thread_set_multiple_untrusted_events_ocall;\n"
			      "  from \"openenclave/edl/logging.edl\" import oe_write_ocall;\n"
			      "  from \"openenclave/edl/time.edl\" import oe_syscall_nanosleep_ocall;\n"
			      "  from \"openenclave/edl/utsname.edl\" import oe_syscall_uname_ocall;\n"
			      "  from \"cove/edl/system.edl\" import *;\n"
			      "  trusted { public void e(void); };\n"
			      "};\n",
			      &(cove_edl_options){.system_dir = system_dir});
	if (p.rc != COVE_OK)
		dump_diags(&p.d);
	assert_int_equal(p.rc, COVE_OK);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		assert_non_null(ocall(p.f, names[i]));
	assert_non_null(ocall(p.f, "oe_write_ocall"));
	assert_null(cove_edl_find_func(p.f, "oe_log_ocall"));    /* not named */
	assert_non_null(cove_edl_find_type(p.f, "oe_timespec")); /* types always come along */
	assert_non_null(ocall(p.f, "cove_ocall_write_log"));
	assert_int_equal(ocall(p.f, "cove_ocall_thread_wake_many")->params[0].attrs.count.ref,
			 &ocall(p.f, "cove_ocall_thread_wake_many")->params[1]);
	parsed_free(&p);
}

/* ---- preprocessor ---- */

static const char pp_text[] = "enclave {\n"
			      "#ifdef OE_SGX\n"
			      "  trusted { public void sgx_only(void); };\n"
			      "#else\n"
			      "  trusted { public void other(void); };\n"
			      "#endif\n"
			      "#ifndef FEATURE\n"
			      "  untrusted { void no_feature(void); };\n"
			      "#ifdef OE_SGX\n"
			      "  untrusted { void nested(void); };\n"
			      "#endif\n"
			      "#endif\n"
			      "};\n";

static void test_preprocessor(void **state)
{
	(void)state;
	const char *defs[] = {"OE_SGX", "FEATURE=1"};
	cove_edl_options o = opts_for(COVE_EDL_DIALECT_OE);
	parsed p = parse_text(pp_text, &o);
	assert_int_equal(p.rc, COVE_OK);
	assert_non_null(cove_edl_find_func(p.f, "other"));
	assert_null(cove_edl_find_func(p.f, "sgx_only"));
	assert_non_null(cove_edl_find_func(p.f, "no_feature"));
	assert_null(cove_edl_find_func(p.f, "nested"));
	parsed_free(&p);

	o.defines = defs;
	o.ndefines = 1;
	p = parse_text(pp_text, &o);
	assert_non_null(cove_edl_find_func(p.f, "sgx_only"));
	assert_non_null(cove_edl_find_func(p.f, "nested"));
	assert_null(cove_edl_find_func(p.f, "other"));
	parsed_free(&p);

	o.ndefines = 2; /* FEATURE=1: a value is accepted and ignored */
	p = parse_text(pp_text, &o);
	assert_null(cove_edl_find_func(p.f, "no_feature"));
	assert_null(cove_edl_find_func(p.f, "nested"));
	parsed_free(&p);

	/* Errors: unterminated, stray #else/#endif, unsupported directives, a missing name. */
	p = parse_text_d("enclave {\n#ifdef X\n trusted { public void f(void); };\n};\n", COVE_EDL_DIALECT_OE);
	assert_int_equal(p.rc, COVE_ERR_PARSE);
	expect_diag(&p, COVE_EDL_ERROR, 2, "unterminated #ifdef");
	parsed_free(&p);
	p = parse_text_d("enclave {\n#endif\n#else\n#define X 1\n#ifdef\n#endif\n#if X\n};\n", COVE_EDL_DIALECT_BOTH);
	expect_diag(&p, COVE_EDL_ERROR, 2, "#endif without #ifdef");
	expect_diag(&p, COVE_EDL_ERROR, 3, "#else without #ifdef");
	expect_diag(&p, COVE_EDL_ERROR, 4, "unsupported preprocessor directive `#define'");
	expect_diag(&p, COVE_EDL_ERROR, 5, "#ifdef needs a macro name");
	expect_diag(&p, COVE_EDL_ERROR, 7, "unsupported preprocessor directive `#if'");
	parsed_free(&p);
	p = parse_text_d("enclave {\n#ifdef A\n#else\n#else\n#endif\n};\n", COVE_EDL_DIALECT_OE);
	expect_diag(&p, COVE_EDL_ERROR, 4, "#else after #else");
	parsed_free(&p);
	/* Text in a skipped branch is not compiled, but an unterminated comment there is still found. */
	p = parse_text_d("enclave {\n#ifdef NOPE\n @@@ garbage ;;\n#endif\n};\n", COVE_EDL_DIALECT_OE);
	assert_int_equal(p.rc, COVE_OK);
	parsed_free(&p);
	p = parse_text_d("enclave {\n#ifdef NOPE\n /* open\n#endif\n};\n", COVE_EDL_DIALECT_OE);
	assert_int_equal(p.rc, COVE_ERR_PARSE);
	expect_diag(&p, COVE_EDL_ERROR, 3, "unterminated comment");
	parsed_free(&p);
	/* The corpus file that switches on OE_SGX (edl_opt_out). */
	p = parse_corpus("openenclave/tests/edl_opt_out/edl/edl_opt_out.edl", COVE_EDL_DIALECT_OE);
	assert_int_equal(p.rc, COVE_OK);
	parsed_free(&p);
}

/* ---- imports ---- */

static char tmpdir[256];

static void write_file(const char *name, const char *text)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	char *slash = strrchr(path, '/');
	if (slash && slash > path + strlen(tmpdir)) {
		*slash = '\0';
		mkdir(path, 0700);
		*slash = '/';
	}
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static parsed parse_tmp(const char *name, const cove_edl_options *o)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	parsed p;
	memset(&p, 0, sizeof(p));
	cove_edl_diags_init(&p.d);
	p.rc = cove_edl_parse_file(path, o, &p.f, &p.d);
	return p;
}

static int make_tmpdir(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/cove-edl-test-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int rm_tmpdir(void **state)
{
	(void)state;
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_imports(void **state)
{
	(void)state;
	cove_edl_options o = {0};
	/* Diamond: a imports b and c, both import d; d's functions arrive once. */
	write_file("d.edl", "enclave { struct shared_t { int x; }; untrusted { void d_ocall(void); }; };\n");
	write_file("b.edl", "enclave { from \"d.edl\" import *; trusted { public void b_ecall(void); }; };\n");
	write_file("sub/c.edl", "enclave { from \"d.edl\" import d_ocall; untrusted { void c_ocall(void); }; };\n");
	write_file("a.edl", "enclave {\n"
			    "  from \"b.edl\" import *;\n"
			    "  from \"sub/c.edl\" import c_ocall, d_ocall;\n"
			    "  trusted { public void a_ecall([in] struct shared_t *s); };\n"
			    "};\n");
	/* sub/c.edl finds d.edl through the search path (its own folder has none). */
	const char *sp[] = {tmpdir};
	o.search_paths = sp;
	o.nsearch_paths = 1;
	parsed p = parse_tmp("a.edl", &o);
	if (p.rc != COVE_OK)
		dump_diags(&p.d);
	assert_int_equal(p.rc, COVE_OK);
	assert_int_equal(p.f->necalls, 2);
	assert_int_equal(p.f->nocalls, 2);
	assert_string_equal(p.f->ecalls[0].name, "a_ecall");
	assert_false(p.f->ecalls[0].imported);
	assert_true(p.f->ecalls[1].imported);
	assert_int_equal(p.f->ntypes, 1);
	assert_ptr_equal(p.f->ecalls[0].params[0].type.user, &p.f->types[0]);
	assert_int_equal(p.f->nsources, 4);
	parsed_free(&p);

	/* Without the search path, the error names the import, the file and where it looked. */
	o.nsearch_paths = 0;
	p = parse_tmp("a.edl", &o);
	assert_int_equal(p.rc, COVE_ERR_PARSE);
	const cove_edl_diag *g = cove_edl_diags_first(&p.d, COVE_EDL_ERROR);
	assert_non_null(g);
	assert_non_null(strstr(g->message, "cannot find imported file `d.edl'"));
	assert_non_null(strstr(g->message, "searched:"));
	assert_non_null(strstr(g->message, "/sub"));
	assert_int_equal(g->loc.line, 1);
	assert_non_null(strstr(g->loc.file, "sub/c.edl"));
	parsed_free(&p);
	o.search_paths = sp;
	o.nsearch_paths = 1;

	/* Cycle: x -> y -> x. */
	write_file("x.edl", "enclave {\n  from \"y.edl\" import *;\n  trusted { public void x(void); };\n};\n");
	write_file("y.edl", "enclave {\n\n  from \"x.edl\" import *;\n  untrusted { void y(void); };\n};\n");
	p = parse_tmp("x.edl", &o);
	assert_int_equal(p.rc, COVE_ERR_PARSE);
	g = cove_edl_diags_first(&p.d, COVE_EDL_ERROR);
	assert_non_null(strstr(g->message, "circular import of `x.edl'"));
	assert_int_equal(g->loc.line, 3);
	assert_non_null(strstr(g->loc.file, "y.edl"));
	parsed_free(&p);

	/* Named import of something that is not there; duplicate functions across files. */
	write_file("n.edl", "enclave {\n  from \"d.edl\" import nope;\n  untrusted { void d_ocall(void); };\n};\n");
	p = parse_tmp("n.edl", &o);
	assert_int_equal(p.rc, COVE_ERR_PARSE);
	expect_diag(&p, COVE_EDL_ERROR, 2, "function `nope' is not declared in");
	parsed_free(&p);
	write_file("dup.edl", "enclave {\n  from \"d.edl\" import *;\n  untrusted { void d_ocall(void); };\n};\n");
	p = parse_tmp("dup.edl", &o);
	assert_int_equal(p.rc, COVE_ERR_PARSE);
	expect_diag(&p, COVE_EDL_ERROR, 3, "duplicate function `d_ocall'");
	parsed_free(&p);
	write_file("dupt.edl", "enclave {\n  from \"d.edl\" import *;\n  struct shared_t { int y; };\n};\n");
	p = parse_tmp("dupt.edl", &o);
	expect_diag(&p, COVE_EDL_ERROR, 3, "duplicate definition of type `shared_t'");
	parsed_free(&p);

	/* Search order: the importing file's folder, the search paths in order, the system folder last. */
	write_file("s1/pick.edl", "enclave { untrusted { void from_s1(void); }; };\n");
	write_file("s2/pick.edl", "enclave { untrusted { void from_s2(void); }; };\n");
	write_file("order.edl", "enclave { from \"pick.edl\" import *; trusted { public void e(void); }; };\n");
	char s1[300], s2[300];
	snprintf(s1, sizeof(s1), "%s/s1", tmpdir);
	snprintf(s2, sizeof(s2), "%s/s2", tmpdir);
	const char *order[] = {s2, s1};
	o.search_paths = order;
	o.nsearch_paths = 2;
	p = parse_tmp("order.edl", &o);
	assert_non_null(cove_edl_find_func(p.f, "from_s2"));
	parsed_free(&p);
	o.nsearch_paths = 0;
	o.system_dir = s1;
	p = parse_tmp("order.edl", &o);
	assert_non_null(cove_edl_find_func(p.f, "from_s1"));
	parsed_free(&p);

	/* A folder or a device named as an import is refused, not read. */
	write_file("dev.edl", "enclave { from \"/dev/zero\" import *; from \"s1\" import *; };\n");
	o.system_dir = NULL;
	p = parse_tmp("dev.edl", &o);
	assert_int_equal(p.rc, COVE_ERR_PARSE);
	assert_int_equal(p.d.errors, 2);
	parsed_free(&p);

	/* The main file itself: missing is an I/O error with a message. */
	p = parse_tmp("missing.edl", &o);
	assert_int_equal(p.rc, COVE_ERR_IO);
	assert_non_null(strstr(p.d.items[0].message, "cannot read EDL file"));
	parsed_free(&p);
}

/* ---- semantic rules ---- */

typedef struct rule_case {
	cove_edl_dialect dialect;
	const char *body; /* placed on line 2 */
	cove_edl_severity sev;
	const char *text;
} rule_case;

static const rule_case rules[] = {
    {COVE_EDL_DIALECT_BOTH, "trusted { public void f([out, string] char *s); };", COVE_EDL_ERROR, "`in' attribute"},
    {COVE_EDL_DIALECT_BOTH, "trusted { public void f([in, string] int *s); };", COVE_EDL_ERROR, "not char pointer"},
    {COVE_EDL_DIALECT_BOTH, "trusted { public void f([in, wstring, string] char *s); };", COVE_EDL_ERROR,
     "mutually exclusive"},
    {COVE_EDL_DIALECT_INTEL, "trusted { public void f([in, out, readonly, size=n] void *p, size_t n); };",
     COVE_EDL_ERROR, "`p' is readonly - cannot be used with `out'"},
    {COVE_EDL_DIALECT_OE, "trusted { public void f([in, readonly] int *p); };", COVE_EDL_ERROR,
     "unknown attribute `readonly'"},
    {COVE_EDL_DIALECT_BOTH, "trusted { public void f([in] void *p); };", COVE_EDL_ERROR,
     "void pointer `p' - buffer size unknown"},
    {COVE_EDL_DIALECT_INTEL, "trusted { public void f([in, count=n] void *p, size_t n); };", COVE_EDL_ERROR,
     "buffer size unknown"},
    {COVE_EDL_DIALECT_BOTH, "trusted { public void f([in, size=nope] char *p); };", COVE_EDL_ERROR,
     "there is no parameter named `nope'"},
    {COVE_EDL_DIALECT_BOTH, "trusted { public void f([in, size=q] char *p, [in] int *q); };", COVE_EDL_ERROR,
     "cannot be a size or count"},
    {COVE_EDL_DIALECT_BOTH, "trusted { public void f([in, size=q] char *p, struct s q); };", COVE_EDL_ERROR,
     "cannot be a size or count"},
    {COVE_EDL_DIALECT_BOTH, "trusted { public void f([in, count=n] char *p, long long n); };", COVE_EDL_WARNING,
     "should not be signed"},
    {COVE_EDL_DIALECT_BOTH, "trusted { public void f([in, count=n] char *p, double n); };", COVE_EDL_WARNING,
     "floating-point"},
    {COVE_EDL_DIALECT_BOTH, "trusted { public void f([in] int a); };", COVE_EDL_ERROR,
     "`in' is invalid for plain type `int'"},
    {COVE_EDL_DIALECT_BOTH, "trusted { public void f([user_check] int a); };", COVE_EDL_ERROR,
     "`user_check' attribute is invalid for plain type"},
    {COVE_EDL_DIALECT_BOTH, "trusted { public void f([in, user_check] int *a); };", COVE_EDL_ERROR,
     "mutually exclusive"},
    {COVE_EDL_DIALECT_BOTH, "trusted { public void f([in, isptr] int *a); };", COVE_EDL_ERROR,
     "only valid for user defined type"},
    {COVE_EDL_DIALECT_BOTH, "trusted { public void f([isptr] foo_t a); };", COVE_EDL_ERROR,
     "should have direction attribute or `user_check'"},
    {COVE_EDL_DIALECT_BOTH, "trusted { public void f([in, isary, size=4] arr_t a); };", COVE_EDL_ERROR,
     "foreign array"},
    {COVE_EDL_DIALECT_BOTH, "trusted { public void f([in, isptr, isary] foo_t a); };", COVE_EDL_ERROR,
     "cannot be used with `isptr' together"},
    {COVE_EDL_DIALECT_BOTH, "trusted { public void f([in, in] int *a); };", COVE_EDL_ERROR,
     "duplicated attribute `in'"},
    {COVE_EDL_DIALECT_BOTH, "trusted { public void f([in, frob] int *a); };", COVE_EDL_ERROR,
     "unknown attribute `frob'"},
    {COVE_EDL_DIALECT_BOTH, "trusted { public void f([in, sizefunc=g] int *a); };", COVE_EDL_ERROR, "deprecated"},
    {COVE_EDL_DIALECT_BOTH, "trusted { public void f([] int *a); };", COVE_EDL_ERROR, "empty attribute list"},
    {COVE_EDL_DIALECT_BOTH, "trusted { public void f([in] char *a[4]); };", COVE_EDL_ERROR, "is a pointer array"},
    {COVE_EDL_DIALECT_BOTH, "trusted { public void f(int a[0]); };", COVE_EDL_ERROR, "zero-length array"},
    {COVE_EDL_DIALECT_BOTH, "trusted { public void f([in] int a[]); };", COVE_EDL_ERROR, "flexible array"},
    {COVE_EDL_DIALECT_BOTH, "trusted { public void f([in, count=n] int a[4], size_t n); };", COVE_EDL_ERROR,
     "fixed-size array"},
    {COVE_EDL_DIALECT_BOTH, "trusted { public void f(void v); };", COVE_EDL_ERROR, "has type `void'"},
    {COVE_EDL_DIALECT_BOTH, "trusted { public void f(int a, int a); };", COVE_EDL_ERROR, "duplicate parameter"},
    {COVE_EDL_DIALECT_BOTH, "trusted { public void f(void); public int f(void); };", COVE_EDL_ERROR,
     "duplicate function `f'"},
    {COVE_EDL_DIALECT_BOTH, "trusted { public void f(void); }; untrusted { void f(void); };", COVE_EDL_ERROR,
     "duplicate function `f'"},
    {COVE_EDL_DIALECT_BOTH, "trusted { public void f(void) allow(g); };", COVE_EDL_ERROR,
     "only valid on untrusted functions"},
    {COVE_EDL_DIALECT_BOTH, "trusted { public void e(void); }; untrusted { void o(void) allow(nope); };",
     COVE_EDL_ERROR, "allow unknown function `nope'"},
    {COVE_EDL_DIALECT_BOTH, "trusted { public void e(void); }; untrusted { void o(void) allow(p); void p(void); };",
     COVE_EDL_ERROR, "which is an untrusted function"},
    {COVE_EDL_DIALECT_BOTH, "trusted { public void e(void); void hidden(void); };", COVE_EDL_WARNING,
     "private ECALL `hidden' is not used by any OCALL"},
    {COVE_EDL_DIALECT_OE, "trusted { public void e(void); }; untrusted { void o(void) allow(e); };", COVE_EDL_WARNING,
     "allow list ignored"},
    {COVE_EDL_DIALECT_BOTH, "trusted { public void e(void) propagate_errno; };", COVE_EDL_ERROR,
     "only valid on untrusted functions"},
    {COVE_EDL_DIALECT_BOTH, "untrusted { [cdecl, stdcall] void o(void); };", COVE_EDL_ERROR, "conflicts"},
    {COVE_EDL_DIALECT_BOTH, "untrusted { [dllimport, dllimport] void o(void); };", COVE_EDL_ERROR,
     "duplicated attribute `dllimport'"},
    {COVE_EDL_DIALECT_BOTH, "untrusted { [in] void o(void); };", COVE_EDL_ERROR, "invalid function attribute"},
    {COVE_EDL_DIALECT_OE, "untrusted { [cdecl] void o(void); };", COVE_EDL_ERROR, "not supported in the Open"},
    {COVE_EDL_DIALECT_BOTH, "trusted { [cdecl] public void e(void); };", COVE_EDL_ERROR, "expected a type"},
    {COVE_EDL_DIALECT_BOTH, "untrusted { public void o(void); };", COVE_EDL_ERROR, "`public' is only valid"},
    {COVE_EDL_DIALECT_INTEL, "trusted { public void f(int *p); };", COVE_EDL_ERROR,
     "should have direction attribute or `user_check'"},
    {COVE_EDL_DIALECT_BOTH, "trusted { public void f(int *p); };", COVE_EDL_WARNING, "without a direction"},
    {COVE_EDL_DIALECT_INTEL, "trusted { public void f([out] const int *p); };", COVE_EDL_ERROR, "readonly (const)"},
    {COVE_EDL_DIALECT_BOTH, "trusted { public void f([out] const int *p); };", COVE_EDL_WARNING,
     "`out' on a const pointer"},
    {COVE_EDL_DIALECT_BOTH, "trusted { public void f(long double x); };", COVE_EDL_WARNING,
     "`long double' has different sizes"},
    {COVE_EDL_DIALECT_BOTH, "struct s { [count=n] int *p; size_t n; }; trusted { public void f(struct s v); };",
     COVE_EDL_ERROR, "specifies a deep copy"},
    {COVE_EDL_DIALECT_BOTH, "struct s { [count=n] int *p; size_t n; }; trusted { public void f([in, size=4] s *v); };",
     COVE_EDL_ERROR, "use `count'"},
    {COVE_EDL_DIALECT_BOTH, "struct s { [in] int *p; }; trusted { public void f(void); };", COVE_EDL_ERROR,
     "only `count' and `size'"},
    {COVE_EDL_DIALECT_BOTH, "struct s { [count=m] int *p; }; trusted { public void f(void); };", COVE_EDL_ERROR,
     "there is no member named `m'"},
    {COVE_EDL_DIALECT_BOTH, "struct s { [count=4] int p; }; trusted { public void f(void); };", COVE_EDL_ERROR,
     "need a pointer member"},
    {COVE_EDL_DIALECT_BOTH, "union u { [count=4] int *p; }; trusted { public void f(void); };", COVE_EDL_ERROR,
     "not allowed for union members"},
    {COVE_EDL_DIALECT_BOTH, "struct s { int a; int a; }; trusted { public void f(void); };", COVE_EDL_ERROR,
     "duplicate member `a'"},
    {COVE_EDL_DIALECT_BOTH, "struct s { }; trusted { public void f(void); };", COVE_EDL_ERROR, "has no members"},
    {COVE_EDL_DIALECT_BOTH, "enum e { A, B }; enum g { B }; trusted { public void f(void); };", COVE_EDL_ERROR,
     "enumerator `B' is already defined"},
    {COVE_EDL_DIALECT_BOTH, "struct s { int a; }; trusted { public void f(union s *p); };", COVE_EDL_ERROR,
     "which is defined as a struct"},
};

static void test_semantic_rules(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		const rule_case *r = &rules[i];
		char text[1024];
		snprintf(text, sizeof(text), "enclave {\n%s\n};\n", r->body);
		parsed p = parse_text_d(text, r->dialect);
		if (!find_diag(&p.d, r->sev, 2, r->text)) {
			dump_diags(&p.d);
			fail_msg("rule %zu (%s): no %s with \"%s\" at line 2", i, r->body,
				 r->sev == COVE_EDL_ERROR ? "error" : "warning", r->text);
		}
		assert_int_equal(p.rc, p.d.errors ? COVE_ERR_PARSE : COVE_OK);
		parsed_free(&p);
	}
}

/* Accepted variants: the same constructs written correctly produce no diagnostic at all. */
static void test_valid_constructs(void **state)
{
	(void)state;
	static const char text[] =
	    "enclave {\n"
	    "  include \"stdint.h\"\n"
	    "  enum color { RED, GREEN = 5, BLUE = -2, ALIAS = GREEN, HEX = 0x10, };\n"
	    "  enum { ANON_A };\n"
	    "  struct node { size_t n; [count=n] uint32_t *items; [size=n] void *raw; };\n"
	    "  union word { uint32_t u; float f; };\n"
	    "  trusted {\n"
	    "    include \"other.h\"\n"
	    "    public unsigned long long ecall_types(unsigned u, unsigned int ui, unsigned char uc, signed char sc,\n"
	    "        short s, unsigned short us, long long ll, int8_t i8, uint16_t u16, int32_t i32, uint64_t u64,\n"
	    "        bool b, float f, double d, size_t z, enum color c, union word w, struct node *np,\n"
	    "        [in, count=2] struct node *nodes, const char *unchecked);\n"
	    "    public void ecall_ptr([in, out, count=n] int **pp, size_t n, [user_check] void *raw,\n"
	    "        [in, size=n] const void *bytes, [out] int grid[2][OE_DIM], [in, wstring] const wchar_t *w);\n"
	    "    public void ecall_sw(void) transition_using_threads;\n"
	    "    void ecall_private(void);\n"
	    "  };\n"
	    "  untrusted {\n"
	    "    [cdecl, dllimport] int ocall_a([in, string] const char *s) allow(ecall_private)\n"
	    "        propagate_errno transition_using_threads;\n"
	    "    [stdcall] int *ocall_b(void) transition_using_threads propagate_errno;\n"
	    "  };\n"
	    "};\n";
	parsed p = parse_text_d(text, COVE_EDL_DIALECT_BOTH);
	assert_int_equal(p.rc, COVE_OK);
	/* Only warnings: `np' and `unchecked' have no direction, wchar_t is not portable. */
	assert_int_equal(p.d.errors, 0);
	assert_int_equal(p.d.warnings, 3);
	assert_non_null(find_diag(&p.d, COVE_EDL_WARNING, 11, "`np' is a pointer or array without a direction"));
	assert_non_null(find_diag(&p.d, COVE_EDL_WARNING, 12, "`unchecked'"));
	assert_non_null(find_diag(&p.d, COVE_EDL_WARNING, 14, "`wchar_t' has different sizes"));
	const cove_edl_func *types = ecall(p.f, "ecall_types");
	static const cove_edl_type_kind kinds[] = {
	    COVE_EDL_TYPE_UINT,   COVE_EDL_TYPE_UINT,  COVE_EDL_TYPE_UCHAR,  COVE_EDL_TYPE_SCHAR,  COVE_EDL_TYPE_SHORT,
	    COVE_EDL_TYPE_USHORT, COVE_EDL_TYPE_LLONG, COVE_EDL_TYPE_INT8,   COVE_EDL_TYPE_UINT16, COVE_EDL_TYPE_INT32,
	    COVE_EDL_TYPE_UINT64, COVE_EDL_TYPE_BOOL,  COVE_EDL_TYPE_FLOAT,  COVE_EDL_TYPE_DOUBLE, COVE_EDL_TYPE_SIZE_T,
	    COVE_EDL_TYPE_ENUM,   COVE_EDL_TYPE_UNION, COVE_EDL_TYPE_STRUCT,
	};
	assert_int_equal(types->nparams, 20);
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		assert_int_equal(types->params[i].type.kind, kinds[i]);
	assert_int_equal(types->ret.kind, COVE_EDL_TYPE_ULLONG);
	assert_int_equal(p.f->nincludes, 2);
	assert_string_equal(p.f->includes[1].path, "other.h");
	assert_true(ecall(p.f, "ecall_sw")->switchless);
	const cove_edl_func *ob = ocall(p.f, "ocall_b");
	assert_int_equal(ob->ret.ptr, 1);
	assert_int_equal(ob->callconv, COVE_EDL_CALLCONV_STDCALL);
	assert_true(ob->switchless && ob->propagate_errno);
	parsed_free(&p);

	static const char clean[] = "enclave {\n"
				    "  enum color { RED, GREEN = 5, BLUE = -2, ALIAS = GREEN, HEX = 0x10, };\n"
				    "  struct node { size_t n; [count=n] uint32_t *items; [size=n] void *raw; };\n"
				    "  trusted {\n"
				    "    public void e([in, count=2] struct node *nodes, [out] int grid[2][OE_DIM]);\n"
				    "    void ecall_private(void);\n"
				    "  };\n"
				    "  untrusted {\n"
				    "    [cdecl, dllimport] int o([in, string] const char *s) allow(ecall_private)\n"
				    "        propagate_errno transition_using_threads;\n"
				    "  };\n"
				    "};\n";
	p = parse_text_d(clean, COVE_EDL_DIALECT_INTEL);
	assert_int_equal(p.rc, COVE_OK);
	assert_int_equal(p.d.count, 0);
	const cove_edl_user_type *color = cove_edl_find_type(p.f, "color");
	assert_int_equal(color->nitems, 5);
	assert_int_equal(color->items[2].value, -2);
	assert_string_equal(color->items[3].value_text, "GREEN");
	assert_false(color->items[3].has_int);
	assert_int_equal(color->items[4].value, 16);
	const cove_edl_user_type *node = cove_edl_find_type(p.f, "node");
	assert_true(node->deep_copy);
	assert_ptr_equal(node->members[1].attrs.count.ref, &node->members[0]);
	const cove_edl_func *e = ecall(p.f, "e");
	assert_true(cove_edl_type_is_deep_copy(&e->params[0].type));
	assert_string_equal(e->params[1].dims[1].ident, "OE_DIM");
	assert_int_equal(cove_edl_decl_array_count(&e->params[1]), 0);
	char buf[128];
	cove_edl_decl_array_sizeof(&e->params[1], buf, sizeof(buf));
	assert_string_equal(buf, "sizeof(int) * 2 * OE_DIM");
	const cove_edl_func *o = ocall(p.f, "o");
	assert_true(o->propagate_errno && o->switchless && o->dllimport);
	assert_int_equal(o->callconv, COVE_EDL_CALLCONV_CDECL);
	assert_true(ecall(p.f, "ecall_private")->allowed);
	parsed_free(&p);
}

static void test_format_helpers(void **state)
{
	(void)state;
	parsed p =
	    parse_text_d("enclave {\n"
			 "  struct s { int a; };\n"
			 "  trusted { public const char *f([in, count=2] const unsigned long **pp,\n"
			 "      [in] struct s *sp, [in] s *bare, [out] uint8_t m[3][4], [user_check] void *v); };\n"
			 "};\n",
			 COVE_EDL_DIALECT_INTEL);
	assert_int_equal(p.rc, COVE_OK);
	const cove_edl_func *fn = ecall(p.f, "f");
	char buf[128];
	cove_edl_type_format(&fn->ret, buf, sizeof(buf));
	assert_string_equal(buf, "const char *");
	cove_edl_decl_format(&fn->params[0], buf, sizeof(buf));
	assert_string_equal(buf, "const unsigned long **pp");
	cove_edl_decl_elem_sizeof(&fn->params[0], buf, sizeof(buf));
	assert_string_equal(buf, "sizeof(unsigned long *)");
	cove_edl_decl_elem_sizeof(&fn->params[1], buf, sizeof(buf));
	assert_string_equal(buf, "sizeof(struct s)");
	/* A bare name of an EDL struct stays bare (the generated header typedefs it). */
	assert_int_equal(fn->params[2].type.kind, COVE_EDL_TYPE_STRUCT);
	assert_false(fn->params[2].type.keyword);
	cove_edl_decl_elem_sizeof(&fn->params[2], buf, sizeof(buf));
	assert_string_equal(buf, "sizeof(s)");
	cove_edl_decl_format(&fn->params[3], buf, sizeof(buf));
	assert_string_equal(buf, "uint8_t m[3][4]");
	assert_int_equal(cove_edl_decl_array_count(&fn->params[3]), 12);
	assert_string_equal(cove_edl_dir_name(fn->params[3].dir), "out");
	assert_string_equal(cove_edl_dir_name(fn->params[4].dir), "user_check");
	/* Truncation keeps the full length, snprintf-style. */
	size_t n = cove_edl_decl_format(&fn->params[0], buf, 5);
	assert_int_equal(n, strlen("const unsigned long **pp"));
	assert_string_equal(buf, "cons");
	assert_string_equal(cove_edl_type_kind_name(COVE_EDL_TYPE_ULLONG), "unsigned long long");
	assert_true(cove_edl_type_kind_is_integer(COVE_EDL_TYPE_SIZE_T));
	assert_false(cove_edl_type_kind_is_integer(COVE_EDL_TYPE_DOUBLE));
	assert_true(cove_edl_type_kind_is_signed(COVE_EDL_TYPE_INT8));
	assert_false(cove_edl_type_kind_is_signed(COVE_EDL_TYPE_UINT8));
	assert_null(cove_edl_find_type(p.f, "nope"));
	assert_null(cove_edl_find_param(fn, "nope"));

	/* The dump is EDL-like text naming every function. */
	char *out = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&out, &len);
	cove_edl_file_dump(p.f, mem);
	fclose(mem);
	assert_non_null(strstr(out, "public const char *f([in, count=2] const unsigned long **pp"));
	free(out);
	parsed_free(&p);
}

/* ---- diagnostics ---- */

static void test_diagnostics(void **state)
{
	(void)state;
	/* Every error of a file, in order, each at its place. */
	parsed p = parse_text_d("enclave {\n"
				"  trusted {\n"
				"    public void a([in] int x);\n"
				"    public void b(int y) junk;\n"
				"    public void c([out, string] char *s);\n"
				"    public void d(void);\n"
				"  };\n"
				"  bogus;\n"
				"};\n",
				COVE_EDL_DIALECT_BOTH);
	assert_int_equal(p.rc, COVE_ERR_PARSE);
	assert_int_equal(p.d.errors, 4);
	assert_int_equal(p.d.items[0].loc.line, 3);
	assert_int_equal(p.d.items[1].loc.line, 4);
	assert_int_equal(p.d.items[2].loc.line, 5);
	assert_int_equal(p.d.items[3].loc.line, 8);
	char line[512];
	cove_edl_diag_format(&p.d.items[0], line, sizeof(line));
	assert_string_equal(line, "mem.edl:3:20: error: function `a', parameter `x': `in' is invalid for plain type "
				  "`int' (not a pointer)");
	cove_edl_diag_format(&p.d.items[1], line, sizeof(line));
	assert_non_null(strstr(line, "mem.edl:4:26: error: expected `;' before `junk'"));
	parsed_free(&p);

	/* Warnings carry their flag; -Werror makes them errors. */
	cove_edl_options o = opts_for(COVE_EDL_DIALECT_BOTH);
	const char *warn = "enclave {\n trusted { public void f([in, count=n] int *p, int n); };\n};\n";
	p = parse_text(warn, &o);
	assert_int_equal(p.rc, COVE_OK);
	assert_int_equal(p.d.warnings, 1);
	cove_edl_diag_format(&p.d.items[0], line, sizeof(line));
	assert_non_null(strstr(line, "mem.edl:2:31: warning: "));
	assert_non_null(strstr(line, "[-Wsigned-size-or-count]"));
	parsed_free(&p);
	o.warnings_as_errors = true;
	p = parse_text(warn, &o);
	assert_int_equal(p.rc, COVE_ERR_PARSE);
	assert_int_equal(p.d.errors, 1);
	parsed_free(&p);
	/* -Wno-FLAG drops that warning only (even under -Werror). */
	const char *off[] = {"non-portable-type", "signed-size-or-count"};
	o.disabled_warnings = off;
	o.ndisabled_warnings = 2;
	p = parse_text(warn, &o);
	assert_int_equal(p.rc, COVE_OK);
	assert_int_equal(p.d.count, 0);
	parsed_free(&p);
	o.ndisabled_warnings = 1;
	p = parse_text(warn, &o);
	assert_int_equal(p.rc, COVE_ERR_PARSE);
	parsed_free(&p);
	o.disabled_warnings = NULL;
	o.ndisabled_warnings = 0;

	/* max_errors truncates. */
	o = opts_for(COVE_EDL_DIALECT_BOTH);
	o.max_errors = 2;
	p = parse_text("enclave { @ @ @ @ };", &o);
	assert_int_equal(p.d.errors, 2);
	assert_true(p.d.truncated);
	parsed_free(&p);

	/* The caller's list keeps what it had; a NULL list is allowed. */
	cove_edl_diags d;
	cove_edl_diags_init(&d);
	cove_edl_diag_add(&d, COVE_EDL_NOTE, NULL, NULL, "before %d", 1);
	cove_edl_file *f = NULL;
	assert_int_equal(cove_edl_parse_buffer("x.edl", "enclave {", 9, NULL, &f, &d), COVE_ERR_PARSE);
	assert_string_equal(d.items[0].message, "before 1");
	assert_true(d.errors >= 1);
	cove_edl_diags_free(&d);
	assert_int_equal(cove_edl_parse_buffer("x.edl", "enclave {};", 11, NULL, &f, NULL), COVE_OK);
	cove_edl_file_free(f);
	assert_int_equal(cove_edl_parse_buffer("x.edl", NULL, 3, NULL, &f, NULL), COVE_ERR_ARG);
}

/* ---- malformed input ---- */

typedef struct bad_case {
	const char *text;
	unsigned line;
	const char *msg;
} bad_case;

static const bad_case bad[] = {
    {"", 1, "expected `enclave'"},
    {"enclave", 1, "expected `{'"},
    {"enclave {", 1, "closing the enclave block"},
    {"enclave {\n trusted {\n  public void f(", 3, "expected a type before end of file"},
    {"enclave {\n trusted {\n  public void f([in", 3, "expected `,'"},
    {"enclave {\n /* never closed\n trusted { };\n};\n", 2, "unterminated comment"},
    {"enclave {\n include \"stdio.h\n};\n", 2, "missing terminating \" character"},
    {"enclave {\n trusted { public void f(int @x); };\n};\n", 2, "stray `@'"},
    /* A missing ';' is reported just after the token it should follow, as compilers do. */
    {"enclave {\n trusted { public void f(int x); } \n};\n", 2, "expected `;' before `}'"},
    {"enclave { };\n extra", 2, "after the end of the enclave block"},
    {"enclave {\n enum { A = 99999999999999999999999 };\n};\n", 2, "too large"},
    {"enclave {\n trusted { public void f(int a[12ab]); };\n};\n", 2, "invalid number `12ab'"},
    {"enclave {\n trusted { public void f(char * const p); };\n};\n", 2, "`* const'"},
    {"enclave {\n trusted { public void f(char const *p); };\n};\n", 2, "`const' after the type name"},
    {"enclave {\n trusted { public int[4] f(void); };\n};\n", 2, "returning an array"},
    {"enclave {\n trusted { public int f[4](void); };\n};\n", 2, "returning an array"},
    {"enclave {\n from \"\" import *;\n};\n", 2, "empty EDL file name"},
    {"enclave {\n from \"x.edl\" import 42;\n};\n", 2, "`*' or a function name"},
    {"enclave {\n struct { int a; };\n};\n", 2, "a struct name"},
    {"enclave {\n trusted { public void f([in, size=] int *p); };\n};\n", 2, "a number or a parameter name"},
    {"enclave {\n trusted { public void f([in, size] int *p); };\n};\n", 2, "needs a value"},
    {"enclave {\n trusted { public void f([in=1] int *p); };\n};\n", 2, "takes no value"},
    {"enclave {\n trusted { public void f(int); };\n};\n", 2, "expected a name"},
};

static void test_malformed(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		parsed p = parse_text_d(bad[i].text, COVE_EDL_DIALECT_BOTH);
		if (p.rc != COVE_ERR_PARSE || !find_diag(&p.d, COVE_EDL_ERROR, bad[i].line, bad[i].msg)) {
			dump_diags(&p.d);
			fail_msg("case %zu: expected an error at line %u with \"%s\"", i, bad[i].line, bad[i].msg);
		}
		parsed_free(&p);
	}
	/* NUL and high bytes inside the text. */
	const char bin[] = "enclave {\n trusted { public void f(\0\xff); };\n};\n";
	cove_edl_diags d;
	cove_edl_diags_init(&d);
	cove_edl_file *f = NULL;
	assert_int_equal(cove_edl_parse_buffer("bin.edl", bin, sizeof(bin) - 1, NULL, &f, &d), COVE_ERR_PARSE);
	assert_non_null(find_diag(&d, COVE_EDL_ERROR, 2, "stray byte 0x00"));
	assert_non_null(find_diag(&d, COVE_EDL_ERROR, 2, "stray byte 0xff"));
	cove_edl_diags_free(&d);
	/* Intel requires the final ';'. */
	parsed p = parse_text_d("enclave {\n trusted { public void f(void); };\n}", COVE_EDL_DIALECT_INTEL);
	expect_diag(&p, COVE_EDL_ERROR, 3, "Intel's edger8r requires it");
	parsed_free(&p);
	p = parse_text_d("enclave {\n trusted { public void f(void); };\n}", COVE_EDL_DIALECT_OE);
	assert_int_equal(p.rc, COVE_OK);
	parsed_free(&p);
}

/* Every prefix of a real file, and deterministic byte flips of it, parse without crashing or leaking. */
static void test_truncations_and_mutations(void **state)
{
	(void)state;
	const char *path = corpus_file(SYNTAX "Pointers.edl");
	cove_buf text = {0};
	cove_error e = {0};
	assert_int_equal(cove_file_read(path, 1 << 20, &text, &e), COVE_OK);
	cove_edl_options o = opts_for(COVE_EDL_DIALECT_BOTH);
	for (size_t n = 0; n < text.len; n += 7) {
		parsed p;
		memset(&p, 0, sizeof(p));
		cove_edl_diags_init(&p.d);
		p.rc = cove_edl_parse_buffer("cut.edl", (const char *)text.data, n, &o, &p.f, &p.d);
		/* Short of the final "};", the file is incomplete. */
		if (n + 3 < text.len)
			assert_int_equal(p.rc, COVE_ERR_PARSE);
		parsed_free(&p);
	}
	uint32_t x = 0x12345678u;
	char *buf = malloc(text.len);
	assert_non_null(buf);
	for (int round = 0; round < 400; round++) {
		memcpy(buf, text.data, text.len);
		for (int k = 0; k < 1 + round % 5; k++) {
			x = x * 1103515245u + 12345u;
			size_t at = (x >> 8) % text.len;
			static const char alphabet[] = "[](){};,*=#\"/ \nabcz09_-";
			buf[at] = alphabet[(x >> 3) % (sizeof(alphabet) - 1)];
		}
		parsed p;
		memset(&p, 0, sizeof(p));
		cove_edl_diags_init(&p.d);
		p.rc = cove_edl_parse_buffer("mut.edl", buf, text.len, &o, &p.f, &p.d);
		assert_true(p.rc == COVE_OK || p.rc == COVE_ERR_PARSE);
		assert_true((p.rc == COVE_OK) == (p.f != NULL));
		for (size_t i = 0; i < p.d.count; i++)
			assert_non_null(p.d.items[i].message);
		parsed_free(&p);
	}
	free(buf);
	cove_buf_free(&text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_corpus_diagnostic_cases),
	    cmocka_unit_test(test_corpus_warning_counts),
	    cmocka_unit_test(test_corpus_default_dialect),
	    cmocka_unit_test(test_corpus_accepted),
	    cmocka_unit_test(test_syntax_pointers),
	    cmocka_unit_test(test_syntax_functions_arrays_types),
	    cmocka_unit_test(test_syntax_enclave_imports),
	    cmocka_unit_test(test_oe_edl_details),
	    cmocka_unit_test(test_system_edls),
	    cmocka_unit_test(test_preprocessor),
	    cmocka_unit_test_setup_teardown(test_imports, make_tmpdir, rm_tmpdir),
	    cmocka_unit_test(test_semantic_rules),
	    cmocka_unit_test(test_valid_constructs),
	    cmocka_unit_test(test_format_helpers),
	    cmocka_unit_test(test_diagnostics),
	    cmocka_unit_test(test_malformed),
	    cmocka_unit_test(test_truncations_and_mutations),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
