/*
 * SEV-SNP report verification: report signature, VCEK/VLEK certificate chain
 * to a pinned root, CRL, and the binding of the certificate to the report
 * (TCB extensions equal REPORTED_TCB, hwID equals CHIP_ID), then the
 * appraisal policy.
 *
 * Order and rules follow AMD 56860 (report signature over bytes 0x0-0x29F,
 * ECDSA P-384 / SHA-384, little-endian R and S), AMD 57230 (VCEK extensions,
 * chain ARK -> ASK/ASVK -> VCEK/VLEK, RSASSA-PSS SHA-384 salt 48) and the
 * lessons collected in shared/research/snp.md (sections b and f): the ARK is
 * identified by self-issuance and trusted only when its public key matches a
 * pinned fingerprint (go-sev-guest #185); certificates from the evidence are
 * never trusted by themselves; the VCEK is compared with REPORTED_TCB, never
 * CURRENT_TCB; a zero CHIP_ID (MASK_CHIP_ID) skips the hwID comparison.
 *
 * Chain verification is memoised per (leaf, intermediate, root) so that a
 * warm verifier spends its time on the report's ECDSA signature only.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "cove/bytes.h"
#include "cove/snp.h"
#include "snp/report_layout.h"

#define PSS_SALT 48
#define MEMO_MAX 64

/* AMD's root and intermediate key fingerprints: SHA-256 of the SPKI DER, as listed in
 * shared/vectors/snp/MANIFEST.md and identical in go-sev-guest, Trustee and virtee/sev. */
static const struct {
	cove_snp_product product;
	const char *ark, *ask, *asvk;
} amd_pins[] = {
	{COVE_SNP_MILAN, "9f056bee44377e29308cb5ffa895bdfb62d18881fa6bed8d6f075b0204089cb9",
	 "42491669ccb851d627ea9846cd24eccbeb7de7c2a62740120fff88001d38ebb6",
	 "66450a123ea5876206df67f2514a4fea224c0f63b18313423078b0edc4535e33"},
	{COVE_SNP_GENOA, "429a69c9422aa258ee4d8db5fcda9c6470ef15f8cd5a9cebd6cbc7d90b863831",
	 "0324d55bcd48ba877a8fd87c0e1b4934dec8448e3807a24384a34dc6a6c9ebb8",
	 "7d1633252ebbadaa75f96e9b4e6f7d43a90ceb3f843937482630f8da2459264e"},
	{COVE_SNP_TURIN, "4f125410563a2ab9a50356f9243f6fe0b6f73de98603f53f90339c70e9d7ad08",
	 "0000ead352025f208bf55297c4192c34cd1b878002107366d8f2065a9ae7d3a9",
	 "bfc441408b2f806c5dbf180bd8920e6e60dd404d82141780d85dbf962954d386"},
};

static cove_snp_root amd_roots[3];
static pthread_once_t amd_roots_once = PTHREAD_ONCE_INIT;

static void amd_roots_init(void)
{
	static const char *const names[] = {"AMD Milan", "AMD Genoa", "AMD Turin"};
	for (size_t i = 0; i < 3; i++) {
		cove_snp_root *r = &amd_roots[i];
		r->product = amd_pins[i].product;
		r->name = names[i];
		r->emulated = false;
		r->has_asvk = true;
		cove_hex_decode_fixed(amd_pins[i].ark, r->ark_spki_sha256, 32, NULL);
		cove_hex_decode_fixed(amd_pins[i].ask, r->ask_spki_sha256, 32, NULL);
		cove_hex_decode_fixed(amd_pins[i].asvk, r->asvk_spki_sha256, 32, NULL);
	}
}

const cove_snp_root *cove_snp_amd_roots(size_t *count)
{
	pthread_once(&amd_roots_once, amd_roots_init);
	*count = 3;
	return amd_roots;
}

/* A verified chain, remembered by the hash of its three certificates. */
typedef struct chain_memo {
	uint8_t key[32];
	int64_t not_before; /* latest notBefore of the three */
	int64_t not_after;  /* earliest notAfter of the three */
	size_t root;
	bool vlek;
	cove_x509 *leaf, *intermediate, *ark;
	cove_snp_vcek_ext ext;
} chain_memo;

/* A CRL whose signature by a given ARK has been checked. */
typedef struct crl_memo {
	uint8_t crl_hash[32];
	uint8_t ark_hash[32];
} crl_memo;

struct cove_snp_verifier {
	cove_snp_root *roots;
	size_t nroots;
	cove_snp_collateral_source src;
	pthread_mutex_t lock;
	chain_memo memo[MEMO_MAX];
	size_t nmemo, memo_next;
	crl_memo crls[MEMO_MAX];
	size_t ncrls, crl_next;
};

cove_err cove_snp_verifier_new(cove_snp_verifier **out, cove_error *e)
{
	size_t n;
	const cove_snp_root *amd = cove_snp_amd_roots(&n);
	cove_snp_verifier *v = calloc(1, sizeof(*v));
	if (!v)
		return cove_error_set(e, COVE_ERR_NOMEM, "out of memory");
	pthread_mutex_init(&v->lock, NULL);
	for (size_t i = 0; i < n; i++) {
		cove_err rc = cove_snp_verifier_add_root(v, &amd[i], e);
		if (rc) {
			cove_snp_verifier_free(v);
			return rc;
		}
	}
	*out = v;
	return COVE_OK;
}

static void memo_clear(chain_memo *m)
{
	cove_x509_free(m->leaf);
	cove_x509_free(m->intermediate);
	cove_x509_free(m->ark);
	memset(m, 0, sizeof(*m));
}

void cove_snp_verifier_free(cove_snp_verifier *v)
{
	if (!v)
		return;
	for (size_t i = 0; i < v->nmemo; i++)
		memo_clear(&v->memo[i]);
	free(v->roots);
	pthread_mutex_destroy(&v->lock);
	free(v);
}

cove_err cove_snp_verifier_add_root(cove_snp_verifier *v, const cove_snp_root *root, cove_error *e)
{
	cove_snp_root *n = realloc(v->roots, (v->nroots + 1) * sizeof(*n));
	if (!n)
		return cove_error_set(e, COVE_ERR_NOMEM, "out of memory");
	v->roots = n;
	v->roots[v->nroots++] = *root;
	return COVE_OK;
}

void cove_snp_verifier_set_source(cove_snp_verifier *v, const cove_snp_collateral_source *src)
{
	if (src)
		v->src = *src;
	else
		memset(&v->src, 0, sizeof(v->src));
}

/* ---- helpers ---- */

static void cert_name(cove_x509 *c, char *out, size_t n)
{
	cove_x509_subject_cn(c, out, n);
	if (!out[0])
		snprintf(out, n, "(no CN)");
}

/* Find the root whose ARK key matches this self-issued certificate. */
static const cove_snp_root *root_of(const cove_snp_verifier *v, cove_x509 *c, size_t *index)
{
	uint8_t spki[32];
	if (!cove_x509_is_self_issued(c) || cove_x509_spki_sha256(c, spki, NULL))
		return NULL;
	for (size_t i = 0; i < v->nroots; i++) {
		if (memcmp(v->roots[i].ark_spki_sha256, spki, 32) == 0) {
			*index = i;
			return &v->roots[i];
		}
	}
	return NULL;
}

static bool is_vlek_leaf(cove_x509 *leaf)
{
	char cn[64];
	const uint8_t *d;
	size_t n;
	bool found = false;
	cove_x509_subject_cn(leaf, cn, sizeof(cn));
	if (strcmp(cn, "SEV-VLEK") == 0)
		return true;
	cove_x509_extension(leaf, "1.3.6.1.4.1.3704.1.5", &d, &n, &found, NULL);
	return found;
}

static cove_err add_pem_or_der(cove_x509_list *pool, cove_buf *b, cove_error *e)
{
	return cove_x509_list_parse(pool, b->data, b->len, e);
}

/* The pool of candidate certificates: the caller's plus whatever the source adds. */
typedef struct pool {
	cove_x509_list certs;
	cove_x509 *leaf;
	cove_x509 *ark;
	size_t root;
	bool foreign_root;      /* a self-issued certificate matching no trusted root */
	char foreign_cn[128];
	uint8_t foreign_spki[32];
	const cove_snp_root *other_product_root; /* trusted, but for another product */
} pool;

static void pool_classify(const cove_snp_verifier *v, pool *p, cove_snp_product product, bool want_vlek,
			  const uint8_t chip_id[64])
{
	p->leaf = NULL;
	p->ark = NULL;
	for (size_t i = 0; i < p->certs.count; i++) {
		cove_x509 *c = p->certs.certs[i];
		size_t idx;
		if (cove_x509_is_self_issued(c)) {
			const cove_snp_root *r = root_of(v, c, &idx);
			if (r && r->product == product) {
				if (!p->ark || r->emulated < v->roots[p->root].emulated) {
					p->ark = c;
					p->root = idx;
				}
			} else if (r) {
				p->other_product_root = r;
			} else {
				p->foreign_root = true;
				cert_name(c, p->foreign_cn, sizeof(p->foreign_cn));
				cove_x509_spki_sha256(c, p->foreign_spki, NULL);
			}
			continue;
		}
		if (cove_x509_is_ca(c) || !cove_pkey_is_ec_p384(cove_x509_pubkey(c)))
			continue;
		if (is_vlek_leaf(c) != want_vlek)
			continue;
		/* Several candidate leaves: prefer the VCEK whose hwID is this chip. */
		if (p->leaf && !want_vlek) {
			cove_snp_vcek_ext ext;
			if (cove_snp_vcek_ext_parse(c, &ext, NULL) == COVE_OK && ext.hwid_len &&
			    memcmp(ext.hwid, chip_id, ext.hwid_len) == 0)
				p->leaf = c;
			continue;
		}
		if (!p->leaf)
			p->leaf = c;
	}
}

static bool memo_key(cove_x509 *leaf, cove_x509_list *mid, cove_x509 *ark, uint8_t key[32])
{
	uint8_t h[3][32];
	if (cove_x509_sha256(leaf, h[0], NULL) || cove_x509_sha256(ark, h[2], NULL))
		return false;
	/* The intermediate set matters only through the path OpenSSL picks; key on all of them. */
	uint8_t acc[32] = {0};
	for (size_t i = 0; i < mid->count; i++) {
		uint8_t m[32];
		if (cove_x509_sha256(mid->certs[i], m, NULL))
			return false;
		for (int j = 0; j < 32; j++)
			acc[j] ^= m[j];
	}
	memcpy(h[1], acc, 32);
	return cove_digest(COVE_SHA256, h, sizeof(h), key, NULL) == COVE_OK;
}

static int64_t max64(int64_t a, int64_t b)
{
	return a > b ? a : b;
}

static int64_t min64(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

/*
 * Verify leaf -> intermediate -> ARK in full.  Returns true with *m filled when
 * every chain check held; otherwise records failures.
 */
static bool verify_chain(pool *p, bool want_vlek, int64_t at, chain_memo *m, cove_result *res)
{
	cove_x509_list mids = {0}, path = {0};
	cove_error e = {0};
	char cn[128];
	bool ok = false;

	for (size_t i = 0; i < p->certs.count; i++) {
		cove_x509 *c = p->certs.certs[i];
		if (c != p->leaf && !cove_x509_is_self_issued(c) && cove_x509_is_ca(c))
			cove_x509_list_add(&mids, c, NULL);
	}
	/* Validity first, for a precise reason. */
	cove_x509 *named[] = {p->ark, p->leaf};
	for (size_t i = 0; i < 2; i++) {
		if (cove_x509_check_validity(named[i], at, &e)) {
			cert_name(named[i], cn, sizeof(cn));
			cove_result_fail(res, COVE_CHECK_AUTHENTICITY, "chain.validity", "certificate '%s' %s", cn, e.msg);
			goto out;
		}
	}
	if (cove_x509_check_pss_signature(p->ark, cove_x509_pubkey(p->ark), COVE_SHA384, PSS_SALT, &e)) {
		cove_result_fail(res, COVE_CHECK_AUTHENTICITY, "chain.ark_signature", "ARK self-signature: %s", e.msg);
		goto out;
	}
	if (cove_x509_verify_path(p->leaf, &mids, p->ark, at, &path, &e)) {
		bool expired = strstr(e.msg, "expired") || strstr(e.msg, "not yet valid");
		cove_result_fail(res, COVE_CHECK_AUTHENTICITY, expired ? "chain.validity" : "chain.signature",
				 "%s %s: %s", want_vlek ? "VLEK" : "VCEK", "chain", e.msg);
		goto out;
	}
	if (path.count != 3) {
		cove_result_fail(res, COVE_CHECK_AUTHENTICITY, "chain.length",
				 "the chain has %zu certificates; ARK -> ASK/ASVK -> VCEK/VLEK has 3", path.count);
		goto out;
	}
	cove_x509 *mid = path.certs[1];
	cert_name(mid, cn, sizeof(cn));
	if ((strncmp(cn, "SEV-VLEK", 8) == 0) != want_vlek) {
		cove_result_fail(res, COVE_CHECK_AUTHENTICITY, "chain.intermediate",
				 "a %s must be certified by the %s, but its issuer is '%s'", want_vlek ? "VLEK" : "VCEK",
				 want_vlek ? "ASVK" : "ASK", cn);
		goto out;
	}
	/* RSASSA-PSS with the exact AMD parameters on every link. */
	if (cove_x509_check_pss_signature(mid, cove_x509_pubkey(p->ark), COVE_SHA384, PSS_SALT, &e) ||
	    cove_x509_check_pss_signature(p->leaf, cove_x509_pubkey(mid), COVE_SHA384, PSS_SALT, &e)) {
		cove_result_fail(res, COVE_CHECK_AUTHENTICITY, "chain.signature", "%s", e.msg);
		goto out;
	}
	if (cove_x509_check_validity(mid, at, &e)) {
		cove_result_fail(res, COVE_CHECK_AUTHENTICITY, "chain.validity", "certificate '%s' %s", cn, e.msg);
		goto out;
	}
	cove_snp_vcek_ext ext;
	if (cove_snp_vcek_ext_parse(p->leaf, &ext, &e)) {
		cove_result_fail(res, COVE_CHECK_AUTHENTICITY, "vcek.extensions", "%s", e.msg);
		goto out;
	}
	memset(m, 0, sizeof(*m));
	m->not_before = max64(cove_x509_not_before(p->leaf), max64(cove_x509_not_before(mid), cove_x509_not_before(p->ark)));
	m->not_after = min64(cove_x509_not_after(p->leaf), min64(cove_x509_not_after(mid), cove_x509_not_after(p->ark)));
	m->root = p->root;
	m->vlek = want_vlek;
	m->leaf = cove_x509_ref(p->leaf);
	m->intermediate = cove_x509_ref(mid);
	m->ark = cove_x509_ref(p->ark);
	m->ext = ext;
	if (!memo_key(p->leaf, &mids, p->ark, m->key)) {
		memo_clear(m);
		cove_result_fail(res, COVE_CHECK_AUTHENTICITY, "chain", "cannot fingerprint the chain");
		goto out;
	}
	ok = true;
out:
	cove_x509_list_free(&mids);
	cove_x509_list_free(&path);
	return ok;
}

static bool memo_find(cove_snp_verifier *v, pool *p, int64_t at, chain_memo *copy)
{
	cove_x509_list mids = {0};
	uint8_t key[32];
	bool hit = false;
	for (size_t i = 0; i < p->certs.count; i++) {
		cove_x509 *c = p->certs.certs[i];
		if (c != p->leaf && !cove_x509_is_self_issued(c) && cove_x509_is_ca(c))
			cove_x509_list_add(&mids, c, NULL);
	}
	if (!memo_key(p->leaf, &mids, p->ark, key))
		goto out;
	pthread_mutex_lock(&v->lock);
	for (size_t i = 0; i < v->nmemo; i++) {
		chain_memo *m = &v->memo[i];
		if (memcmp(m->key, key, 32) == 0 && at >= m->not_before && at <= m->not_after) {
			*copy = *m;
			cove_x509_ref(copy->leaf);
			cove_x509_ref(copy->intermediate);
			cove_x509_ref(copy->ark);
			hit = true;
			break;
		}
	}
	pthread_mutex_unlock(&v->lock);
out:
	cove_x509_list_free(&mids);
	return hit;
}

static void memo_store(cove_snp_verifier *v, const chain_memo *m)
{
	pthread_mutex_lock(&v->lock);
	chain_memo *slot;
	if (v->nmemo < MEMO_MAX) {
		slot = &v->memo[v->nmemo++];
	} else {
		slot = &v->memo[v->memo_next];
		v->memo_next = (v->memo_next + 1) % MEMO_MAX;
		memo_clear(slot);
	}
	*slot = *m;
	cove_x509_ref(slot->leaf);
	cove_x509_ref(slot->intermediate);
	cove_x509_ref(slot->ark);
	pthread_mutex_unlock(&v->lock);
}

/* CRL checks; returns true when revocation was checked and nothing in the chain is revoked. */
static bool check_crl(cove_snp_verifier *v, cove_x509_crl *crl, const chain_memo *m, int64_t at, cove_result *res)
{
	cove_error e = {0};
	char when[32], edge[32], serial[96], cn[128];
	uint8_t ch[32], ah[32];
	bool memo_hit = false;

	if (!cove_x509_crl_issued_by(crl, m->ark)) {
		cove_result_fail(res, COVE_CHECK_AUTHENTICITY, "crl.issuer", "the CRL was not issued by the ARK of this chain");
		return false;
	}
	if (cove_x509_crl_sha256(crl, ch, NULL) == COVE_OK && cove_x509_sha256(m->ark, ah, NULL) == COVE_OK) {
		pthread_mutex_lock(&v->lock);
		for (size_t i = 0; i < v->ncrls && !memo_hit; i++)
			memo_hit = memcmp(v->crls[i].crl_hash, ch, 32) == 0 && memcmp(v->crls[i].ark_hash, ah, 32) == 0;
		pthread_mutex_unlock(&v->lock);
	}
	if (!memo_hit) {
		if (cove_x509_crl_check_pss(crl, COVE_SHA384, PSS_SALT, &e) ||
		    cove_x509_crl_check_signature(crl, cove_x509_pubkey(m->ark), &e)) {
			cove_result_fail(res, COVE_CHECK_AUTHENTICITY, "crl.signature", "%s", e.msg);
			return false;
		}
		pthread_mutex_lock(&v->lock);
		crl_memo *slot = v->ncrls < MEMO_MAX ? &v->crls[v->ncrls++] : &v->crls[v->crl_next++ % MEMO_MAX];
		memcpy(slot->crl_hash, ch, 32);
		memcpy(slot->ark_hash, ah, 32);
		pthread_mutex_unlock(&v->lock);
	}
	int64_t this_update = cove_x509_crl_this_update(crl), next_update = cove_x509_crl_next_update(crl);
	cove_time_format(at, when);
	if (at < this_update) {
		cove_time_format(this_update, edge);
		cove_result_fail(res, COVE_CHECK_AUTHENTICITY, "crl.validity", "the CRL was issued at %s, after the "
				 "verification time %s", edge, when);
		return false;
	}
	if (!next_update || at > next_update) {
		cove_time_format(next_update, edge);
		cove_result_fail(res, COVE_CHECK_AUTHENTICITY, "crl.validity",
				 "the CRL is stale at %s (nextUpdate %s): fetch a fresh one", when,
				 next_update ? edge : "absent");
		return false;
	}
	cove_x509 *listed[] = {m->intermediate, m->leaf};
	for (size_t i = 0; i < 2; i++) {
		if (cove_x509_crl_lists(crl, listed[i])) {
			cove_x509_serial_hex(listed[i], serial, sizeof(serial));
			cert_name(listed[i], cn, sizeof(cn));
			cove_result_fail(res, COVE_CHECK_AUTHENTICITY, "crl.revoked",
					 "certificate '%s' (serial 0x%s) is revoked by the ARK's CRL", cn, serial);
			return false;
		}
	}
	return true;
}

/* The binding of the VCEK/VLEK to this report (AMD 57230; go-sev-guest validateTcb). */
static void check_binding(const cove_snp_report *r, cove_snp_product product, const chain_memo *m, cove_result *res)
{
	const cove_snp_vcek_ext *x = &m->ext;
	cove_snp_tcb t = cove_snp_tcb_decode(r->reported_tcb, product);
	const struct { const char *name; int cert; int report; bool required; } spl[] = {
		{"blSPL", x->bl_spl, t.bootloader, true},
		{"teeSPL", x->tee_spl, t.tee, true},
		{"snpSPL", x->snp_spl, t.snp, true},
		{"ucodeSPL", x->ucode_spl, t.microcode, true},
		{"fmcSPL", x->fmc_spl, t.fmc, product == COVE_SNP_TURIN},
	};
	for (size_t i = 0; i < 5; i++) {
		if (!spl[i].required)
			continue;
		if (spl[i].cert < 0)
			cove_result_fail(res, COVE_CHECK_AUTHENTICITY, "tcb.binding",
					 "the %s certificate has no %s extension", m->vlek ? "VLEK" : "VCEK", spl[i].name);
		else if (spl[i].cert != spl[i].report)
			cove_result_fail(res, COVE_CHECK_AUTHENTICITY, "tcb.binding",
					 "the %s was issued for %s %d but REPORTED_TCB has %d: the certificate belongs to "
					 "another TCB", m->vlek ? "VLEK" : "VCEK", spl[i].name, spl[i].cert, spl[i].report);
	}
	/* productName: "Milan-B0", "Genoa", "Turin" (VLEKs carry no stepping). */
	const char *want = cove_snp_product_name(product);
	size_t wl = strlen(want);
	if (x->product_name[0] &&
	    !(strncmp(x->product_name, want, wl) == 0 && (x->product_name[wl] == '\0' || x->product_name[wl] == '-')))
		cove_result_fail(res, COVE_CHECK_AUTHENTICITY, "vcek.product",
				 "the certificate is for product '%s' but the report is from %s", x->product_name, want);
	if (m->vlek) {
		if (r->signing_key != COVE_SNP_KEY_VLEK)
			cove_result_fail(res, COVE_CHECK_AUTHENTICITY, "signing_key",
					 "the report says it was signed by the VCEK but the certificate is a VLEK");
		return;
	}
	if (r->signing_key != COVE_SNP_KEY_VCEK) {
		cove_result_fail(res, COVE_CHECK_AUTHENTICITY, "signing_key",
				 "the report says it was signed by the VLEK but the certificate is a VCEK");
		return;
	}
	if (x->hwid_len == 0) {
		cove_result_fail(res, COVE_CHECK_AUTHENTICITY, "vcek.hwid", "the VCEK has no hwID extension");
		return;
	}
	if (cove_is_zero(r->chip_id, sizeof(r->chip_id)))
		return; /* MASK_CHIP_ID: only the signature binds the chip */
	bool same = memcmp(x->hwid, r->chip_id, x->hwid_len) == 0 &&
		    cove_is_zero(r->chip_id + x->hwid_len, sizeof(r->chip_id) - x->hwid_len);
	if (!same)
		cove_result_fail(res, COVE_CHECK_AUTHENTICITY, "vcek.hwid",
				 "the VCEK's hwID differs from the report's CHIP_ID: the certificate belongs to another chip");
}

static cove_snp_product product_from_certs(const cove_x509_list *certs)
{
	for (size_t i = 0; certs && i < certs->count; i++) {
		cove_snp_vcek_ext ext;
		cove_snp_product p;
		if (cove_snp_vcek_ext_parse(certs->certs[i], &ext, NULL) == COVE_OK && ext.product_name[0] &&
		    cove_snp_product_parse(ext.product_name, &p, NULL) == COVE_OK)
			return p;
	}
	return COVE_SNP_PRODUCT_UNKNOWN;
}

/* Ask the collateral source for something; false with a note in `why` when it has nothing. */
static bool fetch(cove_err rc, const cove_error *e, char *why, size_t why_len)
{
	if (rc == COVE_OK)
		return true;
	snprintf(why, why_len, "%s", e->msg[0] ? e->msg : cove_err_name(rc));
	return false;
}

cove_err cove_snp_verify(cove_snp_verifier *v, const cove_snp_report *r, const cove_x509_list *certs,
			 cove_x509_crl *crl_in, const cove_snp_policy *policy_in, const cove_snp_verify_opts *opts_in,
			 cove_result **out, cove_error *e)
{
	cove_snp_verify_opts opts = {0};
	cove_snp_policy policy;
	cove_result *res = NULL;
	pool p = {0};
	chain_memo m = {0};
	bool have_chain = false, unavailable = false;
	cove_x509_crl *fetched_crl = NULL;
	cove_buf b = {0};
	cove_error fe = {0};
	char why[COVE_ERROR_MSG_MAX] = "";
	cove_err rc;

	if (opts_in)
		opts = *opts_in;
	if (!opts.at)
		opts.at = cove_time_now();
	if (policy_in)
		policy = *policy_in;
	else
		cove_snp_policy_init(&policy);
	if ((rc = cove_result_new(&res, e)))
		return rc;

	/* Which product: the report's CPUID (v3+), the caller, or the VCEK's productName (v2). */
	cove_snp_product product = cove_snp_report_product(r);
	if (opts.product != COVE_SNP_PRODUCT_UNKNOWN) {
		if (product != COVE_SNP_PRODUCT_UNKNOWN && product != opts.product)
			cove_result_fail(res, COVE_CHECK_AUTHENTICITY, "product",
					 "the report's CPUID says %s but %s was requested", cove_snp_product_name(product),
					 cove_snp_product_name(opts.product));
		product = opts.product;
	}
	if (product == COVE_SNP_PRODUCT_UNKNOWN && !r->has_cpuid)
		product = product_from_certs(certs);

	char at_text[32];
	cove_time_format(opts.at, at_text);
	json_object_set_new(res->claims, "report", cove_snp_report_to_json(r, product ? product : COVE_SNP_MILAN));
	json_object_set_new(res->claims, "product", json_string(cove_snp_product_name(product)));
	json_object_set_new(res->claims, "verified_at", json_string(at_text));

	if (product == COVE_SNP_PRODUCT_UNKNOWN) {
		cove_result_fail(res, COVE_CHECK_AUTHENTICITY, "product",
				 r->has_cpuid ? "the report's CPUID family 0x%02x model 0x%02x is not a known SEV-SNP product"
					      : "a version 2 report does not name its product (family 0x%02x model 0x%02x "
						"unknown); state it with --product Milan|Genoa|Turin or supply the VCEK",
				 r->cpuid_fam_id, r->cpuid_mod_id);
		goto policy;
	}
	if (r->signing_key == COVE_SNP_KEY_NONE || r->mask_chip_key) {
		cove_result_fail(res, COVE_CHECK_AUTHENTICITY, "signing_key",
				 "the report carries no chip signature (%s)",
				 r->mask_chip_key ? "MASK_CHIP_KEY is set" : "SIGNING_KEY = none");
		goto policy;
	}
	bool want_vlek = r->signing_key == COVE_SNP_KEY_VLEK;
	json_object_set_new(res->claims, "signing_key", json_string(want_vlek ? "VLEK" : "VCEK"));

	for (size_t i = 0; certs && i < certs->count; i++)
		cove_x509_list_add(&p.certs, certs->certs[i], NULL);
	pool_classify(v, &p, product, want_vlek, r->chip_id);

	if (!p.leaf) {
		if (want_vlek) {
			snprintf(why, sizeof(why), "VLEKs cannot be downloaded; supply the VLEK certificate");
		} else if (v->src.get_vcek) {
			cove_error_clear(&fe);
			if (fetch(v->src.get_vcek(v->src.ctx, product, r->chip_id, r->reported_tcb, &b, &fe), &fe, why,
				  sizeof(why)) &&
			    add_pem_or_der(&p.certs, &b, &fe) == COVE_OK)
				pool_classify(v, &p, product, want_vlek, r->chip_id);
			else if (!why[0])
				snprintf(why, sizeof(why), "%s", fe.msg);
			cove_buf_free(&b);
		} else {
			snprintf(why, sizeof(why), "none was supplied and no collateral source is configured");
		}
		if (!p.leaf) {
			cove_result_fail(res, COVE_CHECK_AUTHENTICITY, "collateral.vcek", "no %s certificate for this "
					 "report: %s", want_vlek ? "VLEK" : "VCEK", why);
			unavailable = true;
			goto policy;
		}
	}
	bool have_mid = false;
	for (size_t i = 0; i < p.certs.count; i++)
		have_mid |= p.certs.certs[i] != p.leaf && !cove_x509_is_self_issued(p.certs.certs[i]) &&
			    cove_x509_is_ca(p.certs.certs[i]);
	if ((!p.ark || !have_mid) && v->src.get_chain) {
		cove_error_clear(&fe);
		if (fetch(v->src.get_chain(v->src.ctx, product, want_vlek, &b, &fe), &fe, why, sizeof(why)) &&
		    add_pem_or_der(&p.certs, &b, &fe) == COVE_OK)
			pool_classify(v, &p, product, want_vlek, r->chip_id);
		cove_buf_free(&b);
	}
	if (!p.ark) {
		char spki[65];
		if (p.foreign_root) {
			cove_hex_write(spki, p.foreign_spki, 32);
			cove_result_fail(res, COVE_CHECK_AUTHENTICITY, "chain.root",
					 "the chain ends at '%s' (key SHA-256 %s), which is not a trusted %s root: foreign "
					 "roots are never trusted (emulated evidence needs --trust-emulated-root)",
					 p.foreign_cn, spki, cove_snp_product_name(product));
		} else if (p.other_product_root) {
			cove_result_fail(res, COVE_CHECK_AUTHENTICITY, "chain.product",
					 "the certificate chain is rooted in %s, but the report is from %s",
					 p.other_product_root->name, cove_snp_product_name(product));
		} else {
			cove_result_fail(res, COVE_CHECK_AUTHENTICITY, "collateral.chain",
					 "no ARK/ASK chain for %s: %s", cove_snp_product_name(product),
					 why[0] ? why : "none was supplied and no collateral source is configured");
			unavailable = true;
		}
		goto policy;
	}

	if (memo_find(v, &p, opts.at, &m)) {
		have_chain = true;
	} else if (verify_chain(&p, want_vlek, opts.at, &m, res)) {
		have_chain = true;
		memo_store(v, &m);
	}
	if (!have_chain)
		goto signature;
	json_object_set_new(res->claims, "root", json_string(v->roots[m.root].name));
	json_object_set_new(res->claims, "emulated", json_boolean(v->roots[m.root].emulated));

	/* Revocation. */
	cove_x509_crl *crl = crl_in;
	if (!crl && v->src.get_crl) {
		cove_error_clear(&fe);
		if (fetch(v->src.get_crl(v->src.ctx, product, want_vlek, &b, &fe), &fe, why, sizeof(why)) &&
		    cove_x509_crl_parse(b.data, b.len, &fetched_crl, &fe) == COVE_OK)
			crl = fetched_crl;
		else if (!why[0])
			snprintf(why, sizeof(why), "%s", fe.msg);
		cove_buf_free(&b);
	}
	bool revocation_checked = false;
	if (crl) {
		revocation_checked = check_crl(v, crl, &m, opts.at, res);
	} else if (policy.require_crl) {
		cove_result_fail(res, COVE_CHECK_AUTHENTICITY, "crl.unavailable",
				 "no CRL to check the %s against: %s (use --crl FILE, or --no-crl to accept "
				 "unchecked revocation)", want_vlek ? "ASVK" : "ASK",
				 why[0] ? why : "none was supplied and no collateral source is configured");
		unavailable = true;
	}
	json_object_set_new(res->claims, "revocation_checked", json_boolean(revocation_checked));
	check_binding(r, product, &m, res);

signature:
	if (have_chain) {
		cove_error se = {0};
		if (cove_ecdsa_verify_raw(cove_x509_pubkey(m.leaf), COVE_SHA384, r->raw, COVE_SNP_SIGNED_SIZE,
					  r->signature_r, r->signature_s, 72, true, &se))
			cove_result_fail(res, COVE_CHECK_AUTHENTICITY, "report_signature",
					 "the report signature does not verify with the %s: %s", want_vlek ? "VLEK" : "VCEK",
					 se.msg);
	} else {
		cove_result_fail(res, COVE_CHECK_AUTHENTICITY, "report_signature",
				 "not checked: no trusted certificate chain for the signing key");
	}

policy:
	cove_snp_policy_apply(&policy, r, product ? product : COVE_SNP_MILAN, res);
	json_object_set_new(res->claims, "policy", cove_snp_policy_to_json(&policy));
	memo_clear(&m);
	cove_x509_crl_free(fetched_crl);
	cove_x509_list_free(&p.certs);
	*out = res;
	if (unavailable)
		return cove_error_set(e, COVE_ERR_UNAVAILABLE, "collateral unavailable: %s",
				      why[0] ? why : "see the failures");
	return COVE_OK;
}
