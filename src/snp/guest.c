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
 * device path can be exercised without SEV hardware.  The configfs-tsm
 * mechanics are shared with the TDX guest code (src/tsm/configfs.c); this
 * file adds what is SNP's: the provider name, VMPL and the report size.
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
#include "tsm/configfs.h"

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
	return cove_tsm_data_parse(hex, out, "REPORT_DATA", e);
}

void cove_snp_guest_report_free(cove_snp_guest_report *r)
{
	if (!r)
		return;
	cove_buf_free(&r->certs);
	free(r);
}

/* ---- configfs-tsm ---- */

/* The SNP provider answers with exactly one ATTESTATION_REPORT. */
static cove_err check_snp_outblob(void *ctx, const char *path, const cove_buf *blob, cove_error *e)
{
	(void)ctx;
	if (blob->len != COVE_SNP_REPORT_SIZE)
		return cove_error_set(e, COVE_ERR_PARSE, "%s holds %zu bytes; an SNP report has %d", path, blob->len,
				      COVE_SNP_REPORT_SIZE);
	return COVE_OK;
}

static cove_err configfs_report(const cove_snp_guest_opts *o, const char *root, cove_snp_guest_report *r,
				cove_error *e)
{
	cove_tsm_result res;
	/* The SNP provider accepts exactly 64 bytes of inblob (sev_report_new). */
	cove_tsm_request req = {
		.root = root,
		.provider = TSM_PROVIDER_SNP,
		.platform = "an SEV-SNP guest",
		.inblob = o->report_data,
		.inblob_len = sizeof(o->report_data),
		.privlevel = o->vmpl,
		.privlevel_name = "VMPL",
		.auxblob = o->extended,
		.check_outblob = check_snp_outblob,
	};
	cove_err rc = cove_tsm_report(&req, &res, e);
	snprintf(r->source, sizeof(r->source), "%s", res.entry);
	if (rc)
		return rc;
	memcpy(r->report, res.outblob.data, COVE_SNP_REPORT_SIZE);
	/* The certificate table moves over as it is (auxblob is the GHCB GUID table). */
	cove_buf_free(&r->certs);
	r->certs = res.auxblob;
	res.auxblob = (cove_buf){0};
	cove_tsm_result_free(&res);
	return COVE_OK;
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
