/*
 * `cove demo` internals shared by cmd_demo.c (the table and the verification
 * steps) and demo_enclave.c (the application-enclave steps).
 */
#ifndef COVE_CLI_DEMO_H
#define COVE_CLI_DEMO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sys/types.h>

#include <jansson.h>

#include "cove/bytes.h"
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

/* The coved the demo runs (demo_coved.c). */
typedef struct cove_demo_coved {
	pid_t pid;
	unsigned port;
	char base[64];          /* http://127.0.0.1:PORT, also the token issuer */
	char state_dir[4200];
	char admin_token[64];
	json_t *jwks;
} cove_demo_coved;

/*
 * Start coved on loopback (state in platform_dir/coved, trusting the
 * emulated platform in platform_dir), have it attest the SNP report and the
 * demo enclave's quote, and release a key to that enclave.  Appends up to 4
 * steps; stop coved with cove_demo_coved_stop().
 */
size_t cove_demo_coved_steps(cove_demo_coved *d, const char *platform_dir, const uint8_t *snp_report, size_t snp_len,
			     const cove_buf *snp_chain_pem, const char *enclave_image, cove_demo_step *steps);
void cove_demo_coved_stop(cove_demo_coved *d);

#endif
