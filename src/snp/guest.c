/*
 * In-guest SEV-SNP report acquisition.
 *
 * Two kernel interfaces exist (shared/research/snp.md section c):
 *  - configfs-tsm (linux Documentation/ABI/testing/configfs-tsm-report,
 *    drivers/virt/coco/guest/report.c): an entry directory per requester with
 *    inblob / privlevel / outblob / auxblob / provider / generation
 *    attributes;
 *  - /dev/sev-guest (include/uapi/linux/sev-guest.h,
 *    drivers/virt/coco/sev-guest/sev-guest.c): SNP_GET_REPORT and
 *    SNP_GET_EXT_REPORT carrying MSG_REPORT_REQ (AMD 56860) and, for the
 *    extended form, the host's certificate table (AMD 56421).
 * Request and response marshalling is kept apart from the transport, so the
 * device path can be exercised without SEV hardware.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "cove/bytes.h"
#include "cove/crypto.h"
#include "cove/snp_guest.h"
#include "snp/guest_layout.h"
#include "snp/report_layout.h"

#if defined(__has_include)
#if __has_include(<linux/sev-guest.h>)
#include <linux/sev-guest.h>
_Static_assert(SNP_GET_REPORT == COVE_SNP_IOCTL_GET_REPORT, "SNP_GET_REPORT");
_Static_assert(SNP_GET_EXT_REPORT == COVE_SNP_IOCTL_GET_EXT_REPORT, "SNP_GET_EXT_REPORT");
_Static_assert(sizeof(struct snp_guest_request_ioctl) == SNP_IOC_SIZE, "snp_guest_request_ioctl");
_Static_assert(sizeof(struct snp_report_req) == SNP_REQ_SIZE, "snp_report_req");
_Static_assert(sizeof(struct snp_ext_report_req) == SNP_EXT_REQ_SIZE, "snp_ext_report_req");
_Static_assert(sizeof(struct snp_report_resp) == SNP_RESP_SIZE, "snp_report_resp");
#endif
#endif

/* configfs binary attributes are capped at TSM_REPORT_OUTBLOB_MAX (32 KiB) by the kernel. */
#define TSM_BLOB_MAX 32768
#define TSM_PROVIDER_SNP "sev_guest"

const char *cove_snp_guest_iface_name(cove_snp_guest_iface i)
{
	switch (i) {
	case COVE_SNP_GUEST_CONFIGFS: return "configfs-tsm";
	case COVE_SNP_GUEST_DEVICE: return "sev-guest device";
	default: return "auto";
	}
}

void cove_snp_guest_opts_init(cove_snp_guest_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->vmpl = -1;
	o->iface = COVE_SNP_GUEST_AUTO;
}

cove_err cove_snp_guest_data_parse(const char *hex, uint8_t out[64], cove_error *e)
{
	cove_buf b = {0};
	cove_err rc = cove_hex_decode(hex, strlen(hex), &b, e);
	if (rc)
		return cove_error_wrap(e, rc, "report data");
	if (b.len > 64) {
		size_t n = b.len;
		cove_buf_free(&b);
		return cove_error_set(e, COVE_ERR_ARG, "report data is %zu bytes; at most 64 fit in REPORT_DATA", n);
	}
	memset(out, 0, 64);
	if (b.len)
		memcpy(out, b.data, b.len);
	cove_buf_free(&b);
	return COVE_OK;
}

void cove_snp_guest_report_free(cove_snp_guest_report *r)
{
	if (!r)
		return;
	cove_buf_free(&r->certs);
	free(r);
}

/* ---- configfs-tsm ---- */

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

static cove_err configfs_report(const cove_snp_guest_opts *o, const char *root, cove_snp_guest_report *r,
				cove_error *e)
{
	cove_err rc = COVE_OK;
	char entry[sizeof(r->source)], path[sizeof(r->source) + 32];
	uint8_t rnd[8];
	char rnd_hex[2 * sizeof(rnd) + 1];
	bool created = false, absent = false;
	cove_buf blob = {0};
	uint64_t gen_before = 0, gen_after = 0;
	unsigned writes = 0;

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
	snprintf(r->source, sizeof(r->source), "%s", entry);

	char provider[64];
	snprintf(path, sizeof(path), "%s/provider", entry);
	if ((rc = attr_read_text(path, provider, sizeof(provider), NULL, e)))
		goto out;
	if (strcmp(provider, TSM_PROVIDER_SNP) != 0) {
		rc = cove_error_set(e, COVE_ERR_UNSUPPORTED, "%s is '%s', not '%s': this is not an SEV-SNP guest", path,
				    provider, TSM_PROVIDER_SNP);
		goto out;
	}
	snprintf(path, sizeof(path), "%s/generation", entry);
	if ((rc = attr_read_u64(path, &gen_before, NULL, e)))
		goto out;

	if (o->vmpl >= 0) {
		uint64_t floor = 0;
		snprintf(path, sizeof(path), "%s/privlevel_floor", entry);
		if ((rc = attr_read_u64(path, &floor, &absent, e)))
			goto out;
		if (!absent && (uint64_t)o->vmpl < floor) {
			rc = cove_error_set(e, COVE_ERR_ARG, "VMPL %d is below the guest's privilege floor %llu (%s)",
					    o->vmpl, (unsigned long long)floor, path);
			goto out;
		}
		char level[16];
		int n = snprintf(level, sizeof(level), "%d\n", o->vmpl);
		snprintf(path, sizeof(path), "%s/privlevel", entry);
		if ((rc = attr_write(path, level, (size_t)n, e)))
			goto out;
		writes++;
	}
	/* The SNP provider accepts exactly 64 bytes of inblob (sev_report_new). */
	snprintf(path, sizeof(path), "%s/inblob", entry);
	if ((rc = attr_write(path, o->report_data, sizeof(o->report_data), e)))
		goto out;
	writes++;

	snprintf(path, sizeof(path), "%s/outblob", entry);
	if ((rc = attr_read(path, TSM_BLOB_MAX, &blob, NULL, e)))
		goto out;
	if (blob.len != COVE_SNP_REPORT_SIZE) {
		rc = cove_error_set(e, COVE_ERR_PARSE, "%s holds %zu bytes; an SNP report has %d", path, blob.len,
				    COVE_SNP_REPORT_SIZE);
		goto out;
	}
	memcpy(r->report, blob.data, COVE_SNP_REPORT_SIZE);

	if (o->extended) {
		/* auxblob appeared after 6.7; a kernel without it has no certificates to give. */
		snprintf(path, sizeof(path), "%s/auxblob", entry);
		if ((rc = attr_read(path, TSM_BLOB_MAX, &r->certs, &absent, e)))
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
	cove_buf_free(&blob);
	if (created && rmdir(entry) != 0 && rc == COVE_OK)
		rc = cove_error_set(e, COVE_ERR_UNAVAILABLE, "cannot remove configfs-tsm entry %s: %s", entry,
				    strerror(errno));
	return rc;
}

/* ---- /dev/sev-guest ---- */

typedef struct ioctl_ctx {
	int fd;
} ioctl_ctx;

/* The production transport: struct snp_guest_request_ioctl pointing at the caller's buffers. */
static int ioctl_submit(void *ctx, cove_snp_guest_msg *m)
{
	ioctl_ctx *c = ctx;
	_Alignas(8) uint8_t arg[SNP_IOC_SIZE] = {0};
	arg[SNP_IOC_MSG_VERSION] = 1;
	cove_put_le64(arg + SNP_IOC_REQ_DATA, (uint64_t)(uintptr_t)m->req);
	cove_put_le64(arg + SNP_IOC_RESP_DATA, (uint64_t)(uintptr_t)m->resp);
	int rc;
	do
		rc = ioctl(c->fd, m->ioctl, arg);
	while (rc < 0 && errno == EINTR);
	int err = rc < 0 ? errno : 0;
	m->exitinfo2 = cove_le64(arg + SNP_IOC_EXITINFO2);
	/* On success the kernel copies the whole struct snp_report_resp. */
	if (!err)
		m->resp_len = SNP_RESP_SIZE;
	return err;
}

static const char *ioctl_name(unsigned long nr)
{
	return nr == COVE_SNP_IOCTL_GET_EXT_REPORT ? "SNP_GET_EXT_REPORT" : "SNP_GET_REPORT";
}

static cove_err request_failed(const char *dev, const cove_snp_guest_msg *m, int err, cove_error *e)
{
	return cove_error_set(e, COVE_ERR_UNAVAILABLE, "%s on %s failed: %s (firmware error 0x%x, VMM error 0x%x)%s",
			      ioctl_name(m->ioctl), dev, strerror(err), (unsigned)(m->exitinfo2 & 0xffffffffu),
			      (unsigned)(m->exitinfo2 >> 32),
			      err == ENOTTY ? "; not an SEV guest device, or its VMPCK was disabled" : "");
}

/* Check MSG_REPORT_RSP and copy the report out of it. */
static cove_err response_parse(const char *dev, const cove_snp_guest_msg *m, uint8_t *report, cove_error *e)
{
	if (m->resp_len < SNP_RESP_REPORT)
		return cove_error_set(e, COVE_ERR_PARSE, "%s on %s returned %zu response bytes, fewer than the %d-byte header",
				      ioctl_name(m->ioctl), dev, m->resp_len, SNP_RESP_REPORT);
	uint32_t status = cove_le32(m->resp + SNP_RESP_STATUS);
	uint32_t size = cove_le32(m->resp + SNP_RESP_REPORT_SIZE);
	if (status != SNP_RESP_STATUS_OK) {
		const char *why = status == SNP_RESP_STATUS_INVALID_PARAMS ? "invalid parameters (is the VMPL below the "
									     "guest's own?)"
				  : status == SNP_RESP_STATUS_INVALID_KEY ? "invalid key selection"
									  : "unknown status";
		return cove_error_set(e, COVE_ERR_UNAVAILABLE, "the SEV firmware refused %s on %s: status 0x%x, %s",
				      ioctl_name(m->ioctl), dev, status, why);
	}
	if (size != COVE_SNP_REPORT_SIZE)
		return cove_error_set(e, COVE_ERR_PARSE, "%s on %s: report_size is %u; an SNP report has %d bytes",
				      ioctl_name(m->ioctl), dev, size, COVE_SNP_REPORT_SIZE);
	if (m->resp_len < SNP_RESP_REPORT + (size_t)size)
		return cove_error_set(e, COVE_ERR_PARSE, "%s on %s returned %zu response bytes; the report needs %d",
				      ioctl_name(m->ioctl), dev, m->resp_len, SNP_RESP_REPORT + COVE_SNP_REPORT_SIZE);
	memcpy(report, m->resp + SNP_RESP_REPORT, COVE_SNP_REPORT_SIZE);
	return COVE_OK;
}

/*
 * Length of the certificate table in a zero-padded buffer: up to the end of
 * the furthest entry, as the kernel computes auxblob's length.  0 when the
 * host supplied no entries.
 */
static cove_err certs_extent(const char *dev, const uint8_t *buf, size_t cap, size_t *out, cove_error *e)
{
	size_t end = 0, i;
	for (i = 0; (i + 1) * SNP_CERT_ENTRY_SIZE <= cap; i++) {
		const uint8_t *ent = buf + i * SNP_CERT_ENTRY_SIZE;
		if (cove_is_zero(ent, SNP_CERT_ENTRY_SIZE))
			break;
		uint64_t last = (uint64_t)cove_le32(ent + SNP_CERT_ENTRY_OFFSET) + cove_le32(ent + SNP_CERT_ENTRY_LENGTH);
		if (last > cap)
			return cove_error_set(e, COVE_ERR_PARSE,
					      "certificate table entry %zu from %s ends at byte %llu, past the %zu-byte buffer",
					      i, dev, (unsigned long long)last, cap);
		if (last > end)
			end = (size_t)last;
	}
	if ((i + 1) * SNP_CERT_ENTRY_SIZE > cap)
		return cove_error_set(e, COVE_ERR_PARSE, "certificate table from %s has no terminating entry", dev);
	if (i == 0) {
		*out = 0;
		return COVE_OK;
	}
	size_t table = (i + 1) * SNP_CERT_ENTRY_SIZE;
	*out = end > table ? end : table;
	return COVE_OK;
}

static cove_err device_report(const cove_snp_guest_opts *o, const char *dev, cove_snp_guest_report *r,
			      cove_error *e)
{
	cove_err rc = COVE_OK;
	ioctl_ctx ictx = {.fd = -1};
	cove_snp_guest_transport tr = {.ctx = &ictx, .submit = ioctl_submit};
	uint8_t req[SNP_EXT_REQ_SIZE] = {0};
	uint8_t *resp = NULL, *certs = NULL;
	size_t certs_cap = 0;
	cove_snp_guest_msg m = {0};

	if (o->transport) {
		tr = *o->transport;
	} else {
		ictx.fd = open(dev, O_RDWR | O_CLOEXEC);
		if (ictx.fd < 0)
			return cove_error_set(e, COVE_ERR_UNAVAILABLE, "cannot open %s: %s", dev, strerror(errno));
	}
	snprintf(r->source, sizeof(r->source), "%s", dev);
	resp = calloc(1, SNP_RESP_SIZE);
	if (!resp) {
		rc = cove_error_set(e, COVE_ERR_NOMEM, "out of memory");
		goto out;
	}
	memcpy(req + SNP_REQ_USER_DATA, o->report_data, sizeof(o->report_data));
	cove_put_le32(req + SNP_REQ_VMPL, o->vmpl < 0 ? 0 : (uint32_t)o->vmpl);

	m.req = req;
	m.resp = resp;
	if (!o->extended) {
		m.ioctl = COVE_SNP_IOCTL_GET_REPORT;
		m.req_len = SNP_REQ_SIZE;
		m.resp_len = SNP_RESP_SIZE;
		int err = tr.submit(tr.ctx, &m);
		if (err) {
			rc = request_failed(dev, &m, err, e);
			goto out;
		}
	} else {
		/* Start with one page: the host says how much it needs when that is too small. */
		certs_cap = SNP_PAGE_SIZE;
		for (int attempt = 0;; attempt++) {
			uint8_t *grown = realloc(certs, certs_cap);
			if (!grown) {
				rc = cove_error_set(e, COVE_ERR_NOMEM, "out of memory");
				goto out;
			}
			certs = grown;
			memset(certs, 0, certs_cap);
			cove_put_le64(req + SNP_EXT_REQ_CERTS_ADDRESS, (uint64_t)(uintptr_t)certs);
			cove_put_le32(req + SNP_EXT_REQ_CERTS_LEN, (uint32_t)certs_cap);
			m.ioctl = COVE_SNP_IOCTL_GET_EXT_REPORT;
			m.req_len = SNP_EXT_REQ_SIZE;
			m.resp_len = SNP_RESP_SIZE;
			m.certs = certs;
			m.certs_cap = certs_cap;
			m.exitinfo2 = 0;
			int err = tr.submit(tr.ctx, &m);
			if (!err)
				break;
			bool too_small = err == EIO && (m.exitinfo2 >> 32) == SNP_VMM_ERR_INVALID_LEN;
			if (!too_small) {
				rc = request_failed(dev, &m, err, e);
				goto out;
			}
			uint32_t need = cove_le32(req + SNP_EXT_REQ_CERTS_LEN);
			if (attempt > 0) {
				rc = cove_error_set(e, COVE_ERR_UNAVAILABLE,
						    "%s on %s: the host rejected a %zu-byte certificate buffer it had asked "
						    "for (now wants %u bytes)",
						    ioctl_name(m.ioctl), dev, certs_cap, need);
				goto out;
			}
			if (need <= certs_cap || need % SNP_PAGE_SIZE || need > COVE_SNP_GUEST_CERTS_MAX) {
				rc = cove_error_set(e, COVE_ERR_UNAVAILABLE,
						    "%s on %s: the host needs a %u-byte certificate buffer; expected a page "
						    "multiple above %zu and at most %d",
						    ioctl_name(m.ioctl), dev, need, certs_cap, COVE_SNP_GUEST_CERTS_MAX);
				goto out;
			}
			certs_cap = need;
		}
	}
	if ((rc = response_parse(dev, &m, r->report, e)))
		goto out;
	if (o->extended) {
		size_t len = 0;
		if ((rc = certs_extent(dev, certs, certs_cap, &len, e)))
			goto out;
		if ((rc = cove_buf_set(&r->certs, certs, len, e)))
			goto out;
	}
out:
	free(resp);
	free(certs);
	if (ictx.fd >= 0)
		close(ictx.fd);
	return rc;
}

cove_err cove_snp_guest_report_new(const cove_snp_guest_opts *o, cove_snp_guest_report **out, cove_error *e)
{
	cove_err rc;
	struct stat st;
	const char *root = o->configfs_root ? o->configfs_root : COVE_SNP_GUEST_CONFIGFS_DEFAULT;
	const char *dev = o->device ? o->device : COVE_SNP_GUEST_DEVICE_DEFAULT;
	cove_snp_guest_iface iface = o->iface;

	*out = NULL;
	if (o->vmpl < -1 || o->vmpl > 3)
		return cove_error_set(e, COVE_ERR_ARG, "VMPL %d is out of range 0..3", o->vmpl);
	if (iface == COVE_SNP_GUEST_AUTO) {
		if (stat(root, &st) == 0 && S_ISDIR(st.st_mode))
			iface = COVE_SNP_GUEST_CONFIGFS;
		else if (o->transport || stat(dev, &st) == 0)
			iface = COVE_SNP_GUEST_DEVICE;
		else
			return cove_error_set(e, COVE_ERR_UNAVAILABLE,
					      "no SEV-SNP guest interface: neither %s (configfs-tsm) nor %s exists", root,
					      dev);
	}
	cove_snp_guest_report *r = calloc(1, sizeof(*r));
	if (!r)
		return cove_error_set(e, COVE_ERR_NOMEM, "out of memory");
	r->iface = iface;
	if (iface == COVE_SNP_GUEST_CONFIGFS)
		rc = configfs_report(o, root, r, e);
	else
		rc = device_report(o, dev, r, e);
	if (rc)
		goto out;
	/* A report that does not carry our data is someone else's (or a broken host's). */
	if (!cove_equal_ct(r->report + SNP_OFF_REPORT_DATA, o->report_data, sizeof(o->report_data))) {
		rc = cove_error_set(e, COVE_ERR_VERIFY, "the report from %s carries different REPORT_DATA than requested",
				    r->source);
		goto out;
	}
	if (o->vmpl >= 0 && cove_le32(r->report + SNP_OFF_VMPL) != (uint32_t)o->vmpl) {
		rc = cove_error_set(e, COVE_ERR_VERIFY, "the report from %s is for VMPL %u, not the VMPL %d requested",
				    r->source, cove_le32(r->report + SNP_OFF_VMPL), o->vmpl);
		goto out;
	}
	*out = r;
	r = NULL;
out:
	cove_snp_guest_report_free(r);
	return rc;
}
