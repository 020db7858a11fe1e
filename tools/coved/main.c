/*
 * coved: cove's attestation service and key broker (docs/coved.md).
 * Defaults, then the config file, then flags; then the server runs until
 * SIGTERM or SIGINT, when it stops accepting, finishes the requests in
 * flight and closes its store.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cove/bytes.h"
#include "coved.h"
#include "state.h"

void coved_state_set_port(coved *srv, uint16_t port);

cove_err coved_config_parse_listen(coved_config *c, const char *text, cove_error *e);
cove_err coved_config_add_trusted(coved_config *c, const char *issuer, const char *jwks_file, cove_error *e);
int coved_log_level_parse(const char *s);

static const char usage[] =
	"Usage: coved [--config FILE] [--listen ADDR:PORT] [--state-dir DIR]\n"
	"             [--tls-cert FILE --tls-key FILE] [--admin-token-file FILE]\n"
	"             [--trust-emulated-root] [options]\n"
	"\n"
	"cove's attestation service and key broker: appraises SEV-SNP, SGX and TDX evidence\n"
	"(MAA-compatible API), issues signed tokens, releases keys (Secure Key Release) and\n"
	"resources (the Confidential Containers KBS protocol 0.4.0) to what policy allows.\n"
	"\n"
	"Options (the config file, a JSON object, takes the same names as keys; flags win):\n"
	"  --config FILE            JSON config file\n"
	"  --listen ADDR:PORT       default 127.0.0.1:8080 (port 0 = any free port, printed)\n"
	"  --state-dir DIR          SQLite store, token signing key, store master key\n"
	"                           (default /var/lib/coved as root, else ~/.local/state/coved)\n"
	"  --tls-cert FILE, --tls-key FILE   serve HTTPS (PEM)\n"
	"  --allow-plain-http       plain HTTP on a non-loopback address (refused otherwise)\n"
	"  --admin-token-file FILE  bearer token for the admin API (policies, keys,\n"
	"                           resources); without it the admin API is disabled\n"
	"  --trust-emulated-root    accept evidence of cove's emulated platform (never by default)\n"
	"  --platform-dir DIR       that platform's state directory (default: cove's default)\n"
	"  --issuer URL             token \"iss\" and base of \"jku\" (default http(s)://ADDR:PORT)\n"
	"  --trusted-issuer ISS=JWKS_FILE   also accept tokens of another attestation service\n"
	"                           (e.g. an MAA instance and its /certs) for key release; repeatable\n"
	"  --token-alg ALG          RS256 (default), ES256 or ES384\n"
	"  --token-lifetime SECS    default 28800 (8 hours, as MAA)\n"
	"  --max-body BYTES         request body limit, default 1048576\n"
	"  --threads N              worker threads, default: the number of CPUs\n"
	"  --collateral-dir DIR     caches of AMD KDS and Intel PCS collateral, DIR/kds and DIR/pcs\n"
	"                           (the layout of ~/.cache/cove); default STATE_DIR/collateral\n"
	"  --offline                never fetch: serve collateral from those caches only\n"
	"  --log-level LEVEL        error, warn, info (default), debug; logs are JSON lines on stderr\n"
	"  --help\n";

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

static cove_err load_admin_token(coved *srv, cove_error *e)
{
	cove_buf b = {0};
	struct stat st;
	size_t n;
	cove_err rc;

	if (!srv->cfg.admin_token_file[0])
		return COVE_OK;
	if (stat(srv->cfg.admin_token_file, &st) != 0)
		return cove_error_set(e, COVE_ERR_IO, "admin token file %s: cannot stat", srv->cfg.admin_token_file);
	if (st.st_mode & 077)
		return cove_error_set(e, COVE_ERR_ARG, "admin token file %s is readable by group or others (mode %03o)",
				      srv->cfg.admin_token_file, (unsigned)(st.st_mode & 0777));
	rc = cove_file_read(srv->cfg.admin_token_file, sizeof(srv->admin_token) - 1, &b, e);
	if (rc)
		return rc;
	n = b.len;
	while (n && (b.data[n - 1] == '\n' || b.data[n - 1] == '\r' || b.data[n - 1] == ' '))
		n--;
	if (n < 16) {
		memset(b.data, 0, b.len);
		cove_buf_free(&b);
		return cove_error_set(e, COVE_ERR_ARG, "admin token in %s is shorter than 16 characters",
				      srv->cfg.admin_token_file);
	}
	memcpy(srv->admin_token, b.data, n);
	srv->admin_token[n] = '\0';
	memset(b.data, 0, b.len);
	cove_buf_free(&b);
	return COVE_OK;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'},        {"listen", required_argument, NULL, 'l'},
		{"state-dir", required_argument, NULL, 's'},     {"tls-cert", required_argument, NULL, 'C'},
		{"tls-key", required_argument, NULL, 'K'},       {"admin-token-file", required_argument, NULL, 'a'},
		{"trust-emulated-root", no_argument, NULL, 'T'}, {"allow-plain-http", no_argument, NULL, 'P'},
		{"issuer", required_argument, NULL, 'i'},        {"token-alg", required_argument, NULL, 'A'},
		{"token-lifetime", required_argument, NULL, 'L'}, {"max-body", required_argument, NULL, 'm'},
		{"threads", required_argument, NULL, 't'},       {"collateral-dir", required_argument, NULL, 'D'},
		{"offline", no_argument, NULL, 'O'},             {"log-level", required_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},                {"platform-dir", required_argument, NULL, 'p'},
		{"trusted-issuer", required_argument, NULL, 'I'},
		{0},
	};
	coved srv;
	cove_error e = {0};
	int c;
	const char *config = NULL;
	struct sigaction sa;

	memset(&srv, 0, sizeof(srv));
	coved_config_defaults(&srv.cfg);
	/* The config file first, whatever its position, so that flags override it. */
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
			config = argv[i + 1];
		else if (strncmp(argv[i], "--config=", 9) == 0)
			config = argv[i] + 9;
		else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			fputs(usage, stdout);
			return 0;
		}
	}
	if (config && coved_config_load(&srv.cfg, config, &e)) {
		fprintf(stderr, "coved: %s\n", e.msg);
		return 2;
	}
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		char *end = NULL;
		unsigned long n;
		switch (c) {
		case 'c': break;
		case 'l':
			if (coved_config_parse_listen(&srv.cfg, optarg, &e)) {
				fprintf(stderr, "coved: %s\n", e.msg);
				return 2;
			}
			break;
		case 's': snprintf(srv.cfg.state_dir, sizeof(srv.cfg.state_dir), "%s", optarg); break;
		case 'C': snprintf(srv.cfg.tls_cert, sizeof(srv.cfg.tls_cert), "%s", optarg); break;
		case 'K': snprintf(srv.cfg.tls_key, sizeof(srv.cfg.tls_key), "%s", optarg); break;
		case 'a': snprintf(srv.cfg.admin_token_file, sizeof(srv.cfg.admin_token_file), "%s", optarg); break;
		case 'T': srv.cfg.trust_emulated_root = true; break;
		case 'P': srv.cfg.allow_plain_http = true; break;
		case 'i': snprintf(srv.cfg.issuer, sizeof(srv.cfg.issuer), "%s", optarg); break;
		case 'A': snprintf(srv.cfg.token_alg, sizeof(srv.cfg.token_alg), "%s", optarg); break;
		case 'D': snprintf(srv.cfg.collateral_dir, sizeof(srv.cfg.collateral_dir), "%s", optarg); break;
		case 'O': srv.cfg.offline = true; break;
		case 'p': snprintf(srv.cfg.platform_dir, sizeof(srv.cfg.platform_dir), "%s", optarg); break;
		case 'I': {
			char *eq = strchr(optarg, '=');
			if (!eq) {
				fprintf(stderr, "coved: --trusted-issuer: expected ISSUER=JWKS_FILE\n");
				return 2;
			}
			*eq = '\0';
			if (coved_config_add_trusted(&srv.cfg, optarg, eq + 1, &e)) {
				fprintf(stderr, "coved: --trusted-issuer: %s\n", e.msg);
				return 2;
			}
			break;
		}
		case 'L':
		case 'm':
		case 't':
			n = strtoul(optarg, &end, 10);
			if (!*optarg || *end || n == 0 || n > (1ul << 30)) {
				fprintf(stderr, "coved: %s: expected a positive integer\n", optarg);
				return 2;
			}
			if (c == 'L')
				srv.cfg.token_lifetime = (unsigned)n;
			else if (c == 'm')
				srv.cfg.max_body = n;
			else
				srv.cfg.threads = (unsigned)(n > 256 ? 256 : n);
			break;
		case 'v':
			if ((srv.cfg.log_level = coved_log_level_parse(optarg)) < 0) {
				fprintf(stderr, "coved: --log-level: expected error, warn, info or debug\n");
				return 2;
			}
			break;
		case 'h': fputs(usage, stdout); return 0;
		default: fprintf(stderr, "coved: bad option (see coved --help)\n"); return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "coved: unexpected argument '%s' (see coved --help)\n", argv[optind]);
		return 2;
	}
	coved_log_set_level(srv.cfg.log_level);
	if (strcmp(srv.cfg.token_alg, "RS256") && strcmp(srv.cfg.token_alg, "ES256") && strcmp(srv.cfg.token_alg, "ES384")) {
		fprintf(stderr, "coved: --token-alg: expected RS256, ES256 or ES384\n");
		return 2;
	}
	if (load_admin_token(&srv, &e) || coved_state_open(&srv, &e)) {
		coved_log(COVED_LOG_ERROR, "start-up failed", json_pack("{s:s}", "error", e.msg));
		return e.code == COVE_ERR_ARG || e.code == COVE_ERR_PARSE ? 2 : 1;
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (coved_start(&srv, &e)) {
		coved_log(COVED_LOG_ERROR, "start-up failed", json_pack("{s:s}", "error", e.msg));
		coved_state_close(&srv);
		return e.code == COVE_ERR_POLICY || e.code == COVE_ERR_ARG ? 2 : 1;
	}
	coved_state_set_port(&srv, coved_port(&srv));
	coved_log(COVED_LOG_INFO, "listening",
		  json_pack("{s:s, s:i, s:b, s:b, s:b, s:s}", "address", srv.cfg.listen_addr, "port", coved_port(&srv),
			    "tls", srv.cfg.tls_cert[0] != 0, "admin_api", srv.admin_token[0] != 0, "trust_emulated_root",
			    srv.cfg.trust_emulated_root, "state_dir", srv.cfg.state_dir));
	while (!stop_signal)
		pause();
	coved_log(COVED_LOG_INFO, "shutting down", json_pack("{s:i}", "signal", (int)stop_signal));
	coved_stop(&srv);
	coved_state_close(&srv);
	memset(srv.admin_token, 0, sizeof(srv.admin_token));
	coved_log(COVED_LOG_INFO, "stopped", NULL);
	return 0;
}
