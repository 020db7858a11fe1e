/*
 * Internal interfaces of the emulated-platform module (src/platform): the
 * product table, the platform object, state-directory handling (state.c) and
 * certificate issuance (issue.c).  Not installed; see include/cove/platform.h.
 */
#ifndef COVE_PLATFORM_INTERNAL_H
#define COVE_PLATFORM_INTERNAL_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "cove/platform.h"

/* What the emulation copies from each AMD product (shared/research/snp.md, sections a and b). */
typedef struct plat_product {
	cove_snp_product product;
	const char *name;          /* "Milan": ARK-<name>, SEV-<name> */
	const char *vcek_product;  /* productName extension of the VCEK */
	int struct_version;        /* VCEK extension structVersion */
	long ark_serial, ask_serial;
	uint8_t cpuid_fam, cpuid_mod, cpuid_step;
	size_t hwid_len;           /* 64, or 8 on Turin */
	cove_snp_tcb default_tcb;
	uint8_t fw_major, fw_minor, fw_build;
} plat_product;

const plat_product *plat_product_of(cove_snp_product p); /* NULL when not emulated */

/* One VCEK: the platform's own, or one issued later for another TCB. */
typedef struct plat_vcek {
	uint64_t tcb_raw;
	X509 *cert;
	EVP_PKEY *key;
} plat_vcek;

struct cove_platform {
	char dir[PATH_MAX];     /* state directory */
	char snp_dir[PATH_MAX]; /* dir/snp */
	bool created;
	const plat_product *prod;
	cove_snp_tcb tcb;
	uint8_t fw_major, fw_minor, fw_build;
	int64_t created_at;
	uint8_t chip_id[COVE_PLATFORM_CHIP_ID_SIZE];
	X509 *ark, *ask;
	EVP_PKEY *ark_key, *ask_key;
	X509_CRL *crl;
	plat_vcek *vceks; /* [0] is the platform's (vcek.pem) */
	size_t nvceks;
	struct plat_sgx *sgx; /* the SGX side (sgx.c), loaded on first use; NULL until then */
};

/* sgx.c: release the SGX side (NULL is fine). */
void plat_sgx_free(struct plat_sgx *s);

/* platform.c: the (borrowed) private key of the VCEK certified for `tcb_raw`, issued on first use. */
cove_err plat_vcek_key(cove_platform *p, uint64_t tcb_raw, EVP_PKEY **key, cove_error *e);

/* ---- state.c ---- */

/* `dir`, or the default state directory when NULL. */
cove_err plat_resolve_dir(const char *dir, char *out, size_t out_len, cove_error *e);
/* mkdir -p; components created get mode 0700. */
cove_err plat_mkdirs(const char *path, cove_error *e);
/* A directory owned by the effective user and closed to group and others. */
cove_err plat_check_private_dir(const char *path, const char *what, cove_error *e);
/* A regular file (not a link) owned by the effective user; `secret`: also closed to group and others. */
cove_err plat_check_file(const char *path, bool secret, cove_error *e);
/* rm -rf of a directory tree cove made (does not follow symbolic links). */
cove_err plat_remove_tree(const char *path, cove_error *e);
/* A new private directory "<parent>/.<stem>-XXXXXX" into out. */
cove_err plat_make_temp_dir(const char *parent, const char *stem, char *out, size_t out_len, cove_error *e);
/*
 * Move the finished directory `tmp` to `final`.  Without `replace`, an
 * existing `final` wins (*lost = true, `tmp` is removed); with it, the old
 * `final` is swapped out and deleted.
 */
cove_err plat_publish_dir(const char *tmp, const char *final, bool replace, bool *lost, cove_error *e);
/* Write a file atomically (temporary file in the same folder, then rename). */
cove_err plat_write_atomic(const char *path, const void *data, size_t len, unsigned mode, cove_error *e);
/* Join into out, failing on truncation. */
cove_err plat_path(char *out, size_t out_len, cove_error *e, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* ---- issue.c ---- */

cove_err plat_keygen_rsa(EVP_PKEY **out, cove_error *e);
cove_err plat_keygen_ec(EVP_PKEY **out, cove_error *e);
cove_err plat_issue_ark(const plat_product *pp, EVP_PKEY *ark_key, int64_t now, X509 **out, cove_error *e);
cove_err plat_issue_ask(const plat_product *pp, EVP_PKEY *ask_pub, X509 *ark, EVP_PKEY *ark_key, int64_t now,
			X509 **out, cove_error *e);
cove_err plat_issue_vcek(const plat_product *pp, EVP_PKEY *vcek_pub, const cove_snp_tcb *tcb,
			 const uint8_t chip_id[COVE_PLATFORM_CHIP_ID_SIZE], X509 *ask, EVP_PKEY *ask_key, int64_t now,
			 X509 **out, cove_error *e);
/* An empty CRL with CRL number `number`, valid from `now` for a year. */
cove_err plat_issue_crl(X509 *ark, EVP_PKEY *ark_key, long number, int64_t now, X509_CRL **out, cove_error *e);
/* The CRL number extension (0 when absent). */
long plat_crl_number(X509_CRL *crl);
/* PEM of a certificate / CRL / private key, appended to `out`. */
/* Certificate building blocks shared by the SNP and SGX sides (issue.c). */
cove_err plat_cert_name(EVP_PKEY *root_pub, const char *cn, X509_NAME **out, cove_error *e);
cove_err plat_cert_add_ext(X509 *x, X509 *issuer, int nid, const char *value, cove_error *e);
cove_err plat_pem_cert(X509 *c, cove_buf *out, cove_error *e);
cove_err plat_pem_crl(X509_CRL *c, cove_buf *out, cove_error *e);
cove_err plat_pem_key(EVP_PKEY *k, cove_buf *out, cove_error *e);

#define PLAT_CRL_LIFETIME (365 * 86400LL)
#define PLAT_CRL_REFRESH_MARGIN (30 * 86400LL)

#endif
