// SPDX-License-Identifier: GPL-2.0-only
/*
 * Wall-clock steps (agent/clock_step.h): a step forward brings every
 * admission expiry and user window end forward by as much and ends the
 * admissions left with nothing; a step back, or a slew, moves nothing.
 * Runs as root, on a fast-path instance in a private BPF filesystem.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "fp_private.h"
#include "clock_step.h"

#define SEC 1000000000ULL
#define NOW (1000 * SEC)

FIXTURE(step)
{
	char instance[LMIG_FP_INSTANCE_MAX + 1];
	struct lmig_fp *fp;
	char msg[LMIG_FP_MSG_MAX];
	uint32_t slot[3];
};

static int put_user(FIXTURE_DATA(step) * self, uint32_t id, uint64_t until)
{
	struct lmig_user u = {.valid_until_ns = until,
			      .state = LMIG_STATE_ACTIVE,
			      .services = LMIG_SERVICES_ALL};

	return lmig_fp_user_put(self->fp, id, &u, &self->slot[id], self->msg,
				sizeof(self->msg));
}

static int put_admission(FIXTURE_DATA(step) * self, uint8_t last, uint32_t user,
			 uint64_t expires)
{
	struct lmig_admission adm = {.expires_ns = expires,
				     .user_id = user,
				     .user_slot = self->slot[user],
				     .services = LMIG_SERVICE_PTT};
	struct lmig_addr a = fp_test_addr(last);

	return lmig_fp_admission_put(self->fp, &a, &adm, self->msg,
				     sizeof(self->msg));
}

/* The admission's expiry, 0 when it has none. */
static uint64_t expiry(FIXTURE_DATA(step) * self, uint8_t last)
{
	struct lmig_addr a = fp_test_addr(last);
	struct lmig_admission adm;

	if (lmig_fp_admission_get(self->fp, &a, &adm, NULL, 0))
		return 0;
	return adm.expires_ns;
}

static uint64_t window(FIXTURE_DATA(step) * self, uint32_t user)
{
	struct lmig_user u;

	if (lmig_fp_user_get(self->fp, user, &u, NULL, NULL, 0))
		return 0;
	return u.valid_until_ns;
}

FIXTURE_SETUP(step)
{
	ASSERT_EQ(0, fp_private_bpffs());
	snprintf(self->instance, sizeof(self->instance), "step-%d", getpid());
	ASSERT_EQ(0, lmig_fp_load(self->instance, &self->fp, self->msg,
				  sizeof(self->msg)))
	TH_LOG("load: %s", self->msg);
	ASSERT_EQ(0, put_user(self, 1, NOW + 100 * SEC))
	TH_LOG("%s", self->msg);
	ASSERT_EQ(0, put_user(self, 2, LMIG_TIME_NEVER))
	TH_LOG("%s", self->msg);
	ASSERT_EQ(0, put_admission(self, 1, 1, NOW + 3600 * SEC));
	ASSERT_EQ(0, put_admission(self, 2, 1, NOW + 10 * SEC));
	ASSERT_EQ(0, put_admission(self, 3, 2, LMIG_TIME_NEVER));
}

FIXTURE_TEARDOWN(step)
{
	char msg[LMIG_FP_MSG_MAX];

	lmig_fp_close(self->fp);
	lmig_fp_remove(self->instance, msg, sizeof(msg));
}

TEST_F(step, only_a_step_counts)
{
	int64_t anchor = 5 * SEC;

	EXPECT_EQ(0, lmigd_clock_step(&anchor, 5 * SEC + SEC / 2));
	EXPECT_EQ(0, lmigd_clock_step(&anchor, 5 * SEC - SEC / 2));
	EXPECT_EQ((int64_t)(5 * SEC), anchor);
	EXPECT_EQ((int64_t)(60 * SEC), lmigd_clock_step(&anchor, 65 * SEC));
	EXPECT_EQ((int64_t)(65 * SEC), anchor);
	EXPECT_EQ(-(int64_t)(64 * SEC), lmigd_clock_step(&anchor, SEC));
	EXPECT_EQ((int64_t)SEC, anchor);
}

TEST_F(step, forward_brings_every_expiry_forward)
{
	struct lmigd_clock_recheck r;

	ASSERT_EQ(0, lmigd_clock_recheck(self->fp, 60 * SEC, NOW, &r, self->msg,
					 sizeof(self->msg)))
	TH_LOG("%s", self->msg);
	EXPECT_EQ(NOW + 3540 * SEC, expiry(self, 1));
	/* Ten seconds were left, the clock jumped sixty: it is over. */
	EXPECT_EQ(0, expiry(self, 2));
	EXPECT_EQ(LMIG_TIME_NEVER, expiry(self, 3));
	EXPECT_EQ(NOW + 40 * SEC, window(self, 1));
	EXPECT_EQ(LMIG_TIME_NEVER, window(self, 2));
	EXPECT_EQ(1, r.admissions_ended);
	EXPECT_EQ(1, r.admissions_shortened);
	EXPECT_EQ(1, r.users_shortened);
}

TEST_F(step, back_moves_nothing)
{
	struct lmigd_clock_recheck r;

	ASSERT_EQ(0, lmigd_clock_recheck(self->fp, -60 * (int64_t)SEC, NOW, &r,
					 self->msg, sizeof(self->msg)));
	EXPECT_EQ(NOW + 3600 * SEC, expiry(self, 1));
	EXPECT_EQ(NOW + 10 * SEC, expiry(self, 2));
	EXPECT_EQ(NOW + 100 * SEC, window(self, 1));
	EXPECT_EQ(0, r.admissions_ended + r.admissions_shortened +
			     r.users_shortened);
}

TEST_HARNESS_MAIN
