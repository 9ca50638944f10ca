/* cmd-hsm.c - getHSMInfo and getCert: what each HSM says about itself.
 * Neither needs a login; getCert writes its file atomically. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmu.h"
#include "util.h"

static hsm_rc
info_one(hsm_client *c, size_t srv, void *p)
{
	hsm_hsm_info *infos = p;
	return hsm_get_hsm_info(c, srv, &infos[srv]);
}

static void
print_hsm_info(size_t srv, const hsm_hsm_info *h)
{
	printf("                *** Server %zu HSM Info ***\n\n", srv);
	printf("        %-21s:%s\n", "Label", h->label);
	printf("        %-21s:%s\n\n", "Model", h->model);
	printf("        %-21s:%s\n", "Serial Number", h->serial);
	printf("        %-21s:%u\n", "HSM Flags", h->flags);
	printf("        %-21s:%u [%s]\n\n", "FIPS state", h->fips_state,
	       h->fips_state == 2 ? "FIPS mode with single factor authentication"
	                          : "non-FIPS mode");
	printf("        %-21s:%s\n", "Manufacturer ID", h->manufacturer_id);
	printf("        %-21s:%X\n", "Device ID", h->device_id);
	printf("        %-21s:%X\n", "Class Code", h->class_code);
	printf("        %-21s:%X\n", "System vendor ID", h->vendor_id);
	printf("        %-21s:%X\n\n\n", "SubSystem ID", h->subsystem_id);
	printf("        %-21s:%u\n", "TotalPublicMemory", h->total_public_memory);
	printf("        %-21s:%u\n", "FreePublicMemory", h->free_public_memory);
	printf("        %-21s:%u\n", "TotalPrivateMemory", h->total_private_memory);
	printf("        %-21s:%u\n\n", "FreePrivateMemory", h->free_private_memory);
	printf("        %-21s:%u\n", "Hardware Major", h->hardware_major);
	printf("        %-21s:%u\n\n", "Hardware Minor", h->hardware_minor);
	printf("        %-21s:%u\n", "Firmware Major", h->firmware_major);
	printf("        %-21s:%02u\n\n", "Firmware Minor", h->firmware_minor);
	printf("        %-21s:%u C\n\n", "Temperature", h->temperature);
	printf("        %-21s:%u\n\n", "Build Number", h->build_number);
	printf("        %-21s:%s\n\n", "Firmware ID", h->firmware_id);
}

static int
cmd_get_hsm_info_exec(struct cmu *cmu, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	hsm_hsm_info infos[HSM_MAX_SERVERS];
	hsm_rc rcs[HSM_MAX_SERVERS];
	memset(infos, 0, sizeof(infos));
	printf("Getting HSM Info on %zu nodes\n", cmu_scope_count(cmu));
	cmu_run_in_scope(cmu, info_one, infos, rcs);
	for (size_t i = 0; i < hsm_server_count(cmu->client); i++) {
		if (!cmu_in_scope(cmu, i))
			continue;
		if (rcs[i] == HSM_RC_SUCCESS)
			print_hsm_info(i, &infos[i]);
		else
			cmu_print_failure(cmu, "getHSMInfo", i, rcs[i]);
	}
	return 0;
}

const struct cmu_cmd cmd_get_hsm_info_entry = {
	.name = "getHSMInfo",
	.usage = "getHSMInfo",
	.summary = "Shows the hardware and firmware of each HSM",
	.min_args = 0, .max_args = 0,
	.exec = cmd_get_hsm_info_exec,
};

static int
cmd_get_cert_exec(struct cmu *cmu, int argc, char **argv)
{
	unsigned long type;
	(void)argc;
	if (cmu->server_mode == CMU_GLOBAL_MODE) {
		printf("getCert failed: this command works in server mode only "
		       "(enter it with: server <server-number>)\n");
		return 1;
	}
	if (!hsm_parse_uint(argv[1], 1, 16, &type) ||
	    (type != 1 && type != 2 && type != 4 && type != 8 && type != 16)) {
		printf("getCert failed: invalid certificate type %s (1, 2, 4, 8 or 16)\n", argv[1]);
		return 1;
	}
	char *pem = NULL;
	size_t len = 0;
	cmu_ensure_connected(cmu, cmu->server_mode);
	hsm_rc rc = hsm_get_cert(cmu->client, cmu->server_mode, (unsigned)type, &pem, &len);
	if (rc != HSM_RC_SUCCESS) {
		cmu_print_rc_line("getCert", rc);
	} else if (hsm_write_file_atomic(argv[0], pem, len, 0644) != 0) {
		printf("getCert failed: %s: %s\n", argv[0], strerror(errno));
	} else {
		printf("getCert Success\n");
	}
	free(pem);
	return 0;
}

const struct cmu_cmd cmd_get_cert_entry = {
	.name = "getCert",
	.usage = "getCert <file-name> <certificate-type>",
	.summary = "Saves one certificate of the HSM in server mode (types 1, 2, 4, 8, 16)",
	.min_args = 2, .max_args = 2,
	.exec = cmd_get_cert_exec,
};
