// SPDX-License-Identifier: GPL-2.0-only
/*
 * The admission latency histogram: quantiles never below the true value
 * and above it by at most 1 us or 1/LMIGD_LATENCY_SUB, capped by
 * the largest sample, and sane when empty or far out of range.
 */
#include <stdlib.h>

#include "kselftest_harness.h"
#include "latency.h"

#define US 1000ULL

/* The true quantile of 1..n us, each once, by the same rank rule. */
static uint64_t true_quantile(uint64_t n, unsigned int per_mille)
{
	uint64_t rank = (n * per_mille + 999) / 1000;

	return (rank ? rank : 1) * US;
}

TEST(empty_is_zero)
{
	struct lmigd_latency l = {0};

	EXPECT_EQ(0, lmigd_latency_quantile(&l, 500));
	EXPECT_EQ(0, lmigd_latency_quantile(&l, 990));
}

TEST(uniform_within_bound)
{
	static const unsigned int q[] = {1, 100, 500, 900, 990, 999, 1000};
	uint64_t sizes[] = {10, 31, 1000, 100000};

	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		struct lmigd_latency *l = calloc(1, sizeof(*l));
		uint64_t n = sizes[s];

		ASSERT_NE(NULL, l);
		for (uint64_t i = 1; i <= n; i++)
			lmigd_latency_add(l, i * US);
		EXPECT_EQ(n, l->count);
		for (size_t k = 0; k < sizeof(q) / sizeof(q[0]); k++) {
			uint64_t want = true_quantile(n, q[k]);
			uint64_t got = lmigd_latency_quantile(l, q[k]);
			uint64_t slack = want / LMIGD_LATENCY_SUB;

			EXPECT_LE(want, got)
			{
				TH_LOG("n %lu q %u: %lu under %lu", n, q[k],
				       got, want);
			}
			EXPECT_LE(got, want + (slack > US ? slack : US))
			{
				TH_LOG("n %lu q %u: %lu over %lu", n, q[k], got,
				       want);
			}
		}
		free(l);
	}
}

TEST(exact_below_linear_range)
{
	struct lmigd_latency l = {0};

	for (int i = 0; i < 99; i++)
		lmigd_latency_add(&l, 7 * US);
	lmigd_latency_add(&l, 20 * US + 400);
	EXPECT_EQ(8 * US, lmigd_latency_quantile(&l, 500));
	EXPECT_EQ(8 * US, lmigd_latency_quantile(&l, 990));
	/* The top sample: its bucket ends at 21 us, the sample is less. */
	EXPECT_EQ(20 * US + 400, lmigd_latency_quantile(&l, 1000));
}

TEST(capped_by_largest_and_out_of_range)
{
	struct lmigd_latency l = {0};
	uint64_t hour = 3600ULL * 1000 * 1000 * 1000;

	lmigd_latency_add(&l, 5000 * US);
	EXPECT_EQ(5000 * US, lmigd_latency_quantile(&l, 500));
	lmigd_latency_add(&l, hour);
	EXPECT_EQ(hour, l.max_ns);
	EXPECT_EQ(hour, lmigd_latency_quantile(&l, 1000));
	EXPECT_EQ(1, l.buckets[LMIGD_LATENCY_BUCKETS - 1]);
	/* Zero is a sample too, in the first bucket. */
	lmigd_latency_add(&l, 0);
	EXPECT_EQ(1, l.buckets[0]);
	EXPECT_EQ(1 * US, lmigd_latency_quantile(&l, 1));
}

TEST(quantiles_are_ordered)
{
	struct lmigd_latency l = {0};
	uint64_t prev = 0;

	srandom(7);
	for (int i = 0; i < 20000; i++)
		lmigd_latency_add(&l, (uint64_t)(random() % 5000000));
	for (unsigned int q = 1; q <= 1000; q++) {
		uint64_t v = lmigd_latency_quantile(&l, q);

		ASSERT_LE(prev, v);
		prev = v;
	}
	EXPECT_EQ(l.max_ns, prev);
}

TEST_HARNESS_MAIN
