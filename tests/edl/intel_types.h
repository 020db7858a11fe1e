/*
 * The foreign types of Intel's Edger8rSyntax samples.  The sample declares
 * them in SampleEnclave's user_types.h, which is not part of the EDL corpus:
 * a pointer type for [isptr] and a 10-int array type for [isary].
 */
#ifndef COVE_TEST_INTEL_TYPES_H
#define COVE_TEST_INTEL_TYPES_H
typedef void *buffer_t;
typedef int array_t[10];
#endif
