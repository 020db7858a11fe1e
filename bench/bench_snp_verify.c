/*
 * Benchmark: SEV-SNP reports verified per second by a warm verifier (chain
 * and CRL already checked once, certificates parsed), next to OpenSSL's raw
 * ECDSA P-384 verification rate over the same 672 bytes, measured in the same
 * run.  The ratio shows what cove adds on top of the one signature check a
 * report needs.  Uses genuine AMD evidence from shared/ (COVE_SHARED_DIR).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include "cove/crypto.h"
#include "cove/snp.h"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int load(const char *dir, const char *rel, cove_buf *out)
{
	char path[4096];
	cove_error e = {0};
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	if (cove_file_read(path, 1 << 20, out, &e)) {
		fprintf(stderr, "bench_snp_verify: %s\n", e.msg);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *shared = getenv("COVE_SHARED_DIR");
	double seconds = argc > 1 ? atof(argv[1]) : 1.0;
	cove_buf rep = {0}, vcek = {0}, chain = {0}, crlb = {0};
	cove_x509_list certs = {0};
	cove_x509_crl *crl = NULL;
	cove_snp_verifier *v = NULL;
	cove_snp_report r;
	cove_snp_verify_opts opts = {.at = 1751328000}; /* 2025-07-01, see shared/vectors/snp/MANIFEST.md */
	cove_error e = {0};

	if (!shared) {
		char def[4096];
		snprintf(def, sizeof(def), "%s/../shared", COVE_SOURCE_DIR);
		shared = strdup(def);
	}
	if (load(shared, "vectors/snp/trustee/snp/test-report.bin", &rep) ||
	    load(shared, "vectors/snp/trustee/snp/test-vcek.der", &vcek) ||
	    load(shared, "vectors/snp/go-sev-guest/milan_cert_chain.pem", &chain) ||
	    load(shared, "vectors/snp/openpcc/test_amd_milan_crl.pem", &crlb)) {
		fprintf(stderr, "bench_snp_verify: sample evidence not found (set COVE_SHARED_DIR)\n");
		return 77;
	}
	if (cove_snp_report_parse(rep.data, rep.len, &r, &e) || cove_x509_list_parse(&certs, vcek.data, vcek.len, &e) ||
	    cove_x509_list_parse(&certs, chain.data, chain.len, &e) ||
	    cove_x509_crl_parse(crlb.data, crlb.len, &crl, &e) || cove_snp_verifier_new(&v, &e)) {
		fprintf(stderr, "bench_snp_verify: %s\n", e.msg);
		return 1;
	}

	/* Warm up: the first call verifies the chain and the CRL. */
	cove_result *res = NULL;
	if (cove_snp_verify(v, &r, &certs, crl, NULL, &opts, &res, &e) || !res->ok) {
		fprintf(stderr, "bench_snp_verify: sample does not verify\n");
		return 1;
	}
	cove_result_free(res);

	/* The raw baseline: one EVP_DigestVerify (SHA-384 + ECDSA P-384) over the same bytes. */
	cove_pkey *key = cove_x509_pubkey(certs.certs[0]);
	uint8_t sig[COVE_SNP_REPORT_SIZE];
	size_t sig_len;
	{
		/* Build the DER signature once, as a raw caller would have it. */
		ECDSA_SIG *s = ECDSA_SIG_new();
		ECDSA_SIG_set0(s, BN_lebin2bn(r.signature_r, 72, NULL), BN_lebin2bn(r.signature_s, 72, NULL));
		unsigned char *p = sig;
		sig_len = (size_t)i2d_ECDSA_SIG(s, &p);
		ECDSA_SIG_free(s);
	}

	double best_cove = 0, best_raw = 0;
	for (int round = 0; round < 3; round++) {
		long n = 0;
		double t0 = now_s(), t;
		do {
			EVP_MD_CTX *ctx = EVP_MD_CTX_new();
			EVP_DigestVerifyInit(ctx, NULL, EVP_sha384(), NULL, key);
			if (EVP_DigestVerify(ctx, sig, sig_len, r.raw, COVE_SNP_SIGNED_SIZE) != 1)
				abort();
			EVP_MD_CTX_free(ctx);
			n++;
		} while ((t = now_s() - t0) < seconds);
		if (n / t > best_raw)
			best_raw = n / t;

		n = 0;
		t0 = now_s();
		do {
			cove_snp_report parsed;
			if (cove_snp_report_parse(rep.data, rep.len, &parsed, NULL) ||
			    cove_snp_verify(v, &parsed, &certs, crl, NULL, &opts, &res, NULL) || !res->ok)
				abort();
			cove_result_free(res);
			n++;
		} while ((t = now_s() - t0) < seconds);
		if (n / t > best_cove)
			best_cove = n / t;
	}
	printf("snp verify (parse + full appraisal, warm collateral): %8.0f reports/s\n", best_cove);
	printf("OpenSSL raw ECDSA P-384/SHA-384 verify:               %8.0f verifies/s\n", best_raw);
	printf("ratio: %.3f (target >= 0.9)\n", best_cove / best_raw);

	cove_snp_verifier_free(v);
	cove_x509_crl_free(crl);
	cove_x509_list_free(&certs);
	cove_buf_free(&rep);
	cove_buf_free(&vcek);
	cove_buf_free(&chain);
	cove_buf_free(&crlb);
	return 0;
}
