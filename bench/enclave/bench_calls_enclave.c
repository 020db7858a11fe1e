/*
 * Trusted side of the call-latency benchmark enclave (bench_calls.edl): empty
 * ecalls, and a loop of empty ocalls whose timing the host takes as the
 * interval between consecutive entries of its ocall handler
 * (bench/bench_enclave_calls.c), so nothing here reads a clock.
 */
#include "bench_calls_t.h"

void ecall_noop(void)
{
}

void ecall_noop_switchless(void)
{
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
