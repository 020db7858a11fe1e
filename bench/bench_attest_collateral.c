/*
 * Benchmark: MAA-shaped attestations of genuine Intel SGX and TDX quotes
 * (cove_attest_request_parse + cove_attest_evaluate, one thread, a warm DCAP
 * verifier) with collateral from cove's PCS cache, offline, at the
 * collateral's pinned time: the PCS source asked for every quote, as a bare
 * library call does, next to the same source behind a keeper
 * (cove_attest_dcap_keeper, as coved's workers have it).  Asking the source
 * reads four cache files and decodes a TCB info, a QE identity, two CRLs and
 * their issuer chains for every quote; the keeper does it once per period.
 *
 * The cache is seeded in a temporary directory from the collateral bundles
 * of shared/vectors/{sgx,tdx}/phala-dcap-qvl in cove's cache envelopes
 * (src/pcs/pcs.c: {"url", "issuer_chain"?, "body" | "crl"}), i.e. what
 * `cove dcap verify` would have stored after fetching them.
 *
 * Usage: bench_attest_collateral [SECONDS per row, default 1]
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <jansson.h>

#include "cove/attest.h"
#include "cove/bytes.h"
#include "cove/dcap_pcs.h"

#define PINNED_AT 1751328000 /* 2025-07-01, inside the vectors' collateral validity (MANIFEST.md) */

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int write_json(const char *dir, const char *rel, json_t *o)
{
	char path[4400];
	int rc;
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	rc = o ? json_dump_file(o, path, JSON_COMPACT) : -1;
	json_decref(o);
	if (rc)
		fprintf(stderr, "bench_attest_collateral: cannot write %s\n", path);
	return rc;
}

/* The bundle's parts as PCS cache envelopes under `dir` (sgx/ or tdx/ by `tee`). */
static int seed_cache(const char *dir, const char *tee, const json_t *b)
{
	const char *tcb = json_string_value(json_object_get(b, "tcb_info"));
	const char *qe = json_string_value(json_object_get(b, "qe_identity"));
	json_t *ti = tcb ? json_loads(tcb, 0, NULL) : NULL;
	const char *fm = json_string_value(json_object_get(ti, "fmspc"));
	char rel[128], fmspc[16] = "", *tcb_body = NULL, *qe_body = NULL;
	int rc = -1;

	for (size_t i = 0; fm && fm[i] && i < sizeof(fmspc) - 1; i++)
		fmspc[i] = (char)(fm[i] >= 'a' && fm[i] <= 'f' ? fm[i] - 'a' + 'A' : fm[i]);
	if (!qe || !fmspc[0] ||
	    asprintf(&tcb_body, "{\"tcbInfo\":%s,\"signature\":\"%s\"}", tcb,
		     json_string_value(json_object_get(b, "tcb_info_signature"))) < 0 ||
	    asprintf(&qe_body, "{\"enclaveIdentity\":%s,\"signature\":\"%s\"}", qe,
		     json_string_value(json_object_get(b, "qe_identity_signature"))) < 0) {
		tcb_body = qe_body = NULL;
		fprintf(stderr, "bench_attest_collateral: the %s bundle lacks its TCB info or QE identity\n", tee);
		goto out;
	}
	char sub[4400];
	snprintf(sub, sizeof(sub), "%s/%s", dir, tee);
	mkdir(sub, 0700);
	snprintf(sub, sizeof(sub), "%s/%s/tcb", dir, tee);
	mkdir(sub, 0700);
	snprintf(sub, sizeof(sub), "%s/pckcrl", dir);
	mkdir(sub, 0700);
	if (write_json(dir, "pckcrl/processor.json",
		       json_pack("{s:s, s:O, s:O}", "url", "seeded", "issuer_chain",
				 json_object_get(b, "pck_crl_issuer_chain"), "crl", json_object_get(b, "pck_crl"))) ||
	    write_json(dir, "pckcrl/platform.json",
		       json_pack("{s:s, s:O, s:O}", "url", "seeded", "issuer_chain",
				 json_object_get(b, "pck_crl_issuer_chain"), "crl", json_object_get(b, "pck_crl"))) ||
	    write_json(dir, "rootcacrl.json",
		       json_pack("{s:s, s:O}", "url", "seeded", "crl", json_object_get(b, "root_ca_crl"))))
		goto out;
	snprintf(rel, sizeof(rel), "%s/tcb/%s.json", tee, fmspc);
	if (write_json(dir, rel,
		       json_pack("{s:s, s:O, s:s}", "url", "seeded", "issuer_chain",
				 json_object_get(b, "tcb_info_issuer_chain"), "body", tcb_body)))
		goto out;
	snprintf(rel, sizeof(rel), "%s/qe_identity.json", tee);
	if (write_json(dir, rel,
		       json_pack("{s:s, s:O, s:s}", "url", "seeded", "issuer_chain",
				 json_object_get(b, "qe_identity_issuer_chain"), "body", qe_body)))
		goto out;
	rc = 0;
out:
	free(tcb_body);
	free(qe_body);
	json_decref(ti);
	return rc;
}

/* Attestations per second of `body` for `seconds`, through `src`; -1 on an error or an unauthentic verdict. */
static double rate(cove_attest_type type, const char *body, cove_attest_dcap_source src, double seconds)
{
	cove_attest_ctx ctx;
	cove_error e = {0};
	uint64_t n = 0;
	double t0 = 0, r = -1;

	cove_attest_ctx_init(&ctx);
	ctx.at = PINNED_AT;
	ctx.dcap_sources[0] = src;
	ctx.n_dcap_sources = 1;
	if (cove_dcap_verifier_new(&ctx.dcap, &e))
		goto out;
	for (int64_t i = -1;; i++) {
		cove_attest_request *req = NULL;
		json_t *claims = NULL;
		cove_result *res = NULL;
		cove_err rc;
		if (i == 0)
			t0 = now_s(); /* one warm-up: the verifier remembers the platform's chain */
		rc = cove_attest_request_parse(type, body, strlen(body), &req, &e);
		if (!rc)
			rc = cove_attest_evaluate(&ctx, req, &claims, &res, &e);
		bool ok = !rc && res->authentic;
		if (!rc && !ok)
			snprintf(e.msg, sizeof(e.msg), "not authentic: %s", res->nfailures ? res->failures[0].detail : "?");
		json_decref(claims);
		cove_result_free(res);
		cove_attest_request_free(req);
		if (!ok) {
			fprintf(stderr, "bench_attest_collateral: %s\n", e.msg);
			goto out;
		}
		if (i >= 0 && ++n && now_s() - t0 >= seconds)
			break;
	}
	r = (double)n / (now_s() - t0);
out:
	cove_dcap_verifier_free(ctx.dcap);
	return r;
}

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb, (void)flag, (void)ftw;
	return remove(p);
}

static int run(const char *shared, const char *name, const char *tee, cove_attest_type type, const char *quote_rel,
	       const char *coll_rel, double seconds)
{
	char tmp[] = "/tmp/bench_attest_collateral.XXXXXX", path[4096];
	cove_buf quote = {0};
	cove_error e = {0};
	cove_dcap_pcs_opts po;
	cove_dcap_pcs *pcs = NULL;
	cove_attest_dcap_keeper *keeper = NULL;
	json_t *bundle = NULL;
	char *q64 = NULL, *body = NULL;
	int ret = 1;

	if (!mkdtemp(tmp))
		return 1;
	snprintf(path, sizeof(path), "%s/%s", shared, quote_rel);
	if (cove_file_read(path, 1 << 20, &quote, &e)) {
		fprintf(stderr, "bench_attest_collateral: %s\n", e.msg);
		goto out;
	}
	snprintf(path, sizeof(path), "%s/%s", shared, coll_rel);
	if (!(bundle = json_load_file(path, 0, NULL)) || seed_cache(tmp, tee, bundle)) {
		fprintf(stderr, "bench_attest_collateral: cannot seed the cache from %s\n", path);
		goto out;
	}
	if (!(q64 = cove_base64url_new(quote.data, quote.len)) || asprintf(&body, "{\"quote\":\"%s\"}", q64) < 0) {
		body = NULL;
		goto out;
	}
	cove_dcap_pcs_opts_init(&po);
	po.cache_dir = tmp;
	po.offline = true;
	po.now = PINNED_AT;
	if (cove_dcap_pcs_new(&po, &pcs, &e) ||
	    cove_attest_dcap_keeper_new(cove_attest_dcap_from_pcs, pcs, 3600, &keeper, &e)) {
		fprintf(stderr, "bench_attest_collateral: %s\n", e.msg);
		goto out;
	}
	cove_attest_dcap_source asked = {.get = cove_attest_dcap_from_pcs, .arg = pcs};
	double per_quote = rate(type, body, asked, seconds);
	double kept = per_quote > 0 ? rate(type, body, cove_attest_dcap_keeper_source(keeper), seconds) : -1;
	if (per_quote <= 0 || kept <= 0)
		goto out;
	printf("%s attestations/s, one thread, collateral from the PCS cache: asked per quote %.0f (%.0f us), "
	       "kept %.0f (%.0f us), %.1fx\n",
	       name, per_quote, 1e6 / per_quote, kept, 1e6 / kept, kept / per_quote);
	ret = 0;
out:
	cove_attest_dcap_keeper_free(keeper);
	cove_dcap_pcs_free(pcs);
	json_decref(bundle);
	free(q64);
	free(body);
	cove_buf_free(&quote);
	nftw(tmp, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	return ret;
}

int main(int argc, char **argv)
{
	const char *shared = getenv("COVE_SHARED_DIR");
	double seconds = argc > 1 ? atof(argv[1]) : 1.0;
	char def[4096];

	if (!(seconds > 0)) {
		fprintf(stderr, "usage: bench_attest_collateral [SECONDS per row]\n");
		return 2;
	}
	if (!shared) {
		snprintf(def, sizeof(def), "%s/../shared", COVE_SOURCE_DIR);
		shared = def;
	}
	if (run(shared, "SGX", "sgx", COVE_ATTEST_SGXENCLAVE, "vectors/sgx/phala-dcap-qvl/sgx_quote",
		"vectors/sgx/phala-dcap-qvl/sgx_quote_collateral.json", seconds))
		return 1;
	return run(shared, "TDX", "tdx", COVE_ATTEST_TDXVM, "vectors/tdx/phala-dcap-qvl/tdx_quote",
		   "vectors/tdx/phala-dcap-qvl/tdx_quote_collateral.json", seconds);
}
