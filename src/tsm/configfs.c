/*
 * configfs-tsm report requests (see tsm/configfs.h), used by the SEV-SNP
 * guest code (src/snp/guest.c) and the TDX guest code (src/tdx/guest.c).
 *
 * Follows linux Documentation/ABI/testing/configfs-tsm-report and
 * drivers/virt/coco/guest/report.c: an entry directory per requester with
 * inblob / privlevel / outblob / auxblob / provider / generation attributes.
 * A read of outblob makes the provider generate the report from what was
 * written before; `generation` counts the writes, which is how a requester
 * notices that someone else wrote to the same entry in between.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "cove/bytes.h"
#include "cove/crypto.h"
#include "tsm/configfs.h"

void cove_tsm_result_free(cove_tsm_result *r)
{
	if (!r)
		return;
	cove_buf_free(&r->outblob);
	cove_buf_free(&r->auxblob);
}

cove_err cove_tsm_data_parse(const char *hex, uint8_t out[64], const char *field, cove_error *e)
{
	cove_buf b = {0};
	cove_err rc = cove_hex_decode(hex, strlen(hex), &b, e);
	if (rc)
		return cove_error_wrap(e, rc, "report data");
	if (b.len > 64) {
		size_t n = b.len;
		cove_buf_free(&b);
		return cove_error_set(e, COVE_ERR_ARG, "report data is %zu bytes; at most 64 fit in %s", n, field);
	}
	memset(out, 0, 64);
	if (b.len)
		memcpy(out, b.data, b.len);
	cove_buf_free(&b);
	return COVE_OK;
}

/* Read a whole attribute (at most `max` bytes); a missing file sets *absent when absent != NULL. */
static cove_err attr_read(const char *path, size_t max, cove_buf *out, bool *absent, cove_error *e)
{
	cove_err rc = COVE_OK;
	cove_buf b = {0};
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT && absent) {
			*absent = true;
			return COVE_OK;
		}
		return cove_error_set(e, COVE_ERR_UNAVAILABLE, "cannot open %s: %s", path, strerror(errno));
	}
	if (absent)
		*absent = false;
	for (;;) {
		uint8_t chunk[4096];
		ssize_t n = read(fd, chunk, sizeof(chunk));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			rc = cove_error_set(e, COVE_ERR_UNAVAILABLE, "cannot read %s: %s", path, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		if (b.len + (size_t)n > max) {
			rc = cove_error_set(e, COVE_ERR_PARSE, "%s holds more than the %zu bytes expected", path, max);
			goto out;
		}
		if ((rc = cove_buf_append(&b, chunk, (size_t)n, e)))
			goto out;
	}
	cove_buf_free(out);
	*out = b;
	b.data = NULL;
out:
	cove_buf_free(&b);
	close(fd);
	return rc;
}

/* Read a one-line text attribute without its trailing newline. */
static cove_err attr_read_text(const char *path, char *out, size_t cap, bool *absent, cove_error *e)
{
	cove_buf b = {0};
	cove_err rc = attr_read(path, cap - 1, &b, absent, e);
	if (rc || (absent && *absent))
		goto out;
	size_t n = b.len;
	while (n && (b.data[n - 1] == '\n' || b.data[n - 1] == ' '))
		n--;
	if (memchr(b.data, '\0', n)) {
		rc = cove_error_set(e, COVE_ERR_PARSE, "%s contains a NUL byte", path);
		goto out;
	}
	if (n)
		memcpy(out, b.data, n);
	out[n] = '\0';
out:
	cove_buf_free(&b);
	return rc;
}

static cove_err attr_read_u64(const char *path, uint64_t *out, bool *absent, cove_error *e)
{
	char text[32];
	cove_err rc = attr_read_text(path, text, sizeof(text), absent, e);
	if (rc || (absent && *absent))
		return rc;
	char *end;
	errno = 0;
	unsigned long long v = strtoull(text, &end, 10);
	if (errno || end == text || *end || text[0] == '-')
		return cove_error_set(e, COVE_ERR_PARSE, "%s holds '%s', not a decimal number", path, text);
	*out = v;
	return COVE_OK;
}

/* configfs commits a write when the file is closed, so close() reports the kernel's verdict. */
static cove_err attr_write(const char *path, const void *data, size_t len, cove_error *e)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return cove_error_set(e, COVE_ERR_UNAVAILABLE, "cannot open %s for writing: %s", path, strerror(errno));
	int err = cove_write_all(fd, data, len);
	if (err) {
		close(fd);
		return cove_error_set(e, COVE_ERR_UNAVAILABLE, "cannot write %s: %s", path, strerror(err));
	}
	if (close(fd) != 0)
		return cove_error_set(e, COVE_ERR_UNAVAILABLE, "cannot write %s: %s", path, strerror(errno));
	return COVE_OK;
}

cove_err cove_tsm_report(const cove_tsm_request *req, cove_tsm_result *out, cove_error *e)
{
	cove_err rc = COVE_OK;
	char entry[COVE_TSM_ENTRY_MAX], path[COVE_TSM_ENTRY_MAX + 32];
	uint8_t rnd[8];
	char rnd_hex[2 * sizeof(rnd) + 1];
	bool created = false, absent = false;
	uint64_t gen_before = 0, gen_after = 0;
	unsigned writes = 0;
	const char *root = req->root ? req->root : COVE_TSM_CONFIGFS_DEFAULT;

	memset(out, 0, sizeof(*out));
	cove_random_bytes(rnd, sizeof(rnd));
	cove_hex_write(rnd_hex, rnd, sizeof(rnd));
	if ((size_t)snprintf(entry, sizeof(entry), "%s/cove-%ld-%s", root, (long)getpid(), rnd_hex) >= sizeof(entry))
		return cove_error_set(e, COVE_ERR_ARG, "configfs-tsm path %s is too long", root);
	/* Each requester owns a fresh entry, so nobody else's inblob can end up in our report. */
	if (mkdir(entry, 0700) != 0) {
		int err = errno;
		return cove_error_set(e, COVE_ERR_UNAVAILABLE, "cannot create configfs-tsm entry %s: %s%s", entry,
				      strerror(err), err == ENXIO ? " (no attestation provider is registered)" : "");
	}
	created = true;
	snprintf(out->entry, sizeof(out->entry), "%s", entry);

	char provider[64];
	snprintf(path, sizeof(path), "%s/provider", entry);
	if ((rc = attr_read_text(path, provider, sizeof(provider), NULL, e)))
		goto out;
	if (strcmp(provider, req->provider) != 0) {
		rc = cove_error_set(e, COVE_ERR_UNSUPPORTED, "%s is '%s', not '%s': this is not %s", path, provider,
				    req->provider, req->platform);
		goto out;
	}
	snprintf(path, sizeof(path), "%s/generation", entry);
	if ((rc = attr_read_u64(path, &gen_before, NULL, e)))
		goto out;

	if (req->privlevel >= 0) {
		uint64_t floor = 0;
		snprintf(path, sizeof(path), "%s/privlevel_floor", entry);
		if ((rc = attr_read_u64(path, &floor, &absent, e)))
			goto out;
		if (!absent && (uint64_t)req->privlevel < floor) {
			rc = cove_error_set(e, COVE_ERR_ARG, "%s %d is below the guest's privilege floor %llu (%s)",
					    req->privlevel_name ? req->privlevel_name : "privlevel", req->privlevel,
					    (unsigned long long)floor, path);
			goto out;
		}
		char level[16];
		int n = snprintf(level, sizeof(level), "%d\n", req->privlevel);
		snprintf(path, sizeof(path), "%s/privlevel", entry);
		if ((rc = attr_write(path, level, (size_t)n, e)))
			goto out;
		writes++;
	}
	snprintf(path, sizeof(path), "%s/inblob", entry);
	if ((rc = attr_write(path, req->inblob, req->inblob_len, e)))
		goto out;
	writes++;

	snprintf(path, sizeof(path), "%s/outblob", entry);
	if ((rc = attr_read(path, COVE_TSM_BLOB_MAX, &out->outblob, NULL, e)))
		goto out;
	if (req->check_outblob && (rc = req->check_outblob(req->check_ctx, path, &out->outblob, e)))
		goto out;

	if (req->auxblob) {
		/* auxblob appeared after 6.7; a kernel without it has no auxiliary data to give. */
		snprintf(path, sizeof(path), "%s/auxblob", entry);
		if ((rc = attr_read(path, COVE_TSM_BLOB_MAX, &out->auxblob, &absent, e)))
			goto out;
	}

	/* Another writer between our writes and reads would have advanced the generation further. */
	snprintf(path, sizeof(path), "%s/generation", entry);
	if ((rc = attr_read_u64(path, &gen_after, NULL, e)))
		goto out;
	if (gen_after != gen_before + writes) {
		rc = cove_error_set(e, COVE_ERR_UNAVAILABLE,
				    "%s moved from %llu to %llu while we made %u write(s): another process wrote to "
				    "the entry, so the report may not be ours; try again",
				    path, (unsigned long long)gen_before, (unsigned long long)gen_after, writes);
		goto out;
	}
out:
	if (created && rmdir(entry) != 0 && rc == COVE_OK)
		rc = cove_error_set(e, COVE_ERR_UNAVAILABLE, "cannot remove configfs-tsm entry %s: %s", entry,
				    strerror(errno));
	if (rc)
		cove_tsm_result_free(out);
	return rc;
}
