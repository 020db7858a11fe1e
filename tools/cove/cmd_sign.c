/*
 * `cove sign`: sign an enclave image (put a SIGSTRUCT over its MRENCLAVE in
 * its .cove_sigstruct section) and `cove sign --dump`: show an image's
 * configuration, layout, measurement and SIGSTRUCT.  All ELF and SIGSTRUCT
 * parsing is libcove's (include/cove/enclave_image.h, docs/enclave-image.md).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cove/enclave_image.h"
#include "cove/sigstruct.h"

#define IMAGE_MAX_BYTES ((size_t)1 << 30)

static const char usage[] =
	"Usage: cove sign -k KEY.pem [-o OUT] [--no-debug] [--date YYYYMMDD] [--json] IMAGE\n"
	"       cove sign --dump [--json] IMAGE\n"
	"\n"
	"Sign an enclave image built with cove_add_enclave(): measure it as the loader\n"
	"will (MRENCLAVE over its segments, heap, stacks, TCS and SSA pages), then write\n"
	"a copy whose .cove_sigstruct section holds a SIGSTRUCT signed with KEY (RSA-3072,\n"
	"e = 3; see `cove keygen`).  ISVPRODID and ISVSVN come from the image's\n"
	"configuration; debug launches are allowed when the configuration says so,\n"
	"unless --no-debug.  Prints MRENCLAVE and MRSIGNER.\n"
	"\n"
	"--dump prints the configuration, the layout regions, the measured MRENCLAVE\n"
	"and the SIGSTRUCT fields, and exits 0 only when the image is signed, the\n"
	"signature verifies and ENCLAVEHASH equals the measured MRENCLAVE (1 otherwise).\n"
	"\n"
	"Options:\n"
	"  -k, --key FILE    signing key (PEM)\n"
	"  -o, --out FILE    signed image (default: IMAGE with .so replaced by .signed.so)\n"
	"  --no-debug        refuse debug launches even if the configuration allows them\n"
	"  --date YYYYMMDD   SIGSTRUCT DATE (default: today, UTC)\n"
	"  --dump            inspect IMAGE instead of signing it\n"
	"  --json            machine-readable output\n"
	"  -h, --help        this text\n";

enum { OPT_KEY = 'k', OPT_OUT = 'o', OPT_NO_DEBUG = 256, OPT_DATE, OPT_DUMP, OPT_JSON, OPT_HELP };

static const struct option options[] = {
	{"key", required_argument, NULL, OPT_KEY},
	{"out", required_argument, NULL, OPT_OUT},
	{"no-debug", no_argument, NULL, OPT_NO_DEBUG},
	{"date", required_argument, NULL, OPT_DATE},
	{"dump", no_argument, NULL, OPT_DUMP},
	{"json", no_argument, NULL, OPT_JSON},
	{"help", no_argument, NULL, OPT_HELP},
	{0},
};

/* YYYYMMDD (a plausible calendar date) to BCD 0xYYYYMMDD. */
static bool parse_date(const char *s, uint32_t *out)
{
	uint32_t v = 0;
	if (strlen(s) != 8)
		return false;
	for (int i = 0; i < 8; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v << 4 | (uint32_t)(s[i] - '0');
	}
	unsigned month = (v >> 12 & 0xF) * 10 + (v >> 8 & 0xF), day = (v >> 4 & 0xF) * 10 + (v & 0xF);
	if (month < 1 || month > 12 || day < 1 || day > 31)
		return false;
	*out = v;
	return true;
}

static char *default_out(const char *image)
{
	size_t n = strlen(image);
	bool so = n > 3 && strcmp(image + n - 3, ".so") == 0;
	size_t stem = so ? n - 3 : n;
	char *out = malloc(stem + sizeof(".signed.so"));
	if (out) {
		memcpy(out, image, stem);
		memcpy(out + stem, ".signed.so", sizeof(".signed.so"));
	}
	return out;
}

static const char *kind_name(cove_enclave_region_kind k)
{
	switch (k) {
	case COVE_ENCLAVE_REGION_IMAGE: return "image";
	case COVE_ENCLAVE_REGION_HEAP: return "heap";
	case COVE_ENCLAVE_REGION_STACK: return "stack";
	case COVE_ENCLAVE_REGION_TCS: return "tcs";
	case COVE_ENCLAVE_REGION_SSA: return "ssa";
	}
	return "?";
}

static void perms(uint32_t secinfo, char out[8])
{
	out[0] = secinfo & COVE_SECINFO_R ? 'r' : '-';
	out[1] = secinfo & COVE_SECINFO_W ? 'w' : '-';
	out[2] = secinfo & COVE_SECINFO_X ? 'x' : '-';
	out[3] = 0;
	if ((secinfo & 0xFF00) == COVE_SECINFO_PT_TCS)
		strcpy(out, "tcs");
}

static int do_sign(const char *image, const char *key_path, const char *out_path, bool no_debug, uint32_t date,
		   bool json)
{
	cove_error e = {0};
	cove_buf in = {0};
	cove_pkey *key = NULL;
	uint8_t *signed_data = NULL, mr[32], signer[32];
	size_t signed_len = 0;
	char *def_out = NULL, mr_hex[65], signer_hex[65];
	cove_enclave_sign_opts o = {.date = date, .force_no_debug = no_debug};
	cove_enclave_image *img = NULL;
	cove_sigstruct s;
	int rc = COVE_EXIT_OK;

	if (!out_path) {
		def_out = default_out(image);
		if (!def_out) {
			cove_error_set(&e, COVE_ERR_NOMEM, "out of memory");
			goto fail;
		}
		out_path = def_out;
	}
	if (cove_cli_read(image, IMAGE_MAX_BYTES, &in, &e) || cove_pkey_load_pem(key_path, &key, &e) ||
	    cove_enclave_image_sign(in.data, in.len, key, &o, &signed_data, &signed_len, mr, &e) ||
	    cove_sigstruct_key_mrsigner(key, signer, &e))
		goto fail;
	/* Read back what was written, as the loader will: it must parse and check. */
	if (cove_enclave_image_parse(signed_data, signed_len, &img, &e) ||
	    cove_enclave_image_check(img, false, &s, NULL, NULL, NULL, &e) ||
	    cove_file_write(out_path, signed_data, signed_len, 0755, &e))
		goto fail;
	cove_hex_write(mr_hex, mr, 32);
	cove_hex_write(signer_hex, signer, 32);
	bool debug = !(s.f.attr_mask_flags & COVE_SGX_ATTR_DEBUG);
	char date_text[9];
	snprintf(date_text, sizeof(date_text), "%08x", s.f.date);
	if (json) {
		cove_cli_print_json(json_pack("{s:s, s:s, s:s, s:s, s:b, s:i, s:i, s:s}", "image", image, "output",
					      out_path, "mrenclave", mr_hex, "mrsigner", signer_hex, "debug", debug,
					      "isv_prod_id", s.f.isv_prod_id, "isv_svn", s.f.isv_svn, "date", date_text));
	} else {
		printf("Signed enclave written to %s\n", out_path);
		printf("MRENCLAVE %s\n", mr_hex);
		printf("MRSIGNER %s\n", signer_hex);
		printf("ISVPRODID %u ISVSVN %u debug %s\n", s.f.isv_prod_id, s.f.isv_svn, debug ? "allowed" : "refused");
	}
	goto out;
fail:
	rc = cove_cli_fail(&e);
out:
	cove_enclave_image_free(img);
	free(signed_data);
	free(def_out);
	cove_pkey_free(key);
	cove_buf_free(&in);
	return rc;
}

static json_t *config_json(const cove_enclave_config *c)
{
	return json_pack("{s:I, s:I, s:i, s:i, s:i, s:i, s:b}", "heap_size", (json_int_t)c->heap_size, "stack_size",
			 (json_int_t)c->stack_size, "tcs_count", (int)c->tcs_count, "switchless_workers",
			 (int)c->switchless_workers, "isv_prod_id", c->isv_prod_id, "isv_svn", c->isv_svn, "debug",
			 (c->flags & COVE_ENCLAVE_CONFIG_DEBUG) != 0);
}

static int do_dump(const char *image, bool json)
{
	cove_error e = {0}, ve = {0};
	cove_buf in = {0};
	cove_enclave_image *img = NULL;
	const uint8_t *raw = NULL;
	uint8_t mr[32], signer[32];
	char mr_hex[65], hex[65], signer_hex[65], p[8];
	cove_sigstruct s;
	json_t *j = NULL, *regions = NULL;
	int rc = COVE_EXIT_OK;

	if (cove_cli_read(image, IMAGE_MAX_BYTES, &in, &e) || cove_enclave_image_parse(in.data, in.len, &img, &e) ||
	    cove_enclave_image_measure(img, mr, &e) || cove_enclave_image_sigstruct(img, &raw, &e))
		goto fail;
	cove_hex_write(mr_hex, mr, 32);
	const cove_enclave_config *c = cove_enclave_image_config(img);

	if (json) {
		j = json_object();
		regions = json_array();
		json_object_set_new(j, "image", json_string(image));
		json_object_set_new(j, "config", config_json(c));
		for (size_t i = 0; i < cove_enclave_image_region_count(img); i++) {
			const cove_enclave_region *g = cove_enclave_image_region(img, i);
			perms(g->secinfo, p);
			json_array_append_new(regions, json_pack("{s:I, s:I, s:s, s:i, s:s, s:b}", "offset",
								 (json_int_t)g->offset, "size", (json_int_t)g->size,
								 "kind", kind_name(g->kind), "thread", (int)g->thread,
								 "perms", p, "measured", g->measured));
		}
		json_object_set_new(j, "regions", regions);
		json_object_set_new(j, "enclave_size", json_integer((json_int_t)cove_enclave_image_enclave_size(img)));
		json_object_set_new(j, "mrenclave", json_string(mr_hex));
	} else {
		printf("Enclave image %s\n", image);
		printf("Config: heap %llu, stack %llu, tcs %u, switchless workers %u, ISVPRODID %u, ISVSVN %u, debug %s\n",
		       (unsigned long long)c->heap_size, (unsigned long long)c->stack_size, c->tcs_count,
		       c->switchless_workers, c->isv_prod_id, c->isv_svn,
		       (c->flags & COVE_ENCLAVE_CONFIG_DEBUG) ? "allowed" : "not allowed");
		printf("Layout (ECREATE SIZE 0x%llx):\n", (unsigned long long)cove_enclave_image_enclave_size(img));
		printf("  %-12s %-12s %-6s %-6s %s\n", "offset", "size", "kind", "perms", "measured");
		for (size_t i = 0; i < cove_enclave_image_region_count(img); i++) {
			const cove_enclave_region *g = cove_enclave_image_region(img, i);
			char kind[16];
			perms(g->secinfo, p);
			if (g->kind == COVE_ENCLAVE_REGION_IMAGE || g->kind == COVE_ENCLAVE_REGION_HEAP)
				snprintf(kind, sizeof(kind), "%s", kind_name(g->kind));
			else
				snprintf(kind, sizeof(kind), "%s%u", kind_name(g->kind), g->thread);
			printf("  0x%010llx 0x%010llx %-6s %-6s %s\n", (unsigned long long)g->offset,
			       (unsigned long long)g->size, kind, p, g->measured ? "yes" : "no");
		}
		printf("MRENCLAVE %s\n", mr_hex);
	}

	if (!raw) {
		rc = COVE_EXIT_FAIL;
		if (json)
			json_object_set_new(j, "signed", json_false());
		else
			printf("SIGSTRUCT: none (unsigned image)\n");
		goto print;
	}
	if (cove_sigstruct_parse(raw, COVE_SIGSTRUCT_SIZE, &s, &ve)) {
		rc = COVE_EXIT_FAIL;
		if (json) {
			json_object_set_new(j, "signed", json_true());
			json_object_set_new(j, "sigstruct_error", json_string(ve.msg));
		} else {
			printf("SIGSTRUCT: malformed: %s\n", ve.msg);
		}
		goto print;
	}
	bool verifies = cove_sigstruct_verify(raw, &ve) == COVE_OK;
	bool matches = memcmp(s.f.enclave_hash, mr, 32) == 0;
	bool prod_ok = cove_enclave_image_check(img, false, NULL, NULL, NULL, NULL, NULL) == COVE_OK;
	bool debug_ok = cove_enclave_image_check(img, true, NULL, NULL, NULL, NULL, NULL) == COVE_OK;
	if (cove_sigstruct_mrsigner(&s, signer, &e))
		goto fail;
	cove_hex_write(signer_hex, signer, 32);
	cove_hex_write(hex, s.f.enclave_hash, 32);
	if (!verifies || !matches)
		rc = COVE_EXIT_FAIL;
	if (json) {
		char date_text[9], attr[19], attr_mask[19], xfrm[19], xfrm_mask[19];
		snprintf(date_text, sizeof(date_text), "%08x", s.f.date);
		snprintf(attr, sizeof(attr), "0x%016llx", (unsigned long long)s.f.attr_flags);
		snprintf(attr_mask, sizeof(attr_mask), "0x%016llx", (unsigned long long)s.f.attr_mask_flags);
		snprintf(xfrm, sizeof(xfrm), "0x%016llx", (unsigned long long)s.f.attr_xfrm);
		snprintf(xfrm_mask, sizeof(xfrm_mask), "0x%016llx", (unsigned long long)s.f.attr_mask_xfrm);
		json_t *ss = json_pack("{s:s, s:s, s:i, s:i, s:s, s:s, s:s, s:s, s:s, s:b, s:b, s:b, s:b}", "mrsigner",
					signer_hex, "enclave_hash", hex, "isv_prod_id", s.f.isv_prod_id, "isv_svn",
					s.f.isv_svn, "attributes", attr, "attribute_mask", attr_mask, "xfrm", xfrm,
					"xfrm_mask", xfrm_mask, "date", date_text, "signature_valid", verifies,
					"enclave_hash_matches", matches, "launch_production", prod_ok, "launch_debug",
					debug_ok);
		json_object_set_new(j, "signed", json_true());
		json_object_set_new(j, "sigstruct", ss);
		if (!verifies)
			json_object_set_new(ss, "signature_error", json_string(ve.msg));
	} else {
		printf("SIGSTRUCT:\n");
		printf("  MRSIGNER       %s\n", signer_hex);
		printf("  ENCLAVEHASH    %s (%s)\n", hex, matches ? "matches MRENCLAVE" : "DOES NOT match MRENCLAVE");
		printf("  ISVPRODID      %u\n", s.f.isv_prod_id);
		printf("  ISVSVN         %u\n", s.f.isv_svn);
		printf("  ATTRIBUTES     0x%016llx mask 0x%016llx\n", (unsigned long long)s.f.attr_flags,
		       (unsigned long long)s.f.attr_mask_flags);
		printf("  XFRM           0x%016llx mask 0x%016llx\n", (unsigned long long)s.f.attr_xfrm,
		       (unsigned long long)s.f.attr_mask_xfrm);
		printf("  MISCSELECT     0x%08x mask 0x%08x\n", s.f.misc_select, s.f.misc_mask);
		printf("  DATE           %08x\n", s.f.date);
		printf("  signature      %s%s%s\n", verifies ? "valid" : "INVALID", verifies ? "" : ": ",
		       verifies ? "" : ve.msg);
		printf("  launch         production %s, debug %s\n", prod_ok ? "allowed" : "refused",
		       debug_ok ? "allowed" : "refused");
	}
print:
	if (json) {
		cove_cli_print_json(j);
		j = NULL;
	}
	goto out;
fail:
	rc = cove_cli_fail(&e);
out:
	json_decref(j);
	cove_enclave_image_free(img);
	cove_buf_free(&in);
	return rc;
}

int cove_cmd_sign(int argc, char **argv)
{
	const char *key = NULL, *out = NULL;
	bool no_debug = false, dump = false, json = false;
	uint32_t date = 0;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "hk:o:", options, NULL)) != -1) {
		switch (c) {
		case OPT_KEY: key = optarg; break;
		case OPT_OUT: out = optarg; break;
		case OPT_NO_DEBUG: no_debug = true; break;
		case OPT_DATE:
			if (!parse_date(optarg, &date))
				return cove_cli_usage_error("cove sign", "--date '%s' is not YYYYMMDD", optarg);
			break;
		case OPT_DUMP: dump = true; break;
		case OPT_JSON: json = true; break;
		case 'h':
		case OPT_HELP: fputs(usage, stdout); return COVE_EXIT_OK;
		default: return cove_cli_usage_error("cove sign", "unknown option (see --help)");
		}
	}
	if (optind >= argc)
		return cove_cli_usage_error("cove sign", "IMAGE is required");
	if (optind + 1 < argc)
		return cove_cli_usage_error("cove sign", "unexpected argument '%s'", argv[optind + 1]);
	const char *image = argv[optind];
	if (dump) {
		if (key || out || no_debug || date)
			return cove_cli_usage_error("cove sign", "--dump takes no signing options");
		return do_dump(image, json);
	}
	if (!key)
		return cove_cli_usage_error("cove sign", "-k KEY.pem is required");
	return do_sign(image, key, out, no_debug, date, json);
}
