/*
 * Intel SGX / TDX DCAP quote verification and TCB evaluation.
 *
 * The order of checks follows Intel's Quote Verification Library
 * (QuoteVerifier::verify, sections 4.1.2.4.x, and Checks/TcbLevelCheck.cpp,
 * TdxModuleCheck.cpp, TDRelaunchCheck.cpp; summarised in
 * shared/research/sgx-tdx.md section c).  Differences from QVL, on purpose:
 *   - the root CA is pinned by its public key, not by its DER or signature
 *     bytes (Intel published two DER encodings of the same root);
 *   - every check runs and every failure is reported, instead of stopping at
 *     the first;
 *   - a TCB status is a fact about the platform; whether it is acceptable is
 *     the policy's decision, and each status comes with an explanation.
 *
 * Expensive checks whose inputs repeat between quotes (certificate chains,
 * CRL and collateral signatures, the QE report of a platform) are remembered
 * by the SHA-256 of everything they covered, with the validity window that
 * applied, so a warm verifier spends its time on the quote's own signature.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "cove/bytes.h"
#include "cove/dcap_verify.h"

#define MEMO_MAX 256

/* Intel SGX Root CA: SHA-256 of its SubjectPublicKeyInfo (shared/vectors/sgx/MANIFEST.md). Both
 * published DER encodings (notAfter 2033 and 2049) carry this key. */
static const char intel_root_spki[] = "a0af031289f5d5d4132f9186068a7fc13628633ba235777472e29b6b6c67a49e";

typedef struct root {
	uint8_t spki[32];
	char name[64];
	bool emulated;
} root;

typedef struct memo {
	uint8_t key[32];
	int64_t not_before, not_after;
} memo;

/* A verified PCK chain, by the SHA-256 of the quote's certification data. */
typedef struct pck_entry {
	uint8_t key[32];
	cove_x509_list certs; /* owned */
	cove_x509 *leaf, *issuer, *root;
	const struct root *anchor;
	cove_sgx_pck_ext ext;
	int64_t not_before, not_after;
} pck_entry;

/* An attestation key, decoded once per platform. */
typedef struct key_entry {
	uint8_t xy[64];
	cove_pkey *key;
} key_entry;

#define PCK_CACHE 64
#define KEY_CACHE 64

struct cove_dcap_verifier {
	root *roots;
	size_t nroots;
	pthread_mutex_t lock;
	memo memos[MEMO_MAX];
	size_t nmemos, memo_next;
	pck_entry pcks[PCK_CACHE];
	size_t npcks, pck_next;
	key_entry keys[KEY_CACHE];
	size_t nkeys, key_next;
	bool remember_platforms; /* PCK chains, QE reports and attestation keys (default on) */
};

cove_err cove_dcap_verifier_new(cove_dcap_verifier **out, cove_error *e)
{
	uint8_t spki[32];
	cove_dcap_verifier *v = calloc(1, sizeof(*v));
	if (!v)
		return cove_error_set(e, COVE_ERR_NOMEM, "out of memory");
	pthread_mutex_init(&v->lock, NULL);
	v->remember_platforms = true;
	cove_hex_decode_fixed(intel_root_spki, spki, sizeof(spki), NULL);
	cove_err rc = cove_dcap_verifier_add_root(v, spki, "Intel SGX Root CA", false, e);
	if (rc) {
		cove_dcap_verifier_free(v);
		return rc;
	}
	*out = v;
	return COVE_OK;
}

void cove_dcap_verifier_remember_platforms(cove_dcap_verifier *v, bool on)
{
	v->remember_platforms = on;
}

void cove_dcap_verifier_free(cove_dcap_verifier *v)
{
	if (!v)
		return;
	for (size_t i = 0; i < v->npcks; i++)
		cove_x509_list_free(&v->pcks[i].certs);
	for (size_t i = 0; i < v->nkeys; i++)
		cove_pkey_free(v->keys[i].key);
	pthread_mutex_destroy(&v->lock);
	free(v->roots);
	free(v);
}

cove_err cove_dcap_verifier_add_root(cove_dcap_verifier *v, const uint8_t spki_sha256[32], const char *name,
				     bool emulated, cove_error *e)
{
	root *n = realloc(v->roots, (v->nroots + 1) * sizeof(*n));
	if (!n)
		return cove_error_set(e, COVE_ERR_NOMEM, "out of memory");
	v->roots = n;
	root *r = &v->roots[v->nroots++];
	memcpy(r->spki, spki_sha256, 32);
	snprintf(r->name, sizeof(r->name), "%s", name);
	r->emulated = emulated;
	return COVE_OK;
}

/* ---- memo of checks that held ---- */

/* Key = SHA-256 over the labelled parts. */
static bool memo_key(uint8_t key[32], const char *label, const void *const *parts, const size_t *lens, size_t n)
{
	cove_hash_ctx *h = NULL;
	bool ok = cove_hash_ctx_new(COVE_SHA256, &h, NULL) == COVE_OK &&
		  cove_hash_ctx_update(h, label, strlen(label) + 1, NULL) == COVE_OK;
	for (size_t i = 0; ok && i < n; i++) {
		uint8_t len_le[8];
		cove_put_le64(len_le, (uint64_t)lens[i]);
		ok = cove_hash_ctx_update(h, len_le, 8, NULL) == COVE_OK &&
		     cove_hash_ctx_update(h, parts[i], lens[i], NULL) == COVE_OK;
	}
	ok = ok && cove_hash_ctx_final(h, key, NULL) == COVE_OK;
	cove_hash_ctx_free(h);
	return ok;
}

static bool memo_has(cove_dcap_verifier *v, const uint8_t key[32], int64_t at)
{
	bool hit = false;
	pthread_mutex_lock(&v->lock);
	for (size_t i = 0; i < v->nmemos && !hit; i++)
		hit = memcmp(v->memos[i].key, key, 32) == 0 && at >= v->memos[i].not_before && at <= v->memos[i].not_after;
	pthread_mutex_unlock(&v->lock);
	return hit;
}

static void memo_put(cove_dcap_verifier *v, const uint8_t key[32], int64_t not_before, int64_t not_after)
{
	pthread_mutex_lock(&v->lock);
	memo *m = v->nmemos < MEMO_MAX ? &v->memos[v->nmemos++] : &v->memos[v->memo_next++ % MEMO_MAX];
	memcpy(m->key, key, 32);
	m->not_before = not_before;
	m->not_after = not_after;
	pthread_mutex_unlock(&v->lock);
}

/* ---- helpers ---- */

static void cn_of(cove_x509 *c, char *out, size_t n)
{
	cove_x509_subject_cn(c, out, n);
	if (!out[0])
		snprintf(out, n, "(no CN)");
}

static const root *root_of(const cove_dcap_verifier *v, cove_x509 *c)
{
	uint8_t spki[32];
	if (!cove_x509_is_self_issued(c) || cove_x509_spki_sha256(c, spki, NULL))
		return NULL;
	for (size_t i = 0; i < v->nroots; i++)
		if (memcmp(v->roots[i].spki, spki, 32) == 0)
			return &v->roots[i];
	return NULL;
}

/* ECDSA P-256 / SHA-256 with a big-endian r||s, as everywhere in DCAP. */
static cove_err verify_p256(cove_pkey *key, const void *msg, size_t len, const uint8_t sig[64], cove_error *e)
{
	return cove_ecdsa_verify_raw(key, COVE_SHA256, msg, len, sig, sig + 32, 32, false, e);
}

/* A verified chain: the leaf, its issuer (or the root for two-certificate chains) and the root. */
typedef struct chain {
	cove_x509 *leaf, *issuer, *root;
	const root *anchor;
} chain;

/*
 * Verify `certs` (any order) as leaf -> [intermediate ->] root at `at`, the root
 * pinned.  `what` names the chain in failures ("pck", "tcb_info", ...); `leaf_cn`
 * and `issuer_cn` (may be NULL) are required substrings of the subjects.
 */
static bool check_chain(cove_dcap_verifier *v, const cove_x509_list *certs, const char *what, const char *leaf_cn,
			const char *issuer_cn, int64_t at, chain *out, cove_result *res)
{
	char check[64], cn[160];
	cove_x509_list mids = {0}, path = {0};
	cove_error e = {0};
	bool ok = false;

	memset(out, 0, sizeof(*out));
	snprintf(check, sizeof(check), "%s.chain", what);
	cove_x509 *self_issued = NULL;
	for (size_t i = 0; i < certs->count; i++) {
		cove_x509 *c = certs->certs[i];
		if (cove_x509_is_self_issued(c)) {
			const root *r = root_of(v, c);
			if (r && (!out->anchor || r->emulated < out->anchor->emulated)) {
				out->root = c;
				out->anchor = r;
			}
			self_issued = c;
		} else if (!cove_x509_is_ca(c)) {
			if (out->leaf) {
				cove_result_fail(res, COVE_CHECK_AUTHENTICITY, check, "the %s chain has more than one end-entity "
						 "certificate", what);
				goto out;
			}
			out->leaf = c;
		} else {
			cove_x509_list_add(&mids, c, NULL);
		}
	}
	if (!out->leaf) {
		cove_result_fail(res, COVE_CHECK_AUTHENTICITY, check, "the %s chain has no end-entity certificate", what);
		goto out;
	}
	if (!out->root) {
		if (self_issued) {
			uint8_t spki[32];
			char hex[65];
			cn_of(self_issued, cn, sizeof(cn));
			cove_x509_spki_sha256(self_issued, spki, NULL);
			cove_hex_write(hex, spki, 32);
			cove_result_fail(res, COVE_CHECK_AUTHENTICITY, "root", "the %s chain ends at '%s' (key SHA-256 %s), which "
					 "is not the Intel SGX Root CA: foreign roots, such as Intel's test root, are never "
					 "trusted", what, cn, hex);
		} else {
			cove_result_fail(res, COVE_CHECK_AUTHENTICITY, check, "the %s chain does not include its root CA", what);
		}
		goto out;
	}
	cn_of(out->leaf, cn, sizeof(cn));
	if (leaf_cn && !strstr(cn, leaf_cn)) {
		cove_result_fail(res, COVE_CHECK_AUTHENTICITY, check, "the %s certificate is '%s', expected '%s'", what, cn,
				 leaf_cn);
		goto out;
	}

	/* Remembered? Key on every certificate of the chain. */
	const void *parts[8] = {0};
	size_t lens[8] = {0}, n = 0;
	cove_buf ders[8] = {{0}};
	for (size_t i = 0; i < certs->count && n < 8; i++, n++) {
		if (cove_x509_der(certs->certs[i], &ders[n], NULL))
			break;
		parts[n] = ders[n].data;
		lens[n] = ders[n].len;
	}
	uint8_t key[32];
	bool platform = strcmp(what, "pck") == 0;
	bool keyed = n == certs->count && (!platform || v->remember_platforms) && memo_key(key, "chain", parts, lens, n);
	for (size_t i = 0; i < n; i++)
		cove_buf_free(&ders[i]);

	if (!(keyed && memo_has(v, key, at))) {
		for (size_t i = 0; i < certs->count; i++) {
			if (cove_x509_check_validity(certs->certs[i], at, &e)) {
				snprintf(check, sizeof(check), "%s.validity", what);
				cn_of(certs->certs[i], cn, sizeof(cn));
				cove_result_fail(res, COVE_CHECK_AUTHENTICITY, check, "certificate '%s' %s", cn, e.msg);
				goto out;
			}
		}
		if (cove_x509_check_signature(out->root, cove_x509_pubkey(out->root), &e) ||
		    cove_x509_verify_path(out->leaf, &mids, out->root, at, &path, &e)) {
			cove_result_fail(res, COVE_CHECK_AUTHENTICITY, check, "%s chain: %s", what, e.msg);
			goto out;
		}
		if (keyed) {
			int64_t nb = 0, na = INT64_MAX;
			for (size_t i = 0; i < certs->count; i++) {
				int64_t b = cove_x509_not_before(certs->certs[i]), a = cove_x509_not_after(certs->certs[i]);
				nb = b > nb ? b : nb;
				na = a < na ? a : na;
			}
			memo_put(v, key, nb, na);
		}
	}
	/* The leaf's issuer, by name and key identifier (its signature was checked above or before). */
	out->issuer = out->root;
	for (size_t i = 0; i < mids.count; i++)
		if (cove_x509_is_issuer_of(mids.certs[i], out->leaf))
			out->issuer = mids.certs[i];
	if (issuer_cn) {
		cn_of(out->issuer, cn, sizeof(cn));
		if (!strstr(cn, issuer_cn)) {
			cove_result_fail(res, COVE_CHECK_AUTHENTICITY, check, "the %s issuer is '%s', expected '%s'", what, cn,
					 issuer_cn);
			goto out;
		}
	}
	ok = true;
out:
	cove_x509_list_free(&path);
	cove_x509_list_free(&mids);
	return ok;
}

/* A CRL issued and signed by `issuer`, current at `at`, not listing `subject`. */
static bool check_crl(cove_dcap_verifier *v, cove_x509_crl *crl, const char *what, cove_x509 *issuer,
		      cove_x509 *subject, int64_t at, cove_result *res)
{
	char check[64], cn[160], when[32], edge[32], serial[96];
	cove_error e = {0};
	cove_buf der = {0}, ider = {0};
	uint8_t key[32];
	bool keyed = false;

	snprintf(check, sizeof(check), "crl.%s", what);
	if (!crl) {
		cove_result_fail(res, COVE_CHECK_AUTHENTICITY, check, "the collateral has no %s CRL", what);
		return false;
	}
	cn_of(issuer, cn, sizeof(cn));
	if (!cove_x509_crl_issued_by(crl, issuer)) {
		cove_result_fail(res, COVE_CHECK_AUTHENTICITY, check, "the %s CRL was not issued by '%s'", what, cn);
		return false;
	}
	if (cove_x509_crl_der(crl, &der, NULL) == COVE_OK && cove_x509_der(issuer, &ider, NULL) == COVE_OK) {
		const void *parts[] = {der.data, ider.data};
		size_t lens[] = {der.len, ider.len};
		keyed = memo_key(key, "crl", parts, lens, 2);
	}
	cove_buf_free(&der);
	cove_buf_free(&ider);
	if (!(keyed && memo_has(v, key, at))) {
		if (cove_x509_crl_check_signature(crl, cove_x509_pubkey(issuer), &e)) {
			cove_result_fail(res, COVE_CHECK_AUTHENTICITY, check, "the %s CRL: %s", what, e.msg);
			return false;
		}
		if (keyed)
			memo_put(v, key, INT64_MIN, INT64_MAX);
	}
	int64_t this_update = cove_x509_crl_this_update(crl), next_update = cove_x509_crl_next_update(crl);
	cove_time_format(at, when);
	if (at < this_update || !next_update || at > next_update) {
		cove_time_format(at < this_update ? this_update : next_update, edge);
		cove_result_fail(res, COVE_CHECK_AUTHENTICITY, check, at < this_update
				 ? "the %s CRL was issued at %s, after the verification time %s"
				 : "the %s CRL is stale at %s (nextUpdate %s): fetch fresh collateral",
				 what, at < this_update ? edge : when, at < this_update ? when : edge);
		return false;
	}
	if (subject && cove_x509_crl_lists(crl, subject)) {
		cove_x509_serial_hex(subject, serial, sizeof(serial));
		cn_of(subject, cn, sizeof(cn));
		cove_result_fail(res, COVE_CHECK_AUTHENTICITY, check, "certificate '%s' (serial 0x%s) is revoked by the %s CRL",
				 cn, serial, what);
		return false;
	}
	return true;
}

/* TCB info or QE identity: signing chain to the root, root CRL, signature over the exact bytes, freshness. */
static bool check_signed_json(cove_dcap_verifier *v, const char *what, const cove_x509_list *issuer_chain,
			      cove_x509_crl *root_crl, const cove_buf *raw, const uint8_t sig[64], int64_t issue_date,
			      int64_t next_update, int64_t at, cove_result *res)
{
	chain ch;
	char check[64], when[32], edge[32];
	cove_error e = {0};
	if (!raw->data || !raw->len) {
		snprintf(check, sizeof(check), "collateral.%s", what);
		cove_result_fail(res, COVE_CHECK_AUTHENTICITY, check, "the collateral has no %s", what);
		return false;
	}
	if (!check_chain(v, issuer_chain, what, "TCB Signing", NULL, at, &ch, res))
		return false;
	if (root_crl && cove_x509_crl_lists(root_crl, ch.leaf)) {
		snprintf(check, sizeof(check), "crl.%s", what);
		cove_result_fail(res, COVE_CHECK_AUTHENTICITY, check, "the TCB signing certificate is revoked by the root CA CRL");
		return false;
	}
	cove_buf der = {0};
	uint8_t key[32];
	bool keyed = false;
	if (cove_x509_der(ch.leaf, &der, NULL) == COVE_OK) {
		const void *parts[] = {der.data, raw->data, sig};
		size_t lens[] = {der.len, raw->len, 64};
		keyed = memo_key(key, "json", parts, lens, 3);
	}
	cove_buf_free(&der);
	if (!(keyed && memo_has(v, key, at))) {
		if (verify_p256(cove_x509_pubkey(ch.leaf), raw->data, raw->len, sig, &e)) {
			snprintf(check, sizeof(check), "collateral.%s.signature", what);
			cove_result_fail(res, COVE_CHECK_AUTHENTICITY, check, "the %s signature does not verify over its exact "
					 "JSON bytes with the TCB signing key", what);
			return false;
		}
		if (keyed)
			memo_put(v, key, INT64_MIN, INT64_MAX);
	}
	cove_time_format(at, when);
	if (at < issue_date || at > next_update) {
		snprintf(check, sizeof(check), "collateral.%s.validity", what);
		cove_time_format(at < issue_date ? issue_date : next_update, edge);
		cove_result_fail(res, COVE_CHECK_AUTHENTICITY, check,
				 at < issue_date ? "the %s was issued at %s, after the verification time %s"
						 : "the %s is out of date at %s (nextUpdate %s): fetch fresh collateral",
				 what, at < issue_date ? edge : when, at < issue_date ? when : edge);
		return false;
	}
	return true;
}

/* ---- TCB evaluation (QVL TcbLevelCheck.cpp, TdxModuleCheck.cpp, TDRelaunchCheck.cpp) ---- */

static bool sgx_level_matches(const cove_sgx_pck_ext *pck, const cove_dcap_tcb_level *l)
{
	for (int i = 0; i < 16; i++)
		if (pck->tcb_comp[i] < l->sgx_comp[i])
			return false;
	return pck->pcesvn >= l->pcesvn;
}

static bool tdx_level_matches(const uint8_t tee_tcb_svn[16], const cove_dcap_tcb_level *l)
{
	/* With a TDX module version in TEE_TCB_SVN[1], bytes 0 and 1 are judged by the module identity. */
	for (int i = tee_tcb_svn[1] > 0 ? 2 : 0; i < 16; i++)
		if (tee_tcb_svn[i] < l->tdx_comp[i])
			return false;
	return true;
}

static bool is_config_needed(cove_tcb_status s)
{
	return s == COVE_TCB_CONFIGURATION_NEEDED || s == COVE_TCB_OUT_OF_DATE_CONFIGURATION_NEEDED ||
	       s == COVE_TCB_CONFIGURATION_AND_SW_HARDENING_NEEDED ||
	       s == COVE_TCB_TD_RELAUNCH_ADVISED_CONFIGURATION_NEEDED;
}

/* A component (QE or TDX module) that is OutOfDate or Revoked drags the platform status down. */
static cove_tcb_status converge(cove_tcb_status platform, cove_tcb_status component)
{
	if (component == COVE_TCB_OUT_OF_DATE) {
		if (platform == COVE_TCB_UP_TO_DATE || platform == COVE_TCB_SW_HARDENING_NEEDED)
			return COVE_TCB_OUT_OF_DATE;
		if (platform == COVE_TCB_CONFIGURATION_NEEDED || platform == COVE_TCB_CONFIGURATION_AND_SW_HARDENING_NEEDED)
			return COVE_TCB_OUT_OF_DATE_CONFIGURATION_NEEDED;
	}
	if (component == COVE_TCB_REVOKED)
		return COVE_TCB_REVOKED;
	if (component == COVE_TCB_NOT_SUPPORTED)
		return COVE_TCB_NOT_SUPPORTED;
	return platform;
}

static const cove_dcap_tdx_module_identity *find_module(const cove_dcap_tcb_info *t, uint8_t version)
{
	char id[16];
	snprintf(id, sizeof(id), "TDX_%02X", version);
	for (size_t i = 0; i < t->nmodules; i++)
		if (strcasecmp(t->modules[i].id, id) == 0)
			return &t->modules[i];
	return NULL;
}

static const cove_dcap_isv_level *find_isv_level(const cove_dcap_isv_level *levels, size_t n, uint16_t isvsvn)
{
	for (size_t i = 0; i < n; i++)
		if (isvsvn >= levels[i].isvsvn)
			return &levels[i];
	return NULL;
}

static void add_advisories(json_t *all, json_t *ids)
{
	size_t i, j;
	json_t *id, *have;
	json_array_foreach(ids, i, id) {
		bool dup = false;
		json_array_foreach(all, j, have)
			dup |= json_equal(have, id);
		if (!dup)
			json_array_append(all, id);
	}
}

typedef struct tcb_verdict {
	bool evaluated;
	cove_tcb_status status, platform, module, qe;
	bool has_module, has_qe;
	int64_t tcb_date;
	json_t *advisories;
	char note[256];
} tcb_verdict;

static void evaluate_tcb(const cove_dcap_quote *q, const cove_sgx_pck_ext *pck, const cove_dcap_tcb_info *ti,
			 bool has_qe, cove_tcb_status qe_status, json_t *qe_advisories, tcb_verdict *out)
{
	bool tdx = q->tee_type == COVE_TEE_TDX && ti->version >= 3 && strcmp(ti->id, "TDX") == 0;
	const cove_dcap_tcb_level *sgx_level = NULL, *tdx_level = NULL;
	out->evaluated = true;
	out->has_qe = has_qe;
	out->qe = qe_status;
	for (size_t i = 0; i < ti->nlevels; i++) {
		const cove_dcap_tcb_level *l = &ti->levels[i];
		if (!sgx_level_matches(pck, l))
			continue;
		if (!sgx_level)
			sgx_level = l;
		if (!tdx || (l->has_tdx && tdx_level_matches(q->td.tee_tcb_svn, l))) {
			tdx_level = l;
			break;
		}
	}
	if (!sgx_level || (tdx && !tdx_level)) {
		out->status = out->platform = COVE_TCB_NOT_SUPPORTED;
		snprintf(out->note, sizeof(out->note), "no %s TCB level of TCB info (FMSPC, evaluation data number %d) is "
			 "at or below this platform's", !sgx_level ? "SGX" : "TDX", ti->tcb_evaluation_data_number);
		return;
	}
	const cove_dcap_tcb_level *chosen = tdx ? tdx_level : sgx_level;
	out->platform = chosen->status;
	out->tcb_date = chosen->tcb_date;
	add_advisories(out->advisories, chosen->advisory_ids);
	cove_tcb_status status = chosen->status;

	if (tdx) {
		/* TDX module: identity "TDX_<version>" when TEE_TCB_SVN[1] names one, judged by TEE_TCB_SVN[0]. */
		cove_tcb_status module = COVE_TCB_UP_TO_DATE;
		if (q->td.tee_tcb_svn[1] > 0) {
			const cove_dcap_tdx_module_identity *mod = find_module(ti, q->td.tee_tcb_svn[1]);
			const cove_dcap_isv_level *ml = mod ? find_isv_level(mod->levels, mod->nlevels, q->td.tee_tcb_svn[0]) : NULL;
			if (!ml) {
				out->status = out->module = COVE_TCB_NOT_SUPPORTED;
				out->has_module = true;
				if (mod)
					snprintf(out->note, sizeof(out->note), "TDX module %s has no TCB level at or below "
						 "ISVSVN %u", mod->id, q->td.tee_tcb_svn[0]);
				else
					snprintf(out->note, sizeof(out->note), "the TCB info has no identity TDX_%02X for this "
						 "TDX module", q->td.tee_tcb_svn[1]);
				return;
			}
			module = ml->status;
			out->has_module = true;
			add_advisories(out->advisories, ml->advisory_ids);
		}
		out->module = module;
		status = converge(status, module);
		/* TD relaunch: the TD was built on an older module; the module running now (TEE_TCB_SVN2) is current. */
		if (q->td.is_15 && (!has_qe || qe_status == COVE_TCB_UP_TO_DATE) &&
		    (sgx_level->status == COVE_TCB_UP_TO_DATE || sgx_level->status == COVE_TCB_SW_HARDENING_NEEDED ||
		     sgx_level->status == COVE_TCB_CONFIGURATION_NEEDED ||
		     sgx_level->status == COVE_TCB_CONFIGURATION_AND_SW_HARDENING_NEEDED) &&
		    (status == COVE_TCB_OUT_OF_DATE || status == COVE_TCB_OUT_OF_DATE_CONFIGURATION_NEEDED) &&
		    module == COVE_TCB_OUT_OF_DATE && ti->nlevels > 0) {
			const uint8_t *svn2 = q->td.tee_tcb_svn2;
			const cove_dcap_tcb_level *latest = &ti->levels[0];
			bool current = false;
			if (svn2[1] == 0) {
				current = svn2[0] >= latest->tdx_comp[0] && svn2[2] >= latest->tdx_comp[2];
			} else {
				const cove_dcap_tdx_module_identity *mod2 = find_module(ti, svn2[1]);
				current = mod2 && mod2->nlevels > 0 && svn2[0] >= mod2->levels[0].isvsvn &&
					  svn2[2] >= latest->tdx_comp[2];
			}
			if (current)
				status = is_config_needed(sgx_level->status) || is_config_needed(status)
						 ? COVE_TCB_TD_RELAUNCH_ADVISED_CONFIGURATION_NEEDED
						 : COVE_TCB_TD_RELAUNCH_ADVISED;
		}
	}
	if (has_qe) {
		status = converge(status, qe_status);
		add_advisories(out->advisories, qe_advisories);
	}
	out->status = status;
}

const char *cove_tcb_status_explain(cove_tcb_status s)
{
	switch (s) {
	case COVE_TCB_UP_TO_DATE:
		return "The platform runs the latest TCB Intel has released: every known security fix for it is applied.";
	case COVE_TCB_SW_HARDENING_NEEDED:
		return "The platform is patched, but the listed advisories also need software mitigations inside the "
		       "enclave or TD, which a quote cannot show. Accept it only if your software is built with them.";
	case COVE_TCB_CONFIGURATION_NEEDED:
		return "The platform is patched, but its configuration (BIOS settings such as hyper-threading or memory "
		       "integrity) leaves the listed advisories open. The platform owner must change the configuration.";
	case COVE_TCB_CONFIGURATION_AND_SW_HARDENING_NEEDED:
		return "The platform is patched, but both its configuration and the software inside the enclave or TD "
		       "must mitigate the listed advisories. Accept it only if both are handled.";
	case COVE_TCB_OUT_OF_DATE:
		return "A newer TCB (microcode, firmware, BIOS or TDX module) has been released for this platform and is "
		       "not installed: the listed vulnerabilities may apply. The platform owner must update; until then "
		       "refuse it unless your risk assessment of the advisories says otherwise.";
	case COVE_TCB_OUT_OF_DATE_CONFIGURATION_NEEDED:
		return "The platform needs a TCB update and a configuration change to close the listed advisories. The "
		       "platform owner must do both.";
	case COVE_TCB_REVOKED:
		return "Intel has revoked this platform's TCB or keys. Never trust this evidence.";
	case COVE_TCB_NOT_SUPPORTED:
		return "No TCB level in Intel's TCB info matches this platform: its TCB is older than anything Intel still "
		       "lists, or the collateral belongs to another platform. Treat it as untrusted.";
	case COVE_TCB_TD_RELAUNCH_ADVISED:
		return "The TDX module was updated while this TD was running: the platform is current, but the TD was built "
		       "on the old module. Relaunching the TD brings it up to date.";
	case COVE_TCB_TD_RELAUNCH_ADVISED_CONFIGURATION_NEEDED:
		return "The TDX module was updated while this TD was running, and the platform also needs a configuration "
		       "change. Relaunch the TD and fix the configuration.";
	}
	return "unknown TCB status";
}

/* ---- caches of decoded inputs ---- */

/* What the verifier needs of a PCK chain; holds its own certificate references. */
typedef struct pck_view {
	cove_x509 *leaf, *issuer, *root;
	const root *anchor;
	cove_sgx_pck_ext ext;
} pck_view;

static void pck_view_release(pck_view *pv)
{
	cove_x509_free(pv->leaf);
	cove_x509_free(pv->issuer);
	cove_x509_free(pv->root);
	memset(pv, 0, sizeof(*pv));
}

static void pck_view_fill(pck_view *pv, cove_x509 *leaf, cove_x509 *issuer, cove_x509 *rootc, const root *anchor,
			  const cove_sgx_pck_ext *ext)
{
	pv->leaf = cove_x509_ref(leaf);
	pv->issuer = cove_x509_ref(issuer);
	pv->root = cove_x509_ref(rootc);
	pv->anchor = anchor;
	pv->ext = *ext;
}

/*
 * The quote's PCK chain, verified at `at`, and its SGX extension.  Chains are
 * decoded and verified once and remembered by the bytes of the certification
 * data, for as long as `at` stays inside every certificate's validity.
 */
static bool pck_resolve(cove_dcap_verifier *v, const cove_dcap_quote *q, int64_t at, pck_view *pv, cove_result *res)
{
	uint8_t key[32];
	cove_x509_list certs = {0};
	cove_error e = {0};
	chain ch;
	cove_sgx_pck_ext ext;
	bool ok = false;

	memset(pv, 0, sizeof(*pv));
	if (q->cert_type != COVE_DCAP_CERT_PCK_CHAIN) {
		cove_result_fail(res, COVE_CHECK_AUTHENTICITY, "pck.chain",
				 "the quote carries certification data type %u, not a PCK certificate chain (type 5); "
				 "cove cannot find the PCK certificate", q->cert_type);
		return false;
	}
	if (cove_digest(COVE_SHA256, q->cert_data, q->cert_len, key, NULL) != COVE_OK)
		return false;
	pthread_mutex_lock(&v->lock);
	for (size_t i = 0; v->remember_platforms && i < v->npcks; i++) {
		pck_entry *p = &v->pcks[i];
		if (memcmp(p->key, key, 32) == 0 && at >= p->not_before && at <= p->not_after) {
			pck_view_fill(pv, p->leaf, p->issuer, p->root, p->anchor, &p->ext);
			ok = true;
			break;
		}
	}
	pthread_mutex_unlock(&v->lock);
	if (ok)
		return true;

	if (q->pck_chain.count) {
		for (size_t i = 0; i < q->pck_chain.count; i++)
			cove_x509_list_add(&certs, q->pck_chain.certs[i], NULL);
	} else if (cove_dcap_pck_chain_parse(q->cert_data, q->cert_len, &certs, &e)) {
		cove_result_fail(res, COVE_CHECK_AUTHENTICITY, "pck.chain", "PCK certificate chain: %s", e.msg);
		goto out;
	}
	if (!check_chain(v, &certs, "pck", "SGX PCK Certificate", "SGX PCK", at, &ch, res))
		goto out;
	if (cove_sgx_pck_ext_parse(ch.leaf, &ext, &e)) {
		cove_result_fail(res, COVE_CHECK_AUTHENTICITY, "pck.extension", "%s", e.msg);
		goto out;
	}
	pck_view_fill(pv, ch.leaf, ch.issuer, ch.root, ch.anchor, &ext);
	ok = true;
	if (!v->remember_platforms)
		goto out;

	pthread_mutex_lock(&v->lock);
	pck_entry *slot = v->npcks < PCK_CACHE ? &v->pcks[v->npcks++] : &v->pcks[v->pck_next++ % PCK_CACHE];
	cove_x509_list_free(&slot->certs);
	memcpy(slot->key, key, 32);
	slot->certs = certs;
	certs = (cove_x509_list){0};
	slot->leaf = ch.leaf;
	slot->issuer = ch.issuer;
	slot->root = ch.root;
	slot->anchor = ch.anchor;
	slot->ext = ext;
	slot->not_before = 0;
	slot->not_after = INT64_MAX;
	for (size_t i = 0; i < slot->certs.count; i++) {
		int64_t b = cove_x509_not_before(slot->certs.certs[i]), a = cove_x509_not_after(slot->certs.certs[i]);
		slot->not_before = b > slot->not_before ? b : slot->not_before;
		slot->not_after = a < slot->not_after ? a : slot->not_after;
	}
	pthread_mutex_unlock(&v->lock);
out:
	cove_x509_list_free(&certs);
	return ok;
}

cove_err cove_dcap_verifier_lookup_platform(cove_dcap_verifier *v, const cove_dcap_quote *q, int64_t at,
					   uint8_t fmspc[6], bool *platform_ca)
{
	uint8_t key[32];
	char cn[128] = "";
	cove_err rc = COVE_ERR_UNAVAILABLE;

	if (!v->remember_platforms || q->cert_type != COVE_DCAP_CERT_PCK_CHAIN ||
	    cove_digest(COVE_SHA256, q->cert_data, q->cert_len, key, NULL) != COVE_OK)
		return COVE_ERR_UNAVAILABLE;
	if (!at)
		at = (int64_t)time(NULL);
	pthread_mutex_lock(&v->lock);
	for (size_t i = 0; i < v->npcks; i++) {
		const pck_entry *p = &v->pcks[i];
		if (memcmp(p->key, key, 32) == 0 && at >= p->not_before && at <= p->not_after) {
			memcpy(fmspc, p->ext.fmspc, 6);
			cove_x509_subject_cn(p->issuer, cn, sizeof(cn));
			*platform_ca = strstr(cn, "Platform") != NULL;
			rc = COVE_OK;
			break;
		}
	}
	pthread_mutex_unlock(&v->lock);
	return rc;
}

/* The attestation key as an EVP key, decoded once per distinct key. */
static cove_err attest_key(cove_dcap_verifier *v, const uint8_t xy[64], cove_pkey **out, cove_error *e)
{
	cove_pkey *k = NULL;
	if (!v->remember_platforms)
		return cove_pkey_from_ec_xy("P-256", xy, 64, out, e);
	pthread_mutex_lock(&v->lock);
	for (size_t i = 0; i < v->nkeys && !k; i++) {
		if (memcmp(v->keys[i].xy, xy, 64) == 0 && EVP_PKEY_up_ref(v->keys[i].key) == 1)
			k = v->keys[i].key;
	}
	pthread_mutex_unlock(&v->lock);
	if (k) {
		*out = k;
		return COVE_OK;
	}
	cove_err rc = cove_pkey_from_ec_xy("P-256", xy, 64, &k, e);
	if (rc)
		return rc;
	pthread_mutex_lock(&v->lock);
	key_entry *slot = v->nkeys < KEY_CACHE ? &v->keys[v->nkeys++] : &v->keys[v->key_next++ % KEY_CACHE];
	cove_pkey_free(slot->key);
	memcpy(slot->xy, xy, 64);
	slot->key = k;
	EVP_PKEY_up_ref(k);
	pthread_mutex_unlock(&v->lock);
	*out = k;
	return COVE_OK;
}

/* ---- the verifier ---- */

static bool body_is_sgx(const cove_dcap_quote *q)
{
	return q->body_type == COVE_DCAP_BODY_SGX;
}

static void check_tdx_module_identity(const cove_dcap_quote *q, const cove_dcap_tcb_info *ti, cove_result *res)
{
	const uint8_t *mrsigner;
	uint64_t attributes, mask;
	char hex[97];
	if (q->td.tee_tcb_svn[1] > 0) {
		const cove_dcap_tdx_module_identity *mod = find_module(ti, q->td.tee_tcb_svn[1]);
		if (!mod) {
			cove_result_fail(res, COVE_CHECK_AUTHENTICITY, "tdx.module", "the TCB info has no identity TDX_%02X for the "
					 "TDX module version in TEE_TCB_SVN[1]", q->td.tee_tcb_svn[1]);
			return;
		}
		mrsigner = mod->mrsigner;
		attributes = mod->attributes;
		mask = mod->attributes_mask;
	} else if (ti->has_tdx_module) {
		mrsigner = ti->tdx_module_mrsigner;
		attributes = ti->tdx_module_attributes;
		mask = ti->tdx_module_attributes_mask;
	} else {
		cove_result_fail(res, COVE_CHECK_AUTHENTICITY, "tdx.module", "the TCB info describes no TDX module");
		return;
	}
	if (memcmp(q->td.mr_signer_seam, mrsigner, 48) != 0) {
		cove_hex_write(hex, q->td.mr_signer_seam, 48);
		cove_result_fail(res, COVE_CHECK_AUTHENTICITY, "tdx.module", "MRSIGNERSEAM %s is not the TDX module signer "
				 "Intel lists", hex);
	}
	if ((q->td.seam_attributes & mask) != attributes)
		cove_result_fail(res, COVE_CHECK_AUTHENTICITY, "tdx.module", "SEAMATTRIBUTES 0x%016llx do not match the "
				 "TDX module identity (0x%016llx under mask 0x%016llx)",
				 (unsigned long long)q->td.seam_attributes, (unsigned long long)attributes,
				 (unsigned long long)mask);
}

/* QE report vs QE identity; returns the QE TCB level or NULL (failure recorded). */
static const cove_dcap_isv_level *check_qe_identity(const cove_dcap_quote *q, const cove_dcap_qe_identity *id,
						      cove_result *res)
{
	const char *want = q->tee_type == COVE_TEE_TDX ? "TD_QE" : "QE";
	const cove_sgx_report_body *r = &q->qe_report;
	bool ok = true;
	if (strcmp(id->id, want) != 0) {
		cove_result_fail(res, COVE_CHECK_AUTHENTICITY, "qe.identity", "the QE identity is for '%s'; a %s quote needs "
				 "'%s'", id->id, q->tee_type == COVE_TEE_TDX ? "TDX" : "SGX", want);
		return NULL;
	}
	if ((r->misc_select & id->miscselect_mask) != id->miscselect) {
		cove_result_fail(res, COVE_CHECK_AUTHENTICITY, "qe.identity", "QE MISCSELECT 0x%08x does not match the QE "
				 "identity", r->misc_select);
		ok = false;
	}
	for (int i = 0; i < 16; i++) {
		if ((r->attributes[i] & id->attributes_mask[i]) != id->attributes[i]) {
			cove_result_fail(res, COVE_CHECK_AUTHENTICITY, "qe.identity", "QE ATTRIBUTES do not match the QE "
					 "identity (byte %d)", i);
			ok = false;
			break;
		}
	}
	if (memcmp(r->mr_signer, id->mrsigner, 32) != 0) {
		cove_result_fail(res, COVE_CHECK_AUTHENTICITY, "qe.identity", "the quoting enclave is not signed by Intel "
				 "(MRSIGNER differs from the QE identity)");
		ok = false;
	}
	if (r->isv_prod_id != id->isvprodid) {
		cove_result_fail(res, COVE_CHECK_AUTHENTICITY, "qe.identity", "QE ISVPRODID %u is not %u", r->isv_prod_id,
				 id->isvprodid);
		ok = false;
	}
	if (!ok)
		return NULL;
	const cove_dcap_isv_level *l = find_isv_level(id->levels, id->nlevels, r->isv_svn);
	if (!l)
		cove_result_fail(res, COVE_CHECK_AUTHENTICITY, "qe.identity", "QE ISVSVN %u is below every TCB level of the "
				 "QE identity", r->isv_svn);
	return l;
}

static void fmt_hex(char *out, const uint8_t *p, size_t n)
{
	cove_hex_write(out, p, n);
}

cove_err cove_dcap_verify(cove_dcap_verifier *v, const cove_dcap_quote *q, const cove_dcap_collateral *c,
			  const cove_dcap_policy *policy_in, const cove_dcap_verify_opts *opts, cove_result **out,
			  cove_error *e)
{
	cove_dcap_policy defaults;
	const cove_dcap_policy *policy = policy_in;
	cove_result *res = NULL;
	cove_sgx_pck_ext pck;
	bool have_pck = false, have_tcb_info = false, have_qe_identity = false;
	tcb_verdict tv = {0};
	cove_pkey *attest = NULL;
	pck_view pck_chain = {0};
	int64_t at = opts && opts->at ? opts->at : cove_time_now();
	char when[32];
	cove_error ie = {0};
	cove_err rc;

	if (!policy) {
		cove_dcap_policy_init(&defaults);
		policy = &defaults;
	}
	if ((rc = cove_result_new(&res, e)))
		goto done;
	bool tdx = q->tee_type == COVE_TEE_TDX;
	cove_time_format(at, when);
	json_object_set_new(res->claims, "tee", json_string(tdx ? "TDX" : "SGX"));
	json_object_set_new(res->claims, "quote_version", json_integer(q->version));
	json_object_set_new(res->claims, "verified_at", json_string(when));
	json_object_set_new(res->claims, tdx ? "td" : "enclave",
			    body_is_sgx(q) ? cove_sgx_report_body_to_json(&q->sgx) : cove_tdx_td_body_to_json(&q->td));

	/* 4.1.2.4.4: the PCK chain, from the quote's certification data. */
	if (pck_resolve(v, q, at, &pck_chain, res)) {
		pck = pck_chain.ext;
		have_pck = true;
		json_object_set_new(res->claims, "root", json_string(pck_chain.anchor->name));
		json_object_set_new(res->claims, "emulated", json_boolean(pck_chain.anchor->emulated));
		/* 4.1.2.4.6-7: CRLs of the root and of the PCK CA. */
		check_crl(v, c->root_ca_crl, "root", pck_chain.root, pck_chain.issuer == pck_chain.root ? NULL : pck_chain.issuer,
			  at, res);
		check_crl(v, c->pck_crl, "pck", pck_chain.issuer, pck_chain.leaf, at, res);
	}
	if (have_pck)
		json_object_set_new(res->claims, "pck", cove_sgx_pck_ext_to_json(&pck));

	/* Collateral signatures and freshness. */
	have_tcb_info = check_signed_json(v, "tcb_info", &c->tcb_info_issuer_chain, c->root_ca_crl, &c->tcb_info_raw,
					  c->tcb_info_signature, c->tcb_info.issue_date, c->tcb_info.next_update, at, res);
	have_qe_identity = check_signed_json(v, "qe_identity", &c->qe_identity_issuer_chain, c->root_ca_crl,
					     &c->qe_identity_raw, c->qe_identity_signature, c->qe_identity.issue_date,
					     c->qe_identity.next_update, at, res);

	/* 4.1.2.4.9-10: the TCB info is for this TEE and this platform. */
	if (have_tcb_info) {
		const char *id = c->tcb_info.version >= 3 ? c->tcb_info.id : "SGX";
		if (strcmp(id, tdx ? "TDX" : "SGX") != 0) {
			cove_result_fail(res, COVE_CHECK_AUTHENTICITY, "tcb_info.tee", "the TCB info is for %s (version %d), the "
					 "quote is %s", id, c->tcb_info.version, tdx ? "TDX" : "SGX");
			have_tcb_info = false;
		}
	}
	if (have_tcb_info && have_pck) {
		if (memcmp(c->tcb_info.fmspc, pck.fmspc, 6) != 0) {
			char a[13], b[13];
			fmt_hex(a, pck.fmspc, 6);
			fmt_hex(b, c->tcb_info.fmspc, 6);
			cove_result_fail(res, COVE_CHECK_AUTHENTICITY, "tcb_info.fmspc", "the platform's FMSPC is %s but the "
					 "TCB info is for FMSPC %s: wrong collateral", a, b);
			have_tcb_info = false;
		} else if (c->tcb_info.has_pce_id && memcmp(c->tcb_info.pce_id, pck.pceid, 2) != 0) {
			cove_result_fail(res, COVE_CHECK_AUTHENTICITY, "tcb_info.pceid", "the PCE ID of the TCB info differs "
					 "from the PCK certificate's");
			have_tcb_info = false;
		}
	}
	/* 4.1.2.4.11: the TDX module that produced the TD report is Intel's. */
	if (tdx && have_tcb_info)
		check_tdx_module_identity(q, &c->tcb_info, res);

	/* 4.1.2.4.12-13: the QE report, signed by the PCK key, binds the attestation key. */
	if (have_pck) {
		cove_buf der = {0};
		uint8_t key[32];
		bool keyed = false;
		if (cove_x509_der(pck_chain.leaf, &der, NULL) == COVE_OK) {
			const void *parts[] = {der.data, q->qe_report_raw, q->qe_report_signature};
			size_t lens[] = {der.len, COVE_SGX_REPORT_BODY_SIZE, 64};
			keyed = v->remember_platforms && memo_key(key, "qe", parts, lens, 3);
		}
		cove_buf_free(&der);
		if (!(keyed && memo_has(v, key, at))) {
			if (verify_p256(cove_x509_pubkey(pck_chain.leaf), q->qe_report_raw, COVE_SGX_REPORT_BODY_SIZE,
					q->qe_report_signature, &ie))
				cove_result_fail(res, COVE_CHECK_AUTHENTICITY, "qe.report_signature",
						 "the QE report is not signed by the PCK key: %s", ie.msg);
			else if (keyed)
				memo_put(v, key, INT64_MIN, INT64_MAX);
		}
	}
	{
		uint8_t h[32];
		cove_hash_ctx *hc = NULL;
		if (cove_hash_ctx_new(COVE_SHA256, &hc, e) || cove_hash_ctx_update(hc, q->attest_key, 64, e) ||
		    cove_hash_ctx_update(hc, q->qe_auth_data, q->qe_auth_len, e) || cove_hash_ctx_final(hc, h, e)) {
			cove_hash_ctx_free(hc);
			rc = e ? e->code : COVE_ERR_CRYPTO;
			goto done;
		}
		cove_hash_ctx_free(hc);
		if (memcmp(h, q->qe_report.report_data, 32) != 0 || !cove_is_zero(q->qe_report.report_data + 32, 32))
			cove_result_fail(res, COVE_CHECK_AUTHENTICITY, "qe.report_data",
					 "the QE report does not bind the attestation key: REPORTDATA is not "
					 "SHA-256(attestation key || QE authentication data) followed by zeros");
	}

	/* 4.1.2.4.14-15: the QE is Intel's, at a known TCB level. */
	const cove_dcap_isv_level *qe_level = have_qe_identity ? check_qe_identity(q, &c->qe_identity, res) : NULL;

	/* 4.1.2.4.16: the quote itself. */
	if (attest_key(v, q->attest_key, &attest, &ie)) {
		cove_result_fail(res, COVE_CHECK_AUTHENTICITY, "quote.signature", "attestation key: %s", ie.msg);
	} else if (verify_p256(attest, q->signed_data, q->signed_len, q->signature, &ie)) {
		cove_result_fail(res, COVE_CHECK_AUTHENTICITY, "quote.signature",
				 "the quote is not signed by its attestation key: %s", ie.msg);
	}

	/* 4.1.2.4.17: TCB level and the convergence of platform, module and QE statuses. */
	tv.advisories = json_array();
	if (have_pck && have_tcb_info) {
		evaluate_tcb(q, &pck, &c->tcb_info, qe_level != NULL, qe_level ? qe_level->status : COVE_TCB_UP_TO_DATE,
			     qe_level ? qe_level->advisory_ids : NULL, &tv);
		json_t *t = json_object();
		json_object_set_new(t, "status", json_string(cove_tcb_status_name(tv.status)));
		json_object_set_new(t, "explanation", json_string(cove_tcb_status_explain(tv.status)));
		json_object_set_new(t, "platform_status", json_string(cove_tcb_status_name(tv.platform)));
		if (tv.has_module)
			json_object_set_new(t, "tdx_module_status", json_string(cove_tcb_status_name(tv.module)));
		if (tv.has_qe)
			json_object_set_new(t, "qe_status", json_string(cove_tcb_status_name(tv.qe)));
		if (tv.tcb_date) {
			char d[32];
			cove_time_format(tv.tcb_date, d);
			json_object_set_new(t, "tcb_date", json_string(d));
		}
		json_object_set_new(t, "tcb_evaluation_data_number", json_integer(c->tcb_info.tcb_evaluation_data_number));
		json_object_set(t, "advisory_ids", tv.advisories);
		if (json_array_size(tv.advisories))
			json_object_set_new(t, "advisories_explanation",
					    json_string("Intel security advisories open at this TCB level; each is described "
							"at https://www.intel.com/content/www/us/en/security-center/advisory/"
							"<id in lower case>.html"));
		if (tv.note[0])
			json_object_set_new(t, "note", json_string(tv.note));
		json_object_set_new(res->claims, "tcb", t);
		if (tv.status == COVE_TCB_REVOKED)
			cove_result_fail(res, COVE_CHECK_AUTHENTICITY, "tcb.revoked", "%s", cove_tcb_status_explain(tv.status));
	} else {
		cove_result_fail(res, COVE_CHECK_AUTHENTICITY, "tcb.status", "the TCB status cannot be evaluated without a "
				 "valid PCK certificate and TCB info");
	}

	/* Policy: TCB status, advisories, identity. */
	if (tv.evaluated && !(policy->accepted_statuses & (1u << tv.status))) {
		cove_result_fail(res, COVE_CHECK_POLICY, "policy.tcb_status",
				 "TCB status %s is not accepted by the policy (--accept widens it). %s",
				 cove_tcb_status_name(tv.status), cove_tcb_status_explain(tv.status));
	}
	if (tv.evaluated) {
		size_t i, j;
		json_t *id, *ok_id;
		json_array_foreach(tv.advisories, i, id) {
			bool rejected = false, listed = json_array_size(policy->accepted_advisories) == 0;
			json_array_foreach(policy->rejected_advisories, j, ok_id)
				rejected |= json_equal(ok_id, id);
			json_array_foreach(policy->accepted_advisories, j, ok_id)
				listed |= json_equal(ok_id, id);
			if (rejected || !listed)
				cove_result_fail(res, COVE_CHECK_POLICY, "policy.advisory", "advisory %s is %s by the policy",
						 json_string_value(id), rejected ? "rejected" : "not accepted");
		}
	}
	cove_dcap_policy_apply(policy, q, res);
	json_object_set_new(res->claims, "policy", cove_dcap_policy_to_json(policy, tdx ? COVE_TEE_TDX : COVE_TEE_SGX));
	rc = COVE_OK;
done:
	json_decref(tv.advisories);
	cove_pkey_free(attest);
	pck_view_release(&pck_chain);
	if (policy == &defaults)
		cove_dcap_policy_free(&defaults);
	if (rc) {
		cove_result_free(res);
		return rc;
	}
	*out = res;
	return COVE_OK;
}
