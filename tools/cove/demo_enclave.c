/*
 * The application-enclave part of `cove demo`: the demo enclave
 * (tools/demo-enclave) is started twice by the host runtime (cove/host.h),
 * each time in its own hardened loader process that measures the signed image
 * itself.  Run 1 seals a secret to the enclave's MRENCLAVE and writes the blob
 * to the state directory; run 2 - a new process, as after a restart - unseals
 * it and produces a DCAP quote that cmd_demo.c verifies.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cove/bytes.h"
#include "cove/crypto.h"
#include "cove/enclave_image.h"
#include "cove/host.h"
#include "demo.h"

#ifdef COVE_HAVE_DEMO_ENCLAVE
#include "demo_u.h"

#define BLOB_CAP 4096
#define QUOTE_CAP 16384

static cove_err start(const char *state_dir, const char *image, cove_enclave **enc, cove_enclave_info *info,
		      cove_error *e)
{
	cove_enclave_create_opts o = {.platform_dir = state_dir};
	cove_err rc = cove_enclave_create(image, COVE_ENCLAVE_FLAG_EMULATED, &o, enc, e);

	if (!rc)
		rc = cove_enclave_get_info(*enc, info, e);
	return rc;
}

/*
 * An ecall's outcome: the crossing (status) and the enclave's own answer
 * (negated cove_err).  `ret` is read only after the call returned.
 */
static bool call_ok(cove_enclave *enc, cove_edge_status st, const int *retp, const char *what, cove_demo_step *s)
{
	int ret = *retp;

	if (st != COVE_EDGE_OK) {
		const char *why = cove_enclave_lost_reason(enc);
		snprintf(s->result, sizeof(s->result), "%s: %s%s%s", what, cove_edge_status_name(st), why ? ": " : "",
			 why ? why : "");
		return false;
	}
	if (ret != 0) {
		snprintf(s->result, sizeof(s->result), "%s: the enclave answered %s", what,
			 cove_err_name((cove_err)-ret));
		return false;
	}
	return true;
}

size_t cove_demo_enclave_steps(const char *state_dir, const char *image, cove_demo_step *steps, cove_demo_quote *q)
{
	cove_demo_step *s;
	size_t n = 0;
	cove_error e = {0};
	cove_buf file = {0};
	cove_enclave_image *img = NULL;
	cove_enclave *enc = NULL;
	cove_enclave_info info;
	uint8_t signed_mr[32], signer[32], secret[32], blob[BLOB_CAP], back[64];
	size_t blob_len = 0, back_len = 0;
	char hex[65], blob_path[4096];
	uint64_t attr = 0;
	int ret = -1;

	memset(q, 0, sizeof(*q));

	/* 1. The signed image: what `cove sign` measured. */
	s = &steps[n++];
	s->name = "enclave image signed (cove sign)";
	if (cove_file_read(image, COVE_ENCLAVE_IMAGE_MAX, &file, &e) ||
	    cove_enclave_image_parse(file.data, file.len, &img, &e) ||
	    cove_enclave_image_check(img, false, NULL, signed_mr, signer, &attr, &e)) {
		snprintf(s->result, sizeof(s->result), "%s", e.msg);
		goto out;
	}
	cove_hex_write(hex, signed_mr, 32);
	s->ok = true;
	snprintf(s->result, sizeof(s->result), "MRENCLAVE %.16s..., SIGSTRUCT verifies", hex);

	/* 2. Run 1: a process of its own; seal a fresh secret. */
	s = &steps[n++];
	s->name = "enclave run 1: seal a secret";
	if (start(state_dir, image, &enc, &info, &e)) {
		snprintf(s->result, sizeof(s->result), "%s", e.msg);
		goto out;
	}
	if (memcmp(info.mr_enclave, signed_mr, 32) != 0) {
		snprintf(s->result, sizeof(s->result), "the loader measured another MRENCLAVE than cove sign");
		goto out;
	}
	cove_random_bytes(secret, sizeof(secret));
	if (!call_ok(enc, demo_seal(enc, &ret, secret, sizeof(secret), blob, sizeof(blob), &blob_len), &ret, "seal", s))
		goto out;
	snprintf(blob_path, sizeof(blob_path), "%s/demo-sealed.bin", state_dir);
	if (cove_file_write(blob_path, blob, blob_len, 0600, &e)) {
		snprintf(s->result, sizeof(s->result), "%s", e.msg);
		goto out;
	}
	s->ok = true;
	snprintf(s->result, sizeof(s->result), "pid %d, %s memory, loader's MRENCLAVE = signed; %zu-byte sealed blob",
		 (int)info.pid, info.secret_memory ? "memfd_secret" : "ORDINARY (no memfd_secret)", blob_len);
	snprintf(s->detail, sizeof(s->detail), "blob: %.1024s (AES-128-GCM, key from EGETKEY, MRENCLAVE policy)", blob_path);
	cove_enclave_terminate(enc);
	enc = NULL;

	/* 3. Run 2: a new process reads the blob back from disk and unseals it. */
	s = &steps[n++];
	s->name = "enclave run 2: unseal it";
	memset(blob, 0, sizeof(blob));
	cove_buf_free(&file);
	if (cove_file_read(blob_path, BLOB_CAP, &file, &e) || start(state_dir, image, &enc, &info, &e)) {
		snprintf(s->result, sizeof(s->result), "%s", e.msg);
		goto out;
	}
	if (!call_ok(enc, demo_unseal(enc, &ret, file.data, file.len, back, sizeof(back), &back_len), &ret, "unseal", s))
		goto out;
	s->ok = back_len == sizeof(secret) && memcmp(back, secret, sizeof(secret)) == 0;
	snprintf(s->result, sizeof(s->result), "%s (pid %d)",
		 s->ok ? "the secret of run 1, intact" : "UNSEALED SOMETHING ELSE: bug", (int)info.pid);

	/* 4. A quote binding fresh report data. */
	s = &steps[n++];
	s->name = "enclave quote (emulated QE)";
	cove_random_bytes(q->report_data, sizeof(q->report_data));
	q->quote = malloc(QUOTE_CAP);
	if (!q->quote) {
		snprintf(s->result, sizeof(s->result), "out of memory");
		goto out;
	}
	if (!call_ok(enc, demo_quote(enc, &ret, q->report_data, q->quote, QUOTE_CAP, &q->len), &ret, "quote", s)) {
		free(q->quote);
		q->quote = NULL;
		goto out;
	}
	memcpy(q->mr_enclave, info.mr_enclave, 32);
	s->ok = true;
	snprintf(s->result, sizeof(s->result), "DCAP v3 quote, %zu bytes, fresh report data", q->len);
out:
	cove_enclave_terminate(enc);
	cove_enclave_image_free(img);
	cove_buf_free(&file);
	return n;
}

#else

size_t cove_demo_enclave_steps(const char *state_dir, const char *image, cove_demo_step *steps, cove_demo_quote *q)
{
	(void)state_dir;
	(void)image;
	memset(q, 0, sizeof(*q));
	steps[0].name = "enclave image signed (cove sign)";
	snprintf(steps[0].result, sizeof(steps[0].result), "this cove was built without the demo enclave");
	return 1;
}

#endif
