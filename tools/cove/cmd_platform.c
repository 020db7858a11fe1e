/*
 * `cove platform init|show`: the emulated SEV-SNP platform (see
 * include/cove/platform.h and docs/emulated-platform.md).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cove/platform.h"

static const char usage[] =
	"Usage: cove platform COMMAND [ARGS...]\n"
	"\n"
	"The emulated SEV-SNP platform: cove's own ARK -> ASK -> VCEK chain and chip id,\n"
	"kept in a state directory only you can read, for tests and machines without\n"
	"SEV-SNP.  Its reports verify only with 'cove snp verify --trust-emulated-root'.\n"
	"\n"
	"Commands:\n"
	"  init   create the platform (or check the existing one); --force replaces its keys\n"
	"  show   print the platform's identity: key fingerprints, chip id, TCB, validity\n"
	"\n"
	"State directory: --state-dir DIR, else $COVE_STATE_DIR, else /var/lib/cove for\n"
	"root, else $XDG_STATE_HOME/cove or ~/.local/state/cove.\n"
	"\n"
	"Run 'cove platform COMMAND --help' for the options of each.\n";

static const char init_usage[] =
	"Usage: cove platform init [--state-dir DIR] [--product NAME] [--tcb SPEC] [--force] [--json]\n"
	"\n"
	"Create the emulated SEV-SNP platform in DIR/snp: RSA-4096 ARK and ASK, a P-384\n"
	"VCEK, an empty CRL signed by the ARK and a random chip id (key generation takes\n"
	"a few seconds).  When the platform exists it is left as it is (a stale CRL is\n"
	"re-signed) and its identity is printed.\n"
	"\n"
	"Options:\n"
	"  --state-dir DIR  state directory (created with mode 0700; one that group or\n"
	"                   others can access, or that you do not own, is refused)\n"
	"  --product NAME   Milan (default), Genoa or Turin\n"
	"  --tcb SPEC       the platform's TCB, e.g. bl=4,tee=0,snp=22,ucode=213 (Turin\n"
	"                   adds fmc=N); components left out keep the product default\n"
	"  --force          replace an existing platform with new keys (rotation); the old\n"
	"                   keys are deleted and reports they signed no longer verify\n"
	"                   against the new root\n"
	"  --json           machine-readable output\n"
	"  -h, --help       this text\n";

static const char show_usage[] =
	"Usage: cove platform show [--state-dir DIR] [--json]\n"
	"\n"
	"Print the emulated platform's identity: SHA-256 fingerprints of the ARK, ASK and\n"
	"VCEK public keys (the ARK and ASK ones are what a verifier pins), chip id, TCB,\n"
	"firmware version, certificate validity and the CRL.  Warns when the CRL is stale\n"
	"or a certificate has expired.  Nothing is created.\n"
	"\n"
	"Options:\n"
	"  --state-dir DIR  state directory (default: see 'cove platform --help')\n"
	"  --json           machine-readable output\n"
	"  -h, --help       this text\n";

static const char *jstr(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "?";
}

/* Print `text` wrapped at 78 columns (words are never split). */
static void print_wrapped(const char *text)
{
	size_t col = 0;
	while (*text) {
		while (*text == ' ')
			text++;
		size_t n = strcspn(text, " ");
		if (!n)
			break;
		if (col && col + 1 + n > 78) {
			putchar('\n');
			col = 0;
		}
		if (col) {
			putchar(' ');
			col++;
		}
		fwrite(text, 1, n, stdout);
		col += n;
		text += n;
	}
	putchar('\n');
}

static void print_cert(const char *label, json_t *c)
{
	printf("  %-14s %s\n", label, jstr(c, "subject"));
	printf("  %-14s serial %s, valid %s to %s%s\n", "", jstr(c, "serial"), jstr(c, "not_before"),
	       jstr(c, "not_after"), json_is_true(json_object_get(c, "valid_now")) ? "" : " (NOT VALID NOW)");
	printf("  %-14s SPKI SHA-256 %s\n", "", jstr(c, "spki_sha256"));
}

static void print_identity(json_t *j)
{
	json_t *tcb = json_object_get(j, "tcb"), *cpuid = json_object_get(j, "cpuid"), *crl = json_object_get(j, "crl");
	printf("Emulated SEV-SNP platform (cove's own keys, not AMD hardware)\n");
	printf("  %-14s %s\n", "directory", jstr(j, "platform_dir"));
	printf("  %-14s %s (CPUID family %s, model %s, stepping %s)\n", "product", jstr(j, "product"),
	       jstr(cpuid, "family"), jstr(cpuid, "model"), jstr(cpuid, "stepping"));
	printf("  %-14s %s\n", "created", jstr(j, "created"));
	printf("  %-14s %s\n", "chip id", jstr(j, "chip_id"));
	printf("  %-14s ", "TCB");
	if (json_object_get(tcb, "fmc"))
		printf("fmc=%lld ", (long long)json_integer_value(json_object_get(tcb, "fmc")));
	printf("bl=%lld tee=%lld snp=%lld ucode=%lld (TCB_VERSION %s)\n",
	       (long long)json_integer_value(json_object_get(tcb, "bootloader")),
	       (long long)json_integer_value(json_object_get(tcb, "tee")),
	       (long long)json_integer_value(json_object_get(tcb, "snp")),
	       (long long)json_integer_value(json_object_get(tcb, "microcode")), jstr(j, "tcb_raw"));
	printf("  %-14s %s\n", "firmware", jstr(j, "firmware"));
	print_cert("ARK", json_object_get(j, "ark"));
	print_cert("ASK", json_object_get(j, "ask"));
	print_cert("VCEK", json_object_get(j, "vcek"));
	printf("  %-14s number %lld, issued %s, next update %s, %lld revoked%s\n", "CRL",
	       (long long)json_integer_value(json_object_get(crl, "crl_number")), jstr(crl, "this_update"),
	       jstr(crl, "next_update"), (long long)json_integer_value(json_object_get(crl, "revoked")),
	       json_is_true(json_object_get(crl, "stale")) ? " (STALE)" : "");
	json_t *sgx = json_object_get(j, "sgx");
	if (json_is_object(sgx))
		printf("  %-14s root %s, SPKI SHA-256 %s, FMSPC %s\n", "SGX side", jstr(sgx, "root_subject"),
		       jstr(sgx, "root_spki_sha256"), jstr(sgx, "fmspc"));
	else
		printf("  %-14s not created yet (the first 'cove sgx emulate' makes it)\n", "SGX side");
	putchar('\n');
	print_wrapped(jstr(j, "trust"));
	size_t i;
	json_t *w;
	json_array_foreach(json_object_get(j, "warnings"), i, w)
		fprintf(stderr, "cove: warning: %s\n", json_string_value(w));
}

static int platform_init(int argc, char **argv)
{
	static const struct option opts[] = {
		{"state-dir", required_argument, NULL, 'd'},
		{"product", required_argument, NULL, 'p'},
		{"tcb", required_argument, NULL, 't'},
		{"force", no_argument, NULL, 'f'},
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	const char *dir = NULL, *tcb_spec = NULL;
	bool json = false;
	cove_platform_init_opts io = {0};
	cove_error e = {0};
	cove_platform *p = NULL;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': dir = optarg; break;
		case 'p':
			if (cove_snp_product_parse(optarg, &io.product, &e))
				return cove_cli_usage_error("cove platform init", "--product: %s", e.msg);
			break;
		case 't': tcb_spec = optarg; break;
		case 'f': io.force = true; break;
		case 'j': json = true; break;
		case 'h': fputs(init_usage, stdout); return COVE_EXIT_OK;
		default: return cove_cli_usage_error("cove platform init", "bad option");
		}
	}
	if (optind != argc)
		return cove_cli_usage_error("cove platform init", "unexpected argument '%s'", argv[optind]);
	if (tcb_spec) {
		/* Components not named keep the product's default; platform.h has the rules. */
		cove_platform_init_opts probe = io;
		probe.force = false;
		if (probe.product == COVE_SNP_PRODUCT_UNKNOWN)
			probe.product = COVE_SNP_MILAN;
		cove_snp_tcb base = {0};
		if (cove_platform_default_tcb(probe.product, &base, &e) ||
		    cove_platform_tcb_parse(tcb_spec, probe.product, &base, &e))
			return cove_cli_usage_error("cove platform init", "--tcb: %s", e.msg);
		io.has_tcb = true;
		io.tcb = base;
	}
	bool exists = false;
	if (!io.force && cove_platform_open(dir, false, &p, NULL) == COVE_OK) {
		exists = true;
		cove_platform_free(p);
		p = NULL;
	}
	if (!exists && !json)
		fprintf(stderr, "cove: generating the emulated platform's keys (RSA-4096 takes a few seconds)...\n");
	if (cove_platform_init(dir, &io, &p, &e))
		return cove_cli_fail(&e);
	json_t *j = cove_platform_to_json(p, cove_time_now());
	if (json) {
		json_object_set_new(j, "created_now", json_boolean(cove_platform_was_created(p)));
		cove_cli_print_json(j);
	} else {
		if (cove_platform_was_created(p))
			printf("%s the emulated platform.\n\n", io.force ? "Replaced (new keys)" : "Created");
		else
			printf("The emulated platform already exists; nothing changed (--force replaces its keys).\n\n");
		print_identity(j);
		json_decref(j);
	}
	cove_platform_free(p);
	return COVE_EXIT_OK;
}

static int platform_show(int argc, char **argv)
{
	static const struct option opts[] = {
		{"state-dir", required_argument, NULL, 'd'},
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	const char *dir = NULL;
	bool json = false;
	cove_error e = {0};
	cove_platform *p = NULL;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': dir = optarg; break;
		case 'j': json = true; break;
		case 'h': fputs(show_usage, stdout); return COVE_EXIT_OK;
		default: return cove_cli_usage_error("cove platform show", "bad option");
		}
	}
	if (optind != argc)
		return cove_cli_usage_error("cove platform show", "unexpected argument '%s'", argv[optind]);
	if (cove_platform_open(dir, false, &p, &e))
		return cove_cli_fail(&e);
	json_t *j = cove_platform_to_json(p, cove_time_now());
	if (json) {
		cove_cli_print_json(j);
	} else {
		print_identity(j);
		json_decref(j);
	}
	cove_platform_free(p);
	return COVE_EXIT_OK;
}

static const cove_cli_cmd commands[] = {
	{"init", platform_init, "create the emulated platform"},
	{"show", platform_show, "print its identity"},
	{NULL, NULL, NULL},
};

int cove_cmd_platform(int argc, char **argv)
{
	return cove_cli_dispatch("cove platform", commands, argc, argv, usage);
}
