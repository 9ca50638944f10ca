/* cmd-export.c - exSymKey, exportPrivateKey and exportPubKey: a key in the
 * clear on this host. Secret and private keys are wrapped by the HSM and
 * unwrapped again (by the HSM, or here with a -wk key file). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "kmu-wrap.h"

static const struct kmu_opt ex_sym_opts[] = {
	{ "-k", "Key handle", OPT_UINT, true, 0, UINT32_MAX },
	{ "-w", "Wrapping key handle", OPT_UINT, true, 0, UINT32_MAX },
	{ "-out", "Output file", OPT_STRING, true, 0, 0 },
	{ "-m", "Wrapping mechanism", OPT_UINT, false, 4, 4 },
	{ "-wk", "Unwrapping key file", OPT_STRING, false, 0, 0 },
};

/* Cfm3WrapKey, then Cfm3UnWrapHostKey or the -wk file: the key's bytes in
 * clear (raw secret or DER PKCS #8). 0, or 1 after printing why. */
static int
export_clear(struct kmu *k, const struct kmu_args *a, uint32_t want_class, struct hbuf *clear)
{
	hsm_wrap_params p = { .mechanism = HSM_WRAP_AES_KEY_WRAP_PAD_PKCS5 };
	hsm_wrap_result w, u;
	hsm_node_status st;
	uint32_t key = (uint32_t)kmu_num(a, "-k"), kek = (uint32_t)kmu_num(a, "-w");
	memset(&u, 0, sizeof(u));
	hsm_rc rc = kmu_check_class(k, key, want_class);
	if (rc == HSM_RC_SUCCESS)
		rc = hsm_wrap_key(k->client, kek, key, &p, &w, &st);
	else
		memset(&w, 0, sizeof(w));
	kmu_print_rc("Cfm3WrapKey", rc);
	int ret = rc == HSM_RC_SUCCESS ? 0 : 1;
	if (ret == 0 && kmu_set(a, "-wk")) {
		ret = kmu_local_unwrap(kmu_str(a, "-wk"), w.data, w.len, clear) == 0 ? 0 : 1;
	} else if (ret == 0) {
		rc = hsm_unwrap_data(k->client, kek, &p, w.data, w.len, &u, &st);
		kmu_print_rc("Cfm3UnWrapHostKey", rc);
		if (rc == HSM_RC_SUCCESS)
			hbuf_put_raw(clear, u.data, u.len);
		ret = rc == HSM_RC_SUCCESS && !clear->failed ? 0 : 1;
	}
	hsm_wrap_result_free(&w);
	hsm_wrap_result_free(&u);
	return ret;
}

static int
ex_sym_exec(struct kmu *k, const struct kmu_args *a)
{
	struct hbuf clear;
	hbuf_init(&clear);
	const char *out = kmu_str(a, "-out");
	int ret = export_clear(k, a, HSM_CLASS_SECRET, &clear);
	if (ret == 0 && kmu_write_file(out, clear.data, clear.len) != 0)
		ret = 1;
	if (ret == 0)
		printf(kmu_set(a, "-wk") ? "\nWrapped Symmetric Key written to file \"%s\"\n"
		                         : "\n\nWrapped Symmetric Key written to file \"%s\"\n", out);
	hbuf_free(&clear);
	return ret;
}

const struct kmu_cmd kmu_cmd_ex_sym_key = {
	.name = "exSymKey",
	.summary = "Exports a Symmetric key",
	.help = "Description\n===========\nWrites a symmetric key you own, in the clear, to a file: the HSM\n"
		"wraps it with an AES key and unwraps it again (or -wk unwraps it here).\n\n"
		"Syntax: exSymKey -h\n\n"
		"exSymKey -k <key-to-export>\n"
		"         -w <wrapping-key>\n"
		"         -out <key-file>\n"
		"         [-m 4] \n"
		"         [-wk <unwrapping-key-file> ]\n\n"
		"Parameters:\n"
		"  -k       a symmetric key you own, extractable\n"
		"  -w       an AES key with OBJ_ATTR_WRAP and OBJ_ATTR_DECRYPT\n"
		"  -out     the file written: the key's bytes (overwritten)\n"
		"  -m       4 (NIST_AES_WRAP), the only mechanism\n"
		"  -wk      a file with the plaintext of the -w key, to unwrap on this host\n",
	KMU_OPTS(ex_sym_opts),
	.exec = ex_sym_exec,
};

/* PKCS #8 DER to an unencrypted "PRIVATE KEY" PEM, written to path. */
static int
write_private_pem(const char *path, const struct hbuf *der)
{
	const unsigned char *p = der->data;
	PKCS8_PRIV_KEY_INFO *p8 = d2i_PKCS8_PRIV_KEY_INFO(NULL, &p, (long)der->len);
	BIO *mem = BIO_new(BIO_s_secmem());
	char *pem = NULL;
	long n = 0;
	int ret = -1;
	if (p8 != NULL && mem != NULL && PEM_write_bio_PKCS8_PRIV_KEY_INFO(mem, p8) == 1 &&
	    (n = BIO_get_mem_data(mem, &pem)) > 0)
		ret = kmu_write_file(path, pem, (size_t)n);
	else
		printf("\n\tError: the HSM returned a private key that does not encode\n");
	PKCS8_PRIV_KEY_INFO_free(p8);
	BIO_free(mem);
	return ret;
}

static int
export_private_exec(struct kmu *k, const struct kmu_args *a)
{
	struct hbuf clear;
	hbuf_init(&clear);
	const char *out = kmu_str(a, "-out");
	int ret = export_clear(k, a, HSM_CLASS_PRIVATE, &clear);
	if (ret == 0 && write_private_pem(out, &clear) != 0)
		ret = 1;
	if (ret == 0)
		printf("\nPEM formatted private key is written to %s\n", out);
	hbuf_free(&clear);
	return ret;
}

const struct kmu_cmd kmu_cmd_export_private_key = {
	.name = "exportPrivateKey",
	.summary = "Exports RSA/DSA/EC private key",
	.help = "Description\n===========\nWrites a private key you own, in the clear, to a PEM file: the HSM\n"
		"wraps it with an AES key and unwraps it again (or -wk unwraps it here).\n\n"
		"Syntax: exportPrivateKey -h\n\n"
		"exportPrivateKey -k <private-key-handle\n"
		"                 -w <wrapping-key-handle>\n"
		"                 -out <key-file>\n"
		"                 [-m <wrapping-mechanism>]\n"
		"                 [-wk <wrapping-key-file>]\n\n"
		"Parameters:\n"
		"  -k       a private key you own, extractable\n"
		"  -w       an AES key with OBJ_ATTR_WRAP and OBJ_ATTR_DECRYPT\n"
		"  -out     the PEM file written (PKCS #8, unencrypted; overwritten)\n"
		"  -m       4 (NIST_AES_WRAP), the only mechanism\n"
		"  -wk      a file with the plaintext of the -w key, to unwrap on this host\n",
	KMU_OPTS(ex_sym_opts),
	.exec = export_private_exec,
};

static const struct kmu_opt export_pub_opts[] = {
	{ "-k", "Key handle", OPT_UINT, true, 0, UINT32_MAX },
	{ "-out", "Output file", OPT_STRING, true, 0, 0 },
};

static int
write_public_pem(const char *path, const hsm_wrap_result *r)
{
	const unsigned char *p = r->data;
	EVP_PKEY *pkey = d2i_PUBKEY(NULL, &p, (long)r->len);
	BIO *mem = BIO_new(BIO_s_mem());
	char *pem = NULL;
	long n = 0;
	int ret = -1;
	if (pkey != NULL && mem != NULL && PEM_write_bio_PUBKEY(mem, pkey) == 1 &&
	    (n = BIO_get_mem_data(mem, &pem)) > 0)
		ret = kmu_write_file(path, pem, (size_t)n);
	else
		printf("\n\tError: the HSM returned a public key that does not encode\n");
	EVP_PKEY_free(pkey);
	BIO_free(mem);
	return ret;
}

static int
export_pub_exec(struct kmu *k, const struct kmu_args *a)
{
	hsm_wrap_result r;
	hsm_node_status st;
	const char *out = kmu_str(a, "-out");
	hsm_rc rc = hsm_export_public_key(k->client, (uint32_t)kmu_num(a, "-k"), &r, &st);
	if (rc == HSM_RC_SUCCESS && write_public_pem(out, &r) != 0) {
		hsm_wrap_result_free(&r);
		return 1;
	}
	if (rc == HSM_RC_SUCCESS)
		printf("\nPEM formatted public key is written to %s\n", out);
	kmu_print_rc("Cfm3ExportPubKey", rc);
	hsm_wrap_result_free(&r);
	return rc == HSM_RC_SUCCESS ? 0 : 1;
}

const struct kmu_cmd kmu_cmd_export_pub_key = {
	.name = "exportPubKey",
	.summary = "Exports RSA/DSA/EC Public key",
	.help = "Description\n===========\nWrites a public key of the HSM to a PEM file.\n\n"
		"Syntax: exportPubKey -h\n\n"
		"exportPubKey -k <public-key-handle\n"
		"             -out <key-file>\n\n"
		"Parameters:\n"
		"  -k       a public key (OBJ_ATTR_EXTRACTABLE 1)\n"
		"  -out     the PEM file written (SubjectPublicKeyInfo; overwritten)\n",
	KMU_OPTS(export_pub_opts),
	.exec = export_pub_exec,
};
