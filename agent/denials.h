/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The fast path's drop samples, into the log: the program already samples
 * at most a few per second and CPU; the agent logs at most
 * LMIGD_DENIAL_LOG_PER_TICK of them a second and counts the rest, so a
 * flood never floods the journal. Every sample also goes to the
 * subscribers of the denial feed (denial_feed.h), lmigctl monitor.
 */
#ifndef LMIG_AGENT_DENIALS_H
#define LMIG_AGENT_DENIALS_H

#include <stdint.h>

#include "denial_feed.h"

#define LMIGD_DENIAL_LOG_PER_TICK 20

struct lmigd;

struct lmigd_denials {
	unsigned int logged;	 /* lines this tick */
	uint64_t unlogged;	 /* samples over the budget this tick */
	uint64_t seen;		 /* samples since start */
	struct lmigd_feed *feed; /* NULL: no subscriber can be served */
	uint64_t feed_lost;	 /* subscribers' losses logged so far */
};

/* Follow the samples from the event loop and serve the denial feed; 0 or
 * -errno, err filled. A feed that cannot be served is only logged. */
int lmigd_denials_start(struct lmigd *d, char *err, size_t errlen);
void lmigd_denials_stop(struct lmigd *d);

/* Once a second: say how many samples went unlogged, open a new budget. */
void lmigd_denials_tick(struct lmigd *d);

#endif /* LMIG_AGENT_DENIALS_H */
