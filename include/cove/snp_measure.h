/*
 * cove/snp_measure.h - the expected launch MEASUREMENT of an SEV-SNP guest
 * (and the SEV-ES / SEV launch digests) computed from its OVMF firmware image,
 * vCPU count and type, VMM type, guest features and, for measured direct boot,
 * the kernel, initrd and command line.
 *
 * The result is bit-identical to virtee/sev-snp-measure for the QEMU, EC2 and
 * GCE VMMs.  Values are computed, not confirmed by hardware: a VMM that
 * populates the guest differently yields a different MEASUREMENT.
 *
 * The OVMF parser (footer GUID table and SEV metadata) is exposed on its own
 * for tools and fuzzing; it borrows the image bytes and never allocates.
 */
#ifndef COVE_SNP_MEASURE_H
#define COVE_SNP_MEASURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "cove/bytes.h"
#include "cove/err.h"

#ifdef __cplusplus
extern "C" {
#endif

#define COVE_SNP_PAGE_SIZE 4096
#define COVE_SNP_VMSA_SIZE 4096
#define COVE_SNP_LD_LEN 48           /* SEV-SNP launch digest: SHA-384 */
#define COVE_SNP_SEV_LD_LEN 32       /* SEV and SEV-ES launch digest: SHA-256 */
#define COVE_SNP_HASHES_TABLE_LEN 176 /* kernel-hashes table as QEMU writes it (168 bytes, padded to 16) */
#define COVE_SNP_OVMF_MAX_LEN ((size_t)64 << 20) /* firmware images larger than this are refused */
#define COVE_SNP_MAX_VCPUS 4096

/* ---- OVMF image ---- */

/* SEV metadata section types (edk2 OvmfPkg/ResetVector/X64/OvmfSevMetadata.asm). */
typedef enum cove_snp_section_type {
	COVE_SNP_SECTION_SEC_MEM = 0x1,        /* pre-validated memory: measured as ZERO pages */
	COVE_SNP_SECTION_SECRETS = 0x2,        /* the SNP secrets page */
	COVE_SNP_SECTION_CPUID = 0x3,          /* the SNP CPUID page */
	COVE_SNP_SECTION_SVSM_CAA = 0x4,       /* SVSM calling area: ZERO pages */
	COVE_SNP_SECTION_KERNEL_HASHES = 0x10, /* the page holding the kernel-hashes table */
} cove_snp_section_type;

typedef struct cove_snp_ovmf_section {
	uint32_t gpa;
	uint32_t size;
	uint32_t type; /* a cove_snp_section_type, or an unknown value as found */
} cove_snp_ovmf_section;

/* One entry of the footer GUID table: its data lies at data[offset .. offset+len). */
typedef struct cove_snp_ovmf_entry {
	uint8_t guid[16]; /* EFI (little-endian) byte order, as stored */
	size_t offset;
	size_t len;
} cove_snp_ovmf_entry;

#define COVE_SNP_OVMF_MAX_ENTRIES 32
#define COVE_SNP_OVMF_MAX_SECTIONS 64

typedef struct cove_snp_ovmf {
	const uint8_t *data; /* borrowed image */
	size_t len;
	uint64_t gpa; /* where the image is mapped: it ends at 4 GiB (0 if larger than 4 GiB) */

	bool has_footer; /* the footer table GUID 96b582de-... sits 48 bytes before the end */
	size_t nentries;
	cove_snp_ovmf_entry entries[COVE_SNP_OVMF_MAX_ENTRIES]; /* in file order */

	bool has_reset_eip; /* SEV-ES reset block 00f771de-...: where APs start */
	uint32_t reset_eip;
	bool has_hash_table; /* SEV hash table 7255371f-...: where QEMU writes the kernel hashes */
	uint32_t hash_table_gpa;
	uint32_t hash_table_size; /* 0 when the entry carries only the GPA */

	bool has_metadata; /* SEV metadata dc886566-...: the pages QEMU pre-populates for SNP */
	uint32_t metadata_offset; /* from the end of the image */
	uint32_t metadata_version;
	size_t nsections;
	cove_snp_ovmf_section sections[COVE_SNP_OVMF_MAX_SECTIONS];
} cove_snp_ovmf;

/*
 * Read a firmware image into `out` (released with cove_buf_free) with one
 * allocation of its size; images above COVE_SNP_OVMF_MAX_LEN are refused.
 */
cove_err cove_snp_ovmf_read(const char *path, cove_buf *out, cove_error *e);

/*
 * Parse the footer table and SEV metadata of an OVMF image (`data` must stay
 * alive while `out` is used).  An image without the footer table GUID parses
 * with has_footer = false; a malformed table or metadata is COVE_ERR_PARSE
 * with the offset and the reason.  No policy is applied here: whether the
 * image can launch an SNP guest is decided by cove_snp_measure().
 */
cove_err cove_snp_ovmf_parse(const uint8_t *data, size_t len, cove_snp_ovmf *out, cove_error *e);

/* True when the image declares a section of this type. */
bool cove_snp_ovmf_has_section(const cove_snp_ovmf *o, uint32_t type);

/* Short name of a section type ("SNP_SEC_MEM", ...), or "unknown". */
const char *cove_snp_section_type_name(uint32_t type);

/* Canonical text form of an EFI GUID given in its stored byte order; out must hold 37 bytes. */
void cove_snp_guid_format(const uint8_t guid[16], char out[37]);

/* A JSON summary of the parsed image (size, GPA, table entries, reset EIP, sections). */
json_t *cove_snp_ovmf_to_json(const cove_snp_ovmf *o);

/* ---- vCPU and VMM types ---- */

typedef enum cove_snp_vmm {
	COVE_SNP_VMM_QEMU = 0, /* QEMU/KVM: RDX = vCPU signature, x87/SSE reset state */
	COVE_SNP_VMM_EC2,      /* AWS EC2: RDX = 0x600, other segment attributes, CPUID page last */
	COVE_SNP_VMM_GCE,      /* Google Compute Engine: RDX = 0x600, own PAT, SEC_MEM unmeasured */
} cove_snp_vmm;

const char *cove_snp_vmm_name(cove_snp_vmm v); /* "qemu", "ec2", "gce" */
cove_err cove_snp_vmm_parse(const char *name, cove_snp_vmm *out, cove_error *e);

/* A named QEMU CPU model and its CPUID Fn0000_0001_EAX signature. */
typedef struct cove_snp_vcpu_type {
	const char *name;
	uint32_t sig;
} cove_snp_vcpu_type;

/* The built-in table (EPYC, EPYC-v1..v4, EPYC-Rome*, EPYC-Milan*, EPYC-Genoa*, EPYC-Turin). */
const cove_snp_vcpu_type *cove_snp_vcpu_types(size_t *count);

/* Signature of a named CPU model (case-insensitive); COVE_ERR_ARG for an unknown name. */
cove_err cove_snp_vcpu_sig_lookup(const char *name, uint32_t *sig, cove_error *e);

/*
 * Signature from family, model and stepping as CPUID encodes them (AMD 25481):
 * family up to 0x10E (0xF + extended family), model up to 0xFF, stepping up to 0xF.
 */
cove_err cove_snp_vcpu_sig_encode(unsigned family, unsigned model, unsigned stepping, uint32_t *sig,
				  cove_error *e);

/*
 * The initial VMSA page of one vCPU: `eip` is 0xFFFFFFF0 for the boot vCPU and
 * the SEV-ES reset EIP for the others; `sev_features` is the guest features
 * value (0 for SEV-ES); `vcpu_sig` goes to RDX under QEMU.
 */
void cove_snp_vmsa_encode(cove_snp_vmm vmm, uint32_t eip, uint64_t sev_features, uint32_t vcpu_sig,
			  uint8_t page[COVE_SNP_VMSA_SIZE]);

/* ---- Measured direct boot ---- */

/* SHA-256 of the kernel, initrd and command line, as QEMU places them in the hashes table. */
typedef struct cove_snp_kernel_hashes {
	uint8_t cmdline[32]; /* SHA-256(append || NUL); of a lone NUL when there is no command line */
	uint8_t initrd[32];  /* SHA-256 of the initrd; of the empty string when there is none */
	uint8_t kernel[32];
} cove_snp_kernel_hashes;

/* From bytes in memory: `initrd` may be NULL (no initrd), `append` NULL or "" (no command line). */
cove_err cove_snp_kernel_hashes_compute(const void *kernel, size_t kernel_len, const void *initrd, size_t initrd_len,
					const char *append, cove_snp_kernel_hashes *out, cove_error *e);

/* From files, hashed as they are read: `initrd_path` and `append` may be NULL. */
cove_err cove_snp_kernel_hashes_read(const char *kernel_path, const char *initrd_path, const char *append,
				     cove_snp_kernel_hashes *out, cove_error *e);

/* The 176-byte hashes table (header GUID, then cmdline, initrd and kernel entries, zero padding). */
void cove_snp_kernel_hashes_encode(const cove_snp_kernel_hashes *h, uint8_t out[COVE_SNP_HASHES_TABLE_LEN]);

/* ---- Launch digest ---- */

typedef enum cove_snp_measure_mode {
	COVE_SNP_MODE_SNP = 0,        /* SEV-SNP MEASUREMENT (SHA-384) */
	COVE_SNP_MODE_SNP_OVMF_HASH,  /* only the OVMF part of the SNP digest, to reuse with ovmf_hash */
	COVE_SNP_MODE_SEV_ES,         /* SEV-ES launch digest (SHA-256) */
	COVE_SNP_MODE_SEV,            /* SEV launch digest (SHA-256) */
} cove_snp_measure_mode;

const char *cove_snp_measure_mode_name(cove_snp_measure_mode m); /* "snp", "snp:ovmf-hash", "seves", "sev" */
cove_err cove_snp_measure_mode_parse(const char *name, cove_snp_measure_mode *out, cove_error *e);

typedef struct cove_snp_measure_opts {
	cove_snp_measure_mode mode;
	const uint8_t *ovmf; /* the firmware image (borrowed) */
	size_t ovmf_len;
	unsigned vcpus;          /* SNP and SEV-ES: 1..COVE_SNP_MAX_VCPUS */
	uint32_t vcpu_sig;       /* CPUID 1.EAX; required (non-zero) for QEMU, ignored by EC2 and GCE */
	cove_snp_vmm vmm;        /* default QEMU */
	uint64_t guest_features; /* SNP only: the VMSA SEV_FEATURES; default 0x1 (SNPActive) */
	/* Measured direct boot: NULL = no -kernel. */
	const cove_snp_kernel_hashes *kernel_hashes;
	/* SNP only: a precomputed OVMF part (COVE_SNP_LD_LEN bytes) replacing the hashing of the image. */
	const uint8_t *ovmf_hash;
	/* Optional: called with every VMSA page in launch order (e.g. to dump them). */
	cove_err (*vmsa_cb)(void *ctx, unsigned index, const uint8_t page[COVE_SNP_VMSA_SIZE], cove_error *e);
	void *vmsa_ctx;
} cove_snp_measure_opts;

/* Defaults: mode SNP, QEMU, guest features 0x1, no direct boot, everything else zero. */
void cove_snp_measure_opts_init(cove_snp_measure_opts *o);

/*
 * Compute the launch digest into `digest` (room for COVE_SNP_LD_LEN bytes);
 * *digest_len receives 48 (SNP modes) or 32 (SEV, SEV-ES).
 *
 * SNP modes refuse an image without SEV metadata (COVE_ERR_UNSUPPORTED: QEMU
 * cannot launch SNP with it); a kernel for an image without a kernel-hashes
 * section is COVE_ERR_UNSUPPORTED; a malformed image is COVE_ERR_PARSE; bad
 * options are COVE_ERR_ARG.
 */
cove_err cove_snp_measure(const cove_snp_measure_opts *o, uint8_t digest[COVE_SNP_LD_LEN], size_t *digest_len,
			  cove_error *e);

#ifdef __cplusplus
}
#endif
#endif
