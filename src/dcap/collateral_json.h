/*
 * Strict readers for the JSON of Intel's DCAP collateral (TCB info, QE
 * identity, collateral bundles), shared by collateral.c, tcb_info.c and
 * qe_identity.c.  Every failure is COVE_ERR_PARSE with a message that
 * starts with the JSON path of the offending value, e.g.
 * "tcbInfo.tcbLevels[3].tcb.sgxtcbcomponents[2].svn: ...".  Unknown keys
 * are never an error (Intel adds fields); known keys with the wrong type,
 * length or value always are.  Internal to libcove.
 */
#ifndef COVE_DCAP_COLLATERAL_JSON_H
#define COVE_DCAP_COLLATERAL_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "cove/dcap_collateral.h"

/* Room for any path these readers build. */
#define COVE_DJ_PATH_MAX 192

/* "parent.key" and "parent.key[i]" into out[COVE_DJ_PATH_MAX]. */
void cove_dj_path(char *out, const char *parent, const char *key);
void cove_dj_path_index(char *out, const char *parent, const char *key, size_t i);

/* Parse `len` bytes as one JSON object (duplicate members refused); `what` names it in messages. */
cove_err cove_dj_load_object(const char *text, size_t len, const char *what, json_t **out, cove_error *e);

/*
 * Member `key` of object `obj` (at `path`) of the given jansson type
 * (JSON_OBJECT, JSON_ARRAY, JSON_STRING); *out is borrowed, NULL when an
 * optional member is absent.  JSON null is a wrong type like any other.
 */
cove_err cove_dj_member(json_t *obj, const char *path, const char *key, json_type type, bool required, json_t **out,
			cove_error *e);

/* An integer member in [0, max]; reals (3.0) and booleans are refused. */
cove_err cove_dj_uint(json_t *obj, const char *path, const char *key, uint64_t max, uint64_t *out, cove_error *e);

/* A string member of exactly 2*n hex digits (either case), decoded into out[n] in text order. */
cove_err cove_dj_hex(json_t *obj, const char *path, const char *key, uint8_t *out, size_t n, cove_error *e);

/* An RFC 3339 date-time string member. */
cove_err cove_dj_time(json_t *obj, const char *path, const char *key, int64_t *out, cove_error *e);

/* A tcbStatus string member: one of the seven statuses Intel's collateral uses. */
cove_err cove_dj_status(json_t *obj, const char *path, const char *key, cove_tcb_status *out, cove_error *e);

/* Optional "advisoryIDs": an array of non-empty strings; *out is a new reference (an empty array when absent). */
cove_err cove_dj_advisories(json_t *level, const char *path, json_t **out, cove_error *e);

/*
 * tcbLevels of a QE identity or a TDX module identity: a non-empty array of
 * {tcb: {isvsvn}, tcbDate, tcbStatus, advisoryIDs?}.  On failure nothing is allocated.
 */
cove_err cove_dj_isv_levels(json_t *obj, const char *path, cove_dcap_isv_level **out, size_t *n, cove_error *e);
void cove_dj_isv_levels_free(cove_dcap_isv_level *levels, size_t n);

#endif
