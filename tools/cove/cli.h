/*
 * Shared plumbing of the `cove` command line: exit codes, dispatch of
 * subcommands, input reading and output printing.  Subcommands live in
 * cmd_*.c and know nothing of byte offsets: they call libcove.
 */
#ifndef COVE_CLI_H
#define COVE_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "cove/bytes.h"
#include "cove/err.h"

/* Exit codes, documented in `cove --help`. */
enum {
	COVE_EXIT_OK = 0,          /* success; evidence verified and accepted */
	COVE_EXIT_FAIL = 1,        /* verification failed or the policy refused */
	COVE_EXIT_USAGE = 2,       /* bad command line or unreadable input */
	COVE_EXIT_UNAVAILABLE = 3, /* collateral or device unavailable */
	COVE_EXIT_INTERNAL = 4,    /* internal error */
};

typedef int (*cove_cli_fn)(int argc, char **argv);

typedef struct cove_cli_cmd {
	const char *name;
	cove_cli_fn fn;
	const char *summary;
} cove_cli_cmd;

/* Run the subcommand named by argv[1]; prints `usage` for --help or no argument. */
int cove_cli_dispatch(const char *prog, const cove_cli_cmd *cmds, int argc, char **argv, const char *usage);

/* Map an error code to an exit code. */
int cove_cli_exit_code(cove_err code);

/* "cove: error: <message>" on stderr; returns the exit code for `code`. */
int cove_cli_fail(const cove_error *e);
int cove_cli_usage_error(const char *prog, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Read a file ("-" = standard input) of at most `max` bytes. */
cove_err cove_cli_read(const char *path, size_t max, cove_buf *out, cove_error *e);
/*
 * Read evidence that may be raw binary or hex text: when the file is exactly
 * printable hex (white space allowed), it is decoded.
 */
cove_err cove_cli_read_binary_or_hex(const char *path, size_t max, cove_buf *out, cove_error *e);

struct option;
/*
 * The value of the last occurrence of long option `id` in argv, found in a
 * silent pre-pass (so that, e.g., a policy file applies before the flags that
 * refine it, whatever their order); NULL when absent.  Leaves getopt ready for
 * the real pass (optind = 1, opterr = 1).
 */
const char *cove_cli_option_value(int argc, char **argv, const struct option *opts, int id);

/* Pretty-print JSON to stdout followed by a newline; steals the reference. */
void cove_cli_print_json(json_t *j);

/*
 * Decode the hex value of option `opt` into exactly `len` bytes, or with `pad`
 * into at most `len` bytes zero-padded on the right.  Errors name the option.
 */
cove_err cove_cli_hex_arg(const char *opt, const char *text, uint8_t *out, size_t len, bool pad, cove_error *e);

/* Parse an unsigned integer in decimal or 0x-hex; false on junk or overflow. */
bool cove_cli_parse_u64(const char *s, unsigned long long *out);

#include "cli_http.h"
bool cove_cli_is_url(const char *s);
/* A JWKS ({"keys":[...]}) from a file or an http(s) URL. */
cove_err cove_cli_jwks_load(const char *src, const char *cacert, json_t **out, cove_error *e);
/* One "name: value" line per member, sorted by name; exp/iat/nbf also in RFC 3339. */
void cove_cli_claims_print(FILE *f, const char *indent, const json_t *obj);
/* Where a cove_token_key_source says the verifying key came from, as text. */
const char *cove_cli_key_source_name(int source);

/* Subcommands. */
int cove_cmd_snp(int argc, char **argv);
int cove_cmd_snp_show(int argc, char **argv);
int cove_cmd_snp_verify(int argc, char **argv);
int cove_cmd_snp_measure(int argc, char **argv);
int cove_cmd_snp_report(int argc, char **argv);
int cove_cmd_snp_emulate(int argc, char **argv);
int cove_cmd_sgx(int argc, char **argv);
int cove_cmd_sgx_show(int argc, char **argv);
int cove_cmd_sgx_verify(int argc, char **argv);
int cove_cmd_sgx_emulate(int argc, char **argv);
int cove_cmd_tdx(int argc, char **argv);
int cove_cmd_tdx_show(int argc, char **argv);
int cove_cmd_tdx_verify(int argc, char **argv);
int cove_cmd_tdx_eventlog(int argc, char **argv);
int cove_cmd_tdx_report(int argc, char **argv);
int cove_cmd_platform(int argc, char **argv);
int cove_cmd_keygen(int argc, char **argv);
int cove_cmd_sign(int argc, char **argv);
int cove_cmd_demo(int argc, char **argv);
int cove_cmd_attest(int argc, char **argv);
int cove_cmd_token(int argc, char **argv);

#endif
