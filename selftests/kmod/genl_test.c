// SPDX-License-Identifier: GPL-2.0-only
/*
 * The lmig generic netlink API doing what it promises: create, change,
 * delete, look up and dump profiles, table information, user ids and the
 * profile limit. Refusals are in reject_test.c, events in events_test.c,
 * permissions and namespaces in access_test.c.
 *
 * Run as root where lmig.ko is loaded, e.g. in the VM:
 *   selftests/vm/run -- /lmig/build/selftests/kmod/genl_test
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include <linux/genetlink.h>

#include "kmod_test.h"
#include "limit_fixture.h"

FIXTURE(genl)
{
	struct lmig_genl *nl;
};

FIXTURE_SETUP(genl)
{
	self->nl = lmig_test_fresh_netns(_metadata);
}

FIXTURE_TEARDOWN(genl)
{
	lmig_genl_close(self->nl);
}

static int request(FIXTURE_DATA(genl) * self, uint8_t cmd,
		   const struct lmig_profile *p, uint32_t mask,
		   struct lmig_profile *reply)
{
	return lmig_profile_request(self->nl, cmd, p, mask, reply);
}

/* @a and @b agree on every field present in both, and both have them. */
static void assert_same(struct __test_metadata *_metadata,
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

/* Every field a profile without a comment reports. */
#define ALL_BUT_COMMENT                                               \
	(LMIG_PF_USER_ID | LMIG_PF_PARTNER_ID | LMIG_PF_PRIMARY_IDS | \
	 LMIG_PF_SERVICES | LMIG_PF_STATE | LMIG_PF_NOT_BEFORE |      \
	 LMIG_PF_NOT_AFTER | LMIG_PF_GENERATION)

TEST_F(genl, new_with_defaults)
{
	struct lmig_profile p, got;

	lmig_test_profile(&p, "alice");
	ASSERT_EQ(0, request(self, LMIG_CMD_PROFILE_NEW, &p, LMIG_PF_WRITABLE,
			     &got));
	ASSERT_EQ((uint32_t)ALL_BUT_COMMENT, got.fields);
	ASSERT_EQ(1U, got.user_id);
	ASSERT_STREQ("sip:alice@partner.example", got.partner_id);
	ASSERT_EQ(1U, got.n_primary_ids);
	ASSERT_STREQ("sip:alice@primary.example", got.primary_ids[0]);
	ASSERT_EQ(LMIG_SERVICE_PTT, got.services);
	ASSERT_EQ(LMIG_STATE_ACTIVE, got.state);
	ASSERT_EQ(0U, got.not_before);
	ASSERT_EQ(0U, got.not_after);
	ASSERT_STREQ("", got.comment);
	ASSERT_EQ(1U, got.generation);
}

/* Every field at its limits, and what GET returns is what NEW returned. */
static void make_full(struct lmig_profile *p)
{
	char id[LMIG_ID_MAX_LEN + 1];

	lmig_profile_init(p);
	memset(id, 'p', LMIG_ID_MAX_LEN);
	id[LMIG_ID_MAX_LEN] = '\0';
	lmig_profile_set_partner_id(p, id);
	for (int i = 0; i < LMIG_PRIMARY_IDS_MAX; i++) {
		memset(id, 'a' + i, LMIG_ID_MAX_LEN);
		lmig_profile_add_primary_id(p, id);
	}
	p->services = LMIG_SERVICES_ALL;
	p->state = LMIG_STATE_SUSPENDED;
	p->not_before = 1700000000;
	p->not_after = UINT64_MAX;
	lmig_profile_set_comment(
		p, "caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x98\x80 ~!");
	p->fields |= LMIG_PF_SERVICES | LMIG_PF_STATE | LMIG_PF_NOT_BEFORE |
		     LMIG_PF_NOT_AFTER;
}

TEST_F(genl, new_full_and_get_by_each_selector)
{
	struct lmig_profile p, created, sel, got;

	make_full(&p);
	ASSERT_EQ(0, request(self, LMIG_CMD_PROFILE_NEW, &p, LMIG_PF_WRITABLE,
			     &created));
	ASSERT_EQ((uint32_t)(ALL_BUT_COMMENT | LMIG_PF_COMMENT),
		  created.fields);
	p.user_id = created.user_id;
	p.generation = 1;
	p.fields = created.fields;
	assert_same(_metadata, &p, &created);

	lmig_profile_init(&sel);
	sel.user_id = created.user_id;
	sel.fields = LMIG_PF_USER_ID;
	ASSERT_EQ(0, request(self, LMIG_CMD_PROFILE_GET, &sel, ~0U, &got));
	assert_same(_metadata, &created, &got);

	lmig_profile_init(&sel);
	lmig_profile_set_partner_id(&sel, p.partner_id);
	ASSERT_EQ(0, request(self, LMIG_CMD_PROFILE_GET, &sel, ~0U, &got));
	assert_same(_metadata, &created, &got);

	for (unsigned int i = 0; i < p.n_primary_ids; i++) {
		lmig_profile_init(&sel);
		lmig_profile_add_primary_id(&sel, p.primary_ids[i]);
		ASSERT_EQ(0,
			  request(self, LMIG_CMD_PROFILE_GET, &sel, ~0U, &got));
		assert_same(_metadata, &created, &got);
	}
}

static void set_fields(FIXTURE_DATA(genl) * self,
		       struct __test_metadata *_metadata,
		       struct lmig_profile *change, struct lmig_profile *got)
{
	ASSERT_EQ(0, request(self, LMIG_CMD_PROFILE_SET, change, ~0U, got))
	TH_LOG("SET: %s", lmig_genl_strerror(self->nl));
}

TEST_F(genl, set_changes_only_what_it_names)
{
	struct lmig_profile p, before, change, got, expect;

	ASSERT_EQ(1U, lmig_test_add(_metadata, self->nl, "bob"));
	lmig_test_profile(&p, "alice");
	ASSERT_EQ(0, request(self, LMIG_CMD_PROFILE_NEW, &p, LMIG_PF_WRITABLE,
			     &before));
	ASSERT_EQ(2U, before.user_id);

	/* By user id: services only. */
	lmig_profile_init(&change);
	change.user_id = 2;
	change.services = LMIG_SERVICE_VIDEO | LMIG_SERVICE_DATA;
	change.fields = LMIG_PF_USER_ID | LMIG_PF_SERVICES;
	set_fields(self, _metadata, &change, &got);
	expect = before;
	expect.services = change.services;
	expect.generation = 2;
	assert_same(_metadata, &expect, &got);

	/* By partner ID: comment, state and window. */
	lmig_profile_init(&change);
	lmig_profile_set_partner_id(&change, "sip:alice@partner.example");
	lmig_profile_set_comment(&change, "moved to the partner for the op");
	change.state = LMIG_STATE_SUSPENDED;
	change.not_after = 1800000000;
	change.fields |= LMIG_PF_STATE | LMIG_PF_NOT_AFTER;
	set_fields(self, _metadata, &change, &got);
	lmig_profile_set_comment(&expect, change.comment);
	expect.state = change.state;
	expect.not_after = change.not_after;
	expect.generation = 3;
	assert_same(_metadata, &expect, &got);

	/* An empty comment clears it. */
	lmig_profile_init(&change);
	change.user_id = 2;
	change.fields = LMIG_PF_USER_ID;
	lmig_profile_set_comment(&change, "");
	set_fields(self, _metadata, &change, &got);
	expect.fields &= ~LMIG_PF_COMMENT;
	expect.comment[0] = '\0';
	expect.generation = 4;
	assert_same(_metadata, &expect, &got);
}

TEST_F(genl, set_replaces_primary_ids)
{
	struct lmig_profile change, got, sel;

	ASSERT_EQ(1U, lmig_test_add(_metadata, self->nl, "alice"));

	lmig_profile_init(&change);
	change.user_id = 1;
	change.fields = LMIG_PF_USER_ID;
	lmig_profile_add_primary_id(&change, "sip:alice-video@primary.example");
	lmig_profile_add_primary_id(&change, "sip:alice@primary.example");
	set_fields(self, _metadata, &change, &got);
	ASSERT_EQ(2U, got.n_primary_ids);
	ASSERT_STREQ("sip:alice-video@primary.example", got.primary_ids[0]);
	ASSERT_STREQ("sip:alice@primary.example", got.primary_ids[1]);

	lmig_profile_init(&change);
	change.user_id = 1;
	change.fields = LMIG_PF_USER_ID;
	lmig_profile_add_primary_id(&change, "sip:alice-data@primary.example");
	set_fields(self, _metadata, &change, &got);
	ASSERT_EQ(1U, got.n_primary_ids);
	ASSERT_EQ(3U, got.generation);

	/* The old IDs no longer lead anywhere; the new one does. */
	lmig_profile_init(&sel);
	lmig_profile_add_primary_id(&sel, "sip:alice@primary.example");
	ASSERT_EQ(-ENOENT,
		  request(self, LMIG_CMD_PROFILE_GET, &sel, ~0U, NULL));
	lmig_profile_init(&sel);
	lmig_profile_add_primary_id(&sel, "sip:alice-video@primary.example");
	ASSERT_EQ(-ENOENT,
		  request(self, LMIG_CMD_PROFILE_GET, &sel, ~0U, NULL));
	lmig_profile_init(&sel);
	lmig_profile_add_primary_id(&sel, "sip:alice-data@primary.example");
	ASSERT_EQ(0, request(self, LMIG_CMD_PROFILE_GET, &sel, ~0U, &got));
	ASSERT_EQ(1U, got.user_id);

	/* A freed ID can be taken by another profile. */
	lmig_test_profile(&sel, "bob");
	lmig_profile_add_primary_id(&sel, "sip:alice@primary.example");
	ASSERT_EQ(0, request(self, LMIG_CMD_PROFILE_NEW, &sel, LMIG_PF_WRITABLE,
			     &got));
}

TEST_F(genl, set_same_values_changes_nothing)
{
	const uint32_t same = LMIG_PF_USER_ID | LMIG_PF_PRIMARY_IDS |
			      LMIG_PF_SERVICES | LMIG_PF_STATE |
			      LMIG_PF_NOT_BEFORE | LMIG_PF_NOT_AFTER |
			      LMIG_PF_COMMENT;
	struct lmig_profile p, created, got;
	struct lmig_info before;

	make_full(&p);
	ASSERT_EQ(0, request(self, LMIG_CMD_PROFILE_NEW, &p, LMIG_PF_WRITABLE,
			     &created));
	before = lmig_test_info(_metadata, self->nl);

	ASSERT_EQ(0, request(self, LMIG_CMD_PROFILE_SET, &created, same, &got));
	assert_same(_metadata, &created, &got);
	ASSERT_UNCHANGED(self->nl, before);

	/* One field at a time, too. */
	ASSERT_EQ(0, request(self, LMIG_CMD_PROFILE_SET, &created,
			     LMIG_PF_USER_ID | LMIG_PF_STATE, &got));
	ASSERT_EQ(1U, got.generation);
	ASSERT_UNCHANGED(self->nl, before);
}

TEST_F(genl, del_by_user_id_and_partner_id)
{
	struct lmig_profile sel;
	struct lmig_info info;

	ASSERT_EQ(1U, lmig_test_add(_metadata, self->nl, "alice"));
	ASSERT_EQ(2U, lmig_test_add(_metadata, self->nl, "bob"));
	ASSERT_EQ(3U, lmig_test_add(_metadata, self->nl, "carol"));

	lmig_profile_init(&sel);
	sel.user_id = 2;
	sel.fields = LMIG_PF_USER_ID;
	ASSERT_EQ(0, request(self, LMIG_CMD_PROFILE_DEL, &sel, ~0U, NULL));
	ASSERT_EQ(-ENOENT,
		  request(self, LMIG_CMD_PROFILE_GET, &sel, ~0U, NULL));

	lmig_profile_init(&sel);
	lmig_profile_set_partner_id(&sel, "sip:carol@partner.example");
	ASSERT_EQ(0, request(self, LMIG_CMD_PROFILE_DEL, &sel, ~0U, NULL));
	ASSERT_EQ(-ENOENT,
		  request(self, LMIG_CMD_PROFILE_DEL, &sel, ~0U, NULL));

	/* Every index forgot them: their IDs are free again. */
	lmig_profile_init(&sel);
	lmig_profile_add_primary_id(&sel, "sip:bob@primary.example");
	ASSERT_EQ(-ENOENT,
		  request(self, LMIG_CMD_PROFILE_GET, &sel, ~0U, NULL));
	ASSERT_EQ(4U, lmig_test_add(_metadata, self->nl, "bob"));
	ASSERT_EQ(5U, lmig_test_add(_metadata, self->nl, "carol"));

	info = lmig_test_info(_metadata, self->nl);
	ASSERT_EQ(3U, info.profiles);
	ASSERT_EQ(7U, info.generation);
}

TEST_F(genl, user_ids_are_never_reused)
{
	struct lmig_profile sel;

	ASSERT_EQ(1U, lmig_test_add(_metadata, self->nl, "a"));
	ASSERT_EQ(2U, lmig_test_add(_metadata, self->nl, "b"));
	lmig_profile_init(&sel);
	sel.fields = LMIG_PF_USER_ID;
	for (sel.user_id = 1; sel.user_id <= 2; sel.user_id++)
		ASSERT_EQ(0,
			  request(self, LMIG_CMD_PROFILE_DEL, &sel, ~0U, NULL));
	ASSERT_EQ(3U, lmig_test_add(_metadata, self->nl, "a"));

	/* A refused create does not use up an id either. */
	lmig_test_profile(&sel, "a");
	ASSERT_EQ(-EEXIST, request(self, LMIG_CMD_PROFILE_NEW, &sel,
				   LMIG_PF_WRITABLE, NULL));
	ASSERT_EQ(4U, lmig_test_add(_metadata, self->nl, "b"));
}

TEST_F(genl, info_counts)
{
	struct lmig_info first, info;
	struct lmig_profile sel;

	first = lmig_test_info(_metadata, self->nl);
	ASSERT_EQ((uint32_t)(LMIG_IF_EPOCH | LMIG_IF_GENERATION |
			     LMIG_IF_PROFILES | LMIG_IF_MAX_PROFILES |
			     LMIG_IF_SUSPENDED | LMIG_IF_PRIMARY_IDS |
			     LMIG_IF_MAX_PRIMARY_IDS | LMIG_IF_MEMORY |
			     LMIG_IF_APPLIES | LMIG_IF_MAX_APPLIES |
			     LMIG_IF_STAGED | LMIG_IF_STAGED_MEMORY),
		  first.fields);
	ASSERT_NE(0U, first.epoch);
	ASSERT_EQ(0U, first.generation);
	ASSERT_EQ(0U, first.profiles);
	ASSERT_EQ(lmig_test_read_max_profiles(_metadata), first.max_profiles);
	ASSERT_EQ(0U, first.suspended);
	ASSERT_EQ(0U, first.primary_ids);
	ASSERT_EQ((uint32_t)LMIG_PRIMARY_IDS_MAX, first.max_primary_ids);
	ASSERT_EQ(0U, first.applies);
	ASSERT_LT(0U, first.max_applies);
	ASSERT_EQ(0U, first.staged);
	ASSERT_EQ(0U, first.staged_memory);

	ASSERT_EQ(1U, lmig_test_add(_metadata, self->nl, "a"));
	ASSERT_EQ(2U, lmig_test_add(_metadata, self->nl, "b"));
	lmig_profile_init(&sel);
	sel.user_id = 1;
	sel.state = LMIG_STATE_SUSPENDED;
	sel.fields = LMIG_PF_USER_ID | LMIG_PF_STATE;
	ASSERT_EQ(0, request(self, LMIG_CMD_PROFILE_SET, &sel, ~0U, NULL));
	info = lmig_test_info(_metadata, self->nl);
	ASSERT_EQ(1U, info.suspended);
	ASSERT_EQ(2U, info.primary_ids);

	sel.fields = LMIG_PF_USER_ID;
	ASSERT_EQ(0, request(self, LMIG_CMD_PROFILE_DEL, &sel, ~0U, NULL));
	info = lmig_test_info(_metadata, self->nl);
	ASSERT_EQ(first.epoch, info.epoch);
	ASSERT_EQ(4U, info.generation);
	ASSERT_EQ(1U, info.profiles);
	ASSERT_EQ(0U, info.suspended);
	ASSERT_EQ(1U, info.primary_ids);
}

/* The memory a table reports grows with its profiles, and shrinks back. */
TEST_F_TIMEOUT(genl, info_memory, 120)
{
	struct lmig_info empty, full, again;
	struct lmig_summary sum;

	empty = lmig_test_info(_metadata, self->nl);
	ASSERT_LT(0U, empty.memory); /* the buckets of empty hash tables */
	ASSERT_EQ(0, lmig_test_apply_numbered(self->nl, "m", 1, 1000, 4, &sum));
	full = lmig_test_info(_metadata, self->nl);
	ASSERT_EQ(4000U, full.primary_ids);
	/* Each profile holds at least its five IDs and their index entries. */
	ASSERT_LT(empty.memory + 1000 * (5 * 32 + 100), full.memory)
	TH_LOG("%llu bytes for 1000 profiles",
	       (unsigned long long)(full.memory - empty.memory));
	ASSERT_EQ(0, lmig_flush(self->nl, NULL));
	again = lmig_test_info(_metadata, self->nl);
	ASSERT_EQ(empty.memory, again.memory);
}

/* Replace: the whole content changes, the user id stays. */
TEST_F(genl, replace_by_partner_id)
{
	struct lmig_profile p, created, got;

	make_full(&p);
	ASSERT_EQ(0, request(self, LMIG_CMD_PROFILE_NEW, &p, LMIG_PF_WRITABLE,
			     &created));
	ASSERT_EQ(2U, lmig_test_add(_metadata, self->nl, "bob"));

	/* Only what the request names is kept: the rest takes defaults. */
	lmig_profile_init(&p);
	lmig_profile_set_partner_id(&p, created.partner_id);
	lmig_profile_add_primary_id(&p, "sip:x@primary.example");
	p.services = LMIG_SERVICE_DATA;
	p.fields |= LMIG_PF_SERVICES;
	ASSERT_EQ(0, lmig_profile_replace(self->nl, &p, &got))
	TH_LOG("REPLACE: %s", lmig_genl_strerror(self->nl));
	ASSERT_EQ(1U, got.user_id);
	ASSERT_EQ(2U, got.generation);
	ASSERT_STREQ(created.partner_id, got.partner_id);
	ASSERT_EQ(1U, got.n_primary_ids);
	ASSERT_STREQ("sip:x@primary.example", got.primary_ids[0]);
	ASSERT_EQ(LMIG_SERVICE_DATA, got.services);
	ASSERT_EQ(LMIG_STATE_ACTIVE, got.state);
	ASSERT_EQ(0U, got.not_before);
	ASSERT_EQ(0U, got.not_after);
	ASSERT_EQ(0U, got.fields & LMIG_PF_COMMENT);

	/* Every old primary ID is free now; the new one leads to it. */
	ASSERT_EQ(-ENOENT, lmig_profile_get_by_primary(
				   self->nl, created.primary_ids[3], &got));
	ASSERT_EQ(0, lmig_profile_get_by_primary(
			     self->nl, "sip:x@primary.example", &got));
	ASSERT_EQ(1U, got.user_id);
}

TEST_F(genl, replace_by_user_id_renames)
{
	struct lmig_profile p, got, before;
	struct lmig_info info;

	ASSERT_EQ(1U, lmig_test_add(_metadata, self->nl, "alice"));
	lmig_test_profile(&p, "alicia");
	p.user_id = 1;
	p.fields |= LMIG_PF_USER_ID;
	p.state = LMIG_STATE_SUSPENDED;
	p.fields |= LMIG_PF_STATE;
	ASSERT_EQ(0, lmig_profile_replace(self->nl, &p, &got))
	TH_LOG("REPLACE: %s", lmig_genl_strerror(self->nl));
	ASSERT_EQ(1U, got.user_id);
	ASSERT_STREQ("sip:alicia@partner.example", got.partner_id);
	ASSERT_EQ(LMIG_STATE_SUSPENDED, got.state);
	ASSERT_EQ(-ENOENT,
		  lmig_profile_get_by_partner(
			  self->nl, "sip:alice@partner.example", &got));
	ASSERT_EQ(0, lmig_profile_get_by_partner(
			     self->nl, "sip:alicia@partner.example", &got));
	ASSERT_EQ(2U, got.generation);
	info = lmig_test_info(_metadata, self->nl);
	ASSERT_EQ(1U, info.suspended);

	/* The same again changes nothing, not even the generation. */
	before = got;
	ASSERT_EQ(0, lmig_profile_replace(self->nl, &p, &got));
	ASSERT_EQ(before.generation, got.generation);
	ASSERT_UNCHANGED(self->nl, info);
}

/* Flush: every profile goes at once; an empty table stays as it is. */
TEST_F(genl, flush)
{
	struct lmig_summary sum;
	struct lmig_info info;

	ASSERT_EQ(0, lmig_flush(self->nl, &sum));
	ASSERT_EQ((uint32_t)(LMIG_SF_DELETED | LMIG_SF_GENERATION), sum.fields);
	ASSERT_EQ(0U, sum.deleted);
	ASSERT_EQ(0U, sum.generation);

	for (int i = 0; i < 5; i++) {
		char name[8];

		snprintf(name, sizeof(name), "f%d", i);
		lmig_test_add(_metadata, self->nl, name);
	}
	ASSERT_EQ(0, lmig_flush(self->nl, &sum));
	ASSERT_EQ(5U, sum.deleted);
	ASSERT_EQ(6U, sum.generation);
	info = lmig_test_info(_metadata, self->nl);
	ASSERT_EQ(0U, info.profiles);
	ASSERT_EQ(0U, info.primary_ids);
	ASSERT_EQ(6U, info.generation);

	/* IDs are free again; user ids are not handed out twice. */
	ASSERT_EQ(6U, lmig_test_add(_metadata, self->nl, "f0"));
}

/* The look-up helpers reach the same profile by each of its IDs. */
TEST_F(genl, get_by_each_helper)
{
	struct lmig_profile p, a, b, c;

	lmig_test_profile(&p, "alice");
	lmig_profile_add_primary_id(&p, "sip:alice-video@primary.example");
	ASSERT_EQ(0, request(self, LMIG_CMD_PROFILE_NEW, &p, LMIG_PF_WRITABLE,
			     &p));
	ASSERT_EQ(0, lmig_profile_get_by_user(self->nl, p.user_id, &a));
	ASSERT_EQ(0, lmig_profile_get_by_partner(self->nl, p.partner_id, &b));
	ASSERT_EQ(0, lmig_profile_get_by_primary(
			     self->nl, "sip:alice-video@primary.example", &c));
	assert_same(_metadata, &p, &a);
	assert_same(_metadata, &p, &b);
	assert_same(_metadata, &p, &c);
	ASSERT_EQ(-ENOENT, lmig_profile_get_by_user(self->nl, 99, &a));
	ASSERT_STREQ("no profile matches the selector",
		     lmig_genl_error(self->nl)->msg);
}

struct collected {
	unsigned int n;
	uint32_t last_user_id;
	bool in_order;
	bool contents_ok;
	/* Called on the first profile, to change the table mid-dump. */
	struct lmig_genl *changer;
	int change_ret;
};

static int collect(const struct lmig_profile *p, void *data)
{
	struct collected *c = data;
	char partner[64];

	snprintf(partner, sizeof(partner), "sip:u%u@partner.example",
		 p->user_id);
	if (p->user_id <= c->last_user_id)
		c->in_order = false;
	if (strcmp(partner, p->partner_id) || p->n_primary_ids != 1 ||
	    p->generation != 1)
		c->contents_ok = false;
	c->last_user_id = p->user_id;
	if (c->changer && !c->n) {
		struct lmig_profile extra;

		lmig_test_profile(&extra, "mid-dump");
		c->change_ret = lmig_profile_request(
			c->changer, LMIG_CMD_PROFILE_NEW, &extra,
			LMIG_PF_WRITABLE, NULL);
	}
	c->n++;
	return 0;
}

static void add_numbered(struct __test_metadata *_metadata,
			 struct lmig_genl *nl, unsigned int count)
{
	char name[32];

	for (unsigned int i = 1; i <= count; i++) {
		snprintf(name, sizeof(name), "u%u", i);
		ASSERT_EQ(i, lmig_test_add(_metadata, nl, name));
	}
}

TEST_F(genl, dump_empty)
{
	struct collected c = {.in_order = true, .contents_ok = true};

	ASSERT_EQ(0, lmig_profile_dump(self->nl, collect, &c));
	ASSERT_EQ(0U, c.n);
}

/* Thousands of profiles take many messages: all come, in user id order. */
TEST_F_TIMEOUT(genl, dump_many, 300)
{
	const unsigned int count = 3000;
	struct collected c = {.in_order = true, .contents_ok = true};
	struct lmig_profile sel;

	add_numbered(_metadata, self->nl, count);
	/* A hole in the ids does not stop the dump. */
	lmig_profile_init(&sel);
	sel.user_id = 1500;
	sel.fields = LMIG_PF_USER_ID;
	ASSERT_EQ(0, request(self, LMIG_CMD_PROFILE_DEL, &sel, ~0U, NULL));

	ASSERT_EQ(0, lmig_profile_dump(self->nl, collect, &c))
	TH_LOG("dump: %s", lmig_genl_strerror(self->nl));
	ASSERT_EQ(count - 1, c.n);
	ASSERT_TRUE(c.in_order);
	ASSERT_TRUE(c.contents_ok);
	ASSERT_EQ(count, c.last_user_id);
}

struct seen {
	unsigned char *by_number; /* how often profile u<i> came */
	unsigned long count;
	unsigned long n;
	bool bad;
};

static int mark_seen(const struct lmig_profile *p, void *data)
{
	struct seen *s = data;
	unsigned long i;
	char *end;

	s->n++;
	if (strncmp(p->partner_id, "sip:big", 7)) {
		s->bad = true;
		return 0;
	}
	i = strtoul(p->partner_id + 7, &end, 10);
	if (strcmp(end, "@partner.example") || !i || i > s->count)
		s->bad = true;
	else if (s->by_number[i - 1] < 255)
		s->by_number[i - 1]++;
	return 0;
}

/* A dump of 100,000 profiles returns each of them exactly once. */
TEST_F_TIMEOUT(genl, dump_100000_each_once, 600)
{
	const unsigned long count = 100000;
	struct seen s = {.count = count};
	struct lmig_summary sum;

	ASSERT_EQ(0,
		  lmig_test_apply_numbered(self->nl, "big", 1, count, 1, &sum))
	TH_LOG("apply: %s", lmig_genl_strerror(self->nl));
	ASSERT_EQ(count, sum.created);
	s.by_number = calloc(count, 1);
	ASSERT_NE(NULL, s.by_number);
	ASSERT_EQ(0, lmig_profile_dump(self->nl, mark_seen, &s))
	TH_LOG("dump: %s", lmig_genl_strerror(self->nl));
	ASSERT_FALSE(s.bad);
	ASSERT_EQ(count, s.n);
	for (unsigned long i = 0; i < count; i++) {
		ASSERT_EQ(1, s.by_number[i])
		TH_LOG("profile big%lu came %u times", i + 1, s.by_number[i]);
	}
	free(s.by_number);
}

/* A change between two parts of a dump is flagged: dump again. */
TEST_F_TIMEOUT(genl, dump_interrupted_by_change, 300)
{
	const unsigned int count = 2000;
	struct collected c = {.in_order = true, .contents_ok = true};
	struct lmig_genl *changer;
	char why[256];

	add_numbered(_metadata, self->nl, count);
	ASSERT_EQ(0, lmig_genl_open(&changer, why, sizeof(why)));
	c.changer = changer;
	ASSERT_EQ(-EINTR, lmig_profile_dump(self->nl, collect, &c));
	ASSERT_EQ(0, c.change_ret);
	ASSERT_TRUE(c.in_order);
	ASSERT_LE(count, c.n);

	/* A quiet table dumps whole again. */
	memset(&c, 0, sizeof(c));
	c.in_order = true;
	c.contents_ok = true;
	ASSERT_EQ(0, lmig_profile_dump(self->nl, collect, &c));
	ASSERT_EQ(count + 1, c.n);
	lmig_genl_close(changer);
}

static int count_msgs(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	++*(unsigned int *)data;
	return 0;
}

/*
 * The family's policies can be read back (CTRL_CMD_GETPOLICY), which also
 * exercises every policy entry's dump: a bad entry would warn in the
 * kernel log and fail the VM run.
 */
TEST_F(genl, policies_can_be_dumped)
{
	struct genlmsghdr *genl;
	struct nlmsghdr *nlh;
	unsigned int n = 0;

	nlh = lmig_genl_request(self->nl, 0, NLM_F_DUMP);
	nlh->nlmsg_type = GENL_ID_CTRL;
	genl = mnl_nlmsg_get_payload(nlh);
	genl->cmd = CTRL_CMD_GETPOLICY;
	genl->version = 1;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, LMIG_GENL_NAME);
	ASSERT_EQ(0, lmig_genl_run(self->nl, nlh, count_msgs, &n))
	TH_LOG("GETPOLICY: %s", lmig_genl_strerror(self->nl));
	ASSERT_LT(10U, n);
}

/* The profile limit is a module parameter; the test restores it. */
TEST_F(limit, table_full)
{
	struct lmig_profile p;
	struct lmig_info before;

	ASSERT_EQ(0, lmig_test_write_max_profiles(2));
	ASSERT_EQ(2U, lmig_test_info(_metadata, self->nl).max_profiles);
	ASSERT_EQ(1U, lmig_test_add(_metadata, self->nl, "a"));
	ASSERT_EQ(2U, lmig_test_add(_metadata, self->nl, "b"));
	before = lmig_test_info(_metadata, self->nl);

	lmig_test_profile(&p, "c");
	ASSERT_EQ(-ENOSPC, lmig_profile_request(self->nl, LMIG_CMD_PROFILE_NEW,
						&p, LMIG_PF_WRITABLE, NULL));
	ASSERT_STREQ("lmig: profile table is full",
		     lmig_genl_error(self->nl)->msg);
	ASSERT_UNCHANGED(self->nl, before);

	/* Changing a profile needs no room; deleting one makes room. */
	p.user_id = 2;
	p.fields = LMIG_PF_USER_ID | LMIG_PF_STATE;
	p.state = LMIG_STATE_SUSPENDED;
	ASSERT_EQ(0, lmig_profile_request(self->nl, LMIG_CMD_PROFILE_SET, &p,
					  ~0U, NULL));
	p.fields = LMIG_PF_USER_ID;
	ASSERT_EQ(0, lmig_profile_request(self->nl, LMIG_CMD_PROFILE_DEL, &p,
					  ~0U, NULL));
	ASSERT_EQ(3U, lmig_test_add(_metadata, self->nl, "c"));
}

LMIG_TEST_MAIN
