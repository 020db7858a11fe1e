/*
 * The TDX CC event log (CCEL): parser, RTMR replay, event descriptions and
 * the ACPI CCEL table.
 *
 * Format: TCG EFI Protocol Specification sections 5.1/5.2 (a SHA-1-format
 * TCG_PCR_EVENT holding TCG_EfiSpecIDEventStruct "Spec ID Event03", then
 * crypto-agile TCG_PCR_EVENT2 records) and the TCG PC Client Platform
 * Firmware Profile (event types, event data structures).  Measurement
 * registers: UEFI 2.10 EFI_CC_MEASUREMENT_PROTOCOL maps the log's index to
 * TDX registers as 0 = MRTD, 1..4 = RTMR0..3; TDG.MR.RTMR.EXTEND computes
 * RTMR := SHA-384(RTMR || digest) (Intel TDX module ABI).  The log area
 * (LAML bytes at LASA) is larger than the log: the unused rest is
 * 0xFF-filled by OVMF/TDVF (so an unused slot reads as MR index
 * 0xFFFFFFFF, which google/go-eventlog tcg/pfpformat.go also treats as
 * the end), zero-filled by other firmware.  Cross-checked against the
 * go-tdx-guest testdata/ccel set (shared/vectors/tdx/MANIFEST.md), whose
 * replay matches its quote's RTMRs.  Layout offsets: tdx/eventlog_layout.h.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cove/bytes.h"
#include "cove/crypto.h"
#include "cove/tdx_eventlog.h"
#include "tdx/eventlog_layout.h"

static const uint8_t spec_id_signature[TCG_SPEC_SIGNATURE_SIZE] = "Spec ID Event03";

/* Digest sizes fixed by the TCG Algorithm Registry; a Spec ID event must agree with them. */
static const struct {
	uint16_t id;
	uint16_t size;
	const char *name;
} known_algs[] = {
	{COVE_TCG_ALG_SHA1, 20, "sha1"},         {COVE_TCG_ALG_SHA256, 32, "sha256"},
	{COVE_TCG_ALG_SHA384, 48, "sha384"},     {COVE_TCG_ALG_SHA512, 64, "sha512"},
	{COVE_TCG_ALG_SM3_256, 32, "sm3_256"},   {COVE_TCG_ALG_SHA3_256, 32, "sha3_256"},
	{COVE_TCG_ALG_SHA3_384, 48, "sha3_384"}, {COVE_TCG_ALG_SHA3_512, 64, "sha3_512"},
};

/* An algorithm the registry does not know may still be declared; its digests are skipped by size. */
#define UNKNOWN_ALG_MAX_SIZE 512

const char *cove_tcg_alg_name(uint16_t alg)
{
	for (size_t i = 0; i < sizeof(known_algs) / sizeof(known_algs[0]); i++)
		if (known_algs[i].id == alg)
			return known_algs[i].name;
	return NULL;
}

static int known_alg_size(uint16_t alg)
{
	for (size_t i = 0; i < sizeof(known_algs) / sizeof(known_algs[0]); i++)
		if (known_algs[i].id == alg)
			return known_algs[i].size;
	return -1;
}

/* TCG PC Client PFP, "Event Types" table. */
static const struct {
	uint32_t type;
	const char *name;
} event_types[] = {
	{0x00000000, "EV_PREBOOT_CERT"},
	{0x00000001, "EV_POST_CODE"},
	{0x00000002, "EV_UNUSED"},
	{0x00000003, "EV_NO_ACTION"},
	{0x00000004, "EV_SEPARATOR"},
	{0x00000005, "EV_ACTION"},
	{0x00000006, "EV_EVENT_TAG"},
	{0x00000007, "EV_S_CRTM_CONTENTS"},
	{0x00000008, "EV_S_CRTM_VERSION"},
	{0x00000009, "EV_CPU_MICROCODE"},
	{0x0000000A, "EV_PLATFORM_CONFIG_FLAGS"},
	{0x0000000B, "EV_TABLE_OF_DEVICES"},
	{0x0000000C, "EV_COMPACT_HASH"},
	{0x0000000D, "EV_IPL"},
	{0x0000000E, "EV_IPL_PARTITION_DATA"},
	{0x0000000F, "EV_NONHOST_CODE"},
	{0x00000010, "EV_NONHOST_CONFIG"},
	{0x00000011, "EV_NONHOST_INFO"},
	{0x00000012, "EV_OMIT_BOOT_DEVICE_EVENTS"},
	{0x00000013, "EV_POST_CODE2"},
	{0x80000000, "EV_EFI_EVENT_BASE"},
	{0x80000001, "EV_EFI_VARIABLE_DRIVER_CONFIG"},
	{0x80000002, "EV_EFI_VARIABLE_BOOT"},
	{0x80000003, "EV_EFI_BOOT_SERVICES_APPLICATION"},
	{0x80000004, "EV_EFI_BOOT_SERVICES_DRIVER"},
	{0x80000005, "EV_EFI_RUNTIME_SERVICES_DRIVER"},
	{0x80000006, "EV_EFI_GPT_EVENT"},
	{0x80000007, "EV_EFI_ACTION"},
	{0x80000008, "EV_EFI_PLATFORM_FIRMWARE_BLOB"},
	{0x80000009, "EV_EFI_HANDOFF_TABLES"},
	{0x8000000A, "EV_EFI_PLATFORM_FIRMWARE_BLOB2"},
	{0x8000000B, "EV_EFI_HANDOFF_TABLES2"},
	{0x8000000C, "EV_EFI_VARIABLE_BOOT2"},
	{0x8000000D, "EV_EFI_GPT_EVENT2"},
	{0x80000010, "EV_EFI_HCRTM_EVENT"},
	{0x800000E0, "EV_EFI_VARIABLE_AUTHORITY"},
	{0x800000E1, "EV_EFI_SPDM_FIRMWARE_BLOB"},
	{0x800000E2, "EV_EFI_SPDM_FIRMWARE_CONFIG"},
	{0x800000E3, "EV_EFI_SPDM_DEVICE_POLICY"},
	{0x800000E4, "EV_EFI_SPDM_DEVICE_AUTHORITY"},
};

enum {
	EV_EFI_VARIABLE_DRIVER_CONFIG = 0x80000001,
	EV_EFI_VARIABLE_BOOT = 0x80000002,
	EV_EFI_BOOT_SERVICES_APPLICATION = 0x80000003,
	EV_EFI_BOOT_SERVICES_DRIVER = 0x80000004,
	EV_EFI_RUNTIME_SERVICES_DRIVER = 0x80000005,
	EV_EFI_GPT_EVENT = 0x80000006,
	EV_EFI_PLATFORM_FIRMWARE_BLOB = 0x80000008,
	EV_EFI_HANDOFF_TABLES = 0x80000009,
	EV_EFI_PLATFORM_FIRMWARE_BLOB2 = 0x8000000A,
	EV_EFI_HANDOFF_TABLES2 = 0x8000000B,
	EV_EFI_VARIABLE_BOOT2 = 0x8000000C,
	EV_EFI_VARIABLE_AUTHORITY = 0x800000E0,
};

const char *cove_tdx_event_type_name(uint32_t type)
{
	for (size_t i = 0; i < sizeof(event_types) / sizeof(event_types[0]); i++)
		if (event_types[i].type == type)
			return event_types[i].name;
	return NULL;
}

const char *cove_tdx_mr_name(uint32_t mr_index)
{
	static const char *const names[] = {"MRTD", "RTMR0", "RTMR1", "RTMR2", "RTMR3"};
	return mr_index < sizeof(names) / sizeof(names[0]) ? names[mr_index] : NULL;
}

void cove_tdx_eventlog_free(cove_tdx_eventlog *log)
{
	if (!log)
		return;
	free(log->events);
	memset(log, 0, sizeof(*log));
}

/* ---- parser ---- */

/* Smallest p such that buf[p..len) is all `v` (len when buf[len-1] != v). */
static size_t tail_start(const uint8_t *buf, size_t len, uint8_t v)
{
	size_t p = len;
	while (p > 0 && buf[p - 1] == v)
		p--;
	return p;
}

static cove_err parse_spec_id(const uint8_t *buf, size_t len, cove_tdx_eventlog *log, cove_error *e)
{
	if (len < TCG_EV1_EVENT)
		return cove_error_set(e, COVE_ERR_PARSE,
				      "event log: the Spec ID header record needs %d bytes, the log has %zu",
				      TCG_EV1_EVENT, len);
	uint32_t type = cove_le32(buf + TCG_EV1_TYPE);
	uint32_t size = cove_le32(buf + TCG_EV1_EVENT_SIZE);
	if (type != COVE_TCG_EV_NO_ACTION)
		return cove_error_set(e, COVE_ERR_PARSE,
				      "event log: the first record has event type 0x%08x, not EV_NO_ACTION: this is not a "
				      "crypto-agile log starting with the Spec ID event",
				      type);
	if (!cove_is_zero(buf + TCG_EV1_DIGEST, TCG_EV1_DIGEST_SIZE))
		return cove_error_set(e, COVE_ERR_PARSE,
				      "event log: the Spec ID header record carries a non-zero SHA-1 digest (it must be "
				      "20 zero bytes)");
	if (size > len - TCG_EV1_EVENT)
		return cove_error_set(e, COVE_ERR_PARSE,
				      "event log: the Spec ID event claims %u bytes, only %zu remain after its header",
				      size, len - TCG_EV1_EVENT);
	if (size < TCG_SPEC_MIN_SIZE)
		return cove_error_set(e, COVE_ERR_PARSE,
				      "event log: the Spec ID event has %u bytes, fewer than the %d of the smallest "
				      "TCG_EfiSpecIDEventStruct",
				      size, TCG_SPEC_MIN_SIZE);
	const uint8_t *ev = buf + TCG_EV1_EVENT;
	if (memcmp(ev + TCG_SPEC_SIGNATURE, spec_id_signature, TCG_SPEC_SIGNATURE_SIZE) != 0)
		return cove_error_set(e, COVE_ERR_PARSE,
				      "event log: the first event's signature is not \"Spec ID Event03\": a SHA-1-only "
				      "(TPM 1.2 style) log cannot hold RTMR digests");
	log->spec_mr_index = cove_le32(buf + TCG_EV1_INDEX);
	log->platform_class = cove_le32(ev + TCG_SPEC_PLATFORM_CLASS);
	log->spec_version_minor = ev[TCG_SPEC_VERSION_MINOR];
	log->spec_version_major = ev[TCG_SPEC_VERSION_MAJOR];
	log->spec_errata = ev[TCG_SPEC_ERRATA];
	log->uintn_size = ev[TCG_SPEC_UINTN_SIZE];
	if (log->spec_version_major != 2)
		return cove_error_set(e, COVE_ERR_PARSE, "event log: Spec ID event version %u.%u; expected 2.x",
				      log->spec_version_major, log->spec_version_minor);
	uint32_t n = cove_le32(ev + TCG_SPEC_NUM_ALGS);
	if (n == 0 || n > COVE_TDX_EVENTLOG_MAX_ALGS)
		return cove_error_set(e, COVE_ERR_PARSE,
				      "event log: the Spec ID event declares %u digest algorithms; expected 1 to %d", n,
				      COVE_TDX_EVENTLOG_MAX_ALGS);
	/* n is small, so the sums below cannot overflow. */
	size_t vendor_at = TCG_SPEC_ALGS + (size_t)n * TCG_SPEC_ALG_SIZE;
	if (vendor_at + 1 > size)
		return cove_error_set(e, COVE_ERR_PARSE,
				      "event log: the Spec ID event's %u algorithm entries run past its %u bytes", n, size);
	for (uint32_t i = 0; i < n; i++) {
		uint16_t id = cove_le16(ev + TCG_SPEC_ALGS + i * TCG_SPEC_ALG_SIZE);
		uint16_t dsize = cove_le16(ev + TCG_SPEC_ALGS + i * TCG_SPEC_ALG_SIZE + 2);
		int want = known_alg_size(id);
		if (want >= 0 && dsize != want)
			return cove_error_set(e, COVE_ERR_PARSE,
					      "event log: the Spec ID event gives %s (0x%04x) a %u-byte digest; it has %d",
					      cove_tcg_alg_name(id), id, dsize, want);
		if (want < 0 && (dsize == 0 || dsize > UNKNOWN_ALG_MAX_SIZE))
			return cove_error_set(e, COVE_ERR_PARSE,
					      "event log: the Spec ID event gives algorithm 0x%04x a %u-byte digest; "
					      "expected 1 to %d",
					      id, dsize, UNKNOWN_ALG_MAX_SIZE);
		for (uint32_t j = 0; j < i; j++)
			if (log->algs[j].id == id)
				return cove_error_set(e, COVE_ERR_PARSE,
						      "event log: the Spec ID event declares algorithm 0x%04x twice", id);
		log->algs[i].id = id;
		log->algs[i].size = dsize;
	}
	log->alg_count = n;
	log->vendor_info_len = ev[vendor_at];
	if (vendor_at + 1 + log->vendor_info_len != size)
		return cove_error_set(e, COVE_ERR_PARSE,
				      "event log: the Spec ID event is %u bytes but its fields (algorithms: %u, vendor "
				      "info: %u bytes) make %zu",
				      size, n, log->vendor_info_len, vendor_at + 1 + log->vendor_info_len);
	log->vendor_info = log->vendor_info_len ? ev + vendor_at + 1 : NULL;
	log->header_size = TCG_EV1_EVENT + (size_t)size;
	return COVE_OK;
}

static const cove_tcg_alg *spec_alg(const cove_tdx_eventlog *log, uint16_t id)
{
	for (size_t i = 0; i < log->alg_count; i++)
		if (log->algs[i].id == id)
			return &log->algs[i];
	return NULL;
}

/* One TCG_PCR_EVENT2 at `pos`; `ev->seq` is set by the caller. */
static cove_err parse_event2(const cove_tdx_eventlog *log, const uint8_t *buf, size_t len, size_t pos,
			     cove_tdx_event *ev, cove_error *e)
{
	size_t rem = len - pos;
	const uint8_t *p = buf + pos;
	if (rem < TCG_EV2_DIGESTS)
		return cove_error_set(e, COVE_ERR_PARSE,
				      "event %zu at offset %zu: the record header needs %d bytes, only %zu remain "
				      "(truncated log)",
				      ev->seq, pos, TCG_EV2_DIGESTS, rem);
	ev->offset = pos;
	ev->mr_index = cove_le32(p + TCG_EV2_INDEX);
	ev->type = cove_le32(p + TCG_EV2_TYPE);
	uint32_t count = cove_le32(p + TCG_EV2_DIGEST_COUNT);
	if (ev->mr_index == TCG_EV2_INDEX_INVALID)
		return cove_error_set(e, COVE_ERR_PARSE,
				      "event %zu at offset %zu: MR index 0xffffffff marks the end of the log, but "
				      "bytes other than padding follow",
				      ev->seq, pos);
	if (count == 0 || count > log->alg_count)
		return cove_error_set(e, COVE_ERR_PARSE,
				      "event %zu at offset %zu: digest count %u; the Spec ID event allows 1 to %zu",
				      ev->seq, pos, count, log->alg_count);
	size_t off = TCG_EV2_DIGESTS;
	for (uint32_t i = 0; i < count; i++) {
		if (rem - off < TCG_EV2_ALG_ID_SIZE)
			return cove_error_set(e, COVE_ERR_PARSE,
					      "event %zu at offset %zu: digest %u's algorithm ID runs past the end of the "
					      "log (truncated log)",
					      ev->seq, pos, i);
		uint16_t id = cove_le16(p + off);
		const cove_tcg_alg *a = spec_alg(log, id);
		if (!a)
			return cove_error_set(e, COVE_ERR_PARSE,
					      "event %zu at offset %zu: digest %u uses algorithm 0x%04x, which the Spec ID "
					      "event does not declare",
					      ev->seq, pos, i, id);
		for (uint32_t j = 0; j < i; j++)
			if (ev->digests[j].alg == id)
				return cove_error_set(e, COVE_ERR_PARSE,
						      "event %zu at offset %zu: algorithm 0x%04x appears twice", ev->seq,
						      pos, id);
		off += TCG_EV2_ALG_ID_SIZE;
		if (rem - off < a->size)
			return cove_error_set(e, COVE_ERR_PARSE,
					      "event %zu at offset %zu: the %u-byte %s digest runs past the end of the "
					      "log (truncated log)",
					      ev->seq, pos, a->size, cove_tcg_alg_name(id) ? cove_tcg_alg_name(id) : "");
		ev->digests[i].alg = id;
		ev->digests[i].size = a->size;
		ev->digests[i].value = p + off;
		off += a->size;
	}
	ev->digest_count = count;
	if (rem - off < 4)
		return cove_error_set(e, COVE_ERR_PARSE,
				      "event %zu at offset %zu: the event size field runs past the end of the log "
				      "(truncated log)",
				      ev->seq, pos);
	uint32_t dlen = cove_le32(p + off);
	off += 4;
	if (dlen > rem - off)
		return cove_error_set(e, COVE_ERR_PARSE,
				      "event %zu at offset %zu: event data of %u bytes runs past the end of the log "
				      "(%zu bytes remain)",
				      ev->seq, pos, dlen, rem - off);
	ev->data = p + off;
	ev->data_len = dlen;
	ev->size = off + dlen;
	/* Only RTMRs can be extended at run time; MRTD is sealed when the TD is built. */
	if (ev->type != COVE_TCG_EV_NO_ACTION) {
		if (ev->mr_index == COVE_TDX_MR_MRTD)
			return cove_error_set(e, COVE_ERR_PARSE,
					      "event %zu at offset %zu: a measured event for MR index 0 (MRTD), which "
					      "cannot be extended at run time",
					      ev->seq, pos);
		if (ev->mr_index > COVE_TDX_RTMR_COUNT)
			return cove_error_set(e, COVE_ERR_PARSE,
					      "event %zu at offset %zu: MR index %u is not a TDX measurement register "
					      "(0 MRTD, 1..4 RTMR0..3)",
					      ev->seq, pos, ev->mr_index);
	}
	return COVE_OK;
}

cove_err cove_tdx_eventlog_parse(const void *data, size_t len, cove_tdx_eventlog *out, cove_error *e)
{
	const uint8_t *buf = data;
	cove_err rc;
	size_t cap = 0;

	memset(out, 0, sizeof(*out));
	if (!data && len)
		return cove_error_set(e, COVE_ERR_ARG, "event log: no data");
	if ((rc = parse_spec_id(buf, len, out, e)))
		goto out;
	/* The log ends where only padding remains: EDK2 fills the area with 0xFF, others with zeros. */
	size_t ff_from = tail_start(buf, len, 0xFF), zero_from = tail_start(buf, len, 0x00);
	size_t pos = out->header_size;
	while (pos < len && pos < ff_from && pos < zero_from) {
		if (out->count == COVE_TDX_EVENTLOG_MAX_EVENTS) {
			rc = cove_error_set(e, COVE_ERR_PARSE, "event log: more than %d events at offset %zu",
					    COVE_TDX_EVENTLOG_MAX_EVENTS, pos);
			goto out;
		}
		if (out->count == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			cove_tdx_event *grown = realloc(out->events, ncap * sizeof(*grown));
			if (!grown) {
				rc = cove_error_set(e, COVE_ERR_NOMEM, "out of memory");
				goto out;
			}
			out->events = grown;
			cap = ncap;
		}
		cove_tdx_event *ev = &out->events[out->count];
		memset(ev, 0, sizeof(*ev));
		ev->seq = out->count + 1;
		if ((rc = parse_event2(out, buf, len, pos, ev, e)))
			goto out;
		out->count++;
		pos += ev->size;
	}
	out->used = pos;
	out->padding = len - pos;
out:
	if (rc)
		cove_tdx_eventlog_free(out);
	return rc;
}

/* ---- replay ---- */

const cove_tdx_event_digest *cove_tdx_event_digest_find(const cove_tdx_event *ev, uint16_t alg)
{
	for (size_t i = 0; i < ev->digest_count; i++)
		if (ev->digests[i].alg == alg)
			return &ev->digests[i];
	return NULL;
}

cove_err cove_tdx_eventlog_replay(const cove_tdx_eventlog *log, cove_tdx_rtmrs *out, cove_error *e)
{
	uint8_t chain[2 * COVE_TDX_RTMR_SIZE];
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < log->count; i++) {
		const cove_tdx_event *ev = &log->events[i];
		if (ev->type == COVE_TCG_EV_NO_ACTION)
			continue; /* informational: never extended */
		if (ev->mr_index < COVE_TDX_MR_RTMR0 || ev->mr_index > COVE_TDX_RTMR_COUNT)
			return cove_error_set(e, COVE_ERR_PARSE, "event %zu at offset %zu: MR index %u is not an RTMR",
					      ev->seq, ev->offset, ev->mr_index);
		const cove_tdx_event_digest *d = cove_tdx_event_digest_find(ev, COVE_TCG_ALG_SHA384);
		if (!d)
			return cove_error_set(e, COVE_ERR_PARSE,
					      "event %zu at offset %zu: no SHA-384 digest, but RTMRs are SHA-384 registers",
					      ev->seq, ev->offset);
		unsigned r = ev->mr_index - COVE_TDX_MR_RTMR0;
		memcpy(chain, out->rtmr[r], COVE_TDX_RTMR_SIZE);
		memcpy(chain + COVE_TDX_RTMR_SIZE, d->value, COVE_TDX_RTMR_SIZE);
		cove_err rc = cove_digest(COVE_SHA384, chain, sizeof(chain), out->rtmr[r], e);
		if (rc)
			return rc;
		out->extended[r]++;
	}
	return COVE_OK;
}

cove_err cove_tdx_rtmr_compare(const cove_tdx_rtmrs *computed,
			       const uint8_t expected[COVE_TDX_RTMR_COUNT * COVE_TDX_RTMR_SIZE], unsigned which,
			       unsigned *mismatch, cove_error *e)
{
	unsigned bad = 0;
	char names[64] = "";
	size_t n = 0;
	for (unsigned i = 0; i < COVE_TDX_RTMR_COUNT; i++) {
		if (!(which & (1u << i)))
			continue;
		/* Not secret, but constant time costs nothing here. */
		if (!cove_equal_ct(computed->rtmr[i], expected + i * COVE_TDX_RTMR_SIZE, COVE_TDX_RTMR_SIZE)) {
			bad |= 1u << i;
			n += (size_t)snprintf(names + n, sizeof(names) - n, "%sRTMR%u", n ? ", " : "", i);
		}
	}
	if (mismatch)
		*mismatch = bad;
	if (bad)
		return cove_error_set(e, COVE_ERR_VERIFY,
				      "the event log does not replay to the expected value of %s", names);
	return COVE_OK;
}

/* ---- descriptions ---- */

typedef struct sbuf {
	char *p;
	size_t cap, len;
} sbuf;

static void sb_putc(sbuf *s, char c)
{
	if (s->len + 1 < s->cap) {
		s->p[s->len++] = c;
		s->p[s->len] = '\0';
	}
}

static void sb_printf(sbuf *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(sbuf *s, const char *fmt, ...)
{
	if (s->len + 1 >= s->cap)
		return;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(s->p + s->len, s->cap - s->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		s->len = (size_t)n < s->cap - s->len ? s->len + (size_t)n : s->cap - 1;
}

#define TEXT_MAX 96 /* characters of text shown before "..." */

static bool printable(unsigned c)
{
	return (c >= 0x20 && c < 0x7f) || c == '\n' || c == '\t' || c == '\r';
}

static void sb_char(sbuf *s, unsigned c)
{
	if (c == '\n')
		sb_printf(s, "\\n");
	else if (c == '\t' || c == '\r')
		sb_putc(s, ' ');
	else
		sb_putc(s, c >= 0x20 && c < 0x7f ? (char)c : '?');
}

/* Length without trailing NULs. */
static size_t strip_nuls(const uint8_t *d, size_t n)
{
	while (n && d[n - 1] == 0)
		n--;
	return n;
}

static bool is_text(const uint8_t *d, size_t n)
{
	n = strip_nuls(d, n);
	if (!n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!printable(d[i]))
			return false;
	return true;
}

static void sb_text(sbuf *s, const uint8_t *d, size_t n)
{
	n = strip_nuls(d, n);
	for (size_t i = 0; i < n && i < TEXT_MAX; i++)
		sb_char(s, d[i]);
	if (n > TEXT_MAX)
		sb_printf(s, "...");
}

/* UCS-2 text: every high byte zero, low bytes printable (trailing NUL characters allowed). */
static bool is_ucs2(const uint8_t *d, size_t n)
{
	if (n < 2 || n % 2)
		return false;
	size_t chars = n / 2;
	while (chars && d[2 * chars - 2] == 0 && d[2 * chars - 1] == 0)
		chars--;
	if (!chars)
		return false;
	for (size_t i = 0; i < chars; i++)
		if (d[2 * i + 1] != 0 || !printable(d[2 * i]))
			return false;
	return true;
}

/* `chars` CHAR16 values up to the first NUL; other non-ASCII characters shown as '?'. */
static void sb_ucs2(sbuf *s, const uint8_t *d, size_t chars)
{
	for (size_t i = 0; i < chars && i < TEXT_MAX; i++) {
		uint16_t c = cove_le16(d + 2 * i);
		if (c == 0)
			return;
		sb_char(s, c < 0x80 ? c : '?');
	}
	if (chars > TEXT_MAX)
		sb_printf(s, "...");
}

/* EFI_GUID: Data1 u32, Data2 u16, Data3 u16 little-endian, then 8 bytes in order. */
static void sb_guid(sbuf *s, const uint8_t *g)
{
	sb_printf(s, "%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x", cove_le32(g), cove_le16(g + 4),
		  cove_le16(g + 6), g[8], g[9], g[10], g[11], g[12], g[13], g[14], g[15]);
}

static void sb_hex(sbuf *s, const uint8_t *d, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sb_printf(s, "%02x", d[i]);
}

static bool describe_variable(sbuf *s, const uint8_t *d, size_t n)
{
	if (n < UEFI_VAR_NAME)
		return false;
	uint64_t name_len = cove_le64(d + UEFI_VAR_NAME_LEN), data_len = cove_le64(d + UEFI_VAR_DATA_LEN);
	size_t room = n - UEFI_VAR_NAME;
	if (name_len > room / 2 || data_len > room - 2 * name_len)
		return false;
	sb_ucs2(s, d + UEFI_VAR_NAME, (size_t)name_len);
	sb_printf(s, " {");
	sb_guid(s, d + UEFI_VAR_GUID);
	sb_printf(s, "}, %llu byte%s", (unsigned long long)data_len, data_len == 1 ? "" : "s");
	/* Small values (SecureBoot, BootOrder, ...) are worth showing. */
	if (data_len && data_len <= 8) {
		sb_printf(s, ": ");
		sb_hex(s, d + UEFI_VAR_NAME + 2 * name_len, (size_t)data_len);
	}
	return true;
}

static bool describe_image(sbuf *s, const uint8_t *d, size_t n)
{
	if (n < UEFI_IMAGE_DP)
		return false;
	uint64_t img_len = cove_le64(d + UEFI_IMAGE_LENGTH), dp_len = cove_le64(d + UEFI_IMAGE_DP_LEN);
	sb_printf(s, "image of %llu bytes at 0x%llx", (unsigned long long)img_len,
		  (unsigned long long)cove_le64(d + UEFI_IMAGE_LOCATION));
	if (dp_len > n - UEFI_IMAGE_DP)
		return true;
	/* File-path nodes of the device path name the loaded file. */
	const uint8_t *dp = d + UEFI_IMAGE_DP;
	size_t at = 0;
	bool first = true;
	while (dp_len - at >= EFI_DP_HEADER) {
		uint8_t type = dp[at + EFI_DP_TYPE], sub = dp[at + EFI_DP_SUBTYPE];
		uint16_t node = cove_le16(dp + at + EFI_DP_LENGTH);
		if (node < EFI_DP_HEADER || node > dp_len - at || type == EFI_DP_TYPE_END)
			break;
		if (type == EFI_DP_TYPE_MEDIA && sub == EFI_DP_SUBTYPE_FILE_PATH) {
			if (first)
				sb_printf(s, ", path ");
			sb_ucs2(s, dp + at + EFI_DP_HEADER, (size_t)(node - EFI_DP_HEADER) / 2);
			first = false;
		}
		at += node;
	}
	return true;
}

/* BLOB2 / HANDOFF_TABLES2 start with a length-prefixed ASCII description. */
static bool describe_prefixed(sbuf *s, uint32_t type, const uint8_t *d, size_t n)
{
	if (n < UEFI_DESC || d[UEFI_DESC_SIZE] > n - UEFI_DESC)
		return false;
	size_t dl = d[UEFI_DESC_SIZE];
	const uint8_t *rest = d + UEFI_DESC + dl;
	size_t rest_len = n - UEFI_DESC - dl;
	if (dl && is_text(d + UEFI_DESC, dl))
		sb_text(s, d + UEFI_DESC, dl);
	else
		sb_printf(s, "(%zu-byte description)", dl);
	if (type == EV_EFI_PLATFORM_FIRMWARE_BLOB2 && rest_len >= 16)
		sb_printf(s, ", %llu bytes at 0x%llx", (unsigned long long)cove_le64(rest + UEFI_BLOB_LENGTH),
			  (unsigned long long)cove_le64(rest + UEFI_BLOB_BASE));
	else if (type == EV_EFI_HANDOFF_TABLES2 && rest_len >= 8)
		sb_printf(s, ", %llu table%s", (unsigned long long)cove_le64(rest),
			  cove_le64(rest) == 1 ? "" : "s");
	return true;
}

void cove_tdx_event_describe(const cove_tdx_event *ev, char *out, size_t cap)
{
	sbuf s = {out, cap, 0};
	const uint8_t *d = ev->data;
	size_t n = ev->data_len;
	if (!cap)
		return;
	out[0] = '\0';
	switch (ev->type) {
	case EV_EFI_VARIABLE_DRIVER_CONFIG:
	case EV_EFI_VARIABLE_BOOT:
	case EV_EFI_VARIABLE_BOOT2:
	case EV_EFI_VARIABLE_AUTHORITY:
		if (describe_variable(&s, d, n))
			return;
		break;
	case EV_EFI_BOOT_SERVICES_APPLICATION:
	case EV_EFI_BOOT_SERVICES_DRIVER:
	case EV_EFI_RUNTIME_SERVICES_DRIVER:
		if (describe_image(&s, d, n))
			return;
		break;
	case EV_EFI_PLATFORM_FIRMWARE_BLOB2:
	case EV_EFI_HANDOFF_TABLES2:
		if (describe_prefixed(&s, ev->type, d, n))
			return;
		break;
	case EV_EFI_PLATFORM_FIRMWARE_BLOB:
		if (n == 16) {
			sb_printf(&s, "%llu bytes at 0x%llx", (unsigned long long)cove_le64(d + UEFI_BLOB_LENGTH),
				  (unsigned long long)cove_le64(d + UEFI_BLOB_BASE));
			return;
		}
		break;
	case EV_EFI_HANDOFF_TABLES:
		if (n >= 8) {
			sb_printf(&s, "%llu table%s", (unsigned long long)cove_le64(d), cove_le64(d) == 1 ? "" : "s");
			return;
		}
		break;
	case EV_EFI_GPT_EVENT:
		if (n >= UEFI_GPT_NUM_PARTITIONS + 8 && memcmp(d, "EFI PART", 8) == 0) {
			uint64_t parts = cove_le64(d + UEFI_GPT_NUM_PARTITIONS);
			sb_printf(&s, "GPT with %llu partition%s", (unsigned long long)parts, parts == 1 ? "" : "s");
			return;
		}
		break;
	case COVE_TCG_EV_SEPARATOR:
		if (n == 4) {
			sb_printf(&s, "separator 0x%08x%s", cove_le32(d), cove_le32(d) ? " (error)" : "");
			return;
		}
		break;
	case COVE_TCG_EV_EVENT_TAG:
		if (n >= TCG_TAGGED_DATA && cove_le32(d + TCG_TAGGED_SIZE) <= n - TCG_TAGGED_DATA) {
			sb_printf(&s, "tag 0x%08x, %u bytes", cove_le32(d + TCG_TAGGED_ID), cove_le32(d + TCG_TAGGED_SIZE));
			return;
		}
		break;
	default:
		break;
	}
	if (is_text(d, n)) {
		sb_text(&s, d, n);
	} else if (is_ucs2(d, n)) {
		sb_ucs2(&s, d, n / 2);
	} else {
		sb_printf(&s, "%zu byte%s", n, n == 1 ? "" : "s");
		if (n && n <= 16) {
			sb_printf(&s, ": ");
			sb_hex(&s, d, n);
		}
	}
}

/* ---- JSON ---- */

static json_t *hex_json(const uint8_t *d, size_t n)
{
	char *h = cove_hex_new(d, n);
	json_t *j = h ? json_string(h) : NULL;
	free(h);
	return j;
}

static json_t *event_json(const cove_tdx_event *ev)
{
	json_t *j = json_object(), *digests = json_array();
	char summary[256];
	if (!j || !digests)
		goto fail;
	const char *mr = cove_tdx_mr_name(ev->mr_index), *tn = cove_tdx_event_type_name(ev->type);
	json_object_set_new(j, "seq", json_integer((json_int_t)ev->seq));
	json_object_set_new(j, "offset", json_integer((json_int_t)ev->offset));
	json_object_set_new(j, "mr_index", json_integer(ev->mr_index));
	json_object_set_new(j, "mr", mr ? json_string(mr) : json_null());
	json_object_set_new(j, "type", json_integer(ev->type));
	json_object_set_new(j, "type_name", tn ? json_string(tn) : json_null());
	for (size_t i = 0; i < ev->digest_count; i++) {
		const char *an = cove_tcg_alg_name(ev->digests[i].alg);
		json_t *d = json_object();
		if (!d)
			goto fail;
		json_object_set_new(d, "alg", an ? json_string(an) : json_null());
		json_object_set_new(d, "alg_id", json_integer(ev->digests[i].alg));
		json_object_set_new(d, "digest", hex_json(ev->digests[i].value, ev->digests[i].size));
		json_array_append_new(digests, d);
	}
	json_object_set_new(j, "digests", digests);
	digests = NULL;
	json_object_set_new(j, "data_size", json_integer(ev->data_len));
	const cove_tdx_event_digest *d384 = cove_tdx_event_digest_find(ev, COVE_TCG_ALG_SHA384);
	if (d384) {
		uint8_t h[COVE_SHA384_LEN];
		if (cove_digest(COVE_SHA384, ev->data, ev->data_len, h, NULL) == COVE_OK)
			json_object_set_new(j, "data_hashed",
					    json_boolean(memcmp(h, d384->value, COVE_SHA384_LEN) == 0));
	}
	cove_tdx_event_describe(ev, summary, sizeof(summary));
	json_object_set_new(j, "summary", json_string(summary));
	json_object_set_new(j, "data", hex_json(ev->data, ev->data_len));
	return j;
fail:
	json_decref(digests);
	json_decref(j);
	return NULL;
}

json_t *cove_tdx_eventlog_to_json(const cove_tdx_eventlog *log)
{
	json_t *j = json_object(), *spec = json_object(), *algs = json_array(), *events = json_array();
	if (!j || !spec || !algs || !events)
		goto fail;
	json_object_set_new(spec, "mr_index", json_integer(log->spec_mr_index));
	json_object_set_new(spec, "platform_class", json_integer(log->platform_class));
	char version[32];
	snprintf(version, sizeof(version), "%u.%u errata %u", log->spec_version_major, log->spec_version_minor,
		 log->spec_errata);
	json_object_set_new(spec, "version", json_string(version));
	json_object_set_new(spec, "uintn_size", json_integer(log->uintn_size));
	for (size_t i = 0; i < log->alg_count; i++) {
		const char *an = cove_tcg_alg_name(log->algs[i].id);
		json_t *a = json_object();
		if (!a)
			goto fail;
		json_object_set_new(a, "alg", an ? json_string(an) : json_null());
		json_object_set_new(a, "alg_id", json_integer(log->algs[i].id));
		json_object_set_new(a, "digest_size", json_integer(log->algs[i].size));
		json_array_append_new(algs, a);
	}
	json_object_set_new(spec, "algorithms", algs);
	algs = NULL;
	json_object_set_new(spec, "vendor_info", hex_json(log->vendor_info, log->vendor_info_len));
	json_object_set_new(j, "spec_id", spec);
	spec = NULL;
	for (size_t i = 0; i < log->count; i++) {
		json_t *ev = event_json(&log->events[i]);
		if (!ev)
			goto fail;
		json_array_append_new(events, ev);
	}
	json_object_set_new(j, "events", events);
	events = NULL;
	json_object_set_new(j, "used", json_integer((json_int_t)log->used));
	json_object_set_new(j, "padding", json_integer((json_int_t)log->padding));
	return j;
fail:
	json_decref(events);
	json_decref(algs);
	json_decref(spec);
	json_decref(j);
	return NULL;
}

/* ---- ACPI CCEL table ---- */

static void copy_id(char *out, const uint8_t *in, size_t n)
{
	for (size_t i = 0; i < n; i++)
		out[i] = in[i] >= 0x20 && in[i] < 0x7f ? (char)in[i] : '?';
	out[n] = '\0';
}

cove_err cove_tdx_ccel_table_parse(const void *data, size_t len, cove_tdx_ccel_table *out, cove_error *e)
{
	const uint8_t *t = data;
	memset(out, 0, sizeof(*out));
	if (len < COVE_CCEL_TABLE_SIZE)
		return cove_error_set(e, COVE_ERR_PARSE, "CCEL table: %zu bytes, fewer than the %d of a CCEL table", len,
				      COVE_CCEL_TABLE_SIZE);
	if (memcmp(t + CCEL_SIGNATURE, "CCEL", 4) != 0)
		return cove_error_set(e, COVE_ERR_PARSE,
				      "CCEL table: signature is %02x %02x %02x %02x, not \"CCEL\" (is this another ACPI "
				      "table?)",
				      t[0], t[1], t[2], t[3]);
	out->length = cove_le32(t + CCEL_LENGTH);
	if (out->length != len)
		return cove_error_set(e, COVE_ERR_PARSE, "CCEL table: the length field says %u bytes, the table has %zu",
				      out->length, len);
	uint8_t sum = 0;
	for (size_t i = 0; i < len; i++)
		sum = (uint8_t)(sum + t[i]);
	if (sum != 0)
		return cove_error_set(e, COVE_ERR_PARSE,
				      "CCEL table: bytes sum to 0x%02x, not 0 (checksum 0x%02x is wrong or the table "
				      "was altered)",
				      sum, t[CCEL_CHECKSUM]);
	out->revision = t[CCEL_REVISION];
	out->checksum = t[CCEL_CHECKSUM];
	copy_id(out->oem_id, t + CCEL_OEM_ID, 6);
	copy_id(out->oem_table_id, t + CCEL_OEM_TABLE_ID, 8);
	out->oem_revision = cove_le32(t + CCEL_OEM_REVISION);
	copy_id(out->creator_id, t + CCEL_CREATOR_ID, 4);
	out->creator_revision = cove_le32(t + CCEL_CREATOR_REVISION);
	out->cc_type = t[CCEL_CC_TYPE];
	out->cc_subtype = t[CCEL_CC_SUBTYPE];
	out->laml = cove_le64(t + CCEL_LAML);
	out->lasa = cove_le64(t + CCEL_LASA);
	if (out->cc_type != COVE_CCEL_CC_TYPE_TDX)
		return cove_error_set(e, COVE_ERR_UNSUPPORTED, "CCEL table: CC type %u (%s), not 2 (Intel TDX)",
				      out->cc_type,
				      out->cc_type == COVE_CCEL_CC_TYPE_SEV ? "AMD SEV" : "reserved");
	if (out->laml == 0)
		return cove_error_set(e, COVE_ERR_PARSE, "CCEL table: the log area minimum length (LAML) is 0");
	return COVE_OK;
}

cove_err cove_tdx_ccel_table_check_log(const cove_tdx_ccel_table *t, size_t log_len, cove_error *e)
{
	if ((uint64_t)log_len > t->laml)
		return cove_error_set(e, COVE_ERR_PARSE,
				      "the event log has %zu bytes, more than the %llu-byte log area (LAML) of the CCEL "
				      "table: they do not belong together",
				      log_len, (unsigned long long)t->laml);
	return COVE_OK;
}

json_t *cove_tdx_ccel_table_to_json(const cove_tdx_ccel_table *t)
{
	json_t *j = json_object();
	char hex[32];
	if (!j)
		return NULL;
	json_object_set_new(j, "length", json_integer(t->length));
	json_object_set_new(j, "revision", json_integer(t->revision));
	json_object_set_new(j, "checksum", json_integer(t->checksum));
	json_object_set_new(j, "oem_id", json_string(t->oem_id));
	json_object_set_new(j, "oem_table_id", json_string(t->oem_table_id));
	json_object_set_new(j, "oem_revision", json_integer(t->oem_revision));
	json_object_set_new(j, "creator_id", json_string(t->creator_id));
	json_object_set_new(j, "creator_revision", json_integer(t->creator_revision));
	json_object_set_new(j, "cc_type", json_integer(t->cc_type));
	json_object_set_new(j, "cc_subtype", json_integer(t->cc_subtype));
	if (t->laml <= INT64_MAX)
		json_object_set_new(j, "laml", json_integer((json_int_t)t->laml));
	else
		json_object_set_new(j, "laml", json_null());
	snprintf(hex, sizeof(hex), "0x%llx", (unsigned long long)t->lasa);
	json_object_set_new(j, "lasa", json_string(hex));
	return j;
}
