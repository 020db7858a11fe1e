/*
 * examples/hello/hello_enclave.c - trusted side of the hello sample
 * (hello.edl).  Only the trusted API (cove/enclave.h) and pure computation are
 * available here: a system call would kill the enclave, so output goes through
 * ocall_print.
 */
#include <stdio.h>
#include <string.h>

#include "cove/enclave.h"
#include "hello_t.h"

int ecall_greet(const char *name, char *greeting, size_t cap)
{
	char line[200];
	int n;

	if (cap == 0)
		return -1;
	n = snprintf(greeting, cap, "Hello, %s, from inside a cove enclave!", name);
	if (n < 0 || (size_t)n >= cap)
		return -1; /* the host's buffer is too small */
	snprintf(line, sizeof(line), "[enclave] formatted a %d-byte greeting for \"%.64s\"", n, name);
	/* A lost host is not this call's business: the greeting is already made. */
	(void)ocall_print(line);
	return n;
}

int ecall_identity(uint8_t *mr_enclave, uint8_t *mr_signer, int *secret_memory)
{
	cove_sgx_identity id;

	if (cove_enclave_identity(&id, NULL))
		return -1;
	memcpy(mr_enclave, id.mr_enclave, sizeof(id.mr_enclave));
	memcpy(mr_signer, id.mr_signer, sizeof(id.mr_signer));
	*secret_memory = cove_enclave_has_secret_memory() ? 1 : 0;
	return 0;
}
