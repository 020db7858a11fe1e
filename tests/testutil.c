#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "testutil.h"

const char *cove_test_shared_path(const char *rel)
{
	static char path[PATH_MAX];
	const char *dir = getenv("COVE_SHARED_DIR");
	struct stat st;
	if (!dir || !*dir || stat(dir, &st) != 0) {
		fprintf(stderr, "SKIP: sample evidence folder (COVE_SHARED_DIR=%s) is absent; skipping %s\n",
			dir ? dir : "(unset)", rel);
		return NULL;
	}
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	return path;
}

void cove_test_read_shared(const char *rel, cove_buf *out)
{
	const char *p = cove_test_shared_path(rel);
	cove_error e = {0};
	if (!p) {
		skip();
		return;
	}
	if (cove_file_read(p, 16 << 20, out, &e) != COVE_OK)
		fail_msg("cannot read %s: %s", p, e.msg);
}

void cove_test_read_shared_evidence(const char *rel, cove_buf *out)
{
	cove_test_read_shared(rel, out);
	size_t digits = 0;
	for (size_t i = 0; i < out->len; i++) {
		if (isxdigit(out->data[i]))
			digits++;
		else if (!isspace(out->data[i]))
			return;
	}
	cove_buf bin = {0};
	cove_error e = {0};
	if (cove_hex_decode((const char *)out->data, out->len, &bin, &e) != COVE_OK)
		fail_msg("hex decode: %s", e.msg);
	cove_buf_free(out);
	*out = bin;
}
