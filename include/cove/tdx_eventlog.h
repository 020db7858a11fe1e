/*
 * cove/tdx_eventlog.h - the TDX runtime-measurement event log (CCEL) and its
 * replay against RTMR0..3.
 *
 * The log is a TCG2 crypto-agile event log (TCG PC Client Platform Firmware
 * Profile; TCG EFI Protocol Specification, section 5): one
 * SHA-1-format TCG_PCR_EVENT carrying the "Spec ID Event03" structure,
 * then TCG_PCR_EVENT2 records whose index field is a CC measurement-register
 * index (UEFI 2.10 EFI_CC_MEASUREMENT_PROTOCOL; TDX: 0 = MRTD, 1..4 =
 * RTMR0..3).  The firmware publishes it through the ACPI "CCEL" table
 * (ACPI 6.5, "CC Event Log ACPI Table"), whose LASA/LAML give the log area; Linux shows
 * them as /sys/firmware/acpi/tables/CCEL and /sys/firmware/acpi/tables/data/CCEL.
 *
 * The RTMR values to compare with are inputs: take them from a verified TD
 * quote (cove/dcap.h) or from TDREPORT.  See docs/tdx-eventlog.md.
 */
#ifndef COVE_TDX_EVENTLOG_H
#define COVE_TDX_EVENTLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "cove/err.h"

#ifdef __cplusplus
extern "C" {
#endif

#define COVE_TDX_RTMR_COUNT 4
#define COVE_TDX_RTMR_SIZE 48 /* SHA-384 */

/* CC measurement-register indices of the log (MRTD is fixed at build time, never extended). */
#define COVE_TDX_MR_MRTD 0
#define COVE_TDX_MR_RTMR0 1 /* RTMR i is MR index i + 1 */

/* TPM_ALG_ID values of the digests (TCG Algorithm Registry). */
#define COVE_TCG_ALG_SHA1 0x0004
#define COVE_TCG_ALG_SHA256 0x000B
#define COVE_TCG_ALG_SHA384 0x000C
#define COVE_TCG_ALG_SHA512 0x000D
#define COVE_TCG_ALG_SM3_256 0x0012
#define COVE_TCG_ALG_SHA3_256 0x0027
#define COVE_TCG_ALG_SHA3_384 0x0028
#define COVE_TCG_ALG_SHA3_512 0x0029

/* Event types used below (TCG PC Client PFP, table "Event Types"). */
#define COVE_TCG_EV_NO_ACTION 0x00000003u
#define COVE_TCG_EV_SEPARATOR 0x00000004u
#define COVE_TCG_EV_EVENT_TAG 0x00000006u
#define COVE_TCG_EV_IPL 0x0000000Du
#define COVE_TCG_EV_EFI_EVENT_BASE 0x80000000u

/* Limits: more algorithms or events than this is refused as malformed. */
#define COVE_TDX_EVENTLOG_MAX_ALGS 8
#define COVE_TDX_EVENTLOG_MAX_EVENTS 65536

/* One algorithm of the Spec ID event: its TPM_ALG_ID and digest size. */
typedef struct cove_tcg_alg {
	uint16_t id;
	uint16_t size;
} cove_tcg_alg;

typedef struct cove_tdx_event_digest {
	uint16_t alg;
	uint16_t size;
	const uint8_t *value; /* into the log buffer */
} cove_tdx_event_digest;

/* One TCG_PCR_EVENT2 record.  Pointers refer into the caller's log buffer. */
typedef struct cove_tdx_event {
	size_t seq;          /* 1 for the first record after the Spec ID event */
	size_t offset;       /* of the record in the log */
	size_t size;         /* of the whole record */
	uint32_t mr_index;   /* CC MR index as logged: 0 MRTD, 1..4 RTMR0..3 */
	uint32_t type;       /* event type; untrusted, like the data */
	size_t digest_count;
	cove_tdx_event_digest digests[COVE_TDX_EVENTLOG_MAX_ALGS];
	const uint8_t *data;
	uint32_t data_len;
} cove_tdx_event;

typedef struct cove_tdx_eventlog {
	/* The Spec ID event (TCG_EfiSpecIDEventStruct) */
	uint32_t spec_mr_index;     /* index field of the SHA-1-format header */
	uint32_t platform_class;
	uint8_t spec_version_major, spec_version_minor, spec_errata;
	uint8_t uintn_size;         /* 1: UINT32, 2: UINT64 */
	size_t alg_count;
	cove_tcg_alg algs[COVE_TDX_EVENTLOG_MAX_ALGS];
	const uint8_t *vendor_info;
	uint8_t vendor_info_len;
	size_t header_size;         /* bytes of the Spec ID record */

	cove_tdx_event *events;     /* heap array of `count` records */
	size_t count;
	size_t used;                /* bytes from the log start to the end of the last record */
	size_t padding;             /* bytes after it: all 0xFF or all 0x00 */
} cove_tdx_eventlog;

/*
 * Parse a log of `len` bytes.  The end of the log is the first record
 * position where the rest of the buffer is padding (all 0xFF, as EDK2
 * initialises the log area, or all zero), or the end of the buffer.
 * Padding followed by anything else, a record running past the buffer,
 * a digest count of 0 or more than the Spec ID event declares, an
 * algorithm it does not declare, a repeated algorithm, an MR index that
 * TDX does not have (or MRTD) on a measured event, all fail with
 * COVE_ERR_PARSE naming the event number and byte offset.  `out` refers
 * into `data`, which must outlive it; release it with cove_tdx_eventlog_free().
 */
cove_err cove_tdx_eventlog_parse(const void *data, size_t len, cove_tdx_eventlog *out, cove_error *e);
void cove_tdx_eventlog_free(cove_tdx_eventlog *log);

/* The replayed registers. */
typedef struct cove_tdx_rtmrs {
	uint8_t rtmr[COVE_TDX_RTMR_COUNT][COVE_TDX_RTMR_SIZE];
	size_t extended[COVE_TDX_RTMR_COUNT]; /* events extended into each */
} cove_tdx_rtmrs;

/*
 * Replay: every RTMR starts at 48 zero bytes; each event other than
 * EV_NO_ACTION extends RTMR[mr_index - 1] := SHA-384(RTMR || its SHA-384
 * digest).  An extended event without a SHA-384 digest is COVE_ERR_PARSE.
 */
cove_err cove_tdx_eventlog_replay(const cove_tdx_eventlog *log, cove_tdx_rtmrs *out, cove_error *e);

/*
 * Compare replayed registers with expected ones: `expected` holds RTMR0..3
 * back to back (48 bytes each), as in a TD report body from offset 328.
 * Only the RTMRs whose bit (1 << i) is set in `which` are compared;
 * `*mismatch` (may be NULL) receives the bits of those that differ.
 * Returns COVE_ERR_VERIFY naming every differing RTMR, COVE_OK when all
 * compared ones are equal.
 */
cove_err cove_tdx_rtmr_compare(const cove_tdx_rtmrs *computed,
			       const uint8_t expected[COVE_TDX_RTMR_COUNT * COVE_TDX_RTMR_SIZE], unsigned which,
			       unsigned *mismatch, cove_error *e);

/* "EV_EFI_ACTION" etc., or NULL for a type the TCG PC Client PFP does not name. */
const char *cove_tdx_event_type_name(uint32_t type);
/* "MRTD", "RTMR0".."RTMR3", or NULL. */
const char *cove_tdx_mr_name(uint32_t mr_index);
/* "sha384" etc., or NULL. */
const char *cove_tcg_alg_name(uint16_t alg);

/*
 * A short printable summary of the event data into `out` (always
 * NUL-terminated): the text of text events, the name and GUID of UEFI
 * variables, the file path of loaded images, the description of firmware
 * blobs and handoff tables, the size otherwise.
 */
void cove_tdx_event_describe(const cove_tdx_event *ev, char *out, size_t cap);

/* The digest of `alg` in `ev`, or NULL. */
const cove_tdx_event_digest *cove_tdx_event_digest_find(const cove_tdx_event *ev, uint16_t alg);

/*
 * JSON: {"spec_id": {...}, "events": [{"seq", "offset", "mr_index", "mr",
 * "type", "type_name", "digests": [{"alg", "alg_id", "digest"}],
 * "data_size", "data_hashed", "summary", "data"}], "used", "padding"}.
 * "data_hashed" says whether the SHA-384 digest is the hash of the data
 * itself (true for text, variable and separator events; false where the
 * firmware hashed something else, e.g. a PE image; absent without a SHA-384
 * digest).  NULL on allocation failure.
 */
json_t *cove_tdx_eventlog_to_json(const cove_tdx_eventlog *log);

/* ---- ACPI CCEL table (ACPI 6.5, "CC Event Log ACPI Table") ---- */

#define COVE_CCEL_TABLE_SIZE 56
#define COVE_CCEL_CC_TYPE_SEV 1
#define COVE_CCEL_CC_TYPE_TDX 2

typedef struct cove_tdx_ccel_table {
	uint32_t length;
	uint8_t revision;
	uint8_t checksum;
	char oem_id[7];
	char oem_table_id[9];
	uint32_t oem_revision;
	char creator_id[5];
	uint32_t creator_revision;
	uint8_t cc_type;     /* 2 = Intel TDX */
	uint8_t cc_subtype;
	uint64_t laml;       /* log area minimum length */
	uint64_t lasa;       /* log area start address (guest physical) */
} cove_tdx_ccel_table;

/*
 * Parse the table: signature "CCEL", length field equal to `len` and at
 * least 56, bytes summing to zero (mod 256), CC type 2 (TDX; another CC
 * type is COVE_ERR_UNSUPPORTED), LAML non-zero.
 */
cove_err cove_tdx_ccel_table_parse(const void *data, size_t len, cove_tdx_ccel_table *out, cove_error *e);

/* A log of `log_len` bytes must fit the log area the table declares. */
cove_err cove_tdx_ccel_table_check_log(const cove_tdx_ccel_table *t, size_t log_len, cove_error *e);

json_t *cove_tdx_ccel_table_to_json(const cove_tdx_ccel_table *t);

#ifdef __cplusplus
}
#endif
#endif
