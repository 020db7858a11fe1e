/*
 * examples/switchless/switchless_enclave.c - trusted side of the switchless
 * sample (switchless.edl): empty calls, so that what is timed is the
 * crossing itself.  The enclave is built with WORKERS 2: two enclave-side
 * threads serve the switchless ecalls.
 */
#include "switchless_t.h"

void ecall_plain(void)
{
}

void ecall_fast(void)
{
}

int ecall_ocalls(int n, int switchless)
{
	for (int i = 0; i < n; i++) {
		cove_edge_status st = switchless ? ocall_fast() : ocall_plain();
		if (st != COVE_EDGE_OK)
			return -(int)st;
	}
	return n;
}
