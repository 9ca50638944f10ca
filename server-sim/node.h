/* node.h - one simulated HSM: a TLS server over the node's state directory.
 * hsm-sim run calls node_run(); it returns when told to stop. */
#ifndef HSM_NODE_H
#define HSM_NODE_H

struct node_opts {
	unsigned max_sessions;      /* concurrent client connections */
	unsigned idle_timeout_s;    /* a session idle this long is closed */
};

#define NODE_DEFAULT_MAX_SESSIONS 900u
#define NODE_DEFAULT_IDLE_TIMEOUT 1800u

/* Serves node K of the cluster in dir until SIGTERM/SIGINT; logs to stderr.
 * Returns the process exit status. */
int node_run(const char *dir, unsigned node, const struct node_opts *opts);

#endif
