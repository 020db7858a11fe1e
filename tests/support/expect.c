/*
 * Checks on cove errors for tests (see expect.h), failing through cmocka
 * so the report names the message that was there.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "support/expect.h"

void cove_test_expect_msg(const cove_error *e, const char *want)
{
	if (!strstr(e->msg, want))
		fail_msg("error message \"%s\" does not contain \"%s\"", e->msg, want);
}
