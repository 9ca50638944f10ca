/* quorum-file.c - writes and reads the token file (quorum-file.h). CMU writes
 * it, approvers sign it as it is, and each node finds its own line in it. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "quorum-file.h"

/* ---- writing ---------------------------------------------------------------- */

static void
put_line(struct hbuf *b, const char *line)
{
	hbuf_put_raw(b, line, strlen(line));
	hbuf_put_u8(b, '\n');
}

static bool
same_request(const hsm_quorum_token *a, const hsm_quorum_token *b)
{
	return a->service == b->service && a->key_handle == b->key_handle &&
	       strcmp(a->user, b->user) == 0;
}

int
quorum_file_write(struct hbuf *b, const hsm_quorum_token *t, size_t n)
{
	char line[256];
	if (n == 0 || n > QUORUM_FILE_MAX_TOKENS)
		return -1;
	for (size_t i = 1; i < n; i++)
		if (!same_request(&t[0], &t[i]))
			return -1;
	put_line(b, QUORUM_FILE_MAGIC);
	snprintf(line, sizeof(line), "Service:%u", t[0].service);
	put_line(b, line);
	snprintf(line, sizeof(line), "User:%s", t[0].user);
	put_line(b, line);
	snprintf(line, sizeof(line), "Key Handle:%u", t[0].key_handle);
	put_line(b, line);
	snprintf(line, sizeof(line), "Tokens:%zu", n);
	put_line(b, line);
	for (size_t i = 0; i < n; i++) {
		int k = snprintf(line, sizeof(line), "Token:node=%u hsm=%s id=%u value=",
		                 t[i].node_id, t[i].hsm_id, t[i].id);
		for (size_t j = 0; j < HSM_QUORUM_TOKEN_LEN && k > 0; j++)
			k += snprintf(line + k, sizeof(line) - (size_t)k, "%02x", t[i].value[j]);
		put_line(b, line);
	}
	return b->failed ? -1 : 0;
}

/* ---- reading ---------------------------------------------------------------- */

/* The unread part of one line. */
struct field {
	const char *p;
	size_t n;
};

/* The next line without its '\n'; every line must end with one. */
static int
next_line(const uint8_t *data, size_t len, size_t *off, struct field *line)
{
	if (*off >= len)
		return -1;
	const uint8_t *nl = memchr(data + *off, '\n', len - *off);
	if (nl == NULL)
		return -1;
	line->p = (const char *)data + *off;
	line->n = (size_t)(nl - (data + *off));
	*off += line->n + 1;
	return 0;
}

static bool
take_literal(struct field *f, const char *lit)
{
	size_t n = strlen(lit);
	if (f->n < n || memcmp(f->p, lit, n) != 0)
		return false;
	f->p += n;
	f->n -= n;
	return true;
}

/* Decimal without sign or leading zeros, up to the next space or the end. */
static bool
take_u32(struct field *f, uint32_t *v)
{
	uint64_t x = 0;
	size_t i = 0;
	while (i < f->n && f->p[i] >= '0' && f->p[i] <= '9' && i < 10)
		x = x * 10 + (uint64_t)(f->p[i++] - '0');
	if (i == 0 || x > UINT32_MAX || (i > 1 && f->p[0] == '0') ||
	    (i < f->n && f->p[i] != ' '))
		return false;
	*v = (uint32_t)x;
	f->p += i;
	f->n -= i;
	return true;
}

/* Letters, digits, '_' and '-' up to the next space or the end. */
static bool
take_word(struct field *f, char *out, size_t outsz)
{
	size_t i = 0;
	while (i < f->n && (isalnum((unsigned char)f->p[i]) || f->p[i] == '_' ||
	                    f->p[i] == '-'))
		i++;
	if (i == 0 || i >= outsz || (i < f->n && f->p[i] != ' '))
		return false;
	memcpy(out, f->p, i);
	out[i] = '\0';
	f->p += i;
	f->n -= i;
	return true;
}

static int
hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static bool
take_hex(struct field *f, uint8_t *out, size_t n)
{
	if (f->n != 2 * n)
		return false;
	for (size_t i = 0; i < n; i++) {
		int hi = hex_digit(f->p[2 * i]), lo = hex_digit(f->p[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return false;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	f->n = 0;
	return true;
}

static bool
header_line(const uint8_t *data, size_t len, size_t *off, const char *key, uint32_t *v,
            char *word, size_t wordsz)
{
	struct field f;
	if (next_line(data, len, off, &f) != 0 || !take_literal(&f, key))
		return false;
	bool ok = v != NULL ? take_u32(&f, v) : take_word(&f, word, wordsz);
	return ok && f.n == 0;
}

static bool
entry_line(const uint8_t *data, size_t len, size_t *off, struct quorum_file_entry *e)
{
	struct field f;
	return next_line(data, len, off, &f) == 0 && take_literal(&f, "Token:node=") &&
	       take_u32(&f, &e->node_id) && take_literal(&f, " hsm=") &&
	       take_word(&f, e->hsm_id, sizeof(e->hsm_id)) && take_literal(&f, " id=") &&
	       take_u32(&f, &e->token_id) && take_literal(&f, " value=") &&
	       take_hex(&f, e->value, sizeof(e->value));
}

static bool
read_header(const uint8_t *data, size_t len, size_t *off, struct quorum_file_header *h)
{
	struct field f;
	return next_line(data, len, off, &f) == 0 && take_literal(&f, QUORUM_FILE_MAGIC) &&
	       f.n == 0 && header_line(data, len, off, "Service:", &h->service, NULL, 0) &&
	       header_line(data, len, off, "User:", NULL, h->user, sizeof(h->user)) &&
	       header_line(data, len, off, "Key Handle:", &h->key_handle, NULL, 0) &&
	       header_line(data, len, off, "Tokens:", &h->count, NULL, 0) &&
	       h->count >= 1 && h->count <= QUORUM_FILE_MAX_TOKENS;
}

int
quorum_file_find(const uint8_t *data, size_t len, uint32_t node_id, const char *hsm_id,
                 struct quorum_file_header *h, struct quorum_file_entry *e)
{
	size_t off = 0;
	int found = 1;
	memset(h, 0, sizeof(*h));
	memset(e, 0, sizeof(*e));
	if (len > HSM_QUORUM_TOKEN_FILE_MAX || memchr(data, '\0', len) != NULL ||
	    !read_header(data, len, &off, h))
		return -1;
	for (uint32_t i = 0; i < h->count; i++) {
		struct quorum_file_entry cur;
		if (!entry_line(data, len, &off, &cur))
			return -1;
		if (cur.node_id != node_id || strcmp(cur.hsm_id, hsm_id) != 0)
			continue;
		if (found == 0)
			return -1;
		*e = cur;
		found = 0;
	}
	return off == len ? found : -1;
}
