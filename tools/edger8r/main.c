/*
 * cove-edger8r: the EDL compiler of cove, command-line compatible with
 * Intel's sgx_edger8r (sdk/edger8r/linux/Edger8r.ml: --trusted,
 * --untrusted, --search-path, --trusted-dir, --untrusted-dir,
 * --header-only) and with Open Enclave's oeedger8r additions (-D for the
 * preprocessor, --search-path repeated).  It parses and checks the EDL
 * (src/edl front end), prints diagnostics as compilers do, and writes the
 * bridges with cove_edl_generate.  `--corpus-report DIR` runs it over a
 * whole EDL corpus and prints a table of outcomes (corpus.c).
 *
 * Exit codes: 0 success, 1 errors in the input (or output that could not
 * be written), 2 usage or an unreadable input file.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "corpus.h"
#include "edl/edl.h"

#ifndef COVE_EDL_SYSTEM_DIR
#define COVE_EDL_SYSTEM_DIR ""
#endif

#define MAX_PATHS 256

static const char usage_text[] = "usage: cove-edger8r [options] FILE.edl\n"
				 "       cove-edger8r --corpus-report DIR [--compile] [--strict]\n"
				 "\n"
				 "Compile an Enclave Definition Language file into enclave-side bridges\n"
				 "(<name>_t.h, <name>_t.c) and host-side bridges (<name>_u.h, <name>_u.c)\n"
				 "for the cove runtime.  Accepts the Intel SGX SDK and Open Enclave dialects.\n"
				 "\n"
				 "options:\n"
				 "  --trusted              generate the enclave side only\n"
				 "  --untrusted            generate the host side only (default: both sides)\n"
				 "  --trusted-dir DIR      folder for <name>_t.* (default: current folder)\n"
				 "  --untrusted-dir DIR    folder for <name>_u.* (default: current folder)\n"
				 "  --header-only          write only the .h files\n"
				 "  --search-path DIRS     folders searched for imported EDL files, separated\n"
				 "                         by ':' (may be repeated; the importing file's folder\n"
				 "                         comes first, cove's system EDLs last)\n"
				 "  -D NAME                define NAME for #ifdef/#ifndef (Open Enclave)\n"
				 "  --dialect intel|oe|both  apply one SDK's rules where they differ\n"
				 "                         (default both: accept what either accepts)\n"
				 "  --system-edl-dir DIR   cove's system EDLs (default: the installed set)\n"
				 "  --no-system-edl        do not search cove's system EDLs\n"
				 "  -Werror                treat warnings as errors\n"
				 "  -Wno-FLAG              do not report warning FLAG (the name shown as [-WFLAG])\n"
				 "  --max-errors N         stop reporting after N errors (default: all)\n"
				 "  --check                parse and check only; write nothing\n"
				 "  --dump                 print the merged definition (implies --check)\n"
				 "  --corpus-report DIR    run over every .edl under DIR and print a table of\n"
				 "                         outcomes per folder (see docs/edl-corpus.md)\n"
				 "  --compile              with --corpus-report: also generate the bridges and\n"
				 "                         compile them with $CC -Wall -Wextra -Werror\n"
				 "  -I DIR                 with --compile: an include folder for the compiler\n"
				 "                         (cove's include/ is found next to the system EDLs)\n"
				 "  --strict               with --corpus-report: exit 1 on any unexpected outcome\n"
				 "  -h, --help             show this help\n"
				 "\n"
				 "exit status: 0 success, 1 errors in the input, 2 usage or unreadable input\n";

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "cove-edger8r: error: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n(try cove-edger8r --help)\n");
	return 2;
}

static bool is_dir(const char *p)
{
	struct stat st;
	return p && *p && stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/*
 * cove's system EDLs: $COVE_EDL_SYSTEM_DIR, else the folder this build was
 * configured with, else <prefix>/share/cove/edl next to the executable.
 */
static const char *default_system_dir(char *buf, size_t n)
{
	const char *env = getenv("COVE_EDL_SYSTEM_DIR");
	if (env && *env)
		return env;
	if (is_dir(COVE_EDL_SYSTEM_DIR))
		return COVE_EDL_SYSTEM_DIR;
	char exe[PATH_MAX];
	ssize_t r = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (r > 0) {
		exe[r] = '\0';
		char *slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			snprintf(buf, n, "%s/../share/cove/edl", exe);
			if (is_dir(buf))
				return buf;
		}
	}
	return NULL;
}

int main(int argc, char **argv)
{
	enum {
		OPT_TRUSTED = 256,
		OPT_UNTRUSTED,
		OPT_TRUSTED_DIR,
		OPT_UNTRUSTED_DIR,
		OPT_HEADER_ONLY,
		OPT_SEARCH_PATH,
		OPT_DIALECT,
		OPT_SYSTEM_DIR,
		OPT_NO_SYSTEM,
		OPT_MAX_ERRORS,
		OPT_CHECK,
		OPT_DUMP,
		OPT_CORPUS,
		OPT_COMPILE,
		OPT_STRICT,
		OPT_DEFINE,
	};
	static const struct option longopts[] = {
	    {"trusted", no_argument, NULL, OPT_TRUSTED},
	    {"untrusted", no_argument, NULL, OPT_UNTRUSTED},
	    {"trusted-dir", required_argument, NULL, OPT_TRUSTED_DIR},
	    {"untrusted-dir", required_argument, NULL, OPT_UNTRUSTED_DIR},
	    {"header-only", no_argument, NULL, OPT_HEADER_ONLY},
	    {"search-path", required_argument, NULL, OPT_SEARCH_PATH},
	    {"dialect", required_argument, NULL, OPT_DIALECT},
	    {"system-edl-dir", required_argument, NULL, OPT_SYSTEM_DIR},
	    {"no-system-edl", no_argument, NULL, OPT_NO_SYSTEM},
	    {"max-errors", required_argument, NULL, OPT_MAX_ERRORS},
	    {"check", no_argument, NULL, OPT_CHECK},
	    {"dump", no_argument, NULL, OPT_DUMP},
	    {"corpus-report", required_argument, NULL, OPT_CORPUS},
	    {"compile", no_argument, NULL, OPT_COMPILE},
	    {"strict", no_argument, NULL, OPT_STRICT},
	    {"define", required_argument, NULL, OPT_DEFINE},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *search[MAX_PATHS];
	const char *defines[MAX_PATHS];
	const char *nowarn[MAX_PATHS];
	size_t nnowarn = 0;
	const char *incdirs[9];
	size_t nincdirs = 0;
	char *search_copies[MAX_PATHS];
	size_t nsearch = 0, ndefines = 0, ncopies = 0;
	bool trusted = false, untrusted = false, header_only = false, check_only = false, dump = false;
	bool no_system = false, werror = false, compile = false, strict = false;
	const char *trusted_dir = NULL, *untrusted_dir = NULL, *system_dir = NULL, *corpus = NULL;
	unsigned max_errors = 0;
	cove_edl_dialect dialect = COVE_EDL_DIALECT_BOTH;
	int rc = 2;

	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, ":hD:W:I:", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(usage_text, stdout);
			rc = 0;
			goto out;
		case OPT_TRUSTED:
			trusted = true;
			break;
		case OPT_UNTRUSTED:
			untrusted = true;
			break;
		case OPT_TRUSTED_DIR:
			trusted_dir = optarg;
			break;
		case OPT_UNTRUSTED_DIR:
			untrusted_dir = optarg;
			break;
		case OPT_HEADER_ONLY:
			header_only = true;
			break;
		case OPT_SEARCH_PATH: {
			if (ncopies == MAX_PATHS) {
				rc = usage_error("too many %s options", "--search-path");
				goto out;
			}
			char *copy = strdup(optarg);
			if (!copy) {
				fprintf(stderr, "cove-edger8r: error: out of memory\n");
				rc = 4;
				goto out;
			}
			search_copies[ncopies++] = copy;
			/* sgx_edger8r separates folders with ':' (';' on Windows). */
			for (char *save = NULL, *dir = strtok_r(copy, ":", &save); dir;
			     dir = strtok_r(NULL, ":", &save)) {
				if (nsearch == MAX_PATHS) {
					rc = usage_error("more than 256 search folders (%s)", optarg);
					goto out;
				}
				search[nsearch++] = dir;
			}
			break;
		}
		case 'D':
		case OPT_DEFINE:
			if (!*optarg || ndefines == MAX_PATHS) {
				rc = usage_error("bad -D option `%s'", optarg);
				goto out;
			}
			defines[ndefines++] = optarg;
			break;
		case 'W':
			if (strcmp(optarg, "error") == 0) {
				werror = true;
			} else if (strncmp(optarg, "no-", 3) == 0 && optarg[3] && nnowarn < MAX_PATHS) {
				nowarn[nnowarn++] = optarg + 3;
			} else {
				rc = usage_error("unknown option -W%s (-Werror or -Wno-FLAG)", optarg);
				goto out;
			}
			break;
		case OPT_DIALECT:
			if (strcmp(optarg, "intel") == 0 || strcmp(optarg, "sgx") == 0)
				dialect = COVE_EDL_DIALECT_INTEL;
			else if (strcmp(optarg, "oe") == 0 || strcmp(optarg, "openenclave") == 0)
				dialect = COVE_EDL_DIALECT_OE;
			else if (strcmp(optarg, "both") == 0)
				dialect = COVE_EDL_DIALECT_BOTH;
			else {
				rc = usage_error("--dialect must be intel, oe or both, not `%s'", optarg);
				goto out;
			}
			break;
		case OPT_SYSTEM_DIR:
			system_dir = optarg;
			break;
		case OPT_NO_SYSTEM:
			no_system = true;
			break;
		case OPT_MAX_ERRORS: {
			char *end = NULL;
			errno = 0;
			unsigned long v = strtoul(optarg, &end, 10);
			if (errno || !end || *end || v > 100000 || optarg[0] == '-') {
				rc = usage_error("bad --max-errors value `%s'", optarg);
				goto out;
			}
			max_errors = (unsigned)v;
			break;
		}
		case OPT_CHECK:
			check_only = true;
			break;
		case OPT_DUMP:
			dump = check_only = true;
			break;
		case OPT_CORPUS:
			corpus = optarg;
			break;
		case OPT_COMPILE:
			compile = true;
			break;
		case 'I':
			if (nincdirs == 8) {
				rc = usage_error("too many -I folders (%s)", optarg);
				goto out;
			}
			incdirs[nincdirs++] = optarg;
			break;
		case OPT_STRICT:
			strict = true;
			break;
		case ':':
			rc = usage_error("option %s needs a value", argv[optind - 1]);
			goto out;
		default:
			rc = usage_error("unknown option `%s'", argv[optind - 1]);
			goto out;
		}
	}

	char sysbuf[PATH_MAX + 32];
	if (!no_system && !system_dir)
		system_dir = default_system_dir(sysbuf, sizeof(sysbuf));
	if (no_system)
		system_dir = NULL;

	cove_edl_options opts = {
	    .search_paths = search,
	    .nsearch_paths = nsearch,
	    .system_dir = system_dir,
	    .defines = defines,
	    .ndefines = ndefines,
	    .dialect = dialect,
	    .warnings_as_errors = werror,
	    .max_errors = max_errors,
	    .disabled_warnings = nowarn,
	    .ndisabled_warnings = nnowarn,
	};

	if (corpus) {
		if (optind != argc) {
			rc = usage_error("--corpus-report takes no EDL file (got `%s')", argv[optind]);
			goto out;
		}
		if (!is_dir(corpus)) {
			rc = usage_error("--corpus-report: `%s' is not a folder", corpus);
			goto out;
		}
		/* cove's headers (cove/edge.h) for the generated code: next to the system EDLs, or given with -I. */
		char incbuf[2 * PATH_MAX + 64];
		if (system_dir && nincdirs < 9) {
			snprintf(incbuf, sizeof(incbuf), "%s/../include/cove/edge.h", system_dir);
			if (access(incbuf, R_OK) == 0) {
				snprintf(incbuf, sizeof(incbuf), "%s/../include", system_dir);
				incdirs[nincdirs++] = incbuf;
			}
		}
		cove_edl_corpus_opts co = {.root = corpus,
					   .system_dir = system_dir,
					   .compile = compile,
					   .include_dirs = incdirs,
					   .ninclude_dirs = nincdirs};
		cove_edl_corpus_totals totals;
		cove_err err = cove_edl_corpus_report(&co, stdout, &totals);
		if (err != COVE_OK) {
			fprintf(stderr, "cove-edger8r: error: corpus report failed: %s\n", cove_err_name(err));
			rc = err == COVE_ERR_IO ? 2 : 4;
			goto out;
		}
		rc = strict && totals.unexpected ? 1 : 0;
		goto out;
	}
	if (compile || strict || nincdirs) {
		rc = usage_error("%s is only valid with --corpus-report", compile  ? "--compile"
									  : strict ? "--strict"
										   : "-I");
		goto out;
	}
	if (optind + 1 != argc) {
		rc = usage_error(optind == argc ? "no EDL file given%s" : "only one EDL file may be given%s", "");
		goto out;
	}
	const char *path = argv[optind];

	cove_edl_diags diags;
	cove_edl_diags_init(&diags);
	cove_edl_file *f = NULL;
	cove_err err = cove_edl_parse_file(path, &opts, &f, &diags);
	cove_edl_diags_print(&diags, stderr);
	if (err == COVE_ERR_IO) {
		rc = 2;
	} else if (err == COVE_ERR_NOMEM) {
		rc = 4;
	} else if (err != COVE_OK) {
		rc = 1;
	} else if (dump) {
		cove_edl_file_dump(f, stdout);
		rc = 0;
	} else if (check_only) {
		rc = 0;
	} else {
		cove_edl_gen_options go = {
		    .side = trusted == untrusted ? COVE_EDL_SIDE_BOTH
			    : trusted            ? COVE_EDL_SIDE_TRUSTED
						 : COVE_EDL_SIDE_UNTRUSTED,
		    .trusted_dir = trusted_dir,
		    .untrusted_dir = untrusted_dir,
		    .header_only = header_only,
		    .base_name = NULL,
		};
		cove_edl_diags gd;
		cove_edl_diags_init(&gd);
		err = cove_edl_generate(f, &go, &gd);
		cove_edl_diags_print(&gd, stderr);
		rc = err == COVE_OK ? 0 : err == COVE_ERR_NOMEM ? 4 : 1;
		cove_edl_diags_free(&gd);
	}
	cove_edl_file_free(f);
	cove_edl_diags_free(&diags);
out:
	for (size_t i = 0; i < ncopies; i++)
		free(search_copies[i]);
	return rc;
}
