/* cmd-masked.c - extractMaskedObject and insertMaskedObject: a key with all
 * its attributes, sealed so that only this cluster (or a clone) opens it. */
#include <stdio.h>
#include <stdlib.h>

#include <openssl/crypto.h>

#include "kmu.h"

#define MASKED_FILE_MAX (128u * 1024u)

static const struct kmu_opt extract_opts[] = {
	{ "-o", "Object handle", OPT_UINT, true, 0, UINT32_MAX },
	{ "-out", "Output file", OPT_STRING, true, 0, 0 },
};

static int
extract_exec(struct kmu *k, const struct kmu_args *a)
{
	uint8_t *blob = NULL;
	size_t len = 0;
	hsm_node_status st;
	const char *file = kmu_str(a, "-out");
	hsm_rc rc = hsm_extract_masked(k->client, (uint32_t)kmu_num(a, "-o"), &blob, &len, &st);
	if (rc == HSM_RC_SUCCESS && kmu_write_file(file, blob, len) != 0)
		rc = HSM_RC_INTERNAL;
	if (rc == HSM_RC_SUCCESS)
		printf("\nObject was masked and written to file \"%s\"\n", file);
	free(blob);
	kmu_print_rc("Cfm3ExtractMaskedObject", rc);
	return rc == HSM_RC_SUCCESS ? 0 : 1;
}

const struct kmu_cmd kmu_cmd_extract_masked = {
	.name = "extractMaskedObject",
	.summary = "Extracts a masked object",
	.help = "Description\n===========\nWrites a key, with its attributes, owner and sharing, to a\n"
		"file encrypted under the cluster's masking key.\n\n"
		"Syntax: extractMaskedObject -h\n\n"
		"extractMaskedObject -o <object-handle>\n"
		"                    -out <object-file>\n",
	KMU_OPTS(extract_opts),
	.exec = extract_exec,
};

static const struct kmu_opt insert_opts[] = {
	{ "-f", "File name", OPT_STRING, true, 0, 0 },
	{ "-min_srv", "Minimum number of servers", OPT_UINT, false, 1, HSM_MAX_SERVERS },
	{ "-timeout", "Timeout", OPT_UINT, false, 1, 86400 },
};

static int
insert_exec(struct kmu *k, const struct kmu_args *a)
{
	uint8_t *blob;
	size_t len;
	if (kmu_set(a, "-timeout") && !kmu_set(a, "-min_srv")) {
		printf("\n\tError: Timeout (-timeout) is valid only with -min_srv.\n");
		return 2;
	}
	if (kmu_read_file(kmu_str(a, "-f"), MASKED_FILE_MAX, &blob, &len) != 0)
		return 1;
	hsm_sync_opts so = { (unsigned)kmu_num(a, "-min_srv"), (unsigned)kmu_num(a, "-timeout") };
	hsm_node_status st;
	uint32_t h = 0;
	hsm_rc rc = hsm_insert_masked(k->client, blob, len, &so, &h, &st);
	free(blob);
	kmu_print_rc("Cfm3InsertMaskedObject", rc);
	if (rc == HSM_RC_SUCCESS)
		printf("\tNew Key Handle: %u\n", h);
	kmu_print_status(&st);
	return rc == HSM_RC_SUCCESS ? 0 : 1;
}

const struct kmu_cmd kmu_cmd_insert_masked = {
	.name = "insertMaskedObject",
	.summary = "Inserts a masked object",
	.help = "Description\n===========\nInserts a masked object made in this cluster (or a clone)\n"
		"as a new key with a new handle.\n\n"
		"Syntax: insertMaskedObject -h\n\n"
		"insertMaskedObject -f <filename>\n"
		"                   [-min_srv <minimum-number-of-servers>]\n"
		"                   [-timeout <number-of-seconds>]\n",
	KMU_OPTS(insert_opts),
	.exec = insert_exec,
};
