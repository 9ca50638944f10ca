/* cu-util.h - helpers shared by the CUnit suites: run a suite table, private
 * temporary directories, small files, and a seeded PRNG for fuzz loops. */
#ifndef CU_UTIL_H
#define CU_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include <CUnit/CUnit.h>

/* Registers the suites (CU_SUITE_INFO_NULL-terminated), runs them verbosely
 * and frees the registry. Returns the exit status for automake's driver:
 * 0 all passed, 1 a failure, 99 the framework itself failed. */
int cu_run(CU_SuiteInfo *suites);

/* A new 0700 directory under $TMPDIR (or /tmp) named after tag; NULL on
 * failure. Remove it with cu_rmtree(). */
char *cu_mkdtemp(const char *tag);
/* Removes the tree at path and frees path (NULL is fine). */
void cu_rmtree(char *path);
/* dir + "/" + name in a fresh allocation. */
char *cu_path(const char *dir, const char *name);
/* Writes text to path (created or truncated); 0 or -1. */
int cu_write_file(const char *path, const char *text);
/* Copies a file byte for byte (mode 0600); 0 or -1. */
int cu_copy_file(const char *from, const char *to);

/* xorshift64*: reproducible pseudo-random numbers from a seed. */
struct cu_rng {
	uint64_t state;
};
void cu_rng_seed(struct cu_rng *r, uint64_t seed);
uint32_t cu_rng_next(struct cu_rng *r);
/* Uniform in [0, n); n > 0. */
uint32_t cu_rng_below(struct cu_rng *r, uint32_t n);
/* The seed to use: $CU_SEED when set, else def; printed so a failing run
 * can be repeated. */
uint64_t cu_seed(const char *what, uint64_t def);

#endif
