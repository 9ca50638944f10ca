/* shell.h - line input for the interactive tools: readline on a terminal,
 * plain lines from a pipe, hidden password entry, and tokenizing. */
#ifndef HSM_SHELL_H
#define HSM_SHELL_H

#include <stdbool.h>
#include <stddef.h>

#define SHELL_LINE_MAX 8192      /* longer lines are refused, not cut */
#define SHELL_MAX_ARGS 64

enum shell_status {
	SHELL_OK,
	SHELL_EOF,
	SHELL_TOO_LONG,   /* the line was consumed and dropped */
};

struct shell {
	bool tty;            /* stdin is a terminal: readline, history */
};

void shell_init(struct shell *sh);
/* Prints prompt and reads one line without its newline into *line (free it).
 * On a terminal the line may go to the in-memory history (see shell_remember). */
enum shell_status shell_read(struct shell *sh, const char *prompt, char **line);
/* Adds a line to the history (only lines without secrets should go there). */
void shell_remember(struct shell *sh, const char *line);
/* Prints prompt and reads a line with echo off when on a terminal; prints
 * the newline the user's Enter did not echo. Free with hsm_free_secret(). */
enum shell_status shell_read_secret(struct shell *sh, const char *prompt, char **secret);
/* Tab completion on a terminal. For the words before the cursor (argv, at
 * most SHELL_MAX_ARGS) and the partial word under it, the tool offers
 * candidates; those that start with the partial word are shown. */
struct shell_completion;
typedef void (*shell_complete_fn)(void *ctx, int argc, char **argv, const char *word,
                                  struct shell_completion *out);
/* Binds TAB to fn (nothing happens on a pipe, where there is no TAB key). */
void shell_set_completion(struct shell *sh, shell_complete_fn fn, void *ctx);
void shell_offer(struct shell_completion *out, const char *candidate);
/* The partial word is a file name: readline completes it from the disk. */
void shell_offer_files(struct shell_completion *out);

/* Splits line in place on blanks; returns the number of words (at most max),
 * or -1 if there are more. */
int shell_split(char *line, char **argv, int max);

#endif
