/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The denial feed (include/lmig_feed.h): lmigd is the one reader of the
 * ring buffer and passes every sample on to its local subscribers. A
 * subscriber that does not keep up loses samples, counted; lmigd never
 * waits for one.
 */
#ifndef LMIG_AGENT_DENIAL_FEED_H
#define LMIG_AGENT_DENIAL_FEED_H

#include <stddef.h>
#include <stdint.h>

#include "lmig_maps.h"
#include "loop.h"

struct lmigd_feed;

/* Listen on instance's feed address, served from loop. 0 or -errno, err
 * filled (-EADDRINUSE: another lmigd of the instance runs here). */
int lmigd_feed_start(struct lmigd_feed **feed, struct lmigd_loop *loop,
		     const char *instance, char *err, size_t errlen);

/* Send one sample to every subscriber, without waiting. */
void lmigd_feed_publish(struct lmigd_feed *feed, const struct lmig_denial *d);

unsigned int lmigd_feed_subscribers(const struct lmigd_feed *feed);
/* Samples subscribers missed since start, all together. */
uint64_t lmigd_feed_lost(const struct lmigd_feed *feed);

/* Close the listener and every subscriber. NULL is ignored. */
void lmigd_feed_stop(struct lmigd_feed *feed);

#endif /* LMIG_AGENT_DENIAL_FEED_H */
