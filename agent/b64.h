/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Strict base64url (RFC 4648 section 5) as JWS uses it (RFC 7515 section 2):
 * the URL-safe alphabet only, no padding, no whitespace, no line breaks.
 * Decoding refuses every input that encode() would not produce: a length
 * of 1 mod 4, any other character, and non-zero unused bits in the last
 * character, so that each byte string has exactly one encoding.
 */
#ifndef LMIG_AGENT_B64_H
#define LMIG_AGENT_B64_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Characters the encoding of len bytes takes, without a terminating NUL. */
size_t lmig_b64url_encoded_len(size_t len);

/* Bytes the decoding of len characters takes at most (exact when valid). */
size_t lmig_b64url_decoded_len(size_t len);

/*
 * Encode len bytes of in into out, NUL-terminated. Returns the number of
 * characters written (without the NUL), or -ENOSPC if out_size is smaller
 * than lmig_b64url_encoded_len(len) + 1 (out is then left untouched).
 */
ssize_t lmig_b64url_encode(const void *in, size_t len, char *out,
			   size_t out_size);

/*
 * Decode len characters of in into out. Returns the number of bytes
 * written, -EINVAL if in is not canonical base64url (*bad_at, if bad_at
 * is not NULL, set to the offset of the offending character, or to len
 * when the length itself is wrong; out holds nothing decoded: each byte
 * is as it was or zero), or -ENOSPC if
 * out_size is smaller than lmig_b64url_decoded_len(len). An empty input
 * decodes to zero bytes.
 */
ssize_t lmig_b64url_decode(const char *in, size_t len, uint8_t *out,
			   size_t out_size, size_t *bad_at);

#endif /* LMIG_AGENT_B64_H */
