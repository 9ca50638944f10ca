/* wrap-file.c - the wrapped-key file of wrapKey/unWrapKey (a versioned
 * header, then the wrapped bytes), -wk local wrapping, and small helpers. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "kmu-wrap.h"
#include "util.h"
#include "wrap-mech.h"

/* doc/kmu-formats.md, "Wrapped-key file". */
static const uint8_t wrap_magic[8] = { 'K', 'M', 'U', '-', 'W', 'R', 'A', 'P' };
#define WRAP_FILE_VERSION 1u

static void
put_short_str(struct hbuf *b, const char *s)
{
	size_t n = strlen(s);
	hbuf_put_u16(b, (uint16_t)n);
	hbuf_put_raw(b, s, n);
}

void
kmu_wrap_file_encode(struct hbuf *b, const struct kmu_wrap_header *h, const uint8_t *data,
                     size_t n)
{
	struct hbuf hdr;
	hbuf_init(&hdr);
	hbuf_put_u32(&hdr, h->mech);
	hbuf_put_u32(&hdr, h->hash);
	hbuf_put_u32(&hdr, h->key_class);
	hbuf_put_u32(&hdr, h->key_type);
	hbuf_put_u32(&hdr, h->value_len);
	hbuf_put_u32(&hdr, (uint32_t)n);
	hbuf_put_u8(&hdr, (uint8_t)h->tag_len);
	hbuf_put_u8(&hdr, (uint8_t)h->iv_len);
	hbuf_put_raw(&hdr, h->iv, h->iv_len);
	put_short_str(&hdr, h->label);
	put_short_str(&hdr, h->id);
	hbuf_put_raw(b, wrap_magic, sizeof(wrap_magic));
	hbuf_put_u16(b, WRAP_FILE_VERSION);
	hbuf_put_u16(b, (uint16_t)(sizeof(wrap_magic) + 4 + hdr.len));
	hbuf_put_raw(b, hdr.data, hdr.len);
	hbuf_put_raw(b, data, n);
	if (hdr.failed)
		b->failed = true;
	hbuf_free(&hdr);
}

static int
get_short_str(struct hrd *r, char *out, size_t outsz)
{
	uint16_t n;
	if (hrd_get_u16(r, &n) != 0 || n >= outsz || hrd_get_raw(r, out, n) != 0)
		return -1;
	out[n] = '\0';
	return memchr(out, '\0', n) == NULL ? 0 : -1;
}

/* The fields after magic, version and length; exactly the header. */
static int
decode_fields(struct hrd *r, struct kmu_wrap_header *h, uint32_t *wrapped_len)
{
	uint8_t tag, ivl;
	if (hrd_get_u32(r, &h->mech) != 0 || hrd_get_u32(r, &h->hash) != 0 ||
	    hrd_get_u32(r, &h->key_class) != 0 || hrd_get_u32(r, &h->key_type) != 0 ||
	    hrd_get_u32(r, &h->value_len) != 0 || hrd_get_u32(r, wrapped_len) != 0 ||
	    hrd_get_u8(r, &tag) != 0 || hrd_get_u8(r, &ivl) != 0 || ivl > HSM_WRAP_IV_MAX ||
	    hrd_get_raw(r, h->iv, ivl) != 0 ||
	    get_short_str(r, h->label, sizeof(h->label)) != 0 ||
	    get_short_str(r, h->id, sizeof(h->id)) != 0 || hrd_end(r) != 0)
		return -1;
	h->tag_len = tag;
	h->iv_len = ivl;
	return 0;
}

enum kmu_wrap_parse
kmu_wrap_file_decode(const uint8_t *p, size_t n, struct kmu_wrap_header *h,
                     const uint8_t **data, size_t *len)
{
	struct hrd r;
	uint16_t version, hlen;
	uint32_t wlen;
	memset(h, 0, sizeof(*h));
	if (n < sizeof(wrap_magic) || memcmp(p, wrap_magic, sizeof(wrap_magic)) != 0)
		return KMU_WRAP_NOT_OURS;
	hrd_init(&r, p + sizeof(wrap_magic), n - sizeof(wrap_magic));
	if (hrd_get_u16(&r, &version) != 0 || version != WRAP_FILE_VERSION ||
	    hrd_get_u16(&r, &hlen) != 0 || hlen < sizeof(wrap_magic) + 4 || hlen > n)
		return KMU_WRAP_DAMAGED;
	hrd_init(&r, p + sizeof(wrap_magic) + 4, hlen - sizeof(wrap_magic) - 4);
	if (decode_fields(&r, h, &wlen) != 0 || wlen != n - hlen || wlen == 0)
		return KMU_WRAP_DAMAGED;
	*data = p + hlen;
	*len = wlen;
	return KMU_WRAP_OK;
}

/* The AES key of a -wk file: exactly 16, 24 or 32 bytes. */
static int
read_aes_file(const char *file, uint8_t **key, size_t *n)
{
	if (kmu_read_file(file, KMU_KEY_FILE_MAX, key, n) != 0)
		return -1;
	if (*n == 16 || *n == 24 || *n == 32)
		return 0;
	printf("\n\tError: %s does not hold an AES key (16, 24 or 32 bytes)\n", file);
	kmu_free_secret(*key, *n);
	return -1;
}

static int
local_wrap(const char *file, const uint8_t *in, size_t n, struct hbuf *out, bool wrap)
{
	uint8_t *key, iv[WRAP_IV_MAX];
	size_t klen, ivl;
	if (read_aes_file(file, &key, &klen) != 0)
		return -1;
	struct wrap_params p = { .mech = HSM_WRAP_AES_KEY_WRAP_PAD_PKCS5 };
	struct wrap_kek kek = { .aes = key, .aes_len = klen };
	hsm_rc rc = wrap ? wrap_encrypt(&p, &kek, in, n, out, iv, &ivl)
	                 : wrap_decrypt(&p, &kek, in, n, out);
	kmu_free_secret(key, klen);
	if (rc == HSM_RC_SUCCESS)
		return 0;
	if (wrap)
		printf("\n\tError: cannot wrap with the key in %s: %s\n", file, kmu_rc_message(rc));
	else
		printf("\n\tError: the key in %s does not unwrap this key (%s)\n", file,
		       kmu_rc_message(rc));
	return -1;
}

int
kmu_local_wrap(const char *file, const uint8_t *in, size_t n, struct hbuf *out)
{
	return local_wrap(file, in, n, out, true);
}

int
kmu_local_unwrap(const char *file, const uint8_t *in, size_t n, struct hbuf *out)
{
	return local_wrap(file, in, n, out, false);
}

static int
hexval(int c)
{
	return isdigit(c) ? c - '0' : tolower(c) - 'a' + 10;
}

int
kmu_parse_hex(const char *s, uint8_t *out, size_t want)
{
	if (strncmp(s, "0x", 2) == 0 || strncmp(s, "0X", 2) == 0)
		s += 2;
	if (strlen(s) != 2 * want || strspn(s, "0123456789abcdefABCDEF") != 2 * want)
		return -1;
	for (size_t i = 0; i < want; i++)
		out[i] = (uint8_t)(hexval((unsigned char)s[2 * i]) << 4 |
		                   hexval((unsigned char)s[2 * i + 1]));
	return 0;
}

int
kmu_read_exact(const char *path, size_t want, uint8_t **p)
{
	size_t n;
	if (kmu_read_file(path, want, p, &n) != 0)
		return -1;
	if (n == want)
		return 0;
	printf("\n\tError: %s must hold exactly %zu bytes (it has %zu)\n", path, want, n);
	kmu_free_secret(*p, n);
	return -1;
}

void
kmu_print_rc_indent(const char *call, hsm_rc rc, bool indent)
{
	if (indent) {
		kmu_print_rc(call, rc);
		return;
	}
	printf(rc <= 0xff ? "\n%s returned: 0x%02x" : "\n%s returned: 0x%08x", call, rc);
	if (rc == HSM_RC_SUCCESS)
		printf(" : %s\n", kmu_rc_message(rc));
	else
		printf("\n\n\t%s\n", kmu_rc_message(rc));
}

hsm_rc
kmu_check_class(struct kmu *k, uint32_t handle, uint32_t want)
{
	hsm_attribute_list l;
	hsm_node_status st;
	hsm_rc rc = hsm_get_attributes(k->client, handle, HSM_ATTR_CLASS, &l, &st);
	uint32_t cls = want;
	if (rc == HSM_RC_SUCCESS && l.count == 1 && l.attrs[0].len == 4) {
		const uint8_t *v = l.attrs[0].value;
		cls = (uint32_t)v[0] << 24 | (uint32_t)v[1] << 16 | (uint32_t)v[2] << 8 | v[3];
	}
	if (rc == HSM_RC_SUCCESS)
		hsm_attribute_list_free(&l);
	return cls == want ? HSM_RC_SUCCESS : HSM_RC_KEY_TYPE_INCONSISTENT;
}

void
kmu_free_secret(uint8_t *p, size_t n)
{
	if (p != NULL)
		OPENSSL_cleanse(p, n + 1);    /* kmu_read_file adds a NUL */
	free(p);
}
