/*
 * RFC 8785 JSON Canonicalization Scheme over jansson values (cove/jcs.h).
 *
 * Strings: UTF-8 as is, except '"' and '\\', the five short escapes
 * \b \f \n \r \t, and other controls below 0x20 as \u00xx with lowercase hex
 * (3.2.2.2).  Numbers: integers in decimal; other numbers in the shortest
 * form that reads back to the same double, laid out as ECMAScript's
 * Number.prototype.toString does (7.1.12.1 of ECMA-262: plain digits for
 * exponents -7 < n <= 21, otherwise d.ddde+n).  Object names sorted by UTF-16
 * code units (3.2.3), which differs from UTF-8 byte order only for
 * characters above U+FFFF against U+E000..U+FFFF.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cove/jcs.h"

#define MAX_DEPTH 64

typedef struct sb {
	char *p;
	size_t len, cap;
	bool oom;
} sb;

static void put(sb *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		char *np;
		while (cap < b->len + n + 1)
			cap *= 2;
		np = realloc(b->p, cap);
		if (!np) {
			b->oom = true;
			return;
		}
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void puts_(sb *b, const char *s)
{
	put(b, s, strlen(s));
}

/* Decode one UTF-8 sequence (strict: no overlongs, no surrogates, <= U+10FFFF); 0 on error. */
static size_t utf8_next(const unsigned char *s, size_t n, uint32_t *cp)
{
	if (n == 0)
		return 0;
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xE0) == 0xC0 && n >= 2 && (s[1] & 0xC0) == 0x80) {
		*cp = ((uint32_t)(s[0] & 0x1F) << 6) | (s[1] & 0x3F);
		return *cp >= 0x80 ? 2 : 0;
	}
	if ((s[0] & 0xF0) == 0xE0 && n >= 3 && (s[1] & 0xC0) == 0x80 && (s[2] & 0xC0) == 0x80) {
		*cp = ((uint32_t)(s[0] & 0x0F) << 12) | ((uint32_t)(s[1] & 0x3F) << 6) | (s[2] & 0x3F);
		return *cp >= 0x800 && (*cp < 0xD800 || *cp > 0xDFFF) ? 3 : 0;
	}
	if ((s[0] & 0xF8) == 0xF0 && n >= 4 && (s[1] & 0xC0) == 0x80 && (s[2] & 0xC0) == 0x80 &&
	    (s[3] & 0xC0) == 0x80) {
		*cp = ((uint32_t)(s[0] & 0x07) << 18) | ((uint32_t)(s[1] & 0x3F) << 12) | ((uint32_t)(s[2] & 0x3F) << 6) |
		      (s[3] & 0x3F);
		return *cp >= 0x10000 && *cp <= 0x10FFFF ? 4 : 0;
	}
	return 0;
}

static bool put_string(sb *b, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;

	put(b, "\"", 1);
	while (i < n) {
		uint32_t cp;
		size_t k = utf8_next(u + i, n - i, &cp);
		if (!k)
			return false;
		if (cp == '"')
			puts_(b, "\\\"");
		else if (cp == '\\')
			puts_(b, "\\\\");
		else if (cp == '\b')
			puts_(b, "\\b");
		else if (cp == '\f')
			puts_(b, "\\f");
		else if (cp == '\n')
			puts_(b, "\\n");
		else if (cp == '\r')
			puts_(b, "\\r");
		else if (cp == '\t')
			puts_(b, "\\t");
		else if (cp < 0x20) {
			char esc[8];
			snprintf(esc, sizeof(esc), "\\u%04x", (unsigned)cp);
			puts_(b, esc);
		} else
			put(b, s + i, k);
		i += k;
	}
	put(b, "\"", 1);
	return true;
}

/* ECMAScript Number::toString for a finite double. */
static void put_number(sb *b, double d)
{
	char digits[32], out[48];
	int prec, exp10, nd;
	char *e;

	if (d == 0) {
		puts_(b, "0"); /* -0 too (7.1.12.1 step 2) */
		return;
	}
	/* Shortest precision that round-trips. */
	for (prec = 1; prec <= 17; prec++) {
		snprintf(digits, sizeof(digits), "%.*e", prec - 1, d);
		if (strtod(digits, NULL) == d)
			break;
	}
	/* digits = [-]D.DDDDe[+-]XX: split into the digit string and the exponent. */
	{
		char mant[32];
		size_t m = 0;
		const char *p = digits;
		bool neg = *p == '-';
		if (neg)
			p++;
		for (; *p && *p != 'e'; p++)
			if (*p != '.')
				mant[m++] = *p;
		mant[m] = '\0';
		exp10 = (int)strtol(p + 1, &e, 10);
		while (m > 1 && mant[m - 1] == '0')
			mant[--m] = '\0';
		nd = (int)m;
		/* n = exp10 + 1: the position of the decimal point, as in ECMA-262. */
		int n = exp10 + 1;
		size_t o = 0;
		if (neg)
			out[o++] = '-';
		if (nd <= n && n <= 21) {
			memcpy(out + o, mant, (size_t)nd);
			o += (size_t)nd;
			for (int i = 0; i < n - nd; i++)
				out[o++] = '0';
		} else if (0 < n && n <= 21) {
			memcpy(out + o, mant, (size_t)n);
			o += (size_t)n;
			out[o++] = '.';
			memcpy(out + o, mant + n, (size_t)(nd - n));
			o += (size_t)(nd - n);
		} else if (-6 < n && n <= 0) {
			out[o++] = '0';
			out[o++] = '.';
			for (int i = 0; i < -n; i++)
				out[o++] = '0';
			memcpy(out + o, mant, (size_t)nd);
			o += (size_t)nd;
		} else {
			out[o++] = mant[0];
			if (nd > 1) {
				out[o++] = '.';
				memcpy(out + o, mant + 1, (size_t)(nd - 1));
				o += (size_t)(nd - 1);
			}
			o += (size_t)snprintf(out + o, sizeof(out) - o, "e%c%d", n - 1 >= 0 ? '+' : '-', abs(n - 1));
		}
		out[o] = '\0';
	}
	puts_(b, out);
}

/* Compare two UTF-8 names by UTF-16 code units. */
static int cmp_utf16(const char *a, const char *b)
{
	const unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;
	size_t nx = strlen(a), ny = strlen(b), i = 0, j = 0;
	uint16_t pend_x = 0, pend_y = 0;

	for (;;) {
		uint16_t ux, uy;
		uint32_t cp;
		size_t k;
		if (pend_x) {
			ux = pend_x;
			pend_x = 0;
		} else if (i < nx && (k = utf8_next(x + i, nx - i, &cp))) {
			i += k;
			if (cp >= 0x10000) {
				ux = (uint16_t)(0xD800 + ((cp - 0x10000) >> 10));
				pend_x = (uint16_t)(0xDC00 + ((cp - 0x10000) & 0x3FF));
			} else
				ux = (uint16_t)cp;
		} else
			return (i < nx || pend_y || j < ny) ? (i < nx ? 1 : -1) : 0;
		if (pend_y) {
			uy = pend_y;
			pend_y = 0;
		} else if (j < ny && (k = utf8_next(y + j, ny - j, &cp))) {
			j += k;
			if (cp >= 0x10000) {
				uy = (uint16_t)(0xD800 + ((cp - 0x10000) >> 10));
				pend_y = (uint16_t)(0xDC00 + ((cp - 0x10000) & 0x3FF));
			} else
				uy = (uint16_t)cp;
		} else
			return 1;
		if (ux != uy)
			return ux < uy ? -1 : 1;
	}
}

static int cmp_keys(const void *a, const void *b)
{
	return cmp_utf16(*(const char *const *)a, *(const char *const *)b);
}

static cove_err emit(sb *b, const json_t *v, unsigned depth, cove_error *e)
{
	if (depth > MAX_DEPTH)
		return cove_error_set(e, COVE_ERR_ARG, "JCS: nesting deeper than %d", MAX_DEPTH);
	switch (json_typeof(v)) {
	case JSON_NULL: puts_(b, "null"); return COVE_OK;
	case JSON_TRUE: puts_(b, "true"); return COVE_OK;
	case JSON_FALSE: puts_(b, "false"); return COVE_OK;
	case JSON_INTEGER: {
		json_int_t i = json_integer_value(v);
		char num[32];
		/* Beyond 2^53 an ECMAScript number is a double: canonicalise through it. */
		if (i > ((json_int_t)1 << 53) || i < -((json_int_t)1 << 53)) {
			put_number(b, (double)i);
			return COVE_OK;
		}
		snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, i);
		puts_(b, num);
		return COVE_OK;
	}
	case JSON_REAL: put_number(b, json_real_value(v)); return COVE_OK;
	case JSON_STRING:
		if (!put_string(b, json_string_value(v), json_string_length(v)))
			return cove_error_set(e, COVE_ERR_PARSE, "JCS: a string is not valid UTF-8");
		return COVE_OK;
	case JSON_ARRAY: {
		put(b, "[", 1);
		for (size_t i = 0; i < json_array_size(v); i++) {
			cove_err rc;
			if (i)
				put(b, ",", 1);
			if ((rc = emit(b, json_array_get(v, i), depth + 1, e)))
				return rc;
		}
		put(b, "]", 1);
		return COVE_OK;
	}
	case JSON_OBJECT: {
		size_t n = json_object_size(v), k = 0;
		const char **keys = n ? malloc(n * sizeof(*keys)) : NULL;
		const char *key;
		json_t *val;
		cove_err rc = COVE_OK;
		if (n && !keys)
			return cove_error_set(e, COVE_ERR_NOMEM, "JCS: out of memory");
		json_object_foreach((json_t *)v, key, val) keys[k++] = key;
		if (n)
			qsort(keys, n, sizeof(*keys), cmp_keys);
		put(b, "{", 1);
		for (size_t i = 0; i < n && !rc; i++) {
			if (i)
				put(b, ",", 1);
			if (!put_string(b, keys[i], strlen(keys[i])))
				rc = cove_error_set(e, COVE_ERR_PARSE, "JCS: a member name is not valid UTF-8");
			else {
				put(b, ":", 1);
				rc = emit(b, json_object_get(v, keys[i]), depth + 1, e);
			}
		}
		put(b, "}", 1);
		free(keys);
		return rc;
	}
	}
	return cove_error_set(e, COVE_ERR_ARG, "JCS: unknown JSON type");
}

cove_err cove_jcs_serialize(const json_t *v, char **out, size_t *len, cove_error *e)
{
	sb b = {0};
	cove_err rc;

	if (!v || !out)
		return cove_error_set(e, COVE_ERR_ARG, "JCS: no value or output");
	*out = NULL;
	if (len)
		*len = 0;
	rc = emit(&b, v, 0, e);
	if (!rc && b.oom)
		rc = cove_error_set(e, COVE_ERR_NOMEM, "JCS: out of memory");
	if (!rc && !b.p)
		put(&b, "", 0);
	if (rc || b.oom) {
		free(b.p);
		return rc ? rc : cove_error_set(e, COVE_ERR_NOMEM, "JCS: out of memory");
	}
	*out = b.p;
	if (len)
		*len = b.len;
	return COVE_OK;
}
