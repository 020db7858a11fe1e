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
	cove_buf_take(out, p, n / 2);
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

/*
 * Each base64 or base64url character (RFC 4648 sections 4 and 5) as the
 * standard-alphabet character EVP_DecodeBlock takes; 0 for anything else.
 */
static const char b64_std[256] = {
	['A'] = 'A', ['B'] = 'B', ['C'] = 'C', ['D'] = 'D', ['E'] = 'E', ['F'] = 'F', ['G'] = 'G', ['H'] = 'H',
	['I'] = 'I', ['J'] = 'J', ['K'] = 'K', ['L'] = 'L', ['M'] = 'M', ['N'] = 'N', ['O'] = 'O', ['P'] = 'P',
	['Q'] = 'Q', ['R'] = 'R', ['S'] = 'S', ['T'] = 'T', ['U'] = 'U', ['V'] = 'V', ['W'] = 'W', ['X'] = 'X',
	['Y'] = 'Y', ['Z'] = 'Z', ['a'] = 'a', ['b'] = 'b', ['c'] = 'c', ['d'] = 'd', ['e'] = 'e', ['f'] = 'f',
	['g'] = 'g', ['h'] = 'h', ['i'] = 'i', ['j'] = 'j', ['k'] = 'k', ['l'] = 'l', ['m'] = 'm', ['n'] = 'n',
	['o'] = 'o', ['p'] = 'p', ['q'] = 'q', ['r'] = 'r', ['s'] = 's', ['t'] = 't', ['u'] = 'u', ['v'] = 'v',
	['w'] = 'w', ['x'] = 'x', ['y'] = 'y', ['z'] = 'z', ['0'] = '0', ['1'] = '1', ['2'] = '2', ['3'] = '3',
	['4'] = '4', ['5'] = '5', ['6'] = '6', ['7'] = '7', ['8'] = '8', ['9'] = '9', ['+'] = '+', ['/'] = '/',
	['-'] = '+', ['_'] = '/'
};

/*
 * The text (n characters, at most two '=' already removed) in the standard
 * alphabet, padded to a multiple of four, decoded by EVP_DecodeBlock.  The
 * caller has checked every character and the length (n % 4 != 1).
 */
static cove_err b64_decode_checked(const char *text, size_t n, const char *name, cove_buf *out, cove_error *e)
{
	size_t full = (n + 3) / 4 * 4;
	unsigned char *tmp = malloc(full + 1);
	uint8_t *bin = malloc(full / 4 * 3 + 1);
	cove_err rc = COVE_OK;

	if (!tmp || !bin) {
		rc = cove_error_set(e, COVE_ERR_NOMEM, "out of memory decoding %s", name);
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		tmp[i] = (unsigned char)b64_std[(unsigned char)text[i]];
	for (size_t i = n; i < full; i++)
		tmp[i] = '=';
	tmp[full] = '\0';
	int got = full ? EVP_DecodeBlock(bin, tmp, (int)full) : 0;
	if (got < 0) {
		rc = cove_error_set(e, COVE_ERR_PARSE, "invalid %s text", name);
		goto out;
	}
	cove_buf_take(out, bin, (size_t)got - (full - n)); /* EVP_DecodeBlock counts padding as zero bytes */
	bin = NULL;
out:
	free(tmp);
	free(bin);
	return rc;
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
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)text[i];
		bool other = url ? (c == '+' || c == '/') : (c == '-' || c == '_');
		if (other || !b64_std[c]) {
			if (c >= 0x21 && c < 0x7f)
				return cove_error_set(e, COVE_ERR_PARSE, "invalid %s character '%c' at position %zu", name,
						      c, i);
			return cove_error_set(e, COVE_ERR_PARSE, "invalid %s character 0x%02x at position %zu", name, c, i);
		}
	}
	return b64_decode_checked(text, n, name, out, e);
}

cove_err cove_base64_decode_strict(const char *s, size_t n, cove_buf *out, cove_error *e)
{
	bool url = false, std = false;
	size_t body = n;
	while (body && s[body - 1] == '=')
		body--;
	size_t pad = n - body;
	for (size_t i = 0; i < body; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!b64_std[c]) {
			if (c == '=')
				return cove_error_set(e, COVE_ERR_PARSE, "padding '=' inside the text at position %zu", i);
			if (c >= 0x21 && c < 0x7f)
				return cove_error_set(e, COVE_ERR_PARSE, "invalid base64url character '%c' at position %zu", c,
						      i);
			return cove_error_set(e, COVE_ERR_PARSE, "invalid base64url character 0x%02x at position %zu", c, i);
		}
		url |= c == '-' || c == '_';
		std |= c == '+' || c == '/';
	}
	if (url && std)
		return cove_error_set(e, COVE_ERR_PARSE, "mixes the base64url ('-', '_') and base64 ('+', '/') alphabets");
	if (body % 4 == 1)
		return cove_error_set(e, COVE_ERR_PARSE, "impossible base64url length (%zu characters)", body);
	if (pad && (pad > 2 || n % 4 != 0))
		return cove_error_set(e, COVE_ERR_PARSE, "wrong base64 padding (%zu '=' after %zu characters)", pad, body);
	if (body > (size_t)INT32_MAX - 4)
		return cove_error_set(e, COVE_ERR_PARSE, "base64 text too long");
	if (body % 4) {
		/* The last character carries 2 (xx==) or 4 (xxx=) unused bits, which must be zero. */
		char last = b64_std[(unsigned char)s[body - 1]];
		int v = last >= 'A' && last <= 'Z'   ? last - 'A'
			: last >= 'a' && last <= 'z' ? last - 'a' + 26
			: last >= '0' && last <= '9' ? last - '0' + 52
			: last == '+'                ? 62
						     : 63;
		if (v & (body % 4 == 2 ? 0x0f : 0x03))
			return cove_error_set(e, COVE_ERR_PARSE, "non-zero unused bits in the last base64url character '%c'",
					      s[body - 1]);
	}
	return b64_decode_checked(s, body, std ? "base64" : "base64url", out, e);
}

cove_err cove_base64_decode(const char *text, size_t n, cove_buf *out, cove_error *e)
{
	return b64_decode(text, n, false, out, e);
}

cove_err cove_base64url_decode(const char *text, size_t n, cove_buf *out, cove_error *e)
{
	return b64_decode(text, n, true, out, e);
}
