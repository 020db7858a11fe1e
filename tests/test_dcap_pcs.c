/*
 * The Intel PCS / PCCS client (src/pcs) against the local test HTTP server
 * (tests/support/http_server.h: libmicrohttpd on 127.0.0.1, ephemeral port)
 * serving genuine collateral from shared/vectors: exact request URLs for SGX
 * and TDX, URL-encoded PEM issuer chains in the PCS headers (and the older
 * header name), the root CA CRL as DER or as PCCS's hex text, 429 then
 * success, 404, missing headers, wrong answers, the on-disk cache (hits
 * make no request, nextUpdate expiry refetches only what expired, offline
 * mode, corrupt entries).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>

#include "cove/dcap_collateral.h"
#include "cove/dcap_pcs.h"
#include "testutil.h"
#include "support/expect.h"
#include "support/http_server.h"
#include "support/scratch.h"

/* automata 1025 set (shared/vectors/tdx/MANIFEST.md): its items' nextUpdate instants. */
#define T_1025 1761955200          /* 2025-11-01T00:00:00Z, inside every window */
#define PCK_CRL_NEXT 1762944332    /* 2025-11-12T10:45:32Z */
#define TD_QE_NEXT 1762944407      /* 2025-11-12T10:46:47Z */
#define TCB_NEXT 1763488130        /* 2025-11-18T17:48:50Z */
#define ROOT_CRL_NEXT 1775215317   /* 2026-04-03T11:21:57Z */

#define TDX_FMSPC "00806F050000"
#define SGX_FMSPC "00A067110000"

#define P_PCKCRL "/sgx/certification/v4/pckcrl"
#define P_ROOTCRL "/sgx/certification/v4/rootcacrl"
#define P_TDX_TCB "/tdx/certification/v4/tcb"
#define P_TDX_QE "/tdx/certification/v4/qe/identity"
#define P_SGX_TCB "/sgx/certification/v4/tcb"
#define P_SGX_QE "/sgx/certification/v4/qe/identity"

#define H_PCK_CHAIN "SGX-PCK-CRL-Issuer-Chain"
#define H_QE_CHAIN "SGX-Enclave-Identity-Issuer-Chain"

/* ------------------------------------------------------------------ */
/* Test HTTP server (tests/support/http_server.h) and scratch cache    */

static cove_test_http srv;
static char tmp[128];
static char cache[160];

/* Serve `body` at `path` (when `arg` is set, only for ?arg=value) with `header: urlencode(chain)`. */
static cove_test_http_route *add_route(const char *path, const char *arg, const char *value, const void *body,
				       size_t len, const char *header, const char *chain)
{
	cove_test_http_route *r = cove_test_http_route_add(&srv, path, body, len);
	if (arg)
		cove_test_http_route_set_arg(r, arg, value);
	if (header) {
		/* Intel PCS sends the chain URL-encoded: spaces, newlines, '+', '/' and '=' all escaped. */
		char *enc = curl_easy_escape(NULL, chain, (int)strlen(chain));
		assert_non_null(enc);
		cove_test_http_route_set_header(r, header, enc);
		curl_free(enc);
	}
	return r;
}

/* ------------------------------------------------------------------ */
/* Collateral served                                                   */

/* A collateral set and the routes serving it: serve_tdx() and serve_sgx() fill these, the teardown frees them. */
typedef struct set {
	json_t *bundle;       /* the expected collateral, as a bundle */
	cove_buf tcb_body, qe_body, pck_crl, root_crl;
	cove_test_http_route *r_pck, *r_root, *r_tcb, *r_qe;
} set;

static set tdx, sgx;

static const char *bstr(json_t *b, const char *key)
{
	const char *s = json_string_value(json_object_get(b, key));
	assert_non_null(s);
	return s;
}

static void hex_to_buf(const char *hex, cove_buf *out)
{
	cove_error e = {0};
	if (cove_hex_decode(hex, strlen(hex), out, &e) != COVE_OK)
		fail_msg("%s", e.msg);
}

/* A PCS body, as Intel serves it, from a bundle's object text and signature. */
static void pcs_body(json_t *b, const char *member, const char *obj_key, const char *sig_key, cove_buf *out)
{
	char *s = NULL;
	assert_true(asprintf(&s, "{\"%s\":%s,\"signature\":\"%s\"}", member, bstr(b, obj_key), bstr(b, sig_key)) > 0);
	out->data = (uint8_t *)s;
	out->len = strlen(s);
}

static json_t *read_bundle(const char *rel)
{
	cove_buf t = {0};
	cove_test_read_shared(rel, &t);
	json_t *j = json_loadb((const char *)t.data, t.len, 0, NULL);
	assert_non_null(j);
	cove_buf_free(&t);
	return j;
}

/* The set's four routes: PCK CRL for `ca`, root CA CRL, TCB info for `fmspc` under `tcb_header`, QE identity. */
static void serve_routes(set *s, const char *ca, const char *tcb_path, const char *fmspc, const char *tcb_header,
			 const char *qe_path)
{
	s->r_pck = add_route(P_PCKCRL, "ca", ca, s->pck_crl.data, s->pck_crl.len, H_PCK_CHAIN,
			     bstr(s->bundle, "pck_crl_issuer_chain"));
	s->r_root = add_route(P_ROOTCRL, NULL, NULL, s->root_crl.data, s->root_crl.len, NULL, NULL);
	s->r_tcb = add_route(tcb_path, "fmspc", fmspc, s->tcb_body.data, s->tcb_body.len, tcb_header,
			     bstr(s->bundle, "tcb_info_issuer_chain"));
	s->r_qe = add_route(qe_path, NULL, NULL, s->qe_body.data, s->qe_body.len, H_QE_CHAIN,
			    bstr(s->bundle, "qe_identity_issuer_chain"));
}

/* TDX: the genuine PCS bodies and CRLs the automata 1025 bundle was packaged from. */
static void serve_tdx(void)
{
	set *s = &tdx;
	s->bundle = read_bundle("vectors/tdx/derived-collateral/automata_1025_fmspc00806f050000.json");
	cove_test_read_shared("vectors/tdx/automata/evm-assets/1025/tcb_info.json", &s->tcb_body);
	cove_test_read_shared("vectors/tdx/automata/evm-assets/1025/identity.json", &s->qe_body);
	cove_test_read_shared("vectors/tdx/automata/evm-assets/1025/pck_crl.der", &s->pck_crl);
	cove_test_read_shared("vectors/sgx/automata/solana-tests-data/intel_root_ca_crl.der", &s->root_crl);
	serve_routes(s, "platform", P_TDX_TCB, TDX_FMSPC, "TCB-Info-Issuer-Chain", P_TDX_QE);
}

/* SGX: Phala's collateral served PCCS-style: the older TCB header name and the root CRL as hex text. */
static void serve_sgx(void)
{
	set *s = &sgx;
	s->bundle = read_bundle("vectors/sgx/phala-dcap-qvl/sgx_quote_collateral.json");
	pcs_body(s->bundle, "tcbInfo", "tcb_info", "tcb_info_signature", &s->tcb_body);
	pcs_body(s->bundle, "enclaveIdentity", "qe_identity", "qe_identity_signature", &s->qe_body);
	hex_to_buf(bstr(s->bundle, "pck_crl"), &s->pck_crl);
	const char *root_hex = bstr(s->bundle, "root_ca_crl");
	assert_int_equal(cove_buf_set(&s->root_crl, root_hex, strlen(root_hex), NULL), COVE_OK);
	serve_routes(s, "processor", P_SGX_TCB, SGX_FMSPC, "SGX-TCB-Info-Issuer-Chain", P_SGX_QE);
}

static void set_free(set *s)
{
	json_decref(s->bundle);
	cove_buf_free(&s->tcb_body);
	cove_buf_free(&s->qe_body);
	cove_buf_free(&s->pck_crl);
	cove_buf_free(&s->root_crl);
}

/*
 * Options for a server test, reset by the setup: this server, the scratch
 * cache, tiny back-off budgets, the automata 1025 set's time.  A test
 * adjusts them before pcs_new().
 */
static cove_dcap_pcs_opts opts;
static cove_dcap_pcs *clients[8]; /* made by pcs_new(), freed by the teardown */
static size_t nclients;

/* A client with the options as they are now. */
static cove_dcap_pcs *pcs_new(void)
{
	cove_dcap_pcs *p = NULL;
	cove_error e = {0};
	assert_true(nclients < sizeof(clients) / sizeof(clients[0]));
	if (cove_dcap_pcs_new(&opts, &p, &e) != COVE_OK)
		fail_msg("cove_dcap_pcs_new: %s", e.msg);
	clients[nclients++] = p;
	return p;
}

static int server_setup(void **state)
{
	(void)state;
	memset(&tdx, 0, sizeof(tdx));
	memset(&sgx, 0, sizeof(sgx));
	nclients = 0;
	if (cove_test_http_start(&srv) != 0 || cove_test_scratch_make(tmp, sizeof(tmp), "pcs") != 0)
		return -1;
	snprintf(cache, sizeof(cache), "%s/cache/pcs", tmp);
	cove_dcap_pcs_opts_init(&opts);
	opts.base_url = srv.base;
	opts.cache_dir = cache;
	opts.retry_delay_ms = 1;
	opts.max_wait_ms = 200;
	opts.timeout_ms = 5000;
	opts.now = T_1025;
	return 0;
}

static int server_teardown(void **state)
{
	(void)state;
	while (nclients)
		cove_dcap_pcs_free(clients[--nclients]);
	cove_test_http_stop(&srv);
	cove_test_scratch_remove(tmp);
	set_free(&tdx);
	set_free(&sgx);
	return 0;
}

/* The collateral equals the bundle, item for item: same raw bytes, signatures, CRL DER and certificates. */
static void expect_collateral(const cove_dcap_collateral *c, json_t *bundle)
{
	cove_dcap_collateral want;
	cove_error e = {0};
	char *a = NULL, *b = NULL, *text = json_dumps(bundle, 0);
	assert_non_null(text);
	if (cove_dcap_collateral_parse_bundle(text, strlen(text), &want, &e) != COVE_OK)
		fail_msg("bundle: %s", e.msg);
	assert_int_equal(c->tcb_info_raw.len, want.tcb_info_raw.len);
	assert_memory_equal(c->tcb_info_raw.data, want.tcb_info_raw.data, c->tcb_info_raw.len);
	assert_memory_equal(c->tcb_info_signature, want.tcb_info_signature, 64);
	assert_int_equal(c->qe_identity_raw.len, want.qe_identity_raw.len);
	assert_memory_equal(c->qe_identity_raw.data, want.qe_identity_raw.data, c->qe_identity_raw.len);
	/* Writing both out compares the CRLs' DER and the chains' certificates too. */
	if (cove_dcap_collateral_to_bundle(c, &a, &e) != COVE_OK || cove_dcap_collateral_to_bundle(&want, &b, &e))
		fail_msg("to_bundle: %s", e.msg);
	assert_string_equal(a, b);
	free(a);
	free(b);
	free(text);
	cove_dcap_collateral_free(&want);
}

static void fmspc_of(const char *hex, uint8_t out[6])
{
	assert_int_equal(cove_hex_decode_fixed(hex, out, 6, NULL), COVE_OK);
}

static cove_err get(cove_dcap_pcs *p, cove_tee_type tee, const char *fmspc_hex, const char *ca,
		    cove_dcap_collateral *c, cove_error *e)
{
	uint8_t fm[6];
	fmspc_of(fmspc_hex, fm);
	return cove_dcap_pcs_get_collateral(p, tee, fm, ca, c, e);
}

static bool exists(const char *fmt, const char *a)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), fmt, cache, a);
	return access(path, F_OK) == 0;
}

/* A request that must succeed; the caller frees c. */
static void must_get(cove_dcap_pcs *p, cove_tee_type tee, const char *fmspc_hex, const char *ca,
		     cove_dcap_collateral *c)
{
	cove_error e = {0};
	if (get(p, tee, fmspc_hex, ca, c, &e) != COVE_OK)
		fail_msg("%s", e.msg);
}

/* A request succeeds; with a bundle, its collateral must equal that bundle's. */
static void expect_fetch(cove_dcap_pcs *p, cove_tee_type tee, const char *fmspc_hex, const char *ca, json_t *bundle)
{
	cove_dcap_collateral c;
	must_get(p, tee, fmspc_hex, ca, &c);
	if (bundle)
		expect_collateral(&c, bundle);
	cove_dcap_collateral_free(&c);
}

/* A request fails with `rc`, leaves nothing half-filled and says `msg`; `e` keeps the error. */
static void expect_get_error(cove_dcap_pcs *p, cove_tee_type tee, const char *fmspc_hex, const char *ca, cove_err rc,
			     const char *msg, cove_error *e)
{
	cove_dcap_collateral c;
	memset(&c, 0xa5, sizeof(c)); /* the client must clear it */
	assert_int_equal(get(p, tee, fmspc_hex, ca, &c, e), rc);
	assert_null(c.pck_crl);
	assert_null(c.tcb_info_raw.data);
	cove_test_expect_msg(e, msg);
}

/* The server saw exactly these requests, in this order. */
static void expect_uris(const char *const want[], int n)
{
	assert_int_equal(srv.requests, n);
	for (int i = 0; i < n; i++)
		assert_string_equal(srv.uris[i], want[i]);
}

/* ------------------------------------------------------------------ */

static void test_new_args(void **state)
{
	(void)state;
	cove_dcap_pcs_opts o;
	cove_dcap_pcs *p = NULL;
	cove_error e = {0};
	cove_dcap_pcs_opts_init(&o);
	o.offline = true;
	assert_int_equal(cove_dcap_pcs_new(&o, &p, &e), COVE_ERR_ARG);
	assert_non_null(strstr(e.msg, "cache directory"));
	cove_dcap_pcs_opts_init(&o);
	o.base_url = "ftp://pccs.example";
	assert_int_equal(cove_dcap_pcs_new(&o, &p, &e), COVE_ERR_ARG);
	o.base_url = "https://pccs.example:8081/?x=1";
	assert_int_equal(cove_dcap_pcs_new(&o, &p, &e), COVE_ERR_ARG);
	o.base_url = NULL;
	o.root_crl_url = "file:///etc/passwd";
	assert_int_equal(cove_dcap_pcs_new(&o, &p, &e), COVE_ERR_ARG);
	cove_dcap_pcs_opts_init(&o);
	o.max_response = 0;
	assert_int_equal(cove_dcap_pcs_new(&o, &p, &e), COVE_ERR_ARG);
	assert_null(p);
	assert_int_equal(cove_dcap_pcs_new(NULL, &p, &e), COVE_OK); /* defaults: Intel PCS, no cache */
	cove_dcap_collateral c;
	uint8_t fm[6] = {0};
	assert_int_equal(cove_dcap_pcs_get_collateral(p, COVE_TEE_SGX, fm, "intermediate", &c, &e), COVE_ERR_ARG);
	assert_non_null(strstr(e.msg, "neither \"processor\" nor \"platform\""));
	assert_int_equal(cove_dcap_pcs_get_collateral(p, COVE_TEE_SGX, fm, NULL, &c, &e), COVE_ERR_ARG);
	assert_int_equal(cove_dcap_pcs_get_collateral(p, (cove_tee_type)0x42, fm, "platform", &c, &e), COVE_ERR_ARG);
	assert_int_equal(cove_dcap_pcs_get_collateral(p, COVE_TEE_SGX, NULL, "platform", &c, &e), COVE_ERR_ARG);
	cove_dcap_pcs_free(p);
}

static void test_tdx_fetch_and_cache(void **state)
{
	(void)state;
	cove_dcap_collateral c;
	cove_error e = {0};
	serve_tdx();
	cove_dcap_pcs *p = pcs_new();
	must_get(p, COVE_TEE_TDX, TDX_FMSPC, "platform", &c);
	static const char *const uris[] = {P_PCKCRL "?ca=platform&encoding=der", P_ROOTCRL,
					   P_TDX_TCB "?fmspc=" TDX_FMSPC, P_TDX_QE};
	expect_uris(uris, 4);
	expect_collateral(&c, tdx.bundle);
	assert_string_equal(c.tcb_info.id, "TDX");
	assert_string_equal(c.qe_identity.id, "TD_QE");
	assert_int_equal(cove_x509_crl_next_update(c.pck_crl), PCK_CRL_NEXT);
	assert_int_equal(cove_x509_crl_next_update(c.root_ca_crl), ROOT_CRL_NEXT);
	cove_dcap_collateral_free(&c);

	/* The cache: private directories, one entry per item. */
	assert_int_equal(cove_test_file_mode(cache), 0700);
	assert_true(exists("%s/tdx/tcb/%s.json", TDX_FMSPC));
	assert_true(exists("%s/tdx/%s", "qe_identity.json"));
	assert_true(exists("%s/pckcrl/%s", "platform.json"));
	assert_true(exists("%s/%s", "rootcacrl.json"));
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/tdx/tcb", cache);
	assert_int_equal(cove_test_file_mode(path), 0700);
	snprintf(path, sizeof(path), "%s/tdx/tcb/%s.json", cache, TDX_FMSPC);
	assert_int_equal(cove_test_file_mode(path) & 077, 0);

	/* Hits make no request, in this client and in a fresh offline one. */
	expect_fetch(p, COVE_TEE_TDX, TDX_FMSPC, "platform", tdx.bundle);
	assert_int_equal(srv.requests, 4);
	opts.offline = true;
	p = pcs_new();
	expect_fetch(p, COVE_TEE_TDX, TDX_FMSPC, "platform", tdx.bundle);
	assert_int_equal(srv.requests, 4);
	/* Offline, another FMSPC or CA is a miss that names the cache file. */
	expect_get_error(p, COVE_TEE_TDX, "90C06F000000", "platform", COVE_ERR_UNAVAILABLE,
			 "offline, and the TCB info is not cached", &e);
	assert_non_null(strstr(e.msg, "tdx/tcb/90C06F000000.json"));
	expect_get_error(p, COVE_TEE_TDX, TDX_FMSPC, "processor", COVE_ERR_UNAVAILABLE, "pckcrl/processor.json", &e);
	assert_int_equal(srv.requests, 4);
}

static void test_next_update(void **state)
{
	(void)state;
	cove_dcap_collateral c;
	cove_error e = {0};
	serve_tdx();
	cove_dcap_pcs *p = pcs_new();
	expect_fetch(p, COVE_TEE_TDX, TDX_FMSPC, "platform", NULL);

	/* Exactly at nextUpdate the items are still current. */
	opts.now = PCK_CRL_NEXT;
	p = pcs_new();
	expect_fetch(p, COVE_TEE_TDX, TDX_FMSPC, "platform", NULL);
	assert_int_equal(srv.requests, 4);

	/* Past the PCK CRL's and the QE identity's nextUpdate, but not the TCB info's: only those two again. */
	opts.now = TD_QE_NEXT + 1;
	p = pcs_new();
	expect_fetch(p, COVE_TEE_TDX, TDX_FMSPC, "platform", NULL);
	assert_int_equal(tdx.r_pck->hits, 2);
	assert_int_equal(tdx.r_qe->hits, 2);
	assert_int_equal(tdx.r_tcb->hits, 1);
	assert_int_equal(tdx.r_root->hits, 1);

	/* Past the TCB info's too; and when the refetch fails, the stale copy is not passed off as fresh. */
	opts.now = TCB_NEXT + 1;
	cove_test_http_route_set_script(tdx.r_tcb, &(cove_test_http_step){500, NULL}, 1);
	p = pcs_new();
	expect_get_error(p, COVE_TEE_TDX, TDX_FMSPC, "platform", COVE_ERR_UNAVAILABLE, "PCCS answered HTTP 500 for",
			 &e);
	assert_non_null(strstr(e.msg, P_TDX_TCB "?fmspc=" TDX_FMSPC));

	/* Offline, the stale items are what there is: the verifier judges freshness. */
	int before = srv.requests;
	opts.offline = true;
	opts.now = ROOT_CRL_NEXT + 86400;
	p = pcs_new();
	must_get(p, COVE_TEE_TDX, TDX_FMSPC, "platform", &c);
	expect_collateral(&c, tdx.bundle);
	assert_true(c.tcb_info.next_update < opts.now);
	cove_dcap_collateral_free(&c);
	assert_int_equal(srv.requests, before);
}

/* PCCS-style answers: the older "SGX-TCB-Info-Issuer-Chain" header, the root CA CRL as hex text. */
static void test_sgx_pccs_forms(void **state)
{
	(void)state;
	cove_dcap_collateral c;
	serve_sgx();
	opts.now = 1751328000; /* 2025-07-01T00:00:00Z */
	/* A PCCS_URL in dcap-qvl's form, with the API path: the client uses the service root. */
	static char base[128]; /* outlives the test, as the options do */
	snprintf(base, sizeof(base), "%s/sgx/certification/v4/", srv.base);
	opts.base_url = base;
	cove_dcap_pcs *p = pcs_new();
	must_get(p, COVE_TEE_SGX, SGX_FMSPC, "Processor", &c);
	static const char *const uris[] = {P_PCKCRL "?ca=processor&encoding=der", P_ROOTCRL,
					   P_SGX_TCB "?fmspc=" SGX_FMSPC, P_SGX_QE};
	expect_uris(uris, 4);
	expect_collateral(&c, sgx.bundle);
	assert_string_equal(c.qe_identity.id, "QE");
	cove_dcap_collateral_free(&c);
	/* Cached as DER whatever the service sent; the offline copy is the same collateral. */
	opts.offline = true;
	p = pcs_new();
	expect_fetch(p, COVE_TEE_SGX, SGX_FMSPC, "processor", sgx.bundle);
	assert_int_equal(srv.requests, 4);
}

/* The root CA CRL URL is configurable (Intel serves it from another host). */
static void test_root_crl_url(void **state)
{
	(void)state;
	serve_tdx();
	add_route("/IntelSGXRootCA.der", NULL, NULL, tdx.root_crl.data, tdx.root_crl.len, NULL, NULL);
	opts.cache_dir = NULL;
	static char url[128]; /* outlives the test, as the options do */
	snprintf(url, sizeof(url), "%s/IntelSGXRootCA.der", srv.base);
	opts.root_crl_url = url;
	cove_dcap_pcs *p = pcs_new();
	expect_fetch(p, COVE_TEE_TDX, TDX_FMSPC, "platform", tdx.bundle);
	assert_string_equal(srv.uris[1], "/IntelSGXRootCA.der");
	assert_int_equal(tdx.r_root->hits, 0);
	/* Without a cache every call asks again. */
	expect_fetch(p, COVE_TEE_TDX, TDX_FMSPC, "platform", NULL);
	assert_int_equal(srv.requests, 8);
}

static void test_throttle(void **state)
{
	(void)state;
	cove_error e = {0};
	serve_tdx();
	static const cove_test_http_step script[] = {{429, "0"}, {503, NULL}, {200, NULL}};
	cove_test_http_route_set_script(tdx.r_tcb, script, 3);
	cove_dcap_pcs *p = pcs_new();
	expect_fetch(p, COVE_TEE_TDX, TDX_FMSPC, "platform", tdx.bundle);
	assert_int_equal(tdx.r_tcb->hits, 3);
	for (int i = 2; i < 5; i++)
		assert_string_equal(srv.uris[i], P_TDX_TCB "?fmspc=" TDX_FMSPC);

	/* Retry-After beyond the budget: given up at once, nothing cached for that item. */
	cove_test_http_route_set_script(tdx.r_qe, &(cove_test_http_step){429, "3600"}, 1);
	opts.cache_dir = NULL;
	p = pcs_new();
	expect_get_error(p, COVE_TEE_TDX, TDX_FMSPC, "platform", COVE_ERR_UNAVAILABLE, "PCCS is throttling: HTTP 429",
			 &e);
	assert_non_null(strstr(e.msg, "Retry-After 3600000 ms"));
	assert_non_null(strstr(e.msg, P_TDX_QE));
	assert_int_equal(tdx.r_qe->hits, 2); /* one success above, then one 429 and no sleeping */
}

static void test_not_found_and_bad_answers(void **state)
{
	(void)state;
	cove_error e = {0};
	char want[256];
	serve_tdx();
	cove_dcap_pcs *p = pcs_new();

	/* No TCB info for this FMSPC: 404, naming the URL; nothing cached. */
	snprintf(want, sizeof(want), "PCCS has no such object: HTTP 404 for %s" P_TDX_TCB "?fmspc=90C06F000000",
		 srv.base);
	expect_get_error(p, COVE_TEE_TDX, "90C06F000000", "platform", COVE_ERR_UNAVAILABLE, want, &e);
	assert_false(exists("%s/tdx/tcb/%s.json", "90C06F000000"));
	/* SGX asks the /sgx/ paths, which this server does not serve. */
	expect_get_error(p, COVE_TEE_SGX, TDX_FMSPC, "platform", COVE_ERR_UNAVAILABLE, P_SGX_TCB "?fmspc=" TDX_FMSPC,
			 &e);

	/* An answer without its issuer-chain header. */
	cove_test_http_route_set_header(tdx.r_qe, H_QE_CHAIN, NULL);
	expect_get_error(p, COVE_TEE_TDX, TDX_FMSPC, "platform", COVE_ERR_UNAVAILABLE,
			 "came without the SGX-Enclave-Identity-Issuer-Chain header", &e);
	assert_non_null(strstr(e.msg, P_TDX_QE));
	assert_false(exists("%s/tdx/%s", "qe_identity.json"));
}

static void test_wrong_answers(void **state)
{
	(void)state;
	cove_error e = {0};
	serve_tdx();
	/* The SGX QE's identity where the TD_QE's belongs; an SGX TCB info at the TDX path; garbage CRL. */
	serve_sgx();
	cove_test_http_route_set_body(tdx.r_qe, sgx.qe_body.data, sgx.qe_body.len);
	opts.cache_dir = NULL;
	cove_dcap_pcs *p = pcs_new();
	expect_get_error(p, COVE_TEE_TDX, TDX_FMSPC, "platform", COVE_ERR_UNAVAILABLE,
			 "gave the identity of \"QE\", not of \"TD_QE\"", &e);

	/* A TCB info for another FMSPC than asked. */
	cove_test_http_route *r = add_route(P_TDX_TCB, "fmspc", "B0C06F000000", tdx.tcb_body.data, tdx.tcb_body.len,
					    "TCB-Info-Issuer-Chain", bstr(tdx.bundle, "tcb_info_issuer_chain"));
	expect_get_error(p, COVE_TEE_TDX, "B0C06F000000", "platform", COVE_ERR_UNAVAILABLE,
			 "gave a TCB info for FMSPC 00806f050000, not the one asked for", &e);
	assert_int_equal(r->hits, 1);
	/* An SGX TCB info where a TDX one was asked for. */
	r = add_route(P_TDX_TCB, "fmspc", SGX_FMSPC, sgx.tcb_body.data, sgx.tcb_body.len, "TCB-Info-Issuer-Chain",
		      bstr(sgx.bundle, "tcb_info_issuer_chain"));
	expect_get_error(p, COVE_TEE_TDX, SGX_FMSPC, "platform", COVE_ERR_UNAVAILABLE,
			 "gave a TCB info with id \"SGX\" for TDX", &e);
	assert_int_equal(r->hits, 1);
	/* A body that is not a TCB info; a CRL that is not one; a chain that is not PEM. */
	static const char html[] = "<html>maintenance</html>";
	cove_test_http_route_set_body(tdx.r_tcb, html, strlen(html));
	expect_get_error(p, COVE_TEE_TDX, TDX_FMSPC, "platform", COVE_ERR_UNAVAILABLE, "the TCB info from", &e);
	assert_non_null(strstr(e.msg, "is unusable: TCB info body: PCS body is not valid JSON"));
	cove_test_http_route_set_body(tdx.r_root, html, strlen(html));
	expect_get_error(p, COVE_TEE_TDX, TDX_FMSPC, "platform", COVE_ERR_UNAVAILABLE, "the root CA CRL from", &e);
	assert_non_null(strstr(e.msg, "is not a CRL"));
	cove_test_http_route_set_header(tdx.r_pck, H_PCK_CHAIN,
					"-----BEGIN%20CERTIFICATE-----%0AAAAA%0A-----END%20CERTIFICATE-----%0A");
	expect_get_error(p, COVE_TEE_TDX, TDX_FMSPC, "platform", COVE_ERR_UNAVAILABLE,
			 "the issuer chain of the PCK CRL from", &e);
}

static void test_corrupt_cache(void **state)
{
	(void)state;
	cove_error e = {0};
	serve_tdx();
	cove_dcap_pcs *p = pcs_new();
	expect_fetch(p, COVE_TEE_TDX, TDX_FMSPC, "platform", NULL);
	/* Damage the TCB info entry. */
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/tdx/tcb/%s.json", cache, TDX_FMSPC);
	cove_buf good = {0};
	assert_int_equal(cove_file_read(path, 1 << 20, &good, &e), COVE_OK);
	assert_int_equal(cove_file_write(path, good.data, good.len / 2, 0600, &e), COVE_OK);
	opts.offline = true;
	cove_dcap_pcs *po = pcs_new();
	expect_get_error(po, COVE_TEE_TDX, TDX_FMSPC, "platform", COVE_ERR_UNAVAILABLE,
			 "offline, and the cached TCB info is unusable", &e);
	assert_non_null(strstr(e.msg, path));
	/* Online the entry is fetched again and replaced. */
	expect_fetch(p, COVE_TEE_TDX, TDX_FMSPC, "platform", NULL);
	assert_int_equal(tdx.r_tcb->hits, 2);
	cove_buf now = {0};
	assert_int_equal(cove_file_read(path, 1 << 20, &now, &e), COVE_OK);
	assert_int_equal(now.len, good.len);
	assert_memory_equal(now.data, good.data, good.len);
	expect_fetch(po, COVE_TEE_TDX, TDX_FMSPC, "platform", tdx.bundle);
	/* An entry whose body was tampered with no longer parses as a TCB info: a miss as well. */
	json_t *env = json_loadb((const char *)good.data, good.len, 0, NULL);
	assert_non_null(env);
	json_object_set_new(env, "body", json_string("{\"tcbInfo\":{},\"signature\":\"00\"}"));
	char *txt = json_dumps(env, 0);
	assert_int_equal(cove_file_write(path, txt, strlen(txt), 0600, &e), COVE_OK);
	expect_get_error(po, COVE_TEE_TDX, TDX_FMSPC, "platform", COVE_ERR_UNAVAILABLE, "cached TCB info is unusable",
			 &e);
	free(txt);
	json_decref(env);
	/* No temporary files left behind. */
	snprintf(path, sizeof(path), "%s/tdx/tcb", cache);
	assert_int_equal(cove_test_scratch_entries(path), 1);
	cove_buf_free(&good);
	cove_buf_free(&now);
}

static void test_limits(void **state)
{
	(void)state;
	cove_error e = {0};
	serve_tdx();
	opts.cache_dir = NULL;
	opts.max_response = 4000; /* the PCK CRL is 2.6 KB, the TCB info 4.9 KB */
	cove_dcap_pcs *p = pcs_new();
	expect_get_error(p, COVE_TEE_TDX, TDX_FMSPC, "platform", COVE_ERR_UNAVAILABLE,
			 "is larger than the 4000 bytes accepted", &e);
	assert_non_null(strstr(e.msg, P_TDX_TCB));
	/* A slow answer times out, naming the URL. */
	opts.max_response = 1 << 20;
	opts.timeout_ms = 200;
	cove_test_http_route_set_delay(tdx.r_qe, 1500);
	p = pcs_new();
	expect_get_error(p, COVE_TEE_TDX, TDX_FMSPC, "platform", COVE_ERR_UNAVAILABLE, "timed out", &e);
	assert_non_null(strstr(e.msg, P_TDX_QE));
	/* Nobody listens on port 1. */
	opts.base_url = "http://127.0.0.1:1";
	p = pcs_new();
	expect_get_error(p, COVE_TEE_TDX, TDX_FMSPC, "platform", COVE_ERR_UNAVAILABLE,
			 "cannot fetch http://127.0.0.1:1" P_PCKCRL "?ca=platform&encoding=der", &e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_args),
		cmocka_unit_test_setup_teardown(test_tdx_fetch_and_cache, server_setup, server_teardown),
		cmocka_unit_test_setup_teardown(test_next_update, server_setup, server_teardown),
		cmocka_unit_test_setup_teardown(test_sgx_pccs_forms, server_setup, server_teardown),
		cmocka_unit_test_setup_teardown(test_root_crl_url, server_setup, server_teardown),
		cmocka_unit_test_setup_teardown(test_throttle, server_setup, server_teardown),
		cmocka_unit_test_setup_teardown(test_not_found_and_bad_answers, server_setup, server_teardown),
		cmocka_unit_test_setup_teardown(test_wrong_answers, server_setup, server_teardown),
		cmocka_unit_test_setup_teardown(test_corrupt_cache, server_setup, server_teardown),
		cmocka_unit_test_setup_teardown(test_limits, server_setup, server_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
