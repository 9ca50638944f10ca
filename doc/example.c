/* example.c - a program that uses libhsmclient as an application would:
 * connect to the cluster, log in as a crypto user, sign and verify.
 *
 * Build it against an installed libhsmclient (package libhsmclient-dev):
 *   cc example.c $(pkg-config --cflags --libs libhsmclient) -o example
 * Run it with a key_mgmt_util configuration and a crypto user; the password
 * is read from standard input, so it stays out of argv and ps:
 *   echo "$CU_PASSWORD" | ./example /opt/cloudhsm/etc/cloudhsm_client.cfg alice
 */
#define _DEFAULT_SOURCE   /* explicit_bzero */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hsmclient.h>

static int
fail(const char *what, hsm_rc rc)
{
	const char *msg = hsm_rc_message(rc);
	fprintf(stderr, "example: %s: 0x%02x %s\n", what, (unsigned)rc, msg ? msg : "");
	return 1;
}

/* One line from standard input, without its newline; wiped by the caller. */
static int
read_password(char *buf, size_t len)
{
	if (fgets(buf, (int)len, stdin) == NULL)
		return -1;
	buf[strcspn(buf, "\r\n")] = '\0';
	return buf[0] != '\0' ? 0 : -1;
}

/* The cluster is learnt from the one HSM the configuration names, then
 * every member is connected (as key_mgmt_util does). */
static hsm_client *
open_cluster(const char *cfg)
{
	char err[512] = "";
	hsm_client *c = hsm_client_open_kmu(cfg, err, sizeof(err));
	if (c == NULL || hsm_client_discover(c, err, sizeof(err)) != HSM_RC_SUCCESS) {
		fprintf(stderr, "example: %s\n", err);
		hsm_client_close(c);
		return NULL;
	}
	for (size_t i = 0; i < hsm_server_count(c); i++) {
		hsm_server_state s = hsm_server_get(c, i);
		if (hsm_server_connect(c, i, err, sizeof(err)) == HSM_RC_SUCCESS)
			printf("HSM %zu: %s port %u\n", i, s.hostname, s.port);
		else
			printf("HSM %zu: %s port %u: %s\n", i, s.hostname, s.port, err);
	}
	return c;
}

/* A session key pair: it lives as long as this login, so nothing is left. */
static int
sign_and_verify(hsm_client *c)
{
	static const char message[] = "signed inside the HSM";
	hsm_key_template t = { .key_type = HSM_KEY_EC, .curve_id = 2 /* P-256 */,
	                       .label = "example", .session = true };
	hsm_sync_opts so = { 0 };
	hsm_node_status st;
	uint32_t pub, priv;
	uint8_t *sig = NULL;
	size_t siglen = 0;
	hsm_rc rc = hsm_generate_key_pair(c, &t, &so, &pub, &priv, &st);
	if (rc != HSM_RC_SUCCESS)
		return fail("genECCKeyPair", rc);
	rc = hsm_sign(c, priv, HSM_MECH_ECDSA_SHA256, (const uint8_t *)message,
	              strlen(message), &sig, &siglen, &st);
	if (rc != HSM_RC_SUCCESS)
		return fail("sign", rc);
	rc = hsm_verify(c, pub, HSM_MECH_ECDSA_SHA256, (const uint8_t *)message,
	                strlen(message), sig, siglen, &st);
	free(sig);
	if (rc != HSM_RC_SUCCESS)
		return fail("verify", rc);
	printf("ECDSA P-256 signature of %zu bytes made with key %u, verified with key %u\n",
	       siglen, (unsigned)priv, (unsigned)pub);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "--version") == 0) {
		printf("libhsmclient %s\n", HSMCLIENT_VERSION);
		return 0;
	}
	if (argc != 3) {
		fprintf(stderr, "usage: example CLIENT_CONFIG CU_NAME < password\n");
		return 2;
	}
	char password[HSM_PASSWORD_MAX + 2];
	if (read_password(password, sizeof(password)) != 0) {
		fprintf(stderr, "example: no password on standard input\n");
		return 2;
	}
	hsm_client *c = open_cluster(argv[1]);
	hsm_node_status st;
	int status = 1;
	if (c != NULL) {
		hsm_rc rc = hsm_cluster_login(c, HSM_USER_CU, argv[2], password, &st);
		status = rc == HSM_RC_SUCCESS ? sign_and_verify(c) : fail("loginHSM", rc);
		if (rc == HSM_RC_SUCCESS)
			hsm_cluster_logout(c, &st);
	}
	explicit_bzero(password, sizeof(password));   /* a compiler may drop memset */
	hsm_client_close(c);
	return status;
}
