/*
 * `cove demo`: the main job run by `make run`.  The confidential-VM model end
 * to end on a machine without SEV-SNP hardware:
 *   1. the expected launch MEASUREMENT of Debian's OVMF for a 4-vCPU guest;
 *   2. an emulated platform in a fresh state directory;
 *   3. an emulated report over that measurement with fresh report data;
 *   4. its verification with the emulated root explicitly trusted, and the
 *      policy decision (measurement and report data must match);
 *   5. the same report rejected when only AMD's roots are trusted;
 *   6-9. the application-enclave model (demo_enclave.c): the demo enclave,
 *      built and signed with the project, runs in its own loader process on
 *      the same emulated platform; run 1 seals a secret, run 2 (a new process)
 *      unseals it and quotes the enclave (DCAP v3 layout);
 *   10. that quote verified with the emulated root trusted (MRENCLAVE and the
 *      fresh report data required);
 *   11. the same quote rejected when only Intel's root is trusted;
 *   12-15. coved (demo_coved.c) on loopback attests the SNP report and the
 *      enclave's quote, and releases a key to that enclave.
 */
#include <ftw.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "demo.h"
#include "cove/dcap.h"
#include "cove/dcap_verify.h"
#include "cove/platform.h"
#include "cove/snp.h"
#include "cove/snp_measure.h"

static const char usage[] =
	"Usage: cove demo [--ovmf FILE] [--vcpus N] [--vcpu-type NAME] [--state-dir DIR] [--enclave IMAGE] [--json]\n"
	"\n"
	"Run cove's main job on the emulated platform and print each step as a table:\n"
	"expected measurement of an OVMF image (default /usr/share/OVMF/OVMF_CODE.fd\n"
	"from Debian's ovmf package, 4 vCPUs, EPYC-Milan, QEMU), an emulated SEV-SNP\n"
	"report over it with fresh report data, its verification with the emulated root\n"
	"trusted, and its rejection when only AMD's roots are trusted; then the demo\n"
	"application enclave (IMAGE, default: the one built with cove) run twice in\n"
	"its own isolated process - sealing a secret, then unsealing it - and its\n"
	"quote (DCAP v3 layout) verified with the emulated root trusted and rejected\n"
	"with Intel's root only; finally a coved on loopback (SQLite store in the state\n"
	"directory) attests the SNP report and the enclave's quote and releases a key\n"
	"to the enclave, which unwraps it inside.\n"
	"\n"
	"The state directory defaults to a temporary one that is removed afterwards.\n"
	"Exit status 0 when every step behaved as expected, 1 otherwise.\n";

typedef cove_demo_step step;

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void print_table(const step *steps, size_t n)
{
	printf("\ncove main job: a confidential VM (AMD SEV-SNP), an application enclave (Intel SGX model) and\n"
	       "coved, the attestation service and key broker, on the emulated platform\n\n");
	printf("  %-3s %-38s %-6s %s\n", "#", "step", "", "result");
	printf("  %-3s %-38s %-6s %s\n", "---", "--------------------------------------", "------",
	       "------------------------------------------------------------");
	for (size_t i = 0; i < n; i++) {
		printf("  %-3zu %-38s %-6s %s\n", i + 1, steps[i].name, steps[i].ok ? "ok" : "FAIL", steps[i].result);
		if (steps[i].detail[0]) {
			const char *p = steps[i].detail;
			while (*p) {
				const char *nl = strchr(p, '\n');
				size_t len = nl ? (size_t)(nl - p) : strlen(p);
				printf("  %-3s %-38s %-6s   %.*s\n", "", "", "", (int)len, p);
				p += len + (nl ? 1 : 0);
			}
		}
	}
	printf("\nThe emulated platform is cove's own root of trust, not AMD or Intel hardware: its\n"
	       "evidence proves only that a process able to read the state directory signed it.\n"
	       "It is accepted only where --trust-emulated-root says so (docs/emulated-platform.md).\n");
}

static void append_failures(step *s, const cove_result *res)
{
	size_t used = strlen(s->detail);
	for (size_t i = 0; i < res->nfailures && used < sizeof(s->detail) - 1; i++) {
		int n = snprintf(s->detail + used, sizeof(s->detail) - used, "%s%s: %s", used ? "\n" : "",
				 res->failures[i].check, res->failures[i].detail);
		if (n < 0)
			break;
		used += (size_t)n;
	}
}

int cove_cmd_demo(int argc, char **argv)
{
	static const struct option opts[] = {
		{"ovmf", required_argument, NULL, 'o'},   {"vcpus", required_argument, NULL, 'n'},
		{"vcpu-type", required_argument, NULL, 't'}, {"state-dir", required_argument, NULL, 's'},
		{"json", no_argument, NULL, 'j'},         {"help", no_argument, NULL, 'h'},
		{"enclave", required_argument, NULL, 'E'},
		{0},
	};
	const char *ovmf_path = "/usr/share/OVMF/OVMF_CODE.fd", *vcpu_type = "EPYC-Milan", *state_dir = NULL;
#ifdef COVE_DEMO_ENCLAVE
	const char *enclave_path = COVE_DEMO_ENCLAVE;
#else
	const char *enclave_path = "";
#endif
	cove_demo_quote dq = {0};
	cove_demo_coved coved_demo;
	unsigned long long vcpus = 4;
	bool json = false;
	char tmpdir[] = "/tmp/cove-demo-XXXXXX";
	bool made_tmp = false;
	step steps[16];
	size_t nsteps = 0;
	cove_buf ovmf = {0};
	cove_platform *plat = NULL;
	cove_snp_verifier *amd_only = NULL, *with_emu = NULL;
	cove_x509_list chain = {0};
	cove_x509_crl *crl = NULL;
	cove_result *res = NULL;
	cove_error e = {0};
	uint8_t digest[COVE_SNP_LD_LEN], report_bytes[COVE_SNP_REPORT_SIZE];
	size_t digest_len = 0;
	int c, rc = COVE_EXIT_FAIL;
	char hex[2 * 64 + 1];
	json_t *verification = NULL;
	uint8_t *sgx_quote = NULL;
	size_t sgx_quote_len = 0;
	cove_dcap_collateral sgx_coll;
	cove_dcap_quote quote;
	bool have_quote = false;
	cove_dcap_verifier *dcap_emu = NULL, *dcap_intel = NULL;

	memset(&sgx_coll, 0, sizeof(sgx_coll));
	memset(&coved_demo, 0, sizeof(coved_demo));

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'o': ovmf_path = optarg; break;
		case 'n':
			if (!cove_cli_parse_u64(optarg, &vcpus) || vcpus == 0 || vcpus > COVE_SNP_MAX_VCPUS)
				return cove_cli_usage_error("cove demo", "--vcpus: '%s' is not 1..%d", optarg,
							    COVE_SNP_MAX_VCPUS);
			break;
		case 't': vcpu_type = optarg; break;
		case 's': state_dir = optarg; break;
		case 'E': enclave_path = optarg; break;
		case 'j': json = true; break;
		case 'h': fputs(usage, stdout); return COVE_EXIT_OK;
		default: return cove_cli_usage_error("cove demo", "bad option");
		}
	}
	if (optind != argc)
		return cove_cli_usage_error("cove demo", "unexpected argument '%s'", argv[optind]);
	memset(steps, 0, sizeof(steps));

	/* 1. Expected measurement. */
	step *s = &steps[nsteps++];
	s->name = "expected launch measurement";
	cove_snp_measure_opts mo;
	cove_snp_measure_opts_init(&mo);
	mo.vcpus = (unsigned)vcpus;
	if (cove_file_read(ovmf_path, COVE_SNP_OVMF_MAX_LEN, &ovmf, &e) ||
	    cove_snp_vcpu_sig_lookup(vcpu_type, &mo.vcpu_sig, &e)) {
		snprintf(s->result, sizeof(s->result), "%s", e.msg);
		rc = cove_cli_exit_code(e.code);
		goto print;
	}
	mo.ovmf = ovmf.data;
	mo.ovmf_len = ovmf.len;
	if (cove_snp_measure(&mo, digest, &digest_len, &e)) {
		snprintf(s->result, sizeof(s->result), "%s", e.msg);
		goto print;
	}
	cove_hex_write(hex, digest, digest_len);
	s->ok = true;
	snprintf(s->result, sizeof(s->result), "%s", hex);
	snprintf(s->detail, sizeof(s->detail), "%s, %llu vCPUs %s, QEMU, guest features 0x1", ovmf_path, vcpus,
		 vcpu_type);

	/* 2. Emulated platform. */
	s = &steps[nsteps++];
	s->name = "emulated SEV-SNP platform";
	if (!state_dir) {
		if (!mkdtemp(tmpdir)) {
			snprintf(s->result, sizeof(s->result), "cannot create a temporary state directory");
			goto print;
		}
		made_tmp = true;
		state_dir = tmpdir;
	}
	if (cove_platform_open(state_dir, true, &plat, &e)) {
		snprintf(s->result, sizeof(s->result), "%s", e.msg);
		goto print;
	}
	s->ok = true;
	snprintf(s->result, sizeof(s->result), "%s %s (%s)", cove_platform_was_created(plat) ? "created" : "opened",
		 cove_platform_dir(plat), cove_snp_product_name(cove_platform_product(plat)));
	snprintf(s->detail, sizeof(s->detail), "emulated ARK -> ASK -> VCEK chain, cove's own keys (never AMD's)");

	/* 3. Emulated report with fresh report data. */
	s = &steps[nsteps++];
	s->name = "emulated report, fresh report data";
	cove_snp_emulate_opts eo;
	cove_snp_emulate_opts_init(&eo);
	memcpy(eo.measurement, digest, sizeof(eo.measurement));
	cove_random_bytes(eo.report_data, sizeof(eo.report_data));
	if (cove_platform_snp_emulate(plat, &eo, report_bytes, &e) || cove_platform_snp_chain(plat, NULL, &chain, &e) ||
	    cove_platform_crl_refresh(plat, false, NULL, &e) || cove_platform_snp_crl(plat, &crl, &e)) {
		snprintf(s->result, sizeof(s->result), "%s", e.msg);
		goto print;
	}
	cove_hex_write(hex, eo.report_data, 32);
	s->ok = true;
	snprintf(s->result, sizeof(s->result), "v3 report, 1184 bytes, VCEK-signed");
	snprintf(s->detail, sizeof(s->detail), "report data %s...", hex);

	/* 4. Verify with the emulated root trusted and a policy pinning measurement and nonce. */
	s = &steps[nsteps++];
	s->name = "verify, emulated root trusted";
	cove_snp_report report;
	cove_snp_root root;
	cove_snp_policy policy;
	cove_snp_policy_init(&policy);
	memcpy(policy.measurements[0], digest, 48);
	policy.n_measurements = 1;
	memcpy(policy.report_data, eo.report_data, 64);
	policy.has_report_data = true;
	policy.vmpl = 0;
	cove_snp_verify_opts vo = {0};
	if (cove_snp_report_parse(report_bytes, sizeof(report_bytes), &report, &e) ||
	    cove_snp_verifier_new(&with_emu, &e) || cove_platform_snp_root(plat, &root, &e) ||
	    cove_snp_verifier_add_root(with_emu, &root, &e) ||
	    cove_snp_verify(with_emu, &report, &chain, crl, &policy, &vo, &res, &e)) {
		snprintf(s->result, sizeof(s->result), "%s", e.msg);
		goto print;
	}
	s->ok = res->ok;
	snprintf(s->result, sizeof(s->result), "authentic %s, policy %s", res->authentic ? "yes" : "NO",
		 res->ok ? "accepts (measurement, report data, VMPL 0, no debug)" : "REFUSES");
	append_failures(s, res);
	verification = cove_result_to_json(res);
	cove_result_free(res);
	res = NULL;

	/* 5. The same report with only AMD's roots: foreign root, rejected. */
	s = &steps[nsteps++];
	s->name = "verify, only AMD roots trusted";
	if (cove_snp_verifier_new(&amd_only, &e) ||
	    cove_snp_verify(amd_only, &report, &chain, crl, &policy, &vo, &res, &e)) {
		snprintf(s->result, sizeof(s->result), "%s", e.msg);
		goto print;
	}
	s->ok = !res->authentic && cove_result_has_failure(res, "chain.root");
	snprintf(s->result, sizeof(s->result), "%s", s->ok ? "rejected, as it must be" : "NOT REJECTED: bug");
	append_failures(s, res);
	if (!s->ok)
		goto print;
	cove_result_free(res);
	res = NULL;

	/* 6-9. The application-enclave model: the demo enclave, sealed across two runs, then quoted. */
	{
		size_t before = nsteps;
		nsteps += cove_demo_enclave_steps(cove_platform_dir(plat), enclave_path, &steps[nsteps], &dq);
		for (size_t i = before; i < nsteps; i++)
			if (!steps[i].ok)
				goto print;
	}

	/* 10. Its quote, DCAP-verified with the emulated root trusted. */
	s = &steps[nsteps++];
	s->name = "enclave quote, emulated root trusted";
	uint8_t spki[32];
	if (cove_platform_sgx_collateral(plat, &sgx_coll, &e) || cove_platform_sgx_root(plat, spki, &e) ||
	    cove_dcap_quote_parse(dq.quote, dq.len, &quote, &e)) {
		snprintf(s->result, sizeof(s->result), "%s", e.msg);
		goto print;
	}
	sgx_quote = dq.quote;
	sgx_quote_len = dq.len;
	dq.quote = NULL;
	have_quote = true;
	cove_dcap_policy dpolicy;
	cove_dcap_policy_init(&dpolicy);
	memcpy(dpolicy.mr_enclaves[0], dq.mr_enclave, 32);
	dpolicy.n_mr_enclaves = 1;
	memcpy(dpolicy.report_data, dq.report_data, 64);
	dpolicy.has_report_data = true;
	cove_dcap_verify_opts dvo = {0};
	cove_err drc = cove_dcap_verifier_new(&dcap_emu, &e);
	if (!drc)
		drc = cove_dcap_verifier_add_root(dcap_emu, spki, COVE_PLATFORM_NAME, true, &e);
	if (!drc)
		drc = cove_dcap_verify(dcap_emu, &quote, &sgx_coll, &dpolicy, &dvo, &res, &e);
	if (drc) {
		cove_dcap_policy_free(&dpolicy);
		snprintf(s->result, sizeof(s->result), "%s", e.msg);
		goto print;
	}
	s->ok = res->ok;
	json_t *tcb = json_object_get(res->claims, "tcb");
	snprintf(s->result, sizeof(s->result), "v3 quote, %zu bytes: authentic %s, TCB %s, policy %s", sgx_quote_len,
		 res->authentic ? "yes" : "NO", tcb ? json_string_value(json_object_get(tcb, "status")) : "?",
		 res->ok ? "accepts (MRENCLAVE, report data, no debug)" : "REFUSES");
	append_failures(s, res);
	cove_result_free(res);
	res = NULL;

	/* 11. The same quote with Intel's root only. */
	s = &steps[nsteps++];
	s->name = "enclave quote, only Intel's root";
	if (cove_dcap_verifier_new(&dcap_intel, &e) ||
	    cove_dcap_verify(dcap_intel, &quote, &sgx_coll, &dpolicy, &dvo, &res, &e)) {
		cove_dcap_policy_free(&dpolicy);
		snprintf(s->result, sizeof(s->result), "%s", e.msg);
		goto print;
	}
	cove_dcap_policy_free(&dpolicy);
	s->ok = !res->authentic && cove_result_has_failure(res, "root");
	snprintf(s->result, sizeof(s->result), "%s", s->ok ? "rejected, as it must be" : "NOT REJECTED: bug");
	for (size_t i = 0; i < res->nfailures; i++) {
		if (strcmp(res->failures[i].check, "root") == 0) {
			snprintf(s->detail, sizeof(s->detail), "root: %s", res->failures[i].detail);
			break;
		}
	}

	/* 12-15. coved: the same evidence through the attestation service, and a key released to the enclave. */
	{
		cove_buf chain_pem = {0};
		if (cove_platform_snp_chain_pem(plat, NULL, &chain_pem, &e)) {
			s = &steps[nsteps++];
			s->name = "coved on loopback";
			snprintf(s->result, sizeof(s->result), "%s", e.msg);
		} else {
			nsteps += cove_demo_coved_steps(&coved_demo, cove_platform_dir(plat), report_bytes, sizeof(report_bytes),
							&chain_pem, enclave_path, &steps[nsteps]);
		}
		cove_buf_free(&chain_pem);
	}
	rc = COVE_EXIT_OK;
	for (size_t i = 0; i < nsteps; i++)
		if (!steps[i].ok)
			rc = COVE_EXIT_FAIL;

print:
	if (json) {
		json_t *arr = json_array();
		for (size_t i = 0; i < nsteps; i++)
			json_array_append_new(arr, json_pack("{s:s, s:b, s:s, s:s}", "step", steps[i].name, "ok",
							     steps[i].ok, "result", steps[i].result, "detail",
							     steps[i].detail));
		cove_cli_print_json(json_pack("{s:b, s:o, s:o?}", "ok", rc == COVE_EXIT_OK, "steps", arr,
					      "verification", verification));
		verification = NULL;
	} else {
		print_table(steps, nsteps);
	}
	json_decref(verification);
	if (have_quote)
		cove_dcap_quote_free(&quote);
	free(sgx_quote);
	free(dq.quote);
	cove_demo_coved_stop(&coved_demo);
	cove_dcap_collateral_free(&sgx_coll);
	cove_dcap_verifier_free(dcap_emu);
	cove_dcap_verifier_free(dcap_intel);
	cove_result_free(res);
	cove_snp_verifier_free(amd_only);
	cove_snp_verifier_free(with_emu);
	cove_x509_crl_free(crl);
	cove_x509_list_free(&chain);
	cove_platform_free(plat);
	cove_buf_free(&ovmf);
	if (made_tmp)
		nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	return rc;
}
