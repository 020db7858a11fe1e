/*
 * OVMF image parsing for the launch measurement: the GUIDed footer table and
 * the SEV metadata it points to.
 *
 * Layout (edk2 OvmfPkg/ResetVector, as read by virtee/sev-snp-measure
 * ovmf.py and QEMU hw/i386/pc_sysfw_ovmf.c): a footer entry {u16 size, GUID
 * 96b582de-...} ends 32 bytes before the end of the image; `size` covers the
 * whole table.  Entries are read backwards, each being data || u16 length ||
 * GUID with the length counting all three.  The SEV metadata entry holds the
 * offset, from the end of the image, of an "ASEV" header followed by
 * {u32 gpa, u32 size, u32 type} items.
 *
 * Everything here is untrusted input: every length is checked against what
 * remains, and anything inconsistent is a parse error naming the offset.
 * Unlike sev-snp-measure, leftover bytes, undersized entries and duplicate
 * GUIDs are refused rather than silently skipped or overwritten.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cove/bytes.h"
#include "cove/snp_measure.h"
#include "snp/measure_layout.h"

const uint8_t cove_snp_guid_table_footer[16] =
	COVE_EFI_GUID(0x96b582de, 0x1fb2, 0x45f7, 0xba, 0xea, 0xa3, 0x66, 0xc5, 0x5a, 0x08, 0x2d);
const uint8_t cove_snp_guid_sev_es_reset[16] =
	COVE_EFI_GUID(0x00f771de, 0x1a7e, 0x4fcb, 0x89, 0x0e, 0x68, 0xc7, 0x7e, 0x2f, 0xb4, 0x4e);
const uint8_t cove_snp_guid_hash_table[16] =
	COVE_EFI_GUID(0x7255371f, 0x3a3b, 0x4b04, 0x92, 0x7b, 0x1d, 0xa6, 0xef, 0xa8, 0xd4, 0x54);
const uint8_t cove_snp_guid_sev_metadata[16] =
	COVE_EFI_GUID(0xdc886566, 0x984a, 0x4798, 0xa7, 0x5e, 0x55, 0x85, 0xa7, 0xbf, 0x67, 0xcc);

#define FOUR_GIB 0x100000000ULL

void cove_snp_guid_format(const uint8_t g[16], char out[37])
{
	snprintf(out, 37, "%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x", (unsigned)cove_le32(g),
		 (unsigned)cove_le16(g + 4), (unsigned)cove_le16(g + 6), g[8], g[9], g[10], g[11], g[12], g[13],
		 g[14], g[15]);
}

const char *cove_snp_section_type_name(uint32_t type)
{
	switch (type) {
	case COVE_SNP_SECTION_SEC_MEM: return "SNP_SEC_MEM";
	case COVE_SNP_SECTION_SECRETS: return "SNP_SECRETS";
	case COVE_SNP_SECTION_CPUID: return "CPUID";
	case COVE_SNP_SECTION_SVSM_CAA: return "SVSM_CAA";
	case COVE_SNP_SECTION_KERNEL_HASHES: return "SNP_KERNEL_HASHES";
	default: return "unknown";
	}
}

bool cove_snp_ovmf_has_section(const cove_snp_ovmf *o, uint32_t type)
{
	for (size_t i = 0; i < o->nsections; i++)
		if (o->sections[i].type == type)
			return true;
	return false;
}

cove_err cove_snp_ovmf_read(const char *path, cove_buf *out, cove_error *e)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return cove_error_set(e, COVE_ERR_IO, "cannot open %s: %s", path, strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd); /* a pipe or device: size unknown, read it in chunks */
		return cove_file_read(path, COVE_SNP_OVMF_MAX_LEN, out, e);
	}
	if ((uint64_t)st.st_size > COVE_SNP_OVMF_MAX_LEN) {
		close(fd);
		return cove_error_set(e, COVE_ERR_ARG, "%s is %lld bytes, larger than the %zu-byte limit for a firmware image",
				      path, (long long)st.st_size, COVE_SNP_OVMF_MAX_LEN);
	}
	size_t size = (size_t)st.st_size, got = 0;
	uint8_t *p = malloc(size + 1);
	if (!p) {
		close(fd);
		return cove_error_set(e, COVE_ERR_NOMEM, "out of memory reading %zu bytes of %s", size, path);
	}
	while (got < size) {
		ssize_t n = read(fd, p + got, size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			cove_err rc = n < 0 ? cove_error_set(e, COVE_ERR_IO, "cannot read %s: %s", path, strerror(errno))
					    : cove_error_set(e, COVE_ERR_IO, "%s shrank while being read", path);
			free(p);
			close(fd);
			return rc;
		}
		got += (size_t)n;
	}
	close(fd);
	cove_buf_take(out, p, size);
	return COVE_OK;
}

static const cove_snp_ovmf_entry *find_entry(const cove_snp_ovmf *o, const uint8_t guid[16])
{
	for (size_t i = 0; i < o->nentries; i++)
		if (memcmp(o->entries[i].guid, guid, 16) == 0)
			return &o->entries[i];
	return NULL;
}

/* Walk the table backwards from its footer; entries end up in file order. */
static cove_err parse_table(cove_snp_ovmf *o, cove_error *e)
{
	const uint8_t *d = o->data;
	size_t footer = o->len - OVMF_FOOTER_LEN; /* offset of the footer's u16 size */
	size_t table_size = cove_le16(d + footer);
	if (table_size < OVMF_ENTRY_HDR_LEN)
		return cove_error_set(e, COVE_ERR_PARSE,
				      "OVMF footer table at offset 0x%zx: size %zu is smaller than its own %d-byte header",
				      footer, table_size, OVMF_ENTRY_HDR_LEN);
	size_t body = table_size - OVMF_ENTRY_HDR_LEN;
	if (body > footer)
		return cove_error_set(e, COVE_ERR_PARSE,
				      "OVMF footer table at offset 0x%zx: size %zu reaches before the start of the "
				      "%zu-byte image",
				      footer, table_size, o->len);
	size_t start = footer - body;
	size_t end = footer; /* entries occupy [start, end) */
	cove_snp_ovmf_entry rev[COVE_SNP_OVMF_MAX_ENTRIES];
	size_t n = 0;
	while (end > start) {
		size_t remaining = end - start;
		if (remaining < OVMF_ENTRY_HDR_LEN)
			return cove_error_set(e, COVE_ERR_PARSE,
					      "OVMF footer table: %zu stray bytes at offset 0x%zx, too few for an entry",
					      remaining, start);
		size_t len = cove_le16(d + end - OVMF_ENTRY_HDR_LEN);
		if (len < OVMF_ENTRY_HDR_LEN)
			return cove_error_set(e, COVE_ERR_PARSE,
					      "OVMF footer table: entry ending at offset 0x%zx has length %zu, less than "
					      "its %d-byte header",
					      end, len, OVMF_ENTRY_HDR_LEN);
		if (len > remaining)
			return cove_error_set(e, COVE_ERR_PARSE,
					      "OVMF footer table: entry ending at offset 0x%zx has length %zu but only %zu "
					      "bytes of the table remain",
					      end, len, remaining);
		if (n == COVE_SNP_OVMF_MAX_ENTRIES)
			return cove_error_set(e, COVE_ERR_PARSE, "OVMF footer table: more than %d entries",
					      COVE_SNP_OVMF_MAX_ENTRIES);
		cove_snp_ovmf_entry *en = &rev[n++];
		memcpy(en->guid, d + end - 16, 16);
		en->offset = end - len;
		en->len = len - OVMF_ENTRY_HDR_LEN;
		for (size_t i = 0; i + 1 < n; i++) {
			if (memcmp(rev[i].guid, en->guid, 16) == 0) {
				char g[37];
				cove_snp_guid_format(en->guid, g);
				return cove_error_set(e, COVE_ERR_PARSE,
						      "OVMF footer table: GUID %s appears twice (offsets 0x%zx and 0x%zx)",
						      g, en->offset, rev[i].offset);
			}
		}
		end -= len;
	}
	o->nentries = n;
	for (size_t i = 0; i < n; i++)
		o->entries[i] = rev[n - 1 - i];
	return COVE_OK;
}

/* A known entry must carry at least `need` bytes of data. */
static cove_err entry_check(const cove_snp_ovmf_entry *en, const char *what, size_t need, cove_error *e)
{
	if (en->len < need) {
		char g[37];
		cove_snp_guid_format(en->guid, g);
		return cove_error_set(e, COVE_ERR_PARSE,
				      "OVMF footer table: %s entry %s at offset 0x%zx holds %zu bytes, needs %zu", what, g,
				      en->offset, en->len, need);
	}
	return COVE_OK;
}

static cove_err parse_metadata(cove_snp_ovmf *o, const cove_snp_ovmf_entry *en, cove_error *e)
{
	cove_err rc = entry_check(en, "SEV metadata", 4, e);
	if (rc)
		return rc;
	const uint8_t *d = o->data;
	uint32_t off = cove_le32(d + en->offset);
	o->metadata_offset = off;
	if (off > o->len || off < OVMF_META_HDR_LEN)
		return cove_error_set(e, COVE_ERR_PARSE,
				      "SEV metadata offset 0x%x (from the end) does not leave room for its %d-byte header "
				      "inside the %zu-byte image",
				      off, OVMF_META_HDR_LEN, o->len);
	size_t start = o->len - off;
	if (memcmp(d + start + OVMF_META_OFF_SIGNATURE, "ASEV", 4) != 0)
		return cove_error_set(e, COVE_ERR_PARSE,
				      "SEV metadata at offset 0x%zx: signature %02x %02x %02x %02x is not \"ASEV\"", start,
				      d[start], d[start + 1], d[start + 2], d[start + 3]);
	uint32_t size = cove_le32(d + start + OVMF_META_OFF_SIZE);
	uint32_t version = cove_le32(d + start + OVMF_META_OFF_VERSION);
	uint32_t count = cove_le32(d + start + OVMF_META_OFF_COUNT);
	o->metadata_version = version;
	if (version != 1)
		return cove_error_set(e, COVE_ERR_PARSE, "SEV metadata at offset 0x%zx: version %u, only 1 is known",
				      start, version);
	if (size < OVMF_META_HDR_LEN || size > off)
		return cove_error_set(e, COVE_ERR_PARSE,
				      "SEV metadata at offset 0x%zx: size %u must be at least %d and end inside the image "
				      "(%u bytes left)",
				      start, size, OVMF_META_HDR_LEN, off);
	if (count > (size - OVMF_META_HDR_LEN) / OVMF_META_ITEM_LEN)
		return cove_error_set(e, COVE_ERR_PARSE,
				      "SEV metadata at offset 0x%zx: %u sections of %d bytes do not fit in its size %u",
				      start, count, OVMF_META_ITEM_LEN, size);
	if (count > COVE_SNP_OVMF_MAX_SECTIONS)
		return cove_error_set(e, COVE_ERR_PARSE, "SEV metadata at offset 0x%zx: %u sections, at most %d supported",
				      start, count, COVE_SNP_OVMF_MAX_SECTIONS);
	for (uint32_t i = 0; i < count; i++) {
		const uint8_t *item = d + start + OVMF_META_HDR_LEN + (size_t)i * OVMF_META_ITEM_LEN;
		o->sections[i].gpa = cove_le32(item);
		o->sections[i].size = cove_le32(item + 4);
		o->sections[i].type = cove_le32(item + 8);
	}
	o->nsections = count;
	o->has_metadata = true;
	return COVE_OK;
}

cove_err cove_snp_ovmf_parse(const uint8_t *data, size_t len, cove_snp_ovmf *out, cove_error *e)
{
	memset(out, 0, sizeof(*out));
	if (!data && len)
		return cove_error_set(e, COVE_ERR_ARG, "OVMF image pointer is NULL");
	out->data = data;
	out->len = len;
	out->gpa = len <= FOUR_GIB ? FOUR_GIB - len : 0;
	if (len < OVMF_FOOTER_LEN)
		return cove_error_set(e, COVE_ERR_PARSE,
				      "OVMF image is %zu bytes, too short to hold the footer table (%d bytes before the end)",
				      len, OVMF_FOOTER_LEN);
	if (memcmp(data + len - OVMF_FOOTER_END_GAP - 16, cove_snp_guid_table_footer, 16) != 0)
		return COVE_OK; /* no footer table: a plain (non-SEV) firmware */
	out->has_footer = true;
	cove_err rc = parse_table(out, e);
	if (rc)
		return rc;

	const cove_snp_ovmf_entry *en = find_entry(out, cove_snp_guid_sev_es_reset);
	if (en) {
		if ((rc = entry_check(en, "SEV-ES reset block", 4, e)))
			return rc;
		out->has_reset_eip = true;
		out->reset_eip = cove_le32(data + en->offset);
	}
	en = find_entry(out, cove_snp_guid_hash_table);
	if (en) {
		if ((rc = entry_check(en, "SEV hash table", 4, e)))
			return rc;
		out->has_hash_table = true;
		out->hash_table_gpa = cove_le32(data + en->offset);
		out->hash_table_size = en->len >= 8 ? cove_le32(data + en->offset + 4) : 0;
	}
	en = find_entry(out, cove_snp_guid_sev_metadata);
	if (en && (rc = parse_metadata(out, en, e)))
		return rc;
	return COVE_OK;
}

static json_t *hexnum(uint64_t v)
{
	char buf[24];
	snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)v);
	return json_string(buf);
}

json_t *cove_snp_ovmf_to_json(const cove_snp_ovmf *o)
{
	json_t *j = json_object();
	json_object_set_new(j, "size", json_integer((json_int_t)o->len));
	json_object_set_new(j, "gpa", hexnum(o->gpa));
	json_object_set_new(j, "footer_table", json_boolean(o->has_footer));
	json_t *entries = json_array();
	for (size_t i = 0; i < o->nentries; i++) {
		char g[37];
		cove_snp_guid_format(o->entries[i].guid, g);
		json_t *en = json_object();
		json_object_set_new(en, "guid", json_string(g));
		json_object_set_new(en, "offset", hexnum(o->entries[i].offset));
		json_object_set_new(en, "length", json_integer((json_int_t)o->entries[i].len));
		json_array_append_new(entries, en);
	}
	json_object_set_new(j, "entries", entries);
	json_object_set_new(j, "sev_es_reset_eip", o->has_reset_eip ? hexnum(o->reset_eip) : json_null());
	json_object_set_new(j, "sev_hash_table_gpa", o->has_hash_table ? hexnum(o->hash_table_gpa) : json_null());
	json_object_set_new(j, "sev_metadata", json_boolean(o->has_metadata));
	json_t *secs = json_array();
	for (size_t i = 0; i < o->nsections; i++) {
		const cove_snp_ovmf_section *s = &o->sections[i];
		json_t *sj = json_object();
		json_object_set_new(sj, "gpa", hexnum(s->gpa));
		json_object_set_new(sj, "size", hexnum(s->size));
		const char *name = cove_snp_section_type_name(s->type);
		json_object_set_new(sj, "type", strcmp(name, "unknown") ? json_string(name) : hexnum(s->type));
		json_array_append_new(secs, sj);
	}
	json_object_set_new(j, "sections", secs);
	json_object_set_new(j, "kernel_hashes", json_boolean(cove_snp_ovmf_has_section(o, COVE_SNP_SECTION_KERNEL_HASHES)));
	return j;
}
