/*
 * `cove tdx ...`: Intel TDX quotes, event logs and in-guest reports.
 */
#include "cli.h"

static const char usage[] =
	"Usage: cove tdx COMMAND [ARGS...]\n"
	"\n"
	"Commands:\n"
	"  show QUOTE        print every field of a TD quote (v4, v5)\n"
	"  verify QUOTE      verify the quote against Intel's PCK chain and collateral, evaluate\n"
	"                    the TCB status (platform, TDX module, QE) and apply a policy\n"
	"  eventlog          replay a CCEL/TCG2 event log against RTMR values and list its events\n"
	"  report            obtain a TD quote inside a TDX guest (configfs-tsm)\n"
	"\n"
	"Run 'cove tdx COMMAND --help' for the options of each.\n";

static const cove_cli_cmd commands[] = {
	{"show", cove_cmd_tdx_show, ""},
	{"verify", cove_cmd_tdx_verify, ""},
	{"eventlog", cove_cmd_tdx_eventlog, ""},
	{"report", cove_cmd_tdx_report, ""},
	{NULL, NULL, NULL},
};

int cove_cmd_tdx(int argc, char **argv)
{
	return cove_cli_dispatch("cove tdx", commands, argc, argv, usage);
}
