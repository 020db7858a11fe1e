/*
 * Evaluation of an MAA-shaped attestation request: cove's SEV-SNP or DCAP
 * verifier decides authenticity, the runtimeData / initTimeData bindings are
 * checked as MAA checks them, and the evidence becomes the incoming claim set
 * under MAA's claim names.
 *
 * Binding (docs/attest-api.md, "Binding"): MAA requires SHA-256 of the
 * decoded runtimeData in the first 32 bytes of the report data
 * (azure-rest-api-specs 2025-06-01 AttestSgxEnclaveRequest / AttestTdxVmRequest
 * "runtimeData" descriptions; basic-concepts.md for SGX); for SevSnpVm the
 * spec's example gives report_data = SHA-256(runtimeData) || 0^32
 * (shared/vectors/coco/maa/rest-api-examples/AttestSevSnpVm.runtimeData.
 * reportdata-vector.txt), which cove requires.  initTimeData binds to
 * HOST_DATA = SHA-256(initTimeData) for SevSnpVm (the confidential-ACI
 * "inittimeData sha-256 digest" is the HOST_DATA), and, as cove's reading
 * (UNCONFIRMED against MAA), to the first 32 bytes of CONFIGID (SGX) and
 * MRCONFIGID (TDX).
 *
 * Claim names: claim-sets.md, attestation-token-examples.md and
 * trust-domain-extensions-eat-profile.md (MicrosoftDocs azure-security-docs).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cove/attest.h"
#include "cove/crypto.h"
#include "cove/dcap.h"
#include "cove/dcap_pcs.h"
#include "cove/dcap_verify.h"
#include "cove/platform.h"
#include "cove/snp.h"

#define TDX_EAT_PROFILE "https://aka.ms/maa-eat-profile-tdxvm"

void cove_attest_ctx_init(cove_attest_ctx *c)
{
	memset(c, 0, sizeof(*c));
	c->snp_require_crl = true;
}

cove_err cove_attest_dcap_from_pcs(void *pcs, cove_tee_type tee, const uint8_t fmspc[6], const char *ca,
				   cove_dcap_collateral *out, cove_error *e)
{
	return cove_dcap_pcs_get_collateral(pcs, tee, fmspc, ca, out, e);
}

cove_err cove_attest_dcap_from_platform(void *platform, cove_tee_type tee, const uint8_t fmspc[6], const char *ca,
					cove_dcap_collateral *out, cove_error *e)
{
	uint8_t want[6];
	(void)ca;
	if (!platform)
		return cove_error_set(e, COVE_ERR_UNAVAILABLE, "no emulated platform configured");
	if (cove_hex_decode_fixed(COVE_PLATFORM_SGX_FMSPC, want, sizeof(want), NULL) || tee != COVE_TEE_SGX ||
	    memcmp(fmspc, want, sizeof(want)) != 0)
		return cove_error_set(e, COVE_ERR_UNAVAILABLE, "the emulated platform has collateral only for SGX "
				      "FMSPC %s", COVE_PLATFORM_SGX_FMSPC);
	return cove_platform_sgx_collateral(platform, out, e);
}

static json_t *hex_json(const void *p, size_t n)
{
	char *s = cove_hex_new(p, n);
	json_t *j = s ? json_string(s) : NULL;
	free(s);
	return j;
}

static void set_hex(json_t *c, const char *name, const void *p, size_t n)
{
	json_object_set_new(c, name, hex_json(p, n));
}

static void set_le64_hex(json_t *c, const char *name, uint64_t v)
{
	uint8_t b[8];
	cove_put_le64(b, v);
	set_hex(c, name, b, sizeof(b));
}

/* ---- Bindings ---- */

static void check_runtime(const cove_attest_request *req, const uint8_t report_data[64], bool rest_zero,
			  cove_result *res)
{
	uint8_t h[COVE_SHA256_LEN];
	char want[65], got[65];
	if (!req->runtime.present)
		return;
	if (cove_digest(COVE_SHA256, req->runtime.bytes.data, req->runtime.bytes.len, h, NULL)) {
		cove_result_fail(res, COVE_CHECK_AUTHENTICITY, "binding.runtime_data", "could not hash runtimeData");
		return;
	}
	if (!cove_equal_ct(h, report_data, 32)) {
		cove_hex_write(want, h, 32);
		cove_hex_write(got, report_data, 32);
		cove_result_fail(res, COVE_CHECK_AUTHENTICITY, "binding.runtime_data",
				 "runtimeData is not bound to the evidence: its SHA-256 is %s, but the first 32 bytes of "
				 "the report data are %s", want, got);
		return;
	}
	if (rest_zero && !cove_is_zero(report_data + 32, 32)) {
		cove_hex_write(got, report_data + 32, 32);
		cove_result_fail(res, COVE_CHECK_AUTHENTICITY, "binding.runtime_data",
				 "runtimeData is not bound to the evidence: REPORT_DATA must be SHA-256(runtimeData) "
				 "followed by 32 zero bytes, but bytes 32..63 are %s", got);
	}
}

static void check_inittime(const cove_attest_request *req, const uint8_t *field, const char *field_name,
			   cove_result *res)
{
	uint8_t h[COVE_SHA256_LEN];
	char want[65], got[65];
	if (!req->inittime.present)
		return;
	if (cove_digest(COVE_SHA256, req->inittime.bytes.data, req->inittime.bytes.len, h, NULL)) {
		cove_result_fail(res, COVE_CHECK_AUTHENTICITY, "binding.init_time_data", "could not hash initTimeData");
		return;
	}
	if (!cove_equal_ct(h, field, 32)) {
		cove_hex_write(want, h, 32);
		cove_hex_write(got, field, 32);
		cove_result_fail(res, COVE_CHECK_AUTHENTICITY, "binding.init_time_data",
				 "initTimeData is not bound to the evidence: its SHA-256 is %s, but %s begins with %s", want,
				 field_name, got);
	}
}

/* ---- Claims common to every type ---- */

static void common_claims(const cove_attest_request *req, json_t *c)
{
	json_object_set_new(c, "x-ms-ver", json_string("1.0"));
	json_object_set_new(c, "x-ms-attestation-type", json_string(cove_attest_type_claim(req->type)));
	if (req->nonce)
		json_object_set_new(c, "nonce", json_string(req->nonce));
	if (req->runtime.present && req->runtime.type == COVE_ATTEST_DATA_JSON)
		json_object_set_new(c, "x-ms-runtime", json_deep_copy(req->runtime.json));
	if (req->inittime.present && req->inittime.type == COVE_ATTEST_DATA_JSON)
		json_object_set_new(c, "x-ms-inittime", json_deep_copy(req->inittime.json));
}

/* x-cove-tcb-status and x-cove-emulated from the verifier's verdict. */
static void cove_claims(const cove_result *res, json_t *tcb_in, json_t *c)
{
	json_t *t = json_object();
	if (!res->authentic) {
		const char *why = "the evidence did not verify";
		for (size_t i = 0; i < res->nfailures; i++) {
			if (res->failures[i].kind == COVE_CHECK_AUTHENTICITY) {
				why = res->failures[i].detail;
				break;
			}
		}
		json_object_set_new(t, "status", json_string("Unverified"));
		json_object_set_new(t, "explanation", json_string(why));
	} else if (json_is_object(tcb_in)) {
		json_object_update(t, tcb_in);
	}
	json_object_set_new(c, "x-cove-tcb-status", t);
	json_object_set_new(c, "x-cove-emulated", json_boolean(json_is_true(json_object_get(res->claims, "emulated"))));
}

/* ---- SEV-SNP ---- */

static cove_err eval_snp(const cove_attest_ctx *ctx, const cove_attest_request *req, json_t *c, cove_result **res,
			 cove_error *e)
{
	cove_snp_report r;
	cove_x509_list certs = {0};
	cove_snp_policy pol;
	cove_snp_verify_opts o = {.at = ctx->at, .product = ctx->snp_product};
	cove_err rc;

	if ((rc = cove_snp_report_parse(req->evidence.data, req->evidence.len, &r, e)))
		return cove_error_wrap(e, rc, "report.SnpReport");
	/* The parser decoded the chain; a request put together by hand may carry only the PEM. */
	if (req->snp_cert_chain.len && !req->snp_chain.count &&
	    (rc = cove_x509_list_parse(&certs, req->snp_cert_chain.data, req->snp_cert_chain.len, e)))
		return cove_error_wrap(e, COVE_ERR_PARSE, "report.VcekCertChain");
	/* Authenticity only: what the guest policy, debug or VMPL may be is the MAA policy's call. */
	cove_snp_policy_init(&pol);
	pol.allow_debug = true;
	pol.allow_migration_agent = true;
	pol.allow_smt = true;
	pol.vmpl = -1;
	pol.require_crl = ctx->snp_require_crl;
	rc = cove_snp_verify(ctx->snp, &r, req->snp_chain.count ? &req->snp_chain : &certs, NULL, &pol, &o, res, e);
	cove_x509_list_free(&certs);
	if (rc != COVE_OK && rc != COVE_ERR_UNAVAILABLE)
		return rc;

	check_runtime(req, r.report_data, true, *res);
	check_inittime(req, r.host_data, "HOST_DATA", *res);

	cove_snp_product p = cove_snp_report_product(&r);
	const char *pname = json_string_value(json_object_get((*res)->claims, "product"));
	if (p == COVE_SNP_PRODUCT_UNKNOWN && pname && cove_snp_product_parse(pname, &p, NULL) != COVE_OK)
		p = COVE_SNP_PRODUCT_UNKNOWN;
	cove_snp_tcb tcb = cove_snp_tcb_decode(r.reported_tcb, p ? p : COVE_SNP_MILAN);
	set_hex(c, "x-ms-sevsnpvm-authorkeydigest", r.author_key_digest, sizeof(r.author_key_digest));
	json_object_set_new(c, "x-ms-sevsnpvm-bootloader-svn", json_integer(tcb.bootloader));
	set_hex(c, "x-ms-sevsnpvm-familyId", r.family_id, sizeof(r.family_id));
	json_object_set_new(c, "x-ms-sevsnpvm-guestsvn", json_integer(r.guest_svn));
	set_hex(c, "x-ms-sevsnpvm-hostdata", r.host_data, sizeof(r.host_data));
	set_hex(c, "x-ms-sevsnpvm-idkeydigest", r.id_key_digest, sizeof(r.id_key_digest));
	set_hex(c, "x-ms-sevsnpvm-imageId", r.image_id, sizeof(r.image_id));
	json_object_set_new(c, "x-ms-sevsnpvm-is-debuggable", json_boolean(r.policy & COVE_SNP_POLICY_DEBUG));
	set_hex(c, "x-ms-sevsnpvm-launchmeasurement", r.measurement, sizeof(r.measurement));
	json_object_set_new(c, "x-ms-sevsnpvm-microcode-svn", json_integer(tcb.microcode));
	json_object_set_new(c, "x-ms-sevsnpvm-migration-allowed", json_boolean(r.policy & COVE_SNP_POLICY_MIGRATE_MA));
	set_hex(c, "x-ms-sevsnpvm-reportdata", r.report_data, sizeof(r.report_data));
	set_hex(c, "x-ms-sevsnpvm-reportid", r.report_id, sizeof(r.report_id));
	json_object_set_new(c, "x-ms-sevsnpvm-smt-allowed", json_boolean(r.policy & COVE_SNP_POLICY_SMT));
	json_object_set_new(c, "x-ms-sevsnpvm-snpfw-svn", json_integer(tcb.snp));
	json_object_set_new(c, "x-ms-sevsnpvm-tee-svn", json_integer(tcb.tee));
	json_object_set_new(c, "x-ms-sevsnpvm-vmpl", json_integer(r.vmpl));

	/* AMD publishes no TCB status for SEV-SNP: say what was established instead. */
	char expl[400];
	snprintf(expl, sizeof(expl),
		 "AMD publishes no TCB status for SEV-SNP. The report's REPORTED_TCB (bootloader %u, tee %u, snp %u, "
		 "microcode %u) is the one the %s certifies; appraise it with minimum SVNs in the policy "
		 "(x-ms-sevsnpvm-*-svn).",
		 tcb.bootloader, tcb.tee, tcb.snp, tcb.microcode,
		 r.signing_key == COVE_SNP_KEY_VLEK ? "VLEK" : "VCEK");
	json_t *t = json_pack("{s:s, s:s, s:{s:i, s:i, s:i, s:i}}", "status", "NotRated", "explanation", expl,
			      "reported_tcb", "bootloader", tcb.bootloader, "tee", tcb.tee, "snp", tcb.snp,
			      "microcode", tcb.microcode);
	if (t && p == COVE_SNP_TURIN)
		json_object_set_new(json_object_get(t, "reported_tcb"), "fmc", json_integer(tcb.fmc));
	cove_claims(*res, t, c);
	json_decref(t);
	return rc;
}

/* ---- DCAP (SGX, TDX, Open Enclave) ---- */

static void sgx_claims(const cove_attest_request *req, const cove_sgx_report_body *b, json_t *c)
{
	json_object_set_new(c, "x-ms-sgx-is-debuggable", json_boolean(b->attr_flags & COVE_SGX_FLAGS_DEBUG));
	json_object_set_new(c, "x-ms-sgx-product-id", json_integer(b->isv_prod_id));
	set_hex(c, "x-ms-sgx-mrsigner", b->mr_signer, sizeof(b->mr_signer));
	set_hex(c, "x-ms-sgx-mrenclave", b->mr_enclave, sizeof(b->mr_enclave));
	json_object_set_new(c, "x-ms-sgx-svn", json_integer(b->isv_svn));
	set_hex(c, "x-ms-sgx-report-data", b->report_data, sizeof(b->report_data));
	if (req->runtime.present) {
		char *s = cove_base64url_new(req->runtime.bytes.data, req->runtime.bytes.len);
		json_object_set_new(c, "x-ms-sgx-ehd", s ? json_string(s) : NULL);
		free(s);
	}
	if (b->attr_flags & COVE_SGX_FLAGS_KSS) {
		set_hex(c, "x-ms-sgx-config-id", b->config_id, sizeof(b->config_id));
		json_object_set_new(c, "x-ms-sgx-config-svn", json_integer(b->config_svn));
		set_hex(c, "x-ms-sgx-isv-extended-product-id", b->isv_ext_prod_id, sizeof(b->isv_ext_prod_id));
		set_hex(c, "x-ms-sgx-isv-family-id", b->isv_family_id, sizeof(b->isv_family_id));
	}
}

static void tdx_claims(const cove_tdx_td_body *b, json_t *tcb, json_t *c)
{
	bool debug = b->td_attributes & COVE_TDX_ATTR_DEBUG;
	const char *status = json_string_value(json_object_get(tcb, "status"));
	json_object_set_new(c, "attester_tcb_status", json_string(status ? status : "Unverified"));
	json_object_set_new(c, "dbgstat", json_string(debug ? "enabled" : "disabled"));
	json_object_set_new(c, "eat_profile", json_string(TDX_EAT_PROFILE));
	json_object_set_new(c, "intuse", json_string("generic"));
	set_hex(c, "tdx_mrconfigid", b->mr_config_id, sizeof(b->mr_config_id));
	set_hex(c, "tdx_mrowner", b->mr_owner, sizeof(b->mr_owner));
	set_hex(c, "tdx_mrownerconfig", b->mr_owner_config, sizeof(b->mr_owner_config));
	set_hex(c, "tdx_mrseam", b->mr_seam, sizeof(b->mr_seam));
	set_hex(c, "tdx_mrsignerseam", b->mr_signer_seam, sizeof(b->mr_signer_seam));
	set_hex(c, "tdx_mrtd", b->mr_td, sizeof(b->mr_td));
	set_hex(c, "tdx_report_data", b->report_data, sizeof(b->report_data));
	for (int i = 0; i < 4; i++) {
		char name[16];
		snprintf(name, sizeof(name), "tdx_rtmr%d", i);
		set_hex(c, name, b->rtmr[i], sizeof(b->rtmr[i]));
	}
	set_le64_hex(c, "tdx_seam_attributes", b->seam_attributes);
	/* SEAMSVN: TEE_TCB_SVN byte 0 is the module's minor SVN, byte 1 its major (TDX module ABI, SEAM_SIGSTRUCT). */
	json_object_set_new(c, "tdx_seamsvn", json_integer(cove_le16(b->tee_tcb_svn)));
	set_le64_hex(c, "tdx_td_attributes", b->td_attributes);
	json_object_set_new(c, "tdx_td_attributes_debug", json_boolean(debug));
	json_object_set_new(c, "tdx_td_attributes_key_locker", json_boolean(b->td_attributes & COVE_TDX_ATTR_KL));
	json_object_set_new(c, "tdx_td_attributes_perfmon", json_boolean(b->td_attributes & COVE_TDX_ATTR_PERFMON));
	json_object_set_new(c, "tdx_td_attributes_protection_keys", json_boolean(b->td_attributes & COVE_TDX_ATTR_PKS));
	json_object_set_new(c, "tdx_td_attributes_septve_disable",
			    json_boolean(b->td_attributes & COVE_TDX_ATTR_SEPT_VE_DISABLE));
	set_hex(c, "tdx_tee_tcb_svn", b->tee_tcb_svn, sizeof(b->tee_tcb_svn));
	set_le64_hex(c, "tdx_xfam", b->xfam);
}

/* The quote's PCK leaf: its FMSPC and the issuing CA's kind, to look up collateral. */
static cove_err pck_lookup(const cove_attest_ctx *ctx, const cove_dcap_quote *q, uint8_t fmspc[6], const char **ca,
			   cove_error *e)
{
	cove_x509_list chain = {0};
	cove_x509 *leaf = NULL;
	cove_sgx_pck_ext ext;
	char cn[128] = "";
	bool platform_ca = false;
	cove_err rc;

	/* A platform seen before: the verifier remembers its chain (decoding it again was two thirds of a quote's cost). */
	if (ctx->dcap && cove_dcap_verifier_lookup_platform(ctx->dcap, q, ctx->at, fmspc, &platform_ca) == COVE_OK) {
		*ca = platform_ca ? "platform" : "processor";
		return COVE_OK;
	}
	if (q->cert_type != COVE_DCAP_CERT_PCK_CHAIN)
		return cove_error_set(e, COVE_ERR_UNAVAILABLE, "the quote carries certification data of type %u, not "
				      "a PCK certificate chain (type 5): its platform cannot be identified",
				      q->cert_type);
	if ((rc = cove_dcap_pck_chain_parse(q->cert_data, q->cert_len, &chain, e)))
		return cove_error_wrap(e, COVE_ERR_PARSE, "quote: PCK certificate chain");
	for (size_t i = 0; i < chain.count; i++)
		if (!cove_x509_is_ca(chain.certs[i]))
			leaf = chain.certs[i];
	if (!leaf) {
		rc = cove_error_set(e, COVE_ERR_PARSE, "quote: the PCK certificate chain holds no PCK certificate");
		goto out;
	}
	if ((rc = cove_sgx_pck_ext_parse(leaf, &ext, e))) {
		cove_error_wrap(e, rc, "quote: PCK certificate");
		goto out;
	}
	for (size_t i = 0; i < chain.count; i++)
		if (chain.certs[i] != leaf && cove_x509_is_issuer_of(chain.certs[i], leaf))
			cove_x509_subject_cn(chain.certs[i], cn, sizeof(cn));
	memcpy(fmspc, ext.fmspc, 6);
	*ca = strstr(cn, "Platform") ? "platform" : "processor";
out:
	cove_x509_list_free(&chain);
	return rc;
}

static cove_err eval_dcap(const cove_attest_ctx *ctx, const cove_attest_request *req, json_t *c, cove_result **res,
			  cove_error *e)
{
	cove_dcap_quote q;
	cove_dcap_collateral coll;
	cove_dcap_policy pol;
	cove_dcap_verify_opts o = {.at = ctx->at};
	uint8_t fmspc[6];
	const char *ca = "processor";
	char why[COVE_ERROR_MSG_MAX] = "no DCAP collateral source is configured";
	bool have = false;
	const cove_dcap_collateral *use = &coll;
	cove_err rc;

	memset(&coll, 0, sizeof(coll));
	if ((rc = cove_dcap_quote_parse_ex(req->evidence.data, req->evidence.len, COVE_DCAP_PARSE_NO_CERTS, &q, e)))
		return cove_error_wrap(e, rc, "quote");
	bool tdx = q.tee_type == COVE_TEE_TDX;
	cove_tee_type tee = tdx ? COVE_TEE_TDX : COVE_TEE_SGX;

	cove_error le = {0};
	cove_err lrc = pck_lookup(ctx, &q, fmspc, &ca, &le);
	if (lrc == COVE_ERR_PARSE) {
		rc = cove_error_set(e, lrc, "%s", le.msg);
		goto out;
	}
	if (lrc) {
		snprintf(why, sizeof(why), "%s", le.msg);
	} else {
		for (size_t i = 0; i < ctx->n_dcap_sources && i < COVE_ATTEST_MAX_DCAP_SOURCES && !have; i++) {
			const cove_attest_dcap_source *s = &ctx->dcap_sources[i];
			cove_error se = {0};
			const cove_dcap_collateral *b = s->borrow ? s->borrow(s->arg, tee, fmspc, ca, &se) : NULL;
			if (b) {
				use = b;
				have = true;
				break;
			}
			if (se.code) {
				snprintf(why, sizeof(why), "%s", se.msg);
				continue;
			}
			if (!s->get)
				continue;
			memset(&coll, 0, sizeof(coll));
			cove_err src = s->get(s->arg, tee, fmspc, ca, &coll, &se);
			if (src == COVE_OK) {
				have = true;
			} else {
				cove_dcap_collateral_free(&coll);
				memset(&coll, 0, sizeof(coll));
				snprintf(why, sizeof(why), "%s", se.msg);
			}
		}
	}

	if (have) {
		/* Authenticity only: every TCB status and debug are accepted here; the policy decides. */
		cove_dcap_policy_init(&pol);
		pol.accepted_statuses = (1u << (COVE_TCB_TD_RELAUNCH_ADVISED_CONFIGURATION_NEEDED + 1)) - 1;
		pol.allow_debug = true;
		rc = cove_dcap_verify(ctx->dcap, &q, use, &pol, &o, res, e);
		cove_dcap_policy_free(&pol);
		if (rc)
			goto out;
	} else {
		if ((rc = cove_result_new(res, e)))
			goto out;
		json_object_set_new((*res)->claims, "tee", json_string(tdx ? "TDX" : "SGX"));
		json_object_set_new((*res)->claims, "quote", cove_dcap_quote_to_json(&q));
		cove_result_fail(*res, COVE_CHECK_AUTHENTICITY, "collateral.dcap", "no collateral for this %s quote: %s",
				 tdx ? "TDX" : "SGX", why);
	}

	json_t *tcb = json_object_get((*res)->claims, "tcb");
	if (tdx) {
		check_runtime(req, q.td.report_data, false, *res);
		check_inittime(req, q.td.mr_config_id, "MRCONFIGID", *res);
		tdx_claims(&q.td, (*res)->authentic ? tcb : NULL, c);
	} else {
		check_runtime(req, q.sgx.report_data, false, *res);
		check_inittime(req, q.sgx.config_id, "CONFIGID", *res);
		sgx_claims(req, &q.sgx, c);
	}
	json_t *t = NULL;
	if (json_is_object(tcb)) {
		t = json_object();
		static const char *const keep[] = {"status", "explanation", "platform_status", "tdx_module_status",
						   "qe_status", "tcb_date", "advisory_ids", "advisories_explanation"};
		for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
			if (json_object_get(tcb, keep[i]))
				json_object_set(t, keep[i], json_object_get(tcb, keep[i]));
	}
	cove_claims(*res, t, c);
	json_decref(t);
	if (!have)
		rc = cove_error_set(e, COVE_ERR_UNAVAILABLE, "collateral unavailable: %s", why);
out:
	cove_dcap_collateral_free(&coll);
	cove_dcap_quote_free(&q);
	return rc;
}

cove_err cove_attest_evaluate(const cove_attest_ctx *ctx, const cove_attest_request *req, json_t **claims,
			      cove_result **res, cove_error *e)
{
	json_t *c = NULL;
	cove_result *r = NULL;
	cove_err rc;

	if (!ctx || !req || !claims || !res)
		return cove_error_set(e, COVE_ERR_ARG, "cove_attest_evaluate: missing argument");
	*claims = NULL;
	*res = NULL;
	bool snp = req->type == COVE_ATTEST_SEVSNPVM;
	if (snp ? !ctx->snp : !ctx->dcap)
		return cove_error_set(e, COVE_ERR_UNSUPPORTED, "this instance has no %s verifier for /attest/%s",
				      snp ? "SEV-SNP" : "DCAP", cove_attest_type_name(req->type));
	if (!(c = json_object()))
		return cove_error_set(e, COVE_ERR_NOMEM, "out of memory");
	common_claims(req, c);
	rc = snp ? eval_snp(ctx, req, c, &r, e) : eval_dcap(ctx, req, c, &r, e);
	if (rc != COVE_OK && rc != COVE_ERR_UNAVAILABLE) {
		cove_result_free(r);
		json_decref(c);
		return rc;
	}
	/* No appraisal policy here: ok means authentic. */
	r->ok = r->authentic;
	*claims = c;
	*res = r;
	return rc;
}
