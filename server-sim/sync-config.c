/* sync-config.c - hsm-sim sync-config: the cloudhsm_mgmt_util config that
 * cloned-clusters.md has the operator write, listing HSMs of both clusters. */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "cluster-init.h"
#include "sim-args.h"
#include "sim-cmd.h"
#include "util.h"

const struct sim_cmd_entry sim_entry_sync_config = {
	.name = "sync-config",
	.synopsis = "SRC DST FILE",
	.summary = "Write a cloudhsm_mgmt_util config listing the nodes of cluster SRC, then "
	           "those of DST (for syncUser and syncKey between cloned clusters).",
	.pos_names = { "SRC", "DST", "FILE" }, .min_pos = 3, .max_pos = 3,
	.opts = NULL, .exec = sim_cmd_sync_config,
};

/* syncUser and syncKey take these numbers as their destination. */
static void
print_servers(const struct cluster *c, unsigned first)
{
	char endpoint[300];
	for (unsigned k = 0; k < c->count; k++)
		printf("  server %u: %s (node %u of %s)\n", first + k,
		       sim_endpoint(&c->nodes[k], endpoint, sizeof(endpoint)), k, c->cluster_id);
}

int
sim_cmd_sync_config(int argc, char **argv)
{
	static struct cluster src, dst;    /* large: off the stack */
	struct sim_args a;
	char err[PATH_MAX + 256];
	int status;
	if (!sim_args_parse(&sim_entry_sync_config, argc, argv, &a, &status))
		return status;
	if (sim_load_cluster(a.pos[0], &src) != 0 || sim_load_cluster(a.pos[1], &dst) != 0)
		return SIM_EXIT_FAIL;
	if (strcmp(src.cluster_id, dst.cluster_id) == 0) {
		sim_warn("%s and %s are the same cluster (%s)", a.pos[0], a.pos[1], src.cluster_id);
		return SIM_EXIT_FAIL;
	}
	if (src.count + dst.count > HSM_MAX_SERVERS) {
		sim_warn("%u nodes in all: a config holds at most %d servers",
		         src.count + dst.count, HSM_MAX_SERVERS);
		return SIM_EXIT_FAIL;
	}
	if (init_sync_config_write(&src, &dst, a.pos[2], err, sizeof(err)) != 0) {
		sim_warn("%s", err);
		return SIM_EXIT_FAIL;
	}
	printf("cloudhsm_mgmt_util config for clusters %s and %s written to %s\n",
	       src.cluster_id, dst.cluster_id, a.pos[2]);
	print_servers(&src, 0);
	print_servers(&dst, src.count);
	return SIM_EXIT_OK;
}
