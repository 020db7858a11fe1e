/*
 * The SEV-SNP certificate table returned with an extended report
 * (SNP_GET_EXT_REPORT certs buffer, configfs-tsm auxblob, GHCB MSG_REPORT_REQ):
 * an array of 24-byte entries {GUID[16], u32 offset, u32 length} closed by an
 * all-zero entry; offsets count from the start of the buffer.  GUIDs are in
 * RFC 4122 byte order (GHCB spec 56421, "Certificate table"; go-sev-guest
 * abi/abi.go; virtee/sev src/firmware/host/types/snp.rs).
 */
#include <stdlib.h>
#include <string.h>

#include "cove/bytes.h"
#include "cove/snp.h"

#define ENTRY_SIZE 24
#define MAX_ENTRIES 64

static const struct {
	cove_snp_cert_kind kind;
	uint8_t guid[16];
} known_guids[] = {
	{COVE_SNP_CERT_VCEK, {0x63, 0xda, 0x75, 0x8d, 0xe6, 0x64, 0x45, 0x64, 0xad, 0xc5, 0xf4, 0xb9, 0x3b, 0xe8, 0xac, 0xcd}},
	{COVE_SNP_CERT_VLEK, {0xa8, 0x07, 0x4b, 0xc2, 0xa2, 0x5a, 0x48, 0x3e, 0xaa, 0xe6, 0x39, 0xc0, 0x45, 0xa0, 0xb8, 0xa1}},
	{COVE_SNP_CERT_ASK, {0x4a, 0xb7, 0xb3, 0x79, 0xbb, 0xac, 0x4f, 0xe4, 0xa0, 0x2f, 0x05, 0xae, 0xf3, 0x27, 0xc7, 0x82}},
	{COVE_SNP_CERT_ARK, {0xc0, 0xb4, 0x06, 0xa4, 0xa8, 0x03, 0x49, 0x52, 0x97, 0x43, 0x3f, 0xb6, 0x01, 0x4c, 0xd0, 0xae}},
	{COVE_SNP_CERT_CRL, {0x92, 0xf8, 0x1b, 0xc3, 0x58, 0x11, 0x4d, 0x3d, 0x97, 0xff, 0xd1, 0x9f, 0x88, 0xdc, 0x67, 0xea}},
};

static cove_snp_cert_kind kind_of(const uint8_t guid[16])
{
	for (size_t i = 0; i < sizeof(known_guids) / sizeof(known_guids[0]); i++)
		if (memcmp(guid, known_guids[i].guid, 16) == 0)
			return known_guids[i].kind;
	return COVE_SNP_CERT_OTHER;
}

static const uint8_t *guid_of(cove_snp_cert_kind kind)
{
	for (size_t i = 0; i < sizeof(known_guids) / sizeof(known_guids[0]); i++)
		if (known_guids[i].kind == kind)
			return known_guids[i].guid;
	return NULL;
}

void cove_snp_cert_table_free(cove_snp_cert_table *t)
{
	if (!t)
		return;
	free(t->entries);
	t->entries = NULL;
	t->count = 0;
}

cove_err cove_snp_cert_table_parse(const void *data, size_t len, cove_snp_cert_table *out, cove_error *e)
{
	const uint8_t *buf = data;
	cove_snp_cert_entry *entries = NULL;
	size_t n = 0;
	cove_err rc = COVE_OK;

	memset(out, 0, sizeof(*out));
	if (len == 0)
		return COVE_OK; /* hosts often supply no certificates at all */
	/* Count entries up to the terminator first, so offsets can be checked against the table's end. */
	for (;;) {
		if ((n + 1) * ENTRY_SIZE > len)
			return cove_error_set(e, COVE_ERR_PARSE,
					      "certificate table: entry %zu at offset %zu runs past the %zu-byte buffer "
					      "(no all-zero terminator)", n, n * ENTRY_SIZE, len);
		if (cove_is_zero(buf + n * ENTRY_SIZE, ENTRY_SIZE))
			break;
		if (++n > MAX_ENTRIES)
			return cove_error_set(e, COVE_ERR_PARSE, "certificate table has more than %d entries", MAX_ENTRIES);
	}
	size_t table_end = (n + 1) * ENTRY_SIZE;
	if (n && !(entries = calloc(n, sizeof(*entries))))
		return cove_error_set(e, COVE_ERR_NOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		const uint8_t *ent = buf + i * ENTRY_SIZE;
		uint32_t off = cove_le32(ent + 16), size = cove_le32(ent + 20);
		if (off < table_end || off > len || size > len - off) {
			rc = cove_error_set(e, COVE_ERR_PARSE,
					    "certificate table entry %zu: data at offset %u, length %u lies outside the "
					    "%zu bytes after the table (which ends at %zu)", i, off, size, len, table_end);
			goto out;
		}
		if (size == 0) {
			rc = cove_error_set(e, COVE_ERR_PARSE, "certificate table entry %zu is empty", i);
			goto out;
		}
		memcpy(entries[i].guid, ent, 16);
		entries[i].kind = kind_of(ent);
		entries[i].data = buf + off;
		entries[i].len = size;
		for (size_t j = 0; j < i; j++) {
			if (memcmp(entries[j].guid, ent, 16) == 0) {
				rc = cove_error_set(e, COVE_ERR_PARSE, "certificate table entries %zu and %zu share a GUID",
						    j, i);
				goto out;
			}
		}
	}
	out->entries = entries;
	out->count = n;
	entries = NULL;
out:
	free(entries);
	return rc;
}

cove_err cove_snp_cert_table_build(const cove_snp_cert_entry *in, size_t count, cove_buf *out, cove_error *e)
{
	if (count > MAX_ENTRIES)
		return cove_error_set(e, COVE_ERR_ARG, "too many certificate table entries (%zu)", count);
	size_t total = (count + 1) * ENTRY_SIZE;
	for (size_t i = 0; i < count; i++) {
		if (in[i].len > UINT32_MAX - total)
			return cove_error_set(e, COVE_ERR_ARG, "certificate table too large");
		total += in[i].len;
	}
	uint8_t *buf = calloc(1, total);
	if (!buf)
		return cove_error_set(e, COVE_ERR_NOMEM, "out of memory");
	size_t off = (count + 1) * ENTRY_SIZE;
	for (size_t i = 0; i < count; i++) {
		const uint8_t *g = in[i].kind == COVE_SNP_CERT_OTHER ? in[i].guid : guid_of(in[i].kind);
		memcpy(buf + i * ENTRY_SIZE, g, 16);
		cove_put_le32(buf + i * ENTRY_SIZE + 16, (uint32_t)off);
		cove_put_le32(buf + i * ENTRY_SIZE + 20, (uint32_t)in[i].len);
		memcpy(buf + off, in[i].data, in[i].len);
		off += in[i].len;
	}
	cove_buf_take(out, buf, total);
	return COVE_OK;
}
