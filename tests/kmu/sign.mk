# tests/kmu/sign.mk - key_mgmt_util suites (included by Makefile.am).
# sign/verify (sign.exp), cloudhsm_mgmt_util's key commands (sign-cmu.exp),
# its syncKey (cmu-sync-key.exp) and the using-kmu.md walk-through
# (using-kmu.exp), on the helpers of sign-lib.tcl over tests/e2e/lib.tcl;
# the mechanism table and the crypto codecs in a CUnit program (sign-unit).
SIGN_SUITES = tests/kmu/sign.exp tests/kmu/sign-cmu.exp tests/kmu/cmu-sync-key.exp \
	tests/kmu/using-kmu.exp
TESTS += $(SIGN_SUITES) tests/kmu/sign-unit
EXTRA_DIST += $(SIGN_SUITES) tests/kmu/sign-lib.tcl

check_PROGRAMS += tests/kmu/sign-unit
tests_kmu_sign_unit_SOURCES = tests/kmu/sign-unit.c
tests_kmu_sign_unit_CFLAGS = $(AM_CFLAGS) $(CUNIT_CFLAGS)
tests_kmu_sign_unit_LDADD = libhsmcommon.la libhsmutil.la $(OPENSSL_LIBS) $(CUNIT_LIBS)
