/*
 * `cove sgx ...`: Intel SGX DCAP quotes.
 */
#include "cli.h"

static const char usage[] =
	"Usage: cove sgx COMMAND [ARGS...]\n"
	"\n"
	"Commands:\n"
	"  show QUOTE        print every field of an SGX DCAP quote (v3, v4)\n"
	"  emulate           write a quote signed by the emulated platform (not Intel's root)\n"
	"  verify QUOTE      verify the quote against Intel's PCK chain and collateral, evaluate\n"
	"                    the TCB status and apply a policy\n"
	"\n"
	"Run 'cove sgx COMMAND --help' for the options of each.\n";

static const cove_cli_cmd commands[] = {
	{"show", cove_cmd_sgx_show, ""},
	{"emulate", cove_cmd_sgx_emulate, ""},
	{"verify", cove_cmd_sgx_verify, ""},
	{NULL, NULL, NULL},
};

int cove_cmd_sgx(int argc, char **argv)
{
	return cove_cli_dispatch("cove sgx", commands, argc, argv, usage);
}
