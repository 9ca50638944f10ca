/* wrap-unit.c - CUnit tests of the wrapping mechanisms (RFC 3394 and 5649
 * vectors, PKCS #5, GCM, OAEP, RSA_AES), the wrap codecs and the file header. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>
#include <CUnit/CUnit.h>
#include <openssl/evp.h>

#include "kmu-wrap.h"
#include "proto.h"
#include "wrap-mech.h"

static size_t
unhex(const char *s, uint8_t *out)
{
	size_t n = 0;
	for (; s[0] != '\0' && s[1] != '\0'; s += 2) {
		unsigned v;
		sscanf(s, "%2x", &v);
		out[n++] = (uint8_t)v;
	}
	return n;
}

static struct wrap_params
mech(uint32_t m)
{
	struct wrap_params p;
	memset(&p, 0, sizeof(p));
	p.mech = m;
	return p;
}

/* Wraps in with the AES key kek under p; compares with want (hex) if given;
 * unwraps and compares with in. */
static void
aes_vector(struct wrap_params p, const char *kek, const char *in, const char *want)
{
	uint8_t k[32], d[64], w[80], iv[WRAP_IV_MAX];
	size_t kl = unhex(kek, k), dl = unhex(in, d), wl = want ? unhex(want, w) : 0, ivl;
	struct wrap_kek kk = { .aes = k, .aes_len = kl };
	struct hbuf out, back;
	hbuf_init(&out);
	hbuf_init(&back);
	CU_ASSERT_EQUAL(wrap_encrypt(&p, &kk, d, dl, &out, iv, &ivl), HSM_RC_SUCCESS);
	if (want != NULL)
		CU_ASSERT(out.len == wl && memcmp(out.data, w, wl) == 0);
	CU_ASSERT_EQUAL(wrap_decrypt(&p, &kk, out.data, out.len, &back), HSM_RC_SUCCESS);
	CU_ASSERT(back.len == dl && memcmp(back.data, d, dl) == 0);
	hbuf_free(&out);
	hbuf_free(&back);
}

#define KEK128 "000102030405060708090A0B0C0D0E0F"
#define KEK256 KEK128 "101112131415161718191A1B1C1D1E1F"
#define DATA256 "00112233445566778899AABBCCDDEEFF000102030405060708090A0B0C0D0E0F"

static void
test_rfc3394(void)
{
	aes_vector(mech(HSM_WRAP_NIST_AES_WRAP_NO_PAD), KEK128, "00112233445566778899AABBCCDDEEFF",
	           "1FA68B0A8112B447AEF34BD8FB5A7B829D3E862371D2CFE5");
	aes_vector(mech(HSM_WRAP_NIST_AES_WRAP_NO_PAD), KEK256, DATA256,
	           "28C9F404C4B810F4CBCCB35CFB87F8263F5786E2D80ED326"
	           "CBC7F0E71A99F43BFB988B9B7A02DD21");
}

static void
test_rfc5649(void)
{
	const char *kek = "5840df6e29b02af1ab493b705bf16ea1ae8338f4dcc176a8";
	aes_vector(mech(HSM_WRAP_NIST_AES_WRAP_PAD), kek, "c37b7e6492584340bed12207808941155068f738",
	           "138bdeaa9b8fa7fc61f97742e72248ee5ae6ae5360d1ae6a5f54f373fa543b6a");
	aes_vector(mech(HSM_WRAP_NIST_AES_WRAP_PAD), kek, "466f7250617369",
	           "afbeb0f07dfbf5419200f2ccb50bb24f");
}

/* Mechanism 4 is RFC 3394 of the data with 1..8 bytes of PKCS #5 padding. */
static void
test_pkcs5(void)
{
	aes_vector(mech(HSM_WRAP_AES_KEY_WRAP_PAD_PKCS5), KEK128, "00112233445566778899AABBCCDDEEFF",
	           NULL);
	aes_vector(mech(HSM_WRAP_AES_KEY_WRAP_PAD_PKCS5), KEK256, "0011223344556677889900", NULL);
	/* Its output is RFC 3394 of data || 08 x 8 (16 bytes in, 24 padded). */
	aes_vector(mech(HSM_WRAP_NIST_AES_WRAP_NO_PAD), KEK128,
	           "00112233445566778899AABBCCDDEEFF0808080808080808", NULL);
	uint8_t k[16], zero[16] = { 0 };
	struct wrap_kek kk = { .aes = k, .aes_len = unhex(KEK128, k) };
	struct wrap_params p5 = mech(HSM_WRAP_NIST_AES_WRAP_NO_PAD);
	struct wrap_params p4 = mech(HSM_WRAP_AES_KEY_WRAP_PAD_PKCS5);
	struct hbuf out, back;
	uint8_t iv[WRAP_IV_MAX];
	size_t ivl;
	hbuf_init(&out);
	hbuf_init(&back);
	CU_ASSERT_EQUAL(wrap_encrypt(&p5, &kk, zero, 16, &out, iv, &ivl), HSM_RC_SUCCESS);
	CU_ASSERT_EQUAL(wrap_decrypt(&p4, &kk, out.data, out.len, &back), HSM_RC_INVALID_INPUT);
	CU_ASSERT_EQUAL(back.len, 0);
	hbuf_free(&out);
	hbuf_free(&back);
}

/* Wrong key, altered byte, short input: refused, nothing returned. */
static void
test_kw_integrity(void)
{
	uint8_t k[32], d[32], iv[WRAP_IV_MAX];
	size_t ivl;
	struct wrap_kek kk = { .aes = k, .aes_len = unhex(KEK256, k) };
	const uint32_t mechs[] = { 4, 5, 6 };
	unhex(DATA256, d);
	for (size_t i = 0; i < 3; i++) {
		struct wrap_params p = mech(mechs[i]);
		struct hbuf out, back;
		hbuf_init(&out);
		hbuf_init(&back);
		CU_ASSERT_EQUAL(wrap_encrypt(&p, &kk, d, 32, &out, iv, &ivl), HSM_RC_SUCCESS);
		out.data[5] ^= 1;
		CU_ASSERT_EQUAL(wrap_decrypt(&p, &kk, out.data, out.len, &back), HSM_RC_INVALID_INPUT);
		out.data[5] ^= 1;
		CU_ASSERT_EQUAL(wrap_decrypt(&p, &kk, out.data, out.len - 8, &back), HSM_RC_INVALID_INPUT);
		CU_ASSERT_EQUAL(wrap_decrypt(&p, &kk, out.data, 7, &back), HSM_RC_INVALID_INPUT);
		k[0] ^= 1;
		CU_ASSERT_EQUAL(wrap_decrypt(&p, &kk, out.data, out.len, &back), HSM_RC_INVALID_INPUT);
		k[0] ^= 1;
		CU_ASSERT_EQUAL(back.len, 0);
		hbuf_free(&out);
		hbuf_free(&back);
	}
}

static void
gcm_case(uint32_t m, uint32_t tag_len)
{
	uint8_t k[32], d[32], ivo[WRAP_IV_MAX];
	size_t ivl;
	struct wrap_kek kk = { .aes = k, .aes_len = unhex(KEK256, k) };
	struct wrap_params p = mech(m);
	struct hbuf out, back;
	unhex(DATA256, d);
	p.aad = (const uint8_t *)"aad";
	p.aad_len = 3;
	p.tag_len = tag_len;
	hbuf_init(&out);
	hbuf_init(&back);
	CU_ASSERT_EQUAL(wrap_encrypt(&p, &kk, d, 32, &out, ivo, &ivl), HSM_RC_SUCCESS);
	CU_ASSERT_EQUAL(ivl, m == HSM_WRAP_AES_GCM ? 12 : 0);
	CU_ASSERT_EQUAL(out.len, 32 + (tag_len ? tag_len : 16) + (m == HSM_WRAP_AES_GCM ? 0 : 12));
	memcpy(p.iv, ivo, ivl);
	p.iv_len = ivl;
	CU_ASSERT_EQUAL(wrap_decrypt(&p, &kk, out.data, out.len, &back), HSM_RC_SUCCESS);
	CU_ASSERT(back.len == 32 && memcmp(back.data, d, 32) == 0);
	hbuf_reset(&back);
	out.data[out.len - 1] ^= 1;
	CU_ASSERT_EQUAL(wrap_decrypt(&p, &kk, out.data, out.len, &back), HSM_RC_INVALID_INPUT);
	out.data[out.len - 1] ^= 1;
	p.aad_len = 2;
	CU_ASSERT_EQUAL(wrap_decrypt(&p, &kk, out.data, out.len, &back), HSM_RC_INVALID_INPUT);
	CU_ASSERT_EQUAL(back.len, 0);
	hbuf_free(&out);
	hbuf_free(&back);
}

static void
test_gcm(void)
{
	gcm_case(HSM_WRAP_AES_GCM, 0);
	gcm_case(HSM_WRAP_AES_GCM, 8);
	gcm_case(HSM_WRAP_CLOUDHSM_AES_GCM, 12);
}

static EVP_PKEY *
rsa_key(void)
{
	static EVP_PKEY *k;
	if (k == NULL)
		k = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	return k;
}

static void
test_rsa(void)
{
	uint8_t d[256], iv[WRAP_IV_MAX];
	size_t ivl;
	struct wrap_kek kk = { .pkey = rsa_key(), .has_private = true };
	struct wrap_kek pubonly = { .pkey = rsa_key() };
	memset(d, 0x5a, sizeof(d));
	for (uint32_t m = 7; m <= 8; m++) {
		struct wrap_params p = mech(m);
		p.hash = HSM_HASH_SHA256;
		struct hbuf out, back;
		hbuf_init(&out);
		hbuf_init(&back);
		size_t n = m == 8 ? 256 - 2 * 32 - 2 : 200;
		CU_ASSERT_EQUAL(wrap_encrypt(&p, &pubonly, d, n, &out, iv, &ivl), HSM_RC_SUCCESS);
		CU_ASSERT_EQUAL(wrap_decrypt(&p, &pubonly, out.data, out.len, &back),
		                HSM_RC_MECHANISM_INVALID);
		CU_ASSERT_EQUAL(wrap_decrypt(&p, &kk, out.data, out.len, &back), HSM_RC_SUCCESS);
		CU_ASSERT(back.len == n && memcmp(back.data, d, n) == 0);
		hbuf_reset(&back);
		out.data[10] ^= 1;
		CU_ASSERT_EQUAL(wrap_decrypt(&p, &kk, out.data, out.len, &back), HSM_RC_INVALID_INPUT);
		hbuf_reset(&out);
		if (m == 8)
			CU_ASSERT_EQUAL(wrap_encrypt(&p, &kk, d, n + 1, &out, iv, &ivl),
			                HSM_RC_KEY_SIZE_RANGE);
		hbuf_free(&out);
		hbuf_free(&back);
	}
}

static void
test_params(void)
{
	uint8_t k[16];
	struct wrap_kek aes = { .aes = k, .aes_len = 16 };
	struct wrap_kek rsa = { .pkey = rsa_key(), .has_private = true };
	struct wrap_params p = mech(9);
	CU_ASSERT_EQUAL(wrap_check_params(&p, true), HSM_RC_MECHANISM_INVALID);
	p = mech(12);
	CU_ASSERT_EQUAL(wrap_check_params(&p, true), HSM_RC_MECHANISM_INVALID);
	p = mech(4);
	p.aad_len = 1;
	CU_ASSERT_EQUAL(wrap_check_params(&p, true), HSM_RC_INVALID_INPUT);
	p = mech(6);
	p.iv_len = 8;
	CU_ASSERT_EQUAL(wrap_check_params(&p, true), HSM_RC_INVALID_INPUT);
	p = mech(5);
	p.hash = HSM_HASH_SHA1;
	CU_ASSERT_EQUAL(wrap_check_params(&p, true), HSM_RC_INVALID_INPUT);
	p = mech(8);
	p.hash = 7;
	CU_ASSERT_EQUAL(wrap_check_params(&p, true), HSM_RC_INVALID_INPUT);
	p = mech(10);
	p.tag_len = 7;
	CU_ASSERT_EQUAL(wrap_check_params(&p, true), HSM_RC_INVALID_INPUT);
	p = mech(10);
	CU_ASSERT_EQUAL(wrap_check_params(&p, false), HSM_RC_INVALID_INPUT);  /* no IV */
	p.iv_len = 12;
	CU_ASSERT_EQUAL(wrap_check_params(&p, true), HSM_RC_INVALID_INPUT);   /* HSM picks it */
	p = mech(4);
	CU_ASSERT_EQUAL(wrap_check_kek(&p, &rsa, true), HSM_RC_MECHANISM_INVALID);
	p = mech(8);
	CU_ASSERT_EQUAL(wrap_check_kek(&p, &aes, true), HSM_RC_MECHANISM_INVALID);
	aes.aes_len = 24 + 1;
	p = mech(5);
	CU_ASSERT_EQUAL(wrap_check_kek(&p, &aes, true), HSM_RC_MECHANISM_INVALID);
}

/* Every prefix of a valid encoding must fail to decode; every one-bit flip
 * must decode or fail cleanly (ASan watches). */
static void
mangle(const struct hbuf *b, int (*decode)(const uint8_t *, size_t))
{
	CU_ASSERT_EQUAL(decode(b->data, b->len), 0);
	for (size_t n = 0; n < b->len; n++)
		CU_ASSERT_NOT_EQUAL(decode(b->data, n), 0);
	uint8_t *copy = malloc(b->len);
	for (size_t bit = 0; copy != NULL && bit < 8 * b->len; bit++) {
		memcpy(copy, b->data, b->len);
		copy[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		(void)decode(copy, b->len);
	}
	free(copy);
}

static int
dec_wrap_key(const uint8_t *p, size_t n)
{
	struct hrd r;
	struct msg_wrap_key_req m;
	hrd_init(&r, p, n);
	return msg_wrap_key_req_decode(&r, &m);
}

static int
dec_data(const uint8_t *p, size_t n)
{
	struct hrd r;
	struct msg_wrap_data_req m;
	hrd_init(&r, p, n);
	return msg_wrap_data_req_decode(&r, &m);
}

static int
dec_resp(const uint8_t *p, size_t n)
{
	struct hrd r;
	struct msg_wrap_resp m;
	hrd_init(&r, p, n);
	return msg_wrap_resp_decode(&r, &m);
}

static int
dec_unwrap(const uint8_t *p, size_t n)
{
	struct hrd r;
	struct msg_unwrap_req m;
	hrd_init(&r, p, n);
	if (msg_unwrap_req_decode(&r, &m) != 0)
		return -1;
	msg_key_template_clear(&m.t);
	return 0;
}

static int
dec_create(const uint8_t *p, size_t n)
{
	struct hrd r;
	struct msg_create_pub_req m;
	hrd_init(&r, p, n);
	if (msg_create_pub_req_decode(&r, &m) != 0)
		return -1;
	msg_key_template_clear(&m.t);
	return 0;
}

static void
test_codecs(void)
{
	static const uint8_t iv[8] = { 0xa6 }, aad[3] = "aad", data[5] = "data";
	struct msg_wrap_params p = { 4, 3, { iv, 8 }, { aad, 3 }, 12 };
	struct msg_wrap_key_req wk = { 7, 9, p };
	struct msg_wrap_data_req wd = { 7, p, { data, 5 } };
	struct msg_wrap_resp rs = { { data, 5 }, { iv, 8 }, 4, 31, 32, "label", "id" };
	struct msg_unwrap_req uw = { .unwrapping = 7, .p = p, .data = { data, 5 } };
	struct msg_create_pub_req cp = { .der = { data, 5 } };
	uint32_t shares[1] = { 4 };
	uw.t.label = cp.t.label = "label";
	uw.t.id = cp.t.id = "";
	uw.t.nshares = 1;
	memcpy(uw.t.shares, shares, sizeof(shares));
	struct hbuf b[5];
	for (int i = 0; i < 5; i++)
		hbuf_init(&b[i]);
	msg_wrap_key_req_encode(&b[0], &wk);
	msg_wrap_data_req_encode(&b[1], &wd);
	msg_wrap_resp_encode(&b[2], &rs);
	msg_unwrap_req_encode(&b[3], &uw);
	msg_create_pub_req_encode(&b[4], &cp);
	int (*const dec[5])(const uint8_t *, size_t) = { dec_wrap_key, dec_data, dec_resp,
	                                                 dec_unwrap, dec_create };
	for (int i = 0; i < 5; i++) {
		mangle(&b[i], dec[i]);
		hbuf_free(&b[i]);
	}
}

static int
dec_file(const uint8_t *p, size_t n)
{
	struct kmu_wrap_header h;
	const uint8_t *d;
	size_t len;
	return kmu_wrap_file_decode(p, n, &h, &d, &len) == KMU_WRAP_OK ? 0 : -1;
}

static void
test_file_header(void)
{
	struct kmu_wrap_header h = { .mech = 10, .hash = 0, .key_class = 4, .key_type = 31,
	                             .value_len = 32, .tag_len = 12, .iv_len = 12,
	                             .label = "label", .id = "id" };
	struct kmu_wrap_header got;
	const uint8_t *d;
	size_t len;
	struct hbuf b;
	memset(h.iv, 0x11, 12);
	hbuf_init(&b);
	kmu_wrap_file_encode(&b, &h, (const uint8_t *)"wrapped", 7);
	CU_ASSERT_EQUAL(kmu_wrap_file_decode(b.data, b.len, &got, &d, &len), KMU_WRAP_OK);
	CU_ASSERT(len == 7 && memcmp(d, "wrapped", 7) == 0);
	CU_ASSERT(got.mech == 10 && got.key_type == 31 && got.tag_len == 12 && got.iv_len == 12);
	CU_ASSERT(strcmp(got.label, "label") == 0 && strcmp(got.id, "id") == 0);
	mangle(&b, dec_file);
	CU_ASSERT_EQUAL(kmu_wrap_file_decode((const uint8_t *)"garbage!!", 9, &got, &d, &len),
	                KMU_WRAP_NOT_OURS);
	b.data[9] = 2;    /* version 2 */
	CU_ASSERT_EQUAL(kmu_wrap_file_decode(b.data, b.len, &got, &d, &len), KMU_WRAP_DAMAGED);
	hbuf_free(&b);
}

int
main(void)
{
	CU_TestInfo tests[] = {
		{ "RFC 3394 vectors", test_rfc3394 },
		{ "RFC 5649 vectors", test_rfc5649 },
		{ "PKCS #5 padded key wrap", test_pkcs5 },
		{ "key wrap integrity", test_kw_integrity },
		{ "AES-GCM", test_gcm },
		{ "RSA_OAEP and RSA_AES", test_rsa },
		{ "parameter rules", test_params },
		{ "wrap codecs: truncation and bit flips", test_codecs },
		{ "wrapped-key file header", test_file_header },
		CU_TEST_INFO_NULL,
	};
	CU_SuiteInfo suites[] = { { "wrap", NULL, NULL, NULL, NULL, tests }, CU_SUITE_INFO_NULL };
	if (CU_initialize_registry() != CUE_SUCCESS || CU_register_suites(suites) != CUE_SUCCESS)
		return 99;
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	unsigned failed = CU_get_number_of_failures();
	CU_cleanup_registry();
	EVP_PKEY_free(rsa_key());
	return failed == 0 ? 0 : 1;
}
