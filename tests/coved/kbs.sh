#!/bin/bash
# The KBS protocol against a running coved (issue #6 scope 5b), driven by
# kbs_client.mjs with node's own crypto (no JOSE library), with emulated SGX
# quotes from `cove sgx emulate`.
. "$(dirname "$0")/lib.sh"
command -v node >/dev/null 2>&1 || skip "node is needed"
node -e 'process.exit(typeof fetch === "function" ? 0 : 1)' || skip "node without fetch (node 18 or later is needed)"

PLAT=$T/plat
platform_init "$PLAT" || { fail "platform init"; finish; }
start_coved main --state-dir "$T/st" --trust-emulated-root --platform-dir "$PLAT" --admin-token-file "$T/admin" ||
	{ fail "start"; finish; }
BASE=$BASE ADMIN=$ADMIN PLAT=$PLAT node "$(dirname "$0")/kbs_client.mjs" || fail "kbs_client.mjs"
stop_coved
finish
