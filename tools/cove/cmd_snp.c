/*
 * `cove snp ...`: dispatch of the SEV-SNP subcommands.
 */
#include "cli.h"

static const char usage[] =
	"Usage: cove snp COMMAND [ARGS...]\n"
	"\n"
	"Commands:\n"
	"  show REPORT       print every field of an attestation report\n"
	"  verify REPORT     verify signature, certificate chain, CRL and TCB, then apply a policy\n"
	"  measure           compute the expected launch MEASUREMENT from OVMF and VM parameters\n"
	"  report            obtain a report inside an SNP guest (configfs-tsm or /dev/sev-guest)\n"
	"  emulate           write a report signed by the emulated platform (for machines without SEV-SNP)\n"
	"\n"
	"Run 'cove snp COMMAND --help' for the options of each.\n";

static const cove_cli_cmd commands[] = {
	{"show", cove_cmd_snp_show, ""},
	{"verify", cove_cmd_snp_verify, ""},
	{"measure", cove_cmd_snp_measure, ""},
	{"report", cove_cmd_snp_report, ""},
	{"emulate", cove_cmd_snp_emulate, ""},
	{NULL, NULL, NULL},
};

int cove_cmd_snp(int argc, char **argv)
{
	return cove_cli_dispatch("cove snp", commands, argc, argv, usage);
}
