# acx_sanitizers.m4 - --enable-sanitizers, --enable-debug, --enable-fuzzing.
AC_DEFUN([ACX_BUILD_MODES], [
  AC_ARG_ENABLE([sanitizers],
    [AS_HELP_STRING([--enable-sanitizers], [build with AddressSanitizer and UndefinedBehaviorSanitizer])],
    [], [enable_sanitizers=no])
  AC_ARG_ENABLE([debug],
    [AS_HELP_STRING([--enable-debug], [build without optimisation, with debug symbols and assertions])],
    [], [enable_debug=no])
  AC_ARG_ENABLE([fuzzing],
    [AS_HELP_STRING([--enable-fuzzing], [build libFuzzer targets (needs clang)])],
    [], [enable_fuzzing=no])
  SAN_CFLAGS=
  SAN_LDFLAGS=
  AS_IF([test "x$enable_sanitizers" = xyes], [
    SAN_CFLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined"
    SAN_LDFLAGS="-fsanitize=address,undefined"
  ])
  dnl Every object gets coverage hooks, or libFuzzer sees only its target
  dnl file and never learns its way into the decoders of libhsmcommon.
  AS_IF([test "x$enable_fuzzing" = xyes], [
    acx_save_CFLAGS=$CFLAGS
    CFLAGS="$CFLAGS -fsanitize=fuzzer-no-link"
    AC_COMPILE_IFELSE([AC_LANG_PROGRAM([], [])], [],
      [AC_MSG_ERROR([--enable-fuzzing needs clang: ./configure CC=clang --enable-fuzzing])])
    CFLAGS=$acx_save_CFLAGS
    SAN_CFLAGS="$SAN_CFLAGS -fsanitize=fuzzer-no-link"
  ])
  AS_IF([test "x$enable_debug" = xyes], [DEBUG_CFLAGS="-O0 -g3"], [DEBUG_CFLAGS=])
  AC_SUBST([SAN_CFLAGS])
  AC_SUBST([SAN_LDFLAGS])
  AC_SUBST([DEBUG_CFLAGS])
  AM_CONDITIONAL([ENABLE_SANITIZERS], [test "x$enable_sanitizers" = xyes])
  AM_CONDITIONAL([ENABLE_FUZZING], [test "x$enable_fuzzing" = xyes])
])
