/* cluster-keys.c - key management across the cluster: create on one node and
 * clone (client-side sync), read from any node that has the key, change and
 * delete everywhere. */
#include <stdlib.h>
#include <string.h>

#include "client-internal.h"
#include "util.h"

static hsm_rc
template_to_msg(const hsm_key_template *t, uint32_t key_class, struct msg_key_template *m)
{
	memset(m, 0, sizeof(*m));
	if (t->label == NULL || strlen(t->label) > PROTO_STR_MAX ||
	    (t->id != NULL && strlen(t->id) > PROTO_STR_MAX) || t->nshares > HSM_MAX_SHARES)
		return HSM_RC_INVALID_INPUT;
	m->key_class = key_class;
	m->key_type = t->key_type;
	m->size = t->size;
	m->public_exponent = t->public_exponent;
	m->curve_id = t->curve_id;
	m->label = (char *)t->label;
	m->id = (char *)(t->id ? t->id : "");
	m->session = t->session;
	m->extractable = t->extractable;
	m->m_value = t->m_value;
	m->nshares = (uint32_t)t->nshares;
	if (t->nshares > 0)
		memcpy(m->shares, t->shares, t->nshares * sizeof(t->shares[0]));
	return HSM_RC_SUCCESS;
}

/* Nodes that cannot take part show up as unavailable in the status block. */
static void
mark_inactive(hsm_client *c, hsm_node_status *st)
{
	for (size_t i = 0; i < c->count; i++)
		if (!cluster_node_active(c, i))
			node_status_set(st, i, HSM_RC_CLUSTER_UNAVAILABLE);
}

/* Fewer nodes up than the minimum asks for (or -min_srv beyond the
 * cluster): the nodes that are up show 0, so the status block explains
 * the refusal. */
static bool
too_few_nodes(hsm_client *c, const hsm_sync_opts *so, hsm_node_status *st)
{
	if (cluster_min_reachable(c, so) == HSM_RC_SUCCESS &&
	    cluster_active_count(c) >= cluster_required_nodes(c, so))
		return false;
	for (size_t i = 0; i < c->count; i++)
		if (cluster_node_active(c, i))
			node_status_set(st, i, HSM_RC_SUCCESS);
	return true;
}

struct gen_arg {
	const struct msg_key_template *m;
};

static hsm_rc
create_secret_on(hsm_client *c, size_t srv, void *arg, uint32_t *h)
{
	const struct gen_arg *g = arg;
	return srv_gen_secret(c, srv, g->m, &h[0]);
}

static hsm_rc
create_pair_on(hsm_client *c, size_t srv, void *arg, uint32_t *h)
{
	const struct gen_arg *g = arg;
	return srv_gen_pair(c, srv, g->m, &h[0], &h[1]);
}

/* The next node to make the key on: the preferred one first, then the
 * others in turn, each at most once. */
static bool
next_source(hsm_client *c, size_t preferred, bool *tried, size_t *src)
{
	if (preferred < c->count && !tried[preferred]) {
		tried[preferred] = true;
		if (cluster_node_usable(c, preferred)) {
			*src = preferred;
			return true;
		}
	}
	for (size_t k = 0; k < c->count; k++) {
		size_t i;
		if (cluster_pick_node(c, &i) != HSM_RC_SUCCESS)
			return false;
		if (!tried[i]) {
			tried[i] = true;
			*src = i;
			return true;
		}
	}
	return false;
}

static hsm_rc
create_and_sync(hsm_client *c, bool session, size_t preferred, cluster_create_fn fn,
                void *arg, uint32_t *handles, size_t n, const hsm_sync_opts *so,
                hsm_node_status *st)
{
	bool tried[HSM_MAX_SERVERS] = { false };
	hsm_rc last = HSM_RC_CLUSTER_UNAVAILABLE;
	size_t src;
	mark_inactive(c, st);
	/* Too few nodes up: refuse before making anything that must be undone. */
	if (!session && too_few_nodes(c, so, st))
		return HSM_RC_CLUSTER_MIN_NODES;
	while (next_source(c, preferred, tried, &src)) {
		hsm_rc rc = fn(c, src, arg, handles);
		node_status_set(st, src, rc);
		if (rc == HSM_RC_CLUSTER_UNAVAILABLE || rc == HSM_RC_CLUSTER_PROTOCOL ||
		    rc == HSM_RC_CLUSTER_TIMEOUT) {
			last = rc;
			continue;
		}
		if (rc != HSM_RC_SUCCESS || session)
			return rc;
		return cluster_sync_new(c, src, handles, n, so, false, st);
	}
	return last;
}

/* -timeout bounds the whole command: making the key and cloning it. */
hsm_rc
cluster_create_and_sync(hsm_client *c, bool session, size_t preferred, cluster_create_fn fn,
                        void *arg, uint32_t *handles, size_t n, const hsm_sync_opts *so,
                        hsm_node_status *st)
{
	node_status_init(st, c->count);
	cluster_refresh(c);       /* reconnecting is not the command's -timeout */
	client_deadline_set(cluster_deadline_from(so));
	hsm_rc rc = create_and_sync(c, session, preferred, fn, arg, handles, n, so, st);
	client_deadline_set(0);
	return rc;
}

hsm_rc
hsm_generate_secret_key(hsm_client *c, const hsm_key_template *t, const hsm_sync_opts *so,
                        uint32_t *handle, hsm_node_status *st)
{
	struct msg_key_template m;
	uint32_t h[1] = { 0 };
	hsm_rc rc = template_to_msg(t, HSM_CLASS_SECRET, &m);
	struct gen_arg g = { &m };
	if (rc == HSM_RC_SUCCESS)
		rc = cluster_create_and_sync(c, m.session, CLUSTER_NO_PREFERENCE, create_secret_on, &g, h, 1, so, st);
	*handle = h[0];
	return rc;
}

hsm_rc
hsm_generate_key_pair(hsm_client *c, const hsm_key_template *t, const hsm_sync_opts *so,
                      uint32_t *pub, uint32_t *priv, hsm_node_status *st)
{
	struct msg_key_template m;
	uint32_t h[2] = { 0, 0 };
	hsm_rc rc = template_to_msg(t, 0, &m);
	struct gen_arg g = { &m };
	if (rc == HSM_RC_SUCCESS)
		rc = cluster_create_and_sync(c, m.session, CLUSTER_NO_PREFERENCE, create_pair_on, &g, h, 2, so, st);
	*pub = h[0];
	*priv = h[1];
	return rc;
}

static hsm_rc
filter_to_msg(const hsm_key_filter *f, struct msg_key_filter *m)
{
	memset(m, 0, sizeof(*m));
	if (f->nusers > HSM_MAX_SHARES)
		return HSM_RC_INVALID_INPUT;
	m->flags = (f->has_class ? FILTER_CLASS : 0) | (f->has_type ? FILTER_TYPE : 0) |
	           (f->has_label ? FILTER_LABEL : 0) | (f->has_id ? FILTER_ID : 0) |
	           (f->has_session ? FILTER_SESSION : 0) |
	           (f->has_modulus ? FILTER_MODULUS : 0) | (f->has_kcv ? FILTER_KCV : 0);
	m->key_class = f->key_class;
	m->key_type = f->key_type;
	m->label = (char *)(f->label ? f->label : "");
	m->id = (char *)(f->id ? f->id : "");
	m->session = f->session;
	m->nusers = (uint32_t)f->nusers;
	if (f->nusers > 0)
		memcpy(m->users, f->users, f->nusers * sizeof(f->users[0]));
	m->modulus.data = f->modulus;
	m->modulus.len = f->has_modulus ? f->modulus_len : 0;
	memcpy(m->kcv, f->kcv, sizeof(m->kcv));
	return HSM_RC_SUCCESS;
}

static int
compare_handles(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

/* Adds found[] to the sorted set all[]. */
static int
merge_handles(uint32_t **all, size_t *nall, const uint32_t *found, size_t n)
{
	uint32_t *grown = realloc(*all, (*nall + n + 1) * sizeof(*grown));
	if (grown == NULL)
		return -1;
	memcpy(grown + *nall, found, n * sizeof(*found));
	size_t total = *nall + n, out = 0;
	qsort(grown, total, sizeof(*grown), compare_handles);
	for (size_t i = 0; i < total; i++)
		if (out == 0 || grown[out - 1] != grown[i])
			grown[out++] = grown[i];
	*all = grown;
	*nall = out;
	return 0;
}

/* Session keys live on one node each, so every node is asked. */
hsm_rc
hsm_find_keys(hsm_client *c, const hsm_key_filter *f, uint32_t **handles, size_t *count,
              hsm_node_status *st)
{
	struct msg_key_filter m;
	hsm_rc result = HSM_RC_CLUSTER_UNAVAILABLE;
	*handles = NULL;
	*count = 0;
	node_status_init(st, c->count);
	if (filter_to_msg(f, &m) != HSM_RC_SUCCESS)
		return HSM_RC_INVALID_INPUT;
	cluster_refresh(c);
	for (size_t i = 0; i < c->count; i++) {
		uint32_t *found = NULL;
		size_t n = 0;
		hsm_rc rc = cluster_node_active(c, i) ? srv_find_keys(c, i, &m, &found, &n)
		                                      : HSM_RC_CLUSTER_UNAVAILABLE;
		node_status_set(st, i, rc);
		if (rc == HSM_RC_SUCCESS && merge_handles(handles, count, found, n) != 0)
			rc = HSM_RC_INTERNAL;
		free(found);
		if (rc == HSM_RC_SUCCESS && result == HSM_RC_CLUSTER_UNAVAILABLE)
			result = rc;
		else if (rc != HSM_RC_SUCCESS && rc != HSM_RC_CLUSTER_UNAVAILABLE)
			result = rc;
	}
	return result;
}

hsm_rc
hsm_find_single_key(hsm_client *c, uint32_t handle, hsm_node_status *st)
{
	hsm_rc result = HSM_RC_SUCCESS;
	size_t asked = 0;
	node_status_init(st, c->count);
	cluster_refresh(c);
	for (size_t i = 0; i < c->count; i++) {
		hsm_key_info info;
		hsm_rc rc = cluster_node_active(c, i) ? hsm_server_get_key_info(c, i, handle, &info)
		                                      : HSM_RC_CLUSTER_UNAVAILABLE;
		node_status_set(st, i, rc);
		asked += rc != HSM_RC_CLUSTER_UNAVAILABLE;
		if (rc != HSM_RC_SUCCESS && result == HSM_RC_SUCCESS)
			result = rc;
	}
	return asked == 0 ? HSM_RC_CLUSTER_UNAVAILABLE : result;
}

struct attr_arg {
	uint32_t handle;
	uint32_t attr;
	hsm_attribute_list *out;
	hsm_key_info *info;
	uint8_t **blob;
	size_t *len;
};

static hsm_rc
get_attrs_on(hsm_client *c, size_t srv, void *p)
{
	struct attr_arg *a = p;
	hsm_attribute_list_free(a->out);
	return hsm_server_get_attributes(c, srv, a->handle, a->attr, a->out);
}

hsm_rc
hsm_get_attributes(hsm_client *c, uint32_t handle, uint32_t attr, hsm_attribute_list *out,
                   hsm_node_status *st)
{
	struct attr_arg a = { .handle = handle, .attr = attr, .out = out };
	memset(out, 0, sizeof(*out));
	node_status_init(st, c->count);
	cluster_refresh(c);
	return cluster_on_key_node(c, handle, true, get_attrs_on, &a, st);
}

static hsm_rc
key_info_on(hsm_client *c, size_t srv, void *p)
{
	struct attr_arg *a = p;
	return hsm_server_get_key_info(c, srv, a->handle, a->info);
}

hsm_rc
hsm_get_key_info(hsm_client *c, uint32_t handle, hsm_key_info *out, hsm_node_status *st)
{
	struct attr_arg a = { .handle = handle, .info = out };
	memset(out, 0, sizeof(*out));
	node_status_init(st, c->count);
	cluster_refresh(c);
	return cluster_on_key_node(c, handle, true, key_info_on, &a, st);
}

static hsm_rc
extract_on(hsm_client *c, size_t srv, void *p)
{
	struct attr_arg *a = p;
	return srv_extract_masked(c, srv, a->handle, a->blob, a->len, 0);
}

hsm_rc
hsm_extract_masked(hsm_client *c, uint32_t handle, uint8_t **blob, size_t *len,
                   hsm_node_status *st)
{
	struct attr_arg a = { .handle = handle, .blob = blob, .len = len };
	*blob = NULL;
	*len = 0;
	node_status_init(st, c->count);
	cluster_refresh(c);
	return cluster_on_key_node(c, handle, true, extract_on, &a, st);
}

struct insert_arg {
	const uint8_t *blob;
	size_t len;
};

static hsm_rc
insert_on(hsm_client *c, size_t srv, void *arg, uint32_t *h)
{
	const struct insert_arg *a = arg;
	return srv_insert_masked(c, srv, a->blob, a->len, false, &h[0], 0);
}

hsm_rc
hsm_insert_masked(hsm_client *c, const uint8_t *blob, size_t len, const hsm_sync_opts *so,
                  uint32_t *handle, hsm_node_status *st)
{
	struct insert_arg a = { blob, len };
	*handle = 0;
	return cluster_create_and_sync(c, false, CLUSTER_NO_PREFERENCE, insert_on, &a, handle, 1,
	                               so, st);
}

/* Combines per-node results of a change made everywhere the key is: nodes
 * without the key do not count; a refusal wins; success needs one node. */
static hsm_rc
everywhere_outcome(hsm_client *c, const hsm_rc *rcs)
{
	size_t ok = 0, missing = 0, down = 0;
	for (size_t i = 0; i < c->count; i++) {
		if (rcs[i] == HSM_RC_SUCCESS)
			ok++;
		else if (rcs[i] == HSM_RC_INVALID_HANDLE)
			missing++;
		else if (rcs[i] == HSM_RC_CLUSTER_UNAVAILABLE)
			down++;
		else
			return rcs[i];
	}
	if (ok == 0)
		return missing > 0 ? HSM_RC_INVALID_HANDLE : HSM_RC_CLUSTER_UNAVAILABLE;
	return down > 0 ? HSM_RC_CLUSTER_PARTIAL : HSM_RC_SUCCESS;
}

struct change_arg {
	uint32_t handle;
	uint32_t attr;
	const uint8_t *value;
	size_t len;
	bool remove;
};

static hsm_rc
change_on(hsm_client *c, size_t srv, void *p)
{
	const struct change_arg *a = p;
	if (!cluster_node_active(c, srv))
		return HSM_RC_CLUSTER_UNAVAILABLE;
	if (a->remove)
		return srv_delete_key(c, srv, a->handle);
	return hsm_server_set_attribute(c, srv, a->handle, a->attr, a->value, a->len);
}

static hsm_rc
change_everywhere(hsm_client *c, const struct change_arg *a, hsm_node_status *st)
{
	hsm_rc rcs[HSM_MAX_SERVERS];
	hsm_for_each_server(c, NULL, change_on, (void *)a, rcs);
	for (size_t i = 0; i < c->count; i++)
		if (rcs[i] != HSM_RC_INVALID_HANDLE)
			node_status_set(st, i, rcs[i]);
	hsm_rc rc = everywhere_outcome(c, rcs);
	if (rc == HSM_RC_INVALID_HANDLE)
		node_status_set(st, CLUSTER_ORIGIN(a->handle) < c->count ? CLUSTER_ORIGIN(a->handle)
		                                                        : 0, rc);
	return rc;
}

/* A session key made a token key on its node is then cloned like a new
 * one; it is never removed for missing the minimum (it existed before). */
static hsm_rc
make_token(hsm_client *c, uint32_t handle, const uint8_t *value, size_t len,
           hsm_node_status *st)
{
	size_t origin = CLUSTER_ORIGIN(handle);
	hsm_sync_opts so = { 0, 0 };
	mark_inactive(c, st);
	if (origin >= c->count || !cluster_node_active(c, origin))
		return HSM_RC_CLUSTER_UNAVAILABLE;
	if (too_few_nodes(c, &so, st))
		return HSM_RC_CLUSTER_MIN_NODES;
	hsm_rc rc = hsm_server_set_attribute(c, origin, handle, HSM_ATTR_TOKEN, value, len);
	node_status_set(st, origin, rc);
	if (rc != HSM_RC_SUCCESS)
		return rc;
	return cluster_sync_new(c, origin, &handle, 1, &so, true, st);
}

hsm_rc
hsm_set_attribute(hsm_client *c, uint32_t handle, uint32_t attr, const uint8_t *value,
                  size_t len, hsm_node_status *st)
{
	node_status_init(st, c->count);
	cluster_refresh(c);
	if (attr == HSM_ATTR_TOKEN)
		return make_token(c, handle, value, len, st);
	struct change_arg a = { handle, attr, value, len, false };
	return change_everywhere(c, &a, st);
}

hsm_rc
hsm_delete_key(hsm_client *c, uint32_t handle, hsm_node_status *st)
{
	node_status_init(st, c->count);
	cluster_refresh(c);
	struct change_arg a = { .handle = handle, .remove = true };
	return change_everywhere(c, &a, st);
}
