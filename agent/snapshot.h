/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What token verification reads, frozen: the verifier (trust store,
 * audience, clock skew) and the cache of tokens it verified. A reload
 * builds a new snapshot and swaps it in on the loop thread; a job on a
 * worker holds a reference to the snapshot it started with, so the old
 * verifier lives until the last job using it finishes, and what it
 * verified never lands in the new snapshot's cache.
 */
#ifndef LMIG_AGENT_SNAPSHOT_H
#define LMIG_AGENT_SNAPSHOT_H

#include "token.h"
#include "token_cache.h"

struct lmigd_snapshot {
	struct lmig_verifier *verifier;
	struct lmigd_token_cache *cache;
	/* private */
	_Atomic unsigned int refs;
};

/*
 * A snapshot owning verifier (freed with it) and a new, empty cache, with
 * one reference. NULL on allocation failure (verifier then not taken).
 */
struct lmigd_snapshot *lmigd_snapshot_new(struct lmig_verifier *verifier);

struct lmigd_snapshot *lmigd_snapshot_get(struct lmigd_snapshot *s);

/* Drop a reference; the last one frees. Any thread. */
void lmigd_snapshot_put(struct lmigd_snapshot *s);

#endif /* LMIG_AGENT_SNAPSHOT_H */
