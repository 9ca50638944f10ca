/* authdata.h - the 2FA authdata file of manage-2fa.md: the request CMU
 * writes (one challenge per HSM) and the signed response it reads back. */
#ifndef HSM_CMU_AUTHDATA_H
#define HSM_CMU_AUTHDATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hsmclient.h"

#define AUTHDATA_VERSION "1.0"
#define AUTHDATA_FILE_MAX (1024u * 1024u)
#define AUTHDATA_HSM_ID_MAX 31
#define AUTHDATA_SIGNATURE_MAX 1024u
#define AUTHDATA_PUBKEY_MAX 1024u

/* One Data entry: the HSM, its challenge and (response) its signature. */
struct authdata_entry {
	char hsm_id[AUTHDATA_HSM_ID_MAX + 1];
	uint8_t digest[HSM_TFA_DIGEST_LEN];
	uint8_t signature[AUTHDATA_SIGNATURE_MAX];
	size_t signature_len;
};

struct authdata {
	bool with_pubkey;                    /* createUser, changePswd */
	size_t count;
	struct authdata_entry entries[HSM_MAX_SERVERS];
	uint8_t pubkey_der[AUTHDATA_PUBKEY_MAX]; /* response: RSA-2048 SPKI */
	size_t pubkey_der_len;
};

/* The request as JSON text (Version, PublicKey to fill when with_pubkey,
 * Data with HsmId and Digest); free with free(). NULL on failure. */
char *authdata_request_json(const struct authdata *req);
/* Writes the request to path whole (temporary file, rename), mode 0600.
 * On failure err says why; -1. */
int authdata_write_request(const char *path, const struct authdata *req,
                           char *err, size_t errlen);

/* Parses a response: Version "1.0", Data entries each with HsmId, Digest (32
 * bytes) and Signature (base64), and with need_pubkey a PublicKey that is a
 * PEM RSA-2048 public key. 0, or -1 with one line in err. */
int authdata_parse_response(const char *text, size_t len, bool need_pubkey,
                            struct authdata *out, char *err, size_t errlen);
/* authdata_parse_response on the file at path. */
int authdata_read_response(const char *path, bool need_pubkey, struct authdata *out,
                           char *err, size_t errlen);
/* The entry for hsm_id, NULL when the response has none. */
const struct authdata_entry *authdata_find(const struct authdata *a, const char *hsm_id);
/* Wipes what a response held. */
void authdata_clear(struct authdata *a);

/* Strict base64 (RFC 4648 alphabet, padding, whitespace ignored) into out;
 * the decoded length, or -1 when the text is not base64 or does not fit. */
long authdata_base64_decode(const char *text, uint8_t *out, size_t outmax);
/* PEM "PUBLIC KEY" text, line breaks optional, to DER of an RSA-2048 key;
 * 0, or -1 with the reason in err. */
int authdata_pem_to_der(const char *pem, uint8_t *der, size_t dermax, size_t *derlen,
                        char *err, size_t errlen);

#endif
