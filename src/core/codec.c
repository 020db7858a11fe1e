/*
 * Text encodings: hex, and base64 / base64url (RFC 4648) through OpenSSL's
 * EVP_EncodeBlock / EVP_DecodeBlock, with the padding and URL alphabet
 * handling those leave to the caller.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "cove/bytes.h"

static const char hexdig[] = "0123456789abcdef";

void cove_hex_write(char *out, const void *data, size_t len)
{
	const uint8_t *p = data;
	for (size_t i = 0; i < len; i++) {
		out[2 * i] = hexdig[p[i] >> 4];
		out[2 * i + 1] = hexdig[p[i] & 15];
	}
	out[2 * len] = '\0';
}

char *cove_hex_new(const void *data, size_t len)
{
	if (len > (SIZE_MAX - 1) / 2)
		return NULL;
	char *s = malloc(2 * len + 1);
	if (s)
		cove_hex_write(s, data, len);
	return s;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static void trim(const char **s, size_t *n)
{
	while (*n && isspace((unsigned char)(*s)[0])) {
		(*s)++;
		(*n)--;
	}
	while (*n && isspace((unsigned char)(*s)[*n - 1]))
		(*n)--;
}

cove_err cove_hex_decode(const char *text, size_t n, cove_buf *out, cove_error *e)
{
	trim(&text, &n);
	if (n >= 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
		text += 2;
		n -= 2;
	}
	if (n % 2)
		return cove_error_set(e, COVE_ERR_PARSE, "hex text has an odd number of digits (%zu)", n);
	uint8_t *p = malloc(n / 2 + 1);
	if (!p)
		return cove_error_set(e, COVE_ERR_NOMEM, "out of memory decoding hex");
	for (size_t i = 0; i < n / 2; i++) {
		int hi = hexval((unsigned char)text[2 * i]), lo = hexval((unsigned char)text[2 * i + 1]);
		if (hi < 0 || lo < 0) {
			free(p);
			return cove_error_set(e, COVE_ERR_PARSE, "invalid hex digit at position %zu",
					      hi < 0 ? 2 * i : 2 * i + 1);
		}
		p[i] = (uint8_t)(hi << 4 | lo);
	}
	cove_buf_free(out);
	out->data = p;
	out->len = n / 2;
	return COVE_OK;
}

cove_err cove_hex_decode_fixed(const char *text, void *out, size_t len, cove_error *e)
{
	cove_buf b = {0};
	cove_err rc = cove_hex_decode(text, strlen(text), &b, e);
	if (rc)
		return rc;
	if (b.len != len) {
		rc = cove_error_set(e, COVE_ERR_PARSE, "expected %zu bytes of hex (%zu digits), got %zu bytes", len,
				    2 * len, b.len);
	} else {
		memcpy(out, b.data, len);
	}
	cove_buf_free(&b);
	return rc;
}

static char *b64_encode(const void *data, size_t len, bool url)
{
	if (len > (size_t)(INT32_MAX / 4 * 3 - 3))
		return NULL;
	size_t cap = 4 * ((len + 2) / 3) + 1;
	char *s = malloc(cap);
	if (!s)
		return NULL;
	int n = EVP_EncodeBlock((unsigned char *)s, data, (int)len);
	if (url) {
		while (n > 0 && s[n - 1] == '=')
			n--;
		s[n] = '\0';
		for (int i = 0; i < n; i++) {
			if (s[i] == '+')
				s[i] = '-';
			else if (s[i] == '/')
				s[i] = '_';
		}
	}
	return s;
}

char *cove_base64_new(const void *data, size_t len)
{
	return b64_encode(data, len, false);
}

char *cove_base64url_new(const void *data, size_t len)
{
	return b64_encode(data, len, true);
}

static cove_err b64_decode(const char *text, size_t n, bool url, cove_buf *out, cove_error *e)
{
	const char *name = url ? "base64url" : "base64";
	trim(&text, &n);
	size_t pad = 0;
	while (n && text[n - 1] == '=' && pad < 2) {
		n--;
		pad++;
	}
	if (n % 4 == 1)
		return cove_error_set(e, COVE_ERR_PARSE, "%s text has an impossible length (%zu characters)", name, n);
	if (n > (size_t)INT32_MAX - 4)
		return cove_error_set(e, COVE_ERR_PARSE, "%s text too long", name);
	size_t full = (n + 3) / 4 * 4;
	char *tmp = malloc(full + 1);
	uint8_t *bin = malloc(full / 4 * 3 + 1);
	cove_err rc = COVE_OK;
	if (!tmp || !bin) {
		rc = cove_error_set(e, COVE_ERR_NOMEM, "out of memory decoding %s", name);
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		char c = text[i];
		if (url && (c == '+' || c == '/')) {
			rc = cove_error_set(e, COVE_ERR_PARSE, "invalid %s character '%c' at position %zu", name, c, i);
			goto out;
		}
		if (!url && (c == '-' || c == '_')) {
			rc = cove_error_set(e, COVE_ERR_PARSE, "invalid %s character '%c' at position %zu", name, c, i);
			goto out;
		}
		tmp[i] = c == '-' ? '+' : c == '_' ? '/' : c;
		if (!(isalnum((unsigned char)c) || tmp[i] == '+' || tmp[i] == '/')) {
			rc = cove_error_set(e, COVE_ERR_PARSE, "invalid %s character 0x%02x at position %zu", name,
					    (unsigned char)c, i);
			goto out;
		}
	}
	for (size_t i = n; i < full; i++)
		tmp[i] = '=';
	tmp[full] = '\0';
	int got = full ? EVP_DecodeBlock(bin, (unsigned char *)tmp, (int)full) : 0;
	if (got < 0) {
		rc = cove_error_set(e, COVE_ERR_PARSE, "invalid %s text", name);
		goto out;
	}
	size_t len = (size_t)got - (full - n); /* EVP_DecodeBlock counts padding as zero bytes */
	cove_buf_free(out);
	out->data = bin;
	out->len = len;
	bin = NULL;
out:
	free(tmp);
	free(bin);
	return rc;
}

cove_err cove_base64_decode(const char *text, size_t n, cove_buf *out, cove_error *e)
{
	return b64_decode(text, n, false, out, e);
}

cove_err cove_base64url_decode(const char *text, size_t n, cove_buf *out, cove_error *e)
{
	return b64_decode(text, n, true, out, e);
}
