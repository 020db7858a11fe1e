/*
 * Benchmark of the EDL front end (src/edl) on the largest corpus file,
 * Open Enclave's tests/oeedger8r/edl/pointer.edl (1,807 lines; the target is
 * compiling it in under 100 ms): the median in-process parse-and-check time,
 * the time to parse every file of shared/edl-corpus once, and the median
 * wall time of a whole `cove-edger8r` run on it (check only, and with the
 * bridges generated) when the tool is built next to this benchmark.
 *
 *   bench_edl_parse [EDL_FILE [RUNS]]
 *
 * bench/ programs link libcove only, and the EDL compiler is a separate
 * build-tool library (cove_edl), so the front end's sources are compiled
 * into this program directly.
 */
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "edl/edl.h"

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static cove_edl_options bench_opts;
static size_t corpus_files, corpus_failed;
static double corpus_ms;

static int parse_one(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	size_t n = strlen(path);
	if (type != FTW_F || n < 4 || strcmp(path + n - 4, ".edl") != 0)
		return 0;
	cove_edl_options o = bench_opts;
	o.dialect = strstr(path, "/linux-sgx/") ? COVE_EDL_DIALECT_INTEL : COVE_EDL_DIALECT_OE;
	cove_edl_diags d;
	cove_edl_diags_init(&d);
	cove_edl_file *f = NULL;
	double t0 = now_ms();
	if (cove_edl_parse_file(path, &o, &f, &d) != COVE_OK)
		corpus_failed++; /* the deliberately invalid inputs, and imports this run does not set up */
	corpus_ms += now_ms() - t0;
	corpus_files++;
	cove_edl_file_free(f);
	cove_edl_diags_free(&d);
	return 0;
}

/* Median wall time of `tool args...` over `runs` runs; negative when it fails. */
static double time_tool(char *const argv[], int runs)
{
	double *t = calloc((size_t)runs, sizeof(double));
	if (!t)
		return -1;
	double result = -1;
	for (int i = 0; i < runs; i++) {
		fflush(stdout);
		double t0 = now_ms();
		pid_t pid = fork();
		if (pid < 0)
			goto out;
		if (pid == 0) {
			if (!freopen("/dev/null", "w", stderr) || !freopen("/dev/null", "w", stdout))
				_exit(127);
			execv(argv[0], argv);
			_exit(127);
		}
		int status = 0;
		if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
			goto out;
		t[i] = now_ms() - t0;
	}
	result = median(t, runs);
out:
	free(t);
	return result;
}

int main(int argc, char **argv)
{
	const char *shared = getenv("COVE_SHARED_DIR");
	char def_shared[PATH_MAX], def_path[PATH_MAX + 96], sys_dir[PATH_MAX], corpus[PATH_MAX + 32];
	if (!shared || !*shared) {
		snprintf(def_shared, sizeof(def_shared), "%s/../shared", COVE_SOURCE_DIR);
		shared = def_shared;
	}
	snprintf(corpus, sizeof(corpus), "%s/edl-corpus", shared);
	snprintf(def_path, sizeof(def_path), "%s/openenclave/tests/oeedger8r/edl/pointer.edl", corpus);
	snprintf(sys_dir, sizeof(sys_dir), "%s/edl", COVE_SOURCE_DIR);
	const char *path = argc > 1 ? argv[1] : def_path;
	int runs = argc > 2 ? atoi(argv[2]) : 50;
	if (runs < 1)
		runs = 1;
	if (access(path, R_OK) != 0) {
		printf("bench_edl_parse: %s is absent; skipped (set COVE_SHARED_DIR or pass an EDL file)\n", path);
		return 0;
	}
	bench_opts.system_dir = sys_dir;
	bench_opts.dialect = COVE_EDL_DIALECT_OE;

	double *t = calloc((size_t)runs, sizeof(double));
	if (!t)
		return 1;
	size_t nfuncs = 0, warnings = 0;
	for (int i = 0; i < runs; i++) {
		cove_edl_diags d;
		cove_edl_diags_init(&d);
		cove_edl_file *f = NULL;
		double t0 = now_ms();
		cove_err rc = cove_edl_parse_file(path, &bench_opts, &f, &d);
		t[i] = now_ms() - t0;
		if (rc != COVE_OK) {
			cove_edl_diags_print(&d, stderr);
			printf("bench_edl_parse: %s does not compile\n", path);
			free(t);
			cove_edl_diags_free(&d);
			return 1;
		}
		nfuncs = f->necalls + f->nocalls;
		warnings = d.warnings;
		cove_edl_file_free(f);
		cove_edl_diags_free(&d);
	}
	printf("EDL front end, %s (%zu functions, %zu warnings):\n", strrchr(path, '/') + 1, nfuncs, warnings);
	printf("  parse + check, in process:      median %8.3f ms over %d runs\n", median(t, runs), runs);
	free(t);

	if (access(corpus, R_OK) == 0) {
		nftw(corpus, parse_one, 16, FTW_PHYS);
		printf(
		    "  whole corpus, once per file:    %8.3f ms for %zu files (%zu rejected: the invalid test inputs,\n"
		    "                                  and files whose builds add search paths)\n",
		    corpus_ms, corpus_files, corpus_failed);
	}

	/* The tool, end to end, when it is built next to this benchmark (build/<dir>/tools/cove-edger8r). */
	char tool[PATH_MAX + 32];
	const char *env = getenv("COVE_EDGER8R");
	if (env && *env) {
		snprintf(tool, sizeof(tool), "%s", env);
	} else {
		char self[PATH_MAX];
		ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
		self[n > 0 ? n : 0] = '\0';
		char *slash = strrchr(self, '/');
		if (slash)
			*slash = '\0';
		snprintf(tool, sizeof(tool), "%s/../tools/cove-edger8r", self);
	}
	if (access(tool, X_OK) != 0) {
		printf("  cove-edger8r runs:              skipped (no tool at %s; set COVE_EDGER8R)\n", tool);
		return 0;
	}
	int truns = runs > 20 ? 20 : runs;
	char sys_opt[PATH_MAX + 32];
	snprintf(sys_opt, sizeof(sys_opt), "--system-edl-dir=%s", sys_dir);
	char *check_argv[] = {tool, "--check", "--dialect", "oe", sys_opt, (char *)path, NULL};
	double t_check = time_tool(check_argv, truns);
	printf("  cove-edger8r --check:           median %8.3f ms over %d runs (process included)\n", t_check, truns);
	char out[] = "/tmp/cove-bench-edl-XXXXXX";
	if (!mkdtemp(out))
		return 0;
	char *gen_argv[] = {tool, "--dialect",       "oe", sys_opt,      "--trusted-dir",
			    out,  "--untrusted-dir", out,  (char *)path, NULL};
	double t_gen = time_tool(gen_argv, truns);
	if (t_gen < 0)
		printf("  cove-edger8r (generate):        failed (the code generator refused the file)\n");
	else
		printf("  cove-edger8r (generate):        median %8.3f ms over %d runs (parse, check, write 4 files)\n",
		       t_gen, truns);
	char cmd[64];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", out);
	if (system(cmd) != 0)
		fprintf(stderr, "bench_edl_parse: could not remove %s\n", out);
	return 0;
}
