# tests/e2e/local.mk - expect suites and their helper programs (included by Makefile.am).
# Every suite makes its own clusters in temporary directories on free ports.
E2E_SUITES = \
	tests/e2e/cmu-getting-started.exp \
	tests/e2e/cmu-users.exp \
	tests/e2e/cmu-login.exp \
	tests/e2e/cmu-misc.exp \
	tests/e2e/cmu-server-mode.exp \
	tests/e2e/cmu-terminal.exp \
	tests/e2e/cmu-config.exp \
	tests/e2e/cmu-node-down.exp \
	tests/e2e/sim-cli.exp \
	tests/e2e/sim-durability.exp \
	tests/e2e/sim-concurrency.exp

# Two-factor authentication; tfa.tcl signs as the operator would, with openssl.
E2E_SUITES += tests/e2e/cmu-2fa.exp
EXTRA_DIST += tests/e2e/tfa.tcl scripts/2fa-sign

TESTS += $(E2E_SUITES)
EXTRA_DIST += $(E2E_SUITES) tests/e2e/lib.tcl tests/e2e/session.tcl tests/e2e/cmu.tcl

# Helper programs the suites drive; they link the convenience libraries for
# the internal headers (common/tls.h, common/proto.h).
E2E_TOOL_LIBS = libhsmclient.la libhsmcommon.la libhsmutil.la \
	$(OPENSSL_LIBS) $(JSONC_LIBS) $(PTHREAD_LIBS)
check_PROGRAMS += tests/tools/conn-storm tests/tools/user-race \
	tests/tools/kill-durability
tests_tools_conn_storm_SOURCES = tests/tools/conn-storm.c
tests_tools_conn_storm_LDADD = $(E2E_TOOL_LIBS)
tests_tools_user_race_SOURCES = tests/tools/user-race.c
tests_tools_user_race_LDADD = $(E2E_TOOL_LIBS)
tests_tools_kill_durability_SOURCES = tests/tools/kill-durability.c
tests_tools_kill_durability_LDADD = $(E2E_TOOL_LIBS)

# Quorum (M of N): the walk-through of the quorum pages, the refusals, and a
# client that skips CMU (tests/tools/quorum-bypass) against the nodes.
QUORUM_SUITES = tests/e2e/cmu-quorum.exp tests/e2e/cmu-quorum-refusals.exp \
	tests/e2e/quorum-bypass.exp
TESTS += $(QUORUM_SUITES)
EXTRA_DIST += $(QUORUM_SUITES) tests/e2e/quorum.tcl
check_PROGRAMS += tests/tools/quorum-bypass
# What the bypass tools share; approvers' keys and signatures of cu-quorum.c.
BYPASS_HELPER = tests/tools/bypass.c tests/tools/bypass.h tests/unit/cu-quorum.c \
	tests/unit/cu-quorum.h
tests_tools_quorum_bypass_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/unit
tests_tools_quorum_bypass_SOURCES = tests/tools/quorum-bypass.c $(BYPASS_HELPER)
tests_tools_quorum_bypass_LDADD = $(E2E_TOOL_LIBS)
