/*
 * cove/enclave_image.h - enclave images: parse a position-independent ELF
 * shared object built with cove_add_enclave(), lay it out as the loader will,
 * measure it with the SGX algorithm (MRENCLAVE) and sign it (SIGSTRUCT).
 *
 * `cove sign` and the loader call the same functions on the same bytes, so the
 * MRENCLAVE printed at signing time is, by construction, what the loader
 * measures, what it compares with the SIGSTRUCT and what appears in reports.
 *
 * The layout (docs/enclave-image.md has the picture), in enclave-relative pages
 * of 4096 bytes:
 *   1. the image: every PT_LOAD segment at its p_vaddr (the loader maps the
 *      same bytes there); each page is EADDed as PT_REG with R/W/X from p_flags
 *      and EEXTENDed with its content (the segment's file bytes inside
 *      [p_vaddr, p_vaddr + p_filesz), zeros elsewhere in the page);
 *   2. one unmapped guard page, then the heap: heap_size bytes EADDed RW,
 *      not EEXTENDed (their content is zero at start, as on hardware);
 *   3. for each of tcs_count + switchless_workers threads: a guard page, the
 *      stack (stack_size bytes, RW, not EEXTENDed), a TCS page (PT_TCS,
 *      EEXTENDed; zero but OSSA, NSSA = COVE_ENCLAVE_SSA_PAGES, at the SDM's
 *      offsets 16 and 28, OENTRY 0) and COVE_ENCLAVE_SSA_PAGES SSA pages (RW,
 *      not EEXTENDed);
 *   4. ECREATE's SIZE is the smallest power of two >= the end of the layout.
 * The hash stream follows the Intel SDM (vol. 3D, "ECREATE", "EADD", "EEXTEND"):
 *   ECREATE: "ECREATE\0", u32 SSAFRAMESIZE, u64 SIZE, 44 zero bytes
 *   EADD:    "EADD\0\0\0\0", u64 page offset, SECINFO.FLAGS u64, 40 zero bytes
 *   EEXTEND: "EEXTEND\0", u64 chunk offset, 48 zero bytes, then 256 data bytes
 * (the record formats Gramine's sgx_sign.py packs as '<8sLQ44s', '<8sQQ40s', '<8sQ48s').
 */
#ifndef COVE_ENCLAVE_IMAGE_H
#define COVE_ENCLAVE_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cove/crypto.h"
#include "cove/enclave_config.h"
#include "cove/err.h"
#include "cove/sigstruct.h"

#ifdef __cplusplus
extern "C" {
#endif

#define COVE_ENCLAVE_PAGE_SIZE 4096u
#define COVE_ENCLAVE_IMAGE_MAX (UINT64_C(1) << 30) /* largest image file cove reads */
#define COVE_ENCLAVE_SSA_PAGES 2u
#define COVE_ENCLAVE_SIGSTRUCT_SECTION ".cove_sigstruct"

/* SECINFO.FLAGS (SDM vol. 3D, 34.11.1): R, W, X and the page type in bits 15:8. */
#define COVE_SECINFO_R 0x1u
#define COVE_SECINFO_W 0x2u
#define COVE_SECINFO_X 0x4u
#define COVE_SECINFO_PT_TCS (1u << 8)
#define COVE_SECINFO_PT_REG (2u << 8)

/* ATTRIBUTES.FLAGS bits used in SIGSTRUCTs and reports. */
#define COVE_SGX_ATTR_INIT 0x1ull
#define COVE_SGX_ATTR_DEBUG 0x2ull
#define COVE_SGX_ATTR_MODE64BIT 0x4ull

typedef struct cove_enclave_image cove_enclave_image;

/* One loadable segment as the loader maps it. */
typedef struct cove_enclave_segment {
	uint64_t vaddr;    /* enclave-relative, as p_vaddr */
	uint64_t memsz;
	uint64_t offset;   /* in the file */
	uint64_t filesz;
	uint32_t secinfo;  /* COVE_SECINFO_R/W/X */
} cove_enclave_segment;

/* One region of the layout (for `cove sign --dump` and the loader's bookkeeping). */
typedef enum cove_enclave_region_kind {
	COVE_ENCLAVE_REGION_IMAGE = 1,
	COVE_ENCLAVE_REGION_HEAP = 2,
	COVE_ENCLAVE_REGION_STACK = 3,
	COVE_ENCLAVE_REGION_TCS = 4,
	COVE_ENCLAVE_REGION_SSA = 5,
} cove_enclave_region_kind;

typedef struct cove_enclave_region {
	cove_enclave_region_kind kind;
	uint32_t thread;   /* for stack/TCS/SSA: thread index */
	uint64_t offset;   /* enclave-relative */
	uint64_t size;
	uint32_t secinfo;
	bool measured;     /* EEXTENDed */
} cove_enclave_region;

/*
 * Parse an enclave image (the whole file, `data` must stay valid while the
 * image is used; nothing is copied).  Refuses, with COVE_ERR_PARSE and a
 * message naming the header, segment or section: anything but a little-endian
 * ELF64 x86-64 ET_DYN; program or section headers outside the file; a PT_LOAD
 * with p_filesz > p_memsz, out-of-file bytes, a vaddr/offset not congruent
 * modulo the page size, or sharing a page with another; a missing, duplicated,
 * misplaced (not inside a read-only PT_LOAD) or invalid ".cove_config"
 * (cove/enclave_config.h rules); a missing or duplicated ".cove_sigstruct"
 * section or one that is not exactly COVE_SIGSTRUCT_SIZE bytes of non-loaded
 * file content.  On failure *out is NULL.
 */
cove_err cove_enclave_image_parse(const uint8_t *data, size_t len, cove_enclave_image **out, cove_error *e);
void cove_enclave_image_free(cove_enclave_image *img);

const cove_enclave_config *cove_enclave_image_config(const cove_enclave_image *img);
size_t cove_enclave_image_segment_count(const cove_enclave_image *img);
const cove_enclave_segment *cove_enclave_image_segment(const cove_enclave_image *img, size_t i);
/* End of the image part of the layout (page-aligned). */
uint64_t cove_enclave_image_size(const cove_enclave_image *img);

/* The layout regions in order and ECREATE's SIZE. */
size_t cove_enclave_image_region_count(const cove_enclave_image *img);
const cove_enclave_region *cove_enclave_image_region(const cove_enclave_image *img, size_t i);
uint64_t cove_enclave_image_enclave_size(const cove_enclave_image *img);

/* MRENCLAVE of the layout above. */
cove_err cove_enclave_image_measure(const cove_enclave_image *img, uint8_t mrenclave[32], cove_error *e);

/*
 * The SIGSTRUCT stored in the image: *sig points into the image data, or is
 * NULL when the section is all zero (an unsigned image).
 */
cove_err cove_enclave_image_sigstruct(const cove_enclave_image *img, const uint8_t **sig, cove_error *e);

/* What the signer may choose; zero-initialise and set what you need. */
typedef struct cove_enclave_sign_opts {
	uint32_t date;          /* BCD 0xYYYYMMDD; 0 = today (UTC) */
	bool allow_debug;       /* default: from the config's COVE_ENCLAVE_CONFIG_DEBUG flag */
	bool force_no_debug;    /* sign as production-only even if the config allows debug */
} cove_enclave_sign_opts;

/*
 * Sign: measure the image and return a copy of `data` with its
 * ".cove_sigstruct" section filled with a SIGSTRUCT over MRENCLAVE, the
 * config's ISVPRODID/ISVSVN, ATTRIBUTES MODE64BIT with mask
 * 0xFFFFFFFFFFFFFFFD = ~DEBUG when debug is allowed (DEBUG not enforced, as
 * the SDK's default ~(DEBUG | 0x00FF000000000000) does) or 0xFFFFFFFFFFFFFFFF
 * when not, XFRM 0x3/mask 0, TYPE 0, MODULEVENDOR 0, MISCSELECT 0/mask
 * 0xFFFFFFFF, DATE o->date or today (UTC), signed with `key` (RSA-3072,
 * e = 3).  Debug is allowed when !o->force_no_debug and either
 * o->allow_debug or the config's COVE_ENCLAVE_CONFIG_DEBUG flag; `o` may be
 * NULL (all defaults); `mrenclave` may be NULL.  *signed_data is malloc'd.
 */
cove_err cove_enclave_image_sign(const uint8_t *data, size_t len, cove_pkey *key, const cove_enclave_sign_opts *o,
				 uint8_t **signed_data, size_t *signed_len, uint8_t mrenclave[32], cove_error *e);

/*
 * What EINIT checks, for the loader and `cove sign --dump`: the image's
 * SIGSTRUCT exists, parses, its RSA signature verifies, ENCLAVEHASH equals
 * the measured MRENCLAVE (COVE_ERR_VERIFY naming both hashes otherwise), and
 * the launch attributes agree with ATTRIBUTES under ATTRIBUTEMASK
 * (COVE_ERR_POLICY: "this enclave was signed without debug permission").  As
 * EINIT does, the comparison uses SECS.ATTRIBUTES before INIT is set
 * (MODE64BIT, plus DEBUG when `debug`), XFRM 0x3 and MISCSELECT 0; the
 * returned *attr_flags are the running enclave's: INIT|MODE64BIT(|DEBUG).
 * An all-zero (unsigned) .cove_sigstruct is COVE_ERR_VERIFY.  Every output
 * pointer may be NULL.  Fills the identity the enclave will have
 * (MRENCLAVE, MRSIGNER, ISVPRODID, ISVSVN, ATTRIBUTES; cpu_svn left zero for
 * the platform to set).
 */
cove_err cove_enclave_image_check(const cove_enclave_image *img, bool debug, cove_sigstruct *sig_out,
				  uint8_t mrenclave[32], uint8_t mrsigner[32], uint64_t *attr_flags, cove_error *e);

#ifdef __cplusplus
}
#endif
#endif
