/*
 * libFuzzer target for the OVMF footer-table / SEV-metadata parser and the
 * launch-digest calculation that consumes it (src/snp/measure*.c).
 *
 * The input is parsed as an OVMF image as is; then it is placed at the end of
 * a zeroed, page-aligned buffer (the footer table lives at the end of the
 * image) and measured in a mode, VMM and vCPU count chosen from its first
 * byte, so that every path after the parser runs too.  Images declaring very
 * large sections are only parsed, to keep each run fast.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cove/snp_measure.h"

#define MAX_MEASURED_INPUT 16384
#define MAX_SECTION_PAGES 1024

static uint64_t section_pages(const cove_snp_ovmf *o)
{
	uint64_t pages = 0;
	for (size_t i = 0; i < o->nsections; i++)
		pages += o->sections[i].size / COVE_SNP_PAGE_SIZE + 1;
	return pages;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cove_snp_ovmf o;
	cove_error e;
	if (cove_snp_ovmf_parse(data, size, &o, &e) == COVE_OK)
		json_decref(cove_snp_ovmf_to_json(&o));
	if (size == 0 || size > MAX_MEASURED_INPUT)
		return 0;

	size_t len = (size + COVE_SNP_PAGE_SIZE - 1) & ~(size_t)(COVE_SNP_PAGE_SIZE - 1);
	uint8_t *img = calloc(1, len);
	if (!img)
		return 0;
	memcpy(img + len - size, data, size);
	if (cove_snp_ovmf_parse(img, len, &o, &e) != COVE_OK || section_pages(&o) > MAX_SECTION_PAGES)
		goto out;

	uint8_t sel = data[0];
	cove_snp_measure_opts opts;
	cove_snp_measure_opts_init(&opts);
	opts.ovmf = img;
	opts.ovmf_len = len;
	opts.mode = (cove_snp_measure_mode)(sel & 0x3);
	opts.vmm = (cove_snp_vmm)((sel >> 2) % 3);
	opts.vcpus = 1 + ((sel >> 4) & 0x3);
	opts.vcpu_sig = 0x00a00f11;
	opts.guest_features = sel & 0x40 ? 0x21 : 0x1;
	cove_snp_kernel_hashes kh;
	if (sel & 0x80 && opts.mode != COVE_SNP_MODE_SNP_OVMF_HASH &&
	    cove_snp_kernel_hashes_compute("kernel", 6, NULL, 0, "console=ttyS0", &kh, NULL) == COVE_OK)
		opts.kernel_hashes = &kh;
	uint8_t digest[COVE_SNP_LD_LEN];
	size_t digest_len;
	if (cove_snp_measure(&opts, digest, &digest_len, &e) == COVE_OK &&
	    digest_len != (opts.mode <= COVE_SNP_MODE_SNP_OVMF_HASH ? COVE_SNP_LD_LEN : COVE_SNP_SEV_LD_LEN))
		abort(); /* a digest of the wrong length is a bug */
out:
	free(img);
	return 0;
}
