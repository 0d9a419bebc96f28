// SPDX-License-Identifier: GPL-2.0-only
/*
 * Apply: a batch of profiles becomes the whole table in one step, or
 * nothing changes. The batch is matched with the table by partner ID, so
 * user ids survive and applying the same batch twice is a no-op; the
 * transaction carrying it belongs to one socket and dies with it. Events
 * of an apply are checked in events_test.c.
 *
 * Run as root where lmig.ko is loaded, e.g. in the VM:
 *   selftests/vm/run -- /lmig/build/selftests/kmod/apply_test
 */
#include <stdlib.h>
#include <sys/wait.h>

#include "kmod_test.h"
#include "limit_fixture.h"

FIXTURE(apply)
{
	struct lmig_genl *nl;
};

FIXTURE_SETUP(apply)
{
	self->nl = lmig_test_fresh_netns(_metadata);
}

FIXTURE_TEARDOWN(apply)
{
	lmig_genl_close(self->nl);
}

/* A table as a dump shows it, for comparisons. */
struct snapshot {
	struct lmig_profile *v;
	size_t n, cap;
};

static int snap_one(const struct lmig_profile *p, void *data)
{
	struct snapshot *s = data;

	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 16;
		struct lmig_profile *v = realloc(s->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n++] = *p;
	return 0;
}

static void snap(struct __test_metadata *_metadata, struct lmig_genl *nl,
		 struct snapshot *s)
{
	memset(s, 0, sizeof(*s));
	ASSERT_EQ(0, lmig_profile_dump(nl, snap_one, s))
	TH_LOG("dump: %s", lmig_genl_strerror(nl));
}

static void snap_free(struct snapshot *s)
{
	free(s->v);
	memset(s, 0, sizeof(*s));
}

static bool same_profile(const struct lmig_profile *a,
			 const struct lmig_profile *b)
{
	if (a->fields != b->fields || a->user_id != b->user_id ||
	    strcmp(a->partner_id, b->partner_id) ||
	    a->n_primary_ids != b->n_primary_ids ||
	    a->services != b->services || a->state != b->state ||
	    a->not_before != b->not_before || a->not_after != b->not_after ||
	    strcmp(a->comment, b->comment) || a->generation != b->generation)
		return false;
	for (unsigned int i = 0; i < a->n_primary_ids; i++)
		if (strcmp(a->primary_ids[i], b->primary_ids[i]))
			return false;
	return true;
}

/* The table is exactly as @before shows it, profile for profile. */
static void assert_table(struct __test_metadata *_metadata,
			 struct lmig_genl *nl, const struct snapshot *before)
{
	struct snapshot now;

	snap(_metadata, nl, &now);
	ASSERT_EQ(before->n, now.n);
	for (size_t i = 0; i < now.n; i++) {
		ASSERT_TRUE(same_profile(&before->v[i], &now.v[i]))
		TH_LOG("profile %zu (user id %u) differs", i, now.v[i].user_id);
	}
	snap_free(&now);
}

/* What an apply reported, all at once. */
#define ASSERT_SUMMARY(sum, c, ch, d, u)                   \
	do {                                               \
		ASSERT_EQ((uint32_t)(c), (sum).created);   \
		ASSERT_EQ((uint32_t)(ch), (sum).changed);  \
		ASSERT_EQ((uint32_t)(d), (sum).deleted);   \
		ASSERT_EQ((uint32_t)(u), (sum).unchanged); \
	} while (0)

/* A small batch with a bit of everything in it. */
static void three(struct lmig_profile v[3])
{
	lmig_test_profile(&v[0], "alice");
	lmig_test_profile(&v[1], "bob");
	lmig_profile_add_primary_id(&v[1], "sip:bob-video@primary.example");
	v[1].services = LMIG_SERVICES_ALL;
	v[1].state = LMIG_STATE_SUSPENDED;
	v[1].not_before = 1700000000;
	v[1].not_after = 1800000000;
	v[1].fields |= LMIG_PF_STATE | LMIG_PF_NOT_BEFORE | LMIG_PF_NOT_AFTER;
	lmig_test_profile(&v[2], "carol");
	lmig_profile_set_comment(&v[2], "on loan from the primary system");
}

TEST_F(apply, creates_then_same_batch_changes_nothing)
{
	struct lmig_profile v[3], got;
	struct lmig_summary sum;
	struct snapshot after;
	struct lmig_info info;
	size_t failed;

	three(v);
	ASSERT_EQ(0, lmig_apply(self->nl, v, 3, &sum, &failed))
	TH_LOG("apply: %s", lmig_genl_strerror(self->nl));
	ASSERT_EQ((uint32_t)(LMIG_SF_CREATED | LMIG_SF_CHANGED |
			     LMIG_SF_DELETED | LMIG_SF_UNCHANGED |
			     LMIG_SF_GENERATION),
		  sum.fields);
	ASSERT_SUMMARY(sum, 3, 0, 0, 0);
	ASSERT_EQ(3U, sum.generation);

	/* User ids in batch order; every field as sent. */
	snap(_metadata, self->nl, &after);
	ASSERT_EQ(3U, after.n);
	for (unsigned int i = 0; i < 3; i++) {
		ASSERT_EQ(i + 1, after.v[i].user_id);
		ASSERT_EQ(1U, after.v[i].generation);
		ASSERT_STREQ(v[i].partner_id, after.v[i].partner_id);
		ASSERT_EQ(v[i].n_primary_ids, after.v[i].n_primary_ids);
		ASSERT_EQ(v[i].services, after.v[i].services);
	}
	ASSERT_EQ(LMIG_STATE_SUSPENDED, after.v[1].state);
	ASSERT_EQ(1800000000U, after.v[1].not_after);
	ASSERT_STREQ("on loan from the primary system", after.v[2].comment);
	ASSERT_EQ(0, lmig_profile_get_by_primary(
			     self->nl, "sip:bob-video@primary.example", &got));
	ASSERT_EQ(2U, got.user_id);

	/* Again: nothing changes, not even a generation. */
	info = lmig_test_info(_metadata, self->nl);
	ASSERT_EQ(0, lmig_apply(self->nl, v, 3, &sum, &failed));
	ASSERT_SUMMARY(sum, 0, 0, 0, 3);
	ASSERT_EQ(3U, sum.generation);
	ASSERT_UNCHANGED(self->nl, info);
	assert_table(_metadata, self->nl, &after);
	snap_free(&after);
}

TEST_F(apply, matches_by_partner_id)
{
	struct lmig_profile v[3], got;
	struct lmig_summary sum;
	struct lmig_info info;

	ASSERT_EQ(1U, lmig_test_add(_metadata, self->nl, "alice"));
	ASSERT_EQ(2U, lmig_test_add(_metadata, self->nl, "bob"));
	ASSERT_EQ(3U, lmig_test_add(_metadata, self->nl, "carol"));

	/* bob changes, alice stays, carol goes, dave comes. */
	lmig_test_profile(&v[0], "bob");
	v[0].services = LMIG_SERVICE_VIDEO;
	lmig_test_profile(&v[1], "alice");
	lmig_test_profile(&v[2], "dave");
	ASSERT_EQ(0, lmig_apply(self->nl, v, 3, &sum, NULL))
	TH_LOG("apply: %s", lmig_genl_strerror(self->nl));
	ASSERT_SUMMARY(sum, 1, 1, 1, 1);
	ASSERT_EQ(6U, sum.generation);

	ASSERT_EQ(0, lmig_profile_get_by_partner(
			     self->nl, "sip:bob@partner.example", &got));
	ASSERT_EQ(2U, got.user_id);
	ASSERT_EQ(2U, got.generation);
	ASSERT_EQ(LMIG_SERVICE_VIDEO, got.services);
	ASSERT_EQ(0, lmig_profile_get_by_partner(
			     self->nl, "sip:alice@partner.example", &got));
	ASSERT_EQ(1U, got.user_id);
	ASSERT_EQ(1U, got.generation);
	ASSERT_EQ(0, lmig_profile_get_by_partner(
			     self->nl, "sip:dave@partner.example", &got));
	ASSERT_EQ(4U, got.user_id);
	ASSERT_EQ(-ENOENT, lmig_profile_get_by_user(self->nl, 3, &got));
	ASSERT_EQ(-ENOENT,
		  lmig_profile_get_by_primary(
			  self->nl, "sip:carol@primary.example", &got));
	info = lmig_test_info(_metadata, self->nl);
	ASSERT_EQ(3U, info.profiles);
	ASSERT_EQ(6U, info.generation);
}

/* Two profiles trade primary IDs: only a whole new table allows it. */
TEST_F(apply, profiles_swap_primary_ids)
{
	struct lmig_profile v[2], got;
	struct lmig_summary sum;

	ASSERT_EQ(1U, lmig_test_add(_metadata, self->nl, "alice"));
	ASSERT_EQ(2U, lmig_test_add(_metadata, self->nl, "bob"));
	lmig_profile_init(&v[0]);
	lmig_profile_set_partner_id(&v[0], "sip:alice@partner.example");
	lmig_profile_add_primary_id(&v[0], "sip:bob@primary.example");
	v[0].services = LMIG_SERVICE_PTT;
	v[0].fields |= LMIG_PF_SERVICES;
	lmig_profile_init(&v[1]);
	lmig_profile_set_partner_id(&v[1], "sip:bob@partner.example");
	lmig_profile_add_primary_id(&v[1], "sip:alice@primary.example");
	v[1].services = LMIG_SERVICE_PTT;
	v[1].fields |= LMIG_PF_SERVICES;
	ASSERT_EQ(0, lmig_apply(self->nl, v, 2, &sum, NULL))
	TH_LOG("apply: %s", lmig_genl_strerror(self->nl));
	ASSERT_SUMMARY(sum, 0, 2, 0, 0);
	ASSERT_EQ(0, lmig_profile_get_by_primary(
			     self->nl, "sip:alice@primary.example", &got));
	ASSERT_EQ(2U, got.user_id);
	ASSERT_EQ(0, lmig_profile_get_by_primary(
			     self->nl, "sip:bob@primary.example", &got));
	ASSERT_EQ(1U, got.user_id);
}

TEST_F(apply, empty_batch_deletes_everything)
{
	struct lmig_summary sum;

	lmig_test_add(_metadata, self->nl, "a");
	lmig_test_add(_metadata, self->nl, "b");
	ASSERT_EQ(0, lmig_apply(self->nl, NULL, 0, &sum, NULL));
	ASSERT_SUMMARY(sum, 0, 0, 2, 0);
	ASSERT_EQ(4U, sum.generation);
	ASSERT_EQ(0U, lmig_test_info(_metadata, self->nl).profiles);
}

/* A batch larger than fits in one message, in one transaction. */
TEST_F_TIMEOUT(apply, many_messages, 300)
{
	const unsigned long count = 5000;
	struct lmig_summary sum;
	struct snapshot after;
	struct lmig_info info;

	ASSERT_EQ(0, lmig_test_apply_numbered(self->nl, "m", 1, count, 3, &sum))
	TH_LOG("apply: %s", lmig_genl_strerror(self->nl));
	ASSERT_SUMMARY(sum, count, 0, 0, 0);
	snap(_metadata, self->nl, &after);
	ASSERT_EQ(count, after.n);
	for (unsigned long i = 0; i < count; i++) {
		char partner[64];

		snprintf(partner, sizeof(partner), "sip:m%lu@partner.example",
			 i + 1);
		ASSERT_STREQ(partner, after.v[i].partner_id);
		ASSERT_EQ(i + 1, after.v[i].user_id);
	}
	snap_free(&after);

	/* Half of it again, the other half replaced by new ones. */
	ASSERT_EQ(0, lmig_test_apply_numbered(self->nl, "m", count / 2 + 1,
					      count, 3, &sum));
	ASSERT_SUMMARY(sum, count / 2, 0, count / 2, count / 2);
	info = lmig_test_info(_metadata, self->nl);
	ASSERT_EQ(count, info.profiles);
	ASSERT_EQ(3 * count, info.primary_ids);
	ASSERT_EQ(2 * count, info.generation);
}

/* The ways a batch can be wrong: each one leaves the table as it was. */
FIXTURE(bad_batch)
{
	struct lmig_genl *nl;
	struct lmig_profile *v;
	struct snapshot before;
	struct lmig_info info;
};

FIXTURE_VARIANT(bad_batch)
{
	unsigned int kind;
	int error;
	const char *msg;
};

enum {
	BAD_ID,
	DUP_PARTNER,
	DUP_PRIMARY,
	NO_SERVICES,
	WINDOW,
	BAD_COMMENT
};

FIXTURE_VARIANT_ADD(bad_batch, unprintable_id){
	.kind = BAD_ID,
	.error = -EINVAL,
	.msg = "primary ID has a byte outside 0x21..0x7e",
};

FIXTURE_VARIANT_ADD(bad_batch, partner_id_twice){
	.kind = DUP_PARTNER,
	.error = -EEXIST,
	.msg = "partner ID already in the batch",
};

FIXTURE_VARIANT_ADD(bad_batch, primary_id_twice){
	.kind = DUP_PRIMARY,
	.error = -EEXIST,
	.msg = "primary ID already in the batch",
};

FIXTURE_VARIANT_ADD(bad_batch, missing_services){
	.kind = NO_SERVICES,
	.error = -EINVAL,
	.msg = "missing services",
};

FIXTURE_VARIANT_ADD(bad_batch, window_inverted){
	.kind = WINDOW,
	.error = -EINVAL,
	.msg = "not-before must be earlier than not-after",
};

FIXTURE_VARIANT_ADD(bad_batch, comment_not_utf8){
	.kind = BAD_COMMENT,
	.error = -EINVAL,
	.msg = "comment is not printable UTF-8 text",
};

/* Big enough that the bad profile is not in the first message. */
#define BAD_BATCH 3000
#define BAD_AT	  2500

FIXTURE_SETUP(bad_batch)
{
	self->nl = lmig_test_fresh_netns(_metadata);
	ASSERT_EQ(0, lmig_test_apply_numbered(self->nl, "t", 1, 100, 2, NULL));
	lmig_test_add(_metadata, self->nl, "extra");
	snap(_metadata, self->nl, &self->before);
	self->info = lmig_test_info(_metadata, self->nl);
	self->v = calloc(BAD_BATCH, sizeof(*self->v));
	ASSERT_NE(NULL, self->v);
	/* Half the table again, and new ones. */
	for (unsigned long i = 0; i < BAD_BATCH; i++)
		lmig_test_numbered(&self->v[i], "t", 50 + i, 2);
}

FIXTURE_TEARDOWN(bad_batch)
{
	free(self->v);
	snap_free(&self->before);
	lmig_genl_close(self->nl);
}

TEST_F_TIMEOUT(bad_batch, leaves_table_untouched, 300)
{
	struct lmig_profile *bad = &self->v[BAD_AT];
	struct lmig_summary sum;
	struct lmig_info after;
	size_t failed;

	switch (variant->kind) {
	case BAD_ID:
		/* Past the library's own check: the module's is tested. */
		snprintf(bad->primary_ids[bad->n_primary_ids++],
			 sizeof(bad->primary_ids[0]),
			 "sip:a b@primary.example");
		break;
	case DUP_PARTNER:
		lmig_profile_set_partner_id(bad, self->v[10].partner_id);
		break;
	case DUP_PRIMARY:
		lmig_profile_add_primary_id(bad, self->v[2].primary_ids[1]);
		break;
	case NO_SERVICES:
		bad->fields &= ~LMIG_PF_SERVICES;
		break;
	case WINDOW:
		bad->not_before = 2000000000;
		bad->not_after = 1000000000;
		bad->fields |= LMIG_PF_NOT_BEFORE | LMIG_PF_NOT_AFTER;
		break;
	case BAD_COMMENT:
		lmig_profile_set_comment(bad, "\xc3\x28");
		break;
	}
	ASSERT_EQ(variant->error,
		  lmig_apply(self->nl, self->v, BAD_BATCH, &sum, &failed));
	ASSERT_STREQ(variant->msg, lmig_genl_error(self->nl)->msg);
	ASSERT_EQ((size_t)BAD_AT, failed);

	/* Nothing changed, and nothing is left staged. */
	assert_table(_metadata, self->nl, &self->before);
	after = lmig_test_info(_metadata, self->nl);
	ASSERT_EQ(self->info.generation, after.generation);
	ASSERT_EQ(0U, after.applies);
	ASSERT_EQ(0U, after.staged);
	ASSERT_EQ(0U, after.staged_memory);

	/* Fixed, the same batch goes in. */
	lmig_test_numbered(bad, "t", 50 + BAD_AT, 2);
	ASSERT_EQ(0, lmig_apply(self->nl, self->v, BAD_BATCH, &sum, &failed))
	TH_LOG("apply: %s", lmig_genl_strerror(self->nl));
	ASSERT_SUMMARY(sum, BAD_BATCH - 51, 0, 50, 51);
}

/* The steps of a transaction, one by one. */
TEST_F(apply, failed_add_keeps_what_came_before)
{
	struct lmig_profile v[3];
	struct lmig_summary sum;
	struct lmig_info info;
	size_t failed;

	three(v);
	ASSERT_EQ(0, lmig_apply_begin(self->nl));
	ASSERT_EQ(0, lmig_apply_add(self->nl, v, 2, &failed));
	v[2].services = 0;
	ASSERT_EQ(-EINVAL, lmig_apply_add(self->nl, &v[2], 1, &failed));
	ASSERT_STREQ("services must not be 0", lmig_genl_error(self->nl)->msg);
	ASSERT_EQ(0U, failed);
	info = lmig_test_info(_metadata, self->nl);
	ASSERT_EQ(1U, info.applies);
	ASSERT_EQ(2U, info.staged);
	ASSERT_LT(0U, info.staged_memory);
	ASSERT_EQ(0U, info.profiles);

	/* A count that is not what was staged is refused; the rest stands. */
	ASSERT_EQ(-EINVAL, lmig_apply_commit(self->nl, 3, &sum));
	ASSERT_STREQ("count is not the number of profiles staged",
		     lmig_genl_error(self->nl)->msg);
	ASSERT_EQ(LMIG_A_COUNT, lmig_genl_error(self->nl)->attr_type);
	ASSERT_EQ(2U, lmig_test_info(_metadata, self->nl).staged);
	ASSERT_EQ(0, lmig_apply_commit(self->nl, 2, &sum));
	ASSERT_SUMMARY(sum, 2, 0, 0, 0);
	info = lmig_test_info(_metadata, self->nl);
	ASSERT_EQ(2U, info.profiles);
	ASSERT_EQ(0U, info.applies);
	ASSERT_EQ(0U, info.staged);
}

TEST_F(apply, abort_discards)
{
	struct lmig_profile v[3];
	struct lmig_info before;

	lmig_test_add(_metadata, self->nl, "zoe");
	before = lmig_test_info(_metadata, self->nl);
	three(v);
	ASSERT_EQ(0, lmig_apply_begin(self->nl));
	ASSERT_EQ(0, lmig_apply_add(self->nl, v, 3, NULL));
	ASSERT_EQ(0, lmig_apply_abort(self->nl));
	ASSERT_EQ(0U, lmig_test_info(_metadata, self->nl).staged);
	ASSERT_UNCHANGED(self->nl, before);
	ASSERT_EQ(-ENOENT, lmig_apply_abort(self->nl));
	ASSERT_EQ(-ENOENT, lmig_apply_add(self->nl, v, 1, NULL));
	ASSERT_STREQ("lmig: no apply transaction open on this socket",
		     lmig_genl_error(self->nl)->msg);
	ASSERT_EQ(-ENOENT, lmig_apply_commit(self->nl, 0, NULL));
}

/* Until the commit, readers see the table as it was. */
TEST_F(apply, staged_profiles_are_invisible)
{
	struct lmig_profile v[3], got;
	struct lmig_genl *other;
	struct lmig_summary sum;
	char why[256];

	ASSERT_EQ(1U, lmig_test_add(_metadata, self->nl, "old"));
	ASSERT_EQ(0, lmig_genl_open(&other, why, sizeof(why)));
	three(v);
	ASSERT_EQ(0, lmig_apply_begin(self->nl));
	ASSERT_EQ(0, lmig_apply_add(self->nl, v, 3, NULL));
	ASSERT_EQ(-ENOENT, lmig_profile_get_by_partner(
				   other, "sip:alice@partner.example", &got));
	ASSERT_EQ(0, lmig_profile_get_by_partner(
			     other, "sip:old@partner.example", &got));
	/* Writers go on meanwhile, and the commit sees what they did. */
	ASSERT_EQ(2U, lmig_test_add(_metadata, other, "new"));
	ASSERT_EQ(0, lmig_apply_commit(self->nl, 3, &sum));
	ASSERT_SUMMARY(sum, 3, 0, 2, 0);
	ASSERT_EQ(0, lmig_profile_get_by_partner(
			     other, "sip:alice@partner.example", &got));
	ASSERT_EQ(3U, got.user_id);
	ASSERT_EQ(-ENOENT, lmig_profile_get_by_partner(
				   other, "sip:new@partner.example", &got));
	lmig_genl_close(other);
}

/* A transaction is its socket's: others cannot touch it. */
TEST_F(apply, belongs_to_its_socket)
{
	struct lmig_genl *other, *more[8];
	struct lmig_profile v[3];
	struct lmig_info info;
	unsigned int open;
	char why[256];

	ASSERT_EQ(0, lmig_genl_open(&other, why, sizeof(why)));
	three(v);
	ASSERT_EQ(0, lmig_apply_begin(self->nl));
	ASSERT_EQ(-EBUSY, lmig_apply_begin(self->nl));
	ASSERT_STREQ("lmig: this socket has an apply transaction open already",
		     lmig_genl_error(self->nl)->msg);
	ASSERT_EQ(0, lmig_apply_add(self->nl, v, 2, NULL));
	ASSERT_EQ(-ENOENT, lmig_apply_add(other, v, 1, NULL));
	ASSERT_EQ(-ENOENT, lmig_apply_commit(other, 2, NULL));
	ASSERT_EQ(-ENOENT, lmig_apply_abort(other));

	/* A namespace holds only so many at once. */
	info = lmig_test_info(_metadata, other);
	ASSERT_EQ(1U, info.applies);
	ASSERT_GE(8U, info.max_applies);
	open = info.applies;
	for (unsigned int i = 0; i < info.max_applies; i++) {
		ASSERT_EQ(0, lmig_genl_open(&more[i], why, sizeof(why)));
		if (open < info.max_applies) {
			ASSERT_EQ(0, lmig_apply_begin(more[i]));
			open++;
		} else {
			ASSERT_EQ(-EBUSY, lmig_apply_begin(more[i]));
			ASSERT_STREQ("lmig: too many apply transactions open "
				     "in this namespace",
				     lmig_genl_error(more[i])->msg);
		}
	}

	/* Closing a socket discards its transaction, and frees a place. */
	lmig_genl_close(self->nl);
	info = lmig_test_info(_metadata, other);
	ASSERT_EQ(info.max_applies - 1, info.applies);
	ASSERT_EQ(0U, info.staged);
	ASSERT_EQ(0, lmig_apply_begin(other));
	ASSERT_EQ(0, lmig_apply_commit(other, 0, NULL));
	for (unsigned int i = 0; i < info.max_applies; i++)
		lmig_genl_close(more[i]);
	info = lmig_test_info(_metadata, other);
	ASSERT_EQ(0U, info.applies);
	ASSERT_EQ(0U, info.profiles);
	self->nl = other;
}

/* A namespace going away takes its open transactions along. */
TEST_F_TIMEOUT(apply, namespace_exit_frees_transactions, 120)
{
	long before, now = -1;
	char why[256];
	int status;
	pid_t pid;

	if (lmig_test_live_profiles() < 0)
		SKIP(return, "cannot read %s", LMIG_TEST_LIVE_PROFILES);
	/*
	 * Namespaces of earlier tests are dismantled in the background: wait
	 * until the count has held still for a second (at most 30 s).
	 */
	before = lmig_test_live_profiles();
	for (int i = 0, still = 0; i < 600 && still < 20; i++) {
		usleep(50000);
		now = lmig_test_live_profiles();
		still = now == before ? still + 1 : 0;
		before = now;
	}
	fflush(NULL);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		static struct lmig_profile v[LMIG_TEST_CHUNK];
		struct lmig_info info;
		struct lmig_genl *nl;

		if (unshare(CLONE_NEWNET) ||
		    lmig_genl_open(&nl, why, sizeof(why)) ||
		    lmig_apply_begin(nl))
			_exit(1);
		for (int i = 0; i < LMIG_TEST_CHUNK; i++)
			lmig_test_numbered(&v[i], "gone", i, 2);
		if (lmig_apply_add(nl, v, LMIG_TEST_CHUNK, NULL) ||
		    lmig_info_get(nl, &info) || info.staged != LMIG_TEST_CHUNK)
			_exit(1);
		_exit(0); /* socket and namespace go, the transaction open */
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
	/* Namespaces are dismantled in the background: up to 30 s. */
	for (int i = 0; i < 600; i++) {
		now = lmig_test_live_profiles();
		if (now <= before)
			break;
		usleep(50000);
	}
	ASSERT_GE(before, now);
}

/* The profile limit holds for what is staged, and again at commit. */
TEST_F(limit, batch_over_the_limit)
{
	static struct lmig_profile v[11];
	struct lmig_summary sum;
	size_t failed;

	for (int i = 0; i < 11; i++)
		lmig_test_numbered(&v[i], "l", i, 1);
	ASSERT_EQ(0, lmig_test_write_max_profiles(10));
	ASSERT_EQ(-ENOSPC, lmig_apply(self->nl, v, 11, &sum, &failed));
	ASSERT_STREQ("batch is larger than the profile limit",
		     lmig_genl_error(self->nl)->msg);
	ASSERT_EQ(10U, failed);
	ASSERT_EQ(0U, lmig_test_info(_metadata, self->nl).profiles);
	ASSERT_EQ(0, lmig_apply(self->nl, v, 10, &sum, &failed));

	/* The limit lowered after the batch was staged: the commit fails. */
	ASSERT_EQ(0, lmig_apply_begin(self->nl));
	ASSERT_EQ(0, lmig_apply_add(self->nl, &v[1], 10, NULL));
	ASSERT_EQ(0, lmig_test_write_max_profiles(5));
	ASSERT_EQ(-ENOSPC, lmig_apply_commit(self->nl, 10, &sum));
	ASSERT_STREQ("lmig: profile table is full",
		     lmig_genl_error(self->nl)->msg);
	ASSERT_EQ(0, lmig_test_write_max_profiles(10));
	ASSERT_EQ(0, lmig_apply_commit(self->nl, 10, &sum));
	ASSERT_SUMMARY(sum, 1, 0, 1, 9);
}

LMIG_TEST_MAIN
