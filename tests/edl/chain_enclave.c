/*
 * Trusted side of the chain.edl tests: a self-referential deep-copy struct
 * whose nesting the bridges must bound (COVE_EDGE_MAX_DEPTH).
 */
#include "chain_t.h"
#include "edl_test.h"

uint64_t ecall_chain_sum(struct Node *head)
{
	uint64_t sum = 0;
	for (const struct Node *n = head; n; n = n->n ? n->next : NULL) {
		ENC_CHECK(cove_edge_is_within_enclave(n, sizeof(*n)));
		sum += n->value;
	}
	return sum;
}

void ecall_chain_make(struct Node *head, size_t depth)
{
	struct Node *n = head;
	for (size_t i = 1; i <= depth; i++) {
		n->value = i;
		if (i == depth)
			break;
		n->n = 1;
		n->next = cove_edge_malloc(sizeof(*n));
		if (!n->next) {
			n->n = 0;
			break;
		}
		n->next->n = 0;
		n->next->next = NULL;
		n = n->next;
	}
}

void ecall_chain_add(struct Node *head, uint64_t delta)
{
	for (struct Node *n = head; n; n = n->n ? n->next : NULL)
		n->value += delta;
}

static void chain_free(struct Node *n)
{
	while (n) {
		struct Node *next = n->n ? n->next : NULL;
		cove_edge_free(n);
		n = next;
	}
}

uint64_t ecall_chain_from_host(size_t depth)
{
	struct Node head = {0, 0, NULL};
	uint64_t sum = 0;
	if (edl_status(ocall_chain_make(&head, depth)) != COVE_EDGE_OK)
		return 0;
	for (const struct Node *n = &head; n; n = n->n ? n->next : NULL) {
		ENC_CHECK(n == &head || cove_edge_is_within_enclave(n, sizeof(*n)));
		sum += n->value;
	}
	chain_free(head.n ? head.next : NULL);
	return sum;
}
