/* bypass.h - what the quorum-bypass tools share: their tally of checks, a
 * client logged in on every server, approvers' quorum keys registered. */
#ifndef BYPASS_H
#define BYPASS_H

#include <stddef.h>

#include <openssl/evp.h>

#include "hsmclient.h"

extern unsigned checks, failures;
extern size_t nservers;

/* Counts a check; prints a FAIL line when got is not want. */
void expect_rc(const char *what, size_t srv, hsm_rc got, hsm_rc want);
void expect_true(const char *what, int ok);
/* A client of the CMU config cfg, connected and logged in on every server
 * (sets nservers); exits on a config that does not load. */
hsm_client *logged_in(const char *cfg, hsm_user_type type, const char *name, const char *pw);
/* registerQuorumPubKey of k's public key for name on every server. */
void register_key(hsm_client *c, hsm_user_type type, const char *name, EVP_PKEY *k);

#endif
