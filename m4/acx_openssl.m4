# acx_openssl.m4 - OpenSSL 3 (libssl, libcrypto) through pkg-config.
AC_DEFUN([ACX_OPENSSL], [
  PKG_CHECK_MODULES([OPENSSL], [libssl >= 3.0 libcrypto >= 3.0], [],
    [AC_MSG_ERROR([OpenSSL 3 development files not found: install the Debian package libssl-dev])])
])
