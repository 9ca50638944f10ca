# tests/e2e/local.mk - expect suites and their helper programs (included by Makefile.am).
