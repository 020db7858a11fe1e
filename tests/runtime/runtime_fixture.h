/*
 * What the runtime tests share: a scratch directory with an emulated
 * platform in it, and the test enclave started on that platform.
 */
#ifndef COVE_TEST_RUNTIME_FIXTURE_H
#define COVE_TEST_RUNTIME_FIXTURE_H

#include <stdint.h>

#include "cove/host.h"

/* The platform directory of the fixture (valid between setup and teardown). */
extern char rt_platform_dir[600];

/* Make the scratch directory (tag names it) and the emulated platform; 0 or -1. */
int rt_fixture_setup(const char *tag);
void rt_fixture_teardown(void);
/* The scratch directory itself. */
const char *rt_scratch(void);

/* The signed runtime test enclave, started with COVE_ENCLAVE_FLAG_EMULATED | extra; fails the test otherwise. */
cove_enclave *rt_start(uint32_t extra_flags);

#endif
