/* sign-unit.c - unit tests of the sign/verify mechanism table and of the
 * sign, verify and findAllKeys codecs: round trips, bounds, mutations. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>
#include <openssl/evp.h>

#include "proto.h"

/* ---- the mechanism table ---------------------------------------------------- */

static const struct {
	uint32_t id;
	const char *name, *digest;
	uint32_t key_type;
	bool pss;
} documented[] = {
	{ 0, "SHA1_RSA_PKCS", "SHA1", HSM_KEY_RSA, false },
	{ 1, "SHA256_RSA_PKCS", "SHA256", HSM_KEY_RSA, false },
	{ 2, "SHA384_RSA_PKCS", "SHA384", HSM_KEY_RSA, false },
	{ 3, "SHA512_RSA_PKCS", "SHA512", HSM_KEY_RSA, false },
	{ 4, "SHA224_RSA_PKCS", "SHA224", HSM_KEY_RSA, false },
	{ 5, "SHA1_RSA_PKCS_PSS", "SHA1", HSM_KEY_RSA, true },
	{ 6, "SHA256_RSA_PKCS_PSS", "SHA256", HSM_KEY_RSA, true },
	{ 7, "SHA384_RSA_PKCS_PSS", "SHA384", HSM_KEY_RSA, true },
	{ 8, "SHA512_RSA_PKCS_PSS", "SHA512", HSM_KEY_RSA, true },
	{ 9, "SHA224_RSA_PKCS_PSS", "SHA224", HSM_KEY_RSA, true },
	{ 15, "ECDSA_SHA1", "SHA1", HSM_KEY_EC, false },
	{ 16, "ECDSA_SHA224", "SHA224", HSM_KEY_EC, false },
	{ 17, "ECDSA_SHA256", "SHA256", HSM_KEY_EC, false },
	{ 18, "ECDSA_SHA384", "SHA384", HSM_KEY_EC, false },
	{ 19, "ECDSA_SHA512", "SHA512", HSM_KEY_EC, false },
};
#define NDOC (sizeof(documented) / sizeof(documented[0]))

static void
test_documented_mechanisms(void)
{
	for (size_t i = 0; i < NDOC; i++) {
		const struct sign_mech *m = sign_mech_lookup(documented[i].id);
		CU_ASSERT_PTR_NOT_NULL_FATAL(m);
		CU_ASSERT_EQUAL(m->id, documented[i].id);
		CU_ASSERT_STRING_EQUAL(m->name, documented[i].name);
		CU_ASSERT_STRING_EQUAL(m->digest, documented[i].digest);
		CU_ASSERT_EQUAL(m->key_type, documented[i].key_type);
		CU_ASSERT_EQUAL(m->pss, documented[i].pss);
		EVP_MD *md = EVP_MD_fetch(NULL, m->digest, NULL);
		CU_ASSERT_PTR_NOT_NULL(md);     /* the server can use the name */
		EVP_MD_free(md);
	}
}

/* No DSA mechanism and nothing between or after the documented numbers. */
static void
test_other_numbers_unknown(void)
{
	size_t known = 0;
	for (uint32_t id = 0; id < 4096; id++)
		known += sign_mech_lookup(id) != NULL;
	CU_ASSERT_EQUAL(known, NDOC);
	CU_ASSERT_PTR_NULL(sign_mech_lookup(10));
	CU_ASSERT_PTR_NULL(sign_mech_lookup(14));
	CU_ASSERT_PTR_NULL(sign_mech_lookup(20));
	CU_ASSERT_PTR_NULL(sign_mech_lookup(UINT32_MAX));
	for (uint32_t id = 0; id < 32; id++) {
		const struct sign_mech *m = sign_mech_lookup(id);
		CU_ASSERT(m == NULL || m->key_type == HSM_KEY_RSA || m->key_type == HSM_KEY_EC);
	}
}

/* ---- codecs ----------------------------------------------------------------- */

static void
encode_sign(struct hbuf *b, bool with_sig, size_t datalen, size_t siglen)
{
	static uint8_t data[SIGN_DATA_MAX + 2], sig[SIGN_SIG_MAX + 2];
	memset(data, 'd', sizeof(data));
	memset(sig, 's', sizeof(sig));
	struct msg_sign_req m = {
		.handle = 0x40001, .mech = 17, .data = { data, datalen },
		.with_signature = with_sig, .signature = { sig, siglen },
	};
	hbuf_init(b);
	msg_sign_req_encode(b, &m);
}

static int
decode_sign(const struct hbuf *b, bool with_sig, struct msg_sign_req *m)
{
	struct hrd r;
	hrd_init(&r, b->data, b->len);
	return msg_sign_req_decode(&r, m, with_sig);
}

static void
test_sign_round_trip(void)
{
	struct hbuf b;
	struct msg_sign_req m;
	encode_sign(&b, false, 44, 0);
	CU_ASSERT_EQUAL_FATAL(decode_sign(&b, false, &m), 0);
	CU_ASSERT(m.handle == 0x40001 && m.mech == 17 && m.data.len == 44 && !m.with_signature);
	CU_ASSERT_EQUAL(decode_sign(&b, true, &m), -1);    /* the signature is missing */
	hbuf_free(&b);
	encode_sign(&b, true, 0, 256);
	CU_ASSERT_EQUAL_FATAL(decode_sign(&b, true, &m), 0);
	CU_ASSERT(m.data.len == 0 && m.signature.len == 256 && m.signature.data[0] == 's');
	CU_ASSERT_EQUAL(decode_sign(&b, false, &m), -1);   /* trailing bytes */
	hbuf_free(&b);
}

static void
test_sign_bounds(void)
{
	struct hbuf b;
	struct msg_sign_req m;
	encode_sign(&b, true, SIGN_DATA_MAX, SIGN_SIG_MAX);
	CU_ASSERT_EQUAL(decode_sign(&b, true, &m), 0);
	hbuf_free(&b);
	encode_sign(&b, false, SIGN_DATA_MAX + 1, 0);
	CU_ASSERT_EQUAL(decode_sign(&b, false, &m), -1);
	hbuf_free(&b);
	encode_sign(&b, true, 10, SIGN_SIG_MAX + 1);
	CU_ASSERT_EQUAL(decode_sign(&b, true, &m), -1);
	hbuf_free(&b);
}

/* Every shorter prefix of a valid frame is refused, and no single-bit flip
 * makes a decoder read out of bounds (run under ASan). */
static void
check_mutations(const struct hbuf *b, int (*decode)(const uint8_t *, size_t))
{
	uint8_t *copy = malloc(b->len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(copy);
	for (size_t n = 0; n < b->len; n++) {
		memcpy(copy, b->data, n);
		CU_ASSERT_EQUAL(decode(copy, n), -1);
	}
	for (size_t bit = 0; bit < b->len * 8; bit++) {
		memcpy(copy, b->data, b->len);
		copy[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		(void)decode(copy, b->len);
	}
	free(copy);
}

static int
decode_verify_bytes(const uint8_t *p, size_t n)
{
	struct hrd r;
	struct msg_sign_req m;
	hrd_init(&r, p, n);
	return msg_sign_req_decode(&r, &m, true);
}

static void
test_sign_mutations(void)
{
	struct hbuf b;
	encode_sign(&b, true, 5, 7);
	check_mutations(&b, decode_verify_bytes);
	hbuf_free(&b);
}

static void
test_find_all_request(void)
{
	struct hbuf b;
	struct hrd r;
	uint32_t user;
	bool hash;
	hbuf_init(&b);
	msg_find_all_req_encode(&b, 7, true);
	hrd_init(&r, b.data, b.len);
	CU_ASSERT_EQUAL(msg_find_all_req_decode(&r, &user, &hash), 0);
	CU_ASSERT(user == 7 && hash);
	b.data[4] = 2;                       /* a boolean is 0 or 1 */
	hrd_init(&r, b.data, b.len);
	CU_ASSERT_EQUAL(msg_find_all_req_decode(&r, &user, &hash), -1);
	hbuf_free(&b);
}

static void
encode_keys(struct hbuf *b, size_t n, bool hash)
{
	hsm_user_key keys[3] = { { 5, HSM_KEYREL_OWNER }, { 262150, HSM_KEYREL_SHARED },
	                         { 524300, HSM_KEYREL_OWNER_SHARED } };
	hsm_user_key_list l = { .count = n, .keys = keys, .has_hash = hash };
	memset(l.hash, 0xab, sizeof(l.hash));
	hbuf_init(b);
	msg_user_keys_encode(b, &l);
}

static int
decode_keys_bytes(const uint8_t *p, size_t n)
{
	struct hrd r;
	hsm_user_key_list l;
	hrd_init(&r, p, n);
	int rc = msg_user_keys_decode(&r, &l);
	hsm_user_key_list_free(&l);
	return rc;
}

static void
test_user_keys_round_trip(void)
{
	struct hbuf b;
	struct hrd r;
	hsm_user_key_list l;
	encode_keys(&b, 3, true);
	hrd_init(&r, b.data, b.len);
	CU_ASSERT_EQUAL_FATAL(msg_user_keys_decode(&r, &l), 0);
	CU_ASSERT(l.count == 3 && l.keys[1].handle == 262150 &&
	          l.keys[2].relation == HSM_KEYREL_OWNER_SHARED && l.has_hash && l.hash[31] == 0xab);
	hsm_user_key_list_free(&l);
	CU_ASSERT(l.keys == NULL && l.count == 0);
	hbuf_free(&b);
	encode_keys(&b, 0, false);
	CU_ASSERT_EQUAL(decode_keys_bytes(b.data, b.len), 0);
	hbuf_free(&b);
}

static void
test_user_keys_refused(void)
{
	struct hbuf b;
	encode_keys(&b, 1, false);
	b.data[8] = 4;                       /* relation out of range */
	CU_ASSERT_EQUAL(decode_keys_bytes(b.data, b.len), -1);
	b.data[8] = 0;
	CU_ASSERT_EQUAL(decode_keys_bytes(b.data, b.len), -1);
	b.data[8] = HSM_KEYREL_OWNER;
	CU_ASSERT_EQUAL(decode_keys_bytes(b.data, b.len), 0);
	hbuf_patch_u32(&b, 0, 1000);         /* more keys than the frame holds */
	CU_ASSERT_EQUAL(decode_keys_bytes(b.data, b.len), -1);
	hbuf_free(&b);
	encode_keys(&b, 3, true);
	check_mutations(&b, decode_keys_bytes);
	hbuf_free(&b);
}

int
main(void)
{
	CU_TestInfo mech_tests[] = {
		{ "documented mechanisms", test_documented_mechanisms },
		{ "other numbers unknown", test_other_numbers_unknown },
		CU_TEST_INFO_NULL,
	};
	CU_TestInfo codec_tests[] = {
		{ "sign/verify round trip", test_sign_round_trip },
		{ "sign/verify bounds", test_sign_bounds },
		{ "sign/verify mutations", test_sign_mutations },
		{ "findAllKeys request", test_find_all_request },
		{ "findAllKeys reply round trip", test_user_keys_round_trip },
		{ "findAllKeys reply refused", test_user_keys_refused },
		CU_TEST_INFO_NULL,
	};
	CU_SuiteInfo suites[] = {
		{ "sign mechanisms", NULL, NULL, NULL, NULL, mech_tests },
		{ "crypto codecs", NULL, NULL, NULL, NULL, codec_tests },
		CU_SUITE_INFO_NULL,
	};
	if (CU_initialize_registry() != CUE_SUCCESS || CU_register_suites(suites) != CUE_SUCCESS)
		return 99;
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	unsigned failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
	CU_cleanup_registry();
	return failed == 0 ? 0 : 1;
}
