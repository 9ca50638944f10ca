/* cmd-fakepem.c - getCaviumPrivKey and IsValidKeyHandlefile: a "fake PEM"
 * RSA private key that holds the HSM key handle, not the private key. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>

#include "kmu-wrap.h"

/* doc/kmu-formats.md: the real modulus and public exponent; both primes
 * are this marker ("HSM KEY HANDLE" in ASCII); the private exponent and
 * both CRT exponents are the handle; the CRT coefficient is 1. */
static const uint8_t fake_marker[] = "HSM KEY HANDLE";
#define FAKE_MARKER_LEN (sizeof(fake_marker) - 1)

static const struct kmu_opt cavium_opts[] = {
	{ "-k", "Private key handle", OPT_UINT, true, 0, UINT32_MAX },
	{ "-out", "Output file", OPT_STRING, true, 0, 0 },
};

static const hsm_attribute *
find_attr(const hsm_attribute_list *l, uint32_t id)
{
	for (size_t i = 0; i < l->count; i++)
		if (l->attrs[i].id == id)
			return &l->attrs[i];
	return NULL;
}

static bool
attr_is(const hsm_attribute_list *l, uint32_t id, uint32_t want)
{
	const hsm_attribute *a = find_attr(l, id);
	return a != NULL && a->len == 4 && a->value[0] == (uint8_t)(want >> 24) &&
	       a->value[1] == (uint8_t)(want >> 16) && a->value[2] == (uint8_t)(want >> 8) &&
	       a->value[3] == (uint8_t)want;
}

static int
push_bin(OSSL_PARAM_BLD *bld, const char *name, const uint8_t *p, size_t n, BIGNUM **keep)
{
	*keep = BN_bin2bn(p, (int)n, NULL);
	return *keep != NULL && OSSL_PARAM_BLD_push_BN(bld, name, *keep) == 1 ? 0 : -1;
}

static EVP_PKEY *
fake_key(const hsm_attribute *n, const hsm_attribute *e, uint32_t handle)
{
	uint8_t h[4] = { (uint8_t)(handle >> 24), (uint8_t)(handle >> 16),
	                 (uint8_t)(handle >> 8), (uint8_t)handle };
	uint8_t one = 1;
	const char *names[] = { OSSL_PKEY_PARAM_RSA_N, OSSL_PKEY_PARAM_RSA_E,
		OSSL_PKEY_PARAM_RSA_D, OSSL_PKEY_PARAM_RSA_FACTOR1, OSSL_PKEY_PARAM_RSA_FACTOR2,
		OSSL_PKEY_PARAM_RSA_EXPONENT1, OSSL_PKEY_PARAM_RSA_EXPONENT2,
		OSSL_PKEY_PARAM_RSA_COEFFICIENT1 };
	const uint8_t *vals[] = { n->value, e->value, h, fake_marker, fake_marker, h, h, &one };
	size_t lens[] = { n->len, e->len, 4, FAKE_MARKER_LEN, FAKE_MARKER_LEN, 4, 4, 1 };
	BIGNUM *bns[8] = { NULL };
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	EVP_PKEY *pkey = NULL;
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	int ok = bld != NULL && ctx != NULL;
	for (size_t i = 0; ok && i < 8; i++)
		ok = push_bin(bld, names[i], vals[i], lens[i], &bns[i]) == 0;
	if (ok && (params = OSSL_PARAM_BLD_to_param(bld)) != NULL && EVP_PKEY_fromdata_init(ctx) == 1)
		(void)EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_KEYPAIR, params);
	for (size_t i = 0; i < 8; i++)
		BN_free(bns[i]);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	EVP_PKEY_CTX_free(ctx);
	return pkey;
}

static int
write_fake(const char *path, EVP_PKEY *pkey)
{
	BIO *mem = BIO_new(BIO_s_mem());
	char *pem = NULL;
	long n = 0;
	int ret = -1;
	if (mem != NULL &&
	    PEM_write_bio_PrivateKey_traditional(mem, pkey, NULL, NULL, 0, NULL, NULL) == 1 &&
	    (n = BIO_get_mem_data(mem, &pem)) > 0)
		ret = kmu_write_file(path, pem, (size_t)n);
	BIO_free(mem);
	return ret;
}

/* The private key must be an RSA key the caller may use. */
static hsm_rc
make_fake(struct kmu *k, uint32_t handle, const char *out)
{
	hsm_attribute_list l;
	hsm_node_status st;
	hsm_rc rc = hsm_get_attributes(k->client, handle, HSM_ATTR_ALL, &l, &st);
	if (rc != HSM_RC_SUCCESS)
		return rc;
	const hsm_attribute *n = find_attr(&l, HSM_ATTR_MODULUS);
	const hsm_attribute *e = find_attr(&l, HSM_ATTR_PUBLIC_EXPONENT);
	if (!attr_is(&l, HSM_ATTR_CLASS, HSM_CLASS_PRIVATE) ||
	    !attr_is(&l, HSM_ATTR_KEY_TYPE, HSM_KEY_RSA) || n == NULL || e == NULL)
		rc = HSM_RC_KEY_TYPE_INCONSISTENT;
	EVP_PKEY *pkey = rc == HSM_RC_SUCCESS ? fake_key(n, e, handle) : NULL;
	if (rc == HSM_RC_SUCCESS && (pkey == NULL || write_fake(out, pkey) != 0))
		rc = HSM_RC_INTERNAL;
	EVP_PKEY_free(pkey);
	hsm_attribute_list_free(&l);
	return rc;
}

static int
cavium_exec(struct kmu *k, const struct kmu_args *a)
{
	const char *out = kmu_str(a, "-out");
	hsm_rc rc = make_fake(k, (uint32_t)kmu_num(a, "-k"), out);
	if (rc == HSM_RC_SUCCESS)
		printf("\nPrivate Key Handle is written to %s in fake PEM format\n", out);
	kmu_print_rc("getCaviumPrivKey", rc);
	return rc == HSM_RC_SUCCESS ? 0 : 1;
}

const struct kmu_cmd kmu_cmd_get_cavium_priv_key = {
	.name = "getCaviumPrivKey",
	.summary = "Saves an RSA private key handle in fake PEM format",
	.help = "Description\n===========\nWrites a fake PEM RSA private key: the real modulus and public\n"
		"exponent, and the HSM key handle in place of the private key.\n\n"
		"Syntax: getCaviumPrivKey -h\n\n"
		"getCaviumPrivKey -k <private-key-handle>\n"
		"                 -out <fake-PEM-file>\n\n"
		"Parameters:\n"
		"  -k       an RSA private key you own or share\n"
		"  -out     the fake PEM file written (overwritten)\n",
	KMU_OPTS(cavium_opts),
	.exec = cavium_exec,
};

static bool
bn_is_marker(EVP_PKEY *pkey, const char *name)
{
	BIGNUM *bn = NULL;
	uint8_t buf[FAKE_MARKER_LEN];
	bool is = EVP_PKEY_get_bn_param(pkey, name, &bn) == 1 &&
	          BN_num_bytes(bn) == (int)FAKE_MARKER_LEN &&
	          BN_bn2bin(bn, buf) == (int)FAKE_MARKER_LEN &&
	          memcmp(buf, fake_marker, FAKE_MARKER_LEN) == 0;
	BN_free(bn);
	return is;
}

/* Is pkey a fake PEM key? Then *handle is the handle it names. */
static bool
fake_handle(EVP_PKEY *pkey, uint32_t *handle)
{
	BIGNUM *d = NULL;
	if (!EVP_PKEY_is_a(pkey, "RSA") || !bn_is_marker(pkey, OSSL_PKEY_PARAM_RSA_FACTOR1) ||
	    !bn_is_marker(pkey, OSSL_PKEY_PARAM_RSA_FACTOR2))
		return false;
	bool ok = EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_D, &d) == 1 &&
	          BN_num_bits(d) <= 32;
	if (ok)
		*handle = (uint32_t)BN_get_word(d);
	BN_clear_free(d);
	return ok;
}

static int
no_password(char *buf, int size, int rwflag, void *u)
{
	(void)buf, (void)size, (void)rwflag, (void)u;
	return -1;
}

static const struct kmu_opt valid_opts[] = {
	{ "-f", "Private key file", OPT_STRING, true, 0, 0 },
};

static int
valid_exec(struct kmu *k, const struct kmu_args *a)
{
	(void)k;
	uint8_t *data;
	size_t n;
	uint32_t handle;
	const char *path = kmu_str(a, "-f");
	if (kmu_read_file(path, KMU_KEY_FILE_MAX, &data, &n) != 0)
		return 1;
	BIO *b = BIO_new_mem_buf(data, (int)n);
	EVP_PKEY *pkey = b ? PEM_read_bio_PrivateKey(b, NULL, no_password, NULL) : NULL;
	ERR_clear_error();
	if (pkey == NULL)
		printf("\n\tError: %s is not an unencrypted PEM private key\n", path);
	else if (fake_handle(pkey, &handle))
		printf("\nInput file has invalid key handle: %u\n", handle);
	else
		printf("\nInput key file has real private key\n");
	EVP_PKEY_free(pkey);
	BIO_free(b);
	kmu_free_secret(data, n);
	return pkey != NULL ? 0 : 1;
}

const struct kmu_cmd kmu_cmd_is_valid_key_handlefile = {
	.name = "IsValidKeyHandlefile",
	.summary = "Checks if private key file has an HSM key handle or a real key",
	.help = "Description\n===========\nTells whether a PEM private key file holds a real private key or\n"
		"is a fake PEM file (getCaviumPrivKey) that names an HSM key handle.\n\n"
		"Syntax: IsValidKeyHandlefile -h\n\n"
		"IsValidKeyHandlefile -f <private-key-file>\n\n"
		"Parameters:\n"
		"  -f       the PEM private key file\n",
	KMU_OPTS(valid_opts),
	.exec = valid_exec,
};
