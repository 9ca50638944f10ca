/* util.c - small helpers shared by the library, the simulator and the tools.
 * Kept free of policy: each caller decides what an error means. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <openssl/crypto.h>

#include "util.h"

void
hsm_free_secret(char *s)
{
	if (s == NULL)
		return;
	OPENSSL_cleanse(s, strlen(s));
	free(s);
}

size_t
hsm_strlcpy(char *dst, const char *src, size_t n)
{
	size_t len = strlen(src);
	if (n > 0) {
		size_t c = len < n - 1 ? len : n - 1;
		memcpy(dst, src, c);
		dst[c] = '\0';
	}
	return len;
}

void
hsm_errf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

bool
hsm_parse_uint(const char *s, unsigned long min, unsigned long max,
               unsigned long *out)
{
	char *end;
	if (s == NULL || *s < '0' || *s > '9')
		return false;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return false;
	*out = v;
	return true;
}

static int
write_all_fd(int fd, const void *data, size_t n)
{
	const char *p = data;
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int
hsm_write_file_staged(const char *path, const void *data, size_t n, unsigned mode,
                      char *tmp, size_t tmplen)
{
	if (snprintf(tmp, tmplen, "%s.tmpXXXXXX", path) >= (int)tmplen) {
		errno = ENAMETOOLONG;
		return -1;
	}
	int fd = mkstemp(tmp);
	if (fd < 0)
		return -1;
	int rc = fchmod(fd, (mode_t)mode) == 0 && write_all_fd(fd, data, n) == 0 &&
	         fsync(fd) == 0 ? 0 : -1;
	if (close(fd) != 0)
		rc = -1;
	if (rc != 0) {
		int saved = errno;
		unlink(tmp);
		errno = saved;
	}
	return rc;
}

int
hsm_write_file_atomic(const char *path, const void *data, size_t n, unsigned mode)
{
	size_t len = strlen(path) + 16;
	char *tmp = malloc(len);
	if (tmp == NULL)
		return -1;
	int rc = hsm_write_file_staged(path, data, n, mode, tmp, len);
	if (rc == 0 && rename(tmp, path) != 0) {
		int saved = errno;
		unlink(tmp);
		errno = saved;
		rc = -1;
	}
	free(tmp);
	return rc;
}

int
hsm_read_file(const char *path, size_t max, char **data, size_t *n)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return -1;
	char *buf = malloc(max + 1);
	if (buf == NULL) {
		fclose(f);
		errno = ENOMEM;
		return -1;
	}
	errno = 0;
	size_t got = fread(buf, 1, max + 1, f);
	/* Keep fread's reason (EISDIR for a directory) for the message. */
	int read_errno = ferror(f) ? (errno != 0 ? errno : EIO) : 0;
	fclose(f);
	if (read_errno != 0 || got > max) {
		OPENSSL_cleanse(buf, max + 1);
		free(buf);
		errno = read_errno != 0 ? read_errno : EFBIG;
		return -1;
	}
	buf[got] = '\0';
	*data = buf;
	*n = got;
	return 0;
}

uint64_t
hsm_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* A label of letters, digits and inner hyphens, 1 to 63 characters. */
static bool
dns_label_valid(const char *l, size_t len)
{
	if (len == 0 || len > 63 || l[0] == '-' || l[len - 1] == '-')
		return false;
	for (size_t i = 0; i < len; i++) {
		char ch = l[i];
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '-'))
			return false;
	}
	return true;
}

bool
hsm_host_valid(const char *h)
{
	unsigned char addr[sizeof(struct in6_addr)];
	if (inet_pton(AF_INET, h, addr) == 1 || inet_pton(AF_INET6, h, addr) == 1)
		return true;
	size_t len = strlen(h);
	if (len == 0 || len > 253)
		return false;
	const char *label = h, *last = h;
	for (const char *dot; (dot = strchr(label, '.')) != NULL; label = dot + 1)
		if (!dns_label_valid(label, (size_t)(dot - label)))
			return false;
	last = label;
	/* An all-digit last label is a mistyped IPv4 address (10.0.0, 256.1.1.1). */
	return dns_label_valid(last, strlen(last)) && strspn(last, "0123456789") != strlen(last);
}
