/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Admission latency: from the request parsed to the admission in the map,
 * kept as a histogram so /healthz can give percentiles without keeping
 * every sample. Buckets are 1 us wide up to 2 * LMIGD_LATENCY_SUB us, and
 * double in width every LMIGD_LATENCY_SUB buckets after: an answer is
 * never below the true value, and above it by at most 1 us or
 * 1/LMIGD_LATENCY_SUB of it, whichever is more, up to about 17 minutes
 * (longer counts in the last bucket). The loop thread owns it: no locking.
 */
#ifndef LMIG_AGENT_LATENCY_H
#define LMIG_AGENT_LATENCY_H

#include <stdint.h>

#define LMIGD_LATENCY_SUB     16
#define LMIGD_LATENCY_BUCKETS (27 * LMIGD_LATENCY_SUB)

struct lmigd_latency {
	uint64_t count;
	uint64_t max_ns;
	uint64_t buckets[LMIGD_LATENCY_BUCKETS];
};

void lmigd_latency_add(struct lmigd_latency *l, uint64_t ns);

/*
 * The smallest bucket bound, in nanoseconds, at or under which at least
 * per_mille / 1000 of the samples lie (never above the largest sample);
 * 0 with no samples.
 */
uint64_t lmigd_latency_quantile(const struct lmigd_latency *l,
				unsigned int per_mille);

#endif /* LMIG_AGENT_LATENCY_H */
