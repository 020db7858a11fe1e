/*
 * examples/common/example.h - what every sample host program shares: the
 * common command-line options (--platform-dir, --enclave), starting an enclave
 * on the emulated platform, and printing hex.  Only the public host API
 * (cove/host.h) is used, as an application outside the cove tree would.
 */
#ifndef COVE_EXAMPLE_H
#define COVE_EXAMPLE_H

#include <stddef.h>
#include <stdint.h>

#include "cove/host.h"

/* Options every sample accepts. */
typedef struct example_opts {
	const char *platform_dir; /* NULL = the per-user default state directory */
	const char *enclave;      /* signed image; default built in */
} example_opts;

/*
 * Take --platform-dir DIR and --enclave PATH out of argv (argv is compacted,
 * *argc updated), leaving the sample's own arguments.  Returns 0, or prints
 * the problem and returns 2 (usage).
 */
int example_parse_common(int *argc, char **argv, example_opts *o, const char *default_enclave);

/* Start `image` as an emulated enclave; on failure print why (prefixed by `what`) and return NULL. */
cove_enclave *example_start(const char *what, const char *image, const example_opts *o);

/*
 * MRENCLAVE of a signed image file, measured here (what a relying party knows
 * in advance, from the image it reviewed).  0, or prints why and returns 1.
 */
int example_image_mrenclave(const char *path, uint8_t out[32]);

/* Print "label: <hex>" on one line. */
void example_print_hex(const char *label, const uint8_t *p, size_t n);

/* A failed call: say which call and why the enclave is gone, if it is. */
void example_report_call(const char *call, cove_edge_status st, const cove_enclave *enc);

#endif
