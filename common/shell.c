/* shell.c - line input for the interactive tools.
 * One path for terminal and pipe so expect and shell scripts see one tool. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <readline/history.h>
#include <readline/readline.h>

#include <openssl/crypto.h>

#include "shell.h"
#include "util.h"

void
shell_init(struct shell *sh)
{
	sh->tty = isatty(STDIN_FILENO) != 0;
	if (sh->tty) {
		rl_outstream = stdout;
		/* Readline 8.1 wraps prompts in bracketed-paste escapes; the tools
		 * print their prompt bytes and nothing else. */
		rl_variable_bind("enable-bracketed-paste", "off");
		/* TAB completes only what a tool offers (shell_set_completion):
		 * readline's default would list files for a password. */
		rl_bind_key('\t', rl_insert);
	}
}

/* Reads one line from a pipe without a length limit on memory: a line longer
 * than SHELL_LINE_MAX is read to its end and reported as too long. */
static enum shell_status
read_plain_line(char **line)
{
	size_t cap = 256, len = 0;
	bool too_long = false;
	char *buf = malloc(cap);
	int c;
	if (buf == NULL)
		return SHELL_EOF;
	while ((c = getchar()) != EOF && c != '\n') {
		if (len + 1 >= cap && !too_long) {
			if (cap > SHELL_LINE_MAX) {
				too_long = true;
				continue;
			}
			char *grown = realloc(buf, cap * 2);
			if (grown == NULL) {
				too_long = true;
				continue;
			}
			buf = grown;
			cap *= 2;
		}
		if (!too_long)
			buf[len++] = (char)c;
	}
	if (c == EOF && len == 0 && !too_long) {
		free(buf);
		return SHELL_EOF;
	}
	buf[len] = '\0';
	if (len > 0 && buf[len - 1] == '\r')
		buf[--len] = '\0';
	if (too_long || len > SHELL_LINE_MAX) {
		OPENSSL_cleanse(buf, cap);
		free(buf);
		return SHELL_TOO_LONG;
	}
	*line = buf;
	return SHELL_OK;
}

enum shell_status
shell_read(struct shell *sh, const char *prompt, char **line)
{
	*line = NULL;
	if (!sh->tty) {
		fputs(prompt, stdout);
		fflush(stdout);
		return read_plain_line(line);
	}
	char *l = readline(prompt);
	if (l == NULL)
		return SHELL_EOF;
	if (strlen(l) > SHELL_LINE_MAX) {
		OPENSSL_cleanse(l, strlen(l));
		free(l);
		return SHELL_TOO_LONG;
	}
	*line = l;
	return SHELL_OK;
}

void
shell_remember(struct shell *sh, const char *line)
{
	if (sh->tty && line[strspn(line, " \t")] != '\0')
		add_history(line);
}

enum shell_status
shell_read_secret(struct shell *sh, const char *prompt, char **secret)
{
	struct termios old, quiet;
	bool echo_off = sh->tty && tcgetattr(STDIN_FILENO, &old) == 0;
	*secret = NULL;
	/* Echo goes off before the prompt shows, so nothing typed after
	 * seeing it can ever be echoed. */
	if (echo_off) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		quiet.c_lflag |= ECHONL;
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	}
	fputs(prompt, stdout);
	fflush(stdout);
	enum shell_status st = read_plain_line(secret);
	if (echo_off)
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
	else
		fputc('\n', stdout);
	fflush(stdout);
	return st;
}

int
shell_split(char *line, char **argv, int max)
{
	int n = 0;
	char *save = NULL;
	for (char *w = strtok_r(line, " \t\r\n", &save); w != NULL;
	     w = strtok_r(NULL, " \t\r\n", &save)) {
		if (n == max)
			return -1;
		argv[n++] = w;
	}
	return n;
}

/* ---- completion -------------------------------------------------------------- */

struct shell_completion {
	const char *word;
	char **items;
	size_t count, cap;
	bool files;
};

static struct {
	shell_complete_fn fn;
	void *ctx;
	struct shell_completion offer;   /* of the completion in progress */
	size_t next;                     /* the generator's position */
} completion;

void
shell_offer(struct shell_completion *out, const char *candidate)
{
	if (strncmp(candidate, out->word, strlen(out->word)) != 0)
		return;
	for (size_t i = 0; i < out->count; i++)
		if (strcmp(out->items[i], candidate) == 0)
			return;
	if (out->count == out->cap) {
		size_t cap = out->cap ? out->cap * 2 : 16;
		char **grown = realloc(out->items, cap * sizeof(*grown));
		if (grown == NULL)
			return;
		out->items = grown;
		out->cap = cap;
	}
	char *copy = strdup(candidate);
	if (copy != NULL)
		out->items[out->count++] = copy;
}

void
shell_offer_files(struct shell_completion *out)
{
	out->files = true;
}

static void
offer_clear(struct shell_completion *o)
{
	for (size_t i = 0; i < o->count; i++)
		free(o->items[i]);
	free(o->items);
	memset(o, 0, sizeof(*o));
}

/* Readline frees what it is given; each call hands out the next match. */
static char *
next_offer(const char *text, int state)
{
	(void)text;
	if (state == 0)
		completion.next = 0;
	if (completion.next >= completion.offer.count)
		return NULL;
	return strdup(completion.offer.items[completion.next++]);
}

static char **
attempt_completion(const char *text, int start, int end)
{
	(void)end;
	char *before = strndup(rl_line_buffer, (size_t)start), *argv[SHELL_MAX_ARGS];
	rl_attempted_completion_over = 1;
	if (before == NULL)
		return NULL;
	int argc = shell_split(before, argv, SHELL_MAX_ARGS);
	char **matches = NULL;
	offer_clear(&completion.offer);
	completion.offer.word = text;
	if (argc >= 0) {
		completion.fn(completion.ctx, argc, argv, text, &completion.offer);
		matches = completion.offer.files
		          ? rl_completion_matches(text, rl_filename_completion_function)
		          : rl_completion_matches(text, next_offer);
	}
	offer_clear(&completion.offer);
	free(before);
	return matches;
}

void
shell_set_completion(struct shell *sh, shell_complete_fn fn, void *ctx)
{
	completion.fn = fn;
	completion.ctx = ctx;
	if (!sh->tty)
		return;
	rl_attempted_completion_function = attempt_completion;
	rl_completer_word_break_characters = (char *)" \t";
	rl_bind_key('\t', rl_complete);
}
