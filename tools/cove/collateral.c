/*
 * Collateral for the CLI (see collateral.h): AMD KDS behind an on-disk cache
 * in $XDG_CACHE_HOME/cove/kds (or ~/.cache/cove/kds) unless told otherwise.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#include "collateral.h"
#include "cove/snp_kds.h"

struct cove_cli_collateral {
	cove_snp_kds *kds;
	char cache_dir[PATH_MAX];
};

static void default_cache_dir(char *out, size_t n)
{
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	out[0] = '\0';
	if (xdg && *xdg)
		snprintf(out, n, "%s/cove/kds", xdg);
	else if (home && *home)
		snprintf(out, n, "%s/.cache/cove/kds", home);
}

cove_err cove_cli_collateral_new(const cove_cli_collateral_opts *o, cove_cli_collateral **out, cove_error *e)
{
	cove_snp_kds_opts ko;
	cove_cli_collateral *c = calloc(1, sizeof(*c));
	if (!c)
		return cove_error_set(e, COVE_ERR_NOMEM, "out of memory");
	if (o->cache_dir)
		snprintf(c->cache_dir, sizeof(c->cache_dir), "%s", o->cache_dir);
	else
		default_cache_dir(c->cache_dir, sizeof(c->cache_dir));
	cove_snp_kds_opts_init(&ko);
	if (o->kds_url)
		ko.base_url = o->kds_url;
	ko.cache_dir = c->cache_dir[0] ? c->cache_dir : NULL;
	ko.offline = o->offline;
	ko.now = o->at;
	cove_err rc = cove_snp_kds_new(&ko, &c->kds, e);
	if (rc) {
		free(c);
		return rc;
	}
	*out = c;
	return COVE_OK;
}

void cove_cli_collateral_attach(cove_cli_collateral *c, cove_snp_verifier *v)
{
	cove_snp_collateral_source src;
	cove_snp_kds_source(c->kds, &src);
	cove_snp_verifier_set_source(v, &src);
}

void cove_cli_collateral_free(cove_cli_collateral *c)
{
	if (!c)
		return;
	cove_snp_kds_free(c->kds);
	free(c);
}
