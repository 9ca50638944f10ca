# tests/pkg/local.mk - the installation suites (included by Makefile.am): the
# configure tool, hsm-sim init --sdk3-root, tab completion, the example
# program, hsm-sim run for systemd and the unit file.
PKG_SUITES = \
	tests/pkg/configure-tool.exp \
	tests/pkg/sdk3-layout.exp \
	tests/pkg/serve.exp \
	tests/pkg/example.exp \
	tests/pkg/complete.exp \
	tests/pkg/systemd-unit.sh

TESTS += $(PKG_SUITES)
EXTRA_DIST += $(PKG_SUITES) tests/pkg/pkg-lib.tcl

# systemd's side of sd_notify, for serve.exp.
check_PROGRAMS += tests/tools/sd-notify-listen
tests_tools_sd_notify_listen_SOURCES = tests/tools/sd-notify-listen.c

# The unit as built (etc/local.mk), for serve.exp and systemd-unit.sh.
check_DATA = $(SYSTEMD_UNITS)
AM_TESTS_ENVIRONMENT += \
	HSM_SIM_UNIT='$(abs_top_builddir)/systemd/hsm-sim@.service'; export HSM_SIM_UNIT; \
	EXAMPLE='$(abs_top_builddir)/tests/pkg/example'; export EXAMPLE;

# The smoke session of scripts/test-packages, run where the packages are
# installed (not by make check: it needs /opt/cloudhsm).
EXTRA_DIST += tests/pkg/smoke-installed.sh tests/pkg/smoke-cmu.exp
