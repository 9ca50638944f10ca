/* config.c - reads the SDK 3 JSON configurations with json-c.
 * Every error is one line naming the file and the problem. */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "cfg-json.h"
#include "client-internal.h"
#include "util.h"

hsm_client *
client_alloc(void)
{
	hsm_client *c = calloc(1, sizeof(*c));
	if (c != NULL) {
		c->timeout_ms = CLIENT_DEFAULT_TIMEOUT_MS;
		c->min_nodes = 1;
		pthread_mutex_init(&c->cred_lock, NULL);
	}
	return c;
}

int
client_add_server(hsm_client *c, const char *name, const char *hostname, unsigned port,
                  const char *ca, const char *cert, const char *key)
{
	struct server_conn *grown = realloc(c->servers, (c->count + 1) * sizeof(*grown));
	if (grown == NULL)
		return -1;
	c->servers = grown;
	struct server_conn *s = &c->servers[c->count];
	memset(s, 0, sizeof(*s));
	s->fd = -1;
	s->name = strdup(name);
	s->hostname = strdup(hostname);
	s->port = port;
	s->ca_file = strdup(ca);
	s->cert_file = cert ? strdup(cert) : NULL;
	s->key_file = key ? strdup(key) : NULL;
	pthread_mutex_init(&s->lock, NULL);
	c->count++;
	if (!s->name || !s->hostname || !s->ca_file || (cert && !s->cert_file) ||
	    (key && !s->key_file))
		return -1;
	return 0;
}

/* Relative file names in a config are relative to the config's directory. */
static char *
config_resolve(const char *cfgpath, const char *file)
{
	if (file[0] == '/')
		return strdup(file);
	char *copy = strdup(cfgpath);
	if (copy == NULL)
		return NULL;
	char *dir = dirname(copy);
	size_t n = strlen(dir) + strlen(file) + 2;
	char *out = malloc(n);
	if (out != NULL)
		snprintf(out, n, "%s/%s", dir, file);
	free(copy);
	return out;
}

struct entry_ctx {
	const char *path;
	const char *where;     /* "servers[1]" or "server" */
	char *err;
	size_t errlen;
};

static const char *
entry_string(const struct entry_ctx *e, json_object *o, const char *key, bool required)
{
	json_object *v;
	if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null)) {
		if (required)
			hsm_errf(e->err, e->errlen, "%s: %s: missing key \"%s\"", e->path, e->where, key);
		return NULL;
	}
	if (!json_object_is_type(v, json_type_string) || *json_object_get_string(v) == '\0') {
		hsm_errf(e->err, e->errlen, "%s: %s: \"%s\" must be a non-empty string",
		         e->path, e->where, key);
		return NULL;
	}
	return json_object_get_string(v);
}

static int
entry_port(const struct entry_ctx *e, json_object *o, unsigned *port)
{
	json_object *v;
	unsigned long p = 0;
	if (!json_object_object_get_ex(o, "port", &v)) {
		hsm_errf(e->err, e->errlen, "%s: %s: missing key \"port\"", e->path, e->where);
		return -1;
	}
	bool ok = json_object_is_type(v, json_type_int)
	        ? (p = (unsigned long)json_object_get_int64(v), json_object_get_int64(v) > 0 &&
	           json_object_get_int64(v) <= 65535)
	        : json_object_is_type(v, json_type_string) &&
	          hsm_parse_uint(json_object_get_string(v), 1, 65535, &p);
	if (!ok) {
		hsm_errf(e->err, e->errlen, "%s: %s: \"port\" must be a number from 1 to 65535",
		         e->path, e->where);
		return -1;
	}
	*port = (unsigned)p;
	return 0;
}

/* "enable": "no" leaves a server out, as the SDK 3 tools did. */
static bool
entry_enabled(json_object *o)
{
	json_object *v;
	if (!json_object_object_get_ex(o, "enable", &v))
		return true;
	if (json_object_is_type(v, json_type_boolean))
		return json_object_get_boolean(v);
	return !json_object_is_type(v, json_type_string) ||
	       strcmp(json_object_get_string(v), "no") != 0;
}

static int
entry_add(hsm_client *c, const struct entry_ctx *e, json_object *o, const char *ca_default)
{
	const char *host = entry_string(e, o, "hostname", true);
	unsigned port;
	if (host == NULL || entry_port(e, o, &port) != 0)
		return -1;
	const char *name = entry_string(e, o, "name", false);
	const char *ca = entry_string(e, o, "CAfile", ca_default == NULL);
	const char *cert = entry_string(e, o, "certificate", false);
	const char *key = entry_string(e, o, "pkey", false);
	if (e->err[0] != '\0')
		return -1;
	if ((cert == NULL) != (key == NULL)) {
		hsm_errf(e->err, e->errlen, "%s: %s: \"certificate\" and \"pkey\" go together",
		         e->path, e->where);
		return -1;
	}
	char *rca = config_resolve(e->path, ca ? ca : ca_default);
	char *rcert = cert ? config_resolve(e->path, cert) : NULL;
	char *rkey = key ? config_resolve(e->path, key) : NULL;
	int rc = rca && (!cert || rcert) && (!key || rkey) &&
	         client_add_server(c, name ? name : host, host, port, rca, rcert, rkey) == 0
	         ? 0 : -1;
	if (rc != 0)
		hsm_errf(e->err, e->errlen, "%s: out of memory", e->path);
	free(rca);
	free(rcert);
	free(rkey);
	return rc;
}

static int
cmu_servers(hsm_client *c, json_object *root, const char *path, char *err, size_t errlen)
{
	json_object *servers;
	if (!json_object_object_get_ex(root, "servers", &servers)) {
		hsm_errf(err, errlen, "%s: missing key \"servers\"", path);
		return -1;
	}
	if (!json_object_is_type(servers, json_type_array) ||
	    json_object_array_length(servers) == 0 ||
	    json_object_array_length(servers) > HSM_MAX_SERVERS) {
		hsm_errf(err, errlen, "%s: \"servers\" must be an array of 1 to %d servers",
		         path, HSM_MAX_SERVERS);
		return -1;
	}
	for (size_t i = 0; i < json_object_array_length(servers); i++) {
		char where[32];
		snprintf(where, sizeof(where), "servers[%zu]", i);
		struct entry_ctx e = { path, where, err, errlen };
		json_object *o = json_object_array_get_idx(servers, i);
		if (!json_object_is_type(o, json_type_object)) {
			hsm_errf(err, errlen, "%s: %s must be an object", path, where);
			return -1;
		}
		if (entry_enabled(o) && entry_add(c, &e, o, NULL) != 0)
			return -1;
	}
	if (c->count == 0) {
		hsm_errf(err, errlen, "%s: no server is enabled", path);
		return -1;
	}
	return 0;
}

hsm_client *
hsm_client_open_cmu(const char *path, char *err, size_t errlen)
{
	char local[512];
	if (err == NULL || errlen == 0) {
		err = local;         /* the caller does not want the message */
		errlen = sizeof(local);
	}
	err[0] = '\0';
	json_object *root = cfg_parse_file(path, err, errlen);
	if (root == NULL)
		return NULL;
	hsm_client *c = client_alloc();
	if (c == NULL || cmu_servers(c, root, path, err, errlen) != 0) {
		if (c == NULL)
			hsm_errf(err, errlen, "%s: out of memory", path);
		hsm_client_close(c);
		c = NULL;
	}
	json_object_put(root);
	return c;
}

static int
client_section(hsm_client *c, json_object *root, const char *path, const char **ca,
               char *err, size_t errlen)
{
	json_object *client, *v;
	*ca = NULL;
	if (!json_object_object_get_ex(root, "client", &client))
		return 0;
	if (!json_object_is_type(client, json_type_object)) {
		hsm_errf(err, errlen, "%s: \"client\" must be an object", path);
		return -1;
	}
	if (json_object_object_get_ex(client, "CAfile", &v) &&
	    json_object_is_type(v, json_type_string))
		*ca = json_object_get_string(v);
	if (json_object_object_get_ex(client, "create_object_minimum_nodes", &v)) {
		int64_t n = json_object_get_int64(v);
		if (!json_object_is_type(v, json_type_int) || n < 1 || n > CLUSTER_MAX_NODES) {
			hsm_errf(err, errlen, "%s: client: \"create_object_minimum_nodes\" must be "
			         "a number from 1 to %d", path, CLUSTER_MAX_NODES);
			return -1;
		}
		c->min_nodes = (unsigned)n;
	}
	return 0;
}

hsm_client *
hsm_client_open_kmu(const char *path, char *err, size_t errlen)
{
	char local[512];
	if (err == NULL || errlen == 0) {
		err = local;
		errlen = sizeof(local);
	}
	err[0] = '\0';
	json_object *root = cfg_parse_file(path, err, errlen), *server;
	if (root == NULL)
		return NULL;
	hsm_client *c = client_alloc();
	const char *ca;
	struct entry_ctx e = { path, "server", err, errlen };
	int rc = -1;
	if (c == NULL)
		hsm_errf(err, errlen, "%s: out of memory", path);
	else if (client_section(c, root, path, &ca, err, errlen) != 0)
		;
	else if (!json_object_object_get_ex(root, "server", &server) ||
	         !json_object_is_type(server, json_type_object))
		hsm_errf(err, errlen, "%s: missing key \"server\"", path);
	else
		rc = entry_add(c, &e, server, ca);
	json_object_put(root);
	if (rc != 0) {
		hsm_client_close(c);
		return NULL;
	}
	return c;
}

unsigned
hsm_client_min_nodes(const hsm_client *c)
{
	return c->min_nodes;
}
