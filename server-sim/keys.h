/* keys.h - the key service of a node: finding a key by handle (token keys
 * in the store, session keys in memory), who may use or manage it, creating,
 * cloning, updating and removing keys. */
#ifndef HSM_KEYS_H
#define HSM_KEYS_H

#include "keyobj.h"
#include "proto.h"
#include "server.h"

#define SESSION_KEYS_MAX 1024u

/* A key this session can see by handle; INVALID_HANDLE otherwise. */
hsm_rc keys_lookup(struct session *s, uint32_t handle, struct key_obj *k,
                   bool with_material);
/* Owner, a user it is shared with, or any CU for a public key. */
hsm_rc keys_check_use(const struct session *s, const struct key_obj *k);
hsm_rc keys_check_owner(const struct session *s, const struct key_obj *k);
/* Label, id, sharing list and m_value of a creation request. */
hsm_rc keys_check_template(struct session *s, const struct msg_key_template *t);
/* Copies label, id, sharing and m_value from t into k. */
void keys_apply_template(struct key_obj *k, const struct msg_key_template *t,
                         bool with_shares);
/* Stores new keys (handles allocated here; an owner of 0 becomes the
 * session's user). */
hsm_rc keys_create(struct session *s, struct key_obj **k, size_t n, bool session_key);
/* keys_create that uses up, in the same transaction, a USE_KEY token of this
 * session for each key in used that has an m_value (unWrapKey's key). */
hsm_rc keys_create_using(struct session *s, struct key_obj **k, size_t n, bool session_key,
                         const struct key_obj *const *used, size_t nused);
/* The owner of a key that arrives in a masked object must exist here, and
 * so must the users it is shared with. */
hsm_rc keys_check_arrival(struct session *s, const struct key_obj *k);
/* Stores a clone from another node of the cluster under its own handle. */
hsm_rc keys_insert_clone(struct session *s, struct key_obj *k);
/* Writes back changed attributes or sharing. */
hsm_rc keys_update(struct session *s, const struct key_obj *k);
/* keys_update that, for a key with an m_value, uses up an approved token of
 * this session for service in the same transaction (shareKey: MANAGE_KEY). */
hsm_rc keys_update_using(struct session *s, const struct key_obj *k, uint32_t service);
/* Turns a session key into a token key. */
hsm_rc keys_make_token(struct session *s, uint32_t handle);
hsm_rc keys_remove(struct session *s, uint32_t handle);
/* Token keys (no material) plus this session's keys; free with keys_free_list. */
int keys_list(struct session *s, struct key_obj **out, size_t *n);
void keys_free_list(struct key_obj *list, size_t n);
/* Session keys end with logout and disconnect. */
void keys_session_drop(struct session *s);
/* Every share id is an existing CU other than owner, without repeats. */
hsm_rc keys_check_share_list(struct session *s, uint32_t owner, const uint32_t *ids,
                             size_t n);

#endif
