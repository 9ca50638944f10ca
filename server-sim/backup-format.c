/* backup-format.c - builds and checks hsm-sim backup files (see backup-format.h):
 * container, zlib, HKDF and AES-256-GCM, every length bounded, every secret wiped. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <zlib.h>

#include "backup-format.h"
#include "buf.h"
#include "util.h"

#define NONCE_LEN 12
#define TAG_LEN 16
#define BACKUP_KEY_LEN 32
#define CLUSTER_ID_MAX 63
#define STORAGE_KEY_MAX 1024

/* A heap buffer that may hold secrets: wiped in full when freed. */
struct sbuf {
	uint8_t *p;
	size_t len;
	size_t cap;
};

static int
sbuf_alloc(struct sbuf *b, size_t cap)
{
	b->p = malloc(cap > 0 ? cap : 1);
	b->len = 0;
	b->cap = cap;
	return b->p != NULL ? 0 : -1;
}

static void
sbuf_free(struct sbuf *b)
{
	if (b->p != NULL)
		OPENSSL_clear_free(b->p, b->cap);
	memset(b, 0, sizeof(*b));
}

static uint8_t *
put_u32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
	return p + 4;
}

static uint8_t *
put_raw(uint8_t *p, const void *data, size_t n)
{
	if (n > 0)
		memcpy(p, data, n);
	return p + n;
}

static int
container_build(const struct backup_image *in, struct sbuf *out)
{
	if (in->db_len > BACKUP_MAX_CONTAINER || in->storage_key_len > STORAGE_KEY_MAX)
		return -1;
	size_t n = BACKUP_MAGIC_LEN + 4 + in->db_len + 4 + in->storage_key_len;
	if (n > BACKUP_MAX_CONTAINER || sbuf_alloc(out, n) != 0)
		return -1;
	uint8_t *p = put_raw(out->p, BACKUP_MAGIC, BACKUP_MAGIC_LEN);
	p = put_raw(put_u32(p, (uint32_t)in->db_len), in->db, in->db_len);
	put_raw(put_u32(p, (uint32_t)in->storage_key_len), in->storage_key, in->storage_key_len);
	out->len = n;
	return 0;
}

/* plaintext = u32 container length, zlib(container) at level 9 */
static int
compress_container(const struct sbuf *container, struct sbuf *out)
{
	uLong bound = compressBound((uLong)container->len);
	uLongf zlen = bound;
	if (sbuf_alloc(out, 4 + (size_t)bound) != 0)
		return -1;
	if (compress2(out->p + 4, &zlen, container->p, (uLong)container->len, 9) != Z_OK)
		return -1;
	put_u32(out->p, (uint32_t)container->len);
	out->len = 4 + (size_t)zlen;
	return 0;
}

static int
derive_key(const uint8_t *masking_key, uint8_t key[BACKUP_KEY_LEN])
{
	char digest[] = "SHA256", info[] = "hsm-sim backup v1";
	EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
	EVP_KDF_CTX *ctx = kdf != NULL ? EVP_KDF_CTX_new(kdf) : NULL;
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
		OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)masking_key,
		                                  BACKUP_MASKING_KEY_LEN),
		OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info, strlen(info)),
		OSSL_PARAM_construct_end(),
	};
	int ok = ctx != NULL && EVP_KDF_derive(ctx, key, BACKUP_KEY_LEN, params) == 1;
	EVP_KDF_CTX_free(ctx);
	EVP_KDF_free(kdf);
	return ok ? 0 : -1;
}

/* AES-256-GCM with AAD = magic || cluster_id; enc 1 seals, 0 opens. */
static EVP_CIPHER_CTX *
gcm_start(int enc, const uint8_t *key, const uint8_t *nonce, const char *cluster_id)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int outl;
	if (ctx == NULL ||
	    EVP_CipherInit_ex2(ctx, EVP_aes_256_gcm(), key, nonce, enc, NULL) != 1 ||
	    EVP_CipherUpdate(ctx, NULL, &outl, (const uint8_t *)BACKUP_MAGIC,
	                     BACKUP_MAGIC_LEN) != 1 ||
	    EVP_CipherUpdate(ctx, NULL, &outl, (const uint8_t *)cluster_id,
	                     (int)strlen(cluster_id)) != 1) {
		EVP_CIPHER_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

static int
gcm_seal(const uint8_t *key, const uint8_t *nonce, const char *cluster_id,
         const struct sbuf *plain, uint8_t *out, uint8_t *tag)
{
	EVP_CIPHER_CTX *ctx = gcm_start(1, key, nonce, cluster_id);
	int n = 0, fin = 0;
	int ok = ctx != NULL &&
	         EVP_EncryptUpdate(ctx, out, &n, plain->p, (int)plain->len) == 1 &&
	         EVP_EncryptFinal_ex(ctx, out + n, &fin) == 1 &&
	         (size_t)(n + fin) == plain->len &&
	         EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, TAG_LEN, tag) == 1;
	EVP_CIPHER_CTX_free(ctx);
	return ok ? 0 : -1;
}

/* Header, then ciphertext and tag, into one allocation. */
static int
file_build(const uint8_t *key, const char *cluster_id, const struct sbuf *plain,
           uint8_t **out, size_t *out_len)
{
	size_t id_len = strlen(cluster_id);
	size_t header_len = BACKUP_MAGIC_LEN + 1 + 2 + id_len + NONCE_LEN;
	uint8_t *file = malloc(header_len + plain->len + TAG_LEN);
	if (file == NULL || id_len > CLUSTER_ID_MAX) {
		free(file);
		return -1;
	}
	uint8_t *p = put_raw(file, BACKUP_MAGIC, BACKUP_MAGIC_LEN);
	*p++ = BACKUP_VERSION;
	*p++ = (uint8_t)(id_len >> 8);
	*p++ = (uint8_t)id_len;
	p = put_raw(p, cluster_id, id_len);
	if (RAND_bytes(p, NONCE_LEN) != 1 ||
	    gcm_seal(key, p, cluster_id, plain, p + NONCE_LEN, p + NONCE_LEN + plain->len) != 0) {
		free(file);
		return -1;
	}
	*out = file;
	*out_len = header_len + plain->len + TAG_LEN;
	return 0;
}

int
backup_seal(const uint8_t *masking_key, const char *cluster_id,
            const struct backup_image *in, uint8_t **out, size_t *out_len,
            char *err, size_t errlen)
{
	struct sbuf container = { 0 }, plain = { 0 };
	uint8_t key[BACKUP_KEY_LEN];
	int rc = -1;
	if (container_build(in, &container) != 0 || compress_container(&container, &plain) != 0)
		hsm_errf(err, errlen, "cannot build the backup (larger than %u MiB or out of memory)",
		         BACKUP_MAX_CONTAINER >> 20);
	else if (derive_key(masking_key, key) != 0 ||
	         file_build(key, cluster_id, &plain, out, out_len) != 0)
		hsm_errf(err, errlen, "cannot encrypt the backup (OpenSSL error)");
	else
		rc = 0;
	OPENSSL_cleanse(key, sizeof(key));
	sbuf_free(&container);
	sbuf_free(&plain);
	return rc;
}

/* The parts of a backup file, pointing into it. */
struct sealed {
	char cluster_id[CLUSTER_ID_MAX + 1];
	const uint8_t *nonce;
	const uint8_t *ciphertext;
	size_t ciphertext_len;
	const uint8_t *tag;
};

enum parse_result { PARSE_OK, PARSE_NOT_BACKUP, PARSE_BAD_VERSION, PARSE_CORRUPT };

static enum parse_result
parse_file(const uint8_t *file, size_t len, struct sealed *s, uint8_t *version)
{
	struct hrd r;
	uint8_t magic[BACKUP_MAGIC_LEN];
	uint16_t id_len;
	hrd_init(&r, file, len);
	if (hrd_get_raw(&r, magic, sizeof(magic)) != 0 ||
	    memcmp(magic, BACKUP_MAGIC, BACKUP_MAGIC_LEN) != 0)
		return PARSE_NOT_BACKUP;
	if (hrd_get_u8(&r, version) != 0)
		return PARSE_CORRUPT;
	if (*version != BACKUP_VERSION)
		return PARSE_BAD_VERSION;
	if (hrd_get_u16(&r, &id_len) != 0 || id_len > CLUSTER_ID_MAX ||
	    hrd_get_raw(&r, s->cluster_id, id_len) != 0 ||
	    memchr(s->cluster_id, '\0', id_len) != NULL || hrd_left(&r) < NONCE_LEN + TAG_LEN)
		return PARSE_CORRUPT;
	s->cluster_id[id_len] = '\0';
	s->nonce = file + r.off;
	s->ciphertext = s->nonce + NONCE_LEN;
	s->ciphertext_len = hrd_left(&r) - NONCE_LEN - TAG_LEN;
	s->tag = s->ciphertext + s->ciphertext_len;
	return PARSE_OK;
}

static int
gcm_open(const uint8_t *key, const struct sealed *s, struct sbuf *plain)
{
	EVP_CIPHER_CTX *ctx = gcm_start(0, key, s->nonce, s->cluster_id);
	int n = 0, fin = 0;
	if (ctx == NULL || sbuf_alloc(plain, s->ciphertext_len) != 0) {
		EVP_CIPHER_CTX_free(ctx);
		return -1;
	}
	int ok = EVP_DecryptUpdate(ctx, plain->p, &n, s->ciphertext, (int)s->ciphertext_len) == 1 &&
	         EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, TAG_LEN, (void *)s->tag) == 1 &&
	         EVP_DecryptFinal_ex(ctx, plain->p + n, &fin) == 1;
	EVP_CIPHER_CTX_free(ctx);
	plain->len = ok ? (size_t)(n + fin) : 0;
	return ok ? 0 : -1;
}

/* The declared size is checked against the cap before anything is
 * allocated, and against what zlib produced afterwards. */
static int
decompress(const struct sbuf *plain, struct sbuf *container)
{
	struct hrd r;
	uint32_t declared;
	hrd_init(&r, plain->p, plain->len);
	if (hrd_get_u32(&r, &declared) != 0 || declared > BACKUP_MAX_CONTAINER ||
	    sbuf_alloc(container, declared) != 0)
		return -1;
	uLongf got = declared;
	if (uncompress(container->p, &got, plain->p + r.off, (uLong)hrd_left(&r)) != Z_OK ||
	    got != declared)
		return -1;
	container->len = got;
	return 0;
}

static int
container_parse(struct backup_image *im)
{
	struct hrd r;
	uint8_t magic[BACKUP_MAGIC_LEN];
	hrd_init(&r, im->container, im->container_len);
	if (hrd_get_raw(&r, magic, sizeof(magic)) != 0 ||
	    memcmp(magic, BACKUP_MAGIC, BACKUP_MAGIC_LEN) != 0 ||
	    hrd_get_bytes(&r, &im->db, &im->db_len, BACKUP_MAX_CONTAINER) != 0 ||
	    hrd_get_bytes(&r, &im->storage_key, &im->storage_key_len, STORAGE_KEY_MAX) != 0 ||
	    hrd_end(&r) != 0)
		return -1;
	return 0;
}

static int
open_sealed(const uint8_t *masking_key, const struct sealed *s, struct backup_image *out)
{
	struct sbuf plain = { 0 }, container = { 0 };
	uint8_t key[BACKUP_KEY_LEN];
	int rc = -1;
	if (derive_key(masking_key, key) == 0 && gcm_open(key, s, &plain) == 0 &&
	    decompress(&plain, &container) == 0) {
		out->container = container.p;
		out->container_len = container.len;
		container.p = NULL;
		rc = container_parse(out);
	}
	OPENSSL_cleanse(key, sizeof(key));
	sbuf_free(&plain);
	sbuf_free(&container);
	return rc;
}

int
backup_unseal(const uint8_t *masking_key, const char *cluster_id,
              const uint8_t *file, size_t file_len, const char *file_name,
              struct backup_image *out, char *from_cluster, size_t from_len,
              char *err, size_t errlen)
{
	struct sealed s;
	uint8_t version = 0;
	memset(out, 0, sizeof(*out));
	enum parse_result pr = parse_file(file, file_len, &s, &version);
	if (pr == PARSE_NOT_BACKUP) {
		hsm_errf(err, errlen, "%s: not an hsm-sim backup", file_name);
		return -1;
	}
	if (pr == PARSE_BAD_VERSION) {
		hsm_errf(err, errlen, "%s: backup format version %u is not supported",
		         file_name, version);
		return -1;
	}
	if (pr != PARSE_OK || open_sealed(masking_key, &s, out) != 0) {
		backup_image_free(out);
		hsm_errf(err, errlen, "%s: backup is corrupt or %s", file_name,
		         cluster_id != NULL ? "belongs to another cluster"
		                            : "was sealed under another masking key");
		return -1;
	}
	/* Authentic, and sealed under our masking key: a clone's or its source's. */
	if (cluster_id != NULL && strcmp(s.cluster_id, cluster_id) != 0) {
		backup_image_free(out);
		hsm_errf(err, errlen, "%s: backup of cluster %s, not of %s (restore takes "
		         "backups of the same cluster; hsm-sim init --from-backup clones one)",
		         file_name, s.cluster_id, cluster_id);
		return -1;
	}
	if (from_cluster != NULL)
		hsm_strlcpy(from_cluster, s.cluster_id, from_len);
	return 0;
}

void
backup_image_free(struct backup_image *im)
{
	if (im->container != NULL)
		OPENSSL_clear_free(im->container, im->container_len);
	memset(im, 0, sizeof(*im));
}
