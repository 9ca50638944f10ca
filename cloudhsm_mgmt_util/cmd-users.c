/* cmd-users.c - listUsers, createUser, deleteUser, changePswd.
 * Critical commands run server by server so an operator can retry one. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "cmu.h"
#include "util.h"

static hsm_rc
list_one(hsm_client *c, size_t srv, void *p)
{
	hsm_user_list *lists = p;
	return hsm_list_users(c, srv, &lists[srv]);
}

static void
print_user_table(const hsm_user_list *l)
{
	printf("Number of users found:%zu\n\n", l->count);
	printf("    User Id             User Type       User Name                          "
	       "MofnPubKey    LoginFailureCnt         2FA\n");
	for (size_t i = 0; i < l->count; i++) {
		const hsm_user_info *u = &l->users[i];
		printf("%10u              %-16s%-34s%9s%16u%17s\n", u->id,
		       hsm_user_type_name(u->type), u->name, u->mofn_pubkey ? "YES" : "NO",
		       u->login_failures, u->two_factor ? "YES" : "NO");
	}
}

static int
cmd_list_users_exec(struct cmu *cmu, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	hsm_user_list lists[HSM_MAX_SERVERS];
	hsm_rc rcs[HSM_MAX_SERVERS];
	memset(lists, 0, sizeof(lists));
	cmu_run_in_scope(cmu, list_one, lists, rcs);
	cmu_complete_forget_users();
	for (size_t i = 0; i < hsm_server_count(cmu->client); i++) {
		if (!cmu_in_scope(cmu, i))
			continue;
		if (rcs[i] == HSM_RC_SUCCESS) {
			printf("Users on server %zu(%s):\n", i, cmu_server_label(cmu, i));
			print_user_table(&lists[i]);
			cmu_complete_learn_users(&lists[i]);
		} else {
			cmu_print_failure(cmu, "listUsers", i, rcs[i]);
		}
		hsm_user_list_free(&lists[i]);
	}
	return 0;
}

const struct cmu_cmd cmd_list_users_entry = {
	.name = "listUsers",
	.usage = "listUsers",
	.summary = "Lists the users of each HSM",
	.min_args = 0, .max_args = 0,
	.exec = cmd_list_users_exec,
};

/* One critical command: how to run it on one server and how to report. */
struct critical_op {
	const char *cmd;              /* createUser */
	bool create_wording;          /* "creating user on server N(h) failed" */
	hsm_user_type type;
	const char *name;
	const char *password;
	const struct cmu_tfa *tfa;    /* NULL without -2fa */
	hsm_rc (*run)(hsm_client *c, size_t srv, const struct critical_op *op);
};

static hsm_rc
critical_step(hsm_client *c, size_t srv, void *arg)
{
	const struct critical_op *op = arg;
	return op->run(c, srv, op);
}

/* Runs op on each server in scope, in order; on a failure asks whether to
 * retry, skip the server, or stop. */
static void
run_critical(struct cmu *cmu, const struct critical_op *op)
{
	cmu_run_critical(cmu, op->cmd, op->create_wording, critical_step, (void *)op);
}

/* After the confirmation: the -2fa exchange when asked for (path), then the
 * announcement and the operation; nothing is sent if the exchange fails. */
static void
confirmed_critical(struct cmu *cmu, struct critical_op *op, const char *tfa_path,
                   char **argv)
{
	struct cmu_tfa tfa;
	if (tfa_path != NULL) {
		if (!cmu_tfa_exchange(cmu, op->cmd, tfa_path, true, &tfa)) {
			cmu_tfa_free(&tfa);
			return;
		}
		op->tfa = &tfa;
	}
	printf("%s %s(%s) on %zu nodes\n",
	       op->create_wording ? "Creating User" : "Changing password for", argv[1],
	       argv[0], cmu_scope_count(cmu));
	run_critical(cmu, op);
	if (tfa_path != NULL)
		cmu_tfa_free(&tfa);
	op->tfa = NULL;
}

static hsm_rc
create_one(hsm_client *c, size_t srv, const struct critical_op *op)
{
	if (op->tfa == NULL)
		return hsm_create_user(c, srv, op->type, op->name, op->password);
	if (op->tfa->rc[srv] != HSM_RC_SUCCESS)
		return op->tfa->rc[srv];
	return hsm_create_user_2fa(c, srv, op->type, op->name, op->password,
	                           &op->tfa->factor[srv]);
}

static int
cmd_create_user_exec(struct cmu *cmu, int argc, char **argv)
{
	const char *tfa_path;
	char *pw = cmu_password_arg(cmu, "createUser", argc, argv, 2, true, false, &tfa_path);
	if (pw == NULL)
		return 1;
	struct critical_op op = {
		.cmd = "createUser", .create_wording = true,
		.type = hsm_user_type_parse(argv[0]), .name = argv[1], .password = pw,
		.run = create_one,
	};
	if (cmu_confirm_critical(cmu))
		confirmed_critical(cmu, &op, tfa_path, argv);
	hsm_free_secret(pw);
	return 0;
}

const struct cmu_cmd cmd_create_user_entry = {
	.name = "createUser",
	.usage = "createUser <user-type> <user-name> <password |-hpswd> [-2fa </path/to/authdata>]",
	.summary = "Creates a user on the HSMs",
	.min_args = 3, .max_args = 5, .secret_args = true,
	.exec = cmd_create_user_exec,
};

static hsm_rc
change_one(hsm_client *c, size_t srv, const struct critical_op *op)
{
	if (op->tfa == NULL)
		return hsm_change_password(c, srv, op->type, op->name, op->password);
	if (op->tfa->rc[srv] != HSM_RC_SUCCESS)
		return op->tfa->rc[srv];
	return hsm_change_password_2fa(c, srv, op->type, op->name, op->password,
	                               &op->tfa->factor[srv]);
}

static int
cmd_change_pswd_exec(struct cmu *cmu, int argc, char **argv)
{
	const char *tfa_path;
	char *pw = cmu_password_arg(cmu, "changePswd", argc, argv, 2, true, true, &tfa_path);
	if (pw == NULL)
		return 1;
	struct critical_op op = {
		.cmd = "changePswd",
		.type = hsm_user_type_parse(argv[0]), .name = argv[1], .password = pw,
		.run = change_one,
	};
	if (cmu_confirm_critical(cmu))
		confirmed_critical(cmu, &op, tfa_path, argv);
	hsm_free_secret(pw);
	return 0;
}

const struct cmu_cmd cmd_change_pswd_entry = {
	.name = "changePswd",
	.usage = "changePswd <user-type> <user-name> <password |-hpswd> [-2fa </path/to/authdata>]",
	.summary = "Changes the password of a user on the HSMs",
	.min_args = 3, .max_args = 5, .secret_args = true,
	.exec = cmd_change_pswd_exec,
};

/* Puts the user back, from the masked copies taken before each delete. */
static void
rollback_deletes(struct cmu *cmu, uint8_t **saved, size_t *saved_len)
{
	for (size_t j = 0; j < hsm_server_count(cmu->client); j++) {
		if (saved[j] == NULL)
			continue;
		cmu_ensure_connected(cmu, j);
		hsm_rc rc = hsm_user_insert_masked(cmu->client, j, saved[j], saved_len[j]);
		if (rc == HSM_RC_SUCCESS) {
			printf("deleteUser rollback success on server %zu(%s)\n", j,
			       cmu_server_label(cmu, j));
		} else {
			cmu_print_rc_line("deleteUser rollback", rc);
			printf("deleteUser rollback failed on server %zu(%s)\n", j,
			       cmu_server_label(cmu, j));
		}
	}
}

/* Deletes on one server, keeping a masked copy of the user for rollBack.
 * Returns false when the operator chose to stop. */
static bool
delete_on_server(struct cmu *cmu, size_t i, hsm_user_type type, const char *name,
                 uint8_t **saved, size_t *saved_len)
{
	for (;;) {
		uint8_t *copy = NULL;
		size_t len = 0;
		cmu_ensure_connected(cmu, i);
		(void)hsm_user_extract_masked(cmu->client, i, 0, name, &copy, &len);
		hsm_rc rc = hsm_delete_user(cmu->client, i, type, name);
		if (rc == HSM_RC_SUCCESS) {
			cmu_print_success(cmu, "deleteUser", i);
			saved[i] = copy;
			saved_len[i] = len;
			return true;
		}
		if (copy != NULL)
			OPENSSL_cleanse(copy, len);
		free(copy);
		cmu_print_failure(cmu, "deleteUser", i, rc);
		enum cmu_recovery r = cmu_ask_recovery(cmu, true);
		if (r == RECOVER_IGNORE)
			return true;
		if (r == RECOVER_ROLLBACK) {
			rollback_deletes(cmu, saved, saved_len);
			return false;
		}
	}
}

static int
cmd_delete_user_exec(struct cmu *cmu, int argc, char **argv)
{
	uint8_t *saved[HSM_MAX_SERVERS] = { NULL };
	size_t saved_len[HSM_MAX_SERVERS] = { 0 };
	hsm_user_type type = hsm_user_type_parse(argv[0]);
	(void)argc;
	printf("Deleting user %s(%s) on %zu nodes\n", argv[1], argv[0], cmu_scope_count(cmu));
	for (size_t i = 0; i < hsm_server_count(cmu->client); i++)
		if (cmu_in_scope(cmu, i) &&
		    !delete_on_server(cmu, i, type, argv[1], saved, saved_len))
			break;
	for (size_t i = 0; i < HSM_MAX_SERVERS; i++) {
		if (saved[i] != NULL)
			OPENSSL_cleanse(saved[i], saved_len[i]);
		free(saved[i]);
	}
	return 0;
}

const struct cmu_cmd cmd_delete_user_entry = {
	.name = "deleteUser",
	.usage = "deleteUser <user-type> <user-name>",
	.summary = "Deletes a user from the HSMs",
	.min_args = 2, .max_args = 2,
	.exec = cmd_delete_user_exec,
};
