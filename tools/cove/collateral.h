/*
 * Where `cove` commands get SEV-SNP collateral that the evidence lacks: the
 * on-disk cache and AMD KDS (libcove's kds module), configured from flags.
 */
#ifndef COVE_CLI_COLLATERAL_H
#define COVE_CLI_COLLATERAL_H

#include <stdbool.h>
#include <stdint.h>

#include "cove/err.h"
#include "cove/snp.h"

typedef struct cove_cli_collateral_opts {
	bool offline;          /* cache only */
	const char *kds_url;   /* NULL = AMD's */
	const char *cache_dir; /* NULL = default */
	int64_t at;            /* verification time: decides whether a cached CRL is stale; 0 = now */
} cove_cli_collateral_opts;

typedef struct cove_cli_collateral cove_cli_collateral;

cove_err cove_cli_collateral_new(const cove_cli_collateral_opts *o, cove_cli_collateral **out, cove_error *e);
void cove_cli_collateral_attach(cove_cli_collateral *c, cove_snp_verifier *v);
void cove_cli_collateral_free(cove_cli_collateral *c);

#endif
