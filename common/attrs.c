/* attrs.c - names and value kinds of the OBJ_ATTR_* key attributes.
 * One table for the simulator, listAttributes and getAttribute output. */
#include <stdlib.h>

#include "hsmclient.h"
#include "util.h"

static const struct {
	uint32_t id;
	const char *name;
	hsm_attr_kind kind;
} attr_table[] = {
	{ HSM_ATTR_CLASS, "OBJ_ATTR_CLASS", HSM_ATTR_KIND_ULONG },
	{ HSM_ATTR_TOKEN, "OBJ_ATTR_TOKEN", HSM_ATTR_KIND_BOOL },
	{ HSM_ATTR_PRIVATE, "OBJ_ATTR_PRIVATE", HSM_ATTR_KIND_BOOL },
	{ HSM_ATTR_LABEL, "OBJ_ATTR_LABEL", HSM_ATTR_KIND_STRING },
	{ HSM_ATTR_TRUSTED, "OBJ_ATTR_TRUSTED", HSM_ATTR_KIND_BOOL },
	{ HSM_ATTR_KEY_TYPE, "OBJ_ATTR_KEY_TYPE", HSM_ATTR_KIND_ULONG },
	{ HSM_ATTR_ID, "OBJ_ATTR_ID", HSM_ATTR_KIND_STRING },
	{ HSM_ATTR_SENSITIVE, "OBJ_ATTR_SENSITIVE", HSM_ATTR_KIND_BOOL },
	{ HSM_ATTR_ENCRYPT, "OBJ_ATTR_ENCRYPT", HSM_ATTR_KIND_BOOL },
	{ HSM_ATTR_DECRYPT, "OBJ_ATTR_DECRYPT", HSM_ATTR_KIND_BOOL },
	{ HSM_ATTR_WRAP, "OBJ_ATTR_WRAP", HSM_ATTR_KIND_BOOL },
	{ HSM_ATTR_UNWRAP, "OBJ_ATTR_UNWRAP", HSM_ATTR_KIND_BOOL },
	{ HSM_ATTR_SIGN, "OBJ_ATTR_SIGN", HSM_ATTR_KIND_BOOL },
	{ HSM_ATTR_VERIFY, "OBJ_ATTR_VERIFY", HSM_ATTR_KIND_BOOL },
	{ HSM_ATTR_DERIVE, "OBJ_ATTR_DERIVE", HSM_ATTR_KIND_BOOL },
	{ HSM_ATTR_LOCAL, "OBJ_ATTR_LOCAL", HSM_ATTR_KIND_BOOL },
	{ HSM_ATTR_MODULUS, "OBJ_ATTR_MODULUS", HSM_ATTR_KIND_BYTES },
	{ HSM_ATTR_MODULUS_BITS, "OBJ_ATTR_MODULUS_BITS", HSM_ATTR_KIND_ULONG },
	{ HSM_ATTR_PUBLIC_EXPONENT, "OBJ_ATTR_PUBLIC_EXPONENT", HSM_ATTR_KIND_BYTES },
	{ HSM_ATTR_VALUE_LEN, "OBJ_ATTR_VALUE_LEN", HSM_ATTR_KIND_ULONG },
	{ HSM_ATTR_EXTRACTABLE, "OBJ_ATTR_EXTRACTABLE", HSM_ATTR_KIND_BOOL },
	{ HSM_ATTR_NEVER_EXTRACTABLE, "OBJ_ATTR_NEVER_EXTRACTABLE", HSM_ATTR_KIND_BOOL },
	{ HSM_ATTR_ALWAYS_SENSITIVE, "OBJ_ATTR_ALWAYS_SENSITIVE", HSM_ATTR_KIND_BOOL },
	{ HSM_ATTR_DESTROYABLE, "OBJ_ATTR_DESTROYABLE", HSM_ATTR_KIND_BOOL },
	{ HSM_ATTR_KCV, "OBJ_ATTR_KCV", HSM_ATTR_KIND_BYTES },
	{ HSM_ATTR_WRAP_WITH_TRUSTED, "OBJ_ATTR_WRAP_WITH_TRUSTED", HSM_ATTR_KIND_BOOL },
	{ HSM_ATTR_WRAP_TEMPLATE, "OBJ_ATTR_WRAP_TEMPLATE", HSM_ATTR_KIND_TEMPLATE },
	{ HSM_ATTR_UNWRAP_TEMPLATE, "OBJ_ATTR_UNWRAP_TEMPLATE", HSM_ATTR_KIND_TEMPLATE },
	{ HSM_ATTR_ALL, "OBJ_ATTR_ALL", HSM_ATTR_KIND_TEMPLATE },
};

const char *
hsm_attr_name(uint32_t id)
{
	for (size_t i = 0; i < ARRAY_SIZE(attr_table); i++)
		if (attr_table[i].id == id)
			return attr_table[i].name;
	return NULL;
}

hsm_attr_kind
hsm_attr_kind_of(uint32_t id)
{
	for (size_t i = 0; i < ARRAY_SIZE(attr_table); i++)
		if (attr_table[i].id == id)
			return attr_table[i].kind;
	return HSM_ATTR_KIND_TEMPLATE;
}

void
hsm_attribute_list_free(hsm_attribute_list *l)
{
	if (l == NULL)
		return;
	for (size_t i = 0; i < l->count; i++)
		free(l->attrs[i].value);
	free(l->attrs);
	l->attrs = NULL;
	l->count = 0;
}
