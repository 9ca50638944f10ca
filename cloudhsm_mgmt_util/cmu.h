/* cmu.h - cloudhsm_mgmt_util: tool state, the command table type, and the
 * output helpers every command shares (output.c). */
#ifndef HSM_CMU_H
#define HSM_CMU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hsmclient.h"
#include "shell.h"

#define CMU_GLOBAL_MODE ((size_t)-1)

struct cmu {
	hsm_client *client;
	struct shell sh;
	size_t server_mode;      /* CMU_GLOBAL_MODE, or the server in scope */
	bool quit;
	bool input_eof;          /* standard input ended during a prompt */
};

struct cmu_cmd {
	const char *name;
	const char *usage;       /* syntax line(s) shown by help <command> */
	const char *summary;     /* one line for the help listing */
	int min_args;            /* arguments after the command name */
	int max_args;
	bool secret_args;        /* keep the line out of the history */
	int (*exec)(struct cmu *cmu, int argc, char **argv);
};

/* cmd.c: lookup by exact name or unique prefix, arity check, run. */
void cmu_execute_line(struct cmu *cmu, char *line);
const struct cmu_cmd *cmu_lookup(const char *word, bool *ambiguous);
void cmu_print_usage(const struct cmu_cmd *cmd);

/* Scope: every configured server in global mode, one in server mode. */
bool cmu_in_scope(const struct cmu *cmu, size_t srv);
size_t cmu_scope_count(const struct cmu *cmu);
/* Runs fn on every server in scope concurrently (reconnecting a server that
 * dropped); results in rcs[], one per configured server. */
void cmu_run_in_scope(struct cmu *cmu, hsm_server_fn fn, void *arg, hsm_rc *rcs);
/* Reconnects srv if it dropped; a failure is reported by the next request. */
void cmu_ensure_connected(struct cmu *cmu, size_t srv);

/* output.c */
const char *cmu_server_label(const struct cmu *cmu, size_t srv);
void cmu_print_success(const struct cmu *cmu, const char *cmd, size_t srv);
/* "<cmd> failed: <message>" then "<what> failed on server N(host)". */
void cmu_print_failure(const struct cmu *cmu, const char *cmd, size_t srv, hsm_rc rc);
void cmu_print_rc_line(const char *cmd, hsm_rc rc);
/* The success or failure lines of every server in scope, in order. */
void cmu_report_in_order(const struct cmu *cmu, const char *cmd, const hsm_rc *rcs);
/* The CAUTION banner and the y/n question; true when the answer is y. */
bool cmu_confirm_critical(struct cmu *cmu);

enum cmu_recovery { RECOVER_RETRY, RECOVER_IGNORE, RECOVER_ABORT, RECOVER_ROLLBACK };
/* Retry/Ignore/Abort?(R/I/A): (or R/B/I when rollback is offered). */
enum cmu_recovery cmu_ask_recovery(struct cmu *cmu, bool offer_rollback);
/* Runs a critical command server by server in scope, in order: a success
 * line each, or the failure lines and Retry/Ignore/Abort (R retries that
 * server, I moves on, A stops). create_wording: "creating user on server
 * N(host) failed" in place of "<cmd> failed on server N(host)". */
void cmu_run_critical(struct cmu *cmu, const char *cmd, bool create_wording,
                      hsm_server_fn fn, void *arg);
/* <password | -hpswd> [-2fa <path>] starting at argv[at]: the password,
 * read hidden when asked (twice when confirm); NULL after printing why.
 * *tfa_path is the -2fa file or NULL; -2fa needs argv[0], the user type,
 * to be an officer's. */
char *cmu_password_arg(struct cmu *cmu, const char *cmd, int argc, char **argv,
                       int at, bool confirm, bool is_new, const char **tfa_path);
/* A whole input file of at most max bytes (NUL-terminated); on failure
 * prints "<cmd> failed: <path>: <reason>" and returns NULL. */
uint8_t *cmu_read_file(const char *cmd, const char *path, size_t max, size_t *len);
/* Reads a password hidden; with again, asks twice and compares. */
char *cmu_read_password(struct cmu *cmu, const char *prompt, const char *again);

/* tfa.c: the -2fa exchange. Each server in scope issues a challenge; the
 * authdata request goes to the file, the operator signs, and factor[i] is
 * server i's signature (and the new key) from the response. */
struct authdata;
struct cmu_tfa {
	bool with_pubkey;                         /* createUser, changePswd */
	hsm_rc rc[HSM_MAX_SERVERS];               /* each server's challenge */
	hsm_second_factor factor[HSM_MAX_SERVERS];
	struct authdata *req, *resp;
};
/* CO and PCO only; otherwise prints why. */
bool cmu_tfa_type_ok(const char *cmd, hsm_user_type type);
/* false after printing one line: then nothing is to be sent. */
bool cmu_tfa_exchange(struct cmu *cmu, const char *cmd, const char *path,
                      bool with_pubkey, struct cmu_tfa *t);
void cmu_tfa_free(struct cmu_tfa *t);

extern const struct cmu_cmd cmd_login_entry, cmd_logout_entry, cmd_quit_entry,
	cmd_server_entry, cmd_exit_entry, cmd_info_entry, cmd_enable_e2e_entry,
	cmd_help_entry, cmd_list_users_entry, cmd_create_user_entry,
	cmd_delete_user_entry, cmd_change_pswd_entry, cmd_get_hsm_info_entry,
	cmd_get_cert_entry, cmd_sync_user_entry, cmd_sync_key_entry;
/* cmd-keys.c */
extern const struct cmu_cmd cmd_share_key_entry, cmd_get_key_info_entry,
	cmd_get_attribute_entry, cmd_set_attribute_entry, cmd_find_all_keys_entry,
	cmd_list_attributes_entry;
/* cmd-quorum.c: keys and M values; cmd-tokens.c: tokens and approvals */
extern const struct cmu_cmd cmd_register_quorum_pub_key_entry, cmd_get_m_value_entry,
	cmd_set_m_value_entry;
extern const struct cmu_cmd cmd_get_token_entry, cmd_approve_token_entry,
	cmd_list_tokens_entry;

/* complete.c: tab completion (command names, then each command's arguments),
 * with the user names and ids of the last listUsers. */
void cmu_complete(void *ctx, int argc, char **argv, const char *word,
                  struct shell_completion *out);
void cmu_complete_forget_users(void);
void cmu_complete_learn_users(const hsm_user_list *list);
/* cmd.c: the i-th entry of the command table, NULL past the end. */
const struct cmu_cmd *cmu_command_at(size_t i);

#endif
