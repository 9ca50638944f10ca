/* test-key-quorum.c - quorum for keys (server-sim/quorum-keys.c, quorum.c) on
 * a real node database: who gets a key token, who approves it, what uses it. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "cu-db.h"
#include "cu-node.h"
#include "cu-quorum.h"
#include "cu-util.h"
#include "keys.h"
#include "quorum-file.h"
#include "quorum.h"
#include "server.h"
#include "store.h"

#define VALIDITY 600u

/* Crypto users alice (3), bob (4, shares the keys), carol (5, registered
 * but no sharer), dave (6, shares the keys, no registered key); officer (7). */
enum { ALICE = 3, BOB, CAROL, DAVE, OFFICER };
enum { K_ALICE, K_BOB, K_CAROL, K_OFFICER, NKEYS };

/* Handles of node 1: quorum keys of m_value 2 (secret, RSA private), one
 * without quorum, and one with m_value 3. */
#define H_QUORUM ((1u << HSM_HANDLE_NODE_SHIFT) | 10u)
#define H_PLAIN ((1u << HSM_HANDLE_NODE_SHIFT) | 11u)
#define H_OTHER ((1u << HSM_HANDLE_NODE_SHIFT) | 12u)
#define H_MISSING ((1u << HSM_HANDLE_NODE_SHIFT) | 99u)

static EVP_PKEY *keys[NKEYS];
static uint8_t ders[NKEYS][HSM_QUORUM_PUBKEY_MAX];
static size_t der_lens[NKEYS];
static char *tmpdir, *template_dir;
static struct node node;
static struct session alice, bob, officer;
static struct store *st;

static const struct store_identity identity = { 1, "cluster-kquorum", "hsm-kquorumtest", "" };

static int
suite_init(void)
{
	template_dir = cu_node_template("kquorum-template", &identity);
	int rc = template_dir != NULL ? 0 : -1;
	for (int i = 0; rc == 0 && i < NKEYS; i++) {
		keys[i] = cu_rsa_key();
		der_lens[i] = keys[i] ? cu_pubkey_der(keys[i], ders[i], sizeof(ders[i])) : 0;
		rc = der_lens[i] > 0 ? 0 : -1;
	}
	return rc;
}

static int
suite_clean(void)
{
	cu_rmtree(template_dir);
	for (int i = 0; i < NKEYS; i++)
		EVP_PKEY_free(keys[i]);
	return 0;
}

static void
plant_user(const char *name, hsm_user_type type, int key)
{
	CU_ASSERT(cu_plant_user(st, name, type, key >= 0 ? ders[key] : NULL,
	                        key >= 0 ? der_lens[key] : 0) != 0);
}

/* An AES key of alice's shared with bob and dave. */
static void
plant_key(uint32_t handle, uint32_t m_value, const char *id)
{
	static const uint8_t aes[32] = { 1, 2, 3, 4 };
	struct key_obj k;
	memset(&k, 0, sizeof(k));
	k.handle = handle;
	k.owner = ALICE;
	k.key_class = HSM_CLASS_SECRET;
	k.key_type = HSM_KEY_AES;
	k.flags = KF_TOKEN | KF_ENCRYPT | KF_DECRYPT | KF_WRAP | KF_UNWRAP | KF_EXTRACTABLE;
	k.value_len = sizeof(aes);
	k.m_value = m_value;
	snprintf(k.label, sizeof(k.label), "kq");
	snprintf(k.id, sizeof(k.id), "%s", id);
	k.nshares = 2;
	k.shares[0] = BOB;
	k.shares[1] = DAVE;
	CU_ASSERT_EQUAL(key_obj_set_material(&k, aes, sizeof(aes)), 0);
	CU_ASSERT_EQUAL(store_begin(st), 0);
	CU_ASSERT_EQUAL(store_key_put(st, node.storage_key, &k), 0);
	CU_ASSERT_EQUAL(store_commit(st), 0);
	key_obj_clear(&k);
}

static void
setup(void)
{
	tmpdir = cu_node_setup(&node, template_dir, "kquorum", &identity);
	memset(node.storage_key, 0x5a, sizeof(node.storage_key));
	st = cu_node_open(&node);
	plant_user("alice", HSM_USER_CU, K_ALICE);
	plant_user("bob", HSM_USER_CU, K_BOB);
	plant_user("carol", HSM_USER_CU, K_CAROL);
	plant_user("dave", HSM_USER_CU, -1);
	plant_user("officer", HSM_USER_CO, K_OFFICER);
	plant_key(H_QUORUM, 2, "kq-quorum");
	plant_key(H_PLAIN, 0, "kq-plain");
	plant_key(H_OTHER, 3, "kq-other");
	cu_session_fill(&alice, &node, 11, ALICE, HSM_USER_CU, "alice");
	cu_session_fill(&bob, &node, 12, BOB, HSM_USER_CU, "bob");
	cu_session_fill(&officer, &node, 13, OFFICER, HSM_USER_CO, "officer");
}

static void
teardown(void)
{
	store_close(alice.store);
	store_close(bob.store);
	store_close(officer.store);
	store_close(st);
	cu_node_teardown(&node, &tmpdir);
}

static long long
db_int(const char *sql)
{
	return cu_db_int(node.db_path, sql);
}

static long long
tokens_left(void)
{
	return db_int("SELECT count(*) FROM quorum_tokens");
}

/* ---- getToken for a key, through the handler ------------------------------------ */

static hsm_rc
get_key_token(struct session *s, uint32_t service, uint32_t handle, const char *name,
              hsm_quorum_token *out)
{
	struct msg_get_key_token m = { service, handle, (char *)name };
	struct hbuf req;
	hbuf_init(&req);
	msg_get_key_token_encode(&req, &m);
	hsm_rc rc = cu_call_for_token(op_get_key_token, s, &req, out);
	hbuf_free(&req);
	return rc;
}

static void
test_services(void)
{
	CU_ASSERT_TRUE(quorum_key_service(HSM_SERVICE_USE_KEY));
	CU_ASSERT_TRUE(quorum_key_service(HSM_SERVICE_MANAGE_KEY));
	CU_ASSERT_FALSE(quorum_key_service(HSM_SERVICE_USER_MGMT));
	CU_ASSERT_FALSE(quorum_key_service(7));
	/* Key services have no M value of their own: the key's m_value is it. */
	CU_ASSERT_FALSE(quorum_service_valid(HSM_SERVICE_USE_KEY));
	CU_ASSERT_FALSE(quorum_service_valid(HSM_SERVICE_MANAGE_KEY));
}

static void
test_get_key_token(void)
{
	hsm_quorum_token t;
	CU_ASSERT_EQUAL(get_key_token(&alice, 5, H_QUORUM, "ALICE", &t), HSM_RC_SUCCESS);
	CU_ASSERT_EQUAL(t.service, 5);
	CU_ASSERT_EQUAL(t.key_handle, H_QUORUM);
	CU_ASSERT_STRING_EQUAL(t.user, "alice");
	CU_ASSERT_EQUAL(t.required, 2);
	CU_ASSERT_EQUAL(t.node_id, 1);
	CU_ASSERT_EQUAL(db_int("SELECT count(*) FROM audit WHERE opcode = 'CN_GET_TOKEN'"
	                       " AND response = 0 AND detail LIKE 'service 5 key 262154 user ALICE%'"),
	                1);
	/* The owner manages; a user it is shared with uses but does not manage. */
	CU_ASSERT_EQUAL(get_key_token(&alice, 6, H_QUORUM, "alice", &t), HSM_RC_SUCCESS);
	CU_ASSERT_EQUAL(get_key_token(&bob, 5, H_QUORUM, "bob", &t), HSM_RC_SUCCESS);
	CU_ASSERT_EQUAL(tokens_left(), 3);
	CU_ASSERT_EQUAL(get_key_token(&bob, 6, H_QUORUM, "bob", &t), HSM_RC_KEY_ACCESS_DENIED);
	/* A key without m_value, one that is not there, another name, service. */
	CU_ASSERT_EQUAL(get_key_token(&alice, 5, H_PLAIN, "alice", &t),
	                HSM_RC_MXN_KEY_NOT_ENABLED);
	CU_ASSERT_EQUAL(get_key_token(&alice, 5, H_MISSING, "alice", &t), HSM_RC_INVALID_HANDLE);
	CU_ASSERT_EQUAL(get_key_token(&alice, 5, H_QUORUM, "bob", &t), HSM_RC_PERMISSION_DENIED);
	CU_ASSERT_EQUAL(get_key_token(&alice, 3, H_QUORUM, "alice", &t), HSM_RC_INVALID_INPUT);
	CU_ASSERT_EQUAL(get_key_token(&alice, 7, H_QUORUM, "alice", &t), HSM_RC_INVALID_INPUT);
	CU_ASSERT_EQUAL(tokens_left(), 3);
}

/* ---- approvals -------------------------------------------------------------------- */

struct approval_case {
	hsm_quorum_token t;
	struct hbuf file;
	struct msg_approve_token m;
	uint8_t sigs[HSM_QUORUM_MAX_APPROVALS][HSM_QUORUM_SIG_MAX];
};

/* A token of s for the key and the token file key_mgmt_util writes for it. */
static void
case_init(struct approval_case *c, struct session *s, uint32_t service, uint32_t handle)
{
	memset(c, 0, sizeof(*c));
	CU_ASSERT_EQUAL(get_key_token(s, service, handle, s->user_name, &c->t), HSM_RC_SUCCESS);
	hbuf_init(&c->file);
	CU_ASSERT_EQUAL(quorum_file_write(&c->file, &c->t, 1), 0);
	c->m.file = (struct msg_blob){ c->file.data, c->file.len };
}

/* A token issued straight in the store (as of issued), and its token file. */
static void
case_of_issued(struct approval_case *c, struct session *s, uint32_t service, uint32_t handle,
               uint64_t issued)
{
	struct store_token t = { .session = s->id, .owner = s->user_id, .service = service,
	                         .key_handle = handle };
	snprintf(t.owner_name, sizeof(t.owner_name), "%s", s->user_name);
	memset(c, 0, sizeof(*c));
	CU_ASSERT_EQUAL(quorum_token_issue(st, &t, issued, VALIDITY), HSM_RC_SUCCESS);
	c->t = (hsm_quorum_token){ .id = t.id, .service = service, .node_id = node.id,
	                           .key_handle = handle };
	snprintf(c->t.hsm_id, sizeof(c->t.hsm_id), "%s", node.identity.hsm_id);
	snprintf(c->t.user, sizeof(c->t.user), "%s", s->user_name);
	memcpy(c->t.value, t.value, sizeof(c->t.value));
	hbuf_init(&c->file);
	CU_ASSERT_EQUAL(quorum_file_write(&c->file, &c->t, 1), 0);
	c->m.file = (struct msg_blob){ c->file.data, c->file.len };
}

/* An approval naming name as type, signed by keys[key] over the file. */
static void
add(struct approval_case *c, hsm_user_type type, const char *name, int key)
{
	struct msg_approval *a = &c->m.approvals[c->m.count];
	a->user_type = (uint8_t)type;
	snprintf(a->name, sizeof(a->name), "%s", name);
	a->signature.data = c->sigs[c->m.count];
	a->signature.len = cu_sign_sha256(keys[key], c->file.data, c->file.len,
	                                  c->sigs[c->m.count], HSM_QUORUM_SIG_MAX);
	c->m.count++;
}

static void
case_free(struct approval_case *c)
{
	hbuf_free(&c->file);
}

static hsm_rc
approve(struct session *s, struct approval_case *c)
{
	uint32_t id;
	return quorum_approve_key(s, &c->m, quorum_now(), &id);
}

static long long
approvals_of(uint32_t token)
{
	char sql[96];
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM quorum_approvals WHERE token = %u", token);
	return db_int(sql);
}

static void
test_approvers_are_the_keys_users(void)
{
	struct approval_case c;
	case_init(&c, &alice, HSM_SERVICE_USE_KEY, H_QUORUM);
	/* The owner may approve its own token; bob shares the key. */
	add(&c, HSM_USER_CU, "alice", K_ALICE);
	add(&c, HSM_USER_CU, "Bob", K_BOB);
	CU_ASSERT_EQUAL(approve(&alice, &c), HSM_RC_SUCCESS);
	CU_ASSERT_EQUAL(approvals_of(c.t.id), 2);
	case_free(&c);
}

/* Each case: alice's approval and one more that is not good enough. */
static void
test_approval_refusals(void)
{
	static const struct {
		const char *what;
		hsm_user_type type;
		const char *name;
		int key;
	} second[] = {
		{ "carol: registered, but the key is not shared with her", HSM_USER_CU, "carol",
		  K_CAROL },
		{ "dave: shares the key, has no registered key", HSM_USER_CU, "dave", K_BOB },
		{ "an officer", HSM_USER_CO, "officer", K_OFFICER },
		{ "an officer claiming to be a CU", HSM_USER_CU, "officer", K_OFFICER },
		{ "bob claiming to be a CO", HSM_USER_CO, "bob", K_BOB },
		{ "bob's name, carol's signature", HSM_USER_CU, "bob", K_CAROL },
		{ "alice twice", HSM_USER_CU, "alice", K_ALICE },
		{ "nobody", HSM_USER_CU, "nobody", K_BOB },
	};
	for (size_t i = 0; i < sizeof(second) / sizeof(second[0]); i++) {
		struct approval_case c;
		case_init(&c, &alice, HSM_SERVICE_USE_KEY, H_QUORUM);
		add(&c, HSM_USER_CU, "alice", K_ALICE);
		add(&c, second[i].type, second[i].name, second[i].key);
		hsm_rc rc = approve(&alice, &c);
		if (rc != HSM_RC_MXN_AUTH_FAILED)
			printf("\n  %s: 0x%x", second[i].what, rc);
		CU_ASSERT_EQUAL(rc, HSM_RC_MXN_AUTH_FAILED);
		CU_ASSERT_EQUAL(approvals_of(c.t.id), 0);
		case_free(&c);
	}
	/* Too few: the key's m_value is 2. */
	struct approval_case c;
	case_init(&c, &alice, HSM_SERVICE_USE_KEY, H_QUORUM);
	add(&c, HSM_USER_CU, "bob", K_BOB);
	CU_ASSERT_EQUAL(approve(&alice, &c), HSM_RC_MXN_AUTH_FAILED);
	CU_ASSERT_EQUAL(approvals_of(c.t.id), 0);
	case_free(&c);
}

/* Officer and key tokens each have their own approveToken opcode. */
static void
test_families_do_not_mix(void)
{
	struct approval_case c;
	uint32_t id;
	case_init(&c, &alice, HSM_SERVICE_USE_KEY, H_QUORUM);
	add(&c, HSM_USER_CU, "alice", K_ALICE);
	add(&c, HSM_USER_CU, "bob", K_BOB);
	CU_ASSERT_EQUAL(quorum_approve(&alice, &c.m, quorum_now(), &id), HSM_RC_TOKEN_INVALID);
	CU_ASSERT_EQUAL(approvals_of(c.t.id), 0);
	/* Another session cannot approve alice's token either. */
	CU_ASSERT_EQUAL(approve(&bob, &c), HSM_RC_TOKEN_INVALID);
	case_free(&c);

	struct approval_case o;
	case_of_issued(&o, &officer, HSM_SERVICE_USER_MGMT, 0, quorum_now());
	add(&o, HSM_USER_CO, "officer", K_OFFICER);
	CU_ASSERT_EQUAL(quorum_approve_key(&officer, &o.m, quorum_now(), &id),
	                HSM_RC_TOKEN_INVALID);
	CU_ASSERT_EQUAL(quorum_approve(&officer, &o.m, quorum_now(), &id), HSM_RC_SUCCESS);
	case_free(&o);
}

/* ---- use ------------------------------------------------------------------------ */

static struct key_obj
key_at(uint32_t handle)
{
	struct key_obj k;
	CU_ASSERT_EQUAL(keys_lookup(&alice, handle, &k, true), HSM_RC_SUCCESS);
	return k;
}

/* One operation of alice with the key under service; rc_op is what the
 * operation itself returned. */
static hsm_rc
use(struct session *s, uint32_t handle, uint32_t service, hsm_rc rc_op)
{
	struct key_obj k = key_at(handle);
	const struct key_obj *used[] = { &k };
	bool held;
	hsm_rc rc = quorum_keys_begin(s, used, 1, service, &held);
	if (rc == HSM_RC_SUCCESS)
		rc = rc_op;
	rc = quorum_keys_finish(s, held, rc);
	key_obj_clear(&k);
	return rc;
}

/* A token of s for the key, approved by alice and bob. */
static uint32_t
approved(struct session *s, uint32_t service, uint32_t handle)
{
	struct approval_case c;
	case_init(&c, s, service, handle);
	add(&c, HSM_USER_CU, "alice", K_ALICE);
	add(&c, HSM_USER_CU, "bob", K_BOB);
	CU_ASSERT_EQUAL(approve(s, &c), HSM_RC_SUCCESS);
	case_free(&c);
	return c.t.id;
}

static void
test_use_consumes_one_token(void)
{
	/* No quorum: nothing asked, no transaction left open. */
	CU_ASSERT_EQUAL(use(&alice, H_PLAIN, HSM_SERVICE_USE_KEY, HSM_RC_SUCCESS), HSM_RC_SUCCESS);
	CU_ASSERT_EQUAL(use(&alice, H_QUORUM, HSM_SERVICE_USE_KEY, HSM_RC_SUCCESS),
	                HSM_RC_MXN_AUTH_FAILED);
	/* A token without its approvals does not count. */
	hsm_quorum_token t;
	CU_ASSERT_EQUAL(get_key_token(&alice, 5, H_QUORUM, "alice", &t), HSM_RC_SUCCESS);
	CU_ASSERT_EQUAL(use(&alice, H_QUORUM, HSM_SERVICE_USE_KEY, HSM_RC_SUCCESS),
	                HSM_RC_MXN_AUTH_FAILED);
	CU_ASSERT_EQUAL(tokens_left(), 1);
	approved(&alice, HSM_SERVICE_USE_KEY, H_QUORUM);
	/* A failed operation keeps the token; the first that succeeds uses it. */
	CU_ASSERT_EQUAL(use(&alice, H_QUORUM, HSM_SERVICE_USE_KEY, HSM_RC_BAD_PKCS_DATA),
	                HSM_RC_BAD_PKCS_DATA);
	CU_ASSERT_EQUAL(tokens_left(), 2);
	CU_ASSERT_EQUAL(use(&alice, H_QUORUM, HSM_SERVICE_USE_KEY, HSM_RC_SUCCESS), HSM_RC_SUCCESS);
	CU_ASSERT_EQUAL(tokens_left(), 1);
	CU_ASSERT_EQUAL(use(&alice, H_QUORUM, HSM_SERVICE_USE_KEY, HSM_RC_SUCCESS),
	                HSM_RC_MXN_AUTH_FAILED);
}

static void
test_use_needs_this_key_service_and_session(void)
{
	approved(&alice, HSM_SERVICE_MANAGE_KEY, H_QUORUM);
	approved(&bob, HSM_SERVICE_USE_KEY, H_QUORUM);
	/* H_OTHER needs 3: two approvals are not enough for it. */
	approved(&alice, HSM_SERVICE_USE_KEY, H_QUORUM);
	CU_ASSERT_EQUAL(use(&alice, H_OTHER, HSM_SERVICE_USE_KEY, HSM_RC_SUCCESS),
	                HSM_RC_MXN_AUTH_FAILED);
	CU_ASSERT_EQUAL(tokens_left(), 3);
	CU_ASSERT_EQUAL(use(&alice, H_QUORUM, HSM_SERVICE_USE_KEY, HSM_RC_SUCCESS), HSM_RC_SUCCESS);
	/* What is left: alice's MANAGE_KEY token and bob's, neither for this. */
	CU_ASSERT_EQUAL(use(&alice, H_QUORUM, HSM_SERVICE_USE_KEY, HSM_RC_SUCCESS),
	                HSM_RC_MXN_AUTH_FAILED);
	CU_ASSERT_EQUAL(tokens_left(), 2);
	CU_ASSERT_EQUAL(use(&bob, H_QUORUM, HSM_SERVICE_USE_KEY, HSM_RC_SUCCESS), HSM_RC_SUCCESS);
	CU_ASSERT_EQUAL(use(&alice, H_QUORUM, HSM_SERVICE_MANAGE_KEY, HSM_RC_SUCCESS),
	                HSM_RC_SUCCESS);
	CU_ASSERT_EQUAL(tokens_left(), 0);
}

static void
test_expired_token(void)
{
	uint64_t then = quorum_now() - 2 * VALIDITY;
	struct approval_case c;
	case_of_issued(&c, &alice, HSM_SERVICE_USE_KEY, H_QUORUM, then);
	add(&c, HSM_USER_CU, "alice", K_ALICE);
	add(&c, HSM_USER_CU, "bob", K_BOB);
	uint32_t id;
	/* Approved while it was valid, used after it expired. */
	CU_ASSERT_EQUAL(quorum_approve_key(&alice, &c.m, then + 1, &id), HSM_RC_SUCCESS);
	CU_ASSERT_EQUAL(quorum_approve_key(&alice, &c.m, quorum_now(), &id), HSM_RC_TOKEN_EXPIRED);
	CU_ASSERT_EQUAL(use(&alice, H_QUORUM, HSM_SERVICE_USE_KEY, HSM_RC_SUCCESS),
	                HSM_RC_TOKEN_EXPIRED);
	CU_ASSERT_EQUAL(tokens_left(), 1);
	case_free(&c);
}

/* shareKey: the MANAGE_KEY token goes with the new sharing list, or stays. */
static void
test_share_uses_manage_token(void)
{
	struct key_obj k = key_at(H_QUORUM);
	k.shares[k.nshares++] = CAROL;
	CU_ASSERT_EQUAL(keys_update_using(&alice, &k, HSM_SERVICE_MANAGE_KEY),
	                HSM_RC_MXN_AUTH_FAILED);
	CU_ASSERT_EQUAL(db_int("SELECT count(*) FROM key_shares WHERE user_id = 5"), 0);
	approved(&alice, HSM_SERVICE_USE_KEY, H_QUORUM);
	CU_ASSERT_EQUAL(keys_update_using(&alice, &k, HSM_SERVICE_MANAGE_KEY),
	                HSM_RC_MXN_AUTH_FAILED);
	approved(&alice, HSM_SERVICE_MANAGE_KEY, H_QUORUM);
	CU_ASSERT_EQUAL(keys_update_using(&alice, &k, HSM_SERVICE_MANAGE_KEY), HSM_RC_SUCCESS);
	CU_ASSERT_EQUAL(db_int("SELECT count(*) FROM key_shares WHERE user_id = 5"), 1);
	CU_ASSERT_EQUAL(db_int("SELECT count(*) FROM quorum_tokens WHERE service = 6"), 0);
	CU_ASSERT_EQUAL(db_int("SELECT count(*) FROM quorum_tokens WHERE service = 5"), 1);
	key_obj_clear(&k);
}

/* unWrapKey: the unwrapping key's token goes with the new key, or stays. */
static void
test_unwrap_uses_token_with_the_new_key(void)
{
	struct key_obj kek = key_at(H_QUORUM);
	const struct key_obj *used[] = { &kek };
	struct key_obj k;
	memset(&k, 0, sizeof(k));
	k.key_class = HSM_CLASS_SECRET;
	k.key_type = HSM_KEY_AES;
	k.flags = KF_TOKEN;
	k.value_len = 16;
	CU_ASSERT_EQUAL(key_obj_set_material(&k, (const uint8_t *)"0123456789abcdef", 16), 0);
	snprintf(k.id, sizeof(k.id), "kq-plain");          /* taken: the creation fails */
	struct key_obj *list[] = { &k };
	approved(&alice, HSM_SERVICE_USE_KEY, H_QUORUM);
	long long before = db_int("SELECT count(*) FROM keys");
	CU_ASSERT_EQUAL(keys_create_using(&alice, list, 1, false, used, 1), HSM_RC_ID_NOT_UNIQUE);
	CU_ASSERT_EQUAL(tokens_left(), 1);
	snprintf(k.id, sizeof(k.id), "kq-new");
	CU_ASSERT_EQUAL(keys_create_using(&alice, list, 1, false, used, 1), HSM_RC_SUCCESS);
	CU_ASSERT_EQUAL(tokens_left(), 0);
	CU_ASSERT_EQUAL(db_int("SELECT count(*) FROM keys"), before + 1);
	k.handle = 0;
	CU_ASSERT_EQUAL(keys_create_using(&alice, list, 1, false, used, 1),
	                HSM_RC_MXN_AUTH_FAILED);
	CU_ASSERT_EQUAL(db_int("SELECT count(*) FROM keys"), before + 1);
	key_obj_clear(&k);
	key_obj_clear(&kek);
}

/* ---- delToken, listTokens ----------------------------------------------------- */

static hsm_rc
delete_tokens(struct session *s, const struct hbuf *file, uint32_t *removed)
{
	struct msg_delete_tokens m = { .all = file == NULL };
	if (file != NULL)
		m.file = (struct msg_blob){ file->data, file->len };
	struct hbuf req, reply;
	struct hrd r;
	hsm_rc rc = 0xffffffffu;
	hbuf_init(&req);
	hbuf_init(&reply);
	msg_delete_tokens_encode(&req, &m);
	hrd_init(&r, req.data, req.len);
	CU_ASSERT_EQUAL(op_delete_tokens(s, &r, &reply, &rc), 0);
	*removed = 0xffffffffu;
	if (rc == HSM_RC_SUCCESS) {
		hrd_init(&r, reply.data, reply.len);
		CU_ASSERT_EQUAL(hrd_get_u32(&r, removed), 0);
	}
	hbuf_free(&req);
	hbuf_free(&reply);
	return rc;
}

static void
test_delete_tokens(void)
{
	struct approval_case c;
	uint32_t removed;
	case_init(&c, &alice, HSM_SERVICE_USE_KEY, H_QUORUM);
	hsm_quorum_token t;
	CU_ASSERT_EQUAL(get_key_token(&alice, 6, H_QUORUM, "alice", &t), HSM_RC_SUCCESS);
	CU_ASSERT_EQUAL(get_key_token(&bob, 5, H_QUORUM, "bob", &t), HSM_RC_SUCCESS);
	/* Bob cannot delete alice's token with her file. */
	CU_ASSERT_EQUAL(delete_tokens(&bob, &c.file, &removed), HSM_RC_TOKEN_INVALID);
	CU_ASSERT_EQUAL(tokens_left(), 3);
	CU_ASSERT_EQUAL(delete_tokens(&alice, &c.file, &removed), HSM_RC_SUCCESS);
	CU_ASSERT_EQUAL(removed, 1);
	CU_ASSERT_EQUAL(delete_tokens(&alice, &c.file, &removed), HSM_RC_TOKEN_INVALID);
	/* -f 4: every token of the session, none of another's. */
	CU_ASSERT_EQUAL(delete_tokens(&alice, NULL, &removed), HSM_RC_SUCCESS);
	CU_ASSERT_EQUAL(removed, 1);
	CU_ASSERT_EQUAL(tokens_left(), 1);
	CU_ASSERT_EQUAL(db_int("SELECT count(*) FROM audit WHERE opcode = 'CN_DELETE_TOKEN'"
	                       " AND response = 0"), 2);
	struct hbuf junk;
	hbuf_init(&junk);
	hbuf_put_raw(&junk, "not a token file\n", 17);
	CU_ASSERT_EQUAL(delete_tokens(&alice, &junk, &removed), HSM_RC_INVALID_INPUT);
	hbuf_free(&junk);
	case_free(&c);
}

static void
test_list_shows_the_keys_m_value(void)
{
	struct hbuf reply;
	struct hrd r;
	hsm_rc rc;
	hsm_quorum_token_list l;
	hsm_quorum_token t;
	CU_ASSERT_EQUAL(get_key_token(&alice, 5, H_QUORUM, "alice", &t), HSM_RC_SUCCESS);
	CU_ASSERT_EQUAL(get_key_token(&alice, 5, H_OTHER, "alice", &t), HSM_RC_SUCCESS);
	hbuf_init(&reply);
	hrd_init(&r, NULL, 0);
	CU_ASSERT_EQUAL(op_list_tokens(&alice, &r, &reply, &rc), 0);
	CU_ASSERT_EQUAL(rc, HSM_RC_SUCCESS);
	hrd_init(&r, reply.data, reply.len);
	CU_ASSERT_EQUAL_FATAL(msg_token_list_decode(&r, &l), 0);
	CU_ASSERT_EQUAL_FATAL(l.count, 2);
	CU_ASSERT_EQUAL(l.tokens[0].required, 2);
	CU_ASSERT_EQUAL(l.tokens[1].required, 3);
	CU_ASSERT_EQUAL(l.tokens[1].key_handle, H_OTHER);
	hsm_quorum_token_list_free(&l);
	hbuf_free(&reply);
}

static CU_TestInfo tests[] = {
	{ "key services 5 and 6", test_services },
	{ "getToken: owner, sharer, m_value, handle, name", test_get_key_token },
	{ "approvers: the key's owner and sharers", test_approvers_are_the_keys_users },
	{ "approvals that are refused change nothing", test_approval_refusals },
	{ "officer and key tokens do not mix", test_families_do_not_mix },
	{ "a use consumes one approved token, a failure none", test_use_consumes_one_token },
	{ "a use needs this key, service and session", test_use_needs_this_key_service_and_session },
	{ "an expired token is refused", test_expired_token },
	{ "shareKey uses a MANAGE_KEY token with the change", test_share_uses_manage_token },
	{ "unWrapKey uses the token with the new key", test_unwrap_uses_token_with_the_new_key },
	{ "delToken: a token file's, or all of the session", test_delete_tokens },
	{ "listTokens: required is the key's m_value", test_list_shows_the_keys_m_value },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "key quorum", suite_init, suite_clean, setup, teardown, tests },
	CU_SUITE_INFO_NULL,
};

int
main(void)
{
	return cu_run(suites);
}
