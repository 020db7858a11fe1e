/*
 * coved's configuration: defaults, then a JSON config file, then flags (main.c).
 * The file's keys are the long flags' names, so one table documents both:
 *   {"listen": "127.0.0.1:8080", "state-dir": "/var/lib/coved",
 *    "tls-cert": "...", "tls-key": "...", "admin-token-file": "...",
 *    "trust-emulated-root": false, "allow-plain-http": false,
 *    "max-body": 1048576, "threads": 2, "token-alg": "RS256",
 *    "token-lifetime": 28800, "issuer": "https://attest.example",
 *    "log-level": "info", "collateral-dir": "...", "offline": false,
 *    "platform-dir": "..."}
 * Unknown keys are refused (a typo must not silently leave a default on).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "coved.h"

void coved_config_defaults(coved_config *c)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	memset(c, 0, sizeof(*c));
	snprintf(c->listen_addr, sizeof(c->listen_addr), "127.0.0.1");
	c->port = 8080;
	snprintf(c->token_alg, sizeof(c->token_alg), "RS256");
	c->max_body = 1u << 20;
	c->threads = n > 0 && n < 64 ? (unsigned)n : 2;
	c->token_lifetime = 8 * 3600;
	c->log_level = COVED_LOG_INFO;
}

static cove_err set_string(char *dst, size_t cap, json_t *v, const char *key, cove_error *e)
{
	if (!json_is_string(v))
		return cove_error_set(e, COVE_ERR_PARSE, "config \"%s\": expected a string", key);
	if (json_string_length(v) >= cap)
		return cove_error_set(e, COVE_ERR_PARSE, "config \"%s\": longer than %zu characters", key, cap - 1);
	memcpy(dst, json_string_value(v), json_string_length(v) + 1);
	return COVE_OK;
}

cove_err coved_config_parse_listen(coved_config *c, const char *text, cove_error *e);

cove_err coved_config_parse_listen(coved_config *c, const char *text, cove_error *e)
{
	const char *colon = strrchr(text, ':');
	char *end = NULL;
	unsigned long port;
	size_t host_len;

	if (!colon)
		return cove_error_set(e, COVE_ERR_ARG, "listen \"%s\": expected ADDRESS:PORT", text);
	port = strtoul(colon + 1, &end, 10);
	if (!*(colon + 1) || *end || port > 65535)
		return cove_error_set(e, COVE_ERR_ARG, "listen \"%s\": the port is not 0..65535", text);
	host_len = (size_t)(colon - text);
	if (host_len >= 2 && text[0] == '[' && text[host_len - 1] == ']') {
		text++;
		host_len -= 2;
	}
	if (host_len == 0 || host_len >= sizeof(c->listen_addr))
		return cove_error_set(e, COVE_ERR_ARG, "listen: bad address");
	memcpy(c->listen_addr, text, host_len);
	c->listen_addr[host_len] = '\0';
	c->port = (uint16_t)port;
	return COVE_OK;
}

int coved_log_level_parse(const char *s);

cove_err coved_config_add_trusted(coved_config *c, const char *issuer, const char *jwks_file, cove_error *e)
{
	if (!issuer || !jwks_file || !*issuer || !*jwks_file)
		return cove_error_set(e, COVE_ERR_PARSE, "trusted issuer: expected an issuer URL and a JWKS file");
	if (c->ntrusted >= sizeof(c->trusted) / sizeof(c->trusted[0]))
		return cove_error_set(e, COVE_ERR_ARG, "trusted issuer: at most %zu",
				      sizeof(c->trusted) / sizeof(c->trusted[0]));
	if (strlen(issuer) >= sizeof(c->trusted[0].issuer) || strlen(jwks_file) >= sizeof(c->trusted[0].jwks_file))
		return cove_error_set(e, COVE_ERR_ARG, "trusted issuer: name too long");
	strcpy(c->trusted[c->ntrusted].issuer, issuer);
	strcpy(c->trusted[c->ntrusted].jwks_file, jwks_file);
	c->ntrusted++;
	return COVE_OK;
}

int coved_log_level_parse(const char *s)
{
	static const char *const names[] = {"error", "warn", "info", "debug"};
	for (int i = 0; i < 4; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	return -1;
}

cove_err coved_config_load(coved_config *c, const char *path, cove_error *e)
{
	json_error_t je;
	json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &je), *v;
	const char *key;
	cove_err rc = COVE_OK;

	if (!root)
		return cove_error_set(e, COVE_ERR_PARSE, "config %s: line %d, column %d: %s", path, je.line, je.column,
				      je.text);
	if (!json_is_object(root)) {
		json_decref(root);
		return cove_error_set(e, COVE_ERR_PARSE, "config %s: expected a JSON object", path);
	}
	json_object_foreach(root, key, v) {
		if (strcmp(key, "listen") == 0) {
			rc = json_is_string(v) ? coved_config_parse_listen(c, json_string_value(v), e)
					       : cove_error_set(e, COVE_ERR_PARSE, "config \"listen\": expected a string");
		} else if (strcmp(key, "state-dir") == 0) {
			rc = set_string(c->state_dir, sizeof(c->state_dir), v, key, e);
		} else if (strcmp(key, "tls-cert") == 0) {
			rc = set_string(c->tls_cert, sizeof(c->tls_cert), v, key, e);
		} else if (strcmp(key, "tls-key") == 0) {
			rc = set_string(c->tls_key, sizeof(c->tls_key), v, key, e);
		} else if (strcmp(key, "admin-token-file") == 0) {
			rc = set_string(c->admin_token_file, sizeof(c->admin_token_file), v, key, e);
		} else if (strcmp(key, "issuer") == 0) {
			rc = set_string(c->issuer, sizeof(c->issuer), v, key, e);
		} else if (strcmp(key, "trusted-issuers") == 0) {
			size_t i;
			json_t *t;
			if (!json_is_array(v))
				rc = cove_error_set(e, COVE_ERR_PARSE, "config \"trusted-issuers\": expected an array of "
								      "{\"issuer\", \"jwks-file\"}");
			json_array_foreach(v, i, t) {
				if (rc)
					break;
				rc = coved_config_add_trusted(c, json_string_value(json_object_get(t, "issuer")),
							      json_string_value(json_object_get(t, "jwks-file")), e);
			}
		} else if (strcmp(key, "platform-dir") == 0) {
			rc = set_string(c->platform_dir, sizeof(c->platform_dir), v, key, e);
		} else if (strcmp(key, "collateral-dir") == 0) {
			rc = set_string(c->collateral_dir, sizeof(c->collateral_dir), v, key, e);
		} else if (strcmp(key, "token-alg") == 0) {
			rc = set_string(c->token_alg, sizeof(c->token_alg), v, key, e);
		} else if (strcmp(key, "trust-emulated-root") == 0 || strcmp(key, "allow-plain-http") == 0 ||
			   strcmp(key, "offline") == 0) {
			if (!json_is_boolean(v))
				rc = cove_error_set(e, COVE_ERR_PARSE, "config \"%s\": expected true or false", key);
			else if (key[0] == 't')
				c->trust_emulated_root = json_is_true(v);
			else if (key[0] == 'a')
				c->allow_plain_http = json_is_true(v);
			else
				c->offline = json_is_true(v);
		} else if (strcmp(key, "max-body") == 0 || strcmp(key, "threads") == 0 ||
			   strcmp(key, "token-lifetime") == 0) {
			json_int_t n = json_is_integer(v) ? json_integer_value(v) : -1;
			if (n <= 0 || n > (json_int_t)1 << 30)
				rc = cove_error_set(e, COVE_ERR_PARSE, "config \"%s\": expected a positive integer", key);
			else if (key[0] == 'm')
				c->max_body = (size_t)n;
			else if (key[1] == 'h')
				c->threads = (unsigned)(n > 256 ? 256 : n);
			else
				c->token_lifetime = (unsigned)n;
		} else if (strcmp(key, "log-level") == 0) {
			int l = json_is_string(v) ? coved_log_level_parse(json_string_value(v)) : -1;
			if (l < 0)
				rc = cove_error_set(e, COVE_ERR_PARSE, "config \"log-level\": expected error, warn, info or debug");
			else
				c->log_level = l;
		} else {
			rc = cove_error_set(e, COVE_ERR_PARSE, "config %s: unknown key \"%s\"", path, key);
		}
		if (rc)
			break;
	}
	json_decref(root);
	return rc;
}
