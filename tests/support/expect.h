/*
 * Checks on cove errors shared by the tests: that an error says what it
 * should, reported with the whole message when it does not.
 */
#ifndef COVE_TEST_EXPECT_H
#define COVE_TEST_EXPECT_H

#include "cove/err.h"

/* The message of `e` contains `want`; otherwise the running cmocka test fails, showing both. */
void cove_test_expect_msg(const cove_error *e, const char *want);

#endif
