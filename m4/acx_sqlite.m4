# acx_sqlite.m4 - SQLite 3 for the simulator's node state.
AC_DEFUN([ACX_SQLITE], [
  PKG_CHECK_MODULES([SQLITE], [sqlite3 >= 3.36], [],
    [AC_MSG_ERROR([SQLite 3 development files not found: install the Debian package libsqlite3-dev])])
])
