/* cfg-sdk3.c - edits of the two SDK 3 configs that keep every other field,
 * the key order and the rest of the file's shape, so jq edits still apply. */
#include <string.h>

#include "cfg-sdk3.h"
#include "util.h"

json_object *
cfg_client_server(const struct cfg_file *f, char *err, size_t errlen)
{
	json_object *server;
	if (!json_object_object_get_ex(f->root, "server", &server) ||
	    !json_object_is_type(server, json_type_object)) {
		hsm_errf(err, errlen, "%s: missing key \"server\" (an object)", f->path);
		return NULL;
	}
	return server;
}

json_object *
cfg_cmu_servers(const struct cfg_file *f, char *err, size_t errlen)
{
	json_object *servers;
	if (!json_object_object_get_ex(f->root, "servers", &servers) ||
	    !json_object_is_type(servers, json_type_array) ||
	    json_object_array_length(servers) == 0) {
		hsm_errf(err, errlen, "%s: missing key \"servers\" (an array of servers)", f->path);
		return NULL;
	}
	for (size_t i = 0; i < json_object_array_length(servers); i++)
		if (!json_object_is_type(json_object_array_get_idx(servers, i), json_type_object)) {
			hsm_errf(err, errlen, "%s: servers[%zu] must be an object", f->path, i);
			return NULL;
		}
	return servers;
}

unsigned
cfg_entry_port(json_object *entry)
{
	json_object *v;
	unsigned long p = 0;
	if (!json_object_object_get_ex(entry, "port", &v))
		return 0;
	if (json_object_is_type(v, json_type_int)) {
		int64_t n = json_object_get_int64(v);
		return n > 0 && n <= 65535 ? (unsigned)n : 0;
	}
	if (json_object_is_type(v, json_type_string) &&
	    hsm_parse_uint(json_object_get_string(v), 1, 65535, &p))
		return (unsigned)p;
	return 0;
}

static int
oom(const struct cfg_file *f, char *err, size_t errlen)
{
	hsm_errf(err, errlen, "%s: out of memory", f->path);
	return -1;
}

int
cfg_client_set_server(struct cfg_file *f, const char *host, unsigned port,
                      char *err, size_t errlen)
{
	json_object *server = cfg_client_server(f, err, errlen);
	if (server == NULL)
		return -1;
	if (cfg_set_string(server, "hostname", host) != 0 ||
	    (json_object_object_get_ex(server, "name", NULL) &&
	     cfg_set_string(server, "name", host) != 0) ||
	    (port != 0 && cfg_set_int(server, "port", (int)port) != 0))
		return oom(f, err, errlen);
	return 0;
}

/* A copy of template for one server; owned by the caller. */
static json_object *
server_entry(json_object *template, const struct cfg_server *s)
{
	json_object *e = NULL;
	if (json_object_deep_copy(template, &e, NULL) != 0)
		return NULL;
	if ((json_object_object_get_ex(e, "name", NULL) &&
	     cfg_set_string(e, "name", s->hostname) != 0) ||
	    cfg_set_string(e, "hostname", s->hostname) != 0 ||
	    (s->port != 0 && cfg_set_int(e, "port", (int)s->port) != 0)) {
		json_object_put(e);
		return NULL;
	}
	return e;
}

int
cfg_cmu_set_servers(struct cfg_file *f, const struct cfg_server *servers, size_t n,
                    char *err, size_t errlen)
{
	json_object *old = cfg_cmu_servers(f, err, errlen);
	if (old == NULL)
		return -1;
	json_object *list = json_object_new_array();
	json_object *template = json_object_array_get_idx(old, 0);
	for (size_t i = 0; list != NULL && i < n; i++) {
		json_object *e = server_entry(template, &servers[i]);
		if (e == NULL || json_object_array_add(list, e) != 0) {
			json_object_put(e);
			json_object_put(list);
			list = NULL;
		}
	}
	/* Replacing "servers" frees the old array and the template with it. */
	if (list == NULL || json_object_object_add(f->root, "servers", list) != 0) {
		json_object_put(list);
		return oom(f, err, errlen);
	}
	return 0;
}

static int
entry_set_identity(json_object *e, const struct cfg_identity *id)
{
	if ((id->certificate && cfg_set_string(e, "certificate", id->certificate) != 0) ||
	    (id->pkey && cfg_set_string(e, "pkey", id->pkey) != 0) ||
	    (id->ca_file && cfg_set_string(e, "CAfile", id->ca_file) != 0))
		return -1;
	/* CApath only where the entry has one: the tools never read it. */
	if (id->ca_path && json_object_object_get_ex(e, "CApath", NULL) &&
	    cfg_set_string(e, "CApath", id->ca_path) != 0)
		return -1;
	return 0;
}

int
cfg_set_identity(struct cfg_file *f, const struct cfg_identity *id, char *err, size_t errlen)
{
	json_object *client, *servers;
	if (json_object_object_get_ex(f->root, "servers", &servers)) {
		if (cfg_cmu_servers(f, err, errlen) == NULL)
			return -1;
		for (size_t i = 0; i < json_object_array_length(servers); i++)
			if (entry_set_identity(json_object_array_get_idx(servers, i), id) != 0)
				return oom(f, err, errlen);
		return 0;
	}
	json_object *server = cfg_client_server(f, err, errlen);
	if (server == NULL)
		return -1;
	if (entry_set_identity(server, id) != 0)
		return oom(f, err, errlen);
	/* The client section names the CA too; it has no key pair of its own. */
	if (json_object_object_get_ex(f->root, "client", &client) &&
	    json_object_is_type(client, json_type_object)) {
		if ((id->ca_file && json_object_object_get_ex(client, "CAfile", NULL) &&
		     cfg_set_string(client, "CAfile", id->ca_file) != 0) ||
		    (id->ca_path && json_object_object_get_ex(client, "CApath", NULL) &&
		     cfg_set_string(client, "CApath", id->ca_path) != 0))
			return oom(f, err, errlen);
	}
	return 0;
}
