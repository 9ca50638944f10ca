/* test-buf.c - unit tests of common/buf.h, the bounded wire buffers.
 * Every decoder rests on these checks, so each getter's bounds are proven here. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cu-util.h"

/* ---- writer: exact big-endian bytes ------------------------------------- */

static void
test_put_integers_big_endian(void)
{
	static const uint8_t want[] = {
		0x00, 0xff,
		0x12, 0x34,
		0xde, 0xad, 0xbe, 0xef,
		0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
	};
	struct hbuf b;
	hbuf_init(&b);
	hbuf_put_u8(&b, 0x00);
	hbuf_put_u8(&b, 0xff);
	hbuf_put_u16(&b, 0x1234);
	hbuf_put_u32(&b, 0xdeadbeefu);
	hbuf_put_u64(&b, 0x0102030405060708u);
	CU_ASSERT_FALSE(b.failed);
	CU_ASSERT_EQUAL(b.len, sizeof(want));
	CU_ASSERT(b.len == sizeof(want) && memcmp(b.data, want, sizeof(want)) == 0);
	hbuf_free(&b);
	CU_ASSERT_PTR_NULL(b.data);
	CU_ASSERT_EQUAL(b.len, 0);
}

static void
test_put_bytes_and_str_layout(void)
{
	static const uint8_t want[] = {
		0, 0, 0, 3, 'a', 'b', 'c',      /* bytes */
		0, 0, 0, 2, 'h', 'i',           /* str, no NUL */
		0, 0, 0, 0,                     /* NULL str */
		0, 0, 0, 0,                     /* empty bytes */
		'x', 'y',                       /* raw */
	};
	struct hbuf b;
	hbuf_init(&b);
	hbuf_put_bytes(&b, "abc", 3);
	hbuf_put_str(&b, "hi");
	hbuf_put_str(&b, NULL);
	hbuf_put_bytes(&b, NULL, 0);
	hbuf_put_raw(&b, "xy", 2);
	CU_ASSERT_FALSE(b.failed);
	CU_ASSERT(b.len == sizeof(want) && memcmp(b.data, want, sizeof(want)) == 0);
	hbuf_free(&b);
}

static void
test_patch_u32(void)
{
	struct hbuf b;
	hbuf_init(&b);
	hbuf_put_u32(&b, 0);
	hbuf_put_u8(&b, 0x77);
	hbuf_patch_u32(&b, 0, 0xa1b2c3d4u);
	static const uint8_t want[] = { 0xa1, 0xb2, 0xc3, 0xd4, 0x77 };
	CU_ASSERT(b.len == 5 && memcmp(b.data, want, 5) == 0);
	/* Out of range: nothing written, nothing grows. */
	hbuf_patch_u32(&b, 2, 0xffffffffu);
	hbuf_patch_u32(&b, 5, 0xffffffffu);
	hbuf_patch_u32(&b, SIZE_MAX - 1, 0xffffffffu);
	CU_ASSERT(b.len == 5 && memcmp(b.data, want, 5) == 0);
	hbuf_free(&b);
}

static void
test_reset_wipes_and_keeps_allocation(void)
{
	struct hbuf b;
	hbuf_init(&b);
	hbuf_put_raw(&b, "secret-secret", 13);
	uint8_t *before = b.data;
	hbuf_reset(&b);
	CU_ASSERT_EQUAL(b.len, 0);
	CU_ASSERT_PTR_EQUAL(b.data, before);
	bool zero = true;
	for (size_t i = 0; i < 13; i++)
		zero = zero && b.data[i] == 0;
	CU_ASSERT_TRUE(zero);
	hbuf_put_u8(&b, 1);
	CU_ASSERT_EQUAL(b.len, 1);
	hbuf_free(&b);
}

/* ---- HBUF_MAX ----------------------------------------------------------- */

static void
test_limit_exact_then_one_more(void)
{
	struct hbuf b;
	hbuf_init(&b);
	uint8_t *chunk = calloc(1, 4096);
	for (size_t i = 0; i < HBUF_MAX / 4096; i++)
		hbuf_put_raw(&b, chunk, 4096);
	CU_ASSERT_FALSE(b.failed);
	CU_ASSERT_EQUAL(b.len, HBUF_MAX);
	hbuf_put_u8(&b, 1);
	CU_ASSERT_TRUE(b.failed);
	CU_ASSERT_EQUAL(b.len, HBUF_MAX);
	/* A failed buffer stays failed: later puts are ignored. */
	hbuf_put_u32(&b, 7);
	CU_ASSERT_EQUAL(b.len, HBUF_MAX);
	hbuf_reset(&b);
	CU_ASSERT_FALSE(b.failed);
	hbuf_put_u8(&b, 9);
	CU_ASSERT(b.len == 1 && b.data[0] == 9);
	free(chunk);
	hbuf_free(&b);
}

static void
test_limit_single_oversized_puts(void)
{
	struct hbuf b;
	hbuf_init(&b);
	hbuf_put_raw(&b, "", (size_t)HBUF_MAX + 1);   /* must not read the source */
	CU_ASSERT_TRUE(b.failed);
	CU_ASSERT_EQUAL(b.len, 0);
	hbuf_free(&b);

	hbuf_init(&b);
	hbuf_put_bytes(&b, "", (size_t)HBUF_MAX + 1);
	CU_ASSERT_TRUE(b.failed);
	hbuf_free(&b);

	hbuf_init(&b);
	hbuf_put_raw(&b, "", SIZE_MAX);
	CU_ASSERT_TRUE(b.failed);
	hbuf_free(&b);

	/* The length prefix counts: HBUF_MAX bytes of payload plus 4 do not fit. */
	hbuf_init(&b);
	uint8_t *big = calloc(1, HBUF_MAX);
	hbuf_put_bytes(&b, big, HBUF_MAX);
	CU_ASSERT_TRUE(b.failed);
	CU_ASSERT(b.len <= HBUF_MAX);
	free(big);
	hbuf_free(&b);
}

/* ---- reader round trips ------------------------------------------------- */

static void
test_round_trip_every_type(void)
{
	struct hbuf b;
	hbuf_init(&b);
	hbuf_put_u8(&b, 0xab);
	hbuf_put_u16(&b, 0xfffe);
	hbuf_put_u32(&b, 0x80000001u);
	hbuf_put_u64(&b, 0xfedcba9876543210u);
	hbuf_put_u8(&b, 1);
	hbuf_put_u8(&b, 0);
	hbuf_put_raw(&b, "RAW", 3);
	hbuf_put_bytes(&b, "\0\1\2", 3);
	hbuf_put_str(&b, "hello");
	hbuf_put_str(&b, "fixed");
	hbuf_put_str(&b, "");

	struct hrd r;
	uint8_t u8 = 0;
	uint16_t u16 = 0;
	uint32_t u32 = 0;
	uint64_t u64 = 0;
	bool t = false, f = true;
	char raw[3], fixed[6], empty[1];
	const uint8_t *p = NULL;
	size_t n = 0;
	char *s = NULL;
	hrd_init(&r, b.data, b.len);
	CU_ASSERT_EQUAL(hrd_left(&r), b.len);
	CU_ASSERT(hrd_get_u8(&r, &u8) == 0 && u8 == 0xab);
	CU_ASSERT(hrd_get_u16(&r, &u16) == 0 && u16 == 0xfffe);
	CU_ASSERT(hrd_get_u32(&r, &u32) == 0 && u32 == 0x80000001u);
	CU_ASSERT(hrd_get_u64(&r, &u64) == 0 && u64 == 0xfedcba9876543210u);
	CU_ASSERT(hrd_get_bool(&r, &t) == 0 && t);
	CU_ASSERT(hrd_get_bool(&r, &f) == 0 && !f);
	CU_ASSERT(hrd_get_raw(&r, raw, 3) == 0 && memcmp(raw, "RAW", 3) == 0);
	CU_ASSERT(hrd_get_bytes(&r, &p, &n, 3) == 0 && n == 3 && memcmp(p, "\0\1\2", 3) == 0);
	CU_ASSERT(hrd_get_str(&r, &s, 5) == 0 && s != NULL && strcmp(s, "hello") == 0);
	CU_ASSERT(hrd_get_str_fixed(&r, fixed, sizeof(fixed)) == 0 && strcmp(fixed, "fixed") == 0);
	CU_ASSERT(hrd_get_str_fixed(&r, empty, sizeof(empty)) == 0 && empty[0] == '\0');
	CU_ASSERT_EQUAL(hrd_left(&r), 0);
	CU_ASSERT_EQUAL(hrd_end(&r), 0);
	free(s);
	hbuf_free(&b);
}

static void
test_get_bytes_points_into_frame(void)
{
	static const uint8_t frame[] = { 0, 0, 0, 2, 'o', 'k' };
	struct hrd r;
	const uint8_t *p = NULL;
	size_t n = 0;
	hrd_init(&r, frame, sizeof(frame));
	CU_ASSERT_EQUAL(hrd_get_bytes(&r, &p, &n, 2), 0);
	CU_ASSERT_PTR_EQUAL(p, frame + 4);
	CU_ASSERT_EQUAL(n, 2);
}

static void
test_zero_length_bytes_and_str(void)
{
	static const uint8_t frame[] = { 0, 0, 0, 0, 0, 0, 0, 0 };
	struct hrd r;
	const uint8_t *p = NULL;
	size_t n = 99;
	char *s = NULL;
	hrd_init(&r, frame, sizeof(frame));
	CU_ASSERT(hrd_get_bytes(&r, &p, &n, 0) == 0 && n == 0);
	CU_ASSERT(hrd_get_str(&r, &s, 0) == 0 && s != NULL && s[0] == '\0');
	CU_ASSERT_EQUAL(hrd_end(&r), 0);
	free(s);
}

/* ---- short data: each getter fails and does not move ---------------------- */

typedef int (*getter_fn)(struct hrd *r);

static int get_u8(struct hrd *r) { uint8_t v; return hrd_get_u8(r, &v); }
static int get_u16(struct hrd *r) { uint16_t v; return hrd_get_u16(r, &v); }
static int get_u32(struct hrd *r) { uint32_t v; return hrd_get_u32(r, &v); }
static int get_u64(struct hrd *r) { uint64_t v; return hrd_get_u64(r, &v); }
static int get_bool(struct hrd *r) { bool v; return hrd_get_bool(r, &v); }
static int get_raw5(struct hrd *r) { uint8_t v[5]; return hrd_get_raw(r, v, 5); }

static int
get_bytes(struct hrd *r)
{
	const uint8_t *p;
	size_t n;
	return hrd_get_bytes(r, &p, &n, 1024);
}

static int
get_str(struct hrd *r)
{
	char *s = NULL;
	int rc = hrd_get_str(r, &s, 1024);
	free(s);
	return rc;
}

static int
get_str_fixed(struct hrd *r)
{
	char s[64];
	return hrd_get_str_fixed(r, s, sizeof(s));
}

/* A valid encoding for each getter (length-prefixed ones carry 3 bytes). */
static const struct {
	const char *name;
	getter_fn get;
	size_t need;
	uint8_t bytes[8];
} getters[] = {
	{ "u8", get_u8, 1, { 0x01 } },
	{ "u16", get_u16, 2, { 0x01, 0x02 } },
	{ "u32", get_u32, 4, { 1, 2, 3, 4 } },
	{ "u64", get_u64, 8, { 1, 2, 3, 4, 5, 6, 7, 8 } },
	{ "bool", get_bool, 1, { 1 } },
	{ "raw5", get_raw5, 5, { 1, 2, 3, 4, 5 } },
	{ "bytes", get_bytes, 7, { 0, 0, 0, 3, 'a', 'b', 'c' } },
	{ "str", get_str, 7, { 0, 0, 0, 3, 'a', 'b', 'c' } },
	{ "str_fixed", get_str_fixed, 7, { 0, 0, 0, 3, 'a', 'b', 'c' } },
};

static void
test_short_data_fails_without_moving(void)
{
	for (size_t g = 0; g < sizeof(getters) / sizeof(getters[0]); g++) {
		/* Start each read one byte into the data so "did not move" means
		 * "still at 1", not merely "still at 0". */
		uint8_t data[9] = { 0xee };
		memcpy(data + 1, getters[g].bytes, getters[g].need);
		for (size_t cut = 0; cut < getters[g].need; cut++) {
			struct hrd r;
			uint8_t skip;
			hrd_init(&r, data, 1 + cut);
			(void)hrd_get_u8(&r, &skip);
			int rc = getters[g].get(&r);
			if (rc != -1 || r.off != 1)
				printf("getter %s with %zu of %zu bytes: rc %d off %zu\n",
				       getters[g].name, cut, getters[g].need, rc, r.off);
			CU_ASSERT_EQUAL(rc, -1);
			CU_ASSERT_EQUAL(r.off, 1);
		}
		struct hrd r;
		hrd_init(&r, data + 1, getters[g].need);
		CU_ASSERT_EQUAL(getters[g].get(&r), 0);
		CU_ASSERT_EQUAL(hrd_end(&r), 0);
	}
}

/* ---- caps, NULs, booleans, trailing bytes ------------------------------- */

static void
test_bytes_length_cap(void)
{
	static const uint8_t frame[] = { 0, 0, 0, 4, 'w', 'x', 'y', 'z' };
	struct hrd r;
	const uint8_t *p = NULL;
	size_t n = 0;
	hrd_init(&r, frame, sizeof(frame));
	CU_ASSERT_EQUAL(hrd_get_bytes(&r, &p, &n, 3), -1);
	CU_ASSERT_EQUAL(r.off, 0);
	CU_ASSERT_EQUAL(hrd_get_bytes(&r, &p, &n, 4), 0);
	CU_ASSERT_EQUAL(n, 4);
}

static void
test_bytes_huge_length_prefix(void)
{
	static const uint8_t frame[] = { 0xff, 0xff, 0xff, 0xff, 'a' };
	struct hrd r;
	const uint8_t *p = NULL;
	size_t n = 0;
	char *s = NULL;
	hrd_init(&r, frame, sizeof(frame));
	CU_ASSERT_EQUAL(hrd_get_bytes(&r, &p, &n, SIZE_MAX), -1);
	CU_ASSERT_EQUAL(r.off, 0);
	CU_ASSERT_EQUAL(hrd_get_str(&r, &s, SIZE_MAX), -1);
	CU_ASSERT_PTR_NULL(s);
	CU_ASSERT_EQUAL(r.off, 0);
}

static void
test_str_length_cap(void)
{
	static const uint8_t frame[] = { 0, 0, 0, 5, 'h', 'e', 'l', 'l', 'o' };
	struct hrd r;
	char *s = NULL;
	hrd_init(&r, frame, sizeof(frame));
	CU_ASSERT_EQUAL(hrd_get_str(&r, &s, 4), -1);
	CU_ASSERT_PTR_NULL(s);
	CU_ASSERT_EQUAL(r.off, 0);
	CU_ASSERT_EQUAL(hrd_get_str(&r, &s, 5), 0);
	CU_ASSERT(s != NULL && strcmp(s, "hello") == 0);
	free(s);
}

static void
test_str_fixed_needs_room_for_nul(void)
{
	static const uint8_t frame[] = { 0, 0, 0, 5, 'h', 'e', 'l', 'l', 'o' };
	struct hrd r;
	char out[6];
	memset(out, 'Z', sizeof(out));
	hrd_init(&r, frame, sizeof(frame));
	CU_ASSERT_EQUAL(hrd_get_str_fixed(&r, out, 5), -1);
	CU_ASSERT_EQUAL(r.off, 0);
	CU_ASSERT_EQUAL(out[5], 'Z');   /* nothing written past what it was given */
	CU_ASSERT_EQUAL(hrd_get_str_fixed(&r, out, 0), -1);
	CU_ASSERT_EQUAL(r.off, 0);
	CU_ASSERT_EQUAL(hrd_get_str_fixed(&r, out, 6), 0);
	CU_ASSERT_STRING_EQUAL(out, "hello");
}

static void
test_str_rejects_embedded_nul(void)
{
	static const uint8_t mid[] = { 0, 0, 0, 3, 'a', 0, 'b' };
	static const uint8_t last[] = { 0, 0, 0, 2, 'a', 0 };
	const uint8_t *frames[] = { mid, last };
	const size_t lens[] = { sizeof(mid), sizeof(last) };
	for (size_t i = 0; i < 2; i++) {
		struct hrd r;
		char *s = NULL;
		char fixed[16];
		hrd_init(&r, frames[i], lens[i]);
		CU_ASSERT_EQUAL(hrd_get_str(&r, &s, 64), -1);
		CU_ASSERT_PTR_NULL(s);
		CU_ASSERT_EQUAL(r.off, 0);
		CU_ASSERT_EQUAL(hrd_get_str_fixed(&r, fixed, sizeof(fixed)), -1);
		CU_ASSERT_EQUAL(r.off, 0);
	}
}

static void
test_bool_only_zero_or_one(void)
{
	for (unsigned v = 0; v < 256; v++) {
		uint8_t byte = (uint8_t)v;
		struct hrd r;
		bool out = false;
		hrd_init(&r, &byte, 1);
		int rc = hrd_get_bool(&r, &out);
		if (v <= 1) {
			CU_ASSERT_EQUAL(rc, 0);
			CU_ASSERT_EQUAL(out, v == 1);
			CU_ASSERT_EQUAL(r.off, 1);
		} else {
			CU_ASSERT_EQUAL(rc, -1);
			CU_ASSERT_EQUAL(r.off, 0);
		}
	}
}

static void
test_end_with_trailing_bytes(void)
{
	static const uint8_t frame[] = { 1, 2, 3 };
	struct hrd r;
	uint16_t v;
	uint8_t last;
	hrd_init(&r, frame, 0);
	CU_ASSERT_EQUAL(hrd_end(&r), 0);
	hrd_init(&r, frame, sizeof(frame));
	CU_ASSERT_EQUAL(hrd_end(&r), -1);
	CU_ASSERT_EQUAL(hrd_get_u16(&r, &v), 0);
	CU_ASSERT_EQUAL(hrd_end(&r), -1);
	CU_ASSERT_EQUAL(hrd_left(&r), 1);
	CU_ASSERT(hrd_get_u8(&r, &last) == 0 && last == 3);
	CU_ASSERT_EQUAL(hrd_end(&r), 0);
}

static CU_TestInfo writer_tests[] = {
	{ "integers are big-endian", test_put_integers_big_endian },
	{ "bytes/str/raw layout", test_put_bytes_and_str_layout },
	{ "patch_u32 in and out of range", test_patch_u32 },
	{ "reset wipes, keeps allocation", test_reset_wipes_and_keeps_allocation },
	{ "HBUF_MAX exactly, then one more", test_limit_exact_then_one_more },
	{ "single puts beyond HBUF_MAX", test_limit_single_oversized_puts },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo reader_tests[] = {
	{ "round trip of every put/get", test_round_trip_every_type },
	{ "get_bytes points into the frame", test_get_bytes_points_into_frame },
	{ "zero-length bytes and str", test_zero_length_bytes_and_str },
	{ "short data: -1, cursor unmoved", test_short_data_fails_without_moving },
	{ "get_bytes length cap", test_bytes_length_cap },
	{ "length prefix 0xffffffff", test_bytes_huge_length_prefix },
	{ "get_str length cap", test_str_length_cap },
	{ "get_str_fixed needs room for NUL", test_str_fixed_needs_room_for_nul },
	{ "embedded NUL rejected", test_str_rejects_embedded_nul },
	{ "bool only 0 or 1", test_bool_only_zero_or_one },
	{ "hrd_end and trailing bytes", test_end_with_trailing_bytes },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "buf writer", NULL, NULL, NULL, NULL, writer_tests },
	{ "buf reader", NULL, NULL, NULL, NULL, reader_tests },
	CU_SUITE_INFO_NULL,
};

int
main(void)
{
	return cu_run(suites);
}
