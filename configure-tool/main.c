/* main.c - configure, the SDK 3 set-up tool: reads the options of the SDK 3
 * syntax and runs the one action they ask for on the tools' two configs. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "configure.h"
#include "hsmclient.h"
#include "util.h"

#define CLIENT_CFG_ENV "CLOUDHSM_CLIENT_CFG"
#define CMU_CFG_ENV "CLOUDHSM_MGMT_UTIL_CFG"

/* configure-sdk-3.md, Syntax. */
static const char syntax[] =
	"configure -h | --help\n"
	"          -a <ENI IP address>\n"
	"          -m [-i <daemon_id>]\n"
	"          --ssl --pkey <private key file> --cert <certificate file>\n"
	"          --cmu <ENI IP address>\n";

static void report(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

/* "configure: " and the message on stderr, without the newline. */
static void
report(const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: ", program_invocation_short_name);
	vfprintf(stderr, fmt, ap);
}

void
conf_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	report(fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void
print_help(const struct conf_request *r)
{
	fputs(syntax, stdout);
	printf("\n"
	       "  -a <IP>        write the HSM's address into both files below; the\n"
	       "                 cloudhsm_mgmt_util file then lists that one HSM\n"
	       "  -m             list every HSM of the cluster in the cloudhsm_mgmt_util\n"
	       "                 file, as the HSM of the client file tells them\n"
	       "  -i <daemon_id> the client daemon whose file -m reads (1, the only one)\n"
	       "  --ssl          present another client key and certificate; the\n"
	       "                 certificate must chain to the CA file (customerCA.crt)\n"
	       "  --pkey <file>  the private key (PEM, not encrypted)\n"
	       "  --cert <file>  the certificate (PEM), with its chain if any\n"
	       "  --cmu <IP>     -a <IP>, then -m\n"
	       "  -h, --help     print this help\n"
	       "  --version      print the version\n\n"
	       "Files ($%s and $%s name others):\n"
	       "  %s (key_mgmt_util)\n"
	       "  %s (cloudhsm_mgmt_util)\n",
	       CLIENT_CFG_ENV, CMU_CFG_ENV, r->client_cfg, r->cmu_cfg);
}

static const char *
config_path(const char *env, const char *name, char *buf, size_t len)
{
	const char *v = getenv(env);
	if (v != NULL && *v != '\0')
		return v;
	snprintf(buf, len, "%s/%s", SYSCONFDIR, name);
	return buf;
}

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* One line naming the mistake, then the syntax; exit status 2. */
static int
usage_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	report(fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nusage: %sTry '%s -h' for more information.\n", syntax,
	        program_invocation_short_name);
	return CONF_EXIT_USAGE;
}

enum { OPT_SSL = 256, OPT_PKEY, OPT_CERT, OPT_CMU, OPT_VERSION };

static const struct option long_opts[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "ssl", no_argument, NULL, OPT_SSL },
	{ "pkey", required_argument, NULL, OPT_PKEY },
	{ "cert", required_argument, NULL, OPT_CERT },
	{ "cmu", required_argument, NULL, OPT_CMU },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

/* Stores one option; non-zero after reporting a usage error. */
static int
take_option(int opt, struct conf_request *r, bool *help, bool *daemon_given)
{
	switch (opt) {
	case 'h': *help = true; return 0;
	case 'a': case OPT_CMU:
		if (r->address != NULL)
			return usage_error("the HSM address is given twice (%s)", optarg);
		r->address = optarg;
		r->update_cmu = r->update_cmu || opt == OPT_CMU;
		return 0;
	case 'm': r->update_cmu = true; return 0;
	case 'i':
		*daemon_given = true;
		if (!hsm_parse_uint(optarg, 1, 65535, &r->daemon_id))
			return usage_error("-i %s: the daemon id is a number from 1 to 65535", optarg);
		return 0;
	case OPT_SSL: r->ssl = true; return 0;
	case OPT_PKEY: r->pkey = optarg; return 0;
	case OPT_CERT: r->cert = optarg; return 0;
	}
	return usage_error("%s", "unknown option or missing value");
}

/* The combinations the SDK 3 syntax allows; -a with -m is --cmu. */
static int
check_request(const struct conf_request *r, bool daemon_given)
{
	bool address_action = r->address != NULL || r->update_cmu;
	if (r->ssl && address_action)
		return usage_error("%s", "--ssl goes alone; run -a, -m or --cmu separately");
	if (!r->ssl && (r->pkey != NULL || r->cert != NULL))
		return usage_error("%s", "--pkey and --cert go with --ssl");
	if (r->ssl && (r->pkey == NULL || r->cert == NULL))
		return usage_error("%s", "--ssl needs both --pkey and --cert");
	if (daemon_given && !r->update_cmu)
		return usage_error("%s", "-i goes with -m");
	if (!r->ssl && !address_action)
		return usage_error("%s", "nothing to do: give -a, -m, --cmu or --ssl");
	return 0;
}

int
main(int argc, char **argv)
{
	char client_buf[4096], cmu_buf[4096];
	struct conf_request r = {
		.daemon_id = 1,
		.client_cfg = config_path(CLIENT_CFG_ENV, "cloudhsm_client.cfg",
		                          client_buf, sizeof(client_buf)),
		.cmu_cfg = config_path(CMU_CFG_ENV, "cloudhsm_mgmt_util.cfg",
		                       cmu_buf, sizeof(cmu_buf)),
	};
	bool help = false, daemon_given = false;
	int opt;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":ha:mi:", long_opts, NULL)) != -1) {
		if (opt == OPT_VERSION) {
			printf("%s %s\n", program_invocation_short_name, HSMCLIENT_VERSION);
			return CONF_EXIT_OK;
		}
		if (opt == ':' || opt == '?') {
			char shown[8];
			const char *name = argv[optind - 1];
			if (optopt > 0 && optopt < 256 && opt == '?') {
				snprintf(shown, sizeof(shown), "-%c", optopt);
				name = shown;
			}
			return opt == ':' ? usage_error("%s needs a value", name)
			                  : usage_error("unknown option '%s'", name);
		}
		if (take_option(opt, &r, &help, &daemon_given) != 0)
			return CONF_EXIT_USAGE;
	}
	if (help) {
		print_help(&r);
		return CONF_EXIT_OK;
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	if (check_request(&r, daemon_given) != 0)
		return CONF_EXIT_USAGE;
	return r.ssl ? conf_run_ssl(&r) : conf_run_address(&r);
}
