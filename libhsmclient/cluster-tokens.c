/* cluster-tokens.c - key quorum tokens through the cluster, as key_mgmt_util
 * uses them: where a key token is fetched, approved, listed and deleted. */
#include <stdlib.h>
#include <string.h>

#include "client-internal.h"
#include "quorum-file.h"

/* The first failure in node order of the nodes asked, else SUCCESS. */
static hsm_rc
first_failure(const hsm_node_status *st)
{
	for (size_t i = 0; i < st->count; i++)
		if (st->used[i] && st->rc[i] != HSM_RC_SUCCESS)
			return st->rc[i];
	return HSM_RC_SUCCESS;
}

static bool
any_asked(const hsm_node_status *st)
{
	for (size_t i = 0; i < st->count; i++)
		if (st->used[i])
			return true;
	return false;
}

/* ---- getToken ---------------------------------------------------------------- */

struct key_token_arg {
	uint32_t service;
	uint32_t handle;
	const char *name;
	hsm_quorum_token token;
	size_t node;
};

static hsm_rc
key_token_on(hsm_client *c, size_t srv, void *p)
{
	struct key_token_arg *a = p;
	a->node = srv;
	return hsm_get_key_token(c, srv, a->service, a->handle, a->name, &a->token);
}

/* USE_KEY: one node that holds the key, the one an operation would pick. */
static hsm_rc
token_on_one_node(hsm_client *c, struct key_token_arg *a, hsm_quorum_token_list *out,
                  hsm_node_status *st)
{
	hsm_rc rc = cluster_on_key_node(c, a->handle, true, key_token_on, a, st);
	if (rc == HSM_RC_SUCCESS)
		out->tokens[out->count++] = a->token;
	return rc;
}

/* MANAGE_KEY: every node, since sharing changes every copy of the key. */
static hsm_rc
token_on_every_node(hsm_client *c, struct key_token_arg *a, hsm_quorum_token_list *out,
                    hsm_node_status *st)
{
	for (size_t i = 0; i < c->count; i++) {
		hsm_rc rc = cluster_node_active(c, i) ? key_token_on(c, i, a)
		                                      : HSM_RC_CLUSTER_UNAVAILABLE;
		node_status_set(st, i, rc);
		if (rc == HSM_RC_SUCCESS)
			out->tokens[out->count++] = a->token;
	}
	return first_failure(st);
}

hsm_rc
hsm_cluster_get_key_tokens(hsm_client *c, uint32_t service, uint32_t handle, const char *name,
                           hsm_quorum_token_list *out, hsm_node_status *st)
{
	struct key_token_arg a = { .service = service, .handle = handle, .name = name };
	node_status_init(st, c->count);
	memset(out, 0, sizeof(*out));
	if (name == NULL || c->count == 0)
		return HSM_RC_INVALID_INPUT;
	out->tokens = calloc(c->count, sizeof(*out->tokens));
	if (out->tokens == NULL)
		return HSM_RC_INTERNAL;
	cluster_refresh(c);
	if (service == HSM_SERVICE_MANAGE_KEY)
		return token_on_every_node(c, &a, out, st);
	return token_on_one_node(c, &a, out, st);
}

/* ---- the nodes a token file names ----------------------------------------------- */

/* The server of a file's line: the connected one with that node id and HSM
 * id, else (not connected yet) the one in that place of the node order. */
static bool
server_of(hsm_client *c, const struct quorum_file_entry *e, size_t *srv)
{
	for (size_t i = 0; i < c->count; i++) {
		hsm_server_state s = hsm_server_get(c, i);
		if (s.connected && s.node_id == e->node_id && strcmp(s.partition, e->hsm_id) == 0) {
			*srv = i;
			return true;
		}
	}
	if (e->node_id < c->count && !hsm_server_get(c, e->node_id).connected) {
		*srv = e->node_id;
		return true;
	}
	return false;
}

typedef hsm_rc (*named_fn)(hsm_client *c, size_t srv, void *arg);

/* Runs fn on every node the file has a line for; TOKEN_INVALID when it
 * names none of this cluster, INVALID_INPUT when it is no token file. */
static hsm_rc
on_named_nodes(hsm_client *c, const uint8_t *file, size_t len, named_fn fn, void *arg,
               hsm_node_status *st)
{
	struct quorum_file_header h;
	struct quorum_file_entry e[QUORUM_FILE_MAX_TOKENS];
	node_status_init(st, c->count);
	if (quorum_file_parse(file, len, &h, e) != 0)
		return HSM_RC_INVALID_INPUT;
	cluster_refresh(c);
	for (uint32_t k = 0; k < h.count; k++) {
		size_t i;
		if (!server_of(c, &e[k], &i) || st->used[i])
			continue;
		node_status_set(st, i, cluster_node_active(c, i) ? fn(c, i, arg)
		                                                 : HSM_RC_CLUSTER_UNAVAILABLE);
	}
	return any_asked(st) ? first_failure(st) : HSM_RC_TOKEN_INVALID;
}

/* ---- approveToken, delToken, listTokens --------------------------------------------- */

struct approve_arg {
	const uint8_t *file;
	size_t len;
	const hsm_approval *approvals;
	size_t n;
};

static hsm_rc
approve_on(hsm_client *c, size_t srv, void *p)
{
	const struct approve_arg *a = p;
	return hsm_approve_token(c, srv, a->file, a->len, a->approvals, a->n);
}

hsm_rc
hsm_cluster_approve_token(hsm_client *c, const uint8_t *file, size_t len,
                          const hsm_approval *approvals, size_t n, hsm_node_status *st)
{
	struct approve_arg a = { file, len, approvals, n };
	return on_named_nodes(c, file, len, approve_on, &a, st);
}

struct delete_arg {
	const uint8_t *file;
	size_t len;
};

static hsm_rc
delete_on(hsm_client *c, size_t srv, void *p)
{
	const struct delete_arg *a = p;
	uint32_t removed;
	return hsm_delete_tokens(c, srv, a->file, a->len, &removed);
}

hsm_rc
hsm_cluster_delete_tokens(hsm_client *c, const uint8_t *file, size_t len,
                          hsm_node_status *st)
{
	struct delete_arg a = { file, len };
	if (file != NULL)
		return on_named_nodes(c, file, len, delete_on, &a, st);
	node_status_init(st, c->count);
	cluster_refresh(c);
	for (size_t i = 0; i < c->count; i++)
		node_status_set(st, i, cluster_node_active(c, i) ? delete_on(c, i, &a)
		                                                 : HSM_RC_CLUSTER_UNAVAILABLE);
	return first_failure(st);
}

hsm_rc
hsm_cluster_list_tokens(hsm_client *c, hsm_quorum_token_list *lists, hsm_node_status *st)
{
	node_status_init(st, c->count);
	cluster_refresh(c);
	for (size_t i = 0; i < c->count; i++) {
		memset(&lists[i], 0, sizeof(lists[i]));
		node_status_set(st, i, cluster_node_active(c, i) ? hsm_list_tokens(c, i, &lists[i])
		                                                 : HSM_RC_CLUSTER_UNAVAILABLE);
	}
	return first_failure(st);
}
