# configure-tool/local.mk - configure, the SDK 3 set-up tool, and the config
# editing it shares with hsm-sim and libhsmclient (included by Makefile.am).

# Strict parsing and in-place edits of the SDK 3 JSON configs (json-c).
noinst_LTLIBRARIES += libhsmcfg.la
libhsmcfg_la_SOURCES = common/cfg-json.c common/cfg-json.h \
	common/cfg-sdk3.c common/cfg-sdk3.h
libhsmcfg_la_CPPFLAGS = $(TOOL_CPPFLAGS) -DHSM_BUILDING_LIBRARY
libhsmcfg_la_CFLAGS = $(AM_CFLAGS) -fvisibility=hidden
libhsmcfg_la_LIBADD = $(JSONC_LIBS)
libhsmclient_la_LIBADD += libhsmcfg.la
bin_hsm_sim_LDADD += libhsmcfg.la

# Installed as ROOT/bin/configure in the SDK 3 layout; elsewhere a program
# called configure on the PATH would only confuse, so it is cloudhsm-configure.
CONFIGURE_TOOL_SOURCES = configure-tool/configure.h configure-tool/main.c \
	configure-tool/address.c configure-tool/ssl.c
CONFIGURE_TOOL_LIBS = libhsmclient.la libhsmcfg.la libhsmcommon.la libhsmutil.la \
	$(OPENSSL_LIBS) $(JSONC_LIBS) $(PTHREAD_LIBS)
if SDK3_LAYOUT
bin_PROGRAMS += bin/configure
CONFIGURE_TOOL = bin/configure
else
bin_PROGRAMS += bin/cloudhsm-configure
CONFIGURE_TOOL = bin/cloudhsm-configure
endif
bin_configure_SOURCES = $(CONFIGURE_TOOL_SOURCES)
bin_configure_CPPFLAGS = $(TOOL_CPPFLAGS)
bin_configure_LDADD = $(CONFIGURE_TOOL_LIBS)
bin_cloudhsm_configure_SOURCES = $(CONFIGURE_TOOL_SOURCES)
bin_cloudhsm_configure_CPPFLAGS = $(TOOL_CPPFLAGS)
bin_cloudhsm_configure_LDADD = $(CONFIGURE_TOOL_LIBS)
dist_man1_MANS += doc/cloudhsm-configure.1

AM_TESTS_ENVIRONMENT += \
	CONFIGURE_TOOL='$(abs_top_builddir)/$(CONFIGURE_TOOL)'; export CONFIGURE_TOOL;
