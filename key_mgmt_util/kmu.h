/* kmu.h - key_mgmt_util: tool state, the per-command option tables, the
 * command table type and the output helpers every command shares. */
#ifndef HSM_KMU_H
#define HSM_KMU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hsmclient.h"
#include "shell.h"

struct kmu {
	hsm_client *client;
	struct shell sh;
	bool quit;
	bool singlecmd;          /* one command from argv, then exit */
};

/* An option such as "-t <key-type>" (KMU's syntax is flag, then value). */
enum kmu_opt_type {
	OPT_FLAG,                /* no value: -nex, -sess, -attest, -hpswd */
	OPT_STRING,
	OPT_UINT,                /* decimal, checked against min..max */
	OPT_HEX,                 /* hexadecimal with or without 0x, min..max */
	OPT_USERS,               /* comma-separated user ids */
};

struct kmu_opt {
	const char *flag;        /* "-t" */
	const char *what;        /* "Key type": "Error: Key type (-t) is missing." */
	enum kmu_opt_type type;
	bool required;
	unsigned long min, max;
};

#define KMU_MAX_OPTS 24

struct kmu_args {
	const struct kmu_opt *opts;
	size_t nopts;
	bool set[KMU_MAX_OPTS];
	const char *str[KMU_MAX_OPTS];
	unsigned long num[KMU_MAX_OPTS];
	uint32_t users[HSM_MAX_SHARES];
	size_t nusers;
};

struct kmu_cmd {
	const char *name;
	const char *summary;     /* the help listing's description */
	const char *help;        /* "<command> -h": description, syntax, parameters */
	const struct kmu_opt *opts;
	size_t nopts;
	/* Returns 0 on success (singlecmd exits with it). */
	int (*exec)(struct kmu *k, const struct kmu_args *a);
};

#define KMU_OPTS(o) (o), (sizeof(o) / sizeof((o)[0]))

/* cmd.c */
const struct kmu_cmd *kmu_lookup(const char *name);
/* Parses and runs one command line given as words; returns its status. */
int kmu_execute(struct kmu *k, int argc, char **argv);
void kmu_print_help(const struct kmu_cmd *cmd);
void kmu_print_listing(void);

/* The i-th entry of the command table, NULL past the end. */
const struct kmu_cmd *kmu_command_at(size_t i);
/* complete.c: tab completion from the command and option tables. */
void kmu_complete(void *ctx, int argc, char **argv, const char *word,
                  struct shell_completion *out);

/* opts.c */
bool kmu_set(const struct kmu_args *a, const char *flag);
const char *kmu_str(const struct kmu_args *a, const char *flag);
unsigned long kmu_num(const struct kmu_args *a, const char *flag);
/* 0, or -1 after printing the error and the command's help. */
int kmu_parse_args(const struct kmu_cmd *cmd, int argc, char **argv, struct kmu_args *a);

/* cmd-keygen.c: options every key-creating command shares (-l, -id,
 * -min_srv, -m_value, -nex, -sess, -timeout, -u, -attest). */
#define KMU_CREATE_OPTS \
	{ "-l", "Key label", OPT_STRING, true, 0, 0 }, \
	{ "-id", "Key ID", OPT_STRING, false, 0, 0 }, \
	{ "-min_srv", "Minimum number of servers", OPT_UINT, false, 1, HSM_MAX_SERVERS }, \
	{ "-m_value", "M value", OPT_UINT, false, 0, 8 }, \
	{ "-nex", "Non-extractable", OPT_FLAG, false, 0, 0 }, \
	{ "-sess", "Session key", OPT_FLAG, false, 0, 0 }, \
	{ "-timeout", "Timeout", OPT_UINT, false, 1, 86400 }, \
	{ "-u", "User ids", OPT_USERS, false, 0, 0 }, \
	{ "-attest", "Attestation", OPT_FLAG, false, 0, 0 }
/* Fills t (label, id, session, extractable, m_value, shares) and so from the
 * options above; -1 after printing an error. */
int kmu_create_template(const struct kmu_args *a, hsm_key_template *t, hsm_sync_opts *so);
/* -attest: prints "Attestation Check : [PASS]" when every node holding the
 * new key proves its identity. */
void kmu_print_attestation(struct kmu *k, const hsm_node_status *st);

/* output.c: the lines of the reference, TAB-indented as the tool printed. */
void kmu_print_rc(const char *call, hsm_rc rc);
void kmu_print_status(const hsm_node_status *st);
/* "Cfm3...returned" then the node status block. */
void kmu_print_result(const char *call, hsm_rc rc, const hsm_node_status *st);
const char *kmu_rc_message(hsm_rc rc);
/* Writes a whole file or prints why not; 0 or -1. */
int kmu_write_file(const char *path, const void *data, size_t n);
/* Reads a whole file of at most max bytes or prints why not; 0 or -1. */
int kmu_read_file(const char *path, size_t max, uint8_t **data, size_t *n);

extern const struct kmu_cmd kmu_cmd_login, kmu_cmd_logout, kmu_cmd_list_users,
	kmu_cmd_exit, kmu_cmd_help, kmu_cmd_error2string, kmu_cmd_login_status,
	kmu_cmd_get_hsm_info, kmu_cmd_get_partition_info,
	kmu_cmd_gen_sym_key, kmu_cmd_gen_rsa, kmu_cmd_gen_dsa, kmu_cmd_gen_ecc,
	kmu_cmd_gen_pbe, kmu_cmd_list_curves, kmu_cmd_find_key, kmu_cmd_find_single_key,
	kmu_cmd_get_key_info, kmu_cmd_delete_key, kmu_cmd_get_attribute,
	kmu_cmd_set_attribute, kmu_cmd_list_attributes, kmu_cmd_extract_masked,
	kmu_cmd_insert_masked, kmu_cmd_get_cert;
/* cmd-wrap.c, cmd-aeswrap.c, cmd-export.c, cmd-import.c, cmd-pubkey.c,
 * cmd-fakepem.c (helpers in kmu-wrap.h) */
extern const struct kmu_cmd kmu_cmd_wrap_key, kmu_cmd_unwrap_key, kmu_cmd_aes_wrap_unwrap,
	kmu_cmd_ex_sym_key, kmu_cmd_im_sym_key, kmu_cmd_export_private_key,
	kmu_cmd_import_private_key, kmu_cmd_export_pub_key, kmu_cmd_import_pub_key,
	kmu_cmd_create_public_key, kmu_cmd_get_cavium_priv_key, kmu_cmd_is_valid_key_handlefile;
/* cmd-sign.c */
extern const struct kmu_cmd kmu_cmd_sign, kmu_cmd_verify;
/* cmd-tokens.c: quorum tokens for keys with an m_value */
extern const struct kmu_cmd kmu_cmd_get_token, kmu_cmd_del_token, kmu_cmd_approve_token,
	kmu_cmd_list_tokens;

#endif
