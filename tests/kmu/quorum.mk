# tests/kmu/quorum.mk - quorum for keys (included by Makefile.am): key_mgmt_util's
# token commands, keys made with -m_value, shareKey's approval in CMU.
KQUORUM_SUITES = tests/kmu/kmu-quorum.exp
TESTS += $(KQUORUM_SUITES)
EXTRA_DIST += $(KQUORUM_SUITES) tests/kmu/kquorum-lib.tcl

# A client that skips key_mgmt_util (tests/tools/key-quorum-bypass) against the nodes.
KQUORUM_SUITES += tests/kmu/key-quorum-bypass.exp
TESTS += tests/kmu/key-quorum-bypass.exp
EXTRA_DIST += tests/kmu/key-quorum-bypass.exp
check_PROGRAMS += tests/tools/key-quorum-bypass
tests_tools_key_quorum_bypass_SOURCES = tests/tools/key-quorum-bypass.c $(BYPASS_HELPER)
tests_tools_key_quorum_bypass_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/unit
tests_tools_key_quorum_bypass_LDADD = $(E2E_TOOL_LIBS)
