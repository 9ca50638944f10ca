/* store.h - one node's durable state in SQLite (WAL, synchronous writes).
 * Users now, keys and quorum later; every write is one transaction. */
#ifndef HSM_STORE_H
#define HSM_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hsmclient.h"

#define STORE_FILE "state.db"
#define KDF_SALT_LEN 16
#define KDF_HASH_LEN 32
#define KDF_DEFAULT_ITERATIONS 100000u
#define CLUSTER_NODE_ID_MAX 27u
#define STORE_RESTORE_HANDLE_GAP "8192"
#define STORE_PUBKEY_MAX 1024u     /* DER SubjectPublicKeyInfo of a user's key */

struct store;

struct store_identity {
	unsigned node_id;
	char cluster_id[64];
	char hsm_id[32];
	/* The cluster the masking key was first made for; "" for the cluster
	 * itself (meta has no row). mask_domain() (mask.h) reads it. */
	char masking_domain[64];
};

/* Creates a new node database: schema, identity, and the users of an
 * unactivated HSM (PRECO admin/password, AU app_user with a random password).
 * Fails if the file exists. */
int store_create(const char *path, const struct store_identity *id,
                 char *err, size_t errlen);
/* Rewrites the identity of a database (after restoring another node's backup). */
int store_set_identity(const char *path, const struct store_identity *id,
                       char *err, size_t errlen);
/* Makes a copy of a node database of cluster source_cluster a node of a
 * clone (hsm-sim init --from-backup), in one transaction: the identity id
 * (whose masking_domain it sets to the source's), every key resealed from
 * old_skey to new_skey, and a handle sequence moved past the source's by
 * gap, the skipped window kept so that the source's later keys may still
 * arrive under their handles. */
int store_make_clone(const char *path, struct store_identity *id, const char *source_cluster,
                     const uint8_t old_skey[32], const uint8_t new_skey[32],
                     uint32_t gap, char *err, size_t errlen);
/* Opens an existing database; one connection per thread. */
struct store *store_open(const char *path, char *err, size_t errlen);
void store_close(struct store *s);
int store_get_identity(struct store *s, struct store_identity *id);

/* Write transactions: BEGIN IMMEDIATE ... COMMIT. 0 or -1. */
int store_begin(struct store *s);
int store_commit(struct store *s);
void store_rollback(struct store *s);

struct store_user {
	uint32_t id;
	hsm_user_type type;
	char name[HSM_USER_NAME_MAX + 1];
	uint8_t salt[KDF_SALT_LEN];
	uint32_t iterations;
	uint8_t hash[KDF_HASH_LEN];
	uint32_t failures;
	bool mofn_pubkey;             /* pubkey_len > 0 */
	bool two_factor;
	/* The user's registered RSA public key (DER SubjectPublicKeyInfo): the
	 * one key that quorum approvals and 2FA logins are checked against. */
	uint8_t pubkey[STORE_PUBKEY_MAX];
	uint32_t pubkey_len;
};

/* 0 found, 1 not found, -1 error. Names compare case-insensitively. */
int store_user_find(struct store *s, const char *name, struct store_user *u);
int store_user_get(struct store *s, uint32_t id, struct store_user *u);
int store_user_count(struct store *s, uint32_t *count);
int store_user_list(struct store *s, hsm_user_list *out);
/* Inserts with the lowest free id above the existing ones; sets u->id. */
int store_user_insert(struct store *s, struct store_user *u);
/* 0 deleted, 1 no such user, -1 error. */
int store_user_delete(struct store *s, uint32_t id);
/* New password hash, type (PRECO becomes CO) and failure count 0. */
int store_user_set_password(struct store *s, const struct store_user *u);
int store_user_set_failures(struct store *s, uint32_t id, uint32_t failures);
/* Registers (len > 0) or removes (len 0) the user's public key and sets the
 * 2FA flag, in the caller's transaction. 0, 1 no such user, -1 error. */
int store_user_set_pubkey(struct store *s, uint32_t id, const uint8_t *der, size_t len,
                          bool two_factor);
/* Does the user own any key? 0 or -1. */
int store_user_owns_keys(struct store *s, uint32_t id, bool *owns);

/* Token keys (store-keys.c). get: 0 found, 1 not found, -1 error; the
 * material is decrypted only when asked for. */
struct key_obj;
int store_key_get(struct store *s, const uint8_t skey[32], uint32_t handle,
                  struct key_obj *k, bool with_material);
/* Every token key without its material; free *out with free(). */
int store_key_list(struct store *s, struct key_obj **out, size_t *n);
int store_key_count(struct store *s, uint32_t *count);
/* Is id used by another key than k's pair partner? */
int store_key_id_taken(struct store *s, const char *id, uint32_t key_class, uint32_t handle,
                       bool *taken);
/* Inside a write transaction: has this database never handed out handle
 * sequence seq (at or past next_key_seq, or in the window a clone left to
 * its source)? 0 or -1. */
int store_key_seq_unused(struct store *s, uint32_t seq, bool *unused);
/* Inside a write transaction: the next handle of this node. */
int store_key_next_handle(struct store *s, unsigned node_id, uint32_t *handle);
int store_key_put(struct store *s, const uint8_t skey[32], const struct key_obj *k);
int store_key_delete(struct store *s, uint32_t handle);
int store_key_unshare_user(struct store *s, const uint8_t skey[32], uint32_t user);
/* Inside a write transaction: every key select picks from the listing
 * (NULL: every key) is read with its material under from_skey, changed by
 * edit (NULL: not at all) and stored again, sealed under to_skey. */
struct store_key_rewrite {
	const uint8_t *from_skey;
	const uint8_t *to_skey;
	bool (*select)(const struct key_obj *listed, void *arg);
	void (*edit)(struct key_obj *k, void *arg);
	void *arg;
};
int store_key_rewrite(struct store *s, const struct store_key_rewrite *rw);

/* Quorum minimum (M) value of a service (3 USER_MGMT, 4 MISC_CO, ...);
 * a service never set has M = 1. 0 or -1. */
int store_m_value_get(struct store *s, uint32_t service, uint32_t *m);
int store_m_value_set(struct store *s, uint32_t service, uint32_t m);

/* Quorum tokens (store-quorum.c): one node's, each held by one session.
 * Times are the node's clock in seconds (quorum_now). */
struct store_token {
	uint32_t id;
	uint64_t session;
	uint32_t owner;               /* user id */
	char owner_name[HSM_USER_NAME_MAX + 1];
	uint32_t service;
	uint32_t key_handle;          /* 0: the token names no key */
	uint8_t value[HSM_QUORUM_TOKEN_LEN];
	uint64_t expires;
	uint32_t napprovals;
	uint32_t approver_ids[HSM_QUORUM_MAX_APPROVALS];
	char approvers[HSM_QUORUM_MAX_APPROVALS][HSM_USER_NAME_MAX + 1];
};
int store_token_count(struct store *s, uint32_t *count);
/* Removes the oldest expired token: 0 removed, 1 none has expired, -1 error. */
int store_token_purge_expired(struct store *s, uint64_t now);
/* Inserts t (approvals are not written) and sets t->id. */
int store_token_insert(struct store *s, struct store_token *t);
/* 0 found, 1 not found, -1 error; with its owner's name and approvals. */
int store_token_get(struct store *s, uint32_t id, struct store_token *t);
/* The tokens of a session in id order; free *out with free(). */
int store_token_list(struct store *s, uint64_t session, struct store_token **out,
                     size_t *n);
/* Replaces the approvals of a token with t->approver_ids/approvers. */
int store_token_set_approvals(struct store *s, const struct store_token *t);
/* The oldest token of session for service with at least needed approvals
 * that has not expired: 0 found (*id), 1 none (*expired: one had expired). */
int store_token_find_approved(struct store *s, uint64_t session, uint32_t service,
                              uint32_t needed, uint64_t now, uint32_t *id, bool *expired);
int store_token_delete(struct store *s, uint32_t id);
/* Removes a session's tokens; *removed says how many. */
int store_token_delete_session(struct store *s, uint64_t session, unsigned *removed);
int store_token_delete_all(struct store *s);
/* Crypto officers (CO and PCO), who may approve officer services. */
int store_officer_count(struct store *s, uint32_t *count);

/* Audit log: one row per command, never a secret. */
int store_audit(struct store *s, const char *opcode, const char *user,
                hsm_rc response, const char *detail);

#endif
