/* util.h - small helpers shared by the library, the simulator and the tools. */
#ifndef HSM_UTIL_H
#define HSM_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Wipes a NUL-terminated secret and frees it; NULL is fine. */
void hsm_free_secret(char *s);
/* Copies at most n-1 bytes and always terminates; returns strlen(src). */
size_t hsm_strlcpy(char *dst, const char *src, size_t n);
/* printf into a fixed buffer; never overflows, always terminates. */
void hsm_errf(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Parses a decimal unsigned integer in [min, max] with nothing after it. */
bool hsm_parse_uint(const char *s, unsigned long min, unsigned long max,
                    unsigned long *out);
/* Writes data into a new temporary file beside path (its name goes to tmp),
 * with mode, synced; renaming it over path is the caller's commit. */
int hsm_write_file_staged(const char *path, const void *data, size_t n, unsigned mode,
                          char *tmp, size_t tmplen);
/* Writes a whole file atomically (temporary file, fsync, rename). */
int hsm_write_file_atomic(const char *path, const void *data, size_t n,
                          unsigned mode);
/* Reads a whole file of at most max bytes; *data is NUL-terminated. */
int hsm_read_file(const char *path, size_t max, char **data, size_t *n);
/* An IPv4 or IPv6 literal, or a DNS name (letters, digits, inner hyphens;
 * the last label not all digits, so 10.0.0 is not taken for a name). */
bool hsm_host_valid(const char *host);
/* Monotonic clock in milliseconds. */
uint64_t hsm_now_ms(void);

#endif
