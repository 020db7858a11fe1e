/*
 * Scratch directories for tests (see scratch.h): mkdtemp(3) for a private
 * directory, nftw(3) depth first without following links to remove it.
 */
#include <dirent.h>
#include <ftw.h>
#include <string.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "support/scratch.h"

int cove_test_scratch_make(char *out, size_t cap, const char *tag)
{
	int n = snprintf(out, cap, "/tmp/cove-test-%s-XXXXXX", tag);
	if (n < 0 || (size_t)n >= cap || !mkdtemp(out))
		return -1;
	return 0;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

void cove_test_scratch_remove(const char *path)
{
	if (path && path[0])
		nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

long cove_test_scratch_entries(const char *dir)
{
	long n = 0;
	DIR *d = opendir(dir);
	if (!d)
		return -1;
	for (struct dirent *de; (de = readdir(d));)
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

int cove_test_file_mode(const char *path)
{
	struct stat st;
	if (stat(path, &st) != 0)
		return -1;
	return (int)(st.st_mode & 07777);
}
