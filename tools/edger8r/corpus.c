/*
 * The corpus report of cove-edger8r.  Every .edl file under the corpus root
 * is compiled with the rules of its own SDK (linux-sgx/ with --dialect
 * intel, openenclave/ with --dialect oe), its folder and cove's system EDLs
 * as search path, and -DOE_SGX for openenclave/tests/edl_opt_out as the
 * corpus MANIFEST.md says.  Outcomes are compared with the MANIFEST: all
 * files are accepted except Open Enclave's generator tests under
 * tests/oeedger8r/{behavior,string,struct,basictypes,userdata}, whose
 * expected diagnostics (taken from the CMakeLists.txt next to them in the
 * OE repository) are listed below with the line they belong to.  With
 * --compile each accepted file is also generated (cove_edl_generate) into a
 * temporary folder and compiled with $CC -std=c11 -Wall -Wextra -Werror.
 */
#include <dirent.h>
#include <ctype.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "corpus.h"
#include "edl/edl.h"

typedef enum expect_kind {
	EXPECT_ERROR,   /* an error at `line` containing `text` */
	EXPECT_WARNING, /* a warning at `line` containing `text`; no errors, no other warnings */
} expect_kind;

typedef struct expectation {
	const char *path; /* relative to the corpus root */
	expect_kind kind;
	unsigned line;
	const char *text;
} expectation;

#define OE8 "openenclave/tests/oeedger8r/"

static const expectation expectations[] = {
    {OE8 "behavior/private_trusted.edl", EXPECT_ERROR, 7, "`private' specifier is not supported"},
    {OE8 "behavior/allow_list.edl", EXPECT_ERROR, 6, "`allow(...)' is only valid on untrusted functions"},
    {OE8 "behavior/portability.edl", EXPECT_WARNING, 6, "function `ecall': `wchar_t' has different sizes"},
    {OE8 "behavior/portability.edl", EXPECT_WARNING, 6, "function `ecall': `long double' has different sizes"},
    {OE8 "behavior/portability.edl", EXPECT_WARNING, 6, "function `ecall': `long' has different sizes"},
    {OE8 "behavior/portability.edl", EXPECT_WARNING, 6, "function `ecall': `unsigned long' has different sizes"},
    {OE8 "behavior/portability.edl", EXPECT_WARNING, 10, "function `ocall': `wchar_t' has different sizes"},
    {OE8 "behavior/portability.edl", EXPECT_WARNING, 10, "function `ocall': `long double' has different sizes"},
    {OE8 "behavior/portability.edl", EXPECT_WARNING, 10, "function `ocall': `long' has different sizes"},
    {OE8 "behavior/portability.edl", EXPECT_WARNING, 10, "function `ocall': `unsigned long' has different sizes"},
    {OE8 "behavior/size_signedness.edl", EXPECT_WARNING, 8, "`size' of `in' should not be signed"},
    {OE8 "behavior/count_signedness.edl", EXPECT_WARNING, 8, "`count' of `in' should not be signed"},
    {OE8 "behavior/size_and_count.edl", EXPECT_ERROR, 8, "simultaneous `size' and `count'"},
    {OE8 "behavior/deepcopy_value.edl", EXPECT_ERROR, 14, "`MyStruct' specifies a deep copy is expected"},
    {OE8 "string/string_attribute.edl", EXPECT_ERROR, 7, "invalid `string' attribute - `s' is not char pointer"},
    {OE8 "string/wstring_attribute.edl", EXPECT_ERROR, 7, "invalid `wstring' attribute - `s' is not wchar_t pointer"},
    {OE8 "string/string_out.edl", EXPECT_ERROR, 6, "string/wstring attribute should be used with an `in'"},
    {OE8 "string/string_usercheck.edl", EXPECT_ERROR, 6, "string/wstring attributes must be used with pointer"},
    {OE8 "string/string_count.edl", EXPECT_ERROR, 6, "size attributes are mutually exclusive with (w)string"},
    {OE8 "string/string_size.edl", EXPECT_ERROR, 6, "size attributes are mutually exclusive with (w)string"},
    {OE8 "string/string_isary.edl", EXPECT_ERROR, 6, "`isary' attribute is only valid for user defined type"},
    {OE8 "string/string_isptr.edl", EXPECT_ERROR, 6, "`isptr' attribute is only valid for user defined type"},
    {OE8 "string/wstring_isptr.edl", EXPECT_ERROR, 6, "`isptr' attribute is only valid for user defined type"},
    {OE8 "string/string_readonly.edl", EXPECT_ERROR, 6, "unknown attribute `readonly'"},
    {OE8 "string/wstring_readonly.edl", EXPECT_ERROR, 6, "unknown attribute `readonly'"},
    {OE8 "struct/struct_deepcopy_01.edl", EXPECT_ERROR, 14, "`ms_t' specifies a deep copy is expected"},
    {OE8 "struct/pointer_array_01.edl", EXPECT_ERROR, 36, "invalid parameter - `s' is a pointer array"},
    {OE8 "struct/pointer_array_02.edl", EXPECT_ERROR, 36, "invalid parameter - `s' is a pointer array"},
    {OE8 "struct/pointer_array_03.edl", EXPECT_ERROR, 36, "invalid parameter - `p' is a pointer array"},
    {OE8 "struct/pointer_array_04.edl", EXPECT_ERROR, 36, "invalid parameter - `p' is a pointer array"},
    {OE8 "basictypes/duplicated_size.edl", EXPECT_ERROR, 7, "duplicated attribute `size'"},
    {OE8 "basictypes/duplicated_count.edl", EXPECT_ERROR, 7, "duplicated attribute `count'"},
    {OE8 "userdata/string_usertype.edl", EXPECT_ERROR, 8, "invalid `string' attribute - `p1' is not char pointer"},
    {OE8 "userdata/usercheck_count.edl", EXPECT_ERROR, 8, "size/count attributes must be used with pointer"},
    {OE8 "userdata/usercheck_size.edl", EXPECT_ERROR, 8, "size/count attributes must be used with pointer"},
};

/*
 * Folders the upstream build files add to the search path, relative to the
 * corpus root ("@sys/..." is relative to cove's system EDL folder): Open
 * Enclave's samples and templates import "platform.edl" from the SDK's
 * openenclave/edl/sgx folder; Intel's attested-TLS sample imports its
 * common/ and sgx_socket/include/ EDLs (its Makefiles pass these folders);
 * Open Enclave's generator tests import moreedl/ from edl/.
 */
static const struct {
	const char *prefix;
	const char *dirs[2];
} extra_paths[] = {
    {"openenclave/samples", {"@sys/openenclave/edl/sgx", NULL}},
    {"openenclave/devex", {"@sys/openenclave/edl/sgx", NULL}},
    {OE8 "edl", {OE8 "moreedl", NULL}},
    {"linux-sgx/SampleCode/SampleAttestedTLS",
     {"linux-sgx/SampleCode/SampleAttestedTLS/common", "linux-sgx/SampleCode/SampleAttestedTLS/sgx_socket/include"}},
};

/* Rows of the table: the longest matching prefix names a file's row. */
static const char *const groups[] = {
    "linux-sgx/common/inc",
    "linux-sgx/psw/ae",
    "linux-sgx/SampleCode",
    "linux-sgx/Linux_SGXEclipsePlugin",
    "linux-sgx/external",
    "openenclave/include/openenclave/edl",
    OE8 "edl",
    OE8 "moreedl",
    OE8 "behavior",
    OE8 "string",
    OE8 "struct",
    OE8 "basictypes",
    OE8 "userdata",
    "openenclave/tests/syscall",
    "openenclave/tests",
    "openenclave/samples",
    "openenclave/devex",
    "openenclave/tools",
};
#define NGROUPS (sizeof(groups) / sizeof(groups[0]))

typedef struct file_list {
	char **paths;
	size_t n;
	size_t cap;
	size_t root_len;
	bool oom;
} file_list;

static file_list *walk_list; /* nftw has no user pointer */

static int walk_cb(const char *fpath, const struct stat *sb, int type, struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	size_t n = strlen(fpath);
	if (type != FTW_F || n < 4 || strcmp(fpath + n - 4, ".edl") != 0)
		return 0;
	file_list *l = walk_list;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 256;
		char **p = realloc(l->paths, cap * sizeof(*p));
		if (!p) {
			l->oom = true;
			return 1;
		}
		l->paths = p;
		l->cap = cap;
	}
	const char *rel = fpath + l->root_len;
	while (*rel == '/')
		rel++;
	l->paths[l->n] = strdup(rel);
	if (!l->paths[l->n]) {
		l->oom = true;
		return 1;
	}
	l->n++;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool has_prefix(const char *s, const char *prefix)
{
	size_t n = strlen(prefix);
	return strncmp(s, prefix, n) == 0 && (s[n] == '/' || s[n] == '\0');
}

static size_t group_of(const char *rel)
{
	size_t best = NGROUPS, best_len = 0;
	for (size_t i = 0; i < NGROUPS; i++) {
		size_t n = strlen(groups[i]);
		if (n > best_len && has_prefix(rel, groups[i])) {
			best = i;
			best_len = n;
		}
	}
	return best; /* NGROUPS: "other" */
}

typedef struct row {
	size_t files, accepted, warned, exp_warn, exp_err, unexpected, compiled, generated, gen_failed;
} row;

/* Is `d` the diagnostic expectation `e` describes? */
static bool diag_matches(const cove_edl_diag *d, const expectation *e)
{
	cove_edl_severity want = e->kind == EXPECT_ERROR ? COVE_EDL_ERROR : COVE_EDL_WARNING;
	return d->severity == want && d->loc.line == e->line && d->message && strstr(d->message, e->text);
}

/* Run a command (argv) with stdout/stderr to `log`; true on exit status 0. */
static bool run(char *const argv[], const char *log)
{
	pid_t pid = fork();
	if (pid < 0)
		return false;
	if (pid == 0) {
		FILE *f = freopen(log, "w", stdout);
		if (!f || dup2(fileno(stdout), 2) < 0)
			_exit(127);
		execvp(argv[0], argv);
		_exit(127);
	}
	int status = 0;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return false;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static void rm_tree(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		char p[4096];
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		unlink(p);
	}
	closedir(d);
	rmdir(dir);
}

typedef enum compile_result {
	COMPILE_OK,
	COMPILE_GEN_FAILED,
	COMPILE_FOREIGN, /* needs a header or type that is neither the C library's nor in the corpus */
	COMPILE_FAILED,  /* anything else: a generator bug */
} compile_result;

/*
 * Why generated code did not compile, from the compiler's first error: a
 * header that is not found here (the corpus holds only .edl files, so it is
 * another SDK's or the project's own), or a type the EDL does not define (a
 * foreign type from such a header, e.g. sgx_status_t, oe_result_t).  Anything
 * else is the generator's fault.
 */
static compile_result classify_failure(const cove_edl_file *f, const char *line)
{
	const char *p;
	if (strstr(line, "fatal error:") && strstr(line, "No such file or directory"))
		return COMPILE_FOREIGN;
	if ((p = strstr(line, "unknown type name"))) {
		char name[128] = "";
		const char *q = p + strlen("unknown type name");
		while (*q && !(isalpha((unsigned char)*q) || *q == '_'))
			q++;
		size_t n = 0;
		while ((isalnum((unsigned char)q[n]) || q[n] == '_') && n < sizeof(name) - 1) {
			name[n] = q[n];
			n++;
		}
		name[n] = '\0';
		const cove_edl_user_type *t = name[0] ? cove_edl_find_type(f, name) : NULL;
		/* Defined in the EDL (not foreign) yet unknown to the compiler: the generator lost it. */
		return t ? COMPILE_FAILED : COMPILE_FOREIGN;
	}
	if ((p = strstr(line, "undeclared"))) {
		/* An identifier in an enum initializer or array size from another SDK's header (OE_ENUM_MAX). */
		const char *open = strstr(line, "error:");
		for (size_t i = 0; open && i < f->ntypes; i++)
			for (size_t k = 0; k < f->types[i].nitems; k++)
				if (strstr(open, f->types[i].items[k].name))
					return COMPILE_FAILED;
		return COMPILE_FOREIGN;
	}
	return COMPILE_FAILED;
}

/*
 * Generate both sides of `f` into a temporary folder and compile each .c
 * with $CC; `why` receives the first failure's first line.
 */
static compile_result compile_file(const cove_edl_corpus_opts *o, const char *edl_path, const cove_edl_file *f,
				   char *why, size_t nwhy)
{
	char tmp[] = "/tmp/cove-edl-corpus-XXXXXX";
	compile_result res = COMPILE_FAILED;
	why[0] = '\0';
	if (!mkdtemp(tmp)) {
		snprintf(why, nwhy, "mkdtemp: %s", strerror(errno));
		return COMPILE_FAILED;
	}
	cove_edl_gen_options go = {COVE_EDL_SIDE_BOTH, tmp, tmp, false, NULL};
	cove_edl_diags gd;
	cove_edl_diags_init(&gd);
	if (cove_edl_generate(f, &go, &gd) != COVE_OK) {
		const cove_edl_diag *d = cove_edl_diags_first(&gd, COVE_EDL_ERROR);
		snprintf(why, nwhy, "generator: %s", d && d->message ? d->message : "failed");
		cove_edl_diags_free(&gd);
		res = COMPILE_GEN_FAILED;
		goto out;
	}
	cove_edl_diags_free(&gd);
	char edl_dir[4096];
	snprintf(edl_dir, sizeof(edl_dir), "%s", edl_path);
	char *slash = strrchr(edl_dir, '/');
	if (slash)
		*slash = '\0';
	else
		snprintf(edl_dir, sizeof(edl_dir), ".");
	const char *cc = getenv("CC");
	if (!cc || !*cc)
		cc = "cc";
	res = COMPILE_OK;
	for (int side = 0; side < 2 && res == COMPILE_OK; side++) {
		char src[4200], inc_tmp[4200], inc_edl[4200], log[4200];
		snprintf(src, sizeof(src), "%s/%s_%c.c", tmp, f->name, side ? 'u' : 't');
		snprintf(inc_tmp, sizeof(inc_tmp), "-I%s", tmp);
		snprintf(inc_edl, sizeof(inc_edl), "-I%s", edl_dir);
		snprintf(log, sizeof(log), "%s/cc.log", tmp);
		char *argv[32];
		char incs[8][4200];
		size_t argc = 0;
		argv[argc++] = (char *)cc;
		argv[argc++] = "-std=c11";
		argv[argc++] = "-Wall";
		argv[argc++] = "-Wextra";
		argv[argc++] = "-Werror";
		argv[argc++] = "-Wshadow";
		argv[argc++] = "-Wstrict-prototypes";
		argv[argc++] = "-fsyntax-only";
		argv[argc++] = inc_tmp;
		argv[argc++] = inc_edl;
		for (size_t i = 0; i < o->ninclude_dirs && i < 8; i++) {
			snprintf(incs[i], sizeof(incs[i]), "-I%s", o->include_dirs[i]);
			argv[argc++] = incs[i];
		}
		argv[argc++] = src;
		argv[argc] = NULL;
		if (!run(argv, log)) {
			FILE *lf = fopen(log, "r");
			char line[512] = "";
			if (lf) {
				while (fgets(line, sizeof(line), lf))
					if (strstr(line, "error"))
						break;
				fclose(lf);
			}
			line[strcspn(line, "\n")] = '\0';
			res = line[0] ? classify_failure(f, line) : COMPILE_FAILED;
			snprintf(why, nwhy, "%s_%c.c: %s", f->name, side ? 'u' : 't',
				 line[0] ? line : "compiler failed");
		}
	}
out:
	rm_tree(tmp);
	return res;
}

/*
 * Parse a corpus file.  IDE project templates (Intel's Eclipse plugin) hold
 * `$(enclaveName)` placeholders that the plugin replaces with the project's
 * enclave name before running the EDL compiler; do the same, with the file's
 * base name, and say so.
 */
static cove_err parse_corpus_file(const char *full, const cove_edl_options *eo, cove_edl_file **f, cove_edl_diags *d,
				  bool *instantiated)
{
	*instantiated = false;
	FILE *fp = fopen(full, "rb");
	char *text = NULL;
	size_t len = 0;
	if (fp) {
		FILE *mem = open_memstream(&text, &len);
		int c;
		while (mem && (c = fgetc(fp)) != EOF)
			fputc(c, mem);
		if (mem)
			fclose(mem);
		fclose(fp);
	}
	const char *ph = "$(enclaveName)";
	if (!text || !strstr(text, ph)) {
		free(text);
		return cove_edl_parse_file(full, eo, f, d);
	}
	const char *base = strrchr(full, '/');
	base = base ? base + 1 : full;
	size_t blen = strcspn(base, ".");
	char *out = NULL;
	size_t olen = 0;
	FILE *mem = open_memstream(&out, &olen);
	if (!mem) {
		free(text);
		return COVE_ERR_NOMEM;
	}
	for (const char *p = text; *p;) {
		if (strncmp(p, ph, strlen(ph)) == 0) {
			fwrite(base, 1, blen, mem);
			p += strlen(ph);
		} else {
			fputc(*p++, mem);
		}
	}
	fclose(mem);
	*instantiated = true;
	cove_err err = cove_edl_parse_buffer(full, out, olen, eo, f, d);
	free(out);
	free(text);
	return err;
}

static void print_row(FILE *out, const char *name, const row *r, bool compile)
{
	fprintf(out, "| %s | %zu | %zu | %zu | %zu | %zu | %zu |", name, r->files, r->accepted, r->warned, r->exp_warn,
		r->exp_err, r->unexpected);
	if (compile)
		fprintf(out, " %zu | %zu | %zu |", r->compiled, r->generated, r->gen_failed);
	fputc('\n', out);
}

cove_err cove_edl_corpus_report(const cove_edl_corpus_opts *o, FILE *out, cove_edl_corpus_totals *totals)
{
	memset(totals, 0, sizeof(*totals));
	file_list list = {0};
	list.root_len = strlen(o->root);
	walk_list = &list;
	int wr = nftw(o->root, walk_cb, 16, FTW_PHYS);
	walk_list = NULL;
	if (wr != 0 || list.oom) {
		for (size_t i = 0; i < list.n; i++)
			free(list.paths[i]);
		free(list.paths);
		return list.oom ? COVE_ERR_NOMEM : COVE_ERR_IO;
	}
	qsort(list.paths, list.n, sizeof(*list.paths), cmp_str);

	row rows[NGROUPS + 1];
	memset(rows, 0, sizeof(rows));
	/* Notes printed after the table: unexpected outcomes, the diagnostic cases, compile failures. */
	char *notes = NULL, *cases = NULL, *tnotes = NULL;
	size_t notes_len = 0, cases_len = 0, tnotes_len = 0;
	FILE *nf = open_memstream(&notes, &notes_len);
	FILE *cf = open_memstream(&cases, &cases_len);
	FILE *tf = open_memstream(&tnotes, &tnotes_len);
	if (!nf || !cf || !tf) {
		if (nf)
			fclose(nf);
		if (cf)
			fclose(cf);
		if (tf)
			fclose(tf);
		free(notes);
		free(cases);
		free(tnotes);
		for (size_t i = 0; i < list.n; i++)
			free(list.paths[i]);
		free(list.paths);
		return COVE_ERR_NOMEM;
	}

	for (size_t i = 0; i < list.n; i++) {
		const char *rel = list.paths[i];
		row *r = &rows[group_of(rel)];
		char full[8192];
		snprintf(full, sizeof(full), "%s/%s", o->root, rel);
		const char *defines[1] = {"OE_SGX"};
		cove_edl_options eo = {0};
		eo.system_dir = o->system_dir;
		eo.dialect = has_prefix(rel, "openenclave") ? COVE_EDL_DIALECT_OE
			     : has_prefix(rel, "linux-sgx") ? COVE_EDL_DIALECT_INTEL
							    : COVE_EDL_DIALECT_BOTH;
		if (has_prefix(rel, "openenclave/tests/edl_opt_out")) {
			eo.defines = defines;
			eo.ndefines = 1;
		}
		char extra[2][8192];
		const char *search[2];
		for (size_t k = 0; k < sizeof(extra_paths) / sizeof(extra_paths[0]); k++) {
			if (!has_prefix(rel, extra_paths[k].prefix))
				continue;
			for (size_t j = 0; j < 2 && extra_paths[k].dirs[j]; j++) {
				const char *dir = extra_paths[k].dirs[j];
				if (strncmp(dir, "@sys/", 5) == 0)
					snprintf(extra[j], sizeof(extra[j]), "%s/%s",
						 o->system_dir ? o->system_dir : ".", dir + 5);
				else
					snprintf(extra[j], sizeof(extra[j]), "%s/%s", o->root, dir);
				search[eo.nsearch_paths++] = extra[j];
			}
			eo.search_paths = search;
		}
		cove_edl_diags d;
		cove_edl_diags_init(&d);
		cove_edl_file *f = NULL;
		bool instantiated = false;
		cove_err err = parse_corpus_file(full, &eo, &f, &d, &instantiated);
		if (instantiated)
			fprintf(tf,
				"- `%s`: an IDE project template; its `$(enclaveName)` placeholders were replaced by "
				"the file's name before compiling, as the plugin does\n",
				rel);

		size_t nexp = 0;
		bool want_error = false;
		for (size_t k = 0; k < sizeof(expectations) / sizeof(expectations[0]); k++)
			if (strcmp(expectations[k].path, rel) == 0) {
				nexp++;
				want_error |= expectations[k].kind == EXPECT_ERROR;
			}
		r->files++;
		totals->files++;
		const char *verdict = NULL;
		if (nexp == 0) {
			if (err != COVE_OK) {
				verdict = "unexpected";
				const cove_edl_diag *e = cove_edl_diags_first(&d, COVE_EDL_ERROR);
				char line[1024] = "";
				if (e)
					cove_edl_diag_format(e, line, sizeof(line));
				fprintf(nf,
					"- `%s`: expected to be accepted, rejected with %zu error(s); first: `%s`\n",
					rel, d.errors, line);
			} else if (d.warnings) {
				verdict = "warned";
			} else {
				verdict = "accepted";
			}
		} else {
			bool all = true;
			for (size_t k = 0; k < sizeof(expectations) / sizeof(expectations[0]); k++) {
				const expectation *e = &expectations[k];
				if (strcmp(e->path, rel) != 0)
					continue;
				bool found = false;
				for (size_t j = 0; j < d.count && !found; j++)
					found = diag_matches(&d.items[j], e);
				all &= found;
			}
			size_t extra_warnings = 0;
			if (!want_error) {
				for (size_t j = 0; j < d.count; j++) {
					if (d.items[j].severity != COVE_EDL_WARNING)
						continue;
					bool listed = false;
					for (size_t k = 0; k < sizeof(expectations) / sizeof(expectations[0]); k++)
						if (strcmp(expectations[k].path, rel) == 0 &&
						    diag_matches(&d.items[j], &expectations[k]))
							listed = true;
					extra_warnings += !listed;
				}
			}
			bool ok = all && (want_error ? err != COVE_OK : err == COVE_OK && extra_warnings == 0);
			verdict = ok ? (want_error ? "exp_err" : "exp_warn") : "unexpected";
			if (!ok)
				fprintf(nf,
					"- `%s`: expected diagnostics missing or extra (%zu errors, %zu warnings)\n",
					rel, d.errors, d.warnings);
			/* Show what cove reports for each diagnostic case. */
			for (size_t j = 0; j < d.count; j++) {
				char line[1024];
				cove_edl_diag_format(&d.items[j], line, sizeof(line));
				const char *shown = line;
				size_t rl = strlen(full);
				if (strncmp(line, full, rl) == 0)
					shown = line + rl;
				fprintf(cf, "| `%s` | `` %s%s `` |\n", rel + strlen(OE8), strrchr(rel, '/') + 1, shown);
			}
		}
		if (strcmp(verdict, "accepted") == 0)
			r->accepted++, totals->accepted++;
		else if (strcmp(verdict, "warned") == 0)
			r->warned++, totals->warned++;
		else if (strcmp(verdict, "exp_warn") == 0)
			r->exp_warn++, totals->expected_warnings++;
		else if (strcmp(verdict, "exp_err") == 0)
			r->exp_err++, totals->expected_errors++;
		else
			r->unexpected++, totals->unexpected++;

		if (o->compile && f) {
			char why[1024];
			compile_result cr = compile_file(o, full, f, why, sizeof(why));
			if (cr == COMPILE_OK) {
				r->compiled++;
				totals->compiled++;
			} else if (cr == COMPILE_GEN_FAILED) {
				r->gen_failed++;
				totals->generate_failed++;
				fprintf(nf, "- `%s`: %s\n", rel, why);
			} else if (cr == COMPILE_FOREIGN) {
				r->generated++;
				totals->generated++;
				fprintf(nf, "- `%s`: generated; needs another SDK's header or type: %s\n", rel, why);
			} else {
				r->unexpected++;
				totals->unexpected++;
				fprintf(nf, "- `%s`: UNEXPECTED: the generated C does not compile: %s\n", rel, why);
			}
		}
		cove_edl_file_free(f);
		cove_edl_diags_free(&d);
	}
	fclose(nf);
	fclose(cf);
	fclose(tf);

	fprintf(out,
		"| folder | files | accepted | accepted with warnings | expected warnings | rejected as expected | "
		"unexpected |%s\n",
		o->compile ? " compiled | generated only | generator refused |" : "");
	fprintf(out, "|---|---:|---:|---:|---:|---:|---:|%s\n", o->compile ? "---:|---:|---:|" : "");
	for (size_t g = 0; g <= NGROUPS; g++) {
		if (!rows[g].files)
			continue;
		char name[160];
		if (g == NGROUPS)
			snprintf(name, sizeof(name), "(other)");
		else if (g == group_of("openenclave/tests/x"))
			snprintf(name, sizeof(name), "`openenclave/tests` (other tests)");
		else
			snprintf(name, sizeof(name), "`%s`", groups[g]);
		print_row(out, name, &rows[g], o->compile);
	}
	row t = {totals->files,           totals->accepted,   totals->warned,   totals->expected_warnings,
		 totals->expected_errors, totals->unexpected, totals->compiled, totals->generated,
		 totals->generate_failed};
	print_row(out, "**total**", &t, o->compile);
	if (cases_len) {
		fprintf(out, "\nDiagnostics cove reports for the deliberately invalid inputs (`%s`):\n\n", OE8);
		fprintf(out, "| case | diagnostic |\n|---|---|\n%s", cases);
	}
	fprintf(out, "\nUnexpected outcomes%s:%s\n%s", o->compile ? " and compile results" : "",
		notes_len ? "\n" : " none.", notes_len ? notes : "");
	if (tnotes_len)
		fprintf(out, "\nNotes:\n\n%s", tnotes);
	free(notes);
	free(cases);
	free(tnotes);
	for (size_t i = 0; i < list.n; i++)
		free(list.paths[i]);
	free(list.paths);
	return COVE_OK;
}
