/* cmd-attrs.c - getAttribute (to a file), setAttribute (session key to
 * token key) and listAttributes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attr-format.h"
#include "kmu.h"
#include "util.h"

static const struct kmu_opt get_opts[] = {
	{ "-o", "Object handle", OPT_UINT, true, 0, UINT32_MAX },
	{ "-a", "Attribute", OPT_UINT, true, 0, UINT32_MAX },
	{ "-out", "Output file", OPT_STRING, true, 0, 0 },
};

/* The key type decides how a modulus prints (RSA 0x..., EC point bare). */
static uint32_t
key_type_of(struct kmu *k, uint32_t handle, const hsm_attribute_list *l)
{
	for (size_t i = 0; i < l->count; i++)
		if (l->attrs[i].id == HSM_ATTR_KEY_TYPE && l->attrs[i].len == 4)
			return (uint32_t)l->attrs[i].value[3];
	hsm_attribute_list t;
	hsm_node_status st;
	uint32_t type = HSM_KEY_RSA;
	if (hsm_get_attributes(k->client, handle, HSM_ATTR_KEY_TYPE, &t, &st) == HSM_RC_SUCCESS &&
	    t.count == 1 && t.attrs[0].len == 4)
		type = t.attrs[0].value[3];
	hsm_attribute_list_free(&t);
	return type;
}

/* "NAME\nvalue\n" per attribute; returns the text and the dump's size. */
static char *
dump_text(const hsm_attribute_list *l, uint32_t key_type, bool single, size_t *size)
{
	size_t cap = 64, len = 0;
	char *out = malloc(cap);
	*size = 0;
	for (size_t i = 0; out != NULL && i < l->count; i++) {
		char *v = attr_format_value(&l->attrs[i], key_type, single);
		const char *name = hsm_attr_name(l->attrs[i].id);
		size_t need = strlen(name ? name : "?") + (v ? strlen(v) : 0) + 3;
		char *grown = v ? realloc(out, cap += need) : NULL;
		if (grown == NULL) {
			free(out);
			out = NULL;
		} else {
			out = grown;
			len += (size_t)snprintf(out + len, cap - len, "%s\n%s\n", name ? name : "?", v);
			*size += 8 + l->attrs[i].len;
		}
		free(v);
	}
	return out;
}

static int
get_attr_exec(struct kmu *k, const struct kmu_args *a)
{
	uint32_t handle = (uint32_t)kmu_num(a, "-o"), attr = (uint32_t)kmu_num(a, "-a");
	const char *file = kmu_str(a, "-out");
	hsm_attribute_list l;
	hsm_node_status st;
	hsm_rc rc = hsm_get_attributes(k->client, handle, attr, &l, &st);
	if (rc == HSM_RC_SUCCESS) {
		size_t size;
		bool single = attr != HSM_ATTR_ALL;
		char *text = dump_text(&l, key_type_of(k, handle, &l), single, &size);
		if (text == NULL || kmu_write_file(file, text, strlen(text)) != 0)
			rc = HSM_RC_INTERNAL;
		else if (!single)
			printf("got all attributes of size %zu attr cnt %zu\n", size, l.count);
		if (rc == HSM_RC_SUCCESS)
			printf("Attributes dumped into %s file\n", file);
		free(text);
	}
	hsm_attribute_list_free(&l);
	kmu_print_rc("Cfm3GetAttribute", rc);
	return rc == HSM_RC_SUCCESS ? 0 : 1;
}

const struct kmu_cmd kmu_cmd_get_attribute = {
	.name = "getAttribute",
	.summary = "Reads an attribute from an object",
	.help = "Description\n===========\nWrites one attribute (or all: 512) of a key you own or that\n"
		"is shared with you to a file.\n\n"
		"Syntax: getAttribute -h \n\n"
		"getAttribute -o <key handle> \n"
		"             -a <attribute constant> \n"
		"             -out <file>\n\n"
		"Parameters:\n  -o       key handle\n"
		"  -a       attribute constant (listAttributes), 512 for all\n"
		"  -out     file to write (overwritten)\n",
	KMU_OPTS(get_opts),
	.exec = get_attr_exec,
};

static const struct kmu_opt set_opts[] = {
	{ "-o", "Object handle", OPT_UINT, true, 0, UINT32_MAX },
	{ "-a", "Attribute", OPT_UINT, true, 0, UINT32_MAX },
};

/* Asks for the boolean as the tool did; end of input counts as no answer. */
static int
read_boolean(struct kmu *k, uint8_t *value)
{
	char *line = NULL;
	printf("         This attribute is defined as a boolean value.\n");
	fflush(stdout);
	enum shell_status s = shell_read(&k->sh, "          Enter the boolean attribute value (0 or 1):",
	                                 &line);
	int rc = -1;
	if (s == SHELL_OK && (strcmp(line, "0") == 0 || strcmp(line, "1") == 0)) {
		*value = (uint8_t)(line[0] - '0');
		rc = 0;
	}
	if (s == SHELL_EOF)
		putchar('\n');
	free(line);
	return rc;
}

static int
set_attr_exec(struct kmu *k, const struct kmu_args *a)
{
	uint8_t value;
	if (kmu_num(a, "-a") != HSM_ATTR_TOKEN) {
		printf("\n\tError: key_mgmt_util sets only OBJ_ATTR_TOKEN (-a 1); use setAttribute\n"
		       "\tin cloudhsm_mgmt_util for the other attributes.\n");
		return 2;
	}
	if (read_boolean(k, &value) != 0) {
		printf("\n\tError: the value must be 0 or 1.\n");
		return 2;
	}
	hsm_node_status st;
	hsm_rc rc = hsm_set_attribute(k->client, (uint32_t)kmu_num(a, "-o"), HSM_ATTR_TOKEN,
	                              &value, 1, &st);
	kmu_print_result("Cfm3SetAttribute", rc, &st);
	return rc == HSM_RC_SUCCESS ? 0 : 1;
}

const struct kmu_cmd kmu_cmd_set_attribute = {
	.name = "setAttribute",
	.summary = "Sets an attribute of an object",
	.help = "Description\n===========\nMakes a session key you own a token (persistent) key,\n"
		"synchronized to every HSM.\n\n"
		"Syntax: setAttribute -h \n\n"
		"setAttribute -o <object handle> \n"
		"             -a 1\n\n"
		"Parameters:\n  -o       key handle\n  -a       1 (OBJ_ATTR_TOKEN)\n",
	KMU_OPTS(set_opts),
	.exec = set_attr_exec,
};

/* key_mgmt_util-listAttributes.md lists these eighteen. */
static const uint32_t kmu_listed[] = {
	HSM_ATTR_CLASS, HSM_ATTR_TOKEN, HSM_ATTR_PRIVATE, HSM_ATTR_LABEL, HSM_ATTR_KEY_TYPE,
	HSM_ATTR_ENCRYPT, HSM_ATTR_DECRYPT, HSM_ATTR_WRAP, HSM_ATTR_UNWRAP, HSM_ATTR_SIGN,
	HSM_ATTR_VERIFY, HSM_ATTR_LOCAL, HSM_ATTR_MODULUS, HSM_ATTR_MODULUS_BITS,
	HSM_ATTR_PUBLIC_EXPONENT, HSM_ATTR_VALUE_LEN, HSM_ATTR_EXTRACTABLE, HSM_ATTR_KCV,
};

static int
list_attrs_exec(struct kmu *k, const struct kmu_args *a)
{
	(void)k;
	(void)a;
	printf("\nFollowing are the possible attribute values for getAttributes:\n\n");
	for (size_t i = 0; i < ARRAY_SIZE(kmu_listed); i++)
		printf("      %-32s= %u\n", hsm_attr_name(kmu_listed[i]), kmu_listed[i]);
	return 0;
}

const struct kmu_cmd kmu_cmd_list_attributes = {
	.name = "listAttributes",
	.summary = "List all attributes for getAttributes",
	.help = "Description\n===========\nLists the attribute constants for getAttribute.\n\n"
		"Syntax: listAttributes -h\n\nlistAttributes\n",
	.exec = list_attrs_exec,
};
