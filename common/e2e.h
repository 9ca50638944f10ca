/* e2e.h - the end-to-end identity check of enable_e2e, shared by both ends.
 * The node signs a client nonce bound to the TLS session's exporter. */
#ifndef HSM_E2E_H
#define HSM_E2E_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/ssl.h>

#define E2E_EXPORTER_LABEL "EXPORTER-hsm-sim-e2e"
#define E2E_BINDING_LEN 32

/* The bytes the node signs: context, nonce and the TLS exporter value.
 * Writes at most outsz bytes into out; returns the length or 0 on error. */
size_t e2e_message(SSL *ssl, const uint8_t *nonce, size_t nonce_len,
                   uint8_t *out, size_t outsz);

#endif
