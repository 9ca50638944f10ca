/* fuzz-proto.c - libFuzzer target for every wire decoder (./configure
 * CC=clang --enable-fuzzing). The first input byte picks the decoder. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
decode_frame(const uint8_t *p, size_t n)
{
	struct proto_hdr h;
	struct hrd payload;
	(void)proto_parse(p, n, &h, &payload);
}

/* The user and key families (proto.c). */
static void
decode_user_or_key(unsigned which, struct hrd *r)
{
	struct msg_hello hello;
	struct msg_user_req ureq;
	hsm_hsm_info info;
	struct msg_e2e_resp e2e;
	struct msg_cluster_info ci;
	hsm_user_list users;
	struct msg_user_ref ref;
	struct msg_key_template t;
	struct msg_key_filter f;
	hsm_attribute_list attrs;
	hsm_key_info ki;
	struct msg_blob blob;
	uint32_t *handles, ids[HSM_MAX_SHARES], nids;
	size_t n;
	switch (which) {
	case 0: (void)msg_hello_decode(r, &hello); break;
	case 1: if (msg_user_req_decode(r, &ureq, true) == 0) msg_user_req_clear(&ureq); break;
	case 2: (void)msg_hsm_info_decode(r, &info); break;
	case 3: (void)msg_e2e_resp_decode(r, &e2e); break;
	case 4: (void)msg_cluster_info_decode(r, &ci); break;
	case 5: if (msg_user_list_decode(r, &users) == 0) hsm_user_list_free(&users); break;
	case 6: if (msg_user_ref_decode(r, &ref) == 0) msg_user_ref_clear(&ref); break;
	case 7: if (msg_key_template_decode(r, &t) == 0) msg_key_template_clear(&t); break;
	case 8: if (msg_key_filter_decode(r, &f) == 0) msg_key_filter_clear(&f); break;
	case 9: if (msg_attr_list_decode(r, &attrs) == 0) hsm_attribute_list_free(&attrs); break;
	case 10: (void)msg_key_info_decode(r, &ki); break;
	case 11: if (msg_handles_decode(r, &handles, &n) == 0) free(handles); break;
	case 12: (void)msg_blob_decode(r, &blob, 128u * 1024u); break;
	case 13: (void)msg_user_ids_decode(r, ids, &nids); break;
	}
}

/* The crypto and wrap families (proto-crypto.c, proto-wrap.c). */
static void
decode_crypto_or_wrap(unsigned which, struct hrd *r)
{
	struct msg_sign_req sign;
	uint32_t user;
	bool with_hash;
	hsm_user_key_list keys;
	struct msg_wrap_params wp;
	struct msg_wrap_key_req wk;
	struct msg_wrap_data_req wd;
	struct msg_wrap_resp wr;
	struct msg_unwrap_req uw;
	struct msg_create_pub_req cp;
	switch (which) {
	case 0: (void)msg_sign_req_decode(r, &sign, false); break;
	case 1: (void)msg_sign_req_decode(r, &sign, true); break;
	case 2: (void)msg_find_all_req_decode(r, &user, &with_hash); break;
	case 3: if (msg_user_keys_decode(r, &keys) == 0) hsm_user_key_list_free(&keys); break;
	case 4: (void)msg_wrap_params_decode(r, &wp); break;
	case 5: (void)msg_wrap_key_req_decode(r, &wk); break;
	case 6: (void)msg_wrap_data_req_decode(r, &wd); break;
	case 7: (void)msg_wrap_resp_decode(r, &wr); break;
	case 8: if (msg_unwrap_req_decode(r, &uw) == 0) msg_key_template_clear(&uw.t); break;
	case 9: if (msg_create_pub_req_decode(r, &cp) == 0) msg_key_template_clear(&cp.t); break;
	}
}

/* The quorum family (proto-quorum.c). */
static void
decode_quorum(unsigned which, struct hrd *r)
{
	struct msg_register_key reg;
	struct msg_get_token gt;
	hsm_quorum_token tok;
	hsm_quorum_token_list toks;
	struct msg_approve_token ap;
	uint32_t service, m;
	switch (which) {
	case 0: if (msg_register_key_decode(r, &reg) == 0) msg_register_key_clear(&reg); break;
	case 1: if (msg_get_token_decode(r, &gt) == 0) msg_get_token_clear(&gt); break;
	case 2: (void)msg_token_decode(r, &tok); break;
	case 3: if (msg_token_list_decode(r, &toks) == 0) hsm_quorum_token_list_free(&toks); break;
	case 4: (void)msg_approve_token_decode(r, &ap); break;
	case 5: (void)msg_m_value_decode(r, &service, &m); break;
	}
}

#define USER_OR_KEY_DECODERS 14u
#define CRYPTO_OR_WRAP_DECODERS 10u
#define QUORUM_DECODERS 6u
/* The two-factor family (proto-tfa.c); its second factor is reached through
 * the user request with flag bit 1. */
#define TFA_DECODERS 1u

static void
decode_message(uint8_t which, struct hrd *r)
{
	const unsigned quorum = USER_OR_KEY_DECODERS + CRYPTO_OR_WRAP_DECODERS;
	unsigned k = which % (quorum + QUORUM_DECODERS + TFA_DECODERS);
	uint8_t digest[TFA_DIGEST_LEN];
	if (k < USER_OR_KEY_DECODERS)
		decode_user_or_key(k, r);
	else if (k < quorum)
		decode_crypto_or_wrap(k - USER_OR_KEY_DECODERS, r);
	else if (k < quorum + QUORUM_DECODERS)
		decode_quorum(k - quorum, r);
	else
		(void)msg_tfa_challenge_decode(r, digest);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hrd r;
	if (size < 1)
		return 0;
	decode_frame(data + 1, size - 1);
	hrd_init(&r, data + 1, size - 1);
	decode_message(data[0], &r);
	return 0;
}
