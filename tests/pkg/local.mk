# tests/pkg/local.mk - the installation suites (included by Makefile.am): the
# configure tool, hsm-sim init --sdk3-root, tab completion, the example
# program, hsm-sim run for systemd and the unit file.
PKG_SUITES = \
	tests/pkg/configure-tool.exp

TESTS += $(PKG_SUITES)
EXTRA_DIST += $(PKG_SUITES) tests/pkg/pkg-lib.tcl
