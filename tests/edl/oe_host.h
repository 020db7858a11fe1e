/*
 * Host side of the Open Enclave oeedger8r round trips: one loopback per EDL
 * file, and the runners each cmocka test calls (oe_host_*.c).
 */
#ifndef COVE_TEST_OE_HOST_H
#define COVE_TEST_OE_HOST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "edl_test.h"

typedef struct oe_fixture {
	cove_edge_loopback *aliasing, *array, *basic, *deepcopy, *enums, *errnos, *foreign, *pointer, *security,
		*string, *structs, *switchless;
} oe_fixture;

/* A call that must cross, after which no check on either side may have failed. */
#define CALL_OK(expr)                                         \
	do {                                                  \
		assert_int_equal((expr), COVE_EDGE_OK);       \
		assert_int_equal(edl_take_failures(), 0);     \
	} while (0)

/* Checks made by the host's own code (callers and ocall callees) count as failures too. */
#define HOST_DONE() assert_int_equal(edl_take_failures(), 0)

void oe_run_basic(oe_fixture *f);
void oe_run_enum_struct(oe_fixture *f);
void oe_run_foreign(oe_fixture *f);
void oe_run_errno_switchless(oe_fixture *f);
void oe_run_aliasing(oe_fixture *f);
void oe_run_security(oe_fixture *f);
void oe_run_array(oe_fixture *f);
void oe_run_pointer(oe_fixture *f);
void oe_run_string(oe_fixture *f);
void oe_run_deepcopy(oe_fixture *f);

#endif
