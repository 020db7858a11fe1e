/*
 * cove/platform.h - the emulated SEV-SNP platform, for tests and for machines
 * without SEV-SNP hardware.
 *
 * An emulated platform is a set of files in a state directory that only its
 * owner can read: cove's own ARK (RSA-4096, self-signed) -> ASK (RSA-4096) ->
 * VCEK (ECDSA P-384) chain in the shapes AMD uses (AMD 57230), an empty CRL
 * signed by the ARK, a random 64-byte CHIP_ID and the platform's TCB.  It
 * signs attestation reports in the real layout (AMD 56860) with the VCEK.
 *
 * The names say "cove emulated, not AMD" and the keys are cove's: such
 * evidence proves only that a process able to read the state directory
 * signed it.  Verifiers trust it only through an explicitly added root
 * (cove_platform_snp_root, `emulated = true`), never through AMD's roots.
 * See docs/emulated-platform.md.
 *
 * State directory: an explicit path, else $COVE_STATE_DIR, else /var/lib/cove
 * for root, else $XDG_STATE_HOME/cove or ~/.local/state/cove.  The platform
 * lives in its "snp" subdirectory; its SGX side (DCAP-style quotes under a
 * P-256 root "cove emulated SGX Root CA (not Intel)", see the end of this
 * header) in "sgx", created on first use.
 */
#ifndef COVE_PLATFORM_H
#define COVE_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "cove/bytes.h"
#include "cove/crypto.h"
#include "cove/dcap.h"
#include "cove/dcap_collateral.h"
#include "cove/err.h"
#include "cove/sgx_report.h"
#include "cove/snp.h"

#ifdef __cplusplus
extern "C" {
#endif

#define COVE_PLATFORM_CHIP_ID_SIZE 64
#define COVE_PLATFORM_NAME "cove emulated platform"

typedef struct cove_platform cove_platform;

/*
 * The default state directory (see above) into out[out_len].  Fails when no
 * home directory can be found or the path does not fit.
 */
cove_err cove_platform_default_dir(char *out, size_t out_len, cove_error *e);

/*
 * Open the platform in state directory `dir` (NULL = the default).  When it
 * does not exist: with `create`, make one with the product's default TCB
 * (RSA-4096 key generation takes seconds); without, fail with
 * COVE_ERR_UNAVAILABLE.  A state directory (or its snp/ folder) that is not
 * owned by the effective user or is accessible by group or others is refused
 * with COVE_ERR_ARG, as is a private key file with such permissions.  The
 * files are checked to form a consistent chain.
 */
cove_err cove_platform_open(const char *dir, bool create, cove_platform **out, cove_error *e);

typedef struct cove_platform_init_opts {
	cove_snp_product product; /* UNKNOWN = Milan */
	bool has_tcb;
	cove_snp_tcb tcb;         /* the platform's TCB; default per product */
	bool force;               /* replace an existing platform with new keys (rotation) */
} cove_platform_init_opts;

/*
 * Create the platform, or open the existing one.  An existing platform is
 * never changed without `force` (except that a stale CRL is re-signed, as by
 * cove_platform_crl_refresh); a product or TCB that differs from the existing
 * platform's is then an error (COVE_ERR_ARG) naming --force.  With `force`,
 * new keys replace the old ones, which are deleted.
 */
cove_err cove_platform_init(const char *dir, const cove_platform_init_opts *opts, cove_platform **out,
			    cove_error *e);

void cove_platform_free(cove_platform *p);

/* True when the call that returned `p` created (or replaced) the platform. */
bool cove_platform_was_created(const cove_platform *p);
/* The state directory (not its snp/ folder). */
const char *cove_platform_dir(const cove_platform *p);
cove_snp_product cove_platform_product(const cove_platform *p);
cove_snp_tcb cove_platform_tcb(const cove_platform *p);
void cove_platform_chip_id(const cove_platform *p, uint8_t out[COVE_PLATFORM_CHIP_ID_SIZE]);
int64_t cove_platform_created_at(const cove_platform *p);

/* The pins of this platform's ARK and ASK; emulated = true, name COVE_PLATFORM_NAME. */
cove_err cove_platform_snp_root(cove_platform *p, cove_snp_root *out, cove_error *e);

/*
 * Append VCEK, ASK and ARK (in that order) to `out`.  The VCEK is the one
 * certified for `tcb` (NULL = the platform's TCB); like AMD's KDS, the
 * platform issues a VCEK for another TCB on first request and keeps it.
 */
cove_err cove_platform_snp_chain(cove_platform *p, const cove_snp_tcb *tcb, cove_x509_list *out, cove_error *e);
/* The same three certificates as one PEM bundle (replaces the content of `out`). */
cove_err cove_platform_snp_chain_pem(cove_platform *p, const cove_snp_tcb *tcb, cove_buf *out, cove_error *e);
/* The same three certificates (DER) as an SNP extended-report certificate table. */
cove_err cove_platform_snp_cert_table(cove_platform *p, const cove_snp_tcb *tcb, cove_buf *out, cove_error *e);

/* A new reference to the platform's CRL (free with cove_x509_crl_free). */
cove_err cove_platform_snp_crl(cove_platform *p, cove_x509_crl **out, cove_error *e);
cove_err cove_platform_snp_crl_pem(cove_platform *p, cove_buf *out, cove_error *e);
/* The CRL is past its nextUpdate at `at`. */
bool cove_platform_crl_is_stale(cove_platform *p, int64_t at);
/*
 * Re-sign the CRL (still empty, next CRL number, nextUpdate one year on)
 * when it is stale or expires within 30 days, or always with `force`.
 * *refreshed (may be NULL) says whether it was.
 */
cove_err cove_platform_crl_refresh(cove_platform *p, bool force, bool *refreshed, cove_error *e);

/* What an emulated report says.  Start from cove_snp_emulate_opts_init(). */
typedef struct cove_snp_emulate_opts {
	uint32_t version;         /* report version 2..5; default 3 */
	uint64_t policy;          /* guest policy; default 0x30000 (SMT allowed, debug off) */
	uint32_t vmpl;            /* 0..3; default 0 */
	uint32_t guest_svn;
	uint8_t report_data[64];
	uint8_t measurement[48];
	uint8_t host_data[32];
	uint8_t family_id[16];
	uint8_t image_id[16];
	uint8_t id_key_digest[48];
	uint64_t platform_info;   /* default SMT_EN | TSME_EN */
	bool mask_chip_id;        /* CHIP_ID reported as zero (MASK_CHIP_ID) */
	bool has_tcb;             /* CURRENT, REPORTED, COMMITTED and LAUNCH TCB */
	cove_snp_tcb tcb;
	bool has_reported_tcb;    /* REPORTED_TCB only, as after SNP_SET_REPORTED_TCB */
	cove_snp_tcb reported_tcb;
	bool has_launch_tcb;      /* LAUNCH_TCB only */
	cove_snp_tcb launch_tcb;
} cove_snp_emulate_opts;

void cove_snp_emulate_opts_init(cove_snp_emulate_opts *o);

/*
 * Build a report in the real layout of the requested version (CPUID of the
 * platform's product from v3 on, random REPORT_ID, firmware version of the
 * platform) and sign it with the VCEK certified for its REPORTED_TCB.
 * Options real firmware would refuse (reserved policy bits, bit 17 clear,
 * VMPL > 3, SMT forbidden by the policy on an SMT platform, a policy ABI
 * newer than the firmware) fail with COVE_ERR_ARG.
 */
cove_err cove_platform_snp_emulate(cove_platform *p, const cove_snp_emulate_opts *o,
				   uint8_t report[COVE_SNP_REPORT_SIZE], cove_error *e);

/*
 * Sign bytes 0..0x29F of `report` in place (R and S at 0x2A0/0x2E8, 72-byte
 * little-endian) with the VCEK certified for the REPORTED_TCB it holds; the
 * rest of the report is not looked at.  For tests that need unusual
 * content with a valid signature.
 */
cove_err cove_platform_snp_sign(cove_platform *p, uint8_t report[COVE_SNP_REPORT_SIZE], cove_error *e);

/* The TCB a new platform of product `p` gets unless told otherwise. */
cove_err cove_platform_default_tcb(cove_snp_product p, cove_snp_tcb *out, cove_error *e);

/*
 * Parse "bl=N,tee=N,snp=N,ucode=N[,fmc=N]" (decimal or 0x-hex, 0..255, any
 * order, any subset): components given replace those in *inout.  fmc is
 * accepted only for Turin.
 */
cove_err cove_platform_tcb_parse(const char *text, cove_snp_product product, cove_snp_tcb *inout, cove_error *e);

/*
 * The platform's identity as JSON: state directory, product, chip id, TCB,
 * firmware, each certificate (subject, serial, SPKI SHA-256, validity), the
 * CRL and its staleness at `now`, a "trust" sentence and "warnings".
 */
json_t *cove_platform_to_json(cove_platform *p, int64_t now);

/* ---- SGX side (DCAP-style quotes under cove's own root; docs/emulated-platform.md) ---- */

/*
 * The SGX side lives in the "sgx" subdirectory, created on first use by
 * cove_platform_sgx_report_body, _quote and _collateral: an ECDSA P-256 root
 * CA "cove emulated SGX Root CA (not Intel)", a PCK Platform CA, a PCK
 * certificate with Intel's SGX extension (FMSPC COVE_PLATFORM_SGX_FMSPC), a
 * TCB signing certificate, the attestation key of an emulated quoting
 * enclave, the root and PCK CRLs, a TCB info v3 and a QE identity v2; for
 * emulated enclaves (src/loader) also the SGX root secret and a second PCK
 * certificate for the degraded CPUSVN (docs/enclave-trusted-api.md).
 */
#define COVE_PLATFORM_SGX_FMSPC "C0FFEE000000"
/* QE vendor ID of the emulated quoting enclave: the ASCII bytes of "cove emulated QE". */
#define COVE_PLATFORM_SGX_QE_VENDOR_ID "cove emulated QE"
#define COVE_PLATFORM_SGX_QE_ISVPRODID 1
#define COVE_PLATFORM_SGX_QE_ISVSVN 8

/* What an emulated enclave's REPORTBODY says. */
typedef struct cove_sgx_emulate_opts {
	uint8_t mr_enclave[32];
	uint8_t mr_signer[32];
	uint8_t report_data[64];
	uint16_t isv_prod_id;
	uint16_t isv_svn;
	bool debug;        /* ATTRIBUTES.DEBUG */
} cove_sgx_emulate_opts;

/*
 * Build a REPORTBODY (384 bytes, sgx_report.h layout) for an enclave on this
 * platform: CPUSVN of the platform, ATTRIBUTES INIT|MODE64BIT (|DEBUG), XFRM
 * x87|SSE (3), the given identity and report data, everything else zero.
 */
cove_err cove_platform_sgx_report_body(cove_platform *p, const cove_sgx_emulate_opts *o,
				       uint8_t body[COVE_SGX_REPORT_BODY_SIZE], cove_error *e);

/*
 * Quote `report_body` as a DCAP ECDSA P-256 quote version 3 in Intel's layout
 * (sgx_quote_3.h): signed by the attestation key, which the emulated QE's
 * report (signed by the PCK key) binds; certification data type 5, the PEM
 * chain PCK + PCK Platform CA + root, NUL-terminated.  *quote is malloc'd.
 * The PCK is the one certified for the body's CPUSVN: the degraded PCK when
 * it is the degraded CPUSVN (see cove_platform_sgx_cpusvn), else the platform's.
 */
cove_err cove_platform_sgx_quote(cove_platform *p, const uint8_t report_body[COVE_SGX_REPORT_BODY_SIZE],
				 uint8_t **quote, size_t *len, cove_error *e);

/*
 * The quote of a REPORTBODY stating enclave `id` exactly as EREPORT would
 * (CPUSVN, MISCSELECT, ATTRIBUTES incl. DEBUG, MRENCLAVE, MRSIGNER, CONFIGID,
 * ISVPRODID, ISVSVN, CONFIGSVN, ISVFAMILYID, ISVEXTPRODID) with `report_data`
 * (NULL = zeros).  `id->cpu_svn` must be one of the platform's two CPUSVNs
 * (COVE_ERR_ARG otherwise).  After cove_platform_sgx_load, opens no file.
 */
cove_err cove_platform_sgx_quote_identity(cove_platform *p, const cove_sgx_identity *id,
					  const uint8_t report_data[COVE_SGX_REPORT_DATA_SIZE], uint8_t **quote,
					  size_t *len, cove_error *e);

/*
 * The platform's SGX root secret: 32 random bytes in sgx/root_secret (mode
 * 0600), created with the SGX side (or added to an older one on first use),
 * replaced with it on rotation.  EGETKEY and EREPORT of emulated enclaves
 * derive every key from it (cove/sgx_report.h).
 */
cove_err cove_platform_sgx_root_secret(cove_platform *p, uint8_t out[COVE_SGX_ROOT_SECRET_SIZE], cove_error *e);

/*
 * The platform's CPUSVN for an enclave.  `secret_memory` false (the enclave
 * could not get memfd_secret memory) gives the degraded CPUSVN: component 4
 * (byte 3) one lower, so that by EGETKEY's SVN rule data sealed by a fully
 * protected enclave cannot be unsealed by a degraded one, while the reverse
 * works.  Quotes at that CPUSVN carry a PCK certificate for the degraded TCB,
 * which the platform's TCB info rates ConfigurationNeeded with advisory
 * COVE-SA-0001 (docs/enclave-trusted-api.md).
 */
cove_err cove_platform_sgx_cpusvn(cove_platform *p, bool secret_memory, uint8_t out[16], cove_error *e);

/*
 * Create the SGX side if missing and load into memory everything quoting
 * needs (keys, both PCK chains, root secret), and exercise the signing path
 * once, so that later cove_platform_sgx_quote / _quote_identity /
 * _root_secret / _cpusvn calls make no file-system access (the enclave
 * loader calls them under seccomp).  Collateral and rotation still use files.
 * Not thread-safe: callers serialise calls on one platform.
 */
cove_err cove_platform_sgx_load(cove_platform *p, cove_error *e);

/*
 * The collateral for the platform's quotes (CRLs, TCB info, QE identity and
 * their issuer chains), re-signed first when any item is past its next
 * update or close to it.  `out` is overwritten (free with
 * cove_dcap_collateral_free).
 */
cove_err cove_platform_sgx_collateral(cove_platform *p, cove_dcap_collateral *out, cove_error *e);

/*
 * The SHA-256 of the SGX root CA's SubjectPublicKeyInfo, for
 * cove_dcap_verifier_add_root(v, spki, COVE_PLATFORM_NAME, true).  Never
 * creates the SGX side: COVE_ERR_UNAVAILABLE when it does not exist yet.
 */
cove_err cove_platform_sgx_root(cove_platform *p, uint8_t spki_sha256[32], cove_error *e);

#ifdef __cplusplus
}
#endif
#endif
