/* The runtime tests' fixture (runtime_fixture.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include <cmocka.h>

#include "cove/platform.h"
#include "runtime_fixture.h"
#include "support/scratch.h"

char rt_platform_dir[600];
static char scratch[512];

int rt_fixture_setup(const char *tag)
{
	cove_platform *p = NULL;
	cove_error e = {0};

	if (cove_test_scratch_make(scratch, sizeof(scratch), tag))
		return -1;
	snprintf(rt_platform_dir, sizeof(rt_platform_dir), "%s/platform", scratch);
	if (cove_platform_open(rt_platform_dir, true, &p, &e)) {
		fprintf(stderr, "platform: %s\n", e.msg);
		return -1;
	}
	cove_platform_free(p);
	return 0;
}

void rt_fixture_teardown(void)
{
	cove_test_scratch_remove(scratch);
}

const char *rt_scratch(void)
{
	return scratch;
}

cove_enclave *rt_start(uint32_t extra_flags)
{
	cove_enclave_create_opts o = {.platform_dir = rt_platform_dir};
	cove_enclave *enc = NULL;
	cove_error e = {0};

	if (cove_enclave_create(COVE_TEST_RUNTIME_ENCLAVE, COVE_ENCLAVE_FLAG_EMULATED | extra_flags, &o, &enc, &e))
		fail_msg("cove_enclave_create: %s", e.msg);
	return enc;
}
