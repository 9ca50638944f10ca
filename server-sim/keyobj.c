/* keyobj.c - copying and wiping key objects.
 * Every path that drops key material goes through key_obj_clear. */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "keyobj.h"

void
key_obj_clear(struct key_obj *k)
{
	if (k->material != NULL) {
		OPENSSL_cleanse(k->material, k->material_len);
		free(k->material);
	}
	memset(k, 0, sizeof(*k));
}

int
key_obj_set_material(struct key_obj *k, const uint8_t *p, size_t n)
{
	uint8_t *m = malloc(n ? n : 1);
	if (m == NULL)
		return -1;
	memcpy(m, p, n);
	if (k->material != NULL) {
		OPENSSL_cleanse(k->material, k->material_len);
		free(k->material);
	}
	k->material = m;
	k->material_len = n;
	return 0;
}

int
key_obj_copy(struct key_obj *dst, const struct key_obj *src)
{
	*dst = *src;
	dst->material = NULL;
	dst->material_len = 0;
	if (src->material == NULL)
		return 0;
	if (key_obj_set_material(dst, src->material, src->material_len) != 0) {
		memset(dst, 0, sizeof(*dst));
		return -1;
	}
	return 0;
}

bool
key_shared_with(const struct key_obj *k, uint32_t user)
{
	for (uint32_t i = 0; i < k->nshares; i++)
		if (k->shares[i] == user)
			return true;
	return false;
}
