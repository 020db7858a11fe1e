/*
 * libFuzzer target: the EDL front end (src/edl) on arbitrary text - lexer,
 * preprocessor, parser, semantic checks - and, when a file is accepted, the
 * helpers the generator uses on every declaration.  The last byte also picks
 * the dialect and the -D set, so every rule set is explored while the whole
 * input stays EDL text (seeds are real files).  The buffer is
 * named inside a folder that does not exist, so relative imports fail
 * quickly instead of reading the working directory.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edl/edl.h"

static void check_decls(const cove_edl_decl *d, size_t n)
{
	char buf[512];
	for (size_t i = 0; i < n; i++) {
		cove_edl_decl_format(&d[i], buf, sizeof(buf));
		cove_edl_decl_elem_sizeof(&d[i], buf, sizeof(buf));
		cove_edl_decl_array_sizeof(&d[i], buf, sizeof(buf));
		(void)cove_edl_decl_array_count(&d[i]);
		/* A resolved size/count names a sibling in the same list. */
		const cove_edl_size *s[2] = {&d[i].attrs.size, &d[i].attrs.count};
		for (int k = 0; k < 2; k++)
			if (s[k]->ref && (s[k]->ref < d || s[k]->ref >= d + n))
				abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const defines[] = {"OE_SGX", "FEATURE"};
	cove_edl_options o = {0};
	if (size) {
		uint8_t sel = data[size - 1];
		o.dialect = (cove_edl_dialect)(sel % 3);
		o.ndefines = (sel >> 2) % 3;
		o.defines = defines;
		o.warnings_as_errors = (sel & 0x80) != 0;
	}
	cove_edl_diags d;
	cove_edl_diags_init(&d);
	cove_edl_file *f = NULL;
	cove_err rc = cove_edl_parse_buffer("/nonexistent-cove-fuzz/fuzz.edl", (const char *)data, size, &o, &f, &d);
	if ((rc == COVE_OK) != (f != NULL) || (rc == COVE_OK && d.errors) || (rc == COVE_ERR_PARSE && !d.errors))
		abort();
	for (size_t i = 0; i < d.count; i++) {
		char line[256];
		if (!d.items[i].message)
			abort();
		cove_edl_diag_format(&d.items[i], line, sizeof(line));
	}
	if (f) {
		for (size_t i = 0; i < f->necalls; i++)
			check_decls(f->ecalls[i].params, f->ecalls[i].nparams);
		for (size_t i = 0; i < f->nocalls; i++) {
			check_decls(f->ocalls[i].params, f->ocalls[i].nparams);
			for (size_t j = 0; j < f->ocalls[i].nallow; j++)
				if (!f->ocalls[i].allow[j].ecall)
					abort(); /* an accepted allow() names an ecall */
		}
		for (size_t i = 0; i < f->ntypes; i++)
			check_decls(f->types[i].members, f->types[i].nmembers);
		FILE *out = fopen("/dev/null", "w");
		if (out) {
			cove_edl_file_dump(f, out);
			fclose(out);
		}
	}
	cove_edl_file_free(f);
	cove_edl_diags_free(&d);
	return 0;
}
