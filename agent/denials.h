/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The fast path's drop samples, into the log: the program already samples
 * at most a few per second and CPU; the agent logs at most
 * LMIGD_DENIAL_LOG_PER_TICK of them a second and counts the rest, so a
 * flood never floods the journal.
 */
#ifndef LMIG_AGENT_DENIALS_H
#define LMIG_AGENT_DENIALS_H

#include <stdint.h>

#define LMIGD_DENIAL_LOG_PER_TICK 20

struct lmigd;

struct lmigd_denials {
	unsigned int logged; /* lines this tick */
	uint64_t unlogged;   /* samples over the budget this tick */
	uint64_t seen;	     /* samples since start */
};

/* Follow the samples from the event loop; 0 or -errno, err filled. */
int lmigd_denials_start(struct lmigd *d, char *err, size_t errlen);

/* Once a second: say how many samples went unlogged, open a new budget. */
void lmigd_denials_tick(struct lmigd *d);

#endif /* LMIG_AGENT_DENIALS_H */
