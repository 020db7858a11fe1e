/*
 * edger8r/corpus.h - `cove-edger8r --corpus-report`: run the EDL front end
 * (and optionally the generator and a C compiler) over every .edl file of a
 * corpus laid out as shared/edl-corpus (MANIFEST.md there), compare each
 * outcome with what the file's own SDK does, and print a table per folder.
 */
#ifndef COVE_EDGER8R_CORPUS_H
#define COVE_EDGER8R_CORPUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "cove/err.h"

typedef struct cove_edl_corpus_opts {
	const char *root;                /* the corpus folder (holding linux-sgx/ and openenclave/) */
	const char *system_dir;          /* cove's system EDLs, searched after each file's folder */
	bool compile;                    /* also generate both sides and compile them (-Wall -Wextra -Werror) */
	const char *const *include_dirs; /* extra -I folders for --compile (cove's include/) */
	size_t ninclude_dirs;
} cove_edl_corpus_opts;

typedef struct cove_edl_corpus_totals {
	size_t files;
	size_t accepted;          /* no diagnostic at all */
	size_t warned;            /* accepted with warnings (none expected) */
	size_t expected_warnings; /* a diagnostic case: the expected warnings, at the expected lines */
	size_t expected_errors;   /* a diagnostic case: rejected with the expected error at the expected line */
	size_t unexpected;        /* anything else */
	size_t compiled;          /* --compile: both sides generated and compiled */
	size_t generated;         /* --compile: generated, but the C did not compile (reason listed) */
	size_t generate_failed;   /* --compile: the generator refused an accepted file */
} cove_edl_corpus_totals;

/* Print the report (Markdown) to `out`; COVE_ERR_IO when the corpus cannot be walked. */
cove_err cove_edl_corpus_report(const cove_edl_corpus_opts *o, FILE *out, cove_edl_corpus_totals *totals);

#endif
