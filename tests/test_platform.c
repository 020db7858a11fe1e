/*
 * Tests of the emulated SEV-SNP platform (include/cove/platform.h): state
 * directory layout and permissions, the ARK -> ASK -> VCEK chain and CRL in
 * AMD's shapes, emulated reports and their signatures.  One platform is made
 * per run (RSA-4096 key generation is slow) in a private temporary folder;
 * tests that need a damaged or insecure platform work on copies of it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "cove/platform.h"
#include "cove/snp.h"
#include "platform/internal.h"
#include "testutil.h"

static char g_tmp[PATH_MAX];
static char g_state[PATH_MAX];
static cove_platform *g_plat;

static const char *const g_files[] = {"ark.pem", "ark.key", "ask.pem", "ask.key", "vcek.pem",
				      "vcek.key", "crl.pem", "chip_id", "platform.json"};

static void expect_error(cove_err rc, const cove_error *e, cove_err code, const char *needle)
{
	if (rc != code || !strstr(e->msg, needle))
		fail_msg("expected error %d containing '%s', got %d: %s", (int)code, needle, (int)rc, e->msg);
}

static void path_of(char *out, const char *a, const char *b)
{
	int n = snprintf(out, PATH_MAX, "%s/%s", a, b);
	if (n < 0 || n >= PATH_MAX)
		fail_msg("path too long: %s/%s", a, b);
}

static int group_setup(void **state)
{
	(void)state;
	const char *tmpdir = getenv("TMPDIR");
	snprintf(g_tmp, sizeof(g_tmp), "%s/cove-test-platform-XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
	if (!mkdtemp(g_tmp))
		return -1;
	path_of(g_state, g_tmp, "state/nested");
	cove_error e = {0};
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (cove_platform_open(g_state, true, &g_plat, &e) != COVE_OK) {
		fprintf(stderr, "cannot create the test platform: %s\n", e.msg);
		plat_remove_tree(g_tmp, NULL);
		return -1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	fprintf(stderr, "created the emulated platform in %.2f s\n",
		(double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	cove_platform_free(g_plat);
	/* Copies made by tests may have been chmod-ed; restore before removing. */
	char cmd[PATH_MAX + 32];
	snprintf(cmd, sizeof(cmd), "chmod -R u+rwx '%s'", g_tmp);
	if (system(cmd) != 0)
		fprintf(stderr, "chmod of %s failed\n", g_tmp);
	plat_remove_tree(g_tmp, NULL);
	return 0;
}

/* A copy of the test platform in <tmp>/<name>, to damage. */
static void copy_platform(const char *name, char *state_out)
{
	char snp_src[PATH_MAX], snp_dst[PATH_MAX], src[PATH_MAX], dst[PATH_MAX];
	path_of(state_out, g_tmp, name);
	assert_int_equal(mkdir(state_out, 0700), 0);
	path_of(snp_dst, state_out, "snp");
	assert_int_equal(mkdir(snp_dst, 0700), 0);
	path_of(snp_src, g_state, "snp");
	for (size_t i = 0; i < sizeof(g_files) / sizeof(g_files[0]); i++) {
		cove_buf b = {0};
		cove_error e = {0};
		path_of(src, snp_src, g_files[i]);
		path_of(dst, snp_dst, g_files[i]);
		assert_int_equal(cove_file_read(src, 1 << 20, &b, &e), COVE_OK);
		assert_int_equal(cove_file_write(dst, b.data, b.len, 0600, &e), COVE_OK);
		cove_buf_free(&b);
	}
}

static void write_file(const char *state, const char *name, const void *data, size_t len)
{
	char p[PATH_MAX], snp[PATH_MAX];
	cove_error e = {0};
	path_of(snp, state, "snp");
	path_of(p, snp, name);
	unlink(p);
	assert_int_equal(cove_file_write(p, data, len, 0600, &e), COVE_OK);
}

static X509 *chain_cert(size_t i, const cove_snp_tcb *tcb)
{
	cove_x509_list l = {0};
	cove_error e = {0};
	assert_int_equal(cove_platform_snp_chain(g_plat, tcb, &l, &e), COVE_OK);
	assert_int_equal(l.count, 3);
	X509 *c = cove_x509_ref(l.certs[i]);
	cove_x509_list_free(&l);
	return c;
}

/* ---- state directory ---- */

static void test_files_and_modes(void **state)
{
	(void)state;
	struct stat st;
	char snp[PATH_MAX], p[PATH_MAX];
	assert_int_equal(stat(g_state, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	path_of(p, g_tmp, "state");
	assert_int_equal(stat(p, &st), 0); /* intermediate folders are private too */
	assert_int_equal(st.st_mode & 07777, 0700);
	path_of(snp, g_state, "snp");
	assert_int_equal(stat(snp, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	for (size_t i = 0; i < sizeof(g_files) / sizeof(g_files[0]); i++) {
		path_of(p, snp, g_files[i]);
		assert_int_equal(lstat(p, &st), 0);
		assert_true(S_ISREG(st.st_mode));
		assert_int_equal(st.st_uid, geteuid());
		if (strstr(g_files[i], ".key"))
			assert_int_equal(st.st_mode & 07777, 0600);
		else
			assert_int_equal(st.st_mode & 077, st.st_mode & 044); /* never writable by others */
	}
	path_of(p, snp, "chip_id");
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_size, 64);

	cove_buf b = {0};
	cove_error e = {0};
	path_of(p, snp, "platform.json");
	assert_int_equal(cove_file_read(p, 1 << 16, &b, &e), COVE_OK);
	json_t *j = json_loadb((const char *)b.data, b.len, 0, NULL);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "product")), "Milan");
	assert_string_equal(json_string_value(json_object_get(j, "firmware")), "1.55.29");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "tcb"), "microcode")), 213);
	json_decref(j);
	cove_buf_free(&b);

	/* No temporary folders are left behind. */
	assert_string_equal(cove_platform_dir(g_plat), g_state);
	assert_true(cove_platform_was_created(g_plat));
	assert_int_equal(cove_platform_product(g_plat), COVE_SNP_MILAN);
	int64_t age = cove_time_now() - cove_platform_created_at(g_plat);
	assert_true(age >= 0 && age < 3600);
}

static void test_reopen_same_identity(void **state)
{
	(void)state;
	cove_platform *p = NULL;
	cove_error e = {0};
	cove_snp_root a, b;
	uint8_t c1[64], c2[64];
	assert_int_equal(cove_platform_open(g_state, false, &p, &e), COVE_OK);
	assert_false(cove_platform_was_created(p));
	assert_int_equal(cove_platform_snp_root(g_plat, &a, &e), COVE_OK);
	assert_int_equal(cove_platform_snp_root(p, &b, &e), COVE_OK);
	assert_memory_equal(a.ark_spki_sha256, b.ark_spki_sha256, 32);
	assert_memory_equal(a.ask_spki_sha256, b.ask_spki_sha256, 32);
	cove_platform_chip_id(g_plat, c1);
	cove_platform_chip_id(p, c2);
	assert_memory_equal(c1, c2, 64);
	assert_false(cove_is_zero(c1, 64));

	cove_buf pa = {0}, pb = {0};
	assert_int_equal(cove_platform_snp_chain_pem(g_plat, NULL, &pa, &e), COVE_OK);
	assert_int_equal(cove_platform_snp_chain_pem(p, NULL, &pb, &e), COVE_OK);
	assert_int_equal(pa.len, pb.len);
	assert_memory_equal(pa.data, pb.data, pa.len);
	cove_buf_free(&pa);
	cove_buf_free(&pb);

	/* A report of the reopened platform verifies with the first handle's VCEK. */
	cove_snp_emulate_opts o;
	uint8_t rep[COVE_SNP_REPORT_SIZE];
	cove_snp_emulate_opts_init(&o);
	assert_int_equal(cove_platform_snp_emulate(p, &o, rep, &e), COVE_OK);
	X509 *vcek = chain_cert(0, NULL);
	assert_int_equal(cove_ecdsa_verify_raw(X509_get0_pubkey(vcek), COVE_SHA384, rep, COVE_SNP_SIGNED_SIZE,
					       rep + 0x2A0, rep + 0x2E8, 72, true, &e),
			 COVE_OK);
	X509_free(vcek);
	cove_platform_free(p);
}

static void test_init_existing_without_force(void **state)
{
	(void)state;
	cove_platform *p = NULL;
	cove_error e = {0};
	cove_platform_init_opts o = {0};
	cove_snp_root a, b;

	/* Same (default) parameters: the existing platform, unchanged. */
	assert_int_equal(cove_platform_init(g_state, &o, &p, &e), COVE_OK);
	assert_false(cove_platform_was_created(p));
	assert_int_equal(cove_platform_snp_root(g_plat, &a, &e), COVE_OK);
	assert_int_equal(cove_platform_snp_root(p, &b, &e), COVE_OK);
	assert_memory_equal(a.ark_spki_sha256, b.ark_spki_sha256, 32);
	cove_platform_free(p);

	/* The TCB it has, named explicitly: fine. */
	o.has_tcb = true;
	o.tcb = cove_platform_tcb(g_plat);
	assert_int_equal(cove_platform_init(g_state, &o, &p, &e), COVE_OK);
	cove_platform_free(p);

	/* Another product or TCB would need new keys: refused without force. */
	o.has_tcb = false;
	o.product = COVE_SNP_GENOA;
	expect_error(cove_platform_init(g_state, &o, &p, &e), &e, COVE_ERR_ARG, "use --force");
	assert_null(p);
	o.product = COVE_SNP_MILAN;
	o.has_tcb = true;
	o.tcb.microcode = 100;
	expect_error(cove_platform_init(g_state, &o, &p, &e), &e, COVE_ERR_ARG, "TCB bl=4,tee=0,snp=22,ucode=213");
	o.tcb.microcode = 213;
	o.tcb.fmc = 1;
	expect_error(cove_platform_init(g_state, &o, &p, &e), &e, COVE_ERR_ARG, "only on Turin");
}

static void test_open_missing(void **state)
{
	(void)state;
	char dir[PATH_MAX], snp[PATH_MAX];
	cove_platform *p = (cove_platform *)1;
	cove_error e = {0};
	struct stat st;
	path_of(dir, g_tmp, "absent");
	expect_error(cove_platform_open(dir, false, &p, &e), &e, COVE_ERR_UNAVAILABLE, "cove platform init");
	assert_null(p);
	assert_int_not_equal(stat(dir, &st), 0); /* nothing created */
	assert_int_equal(mkdir(dir, 0700), 0);
	expect_error(cove_platform_open(dir, false, &p, &e), &e, COVE_ERR_UNAVAILABLE, "cove platform init");
	path_of(snp, dir, "snp");
	assert_int_not_equal(stat(snp, &st), 0);
	expect_error(cove_platform_open("", false, &p, &e), &e, COVE_ERR_ARG, "empty");
}

static void test_insecure_state_dir(void **state)
{
	(void)state;
	char dir[PATH_MAX], snp[PATH_MAX], key[PATH_MAX];
	cove_platform *p = NULL;
	cove_error e = {0};
	struct stat st;

	/* A world-readable state directory is refused before anything is created in it. */
	path_of(dir, g_tmp, "open");
	assert_int_equal(mkdir(dir, 0700), 0);
	assert_int_equal(chmod(dir, 0755), 0);
	expect_error(cove_platform_open(dir, true, &p, &e), &e, COVE_ERR_ARG, "accessible by group or others (mode 0755)");
	assert_non_null(strstr(e.msg, "chmod 700"));
	path_of(snp, dir, "snp");
	assert_int_not_equal(stat(snp, &st), 0);
	assert_int_equal(chmod(dir, 0710), 0);
	expect_error(cove_platform_open(dir, false, &p, &e), &e, COVE_ERR_ARG, "mode 0710");

	/* A readable snp/ folder, then a readable private key, in an otherwise good copy. */
	copy_platform("insecure-copy", dir);
	assert_int_equal(cove_platform_open(dir, false, &p, &e), COVE_OK);
	cove_platform_free(p);
	path_of(snp, dir, "snp");
	assert_int_equal(chmod(snp, 0750), 0);
	expect_error(cove_platform_open(dir, false, &p, &e), &e, COVE_ERR_ARG, "platform directory");
	assert_int_equal(chmod(snp, 0700), 0);
	path_of(key, snp, "ask.key");
	assert_int_equal(chmod(key, 0640), 0);
	expect_error(cove_platform_open(dir, false, &p, &e), &e, COVE_ERR_ARG, "chmod 600");
	assert_non_null(strstr(e.msg, "ask.key"));
	assert_int_equal(chmod(key, 0600), 0);

	/* A private key that is a symbolic link. */
	char target[PATH_MAX];
	path_of(target, g_tmp, "elsewhere.key");
	assert_int_equal(rename(key, target), 0);
	assert_int_equal(symlink(target, key), 0);
	expect_error(cove_platform_open(dir, false, &p, &e), &e, COVE_ERR_ARG, "symbolic link");

	/* Owned by someone else (only root can arrange that). */
	if (geteuid() == 0) {
		path_of(dir, g_tmp, "foreign");
		assert_int_equal(mkdir(dir, 0700), 0);
		assert_int_equal(chown(dir, 65534, 65534), 0);
		expect_error(cove_platform_open(dir, true, &p, &e), &e, COVE_ERR_ARG, "owned by uid 65534");
	} else {
		fprintf(stderr, "note: not root, the foreign-owner case is not exercised\n");
	}
}

static void test_damaged_platform(void **state)
{
	(void)state;
	char dir[PATH_MAX], snp[PATH_MAX], src[PATH_MAX];
	cove_platform *p = NULL;
	cove_error e = {0};
	cove_buf b = {0};
	uint8_t junk[63] = {0};

	copy_platform("damaged-chip", dir);
	write_file(dir, "chip_id", junk, sizeof(junk));
	expect_error(cove_platform_open(dir, false, &p, &e), &e, COVE_ERR_PARSE, "chip_id is 63 bytes, expected 64");
	assert_non_null(strstr(e.msg, "init --force"));

	copy_platform("damaged-json", dir);
	write_file(dir, "platform.json", "{\"format\": 1, \"product\": ", 25);
	expect_error(cove_platform_open(dir, false, &p, &e), &e, COVE_ERR_PARSE, "platform.json: line 1");
	const char *bad_tcb = "{\"format\":1,\"product\":\"Milan\",\"firmware\":\"1.55.29\","
			      "\"created\":\"2025-07-01T00:00:00Z\",\"tcb\":{\"bootloader\":4,\"tee\":0,\"snp\":22,\"microcode\":256}}";
	write_file(dir, "platform.json", bad_tcb, strlen(bad_tcb));
	expect_error(cove_platform_open(dir, false, &p, &e), &e, COVE_ERR_PARSE, "tcb.microcode must be an integer 0..255");
	const char *other_tcb = "{\"format\":1,\"product\":\"Milan\",\"firmware\":\"1.55.29\","
				"\"created\":\"2025-07-01T00:00:00Z\",\"tcb\":{\"bootloader\":4,\"tee\":0,\"snp\":22,\"microcode\":200}}";
	write_file(dir, "platform.json", other_tcb, strlen(other_tcb));
	expect_error(cove_platform_open(dir, false, &p, &e), &e, COVE_ERR_VERIFY, "extensions do not match");

	/* The ASK certificate where the VCEK belongs: the key does not match. */
	copy_platform("damaged-swap", dir);
	path_of(snp, g_state, "snp");
	path_of(src, snp, "ask.pem");
	assert_int_equal(cove_file_read(src, 1 << 20, &b, &e), COVE_OK);
	write_file(dir, "vcek.pem", b.data, b.len);
	expect_error(cove_platform_open(dir, false, &p, &e), &e, COVE_ERR_VERIFY, "vcek.key does not belong");
	cove_buf_free(&b);

	/* A truncated certificate. */
	copy_platform("damaged-cert", dir);
	write_file(dir, "ark.pem", "-----BEGIN CERTIFICATE-----\nMIIB\n", 33);
	expect_error(cove_platform_open(dir, false, &p, &e), &e, COVE_ERR_PARSE, "ark.pem");
	assert_null(p);
}

static void test_default_dir(void **state)
{
	(void)state;
	char out[PATH_MAX], tiny[8];
	cove_error e = {0};
	char *saved_state = getenv("COVE_STATE_DIR") ? strdup(getenv("COVE_STATE_DIR")) : NULL;
	char *saved_xdg = getenv("XDG_STATE_HOME") ? strdup(getenv("XDG_STATE_HOME")) : NULL;
	char *saved_home = getenv("HOME") ? strdup(getenv("HOME")) : NULL;

	setenv("COVE_STATE_DIR", "/srv/cove-state", 1);
	assert_int_equal(cove_platform_default_dir(out, sizeof(out), &e), COVE_OK);
	assert_string_equal(out, "/srv/cove-state");
	expect_error(cove_platform_default_dir(tiny, sizeof(tiny), &e), &e, COVE_ERR_ARG, "path too long");
	setenv("COVE_STATE_DIR", "", 1); /* empty = unset */
	setenv("XDG_STATE_HOME", "/xdg/state", 1);
	setenv("HOME", "/home/someone", 1);
	assert_int_equal(cove_platform_default_dir(out, sizeof(out), &e), COVE_OK);
	if (geteuid() == 0) {
		assert_string_equal(out, "/var/lib/cove");
	} else {
		assert_string_equal(out, "/xdg/state/cove");
		setenv("XDG_STATE_HOME", "relative/ignored", 1);
		assert_int_equal(cove_platform_default_dir(out, sizeof(out), &e), COVE_OK);
		assert_string_equal(out, "/home/someone/.local/state/cove");
	}

	if (saved_state)
		setenv("COVE_STATE_DIR", saved_state, 1);
	else
		unsetenv("COVE_STATE_DIR");
	if (saved_xdg)
		setenv("XDG_STATE_HOME", saved_xdg, 1);
	else
		unsetenv("XDG_STATE_HOME");
	if (saved_home)
		setenv("HOME", saved_home, 1);
	else
		unsetenv("HOME");
	free(saved_state);
	free(saved_xdg);
	free(saved_home);
}

/* ---- chain ---- */

static void test_chain_signatures(void **state)
{
	(void)state;
	cove_x509_list l = {0};
	cove_error e = {0};
	assert_int_equal(cove_platform_snp_chain(g_plat, NULL, &l, &e), COVE_OK);
	assert_int_equal(l.count, 3);
	X509 *vcek = l.certs[0], *ask = l.certs[1], *ark = l.certs[2];
	EVP_PKEY *ark_key = cove_x509_pubkey(ark), *ask_key = cove_x509_pubkey(ask);

	assert_int_equal(cove_x509_check_pss_signature(ark, ark_key, COVE_SHA384, 48, &e), COVE_OK);
	assert_int_equal(cove_x509_check_pss_signature(ask, ark_key, COVE_SHA384, 48, &e), COVE_OK);
	assert_int_equal(cove_x509_check_pss_signature(vcek, ask_key, COVE_SHA384, 48, &e), COVE_OK);
	/* Each only by its issuer, and only with AMD's parameters. */
	expect_error(cove_x509_check_pss_signature(vcek, ark_key, COVE_SHA384, 48, &e), &e, COVE_ERR_VERIFY,
		     "does not verify");
	expect_error(cove_x509_check_pss_signature(ask, ask_key, COVE_SHA384, 48, &e), &e, COVE_ERR_VERIFY,
		     "does not verify");
	expect_error(cove_x509_check_pss_signature(ask, ark_key, COVE_SHA384, 32, &e), &e, COVE_ERR_VERIFY,
		     "salt length is 48, expected 32");
	expect_error(cove_x509_check_pss_signature(ask, ark_key, COVE_SHA256, 48, &e), &e, COVE_ERR_VERIFY,
		     "hash is SHA384");

	assert_true(cove_x509_is_self_issued(ark));
	assert_false(cove_x509_is_self_issued(ask));
	assert_false(cove_x509_is_self_issued(vcek));
	int64_t now = cove_time_now();
	for (int i = 0; i < 3; i++)
		assert_int_equal(cove_x509_check_validity(l.certs[i], now, &e), COVE_OK);

	/* OpenSSL's own path building, VCEK -> ASK -> ARK with the ARK as the only anchor. */
	cove_x509_list inter = {0}, path = {0};
	assert_int_equal(cove_x509_list_add(&inter, ask, &e), COVE_OK);
	assert_int_equal(cove_x509_verify_path(vcek, &inter, ark, now, &path, &e), COVE_OK);
	assert_int_equal(path.count, 3);
	assert_int_equal(X509_cmp(path.certs[2], ark), 0);
	cove_x509_list_free(&path);
	expect_error(cove_x509_verify_path(vcek, NULL, ark, now, NULL, &e), &e, COVE_ERR_VERIFY, "SEV-VCEK");
	expect_error(cove_x509_verify_path(vcek, &inter, ark, now + 8 * 366 * 86400LL, NULL, &e), &e, COVE_ERR_VERIFY,
		     "expired");
	cove_x509_list_free(&inter);
	assert_true(cove_x509_is_ca(ark));
	assert_true(cove_x509_is_ca(ask));
	assert_false(cove_x509_is_ca(vcek));
	/* Key types: RSA-4096 CAs, P-384 VCEK. */
	assert_int_equal(EVP_PKEY_get_base_id(ark_key), EVP_PKEY_RSA);
	assert_int_equal(EVP_PKEY_get_bits(ark_key), 4096);
	assert_int_equal(EVP_PKEY_get_bits(ask_key), 4096);
	assert_int_equal(EVP_PKEY_get_base_id(cove_x509_pubkey(vcek)), EVP_PKEY_EC);
	assert_int_equal(EVP_PKEY_get_bits(cove_x509_pubkey(vcek)), 384);
	cove_x509_list_free(&l);
}

static void test_chain_shapes(void **state)
{
	(void)state;
	char buf[512];
	X509 *ark = chain_cert(2, NULL), *ask = chain_cert(1, NULL), *vcek = chain_cert(0, NULL);
	uint8_t fp[32];
	cove_error e = {0};
	char tag[32];
	assert_int_equal(cove_x509_spki_sha256(ark, fp, &e), COVE_OK);
	snprintf(tag, sizeof(tag), "OU=platform %02x%02x%02x%02x", fp[0], fp[1], fp[2], fp[3]);

	cove_x509_subject(ark, buf, sizeof(buf));
	assert_non_null(strstr(buf, "CN=ARK-Milan (cove emulated\\, not AMD)"));
	assert_non_null(strstr(buf, "O=cove emulated platform"));
	assert_non_null(strstr(buf, tag));
	cove_x509_subject(ask, buf, sizeof(buf));
	assert_non_null(strstr(buf, "CN=SEV-Milan (cove emulated\\, not AMD)"));
	assert_non_null(strstr(buf, tag));
	cove_x509_subject(vcek, buf, sizeof(buf));
	assert_non_null(strstr(buf, "CN=SEV-VCEK (cove emulated\\, not AMD)"));
	X509 *all[3] = {ark, ask, vcek};
	for (int i = 0; i < 3; i++) {
		cove_x509_subject(all[i], buf, sizeof(buf));
		assert_null(strstr(buf, "Advanced Micro Devices"));
		X509_NAME_oneline(X509_get_issuer_name(all[i]), buf, sizeof(buf));
		assert_null(strstr(buf, "Advanced Micro Devices"));
	}
	assert_int_equal(X509_NAME_cmp(X509_get_issuer_name(vcek), X509_get_subject_name(ask)), 0);
	assert_int_equal(X509_NAME_cmp(X509_get_issuer_name(ask), X509_get_subject_name(ark)), 0);

	cove_x509_serial_hex(ark, buf, sizeof(buf));
	assert_string_equal(buf, "10000");
	cove_x509_serial_hex(ask, buf, sizeof(buf));
	assert_string_equal(buf, "10001");
	cove_x509_serial_hex(vcek, buf, sizeof(buf));
	assert_string_equal(buf, "0");

	/* CA flags: ARK and ASK are CAs (the ASK with pathlen 0), the VCEK carries no X.509 v3 extension of its own. */
	assert_int_equal(X509_check_ca(ark), 1);
	assert_int_equal(X509_check_ca(ask), 1);
	assert_int_equal(X509_check_ca(vcek), 0);
	assert_int_equal(X509_get_pathlen(ask), 0);
	assert_true(X509_get_key_usage(ark) & KU_KEY_CERT_SIGN);
	assert_true(X509_get_key_usage(ark) & KU_CRL_SIGN);
	assert_int_equal(X509_get_ext_by_NID(vcek, NID_basic_constraints, -1), -1);
	assert_int_equal(X509_get_ext_count(vcek), 11); /* .1 .2 .3.1-.3.8 .4 */
	assert_int_equal(X509_get_version(vcek), X509_VERSION_3);

	/* Validity: 25 years for ARK and ASK, 7 for the VCEK, all starting at creation. */
	int64_t created = cove_platform_created_at(g_plat);
	assert_int_equal(cove_x509_not_before(ark), created);
	assert_int_equal(cove_x509_not_after(ark) - cove_x509_not_before(ark), (int64_t)(25 * 365 + 6) * 86400);
	assert_int_equal(cove_x509_not_after(ask) - cove_x509_not_before(ask), (int64_t)(25 * 365 + 6) * 86400);
	assert_int_equal(cove_x509_not_after(vcek) - cove_x509_not_before(vcek), (int64_t)(7 * 365 + 2) * 86400);
	X509_free(ark);
	X509_free(ask);
	X509_free(vcek);
}

static void expect_ext(X509 *c, const char *arc, const uint8_t *want, size_t want_len)
{
	char oid[64];
	const uint8_t *der = NULL;
	size_t len = 0;
	bool found = false;
	cove_error e = {0};
	snprintf(oid, sizeof(oid), "1.3.6.1.4.1.3704.1.%s", arc);
	assert_int_equal(cove_x509_extension(c, oid, &der, &len, &found, &e), COVE_OK);
	if (!found)
		fail_msg("extension %s missing", oid);
	assert_int_equal(len, want_len);
	assert_memory_equal(der, want, want_len);
}

static void test_vcek_extensions(void **state)
{
	(void)state;
	X509 *vcek = chain_cert(0, NULL);
	cove_snp_vcek_ext ext;
	cove_error e = {0};
	uint8_t chip[64];
	cove_platform_chip_id(g_plat, chip);

	assert_int_equal(cove_snp_vcek_ext_parse(vcek, &ext, &e), COVE_OK);
	assert_int_equal(ext.struct_version, 0);
	assert_string_equal(ext.product_name, "Milan-B0");
	assert_int_equal(ext.bl_spl, 4);
	assert_int_equal(ext.tee_spl, 0);
	assert_int_equal(ext.snp_spl, 22);
	assert_int_equal(ext.ucode_spl, 213);
	assert_int_equal(ext.fmc_spl, -1);
	assert_int_equal(ext.hwid_len, 64);
	assert_memory_equal(ext.hwid, chip, 64);

	/* Byte-exact encodings, as in AMD's certificates. */
	static const uint8_t v0[] = {0x02, 0x01, 0x00};
	static const uint8_t name[] = {0x16, 0x08, 'M', 'i', 'l', 'a', 'n', '-', 'B', '0'};
	static const uint8_t bl[] = {0x02, 0x01, 0x04};
	static const uint8_t snp[] = {0x02, 0x01, 0x16};
	static const uint8_t ucode[] = {0x02, 0x02, 0x00, 0xD5}; /* 213 needs the leading zero */
	expect_ext(vcek, "1", v0, sizeof(v0));
	expect_ext(vcek, "2", name, sizeof(name));
	expect_ext(vcek, "3.1", bl, sizeof(bl));
	expect_ext(vcek, "3.2", v0, sizeof(v0));
	expect_ext(vcek, "3.3", snp, sizeof(snp));
	expect_ext(vcek, "3.4", v0, sizeof(v0));
	expect_ext(vcek, "3.5", v0, sizeof(v0));
	expect_ext(vcek, "3.6", v0, sizeof(v0));
	expect_ext(vcek, "3.7", v0, sizeof(v0));
	expect_ext(vcek, "3.8", ucode, sizeof(ucode));
	expect_ext(vcek, "4", chip, 64); /* raw, no OCTET STRING wrapper */
	X509_free(vcek);
}

/* Turin's VCEK shape (structVersion 1, no spl_4, fmcSPL, 8-byte hwID), issued by this platform's ASK. */
static void test_turin_vcek_shape(void **state)
{
	(void)state;
	const plat_product *pp = plat_product_of(COVE_SNP_TURIN);
	EVP_PKEY *key = NULL;
	X509 *vcek = NULL;
	cove_error e = {0};
	uint8_t chip[64] = {1, 2, 3, 4, 5, 6, 7, 8}; /* Turin: 8 bytes, then zeros */
	cove_snp_tcb tcb = {.fmc = 2, .bootloader = 3, .tee = 4, .snp = 5, .microcode = 0x80};
	cove_snp_vcek_ext ext;
	assert_non_null(pp);
	assert_int_equal(plat_keygen_ec(&key, &e), COVE_OK);
	assert_int_equal(plat_issue_vcek(pp, key, &tcb, chip, g_plat->ask, g_plat->ask_key, cove_time_now(), &vcek, &e),
			 COVE_OK);
	assert_int_equal(cove_x509_check_pss_signature(vcek, X509_get0_pubkey(g_plat->ask), COVE_SHA384, 48, &e),
			 COVE_OK);
	assert_int_equal(cove_snp_vcek_ext_parse(vcek, &ext, &e), COVE_OK);
	assert_int_equal(ext.struct_version, 1);
	assert_string_equal(ext.product_name, "Turin");
	assert_int_equal(ext.fmc_spl, 2);
	assert_int_equal(ext.bl_spl, 3);
	assert_int_equal(ext.tee_spl, 4);
	assert_int_equal(ext.snp_spl, 5);
	assert_int_equal(ext.ucode_spl, 0x80);
	assert_int_equal(ext.hwid_len, 8);
	static const uint8_t one[] = {0x02, 0x01, 0x01};
	static const uint8_t fmc[] = {0x02, 0x01, 0x02};
	static const uint8_t ucode[] = {0x02, 0x02, 0x00, 0x80};
	expect_ext(vcek, "1", one, sizeof(one));
	expect_ext(vcek, "3.9", fmc, sizeof(fmc));
	expect_ext(vcek, "3.8", ucode, sizeof(ucode));
	expect_ext(vcek, "4", chip, 8);
	const uint8_t *der;
	size_t len;
	bool found = true;
	assert_int_equal(cove_x509_extension(vcek, "1.3.6.1.4.1.3704.1.3.4", &der, &len, &found, &e), COVE_OK);
	assert_false(found);
	assert_int_equal(X509_get_ext_count(vcek), 11); /* .1 .2 .3.1-.3.3 .3.5-.3.9 .4 */
	X509_free(vcek);
	EVP_PKEY_free(key);
}

static void test_root_pins(void **state)
{
	(void)state;
	cove_snp_root root;
	cove_error e = {0};
	uint8_t fp[32];
	X509 *ark = chain_cert(2, NULL), *ask = chain_cert(1, NULL);
	assert_int_equal(cove_platform_snp_root(g_plat, &root, &e), COVE_OK);
	assert_true(root.emulated);
	assert_string_equal(root.name, "cove emulated platform");
	assert_int_equal(root.product, COVE_SNP_MILAN);
	assert_false(root.has_asvk);
	assert_int_equal(cove_x509_spki_sha256(ark, fp, &e), COVE_OK);
	assert_memory_equal(root.ark_spki_sha256, fp, 32);
	assert_int_equal(cove_x509_spki_sha256(ask, fp, &e), COVE_OK);
	assert_memory_equal(root.ask_spki_sha256, fp, 32);
	/* Never one of AMD's pins. */
	size_t n = 0;
	const cove_snp_root *amd = cove_snp_amd_roots(&n);
	for (size_t i = 0; i < n; i++) {
		assert_memory_not_equal(amd[i].ark_spki_sha256, root.ark_spki_sha256, 32);
		assert_memory_not_equal(amd[i].ask_spki_sha256, root.ask_spki_sha256, 32);
	}
	X509_free(ark);
	X509_free(ask);
}

static void test_crl(void **state)
{
	(void)state;
	cove_x509_crl *crl = NULL;
	cove_error e = {0};
	X509 *ark = chain_cert(2, NULL), *ask = chain_cert(1, NULL);
	assert_int_equal(cove_platform_snp_crl(g_plat, &crl, &e), COVE_OK);
	assert_true(cove_x509_crl_issued_by(crl, ark));
	assert_int_equal(cove_x509_crl_check_signature(crl, cove_x509_pubkey(ark), &e), COVE_OK);
	expect_error(cove_x509_crl_check_signature(crl, cove_x509_pubkey(ask), &e), &e, COVE_ERR_VERIFY, "does not verify");
	assert_int_equal(cove_x509_crl_check_pss(crl, COVE_SHA384, 48, &e), COVE_OK);
	assert_false(cove_x509_crl_lists(crl, ask));
	STACK_OF(X509_REVOKED) *revoked = X509_CRL_get_REVOKED(crl);
	assert_true(revoked == NULL || sk_X509_REVOKED_num(revoked) == 0);
	int64_t tu = cove_x509_crl_this_update(crl), nu = cove_x509_crl_next_update(crl);
	assert_int_equal(nu - tu, 365 * 86400);
	assert_false(cove_platform_crl_is_stale(g_plat, cove_time_now()));
	assert_false(cove_platform_crl_is_stale(g_plat, nu));
	assert_true(cove_platform_crl_is_stale(g_plat, nu + 1));

	/* The PEM form parses to the same CRL. */
	cove_buf pem = {0};
	cove_x509_crl *again = NULL;
	assert_int_equal(cove_platform_snp_crl_pem(g_plat, &pem, &e), COVE_OK);
	assert_non_null(memmem(pem.data, pem.len, "-----BEGIN X509 CRL-----", 24));
	assert_int_equal(cove_x509_crl_parse(pem.data, pem.len, &again, &e), COVE_OK);
	assert_int_equal(X509_CRL_cmp(again, crl), 0);
	assert_int_equal(cove_x509_crl_next_update(again), nu);
	cove_x509_crl_free(again);
	cove_buf_free(&pem);
	cove_x509_crl_free(crl);
	X509_free(ark);
	X509_free(ask);
}

static void test_crl_refresh(void **state)
{
	(void)state;
	cove_error e = {0};
	cove_x509_crl *before = NULL, *after = NULL;
	bool refreshed = true;
	/* A fresh CRL is left alone... */
	assert_int_equal(cove_platform_snp_crl(g_plat, &before, &e), COVE_OK);
	assert_int_equal(cove_platform_crl_refresh(g_plat, false, &refreshed, &e), COVE_OK);
	assert_false(refreshed);
	/* ...unless forced: next CRL number, same issuer, still signed by the ARK, written to disk. */
	assert_int_equal(cove_platform_crl_refresh(g_plat, true, &refreshed, &e), COVE_OK);
	assert_true(refreshed);
	assert_int_equal(cove_platform_snp_crl(g_plat, &after, &e), COVE_OK);
	assert_int_equal(plat_crl_number(after), plat_crl_number(before) + 1);
	X509 *ark = chain_cert(2, NULL);
	assert_int_equal(cove_x509_crl_check_signature(after, cove_x509_pubkey(ark), &e), COVE_OK);
	cove_platform *p = NULL;
	cove_x509_crl *on_disk = NULL;
	assert_int_equal(cove_platform_open(g_state, false, &p, &e), COVE_OK);
	assert_int_equal(cove_platform_snp_crl(p, &on_disk, &e), COVE_OK);
	assert_int_equal(plat_crl_number(on_disk), plat_crl_number(after));
	cove_x509_crl_free(on_disk);
	cove_platform_free(p);
	cove_x509_crl_free(before);
	cove_x509_crl_free(after);
	X509_free(ark);
}

/* ---- reports ---- */

static void fill(uint8_t *p, size_t n, uint8_t seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(seed + i * 7);
}

static void test_report_fields(void **state)
{
	(void)state;
	cove_snp_emulate_opts o;
	uint8_t raw[COVE_SNP_REPORT_SIZE];
	cove_snp_report r;
	cove_error e = {0};
	uint8_t chip[64];
	cove_snp_emulate_opts_init(&o);
	assert_int_equal(o.policy, 0x30000);
	fill(o.measurement, 48, 0x11);
	fill(o.report_data, 64, 0x22);
	fill(o.host_data, 32, 0x33);
	fill(o.family_id, 16, 0x44);
	fill(o.image_id, 16, 0x55);
	fill(o.id_key_digest, 48, 0x66);
	o.guest_svn = 7;
	o.vmpl = 2;
	assert_int_equal(cove_platform_snp_emulate(g_plat, &o, raw, &e), COVE_OK);
	assert_int_equal(cove_snp_report_parse(raw, sizeof(raw), &r, &e), COVE_OK);

	assert_int_equal(r.version, 3);
	assert_int_equal(cove_le32(raw), 3);
	assert_int_equal(r.guest_svn, 7);
	assert_int_equal(r.policy, 0x30000);
	assert_int_equal(cove_le64(raw + 0x08), 0x30000);
	assert_int_equal(r.vmpl, 2);
	assert_int_equal(cove_le32(raw + 0x30), 2);
	assert_int_equal(r.signature_algo, 1);
	assert_int_equal(r.signing_key, COVE_SNP_KEY_VCEK);
	assert_false(r.mask_chip_key);
	assert_false(r.author_key_en);
	assert_int_equal(r.platform_info, COVE_SNP_PLATFORM_SMT_EN | COVE_SNP_PLATFORM_TSME_EN);
	assert_memory_equal(r.measurement, o.measurement, 48);
	assert_memory_equal(raw + 0x90, o.measurement, 48);
	assert_memory_equal(r.report_data, o.report_data, 64);
	assert_memory_equal(raw + 0x50, o.report_data, 64);
	assert_memory_equal(r.host_data, o.host_data, 32);
	assert_memory_equal(raw + 0xC0, o.host_data, 32);
	assert_memory_equal(r.family_id, o.family_id, 16);
	assert_memory_equal(r.image_id, o.image_id, 16);
	assert_memory_equal(r.id_key_digest, o.id_key_digest, 48);
	assert_true(cove_is_zero(r.author_key_digest, 48));
	assert_true(r.has_cpuid);
	assert_int_equal(raw[0x188], 0x19);
	assert_int_equal(raw[0x189], 0x01);
	assert_int_equal(raw[0x18A], 0x01);
	assert_int_equal(cove_snp_report_product(&r), COVE_SNP_MILAN);
	cove_platform_chip_id(g_plat, chip);
	assert_memory_equal(r.chip_id, chip, 64);
	assert_memory_equal(raw + 0x1A0, chip, 64);

	/* TCBs: the platform's, in the Milan layout (bl byte 0, tee 1, snp 6, ucode 7). */
	const uint64_t tcb = 0xD516000000000004ull;
	assert_int_equal(r.current_tcb, tcb);
	assert_int_equal(r.reported_tcb, tcb);
	assert_int_equal(r.committed_tcb, tcb);
	assert_int_equal(r.launch_tcb, tcb);
	assert_int_equal(cove_le64(raw + 0x180), tcb);
	assert_int_equal(r.current_major, 1);
	assert_int_equal(r.current_minor, 55);
	assert_int_equal(r.current_build, 29);
	assert_int_equal(r.committed_major, 1);
	assert_int_equal(r.committed_minor, 55);
	assert_int_equal(r.committed_build, 29);
	assert_false(cove_is_zero(r.report_id, 32));
	for (int i = 0; i < 32; i++)
		assert_int_equal(r.report_id_ma[i], 0xFF);
	assert_true(cove_is_zero(raw + 0x330, COVE_SNP_REPORT_SIZE - 0x330));
	assert_false(cove_is_zero(raw + 0x2A0, 72));
	assert_false(cove_is_zero(raw + 0x2E8, 72));
	/* P-384 components fit 48 bytes: the upper 24 of each 72-byte field are zero (little-endian). */
	assert_true(cove_is_zero(raw + 0x2A0 + 48, 24));
	assert_true(cove_is_zero(raw + 0x2E8 + 48, 24));

	/* Two reports differ in REPORT_ID (random) and signature, not in content. */
	uint8_t raw2[COVE_SNP_REPORT_SIZE];
	assert_int_equal(cove_platform_snp_emulate(g_plat, &o, raw2, &e), COVE_OK);
	assert_memory_not_equal(raw + 0x140, raw2 + 0x140, 32);
	assert_memory_equal(raw, raw2, 0x140);
	assert_memory_equal(raw + 0x160, raw2 + 0x160, 0x2A0 - 0x160);
}

static void test_report_signature_and_flips(void **state)
{
	(void)state;
	cove_snp_emulate_opts o;
	uint8_t raw[COVE_SNP_REPORT_SIZE];
	cove_error e = {0};
	cove_snp_emulate_opts_init(&o);
	fill(o.measurement, 48, 0xA0);
	fill(o.report_data, 64, 0xB0);
	assert_int_equal(cove_platform_snp_emulate(g_plat, &o, raw, &e), COVE_OK);
	X509 *vcek = chain_cert(0, NULL), *ask = chain_cert(1, NULL);
	EVP_PKEY *key = X509_get0_pubkey(vcek);
	assert_int_equal(cove_ecdsa_verify_raw(key, COVE_SHA384, raw, 0x2A0, raw + 0x2A0, raw + 0x2E8, 72, true, &e),
			 COVE_OK);
	/* Not big-endian, not over more or fewer bytes, not by another key. */
	expect_error(cove_ecdsa_verify_raw(key, COVE_SHA384, raw, 0x2A0, raw + 0x2A0, raw + 0x2E8, 72, false, &e), &e,
		     COVE_ERR_VERIFY, "does not verify");
	expect_error(cove_ecdsa_verify_raw(key, COVE_SHA384, raw, 0x29F, raw + 0x2A0, raw + 0x2E8, 72, true, &e), &e,
		     COVE_ERR_VERIFY, "does not verify");
	assert_int_not_equal(cove_ecdsa_verify_raw(X509_get0_pubkey(ask), COVE_SHA384, raw, 0x2A0, raw + 0x2A0,
						   raw + 0x2E8, 72, true, &e),
			     COVE_OK);
	/* Any single flipped signed byte, or a flipped signature byte, fails. */
	for (size_t i = 0; i < 0x2A0 + 2 * 48; i++) {
		size_t at = i < 0x2A0 ? i : i < 0x2A0 + 48 ? i : 0x2E8 + (i - 0x2A0 - 48);
		raw[at] ^= 0x01;
		if (cove_ecdsa_verify_raw(key, COVE_SHA384, raw, 0x2A0, raw + 0x2A0, raw + 0x2E8, 72, true, NULL) ==
		    COVE_OK)
			fail_msg("flipping report byte 0x%03zx still verifies", at);
		raw[at] ^= 0x01;
	}
	assert_int_equal(cove_ecdsa_verify_raw(key, COVE_SHA384, raw, 0x2A0, raw + 0x2A0, raw + 0x2E8, 72, true, &e),
			 COVE_OK);
	X509_free(vcek);
	X509_free(ask);
}

static void test_report_versions(void **state)
{
	(void)state;
	cove_snp_emulate_opts o;
	uint8_t raw[COVE_SNP_REPORT_SIZE];
	cove_snp_report r;
	cove_error e = {0};
	X509 *vcek = chain_cert(0, NULL);
	for (uint32_t v = 2; v <= 5; v++) {
		cove_snp_emulate_opts_init(&o);
		o.version = v;
		assert_int_equal(cove_platform_snp_emulate(g_plat, &o, raw, &e), COVE_OK);
		assert_int_equal(cove_snp_report_parse(raw, sizeof(raw), &r, &e), COVE_OK);
		assert_int_equal(r.version, v);
		assert_int_equal(r.has_cpuid, v >= 3);
		assert_int_equal(r.has_mit_vectors, v >= 5);
		if (v == 2)
			assert_true(cove_is_zero(raw + 0x188, 3));
		assert_int_equal(cove_ecdsa_verify_raw(X509_get0_pubkey(vcek), COVE_SHA384, raw, 0x2A0, raw + 0x2A0,
						       raw + 0x2E8, 72, true, &e),
				 COVE_OK);
	}
	X509_free(vcek);
}

static void test_report_tcb_override(void **state)
{
	(void)state;
	cove_snp_emulate_opts o;
	uint8_t raw[COVE_SNP_REPORT_SIZE];
	cove_snp_report r;
	cove_error e = {0};
	cove_snp_emulate_opts_init(&o);
	o.has_tcb = true;
	o.tcb = (cove_snp_tcb){.bootloader = 3, .tee = 0, .snp = 8, .microcode = 115};
	assert_int_equal(cove_platform_snp_emulate(g_plat, &o, raw, &e), COVE_OK);
	assert_int_equal(cove_snp_report_parse(raw, sizeof(raw), &r, &e), COVE_OK);
	const uint64_t low = 0x7308000000000003ull;
	assert_int_equal(r.current_tcb, low);
	assert_int_equal(r.reported_tcb, low);
	assert_int_equal(r.committed_tcb, low);
	assert_int_equal(r.launch_tcb, low);

	/* Signed by a VCEK certified for that TCB, not by the platform's. */
	X509 *v_low = chain_cert(0, &o.tcb), *v_plat = chain_cert(0, NULL);
	cove_snp_vcek_ext ext;
	assert_int_equal(cove_snp_vcek_ext_parse(v_low, &ext, &e), COVE_OK);
	assert_int_equal(ext.bl_spl, 3);
	assert_int_equal(ext.snp_spl, 8);
	assert_int_equal(ext.ucode_spl, 115);
	assert_int_equal(cove_ecdsa_verify_raw(X509_get0_pubkey(v_low), COVE_SHA384, raw, 0x2A0, raw + 0x2A0,
					       raw + 0x2E8, 72, true, &e),
			 COVE_OK);
	assert_int_not_equal(cove_ecdsa_verify_raw(X509_get0_pubkey(v_plat), COVE_SHA384, raw, 0x2A0, raw + 0x2A0,
						   raw + 0x2E8, 72, true, NULL),
			     COVE_OK);
	X509 *ask = chain_cert(1, &o.tcb);
	assert_int_equal(cove_x509_check_pss_signature(v_low, X509_get0_pubkey(ask), COVE_SHA384, 48, &e), COVE_OK);

	/* Kept on disk, private, and the same after reopening. */
	char dir[PATH_MAX + 64], key[PATH_MAX];
	struct stat st;
	snprintf(dir, sizeof(dir), "%s/snp/vcek-tcb/%016llx", g_state, (unsigned long long)low);
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	path_of(key, dir, "vcek.key");
	assert_int_equal(stat(key, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	cove_platform *p = NULL;
	cove_x509_list l = {0};
	assert_int_equal(cove_platform_open(g_state, false, &p, &e), COVE_OK);
	assert_int_equal(cove_platform_snp_chain(p, &o.tcb, &l, &e), COVE_OK);
	assert_int_equal(X509_cmp(l.certs[0], v_low), 0);
	cove_x509_list_free(&l);
	cove_platform_free(p);
	X509_free(ask);
	X509_free(v_low);
	X509_free(v_plat);
}

static void test_report_reported_and_launch_tcb(void **state)
{
	(void)state;
	cove_snp_emulate_opts o;
	uint8_t raw[COVE_SNP_REPORT_SIZE];
	cove_snp_report r;
	cove_error e = {0};
	cove_snp_emulate_opts_init(&o);
	cove_snp_tcb plat = cove_platform_tcb(g_plat);
	o.has_reported_tcb = true;
	o.reported_tcb = plat;
	o.reported_tcb.microcode = 115;
	o.has_launch_tcb = true;
	o.launch_tcb = plat;
	o.launch_tcb.snp = 20;
	assert_int_equal(cove_platform_snp_emulate(g_plat, &o, raw, &e), COVE_OK);
	assert_int_equal(cove_snp_report_parse(raw, sizeof(raw), &r, &e), COVE_OK);
	assert_int_equal(r.current_tcb, 0xD516000000000004ull);
	assert_int_equal(r.committed_tcb, 0xD516000000000004ull);
	assert_int_equal(r.reported_tcb, 0x7316000000000004ull);
	assert_int_equal(r.launch_tcb, 0xD514000000000004ull);
	X509 *v = chain_cert(0, &o.reported_tcb);
	assert_int_equal(cove_ecdsa_verify_raw(X509_get0_pubkey(v), COVE_SHA384, raw, 0x2A0, raw + 0x2A0, raw + 0x2E8, 72,
					       true, &e),
			 COVE_OK);
	X509_free(v);
}

static void test_report_mask_and_migration(void **state)
{
	(void)state;
	cove_snp_emulate_opts o;
	uint8_t raw[COVE_SNP_REPORT_SIZE];
	cove_snp_report r;
	cove_error e = {0};
	cove_snp_emulate_opts_init(&o);
	o.mask_chip_id = true;
	o.policy |= COVE_SNP_POLICY_MIGRATE_MA | COVE_SNP_POLICY_DEBUG | 0x0137; /* ABI 1.55 is the firmware's */
	o.platform_info = COVE_SNP_PLATFORM_SMT_EN | COVE_SNP_PLATFORM_ECC_EN;
	assert_int_equal(cove_platform_snp_emulate(g_plat, &o, raw, &e), COVE_OK);
	assert_int_equal(cove_snp_report_parse(raw, sizeof(raw), &r, &e), COVE_OK);
	assert_true(cove_is_zero(r.chip_id, 64));
	assert_false(r.mask_chip_key); /* MASK_CHIP_KEY would mean no VCEK signature at all */
	assert_int_equal(r.policy, 0xF0137); /* SMT, bit 17, MIGRATE_MA, DEBUG, ABI 1.55 */
	assert_int_equal(r.platform_info, 0x5);
	bool all_ff = true;
	for (int i = 0; i < 32; i++)
		all_ff &= r.report_id_ma[i] == 0xFF;
	assert_false(all_ff); /* a migration agent has its own REPORT_ID */
	X509 *v = chain_cert(0, NULL);
	assert_int_equal(cove_ecdsa_verify_raw(X509_get0_pubkey(v), COVE_SHA384, raw, 0x2A0, raw + 0x2A0, raw + 0x2E8, 72,
					       true, &e),
			 COVE_OK);
	X509_free(v);
}

static void test_emulate_bad_opts(void **state)
{
	(void)state;
	cove_snp_emulate_opts o;
	uint8_t raw[COVE_SNP_REPORT_SIZE];
	cove_error e = {0};
#define BAD(stmt, needle)                                                                          \
	do {                                                                                       \
		cove_snp_emulate_opts_init(&o);                                                    \
		stmt;                                                                              \
		expect_error(cove_platform_snp_emulate(g_plat, &o, raw, &e), &e, COVE_ERR_ARG, needle); \
	} while (0)
	BAD(o.version = 1, "report version 1 cannot be emulated");
	BAD(o.version = 6, "report version 6 cannot be emulated");
	BAD(o.policy |= 1ull << 26, "reserved bits 63:26");
	BAD(o.policy = COVE_SNP_POLICY_SMT, "bit 17 is reserved and must be 1");
	BAD(o.vmpl = 4, "VMPL 4 is out of range");
	BAD(o.platform_info = 1ull << 6, "reserved bits");
	BAD(o.policy = COVE_SNP_POLICY_RESERVED1, "forbids SMT");
	BAD(o.policy |= 0x0138, "requires firmware ABI 1.56");
	BAD(o.policy |= 0x0200, "requires firmware ABI 2.0");
	BAD((o.has_tcb = true, o.tcb = cove_platform_tcb(g_plat), o.tcb.fmc = 1), "only on Turin");
	BAD((o.has_launch_tcb = true, o.launch_tcb.fmc = 2), "launch TCB");
#undef BAD
	/* SMT forbidden by the guest is fine on a platform without SMT. */
	cove_snp_emulate_opts_init(&o);
	o.policy = COVE_SNP_POLICY_RESERVED1;
	o.platform_info = COVE_SNP_PLATFORM_TSME_EN;
	assert_int_equal(cove_platform_snp_emulate(g_plat, &o, raw, &e), COVE_OK);
}

static void test_sign_arbitrary(void **state)
{
	(void)state;
	cove_snp_emulate_opts o;
	uint8_t raw[COVE_SNP_REPORT_SIZE];
	cove_error e = {0};
	cove_snp_emulate_opts_init(&o);
	assert_int_equal(cove_platform_snp_emulate(g_plat, &o, raw, &e), COVE_OK);
	/* A report no firmware would make (reserved policy bit), still validly signed. */
	raw[0x08 + 3] |= 0x80;
	X509 *v = chain_cert(0, NULL);
	expect_error(cove_ecdsa_verify_raw(X509_get0_pubkey(v), COVE_SHA384, raw, 0x2A0, raw + 0x2A0, raw + 0x2E8, 72,
					   true, &e),
		     &e, COVE_ERR_VERIFY, "does not verify");
	assert_int_equal(cove_platform_snp_sign(g_plat, raw, &e), COVE_OK);
	assert_int_equal(cove_ecdsa_verify_raw(X509_get0_pubkey(v), COVE_SHA384, raw, 0x2A0, raw + 0x2A0, raw + 0x2E8, 72,
					       true, &e),
			 COVE_OK);
	cove_snp_report r;
	expect_error(cove_snp_report_parse(raw, sizeof(raw), &r, &e), &e, COVE_ERR_PARSE, "reserved bits 63:26");
	X509_free(v);
}

static void test_cert_table(void **state)
{
	(void)state;
	cove_buf t = {0}, der = {0};
	cove_snp_cert_table table = {0};
	cove_error e = {0};
	cove_x509_list l = {0};
	assert_int_equal(cove_platform_snp_cert_table(g_plat, NULL, &t, &e), COVE_OK);
	assert_int_equal(cove_snp_cert_table_parse(t.data, t.len, &table, &e), COVE_OK);
	assert_int_equal(table.count, 3);
	assert_int_equal(table.entries[0].kind, COVE_SNP_CERT_VCEK);
	assert_int_equal(table.entries[1].kind, COVE_SNP_CERT_ASK);
	assert_int_equal(table.entries[2].kind, COVE_SNP_CERT_ARK);
	assert_int_equal(cove_platform_snp_chain(g_plat, NULL, &l, &e), COVE_OK);
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(cove_x509_der(l.certs[i], &der, &e), COVE_OK);
		assert_int_equal(table.entries[i].len, der.len);
		assert_memory_equal(table.entries[i].data, der.data, der.len);
		cove_buf_free(&der);
	}
	cove_x509_list_free(&l);
	cove_snp_cert_table_free(&table);
	cove_buf_free(&t);
}

static void test_tcb_parse(void **state)
{
	(void)state;
	cove_error e = {0};
	cove_snp_tcb t = {.bootloader = 1, .tee = 2, .snp = 3, .microcode = 4};
	assert_int_equal(cove_platform_tcb_parse("bl=4,tee=0,snp=22,ucode=213", COVE_SNP_MILAN, &t, &e), COVE_OK);
	assert_int_equal(t.bootloader, 4);
	assert_int_equal(t.tee, 0);
	assert_int_equal(t.snp, 22);
	assert_int_equal(t.microcode, 213);
	/* A subset changes only what it names; hex and long names work; "010" is ten, not octal. */
	assert_int_equal(cove_platform_tcb_parse("microcode=0xff,bootloader=010", COVE_SNP_MILAN, &t, &e), COVE_OK);
	assert_int_equal(t.microcode, 255);
	assert_int_equal(t.bootloader, 10);
	assert_int_equal(t.snp, 22);
	assert_int_equal(cove_platform_tcb_parse("fmc=3", COVE_SNP_TURIN, &t, &e), COVE_OK);
	assert_int_equal(t.fmc, 3);

	cove_snp_tcb before = t;
	expect_error(cove_platform_tcb_parse("", COVE_SNP_MILAN, &t, &e), &e, COVE_ERR_ARG, "empty TCB");
	expect_error(cove_platform_tcb_parse("ucode=256", COVE_SNP_MILAN, &t, &e), &e, COVE_ERR_ARG, "0..255");
	expect_error(cove_platform_tcb_parse("ucode=-1", COVE_SNP_MILAN, &t, &e), &e, COVE_ERR_ARG, "0..255");
	expect_error(cove_platform_tcb_parse("ucode=", COVE_SNP_MILAN, &t, &e), &e, COVE_ERR_ARG, "0..255");
	expect_error(cove_platform_tcb_parse("ucode=12x", COVE_SNP_MILAN, &t, &e), &e, COVE_ERR_ARG, "0..255");
	expect_error(cove_platform_tcb_parse("ucode=0x", COVE_SNP_MILAN, &t, &e), &e, COVE_ERR_ARG, "0..255");
	expect_error(cove_platform_tcb_parse("snp=1,,tee=2", COVE_SNP_MILAN, &t, &e), &e, COVE_ERR_ARG, "empty component");
	expect_error(cove_platform_tcb_parse("snp=1,", COVE_SNP_MILAN, &t, &e), &e, COVE_ERR_ARG, "empty component");
	expect_error(cove_platform_tcb_parse("snp", COVE_SNP_MILAN, &t, &e), &e, COVE_ERR_ARG, "not NAME=VALUE");
	expect_error(cove_platform_tcb_parse("pl=1", COVE_SNP_MILAN, &t, &e), &e, COVE_ERR_ARG, "unknown TCB component 'pl'");
	expect_error(cove_platform_tcb_parse("snp=1,snp=2", COVE_SNP_MILAN, &t, &e), &e, COVE_ERR_ARG, "given twice");
	expect_error(cove_platform_tcb_parse("fmc=1", COVE_SNP_MILAN, &t, &e), &e, COVE_ERR_ARG, "only on Turin");
	/* A failed parse leaves the value untouched. */
	expect_error(cove_platform_tcb_parse("bl=9,tee=300", COVE_SNP_MILAN, &t, &e), &e, COVE_ERR_ARG, "tee=300");
	assert_memory_equal(&t, &before, sizeof(t));

	cove_snp_tcb d;
	assert_int_equal(cove_platform_default_tcb(COVE_SNP_GENOA, &d, &e), COVE_OK);
	assert_int_equal(d.bootloader, 10);
	assert_int_equal(d.microcode, 84);
	expect_error(cove_platform_default_tcb(COVE_SNP_PRODUCT_UNKNOWN, &d, &e), &e, COVE_ERR_UNSUPPORTED,
		     "not emulated");
}

static void test_identity_json(void **state)
{
	(void)state;
	json_t *j = cove_platform_to_json(g_plat, cove_time_now());
	cove_snp_root root;
	cove_error e = {0};
	char *ark_fp;
	uint8_t chip[64];
	assert_int_equal(cove_platform_snp_root(g_plat, &root, &e), COVE_OK);
	ark_fp = cove_hex_new(root.ark_spki_sha256, 32);
	assert_true(json_is_true(json_object_get(j, "emulated")));
	assert_string_equal(json_string_value(json_object_get(j, "product")), "Milan");
	assert_string_equal(json_string_value(json_object_get(j, "tcb_raw")), "0xd516000000000004");
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "ark"), "spki_sha256")), ark_fp);
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "ark"), "serial")), "0x10000");
	cove_platform_chip_id(g_plat, chip);
	char *chip_hex = cove_hex_new(chip, 64);
	assert_string_equal(json_string_value(json_object_get(j, "chip_id")), chip_hex);
	assert_non_null(strstr(json_string_value(json_object_get(j, "trust")), "--trust-emulated-root"));
	assert_int_equal(json_array_size(json_object_get(j, "warnings")), 0);
	assert_false(json_is_true(json_object_get(json_object_get(j, "crl"), "stale")));
	json_decref(j);

	/* Two years on, the CRL is stale and said to be. */
	j = cove_platform_to_json(g_plat, cove_time_now() + 2 * 365 * 86400LL);
	assert_true(json_is_true(json_object_get(json_object_get(j, "crl"), "stale")));
	assert_int_equal(json_array_size(json_object_get(j, "warnings")), 1);
	assert_non_null(strstr(json_string_value(json_array_get(json_object_get(j, "warnings"), 0)), "CRL is stale"));
	json_decref(j);
	/* Eight years on, the VCEK has expired too. */
	j = cove_platform_to_json(g_plat, cove_time_now() + 8 * 366 * 86400LL);
	assert_int_equal(json_array_size(json_object_get(j, "warnings")), 2);
	assert_non_null(strstr(json_string_value(json_array_get(json_object_get(j, "warnings"), 0)), "vcek"));
	json_decref(j);
	free(ark_fp);
	free(chip_hex);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_files_and_modes),
		cmocka_unit_test(test_reopen_same_identity),
		cmocka_unit_test(test_init_existing_without_force),
		cmocka_unit_test(test_open_missing),
		cmocka_unit_test(test_insecure_state_dir),
		cmocka_unit_test(test_damaged_platform),
		cmocka_unit_test(test_default_dir),
		cmocka_unit_test(test_chain_signatures),
		cmocka_unit_test(test_chain_shapes),
		cmocka_unit_test(test_vcek_extensions),
		cmocka_unit_test(test_turin_vcek_shape),
		cmocka_unit_test(test_root_pins),
		cmocka_unit_test(test_crl),
		cmocka_unit_test(test_crl_refresh),
		cmocka_unit_test(test_report_fields),
		cmocka_unit_test(test_report_signature_and_flips),
		cmocka_unit_test(test_report_versions),
		cmocka_unit_test(test_report_tcb_override),
		cmocka_unit_test(test_report_reported_and_launch_tcb),
		cmocka_unit_test(test_report_mask_and_migration),
		cmocka_unit_test(test_emulate_bad_opts),
		cmocka_unit_test(test_sign_arbitrary),
		cmocka_unit_test(test_cert_table),
		cmocka_unit_test(test_tcb_parse),
		cmocka_unit_test(test_identity_json),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
