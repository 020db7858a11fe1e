/*
 * The Intel PCS / PCCS client (src/pcs) against a local HTTP server of this
 * test's own (libmicrohttpd on 127.0.0.1, ephemeral port) serving genuine
 * collateral from shared/vectors: exact request URLs for SGX and TDX,
 * URL-encoded PEM issuer chains in the PCS headers (and the older header
 * name), the root CA CRL as DER or as PCCS's hex text, 429 then success,
 * 404, missing headers, wrong answers, the on-disk cache (hits make no
 * request, nextUpdate expiry refetches only what expired, offline mode,
 * corrupt entries).
 */
#include <ftw.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <curl/curl.h>
#include <jansson.h>
#include <microhttpd.h>

#include "cove/dcap_collateral.h"
#include "cove/dcap_pcs.h"
#include "testutil.h"

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

/* ------------------------------------------------------------------ */
/* Test HTTP server                                                    */

#define MAX_ROUTES 10
#define MAX_SCRIPT 8
#define MAX_URIS 48

typedef struct route {
	char path[128];                      /* exact path */
	char arg[32], value[64];             /* a query argument that must be present with this value ("" = any) */
	int status[MAX_SCRIPT];              /* answers in turn, the last one repeating; none: 200 */
	const char *retry_after[MAX_SCRIPT];
	int nscript;
	uint8_t *body;
	size_t body_len;
	char header[64];                     /* sent with 200 answers when set */
	char *header_value;
	unsigned delay_ms;
	int hits;
} route;

static struct server {
	struct MHD_Daemon *d;
	char base[64];
	pthread_mutex_t mu;
	route routes[MAX_ROUTES];
	int nroutes;
	int requests;
	char uris[MAX_URIS][300];
	char tmp[128];
	char cache[160];
} srv;

static void *log_uri(void *cls, const char *uri, struct MHD_Connection *con)
{
	(void)cls;
	(void)con;
	pthread_mutex_lock(&srv.mu);
	if (srv.requests < MAX_URIS)
		snprintf(srv.uris[srv.requests], sizeof(srv.uris[0]), "%s", uri);
	srv.requests++;
	pthread_mutex_unlock(&srv.mu);
	return NULL;
}

static enum MHD_Result answer(void *cls, struct MHD_Connection *c, const char *url, const char *method,
			      const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
	(void)cls;
	(void)method;
	(void)con_cls;
	(void)upload;
	(void)upload_size;
	(void)version;
	route *r = NULL;
	int status = 404;
	const char *retry_after = NULL;
	pthread_mutex_lock(&srv.mu);
	for (int i = 0; i < srv.nroutes; i++) {
		route *x = &srv.routes[i];
		if (strcmp(x->path, url) != 0)
			continue;
		if (x->arg[0]) {
			const char *v = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, x->arg);
			if (!v || strcmp(v, x->value) != 0)
				continue;
		}
		r = x;
		int turn = r->hits++;
		status = 200;
		if (r->nscript) {
			int k = turn < r->nscript ? turn : r->nscript - 1;
			status = r->status[k];
			retry_after = r->retry_after[k];
		}
		break;
	}
	pthread_mutex_unlock(&srv.mu);
	if (r && r->delay_ms)
		usleep(r->delay_ms * 1000);
	struct MHD_Response *resp;
	if (r && status == 200)
		resp = MHD_create_response_from_buffer(r->body_len, r->body, MHD_RESPMEM_MUST_COPY);
	else
		resp = MHD_create_response_from_buffer(9, (void *)"no thanks", MHD_RESPMEM_PERSISTENT);
	if (r && status == 200 && r->header[0] && r->header_value)
		MHD_add_response_header(resp, r->header, r->header_value);
	if (retry_after)
		MHD_add_response_header(resp, "Retry-After", retry_after);
	enum MHD_Result ret = MHD_queue_response(c, (unsigned)status, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* Serve `body` at `path` (when `arg` is set, only for ?arg=value) with `header: urlencode(chain)`. */
static route *add_route(const char *path, const char *arg, const char *value, const void *body, size_t len,
			const char *header, const char *chain)
{
	assert_true(srv.nroutes < MAX_ROUTES);
	route *r = &srv.routes[srv.nroutes++];
	snprintf(r->path, sizeof(r->path), "%s", path);
	if (arg) {
		snprintf(r->arg, sizeof(r->arg), "%s", arg);
		snprintf(r->value, sizeof(r->value), "%s", value);
	}
	r->body = malloc(len ? len : 1);
	assert_non_null(r->body);
	memcpy(r->body, body, len);
	r->body_len = len;
	if (header) {
		snprintf(r->header, sizeof(r->header), "%s", header);
		/* Intel PCS sends the chain URL-encoded: spaces, newlines, '+', '/' and '=' all escaped. */
		char *enc = curl_easy_escape(NULL, chain, (int)strlen(chain));
		assert_non_null(enc);
		r->header_value = strdup(enc);
		curl_free(enc);
	}
	return r;
}

static int server_setup(void **state)
{
	(void)state;
	memset(&srv, 0, sizeof(srv));
	pthread_mutex_init(&srv.mu, NULL);
	struct sockaddr_in sin = {0};
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	srv.d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION, 0, NULL, NULL,
				 answer, NULL, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sin,
				 MHD_OPTION_URI_LOG_CALLBACK, log_uri, NULL, MHD_OPTION_END);
	if (!srv.d)
		return -1;
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(srv.d, MHD_DAEMON_INFO_BIND_PORT);
	if (!info || !info->port)
		return -1;
	snprintf(srv.base, sizeof(srv.base), "http://127.0.0.1:%u", (unsigned)info->port);
	snprintf(srv.tmp, sizeof(srv.tmp), "/tmp/cove-test-pcs-XXXXXX");
	if (!mkdtemp(srv.tmp))
		return -1;
	snprintf(srv.cache, sizeof(srv.cache), "%s/cache/pcs", srv.tmp);
	return 0;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)flag;
	(void)ftw;
	(void)st;
	return remove(path);
}

static int server_teardown(void **state)
{
	(void)state;
	MHD_stop_daemon(srv.d);
	pthread_mutex_destroy(&srv.mu);
	for (int i = 0; i < srv.nroutes; i++) {
		free(srv.routes[i].body);
		free(srv.routes[i].header_value);
	}
	nftw(srv.tmp, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Collateral served                                                   */

typedef struct set {
	json_t *bundle;       /* the expected collateral, as a bundle */
	cove_buf tcb_body, qe_body, pck_crl, root_crl;
	route *r_pck, *r_root, *r_tcb, *r_qe;
} set;

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

/* TDX: the genuine PCS bodies and CRLs the automata 1025 bundle was packaged from. */
static void serve_tdx(set *s)
{
	memset(s, 0, sizeof(*s));
	s->bundle = read_bundle("vectors/tdx/derived-collateral/automata_1025_fmspc00806f050000.json");
	cove_test_read_shared("vectors/tdx/automata/evm-assets/1025/tcb_info.json", &s->tcb_body);
	cove_test_read_shared("vectors/tdx/automata/evm-assets/1025/identity.json", &s->qe_body);
	cove_test_read_shared("vectors/tdx/automata/evm-assets/1025/pck_crl.der", &s->pck_crl);
	cove_test_read_shared("vectors/sgx/automata/solana-tests-data/intel_root_ca_crl.der", &s->root_crl);
	s->r_pck = add_route(P_PCKCRL, "ca", "platform", s->pck_crl.data, s->pck_crl.len, "SGX-PCK-CRL-Issuer-Chain",
			     bstr(s->bundle, "pck_crl_issuer_chain"));
	s->r_root = add_route(P_ROOTCRL, NULL, NULL, s->root_crl.data, s->root_crl.len, NULL, NULL);
	s->r_tcb = add_route(P_TDX_TCB, "fmspc", TDX_FMSPC, s->tcb_body.data, s->tcb_body.len, "TCB-Info-Issuer-Chain",
			     bstr(s->bundle, "tcb_info_issuer_chain"));
	s->r_qe = add_route(P_TDX_QE, NULL, NULL, s->qe_body.data, s->qe_body.len, "SGX-Enclave-Identity-Issuer-Chain",
			    bstr(s->bundle, "qe_identity_issuer_chain"));
}

/* SGX: Phala's collateral served PCCS-style: the older TCB header name and the root CRL as hex text. */
static void serve_sgx(set *s)
{
	memset(s, 0, sizeof(*s));
	s->bundle = read_bundle("vectors/sgx/phala-dcap-qvl/sgx_quote_collateral.json");
	pcs_body(s->bundle, "tcbInfo", "tcb_info", "tcb_info_signature", &s->tcb_body);
	pcs_body(s->bundle, "enclaveIdentity", "qe_identity", "qe_identity_signature", &s->qe_body);
	hex_to_buf(bstr(s->bundle, "pck_crl"), &s->pck_crl);
	const char *root_hex = bstr(s->bundle, "root_ca_crl");
	assert_int_equal(cove_buf_set(&s->root_crl, root_hex, strlen(root_hex), NULL), COVE_OK);
	s->r_pck = add_route(P_PCKCRL, "ca", "processor", s->pck_crl.data, s->pck_crl.len, "SGX-PCK-CRL-Issuer-Chain",
			     bstr(s->bundle, "pck_crl_issuer_chain"));
	s->r_root = add_route(P_ROOTCRL, NULL, NULL, s->root_crl.data, s->root_crl.len, NULL, NULL);
	s->r_tcb = add_route(P_SGX_TCB, "fmspc", SGX_FMSPC, s->tcb_body.data, s->tcb_body.len,
			     "SGX-TCB-Info-Issuer-Chain", bstr(s->bundle, "tcb_info_issuer_chain"));
	s->r_qe = add_route(P_SGX_QE, NULL, NULL, s->qe_body.data, s->qe_body.len, "SGX-Enclave-Identity-Issuer-Chain",
			    bstr(s->bundle, "qe_identity_issuer_chain"));
}

static void set_free(set *s)
{
	json_decref(s->bundle);
	cove_buf_free(&s->tcb_body);
	cove_buf_free(&s->qe_body);
	cove_buf_free(&s->pck_crl);
	cove_buf_free(&s->root_crl);
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

static void test_opts(cove_dcap_pcs_opts *o)
{
	cove_dcap_pcs_opts_init(o);
	o->base_url = srv.base;
	o->cache_dir = srv.cache;
	o->retry_delay_ms = 1;
	o->max_wait_ms = 200;
	o->timeout_ms = 5000;
	o->now = T_1025;
}

static cove_dcap_pcs *pcs_new(const cove_dcap_pcs_opts *o)
{
	cove_dcap_pcs *p = NULL;
	cove_error e = {0};
	if (cove_dcap_pcs_new(o, &p, &e) != COVE_OK)
		fail_msg("cove_dcap_pcs_new: %s", e.msg);
	return p;
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

static unsigned mode_of(const char *path)
{
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	return (unsigned)(st.st_mode & 07777);
}

static bool exists(const char *fmt, const char *a)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), fmt, srv.cache, a);
	return access(path, F_OK) == 0;
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
	set s;
	cove_dcap_collateral c;
	cove_error e = {0};
	cove_dcap_pcs_opts o;
	serve_tdx(&s);
	test_opts(&o);
	cove_dcap_pcs *p = pcs_new(&o);
	if (get(p, COVE_TEE_TDX, TDX_FMSPC, "platform", &c, &e) != COVE_OK)
		fail_msg("%s", e.msg);
	/* Exactly these requests, in this order. */
	assert_int_equal(srv.requests, 4);
	assert_string_equal(srv.uris[0], P_PCKCRL "?ca=platform&encoding=der");
	assert_string_equal(srv.uris[1], P_ROOTCRL);
	assert_string_equal(srv.uris[2], P_TDX_TCB "?fmspc=" TDX_FMSPC);
	assert_string_equal(srv.uris[3], P_TDX_QE);
	expect_collateral(&c, s.bundle);
	assert_string_equal(c.tcb_info.id, "TDX");
	assert_string_equal(c.qe_identity.id, "TD_QE");
	assert_int_equal(cove_x509_crl_next_update(c.pck_crl), PCK_CRL_NEXT);
	assert_int_equal(cove_x509_crl_next_update(c.root_ca_crl), ROOT_CRL_NEXT);
	cove_dcap_collateral_free(&c);

	/* The cache: private directories, one entry per item. */
	assert_int_equal(mode_of(srv.cache), 0700);
	assert_true(exists("%s/tdx/tcb/%s.json", TDX_FMSPC));
	assert_true(exists("%s/tdx/%s", "qe_identity.json"));
	assert_true(exists("%s/pckcrl/%s", "platform.json"));
	assert_true(exists("%s/%s", "rootcacrl.json"));
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/tdx/tcb", srv.cache);
	assert_int_equal(mode_of(path), 0700);
	snprintf(path, sizeof(path), "%s/tdx/tcb/%s.json", srv.cache, TDX_FMSPC);
	assert_int_equal(mode_of(path) & 077, 0);

	/* Hits make no request, in this client and in a fresh offline one. */
	assert_int_equal(get(p, COVE_TEE_TDX, TDX_FMSPC, "platform", &c, &e), COVE_OK);
	assert_int_equal(srv.requests, 4);
	expect_collateral(&c, s.bundle);
	cove_dcap_collateral_free(&c);
	cove_dcap_pcs_free(p);
	o.offline = true;
	p = pcs_new(&o);
	assert_int_equal(get(p, COVE_TEE_TDX, TDX_FMSPC, "platform", &c, &e), COVE_OK);
	expect_collateral(&c, s.bundle);
	cove_dcap_collateral_free(&c);
	assert_int_equal(srv.requests, 4);
	/* Offline, another FMSPC or CA is a miss that names the cache file. */
	assert_int_equal(get(p, COVE_TEE_TDX, "90C06F000000", "platform", &c, &e), COVE_ERR_UNAVAILABLE);
	assert_non_null(strstr(e.msg, "offline, and the TCB info is not cached"));
	assert_non_null(strstr(e.msg, "tdx/tcb/90C06F000000.json"));
	assert_int_equal(get(p, COVE_TEE_TDX, TDX_FMSPC, "processor", &c, &e), COVE_ERR_UNAVAILABLE);
	assert_non_null(strstr(e.msg, "pckcrl/processor.json"));
	assert_null(c.pck_crl); /* nothing half-filled */
	assert_int_equal(srv.requests, 4);
	cove_dcap_pcs_free(p);
	set_free(&s);
}

static void test_next_update(void **state)
{
	(void)state;
	set s;
	cove_dcap_collateral c;
	cove_error e = {0};
	cove_dcap_pcs_opts o;
	serve_tdx(&s);
	test_opts(&o);
	cove_dcap_pcs *p = pcs_new(&o);
	assert_int_equal(get(p, COVE_TEE_TDX, TDX_FMSPC, "platform", &c, &e), COVE_OK);
	cove_dcap_collateral_free(&c);
	cove_dcap_pcs_free(p);

	/* Exactly at nextUpdate the items are still current. */
	o.now = PCK_CRL_NEXT;
	p = pcs_new(&o);
	assert_int_equal(get(p, COVE_TEE_TDX, TDX_FMSPC, "platform", &c, &e), COVE_OK);
	cove_dcap_collateral_free(&c);
	cove_dcap_pcs_free(p);
	assert_int_equal(srv.requests, 4);

	/* Past the PCK CRL's and the QE identity's nextUpdate, but not the TCB info's: only those two again. */
	o.now = TD_QE_NEXT + 1;
	p = pcs_new(&o);
	assert_int_equal(get(p, COVE_TEE_TDX, TDX_FMSPC, "platform", &c, &e), COVE_OK);
	cove_dcap_collateral_free(&c);
	assert_int_equal(s.r_pck->hits, 2);
	assert_int_equal(s.r_qe->hits, 2);
	assert_int_equal(s.r_tcb->hits, 1);
	assert_int_equal(s.r_root->hits, 1);
	cove_dcap_pcs_free(p);

	/* Past the TCB info's too; and when the refetch fails, the stale copy is not passed off as fresh. */
	o.now = TCB_NEXT + 1;
	s.r_tcb->nscript = 1;
	s.r_tcb->status[0] = 500;
	p = pcs_new(&o);
	assert_int_equal(get(p, COVE_TEE_TDX, TDX_FMSPC, "platform", &c, &e), COVE_ERR_UNAVAILABLE);
	assert_non_null(strstr(e.msg, "PCCS answered HTTP 500 for"));
	assert_non_null(strstr(e.msg, P_TDX_TCB "?fmspc=" TDX_FMSPC));
	assert_null(c.pck_crl);
	cove_dcap_pcs_free(p);

	/* Offline, the stale items are what there is: the verifier judges freshness. */
	int before = srv.requests;
	o.offline = true;
	o.now = ROOT_CRL_NEXT + 86400;
	p = pcs_new(&o);
	assert_int_equal(get(p, COVE_TEE_TDX, TDX_FMSPC, "platform", &c, &e), COVE_OK);
	expect_collateral(&c, s.bundle);
	assert_true(c.tcb_info.next_update < o.now);
	cove_dcap_collateral_free(&c);
	assert_int_equal(srv.requests, before);
	cove_dcap_pcs_free(p);
	set_free(&s);
}

/* PCCS-style answers: the older "SGX-TCB-Info-Issuer-Chain" header, the root CA CRL as hex text. */
static void test_sgx_pccs_forms(void **state)
{
	(void)state;
	set s;
	cove_dcap_collateral c;
	cove_error e = {0};
	cove_dcap_pcs_opts o;
	serve_sgx(&s);
	test_opts(&o);
	o.now = 1751328000; /* 2025-07-01T00:00:00Z */
	/* A PCCS_URL in dcap-qvl's form, with the API path: the client uses the service root. */
	char base[128];
	snprintf(base, sizeof(base), "%s/sgx/certification/v4/", srv.base);
	o.base_url = base;
	cove_dcap_pcs *p = pcs_new(&o);
	if (get(p, COVE_TEE_SGX, SGX_FMSPC, "Processor", &c, &e) != COVE_OK)
		fail_msg("%s", e.msg);
	assert_int_equal(srv.requests, 4);
	assert_string_equal(srv.uris[0], P_PCKCRL "?ca=processor&encoding=der");
	assert_string_equal(srv.uris[1], P_ROOTCRL);
	assert_string_equal(srv.uris[2], P_SGX_TCB "?fmspc=" SGX_FMSPC);
	assert_string_equal(srv.uris[3], P_SGX_QE);
	expect_collateral(&c, s.bundle);
	assert_string_equal(c.qe_identity.id, "QE");
	cove_dcap_collateral_free(&c);
	/* Cached as DER whatever the service sent; the offline copy is the same collateral. */
	cove_dcap_pcs_free(p);
	o.offline = true;
	p = pcs_new(&o);
	assert_int_equal(get(p, COVE_TEE_SGX, SGX_FMSPC, "processor", &c, &e), COVE_OK);
	expect_collateral(&c, s.bundle);
	cove_dcap_collateral_free(&c);
	assert_int_equal(srv.requests, 4);
	cove_dcap_pcs_free(p);
	set_free(&s);
}

/* The root CA CRL URL is configurable (Intel serves it from another host). */
static void test_root_crl_url(void **state)
{
	(void)state;
	set s;
	cove_dcap_collateral c;
	cove_error e = {0};
	cove_dcap_pcs_opts o;
	serve_tdx(&s);
	add_route("/IntelSGXRootCA.der", NULL, NULL, s.root_crl.data, s.root_crl.len, NULL, NULL);
	test_opts(&o);
	o.cache_dir = NULL;
	char url[128];
	snprintf(url, sizeof(url), "%s/IntelSGXRootCA.der", srv.base);
	o.root_crl_url = url;
	cove_dcap_pcs *p = pcs_new(&o);
	assert_int_equal(get(p, COVE_TEE_TDX, TDX_FMSPC, "platform", &c, &e), COVE_OK);
	assert_string_equal(srv.uris[1], "/IntelSGXRootCA.der");
	assert_int_equal(s.r_root->hits, 0);
	expect_collateral(&c, s.bundle);
	cove_dcap_collateral_free(&c);
	/* Without a cache every call asks again. */
	assert_int_equal(get(p, COVE_TEE_TDX, TDX_FMSPC, "platform", &c, &e), COVE_OK);
	cove_dcap_collateral_free(&c);
	assert_int_equal(srv.requests, 8);
	cove_dcap_pcs_free(p);
	set_free(&s);
}

static void test_throttle(void **state)
{
	(void)state;
	set s;
	cove_dcap_collateral c;
	cove_error e = {0};
	cove_dcap_pcs_opts o;
	serve_tdx(&s);
	s.r_tcb->nscript = 3;
	s.r_tcb->status[0] = 429;
	s.r_tcb->retry_after[0] = "0";
	s.r_tcb->status[1] = 503;
	s.r_tcb->status[2] = 200;
	test_opts(&o);
	cove_dcap_pcs *p = pcs_new(&o);
	assert_int_equal(get(p, COVE_TEE_TDX, TDX_FMSPC, "platform", &c, &e), COVE_OK);
	assert_int_equal(s.r_tcb->hits, 3);
	for (int i = 2; i < 5; i++)
		assert_string_equal(srv.uris[i], P_TDX_TCB "?fmspc=" TDX_FMSPC);
	expect_collateral(&c, s.bundle);
	cove_dcap_collateral_free(&c);
	cove_dcap_pcs_free(p);

	/* Retry-After beyond the budget: given up at once, nothing cached for that item. */
	s.r_qe->nscript = 1;
	s.r_qe->status[0] = 429;
	s.r_qe->retry_after[0] = "3600";
	o.cache_dir = NULL;
	p = pcs_new(&o);
	assert_int_equal(get(p, COVE_TEE_TDX, TDX_FMSPC, "platform", &c, &e), COVE_ERR_UNAVAILABLE);
	assert_non_null(strstr(e.msg, "PCCS is throttling: HTTP 429"));
	assert_non_null(strstr(e.msg, "Retry-After 3600000 ms"));
	assert_non_null(strstr(e.msg, P_TDX_QE));
	assert_int_equal(s.r_qe->hits, 2); /* one success above, then one 429 and no sleeping */
	cove_dcap_pcs_free(p);
	set_free(&s);
}

static void test_not_found_and_bad_answers(void **state)
{
	(void)state;
	set s;
	cove_dcap_collateral c;
	cove_error e = {0};
	cove_dcap_pcs_opts o;
	char want[256];
	serve_tdx(&s);
	test_opts(&o);
	cove_dcap_pcs *p = pcs_new(&o);

	/* No TCB info for this FMSPC: 404, naming the URL; nothing cached. */
	assert_int_equal(get(p, COVE_TEE_TDX, "90C06F000000", "platform", &c, &e), COVE_ERR_UNAVAILABLE);
	snprintf(want, sizeof(want), "PCCS has no such object: HTTP 404 for %s" P_TDX_TCB "?fmspc=90C06F000000",
		 srv.base);
	assert_non_null(strstr(e.msg, want));
	assert_false(exists("%s/tdx/tcb/%s.json", "90C06F000000"));
	assert_null(c.pck_crl);
	/* SGX asks the /sgx/ paths, which this server does not serve. */
	assert_int_equal(get(p, COVE_TEE_SGX, TDX_FMSPC, "platform", &c, &e), COVE_ERR_UNAVAILABLE);
	assert_non_null(strstr(e.msg, P_SGX_TCB "?fmspc=" TDX_FMSPC));

	/* An answer without its issuer-chain header. */
	free(s.r_qe->header_value);
	s.r_qe->header_value = NULL;
	assert_int_equal(get(p, COVE_TEE_TDX, TDX_FMSPC, "platform", &c, &e), COVE_ERR_UNAVAILABLE);
	assert_non_null(strstr(e.msg, "came without the SGX-Enclave-Identity-Issuer-Chain header"));
	assert_non_null(strstr(e.msg, P_TDX_QE));
	assert_false(exists("%s/tdx/%s", "qe_identity.json"));
	cove_dcap_pcs_free(p);
	set_free(&s);
}

static void test_wrong_answers(void **state)
{
	(void)state;
	set tdx, sgx;
	cove_dcap_collateral c;
	cove_error e = {0};
	cove_dcap_pcs_opts o;
	serve_tdx(&tdx);
	/* The SGX QE's identity where the TD_QE's belongs; an SGX TCB info at the TDX path; garbage CRL. */
	serve_sgx(&sgx);
	free(tdx.r_qe->body);
	tdx.r_qe->body = malloc(sgx.qe_body.len);
	memcpy(tdx.r_qe->body, sgx.qe_body.data, sgx.qe_body.len);
	tdx.r_qe->body_len = sgx.qe_body.len;
	test_opts(&o);
	o.cache_dir = NULL;
	cove_dcap_pcs *p = pcs_new(&o);
	assert_int_equal(get(p, COVE_TEE_TDX, TDX_FMSPC, "platform", &c, &e), COVE_ERR_UNAVAILABLE);
	assert_non_null(strstr(e.msg, "gave the identity of \"QE\", not of \"TD_QE\""));

	/* A TCB info for another FMSPC than asked. */
	route *r = add_route(P_TDX_TCB, "fmspc", "B0C06F000000", tdx.tcb_body.data, tdx.tcb_body.len,
			     "TCB-Info-Issuer-Chain", bstr(tdx.bundle, "tcb_info_issuer_chain"));
	assert_int_equal(get(p, COVE_TEE_TDX, "B0C06F000000", "platform", &c, &e), COVE_ERR_UNAVAILABLE);
	assert_non_null(strstr(e.msg, "gave a TCB info for FMSPC 00806f050000, not the one asked for"));
	assert_int_equal(r->hits, 1);
	/* An SGX TCB info where a TDX one was asked for. */
	route *r2 = add_route(P_TDX_TCB, "fmspc", SGX_FMSPC, sgx.tcb_body.data, sgx.tcb_body.len, "TCB-Info-Issuer-Chain",
			      bstr(sgx.bundle, "tcb_info_issuer_chain"));
	assert_int_equal(get(p, COVE_TEE_TDX, SGX_FMSPC, "platform", &c, &e), COVE_ERR_UNAVAILABLE);
	assert_non_null(strstr(e.msg, "gave a TCB info with id \"SGX\" for TDX"));
	assert_int_equal(r2->hits, 1);
	/* A body that is not a TCB info; a CRL that is not one; a chain that is not PEM. */
	static const char html[] = "<html>maintenance</html>";
	free(tdx.r_tcb->body);
	tdx.r_tcb->body = (uint8_t *)strdup(html);
	tdx.r_tcb->body_len = strlen(html);
	assert_int_equal(get(p, COVE_TEE_TDX, TDX_FMSPC, "platform", &c, &e), COVE_ERR_UNAVAILABLE);
	assert_non_null(strstr(e.msg, "the TCB info from"));
	assert_non_null(strstr(e.msg, "is unusable: TCB info body: PCS body is not valid JSON"));
	free(tdx.r_root->body);
	tdx.r_root->body = (uint8_t *)strdup(html);
	tdx.r_root->body_len = strlen(html);
	assert_int_equal(get(p, COVE_TEE_TDX, TDX_FMSPC, "platform", &c, &e), COVE_ERR_UNAVAILABLE);
	assert_non_null(strstr(e.msg, "the root CA CRL from"));
	assert_non_null(strstr(e.msg, "is not a CRL"));
	free(tdx.r_pck->header_value);
	tdx.r_pck->header_value = strdup("-----BEGIN%20CERTIFICATE-----%0AAAAA%0A-----END%20CERTIFICATE-----%0A");
	assert_int_equal(get(p, COVE_TEE_TDX, TDX_FMSPC, "platform", &c, &e), COVE_ERR_UNAVAILABLE);
	assert_non_null(strstr(e.msg, "the issuer chain of the PCK CRL from"));
	assert_null(c.pck_crl);
	cove_dcap_pcs_free(p);
	set_free(&tdx);
	set_free(&sgx);
}

static void test_corrupt_cache(void **state)
{
	(void)state;
	set s;
	cove_dcap_collateral c;
	cove_error e = {0};
	cove_dcap_pcs_opts o;
	serve_tdx(&s);
	test_opts(&o);
	cove_dcap_pcs *p = pcs_new(&o);
	assert_int_equal(get(p, COVE_TEE_TDX, TDX_FMSPC, "platform", &c, &e), COVE_OK);
	cove_dcap_collateral_free(&c);
	/* Damage the TCB info entry. */
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/tdx/tcb/%s.json", srv.cache, TDX_FMSPC);
	cove_buf good = {0};
	assert_int_equal(cove_file_read(path, 1 << 20, &good, &e), COVE_OK);
	assert_int_equal(cove_file_write(path, good.data, good.len / 2, 0600, &e), COVE_OK);
	cove_dcap_pcs_opts off = o;
	off.offline = true;
	cove_dcap_pcs *po = pcs_new(&off);
	assert_int_equal(get(po, COVE_TEE_TDX, TDX_FMSPC, "platform", &c, &e), COVE_ERR_UNAVAILABLE);
	assert_non_null(strstr(e.msg, "offline, and the cached TCB info is unusable"));
	assert_non_null(strstr(e.msg, path));
	/* Online the entry is fetched again and replaced. */
	assert_int_equal(get(p, COVE_TEE_TDX, TDX_FMSPC, "platform", &c, &e), COVE_OK);
	cove_dcap_collateral_free(&c);
	assert_int_equal(s.r_tcb->hits, 2);
	cove_buf now = {0};
	assert_int_equal(cove_file_read(path, 1 << 20, &now, &e), COVE_OK);
	assert_int_equal(now.len, good.len);
	assert_memory_equal(now.data, good.data, good.len);
	assert_int_equal(get(po, COVE_TEE_TDX, TDX_FMSPC, "platform", &c, &e), COVE_OK);
	expect_collateral(&c, s.bundle);
	cove_dcap_collateral_free(&c);
	/* An entry whose body was tampered with no longer parses as a TCB info: a miss as well. */
	json_t *env = json_loadb((const char *)good.data, good.len, 0, NULL);
	assert_non_null(env);
	json_object_set_new(env, "body", json_string("{\"tcbInfo\":{},\"signature\":\"00\"}"));
	char *txt = json_dumps(env, 0);
	assert_int_equal(cove_file_write(path, txt, strlen(txt), 0600, &e), COVE_OK);
	assert_int_equal(get(po, COVE_TEE_TDX, TDX_FMSPC, "platform", &c, &e), COVE_ERR_UNAVAILABLE);
	assert_non_null(strstr(e.msg, "cached TCB info is unusable"));
	free(txt);
	json_decref(env);
	/* No temporary files left behind. */
	char cmd[PATH_MAX + 32];
	int files = 0;
	snprintf(cmd, sizeof(cmd), "ls -A '%s/tdx/tcb' | wc -l", srv.cache);
	FILE *f = popen(cmd, "r");
	assert_non_null(f);
	assert_int_equal(fscanf(f, "%d", &files), 1);
	pclose(f);
	assert_int_equal(files, 1);
	cove_dcap_pcs_free(po);
	cove_dcap_pcs_free(p);
	cove_buf_free(&good);
	cove_buf_free(&now);
	set_free(&s);
}

static void test_limits(void **state)
{
	(void)state;
	set s;
	cove_dcap_collateral c;
	cove_error e = {0};
	cove_dcap_pcs_opts o;
	serve_tdx(&s);
	test_opts(&o);
	o.cache_dir = NULL;
	o.max_response = 4000; /* the PCK CRL is 2.6 KB, the TCB info 4.9 KB */
	cove_dcap_pcs *p = pcs_new(&o);
	assert_int_equal(get(p, COVE_TEE_TDX, TDX_FMSPC, "platform", &c, &e), COVE_ERR_UNAVAILABLE);
	assert_non_null(strstr(e.msg, "is larger than the 4000 bytes accepted"));
	assert_non_null(strstr(e.msg, P_TDX_TCB));
	cove_dcap_pcs_free(p);
	/* A slow answer times out, naming the URL. */
	o.max_response = 1 << 20;
	o.timeout_ms = 200;
	s.r_qe->delay_ms = 1500;
	p = pcs_new(&o);
	assert_int_equal(get(p, COVE_TEE_TDX, TDX_FMSPC, "platform", &c, &e), COVE_ERR_UNAVAILABLE);
	assert_non_null(strstr(e.msg, "timed out"));
	assert_non_null(strstr(e.msg, P_TDX_QE));
	cove_dcap_pcs_free(p);
	/* Nobody listens on port 1. */
	o.base_url = "http://127.0.0.1:1";
	p = pcs_new(&o);
	assert_int_equal(get(p, COVE_TEE_TDX, TDX_FMSPC, "platform", &c, &e), COVE_ERR_UNAVAILABLE);
	assert_non_null(strstr(e.msg, "cannot fetch http://127.0.0.1:1" P_PCKCRL "?ca=platform&encoding=der"));
	cove_dcap_pcs_free(p);
	set_free(&s);
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
