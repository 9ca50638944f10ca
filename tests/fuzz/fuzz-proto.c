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

static void
decode_message(uint8_t which, struct hrd *r)
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
	uint32_t *handles;
	size_t n;
	switch (which % 12) {
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
	}
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
