/* address.c - configure -a, -m and --cmu: the HSM the tools connect to, and
 * the list of every HSM for cloudhsm_mgmt_util, learnt from the cluster. */
#include <stdio.h>
#include <string.h>

#include "cfg-sdk3.h"
#include "configure.h"
#include "hsmclient.h"
#include "util.h"

#define DISCOVER_TIMEOUT_MS 10000u

struct learnt {
	size_t count;
	char host[HSM_MAX_SERVERS][256];
	struct cfg_server servers[HSM_MAX_SERVERS];
};

/* Messages about the staged copy name the file the user knows. */
static void
name_real_file(char *err, size_t errlen, const struct cfg_file *f)
{
	size_t n = strlen(f->tmp);
	char rest[1024];
	if (n == 0 || strncmp(err, f->tmp, n) != 0)
		return;
	hsm_strlcpy(rest, err + n, sizeof(rest));
	hsm_errf(err, errlen, "%s%s", f->path, rest);
}

/* Asks the HSM of the client config (or of its staged copy) for the members
 * of its cluster, as the SDK 3 client daemon did when it started. */
static int
learn_cluster(const struct cfg_file *client, struct learnt *out, char *err, size_t errlen)
{
	const char *path = client->tmp[0] != '\0' ? client->tmp : client->path;
	hsm_client *c = hsm_client_open_kmu(path, err, errlen);
	if (c == NULL) {
		name_real_file(err, errlen, client);
		return -1;
	}
	hsm_server_state first = hsm_server_get(c, 0);
	char where[300];
	snprintf(where, sizeof(where), "%s port %u", first.hostname, first.port);
	hsm_client_set_timeout(c, DISCOVER_TIMEOUT_MS);
	char why[512] = "";
	int rc = hsm_client_discover(c, why, sizeof(why)) == HSM_RC_SUCCESS ? 0 : -1;
	if (rc != 0)
		hsm_errf(err, errlen, "cannot learn the cluster from %s (%s): %s", where,
		         client->path, why);
	out->count = 0;
	for (size_t i = 0; rc == 0 && i < hsm_server_count(c) && i < HSM_MAX_SERVERS; i++) {
		hsm_server_state st = hsm_server_get(c, i);
		hsm_strlcpy(out->host[i], st.hostname, sizeof(out->host[i]));
		out->servers[i] = (struct cfg_server){ out->host[i], st.port };
		out->count++;
	}
	hsm_client_close(c);
	return rc;
}

/* Everything is checked and staged first; only then are files replaced. */
static int
edit(const struct conf_request *r, struct cfg_file *client, struct cfg_file *cmu,
     char *err, size_t errlen)
{
	static struct learnt found;
	if (cfg_load(client, r->client_cfg, err, errlen) != 0 ||
	    cfg_load(cmu, r->cmu_cfg, err, errlen) != 0)
		return -1;
	if (r->address != NULL &&
	    (cfg_client_set_server(client, r->address, 0, err, errlen) != 0 ||
	     cfg_stage(client, err, errlen) != 0))
		return -1;
	if (r->update_cmu) {
		if (learn_cluster(client, &found, err, errlen) != 0 ||
		    cfg_cmu_set_servers(cmu, found.servers, found.count, err, errlen) != 0)
			return -1;
	} else {
		struct cfg_server only = { r->address, 0 };
		if (cfg_cmu_set_servers(cmu, &only, 1, err, errlen) != 0)
			return -1;
	}
	return cfg_stage(cmu, err, errlen);
}

static int
commit(struct cfg_file *f, char *err, size_t errlen)
{
	if (cfg_commit(f, err, errlen) != 0)
		return -1;
	printf("Updating server config in %s\n", f->path);
	fflush(stdout);
	return 0;
}

int
conf_run_address(const struct conf_request *r)
{
	char err[2048] = "";
	struct cfg_file client = { .root = NULL }, cmu = { .root = NULL };
	if (r->address != NULL && !hsm_host_valid(r->address)) {
		conf_error("%s: not an IP address or host name", r->address);
		return CONF_EXIT_USAGE;
	}
	if (r->daemon_id != 1) {
		conf_error("-i %lu: no such client daemon; daemon 1 is the one of %s",
		           r->daemon_id, r->client_cfg);
		return CONF_EXIT_FAIL;
	}
	int rc = edit(r, &client, &cmu, err, sizeof(err));
	if (rc == 0 && r->address != NULL)
		rc = commit(&client, err, sizeof(err));
	if (rc == 0)
		rc = commit(&cmu, err, sizeof(err));
	if (rc != 0)
		conf_error("%s", err);
	cfg_release(&client);
	cfg_release(&cmu);
	return rc == 0 ? CONF_EXIT_OK : CONF_EXIT_FAIL;
}
