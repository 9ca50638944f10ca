/* test-authdata.c - CMU's 2FA authdata file: the request it writes and every
 * form of response it must accept or refuse with one clear reason. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <json-c/json.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "authdata.h"
#include "cu-util.h"

static char pem_2048[4096], pem_1024[4096], pem_ec[4096];
static const char digest_b64[] = "k5O1p3f6foQRVQH7S8Rrjcau6h3TYqsSdr16A54+qG8=";

static void
pem_of(EVP_PKEY *pk, char *out, size_t outsz)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *p;
	out[0] = '\0';
	if (pk != NULL && b != NULL && PEM_write_bio_PUBKEY(b, pk) == 1) {
		long n = BIO_get_mem_data(b, &p);
		if (n > 0 && (size_t)n < outsz) {
			memcpy(out, p, (size_t)n);
			out[n] = '\0';
		}
	}
	BIO_free(b);
	EVP_PKEY_free(pk);
}

static int
init_keys(void)
{
	pem_of(EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048), pem_2048, sizeof(pem_2048));
	pem_of(EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024), pem_1024, sizeof(pem_1024));
	pem_of(EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256"), pem_ec, sizeof(pem_ec));
	return pem_2048[0] && pem_1024[0] && pem_ec[0] ? 0 : -1;
}

/* JSON string text of s (newlines escaped). */
static void
json_quote(const char *s, char *out, size_t outsz)
{
	json_object *o = json_object_new_string(s);
	snprintf(out, outsz, "%s", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
}

/* A good response for two HSMs, with pubkey when given. */
static void
good_response(char *out, size_t outsz, const char *pubkey)
{
	char key[8192] = "";
	if (pubkey != NULL) {
		char q[6000];
		json_quote(pubkey, q, sizeof(q));
		snprintf(key, sizeof(key), "\"PublicKey\": %s,", q);
	}
	snprintf(out, outsz,
	         "{ \"Version\": \"1.0\", %s \"Data\": ["
	         " { \"HsmId\": \"hsm-aaa\", \"Digest\": \"%s\", \"Signature\": \"AAECAw==\" },"
	         " { \"HsmId\": \"hsm-bbb\", \"Digest\": \"%s\", \"Signature\": \"BAUG\" } ] }\n",
	         key, digest_b64, digest_b64);
}

static char parse_err[512];

static int
parse(const char *text, bool need_pubkey, struct authdata *a)
{
	parse_err[0] = '\0';
	return authdata_parse_response(text, strlen(text), need_pubkey, a, parse_err,
	                               sizeof(parse_err));
}

static void
test_good_login_response(void)
{
	char text[16384];
	struct authdata a;
	good_response(text, sizeof(text), NULL);
	CU_ASSERT_EQUAL_FATAL(parse(text, false, &a), 0);
	CU_ASSERT_EQUAL(a.count, 2);
	const struct authdata_entry *e = authdata_find(&a, "hsm-bbb");
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	CU_ASSERT_EQUAL(e->signature_len, 3);
	CU_ASSERT(memcmp(e->signature, "\x04\x05\x06", 3) == 0);
	e = authdata_find(&a, "hsm-aaa");
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	CU_ASSERT_EQUAL(e->signature_len, 4);
	CU_ASSERT_EQUAL(e->digest[0], 0x93);
	CU_ASSERT_PTR_NULL(authdata_find(&a, "hsm-ccc"));
	CU_ASSERT_EQUAL(a.pubkey_der_len, 0);
}

static void
test_good_key_response(void)
{
	char text[16384], oneline[4096];
	struct authdata a;
	good_response(text, sizeof(text), pem_2048);
	CU_ASSERT_EQUAL_FATAL(parse(text, true, &a), 0);
	CU_ASSERT(a.pubkey_der_len > 256 && a.pubkey_der_len < 300);
	size_t first = a.pubkey_der_len;
	/* The page's example writes the PEM on one line with spaces. */
	size_t j = 0;
	for (size_t i = 0; pem_2048[i] != '\0' && j + 1 < sizeof(oneline); i++)
		oneline[j++] = pem_2048[i] == '\n' ? ' ' : pem_2048[i];
	oneline[j] = '\0';
	good_response(text, sizeof(text), oneline);
	CU_ASSERT_EQUAL(parse(text, true, &a), 0);
	CU_ASSERT_EQUAL(a.pubkey_der_len, first);
	/* A login ignores a key that happens to be there. */
	CU_ASSERT_EQUAL(parse(text, false, &a), 0);
	CU_ASSERT_EQUAL(a.pubkey_der_len, 0);
}

/* Each malformed text and the reason it must give. */
static const struct {
	const char *text;
	const char *reason;
} bad_forms[] = {
	{ "", "not JSON (unexpected end of data)" },
	{ "{\"Version\": \"1.0\", \"Data\": [", "not JSON (unexpected end of data)" },
	{ "Version: 1.0", "not JSON" },
	{ "{\"Version\": \"1.0\", \"Data\": []} trailing", "not JSON (text after the object)" },
	{ "[1, 2]", "not a JSON object" },
	{ "{\"Data\": []}", "the file has no Version" },
	{ "{\"Version\": 1.0, \"Data\": []}", "Version of the file is not a string" },
	{ "{\"Version\": \"2.0\", \"Data\": []}", "Version 2.0 is not 1.0" },
	{ "{\"Version\": \"1.0\"}", "no Data list" },
	{ "{\"Version\": \"1.0\", \"Data\": {}}", "no Data list" },
	{ "{\"Version\": \"1.0\", \"Data\": []}", "Data has 0 entries (1 to 64)" },
	{ "{\"Version\": \"1.0\", \"Data\": [7]}", "Data entry 1 is not an object" },
	{ "{\"Version\": \"1.0\", \"Data\": [{\"Digest\": \"AAAA\", \"Signature\": \"AAAA\"}]}",
	  "Data entry 1 has no HsmId" },
	{ "{\"Version\": \"1.0\", \"Data\": [{\"HsmId\": \"hsm-a\", \"Signature\": \"AAAA\"}]}",
	  "Data entry 1 has no Digest" },
	{ "{\"Version\": \"1.0\", \"Data\": [{\"HsmId\": \"hsm-a\", \"Digest\": \"AAAA\"}]}",
	  "Data entry 1 has no Signature" },
	{ "{\"Version\": \"1.0\", \"Data\": [{\"HsmId\": \"hsm-a\", \"Digest\": \"AAAA\","
	  " \"Signature\": \"\"}]}", "Data entry 1 has no Signature (it is empty)" },
	{ "{\"Version\": \"1.0\", \"Data\": [{\"HsmId\": 5, \"Digest\": \"AAAA\","
	  " \"Signature\": \"AAAA\"}]}", "HsmId of Data entry 1 is not a string" },
	{ "{\"Version\": \"1.0\", \"Data\": [{\"HsmId\": \"\", \"Digest\": \"AAAA\","
	  " \"Signature\": \"AAAA\"}]}", "HsmId of Data entry 1 is not an HSM id" },
	{ "{\"Version\": \"1.0\", \"Data\": [{\"HsmId\": \"hsm-0123456789012345678901234567\","
	  " \"Digest\": \"AAAA\", \"Signature\": \"AAAA\"}]}",
	  "HsmId of Data entry 1 is not an HSM id" },
	{ "{\"Version\": \"1.0\", \"Data\": [{\"HsmId\": \"hsm-a\", \"Digest\": \"AAAA\","
	  " \"Signature\": \"AAAA\"}]}", "Digest of Data entry 1 is not 32 bytes of base64" },
};

static void
test_malformed_forms(void)
{
	struct authdata a;
	for (size_t i = 0; i < sizeof(bad_forms) / sizeof(bad_forms[0]); i++) {
		int rc = parse(bad_forms[i].text, false, &a);
		CU_ASSERT_EQUAL(rc, -1);
		if (strncmp(parse_err, bad_forms[i].reason, strlen(bad_forms[i].reason)) != 0) {
			printf("\nform %zu: got \"%s\", want \"%s\"\n", i, parse_err,
			       bad_forms[i].reason);
			CU_FAIL("reason");
		}
		CU_ASSERT_EQUAL(a.count, 0);    /* nothing half-parsed is left */
	}
}

/* The good response with one replacement made in it. */
static int
parse_edited(const char *from, const char *to, bool need_pubkey, const char *pubkey)
{
	char text[16384], edited[16384];
	struct authdata a;
	good_response(text, sizeof(text), pubkey);
	char *at = strstr(text, from);
	CU_ASSERT_PTR_NOT_NULL_FATAL(at);
	snprintf(edited, sizeof(edited), "%.*s%s%s", (int)(at - text), text, to,
	         at + strlen(from));
	return parse(edited, need_pubkey, &a);
}

static void
test_bad_signatures_and_ids(void)
{
	const char *bad_sigs[] = { "AAE*Aw==", "AAECA", "AA=CAw==", "AAECAw===", "====",
	                           "AAEC-w==" };
	for (size_t i = 0; i < sizeof(bad_sigs) / sizeof(bad_sigs[0]); i++) {
		CU_ASSERT_EQUAL(parse_edited("AAECAw==", bad_sigs[i], false, NULL), -1);
		CU_ASSERT_STRING_EQUAL(parse_err, "Signature of Data entry 1 is not base64");
	}
	CU_ASSERT_EQUAL(parse_edited("hsm-bbb", "hsm-aaa", false, NULL), -1);
	CU_ASSERT_STRING_EQUAL(parse_err, "HsmId hsm-aaa appears twice in Data");
	/* Base64 may be wrapped over lines, as openssl base64 writes it. */
	CU_ASSERT_EQUAL(parse_edited("AAECAw==", "AAEC\\nAw==", false, NULL), 0);
}

static void
test_bad_public_keys(void)
{
	char text[16384];
	struct authdata a;
	good_response(text, sizeof(text), NULL);
	CU_ASSERT_EQUAL(parse(text, true, &a), -1);
	CU_ASSERT_STRING_EQUAL(parse_err, "the file has no PublicKey");
	good_response(text, sizeof(text), "");
	CU_ASSERT_EQUAL(parse(text, true, &a), -1);
	CU_ASSERT_STRING_EQUAL(parse_err, "PublicKey is not a PEM public key "
	                       "(-----BEGIN PUBLIC KEY----- ... -----END PUBLIC KEY-----)");
	good_response(text, sizeof(text), pem_1024);
	CU_ASSERT_EQUAL(parse(text, true, &a), -1);
	CU_ASSERT_STRING_EQUAL(parse_err, "PublicKey is not an RSA-2048 key (2FA needs RSA_2048)");
	good_response(text, sizeof(text), pem_ec);
	CU_ASSERT_EQUAL(parse(text, true, &a), -1);
	CU_ASSERT_STRING_EQUAL(parse_err, "PublicKey is not an RSA-2048 key (2FA needs RSA_2048)");
	good_response(text, sizeof(text),
	              "-----BEGIN PUBLIC KEY-----\nAAECAw==\n-----END PUBLIC KEY-----\n");
	CU_ASSERT_EQUAL(parse(text, true, &a), -1);
	CU_ASSERT_STRING_EQUAL(parse_err, "PublicKey does not hold a public key");
	good_response(text, sizeof(text),
	              "-----BEGIN RSA PRIVATE KEY-----\nAAECAw==\n-----END RSA PRIVATE KEY-----\n");
	CU_ASSERT_EQUAL(parse(text, true, &a), -1);
	CU_ASSERT_STRING_EQUAL(parse_err, "PublicKey is not a PEM public key "
	                       "(-----BEGIN PUBLIC KEY----- ... -----END PUBLIC KEY-----)");
	/* A body that is not base64. */
	char broken[4096];
	snprintf(broken, sizeof(broken), "%s", pem_2048);
	broken[40] = '*';
	good_response(text, sizeof(text), broken);
	CU_ASSERT_EQUAL(parse(text, true, &a), -1);
	CU_ASSERT_STRING_EQUAL(parse_err, "PublicKey does not hold a public key");
}

static void
test_base64_strict(void)
{
	uint8_t out[8];
	CU_ASSERT_EQUAL(authdata_base64_decode("AAECAw==", out, sizeof(out)), 4);
	CU_ASSERT_EQUAL(authdata_base64_decode(" AAEC\r\nAwQF ", out, sizeof(out)), 6);
	CU_ASSERT_EQUAL(authdata_base64_decode("AAECAwQFBgcI", out, sizeof(out)), -1); /* 9 > 8 */
	CU_ASSERT_EQUAL(authdata_base64_decode("", out, sizeof(out)), -1);
	CU_ASSERT_EQUAL(authdata_base64_decode("AAE", out, sizeof(out)), -1);
	CU_ASSERT_EQUAL(authdata_base64_decode("A===", out, sizeof(out)), -1);
	CU_ASSERT_EQUAL(authdata_base64_decode("AA==AA==", out, sizeof(out)), -1);
}

static void
test_request_file(void)
{
	struct authdata *req = calloc(1, sizeof(*req));
	char *dir = cu_mkdtemp("authdata");
	CU_ASSERT_PTR_NOT_NULL_FATAL(req);
	CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
	req->with_pubkey = true;
	req->count = 2;
	snprintf(req->entries[0].hsm_id, sizeof(req->entries[0].hsm_id), "hsm-aaa");
	snprintf(req->entries[1].hsm_id, sizeof(req->entries[1].hsm_id), "hsm-bbb");
	memset(req->entries[0].digest, 0xfb, HSM_TFA_DIGEST_LEN);   /* base64 with '/' */
	memset(req->entries[1].digest, 0x01, HSM_TFA_DIGEST_LEN);
	char *path = cu_path(dir, "authdata"), err[256];
	CU_ASSERT_EQUAL_FATAL(authdata_write_request(path, req, err, sizeof(err)), 0);
	struct stat st;
	CU_ASSERT_EQUAL(stat(path, &st), 0);
	CU_ASSERT_EQUAL(st.st_mode & 0777, 0600);
	json_object *root = json_object_from_file(path), *v, *data, *e;
	CU_ASSERT_PTR_NOT_NULL_FATAL(root);
	CU_ASSERT(json_object_object_get_ex(root, "Version", &v));
	CU_ASSERT_STRING_EQUAL(json_object_get_string(v), "1.0");
	CU_ASSERT(json_object_object_get_ex(root, "PublicKey", &v));
	CU_ASSERT_STRING_EQUAL(json_object_get_string(v), "");
	CU_ASSERT_FATAL(json_object_object_get_ex(root, "Data", &data));
	CU_ASSERT_EQUAL_FATAL(json_object_array_length(data), 2);
	e = json_object_array_get_idx(data, 0);
	CU_ASSERT(json_object_object_get_ex(e, "HsmId", &v));
	CU_ASSERT_STRING_EQUAL(json_object_get_string(v), "hsm-aaa");
	CU_ASSERT(json_object_object_get_ex(e, "Digest", &v));
	CU_ASSERT_STRING_EQUAL(json_object_get_string(v),
	                       "+/v7+/v7+/v7+/v7+/v7+/v7+/v7+/v7+/v7+/v7+/s=");
	CU_ASSERT_FALSE(json_object_object_get_ex(e, "Signature", &v));
	json_object_put(root);
	/* A login request has no PublicKey; slashes are not escaped. */
	req->with_pubkey = false;
	char *text = authdata_request_json(req);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	CU_ASSERT_PTR_NULL(strstr(text, "PublicKey"));
	CU_ASSERT_PTR_NULL(strstr(text, "\\/"));
	free(text);
	/* The request itself is no response: it has no signatures. */
	struct authdata a;
	CU_ASSERT_EQUAL(authdata_read_response(path, false, &a, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "Data entry 1 has no Signature"));
	free(path);
	char *missing = cu_path(dir, "nope/authdata");
	CU_ASSERT_EQUAL(authdata_write_request(missing, req, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "cannot write"));
	CU_ASSERT_EQUAL(authdata_read_response(missing, false, &a, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "cannot read"));
	free(missing);
	cu_rmtree(dir);
	free(req);
}

static void
test_nul_byte_in_file(void)
{
	char *dir = cu_mkdtemp("authdata-nul");
	CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
	char *path = cu_path(dir, "authdata"), err[256];
	char text[16384];
	good_response(text, sizeof(text), NULL);
	size_t n = strlen(text);
	text[n - 2] = '\0';         /* a NUL inside, where the closing brace was */
	FILE *f = fopen(path, "wb");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fwrite(text, 1, n, f);
	fclose(f);
	struct authdata a;
	CU_ASSERT_EQUAL(authdata_read_response(path, false, &a, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "not JSON (a NUL byte)"));
	free(path);
	cu_rmtree(dir);
}

static CU_TestInfo authdata_tests[] = {
	{ "a good login response", test_good_login_response },
	{ "a good createUser/changePswd response", test_good_key_response },
	{ "every malformed form", test_malformed_forms },
	{ "bad signatures, repeated HsmId", test_bad_signatures_and_ids },
	{ "bad public keys", test_bad_public_keys },
	{ "strict base64", test_base64_strict },
	{ "the request file", test_request_file },
	{ "a NUL byte in the file", test_nul_byte_in_file },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "authdata", init_keys, NULL, NULL, NULL, authdata_tests },
	CU_SUITE_INFO_NULL,
};

int
main(void)
{
	return cu_run(suites);
}
