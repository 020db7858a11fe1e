/*
 * Benchmark of the SEV-SNP launch-measurement calculation (src/snp/measure*.c)
 * on Debian 12's 2 MiB OVMF_CODE.fd: the median time of one measurement the
 * way `cove snp measure` does it (read the file, parse, hash every page, the
 * metadata sections and the VMSAs), of the calculation alone, and of a plain
 * SHA-384 over the image as the floor set by OpenSSL.
 *
 *   bench_snp_measure [OVMF_FILE [RUNS]]
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "cove/bytes.h"
#include "cove/crypto.h"
#include "cove/snp_measure.h"

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "/usr/share/OVMF/OVMF_CODE.fd";
	int runs = argc > 2 ? atoi(argv[2]) : 50;
	if (runs < 1)
		runs = 1;
	cove_error e = {0};
	cove_buf fw = {0};
	if (cove_snp_ovmf_read(path, &fw, &e)) {
		printf("bench_snp_measure: %s; skipped (install Debian's ovmf package or pass an OVMF file)\n", e.msg);
		return 0;
	}
	double *t_cli = calloc((size_t)runs, sizeof(double));
	double *t_calc = calloc((size_t)runs, sizeof(double));
	double *t_ovmf = calloc((size_t)runs, sizeof(double));
	double *t_sha = calloc((size_t)runs, sizeof(double));
	int rc = 1;
	if (!t_cli || !t_calc || !t_ovmf || !t_sha)
		goto out;

	cove_snp_measure_opts o;
	cove_snp_measure_opts_init(&o);
	o.vcpus = 4;
	if (cove_snp_vcpu_sig_lookup("EPYC-Milan", &o.vcpu_sig, &e))
		goto fail;
	uint8_t digest[COVE_SNP_LD_LEN];
	size_t dlen;
	for (int i = 0; i < runs; i++) {
		/* As the CLI does it: read the image, then measure it. */
		double t0 = now_ms();
		cove_buf img = {0};
		if (cove_snp_ovmf_read(path, &img, &e))
			goto fail;
		o.ovmf = img.data;
		o.ovmf_len = img.len;
		o.mode = COVE_SNP_MODE_SNP;
		cove_err err = cove_snp_measure(&o, digest, &dlen, &e);
		cove_buf_free(&img);
		if (err)
			goto fail;
		t_cli[i] = now_ms() - t0;

		o.ovmf = fw.data;
		o.ovmf_len = fw.len;
		t0 = now_ms();
		if (cove_snp_measure(&o, digest, &dlen, &e))
			goto fail;
		t_calc[i] = now_ms() - t0;

		o.mode = COVE_SNP_MODE_SNP_OVMF_HASH;
		t0 = now_ms();
		if (cove_snp_measure(&o, digest, &dlen, &e))
			goto fail;
		t_ovmf[i] = now_ms() - t0;

		t0 = now_ms();
		if (cove_digest(COVE_SHA384, fw.data, fw.len, digest, &e))
			goto fail;
		t_sha[i] = now_ms() - t0;
	}
	printf("SEV-SNP launch measurement of %s (%zu bytes = %zu pages), 4 vCPUs EPYC-Milan, median of %d runs:\n",
	       path, fw.len, fw.len / COVE_SNP_PAGE_SIZE, runs);
	printf("  read + measure (as cove snp measure):  %8.3f ms\n", median(t_cli, runs));
	printf("  measure (image in memory):             %8.3f ms\n", median(t_calc, runs));
	printf("  OVMF pages only (snp:ovmf-hash):       %8.3f ms\n", median(t_ovmf, runs));
	printf("  one SHA-384 over the image (floor):    %8.3f ms\n", median(t_sha, runs));
	rc = 0;
	goto out;
fail:
	printf("bench_snp_measure: %s\n", e.msg);
out:
	free(t_cli);
	free(t_calc);
	free(t_ovmf);
	free(t_sha);
	cove_buf_free(&fw);
	return rc;
}
