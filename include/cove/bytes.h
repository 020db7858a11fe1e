/*
 * cove/bytes.h - byte buffers, bounded cursors, little-endian access and the
 * text encodings (hex, base64, base64url) used by evidence formats.
 *
 * Wire structures are never cast onto buffers: fields are read at explicit
 * offsets with the cove_le*() helpers, or through a cove_cursor that refuses
 * to read past its end.
 */
#ifndef COVE_BYTES_H
#define COVE_BYTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cove/err.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A heap-owned byte buffer.  Release with cove_buf_free(). */
typedef struct cove_buf {
	uint8_t *data;
	size_t len;
} cove_buf;

void cove_buf_free(cove_buf *b);
cove_err cove_buf_set(cove_buf *b, const void *data, size_t len, cove_error *e);
/* Hand `data` (malloc'd, `len` bytes) to `b`, releasing what `b` held; the caller no longer owns it. */
void cove_buf_take(cove_buf *b, void *data, size_t len);
cove_err cove_buf_append(cove_buf *b, const void *data, size_t len, cove_error *e);

/* Little-endian loads and stores at an explicit pointer (no alignment needed). */
static inline uint16_t cove_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (uint16_t)p[1] << 8);
}
static inline uint32_t cove_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline uint64_t cove_le64(const uint8_t *p)
{
	return (uint64_t)cove_le32(p) | (uint64_t)cove_le32(p + 4) << 32;
}
static inline void cove_put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}
static inline void cove_put_le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}
static inline void cove_put_le64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* True when all `len` bytes at `p` are zero. */
bool cove_is_zero(const void *p, size_t len);

/* Constant-time equality of two equal-length byte strings. */
bool cove_equal_ct(const void *a, const void *b, size_t len);

/*
 * A read cursor over untrusted bytes.  Every read checks the remaining length;
 * the first failure latches `err` so a parser can read a run of fields and
 * check once.
 */
typedef struct cove_cursor {
	const uint8_t *p;
	size_t len;
	size_t off;
	bool err;
} cove_cursor;

void cove_cursor_init(cove_cursor *c, const void *data, size_t len);
size_t cove_cursor_remaining(const cove_cursor *c);
uint8_t cove_cursor_u8(cove_cursor *c);
uint16_t cove_cursor_le16(cove_cursor *c);
uint32_t cove_cursor_le32(cove_cursor *c);
uint64_t cove_cursor_le64(cove_cursor *c);
/* Returns a pointer to the next n bytes (inside the buffer) or NULL. */
const uint8_t *cove_cursor_take(cove_cursor *c, size_t n);
bool cove_cursor_skip(cove_cursor *c, size_t n);

/* Hex.  Decoding accepts upper or lower case and ignores surrounding white space. */
char *cove_hex_new(const void *data, size_t len); /* NUL-terminated, free() it */
void cove_hex_write(char *out, const void *data, size_t len); /* out: 2*len+1 */
cove_err cove_hex_decode(const char *text, size_t text_len, cove_buf *out, cove_error *e);
/* Decode exactly `len` bytes of hex into `out`. */
cove_err cove_hex_decode_fixed(const char *text, void *out, size_t len, cove_error *e);

/* Base64 (RFC 4648 section 4) and base64url (section 5); padding optional on decode. */
char *cove_base64_new(const void *data, size_t len);
char *cove_base64url_new(const void *data, size_t len); /* no padding */
cove_err cove_base64_decode(const char *text, size_t text_len, cove_buf *out, cove_error *e);
cove_err cove_base64url_decode(const char *text, size_t text_len, cove_buf *out, cove_error *e);
/*
 * Strict base64 or base64url, as evidence fields take them: either alphabet
 * but one per text, padding only at the end and only to a multiple of four,
 * no white space, zero unused bits (so that no second spelling of the same
 * bytes is accepted).  Errors name the character and its position.
 */
cove_err cove_base64_decode_strict(const char *text, size_t text_len, cove_buf *out, cove_error *e);

/* Files.  Reads refuse files larger than `max` bytes. */
cove_err cove_file_read(const char *path, size_t max, cove_buf *out, cove_error *e);
cove_err cove_file_write(const char *path, const void *data, size_t len, unsigned mode, cove_error *e);
/* Write all `len` bytes to `fd`, across short writes and EINTR; returns 0 or an errno value. */
int cove_write_all(int fd, const void *data, size_t len);

#ifdef __cplusplus
}
#endif
#endif
