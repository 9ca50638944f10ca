/* key-import.h - turning bytes from outside the HSM (an unwrapped key, an
 * imported public key) into a key object, with the HSM's policy checks. */
#ifndef HSM_KEY_IMPORT_H
#define HSM_KEY_IMPORT_H

#include <stddef.h>
#include <stdint.h>

#include "keyobj.h"

/* Secret: raw bytes of key_type; private: DER PKCS #8 of key_type; public:
 * DER SubjectPublicKeyInfo of key_type. Sets class, type, material, length
 * and KCV of k. 0x01 bytes that do not decode, 0xae another algorithm or
 * class, 0xaf a size out of range, 0xb3 something FIPS mode refuses. */
hsm_rc key_import_material(struct key_obj *k, uint32_t key_class, uint32_t key_type,
                           const uint8_t *p, size_t n);

#endif
