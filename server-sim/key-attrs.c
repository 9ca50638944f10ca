/* key-attrs.c - OBJ_ATTR_* values of a key and the setAttribute rules.
 * The dump order and the attributes per key type follow the doc examples. */
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>

#include "buf.h"
#include "key-attrs.h"
#include "keygen.h"
#include "util.h"

static const uint32_t base_attrs[] = {
	HSM_ATTR_CLASS, HSM_ATTR_KEY_TYPE, HSM_ATTR_TOKEN, HSM_ATTR_PRIVATE,
	HSM_ATTR_ENCRYPT, HSM_ATTR_DECRYPT, HSM_ATTR_WRAP, HSM_ATTR_UNWRAP,
	HSM_ATTR_SIGN, HSM_ATTR_VERIFY, HSM_ATTR_LOCAL, HSM_ATTR_SENSITIVE,
	HSM_ATTR_EXTRACTABLE, HSM_ATTR_LABEL, HSM_ATTR_ID, HSM_ATTR_VALUE_LEN,
	HSM_ATTR_KCV,
};
static const uint32_t extra_attrs[] = {
	HSM_ATTR_TRUSTED, HSM_ATTR_WRAP_WITH_TRUSTED, HSM_ATTR_DESTROYABLE,
	HSM_ATTR_DERIVE, HSM_ATTR_ALWAYS_SENSITIVE, HSM_ATTR_NEVER_EXTRACTABLE,
};

static const struct {
	uint32_t attr;
	uint32_t flag;
} flag_attrs[] = {
	{ HSM_ATTR_TOKEN, KF_TOKEN }, { HSM_ATTR_PRIVATE, KF_PRIVATE },
	{ HSM_ATTR_TRUSTED, KF_TRUSTED }, { HSM_ATTR_SENSITIVE, KF_SENSITIVE },
	{ HSM_ATTR_ENCRYPT, KF_ENCRYPT }, { HSM_ATTR_DECRYPT, KF_DECRYPT },
	{ HSM_ATTR_WRAP, KF_WRAP }, { HSM_ATTR_UNWRAP, KF_UNWRAP },
	{ HSM_ATTR_SIGN, KF_SIGN }, { HSM_ATTR_VERIFY, KF_VERIFY },
	{ HSM_ATTR_DERIVE, KF_DERIVE }, { HSM_ATTR_EXTRACTABLE, KF_EXTRACTABLE },
	{ HSM_ATTR_LOCAL, KF_LOCAL }, { HSM_ATTR_NEVER_EXTRACTABLE, KF_NEVER_EXTRACTABLE },
	{ HSM_ATTR_ALWAYS_SENSITIVE, KF_ALWAYS_SENSITIVE },
	{ HSM_ATTR_DESTROYABLE, KF_DESTROYABLE },
	{ HSM_ATTR_WRAP_WITH_TRUSTED, KF_WRAP_WITH_TRUSTED },
};

static uint32_t
flag_of(uint32_t attr)
{
	for (size_t i = 0; i < ARRAY_SIZE(flag_attrs); i++)
		if (flag_attrs[i].attr == attr)
			return flag_attrs[i].flag;
	return 0;
}

/* Modulus/point, bits and exponent come from the key material. */
static int
asym_value(const struct key_obj *k, uint32_t attr, struct hbuf *v)
{
	EVP_PKEY *pkey = key_to_pkey(k);
	BIGNUM *bn = NULL;
	int rc = -1;
	if (pkey == NULL)
		return -1;
	if (attr == HSM_ATTR_MODULUS_BITS) {
		hbuf_put_u32(v, (uint32_t)EVP_PKEY_get_bits(pkey));
		rc = 0;
	} else if (attr == HSM_ATTR_MODULUS && k->key_type == HSM_KEY_EC) {
		uint8_t point[256];
		size_t n = 0;
		if (EVP_PKEY_get_octet_string_param(pkey, OSSL_PKEY_PARAM_PUB_KEY, point,
		                                    sizeof(point), &n) == 1) {
			hbuf_put_raw(v, point, n);
			rc = 0;
		}
	} else if (EVP_PKEY_get_bn_param(pkey, attr == HSM_ATTR_MODULUS ? OSSL_PKEY_PARAM_RSA_N
	                                                                 : OSSL_PKEY_PARAM_RSA_E,
	                                 &bn) == 1) {
		uint8_t buf[1024];
		int n = BN_bn2bin(bn, buf);
		if (n > 0 && (size_t)n <= sizeof(buf)) {
			hbuf_put_raw(v, buf, (size_t)n);
			rc = 0;
		}
	}
	BN_free(bn);
	EVP_PKEY_free(pkey);
	return rc;
}

static bool
has_attr(const struct key_obj *k, uint32_t attr)
{
	for (size_t i = 0; i < ARRAY_SIZE(base_attrs); i++)
		if (base_attrs[i] == attr)
			return true;
	for (size_t i = 0; i < ARRAY_SIZE(extra_attrs); i++)
		if (extra_attrs[i] == attr)
			return true;
	if (attr == HSM_ATTR_MODULUS || attr == HSM_ATTR_MODULUS_BITS)
		return k->key_type == HSM_KEY_RSA || k->key_type == HSM_KEY_EC;
	return attr == HSM_ATTR_PUBLIC_EXPONENT && k->key_type == HSM_KEY_RSA;
}

static int
attr_value(const struct key_obj *k, uint32_t attr, struct hbuf *v)
{
	uint32_t flag = flag_of(attr);
	if (flag != 0) {
		hbuf_put_u8(v, key_has(k, flag));
		return 0;
	}
	switch (attr) {
	case HSM_ATTR_CLASS: hbuf_put_u32(v, k->key_class); return 0;
	case HSM_ATTR_KEY_TYPE: hbuf_put_u32(v, k->key_type); return 0;
	case HSM_ATTR_VALUE_LEN: hbuf_put_u32(v, k->value_len); return 0;
	case HSM_ATTR_LABEL: hbuf_put_raw(v, k->label, strlen(k->label)); return 0;
	case HSM_ATTR_ID: hbuf_put_raw(v, k->id, strlen(k->id)); return 0;
	case HSM_ATTR_KCV: hbuf_put_raw(v, k->kcv, sizeof(k->kcv)); return 0;
	}
	return asym_value(k, attr, v);
}

static int
append_attr(const struct key_obj *k, uint32_t attr, hsm_attribute_list *out)
{
	struct hbuf v;
	hbuf_init(&v);
	int rc = attr_value(k, attr, &v) == 0 && !v.failed ? 0 : -1;
	hsm_attribute *a = &out->attrs[out->count];
	if (rc == 0 && (a->value = malloc(v.len ? v.len : 1)) != NULL) {
		if (v.len > 0)      /* an empty label or ID has no buffer at all */
			memcpy(a->value, v.data, v.len);
		a->len = v.len;
		a->id = attr;
		out->count++;
	} else {
		rc = -1;
	}
	hbuf_free(&v);
	return rc;
}

hsm_rc
key_attributes(const struct key_obj *k, uint32_t attr, hsm_attribute_list *out)
{
	uint32_t list[ARRAY_SIZE(base_attrs) + ARRAY_SIZE(extra_attrs) + 3];
	size_t n = 0;
	memset(out, 0, sizeof(*out));
	if (attr != HSM_ATTR_ALL) {
		if (hsm_attr_name(attr) == NULL || !has_attr(k, attr))
			return HSM_RC_ATTRIBUTE_INVALID;
		list[n++] = attr;
	} else {
		for (size_t i = 0; i < ARRAY_SIZE(base_attrs); i++)
			list[n++] = base_attrs[i];
		if (k->key_type == HSM_KEY_RSA || k->key_type == HSM_KEY_EC) {
			list[n++] = HSM_ATTR_MODULUS;
			list[n++] = HSM_ATTR_MODULUS_BITS;
		}
		if (k->key_type == HSM_KEY_RSA) {
			list[n++] = HSM_ATTR_PUBLIC_EXPONENT;
			for (size_t i = 0; i < ARRAY_SIZE(extra_attrs); i++)
				list[n++] = extra_attrs[i];
		}
	}
	out->attrs = calloc(n, sizeof(*out->attrs));
	if (out->attrs == NULL)
		return HSM_RC_INTERNAL;
	for (size_t i = 0; i < n; i++)
		if (append_attr(k, list[i], out) != 0) {
			hsm_attribute_list_free(out);
			return HSM_RC_INTERNAL;
		}
	return HSM_RC_SUCCESS;
}

static bool
settable_flag(uint32_t attr)
{
	switch (attr) {
	case HSM_ATTR_TRUSTED: case HSM_ATTR_ENCRYPT: case HSM_ATTR_DECRYPT:
	case HSM_ATTR_WRAP: case HSM_ATTR_UNWRAP: case HSM_ATTR_SIGN:
	case HSM_ATTR_VERIFY: case HSM_ATTR_DERIVE: case HSM_ATTR_DESTROYABLE:
	case HSM_ATTR_WRAP_WITH_TRUSTED:
		return true;
	}
	return false;
}

hsm_rc
key_set_attribute(struct key_obj *k, uint32_t attr, const uint8_t *v, size_t n)
{
	if (hsm_attr_name(attr) == NULL || attr == HSM_ATTR_ALL)
		return HSM_RC_ATTRIBUTE_INVALID;
	if (attr == HSM_ATTR_LABEL) {
		if (n > HSM_LABEL_MAX || memchr(v, '\0', n) != NULL)
			return HSM_RC_INVALID_INPUT;
		memcpy(k->label, v, n);
		k->label[n] = '\0';
		return HSM_RC_SUCCESS;
	}
	if (!settable_flag(attr))
		return HSM_RC_ATTRIBUTE_READ_ONLY;
	if (n != 1 || v[0] > 1)
		return HSM_RC_INVALID_INPUT;
	/* Once a key may only be wrapped by trusted keys, that stays so. */
	if (attr == HSM_ATTR_WRAP_WITH_TRUSTED && key_has(k, KF_WRAP_WITH_TRUSTED) && v[0] == 0)
		return HSM_RC_ATTRIBUTE_READ_ONLY;
	uint32_t flag = flag_of(attr);
	k->flags = v[0] ? k->flags | flag : k->flags & ~flag;
	return HSM_RC_SUCCESS;
}

#define KEY_OBJECT_VERSION 1u

void
key_obj_encode(struct hbuf *b, const struct key_obj *k)
{
	hbuf_put_u32(b, KEY_OBJECT_VERSION);
	hbuf_put_u32(b, k->handle);
	hbuf_put_u32(b, k->owner);
	hbuf_put_u32(b, k->key_class);
	hbuf_put_u32(b, k->key_type);
	hbuf_put_u32(b, k->flags);
	hbuf_put_u32(b, k->value_len);
	hbuf_put_u32(b, k->m_value);
	hbuf_put_str(b, k->label);
	hbuf_put_str(b, k->id);
	hbuf_put_raw(b, k->kcv, sizeof(k->kcv));
	hbuf_put_u32(b, k->nshares);
	for (uint32_t i = 0; i < k->nshares; i++)
		hbuf_put_u32(b, k->shares[i]);
	hbuf_put_bytes(b, k->material, k->material_len);
}

static bool
key_obj_sane(const struct key_obj *k)
{
	if (k->key_class == HSM_CLASS_SECRET)
		return keygen_check_secret(k->key_type, (uint32_t)k->material_len) ==
		       HSM_RC_SUCCESS;
	return (k->key_class == HSM_CLASS_PUBLIC || k->key_class == HSM_CLASS_PRIVATE) &&
	       (k->key_type == HSM_KEY_RSA || k->key_type == HSM_KEY_DSA ||
	        k->key_type == HSM_KEY_EC);
}

int
key_obj_decode(struct hrd *r, struct key_obj *k)
{
	uint32_t version;
	const uint8_t *mat;
	size_t matlen;
	memset(k, 0, sizeof(*k));
	if (hrd_get_u32(r, &version) != 0 || version != KEY_OBJECT_VERSION ||
	    hrd_get_u32(r, &k->handle) != 0 || hrd_get_u32(r, &k->owner) != 0 ||
	    hrd_get_u32(r, &k->key_class) != 0 || hrd_get_u32(r, &k->key_type) != 0 ||
	    hrd_get_u32(r, &k->flags) != 0 || hrd_get_u32(r, &k->value_len) != 0 ||
	    hrd_get_u32(r, &k->m_value) != 0 ||
	    hrd_get_str_fixed(r, k->label, sizeof(k->label)) != 0 ||
	    hrd_get_str_fixed(r, k->id, sizeof(k->id)) != 0 ||
	    hrd_get_raw(r, k->kcv, sizeof(k->kcv)) != 0 ||
	    msg_user_ids_decode(r, k->shares, &k->nshares) != 0 ||
	    hrd_get_bytes(r, &mat, &matlen, 65536) != 0 || hrd_end(r) != 0 ||
	    k->m_value > 8 || key_obj_set_material(k, mat, matlen) != 0)
		return -1;
	if (!key_obj_sane(k)) {
		key_obj_clear(k);
		return -1;
	}
	return 0;
}
