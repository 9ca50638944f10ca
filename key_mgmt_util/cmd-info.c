/* cmd-info.c - Error2String, getHSMInfo, getPartitionInfo and getCert: what
 * the HSMs say about themselves and their return codes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kmu.h"
#include "util.h"

static const struct kmu_opt e2s_opts[] = {
	{ "-r", "Response code", OPT_STRING, true, 0, 0 },
};

static int
error2string_exec(struct kmu *k, const struct kmu_args *a)
{
	unsigned long code;
	const char *r = kmu_str(a, "-r");
	(void)k;
	/* The code is hexadecimal with its 0x, as the tools print it. */
	if (strncmp(r, "0x", 2) != 0 || r[2] == '\0' ||
	    strspn(r + 2, "0123456789abcdefABCDEF") != strlen(r + 2) || strlen(r + 2) > 8) {
		printf("\n\tError: Invalid Response code (-r): %s (a hexadecimal code such as 0xc6)\n",
		       r);
		return 2;
	}
	code = strtoul(r + 2, NULL, 16);
	const char *msg = hsm_rc_message((hsm_rc)code);
	if (msg == NULL) {
		printf("\n\tError Code %lx does not map to any known error\n", code);
		return 1;
	}
	printf("\n\tError Code %lx maps to %s\n", code, msg);
	return 0;
}

const struct kmu_cmd kmu_cmd_error2string = {
	.name = "Error2String",
	.summary = "Converts Error codes to Strings",
	.help = "Description\n===========\nPrints the message of a return code.\n\n"
		"Syntax: Error2String -h\n\nError2String -r <response-code>\n\n"
		"Parameters:\n  -r       the code in hexadecimal with 0x, e.g. 0xdb\n",
	KMU_OPTS(e2s_opts),
	.exec = error2string_exec,
};

static void
print_hsm_info(size_t node, const hsm_hsm_info *h)
{
	printf("\n\tHSM Info of node id %zu:\n", node);
	printf("\t%-21s:%s\n\t%-21s:%s\n\t%-21s:%s\n", "Label", h->label, "Model", h->model,
	       "Serial Number", h->serial);
	printf("\t%-21s:%u [%s]\n", "FIPS state", h->fips_state,
	       h->fips_state == 2 ? "FIPS mode with single factor authentication"
	                          : "non-FIPS mode");
	printf("\t%-21s:%u\n\t%-21s:%u\n", "TotalPublicMemory", h->total_public_memory,
	       "FreePublicMemory", h->free_public_memory);
	printf("\t%-21s:%u.%02u\n\t%-21s:%s\n", "Firmware Version", h->firmware_major,
	       h->firmware_minor, "Firmware ID", h->firmware_id);
}

static int
get_hsm_info_exec(struct kmu *k, const struct kmu_args *a)
{
	hsm_rc first = HSM_RC_CLUSTER_UNAVAILABLE;
	(void)a;
	for (size_t i = 0; i < hsm_server_count(k->client); i++) {
		hsm_hsm_info h;
		hsm_rc rc = hsm_get_hsm_info(k->client, i, &h);
		if (rc == HSM_RC_SUCCESS)
			print_hsm_info(i, &h);
		else
			printf("\n\tNode id %zu and err state 0x%08x : %s\n", i, rc, kmu_rc_message(rc));
		if (first != HSM_RC_SUCCESS)
			first = rc;
	}
	kmu_print_rc("Cfm3GetHSMInfo", first);
	return first == HSM_RC_SUCCESS ? 0 : 1;
}

const struct kmu_cmd kmu_cmd_get_hsm_info = {
	.name = "getHSMInfo",
	.summary = "Gets the HSM Information",
	.help = "Description\n===========\nShows model, serial number, FIPS state, memory and firmware\n"
		"of every HSM of the cluster.\n\nSyntax: getHSMInfo -h\n\ngetHSMInfo\n",
	.exec = get_hsm_info_exec,
};

static int
get_partition_info_exec(struct kmu *k, const struct kmu_args *a)
{
	hsm_rc first = HSM_RC_CLUSTER_UNAVAILABLE;
	(void)a;
	for (size_t i = 0; i < hsm_server_count(k->client); i++) {
		hsm_user_list users;
		hsm_server_state s = hsm_server_get(k->client, i);
		hsm_rc rc = s.connected ? hsm_list_users(k->client, i, &users)
		                        : HSM_RC_CLUSTER_UNAVAILABLE;
		if (rc == HSM_RC_SUCCESS) {
			printf("\n\tPartition Info of node id %zu:\n", i);
			printf("\t%-21s:%s\n\t%-21s:%s\n\t%-21s:%zu\n", "Partition", s.partition,
			       "Cluster", s.cluster_id, "Number of users", users.count);
			hsm_user_list_free(&users);
		} else {
			printf("\n\tNode id %zu and err state 0x%08x : %s\n", i, rc, kmu_rc_message(rc));
		}
		if (first != HSM_RC_SUCCESS)
			first = rc;
	}
	kmu_print_rc("Cfm3GetPartitionInfo", first);
	return first == HSM_RC_SUCCESS ? 0 : 1;
}

const struct kmu_cmd kmu_cmd_get_partition_info = {
	.name = "getPartitionInfo",
	.summary = "Gets the Partition Information",
	.help = "Description\n===========\nShows the partition (HSM id), cluster and number of users\n"
		"of every HSM.\n\nSyntax: getPartitionInfo -h\n\ngetPartitionInfo\n",
	.exec = get_partition_info_exec,
};

static const struct kmu_opt cert_opts[] = {
	{ "-f", "File name", OPT_STRING, true, 0, 0 },
	{ "-s", "Certificate type", OPT_UINT, false, 1, 16 },
	{ "-t", "Certificate type", OPT_UINT, false, 1, 16 },
};

static int
get_cert_exec(struct kmu *k, const struct kmu_args *a)
{
	unsigned long type = kmu_set(a, "-s") ? kmu_num(a, "-s") : kmu_num(a, "-t");
	if (!kmu_set(a, "-s") && !kmu_set(a, "-t")) {
		printf("\n\tError: Certificate type (-s) is missing.\n");
		kmu_print_help(&kmu_cmd_get_cert);
		return 2;
	}
	if (type != 1 && type != 2 && type != 4 && type != 8 && type != 16) {
		printf("\n\tError: Invalid Certificate type (-s): %lu (1, 2, 4, 8 or 16)\n", type);
		return 2;
	}
	hsm_rc rc = HSM_RC_CLUSTER_UNAVAILABLE;
	char *pem = NULL;
	size_t len = 0;
	for (size_t i = 0; i < hsm_server_count(k->client) && rc != HSM_RC_SUCCESS; i++)
		if (hsm_server_get(k->client, i).connected)
			rc = hsm_get_cert(k->client, i, (unsigned)type, &pem, &len);
	if (rc == HSM_RC_SUCCESS && kmu_write_file(kmu_str(a, "-f"), pem, len) != 0)
		rc = HSM_RC_INTERNAL;
	free(pem);
	printf("\n\tCfm3GetCert() returned %u :%s\n", rc, kmu_rc_message(rc));
	return rc == HSM_RC_SUCCESS ? 0 : 1;
}

const struct kmu_cmd kmu_cmd_get_cert = {
	.name = "getCert",
	.summary = "Gets Partition Certificates stored on HSM",
	.help = "Description\n===========\nSaves one of the HSM's certificates to a file.\n\n"
		"Syntax: getCert -h\n\n"
		"getCert -f <file-name> \n"
		"        -t <certificate-type>\n\n"
		"Parameters:\n  -f       file to write (PEM)\n"
		"  -s       1 manufacturer root, 2 manufacturer hardware, 4 customer root,\n"
		"           8 cluster (signed by the customer root),\n"
		"           16 cluster (chained to the manufacturer root); -t is accepted too\n",
	KMU_OPTS(cert_opts),
	.exec = get_cert_exec,
};
