/* authdata.c - writes the 2FA authdata request and reads the signed
 * response (json-c for JSON, OpenSSL for base64, PEM and the key check). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "authdata.h"
#include "util.h"

#define PEM_BEGIN "-----BEGIN PUBLIC KEY-----"
#define PEM_END "-----END PUBLIC KEY-----"
#define TFA_KEY_BITS 2048

char *
authdata_request_json(const struct authdata *req)
{
	json_object *root = json_object_new_object();
	json_object *data = json_object_new_array();
	char b64[4 * ((HSM_TFA_DIGEST_LEN + 2) / 3) + 1];
	json_object_object_add(root, "Version", json_object_new_string(AUTHDATA_VERSION));
	if (req->with_pubkey)
		json_object_object_add(root, "PublicKey", json_object_new_string(""));
	for (size_t i = 0; i < req->count; i++) {
		const struct authdata_entry *e = &req->entries[i];
		json_object *o = json_object_new_object();
		EVP_EncodeBlock((unsigned char *)b64, e->digest, HSM_TFA_DIGEST_LEN);
		json_object_object_add(o, "HsmId", json_object_new_string(e->hsm_id));
		json_object_object_add(o, "Digest", json_object_new_string(b64));
		json_object_array_add(data, o);
	}
	json_object_object_add(root, "Data", data);
	const char *text = json_object_to_json_string_ext(root,
		JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE);
	char *out = text ? malloc(strlen(text) + 2) : NULL;
	if (out != NULL)
		snprintf(out, strlen(text) + 2, "%s\n", text);
	json_object_put(root);
	return out;
}

int
authdata_write_request(const char *path, const struct authdata *req, char *err,
                       size_t errlen)
{
	char *text = authdata_request_json(req);
	if (text == NULL) {
		hsm_errf(err, errlen, "cannot build the request");
		return -1;
	}
	int rc = hsm_write_file_atomic(path, text, strlen(text), 0600);
	if (rc != 0)
		hsm_errf(err, errlen, "cannot write %s: %s", path, strerror(errno));
	free(text);
	return rc;
}

static bool
is_b64_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '+' || c == '/';
}

long
authdata_base64_decode(const char *text, uint8_t *out, size_t outmax)
{
	size_t n = strlen(text), len = 0, pad = 0;
	char *clean = malloc(n + 1);
	long result = -1;
	if (clean == NULL)
		return -1;
	for (size_t i = 0; i < n; i++) {
		char c = text[i];
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
			continue;
		if (c == '=')
			pad++;
		else if (!is_b64_char(c) || pad > 0)
			goto out;           /* a stray character, or data after '=' */
		clean[len++] = c;
	}
	clean[len] = '\0';
	if (len == 0 || len % 4 != 0 || pad > 2 || len / 4 * 3 - pad > outmax)
		goto out;
	uint8_t *buf = malloc(len / 4 * 3);
	if (buf == NULL)
		goto out;
	int got = EVP_DecodeBlock(buf, (const unsigned char *)clean, (int)len);
	if (got >= 0 && (size_t)got == len / 4 * 3) {
		result = (long)(len / 4 * 3 - pad);
		memcpy(out, buf, (size_t)result);
	}
	OPENSSL_cleanse(buf, len / 4 * 3);
	free(buf);
out:
	free(clean);
	return result;
}

int
authdata_pem_to_der(const char *pem, uint8_t *der, size_t dermax, size_t *derlen,
                    char *err, size_t errlen)
{
	const char *begin = strstr(pem, PEM_BEGIN);
	const char *end = begin ? strstr(begin, PEM_END) : NULL;
	if (end == NULL) {
		hsm_errf(err, errlen, "PublicKey is not a PEM public key (" PEM_BEGIN " ... "
		         PEM_END ")");
		return -1;
	}
	size_t body_len = (size_t)(end - begin) - strlen(PEM_BEGIN);
	char *body = strndup(begin + strlen(PEM_BEGIN), body_len);
	long n = body ? authdata_base64_decode(body, der, dermax) : -1;
	free(body);
	const unsigned char *p = der;
	EVP_PKEY *pk = n > 0 ? d2i_PUBKEY(NULL, &p, n) : NULL;
	int rc = -1;
	if (pk == NULL || p != der + n)
		hsm_errf(err, errlen, "PublicKey does not hold a public key");
	else if (!EVP_PKEY_is_a(pk, "RSA") || EVP_PKEY_get_bits(pk) != TFA_KEY_BITS)
		hsm_errf(err, errlen, "PublicKey is not an RSA-2048 key (2FA needs RSA_2048)");
	else
		rc = 0;
	EVP_PKEY_free(pk);
	*derlen = rc == 0 ? (size_t)n : 0;
	return rc;
}

/* The string member key of o; NULL after writing why into err. */
static const char *
string_member(json_object *o, const char *key, const char *where, char *err, size_t errlen)
{
	json_object *v;
	if (!json_object_object_get_ex(o, key, &v)) {
		hsm_errf(err, errlen, "%s has no %s", where, key);
		return NULL;
	}
	if (!json_object_is_type(v, json_type_string)) {
		hsm_errf(err, errlen, "%s of %s is not a string", key, where);
		return NULL;
	}
	return json_object_get_string(v);
}

static int
parse_entry(json_object *o, const char *where, struct authdata_entry *e, char *err,
            size_t errlen)
{
	if (!json_object_is_type(o, json_type_object)) {
		hsm_errf(err, errlen, "%s is not an object", where);
		return -1;
	}
	const char *id = string_member(o, "HsmId", where, err, errlen);
	const char *digest = id ? string_member(o, "Digest", where, err, errlen) : NULL;
	const char *sig = digest ? string_member(o, "Signature", where, err, errlen) : NULL;
	if (sig == NULL)
		return -1;
	if (sig[0] == '\0') {
		hsm_errf(err, errlen, "%s has no Signature (it is empty)", where);
		return -1;
	}
	if (id[0] == '\0' || strlen(id) > AUTHDATA_HSM_ID_MAX) {
		hsm_errf(err, errlen, "HsmId of %s is not an HSM id", where);
		return -1;
	}
	hsm_strlcpy(e->hsm_id, id, sizeof(e->hsm_id));
	if (authdata_base64_decode(digest, e->digest, sizeof(e->digest)) !=
	    (long)sizeof(e->digest)) {
		hsm_errf(err, errlen, "Digest of %s is not 32 bytes of base64", where);
		return -1;
	}
	long n = authdata_base64_decode(sig, e->signature, sizeof(e->signature));
	if (n <= 0) {
		hsm_errf(err, errlen, "Signature of %s is not base64", where);
		return -1;
	}
	e->signature_len = (size_t)n;
	return 0;
}

static int
parse_data(json_object *root, struct authdata *out, char *err, size_t errlen)
{
	json_object *data;
	if (!json_object_object_get_ex(root, "Data", &data) ||
	    !json_object_is_type(data, json_type_array)) {
		hsm_errf(err, errlen, "no Data list");
		return -1;
	}
	size_t n = json_object_array_length(data);
	if (n == 0 || n > HSM_MAX_SERVERS) {
		hsm_errf(err, errlen, "Data has %zu entries (1 to %d)", n, HSM_MAX_SERVERS);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		char where[32];
		snprintf(where, sizeof(where), "Data entry %zu", i + 1);
		struct authdata_entry *e = &out->entries[i];
		if (parse_entry(json_object_array_get_idx(data, i), where, e, err, errlen) != 0)
			return -1;
		if (authdata_find(out, e->hsm_id) != NULL) {
			hsm_errf(err, errlen, "HsmId %s appears twice in Data", e->hsm_id);
			return -1;
		}
		out->count = i + 1;
	}
	return 0;
}

static int
parse_root(json_object *root, bool need_pubkey, struct authdata *out, char *err,
           size_t errlen)
{
	if (!json_object_is_type(root, json_type_object)) {
		hsm_errf(err, errlen, "not a JSON object");
		return -1;
	}
	const char *version = string_member(root, "Version", "the file", err, errlen);
	if (version == NULL)
		return -1;
	if (strcmp(version, AUTHDATA_VERSION) != 0) {
		hsm_errf(err, errlen, "Version %s is not " AUTHDATA_VERSION, version);
		return -1;
	}
	if (parse_data(root, out, err, errlen) != 0)
		return -1;
	out->with_pubkey = need_pubkey;
	if (!need_pubkey)
		return 0;
	const char *pem = string_member(root, "PublicKey", "the file", err, errlen);
	return pem ? authdata_pem_to_der(pem, out->pubkey_der, sizeof(out->pubkey_der),
	                                 &out->pubkey_der_len, err, errlen) : -1;
}

int
authdata_parse_response(const char *text, size_t len, bool need_pubkey,
                        struct authdata *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	json_tokener *tok = len <= AUTHDATA_FILE_MAX ? json_tokener_new() : NULL;
	json_object *root = tok ? json_tokener_parse_ex(tok, text, (int)len) : NULL;
	int rc = -1;
	if (tok == NULL) {
		hsm_errf(err, errlen, "too large, or out of memory");
	} else if (root == NULL) {
		enum json_tokener_error e = json_tokener_get_error(tok);
		hsm_errf(err, errlen, "not JSON (%s)", e == json_tokener_continue
		         ? "unexpected end of data" : json_tokener_error_desc(e));
	} else if (strspn(text + json_tokener_get_parse_end(tok), " \t\r\n") !=
	           len - json_tokener_get_parse_end(tok)) {
		hsm_errf(err, errlen, "not JSON (text after the object)");
	} else {
		rc = parse_root(root, need_pubkey, out, err, errlen);
	}
	json_object_put(root);
	if (tok != NULL)
		json_tokener_free(tok);
	if (rc != 0)
		authdata_clear(out);
	return rc;
}

int
authdata_read_response(const char *path, bool need_pubkey, struct authdata *out,
                       char *err, size_t errlen)
{
	char *text;
	size_t n;
	memset(out, 0, sizeof(*out));
	if (hsm_read_file(path, AUTHDATA_FILE_MAX, &text, &n) != 0) {
		hsm_errf(err, errlen, "cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	char why[256];
	int rc = -1;
	if (strlen(text) != n)
		hsm_errf(why, sizeof(why), "not JSON (a NUL byte)");
	else
		rc = authdata_parse_response(text, n, need_pubkey, out, why, sizeof(why));
	if (rc != 0)
		hsm_errf(err, errlen, "%s: %s", path, why);
	OPENSSL_cleanse(text, n);
	free(text);
	return rc;
}

const struct authdata_entry *
authdata_find(const struct authdata *a, const char *hsm_id)
{
	for (size_t i = 0; i < a->count; i++)
		if (strcmp(a->entries[i].hsm_id, hsm_id) == 0)
			return &a->entries[i];
	return NULL;
}

void
authdata_clear(struct authdata *a)
{
	OPENSSL_cleanse(a, sizeof(*a));
}
