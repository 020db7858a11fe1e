/*
 * cove/err.h - error codes and error details shared by every cove module.
 *
 * Every fallible function returns a cove_err and takes an optional
 * `cove_error *` as its last argument.  When the pointer is non-NULL and the
 * call fails, it receives a human-readable sentence saying what failed, where
 * and why.  Passing NULL is always allowed.
 */
#ifndef COVE_ERR_H
#define COVE_ERR_H

#include <stdarg.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum cove_err {
	COVE_OK = 0,
	COVE_ERR_ARG,         /* the caller passed something invalid */
	COVE_ERR_PARSE,       /* untrusted input is malformed */
	COVE_ERR_VERIFY,      /* a signature, chain or binding check failed */
	COVE_ERR_POLICY,      /* authentic, but the policy refused it */
	COVE_ERR_NOMEM,       /* an allocation failed */
	COVE_ERR_IO,          /* a file or device operation failed */
	COVE_ERR_UNAVAILABLE, /* collateral or a device could not be reached */
	COVE_ERR_UNSUPPORTED, /* valid, but not something cove handles */
	COVE_ERR_CRYPTO,      /* the crypto library failed unexpectedly */
	COVE_ERR_INTERNAL,    /* a bug in cove */
} cove_err;

#define COVE_ERROR_MSG_MAX 512

typedef struct cove_error {
	cove_err code;
	char msg[COVE_ERROR_MSG_MAX];
} cove_error;

/* Short stable name of a code ("parse", "verify", ...). */
const char *cove_err_name(cove_err code);

/*
 * Record `code` and a printf-style message into `e` (which may be NULL) and
 * return `code`, so that failures read as `return cove_error_set(e, ...)`.
 */
cove_err cove_error_set(cove_error *e, cove_err code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
cove_err cove_error_vset(cove_error *e, cove_err code, const char *fmt, va_list ap);

/* Prefix the message already in `e` with "what: " (for context on the way up). */
cove_err cove_error_wrap(cove_error *e, cove_err code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Reset `e` to COVE_OK with an empty message. */
void cove_error_clear(cove_error *e);

#ifdef __cplusplus
}
#endif
#endif
