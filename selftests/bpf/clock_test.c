// SPDX-License-Identifier: GPL-2.0-only
/*
 * lib/clock: the conversions between Unix seconds and CLOCK_MONOTONIC
 * nanoseconds, their saturation, and agreement with the clock the XDP
 * program reads (bpf_ktime_get_coarse_ns(), re-read once per tick),
 * checked through the program's expiry decisions: both sides agree to
 * within the few milliseconds the contract allows. The last part needs
 * root.
 */
#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mount.h>
#include <linux/if_ether.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "kselftest_harness.h"

#include <linux/lmig.h>
#include "clock.h"
#include "fastpath.h"
#include "lmig_maps.h"

#define NS    LMIG_NSEC_PER_SEC
#define NEVER LMIG_TIME_NEVER

TEST(unix_to_boot_keeps_the_markers)
{
	EXPECT_EQ(0, lmig_clock_from_unix_at(0, 1000 * NS));
	EXPECT_EQ(NEVER, lmig_clock_from_unix_at(NEVER, 1000 * NS));
	EXPECT_EQ(0, lmig_clock_from_unix_at(0, -5 * (int64_t)NS));
	EXPECT_EQ(NEVER, lmig_clock_from_unix_at(NEVER, -5 * (int64_t)NS));
}

TEST(unix_to_boot)
{
	const int64_t booted = 1000 * NS; /* booted at Unix time 1000 */

	EXPECT_EQ(0, lmig_clock_from_unix_at(1, booted));
	EXPECT_EQ(0, lmig_clock_from_unix_at(999, booted));
	EXPECT_EQ(0, lmig_clock_from_unix_at(1000, booted));
	EXPECT_EQ(1 * NS, lmig_clock_from_unix_at(1001, booted));
	EXPECT_EQ(3600 * NS, lmig_clock_from_unix_at(4600, booted));
	/* Far future saturates to "no limit", never wraps to the past. */
	EXPECT_EQ(NEVER, lmig_clock_from_unix_at(NEVER / NS + 1, booted));
	EXPECT_EQ(NEVER, lmig_clock_from_unix_at(NEVER - 1, booted));
	EXPECT_EQ(NEVER / NS * NS - booted,
		  lmig_clock_from_unix_at(NEVER / NS, booted));
	/* A wall clock set before 1970 at boot. */
	EXPECT_EQ(6 * NS, lmig_clock_from_unix_at(1, -5 * (int64_t)NS));
	EXPECT_EQ(NEVER, lmig_clock_from_unix_at(NEVER / NS, INT64_MIN));
}

TEST(boot_to_unix)
{
	const int64_t booted = 1000 * NS;

	EXPECT_EQ(0, lmig_clock_to_unix_at(0, booted));
	EXPECT_EQ(NEVER, lmig_clock_to_unix_at(NEVER, booted));
	EXPECT_EQ(1001, lmig_clock_to_unix_at(1 * NS, booted));
	EXPECT_EQ(1001, lmig_clock_to_unix_at(1 * NS + NS / 2, booted));
	EXPECT_EQ(1000, lmig_clock_to_unix_at(1, booted));
	EXPECT_EQ(NEVER, lmig_clock_to_unix_at(NEVER - 1, booted));
	EXPECT_EQ(0, lmig_clock_to_unix_at(3 * NS, -5 * (int64_t)NS));
	EXPECT_EQ(1, lmig_clock_to_unix_at(6 * NS, -5 * (int64_t)NS));
	EXPECT_EQ(0, lmig_clock_to_unix_at(1ULL << 62, INT64_MIN));
	EXPECT_EQ((NEVER - 1 - (1ULL << 63)) / NS,
		  lmig_clock_to_unix_at(NEVER - 1, INT64_MIN));
}

TEST(round_trip)
{
	static const int64_t offsets[] = {0, 1, 1700000000 * NS + 123456789,
					  -7 * (int64_t)NS};
	static const uint64_t times[] = {1700000001, 1700003600, 2000000000,
					 4102444800, 18000000000ULL};

	for (size_t o = 0; o < sizeof(offsets) / sizeof(offsets[0]); o++)
		for (size_t t = 0; t < sizeof(times) / sizeof(times[0]); t++) {
			uint64_t boot = lmig_clock_from_unix_at(times[t],
								offsets[o]);

			EXPECT_EQ(times[t],
				  lmig_clock_to_unix_at(boot, offsets[o]))
			TH_LOG("offset %jd, time %ju", (intmax_t)offsets[o],
			       (uintmax_t)times[t]);
		}
}

TEST(now)
{
	uint64_t a = lmig_clock_now_ns(), b = lmig_clock_now_ns();
	time_t before = time(NULL);
	uint64_t shown = lmig_clock_to_unix(lmig_clock_now_ns());
	time_t after = time(NULL);

	EXPECT_NE(0, a);
	EXPECT_NE(NEVER, a);
	EXPECT_LE(a, b);
	/* Now, converted, is the wall clock's now (to the second). */
	EXPECT_LE((uint64_t)before - 1, shown);
	EXPECT_GE((uint64_t)after + 1, shown);
	EXPECT_LT(lmig_clock_now_ns(),
		  lmig_clock_from_unix((uint64_t)time(NULL) + 2));
}

/* ---- the program reads the same clock ------------------------------- */

/* Well beyond the two ticks the program's now may lag (8 ms at HZ=250,
 * 20 ms at HZ=100), well below a second. */
#define MARGIN (50 * 1000000ULL)

FIXTURE(bpf_clock)
{
	struct lmig_fp *fp;
	char instance[64];
	uint32_t slot;
	uint8_t frame[14 + 20 + 8];
};

FIXTURE_SETUP(bpf_clock)
{
	const uint8_t ip[] = {0x45, 0, 0,   28, 0, 0,  0,   0, 64, 17,
			      0,    0, 192, 0,	2, 10, 192, 0, 2,  1};
	struct lmig_user user = {.valid_until_ns = NEVER,
				 .state = LMIG_STATE_ACTIVE,
				 .services = LMIG_SERVICE_PTT};
	char msg[LMIG_FP_MSG_MAX];

	memset(self->frame, 0, sizeof(self->frame));
	self->frame[12] = ETH_P_IP >> 8;
	memcpy(self->frame + 14, ip, sizeof(ip));
	self->frame[34 + 2] = 5000 >> 8;
	self->frame[34 + 3] = 5000 & 0xff;
	self->frame[34 + 5] = 8;

	ASSERT_EQ(0, unshare(CLONE_NEWNS));
	ASSERT_EQ(0, mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL));
	ASSERT_EQ(0, mount("bpf", "/sys/fs/bpf", "bpf", 0, "mode=0700"));
	snprintf(self->instance, sizeof(self->instance), "clock-%d", getpid());
	ASSERT_EQ(0, lmig_fp_load(self->instance, &self->fp, msg, sizeof(msg)))
	TH_LOG("%s", msg);
	ASSERT_EQ(0, lmig_fp_ports_set(self->fp, LMIG_L4_UDP, 5000, 5000,
				       LMIG_CLASS_PTT, NULL, 0));
	ASSERT_EQ(0,
		  lmig_fp_user_put(self->fp, 1, &user, &self->slot, NULL, 0));
}

FIXTURE_TEARDOWN(bpf_clock)
{
	lmig_fp_close(self->fp);
}

/* The XDP action for the frame with this admission and user window. */
static int verdict(FIXTURE_DATA(bpf_clock) * self, uint64_t expires,
		   uint64_t valid_until)
{
	struct lmig_addr key = {.addr = {[10] = 0xff,
					 [11] = 0xff,
					 [12] = 192,
					 [14] = 2,
					 [15] = 10}};
	struct lmig_admission adm = {.expires_ns = expires,
				     .user_id = 1,
				     .user_slot = self->slot,
				     .services = LMIG_SERVICE_PTT};
	struct lmig_user user = {.valid_until_ns = valid_until,
				 .state = LMIG_STATE_ACTIVE,
				 .services = LMIG_SERVICE_PTT};
	LIBBPF_OPTS(bpf_test_run_opts, run, .data_in = self->frame,
		    .data_size_in = sizeof(self->frame), .repeat = 1);

	if (lmig_fp_admission_put(self->fp, &key, &adm, NULL, 0) ||
	    lmig_fp_user_put(self->fp, 1, &user, NULL, NULL, 0) ||
	    bpf_prog_test_run_opts(lmig_fp_prog_fd(self->fp), &run))
		return -1;
	return run.retval;
}

TEST_F(bpf_clock, expiry_in_monotonic_time)
{
	uint64_t hour = lmig_clock_now_ns() + 3600 * NS;

	EXPECT_EQ(XDP_PASS, verdict(self, hour, NEVER));
	EXPECT_EQ(XDP_PASS, verdict(self, NEVER, hour));
	/* Both sides read the same clock, to within the margin. */
	EXPECT_EQ(XDP_DROP, verdict(self, lmig_clock_now_ns() - MARGIN, NEVER));
	EXPECT_EQ(XDP_DROP, verdict(self, NEVER, lmig_clock_now_ns() - MARGIN));
	EXPECT_EQ(XDP_PASS, verdict(self, lmig_clock_now_ns() + MARGIN, NEVER));
	EXPECT_EQ(XDP_PASS, verdict(self, NEVER, lmig_clock_now_ns() + MARGIN));
}

/* The program's now moves on: what passed stops once its time is past. */
TEST_F(bpf_clock, now_moves_on)
{
	uint64_t soon = lmig_clock_now_ns() + MARGIN;
	struct timespec nap = {.tv_nsec = 2 * MARGIN};

	EXPECT_EQ(XDP_PASS, verdict(self, soon, NEVER));
	/* Three naps: the outcome, not their length, is what is checked. */
	for (int i = 0; i < 3 && lmig_clock_now_ns() < soon + MARGIN; i++)
		nanosleep(&nap, NULL);
	ASSERT_LE(soon + MARGIN, lmig_clock_now_ns());
	EXPECT_EQ(XDP_DROP, verdict(self, soon, NEVER));
}

TEST_F(bpf_clock, expiry_from_unix_time)
{
	uint64_t now = (uint64_t)time(NULL);

	EXPECT_EQ(XDP_PASS, verdict(self, lmig_clock_from_unix(now + 3600),
				    lmig_clock_from_unix(NEVER)));
	EXPECT_EQ(XDP_DROP,
		  verdict(self, lmig_clock_from_unix(now - 1), NEVER));
	EXPECT_EQ(XDP_DROP,
		  verdict(self, NEVER, lmig_clock_from_unix(now - 1)));
	/* A time before boot is past (0), never unlimited; the library
	 * refuses 0 as an expiry, the earliest it takes is 1. */
	EXPECT_EQ(0, lmig_clock_from_unix(1));
	EXPECT_EQ(-1, verdict(self, lmig_clock_from_unix(1), NEVER));
	EXPECT_EQ(XDP_DROP, verdict(self, 1, NEVER));
	EXPECT_EQ(XDP_DROP, verdict(self, NEVER, 1));
}

TEST_HARNESS_MAIN
