/* cmd-pubkey.c - importPubKey (a PEM public key) and createPublicKey (an
 * RSA public key from a modulus and an exponent): Cfm3CreatePublicKey. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "kmu-wrap.h"

#define MODULUS_MAX 1024u          /* bytes: RSA 8192 */

/* importPubKey's page: the returned and handle lines carry no indent. */
static int
create_public(struct kmu *k, const struct kmu_args *a, EVP_PKEY *pkey)
{
	hsm_key_template t;
	hsm_sync_opts so;
	hsm_node_status st;
	uint8_t *der = NULL;
	uint32_t h = 0;
	if (kmu_create_template(a, &t, &so) != 0)
		return 2;
	int n = i2d_PUBKEY(pkey, &der);
	if (n <= 0) {
		printf("\n\tError: the public key does not encode\n");
		return 1;
	}
	t.key_type = EVP_PKEY_is_a(pkey, "RSA") ? HSM_KEY_RSA
	           : EVP_PKEY_is_a(pkey, "DSA") ? HSM_KEY_DSA
	           : EVP_PKEY_is_a(pkey, "EC") ? HSM_KEY_EC : UINT32_MAX;
	hsm_rc rc = hsm_create_public_key(k->client, &t, der, (size_t)n, &so, &h, &st);
	OPENSSL_free(der);
	kmu_print_rc_indent("Cfm3CreatePublicKey", rc, false);
	if (rc == HSM_RC_SUCCESS)
		printf("\nPublic Key Handle: %u\n", h);
	kmu_print_status(&st);
	return rc == HSM_RC_SUCCESS ? 0 : 1;
}

/* "PUBLIC KEY" (SubjectPublicKeyInfo) or "RSA PUBLIC KEY" (PKCS #1). */
static EVP_PKEY *
decode_public_pem(BIO *b)
{
	char *name = NULL, *header = NULL;
	unsigned char *der = NULL;
	long len = 0;
	EVP_PKEY *pkey = NULL;
	if (PEM_read_bio(b, &name, &header, &der, &len) == 1) {
		const unsigned char *p = der;
		if (strcmp(name, PEM_STRING_PUBLIC) == 0)
			pkey = d2i_PUBKEY(NULL, &p, len);
		else if (strcmp(name, PEM_STRING_RSA_PUBLIC) == 0)
			pkey = d2i_PublicKey(EVP_PKEY_RSA, NULL, &p, len);
		if (pkey != NULL && p != der + len) {
			EVP_PKEY_free(pkey);
			pkey = NULL;
		}
	}
	OPENSSL_free(name);
	OPENSSL_free(header);
	OPENSSL_free(der);
	return pkey;
}

static EVP_PKEY *
read_public_pem(const char *path)
{
	uint8_t *data;
	size_t n;
	if (kmu_read_file(path, KMU_KEY_FILE_MAX, &data, &n) != 0)
		return NULL;
	BIO *b = BIO_new_mem_buf(data, (int)n);
	EVP_PKEY *pkey = b != NULL ? decode_public_pem(b) : NULL;
	if (pkey == NULL)
		printf("\n\tError: %s is not a PEM public key (PUBLIC KEY or RSA PUBLIC KEY)\n",
		       path);
	ERR_clear_error();
	BIO_free(b);
	free(data);
	return pkey;
}

static const struct kmu_opt import_pub_opts[] = {
	{ "-l", "Key label", OPT_STRING, true, 0, 0 },
	{ "-f", "Key file", OPT_STRING, true, 0, 0 },
	{ "-sess", "Session key", OPT_FLAG, false, 0, 0 },
	{ "-id", "Key ID", OPT_STRING, false, 0, 0 },
	{ "-min_srv", "Minimum number of servers", OPT_UINT, false, 1, HSM_MAX_SERVERS },
	{ "-timeout", "Timeout", OPT_UINT, false, 1, 86400 },
};

static int
import_pub_exec(struct kmu *k, const struct kmu_args *a)
{
	EVP_PKEY *pkey = read_public_pem(kmu_str(a, "-f"));
	if (pkey == NULL)
		return 1;
	int ret = create_public(k, a, pkey);
	EVP_PKEY_free(pkey);
	return ret;
}

const struct kmu_cmd kmu_cmd_import_pub_key = {
	.name = "importPubKey",
	.summary = "Imports RSA/DSA/EC Public key",
	.help = "Description\n===========\nImports a PEM public key (RSA, DSA, EC) into the HSMs.\n\n"
		"Syntax: importPubKey -h\n\n"
		"importPubKey -l <label>\n"
		"             -f <key-file>\n"
		"             [-sess]\n"
		"             [-id <key-id>]\n"
		"             [min_srv <minimum-number-of-servers>]\n"
		"             [-timeout <number-of-seconds>]\n\n"
		"Parameters:\n"
		"  -f       a PEM file: PUBLIC KEY, or RSA PUBLIC KEY\n"
		"  -l, -id, -sess, -min_srv, -timeout: as genSymKey\n",
	KMU_OPTS(import_pub_opts),
	.exec = import_pub_exec,
};

static int
hexval(int c)
{
	return isdigit(c) ? c - '0' : tolower(c) - 'a' + 10;
}

/* As getAttribute -a 288 -out writes it (an optional OBJ_ATTR_MODULUS line,
 * then hex with or without 0x), or the raw big-endian bytes. */
static size_t
parse_modulus(const uint8_t *data, size_t n, uint8_t out[MODULUS_MAX])
{
	char hex[2 * MODULUS_MAX + 3];
	size_t h = 0, i = n > 17 && memcmp(data, "OBJ_ATTR_MODULUS\n", 17) == 0 ? 17 : 0;
	for (; i < n && h < sizeof(hex) - 1; i++)
		if (!isspace(data[i]))
			hex[h++] = (char)data[i];
	hex[h] = '\0';
	const char *x = strncmp(hex, "0x", 2) == 0 ? hex + 2 : hex;
	size_t len = strlen(x);
	if (len > 0 && len % 2 == 0 && len / 2 <= MODULUS_MAX && i == n &&
	    strspn(x, "0123456789abcdefABCDEF") == len) {
		for (size_t j = 0; j < len; j += 2)
			out[j / 2] = (uint8_t)(hexval((unsigned char)x[j]) << 4 |
			                       hexval((unsigned char)x[j + 1]));
		return len / 2;
	}
	if (n > MODULUS_MAX)
		return 0;
	memcpy(out, data, n);
	return n;
}

static EVP_PKEY *
rsa_public(const uint8_t *mod, size_t len, unsigned long e)
{
	EVP_PKEY *pkey = NULL;
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	BIGNUM *bn = BN_bin2bn(mod, (int)len, NULL), *be = BN_new();
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	if (bld != NULL && bn != NULL && be != NULL && ctx != NULL && BN_set_word(be, e) == 1 &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn) == 1 &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, be) == 1 &&
	    (params = OSSL_PARAM_BLD_to_param(bld)) != NULL && EVP_PKEY_fromdata_init(ctx) == 1)
		(void)EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params);
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(bn);
	BN_free(be);
	return pkey;
}

static const struct kmu_opt create_pub_opts[] = {
	{ "-l", "Key label", OPT_STRING, true, 0, 0 },
	{ "-m", "Modulus file", OPT_STRING, true, 0, 0 },
	{ "-e", "Public exponent", OPT_UINT, true, 3, UINT32_MAX },
	{ "-sess", "Session key", OPT_FLAG, false, 0, 0 },
	{ "-id", "Key ID", OPT_STRING, false, 0, 0 },
	{ "-min_srv", "Minimum number of servers", OPT_UINT, false, 1, HSM_MAX_SERVERS },
	{ "-timeout", "Timeout", OPT_UINT, false, 1, 86400 },
};

static int
create_pub_exec(struct kmu *k, const struct kmu_args *a)
{
	uint8_t *data, mod[MODULUS_MAX];
	size_t n;
	const char *file = kmu_str(a, "-m");
	if (kmu_read_file(file, 4 * MODULUS_MAX, &data, &n) != 0)
		return 1;
	size_t len = parse_modulus(data, n, mod);
	free(data);
	EVP_PKEY *pkey = len > 0 ? rsa_public(mod, len, kmu_num(a, "-e")) : NULL;
	if (pkey == NULL) {
		printf("\n\tError: %s does not hold an RSA modulus (hex or raw bytes)\n", file);
		return 1;
	}
	int ret = create_public(k, a, pkey);
	EVP_PKEY_free(pkey);
	return ret;
}

const struct kmu_cmd kmu_cmd_create_public_key = {
	.name = "createPublicKey",
	.summary = "Creates an RSA public key",
	.help = "Description\n===========\nCreates an RSA public key in the HSMs from its modulus and\n"
		"public exponent.\n\n"
		"Syntax: createPublicKey -h\n\n"
		"createPublicKey -l <label>\n"
		"                -m <modulus-file>\n"
		"                -e <public-exponent>\n"
		"                [-sess]\n"
		"                [-id <key-id>]\n"
		"                [-min_srv <minimum-number-of-servers>]\n"
		"                [-timeout <number-of-seconds>]\n\n"
		"Parameters:\n"
		"  -m       the modulus: hex as getAttribute -a 288 -out writes it, or the\n"
		"           big-endian bytes (2048 to 4096 bits)\n"
		"  -e       the public exponent, odd, at least 65537\n"
		"  -l, -id, -sess, -min_srv, -timeout: as genSymKey\n",
	KMU_OPTS(create_pub_opts),
	.exec = create_pub_exec,
};
