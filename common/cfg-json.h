/* cfg-json.h - reading and rewriting the SDK 3 JSON configuration files with
 * json-c: one strict parser for every reader, and edits that keep the file. */
#ifndef HSM_CFG_JSON_H
#define HSM_CFG_JSON_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#define CFG_MAX_BYTES (1024u * 1024u)

/* Parses path as one JSON object (whitespace may follow it, nothing else).
 * NULL with a line naming the file and the problem in err. */
json_object *cfg_parse_file(const char *path, char *err, size_t errlen);

/* A config being edited: its parsed text, then a staged replacement that
 * becomes visible only on cfg_commit, so that several files change together
 * or not at all. */
struct cfg_file {
	char path[PATH_MAX];
	json_object *root;
	unsigned mode;          /* kept for the new file */
	char tmp[PATH_MAX + 16]; /* the staged file; "" when none */
};

/* Loads path for editing; -1 with the reason in err. */
int cfg_load(struct cfg_file *f, const char *path, char *err, size_t errlen);
/* Starts f as a new file at path (mode 0644) with root, which f then owns. */
void cfg_adopt(struct cfg_file *f, const char *path, json_object *root);
/* Writes root into a temporary file beside path (fsynced, same mode). */
int cfg_stage(struct cfg_file *f, char *err, size_t errlen);
/* Renames the staged file over path. */
int cfg_commit(struct cfg_file *f, char *err, size_t errlen);
/* Frees root and removes a staged file that was not committed. */
void cfg_release(struct cfg_file *f);

/* The JSON text of root as the tools write it: json-c's pretty form, no
 * escaped slashes, a final newline. Free it; NULL when out of memory. */
char *cfg_text(json_object *root, size_t *len);

/* Sets key of obj to a string or an integer. An existing key keeps its place
 * in the object (json-c replaces the value in place), a new one goes last. */
int cfg_set_string(json_object *obj, const char *key, const char *value);
int cfg_set_int(json_object *obj, const char *key, int value);

#endif
