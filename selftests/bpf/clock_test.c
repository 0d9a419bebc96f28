// SPDX-License-Identifier: GPL-2.0-only
/*
 * lib/clock: the conversions between Unix seconds and CLOCK_BOOTTIME
 * nanoseconds, their saturation, and agreement with the clock the XDP
 * program reads (bpf_ktime_get_boot_ns()), checked through the program's
 * expiry decisions. The last part needs root.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <linux/if_ether.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "kselftest_harness.h"

#include <linux/lmig.h>
#include "clock.h"
#include "lmig_maps.h"
#include "lmig_xdp.skel.h"

#define NS    LMIG_NSEC_PER_SEC
#define NEVER LMIG_TIME_NEVER

TEST(unix_to_boot_keeps_the_markers)
{
	EXPECT_EQ(0, lmig_clock_unix_to_boot_at(0, 1000 * NS));
	EXPECT_EQ(NEVER, lmig_clock_unix_to_boot_at(NEVER, 1000 * NS));
	EXPECT_EQ(0, lmig_clock_unix_to_boot_at(0, -5 * (int64_t)NS));
	EXPECT_EQ(NEVER, lmig_clock_unix_to_boot_at(NEVER, -5 * (int64_t)NS));
}

TEST(unix_to_boot)
{
	const int64_t booted = 1000 * NS; /* booted at Unix time 1000 */

	EXPECT_EQ(0, lmig_clock_unix_to_boot_at(1, booted));
	EXPECT_EQ(0, lmig_clock_unix_to_boot_at(999, booted));
	EXPECT_EQ(0, lmig_clock_unix_to_boot_at(1000, booted));
	EXPECT_EQ(1 * NS, lmig_clock_unix_to_boot_at(1001, booted));
	EXPECT_EQ(3600 * NS, lmig_clock_unix_to_boot_at(4600, booted));
	/* Far future saturates to "no limit", never wraps to the past. */
	EXPECT_EQ(NEVER, lmig_clock_unix_to_boot_at(NEVER / NS + 1, booted));
	EXPECT_EQ(NEVER, lmig_clock_unix_to_boot_at(NEVER - 1, booted));
	EXPECT_EQ(NEVER / NS * NS - booted,
		  lmig_clock_unix_to_boot_at(NEVER / NS, booted));
	/* A wall clock set before 1970 at boot. */
	EXPECT_EQ(6 * NS, lmig_clock_unix_to_boot_at(1, -5 * (int64_t)NS));
	EXPECT_EQ(NEVER, lmig_clock_unix_to_boot_at(NEVER / NS, INT64_MIN));
}

TEST(boot_to_unix)
{
	const int64_t booted = 1000 * NS;

	EXPECT_EQ(0, lmig_clock_boot_to_unix_at(0, booted));
	EXPECT_EQ(NEVER, lmig_clock_boot_to_unix_at(NEVER, booted));
	EXPECT_EQ(1001, lmig_clock_boot_to_unix_at(1 * NS, booted));
	EXPECT_EQ(1001, lmig_clock_boot_to_unix_at(1 * NS + NS / 2, booted));
	EXPECT_EQ(1000, lmig_clock_boot_to_unix_at(1, booted));
	EXPECT_EQ(NEVER, lmig_clock_boot_to_unix_at(NEVER - 1, booted));
	EXPECT_EQ(0, lmig_clock_boot_to_unix_at(3 * NS, -5 * (int64_t)NS));
	EXPECT_EQ(1, lmig_clock_boot_to_unix_at(6 * NS, -5 * (int64_t)NS));
	EXPECT_EQ(0, lmig_clock_boot_to_unix_at(1ULL << 62, INT64_MIN));
	EXPECT_EQ((NEVER - 1 - (1ULL << 63)) / NS,
		  lmig_clock_boot_to_unix_at(NEVER - 1, INT64_MIN));
}

TEST(round_trip)
{
	static const int64_t offsets[] = {0, 1, 1700000000 * NS + 123456789,
					  -7 * (int64_t)NS};
	static const uint64_t times[] = {1700000001, 1700003600, 2000000000,
					 4102444800, 18000000000ULL};

	for (size_t o = 0; o < sizeof(offsets) / sizeof(offsets[0]); o++)
		for (size_t t = 0; t < sizeof(times) / sizeof(times[0]); t++) {
			uint64_t boot = lmig_clock_unix_to_boot_at(times[t],
								   offsets[o]);

			EXPECT_EQ(times[t],
				  lmig_clock_boot_to_unix_at(boot, offsets[o]))
			TH_LOG("offset %jd, time %ju", (intmax_t)offsets[o],
			       (uintmax_t)times[t]);
		}
}

TEST(now)
{
	uint64_t a = lmig_clock_boot_ns(), b = lmig_clock_boot_ns();
	time_t before = time(NULL);
	uint64_t shown = lmig_clock_boot_to_unix(lmig_clock_boot_ns());
	time_t after = time(NULL);

	EXPECT_NE(0, a);
	EXPECT_NE(NEVER, a);
	EXPECT_LE(a, b);
	/* Now, converted, is the wall clock's now (to the second). */
	EXPECT_LE((uint64_t)before - 1, shown);
	EXPECT_GE((uint64_t)after + 1, shown);
	EXPECT_LT(lmig_clock_boot_ns(),
		  lmig_clock_unix_to_boot((uint64_t)time(NULL) + 2));
}

/* ---- the program reads the same clock ------------------------------- */

FIXTURE(bpf_clock)
{
	struct lmig_xdp *skel;
	uint8_t frame[14 + 20 + 8];
};

FIXTURE_SETUP(bpf_clock)
{
	const uint8_t ip[] = {0x45, 0, 0,   28, 0, 0,  0,   0, 64, 17,
			      0,    0, 192, 0,	2, 10, 192, 0, 2,  1};
	uint32_t port = lmig_port_index(LMIG_L4_UDP, 5000);
	uint32_t class = LMIG_CLASS_PTT;
	struct bpf_map *map;

	memset(self->frame, 0, sizeof(self->frame));
	self->frame[12] = ETH_P_IP >> 8;
	memcpy(self->frame + 14, ip, sizeof(ip));
	self->frame[34 + 2] = 5000 >> 8;
	self->frame[34 + 3] = 5000 & 0xff;
	self->frame[34 + 5] = 8;

	self->skel = lmig_xdp__open();
	ASSERT_NE(NULL, self->skel);
	bpf_object__for_each_map (map, self->skel->obj)
		ASSERT_EQ(0, bpf_map__set_pin_path(map, NULL));
	ASSERT_EQ(0, lmig_xdp__load(self->skel));
	ASSERT_EQ(0, bpf_map__update_elem(self->skel->maps.lmig_ports, &port,
					  sizeof(port), &class, sizeof(class),
					  BPF_ANY));
}

FIXTURE_TEARDOWN(bpf_clock)
{
	lmig_xdp__destroy(self->skel);
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
				     .services = LMIG_SERVICE_PTT};
	struct lmig_user user = {.valid_until_ns = valid_until,
				 .state = LMIG_STATE_ACTIVE,
				 .services = LMIG_SERVICE_PTT};
	uint32_t id = 1;
	LIBBPF_OPTS(bpf_test_run_opts, run, .data_in = self->frame,
		    .data_size_in = sizeof(self->frame), .repeat = 1);

	if (bpf_map__update_elem(self->skel->maps.lmig_admission, &key,
				 sizeof(key), &adm, sizeof(adm), BPF_ANY) ||
	    bpf_map__update_elem(self->skel->maps.lmig_users, &id, sizeof(id),
				 &user, sizeof(user), BPF_ANY) ||
	    bpf_prog_test_run_opts(
		    bpf_program__fd(self->skel->progs.lmig_fast_path), &run))
		return -1;
	return run.retval;
}

TEST_F(bpf_clock, expiry_in_boot_time)
{
	uint64_t hour = lmig_clock_boot_ns() + 3600 * NS;

	EXPECT_EQ(XDP_PASS, verdict(self, hour, NEVER));
	EXPECT_EQ(XDP_PASS, verdict(self, NEVER, hour));
	/* Now, as this process read it, is already past for the program. */
	EXPECT_EQ(XDP_DROP, verdict(self, lmig_clock_boot_ns(), NEVER));
	EXPECT_EQ(XDP_DROP, verdict(self, NEVER, lmig_clock_boot_ns()));
}

TEST_F(bpf_clock, expiry_from_unix_time)
{
	uint64_t now = (uint64_t)time(NULL);

	EXPECT_EQ(XDP_PASS, verdict(self, lmig_clock_unix_to_boot(now + 3600),
				    lmig_clock_unix_to_boot(NEVER)));
	EXPECT_EQ(XDP_DROP,
		  verdict(self, lmig_clock_unix_to_boot(now - 1), NEVER));
	EXPECT_EQ(XDP_DROP,
		  verdict(self, NEVER, lmig_clock_unix_to_boot(now - 1)));
	/* A token that expired before boot is expired, not unlimited. */
	EXPECT_EQ(XDP_DROP, verdict(self, lmig_clock_unix_to_boot(1), NEVER));
}

TEST_HARNESS_MAIN
