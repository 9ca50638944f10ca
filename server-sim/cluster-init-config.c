/* cluster-init-config.c - the ready-to-use SDK 3 configs hsm-sim init writes
 * (CMU: every node; KMU: node 0) and the CMU config spanning two clusters. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "cluster-init.h"
#include "util.h"

/* Absolute paths the tools need, all under the cluster directory. */
struct tool_paths {
	char client_crt[PATH_MAX];
	char client_key[PATH_MAX];
	char ca_file[PATH_MAX];
	char ca_path[PATH_MAX];
	char socket[PATH_MAX];
};

static int
tool_paths_fill(struct tool_paths *tp, const struct cluster *c, char *err, size_t errlen)
{
	if (cluster_path(c, INIT_CLIENT_CRT, tp->client_crt, sizeof(tp->client_crt)) != 0 ||
	    cluster_path(c, INIT_CLIENT_KEY, tp->client_key, sizeof(tp->client_key)) != 0 ||
	    cluster_path(c, INIT_CUSTOMER_CA_CRT, tp->ca_file, sizeof(tp->ca_file)) != 0 ||
	    cluster_path(c, "certs", tp->ca_path, sizeof(tp->ca_path)) != 0 ||
	    cluster_path(c, "cloudhsm.sock", tp->socket, sizeof(tp->socket)) != 0) {
		hsm_errf(err, errlen, "%s: path too long", c->dir);
		return -1;
	}
	return 0;
}

/* Adds val under key; on failure val is released and -1 returned. */
static int
add(json_object *obj, const char *key, json_object *val)
{
	if (obj == NULL || val == NULL) {
		json_object_put(val);
		return -1;
	}
	if (json_object_object_add(obj, key, val) != 0) {
		json_object_put(val);
		return -1;
	}
	return 0;
}

static int
add_str(json_object *obj, const char *key, const char *s)
{
	return add(obj, key, json_object_new_string(s));
}

static int
add_int(json_object *obj, const char *key, int v)
{
	return add(obj, key, json_object_new_int(v));
}

/* A new object already owned by parent, or NULL. */
static json_object *
add_object(json_object *parent, const char *key)
{
	json_object *o = json_object_new_object();
	return add(parent, key, o) == 0 ? o : NULL;
}

/* The fields a CMU "servers" entry and the KMU "server" entry share. */
static int
add_server_fields(json_object *o, const struct cluster_node *n, const struct tool_paths *tp)
{
	if (add_str(o, "hostname", n->host) != 0 || add_int(o, "port", (int)n->port) != 0 ||
	    add_str(o, "certificate", tp->client_crt) != 0 ||
	    add_str(o, "pkey", tp->client_key) != 0 || add_str(o, "CAfile", tp->ca_file) != 0 ||
	    add_str(o, "CApath", tp->ca_path) != 0 || add_str(o, "ssl_ciphers", "") != 0 ||
	    add_str(o, "server_ssl", "yes") != 0 || add_str(o, "enable", "yes") != 0)
		return -1;
	return 0;
}

static int
add_cmu_scard(json_object *root)
{
	json_object *scard = add_object(root, "scard");
	if (scard == NULL || add_str(scard, "enable", "no") != 0 ||
	    add_str(scard, "channel", "0") != 0 || add_str(scard, "ca_cert", "cacert.pem") != 0 ||
	    add_str(scard, "server_ssl_cert", "cert.pem") != 0 ||
	    add_str(scard, "client_ssl_cert", INIT_CLIENT_CRT) != 0 ||
	    add_str(scard, "client_ssl_key", INIT_CLIENT_KEY) != 0)
		return -1;
	return 0;
}

static int
add_cmu_server(json_object *servers, const struct cluster_node *n, const struct tool_paths *tp)
{
	json_object *o = json_object_new_object();
	if (o == NULL)
		return -1;
	if (json_object_array_add(servers, o) != 0) {
		json_object_put(o);
		return -1;
	}
	if (add_str(o, "name", n->host) != 0 || add_server_fields(o, n, tp) != 0 ||
	    add_str(o, "nonblocking", "no") != 0)
		return -1;
	return 0;
}

/* Each entry names its own cluster's CA and client identity, so a config
 * spanning clusters (init_sync_config_write) works whoever signed them. */
static json_object *
cmu_config(const struct cluster *const *clusters, size_t n, const struct tool_paths *tp)
{
	json_object *root = json_object_new_object();
	json_object *servers = NULL;
	int rc = add_cmu_scard(root);
	if (rc == 0) {
		servers = json_object_new_array();
		rc = add(root, "servers", servers);
	}
	for (size_t j = 0; rc == 0 && j < n; j++)
		for (unsigned i = 0; rc == 0 && i < clusters[j]->count; i++)
			rc = add_cmu_server(servers, &clusters[j]->nodes[i], &tp[j]);
	if (rc != 0) {
		json_object_put(root);
		return NULL;
	}
	return root;
}

static int
add_client_section(json_object *root, const struct tool_paths *tp)
{
	json_object *client = add_object(root, "client");
	if (client == NULL || add_str(client, "CAfile", tp->ca_file) != 0 ||
	    add_str(client, "CApath", tp->ca_path) != 0 ||
	    add_str(client, "ssl_ciphers", "") != 0 ||
	    add_str(client, "secure_socket", tp->socket) != 0 ||
	    add_int(client, "tcp_port", 1111) != 0 ||
	    add_str(client, "socket_type", "UNIXSOCKET") != 0 ||
	    add_str(client, "zeroize_callback", "") != 0 ||
	    add_str(client, "log_type", "FILE") != 0 ||
	    add_int(client, "create_object_minimum_nodes", 1) != 0)
		return -1;
	return 0;
}

/* KMU is given node 0 only and learns the rest of the cluster from it. */
static json_object *
client_config(const struct cluster *c, const struct tool_paths *tp)
{
	json_object *root = json_object_new_object();
	json_object *server;
	if (add_client_section(root, tp) != 0 || add_str(root, "loglevel", "INFO") != 0 ||
	    (server = add_object(root, "server")) == NULL ||
	    add_server_fields(server, &c->nodes[0], tp) != 0) {
		json_object_put(root);
		return NULL;
	}
	return root;
}

static int
write_json_file(const char *path, json_object *root, char *err, size_t errlen)
{
	if (root == NULL) {
		hsm_errf(err, errlen, "%s: cannot build the config (out of memory?)", path);
		return -1;
	}
	const char *text = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
	                                                  JSON_C_TO_STRING_NOSLASHESCAPE);
	size_t n = strlen(text);
	char *data = malloc(n + 1);
	int rc = -1;
	if (data == NULL) {
		hsm_errf(err, errlen, "%s: %s", path, strerror(ENOMEM));
		return -1;
	}
	memcpy(data, text, n);
	data[n] = '\n';
	if (hsm_write_file_atomic(path, data, n + 1, 0644) == 0)
		rc = 0;
	else
		hsm_errf(err, errlen, "%s: %s", path, strerror(errno));
	free(data);
	return rc;
}

static int
write_json(const struct cluster *c, const char *name, json_object *root,
           char *err, size_t errlen)
{
	char path[PATH_MAX];
	if (cluster_path(c, name, path, sizeof(path)) != 0) {
		hsm_errf(err, errlen, "%s/%s: path too long", c->dir, name);
		return -1;
	}
	return write_json_file(path, root, err, errlen);
}

int
init_configs_write(const struct cluster *c, char *err, size_t errlen)
{
	struct tool_paths *tp = malloc(sizeof(*tp));
	int rc = -1;
	if (tp == NULL) {
		hsm_errf(err, errlen, "%s: %s", c->dir, strerror(ENOMEM));
		return -1;
	}
	if (tool_paths_fill(tp, c, err, errlen) == 0) {
		json_object *cmu = cmu_config(&c, 1, tp);
		json_object *client = client_config(c, tp);
		if (write_json(c, INIT_CMU_CONFIG, cmu, err, errlen) == 0 &&
		    write_json(c, INIT_CLIENT_CONFIG, client, err, errlen) == 0)
			rc = 0;
		json_object_put(cmu);
		json_object_put(client);
	}
	free(tp);
	return rc;
}

int
init_sync_config_write(const struct cluster *src, const struct cluster *dst,
                       const char *path, char *err, size_t errlen)
{
	const struct cluster *both[] = { src, dst };
	struct tool_paths *tp = malloc(2 * sizeof(*tp));
	int rc = -1;
	if (tp == NULL) {
		hsm_errf(err, errlen, "%s: %s", path, strerror(ENOMEM));
		return -1;
	}
	if (tool_paths_fill(&tp[0], src, err, errlen) == 0 &&
	    tool_paths_fill(&tp[1], dst, err, errlen) == 0) {
		json_object *cmu = cmu_config(both, 2, tp);
		rc = write_json_file(path, cmu, err, errlen);
		json_object_put(cmu);
	}
	free(tp);
	return rc;
}
