// SPDX-License-Identifier: GPL-2.0-only
/*
 * The verified-token cache: a token presented again is answered from the
 * cache only inside the window its verification holds (nbf, iat, exp with
 * the clock skew, and its key's certificate), other bytes never match,
 * refusals are never remembered, and the profile is read anew every time.
 */
#include <errno.h>

#include "kselftest_harness.h"
#include "../unit/testutil.h"
#include "admit.h"
#include "token_cache.h"

#define ISSUER	 "https://idms.primary.example"
#define AUDIENCE "https://mc.partner.example"
#define NOW	 1790000000
#define NOW_S	 "1790000000"
#define SKEW	 5

FIXTURE(cache)
{
	char dir[PATH_MAX];
	char tool[PATH_MAX];
	char token[16384];
	struct lmig_verifier *v;
	struct lmigd_token_cache *c;
	struct lmig_token t;
	struct lmigd_profile profile;
	int lookups;
};

static int tool(FIXTURE_DATA(cache) * self, char **args, char *out,
		size_t out_size)
{
	return tu_run_tool(self->tool, args, out, out_size);
}

/* A key and certificate "name", the certificate ending at not_after. */
static int keygen(FIXTURE_DATA(cache) * self, const char *name,
		  const char *not_after)
{
	char key[PATH_MAX + 8], cert[PATH_MAX + 8], out[64];
	char *args[] = {
		"keygen",	   "--alg", "ES256", "--key", key,
		"--cert",	   cert,    "--now", NOW_S,   "--not-after",
		(char *)not_after, NULL};

	snprintf(key, sizeof(key), "%s/%s.key", self->dir, name);
	snprintf(cert, sizeof(cert), "%s/%s.pem", self->dir, name);
	return tool(self, args, out, sizeof(out));
}

/* A PTT token signed by key "name"; extra: more mint arguments, or NULL. */
static int mint(FIXTURE_DATA(cache) * self, const char *name,
		const char *extra1, const char *extra2)
{
	char key[PATH_MAX + 8];
	char *args[] = {"mint",
			"--now",
			NOW_S,
			"--key",
			key,
			"--iss",
			ISSUER,
			"--aud",
			AUDIENCE,
			"--scope",
			"3gpp:mc:ptt_service",
			"--mcptt-id",
			"sip:alice@primary.example",
			(char *)extra1,
			(char *)extra2,
			NULL};
	int rc;

	snprintf(key, sizeof(key), "%s/%s.key", self->dir, name);
	rc = tool(self, args, self->token, sizeof(self->token));
	self->token[strcspn(self->token, "\n")] = '\0';
	return rc;
}

static enum lmig_token_status verify_at(FIXTURE_DATA(cache) * self, int64_t now)
{
	return lmigd_token_verify_cached(self->c, self->v, self->token,
					 strlen(self->token), now, &self->t);
}

static struct lmigd_token_cache_stats stats(FIXTURE_DATA(cache) * self)
{
	struct lmigd_token_cache_stats s;

	lmigd_token_cache_stats(self->c, &s);
	return s;
}

FIXTURE_SETUP(cache)
{
	const struct lmig_verifier_config vc = {.audience = AUDIENCE,
						.clock_skew = SKEW};
	char cert[PATH_MAX + 16], err[512];
	struct lmig_trust *trust;

	ASSERT_TRUE(tu_tool_path("lmig-idms", self->tool));
	ASSERT_TRUE(tu_mkdtemp(self->dir));
	ASSERT_EQ(0, keygen(self, "long", "now+365d"));
	ASSERT_EQ(0, keygen(self, "short", "now+600"));
	trust = lmig_trust_new();
	ASSERT_NE(NULL, trust);
	for (int i = 0; i < 2; i++) {
		snprintf(cert, sizeof(cert), "%s/%s.pem", self->dir,
			 i ? "short" : "long");
		ASSERT_EQ(0, lmig_trust_add_cert_file(trust, ISSUER,
						      LMIG_JWS_ES256, NULL,
						      cert, err, sizeof(err)))
		{
			TH_LOG("%s", err);
		}
	}
	ASSERT_EQ(0, lmig_verifier_new(trust, &vc, &self->v, err, sizeof(err)));
	self->c = lmigd_token_cache_new();
	ASSERT_NE(NULL, self->c);
	self->profile = (struct lmigd_profile){
		.user_id = 1,
		.partner_id = "sip:alice@partner.example",
		.services = LMIG_SERVICE_PTT,
		.state = LMIG_STATE_ACTIVE,
	};
}

FIXTURE_TEARDOWN(cache)
{
	lmigd_token_cache_free(self->c);
	lmig_verifier_free(self->v);
	tu_rmdir(self->dir);
}

TEST_F(cache, a_second_presentation_is_answered_from_the_cache)
{
	ASSERT_EQ(0, mint(self, "long", NULL, NULL));
	ASSERT_EQ(LMIG_TOKEN_OK, verify_at(self, NOW));
	EXPECT_EQ(0, stats(self).hits);
	EXPECT_EQ(1, stats(self).misses);
	EXPECT_EQ(1, stats(self).entries);
	memset(&self->t, 0, sizeof(self->t));
	ASSERT_EQ(LMIG_TOKEN_OK, verify_at(self, NOW + 60));
	EXPECT_EQ(1, stats(self).hits);
	EXPECT_STREQ("sip:alice@primary.example", self->t.mcptt_id);
	EXPECT_STREQ(ISSUER, self->t.issuer);
	EXPECT_EQ(LMIG_SERVICE_PTT, self->t.services);
	EXPECT_EQ(NOW + 3600, self->t.exp);
}

TEST_F(cache, an_entry_ends_with_the_token_and_the_skew)
{
	ASSERT_EQ(0, mint(self, "long", "--exp", "now+100"));
	ASSERT_EQ(LMIG_TOKEN_OK, verify_at(self, NOW));
	ASSERT_EQ(LMIG_TOKEN_OK, verify_at(self, NOW + 100 + SKEW - 1));
	EXPECT_EQ(1, stats(self).hits);
	EXPECT_EQ(LMIG_TOKEN_EXPIRED, verify_at(self, NOW + 100 + SKEW));
	EXPECT_EQ(1, stats(self).hits);
	EXPECT_EQ(2, stats(self).misses);
}

TEST_F(cache, an_entry_starts_with_nbf_and_iat)
{
	ASSERT_EQ(0, mint(self, "long", "--nbf", "now+100"));
	ASSERT_EQ(LMIG_TOKEN_OK, verify_at(self, NOW + 100));
	EXPECT_EQ(LMIG_TOKEN_NOT_YET_VALID,
		  verify_at(self, NOW + 100 - SKEW - 1));
	EXPECT_EQ(0, stats(self).hits);
	EXPECT_EQ(LMIG_TOKEN_OK, verify_at(self, NOW + 100 - SKEW));
	EXPECT_EQ(1, stats(self).hits);

	ASSERT_EQ(0, mint(self, "long", "--iat", "now+50"));
	ASSERT_EQ(LMIG_TOKEN_OK, verify_at(self, NOW + 60));
	EXPECT_EQ(LMIG_TOKEN_ISSUED_IN_FUTURE,
		  verify_at(self, NOW + 50 - SKEW - 1));
	EXPECT_EQ(1, stats(self).hits);
}

TEST_F(cache, an_entry_ends_with_its_certificate)
{
	ASSERT_EQ(0, mint(self, "short", NULL, NULL));
	ASSERT_EQ(LMIG_TOKEN_OK, verify_at(self, NOW));
	ASSERT_EQ(LMIG_TOKEN_OK, verify_at(self, NOW + 600));
	EXPECT_EQ(1, stats(self).hits);
	/* Without kid only keys valid now are tried: no key verifies it. */
	EXPECT_EQ(LMIG_TOKEN_BAD_SIGNATURE, verify_at(self, NOW + 601));
	EXPECT_EQ(1, stats(self).hits);
	EXPECT_EQ(2, stats(self).misses);
}

TEST_F(cache, other_bytes_never_match_and_refusals_are_not_kept)
{
	size_t len;

	ASSERT_EQ(0, mint(self, "long", NULL, NULL));
	ASSERT_EQ(LMIG_TOKEN_OK, verify_at(self, NOW));
	len = strlen(self->token);
	/*
	 * The same token with one signature character changed: not the last,
	 * whose spare bits must be zero, so the change stays well-formed.
	 */
	self->token[len - 8] = self->token[len - 8] == 'A' ? 'B' : 'A';
	EXPECT_EQ(LMIG_TOKEN_BAD_SIGNATURE, verify_at(self, NOW));
	EXPECT_EQ(LMIG_TOKEN_BAD_SIGNATURE, verify_at(self, NOW));
	EXPECT_EQ(0, stats(self).hits);
	EXPECT_EQ(3, stats(self).misses);
	/* A prefix of a cached token is another token, and malformed. */
	ASSERT_EQ(0, mint(self, "long", NULL, NULL));
	ASSERT_EQ(LMIG_TOKEN_OK, verify_at(self, NOW));
	self->token[strlen(self->token) - 1] = '\0';
	EXPECT_NE(LMIG_TOKEN_OK, verify_at(self, NOW));
}

TEST_F(cache, a_flush_forgets_everything)
{
	ASSERT_EQ(0, mint(self, "long", NULL, NULL));
	ASSERT_EQ(LMIG_TOKEN_OK, verify_at(self, NOW));
	lmigd_token_cache_flush(self->c);
	EXPECT_EQ(0, stats(self).entries);
	ASSERT_EQ(LMIG_TOKEN_OK, verify_at(self, NOW));
	EXPECT_EQ(0, stats(self).hits);
	EXPECT_EQ(2, stats(self).misses);
}

static int lookup(void *arg, const char *id, struct lmigd_profile *out)
{
	FIXTURE_DATA(cache) *self = arg;

	self->lookups++;
	if (strcmp(id, "sip:alice@primary.example"))
		return -ENOENT;
	*out = self->profile;
	return 0;
}

TEST_F(cache, the_profile_is_read_anew_every_time)
{
	struct lmigd_admit_policy policy = {
		.verifier = self->v,
		.lookup = lookup,
		.lookup_arg = self,
		.max_admission = 3600,
		.cache = self->c,
	};
	struct lmigd_decision d;

	ASSERT_EQ(0, mint(self, "long", NULL, NULL));
	lmigd_admit_decide(&policy, self->token, strlen(self->token), NOW, &d);
	EXPECT_EQ(LMIGD_ADMITTED, d.verdict);
	self->profile.state = LMIG_STATE_SUSPENDED;
	lmigd_admit_decide(&policy, self->token, strlen(self->token), NOW, &d);
	EXPECT_EQ(LMIGD_REFUSED_SUSPENDED, d.verdict);
	EXPECT_EQ(1, stats(self).hits);
	EXPECT_EQ(2, self->lookups);
	self->profile.state = LMIG_STATE_ACTIVE;
	self->profile.services = LMIG_SERVICE_VIDEO;
	lmigd_admit_decide(&policy, self->token, strlen(self->token), NOW, &d);
	EXPECT_EQ(LMIGD_REFUSED_NO_SERVICE, d.verdict);
	EXPECT_EQ(2, stats(self).hits);
}

TEST_HARNESS_MAIN
