# acx_zlib.m4 - zlib for compressed node backups.
AC_DEFUN([ACX_ZLIB], [
  PKG_CHECK_MODULES([ZLIB], [zlib], [],
    [AC_MSG_ERROR([zlib development files not found: install the Debian package zlib1g-dev])])
])
