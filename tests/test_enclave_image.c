/*
 * Enclave images (include/cove/enclave_image.h, docs/enclave-image.md): the
 * real test enclave built by cove_add_enclave() (tests/enclave/minimal.*)
 * parsed, measured, signed with a fresh key and checked; single-byte flips in
 * its loaded bytes and in the SIGSTRUCT's signed bytes refused; config changes
 * move MRENCLAVE; debug launches refused when signed --no-debug; a synthetic
 * ELF built here byte by byte, measured independently with raw SHA-256 over
 * hand-packed ECREATE/EADD/EEXTEND records (so the record format and layout
 * are pinned), and mutated into every malformation the parser must refuse,
 * each with its precise message.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "cove/bytes.h"
#include "cove/enclave_image.h"
#include "cove/sigstruct.h"
#include "support/expect.h"
#include "testutil.h"

#ifndef COVE_TEST_ENCLAVE_DIR
#error "COVE_TEST_ENCLAVE_DIR must name the folder of the built test enclaves (tests/enclave)"
#endif

static cove_pkey *key;

static int setup(void **state)
{
	(void)state;
	return cove_sigstruct_key_new(&key, NULL) == COVE_OK ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	cove_pkey_free(key);
	return 0;
}

static cove_buf load(const char *name)
{
	cove_buf b = {0};
	char path[1024];
	cove_error e = {0};
	snprintf(path, sizeof(path), "%s/%s", COVE_TEST_ENCLAVE_DIR, name);
	if (cove_file_read(path, (size_t)1 << 28, &b, &e) != COVE_OK)
		fail_msg("cannot read %s: %s", path, e.msg);
	return b;
}

static void measure_bytes(const uint8_t *d, size_t n, uint8_t mr[32])
{
	cove_enclave_image *img = NULL;
	cove_error e = {0};
	if (cove_enclave_image_parse(d, n, &img, &e) != COVE_OK)
		fail_msg("parse: %s", e.msg);
	assert_int_equal(cove_enclave_image_measure(img, mr, &e), COVE_OK);
	cove_enclave_image_free(img);
}

/* ---- a synthetic image, laid out by hand ----
 *   0x0000 ELF header, program headers; config at 0x200 (segment 0: R, vaddr 0, 0x1000 bytes)
 *   0x1000 segment 1: R+X, vaddr 0x1000, filesz 0x100, memsz 0x1800 (spills into a zero page)
 *   0x2000 .shstrtab; 0x2100 .cove_sigstruct (1808 bytes); 0x2900 section headers (4)
 */
#define SYN_CFG 0x200
#define SYN_STR 0x2000
#define SYN_SIG 0x2100
#define SYN_SHOFF 0x2900
#define SYN_LEN (SYN_SHOFF + 4 * 64)
#define PH(i) (64 + 56 * (i))
#define SHDR(i) (SYN_SHOFF + 64 * (i))

static const char syn_strtab[] = "\0.shstrtab\0.cove_config\0.cove_sigstruct\0";
#define NAME_SHSTRTAB 1
#define NAME_CONFIG 11
#define NAME_SIGSTRUCT 24

static void put_phdr(uint8_t *d, int i, uint32_t flags, uint64_t off, uint64_t vaddr, uint64_t filesz, uint64_t memsz)
{
	uint8_t *p = d + PH(i);
	cove_put_le32(p + 0, 1 /* PT_LOAD */);
	cove_put_le32(p + 4, flags);
	cove_put_le64(p + 8, off);
	cove_put_le64(p + 16, vaddr);
	cove_put_le64(p + 24, vaddr);
	cove_put_le64(p + 32, filesz);
	cove_put_le64(p + 40, memsz);
	cove_put_le64(p + 48, 0x1000);
}

static void put_shdr(uint8_t *d, int i, uint32_t name, uint32_t type, uint64_t flags, uint64_t addr, uint64_t off,
		     uint64_t size)
{
	uint8_t *s = d + SHDR(i);
	cove_put_le32(s + 0, name);
	cove_put_le32(s + 4, type);
	cove_put_le64(s + 8, flags);
	cove_put_le64(s + 16, addr);
	cove_put_le64(s + 24, off);
	cove_put_le64(s + 32, size);
}

/* heap 0x2000, stack 0x1000, 1 TCS + 1 switchless worker, prod 0x1234, svn 5, debug allowed. */
static uint8_t *synthetic(void)
{
	uint8_t *d = calloc(1, SYN_LEN);
	assert_non_null(d);
	memcpy(d, "\x7f" "ELF", 4);
	d[4] = 2;   /* ELFCLASS64 */
	d[5] = 1;   /* little-endian */
	d[6] = 1;   /* EV_CURRENT */
	cove_put_le16(d + 16, 3);  /* ET_DYN */
	cove_put_le16(d + 18, 62); /* EM_X86_64 */
	cove_put_le32(d + 20, 1);
	cove_put_le64(d + 32, 64);        /* e_phoff */
	cove_put_le64(d + 40, SYN_SHOFF); /* e_shoff */
	cove_put_le16(d + 52, 64);
	cove_put_le16(d + 54, 56);
	cove_put_le16(d + 56, 2);
	cove_put_le16(d + 58, 64);
	cove_put_le16(d + 60, 4);
	cove_put_le16(d + 62, 1);
	put_phdr(d, 0, 4 /* PF_R */, 0, 0, 0x1000, 0x1000);
	put_phdr(d, 1, 5 /* PF_R|PF_X */, 0x1000, 0x1000, 0x100, 0x1800);
	for (int i = 0; i < 0x100; i++)
		d[0x1000 + i] = (uint8_t)(0xA0 ^ i); /* "code" */
	for (int i = 0x300; i < 0x1000; i += 7)
		d[i] = (uint8_t)i; /* more read-only content */
	uint8_t *c = d + SYN_CFG;
	memcpy(c, "COVECFG1", 8);
	cove_put_le32(c + 8, 1);
	cove_put_le32(c + 12, 1);
	cove_put_le64(c + 16, 0x2000);
	cove_put_le64(c + 24, 0x1000);
	cove_put_le32(c + 32, 1);
	cove_put_le16(c + 36, 0x1234);
	cove_put_le16(c + 38, 5);
	cove_put_le32(c + 40, 1);
	memcpy(d + SYN_STR, syn_strtab, sizeof(syn_strtab));
	put_shdr(d, 1, NAME_SHSTRTAB, 3 /* SHT_STRTAB */, 0, 0, SYN_STR, sizeof(syn_strtab));
	put_shdr(d, 2, NAME_CONFIG, 1 /* SHT_PROGBITS */, 2 /* SHF_ALLOC */, SYN_CFG, SYN_CFG, 64);
	put_shdr(d, 3, NAME_SIGSTRUCT, 1, 0, 0, SYN_SIG, 1808);
	return d;
}

/* ---- an independent measurement of the synthetic layout ---- */

typedef struct ref_md {
	EVP_MD_CTX *ctx;
} ref_md;

static void ref_record(ref_md *m, const char *tag, const uint8_t *body, size_t n)
{
	uint8_t rec[64] = {0};
	memcpy(rec, tag, strlen(tag));
	memcpy(rec + 8, body, n);
	assert_int_equal(EVP_DigestUpdate(m->ctx, rec, 64), 1);
}

static void ref_eadd(ref_md *m, uint64_t off, uint64_t flags)
{
	uint8_t b[16];
	cove_put_le64(b, off);
	cove_put_le64(b + 8, flags);
	ref_record(m, "EADD", b, 16);
}

static void ref_page(ref_md *m, uint64_t off, uint64_t flags, const uint8_t *content)
{
	ref_eadd(m, off, flags);
	if (!content)
		return;
	for (int c = 0; c < 4096; c += 256) {
		uint8_t b[8];
		cove_put_le64(b, off + (uint64_t)c);
		ref_record(m, "EEXTEND", b, 8);
		assert_int_equal(EVP_DigestUpdate(m->ctx, content + c, 256), 1);
	}
}

/* The layout, worked out by hand for synthetic(): image 0..0x3000, guard, heap 0x4000..0x6000,
 * thread 0: guard 0x6000, stack 0x7000, TCS 0x8000, SSA 0x9000-0xB000; thread 1: guard 0xB000,
 * stack 0xC000, TCS 0xD000, SSA 0xE000-0x10000; ECREATE SIZE 0x10000. */
static void ref_mrenclave(const uint8_t *d, uint8_t out[32])
{
	ref_md m = {EVP_MD_CTX_new()};
	uint8_t page[4096], b[12];
	unsigned len = 0;
	assert_non_null(m.ctx);
	assert_int_equal(EVP_DigestInit_ex(m.ctx, EVP_sha256(), NULL), 1);
	cove_put_le32(b, 1);
	cove_put_le64(b + 4, 0x10000);
	ref_record(&m, "ECREATE", b, 12);
	ref_page(&m, 0x0000, 0x201, d); /* PT_REG | R */
	memset(page, 0, sizeof(page));
	memcpy(page, d + 0x1000, 0x100);
	ref_page(&m, 0x1000, 0x205, page); /* PT_REG | R | X */
	memset(page, 0, sizeof(page));
	ref_page(&m, 0x2000, 0x205, page);
	for (uint64_t p = 0x4000; p < 0x6000; p += 0x1000)
		ref_page(&m, p, 0x203, NULL);
	static const uint64_t stack[2] = {0x7000, 0xC000};
	for (int t = 0; t < 2; t++) {
		ref_page(&m, stack[t], 0x203, NULL);
		memset(page, 0, sizeof(page));
		cove_put_le64(page + 16, stack[t] + 0x2000); /* OSSA */
		cove_put_le32(page + 28, 2);                  /* NSSA */
		ref_page(&m, stack[t] + 0x1000, 0x100, page); /* PT_TCS */
		ref_page(&m, stack[t] + 0x2000, 0x203, NULL);
		ref_page(&m, stack[t] + 0x3000, 0x203, NULL);
	}
	assert_int_equal(EVP_DigestFinal_ex(m.ctx, out, &len), 1);
	assert_int_equal(len, 32);
	EVP_MD_CTX_free(m.ctx);
}

static void test_synthetic_mrenclave(void **state)
{
	(void)state;
	uint8_t *d = synthetic(), want[32], got[32];
	cove_enclave_image *img = NULL;
	cove_error e = {0};
	if (cove_enclave_image_parse(d, SYN_LEN, &img, &e) != COVE_OK)
		fail_msg("parse: %s", e.msg);
	assert_int_equal(cove_enclave_image_size(img), 0x3000);
	assert_int_equal(cove_enclave_image_enclave_size(img), 0x10000);
	assert_int_equal(cove_enclave_image_segment_count(img), 2);
	assert_int_equal(cove_enclave_image_segment(img, 1)->secinfo, 0x205);
	assert_null(cove_enclave_image_segment(img, 2));
	/* 2 image + heap + 2 x (stack, TCS, SSA) */
	assert_int_equal(cove_enclave_image_region_count(img), 9);
	static const struct {
		cove_enclave_region_kind kind;
		uint64_t off, size;
		uint32_t secinfo;
		bool measured;
	} want_regions[9] = {
		{COVE_ENCLAVE_REGION_IMAGE, 0, 0x1000, 0x201, true},  {COVE_ENCLAVE_REGION_IMAGE, 0x1000, 0x2000, 0x205, true},
		{COVE_ENCLAVE_REGION_HEAP, 0x4000, 0x2000, 0x203, false}, {COVE_ENCLAVE_REGION_STACK, 0x7000, 0x1000, 0x203, false},
		{COVE_ENCLAVE_REGION_TCS, 0x8000, 0x1000, 0x100, true},  {COVE_ENCLAVE_REGION_SSA, 0x9000, 0x2000, 0x203, false},
		{COVE_ENCLAVE_REGION_STACK, 0xC000, 0x1000, 0x203, false}, {COVE_ENCLAVE_REGION_TCS, 0xD000, 0x1000, 0x100, true},
		{COVE_ENCLAVE_REGION_SSA, 0xE000, 0x2000, 0x203, false},
	};
	for (size_t i = 0; i < 9; i++) {
		const cove_enclave_region *r = cove_enclave_image_region(img, i);
		assert_int_equal(r->kind, want_regions[i].kind);
		assert_int_equal(r->offset, want_regions[i].off);
		assert_int_equal(r->size, want_regions[i].size);
		assert_int_equal(r->secinfo, want_regions[i].secinfo);
		assert_int_equal(r->measured, want_regions[i].measured);
	}
	assert_int_equal(cove_enclave_image_region(img, 8)->thread, 1);
	const cove_enclave_config *c = cove_enclave_image_config(img);
	assert_int_equal(c->heap_size, 0x2000);
	assert_int_equal(c->isv_prod_id, 0x1234);
	assert_int_equal(c->switchless_workers, 1);
	assert_int_equal(cove_enclave_image_measure(img, got, &e), COVE_OK);
	ref_mrenclave(d, want);
	assert_memory_equal(got, want, 32);
	const uint8_t *sig = (const uint8_t *)1;
	assert_int_equal(cove_enclave_image_sigstruct(img, &sig, &e), COVE_OK);
	assert_null(sig);
	cove_enclave_image_free(img);
	free(d);
}

/* Sign the synthetic image; check; the SIGSTRUCT fields are what the header promises. */
static void test_synthetic_sign(void **state)
{
	(void)state;
	uint8_t *d = synthetic(), *s = NULL, mr[32], mr2[32], signer[32], want_signer[32];
	size_t n = 0;
	cove_enclave_image *img = NULL;
	cove_sigstruct ss;
	uint64_t attr = 0;
	cove_error e = {0};
	cove_enclave_sign_opts o = {.date = 0x20260102};

	assert_int_equal(cove_enclave_image_sign(d, SYN_LEN, key, &o, &s, &n, mr, &e), COVE_OK);
	assert_int_equal(n, SYN_LEN);
	assert_memory_equal(s, d, SYN_SIG);                      /* only the SIGSTRUCT section changed */
	assert_memory_equal(s + SYN_SIG + 1808, d + SYN_SIG + 1808, SYN_LEN - SYN_SIG - 1808);
	assert_int_equal(cove_enclave_image_parse(s, n, &img, &e), COVE_OK);
	if (cove_enclave_image_check(img, true, &ss, mr2, signer, &attr, &e) != COVE_OK)
		fail_msg("check: %s", e.msg);
	assert_memory_equal(mr, mr2, 32);
	assert_int_equal(cove_sigstruct_key_mrsigner(key, want_signer, NULL), COVE_OK);
	assert_memory_equal(signer, want_signer, 32);
	assert_int_equal(attr, COVE_SGX_ATTR_INIT | COVE_SGX_ATTR_MODE64BIT | COVE_SGX_ATTR_DEBUG);
	assert_int_equal(ss.f.isv_prod_id, 0x1234);
	assert_int_equal(ss.f.isv_svn, 5);
	assert_int_equal(ss.f.date, 0x20260102);
	assert_int_equal(ss.f.type, 0);
	assert_int_equal(ss.f.module_vendor, 0);
	assert_int_equal(ss.f.misc_select, 0);
	assert_int_equal(ss.f.misc_mask, 0xFFFFFFFFu);
	assert_int_equal(ss.f.attr_flags, COVE_SGX_ATTR_MODE64BIT);
	assert_int_equal(ss.f.attr_mask_flags, 0xFFFFFFFFFFFFFFFDull); /* ~DEBUG */
	assert_int_equal(ss.f.attr_xfrm, 3);
	assert_int_equal(ss.f.attr_mask_xfrm, 0);
	assert_int_equal(cove_enclave_image_check(img, false, NULL, NULL, NULL, &attr, &e), COVE_OK);
	assert_int_equal(attr, COVE_SGX_ATTR_INIT | COVE_SGX_ATTR_MODE64BIT);
	cove_enclave_image_free(img);
	free(s);

	/* Date 0 = today: a BCD date of this century. */
	o.date = 0;
	assert_int_equal(cove_enclave_image_sign(d, SYN_LEN, key, &o, &s, &n, NULL, &e), COVE_OK);
	assert_int_equal(cove_enclave_image_parse(s, n, &img, &e), COVE_OK);
	assert_int_equal(cove_enclave_image_check(img, false, &ss, NULL, NULL, NULL, &e), COVE_OK);
	assert_int_equal(ss.f.date >> 24, 0x20);
	for (int i = 0; i < 8; i++)
		assert_true(((ss.f.date >> (4 * i)) & 0xF) <= 9);
	cove_enclave_image_free(img);
	free(s);

	/* A config without the DEBUG flag signs production-only; unsigned images do not check. */
	cove_put_le32(d + SYN_CFG + 12, 0);
	assert_int_equal(cove_enclave_image_parse(d, SYN_LEN, &img, &e), COVE_OK);
	assert_int_equal(cove_enclave_image_check(img, false, NULL, NULL, NULL, NULL, &e), COVE_ERR_VERIFY);
	cove_test_expect_msg(&e, "not signed");
	cove_enclave_image_free(img);
	assert_int_equal(cove_enclave_image_sign(d, SYN_LEN, key, NULL, &s, &n, NULL, &e), COVE_OK);
	assert_int_equal(cove_enclave_image_parse(s, n, &img, &e), COVE_OK);
	assert_int_equal(cove_enclave_image_check(img, true, NULL, NULL, NULL, NULL, &e), COVE_ERR_POLICY);
	cove_test_expect_msg(&e, "signed without debug permission");
	assert_int_equal(cove_enclave_image_check(img, false, &ss, NULL, NULL, NULL, &e), COVE_OK);
	assert_int_equal(ss.f.attr_mask_flags, ~0ull);
	cove_enclave_image_free(img);
	free(s);
	free(d);
}

/* Layout parameters each move MRENCLAVE (the config is measured, and so is the layout). */
static void test_synthetic_config_changes(void **state)
{
	(void)state;
	uint8_t *d = synthetic(), base[32], mr[32];
	static const struct {
		size_t off, width;
		uint64_t value;
	} changes[] = {
		{16, 8, 0x3000}, /* heap */
		{24, 8, 0x2000}, /* stack */
		{32, 4, 2},      /* tcs */
		{40, 4, 0},      /* workers */
		{36, 2, 1},      /* prod id */
		{38, 2, 6},      /* svn */
	};
	measure_bytes(d, SYN_LEN, base);
	for (size_t i = 0; i < sizeof(changes) / sizeof(changes[0]); i++) {
		uint8_t *c = malloc(SYN_LEN);
		memcpy(c, d, SYN_LEN);
		uint8_t *f = c + SYN_CFG + changes[i].off;
		if (changes[i].width == 8)
			cove_put_le64(f, changes[i].value);
		else if (changes[i].width == 4)
			cove_put_le32(f, (uint32_t)changes[i].value);
		else
			cove_put_le16(f, (uint16_t)changes[i].value);
		measure_bytes(c, SYN_LEN, mr);
		if (memcmp(mr, base, 32) == 0)
			fail_msg("config change %zu did not change MRENCLAVE", i);
		free(c);
	}
	free(d);
}

typedef void (*mutator)(uint8_t *d, size_t *len);

#define MUT(name, body)                                                                                           \
	static void name(uint8_t *d, size_t *len)                                                                  \
	{                                                                                                          \
		(void)d;                                                                                           \
		(void)len;                                                                                         \
		body;                                                                                              \
	}

MUT(m_trunc_header, *len = 63)
MUT(m_trunc_shdrs, *len = SYN_LEN - 1)
MUT(m_magic, d[1] = 'X')
MUT(m_class, d[4] = 1)
MUT(m_data, d[5] = 2)
MUT(m_version, cove_put_le32(d + 20, 2))
MUT(m_type, cove_put_le16(d + 16, 2))
MUT(m_machine, cove_put_le16(d + 18, 3))
MUT(m_phentsize, cove_put_le16(d + 54, 32))
MUT(m_phoff, cove_put_le64(d + 32, SYN_LEN - 100))
MUT(m_phoff_huge, cove_put_le64(d + 32, ~0ull - 10))
MUT(m_no_phdr, cove_put_le16(d + 56, 0))
MUT(m_no_load, cove_put_le32(d + PH(0), 6); cove_put_le32(d + PH(1), 6))
MUT(m_filesz, cove_put_le64(d + PH(1) + 32, 0x1801))
MUT(m_seg_file, cove_put_le64(d + PH(1) + 8, 0x2000); cove_put_le64(d + PH(1) + 32, 0xB00))
MUT(m_congruent, cove_put_le64(d + PH(1) + 16, 0x1800))
MUT(m_overlap, cove_put_le64(d + PH(0) + 40, 0x1001))
MUT(m_empty, cove_put_le64(d + PH(1) + 32, 0); cove_put_le64(d + PH(1) + 40, 0))
MUT(m_huge_vaddr, cove_put_le64(d + PH(1) + 16, 0xFFFFFFFFFFFFF000ull); cove_put_le64(d + PH(1) + 8, 0x1000))
MUT(m_shentsize, cove_put_le16(d + 58, 40))
MUT(m_shoff, cove_put_le64(d + 40, SYN_LEN - 64))
MUT(m_no_shdrs, cove_put_le64(d + 40, 0))
MUT(m_shstrndx, cove_put_le16(d + 62, 9))
MUT(m_strtab_out, cove_put_le64(d + SHDR(1) + 24, SYN_LEN))
MUT(m_no_config, cove_put_le32(d + SHDR(2), NAME_SHSTRTAB))
MUT(m_dup_config, cove_put_le32(d + SHDR(3), NAME_CONFIG))
MUT(m_config_size, cove_put_le64(d + SHDR(2) + 32, 128))
MUT(m_config_nobits, cove_put_le32(d + SHDR(2) + 4, 8))
MUT(m_config_writable_section, cove_put_le64(d + SHDR(2) + 8, 3))
MUT(m_config_writable_segment, cove_put_le32(d + PH(0) + 4, 6))
MUT(m_config_outside, cove_put_le64(d + SHDR(2) + 16, 0x2200); cove_put_le64(d + SHDR(2) + 24, 0x2200))
MUT(m_config_bss, cove_put_le64(d + SHDR(2) + 16, 0x1200); cove_put_le64(d + SHDR(2) + 24, 0x1200))
MUT(m_config_offset_mismatch, cove_put_le64(d + SHDR(2) + 24, SYN_CFG + 64))
MUT(m_cfg_magic, d[SYN_CFG + 7] = '2')
MUT(m_cfg_version, cove_put_le32(d + SYN_CFG + 8, 2))
MUT(m_cfg_flags, cove_put_le32(d + SYN_CFG + 12, 3))
MUT(m_cfg_heap0, cove_put_le64(d + SYN_CFG + 16, 0))
MUT(m_cfg_heap_unaligned, cove_put_le64(d + SYN_CFG + 16, 0x2001))
MUT(m_cfg_heap_big, cove_put_le64(d + SYN_CFG + 16, (1ull << 36) + 4096))
MUT(m_cfg_stack0, cove_put_le64(d + SYN_CFG + 24, 0))
MUT(m_cfg_stack_big, cove_put_le64(d + SYN_CFG + 24, (1ull << 30) + 4096))
MUT(m_cfg_tcs0, cove_put_le32(d + SYN_CFG + 32, 0))
MUT(m_cfg_tcs65, cove_put_le32(d + SYN_CFG + 32, 65))
MUT(m_cfg_workers, cove_put_le32(d + SYN_CFG + 40, 17))
MUT(m_cfg_reserved, d[SYN_CFG + 63] = 1)
MUT(m_no_sig, cove_put_le32(d + SHDR(3), NAME_SHSTRTAB))
MUT(m_sig_size, cove_put_le64(d + SHDR(3) + 32, 1807))
MUT(m_sig_alloc, cove_put_le64(d + SHDR(3) + 8, 2))
MUT(m_sig_out, cove_put_le64(d + SHDR(3) + 24, SYN_LEN - 1000))
MUT(m_sig_loaded, cove_put_le64(d + SHDR(3) + 24, 0x800))

static void test_malformed(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		mutator m;
		const char *msg;
	} cases[] = {
		{"truncated header", m_trunc_header, "shorter than an ELF64 header"},
		{"truncated section headers", m_trunc_shdrs, "section headers (4 at offset 10496) extend past the end"},
		{"magic", m_magic, "no ELF magic"},
		{"class", m_class, "ELF class 1, expected ELFCLASS64"},
		{"data", m_data, "expected little-endian"},
		{"version", m_version, "EV_CURRENT"},
		{"type", m_type, "ELF type 2, expected ET_DYN"},
		{"machine", m_machine, "ELF machine 3, expected EM_X86_64"},
		{"phentsize", m_phentsize, "e_phentsize 32"},
		{"phdrs out of file", m_phoff, "program headers (2 at offset"},
		{"phoff overflow", m_phoff_huge, "program headers (2 at offset"},
		{"no phdrs", m_no_phdr, "no program headers"},
		{"no PT_LOAD", m_no_load, "no PT_LOAD segment"},
		{"filesz > memsz", m_filesz, "program header 1) has p_filesz 6145 > p_memsz 6144"},
		{"segment out of file", m_seg_file, "extend past the end of the file"},
		{"incongruent", m_congruent, "differ modulo the page size"},
		{"overlapping page", m_overlap, "share or overlap a page"},
		{"empty PT_LOAD", m_empty, "program header 1) is empty"},
		{"vaddr beyond limit", m_huge_vaddr, "ends beyond 64 GiB"},
		{"shentsize", m_shentsize, "e_shentsize 40"},
		{"shdrs out of file", m_shoff, "section headers (4 at offset"},
		{"no shdrs", m_no_shdrs, "no section headers"},
		{"shstrndx", m_shstrndx, "e_shstrndx 9 is not a section"},
		{"strtab out of file", m_strtab_out, "section-name table (section 1)"},
		{"missing config", m_no_config, "no .cove_config section"},
		{"duplicate config", m_dup_config, "more than one .cove_config section (section 3)"},
		{"config size", m_config_size, ".cove_config is not 64 bytes"},
		{"config nobits", m_config_nobits, ".cove_config is not 64 bytes of SHT_PROGBITS"},
		{"config writable section", m_config_writable_section, "must be allocated and not writable"},
		{"config in writable segment", m_config_writable_segment, "not inside the file bytes of a read-only PT_LOAD"},
		{"config outside segments", m_config_outside, "not inside the file bytes of a read-only PT_LOAD"},
		{"config in bss", m_config_bss, "not inside the file bytes of a read-only PT_LOAD"},
		{"config offset mismatch", m_config_offset_mismatch, "not inside the file bytes of a read-only PT_LOAD"},
		{"config magic", m_cfg_magic, "enclave config: bad magic"},
		{"config version", m_cfg_version, "enclave config: version 2"},
		{"config flags", m_cfg_flags, "enclave config: unknown flags 0x2"},
		{"config heap 0", m_cfg_heap0, "heap_size 0 is not"},
		{"config heap unaligned", m_cfg_heap_unaligned, "heap_size 8193 is not"},
		{"config heap big", m_cfg_heap_big, "heap_size 68719480832 is not"},
		{"config stack 0", m_cfg_stack0, "stack_size 0 is not"},
		{"config stack big", m_cfg_stack_big, "stack_size 1073745920 is not"},
		{"config tcs 0", m_cfg_tcs0, "tcs_count 0 is not in 1..64"},
		{"config tcs 65", m_cfg_tcs65, "tcs_count 65 is not in 1..64"},
		{"config workers", m_cfg_workers, "switchless_workers 17 is more than 16"},
		{"config reserved", m_cfg_reserved, "reserved bytes (offset 44) are not zero"},
		{"missing sigstruct", m_no_sig, "no .cove_sigstruct section"},
		{"sigstruct size", m_sig_size, ".cove_sigstruct is not 1808 bytes of SHT_PROGBITS (size 1807)"},
		{"sigstruct alloc", m_sig_alloc, ".cove_sigstruct must not be an allocated"},
		{"sigstruct out of file", m_sig_out, ".cove_sigstruct [9752, +1808) extends past the end"},
		{"sigstruct loaded", m_sig_loaded, "overlaps the file bytes of the PT_LOAD at vaddr 0x0"},
	};
	uint8_t *good = synthetic();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t *d = malloc(SYN_LEN);
		size_t len = SYN_LEN;
		cove_enclave_image *img = (cove_enclave_image *)d;
		cove_error e = {0};
		memcpy(d, good, SYN_LEN);
		cases[i].m(d, &len);
		uint8_t *exact = malloc(len); /* exactly `len` bytes, so ASan sees any over-read */
		memcpy(exact, d, len);
		cove_err r = cove_enclave_image_parse(exact, len, &img, &e);
		if (r != COVE_ERR_PARSE)
			fail_msg("%s: parse returned %d (%s)", cases[i].name, r, e.msg);
		assert_null(img);
		if (!strstr(e.msg, cases[i].msg))
			fail_msg("%s: message \"%s\" lacks \"%s\"", cases[i].name, e.msg, cases[i].msg);
		free(exact);
		free(d);
	}
	free(good);
}

/* ---- the real test enclave ---- */

static void test_real_parse(void **state)
{
	(void)state;
	cove_buf b = load("minimal.so");
	cove_enclave_image *img = NULL;
	cove_error e = {0};
	uint8_t a[32], c[32];
	const uint8_t *sig = NULL;

	if (cove_enclave_image_parse(b.data, b.len, &img, &e) != COVE_OK)
		fail_msg("parse minimal.so: %s", e.msg);
	const cove_enclave_config *cfg = cove_enclave_image_config(img);
	assert_memory_equal(cfg->magic, "COVECFG1", 8);
	assert_int_equal(cfg->heap_size, 262144);
	assert_int_equal(cfg->stack_size, 65536);
	assert_int_equal(cfg->tcs_count, 2);
	assert_int_equal(cfg->isv_prod_id, 7);
	assert_int_equal(cfg->isv_svn, 3);
	assert_int_equal(cfg->switchless_workers, 0);
	assert_int_equal(cfg->flags, COVE_ENCLAVE_CONFIG_DEBUG);
	assert_true(cove_enclave_image_segment_count(img) >= 2);
	/* Regions: image segments, heap, then (stack, TCS, SSA) per thread, increasing, non-overlapping. */
	size_t n = cove_enclave_image_region_count(img), nseg = cove_enclave_image_segment_count(img);
	assert_int_equal(n, nseg + 1 + 3 * 2);
	assert_int_equal(cove_enclave_image_region(img, nseg)->kind, COVE_ENCLAVE_REGION_HEAP);
	assert_int_equal(cove_enclave_image_region(img, nseg)->offset, cove_enclave_image_size(img) + 4096);
	for (size_t i = 1; i < n; i++) {
		const cove_enclave_region *p = cove_enclave_image_region(img, i - 1), *r = cove_enclave_image_region(img, i);
		assert_true(p->offset + p->size <= r->offset);
	}
	const cove_enclave_region *last = cove_enclave_image_region(img, n - 1);
	uint64_t size = cove_enclave_image_enclave_size(img);
	assert_true(last->offset + last->size <= size);
	assert_true((size & (size - 1)) == 0);
	assert_true(size / 2 < last->offset + last->size);
	assert_int_equal(cove_enclave_image_measure(img, a, &e), COVE_OK);
	assert_int_equal(cove_enclave_image_measure(img, c, &e), COVE_OK);
	assert_memory_equal(a, c, 32);
	assert_int_equal(cove_enclave_image_sigstruct(img, &sig, &e), COVE_OK);
	assert_null(sig);
	cove_enclave_image_free(img);

	/* The image the build signed: same MRENCLAVE, checks, signed by the build's development key. */
	cove_buf s = load("minimal.signed.so");
	assert_int_equal(s.len, b.len);
	if (cove_enclave_image_parse(s.data, s.len, &img, &e) != COVE_OK)
		fail_msg("parse minimal.signed.so: %s", e.msg);
	uint64_t attr = 0;
	if (cove_enclave_image_check(img, true, NULL, c, NULL, &attr, &e) != COVE_OK)
		fail_msg("check minimal.signed.so: %s", e.msg);
	assert_memory_equal(a, c, 32);
	assert_int_equal(attr, COVE_SGX_ATTR_INIT | COVE_SGX_ATTR_MODE64BIT | COVE_SGX_ATTR_DEBUG);
	cove_enclave_image_free(img);
	cove_buf_free(&s);
	cove_buf_free(&b);
}

/* Sign with a fresh key; check; every loaded page and random loaded bytes, flipped, fail the check. */
static void test_real_sign_and_flip(void **state)
{
	(void)state;
	cove_buf b = load("minimal.so");
	uint8_t *s = NULL, mr[32], mr2[32], signer[32], want_signer[32];
	size_t n = 0, flips = 0;
	cove_enclave_image *img = NULL;
	cove_sigstruct ss;
	cove_error e = {0};

	assert_int_equal(cove_enclave_image_sign(b.data, b.len, key, NULL, &s, &n, mr, &e), COVE_OK);
	assert_int_equal(cove_enclave_image_parse(s, n, &img, &e), COVE_OK);
	if (cove_enclave_image_check(img, false, &ss, mr2, signer, NULL, &e) != COVE_OK)
		fail_msg("check: %s", e.msg);
	assert_memory_equal(mr, mr2, 32);
	assert_memory_equal(ss.f.enclave_hash, mr, 32);
	assert_int_equal(cove_sigstruct_key_mrsigner(key, want_signer, NULL), COVE_OK);
	assert_memory_equal(signer, want_signer, 32);
	assert_int_equal(ss.f.isv_prod_id, 7);
	assert_int_equal(ss.f.isv_svn, 3);

	srand(12345);
	for (size_t i = 0; i < cove_enclave_image_segment_count(img); i++) {
		cove_enclave_segment sg = *cove_enclave_image_segment(img, i);
		for (uint64_t at = 0; at < sg.filesz; at += 4096) {
			uint64_t offs[2] = {at, at + (uint64_t)rand() % 4096};
			for (int k = 0; k < 2; k++) {
				if (offs[k] >= sg.filesz)
					continue;
				uint64_t off = sg.offset + offs[k];
				cove_enclave_image *t = NULL;
				s[off] ^= 0x01;
				if (cove_enclave_image_parse(s, n, &t, NULL) == COVE_OK) {
					uint8_t m[32];
					assert_int_equal(cove_enclave_image_measure(t, m, NULL), COVE_OK);
					if (memcmp(m, mr, 32) == 0)
						fail_msg("flip at file offset %llu did not change MRENCLAVE",
							 (unsigned long long)off);
					assert_int_not_equal(cove_enclave_image_check(t, false, NULL, NULL, NULL, NULL, NULL),
							     COVE_OK);
				}
				cove_enclave_image_free(t);
				s[off] ^= 0x01;
				flips++;
			}
		}
	}
	assert_true(flips >= 4);
	/* The unmodified image still checks (the flips were undone). */
	assert_int_equal(cove_enclave_image_check(img, false, NULL, NULL, NULL, NULL, &e), COVE_OK);
	cove_enclave_image_free(img);
	free(s);
	cove_buf_free(&b);
}

/* Every byte of the SIGSTRUCT's two signed ranges, flipped, fails the check. */
static void test_real_sigstruct_flips(void **state)
{
	(void)state;
	cove_buf b = load("minimal.so");
	uint8_t *s = NULL;
	size_t n = 0;
	cove_enclave_image *img = NULL;
	cove_error e = {0};
	const uint8_t *sig = NULL;

	assert_int_equal(cove_enclave_image_sign(b.data, b.len, key, NULL, &s, &n, NULL, &e), COVE_OK);
	assert_int_equal(cove_enclave_image_parse(s, n, &img, &e), COVE_OK);
	assert_int_equal(cove_enclave_image_sigstruct(img, &sig, &e), COVE_OK);
	assert_non_null(sig);
	assert_true(sig > s && sig + COVE_SIGSTRUCT_SIZE <= s + n);
	size_t base = (size_t)(sig - s);
	for (size_t i = 0; i < 256; i++) {
		size_t off = base + (i < 128 ? i : 900 + (i - 128));
		s[off] ^= 0x80;
		cove_err r = cove_enclave_image_check(img, false, NULL, NULL, NULL, NULL, &e);
		if (r != COVE_ERR_VERIFY && r != COVE_ERR_PARSE)
			fail_msg("flip of SIGSTRUCT byte %zu: check returned %d", off - base, r);
		s[off] ^= 0x80;
	}
	/* A SIGSTRUCT over another MRENCLAVE: the error names both hashes. */
	s[base + 960] ^= 1;
	cove_sigstruct_fields f;
	cove_sigstruct full;
	assert_int_equal(cove_sigstruct_parse(sig, COVE_SIGSTRUCT_SIZE, &full, NULL), COVE_OK);
	f = full.f;
	assert_int_equal(cove_sigstruct_sign(key, &f, s + base, NULL), COVE_OK);
	assert_int_equal(cove_enclave_image_check(img, false, NULL, NULL, NULL, NULL, &e), COVE_ERR_VERIFY);
	cove_test_expect_msg(&e, "does not match the measured MRENCLAVE");
	cove_enclave_image_free(img);
	free(s);
	cove_buf_free(&b);
}

/* Signed --no-debug: production launches check, debug launches are refused. */
static void test_real_no_debug(void **state)
{
	(void)state;
	cove_buf b = load("minimal.so");
	uint8_t *s = NULL;
	size_t n = 0;
	cove_enclave_image *img = NULL;
	cove_error e = {0};
	uint64_t attr = 0;
	cove_enclave_sign_opts o = {.force_no_debug = true};

	assert_int_equal(cove_enclave_image_sign(b.data, b.len, key, &o, &s, &n, NULL, &e), COVE_OK);
	assert_int_equal(cove_enclave_image_parse(s, n, &img, &e), COVE_OK);
	assert_int_equal(cove_enclave_image_check(img, true, NULL, NULL, NULL, NULL, &e), COVE_ERR_POLICY);
	cove_test_expect_msg(&e, "this enclave was signed without debug permission");
	assert_int_equal(cove_enclave_image_check(img, false, NULL, NULL, NULL, &attr, &e), COVE_OK);
	assert_int_equal(attr, COVE_SGX_ATTR_INIT | COVE_SGX_ATTR_MODE64BIT);
	cove_enclave_image_free(img);
	free(s);
	cove_buf_free(&b);
}

/* Heap, stack and TCS changes in the real image's config move MRENCLAVE and the layout. */
static void test_real_config_changes(void **state)
{
	(void)state;
	cove_buf b = load("minimal.so");
	uint8_t base[32], mr[32];
	uint8_t *cfg = memmem(b.data, b.len, "COVECFG1", 8);
	assert_non_null(cfg);
	assert_null(memmem(cfg + 1, b.len - (size_t)(cfg + 1 - b.data), "COVECFG1", 8));
	measure_bytes(b.data, b.len, base);
	static const size_t fields[3] = {16, 24, 32};
	for (int i = 0; i < 3; i++) {
		uint8_t save[8];
		memcpy(save, cfg + fields[i], 8);
		if (i < 2)
			cove_put_le64(cfg + fields[i], cove_le64(cfg + fields[i]) + 4096);
		else
			cove_put_le32(cfg + fields[i], cove_le32(cfg + fields[i]) + 1);
		measure_bytes(b.data, b.len, mr);
		if (memcmp(mr, base, 32) == 0)
			fail_msg("config field at %zu did not change MRENCLAVE", fields[i]);
		memcpy(cfg + fields[i], save, 8);
	}
	measure_bytes(b.data, b.len, mr);
	assert_memory_equal(mr, base, 32);
	cove_buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_synthetic_mrenclave),
		cmocka_unit_test(test_synthetic_sign),
		cmocka_unit_test(test_synthetic_config_changes),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_real_parse),
		cmocka_unit_test(test_real_sign_and_flip),
		cmocka_unit_test(test_real_sigstruct_flips),
		cmocka_unit_test(test_real_no_debug),
		cmocka_unit_test(test_real_config_changes),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
