/* proto-wrap.c - codecs of the wrap family: wrapKey, unWrapKey, host data
 * through an HSM key, public key import. Every length is bounded on decode. */
#include <string.h>

#include "proto.h"

/* A u32-prefixed blob inside a message (msg_blob_decode wants it last). */
static int
get_blob(struct hrd *r, struct msg_blob *m, size_t max)
{
	return hrd_get_bytes(r, &m->data, &m->len, max);
}

void
msg_wrap_params_encode(struct hbuf *b, const struct msg_wrap_params *m)
{
	hbuf_put_u32(b, m->mech);
	hbuf_put_u32(b, m->hash);
	hbuf_put_bytes(b, m->iv.data, m->iv.len);
	hbuf_put_bytes(b, m->aad.data, m->aad.len);
	hbuf_put_u32(b, m->tag_len);
}

int
msg_wrap_params_decode(struct hrd *r, struct msg_wrap_params *m)
{
	memset(m, 0, sizeof(*m));
	if (hrd_get_u32(r, &m->mech) != 0 || hrd_get_u32(r, &m->hash) != 0 ||
	    get_blob(r, &m->iv, WRAP_MSG_IV_MAX) != 0 ||
	    get_blob(r, &m->aad, WRAP_MSG_DATA_MAX) != 0 ||
	    hrd_get_u32(r, &m->tag_len) != 0)
		return -1;
	return 0;
}

void
msg_wrap_key_req_encode(struct hbuf *b, const struct msg_wrap_key_req *m)
{
	hbuf_put_u32(b, m->wrapping);
	hbuf_put_u32(b, m->key);
	msg_wrap_params_encode(b, &m->p);
}

int
msg_wrap_key_req_decode(struct hrd *r, struct msg_wrap_key_req *m)
{
	memset(m, 0, sizeof(*m));
	if (hrd_get_u32(r, &m->wrapping) != 0 || hrd_get_u32(r, &m->key) != 0 ||
	    msg_wrap_params_decode(r, &m->p) != 0 || hrd_end(r) != 0)
		return -1;
	return 0;
}

void
msg_wrap_data_req_encode(struct hbuf *b, const struct msg_wrap_data_req *m)
{
	hbuf_put_u32(b, m->key);
	msg_wrap_params_encode(b, &m->p);
	hbuf_put_bytes(b, m->data.data, m->data.len);
}

int
msg_wrap_data_req_decode(struct hrd *r, struct msg_wrap_data_req *m)
{
	memset(m, 0, sizeof(*m));
	if (hrd_get_u32(r, &m->key) != 0 || msg_wrap_params_decode(r, &m->p) != 0 ||
	    get_blob(r, &m->data, WRAP_MSG_DATA_MAX + WRAP_MSG_OVERHEAD) != 0 ||
	    hrd_end(r) != 0)
		return -1;
	return 0;
}

void
msg_wrap_resp_encode(struct hbuf *b, const struct msg_wrap_resp *m)
{
	hbuf_put_bytes(b, m->data.data, m->data.len);
	hbuf_put_bytes(b, m->iv.data, m->iv.len);
	hbuf_put_u32(b, m->key_class);
	hbuf_put_u32(b, m->key_type);
	hbuf_put_u32(b, m->value_len);
	hbuf_put_str(b, m->label);
	hbuf_put_str(b, m->id);
}

int
msg_wrap_resp_decode(struct hrd *r, struct msg_wrap_resp *m)
{
	memset(m, 0, sizeof(*m));
	if (get_blob(r, &m->data, WRAP_MSG_DATA_MAX + WRAP_MSG_OVERHEAD) != 0 ||
	    get_blob(r, &m->iv, WRAP_MSG_IV_MAX) != 0 ||
	    hrd_get_u32(r, &m->key_class) != 0 || hrd_get_u32(r, &m->key_type) != 0 ||
	    hrd_get_u32(r, &m->value_len) != 0 ||
	    hrd_get_str_fixed(r, m->label, sizeof(m->label)) != 0 ||
	    hrd_get_str_fixed(r, m->id, sizeof(m->id)) != 0 || hrd_end(r) != 0)
		return -1;
	return 0;
}

void
msg_unwrap_req_encode(struct hbuf *b, const struct msg_unwrap_req *m)
{
	hbuf_put_u32(b, m->unwrapping);
	msg_wrap_params_encode(b, &m->p);
	msg_key_template_encode(b, &m->t);
	hbuf_put_bytes(b, m->data.data, m->data.len);
}

int
msg_unwrap_req_decode(struct hrd *r, struct msg_unwrap_req *m)
{
	memset(m, 0, sizeof(*m));
	if (hrd_get_u32(r, &m->unwrapping) != 0 || msg_wrap_params_decode(r, &m->p) != 0 ||
	    msg_key_template_decode(r, &m->t) != 0)
		return -1;
	if (get_blob(r, &m->data, WRAP_MSG_DATA_MAX + WRAP_MSG_OVERHEAD) != 0 ||
	    hrd_end(r) != 0) {
		msg_key_template_clear(&m->t);
		return -1;
	}
	return 0;
}

void
msg_create_pub_req_encode(struct hbuf *b, const struct msg_create_pub_req *m)
{
	msg_key_template_encode(b, &m->t);
	hbuf_put_bytes(b, m->der.data, m->der.len);
}

int
msg_create_pub_req_decode(struct hrd *r, struct msg_create_pub_req *m)
{
	memset(m, 0, sizeof(*m));
	if (msg_key_template_decode(r, &m->t) != 0)
		return -1;
	if (get_blob(r, &m->der, WRAP_MSG_PUBKEY_MAX) != 0 || hrd_end(r) != 0) {
		msg_key_template_clear(&m->t);
		return -1;
	}
	return 0;
}
