/*
 * libFuzzer target: the token module's parsers of untrusted input
 * (include/cove/token.h) - compact JWS split/decode and verification
 * (against a JWKS, and with embedded keys allowed), and flattened JWE
 * decryption.  The key below is a throw-away P-256 test key made for this
 * target; it protects nothing.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cove/token.h"

static const char test_jwk[] = "{\"crv\":\"P-256\",\"d\":\"wtbSufAUpg7-KNiRJeuc3ZpCvmHM2NmfOnnedTUrIO8\",\"kty\":\"EC\","
			       "\"x\":\"PaCKtuz09qylHwve_Q_YNxflRst2gv2NO579d8QZxq0\","
			       "\"y\":\"hjHRMhO-T1sbHYZbOdtR607pIqPDb079_i1VXOZ4FHI\"}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static json_t *priv, *jwks;
	if (!priv) {
		char *kid = NULL;
		priv = json_loads(test_jwk, 0, NULL);
		if (!priv || cove_token_jwk_thumbprint(priv, &kid, NULL) != COVE_OK)
			abort();
		/* kid as cove issues it, so the seed token signed with this key verifies. */
		json_t *pub = json_pack("{s:s,s:s,s:O,s:O,s:s}", "kty", "EC", "crv", "P-256", "x",
					json_object_get(priv, "x"), "y", json_object_get(priv, "y"), "kid", kid);
		free(kid);
		jwks = json_pack("{s:[o]}", "keys", pub);
		if (!jwks)
			abort();
	}
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';

	json_t *hdr = NULL, *claims = NULL;
	if (cove_token_decode(text, &hdr, &claims, NULL) == COVE_OK && (!json_is_object(hdr) || !json_is_object(claims)))
		abort();
	json_decref(hdr);
	json_decref(claims);
	claims = NULL;

	cove_token_verify_opts o = {.now = 1750000000, .algs = ~0u};
	cove_token_verify_result r = {0};
	if (cove_token_verify(text, jwks, &o, &claims, &r, NULL) == COVE_OK) {
		/* Only a real signature by the test key gets here; its result must be complete. */
		if (!claims || !r.key || r.source != COVE_TOKEN_KEY_JWKS)
			abort();
	}
	cove_token_verify_result_clear(&r);
	json_decref(claims);
	claims = NULL;
	o.allow_embedded_jwk = true;
	o.allow_missing_exp = true;
	if (cove_token_verify(text, NULL, &o, &claims, &r, NULL) == COVE_OK && !r.key)
		abort();
	cove_token_verify_result_clear(&r);
	json_decref(claims);

	json_t *jwe = json_loadb((const char *)data, size, 0, NULL);
	if (jwe) {
		cove_buf out = {0};
		(void)cove_token_jwe_decrypt(jwe, priv, &out, NULL);
		cove_buf_free(&out);
		const json_t *k = NULL;
		(void)cove_skr_find_tee_key(jwe, &k, NULL);
		json_decref(jwe);
	}
	free(text);
	return 0;
}
