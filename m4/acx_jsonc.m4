# acx_jsonc.m4 - json-c for the SDK 3 configuration files.
AC_DEFUN([ACX_JSONC], [
  PKG_CHECK_MODULES([JSONC], [json-c], [],
    [AC_MSG_ERROR([json-c development files not found: install the Debian package libjson-c-dev])])
])
