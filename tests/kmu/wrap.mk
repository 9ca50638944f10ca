# tests/kmu/wrap.mk - key_mgmt_util suites (included by Makefile.am): the commands that
# move key material (wrapKey, unWrapKey, imports, exports, aesWrapUnwrap, fake PEM),
# and the CUnit tests of their mechanisms, codecs and file header.
WRAP_SUITES = tests/kmu/wrap-keys.exp tests/kmu/wrap-sym.exp tests/kmu/wrap-asym.exp
TESTS += $(WRAP_SUITES) tests/kmu/wrap-unit
EXTRA_DIST += $(WRAP_SUITES) tests/kmu/wrap-lib.tcl

check_PROGRAMS += tests/kmu/wrap-unit
tests_kmu_wrap_unit_SOURCES = tests/kmu/wrap-unit.c \
	key_mgmt_util/wrap-file.c key_mgmt_util/output.c
tests_kmu_wrap_unit_CFLAGS = $(AM_CFLAGS) $(CUNIT_CFLAGS)
tests_kmu_wrap_unit_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/key_mgmt_util
tests_kmu_wrap_unit_LDADD = libhsmclient.la libhsmcommon.la libhsmutil.la \
	$(OPENSSL_LIBS) $(PTHREAD_LIBS) $(CUNIT_LIBS)
