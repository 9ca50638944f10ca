/* cluster-init-sdk3.c - hsm-sim init --sdk3-root: copies the cluster's CA and
 * client identity into ROOT/etc and points both SDK 3 configs at its nodes. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "cfg-sdk3.h"
#include "cluster-init-sdk3.h"
#include "cluster-init.h"
#include "util.h"

#define COPY_MAX_BYTES (64u * 1024u)

static const struct {
	const char *name;
	unsigned mode;
} sdk3_copies[SDK3_COPIES] = {
	{ INIT_CUSTOMER_CA_CRT, 0644 },
	{ INIT_CLIENT_CRT, 0644 },
	{ INIT_CLIENT_KEY, 0600 },
};

int
init_sdk3_prepare(struct init_sdk3 *s, const char *root, char *err, size_t errlen)
{
	char etc[PATH_MAX];
	memset(s, 0, sizeof(*s));
	errno = ENAMETOOLONG;
	if (snprintf(etc, sizeof(etc), "%s/etc", root) < (int)sizeof(etc) &&
	    realpath(etc, s->etc) != NULL)
		return 0;
	hsm_errf(err, errlen, "--sdk3-root %s: %s: %s (is the SDK 3 layout installed?)",
	         root, etc, strerror(errno));
	return -1;
}

static int
etc_path(const char *etc, const char *name, char *out, size_t outlen,
         char *err, size_t errlen)
{
	if (snprintf(out, outlen, "%s/%s", etc, name) < (int)outlen)
		return 0;
	hsm_errf(err, errlen, "%s/%s: path too long", etc, name);
	return -1;
}

static int
stage_copy(struct init_sdk3 *s, const struct cluster *c, size_t i, char *err, size_t errlen)
{
	char src[PATH_MAX], dst[PATH_MAX], *data = NULL;
	size_t n = 0;
	int rc = -1;
	if (cluster_path(c, sdk3_copies[i].name, src, sizeof(src)) != 0) {
		hsm_errf(err, errlen, "%s/%s: path too long", c->dir, sdk3_copies[i].name);
		return -1;
	}
	if (etc_path(s->etc, sdk3_copies[i].name, dst, sizeof(dst), err, errlen) != 0)
		return -1;
	hsm_strlcpy(s->copy_dst[i], dst, sizeof(s->copy_dst[i]));
	if (hsm_read_file(src, COPY_MAX_BYTES, &data, &n) != 0)
		hsm_errf(err, errlen, "%s: %s", src, strerror(errno));
	else if (hsm_write_file_staged(s->copy_dst[i], data, n, sdk3_copies[i].mode,
	                               s->copy_tmp[i], sizeof(s->copy_tmp[i])) != 0)
		hsm_errf(err, errlen, "%s: cannot write: %s", s->copy_dst[i], strerror(errno));
	else
		rc = 0;
	if (rc != 0)
		s->copy_tmp[i][0] = '\0';
	if (data != NULL) {
		OPENSSL_cleanse(data, n);
		free(data);
	}
	return rc;
}

/* ROOT/etc/NAME when it is there (an operator's edits survive), otherwise
 * the config init just wrote for the cluster, to become ROOT/etc/NAME. */
static int
load_config(const struct init_sdk3 *s, const struct cluster *c, const char *name,
            struct cfg_file *f, char *err, size_t errlen)
{
	char dst[PATH_MAX], src[PATH_MAX];
	if (etc_path(s->etc, name, dst, sizeof(dst), err, errlen) != 0)
		return -1;
	if (access(dst, F_OK) == 0)
		return cfg_load(f, dst, err, errlen);
	if (cluster_path(c, name, src, sizeof(src)) != 0) {
		hsm_errf(err, errlen, "%s/%s: path too long", c->dir, name);
		return -1;
	}
	if (cfg_load(f, src, err, errlen) != 0)
		return -1;
	hsm_strlcpy(f->path, dst, sizeof(f->path));
	return 0;
}

static int
point_configs(struct init_sdk3 *s, const struct cluster *c, char *err, size_t errlen)
{
	char crt[PATH_MAX], key[PATH_MAX], ca[PATH_MAX], capath[PATH_MAX];
	struct cfg_server servers[CLUSTER_MAX_NODES];
	if (etc_path(s->etc, INIT_CLIENT_CRT, crt, sizeof(crt), err, errlen) != 0 ||
	    etc_path(s->etc, INIT_CLIENT_KEY, key, sizeof(key), err, errlen) != 0 ||
	    etc_path(s->etc, INIT_CUSTOMER_CA_CRT, ca, sizeof(ca), err, errlen) != 0 ||
	    etc_path(s->etc, "certs", capath, sizeof(capath), err, errlen) != 0)
		return -1;
	struct cfg_identity id = { crt, key, ca, capath };
	for (unsigned k = 0; k < c->count; k++)
		servers[k] = (struct cfg_server){ c->nodes[k].host, c->nodes[k].port };
	if (load_config(s, c, CFG_CMU_NAME, &s->cmu, err, errlen) != 0 ||
	    load_config(s, c, CFG_CLIENT_NAME, &s->client, err, errlen) != 0 ||
	    cfg_cmu_set_servers(&s->cmu, servers, c->count, err, errlen) != 0 ||
	    cfg_client_set_server(&s->client, servers[0].hostname, servers[0].port,
	                          err, errlen) != 0 ||
	    cfg_set_identity(&s->cmu, &id, err, errlen) != 0 ||
	    cfg_set_identity(&s->client, &id, err, errlen) != 0)
		return -1;
	return cfg_stage(&s->cmu, err, errlen) == 0 &&
	       cfg_stage(&s->client, err, errlen) == 0 ? 0 : -1;
}

int
init_sdk3_stage(struct init_sdk3 *s, const struct cluster *c, char *err, size_t errlen)
{
	for (size_t i = 0; i < SDK3_COPIES; i++)
		if (stage_copy(s, c, i, err, errlen) != 0)
			return -1;
	return point_configs(s, c, err, errlen);
}

int
init_sdk3_commit(struct init_sdk3 *s, char *err, size_t errlen)
{
	for (size_t i = 0; i < SDK3_COPIES; i++) {
		if (rename(s->copy_tmp[i], s->copy_dst[i]) != 0) {
			hsm_errf(err, errlen, "%s: cannot replace: %s", s->copy_dst[i], strerror(errno));
			return -1;
		}
		s->copy_tmp[i][0] = '\0';
	}
	return cfg_commit(&s->cmu, err, errlen) == 0 &&
	       cfg_commit(&s->client, err, errlen) == 0 ? 0 : -1;
}

void
init_sdk3_release(struct init_sdk3 *s)
{
	for (size_t i = 0; i < SDK3_COPIES; i++)
		if (s->copy_tmp[i][0] != '\0')
			unlink(s->copy_tmp[i]);
	cfg_release(&s->cmu);
	cfg_release(&s->client);
}
