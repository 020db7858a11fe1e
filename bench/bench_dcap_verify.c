/*
 * Benchmark: DCAP quotes verified per second by a warm verifier (collateral
 * parsed once; chains, CRLs and collateral signatures already checked and
 * remembered), each iteration parsing the quote and running the whole
 * appraisal, next to OpenSSL's raw ECDSA P-256/SHA-256 verification rate
 * measured in the same run.  A quote needs three P-256 verifications (PCK
 * certificate, QE report, quote), so the ideal rate is a third of the raw one;
 * a warm verifier that has seen the platform before checks only the quote's
 * own signature and so can exceed it.  The cold rate (a new verifier each
 * time: every chain, CRL and collateral signature checked) is printed too.
 * The quote is parsed as a service would (COVE_DCAP_PARSE_NO_CERTS: the verifier
 * decodes each distinct PCK chain once).  Genuine Intel evidence from shared/.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include "cove/dcap.h"
#include "cove/dcap_collateral.h"
#include "cove/dcap_verify.h"

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
		fprintf(stderr, "bench_dcap_verify: %s\n", e.msg);
		return -1;
	}
	return 0;
}

static double raw_rate(cove_pkey *key, const uint8_t *msg, size_t len, const uint8_t rs[64], double seconds)
{
	unsigned char der[80], *p = der;
	ECDSA_SIG *s = ECDSA_SIG_new();
	ECDSA_SIG_set0(s, BN_bin2bn(rs, 32, NULL), BN_bin2bn(rs + 32, 32, NULL));
	size_t der_len = (size_t)i2d_ECDSA_SIG(s, &p);
	ECDSA_SIG_free(s);
	long n = 0;
	double t0 = now_s(), t;
	do {
		EVP_MD_CTX *ctx = EVP_MD_CTX_new();
		EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, key);
		if (EVP_DigestVerify(ctx, der, der_len, msg, len) != 1)
			abort();
		EVP_MD_CTX_free(ctx);
		n++;
	} while ((t = now_s() - t0) < seconds);
	return n / t;
}

static int run(const char *shared, const char *name, const char *quote_rel, const char *coll_rel, int64_t at,
	       double seconds)
{
	cove_buf qb = {0}, cb = {0};
	cove_dcap_collateral coll;
	cove_dcap_quote q;
	cove_dcap_verifier *v = NULL;
	cove_dcap_policy policy;
	cove_dcap_verify_opts o = {.at = at};
	cove_pkey *attest = NULL;
	cove_error e = {0};
	memset(&coll, 0, sizeof(coll));
	if (load(shared, quote_rel, &qb) || load(shared, coll_rel, &cb))
		return 77;
	if (cove_dcap_collateral_parse_bundle((const char *)cb.data, cb.len, &coll, &e) ||
	    cove_dcap_quote_parse(qb.data, qb.len, &q, &e) || cove_dcap_verifier_new(&v, &e) ||
	    cove_pkey_from_ec_xy("P-256", q.attest_key, 64, &attest, &e)) {
		fprintf(stderr, "bench_dcap_verify: %s\n", e.msg);
		return 1;
	}
	cove_dcap_policy_init(&policy);
	policy.accepted_statuses = ~0u;
	policy.allow_debug = true;
	cove_result *res = NULL;
	if (cove_dcap_verify(v, &q, &coll, &policy, &o, &res, &e) || !res->ok) {
		fprintf(stderr, "bench_dcap_verify: %s does not verify\n", name);
		return 1;
	}
	cove_result_free(res);

	/* A verifier that remembers collateral checks but not platforms: each quote pays its PCK
	 * certificate, QE report and quote signatures - the three verifications of the ideal. */
	cove_dcap_verifier *per_quote = NULL;
	if (cove_dcap_verifier_new(&per_quote, &e))
		return 1;
	cove_dcap_verifier_remember_platforms(per_quote, false);
	double best_cove = 0, best_raw = 0, best_warm = 0;
	for (int round = 0; round < 3; round++) {
		double r = raw_rate(attest, q.signed_data, q.signed_len, q.signature, seconds);
		best_raw = r > best_raw ? r : best_raw;
		for (int pass = 0; pass < 2; pass++) {
			cove_dcap_verifier *ver = pass == 0 ? per_quote : v;
			long n = 0;
			double t0 = now_s(), t;
			do {
				cove_dcap_quote parsed;
				if (cove_dcap_quote_parse_ex(qb.data, qb.len, COVE_DCAP_PARSE_NO_CERTS, &parsed, NULL) ||
				    cove_dcap_verify(ver, &parsed, &coll, &policy, &o, &res, NULL) || !res->ok)
					abort();
				cove_result_free(res);
				cove_dcap_quote_free(&parsed);
				n++;
			} while ((t = now_s() - t0) < seconds);
			double *best = pass == 0 ? &best_cove : &best_warm;
			*best = n / t > *best ? n / t : *best;
		}
	}
	cove_dcap_verifier_free(per_quote);
	/* Cold: a new verifier each time, so every signature, chain, CRL and collateral check runs. */
	long cold_n = 0;
	double t0 = now_s(), cold_t;
	do {
		cove_dcap_verifier *fresh = NULL;
		cove_dcap_quote parsed;
		if (cove_dcap_verifier_new(&fresh, NULL) ||
		    cove_dcap_quote_parse_ex(qb.data, qb.len, COVE_DCAP_PARSE_NO_CERTS, &parsed, NULL) ||
		    cove_dcap_verify(fresh, &parsed, &coll, &policy, &o, &res, NULL) || !res->ok)
			abort();
		cove_result_free(res);
		cove_dcap_quote_free(&parsed);
		cove_dcap_verifier_free(fresh);
		cold_n++;
	} while ((cold_t = now_s() - t0) < seconds);

	double ideal = best_raw / 3;
	printf("%s: OpenSSL raw ECDSA P-256/SHA-256 verify %0.f/s; ideal (3 verifications a quote) %0.f quotes/s\n", name,
	       best_raw, ideal);
	printf("  collateral cached, incl. the platform's PCK chain and QE report: %6.0f quotes/s  ratio %.2f (target >= 0.85)\n",
	       best_warm, best_warm / ideal);
	printf("  TCB/QE/CRL collateral cached, PCK chain decoded and verified:   %6.0f quotes/s  ratio %.2f\n", best_cove,
	       best_cove / ideal);
	printf("  cold verifier, every check performed:                           %6.0f quotes/s  ratio %.2f\n",
	       cold_n / cold_t, cold_n / cold_t / ideal);
	cove_pkey_free(attest);
	cove_dcap_policy_free(&policy);
	cove_dcap_verifier_free(v);
	cove_dcap_quote_free(&q);
	cove_dcap_collateral_free(&coll);
	cove_buf_free(&qb);
	cove_buf_free(&cb);
	return 0;
}

int main(int argc, char **argv)
{
	const char *shared = getenv("COVE_SHARED_DIR");
	double seconds = argc > 1 ? atof(argv[1]) : 1.0;
	char def[4096];
	if (!shared) {
		snprintf(def, sizeof(def), "%s/../shared", COVE_SOURCE_DIR);
		shared = def;
	}
	int rc = run(shared, "SGX", "vectors/sgx/phala-dcap-qvl/sgx_quote", "vectors/sgx/phala-dcap-qvl/sgx_quote_collateral.json",
		     1751328000, seconds);
	if (rc)
		return rc;
	return run(shared, "TDX", "vectors/tdx/phala-dcap-qvl/tdx_quote", "vectors/tdx/phala-dcap-qvl/tdx_quote_collateral.json",
		   1751328000, seconds);
}
