/*
 * Deep copy of a self-referential struct (tests/edl/chain.edl, cove's own):
 * chains copied in, out (allocated by the callee) and in-out in both
 * directions, and the nesting limit COVE_EDGE_MAX_DEPTH enforced everywhere
 * - on the caller's data (a cycle terminates), on a callee's [out] data, and
 * on a hand-made input frame nesting deeper than the limit.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "chain_u.h"
#include "edl_test.h"

extern const cove_edge_table chain_ecall_table;

static struct Node *host_chain(size_t depth)
{
	struct Node *nodes = calloc(depth, sizeof(*nodes));
	for (size_t i = 0; nodes && i < depth; i++) {
		nodes[i].value = i + 1;
		nodes[i].n = i + 1 < depth;
		nodes[i].next = i + 1 < depth ? &nodes[i + 1] : NULL;
	}
	return nodes;
}

static void free_received(struct Node *head)
{
	struct Node *n = head->n ? head->next : NULL;
	while (n) {
		struct Node *next = n->n ? n->next : NULL;
		free(n);
		n = next;
	}
}

/* The host's ocall: a chain allocated with malloc, released by the host bridge after it crossed. */
void ocall_chain_make(struct Node *head, size_t depth)
{
	struct Node *n = head;
	for (size_t i = 1; i <= depth; i++) {
		n->value = i;
		if (i == depth)
			break;
		n->n = 1;
		n->next = calloc(1, sizeof(*n));
		n = n->next;
	}
}

static int setup(void **state)
{
	cove_edge_loopback *lb = NULL;
	cove_error e = {0};
	if (cove_edge_loopback_new(&chain_ecall_table, NULL, &lb, &e) != COVE_OK)
		return -1;
	edl_marks_reset();
	edl_take_failures();
	*state = lb;
	return 0;
}

static int teardown(void **state)
{
	cove_edge_loopback *lb = *state;
	assert_int_equal(cove_edge_loopback_enclave_in_use(lb), 0);
	assert_int_equal(cove_edge_loopback_shared_in_use(lb), 0);
	cove_edge_loopback_free(lb);
	return 0;
}

static void test_chain_in(void **state)
{
	cove_edge_loopback *lb = *state;
	cove_enclave *enc = cove_edge_loopback_enclave(lb);
	cove_edge_loopback_stats st;
	uint64_t sum = 0;

	struct Node *c = host_chain(10);
	assert_int_equal(ecall_chain_sum(enc, &sum, c), COVE_EDGE_OK);
	assert_int_equal(sum, 55);
	free(c);
	/* 32 nodes nest 31 levels below the head: the deepest allowed. */
	c = host_chain(COVE_EDGE_MAX_DEPTH);
	assert_int_equal(ecall_chain_sum(enc, &sum, c), COVE_EDGE_OK);
	assert_int_equal(sum, COVE_EDGE_MAX_DEPTH * (COVE_EDGE_MAX_DEPTH + 1) / 2);
	free(c);
	/* One more and the host proxy refuses before anything crosses. */
	cove_edge_loopback_get_stats(lb, &st);
	uint64_t before = st.ecalls;
	c = host_chain(COVE_EDGE_MAX_DEPTH + 1);
	assert_int_equal(ecall_chain_sum(enc, &sum, c), COVE_EDGE_TOO_DEEP);
	free(c);
	/* A cycle is just infinitely deep: it terminates with the same status. */
	struct Node loop = {7, 1, NULL};
	loop.next = &loop;
	assert_int_equal(ecall_chain_sum(enc, &sum, &loop), COVE_EDGE_TOO_DEEP);
	cove_edge_loopback_get_stats(lb, &st);
	assert_int_equal(st.ecalls, before);
	assert_int_equal(edl_take_failures(), 0);
}

static void test_chain_out_and_inout(void **state)
{
	cove_edge_loopback *lb = *state;
	cove_enclave *enc = cove_edge_loopback_enclave(lb);
	struct Node head;

	memset(&head, 0xCD, sizeof(head));
	assert_int_equal(ecall_chain_make(enc, &head, 5), COVE_EDGE_OK);
	uint64_t expect = 1;
	for (struct Node *n = &head; n; n = n->n ? n->next : NULL)
		assert_int_equal(n->value, expect++);
	assert_int_equal(expect, 6);
	free_received(&head);

	/* The enclave builds 40 nodes: too deep to copy out; refused, and its nodes are released. */
	memset(&head, 0xCD, sizeof(head));
	assert_int_equal(ecall_chain_make(enc, &head, 40), COVE_EDGE_TOO_DEEP);
	assert_int_equal(head.value, 0xCDCDCDCDCDCDCDCDULL); /* nothing written back */
	assert_int_equal(cove_edge_loopback_enclave_in_use(lb), 0);

	/* In-out through every level. */
	struct Node *c = host_chain(12);
	assert_int_equal(ecall_chain_add(enc, c, 100), COVE_EDGE_OK);
	for (size_t i = 0; i < 12; i++) {
		assert_int_equal(c[i].value, 101 + i);
		assert_ptr_equal(c[i].next, i + 1 < 12 ? &c[i + 1] : NULL); /* the host's own pointers kept */
	}
	free(c);

	/* The other direction: the host builds, the enclave receives into its heap. */
	uint64_t sum = 0;
	assert_int_equal(ecall_chain_from_host(enc, &sum, 6), COVE_EDGE_OK);
	assert_int_equal(sum, 21);
	assert_int_equal(edl_marks("ok"), 1);
	assert_int_equal(ecall_chain_from_host(enc, &sum, 40), COVE_EDGE_OK);
	assert_int_equal(sum, 0);
	assert_int_equal(edl_marks("too-deep"), 1);
	assert_int_equal(edl_take_failures(), 0);
}

/* A hand-made input nesting 40 levels: the enclave bridge stops at the limit without touching its memory. */
static void test_hostile_nesting(void **state)
{
	cove_edge_loopback *lb = *state;
	const cove_edge_transport *h = cove_edge_loopback_untrusted(lb);
	const size_t levels = 40;
	size_t at = (sizeof(cove_args_ecall_chain_sum) + 15) / 16 * 16;
	size_t stride = (sizeof(struct Node) + 15) / 16 * 16;
	size_t in_size = at + levels * stride;
	void *in = NULL, *out = NULL;

	assert_int_equal(cove_edge_alloc_untrusted(h, in_size, &in), COVE_EDGE_OK);
	assert_int_equal(cove_edge_alloc_untrusted(h, 64, &out), COVE_EDGE_OK);
	((cove_args_ecall_chain_sum *)in)->_cove_has_head = 1;
	for (size_t i = 0; i < levels; i++) {
		struct Node n = {i, 1, (struct Node *)(uintptr_t)0x1000};
		memcpy((uint8_t *)in + at + i * stride, &n, sizeof(n));
	}
	uint8_t *snap = edl_snapshot_enclave(lb);
	assert_int_equal(cove_edge_call_ecall(cove_edge_loopback_enclave(lb), CHAIN_ECALL_ecall_chain_sum, 0,
					      &chain_ocall_table, in, in_size, out, 64),
			 COVE_EDGE_TOO_DEEP);
	assert_true(edl_enclave_unchanged(lb, snap));
	/* Cut to 32 levels (the last one ending the chain), the same frame is served. */
	struct Node last = {31, 0, NULL};
	memcpy((uint8_t *)in + at + 31 * stride, &last, sizeof(last));
	assert_int_equal(cove_edge_call_ecall(cove_edge_loopback_enclave(lb), CHAIN_ECALL_ecall_chain_sum, 0,
					      &chain_ocall_table, in, at + 32 * stride, out, 64),
			 COVE_EDGE_OK);
	uint64_t sum;
	memcpy(&sum, (uint8_t *)out + COVE_EDGE_OUT_HEADER_SIZE, sizeof(sum));
	assert_int_equal(sum, 31 * 32 / 2);
	assert_true(edl_enclave_unchanged(lb, snap));
	free(snap);
	cove_edge_free_untrusted(h, out);
	cove_edge_free_untrusted(h, in);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_chain_in, setup, teardown),
		cmocka_unit_test_setup_teardown(test_chain_out_and_inout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_nesting, setup, teardown),
	};
	return cmocka_run_group_tests_name("edl_chain", tests, NULL, NULL);
}
