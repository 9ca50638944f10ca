/* cmd-quorum.c - registerQuorumPubKey, getMValue, setMValue: the quorum
 * (M of N) set-up of quorum-authentication-crypto-officers-first-time-setup.md. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "cmu.h"
#include "util.h"

#define PUBKEY_FILE_MAX 16384u

/* ---- registerQuorumPubKey --------------------------------------------------------- */

struct register_args {
	hsm_user_type type;
	const char *name;
	uint8_t *token, *sig, *der;
	size_t token_len, sig_len, der_len;
};

/* A PEM (as openssl rsa -pubout writes it) or DER public key, as DER. */
static uint8_t *
pubkey_der(const char *cmd, const char *path, size_t *der_len)
{
	size_t len;
	uint8_t *text = cmu_read_file(cmd, path, PUBKEY_FILE_MAX, &len);
	if (text == NULL)
		return NULL;
	BIO *bio = BIO_new_mem_buf(text, (int)len);
	EVP_PKEY *k = bio ? PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL) : NULL;
	if (k == NULL) {
		const unsigned char *p = text;
		k = d2i_PUBKEY(NULL, &p, (long)len);
	}
	BIO_free(bio);
	free(text);
	unsigned char *der = NULL;
	int n = k ? i2d_PUBKEY(k, &der) : -1;
	EVP_PKEY_free(k);
	if (n <= 0) {
		printf("%s failed: %s: not a PEM or DER public key\n", cmd, path);
		return NULL;
	}
	uint8_t *copy = malloc((size_t)n);
	if (copy != NULL)
		memcpy(copy, der, (size_t)n);
	OPENSSL_free(der);
	*der_len = (size_t)n;
	return copy;
}

static bool
register_files(const char *cmd, char **argv, struct register_args *a)
{
	a->token = cmu_read_file(cmd, argv[2], HSM_QUORUM_REG_TOKEN_MAX, &a->token_len);
	if (a->token != NULL && a->token_len == 0) {
		printf("%s failed: %s: the registration token is empty\n", cmd, argv[2]);
		return false;
	}
	if (a->token != NULL)
		a->sig = cmu_read_file(cmd, argv[3], HSM_QUORUM_SIG_MAX, &a->sig_len);
	if (a->sig != NULL)
		a->der = pubkey_der(cmd, argv[4], &a->der_len);
	return a->der != NULL;
}

static hsm_rc
register_one(hsm_client *c, size_t srv, void *p)
{
	const struct register_args *a = p;
	return hsm_register_quorum_key(c, srv, a->type, a->name, a->token, a->token_len,
	                               a->sig, a->sig_len, a->der, a->der_len);
}

static int
cmd_register_exec(struct cmu *cmu, int argc, char **argv)
{
	const char *cmd = "registerQuorumPubKey";
	struct register_args a = { .type = hsm_user_type_parse(argv[0]), .name = argv[1] };
	(void)argc;
	int rc = 1;
	if (register_files(cmd, argv, &a)) {
		rc = 0;
		if (cmu_confirm_critical(cmu))
			cmu_run_critical(cmu, cmd, false, register_one, &a);
	}
	free(a.token);
	free(a.sig);
	free(a.der);
	return rc;
}

const struct cmu_cmd cmd_register_quorum_pub_key_entry = {
	.name = "registerQuorumPubKey",
	.usage = "registerQuorumPubKey <user-type> <user-name> <registration-token> "
	         "<signed-registration-token> <public-key>",
	.summary = "Registers the logged-in CO's RSA-2048 quorum public key on the HSMs",
	.min_args = 5, .max_args = 5,
	.exec = cmd_register_exec,
};

/* ---- getMValue, setMValue ------------------------------------------------------------ */

static bool
parse_number(const char *cmd, const char *what, const char *arg, uint32_t *out)
{
	unsigned long v;
	if (!hsm_parse_uint(arg, 0, UINT32_MAX, &v)) {
		printf("Error: %s: %s must be a number, not \"%s\"\n", cmd, what, arg);
		return false;
	}
	*out = (uint32_t)v;
	return true;
}

struct m_value_args {
	uint32_t service;
	uint32_t m;
	uint32_t got[HSM_MAX_SERVERS];
};

static hsm_rc
get_m_one(hsm_client *c, size_t srv, void *p)
{
	struct m_value_args *a = p;
	return hsm_get_m_value(c, srv, a->service, &a->got[srv]);
}

static int
cmd_get_m_value_exec(struct cmu *cmu, int argc, char **argv)
{
	struct m_value_args a;
	hsm_rc rcs[HSM_MAX_SERVERS];
	(void)argc;
	memset(&a, 0, sizeof(a));
	if (!parse_number("getMValue", "the service", argv[0], &a.service))
		return 1;
	cmu_run_in_scope(cmu, get_m_one, &a, rcs);
	const char *name = hsm_service_name(a.service);
	for (size_t i = 0; i < hsm_server_count(cmu->client); i++) {
		if (!cmu_in_scope(cmu, i))
			continue;
		if (rcs[i] == HSM_RC_SUCCESS)
			printf("MValue of service %u[%s] on server %zu : [%u]\n", a.service,
			       name ? name : "UNKNOWN", i, a.got[i]);
		else
			cmu_print_failure(cmu, "getMValue", i, rcs[i]);
	}
	return 0;
}

const struct cmu_cmd cmd_get_m_value_entry = {
	.name = "getMValue",
	.usage = "getMValue <service>",
	.summary = "Shows the quorum minimum value (M) of a service (3 USER_MGMT, 4 MISC_CO)",
	.min_args = 1, .max_args = 1,
	.exec = cmd_get_m_value_exec,
};

static hsm_rc
set_m_one(hsm_client *c, size_t srv, void *p)
{
	const struct m_value_args *a = p;
	return hsm_set_m_value(c, srv, a->service, a->m);
}

static int
cmd_set_m_value_exec(struct cmu *cmu, int argc, char **argv)
{
	struct m_value_args a;
	(void)argc;
	memset(&a, 0, sizeof(a));
	if (!parse_number("setMValue", "the service", argv[0], &a.service) ||
	    !parse_number("setMValue", "the M value", argv[1], &a.m))
		return 1;
	if (cmu_confirm_critical(cmu)) {
		printf("Setting M Value(%u) for %u on %zu nodes\n", a.m, a.service,
		       cmu_scope_count(cmu));
		cmu_run_critical(cmu, "setMValue", false, set_m_one, &a);
	}
	return 0;
}

const struct cmu_cmd cmd_set_m_value_entry = {
	.name = "setMValue",
	.usage = "setMValue <service> <m-value>",
	.summary = "Sets the quorum minimum value (M) of a service: 1 (off) or 2 to 8",
	.min_args = 2, .max_args = 2,
	.exec = cmd_set_m_value_exec,
};
