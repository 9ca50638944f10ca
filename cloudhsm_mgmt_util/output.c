/* output.c - the lines every CMU command prints the same way: per-server
 * results, the CAUTION banner and its questions, hidden password prompts. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmu.h"
#include "util.h"

static const char caution_banner[] =
	"*************************CAUTION********************************\n"
	"This is a CRITICAL operation, should be done on all nodes in the\n"
	"cluster. AWS does NOT synchronize these changes automatically with the\n"
	"nodes on which this operation is not executed or failed, please\n"
	"ensure this operation is executed on all nodes in the cluster.\n"
	"****************************************************************\n";

const char *
cmu_server_label(const struct cmu *cmu, size_t srv)
{
	return hsm_server_get(cmu->client, srv).name;
}

void
cmu_print_success(const struct cmu *cmu, const char *cmd, size_t srv)
{
	printf("%s success on server %zu(%s)\n", cmd, srv, cmu_server_label(cmu, srv));
}

void
cmu_print_rc_line(const char *cmd, hsm_rc rc)
{
	const char *msg = hsm_rc_message(rc);
	if (msg != NULL)
		printf("%s failed: %s\n", cmd, msg);
	else
		printf("%s failed: HSM Error: 0x%08x\n", cmd, rc);
}

void
cmu_print_failure(const struct cmu *cmu, const char *cmd, size_t srv, hsm_rc rc)
{
	cmu_print_rc_line(cmd, rc);
	printf("%s failed on server %zu(%s)\n", cmd, srv, cmu_server_label(cmu, srv));
}

void
cmu_report_in_order(const struct cmu *cmu, const char *cmd, const hsm_rc *rcs)
{
	for (size_t i = 0; i < hsm_server_count(cmu->client); i++) {
		if (!cmu_in_scope(cmu, i))
			continue;
		if (rcs[i] == HSM_RC_SUCCESS)
			cmu_print_success(cmu, cmd, i);
		else
			cmu_print_failure(cmu, cmd, i, rcs[i]);
	}
}

/* Reads one answer; EOF counts as the safe answer and ends the session. */
static char
read_answer(struct cmu *cmu, const char *prompt)
{
	char *line = NULL;
	fflush(stdout);
	enum shell_status st = shell_read(&cmu->sh, prompt, &line);
	if (st == SHELL_EOF) {
		cmu->input_eof = true;
		putchar('\n');
		return '\0';
	}
	char answer = '?';
	if (st == SHELL_OK) {
		char *w = line + strspn(line, " \t");
		size_t n = strcspn(w, " \t");
		if (n == 1 && w[1 + strspn(w + 1, " \t")] == '\0')
			answer = w[0];
	}
	free(line);
	return answer;
}

bool
cmu_confirm_critical(struct cmu *cmu)
{
	printf("\n%s\n", caution_banner);
	for (;;) {
		char a = read_answer(cmu, "Do you want to continue(y/n)?");
		if (a == 'y' || a == 'Y')
			return true;
		if (a == 'n' || a == 'N' || a == '\0')
			return false;
		printf("Invalid option, please type 'y' or 'n'\n\n");
	}
}

enum cmu_recovery
cmu_ask_recovery(struct cmu *cmu, bool offer_rollback)
{
	const char *prompt = offer_rollback ? "Retry/rollBack/Ignore?(R/B/I):"
	                                    : "Retry/Ignore/Abort?(R/I/A):";
	putchar('\n');
	for (;;) {
		char a = read_answer(cmu, prompt);
		switch (a) {
		case 'R': case 'r':
			return RECOVER_RETRY;
		case 'I': case 'i':
			return RECOVER_IGNORE;
		case 'A': case 'a':
			if (!offer_rollback)
				return RECOVER_ABORT;
			break;
		case 'B': case 'b':
			if (offer_rollback)
				return RECOVER_ROLLBACK;
			break;
		case '\0':
			return offer_rollback ? RECOVER_IGNORE : RECOVER_ABORT;
		}
		printf(offer_rollback ? "Invalid option, please type 'R', 'B' or 'I'\n\n"
		                      : "Invalid option, please type 'R', 'I' or 'A'\n\n");
	}
}

void
cmu_run_critical(struct cmu *cmu, const char *cmd, bool create_wording, hsm_server_fn fn,
                 void *arg)
{
	for (size_t i = 0; i < hsm_server_count(cmu->client); i++) {
		if (!cmu_in_scope(cmu, i))
			continue;
		for (;;) {
			cmu_ensure_connected(cmu, i);
			hsm_rc rc = fn(cmu->client, i, arg);
			if (rc == HSM_RC_SUCCESS) {
				cmu_print_success(cmu, cmd, i);
				break;
			}
			if (create_wording) {
				cmu_print_rc_line(cmd, rc);
				printf("creating user on server %zu(%s) failed\n", i,
				       cmu_server_label(cmu, i));
			} else {
				cmu_print_failure(cmu, cmd, i, rc);
			}
			enum cmu_recovery r = cmu_ask_recovery(cmu, false);
			if (r == RECOVER_RETRY)
				continue;
			if (r == RECOVER_ABORT)
				return;
			break;
		}
	}
}

char *
cmu_read_password(struct cmu *cmu, const char *prompt, const char *again)
{
	char *first = NULL, *second = NULL;
	if (shell_read_secret(&cmu->sh, prompt, &first) != SHELL_OK) {
		cmu->input_eof = feof(stdin) != 0;
		printf("Password input failed\n");
		return NULL;
	}
	if (again == NULL)
		return first;
	if (shell_read_secret(&cmu->sh, again, &second) != SHELL_OK ||
	    strcmp(first, second) != 0) {
		printf("Passwords do not match\n");
		hsm_free_secret(first);
		hsm_free_secret(second);
		return NULL;
	}
	hsm_free_secret(second);
	return first;
}

uint8_t *
cmu_read_file(const char *cmd, const char *path, size_t max, size_t *len)
{
	char *data;
	if (hsm_read_file(path, max, &data, len) == 0)
		return (uint8_t *)data;
	if (errno == EFBIG)
		printf("%s failed: %s: larger than %zu bytes\n", cmd, path, max);
	else
		printf("%s failed: %s: %s\n", cmd, path, strerror(errno));
	return NULL;
}
