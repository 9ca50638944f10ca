/* cu-node.c - the node-database fixture of the quorum suites (cu-node.h):
 * copying a template is cheaper than creating a database for every test. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cu-node.h"
#include "cu-util.h"
#include "proto.h"

char *
cu_node_template(const char *name, const struct store_identity *id)
{
	char err[512] = "";
	char *dir = cu_mkdtemp(name);
	char *path = dir ? cu_path(dir, STORE_FILE) : NULL;
	if (path == NULL || store_create(path, id, err, sizeof(err)) != 0) {
		printf("template: %s\n", err);
		cu_rmtree(dir);
		dir = NULL;
	}
	free(path);
	return dir;
}

char *
cu_node_setup(struct node *n, const char *template_dir, const char *name,
              const struct store_identity *id)
{
	char *dir = cu_mkdtemp(name);
	memset(n, 0, sizeof(*n));
	n->id = id->node_id;
	n->identity = *id;
	snprintf(n->db_path, sizeof(n->db_path), "%s/%s", dir ? dir : ".", STORE_FILE);
	pthread_mutex_init(&n->lock, NULL);
	char *tpl = cu_path(template_dir, STORE_FILE);
	if (dir == NULL || tpl == NULL || cu_copy_file(tpl, n->db_path) != 0)
		printf("fixture: cannot copy the template\n");
	free(tpl);
	return dir;
}

void
cu_node_teardown(struct node *n, char **tmpdir)
{
	pthread_mutex_destroy(&n->lock);
	cu_rmtree(*tmpdir);
	*tmpdir = NULL;
}

struct store *
cu_node_open(const struct node *n)
{
	char err[512];
	struct store *s = store_open(n->db_path, err, sizeof(err));
	if (s == NULL)
		printf("open: %s\n", err);
	return s;
}

void
cu_session_fill(struct session *s, struct node *n, uint64_t sid, uint32_t user,
                hsm_user_type type, const char *name)
{
	memset(s, 0, sizeof(*s));
	s->node = n;
	s->id = sid;
	s->store = cu_node_open(n);
	s->logged_in = true;
	s->user_id = user;
	s->user_type = type;
	snprintf(s->user_name, sizeof(s->user_name), "%s", name);
}

uint32_t
cu_plant_user(struct store *st, const char *name, hsm_user_type type, const uint8_t *der,
              size_t der_len)
{
	struct store_user u;
	memset(&u, 0, sizeof(u));
	snprintf(u.name, sizeof(u.name), "%s", name);
	u.type = type;
	u.iterations = 1000;
	if (der != NULL && der_len <= sizeof(u.pubkey)) {
		memcpy(u.pubkey, der, der_len);
		u.pubkey_len = (uint32_t)der_len;
	}
	return store_user_insert(st, &u) == 0 ? u.id : 0;
}

hsm_rc
cu_call_for_token(op_handler handler, struct session *s, const struct hbuf *req,
                  hsm_quorum_token *out)
{
	struct hbuf reply;
	struct hrd r;
	hsm_rc rc = 0xffffffffu;
	hbuf_init(&reply);
	memset(out, 0, sizeof(*out));
	hrd_init(&r, req->data, req->len);
	CU_ASSERT_EQUAL(handler(s, &r, &reply, &rc), 0);
	if (rc == HSM_RC_SUCCESS) {
		hrd_init(&r, reply.data, reply.len);
		CU_ASSERT_EQUAL(msg_token_decode(&r, out), 0);
		CU_ASSERT_EQUAL(hrd_end(&r), 0);
	} else {
		CU_ASSERT_EQUAL(reply.len, 0);
	}
	hbuf_free(&reply);
	return rc;
}
