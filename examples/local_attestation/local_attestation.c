/*
 * examples/local_attestation/local_attestation.c - host side of the local
 * attestation sample: two different enclaves on one platform.  Bob gives his
 * TARGETINFO and a challenge; alice answers with a REPORT for bob; bob checks
 * it inside his enclave against the MRENCLAVE the host expects for alice,
 * computed here from alice's signed image.  Then the ways it must fail: a
 * flipped report byte, the wrong expected enclave, a replayed report and a
 * report alice made for herself.
 *
 * Usage: local_attestation [--platform-dir DIR]
 * Exit status: 0 success, 1 failure, 2 usage.
 */
#include <stdio.h>
#include <string.h>

#include "cove/sgx_report.h"
#include "example.h"
#include "la_alice_u.h"
#include "la_bob_u.h"

typedef struct la {
	cove_enclave *alice, *bob;
	uint8_t alice_mre[32], bob_mre[32];
} la;

/* Bob's challenge, then alice's report answering it, for bob (or, `for_self`, for alice herself). */
static int make_report(la *s, bool for_self, uint8_t report[COVE_SGX_REPORT_SIZE])
{
	uint8_t ti[COVE_SGX_TARGETINFO_SIZE], challenge[32];
	cove_sgx_targetinfo self;
	cove_error e = {0};
	cove_edge_status st;
	int r = -1;

	st = ecall_bob_challenge(s->bob, &r, ti, challenge);
	if (st != COVE_EDGE_OK || r != 0) {
		example_report_call("ecall_bob_challenge", st, s->bob);
		return -1;
	}
	if (for_self) {
		/* Bob's TARGETINFO with alice's MRENCLAVE: a report alice makes for herself. */
		if (cove_sgx_targetinfo_parse(ti, sizeof(ti), &self, &e)) {
			fprintf(stderr, "local_attestation: bob's TARGETINFO: %s\n", e.msg);
			return -1;
		}
		memcpy(self.mr_enclave, s->alice_mre, 32);
		cove_sgx_targetinfo_encode(&self, ti);
	}
	st = ecall_alice_report(s->alice, &r, ti, challenge, report);
	if (st != COVE_EDGE_OK || r != 0) {
		example_report_call("ecall_alice_report", st, s->alice);
		return -1;
	}
	return 0;
}

/* Bob's verdict: 0 accepted, > 0 refused (why[] says why), -1 the call failed. */
static int bob_verify(la *s, const uint8_t *report, const uint8_t *expected, char why[256])
{
	int r = -1;
	cove_edge_status st = ecall_bob_verify(s->bob, &r, report, expected, why);

	if (st != COVE_EDGE_OK) {
		example_report_call("ecall_bob_verify", st, s->bob);
		return -1;
	}
	why[255] = '\0';
	return r;
}

/* A case that must be refused. */
static int expect_refused(la *s, const char *what, const uint8_t *report, const uint8_t *expected)
{
	char why[256] = {0};
	int r = bob_verify(s, report, expected, why);

	if (r > 0) {
		printf("refused as it should be - %s: %s\n", what, why);
		return 0;
	}
	fprintf(stderr, "local_attestation: %s: %s\n", what, r == 0 ? "bob ACCEPTED it" : "the call failed");
	return 1;
}

int main(int argc, char **argv)
{
	example_opts o;
	la s = {0};
	cove_enclave_info ai, bi;
	cove_error e = {0};
	uint8_t report[COVE_SGX_REPORT_SIZE], bad[COVE_SGX_REPORT_SIZE], mine[COVE_SGX_REPORT_SIZE];
	char why[256] = {0};
	int rc = 1, fails = 0, r;

	if (example_parse_common(&argc, argv, &o, NULL))
		return 2;
	if (argc != 1 || o.enclave) {
		fprintf(stderr, "usage: %s [--platform-dir DIR]\n", argv[0]);
		return 2;
	}
	if (example_image_mrenclave(LA_ALICE_IMAGE, s.alice_mre))
		return 1;
	s.alice = example_start("alice", LA_ALICE_IMAGE, &o);
	s.bob = s.alice ? example_start("bob", LA_BOB_IMAGE, &o) : NULL;
	if (!s.bob)
		goto out;
	if (cove_enclave_get_info(s.alice, &ai, &e) || cove_enclave_get_info(s.bob, &bi, &e)) {
		fprintf(stderr, "local_attestation: %s\n", e.msg);
		goto out;
	}
	memcpy(s.bob_mre, bi.mr_enclave, 32);
	example_print_hex("alice MRENCLAVE (from her signed image)", s.alice_mre, 32);
	example_print_hex("bob   MRENCLAVE                        ", s.bob_mre, 32);
	if (memcmp(ai.mr_enclave, s.alice_mre, 32) != 0 || memcmp(s.alice_mre, s.bob_mre, 32) == 0) {
		fprintf(stderr, "local_attestation: alice does not run the measured image, or alice and bob are the same\n");
		goto out;
	}

	/* The exchange itself. */
	if (make_report(&s, false, report))
		goto out;
	r = bob_verify(&s, report, s.alice_mre, why);
	if (r != 0) {
		fprintf(stderr, "local_attestation: bob refused alice's genuine report: %s\n", r > 0 ? why : "call failed");
		goto out;
	}
	printf("bob verified alice's report: MAC valid, sender is alice, challenge answered\n");

	/* The same report again: its challenge is used up. */
	fails += expect_refused(&s, "the same report replayed", report, s.alice_mre);

	/* A fresh report with one flipped bit in the body (in alice's MRENCLAVE field, offset 64). */
	if (make_report(&s, false, report))
		goto out;
	memcpy(bad, report, sizeof(bad));
	bad[64] ^= 1;
	fails += expect_refused(&s, "one flipped bit in the report", bad, s.alice_mre);
	memcpy(bad, report, sizeof(bad));
	bad[COVE_SGX_REPORT_SIZE - 1] ^= 0x80;
	fails += expect_refused(&s, "one flipped bit in the MAC", bad, s.alice_mre);
	/* A genuine report from alice, but bob was told to expect another enclave. */
	fails += expect_refused(&s, "a report from an unexpected enclave", report, s.bob_mre);
	/* The untouched report is still good: the refusals above were the tampering's doing. */
	r = bob_verify(&s, report, s.alice_mre, why);
	if (r != 0) {
		fprintf(stderr, "local_attestation: the untouched report was refused: %s\n", r > 0 ? why : "call failed");
		fails++;
	}
	/* A report alice made for someone else (herself): bob's report key does not check its MAC. */
	if (make_report(&s, true, mine))
		goto out;
	fails += expect_refused(&s, "a report made for another enclave", mine, s.alice_mre);

	if (fails) {
		fprintf(stderr, "local_attestation: %d check(s) failed\n", fails);
		goto out;
	}
	printf("local attestation: all checks passed\n");
	rc = 0;
out:
	cove_enclave_terminate(s.alice);
	cove_enclave_terminate(s.bob);
	return rc;
}
