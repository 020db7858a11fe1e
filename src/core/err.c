/*
 * Error codes and detail messages (see include/cove/err.h).
 */
#include <stdio.h>
#include <string.h>

#include "cove/err.h"

const char *cove_err_name(cove_err code)
{
	switch (code) {
	case COVE_OK: return "ok";
	case COVE_ERR_ARG: return "invalid argument";
	case COVE_ERR_PARSE: return "malformed input";
	case COVE_ERR_VERIFY: return "verification failed";
	case COVE_ERR_POLICY: return "policy refused";
	case COVE_ERR_NOMEM: return "out of memory";
	case COVE_ERR_IO: return "I/O error";
	case COVE_ERR_UNAVAILABLE: return "unavailable";
	case COVE_ERR_UNSUPPORTED: return "unsupported";
	case COVE_ERR_CRYPTO: return "crypto library error";
	case COVE_ERR_INTERNAL: return "internal error";
	}
	return "unknown error";
}

cove_err cove_error_vset(cove_error *e, cove_err code, const char *fmt, va_list ap)
{
	if (e) {
		e->code = code;
		vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	}
	return code;
}

cove_err cove_error_set(cove_error *e, cove_err code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	cove_error_vset(e, code, fmt, ap);
	va_end(ap);
	return code;
}

cove_err cove_error_wrap(cove_error *e, cove_err code, const char *fmt, ...)
{
	char prefix[COVE_ERROR_MSG_MAX];
	char old[COVE_ERROR_MSG_MAX];
	va_list ap;

	if (!e)
		return code;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, e->msg, sizeof(old));
	old[sizeof(old) - 1] = '\0';
	e->code = code;
	size_t n = strlen(prefix);
	if (n > sizeof(e->msg) - 3)
		n = sizeof(e->msg) - 3;
	memcpy(e->msg, prefix, n);
	memcpy(e->msg + n, ": ", 2);
	n += 2;
	size_t m = strlen(old);
	if (m > sizeof(e->msg) - 1 - n)
		m = sizeof(e->msg) - 1 - n;
	memcpy(e->msg + n, old, m);
	e->msg[n + m] = '\0';
	return code;
}

void cove_error_clear(cove_error *e)
{
	if (e) {
		e->code = COVE_OK;
		e->msg[0] = '\0';
	}
}
