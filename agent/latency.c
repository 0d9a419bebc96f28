// SPDX-License-Identifier: GPL-2.0-only
/* A log-linear latency histogram: see latency.h. */
#include "latency.h"

/* Below 2 * SUB us the buckets are 1 us wide. */
#define LINEAR_US (2 * LMIGD_LATENCY_SUB)

static unsigned int log2_floor(uint64_t v)
{
	return 63 - (unsigned int)__builtin_clzll(v);
}

static unsigned int bucket_of(uint64_t us)
{
	unsigned int shift, b;

	if (us < LINEAR_US)
		return (unsigned int)us;
	/* us in [2^e, 2^(e+1)): SUB buckets of 2^(e - log2(SUB)) us each. */
	shift = log2_floor(us) - log2_floor(LMIGD_LATENCY_SUB);
	b = LINEAR_US + (shift - 1) * LMIGD_LATENCY_SUB +
	    (unsigned int)((us >> shift) - LMIGD_LATENCY_SUB);
	return b < LMIGD_LATENCY_BUCKETS ? b : LMIGD_LATENCY_BUCKETS - 1;
}

/* The largest microsecond count bucket b holds, plus one. */
static uint64_t bucket_end_us(unsigned int b)
{
	unsigned int shift;

	if (b < LINEAR_US)
		return b + 1;
	shift = (b - LINEAR_US) / LMIGD_LATENCY_SUB + 1;
	return ((uint64_t)(LMIGD_LATENCY_SUB +
			   (b - LINEAR_US) % LMIGD_LATENCY_SUB) +
		1)
	       << shift;
}

void lmigd_latency_add(struct lmigd_latency *l, uint64_t ns)
{
	l->buckets[bucket_of(ns / 1000)]++;
	l->count++;
	if (ns > l->max_ns)
		l->max_ns = ns;
}

uint64_t lmigd_latency_quantile(const struct lmigd_latency *l,
				unsigned int per_mille)
{
	uint64_t want, seen = 0, end;

	if (!l->count)
		return 0;
	/* The rank of the quantile, rounded up, at least the first. */
	want = (l->count * per_mille + 999) / 1000;
	if (!want)
		want = 1;
	for (unsigned int b = 0; b < LMIGD_LATENCY_BUCKETS; b++) {
		seen += l->buckets[b];
		if (seen < want)
			continue;
		if (b == LMIGD_LATENCY_BUCKETS - 1)
			break; /* holds everything longer: no bound but max */
		end = bucket_end_us(b) * 1000;
		return end < l->max_ns ? end : l->max_ns;
	}
	return l->max_ns;
}
