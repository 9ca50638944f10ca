/* kill-durability.c - writer and checker for sim-durability.exp: creates users as fast
 * as it can and records each acknowledged one; later proves each is complete. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hsmclient.h"

#define NAME_MAX_LEN (HSM_USER_NAME_MAX + 1)

static void
usage(void)
{
	fprintf(stderr,
	        "usage: kill-durability write CMU_CFG ADMIN_PW PREFIX MAX ACKFILE\n"
	        "       kill-durability verify CMU_CFG PREFIX ACKFILE [MAX_UNACKED]\n"
	        "       kill-durability linger CMU_CFG ADMIN_PW\n");
	exit(2);
}

/* The password of a user is derived from its name, so the checker knows it. */
static void
password_for(const char *name, char *pw, size_t n)
{
	snprintf(pw, n, "Pw_%s_x", name);
}

static long
now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* Opens the configuration and connects to its first server, or exits. */
static hsm_client *
connect_first(const char *cfg)
{
	char err[512];
	hsm_client *c = hsm_client_open_cmu(cfg, err, sizeof(err));
	if (c == NULL) {
		fprintf(stderr, "kill-durability: %s\n", err);
		exit(2);
	}
	if (hsm_server_connect(c, 0, err, sizeof(err)) != HSM_RC_SUCCESS) {
		fprintf(stderr, "kill-durability: connect: %s\n", err);
		hsm_client_close(c);
		exit(2);
	}
	return c;
}

/* Creates PREFIX1, PREFIX2, ... until the node goes away; every user the
 * node acknowledged is appended (and flushed) to ackfile at once. */
static int
run_writer(const char *cfg, const char *admin_pw, const char *prefix, long max,
           const char *ackfile)
{
	FILE *ack = fopen(ackfile, "w");
	if (ack == NULL) {
		perror(ackfile);
		return 2;
	}
	/* As cloudhsm_mgmt_util does: the rounds test durability; "linger"
	 * checks what the library does about SIGPIPE on its own. */
	signal(SIGPIPE, SIG_IGN);
	hsm_client *c = connect_first(cfg);
	hsm_client_set_timeout(c, 20000);
	hsm_rc rc = hsm_login(c, 0, HSM_USER_CO, "admin", admin_pw);
	if (rc != HSM_RC_SUCCESS) {
		fprintf(stderr, "kill-durability: admin login: 0x%x\n", rc);
		hsm_client_close(c);
		fclose(ack);
		return 2;
	}
	/* The driver starts its random delay only once we are writing. */
	printf("writer: ready\n");
	fflush(stdout);
	long t0 = now_ms(), done = 0;
	for (long i = 1; i <= max; i++) {
		char name[NAME_MAX_LEN], pw[64];
		snprintf(name, sizeof(name), "%s%ld", prefix, i);
		password_for(name, pw, sizeof(pw));
		rc = hsm_create_user(c, 0, HSM_USER_CU, name, pw);
		if (rc != HSM_RC_SUCCESS)
			break;
		fprintf(ack, "%s\n", name);
		fflush(ack);
		done++;
	}
	long ms = now_ms() - t0;
	printf("writer: %ld users acknowledged in %ld ms; stopped by 0x%x (%s)\n", done, ms,
	       rc, hsm_rc_message(rc) ? hsm_rc_message(rc) : "?");
	hsm_client_close(c);
	fclose(ack);
	return 0;
}

static bool
listed(const hsm_user_list *l, const char *name)
{
	for (size_t i = 0; i < l->count; i++)
		if (strcmp(l->users[i].name, name) == 0)
			return true;
	return false;
}

/* Logs in as name with its derived password and out again. */
static bool
login_works(hsm_client *c, const char *name)
{
	char pw[64];
	password_for(name, pw, sizeof(pw));
	hsm_rc rc = hsm_login(c, 0, HSM_USER_CU, name, pw);
	if (rc != HSM_RC_SUCCESS) {
		printf("verify: %s cannot log in: 0x%x\n", name, rc);
		return false;
	}
	return hsm_logout(c, 0) == HSM_RC_SUCCESS;
}

/* Counts the acknowledged users (one per line of ack) missing from l. */
static int
count_ack_failures(const hsm_user_list *l, FILE *ack, long *acked)
{
	char line[128];
	int bad = 0;
	while (fgets(line, sizeof(line), ack) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		(*acked)++;
		if (!listed(l, line)) {
			printf("verify: acknowledged user %s is missing\n", line);
			bad++;
		}
	}
	return bad;
}

/* Every acknowledged user must be listed; every listed user with prefix
 * (acknowledged, or one in flight at a kill: at most max_unacked) must be
 * complete. */
static int
run_verify(const char *cfg, const char *prefix, const char *ackfile, long max_unacked)
{
	FILE *ack = fopen(ackfile, "r");
	if (ack == NULL) {
		perror(ackfile);
		return 2;
	}
	hsm_client *c = connect_first(cfg);
	hsm_user_list l = { 0 };
	hsm_rc rc = hsm_list_users(c, 0, &l);
	if (rc != HSM_RC_SUCCESS) {
		printf("verify: listUsers: 0x%x\n", rc);
		hsm_client_close(c);
		fclose(ack);
		return 1;
	}
	long acked = 0, present = 0;
	int bad = count_ack_failures(&l, ack, &acked);
	for (size_t i = 0; i < l.count; i++) {
		if (strncmp(l.users[i].name, prefix, strlen(prefix)) != 0)
			continue;
		present++;
		if (!login_works(c, l.users[i].name))
			bad++;
	}
	if (present > acked + max_unacked) {
		printf("verify: %ld users present but only %ld acknowledged\n", present, acked);
		bad++;
	}
	printf("verify: %ld acknowledged, %ld present, %d problems\n", acked, present, bad);
	hsm_user_list_free(&l);
	hsm_client_close(c);
	fclose(ack);
	return bad == 0 ? 0 : 1;
}

/* Logs in, then waits for a line on standard input (the driver kills the
 * node meanwhile), uses and closes the dead connection. A library that lets
 * SIGPIPE through kills us before "linger: survived". */
static int
run_linger(const char *cfg, const char *admin_pw)
{
	char line[64];
	hsm_client *c = connect_first(cfg);
	hsm_rc rc = hsm_login(c, 0, HSM_USER_CO, "admin", admin_pw);
	printf("linger: ready (login 0x%x)\n", rc);
	fflush(stdout);
	if (fgets(line, sizeof(line), stdin) == NULL)
		line[0] = '\0';
	hsm_user_list l = { 0 };
	rc = hsm_list_users(c, 0, &l);
	hsm_user_list_free(&l);
	printf("linger: listUsers on the dead node: 0x%x\n", rc);
	fflush(stdout);
	hsm_client_close(c);
	printf("linger: survived\n");
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc == 7 && strcmp(argv[1], "write") == 0)
		return run_writer(argv[2], argv[3], argv[4], strtol(argv[5], NULL, 10), argv[6]);
	if (argc == 4 && strcmp(argv[1], "linger") == 0)
		return run_linger(argv[2], argv[3]);
	if ((argc == 5 || argc == 6) && strcmp(argv[1], "verify") == 0)
		return run_verify(argv[2], argv[3], argv[4],
		                  argc == 6 ? strtol(argv[5], NULL, 10) : 1);
	usage();
	return 2;
}
