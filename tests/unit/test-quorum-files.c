/* test-quorum-files.c - the two files of quorum approval: the token file CMU
 * writes and nodes read (common/quorum-file.c), and the approval file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "approval-file.h"
#include "cu-util.h"
#include "quorum-file.h"

/* ---- the token file ------------------------------------------------------------------ */

static hsm_quorum_token
sample_token(uint32_t node, const char *hsm, uint32_t id, uint8_t fill)
{
	hsm_quorum_token t;
	memset(&t, 0, sizeof(t));
	t.id = id;
	t.service = 3;
	t.node_id = node;
	snprintf(t.hsm_id, sizeof(t.hsm_id), "%s", hsm);
	snprintf(t.user, sizeof(t.user), "officer1");
	memset(t.value, fill, sizeof(t.value));
	return t;
}

static void
test_token_file_layout(void)
{
	hsm_quorum_token t[2] = { sample_token(1, "hsm-aaaaaaaaaaa", 1, 0xab),
	                          sample_token(0, "hsm-bbbbbbbbbbb", 7, 0x01) };
	struct hbuf b;
	hbuf_init(&b);
	CU_ASSERT_EQUAL(quorum_file_write(&b, t, 2), 0);
	const char *want =
		"hsm-sim quorum token file v1\n"
		"Service:3\n"
		"User:officer1\n"
		"Key Handle:0\n"
		"Tokens:2\n"
		"Token:node=1 hsm=hsm-aaaaaaaaaaa id=1 value="
		"abababababababababababababababababababababababababababababababab\n"
		"Token:node=0 hsm=hsm-bbbbbbbbbbb id=7 value="
		"0101010101010101010101010101010101010101010101010101010101010101\n";
	CU_ASSERT_EQUAL(b.len, strlen(want));
	CU_ASSERT(b.len == strlen(want) && memcmp(b.data, want, b.len) == 0);
	struct quorum_file_header h;
	struct quorum_file_entry e;
	CU_ASSERT_EQUAL(quorum_file_find(b.data, b.len, 0, "hsm-bbbbbbbbbbb", &h, &e), 0);
	CU_ASSERT_EQUAL(h.service, 3);
	CU_ASSERT_STRING_EQUAL(h.user, "officer1");
	CU_ASSERT_EQUAL(h.key_handle, 0);
	CU_ASSERT_EQUAL(h.count, 2);
	CU_ASSERT_EQUAL(e.token_id, 7);
	CU_ASSERT_EQUAL(memcmp(e.value, t[1].value, sizeof(e.value)), 0);
	CU_ASSERT_EQUAL(quorum_file_find(b.data, b.len, 1, "hsm-aaaaaaaaaaa", &h, &e), 0);
	CU_ASSERT_EQUAL(e.token_id, 1);
	/* Node 2, or node 1 of another HSM id: not in the file. */
	CU_ASSERT_EQUAL(quorum_file_find(b.data, b.len, 2, "hsm-ccccccccccc", &h, &e), 1);
	CU_ASSERT_EQUAL(quorum_file_find(b.data, b.len, 1, "hsm-bbbbbbbbbbb", &h, &e), 1);
	hbuf_free(&b);
}

static void
test_token_file_writer_refuses(void)
{
	hsm_quorum_token t[QUORUM_FILE_MAX_TOKENS + 1];
	for (unsigned i = 0; i <= QUORUM_FILE_MAX_TOKENS; i++)
		t[i] = sample_token(i, "hsm-aaaaaaaaaaa", 1, 1);
	struct hbuf b;
	hbuf_init(&b);
	CU_ASSERT_EQUAL(quorum_file_write(&b, t, 0), -1);
	CU_ASSERT_EQUAL(quorum_file_write(&b, t, QUORUM_FILE_MAX_TOKENS + 1), -1);
	t[1].service = 4;
	CU_ASSERT_EQUAL(quorum_file_write(&b, t, 2), -1);
	t[1] = t[0];
	snprintf(t[1].user, sizeof(t[1].user), "officer2");
	CU_ASSERT_EQUAL(quorum_file_write(&b, t, 2), -1);
	t[1] = t[0];
	t[1].key_handle = 5;
	CU_ASSERT_EQUAL(quorum_file_write(&b, t, 2), -1);
	hbuf_free(&b);
}

#define VALUE64 "0101010101010101010101010101010101010101010101010101010101010101"
#define GOOD_HEAD "hsm-sim quorum token file v1\nService:3\nUser:officer1\nKey Handle:0\n"
#define GOOD_LINE "Token:node=0 hsm=hsm-aaaaaaaaaaa id=1 value=" VALUE64 "\n"

static void
test_token_file_malformed(void)
{
	static const struct { const char *what, *text; } cases[] = {
		{ "another magic", "hsm-sim quorum token file v2\nService:3\nUser:officer1\n"
		                   "Key Handle:0\nTokens:1\n" GOOD_LINE },
		{ "no final newline", GOOD_HEAD "Tokens:1\nToken:node=0 hsm=hsm-aaaaaaaaaaa id=1"
		                      " value=" VALUE64 },
		{ "CR LF", "hsm-sim quorum token file v1\r\nService:3\r\nUser:officer1\r\n"
		           "Key Handle:0\r\nTokens:1\r\n" GOOD_LINE },
		{ "header out of order", "hsm-sim quorum token file v1\nUser:officer1\nService:3\n"
		                         "Key Handle:0\nTokens:1\n" GOOD_LINE },
		{ "service not a number", "hsm-sim quorum token file v1\nService:x\n"
		                          "User:officer1\nKey Handle:0\nTokens:1\n" GOOD_LINE },
		{ "leading zero", "hsm-sim quorum token file v1\nService:03\nUser:officer1\n"
		                  "Key Handle:0\nTokens:1\n" GOOD_LINE },
		{ "service overflows", "hsm-sim quorum token file v1\nService:4294967296\n"
		                       "User:officer1\nKey Handle:0\nTokens:1\n" GOOD_LINE },
		{ "space in the user", "hsm-sim quorum token file v1\nService:3\nUser:of ficer\n"
		                       "Key Handle:0\nTokens:1\n" GOOD_LINE },
		{ "no tokens", GOOD_HEAD "Tokens:0\n" },
		{ "29 tokens", GOOD_HEAD "Tokens:29\n" GOOD_LINE },
		{ "fewer lines than Tokens", GOOD_HEAD "Tokens:2\n" GOOD_LINE },
		{ "more lines than Tokens", GOOD_HEAD "Tokens:1\n" GOOD_LINE GOOD_LINE },
		{ "upper-case hex", GOOD_HEAD "Tokens:1\nToken:node=0 hsm=hsm-aaaaaaaaaaa id=1 value="
		                    "0A01010101010101010101010101010101010101010101010101010101010101\n" },
		{ "short value", GOOD_HEAD "Tokens:1\nToken:node=0 hsm=hsm-aaaaaaaaaaa id=1 value="
		                 "01010101\n" },
		{ "extra field", GOOD_HEAD "Tokens:1\nToken:node=0 hsm=hsm-aaaaaaaaaaa id=1 value="
		                 VALUE64 " more=1\n" },
		{ "two spaces", GOOD_HEAD "Tokens:1\nToken:node=0  hsm=hsm-aaaaaaaaaaa id=1 value="
		                VALUE64 "\n" },
		{ "the node twice", GOOD_HEAD "Tokens:2\n" GOOD_LINE GOOD_LINE },
		{ "empty", "" },
	};
	struct quorum_file_header h;
	struct quorum_file_entry e;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = quorum_file_find((const uint8_t *)cases[i].text, strlen(cases[i].text), 0,
		                          "hsm-aaaaaaaaaaa", &h, &e);
		if (rc != -1)
			printf("\n  %s: %d", cases[i].what, rc);
		CU_ASSERT_EQUAL(rc, -1);
	}
	/* A NUL byte inside, and a file over the limit. */
	char nul[] = GOOD_HEAD "Tokens:1\n" GOOD_LINE;
	nul[10] = '\0';
	CU_ASSERT_EQUAL(quorum_file_find((const uint8_t *)nul, sizeof(nul) - 1, 0,
	                                 "hsm-aaaaaaaaaaa", &h, &e), -1);
	char *big = calloc(1, HSM_QUORUM_TOKEN_FILE_MAX + 2);
	memset(big, '\n', HSM_QUORUM_TOKEN_FILE_MAX + 1);
	CU_ASSERT_EQUAL(quorum_file_find((const uint8_t *)big, HSM_QUORUM_TOKEN_FILE_MAX + 1, 0,
	                                 "hsm-aaaaaaaaaaa", &h, &e), -1);
	free(big);
	/* The good one, for contrast. */
	const char *good = GOOD_HEAD "Tokens:1\n" GOOD_LINE;
	CU_ASSERT_EQUAL(quorum_file_find((const uint8_t *)good, strlen(good), 0,
	                                 "hsm-aaaaaaaaaaa", &h, &e), 0);
}

/* ---- the approval file ------------------------------------------------------------------ */

/* The example of quorum-authentication-crypto-officers.md, byte for byte. */
static const char doc_example[] =
	"# For \"Multi Token File Path\", type the path to the file that contains\n"
	"# the token. You can type the same value for \"Token File Path\", but\n"
	"# that's not required. The \"Token File Path\" line is required in any\n"
	"# case, regardless of whether you type a value.\n"
	"Multi Token File Path = officer1.token;\n"
	"Token File Path = ;\n"
	"\n"
	"# Total number of approvals\n"
	"Number of Approvals = 2;\n"
	"\n"
	"# Approver 1\n"
	"# Type the approver's type, name, and the path to the file that\n"
	"# contains the approver's signature.\n"
	"Approver Type = 2; # 2 for CO, 1 for CU\n"
	"Approver Name = officer1;\n"
	"Approval File = officer1.token.sig1;\n"
	"\n"
	"# Approver 2\n"
	"# Type the approver's type, name, and the path to the file that\n"
	"# contains the approver's signature.\n"
	"Approver Type = 2; # 2 for CO, 1 for CU\n"
	"Approver Name = officer2;\n"
	"Approval File = officer1.token.sig2;\n";

static int
parse(const char *text, struct approval_file *af, char *err, size_t errlen)
{
	err[0] = '\0';
	return approval_file_parse(text, strlen(text), "approval.txt", af, err, errlen);
}

static void
test_approval_doc_example(void)
{
	struct approval_file af;
	char err[512];
	CU_ASSERT_EQUAL(parse(doc_example, &af, err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(err, "");
	CU_ASSERT_STRING_EQUAL(af.token_path, "officer1.token");
	CU_ASSERT_EQUAL(af.count, 2);
	CU_ASSERT_EQUAL(af.approvers[0].type, HSM_USER_CO);
	CU_ASSERT_STRING_EQUAL(af.approvers[0].name, "officer1");
	CU_ASSERT_STRING_EQUAL(af.approvers[0].signature_path, "officer1.token.sig1");
	CU_ASSERT_EQUAL(af.approvers[0].line, 14);
	CU_ASSERT_STRING_EQUAL(af.approvers[1].name, "officer2");
	CU_ASSERT_STRING_EQUAL(af.approvers[1].signature_path, "officer1.token.sig2");
	approval_file_free(&af);
}

static void
test_approval_variants(void)
{
	struct approval_file af;
	char err[512];
	/* Token File Path when Multi is empty; CU approvers; CR LF; no final
	 * newline; spaces anywhere; keys in another case. */
	const char *text =
		"Multi Token File Path = ;\r\n"
		"  token file path=  /tmp/one.token ;  # the single one\r\n"
		"Number of Approvals = 1;\r\n"
		"Approver Type = 1;\r\n"
		"Approval File = sig;Approver Name = x;";
	CU_ASSERT_EQUAL(parse(text, &af, err, sizeof(err)), -1);     /* two entries on a line */
	CU_ASSERT_STRING_EQUAL(err, "approval.txt:5: unexpected \"Approver Name = x;\" after ';'");
	approval_file_free(&af);
	text = "Multi Token File Path = ;\r\n"
	       "  token file path=  /tmp/one.token ;  # the single one\r\n"
	       "Number of Approvals = 1;\r\n"
	       "Approver Type = 1;\r\n"
	       "Approval File = sig;\n"
	       "Approver Name = crypto_user;";
	CU_ASSERT_EQUAL(parse(text, &af, err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(af.token_path, "/tmp/one.token");
	CU_ASSERT_EQUAL(af.approvers[0].type, HSM_USER_CU);
	CU_ASSERT_STRING_EQUAL(af.approvers[0].name, "crypto_user");
	approval_file_free(&af);
	/* Both paths set: the multi-token file is the one. */
	text = "Multi Token File Path = a;\nToken File Path = b;\nNumber of Approvals = 1;\n"
	       "Approver Type = 2;\nApprover Name = o;\nApproval File = s;\n";
	CU_ASSERT_EQUAL(parse(text, &af, err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(af.token_path, "a");
	approval_file_free(&af);
}

#define HEAD "Multi Token File Path = t;\nToken File Path = ;\n"
#define ONE "Approver Type = 2;\nApprover Name = officer1;\nApproval File = s1;\n"
#define TWO "Approver Type = 2;\nApprover Name = officer2;\nApproval File = s2;\n"

static void
test_approval_malformed(void)
{
	static const struct { const char *text, *err; } cases[] = {
		{ HEAD "Number of Approvals = 2\n" ONE TWO,
		  "approval.txt:3: missing ';' at the end of \"Number of Approvals\"" },
		{ HEAD "Number of Approvals = 2;\n" ONE "Approver Type = 2;\nApprover Name = o2\n"
		  "Approval File = s2;\n",
		  "approval.txt:8: missing ';' at the end of \"Approver Name\"" },
		{ HEAD "Number of Approvals = 1;\nApprover Color = 2;\n" ONE,
		  "approval.txt:4: unknown key \"Approver Color\"" },
		{ HEAD "Number of Approvals = 1;\njust some words\n" ONE,
		  "approval.txt:4: expected \"Key = value;\", got \"just some words\"" },
		{ "Token File Path = ;\nNumber of Approvals = 1;\n" ONE,
		  "approval.txt: the \"Multi Token File Path\" line is missing" },
		{ "Multi Token File Path = t;\nNumber of Approvals = 1;\n" ONE,
		  "approval.txt: the \"Token File Path\" line is missing" },
		{ HEAD ONE, "approval.txt: the \"Number of Approvals\" line is missing" },
		{ HEAD "Number of Approvals = 2;\n" ONE,
		  "approval.txt:3: \"Number of Approvals\" is 2 but 1 approver follows" },
		{ HEAD "Number of Approvals = 1;\n" ONE TWO,
		  "approval.txt:3: \"Number of Approvals\" is 1 but 2 approvers follow" },
		{ HEAD "Number of Approvals = two;\n" ONE,
		  "approval.txt:3: \"Number of Approvals\" must be a number from 1 to 16, not \"two\"" },
		{ HEAD "Number of Approvals = 0;\n",
		  "approval.txt:3: \"Number of Approvals\" must be a number from 1 to 16, not \"0\"" },
		{ HEAD "Number of Approvals = 1;\nApprover Type = 5;\n",
		  "approval.txt:4: \"Approver Type\" must be 2 (CO) or 1 (CU), not \"5\"" },
		{ HEAD "Number of Approvals = 1;\nApprover Type = CO;\n",
		  "approval.txt:4: \"Approver Type\" must be 2 (CO) or 1 (CU), not \"CO\"" },
		{ HEAD "Number of Approvals = 1;\nApprover Type = ;\n",
		  "approval.txt:4: \"Approver Type\" has an empty value" },
		{ HEAD "Number of Approvals = 1;\nApprover Type = 2;\nApprover Name = ;\n",
		  "approval.txt:5: \"Approver Name\" has an empty value" },
		{ HEAD "Number of Approvals = 1;\nApprover Type = 2;\nApprover Name = o;\n"
		  "Approval File =   ;\n", "approval.txt:6: \"Approval File\" has an empty value" },
		{ HEAD "Number of Approvals = ;\n", "approval.txt:3: \"Number of Approvals\" has an empty value" },
		{ "Multi Token File Path = ;\nToken File Path = ;\nNumber of Approvals = 1;\n" ONE,
		  "approval.txt: no token file: \"Multi Token File Path\" and \"Token File Path\" are both empty" },
		{ HEAD "Number of Approvals = 1;\nApprover Type = 2;\nApproval File = s1;\n",
		  "approval.txt:4: this approver has no \"Approver Name\" line" },
		{ HEAD "Number of Approvals = 2;\nApprover Type = 2;\nApprover Name = o1;\n" TWO,
		  "approval.txt:4: this approver has no \"Approval File\" line" },
		{ HEAD "Number of Approvals = 1;\nApprover Name = officer1;\n",
		  "approval.txt:4: \"Approver Name\" comes before any \"Approver Type\"" },
		{ HEAD "Number of Approvals = 1;\nApproval File = s;\n",
		  "approval.txt:4: \"Approval File\" comes before any \"Approver Type\"" },
		{ HEAD "Token File Path = x;\n", "approval.txt:3: \"Token File Path\" is given twice" },
		{ HEAD "Number of Approvals = 1;\nNumber of Approvals = 1;\n",
		  "approval.txt:4: \"Number of Approvals\" is given twice" },
		{ HEAD "Number of Approvals = 1;\nApprover Type = 2;\nApprover Name = a;\n"
		  "Approver Name = b;\n", "approval.txt:6: \"Approver Name\" is given twice for one approver" },
		{ HEAD "Number of Approvals = 1;\nApprover Type = 2;\n"
		  "Approver Name = abcdefghijabcdefghijabcdefghijab;\n",
		  "approval.txt:5: the approver name is longer than 31 characters" },
	};
	struct approval_file af;
	char err[512];
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = parse(cases[i].text, &af, err, sizeof(err));
		CU_ASSERT_EQUAL(rc, -1);
		if (strcmp(err, cases[i].err) != 0)
			printf("\n  case %zu: got \"%s\"\n  wanted   \"%s\"", i, err, cases[i].err);
		CU_ASSERT_STRING_EQUAL(err, cases[i].err);
		approval_file_free(&af);
	}
}

static void
test_approval_limits(void)
{
	struct approval_file af;
	char err[512];
	/* 17 approvers. */
	size_t cap = 8192;
	char *text = malloc(cap);
	snprintf(text, cap, HEAD "Number of Approvals = 16;\n");
	for (int i = 0; i < 17; i++) {
		size_t n = strlen(text);
		snprintf(text + n, cap - n, "Approver Type = 2;\nApprover Name = o%d;\n"
		         "Approval File = s%d;\n", i, i);
	}
	CU_ASSERT_EQUAL(parse(text, &af, err, sizeof(err)), -1);
	CU_ASSERT_STRING_EQUAL(err, "approval.txt:52: more than 16 approvers");
	approval_file_free(&af);
	/* A line of 4,097 characters, even inside a comment. */
	char *line = malloc(APPROVAL_LINE_MAX + 64);
	memset(line, '#', APPROVAL_LINE_MAX + 1);
	line[APPROVAL_LINE_MAX + 1] = '\0';
	snprintf(text, cap, HEAD "%s\n", line);
	free(text);
	size_t n = strlen(HEAD) + strlen(line) + 2;
	text = malloc(n);
	snprintf(text, n, HEAD "%s\n", line);
	CU_ASSERT_EQUAL(parse(text, &af, err, sizeof(err)), -1);
	CU_ASSERT_STRING_EQUAL(err, "approval.txt:3: the line is longer than 4096 characters");
	approval_file_free(&af);
	/* Exactly 4,096 is fine (and is a comment). */
	line[APPROVAL_LINE_MAX] = '\0';
	snprintf(text, n, HEAD "%s\n", line);
	CU_ASSERT_EQUAL(parse(text, &af, err, sizeof(err)), -1);
	CU_ASSERT_STRING_EQUAL(err, "approval.txt: the \"Number of Approvals\" line is missing");
	approval_file_free(&af);
	free(line);
	free(text);
	/* A NUL byte. */
	char nul[] = HEAD "Number of Approvals = 1;\n" ONE;
	nul[5] = '\0';
	CU_ASSERT_EQUAL(approval_file_parse(nul, sizeof(nul) - 1, "approval.txt", &af, err,
	                                    sizeof(err)), -1);
	CU_ASSERT_STRING_EQUAL(err, "approval.txt: not a text file (it holds a NUL byte)");
	approval_file_free(&af);
}

static void
test_approval_file_read(void)
{
	struct approval_file af;
	char err[512];
	char *dir = cu_mkdtemp("approval");
	char *path = cu_path(dir, "approval.txt");
	/* Missing, a directory, too big, then the document's example. */
	CU_ASSERT_EQUAL(approval_file_read(path, &af, err, sizeof(err)), -1);
	CU_ASSERT(strstr(err, "approval.txt: No such file or directory") != NULL);
	approval_file_free(&af);
	CU_ASSERT_EQUAL(approval_file_read(dir, &af, err, sizeof(err)), -1);
	CU_ASSERT(strstr(err, "Is a directory") != NULL);
	approval_file_free(&af);
	char *big = malloc(APPROVAL_FILE_MAX + 2);
	memset(big, '\n', APPROVAL_FILE_MAX + 1);
	big[APPROVAL_FILE_MAX + 1] = '\0';
	CU_ASSERT_EQUAL(cu_write_file(path, big), 0);
	free(big);
	CU_ASSERT_EQUAL(approval_file_read(path, &af, err, sizeof(err)), -1);
	CU_ASSERT(strstr(err, "larger than 65536 bytes") != NULL);
	approval_file_free(&af);
	CU_ASSERT_EQUAL(cu_write_file(path, doc_example), 0);
	CU_ASSERT_EQUAL(approval_file_read(path, &af, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(af.count, 2);
	approval_file_free(&af);
	free(path);
	cu_rmtree(dir);
}

static CU_TestInfo token_file_tests[] = {
	{ "layout and lookup by node", test_token_file_layout },
	{ "the writer refuses tokens of different requests", test_token_file_writer_refuses },
	{ "every malformed form is refused", test_token_file_malformed },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo approval_file_tests[] = {
	{ "the documented example", test_approval_doc_example },
	{ "Token File Path, CU, CR LF, spacing", test_approval_variants },
	{ "each malformed form names its line", test_approval_malformed },
	{ "17 approvers, long lines, NUL", test_approval_limits },
	{ "missing, directory, too big", test_approval_file_read },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "token file", NULL, NULL, NULL, NULL, token_file_tests },
	{ "approval file", NULL, NULL, NULL, NULL, approval_file_tests },
	CU_SUITE_INFO_NULL,
};

int
main(void)
{
	return cu_run(suites);
}
