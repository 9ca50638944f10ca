/* test-mask.c - unit tests of server-sim/mask.h, the sealing of masked objects.
 * Only the same key, purpose and cluster may open a blob; any change is refused. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cu-util.h"
#include "mask.h"

#define OVERHEAD (MASK_NONCE_LEN + MASK_TAG_LEN)

static const uint8_t key_a[MASKING_KEY_LEN] = {
	0x10, 0x32, 0x54, 0x76, 0x98, 0xba, 0xdc, 0xfe, 0x01, 0x23, 0x45, 0x67,
	0x89, 0xab, 0xcd, 0xef, 0xf0, 0xe1, 0xd2, 0xc3, 0xb4, 0xa5, 0x96, 0x87,
	0x78, 0x69, 0x5a, 0x4b, 0x3c, 0x2d, 0x1e, 0x0f,
};

/* A plaintext that is easy to find again in memory. */
static const char secret[] = "USER-RECORD:alice:salt-and-hash:0123456789abcdef";
#define SECRET_LEN (sizeof(secret) - 1)

static bool
seal(const uint8_t *key, const char *purpose, const char *cluster, const void *p, size_t n,
     struct hbuf *out)
{
	return mask_seal(key, purpose, cluster, p, n, out) == 0 && !out->failed;
}

/* No copy of the secret anywhere in the buffer's allocation (its whole
 * capacity: open_dirty() keeps every byte of it initialised). */
static bool
holds_no_secret(const struct hbuf *b)
{
	return b->data == NULL || memmem(b->data, b->cap, secret, 8) == NULL;
}

/* Opens into a buffer that already held the secret, as a reused buffer would. */
static int
open_dirty(const uint8_t *key, const char *purpose, const char *cluster,
           const uint8_t *blob, size_t n, struct hbuf *plain)
{
	static const uint8_t zeros[512];
	if (plain->data == NULL)
		hbuf_put_raw(plain, zeros, sizeof(zeros));
	hbuf_reset(plain);     /* wipes the whole capacity */
	hbuf_put_raw(plain, secret, SECRET_LEN);
	return mask_open(key, purpose, cluster, blob, n, plain);
}

static void
test_round_trip_sizes(void)
{
	static const size_t sizes[] = { 0, 1, 15, 16, 17, 255, 4096, 65537 };
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t n = sizes[i];
		uint8_t *p = malloc(n ? n : 1);
		for (size_t j = 0; j < n; j++)
			p[j] = (uint8_t)(j * 7 + i);
		struct hbuf sealed, plain;
		hbuf_init(&sealed);
		hbuf_init(&plain);
		CU_ASSERT_TRUE(seal(key_a, "user", "cluster-1", p, n, &sealed));
		CU_ASSERT_EQUAL(sealed.len, n + OVERHEAD);
		CU_ASSERT_EQUAL(mask_open(key_a, "user", "cluster-1", sealed.data, sealed.len, &plain), 0);
		CU_ASSERT(plain.len == n && (n == 0 || memcmp(plain.data, p, n) == 0));
		hbuf_free(&sealed);
		hbuf_free(&plain);
		free(p);
	}
}

static void
test_ciphertext_hides_plaintext_and_varies(void)
{
	struct hbuf a, b;
	hbuf_init(&a);
	hbuf_init(&b);
	CU_ASSERT_TRUE(seal(key_a, "user", "cluster-1", secret, SECRET_LEN, &a));
	CU_ASSERT_TRUE(seal(key_a, "user", "cluster-1", secret, SECRET_LEN, &b));
	CU_ASSERT_PTR_NULL(memmem(a.data, a.len, secret, 8));
	CU_ASSERT(a.len == b.len);
	/* A fresh nonce each time: neither nonce nor ciphertext repeats. */
	CU_ASSERT_NOT_EQUAL(memcmp(a.data, b.data, MASK_NONCE_LEN), 0);
	CU_ASSERT_NOT_EQUAL(memcmp(a.data + MASK_NONCE_LEN, b.data + MASK_NONCE_LEN, SECRET_LEN), 0);
	hbuf_free(&a);
	hbuf_free(&b);
}

static void
test_seal_appends(void)
{
	struct hbuf out, plain;
	hbuf_init(&out);
	hbuf_init(&plain);
	hbuf_put_raw(&out, "HDR", 3);
	CU_ASSERT_TRUE(seal(key_a, "key", "cluster-1", secret, SECRET_LEN, &out));
	CU_ASSERT_EQUAL(memcmp(out.data, "HDR", 3), 0);
	CU_ASSERT_EQUAL(out.len, 3 + SECRET_LEN + OVERHEAD);
	CU_ASSERT_EQUAL(mask_open(key_a, "key", "cluster-1", out.data + 3, out.len - 3, &plain), 0);
	CU_ASSERT(plain.len == SECRET_LEN && memcmp(plain.data, secret, SECRET_LEN) == 0);
	hbuf_free(&out);
	hbuf_free(&plain);
}

/* ---- what must not open ------------------------------------------------------- */

struct sealed_fixture {
	struct hbuf blob;
	struct hbuf plain;
};

static void
fixture(struct sealed_fixture *f)
{
	hbuf_init(&f->blob);
	hbuf_init(&f->plain);
	CU_ASSERT_TRUE(seal(key_a, "user", "cluster-1", secret, SECRET_LEN, &f->blob));
}

static void
fixture_free(struct sealed_fixture *f)
{
	hbuf_free(&f->blob);
	hbuf_free(&f->plain);
}

static void
expect_refused(struct sealed_fixture *f, const uint8_t *key, const char *purpose,
               const char *cluster, const uint8_t *blob, size_t n)
{
	CU_ASSERT_EQUAL(open_dirty(key, purpose, cluster, blob, n, &f->plain), -1);
	CU_ASSERT_EQUAL(f->plain.len, 0);
	CU_ASSERT_TRUE(holds_no_secret(&f->plain));
}

static void
test_other_key_purpose_cluster(void)
{
	struct sealed_fixture f;
	fixture(&f);
	uint8_t key_b[MASKING_KEY_LEN];
	memcpy(key_b, key_a, sizeof(key_b));
	key_b[31] ^= 0x01;
	expect_refused(&f, key_b, "user", "cluster-1", f.blob.data, f.blob.len);
	expect_refused(&f, key_a, "key", "cluster-1", f.blob.data, f.blob.len);
	expect_refused(&f, key_a, "User", "cluster-1", f.blob.data, f.blob.len);
	expect_refused(&f, key_a, "", "cluster-1", f.blob.data, f.blob.len);
	expect_refused(&f, key_a, "user", "cluster-2", f.blob.data, f.blob.len);
	expect_refused(&f, key_a, "user", "cluster-1 ", f.blob.data, f.blob.len);
	expect_refused(&f, key_a, "user", "", f.blob.data, f.blob.len);
	/* The separator cannot be shifted between purpose and cluster. */
	expect_refused(&f, key_a, "user v1|cluster-1", "", f.blob.data, f.blob.len);
	/* And the right ones still open it. */
	CU_ASSERT_EQUAL(open_dirty(key_a, "user", "cluster-1", f.blob.data, f.blob.len, &f.plain), 0);
	fixture_free(&f);
}

static void
test_every_bit_flip_refused(void)
{
	struct sealed_fixture f;
	fixture(&f);
	uint8_t *copy = malloc(f.blob.len);
	unsigned opened = 0, leaked = 0;
	for (size_t bit = 0; bit < f.blob.len * 8; bit++) {
		memcpy(copy, f.blob.data, f.blob.len);
		copy[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		if (open_dirty(key_a, "user", "cluster-1", copy, f.blob.len, &f.plain) != -1)
			opened++;
		if (f.plain.len != 0 || !holds_no_secret(&f.plain))
			leaked++;
	}
	CU_ASSERT_EQUAL(opened, 0);
	CU_ASSERT_EQUAL(leaked, 0);
	free(copy);
	fixture_free(&f);
}

static void
test_every_truncation_refused(void)
{
	struct sealed_fixture f;
	fixture(&f);
	unsigned opened = 0, leaked = 0;
	for (size_t n = 0; n < f.blob.len; n++) {
		/* An exact-size copy, so a read past n is caught by ASan. */
		uint8_t *copy = malloc(n ? n : 1);
		memcpy(copy, f.blob.data, n);
		if (open_dirty(key_a, "user", "cluster-1", copy, n, &f.plain) != -1)
			opened++;
		if (f.plain.len != 0 || !holds_no_secret(&f.plain))
			leaked++;
		free(copy);
	}
	/* One byte too many is refused as well. */
	hbuf_put_u8(&f.blob, 0);
	expect_refused(&f, key_a, "user", "cluster-1", f.blob.data, f.blob.len);
	CU_ASSERT_EQUAL(opened, 0);
	CU_ASSERT_EQUAL(leaked, 0);
	fixture_free(&f);
}

/* A cluster id is bound whole, however long: ids that differ only at the
 * end are different clusters. */
static void
test_long_ids_bound_whole(void)
{
	char c1[200], c2[200], p1[120], p2[120];
	memset(c1, 'c', sizeof(c1) - 1);
	c1[sizeof(c1) - 1] = '\0';
	memcpy(c2, c1, sizeof(c2));
	c2[sizeof(c2) - 2] = 'd';
	memset(p1, 'p', sizeof(p1) - 1);
	p1[sizeof(p1) - 1] = '\0';
	memcpy(p2, p1, sizeof(p2));
	p2[sizeof(p2) - 2] = 'q';
	struct hbuf blob, plain;
	hbuf_init(&blob);
	hbuf_init(&plain);
	CU_ASSERT_TRUE(seal(key_a, "user", c1, secret, SECRET_LEN, &blob));
	CU_ASSERT_EQUAL(mask_open(key_a, "user", c2, blob.data, blob.len, &plain), -1);
	hbuf_reset(&blob);
	CU_ASSERT_TRUE(seal(key_a, p1, "cluster-1", secret, SECRET_LEN, &blob));
	CU_ASSERT_EQUAL(mask_open(key_a, p2, "cluster-1", blob.data, blob.len, &plain), -1);
	hbuf_free(&blob);
	hbuf_free(&plain);
}

static void
test_oversized_input(void)
{
	struct hbuf out, plain;
	hbuf_init(&out);
	hbuf_init(&plain);
	uint8_t *big = calloc(1, (size_t)HBUF_MAX + 1);
	CU_ASSERT_EQUAL(mask_seal(key_a, "user", "cluster-1", big, (size_t)HBUF_MAX + 1, &out), -1);
	CU_ASSERT_EQUAL(mask_open(key_a, "user", "cluster-1", big, (size_t)HBUF_MAX + 1, &plain), -1);
	/* Plaintext that fits but whose sealed form does not. */
	CU_ASSERT_EQUAL(mask_seal(key_a, "user", "cluster-1", big, HBUF_MAX - MASK_NONCE_LEN, &out), -1);
	free(big);
	hbuf_free(&out);
	hbuf_free(&plain);
}

/* ---- key files ---------------------------------------------------------------------- */

static void
write_bytes(const char *path, size_t n)
{
	FILE *f = fopen(path, "wb");
	for (size_t i = 0; f != NULL && i < n; i++)
		fputc((int)(i * 13), f);
	if (f != NULL)
		fclose(f);
}

static void
test_load_key(void)
{
	char *dir = cu_mkdtemp("mask");
	CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
	char *good = cu_path(dir, "good.key"), *shrt = cu_path(dir, "short.key");
	char *lng = cu_path(dir, "long.key"), *missing = cu_path(dir, "missing.key");
	write_bytes(good, MASKING_KEY_LEN);
	write_bytes(shrt, MASKING_KEY_LEN - 1);
	write_bytes(lng, MASKING_KEY_LEN + 1);
	uint8_t key[MASKING_KEY_LEN];
	char err[512] = "";
	CU_ASSERT_EQUAL(mask_load_key(good, key, err, sizeof(err)), 0);
	CU_ASSERT(key[0] == 0 && key[1] == 13 && key[31] == (uint8_t)(31 * 13));
	const char *bad[] = { shrt, lng, missing };
	for (size_t i = 0; i < 3; i++) {
		err[0] = '\0';
		CU_ASSERT_EQUAL(mask_load_key(bad[i], key, err, sizeof(err)), -1);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, bad[i]));
	}
	free(good);
	free(shrt);
	free(lng);
	free(missing);
	cu_rmtree(dir);
}

static CU_TestInfo tests[] = {
	{ "round trip, sizes 0..65537", test_round_trip_sizes },
	{ "ciphertext hides and varies", test_ciphertext_hides_plaintext_and_varies },
	{ "seal appends to the buffer", test_seal_appends },
	{ "other key, purpose, cluster", test_other_key_purpose_cluster },
	{ "every bit flip refused", test_every_bit_flip_refused },
	{ "every truncation refused", test_every_truncation_refused },
	{ "long ids bound whole", test_long_ids_bound_whole },
	{ "oversized input", test_oversized_input },
	{ "mask_load_key", test_load_key },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "mask", NULL, NULL, NULL, NULL, tests },
	CU_SUITE_INFO_NULL,
};

int
main(void)
{
	return cu_run(suites);
}
