/*
 * examples/sealing/sealing.c - host side of the sealing sample: one run seals
 * a secret to the enclave and writes the blob to a file; a later run (another
 * process, another enclave instance) reads the file and has the enclave
 * unseal it.  The host never sees the sealing key, and a blob changed by a
 * single bit is refused by the enclave.
 *
 * Usage: sealing seal FILE [--secret TEXT] [--platform-dir DIR] [--enclave IMAGE]
 *        sealing unseal FILE [--platform-dir DIR] [--enclave IMAGE]
 * Without --secret, the enclave generates a random secret and shows it.
 * Exit status: 0 success, 1 failure (including a refused blob), 2 usage.
 */
#include <stdio.h>
#include <string.h>

#include "cove/bytes.h"
#include "example.h"
#include "sealing_u.h"

#define BLOB_MAX 16384
#define TEXT_MAX 4096

static void usage(const char *argv0)
{
	fprintf(stderr,
		"usage: %s seal FILE [--secret TEXT] [--platform-dir DIR] [--enclave IMAGE]\n"
		"       %s unseal FILE [--platform-dir DIR] [--enclave IMAGE]\n",
		argv0, argv0);
}

static int do_seal(cove_enclave *enc, const char *file, const char *secret)
{
	static uint8_t blob[BLOB_MAX];
	char hex[65] = {0}, why[256] = {0};
	size_t blob_len = 0;
	int r = -1;
	cove_error e = {0};
	cove_edge_status st = secret ? ecall_seal_text(enc, &r, secret, blob, sizeof(blob), &blob_len, why)
				     : ecall_seal_generated(enc, &r, hex, blob, sizeof(blob), &blob_len, why);

	if (st != COVE_EDGE_OK) {
		example_report_call("seal ecall", st, enc);
		return 1;
	}
	if (r != 0) {
		fprintf(stderr, "sealing: the enclave refused to seal: %.256s\n", why);
		return 1;
	}
	if (blob_len > sizeof(blob)) {
		fprintf(stderr, "sealing: the enclave claims a %zu-byte blob\n", blob_len);
		return 1;
	}
	if (!secret)
		printf("generated secret: %s\n", hex);
	if (cove_file_write(file, blob, blob_len, 0600, &e)) {
		fprintf(stderr, "sealing: %s\n", e.msg);
		return 1;
	}
	printf("sealed %zu bytes of secret into %s (%zu bytes, policy MRENCLAVE)\n", secret ? strlen(secret) : (size_t)64,
	       file, blob_len);
	return 0;
}

static int do_unseal(cove_enclave *enc, const char *file)
{
	static char text[TEXT_MAX];
	char why[256] = {0};
	cove_buf blob = {0};
	cove_error e = {0};
	cove_edge_status st;
	int r = -1, rc = 1;

	if (cove_file_read(file, BLOB_MAX, &blob, &e)) {
		fprintf(stderr, "sealing: %s\n", e.msg);
		return 1;
	}
	st = ecall_unseal_text(enc, &r, blob.data, blob.len, text, sizeof(text), why);
	if (st != COVE_EDGE_OK) {
		example_report_call("ecall_unseal_text", st, enc);
		goto out;
	}
	if (r != 0) {
		fprintf(stderr, "sealing: the enclave refused the blob in %s: %.256s\n", file, why);
		goto out;
	}
	text[sizeof(text) - 1] = '\0';
	printf("unsealed secret: %s\n", text);
	rc = 0;
out:
	cove_buf_free(&blob);
	return rc;
}

int main(int argc, char **argv)
{
	example_opts o;
	const char *cmd, *file, *secret = NULL;
	cove_enclave *enc;
	int rc;

	if (example_parse_common(&argc, argv, &o, SEALING_ENCLAVE_IMAGE))
		return 2;
	if (argc < 3) {
		usage(argv[0]);
		return 2;
	}
	cmd = argv[1];
	file = argv[2];
	for (int i = 3; i < argc; i++) {
		if (strcmp(cmd, "seal") == 0 && strcmp(argv[i], "--secret") == 0 && i + 1 < argc) {
			secret = argv[++i];
		} else {
			usage(argv[0]);
			return 2;
		}
	}
	if (strcmp(cmd, "seal") != 0 && strcmp(cmd, "unseal") != 0) {
		usage(argv[0]);
		return 2;
	}
	if (secret && (secret[0] == '\0' || strlen(secret) >= TEXT_MAX)) {
		fprintf(stderr, "sealing: --secret must be 1 to %d bytes\n", TEXT_MAX - 1);
		return 2;
	}

	enc = example_start("sealing", o.enclave, &o);
	if (!enc)
		return 1;
	rc = strcmp(cmd, "seal") == 0 ? do_seal(enc, file, secret) : do_unseal(enc, file);
	cove_enclave_terminate(enc);
	return rc;
}
