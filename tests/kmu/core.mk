# tests/kmu/core.mk - the key_mgmt_util core suites (included by Makefile.am): sessions,
# key generation, findKey/deleteKey, client-side sync and singlecmd, end to end.
KMU_CORE_SUITES = \
	tests/kmu/core-session.exp \
	tests/kmu/core-keygen.exp \
	tests/kmu/core-find-delete.exp \
	tests/kmu/core-sync.exp \
	tests/kmu/core-singlecmd.exp

TESTS += $(KMU_CORE_SUITES)
EXTRA_DIST += $(KMU_CORE_SUITES) tests/kmu/kmu-lib.tcl
