/* output.c - the result lines every KMU command prints: the library call's
 * return code and the per-node "Cluster Error Status" block. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "kmu.h"
#include "util.h"

const char *
kmu_rc_message(hsm_rc rc)
{
	const char *m = hsm_rc_message(rc);
	return m != NULL ? m : "HSM Error: Unknown error";
}

static void
print_code(hsm_rc rc)
{
	if (rc <= 0xff)
		printf("0x%02x", rc);
	else
		printf("0x%08x", rc);
}

/* Success keeps the message on the line; a failure puts it on the next
 * lines (OBSERVED.md), as verify's ERR_BAD_PKCS_DATA does. */
void
kmu_print_rc(const char *call, hsm_rc rc)
{
	printf("\n\t%s returned: ", call);
	print_code(rc);
	if (rc == HSM_RC_SUCCESS)
		printf(" : %s\n", kmu_rc_message(rc));
	else
		printf("\n\n\t%s\n", kmu_rc_message(rc));
}

void
kmu_print_status(const hsm_node_status *st)
{
	printf("\n\tCluster Error Status\n");
	for (size_t i = 0; i < st->count; i++)
		if (st->used[i])
			printf("\tNode id %zu and err state 0x%08x : %s\n", i, st->rc[i],
			       kmu_rc_message(st->rc[i]));
}

void
kmu_print_result(const char *call, hsm_rc rc, const hsm_node_status *st)
{
	kmu_print_rc(call, rc);
	kmu_print_status(st);
}

int
kmu_write_file(const char *path, const void *data, size_t n)
{
	if (hsm_write_file_atomic(path, data, n, 0600) != 0) {
		printf("\n\tError: cannot write %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

int
kmu_read_file(const char *path, size_t max, uint8_t **data, size_t *n)
{
	char *buf;
	if (hsm_read_file(path, max, &buf, n) != 0) {
		if (errno == EFBIG)
			printf("\n\tError: %s is larger than %zu bytes\n", path, max);
		else
			printf("\n\tError: cannot read %s: %s\n", path, strerror(errno));
		return -1;
	}
	*data = (uint8_t *)buf;
	return 0;
}
