// SPDX-License-Identifier: GPL-2.0-only
/*
 * The events of lmig.ko: every change of a table is announced once, in
 * its namespace, with the table generation after the change; requests
 * that change nothing announce nothing.
 *
 * The kernel queues an event on the listener's socket before it answers
 * the request that caused it, so "no event" is checked without waiting.
 *
 * Run as root where lmig.ko is loaded, e.g. in the VM:
 *   selftests/vm/run -- /lmig/build/selftests/kmod/events_test
 */
#include <string.h>

#include "kmod_test.h"

/* An upper bound for an event that must come; it never has to wait. */
#define EVENT_WAIT_MS 10000

FIXTURE(events)
{
	struct lmig_genl *nl; /* requests */
	struct lmig_genl *ev; /* subscribed */
	uint64_t generation;  /* of the last event seen */
};

FIXTURE_SETUP(events)
{
	char why[256];

	self->nl = lmig_test_fresh_netns(_metadata);
	ASSERT_EQ(0, lmig_genl_open(&self->ev, why, sizeof(why)));
	ASSERT_EQ(0, lmig_genl_subscribe(self->ev))
	TH_LOG("subscribe: %s", lmig_genl_strerror(self->ev));
}

FIXTURE_TEARDOWN(events)
{
	lmig_genl_close(self->ev);
	lmig_genl_close(self->nl);
}

static int take_event(const struct nlmsghdr *nlh, void *data)
{
	return lmig_event_parse(nlh, data);
}

/* The next event must be @cmd, and the table's next generation. */
static void next_event(struct __test_metadata *_metadata,
		       FIXTURE_DATA(events) * self, uint8_t cmd,
		       struct lmig_event *ev)
{
	ASSERT_EQ(1, lmig_genl_recv_events(self->ev, EVENT_WAIT_MS, take_event,
					   ev))
	TH_LOG("waiting for event %u: %s", cmd, lmig_genl_strerror(self->ev));
	ASSERT_EQ(cmd, ev->cmd);
	ASSERT_EQ(self->generation + 1, ev->generation);
	self->generation = ev->generation;
}

static void no_event(struct __test_metadata *_metadata,
		     FIXTURE_DATA(events) * self)
{
	struct lmig_event ev;

	ASSERT_EQ(-EAGAIN, lmig_genl_recv_events(self->ev, 0, take_event, &ev))
	TH_LOG("unexpected event %u, generation %llu", ev.cmd,
	       (unsigned long long)ev.generation);
}

static void assert_same_profile(struct __test_metadata *_metadata,
				const struct lmig_profile *a,
				const struct lmig_profile *b)
{
	ASSERT_EQ(a->fields, b->fields);
	ASSERT_EQ(a->user_id, b->user_id);
	ASSERT_STREQ(a->partner_id, b->partner_id);
	ASSERT_EQ(a->n_primary_ids, b->n_primary_ids);
	for (unsigned int i = 0; i < a->n_primary_ids; i++)
		ASSERT_STREQ(a->primary_ids[i], b->primary_ids[i]);
	ASSERT_EQ(a->services, b->services);
	ASSERT_EQ(a->state, b->state);
	ASSERT_EQ(a->not_before, b->not_before);
	ASSERT_EQ(a->not_after, b->not_after);
	ASSERT_STREQ(a->comment, b->comment);
	ASSERT_EQ(a->generation, b->generation);
}

TEST_F(events, new_change_del)
{
	struct lmig_profile p, created, changed;
	struct lmig_event ev;

	lmig_test_profile(&p, "alice");
	ASSERT_EQ(0, lmig_profile_request(self->nl, LMIG_CMD_PROFILE_NEW, &p,
					  LMIG_PF_WRITABLE, &created));
	next_event(_metadata, self, LMIG_CMD_PROFILE_NEW_NTF, &ev);
	assert_same_profile(_metadata, &created, &ev.profile);
	ASSERT_EQ(0U, ev.old.fields);

	lmig_profile_init(&p);
	p.user_id = created.user_id;
	p.services = LMIG_SERVICES_ALL;
	p.fields = LMIG_PF_USER_ID | LMIG_PF_SERVICES;
	lmig_profile_add_primary_id(&p, "sip:alice-2@primary.example");
	ASSERT_EQ(0, lmig_profile_request(self->nl, LMIG_CMD_PROFILE_SET, &p,
					  p.fields, &changed));
	next_event(_metadata, self, LMIG_CMD_PROFILE_CHANGE_NTF, &ev);
	assert_same_profile(_metadata, &changed, &ev.profile);
	assert_same_profile(_metadata, &created, &ev.old);
	ASSERT_EQ(2U, ev.profile.generation);
	ASSERT_STREQ("sip:alice-2@primary.example", ev.profile.primary_ids[0]);
	ASSERT_STREQ("sip:alice@primary.example", ev.old.primary_ids[0]);

	p.fields = LMIG_PF_USER_ID;
	ASSERT_EQ(0, lmig_profile_request(self->nl, LMIG_CMD_PROFILE_DEL, &p,
					  p.fields, NULL));
	next_event(_metadata, self, LMIG_CMD_PROFILE_DEL_NTF, &ev);
	assert_same_profile(_metadata, &changed, &ev.profile);
	ASSERT_EQ(0U, ev.old.fields);

	no_event(_metadata, self);
	ASSERT_EQ(self->generation,
		  lmig_test_info(_metadata, self->nl).generation);
}

TEST_F(events, silent_when_nothing_changes)
{
	struct lmig_profile p, created;
	struct lmig_event ev;
	struct nlmsghdr *nlh;

	lmig_test_profile(&p, "alice");
	ASSERT_EQ(0, lmig_profile_request(self->nl, LMIG_CMD_PROFILE_NEW, &p,
					  LMIG_PF_WRITABLE, &created));
	next_event(_metadata, self, LMIG_CMD_PROFILE_NEW_NTF, &ev);

	/* Setting what is already there. */
	created.fields &= ~(LMIG_PF_PARTNER_ID | LMIG_PF_GENERATION);
	ASSERT_EQ(0, lmig_profile_request(self->nl, LMIG_CMD_PROFILE_SET,
					  &created, ~0U, NULL));
	no_event(_metadata, self);

	/* Refused requests. */
	ASSERT_EQ(-EEXIST, lmig_profile_request(self->nl, LMIG_CMD_PROFILE_NEW,
						&p, LMIG_PF_WRITABLE, NULL));
	p.services = 0;
	ASSERT_EQ(-EINVAL,
		  lmig_profile_request(self->nl, LMIG_CMD_PROFILE_SET, &p,
				       LMIG_PF_PARTNER_ID | LMIG_PF_SERVICES,
				       NULL));
	p.user_id = 42;
	p.fields |= LMIG_PF_USER_ID;
	ASSERT_EQ(-ENOENT, lmig_profile_request(self->nl, LMIG_CMD_PROFILE_DEL,
						&p, LMIG_PF_USER_ID, NULL));
	no_event(_metadata, self);

	/* Reading. */
	p.user_id = created.user_id;
	ASSERT_EQ(0, lmig_profile_request(self->nl, LMIG_CMD_PROFILE_GET, &p,
					  LMIG_PF_USER_ID, NULL));
	nlh = lmig_genl_request(self->nl, LMIG_CMD_PROFILE_GET, NLM_F_DUMP);
	ASSERT_EQ(0, lmig_genl_run(self->nl, nlh, NULL, NULL));
	lmig_test_info(_metadata, self->nl);
	no_event(_metadata, self);
	ASSERT_EQ(1U, lmig_test_info(_metadata, self->nl).generation);
}

/* A listener can tell it missed nothing: generations step by one. */
TEST_F(events, generations_step_by_one)
{
	struct lmig_profile p;
	struct lmig_event ev;
	char name[16];

	for (int i = 0; i < 50; i++) {
		snprintf(name, sizeof(name), "u%d", i);
		lmig_test_profile(&p, name);
		ASSERT_EQ(0,
			  lmig_profile_request(self->nl, LMIG_CMD_PROFILE_NEW,
					       &p, LMIG_PF_WRITABLE, &p));
		next_event(_metadata, self, LMIG_CMD_PROFILE_NEW_NTF, &ev);
		p.state = LMIG_STATE_SUSPENDED;
		ASSERT_EQ(0, lmig_profile_request(
				     self->nl, LMIG_CMD_PROFILE_SET, &p,
				     LMIG_PF_USER_ID | LMIG_PF_STATE, NULL));
		next_event(_metadata, self, LMIG_CMD_PROFILE_CHANGE_NTF, &ev);
		ASSERT_EQ(p.user_id, ev.profile.user_id);
		if (i % 2) {
			ASSERT_EQ(0, lmig_profile_request(
					     self->nl, LMIG_CMD_PROFILE_DEL, &p,
					     LMIG_PF_USER_ID, NULL));
			next_event(_metadata, self, LMIG_CMD_PROFILE_DEL_NTF,
				   &ev);
		}
	}
	no_event(_metadata, self);
	ASSERT_EQ(self->generation,
		  lmig_test_info(_metadata, self->nl).generation);
}

TEST_F(events, replace_is_a_change)
{
	struct lmig_profile p, created, replaced;
	struct lmig_event ev;

	lmig_test_profile(&p, "alice");
	lmig_profile_set_comment(&p, "first");
	ASSERT_EQ(0, lmig_profile_request(self->nl, LMIG_CMD_PROFILE_NEW, &p,
					  LMIG_PF_WRITABLE, &created));
	next_event(_metadata, self, LMIG_CMD_PROFILE_NEW_NTF, &ev);

	lmig_test_profile(&p, "alice");
	p.services = LMIG_SERVICE_DATA;
	ASSERT_EQ(0, lmig_profile_replace(self->nl, &p, &replaced));
	next_event(_metadata, self, LMIG_CMD_PROFILE_CHANGE_NTF, &ev);
	assert_same_profile(_metadata, &replaced, &ev.profile);
	assert_same_profile(_metadata, &created, &ev.old);
	ASSERT_STREQ("first", ev.old.comment);
	ASSERT_EQ(0U, ev.profile.fields & LMIG_PF_COMMENT);

	/* Replaced by what it holds: silence. */
	ASSERT_EQ(0, lmig_profile_replace(self->nl, &p, NULL));
	no_event(_metadata, self);
}

TEST_F(events, one_event_for_a_flush)
{
	struct lmig_summary sum;
	struct lmig_event ev;

	for (int i = 0; i < 20; i++) {
		char name[8];

		snprintf(name, sizeof(name), "f%d", i);
		lmig_test_add(_metadata, self->nl, name);
		next_event(_metadata, self, LMIG_CMD_PROFILE_NEW_NTF, &ev);
	}
	ASSERT_EQ(0, lmig_flush(self->nl, &sum));
	next_event(_metadata, self, LMIG_CMD_FLUSH_NTF, &ev);
	ASSERT_EQ(0U, ev.profile.fields);
	ASSERT_EQ((uint32_t)LMIG_SF_DELETED, ev.summary.fields);
	ASSERT_EQ(20U, ev.summary.deleted);
	ASSERT_EQ(sum.generation, ev.generation);
	no_event(_metadata, self);

	/* Flushing an empty table changes nothing. */
	ASSERT_EQ(0, lmig_flush(self->nl, &sum));
	ASSERT_EQ(0U, sum.deleted);
	no_event(_metadata, self);
}

/*
 * An apply announces each profile it touched, deletions first (by user
 * id), then changes and creations in batch order; the same batch again
 * announces nothing.
 */
TEST_F(events, apply_announces_each_change_in_order)
{
	struct lmig_profile v[4], old_b;
	struct lmig_summary sum;
	struct lmig_event ev;

	for (int i = 0; i < 4; i++) {
		static const char *const names[] = {"a", "b", "c", "d"};

		lmig_test_profile(&v[i], names[i]);
	}
	ASSERT_EQ(0, lmig_apply(self->nl, v, 4, &sum, NULL));
	for (unsigned int i = 0; i < 4; i++) {
		next_event(_metadata, self, LMIG_CMD_PROFILE_NEW_NTF, &ev);
		ASSERT_EQ(i + 1, ev.profile.user_id);
		ASSERT_STREQ(v[i].partner_id, ev.profile.partner_id);
	}
	no_event(_metadata, self);
	ASSERT_EQ(0, lmig_profile_get_by_user(self->nl, 2, &old_b));

	/* Only b, suspended: a, c and d go, b changes. */
	lmig_test_profile(&v[0], "e");
	v[1].state = LMIG_STATE_SUSPENDED;
	v[1].fields |= LMIG_PF_STATE;
	ASSERT_EQ(0, lmig_apply(self->nl, v + 1, 1, &sum, NULL));
	next_event(_metadata, self, LMIG_CMD_PROFILE_DEL_NTF, &ev);
	ASSERT_EQ(1U, ev.profile.user_id);
	next_event(_metadata, self, LMIG_CMD_PROFILE_DEL_NTF, &ev);
	ASSERT_EQ(3U, ev.profile.user_id);
	next_event(_metadata, self, LMIG_CMD_PROFILE_DEL_NTF, &ev);
	ASSERT_EQ(4U, ev.profile.user_id);
	next_event(_metadata, self, LMIG_CMD_PROFILE_CHANGE_NTF, &ev);
	ASSERT_EQ(2U, ev.profile.user_id);
	ASSERT_EQ(LMIG_STATE_SUSPENDED, ev.profile.state);
	ASSERT_EQ(2U, ev.profile.generation);
	assert_same_profile(_metadata, &old_b, &ev.old);
	no_event(_metadata, self);
	ASSERT_EQ(sum.generation, self->generation);

	/* e, b as it is, c and d anew: three new user ids. */
	ASSERT_EQ(0, lmig_apply(self->nl, v, 4, &sum, NULL));
	ASSERT_EQ(3U, sum.created);
	ASSERT_EQ(1U, sum.unchanged);
	next_event(_metadata, self, LMIG_CMD_PROFILE_NEW_NTF, &ev);
	ASSERT_STREQ("sip:e@partner.example", ev.profile.partner_id);
	ASSERT_EQ(5U, ev.profile.user_id);
	next_event(_metadata, self, LMIG_CMD_PROFILE_NEW_NTF, &ev);
	ASSERT_STREQ("sip:c@partner.example", ev.profile.partner_id);
	ASSERT_EQ(6U, ev.profile.user_id);
	next_event(_metadata, self, LMIG_CMD_PROFILE_NEW_NTF, &ev);
	ASSERT_STREQ("sip:d@partner.example", ev.profile.partner_id);
	ASSERT_EQ(7U, ev.profile.user_id);
	no_event(_metadata, self);

	/* The same batch again: not a word. */
	ASSERT_EQ(0, lmig_apply(self->nl, v, 4, &sum, NULL));
	ASSERT_EQ(4U, sum.unchanged);
	no_event(_metadata, self);
	ASSERT_EQ(self->generation,
		  lmig_test_info(_metadata, self->nl).generation);
}

/* Events stay in the namespace of the table that changed. */
TEST_F(events, stay_in_their_namespace)
{
	struct lmig_genl *other, *other_ev;
	struct lmig_profile p;
	struct lmig_event ev;
	char why[256];

	other = lmig_test_fresh_netns(_metadata);
	ASSERT_EQ(0, lmig_genl_open(&other_ev, why, sizeof(why)));
	ASSERT_EQ(0, lmig_genl_subscribe(other_ev));

	lmig_test_profile(&p, "alice");
	ASSERT_EQ(0, lmig_profile_request(other, LMIG_CMD_PROFILE_NEW, &p,
					  LMIG_PF_WRITABLE, NULL));
	no_event(_metadata, self);
	ASSERT_EQ(1, lmig_genl_recv_events(other_ev, EVENT_WAIT_MS, take_event,
					   &ev));
	ASSERT_EQ(LMIG_CMD_PROFILE_NEW_NTF, ev.cmd);
	ASSERT_EQ(1U, ev.generation);

	/* And the first namespace's events reach only its listener. */
	ASSERT_EQ(0, lmig_profile_request(self->nl, LMIG_CMD_PROFILE_NEW, &p,
					  LMIG_PF_WRITABLE, NULL));
	next_event(_metadata, self, LMIG_CMD_PROFILE_NEW_NTF, &ev);
	ASSERT_EQ(-EAGAIN, lmig_genl_recv_events(other_ev, 0, take_event, &ev));

	lmig_genl_close(other_ev);
	lmig_genl_close(other);
}

LMIG_TEST_MAIN
