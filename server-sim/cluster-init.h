/* cluster-init.h - the parts of hsm-sim init: the cluster's PKI and node
 * directories (cluster-init-files.c) and the tools' configs (cluster-init-config.c). */
#ifndef HSM_CLUSTER_INIT_H
#define HSM_CLUSTER_INIT_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "backup-format.h"
#include "cluster.h"

/* Files at the top of a cluster directory. */
#define INIT_CUSTOMER_CA_CRT "customerCA.crt"
#define INIT_CUSTOMER_CA_KEY "customerCA.key"
#define INIT_MANUFACTURER_CA_CRT "manufacturerCA.crt"
#define INIT_MANUFACTURER_CA_KEY "manufacturerCA.key"
#define INIT_CLIENT_CRT "client.crt"
#define INIT_CLIENT_KEY "client.key"
#define INIT_CMU_CONFIG "cloudhsm_mgmt_util.cfg"
#define INIT_CLIENT_CONFIG "cloudhsm_client.cfg"

/* Files in each node directory, DIR/nodeK/ (the database is STORE_FILE). */
#define INIT_NODE_CRT "node.crt"            /* TLS server cert, by customerCA */
#define INIT_NODE_KEY "node.key"
#define INIT_HARDWARE_CRT "hardware.crt"    /* by manufacturerCA */
#define INIT_HARDWARE_KEY "hardware.key"
#define INIT_NODE_MFR_CRT "node-mfr.crt"    /* node.key's public key, by hardware.crt */
#define INIT_MASKING_KEY "masking.key"      /* the same in every node */
#define INIT_STORAGE_KEY "storage.key"      /* one per node */

#define INIT_SECRET_KEY_LEN 32   /* masking.key and storage.key */

/* A clone's nodes keep this many handle sequence numbers for the keys its
 * source makes after the backup (store_make_clone). */
#define INIT_CLONE_HANDLE_GAP 65536u

/* What a clone is made from (hsm-sim init --from-backup): the source's
 * masking key and one of its nodes' database and storage key. */
struct init_source {
	const char *backup_file;
	uint8_t masking_key[INIT_SECRET_KEY_LEN];
	struct backup_image image;
	char cluster_id[64];          /* the cluster the backup was made in */
};

/* The roots that sign everything init creates, the masking key that every
 * node of the cluster shares, and the source when the cluster is a clone. */
struct init_pki {
	EVP_PKEY *customer_key;
	X509 *customer_ca;
	EVP_PKEY *manufacturer_key;
	X509 *manufacturer_ca;
	uint8_t masking_key[INIT_SECRET_KEY_LEN];
	const struct init_source *source;
};

/* Creates both roots, the client identity and the masking key; writes the
 * roots' and the client's certificates and keys into c->dir. */
int init_pki_create(struct init_pki *p, const struct cluster *c,
                    char *err, size_t errlen);
/* Frees the roots and wipes the masking key. */
void init_pki_free(struct init_pki *p);
/* Creates c->dir/nodeK (0700): certificates, keys and the node database. */
int init_node_create(const struct init_pki *p, const struct cluster *c,
                     unsigned k, char *err, size_t errlen);
/* Reads the masking key file and opens the backup with it (cluster-init-clone.c);
 * reports errors. Free with init_source_free. */
int init_source_load(struct init_source *src, const char *backup_file, const char *key_file);
void init_source_free(struct init_source *src);
/* Writes node K's database from the source's backup, as a node of cluster
 * c with storage key skey. */
int init_node_clone_store(const struct init_source *src, const struct cluster *c, unsigned k,
                          const uint8_t skey[INIT_SECRET_KEY_LEN], char *err, size_t errlen);
/* The summary line of a clone: its source and masking domain. */
void init_clone_summary(const struct init_source *src, const struct cluster *c);
/* Writes cloudhsm_mgmt_util.cfg and cloudhsm_client.cfg into c->dir. */
int init_configs_write(const struct cluster *c, char *err, size_t errlen);
/* Writes a cloudhsm_mgmt_util config listing every node of src, then every
 * node of dst, for syncUser/syncKey between cloned clusters. */
int init_sync_config_write(const struct cluster *src, const struct cluster *dst,
                           const char *path, char *err, size_t errlen);

#endif
