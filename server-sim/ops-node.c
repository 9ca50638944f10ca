/* ops-node.c - handlers that describe the node: getHSMInfo, getCert, e2e.
 * Nothing here needs a login; nothing here reveals a secret. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "e2e.h"
#include "proto.h"
#include "server.h"
#include "util.h"

#define SIM_PUBLIC_MEMORY 560596u

int
op_get_hsm_info(struct session *s, struct hrd *req, struct hbuf *reply, hsm_rc *rc)
{
	if (hrd_end(req) != 0)
		return -1;
	hsm_hsm_info m = {
		.flags = 0, .fips_state = 2, .device_id = 16, .class_code = 0x100000,
		.vendor_id = 0x177d, .subsystem_id = 16,
		.total_public_memory = SIM_PUBLIC_MEMORY,
		.free_public_memory = SIM_PUBLIC_MEMORY,
		.hardware_major = 3, .hardware_minor = 0,
		.firmware_major = 2, .firmware_minor = 3,
		.temperature = 40, .build_number = 13,
	};
	hsm_strlcpy(m.label, "hsm-sim", sizeof(m.label));
	hsm_strlcpy(m.model, "HSM-SIM software simulator", sizeof(m.model));
	snprintf(m.serial, sizeof(m.serial), "SIM-%s", s->node->identity.hsm_id);
	hsm_strlcpy(m.firmware_id, "hsm-sim-" HSMCLIENT_VERSION, sizeof(m.firmware_id));
	msg_hsm_info_encode(reply, &m);
	*rc = HSM_RC_SUCCESS;
	return 0;
}

static const char *
cert_file(uint32_t type)
{
	switch (type) {
	case HSM_CERT_MANUFACTURER_ROOT: return "manufacturerCA.crt";
	case HSM_CERT_MANUFACTURER_HARDWARE: return "hardware.crt";
	case HSM_CERT_CUSTOMER_ROOT: return "customerCA.crt";
	case HSM_CERT_CLUSTER: return "node.crt";
	case HSM_CERT_CLUSTER_MANUFACTURER: return "node-mfr.crt";
	}
	return NULL;
}

static hsm_rc
reply_cert_file(struct session *s, const char *name, struct hbuf *reply)
{
	char path[PATH_MAX];
	char *pem = NULL;
	size_t len;
	if (cluster_node_path(&s->node->cluster, s->node->id, name, path, sizeof(path)) != 0 ||
	    hsm_read_file(path, 65536, &pem, &len) != 0)
		return HSM_RC_INTERNAL;
	hbuf_put_bytes(reply, pem, len);
	free(pem);
	return HSM_RC_SUCCESS;
}

int
op_get_cert(struct session *s, struct hrd *req, struct hbuf *reply, hsm_rc *rc)
{
	uint32_t type;
	if (hrd_get_u32(req, &type) != 0 || hrd_end(req) != 0)
		return -1;
	const char *name = cert_file(type);
	*rc = name ? reply_cert_file(s, name, reply) : HSM_RC_INVALID_INPUT;
	return 0;
}

static int
sign_message(EVP_PKEY *key, const uint8_t *msg, size_t len, uint8_t *sig, size_t *siglen)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	int ok = md != NULL && EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, key) == 1 &&
	         EVP_DigestSign(md, sig, siglen, msg, len) == 1;
	EVP_MD_CTX_free(md);
	return ok ? 0 : -1;
}

int
op_e2e_challenge(struct session *s, struct hrd *req, struct hbuf *reply, hsm_rc *rc)
{
	const uint8_t *nonce;
	size_t nlen;
	if (hrd_get_bytes(req, &nonce, &nlen, PROTO_NONCE_LEN) != 0 ||
	    nlen != PROTO_NONCE_LEN || hrd_end(req) != 0)
		return -1;
	uint8_t msg[128], sig[512];
	size_t mlen = e2e_message(s->ssl, nonce, nlen, msg, sizeof(msg));
	size_t siglen = sizeof(sig);
	*rc = HSM_RC_INTERNAL;
	if (mlen == 0 || sign_message(s->node->node_key, msg, mlen, sig, &siglen) != 0)
		return 0;
	struct hbuf cert;
	hbuf_init(&cert);
	if (reply_cert_file(s, "node.crt", &cert) == HSM_RC_SUCCESS) {
		/* reply_cert_file wrote a u32-prefixed blob: keep that framing. */
		hbuf_put_raw(reply, cert.data, cert.len);
		hbuf_put_bytes(reply, sig, siglen);
		*rc = HSM_RC_SUCCESS;
	}
	hbuf_free(&cert);
	return 0;
}
