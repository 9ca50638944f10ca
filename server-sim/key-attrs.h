/* key-attrs.h - a key's OBJ_ATTR_* values as getAttribute returns them, and
 * the rules of setAttribute. */
#ifndef HSM_KEY_ATTRS_H
#define HSM_KEY_ATTRS_H

#include "buf.h"
#include "keyobj.h"
#include "proto.h"

/* One attribute, or HSM_ATTR_ALL in the reference's order; ATTRIBUTE_INVALID
 * for an attribute the key does not have. Needs the material for modulus,
 * exponent and EC point. */
hsm_rc key_attributes(const struct key_obj *k, uint32_t attr, hsm_attribute_list *out);
/* Applies a CMU/KMU setAttribute value to k (permissions are the caller's);
 * OBJ_ATTR_TOKEN is handled by the caller. */
hsm_rc key_set_attribute(struct key_obj *k, uint32_t attr, const uint8_t *v, size_t n);
/* Serialisation of a whole key (masked objects). */
void key_obj_encode(struct hbuf *b, const struct key_obj *k);
int key_obj_decode(struct hrd *r, struct key_obj *k);

#endif
