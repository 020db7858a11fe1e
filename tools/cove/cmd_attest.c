/*
 * `cove attest snp|sgx|tdx`: the client of an attestation service in the
 * shape of Microsoft Azure Attestation (coved, or a real MAA instance).  It
 * builds the request body of POST /attest/{SevSnpVm|SgxEnclave|TdxVm} as the
 * MAA data-plane REST API defines it (Azure/azure-rest-api-specs
 * specification/attestation/data-plane/Attestation/stable/2025-06-01:
 * AttestSevSnpVmRequest, AttestSgxEnclaveRequest, AttestTdxVmRequest,
 * RuntimeData, InitTimeData; the SevSnpVm "report" wrapper as the
 * confidential-sidecar-containers client sends it, shared/research/
 * attestation-services.md section 1.1), posts it, and prints the claims of
 * the token it gets back: verified against a JWKS when one is given, else
 * clearly labelled as not verified.  Evidence is passed through as bytes;
 * the service parses it.  docs/cove-attest.md documents the command.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cove/crypto.h"
#include "cove/token.h"

#define EVIDENCE_MAX (1u << 20)
#define DATA_MAX (1u << 20)
#define DEFAULT_API_VERSION "2022-08-01"

typedef enum { KIND_SNP, KIND_SGX, KIND_TDX } evidence_kind;

static const char usage[] =
	"Usage: cove attest snp --report FILE [--certs PEM] OPTIONS\n"
	"       cove attest sgx --quote FILE OPTIONS\n"
	"       cove attest tdx --quote FILE OPTIONS\n"
	"\n"
	"Send evidence to an attestation service with MAA's API (coved, or an Azure\n"
	"Attestation instance) and print the claims of the token it issues.\n"
	"\n"
	"Evidence (raw bytes, or hex text):\n"
	"  --report FILE               snp: the 1184-byte ATTESTATION_REPORT\n"
	"  --certs PEM                 snp: VCEK (or VLEK) chain sent as VcekCertChain\n"
	"  --quote FILE                sgx, tdx: the DCAP quote\n"
	"Request:\n"
	"  --url URL                   service base, e.g. http://127.0.0.1:8080 or\n"
	"                              https://NAME.REGION.attest.azure.net (required)\n"
	"  --runtime-data FILE         runtimeData.data; the evidence's report data must bind it\n"
	"  --runtime-data-type T       json or binary (default: json when FILE is a JSON\n"
	"                              object, else binary)\n"
	"  --init-time-data FILE       initTimeData.data\n"
	"  --init-time-data-type T     as --runtime-data-type\n"
	"  --nonce S                   echoed in the token's \"nonce\" claim\n"
	"  --draft-policy FILE         draftPolicyForAttestation (the token is then unsigned)\n"
	"  --api-version V             default " DEFAULT_API_VERSION "\n"
	"  --cacert PEM                CA bundle for https URLs\n"
	"Token:\n"
	"  --jwks FILE|URL             verify the token against this JWKS (e.g. URL/certs)\n"
	"                              before printing; without it the claims are printed\n"
	"                              with a line saying the signature was NOT verified\n"
	"  --issuer ISS                with --jwks: required \"iss\" (default: the URL's origin)\n"
	"  --out FILE                  write the token (compact JWS) to FILE\n"
	"  --json                      print the claims as one JSON object\n"
	"\n"
	"Exit status: 0 token obtained (and verified with --jwks), 1 the service refused\n"
	"the evidence (HTTP 4xx) or the token did not verify, 2 usage or unreadable input,\n"
	"3 the service could not be reached or was unavailable (HTTP 5xx), 4 internal error.\n";

enum { OPT_REPORT = 256, OPT_CERTS, OPT_QUOTE, OPT_URL, OPT_RUNTIME, OPT_RUNTIME_TYPE, OPT_INIT, OPT_INIT_TYPE,
       OPT_NONCE, OPT_DRAFT, OPT_API, OPT_CACERT, OPT_JWKS, OPT_ISSUER, OPT_OUT, OPT_JSON, OPT_HELP };

static const struct option options[] = {
	{"report", required_argument, NULL, OPT_REPORT},
	{"certs", required_argument, NULL, OPT_CERTS},
	{"quote", required_argument, NULL, OPT_QUOTE},
	{"url", required_argument, NULL, OPT_URL},
	{"runtime-data", required_argument, NULL, OPT_RUNTIME},
	{"runtime-data-type", required_argument, NULL, OPT_RUNTIME_TYPE},
	{"init-time-data", required_argument, NULL, OPT_INIT},
	{"init-time-data-type", required_argument, NULL, OPT_INIT_TYPE},
	{"nonce", required_argument, NULL, OPT_NONCE},
	{"draft-policy", required_argument, NULL, OPT_DRAFT},
	{"api-version", required_argument, NULL, OPT_API},
	{"cacert", required_argument, NULL, OPT_CACERT},
	{"jwks", required_argument, NULL, OPT_JWKS},
	{"issuer", required_argument, NULL, OPT_ISSUER},
	{"out", required_argument, NULL, OPT_OUT},
	{"json", no_argument, NULL, OPT_JSON},
	{"help", no_argument, NULL, OPT_HELP},
	{0},
};

typedef struct attest_args {
	evidence_kind kind;
	const char *evidence, *certs, *url, *runtime, *runtime_type, *init, *init_type, *nonce, *draft, *api,
		*cacert, *jwks, *issuer, *out;
	bool json;
} attest_args;

/* base64url of `len` bytes as a new JSON string, or NULL when out of memory. */
static json_t *b64url_json(const void *data, size_t len)
{
	char *s = cove_base64url_new(data, len);
	json_t *j = s ? json_string(s) : NULL;
	free(s);
	return j;
}

/*
 * {"data": b64url(FILE), "dataType": "JSON"|"Binary"} for runtimeData or
 * initTimeData.  The bytes are sent exactly as read: the report data binds
 * them, so they are never re-serialized.
 */
static cove_err data_member(const char *opt, const char *path, const char *type, json_t **out, cove_error *e)
{
	cove_buf b = {0};
	cove_err rc;
	bool is_json;

	if ((rc = cove_cli_read(path, DATA_MAX, &b, e)))
		return rc;
	json_t *probe = json_loadb((const char *)b.data, b.len, JSON_REJECT_DUPLICATES, NULL);
	bool parses = json_is_object(probe);
	json_decref(probe);
	if (!type) {
		is_json = parses;
	} else if (strcmp(type, "json") == 0 || strcmp(type, "JSON") == 0) {
		is_json = true;
		if (!parses) {
			rc = cove_error_set(e, COVE_ERR_PARSE, "--%s %s: dataType JSON needs a JSON object", opt, path);
			goto out;
		}
	} else if (strcmp(type, "binary") == 0 || strcmp(type, "Binary") == 0) {
		is_json = false;
	} else {
		rc = cove_error_set(e, COVE_ERR_ARG, "--%s-type: expected json or binary, got '%s'", opt, type);
		goto out;
	}
	json_t *d = b64url_json(b.data, b.len);
	if (!d || !(*out = json_pack("{s:o, s:s}", "data", d, "dataType", is_json ? "JSON" : "Binary")))
		rc = cove_error_set(e, COVE_ERR_NOMEM, "out of memory");
out:
	cove_buf_free(&b);
	return rc;
}

/* The request body of POST /attest/{type}. */
static cove_err build_body(const attest_args *a, char **body, cove_error *e)
{
	cove_buf ev = {0}, certs = {0}, draft = {0};
	json_t *req = json_object(), *m = NULL;
	cove_err rc;

	*body = NULL;
	if (!req)
		return cove_error_set(e, COVE_ERR_NOMEM, "out of memory");
	if ((rc = cove_cli_read_binary_or_hex(a->evidence, EVIDENCE_MAX, &ev, e)))
		goto out;
	if (!ev.len) {
		rc = cove_error_set(e, COVE_ERR_PARSE, "%s: empty evidence file", a->evidence);
		goto out;
	}
	if (a->kind == KIND_SNP) {
		/* "report" = b64url(JSON {"SnpReport": b64url(raw), "VcekCertChain": b64url(PEM)}). */
		json_t *inner = json_pack("{s:o}", "SnpReport", b64url_json(ev.data, ev.len));
		if (inner && a->certs) {
			if ((rc = cove_cli_read(a->certs, EVIDENCE_MAX, &certs, e))) {
				json_decref(inner);
				goto out;
			}
			json_object_set_new(inner, "VcekCertChain", b64url_json(certs.data, certs.len));
		}
		char *s = inner ? json_dumps(inner, JSON_COMPACT) : NULL;
		json_decref(inner);
		json_t *rep = s ? b64url_json(s, strlen(s)) : NULL;
		free(s);
		if (!rep || json_object_set_new(req, "report", rep)) {
			rc = cove_error_set(e, COVE_ERR_NOMEM, "out of memory");
			goto out;
		}
	} else if (json_object_set_new(req, "quote", b64url_json(ev.data, ev.len))) {
		rc = cove_error_set(e, COVE_ERR_NOMEM, "out of memory");
		goto out;
	}
	if (a->runtime) {
		if ((rc = data_member("runtime-data", a->runtime, a->runtime_type, &m, e)))
			goto out;
		json_object_set_new(req, "runtimeData", m);
	}
	if (a->init) {
		if ((rc = data_member("init-time-data", a->init, a->init_type, &m, e)))
			goto out;
		json_object_set_new(req, "initTimeData", m);
	}
	if (a->nonce)
		json_object_set_new(req, "nonce", json_string(a->nonce));
	if (a->draft) {
		if ((rc = cove_cli_read(a->draft, DATA_MAX, &draft, e)))
			goto out;
		json_t *p = json_stringn((const char *)draft.data, draft.len);
		if (!p) {
			rc = cove_error_set(e, COVE_ERR_PARSE, "--draft-policy %s: not UTF-8 text", a->draft);
			goto out;
		}
		json_object_set_new(req, "draftPolicyForAttestation", p);
	}
	if (!(*body = json_dumps(req, JSON_COMPACT)))
		rc = cove_error_set(e, COVE_ERR_NOMEM, "out of memory");
out:
	json_decref(req);
	cove_buf_free(&ev);
	cove_buf_free(&certs);
	cove_buf_free(&draft);
	return rc;
}

/*
 * Explain a refusal: coved and MAA answer {"error":{"code","message"}}
 * (coved adds "failures"), Trustee {"type","detail"}; anything else is shown
 * as text.  Returns the exit code: 4xx the service refused (1), 5xx it was
 * unavailable (3).
 */
static int report_http_error(const char *url, long status, const cove_buf *resp)
{
	json_t *j = json_loadb((const char *)resp->data, resp->len, 0, NULL);
	json_t *err = json_object_get(j, "error");
	const char *code = json_string_value(json_object_get(err, "code"));
	const char *msg = json_string_value(json_object_get(err, "message"));
	const char *verb = status >= 500 ? "the service failed" : "the service refused the evidence";

	if (!err && json_is_object(j)) {
		code = json_string_value(json_object_get(j, "type"));
		msg = json_string_value(json_object_get(j, "detail"));
		if (!msg)
			msg = json_string_value(json_object_get(j, "message"));
	}
	if (msg) {
		fprintf(stderr, "cove: error: %s (HTTP %ld%s%s): %s\n", verb, status, code ? " " : "", code ? code : "",
			msg);
		size_t i;
		json_t *f;
		/* coved's failed checks: {"check","detail"}; the first detail is the message already. */
		json_array_foreach(json_object_get(err, "failures"), i, f) {
			const char *check = json_string_value(json_object_get(f, "check"));
			const char *detail = json_string_value(json_object_get(f, "detail"));
			if (!check)
				continue;
			if (detail && strcmp(detail, msg) != 0)
				fprintf(stderr, "  failed check %s: %s\n", check, detail);
			else
				fprintf(stderr, "  failed check %s\n", check);
		}
	} else {
		/* Not JSON: print at most a line of it. */
		int n = 0;
		while ((size_t)n < resp->len && n < 300 && resp->data[n] != '\n' && resp->data[n] >= 0x20)
			n++;
		fprintf(stderr, "cove: error: %s (HTTP %ld) at %s%s%.*s\n", verb, status, url, n ? ": " : "", n,
			(const char *)resp->data);
	}
	json_decref(j);
	return status >= 500 ? COVE_EXIT_UNAVAILABLE : COVE_EXIT_FAIL;
}

/* scheme://authority of `url` (MAA's and coved's "iss"), into a new string. */
static char *url_origin(const char *url)
{
	const char *p = strstr(url, "://");
	if (!p)
		return NULL;
	p += 3;
	size_t n = (size_t)(p - url) + strcspn(p, "/?#");
	char *o = malloc(n + 1);
	if (o) {
		memcpy(o, url, n);
		o[n] = '\0';
	}
	return o;
}

static int attest_run(const attest_args *a)
{
	cove_error e = {0};
	cove_buf resp = {0};
	char *body = NULL, *endpoint = NULL, *origin = NULL, *jwt = NULL;
	json_t *j = NULL, *jwks = NULL, *header = NULL, *claims = NULL;
	cove_token_verify_result vr = {0};
	const char *type = a->kind == KIND_SNP ? "SevSnpVm" : a->kind == KIND_SGX ? "SgxEnclave" : "TdxVm";
	long status = 0;
	int ret;
	cove_err rc;

	if ((rc = build_body(a, &body, &e)))
		goto fail;
	size_t ul = strlen(a->url);
	while (ul && a->url[ul - 1] == '/')
		ul--;
	size_t cap = ul + strlen(type) + strlen(a->api) + 32;
	if (!(endpoint = malloc(cap))) {
		rc = cove_error_set(&e, COVE_ERR_NOMEM, "out of memory");
		goto fail;
	}
	snprintf(endpoint, cap, "%.*s/attest/%s?api-version=%s", (int)ul, a->url, type, a->api);
	/* The JWKS first when it is a URL: no point sending evidence if the token cannot be checked. */
	if (a->jwks && (rc = cove_cli_jwks_load(a->jwks, a->cacert, &jwks, &e)))
		goto fail;
	if ((rc = cove_cli_http("POST", endpoint, body, strlen(body), NULL, a->cacert, &status, &resp, &e)))
		goto fail;
	if (status < 200 || status > 299) {
		ret = report_http_error(endpoint, status, &resp);
		goto out;
	}
	json_error_t je;
	j = json_loadb((const char *)resp.data, resp.len, 0, &je);
	const char *tok = json_string_value(json_object_get(j, "token"));
	if (!tok) {
		rc = cove_error_set(&e, COVE_ERR_PARSE, "%s: HTTP %ld but the response is not {\"token\": JWT}%s%s",
				    endpoint, status, j ? "" : ": ", j ? "" : je.text);
		goto fail;
	}
	if (!(jwt = strdup(tok))) {
		rc = cove_error_set(&e, COVE_ERR_NOMEM, "out of memory");
		goto fail;
	}

	if (jwks) {
		cove_token_verify_opts vo = {0};
		if (!a->issuer && !(origin = url_origin(a->url))) {
			rc = cove_error_set(&e, COVE_ERR_NOMEM, "out of memory");
			goto fail;
		}
		vo.issuer = a->issuer ? a->issuer : origin;
		if ((rc = cove_token_verify(jwt, jwks, &vo, &claims, &vr, &e))) {
			fprintf(stderr, "cove: error: the token from %s did NOT verify: %s\n", a->url, e.msg);
			ret = rc == COVE_ERR_NOMEM || rc == COVE_ERR_INTERNAL ? COVE_EXIT_INTERNAL : COVE_EXIT_FAIL;
			goto out;
		}
	} else if ((rc = cove_token_decode(jwt, &header, &claims, &e))) {
		goto fail;
	}
	if (a->out) {
		size_t n = strlen(jwt);
		jwt[n] = '\n'; /* written with a newline; the NUL is restored below */
		rc = cove_file_write(a->out, jwt, n + 1, 0600, &e);
		jwt[n] = '\0';
		if (rc)
			goto fail;
	}

	const char *note;
	char line[512];
	if (jwks) {
		snprintf(line, sizeof(line), "token verified: %s signature by a key of %s, iss %s",
			 cove_token_alg_name(vr.alg), a->jwks, a->issuer ? a->issuer : origin);
		note = line;
	} else if (a->draft) {
		note = "token NOT verified: a draft-policy token is unsigned (alg none), never a credential";
	} else {
		note = "token signature NOT verified (give --jwks FILE|URL to verify it)";
	}
	if (a->json) {
		if (!jwks)
			fprintf(stderr, "cove: warning: %s\n", note);
		cove_cli_print_json(json_incref(claims));
	} else {
		puts(note);
		cove_cli_claims_print(stdout, "", claims);
	}
	ret = COVE_EXIT_OK;
	goto out;
fail:
	ret = cove_cli_fail(&e);
out:
	cove_token_verify_result_clear(&vr);
	json_decref(j);
	json_decref(jwks);
	json_decref(header);
	json_decref(claims);
	free(jwt);
	free(origin);
	free(endpoint);
	free(body);
	cove_buf_free(&resp);
	return ret;
}

static int attest_main(evidence_kind kind, int argc, char **argv)
{
	const char *prog = kind == KIND_SNP   ? "cove attest snp"
			   : kind == KIND_SGX ? "cove attest sgx"
					      : "cove attest tdx";
	attest_args a = {.kind = kind, .api = DEFAULT_API_VERSION};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		switch (c) {
		case OPT_REPORT:
		case OPT_CERTS:
			if (kind != KIND_SNP)
				return cove_cli_usage_error(prog, "--%s is for 'cove attest snp'; give --quote",
							    c == OPT_REPORT ? "report" : "certs");
			*(c == OPT_REPORT ? &a.evidence : &a.certs) = optarg;
			break;
		case OPT_QUOTE:
			if (kind == KIND_SNP)
				return cove_cli_usage_error(prog, "--quote is for sgx and tdx; give --report");
			a.evidence = optarg;
			break;
		case OPT_URL: a.url = optarg; break;
		case OPT_RUNTIME: a.runtime = optarg; break;
		case OPT_RUNTIME_TYPE: a.runtime_type = optarg; break;
		case OPT_INIT: a.init = optarg; break;
		case OPT_INIT_TYPE: a.init_type = optarg; break;
		case OPT_NONCE: a.nonce = optarg; break;
		case OPT_DRAFT: a.draft = optarg; break;
		case OPT_API: a.api = optarg; break;
		case OPT_CACERT: a.cacert = optarg; break;
		case OPT_JWKS: a.jwks = optarg; break;
		case OPT_ISSUER: a.issuer = optarg; break;
		case OPT_OUT: a.out = optarg; break;
		case OPT_JSON: a.json = true; break;
		case 'h':
		case OPT_HELP: fputs(usage, stdout); return COVE_EXIT_OK;
		default: return COVE_EXIT_USAGE;
		}
	}
	if (optind < argc)
		return cove_cli_usage_error(prog, "unexpected argument '%s'", argv[optind]);
	if (!a.evidence)
		return cove_cli_usage_error(prog, "no evidence: give %s FILE",
					    kind == KIND_SNP ? "--report" : "--quote");
	if (!a.url)
		return cove_cli_usage_error(prog, "no service: give --url URL (coved or an MAA instance)");
	if (!cove_cli_is_url(a.url))
		return cove_cli_usage_error(prog, "--url: '%s' is not an http(s) URL", a.url);
	if (a.runtime_type && !a.runtime)
		return cove_cli_usage_error(prog, "--runtime-data-type without --runtime-data");
	if (a.init_type && !a.init)
		return cove_cli_usage_error(prog, "--init-time-data-type without --init-time-data");
	if (a.issuer && !a.jwks)
		return cove_cli_usage_error(prog, "--issuer applies with --jwks only");
	if (a.draft && a.jwks)
		return cove_cli_usage_error(prog, "a --draft-policy token is unsigned: --jwks cannot verify it");
	for (const char *p = a.api; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') || *p == '-' || *p == '.'))
			return cove_cli_usage_error(prog, "--api-version: '%s' is not a version such as %s", a.api,
						    DEFAULT_API_VERSION);
	return attest_run(&a);
}

static int cmd_snp(int argc, char **argv)
{
	return attest_main(KIND_SNP, argc, argv);
}

static int cmd_sgx(int argc, char **argv)
{
	return attest_main(KIND_SGX, argc, argv);
}

static int cmd_tdx(int argc, char **argv)
{
	return attest_main(KIND_TDX, argc, argv);
}

static const cove_cli_cmd commands[] = {
	{"snp", cmd_snp, ""},
	{"sgx", cmd_sgx, ""},
	{"tdx", cmd_tdx, ""},
	{NULL, NULL, NULL},
};

int cove_cmd_attest(int argc, char **argv)
{
	return cove_cli_dispatch("cove attest", commands, argc, argv, usage);
}
