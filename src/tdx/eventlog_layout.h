/*
 * Wire layouts of the TCG2 crypto-agile event log and the ACPI CCEL table
 * (internal to the tdx module and its tests).
 *
 * TCG EFI Protocol Specification (family 2.0, rev 00.13), section 5.1
 * (TCG_PCR_EVENT, SHA-1 format) and 5.2 (TCG_PCR_EVENT2, crypto agile);
 * TCG PC Client Platform Firmware Profile (PFP, family 2.0):
 * TCG_EfiSpecIDEventStruct and the event data structures named below;
 * ACPI 6.5 "CC Event Log ACPI Table" with linux include/acpi/actbl2.h
 * struct acpi_table_ccel.
 */
#ifndef COVE_TDX_EVENTLOG_LAYOUT_H
#define COVE_TDX_EVENTLOG_LAYOUT_H

/* TCG_PCR_EVENT: the SHA-1-format header record that carries the Spec ID event. */
#define TCG_EV1_INDEX 0      /* u32 PCRIndex */
#define TCG_EV1_TYPE 4       /* u32 EventType, EV_NO_ACTION for the Spec ID event */
#define TCG_EV1_DIGEST 8     /* 20 bytes, zero for the Spec ID event */
#define TCG_EV1_DIGEST_SIZE 20
#define TCG_EV1_EVENT_SIZE 28 /* u32 */
#define TCG_EV1_EVENT 32

/* TCG_EfiSpecIDEventStruct inside it */
#define TCG_SPEC_SIGNATURE 0 /* "Spec ID Event03\0" */
#define TCG_SPEC_SIGNATURE_SIZE 16
#define TCG_SPEC_PLATFORM_CLASS 16 /* u32 */
#define TCG_SPEC_VERSION_MINOR 20  /* u8 */
#define TCG_SPEC_VERSION_MAJOR 21  /* u8, 2 for TPM 2.0-style logs */
#define TCG_SPEC_ERRATA 22         /* u8 */
#define TCG_SPEC_UINTN_SIZE 23     /* u8: 1 = UINT32, 2 = UINT64 */
#define TCG_SPEC_NUM_ALGS 24       /* u32 */
#define TCG_SPEC_ALGS 28           /* numberOfAlgorithms x {u16 algorithmId, u16 digestSize} */
#define TCG_SPEC_ALG_SIZE 4
/* then u8 vendorInfoSize and vendorInfo[vendorInfoSize], ending the event */
#define TCG_SPEC_MIN_SIZE (TCG_SPEC_ALGS + TCG_SPEC_ALG_SIZE + 1)

/* TCG_PCR_EVENT2 */
#define TCG_EV2_INDEX 0         /* u32 PCRIndex: the CC MR index in a CCEL */
#define TCG_EV2_TYPE 4          /* u32 EventType */
#define TCG_EV2_DIGEST_COUNT 8  /* u32 TPML_DIGEST_VALUES.count */
#define TCG_EV2_DIGESTS 12      /* count x {u16 hashAlg, digest[size from the Spec ID event]} */
#define TCG_EV2_ALG_ID_SIZE 2
/* then u32 EventSize and Event[EventSize] */

/* The CCEL marks an unused record slot with MR index 0xFFFFFFFF (the area is 0xFF-filled). */
#define TCG_EV2_INDEX_INVALID 0xFFFFFFFFu

/* UEFI_VARIABLE_DATA (PFP): EV_EFI_VARIABLE_* events */
#define UEFI_VAR_GUID 0        /* EFI_GUID VariableName */
#define UEFI_VAR_NAME_LEN 16   /* u64 UnicodeNameLength, in CHAR16 */
#define UEFI_VAR_DATA_LEN 24   /* u64 VariableDataLength */
#define UEFI_VAR_NAME 32       /* CHAR16 UnicodeName[], then VariableData[] */

/* UEFI_IMAGE_LOAD_EVENT (PFP) */
#define UEFI_IMAGE_LOCATION 0  /* u64 */
#define UEFI_IMAGE_LENGTH 8    /* u64 */
#define UEFI_IMAGE_LINK_ADDR 16 /* u64 */
#define UEFI_IMAGE_DP_LEN 24   /* u64 LengthOfDevicePath */
#define UEFI_IMAGE_DP 32       /* EFI_DEVICE_PATH_PROTOCOL DevicePath[] */

/* EFI_DEVICE_PATH_PROTOCOL node header (UEFI 2.10 section 10.2) */
#define EFI_DP_TYPE 0          /* u8 */
#define EFI_DP_SUBTYPE 1       /* u8 */
#define EFI_DP_LENGTH 2        /* u16, header included */
#define EFI_DP_HEADER 4
#define EFI_DP_TYPE_MEDIA 0x04
#define EFI_DP_SUBTYPE_FILE_PATH 0x04
#define EFI_DP_TYPE_END 0x7f

/* UEFI_PLATFORM_FIRMWARE_BLOB (PFP) */
#define UEFI_BLOB_BASE 0       /* u64 */
#define UEFI_BLOB_LENGTH 8     /* u64 */
/* UEFI_PLATFORM_FIRMWARE_BLOB2 / UEFI_HANDOFF_TABLE_POINTERS2: u8 description size, description, then ... */
#define UEFI_DESC_SIZE 0
#define UEFI_DESC 1

/* UEFI_GPT_DATA (PFP): EFI_PARTITION_TABLE_HEADER (92 bytes), u64 NumberOfPartitions, entries */
#define UEFI_GPT_HEADER_SIZE 92
#define UEFI_GPT_NUM_PARTITIONS 92

/* TCG_PCClientTaggedEvent (PFP) */
#define TCG_TAGGED_ID 0        /* u32 */
#define TCG_TAGGED_SIZE 4      /* u32 */
#define TCG_TAGGED_DATA 8

/* ACPI CCEL table: the standard 36-byte header, then the CC fields */
#define CCEL_SIGNATURE 0       /* "CCEL" */
#define CCEL_LENGTH 4          /* u32, whole table */
#define CCEL_REVISION 8        /* u8 */
#define CCEL_CHECKSUM 9        /* u8: all bytes sum to 0 mod 256 */
#define CCEL_OEM_ID 10         /* 6 chars */
#define CCEL_OEM_TABLE_ID 16   /* 8 chars */
#define CCEL_OEM_REVISION 24   /* u32 */
#define CCEL_CREATOR_ID 28     /* 4 chars */
#define CCEL_CREATOR_REVISION 32 /* u32 */
#define CCEL_CC_TYPE 36        /* u8 */
#define CCEL_CC_SUBTYPE 37     /* u8 */
#define CCEL_RESERVED 38       /* u16 */
#define CCEL_LAML 40           /* u64 log area minimum length */
#define CCEL_LASA 48           /* u64 log area start address */

#endif
