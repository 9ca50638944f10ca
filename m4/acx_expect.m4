# acx_expect.m4 - expect (Tcl) for the end-to-end test suites.
AC_DEFUN([ACX_EXPECT], [
  AC_PATH_PROG([EXPECT], [expect])
  AS_IF([test -z "$EXPECT"],
    [AC_MSG_ERROR([expect not found (needed by make check): install the Debian package expect])])
  AC_PATH_PROG([OPENSSL_BIN], [openssl])
  AS_IF([test -z "$OPENSSL_BIN"],
    [AC_MSG_ERROR([openssl command not found (needed by make check): install the Debian package openssl])])
])
