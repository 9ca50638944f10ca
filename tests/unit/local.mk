# tests/unit/local.mk - CUnit suites (included by Makefile.am).
