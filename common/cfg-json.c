/* cfg-json.c - the SDK 3 JSON configs: one strict parser (the library, the
 * configure tool and hsm-sim read alike) and edits staged beside the file. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cfg-json.h"
#include "util.h"

static const char *
parse_failure(enum json_tokener_error jerr, bool have_root)
{
	if (jerr == json_tokener_continue || jerr == json_tokener_error_parse_eof)
		return "the document ends too early";
	if (jerr != json_tokener_success)
		return json_tokener_error_desc(jerr);
	return have_root ? "unexpected data after the document" : "the document ends too early";
}

static json_object *
parse_text(const char *path, const char *text, size_t len, char *err, size_t errlen)
{
	json_tokener *tok = json_tokener_new();
	if (tok == NULL) {
		hsm_errf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	/* The terminating NUL tells json-c that a bare literal ("true") ends. */
	json_object *root = json_tokener_parse_ex(tok, text, (int)len + 1);
	enum json_tokener_error jerr = json_tokener_get_error(tok);
	size_t end = json_tokener_get_parse_end(tok);
	/* Whitespace after the document is fine; anything else is not. */
	while (root != NULL && jerr == json_tokener_success && end < len &&
	       strchr(" \t\r\n", text[end]) != NULL)
		end++;
	if (end > len)
		end = len;
	if (root == NULL || jerr != json_tokener_success || end != len) {
		hsm_errf(err, errlen, "%s: not valid JSON: %s at byte %zu", path,
		         parse_failure(jerr, root != NULL), end);
		json_object_put(root);
		root = NULL;
	}
	json_tokener_free(tok);
	return root;
}

json_object *
cfg_parse_file(const char *path, char *err, size_t errlen)
{
	char *text;
	size_t len;
	if (hsm_read_file(path, CFG_MAX_BYTES, &text, &len) != 0) {
		hsm_errf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	json_object *root = parse_text(path, text, len, err, errlen);
	free(text);
	if (root != NULL && !json_object_is_type(root, json_type_object)) {
		hsm_errf(err, errlen, "%s: not valid: the top level must be a JSON object", path);
		json_object_put(root);
		root = NULL;
	}
	return root;
}

int
cfg_load(struct cfg_file *f, const char *path, char *err, size_t errlen)
{
	struct stat st;
	memset(f, 0, sizeof(*f));
	if (hsm_strlcpy(f->path, path, sizeof(f->path)) >= sizeof(f->path)) {
		hsm_errf(err, errlen, "%s: path too long", path);
		return -1;
	}
	f->root = cfg_parse_file(path, err, errlen);
	if (f->root == NULL)
		return -1;
	f->mode = stat(path, &st) == 0 ? (unsigned)(st.st_mode & 07777) : 0644;
	return 0;
}

void
cfg_adopt(struct cfg_file *f, const char *path, json_object *root)
{
	memset(f, 0, sizeof(*f));
	hsm_strlcpy(f->path, path, sizeof(f->path));
	f->root = root;
	f->mode = 0644;
}

char *
cfg_text(json_object *root, size_t *len)
{
	const char *text = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
	                                                  JSON_C_TO_STRING_NOSLASHESCAPE);
	size_t n = text != NULL ? strlen(text) : 0;
	char *out = text != NULL ? malloc(n + 2) : NULL;
	if (out == NULL)
		return NULL;
	memcpy(out, text, n);
	out[n] = '\n';
	out[n + 1] = '\0';
	*len = n + 1;
	return out;
}

int
cfg_stage(struct cfg_file *f, char *err, size_t errlen)
{
	size_t len;
	char *text = cfg_text(f->root, &len);
	if (text == NULL) {
		hsm_errf(err, errlen, "%s: %s", f->path, strerror(ENOMEM));
		return -1;
	}
	int rc = hsm_write_file_staged(f->path, text, len, f->mode, f->tmp, sizeof(f->tmp));
	if (rc != 0) {
		hsm_errf(err, errlen, "%s: cannot write: %s", f->path, strerror(errno));
		f->tmp[0] = '\0';
	}
	free(text);
	return rc;
}

int
cfg_commit(struct cfg_file *f, char *err, size_t errlen)
{
	if (f->tmp[0] == '\0' || rename(f->tmp, f->path) != 0) {
		hsm_errf(err, errlen, "%s: cannot replace: %s", f->path,
		         f->tmp[0] == '\0' ? "nothing staged" : strerror(errno));
		return -1;
	}
	f->tmp[0] = '\0';
	return 0;
}

void
cfg_release(struct cfg_file *f)
{
	if (f->tmp[0] != '\0')
		unlink(f->tmp);
	f->tmp[0] = '\0';
	json_object_put(f->root);
	f->root = NULL;
}

static int
set_value(json_object *obj, const char *key, json_object *v)
{
	if (v == NULL || !json_object_is_type(obj, json_type_object) ||
	    json_object_object_add(obj, key, v) != 0) {
		json_object_put(v);
		return -1;
	}
	return 0;
}

int
cfg_set_string(json_object *obj, const char *key, const char *value)
{
	return set_value(obj, key, json_object_new_string(value));
}

int
cfg_set_int(json_object *obj, const char *key, int value)
{
	return set_value(obj, key, json_object_new_int(value));
}
