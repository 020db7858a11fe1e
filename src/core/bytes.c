/*
 * Byte buffers, bounded cursors and files (see include/cove/bytes.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cove/bytes.h"

void cove_buf_free(cove_buf *b)
{
	if (!b)
		return;
	free(b->data);
	b->data = NULL;
	b->len = 0;
}

cove_err cove_buf_set(cove_buf *b, const void *data, size_t len, cove_error *e)
{
	uint8_t *p = malloc(len ? len : 1);
	if (!p)
		return cove_error_set(e, COVE_ERR_NOMEM, "out of memory copying %zu bytes", len);
	if (len)
		memcpy(p, data, len);
	cove_buf_take(b, p, len);
	return COVE_OK;
}

void cove_buf_take(cove_buf *b, void *data, size_t len)
{
	free(b->data);
	b->data = data;
	b->len = len;
}

cove_err cove_buf_append(cove_buf *b, const void *data, size_t len, cove_error *e)
{
	if (len > SIZE_MAX - b->len - 1)
		return cove_error_set(e, COVE_ERR_NOMEM, "buffer size overflow");
	uint8_t *p = realloc(b->data, b->len + len + 1);
	if (!p)
		return cove_error_set(e, COVE_ERR_NOMEM, "out of memory growing a buffer to %zu bytes", b->len + len);
	if (len)
		memcpy(p + b->len, data, len);
	b->data = p;
	b->len += len;
	return COVE_OK;
}

bool cove_is_zero(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint8_t acc = 0;
	for (size_t i = 0; i < len; i++)
		acc |= b[i];
	return acc == 0;
}

bool cove_equal_ct(const void *a, const void *b, size_t len)
{
	const volatile uint8_t *x = a, *y = b;
	uint8_t acc = 0;
	for (size_t i = 0; i < len; i++)
		acc |= x[i] ^ y[i];
	return acc == 0;
}

void cove_cursor_init(cove_cursor *c, const void *data, size_t len)
{
	c->p = data;
	c->len = len;
	c->off = 0;
	c->err = false;
}

size_t cove_cursor_remaining(const cove_cursor *c)
{
	return c->len - c->off;
}

const uint8_t *cove_cursor_take(cove_cursor *c, size_t n)
{
	if (c->err || n > c->len - c->off) {
		c->err = true;
		return NULL;
	}
	const uint8_t *p = c->p + c->off;
	c->off += n;
	return p;
}

bool cove_cursor_skip(cove_cursor *c, size_t n)
{
	return cove_cursor_take(c, n) != NULL;
}

uint8_t cove_cursor_u8(cove_cursor *c)
{
	const uint8_t *p = cove_cursor_take(c, 1);
	return p ? p[0] : 0;
}

uint16_t cove_cursor_le16(cove_cursor *c)
{
	const uint8_t *p = cove_cursor_take(c, 2);
	return p ? cove_le16(p) : 0;
}

uint32_t cove_cursor_le32(cove_cursor *c)
{
	const uint8_t *p = cove_cursor_take(c, 4);
	return p ? cove_le32(p) : 0;
}

uint64_t cove_cursor_le64(cove_cursor *c)
{
	const uint8_t *p = cove_cursor_take(c, 8);
	return p ? cove_le64(p) : 0;
}

cove_err cove_file_read(const char *path, size_t max, cove_buf *out, cove_error *e)
{
	cove_err rc = COVE_OK;
	struct stat st;
	uint8_t *data = NULL;
	size_t len = 0, cap;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return cove_error_set(e, COVE_ERR_IO, "cannot open %s: %s", path, strerror(errno));
	/* Size the buffer from fstat for regular files; grow geometrically for pipes and devices. */
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (uint64_t)st.st_size > max) {
		rc = cove_error_set(e, COVE_ERR_PARSE, "%s is larger than the %zu bytes accepted", path, max);
		goto out;
	}
	cap = (S_ISREG(st.st_mode) && st.st_size > 0 ? (size_t)st.st_size : 65536) + 1;
	if (!(data = malloc(cap))) {
		rc = cove_error_set(e, COVE_ERR_NOMEM, "out of memory reading %s", path);
		goto out;
	}
	for (;;) {
		if (len == cap) {
			size_t ncap = cap > max / 2 ? max + 1 : cap * 2;
			uint8_t *n = ncap > cap ? realloc(data, ncap) : NULL;
			if (!n) {
				rc = ncap > cap ? cove_error_set(e, COVE_ERR_NOMEM, "out of memory reading %s", path)
						: cove_error_set(e, COVE_ERR_PARSE, "%s is larger than the %zu bytes accepted",
								 path, max);
				goto out;
			}
			data = n;
			cap = ncap;
		}
		ssize_t got = read(fd, data + len, cap - len);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			rc = cove_error_set(e, COVE_ERR_IO, "cannot read %s: %s", path, strerror(errno));
			goto out;
		}
		if (got == 0)
			break;
		len += (size_t)got;
		if (len > max) {
			rc = cove_error_set(e, COVE_ERR_PARSE, "%s is larger than the %zu bytes accepted", path, max);
			goto out;
		}
	}
	cove_buf_take(out, data, len);
	data = NULL;
out:
	free(data);
	close(fd);
	return rc;
}

int cove_write_all(int fd, const void *data, size_t len)
{
	const uint8_t *p = data;
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

cove_err cove_file_write(const char *path, const void *data, size_t len, unsigned mode, cove_error *e)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, (mode_t)mode);
	if (fd < 0)
		return cove_error_set(e, COVE_ERR_IO, "cannot create %s: %s", path, strerror(errno));
	/*
	 * An existing file keeps its mode through O_TRUNC: take away whatever the
	 * requested mode does not grant (never add) before writing a byte, so a key
	 * written over a world-readable file is not world-readable.
	 */
	struct stat st;
	int err = 0;
	if (fstat(fd, &st) != 0)
		err = errno;
	else if ((st.st_mode & 07777 & ~(mode_t)mode) && fchmod(fd, st.st_mode & 07777 & (mode_t)mode) != 0)
		err = errno;
	if (!err)
		err = cove_write_all(fd, data, len);
	if (close(fd) != 0 && !err)
		err = errno;
	if (err)
		return cove_error_set(e, COVE_ERR_IO, "cannot write %s: %s", path, strerror(err));
	return COVE_OK;
}
