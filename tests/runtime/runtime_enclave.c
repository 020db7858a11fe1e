/*
 * Trusted side of the runtime test enclave (runtime.edl): small ecalls that
 * exercise each part of the runtime and of the trusted API (cove/enclave.h).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cove/enclave.h"
#include "runtime_t.h"

static uint8_t global_secret[32];

int ecall_add(int a, int b)
{
	return a + b;
}

void ecall_noop(void)
{
}

void ecall_noop_switchless(void)
{
}

uint64_t ecall_echo(const uint8_t *in, uint8_t *out, size_t len)
{
	uint64_t sum = 0;

	for (size_t i = 0; i < len; i++) {
		out[i] = in[i];
		sum += in[i];
	}
	return sum;
}

size_t ecall_strlen(const char *s)
{
	return strlen(s);
}

int ecall_place_secret(const uint8_t *secret, uint64_t *heap_addr, uint64_t *global_addr)
{
	uint8_t *h = cove_enclave_malloc(32);

	if (!h)
		return -1;
	memcpy(h, secret, 32);
	memcpy(global_secret, secret, 32);
	*heap_addr = (uint64_t)(uintptr_t)h;
	*global_addr = (uint64_t)(uintptr_t)global_secret;
	return 0;
}

int ecall_hold_secret_on_stack(const uint8_t *secret)
{
	volatile uint8_t buf[32];

	for (int i = 0; i < 32; i++)
		buf[i] = secret[i];
	if (ocall_secret_on_stack((uint64_t)(uintptr_t)buf) != COVE_EDGE_OK)
		return -1;
	for (int i = 0; i < 32; i++)
		buf[i] = 0;
	return 0;
}

int ecall_forbidden_syscall(void)
{
	/* Enclave code has no direct access to the OS: the sandbox stops the process here. */
	return socket(AF_INET, SOCK_STREAM, 0);
}

static volatile uintptr_t nowhere = 16;

void ecall_crash(void)
{
	/* A write to an unmapped page: the enclave process dies of SIGSEGV. */
	*(volatile int *)nowhere = 1;
}

int ecall_nested(int depth)
{
	int r = 0;

	if (depth <= 0)
		return 0;
	if (ocall_reenter(&r, depth) != COVE_EDGE_OK)
		return -1000;
	return r + 1;
}

int ecall_nested_inner(int depth)
{
	return ecall_nested(depth - 1);
}

int ecall_within(uint64_t addr, uint64_t len)
{
	const void *p = (const void *)(uintptr_t)addr;
	return (cove_is_within_enclave(p, (size_t)len) ? 1 : 0) | (cove_is_outside_enclave(p, (size_t)len) ? 2 : 0);
}

int ecall_ocall_loop(int n, int switchless)
{
	for (int i = 0; i < n; i++) {
		cove_edge_status st = switchless ? ocall_noop_switchless() : ocall_noop();
		if (st != COVE_EDGE_OK)
			return -(int)st;
	}
	return n;
}

int ecall_identity(uint8_t *mr_enclave, uint8_t *mr_signer, int *secret_memory)
{
	cove_sgx_identity id;

	if (cove_enclave_identity(&id, NULL))
		return -1;
	memcpy(mr_enclave, id.mr_enclave, 32);
	memcpy(mr_signer, id.mr_signer, 32);
	*secret_memory = cove_enclave_has_secret_memory();
	return 0;
}

int ecall_seal(int policy, const uint8_t *text, size_t len, uint8_t *blob, size_t cap, size_t *blob_len)
{
	uint8_t *b = NULL;
	size_t n = 0;
	cove_err rc = cove_enclave_seal((uint16_t)policy, text, len, "cove-test", 9, &b, &n, NULL);

	if (rc)
		return -(int)rc;
	if (n > cap) {
		cove_enclave_free(b);
		return -100;
	}
	memcpy(blob, b, n);
	*blob_len = n;
	cove_enclave_free(b);
	return 0;
}

int ecall_unseal(const uint8_t *blob, size_t len, uint8_t *text, size_t cap, size_t *text_len)
{
	uint8_t *t = NULL;
	size_t n = 0;
	cove_err rc = cove_enclave_unseal(blob, len, &t, &n, NULL, NULL, NULL);

	if (rc)
		return -(int)rc;
	if (n > cap) {
		cove_enclave_free(t);
		return -100;
	}
	memcpy(text, t, n);
	*text_len = n;
	cove_enclave_free(t);
	return 0;
}

int ecall_target_info(uint8_t *ti)
{
	return cove_enclave_target_info(ti, NULL) ? -1 : 0;
}

int ecall_report(const uint8_t *ti, const uint8_t *rd, uint8_t *report)
{
	return cove_enclave_report(ti, 512, rd, report, NULL) ? -1 : 0;
}

int ecall_verify_report(const uint8_t *report)
{
	cove_err rc = cove_enclave_verify_report(report, 432, NULL, NULL);
	return -(int)rc;
}

int ecall_quote(const uint8_t *rd, uint8_t *quote, size_t cap, size_t *quote_len)
{
	uint8_t *q = NULL;
	size_t n = 0;
	cove_err rc = cove_enclave_quote(rd, &q, &n, NULL);

	if (rc)
		return -(int)rc;
	if (n > cap) {
		cove_enclave_free(q);
		return -100;
	}
	memcpy(quote, q, n);
	*quote_len = n;
	cove_enclave_free(q);
	return 0;
}

uint64_t ecall_sum(const uint64_t *v, size_t n)
{
	uint64_t s = 0;

	for (size_t i = 0; i < n; i++)
		s += v[i];
	return s;
}
