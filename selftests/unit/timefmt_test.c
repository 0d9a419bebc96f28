// SPDX-License-Identifier: GPL-2.0-only
/* Times as people write them: lmigctl's not-before / not-after. */
#include "kselftest_harness.h"
#include "timefmt.h"

#define NOW 1764000000 /* 2025-11-24T16:00:00Z */

TEST(forms)
{
	uint64_t t;

	ASSERT_EQ(0, lmig_time_parse("1767225600", NOW, &t));
	EXPECT_EQ(1767225600, t);
	ASSERT_EQ(0, lmig_time_parse("2026-01-01T00:00:00Z", NOW, &t));
	EXPECT_EQ(1767225600, t);
	ASSERT_EQ(0, lmig_time_parse("2026-01-01", NOW, &t));
	EXPECT_EQ(1767225600, t);
	ASSERT_EQ(0, lmig_time_parse("2024-02-29T23:59:59Z", NOW, &t));
	EXPECT_EQ(1709251199, t);
	ASSERT_EQ(0, lmig_time_parse("1970-01-01T00:00:00Z", NOW, &t));
	EXPECT_EQ(0, t);
	ASSERT_EQ(0, lmig_time_parse("+90", NOW, &t));
	EXPECT_EQ(NOW + 90, t);
	ASSERT_EQ(0, lmig_time_parse("+30m", NOW, &t));
	EXPECT_EQ(NOW + 1800, t);
	ASSERT_EQ(0, lmig_time_parse("+12h", NOW, &t));
	EXPECT_EQ(NOW + 43200, t);
	ASSERT_EQ(0, lmig_time_parse("+7d", NOW, &t));
	EXPECT_EQ(NOW + 604800, t);
}

TEST(refused)
{
	static const char *const bad[] = {
		"",
		"+",
		"+m",
		"-5",
		"+-5",
		"12a",
		"2026-13-01",
		"2026-02-30",
		"2025-02-29",
		"2026-01-01T24:00:00Z",
		"2026-01-01T00:00:00",
		"2026-01-01 00:00:00Z",
		"1969-12-31",
		"99999999999999999999",
		"+99999999999d",
		"now",
		"2026-1-1",
	};
	uint64_t t = 42;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_EQ(-1, lmig_time_parse(bad[i], NOW, &t))
		TH_LOG("'%s' was accepted", bad[i]);
	}
	EXPECT_EQ(42, t);
}

TEST(format)
{
	char buf[32];

	EXPECT_STREQ("2026-01-01T00:00:00Z",
		     lmig_time_iso(1767225600, buf, sizeof(buf)));
	EXPECT_STREQ("7s", lmig_duration(7, buf, sizeof(buf)));
	EXPECT_STREQ("59m58s", lmig_duration(3598, buf, sizeof(buf)));
	EXPECT_STREQ("2h0m", lmig_duration(7200, buf, sizeof(buf)));
	EXPECT_STREQ("1d2h", lmig_duration(93600, buf, sizeof(buf)));
}

TEST_HARNESS_MAIN
