/* keyobj.h - a key as the simulated HSM holds it: attributes, owner, sharing
 * and the key material (plaintext only in memory, wiped by key_obj_clear). */
#ifndef HSM_KEYOBJ_H
#define HSM_KEYOBJ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hsmclient.h"

/* Boolean attributes as bits of key_obj.flags. */
enum key_flag {
	KF_TOKEN = 1u << 0,
	KF_PRIVATE = 1u << 1,
	KF_TRUSTED = 1u << 2,
	KF_SENSITIVE = 1u << 3,
	KF_ENCRYPT = 1u << 4,
	KF_DECRYPT = 1u << 5,
	KF_WRAP = 1u << 6,
	KF_UNWRAP = 1u << 7,
	KF_SIGN = 1u << 8,
	KF_VERIFY = 1u << 9,
	KF_DERIVE = 1u << 10,
	KF_EXTRACTABLE = 1u << 11,
	KF_LOCAL = 1u << 12,
	KF_NEVER_EXTRACTABLE = 1u << 13,
	KF_ALWAYS_SENSITIVE = 1u << 14,
	KF_DESTROYABLE = 1u << 15,
	KF_WRAP_WITH_TRUSTED = 1u << 16,
};

struct key_obj {
	uint32_t handle;
	uint32_t owner;
	uint32_t key_class;       /* HSM_CLASS_* */
	uint32_t key_type;        /* HSM_KEY_* */
	uint32_t flags;           /* enum key_flag */
	uint32_t value_len;
	uint32_t m_value;
	char label[HSM_LABEL_MAX + 1];
	char id[HSM_KEY_ID_MAX + 1];
	uint8_t kcv[3];
	uint32_t nshares;
	uint32_t shares[HSM_MAX_SHARES];
	/* secret: raw key; private: PKCS#8 DER; public: SubjectPublicKeyInfo DER */
	uint8_t *material;
	size_t material_len;
};

static inline bool
key_has(const struct key_obj *k, uint32_t flag)
{
	return (k->flags & flag) != 0;
}

/* Wipes and frees the material, zeroes the rest. */
void key_obj_clear(struct key_obj *k);
/* Deep copy (material duplicated); 0 or -1. */
int key_obj_copy(struct key_obj *dst, const struct key_obj *src);
/* Sets the material to a copy of p[n]; 0 or -1. */
int key_obj_set_material(struct key_obj *k, const uint8_t *p, size_t n);
bool key_shared_with(const struct key_obj *k, uint32_t user);

#endif
