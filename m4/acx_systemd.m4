# acx_systemd.m4 - --with-systemdsystemunitdir: where hsm-sim@.service goes.
# The default stays under the prefix (systemd also reads
# /usr/local/lib/systemd/system), so make install and distcheck need no root.
AC_DEFUN([ACX_SYSTEMD], [
  AC_ARG_WITH([systemdsystemunitdir],
    [AS_HELP_STRING([--with-systemdsystemunitdir=DIR],
      [install hsm-sim@.service into DIR (default: PREFIX/lib/systemd/system; no: none)])],
    [], [with_systemdsystemunitdir='${prefix}/lib/systemd/system'])
  AS_IF([test "x$with_systemdsystemunitdir" = xyes],
    [with_systemdsystemunitdir='${prefix}/lib/systemd/system'])
  AC_SUBST([systemdsystemunitdir], [$with_systemdsystemunitdir])
  AM_CONDITIONAL([HAVE_SYSTEMD_UNITDIR], [test "x$with_systemdsystemunitdir" != xno])
])
