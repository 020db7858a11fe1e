/*
 * Benchmark: coved's attestation throughput on loopback next to the bare
 * in-process verification rate of the same evidence, measured in the same
 * run (issue #6, "Must show": the service reaches at least 70% of the
 * in-process rate with both cores; p99 latency printed).
 *
 * The bench makes an emulated platform in a temporary directory, an emulated
 * SEV-SNP report with its VCEK/ASK/ARK chain and an emulated SGX DCAP quote,
 * both bound to a JSON runtimeData (report data = SHA-256(runtimeData) as MAA
 * checks it, docs/attest-api.md), and the MAA request bodies for
 * POST /attest/SevSnpVm and /attest/SgxEnclave.
 *
 * In-process baseline: cove_attest_request_parse + cove_attest_evaluate with
 * verifiers set up as coved sets them up (tools/coved/state.c: emulated roots
 * added, SNP CRL and DCAP collateral from the platform, the collateral kept
 * and lent to every quote as coved's workers keep it), one warm context per
 * thread, on 1 thread and on as many threads as there are CPUs.  A second
 * in-process row adds what coved does after verification (default MAA policy
 * evaluated over the claims, token claims assembled, signature with
 * cove_token_issue in coved's algorithm, RS256 by default); the signature
 * alone is timed as well.
 *
 * Service: coved started as a child process (`--listen 127.0.0.1:0 --offline
 * --trust-emulated-root`), driven by an own epoll HTTP/1.1 client with N
 * keep-alive connections (libcurl only for the one-off calls).  One token
 * per type is first verified against coved's GET /certs; timed responses
 * must be 200 with a token.  Printed:
 * attestations/s, p50/p99 latency, CPUs kept busy, CPU time per request of
 * coved and of the client, and the ratio to the in-process rate.
 *
 * The machine may be shared, so the compared figures are interleaved: the
 * in-process rate on all threads is measured before and after each of
 * coved's slices for the same type, a round's ratio is coved's rate over the
 * mean of the two, and the median over the rounds is reported.  Alongside,
 * the CPU-normalised ratio (in-process CPU per attestation / coved's) says
 * what coved would reach with every core busy, independent of neighbours'
 * load.
 *
 * Usage: bench_coved [--rounds N] [--seconds S] [--warmup S] [--conns N]
 *          [--ramp-ms MS] [--threads N] [--log-level error|info]
 *          [--token-alg ALG[,ALG...]] [--coved PATH] [--keep] [--json]
 *          [--enforce (exit 3 below the target)] [--no-service]
 * ALG: RS256 (coved's default), ES256, ES384; by default RS256 and then
 * ES256, one table each: the RSA-2048 private operation behind RS256 costs
 * more than an SGX quote's whole verification, and the two tables show what
 * that does to the ratio (docs/benchmarks.md).
 * Exit: 0 figures printed, 1 a failed request or set-up, 2 usage, 77 no coved.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <curl/curl.h>
#include <jansson.h>

#include "cove/attest.h"
#include "cove/bytes.h"
#include "cove/crypto.h"
#include "cove/dcap_verify.h"
#include "cove/maa_policy.h"
#include "cove/platform.h"
#include "cove/snp.h"
#include "cove/token.h"

#ifndef COVE_BENCH_COVED
#define COVE_BENCH_COVED ""
#endif

/* The policy coved applies when none is stored (tools/coved/routes_attest.c, coved_default_policy). */
static const char default_policy[] = "version=1.0;\n"
				     "authorizationrules\n"
				     "{\n"
				     "    => permit();\n"
				     "};\n"
				     "issuancerules\n"
				     "{\n"
				     "};\n";

static const char runtime_json[] = "{\"keys\":[{\"kid\":\"bench\",\"kty\":\"EC\",\"crv\":\"P-256\","
				   "\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\","
				   "\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\"}],\"bench\":\"coved\"}";

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* The q-quantile (0..1) of sorted v[n], nearest rank. */
static double quantile(const double *v, size_t n, double q)
{
	size_t i;
	if (!n)
		return 0;
	i = (size_t)(q * (double)n + 0.5);
	if (i > 0)
		i--;
	return v[i < n ? i : n - 1];
}

#define MAX_ROUNDS 20

/* ---- evidence and request bodies ---- */

typedef struct evidence {
	char *snp_body;
	char *sgx_body;
	char *token_key_pem; /* a key as coved generates it for the algorithm being measured (RS256: 2048 bits) */
	cove_token_alg alg;
} evidence;

static char *runtime_member(void)
{
	char *rt = cove_base64url_new(runtime_json, strlen(runtime_json));
	char *out = NULL;
	if (rt && asprintf(&out, ",\"runtimeData\":{\"data\":\"%s\",\"dataType\":\"JSON\"},\"nonce\":\"bench-nonce\"",
			   rt) < 0)
		out = NULL;
	free(rt);
	return out;
}

static cove_err make_evidence(cove_platform *plat, evidence *ev, cove_error *e)
{
	uint8_t rd[64] = {0}, report[COVE_SNP_REPORT_SIZE], sgx_body[COVE_SGX_REPORT_BODY_SIZE], *quote = NULL;
	size_t qlen = 0;
	cove_snp_emulate_opts so;
	cove_sgx_emulate_opts go;
	cove_buf pem = {0};
	char *rep = NULL, *chain = NULL, *inner = NULL, *outer = NULL, *q64 = NULL, *extra = NULL;
	cove_err rc;

	/* Report data = SHA-256(runtimeData bytes) || 0^32, the MAA binding. */
	if ((rc = cove_digest(COVE_SHA256, runtime_json, strlen(runtime_json), rd, e)))
		goto out;
	cove_snp_emulate_opts_init(&so);
	memcpy(so.report_data, rd, sizeof(rd));
	memset(so.measurement, 0x5a, sizeof(so.measurement));
	if ((rc = cove_platform_snp_emulate(plat, &so, report, e)) ||
	    (rc = cove_platform_snp_chain_pem(plat, NULL, &pem, e)))
		goto out;
	memset(&go, 0, sizeof(go));
	memset(go.mr_enclave, 0x11, sizeof(go.mr_enclave));
	memset(go.mr_signer, 0x22, sizeof(go.mr_signer));
	go.isv_prod_id = 1;
	go.isv_svn = 1;
	memcpy(go.report_data, rd, sizeof(rd));
	if ((rc = cove_platform_sgx_report_body(plat, &go, sgx_body, e)) ||
	    (rc = cove_platform_sgx_quote(plat, sgx_body, &quote, &qlen, e)))
		goto out;

	rc = COVE_ERR_NOMEM;
	rep = cove_base64url_new(report, sizeof(report));
	chain = cove_base64url_new(pem.data, pem.len);
	q64 = cove_base64url_new(quote, qlen);
	extra = runtime_member();
	if (!rep || !chain || !q64 || !extra ||
	    asprintf(&inner, "{\"SnpReport\":\"%s\",\"VcekCertChain\":\"%s\"}", rep, chain) < 0) {
		inner = NULL;
		cove_error_set(e, rc, "out of memory");
		goto out;
	}
	outer = cove_base64url_new(inner, strlen(inner));
	if (!outer || asprintf(&ev->snp_body, "{\"report\":\"%s\"%s}", outer, extra) < 0 ||
	    asprintf(&ev->sgx_body, "{\"quote\":\"%s\"%s}", q64, extra) < 0) {
		cove_error_set(e, rc, "out of memory");
		goto out;
	}
	rc = COVE_OK;
out:
	free(rep);
	free(chain);
	free(inner);
	free(outer);
	free(q64);
	free(extra);
	free(quote);
	cove_buf_free(&pem);
	return rc;
}

static double self_cpu(void);

/* ---- in-process baseline ---- */

/* One thread's context, set up as coved's per-thread worker (tools/coved/state.c). */
typedef struct inproc {
	const char *plat_dir;
	const evidence *ev;
	cove_attest_type type;
	bool full;        /* also policy + token, as coved does after verifying */
	double seconds;
	pthread_barrier_t *start;
	/* own handles: a cove_platform and verifier contexts are used by one thread at a time */
	cove_platform *plat;
	cove_attest_ctx ctx;
	cove_maa_policy *pol;
	char pol_hash[48];
	cove_token_key *key;
	cove_attest_dcap_keeper *coll; /* the platform's SGX collateral, kept as coved's workers keep it */
	/* result */
	uint64_t count;
	double elapsed;
	cove_error err;
} inproc;

static cove_err snp_crl_from_platform(void *arg, cove_snp_product p, bool vlek, cove_buf *der, cove_error *e)
{
	inproc *w = arg;
	(void)p;
	(void)vlek;
	return cove_platform_snp_crl_pem(w->plat, der, e);
}

static void inproc_clear(inproc *w)
{
	cove_attest_dcap_keeper_free(w->coll);
	w->coll = NULL;
	cove_snp_verifier_free(w->ctx.snp);
	cove_dcap_verifier_free(w->ctx.dcap);
	cove_maa_policy_free(w->pol);
	cove_token_key_free(w->key);
	cove_platform_free(w->plat);
	w->ctx.snp = NULL;
	w->ctx.dcap = NULL;
	w->pol = NULL;
	w->key = NULL;
	w->plat = NULL;
}

static cove_err inproc_setup(inproc *w, cove_error *e)
{
	cove_snp_root root;
	uint8_t spki[32];
	cove_err rc;

	cove_attest_ctx_init(&w->ctx);
	if ((rc = cove_platform_open(w->plat_dir, false, &w->plat, e)) || (rc = cove_snp_verifier_new(&w->ctx.snp, e)) ||
	    (rc = cove_dcap_verifier_new(&w->ctx.dcap, e)) || (rc = cove_platform_snp_root(w->plat, &root, e)) ||
	    (rc = cove_snp_verifier_add_root(w->ctx.snp, &root, e)) || (rc = cove_platform_sgx_root(w->plat, spki, e)) ||
	    (rc = cove_dcap_verifier_add_root(w->ctx.dcap, spki, COVE_PLATFORM_NAME, true, e)))
		return rc;
	{
		cove_snp_collateral_source src = {.ctx = w, .get_crl = snp_crl_from_platform};
		cove_snp_verifier_set_source(w->ctx.snp, &src);
	}
	if ((rc = cove_attest_dcap_keeper_new(cove_attest_dcap_from_platform, w->plat, 60, &w->coll, e)))
		return rc;
	w->ctx.dcap_sources[0] = cove_attest_dcap_keeper_source(w->coll);
	w->ctx.n_dcap_sources = 1;
	if (w->full) {
		if ((rc = cove_maa_policy_parse(default_policy, strlen(default_policy), 0, &w->pol, e)) ||
		    (rc = cove_maa_policy_hash(default_policy, strlen(default_policy), w->pol_hash, e)) ||
		    (rc = cove_token_key_from_pem(w->ev->token_key_pem, strlen(w->ev->token_key_pem), w->ev->alg,
						  &w->key, e)))
			return rc;
	}
	return COVE_OK;
}

/* What coved does after verifying: policy over the claims, token claims, signature (routes_attest.c). */
static cove_err inproc_issue(inproc *w, const cove_attest_request *req, const json_t *claims, char **jwt,
			     cove_error *e)
{
	json_t *incoming = NULL, *token = NULL;
	cove_maa_result mr;
	uint8_t jti[32];
	char jti_hex[65];
	cove_token_issue_opts io = {.jku = "http://127.0.0.1:0/certs"};
	cove_err rc;

	memset(&mr, 0, sizeof(mr));
	if ((rc = cove_maa_claims_from_object(claims, "AttestationService", &incoming, e)) ||
	    (rc = cove_maa_policy_evaluate(w->pol, incoming, &mr, e)))
		goto out;
	if (!mr.permitted) {
		rc = cove_error_set(e, COVE_ERR_POLICY, "the default policy did not permit the evidence");
		goto out;
	}
	token = json_deep_copy(claims);
	if (!token) {
		rc = cove_error_set(e, COVE_ERR_NOMEM, "out of memory");
		goto out;
	}
	if (mr.claims)
		json_object_update(token, mr.claims);
	cove_random_bytes(jti, sizeof(jti));
	cove_hex_write(jti_hex, jti, sizeof(jti));
	json_object_set_new(token, "jti", json_string(jti_hex));
	json_object_set_new(token, "iss", json_string("http://127.0.0.1:0"));
	json_object_set_new(token, "x-ms-ver", json_string("1.0"));
	json_object_set_new(token, "x-ms-policy-hash", json_string(w->pol_hash));
	if (req->nonce)
		json_object_set_new(token, "nonce", json_string(req->nonce));
	rc = cove_token_issue(w->key, token, &io, jwt, e);
out:
	cove_maa_result_clear(&mr);
	json_decref(token);
	json_decref(incoming);
	return rc;
}

/* One attestation in-process: parse, verify (must be authentic), and with `full` appraise and sign. */
static cove_err inproc_once(inproc *w, cove_error *e)
{
	const char *body = w->type == COVE_ATTEST_SEVSNPVM ? w->ev->snp_body : w->ev->sgx_body;
	cove_attest_request *req = NULL;
	json_t *claims = NULL;
	cove_result *res = NULL;
	char *jwt = NULL;
	cove_err rc;

	if ((rc = cove_attest_request_parse(w->type, body, strlen(body), &req, e)) ||
	    (rc = cove_attest_evaluate(&w->ctx, req, &claims, &res, e)))
		goto out;
	if (!res->authentic) {
		rc = cove_error_set(e, COVE_ERR_VERIFY, "the emulated evidence did not verify: %s",
				    res->nfailures ? res->failures[0].detail : "?");
		goto out;
	}
	if (w->full)
		rc = inproc_issue(w, req, claims, &jwt, e);
out:
	free(jwt);
	json_decref(claims);
	cove_result_free(res);
	cove_attest_request_free(req);
	return rc;
}

static void *inproc_run(void *arg)
{
	inproc *w = arg;
	double t0, end;

	pthread_barrier_wait(w->start);
	t0 = now_s();
	end = t0 + w->seconds;
	do {
		if (inproc_once(w, &w->err))
			break;
		w->count++;
	} while (now_s() < end);
	w->elapsed = now_s() - t0;
	return NULL;
}

/* Attestations per second over `threads` threads (each with its own warm context). */
static int inproc_rate(const char *plat_dir, const evidence *ev, cove_attest_type type, bool full, unsigned threads,
		       double seconds, double *rate, double *cores)
{
	double cpu0, t0;
	inproc w[64];
	pthread_t tid[64];
	pthread_barrier_t start;
	int ret = 0;

	if (threads > 64)
		threads = 64;
	memset(w, 0, sizeof(w));
	pthread_barrier_init(&start, NULL, threads);
	for (unsigned i = 0; i < threads; i++) {
		w[i] = (inproc){.plat_dir = plat_dir, .ev = ev, .type = type, .full = full, .seconds = seconds,
				.start = &start};
		/* Set-up and one warm-up attestation (chains verified and cached) outside the timing. */
		if (inproc_setup(&w[i], &w[i].err) || inproc_once(&w[i], &w[i].err)) {
			fprintf(stderr, "bench_coved: in-process %s: %s\n", cove_attest_type_name(type), w[i].err.msg);
			for (unsigned j = 0; j <= i; j++)
				inproc_clear(&w[j]);
			pthread_barrier_destroy(&start);
			return -1;
		}
	}
	cpu0 = self_cpu();
	t0 = now_s();
	for (unsigned i = 0; i < threads; i++)
		pthread_create(&tid[i], NULL, inproc_run, &w[i]);
	*rate = 0;
	for (unsigned i = 0; i < threads; i++) {
		pthread_join(tid[i], NULL);
		if (w[i].err.code) {
			fprintf(stderr, "bench_coved: in-process %s: %s\n", cove_attest_type_name(type), w[i].err.msg);
			ret = -1;
		}
		if (w[i].elapsed > 0)
			*rate += (double)w[i].count / w[i].elapsed;
	}
	/* CPUs kept busy: below `threads` when the threads wait for each other (locks) or for other load. */
	if (cores)
		*cores = (self_cpu() - cpu0) / (now_s() - t0);
	for (unsigned i = 0; i < threads; i++)
		inproc_clear(&w[i]);
	pthread_barrier_destroy(&start);
	return ret;
}

/* Signatures per second of cove_token_issue alone over a token of this type's claims, one thread. */
static int sign_rate(const char *plat_dir, const evidence *ev, cove_attest_type type, double seconds, double *rate)
{
	inproc w = {.plat_dir = plat_dir, .ev = ev, .type = type, .full = true};
	const char *body = type == COVE_ATTEST_SEVSNPVM ? ev->snp_body : ev->sgx_body;
	cove_attest_request *req = NULL;
	json_t *claims = NULL;
	cove_result *res = NULL;
	uint64_t n = 0;
	double t0, el = 0;
	int ret = -1;

	if (inproc_setup(&w, &w.err) || cove_attest_request_parse(type, body, strlen(body), &req, &w.err) ||
	    cove_attest_evaluate(&w.ctx, req, &claims, &res, &w.err))
		goto out;
	json_object_set_new(claims, "x-ms-policy-hash", json_string(w.pol_hash));
	t0 = now_s();
	do {
		char *jwt = NULL;
		if (cove_token_issue(w.key, claims, NULL, &jwt, &w.err))
			goto out;
		free(jwt);
		n++;
	} while ((el = now_s() - t0) < seconds);
	*rate = (double)n / el;
	ret = 0;
out:
	if (ret)
		fprintf(stderr, "bench_coved: signing: %s\n", w.err.msg);
	json_decref(claims);
	cove_result_free(res);
	cove_attest_request_free(req);
	inproc_clear(&w);
	return ret;
}

/* ---- coved as a child process ---- */

typedef struct server {
	pid_t pid;
	unsigned port;
	char log_path[4096];
} server;

/* A port the kernel considers free now (for log levels that do not print the listening line). */
static unsigned free_port(void)
{
	struct sockaddr_in a;
	socklen_t al = sizeof(a);
	unsigned port = 0;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0)
		return 0;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 && getsockname(fd, (struct sockaddr *)&a, &al) == 0)
		port = ntohs(a.sin_port);
	close(fd);
	return port;
}

/* The port of the {"msg":"listening","port":N} log line, 0 while there is none. */
static unsigned port_from_log(const char *path)
{
	cove_buf b = {0};
	unsigned port = 0;
	if (cove_file_read(path, 1 << 20, &b, NULL))
		return 0;
	char *text = strndup((const char *)b.data, b.len);
	for (char *line = text ? strtok(text, "\n") : NULL; line && !port; line = strtok(NULL, "\n")) {
		json_t *o = json_loads(line, 0, NULL);
		if (o && json_is_string(json_object_get(o, "msg")) &&
		    strcmp(json_string_value(json_object_get(o, "msg")), "listening") == 0 &&
		    json_is_integer(json_object_get(o, "port")))
			port = (unsigned)json_integer_value(json_object_get(o, "port"));
		json_decref(o);
	}
	free(text);
	cove_buf_free(&b);
	return port;
}

static size_t discard(char *p, size_t sz, size_t n, void *u)
{
	(void)p;
	(void)u;
	return sz * n;
}

static bool healthy(unsigned port)
{
	char url[64];
	long code = 0;
	CURL *h = curl_easy_init();
	if (!h)
		return false;
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/healthz", port);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 1000L);
	if (curl_easy_perform(h) == CURLE_OK)
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_cleanup(h);
	return code == 200;
}

static int server_start(server *s, const char *coved, const char *plat_dir, const char *state_dir,
			const char *tmp, const char *level, const char *alg, unsigned threads)
{
	bool parse_log = strcmp(level, "info") == 0 || strcmp(level, "debug") == 0;
	char listen[64], nthreads[16];
	unsigned port = parse_log ? 0 : free_port();
	double deadline;

	snprintf(s->log_path, sizeof(s->log_path), "%s/coved.log", tmp);
	snprintf(listen, sizeof(listen), "127.0.0.1:%u", port);
	snprintf(nthreads, sizeof(nthreads), "%u", threads);
	s->pid = fork();
	if (s->pid < 0)
		return -1;
	if (s->pid == 0) {
		int fd = open(s->log_path, O_WRONLY | O_CREAT | O_TRUNC, 0600), nul = open("/dev/null", O_RDWR);
		if (fd < 0 || nul < 0)
			_exit(127);
		dup2(nul, 0);
		dup2(nul, 1);
		dup2(fd, 2);
		execl(coved, coved, "--listen", listen, "--offline", "--trust-emulated-root", "--platform-dir", plat_dir,
		      "--state-dir", state_dir, "--log-level", level, "--threads", nthreads, "--token-alg", alg, (char *)NULL);
		_exit(127);
	}
	deadline = now_s() + 60;
	while (now_s() < deadline) {
		int st;
		if (waitpid(s->pid, &st, WNOHANG) == s->pid) {
			fprintf(stderr, "bench_coved: coved exited during start-up (see %s)\n", s->log_path);
			s->pid = 0;
			return -1;
		}
		if (!port && parse_log)
			port = port_from_log(s->log_path);
		if (port && healthy(port)) {
			s->port = port;
			return 0;
		}
		usleep(20000);
	}
	fprintf(stderr, "bench_coved: coved did not answer /healthz within 60 s\n");
	return -1;
}

static void server_stop(server *s)
{
	if (s->pid <= 0)
		return;
	kill(s->pid, SIGTERM);
	for (int i = 0; i < 500; i++) {
		if (waitpid(s->pid, NULL, WNOHANG) == s->pid) {
			s->pid = 0;
			return;
		}
		usleep(10000);
	}
	kill(s->pid, SIGKILL);
	waitpid(s->pid, NULL, 0);
	s->pid = 0;
}

/* utime + stime of process `pid` in seconds (/proc/PID/stat fields 14 and 15). */
static double proc_cpu(pid_t pid)
{
	char path[64], buf[1024];
	unsigned long ut = 0, st = 0;
	FILE *f;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (!(f = fopen(path, "r")))
		return 0;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	char *p = strrchr(buf, ')'); /* the command name may contain spaces */
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
		return 0;
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

static double self_cpu(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
	       (double)ru.ru_stime.tv_usec / 1e6;
}

/* ---- one-off calls (libcurl) ---- */

typedef struct conn {
	CURL *h;
	char *resp;
	size_t len, cap;
	double t0;
	bool oom;
} conn;

/* A type's service figures, accumulated over the rounds. */
typedef struct load_result {
	uint64_t ok, errors;
	double elapsed, coved_cpu_s, client_cpu_s;
	double *lat;
	size_t nlat, caplat;
	/* final */
	double rate, p50_ms, p99_ms, max_ms, coved_cpu_ms, client_cpu_ms;
	char first_error[256];
} load_result;

static size_t collect(char *p, size_t sz, size_t n, void *u)
{
	conn *c = u;
	size_t add = sz * n;
	if (c->len + add + 1 > c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 16384;
		while (cap < c->len + add + 1)
			cap *= 2;
		char *nb = realloc(c->resp, cap);
		if (!nb) {
			c->oom = true;
			return 0;
		}
		c->resp = nb;
		c->cap = cap;
	}
	memcpy(c->resp + c->len, p, add);
	c->len += add;
	c->resp[c->len] = '\0';
	return add;
}

/* GET or POST (body != NULL) `path` on the server; *out = the response body (free()). */
static long http_call(unsigned port, const char *path, const char *body, char **out)
{
	char url[128];
	long code = 0;
	conn c = {0};
	struct curl_slist *hdr = curl_slist_append(NULL, "Content-Type: application/json");
	CURL *h = curl_easy_init();

	*out = NULL;
	if (!h || !hdr)
		goto out;
	snprintf(url, sizeof(url), "http://127.0.0.1:%u%s", port, path);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &c);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 30L);
	if (body) {
		curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
	}
	if (curl_easy_perform(h) == CURLE_OK)
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	*out = c.resp;
	c.resp = NULL;
out:
	free(c.resp);
	curl_slist_free_all(hdr);
	if (h)
		curl_easy_cleanup(h);
	return code;
}

/*
 * Before timing: one attestation whose token is verified against coved's
 * JWKS (GET /certs) and says what the request said, so that the timed
 * responses (checked for form only) are known to be real tokens.
 */
static int check_token(const server *s, const char *type, const char *body, const char *want_type)
{
	char path[64], *resp = NULL, *certs = NULL;
	json_t *r = NULL, *jwks = NULL, *claims = NULL;
	cove_error e = {0};
	long code;
	int ret = -1;

	snprintf(path, sizeof(path), "/attest/%s", type);
	code = http_call(s->port, path, body, &resp);
	if (code != 200 || !(r = json_loads(resp ? resp : "", 0, NULL)) ||
	    !json_is_string(json_object_get(r, "token"))) {
		fprintf(stderr, "bench_coved: POST %s: HTTP %ld: %.300s\n", path, code, resp ? resp : "");
		goto out;
	}
	if (http_call(s->port, "/certs", NULL, &certs) != 200 || !(jwks = json_loads(certs ? certs : "", 0, NULL))) {
		fprintf(stderr, "bench_coved: GET /certs failed\n");
		goto out;
	}
	if (cove_token_verify(json_string_value(json_object_get(r, "token")), jwks, NULL, &claims, NULL, &e)) {
		fprintf(stderr, "bench_coved: %s token does not verify against /certs: %s\n", type, e.msg);
		goto out;
	}
	if (!json_is_string(json_object_get(claims, "x-ms-attestation-type")) ||
	    strcmp(json_string_value(json_object_get(claims, "x-ms-attestation-type")), want_type) != 0 ||
	    !json_is_string(json_object_get(claims, "nonce")) ||
	    strcmp(json_string_value(json_object_get(claims, "nonce")), "bench-nonce") != 0) {
		fprintf(stderr, "bench_coved: %s token lacks x-ms-attestation-type \"%s\" or the request's nonce\n", type,
			want_type);
		goto out;
	}
	ret = 0;
out:
	json_decref(claims);
	json_decref(jwks);
	json_decref(r);
	free(certs);
	free(resp);
	return ret;
}

/* A 200 whose body is {"token": "<header>.<claims>.<signature>"}. */
static bool good_response(long code, const char *body)
{
	if (code != 200 || !body)
		return false;
	const char *t = strstr(body, "\"token\"");
	if (!t || !(t = strchr(t + 7, '"')))
		return false;
	t++;
	const char *end = strchr(t, '"');
	size_t dots = 0;
	for (const char *q = t; end && q < end; q++)
		dots += *q == '.';
	return end && end - t > 100 && strncmp(t, "ey", 2) == 0 && dots == 2;
}

/*
 * ---- load generator: N keep-alive HTTP/1.1 connections on one epoll ----
 *
 * An own minimal client, not libcurl's multi interface: the client shares
 * the machine's cores with coved, and libcurl's per-transfer bookkeeping
 * cost ~0.08 ms of CPU per request here (6 % of what coved spends on an SGX
 * attestation), which the comparison would charge to coved.  This one
 * writes a request built once and reads a Content-Length response: a few
 * system calls.  Every timed response is still checked (status 200 and a
 * compact JWS in "token"); coved answers with Content-Length (MHD buffer
 * responses), anything else is a failed request.
 */
typedef struct load_conn {
	int fd;
	bool busy;      /* a request is in flight */
	bool want_out;  /* registered for EPOLLOUT: the request did not fit the socket buffer */
	size_t sent;    /* bytes of the request written */
	char *resp;     /* the response so far, NUL-terminated */
	size_t len, cap;
	double t0;
} load_conn;

static void lc_close(load_conn *c, int ep)
{
	if (c->fd >= 0) {
		epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
		close(c->fd);
	}
	c->fd = -1;
	c->busy = c->want_out = false;
	c->sent = c->len = 0;
}

static int lc_open(load_conn *c, int ep, unsigned port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
	int one = 1;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	c->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
	    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) != 0 ||
	    fcntl(c->fd, F_SETFL, O_NONBLOCK) != 0 || epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev) != 0) {
		lc_close(c, ep);
		return -1;
	}
	return 0;
}

/* Write what is left of the request; 0 written or waiting for EPOLLOUT, -1 the connection failed. */
static int lc_send(load_conn *c, int ep, const char *req, size_t n)
{
	while (c->sent < n) {
		ssize_t w = write(c->fd, req + c->sent, n - c->sent);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (w <= 0)
			return -1;
		c->sent += (size_t)w;
	}
	bool want = c->sent < n;
	if (want != c->want_out) {
		struct epoll_event ev = {.events = EPOLLIN | (want ? EPOLLOUT : 0), .data.ptr = c};
		if (epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev) != 0)
			return -1;
		c->want_out = want;
	}
	return 0;
}

/* Start a request on an idle connection. */
static int lc_start(load_conn *c, int ep, const char *req, size_t n)
{
	c->busy = true;
	c->sent = c->len = 0;
	if (c->resp)
		c->resp[0] = '\0'; /* the previous response is not this one's */
	c->t0 = now_s();
	return lc_send(c, ep, req, n);
}

/*
 * Read what has arrived.  1: a whole response is in c->resp (*code its
 * status, *body its body); 0: not yet; -1: closed, failed or not a response
 * this client reads (c->resp says what came).
 */
static int lc_read(load_conn *c, long *code, const char **body)
{
	for (;;) {
		if (c->cap - c->len < 16384) {
			size_t cap = c->cap ? c->cap * 2 : 65536;
			char *nb = realloc(c->resp, cap);
			if (!nb)
				return -1;
			c->resp = nb;
			c->cap = cap;
		}
		ssize_t r = read(c->fd, c->resp + c->len, c->cap - c->len - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (r <= 0)
			return -1;
		c->len += (size_t)r;
		c->resp[c->len] = '\0';
	}
	if (!c->resp)
		return 0;
	const char *eoh = strstr(c->resp, "\r\n\r\n");
	if (!eoh)
		return 0;
	const char *cl = strcasestr(c->resp, "\r\nContent-Length:");
	if (strncmp(c->resp, "HTTP/1.1 ", 9) != 0 || !cl || cl > eoh)
		return -1;
	size_t want = (size_t)(eoh + 4 - c->resp) + strtoul(cl + 17, NULL, 10);
	if (c->len < want)
		return 0;
	if (c->len > want)
		return -1; /* more than one response to one request */
	*code = strtol(c->resp + 9, NULL, 10);
	*body = eoh + 4;
	return 1;
}

static int record_latency(load_result *r, double lat)
{
	if (r->nlat == r->caplat) {
		size_t nc = r->caplat ? r->caplat * 2 : 65536;
		double *nl = realloc(r->lat, nc * sizeof(*nl));
		if (!nl)
			return -1;
		r->lat = nl;
		r->caplat = nc;
	}
	r->lat[r->nlat++] = lat;
	return 0;
}

/* One slice: `warmup` s unmeasured, then `seconds` s measured and added to *r; *rate = this slice's rate. */
static int run_load(const server *s, const char *type, const char *body, unsigned conns, double ramp, double warmup,
		    double seconds, load_result *r, double *rate, double *cores)
{
	unsigned opened = 0;
	double t_first = now_s();
	uint64_t ok0 = r->ok;
	double slice = 0, cpu_slice = 0;
	char *req = NULL;
	int reqlen;
	load_conn *cs = calloc(conns, sizeof(*cs));
	int ep = epoll_create1(EPOLL_CLOEXEC);
	double t_start, t_end, cpu_s0 = 0, cpu_c0 = 0;
	bool measuring = false, stopping = false;
	int ret = -1;

	if (!cs || ep < 0)
		goto out;
	for (unsigned i = 0; i < conns; i++)
		cs[i].fd = -1;
	reqlen = asprintf(&req,
			  "POST /attest/%s HTTP/1.1\r\nHost: 127.0.0.1:%u\r\nContent-Type: application/json\r\n"
			  "Content-Length: %zu\r\n\r\n%s",
			  type, s->port, strlen(body), body);
	if (reqlen < 0) {
		req = NULL;
		goto out;
	}
	/* Connections open `ramp` seconds apart (0: all at once); the warm-up covers the ramp. */
	if (warmup < ramp * conns + 0.2)
		warmup = ramp * conns + 0.2;
	t_start = t_first + warmup;
	t_end = t_start + seconds;
	for (;;) {
		struct epoll_event evs[64];
		unsigned busy = 0;
		int n;

		while (opened < conns && !stopping && now_s() >= t_first + ramp * opened) {
			load_conn *c = &cs[opened++];
			if (lc_open(c, ep, s->port) || lc_start(c, ep, req, (size_t)reqlen)) {
				snprintf(r->first_error, sizeof(r->first_error), "connect to 127.0.0.1:%u: %s", s->port,
					 strerror(errno));
				r->errors++;
				goto out;
			}
		}
		for (unsigned i = 0; i < opened; i++)
			busy += cs[i].busy;
		if (stopping && !busy)
			break;
		n = epoll_wait(ep, evs, 64, opened < conns ? 5 : 100);
		if (n < 0 && errno != EINTR)
			goto out;
		for (int k = 0; k < n; k++) {
			load_conn *c = evs[k].data.ptr;
			long code = 0;
			const char *rbody = NULL;
			int st = 0;

			if ((evs[k].events & EPOLLOUT) && c->busy && lc_send(c, ep, req, (size_t)reqlen))
				st = -1;
			else if (evs[k].events & (EPOLLIN | EPOLLHUP | EPOLLERR))
				st = lc_read(c, &code, &rbody);
			if (st == 0)
				continue;
			double t = now_s();
			bool good = st == 1 && good_response(code, rbody);
			if (measuring && t <= t_end) {
				if (good) {
					r->ok++;
					if (record_latency(r, t - c->t0))
						goto out;
				} else {
					if (!r->errors)
						snprintf(r->first_error, sizeof(r->first_error), "HTTP %ld: %.180s", code,
							 c->resp ? c->resp : "(connection closed)");
					r->errors++;
				}
			} else if (!measuring && !good) {
				snprintf(r->first_error, sizeof(r->first_error), "warm-up: HTTP %ld: %.180s", code,
					 c->resp ? c->resp : "(connection closed)");
				r->errors++;
			}
			c->busy = false;
			if (st < 0) {
				lc_close(c, ep); /* a broken connection is opened again */
				if (!stopping && lc_open(c, ep, s->port))
					goto out;
			}
			if (!stopping && lc_start(c, ep, req, (size_t)reqlen))
				goto out;
		}
		double t = now_s();
		if (!measuring && t >= t_start) {
			measuring = true;
			t_start = t;
			t_end = t_start + seconds;
			cpu_s0 = proc_cpu(s->pid);
			cpu_c0 = self_cpu();
		}
		if (measuring && !stopping && t >= t_end) {
			stopping = true;
			slice = t - t_start;
			r->elapsed += slice;
			cpu_slice = proc_cpu(s->pid) - cpu_s0;
			r->coved_cpu_s += cpu_slice;
			r->client_cpu_s += self_cpu() - cpu_c0;
		}
		if (t > t_end + 30) {
			snprintf(r->first_error, sizeof(r->first_error), "no response within 30 s");
			r->errors++;
			goto out;
		}
	}

	*rate = slice > 0 ? (double)(r->ok - ok0) / slice : 0;
	*cores = slice > 0 ? cpu_slice / slice : 0;
	ret = 0;
out:
	for (unsigned i = 0; cs && i < conns; i++) {
		if (ep >= 0)
			lc_close(&cs[i], ep);
		free(cs[i].resp);
	}
	if (ep >= 0)
		close(ep);
	free(cs);
	free(req);
	return ret;
}

static void load_finish(load_result *r)
{
	qsort(r->lat, r->nlat, sizeof(*r->lat), cmp_double);
	r->rate = r->elapsed > 0 ? (double)r->ok / r->elapsed : 0;
	r->p50_ms = quantile(r->lat, r->nlat, 0.50) * 1e3;
	r->p99_ms = quantile(r->lat, r->nlat, 0.99) * 1e3;
	r->max_ms = r->nlat ? r->lat[r->nlat - 1] * 1e3 : 0;
	if (r->ok) {
		r->coved_cpu_ms = r->coved_cpu_s * 1e3 / (double)r->ok;
		r->client_cpu_ms = r->client_cpu_s * 1e3 / (double)r->ok;
	}
}

/* The median of v[n] (n <= MAX_ROUNDS + 1), v left in its order: the rounds are printed afterwards. */
static double median(const double *v, size_t n)
{
	double c[MAX_ROUNDS + 1];
	memcpy(c, v, n * sizeof(*c));
	qsort(c, n, sizeof(*c), cmp_double);
	return n ? (n % 2 ? c[n / 2] : (c[n / 2 - 1] + c[n / 2]) / 2) : 0;
}

/* ---- main ---- */

typedef struct row {
	const char *name;
	double v1, full_n, sign1;         /* once, before the service starts */
	double vn, vn_cores, ratio;        /* medians over the rounds */
	double r_vn[MAX_ROUNDS + 1], r_cores[MAX_ROUNDS + 1], r_svc[MAX_ROUNDS], r_svc_cores[MAX_ROUNDS], r_ratio[MAX_ROUNDS];
	double svc_cores;
	double r_cpu_ratio[MAX_ROUNDS], cpu_ratio; /* in-process CPU per attestation / coved CPU per attestation */
	load_result load;
} row;

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static void usage(void)
{
	fprintf(stderr, "usage: bench_coved [--rounds N] [--seconds S] [--warmup S] [--conns N] [--ramp-ms MS] [--threads N]\n"
			"                   [--log-level error|warn|info] [--token-alg ALG[,ALG...]] [--coved PATH]\n"
			"                   [--keep] [--json] [--enforce]\n"
			"                   [--no-service]  (in-process rates only, for profiling)\n"
			"  ALG: RS256 (coved's default), ES256 or ES384; default RS256,ES256 (one table each)\n");
}

typedef struct bench_cfg {
	double seconds, warmup, target, ramp;
	unsigned rounds, threads, conns;
	const char *coved, *level, *tmp, *plat_dir;
	bool json, no_service;
} bench_cfg;

/*
 * One token algorithm: the in-process rates, then coved started with
 * `--token-alg alg` (its own state directory) and the interleaved rounds.
 * Appends its object to `runs` (--json) or prints its table.  0 done, -1
 * failed; *met and *errors say what the rounds found.
 */
static int bench_alg(const bench_cfg *c, evidence *ev, const char *alg, json_t *runs, bool *met, bool *errors)
{
	char state_dir[4300];
	server srv = {0};
	row rows[2] = {{.name = "SevSnpVm"}, {.name = "SgxEnclave"}};
	cove_error e = {0};
	cove_token_key *key = NULL;
	int ret = -1;

	ev->alg = cove_token_alg_from_name(alg);
	free(ev->token_key_pem);
	ev->token_key_pem = NULL;
	if (cove_token_key_generate(ev->alg, 0, &key, &e) || cove_token_key_pem(key, &ev->token_key_pem, &e)) {
		fprintf(stderr, "bench_coved: %s key: %s\n", alg, e.msg);
		goto out;
	}
	snprintf(state_dir, sizeof(state_dir), "%s/state-%s", c->tmp, alg);
	if (mkdir(state_dir, 0700)) {
		fprintf(stderr, "bench_coved: mkdir %s: %s\n", state_dir, strerror(errno));
		goto out;
	}

	/* Informational in-process rates, before the service starts. */
	for (int i = 0; i < 2; i++) {
		cove_attest_type t = i ? COVE_ATTEST_SGXENCLAVE : COVE_ATTEST_SEVSNPVM;
		double sl = c->seconds < 1 ? c->seconds : 1;
		if (inproc_rate(c->plat_dir, ev, t, false, 1, sl, &rows[i].v1, NULL) ||
		    inproc_rate(c->plat_dir, ev, t, true, c->threads, sl, &rows[i].full_n, NULL) ||
		    sign_rate(c->plat_dir, ev, t, sl, &rows[i].sign1))
			goto out;
	}
	if (!c->no_service &&
	    (server_start(&srv, c->coved, c->plat_dir, state_dir, c->tmp, c->level, alg, c->threads) ||
	     check_token(&srv, rows[0].name, ev->snp_body, "sevsnpvm") ||
	     check_token(&srv, rows[1].name, ev->sgx_body, "sgx")))
		goto out;

	/*
	 * The compared figures, interleaved: the in-process rate on all threads
	 * is measured before and after each of coved's slices for the same type
	 * (coved idle meanwhile), and a round's ratio is coved's rate over the
	 * mean of the two, so that a neighbour's load on a shared machine, which
	 * drifts on the scale of seconds, hits both sides of a ratio alike.
	 * Reported: medians over the rounds.
	 */
	for (unsigned k = 0; k <= c->rounds; k++) {
		for (int i = 0; i < 2; i++) {
			row *w = &rows[i];
			cove_attest_type t = i ? COVE_ATTEST_SGXENCLAVE : COVE_ATTEST_SEVSNPVM;
			if (inproc_rate(c->plat_dir, ev, t, false, c->threads, c->seconds, &w->r_vn[k], &w->r_cores[k]))
				goto out;
			if (k > 0 && !c->no_service) {
				unsigned j = k - 1; /* the round that this slice closes */
				double vn = (w->r_vn[j] + w->r_vn[k]) / 2, vc = (w->r_cores[j] + w->r_cores[k]) / 2;
				w->r_ratio[j] = vn > 0 ? w->r_svc[j] / vn : 0;
				/* What coved would reach with every core busy, whatever else ran on the machine. */
				w->r_cpu_ratio[j] = vn > 0 && w->r_svc[j] > 0 && w->r_svc_cores[j] > 0
							    ? (vc / vn) / (w->r_svc_cores[j] / w->r_svc[j])
							    : 0;
			}
			if (c->no_service || k == c->rounds)
				continue;
			if (run_load(&srv, w->name, i ? ev->sgx_body : ev->snp_body, c->conns, c->ramp,
				     k ? c->warmup / 4 : c->warmup, c->seconds, &w->load, &w->r_svc[k], &w->r_svc_cores[k])) {
				fprintf(stderr, "bench_coved: load generator failed: %s\n", w->load.first_error);
				goto out;
			}
		}
	}
	for (int i = 0; i < 2; i++) {
		row *w = &rows[i];
		w->vn = median(w->r_vn, c->rounds + 1);
		w->vn_cores = median(w->r_cores, c->rounds + 1);
		w->ratio = median(w->r_ratio, c->rounds);
		w->svc_cores = median(w->r_svc_cores, c->rounds);
		w->cpu_ratio = median(w->r_cpu_ratio, c->rounds);
		load_finish(&w->load);
		if (w->load.errors)
			fprintf(stderr, "bench_coved: %s: %llu failed requests; first: %s\n", w->name,
				(unsigned long long)w->load.errors, w->load.first_error);
	}
	if (c->no_service) {
		for (int i = 0; i < 2; i++)
			printf("%-10s in-process verify/s: %.0f (1 thread) %.0f (%u threads, %.2f CPUs busy); "
			       "+policy+sign(%s) %.0f; sign %.0f\n",
			       rows[i].name, rows[i].v1, rows[i].vn, c->threads, rows[i].vn_cores, alg, rows[i].full_n,
			       rows[i].sign1);
		ret = 0;
		goto out;
	}

	for (int i = 0; i < 2; i++) {
		*met = *met && rows[i].ratio >= c->target;
		*errors = *errors || rows[i].load.errors || !rows[i].load.ok;
	}
	if (c->json) {
		json_t *o = json_pack("{s:s, s:[]}", "token_alg", alg, "results");
		for (int i = 0; i < 2; i++) {
			const row *w = &rows[i];
			json_t *rr = json_array();
			for (unsigned k = 0; k < c->rounds; k++)
				json_array_append_new(rr, json_pack("{s:f, s:f, s:f, s:f, s:f, s:f}", "inproc_before_per_s",
								    w->r_vn[k], "inproc_after_per_s", w->r_vn[k + 1],
								    "inproc_cpus_busy", (w->r_cores[k] + w->r_cores[k + 1]) / 2,
								    "coved_per_s", w->r_svc[k], "coved_cpus_busy",
								    w->r_svc_cores[k], "ratio", w->r_ratio[k]));
			json_array_append_new(
				json_object_get(o, "results"),
				json_pack("{s:s, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:I, s:I, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:b, s:o}",
					  "type", w->name, "inproc_verify_1t_per_s", w->v1, "inproc_verify_nt_per_s", w->vn,
					  "inproc_verify_nt_cpus_busy", w->vn_cores, "inproc_verify_sign_nt_per_s", w->full_n,
					  "sign_1t_per_s", w->sign1, "coved_per_s", w->load.rate, "coved_cpus_busy", w->svc_cores,
					  "ok", (json_int_t)w->load.ok, "errors", (json_int_t)w->load.errors, "p50_ms",
					  w->load.p50_ms, "p99_ms", w->load.p99_ms, "max_ms", w->load.max_ms,
					  "coved_cpu_ms_per_req", w->load.coved_cpu_ms, "client_cpu_ms_per_req",
					  w->load.client_cpu_ms, "ratio", w->ratio, "cpu_ratio", w->cpu_ratio, "met",
					  w->ratio >= c->target, "rounds", rr));
		}
		json_array_append_new(runs, o);
	} else {
		printf("coved --token-alg %s on loopback vs in-process verification: %u threads, %u connections (%.0f ms "
		       "apart), %u rounds of %.1f s per type, coved --log-level %s\n",
		       alg, c->threads, c->conns, c->ramp * 1e3, c->rounds, c->seconds, c->level);
		printf("  %-10s | %8s %8s %5s | %8s %6s | %8s %5s %7s %7s | %7s %7s | %s\n", "", "verify/s", "verify/s",
		       "CPUs", "+pol+sig", "sign/s", "coved", "CPUs", "p50", "p99", "coved", "client", "coved / in-process");
		printf("  %-10s | %8s %8s %5s | %8s %6s | %8s %5s %7s %7s | %7s %7s | %s\n", "type", "1 thr", "N thr",
		       "busy", "N thr", "1 thr", "attest/s", "busy", "ms", "ms", "CPU ms", "CPU ms",
		       "N thr, median (>= 0.70)");
		for (int i = 0; i < 2; i++) {
			const row *w = &rows[i];
			printf("  %-10s | %8.0f %8.0f %5.2f | %8.0f %6.0f | %8.0f %5.2f %7.2f %7.2f | %7.3f %7.3f | %.2f %s\n",
			       w->name, w->v1, w->vn, w->vn_cores, w->full_n, w->sign1, w->load.rate, w->svc_cores,
			       w->load.p50_ms, w->load.p99_ms, w->load.coved_cpu_ms, w->load.client_cpu_ms, w->ratio,
			       w->ratio >= c->target ? "met" : "MISSED");
		}
		printf("  CPU-normalised ratio (in-process CPU per attestation / coved's; what coved reaches with all "
		       "cores busy): SevSnpVm %.2f, SgxEnclave %.2f\n",
		       rows[0].cpu_ratio, rows[1].cpu_ratio);
		for (int i = 0; i < 2; i++) {
			printf("  %-10s rounds (in-process/s before|after, coved/s @CPUs, ratio):", rows[i].name);
			for (unsigned k = 0; k < c->rounds; k++)
				printf("  %.0f|%.0f %.0f@%.2f %.2f", rows[i].r_vn[k], rows[i].r_vn[k + 1], rows[i].r_svc[k],
				       rows[i].r_svc_cores[k], rows[i].r_ratio[k]);
			printf("\n");
		}
		printf("  failed requests: SevSnpVm %llu, SgxEnclave %llu\n\n", (unsigned long long)rows[0].load.errors,
		       (unsigned long long)rows[1].load.errors);
	}
	ret = 0;
out:
	server_stop(&srv);
	cove_token_key_free(key);
	free(rows[0].load.lat);
	free(rows[1].load.lat);
	return ret;
}

int main(int argc, char **argv)
{
	bench_cfg c = {.seconds = 1.5, .warmup = 1, .target = 0.70, .rounds = 5, .level = "error"};
	char algs[64] = "RS256,ES256";
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	bool keep = false, enforce = false, met = true, errors = false;
	char tmp[] = "/tmp/bench_coved.XXXXXX", plat_dir[4200];
	cove_platform *plat = NULL;
	evidence ev = {0};
	json_t *runs = NULL;
	cove_error e = {0};
	int ret = 1;

	c.threads = ncpu > 0 && ncpu < 64 ? (unsigned)ncpu : 2;
	c.coved = getenv("COVED_BIN") ? getenv("COVED_BIN") : COVE_BENCH_COVED;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		bool bad = false;
		if (strcmp(a, "--json") == 0) {
			c.json = true;
		} else if (strcmp(a, "--keep") == 0) {
			keep = true;
		} else if (strcmp(a, "--enforce") == 0) {
			enforce = true;
		} else if (strcmp(a, "--no-service") == 0) {
			c.no_service = true;
		} else if (v && strcmp(a, "--seconds") == 0) {
			c.seconds = atof(v);
			bad = !(c.seconds > 0);
			i++;
		} else if (v && strcmp(a, "--warmup") == 0) {
			c.warmup = atof(v);
			bad = !(c.warmup >= 0);
			i++;
		} else if (v && strcmp(a, "--conns") == 0) {
			c.conns = (unsigned)atoi(v);
			bad = c.conns < 1 || c.conns > 256;
			i++;
		} else if (v && strcmp(a, "--ramp-ms") == 0) {
			c.ramp = atof(v) / 1e3;
			bad = !(c.ramp >= 0 && c.ramp <= 1);
			i++;
		} else if (v && strcmp(a, "--rounds") == 0) {
			c.rounds = (unsigned)atoi(v);
			bad = c.rounds < 1 || c.rounds > MAX_ROUNDS;
			i++;
		} else if (v && strcmp(a, "--threads") == 0) {
			c.threads = (unsigned)atoi(v);
			bad = c.threads < 1 || c.threads > 64;
			i++;
		} else if (v && strcmp(a, "--token-alg") == 0) {
			bad = strlen(v) >= sizeof(algs);
			if (!bad)
				snprintf(algs, sizeof(algs), "%s", v);
			for (char *t = algs, *end; !bad && *t; t = *end ? end + 1 : end) {
				end = t + strcspn(t, ",");
				bad = !((end - t == 5) && (!strncmp(t, "RS256", 5) || !strncmp(t, "ES256", 5) ||
							   !strncmp(t, "ES384", 5)));
			}
			i++;
		} else if (v && strcmp(a, "--log-level") == 0) {
			c.level = argv[++i];
		} else if (v && strcmp(a, "--coved") == 0) {
			c.coved = argv[++i];
		} else {
			bad = true;
		}
		if (bad) {
			usage();
			return 2;
		}
	}
	if (!c.conns)
		c.conns = 2 * c.threads;
	if (!c.coved[0] || access(c.coved, X_OK) != 0) {
		fprintf(stderr, "bench_coved: coved not found (build the coved target or set COVED_BIN)\n");
		return 77;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK || !mkdtemp(tmp)) {
		fprintf(stderr, "bench_coved: cannot initialise libcurl or make a temporary directory\n");
		return 1;
	}
	c.tmp = tmp;
	c.plat_dir = plat_dir;
	snprintf(plat_dir, sizeof(plat_dir), "%s/platform", tmp);
	if (mkdir(plat_dir, 0700)) {
		fprintf(stderr, "bench_coved: mkdir in %s: %s\n", tmp, strerror(errno));
		goto out;
	}

	/* The emulated platform (RSA-4096 keys: a few seconds) with its SGX side, and the two request bodies. */
	if (!c.json)
		fprintf(stderr, "bench_coved: creating the emulated platform in %s ...\n", plat_dir);
	if (cove_platform_init(plat_dir, NULL, &plat, &e) || make_evidence(plat, &ev, &e)) {
		fprintf(stderr, "bench_coved: %s\n", e.msg);
		goto out;
	}
	runs = json_array();
	for (char *t = algs, *end; *t; t = *end ? end + 1 : end) {
		char alg[8];
		end = t + strcspn(t, ",");
		snprintf(alg, sizeof(alg), "%.*s", (int)(end - t), t);
		if (bench_alg(&c, &ev, alg, runs, &met, &errors))
			goto out;
	}
	if (c.json && !c.no_service) {
		json_t *o = json_pack("{s:s, s:i, s:i, s:i, s:f, s:s, s:f, s:O, s:b}", "bench", "coved", "threads",
				      (int)c.threads, "connections", (int)c.conns, "rounds", (int)c.rounds, "seconds",
				      c.seconds, "log_level", c.level, "target_ratio", c.target, "runs", runs, "met", met);
		json_dumpf(o, stdout, JSON_INDENT(2));
		putchar('\n');
		json_decref(o);
	}
	ret = errors ? 1 : enforce && !met ? 3 : 0;
out:
	json_decref(runs);
	cove_platform_free(plat);
	free(ev.snp_body);
	free(ev.sgx_body);
	free(ev.token_key_pem);
	if (keep)
		fprintf(stderr, "bench_coved: kept %s\n", tmp);
	else
		nftw(tmp, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	curl_global_cleanup();
	return ret;
}
