/*
 * Scratch directories for tests: a fresh private directory under /tmp, its
 * removal with everything in it, and the file facts tests check in them.
 */
#ifndef COVE_TEST_SCRATCH_H
#define COVE_TEST_SCRATCH_H

#include <stddef.h>

/* Create /tmp/cove-test-<tag>-XXXXXX (mode 0700) and write its path to out; 0, or -1 on failure. */
int cove_test_scratch_make(char *out, size_t cap, const char *tag);

/* Remove `path` and everything below it, depth first, never following symbolic links. */
void cove_test_scratch_remove(const char *path);

/* Entries in directory `dir` other than . and ..; -1 when it cannot be read. */
long cove_test_scratch_entries(const char *dir);

/* The permission bits (mode & 07777) of `path`, or -1 when it cannot be stat'ed. */
int cove_test_file_mode(const char *path);

#endif
