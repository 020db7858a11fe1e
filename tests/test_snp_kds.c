/*
 * The AMD KDS client (src/kds) against the local test HTTP server
 * (tests/support/http_server.h: libmicrohttpd on 127.0.0.1, ephemeral port)
 * serving real AMD collateral from shared/vectors/snp: exact request URLs
 * (Milan 64-byte and Turin 8-byte hwID forms), 429/503 back-off, 404,
 * oversized bodies, timeouts, the on-disk cache (hits make no request,
 * offline mode, corrupt files, stale CRLs).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"
#include "cove/crypto.h"
#include "cove/snp.h"
#include "cove/snp_kds.h"
#include "support/http_server.h"
#include "support/scratch.h"

/* go-sev-guest verify/testdata/attestation.bin: its CHIP_ID and REPORTED_TCB (bl 2, tee 0, snp 5, ucode 68). */
#define MILAN_HWID                                                                                                     \
	"3ac3fe21e13fb0990eb28a802e3fb6a29483a6b0753590c951bdd3b8e53786184ca39e359669a2b76a1936776b564ea464cdce40c05f" \
	"63c9b610c5068b006b5d"
#define MILAN_VCEK_PATH "/vcek/v1/Milan/" MILAN_HWID
#define MILAN_VCEK_URI MILAN_VCEK_PATH "?blSPL=2&teeSPL=0&snpSPL=5&ucodeSPL=68"
/* virtee/sev tests/certs_data/vcek_turin.der: hwID 1e550a8ee5cf9f4d, all SPLs 0 except ucodeSPL 9. */
#define TURIN_HWID "1e550a8ee5cf9f4d"
#define TURIN_VCEK_PATH "/vcek/v1/Turin/" TURIN_HWID
#define TURIN_VCEK_URI TURIN_VCEK_PATH "?fmcSPL=0&blSPL=0&teeSPL=0&snpSPL=0&ucodeSPL=9"

#define CRL_NEXT_UPDATE 1778544000 /* 2026-05-12T00:00:00Z, nextUpdate of the Milan CRL sample */

/* ------------------------------------------------------------------ */
/* Test HTTP server (tests/support/http_server.h) and scratch cache    */

static cove_test_http srv;
static char tmp[128];   /* scratch directory */
static char cache[160]; /* {tmp}/cache/kds: created by the client */

static cove_test_http_route *add_route(const char *path, const cove_buf *body)
{
	return cove_test_http_route_add(&srv, path, body->data, body->len);
}

/*
 * Options for a server test, reset by the setup: this server, the scratch
 * cache, tiny back-off budgets.  A test adjusts them before kds_new().
 */
static cove_snp_kds_opts opts;
static cove_snp_kds *clients[8]; /* made by kds_new(), freed by the teardown */
static size_t nclients;

/* A client with the options as they are now. */
static cove_snp_kds *kds_new(void)
{
	cove_snp_kds *k = NULL;
	cove_error e = {0};
	assert_true(nclients < sizeof(clients) / sizeof(clients[0]));
	if (cove_snp_kds_new(&opts, &k, &e) != COVE_OK)
		fail_msg("cove_snp_kds_new: %s", e.msg);
	clients[nclients++] = k;
	return k;
}

static void milan_ids(uint8_t chip_id[64], uint64_t *tcb)
{
	cove_buf b = {0};
	cove_snp_report r;
	cove_error e = {0};
	cove_test_read_shared("vectors/snp/go-sev-guest/attestation.bin", &b);
	assert_int_equal(cove_snp_report_parse(b.data, b.len, &r, &e), COVE_OK);
	memcpy(chip_id, r.chip_id, 64);
	*tcb = r.reported_tcb;
	cove_buf_free(&b);
}

static void turin_ids(uint8_t chip_id[64], uint64_t *tcb)
{
	cove_error e = {0};
	assert_int_equal(cove_hex_decode_fixed(TURIN_HWID, chip_id, 8, &e), COVE_OK);
	memset(chip_id + 8, 0x77, 56); /* not part of a Turin hwID: must not reach the URL */
	cove_snp_tcb t = {.fmc = 0, .bootloader = 0, .tee = 0, .snp = 0, .microcode = 9};
	*tcb = cove_snp_tcb_encode(&t, COVE_SNP_TURIN);
}

static bool file_equals(const char *path, const cove_buf *want)
{
	cove_buf got = {0};
	bool same = cove_file_read(path, 1 << 20, &got, NULL) == COVE_OK && got.len == want->len &&
		    memcmp(got.data, want->data, got.len) == 0;
	cove_buf_free(&got);
	return same;
}

/* go-sev-guest's Milan VCEK, served at its KDS path by serve_milan(); the teardown frees it. */
static struct served_vcek {
	cove_buf vcek;
	uint8_t chip[64];              /* the sample report's CHIP_ID and REPORTED_TCB that name it */
	uint64_t tcb;
	cove_test_http_route *route;
	char cached[PATH_MAX];         /* where the cache keeps it */
} milan;

static void serve_milan(void)
{
	cove_test_read_shared("vectors/snp/go-sev-guest/vcek.testcer.der", &milan.vcek);
	milan_ids(milan.chip, &milan.tcb);
	milan.route = add_route(MILAN_VCEK_PATH, &milan.vcek);
	snprintf(milan.cached, sizeof(milan.cached), "%s/vcek/Milan/%s/4405000000000002.der", cache, MILAN_HWID);
}

static cove_err get_milan(cove_snp_kds *k, cove_buf *got, cove_error *e)
{
	return cove_snp_kds_get_vcek(k, COVE_SNP_MILAN, milan.chip, milan.tcb, got, e);
}

/* `got` is the served VCEK, byte for byte. */
static void expect_milan(const cove_buf *got)
{
	assert_int_equal(got->len, milan.vcek.len);
	assert_memory_equal(got->data, milan.vcek.data, milan.vcek.len);
}

static int server_setup(void **state)
{
	(void)state;
	memset(&milan, 0, sizeof(milan));
	nclients = 0;
	if (cove_test_http_start(&srv) != 0 || cove_test_scratch_make(tmp, sizeof(tmp), "kds") != 0)
		return -1;
	snprintf(cache, sizeof(cache), "%s/cache/kds", tmp);
	cove_snp_kds_opts_init(&opts);
	opts.base_url = srv.base;
	opts.cache_dir = cache;
	opts.retry_delay_ms = 1;
	opts.max_wait_ms = 200;
	opts.timeout_ms = 5000;
	opts.now = COVE_TEST_SNP_TIME;
	return 0;
}

static int server_teardown(void **state)
{
	(void)state;
	while (nclients)
		cove_snp_kds_free(clients[--nclients]);
	cove_test_http_stop(&srv);
	cove_test_scratch_remove(tmp);
	cove_buf_free(&milan.vcek);
	return 0;
}

/* ------------------------------------------------------------------ */

static void test_vcek_url(void **state)
{
	(void)state;
	uint8_t chip[64];
	uint64_t tcb;
	char *url = NULL;
	cove_error e = {0};
	for (int i = 0; i < 64; i++)
		chip[i] = (uint8_t)i;
	cove_snp_tcb t = {.fmc = 1, .bootloader = 2, .tee = 3, .snp = 4, .microcode = 5};
	tcb = cove_snp_tcb_encode(&t, COVE_SNP_TURIN);
	assert_int_equal(cove_snp_kds_format_vcek_url("https://kds.example/", COVE_SNP_TURIN, chip, tcb, &url, &e),
			 COVE_OK);
	assert_string_equal(url, "https://kds.example/vcek/v1/Turin/0001020304050607?fmcSPL=1&blSPL=2&teeSPL=3&snpSPL=4"
				 "&ucodeSPL=5");
	free(url);
	tcb = cove_snp_tcb_encode(&t, COVE_SNP_GENOA);
	assert_int_equal(cove_snp_kds_format_vcek_url(COVE_SNP_KDS_DEFAULT_URL, COVE_SNP_GENOA, chip, tcb, &url, &e),
			 COVE_OK);
	assert_string_equal(url, "https://kdsintf.amd.com/vcek/v1/Genoa/"
				 "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
				 "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
				 "?blSPL=2&teeSPL=3&snpSPL=4&ucodeSPL=5");
	free(url);
	/* SPLs of 100 and more are decimal, not truncated. */
	cove_snp_tcb big = {.bootloader = 10, .tee = 0, .snp = 23, .microcode = 213};
	tcb = cove_snp_tcb_encode(&big, COVE_SNP_MILAN);
	assert_int_equal(cove_snp_kds_format_vcek_url("http://h", COVE_SNP_MILAN, chip, tcb, &url, &e), COVE_OK);
	assert_non_null(strstr(url, "?blSPL=10&teeSPL=0&snpSPL=23&ucodeSPL=213"));
	free(url);
	assert_int_equal(cove_snp_kds_format_vcek_url("http://h", COVE_SNP_PRODUCT_UNKNOWN, chip, tcb, &url, &e),
			 COVE_ERR_ARG);
	assert_null(url);
}

/* A real report's CHIP_ID and REPORTED_TCB give the URL go-sev-guest requests. */
static void test_vcek_url_milan(void **state)
{
	(void)state;
	uint8_t chip[64];
	uint64_t tcb;
	char *url = NULL;
	cove_error e = {0};
	milan_ids(chip, &tcb);
	assert_int_equal(cove_snp_kds_format_vcek_url(COVE_SNP_KDS_DEFAULT_URL, COVE_SNP_MILAN, chip, tcb, &url, &e),
			 COVE_OK);
	assert_string_equal(url, "https://kdsintf.amd.com" MILAN_VCEK_URI);
	free(url);
}

static void test_new_args(void **state)
{
	(void)state;
	cove_snp_kds_opts o;
	cove_snp_kds *k = NULL;
	cove_error e = {0};
	cove_snp_kds_opts_init(&o);
	o.offline = true;
	assert_int_equal(cove_snp_kds_new(&o, &k, &e), COVE_ERR_ARG);
	assert_non_null(strstr(e.msg, "cache directory"));
	cove_snp_kds_opts_init(&o);
	o.base_url = "ftp://kdsintf.amd.com";
	assert_int_equal(cove_snp_kds_new(&o, &k, &e), COVE_ERR_ARG);
	o.base_url = "https://kdsintf.amd.com/?x=1";
	assert_int_equal(cove_snp_kds_new(&o, &k, &e), COVE_ERR_ARG);
	assert_null(k);
	assert_int_equal(cove_snp_kds_new(NULL, &k, &e), COVE_OK); /* defaults: AMD, no cache */
	cove_buf b = {0};
	assert_int_equal(cove_snp_kds_get_chain(k, COVE_SNP_PRODUCT_UNKNOWN, false, &b, &e), COVE_ERR_ARG);
	cove_snp_kds_free(k);
}

static void test_vcek_milan_cache(void **state)
{
	(void)state;
	cove_buf got = {0};
	cove_error e = {0};
	serve_milan();
	cove_snp_kds *k = kds_new();

	assert_int_equal(get_milan(k, &got, &e), COVE_OK);
	assert_int_equal(srv.requests, 1);
	assert_string_equal(srv.uris[0], MILAN_VCEK_URI);
	expect_milan(&got);

	/* Cached under product / hwID / raw TCB, in private directories. */
	char path[PATH_MAX];
	assert_true(file_equals(milan.cached, &milan.vcek));
	assert_int_equal(cove_test_file_mode(cache), 0700);
	snprintf(path, sizeof(path), "%s/vcek/Milan/%s", cache, MILAN_HWID);
	assert_int_equal(cove_test_file_mode(path), 0700);

	/* A hit makes no request, in this client and in a fresh offline one. */
	cove_buf_free(&got);
	assert_int_equal(get_milan(k, &got, &e), COVE_OK);
	expect_milan(&got);
	opts.offline = true;
	k = kds_new();
	cove_buf_free(&got);
	assert_int_equal(get_milan(k, &got, &e), COVE_OK);
	expect_milan(&got);
	assert_int_equal(srv.requests, 1);

	/* Another TCB is another object: offline it is a miss naming the cache file. */
	assert_int_equal(cove_snp_kds_get_vcek(k, COVE_SNP_MILAN, milan.chip, milan.tcb + 1, &got, &e),
			 COVE_ERR_UNAVAILABLE);
	assert_non_null(strstr(e.msg, "offline, and the VCEK is not cached"));
	assert_non_null(strstr(e.msg, "4405000000000003.der"));
	assert_int_equal(srv.requests, 1);
	cove_buf_free(&got);
}

static void test_vcek_turin(void **state)
{
	(void)state;
	cove_buf vcek = {0}, got = {0};
	uint8_t chip[64];
	uint64_t tcb;
	cove_error e = {0};
	cove_test_read_shared("vectors/snp/virtee-sev/vcek_turin.der", &vcek);
	turin_ids(chip, &tcb);
	add_route(TURIN_VCEK_PATH, &vcek);
	cove_snp_kds *k = kds_new();
	cove_snp_collateral_source src;
	cove_snp_kds_source(k, &src);
	assert_ptr_equal(src.ctx, k);
	assert_int_equal(src.get_vcek(src.ctx, COVE_SNP_TURIN, chip, tcb, &got, &e), COVE_OK);
	assert_int_equal(srv.requests, 1);
	assert_string_equal(srv.uris[0], TURIN_VCEK_URI);
	assert_memory_equal(got.data, vcek.data, vcek.len);
	/* What came back is the certificate for exactly this hwID. */
	cove_x509 *cert = NULL;
	cove_snp_vcek_ext ext;
	assert_int_equal(cove_x509_parse(got.data, got.len, &cert, &e), COVE_OK);
	assert_int_equal(cove_snp_vcek_ext_parse(cert, &ext, &e), COVE_OK);
	assert_int_equal(ext.hwid_len, 8);
	assert_memory_equal(ext.hwid, chip, 8);
	assert_int_equal(ext.ucode_spl, 9);
	assert_int_equal(ext.fmc_spl, 0);
	cove_x509_free(cert);
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/vcek/Turin/%s/%016llx.der", cache, TURIN_HWID, (unsigned long long)tcb);
	assert_true(file_equals(path, &vcek));
	cove_buf_free(&got);
	cove_buf_free(&vcek);
}

static void test_chain_and_crl(void **state)
{
	(void)state;
	cove_buf chain = {0}, vlek_chain = {0}, crl_pem = {0}, got = {0};
	cove_error e = {0};
	cove_test_read_shared("vectors/snp/go-sev-guest/milan_cert_chain.pem", &chain);
	cove_test_read_shared("vectors/snp/go-sev-guest/milan_vlek_cert_chain.pem", &vlek_chain);
	cove_test_read_shared("vectors/snp/openpcc/test_amd_milan_crl.pem", &crl_pem);
	add_route("/vcek/v1/Milan/cert_chain", &chain);
	add_route("/vlek/v1/Milan/cert_chain", &vlek_chain);
	cove_test_http_route *crl_route = add_route("/vcek/v1/Milan/crl", &crl_pem);
	cove_snp_kds *k = kds_new();
	cove_snp_collateral_source src;
	cove_snp_kds_source(k, &src);

	assert_int_equal(src.get_chain(src.ctx, COVE_SNP_MILAN, false, &got, &e), COVE_OK);
	assert_string_equal(srv.uris[0], "/vcek/v1/Milan/cert_chain");
	assert_int_equal(got.len, chain.len);
	assert_memory_equal(got.data, chain.data, chain.len);
	assert_int_equal(src.get_chain(src.ctx, COVE_SNP_MILAN, true, &got, &e), COVE_OK);
	assert_string_equal(srv.uris[1], "/vlek/v1/Milan/cert_chain");
	assert_memory_equal(got.data, vlek_chain.data, vlek_chain.len);

	/* The CRL comes back (and is cached) as DER, whatever the server's encoding. */
	assert_int_equal(src.get_crl(src.ctx, COVE_SNP_MILAN, false, &got, &e), COVE_OK);
	assert_string_equal(srv.uris[2], "/vcek/v1/Milan/crl");
	assert_int_equal(got.data[0], 0x30);
	cove_x509_crl *crl = NULL;
	assert_int_equal(cove_x509_crl_parse(got.data, got.len, &crl, &e), COVE_OK);
	assert_int_equal(cove_x509_crl_next_update(crl), CRL_NEXT_UPDATE);
	cove_x509_crl_free(crl);
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/vcek/Milan/crl.der", cache);
	assert_true(file_equals(path, &got));
	snprintf(path, sizeof(path), "%s/vcek/Milan/cert_chain.pem", cache);
	assert_true(file_equals(path, &chain));
	snprintf(path, sizeof(path), "%s/vlek/Milan/cert_chain.pem", cache);
	assert_true(file_equals(path, &vlek_chain));
	assert_int_equal(srv.requests, 3);

	/* Fresh at the pinned time: cache hits only. */
	assert_int_equal(src.get_crl(src.ctx, COVE_SNP_MILAN, false, &got, &e), COVE_OK);
	assert_int_equal(src.get_chain(src.ctx, COVE_SNP_MILAN, false, &got, &e), COVE_OK);
	assert_int_equal(srv.requests, 3);

	/* Past nextUpdate the CRL is fetched again ... */
	opts.now = CRL_NEXT_UPDATE + 1;
	k = kds_new();
	assert_int_equal(cove_snp_kds_get_crl(k, COVE_SNP_MILAN, false, &got, &e), COVE_OK);
	assert_int_equal(srv.requests, 4);
	assert_int_equal(crl_route->hits, 2);
	/* ... and when that fails, the stale copy is not passed off as fresh. */
	cove_test_http_route_set_script(crl_route, &(cove_test_http_step){500, NULL}, 1);
	assert_int_equal(cove_snp_kds_get_crl(k, COVE_SNP_MILAN, false, &got, &e), COVE_ERR_UNAVAILABLE);
	assert_non_null(strstr(e.msg, "HTTP 500"));
	/* Offline, the stale copy is what there is; the verifier judges its freshness. */
	opts.offline = true;
	k = kds_new();
	assert_int_equal(cove_snp_kds_get_crl(k, COVE_SNP_MILAN, false, &got, &e), COVE_OK);
	assert_int_equal(got.data[0], 0x30);
	assert_int_equal(srv.requests, 5);
	/* Nothing cached for the VLEK CRL or another product. */
	assert_int_equal(cove_snp_kds_get_crl(k, COVE_SNP_MILAN, true, &got, &e), COVE_ERR_UNAVAILABLE);
	assert_non_null(strstr(e.msg, "vlek/Milan/crl.der"));
	assert_int_equal(cove_snp_kds_get_chain(k, COVE_SNP_GENOA, false, &got, &e), COVE_ERR_UNAVAILABLE);
	assert_int_equal(srv.requests, 5);
	cove_buf_free(&got);
	cove_buf_free(&chain);
	cove_buf_free(&vlek_chain);
	cove_buf_free(&crl_pem);
}

static void test_throttle_retry_after(void **state)
{
	(void)state;
	cove_buf got = {0};
	cove_error e = {0};
	serve_milan();
	static const cove_test_http_step script[] = {
		{429, "0"},
		{503, "Thu, 01 Jan 1970 00:00:00 GMT"}, /* an HTTP-date already past */
		{200, NULL},
	};
	cove_test_http_route_set_script(milan.route, script, 3);
	opts.cache_dir = NULL;
	cove_snp_kds *k = kds_new();
	assert_int_equal(get_milan(k, &got, &e), COVE_OK);
	assert_int_equal(milan.route->hits, 3);
	expect_milan(&got);
	for (int i = 0; i < 3; i++)
		assert_string_equal(srv.uris[i], MILAN_VCEK_URI);
	cove_buf_free(&got);
}

static void test_throttle_budget(void **state)
{
	(void)state;
	cove_buf got = {0};
	cove_error e = {0};
	serve_milan();
	cove_test_http_route_set_script(milan.route, &(cove_test_http_step){429, "120"}, 1);
	opts.max_wait_ms = 1000;
	cove_snp_kds *k = kds_new();
	/* Waiting two minutes would exceed the budget: give up at once, without sleeping. */
	assert_int_equal(get_milan(k, &got, &e), COVE_ERR_UNAVAILABLE);
	assert_non_null(strstr(e.msg, "HTTP 429"));
	assert_non_null(strstr(e.msg, "Retry-After 120000 ms"));
	assert_non_null(strstr(e.msg, "1000 ms back-off budget"));
	assert_non_null(strstr(e.msg, srv.base));
	assert_int_equal(milan.route->hits, 1);
	assert_null(got.data);

	/* Without Retry-After: bounded exponential back-off, then a bounded number of retries. */
	cove_test_http_route_set_script(milan.route, &(cove_test_http_step){429, NULL}, 1);
	opts.max_retries = 2;
	k = kds_new();
	assert_int_equal(get_milan(k, &got, &e), COVE_ERR_UNAVAILABLE);
	assert_non_null(strstr(e.msg, "still HTTP 429"));
	assert_non_null(strstr(e.msg, "after 2 retries"));
	assert_int_equal(milan.route->hits, 1 + 3);
	/* Nothing was cached. */
	assert_int_not_equal(access(milan.cached, F_OK), 0);
}

static void test_not_found(void **state)
{
	(void)state;
	cove_buf got = {0};
	uint8_t chip[64];
	uint64_t tcb;
	cove_error e = {0};
	/* KDS knows a Turin chip only by its 8-byte hwID; nothing is served at all here. */
	turin_ids(chip, &tcb);
	cove_snp_kds *k = kds_new();
	assert_int_equal(cove_snp_kds_get_vcek(k, COVE_SNP_TURIN, chip, tcb, &got, &e), COVE_ERR_UNAVAILABLE);
	assert_non_null(strstr(e.msg, "HTTP 404"));
	char want[512];
	snprintf(want, sizeof(want), "%s%s", srv.base, TURIN_VCEK_URI);
	assert_non_null(strstr(e.msg, want));
	assert_int_equal(srv.requests, 1);
	assert_int_equal(cove_snp_kds_get_crl(k, COVE_SNP_GENOA, true, &got, &e), COVE_ERR_UNAVAILABLE);
	assert_non_null(strstr(e.msg, "/vlek/v1/Genoa/crl"));
}

static void test_oversized(void **state)
{
	(void)state;
	cove_buf got = {0};
	cove_error e = {0};
	serve_milan();
	opts.max_response = 1000;
	assert_true(milan.vcek.len > 1000);
	cove_snp_kds *k = kds_new();
	/* With Content-Length ... */
	assert_int_equal(get_milan(k, &got, &e), COVE_ERR_UNAVAILABLE);
	assert_non_null(strstr(e.msg, "larger than the 1000 bytes accepted"));
	/* ... and chunked, where only the running count can tell. */
	cove_test_http_route_set_chunked(milan.route, true);
	assert_int_equal(get_milan(k, &got, &e), COVE_ERR_UNAVAILABLE);
	assert_non_null(strstr(e.msg, "larger than the 1000 bytes accepted"));
	assert_int_equal(milan.route->hits, 2);
	assert_null(got.data);
	/* Chunked delivery of an acceptable body works. */
	opts.max_response = milan.vcek.len;
	k = kds_new();
	assert_int_equal(get_milan(k, &got, &e), COVE_OK);
	expect_milan(&got);
	cove_buf_free(&got);
}

static void test_timeout_and_unreachable(void **state)
{
	(void)state;
	cove_buf chain = {0}, got = {0};
	cove_error e = {0};
	cove_test_read_shared("vectors/snp/go-sev-guest/milan_cert_chain.pem", &chain);
	cove_test_http_route_set_delay(add_route("/vcek/v1/Milan/cert_chain", &chain), 1500);
	opts.timeout_ms = 200;
	cove_snp_kds *k = kds_new();
	assert_int_equal(cove_snp_kds_get_chain(k, COVE_SNP_MILAN, false, &got, &e), COVE_ERR_UNAVAILABLE);
	assert_non_null(strstr(e.msg, "timed out"));
	assert_non_null(strstr(e.msg, "/vcek/v1/Milan/cert_chain"));

	/* Nobody listens on port 1. */
	opts.base_url = "http://127.0.0.1:1";
	k = kds_new();
	assert_int_equal(cove_snp_kds_get_chain(k, COVE_SNP_MILAN, false, &got, &e), COVE_ERR_UNAVAILABLE);
	assert_non_null(strstr(e.msg, "cannot fetch http://127.0.0.1:1/vcek/v1/Milan/cert_chain"));
	cove_buf_free(&chain);
}

static void test_corrupt_cache(void **state)
{
	(void)state;
	cove_buf got = {0};
	cove_error e = {0};
	serve_milan();
	cove_snp_kds *k = kds_new(); /* creates the cache directory */
	/* Half the certificate where the cache keeps it. */
	char dir[PATH_MAX];
	static const char *const dirs[] = {"%s/vcek", "%s/vcek/Milan", "%s/vcek/Milan/" MILAN_HWID};
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(dir, sizeof(dir), dirs[i], cache);
		assert_int_equal(mkdir(dir, 0700), 0);
	}
	assert_int_equal(cove_file_write(milan.cached, milan.vcek.data, milan.vcek.len / 2, 0600, &e), COVE_OK);

	/* Offline: the damaged file is reported, not returned. */
	opts.offline = true;
	cove_snp_kds *ko = kds_new();
	assert_int_equal(get_milan(ko, &got, &e), COVE_ERR_UNAVAILABLE);
	assert_non_null(strstr(e.msg, "cached VCEK is unusable"));
	assert_non_null(strstr(e.msg, milan.cached));
	assert_int_equal(milan.route->hits, 0);
	/* Online: fetched again and the file replaced. */
	assert_int_equal(get_milan(k, &got, &e), COVE_OK);
	assert_int_equal(milan.route->hits, 1);
	expect_milan(&got);
	assert_true(file_equals(milan.cached, &milan.vcek));
	cove_buf_free(&got);
	assert_int_equal(get_milan(ko, &got, &e), COVE_OK);
	/* No temporary files are left next to it. */
	assert_int_equal(cove_test_scratch_entries(dir), 1);
	cove_buf_free(&got);
}

static void test_bad_bodies(void **state)
{
	(void)state;
	cove_buf got = {0}, vcek = {0};
	uint8_t chip[64];
	uint64_t tcb;
	cove_error e = {0};
	static const char html[] = "<html><body>maintenance</body></html>";
	cove_buf page = {.data = (uint8_t *)html, .len = sizeof(html) - 1};
	cove_test_read_shared("vectors/snp/go-sev-guest/vcek.testcer.der", &vcek);
	milan_ids(chip, &tcb);
	add_route("/vcek/v1/Milan/cert_chain", &page);
	add_route("/vcek/v1/Milan/crl", &page);
	add_route(MILAN_VCEK_PATH, &page);
	/* A single certificate is not a chain. */
	add_route("/vlek/v1/Milan/cert_chain", &vcek);
	cove_snp_kds *k = kds_new();
	assert_int_equal(cove_snp_kds_get_chain(k, COVE_SNP_MILAN, false, &got, &e), COVE_ERR_UNAVAILABLE);
	assert_non_null(strstr(e.msg, "is not a PEM certificate chain"));
	assert_int_equal(cove_snp_kds_get_crl(k, COVE_SNP_MILAN, false, &got, &e), COVE_ERR_UNAVAILABLE);
	assert_non_null(strstr(e.msg, "is not a CRL"));
	assert_int_equal(cove_snp_kds_get_vcek(k, COVE_SNP_MILAN, chip, tcb, &got, &e), COVE_ERR_UNAVAILABLE);
	assert_non_null(strstr(e.msg, "is not a certificate"));
	assert_int_equal(cove_snp_kds_get_chain(k, COVE_SNP_MILAN, true, &got, &e), COVE_ERR_UNAVAILABLE);
	assert_non_null(strstr(e.msg, "holds 1 certificate(s)"));
	assert_null(got.data);
	/* Nothing of it reached the cache. */
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/vcek/Milan/cert_chain.pem", cache);
	assert_int_not_equal(access(path, F_OK), 0);
	snprintf(path, sizeof(path), "%s/vcek/Milan/crl.der", cache);
	assert_int_not_equal(access(path, F_OK), 0);
	cove_buf_free(&vcek);
}

static void test_masked_chip(void **state)
{
	(void)state;
	cove_buf got = {0};
	uint8_t chip[64] = {0};
	cove_error e = {0};
	cove_snp_kds *k = kds_new();
	assert_int_equal(cove_snp_kds_get_vcek(k, COVE_SNP_MILAN, chip, 0, &got, &e), COVE_ERR_UNAVAILABLE);
	assert_non_null(strstr(e.msg, "CHIP_ID is masked"));
	/* Turin looks at the first 8 bytes only. */
	memset(chip + 8, 1, 56);
	assert_int_equal(cove_snp_kds_get_vcek(k, COVE_SNP_TURIN, chip, 0, &got, &e), COVE_ERR_UNAVAILABLE);
	assert_non_null(strstr(e.msg, "CHIP_ID is masked"));
	assert_int_equal(srv.requests, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vcek_url),
		cmocka_unit_test(test_vcek_url_milan),
		cmocka_unit_test(test_new_args),
		cmocka_unit_test_setup_teardown(test_vcek_milan_cache, server_setup, server_teardown),
		cmocka_unit_test_setup_teardown(test_vcek_turin, server_setup, server_teardown),
		cmocka_unit_test_setup_teardown(test_chain_and_crl, server_setup, server_teardown),
		cmocka_unit_test_setup_teardown(test_throttle_retry_after, server_setup, server_teardown),
		cmocka_unit_test_setup_teardown(test_throttle_budget, server_setup, server_teardown),
		cmocka_unit_test_setup_teardown(test_not_found, server_setup, server_teardown),
		cmocka_unit_test_setup_teardown(test_oversized, server_setup, server_teardown),
		cmocka_unit_test_setup_teardown(test_timeout_and_unreachable, server_setup, server_teardown),
		cmocka_unit_test_setup_teardown(test_corrupt_cache, server_setup, server_teardown),
		cmocka_unit_test_setup_teardown(test_bad_bodies, server_setup, server_teardown),
		cmocka_unit_test_setup_teardown(test_masked_chip, server_setup, server_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
