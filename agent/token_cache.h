/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Verified tokens, remembered by the SHA-256 of their bytes, so that a
 * client presenting the same token again (a new address, a reconnect)
 * costs a hash instead of a signature verification.
 *
 * Only the token's own verification is remembered: the profile is read
 * anew on every presentation, so a profile change counts at once. An
 * entry answers only inside the window in which verifying the token again
 * would give the same result: from its nbf and iat (less the clock skew)
 * and the start of its key's certificate, until its exp (plus the skew)
 * and the end of that certificate. Refusals are not remembered. The cache
 * belongs to one verifier: flush it when the verifier is replaced.
 *
 * A fixed table of LMIGD_TOKEN_CACHE_SLOTS entries, each token in the one
 * slot its hash names; a newer token takes the slot. Safe to share
 * between threads: a lock covers look-up and store, not the verification.
 */
#ifndef LMIG_AGENT_TOKEN_CACHE_H
#define LMIG_AGENT_TOKEN_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "token.h"

#define LMIGD_TOKEN_CACHE_SLOTS 1024 /* a power of two */

struct lmigd_token_cache;

struct lmigd_token_cache_stats {
	uint64_t hits;
	uint64_t misses;
	uint64_t entries; /* slots holding a token now */
};

struct lmigd_token_cache *lmigd_token_cache_new(void);
void lmigd_token_cache_free(struct lmigd_token_cache *cache);
void lmigd_token_cache_flush(struct lmigd_token_cache *cache);
void lmigd_token_cache_stats(struct lmigd_token_cache *cache,
			     struct lmigd_token_cache_stats *out);

/*
 * lmig_token_verify() through the cache: the same answer, from the cache
 * when it holds the token for now_unix. A NULL cache just verifies.
 */
enum lmig_token_status lmigd_token_verify_cached(
	struct lmigd_token_cache *cache, const struct lmig_verifier *verifier,
	const char *token, size_t len, int64_t now_unix,
	struct lmig_token *out);

#endif /* LMIG_AGENT_TOKEN_CACHE_H */
