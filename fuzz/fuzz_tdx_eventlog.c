/*
 * libFuzzer target: the TDX CC event log parser, replay, descriptions and
 * JSON, and the ACPI CCEL table parser on the same bytes.
 */
#include <stdint.h>
#include <stdlib.h>

#include "cove/tdx_eventlog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cove_tdx_ccel_table t;
	if (cove_tdx_ccel_table_parse(data, size, &t, NULL) == COVE_OK) {
		json_decref(cove_tdx_ccel_table_to_json(&t));
		cove_tdx_ccel_table_check_log(&t, size, NULL);
	}

	cove_tdx_eventlog log;
	if (cove_tdx_eventlog_parse(data, size, &log, NULL) != COVE_OK) {
		if (log.events || log.count)
			abort(); /* a failed parse leaves nothing behind */
		return 0;
	}
	if (log.used + log.padding != size || log.header_size > log.used || log.count > COVE_TDX_EVENTLOG_MAX_EVENTS)
		abort();
	size_t next = log.header_size;
	for (size_t i = 0; i < log.count; i++) {
		const cove_tdx_event *ev = &log.events[i];
		/* Records are contiguous and every pointer stays inside the input. */
		if (ev->offset != next || ev->size > size - ev->offset || ev->data < data ||
		    ev->data + ev->data_len > data + ev->offset + ev->size || ev->digest_count == 0 ||
		    ev->digest_count > log.alg_count)
			abort();
		for (size_t d = 0; d < ev->digest_count; d++)
			if (ev->digests[d].value < data + ev->offset || ev->digests[d].value + ev->digests[d].size > ev->data)
				abort();
		next = ev->offset + ev->size;
		char s[128];
		cove_tdx_event_describe(ev, s, sizeof(s));
	}
	if (next != log.used)
		abort();
	cove_tdx_rtmrs r;
	if (cove_tdx_eventlog_replay(&log, &r, NULL) == COVE_OK) {
		uint8_t zero[COVE_TDX_RTMR_COUNT * COVE_TDX_RTMR_SIZE] = {0};
		unsigned mismatch = 0;
		cove_tdx_rtmr_compare(&r, zero, 0xf, &mismatch, NULL);
		for (unsigned i = 0; i < COVE_TDX_RTMR_COUNT; i++)
			if (((mismatch >> i) & 1) != (r.extended[i] != 0))
				abort(); /* an extended RTMR is never all zero (SHA-384 preimage) */
	}
	json_decref(cove_tdx_eventlog_to_json(&log));
	cove_tdx_eventlog_free(&log);
	return 0;
}
