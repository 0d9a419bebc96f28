// SPDX-License-Identifier: GPL-2.0-only
/*
 * The per-user address index (agent/user_addrs.h) against a real
 * admission map: it counts a user's live addresses but the one asked
 * about, names the one granted first, drops entries the map no longer
 * holds or that now belong to another user, and is rebuilt from the map.
 */
#include <stdio.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "fp_private.h"
#include "user_addrs.h"

FIXTURE(ua)
{
	char instance[LMIG_FP_INSTANCE_MAX + 1];
	struct lmig_fp *fp;
	struct lmigd_user_addrs *ua;
	char msg[LMIG_FP_MSG_MAX];
	uint32_t slot[3];
};

/* Admit 192.0.2.last for user, granted at granted, map and index both. */
static int admit(FIXTURE_DATA(ua) * self, uint8_t last, uint32_t user,
		 uint64_t granted)
{
	struct lmig_admission adm = {.expires_ns = LMIG_TIME_NEVER,
				     .granted_ns = granted,
				     .user_id = user,
				     .user_slot = self->slot[user],
				     .services = LMIG_SERVICE_PTT};
	struct lmig_addr a = fp_test_addr(last);
	int err = lmig_fp_admission_put(self->fp, &a, &adm, self->msg,
					sizeof(self->msg));

	return err ? err : lmigd_user_addrs_add(self->ua, user, &a, granted);
}

static size_t live(FIXTURE_DATA(ua) * self, uint32_t user, uint8_t except,
		   uint8_t *oldest)
{
	struct lmig_addr e = fp_test_addr(except), o = {{0}};
	size_t n = lmigd_user_addrs_live(self->ua, self->fp, user, &e, &o);

	*oldest = o.addr[15];
	return n;
}

FIXTURE_SETUP(ua)
{
	struct lmig_user u = {.valid_until_ns = LMIG_TIME_NEVER,
			      .state = LMIG_STATE_ACTIVE,
			      .services = LMIG_SERVICES_ALL};

	ASSERT_EQ(0, fp_private_bpffs());
	snprintf(self->instance, sizeof(self->instance), "ua-%d", getpid());
	ASSERT_EQ(0, lmig_fp_load(self->instance, &self->fp, self->msg,
				  sizeof(self->msg)))
	TH_LOG("load: %s", self->msg);
	for (uint32_t id = 1; id <= 2; id++)
		ASSERT_EQ(0, lmig_fp_user_put(self->fp, id, &u, &self->slot[id],
					      self->msg, sizeof(self->msg)));
	self->ua = lmigd_user_addrs_new();
	ASSERT_NE(NULL, self->ua);
	ASSERT_EQ(0, admit(self, 10, 1, 300));
	ASSERT_EQ(0, admit(self, 11, 1, 100));
	ASSERT_EQ(0, admit(self, 12, 1, 200));
	ASSERT_EQ(0, admit(self, 20, 2, 50));
}

FIXTURE_TEARDOWN(ua)
{
	char msg[LMIG_FP_MSG_MAX];

	lmigd_user_addrs_free(self->ua);
	lmig_fp_close(self->fp);
	lmig_fp_remove(self->instance, msg, sizeof(msg));
}

TEST_F(ua, counts_a_users_others_and_names_the_oldest)
{
	uint8_t oldest;

	EXPECT_EQ(3, live(self, 1, 99, &oldest));
	EXPECT_EQ(11, oldest);
	/* The address asked about is not counted, nor chosen. */
	EXPECT_EQ(2, live(self, 1, 11, &oldest));
	EXPECT_EQ(12, oldest);
	EXPECT_EQ(1, live(self, 2, 99, &oldest));
	EXPECT_EQ(0, live(self, 3, 99, &oldest));
}

TEST_F(ua, drops_what_the_map_no_longer_holds)
{
	struct lmig_addr a = fp_test_addr(11);
	uint8_t oldest;

	ASSERT_EQ(0, lmig_fp_admission_del(self->fp, &a, NULL, 0));
	EXPECT_EQ(2, live(self, 1, 99, &oldest));
	EXPECT_EQ(12, oldest);
	/* 192.0.2.12 now belongs to user 2: not user 1's any more. */
	ASSERT_EQ(0, admit(self, 12, 2, 400));
	EXPECT_EQ(1, live(self, 1, 99, &oldest));
	EXPECT_EQ(10, oldest);
	EXPECT_EQ(2, live(self, 2, 99, &oldest));
	EXPECT_EQ(20, oldest);
}

TEST_F(ua, a_second_grant_of_one_address_counts_once)
{
	uint8_t oldest;

	ASSERT_EQ(0, admit(self, 10, 1, 500));
	EXPECT_EQ(3, live(self, 1, 99, &oldest));
	EXPECT_EQ(11, oldest);
}

TEST_F(ua, is_rebuilt_from_the_map)
{
	struct lmigd_user_addrs *fresh = lmigd_user_addrs_new();
	struct lmig_addr none = fp_test_addr(99), o;

	ASSERT_NE(NULL, fresh);
	ASSERT_EQ(0, lmigd_user_addrs_rebuild(fresh, self->fp));
	EXPECT_EQ(3, lmigd_user_addrs_live(fresh, self->fp, 1, &none, &o));
	EXPECT_EQ(11, o.addr[15]);
	EXPECT_EQ(1, lmigd_user_addrs_live(fresh, self->fp, 2, &none, &o));
	lmigd_user_addrs_free(fresh);
}

TEST_HARNESS_MAIN
