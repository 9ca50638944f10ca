/* tfa.h - two-factor authentication of crypto officers on a node: each
 * session's single-use challenge and the RSA-2048 signature checks. */
#ifndef HSM_TFA_H
#define HSM_TFA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hsmclient.h"
#include "proto.h"

/* An operator signs by hand between request and answer: ten minutes. */
#define TFA_CHALLENGE_TTL_MS (600u * 1000u)

/* The challenge a session was last issued. It is good for the next login,
 * createUser or changePswd of that session only, and for TTL at most. */
struct tfa_challenge {
	uint8_t digest[TFA_DIGEST_LEN];
	uint64_t issued_ms;          /* monotonic clock */
	bool live;
};

/* A fresh random challenge replaces any earlier one. 0 or -1. */
int tfa_challenge_issue(struct tfa_challenge *c, uint64_t now_ms);
/* Uses the challenge up: copies it to out and returns true when one was
 * issued, not yet used, and not older than the TTL; false otherwise. */
bool tfa_challenge_take(struct tfa_challenge *c, uint64_t now_ms,
                        uint8_t out[TFA_DIGEST_LEN]);

/* HSM_RC_SUCCESS for a DER SubjectPublicKeyInfo of an RSA-2048 key;
 * otherwise why not (bad encoding, not RSA, another size). */
hsm_rc tfa_key_check(const uint8_t *der, size_t len);
/* Does sig verify over the 32 digest bytes with the key: RSA PKCS#1 v1.5
 * with the digest taken as a SHA-256 hash (openssl pkeyutl -sign
 * -pkeyopt digest:sha256)? */
bool tfa_signature_valid(const uint8_t *der, size_t len,
                         const uint8_t digest[TFA_DIGEST_LEN],
                         const uint8_t *sig, size_t siglen);

struct session;
struct store;
struct store_user;

/* tfa_challenge_take on the session's challenge. */
bool tfa_session_take(struct session *s, uint8_t out[TFA_DIGEST_LEN]);
/* Login: does the second factor hold for u? digest is the session's
 * challenge, NULL when it had none. A user without 2FA passes whatever was
 * sent (the reference ignores the second factor then). */
bool tfa_login_factor_ok(const struct store_user *u, const struct msg_user_req *m,
                         const uint8_t *digest);
/* createUser/changePswd with USER_REQ_FLAG_TFA: the target must be an
 * officer and the new key RSA-2048, and its signature of the challenge
 * proves the sender holds the private key. HSM_RC_SUCCESS without the flag. */
hsm_rc tfa_new_key_check(hsm_user_type target, const struct msg_user_req *m,
                         const uint8_t *digest);
/* changePswd, inside its transaction: with the flag the new key becomes the
 * user's 2FA and quorum key; without it a 2FA user loses both (manage-2fa.md). */
int tfa_apply_password_change(struct store *st, const struct store_user *u,
                              const struct msg_user_req *m);

#endif
