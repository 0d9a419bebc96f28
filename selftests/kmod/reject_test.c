// SPDX-License-Identifier: GPL-2.0-only
/*
 * Every way a request to lmig.ko can be wrong: each is refused with the
 * documented errno, a message naming the problem and a pointer to the
 * offending attribute, and leaves the table as it was.
 *
 * Run as root where lmig.ko is loaded, e.g. in the VM:
 *   selftests/vm/run -- /lmig/build/selftests/kmod/reject_test
 */
#include <string.h>

#include <linux/genetlink.h>

#include "kmod_test.h"

FIXTURE(reject)
{
	struct lmig_genl *nl;
	struct lmig_info before;
	struct nlmsghdr *nlh;
	struct nlattr *nest;
};

/* Each test starts with one profile, "alice", in an otherwise empty table. */
FIXTURE_SETUP(reject)
{
	self->nl = lmig_test_fresh_netns(_metadata);
	ASSERT_EQ(1U, lmig_test_add(_metadata, self->nl, "alice"));
	self->before = lmig_test_info(_metadata, self->nl);
}

FIXTURE_TEARDOWN(reject)
{
	if (_metadata->passed)
		ASSERT_UNCHANGED(self->nl, self->before);
	lmig_genl_close(self->nl);
}

/* Open a request for @cmd with its profile nest. */
static void begin(FIXTURE_DATA(reject) * self, uint8_t cmd)
{
	self->nlh = lmig_genl_request(self->nl, cmd, 0);
	self->nest = mnl_attr_nest_start(self->nlh, LMIG_A_PROFILE);
}

static struct nlmsghdr *end(FIXTURE_DATA(reject) * self)
{
	mnl_attr_nest_end(self->nlh, self->nest);
	return self->nlh;
}

/* The attributes of a valid new profile for "bob", but for @skip. */
static void put_bob(FIXTURE_DATA(reject) * self, uint16_t skip)
{
	if (skip != LMIG_PROFILE_A_PARTNER_ID)
		mnl_attr_put_strz(self->nlh, LMIG_PROFILE_A_PARTNER_ID,
				  "sip:bob@partner.example");
	if (skip != LMIG_PROFILE_A_PRIMARY_ID)
		mnl_attr_put_strz(self->nlh, LMIG_PROFILE_A_PRIMARY_ID,
				  "sip:bob@primary.example");
	if (skip != LMIG_PROFILE_A_SERVICES)
		mnl_attr_put_u32(self->nlh, LMIG_PROFILE_A_SERVICES,
				 LMIG_SERVICE_PTT);
}

#define ASSERT_NEST_REFUSED(text, type) \
	ASSERT_REFUSED(self->nl, end(self), -EINVAL, text, LMIG_A_PROFILE, type)

TEST_F(reject, new_with_user_id)
{
	begin(self, LMIG_CMD_PROFILE_NEW);
	put_bob(self, 0);
	mnl_attr_put_u32(self->nlh, LMIG_PROFILE_A_USER_ID, 7);
	ASSERT_NEST_REFUSED("user id is assigned by the module",
			    LMIG_PROFILE_A_USER_ID);
}

TEST_F(reject, new_with_generation)
{
	begin(self, LMIG_CMD_PROFILE_NEW);
	put_bob(self, 0);
	mnl_attr_put_u64(self->nlh, LMIG_PROFILE_A_GENERATION, 1);
	ASSERT_NEST_REFUSED("generation is read only",
			    LMIG_PROFILE_A_GENERATION);
}

TEST_F(reject, unknown_attribute_in_profile)
{
	begin(self, LMIG_CMD_PROFILE_NEW);
	put_bob(self, 0);
	mnl_attr_put_u32(self->nlh, LMIG_PROFILE_A_MAX + 1, 1);
	ASSERT_NEST_REFUSED("Unknown attribute type", LMIG_PROFILE_A_MAX + 1);
}

TEST_F(reject, unknown_top_level_attribute)
{
	begin(self, LMIG_CMD_PROFILE_NEW);
	put_bob(self, 0);
	end(self);
	mnl_attr_put_u32(self->nlh, LMIG_A_MAX + 1, 1);
	ASSERT_REFUSED(self->nl, self->nlh, -EINVAL, "Unknown attribute type",
		       0, LMIG_A_MAX + 1);
}

TEST_F(reject, pad_attribute)
{
	begin(self, LMIG_CMD_PROFILE_NEW);
	put_bob(self, 0);
	mnl_attr_put_u32(self->nlh, LMIG_PROFILE_A_PAD, 0);
	ASSERT_NEST_REFUSED("Unsupported attribute", LMIG_PROFILE_A_PAD);
}

TEST_F(reject, event_attributes_in_request)
{
	begin(self, LMIG_CMD_PROFILE_NEW);
	put_bob(self, 0);
	end(self);
	mnl_attr_put_u64(self->nlh, LMIG_A_GENERATION, 1);
	ASSERT_REFUSED(self->nl, self->nlh, -EINVAL, "Unsupported attribute", 0,
		       LMIG_A_GENERATION);

	begin(self, LMIG_CMD_PROFILE_SET);
	mnl_attr_put_u32(self->nlh, LMIG_PROFILE_A_USER_ID, 1);
	mnl_attr_put_u32(self->nlh, LMIG_PROFILE_A_SERVICES, 1);
	end(self);
	mnl_attr_nest_end(self->nlh,
			  mnl_attr_nest_start(self->nlh, LMIG_A_OLD_PROFILE));
	ASSERT_REFUSED(self->nl, self->nlh, -EINVAL, "Unsupported attribute", 0,
		       LMIG_A_OLD_PROFILE);
}

TEST_F(reject, nest_without_nested_flag)
{
	begin(self, LMIG_CMD_PROFILE_NEW);
	put_bob(self, 0);
	self->nest->nla_type &= ~NLA_F_NESTED;
	ASSERT_REFUSED(self->nl, end(self), -EINVAL, "NLA_F_NESTED is missing",
		       0, LMIG_A_PROFILE);
}

TEST_F(reject, new_without_profile)
{
	const struct lmig_genl_error *e;
	struct nlmsghdr *nlh;

	nlh = lmig_genl_request(self->nl, LMIG_CMD_PROFILE_NEW, 0);
	ASSERT_EQ(-EINVAL, lmig_genl_run(self->nl, nlh, NULL, NULL));
	e = lmig_genl_error(self->nl);
	ASSERT_STREQ("lmig: missing profile attributes", e->msg);
	ASSERT_EQ(LMIG_A_PROFILE, e->miss_type);
	ASSERT_EQ(0, e->miss_nest);
}

TEST_F(reject, new_missing_fields)
{
	static const struct {
		uint16_t type;
		const char *msg;
	} cases[] = {
		{LMIG_PROFILE_A_PARTNER_ID, "missing partner ID"},
		{LMIG_PROFILE_A_PRIMARY_ID, "missing primary ID"},
		{LMIG_PROFILE_A_SERVICES, "missing services"},
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct lmig_genl_error *e;

		begin(self, LMIG_CMD_PROFILE_NEW);
		put_bob(self, cases[i].type);
		ASSERT_REFUSED(self->nl, end(self), -EINVAL, cases[i].msg, 0,
			       LMIG_A_PROFILE);
		e = lmig_genl_error(self->nl);
		ASSERT_EQ(cases[i].type, e->miss_type);
		ASSERT_EQ(LMIG_A_PROFILE, e->miss_nest);
	}
}

/* Put @len bytes of @id as attribute @type, or "" when @id is NULL. */
static void put_id(FIXTURE_DATA(reject) * self, uint16_t type, const char *id,
		   size_t len)
{
	mnl_attr_put(self->nlh, type, id ? len : 1, id ? id : "");
}

static void check_ids(struct __test_metadata *_metadata,
		      FIXTURE_DATA(reject) * self, const char *id, size_t len,
		      const char *partner_msg, const char *primary_msg)
{
	begin(self, LMIG_CMD_PROFILE_NEW);
	put_bob(self, LMIG_PROFILE_A_PARTNER_ID);
	put_id(self, LMIG_PROFILE_A_PARTNER_ID, id, len);
	ASSERT_NEST_REFUSED(partner_msg, LMIG_PROFILE_A_PARTNER_ID);

	begin(self, LMIG_CMD_PROFILE_NEW);
	put_bob(self, LMIG_PROFILE_A_PRIMARY_ID);
	put_id(self, LMIG_PROFILE_A_PRIMARY_ID, id, len);
	ASSERT_NEST_REFUSED(primary_msg, LMIG_PROFILE_A_PRIMARY_ID);
}

TEST_F(reject, empty_id)
{
	check_ids(_metadata, self, NULL, 0, "partner ID is empty",
		  "primary ID is empty");
}

TEST_F(reject, too_long_id)
{
	char id[LMIG_ID_MAX_LEN + 2];

	memset(id, 'x', sizeof(id) - 1);
	id[sizeof(id) - 1] = '\0';
	check_ids(_metadata, self, id, sizeof(id),
		  "partner ID is longer than 255 bytes",
		  "primary ID is longer than 255 bytes");
}

TEST_F(reject, unprintable_id)
{
	static const char *const ids[] = {
		"sip:bob smith@example", /* space */
		"sip:bob\x7f@example",	 /* DEL */
		"sip:bob\x1f@example",	 /* control */
		"sip:b\xc3\xb6@example", /* not ASCII */
		"\t",
	};

	for (size_t i = 0; i < ARRAY_SIZE(ids); i++)
		check_ids(_metadata, self, ids[i], strlen(ids[i]) + 1,
			  "partner ID has a byte outside 0x21..0x7e",
			  "primary ID has a byte outside 0x21..0x7e");
}

TEST_F(reject, id_with_bytes_after_nul)
{
	static const char id[] = "sip:bob@example\0hidden";

	check_ids(_metadata, self, id, sizeof(id),
		  "partner ID has bytes after its NUL",
		  "primary ID has bytes after its NUL");
}

TEST_F(reject, id_without_nul)
{
	static const char id[] = "sip:bob@example";

	check_ids(_metadata, self, id, strlen(id),
		  "Attribute failed policy validation",
		  "Attribute failed policy validation");
}

TEST_F(reject, services)
{
	static const struct {
		uint32_t services;
		const char *msg;
	} cases[] = {
		{0, "services must not be 0"},
		{1U << 3, "reserved bit set"},
		{LMIG_SERVICES_ALL | 1U << 31, "reserved bit set"},
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		begin(self, LMIG_CMD_PROFILE_NEW);
		put_bob(self, LMIG_PROFILE_A_SERVICES);
		mnl_attr_put_u32(self->nlh, LMIG_PROFILE_A_SERVICES,
				 cases[i].services);
		ASSERT_NEST_REFUSED(cases[i].msg, LMIG_PROFILE_A_SERVICES);

		begin(self, LMIG_CMD_PROFILE_SET);
		mnl_attr_put_u32(self->nlh, LMIG_PROFILE_A_USER_ID, 1);
		mnl_attr_put_u32(self->nlh, LMIG_PROFILE_A_SERVICES,
				 cases[i].services);
		ASSERT_NEST_REFUSED(cases[i].msg, LMIG_PROFILE_A_SERVICES);
	}
}

TEST_F(reject, wrong_attribute_size)
{
	begin(self, LMIG_CMD_PROFILE_NEW);
	put_bob(self, LMIG_PROFILE_A_SERVICES);
	mnl_attr_put_u64(self->nlh, LMIG_PROFILE_A_SERVICES, LMIG_SERVICE_PTT);
	ASSERT_NEST_REFUSED("invalid attribute length",
			    LMIG_PROFILE_A_SERVICES);

	begin(self, LMIG_CMD_PROFILE_NEW);
	put_bob(self, 0);
	mnl_attr_put_u32(self->nlh, LMIG_PROFILE_A_NOT_AFTER, 100);
	ASSERT_NEST_REFUSED("invalid attribute length",
			    LMIG_PROFILE_A_NOT_AFTER);
}

TEST_F(reject, state_out_of_range)
{
	static const uint32_t states[] = {LMIG_STATE_UNSPEC, LMIG_STATE_MAX + 1,
					  ~0U};

	for (size_t i = 0; i < ARRAY_SIZE(states); i++) {
		begin(self, LMIG_CMD_PROFILE_NEW);
		put_bob(self, 0);
		mnl_attr_put_u32(self->nlh, LMIG_PROFILE_A_STATE, states[i]);
		ASSERT_NEST_REFUSED("state must be active (1) or suspended (2)",
				    LMIG_PROFILE_A_STATE);
	}
}

TEST_F(reject, window_inverted)
{
	static const uint64_t windows[][2] = {{200, 100}, {100, 100}};

	for (size_t i = 0; i < ARRAY_SIZE(windows); i++) {
		begin(self, LMIG_CMD_PROFILE_NEW);
		put_bob(self, 0);
		mnl_attr_put_u64(self->nlh, LMIG_PROFILE_A_NOT_BEFORE,
				 windows[i][0]);
		mnl_attr_put_u64(self->nlh, LMIG_PROFILE_A_NOT_AFTER,
				 windows[i][1]);
		ASSERT_NEST_REFUSED("not-before must be earlier than not-after",
				    LMIG_PROFILE_A_NOT_AFTER);
	}
}

/* A change of one bound is judged against the other bound as stored. */
TEST_F(reject, set_window_inverted)
{
	struct lmig_profile p, reply;

	lmig_profile_init(&p);
	p.user_id = 1;
	p.not_before = 1000;
	p.not_after = 2000;
	p.fields = LMIG_PF_USER_ID | LMIG_PF_NOT_BEFORE | LMIG_PF_NOT_AFTER;
	ASSERT_EQ(0, lmig_profile_request(self->nl, LMIG_CMD_PROFILE_SET, &p,
					  p.fields, &reply));
	self->before = lmig_test_info(_metadata, self->nl);

	begin(self, LMIG_CMD_PROFILE_SET);
	mnl_attr_put_u32(self->nlh, LMIG_PROFILE_A_USER_ID, 1);
	mnl_attr_put_u64(self->nlh, LMIG_PROFILE_A_NOT_BEFORE, 2000);
	ASSERT_NEST_REFUSED("not-before must be earlier than not-after",
			    LMIG_PROFILE_A_NOT_BEFORE);

	begin(self, LMIG_CMD_PROFILE_SET);
	mnl_attr_put_u32(self->nlh, LMIG_PROFILE_A_USER_ID, 1);
	mnl_attr_put_u64(self->nlh, LMIG_PROFILE_A_NOT_AFTER, 999);
	ASSERT_NEST_REFUSED("not-before must be earlier than not-after",
			    LMIG_PROFILE_A_NOT_AFTER);
}

TEST_F(reject, too_many_primary_ids)
{
	char id[64];

	begin(self, LMIG_CMD_PROFILE_NEW);
	put_bob(self, LMIG_PROFILE_A_PRIMARY_ID);
	for (int i = 0; i <= LMIG_PRIMARY_IDS_MAX; i++) {
		snprintf(id, sizeof(id), "sip:bob%d@primary.example", i);
		mnl_attr_put_strz(self->nlh, LMIG_PROFILE_A_PRIMARY_ID, id);
	}
	ASSERT_NEST_REFUSED("more than 16 primary IDs",
			    LMIG_PROFILE_A_PRIMARY_ID);
	ASSERT_EQ((unsigned int)LMIG_PRIMARY_IDS_MAX,
		  lmig_genl_error(self->nl)->attr_index);
}

TEST_F(reject, primary_id_twice_in_profile)
{
	begin(self, LMIG_CMD_PROFILE_NEW);
	put_bob(self, LMIG_PROFILE_A_PRIMARY_ID);
	mnl_attr_put_strz(self->nlh, LMIG_PROFILE_A_PRIMARY_ID, "sip:x@p");
	mnl_attr_put_strz(self->nlh, LMIG_PROFILE_A_PRIMARY_ID, "sip:y@p");
	mnl_attr_put_strz(self->nlh, LMIG_PROFILE_A_PRIMARY_ID, "sip:x@p");
	ASSERT_NEST_REFUSED("primary ID given twice",
			    LMIG_PROFILE_A_PRIMARY_ID);
	ASSERT_EQ(2U, lmig_genl_error(self->nl)->attr_index);
}

TEST_F(reject, attribute_given_twice)
{
	begin(self, LMIG_CMD_PROFILE_NEW);
	put_bob(self, 0);
	mnl_attr_put_u32(self->nlh, LMIG_PROFILE_A_SERVICES, LMIG_SERVICE_DATA);
	ASSERT_NEST_REFUSED("attribute given more than once",
			    LMIG_PROFILE_A_SERVICES);
	ASSERT_EQ(1U, lmig_genl_error(self->nl)->attr_index);
}

TEST_F(reject, duplicate_partner_id)
{
	begin(self, LMIG_CMD_PROFILE_NEW);
	put_bob(self, LMIG_PROFILE_A_PARTNER_ID);
	mnl_attr_put_strz(self->nlh, LMIG_PROFILE_A_PARTNER_ID,
			  "sip:alice@partner.example");
	ASSERT_REFUSED(self->nl, end(self), -EEXIST,
		       "partner ID already in the table", LMIG_A_PROFILE,
		       LMIG_PROFILE_A_PARTNER_ID);
}

TEST_F(reject, duplicate_primary_id)
{
	begin(self, LMIG_CMD_PROFILE_NEW);
	put_bob(self, 0);
	mnl_attr_put_strz(self->nlh, LMIG_PROFILE_A_PRIMARY_ID,
			  "sip:alice@primary.example");
	ASSERT_REFUSED(self->nl, end(self), -EEXIST,
		       "primary ID already in the table", LMIG_A_PROFILE,
		       LMIG_PROFILE_A_PRIMARY_ID);
	ASSERT_EQ(1U, lmig_genl_error(self->nl)->attr_index);
}

/* A set that would take another profile's primary ID changes nothing. */
TEST_F(reject, set_takes_primary_id_of_another)
{
	struct lmig_profile bob;

	ASSERT_EQ(2U, lmig_test_add(_metadata, self->nl, "bob"));
	self->before = lmig_test_info(_metadata, self->nl);

	begin(self, LMIG_CMD_PROFILE_SET);
	mnl_attr_put_u32(self->nlh, LMIG_PROFILE_A_USER_ID, 2);
	mnl_attr_put_strz(self->nlh, LMIG_PROFILE_A_PRIMARY_ID, "sip:new@p");
	mnl_attr_put_strz(self->nlh, LMIG_PROFILE_A_PRIMARY_ID,
			  "sip:alice@primary.example");
	ASSERT_REFUSED(self->nl, end(self), -EEXIST,
		       "primary ID already in the table", LMIG_A_PROFILE,
		       LMIG_PROFILE_A_PRIMARY_ID);

	lmig_profile_init(&bob);
	lmig_profile_add_primary_id(&bob, "sip:bob@primary.example");
	ASSERT_EQ(0, lmig_profile_request(self->nl, LMIG_CMD_PROFILE_GET, &bob,
					  LMIG_PF_PRIMARY_IDS, &bob));
	ASSERT_EQ(2U, bob.user_id);
	ASSERT_EQ(1U, bob.n_primary_ids);
	ASSERT_EQ(1U, bob.generation);

	lmig_profile_init(&bob);
	lmig_profile_add_primary_id(&bob, "sip:new@p");
	ASSERT_EQ(-ENOENT,
		  lmig_profile_request(self->nl, LMIG_CMD_PROFILE_GET, &bob,
				       LMIG_PF_PRIMARY_IDS, NULL));
}

TEST_F(reject, no_such_profile)
{
	static const uint8_t cmds[] = {LMIG_CMD_PROFILE_GET,
				       LMIG_CMD_PROFILE_DEL,
				       LMIG_CMD_PROFILE_SET};

	for (size_t i = 0; i < ARRAY_SIZE(cmds); i++) {
		begin(self, cmds[i]);
		mnl_attr_put_u32(self->nlh, LMIG_PROFILE_A_USER_ID, 99);
		if (cmds[i] == LMIG_CMD_PROFILE_SET)
			mnl_attr_put_u32(self->nlh, LMIG_PROFILE_A_STATE, 2);
		ASSERT_REFUSED(self->nl, end(self), -ENOENT,
			       "no profile matches the selector",
			       LMIG_A_PROFILE, LMIG_PROFILE_A_USER_ID);

		begin(self, cmds[i]);
		if (cmds[i] == LMIG_CMD_PROFILE_SET)
			mnl_attr_put_u32(self->nlh, LMIG_PROFILE_A_STATE, 2);
		mnl_attr_put_strz(self->nlh, LMIG_PROFILE_A_PARTNER_ID,
				  "sip:alice@primary.example");
		ASSERT_REFUSED(self->nl, end(self), -ENOENT,
			       "no profile matches the selector",
			       LMIG_A_PROFILE, LMIG_PROFILE_A_PARTNER_ID);
	}

	begin(self, LMIG_CMD_PROFILE_GET);
	mnl_attr_put_strz(self->nlh, LMIG_PROFILE_A_PRIMARY_ID,
			  "sip:alice@partner.example");
	ASSERT_REFUSED(self->nl, end(self), -ENOENT,
		       "no profile matches the selector", LMIG_A_PROFILE,
		       LMIG_PROFILE_A_PRIMARY_ID);
}

TEST_F(reject, missing_selector)
{
	begin(self, LMIG_CMD_PROFILE_GET);
	ASSERT_REFUSED(self->nl, end(self), -EINVAL,
		       "missing selector: user id, partner ID or primary ID", 0,
		       LMIG_A_PROFILE);

	begin(self, LMIG_CMD_PROFILE_DEL);
	ASSERT_REFUSED(self->nl, end(self), -EINVAL,
		       "missing selector: user id or partner ID", 0,
		       LMIG_A_PROFILE);

	begin(self, LMIG_CMD_PROFILE_SET);
	mnl_attr_put_u32(self->nlh, LMIG_PROFILE_A_SERVICES, LMIG_SERVICE_PTT);
	mnl_attr_put_strz(self->nlh, LMIG_PROFILE_A_PRIMARY_ID,
			  "sip:alice@primary.example");
	ASSERT_REFUSED(self->nl, end(self), -EINVAL,
		       "missing selector: user id or partner ID", 0,
		       LMIG_A_PROFILE);
}

TEST_F(reject, two_selectors)
{
	static const uint8_t cmds[] = {LMIG_CMD_PROFILE_GET,
				       LMIG_CMD_PROFILE_DEL,
				       LMIG_CMD_PROFILE_SET};

	for (size_t i = 0; i < ARRAY_SIZE(cmds); i++) {
		begin(self, cmds[i]);
		mnl_attr_put_u32(self->nlh, LMIG_PROFILE_A_USER_ID, 1);
		mnl_attr_put_strz(self->nlh, LMIG_PROFILE_A_PARTNER_ID,
				  "sip:alice@partner.example");
		if (cmds[i] == LMIG_CMD_PROFILE_SET)
			mnl_attr_put_u32(self->nlh, LMIG_PROFILE_A_STATE, 2);
		ASSERT_NEST_REFUSED("more than one selector",
				    LMIG_PROFILE_A_PARTNER_ID);
	}

	begin(self, LMIG_CMD_PROFILE_GET);
	mnl_attr_put_strz(self->nlh, LMIG_PROFILE_A_PRIMARY_ID,
			  "sip:alice@primary.example");
	mnl_attr_put_strz(self->nlh, LMIG_PROFILE_A_PRIMARY_ID, "sip:x@p");
	ASSERT_NEST_REFUSED("more than one selector",
			    LMIG_PROFILE_A_PRIMARY_ID);
	ASSERT_EQ(1U, lmig_genl_error(self->nl)->attr_index);
}

TEST_F(reject, set_nothing_to_change)
{
	begin(self, LMIG_CMD_PROFILE_SET);
	mnl_attr_put_u32(self->nlh, LMIG_PROFILE_A_USER_ID, 1);
	ASSERT_REFUSED(self->nl, end(self), -EINVAL, "nothing to change", 0,
		       LMIG_A_PROFILE);
}

TEST_F(reject, set_generation)
{
	begin(self, LMIG_CMD_PROFILE_SET);
	mnl_attr_put_u32(self->nlh, LMIG_PROFILE_A_USER_ID, 1);
	mnl_attr_put_u64(self->nlh, LMIG_PROFILE_A_GENERATION, 5);
	ASSERT_NEST_REFUSED("generation is read only",
			    LMIG_PROFILE_A_GENERATION);
}

TEST_F(reject, fields_where_only_a_selector_goes)
{
	begin(self, LMIG_CMD_PROFILE_DEL);
	mnl_attr_put_u32(self->nlh, LMIG_PROFILE_A_USER_ID, 1);
	mnl_attr_put_u32(self->nlh, LMIG_PROFILE_A_SERVICES, LMIG_SERVICE_PTT);
	ASSERT_NEST_REFUSED("only a selector is allowed here",
			    LMIG_PROFILE_A_SERVICES);

	begin(self, LMIG_CMD_PROFILE_DEL);
	mnl_attr_put_strz(self->nlh, LMIG_PROFILE_A_PRIMARY_ID,
			  "sip:alice@primary.example");
	ASSERT_NEST_REFUSED("select by user id or partner ID",
			    LMIG_PROFILE_A_PRIMARY_ID);

	begin(self, LMIG_CMD_PROFILE_GET);
	mnl_attr_put_u32(self->nlh, LMIG_PROFILE_A_USER_ID, 1);
	mnl_attr_put_strz(self->nlh, LMIG_PROFILE_A_COMMENT, "x");
	ASSERT_NEST_REFUSED("only a selector is allowed here",
			    LMIG_PROFILE_A_COMMENT);
}

TEST_F(reject, comment)
{
	static const struct {
		const char *text;
		const char *msg;
	} cases[] = {
		{"tab\there", "comment is not printable UTF-8 text"},
		{"del\x7f", "comment is not printable UTF-8 text"},
		{"c1 \xc2\x9b", "comment is not printable UTF-8 text"},
		{"overlong \xc0\xaf", "comment is not printable UTF-8 text"},
		{"overlong \xe0\x80\xaf",
		 "comment is not printable UTF-8 text"},
		{"surrogate \xed\xa0\x80",
		 "comment is not printable UTF-8 text"},
		{"too high \xf4\x90\x80\x80",
		 "comment is not printable UTF-8 text"},
		{"cut \xe2\x82", "comment is not printable UTF-8 text"},
		{"lone \x80", "comment is not printable UTF-8 text"},
	};
	char long_text[LMIG_COMMENT_MAX_LEN + 2];

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		begin(self, LMIG_CMD_PROFILE_NEW);
		put_bob(self, 0);
		mnl_attr_put_strz(self->nlh, LMIG_PROFILE_A_COMMENT,
				  cases[i].text);
		ASSERT_NEST_REFUSED(cases[i].msg, LMIG_PROFILE_A_COMMENT);
	}

	memset(long_text, 'c', sizeof(long_text) - 1);
	long_text[sizeof(long_text) - 1] = '\0';
	begin(self, LMIG_CMD_PROFILE_NEW);
	put_bob(self, 0);
	mnl_attr_put_strz(self->nlh, LMIG_PROFILE_A_COMMENT, long_text);
	ASSERT_NEST_REFUSED("comment is longer than 255 bytes",
			    LMIG_PROFILE_A_COMMENT);

	begin(self, LMIG_CMD_PROFILE_NEW);
	put_bob(self, 0);
	mnl_attr_put(self->nlh, LMIG_PROFILE_A_COMMENT, 4, "ab\0c");
	ASSERT_NEST_REFUSED("comment has bytes after its NUL",
			    LMIG_PROFILE_A_COMMENT);
}

TEST_F(reject, dump_with_attributes)
{
	struct nlmsghdr *nlh;
	struct nlattr *nest;

	nlh = lmig_genl_request(self->nl, LMIG_CMD_PROFILE_GET, NLM_F_DUMP);
	nest = mnl_attr_nest_start(nlh, LMIG_A_PROFILE);
	mnl_attr_put_u32(nlh, LMIG_PROFILE_A_USER_ID, 1);
	mnl_attr_nest_end(nlh, nest);
	ASSERT_EQ(-EINVAL, lmig_genl_run(self->nl, nlh, NULL, NULL));
	ASSERT_STREQ("lmig: a dump takes no attributes",
		     lmig_genl_error(self->nl)->msg);
}

TEST_F(reject, info_with_attributes)
{
	begin(self, LMIG_CMD_INFO_GET);
	ASSERT_REFUSED(self->nl, end(self), -EINVAL, "Unsupported attribute", 0,
		       LMIG_A_PROFILE);
}

TEST_F(reject, replace_missing_fields)
{
	static const struct {
		uint16_t type;
		const char *msg;
	} cases[] = {
		{LMIG_PROFILE_A_PARTNER_ID, "missing partner ID"},
		{LMIG_PROFILE_A_PRIMARY_ID, "missing primary ID"},
		{LMIG_PROFILE_A_SERVICES, "missing services"},
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		begin(self, LMIG_CMD_PROFILE_REPLACE);
		put_bob(self, cases[i].type);
		mnl_attr_put_u32(self->nlh, LMIG_PROFILE_A_USER_ID, 1);
		ASSERT_REFUSED(self->nl, end(self), -EINVAL, cases[i].msg, 0,
			       LMIG_A_PROFILE);
		ASSERT_EQ(cases[i].type, lmig_genl_error(self->nl)->miss_type);
	}
	begin(self, LMIG_CMD_PROFILE_REPLACE);
	ASSERT_REFUSED(self->nl, end(self), -EINVAL, "missing partner ID", 0,
		       LMIG_A_PROFILE);
}

TEST_F(reject, replace_generation)
{
	begin(self, LMIG_CMD_PROFILE_REPLACE);
	put_bob(self, 0);
	mnl_attr_put_u64(self->nlh, LMIG_PROFILE_A_GENERATION, 1);
	ASSERT_NEST_REFUSED("generation is read only",
			    LMIG_PROFILE_A_GENERATION);
}

TEST_F(reject, replace_no_such_profile)
{
	/* By partner ID: bob is not there. */
	begin(self, LMIG_CMD_PROFILE_REPLACE);
	put_bob(self, 0);
	ASSERT_REFUSED(self->nl, end(self), -ENOENT,
		       "no profile matches the selector", LMIG_A_PROFILE,
		       LMIG_PROFILE_A_PARTNER_ID);

	begin(self, LMIG_CMD_PROFILE_REPLACE);
	put_bob(self, 0);
	mnl_attr_put_u32(self->nlh, LMIG_PROFILE_A_USER_ID, 99);
	ASSERT_REFUSED(self->nl, end(self), -ENOENT,
		       "no profile matches the selector", LMIG_A_PROFILE,
		       LMIG_PROFILE_A_USER_ID);
}

/* A replace may not take the IDs of another profile. */
TEST_F(reject, replace_takes_ids_of_another)
{
	ASSERT_EQ(2U, lmig_test_add(_metadata, self->nl, "bob"));
	self->before = lmig_test_info(_metadata, self->nl);

	/* Renaming alice to bob. */
	begin(self, LMIG_CMD_PROFILE_REPLACE);
	mnl_attr_put_u32(self->nlh, LMIG_PROFILE_A_USER_ID, 1);
	put_bob(self, LMIG_PROFILE_A_PRIMARY_ID);
	mnl_attr_put_strz(self->nlh, LMIG_PROFILE_A_PRIMARY_ID,
			  "sip:alice@primary.example");
	ASSERT_REFUSED(self->nl, end(self), -EEXIST,
		       "partner ID already in the table", LMIG_A_PROFILE,
		       LMIG_PROFILE_A_PARTNER_ID);

	/* Taking bob's primary ID. */
	begin(self, LMIG_CMD_PROFILE_REPLACE);
	mnl_attr_put_strz(self->nlh, LMIG_PROFILE_A_PARTNER_ID,
			  "sip:alice@partner.example");
	mnl_attr_put_strz(self->nlh, LMIG_PROFILE_A_PRIMARY_ID,
			  "sip:bob@primary.example");
	mnl_attr_put_u32(self->nlh, LMIG_PROFILE_A_SERVICES, LMIG_SERVICE_PTT);
	ASSERT_REFUSED(self->nl, end(self), -EEXIST,
		       "primary ID already in the table", LMIG_A_PROFILE,
		       LMIG_PROFILE_A_PRIMARY_ID);
}

/* Commands that take no attributes refuse every one. */
TEST_F(reject, no_attributes_allowed)
{
	static const uint8_t cmds[] = {LMIG_CMD_FLUSH, LMIG_CMD_APPLY_BEGIN,
				       LMIG_CMD_APPLY_ABORT};

	for (size_t i = 0; i < ARRAY_SIZE(cmds); i++) {
		begin(self, cmds[i]);
		put_bob(self, 0);
		ASSERT_REFUSED(self->nl, end(self), -EINVAL,
			       "Unsupported attribute", 0, LMIG_A_PROFILE);
		self->nlh = lmig_genl_request(self->nl, cmds[i], 0);
		mnl_attr_put_u32(self->nlh, LMIG_A_COUNT, 1);
		ASSERT_REFUSED(self->nl, self->nlh, -EINVAL,
			       "Unsupported attribute", 0, LMIG_A_COUNT);
	}
	/* None of it opened a transaction. */
	ASSERT_EQ(0U, lmig_test_info(_metadata, self->nl).applies);
}

TEST_F(reject, apply_without_transaction)
{
	static const uint8_t cmds[] = {LMIG_CMD_APPLY_ADD,
				       LMIG_CMD_APPLY_COMMIT,
				       LMIG_CMD_APPLY_ABORT};

	for (size_t i = 0; i < ARRAY_SIZE(cmds); i++) {
		self->nlh = lmig_genl_request(self->nl, cmds[i], 0);
		if (cmds[i] == LMIG_CMD_APPLY_ADD) {
			self->nest = mnl_attr_nest_start(self->nlh,
							 LMIG_A_PROFILE);
			put_bob(self, 0);
			end(self);
		} else if (cmds[i] == LMIG_CMD_APPLY_COMMIT) {
			mnl_attr_put_u32(self->nlh, LMIG_A_COUNT, 1);
		}
		ASSERT_REFUSED(self->nl, self->nlh, -ENOENT,
			       "lmig: no apply transaction open on this socket",
			       0, 0);
	}
}

TEST_F(reject, apply_add_and_commit)
{
	const struct lmig_genl_error *e;

	ASSERT_EQ(0, lmig_apply_begin(self->nl));

	/* No profile at all. */
	self->nlh = lmig_genl_request(self->nl, LMIG_CMD_APPLY_ADD, 0);
	ASSERT_REFUSED(self->nl, self->nlh, -EINVAL,
		       "lmig: missing profile attributes", 0, 0);
	ASSERT_EQ(LMIG_A_PROFILE, lmig_genl_error(self->nl)->miss_type);

	/* The second of three profiles has a user id. */
	self->nlh = lmig_genl_request(self->nl, LMIG_CMD_APPLY_ADD, 0);
	for (int i = 0; i < 3; i++) {
		self->nest = mnl_attr_nest_start(self->nlh, LMIG_A_PROFILE);
		mnl_attr_put_strz(self->nlh, LMIG_PROFILE_A_PARTNER_ID,
				  i ? "sip:y@p" : "sip:x@p");
		mnl_attr_put_strz(self->nlh, LMIG_PROFILE_A_PRIMARY_ID,
				  i ? "sip:y@q" : "sip:x@q");
		mnl_attr_put_u32(self->nlh, LMIG_PROFILE_A_SERVICES, 1);
		if (i == 1)
			mnl_attr_put_u32(self->nlh, LMIG_PROFILE_A_USER_ID, 1);
		end(self);
	}
	ASSERT_NEST_REFUSED("user id is assigned by the module",
			    LMIG_PROFILE_A_USER_ID);
	e = lmig_genl_error(self->nl);
	ASSERT_EQ(1U, e->nest_index);

	/* Other attributes than profiles. */
	self->nlh = lmig_genl_request(self->nl, LMIG_CMD_APPLY_ADD, 0);
	mnl_attr_put_u32(self->nlh, LMIG_A_COUNT, 1);
	ASSERT_REFUSED(self->nl, self->nlh, -EINVAL, "Unsupported attribute", 0,
		       LMIG_A_COUNT);

	/* A commit without its count, or with a count of the wrong size. */
	self->nlh = lmig_genl_request(self->nl, LMIG_CMD_APPLY_COMMIT, 0);
	ASSERT_REFUSED(self->nl, self->nlh, -EINVAL,
		       "lmig: missing count of the batch", 0, 0);
	ASSERT_EQ(LMIG_A_COUNT, lmig_genl_error(self->nl)->miss_type);
	self->nlh = lmig_genl_request(self->nl, LMIG_CMD_APPLY_COMMIT, 0);
	mnl_attr_put_u64(self->nlh, LMIG_A_COUNT, 0);
	ASSERT_EQ(-EINVAL, lmig_genl_run(self->nl, self->nlh, NULL, NULL));
	ASSERT_EQ(LMIG_A_COUNT, lmig_genl_error(self->nl)->attr_type);
	self->nlh = lmig_genl_request(self->nl, LMIG_CMD_APPLY_COMMIT, 0);
	mnl_attr_put_u32(self->nlh, LMIG_A_COUNT, 1);
	ASSERT_REFUSED(self->nl, self->nlh, -EINVAL,
		       "count is not the number of profiles staged", 0,
		       LMIG_A_COUNT);

	/* Every refusal left the transaction as it was: open and empty. */
	ASSERT_EQ(1U, lmig_test_info(_metadata, self->nl).applies);
	ASSERT_EQ(0U, lmig_test_info(_metadata, self->nl).staged);
	ASSERT_EQ(0, lmig_apply_abort(self->nl));
}

TEST_F(reject, unknown_command)
{
	static const uint8_t cmds[] = {
		LMIG_CMD_UNSPEC, LMIG_CMD_PROFILE_NEW_NTF,
		LMIG_CMD_PROFILE_DEL_NTF, LMIG_CMD_FLUSH_NTF, __LMIG_CMD_MAX};

	for (size_t i = 0; i < ARRAY_SIZE(cmds); i++) {
		struct nlmsghdr *nlh = lmig_genl_request(self->nl, cmds[i], 0);

		ASSERT_EQ(-EOPNOTSUPP,
			  lmig_genl_run(self->nl, nlh, NULL, NULL));
	}
}

TEST_F(reject, reserved_header_bits)
{
	struct nlmsghdr *nlh;

	nlh = lmig_genl_request(self->nl, LMIG_CMD_INFO_GET, NLM_F_CREATE);
	ASSERT_EQ(-EINVAL, lmig_genl_run(self->nl, nlh, NULL, NULL));
	ASSERT_STREQ("ambiguous or reserved bits set in nlmsg_flags",
		     lmig_genl_error(self->nl)->msg);

	nlh = lmig_genl_request(self->nl, LMIG_CMD_INFO_GET, 0);
	((struct genlmsghdr *)mnl_nlmsg_get_payload(nlh))->reserved = 1;
	ASSERT_EQ(-EINVAL, lmig_genl_run(self->nl, nlh, NULL, NULL));
	ASSERT_STREQ("genlmsghdr.reserved field is not 0",
		     lmig_genl_error(self->nl)->msg);
}

LMIG_TEST_MAIN
