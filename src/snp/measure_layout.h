/*
 * Byte layouts used by the launch-measurement code (internal to src/snp):
 * the OVMF footer GUID table and SEV metadata (edk2 OvmfPkg/ResetVector,
 * as read by virtee/sev-snp-measure ovmf.py), the SNP PAGE_INFO structure
 * hashed into the launch digest (AMD 56860 "PAGE_INFO"; sev-snp-measure
 * gctx.py) and the VMSA save area (AMD APM vol. 2 table B-4; Linux
 * struct sev_es_save_area; sev-snp-measure vmsa.py).
 */
#ifndef COVE_SNP_MEASURE_LAYOUT_H
#define COVE_SNP_MEASURE_LAYOUT_H

#include <stdint.h>

/* An EFI GUID a-b-c-d0d1-d2..d7 in the byte order firmware stores it (first three fields little-endian). */
#define COVE_EFI_GUID(a, b, c, d0, d1, d2, d3, d4, d5, d6, d7)                                          \
	{                                                                                              \
		(uint8_t)(a), (uint8_t)((a) >> 8), (uint8_t)((a) >> 16), (uint8_t)((a) >> 24),         \
		(uint8_t)(b), (uint8_t)((b) >> 8), (uint8_t)(c), (uint8_t)((c) >> 8), d0, d1, d2, d3, \
		d4, d5, d6, d7                                                                         \
	}

/* Footer table GUIDs (edk2 OvmfPkg/ResetVector/Ia16/ResetVectorVtf0.asm). */
extern const uint8_t cove_snp_guid_table_footer[16]; /* 96b582de-1fb2-45f7-baea-a366c55a082d */
extern const uint8_t cove_snp_guid_sev_es_reset[16]; /* 00f771de-1a7e-4fcb-890e-68c77e2fb44e */
extern const uint8_t cove_snp_guid_hash_table[16];   /* 7255371f-3a3b-4b04-927b-1da6efa8d454 */
extern const uint8_t cove_snp_guid_sev_metadata[16]; /* dc886566-984a-4798-a75e-5585a7bf67cc */

/* The footer table: {u16 size, GUID} ending 32 bytes before the end of the image. */
#define OVMF_FOOTER_END_GAP 32
#define OVMF_ENTRY_HDR_LEN 18 /* u16 length + GUID, after the entry's data */
#define OVMF_FOOTER_LEN (OVMF_FOOTER_END_GAP + OVMF_ENTRY_HDR_LEN)

/* SEV metadata header ("ASEV", u32 size, u32 version, u32 count) and its 12-byte items. */
#define OVMF_META_OFF_SIGNATURE 0
#define OVMF_META_OFF_SIZE 4
#define OVMF_META_OFF_VERSION 8
#define OVMF_META_OFF_COUNT 12
#define OVMF_META_HDR_LEN 16
#define OVMF_META_ITEM_LEN 12 /* u32 gpa, u32 size, u32 type */

/* SNP PAGE_INFO (0x70 bytes). */
#define PAGE_INFO_OFF_DIGEST_CUR 0x00
#define PAGE_INFO_OFF_CONTENTS 0x30
#define PAGE_INFO_OFF_LENGTH 0x60
#define PAGE_INFO_OFF_PAGE_TYPE 0x62
#define PAGE_INFO_OFF_IMI_PAGE 0x63
#define PAGE_INFO_OFF_VMPL3_PERMS 0x64
#define PAGE_INFO_OFF_VMPL2_PERMS 0x65
#define PAGE_INFO_OFF_VMPL1_PERMS 0x66
#define PAGE_INFO_OFF_RESERVED 0x67
#define PAGE_INFO_OFF_GPA 0x68
#define PAGE_INFO_LEN 0x70

/* PAGE_INFO page types. */
#define PAGE_TYPE_NORMAL 0x1
#define PAGE_TYPE_VMSA 0x2
#define PAGE_TYPE_ZERO 0x3
#define PAGE_TYPE_UNMEASURED 0x4
#define PAGE_TYPE_SECRETS 0x5
#define PAGE_TYPE_CPUID 0x6

/* The VMSA is recorded at GPA -1 truncated to a page-aligned 52-bit address. */
#define VMSA_GPA 0xFFFFFFFFF000ULL

/* VMSA save area offsets: segment registers are {u16 selector, u16 attrib, u32 limit, u64 base}. */
#define VMSA_SEG_LEN 16
#define VMSA_SEG_OFF_SELECTOR 0
#define VMSA_SEG_OFF_ATTRIB 2
#define VMSA_SEG_OFF_LIMIT 4
#define VMSA_SEG_OFF_BASE 8
#define VMSA_OFF_ES 0x000
#define VMSA_OFF_CS 0x010
#define VMSA_OFF_SS 0x020
#define VMSA_OFF_DS 0x030
#define VMSA_OFF_FS 0x040
#define VMSA_OFF_GS 0x050
#define VMSA_OFF_GDTR 0x060
#define VMSA_OFF_LDTR 0x070
#define VMSA_OFF_IDTR 0x080
#define VMSA_OFF_TR 0x090
#define VMSA_OFF_EFER 0x0D0
#define VMSA_OFF_CR4 0x148
#define VMSA_OFF_CR0 0x158
#define VMSA_OFF_DR7 0x160
#define VMSA_OFF_DR6 0x168
#define VMSA_OFF_RFLAGS 0x170
#define VMSA_OFF_RIP 0x178
#define VMSA_OFF_G_PAT 0x268
#define VMSA_OFF_RDX 0x310
#define VMSA_OFF_SEV_FEATURES 0x3B0
#define VMSA_OFF_XCR0 0x3E8
#define VMSA_OFF_MXCSR 0x408 /* u32 */
#define VMSA_OFF_X87_FCW 0x410 /* u16 */

#endif
