/* cfg-sdk3.h - the edits the SDK 3 set-up makes to cloudhsm_client.cfg and
 * cloudhsm_mgmt_util.cfg (configure -a/-m/--ssl, hsm-sim init --sdk3-root). */
#ifndef HSM_CFG_SDK3_H
#define HSM_CFG_SDK3_H

#include "cfg-json.h"

#define CFG_CLIENT_NAME "cloudhsm_client.cfg"
#define CFG_CMU_NAME "cloudhsm_mgmt_util.cfg"

/* One HSM as the CMU config lists it; port 0 keeps the template's port. */
struct cfg_server {
	const char *hostname;
	unsigned port;
};

/* The files a server entry names; NULL leaves a field as it is. */
struct cfg_identity {
	const char *certificate;
	const char *pkey;
	const char *ca_file;
	const char *ca_path;
};

/* The client config's "server" object, or NULL with err naming the file. */
json_object *cfg_client_server(const struct cfg_file *f, char *err, size_t errlen);
/* The CMU config's "servers" array (at least one object), or NULL. */
json_object *cfg_cmu_servers(const struct cfg_file *f, char *err, size_t errlen);
/* The port of a server entry (a number or a numeric string), 0 if none. */
unsigned cfg_entry_port(json_object *entry);

/* Points the client config's server at host (port too unless 0). */
int cfg_client_set_server(struct cfg_file *f, const char *host, unsigned port,
                          char *err, size_t errlen);
/* Replaces the CMU "servers" with one entry per server: a copy of the first
 * entry (every field, in its order) with name, hostname and port set. */
int cfg_cmu_set_servers(struct cfg_file *f, const struct cfg_server *servers, size_t n,
                        char *err, size_t errlen);
/* Sets the files of every server entry (and the client section's CA). */
int cfg_set_identity(struct cfg_file *f, const struct cfg_identity *id,
                     char *err, size_t errlen);

#endif
