/* cluster-init-sdk3.h - hsm-sim init --sdk3-root ROOT: points an installed
 * SDK 3 layout (ROOT/etc) at the new cluster, staged until init commits. */
#ifndef HSM_CLUSTER_INIT_SDK3_H
#define HSM_CLUSTER_INIT_SDK3_H

#include <limits.h>
#include <stddef.h>

#include "cfg-json.h"
#include "cluster.h"

#define SDK3_COPIES 3   /* customerCA.crt, client.crt, client.key */

struct init_sdk3 {
	char etc[PATH_MAX];
	struct cfg_file cmu, client;
	char copy_tmp[SDK3_COPIES][PATH_MAX + 16];   /* staged, "" when none */
	char copy_dst[SDK3_COPIES][PATH_MAX];
};

/* Resolves ROOT/etc (which must exist) into s->etc; -1 with err. */
int init_sdk3_prepare(struct init_sdk3 *s, const char *root, char *err, size_t errlen);
/* Writes the CA, the client identity and both configs (edited in place when
 * ROOT/etc has them, else the cluster's own) as temporary files. */
int init_sdk3_stage(struct init_sdk3 *s, const struct cluster *c, char *err, size_t errlen);
/* Renames the staged files into place: certificates first, configs last. */
int init_sdk3_commit(struct init_sdk3 *s, char *err, size_t errlen);
/* Removes whatever is still staged and frees the configs. */
void init_sdk3_release(struct init_sdk3 *s);

#endif
