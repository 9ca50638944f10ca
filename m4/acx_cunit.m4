# acx_cunit.m4 - CUnit for the unit tests run by make check.
AC_DEFUN([ACX_CUNIT], [
  PKG_CHECK_MODULES([CUNIT], [cunit], [],
    [AC_CHECK_HEADER([CUnit/Basic.h], [CUNIT_LIBS="-lcunit"],
       [AC_MSG_ERROR([CUnit not found: install the Debian package libcunit1-dev])])])
  AC_SUBST([CUNIT_LIBS])
])
