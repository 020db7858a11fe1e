/*
 * The on-disk cache of cove's collateral clients (src/kds, src/pcs): files
 * under a private (0700) directory, replaced atomically (temporary file +
 * rename) so a reader never sees a partial object.  Internal to libcove.
 */
#ifndef COVE_NET_CACHE_H
#define COVE_NET_CACHE_H

#include <stdbool.h>
#include <stddef.h>

#include "cove/bytes.h"
#include "cove/err.h"

/* Create `dir` and its missing parents with mode 0700. */
cove_err cove_cache_mkdirs(const char *dir, cove_error *e);

/* Read `path` (at most `max` bytes); a missing file gives *found = false and COVE_OK. */
cove_err cove_cache_read(const char *path, size_t max, cove_buf *out, bool *found, cove_error *e);

/* Atomically replace `path` (creating its directories 0700) with `len` bytes. */
cove_err cove_cache_write(const char *path, const void *data, size_t len, cove_error *e);

#endif
