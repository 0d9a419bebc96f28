/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Where lmigctl monitor reads the fast path's denial samples: from lmigd's
 * denial feed while an lmigd of the instance runs in this network
 * namespace, and from the ring buffer lmig_denials only when none does
 * (a ring buffer has one reader position: reading it beside lmigd would
 * take samples from lmigd's log). The source follows lmigd stopping and
 * starting, and says on stderr which it reads.
 */
#ifndef LMIG_CTL_DENIAL_SOURCE_H
#define LMIG_CTL_DENIAL_SOURCE_H

#include <stdbool.h>
#include <stdint.h>

#include "fastpath.h"

struct denial_source {
	const char *instance;
	int feed_fd;	    /* lmigd's feed; -1 when not subscribed */
	struct lmig_fp *fp; /* the ring buffer's maps; NULL when not read */
	int ring_fd;
	int64_t retry_ms; /* when to look for lmigd again */
	bool none;	  /* no samples at all: lmigd refused us */
	lmig_fp_denial_cb on_denial;
	void (*on_lost)(uint32_t lost, void *ctx); /* the feed skipped some */
	void *ctx;
};

/* Choose the source; false when there is none (said why). */
bool denial_source_open(struct denial_source *ds);

/* The descriptor to poll for samples, -1 for none now. */
int denial_source_fd(const struct denial_source *ds);

/*
 * Read what waits (revents: what poll said of the descriptor; 0 when it
 * timed out) and, when reading the ring buffer, look for lmigd again now
 * and then. -1 on an error, said.
 */
int denial_source_read(struct denial_source *ds, short revents);

void denial_source_close(struct denial_source *ds);

#endif /* LMIG_CTL_DENIAL_SOURCE_H */
