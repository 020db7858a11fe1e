/*
 * SEV-SNP appraisal policy: what a relying party requires of an authentic
 * report.  The checks mirror those of go-sev-guest's validate package and of
 * Trustee's SNP verifier (shared/research/snp.md section e): debug and
 * migration-agent bits, SMT, single socket, minimum REPORTED and LAUNCH TCB per
 * component, allowed measurements, HOST_DATA, REPORT_DATA, ID and author key
 * digests, family and image id, guest SVN, VMPL and PLATFORM_INFO bits.
 * The JSON form is documented in docs/snp-policy.md.
 */
#include <stdio.h>
#include <string.h>

#include "cove/bytes.h"
#include "cove/snp.h"

void cove_snp_policy_init(cove_snp_policy *p)
{
	memset(p, 0, sizeof(*p));
	p->allow_smt = true;
	p->vmpl = -1;
	p->require_crl = true;
	p->min_reported_tcb.fmc = p->min_reported_tcb.bootloader = p->min_reported_tcb.tee = -1;
	p->min_reported_tcb.snp = p->min_reported_tcb.microcode = -1;
	p->min_launch_tcb = p->min_reported_tcb;
}

static const struct {
	const char *name;
	uint64_t bit;
} platform_bits[] = {
	{"smt_enabled", COVE_SNP_PLATFORM_SMT_EN},
	{"tsme_enabled", COVE_SNP_PLATFORM_TSME_EN},
	{"ecc_enabled", COVE_SNP_PLATFORM_ECC_EN},
	{"rapl_disabled", COVE_SNP_PLATFORM_RAPL_DIS},
	{"ciphertext_hiding_enabled", COVE_SNP_PLATFORM_CIPHERTEXT_HIDING_EN},
	{"alias_check_complete", COVE_SNP_PLATFORM_ALIAS_CHECK_COMPLETE},
	{"sev_tio_enabled", COVE_SNP_PLATFORM_SEV_TIO_EN},
};

/* ---- JSON loading ---- */

static cove_err want_hex(json_t *v, const char *key, void *out, size_t len, cove_error *e)
{
	if (!json_is_string(v))
		return cove_error_set(e, COVE_ERR_PARSE, "policy: \"%s\" must be a hex string of %zu bytes", key, len);
	cove_error inner = {0};
	if (cove_hex_decode_fixed(json_string_value(v), out, len, &inner))
		return cove_error_set(e, COVE_ERR_PARSE, "policy: \"%s\": %s", key, inner.msg);
	return COVE_OK;
}

static cove_err want_bool(json_t *v, const char *key, bool *out, cove_error *e)
{
	if (!json_is_boolean(v))
		return cove_error_set(e, COVE_ERR_PARSE, "policy: \"%s\" must be true or false", key);
	*out = json_is_true(v);
	return COVE_OK;
}

static cove_err want_uint(json_t *v, const char *key, long long max, long long *out, cove_error *e)
{
	if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > max)
		return cove_error_set(e, COVE_ERR_PARSE, "policy: \"%s\" must be an integer from 0 to %lld", key, max);
	*out = json_integer_value(v);
	return COVE_OK;
}

static cove_err want_hex_list(json_t *v, const char *key, uint8_t (*out)[48], size_t *n, cove_error *e)
{
	size_t i;
	json_t *item;
	if (!json_is_array(v))
		return cove_error_set(e, COVE_ERR_PARSE, "policy: \"%s\" must be an array of hex strings", key);
	if (json_array_size(v) > COVE_SNP_POLICY_MAX_LIST)
		return cove_error_set(e, COVE_ERR_PARSE, "policy: \"%s\" lists more than %d values", key,
				      COVE_SNP_POLICY_MAX_LIST);
	json_array_foreach(v, i, item) {
		char what[64];
		snprintf(what, sizeof(what), "%s[%zu]", key, i);
		cove_err rc = want_hex(item, what, out[i], 48, e);
		if (rc)
			return rc;
	}
	*n = json_array_size(v);
	return COVE_OK;
}

static cove_err want_tcb(json_t *v, const char *key, cove_snp_tcb_min *t, cove_error *e)
{
	const char *k;
	json_t *val;
	if (!json_is_object(v))
		return cove_error_set(e, COVE_ERR_PARSE, "policy: \"%s\" must be an object of SPLs", key);
	json_object_foreach(v, k, val) {
		int *slot = strcmp(k, "bootloader") == 0 ? &t->bootloader
			    : strcmp(k, "tee") == 0      ? &t->tee
			    : strcmp(k, "snp") == 0      ? &t->snp
			    : strcmp(k, "microcode") == 0 ? &t->microcode
			    : strcmp(k, "fmc") == 0       ? &t->fmc
							  : NULL;
		long long x = 0;
		char what[64];
		if (!slot)
			return cove_error_set(e, COVE_ERR_PARSE,
					      "policy: \"%s\" has unknown component \"%s\" (bootloader, tee, snp, "
					      "microcode, fmc)", key, k);
		snprintf(what, sizeof(what), "%s.%s", key, k);
		cove_err rc = want_uint(val, what, 255, &x, e);
		if (rc)
			return rc;
		*slot = (int)x;
	}
	t->set = true;
	return COVE_OK;
}

static cove_err want_platform(json_t *v, cove_snp_policy *p, cove_error *e)
{
	const char *k;
	json_t *list;
	if (!json_is_object(v))
		return cove_error_set(e, COVE_ERR_PARSE, "policy: \"platform_info\" must be {\"require\": [...], "
				      "\"forbid\": [...]}");
	json_object_foreach(v, k, list) {
		uint64_t *mask = strcmp(k, "require") == 0 ? &p->platform_info_required
				 : strcmp(k, "forbid") == 0 ? &p->platform_info_forbidden
							     : NULL;
		size_t i;
		json_t *name;
		if (!mask || !json_is_array(list))
			return cove_error_set(e, COVE_ERR_PARSE, "policy: platform_info.\"%s\" is not require/forbid "
					      "with an array", k);
		json_array_foreach(list, i, name) {
			size_t b;
			for (b = 0; b < sizeof(platform_bits) / sizeof(platform_bits[0]); b++)
				if (json_is_string(name) && strcmp(json_string_value(name), platform_bits[b].name) == 0)
					break;
			if (b == sizeof(platform_bits) / sizeof(platform_bits[0]))
				return cove_error_set(e, COVE_ERR_PARSE, "policy: platform_info.%s[%zu] is not a known "
						      "platform bit (smt_enabled, tsme_enabled, ecc_enabled, "
						      "rapl_disabled, ciphertext_hiding_enabled, alias_check_complete, "
						      "sev_tio_enabled)", k, i);
			*mask |= platform_bits[b].bit;
		}
	}
	return COVE_OK;
}

static cove_err want_report_data_hash(json_t *v, cove_snp_policy *p, cove_error *e)
{
	const char *alg;
	const char *data;
	cove_hash h;
	cove_buf bytes = {0};
	if (json_unpack(v, "{s:s, s:s !}", "alg", &alg, "data", &data) != 0)
		return cove_error_set(e, COVE_ERR_PARSE, "policy: \"report_data_hash_of\" must be {\"alg\": "
				      "\"sha256|sha384|sha512\", \"data\": HEX}");
	if (strcmp(alg, "sha256") == 0)
		h = COVE_SHA256;
	else if (strcmp(alg, "sha384") == 0)
		h = COVE_SHA384;
	else if (strcmp(alg, "sha512") == 0)
		h = COVE_SHA512;
	else
		return cove_error_set(e, COVE_ERR_PARSE, "policy: report_data_hash_of.alg \"%s\" is not sha256, "
				      "sha384 or sha512", alg);
	cove_error inner = {0};
	if (cove_hex_decode(data, strlen(data), &bytes, &inner))
		return cove_error_set(e, COVE_ERR_PARSE, "policy: report_data_hash_of.data: %s", inner.msg);
	memset(p->report_data, 0, sizeof(p->report_data));
	cove_err rc = cove_digest(h, bytes.data, bytes.len, p->report_data, e);
	cove_buf_free(&bytes);
	p->has_report_data = rc == COVE_OK;
	return rc;
}

cove_err cove_snp_policy_load_json(cove_snp_policy *p, const char *text, size_t len, cove_error *e)
{
	json_error_t jerr;
	json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	const char *key;
	json_t *v;
	cove_err rc = COVE_OK;
	cove_snp_policy tmp = *p; /* bad input changes nothing */
	long long x = 0;

	if (!root)
		return cove_error_set(e, COVE_ERR_PARSE, "policy: line %d, column %d: %s", jerr.line, jerr.column,
				      jerr.text);
	if (!json_is_object(root)) {
		rc = cove_error_set(e, COVE_ERR_PARSE, "policy: the top level must be a JSON object");
		goto out;
	}
	json_object_foreach(root, key, v) {
		if (strcmp(key, "allow_debug") == 0)
			rc = want_bool(v, key, &tmp.allow_debug, e);
		else if (strcmp(key, "allow_migration_agent") == 0)
			rc = want_bool(v, key, &tmp.allow_migration_agent, e);
		else if (strcmp(key, "allow_smt") == 0)
			rc = want_bool(v, key, &tmp.allow_smt, e);
		else if (strcmp(key, "require_single_socket") == 0)
			rc = want_bool(v, key, &tmp.require_single_socket, e);
		else if (strcmp(key, "require_crl") == 0)
			rc = want_bool(v, key, &tmp.require_crl, e);
		else if (strcmp(key, "min_reported_tcb") == 0)
			rc = want_tcb(v, key, &tmp.min_reported_tcb, e);
		else if (strcmp(key, "min_launch_tcb") == 0)
			rc = want_tcb(v, key, &tmp.min_launch_tcb, e);
		else if (strcmp(key, "measurements") == 0)
			rc = want_hex_list(v, key, tmp.measurements, &tmp.n_measurements, e);
		else if (strcmp(key, "id_key_digests") == 0)
			rc = want_hex_list(v, key, tmp.id_key_digests, &tmp.n_id_key_digests, e);
		else if (strcmp(key, "author_key_digests") == 0)
			rc = want_hex_list(v, key, tmp.author_key_digests, &tmp.n_author_key_digests, e);
		else if (strcmp(key, "host_data") == 0)
			tmp.has_host_data = !(rc = want_hex(v, key, tmp.host_data, 32, e));
		else if (strcmp(key, "report_data") == 0)
			tmp.has_report_data = !(rc = want_hex(v, key, tmp.report_data, 64, e));
		else if (strcmp(key, "report_data_hash_of") == 0)
			rc = want_report_data_hash(v, &tmp, e);
		else if (strcmp(key, "family_id") == 0)
			tmp.has_family_id = !(rc = want_hex(v, key, tmp.family_id, 16, e));
		else if (strcmp(key, "image_id") == 0)
			tmp.has_image_id = !(rc = want_hex(v, key, tmp.image_id, 16, e));
		else if (strcmp(key, "min_guest_svn") == 0) {
			if (!(rc = want_uint(v, key, UINT32_MAX, &x, e)))
				tmp.min_guest_svn = (uint32_t)x;
		} else if (strcmp(key, "vmpl") == 0) {
			if (!(rc = want_uint(v, key, 3, &x, e)))
				tmp.vmpl = (int)x;
		} else if (strcmp(key, "min_report_version") == 0) {
			if (!(rc = want_uint(v, key, 5, &x, e)))
				tmp.min_version = (uint32_t)x;
		} else if (strcmp(key, "platform_info") == 0)
			rc = want_platform(v, &tmp, e);
		else
			rc = cove_error_set(e, COVE_ERR_PARSE, "policy: unknown key \"%s\" (see docs/snp-policy.md)", key);
		if (rc)
			goto out;
	}
	*p = tmp;
out:
	json_decref(root);
	return rc;
}

static json_t *hexj(const void *p, size_t n)
{
	char buf[2 * 64 + 1];
	cove_hex_write(buf, p, n);
	return json_string(buf);
}

static json_t *tcb_min_json(const cove_snp_tcb_min *t)
{
	json_t *j = json_object();
	const struct { const char *k; int v; } c[] = {
		{"bootloader", t->bootloader}, {"tee", t->tee}, {"snp", t->snp}, {"microcode", t->microcode}, {"fmc", t->fmc},
	};
	for (size_t i = 0; i < 5; i++)
		if (c[i].v >= 0)
			json_object_set_new(j, c[i].k, json_integer(c[i].v));
	return j;
}

json_t *cove_snp_policy_to_json(const cove_snp_policy *p)
{
	json_t *j = json_object(), *a;
	json_object_set_new(j, "allow_debug", json_boolean(p->allow_debug));
	json_object_set_new(j, "allow_migration_agent", json_boolean(p->allow_migration_agent));
	json_object_set_new(j, "allow_smt", json_boolean(p->allow_smt));
	json_object_set_new(j, "require_single_socket", json_boolean(p->require_single_socket));
	json_object_set_new(j, "require_crl", json_boolean(p->require_crl));
	if (p->min_reported_tcb.set)
		json_object_set_new(j, "min_reported_tcb", tcb_min_json(&p->min_reported_tcb));
	if (p->min_launch_tcb.set)
		json_object_set_new(j, "min_launch_tcb", tcb_min_json(&p->min_launch_tcb));
	if (p->n_measurements) {
		a = json_array();
		for (size_t i = 0; i < p->n_measurements; i++)
			json_array_append_new(a, hexj(p->measurements[i], 48));
		json_object_set_new(j, "measurements", a);
	}
	if (p->has_host_data)
		json_object_set_new(j, "host_data", hexj(p->host_data, 32));
	if (p->has_report_data)
		json_object_set_new(j, "report_data", hexj(p->report_data, 64));
	if (p->min_guest_svn)
		json_object_set_new(j, "min_guest_svn", json_integer(p->min_guest_svn));
	if (p->vmpl >= 0)
		json_object_set_new(j, "vmpl", json_integer(p->vmpl));
	return j;
}

/* ---- evaluation ---- */

static void check_tcb(const cove_snp_tcb_min *min, uint64_t raw, cove_snp_product product, const char *which,
		      const char *check, cove_result *res)
{
	if (!min->set)
		return;
	cove_snp_tcb t = cove_snp_tcb_decode(raw, product);
	const struct { const char *name; int have, want; } c[] = {
		{"bootloader", t.bootloader, min->bootloader}, {"tee", t.tee, min->tee}, {"snp", t.snp, min->snp},
		{"microcode", t.microcode, min->microcode},
		{"fmc", t.fmc, product == COVE_SNP_TURIN ? min->fmc : -1},
	};
	for (size_t i = 0; i < 5; i++) {
		if (c[i].want >= 0 && c[i].have < c[i].want)
			cove_result_fail(res, COVE_CHECK_POLICY, check,
					 "%s %s SPL is %d, below the policy minimum %d", which, c[i].name, c[i].have,
					 c[i].want);
	}
}

static bool in_list(const uint8_t (*list)[48], size_t n, const uint8_t *v)
{
	for (size_t i = 0; i < n; i++)
		if (memcmp(list[i], v, 48) == 0)
			return true;
	return false;
}

void cove_snp_policy_apply(const cove_snp_policy *p, const cove_snp_report *r, cove_snp_product product,
			   cove_result *res)
{
	char hex[2 * 64 + 1];

	if ((r->policy & COVE_SNP_POLICY_DEBUG) && !p->allow_debug)
		cove_result_fail(res, COVE_CHECK_POLICY, "policy.debug",
				 "the guest was launched with DEBUG allowed (guest policy bit 19): the host can read and "
				 "change its memory; the policy forbids debug guests");
	if ((r->policy & COVE_SNP_POLICY_MIGRATE_MA) && !p->allow_migration_agent)
		cove_result_fail(res, COVE_CHECK_POLICY, "policy.migration_agent",
				 "the guest policy allows a migration agent (bit 18); the policy forbids it");
	if ((r->policy & COVE_SNP_POLICY_SMT) && !p->allow_smt)
		cove_result_fail(res, COVE_CHECK_POLICY, "policy.smt",
				 "the guest policy allows SMT (bit 16); the policy requires SMT off");
	if (!(r->policy & COVE_SNP_POLICY_SINGLE_SOCKET) && p->require_single_socket)
		cove_result_fail(res, COVE_CHECK_POLICY, "policy.single_socket",
				 "the guest policy does not require a single socket (bit 20); the policy does");
	check_tcb(&p->min_reported_tcb, r->reported_tcb, product, "REPORTED_TCB", "policy.reported_tcb", res);
	check_tcb(&p->min_launch_tcb, r->launch_tcb, product, "LAUNCH_TCB", "policy.launch_tcb", res);
	if (p->n_measurements && !in_list(p->measurements, p->n_measurements, r->measurement)) {
		cove_hex_write(hex, r->measurement, 48);
		cove_result_fail(res, COVE_CHECK_POLICY, "policy.measurement",
				 "MEASUREMENT %s is not one of the %zu allowed", hex, p->n_measurements);
	}
	if (p->has_host_data && memcmp(p->host_data, r->host_data, 32) != 0) {
		cove_hex_write(hex, r->host_data, 32);
		cove_result_fail(res, COVE_CHECK_POLICY, "policy.host_data", "HOST_DATA %s differs from the expected value",
				 hex);
	}
	if (p->has_report_data && memcmp(p->report_data, r->report_data, 64) != 0) {
		cove_hex_write(hex, r->report_data, 64);
		cove_result_fail(res, COVE_CHECK_POLICY, "policy.report_data",
				 "REPORT_DATA %s differs from the expected value (nonce or key binding)", hex);
	}
	if (p->n_id_key_digests && !in_list(p->id_key_digests, p->n_id_key_digests, r->id_key_digest)) {
		cove_hex_write(hex, r->id_key_digest, 48);
		cove_result_fail(res, COVE_CHECK_POLICY, "policy.id_key_digest", "ID_KEY_DIGEST %s is not trusted", hex);
	}
	if (p->n_author_key_digests &&
	    (!r->author_key_en || !in_list(p->author_key_digests, p->n_author_key_digests, r->author_key_digest))) {
		cove_hex_write(hex, r->author_key_digest, 48);
		cove_result_fail(res, COVE_CHECK_POLICY, "policy.author_key_digest",
				 r->author_key_en ? "AUTHOR_KEY_DIGEST %s is not trusted"
						  : "no author key was used at launch (AUTHOR_KEY_EN = 0; digest %s)",
				 hex);
	}
	if (p->has_family_id && memcmp(p->family_id, r->family_id, 16) != 0) {
		cove_hex_write(hex, r->family_id, 16);
		cove_result_fail(res, COVE_CHECK_POLICY, "policy.family_id", "FAMILY_ID %s differs from the expected value",
				 hex);
	}
	if (p->has_image_id && memcmp(p->image_id, r->image_id, 16) != 0) {
		cove_hex_write(hex, r->image_id, 16);
		cove_result_fail(res, COVE_CHECK_POLICY, "policy.image_id", "IMAGE_ID %s differs from the expected value",
				 hex);
	}
	if (r->guest_svn < p->min_guest_svn)
		cove_result_fail(res, COVE_CHECK_POLICY, "policy.guest_svn", "GUEST_SVN %u is below the minimum %u",
				 r->guest_svn, p->min_guest_svn);
	if (p->vmpl >= 0 && r->vmpl != (uint32_t)p->vmpl)
		cove_result_fail(res, COVE_CHECK_POLICY, "policy.vmpl", "the report was requested at VMPL %u; the policy "
				 "requires VMPL %d", r->vmpl, p->vmpl);
	for (size_t b = 0; b < sizeof(platform_bits) / sizeof(platform_bits[0]); b++) {
		bool set = r->platform_info & platform_bits[b].bit;
		if ((p->platform_info_required & platform_bits[b].bit) && !set)
			cove_result_fail(res, COVE_CHECK_POLICY, "policy.platform_info", "platform %s is required but off",
					 platform_bits[b].name);
		if ((p->platform_info_forbidden & platform_bits[b].bit) && set)
			cove_result_fail(res, COVE_CHECK_POLICY, "policy.platform_info", "platform %s is forbidden but on",
					 platform_bits[b].name);
	}
	if (p->min_version && r->version < p->min_version)
		cove_result_fail(res, COVE_CHECK_POLICY, "policy.report_version",
				 "report version %u is below the minimum %u", r->version, p->min_version);
}
