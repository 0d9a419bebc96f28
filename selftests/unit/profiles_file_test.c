// SPDX-License-Identifier: GPL-2.0-only
/* The declarative profiles file: accepted whole, or refused at file:line. */
#include <string.h>

#include "kselftest_harness.h"
#include "profiles_file.h"

static struct lmig_profiles ps;
static char err[512];

static int parse(const char *text)
{
	return lmig_profiles_parse(text, strlen(text), "p.conf", &ps, err,
				   sizeof(err));
}

TEST(every_field)
{
	ASSERT_EQ(0,
		  parse("# the partner's profiles\n"
			"\n"
			"profile sip:alice@partner.example \\\n"
			"   primary sip:alice@primary.example \\\n"
			"   primary sip:alice.video@primary.example\\\n"
			"   services ptt,video state suspended \\\n"
			"   not-before 2026-01-01T00:00:00Z not-after "
			"1798761600 \\\n"
			"   comment \"Team \\\"Alpha\\\" liaison \\\\ 1\"  # "
			"ok\r\n"
			"profile sip:bob@p primary sip:bob@q services data\n"))
	{
		TH_LOG("%s", err);
	}
	ASSERT_EQ(2, ps.n);
	const struct lmig_profile *a = &ps.v[0], *b = &ps.v[1];

	EXPECT_STREQ("sip:alice@partner.example", a->partner_id);
	ASSERT_EQ(2, a->n_primary_ids);
	EXPECT_STREQ("sip:alice.video@primary.example", a->primary_ids[1]);
	EXPECT_EQ(LMIG_SERVICE_PTT | LMIG_SERVICE_VIDEO, a->services);
	EXPECT_EQ(LMIG_STATE_SUSPENDED, a->state);
	EXPECT_EQ(1767225600, a->not_before);
	EXPECT_EQ(1798761600, a->not_after);
	EXPECT_STREQ("Team \"Alpha\" liaison \\ 1", a->comment);
	EXPECT_EQ(3, ps.line[0]);
	EXPECT_EQ(9, ps.line[1]);
	EXPECT_EQ(LMIG_STATE_ACTIVE, b->state);
	EXPECT_EQ(0, b->not_before);
	EXPECT_EQ(0, b->fields & LMIG_PF_COMMENT);
	lmig_profiles_free(&ps);
}

TEST(empty_file_is_an_empty_policy)
{
	ASSERT_EQ(0, parse("# nothing\n\n   \n"));
	EXPECT_EQ(0, ps.n);
	lmig_profiles_free(&ps);
}

/* write, then parse: the same profiles. */
TEST(round_trip)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	struct lmig_profiles again;

	ASSERT_EQ(0,
		  parse("profile P1 primary A primary B services ptt,data "
			"state suspended not-after 2030-01-01 "
			"comment \"a \\\"b\\\" é\"\n"
			"profile P2 primary C services video not-before 5\n"));
	f = open_memstream(&buf, &len);
	ASSERT_NE(NULL, f);
	for (size_t i = 0; i < ps.n; i++)
		lmig_profiles_write(f, &ps.v[i]);
	fclose(f);
	ASSERT_EQ(0, lmig_profiles_parse(buf, len, "again", &again, err,
					 sizeof(err)))
	{
		TH_LOG("%s\n%s", err, buf);
	}
	ASSERT_EQ(ps.n, again.n);
	for (size_t i = 0; i < ps.n; i++) {
		EXPECT_STREQ(ps.v[i].partner_id, again.v[i].partner_id);
		EXPECT_EQ(ps.v[i].n_primary_ids, again.v[i].n_primary_ids);
		EXPECT_EQ(ps.v[i].services, again.v[i].services);
		EXPECT_EQ(ps.v[i].state, again.v[i].state);
		EXPECT_EQ(ps.v[i].not_before, again.v[i].not_before);
		EXPECT_EQ(ps.v[i].not_after, again.v[i].not_after);
		EXPECT_STREQ(ps.v[i].comment, again.v[i].comment);
	}
	EXPECT_STREQ("profile P1 primary A primary B services ptt,data "
		     "state suspended not-after 2030-01-01T00:00:00Z "
		     "comment \"a \\\"b\\\" é\"\n"
		     "profile P2 primary C services video "
		     "not-before 1970-01-01T00:00:05Z\n",
		     buf);
	free(buf);
	lmig_profiles_free(&again);
	lmig_profiles_free(&ps);
}

FIXTURE(bad){};
FIXTURE_SETUP(bad)
{
}
FIXTURE_TEARDOWN(bad)
{
}
FIXTURE_VARIANT(bad)
{
	const char *text;
	const char *error;
};

#define BAD(name, t, e)                \
	FIXTURE_VARIANT_ADD(bad, name) \
	{                              \
		.text = t, .error = e, \
	}

BAD(keyword, "profile A primary B services ptt\nuser C\n",
    "p.conf:2: expected 'profile', not 'user'");
BAD(no_partner, "profile\n", "p.conf:1: a profile starts with its partner ID");
BAD(quoted_partner_blank, "profile \"a b\" primary B services ptt\n",
    "p.conf:1: partner ID 'a b' has a byte outside printable ASCII "
    "(0x21..0x7e: no blanks)");
BAD(quoted_primary_empty, "profile A primary \"\" services ptt\n",
    "p.conf:1: primary '' is empty");
BAD(no_primary, "profile A services ptt\n",
    "p.conf:1: profile A has no primary ID");
BAD(no_services, "profile A primary B\n",
    "p.conf:1: profile A has no services");
BAD(service, "profile A primary B services ptt,voice\n",
    "p.conf:1: unknown service 'voice' (ptt, video, data)");
BAD(state, "profile A primary B services ptt state gone\n",
    "p.conf:1: state 'gone' unknown (active, suspended)");
BAD(relative_time, "profile A primary B services ptt not-after +7d\n",
    "p.conf:1: not-after '+7d' is not an absolute time (Unix seconds or "
    "2026-12-01T00:00:00Z)");
BAD(window, "profile A primary B services ptt not-before 10 not-after 10\n",
    "p.conf:1: profile A: not-before is not before not-after");
BAD(twice, "profile A primary B services ptt services video\n",
    "p.conf:1: services given twice");
BAD(dangling, "profile A primary B services\n",
    "p.conf:1: 'services' needs a value");
BAD(field, "profile A primary B services ptt colour red\n",
    "p.conf:1: 'colour' is not a profile field (primary, services, state, "
    "not-before, not-after, comment)");
BAD(quote, "profile A primary B services ptt comment \"open\n",
    "p.conf:1: unterminated quoted string");
BAD(quote_in_word, "profile A primary B\"x services ptt\n",
    "p.conf:1: a quote inside a word");
BAD(control, "profile A primary B services ptt\x01\n",
    "p.conf:1: control character in line");
BAD(comment_ctrl, "profile A primary B services ptt comment \"\xc2\x85\"\n",
    "p.conf:1: comment must be printable UTF-8 of at most 255 bytes");
BAD(dup_partner,
    "profile A primary B services ptt\n\nprofile A primary C services ptt\n",
    "p.conf:3: partner ID A is already used on line 1");
BAD(dup_primary,
    "profile A primary B services ptt\nprofile C primary B services ptt\n",
    "p.conf:2: primary ID B is already used on line 1");
BAD(last_line,
    "profile A primary B services ptt\nprofile C primary D services ptt state "
    "x",
    "p.conf:2: state 'x' unknown (active, suspended)");

TEST_F(bad, refused_whole)
{
	ASSERT_EQ(-1, parse(variant->text));
	EXPECT_STREQ(variant->error, err);
	EXPECT_EQ(0, ps.n);
	EXPECT_EQ(NULL, ps.v);
}

TEST(too_many_primaries)
{
	char text[4096] = "profile A services ptt";

	for (int i = 0; i <= LMIG_PRIMARY_IDS_MAX; i++)
		snprintf(text + strlen(text), sizeof(text) - strlen(text),
			 " primary id%d", i);
	strcat(text, "\n");
	ASSERT_EQ(-1, parse(text));
	EXPECT_STREQ("p.conf:1: more than 16 primary IDs", err);
}

TEST_HARNESS_MAIN
