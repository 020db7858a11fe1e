/*
 * SGX REPORT / TARGETINFO / KEYREQUEST layouts and EGETKEY-style derivation:
 * byte offsets against shared/research/sgx-tdx.md section b (literal numbers,
 * not the implementation's macros), the genuine REPORTBODY of a DCAP sample
 * re-encoded byte for byte, a known-answer derivation recomputed here with
 * OpenSSL from the documented derivation string, sensitivity of the key to
 * every identity field and policy bit, the SVN rules, and local attestation
 * between two identities with every report byte flipped.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "cove/bytes.h"
#include "cove/sgx_report.h"
#include "testutil.h"

static uint8_t root[32];

static int setup(void **state)
{
	(void)state;
	for (int i = 0; i < 32; i++)
		root[i] = (uint8_t)(0xA0 + i);
	return 0;
}

static void identity(cove_sgx_identity *id, uint8_t seed)
{
	memset(id, 0, sizeof(*id));
	memset(id->mr_enclave, seed, 32);
	memset(id->mr_signer, (uint8_t)(seed + 1), 32);
	id->isv_prod_id = 7;
	id->isv_svn = 5;
	for (int i = 0; i < 16; i++)
		id->cpu_svn[i] = (uint8_t)(3 + i);
	id->attr_flags = COVE_SGX_FLAGS_INIT | COVE_SGX_FLAGS_MODE64BIT | COVE_SGX_FLAGS_KSS;
	id->attr_xfrm = 0xE7;
	id->misc_select = 0x10000001u;
	memset(id->config_id, 0xC1, 64);
	id->config_svn = 2;
	memset(id->isv_family_id, 0xF1, 16);
	memset(id->isv_ext_prod_id, 0xE1, 16);
}

static void seal_request(const cove_sgx_identity *id, uint16_t policy, cove_sgx_keyrequest *r)
{
	memset(r, 0, sizeof(*r));
	r->key_name = COVE_SGX_KEY_SEAL;
	r->key_policy = policy;
	r->isv_svn = id->isv_svn;
	r->config_svn = id->config_svn;
	memcpy(r->cpu_svn, id->cpu_svn, 16);
	r->attr_mask_flags = COVE_SGX_SEAL_ATTR_MASK_FLAGS;
	r->attr_mask_xfrm = COVE_SGX_SEAL_ATTR_MASK_XFRM;
	r->misc_mask = COVE_SGX_SEAL_MISC_MASK;
	for (int i = 0; i < 32; i++)
		r->key_id[i] = (uint8_t)(0x40 + i);
}

static void derive_ok(const cove_sgx_identity *id, const cove_sgx_keyrequest *r, uint8_t key[16])
{
	cove_error e = {0};
	if (cove_sgx_derive_key(root, id, r, key, &e) != COVE_OK)
		fail_msg("derive: %s", e.msg);
}

static void test_targetinfo_layout(void **state)
{
	(void)state;
	cove_sgx_identity id;
	cove_sgx_targetinfo ti, back;
	uint8_t raw[512];
	cove_error e = {0};
	identity(&id, 0x11);
	cove_sgx_targetinfo_init(&id, &ti);
	cove_sgx_targetinfo_encode(&ti, raw);
	assert_memory_equal(raw + 0, id.mr_enclave, 32);
	assert_int_equal(cove_le64(raw + 32), id.attr_flags);
	assert_int_equal(cove_le64(raw + 40), 0xE7);
	assert_int_equal(cove_le16(raw + 50), 2);
	assert_int_equal(cove_le32(raw + 52), 0x10000001u);
	assert_memory_equal(raw + 64, id.config_id, 64);
	assert_true(cove_is_zero(raw + 48, 2) && cove_is_zero(raw + 56, 8) && cove_is_zero(raw + 128, 384));
	assert_int_equal(cove_sgx_targetinfo_parse(raw, sizeof(raw), &back, &e), COVE_OK);
	assert_memory_equal(&back, &ti, sizeof(ti));
	assert_int_equal(cove_sgx_targetinfo_parse(raw, 511, &back, &e), COVE_ERR_PARSE);
	assert_non_null(strstr(e.msg, "511 bytes"));
	raw[300] = 1;
	assert_int_equal(cove_sgx_targetinfo_parse(raw, sizeof(raw), &back, &e), COVE_ERR_PARSE);
	assert_non_null(strstr(e.msg, "offset 300"));
}

static void test_keyrequest_layout(void **state)
{
	(void)state;
	cove_sgx_identity id;
	cove_sgx_keyrequest r, back;
	uint8_t raw[512];
	cove_error e = {0};
	identity(&id, 0x11);
	seal_request(&id, COVE_SGX_KEYPOLICY_MRSIGNER | COVE_SGX_KEYPOLICY_CONFIGID, &r);
	cove_sgx_keyrequest_encode(&r, raw);
	assert_int_equal(cove_le16(raw + 0), 4);
	assert_int_equal(cove_le16(raw + 2), 0x000A);
	assert_int_equal(cove_le16(raw + 4), 5);
	assert_memory_equal(raw + 8, id.cpu_svn, 16);
	assert_int_equal(cove_le64(raw + 24), 0xFF0000000000000Bull);
	assert_int_equal(cove_le64(raw + 32), 0);
	assert_memory_equal(raw + 40, r.key_id, 32);
	assert_int_equal(cove_le32(raw + 72), 0xF0000000u);
	assert_int_equal(cove_le16(raw + 76), 2);
	assert_true(cove_is_zero(raw + 6, 2) && cove_is_zero(raw + 78, 434));
	assert_int_equal(cove_sgx_keyrequest_parse(raw, sizeof(raw), &back, &e), COVE_OK);
	assert_memory_equal(&back, &r, sizeof(r));
	raw[7] = 0x80;
	assert_int_equal(cove_sgx_keyrequest_parse(raw, sizeof(raw), &back, &e), COVE_ERR_PARSE);
	assert_non_null(strstr(e.msg, "offset 7"));
	assert_int_equal(cove_sgx_keyrequest_parse(raw, 513, &back, &e), COVE_ERR_PARSE);
}

/* A genuine REPORTBODY (the phala SGX quote, body at offset 48) parses and re-encodes byte for byte. */
static void test_genuine_body_roundtrip(void **state)
{
	(void)state;
	cove_buf b = {0};
	cove_sgx_report_body body;
	cove_sgx_report r;
	uint8_t out[384], rep[432];
	cove_error e = {0};
	cove_test_read_shared("vectors/sgx/phala-dcap-qvl/sgx_quote", &b);
	assert_true(b.len >= 48 + 384);
	cove_sgx_report_body_parse(b.data + 48, &body);
	cove_sgx_report_body_encode(&body, out);
	assert_memory_equal(out, b.data + 48, 384);
	memset(rep, 0, sizeof(rep));
	memcpy(rep, b.data + 48, 384);
	assert_int_equal(cove_sgx_report_parse(rep, sizeof(rep), &r, &e), COVE_OK);
	assert_int_equal(r.body.attr_xfrm, 0xE7);
	cove_buf_free(&b);
}

/* The SEAL key recomputed independently: AES-256-CMAC(root, derivation string of docs/sealing.md). */
static void test_derive_known_answer(void **state)
{
	(void)state;
	cove_sgx_identity id;
	cove_sgx_keyrequest r;
	uint8_t key[16], d[280], want[16];
	size_t n = 0;
	identity(&id, 0x11);
	id.attr_flags |= COVE_SGX_FLAGS_DEBUG;
	seal_request(&id, COVE_SGX_KEYPOLICY_MRSIGNER, &r);
	r.isv_svn = 4;
	derive_ok(&id, &r, key);

	memset(d, 0, sizeof(d));
	memcpy(d, "cove-sgx-egetkey", 16);
	cove_put_le16(d + 16, 4);      /* SEAL */
	cove_put_le16(d + 18, 2);      /* MRSIGNER */
	cove_put_le16(d + 20, 4);      /* requested ISVSVN */
	cove_put_le16(d + 22, 2);      /* CONFIGSVN */
	cove_put_le16(d + 24, 7);      /* ISVPRODID */
	cove_put_le32(d + 28, 0x10000000u);
	cove_put_le32(d + 32, 0xF0000000u);
	memcpy(d + 40, id.cpu_svn, 16);
	cove_put_le64(d + 56, COVE_SGX_FLAGS_INIT | COVE_SGX_FLAGS_DEBUG); /* & 0xFF..0B */
	cove_put_le64(d + 72, 0xFF0000000000000Bull);
	memcpy(d + 120, id.mr_signer, 32);
	memcpy(d + 152, r.key_id, 32);
	assert_non_null(EVP_Q_mac(NULL, "CMAC", NULL, "AES-256-CBC", NULL, root, 32, d, sizeof(d), want, 16, &n));
	assert_int_equal(n, 16);
	assert_memory_equal(key, want, 16);

	uint8_t again[16];
	derive_ok(&id, &r, again);
	assert_memory_equal(key, again, 16);
}

/* Which identity field enters the key under which policy bit. */
enum field { F_MRENCLAVE, F_MRSIGNER, F_PRODID, F_CONFIGID, F_FAMILY, F_EXTPROD, F_ISVSVN, F_CPUSVN, F_NFIELDS };

static void mutate(cove_sgx_identity *id, enum field f)
{
	switch (f) {
	case F_MRENCLAVE: id->mr_enclave[31] ^= 1; break;
	case F_MRSIGNER: id->mr_signer[0] ^= 1; break;
	case F_PRODID: id->isv_prod_id++; break;
	case F_CONFIGID: id->config_id[63] ^= 1; break;
	case F_FAMILY: id->isv_family_id[5] ^= 1; break;
	case F_EXTPROD: id->isv_ext_prod_id[9] ^= 1; break;
	case F_ISVSVN: id->isv_svn++; break;  /* a newer enclave: the request still names the old SVN */
	case F_CPUSVN: id->cpu_svn[4]++; break;
	default: break;
	}
}

static bool selected(enum field f, uint16_t p)
{
	switch (f) {
	case F_MRENCLAVE: return p & COVE_SGX_KEYPOLICY_MRENCLAVE;
	case F_MRSIGNER: return p & COVE_SGX_KEYPOLICY_MRSIGNER;
	case F_PRODID: return !(p & COVE_SGX_KEYPOLICY_NOISVPRODID);
	case F_CONFIGID: return p & COVE_SGX_KEYPOLICY_CONFIGID;
	case F_FAMILY: return p & COVE_SGX_KEYPOLICY_ISVFAMILYID;
	case F_EXTPROD: return p & COVE_SGX_KEYPOLICY_ISVEXTPRODID;
	default: return false; /* SVNs enter through the request, not the current identity */
	}
}

static void test_derive_sensitivity(void **state)
{
	(void)state;
	cove_sgx_identity id, m;
	cove_sgx_keyrequest r;
	uint8_t base[16], key[16];
	/* Every policy (all 64 combinations of the six bits) against every field. */
	for (uint16_t p = 0; p <= COVE_SGX_KEYPOLICY_VALID; p++) {
		identity(&id, 0x11);
		seal_request(&id, p, &r);
		derive_ok(&id, &r, base);
		for (int f = 0; f < F_NFIELDS; f++) {
			m = id;
			mutate(&m, (enum field)f);
			derive_ok(&m, &r, key);
			if (selected((enum field)f, p) != (memcmp(base, key, 16) != 0))
				fail_msg("policy 0x%02x field %d: key %s", p, f,
					 selected((enum field)f, p) ? "did not change" : "changed");
		}
		/* Each policy bit is itself part of the key. */
		for (int bit = 0; bit < 6; bit++) {
			cove_sgx_keyrequest r2 = r;
			r2.key_policy = (uint16_t)(p ^ (1u << bit));
			derive_ok(&id, &r2, key);
			assert_memory_not_equal(base, key, 16);
		}
	}
	/* Masks: a flag outside ATTRIBUTEMASK does not matter, DEBUG (inside) does; same for MISCMASK. */
	identity(&id, 0x11);
	seal_request(&id, COVE_SGX_KEYPOLICY_MRSIGNER, &r);
	derive_ok(&id, &r, base);
	m = id;
	m.attr_flags |= COVE_SGX_FLAGS_PROVISION_KEY;
	m.attr_xfrm = 0x3;
	m.misc_select ^= 0x1;
	derive_ok(&m, &r, key);
	assert_memory_equal(base, key, 16);
	m = id;
	m.attr_flags |= COVE_SGX_FLAGS_DEBUG;
	derive_ok(&m, &r, key);
	assert_memory_not_equal(base, key, 16);
	m = id;
	m.misc_select ^= 0x10000000u;
	derive_ok(&m, &r, key);
	assert_memory_not_equal(base, key, 16);
	/* Request fields: KEYID, masks, the (lower) SVNs, KEYNAME and the root secret. */
	cove_sgx_keyrequest r2 = r;
	r2.key_id[17] ^= 1;
	derive_ok(&id, &r2, key);
	assert_memory_not_equal(base, key, 16);
	r2 = r;
	r2.attr_mask_xfrm = 0x3;
	derive_ok(&id, &r2, key);
	assert_memory_not_equal(base, key, 16);
	r2 = r;
	r2.misc_mask = 0xFFFFFFFFu;
	derive_ok(&id, &r2, key);
	assert_memory_not_equal(base, key, 16);
	r2 = r;
	r2.config_svn = 1;
	derive_ok(&id, &r2, key);
	assert_memory_not_equal(base, key, 16);
	r2 = r;
	r2.cpu_svn[15]--;
	derive_ok(&id, &r2, key);
	assert_memory_not_equal(base, key, 16);
	r2 = r;
	r2.key_name = COVE_SGX_KEY_REPORT;
	derive_ok(&id, &r2, key);
	assert_memory_not_equal(base, key, 16);
	root[0] ^= 1;
	derive_ok(&id, &r, key);
	root[0] ^= 1;
	assert_memory_not_equal(base, key, 16);
}

/* SVN matrix: lower or equal requests are served (each with its own key), higher ones refused. */
static void test_svn_rules(void **state)
{
	(void)state;
	cove_sgx_identity id;
	cove_sgx_keyrequest r;
	uint8_t k[3][16], key[16];
	cove_error e = {0};
	identity(&id, 0x11);
	for (int svn = 3; svn <= 6; svn++) {
		seal_request(&id, COVE_SGX_KEYPOLICY_MRSIGNER, &r);
		r.isv_svn = (uint16_t)svn;
		cove_err rc = cove_sgx_derive_key(root, &id, &r, svn <= 5 ? k[svn - 3] : key, &e);
		if (svn <= 5) {
			assert_int_equal(rc, COVE_OK);
		} else {
			assert_int_equal(rc, COVE_ERR_POLICY);
			assert_non_null(strstr(e.msg, "INVALID_ISVSVN"));
			assert_true(cove_is_zero(key, 16));
		}
	}
	assert_memory_not_equal(k[0], k[1], 16);
	assert_memory_not_equal(k[1], k[2], 16);

	seal_request(&id, COVE_SGX_KEYPOLICY_MRSIGNER, &r);
	r.config_svn = 3;
	assert_int_equal(cove_sgx_derive_key(root, &id, &r, key, &e), COVE_ERR_POLICY);
	assert_non_null(strstr(e.msg, "CONFIGSVN 3"));
	for (int i = 0; i < 16; i++) {
		seal_request(&id, COVE_SGX_KEYPOLICY_MRSIGNER, &r);
		r.cpu_svn[i]++;
		assert_int_equal(cove_sgx_derive_key(root, &id, &r, key, &e), COVE_ERR_POLICY);
		assert_non_null(strstr(e.msg, "INVALID_CPUSVN"));
	}
	/* Upgrade: an enclave at SVN 6 on a newer CPU still derives the key its SVN-5 self used. */
	seal_request(&id, COVE_SGX_KEYPOLICY_MRSIGNER, &r);
	derive_ok(&id, &r, k[0]);
	cove_sgx_identity up = id;
	up.isv_svn = 6;
	up.cpu_svn[0]++;
	up.config_svn = 9;
	derive_ok(&up, &r, key);
	assert_memory_equal(k[0], key, 16);
}

static void test_derive_refusals(void **state)
{
	(void)state;
	cove_sgx_identity id;
	cove_sgx_keyrequest r;
	uint8_t key[16];
	cove_error e = {0};
	identity(&id, 0x11);
	seal_request(&id, 0x40 | COVE_SGX_KEYPOLICY_MRSIGNER, &r);
	assert_int_equal(cove_sgx_derive_key(root, &id, &r, key, &e), COVE_ERR_ARG);
	assert_non_null(strstr(e.msg, "reserved bits"));
	id.attr_flags &= ~COVE_SGX_FLAGS_KSS;
	seal_request(&id, COVE_SGX_KEYPOLICY_MRSIGNER | COVE_SGX_KEYPOLICY_CONFIGID, &r);
	assert_int_equal(cove_sgx_derive_key(root, &id, &r, key, &e), COVE_ERR_ARG);
	assert_non_null(strstr(e.msg, "KSS"));
	r.key_policy = COVE_SGX_KEYPOLICY_MRSIGNER;
	r.key_name = COVE_SGX_KEY_EINITTOKEN;
	assert_int_equal(cove_sgx_derive_key(root, &id, &r, key, &e), COVE_ERR_UNSUPPORTED);
	r.key_name = 9;
	assert_int_equal(cove_sgx_derive_key(root, &id, &r, key, &e), COVE_ERR_ARG);
	assert_non_null(strstr(e.msg, "KEYNAME 9"));
	r.key_name = COVE_SGX_KEY_PROVISION;
	assert_int_equal(cove_sgx_derive_key(root, &id, &r, key, &e), COVE_ERR_POLICY);
	assert_non_null(strstr(e.msg, "PROVISIONKEY"));
	/* With the attribute: PROVISION keys ignore MRENCLAVE and KEYID, follow MRSIGNER, differ by name. */
	uint8_t p1[16], p2[16], ps[16];
	id.attr_flags |= COVE_SGX_FLAGS_PROVISION_KEY;
	derive_ok(&id, &r, p1);
	cove_sgx_identity m = id;
	m.mr_enclave[0] ^= 1;
	cove_sgx_keyrequest r2 = r;
	r2.key_id[0] ^= 1;
	derive_ok(&m, &r2, p2);
	assert_memory_equal(p1, p2, 16);
	m.mr_signer[0] ^= 1;
	derive_ok(&m, &r2, p2);
	assert_memory_not_equal(p1, p2, 16);
	r2 = r;
	r2.key_name = COVE_SGX_KEY_PROVISION_SEAL;
	derive_ok(&id, &r2, ps);
	assert_memory_not_equal(p1, ps, 16);
	assert_int_equal(cove_sgx_derive_key(root, &id, NULL, key, &e), COVE_ERR_ARG);
}

/* REPORT keys: bound to what a TARGETINFO names (plus CPUSVN and KEYID), never to signer, product or SVN. */
static void test_report_key_sensitivity(void **state)
{
	(void)state;
	cove_sgx_identity id, m;
	cove_sgx_keyrequest r, junk;
	uint8_t base[16], key[16];
	identity(&id, 0x11);
	memset(&r, 0, sizeof(r));
	r.key_name = COVE_SGX_KEY_REPORT;
	memset(r.key_id, 0x5C, 32);
	derive_ok(&id, &r, base);
	/* Request fields other than KEYID are ignored, even SVNs above the current ones. */
	seal_request(&id, COVE_SGX_KEYPOLICY_MRENCLAVE, &junk);
	junk.key_name = COVE_SGX_KEY_REPORT;
	memcpy(junk.key_id, r.key_id, 32);
	junk.isv_svn = 999;
	derive_ok(&id, &junk, key);
	assert_memory_equal(base, key, 16);
	struct { const char *what; size_t off; size_t size; bool bound; } f[] = {
		{"mr_enclave", offsetof(cove_sgx_identity, mr_enclave), 32, true},
		{"mr_signer", offsetof(cove_sgx_identity, mr_signer), 32, false},
		{"isv_prod_id", offsetof(cove_sgx_identity, isv_prod_id), 2, false},
		{"isv_svn", offsetof(cove_sgx_identity, isv_svn), 2, false},
		{"cpu_svn", offsetof(cove_sgx_identity, cpu_svn), 16, true},
		{"attr_flags", offsetof(cove_sgx_identity, attr_flags), 8, true},
		{"attr_xfrm", offsetof(cove_sgx_identity, attr_xfrm), 8, true},
		{"misc_select", offsetof(cove_sgx_identity, misc_select), 4, true},
		{"config_id", offsetof(cove_sgx_identity, config_id), 64, true},
		{"config_svn", offsetof(cove_sgx_identity, config_svn), 2, true},
		{"isv_family_id", offsetof(cove_sgx_identity, isv_family_id), 16, false},
		{"isv_ext_prod_id", offsetof(cove_sgx_identity, isv_ext_prod_id), 16, false},
	};
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		for (size_t b = 0; b < f[i].size; b++) {
			m = id;
			((uint8_t *)&m)[f[i].off + b] ^= 0x40;
			derive_ok(&m, &r, key);
			if (f[i].bound != (memcmp(base, key, 16) != 0))
				fail_msg("REPORT key, %s byte %zu: key %s", f[i].what, b,
					 f[i].bound ? "did not change" : "changed");
		}
	}
	r.key_id[31] ^= 1;
	derive_ok(&id, &r, key);
	assert_memory_not_equal(base, key, 16);
}

/* Local attestation: A reports to B; only B (on the same platform) verifies it. */
static void test_local_attestation(void **state)
{
	(void)state;
	cove_sgx_identity a, b, c;
	cove_sgx_targetinfo ti_b;
	uint8_t ti_raw[512], rd[64], rep[432], rep2[432];
	cove_sgx_report r;
	cove_error e = {0};
	identity(&a, 0x11);
	identity(&b, 0x22);
	b.attr_flags |= COVE_SGX_FLAGS_DEBUG;
	for (int i = 0; i < 64; i++)
		rd[i] = (uint8_t)i;
	/* B's TARGETINFO travels as bytes. */
	cove_sgx_targetinfo_init(&b, &ti_b);
	cove_sgx_targetinfo_encode(&ti_b, ti_raw);
	assert_int_equal(cove_sgx_targetinfo_parse(ti_raw, sizeof(ti_raw), &ti_b, &e), COVE_OK);
	assert_int_equal(cove_sgx_report_create(root, &a, &ti_b, rd, rep, &e), COVE_OK);
	/* Layout: body fields of A at their offsets, KEYID@384, MAC@416. */
	assert_memory_equal(rep + 0, a.cpu_svn, 16);
	assert_int_equal(cove_le32(rep + 16), a.misc_select);
	assert_memory_equal(rep + 32, a.isv_ext_prod_id, 16);
	assert_int_equal(cove_le64(rep + 48), a.attr_flags);
	assert_memory_equal(rep + 64, a.mr_enclave, 32);
	assert_memory_equal(rep + 128, a.mr_signer, 32);
	assert_memory_equal(rep + 192, a.config_id, 64);
	assert_int_equal(cove_le16(rep + 256), 7);
	assert_int_equal(cove_le16(rep + 258), 5);
	assert_int_equal(cove_le16(rep + 260), 2);
	assert_memory_equal(rep + 304, a.isv_family_id, 16);
	assert_memory_equal(rep + 320, rd, 64);
	assert_false(cove_is_zero(rep + 384, 32));

	/* The MAC is AES-128-CMAC over the body with B's REPORT key for this KEYID. */
	cove_sgx_keyrequest kr;
	uint8_t kb[16], mac[16];
	size_t n = 0;
	memset(&kr, 0, sizeof(kr));
	kr.key_name = COVE_SGX_KEY_REPORT;
	memcpy(kr.key_id, rep + 384, 32);
	derive_ok(&b, &kr, kb);
	assert_non_null(EVP_Q_mac(NULL, "CMAC", NULL, "AES-128-CBC", NULL, kb, 16, rep, 384, mac, 16, &n));
	assert_memory_equal(rep + 416, mac, 16);

	assert_int_equal(cove_sgx_report_verify(root, &b, rep, sizeof(rep), &r, &e), COVE_OK);
	assert_memory_equal(r.body.mr_enclave, a.mr_enclave, 32);
	assert_memory_equal(r.body.report_data, rd, 64);
	assert_int_equal(r.body.isv_svn, 5);
	/* A itself, a third enclave, B with another MRSIGNER/SVN (not in the REPORT key) and another platform. */
	assert_int_equal(cove_sgx_report_verify(root, &a, rep, sizeof(rep), NULL, &e), COVE_ERR_VERIFY);
	assert_non_null(strstr(e.msg, "MAC mismatch"));
	identity(&c, 0x33);
	assert_int_equal(cove_sgx_report_verify(root, &c, rep, sizeof(rep), NULL, &e), COVE_ERR_VERIFY);
	c = b;
	c.mr_signer[3] ^= 1;
	c.isv_svn = 1;
	assert_int_equal(cove_sgx_report_verify(root, &c, rep, sizeof(rep), NULL, &e), COVE_OK);
	c = b;
	c.attr_flags &= ~COVE_SGX_FLAGS_DEBUG;
	assert_int_equal(cove_sgx_report_verify(root, &c, rep, sizeof(rep), NULL, &e), COVE_ERR_VERIFY);
	c = b;
	c.cpu_svn[0]++;
	assert_int_equal(cove_sgx_report_verify(root, &c, rep, sizeof(rep), NULL, &e), COVE_ERR_VERIFY);
	root[31] ^= 1;
	assert_int_equal(cove_sgx_report_verify(root, &b, rep, sizeof(rep), NULL, &e), COVE_ERR_VERIFY);
	root[31] ^= 1;
	/* Fresh KEYID per report. */
	assert_int_equal(cove_sgx_report_create(root, &a, &ti_b, rd, rep2, &e), COVE_OK);
	assert_memory_not_equal(rep + 384, rep2 + 384, 32);
	assert_memory_not_equal(rep + 416, rep2 + 416, 16);
	/* Every single-bit flip of every byte is refused. */
	for (size_t i = 0; i < sizeof(rep); i++) {
		for (int bit = 0; bit < 8; bit++) {
			memcpy(rep2, rep, sizeof(rep));
			rep2[i] ^= (uint8_t)(1u << bit);
			cove_err rc = cove_sgx_report_verify(root, &b, rep2, sizeof(rep2), NULL, &e);
			if (rc != COVE_ERR_VERIFY && rc != COVE_ERR_PARSE)
				fail_msg("flip of byte %zu bit %d: %s", i, bit, cove_err_name(rc));
		}
	}
	assert_int_equal(cove_sgx_report_verify(root, &b, rep, 431, NULL, &e), COVE_ERR_PARSE);
	assert_non_null(strstr(e.msg, "431 bytes"));
	assert_int_equal(cove_sgx_report_create(root, &a, NULL, rd, rep2, &e), COVE_ERR_ARG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_targetinfo_layout),
		cmocka_unit_test(test_keyrequest_layout),
		cmocka_unit_test(test_genuine_body_roundtrip),
		cmocka_unit_test(test_derive_known_answer),
		cmocka_unit_test(test_derive_sensitivity),
		cmocka_unit_test(test_svn_rules),
		cmocka_unit_test(test_derive_refusals),
		cmocka_unit_test(test_report_key_sensitivity),
		cmocka_unit_test(test_local_attestation),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
