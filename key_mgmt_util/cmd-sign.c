/* cmd-sign.c - sign and verify: a file signed with an HSM private key, or
 * its signature checked with an HSM public key, on any node holding it. */
#include <stdio.h>
#include <stdlib.h>

#include "kmu.h"

#define MECHANISMS_HELP \
	"  -m       signing mechanism:\n" \
	"             0 SHA1_RSA_PKCS        5 SHA1_RSA_PKCS_PSS     15 ECDSA_SHA1\n" \
	"             1 SHA256_RSA_PKCS      6 SHA256_RSA_PKCS_PSS   16 ECDSA_SHA224\n" \
	"             2 SHA384_RSA_PKCS      7 SHA384_RSA_PKCS_PSS   17 ECDSA_SHA256\n" \
	"             3 SHA512_RSA_PKCS      8 SHA512_RSA_PKCS_PSS   18 ECDSA_SHA384\n" \
	"             4 SHA224_RSA_PKCS      9 SHA224_RSA_PKCS_PSS   19 ECDSA_SHA512\n" \
	"           (PSS: MGF1 with the same hash, salt as long as the hash;\n" \
	"            ECDSA signatures are DER encoded)\n"

static const struct kmu_opt sign_opts[] = {
	{ "-f", "File name", OPT_STRING, true, 0, 0 },
	{ "-k", "Key handle", OPT_UINT, true, 0, UINT32_MAX },
	{ "-m", "Signing mechanism", OPT_UINT, true, 0, UINT32_MAX },
	{ "-out", "Output file", OPT_STRING, true, 0, 0 },
};

static int
sign_exec(struct kmu *k, const struct kmu_args *a)
{
	uint8_t *data, *sig = NULL;
	size_t len, siglen = 0;
	hsm_node_status st;
	const char *out = kmu_str(a, "-out");
	if (kmu_read_file(kmu_str(a, "-f"), HSM_SIGN_DATA_MAX, &data, &len) != 0)
		return 1;
	hsm_rc rc = hsm_sign(k->client, (uint32_t)kmu_num(a, "-k"), (uint32_t)kmu_num(a, "-m"),
	                     data, len, &sig, &siglen, &st);
	free(data);
	kmu_print_rc("Cfm3Sign", rc);
	int status = rc == HSM_RC_SUCCESS ? 0 : 1;
	if (rc == HSM_RC_SUCCESS) {
		if (kmu_write_file(out, sig, siglen) == 0)
			printf("\n\tsignature is written to file %s\n", out);
		else
			status = 1;
	}
	free(sig);
	kmu_print_status(&st);
	return status;
}

const struct kmu_cmd kmu_cmd_sign = {
	.name = "sign",
	.summary = "Generates a signature",
	.help = "Description\n===========\nSigns a file (at most 64 KB) with a private key you own or\n"
		"that is shared with you, and writes the signature to a file.\n\n"
		"Syntax: sign -h\n\n"
		"sign -f <file name>\n"
		"     -k <private key handle>\n"
		"     -m <signature mechanism>\n"
		"     -out <signed file name>\n\n"
		"Parameters:\n"
		"  -f       file to sign\n"
		"  -k       private key handle (OBJ_ATTR_SIGN set)\n"
		MECHANISMS_HELP
		"  -out     file to write the signature to (overwritten)\n",
	KMU_OPTS(sign_opts),
	.exec = sign_exec,
};

static const struct kmu_opt verify_opts[] = {
	{ "-f", "File name", OPT_STRING, true, 0, 0 },
	{ "-s", "Signature file", OPT_STRING, true, 0, 0 },
	{ "-k", "Key handle", OPT_UINT, true, 0, UINT32_MAX },
	{ "-m", "Signing mechanism", OPT_UINT, true, 0, UINT32_MAX },
};

/* key_mgmt_util-verify.md prints no status block. */
static int
verify_exec(struct kmu *k, const struct kmu_args *a)
{
	uint8_t *data, *sig;
	size_t len, siglen;
	hsm_node_status st;
	if (kmu_read_file(kmu_str(a, "-f"), HSM_SIGN_DATA_MAX, &data, &len) != 0)
		return 1;
	if (kmu_read_file(kmu_str(a, "-s"), HSM_SIGN_SIG_MAX, &sig, &siglen) != 0) {
		free(data);
		return 1;
	}
	hsm_rc rc = hsm_verify(k->client, (uint32_t)kmu_num(a, "-k"), (uint32_t)kmu_num(a, "-m"),
	                       data, len, sig, siglen, &st);
	free(data);
	free(sig);
	if (rc == HSM_RC_SUCCESS)
		printf("\n\tSignature verification successful\n");
	kmu_print_rc("Cfm3Verify", rc);
	return rc == HSM_RC_SUCCESS ? 0 : 1;
}

const struct kmu_cmd kmu_cmd_verify = {
	.name = "verify",
	.summary = "Verifies a signature",
	.help = "Description\n===========\nChecks that a signature file was made over a file (at most\n"
		"64 KB) by the private key of a public key in the HSMs.\n\n"
		"Syntax: verify -h\n\n"
		"verify -f <message-file>\n"
		"       -s <signature-file>\n"
		"       -k <public-key-handle>\n"
		"       -m <signature-mechanism>\n\n"
		"Parameters:\n"
		"  -f       file that was signed\n"
		"  -s       signature file\n"
		"  -k       public key handle (OBJ_ATTR_VERIFY set)\n"
		MECHANISMS_HELP,
	KMU_OPTS(verify_opts),
	.exec = verify_exec,
};
