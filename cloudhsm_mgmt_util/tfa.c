/* tfa.c - CMU's half of two-factor authentication (-2fa): each HSM's
 * challenge into the authdata file, the operator's signatures back out. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authdata.h"
#include "cmu.h"

bool
cmu_tfa_type_ok(const char *cmd, hsm_user_type type)
{
	if (type == HSM_USER_CO || type == HSM_USER_PCO)
		return true;
	printf("%s failed: two-factor authentication (-2fa) is only for crypto officers (CO)\n",
	       cmd);
	return false;
}

struct challenges {
	uint8_t digest[HSM_MAX_SERVERS][HSM_TFA_DIGEST_LEN];
};

static hsm_rc
challenge_one(hsm_client *c, size_t srv, void *p)
{
	struct challenges *ch = p;
	return hsm_tfa_challenge(c, srv, ch->digest[srv]);
}

/* The request: one Data entry per server in scope that issued a challenge. */
static void
build_request(struct cmu *cmu, const struct challenges *ch, struct cmu_tfa *t)
{
	t->req->with_pubkey = t->with_pubkey;
	for (size_t i = 0; i < hsm_server_count(cmu->client); i++) {
		if (!cmu_in_scope(cmu, i) || t->rc[i] != HSM_RC_SUCCESS)
			continue;
		struct authdata_entry *e = &t->req->entries[t->req->count++];
		snprintf(e->hsm_id, sizeof(e->hsm_id), "%s",
		         hsm_server_get(cmu->client, i).partition);
		memcpy(e->digest, ch->digest[i], HSM_TFA_DIGEST_LEN);
	}
}

/* Tells the operator what to do and waits for Enter; false for q or EOF. */
static bool
wait_for_operator(struct cmu *cmu, const char *cmd, const char *path, const struct cmu_tfa *t)
{
	printf("Authentication data for %zu HSMs is in %s\n", t->req->count, path);
	printf("Sign each Digest with your 2FA private key and add the Signature of each "
	       "HSM%s to that file.\n", t->with_pubkey ? " and your PublicKey" : "");
	for (;;) {
		char *line = NULL;
		fflush(stdout);
		enum shell_status st = shell_read(&cmu->sh,
			"Press Enter when the file is signed (q to cancel):", &line);
		if (st == SHELL_EOF)
			cmu->input_eof = true;
		const char *w = line ? line + strspn(line, " \t") : "";
		bool quit = st == SHELL_EOF || w[0] == 'q' || w[0] == 'Q';
		bool go = st == SHELL_OK && w[0] == '\0';
		free(line);
		if (quit) {
			printf("%s%s cancelled: nothing was sent\n", st == SHELL_EOF ? "\n" : "", cmd);
			return false;
		}
		if (go)
			return true;
		printf("Invalid option, please press Enter or type 'q'\n\n");
	}
}

/* Pairs every challenged server with its signature in the response. */
static bool
match_response(struct cmu *cmu, const char *cmd, const char *path, struct cmu_tfa *t)
{
	for (size_t i = 0; i < hsm_server_count(cmu->client); i++) {
		if (!cmu_in_scope(cmu, i) || t->rc[i] != HSM_RC_SUCCESS)
			continue;
		const char *id = hsm_server_get(cmu->client, i).partition;
		const struct authdata_entry *e = authdata_find(t->resp, id);
		if (e == NULL) {
			printf("%s failed: %s: no Data entry for HsmId %s (server %zu)\n", cmd, path,
			       id, i);
			return false;
		}
		t->factor[i] = (hsm_second_factor){
			.signature = e->signature, .signature_len = e->signature_len,
			.pubkey_der = t->with_pubkey ? t->resp->pubkey_der : NULL,
			.pubkey_der_len = t->with_pubkey ? t->resp->pubkey_der_len : 0,
		};
	}
	return true;
}

bool
cmu_tfa_exchange(struct cmu *cmu, const char *cmd, const char *path, bool with_pubkey,
                 struct cmu_tfa *t)
{
	char err[512];
	struct challenges ch;
	memset(t, 0, sizeof(*t));
	t->with_pubkey = with_pubkey;
	t->req = calloc(1, sizeof(*t->req));
	t->resp = calloc(1, sizeof(*t->resp));
	if (t->req == NULL || t->resp == NULL) {
		printf("%s failed: out of memory\n", cmd);
		return false;
	}
	cmu_run_in_scope(cmu, challenge_one, &ch, t->rc);
	build_request(cmu, &ch, t);
	if (t->req->count == 0)
		return true;        /* no HSM to sign for: each reports its error */
	if (authdata_write_request(path, t->req, err, sizeof(err)) != 0) {
		printf("%s failed: %s\n", cmd, err);
		return false;
	}
	if (!wait_for_operator(cmu, cmd, path, t))
		return false;
	if (authdata_read_response(path, with_pubkey, t->resp, err, sizeof(err)) != 0) {
		printf("%s failed: %s\n", cmd, err);
		return false;
	}
	return match_response(cmu, cmd, path, t);
}

void
cmu_tfa_free(struct cmu_tfa *t)
{
	if (t->resp != NULL)
		authdata_clear(t->resp);
	free(t->req);
	free(t->resp);
	memset(t, 0, sizeof(*t));
}
