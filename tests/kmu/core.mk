# tests/kmu/core.mk - key_mgmt_util suites (included by Makefile.am).
