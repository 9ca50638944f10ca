/* e2e.c - the end-to-end identity check of enable_e2e, shared by both ends.
 * Binding to the TLS exporter stops a relay from replaying a signature. */
#include <string.h>

#include "e2e.h"
#include "proto.h"

size_t
e2e_message(SSL *ssl, const uint8_t *nonce, size_t nonce_len, uint8_t *out, size_t outsz)
{
	size_t ctxlen = sizeof(E2E_CONTEXT);   /* includes the NUL separator */
	size_t total = ctxlen + nonce_len + E2E_BINDING_LEN;
	if (nonce_len != PROTO_NONCE_LEN || outsz < total)
		return 0;
	memcpy(out, E2E_CONTEXT, ctxlen);
	memcpy(out + ctxlen, nonce, nonce_len);
	if (SSL_export_keying_material(ssl, out + ctxlen + nonce_len, E2E_BINDING_LEN,
	                               E2E_EXPORTER_LABEL, strlen(E2E_EXPORTER_LABEL),
	                               NULL, 0, 0) != 1)
		return 0;
	return total;
}
