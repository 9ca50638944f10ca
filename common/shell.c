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
		/* No file-name completion: commands take passwords, not paths mostly. */
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
