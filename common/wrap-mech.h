/* wrap-mech.h - the key wrapping mechanisms of wrapKey/unWrapKey (-m) and
 * their parameter rules, on raw bytes with OpenSSL EVP; no HSM state here. */
#ifndef HSM_WRAP_MECH_H
#define HSM_WRAP_MECH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "buf.h"
#include "hsmclient.h"

#define WRAP_IV_MAX 16u
#define WRAP_KW_IV_LEN 8u          /* RFC 3394 initial value */
#define WRAP_GCM_IV_LEN 12u
#define WRAP_GCM_TAG_MIN 8u
#define WRAP_GCM_TAG_MAX 16u
#define WRAP_RSA_AES_KEY_LEN 32u   /* the ephemeral AES key of RSA_AES */

/* How to wrap: the -m, -t, -i/-iv_file, -aad and -tag_size of the tools. */
struct wrap_params {
	uint32_t mech;              /* HSM_WRAP_* */
	uint32_t hash;              /* HSM_HASH_*; 0: SHA-256 (RSA mechanisms) */
	uint8_t iv[WRAP_IV_MAX];
	size_t iv_len;
	const uint8_t *aad;
	size_t aad_len;
	uint32_t tag_len;           /* GCM; 0: 16 */
};

/* The wrapping (or unwrapping) key: AES bytes or an RSA key. */
struct wrap_kek {
	const uint8_t *aes;
	size_t aes_len;
	EVP_PKEY *pkey;
	bool has_private;           /* pkey holds the private key */
};

/* Mechanism known and iv/aad/tag/hash right for it, in this direction:
 * 0xad for an unknown mechanism, 0x01 for a parameter it does not take. */
hsm_rc wrap_check_params(const struct wrap_params *p, bool wrap);
/* Can this key wrap (unwrap) with p->mech? 0xad otherwise. */
hsm_rc wrap_check_kek(const struct wrap_params *p, const struct wrap_kek *k, bool wrap);
/* Wraps in[n] into out (empty on entry). GCM: iv_out gets the IV the
 * mechanism chose (*iv_len, 0 for the others). */
hsm_rc wrap_encrypt(const struct wrap_params *p, const struct wrap_kek *k,
                    const uint8_t *in, size_t n, struct hbuf *out,
                    uint8_t iv_out[WRAP_IV_MAX], size_t *iv_len);
/* Unwraps and checks integrity (RFC 3394 check value, padding, GCM tag,
 * OAEP): 0x01 when the data does not authenticate. out gets the plaintext. */
hsm_rc wrap_decrypt(const struct wrap_params *p, const struct wrap_kek *k,
                    const uint8_t *in, size_t n, struct hbuf *out);
/* "AES_KEY_WRAP_PAD_PKCS5", ...; NULL for an unknown number. */
const char *wrap_mech_name(uint32_t mech);

#endif
