/* kmu-wrap.h - what the key-moving commands of key_mgmt_util share: the
 * wrapped-key file format, local wrapping with a key file (-wk), printing. */
#ifndef HSM_KMU_WRAP_H
#define HSM_KMU_WRAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "hsmclient.h"
#include "kmu.h"

#define KMU_WRAP_FILE_MAX (HSM_WRAP_DATA_MAX + 8192u)
#define KMU_KEY_FILE_MAX 65536u

/* The header wrapKey writes before the wrapped bytes (doc/kmu-formats.md). */
struct kmu_wrap_header {
	uint32_t mech;
	uint32_t hash;
	uint32_t key_class;
	uint32_t key_type;
	uint32_t value_len;
	uint32_t tag_len;
	uint8_t iv[HSM_WRAP_IV_MAX];
	size_t iv_len;
	char label[HSM_LABEL_MAX + 1];
	char id[HSM_KEY_ID_MAX + 1];
};

enum kmu_wrap_parse {
	KMU_WRAP_OK = 0,
	KMU_WRAP_NOT_OURS = -1,     /* no header: another tool's blob */
	KMU_WRAP_DAMAGED = -2,      /* our magic, but truncated or corrupt */
};

/* The whole file: header, then the wrapped bytes. */
void kmu_wrap_file_encode(struct hbuf *b, const struct kmu_wrap_header *h,
                          const uint8_t *data, size_t n);
enum kmu_wrap_parse kmu_wrap_file_decode(const uint8_t *p, size_t n,
                                         struct kmu_wrap_header *h,
                                         const uint8_t **data, size_t *len);

/* -wk: mechanism 4 with the plaintext AES key in file, on this host.
 * 0, or -1 after printing why. */
int kmu_local_wrap(const char *file, const uint8_t *in, size_t n, struct hbuf *out);
int kmu_local_unwrap(const char *file, const uint8_t *in, size_t n, struct hbuf *out);

/* exactly want bytes of hex, with or without 0x; 0 or -1. */
int kmu_parse_hex(const char *s, uint8_t *out, size_t want);
/* A file of exactly want bytes (-iv_file) or at most max (-aad); *p is
 * freed by the caller. 0, or -1 after printing why. */
int kmu_read_exact(const char *path, size_t want, uint8_t **p);

/* "<call> returned: ..." like kmu_print_rc, with or without the TAB the
 * command's page shows. */
void kmu_print_rc_indent(const char *call, hsm_rc rc, bool indent);
/* The key's class (getAttribute), to refuse the wrong kind before any
 * wrapping; HSM_RC_SUCCESS also when it cannot be read (the operation
 * itself then reports why). */
hsm_rc kmu_check_class(struct kmu *k, uint32_t handle, uint32_t want);
/* Wipes and frees a buffer kmu_read_file returned. */
void kmu_free_secret(uint8_t *p, size_t n);

#endif
