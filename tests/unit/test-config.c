/* test-config.c - the CMU and KMU configuration readers of libhsmclient (public API).
 * Every bad file must give one line that names the file and the problem. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "cu-util.h"
#include "hsmclient.h"

static char *tmpdir;

static int
suite_init(void)
{
	tmpdir = cu_mkdtemp("config");
	return tmpdir ? 0 : -1;
}

static int
suite_clean(void)
{
	cu_rmtree(tmpdir);
	tmpdir = NULL;
	return 0;
}

/* Writes text to tmpdir/name and returns the path (free it). */
static char *
cfg(const char *name, const char *text)
{
	char *path = cu_path(tmpdir, name);
	if (path != NULL && text != NULL && cu_write_file(path, text) != 0) {
		free(path);
		path = NULL;
	}
	return path;
}

/* Opens text as a CMU (or KMU) config that must fail; checks that the message
 * names the file and contains every one of the given words. */
static void
expect_error(bool kmu, const char *text, const char *const *words)
{
	static unsigned seq;
	char name[32], err[1024];
	snprintf(name, sizeof(name), "bad-%u.cfg", ++seq);
	char *path = cfg(name, text);
	CU_ASSERT_PTR_NOT_NULL_FATAL(path);
	memset(err, 'x', sizeof(err));
	hsm_client *c = kmu ? hsm_client_open_kmu(path, err, sizeof(err))
	                    : hsm_client_open_cmu(path, err, sizeof(err));
	CU_ASSERT_PTR_NULL(c);
	hsm_client_close(c);
	bool ok = memchr(err, '\0', sizeof(err)) != NULL && strstr(err, path) != NULL &&
	          strchr(err, '\n') == NULL;
	for (size_t i = 0; ok && words[i] != NULL; i++)
		ok = strstr(err, words[i]) != NULL;
	if (!ok)
		printf("\n    %s -> \"%.200s\"", text, memchr(err, '\0', sizeof(err)) ? err : "?");
	CU_ASSERT_TRUE(ok);
	free(path);
}

#define WORDS(...) ((const char *const[]){ __VA_ARGS__, NULL })
#define CMU_BAD(text, ...) expect_error(false, text, WORDS(__VA_ARGS__))
#define KMU_BAD(text, ...) expect_error(true, text, WORDS(__VA_ARGS__))

#define ENTRY(fields) "{\"hostname\": \"10.0.0.1\", \"port\": 2225, \"CAfile\": \"ca.crt\"" fields "}"

/* ---- files that are not configurations --------------------------------------- */

static void
test_missing_file(void)
{
	char err[512] = "";
	char *path = cu_path(tmpdir, "does-not-exist.cfg");
	CU_ASSERT_PTR_NULL(hsm_client_open_cmu(path, err, sizeof(err)));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, path));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "No such file or directory"));
	err[0] = '\0';
	CU_ASSERT_PTR_NULL(hsm_client_open_kmu(path, err, sizeof(err)));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, path));
	free(path);
	/* A directory is not a config file either. */
	err[0] = '\0';
	CU_ASSERT_PTR_NULL(hsm_client_open_cmu(tmpdir, err, sizeof(err)));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, tmpdir));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "Is a directory"));
}

static void
test_not_json(void)
{
	CMU_BAD("", "not valid JSON");
	CMU_BAD("   \n", "not valid JSON");
	CMU_BAD("servers = 1", "not valid JSON");
	CMU_BAD("{\"servers\": [", "not valid JSON");
	CMU_BAD("{\"servers\": [" ENTRY("") "]} trailing", "not valid JSON");
	CMU_BAD("{\"servers\": [" ENTRY("") "]}{}", "not valid JSON");
	KMU_BAD("", "not valid JSON");
	KMU_BAD("{\"server\": ", "not valid JSON");
}

/* A document cut short is reported as such, not in json-c's own terms
 * ("continue" is the tokenizer's state, not a problem a user can fix). */
static void
test_truncated_json_named(void)
{
	static const char *texts[] = { "{\"servers\": [", "{\"servers\": [" ENTRY("") "]",
		"{\"serv" };
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		char err[512] = "";
		char *path = cfg("truncated.cfg", texts[i]);
		hsm_client *c = hsm_client_open_cmu(path, err, sizeof(err));
		CU_ASSERT_PTR_NULL(c);
		hsm_client_close(c);
		bool ok = strstr(err, path) && strstr(err, "not valid JSON") &&
		          !strstr(err, "continue");
		if (!ok)
			printf("\n    \"%s\"", err);
		CU_ASSERT_TRUE(ok);
		free(path);
	}
}

static void
test_top_level_not_object(void)
{
	CMU_BAD("[]", "object");
	CMU_BAD("[{\"servers\": []}]", "object");
	CMU_BAD("\"servers\"", "object");
	CMU_BAD("42\n", "object");
	/* A scalar at the very end of the file is a complete document too. */
	CMU_BAD("42", "object");
	CMU_BAD("true", "object");
	KMU_BAD("[1, 2]", "object");
}

/* ---- the servers array -------------------------------------------------------------- */

static void
test_servers_array(void)
{
	CMU_BAD("{}", "servers");
	CMU_BAD("{\"server\": " ENTRY("") "}", "servers");
	CMU_BAD("{\"servers\": []}", "servers");
	CMU_BAD("{\"servers\": {}}", "servers");
	CMU_BAD("{\"servers\": \"10.0.0.1\"}", "servers");
	CMU_BAD("{\"servers\": [1]}", "servers[0]");
	CMU_BAD("{\"servers\": [" ENTRY("") ", \"x\"]}", "servers[1]");
	CMU_BAD("{\"servers\": [" ENTRY("") ", null]}", "servers[1]");
}

static void
test_server_entries(void)
{
	CMU_BAD("{\"servers\": [{\"port\": 2225, \"CAfile\": \"ca.crt\"}]}", "servers[0]", "hostname");
	CMU_BAD("{\"servers\": [" ENTRY("") ", {\"port\": 1, \"CAfile\": \"c\"}]}", "servers[1]",
	        "hostname");
	CMU_BAD("{\"servers\": [{\"hostname\": \"\", \"port\": 2225, \"CAfile\": \"c\"}]}", "hostname");
	CMU_BAD("{\"servers\": [{\"hostname\": 7, \"port\": 2225, \"CAfile\": \"c\"}]}", "hostname");
	CMU_BAD("{\"servers\": [{\"hostname\": \"h\", \"CAfile\": \"c\"}]}", "port");
	static const char *ports[] = { "0", "70000", "65536", "-1", "\"abc\"", "\"\"", "1.5",
		"null", "true", "[2225]", "\"2225x\"", "\" 2225\"" };
	for (size_t i = 0; i < sizeof(ports) / sizeof(ports[0]); i++) {
		char text[256];
		snprintf(text, sizeof(text),
		         "{\"servers\": [{\"hostname\": \"h\", \"port\": %s, \"CAfile\": \"c\"}]}", ports[i]);
		CMU_BAD(text, "servers[0]", "port");
	}
	CMU_BAD("{\"servers\": [" ENTRY(", \"certificate\": \"client.crt\"") "]}", "pkey");
	CMU_BAD("{\"servers\": [" ENTRY(", \"pkey\": \"client.key\"") "]}", "certificate");
	CMU_BAD("{\"servers\": [{\"hostname\": \"h\", \"port\": 2225}]}", "CAfile");
}

static void
test_all_disabled(void)
{
	CMU_BAD("{\"servers\": [" ENTRY(", \"enable\": \"no\"") "]}", "enable");
	CMU_BAD("{\"servers\": [" ENTRY(", \"enable\": \"no\"") ", "
	        ENTRY(", \"enable\": \"no\"") "]}", "enable");
}

static void
test_valid_cmu_servers(void)
{
	char err[512] = "";
	char *path = cfg("good.cfg",
		"{\n \"servers\": [\n"
		"  {\"name\": \"alpha\", \"hostname\": \"10.0.1.130\", \"port\": 2225,"
		"   \"CAfile\": \"ca.crt\", \"certificate\": \"c.crt\", \"pkey\": \"c.key\","
		"   \"server_ssl\": \"yes\", \"enable\": \"yes\"},\n"
		"  {\"hostname\": \"beta.example\", \"port\": 2226, \"CAfile\": \"ca.crt\","
		"   \"enable\": \"no\"},\n"
		"  {\"hostname\": \"gamma.example\", \"port\": 65535, \"CAfile\": \"/abs/ca.crt\"},\n"
		"  {\"name\": \"delta\", \"hostname\": \"::1\", \"port\": 1, \"CAfile\": \"ca.crt\"}\n"
		" ]\n}\n\n");
	hsm_client *c = hsm_client_open_cmu(path, err, sizeof(err));
	if (c == NULL)
		printf("\n    %s", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(hsm_server_count(c), 3);   /* the disabled one is left out */
	static const struct { const char *name, *host; unsigned port; } want[] = {
		{ "alpha", "10.0.1.130", 2225 },
		{ "gamma.example", "gamma.example", 65535 },
		{ "delta", "::1", 1 },
	};
	for (size_t i = 0; i < 3 && i < hsm_server_count(c); i++) {
		hsm_server_state st = hsm_server_get(c, i);
		CU_ASSERT(st.name != NULL && strcmp(st.name, want[i].name) == 0);
		CU_ASSERT(st.hostname != NULL && strcmp(st.hostname, want[i].host) == 0);
		CU_ASSERT_EQUAL(st.port, want[i].port);
		CU_ASSERT_FALSE(st.connected);
		CU_ASSERT_FALSE(st.logged_in);
	}
	hsm_server_state none = hsm_server_get(c, 3);
	CU_ASSERT(none.name == NULL && none.hostname == NULL && none.port == 0);
	CU_ASSERT_EQUAL(hsm_client_min_nodes(c), 1);
	hsm_client_close(c);
	hsm_client_close(NULL);
	free(path);
}

/* errlen 0: nothing is written, and a valid file still opens. */
static void
test_errlen_zero(void)
{
	char *path = cfg("zero.cfg", "{\"servers\": [" ENTRY("") "]}");
	char err[4] = "xyz";
	hsm_client *c = hsm_client_open_cmu(path, err, 0);
	CU_ASSERT_PTR_NOT_NULL(c);
	hsm_client_close(c);
	CU_ASSERT_STRING_EQUAL(err, "xyz");
	/* A short buffer gets a terminated prefix of the message. */
	char *missing = cu_path(tmpdir, "missing.cfg");
	char small[8];
	memset(small, 'x', sizeof(small));
	CU_ASSERT_PTR_NULL(hsm_client_open_cmu(missing, small, sizeof(small)));
	CU_ASSERT_PTR_NOT_NULL(memchr(small, '\0', sizeof(small)));
	free(missing);
	free(path);
}

/* With no buffer at all the reader must still work (in a child: a crash
 * there is a failure here, not the end of the suite). */
static void
test_null_err(void)
{
	char *good = cfg("nullerr.cfg", "{\"servers\": [" ENTRY("") "]}");
	char *bad = cfg("nullerr-bad.cfg", "{\"servers\": [1]}");
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		hsm_client *c = hsm_client_open_cmu(good, NULL, 0);
		hsm_client *d = hsm_client_open_cmu(bad, NULL, 0);
		int rc = c != NULL && d == NULL ? 0 : 1;
		hsm_client_close(c);
		free(good);
		free(bad);
		_exit(rc);
	}
	int status = -1;
	CU_ASSERT_FATAL(pid > 0 && waitpid(pid, &status, 0) == pid);
	if (!WIFEXITED(status))
		printf("\n    child died with signal %d", WTERMSIG(status));
	CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	free(good);
	free(bad);
}

/* ---- KMU configuration ------------------------------------------------------------ */

static hsm_client *
open_kmu_text(const char *text, char *err, size_t errlen)
{
	char *path = cfg("kmu.cfg", text);
	hsm_client *c = path ? hsm_client_open_kmu(path, err, errlen) : NULL;
	free(path);
	return c;
}

static void
test_kmu_valid(void)
{
	char err[512] = "";
	hsm_client *c = open_kmu_text(
		"{\"client\": {\"CAfile\": \"ca.crt\", \"create_object_minimum_nodes\": 2,"
		" \"socket_type\": \"UNIXSOCKET\"}, \"loglevel\": \"INFO\","
		" \"server\": {\"hostname\": \"10.0.0.9\", \"port\": 2223}}", err, sizeof(err));
	if (c == NULL)
		printf("\n    %s", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(hsm_server_count(c), 1);
	hsm_server_state st = hsm_server_get(c, 0);
	CU_ASSERT(st.hostname && strcmp(st.hostname, "10.0.0.9") == 0 && st.port == 2223);
	CU_ASSERT_EQUAL(hsm_client_min_nodes(c), 2);
	hsm_client_close(c);
	c = open_kmu_text("{\"client\": {\"create_object_minimum_nodes\": 28},"
	                  " \"server\": " ENTRY("") "}", err, sizeof(err));
	CU_ASSERT(c != NULL && hsm_client_min_nodes(c) == 28);
	hsm_client_close(c);
	/* Absent: 1, as documented. */
	c = open_kmu_text("{\"server\": " ENTRY("") "}", err, sizeof(err));
	CU_ASSERT(c != NULL && hsm_client_min_nodes(c) == 1);
	hsm_client_close(c);
}

static void
test_kmu_invalid(void)
{
	static const char *mins[] = { "0", "-1", "29", "1000", "\"2\"", "1.5", "null", "true" };
	for (size_t i = 0; i < sizeof(mins) / sizeof(mins[0]); i++) {
		char text[256];
		snprintf(text, sizeof(text), "{\"client\": {\"CAfile\": \"ca.crt\","
		         " \"create_object_minimum_nodes\": %s}, \"server\": " ENTRY("") "}", mins[i]);
		KMU_BAD(text, "create_object_minimum_nodes");
	}
	KMU_BAD("{\"client\": {\"CAfile\": \"ca.crt\"}}", "server");
	KMU_BAD("{\"client\": {}, \"server\": [" ENTRY("") "]}", "server");
	KMU_BAD("{\"client\": 5, \"server\": " ENTRY("") "}", "client");
	KMU_BAD("{\"server\": {\"port\": 2223, \"CAfile\": \"c\"}}", "server", "hostname");
	KMU_BAD("{\"server\": {\"hostname\": \"h\", \"port\": 0, \"CAfile\": \"c\"}}", "server", "port");
	KMU_BAD("{\"server\": {\"hostname\": \"h\", \"port\": 2223}}", "CAfile");
}

/* ---- relative file names -------------------------------------------------------- */

/* A self-signed CA certificate in PEM at path; 0 or -1. */
static int
write_ca_cert(const char *path)
{
	EVP_PKEY *key = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	FILE *f = fopen(path, "w");
	int ok = key && x && f && ASN1_INTEGER_set(X509_get_serialNumber(x), 1) &&
	         X509_gmtime_adj(X509_getm_notBefore(x), 0) &&
	         X509_gmtime_adj(X509_getm_notAfter(x), 3600) && X509_set_pubkey(x, key);
	X509_NAME *name = ok ? X509_get_subject_name(x) : NULL;
	ok = ok && X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	                                      (const unsigned char *)"unit CA", -1, -1, 0) &&
	     X509_set_issuer_name(x, name) && X509_sign(x, key, EVP_sha256()) > 0 &&
	     PEM_write_X509(f, x);
	if (f != NULL)
		fclose(f);
	X509_free(x);
	EVP_PKEY_free(key);
	return ok ? 0 : -1;
}

/* A loopback port that nothing listens on: bound but not listening. */
static int
closed_port(unsigned *port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) != 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	*port = ntohs(sa.sin_port);
	return fd;
}

static hsm_rc
connect_first(const char *path, bool kmu, char *err, size_t errlen)
{
	char oerr[512] = "";
	hsm_client *c = kmu ? hsm_client_open_kmu(path, oerr, sizeof(oerr))
	                    : hsm_client_open_cmu(path, oerr, sizeof(oerr));
	if (c == NULL) {
		snprintf(err, errlen, "open: %s", oerr);
		return HSM_RC_INTERNAL;
	}
	hsm_client_set_timeout(c, 2000);
	hsm_rc rc = hsm_server_connect(c, 0, err, errlen);
	hsm_client_close(c);
	return rc;
}

/* A config directory etc/ with a CA in it, a port nothing listens on, and
 * the current directory moved away from etc/ (restored by rel_done). */
struct rel_env {
	char *etc, *ca;
	unsigned port;
	int hold;
	char cwd[4096];
};

static int
rel_setup(struct rel_env *r)
{
	memset(r, 0, sizeof(*r));
	r->hold = -1;
	r->etc = cu_path(tmpdir, "etc");
	r->ca = r->etc ? cu_path(r->etc, "customerCA.crt") : NULL;
	if (r->ca == NULL || (mkdir(r->etc, 0700) != 0 && access(r->etc, F_OK) != 0) ||
	    (r->hold = closed_port(&r->port)) < 0 || getcwd(r->cwd, sizeof(r->cwd)) == NULL)
		return -1;
	return chdir(tmpdir);
}

static void
rel_done(struct rel_env *r)
{
	if (r->cwd[0] != '\0' && chdir(r->cwd) != 0)
		perror(r->cwd);
	if (r->hold >= 0)
		close(r->hold);
	if (r->ca != NULL)
		unlink(r->ca);
	free(r->ca);
	free(r->etc);
}

/* Writes text as etc/name and connects to server 0. */
static hsm_rc
rel_connect(const struct rel_env *r, const char *name, bool kmu, const char *text,
            char *err, size_t errlen)
{
	char *path = cu_path(r->etc, name);
	hsm_rc rc = path && cu_write_file(path, text) == 0
	            ? connect_first(path, kmu, err, errlen) : HSM_RC_INTERNAL;
	free(path);
	return rc;
}

/* Relative CAfile, certificate and pkey are found next to the config,
 * whatever the current directory; the connection error names the file. */
#define ONLY_CA_FMT "{\"servers\": [{\"hostname\": \"127.0.0.1\", \"port\": %u," \
	" \"CAfile\": \"customerCA.crt\"}]}"
#define WITH_CERT_FMT "{\"servers\": [{\"hostname\": \"127.0.0.1\", \"port\": %u," \
	" \"CAfile\": \"customerCA.crt\", \"certificate\": \"client.crt\"," \
	" \"pkey\": \"client.key\"}]}"
#define KMU_FMT "{\"client\": {\"CAfile\": \"customerCA.crt\"}," \
	" \"server\": {\"hostname\": \"127.0.0.1\", \"port\": %u}}"

static void
test_relative_cmu_paths(void)
{
	struct rel_env r;
	char err[1024] = "", text[512];
	CU_ASSERT_EQUAL_FATAL(rel_setup(&r), 0);
	snprintf(text, sizeof(text), ONLY_CA_FMT, r.port);
	/* CA missing: the message names it where the config says it is. */
	CU_ASSERT_NOT_EQUAL(rel_connect(&r, "cmu.cfg", false, text, err, sizeof(err)),
	                    HSM_RC_SUCCESS);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, r.ca));
	/* CA present: loading it succeeds and the TCP connect is what fails. */
	CU_ASSERT_EQUAL(write_ca_cert(r.ca), 0);
	err[0] = '\0';
	CU_ASSERT_EQUAL(rel_connect(&r, "cmu.cfg", false, text, err, sizeof(err)),
	                HSM_RC_CLUSTER_UNAVAILABLE);
	CU_ASSERT(err[0] != '\0' && strstr(err, "CA") == NULL);
	/* A relative client certificate is resolved the same way. */
	char *cert = cu_path(r.etc, "client.crt");
	snprintf(text, sizeof(text), WITH_CERT_FMT, r.port);
	err[0] = '\0';
	CU_ASSERT_NOT_EQUAL(rel_connect(&r, "cmu.cfg", false, text, err, sizeof(err)),
	                    HSM_RC_SUCCESS);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, cert));
	free(cert);
	rel_done(&r);
}

/* KMU: the client section's CAfile, relative to the KMU config. */
static void
test_relative_kmu_paths(void)
{
	struct rel_env r;
	char err[1024] = "", text[512];
	CU_ASSERT_EQUAL_FATAL(rel_setup(&r), 0);
	snprintf(text, sizeof(text), KMU_FMT, r.port);
	CU_ASSERT_NOT_EQUAL(rel_connect(&r, "kmu.cfg", true, text, err, sizeof(err)),
	                    HSM_RC_SUCCESS);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, r.ca));
	CU_ASSERT_EQUAL(write_ca_cert(r.ca), 0);
	err[0] = '\0';
	CU_ASSERT_EQUAL(rel_connect(&r, "kmu.cfg", true, text, err, sizeof(err)),
	                HSM_RC_CLUSTER_UNAVAILABLE);
	CU_ASSERT(err[0] != '\0' && strstr(err, "CA") == NULL);
	rel_done(&r);
}

static CU_TestInfo file_tests[] = {
	{ "missing file", test_missing_file },
	{ "empty, not JSON, trailing data", test_not_json },
	{ "truncated document named as such", test_truncated_json_named },
	{ "top level not an object", test_top_level_not_object },
	{ "servers array", test_servers_array },
	{ "server entries", test_server_entries },
	{ "all servers disabled", test_all_disabled },
	{ "valid file with servers", test_valid_cmu_servers },
	{ "errlen 0 and short buffers", test_errlen_zero },
	{ "NULL error buffer", test_null_err },
	{ "KMU valid", test_kmu_valid },
	{ "KMU invalid", test_kmu_invalid },
	{ "CMU: relative CAfile, certificate", test_relative_cmu_paths },
	{ "KMU: relative CAfile", test_relative_kmu_paths },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "client configuration", suite_init, suite_clean, NULL, NULL, file_tests },
	CU_SUITE_INFO_NULL,
};

int
main(void)
{
	return cu_run(suites);
}
