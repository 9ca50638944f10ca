/* cmd-aeswrap.c - aesWrapUnwrap: a small host file through AES key wrap
 * with an HSM key (RFC 3394 over PKCS #5 padding, as the SDK did). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kmu-wrap.h"

#define AES_WRAP_FILE_MAX 4095u    /* "less than 4 KB (4096 bytes)" */
#define AES_WRAP_FILE_MIN 8u       /* two 8-byte blocks once padded */
#define BYTES_PER_LINE 8u

static const struct kmu_opt aes_wrap_opts[] = {
	{ "-m", "Wrap/unwrap mode", OPT_UINT, true, 0, 1 },
	{ "-f", "File to wrap/unwrap", OPT_STRING, true, 0, 0 },
	{ "-w", "Wrapping key handle", OPT_UINT, true, 0, UINT32_MAX },
	{ "-i", "Wrapping IV", OPT_STRING, false, 0, 0 },
	{ "-out", "Output file", OPT_STRING, false, 0, 0 },
};

static void
print_result(const uint8_t *p, size_t n)
{
	printf("result data:\n");
	for (size_t i = 0; i < n; i++)
		printf(i % BYTES_PER_LINE == BYTES_PER_LINE - 1 || i + 1 == n ? "%02X\n" : "%02X ",
		       p[i]);
}

/* The IV: -i, or the default with the page's warning. */
static int
choose_iv(const struct kmu_args *a, uint8_t iv[8])
{
	if (!kmu_set(a, "-i")) {
		printf("\n\tWarning: IV (-i) is missing.\n"
		       "\t         0xA6A6A6A6A6A6A6A6 is considered as default IV\n");
		memset(iv, 0xa6, 8);
		return 0;
	}
	if (kmu_parse_hex(kmu_str(a, "-i"), iv, 8) == 0)
		return 0;
	printf("\n\tError: Invalid IV (-i): %s (8 bytes in hex, such as 0xA6A6A6A6A6A6A6A6)\n",
	       kmu_str(a, "-i"));
	return -1;
}

static int
read_input(const char *path, bool wrap, uint8_t **data, size_t *n)
{
	if (kmu_read_file(path, AES_WRAP_FILE_MAX, data, n) != 0)
		return -1;
	if (!wrap || *n >= AES_WRAP_FILE_MIN)
		return 0;
	printf("\n\tError: %s has %zu bytes; aesWrapUnwrap wraps %u to %u bytes\n", path, *n,
	       AES_WRAP_FILE_MIN, AES_WRAP_FILE_MAX);
	kmu_free_secret(*data, *n);
	*data = NULL;
	return -1;
}

static hsm_rc
run(struct kmu *k, const struct kmu_args *a, bool wrap, const uint8_t iv[8],
    const char *out)
{
	uint8_t *data = NULL;
	size_t n = 0;
	hsm_wrap_result r;
	hsm_node_status st;
	if (read_input(kmu_str(a, "-f"), wrap, &data, &n) != 0)
		return HSM_RC_INVALID_INPUT;
	hsm_wrap_params p = { .mechanism = HSM_WRAP_AES_KEY_WRAP_PAD_PKCS5, .iv = iv, .iv_len = 8 };
	uint32_t key = (uint32_t)kmu_num(a, "-w");
	hsm_rc rc = wrap ? hsm_wrap_data(k->client, key, &p, data, n, &r, &st)
	                 : hsm_unwrap_data(k->client, key, &p, data, n, &r, &st);
	kmu_free_secret(data, n);
	bool written = true;
	if (rc == HSM_RC_SUCCESS) {
		print_result(r.data, r.len);
		written = kmu_write_file(out, r.data, r.len) == 0;
		if (written)
			printf("\nresult written to file %s\n", out);
	}
	hsm_wrap_result_free(&r);
	if (!written)
		return HSM_RC_INTERNAL;
	kmu_print_rc(wrap ? "Cfm3WrapHostKey" : "Cfm3UnWrapHostKey", rc);
	return rc;
}

/* A failed command leaves an empty output file (the page), unless that
 * would empty the input itself. */
static int
aes_wrap_exec(struct kmu *k, const struct kmu_args *a)
{
	bool wrap = kmu_num(a, "-m") == 1;
	const char *out = kmu_set(a, "-out") ? kmu_str(a, "-out")
	                                     : wrap ? "wrapped_key" : "unwrapped_key";
	uint8_t iv[8];
	hsm_rc rc = choose_iv(a, iv) == 0 ? run(k, a, wrap, iv, out) : HSM_RC_INVALID_INPUT;
	if (rc != HSM_RC_SUCCESS && strcmp(out, kmu_str(a, "-f")) != 0)
		(void)kmu_write_file(out, "", 0);
	return rc == HSM_RC_SUCCESS ? 0 : 1;
}

const struct kmu_cmd kmu_cmd_aes_wrap_unwrap = {
	.name = "aesWrapUnwrap",
	.summary = "Does NIST AES Wrap/Unwrap",
	.help = "Description\n===========\nWraps or unwraps the contents of a file (less than 4096 bytes)\n"
		"with AES key wrap (RFC 3394, PKCS #5 padded) and an AES key in the HSM.\n\n"
		"Syntax: aesWrapUnwrap -h\n\n"
		"aesWrapUnwrap -m <wrap-unwrap mode>\n"
		"              -f <file-to-wrap-unwrap> \n"
		"              -w <wrapping-key-handle>               \n"
		"              [-i <wrapping-IV>] \n"
		"              [-out <output-file>]\n\n"
		"Parameters:\n"
		"  -m       1 wrap (the key needs OBJ_ATTR_ENCRYPT), 0 unwrap (OBJ_ATTR_DECRYPT)\n"
		"  -f       the file: 8 to 4095 bytes to wrap\n"
		"  -w       an AES key in the HSM\n"
		"  -i       the IV, 8 bytes in hex (default 0xA6A6A6A6A6A6A6A6)\n"
		"  -out     default wrapped_key / unwrapped_key; empty when the command fails\n",
	KMU_OPTS(aes_wrap_opts),
	.exec = aes_wrap_exec,
};
