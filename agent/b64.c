// SPDX-License-Identifier: GPL-2.0-only
/* Strict base64url without padding (RFC 4648 section 5, RFC 7515). */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "b64.h"

static const char alphabet[64] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/*
 * Value of each byte as a base64url character; INVALID for the others.
 * A table, so that decoding costs a load per character, not a chain of
 * comparisons: tokens are decoded on every admission request.
 */
#define INVALID 0x80
#define VALUE(c)                                     \
	((c) >= 'A' && (c) <= 'Z'   ? (c) - 'A'      \
	 : (c) >= 'a' && (c) <= 'z' ? (c) - 'a' + 26 \
	 : (c) >= '0' && (c) <= '9' ? (c) - '0' + 52 \
	 : (c) == '-'		    ? 62             \
	 : (c) == '_'		    ? 63             \
				    : INVALID)
#define ROW4(c)	 VALUE(c), VALUE((c) + 1), VALUE((c) + 2), VALUE((c) + 3)
#define ROW16(c) ROW4(c), ROW4((c) + 4), ROW4((c) + 8), ROW4((c) + 12)
#define ROW64(c) ROW16(c), ROW16((c) + 16), ROW16((c) + 32), ROW16((c) + 48)

static const uint8_t values[256] = {ROW64(0), ROW64(64), ROW64(128),
				    ROW64(192)};

static int b64url_value(unsigned char c)
{
	return values[c] == INVALID ? -1 : values[c];
}

size_t lmig_b64url_encoded_len(size_t len)
{
	return len / 3 * 4 + (len % 3 ? len % 3 + 1 : 0);
}

size_t lmig_b64url_decoded_len(size_t len)
{
	return len / 4 * 3 + (len % 4 ? len % 4 - 1 : 0);
}

ssize_t lmig_b64url_encode(const void *in, size_t len, char *out,
			   size_t out_size)
{
	const uint8_t *p = in;
	size_t need = lmig_b64url_encoded_len(len);
	size_t i, o = 0;

	if (len > (SIZE_MAX / 4) || need >= (size_t)SSIZE_MAX ||
	    out_size < need + 1)
		return -ENOSPC;

	for (i = 0; i + 3 <= len; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 |
			     p[i + 2];

		out[o++] = alphabet[v >> 18];
		out[o++] = alphabet[(v >> 12) & 63];
		out[o++] = alphabet[(v >> 6) & 63];
		out[o++] = alphabet[v & 63];
	}
	if (len - i == 1) {
		uint32_t v = (uint32_t)p[i] << 16;

		out[o++] = alphabet[v >> 18];
		out[o++] = alphabet[(v >> 12) & 63];
	} else if (len - i == 2) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8;

		out[o++] = alphabet[v >> 18];
		out[o++] = alphabet[(v >> 12) & 63];
		out[o++] = alphabet[(v >> 6) & 63];
	}
	out[o] = '\0';
	return (ssize_t)o;
}

/*
 * The rules one at a time, in the order a reader would find a fault: the
 * alphabet, the length, and that the unused low bits of a final partial
 * group are zero (a non-zero value there would give a second encoding of
 * the same bytes). For refusals only: decoding checks as it goes.
 */
static int b64url_check(const char *in, size_t len, size_t *bad_at)
{
	size_t i;
	int last;

	for (i = 0; i < len; i++) {
		if (b64url_value((unsigned char)in[i]) < 0) {
			*bad_at = i;
			return -EINVAL;
		}
	}
	if (len % 4 == 1) {
		*bad_at = len;
		return -EINVAL;
	}
	if (len % 4 == 0)
		return 0;
	last = b64url_value((unsigned char)in[len - 1]);
	if ((len % 4 == 2 && (last & 0x0f)) ||
	    (len % 4 == 3 && (last & 0x03))) {
		*bad_at = len - 1;
		return -EINVAL;
	}
	return 0;
}

ssize_t lmig_b64url_decode(const char *in, size_t len, uint8_t *out,
			   size_t out_size, size_t *bad_at)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t need = lmig_b64url_decoded_len(len);
	size_t ignored, i, o = 0;
	uint32_t acc = 0, seen = 0;
	int bits = 0;

	if (!bad_at)
		bad_at = &ignored;
	/* Cannot be decoded whole: name the fault, else the lack of room. */
	if (len % 4 == 1 || need >= (size_t)SSIZE_MAX || out_size < need)
		return b64url_check(in, len, bad_at) ? -EINVAL : -ENOSPC;

	for (i = 0; i + 4 <= len; i += 4) {
		uint32_t a = values[s[i]], b = values[s[i + 1]],
			 c = values[s[i + 2]], d = values[s[i + 3]];

		seen |= a | b | c | d;
		acc = a << 18 | b << 12 | c << 6 | d;
		out[o++] = (uint8_t)(acc >> 16);
		out[o++] = (uint8_t)(acc >> 8);
		out[o++] = (uint8_t)acc;
	}
	for (acc = 0; i < len; i++) {
		seen |= values[s[i]];
		acc = (acc << 6) | (values[s[i]] & 0x3f);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (uint8_t)(acc >> bits);
			acc &= (1U << bits) - 1;
		}
	}
	if (!(seen & INVALID) && !acc)
		return (ssize_t)o;
	memset(out, 0, o);
	return b64url_check(in, len, bad_at);
}
