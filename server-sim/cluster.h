/* cluster.h - the cluster directory that hsm-sim init writes and every node
 * reads: DIR/cluster.json, DIR/nodeK/ (see doc/storage.md). */
#ifndef HSM_CLUSTER_H
#define HSM_CLUSTER_H

#include <limits.h>
#include <stddef.h>

#include "proto.h"

#define CLUSTER_FILE "cluster.json"
/* How long a quorum token stays valid (quorum-authentication.md: ten
 * minutes by default); "token_validity_s" in cluster.json. */
#define CLUSTER_DEFAULT_TOKEN_VALIDITY_S 600u
#define CLUSTER_MAX_TOKEN_VALIDITY_S 86400u

struct cluster_node {
	unsigned id;
	char host[256];
	unsigned port;
	char hsm_id[32];     /* "hsm-" + 11 lower-case letters/digits */
};

struct cluster {
	char dir[PATH_MAX];
	char cluster_id[64];
	unsigned count;
	struct cluster_node nodes[CLUSTER_MAX_NODES];
	unsigned token_validity_s;
};

/* Reads DIR/cluster.json; one-line error naming the file and the problem. */
int cluster_load(const char *dir, struct cluster *c, char *err, size_t errlen);
/* Writes DIR/cluster.json atomically. */
int cluster_save(const struct cluster *c, char *err, size_t errlen);
/* DIR/nodeK/NAME (NAME may be NULL for the directory itself). */
int cluster_node_path(const struct cluster *c, unsigned node, const char *name,
                      char *out, size_t outlen);
/* DIR/NAME. */
int cluster_path(const struct cluster *c, const char *name, char *out, size_t outlen);

#endif
