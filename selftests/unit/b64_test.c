// SPDX-License-Identifier: GPL-2.0-only
/* Strict base64url: RFC 4648 vectors, round trips, every rejection. */
#include <errno.h>
#include <string.h>

#include "kselftest_harness.h"

#include "b64.h"

/* RFC 4648 section 10, in the URL-safe alphabet and without padding. */
static const struct {
	const char *plain;
	const char *encoded;
} rfc4648[] = {
	{"", ""},
	{"f", "Zg"},
	{"fo", "Zm8"},
	{"foo", "Zm9v"},
	{"foob", "Zm9vYg"},
	{"fooba", "Zm9vYmE"},
	{"foobar", "Zm9vYmFy"},
};

TEST(rfc4648_vectors_encode)
{
	char out[16];
	size_t i;

	for (i = 0; i < sizeof(rfc4648) / sizeof(rfc4648[0]); i++) {
		size_t len = strlen(rfc4648[i].plain);

		EXPECT_EQ((ssize_t)strlen(rfc4648[i].encoded),
			  lmig_b64url_encode(rfc4648[i].plain, len, out,
					     sizeof(out)));
		EXPECT_STREQ(rfc4648[i].encoded, out);
		EXPECT_EQ(strlen(rfc4648[i].encoded),
			  lmig_b64url_encoded_len(len));
	}
}

TEST(rfc4648_vectors_decode)
{
	uint8_t out[16];
	size_t i;

	for (i = 0; i < sizeof(rfc4648) / sizeof(rfc4648[0]); i++) {
		const char *enc = rfc4648[i].encoded;
		ssize_t n = lmig_b64url_decode(enc, strlen(enc), out,
					       sizeof(out), NULL);

		ASSERT_EQ((ssize_t)strlen(rfc4648[i].plain), n);
		EXPECT_EQ(0, memcmp(out, rfc4648[i].plain, (size_t)n));
		EXPECT_EQ((size_t)n, lmig_b64url_decoded_len(strlen(enc)));
	}
}

/* Both characters outside the standard alphabet, and all 64 values. */
TEST(url_safe_alphabet)
{
	static const uint8_t bytes[] = {0xfb, 0xff, 0xbf};
	uint8_t all[48], back[48];
	char out[80];
	int i;

	ASSERT_EQ(4,
		  lmig_b64url_encode(bytes, sizeof(bytes), out, sizeof(out)));
	EXPECT_STREQ("-_-_", out);

	/* 0x00 0x10 0x83 0x10 0x51 0x87 ... encodes to A..Z a..z 0..9 - _ */
	for (i = 0; i < 64; i += 4) {
		uint32_t v = (uint32_t)i << 18 | (uint32_t)(i + 1) << 12 |
			     (uint32_t)(i + 2) << 6 | (uint32_t)(i + 3);

		all[i / 4 * 3] = (uint8_t)(v >> 16);
		all[i / 4 * 3 + 1] = (uint8_t)(v >> 8);
		all[i / 4 * 3 + 2] = (uint8_t)v;
	}
	ASSERT_EQ(64, lmig_b64url_encode(all, sizeof(all), out, sizeof(out)));
	EXPECT_STREQ("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		     "0123456789-_",
		     out);
	ASSERT_EQ(48, lmig_b64url_decode(out, 64, back, sizeof(back), NULL));
	EXPECT_EQ(0, memcmp(all, back, sizeof(all)));
}

TEST(round_trip_every_length)
{
	uint8_t in[96], back[96];
	char enc[160];
	size_t len, i;

	for (i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)(i * 37 + 11);
	for (len = 0; len <= sizeof(in); len++) {
		ssize_t n = lmig_b64url_encode(in, len, enc, sizeof(enc));

		ASSERT_EQ((ssize_t)lmig_b64url_encoded_len(len), n);
		ASSERT_NE(1, n % 4);
		ASSERT_EQ((ssize_t)len, lmig_b64url_decode(enc, (size_t)n, back,
							   sizeof(back), NULL));
		ASSERT_EQ(0, memcmp(in, back, len));
	}
}

struct bad_input {
	const char *text;
	size_t bad_at;
	const char *why;
};

TEST(rejects_non_canonical_input)
{
	static const struct bad_input cases[] = {
		{"Zg==", 2, "padding"},
		{"Zm9v=", 4, "padding after a full group"},
		{"Zm 9v", 2, "space"},
		{"Zm9v\n", 4, "newline"},
		{"Zm9\tv", 3, "tab"},
		{"+/==", 0, "standard alphabet '+'"},
		{"ab/c", 2, "standard alphabet '/'"},
		{"Z", 1, "length 1 mod 4"},
		{"Zm9vY", 5, "length 5: 1 mod 4"},
		{"Zh", 1, "unused bits set after one byte"},
		{"Zm9", 2, "unused bits set after two bytes"},
		{"Zm_", 2, "unused bits set after two bytes"},
		{"Zm9v.", 4, "dot"},
		{"\xc3\xa9", 0, "non-ASCII"},
	};
	uint8_t out[16];
	size_t i, k, left, bad_at;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bad_at = 99;
		memset(out, 0x5a, sizeof(out));
		EXPECT_EQ(-EINVAL, lmig_b64url_decode(
					   cases[i].text, strlen(cases[i].text),
					   out, sizeof(out), &bad_at))
		{
			TH_LOG("accepted: %s", cases[i].why);
		}
		EXPECT_EQ(cases[i].bad_at, bad_at)
		{
			TH_LOG("wrong offset for: %s", cases[i].why);
		}
		/* Nothing decoded stays: each byte as it was, or cleared. */
		for (k = 0, left = 0; k < sizeof(out); k++)
			left += out[k] != 0x5a && out[k] != 0;
		EXPECT_EQ(0, left)
		{
			TH_LOG("%s: %zu decoded bytes left", cases[i].why,
			       left);
		}
	}
}

TEST(embedded_nul_is_refused)
{
	static const char text[] = {'Z', 'm', '\0', 'v'};
	uint8_t out[8];
	size_t bad_at = 0;

	EXPECT_EQ(-EINVAL, lmig_b64url_decode(text, sizeof(text), out,
					      sizeof(out), &bad_at));
	EXPECT_EQ(2, bad_at);
}

/* The canonical final characters are exactly those with zero low bits. */
TEST(trailing_bits_exhaustive)
{
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklm"
				       "nopqrstuvwxyz0123456789-_";
	uint8_t out[4];
	char text[4];
	int v;

	for (v = 0; v < 64; v++) {
		/* two characters: one byte, four unused bits */
		text[0] = 'A';
		text[1] = alphabet[v];
		EXPECT_EQ((v & 0x0f) ? -EINVAL : 1,
			  lmig_b64url_decode(text, 2, out, sizeof(out), NULL));
		/* three characters: two bytes, two unused bits */
		text[2] = alphabet[v];
		EXPECT_EQ((v & 0x03) ? -EINVAL : 2,
			  lmig_b64url_decode(text, 3, out, sizeof(out), NULL));
	}
}

TEST(output_too_small)
{
	uint8_t out[2];
	size_t bad_at;
	char enc[4];

	EXPECT_EQ(-ENOSPC,
		  lmig_b64url_decode("Zm9v", 4, out, sizeof(out), NULL));
	/* "foo" needs 4 characters and the NUL. */
	EXPECT_EQ(-ENOSPC, lmig_b64url_encode("foo", 3, enc, sizeof(enc)));
	EXPECT_EQ(2, lmig_b64url_decode("Zm8", 3, out, sizeof(out), NULL));
	/* A fault in the input is named before the lack of room. */
	bad_at = 99;
	EXPECT_EQ(-EINVAL, lmig_b64url_decode("Zm9", 3, out, 1, &bad_at));
	EXPECT_EQ(2, bad_at);
	EXPECT_EQ(-EINVAL, lmig_b64url_decode("Zm.v", 4, out, 1, &bad_at));
	EXPECT_EQ(2, bad_at);
}

TEST(empty_input)
{
	uint8_t out[1];
	char enc[1];

	EXPECT_EQ(0, lmig_b64url_decode("", 0, out, sizeof(out), NULL));
	EXPECT_EQ(0, lmig_b64url_encode("", 0, enc, sizeof(enc)));
	EXPECT_EQ('\0', enc[0]);
}

TEST_HARNESS_MAIN
