/* test-proto.c - unit tests of common/proto.h: framing, every message codec,
 * and a mutation fuzz loop proving that no altered frame crashes a decoder. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cu-util.h"
#include "proto.h"

/* ---- framing ---------------------------------------------------------------- */

static void
test_frame_layout(void)
{
	static const uint8_t want[] = {
		0, 0, 0, 15,                 /* length of what follows */
		1, 2, 0x01, 0x04,            /* version, kind, opcode */
		0xca, 0xfe, 0xba, 0xbe,      /* id */
		0x00, 0x00, 0x00, 0xa3,      /* status */
		'a', 'b', 'c',
	};
	struct hbuf b;
	hbuf_init(&b);
	proto_begin(&b, PROTO_RESPONSE, OP_CHANGE_PSWD, 0xcafebabeu, 0xa3);
	hbuf_put_raw(&b, "abc", 3);
	CU_ASSERT_EQUAL(proto_finish(&b), 0);
	CU_ASSERT(b.len == sizeof(want) && memcmp(b.data, want, sizeof(want)) == 0);
	hbuf_free(&b);
}

static void
test_parse_valid_frames(void)
{
	struct hbuf b;
	struct proto_hdr h;
	struct hrd pl;
	hbuf_init(&b);
	proto_begin(&b, PROTO_REQUEST, OP_LOGIN, 7, 0);
	hbuf_put_u16(&b, 0xbeef);
	CU_ASSERT_EQUAL(proto_finish(&b), 0);
	CU_ASSERT_EQUAL(proto_parse(b.data + 4, b.len - 4, &h, &pl), 0);
	CU_ASSERT_EQUAL(h.version, PROTO_VERSION);
	CU_ASSERT_EQUAL(h.kind, PROTO_REQUEST);
	CU_ASSERT_EQUAL(h.opcode, OP_LOGIN);
	CU_ASSERT_EQUAL(h.id, 7);
	CU_ASSERT_EQUAL(h.status, 0);
	uint16_t v = 0;
	CU_ASSERT(hrd_get_u16(&pl, &v) == 0 && v == 0xbeef && hrd_end(&pl) == 0);

	/* A response may carry any status; a bare header is a valid frame. */
	hbuf_reset(&b);
	proto_begin(&b, PROTO_RESPONSE, OP_HELLO, 0xffffffffu, 0x30000085u);
	CU_ASSERT_EQUAL(proto_finish(&b), 0);
	CU_ASSERT_EQUAL(b.len, 4 + PROTO_HDR_LEN);
	CU_ASSERT_EQUAL(proto_parse(b.data + 4, b.len - 4, &h, &pl), 0);
	CU_ASSERT(h.kind == PROTO_RESPONSE && h.status == 0x30000085u && h.id == 0xffffffffu);
	CU_ASSERT_EQUAL(hrd_left(&pl), 0);
	hbuf_free(&b);
}

/* Header bytes: version, kind, opcode(2), id(4), status(4). */
static int
parse_header(uint8_t version, uint8_t kind, uint32_t status)
{
	uint8_t body[PROTO_HDR_LEN] = { version, kind, 0x00, 0x01, 0, 0, 0, 1 };
	body[8] = (uint8_t)(status >> 24);
	body[9] = (uint8_t)(status >> 16);
	body[10] = (uint8_t)(status >> 8);
	body[11] = (uint8_t)status;
	struct proto_hdr h;
	struct hrd pl;
	return proto_parse(body, sizeof(body), &h, &pl);
}

static void
test_parse_rejects_bad_headers(void)
{
	CU_ASSERT_EQUAL(parse_header(1, PROTO_REQUEST, 0), 0);
	CU_ASSERT_EQUAL(parse_header(0, PROTO_REQUEST, 0), -1);
	CU_ASSERT_EQUAL(parse_header(2, PROTO_REQUEST, 0), -1);
	CU_ASSERT_EQUAL(parse_header(255, PROTO_RESPONSE, 0), -1);
	CU_ASSERT_EQUAL(parse_header(1, 0, 0), -1);
	CU_ASSERT_EQUAL(parse_header(1, 3, 0), -1);
	CU_ASSERT_EQUAL(parse_header(1, 255, 0), -1);
	CU_ASSERT_EQUAL(parse_header(1, PROTO_REQUEST, 1), -1);
	CU_ASSERT_EQUAL(parse_header(1, PROTO_REQUEST, 0x80000000u), -1);
	CU_ASSERT_EQUAL(parse_header(1, PROTO_RESPONSE, 0xa3), 0);
}

static void
test_parse_rejects_short_header(void)
{
	uint8_t body[PROTO_HDR_LEN] = { 1, 1, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0 };
	struct proto_hdr h;
	struct hrd pl;
	for (size_t n = 0; n < PROTO_HDR_LEN; n++)
		CU_ASSERT_EQUAL(proto_parse(body, n, &h, &pl), -1);
	CU_ASSERT_EQUAL(proto_parse(body, PROTO_HDR_LEN, &h, &pl), 0);
}

static void
test_finish_refuses_failed_or_headless(void)
{
	struct hbuf b;
	hbuf_init(&b);
	hbuf_put_u32(&b, 0);
	hbuf_put_u8(&b, 1);
	CU_ASSERT_EQUAL(proto_finish(&b), -1);   /* no complete header */
	hbuf_reset(&b);
	proto_begin(&b, PROTO_REQUEST, OP_HELLO, 1, 0);
	b.failed = true;
	CU_ASSERT_EQUAL(proto_finish(&b), -1);
	hbuf_free(&b);
}

static void
test_op_names(void)
{
	static const struct { uint16_t op; const char *name; } names[] = {
		{ OP_HELLO, "HELLO" }, { OP_LOGIN, "LOGIN" }, { OP_LOGOUT, "LOGOUT" },
		{ OP_GET_HSM_INFO, "GET_HSM_INFO" }, { OP_GET_CERT, "GET_CERT" },
		{ OP_E2E_CHALLENGE, "E2E_CHALLENGE" }, { OP_CLUSTER_INFO, "CLUSTER_INFO" },
		{ OP_LIST_USERS, "LIST_USERS" }, { OP_CREATE_USER, "CREATE_USER" },
		{ OP_DELETE_USER, "DELETE_USER" }, { OP_CHANGE_PSWD, "CHANGE_PSWD" },
		{ OP_EXTRACT_USER, "EXTRACT_USER" }, { OP_INSERT_USER, "INSERT_USER" },
		{ OP_REGISTER_QUORUM_KEY, "REGISTER_QUORUM_KEY" }, { OP_GET_TOKEN, "GET_TOKEN" },
		{ OP_APPROVE_TOKEN, "APPROVE_TOKEN" }, { OP_LIST_TOKENS, "LIST_TOKENS" },
		{ OP_GET_M_VALUE, "GET_M_VALUE" }, { OP_SET_M_VALUE, "SET_M_VALUE" },
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		CU_ASSERT_STRING_EQUAL(proto_op_name(names[i].op), names[i].name);
	CU_ASSERT_STRING_EQUAL(proto_op_name(0), "UNKNOWN");
	CU_ASSERT_STRING_EQUAL(proto_op_name(0xffff), "UNKNOWN");
}

/* ---- sample messages ------------------------------------------------------- */

static const struct msg_hello sample_hello = {
	.node_id = 27, .node_count = 28,
	.hsm_id = "hsm-abcdefghijk", .cluster_id = "cluster-0123456789abcdef",
};

static void
fill_hsm_info(hsm_hsm_info *m)
{
	memset(m, 0, sizeof(*m));
	strcpy(m->label, "hsm-sim");
	strcpy(m->model, "HSM-SIM software simulator");
	strcpy(m->serial, "SIM-hsm-abcdefghijk");
	strcpy(m->manufacturer_id, "Marvell");
	strcpy(m->firmware_id, "hsm-sim-1.0.0");
	uint32_t *nums[] = {
		&m->flags, &m->fips_state, &m->device_id, &m->class_code, &m->vendor_id,
		&m->subsystem_id, &m->total_public_memory, &m->free_public_memory,
		&m->total_private_memory, &m->free_private_memory, &m->hardware_major,
		&m->hardware_minor, &m->firmware_major, &m->firmware_minor,
		&m->temperature, &m->build_number,
	};
	/* Distinct values so a swapped pair of fields cannot go unnoticed. */
	for (size_t i = 0; i < sizeof(nums) / sizeof(nums[0]); i++)
		*nums[i] = 0x01000000u * (uint32_t)(i + 1) + (uint32_t)i;
}

static void
fill_cluster(struct msg_cluster_info *m, uint32_t count)
{
	memset(m, 0, sizeof(*m));
	m->count = count;
	for (uint32_t i = 0; i < count; i++) {
		m->nodes[i].node_id = i;
		snprintf(m->nodes[i].host, sizeof(m->nodes[i].host), "node%u.example", i);
		m->nodes[i].port = 2223 + i * 1000;
	}
}

static hsm_user_info sample_users[] = {
	{ 1, HSM_USER_CO, "admin", false, 0, false },
	{ 2, HSM_USER_AU, "app_user", false, 0, false },
	{ 3, HSM_USER_CU, "crypto_user_with_a_long_name_31", true, 4, true },
	{ 7, HSM_USER_PCO, "pco", false, 5, false },
	{ 9, HSM_USER_PRECO, "preco_x", true, 0xffffffffu, false },
};

/* ---- the codecs, behind one interface ---------------------------------------- */

/* decode: 0 and the message re-encoded into out, or -1. */
struct codec {
	const char *name;
	void (*encode)(struct hbuf *b);
	int (*decode)(struct hrd *r, struct hbuf *out);
};

static void enc_hello(struct hbuf *b) { msg_hello_encode(b, &sample_hello); }

static int
dec_hello(struct hrd *r, struct hbuf *out)
{
	struct msg_hello m;
	if (msg_hello_decode(r, &m) != 0)
		return -1;
	msg_hello_encode(out, &m);
	return 0;
}

static void
enc_user_req_pw(struct hbuf *b)
{
	struct msg_user_req m = { .user_type = HSM_USER_CU, .flags = LOGIN_FLAG_CU_ONLY,
	                          .name = "alice", .password = "s3cret-pw" };
	msg_user_req_encode(b, &m);
}

static int
dec_user_req(struct hrd *r, struct hbuf *out, bool pw)
{
	struct msg_user_req m;
	if (msg_user_req_decode(r, &m, pw) != 0)
		return -1;
	msg_user_req_encode(out, &m);
	msg_user_req_clear(&m);
	return 0;
}

static int dec_user_req_pw(struct hrd *r, struct hbuf *o) { return dec_user_req(r, o, true); }
static int dec_user_req_nopw(struct hrd *r, struct hbuf *o) { return dec_user_req(r, o, false); }

static void
enc_user_req_nopw(struct hbuf *b)
{
	struct msg_user_req m = { .user_type = HSM_USER_CO, .flags = 0,
	                          .name = "officer_1", .password = NULL };
	msg_user_req_encode(b, &m);
}

static void
enc_hsm_info(struct hbuf *b)
{
	hsm_hsm_info m;
	fill_hsm_info(&m);
	msg_hsm_info_encode(b, &m);
}

static int
dec_hsm_info(struct hrd *r, struct hbuf *out)
{
	hsm_hsm_info m;
	if (msg_hsm_info_decode(r, &m) != 0)
		return -1;
	msg_hsm_info_encode(out, &m);
	return 0;
}

static const uint8_t blob_bytes[] = { 0, 1, 2, 0xfe, 0xff, 'b', 'l', 'o', 'b', 0 };

static void
enc_blob(struct hbuf *b)
{
	struct msg_blob m = { blob_bytes, sizeof(blob_bytes) };
	msg_blob_encode(b, &m);
}

static int
dec_blob(struct hrd *r, struct hbuf *out)
{
	struct msg_blob m;
	if (msg_blob_decode(r, &m, 64) != 0)
		return -1;
	msg_blob_encode(out, &m);
	return 0;
}

static const char cert_text[] = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

static void
enc_e2e(struct hbuf *b)
{
	struct msg_e2e_resp m = {
		{ (const uint8_t *)cert_text, sizeof(cert_text) - 1 },
		{ blob_bytes, sizeof(blob_bytes) },
	};
	msg_e2e_resp_encode(b, &m);
}

static int
dec_e2e(struct hrd *r, struct hbuf *out)
{
	struct msg_e2e_resp m;
	if (msg_e2e_resp_decode(r, &m) != 0)
		return -1;
	msg_e2e_resp_encode(out, &m);
	return 0;
}

static void
enc_cluster(struct hbuf *b, uint32_t count)
{
	struct msg_cluster_info m;
	fill_cluster(&m, count);
	msg_cluster_info_encode(b, &m);
}

static void enc_cluster_1(struct hbuf *b) { enc_cluster(b, 1); }
static void enc_cluster_3(struct hbuf *b) { enc_cluster(b, 3); }

static int
dec_cluster(struct hrd *r, struct hbuf *out)
{
	struct msg_cluster_info m;
	if (msg_cluster_info_decode(r, &m) != 0)
		return -1;
	msg_cluster_info_encode(out, &m);
	return 0;
}

static void
enc_users(struct hbuf *b, size_t count)
{
	hsm_user_list l = { count, sample_users };
	msg_user_list_encode(b, &l);
}

static void enc_users_0(struct hbuf *b) { enc_users(b, 0); }
static void enc_users_all(struct hbuf *b) { enc_users(b, 5); }

static int
dec_users(struct hrd *r, struct hbuf *out)
{
	hsm_user_list l;
	if (msg_user_list_decode(r, &l) != 0)
		return -1;
	msg_user_list_encode(out, &l);
	hsm_user_list_free(&l);
	return 0;
}

static void
enc_user_ref(struct hbuf *b)
{
	struct msg_user_ref m = { 0, "Alice_1" };
	msg_user_ref_encode(b, &m);
}

static void
enc_user_ref_id(struct hbuf *b)
{
	struct msg_user_ref m = { 0xfffffffeu, NULL };
	msg_user_ref_encode(b, &m);
}

static int
dec_user_ref(struct hrd *r, struct hbuf *out)
{
	struct msg_user_ref m;
	if (msg_user_ref_decode(r, &m) != 0)
		return -1;
	msg_user_ref_encode(out, &m);
	msg_user_ref_clear(&m);
	return 0;
}

/* ---- keys and crypto family: fuzzed the same way ---------------------------- */

/* Decoders that leave the end check to their caller get it here. */
static int
end_or_fail(struct hrd *r, struct hbuf *out, size_t mark)
{
	if (hrd_end(r) == 0)
		return 0;
	out->len = mark;
	return -1;
}

static void
enc_key_template(struct hbuf *b)
{
	struct msg_key_template m = {
		.key_class = 4, .key_type = 31, .size = 32, .public_exponent = 65537,
		.curve_id = 0, .label = "aes-label", .id = "k-id", .session = true,
		.extractable = false, .m_value = 2, .nshares = 3, .shares = { 5, 6, 7 },
	};
	msg_key_template_encode(b, &m);
}

static int
dec_key_template(struct hrd *r, struct hbuf *out)
{
	struct msg_key_template m;
	if (msg_key_template_decode(r, &m) != 0)
		return -1;
	msg_key_template_encode(out, &m);
	msg_key_template_clear(&m);
	return end_or_fail(r, out, 0);
}

static const uint8_t modulus[] = { 0xc1, 0x00, 0x7f, 0x80, 0xff };

static void
enc_key_filter(struct hbuf *b)
{
	struct msg_key_filter m = {
		.flags = FILTER_CLASS | FILTER_LABEL | FILTER_MODULUS | FILTER_KCV,
		.key_class = 3, .key_type = 0, .label = "rsa-key", .id = "", .session = false,
		.nusers = 2, .users = { 9, 10 }, .modulus = { modulus, sizeof(modulus) },
		.kcv = { 0xab, 0xcd, 0xef },
	};
	msg_key_filter_encode(b, &m);
}

static int
dec_key_filter(struct hrd *r, struct hbuf *out)
{
	struct msg_key_filter m;
	if (msg_key_filter_decode(r, &m) != 0)
		return -1;
	msg_key_filter_encode(out, &m);
	msg_key_filter_clear(&m);
	return 0;
}

static const uint32_t handle_list[] = { 6, 262150, 0xffffffffu };

static void enc_handles(struct hbuf *b) { msg_handles_encode(b, handle_list, 3); }

static int
dec_handles(struct hrd *r, struct hbuf *out)
{
	uint32_t *h;
	size_t n;
	if (msg_handles_decode(r, &h, &n) != 0)
		return -1;
	msg_handles_encode(out, h, n);
	free(h);
	return 0;
}

static void
enc_attr_list(struct hbuf *b)
{
	hsm_attribute a[] = {
		{ 3, (uint8_t *)"label", 5 }, { 0x161, (uint8_t *)"\x00\x00\x00\x20", 4 },
		{ 0x100, NULL, 0 },
	};
	hsm_attribute_list l = { 3, a };
	msg_attr_list_encode(b, &l);
}

static int
dec_attr_list(struct hrd *r, struct hbuf *out)
{
	hsm_attribute_list l;
	if (msg_attr_list_decode(r, &l) != 0)
		return -1;
	msg_attr_list_encode(out, &l);
	hsm_attribute_list_free(&l);
	return 0;
}

static void
enc_key_info(struct hbuf *b)
{
	hsm_key_info k = { .owner = 3, .shares = { 4, 5 }, .nshares = 2, .m_value = 1,
	                   .token = true };
	msg_key_info_encode(b, &k);
}

static int
dec_key_info(struct hrd *r, struct hbuf *out)
{
	hsm_key_info k;
	if (msg_key_info_decode(r, &k) != 0)
		return -1;
	msg_key_info_encode(out, &k);
	return 0;
}

static void
enc_user_ids(struct hbuf *b)
{
	static const uint32_t ids[] = { 1, 2, 3, 4 };
	msg_user_ids_encode(b, ids, 4);
}

static int
dec_user_ids(struct hrd *r, struct hbuf *out)
{
	uint32_t ids[HSM_MAX_SHARES], n = 0;
	if (msg_user_ids_decode(r, ids, &n) != 0)
		return -1;
	msg_user_ids_encode(out, ids, n);
	return end_or_fail(r, out, 0);
}

static void
enc_sign(struct hbuf *b, bool with_sig)
{
	struct msg_sign_req m = { 262150, 1, { blob_bytes, sizeof(blob_bytes) }, with_sig,
	                          { modulus, sizeof(modulus) } };
	msg_sign_req_encode(b, &m);
}

static void enc_sign_req(struct hbuf *b) { enc_sign(b, false); }
static void enc_verify_req(struct hbuf *b) { enc_sign(b, true); }

static int
dec_sign(struct hrd *r, struct hbuf *out, bool with_sig)
{
	struct msg_sign_req m;
	if (msg_sign_req_decode(r, &m, with_sig) != 0)
		return -1;
	msg_sign_req_encode(out, &m);
	return 0;
}

static int dec_sign_req(struct hrd *r, struct hbuf *o) { return dec_sign(r, o, false); }
static int dec_verify_req(struct hrd *r, struct hbuf *o) { return dec_sign(r, o, true); }

static void enc_find_all(struct hbuf *b) { msg_find_all_req_encode(b, 7, true); }

static int
dec_find_all(struct hrd *r, struct hbuf *out)
{
	uint32_t user;
	bool with_hash;
	if (msg_find_all_req_decode(r, &user, &with_hash) != 0)
		return -1;
	msg_find_all_req_encode(out, user, with_hash);
	return 0;
}

static void
enc_user_keys(struct hbuf *b)
{
	hsm_user_key keys[] = { { 6, HSM_KEYREL_OWNER }, { 7, HSM_KEYREL_SHARED },
	                        { 8, HSM_KEYREL_OWNER_SHARED } };
	hsm_user_key_list l = { 3, keys, true, { 0 } };
	memset(l.hash, 0x5c, sizeof(l.hash));
	msg_user_keys_encode(b, &l);
}

static int
dec_user_keys(struct hrd *r, struct hbuf *out)
{
	hsm_user_key_list l;
	if (msg_user_keys_decode(r, &l) != 0)
		return -1;
	msg_user_keys_encode(out, &l);
	hsm_user_key_list_free(&l);
	return 0;
}

/* The quorum family (proto-quorum.c). */
static const uint8_t sample_sig[256] = { 0x5a, 0x01, 0x02 };

static void
enc_register_key(struct hbuf *b)
{
	static const uint8_t der[] = { 0x30, 0x82, 0x01, 0x22 };
	struct msg_register_key m = {
		HSM_USER_CO, "officer1", { (const uint8_t *)"token to be signed\n", 19 },
		{ sample_sig, sizeof(sample_sig) }, { der, sizeof(der) },
	};
	msg_register_key_encode(b, &m);
}

static int
dec_register_key(struct hrd *r, struct hbuf *out)
{
	struct msg_register_key m;
	if (msg_register_key_decode(r, &m) != 0)
		return -1;
	msg_register_key_encode(out, &m);
	msg_register_key_clear(&m);
	return 0;
}

static void
enc_get_token(struct hbuf *b)
{
	struct msg_get_token m = { HSM_SERVICE_USER_MGMT, "officer1" };
	msg_get_token_encode(b, &m);
}

static int
dec_get_token(struct hrd *r, struct hbuf *out)
{
	struct msg_get_token m;
	if (msg_get_token_decode(r, &m) != 0)
		return -1;
	msg_get_token_encode(out, &m);
	msg_get_token_clear(&m);
	return 0;
}

static hsm_quorum_token
sample_quorum_token(uint32_t id, uint32_t napprovals)
{
	hsm_quorum_token t = { .id = id, .service = 3, .node_id = 1, .hsm_id = "hsm-abcdefghijk",
	                       .user = "officer1", .validity_s = 506, .required = 2,
	                       .napprovals = napprovals };
	memset(t.value, 0xc3, sizeof(t.value));
	for (uint32_t i = 0; i < napprovals; i++)
		snprintf(t.approvers[i], sizeof(t.approvers[i]), "officer%u", i + 1);
	return t;
}

static void
enc_token(struct hbuf *b)
{
	hsm_quorum_token t = sample_quorum_token(1, 2);
	msg_token_encode(b, &t);
}

static int
dec_token(struct hrd *r, struct hbuf *out)
{
	hsm_quorum_token t;
	if (msg_token_decode(r, &t) != 0 || hrd_end(r) != 0)
		return -1;
	msg_token_encode(out, &t);
	return 0;
}

static void
enc_token_list(struct hbuf *b)
{
	hsm_quorum_token t[2] = { sample_quorum_token(1, 0), sample_quorum_token(2, 16) };
	msg_token_list_encode(b, t, 2);
}

static int
dec_token_list(struct hrd *r, struct hbuf *out)
{
	hsm_quorum_token_list l;
	if (msg_token_list_decode(r, &l) != 0)
		return -1;
	msg_token_list_encode(out, l.tokens, l.count);
	hsm_quorum_token_list_free(&l);
	return 0;
}

static void
enc_approve(struct hbuf *b)
{
	struct msg_approve_token m = { .file = { (const uint8_t *)"hsm-sim quorum token\n", 21 },
	                               .count = 2 };
	m.approvals[0] = (struct msg_approval){ HSM_USER_CO, "officer1",
	                                        { sample_sig, sizeof(sample_sig) } };
	m.approvals[1] = (struct msg_approval){ HSM_USER_CO, "officer2", { sample_sig, 7 } };
	msg_approve_token_encode(b, &m);
}

static int
dec_approve(struct hrd *r, struct hbuf *out)
{
	struct msg_approve_token m;
	if (msg_approve_token_decode(r, &m) != 0)
		return -1;
	msg_approve_token_encode(out, &m);
	return 0;
}

static void
enc_m_value(struct hbuf *b)
{
	uint32_t m = 2;
	msg_m_value_encode(b, HSM_SERVICE_MISC_CO, &m);
}

static int
dec_m_value(struct hrd *r, struct hbuf *out)
{
	uint32_t service, m;
	if (msg_m_value_decode(r, &service, &m) != 0)
		return -1;
	msg_m_value_encode(out, service, &m);
	return 0;
}

/* The two-factor family: a login with its second factor, a challenge. */
static void
enc_user_req_tfa(struct hbuf *b)
{
	struct msg_user_req m = { .user_type = HSM_USER_CO, .flags = USER_REQ_FLAG_TFA,
	                          .name = "alice", .password = "s3cret-pw" };
	m.tfa = (struct msg_tfa){ blob_bytes, sizeof(blob_bytes), blob_bytes, 3 };
	msg_user_req_encode(b, &m);
}

static void
enc_tfa_challenge(struct hbuf *b)
{
	uint8_t d[TFA_DIGEST_LEN];
	memset(d, 0x3c, sizeof(d));
	msg_tfa_challenge_encode(b, d);
}

static int
dec_tfa_challenge(struct hrd *r, struct hbuf *out)
{
	uint8_t d[TFA_DIGEST_LEN];
	if (msg_tfa_challenge_decode(r, d) != 0)
		return -1;
	msg_tfa_challenge_encode(out, d);
	return 0;
}

static const struct codec codecs[] = {
	{ "hello", enc_hello, dec_hello },
	{ "user_req+password", enc_user_req_pw, dec_user_req_pw },
	{ "user_req", enc_user_req_nopw, dec_user_req_nopw },
	{ "hsm_info", enc_hsm_info, dec_hsm_info },
	{ "blob", enc_blob, dec_blob },
	{ "e2e_resp", enc_e2e, dec_e2e },
	{ "cluster_info(1)", enc_cluster_1, dec_cluster },
	{ "cluster_info(3)", enc_cluster_3, dec_cluster },
	{ "user_list(0)", enc_users_0, dec_users },
	{ "user_list(5)", enc_users_all, dec_users },
	{ "user_ref(name)", enc_user_ref, dec_user_ref },
	{ "user_ref(id)", enc_user_ref_id, dec_user_ref },
	{ "key_template", enc_key_template, dec_key_template },
	{ "key_filter", enc_key_filter, dec_key_filter },
	{ "handles", enc_handles, dec_handles },
	{ "attr_list", enc_attr_list, dec_attr_list },
	{ "key_info", enc_key_info, dec_key_info },
	{ "user_ids", enc_user_ids, dec_user_ids },
	{ "sign_req", enc_sign_req, dec_sign_req },
	{ "verify_req", enc_verify_req, dec_verify_req },
	{ "find_all_req", enc_find_all, dec_find_all },
	{ "user_keys", enc_user_keys, dec_user_keys },
	{ "register_key", enc_register_key, dec_register_key },
	{ "get_token", enc_get_token, dec_get_token },
	{ "token", enc_token, dec_token },
	{ "token_list", enc_token_list, dec_token_list },
	{ "approve_token", enc_approve, dec_approve },
	{ "m_value", enc_m_value, dec_m_value },
	{ "user_req+2fa", enc_user_req_tfa, dec_user_req_pw },
	{ "tfa_challenge", enc_tfa_challenge, dec_tfa_challenge },
};
#define NCODECS (sizeof(codecs) / sizeof(codecs[0]))

/* ---- round trips, field by field --------------------------------------------- */

static void
test_hello_round_trip(void)
{
	struct hbuf b;
	struct hrd r;
	struct msg_hello m;
	hbuf_init(&b);
	msg_hello_encode(&b, &sample_hello);
	hrd_init(&r, b.data, b.len);
	memset(&m, 0xa5, sizeof(m));
	CU_ASSERT_EQUAL(msg_hello_decode(&r, &m), 0);
	CU_ASSERT_EQUAL(m.node_id, 27);
	CU_ASSERT_EQUAL(m.node_count, 28);
	CU_ASSERT_STRING_EQUAL(m.hsm_id, "hsm-abcdefghijk");
	CU_ASSERT_STRING_EQUAL(m.cluster_id, "cluster-0123456789abcdef");
	hbuf_free(&b);
}

static void
test_user_req_round_trips(void)
{
	struct hbuf b;
	struct hrd r;
	struct msg_user_req m;
	hbuf_init(&b);
	enc_user_req_pw(&b);
	hrd_init(&r, b.data, b.len);
	CU_ASSERT_EQUAL(msg_user_req_decode(&r, &m, true), 0);
	CU_ASSERT_EQUAL(m.user_type, HSM_USER_CU);
	CU_ASSERT_EQUAL(m.flags, LOGIN_FLAG_CU_ONLY);
	CU_ASSERT(m.name && strcmp(m.name, "alice") == 0);
	CU_ASSERT(m.password && strcmp(m.password, "s3cret-pw") == 0);
	msg_user_req_clear(&m);
	CU_ASSERT(m.name == NULL && m.password == NULL);
	/* The same bytes read without a password have a trailing field. */
	hrd_init(&r, b.data, b.len);
	CU_ASSERT_EQUAL(msg_user_req_decode(&r, &m, false), -1);
	hbuf_reset(&b);
	enc_user_req_nopw(&b);
	hrd_init(&r, b.data, b.len);
	CU_ASSERT_EQUAL(msg_user_req_decode(&r, &m, false), 0);
	CU_ASSERT(m.user_type == HSM_USER_CO && m.flags == 0 && m.password == NULL);
	CU_ASSERT(m.name && strcmp(m.name, "officer_1") == 0);
	msg_user_req_clear(&m);
	hrd_init(&r, b.data, b.len);
	CU_ASSERT_EQUAL(msg_user_req_decode(&r, &m, true), -1);
	hbuf_free(&b);
}

static void
test_hsm_info_round_trip(void)
{
	hsm_hsm_info in, out;
	struct hbuf b;
	struct hrd r;
	fill_hsm_info(&in);
	hbuf_init(&b);
	msg_hsm_info_encode(&b, &in);
	hrd_init(&r, b.data, b.len);
	memset(&out, 0x5a, sizeof(out));
	CU_ASSERT_EQUAL(msg_hsm_info_decode(&r, &out), 0);
	/* fill_hsm_info zeroes the struct first, so padding compares equal too. */
	CU_ASSERT_EQUAL(memcmp(&in, &out, sizeof(in)), 0);
	CU_ASSERT_STRING_EQUAL(out.firmware_id, "hsm-sim-1.0.0");
	CU_ASSERT_EQUAL(out.build_number, in.build_number);
	hbuf_free(&b);
}

static void
test_blob_and_e2e_round_trip(void)
{
	struct hbuf b;
	struct hrd r;
	struct msg_blob blob;
	struct msg_e2e_resp e;
	hbuf_init(&b);
	enc_blob(&b);
	hrd_init(&r, b.data, b.len);
	CU_ASSERT_EQUAL(msg_blob_decode(&r, &blob, sizeof(blob_bytes)), 0);
	CU_ASSERT(blob.len == sizeof(blob_bytes) &&
	          memcmp(blob.data, blob_bytes, sizeof(blob_bytes)) == 0);
	hrd_init(&r, b.data, b.len);
	CU_ASSERT_EQUAL(msg_blob_decode(&r, &blob, sizeof(blob_bytes) - 1), -1);
	hbuf_reset(&b);
	enc_e2e(&b);
	hrd_init(&r, b.data, b.len);
	CU_ASSERT_EQUAL(msg_e2e_resp_decode(&r, &e), 0);
	CU_ASSERT(e.cert_pem.len == strlen(cert_text) &&
	          memcmp(e.cert_pem.data, cert_text, e.cert_pem.len) == 0);
	CU_ASSERT(e.signature.len == sizeof(blob_bytes) &&
	          memcmp(e.signature.data, blob_bytes, sizeof(blob_bytes)) == 0);
	hbuf_free(&b);
}

static void
test_cluster_info_round_trip(void)
{
	static const uint32_t counts[] = { 1, 2, CLUSTER_MAX_NODES };
	for (size_t c = 0; c < 3; c++) {
		struct msg_cluster_info in, out;
		struct hbuf b;
		struct hrd r;
		fill_cluster(&in, counts[c]);
		hbuf_init(&b);
		msg_cluster_info_encode(&b, &in);
		hrd_init(&r, b.data, b.len);
		CU_ASSERT_EQUAL(msg_cluster_info_decode(&r, &out), 0);
		CU_ASSERT_EQUAL(out.count, counts[c]);
		for (uint32_t i = 0; i < counts[c]; i++) {
			CU_ASSERT_EQUAL(out.nodes[i].node_id, i);
			CU_ASSERT_STRING_EQUAL(out.nodes[i].host, in.nodes[i].host);
			CU_ASSERT_EQUAL(out.nodes[i].port, in.nodes[i].port);
		}
		hbuf_free(&b);
	}
}

static void
test_user_list_round_trip(void)
{
	struct hbuf b;
	struct hrd r;
	hsm_user_list l;
	hbuf_init(&b);
	enc_users_all(&b);
	hrd_init(&r, b.data, b.len);
	CU_ASSERT_EQUAL(msg_user_list_decode(&r, &l), 0);
	CU_ASSERT_EQUAL(l.count, 5);
	for (size_t i = 0; i < l.count && i < 5; i++) {
		const hsm_user_info *a = &sample_users[i], *z = &l.users[i];
		CU_ASSERT_EQUAL(z->id, a->id);
		CU_ASSERT_EQUAL(z->type, a->type);
		CU_ASSERT_STRING_EQUAL(z->name, a->name);
		CU_ASSERT_EQUAL(z->mofn_pubkey, a->mofn_pubkey);
		CU_ASSERT_EQUAL(z->login_failures, a->login_failures);
		CU_ASSERT_EQUAL(z->two_factor, a->two_factor);
	}
	hsm_user_list_free(&l);
	CU_ASSERT(l.users == NULL && l.count == 0);
	hbuf_reset(&b);
	enc_users_0(&b);
	hrd_init(&r, b.data, b.len);
	CU_ASSERT(msg_user_list_decode(&r, &l) == 0 && l.count == 0);
	hsm_user_list_free(&l);
	hbuf_free(&b);
}

/* Names are 1 to 31 characters: a list of short names is a valid reply. */
static void
test_user_list_short_names(void)
{
	hsm_user_info users[] = {
		{ 3, HSM_USER_CU, "a", false, 0, false },
		{ 4, HSM_USER_CU, "b", false, 0, false },
		{ 5, HSM_USER_CO, "c", false, 0, false },
	};
	for (size_t n = 1; n <= 3; n++) {
		hsm_user_list in = { n, users }, out;
		struct hbuf b;
		struct hrd r;
		hbuf_init(&b);
		msg_user_list_encode(&b, &in);
		hrd_init(&r, b.data, b.len);
		int rc = msg_user_list_decode(&r, &out);
		if (rc != 0)
			printf("user_list of %zu one-letter names (%zu bytes) rejected\n", n, b.len);
		CU_ASSERT_EQUAL(rc, 0);
		if (rc == 0) {
			CU_ASSERT_EQUAL(out.count, n);
			hsm_user_list_free(&out);
		}
		hbuf_free(&b);
	}
}

static void
test_user_ref_round_trip(void)
{
	struct hbuf b;
	struct hrd r;
	struct msg_user_ref m;
	hbuf_init(&b);
	enc_user_ref(&b);
	hrd_init(&r, b.data, b.len);
	CU_ASSERT_EQUAL(msg_user_ref_decode(&r, &m), 0);
	CU_ASSERT(m.id == 0 && m.name && strcmp(m.name, "Alice_1") == 0);
	msg_user_ref_clear(&m);
	hbuf_reset(&b);
	enc_user_ref_id(&b);
	hrd_init(&r, b.data, b.len);
	CU_ASSERT_EQUAL(msg_user_ref_decode(&r, &m), 0);
	CU_ASSERT(m.id == 0xfffffffeu && m.name && m.name[0] == '\0');
	msg_user_ref_clear(&m);
	hbuf_free(&b);
}

/* Every decoder insists on consuming the whole payload. */
static void
test_every_decoder_rejects_trailing_byte(void)
{
	for (size_t c = 0; c < NCODECS; c++) {
		struct hbuf b, out;
		struct hrd r;
		hbuf_init(&b);
		hbuf_init(&out);
		codecs[c].encode(&b);
		hbuf_put_u8(&b, 0);
		hrd_init(&r, b.data, b.len);
		int rc = codecs[c].decode(&r, &out);
		if (rc != -1)
			printf("%s accepted a trailing byte\n", codecs[c].name);
		CU_ASSERT_EQUAL(rc, -1);
		hbuf_free(&b);
		hbuf_free(&out);
	}
}

/* ---- absurd values ------------------------------------------------------------- */

static int
decode_users_raw(const struct hbuf *b)
{
	hsm_user_list l;
	struct hrd r;
	hrd_init(&r, b->data, b->len);
	int rc = msg_user_list_decode(&r, &l);
	if (rc == 0)
		hsm_user_list_free(&l);
	return rc;
}

static void
put_user_entry(struct hbuf *b, uint32_t id, uint8_t type, const char *name)
{
	hbuf_put_u32(b, id);
	hbuf_put_u8(b, type);
	hbuf_put_str(b, name);
	hbuf_put_u8(b, 0);
	hbuf_put_u32(b, 0);
	hbuf_put_u8(b, 0);
}

static void
test_user_list_absurd_counts(void)
{
	static const uint32_t counts[] = { 2, 1000, HSM_MAX_USERS + 1, 0x7fffffffu, 0xffffffffu };
	for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
		struct hbuf b;
		hbuf_init(&b);
		hbuf_put_u32(&b, counts[i]);
		put_user_entry(&b, 1, HSM_USER_CO, "admin_user_name");
		CU_ASSERT_EQUAL(decode_users_raw(&b), -1);
		hbuf_free(&b);
	}
	/* More than HSM_MAX_USERS entries, all present: still refused. */
	struct hbuf b;
	hbuf_init(&b);
	hbuf_put_u32(&b, HSM_MAX_USERS + 1);
	for (uint32_t i = 0; i < HSM_MAX_USERS + 1; i++)
		put_user_entry(&b, i + 1, HSM_USER_CU, "user_name_of_some_length");
	CU_ASSERT_FALSE(b.failed);
	CU_ASSERT_EQUAL(decode_users_raw(&b), -1);
	hbuf_free(&b);
}

static void
test_user_list_bad_entries(void)
{
	static const uint8_t bad_types[] = { 0, 4, 7, 255 };
	for (size_t i = 0; i < sizeof(bad_types); i++) {
		struct hbuf b;
		hbuf_init(&b);
		hbuf_put_u32(&b, 1);
		put_user_entry(&b, 5, bad_types[i], "some_user_name");
		CU_ASSERT_EQUAL(decode_users_raw(&b), -1);
		hbuf_free(&b);
	}
	/* A 32-character name does not fit the 31-character field. */
	struct hbuf b;
	hbuf_init(&b);
	hbuf_put_u32(&b, 1);
	put_user_entry(&b, 5, HSM_USER_CU, "abcdefghijklmnopqrstuvwxyz012345");
	CU_ASSERT_EQUAL(decode_users_raw(&b), -1);
	hbuf_free(&b);
}

static int
decode_cluster_raw(const struct hbuf *b)
{
	struct msg_cluster_info m;
	struct hrd r;
	hrd_init(&r, b->data, b->len);
	return msg_cluster_info_decode(&r, &m);
}

static void
put_cluster(struct hbuf *b, uint32_t count, uint32_t entries, uint32_t port)
{
	hbuf_put_u32(b, count);
	for (uint32_t i = 0; i < entries; i++) {
		hbuf_put_u32(b, i);
		hbuf_put_str(b, "127.0.0.1");
		hbuf_put_u32(b, port);
	}
}

static void
test_cluster_info_absurd_counts(void)
{
	static const struct { uint32_t count, entries, port; int want; } cases[] = {
		{ 0, 0, 2223, -1 },
		{ 0, 1, 2223, -1 },
		{ CLUSTER_MAX_NODES, CLUSTER_MAX_NODES, 2223, 0 },
		{ CLUSTER_MAX_NODES + 1, CLUSTER_MAX_NODES + 1, 2223, -1 },
		{ 0xffffffffu, 1, 2223, -1 },
		{ 2, 1, 2223, -1 },
		{ 1, 1, 0, -1 },
		{ 1, 1, 65535, 0 },
		{ 1, 1, 65536, -1 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct hbuf b;
		hbuf_init(&b);
		put_cluster(&b, cases[i].count, cases[i].entries, cases[i].port);
		int rc = decode_cluster_raw(&b);
		if (rc != cases[i].want)
			printf("cluster_info count %u entries %u port %u: %d\n", cases[i].count,
			       cases[i].entries, cases[i].port, rc);
		CU_ASSERT_EQUAL(rc, cases[i].want);
		hbuf_free(&b);
	}
}

static void
test_fixed_fields_bounds(void)
{
	/* hsm_id has 32 bytes: 31 characters fit, 32 do not. */
	struct msg_hello m = sample_hello;
	struct hbuf b, out;
	struct hrd r;
	hbuf_init(&b);
	hbuf_init(&out);
	hbuf_put_u32(&b, 0);
	hbuf_put_u32(&b, 1);
	hbuf_put_str(&b, "0123456789012345678901234567890");
	hbuf_put_str(&b, "c");
	hrd_init(&r, b.data, b.len);
	CU_ASSERT_EQUAL(msg_hello_decode(&r, &m), 0);
	hbuf_reset(&b);
	hbuf_put_u32(&b, 0);
	hbuf_put_u32(&b, 1);
	hbuf_put_str(&b, "01234567890123456789012345678901");
	hbuf_put_str(&b, "c");
	hrd_init(&r, b.data, b.len);
	CU_ASSERT_EQUAL(msg_hello_decode(&r, &m), -1);
	/* The e2e certificate is capped (64 KiB), as is the signature (4 KiB). */
	hbuf_reset(&b);
	hbuf_put_u32(&b, 65537);
	for (int i = 0; i < 65537; i++)
		hbuf_put_u8(&b, 'x');
	hbuf_put_bytes(&b, "s", 1);
	hrd_init(&r, b.data, b.len);
	CU_ASSERT_EQUAL(dec_e2e(&r, &out), -1);
	hbuf_free(&b);
	hbuf_free(&out);
}

static void
test_quorum_round_trip_and_caps(void)
{
	struct hbuf b;
	struct hrd r;
	hbuf_init(&b);
	hsm_quorum_token t = sample_quorum_token(9, 2), back;
	msg_token_encode(&b, &t);
	hrd_init(&r, b.data, b.len);
	CU_ASSERT_EQUAL(msg_token_decode(&r, &back), 0);
	CU_ASSERT_EQUAL(hrd_end(&r), 0);
	CU_ASSERT_EQUAL(memcmp(&t, &back, sizeof(t)), 0);
	/* More approvers than HSM_QUORUM_MAX_APPROVALS. */
	hbuf_reset(&b);
	t.napprovals = 0;
	msg_token_encode(&b, &t);            /* ends with the count */
	hbuf_patch_u32(&b, b.len - 4, HSM_QUORUM_MAX_APPROVALS + 1);
	for (unsigned i = 0; i <= HSM_QUORUM_MAX_APPROVALS; i++)
		hbuf_put_str(&b, "officer");
	hrd_init(&r, b.data, b.len);
	CU_ASSERT_EQUAL(msg_token_decode(&r, &back), -1);
	/* A list longer than HSM_QUORUM_MAX_TOKENS, or than the frame holds. */
	hsm_quorum_token_list l;
	hbuf_reset(&b);
	hbuf_put_u32(&b, HSM_QUORUM_MAX_TOKENS + 1);
	hrd_init(&r, b.data, b.len);
	CU_ASSERT_EQUAL(msg_token_list_decode(&r, &l), -1);
	hbuf_reset(&b);
	hbuf_put_u32(&b, 3);
	hrd_init(&r, b.data, b.len);
	CU_ASSERT_EQUAL(msg_token_list_decode(&r, &l), -1);
	/* A registration token of 246 bytes, a signature of 513. */
	uint8_t big[HSM_QUORUM_SIG_MAX + 1] = { 0 };
	struct msg_register_key reg = { HSM_USER_CO, "o", { big, HSM_QUORUM_REG_TOKEN_MAX + 1 },
	                                { big, 1 }, { big, 1 } };
	hbuf_reset(&b);
	msg_register_key_encode(&b, &reg);
	hrd_init(&r, b.data, b.len);
	CU_ASSERT_EQUAL(msg_register_key_decode(&r, &reg), -1);
	struct msg_approve_token ap = { .file = { big, 1 }, .count = 1 };
	ap.approvals[0] = (struct msg_approval){ HSM_USER_CO, "o", { big, sizeof(big) } };
	hbuf_reset(&b);
	msg_approve_token_encode(&b, &ap);
	hrd_init(&r, b.data, b.len);
	CU_ASSERT_EQUAL(msg_approve_token_decode(&r, &ap), -1);
	/* Seventeen approvals. */
	hbuf_reset(&b);
	hbuf_put_bytes(&b, big, 1);
	hbuf_put_u32(&b, HSM_QUORUM_MAX_APPROVALS + 1);
	hrd_init(&r, b.data, b.len);
	CU_ASSERT_EQUAL(msg_approve_token_decode(&r, &ap), -1);
	CU_ASSERT_STRING_EQUAL(hsm_service_name(3), "USER_MGMT");
	CU_ASSERT_STRING_EQUAL(hsm_service_name(4), "MISC_CO");
	CU_ASSERT_PTR_NULL(hsm_service_name(5));
	hbuf_free(&b);
}

/* ---- mutation fuzzing ---------------------------------------------------------- */

struct fuzz_stats {
	unsigned tried, accepted, bad;
};

/* A mutated payload must be refused, or decode into a message that encodes
 * back to exactly the same bytes (every encoding here is canonical). */
static void
fuzz_one(const struct codec *c, const uint8_t *p, size_t n, struct fuzz_stats *st,
         const char *what)
{
	struct hrd r;
	struct hbuf out;
	hbuf_init(&out);
	hrd_init(&r, p, n);
	st->tried++;
	if (c->decode(&r, &out) == 0) {
		st->accepted++;
		if (out.failed || out.len != n || memcmp(out.data, p, n) != 0) {
			if (st->bad++ < 5)
				printf("%s: %s (%zu bytes) decoded to another encoding\n",
				       c->name, what, n);
		}
	}
	hbuf_free(&out);
}

static void
fuzz_truncations(const struct codec *c, const struct hbuf *b, unsigned *accepted)
{
	for (size_t cut = 0; cut < b->len; cut++) {
		struct hrd r;
		struct hbuf out;
		/* A copy of exactly cut bytes, so ASan sees any read past the end. */
		uint8_t *copy = malloc(cut ? cut : 1);
		memcpy(copy, b->data, cut);
		hrd_init(&r, copy, cut);
		hbuf_init(&out);
		if (c->decode(&r, &out) == 0 && (*accepted)++ < 5)
			printf("%s: truncation to %zu of %zu bytes accepted\n", c->name, cut, b->len);
		hbuf_free(&out);
		free(copy);
	}
}

static void
fuzz_bit_flips(const struct codec *c, const struct hbuf *b, struct fuzz_stats *st)
{
	uint8_t *copy = malloc(b->len);
	for (size_t bit = 0; bit < b->len * 8; bit++) {
		memcpy(copy, b->data, b->len);
		copy[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		fuzz_one(c, copy, b->len, st, "bit flip");
	}
	free(copy);
}

/* Lengths and counts are where decoders go wrong: plant big ones often. */
static void
mutate(struct cu_rng *rng, uint8_t *p, size_t n)
{
	static const uint32_t nasty[] = {
		0, 1, 2, 3, 27, 28, 29, 31, 32, 33, 255, 256, 1024, 1025, 4095, 4096, 4097,
		65535, 65536, 65537, 0x7fffffffu, 0x80000000u, 0xfffffffeu, 0xffffffffu,
	};
	unsigned edits = 1 + cu_rng_below(rng, 4);
	for (unsigned e = 0; e < edits && n > 0; e++) {
		size_t at = cu_rng_below(rng, (uint32_t)n);
		if (cu_rng_below(rng, 3) == 0 && n >= 4) {
			uint32_t v = nasty[cu_rng_below(rng, sizeof(nasty) / sizeof(nasty[0]))];
			at = cu_rng_below(rng, (uint32_t)(n - 3));
			p[at] = (uint8_t)(v >> 24);
			p[at + 1] = (uint8_t)(v >> 16);
			p[at + 2] = (uint8_t)(v >> 8);
			p[at + 3] = (uint8_t)v;
		} else {
			p[at] = (uint8_t)cu_rng_next(rng);
		}
	}
}

#define FUZZ_RANDOM_ROUNDS 3000

static void
fuzz_random(const struct codec *c, const struct hbuf *b, struct cu_rng *rng,
            struct fuzz_stats *st)
{
	for (unsigned round = 0; round < FUZZ_RANDOM_ROUNDS; round++) {
		/* Sometimes shorter, sometimes longer than the original. */
		size_t n = b->len;
		unsigned shape = cu_rng_below(rng, 8);
		if (shape == 0)
			n = cu_rng_below(rng, (uint32_t)b->len + 1);
		else if (shape == 1)
			n = b->len + 1 + cu_rng_below(rng, 16);
		uint8_t *p = malloc(n ? n : 1);
		for (size_t i = 0; i < n; i++)
			p[i] = i < b->len ? b->data[i] : (uint8_t)cu_rng_next(rng);
		mutate(rng, p, n);
		fuzz_one(c, p, n, st, "random mutation");
		free(p);
	}
}

static void
test_fuzz_every_codec(void)
{
	struct cu_rng rng;
	cu_rng_seed(&rng, cu_seed("codec fuzz", 20240611));
	for (size_t c = 0; c < NCODECS; c++) {
		struct hbuf b;
		struct fuzz_stats st = { 0, 0, 0 };
		unsigned truncated_ok = 0;
		hbuf_init(&b);
		codecs[c].encode(&b);
		CU_ASSERT_FALSE(b.failed);
		fuzz_one(&codecs[c], b.data, b.len, &st, "original");
		CU_ASSERT_EQUAL(st.accepted, 1);       /* the original is valid */
		fuzz_truncations(&codecs[c], &b, &truncated_ok);
		CU_ASSERT_EQUAL(truncated_ok, 0);
		fuzz_bit_flips(&codecs[c], &b, &st);
		fuzz_random(&codecs[c], &b, &rng, &st);
		CU_ASSERT_EQUAL(st.bad, 0);
		printf("  %-18s %4zu bytes: %u mutants, %u accepted\n", codecs[c].name, b.len,
		       st.tried, st.accepted);
		hbuf_free(&b);
	}
}

/* Whole frames: header and payload mutated together; what parses must be a
 * sane header over a payload that lies inside the frame. */
static void
fuzz_frame_one(const uint8_t *body, size_t n, unsigned *bad)
{
	struct proto_hdr h;
	struct hrd pl;
	if (proto_parse(body, n, &h, &pl) != 0)
		return;
	bool sane = h.version == PROTO_VERSION &&
	            (h.kind == PROTO_REQUEST || h.kind == PROTO_RESPONSE) &&
	            (h.kind == PROTO_RESPONSE || h.status == 0) &&
	            pl.p == body + PROTO_HDR_LEN && pl.len == n - PROTO_HDR_LEN && pl.off == 0;
	if (!sane)
		(*bad)++;
	for (size_t c = 0; c < NCODECS; c++) {
		struct hbuf out;
		struct hrd copy = pl;
		hbuf_init(&out);
		(void)codecs[c].decode(&copy, &out);
		hbuf_free(&out);
	}
}

static void
test_fuzz_frames(void)
{
	struct cu_rng rng;
	unsigned bad = 0;
	cu_rng_seed(&rng, cu_seed("frame fuzz", 77));
	for (size_t c = 0; c < NCODECS; c++) {
		struct hbuf b;
		hbuf_init(&b);
		proto_begin(&b, c % 2 ? PROTO_RESPONSE : PROTO_REQUEST, OP_LIST_USERS,
		            (uint32_t)c, 0);
		codecs[c].encode(&b);
		CU_ASSERT_EQUAL(proto_finish(&b), 0);
		size_t n = b.len - 4;
		uint8_t *p = malloc(n);
		for (unsigned round = 0; round < 300; round++) {
			memcpy(p, b.data + 4, n);
			mutate(&rng, p, n);
			size_t cut = cu_rng_below(&rng, 4) == 0 ? cu_rng_below(&rng, (uint32_t)n + 1) : n;
			fuzz_frame_one(p, cut, &bad);
		}
		free(p);
		hbuf_free(&b);
	}
	CU_ASSERT_EQUAL(bad, 0);
}

static CU_TestInfo framing_tests[] = {
	{ "frame layout", test_frame_layout },
	{ "parse valid frames", test_parse_valid_frames },
	{ "bad version/kind/status", test_parse_rejects_bad_headers },
	{ "short header", test_parse_rejects_short_header },
	{ "finish refuses failed buffer", test_finish_refuses_failed_or_headless },
	{ "opcode names", test_op_names },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo codec_tests[] = {
	{ "hello", test_hello_round_trip },
	{ "user_req with and without password", test_user_req_round_trips },
	{ "hsm_info", test_hsm_info_round_trip },
	{ "blob and e2e_resp", test_blob_and_e2e_round_trip },
	{ "cluster_info 1, 2, 28 nodes", test_cluster_info_round_trip },
	{ "user_list", test_user_list_round_trip },
	{ "user_list of one-letter names", test_user_list_short_names },
	{ "user_ref by name and by id", test_user_ref_round_trip },
	{ "trailing byte rejected", test_every_decoder_rejects_trailing_byte },
	{ "user_list absurd counts", test_user_list_absurd_counts },
	{ "user_list bad entries", test_user_list_bad_entries },
	{ "cluster_info counts and ports", test_cluster_info_absurd_counts },
	{ "fixed-size fields and caps", test_fixed_fields_bounds },
	{ "quorum tokens, approvals, caps", test_quorum_round_trip_and_caps },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo fuzz_tests[] = {
	{ "truncations, bit flips, random mutations", test_fuzz_every_codec },
	{ "mutated whole frames", test_fuzz_frames },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "proto framing", NULL, NULL, NULL, NULL, framing_tests },
	{ "proto codecs", NULL, NULL, NULL, NULL, codec_tests },
	{ "proto fuzz", NULL, NULL, NULL, NULL, fuzz_tests },
	CU_SUITE_INFO_NULL,
};

int
main(void)
{
	return cu_run(suites);
}
