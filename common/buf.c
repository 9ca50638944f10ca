/* buf.c - bounded byte buffers for the wire protocol.
 * Big-endian integers; every read is checked against what is left. */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "buf.h"

void
hbuf_init(struct hbuf *b)
{
	memset(b, 0, sizeof(*b));
}

void
hbuf_free(struct hbuf *b)
{
	if (b->data != NULL) {
		OPENSSL_cleanse(b->data, b->cap);
		free(b->data);
	}
	hbuf_init(b);
}

void
hbuf_reset(struct hbuf *b)
{
	if (b->data != NULL)
		OPENSSL_cleanse(b->data, b->cap);
	b->len = 0;
	b->failed = false;
}

/* Grows by copying so that no unwiped copy of a secret is left behind. */
static bool
hbuf_reserve(struct hbuf *b, size_t n)
{
	if (b->failed)
		return false;
	if (n > HBUF_MAX || b->len > HBUF_MAX - n) {
		b->failed = true;
		return false;
	}
	if (b->len + n <= b->cap)
		return true;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < b->len + n)
		cap *= 2;
	uint8_t *p = malloc(cap);
	if (p == NULL) {
		b->failed = true;
		return false;
	}
	if (b->data != NULL) {
		memcpy(p, b->data, b->len);
		OPENSSL_cleanse(b->data, b->cap);
		free(b->data);
	}
	b->data = p;
	b->cap = cap;
	return true;
}

void
hbuf_put_raw(struct hbuf *b, const void *p, size_t n)
{
	if (!hbuf_reserve(b, n))
		return;
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
}

void
hbuf_put_u8(struct hbuf *b, uint8_t v)
{
	hbuf_put_raw(b, &v, 1);
}

void
hbuf_put_u16(struct hbuf *b, uint16_t v)
{
	uint8_t x[2] = { (uint8_t)(v >> 8), (uint8_t)v };
	hbuf_put_raw(b, x, sizeof(x));
}

void
hbuf_put_u32(struct hbuf *b, uint32_t v)
{
	uint8_t x[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16),
	                 (uint8_t)(v >> 8), (uint8_t)v };
	hbuf_put_raw(b, x, sizeof(x));
}

void
hbuf_put_u64(struct hbuf *b, uint64_t v)
{
	hbuf_put_u32(b, (uint32_t)(v >> 32));
	hbuf_put_u32(b, (uint32_t)v);
}

void
hbuf_put_bytes(struct hbuf *b, const void *p, size_t n)
{
	if (n > HBUF_MAX) {
		b->failed = true;
		return;
	}
	hbuf_put_u32(b, (uint32_t)n);
	hbuf_put_raw(b, p, n);
}

void
hbuf_put_str(struct hbuf *b, const char *s)
{
	hbuf_put_bytes(b, s, s ? strlen(s) : 0);
}

void
hbuf_patch_u32(struct hbuf *b, size_t off, uint32_t v)
{
	if (b->failed || off > b->len || b->len - off < 4)
		return;
	b->data[off] = (uint8_t)(v >> 24);
	b->data[off + 1] = (uint8_t)(v >> 16);
	b->data[off + 2] = (uint8_t)(v >> 8);
	b->data[off + 3] = (uint8_t)v;
}

void
hrd_init(struct hrd *r, const void *p, size_t n)
{
	r->p = p;
	r->len = n;
	r->off = 0;
}

size_t
hrd_left(const struct hrd *r)
{
	return r->len - r->off;
}

int
hrd_get_raw(struct hrd *r, void *out, size_t n)
{
	if (hrd_left(r) < n)
		return -1;
	if (n > 0)
		memcpy(out, r->p + r->off, n);
	r->off += n;
	return 0;
}

int
hrd_get_u8(struct hrd *r, uint8_t *v)
{
	return hrd_get_raw(r, v, 1);
}

int
hrd_get_u16(struct hrd *r, uint16_t *v)
{
	uint8_t x[2];
	if (hrd_get_raw(r, x, sizeof(x)) != 0)
		return -1;
	*v = (uint16_t)((x[0] << 8) | x[1]);
	return 0;
}

int
hrd_get_u32(struct hrd *r, uint32_t *v)
{
	uint8_t x[4];
	if (hrd_get_raw(r, x, sizeof(x)) != 0)
		return -1;
	*v = ((uint32_t)x[0] << 24) | ((uint32_t)x[1] << 16) |
	     ((uint32_t)x[2] << 8) | x[3];
	return 0;
}

int
hrd_get_u64(struct hrd *r, uint64_t *v)
{
	uint32_t hi, lo;
	size_t save = r->off;
	if (hrd_get_u32(r, &hi) != 0 || hrd_get_u32(r, &lo) != 0) {
		r->off = save;
		return -1;
	}
	*v = ((uint64_t)hi << 32) | lo;
	return 0;
}

int
hrd_get_bool(struct hrd *r, bool *v)
{
	uint8_t x;
	if (hrd_left(r) < 1 || r->p[r->off] > 1)
		return -1;
	(void)hrd_get_u8(r, &x);
	*v = x == 1;
	return 0;
}

int
hrd_get_bytes(struct hrd *r, const uint8_t **p, size_t *n, size_t max)
{
	uint32_t len;
	size_t save = r->off;
	if (hrd_get_u32(r, &len) != 0)
		return -1;
	if (len > max || hrd_left(r) < len) {
		r->off = save;
		return -1;
	}
	*p = r->p + r->off;
	*n = len;
	r->off += len;
	return 0;
}

int
hrd_get_str(struct hrd *r, char **out, size_t max)
{
	const uint8_t *p;
	size_t n, save = r->off;
	if (hrd_get_bytes(r, &p, &n, max) != 0)
		return -1;
	if (memchr(p, '\0', n) != NULL) {
		r->off = save;
		return -1;
	}
	char *s = malloc(n + 1);
	if (s == NULL) {
		r->off = save;
		return -1;
	}
	memcpy(s, p, n);
	s[n] = '\0';
	*out = s;
	return 0;
}

int
hrd_get_str_fixed(struct hrd *r, char *out, size_t outsz)
{
	const uint8_t *p;
	size_t n, save = r->off;
	if (outsz == 0 || hrd_get_bytes(r, &p, &n, outsz - 1) != 0)
		return -1;
	if (memchr(p, '\0', n) != NULL) {
		r->off = save;
		return -1;
	}
	memcpy(out, p, n);
	out[n] = '\0';
	return 0;
}

int
hrd_end(const struct hrd *r)
{
	return hrd_left(r) == 0 ? 0 : -1;
}
