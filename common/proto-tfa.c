/* proto-tfa.c - codecs of the two-factor messages: a node's challenge and
 * the second factor that login, createUser and changePswd carry. */
#include <string.h>

#include "proto.h"

void
msg_tfa_encode(struct hbuf *b, const struct msg_tfa *m)
{
	hbuf_put_bytes(b, m->signature, m->signature_len);
	hbuf_put_bytes(b, m->pubkey, m->pubkey_len);
}

int
msg_tfa_decode(struct hrd *r, struct msg_tfa *m)
{
	memset(m, 0, sizeof(*m));
	if (hrd_get_bytes(r, &m->signature, &m->signature_len, TFA_SIGNATURE_MAX) != 0 ||
	    hrd_get_bytes(r, &m->pubkey, &m->pubkey_len, TFA_PUBKEY_MAX) != 0) {
		memset(m, 0, sizeof(*m));
		return -1;
	}
	return 0;
}

void
msg_tfa_challenge_encode(struct hbuf *b, const uint8_t digest[TFA_DIGEST_LEN])
{
	hbuf_put_bytes(b, digest, TFA_DIGEST_LEN);
}

int
msg_tfa_challenge_decode(struct hrd *r, uint8_t digest[TFA_DIGEST_LEN])
{
	const uint8_t *p;
	size_t n;
	if (hrd_get_bytes(r, &p, &n, TFA_DIGEST_LEN) != 0 || n != TFA_DIGEST_LEN)
		return -1;
	memcpy(digest, p, n);
	return hrd_end(r);
}
