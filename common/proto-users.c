/* proto-users.c - codecs of the user-management messages.
 * The request side reuses msg_user_req; listUsers has its own reply. */
#include <stdlib.h>
#include <string.h>

#include "proto.h"

void
msg_user_list_encode(struct hbuf *b, const hsm_user_list *m)
{
	hbuf_put_u32(b, (uint32_t)m->count);
	for (size_t i = 0; i < m->count; i++) {
		const hsm_user_info *u = &m->users[i];
		hbuf_put_u32(b, u->id);
		hbuf_put_u8(b, (uint8_t)u->type);
		hbuf_put_str(b, u->name);
		hbuf_put_u8(b, u->mofn_pubkey);
		hbuf_put_u32(b, u->login_failures);
		hbuf_put_u8(b, u->two_factor);
	}
}

static int
user_info_decode(struct hrd *r, hsm_user_info *u)
{
	uint8_t type;
	if (hrd_get_u32(r, &u->id) != 0 || hrd_get_u8(r, &type) != 0 ||
	    hrd_get_str_fixed(r, u->name, sizeof(u->name)) != 0 ||
	    hrd_get_bool(r, &u->mofn_pubkey) != 0 ||
	    hrd_get_u32(r, &u->login_failures) != 0 ||
	    hrd_get_bool(r, &u->two_factor) != 0)
		return -1;
	if (hsm_user_type_name((hsm_user_type)type) == NULL)
		return -1;
	u->type = (hsm_user_type)type;
	return 0;
}

int
msg_user_list_decode(struct hrd *r, hsm_user_list *m)
{
	uint32_t count;
	memset(m, 0, sizeof(*m));
	if (hrd_get_u32(r, &count) != 0 || count > HSM_MAX_USERS)
		return -1;
	/* Each entry is at least 15 bytes: refuse counts the frame cannot hold. */
	if (hrd_left(r) / 15 < count)
		return -1;
	m->users = calloc(count ? count : 1, sizeof(*m->users));
	if (m->users == NULL)
		return -1;
	for (uint32_t i = 0; i < count; i++) {
		if (user_info_decode(r, &m->users[i]) != 0) {
			hsm_user_list_free(m);
			return -1;
		}
	}
	m->count = count;
	if (hrd_end(r) != 0) {
		hsm_user_list_free(m);
		return -1;
	}
	return 0;
}

void
msg_user_ref_encode(struct hbuf *b, const struct msg_user_ref *m)
{
	hbuf_put_u32(b, m->id);
	hbuf_put_str(b, m->name ? m->name : "");
}

int
msg_user_ref_decode(struct hrd *r, struct msg_user_ref *m)
{
	memset(m, 0, sizeof(*m));
	if (hrd_get_u32(r, &m->id) != 0 || hrd_get_str(r, &m->name, PROTO_STR_MAX) != 0 ||
	    hrd_end(r) != 0) {
		msg_user_ref_clear(m);
		return -1;
	}
	return 0;
}

void
msg_user_ref_clear(struct msg_user_ref *m)
{
	free(m->name);
	memset(m, 0, sizeof(*m));
}
