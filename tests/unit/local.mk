# tests/unit/local.mk - CUnit suites (included by Makefile.am).
# One program per module; each links the convenience libraries it tests.

UNIT_CFLAGS = $(AM_CFLAGS) $(CUNIT_CFLAGS)
UNIT_COMMON_LIBS = libhsmcommon.la libhsmutil.la \
	$(OPENSSL_LIBS) $(JSONC_LIBS) $(SQLITE_LIBS) $(ZLIB_LIBS) $(PTHREAD_LIBS) \
	$(CUNIT_LIBS)
UNIT_SIM_LIBS = libhsmsim.la $(UNIT_COMMON_LIBS)
UNIT_HELPER = tests/unit/cu-util.c tests/unit/cu-util.h
UNIT_DB_HELPER = tests/unit/cu-db.c tests/unit/cu-db.h

UNIT_TESTS = tests/unit/test-buf tests/unit/test-proto tests/unit/test-kdf \
	tests/unit/test-store tests/unit/test-authz tests/unit/test-dispatch \
	tests/unit/test-errors tests/unit/test-mask tests/unit/test-config
check_PROGRAMS += $(UNIT_TESTS)
TESTS += $(UNIT_TESTS)

tests_unit_test_buf_SOURCES = tests/unit/test-buf.c $(UNIT_HELPER)
tests_unit_test_buf_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_buf_LDADD = $(UNIT_COMMON_LIBS)

tests_unit_test_proto_SOURCES = tests/unit/test-proto.c $(UNIT_HELPER)
tests_unit_test_proto_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_proto_LDADD = $(UNIT_COMMON_LIBS)

tests_unit_test_kdf_SOURCES = tests/unit/test-kdf.c $(UNIT_HELPER)
tests_unit_test_kdf_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_kdf_LDADD = $(UNIT_SIM_LIBS)

tests_unit_test_store_SOURCES = tests/unit/test-store.c $(UNIT_HELPER) \
	$(UNIT_DB_HELPER)
tests_unit_test_store_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_store_LDADD = $(UNIT_SIM_LIBS)

tests_unit_test_authz_SOURCES = tests/unit/test-authz.c $(UNIT_HELPER)
tests_unit_test_authz_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_authz_LDADD = $(UNIT_SIM_LIBS)

tests_unit_test_dispatch_SOURCES = tests/unit/test-dispatch.c $(UNIT_HELPER) \
	$(UNIT_DB_HELPER)
tests_unit_test_dispatch_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_dispatch_LDADD = $(UNIT_SIM_LIBS)

tests_unit_test_errors_SOURCES = tests/unit/test-errors.c $(UNIT_HELPER)
tests_unit_test_errors_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_errors_LDADD = $(UNIT_COMMON_LIBS)

tests_unit_test_mask_SOURCES = tests/unit/test-mask.c $(UNIT_HELPER)
tests_unit_test_mask_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_mask_LDADD = $(UNIT_SIM_LIBS)

# Cloned clusters: the masking domain and store_make_clone.
UNIT_TESTS_CLONE = tests/unit/test-clone
check_PROGRAMS += $(UNIT_TESTS_CLONE)
TESTS += $(UNIT_TESTS_CLONE)
tests_unit_test_clone_SOURCES = tests/unit/test-clone.c $(UNIT_HELPER) $(UNIT_DB_HELPER)
tests_unit_test_clone_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_clone_LDADD = $(UNIT_SIM_LIBS)

# The public API only: linked against the installed-to-be library.
tests_unit_test_config_SOURCES = tests/unit/test-config.c $(UNIT_HELPER)
tests_unit_test_config_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_config_LDADD = libhsmclient.la $(OPENSSL_LIBS) $(CUNIT_LIBS)

# The key layer: store rows and sealing, handles, IDs, keys.c.
UNIT_TESTS_KEYS = tests/unit/test-keys
check_PROGRAMS += $(UNIT_TESTS_KEYS)
TESTS += $(UNIT_TESTS_KEYS)

tests_unit_test_keys_SOURCES = tests/unit/test-keys.c $(UNIT_HELPER) $(UNIT_DB_HELPER)
tests_unit_test_keys_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_keys_LDADD = $(UNIT_SIM_LIBS)

# getAttribute/setAttribute rules, the key object codec and attribute printing
# (attr-format.c lives in libhsmcli).
UNIT_TESTS_KEYATTRS = tests/unit/test-keyattrs
check_PROGRAMS += $(UNIT_TESTS_KEYATTRS)
TESTS += $(UNIT_TESTS_KEYATTRS)

tests_unit_test_keyattrs_SOURCES = tests/unit/test-keyattrs.c $(UNIT_HELPER)
tests_unit_test_keyattrs_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_keyattrs_LDADD = libhsmcli.la $(UNIT_SIM_LIBS) $(READLINE_LIBS)

# Key generation (keygen.c): sizes, check values, pairs, default attributes.
UNIT_TESTS_KEYGEN = tests/unit/test-keygen
check_PROGRAMS += $(UNIT_TESTS_KEYGEN)
TESTS += $(UNIT_TESTS_KEYGEN)

tests_unit_test_keygen_SOURCES = tests/unit/test-keygen.c $(UNIT_HELPER)
tests_unit_test_keygen_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_keygen_LDADD = $(UNIT_SIM_LIBS)

# Quorum (M of N): the node's rules (quorum.c) on a real database, the token
# file every node reads, and the tools' approval-file parser (libhsmcli).
UNIT_TESTS_QUORUM = tests/unit/test-quorum tests/unit/test-quorum-files
UNIT_QUORUM_HELPER = tests/unit/cu-quorum.c tests/unit/cu-quorum.h \
	tests/unit/cu-node.c tests/unit/cu-node.h
check_PROGRAMS += $(UNIT_TESTS_QUORUM)
TESTS += $(UNIT_TESTS_QUORUM)

tests_unit_test_quorum_SOURCES = tests/unit/test-quorum.c $(UNIT_HELPER) $(UNIT_DB_HELPER) \
	$(UNIT_QUORUM_HELPER)
tests_unit_test_quorum_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_quorum_LDADD = $(UNIT_SIM_LIBS)

tests_unit_test_quorum_files_SOURCES = tests/unit/test-quorum-files.c $(UNIT_HELPER)
tests_unit_test_quorum_files_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_quorum_files_LDADD = libhsmcli.la $(UNIT_COMMON_LIBS) $(READLINE_LIBS)

# Quorum for keys: key tokens, their approvers, what uses them up.
UNIT_TESTS_KEY_QUORUM = tests/unit/test-key-quorum
check_PROGRAMS += $(UNIT_TESTS_KEY_QUORUM)
TESTS += $(UNIT_TESTS_KEY_QUORUM)
tests_unit_test_key_quorum_SOURCES = tests/unit/test-key-quorum.c $(UNIT_HELPER) \
	$(UNIT_DB_HELPER) $(UNIT_QUORUM_HELPER)
tests_unit_test_key_quorum_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_key_quorum_LDADD = $(UNIT_SIM_LIBS)

# Two-factor authentication: the node's challenges, signature checks and
# rules (test-tfa), and CMU's authdata file (test-authdata).
UNIT_TESTS_TFA = tests/unit/test-tfa tests/unit/test-authdata
check_PROGRAMS += $(UNIT_TESTS_TFA)
TESTS += $(UNIT_TESTS_TFA)

tests_unit_test_tfa_SOURCES = tests/unit/test-tfa.c $(UNIT_HELPER)
tests_unit_test_tfa_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_tfa_LDADD = $(UNIT_SIM_LIBS)

tests_unit_test_authdata_SOURCES = tests/unit/test-authdata.c $(UNIT_HELPER) \
	cloudhsm_mgmt_util/authdata.c cloudhsm_mgmt_util/authdata.h
tests_unit_test_authdata_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/cloudhsm_mgmt_util
tests_unit_test_authdata_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_authdata_LDADD = libhsmutil.la $(JSONC_LIBS) $(OPENSSL_LIBS) $(CUNIT_LIBS)
