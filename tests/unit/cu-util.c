/* cu-util.c - helpers shared by the CUnit suites (see cu-util.h).
 * Keeps each suite's main() short and each test in its own temporary directory. */
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include "cu-util.h"

int
cu_run(CU_SuiteInfo *suites)
{
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 99;
	if (CU_register_suites(suites) != CUE_SUCCESS) {
		fprintf(stderr, "cannot register suites: %s\n", CU_get_error_msg());
		CU_cleanup_registry();
		return 99;
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_ErrorCode err = CU_basic_run_tests();
	unsigned failed = CU_get_number_of_failures() + CU_get_number_of_suites_failed();
	unsigned run = CU_get_number_of_tests_run();
	CU_cleanup_registry();
	if (err != CUE_SUCCESS)
		return 99;
	if (run == 0)
		return 99;
	return failed == 0 ? 0 : 1;
}

char *
cu_mkdtemp(const char *tag)
{
	const char *base = getenv("TMPDIR");
	if (base == NULL || base[0] == '\0')
		base = "/tmp";
	size_t n = strlen(base) + strlen(tag) + 32;
	char *path = malloc(n);
	if (path == NULL)
		return NULL;
	snprintf(path, n, "%s/hsm-unit-%s-XXXXXX", base, tag);
	if (mkdtemp(path) == NULL) {
		perror(path);
		free(path);
		return NULL;
	}
	return path;
}

static int
remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	if (remove(path) != 0)
		perror(path);
	return 0;
}

void
cu_rmtree(char *path)
{
	if (path == NULL)
		return;
	nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(path);
}

char *
cu_path(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = malloc(n);
	if (p != NULL)
		snprintf(p, n, "%s/%s", dir, name);
	return p;
}

int
cu_write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (f == NULL)
		return -1;
	size_t n = strlen(text);
	int rc = fwrite(text, 1, n, f) == n ? 0 : -1;
	if (fclose(f) != 0)
		rc = -1;
	return rc;
}

int
cu_copy_file(const char *from, const char *to)
{
	FILE *in = fopen(from, "rb");
	int fd = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	FILE *out = fd >= 0 ? fdopen(fd, "wb") : NULL;
	char buf[8192];
	size_t n;
	int rc = in != NULL && out != NULL ? 0 : -1;
	while (rc == 0 && (n = fread(buf, 1, sizeof(buf), in)) > 0)
		if (fwrite(buf, 1, n, out) != n)
			rc = -1;
	if (in != NULL && ferror(in))
		rc = -1;
	if (in != NULL)
		fclose(in);
	if (out != NULL && fclose(out) != 0)
		rc = -1;
	else if (out == NULL && fd >= 0)
		close(fd);
	return rc;
}

void
cu_rng_seed(struct cu_rng *r, uint64_t seed)
{
	r->state = seed ? seed : 0x9e3779b97f4a7c15u;
}

uint32_t
cu_rng_next(struct cu_rng *r)
{
	r->state ^= r->state >> 12;
	r->state ^= r->state << 25;
	r->state ^= r->state >> 27;
	return (uint32_t)((r->state * 0x2545f4914f6cdd1du) >> 32);
}

uint32_t
cu_rng_below(struct cu_rng *r, uint32_t n)
{
	return (uint32_t)(((uint64_t)cu_rng_next(r) * n) >> 32);
}

uint64_t
cu_seed(const char *what, uint64_t def)
{
	const char *env = getenv("CU_SEED");
	uint64_t seed = def;
	if (env != NULL && env[0] != '\0')
		seed = strtoull(env, NULL, 0);
	printf("%s: seed %" PRIu64 " (set CU_SEED to repeat)\n", what, seed);
	return seed;
}
