/* cluster.c - reads and writes DIR/cluster.json with json-c.
 * Every node and every hsm-sim command sees the cluster through this file. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "cluster.h"
#include "util.h"

int
cluster_path(const struct cluster *c, const char *name, char *out, size_t outlen)
{
	int n = snprintf(out, outlen, "%s/%s", c->dir, name);
	return n < 0 || (size_t)n >= outlen ? -1 : 0;
}

int
cluster_node_path(const struct cluster *c, unsigned node, const char *name,
                  char *out, size_t outlen)
{
	int n = name ? snprintf(out, outlen, "%s/node%u/%s", c->dir, node, name)
	             : snprintf(out, outlen, "%s/node%u", c->dir, node);
	return n < 0 || (size_t)n >= outlen ? -1 : 0;
}

static int
get_string(json_object *o, const char *key, char *out, size_t outlen)
{
	json_object *v;
	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return -1;
	const char *s = json_object_get_string(v);
	if (strlen(s) >= outlen || *s == '\0')
		return -1;
	hsm_strlcpy(out, s, outlen);
	return 0;
}

static int
get_uint(json_object *o, const char *key, unsigned max, unsigned *out)
{
	json_object *v;
	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_int))
		return -1;
	int64_t x = json_object_get_int64(v);
	if (x < 0 || x > (int64_t)max)
		return -1;
	*out = (unsigned)x;
	return 0;
}

static int
node_parse(json_object *o, struct cluster_node *n, unsigned index,
           const char *file, char *err, size_t errlen)
{
	if (!json_object_is_type(o, json_type_object) ||
	    get_uint(o, "id", CLUSTER_MAX_NODES - 1, &n->id) != 0 || n->id != index ||
	    get_string(o, "host", n->host, sizeof(n->host)) != 0 ||
	    get_uint(o, "port", 65535, &n->port) != 0 || n->port == 0 ||
	    get_string(o, "hsm_id", n->hsm_id, sizeof(n->hsm_id)) != 0) {
		hsm_errf(err, errlen, "%s: nodes[%u]: needs id %u, host, port and hsm_id",
		         file, index, index);
		return -1;
	}
	return 0;
}

/* Optional: clusters made before quorum tokens have the default. */
static int
token_validity_parse(json_object *root, struct cluster *c, const char *file,
                     char *err, size_t errlen)
{
	c->token_validity_s = CLUSTER_DEFAULT_TOKEN_VALIDITY_S;
	if (!json_object_object_get_ex(root, "token_validity_s", NULL))
		return 0;
	if (get_uint(root, "token_validity_s", CLUSTER_MAX_TOKEN_VALIDITY_S,
	             &c->token_validity_s) != 0 || c->token_validity_s == 0) {
		hsm_errf(err, errlen, "%s: \"token_validity_s\" must be a number of seconds "
		         "from 1 to %u", file, CLUSTER_MAX_TOKEN_VALIDITY_S);
		return -1;
	}
	return 0;
}

int
cluster_load(const char *dir, struct cluster *c, char *err, size_t errlen)
{
	char file[PATH_MAX + 32];
	memset(c, 0, sizeof(*c));
	if (strlen(dir) >= sizeof(c->dir)) {
		hsm_errf(err, errlen, "%s: path too long", dir);
		return -1;
	}
	hsm_strlcpy(c->dir, dir, sizeof(c->dir));
	snprintf(file, sizeof(file), "%s/%s", dir, CLUSTER_FILE);
	json_object *root = json_object_from_file(file);
	if (root == NULL) {
		if (access(file, R_OK) != 0)
			hsm_errf(err, errlen, "%s: %s (not a cluster directory?)", file,
			         strerror(errno));
		else
			hsm_errf(err, errlen, "%s: not valid JSON", file);
		return -1;
	}
	int rc = -1;
	json_object *nodes;
	if (get_string(root, "cluster_id", c->cluster_id, sizeof(c->cluster_id)) != 0) {
		hsm_errf(err, errlen, "%s: missing key \"cluster_id\"", file);
		goto out;
	}
	if (!json_object_object_get_ex(root, "nodes", &nodes) ||
	    !json_object_is_type(nodes, json_type_array) ||
	    json_object_array_length(nodes) == 0 ||
	    json_object_array_length(nodes) > CLUSTER_MAX_NODES) {
		hsm_errf(err, errlen, "%s: \"nodes\" must be an array of 1 to %d nodes",
		         file, CLUSTER_MAX_NODES);
		goto out;
	}
	if (token_validity_parse(root, c, file, err, errlen) != 0)
		goto out;
	c->count = (unsigned)json_object_array_length(nodes);
	for (unsigned i = 0; i < c->count; i++)
		if (node_parse(json_object_array_get_idx(nodes, i), &c->nodes[i], i,
		               file, err, errlen) != 0)
			goto out;
	rc = 0;
out:
	json_object_put(root);
	return rc;
}

int
cluster_save(const struct cluster *c, char *err, size_t errlen)
{
	char file[PATH_MAX + 32];
	snprintf(file, sizeof(file), "%s/%s", c->dir, CLUSTER_FILE);
	json_object *root = json_object_new_object();
	json_object *nodes = json_object_new_array();
	json_object_object_add(root, "version", json_object_new_int(1));
	json_object_object_add(root, "cluster_id", json_object_new_string(c->cluster_id));
	json_object_object_add(root, "token_validity_s", json_object_new_int(
		(int)(c->token_validity_s ? c->token_validity_s : CLUSTER_DEFAULT_TOKEN_VALIDITY_S)));
	for (unsigned i = 0; i < c->count; i++) {
		json_object *n = json_object_new_object();
		json_object_object_add(n, "id", json_object_new_int((int)c->nodes[i].id));
		json_object_object_add(n, "host", json_object_new_string(c->nodes[i].host));
		json_object_object_add(n, "port", json_object_new_int((int)c->nodes[i].port));
		json_object_object_add(n, "hsm_id", json_object_new_string(c->nodes[i].hsm_id));
		json_object_array_add(nodes, n);
	}
	json_object_object_add(root, "nodes", nodes);
	const char *text = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
	                                                  JSON_C_TO_STRING_NOSLASHESCAPE);
	int rc = hsm_write_file_atomic(file, text, strlen(text), 0644);
	if (rc != 0)
		hsm_errf(err, errlen, "%s: %s", file, strerror(errno));
	json_object_put(root);
	return rc;
}
