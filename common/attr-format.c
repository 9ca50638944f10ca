/* attr-format.c - how getAttribute prints an attribute value (both tools).
 * Whole dumps print flags as 0x%02x, a single attribute as 0x%08x. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attr-format.h"

#define MODULUS_LINE 80

static uint32_t
be32(const hsm_attribute *a)
{
	uint32_t v = 0;
	for (size_t i = 0; i < a->len && i < 4; i++)
		v = (v << 8) | a->value[i];
	return v;
}

static char *
hex_string(const hsm_attribute *a, bool prefix, bool wrap)
{
	size_t n = 2 * a->len + 2;
	char *flat = malloc(n + 1), *out = malloc(n + n / MODULUS_LINE + 2);
	if (flat == NULL || out == NULL) {
		free(flat);
		free(out);
		return NULL;
	}
	size_t len = 0;
	if (prefix) {
		flat[len++] = '0';
		flat[len++] = 'x';
	}
	for (size_t i = 0; i < a->len; i++)
		len += (size_t)snprintf(flat + len, 3, "%02x", a->value[i]);
	flat[len] = '\0';
	size_t o = 0;
	for (size_t i = 0; i < len; i++) {
		if (wrap && i > 0 && i % MODULUS_LINE == 0)
			out[o++] = '\n';
		out[o++] = flat[i];
	}
	out[o] = '\0';
	free(flat);
	return out;
}

char *
attr_format_value(const hsm_attribute *a, uint32_t key_type, bool single)
{
	char buf[32];
	switch (a->id) {
	case HSM_ATTR_LABEL:
	case HSM_ATTR_ID:
		return strndup((const char *)a->value, a->len);
	case HSM_ATTR_MODULUS:
		/* RSA moduli print as 0x... in 80-column lines; EC points bare. */
		return key_type == HSM_KEY_EC ? hex_string(a, false, false)
		                              : hex_string(a, true, true);
	case HSM_ATTR_KCV:
	case HSM_ATTR_PUBLIC_EXPONENT:
		return hex_string(a, true, false);
	case HSM_ATTR_VALUE_LEN:
	case HSM_ATTR_MODULUS_BITS:
		snprintf(buf, sizeof(buf), "0x%08x", be32(a));
		return strdup(buf);
	}
	uint32_t v = a->len == 1 ? a->value[0] : be32(a);
	snprintf(buf, sizeof(buf), single ? "0x%08x" : "0x%02x", v);
	return strdup(buf);
}
