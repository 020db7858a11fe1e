/*
 * `cove token verify|show`: check an attestation token (a compact JWS,
 * RFC 7515, carrying JWT claims, RFC 7519) against a JWKS (RFC 7517
 * section 5) with libcove's cove_token_verify, or decode one without
 * checking it, clearly labelled as such.
 *
 * Also the pieces `cove attest` shares (cli.h): one HTTP request over
 * libcurl, loading a JWKS from a file or an http(s) URL (such as an MAA
 * instance's or coved's GET /certs), and printing claims.  docs/cove-attest.md
 * documents both commands.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "cli.h"
#include "cove/crypto.h"
#include "cove/token.h"

/* A JWKS or an error body is small; a response larger than this is refused. */
#define HTTP_RESPONSE_MAX (4u << 20)
#define JWKS_FILE_MAX (1u << 20)


bool cove_cli_is_url(const char *s)
{
	return strncmp(s, "http://", 7) == 0 || strncmp(s, "https://", 8) == 0;
}

/* Parse `len` bytes as a JSON object; `what` names them in errors. */
static cove_err parse_object(const char *what, const cove_buf *b, json_t **out, cove_error *e)
{
	json_error_t je;
	json_t *j = json_loadb((const char *)b->data, b->len, JSON_REJECT_DUPLICATES, &je);
	if (!j)
		return cove_error_set(e, COVE_ERR_PARSE, "%s: invalid JSON at line %d column %d: %s", what, je.line,
				      je.column, je.text);
	if (!json_is_object(j)) {
		json_decref(j);
		return cove_error_set(e, COVE_ERR_PARSE, "%s: expected a JSON object", what);
	}
	*out = j;
	return COVE_OK;
}

cove_err cove_cli_jwks_load(const char *src, const char *cacert, json_t **out, cove_error *e)
{
	cove_buf b = {0};
	cove_err rc;
	json_t *j = NULL;

	*out = NULL;
	if (cove_cli_is_url(src)) {
		long status = 0;
		if ((rc = cove_cli_http("GET", src, NULL, 0, NULL, cacert, &status, &b, e)))
			goto out;
		if (status != 200) {
			rc = cove_error_set(e, status >= 500 ? COVE_ERR_UNAVAILABLE : COVE_ERR_VERIFY,
					    "JWKS %s: HTTP status %ld", src, status);
			goto out;
		}
	} else if ((rc = cove_cli_read(src, JWKS_FILE_MAX, &b, e))) {
		goto out;
	}
	if ((rc = parse_object(src, &b, &j, e)))
		goto out;
	if (!json_is_array(json_object_get(j, "keys"))) {
		rc = cove_error_set(e, COVE_ERR_PARSE, "JWKS %s: no \"keys\" array (RFC 7517 section 5)", src);
		goto out;
	}
	*out = j;
	j = NULL;
out:
	json_decref(j);
	cove_buf_free(&b);
	return rc;
}

/* ---- printing ---- */

static bool is_plain(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void cove_cli_claims_print(FILE *f, const char *indent, const json_t *obj)
{
	size_t n = json_object_size(obj), i = 0;
	const char **names = n ? malloc(n * sizeof(*names)) : NULL;
	const char *k;
	json_t *v;

	if (n && !names)
		return;
	json_object_foreach((json_t *)obj, k, v)
		names[i++] = k;
	qsort(names, n, sizeof(*names), cmp_str);
	for (i = 0; i < n; i++) {
		v = json_object_get(obj, names[i]);
		fprintf(f, "%s%s: ", indent, names[i]);
		if (json_is_string(v) && is_plain(json_string_value(v))) {
			fputs(json_string_value(v), f);
		} else {
			char *s = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
			fputs(s ? s : "?", f);
			free(s);
		}
		/* The NumericDate claims (RFC 7519 section 4.1.4-6) also in RFC 3339. */
		if (json_is_integer(v) &&
		    (!strcmp(names[i], "iat") || !strcmp(names[i], "nbf") || !strcmp(names[i], "exp"))) {
			char t[32];
			cove_time_format((int64_t)json_integer_value(v), t);
			fprintf(f, " (%s)", t);
		}
		fputc('\n', f);
	}
	free(names);
}

const char *cove_cli_key_source_name(int source)
{
	switch (source) {
	case COVE_TOKEN_KEY_JWKS: return "the JWKS";
	case COVE_TOKEN_KEY_X5C: return "the x5c header chained to the given root";
	case COVE_TOKEN_KEY_HEADER_JWK: return "the token's own jwk header (integrity only: pin that key)";
	case COVE_TOKEN_KEY_CLAIM_JWK: return "the token's own jwk claim (integrity only: pin that key)";
	default: return "an unknown source";
	}
}

static const char *key_source_tag(cove_token_key_source s)
{
	switch (s) {
	case COVE_TOKEN_KEY_JWKS: return "jwks";
	case COVE_TOKEN_KEY_X5C: return "x5c";
	case COVE_TOKEN_KEY_HEADER_JWK: return "header-jwk";
	case COVE_TOKEN_KEY_CLAIM_JWK: return "claim-jwk";
	default: return "unknown";
	}
}

/* ---- cove token ---- */

static const char verify_usage[] =
	"Usage: cove token verify (TOKEN | --token-file FILE) (--jwks FILE|URL | --jwks-url URL)\n"
	"                         [--issuer ISS] [--at TIME] [--leeway SECS] [--alg ALG[,ALG...]]\n"
	"                         [--allow-embedded-jwk] [--x5c-root PEM] [--cacert PEM] [--json]\n"
	"\n"
	"Verify an attestation token (compact JWS) and print its header and claims.\n"
	"\n"
	"  --token-file FILE     read the token from FILE ('-' = standard input)\n"
	"  --jwks FILE|URL       the issuer's JWKS: a file, or an http(s) URL such as\n"
	"                        https://NAME.REGION.attest.azure.net/certs or coved's /certs\n"
	"  --jwks-url URL        the same, always fetched\n"
	"  --issuer ISS          require \"iss\" to equal ISS exactly\n"
	"  --at TIME             check exp/nbf at TIME (RFC 3339) instead of now\n"
	"  --leeway SECS         clock skew allowed on exp and nbf (default 0)\n"
	"  --alg LIST            accepted algorithms (default RS256,ES256,ES384)\n"
	"  --allow-embedded-jwk  accept a key the token carries itself (jwk header or, as\n"
	"                        the legacy CoCo AS token, a jwk claim): proves only that\n"
	"                        the token is intact; its thumbprint is printed to pin\n"
	"  --x5c-root PEM        accept an x5c header chain ending at this root\n"
	"  --cacert PEM          CA bundle for an https JWKS URL\n"
	"  --json                {\"verified\",\"alg\",\"key_source\",\"key\",\"header\",\"claims\"}\n"
	"\n"
	"Exit status: 0 verified, 1 verification failed (the reason is printed),\n"
	"2 usage or malformed input, 3 JWKS URL unreachable, 4 internal error.\n";

static const char show_usage[] =
	"Usage: cove token show (TOKEN | --token-file FILE) [--json]\n"
	"\n"
	"Decode a token and print its header and claims WITHOUT verifying anything:\n"
	"no signature, issuer or expiry check.  Use 'cove token verify' to trust it.\n";

enum { OPT_TOKEN_FILE = 256, OPT_JWKS, OPT_JWKS_URL, OPT_ISSUER, OPT_AT, OPT_LEEWAY, OPT_ALG, OPT_EMBEDDED,
       OPT_X5C_ROOT, OPT_CACERT, OPT_JSON, OPT_HELP };

static const struct option options[] = {
	{"token-file", required_argument, NULL, OPT_TOKEN_FILE},
	{"jwks", required_argument, NULL, OPT_JWKS},
	{"jwks-url", required_argument, NULL, OPT_JWKS_URL},
	{"issuer", required_argument, NULL, OPT_ISSUER},
	{"at", required_argument, NULL, OPT_AT},
	{"leeway", required_argument, NULL, OPT_LEEWAY},
	{"alg", required_argument, NULL, OPT_ALG},
	{"allow-embedded-jwk", no_argument, NULL, OPT_EMBEDDED},
	{"x5c-root", required_argument, NULL, OPT_X5C_ROOT},
	{"cacert", required_argument, NULL, OPT_CACERT},
	{"json", no_argument, NULL, OPT_JSON},
	{"help", no_argument, NULL, OPT_HELP},
	{0},
};

/* Trim the white space a token file usually ends with; the token itself has none. */
static char *token_text(const cove_buf *b, cove_error *e)
{
	size_t s = 0, n = b->len;
	while (s < n && (b->data[s] == ' ' || b->data[s] == '\t' || b->data[s] == '\r' || b->data[s] == '\n'))
		s++;
	while (n > s && (b->data[n - 1] == ' ' || b->data[n - 1] == '\t' || b->data[n - 1] == '\r' ||
			 b->data[n - 1] == '\n'))
		n--;
	if (n == s) {
		cove_error_set(e, COVE_ERR_PARSE, "the token file is empty");
		return NULL;
	}
	if (memchr(b->data + s, '\0', n - s)) {
		cove_error_set(e, COVE_ERR_PARSE, "the token file holds a NUL byte: not a compact JWS");
		return NULL;
	}
	char *t = malloc(n - s + 1);
	if (!t) {
		cove_error_set(e, COVE_ERR_NOMEM, "out of memory");
		return NULL;
	}
	memcpy(t, b->data + s, n - s);
	t[n - s] = '\0';
	return t;
}

/* "RS256,ES384" into alg bits. */
static cove_err parse_algs(const char *list, unsigned *out, cove_error *e)
{
	char *copy = strdup(list), *save = NULL;
	cove_err rc = COVE_OK;
	*out = 0;
	if (!copy)
		return cove_error_set(e, COVE_ERR_NOMEM, "out of memory");
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		cove_token_alg a = cove_token_alg_from_name(t);
		if (!a) {
			rc = cove_error_set(e, COVE_ERR_ARG, "--alg: unknown algorithm '%s' (RS256/384/512, "
							     "PS256/384/512, ES256/384/512)", t);
			break;
		}
		*out |= (unsigned)a;
	}
	if (!rc && !*out)
		rc = cove_error_set(e, COVE_ERR_ARG, "--alg: empty list");
	free(copy);
	return rc;
}

static int token_main(int argc, char **argv, bool verify)
{
	const char *prog = verify ? "cove token verify" : "cove token show";
	const char *token_file = NULL, *jwks_src = NULL, *x5c_root = NULL, *cacert = NULL;
	cove_token_verify_opts vo = {0};
	cove_token_verify_result vr = {0};
	cove_error e = {0};
	cove_buf raw = {0}, root_pem = {0};
	char *jwt = NULL;
	json_t *jwks = NULL, *header = NULL, *claims = NULL;
	bool json = false;
	int ret = COVE_EXIT_USAGE, c;
	cove_err err = COVE_OK;
	unsigned long long leeway;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		if (!verify && c != OPT_TOKEN_FILE && c != OPT_JSON && c != OPT_HELP && c != 'h' && c != '?')
			return cove_cli_usage_error(prog, "option '%s' applies to 'cove token verify' only",
						    argv[optind - 1]);
		switch (c) {
		case OPT_TOKEN_FILE: token_file = optarg; break;
		case OPT_JWKS:
		case OPT_JWKS_URL:
			if (jwks_src)
				return cove_cli_usage_error(prog, "give one JWKS (--jwks or --jwks-url)");
			if (c == OPT_JWKS_URL && !cove_cli_is_url(optarg))
				return cove_cli_usage_error(prog, "--jwks-url: '%s' is not an http(s) URL", optarg);
			jwks_src = optarg;
			break;
		case OPT_ISSUER: vo.issuer = optarg; break;
		case OPT_AT: err = cove_time_parse(optarg, &vo.now, &e); break;
		case OPT_LEEWAY:
			if (!cove_cli_parse_u64(optarg, &leeway) || leeway > 86400)
				return cove_cli_usage_error(prog, "--leeway: expected 0..86400 seconds, got '%s'",
							    optarg);
			vo.leeway = (int64_t)leeway;
			break;
		case OPT_ALG: err = parse_algs(optarg, &vo.algs, &e); break;
		case OPT_EMBEDDED: vo.allow_embedded_jwk = true; break;
		case OPT_X5C_ROOT: x5c_root = optarg; break;
		case OPT_CACERT: cacert = optarg; break;
		case OPT_JSON: json = true; break;
		case 'h':
		case OPT_HELP: fputs(verify ? verify_usage : show_usage, stdout); return COVE_EXIT_OK;
		default: return COVE_EXIT_USAGE;
		}
		if (err) {
			fprintf(stderr, "%s: %s\n", prog, e.msg);
			return COVE_EXIT_USAGE;
		}
	}
	if (token_file && optind < argc)
		return cove_cli_usage_error(prog, "give the token as an argument or with --token-file, not both");
	if (!token_file && optind != argc - 1)
		return cove_cli_usage_error(prog, "expected one TOKEN (or --token-file FILE)");
	if (verify && !jwks_src && !vo.allow_embedded_jwk && !x5c_root)
		return cove_cli_usage_error(prog, "no key to verify with: give --jwks FILE|URL (or --x5c-root, or "
						  "--allow-embedded-jwk)");

	if (token_file) {
		if ((err = cove_cli_read(token_file, COVE_TOKEN_MAX_LEN, &raw, &e)))
			goto fail;
	} else if ((err = cove_buf_set(&raw, argv[optind], strlen(argv[optind]), &e))) {
		goto fail;
	}
	if (!(jwt = token_text(&raw, &e))) {
		err = e.code;
		goto fail;
	}

	if (!verify) {
		if ((err = cove_token_decode(jwt, &header, &claims, &e)))
			goto fail;
		if (json) {
			cove_cli_print_json(json_pack("{s:b, s:O, s:O}", "verified", 0, "header", header, "claims",
						      claims));
		} else {
			puts("token NOT verified: decoded only (no signature, issuer or expiry check)");
			puts("header:");
			cove_cli_claims_print(stdout, "  ", header);
			puts("claims:");
			cove_cli_claims_print(stdout, "  ", claims);
		}
		ret = COVE_EXIT_OK;
		goto out;
	}

	if (jwks_src && (err = cove_cli_jwks_load(jwks_src, cacert, &jwks, &e)))
		goto fail;
	if (x5c_root) {
		if ((err = cove_cli_read(x5c_root, JWKS_FILE_MAX, &root_pem, &e)) ||
		    (err = cove_x509_parse(root_pem.data, root_pem.len, &vo.x5c_anchor, &e)))
			goto fail;
	}
	if ((err = cove_token_verify(jwt, jwks, &vo, &claims, &vr, &e))) {
		fprintf(stderr, "cove: error: token NOT verified: %s\n", e.msg[0] ? e.msg : cove_err_name(err));
		/* Every refusal of a token read correctly is a verification failure (exit 1). */
		ret = err == COVE_ERR_NOMEM || err == COVE_ERR_INTERNAL ? COVE_EXIT_INTERNAL : COVE_EXIT_FAIL;
		goto out;
	}
	char *thumb = NULL;
	cove_error te = {0};
	if (vr.key && cove_token_jwk_thumbprint(vr.key, &thumb, &te))
		thumb = NULL;
	if (json) {
		cove_cli_print_json(json_pack("{s:b, s:s, s:s, s:s?, s:O?, s:O, s:O}", "verified", 1, "alg",
					      cove_token_alg_name(vr.alg), "key_source", key_source_tag(vr.source),
					      "key_thumbprint", thumb, "key", vr.key, "header", vr.header, "claims",
					      claims));
	} else {
		printf("token verified: %s signature by the key from %s\n", cove_token_alg_name(vr.alg),
		       cove_cli_key_source_name((int)vr.source));
		if (thumb)
			printf("key thumbprint (RFC 7638): %s\n", thumb);
		puts("header:");
		cove_cli_claims_print(stdout, "  ", vr.header);
		puts("claims:");
		cove_cli_claims_print(stdout, "  ", claims);
	}
	free(thumb);
	ret = COVE_EXIT_OK;
	goto out;
fail:
	ret = cove_cli_fail(&e);
out:
	cove_token_verify_result_clear(&vr);
	cove_x509_free(vo.x5c_anchor);
	json_decref(jwks);
	json_decref(header);
	json_decref(claims);
	free(jwt);
	cove_buf_free(&raw);
	cove_buf_free(&root_pem);
	return ret;
}

static int cmd_verify(int argc, char **argv)
{
	return token_main(argc, argv, true);
}

static int cmd_show(int argc, char **argv)
{
	return token_main(argc, argv, false);
}

static const char usage[] =
	"Usage: cove token COMMAND [ARGS...]\n"
	"\n"
	"Commands:\n"
	"  verify TOKEN   verify an attestation token against a JWKS; print header and claims\n"
	"  show TOKEN     decode a token WITHOUT verifying it\n"
	"\n"
	"Run 'cove token COMMAND --help' for the options of each.\n";

static const cove_cli_cmd commands[] = {
	{"verify", cmd_verify, ""},
	{"show", cmd_show, ""},
	{NULL, NULL, NULL},
};

int cove_cmd_token(int argc, char **argv)
{
	return cove_cli_dispatch("cove token", commands, argc, argv, usage);
}
