/*
 * examples/common/example.c - option parsing, enclave start-up and hex
 * printing shared by the sample host programs (example.h).
 */
#include "example.h"

#include <stdio.h>
#include <string.h>

#include "cove/bytes.h"
#include "cove/enclave_image.h"

int example_parse_common(int *argc, char **argv, example_opts *o, const char *default_enclave)
{
	int out = 1;

	o->platform_dir = NULL;
	o->enclave = default_enclave;
	for (int i = 1; i < *argc; i++) {
		const char **dst = NULL;

		if (strcmp(argv[i], "--platform-dir") == 0)
			dst = &o->platform_dir;
		else if (strcmp(argv[i], "--enclave") == 0)
			dst = &o->enclave;
		if (!dst) {
			argv[out++] = argv[i];
			continue;
		}
		if (i + 1 >= *argc) {
			fprintf(stderr, "%s: option %s needs a value\n", argv[0], argv[i]);
			return 2;
		}
		*dst = argv[++i];
	}
	argv[out] = NULL;
	*argc = out;
	return 0;
}

cove_enclave *example_start(const char *what, const char *image, const example_opts *o)
{
	cove_enclave_create_opts co = {.platform_dir = o->platform_dir};
	cove_enclave *enc = NULL;
	cove_error e = {0};

	if (cove_enclave_create(image, COVE_ENCLAVE_FLAG_EMULATED, &co, &enc, &e)) {
		fprintf(stderr, "%s: cannot start enclave %s: %s\n", what, image, e.msg);
		return NULL;
	}
	return enc;
}

int example_image_mrenclave(const char *path, uint8_t out[32])
{
	cove_buf data = {0};
	cove_enclave_image *img = NULL;
	cove_error e = {0};
	int rc = 1;

	if (cove_file_read(path, COVE_ENCLAVE_IMAGE_MAX, &data, &e) ||
	    cove_enclave_image_parse(data.data, data.len, &img, &e) || cove_enclave_image_measure(img, out, &e)) {
		fprintf(stderr, "%s: %s\n", path, e.msg);
		goto out;
	}
	rc = 0;
out:
	cove_enclave_image_free(img);
	cove_buf_free(&data);
	return rc;
}

void example_print_hex(const char *label, const uint8_t *p, size_t n)
{
	char hex[2 * 64 + 1];

	if (n > 64)
		n = 64;
	cove_hex_write(hex, p, n);
	printf("%s: %s\n", label, hex);
}

void example_report_call(const char *call, cove_edge_status st, const cove_enclave *enc)
{
	const char *why = cove_enclave_lost_reason(enc);

	fprintf(stderr, "%s failed: %s%s%s\n", call, cove_edge_status_name(st), why ? " - enclave lost: " : "",
		why ? why : "");
}
