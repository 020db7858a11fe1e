/*
 * Command-line plumbing shared by every subcommand (see cli.h).
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int cove_cli_exit_code(cove_err code)
{
	switch (code) {
	case COVE_OK: return COVE_EXIT_OK;
	case COVE_ERR_VERIFY:
	case COVE_ERR_POLICY: return COVE_EXIT_FAIL;
	case COVE_ERR_ARG:
	case COVE_ERR_PARSE:
	case COVE_ERR_IO:
	case COVE_ERR_UNSUPPORTED: return COVE_EXIT_USAGE;
	case COVE_ERR_UNAVAILABLE: return COVE_EXIT_UNAVAILABLE;
	default: return COVE_EXIT_INTERNAL;
	}
}

int cove_cli_fail(const cove_error *e)
{
	fprintf(stderr, "cove: error: %s\n", e->msg[0] ? e->msg : cove_err_name(e->code));
	return cove_cli_exit_code(e->code);
}

int cove_cli_usage_error(const char *prog, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '%s --help'.\n", prog);
	return COVE_EXIT_USAGE;
}

int cove_cli_dispatch(const char *prog, const cove_cli_cmd *cmds, int argc, char **argv, const char *usage)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		fputs(usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? COVE_EXIT_USAGE : COVE_EXIT_OK;
	}
	for (const cove_cli_cmd *c = cmds; c->name; c++) {
		if (strcmp(argv[1], c->name) == 0)
			return c->fn(argc - 1, argv + 1);
	}
	return cove_cli_usage_error(prog, "unknown command '%s'", argv[1]);
}

cove_err cove_cli_read(const char *path, size_t max, cove_buf *out, cove_error *e)
{
	if (strcmp(path, "-") == 0)
		return cove_file_read("/dev/stdin", max, out, e);
	return cove_file_read(path, max, out, e);
}

cove_err cove_cli_read_binary_or_hex(const char *path, size_t max, cove_buf *out, cove_error *e)
{
	cove_err rc = cove_cli_read(path, max, out, e);
	if (rc)
		return rc;
	size_t digits = 0;
	for (size_t i = 0; i < out->len; i++) {
		unsigned char c = out->data[i];
		if (isxdigit(c))
			digits++;
		else if (!isspace(c))
			return COVE_OK; /* binary */
	}
	if (digits == 0 || digits % 2)
		return COVE_OK;
	/* Hex text, possibly wrapped over lines: keep only the digits. */
	char *compact = malloc(digits + 1);
	if (!compact)
		return cove_error_set(e, COVE_ERR_NOMEM, "out of memory");
	size_t n = 0;
	for (size_t i = 0; i < out->len; i++)
		if (isxdigit(out->data[i]))
			compact[n++] = (char)out->data[i];
	compact[n] = '\0';
	cove_buf bin = {0};
	rc = cove_hex_decode(compact, n, &bin, e);
	free(compact);
	if (rc)
		return rc;
	cove_buf_free(out);
	*out = bin;
	return COVE_OK;
}

void cove_cli_print_json(json_t *j)
{
	char *s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (s) {
		puts(s);
		free(s);
	}
	json_decref(j);
}

bool cove_cli_parse_u64(const char *s, unsigned long long *out)
{
	char *end;
	errno = 0;
	if (!s || !*s || *s == '-')
		return false;
	unsigned long long v = strtoull(s, &end, 0);
	if (errno || *end)
		return false;
	*out = v;
	return true;
}

cove_err cove_cli_hex_arg(const char *opt, const char *text, uint8_t *out, size_t len, bool pad, cove_error *e)
{
	cove_buf b = {0};
	cove_error inner = {0};
	if (cove_hex_decode(text, strlen(text), &b, &inner))
		return cove_error_set(e, COVE_ERR_ARG, "%s: %s", opt, inner.msg);
	cove_err rc = COVE_OK;
	if (pad ? b.len > len : b.len != len) {
		rc = cove_error_set(e, COVE_ERR_ARG, "%s: %zu bytes given, %s %zu expected", opt, b.len,
				    pad ? "at most" : "exactly", len);
	} else {
		memset(out, 0, len);
		memcpy(out, b.data, b.len);
	}
	cove_buf_free(&b);
	return rc;
}

const char *cove_cli_option_value(int argc, char **argv, const struct option *opts, int id)
{
	const char *value = NULL;
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1)
		if (c == id)
			value = optarg;
	optind = 1;
	opterr = 1;
	return value;
}
