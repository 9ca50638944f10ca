/* configure.h - the SDK 3 configure tool: what the command line asked for,
 * and the actions that edit cloudhsm_client.cfg and cloudhsm_mgmt_util.cfg. */
#ifndef HSM_CONFIGURE_H
#define HSM_CONFIGURE_H

#include <stdbool.h>
#include <stddef.h>

enum {
	CONF_EXIT_OK = 0,
	CONF_EXIT_FAIL = 1,
	CONF_EXIT_USAGE = 2,
};

struct conf_request {
	const char *address;     /* -a or --cmu */
	bool update_cmu;         /* -m or --cmu */
	unsigned long daemon_id; /* -i, 1 by default */
	bool ssl;
	const char *pkey;
	const char *cert;
	const char *client_cfg;  /* the files the tools read by default */
	const char *cmu_cfg;
};

/* "configure: " + message on stderr. */
void conf_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* -a, -m and --cmu (address.c): both files change together or neither. */
int conf_run_address(const struct conf_request *r);
/* --ssl --pkey --cert (ssl.c). */
int conf_run_ssl(const struct conf_request *r);

#endif
