/* cluster-init.c - hsm-sim init: creates a new cluster directory in one go.
 * Either the whole cluster is written or nothing this run created is left. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <netdb.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <openssl/rand.h>

#include "cluster-init-sdk3.h"
#include "cluster-init.h"
#include "sim-args.h"
#include "sim-cmd.h"
#include "util.h"

#define DEFAULT_NODES 3
#define DEFAULT_BASE_PORT 2225
#define ID_RANDOM_CHARS 11

static const struct sim_opt init_opts[] = {
	{ .name = "nodes", .meta = "N", .id = SIM_OPT_NODES, .min = 1,
	  .max = CLUSTER_MAX_NODES, .dflt = DEFAULT_NODES,
	  .help = "number of nodes, 1 to 28 (default 3)" },
	{ .name = "host", .meta = "H", .id = SIM_OPT_HOST, .is_string = true,
	  .dflt_str = "127.0.0.1",
	  .help = "address or DNS name the nodes listen on (default 127.0.0.1)" },
	{ .name = "base-port", .meta = "P", .id = SIM_OPT_BASE_PORT, .min = 0,
	  .max = 65535, .dflt = DEFAULT_BASE_PORT,
	  .help = "node K listens on P+K (default 2225); 0 picks free ports" },
	{ .name = "token-validity", .meta = "SECONDS", .id = SIM_OPT_TOKEN_VALIDITY, .min = 1,
	  .max = CLUSTER_MAX_TOKEN_VALIDITY_S, .dflt = CLUSTER_DEFAULT_TOKEN_VALIDITY_S,
	  .help = "how long a quorum token stays valid, 1 to 86400 (default 600)" },
	{ .name = "from-backup", .meta = "FILE", .id = SIM_OPT_FROM_BACKUP, .is_string = true,
	  .help = "make a clone of the cluster whose node FILE is a backup of" },
	{ .name = "masking-key", .meta = "KEYFILE", .id = SIM_OPT_MASKING_KEY, .is_string = true,
	  .help = "that cluster's masking key (its nodeK/masking.key), with --from-backup" },
	{ .name = "sdk3-root", .meta = "ROOT", .id = SIM_OPT_SDK3_ROOT, .is_string = true,
	  .help = "also point the SDK 3 layout in ROOT (/opt/cloudhsm) at the cluster" },
	{ .name = NULL },
};

const struct sim_cmd_entry sim_entry_init = {
	.name = "init",
	.synopsis = "DIR [--nodes N] [--host H] [--base-port P] [--token-validity SECONDS] "
	            "[--from-backup FILE --masking-key KEYFILE] [--sdk3-root ROOT]",
	.summary = "Create a new cluster in DIR, which must not exist or be empty; "
	           "with --from-backup, a clone of another cluster.",
	.pos_names = { "DIR" },
	.min_pos = 1,
	.max_pos = 1,
	.opts = init_opts,
	.exec = sim_cmd_init,
};

/* What this run has created, so that a failure can take it back. */
struct init_run {
	struct cluster c;
	const struct init_source *source;   /* a clone's, or NULL */
	const char *sdk3_root;              /* --sdk3-root, or NULL */
	struct init_sdk3 sdk3;
	bool created_dir;
	bool locked;          /* only then is anything in DIR ours to remove */
	bool wrote_files;
	int dir_fd;           /* holds a flock against a concurrent init */
};

/* Top-level files a failed run removes (node directories go separately). */
static const char *const init_top_files[] = {
	INIT_CUSTOMER_CA_CRT, INIT_CUSTOMER_CA_KEY, INIT_MANUFACTURER_CA_CRT,
	INIT_MANUFACTURER_CA_KEY, INIT_CLIENT_CRT, INIT_CLIENT_KEY,
	INIT_CMU_CONFIG, INIT_CLIENT_CONFIG, CLUSTER_FILE,
};

static int
check_options(const struct sim_args *a)
{
	const struct sim_cmd_entry *e = &sim_entry_init;
	const char *host = a->str[SIM_OPT_HOST];
	unsigned long base = a->num[SIM_OPT_BASE_PORT], nodes = a->num[SIM_OPT_NODES];
	if (!hsm_host_valid(host)) {
		sim_usage_error(e, "--host: '%s' is neither an IP address nor a DNS name", host);
		return -1;
	}
	if (base != 0 && base + nodes - 1 > 65535) {
		sim_usage_error(e, "--base-port %lu: node %lu would need port %lu (> 65535)",
		                base, nodes - 1, base + nodes - 1);
		return -1;
	}
	if (a->set[SIM_OPT_FROM_BACKUP] != a->set[SIM_OPT_MASKING_KEY]) {
		sim_usage_error(e, "--from-backup and --masking-key go together (the backup "
		                "opens only with its cluster's masking key)");
		return -1;
	}
	return 0;
}

static int
dir_is_empty(const char *dir, bool *empty)
{
	DIR *d = opendir(dir);
	struct dirent *ent;
	if (d == NULL)
		return -1;
	*empty = true;
	errno = 0;
	while ((ent = readdir(d)) != NULL)
		if (strcmp(ent->d_name, ".") != 0 && strcmp(ent->d_name, "..") != 0)
			*empty = false;
	int saved = errno;
	closedir(d);
	errno = saved;
	return saved == 0 ? 0 : -1;
}

/* Locks DIR (new, or existing and empty) against a second init running at
 * the same time, then checks it is still empty. */
static int
lock_empty_dir(struct init_run *r, const char *dir)
{
	bool empty;
	if (mkdir(dir, 0700) == 0)
		r->created_dir = true;
	else if (errno != EEXIST) {
		sim_warn("%s: %s", dir, strerror(errno));
		return -1;
	}
	r->dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (r->dir_fd < 0 || flock(r->dir_fd, LOCK_EX | LOCK_NB) != 0) {
		sim_warn("%s: %s", dir, errno == EWOULDBLOCK ?
		         "another hsm-sim init is writing there" : strerror(errno));
		return -1;
	}
	r->locked = true;
	if (dir_is_empty(dir, &empty) != 0) {
		sim_warn("%s: %s", dir, strerror(errno));
		return -1;
	}
	if (!empty) {
		sim_warn("%s: exists and is not empty; refusing to overwrite it", dir);
		return -1;
	}
	return 0;
}

/* Configs name files by absolute path, so DIR is resolved once, here. */
static int
resolve_dir(struct init_run *r, const char *dir)
{
	char *abs = realpath(dir, NULL);
	if (abs == NULL) {
		sim_warn("%s: %s", dir, strerror(errno));
		return -1;
	}
	/* Room for the longest name init writes below DIR. */
	if (strlen(abs) + sizeof("/node27/" INIT_CMU_CONFIG ".tmpXXXXXX") > sizeof(r->c.dir)) {
		sim_warn("%s: path too long", dir);
		free(abs);
		return -1;
	}
	hsm_strlcpy(r->c.dir, abs, sizeof(r->c.dir));
	free(abs);
	return 0;
}

static int
random_id(char *out, size_t outlen, const char *prefix)
{
	static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
	unsigned char bytes[ID_RANDOM_CHARS];
	size_t n = strlen(prefix);
	if (n + ID_RANDOM_CHARS >= outlen || RAND_bytes(bytes, sizeof(bytes)) != 1)
		return -1;
	memcpy(out, prefix, n);
	for (size_t i = 0; i < ID_RANDOM_CHARS; i++)
		out[n + i] = alphabet[bytes[i] % 32];  /* 32 letters: no bias */
	out[n + ID_RANDOM_CHARS] = '\0';
	return 0;
}

static int
bind_any_port(const char *host, int *fd, unsigned *port)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV };
	struct addrinfo *res = NULL;
	int gai = getaddrinfo(host, "0", &hints, &res);
	if (gai != 0) {
		sim_warn("%s: %s", host, gai_strerror(gai));
		return -1;
	}
	int saved = EADDRNOTAVAIL;
	*fd = -1;
	for (struct addrinfo *ai = res; ai != NULL && *fd < 0; ai = ai->ai_next) {
		*fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (*fd >= 0 && bind(*fd, ai->ai_addr, ai->ai_addrlen) != 0) {
			saved = errno;
			close(*fd);
			*fd = -1;
		} else if (*fd < 0) {
			saved = errno;
		}
	}
	freeaddrinfo(res);
	struct sockaddr_storage ss;
	socklen_t sslen = sizeof(ss);
	if (*fd < 0 || getsockname(*fd, (struct sockaddr *)&ss, &sslen) != 0) {
		sim_warn("%s: cannot bind a free port: %s", host, strerror(*fd < 0 ? saved : errno));
		return -1;
	}
	*port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
	                                       : ((struct sockaddr_in *)&ss)->sin_port);
	return 0;
}

/* Every socket stays bound until all ports are chosen, so they differ. */
static int
pick_free_ports(struct cluster *c)
{
	int fds[CLUSTER_MAX_NODES];
	unsigned bound = 0;
	int rc = 0;
	for (; bound < c->count; bound++)
		if (bind_any_port(c->nodes[bound].host, &fds[bound], &c->nodes[bound].port) != 0) {
			rc = -1;
			break;
		}
	while (bound > 0)
		close(fds[--bound]);
	return rc;
}

static int
fill_cluster(struct cluster *c, const struct sim_args *a)
{
	c->count = (unsigned)a->num[SIM_OPT_NODES];
	c->token_validity_s = (unsigned)a->num[SIM_OPT_TOKEN_VALIDITY];
	if (random_id(c->cluster_id, sizeof(c->cluster_id), "cluster-") != 0) {
		sim_warn("cannot generate a cluster id: RAND_bytes failed");
		return -1;
	}
	for (unsigned k = 0; k < c->count; k++) {
		struct cluster_node *n = &c->nodes[k];
		n->id = k;
		hsm_strlcpy(n->host, a->str[SIM_OPT_HOST], sizeof(n->host));
		n->port = (unsigned)(a->num[SIM_OPT_BASE_PORT] + k);
		if (random_id(n->hsm_id, sizeof(n->hsm_id), "hsm-") != 0) {
			sim_warn("cannot generate an HSM id: RAND_bytes failed");
			return -1;
		}
	}
	return a->num[SIM_OPT_BASE_PORT] == 0 ? pick_free_ports(c) : 0;
}

/* Termination signals are held back while init writes; one that came in
 * the meantime turns into a clean failure before the cluster is committed. */
static bool
interrupted(void)
{
	sigset_t pending;
	return sigpending(&pending) == 0 &&
	       (sigismember(&pending, SIGINT) == 1 || sigismember(&pending, SIGTERM) == 1 ||
	        sigismember(&pending, SIGHUP) == 1 || sigismember(&pending, SIGQUIT) == 1);
}

static void
block_termination(sigset_t *saved)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGQUIT);
	sigprocmask(SIG_BLOCK, &set, saved);
}

/* cluster.json goes last: a directory without it is not a cluster. The SDK 3
 * layout is staged before and switched over right after it. */
static int
write_cluster(struct init_run *r)
{
	char err[PATH_MAX + 256];
	struct init_pki pki;
	int rc = -1;
	r->wrote_files = true;
	if (init_pki_create(&pki, &r->c, err, sizeof(err)) != 0)
		goto out;
	if (r->source != NULL) {
		memcpy(pki.masking_key, r->source->masking_key, sizeof(pki.masking_key));
		pki.source = r->source;
	}
	for (unsigned k = 0; k < r->c.count; k++)
		if (init_node_create(&pki, &r->c, k, err, sizeof(err)) != 0)
			goto out;
	if (init_configs_write(&r->c, err, sizeof(err)) != 0)
		goto out;
	if (r->sdk3_root != NULL && init_sdk3_stage(&r->sdk3, &r->c, err, sizeof(err)) != 0)
		goto out;
	if (interrupted()) {
		hsm_errf(err, sizeof(err), "%s: interrupted; nothing created", r->c.dir);
		goto out;
	}
	rc = cluster_save(&r->c, err, sizeof(err));
	if (rc == 0 && r->sdk3_root != NULL)
		rc = init_sdk3_commit(&r->sdk3, err, sizeof(err));
out:
	init_pki_free(&pki);
	if (rc != 0)
		sim_warn("%s", err);
	return rc;
}

static int
remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	if (remove(path) != 0 && errno != ENOENT)
		sim_warn("%s: cannot remove: %s", path, strerror(errno));
	return 0;
}

static void
remove_created(const struct init_run *r)
{
	char path[PATH_MAX];
	if (!r->locked)
		return;
	if (r->wrote_files) {
		for (size_t i = 0; i < ARRAY_SIZE(init_top_files); i++)
			if (cluster_path(&r->c, init_top_files[i], path, sizeof(path)) == 0 &&
			    unlink(path) != 0 && errno != ENOENT)
				sim_warn("%s: cannot remove: %s", path, strerror(errno));
		for (unsigned k = 0; k < r->c.count; k++)
			if (cluster_node_path(&r->c, k, NULL, path, sizeof(path)) == 0)
				nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	}
	if (r->created_dir && rmdir(r->c.dir) != 0)
		sim_warn("%s: cannot remove: %s", r->c.dir, strerror(errno));
}

static void
print_summary(const struct cluster *c, const struct init_source *source)
{
	char endpoint[300];
	printf("Initialized cluster %s with %u node%s in %s\n", c->cluster_id, c->count,
	       c->count == 1 ? "" : "s", c->dir);
	if (source != NULL)
		init_clone_summary(source, c);
	printf("  cloudhsm_mgmt_util config: %s/%s\n", c->dir, INIT_CMU_CONFIG);
	printf("  key_mgmt_util config:      %s/%s\n", c->dir, INIT_CLIENT_CONFIG);
	for (unsigned k = 0; k < c->count; k++)
		printf("  node %u: %s (%s)\n", k,
		       sim_endpoint(&c->nodes[k], endpoint, sizeof(endpoint)), c->nodes[k].hsm_id);
}

static void
print_sdk3_summary(const struct init_sdk3 *s)
{
	printf("  SDK 3 configs in:          %s (%s, %s)\n", s->etc, INIT_CMU_CONFIG,
	       INIT_CLIENT_CONFIG);
}

/* --sdk3-root must name an installed layout before anything is created. */
static int
prepare_sdk3(struct init_run *r, const struct sim_args *a)
{
	char err[PATH_MAX + 256];
	r->sdk3_root = a->str[SIM_OPT_SDK3_ROOT];
	if (r->sdk3_root == NULL || init_sdk3_prepare(&r->sdk3, r->sdk3_root, err, sizeof(err)) == 0)
		return 0;
	sim_warn("%s", err);
	return -1;
}

static int
init_cluster(struct init_run *r, const struct sim_args *a)
{
	sigset_t saved_mask;
	hsm_strlcpy(r->c.dir, a->pos[0], sizeof(r->c.dir));
	block_termination(&saved_mask);
	int rc = lock_empty_dir(r, a->pos[0]) == 0 && resolve_dir(r, a->pos[0]) == 0 &&
	         fill_cluster(&r->c, a) == 0 && write_cluster(r) == 0 ? 0 : -1;
	if (rc != 0)
		remove_created(r);
	if (r->dir_fd >= 0)
		close(r->dir_fd);
	if (rc == 0)
		print_summary(&r->c, r->source);
	if (rc == 0 && r->sdk3_root != NULL)
		print_sdk3_summary(&r->sdk3);
	sigprocmask(SIG_SETMASK, &saved_mask, NULL);
	return rc;
}

int
sim_cmd_init(int argc, char **argv)
{
	struct sim_args a;
	struct init_run r;
	struct init_source source;
	int status;
	if (!sim_args_parse(&sim_entry_init, argc, argv, &a, &status))
		return status;
	if (check_options(&a) != 0)
		return SIM_EXIT_USAGE;
	memset(&r, 0, sizeof(r));
	r.dir_fd = -1;
	if (prepare_sdk3(&r, &a) != 0)
		return SIM_EXIT_FAIL;
	/* The backup is checked before DIR is touched: a bad one leaves nothing. */
	if (a.set[SIM_OPT_FROM_BACKUP]) {
		if (init_source_load(&source, a.str[SIM_OPT_FROM_BACKUP],
		                     a.str[SIM_OPT_MASKING_KEY]) != 0) {
			init_source_free(&source);
			return SIM_EXIT_FAIL;
		}
		r.source = &source;
	}
	int rc = init_cluster(&r, &a);
	if (r.source != NULL)
		init_source_free(&source);
	if (r.sdk3_root != NULL)
		init_sdk3_release(&r.sdk3);
	return rc == 0 ? SIM_EXIT_OK : SIM_EXIT_FAIL;
}
