/* cmd-wrap.c - wrapKey and unWrapKey: a key leaves the HSM encrypted under
 * another key (with our header, or bare with -noheader) and comes back in. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kmu-wrap.h"
#include "util.h"

/* What -m, -t, -aad, -tag_size, -i and -iv_file add up to. */
struct wrap_choice {
	hsm_wrap_params p;
	uint8_t iv[HSM_WRAP_IV_MAX];
	uint8_t *aad;
	size_t aad_len;
	bool noheader;
};

#define MECH_HELP \
	"  -m       4 AES_KEY_WRAP_PAD_PKCS5 (NIST_AES_WRAP), 5 NIST_AES_WRAP_NO_PAD\n" \
	"           (RFC 3394), 6 NIST_AES_WRAP_PAD (RFC 5649), 7 RSA_AES, 8 RSA_OAEP,\n" \
	"           10 AES_GCM, 11 CLOUDHSM_AES_GCM\n" \
	"  -t       hash of RSA_AES and RSA_OAEP: 2 SHA1, 3 SHA256 (default), 4 SHA384,\n" \
	"           5 SHA512, 6 SHA224\n" \
	"  -aad     file of additional authenticated data (AES_GCM, CLOUDHSM_AES_GCM)\n" \
	"  -tag_size GCM tag bytes, 8 to 16 (default 16)\n"

static void
choice_free(struct wrap_choice *c)
{
	free(c->aad);
	c->aad = NULL;
}

static int
refuse(const char *msg)
{
	printf("\n\tError: %s\n", msg);
	return -1;
}

/* The combinations the wrapKey and unWrapKey pages allow. */
static int
check_combination(const struct kmu_args *a, uint32_t m, bool noheader, bool wrap)
{
	bool gcm = m == HSM_WRAP_AES_GCM || m == HSM_WRAP_CLOUDHSM_AES_GCM;
	bool rsa = m == HSM_WRAP_RSA_AES || m == HSM_WRAP_RSA_OAEP;
	bool kw = m == HSM_WRAP_AES_KEY_WRAP_PAD_PKCS5 || m == HSM_WRAP_NIST_AES_WRAP_NO_PAD;
	if (m == 9)
		return refuse("Wrapping mechanism 9 is not supported; use 4, 5, 6, 7, 8, 10 or 11.");
	if (kmu_set(a, "-t") && !rsa)
		return refuse("Hash type (-t) is valid only with RSA_AES (7) and RSA_OAEP (8).");
	if ((kmu_set(a, "-aad") || kmu_set(a, "-tag_size")) && !gcm)
		return refuse("-aad and -tag_size are valid only with AES_GCM (10) and "
		              "CLOUDHSM_AES_GCM (11).");
	if (kmu_set(a, "-i") && !(noheader && kw))
		return refuse("IV (-i) is valid only with -noheader and mechanism 4 or 5.");
	if (kmu_set(a, "-iv_file") && !(noheader && m == HSM_WRAP_AES_GCM))
		return refuse("IV file (-iv_file) is valid only with -noheader and AES_GCM (10).");
	if (noheader && m == HSM_WRAP_AES_GCM && !kmu_set(a, "-iv_file"))
		return refuse(wrap ? "IV file (-iv_file) is needed with -noheader and AES_GCM (10): "
		                     "it receives the IV."
		                   : "IV file (-iv_file) is needed with -noheader and AES_GCM (10).");
	return 0;
}

static int
choose(const struct kmu_args *a, bool wrap, struct wrap_choice *c)
{
	memset(c, 0, sizeof(*c));
	c->noheader = kmu_set(a, "-noheader");
	c->p.mechanism = (uint32_t)kmu_num(a, "-m");
	c->p.hash = (uint32_t)kmu_num(a, "-t");
	c->p.tag_len = (uint32_t)kmu_num(a, "-tag_size");
	if (check_combination(a, c->p.mechanism, c->noheader, wrap) != 0)
		return -1;
	bool rsa = c->p.mechanism == HSM_WRAP_RSA_AES || c->p.mechanism == HSM_WRAP_RSA_OAEP;
	if (rsa && c->p.hash == 0)
		c->p.hash = HSM_HASH_SHA256;     /* recorded in the header as used */
	if (kmu_set(a, "-i")) {
		if (kmu_parse_hex(kmu_str(a, "-i"), c->iv, 8) != 0)
			return refuse("Invalid IV (-i): give 8 bytes in hex, such as A6A6A6A6A6A6A6A6.");
		c->p.iv = c->iv;
		c->p.iv_len = 8;
	}
	if (kmu_set(a, "-aad")) {
		if (kmu_read_file(kmu_str(a, "-aad"), HSM_WRAP_DATA_MAX, &c->aad, &c->aad_len) != 0)
			return -1;
		c->p.aad = c->aad;
		c->p.aad_len = c->aad_len;
	}
	return 0;
}

static const struct kmu_opt wrap_opts[] = {
	{ "-k", "Key handle", OPT_UINT, true, 0, UINT32_MAX },
	{ "-w", "Wrapping key handle", OPT_UINT, true, 0, UINT32_MAX },
	{ "-out", "Output file", OPT_STRING, true, 0, 0 },
	{ "-m", "Wrapping mechanism", OPT_UINT, true, 4, 11 },
	{ "-aad", "AAD file", OPT_STRING, false, 0, 0 },
	{ "-t", "Hash type", OPT_UINT, false, 2, 6 },
	{ "-noheader", "No header", OPT_FLAG, false, 0, 0 },
	{ "-i", "Wrapping IV", OPT_STRING, false, 0, 0 },
	{ "-iv_file", "IV file", OPT_STRING, false, 0, 0 },
	{ "-tag_size", "Tag size", OPT_UINT, false, 8, 16 },
};

/* The file: our header and the bytes, or the bare bytes (-noheader, with
 * the AES_GCM IV in its own file). */
static int
write_wrapped(const struct kmu_args *a, const struct wrap_choice *c, const hsm_wrap_result *r)
{
	const char *out = kmu_str(a, "-out");
	struct hbuf file;
	hbuf_init(&file);
	if (c->noheader) {
		hbuf_put_raw(&file, r->data, r->len);
	} else {
		struct kmu_wrap_header h = {
			.mech = c->p.mechanism, .hash = c->p.hash, .key_class = r->key_class,
			.key_type = r->key_type, .value_len = r->value_len, .tag_len = c->p.tag_len,
			.iv_len = r->iv_len,
		};
		memcpy(h.iv, r->iv, r->iv_len);
		hsm_strlcpy(h.label, r->label, sizeof(h.label));
		hsm_strlcpy(h.id, r->id, sizeof(h.id));
		kmu_wrap_file_encode(&file, &h, r->data, r->len);
	}
	int rc = file.failed ? -1 : 0;
	if (rc == 0 && c->noheader && kmu_set(a, "-iv_file"))
		rc = kmu_write_file(kmu_str(a, "-iv_file"), r->iv, r->iv_len);
	if (rc == 0)
		rc = kmu_write_file(out, file.data, file.len);
	if (rc == 0)
		printf("\n\tKey Wrapped.\n\n\tWrapped Key written to file \"%s length %zu\n", out,
		       file.len);
	hbuf_free(&file);
	return rc;
}

static int
wrap_exec(struct kmu *k, const struct kmu_args *a)
{
	struct wrap_choice c;
	hsm_wrap_result r;
	hsm_node_status st;
	if (choose(a, true, &c) != 0) {
		choice_free(&c);
		return 2;
	}
	hsm_rc rc = hsm_wrap_key(k->client, (uint32_t)kmu_num(a, "-w"),
	                         (uint32_t)kmu_num(a, "-k"), &c.p, &r, &st);
	int ret = rc != HSM_RC_SUCCESS || write_wrapped(a, &c, &r) != 0 ? 1 : 0;
	if (rc != HSM_RC_SUCCESS || ret == 0)
		kmu_print_rc("Cfm2WrapKey", rc);
	hsm_wrap_result_free(&r);
	choice_free(&c);
	return ret;
}

const struct kmu_cmd kmu_cmd_wrap_key = {
	.name = "wrapKey",
	.summary = "Wraps a key from from HSM using the specified handle",
	.help = "Description\n===========\nWrites a secret or private key you own, encrypted under a\n"
		"wrapping key in the HSM, to a file. The key must be extractable.\n\n"
		"Syntax: wrapKey -h\n\n"
		"wrapKey -k <exported-key-handle>\n"
		"        -w <wrapping-key-handle>\n"
		"        -out <output-file>\n"
		"        [-m <wrapping-mechanism>]\n"
		"        [-aad <additional authenticated data filename>]\n"
		"        [-t <hash-type>]\n"
		"        [-noheader]\n"
		"        [-i <wrapping IV>]  \n"
		"        [-iv_file <IV file>]\n"
		"        [-tag_size <num_tag_bytes>>]\n\n"
		"Parameters:\n"
		"  -k       the key to export (secret or private, yours, extractable)\n"
		"  -w       an AES key, or an RSA key for RSA_AES and RSA_OAEP (OBJ_ATTR_WRAP)\n"
		"  -out     the file written (overwritten)\n" MECH_HELP
		"  -noheader write only the wrapped bytes, for tools outside key_mgmt_util\n"
		"  -i       with -noheader, mechanisms 4 and 5: 0xA6A6A6A6A6A6A6A6 only\n"
		"  -iv_file with -noheader and AES_GCM: the file that receives the IV\n",
	KMU_OPTS(wrap_opts),
	.exec = wrap_exec,
};

static const struct kmu_opt unwrap_opts[] = {
	{ "-f", "Wrapped key file", OPT_STRING, true, 0, 0 },
	{ "-w", "Unwrapping key handle", OPT_UINT, true, 0, UINT32_MAX },
	{ "-sess", "Session key", OPT_FLAG, false, 0, 0 },
	{ "-min_srv", "Minimum number of servers", OPT_UINT, false, 1, HSM_MAX_SERVERS },
	{ "-timeout", "Timeout", OPT_UINT, false, 1, 86400 },
	{ "-aad", "AAD file", OPT_STRING, false, 0, 0 },
	{ "-tag_size", "Tag size", OPT_UINT, false, 8, 16 },
	{ "-iv_file", "IV file", OPT_STRING, false, 0, 0 },
	{ "-attest", "Attestation", OPT_FLAG, false, 0, 0 },
	{ "-m", "Wrapping mechanism", OPT_UINT, true, 4, 11 },
	{ "-t", "Hash type", OPT_UINT, false, 2, 6 },
	{ "-nex", "Non-extractable", OPT_FLAG, false, 0, 0 },
	{ "-u", "User ids", OPT_USERS, false, 0, 0 },
	{ "-m_value", "M value", OPT_UINT, false, 0, 8 },
	{ "-noheader", "No header", OPT_FLAG, false, 0, 0 },
	{ "-l", "Key label", OPT_STRING, false, 0, 0 },
	{ "-id", "Key ID", OPT_STRING, false, 0, 0 },
	{ "-kt", "Key type", OPT_UINT, false, 0, UINT32_MAX },
	{ "-kc", "Key class", OPT_UINT, false, 3, 4 },
	{ "-i", "Unwrapping IV", OPT_STRING, false, 0, 0 },
};

/* -noheader: the caller says what the key is; the file is the bytes. */
static int
bare_key(const struct kmu_cmd *cmd, const struct kmu_args *a, struct wrap_choice *c,
         uint32_t *cls, hsm_key_template *t)
{
	static const char *const needed[] = { "-l", "-kc", "-kt" };
	for (size_t i = 0; i < ARRAY_SIZE(needed); i++)
		if (!kmu_set(a, needed[i])) {
			printf("\n\tError: -noheader needs -l, -kc and -kt (%s is missing).\n",
			       needed[i]);
			kmu_print_help(cmd);
			return -1;
		}
	*cls = (uint32_t)kmu_num(a, "-kc");
	t->key_type = (uint32_t)kmu_num(a, "-kt");
	if (c->p.mechanism == HSM_WRAP_AES_GCM) {
		uint8_t *iv;
		if (kmu_read_exact(kmu_str(a, "-iv_file"), 12, &iv) != 0)
			return -1;
		memcpy(c->iv, iv, 12);
		c->p.iv = c->iv;
		c->p.iv_len = 12;
		free(iv);
	}
	return 0;
}

/* With our header: it says what the key is and how it was wrapped. */
static int
headed_key(const struct kmu_args *a, const struct kmu_wrap_header *h, struct wrap_choice *c,
           uint32_t *cls, hsm_key_template *t)
{
	static const char *const bare_only[] = { "-kc", "-kt", "-i", "-iv_file", "-tag_size" };
	for (size_t i = 0; i < ARRAY_SIZE(bare_only); i++)
		if (kmu_set(a, bare_only[i])) {
			printf("\n\tError: %s is valid only with -noheader; the file's header "
			       "gives it.\n", bare_only[i]);
			return -1;
		}
	if (h->mech != c->p.mechanism || (kmu_set(a, "-t") && h->hash != c->p.hash)) {
		printf("\n\tError: %s was wrapped with mechanism %u hash %u (-m %u -t %u given)\n",
		       kmu_str(a, "-f"), h->mech, h->hash, c->p.mechanism, c->p.hash);
		return -1;
	}
	c->p.hash = h->hash;
	c->p.tag_len = h->tag_len;
	memcpy(c->iv, h->iv, h->iv_len);
	c->p.iv = c->iv;
	c->p.iv_len = h->iv_len;
	*cls = h->key_class;
	t->key_type = h->key_type;
	if (t->label == NULL)
		t->label = h->label;
	if (t->id == NULL && h->id[0] != '\0')
		t->id = h->id;
	return 0;
}

static void
print_unwrapped(struct kmu *k, const struct kmu_args *a, hsm_rc rc, uint32_t h,
                const hsm_node_status *st, bool noheader)
{
	if (noheader) {
		kmu_print_rc("Cfm3CreateUnwrapTemplate2", HSM_RC_SUCCESS);
		printf(rc <= 0xff ? "\tCfm2UnWrapWithTemplate3 returned: 0x%02x"
		                  : "\tCfm2UnWrapWithTemplate3 returned: 0x%08x", rc);
		printf(rc == HSM_RC_SUCCESS ? " : %s\n" : "\n\n\t%s\n", kmu_rc_message(rc));
	} else {
		kmu_print_rc("Cfm3UnWrapKey", rc);
	}
	if (rc == HSM_RC_SUCCESS)
		printf("\n\tKey Unwrapped.  Key Handle: %u\n", h);
	if (rc == HSM_RC_SUCCESS && kmu_set(a, "-attest"))
		kmu_print_attestation(k, st);
	kmu_print_status(st);
}

static int
unwrap_run(struct kmu *k, const struct kmu_args *a, struct wrap_choice *c,
           const uint8_t *file, size_t n)
{
	struct kmu_wrap_header h;
	const uint8_t *data = file;
	size_t len = n;
	uint32_t cls = 0, handle = 0;
	hsm_key_template t;
	hsm_sync_opts so;
	hsm_node_status st;
	if (kmu_create_template(a, &t, &so) != 0)
		return 2;
	if (c->noheader) {
		if (bare_key(&kmu_cmd_unwrap_key, a, c, &cls, &t) != 0)
			return 2;
	} else {
		enum kmu_wrap_parse p = kmu_wrap_file_decode(file, n, &h, &data, &len);
		if (p != KMU_WRAP_OK) {
			printf(p == KMU_WRAP_NOT_OURS
			       ? "\n\tError: %s has no key_mgmt_util header; use -noheader -l -kc -kt\n"
			       : "\n\tError: %s: the wrapped-key header is damaged or the file is truncated\n",
			       kmu_str(a, "-f"));
			return 1;
		}
		if (headed_key(a, &h, c, &cls, &t) != 0)
			return 2;
	}
	hsm_rc rc = hsm_unwrap_key(k->client, (uint32_t)kmu_num(a, "-w"), &c->p, cls, &t, data,
	                           len, &so, &handle, &st);
	print_unwrapped(k, a, rc, handle, &st, c->noheader);
	return rc == HSM_RC_SUCCESS ? 0 : 1;
}

static int
unwrap_exec(struct kmu *k, const struct kmu_args *a)
{
	struct wrap_choice c;
	uint8_t *file = NULL;
	size_t n = 0;
	int ret = 2;
	if (choose(a, false, &c) == 0)
		ret = kmu_read_file(kmu_str(a, "-f"), KMU_WRAP_FILE_MAX, &file, &n) == 0
		      ? unwrap_run(k, a, &c, file, n) : 1;
	free(file);
	choice_free(&c);
	return ret;
}

const struct kmu_cmd kmu_cmd_unwrap_key = {
	.name = "unWrapKey",
	.summary = "UnWraps a key into HSM using the specified handle",
	.help = "Description\n===========\nImports a wrapped key from a file into the HSMs. Imported keys\n"
		"have OBJ_ATTR_LOCAL 0.\n\n"
		"Syntax: unWrapKey -h\n\n"
		"unWrapKey -f <key-file-name> \n"
		"          -w <wrapping-key-handle> \n"
		"          [-sess]\n"
		"          [-min_srv <minimum-number-of-HSMs>]          \n"
		"          [-timeout <number-of-seconds>]\n"
		"          [-aad <additional authenticated data filename>]\n"
		"          [-tag_size <tag size>]\n"
		"          [-iv_file <IV file>]\n"
		"          [-attest]\n"
		"          [-m <wrapping-mechanism>]\n"
		"          [-t <hash-type>]\n"
		"          [-nex]\n"
		"          [-u <user id list>]\n"
		"          [-m_value <number of users needed for approval>]\n"
		"          [-noheader]\n"
		"          [-l <key-label>]\n"
		"          [-id <key-id>]\n"
		"          [-kt <key-type>]\n"
		"          [-kc <key-class]\n"
		"          [-i <unwrapping-IV>]\n\n"
		"Parameters:\n"
		"  -f       a file wrapKey wrote, or (-noheader) bare wrapped bytes\n"
		"  -w       an AES key, or an RSA private key for RSA_AES and RSA_OAEP\n"
		"           (OBJ_ATTR_UNWRAP)\n" MECH_HELP
		"  -noheader the file has no header: -l, -kc (3 private, 4 secret) and -kt\n"
		"           (0 RSA, 1 DSA, 3 EC, 16 GENERIC_SECRET, 21 DES3, 31 AES) are needed;\n"
		"           -i (mechanisms 4 and 5) and -iv_file (AES_GCM) give the IV\n"
		"  -l, -id  label and ID (with a header: default the wrapped key's)\n"
		"  -sess, -nex, -u, -m_value, -min_srv, -timeout, -attest: as genSymKey\n",
	KMU_OPTS(unwrap_opts),
	.exec = unwrap_exec,
};
