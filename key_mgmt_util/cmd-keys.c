/* cmd-keys.c - findKey, findSingleKey, getKeyInfo and deleteKey.
 * findKey asks every node, because session keys live on one node each. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "kmu.h"
#include "util.h"

#define HANDLES_PER_LINE 15
#define MODULUS_FILE_MAX 65536

static const struct kmu_opt find_opts[] = {
	{ "-c", "Key class", OPT_UINT, false, 2, 4 },
	{ "-t", "Key type", OPT_UINT, false, 0, UINT32_MAX },
	{ "-l", "Key label", OPT_STRING, false, 0, 0 },
	{ "-id", "Key ID", OPT_STRING, false, 0, 0 },
	{ "-sess", "Session", OPT_UINT, false, 0, 1 },
	{ "-u", "User ids", OPT_USERS, false, 0, 0 },
	{ "-m", "Modulus file", OPT_STRING, false, 0, 0 },
	{ "-kcv", "Key check value", OPT_HEX, false, 0, 0xffffff },
};

static int
hexval(int c)
{
	return isdigit(c) ? c - '0' : tolower(c) - 'a' + 10;
}

/* A modulus file holds hex (as getAttribute writes it: an optional
 * OBJ_ATTR_MODULUS line, 0x, line breaks) or the raw big-endian bytes. */
static size_t
parse_modulus(const uint8_t *data, size_t n, uint8_t *out)
{
	char *text = malloc(n + 1);
	size_t t = 0, got = 0;
	if (text == NULL)
		return 0;
	size_t i = n > 17 && memcmp(data, "OBJ_ATTR_MODULUS\n", 17) == 0 ? 17 : 0;
	for (; i < n; i++)
		if (!isspace(data[i]))
			text[t++] = (char)data[i];
	text[t] = '\0';
	const char *hex = strncmp(text, "0x", 2) == 0 ? text + 2 : text;
	size_t len = strlen(hex);
	if (len == 0 || len % 2 != 0 || strspn(hex, "0123456789abcdefABCDEF") != len) {
		memcpy(out, data, n);
		got = n;
	} else {
		for (size_t j = 0; j < len; j += 2)
			out[got++] = (uint8_t)(hexval((unsigned char)hex[j]) << 4 |
			                       hexval((unsigned char)hex[j + 1]));
	}
	free(text);
	return got;
}

static void
print_handles(const uint32_t *h, size_t n)
{
	printf("\nTotal number of keys present: %zu\n", n);
	if (n == 0)
		return;
	printf("\nHandles of matching keys:\n\t");
	for (size_t i = 0; i < n; i++) {
		printf("%u", h[i]);
		if (i + 1 < n)
			printf((i + 1) % HANDLES_PER_LINE == 0 ? ",\n\t" : ", ");
	}
	putchar('\n');
}

static void
filter_from_args(const struct kmu_args *a, hsm_key_filter *f)
{
	memset(f, 0, sizeof(*f));
	f->has_class = kmu_set(a, "-c");
	f->key_class = (uint32_t)kmu_num(a, "-c");
	f->has_type = kmu_set(a, "-t");
	f->key_type = (uint32_t)kmu_num(a, "-t");
	f->has_label = kmu_set(a, "-l");
	f->label = kmu_str(a, "-l");
	f->has_id = kmu_set(a, "-id");
	f->id = kmu_str(a, "-id");
	f->has_session = kmu_set(a, "-sess");
	f->session = kmu_num(a, "-sess") == 1;
	f->users = a->users;
	f->nusers = a->nusers;
	f->has_kcv = kmu_set(a, "-kcv");
	unsigned long kcv = kmu_num(a, "-kcv");
	f->kcv[0] = (uint8_t)(kcv >> 16);
	f->kcv[1] = (uint8_t)(kcv >> 8);
	f->kcv[2] = (uint8_t)kcv;
}

static int
find_exec(struct kmu *k, const struct kmu_args *a)
{
	hsm_key_filter f;
	uint8_t *file = NULL, modulus[MODULUS_FILE_MAX];
	size_t n;
	filter_from_args(a, &f);
	if (kmu_set(a, "-m")) {
		if (kmu_read_file(kmu_str(a, "-m"), MODULUS_FILE_MAX, &file, &n) != 0)
			return 1;
		f.has_modulus = true;
		f.modulus_len = parse_modulus(file, n, modulus);
		f.modulus = modulus;
		free(file);
	}
	uint32_t *handles = NULL;
	size_t count = 0;
	hsm_node_status st;
	hsm_rc rc = hsm_find_keys(k->client, &f, &handles, &count, &st);
	if (rc == HSM_RC_SUCCESS)
		print_handles(handles, count);
	free(handles);
	kmu_print_status(&st);
	kmu_print_rc("Cfm3FindKey", rc);
	return rc == HSM_RC_SUCCESS ? 0 : 1;
}

const struct kmu_cmd kmu_cmd_find_key = {
	.name = "findKey",
	.summary = "Find Key",
	.help = "Description\n===========\nFinds the keys the current user can use (owned, shared, and\n"
		"every public key) that match all the given criteria.\n\n"
		"Syntax: findKey -h \n\n"
		"findKey [-c <key class>] \n"
		"        [-t <key type>]\n"
		"        [-l <key label>] \n"
		"        [-id <key ID>]\n"
		"        [-sess (0 | 1)] \n"
		"        [-u <user-ids>]\n"
		"        [-m <modulus>]\n"
		"        [-kcv <key_check_value>]\n\n"
		"Parameters:\n"
		"  -c       class: 2 public, 3 private, 4 secret\n"
		"  -t       type: 0 RSA, 1 DSA, 3 EC, 16 generic secret, 18 RC4, 21 3DES, 31 AES\n"
		"  -l       exact label\n"
		"  -id      exact key ID\n"
		"  -sess    1 session keys, 0 token keys\n"
		"  -u       keys that all these users (and you) can use\n"
		"  -m       file with an RSA modulus (hex, or raw bytes)\n"
		"  -kcv     key check value, 3 bytes in hexadecimal\n",
	KMU_OPTS(find_opts),
	.exec = find_exec,
};

static const struct kmu_opt handle_opts[] = {
	{ "-k", "Key handle", OPT_UINT, true, 0, UINT32_MAX },
};

static int
find_single_exec(struct kmu *k, const struct kmu_args *a)
{
	hsm_node_status st;
	hsm_rc rc = hsm_find_single_key(k->client, (uint32_t)kmu_num(a, "-k"), &st);
	kmu_print_result("Cfm3FindKey", rc, &st);
	return rc == HSM_RC_SUCCESS ? 0 : 1;
}

const struct kmu_cmd kmu_cmd_find_single_key = {
	.name = "findSingleKey",
	.summary = "Find single Key",
	.help = "Description\n===========\nChecks that a key exists on every HSM of the cluster.\n\n"
		"Syntax: findSingleKey -h\n\nfindSingleKey -k <key-handle>\n",
	KMU_OPTS(handle_opts),
	.exec = find_single_exec,
};

static void
print_key_info(const hsm_key_info *info)
{
	printf("\n\tOwned by user %u\n", info->owner);
	if (info->nshares > 0) {
		printf("\n\talso, shared to following %zu user(s):\n\n", info->nshares);
		for (size_t i = 0; i < info->nshares; i++)
			printf("\t\t %u\n", info->shares[i]);
	}
	if (info->m_value > 0)
		printf("\t %u Users need to approve to use/manage this key\n", info->m_value);
}

static int
key_info_exec(struct kmu *k, const struct kmu_args *a)
{
	hsm_key_info info;
	hsm_node_status st;
	hsm_rc rc = hsm_get_key_info(k->client, (uint32_t)kmu_num(a, "-k"), &info, &st);
	kmu_print_rc("Cfm3GetKey", rc);
	if (rc == HSM_RC_SUCCESS)
		print_key_info(&info);
	return rc == HSM_RC_SUCCESS ? 0 : 1;
}

const struct kmu_cmd kmu_cmd_get_key_info = {
	.name = "getKeyInfo",
	.summary = "Get Key Info about shared users/sessions",
	.help = "Description\n===========\nShows the owner of a key, the users it is shared with and\n"
		"how many users must approve its use.\n\n"
		"Syntax: getKeyInfo -h\n\ngetKeyInfo -k <key-handle>\n",
	KMU_OPTS(handle_opts),
	.exec = key_info_exec,
};

/* An unknown handle is reported by the lookup, as Cfm3FindKey. */
static int
delete_exec(struct kmu *k, const struct kmu_args *a)
{
	uint32_t h = (uint32_t)kmu_num(a, "-k");
	hsm_key_info info;
	hsm_node_status st;
	hsm_rc rc = hsm_get_key_info(k->client, h, &info, &st);
	if (rc == HSM_RC_INVALID_HANDLE || rc == HSM_RC_CLUSTER_UNAVAILABLE) {
		kmu_print_result("Cfm3FindKey", rc, &st);
		return 1;
	}
	rc = hsm_delete_key(k->client, h, &st);
	kmu_print_result("Cfm3DeleteKey", rc, &st);
	return rc == HSM_RC_SUCCESS ? 0 : 1;
}

const struct kmu_cmd kmu_cmd_delete_key = {
	.name = "deleteKey",
	.summary = "Delete Key",
	.help = "Description\n===========\nDeletes a key from the HSMs. Only the owner can.\n\n"
		"Syntax: deleteKey -h\n\n"
		"deleteKey -k\n",
	KMU_OPTS(handle_opts),
	.exec = delete_exec,
};
