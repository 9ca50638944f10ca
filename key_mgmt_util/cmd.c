/* cmd.c - the KMU command table, the help listing, and the one path every
 * mode (prompt, piped input, singlecmd) takes: lookup, parse, run. */
#include <stdio.h>
#include <string.h>

#include "kmu.h"
#include "util.h"

static const struct kmu_cmd *const kmu_table[] = {
	&kmu_cmd_exit, &kmu_cmd_help,
	&kmu_cmd_get_hsm_info, &kmu_cmd_get_partition_info, &kmu_cmd_list_users,
	&kmu_cmd_login_status, &kmu_cmd_login, &kmu_cmd_logout,
	&kmu_cmd_get_token, &kmu_cmd_del_token, &kmu_cmd_approve_token, &kmu_cmd_list_tokens,
	&kmu_cmd_gen_rsa, &kmu_cmd_gen_dsa, &kmu_cmd_gen_ecc, &kmu_cmd_gen_pbe,
	&kmu_cmd_gen_sym_key,
	&kmu_cmd_create_public_key, &kmu_cmd_import_pub_key, &kmu_cmd_export_pub_key,
	&kmu_cmd_import_private_key, &kmu_cmd_export_private_key,
	&kmu_cmd_im_sym_key, &kmu_cmd_ex_sym_key, &kmu_cmd_wrap_key, &kmu_cmd_unwrap_key,
	&kmu_cmd_aes_wrap_unwrap, &kmu_cmd_get_cavium_priv_key, &kmu_cmd_is_valid_key_handlefile,
	&kmu_cmd_delete_key, &kmu_cmd_set_attribute, &kmu_cmd_get_key_info,
	&kmu_cmd_find_key, &kmu_cmd_find_single_key, &kmu_cmd_get_attribute,
	&kmu_cmd_get_cert,
	&kmu_cmd_insert_masked, &kmu_cmd_extract_masked,
	&kmu_cmd_sign, &kmu_cmd_verify,
	&kmu_cmd_error2string, &kmu_cmd_list_attributes, &kmu_cmd_list_curves,
};

/* key_mgmt_util-help.md, verbatim. */
static const char help_listing[] =
	"\nHelp Commands Available:\n\nSyntax: <command> -h\n\n\n"
	"   Command               Description\n"
	"   =======               ===========\n\n"
	"   exit                   Exits this application\n"
	"   help                   Displays this information\n\n"
	"        Configuration and Admin Commands\n"
	"   getHSMInfo             Gets the HSM Information\n"
	"   getPartitionInfo       Gets the Partition Information\n"
	"   listUsers              Lists all users of a partition\n"
	"   loginStatus            Gets the Login Information\n"
	"   loginHSM               Login to the HSM\n"
	"   logoutHSM              Logout from the HSM\n\n"
	"        M of N commands\n"
	"   getToken               Initiate an MxN service and get Token\n"
	"   delToken               delete Token(s)\n"
	"   approveToken           Approves an MxN service\n"
	"   listTokens             List all Tokens in the current partition\n\n"
	"        Key Generation Commands\n\n"
	"        Asymmetric Keys:\n"
	"   genRSAKeyPair          Generates an RSA Key Pair\n"
	"   genDSAKeyPair          Generates a DSA Key Pair\n"
	"   genECCKeyPair          Generates an ECC Key Pair\n\n"
	"        Symmetric Keys:\n"
	"   genPBEKey              Generates a PBE DES3 key\n"
	"   genSymKey              Generates a Symmetric keys\n\n"
	"        Key Import/Export Commands\n"
	"   createPublicKey        Creates an RSA public key\n"
	"   importPubKey           Imports RSA/DSA/EC Public key\n"
	"   exportPubKey           Exports RSA/DSA/EC Public key\n"
	"   importPrivateKey       Imports RSA/DSA/EC private key\n"
	"   exportPrivateKey       Exports RSA/DSA/EC private key\n"
	"   imSymKey               Imports a Symmetric key\n"
	"   exSymKey               Exports a Symmetric key\n"
	"   wrapKey                Wraps a key from from HSM using the specified handle\n"
	"   unWrapKey              UnWraps a key into HSM using the specified handle\n\n"
	"        Key Management Commands\n"
	"   deleteKey              Delete Key\n"
	"   setAttribute           Sets an attribute of an object\n"
	"   getKeyInfo             Get Key Info about shared users/sessions\n"
	"   findKey                Find Key\n"
	"   findSingleKey          Find single Key\n"
	"   getAttribute           Reads an attribute from an object\n\n"
	"        Certificate Setup Commands\n"
	"   getCert                Gets Partition Certificates stored on HSM\n\n"
	"        Key Transfer Commands\n"
	"   insertMaskedObject     Inserts a masked object\n"
	"   extractMaskedObject    Extracts a masked object\n\n"
	"        Management Crypto Commands\n"
	"   sign                   Generates a signature\n"
	"   verify                 Verifies a signature\n"
	"   aesWrapUnwrap          Does NIST AES Wrap/Unwrap\n\n"
	"        Helper Commands\n"
	"   Error2String           Converts Error codes to Strings\n"
	"                          save key handle in fake PEM format\n"
	"   getCaviumPrivKey       Saves an RSA private key handle\n"
	"                          in fake PEM format\n"
	"   IsValidKeyHandlefile   Checks if private key file has\n"
	"                          an HSM key handle or a real key\n"
	"   listAttributes         List all attributes for getAttributes\n"
	"   listECCCurveIds        List HSM supported ECC CurveIds\n";

void
kmu_print_listing(void)
{
	fputs(help_listing, stdout);
}

const struct kmu_cmd *
kmu_lookup(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(kmu_table); i++)
		if (strcmp(kmu_table[i]->name, name) == 0)
			return kmu_table[i];
	return NULL;
}

const struct kmu_cmd *
kmu_command_at(size_t i)
{
	return i < ARRAY_SIZE(kmu_table) ? kmu_table[i] : NULL;
}

void
kmu_print_help(const struct kmu_cmd *cmd)
{
	printf("\n%s\n", cmd->help);
}

int
kmu_execute(struct kmu *k, int argc, char **argv)
{
	if (argc == 0)
		return 0;
	const struct kmu_cmd *cmd = kmu_lookup(argv[0]);
	if (cmd == NULL) {
		printf("\n\tError: Unknown command: %s\n\tType 'help' to list the commands.\n",
		       argv[0]);
		return 2;
	}
	if (argc == 2 && strcmp(argv[1], "-h") == 0) {
		kmu_print_help(cmd);
		return 0;
	}
	struct kmu_args a;
	if (kmu_parse_args(cmd, argc - 1, argv + 1, &a) != 0)
		return 2;
	int rc = cmd->exec(k, &a);
	fflush(stdout);
	return rc;
}
