# acx_sdk3_layout.m4 - --enable-sdk3-layout[=ROOT]: the tools installed as the
# SDK 3 packages laid them out (ROOT/bin, ROOT/etc, ROOT/run, ROOT/daemon/1).
AC_DEFUN([ACX_SDK3_LAYOUT], [
  AC_ARG_ENABLE([sdk3-layout],
    [AS_HELP_STRING([--enable-sdk3-layout@<:@=ROOT@:>@],
      [install the tools in ROOT/bin and their configs in ROOT/etc as the SDK 3
       packages did, with the configure tool as ROOT/bin/configure
       (ROOT: /opt/cloudhsm); hsm-sim stays in EPREFIX/bin])],
    [], [enable_sdk3_layout=no])
  AS_CASE([$enable_sdk3_layout],
    [no], [sdk3root=],
    [yes], [sdk3root=/opt/cloudhsm],
    [/*], [sdk3root=$enable_sdk3_layout],
    [AC_MSG_ERROR([--enable-sdk3-layout=$enable_sdk3_layout: ROOT must be an absolute path])])
  dnl Only the defaults move under ROOT: an explicit --bindir or
  dnl --sysconfdir still wins (autoconf keeps the last one given).
  simbindir='${bindir}'
  AS_IF([test -n "$sdk3root"], [
    AS_IF([test "x$bindir" = 'x${exec_prefix}/bin'], [bindir=$sdk3root/bin])
    AS_IF([test "x$sysconfdir" = 'x${prefix}/etc'], [sysconfdir=$sdk3root/etc])
    simbindir='${exec_prefix}/bin'
  ])
  AC_MSG_CHECKING([for the SDK 3 layout])
  AS_IF([test -n "$sdk3root"], [AC_MSG_RESULT([$sdk3root])], [AC_MSG_RESULT([no])])
  AC_SUBST([sdk3root])
  AC_SUBST([simbindir])
  AM_CONDITIONAL([SDK3_LAYOUT], [test -n "$sdk3root"])
])
