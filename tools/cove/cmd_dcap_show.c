/* Placeholder while the command is being written in this session. */
#include <stdio.h>
#include "cli.h"
int cove_cmd_sgx_show(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "cove: not available in this build\n");
	return COVE_EXIT_INTERNAL;
}
int cove_cmd_tdx_show(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "cove: not available in this build\n");
	return COVE_EXIT_INTERNAL;
}
