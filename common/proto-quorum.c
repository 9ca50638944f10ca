/* proto-quorum.c - codecs of the quorum (M of N) messages: key registration,
 * tokens, approvals and M values. Encoder and decoder sit side by side. */
#include <stdlib.h>
#include <string.h>

#include "proto.h"
#include "util.h"

const char *
hsm_service_name(uint32_t service)
{
	switch (service) {
	case HSM_SERVICE_USER_MGMT:
		return "USER_MGMT";
	case HSM_SERVICE_MISC_CO:
		return "MISC_CO";
	}
	return NULL;
}

/* A blob inside a message (msg_blob_decode wants the whole payload). */
static void
put_blob(struct hbuf *b, const struct msg_blob *m)
{
	hbuf_put_bytes(b, m->data, m->len);
}

static int
get_blob(struct hrd *r, struct msg_blob *m, size_t max)
{
	return hrd_get_bytes(r, &m->data, &m->len, max);
}

void
msg_register_key_encode(struct hbuf *b, const struct msg_register_key *m)
{
	hbuf_put_u8(b, m->user_type);
	hbuf_put_str(b, m->name);
	put_blob(b, &m->reg_token);
	put_blob(b, &m->signature);
	put_blob(b, &m->pubkey);
}

int
msg_register_key_decode(struct hrd *r, struct msg_register_key *m)
{
	memset(m, 0, sizeof(*m));
	if (hrd_get_u8(r, &m->user_type) != 0 || hrd_get_str(r, &m->name, PROTO_STR_MAX) != 0 ||
	    get_blob(r, &m->reg_token, HSM_QUORUM_REG_TOKEN_MAX) != 0 ||
	    get_blob(r, &m->signature, HSM_QUORUM_SIG_MAX) != 0 ||
	    get_blob(r, &m->pubkey, HSM_QUORUM_PUBKEY_MAX) != 0 || hrd_end(r) != 0) {
		msg_register_key_clear(m);
		return -1;
	}
	return 0;
}

void
msg_register_key_clear(struct msg_register_key *m)
{
	free(m->name);
	memset(m, 0, sizeof(*m));
}

void
msg_get_token_encode(struct hbuf *b, const struct msg_get_token *m)
{
	hbuf_put_u32(b, m->service);
	hbuf_put_str(b, m->name);
}

int
msg_get_token_decode(struct hrd *r, struct msg_get_token *m)
{
	memset(m, 0, sizeof(*m));
	if (hrd_get_u32(r, &m->service) != 0 || hrd_get_str(r, &m->name, PROTO_STR_MAX) != 0 ||
	    hrd_end(r) != 0) {
		msg_get_token_clear(m);
		return -1;
	}
	return 0;
}

void
msg_get_token_clear(struct msg_get_token *m)
{
	free(m->name);
	memset(m, 0, sizeof(*m));
}

void
msg_token_encode(struct hbuf *b, const hsm_quorum_token *t)
{
	hbuf_put_u32(b, t->id);
	hbuf_put_u32(b, t->service);
	hbuf_put_u32(b, t->node_id);
	hbuf_put_str(b, t->hsm_id);
	hbuf_put_u32(b, t->key_handle);
	hbuf_put_str(b, t->user);
	hbuf_put_raw(b, t->value, sizeof(t->value));
	hbuf_put_u32(b, t->validity_s);
	hbuf_put_u32(b, t->required);
	hbuf_put_u32(b, t->napprovals);
	for (uint32_t i = 0; i < t->napprovals && i < HSM_QUORUM_MAX_APPROVALS; i++)
		hbuf_put_str(b, t->approvers[i]);
}

int
msg_token_decode(struct hrd *r, hsm_quorum_token *t)
{
	memset(t, 0, sizeof(*t));
	if (hrd_get_u32(r, &t->id) != 0 || hrd_get_u32(r, &t->service) != 0 ||
	    hrd_get_u32(r, &t->node_id) != 0 ||
	    hrd_get_str_fixed(r, t->hsm_id, sizeof(t->hsm_id)) != 0 ||
	    hrd_get_u32(r, &t->key_handle) != 0 ||
	    hrd_get_str_fixed(r, t->user, sizeof(t->user)) != 0 ||
	    hrd_get_raw(r, t->value, sizeof(t->value)) != 0 ||
	    hrd_get_u32(r, &t->validity_s) != 0 || hrd_get_u32(r, &t->required) != 0 ||
	    hrd_get_u32(r, &t->napprovals) != 0 || t->napprovals > HSM_QUORUM_MAX_APPROVALS)
		return -1;
	for (uint32_t i = 0; i < t->napprovals; i++)
		if (hrd_get_str_fixed(r, t->approvers[i], sizeof(t->approvers[i])) != 0)
			return -1;
	return 0;
}

void
msg_token_list_encode(struct hbuf *b, const hsm_quorum_token *t, size_t n)
{
	hbuf_put_u32(b, (uint32_t)n);
	for (size_t i = 0; i < n; i++)
		msg_token_encode(b, &t[i]);
}

/* The smallest encoded token: fixed fields and two empty strings. */
#define TOKEN_MIN_WIRE (4 * 3 + 4 + 4 + 4 + HSM_QUORUM_TOKEN_LEN + 4 * 3)

int
msg_token_list_decode(struct hrd *r, hsm_quorum_token_list *out)
{
	uint32_t count;
	memset(out, 0, sizeof(*out));
	if (hrd_get_u32(r, &count) != 0 || count > HSM_QUORUM_MAX_TOKENS ||
	    hrd_left(r) / TOKEN_MIN_WIRE < count)
		return -1;
	out->tokens = calloc(count ? count : 1, sizeof(*out->tokens));
	if (out->tokens == NULL)
		return -1;
	for (uint32_t i = 0; i < count; i++) {
		if (msg_token_decode(r, &out->tokens[i]) != 0) {
			hsm_quorum_token_list_free(out);
			return -1;
		}
	}
	out->count = count;
	if (hrd_end(r) != 0) {
		hsm_quorum_token_list_free(out);
		return -1;
	}
	return 0;
}

void
hsm_quorum_token_list_free(hsm_quorum_token_list *l)
{
	if (l == NULL)
		return;
	free(l->tokens);
	l->tokens = NULL;
	l->count = 0;
}

void
msg_approve_token_encode(struct hbuf *b, const struct msg_approve_token *m)
{
	put_blob(b, &m->file);
	hbuf_put_u32(b, m->count);
	for (uint32_t i = 0; i < m->count && i < HSM_QUORUM_MAX_APPROVALS; i++) {
		hbuf_put_u8(b, m->approvals[i].user_type);
		hbuf_put_str(b, m->approvals[i].name);
		put_blob(b, &m->approvals[i].signature);
	}
}

int
msg_approve_token_decode(struct hrd *r, struct msg_approve_token *m)
{
	memset(m, 0, sizeof(*m));
	if (get_blob(r, &m->file, HSM_QUORUM_TOKEN_FILE_MAX) != 0 ||
	    hrd_get_u32(r, &m->count) != 0 || m->count > HSM_QUORUM_MAX_APPROVALS)
		return -1;
	for (uint32_t i = 0; i < m->count; i++) {
		struct msg_approval *a = &m->approvals[i];
		if (hrd_get_u8(r, &a->user_type) != 0 ||
		    hrd_get_str_fixed(r, a->name, sizeof(a->name)) != 0 ||
		    get_blob(r, &a->signature, HSM_QUORUM_SIG_MAX) != 0)
			return -1;
	}
	return hrd_end(r);
}

void
msg_m_value_encode(struct hbuf *b, uint32_t service, const uint32_t *m)
{
	hbuf_put_u32(b, service);
	if (m != NULL)
		hbuf_put_u32(b, *m);
}

int
msg_m_value_decode(struct hrd *r, uint32_t *service, uint32_t *m)
{
	if (hrd_get_u32(r, service) != 0 || (m != NULL && hrd_get_u32(r, m) != 0))
		return -1;
	return hrd_end(r);
}
