/* cluster-session.c - logging in and out of the whole cluster, as the SDK 3
 * client daemon did for key_mgmt_util. A login either holds on every node
 * that answers or on none. */
#include <string.h>

#include <openssl/crypto.h>

#include "client-internal.h"
#include "util.h"

static void
remember_credentials(hsm_client *c, hsm_user_type type, const char *name, const char *pw)
{
	pthread_mutex_lock(&c->cred_lock);
	hsm_free_secret(c->cred_password);
	c->cred_password = strdup(pw);
	c->cred_set = c->cred_password != NULL;
	c->cred_type = type;
	hsm_strlcpy(c->cred_name, name, sizeof(c->cred_name));
	pthread_mutex_unlock(&c->cred_lock);
	for (size_t i = 0; i < c->count; i++)
		c->servers[i].relogin_refused = false;
}

static void
forget_credentials(hsm_client *c)
{
	pthread_mutex_lock(&c->cred_lock);
	hsm_free_secret(c->cred_password);
	c->cred_password = NULL;
	c->cred_set = false;
	OPENSSL_cleanse(c->cred_name, sizeof(c->cred_name));
	pthread_mutex_unlock(&c->cred_lock);
}

struct login_arg {
	hsm_user_type type;
	const char *name;
	const char *password;
};

static hsm_rc
login_node(hsm_client *c, size_t srv, void *p)
{
	const struct login_arg *a = p;
	char err[256];
	if (hsm_server_connect(c, srv, err, sizeof(err)) != HSM_RC_SUCCESS)
		return HSM_RC_CLUSTER_UNAVAILABLE;
	return hsm_login_cu_only(c, srv, a->type, a->name, a->password);
}

/* The first refusal decides the result; a wrong password reads as the
 * client-level code scripts check for. */
static hsm_rc
login_outcome(hsm_client *c, const hsm_rc *rcs, size_t *ok)
{
	hsm_rc refused = HSM_RC_SUCCESS;
	*ok = 0;
	for (size_t i = 0; i < c->count; i++) {
		if (rcs[i] == HSM_RC_SUCCESS)
			(*ok)++;
		else if (rcs[i] != HSM_RC_CLUSTER_UNAVAILABLE && refused == HSM_RC_SUCCESS)
			refused = rcs[i];
	}
	if (refused == HSM_RC_LOGIN_FAILURE)
		return HSM_RC_CLIENT_LOGIN_FAILED;
	if (refused != HSM_RC_SUCCESS)
		return refused;
	return *ok > 0 ? HSM_RC_SUCCESS : HSM_RC_CLUSTER_UNAVAILABLE;
}

hsm_rc
hsm_cluster_login(hsm_client *c, hsm_user_type type, const char *name, const char *password,
                  hsm_node_status *st)
{
	hsm_rc rcs[HSM_MAX_SERVERS];
	struct login_arg a = { type, name, password };
	size_t ok;
	node_status_init(st, c->count);
	if (name == NULL || password == NULL)
		return HSM_RC_INVALID_INPUT;
	hsm_for_each_server(c, NULL, login_node, &a, rcs);
	for (size_t i = 0; i < c->count; i++)
		node_status_set(st, i, rcs[i]);
	hsm_rc rc = login_outcome(c, rcs, &ok);
	if (rc == HSM_RC_SUCCESS) {
		remember_credentials(c, type, name, password);
		return rc;
	}
	/* Half a login is worse than none: undo it where it worked. */
	for (size_t i = 0; i < c->count; i++)
		if (rcs[i] == HSM_RC_SUCCESS)
			(void)hsm_logout(c, i);
	return rc;
}

static hsm_rc
logout_node(hsm_client *c, size_t srv, void *p)
{
	(void)p;
	if (!cluster_node_active(c, srv))
		return hsm_server_get(c, srv).connected ? HSM_RC_NOT_LOGGED_IN
		                                        : HSM_RC_CLUSTER_UNAVAILABLE;
	return hsm_logout(c, srv);
}

hsm_rc
hsm_cluster_logout(hsm_client *c, hsm_node_status *st)
{
	hsm_rc rcs[HSM_MAX_SERVERS];
	node_status_init(st, c->count);
	hsm_for_each_server(c, NULL, logout_node, NULL, rcs);
	forget_credentials(c);
	hsm_rc rc = HSM_RC_CLUSTER_UNAVAILABLE;
	for (size_t i = 0; i < c->count; i++) {
		node_status_set(st, i, rcs[i]);
		if (rcs[i] == HSM_RC_SUCCESS && rc == HSM_RC_CLUSTER_UNAVAILABLE)
			rc = HSM_RC_SUCCESS;
		else if (rcs[i] != HSM_RC_SUCCESS && rcs[i] != HSM_RC_CLUSTER_UNAVAILABLE)
			rc = rcs[i];
	}
	return rc;
}

hsm_rc
hsm_cluster_list_users(hsm_client *c, hsm_user_list *out, hsm_node_status *st)
{
	node_status_init(st, c->count);
	memset(out, 0, sizeof(*out));
	cluster_refresh(c);
	for (size_t n = 0; n < c->count; n++) {
		size_t i = (__atomic_load_n(&c->next_node, __ATOMIC_RELAXED) + n) % c->count;
		char err[256];
		if (hsm_server_connect(c, i, err, sizeof(err)) != HSM_RC_SUCCESS) {
			node_status_set(st, i, HSM_RC_CLUSTER_UNAVAILABLE);
			continue;
		}
		hsm_rc rc = hsm_list_users(c, i, out);
		node_status_set(st, i, rc);
		if (rc != HSM_RC_CLUSTER_UNAVAILABLE && rc != HSM_RC_CLUSTER_PROTOCOL)
			return rc;
	}
	return HSM_RC_CLUSTER_UNAVAILABLE;
}
