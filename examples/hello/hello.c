/*
 * examples/hello/hello.c - host side of the hello sample: start the signed
 * hello enclave on the emulated platform, print what the loader measured
 * (cove_enclave_get_info), check that the enclave sees the same identity,
 * and get a greeting made inside the enclave back through an [out] buffer
 * while the enclave prints through ocall_print.
 *
 * Usage: hello [--name NAME] [--platform-dir DIR] [--enclave IMAGE]
 * Exit status: 0 success, 1 failure, 2 usage.
 */
#include <stdio.h>
#include <string.h>

#include "example.h"
#include "hello_u.h"

static int ocall_lines;

/* The ocall: the host decides what an enclave's "print" means. */
void ocall_print(const char *line)
{
	ocall_lines++;
	printf("%s\n", line);
}

int main(int argc, char **argv)
{
	example_opts o;
	const char *name = "world";
	cove_enclave *enc = NULL;
	cove_enclave_info info;
	cove_error e = {0};
	cove_edge_status st;
	uint8_t mre[32], mrs[32];
	char greeting[128];
	int r = -1, secret = -1, rc = 1;

	if (example_parse_common(&argc, argv, &o, HELLO_ENCLAVE_IMAGE))
		return 2;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--name") == 0 && i + 1 < argc) {
			name = argv[++i];
		} else {
			fprintf(stderr, "usage: %s [--name NAME] [--platform-dir DIR] [--enclave IMAGE]\n", argv[0]);
			return 2;
		}
	}

	enc = example_start("hello", o.enclave, &o);
	if (!enc)
		return 1;
	if (cove_enclave_get_info(enc, &info, &e)) {
		fprintf(stderr, "hello: cove_enclave_get_info: %s\n", e.msg);
		goto out;
	}
	example_print_hex("MRENCLAVE", info.mr_enclave, 32);
	example_print_hex("MRSIGNER ", info.mr_signer, 32);
	printf("enclave process %d, %u TCS, %s, memory %s\n", (int)info.pid, info.tcs_count,
	       info.debug ? "debug" : "production", info.secret_memory ? "memfd_secret-backed" : "NOT memfd_secret-backed");

	/* What the enclave reports about itself must be what the loader measured. */
	st = ecall_identity(enc, &r, mre, mrs, &secret);
	if (st != COVE_EDGE_OK || r != 0) {
		if (st != COVE_EDGE_OK)
			example_report_call("ecall_identity", st, enc);
		else
			fprintf(stderr, "hello: the enclave could not read its identity\n");
		goto out;
	}
	if (memcmp(mre, info.mr_enclave, 32) != 0 || memcmp(mrs, info.mr_signer, 32) != 0 ||
	    (secret != 0) != info.secret_memory) {
		fprintf(stderr, "hello: the enclave's own identity differs from what the loader measured\n");
		goto out;
	}
	printf("the enclave's own identity matches the loader's measurement\n");

	st = ecall_greet(enc, &r, name, greeting, sizeof(greeting));
	if (st != COVE_EDGE_OK || r < 0) {
		if (st != COVE_EDGE_OK)
			example_report_call("ecall_greet", st, enc);
		else
			fprintf(stderr, "hello: the enclave could not fit a greeting for a %zu-byte name in %zu bytes\n",
				strlen(name), sizeof(greeting));
		goto out;
	}
	if ((size_t)r != strnlen(greeting, sizeof(greeting)) || !strstr(greeting, name)) {
		fprintf(stderr, "hello: the greeting that came back is not the one asked for\n");
		goto out;
	}
	if (ocall_lines != 1) {
		fprintf(stderr, "hello: expected one ocall_print from the enclave, got %d\n", ocall_lines);
		goto out;
	}
	printf("greeting: %s\n", greeting);
	rc = 0;
out:
	cove_enclave_terminate(enc);
	return rc;
}
