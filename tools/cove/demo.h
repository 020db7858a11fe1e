/*
 * `cove demo` internals shared by cmd_demo.c (the table and the verification
 * steps) and demo_enclave.c (the application-enclave steps).
 */
#ifndef COVE_CLI_DEMO_H
#define COVE_CLI_DEMO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cove/err.h"

typedef struct cove_demo_step {
	const char *name;
	bool ok;
	char result[COVE_ERROR_MSG_MAX + 64];
	char detail[4 * COVE_ERROR_MSG_MAX];
} cove_demo_step;

/* What the enclave steps hand to the verification steps. */
typedef struct cove_demo_quote {
	uint8_t *quote; /* malloc'd */
	size_t len;
	uint8_t mr_enclave[32];
	uint8_t report_data[64];
} cove_demo_quote;

/*
 * Run the demo enclave `image` twice on the emulated platform in `state_dir`:
 * run 1 seals a fresh secret (the blob goes to a file in state_dir), run 2
 * unseals it and quotes the enclave.  Appends one step per stage to `steps`
 * (at most 4) and returns how many; *q receives the quote when every stage
 * succeeded (q->quote NULL otherwise).
 */
size_t cove_demo_enclave_steps(const char *state_dir, const char *image, cove_demo_step *steps, cove_demo_quote *q);

#endif
