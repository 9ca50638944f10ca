/* cmd-import.c - imSymKey and importPrivateKey: a key in the clear on this
 * host goes in wrapped (by the HSM, or here with a -wk key file) and the
 * HSM unwraps it into a new key (OBJ_ATTR_LOCAL 0) on every node. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "kmu-wrap.h"

/* Cfm3WrapHostKey (or -wk), Cfm3CreateUnwrapTemplate, Cfm3UnWrapKey.
 * done: "Symmetric Key Unwrapped." or "Private Key Imported.". */
static int
import_clear(struct kmu *k, const struct kmu_args *a, uint32_t cls, const hsm_key_template *t,
             const hsm_sync_opts *so, const uint8_t *clear, size_t n, const char *done)
{
	hsm_wrap_params p = { .mechanism = HSM_WRAP_AES_KEY_WRAP_PAD_PKCS5 };
	hsm_node_status st;
	struct hbuf wrapped;
	uint32_t kek = (uint32_t)kmu_num(a, "-w"), h = 0;
	hbuf_init(&wrapped);
	int ret = 0;
	if (kmu_set(a, "-wk")) {
		ret = kmu_local_wrap(kmu_str(a, "-wk"), clear, n, &wrapped) == 0 ? 0 : 1;
	} else {
		hsm_wrap_result r;
		hsm_rc rc = hsm_wrap_data(k->client, kek, &p, clear, n, &r, &st);
		kmu_print_rc("Cfm3WrapHostKey", rc);
		if (rc == HSM_RC_SUCCESS)
			hbuf_put_raw(&wrapped, r.data, r.len);
		else
			kmu_print_status(&st);
		hsm_wrap_result_free(&r);
		ret = rc == HSM_RC_SUCCESS && !wrapped.failed ? 0 : 1;
	}
	if (ret == 0) {
		kmu_print_rc("Cfm3CreateUnwrapTemplate", HSM_RC_SUCCESS);
		hsm_rc rc = hsm_unwrap_key(k->client, kek, &p, cls, t, wrapped.data, wrapped.len, so,
		                           &h, &st);
		kmu_print_rc("Cfm3UnWrapKey", rc);
		if (rc == HSM_RC_SUCCESS)
			printf("\n\t%s  Key Handle: %u\n", done, h);
		if (rc == HSM_RC_SUCCESS && kmu_set(a, "-attest"))
			kmu_print_attestation(k, &st);
		kmu_print_status(&st);
		ret = rc == HSM_RC_SUCCESS ? 0 : 1;
	}
	hbuf_free(&wrapped);
	return ret;
}

static const struct kmu_opt im_sym_opts[] = {
	{ "-f", "Key file", OPT_STRING, true, 0, 0 },
	{ "-w", "Wrapping key handle", OPT_UINT, true, 0, UINT32_MAX },
	{ "-t", "Key type", OPT_UINT, true, 0, UINT32_MAX },
	{ "-l", "Key label", OPT_STRING, true, 0, 0 },
	{ "-id", "Key ID", OPT_STRING, false, 0, 0 },
	{ "-sess", "Session key", OPT_FLAG, false, 0, 0 },
	{ "-wk", "Wrapping key file", OPT_STRING, false, 0, 0 },
	{ "-attest", "Attestation", OPT_FLAG, false, 0, 0 },
	{ "-min_srv", "Minimum number of servers", OPT_UINT, false, 1, HSM_MAX_SERVERS },
	{ "-timeout", "Timeout", OPT_UINT, false, 1, 86400 },
	{ "-u", "User ids", OPT_USERS, false, 0, 0 },
};

static int
im_sym_exec(struct kmu *k, const struct kmu_args *a)
{
	hsm_key_template t;
	hsm_sync_opts so;
	uint8_t *key;
	size_t n;
	unsigned long type = kmu_num(a, "-t");
	if (type != HSM_KEY_DES3 && type != HSM_KEY_AES) {
		printf("\n\tError: Invalid Key type (-t): %lu (21 DES3 or 31 AES)\n", type);
		return 2;
	}
	if (kmu_create_template(a, &t, &so) != 0)
		return 2;
	t.key_type = (uint32_t)type;
	if (kmu_read_file(kmu_str(a, "-f"), KMU_KEY_FILE_MAX, &key, &n) != 0)
		return 1;
	int ret = import_clear(k, a, HSM_CLASS_SECRET, &t, &so, key, n,
	                       "Symmetric Key Unwrapped.");
	kmu_free_secret(key, n);
	return ret;
}

const struct kmu_cmd kmu_cmd_im_sym_key = {
	.name = "imSymKey",
	.summary = "Imports a Symmetric key",
	.help = "Description\n===========\nImports a plaintext AES or 3DES key from a file: the HSM wraps it\n"
		"with an AES key (or -wk wraps it here) and unwraps it into a new key.\n\n"
		"Syntax: imSymKey -h\n\n"
		"imSymKey -f <key-file>\n"
		"         -w <wrapping-key-handle>  \n"
		"         -t <key-type>\n"
		"         -l <label>\n"
		"         [-id <key-ID>]\n"
		"         [-sess]\n"
		"         [-wk <wrapping-key-file> ]\n"
		"         [-attest]\n"
		"         [-min_srv <minimum-number-of-servers>]\n"
		"         [-timeout <number-of-seconds> ]\n"
		"         [-u <user-ids>]\n\n"
		"Parameters:\n"
		"  -f       the key's bytes: AES 16, 24 or 32; 3DES 24\n"
		"  -w       an AES key with OBJ_ATTR_ENCRYPT and OBJ_ATTR_UNWRAP\n"
		"  -t       21 DES3, 31 AES\n"
		"  -wk      a file with the plaintext of the -w key, to wrap on this host\n"
		"  -l, -id, -sess, -attest, -min_srv, -timeout, -u: as genSymKey\n",
	KMU_OPTS(im_sym_opts),
	.exec = im_sym_exec,
};

static int
no_password(char *buf, int size, int rwflag, void *u)
{
	(void)buf, (void)size, (void)rwflag, (void)u;
	return -1;
}

/* An unencrypted PEM private key (PKCS #8 or traditional); NULL after
 * printing why not. */
static EVP_PKEY *
read_private_pem(const char *path)
{
	uint8_t *data;
	size_t n;
	if (kmu_read_file(path, KMU_KEY_FILE_MAX, &data, &n) != 0)
		return NULL;
	BIO *b = BIO_new_mem_buf(data, (int)n);
	EVP_PKEY *pkey = b ? PEM_read_bio_PrivateKey(b, NULL, no_password, NULL) : NULL;
	if (pkey == NULL)
		printf(strstr((char *)data, "ENCRYPTED") != NULL
		       ? "\n\tError: %s is password-protected; only unencrypted PEM keys can be imported\n"
		       : "\n\tError: %s is not a PEM private key\n", path);
	ERR_clear_error();
	BIO_free(b);
	kmu_free_secret(data, n);
	return pkey;
}

static uint32_t
pkey_type(EVP_PKEY *pkey)
{
	if (EVP_PKEY_is_a(pkey, "RSA"))
		return HSM_KEY_RSA;
	if (EVP_PKEY_is_a(pkey, "DSA"))
		return HSM_KEY_DSA;
	return EVP_PKEY_is_a(pkey, "EC") ? HSM_KEY_EC : UINT32_MAX;
}

/* DER PKCS #8 of pkey into der ("BER encoded key length"). */
static int
pkcs8_der(EVP_PKEY *pkey, struct hbuf *der)
{
	PKCS8_PRIV_KEY_INFO *p8 = EVP_PKEY2PKCS8(pkey);
	uint8_t *p = NULL;
	int n = p8 ? i2d_PKCS8_PRIV_KEY_INFO(p8, &p) : -1;
	PKCS8_PRIV_KEY_INFO_free(p8);
	if (n <= 0)
		return -1;
	hbuf_put_raw(der, p, (size_t)n);
	OPENSSL_clear_free(p, (size_t)n);
	return der->failed ? -1 : 0;
}

static const struct kmu_opt import_priv_opts[] = {
	{ "-l", "Key label", OPT_STRING, true, 0, 0 },
	{ "-f", "Key file", OPT_STRING, true, 0, 0 },
	{ "-w", "Wrapping key handle", OPT_UINT, true, 0, UINT32_MAX },
	{ "-sess", "Session key", OPT_FLAG, false, 0, 0 },
	{ "-id", "Key ID", OPT_STRING, false, 0, 0 },
	{ "-m_value", "M value", OPT_UINT, false, 0, 8 },
	{ "-min_srv", "Minimum number of servers", OPT_UINT, false, 1, HSM_MAX_SERVERS },
	{ "-timeout", "Timeout", OPT_UINT, false, 1, 86400 },
	{ "-u", "User ids", OPT_USERS, false, 0, 0 },
	{ "-wk", "Wrapping key file", OPT_STRING, false, 0, 0 },
	{ "-attest", "Attestation", OPT_FLAG, false, 0, 0 },
};

static int
import_priv_exec(struct kmu *k, const struct kmu_args *a)
{
	hsm_key_template t;
	hsm_sync_opts so;
	struct hbuf der;
	if (kmu_create_template(a, &t, &so) != 0)
		return 2;
	EVP_PKEY *pkey = read_private_pem(kmu_str(a, "-f"));
	if (pkey == NULL)
		return 1;
	hbuf_init(&der);
	t.key_type = pkey_type(pkey);
	int ret = 1;
	if (t.key_type == UINT32_MAX)
		printf("\n\tError: %s: the HSM imports RSA, DSA and EC keys only\n",
		       kmu_str(a, "-f"));
	else if (pkcs8_der(pkey, &der) != 0)
		printf("\n\tError: %s: the key does not encode as PKCS #8\n", kmu_str(a, "-f"));
	else
		ret = 0;
	EVP_PKEY_free(pkey);
	if (ret == 0) {
		printf("\n\tBER encoded key length is %zu\n", der.len);
		ret = import_clear(k, a, HSM_CLASS_PRIVATE, &t, &so, der.data, der.len,
		                   "Private Key Imported.");
	}
	hbuf_free(&der);
	return ret;
}

const struct kmu_cmd kmu_cmd_import_private_key = {
	.name = "importPrivateKey",
	.summary = "Imports RSA/DSA/EC private key",
	.help = "Description\n===========\nImports an unencrypted PEM private key: the HSM wraps it with an\n"
		"AES key (or -wk wraps it here) and unwraps it into a new key.\n\n"
		"Syntax: importPrivateKey -h\n\n"
		"importPrivateKey -l <label>\n"
		"                 -f <key-file>\n"
		"                 -w <wrapping-key-handle>\n"
		"                 [-sess]\n"
		"                 [-id <key-id>]\n"
		"                 [-m_value <0...8>]\n"
		"                 [min_srv <minimum-number-of-servers>]\n"
		"                 [-timeout <number-of-seconds>]\n"
		"                 [-u <user-ids>]\n"
		"                 [-wk <wrapping-key-file>]\n"
		"                 [-attest]\n\n"
		"Parameters:\n"
		"  -f       an unencrypted PEM private key (RSA, DSA, EC)\n"
		"  -w       an AES key with OBJ_ATTR_ENCRYPT and OBJ_ATTR_UNWRAP\n"
		"  -wk      a file with the plaintext of the -w key, to wrap on this host\n"
		"  -l, -id, -sess, -m_value, -min_srv, -timeout, -u, -attest: as genSymKey\n",
	KMU_OPTS(import_priv_opts),
	.exec = import_priv_exec,
};
