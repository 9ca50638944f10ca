/* proto-keys.c - codecs of the key-management messages.
 * Lists are capped by HSM limits and by what the frame can hold. */
#include <stdlib.h>
#include <string.h>

#include "proto.h"

void
msg_user_ids_encode(struct hbuf *b, const uint32_t *ids, size_t n)
{
	hbuf_put_u32(b, (uint32_t)n);
	for (size_t i = 0; i < n; i++)
		hbuf_put_u32(b, ids[i]);
}

int
msg_user_ids_decode(struct hrd *r, uint32_t *ids, uint32_t *n)
{
	if (hrd_get_u32(r, n) != 0 || *n > HSM_MAX_SHARES)
		return -1;
	for (uint32_t i = 0; i < *n; i++)
		if (hrd_get_u32(r, &ids[i]) != 0)
			return -1;
	return 0;
}

void
msg_key_template_encode(struct hbuf *b, const struct msg_key_template *m)
{
	hbuf_put_u32(b, m->key_class);
	hbuf_put_u32(b, m->key_type);
	hbuf_put_u32(b, m->size);
	hbuf_put_u64(b, m->public_exponent);
	hbuf_put_u32(b, m->curve_id);
	hbuf_put_str(b, m->label);
	hbuf_put_str(b, m->id);
	hbuf_put_u8(b, m->session);
	hbuf_put_u8(b, m->extractable);
	hbuf_put_u32(b, m->m_value);
	msg_user_ids_encode(b, m->shares, m->nshares);
}

/* Decodes the template fields; the caller checks hrd_end when the template
 * is the whole payload. */
int
msg_key_template_decode(struct hrd *r, struct msg_key_template *m)
{
	memset(m, 0, sizeof(*m));
	if (hrd_get_u32(r, &m->key_class) != 0 || hrd_get_u32(r, &m->key_type) != 0 ||
	    hrd_get_u32(r, &m->size) != 0 || hrd_get_u64(r, &m->public_exponent) != 0 ||
	    hrd_get_u32(r, &m->curve_id) != 0 ||
	    hrd_get_str(r, &m->label, PROTO_STR_MAX) != 0 ||
	    hrd_get_str(r, &m->id, PROTO_STR_MAX) != 0 ||
	    hrd_get_bool(r, &m->session) != 0 || hrd_get_bool(r, &m->extractable) != 0 ||
	    hrd_get_u32(r, &m->m_value) != 0 ||
	    msg_user_ids_decode(r, m->shares, &m->nshares) != 0) {
		msg_key_template_clear(m);
		return -1;
	}
	return 0;
}

void
msg_key_template_clear(struct msg_key_template *m)
{
	free(m->label);
	free(m->id);
	memset(m, 0, sizeof(*m));
}

void
msg_key_filter_encode(struct hbuf *b, const struct msg_key_filter *m)
{
	hbuf_put_u32(b, m->flags);
	hbuf_put_u32(b, m->key_class);
	hbuf_put_u32(b, m->key_type);
	hbuf_put_str(b, m->label);
	hbuf_put_str(b, m->id);
	hbuf_put_u8(b, m->session);
	msg_user_ids_encode(b, m->users, m->nusers);
	hbuf_put_bytes(b, m->modulus.data, m->modulus.len);
	hbuf_put_raw(b, m->kcv, sizeof(m->kcv));
}

int
msg_key_filter_decode(struct hrd *r, struct msg_key_filter *m)
{
	memset(m, 0, sizeof(*m));
	if (hrd_get_u32(r, &m->flags) != 0 || (m->flags & ~FILTER_ALL) != 0 ||
	    hrd_get_u32(r, &m->key_class) != 0 || hrd_get_u32(r, &m->key_type) != 0 ||
	    hrd_get_str(r, &m->label, PROTO_STR_MAX) != 0 ||
	    hrd_get_str(r, &m->id, PROTO_STR_MAX) != 0 ||
	    hrd_get_bool(r, &m->session) != 0 ||
	    msg_user_ids_decode(r, m->users, &m->nusers) != 0 ||
	    hrd_get_bytes(r, &m->modulus.data, &m->modulus.len, 8192) != 0 ||
	    hrd_get_raw(r, m->kcv, sizeof(m->kcv)) != 0 || hrd_end(r) != 0) {
		msg_key_filter_clear(m);
		return -1;
	}
	return 0;
}

void
msg_key_filter_clear(struct msg_key_filter *m)
{
	free(m->label);
	free(m->id);
	memset(m, 0, sizeof(*m));
}

void
msg_handles_encode(struct hbuf *b, const uint32_t *h, size_t n)
{
	hbuf_put_u32(b, (uint32_t)n);
	for (size_t i = 0; i < n; i++)
		hbuf_put_u32(b, h[i]);
}

int
msg_handles_decode(struct hrd *r, uint32_t **h, size_t *n)
{
	uint32_t count;
	*h = NULL;
	*n = 0;
	if (hrd_get_u32(r, &count) != 0 || count > PROTO_MAX_HANDLES ||
	    hrd_left(r) / 4 < count)
		return -1;
	uint32_t *v = calloc(count ? count : 1, sizeof(*v));
	if (v == NULL)
		return -1;
	for (uint32_t i = 0; i < count; i++)
		(void)hrd_get_u32(r, &v[i]);
	if (hrd_end(r) != 0) {
		free(v);
		return -1;
	}
	*h = v;
	*n = count;
	return 0;
}

void
msg_attr_list_encode(struct hbuf *b, const hsm_attribute_list *m)
{
	hbuf_put_u32(b, (uint32_t)m->count);
	for (size_t i = 0; i < m->count; i++) {
		hbuf_put_u32(b, m->attrs[i].id);
		hbuf_put_bytes(b, m->attrs[i].value, m->attrs[i].len);
	}
}

#define ATTR_LIST_MAX 64u

int
msg_attr_list_decode(struct hrd *r, hsm_attribute_list *m)
{
	uint32_t count;
	memset(m, 0, sizeof(*m));
	if (hrd_get_u32(r, &count) != 0 || count > ATTR_LIST_MAX || hrd_left(r) / 8 < count)
		return -1;
	m->attrs = calloc(count ? count : 1, sizeof(*m->attrs));
	if (m->attrs == NULL)
		return -1;
	for (uint32_t i = 0; i < count; i++) {
		const uint8_t *p;
		size_t n;
		hsm_attribute *a = &m->attrs[i];
		if (hrd_get_u32(r, &a->id) != 0 || hrd_get_bytes(r, &p, &n, 65536) != 0 ||
		    (a->value = malloc(n + 1)) == NULL) {
			hsm_attribute_list_free(m);
			return -1;
		}
		memcpy(a->value, p, n);
		a->value[n] = '\0';   /* strings can be printed directly */
		a->len = n;
		m->count++;
	}
	if (hrd_end(r) != 0) {
		hsm_attribute_list_free(m);
		return -1;
	}
	return 0;
}

void
msg_key_info_encode(struct hbuf *b, const hsm_key_info *m)
{
	hbuf_put_u32(b, m->owner);
	hbuf_put_u32(b, m->m_value);
	hbuf_put_u8(b, m->token);
	msg_user_ids_encode(b, m->shares, m->nshares);
}

int
msg_key_info_decode(struct hrd *r, hsm_key_info *m)
{
	uint32_t n;
	memset(m, 0, sizeof(*m));
	if (hrd_get_u32(r, &m->owner) != 0 || hrd_get_u32(r, &m->m_value) != 0 ||
	    hrd_get_bool(r, &m->token) != 0 || msg_user_ids_decode(r, m->shares, &n) != 0 ||
	    hrd_end(r) != 0)
		return -1;
	m->nshares = n;
	return 0;
}
