/* cmd-keygen.c - genSymKey, genRSAKeyPair, genDSAKeyPair, genECCKeyPair,
 * genPBEKey and listECCCurveIds. Token keys are cloned to every node. */
#include <stdio.h>
#include <string.h>

#include "ec-curves.h"
#include "kmu.h"
#include "util.h"

int
kmu_create_template(const struct kmu_args *a, hsm_key_template *t, hsm_sync_opts *so)
{
	memset(t, 0, sizeof(*t));
	memset(so, 0, sizeof(*so));
	if (kmu_set(a, "-timeout") && !kmu_set(a, "-min_srv")) {
		printf("\n\tError: Timeout (-timeout) is valid only with -min_srv.\n");
		return -1;
	}
	t->label = kmu_str(a, "-l");
	t->id = kmu_str(a, "-id");
	t->session = kmu_set(a, "-sess");
	t->extractable = !kmu_set(a, "-nex");
	t->m_value = (uint32_t)kmu_num(a, "-m_value");
	t->shares = a->users;
	t->nshares = a->nusers;
	so->min_srv = (unsigned)kmu_num(a, "-min_srv");
	so->timeout_s = (unsigned)kmu_num(a, "-timeout");
	return 0;
}

void
kmu_print_attestation(struct kmu *k, const hsm_node_status *st)
{
	bool pass = true;
	for (size_t i = 0; i < st->count; i++)
		if (st->used[i] && st->rc[i] == HSM_RC_SUCCESS)
			pass = hsm_enable_e2e(k->client, i) == HSM_RC_SUCCESS && pass;
	printf("\n\tAttestation Check : [%s]\n", pass ? "PASS" : "FAIL");
}

/* The syntax lines of each page, byte for byte (trailing blanks included):
 * genSymKey and the key-pair pages spell the placeholders differently. */
#define SYM_OPTIONAL_SYNTAX \
	"          [-id <key-ID>] \n" \
	"          [-min_srv <minimum-number-of-servers>] \n" \
	"          [-m_value <0..8>]\n" \
	"          [-nex] \n" \
	"          [-sess] \n" \
	"          [-timeout <number-of-seconds> ]\n" \
	"          [-u <user-ids>] \n" \
	"          [-attest]\n"
#define PAIR_OPTIONAL_SYNTAX \
	"              [-id <key ID>] \n" \
	"              [-min_srv <minimum number of servers>] \n" \
	"              [-m_value <0..8>]\n" \
	"              [-nex] \n" \
	"              [-sess] \n" \
	"              [-timeout <number of seconds> ]\n" \
	"              [-u <user-ids>] \n" \
	"              [-attest]\n"
#define ECC_OPTIONAL_SYNTAX \
	"              [-id <key ID>]\n" \
	"              [-min_srv <minimum number of servers>]\n" \
	"              [-m_value <0..8>]\n" \
	"              [-nex]\n" \
	"              [-sess]\n" \
	"              [-timeout <number of seconds> ]\n" \
	"              [-u <user-ids>]\n" \
	"              [-attest]\n"

#define CREATE_PARAMS \
	"  -l       label (need not be unique)\n" \
	"  -id      key ID (unique in the cluster)\n" \
	"  -min_srv the key must reach this many HSMs (the larger of this and\n" \
	"           create_object_minimum_nodes counts)\n" \
	"  -m_value users needed to approve use of the key (0..8)\n" \
	"  -nex     not extractable (for a key pair: the private key)\n" \
	"  -sess    session key: gone at logout, never synchronized\n" \
	"  -timeout seconds to wait for -min_srv HSMs\n" \
	"  -u       comma-separated ids of CUs to share the key with\n" \
	"  -attest  check the identity of the HSMs that hold the key\n"

static const struct kmu_opt sym_opts[] = {
	{ "-t", "Key type", OPT_UINT, true, 0, UINT32_MAX },
	{ "-s", "Key size", OPT_UINT, true, 0, UINT32_MAX },
	KMU_CREATE_OPTS,
};

static int
gen_sym_exec(struct kmu *k, const struct kmu_args *a)
{
	hsm_key_template t;
	hsm_sync_opts so;
	hsm_node_status st;
	uint32_t h = 0;
	if (kmu_create_template(a, &t, &so) != 0)
		return 2;
	t.key_type = (uint32_t)kmu_num(a, "-t");
	t.size = (uint32_t)kmu_num(a, "-s");
	hsm_rc rc = hsm_generate_secret_key(k->client, &t, &so, &h, &st);
	kmu_print_rc("Cfm3GenerateSymmetricKey", rc);
	if (rc == HSM_RC_SUCCESS)
		printf("\n\tSymmetric Key Created.  Key Handle: %u\n", h);
	if (rc == HSM_RC_SUCCESS && kmu_set(a, "-attest"))
		kmu_print_attestation(k, &st);
	kmu_print_status(&st);
	return rc == HSM_RC_SUCCESS ? 0 : 1;
}

const struct kmu_cmd kmu_cmd_gen_sym_key = {
	.name = "genSymKey",
	.summary = "Generates a Symmetric keys",
	.help = "Description\n===========\nGenerates a symmetric key in the HSMs.\n\n"
		"Syntax: genSymKey -h\n\n"
		"genSymKey -t <key-type>\n"
		"          -s <key-size> \n"
		"          -l <label> \n" SYM_OPTIONAL_SYNTAX "\n"
		"Parameters:\n"
		"  -t       16 GENERIC_SECRET, 18 RC4 (not in FIPS mode), 21 3DES, 31 AES\n"
		"  -s       size in bytes: AES 16, 24, 32; 3DES 24; generic secret < 3584\n"
		CREATE_PARAMS,
	KMU_OPTS(sym_opts),
	.exec = gen_sym_exec,
};

/* call: the doc pages print "Cfm3GenerateKeyPair" and, on the DSA page,
 * "Cfm3GenerateKeyPair:" with a colon. */
static int
gen_pair(struct kmu *k, const struct kmu_args *a, hsm_key_template *t,
         const hsm_sync_opts *so, const char *call)
{
	hsm_node_status st;
	uint32_t pub = 0, priv = 0;
	hsm_rc rc = hsm_generate_key_pair(k->client, t, so, &pub, &priv, &st);
	kmu_print_rc(call, rc);
	if (rc == HSM_RC_SUCCESS)
		printf("\n\tCfm3GenerateKeyPair:    public key handle: %u    private key handle: %u\n",
		       pub, priv);
	if (rc == HSM_RC_SUCCESS && kmu_set(a, "-attest"))
		kmu_print_attestation(k, &st);
	kmu_print_status(&st);
	return rc == HSM_RC_SUCCESS ? 0 : 1;
}

static const struct kmu_opt rsa_opts[] = {
	{ "-m", "Modulus length", OPT_UINT, true, 0, UINT32_MAX },
	{ "-e", "Public exponent", OPT_UINT, true, 0, UINT32_MAX },
	KMU_CREATE_OPTS,
};

static int
gen_rsa_exec(struct kmu *k, const struct kmu_args *a)
{
	hsm_key_template t;
	hsm_sync_opts so;
	if (kmu_create_template(a, &t, &so) != 0)
		return 2;
	t.key_type = HSM_KEY_RSA;
	t.size = (uint32_t)kmu_num(a, "-m");
	t.public_exponent = kmu_num(a, "-e");
	return gen_pair(k, a, &t, &so, "Cfm3GenerateKeyPair");
}

const struct kmu_cmd kmu_cmd_gen_rsa = {
	.name = "genRSAKeyPair",
	.summary = "Generates an RSA Key Pair",
	.help = "Description\n===========\nGenerates an RSA key pair in the HSMs.\n\n"
		"Syntax: genRSAKeyPair -h\n\n"
		"genRSAKeyPair -m <modulus length>\n"
		"              -e <public exponent> \n"
		"              -l <label> \n" PAIR_OPTIONAL_SYNTAX "\n"
		"Parameters:\n"
		"  -m       modulus length in bits: 2048 to 4096 in steps of 256\n"
		"  -e       public exponent: odd, at least 65537\n" CREATE_PARAMS,
	KMU_OPTS(rsa_opts),
	.exec = gen_rsa_exec,
};

static const struct kmu_opt dsa_opts[] = {
	{ "-m", "Modulus length", OPT_UINT, true, 0, UINT32_MAX },
	KMU_CREATE_OPTS,
};

static int
gen_dsa_exec(struct kmu *k, const struct kmu_args *a)
{
	hsm_key_template t;
	hsm_sync_opts so;
	if (kmu_create_template(a, &t, &so) != 0)
		return 2;
	t.key_type = HSM_KEY_DSA;
	t.size = (uint32_t)kmu_num(a, "-m");
	return gen_pair(k, a, &t, &so, "Cfm3GenerateKeyPair:");
}

const struct kmu_cmd kmu_cmd_gen_dsa = {
	.name = "genDSAKeyPair",
	.summary = "Generates a DSA Key Pair",
	.help = "Description\n===========\nGenerates a DSA key pair in the HSMs.\n\n"
		"Syntax: genDSAKeyPair -h\n\n"
		"genDSAKeyPair -m <modulus length> \n"
		"              -l <label> \n" PAIR_OPTIONAL_SYNTAX "\n"
		"Parameters:\n  -m       modulus length in bits: 2048\n" CREATE_PARAMS,
	KMU_OPTS(dsa_opts),
	.exec = gen_dsa_exec,
};

static const struct kmu_opt ecc_opts[] = {
	{ "-i", "EC curve id", OPT_UINT, true, 0, UINT32_MAX },
	KMU_CREATE_OPTS,
};

static int
gen_ecc_exec(struct kmu *k, const struct kmu_args *a)
{
	hsm_key_template t;
	hsm_sync_opts so;
	if (kmu_create_template(a, &t, &so) != 0)
		return 2;
	t.key_type = HSM_KEY_EC;
	t.curve_id = (uint32_t)kmu_num(a, "-i");
	return gen_pair(k, a, &t, &so, "Cfm3GenerateKeyPair");
}

const struct kmu_cmd kmu_cmd_gen_ecc = {
	.name = "genECCKeyPair",
	.summary = "Generates an ECC Key Pair",
	.help = "Description\n===========\nGenerates an ECC key pair in the HSMs.\n\n"
		"Syntax: genECCKeyPair -h\n\n"
		"genECCKeyPair -i <EC curve id> \n"
		"              -l <label> \n" ECC_OPTIONAL_SYNTAX "\n"
		"Parameters:\n"
		"  -i       curve id: 2 NID_X9_62_prime256v1, 14 NID_secp384r1,\n"
		"           16 NID_secp256k1 (listECCCurveIds shows all)\n" CREATE_PARAMS,
	KMU_OPTS(ecc_opts),
	.exec = gen_ecc_exec,
};

/* PBE DES3 keys are outside the FIPS policy this HSM runs in. */
static int
gen_pbe_exec(struct kmu *k, const struct kmu_args *a)
{
	(void)k;
	(void)a;
	kmu_print_rc("Cfm3GeneratePBEKey", HSM_RC_POLICY_VIOLATION);
	return 1;
}

const struct kmu_cmd kmu_cmd_gen_pbe = {
	.name = "genPBEKey",
	.summary = "Generates a PBE DES3 key",
	.help = "Description\n===========\nGenerates a PBE DES3 key. Not supported on FIPS-mode HSMs,\n"
		"which every HSM of this cluster is.\n\nSyntax: genPBEKey -h\n",
	.exec = gen_pbe_exec,
};

static int
list_curves_exec(struct kmu *k, const struct kmu_args *a)
{
	(void)k;
	(void)a;
	printf("\n\tSupported ECC curve ids:\n\n");
	for (size_t i = 0; ec_curve_at(i) != NULL; i++) {
		const struct ec_curve *c = ec_curve_at(i);
		printf("\t%-6u%-24s%s\n", c->id, c->nid_name,
		       c->fips ? "" : "(not allowed in FIPS mode)");
	}
	return 0;
}

const struct kmu_cmd kmu_cmd_list_curves = {
	.name = "listECCCurveIds",
	.summary = "List HSM supported ECC CurveIds",
	.help = "Description\n===========\nLists the curve ids genECCKeyPair -i accepts.\n\n"
		"Syntax: listECCCurveIds -h\n\nlistECCCurveIds\n",
	.exec = list_curves_exec,
};
