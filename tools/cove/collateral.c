/* Collateral for the CLI (see collateral.h). */
#include <stdlib.h>

#include "collateral.h"

struct cove_cli_collateral {
	cove_cli_collateral_opts opts;
};

cove_err cove_cli_collateral_new(const cove_cli_collateral_opts *o, cove_cli_collateral **out, cove_error *e)
{
	cove_cli_collateral *c = calloc(1, sizeof(*c));
	if (!c)
		return cove_error_set(e, COVE_ERR_NOMEM, "out of memory");
	c->opts = *o;
	*out = c;
	return COVE_OK;
}

void cove_cli_collateral_attach(cove_cli_collateral *c, cove_snp_verifier *v)
{
	(void)c;
	(void)v;
}

void cove_cli_collateral_free(cove_cli_collateral *c)
{
	free(c);
}
