/*
 * examples/remote_attestation/remote_attestation.c - host side of the remote
 * attestation sample.  The host plays both parts: the attester's host, which
 * asks the enclave for a quote binding a fresh nonce, and the verifier, which
 * appraises the quote with cove's DCAP verifier (cove/dcap_verify.h) against
 * the emulated platform's collateral.  The quote verifies only when the
 * emulated platform's root CA is trusted explicitly; with Intel's root alone
 * (what any production verifier has) it is refused, as is a quote with one
 * flipped bit.
 *
 * Usage: remote_attestation [--out QUOTE] [--collateral-out FILE] [--platform-dir DIR] [--enclave IMAGE]
 * --out and --collateral-out write the quote and the collateral bundle that
 * `cove sgx verify --collateral FILE --trust-emulated-root` reads.
 * Exit status: 0 success, 1 failure, 2 usage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "cove/bytes.h"
#include "cove/dcap.h"
#include "cove/dcap_collateral.h"
#include "cove/dcap_verify.h"
#include "cove/platform.h"
#include "example.h"
#include "remote_attestation_u.h"

#define QUOTE_MAX 16384

static const char *claim(const json_t *tcb, const char *key)
{
	const char *s = json_string_value(json_object_get(tcb, key));
	return s ? s : "(none)";
}

static void print_failures(const cove_result *res, size_t max)
{
	for (size_t i = 0; i < res->nfailures && i < max; i++)
		printf("    %s: %s\n", res->failures[i].check, res->failures[i].detail);
}

/* Appraise with a verifier trusting Intel's root and, when `emulated_spki`, the emulated root too. */
static int appraise(const uint8_t *emulated_spki, const cove_dcap_quote *q, const cove_dcap_collateral *coll,
		    const cove_dcap_policy *pol, cove_result **res)
{
	cove_dcap_verifier *v = NULL;
	cove_dcap_verify_opts vo = {0};
	cove_error e = {0};
	int rc = 1;

	if (cove_dcap_verifier_new(&v, &e) ||
	    (emulated_spki && cove_dcap_verifier_add_root(v, emulated_spki, COVE_PLATFORM_NAME, true, &e)) ||
	    cove_dcap_verify(v, q, coll, pol, &vo, res, &e)) {
		fprintf(stderr, "remote_attestation: verifier: %s\n", e.msg);
		goto out;
	}
	rc = 0;
out:
	cove_dcap_verifier_free(v);
	return rc;
}

int main(int argc, char **argv)
{
	example_opts o;
	const char *out_path = NULL, *coll_path = NULL;
	cove_enclave *enc = NULL;
	cove_enclave_info info;
	cove_platform *p = NULL;
	cove_dcap_collateral coll;
	cove_dcap_quote q, bad_q;
	cove_dcap_policy pol;
	cove_result *res = NULL;
	cove_error e = {0};
	cove_edge_status st;
	static uint8_t quote[QUOTE_MAX], bad[QUOTE_MAX];
	uint8_t nonce[32], value[32], spki[32], expected_mre[32];
	char hex[129];
	char *bundle = NULL;
	size_t quote_len = 0;
	bool parsed = false, bad_parsed = false;
	const json_t *tcb;
	int r = -1, rc = 1;

	memset(&coll, 0, sizeof(coll));
	cove_dcap_policy_init(&pol);
	if (example_parse_common(&argc, argv, &o, REMOTE_ATTESTATION_ENCLAVE_IMAGE))
		goto usage;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--out") == 0 && i + 1 < argc)
			out_path = argv[++i];
		else if (strcmp(argv[i], "--collateral-out") == 0 && i + 1 < argc)
			coll_path = argv[++i];
		else
			goto usage;
	}

	/* The verifier's side, before anything: the enclave it expects and a fresh nonce. */
	if (example_image_mrenclave(o.enclave, expected_mre))
		goto out;
	if (getrandom(nonce, sizeof(nonce), 0) != (ssize_t)sizeof(nonce)) {
		perror("remote_attestation: getrandom");
		goto out;
	}
	example_print_hex("verifier nonce    ", nonce, 32);

	/* The attester's side: the enclave quotes nonce || its own value. */
	enc = example_start("remote_attestation", o.enclave, &o);
	if (!enc)
		goto out;
	if (cove_enclave_get_info(enc, &info, &e)) {
		fprintf(stderr, "remote_attestation: %s\n", e.msg);
		goto out;
	}
	st = ecall_attest(enc, &r, nonce, value, quote, sizeof(quote), &quote_len);
	if (st != COVE_EDGE_OK || r != 0) {
		if (st != COVE_EDGE_OK)
			example_report_call("ecall_attest", st, enc);
		else
			fprintf(stderr, "remote_attestation: the enclave could not quote: %s\n", cove_err_name((cove_err)-r));
		goto out;
	}
	if (quote_len > sizeof(quote)) {
		fprintf(stderr, "remote_attestation: the enclave claims a %zu-byte quote\n", quote_len);
		goto out;
	}
	example_print_hex("enclave value     ", value, 32);
	printf("quote: %zu bytes (DCAP v3, ECDSA P-256), enclave memory %s\n", quote_len,
	       info.secret_memory ? "memfd_secret-backed" : "NOT memfd_secret-backed");

	/* The verifier again: parse, collateral and the emulated root from the platform. */
	if (cove_dcap_quote_parse(quote, quote_len, &q, &e)) {
		fprintf(stderr, "remote_attestation: the quote: %s\n", e.msg);
		goto out;
	}
	parsed = true;
	if (cove_platform_open(o.platform_dir, false, &p, &e) || cove_platform_sgx_collateral(p, &coll, &e) ||
	    cove_platform_sgx_root(p, spki, &e)) {
		fprintf(stderr, "remote_attestation: platform: %s\n", e.msg);
		goto out;
	}
	memcpy(pol.mr_enclaves[0], expected_mre, 32);
	pol.n_mr_enclaves = 1;
	memcpy(pol.report_data, nonce, 32);
	memcpy(pol.report_data + 32, value, 32);
	pol.has_report_data = true;
	/* Without memfd_secret the platform rates the enclave ConfigurationNeeded (COVE-SA-0001); say so and take it. */
	if (!info.secret_memory && cove_dcap_policy_accept(&pol, "ConfigurationNeeded", &e)) {
		fprintf(stderr, "remote_attestation: policy: %s\n", e.msg);
		goto out;
	}

	printf("verifier trusting the emulated root (--trust-emulated-root):\n");
	if (appraise(spki, &q, &coll, &pol, &res))
		goto out;
	tcb = json_object_get(res->claims, "tcb");
	printf("  authentic: %s, accepted: %s\n", res->authentic ? "yes" : "no", res->ok ? "yes" : "no");
	printf("  TCB status: %s\n  explanation: %s\n", claim(tcb, "status"), claim(tcb, "explanation"));
	if (json_array_size(json_object_get(tcb, "advisory_ids")))
		printf("  advisories: %s\n", json_string_value(json_array_get(json_object_get(tcb, "advisory_ids"), 0)));
	if (!res->ok) {
		print_failures(res, 8);
		fprintf(stderr, "remote_attestation: the emulated-root verifier refused the quote\n");
		goto out;
	}
	cove_result_free(res);
	res = NULL;

	printf("verifier trusting Intel's root only (any production verifier):\n");
	if (appraise(NULL, &q, &coll, &pol, &res))
		goto out;
	printf("  authentic: %s, accepted: %s\n", res->authentic ? "yes" : "no", res->ok ? "yes" : "no");
	print_failures(res, 2);
	if (res->authentic || res->ok) {
		fprintf(stderr, "remote_attestation: a verifier with Intel's root alone accepted an emulated quote\n");
		goto out;
	}
	cove_result_free(res);
	res = NULL;

	/* One flipped bit in the enclave's MRENCLAVE (quote header 48 + REPORTBODY offset 64). */
	memcpy(bad, quote, quote_len);
	bad[48 + 64] ^= 1;
	if (cove_dcap_quote_parse(bad, quote_len, &bad_q, &e)) {
		fprintf(stderr, "remote_attestation: the tampered quote: %s\n", e.msg);
		goto out;
	}
	bad_parsed = true;
	printf("the same quote with one flipped bit, emulated root trusted:\n");
	if (appraise(spki, &bad_q, &coll, &pol, &res))
		goto out;
	printf("  authentic: %s, accepted: %s\n", res->authentic ? "yes" : "no", res->ok ? "yes" : "no");
	print_failures(res, 2);
	if (res->authentic || res->ok) {
		fprintf(stderr, "remote_attestation: a tampered quote was taken as authentic\n");
		goto out;
	}

	if (out_path) {
		if (cove_file_write(out_path, quote, quote_len, 0644, &e)) {
			fprintf(stderr, "remote_attestation: %s\n", e.msg);
			goto out;
		}
		printf("quote written to %s\n", out_path);
	}
	if (coll_path) {
		if (cove_dcap_collateral_to_bundle(&coll, &bundle, &e) ||
		    cove_file_write(coll_path, bundle, strlen(bundle), 0644, &e)) {
			fprintf(stderr, "remote_attestation: %s\n", e.msg);
			goto out;
		}
		printf("collateral written to %s\n", coll_path);
	}
	cove_hex_write(hex, pol.report_data, 64);
	printf("report data: %s\n", hex);
	example_print_hex("expected MRENCLAVE", expected_mre, 32);
	printf("remote attestation: all checks passed\n");
	rc = 0;
	goto out;
usage:
	fprintf(stderr,
		"usage: %s [--out QUOTE] [--collateral-out FILE] [--platform-dir DIR] [--enclave IMAGE]\n", argv[0]);
	rc = 2;
out:
	free(bundle);
	cove_result_free(res);
	if (bad_parsed)
		cove_dcap_quote_free(&bad_q);
	if (parsed)
		cove_dcap_quote_free(&q);
	cove_dcap_policy_free(&pol);
	cove_dcap_collateral_free(&coll);
	cove_platform_free(p);
	cove_enclave_terminate(enc);
	return rc;
}
