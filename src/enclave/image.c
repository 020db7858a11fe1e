/*
 * Enclave images: parse a position-independent ELF64 shared object, lay it
 * out as the loader will, measure the layout with the SGX algorithm
 * (MRENCLAVE) and sign it (SIGSTRUCT).  Contract: include/cove/enclave_image.h;
 * layout picture and record formats: docs/enclave-image.md.
 *
 * ELF (System V gABI, x86-64 psABI) is read field by field at explicit
 * offsets with the little-endian helpers; <elf.h> supplies only constants.
 * The measurement follows the Intel SDM vol. 3D (ECREATE, EADD, EEXTEND) in
 * the record formats Gramine's sgx_sign.py packs (shared/research/
 * enclave-sdk.md A3, sgx-tdx.md): one SHA-256 stream over 64-byte records.
 */
#include <elf.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cove/bytes.h"
#include "cove/crypto.h"
#include "cove/enclave_image.h"

#define PAGE COVE_ENCLAVE_PAGE_SIZE
#define EXTEND_CHUNK 256u

/* ELF64 header (gABI "ELF Header"). */
#define EH_SIZE 64
#define EH_TYPE 16
#define EH_MACHINE 18
#define EH_VERSION 20
#define EH_PHOFF 32
#define EH_SHOFF 40
#define EH_PHENTSIZE 54
#define EH_PHNUM 56
#define EH_SHENTSIZE 58
#define EH_SHNUM 60
#define EH_SHSTRNDX 62

/* ELF64 program header. */
#define PH_SIZE 56
#define PH_TYPE 0
#define PH_FLAGS 4
#define PH_OFFSET 8
#define PH_VADDR 16
#define PH_FILESZ 32
#define PH_MEMSZ 40

/* ELF64 section header. */
#define SH_SIZE 64
#define SH_NAME 0
#define SH_TYPE 4
#define SH_FLAGS 8
#define SH_ADDR 16
#define SH_OFFSET 24
#define SH_SIZEF 32

/* Configuration (cove/enclave_config.h). */
#define CFG_MAGIC 0
#define CFG_VERSION 8
#define CFG_FLAGS 12
#define CFG_HEAP 16
#define CFG_STACK 24
#define CFG_TCS 32
#define CFG_PROD_ID 36
#define CFG_SVN 38
#define CFG_WORKERS 40
#define CFG_RESERVED 44
#define CFG_RESERVED_LEN 20
_Static_assert(CFG_RESERVED + CFG_RESERVED_LEN == COVE_ENCLAVE_CONFIG_SIZE, "config layout");

/* TCS (SDM vol. 3D, 34.8 "Thread Control Structure"). */
#define TCS_OSSA 16
#define TCS_CSSA 24
#define TCS_NSSA 28
#define TCS_OENTRY 32

/* SIGSTRUCT fields this module reads (enclave_css_t). */
#define SS_ENCLAVE_HASH 960

/* Limits that keep every sum below 2^64 and measuring bounded. */
#define MAX_IMAGE_END (UINT64_C(1) << 36)
#define MAX_SEGMENTS 64

#define KNOWN_CONFIG_FLAGS COVE_ENCLAVE_CONFIG_DEBUG

struct cove_enclave_image {
	const uint8_t *data;
	size_t len;
	cove_enclave_config cfg;
	cove_enclave_segment seg[MAX_SEGMENTS];
	size_t nseg;
	cove_enclave_region *regions;
	size_t nregions;
	uint64_t image_size;
	uint64_t enclave_size;
	uint64_t sig_off;
};

static uint64_t page_down(uint64_t v)
{
	return v & ~(uint64_t)(PAGE - 1);
}

static uint64_t page_up(uint64_t v)
{
	return (v + PAGE - 1) & ~(uint64_t)(PAGE - 1);
}

/* [off, off+n) lies inside a buffer of `len` bytes (overflow-safe). */
static bool in_file(uint64_t off, uint64_t n, size_t len)
{
	return off <= len && n <= len - off;
}

static uint32_t secinfo_of(uint32_t p_flags)
{
	uint32_t s = COVE_SECINFO_PT_REG;
	if (p_flags & PF_R)
		s |= COVE_SECINFO_R;
	if (p_flags & PF_W)
		s |= COVE_SECINFO_W;
	if (p_flags & PF_X)
		s |= COVE_SECINFO_X;
	return s;
}

static cove_err check_header(const uint8_t *d, size_t len, cove_error *e)
{
	if (len < EH_SIZE)
		return cove_error_set(e, COVE_ERR_PARSE, "enclave image: %zu bytes, shorter than an ELF64 header (64)",
				      len);
	if (memcmp(d, ELFMAG, SELFMAG) != 0)
		return cove_error_set(e, COVE_ERR_PARSE, "enclave image: no ELF magic at offset 0");
	if (d[EI_CLASS] != ELFCLASS64)
		return cove_error_set(e, COVE_ERR_PARSE, "enclave image: ELF class %u, expected ELFCLASS64 (2)",
				      d[EI_CLASS]);
	if (d[EI_DATA] != ELFDATA2LSB)
		return cove_error_set(e, COVE_ERR_PARSE, "enclave image: ELF data encoding %u, expected little-endian (1)",
				      d[EI_DATA]);
	if (d[EI_VERSION] != EV_CURRENT || cove_le32(d + EH_VERSION) != EV_CURRENT)
		return cove_error_set(e, COVE_ERR_PARSE, "enclave image: ELF version is not EV_CURRENT (1)");
	if (cove_le16(d + EH_TYPE) != ET_DYN)
		return cove_error_set(e, COVE_ERR_PARSE,
				      "enclave image: ELF type %u, expected ET_DYN (3, a position-independent shared object)",
				      cove_le16(d + EH_TYPE));
	if (cove_le16(d + EH_MACHINE) != EM_X86_64)
		return cove_error_set(e, COVE_ERR_PARSE, "enclave image: ELF machine %u, expected EM_X86_64 (62)",
				      cove_le16(d + EH_MACHINE));
	return COVE_OK;
}

static cove_err parse_segments(cove_enclave_image *img, cove_error *e)
{
	const uint8_t *d = img->data;
	uint64_t phoff = cove_le64(d + EH_PHOFF);
	uint16_t phentsize = cove_le16(d + EH_PHENTSIZE), phnum = cove_le16(d + EH_PHNUM);

	if (phnum == 0)
		return cove_error_set(e, COVE_ERR_PARSE, "enclave image: no program headers");
	if (phnum == PN_XNUM)
		return cove_error_set(e, COVE_ERR_PARSE, "enclave image: extended program header numbering is not supported");
	if (phentsize != PH_SIZE)
		return cove_error_set(e, COVE_ERR_PARSE, "enclave image: e_phentsize %u, expected %u", phentsize, PH_SIZE);
	if (!in_file(phoff, (uint64_t)phnum * PH_SIZE, img->len))
		return cove_error_set(e, COVE_ERR_PARSE,
				      "enclave image: program headers (%u at offset %llu) extend past the end of the file (%zu bytes)",
				      phnum, (unsigned long long)phoff, img->len);

	for (uint16_t i = 0; i < phnum; i++) {
		const uint8_t *ph = d + phoff + (uint64_t)i * PH_SIZE;
		if (cove_le32(ph + PH_TYPE) != PT_LOAD)
			continue;
		cove_enclave_segment s = {
			.vaddr = cove_le64(ph + PH_VADDR),
			.memsz = cove_le64(ph + PH_MEMSZ),
			.offset = cove_le64(ph + PH_OFFSET),
			.filesz = cove_le64(ph + PH_FILESZ),
			.secinfo = secinfo_of(cove_le32(ph + PH_FLAGS)),
		};
		if (img->nseg == MAX_SEGMENTS)
			return cove_error_set(e, COVE_ERR_PARSE, "enclave image: more than %d PT_LOAD segments", MAX_SEGMENTS);
		if (s.memsz == 0)
			return cove_error_set(e, COVE_ERR_PARSE, "enclave image: PT_LOAD (program header %u) is empty", i);
		if (s.filesz > s.memsz)
			return cove_error_set(e, COVE_ERR_PARSE,
					      "enclave image: PT_LOAD (program header %u) has p_filesz %llu > p_memsz %llu", i,
					      (unsigned long long)s.filesz, (unsigned long long)s.memsz);
		if (!in_file(s.offset, s.filesz, img->len))
			return cove_error_set(e, COVE_ERR_PARSE,
					      "enclave image: PT_LOAD (program header %u) file bytes [%llu, +%llu) extend past the end of the file (%zu bytes)",
					      i, (unsigned long long)s.offset, (unsigned long long)s.filesz, img->len);
		if (s.vaddr > MAX_IMAGE_END || s.memsz > MAX_IMAGE_END - s.vaddr)
			return cove_error_set(e, COVE_ERR_PARSE,
					      "enclave image: PT_LOAD (program header %u) at vaddr 0x%llx size 0x%llx ends beyond 64 GiB",
					      i, (unsigned long long)s.vaddr, (unsigned long long)s.memsz);
		if ((s.vaddr ^ s.offset) & (PAGE - 1))
			return cove_error_set(e, COVE_ERR_PARSE,
					      "enclave image: PT_LOAD (program header %u) vaddr 0x%llx and offset 0x%llx differ modulo the page size",
					      i, (unsigned long long)s.vaddr, (unsigned long long)s.offset);
		/* Keep the segments sorted by vaddr (insertion; there are few). */
		size_t j = img->nseg;
		while (j > 0 && img->seg[j - 1].vaddr > s.vaddr) {
			img->seg[j] = img->seg[j - 1];
			j--;
		}
		img->seg[j] = s;
		img->nseg++;
	}
	if (img->nseg == 0)
		return cove_error_set(e, COVE_ERR_PARSE, "enclave image: no PT_LOAD segment");
	for (size_t i = 1; i < img->nseg; i++) {
		const cove_enclave_segment *a = &img->seg[i - 1], *b = &img->seg[i];
		if (page_up(a->vaddr + a->memsz) > page_down(b->vaddr))
			return cove_error_set(e, COVE_ERR_PARSE,
					      "enclave image: PT_LOAD segments at vaddr 0x%llx and 0x%llx share or overlap a page",
					      (unsigned long long)a->vaddr, (unsigned long long)b->vaddr);
	}
	const cove_enclave_segment *last = &img->seg[img->nseg - 1];
	img->image_size = page_up(last->vaddr + last->memsz);
	return COVE_OK;
}

static cove_err parse_config(cove_enclave_image *img, const uint8_t *c, cove_error *e)
{
	cove_enclave_config *cfg = &img->cfg;
	memcpy(cfg->magic, c + CFG_MAGIC, 8);
	cfg->version = cove_le32(c + CFG_VERSION);
	cfg->flags = cove_le32(c + CFG_FLAGS);
	cfg->heap_size = cove_le64(c + CFG_HEAP);
	cfg->stack_size = cove_le64(c + CFG_STACK);
	cfg->tcs_count = cove_le32(c + CFG_TCS);
	cfg->isv_prod_id = cove_le16(c + CFG_PROD_ID);
	cfg->isv_svn = cove_le16(c + CFG_SVN);
	cfg->switchless_workers = cove_le32(c + CFG_WORKERS);
	memcpy(cfg->reserved, c + CFG_RESERVED, CFG_RESERVED_LEN);

	if (memcmp(cfg->magic, COVE_ENCLAVE_CONFIG_MAGIC, 8) != 0)
		return cove_error_set(e, COVE_ERR_PARSE, "enclave config: bad magic (expected \"%s\")",
				      COVE_ENCLAVE_CONFIG_MAGIC);
	if (cfg->version != COVE_ENCLAVE_CONFIG_VERSION)
		return cove_error_set(e, COVE_ERR_PARSE, "enclave config: version %u, expected %u", cfg->version,
				      COVE_ENCLAVE_CONFIG_VERSION);
	if (cfg->flags & ~KNOWN_CONFIG_FLAGS)
		return cove_error_set(e, COVE_ERR_PARSE, "enclave config: unknown flags 0x%x", cfg->flags & ~KNOWN_CONFIG_FLAGS);
	if (cfg->heap_size == 0 || cfg->heap_size % PAGE || cfg->heap_size > COVE_ENCLAVE_MAX_HEAP)
		return cove_error_set(e, COVE_ERR_PARSE,
				      "enclave config: heap_size %llu is not a non-zero multiple of 4096 of at most %llu",
				      (unsigned long long)cfg->heap_size, (unsigned long long)COVE_ENCLAVE_MAX_HEAP);
	if (cfg->stack_size == 0 || cfg->stack_size % PAGE || cfg->stack_size > COVE_ENCLAVE_MAX_STACK)
		return cove_error_set(e, COVE_ERR_PARSE,
				      "enclave config: stack_size %llu is not a non-zero multiple of 4096 of at most %llu",
				      (unsigned long long)cfg->stack_size, (unsigned long long)COVE_ENCLAVE_MAX_STACK);
	if (cfg->tcs_count == 0 || cfg->tcs_count > COVE_ENCLAVE_MAX_TCS)
		return cove_error_set(e, COVE_ERR_PARSE, "enclave config: tcs_count %u is not in 1..%u", cfg->tcs_count,
				      COVE_ENCLAVE_MAX_TCS);
	if (cfg->switchless_workers > COVE_ENCLAVE_MAX_WORKERS)
		return cove_error_set(e, COVE_ERR_PARSE, "enclave config: switchless_workers %u is more than %u",
				      cfg->switchless_workers, COVE_ENCLAVE_MAX_WORKERS);
	if (!cove_is_zero(cfg->reserved, CFG_RESERVED_LEN))
		return cove_error_set(e, COVE_ERR_PARSE, "enclave config: reserved bytes (offset %d) are not zero",
				      CFG_RESERVED);
	return COVE_OK;
}

/* The section name at `name` in the section-name table, if it is NUL-terminated inside it. */
static bool name_is(const uint8_t *strtab, uint64_t strsz, uint32_t name, const char *want)
{
	size_t n = strlen(want) + 1;
	return name <= strsz && n <= strsz - name && memcmp(strtab + name, want, n) == 0;
}

static cove_err parse_sections(cove_enclave_image *img, cove_error *e)
{
	const uint8_t *d = img->data;
	uint64_t shoff = cove_le64(d + EH_SHOFF);
	uint16_t shentsize = cove_le16(d + EH_SHENTSIZE), shnum = cove_le16(d + EH_SHNUM);
	uint16_t shstrndx = cove_le16(d + EH_SHSTRNDX);
	const uint8_t *cfg_sh = NULL, *sig_sh = NULL;

	if (shoff == 0 || shnum == 0)
		return cove_error_set(e, COVE_ERR_PARSE,
				      "enclave image: no section headers (extended numbering is not supported); "
				      "the %s section cannot be found", COVE_ENCLAVE_CONFIG_SECTION);
	if (shentsize != SH_SIZE)
		return cove_error_set(e, COVE_ERR_PARSE, "enclave image: e_shentsize %u, expected %u", shentsize, SH_SIZE);
	if (!in_file(shoff, (uint64_t)shnum * SH_SIZE, img->len))
		return cove_error_set(e, COVE_ERR_PARSE,
				      "enclave image: section headers (%u at offset %llu) extend past the end of the file (%zu bytes)",
				      shnum, (unsigned long long)shoff, img->len);
	if (shstrndx == SHN_UNDEF || shstrndx >= shnum)
		return cove_error_set(e, COVE_ERR_PARSE, "enclave image: e_shstrndx %u is not a section (of %u)", shstrndx,
				      shnum);
	const uint8_t *strsh = d + shoff + (uint64_t)shstrndx * SH_SIZE;
	uint64_t stroff = cove_le64(strsh + SH_OFFSET), strsz = cove_le64(strsh + SH_SIZEF);
	if (cove_le32(strsh + SH_TYPE) != SHT_STRTAB || !in_file(stroff, strsz, img->len))
		return cove_error_set(e, COVE_ERR_PARSE,
				      "enclave image: section-name table (section %u) is not a string table inside the file",
				      shstrndx);
	const uint8_t *strtab = d + stroff;

	for (uint16_t i = 0; i < shnum; i++) {
		const uint8_t *sh = d + shoff + (uint64_t)i * SH_SIZE;
		uint32_t name = cove_le32(sh + SH_NAME);
		if (name_is(strtab, strsz, name, COVE_ENCLAVE_CONFIG_SECTION)) {
			if (cfg_sh)
				return cove_error_set(e, COVE_ERR_PARSE, "enclave image: more than one %s section (section %u)",
						      COVE_ENCLAVE_CONFIG_SECTION, i);
			cfg_sh = sh;
		} else if (name_is(strtab, strsz, name, COVE_ENCLAVE_SIGSTRUCT_SECTION)) {
			if (sig_sh)
				return cove_error_set(e, COVE_ERR_PARSE, "enclave image: more than one %s section (section %u)",
						      COVE_ENCLAVE_SIGSTRUCT_SECTION, i);
			sig_sh = sh;
		}
	}

	/* .cove_config: 64 bytes of file content inside a read-only PT_LOAD, hence measured. */
	if (!cfg_sh)
		return cove_error_set(e, COVE_ERR_PARSE,
				      "enclave image: no %s section (state the configuration with COVE_ENCLAVE_CONFIG or build with cove_add_enclave)",
				      COVE_ENCLAVE_CONFIG_SECTION);
	uint64_t caddr = cove_le64(cfg_sh + SH_ADDR), coff = cove_le64(cfg_sh + SH_OFFSET);
	uint64_t csz = cove_le64(cfg_sh + SH_SIZEF), cflags = cove_le64(cfg_sh + SH_FLAGS);
	if (cove_le32(cfg_sh + SH_TYPE) != SHT_PROGBITS || csz != COVE_ENCLAVE_CONFIG_SIZE)
		return cove_error_set(e, COVE_ERR_PARSE, "enclave image: %s is not %u bytes of SHT_PROGBITS (size %llu)",
				      COVE_ENCLAVE_CONFIG_SECTION, COVE_ENCLAVE_CONFIG_SIZE, (unsigned long long)csz);
	if (!(cflags & SHF_ALLOC) || (cflags & SHF_WRITE))
		return cove_error_set(e, COVE_ERR_PARSE, "enclave image: %s must be allocated and not writable (flags 0x%llx)",
				      COVE_ENCLAVE_CONFIG_SECTION, (unsigned long long)cflags);
	const cove_enclave_segment *home = NULL;
	for (size_t i = 0; i < img->nseg; i++) {
		const cove_enclave_segment *s = &img->seg[i];
		if (caddr >= s->vaddr && caddr - s->vaddr <= s->filesz && csz <= s->filesz - (caddr - s->vaddr) &&
		    coff - s->offset == caddr - s->vaddr && coff >= s->offset)
			home = s;
	}
	if (!home || (home->secinfo & COVE_SECINFO_W))
		return cove_error_set(e, COVE_ERR_PARSE,
				      "enclave image: %s (vaddr 0x%llx, offset %llu) is not inside the file bytes of a read-only PT_LOAD",
				      COVE_ENCLAVE_CONFIG_SECTION, (unsigned long long)caddr, (unsigned long long)coff);
	cove_err r = parse_config(img, d + coff, e);
	if (r)
		return r;

	/* .cove_sigstruct: 1808 bytes of file content that no PT_LOAD maps as file bytes. */
	if (!sig_sh)
		return cove_error_set(e, COVE_ERR_PARSE,
				      "enclave image: no %s section (build the image with cove_add_enclave)",
				      COVE_ENCLAVE_SIGSTRUCT_SECTION);
	uint64_t soff = cove_le64(sig_sh + SH_OFFSET), ssz = cove_le64(sig_sh + SH_SIZEF);
	if (cove_le32(sig_sh + SH_TYPE) != SHT_PROGBITS || ssz != COVE_SIGSTRUCT_SIZE)
		return cove_error_set(e, COVE_ERR_PARSE, "enclave image: %s is not %d bytes of SHT_PROGBITS (size %llu)",
				      COVE_ENCLAVE_SIGSTRUCT_SECTION, COVE_SIGSTRUCT_SIZE, (unsigned long long)ssz);
	if (cove_le64(sig_sh + SH_FLAGS) & SHF_ALLOC)
		return cove_error_set(e, COVE_ERR_PARSE, "enclave image: %s must not be an allocated (loaded) section",
				      COVE_ENCLAVE_SIGSTRUCT_SECTION);
	if (!in_file(soff, ssz, img->len))
		return cove_error_set(e, COVE_ERR_PARSE,
				      "enclave image: %s [%llu, +%llu) extends past the end of the file (%zu bytes)",
				      COVE_ENCLAVE_SIGSTRUCT_SECTION, (unsigned long long)soff, (unsigned long long)ssz,
				      img->len);
	for (size_t i = 0; i < img->nseg; i++) {
		const cove_enclave_segment *s = &img->seg[i];
		if (soff < s->offset + s->filesz && s->offset < soff + ssz)
			return cove_error_set(e, COVE_ERR_PARSE,
					      "enclave image: %s [%llu, +%llu) overlaps the file bytes of the PT_LOAD at vaddr 0x%llx",
					      COVE_ENCLAVE_SIGSTRUCT_SECTION, (unsigned long long)soff,
					      (unsigned long long)ssz, (unsigned long long)s->vaddr);
	}
	img->sig_off = soff;
	return COVE_OK;
}

static cove_err add_region(cove_enclave_image *img, size_t cap, cove_enclave_region_kind kind, uint32_t thread,
			   uint64_t offset, uint64_t size, uint32_t secinfo, bool measured, cove_error *e)
{
	if (img->nregions == cap)
		return cove_error_set(e, COVE_ERR_INTERNAL, "enclave layout: region table overflow");
	img->regions[img->nregions++] = (cove_enclave_region){kind, thread, offset, size, secinfo, measured};
	return COVE_OK;
}

static uint32_t thread_count(const cove_enclave_config *c)
{
	return c->tcs_count + c->switchless_workers;
}

/* Regions in layout (= measurement) order; offsets fit easily in 64 bits given the limits. */
static cove_err build_layout(cove_enclave_image *img, cove_error *e)
{
	const cove_enclave_config *c = &img->cfg;
	uint32_t threads = thread_count(c);
	size_t cap = img->nseg + 1 + 3 * (size_t)threads;
	cove_err r = COVE_OK;

	img->regions = calloc(cap, sizeof(*img->regions));
	if (!img->regions)
		return cove_error_set(e, COVE_ERR_NOMEM, "enclave layout: out of memory");
	for (size_t i = 0; i < img->nseg && !r; i++) {
		const cove_enclave_segment *s = &img->seg[i];
		uint64_t lo = page_down(s->vaddr);
		r = add_region(img, cap, COVE_ENCLAVE_REGION_IMAGE, 0, lo, page_up(s->vaddr + s->memsz) - lo, s->secinfo,
			       true, e);
	}
	uint64_t off = img->image_size + PAGE; /* guard */
	if (!r)
		r = add_region(img, cap, COVE_ENCLAVE_REGION_HEAP, 0, off, c->heap_size,
			       COVE_SECINFO_PT_REG | COVE_SECINFO_R | COVE_SECINFO_W, false, e);
	off += c->heap_size;
	for (uint32_t t = 0; t < threads && !r; t++) {
		off += PAGE; /* guard below the stack */
		r = add_region(img, cap, COVE_ENCLAVE_REGION_STACK, t, off, c->stack_size,
			       COVE_SECINFO_PT_REG | COVE_SECINFO_R | COVE_SECINFO_W, false, e);
		off += c->stack_size;
		if (!r)
			r = add_region(img, cap, COVE_ENCLAVE_REGION_TCS, t, off, PAGE, COVE_SECINFO_PT_TCS, true, e);
		off += PAGE;
		if (!r)
			r = add_region(img, cap, COVE_ENCLAVE_REGION_SSA, t, off, (uint64_t)COVE_ENCLAVE_SSA_PAGES * PAGE,
				       COVE_SECINFO_PT_REG | COVE_SECINFO_R | COVE_SECINFO_W, false, e);
		off += (uint64_t)COVE_ENCLAVE_SSA_PAGES * PAGE;
	}
	if (r)
		return r;
	uint64_t size = PAGE;
	while (size < off)
		size <<= 1;
	img->enclave_size = size;
	return COVE_OK;
}

cove_err cove_enclave_image_parse(const uint8_t *data, size_t len, cove_enclave_image **out, cove_error *e)
{
	cove_enclave_image *img = NULL;
	cove_err r;

	*out = NULL;
	if (!data && len)
		return cove_error_set(e, COVE_ERR_ARG, "enclave image: no data");
	r = check_header(data, len, e);
	if (r)
		return r;
	img = calloc(1, sizeof(*img));
	if (!img)
		return cove_error_set(e, COVE_ERR_NOMEM, "enclave image: out of memory");
	img->data = data;
	img->len = len;
	r = parse_segments(img, e);
	if (!r)
		r = parse_sections(img, e);
	if (!r)
		r = build_layout(img, e);
	if (r)
		goto out;
	*out = img;
	img = NULL;
out:
	cove_enclave_image_free(img);
	return r;
}

void cove_enclave_image_free(cove_enclave_image *img)
{
	if (!img)
		return;
	free(img->regions);
	free(img);
}

const cove_enclave_config *cove_enclave_image_config(const cove_enclave_image *img)
{
	return &img->cfg;
}

size_t cove_enclave_image_segment_count(const cove_enclave_image *img)
{
	return img->nseg;
}

const cove_enclave_segment *cove_enclave_image_segment(const cove_enclave_image *img, size_t i)
{
	return i < img->nseg ? &img->seg[i] : NULL;
}

uint64_t cove_enclave_image_size(const cove_enclave_image *img)
{
	return img->image_size;
}

size_t cove_enclave_image_region_count(const cove_enclave_image *img)
{
	return img->nregions;
}

const cove_enclave_region *cove_enclave_image_region(const cove_enclave_image *img, size_t i)
{
	return i < img->nregions ? &img->regions[i] : NULL;
}

uint64_t cove_enclave_image_enclave_size(const cove_enclave_image *img)
{
	return img->enclave_size;
}

/* ---- measurement ---- */

static cove_err record_ecreate(cove_hash_ctx *h, uint32_t ssa_frame_size, uint64_t size, cove_error *e)
{
	uint8_t rec[64] = {0};
	memcpy(rec, "ECREATE", 8);
	cove_put_le32(rec + 8, ssa_frame_size);
	cove_put_le64(rec + 12, size);
	return cove_hash_ctx_update(h, rec, sizeof(rec), e);
}

static cove_err record_eadd(cove_hash_ctx *h, uint64_t offset, uint64_t secinfo, cove_error *e)
{
	uint8_t rec[64] = {0};
	memcpy(rec, "EADD", 4);
	cove_put_le64(rec + 8, offset);
	cove_put_le64(rec + 16, secinfo);
	return cove_hash_ctx_update(h, rec, sizeof(rec), e);
}

/* 16 EEXTEND records over one page of content. */
static cove_err record_eextend_page(cove_hash_ctx *h, uint64_t offset, const uint8_t page[PAGE], cove_error *e)
{
	uint8_t rec[64 + EXTEND_CHUNK];
	for (uint32_t c = 0; c < PAGE; c += EXTEND_CHUNK) {
		memset(rec, 0, 64);
		memcpy(rec, "EEXTEND", 8);
		cove_put_le64(rec + 8, offset + c);
		memcpy(rec + 64, page + c, EXTEND_CHUNK);
		cove_err r = cove_hash_ctx_update(h, rec, sizeof(rec), e);
		if (r)
			return r;
	}
	return COVE_OK;
}

/* Content of the image page at enclave offset `pg` of segment `s`: file bytes, zero elsewhere. */
static void segment_page(const cove_enclave_image *img, const cove_enclave_segment *s, uint64_t pg, uint8_t out[PAGE])
{
	memset(out, 0, PAGE);
	uint64_t lo = pg > s->vaddr ? pg : s->vaddr;
	uint64_t hi = pg + PAGE < s->vaddr + s->filesz ? pg + PAGE : s->vaddr + s->filesz;
	if (lo < hi)
		memcpy(out + (lo - pg), img->data + s->offset + (lo - s->vaddr), hi - lo);
}

static void tcs_page(uint64_t ssa_offset, uint8_t out[PAGE])
{
	memset(out, 0, PAGE);
	cove_put_le64(out + TCS_OSSA, ssa_offset);
	cove_put_le32(out + TCS_CSSA, 0);
	cove_put_le32(out + TCS_NSSA, COVE_ENCLAVE_SSA_PAGES);
	/* OENTRY stays 0: the emulated platform enters through the loader, not an entry point. */
	cove_put_le64(out + TCS_OENTRY, 0);
}

cove_err cove_enclave_image_measure(const cove_enclave_image *img, uint8_t mrenclave[32], cove_error *e)
{
	cove_hash_ctx *h = NULL;
	uint8_t *page = NULL;
	size_t seg = 0;
	cove_err r;

	page = malloc(PAGE);
	if (!page)
		return cove_error_set(e, COVE_ERR_NOMEM, "enclave measurement: out of memory");
	r = cove_hash_ctx_new(COVE_SHA256, &h, e);
	if (r)
		goto out;
	r = record_ecreate(h, 1, img->enclave_size, e);
	for (size_t i = 0; i < img->nregions && !r; i++) {
		const cove_enclave_region *g = &img->regions[i];
		for (uint64_t pg = g->offset; pg < g->offset + g->size && !r; pg += PAGE) {
			r = record_eadd(h, pg, g->secinfo, e);
			if (r || !g->measured)
				continue;
			if (g->kind == COVE_ENCLAVE_REGION_IMAGE)
				segment_page(img, &img->seg[seg], pg, page);
			else /* TCS: its thread's SSA region follows it */
				tcs_page(g->offset + PAGE, page);
			r = record_eextend_page(h, pg, page, e);
		}
		if (g->kind == COVE_ENCLAVE_REGION_IMAGE)
			seg++;
	}
	if (!r)
		r = cove_hash_ctx_final(h, mrenclave, e);
out:
	cove_hash_ctx_free(h);
	free(page);
	return r;
}

/* ---- signing ---- */

cove_err cove_enclave_image_sigstruct(const cove_enclave_image *img, const uint8_t **sig, cove_error *e)
{
	(void)e;
	const uint8_t *p = img->data + img->sig_off;
	*sig = cove_is_zero(p, COVE_SIGSTRUCT_SIZE) ? NULL : p;
	return COVE_OK;
}

static uint32_t bcd(unsigned v, unsigned digits)
{
	uint32_t out = 0;
	for (unsigned i = 0; i < digits; i++) {
		out |= (uint32_t)(v % 10) << (4 * i);
		v /= 10;
	}
	return out;
}

static uint32_t today_bcd(void)
{
	time_t now = time(NULL);
	struct tm tm;
	if (!gmtime_r(&now, &tm))
		return 0;
	return bcd((unsigned)tm.tm_year + 1900, 4) << 16 | bcd((unsigned)tm.tm_mon + 1, 2) << 8 | bcd((unsigned)tm.tm_mday, 2);
}

cove_err cove_enclave_image_sign(const uint8_t *data, size_t len, cove_pkey *key, const cove_enclave_sign_opts *o,
				 uint8_t **signed_data, size_t *signed_len, uint8_t mrenclave[32], cove_error *e)
{
	static const cove_enclave_sign_opts defaults = {0};
	cove_enclave_image *img = NULL;
	cove_sigstruct_fields f;
	uint8_t *copy = NULL, mr[32];
	cove_err r;

	*signed_data = NULL;
	*signed_len = 0;
	if (!o)
		o = &defaults;
	r = cove_enclave_image_parse(data, len, &img, e);
	if (r)
		goto out;
	r = cove_enclave_image_measure(img, mr, e);
	if (r)
		goto out;
	bool debug = !o->force_no_debug && (o->allow_debug || (img->cfg.flags & COVE_ENCLAVE_CONFIG_DEBUG));
	memset(&f, 0, sizeof(f));
	f.type = 0;
	f.module_vendor = 0;
	f.date = o->date ? o->date : today_bcd();
	f.misc_select = 0;
	f.misc_mask = 0xFFFFFFFFu;
	f.attr_flags = COVE_SGX_ATTR_MODE64BIT;
	f.attr_xfrm = 0x3;
	/* Debug allowed: DEBUG left out of the mask (the SDK's default), so either launch mode matches. */
	f.attr_mask_flags = debug ? ~COVE_SGX_ATTR_DEBUG : ~UINT64_C(0);
	f.attr_mask_xfrm = 0;
	memcpy(f.enclave_hash, mr, 32);
	f.isv_prod_id = img->cfg.isv_prod_id;
	f.isv_svn = img->cfg.isv_svn;

	copy = malloc(len);
	if (!copy) {
		r = cove_error_set(e, COVE_ERR_NOMEM, "enclave signing: out of memory");
		goto out;
	}
	memcpy(copy, data, len);
	r = cove_sigstruct_sign(key, &f, copy + img->sig_off, e);
	if (r)
		goto out;
	if (mrenclave)
		memcpy(mrenclave, mr, 32);
	*signed_data = copy;
	*signed_len = len;
	copy = NULL;
out:
	free(copy);
	cove_enclave_image_free(img);
	return r;
}

cove_err cove_enclave_image_check(const cove_enclave_image *img, bool debug, cove_sigstruct *sig_out,
				  uint8_t mrenclave[32], uint8_t mrsigner[32], uint64_t *attr_flags, cove_error *e)
{
	const uint8_t *raw;
	cove_sigstruct s;
	uint8_t mr[32], signer[32];
	char want[65], got[65];
	cove_err r;

	r = cove_enclave_image_sigstruct(img, &raw, e);
	if (r)
		return r;
	if (!raw)
		return cove_error_set(e, COVE_ERR_VERIFY, "enclave image is not signed (%s is all zero)",
				      COVE_ENCLAVE_SIGSTRUCT_SECTION);
	r = cove_sigstruct_parse(raw, COVE_SIGSTRUCT_SIZE, &s, e);
	if (!r)
		r = cove_sigstruct_verify(raw, e);
	if (!r)
		r = cove_enclave_image_measure(img, mr, e);
	if (r)
		return r;
	if (!cove_equal_ct(mr, s.f.enclave_hash, 32)) {
		cove_hex_write(want, s.f.enclave_hash, 32);
		cove_hex_write(got, mr, 32);
		return cove_error_set(e, COVE_ERR_VERIFY,
				      "enclave image: SIGSTRUCT ENCLAVEHASH %s does not match the measured MRENCLAVE %s", want,
				      got);
	}
	/*
	 * EINIT compares SECS.ATTRIBUTES before INIT is set: MODE64BIT, plus DEBUG
	 * for a debug launch; MISCSELECT 0; XFRM x87|SSE.
	 */
	uint64_t launch = COVE_SGX_ATTR_MODE64BIT | (debug ? COVE_SGX_ATTR_DEBUG : 0);
	if ((launch & s.f.attr_mask_flags) != (s.f.attr_flags & s.f.attr_mask_flags)) {
		if (debug && !(s.f.attr_flags & COVE_SGX_ATTR_DEBUG) && (s.f.attr_mask_flags & COVE_SGX_ATTR_DEBUG))
			return cove_error_set(e, COVE_ERR_POLICY, "this enclave was signed without debug permission");
		return cove_error_set(e, COVE_ERR_POLICY,
				      "enclave launch attributes 0x%llx do not match SIGSTRUCT ATTRIBUTES 0x%llx under mask 0x%llx",
				      (unsigned long long)launch, (unsigned long long)s.f.attr_flags,
				      (unsigned long long)s.f.attr_mask_flags);
	}
	if ((UINT64_C(0x3) & s.f.attr_mask_xfrm) != (s.f.attr_xfrm & s.f.attr_mask_xfrm))
		return cove_error_set(e, COVE_ERR_POLICY,
				      "enclave launch XFRM 0x3 does not match SIGSTRUCT XFRM 0x%llx under mask 0x%llx",
				      (unsigned long long)s.f.attr_xfrm, (unsigned long long)s.f.attr_mask_xfrm);
	if ((s.f.misc_select & s.f.misc_mask) != 0)
		return cove_error_set(e, COVE_ERR_POLICY,
				      "enclave launch MISCSELECT 0 does not match SIGSTRUCT MISCSELECT 0x%x under mask 0x%x",
				      s.f.misc_select, s.f.misc_mask);
	r = cove_sigstruct_mrsigner(&s, signer, e);
	if (r)
		return r;
	if (sig_out)
		*sig_out = s;
	if (mrenclave)
		memcpy(mrenclave, mr, 32);
	if (mrsigner)
		memcpy(mrsigner, signer, 32);
	if (attr_flags)
		*attr_flags = launch | COVE_SGX_ATTR_INIT;
	return COVE_OK;
}
