/* cmd-keys.c - shareKey, getKeyInfo, getAttribute, setAttribute, findAllKeys
 * and listAttributes: key ownership, sharing and attributes, per server. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attr-format.h"
#include "cmu.h"
#include "util.h"

/* ---- argument parsing and output shared by the commands ---------------- */

static bool
parse_u32(const char *cmd, const char *what, const char *s, uint32_t *out)
{
	unsigned long v;
	if (!hsm_parse_uint(s, 0, UINT32_MAX, &v)) {
		printf("%s failed: invalid %s %s\n", cmd, what, s);
		return false;
	}
	*out = (uint32_t)v;
	return true;
}

/* "0" or "1", nothing else. */
static bool
parse_bit(const char *cmd, const char *what, const char *s, bool *out)
{
	if (strcmp(s, "0") != 0 && strcmp(s, "1") != 0) {
		printf("%s failed: %s must be 0 or 1, not %s\n", cmd, what, s);
		return false;
	}
	*out = s[0] == '1';
	return true;
}

/* "4" or "4,5,6": at most HSM_MAX_SHARES ids, none empty. */
static bool
parse_user_ids(const char *s, uint32_t *ids, size_t *n)
{
	*n = 0;
	while (*n < HSM_MAX_SHARES) {
		size_t len = strcspn(s, ",");
		char word[16];
		unsigned long v;
		if (len == 0 || len >= sizeof(word))
			return false;
		memcpy(word, s, len);
		word[len] = '\0';
		if (!hsm_parse_uint(word, 1, UINT32_MAX, &v))
			return false;
		ids[(*n)++] = (uint32_t)v;
		if (s[len] == '\0')
			return true;
		s += len + 1;
	}
	return false;
}

/* How a read command reports: each server's block of text, on stdout, or
 * into an output file (overwritten) with one success line per server. */
struct report {
	const char *cmd;
	const char *path;         /* NULL: stdout */
	/* One server's block; first: the first one in the file. */
	void (*block)(FILE *f, const struct cmu *cmu, size_t srv, void *arg, bool to_file,
	              bool first);
	void *arg;
};

/* The file is complete before anything is printed about it. */
static int
write_blocks(const struct cmu *cmu, const struct report *r, const hsm_rc *rcs)
{
	char *buf = NULL;
	size_t len = 0;
	bool first = true;
	FILE *f = open_memstream(&buf, &len);
	if (f == NULL) {
		printf("%s failed: out of memory\n", r->cmd);
		return -1;
	}
	for (size_t i = 0; i < hsm_server_count(cmu->client); i++) {
		if (cmu_in_scope(cmu, i) && rcs[i] == HSM_RC_SUCCESS) {
			r->block(f, cmu, i, r->arg, true, first);
			first = false;
		}
	}
	fclose(f);
	int rc = hsm_write_file_atomic(r->path, buf, len, 0600);
	if (rc != 0)
		printf("%s failed: %s: %s\n", r->cmd, r->path, strerror(errno));
	free(buf);
	return rc;
}

static void
report_servers(struct cmu *cmu, const struct report *r, const hsm_rc *rcs)
{
	bool written = r->path == NULL || write_blocks(cmu, r, rcs) == 0;
	for (size_t i = 0; i < hsm_server_count(cmu->client); i++) {
		if (!cmu_in_scope(cmu, i))
			continue;
		if (rcs[i] != HSM_RC_SUCCESS) {
			cmu_print_failure(cmu, r->cmd, i, rcs[i]);
		} else if (r->path == NULL) {
			r->block(stdout, cmu, i, r->arg, false, false);
		} else if (written) {
			cmu_print_success(cmu, r->cmd, i);
		}
	}
}

/* ---- shareKey ------------------------------------------------------------ */

struct share_args {
	uint32_t handle;
	uint32_t users[HSM_MAX_SHARES];
	size_t nusers;
	bool share;
};

static hsm_rc
share_one(hsm_client *c, size_t srv, void *p)
{
	const struct share_args *a = p;
	return hsm_server_share_key(c, srv, a->handle, a->users, a->nusers, a->share);
}

static int
cmd_share_key_exec(struct cmu *cmu, int argc, char **argv)
{
	struct share_args a;
	(void)argc;
	if (!parse_u32("shareKey", "key handle", argv[0], &a.handle))
		return 1;
	if (!parse_user_ids(argv[1], a.users, &a.nusers)) {
		printf("shareKey failed: invalid user id list %s\n", argv[1]);
		return 1;
	}
	if (!parse_bit("shareKey", "the last argument (1 share, 0 unshare)", argv[2], &a.share))
		return 1;
	if (cmu_confirm_critical(cmu))
		cmu_run_critical(cmu, "shareKey", false, share_one, &a);
	return 0;
}

const struct cmu_cmd cmd_share_key_entry = {
	.name = "shareKey",
	.usage = "shareKey <key handle> <user id(s), comma-separated> <(share/unshare key?) 1/0>",
	.summary = "Shares (1) or unshares (0) a key you own with crypto users",
	.min_args = 3, .max_args = 3,
	.exec = cmd_share_key_exec,
};

/* ---- getKeyInfo ------------------------------------------------------------ */

struct key_info_args {
	uint32_t handle;
	hsm_key_info info[HSM_MAX_SERVERS];
};

static hsm_rc
key_info_one(hsm_client *c, size_t srv, void *p)
{
	struct key_info_args *a = p;
	return hsm_server_get_key_info(c, srv, a->handle, &a->info[srv]);
}

static void
key_info_block(FILE *f, const struct cmu *cmu, size_t srv, void *arg, bool to_file,
               bool first)
{
	const hsm_key_info *k = &((const struct key_info_args *)arg)->info[srv];
	(void)to_file;
	(void)first;
	fprintf(f, "Key Info on server %zu(%s):\n\n", srv, cmu_server_label(cmu, srv));
	fprintf(f, "        %s\n\n", k->token ? "Token/Flash Key," : "Session Key,");
	fprintf(f, "        Owned by user %u\n\n", k->owner);
	if (k->nshares > 0)
		fprintf(f, "        also, shared to following %zu user(s):\n\n", k->nshares);
	for (size_t i = 0; i < k->nshares && i < HSM_MAX_SHARES; i++)
		fprintf(f, "                 %u\n", k->shares[i]);
	if (k->m_value > 0)
		fprintf(f, "         %u Users need to approve to use/manage this key\n", k->m_value);
}

/* getKeyInfo [-k] <key-handle> [<output file>]: -k is optional, as the
 * page's own examples leave it out. */
static int
cmd_get_key_info_exec(struct cmu *cmu, int argc, char **argv)
{
	struct key_info_args a;
	hsm_rc rcs[HSM_MAX_SERVERS];
	int at = strcmp(argv[0], "-k") == 0 ? 1 : 0;
	if (argc - at < 1 || argc - at > 2) {
		printf("Error: wrong number of arguments for getKeyInfo\n");
		cmu_print_usage(&cmd_get_key_info_entry);
		return 1;
	}
	if (!parse_u32("getKeyInfo", "key handle", argv[at], &a.handle))
		return 1;
	struct report r = { "getKeyInfo", argc - at == 2 ? argv[at + 1] : NULL,
	                    key_info_block, &a };
	cmu_run_in_scope(cmu, key_info_one, &a, rcs);
	putchar('\n');
	report_servers(cmu, &r, rcs);
	return 0;
}

const struct cmu_cmd cmd_get_key_info_entry = {
	.name = "getKeyInfo",
	.usage = "getKeyInfo -k <key-handle> [<output file>]",
	.summary = "Shows the owner, the users shared with and the m value of a key",
	.min_args = 1, .max_args = 3,
	.exec = cmd_get_key_info_exec,
};

/* ---- getAttribute ---------------------------------------------------------- */

struct get_attr_args {
	uint32_t handle;
	uint32_t attr;
	hsm_attribute_list lists[HSM_MAX_SERVERS];
	uint32_t key_type[HSM_MAX_SERVERS];
};

/* The key type decides how a modulus prints (RSA 0x..., EC point bare). */
static uint32_t
key_type_in(const hsm_attribute_list *l)
{
	for (size_t i = 0; i < l->count; i++)
		if (l->attrs[i].id == HSM_ATTR_KEY_TYPE && l->attrs[i].len == 4)
			return l->attrs[i].value[3];
	return HSM_KEY_RSA;
}

static hsm_rc
get_attr_one(hsm_client *c, size_t srv, void *p)
{
	struct get_attr_args *a = p;
	hsm_rc rc = hsm_server_get_attributes(c, srv, a->handle, a->attr, &a->lists[srv]);
	a->key_type[srv] = key_type_in(&a->lists[srv]);
	if (rc == HSM_RC_SUCCESS && a->attr == HSM_ATTR_MODULUS) {
		hsm_attribute_list t;
		if (hsm_server_get_attributes(c, srv, a->handle, HSM_ATTR_KEY_TYPE, &t) ==
		    HSM_RC_SUCCESS)
			a->key_type[srv] = key_type_in(&t);
		hsm_attribute_list_free(&t);
	}
	return rc;
}

/* A blank line before each block on the screen, between blocks in a file. */
static void
attr_block(FILE *f, const struct cmu *cmu, size_t srv, void *arg, bool to_file, bool first)
{
	const struct get_attr_args *a = arg;
	const hsm_attribute_list *l = &a->lists[srv];
	if (!to_file || !first)
		fputc('\n', f);
	fprintf(f, "Attribute Value on server %zu(%s):\n", srv, cmu_server_label(cmu, srv));
	for (size_t i = 0; i < l->count; i++) {
		const char *name = hsm_attr_name(l->attrs[i].id);
		char *v = attr_format_value(&l->attrs[i], a->key_type[srv],
		                            a->attr != HSM_ATTR_ALL);
		fprintf(f, "%s\n%s\n", name ? name : "?", v ? v : "");
		free(v);
	}
}

static int
cmd_get_attribute_exec(struct cmu *cmu, int argc, char **argv)
{
	struct get_attr_args *a = calloc(1, sizeof(*a));
	hsm_rc rcs[HSM_MAX_SERVERS];
	if (a == NULL)
		return 1;
	if (parse_u32("getAttribute", "key handle", argv[0], &a->handle) &&
	    parse_u32("getAttribute", "attribute id", argv[1], &a->attr)) {
		struct report r = { "getAttribute", argc == 3 ? argv[2] : NULL, attr_block, a };
		cmu_run_in_scope(cmu, get_attr_one, a, rcs);
		report_servers(cmu, &r, rcs);
	}
	for (size_t i = 0; i < HSM_MAX_SERVERS; i++)
		hsm_attribute_list_free(&a->lists[i]);
	free(a);
	return 0;
}

const struct cmu_cmd cmd_get_attribute_entry = {
	.name = "getAttribute",
	.usage = "getAttribute <key handle> <attribute id> [<filename>]",
	.summary = "Shows one attribute of a key (512: all) on each HSM",
	.min_args = 2, .max_args = 3,
	.exec = cmd_get_attribute_exec,
};

/* ---- setAttribute ---------------------------------------------------------- */

struct set_attr_args {
	uint32_t handle;
	uint32_t attr;
	const uint8_t *value;
	size_t len;
};

static hsm_rc
set_attr_one(hsm_client *c, size_t srv, void *p)
{
	const struct set_attr_args *a = p;
	return hsm_server_set_attribute(c, srv, a->handle, a->attr, a->value, a->len);
}

/* Booleans go as one byte 0 or 1; anything else as the text typed, for
 * the HSM to accept (a label) or refuse (read-only attributes). */
static bool
encode_value(struct set_attr_args *a, const char *text, uint8_t *byte)
{
	if (hsm_attr_kind_of(a->attr) != HSM_ATTR_KIND_BOOL || hsm_attr_name(a->attr) == NULL) {
		a->value = (const uint8_t *)text;
		a->len = strlen(text);
		return true;
	}
	if (strcmp(text, "0") != 0 && strcmp(text, "1") != 0) {
		printf("setAttribute failed: %s takes 0 or 1, not %s\n", hsm_attr_name(a->attr), text);
		return false;
	}
	*byte = (uint8_t)(text[0] - '0');
	a->value = byte;
	a->len = 1;
	return true;
}

static int
cmd_set_attribute_exec(struct cmu *cmu, int argc, char **argv)
{
	struct set_attr_args a;
	uint8_t byte;
	(void)argc;
	if (!parse_u32("setAttribute", "key handle", argv[0], &a.handle) ||
	    !parse_u32("setAttribute", "attribute id", argv[1], &a.attr) ||
	    !encode_value(&a, argv[2], &byte))
		return 1;
	if (cmu_confirm_critical(cmu))
		cmu_run_critical(cmu, "setAttribute", false, set_attr_one, &a);
	return 0;
}

const struct cmu_cmd cmd_set_attribute_entry = {
	.name = "setAttribute",
	.usage = "setAttribute <key handle> <attribute id> <value>",
	.summary = "Changes an attribute of a key (OBJ_ATTR_TRUSTED: crypto officers only)",
	.min_args = 3, .max_args = 3,
	.exec = cmd_set_attribute_exec,
};

/* ---- findAllKeys ----------------------------------------------------------- */

struct find_all_args {
	uint32_t user;
	bool hash;
	hsm_user_key_list lists[HSM_MAX_SERVERS];
};

static hsm_rc
find_all_one(hsm_client *c, size_t srv, void *p)
{
	struct find_all_args *a = p;
	return hsm_server_find_all_keys(c, srv, a->user, a->hash, &a->lists[srv]);
}

static const char *
relation_mark(uint32_t rel)
{
	return rel == HSM_KEYREL_OWNER ? "(o)" : rel == HSM_KEYREL_SHARED ? "(s)" : "";
}

/* The page's layout: a blank line between the hash and the success line,
 * or after the success line when there is no hash; in a file, a blank
 * line after each block. */
static void
user_keys_block(FILE *f, const struct cmu *cmu, size_t srv, void *arg, bool to_file,
                bool first)
{
	const hsm_user_key_list *l = &((const struct find_all_args *)arg)->lists[srv];
	(void)first;
	fprintf(f, "Keys on server %zu(%s):\n", srv, cmu_server_label(cmu, srv));
	fprintf(f, "Number of keys found %zu\n", l->count);
	fprintf(f, "number of keys matched from start index 0::%zu\n", l->count);
	for (size_t i = 0; i < l->count; i++)
		fprintf(f, "%s%u%s", i ? "," : "", l->keys[i].handle, relation_mark(l->keys[i].relation));
	fputc('\n', f);
	if (l->has_hash) {
		fprintf(f, "Key Hash:\n");
		for (size_t i = 0; i < sizeof(l->hash); i++)
			fprintf(f, "%02x", l->hash[i]);
		fputc('\n', f);
	}
	if (to_file || l->has_hash)
		fputc('\n', f);
	if (to_file)
		return;
	cmu_print_success(cmu, "findAllKeys", srv);
	if (!l->has_hash)
		fputc('\n', f);
}

static int
cmd_find_all_keys_exec(struct cmu *cmu, int argc, char **argv)
{
	struct find_all_args *a = calloc(1, sizeof(*a));
	hsm_rc rcs[HSM_MAX_SERVERS];
	if (a == NULL)
		return 1;
	if (parse_u32("findAllKeys", "user id", argv[0], &a->user) &&
	    parse_bit("findAllKeys", "key hash", argv[1], &a->hash)) {
		struct report r = { "findAllKeys", argc == 3 ? argv[2] : NULL, user_keys_block, a };
		cmu_run_in_scope(cmu, find_all_one, a, rcs);
		report_servers(cmu, &r, rcs);
	}
	for (size_t i = 0; i < HSM_MAX_SERVERS; i++)
		hsm_user_key_list_free(&a->lists[i]);
	free(a);
	return 0;
}

const struct cmu_cmd cmd_find_all_keys_entry = {
	.name = "findAllKeys",
	.usage = "findAllKeys <user id> <key hash (0/1)> [<output file>]",
	.summary = "Lists the keys a crypto user owns or shares, and a hash of key ownership",
	.min_args = 2, .max_args = 3,
	.exec = cmd_find_all_keys_exec,
};

/* ---- listAttributes -------------------------------------------------------- */

/* COMMANDS.md 6.4: the order the tool printed, OBJ_ATTR_ALL last. */
static const uint32_t cmu_listed[] = {
	HSM_ATTR_CLASS, HSM_ATTR_TOKEN, HSM_ATTR_PRIVATE, HSM_ATTR_LABEL, HSM_ATTR_TRUSTED,
	HSM_ATTR_KEY_TYPE, HSM_ATTR_ID, HSM_ATTR_SENSITIVE, HSM_ATTR_ENCRYPT, HSM_ATTR_DECRYPT,
	HSM_ATTR_WRAP, HSM_ATTR_UNWRAP, HSM_ATTR_SIGN, HSM_ATTR_VERIFY, HSM_ATTR_DERIVE,
	HSM_ATTR_LOCAL, HSM_ATTR_MODULUS, HSM_ATTR_MODULUS_BITS, HSM_ATTR_PUBLIC_EXPONENT,
	HSM_ATTR_VALUE_LEN, HSM_ATTR_EXTRACTABLE, HSM_ATTR_NEVER_EXTRACTABLE,
	HSM_ATTR_ALWAYS_SENSITIVE, HSM_ATTR_DESTROYABLE, HSM_ATTR_KCV,
	HSM_ATTR_WRAP_WITH_TRUSTED, HSM_ATTR_WRAP_TEMPLATE, HSM_ATTR_UNWRAP_TEMPLATE,
	HSM_ATTR_ALL,
};

static int
cmd_list_attributes_exec(struct cmu *cmu, int argc, char **argv)
{
	(void)cmu;
	if (argc == 1) {
		if (strcmp(argv[0], "-h") != 0)
			printf("Error: unknown argument %s\n", argv[0]);
		cmu_print_usage(&cmd_list_attributes_entry);
		return 0;
	}
	printf("\nFollowing are the possible attribute values for getAttribute:\n\n");
	for (size_t i = 0; i < ARRAY_SIZE(cmu_listed); i++)
		printf("      %-32s= %u\n", hsm_attr_name(cmu_listed[i]), cmu_listed[i]);
	return 0;
}

const struct cmu_cmd cmd_list_attributes_entry = {
	.name = "listAttributes",
	.usage = "listAttributes [-h]",
	.summary = "Lists the attribute ids of getAttribute and setAttribute",
	.min_args = 0, .max_args = 1,
	.exec = cmd_list_attributes_exec,
};
