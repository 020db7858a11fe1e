/*
 * cove/enclave_config.h - the configuration an enclave image carries: heap and
 * stack sizes, number of enclave threads (TCS), product ID, security version
 * and whether it may run as a debug enclave.  It plays the role of the
 * Intel SGX SDK's Enclave.config.xml (HeapMaxSize, StackMaxSize, TCSNum,
 * ProdID, ISVSVN, DisableDebug; shared/research/enclave-sdk.md A2) and of
 * Open Enclave's OE_SET_ENCLAVE_SGX macro (A1).
 *
 * The structure lives in the image's ".cove_config" section, inside a
 * read-only loadable segment, so it is covered by MRENCLAVE; cove_add_enclave()
 * generates it from its arguments, or an enclave states it once with
 * COVE_ENCLAVE_CONFIG().  `cove sign` and the loader read it from the same
 * bytes with the same parser (cove/enclave_image.h).  ISVPRODID, ISVSVN and
 * DEBUG are copied into the SIGSTRUCT at signing time; the loader then takes
 * them from the signed SIGSTRUCT, never from the config alone.
 *
 * Wire layout (little-endian, 64 bytes):
 *     0  magic[8]      "COVECFG1"
 *     8  u32 version   1
 *    12  u32 flags     COVE_ENCLAVE_CONFIG_*
 *    16  u64 heap_size   bytes, a multiple of 4096, > 0
 *    24  u64 stack_size  bytes per enclave thread, a multiple of 4096, > 0
 *    32  u32 tcs_count   enclave threads, 1..COVE_ENCLAVE_MAX_TCS
 *    36  u16 isv_prod_id
 *    38  u16 isv_svn
 *    40  u32 switchless_workers  enclave-side worker threads for switchless ecalls (0 = none)
 *    44  u8  reserved[20]  zero
 */
#ifndef COVE_ENCLAVE_CONFIG_H
#define COVE_ENCLAVE_CONFIG_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define COVE_ENCLAVE_CONFIG_MAGIC "COVECFG1"
#define COVE_ENCLAVE_CONFIG_VERSION 1u
#define COVE_ENCLAVE_CONFIG_SIZE 64u
#define COVE_ENCLAVE_CONFIG_SECTION ".cove_config"

#define COVE_ENCLAVE_CONFIG_DEBUG 0x1u /* may be signed and run as a debug enclave */

#define COVE_ENCLAVE_MAX_TCS 64u
#define COVE_ENCLAVE_MAX_WORKERS 16u
#define COVE_ENCLAVE_MAX_HEAP (UINT64_C(1) << 36)  /* 64 GiB */
#define COVE_ENCLAVE_MAX_STACK (UINT64_C(1) << 30) /* 1 GiB */

/* Defaults used by cove_add_enclave() when an argument is omitted. */
#define COVE_ENCLAVE_DEFAULT_HEAP (UINT64_C(4) << 20)    /* 4 MiB */
#define COVE_ENCLAVE_DEFAULT_STACK (UINT64_C(256) << 10) /* 256 KiB */
#define COVE_ENCLAVE_DEFAULT_TCS 2u

typedef struct cove_enclave_config {
	char magic[8];
	uint32_t version;
	uint32_t flags;
	uint64_t heap_size;
	uint64_t stack_size;
	uint32_t tcs_count;
	uint16_t isv_prod_id;
	uint16_t isv_svn;
	uint32_t switchless_workers;
	uint8_t reserved[20];
} cove_enclave_config;

#ifndef __cplusplus
_Static_assert(sizeof(cove_enclave_config) == COVE_ENCLAVE_CONFIG_SIZE, "enclave config is 64 bytes");
#endif

/*
 * State an enclave's configuration in one of its source files (x86-64 is
 * little-endian, so the C object is the wire layout above).
 */
#define COVE_ENCLAVE_CONFIG(heap, stack, tcs, prod_id, svn, workers, cfg_flags)                                \
	__attribute__((section(COVE_ENCLAVE_CONFIG_SECTION), used, aligned(64)))                              \
	const cove_enclave_config cove_enclave_config_ = {                                                     \
		{'C', 'O', 'V', 'E', 'C', 'F', 'G', '1'}, COVE_ENCLAVE_CONFIG_VERSION, (cfg_flags), (heap),    \
		(stack), (tcs), (prod_id), (svn), (workers), {0}}

#ifdef __cplusplus
}
#endif
#endif
