#!/bin/bash
# npm `jose` as an independent client (issue #6 Must-show): installs the
# pinned jose (node/package.json) into COVED_NODE_DIR (in the build tree) and
# runs node/jose_client.mjs against coved with RS256, ES256 and ES384 tokens.
# Skips (77) when node/npm or the npm registry is unavailable.
. "$(dirname "$0")/lib.sh"
command -v node >/dev/null 2>&1 || skip "node is needed for the jose client test"
command -v npm >/dev/null 2>&1 || skip "npm is needed to install the jose package"
node -e 'process.exit(typeof fetch === "function" ? 0 : 1)' || skip "node without fetch (node 18 or later is needed)"

SRC=$(cd "$(dirname "$0")/node" && pwd)
DIR=${COVED_NODE_DIR:-$T/node}
mkdir -p "$DIR"
cp "$SRC/package.json" "$SRC/jose_client.mjs" "$DIR/"
if [ ! -f "$DIR/node_modules/jose/package.json" ] ||
	[ "$(jq -r .version "$DIR/node_modules/jose/package.json")" != "$(jq -r .dependencies.jose "$SRC/package.json")" ]; then
	(cd "$DIR" && timeout 300 npm install --no-audit --no-fund --no-package-lock --fetch-retries=1 --fetch-timeout=30000 >"$T/npm.log" 2>&1) ||
		{ tail -5 "$T/npm.log"; skip "npm install jose failed (registry unreachable?)"; }
fi
[ -f "$DIR/node_modules/jose/package.json" ] || skip "jose did not install"
echo "jose $(jq -r .version "$DIR/node_modules/jose/package.json")"

PLAT=$T/plat
platform_init "$PLAT" || { fail "platform init"; finish; }
for alg in RS256 ES256 ES384; do
	start_coved "$alg" --state-dir "$T/st-$alg" --trust-emulated-root --platform-dir "$PLAT" \
		--admin-token-file "$T/admin" --token-alg "$alg" || { fail "start ($alg)"; continue; }
	BASE=$BASE ALG=$alg ADMIN=$ADMIN PLAT=$PLAT node "$DIR/jose_client.mjs" || fail "jose client with $alg"
	stop_coved
done
finish
