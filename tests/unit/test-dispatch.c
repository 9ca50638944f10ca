/* test-dispatch.c - the user rules enforced end to end on hsm-sim's dispatch path:
 * real store, hand-made sessions, request frames in, response status out (no TLS). */
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "cu-db.h"
#include "cu-util.h"
#include "kdf.h"
#include "proto.h"
#include "server.h"
#include "store.h"

#define MAX_SESSIONS 16
#define FAST_ITERATIONS 1000u
/* Statuses the helpers return when there was no proper response. */
#define DROPPED 0xfffffff0u      /* dispatch_request returned -1 */
#define BAD_REPLY 0xfffffff1u    /* a response that does not parse */

static const uint8_t masking_key[32] = {
	0x6d, 0x61, 0x73, 0x6b, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
	0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x12, 0x13, 0x14,
	0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c,
};

/* ---- the node environment -------------------------------------------------- */

static char *tmpdir;
static struct node node;
static struct store *direct;     /* the test's own connection */
static uint32_t next_request_id = 1;

static void
node_fill(void)
{
	memset(&node, 0, sizeof(node));
	snprintf(node.cluster.dir, sizeof(node.cluster.dir), "%s", tmpdir);
	snprintf(node.cluster.cluster_id, sizeof(node.cluster.cluster_id), "cluster-dispatch");
	node.cluster.count = 2;
	for (unsigned i = 0; i < 2; i++) {
		node.cluster.nodes[i].id = i;
		snprintf(node.cluster.nodes[i].host, sizeof(node.cluster.nodes[i].host),
		         "node%u.test", i);
		node.cluster.nodes[i].port = 40000 + i;
		snprintf(node.cluster.nodes[i].hsm_id, sizeof(node.cluster.nodes[i].hsm_id),
		         "hsm-dispatch%03u", i);
	}
	node.id = 0;
	node.identity.node_id = 0;
	snprintf(node.identity.cluster_id, sizeof(node.identity.cluster_id), "cluster-dispatch");
	snprintf(node.identity.hsm_id, sizeof(node.identity.hsm_id), "hsm-dispatch000");
	snprintf(node.db_path, sizeof(node.db_path), "%s/%s", tmpdir, STORE_FILE);
	memcpy(node.masking_key, masking_key, sizeof(masking_key));
	node.max_sessions = MAX_SESSIONS;
	node.idle_timeout_s = 60;
	node.sessions = calloc(MAX_SESSIONS, sizeof(*node.sessions));
	pthread_mutex_init(&node.lock, NULL);
	pthread_cond_init(&node.idle, NULL);
}

/* store_create() hashes two passwords slowly: do it once, copy it per test. */
static char *template_dir;

static char *
template_db(const struct store_identity *id)
{
	char err[512] = "";
	if (template_dir == NULL && (template_dir = cu_mkdtemp("dispatch-template")) != NULL) {
		char *path = cu_path(template_dir, STORE_FILE);
		if (path == NULL || store_create(path, id, err, sizeof(err)) != 0)
			printf("template: %s\n", err);
		free(path);
	}
	return template_dir ? cu_path(template_dir, STORE_FILE) : NULL;
}

static void
setup(void)
{
	char err[512] = "";
	tmpdir = cu_mkdtemp("dispatch");
	direct = NULL;
	if (tmpdir == NULL)
		return;
	node_fill();
	char *tpl = template_db(&node.identity);
	if (tpl == NULL || cu_copy_file(tpl, node.db_path) != 0 ||
	    (direct = store_open(node.db_path, err, sizeof(err))) == NULL)
		printf("fixture: %s\n", err);
	free(tpl);
}

static void sess_close(struct session *s);

static void
teardown(void)
{
	/* Sessions a failed test left behind (a FATAL assertion skips its end). */
	while (node.nsessions > 0)
		sess_close(node.sessions[0]);
	store_close(direct);
	direct = NULL;
	free(node.sessions);
	pthread_mutex_destroy(&node.lock);
	pthread_cond_destroy(&node.idle);
	memset(&node, 0, sizeof(node));
	cu_rmtree(tmpdir);
	tmpdir = NULL;
}

/* A session registered as node.c's session_add does (under the lock). */
static struct session *
sess_open(void)
{
	char err[512];
	struct session *s = calloc(1, sizeof(*s));
	if (s == NULL)
		return NULL;
	s->node = &node;
	s->fd = -1;
	s->store = store_open(node.db_path, err, sizeof(err));
	pthread_mutex_lock(&node.lock);
	s->id = ++node.next_session_id;
	node.sessions[node.nsessions++] = s;
	pthread_mutex_unlock(&node.lock);
	return s;
}

static void
sess_close(struct session *s)
{
	if (s == NULL)
		return;
	pthread_mutex_lock(&node.lock);
	for (unsigned i = 0; i < node.nsessions; i++) {
		if (node.sessions[i] == s) {
			node.sessions[i] = node.sessions[--node.nsessions];
			break;
		}
	}
	pthread_mutex_unlock(&node.lock);
	store_close(s->store);
	free(s);
}

/* A user straight into the store, with a quick-to-check hash. */
static uint32_t
plant_user(const char *name, hsm_user_type type, const char *pw)
{
	struct store_user u;
	memset(&u, 0, sizeof(u));
	snprintf(u.name, sizeof(u.name), "%s", name);
	u.type = type;
	u.iterations = FAST_ITERATIONS;
	if (RAND_bytes(u.salt, KDF_SALT_LEN) != 1 ||
	    kdf_derive(pw, strlen(pw), u.salt, KDF_SALT_LEN, u.iterations, u.hash,
	               KDF_HASH_LEN) != 0 ||
	    store_user_insert(direct, &u) != 0)
		return 0;
	return u.id;
}

/* Gives an existing user (app_user) a known password, keeping its type. */
static int
plant_password(const char *name, const char *pw)
{
	struct store_user u;
	if (store_user_find(direct, name, &u) != 0)
		return -1;
	u.iterations = FAST_ITERATIONS;
	if (kdf_derive(pw, strlen(pw), u.salt, KDF_SALT_LEN, u.iterations, u.hash,
	               KDF_HASH_LEN) != 0)
		return -1;
	return store_user_set_password(direct, &u);
}

static bool
password_is(const char *name, const char *pw)
{
	struct store_user u;
	return store_user_find(direct, name, &u) == 0 && kdf_check_password(&u, pw);
}

static bool
user_exists(const char *name)
{
	struct store_user u;
	return store_user_find(direct, name, &u) == 0;
}

/* ---- requests ------------------------------------------------------------------ */

/* Checks the frame dispatch wrote and returns its status; copies the
 * payload into reply (when given) for the caller to decode. */
static hsm_rc
parse_reply(const struct hbuf *out, uint16_t op, uint32_t id, struct hbuf *reply)
{
	struct proto_hdr h;
	struct hrd pl;
	if (out->len < 4 + PROTO_HDR_LEN)
		return BAD_REPLY;
	uint32_t len = ((uint32_t)out->data[0] << 24) | ((uint32_t)out->data[1] << 16) |
	               ((uint32_t)out->data[2] << 8) | out->data[3];
	if (len != out->len - 4 || proto_parse(out->data + 4, len, &h, &pl) != 0 ||
	    h.kind != PROTO_RESPONSE || h.opcode != op || h.id != id)
		return BAD_REPLY;
	/* A refusal carries no payload. */
	if (h.status != HSM_RC_SUCCESS && hrd_left(&pl) != 0)
		return BAD_REPLY;
	if (reply != NULL) {
		hbuf_reset(reply);
		hbuf_put_raw(reply, pl.p + pl.off, hrd_left(&pl));
	}
	return h.status;
}

static hsm_rc
call_raw(struct session *s, const uint8_t *body, size_t n, uint16_t op, uint32_t id,
         struct hbuf *reply)
{
	struct hbuf out;
	hbuf_init(&out);
	/* A copy of exactly n bytes, so ASan sees any read beyond the frame. */
	uint8_t *copy = malloc(n ? n : 1);
	memcpy(copy, body, n);
	int rc = dispatch_request(s, copy, n, &out);
	hsm_rc status = rc == 0 ? parse_reply(&out, op, id, reply) : DROPPED;
	free(copy);
	hbuf_free(&out);
	CU_ASSERT_NOT_EQUAL(status, BAD_REPLY);
	return status;
}

static hsm_rc
call(struct session *s, uint16_t op, const struct hbuf *payload, struct hbuf *reply)
{
	struct hbuf req;
	uint32_t id = next_request_id++;
	hbuf_init(&req);
	proto_begin(&req, PROTO_REQUEST, op, id, 0);
	if (payload != NULL)
		hbuf_put_raw(&req, payload->data, payload->len);
	CU_ASSERT_EQUAL(proto_finish(&req), 0);
	hsm_rc rc = call_raw(s, req.data + 4, req.len - 4, op, id, reply);
	hbuf_free(&req);
	return rc;
}

static hsm_rc
user_call(struct session *s, uint16_t op, unsigned type, const char *name, const char *pw,
          uint8_t flags)
{
	struct hbuf p;
	struct msg_user_req m = { .user_type = (uint8_t)type, .flags = flags,
	                          .name = (char *)name, .password = (char *)pw };
	hbuf_init(&p);
	msg_user_req_encode(&p, &m);
	hsm_rc rc = call(s, op, &p, NULL);
	hbuf_free(&p);
	return rc;
}

static hsm_rc
login(struct session *s, unsigned type, const char *name, const char *pw)
{
	return user_call(s, OP_LOGIN, type, name, pw, 0);
}

static hsm_rc
create_user(struct session *s, unsigned type, const char *name, const char *pw)
{
	return user_call(s, OP_CREATE_USER, type, name, pw, 0);
}

static hsm_rc
delete_user(struct session *s, unsigned type, const char *name)
{
	return user_call(s, OP_DELETE_USER, type, name, NULL, 0);
}

static hsm_rc
change_pswd(struct session *s, unsigned type, const char *name, const char *pw)
{
	return user_call(s, OP_CHANGE_PSWD, type, name, pw, 0);
}

static hsm_rc
logout(struct session *s)
{
	return call(s, OP_LOGOUT, NULL, NULL);
}

static hsm_rc
list_users(struct session *s, hsm_user_list *out)
{
	struct hbuf reply;
	struct hrd r;
	hbuf_init(&reply);
	memset(out, 0, sizeof(*out));
	hsm_rc rc = call(s, OP_LIST_USERS, NULL, &reply);
	if (rc == HSM_RC_SUCCESS) {
		hrd_init(&r, reply.data, reply.len);
		if (msg_user_list_decode(&r, out) != 0)
			rc = BAD_REPLY;
	}
	hbuf_free(&reply);
	return rc;
}

/* LoginFailureCnt of name as listUsers reports it; -1 if not listed. */
static long
listed_failures(struct session *s, const char *name)
{
	hsm_user_list l;
	long v = -1;
	if (list_users(s, &l) != HSM_RC_SUCCESS)
		return -1;
	for (size_t i = 0; i < l.count; i++)
		if (strcmp(l.users[i].name, name) == 0)
			v = l.users[i].login_failures;
	hsm_user_list_free(&l);
	return v;
}

static hsm_user_type
listed_type(struct session *s, const char *name)
{
	hsm_user_list l;
	hsm_user_type t = HSM_USER_INVALID;
	if (list_users(s, &l) != HSM_RC_SUCCESS)
		return HSM_USER_INVALID;
	for (size_t i = 0; i < l.count; i++)
		if (strcmp(l.users[i].name, name) == 0)
			t = l.users[i].type;
	hsm_user_list_free(&l);
	return t;
}

/* The masked object of a user (by id, or by name when id is 0) into blob. */
static hsm_rc
extract_user(struct session *s, uint32_t id, const char *name, struct hbuf *blob)
{
	struct hbuf p, reply;
	struct msg_user_ref m = { id, (char *)name };
	struct msg_blob b;
	struct hrd r;
	hbuf_init(&p);
	hbuf_init(&reply);
	msg_user_ref_encode(&p, &m);
	hsm_rc rc = call(s, OP_EXTRACT_USER, &p, &reply);
	if (rc == HSM_RC_SUCCESS && blob != NULL) {
		hrd_init(&r, reply.data, reply.len);
		if (msg_blob_decode(&r, &b, HBUF_MAX) != 0)
			rc = BAD_REPLY;
		else
			hbuf_put_raw(blob, b.data, b.len);
	}
	hbuf_free(&p);
	hbuf_free(&reply);
	return rc;
}

static hsm_rc
insert_user(struct session *s, const uint8_t *blob, size_t n)
{
	struct hbuf p;
	struct msg_blob m = { blob, n };
	hbuf_init(&p);
	msg_blob_encode(&p, &m);
	hsm_rc rc = call(s, OP_INSERT_USER, &p, NULL);
	hbuf_free(&p);
	return rc;
}

/* A session logged in as name (password pw); NULL if that failed. */
static struct session *
session_as(unsigned type, const char *name, const char *pw)
{
	struct session *s = sess_open();
	if (s != NULL && login(s, type, name, pw) != HSM_RC_SUCCESS) {
		printf("cannot log in as %s\n", name);
		sess_close(s);
		s = NULL;
	}
	return s;
}

/* ---- the permission matrix, operation by operation --------------------------- */

enum kind { K_CO, K_PCO, K_CU, K_AU, K_PRECO, K_NONE, NKINDS };

static const struct {
	const char *name;
	unsigned type;
	const char *user, *pw;
} kinds[NKINDS] = {
	[K_CO] = { "CO", HSM_USER_CO, "officer", "officer-pw" },
	[K_PCO] = { "PCO", HSM_USER_PCO, "primary", "primary-pw" },
	[K_CU] = { "CU", HSM_USER_CU, "crypto", "crypto-pw" },
	[K_AU] = { "AU", HSM_USER_AU, "app_user", "appuser-pw" },
	[K_PRECO] = { "PRECO", HSM_USER_PRECO, "admin", "password" },
	[K_NONE] = { "unauthenticated", 0, NULL, NULL },
};

enum step {
	S_HELLO, S_HSM_INFO, S_CLUSTER_INFO, S_LIST_USERS, S_CREATE, S_CHANGE_OTHER,
	S_EXTRACT, S_INSERT, S_DELETE, S_CHANGE_OWN, S_LOGIN, S_LOGOUT, NSTEPS
};

#define OK HSM_RC_SUCCESS
#define NLI HSM_RC_NOT_LOGGED_IN
#define DEN HSM_RC_PERMISSION_DENIED
#define ALI HSM_RC_ALREADY_LOGGED_IN

/* Written from USERS_AND_PERMISSIONS.md section 3 and its per-command rules:
 * listUsers/getHSMInfo need no login; createUser/deleteUser are CO (PCO);
 * changePswd: own for everyone, others' for CO; syncUser (masked user
 * objects) is CO; login only when nobody is logged in on the session. */
static const struct {
	const char *name;
	hsm_rc want[NKINDS];
} steps[NSTEPS] = {
	/*                                  CO   PCO  CU   AU   PRECO none */
	[S_HELLO] = { "hello",            { OK,  OK,  OK,  OK,  OK,  OK } },
	[S_HSM_INFO] = { "getHSMInfo",    { OK,  OK,  OK,  OK,  OK,  OK } },
	[S_CLUSTER_INFO] = { "clusterInfo", { OK, OK, OK,  OK,  OK,  OK } },
	[S_LIST_USERS] = { "listUsers",   { OK,  OK,  OK,  OK,  OK,  OK } },
	[S_CREATE] = { "createUser",      { OK,  OK,  DEN, DEN, DEN, NLI } },
	[S_CHANGE_OTHER] = { "changePswd other", { OK, OK, DEN, DEN, DEN, NLI } },
	[S_EXTRACT] = { "extract user",   { OK,  OK,  DEN, DEN, DEN, NLI } },
	[S_INSERT] = { "insert user",     { OK,  OK,  DEN, DEN, DEN, NLI } },
	[S_DELETE] = { "deleteUser",      { OK,  OK,  DEN, DEN, DEN, NLI } },
	[S_CHANGE_OWN] = { "changePswd own", { OK, OK, OK, OK,  OK,  NLI } },
	[S_LOGIN] = { "login",            { ALI, ALI, ALI, ALI, ALI, OK } },
	[S_LOGOUT] = { "logout",          { OK,  OK,  OK,  OK,  OK,  NLI } },
};

/* Users every matrix run starts with, besides admin and app_user. */
static int
plant_matrix_users(void)
{
	return plant_user("officer", HSM_USER_CO, "officer-pw") &&
	       plant_user("primary", HSM_USER_PCO, "primary-pw") &&
	       plant_user("crypto", HSM_USER_CU, "crypto-pw") &&
	       plant_user("target_cu", HSM_USER_CU, "target-pw") &&
	       plant_user("victim", HSM_USER_CU, "victim-pw") &&
	       plant_user("spare", HSM_USER_CU, "spare-pw") &&
	       plant_password("app_user", "appuser-pw") == 0 ? 0 : -1;
}

/* The masked object of "spare", which is then deleted: inserting it is a
 * change that only an authorised session can make. */
static int
prepare_spare_blob(struct hbuf *blob)
{
	struct session *co = session_as(HSM_USER_CO, "officer", "officer-pw");
	hsm_rc a = co ? extract_user(co, 0, "spare", blob) : BAD_REPLY;
	hsm_rc b = co ? delete_user(co, HSM_USER_CU, "spare") : BAD_REPLY;
	if (co != NULL)
		(void)logout(co);
	sess_close(co);
	return a == HSM_RC_SUCCESS && b == HSM_RC_SUCCESS && !user_exists("spare") ? 0 : -1;
}

static hsm_rc
run_step(struct session *s, enum kind k, enum step st, const struct hbuf *spare)
{
	switch (st) {
	case S_HELLO: return call(s, OP_HELLO, NULL, NULL);
	case S_HSM_INFO: return call(s, OP_GET_HSM_INFO, NULL, NULL);
	case S_CLUSTER_INFO: return call(s, OP_CLUSTER_INFO, NULL, NULL);
	case S_LIST_USERS: return call(s, OP_LIST_USERS, NULL, NULL);
	case S_CREATE: return create_user(s, HSM_USER_CU, "newcomer", "newcomer-pw");
	case S_CHANGE_OTHER: return change_pswd(s, HSM_USER_CU, "target_cu", "changed-pw");
	case S_EXTRACT: return extract_user(s, 0, "target_cu", NULL);
	case S_INSERT: return insert_user(s, spare->data, spare->len);
	case S_DELETE: return delete_user(s, HSM_USER_CU, "victim");
	case S_CHANGE_OWN:
		return k == K_NONE ? change_pswd(s, HSM_USER_CU, "crypto", "own-new-pw")
		                   : change_pswd(s, kinds[k].type, kinds[k].user, "own-new-pw");
	case S_LOGIN: return login(s, HSM_USER_CU, "crypto", "crypto-pw");
	case S_LOGOUT: return logout(s);
	case NSTEPS: break;
	}
	return BAD_REPLY;
}

/* What each step leaves behind, allowed or not. */
static void
check_effect(enum kind k, enum step st, bool allowed)
{
	switch (st) {
	case S_CREATE: CU_ASSERT_EQUAL(user_exists("newcomer"), allowed); break;
	case S_CHANGE_OTHER: CU_ASSERT_EQUAL(password_is("target_cu", "changed-pw"), allowed);
		CU_ASSERT_EQUAL(password_is("target_cu", "target-pw"), !allowed); break;
	case S_INSERT: CU_ASSERT_EQUAL(user_exists("spare"), allowed); break;
	case S_DELETE: CU_ASSERT_EQUAL(user_exists("victim"), !allowed); break;
	case S_CHANGE_OWN:
		if (k != K_NONE) {
			CU_ASSERT_EQUAL(password_is(kinds[k].user, "own-new-pw"), allowed);
		} else {
			CU_ASSERT_TRUE(password_is("crypto", "crypto-pw"));
		}
		break;
	default: break;
	}
}

static void
run_matrix(enum kind k)
{
	struct hbuf spare;
	hbuf_init(&spare);
	CU_ASSERT_PTR_NOT_NULL_FATAL(direct);
	CU_ASSERT_EQUAL_FATAL(plant_matrix_users(), 0);
	CU_ASSERT_EQUAL_FATAL(prepare_spare_blob(&spare), 0);
	struct session *s = k == K_NONE ? sess_open()
	                                : session_as(kinds[k].type, kinds[k].user, kinds[k].pw);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	/* Unauthenticated: logout comes before the login that changes the kind. */
	static const enum step order_in[] = { S_HELLO, S_HSM_INFO, S_CLUSTER_INFO, S_LIST_USERS,
		S_CREATE, S_CHANGE_OTHER, S_EXTRACT, S_INSERT, S_DELETE, S_CHANGE_OWN, S_LOGIN,
		S_LOGOUT };
	static const enum step order_none[] = { S_HELLO, S_HSM_INFO, S_CLUSTER_INFO,
		S_LIST_USERS, S_CREATE, S_CHANGE_OTHER, S_EXTRACT, S_INSERT, S_DELETE,
		S_CHANGE_OWN, S_LOGOUT, S_LOGIN };
	const enum step *order = k == K_NONE ? order_none : order_in;
	for (int i = 0; i < NSTEPS; i++) {
		hsm_rc got = run_step(s, k, order[i], &spare);
		hsm_rc want = steps[order[i]].want[k];
		if (got != want)
			printf("\n    %s as %s: 0x%x, want 0x%x", steps[order[i]].name, kinds[k].name,
			       got, want);
		CU_ASSERT_EQUAL(got, want);
		check_effect(k, order[i], want == HSM_RC_SUCCESS);
	}
	if (k == K_NONE)
		(void)logout(s);
	sess_close(s);
	hbuf_free(&spare);
}

static void test_matrix_co(void) { run_matrix(K_CO); }
static void test_matrix_pco(void) { run_matrix(K_PCO); }
static void test_matrix_cu(void) { run_matrix(K_CU); }
static void test_matrix_au(void) { run_matrix(K_AU); }
static void test_matrix_preco(void) { run_matrix(K_PRECO); }
static void test_matrix_none(void) { run_matrix(K_NONE); }

/* ---- node information ------------------------------------------------------------ */

static void
test_node_information(void)
{
	struct session *s = sess_open();
	struct hbuf reply;
	struct hrd r;
	hbuf_init(&reply);
	CU_ASSERT_EQUAL_FATAL(call(s, OP_HELLO, NULL, &reply), HSM_RC_SUCCESS);
	struct msg_hello h;
	hrd_init(&r, reply.data, reply.len);
	CU_ASSERT_EQUAL(msg_hello_decode(&r, &h), 0);
	CU_ASSERT(h.node_id == 0 && h.node_count == 2);
	CU_ASSERT_STRING_EQUAL(h.hsm_id, "hsm-dispatch000");
	CU_ASSERT_STRING_EQUAL(h.cluster_id, "cluster-dispatch");
	CU_ASSERT_EQUAL(call(s, OP_CLUSTER_INFO, NULL, &reply), HSM_RC_SUCCESS);
	struct msg_cluster_info ci;
	hrd_init(&r, reply.data, reply.len);
	CU_ASSERT_EQUAL(msg_cluster_info_decode(&r, &ci), 0);
	CU_ASSERT(ci.count == 2 && ci.nodes[1].node_id == 1 && ci.nodes[1].port == 40001);
	CU_ASSERT_STRING_EQUAL(ci.nodes[1].host, "node1.test");
	CU_ASSERT_EQUAL(call(s, OP_GET_HSM_INFO, NULL, &reply), HSM_RC_SUCCESS);
	hsm_hsm_info info;
	hrd_init(&r, reply.data, reply.len);
	CU_ASSERT_EQUAL(msg_hsm_info_decode(&r, &info), 0);
	/* compatibility.md: serial SIM-<hsm id>. */
	CU_ASSERT_STRING_EQUAL(info.serial, "SIM-hsm-dispatch000");
	hbuf_free(&reply);
	sess_close(s);
}

/* ---- malformed requests ------------------------------------------------------------ */

static hsm_rc
call_bytes(struct session *s, const struct hbuf *frame)
{
	/* The frame's own id and opcode, for the reply check. */
	uint16_t op = (uint16_t)((frame->data[6] << 8) | frame->data[7]);
	uint32_t id = ((uint32_t)frame->data[8] << 24) | ((uint32_t)frame->data[9] << 16) |
	              ((uint32_t)frame->data[10] << 8) | frame->data[11];
	return call_raw(s, frame->data + 4, frame->len - 4, op, id, NULL);
}

static hsm_rc
send_header(struct session *s, uint8_t version, uint8_t kind, uint16_t op, uint32_t status)
{
	struct hbuf f;
	hbuf_init(&f);
	hbuf_put_u32(&f, PROTO_HDR_LEN);
	hbuf_put_u8(&f, version);
	hbuf_put_u8(&f, kind);
	hbuf_put_u16(&f, op);
	hbuf_put_u32(&f, next_request_id++);
	hbuf_put_u32(&f, status);
	hsm_rc rc = call_bytes(s, &f);
	hbuf_free(&f);
	return rc;
}

static void
test_bad_frames_and_unknown_opcodes(void)
{
	CU_ASSERT_EQUAL_FATAL(plant_user("officer", HSM_USER_CO, "officer-pw") != 0, 1);
	struct session *anon = sess_open();
	struct session *co = session_as(HSM_USER_CO, "officer", "officer-pw");
	CU_ASSERT_PTR_NOT_NULL_FATAL(co);
	struct session *both[] = { anon, co };
	static const uint16_t unknown[] = { 0x0000, 0x0008, 0x00ff, 0x0100, 0x0107, 0x7fff, 0xffff };
	for (int w = 0; w < 2; w++) {
		for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++)
			CU_ASSERT_EQUAL(send_header(both[w], 1, PROTO_REQUEST, unknown[i], 0), DROPPED);
		CU_ASSERT_EQUAL(send_header(both[w], 1, PROTO_REQUEST, OP_HELLO, 0), HSM_RC_SUCCESS);
		CU_ASSERT_EQUAL(send_header(both[w], 2, PROTO_REQUEST, OP_HELLO, 0), DROPPED);
		CU_ASSERT_EQUAL(send_header(both[w], 0, PROTO_REQUEST, OP_HELLO, 0), DROPPED);
		CU_ASSERT_EQUAL(send_header(both[w], 1, PROTO_RESPONSE, OP_HELLO, 0), DROPPED);
		CU_ASSERT_EQUAL(send_header(both[w], 1, 7, OP_HELLO, 0), DROPPED);
		CU_ASSERT_EQUAL(send_header(both[w], 1, PROTO_REQUEST, OP_HELLO, 1), DROPPED);
		static const uint8_t shorty[] = { 1, 1, 0, 1, 0, 0 };
		CU_ASSERT_EQUAL(call_raw(both[w], shorty, sizeof(shorty), OP_HELLO, 0, NULL), DROPPED);
		CU_ASSERT_EQUAL(call_raw(both[w], shorty, 0, OP_HELLO, 0, NULL), DROPPED);
	}
	(void)logout(co);
	sess_close(co);
	sess_close(anon);
}

/* A valid payload for each user operation, plus the session allowed to send it. */
static void
build_payload(uint16_t op, struct hbuf *p)
{
	struct msg_user_req with_pw = { .user_type = HSM_USER_CU, .flags = 0,
	                                .name = "some_user", .password = "some-password" };
	struct msg_user_req no_pw = { .user_type = HSM_USER_CU, .flags = 0,
	                              .name = "some_user", .password = NULL };
	struct msg_user_ref ref = { 0, "some_user" };
	static const uint8_t blob[40] = { 1 };
	struct msg_blob b = { blob, sizeof(blob) };
	switch (op) {
	case OP_LOGIN: case OP_CREATE_USER: case OP_CHANGE_PSWD:
		msg_user_req_encode(p, &with_pw); break;
	case OP_DELETE_USER: msg_user_req_encode(p, &no_pw); break;
	case OP_EXTRACT_USER: msg_user_ref_encode(p, &ref); break;
	case OP_INSERT_USER: msg_blob_encode(p, &b); break;
	default: break;
	}
}

static hsm_rc
send_payload(struct session *s, uint16_t op, const uint8_t *p, size_t n)
{
	struct hbuf f;
	uint32_t id = next_request_id++;
	hbuf_init(&f);
	proto_begin(&f, PROTO_REQUEST, op, id, 0);
	hbuf_put_raw(&f, p, n);
	(void)proto_finish(&f);
	hsm_rc rc = call_raw(s, f.data + 4, f.len - 4, op, id, NULL);
	hbuf_free(&f);
	return rc;
}

/* Every truncation and a trailing byte drop the session; a payload on a
 * request that takes none does too. */
static void
test_malformed_payloads(void)
{
	static const uint16_t with_payload[] = { OP_LOGIN, OP_CREATE_USER, OP_DELETE_USER,
		OP_CHANGE_PSWD, OP_EXTRACT_USER, OP_INSERT_USER };
	static const uint16_t without[] = { OP_HELLO, OP_GET_HSM_INFO, OP_CLUSTER_INFO,
		OP_LIST_USERS, OP_LOGOUT };
	CU_ASSERT_EQUAL_FATAL(plant_user("officer", HSM_USER_CO, "officer-pw") != 0, 1);
	struct session *anon = sess_open();
	struct session *co = session_as(HSM_USER_CO, "officer", "officer-pw");
	CU_ASSERT_PTR_NOT_NULL_FATAL(co);
	for (size_t i = 0; i < sizeof(with_payload) / sizeof(with_payload[0]); i++) {
		uint16_t op = with_payload[i];
		struct session *s = op == OP_LOGIN ? anon : co;
		struct hbuf p;
		hbuf_init(&p);
		build_payload(op, &p);
		unsigned kept = 0;
		for (size_t cut = 0; cut < p.len; cut++)
			kept += send_payload(s, op, p.data, cut) != DROPPED;
		hbuf_put_u8(&p, 0);
		kept += send_payload(s, op, p.data, p.len) != DROPPED;
		if (kept)
			printf("\n    %s: %u malformed payloads answered", proto_op_name(op), kept);
		CU_ASSERT_EQUAL(kept, 0);
		hbuf_free(&p);
	}
	static const uint8_t extra[1] = { 0 };
	for (size_t i = 0; i < sizeof(without) / sizeof(without[0]); i++)
		CU_ASSERT_EQUAL(send_payload(co, without[i], extra, 1), DROPPED);
	CU_ASSERT_EQUAL(send_payload(anon, OP_LIST_USERS, extra, 1), DROPPED);
	/* Still logged in and served after all that. */
	CU_ASSERT_EQUAL(logout(co), HSM_RC_SUCCESS);
	sess_close(co);
	sess_close(anon);
}

/* ---- login and lockout ---------------------------------------------------------------- */

static void
test_lockout_after_five_failures(void)
{
	CU_ASSERT_FATAL(plant_user("officer", HSM_USER_CO, "officer-pw") != 0);
	CU_ASSERT_FATAL(plant_user("locky", HSM_USER_CU, "locky-pw1") != 0);
	struct session *s = sess_open();
	for (long i = 1; i <= 5; i++) {
		CU_ASSERT_EQUAL(login(s, HSM_USER_CU, "locky", "wrong-pw"), HSM_RC_LOGIN_FAILURE);
		CU_ASSERT_EQUAL(listed_failures(s, "locky"), i);
	}
	CU_ASSERT_EQUAL(login(s, HSM_USER_CU, "locky", "locky-pw1"), HSM_RC_USER_LOCKED);
	CU_ASSERT_EQUAL(login(s, HSM_USER_CU, "locky", "wrong-pw"), HSM_RC_USER_LOCKED);
	CU_ASSERT_EQUAL(login(s, HSM_USER_CU, "LOCKY", "locky-pw1"), HSM_RC_USER_LOCKED);
	CU_ASSERT_EQUAL(listed_failures(s, "locky"), 5);
	/* Still not logged in: listUsers works, logout does not. */
	CU_ASSERT_EQUAL(logout(s), HSM_RC_NOT_LOGGED_IN);
	/* A CO resets the password, which unlocks. */
	struct session *co = session_as(HSM_USER_CO, "officer", "officer-pw");
	CU_ASSERT_PTR_NOT_NULL_FATAL(co);
	CU_ASSERT_EQUAL(change_pswd(co, HSM_USER_CU, "locky", "locky-pw2"), HSM_RC_SUCCESS);
	CU_ASSERT_EQUAL(listed_failures(s, "locky"), 0);
	CU_ASSERT_EQUAL(login(s, HSM_USER_CU, "locky", "locky-pw1"), HSM_RC_LOGIN_FAILURE);
	CU_ASSERT_EQUAL(login(s, HSM_USER_CU, "locky", "locky-pw2"), HSM_RC_SUCCESS);
	CU_ASSERT_EQUAL(listed_failures(s, "locky"), 0);
	CU_ASSERT_EQUAL(logout(s), HSM_RC_SUCCESS);
	CU_ASSERT_EQUAL(logout(co), HSM_RC_SUCCESS);
	sess_close(co);
	sess_close(s);
}

static void
test_success_resets_failures(void)
{
	CU_ASSERT_FATAL(plant_user("flaky", HSM_USER_CU, "flaky-pw") != 0);
	struct session *s = sess_open();
	for (int i = 0; i < 4; i++)
		CU_ASSERT_EQUAL(login(s, HSM_USER_CU, "flaky", "nope-nope"), HSM_RC_LOGIN_FAILURE);
	CU_ASSERT_EQUAL(listed_failures(s, "flaky"), 4);
	CU_ASSERT_EQUAL(login(s, HSM_USER_CU, "flaky", "flaky-pw"), HSM_RC_SUCCESS);
	CU_ASSERT_EQUAL(listed_failures(s, "flaky"), 0);
	CU_ASSERT_EQUAL(logout(s), HSM_RC_SUCCESS);
	/* Five more are needed to lock it again. */
	for (int i = 0; i < 4; i++)
		CU_ASSERT_EQUAL(login(s, HSM_USER_CU, "flaky", "nope-nope"), HSM_RC_LOGIN_FAILURE);
	CU_ASSERT_EQUAL(login(s, HSM_USER_CU, "flaky", "flaky-pw"), HSM_RC_SUCCESS);
	CU_ASSERT_EQUAL(logout(s), HSM_RC_SUCCESS);
	sess_close(s);
}

static void
test_login_errors(void)
{
	CU_ASSERT_FATAL(plant_user("officer", HSM_USER_CO, "officer-pw") != 0);
	CU_ASSERT_FATAL(plant_user("primary", HSM_USER_PCO, "primary-pw") != 0);
	CU_ASSERT_FATAL(plant_user("crypto", HSM_USER_CU, "crypto-pw") != 0);
	struct session *s = sess_open();
	CU_ASSERT_EQUAL(login(s, HSM_USER_CU, "nobody", "whatever-pw"),
	                HSM_RC_USER_NOT_INITIALIZED);
	/* A wrong type is not a failed password and is not counted. */
	CU_ASSERT_EQUAL(login(s, HSM_USER_CO, "crypto", "crypto-pw"), HSM_RC_BAD_USER_TYPE);
	CU_ASSERT_EQUAL(login(s, HSM_USER_CU, "officer", "officer-pw"), HSM_RC_BAD_USER_TYPE);
	CU_ASSERT_EQUAL(listed_failures(s, "crypto"), 0);
	CU_ASSERT_EQUAL(listed_failures(s, "officer"), 0);
	/* key_mgmt_util's login takes crypto users only. */
	CU_ASSERT_EQUAL(user_call(s, OP_LOGIN, HSM_USER_CO, "officer", "officer-pw",
	                          LOGIN_FLAG_CU_ONLY), HSM_RC_BAD_USER_TYPE);
	CU_ASSERT_EQUAL(user_call(s, OP_LOGIN, HSM_USER_CU, "crypto", "crypto-pw",
	                          LOGIN_FLAG_CU_ONLY), HSM_RC_SUCCESS);
	CU_ASSERT_EQUAL(logout(s), HSM_RC_SUCCESS);
	/* CO and PCO match each other; names are case-insensitive. */
	CU_ASSERT_EQUAL(login(s, HSM_USER_PCO, "OFFICER", "officer-pw"), HSM_RC_SUCCESS);
	CU_ASSERT_EQUAL(logout(s), HSM_RC_SUCCESS);
	CU_ASSERT_EQUAL(login(s, HSM_USER_CO, "Primary", "primary-pw"), HSM_RC_SUCCESS);
	CU_ASSERT_EQUAL(login(s, HSM_USER_CU, "crypto", "crypto-pw"), HSM_RC_ALREADY_LOGGED_IN);
	CU_ASSERT_EQUAL(logout(s), HSM_RC_SUCCESS);
	CU_ASSERT_EQUAL(logout(s), HSM_RC_NOT_LOGGED_IN);
	/* Not a user type at all. */
	CU_ASSERT_NOT_EQUAL(login(s, 4, "crypto", "crypto-pw"), HSM_RC_SUCCESS);
	CU_ASSERT_NOT_EQUAL(login(s, 0, "crypto", "crypto-pw"), HSM_RC_SUCCESS);
	CU_ASSERT_EQUAL(logout(s), HSM_RC_NOT_LOGGED_IN);
	sess_close(s);
}

/* ---- activation ------------------------------------------------------------------------ */

static void
test_preco_activation(void)
{
	struct session *s = session_as(HSM_USER_PRECO, "admin", "password");
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(listed_type(s, "admin"), HSM_USER_PRECO);
	CU_ASSERT_EQUAL(create_user(s, HSM_USER_CU, "too_early", "password1"),
	                HSM_RC_PERMISSION_DENIED);
	CU_ASSERT_EQUAL(change_pswd(s, HSM_USER_PRECO, "admin", "activated1"), HSM_RC_SUCCESS);
	CU_ASSERT_EQUAL(listed_type(s, "admin"), HSM_USER_CO);
	/* The session now acts as the CO it has become. */
	CU_ASSERT_EQUAL(create_user(s, HSM_USER_CU, "first_cu", "password1"), HSM_RC_SUCCESS);
	CU_ASSERT_EQUAL(logout(s), HSM_RC_SUCCESS);
	CU_ASSERT_EQUAL(login(s, HSM_USER_PRECO, "admin", "activated1"), HSM_RC_BAD_USER_TYPE);
	CU_ASSERT_EQUAL(login(s, HSM_USER_CO, "admin", "password"), HSM_RC_LOGIN_FAILURE);
	CU_ASSERT_EQUAL(login(s, HSM_USER_CO, "admin", "activated1"), HSM_RC_SUCCESS);
	CU_ASSERT_EQUAL(logout(s), HSM_RC_SUCCESS);
	sess_close(s);
}

/* ---- createUser validation ---------------------------------------------------------------- */

static const char name31[] = "abcdefghijklmnopqrstuvwxyz_0123";
static const char name32[] = "abcdefghijklmnopqrstuvwxyz_01234";
static const char pw6[] = "123456", pw7[] = "1234567";
static const char pw32[] = "12345678901234567890123456789012";
static const char pw33[] = "123456789012345678901234567890123";

static void
test_create_validation_order(void)
{
	CU_ASSERT_FATAL(plant_user("officer", HSM_USER_CO, "officer-pw") != 0);
	struct session *co = session_as(HSM_USER_CO, "officer", "officer-pw");
	CU_ASSERT_PTR_NOT_NULL_FATAL(co);
	static const unsigned bad_types[] = { 0, 4, HSM_USER_AU, 7, 255 };
	for (size_t i = 0; i < sizeof(bad_types) / sizeof(bad_types[0]); i++) {
		CU_ASSERT_EQUAL(create_user(co, bad_types[i], "fine_name", "fine-password"),
		                HSM_RC_BAD_USER_TYPE_ARG);
		/* Type is checked first: a bad name and password change nothing. */
		CU_ASSERT_EQUAL(create_user(co, bad_types[i], "bad name", pw6),
		                HSM_RC_BAD_USER_TYPE_ARG);
	}
	static const char *bad_names[] = { "", "a-b", "a b", "a.b", "caf\xc3\xa9", "x;y", name32 };
	for (size_t i = 0; i < sizeof(bad_names) / sizeof(bad_names[0]); i++) {
		CU_ASSERT_EQUAL(create_user(co, HSM_USER_CU, bad_names[i], "fine-password"),
		                HSM_RC_INVALID_INPUT);
		CU_ASSERT_EQUAL(create_user(co, HSM_USER_CU, bad_names[i], pw33),
		                HSM_RC_INVALID_INPUT);
	}
	CU_ASSERT_EQUAL(create_user(co, HSM_USER_CU, "short_pw", pw6), HSM_RC_BAD_PASSWORD_LENGTH);
	CU_ASSERT_EQUAL(create_user(co, HSM_USER_CU, "long_pw", pw33), HSM_RC_BAD_PASSWORD_LENGTH);
	CU_ASSERT_EQUAL(create_user(co, HSM_USER_CU, "empty_pw", ""), HSM_RC_BAD_PASSWORD_LENGTH);
	/* Password before existence: an existing name with a bad password. */
	CU_ASSERT_EQUAL(create_user(co, HSM_USER_CU, "officer", pw6), HSM_RC_BAD_PASSWORD_LENGTH);
	CU_ASSERT_FALSE(user_exists("short_pw") || user_exists("long_pw") || user_exists("a b"));
	CU_ASSERT_EQUAL(logout(co), HSM_RC_SUCCESS);
	sess_close(co);
}

static void
test_create_accepts_limits_and_types(void)
{
	CU_ASSERT_FATAL(plant_user("officer", HSM_USER_CO, "officer-pw") != 0);
	struct session *co = session_as(HSM_USER_CO, "officer", "officer-pw");
	CU_ASSERT_PTR_NOT_NULL_FATAL(co);
	CU_ASSERT_EQUAL(create_user(co, HSM_USER_CU, "pw_seven", pw7), HSM_RC_SUCCESS);
	CU_ASSERT_EQUAL(create_user(co, HSM_USER_CU, "pw_thirtytwo", pw32), HSM_RC_SUCCESS);
	CU_ASSERT_EQUAL(create_user(co, HSM_USER_CU, name31, "fine-password"), HSM_RC_SUCCESS);
	CU_ASSERT_EQUAL(create_user(co, HSM_USER_CU, "x", "fine-password"), HSM_RC_SUCCESS);
	CU_ASSERT_EQUAL(create_user(co, HSM_USER_CO, "new_co", "fine-password"), HSM_RC_SUCCESS);
	CU_ASSERT_EQUAL(create_user(co, HSM_USER_PCO, "new_pco", "fine-password"), HSM_RC_SUCCESS);
	CU_ASSERT_EQUAL(create_user(co, HSM_USER_PRECO, "new_preco", "fine-password"),
	                HSM_RC_SUCCESS);
	CU_ASSERT_TRUE(password_is("pw_seven", pw7));
	CU_ASSERT_TRUE(password_is("pw_thirtytwo", pw32));
	CU_ASSERT_EQUAL(listed_type(co, "new_pco"), HSM_USER_PCO);
	CU_ASSERT_EQUAL(listed_type(co, "new_co"), HSM_USER_CO);
	/* Stored in one case; the other case is the same user. */
	CU_ASSERT_EQUAL(create_user(co, HSM_USER_CU, "Dup_User", "fine-password"), HSM_RC_SUCCESS);
	CU_ASSERT_EQUAL(create_user(co, HSM_USER_CU, "dup_user", "fine-password"),
	                HSM_RC_USER_ALREADY_EXISTS);
	CU_ASSERT_EQUAL(create_user(co, HSM_USER_CO, "DUP_USER", "fine-password"),
	                HSM_RC_USER_ALREADY_EXISTS);
	CU_ASSERT_EQUAL(create_user(co, HSM_USER_CU, "ADMIN", "fine-password"),
	                HSM_RC_USER_ALREADY_EXISTS);
	CU_ASSERT_EQUAL(listed_type(co, "dup_user"), HSM_USER_CU);
	/* Ids: the next after the highest (admin 1, app_user 2, officer 3). */
	struct store_user u;
	CU_ASSERT(store_user_find(direct, "pw_seven", &u) == 0 && u.id == 4);
	CU_ASSERT_EQUAL(logout(co), HSM_RC_SUCCESS);
	sess_close(co);
}

static void
test_max_users(void)
{
	CU_ASSERT_FATAL(plant_user("officer", HSM_USER_CO, "officer-pw") != 0);
	/* Fill to 1,023 users in one transaction, reusing one hash. */
	struct store_user u;
	uint32_t count = 0;
	CU_ASSERT_EQUAL_FATAL(store_user_find(direct, "officer", &u), 0);
	CU_ASSERT_EQUAL_FATAL(store_begin(direct), 0);
	for (unsigned i = 0; store_user_count(direct, &count) == 0 && count < HSM_MAX_USERS - 1; i++) {
		u.id = 0;
		snprintf(u.name, sizeof(u.name), "filler_%04u", i);
		u.type = HSM_USER_CU;
		if (store_user_insert(direct, &u) != 0)
			break;
	}
	CU_ASSERT_EQUAL_FATAL(store_commit(direct), 0);
	CU_ASSERT_EQUAL_FATAL(count, HSM_MAX_USERS - 1);
	struct session *co = session_as(HSM_USER_CO, "officer", "officer-pw");
	CU_ASSERT_PTR_NOT_NULL_FATAL(co);
	CU_ASSERT_EQUAL(create_user(co, HSM_USER_CU, "user_1024", "fine-password"), HSM_RC_SUCCESS);
	CU_ASSERT_EQUAL(create_user(co, HSM_USER_CU, "user_1025", "fine-password"),
	                HSM_RC_MAX_USERS);
	CU_ASSERT_EQUAL(create_user(co, HSM_USER_CO, "co_1025", "fine-password"), HSM_RC_MAX_USERS);
	CU_ASSERT_FALSE(user_exists("user_1025"));
	/* listUsers shows all 1,024. */
	hsm_user_list l;
	CU_ASSERT_EQUAL(list_users(co, &l), HSM_RC_SUCCESS);
	CU_ASSERT_EQUAL(l.count, HSM_MAX_USERS);
	hsm_user_list_free(&l);
	/* Room again after a delete. */
	CU_ASSERT_EQUAL(delete_user(co, HSM_USER_CU, "filler_0000"), HSM_RC_SUCCESS);
	CU_ASSERT_EQUAL(create_user(co, HSM_USER_CU, "user_1025", "fine-password"), HSM_RC_SUCCESS);
	CU_ASSERT_EQUAL(logout(co), HSM_RC_SUCCESS);
	sess_close(co);
}

/* ---- deleteUser and changePswd rules ------------------------------------------------------ */

static void
test_delete_rules(void)
{
	CU_ASSERT_FATAL(plant_user("officer", HSM_USER_CO, "officer-pw") != 0);
	CU_ASSERT_FATAL(plant_user("busy", HSM_USER_CU, "busy-pw") != 0);
	uint32_t owner = plant_user("owner", HSM_USER_CU, "owner-pw");
	CU_ASSERT_FATAL(owner != 0);
	CU_ASSERT_EQUAL_FATAL(cu_db_insert_key_at(node.db_path, 262150, owner), 0);
	struct session *co = session_as(HSM_USER_CO, "officer", "officer-pw");
	struct session *cu = session_as(HSM_USER_CU, "busy", "busy-pw");
	CU_ASSERT_FATAL(co != NULL && cu != NULL);
	CU_ASSERT_EQUAL(delete_user(co, HSM_USER_CU, "busy"), HSM_RC_USER_LOGGED_IN);
	CU_ASSERT_TRUE(user_exists("busy"));
	CU_ASSERT_EQUAL(delete_user(co, HSM_USER_CO, "officer"), HSM_RC_USER_LOGGED_IN);
	CU_ASSERT_EQUAL(delete_user(co, HSM_USER_CU, "owner"), HSM_RC_USER_OWNS_KEYS);
	CU_ASSERT_EQUAL(delete_user(co, HSM_USER_CU, "nobody"), HSM_RC_USER_DOES_NOT_EXIST);
	CU_ASSERT_EQUAL(delete_user(co, HSM_USER_CO, "busy"), HSM_RC_USER_DOES_NOT_EXIST);
	CU_ASSERT_EQUAL(delete_user(co, 4, "busy"), HSM_RC_BAD_USER_TYPE_ARG);
	CU_ASSERT_EQUAL(delete_user(co, HSM_USER_CU, "bad name"), HSM_RC_INVALID_INPUT);
	/* app_user cannot be deleted (compatibility.md). */
	CU_ASSERT_NOT_EQUAL(delete_user(co, HSM_USER_AU, "app_user"), HSM_RC_SUCCESS);
	CU_ASSERT_TRUE(user_exists("app_user"));
	CU_ASSERT_EQUAL(logout(cu), HSM_RC_SUCCESS);
	CU_ASSERT_EQUAL(delete_user(co, HSM_USER_CU, "BUSY"), HSM_RC_SUCCESS);
	CU_ASSERT_FALSE(user_exists("busy"));
	CU_ASSERT_EQUAL(logout(co), HSM_RC_SUCCESS);
	sess_close(cu);
	sess_close(co);
}

static void
test_change_pswd_rules(void)
{
	CU_ASSERT_FATAL(plant_user("officer", HSM_USER_CO, "officer-pw") != 0);
	CU_ASSERT_FATAL(plant_user("primary", HSM_USER_PCO, "primary-pw") != 0);
	CU_ASSERT_FATAL(plant_user("busy", HSM_USER_CU, "busy-pw") != 0);
	CU_ASSERT_FATAL(plant_user("idle", HSM_USER_CU, "idle-pw") != 0);
	struct session *co = session_as(HSM_USER_CO, "officer", "officer-pw");
	struct session *cu = session_as(HSM_USER_CU, "busy", "busy-pw");
	CU_ASSERT_FATAL(co != NULL && cu != NULL);
	CU_ASSERT_EQUAL(change_pswd(co, HSM_USER_CU, "busy", "new-busy-pw"), HSM_RC_USER_LOGGED_IN);
	CU_ASSERT_TRUE(password_is("busy", "busy-pw"));
	CU_ASSERT_EQUAL(change_pswd(co, HSM_USER_CU, "idle", pw6), HSM_RC_BAD_PASSWORD_LENGTH);
	CU_ASSERT_EQUAL(change_pswd(co, HSM_USER_CU, "idle", pw33), HSM_RC_BAD_PASSWORD_LENGTH);
	CU_ASSERT_EQUAL(change_pswd(co, HSM_USER_CU, "nobody", "fine-password"),
	                HSM_RC_USER_DOES_NOT_EXIST);
	CU_ASSERT_EQUAL(change_pswd(co, HSM_USER_CO, "idle", "fine-password"),
	                HSM_RC_USER_DOES_NOT_EXIST);
	CU_ASSERT_TRUE(password_is("idle", "idle-pw"));
	/* A CO changes any user's password; CO and PCO name each other. */
	CU_ASSERT_EQUAL(change_pswd(co, HSM_USER_CO, "primary", "primary-pw2"), HSM_RC_SUCCESS);
	CU_ASSERT_EQUAL(change_pswd(co, HSM_USER_AU, "app_user", "appuser-pw2"), HSM_RC_SUCCESS);
	CU_ASSERT_EQUAL(change_pswd(co, HSM_USER_CU, "IDLE", pw7), HSM_RC_SUCCESS);
	CU_ASSERT_TRUE(password_is("idle", pw7));
	CU_ASSERT_EQUAL(listed_type(co, "primary"), HSM_USER_PCO);
	/* Own password while logged in is fine, for a CU too. */
	CU_ASSERT_EQUAL(change_pswd(cu, HSM_USER_CU, "busy", pw32), HSM_RC_SUCCESS);
	CU_ASSERT_TRUE(password_is("busy", pw32));
	CU_ASSERT_EQUAL(change_pswd(cu, HSM_USER_CU, "idle", "cu-tried-it"), HSM_RC_PERMISSION_DENIED);
	CU_ASSERT_TRUE(password_is("idle", pw7));
	CU_ASSERT_EQUAL(logout(cu), HSM_RC_SUCCESS);
	CU_ASSERT_EQUAL(logout(co), HSM_RC_SUCCESS);
	sess_close(cu);
	sess_close(co);
}

/* ---- masked user objects ------------------------------------------------------------------- */

static void
test_masked_round_trip(void)
{
	CU_ASSERT_FATAL(plant_user("officer", HSM_USER_CO, "officer-pw") != 0);
	uint32_t id = plant_user("traveller", HSM_USER_CU, "traveller-pw");
	CU_ASSERT_FATAL(id != 0);
	CU_ASSERT_EQUAL_FATAL(store_user_set_failures(direct, id, 2), 0);
	struct session *co = session_as(HSM_USER_CO, "officer", "officer-pw");
	CU_ASSERT_PTR_NOT_NULL_FATAL(co);
	struct hbuf by_name, by_id;
	hbuf_init(&by_name);
	hbuf_init(&by_id);
	CU_ASSERT_EQUAL(extract_user(co, 0, "TRAVELLER", &by_name), HSM_RC_SUCCESS);
	CU_ASSERT_EQUAL(extract_user(co, id, "", &by_id), HSM_RC_SUCCESS);
	CU_ASSERT(by_name.len > 0 && by_id.len == by_name.len);
	/* Sealed, not in the clear: the name does not appear in the blob. */
	CU_ASSERT_PTR_NULL(memmem(by_name.data, by_name.len, "traveller", 9));
	CU_ASSERT_EQUAL(extract_user(co, 0, "nobody", NULL), HSM_RC_USER_DOES_NOT_EXIST);
	CU_ASSERT_EQUAL(extract_user(co, 999, "", NULL), HSM_RC_USER_DOES_NOT_EXIST);
	CU_ASSERT_EQUAL(delete_user(co, HSM_USER_CU, "traveller"), HSM_RC_SUCCESS);
	CU_ASSERT_EQUAL(insert_user(co, by_name.data, by_name.len), HSM_RC_SUCCESS);
	struct store_user u;
	CU_ASSERT_EQUAL_FATAL(store_user_find(direct, "traveller", &u), 0);
	CU_ASSERT_EQUAL(u.id, id);                 /* the id was free: kept */
	CU_ASSERT_EQUAL(u.type, HSM_USER_CU);
	CU_ASSERT_EQUAL(u.failures, 2);
	CU_ASSERT_TRUE(kdf_check_password(&u, "traveller-pw"));
	struct session *t = session_as(HSM_USER_CU, "traveller", "traveller-pw");
	CU_ASSERT_PTR_NOT_NULL(t);
	if (t != NULL) {
		CU_ASSERT_EQUAL(logout(t), HSM_RC_SUCCESS);
	}
	sess_close(t);
	CU_ASSERT_EQUAL(logout(co), HSM_RC_SUCCESS);
	sess_close(co);
	hbuf_free(&by_name);
	hbuf_free(&by_id);
}

/* When its id has been taken meanwhile, a user comes back under a new one. */
static void
test_masked_insert_id_taken(void)
{
	CU_ASSERT_FATAL(plant_user("officer", HSM_USER_CO, "officer-pw") != 0);
	uint32_t id = plant_user("traveller", HSM_USER_CU, "traveller-pw");
	struct session *co = session_as(HSM_USER_CO, "officer", "officer-pw");
	CU_ASSERT_FATAL(id != 0 && co != NULL);
	struct hbuf blob;
	struct store_user u;
	hbuf_init(&blob);
	CU_ASSERT_EQUAL(extract_user(co, id, "", &blob), HSM_RC_SUCCESS);
	CU_ASSERT_EQUAL(delete_user(co, HSM_USER_CU, "traveller"), HSM_RC_SUCCESS);
	uint32_t squatter = plant_user("squatter", HSM_USER_CU, "squatter-pw");
	CU_ASSERT_EQUAL(squatter, id);
	CU_ASSERT_EQUAL(insert_user(co, blob.data, blob.len), HSM_RC_SUCCESS);
	CU_ASSERT(store_user_find(direct, "traveller", &u) == 0 && u.id > squatter);
	CU_ASSERT(store_user_find(direct, "squatter", &u) == 0 && u.id == squatter);
	CU_ASSERT_TRUE(password_is("traveller", "traveller-pw"));
	CU_ASSERT_EQUAL(logout(co), HSM_RC_SUCCESS);
	sess_close(co);
	hbuf_free(&blob);
}

/* syncUser onto a user of the same name and type rotates its credentials
 * (the copy's password, key and failures; the id stays); another type is
 * refused and changes nothing. */
static void
test_masked_insert_rotates(void)
{
	CU_ASSERT_FATAL(plant_user("officer", HSM_USER_CO, "officer-pw") != 0);
	uint32_t id = plant_user("traveller", HSM_USER_CU, "old-pw");
	struct session *co = session_as(HSM_USER_CO, "officer", "officer-pw");
	CU_ASSERT_FATAL(id != 0 && co != NULL);
	struct hbuf blob, officer;
	struct store_user u;
	hbuf_init(&blob);
	hbuf_init(&officer);
	CU_ASSERT_EQUAL_FATAL(change_pswd(co, HSM_USER_CU, "traveller", "new-pw-1"), HSM_RC_SUCCESS);
	CU_ASSERT_EQUAL_FATAL(store_user_set_failures(direct, id, 1), 0);
	CU_ASSERT_EQUAL(extract_user(co, id, "", &blob), HSM_RC_SUCCESS);
	CU_ASSERT_EQUAL(extract_user(co, 0, "officer", &officer), HSM_RC_SUCCESS);
	/* The destination still has the old password and another id. */
	CU_ASSERT_EQUAL(delete_user(co, HSM_USER_CU, "traveller"), HSM_RC_SUCCESS);
	CU_ASSERT(plant_user("squatter", HSM_USER_CU, "squatter-pw") == id);
	uint32_t here = plant_user("TRAVELLER", HSM_USER_CU, "old-pw");
	CU_ASSERT_FATAL(here != 0 && here != id);
	CU_ASSERT_EQUAL(insert_user(co, blob.data, blob.len), HSM_RC_SUCCESS);
	CU_ASSERT(store_user_find(direct, "traveller", &u) == 0 && u.id == here &&
	          u.failures == 1 && u.type == HSM_USER_CU);
	CU_ASSERT_TRUE(password_is("traveller", "new-pw-1"));
	CU_ASSERT_FALSE(password_is("traveller", "old-pw"));
	CU_ASSERT_TRUE(password_is("squatter", "squatter-pw"));
	/* The officer's copy onto a CU of that name: refused, nothing changes. */
	CU_ASSERT_EQUAL(logout(co), HSM_RC_SUCCESS);
	sess_close(co);
	CU_ASSERT_EQUAL_FATAL(store_user_find(direct, "officer", &u), 0);
	CU_ASSERT_EQUAL_FATAL(store_user_delete(direct, u.id), 0);
	CU_ASSERT_FATAL(plant_user("officer2", HSM_USER_CO, "officer2-pw") != 0);
	CU_ASSERT_FATAL(plant_user("officer", HSM_USER_CU, "cu-pw") != 0);
	co = session_as(HSM_USER_CO, "officer2", "officer2-pw");
	CU_ASSERT_PTR_NOT_NULL_FATAL(co);
	CU_ASSERT_EQUAL(insert_user(co, officer.data, officer.len), HSM_RC_USER_ALREADY_EXISTS);
	CU_ASSERT(store_user_find(direct, "officer", &u) == 0 && u.type == HSM_USER_CU);
	CU_ASSERT_TRUE(password_is("officer", "cu-pw"));
	CU_ASSERT_EQUAL(logout(co), HSM_RC_SUCCESS);
	sess_close(co);
	hbuf_free(&blob);
	hbuf_free(&officer);
}

static hsm_rc
insert_altered(struct session *co, const struct hbuf *blob, size_t at, uint8_t mask, size_t len)
{
	uint8_t *copy = malloc(blob->len);
	memcpy(copy, blob->data, blob->len);
	if (at < len)
		copy[at] ^= mask;
	hsm_rc rc = insert_user(co, copy, len);
	free(copy);
	return rc;
}

static void
test_masked_tampering(void)
{
	CU_ASSERT_FATAL(plant_user("officer", HSM_USER_CO, "officer-pw") != 0);
	CU_ASSERT_FATAL(plant_user("sealed", HSM_USER_CO, "sealed-pw") != 0);
	struct session *co = session_as(HSM_USER_CO, "officer", "officer-pw");
	CU_ASSERT_PTR_NOT_NULL_FATAL(co);
	struct hbuf blob;
	hbuf_init(&blob);
	CU_ASSERT_EQUAL_FATAL(extract_user(co, 0, "sealed", &blob), HSM_RC_SUCCESS);
	CU_ASSERT_EQUAL_FATAL(delete_user(co, HSM_USER_CO, "sealed"), HSM_RC_SUCCESS);
	unsigned accepted = 0;
	/* Each byte altered (nonce, ciphertext, tag), and a spread of truncations. */
	for (size_t at = 0; at < blob.len; at++)
		accepted += insert_altered(co, &blob, at, (uint8_t)(1u << (at % 8)), blob.len) !=
		            HSM_RC_MASKED_OBJECT_INVALID;
	static const size_t cuts[] = { 0, 1, 11, 12, 27, 28, 29 };
	for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++)
		accepted += insert_altered(co, &blob, blob.len, 0, cuts[i]) !=
		            HSM_RC_MASKED_OBJECT_INVALID;
	accepted += insert_altered(co, &blob, blob.len, 0, blob.len - 1) !=
	            HSM_RC_MASKED_OBJECT_INVALID;
	CU_ASSERT_EQUAL(accepted, 0);
	CU_ASSERT_FALSE(user_exists("sealed"));
	/* A node of another cluster refuses the genuine blob. */
	snprintf(node.identity.cluster_id, sizeof(node.identity.cluster_id), "cluster-other");
	CU_ASSERT_EQUAL(insert_user(co, blob.data, blob.len), HSM_RC_MASKED_OBJECT_INVALID);
	snprintf(node.identity.cluster_id, sizeof(node.identity.cluster_id), "cluster-dispatch");
	node.masking_key[0] ^= 1;
	CU_ASSERT_EQUAL(insert_user(co, blob.data, blob.len), HSM_RC_MASKED_OBJECT_INVALID);
	node.masking_key[0] ^= 1;
	CU_ASSERT_FALSE(user_exists("sealed"));
	/* The genuine one still goes in. */
	CU_ASSERT_EQUAL(insert_user(co, blob.data, blob.len), HSM_RC_SUCCESS);
	CU_ASSERT_TRUE(password_is("sealed", "sealed-pw"));
	CU_ASSERT_EQUAL(logout(co), HSM_RC_SUCCESS);
	sess_close(co);
	hbuf_free(&blob);
}

/* Passwords never reach the audit log. */
static void
test_audit_has_no_passwords(void)
{
	CU_ASSERT_FATAL(plant_user("officer", HSM_USER_CO, "officer-pw") != 0);
	struct session *co = session_as(HSM_USER_CO, "officer", "officer-pw");
	CU_ASSERT_PTR_NOT_NULL_FATAL(co);
	CU_ASSERT_EQUAL(create_user(co, HSM_USER_CU, "audited", "Pw-Create-77"), HSM_RC_SUCCESS);
	CU_ASSERT_EQUAL(change_pswd(co, HSM_USER_CU, "audited", "Pw-Change-88"), HSM_RC_SUCCESS);
	CU_ASSERT_EQUAL(create_user(co, HSM_USER_CU, "bad name", "Pw-Refused-99"),
	                HSM_RC_INVALID_INPUT);
	struct session *s = sess_open();
	CU_ASSERT_EQUAL(login(s, HSM_USER_CU, "audited", "Pw-Wrong-66"), HSM_RC_LOGIN_FAILURE);
	CU_ASSERT(cu_db_int(node.db_path, "SELECT count(*) FROM audit") >= 4);
	CU_ASSERT_EQUAL(cu_db_int(node.db_path, "SELECT count(*) FROM audit WHERE"
	                          " coalesce(detail, '') || coalesce(user, '') || opcode"
	                          " GLOB '*Pw-*'"), 0);
	CU_ASSERT_EQUAL(cu_db_int(node.db_path, "SELECT count(*) FROM audit WHERE"
	                          " coalesce(detail, '') || coalesce(user, '') GLOB '*officer-pw*'"), 0);
	sess_close(s);
	CU_ASSERT_EQUAL(logout(co), HSM_RC_SUCCESS);
	sess_close(co);
}

static CU_TestInfo matrix_tests[] = {
	{ "as CO", test_matrix_co },
	{ "as PCO", test_matrix_pco },
	{ "as CU", test_matrix_cu },
	{ "as AU", test_matrix_au },
	{ "as PRECO", test_matrix_preco },
	{ "unauthenticated", test_matrix_none },
	{ "node information replies", test_node_information },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo frame_tests[] = {
	{ "bad frames, unknown opcodes", test_bad_frames_and_unknown_opcodes },
	{ "malformed payloads", test_malformed_payloads },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo user_tests[] = {
	{ "lockout after five failures", test_lockout_after_five_failures },
	{ "a good login resets the count", test_success_resets_failures },
	{ "login errors", test_login_errors },
	{ "PRECO activation", test_preco_activation },
	{ "createUser validation order", test_create_validation_order },
	{ "createUser limits and types", test_create_accepts_limits_and_types },
	{ "1,025th user", test_max_users },
	{ "deleteUser rules", test_delete_rules },
	{ "changePswd rules", test_change_pswd_rules },
	{ "masked user round trip", test_masked_round_trip },
	{ "masked user whose id was taken", test_masked_insert_id_taken },
	{ "masked user onto one of its name", test_masked_insert_rotates },
	{ "masked user tampering", test_masked_tampering },
	{ "audit log holds no password", test_audit_has_no_passwords },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "dispatch permission matrix", NULL, NULL, setup, teardown, matrix_tests },
	{ "dispatch frames", NULL, NULL, setup, teardown, frame_tests },
	{ "dispatch user rules", NULL, NULL, setup, teardown, user_tests },
	CU_SUITE_INFO_NULL,
};

int
main(void)
{
	int rc = cu_run(suites);
	cu_rmtree(template_dir);
	return rc;
}
