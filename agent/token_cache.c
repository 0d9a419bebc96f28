// SPDX-License-Identifier: GPL-2.0-only
/* Verified tokens by SHA-256, within the window their verification holds. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "token_cache.h"

struct entry {
	unsigned char digest[32];
	int64_t from;  /* first second the verification holds */
	int64_t until; /* first second it no longer does */
	struct lmig_token token;
	bool used;
};

/* The lock covers look-up and store, never a signature check. */
struct lmigd_token_cache {
	pthread_mutex_t lock;
	EVP_MD *sha256; /* fetched once: a fetch per token takes locks */
	struct entry slots[LMIGD_TOKEN_CACHE_SLOTS];
	uint64_t hits, misses;
};

struct lmigd_token_cache *lmigd_token_cache_new(void)
{
	struct lmigd_token_cache *cache = calloc(1, sizeof(*cache));

	if (!cache)
		return NULL;
	cache->sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
	if (!cache->sha256) {
		free(cache);
		return NULL;
	}
	pthread_mutex_init(&cache->lock, NULL);
	return cache;
}

void lmigd_token_cache_free(struct lmigd_token_cache *cache)
{
	if (!cache)
		return;
	pthread_mutex_destroy(&cache->lock);
	EVP_MD_free(cache->sha256);
	free(cache);
}

void lmigd_token_cache_flush(struct lmigd_token_cache *cache)
{
	if (!cache)
		return;
	pthread_mutex_lock(&cache->lock);
	for (size_t i = 0; i < LMIGD_TOKEN_CACHE_SLOTS; i++)
		cache->slots[i].used = false;
	pthread_mutex_unlock(&cache->lock);
}

void lmigd_token_cache_stats(struct lmigd_token_cache *cache,
			     struct lmigd_token_cache_stats *out)
{
	memset(out, 0, sizeof(*out));
	if (!cache)
		return;
	pthread_mutex_lock(&cache->lock);
	out->hits = cache->hits;
	out->misses = cache->misses;
	for (size_t i = 0; i < LMIGD_TOKEN_CACHE_SLOTS; i++)
		out->entries += cache->slots[i].used;
	pthread_mutex_unlock(&cache->lock);
}

static int64_t max64(int64_t a, int64_t b)
{
	return a > b ? a : b;
}

static int64_t min64(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

/*
 * The window of a verified token, as token.h and trust.h define the
 * checks: nbf - skew <= now, iat - skew <= now, now < exp + skew, and the
 * verifying key's certificate valid at now (both ends included). Without
 * the key (it cannot go missing, but if it did) nothing is remembered.
 */
static bool window(const struct lmig_verifier *verifier,
		   const struct lmig_token *t, int64_t *from, int64_t *until)
{
	const struct lmig_trust *trust = lmig_verifier_trust(verifier);
	int64_t skew = lmig_verifier_clock_skew(verifier);
	const struct lmig_trust_key *key = NULL;

	for (size_t i = 0; i < lmig_trust_key_count(trust); i++) {
		const struct lmig_trust_key *k = lmig_trust_key(trust, i);

		if (!strcmp(k->implicit_kid, t->key_id) &&
		    !strcmp(k->issuer, t->issuer)) {
			key = k;
			break;
		}
	}
	if (!key)
		return false;
	*from = key->not_before;
	if (t->present & LMIG_TOKEN_HAS_NBF)
		*from = max64(*from, t->nbf - skew);
	if (t->present & LMIG_TOKEN_HAS_IAT)
		*from = max64(*from, t->iat - skew);
	*until = min64(t->exp + skew, key->not_after + 1);
	return *from < *until;
}

enum lmig_token_status lmigd_token_verify_cached(
	struct lmigd_token_cache *cache, const struct lmig_verifier *verifier,
	const char *token, size_t len, int64_t now_unix, struct lmig_token *out)
{
	unsigned char digest[32];
	unsigned int digest_len = 0;
	enum lmig_token_status st;
	int64_t from, until;
	struct entry *e;
	uint32_t slot;

	if (!cache || len > LMIG_JWS_MAX_LEN ||
	    !EVP_Digest(token, len, digest, &digest_len, cache->sha256, NULL) ||
	    digest_len != sizeof(digest))
		return lmig_token_verify(verifier, token, len, now_unix, out);

	memcpy(&slot, digest, sizeof(slot));
	e = &cache->slots[slot & (LMIGD_TOKEN_CACHE_SLOTS - 1)];
	pthread_mutex_lock(&cache->lock);
	if (e->used && !memcmp(e->digest, digest, sizeof(digest)) &&
	    now_unix >= e->from && now_unix < e->until) {
		cache->hits++;
		*out = e->token;
		pthread_mutex_unlock(&cache->lock);
		return LMIG_TOKEN_OK;
	}
	cache->misses++;
	pthread_mutex_unlock(&cache->lock);

	st = lmig_token_verify(verifier, token, len, now_unix, out);
	if (st == LMIG_TOKEN_OK && window(verifier, out, &from, &until)) {
		pthread_mutex_lock(&cache->lock);
		e->from = from;
		e->until = until;
		memcpy(e->digest, digest, sizeof(digest));
		e->token = *out;
		e->used = true;
		pthread_mutex_unlock(&cache->lock);
	}
	return st;
}
