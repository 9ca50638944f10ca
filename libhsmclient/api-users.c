/* api-users.c - login, logout and user management on one server.
 * The server decides; the library only carries the request and the answer. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "client-internal.h"
#include "util.h"

/* f: the second factor (USER_REQ_FLAG_TFA), NULL for none. */
static hsm_rc
user_request(hsm_client *c, size_t srv, uint16_t op, hsm_user_type type, uint8_t flags,
             const char *name, const char *password, const hsm_second_factor *f)
{
	if (name == NULL || strlen(name) > PROTO_STR_MAX ||
	    (password != NULL && strlen(password) > PROTO_STR_MAX))
		return HSM_RC_INVALID_INPUT;
	struct msg_user_req m = {
		.user_type = (uint8_t)type, .flags = flags,
		.name = (char *)name, .password = (char *)password,
	};
	if (f != NULL) {
		if (password == NULL || f->signature_len > TFA_SIGNATURE_MAX ||
		    f->pubkey_der_len > TFA_PUBKEY_MAX)
			return HSM_RC_INVALID_INPUT;
		m.flags |= USER_REQ_FLAG_TFA;
		m.tfa = (struct msg_tfa){ f->signature, f->signature_len,
		                          f->pubkey_der, f->pubkey_der_len };
	}
	struct hbuf req;
	hbuf_init(&req);
	msg_user_req_encode(&req, &m);
	hsm_rc rc = client_call_simple(c, srv, op, &req);
	hbuf_free(&req);
	return rc;
}

static hsm_rc
login(hsm_client *c, size_t srv, hsm_user_type type, const char *name,
      const char *password, uint8_t flags, const hsm_second_factor *f)
{
	if (password == NULL)
		return HSM_RC_INVALID_INPUT;
	hsm_rc rc = user_request(c, srv, OP_LOGIN, type, flags, name, password, f);
	if (rc == HSM_RC_SUCCESS) {
		struct server_conn *s = &c->servers[srv];
		pthread_mutex_lock(&s->lock);
		s->logged_in = true;
		s->login_type = type;
		hsm_strlcpy(s->login_name, name, sizeof(s->login_name));
		pthread_mutex_unlock(&s->lock);
	}
	return rc;
}

hsm_rc
hsm_login(hsm_client *c, size_t srv, hsm_user_type type, const char *name,
          const char *password)
{
	return login(c, srv, type, name, password, 0, NULL);
}

hsm_rc
hsm_login_2fa(hsm_client *c, size_t srv, hsm_user_type type, const char *name,
              const char *password, const hsm_second_factor *f)
{
	if (f == NULL)
		return HSM_RC_INVALID_INPUT;
	return login(c, srv, type, name, password, 0, f);
}

hsm_rc
hsm_login_cu_only(hsm_client *c, size_t srv, hsm_user_type type, const char *name,
                  const char *password)
{
	return login(c, srv, type, name, password, LOGIN_FLAG_CU_ONLY, NULL);
}

hsm_rc
hsm_logout(hsm_client *c, size_t srv)
{
	struct hbuf req;
	hbuf_init(&req);
	hsm_rc rc = client_call_simple(c, srv, OP_LOGOUT, &req);
	if (rc == HSM_RC_SUCCESS) {
		struct server_conn *s = &c->servers[srv];
		pthread_mutex_lock(&s->lock);
		s->logged_in = false;
		s->login_type = HSM_USER_INVALID;
		s->login_name[0] = '\0';
		pthread_mutex_unlock(&s->lock);
	}
	return rc;
}

hsm_rc
hsm_list_users(hsm_client *c, size_t srv, hsm_user_list *out)
{
	struct hbuf req, resp;
	struct hrd payload;
	memset(out, 0, sizeof(*out));
	hbuf_init(&req);
	hbuf_init(&resp);
	hsm_rc rc = client_call(c, srv, OP_LIST_USERS, &req, &resp, &payload);
	if (rc == HSM_RC_SUCCESS && msg_user_list_decode(&payload, out) != 0) {
		hsm_server_disconnect(c, srv);
		rc = HSM_RC_CLUSTER_PROTOCOL;
	}
	hbuf_free(&req);
	hbuf_free(&resp);
	return rc;
}

hsm_rc
hsm_create_user(hsm_client *c, size_t srv, hsm_user_type type, const char *name,
                const char *password)
{
	if (password == NULL)
		return HSM_RC_INVALID_INPUT;
	return user_request(c, srv, OP_CREATE_USER, type, 0, name, password, NULL);
}

hsm_rc
hsm_create_user_2fa(hsm_client *c, size_t srv, hsm_user_type type, const char *name,
                    const char *password, const hsm_second_factor *f)
{
	if (password == NULL || f == NULL)
		return HSM_RC_INVALID_INPUT;
	return user_request(c, srv, OP_CREATE_USER, type, 0, name, password, f);
}

hsm_rc
hsm_delete_user(hsm_client *c, size_t srv, hsm_user_type type, const char *name)
{
	return user_request(c, srv, OP_DELETE_USER, type, 0, name, NULL, NULL);
}

static hsm_rc
change_password(hsm_client *c, size_t srv, hsm_user_type type, const char *name,
                const char *password, const hsm_second_factor *f)
{
	if (password == NULL)
		return HSM_RC_INVALID_INPUT;
	hsm_rc rc = user_request(c, srv, OP_CHANGE_PSWD, type, 0, name, password, f);
	/* Activation turns our own PRECO login into a CO one. */
	struct server_conn *s = &c->servers[srv];
	if (rc == HSM_RC_SUCCESS && type == HSM_USER_PRECO) {
		pthread_mutex_lock(&s->lock);
		if (s->logged_in && s->login_type == HSM_USER_PRECO &&
		    strcasecmp(s->login_name, name) == 0)
			s->login_type = HSM_USER_CO;
		pthread_mutex_unlock(&s->lock);
	}
	return rc;
}

hsm_rc
hsm_change_password(hsm_client *c, size_t srv, hsm_user_type type, const char *name,
                    const char *password)
{
	return change_password(c, srv, type, name, password, NULL);
}

hsm_rc
hsm_change_password_2fa(hsm_client *c, size_t srv, hsm_user_type type, const char *name,
                        const char *password, const hsm_second_factor *f)
{
	if (f == NULL)
		return HSM_RC_INVALID_INPUT;
	return change_password(c, srv, type, name, password, f);
}

hsm_rc
hsm_tfa_challenge(hsm_client *c, size_t srv, uint8_t digest[HSM_TFA_DIGEST_LEN])
{
	struct hbuf req, resp;
	struct hrd payload;
	hbuf_init(&req);
	hbuf_init(&resp);
	hsm_rc rc = client_call(c, srv, OP_TFA_CHALLENGE, &req, &resp, &payload);
	if (rc == HSM_RC_SUCCESS && msg_tfa_challenge_decode(&payload, digest) != 0) {
		hsm_server_disconnect(c, srv);
		rc = HSM_RC_CLUSTER_PROTOCOL;
	}
	hbuf_free(&req);
	hbuf_free(&resp);
	return rc;
}

hsm_rc
hsm_user_extract_masked(hsm_client *c, size_t srv, uint32_t user_id, const char *name,
                        uint8_t **blob, size_t *len)
{
	struct msg_user_ref m = { .id = user_id, .name = (char *)name };
	struct hbuf req, resp;
	struct hrd payload;
	struct msg_blob b;
	*blob = NULL;
	*len = 0;
	if (name != NULL && strlen(name) > PROTO_STR_MAX)
		return HSM_RC_INVALID_INPUT;
	hbuf_init(&req);
	hbuf_init(&resp);
	msg_user_ref_encode(&req, &m);
	hsm_rc rc = client_call(c, srv, OP_EXTRACT_USER, &req, &resp, &payload);
	if (rc == HSM_RC_SUCCESS && msg_blob_decode(&payload, &b, 65536) != 0)
		rc = HSM_RC_CLUSTER_PROTOCOL;
	if (rc == HSM_RC_SUCCESS && (*blob = malloc(b.len ? b.len : 1)) == NULL)
		rc = HSM_RC_INTERNAL;
	if (rc == HSM_RC_SUCCESS) {
		memcpy(*blob, b.data, b.len);
		*len = b.len;
	}
	hbuf_free(&req);
	hbuf_free(&resp);
	return rc;
}

hsm_rc
hsm_user_insert_masked(hsm_client *c, size_t srv, const uint8_t *blob, size_t len)
{
	struct hbuf req;
	hbuf_init(&req);
	hbuf_put_bytes(&req, blob, len);
	hsm_rc rc = client_call_simple(c, srv, OP_INSERT_USER, &req);
	hbuf_free(&req);
	return rc;
}
