// SPDX-License-Identifier: GPL-2.0-only
/* Reference-counted verification snapshots. */
#include <stdatomic.h>
#include <stdlib.h>

#include "snapshot.h"

struct lmigd_snapshot *lmigd_snapshot_new(struct lmig_verifier *verifier)
{
	struct lmigd_snapshot *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->cache = lmigd_token_cache_new();
	if (!s->cache) {
		free(s);
		return NULL;
	}
	s->verifier = verifier;
	atomic_init(&s->refs, 1);
	return s;
}

struct lmigd_snapshot *lmigd_snapshot_get(struct lmigd_snapshot *s)
{
	atomic_fetch_add_explicit(&s->refs, 1, memory_order_relaxed);
	return s;
}

void lmigd_snapshot_put(struct lmigd_snapshot *s)
{
	if (!s ||
	    atomic_fetch_sub_explicit(&s->refs, 1, memory_order_acq_rel) != 1)
		return;
	lmig_verifier_free(s->verifier);
	lmigd_token_cache_free(s->cache);
	free(s);
}
