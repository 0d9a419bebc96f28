// SPDX-License-Identifier: GPL-2.0-only
/*
 * The per-source connection limit: a burst, then one connection per
 * interval; sources apart from each other; IPv4 and IPv6; no limit at 0.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "kselftest_harness.h"
#include "source_rate.h"

static struct sockaddr_storage v4(const char *text)
{
	struct sockaddr_storage ss = {0};
	struct sockaddr_in *in = (struct sockaddr_in *)&ss;

	in->sin_family = AF_INET;
	in->sin_port = htons(40000);
	inet_pton(AF_INET, text, &in->sin_addr);
	return ss;
}

static struct sockaddr_storage v6(const char *text)
{
	struct sockaddr_storage ss = {0};
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;

	in6->sin6_family = AF_INET6;
	inet_pton(AF_INET6, text, &in6->sin6_addr);
	return ss;
}

/* Connections admitted of n tried at one instant. */
static int burst(struct lmigd_source_rate *r,
		 const struct sockaddr_storage *peer, int n, int64_t now)
{
	int ok = 0;

	for (int i = 0; i < n; i++)
		ok += lmigd_source_rate_admit(r, peer, now);
	return ok;
}

TEST(a_burst_then_the_rate)
{
	struct lmigd_source_rate *r = lmigd_source_rate_new(10, 5);
	struct sockaddr_storage a = v4("192.0.2.1");
	int64_t t = 1000000000;

	ASSERT_NE(NULL, r);
	EXPECT_EQ(5, burst(r, &a, 20, t));
	/* 10 a second: one more every 100 ms, not before. */
	EXPECT_EQ(0, burst(r, &a, 1, t + 99999));
	EXPECT_EQ(1, burst(r, &a, 3, t + 100000));
	EXPECT_EQ(1, burst(r, &a, 3, t + 200000));
	/* After a quiet second the whole burst is back. */
	EXPECT_EQ(5, burst(r, &a, 20, t + 2200000));
	lmigd_source_rate_free(r);
}

TEST(sources_are_apart)
{
	struct lmigd_source_rate *r = lmigd_source_rate_new(1, 2);
	struct sockaddr_storage a = v4("192.0.2.1"), b = v4("192.0.2.2");
	struct sockaddr_storage c = v6("2001:db8::1");
	struct sockaddr_storage mapped = v6("::ffff:192.0.2.1");

	ASSERT_NE(NULL, r);
	EXPECT_EQ(2, burst(r, &a, 5, 0));
	EXPECT_EQ(2, burst(r, &b, 5, 0));
	EXPECT_EQ(2, burst(r, &c, 5, 0));
	/* The same address over IPv4 and IPv4-mapped IPv6 is one source. */
	EXPECT_EQ(0, burst(r, &mapped, 1, 0));
	lmigd_source_rate_free(r);
}

TEST(the_port_does_not_make_a_new_source)
{
	struct lmigd_source_rate *r = lmigd_source_rate_new(1, 1);
	struct sockaddr_storage a = v4("192.0.2.1");

	ASSERT_NE(NULL, r);
	EXPECT_EQ(1, burst(r, &a, 1, 0));
	((struct sockaddr_in *)&a)->sin_port = htons(40001);
	EXPECT_EQ(0, burst(r, &a, 1, 0));
	lmigd_source_rate_free(r);
}

TEST(zero_means_no_limit_and_set_changes_it)
{
	struct lmigd_source_rate *r = lmigd_source_rate_new(0, 1);
	struct sockaddr_storage a = v4("198.51.100.7");

	ASSERT_NE(NULL, r);
	EXPECT_EQ(1000, burst(r, &a, 1000, 0));
	lmigd_source_rate_set(r, 1, 3);
	EXPECT_EQ(3, burst(r, &a, 10, 0));
	lmigd_source_rate_set(r, 0, 1);
	EXPECT_EQ(10, burst(r, &a, 10, 0));
	lmigd_source_rate_free(r);
}

TEST_HARNESS_MAIN
