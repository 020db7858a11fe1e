/*
 * The attestation-service part of `cove demo`: a coved on loopback with its
 * SQLite store in the demo's temporary state directory, trusting the demo's
 * emulated platform.  It attests the emulated SEV-SNP report and the demo
 * enclave's quote (whose runtime data names the enclave's TEE key), and
 * releases a key to that enclave under a release policy pinning its
 * MRENCLAVE; the enclave unwraps it and shows only its fingerprint.
 */
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>

#include "cli_http.h"
#include "cove/bytes.h"
#include "cove/crypto.h"
#include "cove/host.h"
#include "cove/token.h"
#include "demo.h"

#ifdef COVE_HAVE_DEMO_ENCLAVE
#include "demo_u.h"
#endif

extern char **environ;

static const char *coved_path(void)
{
	const char *env = getenv("COVE_COVED");

	if (env && *env)
		return env;
#ifdef COVE_COVED_PATH
	if (access(COVE_COVED_PATH, X_OK) == 0)
		return COVE_COVED_PATH;
#endif
	return "coved";
}

/* Start coved; its JSON log goes to a file, from which the bound port is read. */
static cove_err start_coved(cove_demo_coved *d, const char *platform_dir, cove_error *e)
{
	char log_path[4200], tok_path[4200], arg_state[4200];
	posix_spawn_file_actions_t fa;
	const char *argv[16];
	int argc = 0, rc;
	uint8_t tok[24];
	cove_buf log = {0};

	snprintf(arg_state, sizeof(arg_state), "%s/coved", platform_dir);
	snprintf(log_path, sizeof(log_path), "%s/coved.log", platform_dir);
	snprintf(tok_path, sizeof(tok_path), "%s/coved-admin-token", platform_dir);
	snprintf(d->state_dir, sizeof(d->state_dir), "%s", arg_state);
	cove_random_bytes(tok, sizeof(tok));
	cove_hex_write(d->admin_token, tok, sizeof(tok));
	if (cove_file_write(tok_path, d->admin_token, strlen(d->admin_token), 0600, e))
		return e->code;
	argv[argc++] = "coved";
	argv[argc++] = "--listen";
	argv[argc++] = "127.0.0.1:0";
	argv[argc++] = "--state-dir";
	argv[argc++] = arg_state;
	argv[argc++] = "--trust-emulated-root";
	argv[argc++] = "--platform-dir";
	argv[argc++] = platform_dir;
	argv[argc++] = "--offline";
	argv[argc++] = "--admin-token-file";
	argv[argc++] = tok_path;
	argv[argc++] = "--threads";
	argv[argc++] = "2";
	argv[argc] = NULL;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, log_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
	rc = posix_spawnp(&d->pid, coved_path(), &fa, NULL, (char *const *)argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc) {
		d->pid = 0;
		return cove_error_set(e, COVE_ERR_UNAVAILABLE, "cannot start %s: %s", coved_path(), strerror(rc));
	}
	/* Wait (up to 60 s: a sanitizer build on a loaded machine is slow) for {"msg":"listening","port":N}. */
	for (int i = 0; i < 600; i++) {
		int st;
		struct timespec ts = {0, 100 * 1000000L};
		cove_buf_free(&log);
		if (cove_file_read(log_path, 1 << 20, &log, NULL) == COVE_OK && log.len) {
			/* The file's bytes are not a C string: search a terminated copy. */
			char *text = strndup((const char *)log.data, log.len);
			const char *line = text ? strstr(text, "\"msg\":\"listening\"") : NULL;
			const char *q = line ? strstr(text, "\"port\":") : NULL;
			if (q)
				d->port = (unsigned)atoi(q + 7);
			free(text);
			if (d->port)
				break;
		}
		if (waitpid(d->pid, &st, WNOHANG) == d->pid) {
			d->pid = 0;
			cove_buf_free(&log);
			return cove_error_set(e, COVE_ERR_UNAVAILABLE, "coved exited at start-up (see %s)", log_path);
		}
		nanosleep(&ts, NULL);
	}
	cove_buf_free(&log);
	if (!d->port)
		return cove_error_set(e, COVE_ERR_UNAVAILABLE, "coved did not report its port (see %s)", log_path);
	snprintf(d->base, sizeof(d->base), "http://127.0.0.1:%u", d->port);
	return COVE_OK;
}

void cove_demo_coved_stop(cove_demo_coved *d)
{
	if (d->pid > 0) {
		kill(d->pid, SIGTERM);
		waitpid(d->pid, NULL, 0);
		d->pid = 0;
	}
	json_decref(d->jwks);
	d->jwks = NULL;
}

/* Call coved; a JSON answer with status 200, or a step failure naming coved's error. */
static json_t *call(cove_demo_coved *d, const char *method, const char *path, json_t *body, bool admin,
		    cove_demo_step *s)
{
	char url[600], *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
	cove_buf resp = {0};
	cove_error e = {0};
	long status = 0;
	json_t *j = NULL;

	snprintf(url, sizeof(url), "%s%s", d->base, path);
	if (cove_cli_http(method, url, text, text ? strlen(text) : 0, admin ? d->admin_token : NULL, NULL, &status,
			  &resp, &e)) {
		snprintf(s->result, sizeof(s->result), "%s", e.msg);
	} else {
		j = resp.len ? json_loadb((const char *)resp.data, resp.len, 0, NULL) : NULL;
		if (status != 200 || !j) {
			const char *m = json_string_value(json_object_get(json_object_get(j, "error"), "message"));
			snprintf(s->result, sizeof(s->result), "%s %s: HTTP %ld%s%s", method, path, status, m ? ": " : "",
				 m ? m : "");
			json_decref(j);
			j = NULL;
		}
	}
	cove_buf_free(&resp);
	free(text);
	json_decref(body);
	return j;
}

/* A token from coved, verified against coved's /certs (iss = coved's URL). */
static json_t *verified_claims(cove_demo_coved *d, const char *jwt, cove_demo_step *s)
{
	cove_token_verify_opts vo;
	cove_error e = {0};
	json_t *claims = NULL;

	memset(&vo, 0, sizeof(vo));
	vo.issuer = d->base;
	if (cove_token_verify(jwt, d->jwks, &vo, &claims, NULL, &e)) {
		snprintf(s->result, sizeof(s->result), "token does not verify against /certs: %s", e.msg);
		return NULL;
	}
	return claims;
}

static char *b64url(const void *p, size_t n)
{
	return cove_base64url_new(p, n);
}

size_t cove_demo_coved_steps(cove_demo_coved *d, const char *platform_dir, const uint8_t *snp_report, size_t snp_len,
			     const cove_buf *snp_chain_pem, const char *enclave_image, cove_demo_step *steps)
{
	size_t n = 0;
	cove_demo_step *s;
	cove_error e = {0};
	json_t *r = NULL, *claims = NULL;
	char *a = NULL, *b = NULL, *c = NULL, *inner = NULL;

	/* 1. coved on loopback. */
	s = &steps[n++];
	s->name = "coved on loopback";
	if (start_coved(d, platform_dir, &e)) {
		snprintf(s->result, sizeof(s->result), "%s", e.msg);
		return n;
	}
	if (!(d->jwks = call(d, "GET", "/certs", NULL, false, s)))
		return n;
	s->ok = true;
	snprintf(s->result, sizeof(s->result), "pid %d on %s, SQLite store in %.300s", (int)d->pid, d->base, d->state_dir);
	snprintf(s->detail, sizeof(s->detail), "trusts the emulated root (--trust-emulated-root), token signing key %s",
		 json_string_value(json_object_get(json_array_get(json_object_get(d->jwks, "keys"), 0), "kid")));

	/* 2. The emulated SEV-SNP report, attested in MAA's request shape. */
	s = &steps[n++];
	s->name = "coved attests the SNP report";
	a = b64url(snp_report, snp_len);
	b = b64url(snp_chain_pem->data, snp_chain_pem->len);
	json_t *rep = json_pack("{s:s, s:s}", "SnpReport", a ? a : "", "VcekCertChain", b ? b : "");
	inner = json_dumps(rep, JSON_COMPACT);
	json_decref(rep);
	c = inner ? b64url(inner, strlen(inner)) : NULL;
	r = call(d, "POST", "/attest/SevSnpVm?api-version=2022-08-01", json_pack("{s:s, s:s}", "report", c ? c : "",
										"nonce", "cove-demo"),
		 false, s);
	if (!r || !(claims = verified_claims(d, json_string_value(json_object_get(r, "token")), s)))
		goto out;
	s->ok = true;
	snprintf(s->result, sizeof(s->result), "token verified: %s, launchmeasurement %.16s..., emulated %s",
		 json_string_value(json_object_get(claims, "x-ms-attestation-type")),
		 json_string_value(json_object_get(claims, "x-ms-sevsnpvm-launchmeasurement")),
		 json_is_true(json_object_get(claims, "x-cove-emulated")) ? "yes" : "no");
	snprintf(s->detail, sizeof(s->detail), "x-cove-tcb-status %s; x-ms-policy-hash %s (the default policy)",
		 json_string_value(json_object_get(json_object_get(claims, "x-cove-tcb-status"), "status")),
		 json_string_value(json_object_get(claims, "x-ms-policy-hash")));
	json_decref(claims);
	claims = NULL;
	json_decref(r);
	r = NULL;

#ifdef COVE_HAVE_DEMO_ENCLAVE
	{
		cove_enclave *enc = NULL;
		cove_enclave_create_opts o = {.platform_dir = platform_dir};
		char rt[2048], mre[65];
		size_t rt_len = 0, quote_len = 0;
		uint8_t *quote = malloc(16384), key[32], key_sha[32], enclave_sha[32];
		int ret = -1;
		cove_edge_status cs;

		/* 3. Run 3 of the enclave: its TEE key, bound into a quote, attested. */
		s = &steps[n++];
		s->name = "coved attests the enclave's quote";
		if (!quote || cove_enclave_create(enclave_image, COVE_ENCLAVE_FLAG_EMULATED, &o, &enc, &e)) {
			snprintf(s->result, sizeof(s->result), "%s", quote ? e.msg : "out of memory");
			goto enclave_out;
		}
		cs = demo_key_quote(enc, &ret, rt, sizeof(rt), &rt_len, quote, 16384, &quote_len);
		if (cs || ret) {
			snprintf(s->result, sizeof(s->result), "enclave: %s", cs ? cove_edge_status_name(cs) : cove_err_name((cove_err)-ret));
			goto enclave_out;
		}
		free(a);
		free(b);
		a = b64url(quote, quote_len);
		b = b64url(rt, rt_len);
		r = call(d, "POST", "/attest/SgxEnclave?api-version=2022-08-01",
			 json_pack("{s:s, s:{s:s, s:s}}", "quote", a ? a : "", "runtimeData", "data", b ? b : "", "dataType",
				   "JSON"),
			 false, s);
		if (!r || !(claims = verified_claims(d, json_string_value(json_object_get(r, "token")), s)))
			goto enclave_out;
		{
			const char *m = json_string_value(json_object_get(claims, "x-ms-sgx-mrenclave"));
			snprintf(mre, sizeof(mre), "%s", m ? m : "");
		}
		s->ok = true;
		snprintf(s->result, sizeof(s->result), "token verified: sgx, mrenclave %.16s..., TCB %s", mre,
			 json_string_value(json_object_get(json_object_get(claims, "x-cove-tcb-status"), "status")));
		snprintf(s->detail, sizeof(s->detail), "x-ms-runtime.keys[0].kid %s (the enclave's TEE key, bound by report data)",
			 json_string_value(json_object_get(
				 json_array_get(json_object_get(json_object_get(claims, "x-ms-runtime"), "keys"), 0), "kid")));

		/* 4. The operator stores a key for that MRENCLAVE; the enclave gets it. */
		s = &steps[n++];
		s->name = "key released to the enclave";
		cove_random_bytes(key, sizeof(key));
		free(c);
		c = b64url(key, sizeof(key));
		json_t *put = call(d, "PUT", "/keys/demo-key",
				   json_pack("{s:{s:s, s:s}, s:{s:s, s:[{s:s, s:[{s:s, s:s}, {s:s, s:s}]}]}}", "key", "kty",
					     "oct", "k", c ? c : "", "release_policy", "version", "1.0.0", "anyOf",
					     "authority", d->base, "allOf", "claim", "x-ms-attestation-type", "equals", "sgx",
					     "claim", "x-ms-sgx-mrenclave", "equals", mre),
				   true, s);
		if (!put)
			goto enclave_out;
		json_decref(put);
		{
			json_t *rel = json_pack("{s:O, s:s}", "target", json_object_get(r, "token"), "enc",
						"RSA_AES_KEY_WRAP_256");
			json_decref(r);
			r = call(d, "POST", "/keys/demo-key/release", rel, false, s);
		}
		if (!r)
			goto enclave_out;
		{
			json_t *payload = verified_claims(d, json_string_value(json_object_get(r, "value")), s);
			const char *hsm = json_string_value(json_object_get(
				json_object_get(json_object_get(json_object_get(payload, "response"), "key"), "key"), "key_hsm"));
			cove_buf hj = {0}, ct = {0};
			json_t *h = NULL;
			const char *ctext;
			if (!payload || !hsm || cove_base64url_decode(hsm, strlen(hsm), &hj, &e) ||
			    !(h = json_loadb((const char *)hj.data, hj.len, 0, NULL)) ||
			    !(ctext = json_string_value(json_object_get(h, "ciphertext"))) ||
			    cove_base64url_decode(ctext, strlen(ctext), &ct, &e)) {
				if (payload)
					snprintf(s->result, sizeof(s->result), "the release response has no usable key_hsm");
			} else {
				cs = demo_unwrap(enc, &ret, "RSA_AES_KEY_WRAP_256", ct.data, ct.len, enclave_sha);
				cove_digest(COVE_SHA256, key, sizeof(key), key_sha, NULL);
				if (cs || ret)
					snprintf(s->result, sizeof(s->result), "enclave could not unwrap: %s",
						 cs ? cove_edge_status_name(cs) : cove_err_name((cove_err)-ret));
				else {
					char fp[17];
					cove_hex_write(fp, key_sha, 8);
					s->ok = memcmp(key_sha, enclave_sha, 32) == 0;
					snprintf(s->result, sizeof(s->result),
						 "%s (SHA-256 %s... inside the enclave = the operator's key)",
						 s->ok ? "unwrapped inside the enclave" : "WRONG KEY: bug", fp);
					snprintf(s->detail, sizeof(s->detail),
						 "release policy: authority %s, x-ms-attestation-type sgx, x-ms-sgx-mrenclave %.16s...; "
						 "RSA-OAEP-256 + AES-KWP (RSA_AES_KEY_WRAP_256) to the TEE key",
						 d->base, mre);
				}
			}
			json_decref(h);
			json_decref(payload);
			cove_buf_free(&hj);
			cove_buf_free(&ct);
		}
	enclave_out:
		memset(key, 0, sizeof(key));
		free(quote);
		cove_enclave_terminate(enc);
	}
#else
	(void)enclave_image;
#endif
out:
	json_decref(claims);
	json_decref(r);
	free(a);
	free(b);
	free(c);
	free(inner);
	return n;
}
