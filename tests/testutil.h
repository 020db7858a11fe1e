/*
 * Helpers for cove's cmocka tests: locating shared/ sample evidence (tests
 * skip with a visible message when it is absent) and small conveniences.
 */
#ifndef COVE_TESTUTIL_H
#define COVE_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "cove/bytes.h"

/* Pinned verification time for every SNP sample: shared/vectors/snp/MANIFEST.md. */
#define COVE_TEST_SNP_TIME 1751328000 /* 2025-07-01T00:00:00Z */

/* Absolute path of shared/<rel>, or NULL (after printing a SKIP line) when shared/ is absent. */
const char *cove_test_shared_path(const char *rel);

/* Read shared/<rel> into out; calls cmocka's skip() when shared/ is absent. */
void cove_test_read_shared(const char *rel, cove_buf *out);

/* Read shared/<rel> as binary-or-hex evidence (hex text is decoded). */
void cove_test_read_shared_evidence(const char *rel, cove_buf *out);

#endif
