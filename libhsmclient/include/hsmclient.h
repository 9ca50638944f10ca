/* hsmclient.h - the one public header of libhsmclient.
 * Talks to a cluster of (simulated) HSMs the way the SDK 3 tools did. */
#ifndef HSMCLIENT_H
#define HSMCLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(HSM_BUILDING_LIBRARY)
#define HSM_API __attribute__((visibility("default")))
#else
#define HSM_API
#endif

#define HSMCLIENT_VERSION "1.0.0"

/* ---- Return codes --------------------------------------------------------
 * One code space for library, simulator and tools. Values the reference
 * documents keep their documented numbers; doc/return-codes.md lists the rest. */
typedef uint32_t hsm_rc;

enum {
	HSM_RC_SUCCESS = 0x00,
	HSM_RC_INVALID_INPUT = 0x01,
	HSM_RC_BAD_PKCS_DATA = 0x1b,
	HSM_RC_USER_NOT_INITIALIZED = 0x9d,
	HSM_RC_USER_ALREADY_EXISTS = 0x9e,
	HSM_RC_USER_DOES_NOT_EXIST = 0x9f,
	HSM_RC_BAD_USER_TYPE_ARG = 0xa0,
	HSM_RC_BAD_PASSWORD_LENGTH = 0xa1,
	HSM_RC_LOGIN_FAILURE = 0xa3,
	HSM_RC_USER_LOCKED = 0xa4,
	HSM_RC_USER_LOGGED_IN = 0xa5,
	HSM_RC_USER_OWNS_KEYS = 0xa6,
	HSM_RC_MAX_USERS = 0xa7,
	HSM_RC_INVALID_HANDLE = 0xa8,
	HSM_RC_MAX_KEYS = 0xa9,
	HSM_RC_KEY_NOT_EXTRACTABLE = 0xaa,
	HSM_RC_ATTRIBUTE_INVALID = 0xab,
	HSM_RC_ATTRIBUTE_READ_ONLY = 0xac,
	HSM_RC_MECHANISM_INVALID = 0xad,
	HSM_RC_KEY_TYPE_INCONSISTENT = 0xae,
	HSM_RC_KEY_SIZE_RANGE = 0xaf,
	HSM_RC_ID_NOT_UNIQUE = 0xb0,
	HSM_RC_MASKED_OBJECT_INVALID = 0xb2,
	HSM_RC_POLICY_VIOLATION = 0xb3,
	HSM_RC_KEY_ACCESS_DENIED = 0xc6,
	HSM_RC_NOT_LOGGED_IN = 0xd0,
	HSM_RC_PERMISSION_DENIED = 0xd1,
	HSM_RC_ALREADY_LOGGED_IN = 0xd2,
	HSM_RC_BAD_USER_TYPE = 0xdb,
	HSM_RC_MXN_AUTH_FAILED = 0xe0,
	/* quorum (M of N): tokens, M values, registered keys */
	HSM_RC_TOKEN_EXPIRED = 0xe1,
	HSM_RC_TOKEN_INVALID = 0xe2,
	HSM_RC_MAX_TOKENS = 0xe3,
	HSM_RC_MXN_NOT_ENABLED = 0xe4,
	HSM_RC_MXN_TOO_FEW_OFFICERS = 0xe5,
	HSM_RC_MXN_KEY_IS_2FA = 0xe6,
	HSM_RC_TFA_SIGNATURE_INVALID = 0xe8,   /* 2FA proof of a new key failed */
	HSM_RC_INTERNAL = 0xef,
	HSM_RC_CLUSTER_PARTIAL = 0x30000080,
	HSM_RC_CLUSTER_UNAVAILABLE = 0x30000085,
	HSM_RC_CLUSTER_TIMEOUT = 0x30000086,
	HSM_RC_CLUSTER_MIN_NODES = 0x30000087,
	HSM_RC_CLUSTER_PROTOCOL = 0x30000088,
	HSM_RC_CLIENT_LOGIN_FAILED = 0x40000049,
};

/* The text the tools print for a code: "HSM Return: SUCCESS",
 * "HSM Error: ...", "HSM CLUSTER ERROR: ...". NULL for an unknown code. */
HSM_API const char *hsm_rc_message(hsm_rc rc);
/* The symbolic name (RET_USER_LOGIN_FAILURE, ...); NULL if unknown. */
HSM_API const char *hsm_rc_name(hsm_rc rc);

/* ---- Users --------------------------------------------------------------- */
typedef enum {
	HSM_USER_INVALID = 0,
	HSM_USER_CU = 1,     /* CN_CRYPTO_USER */
	HSM_USER_CO = 2,     /* CN_CRYPTO_OFFICER */
	HSM_USER_PCO = 3,
	HSM_USER_AU = 5,     /* CN_APPLIANCE_USER */
	HSM_USER_PRECO = 6,  /* CN_CRYPTO_PRE_OFFICER */
} hsm_user_type;

#define HSM_USER_NAME_MAX 31
#define HSM_PASSWORD_MIN 7
#define HSM_PASSWORD_MAX 32
#define HSM_MAX_USERS 1024
#define HSM_LOGIN_ATTEMPTS_MAX 5
#define HSM_MAX_SERVERS 64        /* servers in one CMU configuration */

/* "CO", "CU", ... as listUsers prints them; NULL for an invalid type. */
HSM_API const char *hsm_user_type_name(hsm_user_type t);
/* Parses a user-type argument (case-sensitive, as the tools are);
 * HSM_USER_INVALID when the text names no type. */
HSM_API hsm_user_type hsm_user_type_parse(const char *s);

typedef struct {
	uint32_t id;
	hsm_user_type type;
	char name[HSM_USER_NAME_MAX + 1];
	bool mofn_pubkey;
	uint32_t login_failures;
	bool two_factor;
} hsm_user_info;

typedef struct {
	size_t count;
	hsm_user_info *users;
} hsm_user_list;

HSM_API void hsm_user_list_free(hsm_user_list *list);

/* ---- HSM description ------------------------------------------------------ */
typedef struct {
	char label[32];
	char model[64];
	char serial[64];
	uint32_t flags;
	uint32_t fips_state;
	char manufacturer_id[32];
	uint32_t device_id;
	uint32_t class_code;
	uint32_t vendor_id;
	uint32_t subsystem_id;
	uint32_t total_public_memory;
	uint32_t free_public_memory;
	uint32_t total_private_memory;
	uint32_t free_private_memory;
	uint32_t hardware_major;
	uint32_t hardware_minor;
	uint32_t firmware_major;
	uint32_t firmware_minor;
	uint32_t temperature;
	uint32_t build_number;
	char firmware_id[64];
} hsm_hsm_info;

/* Certificate types of getCert. */
enum {
	HSM_CERT_MANUFACTURER_ROOT = 1,
	HSM_CERT_MANUFACTURER_HARDWARE = 2,
	HSM_CERT_CUSTOMER_ROOT = 4,
	HSM_CERT_CLUSTER = 8,
	HSM_CERT_CLUSTER_MANUFACTURER = 16,
};

/* ---- Client --------------------------------------------------------------- */
typedef struct hsm_client hsm_client;

typedef struct {
	const char *name;      /* "name" of the config entry (hostname if absent) */
	const char *hostname;
	unsigned port;
	bool connected;
	bool e2e;              /* end-to-end identity check done */
	const char *partition; /* the HSM id, "hsm-..." once connected */
	const char *cluster_id;
	uint32_t node_id;
	bool logged_in;
	hsm_user_type login_type;
	const char *login_name;
} hsm_server_state;

/* Reads a cloudhsm_mgmt_util.cfg (a "servers" array). On failure returns NULL
 * and writes one line naming the file and the problem into err. */
HSM_API hsm_client *hsm_client_open_cmu(const char *path, char *err, size_t errlen);
/* Reads a cloudhsm_client.cfg (a "client" section and one "server"); the rest
 * of the cluster is learned from that server on hsm_client_discover(). */
HSM_API hsm_client *hsm_client_open_kmu(const char *path, char *err, size_t errlen);
HSM_API void hsm_client_close(hsm_client *c);

HSM_API size_t hsm_server_count(const hsm_client *c);
HSM_API hsm_server_state hsm_server_get(const hsm_client *c, size_t srv);
/* create_object_minimum_nodes from a client config (1 if absent). */
HSM_API unsigned hsm_client_min_nodes(const hsm_client *c);

/* Connects (TLS, node certificate verified against the CA of the config).
 * On failure err holds a one-line reason. */
HSM_API hsm_rc hsm_server_connect(hsm_client *c, size_t srv, char *err, size_t errlen);
HSM_API void hsm_server_disconnect(hsm_client *c, size_t srv);
/* Connection and I/O timeout for every request, in milliseconds (0: none). */
HSM_API void hsm_client_set_timeout(hsm_client *c, unsigned ms);

/* KMU: asks the configured server for the cluster members and adds them. */
HSM_API hsm_rc hsm_client_discover(hsm_client *c, char *err, size_t errlen);

/* Runs fn on every server whose selected[i] is true (all if selected is
 * NULL), one thread per server, and stores each result in rcs[i]. */
typedef hsm_rc (*hsm_server_fn)(hsm_client *c, size_t srv, void *arg);
HSM_API void hsm_for_each_server(hsm_client *c, const bool *selected,
                                 hsm_server_fn fn, void *arg, hsm_rc *rcs);

/* ---- Operations on one server ------------------------------------------- */
HSM_API hsm_rc hsm_login(hsm_client *c, size_t srv, hsm_user_type type,
                         const char *name, const char *password);
/* Login that the HSM accepts only for crypto users (key_mgmt_util). */
HSM_API hsm_rc hsm_login_cu_only(hsm_client *c, size_t srv, hsm_user_type type,
                                 const char *name, const char *password);
HSM_API hsm_rc hsm_logout(hsm_client *c, size_t srv);
HSM_API hsm_rc hsm_list_users(hsm_client *c, size_t srv, hsm_user_list *out);
HSM_API hsm_rc hsm_create_user(hsm_client *c, size_t srv, hsm_user_type type,
                               const char *name, const char *password);
HSM_API hsm_rc hsm_delete_user(hsm_client *c, size_t srv, hsm_user_type type,
                               const char *name);
HSM_API hsm_rc hsm_change_password(hsm_client *c, size_t srv, hsm_user_type type,
                                   const char *name, const char *password);
/* ---- Two-factor authentication of crypto officers (manage-2fa.md) ----
 * A node issues a challenge for the session; the operator signs it with the
 * 2FA private key (RSA-2048, PKCS#1 v1.5, the challenge taken as a SHA-256
 * digest: openssl pkeyutl -sign -pkeyopt digest:sha256). */
#define HSM_TFA_DIGEST_LEN 32
typedef struct {
	const uint8_t *signature;      /* of this session's challenge */
	size_t signature_len;
	const uint8_t *pubkey_der;     /* createUser/changePswd: the new key (DER */
	size_t pubkey_der_len;         /* SubjectPublicKeyInfo); NULL, 0 at login */
} hsm_second_factor;
/* A fresh challenge of srv for this session, good once (the next login,
 * createUser or changePswd on it) for 10 minutes. */
HSM_API hsm_rc hsm_tfa_challenge(hsm_client *c, size_t srv,
                                 uint8_t digest[HSM_TFA_DIGEST_LEN]);
HSM_API hsm_rc hsm_login_2fa(hsm_client *c, size_t srv, hsm_user_type type,
                             const char *name, const char *password,
                             const hsm_second_factor *f);
HSM_API hsm_rc hsm_create_user_2fa(hsm_client *c, size_t srv, hsm_user_type type,
                                   const char *name, const char *password,
                                   const hsm_second_factor *f);
/* Without a second factor (hsm_change_password) a 2FA user loses 2FA and
 * the key; with one, its key becomes the user's 2FA and quorum key. */
HSM_API hsm_rc hsm_change_password_2fa(hsm_client *c, size_t srv, hsm_user_type type,
                                       const char *name, const char *password,
                                       const hsm_second_factor *f);
/* A user's record sealed under the cluster masking key (by id, or by name
 * when user_id is 0); free *blob with free(). Insert keeps the id if free. */
HSM_API hsm_rc hsm_user_extract_masked(hsm_client *c, size_t srv, uint32_t user_id,
                                       const char *name, uint8_t **blob, size_t *len);
HSM_API hsm_rc hsm_user_insert_masked(hsm_client *c, size_t srv, const uint8_t *blob,
                                      size_t len);
HSM_API hsm_rc hsm_get_hsm_info(hsm_client *c, size_t srv, hsm_hsm_info *out);
/* The PEM text of one certificate; free *pem with free(). */
HSM_API hsm_rc hsm_get_cert(hsm_client *c, size_t srv, unsigned type,
                            char **pem, size_t *len);
/* Proves that the peer holds the private key of a cluster certificate
 * issued by the configured CA, bound to this TLS session. */
HSM_API hsm_rc hsm_enable_e2e(hsm_client *c, size_t srv);

/* ---- Keys ---------------------------------------------------------------- */
enum {
	HSM_CLASS_PUBLIC = 2,
	HSM_CLASS_PRIVATE = 3,
	HSM_CLASS_SECRET = 4,
};

enum {
	HSM_KEY_RSA = 0,
	HSM_KEY_DSA = 1,
	HSM_KEY_EC = 3,
	HSM_KEY_GENERIC_SECRET = 16,
	HSM_KEY_RC4 = 18,
	HSM_KEY_DES3 = 21,
	HSM_KEY_AES = 31,
};

/* OBJ_ATTR_* constants (key-attribute-table.md). */
enum {
	HSM_ATTR_CLASS = 0,
	HSM_ATTR_TOKEN = 1,
	HSM_ATTR_PRIVATE = 2,
	HSM_ATTR_LABEL = 3,
	HSM_ATTR_TRUSTED = 134,
	HSM_ATTR_KEY_TYPE = 256,
	HSM_ATTR_ID = 258,
	HSM_ATTR_SENSITIVE = 259,
	HSM_ATTR_ENCRYPT = 260,
	HSM_ATTR_DECRYPT = 261,
	HSM_ATTR_WRAP = 262,
	HSM_ATTR_UNWRAP = 263,
	HSM_ATTR_SIGN = 264,
	HSM_ATTR_VERIFY = 266,
	HSM_ATTR_DERIVE = 268,
	HSM_ATTR_MODULUS = 288,
	HSM_ATTR_MODULUS_BITS = 289,
	HSM_ATTR_PUBLIC_EXPONENT = 290,
	HSM_ATTR_VALUE_LEN = 353,
	HSM_ATTR_EXTRACTABLE = 354,
	HSM_ATTR_LOCAL = 355,
	HSM_ATTR_NEVER_EXTRACTABLE = 356,
	HSM_ATTR_ALWAYS_SENSITIVE = 357,
	HSM_ATTR_DESTROYABLE = 370,
	HSM_ATTR_KCV = 371,
	HSM_ATTR_ALL = 512,
	HSM_ATTR_WRAP_WITH_TRUSTED = 528,
	HSM_ATTR_WRAP_TEMPLATE = 1073742353,
	HSM_ATTR_UNWRAP_TEMPLATE = 1073742354,
};

/* How an attribute's value is encoded on the wire and printed. */
typedef enum {
	HSM_ATTR_KIND_BOOL,      /* 1 byte, 0 or 1 */
	HSM_ATTR_KIND_ULONG,     /* 4 bytes big-endian */
	HSM_ATTR_KIND_STRING,    /* raw bytes */
	HSM_ATTR_KIND_BYTES,     /* big-endian number or raw bytes */
	HSM_ATTR_KIND_TEMPLATE,  /* not readable */
} hsm_attr_kind;

/* "OBJ_ATTR_CLASS" ...; NULL for an unknown id. */
HSM_API const char *hsm_attr_name(uint32_t id);
HSM_API hsm_attr_kind hsm_attr_kind_of(uint32_t id);

#define HSM_LABEL_MAX 127
#define HSM_KEY_ID_MAX 127
#define HSM_MAX_SHARES 32
#define HSM_MAX_KEYS 3300
#define HSM_HANDLE_NODE_SHIFT 18   /* handle = node id << 18 | sequence */

typedef struct {
	uint32_t key_type;       /* HSM_KEY_* */
	uint32_t size;           /* secret: bytes; RSA/DSA: modulus bits */
	uint64_t public_exponent;/* RSA */
	uint32_t curve_id;       /* EC: listECCCurveIds numbers */
	const char *label;
	const char *id;          /* OBJ_ATTR_ID, may be NULL */
	bool session;
	bool extractable;
	uint32_t m_value;
	const uint32_t *shares;  /* user ids to share with */
	size_t nshares;
} hsm_key_template;

typedef struct {
	uint32_t id;
	uint8_t *value;
	size_t len;
} hsm_attribute;

typedef struct {
	size_t count;
	hsm_attribute *attrs;
} hsm_attribute_list;

HSM_API void hsm_attribute_list_free(hsm_attribute_list *l);

typedef struct {
	uint32_t owner;
	uint32_t shares[HSM_MAX_SHARES];
	size_t nshares;
	uint32_t m_value;
	bool token;
} hsm_key_info;

/* findKey criteria; a field takes part when its has_ flag is set. */
typedef struct {
	bool has_class, has_type, has_label, has_id, has_session, has_modulus, has_kcv;
	uint32_t key_class;
	uint32_t key_type;
	const char *label;
	const char *id;
	bool session;
	const uint32_t *users;
	size_t nusers;
	const uint8_t *modulus;
	size_t modulus_len;
	uint8_t kcv[3];
} hsm_key_filter;

/* The per-node outcome of a cluster-wide operation, for the "Cluster Error
 * Status" block: used[i] says whether node i took part. */
typedef struct {
	size_t count;
	bool used[HSM_MAX_SERVERS];
	hsm_rc rc[HSM_MAX_SERVERS];
} hsm_node_status;

/* Cluster operations as the SDK 3 client daemon did them for key_mgmt_util:
 * on every node, or on one node with failover; token keys are created on one
 * node and cloned to the others (client-side sync). */
typedef struct {
	unsigned min_srv;        /* 0: create_object_minimum_nodes decides */
	unsigned timeout_s;      /* 0: wait as long as it takes */
} hsm_sync_opts;

HSM_API hsm_rc hsm_cluster_login(hsm_client *c, hsm_user_type type, const char *name,
                                 const char *password, hsm_node_status *st);
HSM_API hsm_rc hsm_cluster_logout(hsm_client *c, hsm_node_status *st);
HSM_API hsm_rc hsm_cluster_list_users(hsm_client *c, hsm_user_list *out,
                                      hsm_node_status *st);
HSM_API hsm_rc hsm_generate_secret_key(hsm_client *c, const hsm_key_template *t,
                                       const hsm_sync_opts *so, uint32_t *handle,
                                       hsm_node_status *st);
HSM_API hsm_rc hsm_generate_key_pair(hsm_client *c, const hsm_key_template *t,
                                     const hsm_sync_opts *so, uint32_t *pub,
                                     uint32_t *priv, hsm_node_status *st);
/* Handles of the keys the user may use (free *handles with free()). */
HSM_API hsm_rc hsm_find_keys(hsm_client *c, const hsm_key_filter *f, uint32_t **handles,
                             size_t *count, hsm_node_status *st);
/* Succeeds only when every logged-in node holds the key. */
HSM_API hsm_rc hsm_find_single_key(hsm_client *c, uint32_t handle, hsm_node_status *st);
/* attr HSM_ATTR_ALL for every attribute of the key. */
HSM_API hsm_rc hsm_get_attributes(hsm_client *c, uint32_t handle, uint32_t attr,
                                  hsm_attribute_list *out, hsm_node_status *st);
HSM_API hsm_rc hsm_set_attribute(hsm_client *c, uint32_t handle, uint32_t attr,
                                 const uint8_t *value, size_t len, hsm_node_status *st);
HSM_API hsm_rc hsm_delete_key(hsm_client *c, uint32_t handle, hsm_node_status *st);
HSM_API hsm_rc hsm_get_key_info(hsm_client *c, uint32_t handle, hsm_key_info *out,
                                hsm_node_status *st);
HSM_API hsm_rc hsm_extract_masked(hsm_client *c, uint32_t handle, uint8_t **blob,
                                  size_t *len, hsm_node_status *st);
HSM_API hsm_rc hsm_insert_masked(hsm_client *c, const uint8_t *blob, size_t len,
                                 const hsm_sync_opts *so, uint32_t *handle,
                                 hsm_node_status *st);
/* Wrapping: key_mgmt_util's wrapKey/unWrapKey and its imports and exports
 * (doc/kmu-formats.md). Mechanisms are wrapKey's -m numbers, hashes its -t. */
enum {
	HSM_WRAP_NONE = 0,                   /* a public key in the clear (exportPubKey) */
	HSM_WRAP_AES_KEY_WRAP_PAD_PKCS5 = 4, /* RFC 3394 over PKCS #5 padding */
	HSM_WRAP_NIST_AES_WRAP_NO_PAD = 5,   /* RFC 3394 */
	HSM_WRAP_NIST_AES_WRAP_PAD = 6,      /* RFC 5649 */
	HSM_WRAP_RSA_AES = 7,                /* RSA-OAEP of an AES key, then RFC 5649 */
	HSM_WRAP_RSA_OAEP = 8,
	HSM_WRAP_AES_GCM = 10,               /* the IV comes back separately */
	HSM_WRAP_CLOUDHSM_AES_GCM = 11,      /* the IV leads the wrapped bytes */
};
enum {
	HSM_HASH_SHA1 = 2,
	HSM_HASH_SHA256 = 3,
	HSM_HASH_SHA384 = 4,
	HSM_HASH_SHA512 = 5,
	HSM_HASH_SHA224 = 6,
};
#define HSM_WRAP_IV_MAX 16
#define HSM_WRAP_DATA_MAX 65536   /* longest wrapped key, host data or AAD */

typedef struct {
	uint32_t mechanism;       /* HSM_WRAP_* */
	uint32_t hash;            /* RSA_AES, RSA_OAEP: HSM_HASH_*; 0: SHA-256 */
	const uint8_t *iv;        /* AES key wrap: 8 bytes; AES_GCM unwrap: 12 */
	size_t iv_len;
	const uint8_t *aad;       /* AES_GCM, CLOUDHSM_AES_GCM */
	size_t aad_len;
	uint32_t tag_len;         /* AES_GCM, CLOUDHSM_AES_GCM: 8..16; 0: 16 */
} hsm_wrap_params;

/* The bytes an operation returns (free with hsm_wrap_result_free, which
 * wipes them), the IV AES_GCM chose, and what the wrapped key is. */
typedef struct {
	uint8_t *data;
	size_t len;
	uint8_t iv[HSM_WRAP_IV_MAX];
	size_t iv_len;
	uint32_t key_class;
	uint32_t key_type;
	uint32_t value_len;
	char label[HSM_LABEL_MAX + 1];
	char id[HSM_KEY_ID_MAX + 1];
} hsm_wrap_result;

HSM_API void hsm_wrap_result_free(hsm_wrap_result *r);
/* Cfm2WrapKey: a secret or private key the caller owns, extractable, under
 * wrapping_key (OBJ_ATTR_WRAP; OBJ_ATTR_TRUSTED for a key that demands it). */
HSM_API hsm_rc hsm_wrap_key(hsm_client *c, uint32_t wrapping_key, uint32_t key,
                            const hsm_wrap_params *p, hsm_wrap_result *out,
                            hsm_node_status *st);
/* Cfm3UnWrapKey: a new key of key_class and t->key_type (label, id, session,
 * extractable, sharing from t; OBJ_ATTR_LOCAL 0), made on one node and
 * cloned to the others; nothing is left behind when it fails. */
HSM_API hsm_rc hsm_unwrap_key(hsm_client *c, uint32_t unwrapping_key,
                              const hsm_wrap_params *p, uint32_t key_class,
                              const hsm_key_template *t, const uint8_t *data, size_t len,
                              const hsm_sync_opts *so, uint32_t *handle,
                              hsm_node_status *st);
/* Cfm3WrapHostKey / Cfm3UnWrapHostKey: host bytes through an HSM key that
 * has OBJ_ATTR_ENCRYPT / OBJ_ATTR_DECRYPT. */
HSM_API hsm_rc hsm_wrap_data(hsm_client *c, uint32_t key, const hsm_wrap_params *p,
                             const uint8_t *data, size_t len, hsm_wrap_result *out,
                             hsm_node_status *st);
HSM_API hsm_rc hsm_unwrap_data(hsm_client *c, uint32_t key, const hsm_wrap_params *p,
                               const uint8_t *data, size_t len, hsm_wrap_result *out,
                               hsm_node_status *st);
/* Cfm3ExportPubKey: the DER SubjectPublicKeyInfo of a public key. */
HSM_API hsm_rc hsm_export_public_key(hsm_client *c, uint32_t key, hsm_wrap_result *out,
                                     hsm_node_status *st);
/* Cfm3CreatePublicKey: a public key from DER SubjectPublicKeyInfo (label,
 * id and session from t), made on one node and cloned to the others. */
HSM_API hsm_rc hsm_create_public_key(hsm_client *c, const hsm_key_template *t,
                                     const uint8_t *der, size_t len,
                                     const hsm_sync_opts *so, uint32_t *handle,
                                     hsm_node_status *st);

/* Per-server key operations (cloudhsm_mgmt_util). */
HSM_API hsm_rc hsm_server_share_key(hsm_client *c, size_t srv, uint32_t handle,
                                    const uint32_t *users, size_t nusers, bool share);
HSM_API hsm_rc hsm_server_get_key_info(hsm_client *c, size_t srv, uint32_t handle,
                                       hsm_key_info *out);
HSM_API hsm_rc hsm_server_get_attributes(hsm_client *c, size_t srv, uint32_t handle,
                                         uint32_t attr, hsm_attribute_list *out);
/* syncKey: copies a token key from server src to server dst (same cluster
 * or a clone) with its handle, attributes, owner and users; a CO may copy
 * any key, a CU its own. HSM_RC_INVALID_INPUT when dst holds that handle
 * already or keeps it for its own keys. */
HSM_API hsm_rc hsm_server_copy_key(hsm_client *c, size_t src, size_t dst, uint32_t handle);
HSM_API hsm_rc hsm_server_set_attribute(hsm_client *c, size_t srv, uint32_t handle,
                                        uint32_t attr, const uint8_t *value, size_t len);

/* Signing mechanisms of sign/verify (-m); PSS uses MGF1 with the same
 * digest and a salt as long as the digest; ECDSA signatures are DER. */
enum {
	HSM_MECH_SHA1_RSA_PKCS = 0,
	HSM_MECH_SHA256_RSA_PKCS = 1,
	HSM_MECH_SHA384_RSA_PKCS = 2,
	HSM_MECH_SHA512_RSA_PKCS = 3,
	HSM_MECH_SHA224_RSA_PKCS = 4,
	HSM_MECH_SHA1_RSA_PKCS_PSS = 5,
	HSM_MECH_SHA256_RSA_PKCS_PSS = 6,
	HSM_MECH_SHA384_RSA_PKCS_PSS = 7,
	HSM_MECH_SHA512_RSA_PKCS_PSS = 8,
	HSM_MECH_SHA224_RSA_PKCS_PSS = 9,
	HSM_MECH_ECDSA_SHA1 = 15,
	HSM_MECH_ECDSA_SHA224 = 16,
	HSM_MECH_ECDSA_SHA256 = 17,
	HSM_MECH_ECDSA_SHA384 = 18,
	HSM_MECH_ECDSA_SHA512 = 19,
};
#define HSM_SIGN_DATA_MAX 65536u  /* bytes signed or verified in one call */
#define HSM_SIGN_SIG_MAX 2048u    /* longest signature (RSA 16384 bits) */

/* Signs len bytes with a private key on one node that holds it (the next
 * in turn, another when that one is down); free *sig with free(). */
HSM_API hsm_rc hsm_sign(hsm_client *c, uint32_t handle, uint32_t mech, const uint8_t *data,
                        size_t len, uint8_t **sig, size_t *siglen, hsm_node_status *st);
/* HSM_RC_BAD_PKCS_DATA when the signature does not match. */
HSM_API hsm_rc hsm_verify(hsm_client *c, uint32_t handle, uint32_t mech, const uint8_t *data,
                          size_t len, const uint8_t *sig, size_t siglen,
                          hsm_node_status *st);

/* ---- Quorum (M of N) authentication --------------------------------------
 * Services whose operations a quorum of officers approves, registered quorum
 * keys, tokens and their approvals (quorum-authentication*.md). */
enum {
	HSM_SERVICE_USER_MGMT = 3,    /* createUser, deleteUser, changePswd of another */
	HSM_SERVICE_MISC_CO = 4,      /* setMValue */
};
#define HSM_QUORUM_M_MAX 8              /* largest M value */
#define HSM_QUORUM_REG_TOKEN_MAX 245    /* registration token of registerQuorumPubKey */
#define HSM_QUORUM_SIG_MAX 512          /* a signature (RSA-2048: 256 bytes) */
#define HSM_QUORUM_PUBKEY_MAX 1024      /* DER SubjectPublicKeyInfo */
#define HSM_QUORUM_MAX_TOKENS 1024      /* tokens one HSM holds */
#define HSM_QUORUM_MAX_APPROVALS 16     /* approvals given for one token */
#define HSM_QUORUM_TOKEN_LEN 32         /* random bytes of one node's token */
#define HSM_QUORUM_TOKEN_FILE_MAX 8192  /* the file getToken writes */

/* "USER_MGMT", "MISC_CO"; NULL for a service that does not exist. */
HSM_API const char *hsm_service_name(uint32_t service);

/* One node's token as getToken and listTokens report it. */
typedef struct {
	uint32_t id;
	uint32_t service;
	uint32_t node_id;
	char hsm_id[32];
	uint32_t key_handle;          /* 0: the token names no key */
	char user[HSM_USER_NAME_MAX + 1];
	uint8_t value[HSM_QUORUM_TOKEN_LEN];
	uint32_t validity_s;          /* seconds left */
	uint32_t required;            /* the service's M value now */
	uint32_t napprovals;
	char approvers[HSM_QUORUM_MAX_APPROVALS][HSM_USER_NAME_MAX + 1];
} hsm_quorum_token;

typedef struct {
	size_t count;
	hsm_quorum_token *tokens;
} hsm_quorum_token_list;

HSM_API void hsm_quorum_token_list_free(hsm_quorum_token_list *l);

/* One approval: who signed the token file, and the signature (RSA PKCS #1
 * v1.5 over the SHA-256 of the whole file, as openssl dgst -sha256 -sign). */
typedef struct {
	hsm_user_type type;
	const char *name;
	const uint8_t *signature;
	size_t signature_len;
} hsm_approval;

/* registerQuorumPubKey: the logged-in CO registers its RSA-2048 public key
 * (DER SubjectPublicKeyInfo), proving possession with a signature over the
 * registration token. */
HSM_API hsm_rc hsm_register_quorum_key(hsm_client *c, size_t srv, hsm_user_type type,
                                       const char *name, const uint8_t *reg_token,
                                       size_t reg_len, const uint8_t *sig, size_t sig_len,
                                       const uint8_t *pubkey_der, size_t der_len);
/* A new token of the logged-in CO (name) for service, held by this session. */
HSM_API hsm_rc hsm_get_token(hsm_client *c, size_t srv, uint32_t service,
                             const char *name, hsm_quorum_token *out);
/* The token file for tokens of one request from several servers, in the
 * order given (doc/protocol.md, section 10); free *file with free(). */
HSM_API hsm_rc hsm_token_file_build(const hsm_quorum_token *tokens, size_t n,
                                    char **file, size_t *len);
/* Gives a server the signed token file and the approvals of its token. */
HSM_API hsm_rc hsm_approve_token(hsm_client *c, size_t srv, const uint8_t *file,
                                 size_t len, const hsm_approval *approvals, size_t n);
/* The tokens this session holds on the server. */
HSM_API hsm_rc hsm_list_tokens(hsm_client *c, size_t srv, hsm_quorum_token_list *out);
HSM_API hsm_rc hsm_get_m_value(hsm_client *c, size_t srv, uint32_t service, uint32_t *m);
HSM_API hsm_rc hsm_set_m_value(hsm_client *c, size_t srv, uint32_t service, uint32_t m);

/* findAllKeys: how a key relates to the user asked about. */
enum {
	HSM_KEYREL_OWNER = 1,         /* owns it; shared with nobody: "(o)" */
	HSM_KEYREL_SHARED = 2,        /* shared with the user: "(s)" */
	HSM_KEYREL_OWNER_SHARED = 3,  /* owns it and shares it with others: bare */
};
typedef struct {
	uint32_t handle;
	uint32_t relation;            /* HSM_KEYREL_* */
} hsm_user_key;
typedef struct {
	size_t count;
	hsm_user_key *keys;           /* by handle */
	bool has_hash;                /* asked for, and the user has keys */
	uint8_t hash[32];             /* SHA-256 of users, ownership and sharing */
} hsm_user_key_list;
HSM_API void hsm_user_key_list_free(hsm_user_key_list *l);
/* The token keys a CU owns or shares on one server (CO, PCO, AU only). */
HSM_API hsm_rc hsm_server_find_all_keys(hsm_client *c, size_t srv, uint32_t user,
                                        bool with_hash, hsm_user_key_list *out);

#ifdef __cplusplus
}
#endif
#endif
