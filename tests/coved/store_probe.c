/*
 * store_probe: reads a (stopped) coved's state directory through libcove's
 * store API (include/cove/store.h), for tests/coved/crash.sh:
 *
 *   store_probe DIR check          PRAGMA integrity_check; prints "ok"
 *   store_probe DIR policy TYPE    the stored policy text (exit 3 when none)
 *   store_probe DIR keys           one line per key: "NAME KTY HEX(material)"
 *
 * Exit 0 on success, 1 with the store's error message on stderr.
 */
#include <stdio.h>
#include <string.h>

#include "cove/bytes.h"
#include "cove/store.h"

static int list_keys(cove_store *s, cove_error *e)
{
	cove_store_names names = {0};
	int rc = 1;

	if (cove_store_key_list(s, &names, e))
		return 1;
	for (size_t i = 0; i < names.n; i++) {
		cove_store_key k;
		bool found = false;
		memset(&k, 0, sizeof(k));
		if (cove_store_key_get(s, names.v[i], &k, &found, e))
			goto out;
		if (!found) {
			cove_store_key_free(&k);
			continue;
		}
		printf("%s %s ", names.v[i], k.key_type);
		for (size_t j = 0; j < k.material.len; j++)
			printf("%02x", k.material.data[j]);
		printf("\n");
		cove_store_key_free(&k);
	}
	rc = 0;
out:
	cove_store_names_free(&names);
	return rc;
}

int main(int argc, char **argv)
{
	cove_store *s = NULL;
	cove_error e = {0};
	int rc = 1;

	if (argc < 3 || (strcmp(argv[2], "policy") == 0 && argc != 4)) {
		fprintf(stderr, "usage: store_probe DIR check|keys|policy TYPE\n");
		return 2;
	}
	if (cove_store_open_sqlite(argv[1], NULL, &s, &e))
		goto out;
	if (strcmp(argv[2], "check") == 0) {
		if (cove_store_check(s, &e))
			goto out;
		printf("ok\n");
		rc = 0;
	} else if (strcmp(argv[2], "policy") == 0) {
		cove_store_policy p;
		bool found = false;
		memset(&p, 0, sizeof(p));
		if (cove_store_policy_get(s, argv[3], &p, &found, &e))
			goto out;
		if (found)
			fputs(p.text, stdout);
		cove_store_policy_free(&p);
		rc = found ? 0 : 3;
	} else if (strcmp(argv[2], "keys") == 0) {
		rc = list_keys(s, &e);
	} else {
		fprintf(stderr, "store_probe: unknown command %s\n", argv[2]);
		rc = 2;
	}
out:
	if (rc == 1)
		fprintf(stderr, "store_probe: %s\n", e.msg);
	cove_store_free(s);
	return rc;
}
