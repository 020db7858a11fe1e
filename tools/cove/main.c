/*
 * cove - the command-line front end of libcove.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char usage[] =
	"Usage: cove COMMAND [ARGS...]\n"
	"\n"
	"cove appraises confidential-computing evidence and emulates the hardware\n"
	"root of trust where no TEE exists.\n"
	"\n"
	"Commands:\n"
	"  snp        AMD SEV-SNP: show, verify, measure, report, emulate\n"
	"  sgx        Intel SGX DCAP quotes: show, verify\n"
	"  tdx        Intel TDX quotes: show, verify, eventlog, report\n"
	"  platform   the emulated platform (init, show)\n"
	"  keygen     create an SGX enclave signing key (RSA-3072, e = 3)\n"
	"  sign       sign an enclave image (SIGSTRUCT over MRENCLAVE); --dump inspects one\n"
	"  attest     send evidence to coved or MAA; print the token's claims\n"
	"  token      verify (against a JWKS) or show an attestation token\n"
	"  demo       the end-to-end main job run by 'make run'\n"
	"\n"
	"Every command accepts --help; most accept --json for machine output.\n"
	"\n"
	"Exit status:\n"
	"  0  success (evidence authentic and accepted by the policy)\n"
	"  1  verification failed or the policy refused the evidence\n"
	"  2  usage error or unreadable/malformed input\n"
	"  3  collateral or device unavailable (e.g. AMD KDS unreachable)\n"
	"  4  internal error\n";

static const cove_cli_cmd commands[] = {
	{"snp", cove_cmd_snp, "AMD SEV-SNP"},
	{"sgx", cove_cmd_sgx, "Intel SGX"},
	{"tdx", cove_cmd_tdx, "Intel TDX"},
	{"platform", cove_cmd_platform, "emulated platform"},
	{"keygen", cove_cmd_keygen, "enclave signing key"},
	{"sign", cove_cmd_sign, "enclave image signing"},
	{"attest", cove_cmd_attest, "attestation service client"},
	{"token", cove_cmd_token, "attestation tokens"},
	{"demo", cove_cmd_demo, "main job"},
	{NULL, NULL, NULL},
};

int main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "--version") == 0) {
		puts("cove 0.1.0");
		return 0;
	}
	return cove_cli_dispatch("cove", commands, argc, argv, usage);
}
