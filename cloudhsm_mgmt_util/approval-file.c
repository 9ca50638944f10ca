/* approval-file.c - parses the token approval file of approveToken: '#'
 * comments anywhere, "Key = value;" entries, one clear error per mistake. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "approval-file.h"
#include "util.h"

struct parser {
	const char *name;
	struct approval_file *af;
	char *err;
	size_t errlen;
	unsigned line;
	bool seen_multi, seen_single, seen_number;
	char *multi, *single;
	unsigned number, number_line;
	struct approval_entry *cur;
};

static int
fail_at(struct parser *p, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int
fail_at(struct parser *p, unsigned line, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (line > 0)
		hsm_errf(p->err, p->errlen, "%s:%u: %s", p->name, line, msg);
	else
		hsm_errf(p->err, p->errlen, "%s: %s", p->name, msg);
	return -1;
}

/* ---- the fields ---------------------------------------------------------------- */

static int
set_path(struct parser *p, const char *key, bool *seen, char **slot, const char *value)
{
	if (*seen)
		return fail_at(p, p->line, "\"%s\" is given twice", key);
	*seen = true;
	*slot = strdup(value);
	return *slot != NULL ? 0 : fail_at(p, p->line, "out of memory");
}

static int
field_multi(struct parser *p, const char *key, const char *value)
{
	return set_path(p, key, &p->seen_multi, &p->multi, value);
}

static int
field_single(struct parser *p, const char *key, const char *value)
{
	return set_path(p, key, &p->seen_single, &p->single, value);
}

static int
field_number(struct parser *p, const char *key, const char *value)
{
	unsigned long n;
	if (p->seen_number)
		return fail_at(p, p->line, "\"%s\" is given twice", key);
	if (!hsm_parse_uint(value, 1, HSM_QUORUM_MAX_APPROVALS, &n))
		return fail_at(p, p->line, "\"%s\" must be a number from 1 to %d, not \"%s\"",
		               key, HSM_QUORUM_MAX_APPROVALS, value);
	p->seen_number = true;
	p->number = (unsigned)n;
	p->number_line = p->line;
	return 0;
}

/* An approver needs its type, name and signature file. */
static int
finish_approver(struct parser *p)
{
	struct approval_entry *e = p->cur;
	if (e == NULL)
		return 0;
	if (e->name[0] == '\0')
		return fail_at(p, e->line, "this approver has no \"Approver Name\" line");
	if (e->signature_path == NULL)
		return fail_at(p, e->line, "this approver has no \"Approval File\" line");
	p->cur = NULL;
	return 0;
}

static int
field_type(struct parser *p, const char *key, const char *value)
{
	if (finish_approver(p) != 0)
		return -1;
	if (strcmp(value, "2") != 0 && strcmp(value, "1") != 0)
		return fail_at(p, p->line, "\"%s\" must be 2 (CO) or 1 (CU), not \"%s\"", key, value);
	if (p->af->count == HSM_QUORUM_MAX_APPROVALS)
		return fail_at(p, p->line, "more than %d approvers", HSM_QUORUM_MAX_APPROVALS);
	p->cur = &p->af->approvers[p->af->count++];
	p->cur->line = p->line;
	p->cur->type = value[0] == '2' ? HSM_USER_CO : HSM_USER_CU;
	return 0;
}

static int
field_name(struct parser *p, const char *key, const char *value)
{
	if (p->cur == NULL)
		return fail_at(p, p->line, "\"%s\" comes before any \"Approver Type\"", key);
	if (p->cur->name[0] != '\0')
		return fail_at(p, p->line, "\"%s\" is given twice for one approver", key);
	if (strlen(value) > HSM_USER_NAME_MAX)
		return fail_at(p, p->line, "the approver name is longer than %d characters",
		               HSM_USER_NAME_MAX);
	hsm_strlcpy(p->cur->name, value, sizeof(p->cur->name));
	return 0;
}

static int
field_signature(struct parser *p, const char *key, const char *value)
{
	if (p->cur == NULL)
		return fail_at(p, p->line, "\"%s\" comes before any \"Approver Type\"", key);
	if (p->cur->signature_path != NULL)
		return fail_at(p, p->line, "\"%s\" is given twice for one approver", key);
	p->cur->signature_path = strdup(value);
	return p->cur->signature_path != NULL ? 0 : fail_at(p, p->line, "out of memory");
}

static const struct {
	const char *key;
	bool may_be_empty;
	int (*set)(struct parser *p, const char *key, const char *value);
} fields[] = {
	{ "Multi Token File Path", true, field_multi },
	{ "Token File Path", true, field_single },
	{ "Number of Approvals", false, field_number },
	{ "Approver Type", false, field_type },
	{ "Approver Name", false, field_name },
	{ "Approval File", false, field_signature },
};

/* ---- lines ---------------------------------------------------------------------- */

/* Cuts leading and trailing white space in place. */
static char *
trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

static int
parse_entry(struct parser *p, char *text)
{
	char *eq = strchr(text, '=');
	if (eq == NULL)
		return fail_at(p, p->line, "expected \"Key = value;\", got \"%.60s\"", text);
	*eq = '\0';
	char *key = trim(text), *rest = eq + 1;
	char *semi = strchr(rest, ';');
	if (semi == NULL)
		return fail_at(p, p->line, "missing ';' at the end of \"%.60s\"", key);
	*semi = '\0';
	char *value = trim(rest), *after = trim(semi + 1);
	if (*after != '\0')
		return fail_at(p, p->line, "unexpected \"%.40s\" after ';'", after);
	for (size_t i = 0; i < ARRAY_SIZE(fields); i++) {
		if (strcasecmp(key, fields[i].key) != 0)
			continue;
		if (*value == '\0' && !fields[i].may_be_empty)
			return fail_at(p, p->line, "\"%s\" has an empty value", fields[i].key);
		return fields[i].set(p, fields[i].key, value);
	}
	return fail_at(p, p->line, "unknown key \"%.60s\"", key);
}

/* One line without its end; comments start at '#'. */
static int
parse_line(struct parser *p, const char *start, size_t n)
{
	if (n > APPROVAL_LINE_MAX)
		return fail_at(p, p->line, "the line is longer than %u characters",
		               APPROVAL_LINE_MAX);
	char buf[APPROVAL_LINE_MAX + 1];
	memcpy(buf, start, n);
	buf[n] = '\0';
	char *hash = strchr(buf, '#');
	if (hash != NULL)
		*hash = '\0';
	char *text = trim(buf);
	return *text == '\0' ? 0 : parse_entry(p, text);
}

static int
check_complete(struct parser *p)
{
	if (finish_approver(p) != 0)
		return -1;
	if (!p->seen_multi)
		return fail_at(p, 0, "the \"Multi Token File Path\" line is missing");
	if (!p->seen_single)
		return fail_at(p, 0, "the \"Token File Path\" line is missing");
	if (!p->seen_number)
		return fail_at(p, 0, "the \"Number of Approvals\" line is missing");
	if (p->number != p->af->count)
		return fail_at(p, p->number_line,
		               "\"Number of Approvals\" is %u but %u approver%s follow%s",
		               p->number, p->af->count, p->af->count == 1 ? "" : "s",
		               p->af->count == 1 ? "s" : "");
	const char *path = *p->multi != '\0' ? p->multi : p->single;
	if (*path == '\0')
		return fail_at(p, 0, "no token file: \"Multi Token File Path\" and "
		                     "\"Token File Path\" are both empty");
	p->af->token_path = strdup(path);
	return p->af->token_path != NULL ? 0 : fail_at(p, 0, "out of memory");
}

int
approval_file_parse(const char *text, size_t len, const char *name,
                    struct approval_file *af, char *err, size_t errlen)
{
	struct parser p = { .name = name, .af = af, .err = err, .errlen = errlen };
	memset(af, 0, sizeof(*af));
	int rc = 0;
	if (memchr(text, '\0', len) != NULL)
		rc = fail_at(&p, 0, "not a text file (it holds a NUL byte)");
	for (size_t off = 0; rc == 0 && off < len;) {
		const char *nl = memchr(text + off, '\n', len - off);
		size_t n = nl ? (size_t)(nl - (text + off)) : len - off;
		p.line++;
		rc = parse_line(&p, text + off, n);
		off += n + 1;
	}
	if (rc == 0)
		rc = check_complete(&p);
	free(p.multi);
	free(p.single);
	return rc;
}

int
approval_file_read(const char *path, struct approval_file *af, char *err, size_t errlen)
{
	char *text;
	size_t len;
	memset(af, 0, sizeof(*af));
	if (hsm_read_file(path, APPROVAL_FILE_MAX, &text, &len) != 0) {
		if (errno == EFBIG)
			hsm_errf(err, errlen, "%s: larger than %u bytes", path, APPROVAL_FILE_MAX);
		else
			hsm_errf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	int rc = approval_file_parse(text, len, path, af, err, errlen);
	free(text);
	return rc;
}

void
approval_file_free(struct approval_file *af)
{
	free(af->token_path);
	for (unsigned i = 0; i < af->count; i++)
		free(af->approvers[i].signature_path);
	memset(af, 0, sizeof(*af));
}
