/*
 * The emulated SEV-SNP platform object: creating it in its state directory,
 * loading and cross-checking it, its root pins, certificate chains (one VCEK
 * per TCB, as AMD's KDS issues them), its CRL and its identity as JSON.
 *
 * Files under <state dir>/snp/ (docs/emulated-platform.md):
 *   ark.pem ark.key ask.pem ask.key vcek.pem vcek.key  chain and keys (keys 0600)
 *   crl.pem        empty CRL signed by the ARK
 *   chip_id        64 raw bytes (Turin: 8 random bytes, then zeros)
 *   platform.json  product, TCB, firmware version, creation time
 *   vcek-tcb/<TCB_VERSION as 16 hex digits>/vcek.{pem,key}  VCEKs for other TCBs
 * The chain shapes follow AMD 57230 and shared/research/snp.md section b.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "platform/internal.h"

#define PLAT_JSON_FORMAT 1
#define MAX_STATE_FILE (1 << 20)

/* ---- small helpers ---- */

static cove_err file_in(char *out, size_t n, const char *dir, const char *name, cove_error *e)
{
	return plat_path(out, n, e, "%s/%s", dir, name);
}

static cove_err read_state_file(const char *dir, const char *name, bool secret, cove_buf *out, cove_error *e)
{
	char path[PATH_MAX];
	cove_err rc = file_in(path, sizeof(path), dir, name, e);
	if (rc || (rc = plat_check_file(path, secret, e)))
		return rc;
	return cove_file_read(path, MAX_STATE_FILE, out, e);
}

static cove_err load_cert(const char *dir, const char *name, X509 **out, cove_error *e)
{
	cove_buf b = {0};
	cove_err rc = read_state_file(dir, name, false, &b, e);
	if (!rc && (rc = cove_x509_parse(b.data, b.len, out, e)))
		cove_error_wrap(e, rc, "%s/%s", dir, name);
	cove_buf_free(&b);
	return rc;
}

static cove_err load_key(const char *dir, const char *name, EVP_PKEY **out, cove_error *e)
{
	char path[PATH_MAX];
	cove_err rc = file_in(path, sizeof(path), dir, name, e);
	if (rc || (rc = plat_check_file(path, true, e)))
		return rc;
	return cove_pkey_load_pem(path, out, e);
}

static cove_err write_state_file(const char *dir, const char *name, const void *data, size_t len, unsigned mode,
				 cove_error *e)
{
	char path[PATH_MAX];
	cove_err rc = file_in(path, sizeof(path), dir, name, e);
	if (rc)
		return rc;
	return cove_file_write(path, data, len, mode, e);
}

static cove_err write_cert(const char *dir, const char *name, X509 *c, cove_error *e)
{
	cove_buf b = {0};
	cove_err rc = plat_pem_cert(c, &b, e);
	if (!rc)
		rc = write_state_file(dir, name, b.data, b.len, 0644, e);
	cove_buf_free(&b);
	return rc;
}

static cove_err write_key(const char *dir, const char *name, EVP_PKEY *k, cove_error *e)
{
	cove_buf b = {0};
	cove_err rc = plat_pem_key(k, &b, e);
	if (!rc)
		rc = write_state_file(dir, name, b.data, b.len, 0600, e);
	if (b.data)
		OPENSSL_cleanse(b.data, b.len);
	cove_buf_free(&b);
	return rc;
}

static void tcb_text(const cove_snp_tcb *t, cove_snp_product p, char *out, size_t n)
{
	if (p == COVE_SNP_TURIN)
		snprintf(out, n, "fmc=%u,bl=%u,tee=%u,snp=%u,ucode=%u", t->fmc, t->bootloader, t->tee, t->snp,
			 t->microcode);
	else
		snprintf(out, n, "bl=%u,tee=%u,snp=%u,ucode=%u", t->bootloader, t->tee, t->snp, t->microcode);
}

static bool tcb_equal(const cove_snp_tcb *a, const cove_snp_tcb *b, cove_snp_product p)
{
	return cove_snp_tcb_encode(a, p) == cove_snp_tcb_encode(b, p) && (p != COVE_SNP_TURIN || a->fmc == b->fmc);
}

static json_t *tcb_json(const cove_snp_tcb *t, cove_snp_product p)
{
	json_t *j = json_object();
	if (p == COVE_SNP_TURIN)
		json_object_set_new(j, "fmc", json_integer(t->fmc));
	json_object_set_new(j, "bootloader", json_integer(t->bootloader));
	json_object_set_new(j, "tee", json_integer(t->tee));
	json_object_set_new(j, "snp", json_integer(t->snp));
	json_object_set_new(j, "microcode", json_integer(t->microcode));
	return j;
}

static json_t *hex_json(const void *p, size_t n)
{
	char *h = cove_hex_new(p, n);
	json_t *j = h ? json_string(h) : json_null();
	free(h);
	return j;
}

static json_t *time_json(int64_t t)
{
	char buf[32];
	cove_time_format(t, buf);
	return json_string(buf);
}

/* ---- platform.json ---- */

static json_t *state_json(const plat_product *pp, const cove_snp_tcb *tcb, int64_t created)
{
	char fw[16];
	snprintf(fw, sizeof(fw), "%u.%u.%u", pp->fw_major, pp->fw_minor, pp->fw_build);
	json_t *j = json_object();
	json_object_set_new(j, "format", json_integer(PLAT_JSON_FORMAT));
	json_object_set_new(j, "product", json_string(pp->name));
	json_object_set_new(j, "tcb", tcb_json(tcb, pp->product));
	json_object_set_new(j, "firmware", json_string(fw));
	json_object_set_new(j, "created", time_json(created));
	return j;
}

static cove_err json_u8(json_t *obj, const char *key, bool required, uint8_t *out, cove_error *e)
{
	json_t *v = json_object_get(obj, key);
	if (!v) {
		if (required)
			return cove_error_set(e, COVE_ERR_PARSE, "platform.json: tcb.%s is missing", key);
		*out = 0;
		return COVE_OK;
	}
	if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 255)
		return cove_error_set(e, COVE_ERR_PARSE, "platform.json: tcb.%s must be an integer 0..255", key);
	*out = (uint8_t)json_integer_value(v);
	return COVE_OK;
}

static cove_err read_state_json(cove_platform *p, cove_error *e)
{
	cove_buf b = {0};
	json_error_t jerr;
	json_t *j = NULL;
	cove_snp_product product;
	unsigned maj, min, build;
	int n = 0;
	cove_err rc = read_state_file(p->snp_dir, "platform.json", false, &b, e);
	if (rc)
		return rc;
	j = json_loadb((const char *)b.data, b.len, JSON_REJECT_DUPLICATES, &jerr);
	if (!j || !json_is_object(j)) {
		rc = cove_error_set(e, COVE_ERR_PARSE, "platform.json: line %d: %s", jerr.line,
				    j ? "not a JSON object" : jerr.text);
		goto out;
	}
	json_t *fmt = json_object_get(j, "format");
	const char *prod = json_string_value(json_object_get(j, "product"));
	const char *fw = json_string_value(json_object_get(j, "firmware"));
	const char *created = json_string_value(json_object_get(j, "created"));
	json_t *tcb = json_object_get(j, "tcb");
	if (!json_is_integer(fmt) || json_integer_value(fmt) != PLAT_JSON_FORMAT) {
		rc = cove_error_set(e, COVE_ERR_UNSUPPORTED, "platform.json: format must be %d", PLAT_JSON_FORMAT);
		goto out;
	}
	if (!prod || !fw || !created || !json_is_object(tcb)) {
		rc = cove_error_set(e, COVE_ERR_PARSE,
				    "platform.json: needs \"product\", \"firmware\" and \"created\" strings and a "
				    "\"tcb\" object");
		goto out;
	}
	if ((rc = cove_snp_product_parse(prod, &product, e)))
		goto out;
	if (!(p->prod = plat_product_of(product))) {
		rc = cove_error_set(e, COVE_ERR_UNSUPPORTED, "platform.json: product %s is not emulated", prod);
		goto out;
	}
	bool turin = product == COVE_SNP_TURIN;
	if ((rc = json_u8(tcb, "fmc", turin, &p->tcb.fmc, e)) ||
	    (rc = json_u8(tcb, "bootloader", true, &p->tcb.bootloader, e)) ||
	    (rc = json_u8(tcb, "tee", true, &p->tcb.tee, e)) || (rc = json_u8(tcb, "snp", true, &p->tcb.snp, e)) ||
	    (rc = json_u8(tcb, "microcode", true, &p->tcb.microcode, e)))
		goto out;
	if (sscanf(fw, "%3u.%3u.%3u%n", &maj, &min, &build, &n) != 3 || fw[n] || maj > 255 || min > 255 || build > 255) {
		rc = cove_error_set(e, COVE_ERR_PARSE, "platform.json: firmware '%s' is not MAJOR.MINOR.BUILD", fw);
		goto out;
	}
	p->fw_major = (uint8_t)maj;
	p->fw_minor = (uint8_t)min;
	p->fw_build = (uint8_t)build;
	if ((rc = cove_time_parse(created, &p->created_at, e)))
		cove_error_wrap(e, rc, "platform.json: created");
out:
	json_decref(j);
	cove_buf_free(&b);
	return rc;
}

/* ---- consistency checks ---- */

static cove_err check_pair(X509 *c, EVP_PKEY *k, const char *what, cove_error *e)
{
	if (EVP_PKEY_eq(X509_get0_pubkey(c), k) != 1)
		return cove_error_set(e, COVE_ERR_VERIFY, "%s.key does not belong to the certificate %s.pem", what, what);
	return COVE_OK;
}

/* A VCEK must be signed by the ASK and certify exactly this product, TCB and chip. */
static cove_err check_vcek(cove_platform *p, X509 *vcek, EVP_PKEY *key, uint64_t tcb_raw, cove_error *e)
{
	cove_snp_vcek_ext ext;
	cove_snp_tcb want = cove_snp_tcb_decode(tcb_raw, p->prod->product);
	cove_err rc = check_pair(vcek, key, "vcek", e);
	if (rc)
		return rc;
	if ((rc = cove_x509_check_pss_signature(vcek, X509_get0_pubkey(p->ask), COVE_SHA384, 48, e)))
		return cove_error_wrap(e, rc, "VCEK not signed by this platform's ASK");
	if ((rc = cove_snp_vcek_ext_parse(vcek, &ext, e)))
		return rc;
	bool turin = p->prod->product == COVE_SNP_TURIN;
	if (ext.struct_version != p->prod->struct_version || strcmp(ext.product_name, p->prod->vcek_product) != 0 ||
	    ext.bl_spl != want.bootloader || ext.tee_spl != want.tee || ext.snp_spl != want.snp ||
	    ext.ucode_spl != want.microcode || (turin && ext.fmc_spl != want.fmc) ||
	    ext.hwid_len != p->prod->hwid_len || memcmp(ext.hwid, p->chip_id, ext.hwid_len) != 0)
		return cove_error_set(e, COVE_ERR_VERIFY,
				      "the VCEK's extensions do not match the platform (product, TCB 0x%016llx or chip id)",
				      (unsigned long long)tcb_raw);
	return COVE_OK;
}

static cove_err add_vcek(cove_platform *p, uint64_t tcb_raw, X509 *cert, EVP_PKEY *key, cove_error *e)
{
	plat_vcek *n = realloc(p->vceks, (p->nvceks + 1) * sizeof(*n));
	if (!n)
		return cove_error_set(e, COVE_ERR_NOMEM, "out of memory");
	p->vceks = n;
	p->vceks[p->nvceks++] = (plat_vcek){tcb_raw, cert, key};
	return COVE_OK;
}

static cove_err load(cove_platform *p, cove_error *e)
{
	cove_buf chip = {0};
	X509 *vcek = NULL;
	EVP_PKEY *vcek_key = NULL;
	cove_buf crl_pem = {0};
	cove_err rc = plat_check_private_dir(p->snp_dir, "platform directory", e);
	if (rc || (rc = read_state_json(p, e)))
		goto out;
	if ((rc = read_state_file(p->snp_dir, "chip_id", false, &chip, e)))
		goto out;
	if (chip.len != COVE_PLATFORM_CHIP_ID_SIZE) {
		rc = cove_error_set(e, COVE_ERR_PARSE, "chip_id is %zu bytes, expected %d", chip.len,
				    COVE_PLATFORM_CHIP_ID_SIZE);
		goto out;
	}
	memcpy(p->chip_id, chip.data, COVE_PLATFORM_CHIP_ID_SIZE);
	if (!cove_is_zero(p->chip_id + p->prod->hwid_len, COVE_PLATFORM_CHIP_ID_SIZE - p->prod->hwid_len)) {
		rc = cove_error_set(e, COVE_ERR_PARSE, "chip_id: a %s chip id has %zu bytes; the rest must be zero",
				    p->prod->name, p->prod->hwid_len);
		goto out;
	}
	if ((rc = load_cert(p->snp_dir, "ark.pem", &p->ark, e)) || (rc = load_key(p->snp_dir, "ark.key", &p->ark_key, e)) ||
	    (rc = load_cert(p->snp_dir, "ask.pem", &p->ask, e)) || (rc = load_key(p->snp_dir, "ask.key", &p->ask_key, e)) ||
	    (rc = load_cert(p->snp_dir, "vcek.pem", &vcek, e)) || (rc = load_key(p->snp_dir, "vcek.key", &vcek_key, e)))
		goto out;
	if ((rc = check_pair(p->ark, p->ark_key, "ark", e)) || (rc = check_pair(p->ask, p->ask_key, "ask", e)))
		goto out;
	if (!cove_x509_is_self_issued(p->ark)) {
		rc = cove_error_set(e, COVE_ERR_VERIFY, "ark.pem is not self-issued");
		goto out;
	}
	if ((rc = cove_x509_check_pss_signature(p->ark, p->ark_key, COVE_SHA384, 48, e))) {
		cove_error_wrap(e, rc, "ark.pem is not self-signed as AMD's ARKs are");
		goto out;
	}
	if ((rc = cove_x509_check_pss_signature(p->ask, p->ark_key, COVE_SHA384, 48, e))) {
		cove_error_wrap(e, rc, "ask.pem is not signed by ark.pem");
		goto out;
	}
	if ((rc = read_state_file(p->snp_dir, "crl.pem", false, &crl_pem, e)) ||
	    (rc = cove_x509_crl_parse(crl_pem.data, crl_pem.len, &p->crl, e)))
		goto out;
	if (!cove_x509_crl_issued_by(p->crl, p->ark)) {
		rc = cove_error_set(e, COVE_ERR_VERIFY, "crl.pem is not issued by ark.pem");
		goto out;
	}
	if ((rc = cove_x509_crl_check_signature(p->crl, p->ark_key, e)) ||
	    (rc = cove_x509_crl_check_pss(p->crl, COVE_SHA384, 48, e))) {
		cove_error_wrap(e, rc, "crl.pem is not signed by ark.pem as AMD's CRLs are");
		goto out;
	}
	uint64_t raw = cove_snp_tcb_encode(&p->tcb, p->prod->product);
	if ((rc = check_vcek(p, vcek, vcek_key, raw, e)))
		goto out;
	if ((rc = add_vcek(p, raw, vcek, vcek_key, e)))
		goto out;
	vcek = NULL;
	vcek_key = NULL;
out:
	X509_free(vcek);
	EVP_PKEY_free(vcek_key);
	cove_buf_free(&crl_pem);
	cove_buf_free(&chip);
	return rc;
}

/* Make a complete platform in a private temporary folder, then move it into place. */
static cove_err create(cove_platform *p, const plat_product *pp, const cove_snp_tcb *tcb, bool replace, bool *lost,
		       cove_error *e)
{
	EVP_PKEY *ark_key = NULL, *ask_key = NULL, *vcek_key = NULL;
	X509 *ark = NULL, *ask = NULL, *vcek = NULL;
	X509_CRL *crl = NULL;
	uint8_t chip[COVE_PLATFORM_CHIP_ID_SIZE] = {0};
	char tmp[PATH_MAX] = "";
	cove_buf crl_pem = {0};
	char *js = NULL;
	int64_t now = cove_time_now();
	json_t *state = NULL;

	cove_random_bytes(chip, pp->hwid_len);
	cove_err rc = plat_keygen_rsa(&ark_key, e);
	if (rc || (rc = plat_keygen_rsa(&ask_key, e)) || (rc = plat_keygen_ec(&vcek_key, e)))
		goto out;
	if ((rc = plat_issue_ark(pp, ark_key, now, &ark, e)) ||
	    (rc = plat_issue_ask(pp, ask_key, ark, ark_key, now, &ask, e)) ||
	    (rc = plat_issue_vcek(pp, vcek_key, tcb, chip, ask, ask_key, now, &vcek, e)) ||
	    (rc = plat_issue_crl(ark, ark_key, 1, now, &crl, e)) || (rc = plat_pem_crl(crl, &crl_pem, e)))
		goto out;
	state = state_json(pp, tcb, now);
	js = json_dumps(state, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (!js) {
		rc = cove_error_set(e, COVE_ERR_NOMEM, "out of memory");
		goto out;
	}
	if ((rc = plat_make_temp_dir(p->dir, "snp-new", tmp, sizeof(tmp), e)))
		goto out;
	if ((rc = write_cert(tmp, "ark.pem", ark, e)) || (rc = write_key(tmp, "ark.key", ark_key, e)) ||
	    (rc = write_cert(tmp, "ask.pem", ask, e)) || (rc = write_key(tmp, "ask.key", ask_key, e)) ||
	    (rc = write_cert(tmp, "vcek.pem", vcek, e)) || (rc = write_key(tmp, "vcek.key", vcek_key, e)) ||
	    (rc = write_state_file(tmp, "crl.pem", crl_pem.data, crl_pem.len, 0644, e)) ||
	    (rc = write_state_file(tmp, "chip_id", chip, sizeof(chip), 0644, e)) ||
	    (rc = write_state_file(tmp, "platform.json", js, strlen(js), 0644, e))) {
		plat_remove_tree(tmp, NULL);
		goto out;
	}
	rc = plat_publish_dir(tmp, p->snp_dir, replace, lost, e);
out:
	free(js);
	json_decref(state);
	cove_buf_free(&crl_pem);
	X509_CRL_free(crl);
	X509_free(vcek);
	X509_free(ask);
	X509_free(ark);
	EVP_PKEY_free(vcek_key);
	EVP_PKEY_free(ask_key);
	EVP_PKEY_free(ark_key);
	return rc;
}

/* ---- open / init ---- */

void cove_platform_free(cove_platform *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->nvceks; i++) {
		X509_free(p->vceks[i].cert);
		EVP_PKEY_free(p->vceks[i].key);
	}
	free(p->vceks);
	X509_CRL_free(p->crl);
	X509_free(p->ark);
	X509_free(p->ask);
	EVP_PKEY_free(p->ark_key);
	EVP_PKEY_free(p->ask_key);
	plat_sgx_free(p->sgx);
	free(p);
}

/* Resolve and prepare the state directory; *exists says whether snp/ is there. */
static cove_err prepare(cove_platform *p, const char *dir, bool create_dir, bool *exists, cove_error *e)
{
	struct stat st;
	cove_err rc = plat_resolve_dir(dir, p->dir, sizeof(p->dir), e);
	if (rc || (rc = plat_path(p->snp_dir, sizeof(p->snp_dir), e, "%s/snp", p->dir)))
		return rc;
	if (stat(p->dir, &st) != 0) {
		if (errno != ENOENT)
			return cove_error_set(e, COVE_ERR_IO, "cannot use state directory %s: %s", p->dir, strerror(errno));
		if (!create_dir)
			return cove_error_set(e, COVE_ERR_UNAVAILABLE,
					      "no emulated platform in %s (the directory does not exist; run "
					      "'cove platform init')", p->dir);
		if ((rc = plat_mkdirs(p->dir, e)))
			return rc;
	}
	if ((rc = plat_check_private_dir(p->dir, "state directory", e)))
		return rc;
	if (lstat(p->snp_dir, &st) == 0) {
		*exists = true;
	} else if (errno == ENOENT) {
		*exists = false;
	} else {
		return cove_error_set(e, COVE_ERR_IO, "cannot use %s: %s", p->snp_dir, strerror(errno));
	}
	return COVE_OK;
}

static cove_err load_or_explain(cove_platform *p, cove_error *e)
{
	cove_err rc = load(p, e);
	if (rc == COVE_ERR_PARSE || rc == COVE_ERR_VERIFY || rc == COVE_ERR_UNSUPPORTED) {
		char msg[COVE_ERROR_MSG_MAX];
		snprintf(msg, sizeof(msg), "%s", e ? e->msg : "");
		cove_error_set(e, rc, "emulated platform in %s is damaged: %s (to start over with new keys: "
			       "cove platform init --force)", p->snp_dir, msg);
	} else if (rc == COVE_ERR_IO || rc == COVE_ERR_ARG) {
		cove_error_wrap(e, rc, "emulated platform in %s", p->snp_dir);
	}
	return rc;
}

cove_err cove_platform_open(const char *dir, bool create_it, cove_platform **out, cove_error *e)
{
	bool exists = false, lost = false;
	cove_platform *p = calloc(1, sizeof(*p));
	if (!p)
		return cove_error_set(e, COVE_ERR_NOMEM, "out of memory");
	cove_err rc = prepare(p, dir, create_it, &exists, e);
	if (rc)
		goto out;
	if (!exists) {
		if (!create_it) {
			rc = cove_error_set(e, COVE_ERR_UNAVAILABLE, "no emulated platform in %s (run 'cove platform init')",
					    p->dir);
			goto out;
		}
		const plat_product *pp = plat_product_of(COVE_SNP_MILAN);
		if ((rc = create(p, pp, &pp->default_tcb, false, &lost, e)))
			goto out;
		p->created = !lost;
	}
	rc = load_or_explain(p, e);
out:
	if (rc) {
		cove_platform_free(p);
		p = NULL;
	}
	*out = p;
	return rc;
}

cove_err cove_platform_init(const char *dir, const cove_platform_init_opts *o, cove_platform **out, cove_error *e)
{
	static const cove_platform_init_opts defaults = {0};
	bool exists = false, lost = false;
	cove_platform *p = NULL;
	cove_err rc;
	if (!o)
		o = &defaults;
	cove_snp_product product = o->product == COVE_SNP_PRODUCT_UNKNOWN ? COVE_SNP_MILAN : o->product;
	const plat_product *pp = plat_product_of(product);
	if (!pp)
		return cove_error_set(e, COVE_ERR_UNSUPPORTED, "cannot emulate SEV-SNP product %d", (int)product);
	cove_snp_tcb tcb = o->has_tcb ? o->tcb : pp->default_tcb;
	if (product != COVE_SNP_TURIN && tcb.fmc)
		return cove_error_set(e, COVE_ERR_ARG, "an FMC SPL exists only on Turin, not on %s", pp->name);

	if (!(p = calloc(1, sizeof(*p))))
		return cove_error_set(e, COVE_ERR_NOMEM, "out of memory");
	if ((rc = prepare(p, dir, true, &exists, e)))
		goto out;
	if (exists && !o->force) {
		if ((rc = load_or_explain(p, e)))
			goto out;
		bool other_product = o->product != COVE_SNP_PRODUCT_UNKNOWN && o->product != p->prod->product;
		if (other_product || (o->has_tcb && !tcb_equal(&tcb, &p->tcb, p->prod->product))) {
			char have[64], want[64];
			tcb_text(&p->tcb, p->prod->product, have, sizeof(have));
			tcb_text(&tcb, product, want, sizeof(want));
			rc = cove_error_set(e, COVE_ERR_ARG,
					    "the emulated platform in %s is %s with TCB %s; making it %s with TCB %s "
					    "means new keys: use --force (reports from the old keys will no longer "
					    "verify against the new root)",
					    p->snp_dir, p->prod->name, have, pp->name, want);
			goto out;
		}
		/* Re-running init keeps the platform usable: a stale CRL is re-signed. */
		rc = cove_platform_crl_refresh(p, false, NULL, e);
		goto out;
	}
	if ((rc = create(p, pp, &tcb, o->force, &lost, e)))
		goto out;
	if (o->force && !lost) {
		/* Rotation is of the whole platform: the SGX side's keys go too, and are made anew on first use. */
		char sgx[PATH_MAX];
		if ((rc = plat_path(sgx, sizeof(sgx), e, "%s/sgx", p->dir)) || (rc = plat_remove_tree(sgx, e)))
			goto out;
	}
	p->created = !lost;
	rc = load_or_explain(p, e);
out:
	if (rc) {
		cove_platform_free(p);
		p = NULL;
	}
	*out = p;
	return rc;
}

/* ---- accessors ---- */

cove_err cove_platform_default_tcb(cove_snp_product product, cove_snp_tcb *out, cove_error *e)
{
	const plat_product *pp = plat_product_of(product);
	if (!pp)
		return cove_error_set(e, COVE_ERR_UNSUPPORTED, "SEV-SNP product %s is not emulated",
				      cove_snp_product_name(product));
	*out = pp->default_tcb;
	return COVE_OK;
}

bool cove_platform_was_created(const cove_platform *p)
{
	return p->created;
}

const char *cove_platform_dir(const cove_platform *p)
{
	return p->dir;
}

cove_snp_product cove_platform_product(const cove_platform *p)
{
	return p->prod->product;
}

cove_snp_tcb cove_platform_tcb(const cove_platform *p)
{
	return p->tcb;
}

void cove_platform_chip_id(const cove_platform *p, uint8_t out[COVE_PLATFORM_CHIP_ID_SIZE])
{
	memcpy(out, p->chip_id, COVE_PLATFORM_CHIP_ID_SIZE);
}

int64_t cove_platform_created_at(const cove_platform *p)
{
	return p->created_at;
}

cove_err cove_platform_snp_root(cove_platform *p, cove_snp_root *out, cove_error *e)
{
	memset(out, 0, sizeof(*out));
	out->product = p->prod->product;
	out->name = COVE_PLATFORM_NAME;
	out->emulated = true;
	out->has_asvk = false; /* no VLEK is emulated */
	cove_err rc = cove_x509_spki_sha256(p->ark, out->ark_spki_sha256, e);
	if (!rc)
		rc = cove_x509_spki_sha256(p->ask, out->ask_spki_sha256, e);
	return rc;
}

/* ---- VCEKs per TCB ---- */

static cove_err issue_tcb_vcek(cove_platform *p, const cove_snp_tcb *tcb, const char *parent, const char *final,
			       cove_error *e)
{
	EVP_PKEY *key = NULL;
	X509 *cert = NULL;
	char tmp[PATH_MAX];
	bool lost;
	cove_err rc = plat_keygen_ec(&key, e);
	if (rc || (rc = plat_issue_vcek(p->prod, key, tcb, p->chip_id, p->ask, p->ask_key, cove_time_now(), &cert, e)))
		goto out;
	if ((rc = plat_mkdirs(parent, e)) || (rc = plat_check_private_dir(parent, "VCEK directory", e)) ||
	    (rc = plat_make_temp_dir(parent, "vcek-new", tmp, sizeof(tmp), e)))
		goto out;
	if ((rc = write_cert(tmp, "vcek.pem", cert, e)) || (rc = write_key(tmp, "vcek.key", key, e))) {
		plat_remove_tree(tmp, NULL);
		goto out;
	}
	rc = plat_publish_dir(tmp, final, false, &lost, e); /* when lost, another process's VCEK is used */
out:
	X509_free(cert);
	EVP_PKEY_free(key);
	return rc;
}

static cove_err vcek_for(cove_platform *p, const cove_snp_tcb *tcb, plat_vcek **out, cove_error *e)
{
	char parent[PATH_MAX], dir[PATH_MAX];
	X509 *cert = NULL;
	EVP_PKEY *key = NULL;
	struct stat st;
	if (tcb && tcb->fmc && p->prod->product != COVE_SNP_TURIN)
		return cove_error_set(e, COVE_ERR_ARG, "an FMC SPL exists only on Turin, not on %s", p->prod->name);
	uint64_t raw = tcb ? cove_snp_tcb_encode(tcb, p->prod->product) : p->vceks[0].tcb_raw;
	for (size_t i = 0; i < p->nvceks; i++) {
		if (p->vceks[i].tcb_raw == raw) {
			*out = &p->vceks[i];
			return COVE_OK;
		}
	}
	cove_err rc = plat_path(parent, sizeof(parent), e, "%s/vcek-tcb", p->snp_dir);
	if (rc || (rc = plat_path(dir, sizeof(dir), e, "%s/%016llx", parent, (unsigned long long)raw)))
		return rc;
	if (lstat(dir, &st) != 0) {
		if (errno != ENOENT)
			return cove_error_set(e, COVE_ERR_IO, "cannot use %s: %s", dir, strerror(errno));
		cove_snp_tcb t = cove_snp_tcb_decode(raw, p->prod->product);
		if ((rc = issue_tcb_vcek(p, &t, parent, dir, e)))
			return rc;
	}
	if ((rc = plat_check_private_dir(dir, "VCEK directory", e)) || (rc = load_cert(dir, "vcek.pem", &cert, e)) ||
	    (rc = load_key(dir, "vcek.key", &key, e)) || (rc = check_vcek(p, cert, key, raw, e)) ||
	    (rc = add_vcek(p, raw, cert, key, e))) {
		X509_free(cert);
		EVP_PKEY_free(key);
		return cove_error_wrap(e, rc, "VCEK for TCB 0x%016llx in %s", (unsigned long long)raw, dir);
	}
	*out = &p->vceks[p->nvceks - 1];
	return COVE_OK;
}

cove_err plat_vcek_key(cove_platform *p, uint64_t tcb_raw, EVP_PKEY **key, cove_error *e)
{
	cove_snp_tcb t = cove_snp_tcb_decode(tcb_raw, p->prod->product);
	plat_vcek *v;
	cove_err rc = vcek_for(p, &t, &v, e);
	if (!rc)
		*key = v->key;
	return rc;
}

cove_err cove_platform_snp_chain(cove_platform *p, const cove_snp_tcb *tcb, cove_x509_list *out, cove_error *e)
{
	plat_vcek *v;
	cove_err rc = vcek_for(p, tcb, &v, e);
	if (rc || (rc = cove_x509_list_add(out, v->cert, e)) || (rc = cove_x509_list_add(out, p->ask, e)))
		return rc;
	return cove_x509_list_add(out, p->ark, e);
}

cove_err cove_platform_snp_chain_pem(cove_platform *p, const cove_snp_tcb *tcb, cove_buf *out, cove_error *e)
{
	plat_vcek *v;
	cove_buf b = {0};
	cove_err rc = vcek_for(p, tcb, &v, e);
	if (rc || (rc = plat_pem_cert(v->cert, &b, e)) || (rc = plat_pem_cert(p->ask, &b, e)) ||
	    (rc = plat_pem_cert(p->ark, &b, e))) {
		cove_buf_free(&b);
		return rc;
	}
	cove_buf_free(out);
	*out = b;
	return COVE_OK;
}

cove_err cove_platform_snp_cert_table(cove_platform *p, const cove_snp_tcb *tcb, cove_buf *out, cove_error *e)
{
	plat_vcek *v;
	cove_buf der[3] = {{0}};
	cove_err rc = vcek_for(p, tcb, &v, e);
	if (rc || (rc = cove_x509_der(v->cert, &der[0], e)) || (rc = cove_x509_der(p->ask, &der[1], e)) ||
	    (rc = cove_x509_der(p->ark, &der[2], e)))
		goto out;
	cove_snp_cert_entry entries[3] = {
		{.kind = COVE_SNP_CERT_VCEK, .data = der[0].data, .len = der[0].len},
		{.kind = COVE_SNP_CERT_ASK, .data = der[1].data, .len = der[1].len},
		{.kind = COVE_SNP_CERT_ARK, .data = der[2].data, .len = der[2].len},
	};
	rc = cove_snp_cert_table_build(entries, 3, out, e);
out:
	for (int i = 0; i < 3; i++)
		cove_buf_free(&der[i]);
	return rc;
}

/* ---- CRL ---- */

cove_err cove_platform_snp_crl(cove_platform *p, cove_x509_crl **out, cove_error *e)
{
	if (!X509_CRL_up_ref(p->crl))
		return cove_error_set(e, COVE_ERR_CRYPTO, "cannot reference the CRL");
	*out = p->crl;
	return COVE_OK;
}

cove_err cove_platform_snp_crl_pem(cove_platform *p, cove_buf *out, cove_error *e)
{
	cove_buf b = {0};
	cove_err rc = plat_pem_crl(p->crl, &b, e);
	if (rc) {
		cove_buf_free(&b);
		return rc;
	}
	cove_buf_free(out);
	*out = b;
	return COVE_OK;
}

bool cove_platform_crl_is_stale(cove_platform *p, int64_t at)
{
	int64_t next = cove_x509_crl_next_update(p->crl);
	return next != 0 && at > next;
}

cove_err cove_platform_crl_refresh(cove_platform *p, bool force, bool *refreshed, cove_error *e)
{
	X509_CRL *crl = NULL;
	cove_buf pem = {0};
	char path[PATH_MAX];
	int64_t now = cove_time_now();
	int64_t next = cove_x509_crl_next_update(p->crl);
	if (refreshed)
		*refreshed = false;
	if (!force && next != 0 && now + PLAT_CRL_REFRESH_MARGIN < next)
		return COVE_OK;
	cove_err rc = plat_issue_crl(p->ark, p->ark_key, plat_crl_number(p->crl) + 1, now, &crl, e);
	if (rc || (rc = plat_pem_crl(crl, &pem, e)) || (rc = file_in(path, sizeof(path), p->snp_dir, "crl.pem", e)) ||
	    (rc = plat_write_atomic(path, pem.data, pem.len, 0644, e)))
		goto out;
	X509_CRL_free(p->crl);
	p->crl = crl;
	crl = NULL;
	if (refreshed)
		*refreshed = true;
out:
	cove_buf_free(&pem);
	X509_CRL_free(crl);
	return rc;
}

/* ---- identity ---- */

static json_t *cert_json(X509 *c, int64_t now)
{
	char buf[512];
	uint8_t fp[COVE_SHA256_LEN];
	json_t *j = json_object();
	cove_x509_subject(c, buf, sizeof(buf));
	json_object_set_new(j, "subject", json_string(buf));
	char serial[2 + 2 * 40 + 1] = "0x"; /* serials are at most 20 bytes (RFC 5280 4.1.2.2) */
	cove_x509_serial_hex(c, serial + 2, sizeof(serial) - 2);
	json_object_set_new(j, "serial", json_string(serial));
	if (cove_x509_spki_sha256(c, fp, NULL) == COVE_OK)
		json_object_set_new(j, "spki_sha256", hex_json(fp, sizeof(fp)));
	json_object_set_new(j, "not_before", time_json(cove_x509_not_before(c)));
	json_object_set_new(j, "not_after", time_json(cove_x509_not_after(c)));
	json_object_set_new(j, "valid_now", json_boolean(cove_x509_check_validity(c, now, NULL) == COVE_OK));
	return j;
}

json_t *cove_platform_to_json(cove_platform *p, int64_t now)
{
	char buf[512];
	json_t *j = json_object();
	json_t *warnings = json_array();
	json_object_set_new(j, "emulated", json_true());
	json_object_set_new(j, "name", json_string(COVE_PLATFORM_NAME));
	json_object_set_new(j, "state_dir", json_string(p->dir));
	json_object_set_new(j, "platform_dir", json_string(p->snp_dir));
	json_object_set_new(j, "product", json_string(p->prod->name));
	json_t *cpuid = json_object();
	snprintf(buf, sizeof(buf), "0x%02x", p->prod->cpuid_fam);
	json_object_set_new(cpuid, "family", json_string(buf));
	snprintf(buf, sizeof(buf), "0x%02x", p->prod->cpuid_mod);
	json_object_set_new(cpuid, "model", json_string(buf));
	snprintf(buf, sizeof(buf), "0x%02x", p->prod->cpuid_step);
	json_object_set_new(cpuid, "stepping", json_string(buf));
	json_object_set_new(j, "cpuid", cpuid);
	json_object_set_new(j, "created", time_json(p->created_at));
	json_object_set_new(j, "chip_id", hex_json(p->chip_id, sizeof(p->chip_id)));
	json_object_set_new(j, "tcb", tcb_json(&p->tcb, p->prod->product));
	snprintf(buf, sizeof(buf), "0x%016llx", (unsigned long long)cove_snp_tcb_encode(&p->tcb, p->prod->product));
	json_object_set_new(j, "tcb_raw", json_string(buf));
	snprintf(buf, sizeof(buf), "%u.%u.%u", p->fw_major, p->fw_minor, p->fw_build);
	json_object_set_new(j, "firmware", json_string(buf));

	static const char *const names[] = {"ark", "ask", "vcek"};
	X509 *certs[] = {p->ark, p->ask, p->vceks[0].cert};
	for (int i = 0; i < 3; i++) {
		json_object_set_new(j, names[i], cert_json(certs[i], now));
		if (cove_x509_check_validity(certs[i], now, NULL) != COVE_OK) {
			cove_time_format(cove_x509_not_after(certs[i]), buf);
			json_array_append_new(warnings,
					      json_sprintf("the %s certificate is not valid now (valid until %s): "
							   "run 'cove platform init --force' for new keys",
							   names[i], buf));
		}
	}

	bool stale = cove_platform_crl_is_stale(p, now);
	json_t *crl = json_object();
	json_object_set_new(crl, "this_update", time_json(cove_x509_crl_this_update(p->crl)));
	json_object_set_new(crl, "next_update", time_json(cove_x509_crl_next_update(p->crl)));
	json_object_set_new(crl, "crl_number", json_integer(plat_crl_number(p->crl)));
	STACK_OF(X509_REVOKED) *rev = X509_CRL_get_REVOKED(p->crl);
	json_object_set_new(crl, "revoked", json_integer(rev ? sk_X509_REVOKED_num(rev) : 0));
	json_object_set_new(crl, "stale", json_boolean(stale));
	json_object_set_new(j, "crl", crl);
	if (stale) {
		cove_time_format(cove_x509_crl_next_update(p->crl), buf);
		json_array_append_new(warnings,
				      json_sprintf("the CRL is stale (its nextUpdate was %s): verifiers that need a "
						   "current CRL will reject this platform's reports until it is re-signed "
						   "by 'cove snp emulate' or 'cove platform init'", buf));
	}
	json_object_set_new(j, "trust",
			    json_sprintf("This is an emulated SEV-SNP root of trust: cove's own keys in files under "
					 "%s, not AMD hardware. Its reports prove only that a process able to read "
					 "that directory signed them. cove trusts them only with "
					 "--trust-emulated-root, never in place of AMD's roots.", p->snp_dir));
	/* The SGX side, when it exists (it is made by the first emulated SGX quote). */
	uint8_t spki[32];
	if (cove_platform_sgx_root(p, spki, NULL) == COVE_OK) {
		char hex[65];
		cove_hex_write(hex, spki, 32);
		json_object_set_new(j, "sgx", json_pack("{s:s, s:s, s:s}", "root_spki_sha256", hex, "fmspc",
							COVE_PLATFORM_SGX_FMSPC, "root_subject",
							"cove emulated SGX Root CA (not Intel)"));
	} else {
		json_object_set_new(j, "sgx", json_null());
	}
	json_object_set_new(j, "warnings", warnings);
	return j;
}
