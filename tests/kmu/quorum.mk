# tests/kmu/quorum.mk - quorum for keys (included by Makefile.am): key_mgmt_util's
# token commands, keys made with -m_value, shareKey's approval in CMU.
KQUORUM_SUITES = tests/kmu/kmu-quorum.exp
TESTS += $(KQUORUM_SUITES)
EXTRA_DIST += $(KQUORUM_SUITES) tests/kmu/kquorum-lib.tcl
