/* user-race.c - concurrent writes for sim-concurrency.exp: many sessions create, delete
 * or log in as the same user at the same instant; the node must serialize them. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hsmclient.h"

enum race_op { RACE_CREATE_SAME, RACE_CREATE_DISTINCT, RACE_DELETE_SAME, RACE_WRONG_LOGIN };

struct race {
	const char *cfg;
	const char *admin_pw;
	enum race_op op;
	pthread_barrier_t go;
};

struct racer {
	struct race *race;
	int index;
	hsm_rc rc;
};

/* A logged-in officer session of its own. */
static hsm_client *
officer(const struct race *r, hsm_rc *rc)
{
	char err[512];
	hsm_client *c = hsm_client_open_cmu(r->cfg, err, sizeof(err));
	*rc = HSM_RC_INTERNAL;
	if (c == NULL)
		return NULL;
	*rc = hsm_server_connect(c, 0, err, sizeof(err));
	if (*rc == HSM_RC_SUCCESS)
		*rc = hsm_login(c, 0, HSM_USER_CO, "admin", r->admin_pw);
	return c;
}

static hsm_rc
race_step(hsm_client *c, enum race_op op, int index)
{
	char name[HSM_USER_NAME_MAX + 1];
	if (op == RACE_WRONG_LOGIN)
		return hsm_login(c, 0, HSM_USER_CU, "racer_0", "Wrong_pw_1");
	if (op == RACE_CREATE_DISTINCT)
		snprintf(name, sizeof(name), "racer_%d", index);
	else
		snprintf(name, sizeof(name), "race_user");
	if (op == RACE_DELETE_SAME)
		return hsm_delete_user(c, 0, HSM_USER_CU, name);
	return hsm_create_user(c, 0, HSM_USER_CU, name, "Race_pw_1");
}

static void *
racer_main(void *arg)
{
	struct racer *me = arg;
	hsm_rc rc;
	hsm_client *c = officer(me->race, &rc);
	if (me->race->op == RACE_WRONG_LOGIN && rc == HSM_RC_SUCCESS)
		rc = hsm_logout(c, 0);
	pthread_barrier_wait(&me->race->go);
	me->rc = rc == HSM_RC_SUCCESS ? race_step(c, me->race->op, me->index) : rc;
	hsm_client_close(c);
	return NULL;
}

/* Runs n racers at once; returns each one's result (free it). */
static hsm_rc *
run_race(struct race *r, int n)
{
	struct racer *rs = calloc((size_t)n, sizeof(*rs));
	pthread_t *th = calloc((size_t)n, sizeof(*th));
	hsm_rc *rcs = calloc((size_t)n, sizeof(*rcs));
	pthread_barrier_init(&r->go, NULL, (unsigned)n);
	for (int i = 0; i < n; i++) {
		rs[i] = (struct racer){ .race = r, .index = i };
		pthread_create(&th[i], NULL, racer_main, &rs[i]);
	}
	for (int i = 0; i < n; i++) {
		pthread_join(th[i], NULL);
		rcs[i] = rs[i].rc;
	}
	pthread_barrier_destroy(&r->go);
	free(rs);
	free(th);
	return rcs;
}

static int
count_rc(const hsm_rc *rcs, int n, hsm_rc rc)
{
	int k = 0;
	for (int i = 0; i < n; i++)
		k += rcs[i] == rc;
	return k;
}

/* Runs one race and prints how its n results split between the two
 * expected codes; true when exactly want_first got the first. */
static bool
race_and_report(struct race *r, int n, const char *what, hsm_rc first, hsm_rc second,
                int want_first)
{
	hsm_rc *rcs = run_race(r, n);
	int a = count_rc(rcs, n, first), b = count_rc(rcs, n, second);
	printf("%s: %d %s, %d %s, %d other\n", what, a, hsm_rc_name(first) ? hsm_rc_name(first) : "?",
	       b, hsm_rc_name(second) ? hsm_rc_name(second) : "?", n - a - b);
	for (int i = 0; i < n; i++)
		if (rcs[i] != first && rcs[i] != second)
			printf("  racer %d: 0x%x\n", i, rcs[i]);
	free(rcs);
	return a == want_first && a + b == n;
}

/* LoginFailureCnt of name, or -1. */
static long
failures_of(const struct race *r, const char *name)
{
	hsm_rc rc;
	hsm_user_list l = { 0 };
	long n = -1;
	hsm_client *c = officer(r, &rc);
	if (rc == HSM_RC_SUCCESS && hsm_list_users(c, 0, &l) == HSM_RC_SUCCESS)
		for (size_t i = 0; i < l.count; i++)
			if (strcmp(l.users[i].name, name) == 0)
				n = l.users[i].login_failures;
	hsm_user_list_free(&l);
	hsm_client_close(c);
	return n;
}

/* The users of the node: every id listed once, and how many names start
 * with prefix. */
static int
check_list(const struct race *r, const char *prefix, size_t *matching)
{
	hsm_rc rc;
	hsm_user_list l = { 0 };
	hsm_client *c = officer(r, &rc);
	if (rc == HSM_RC_SUCCESS)
		rc = hsm_list_users(c, 0, &l);
	int dup = 0;
	*matching = 0;
	for (size_t i = 0; i < l.count; i++) {
		*matching += strncmp(l.users[i].name, prefix, strlen(prefix)) == 0;
		for (size_t j = i + 1; j < l.count; j++)
			dup += l.users[i].id == l.users[j].id;
	}
	hsm_user_list_free(&l);
	hsm_client_close(c);
	return rc == HSM_RC_SUCCESS && dup == 0 ? 0 : -1;
}

int
main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: user-race CMU_CFG ADMIN_PW RACERS\n");
		return 2;
	}
	struct race r = { .cfg = argv[1], .admin_pw = argv[2] };
	int n = atoi(argv[3]);
	bool ok = true;
	size_t matching;
	if (n <= HSM_LOGIN_ATTEMPTS_MAX)
		return 2;
	r.op = RACE_CREATE_SAME;
	ok &= race_and_report(&r, n, "same user created at once", HSM_RC_SUCCESS,
	                      HSM_RC_USER_ALREADY_EXISTS, 1);
	ok &= check_list(&r, "race_user", &matching) == 0 && matching == 1;
	printf("race_user listed %zu time(s)\n", matching);
	r.op = RACE_CREATE_DISTINCT;
	ok &= race_and_report(&r, n, "distinct users created at once", HSM_RC_SUCCESS,
	                      HSM_RC_USER_ALREADY_EXISTS, n);
	int unique = check_list(&r, "racer_", &matching) == 0;
	ok &= unique && matching == (size_t)n;
	printf("racer_* listed %zu time(s), ids unique: %s\n", matching, unique ? "yes" : "NO");
	r.op = RACE_WRONG_LOGIN;
	ok &= race_and_report(&r, n, "wrong password at once", HSM_RC_LOGIN_FAILURE,
	                      HSM_RC_USER_LOCKED, HSM_LOGIN_ATTEMPTS_MAX);
	long fails = failures_of(&r, "racer_0");
	ok &= fails == HSM_LOGIN_ATTEMPTS_MAX;
	printf("racer_0 LoginFailureCnt: %ld\n", fails);
	r.op = RACE_DELETE_SAME;
	ok &= race_and_report(&r, n, "same user deleted at once", HSM_RC_SUCCESS,
	                      HSM_RC_USER_DOES_NOT_EXIST, 1);
	ok &= check_list(&r, "race_user", &matching) == 0 && matching == 0;
	printf("race_user listed %zu time(s) after the deletes\n", matching);
	return ok ? 0 : 1;
}
