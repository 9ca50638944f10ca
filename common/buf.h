/* buf.h - bounded byte buffers for the wire protocol.
 * Writers grow and wipe on free; readers check every length before use. */
#ifndef HSM_BUF_H
#define HSM_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Largest frame either end accepts; anything bigger is a protocol error. */
#define HBUF_MAX (1024u * 1024u)

struct hbuf {
	uint8_t *data;
	size_t len;
	size_t cap;
	bool failed;   /* an allocation or size limit failed: do not send */
};

void hbuf_init(struct hbuf *b);
void hbuf_free(struct hbuf *b);        /* wipes the contents */
void hbuf_reset(struct hbuf *b);       /* wipes, keeps the allocation */
void hbuf_put_u8(struct hbuf *b, uint8_t v);
void hbuf_put_u16(struct hbuf *b, uint16_t v);
void hbuf_put_u32(struct hbuf *b, uint32_t v);
void hbuf_put_u64(struct hbuf *b, uint64_t v);
void hbuf_put_raw(struct hbuf *b, const void *p, size_t n);
/* u32 length, then the bytes. */
void hbuf_put_bytes(struct hbuf *b, const void *p, size_t n);
/* A NUL-terminated string as u32 length + bytes (no NUL on the wire). */
void hbuf_put_str(struct hbuf *b, const char *s);
/* Overwrites 4 bytes at off with v (for length prefixes). */
void hbuf_patch_u32(struct hbuf *b, size_t off, uint32_t v);

/* A read cursor over bytes it does not own. */
struct hrd {
	const uint8_t *p;
	size_t len;
	size_t off;
};

void hrd_init(struct hrd *r, const void *p, size_t n);
size_t hrd_left(const struct hrd *r);
/* Each getter returns 0, or -1 when the data is short or out of range;
 * on -1 the cursor does not move. */
int hrd_get_u8(struct hrd *r, uint8_t *v);
int hrd_get_u16(struct hrd *r, uint16_t *v);
int hrd_get_u32(struct hrd *r, uint32_t *v);
int hrd_get_u64(struct hrd *r, uint64_t *v);
int hrd_get_bool(struct hrd *r, bool *v);   /* only 0 or 1 */
int hrd_get_raw(struct hrd *r, void *out, size_t n);
/* u32-prefixed bytes of at most max; points into the frame. */
int hrd_get_bytes(struct hrd *r, const uint8_t **p, size_t *n, size_t max);
/* u32-prefixed bytes of at most max, copied into a fresh allocation with a
 * NUL appended; refuses embedded NULs. Free with hsm_free_secret() when secret. */
int hrd_get_str(struct hrd *r, char **out, size_t max);
/* u32-prefixed string copied into out[outsz] (length < outsz, no NUL inside). */
int hrd_get_str_fixed(struct hrd *r, char *out, size_t outsz);
/* 0 when every byte was consumed: trailing bytes are an error. */
int hrd_end(const struct hrd *r);

#endif
