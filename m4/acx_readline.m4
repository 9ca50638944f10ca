# acx_readline.m4 - GNU readline for the interactive shells.
AC_DEFUN([ACX_READLINE], [
  PKG_CHECK_MODULES([READLINE], [readline], [],
    [AC_CHECK_HEADER([readline/readline.h],
       [AC_CHECK_LIB([readline], [readline], [READLINE_LIBS="-lreadline"],
          [AC_MSG_ERROR([readline library not found: install the Debian package libreadline-dev])])],
       [AC_MSG_ERROR([readline headers not found: install the Debian package libreadline-dev])])])
  AC_SUBST([READLINE_LIBS])
])
