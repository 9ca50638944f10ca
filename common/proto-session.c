/* proto-session.c - codecs of the session and node messages.
 * Encoder and decoder of each message sit together so the ends agree. */
#include <stdlib.h>
#include <string.h>

#include "proto.h"
#include "util.h"

void
msg_hello_encode(struct hbuf *b, const struct msg_hello *m)
{
	hbuf_put_u32(b, m->node_id);
	hbuf_put_u32(b, m->node_count);
	hbuf_put_str(b, m->hsm_id);
	hbuf_put_str(b, m->cluster_id);
}

int
msg_hello_decode(struct hrd *r, struct msg_hello *m)
{
	if (hrd_get_u32(r, &m->node_id) != 0 || hrd_get_u32(r, &m->node_count) != 0 ||
	    hrd_get_str_fixed(r, m->hsm_id, sizeof(m->hsm_id)) != 0 ||
	    hrd_get_str_fixed(r, m->cluster_id, sizeof(m->cluster_id)) != 0)
		return -1;
	return hrd_end(r);
}

void
msg_user_req_encode(struct hbuf *b, const struct msg_user_req *m)
{
	hbuf_put_u8(b, m->user_type);
	hbuf_put_u8(b, m->flags);
	hbuf_put_str(b, m->name);
	if (m->password != NULL)
		hbuf_put_str(b, m->password);
	if (m->password != NULL && (m->flags & USER_REQ_FLAG_TFA))
		msg_tfa_encode(b, &m->tfa);
}

int
msg_user_req_decode(struct hrd *r, struct msg_user_req *m, bool with_password)
{
	memset(m, 0, sizeof(*m));
	if (hrd_get_u8(r, &m->user_type) != 0 || hrd_get_u8(r, &m->flags) != 0 ||
	    hrd_get_str(r, &m->name, PROTO_STR_MAX) != 0)
		goto fail;
	if (with_password && hrd_get_str(r, &m->password, PROTO_STR_MAX) != 0)
		goto fail;
	if (with_password && (m->flags & USER_REQ_FLAG_TFA) && msg_tfa_decode(r, &m->tfa) != 0)
		goto fail;
	if (hrd_end(r) == 0)
		return 0;
fail:
	msg_user_req_clear(m);
	return -1;
}

void
msg_user_req_clear(struct msg_user_req *m)
{
	free(m->name);
	hsm_free_secret(m->password);
	memset(m, 0, sizeof(*m));
}

void
msg_hsm_info_encode(struct hbuf *b, const hsm_hsm_info *m)
{
	hbuf_put_str(b, m->label);
	hbuf_put_str(b, m->model);
	hbuf_put_str(b, m->serial);
	hbuf_put_u32(b, m->flags);
	hbuf_put_u32(b, m->fips_state);
	hbuf_put_str(b, m->manufacturer_id);
	const uint32_t nums[] = {
		m->device_id, m->class_code, m->vendor_id, m->subsystem_id,
		m->total_public_memory, m->free_public_memory,
		m->total_private_memory, m->free_private_memory,
		m->hardware_major, m->hardware_minor, m->firmware_major,
		m->firmware_minor, m->temperature, m->build_number,
	};
	for (size_t i = 0; i < ARRAY_SIZE(nums); i++)
		hbuf_put_u32(b, nums[i]);
	hbuf_put_str(b, m->firmware_id);
}

int
msg_hsm_info_decode(struct hrd *r, hsm_hsm_info *m)
{
	memset(m, 0, sizeof(*m));
	if (hrd_get_str_fixed(r, m->label, sizeof(m->label)) != 0 ||
	    hrd_get_str_fixed(r, m->model, sizeof(m->model)) != 0 ||
	    hrd_get_str_fixed(r, m->serial, sizeof(m->serial)) != 0 ||
	    hrd_get_u32(r, &m->flags) != 0 || hrd_get_u32(r, &m->fips_state) != 0 ||
	    hrd_get_str_fixed(r, m->manufacturer_id, sizeof(m->manufacturer_id)) != 0)
		return -1;
	uint32_t *nums[] = {
		&m->device_id, &m->class_code, &m->vendor_id, &m->subsystem_id,
		&m->total_public_memory, &m->free_public_memory,
		&m->total_private_memory, &m->free_private_memory,
		&m->hardware_major, &m->hardware_minor, &m->firmware_major,
		&m->firmware_minor, &m->temperature, &m->build_number,
	};
	for (size_t i = 0; i < ARRAY_SIZE(nums); i++)
		if (hrd_get_u32(r, nums[i]) != 0)
			return -1;
	if (hrd_get_str_fixed(r, m->firmware_id, sizeof(m->firmware_id)) != 0)
		return -1;
	return hrd_end(r);
}

void
msg_blob_encode(struct hbuf *b, const struct msg_blob *m)
{
	hbuf_put_bytes(b, m->data, m->len);
}

int
msg_blob_decode(struct hrd *r, struct msg_blob *m, size_t max)
{
	if (hrd_get_bytes(r, &m->data, &m->len, max) != 0)
		return -1;
	return hrd_end(r);
}

void
msg_e2e_resp_encode(struct hbuf *b, const struct msg_e2e_resp *m)
{
	hbuf_put_bytes(b, m->cert_pem.data, m->cert_pem.len);
	hbuf_put_bytes(b, m->signature.data, m->signature.len);
}

int
msg_e2e_resp_decode(struct hrd *r, struct msg_e2e_resp *m)
{
	if (hrd_get_bytes(r, &m->cert_pem.data, &m->cert_pem.len, 65536) != 0 ||
	    hrd_get_bytes(r, &m->signature.data, &m->signature.len, 4096) != 0)
		return -1;
	return hrd_end(r);
}

void
msg_cluster_info_encode(struct hbuf *b, const struct msg_cluster_info *m)
{
	hbuf_put_u32(b, m->count);
	for (uint32_t i = 0; i < m->count && i < CLUSTER_MAX_NODES; i++) {
		hbuf_put_u32(b, m->nodes[i].node_id);
		hbuf_put_str(b, m->nodes[i].host);
		hbuf_put_u32(b, m->nodes[i].port);
	}
}

int
msg_cluster_info_decode(struct hrd *r, struct msg_cluster_info *m)
{
	memset(m, 0, sizeof(*m));
	if (hrd_get_u32(r, &m->count) != 0 || m->count == 0 ||
	    m->count > CLUSTER_MAX_NODES)
		return -1;
	for (uint32_t i = 0; i < m->count; i++) {
		struct msg_node *n = &m->nodes[i];
		if (hrd_get_u32(r, &n->node_id) != 0 ||
		    hrd_get_str_fixed(r, n->host, sizeof(n->host)) != 0 ||
		    hrd_get_u32(r, &n->port) != 0 || n->port == 0 || n->port > 65535)
			return -1;
	}
	return hrd_end(r);
}
