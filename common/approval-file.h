/* approval-file.h - the token approval file approveToken of both tools reads
 * (quorum-authentication-crypto-officers.md): "Key = value;" entries. */
#ifndef HSM_APPROVAL_FILE_H
#define HSM_APPROVAL_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "hsmclient.h"

#define APPROVAL_FILE_MAX 65536u     /* bytes */
#define APPROVAL_LINE_MAX 4096u      /* characters in one line */

struct approval_entry {
	unsigned line;                   /* where its "Approver Type" is */
	uint8_t type;                    /* 2 CO, 1 CU */
	char name[HSM_USER_NAME_MAX + 1];
	char *signature_path;
};

struct approval_file {
	char *token_path;                /* Multi Token File Path, else Token File Path */
	unsigned count;
	struct approval_entry approvers[HSM_QUORUM_MAX_APPROVALS];
};

/* Parses text (len bytes, named name in messages). 0, or -1 with one line
 * in err: "<name>:<line>: <what is wrong>" (no line number when the
 * problem is the file as a whole). Free with approval_file_free either way. */
int approval_file_parse(const char *text, size_t len, const char *name,
                        struct approval_file *af, char *err, size_t errlen);
/* Reads and parses the file at path. */
int approval_file_read(const char *path, struct approval_file *af, char *err,
                       size_t errlen);
void approval_file_free(struct approval_file *af);

/* What an approval file names, read: the token file and each signature, as
 * hsm_approve_token takes them (the names point into the approval_file,
 * which must outlive the set). */
struct approval_set {
	uint8_t *file;
	size_t file_len;
	hsm_approval approvals[HSM_QUORUM_MAX_APPROVALS];
	uint8_t *sigs[HSM_QUORUM_MAX_APPROVALS];
	size_t n;
};

/* 0, or -1 with "<path>: <reason>" in err (a file missing, unreadable or too
 * large). Free with approval_set_free either way. */
int approval_set_load(const struct approval_file *af, struct approval_set *set, char *err,
                      size_t errlen);
void approval_set_free(struct approval_set *set);

#endif
