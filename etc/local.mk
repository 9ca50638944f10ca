# etc/local.mk - what an installation carries besides the programs: the SDK 3
# configs, the directories the SDK 3 pages name, pkg-config data, the example
# program, the systemd unit (included by Makefile.am).

# ---- the two configs, as the SDK 3 packages shipped them --------------------
# A reference copy goes to $(pkgdatadir); $(sysconfdir) gets one only where
# none exists, because configure and operators edit those files in place.
SDK3_CONFIGS = etc/cloudhsm_mgmt_util.cfg etc/cloudhsm_client.cfg
if SDK3_LAYOUT
sdk3rundir = $(sdk3root)/run
else
sdk3rundir = $(localstatedir)/run/cloudhsm
endif
sdk3cfgdir = $(pkgdatadir)
sdk3cfg_DATA = $(SDK3_CONFIGS)
CLEANFILES += $(SDK3_CONFIGS)
EXTRA_DIST += etc/cloudhsm_mgmt_util.cfg.in etc/cloudhsm_client.cfg.in debian scripts

edit_sdk3_config = $(SED) -e 's|@sysconfdir[@]|$(sysconfdir)|g' \
	-e 's|@sdk3rundir[@]|$(sdk3rundir)|g'
etc/cloudhsm_mgmt_util.cfg: $(srcdir)/etc/cloudhsm_mgmt_util.cfg.in Makefile
	$(AM_V_GEN)$(MKDIR_P) etc && \
	$(edit_sdk3_config) $(srcdir)/etc/cloudhsm_mgmt_util.cfg.in > $@.tmp && mv $@.tmp $@
etc/cloudhsm_client.cfg: $(srcdir)/etc/cloudhsm_client.cfg.in Makefile
	$(AM_V_GEN)$(MKDIR_P) etc && \
	$(edit_sdk3_config) $(srcdir)/etc/cloudhsm_client.cfg.in > $@.tmp && mv $@.tmp $@

install-data-local:
	$(MKDIR_P) '$(DESTDIR)$(sysconfdir)'
	@for f in $(SDK3_CONFIGS); do \
	  t='$(DESTDIR)$(sysconfdir)'/`basename $$f`; \
	  if test -f "$$t"; then echo "keeping $$t"; \
	  else echo " $(INSTALL_DATA) $$f '$$t'"; $(INSTALL_DATA) $$f "$$t" || exit 1; fi; \
	done
if SDK3_LAYOUT
	$(MKDIR_P) '$(DESTDIR)$(sysconfdir)/certs' '$(DESTDIR)$(sdk3root)/run' \
	  '$(DESTDIR)$(sdk3root)/daemon/1'
endif

# An edited config is the operator's: only an untouched copy goes.
uninstall-local:
	@for f in $(SDK3_CONFIGS); do \
	  t='$(DESTDIR)$(sysconfdir)'/`basename $$f`; \
	  if test -f "$$t" && cmp -s $$f "$$t"; then echo " rm -f '$$t'"; rm -f "$$t"; fi; \
	done

# ---- pkg-config and the example program --------------------------------------
pkgconfigdir = $(libdir)/pkgconfig
pkgconfig_DATA = libhsmclient/libhsmclient.pc
EXTRA_DIST += libhsmclient/libhsmclient.pc.in

# make check builds the example against the build tree with nothing but the
# public header; installcheck builds it again through the installed .pc file.
check_PROGRAMS += tests/pkg/example
tests_pkg_example_SOURCES = tests/pkg/example-build.c
tests_pkg_example_CPPFLAGS = -I$(top_srcdir)/doc -I$(top_srcdir)/libhsmclient/include
tests_pkg_example_LDADD = libhsmclient.la
EXTRA_DIST += doc/example.c

installcheck-local:
	PKG_CONFIG_PATH='$(pkgconfigdir)' $(PKG_CONFIG) --exists --print-errors libhsmclient
	$(CC) -o example-installed $(srcdir)/doc/example.c \
	  `PKG_CONFIG_PATH='$(pkgconfigdir)' $(PKG_CONFIG) --cflags --libs libhsmclient`
	LD_LIBRARY_PATH='$(libdir)' ./example-installed --version | grep -qx 'libhsmclient $(PACKAGE_VERSION)'
	rm -f example-installed

# ---- systemd: hsm-sim@NAME serves the cluster in /var/lib/hsm-sim/NAME ----------
# (systemd's StateDirectory, whatever the prefix).
SYSTEMD_UNITS = systemd/hsm-sim@.service
if HAVE_SYSTEMD_UNITDIR
systemdsystemunit_DATA = $(SYSTEMD_UNITS)
endif
CLEANFILES += $(SYSTEMD_UNITS)
EXTRA_DIST += systemd/hsm-sim@.service.in
edit_unit = $(SED) -e 's|@simbindir[@]|$(simbindir)|g' -e 's|@clusterdir[@]|/var/lib/hsm-sim|g'
systemd/hsm-sim@.service: $(srcdir)/systemd/hsm-sim@.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) systemd && \
	$(edit_unit) $(srcdir)/systemd/hsm-sim@.service.in > $@.tmp && mv $@.tmp $@
