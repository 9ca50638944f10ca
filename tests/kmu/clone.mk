# tests/kmu/clone.mk - cloned clusters (included by Makefile.am): hsm-sim init
# --from-backup, syncUser/syncKey between clones, the unrelated cluster's refusal.
CLONE_SUITES = tests/kmu/clone.exp
TESTS += $(CLONE_SUITES)
EXTRA_DIST += $(CLONE_SUITES) tests/kmu/clone-lib.tcl
