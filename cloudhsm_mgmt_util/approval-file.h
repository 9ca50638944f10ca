/* approval-file.h - the token approval file approveToken reads
 * (quorum-authentication-crypto-officers.md): "Key = value;" entries. */
#ifndef CMU_APPROVAL_FILE_H
#define CMU_APPROVAL_FILE_H

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

#endif
