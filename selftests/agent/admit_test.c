// SPDX-License-Identifier: GPL-2.0-only
/*
 * The admission decision with real tokens (minted by lmig-idms, verified
 * by the real verifier) and a table of profiles standing in for the
 * kernel: each refusal has its own reason, and what is granted is token
 * scope and profile services, until the earliest of token expiry,
 * profile end and the gateway's limit.
 */
#include <errno.h>
#include <time.h>

#include "kselftest_harness.h"
#include "../unit/testutil.h"
#include "admit.h"

#define ISSUER	      "https://idms.primary.example"
#define ROGUE	      "https://idms.rogue.example"
#define AUDIENCE      "https://mc.partner.example"
#define NOW	      1790000000
#define NOW_S	      "1790000000"
#define MAX_ADMISSION 86400

static const struct lmigd_profile profiles[] = {
	{.user_id = 1,
	 .partner_id = "sip:alice@partner.example",
	 .services = LMIG_SERVICE_PTT | LMIG_SERVICE_VIDEO,
	 .state = LMIG_STATE_ACTIVE,
	 .generation = 1},
	{.user_id = 2,
	 .partner_id = "sip:sus@partner.example",
	 .services = LMIG_SERVICE_PTT,
	 .state = LMIG_STATE_SUSPENDED},
	{.user_id = 3,
	 .partner_id = "sip:later@partner.example",
	 .services = LMIG_SERVICE_PTT,
	 .state = LMIG_STATE_ACTIVE,
	 .not_before = NOW + 60},
	{.user_id = 4,
	 .partner_id = "sip:over@partner.example",
	 .services = LMIG_SERVICE_PTT,
	 .state = LMIG_STATE_ACTIVE,
	 .not_after = NOW - 1},
	{.user_id = 5,
	 .partner_id = "sip:soon@partner.example",
	 .services = LMIG_SERVICE_PTT,
	 .state = LMIG_STATE_ACTIVE,
	 .not_after = NOW + 600},
	{.user_id = 6,
	 .partner_id = "sip:data@partner.example",
	 .services = LMIG_SERVICE_DATA,
	 .state = LMIG_STATE_ACTIVE},
};

/* primary MC ID -> index in profiles[] */
static const struct {
	const char *id;
	int profile;
} primaries[] = {
	{"sip:alice@primary.example", 0},
	{"sip:alice.video@primary.example", 0},
	{"sip:sus@primary.example", 1},
	{"sip:later@primary.example", 2},
	{"sip:over@primary.example", 3},
	{"sip:soon@primary.example", 4},
	{"sip:data@primary.example", 5},
	{"sip:broken@primary.example", -1}, /* the kernel fails */
};

static int lookup(void *arg, const char *id, struct lmigd_profile *out)
{
	int *calls = arg;

	(*calls)++;
	for (size_t i = 0; i < sizeof(primaries) / sizeof(*primaries); i++) {
		if (strcmp(primaries[i].id, id))
			continue;
		if (primaries[i].profile < 0)
			return -EIO;
		*out = profiles[primaries[i].profile];
		return 0;
	}
	return -ENOENT;
}

FIXTURE(admit)
{
	char dir[PATH_MAX];
	char tool[PATH_MAX];
	char token[16384];
	struct lmig_verifier *v;
	struct lmigd_admit_policy policy;
	struct lmigd_decision d;
	int lookups;
};

static int run_tool(FIXTURE_DATA(admit) * self, char *const *args, char *out,
		    size_t out_size)
{
	return tu_run_tool(self->tool, args, out, out_size);
}

static int keygen(FIXTURE_DATA(admit) * self, const char *name)
{
	char key[PATH_MAX + 8], cert[PATH_MAX + 8], out[64];
	char *args[] = {"keygen", "--alg", "ES256", "--key", key,
			"--cert", cert,	   "--now", NOW_S,   NULL};

	snprintf(key, sizeof(key), "%s/%s.key", self->dir, name);
	snprintf(cert, sizeof(cert), "%s/%s.pem", self->dir, name);
	return run_tool(self, args, out, sizeof(out));
}

/* Mint with key "name" and the given extra arguments, into self->token. */
static int mint(FIXTURE_DATA(admit) * self, const char *name, ...)
{
	char key[PATH_MAX + 8];
	char *args[40] = {"mint", "--now", NOW_S, "--key", key};
	int n = 5, rc;
	va_list ap;

	snprintf(key, sizeof(key), "%s/%s.key", self->dir, name);
	va_start(ap, name);
	for (char *a; n < 39 && (a = va_arg(ap, char *));)
		args[n++] = a;
	va_end(ap);
	args[n] = NULL;
	rc = run_tool(self, args, self->token, sizeof(self->token));
	self->token[strcspn(self->token, "\n")] = '\0';
	return rc;
}

static void decide(FIXTURE_DATA(admit) * self)
{
	lmigd_admit_decide(&self->policy, self->token, strlen(self->token), NOW,
			   &self->d);
}

FIXTURE_SETUP(admit)
{
	const struct lmig_verifier_config vc = {.audience = AUDIENCE,
						.clock_skew = 5};
	struct lmig_trust *trust;
	char cert[PATH_MAX + 16], err[512];

	ASSERT_TRUE(tu_tool_path("lmig-idms", self->tool));
	ASSERT_TRUE(tu_mkdtemp(self->dir));
	ASSERT_EQ(0, keygen(self, "primary"));
	ASSERT_EQ(0, keygen(self, "rogue"));
	trust = lmig_trust_new();
	ASSERT_NE(NULL, trust);
	snprintf(cert, sizeof(cert), "%s/primary.pem", self->dir);
	ASSERT_EQ(0, lmig_trust_add_cert_file(trust, ISSUER, LMIG_JWS_ES256,
					      NULL, cert, err, sizeof(err)))
	{
		TH_LOG("%s", err);
	}
	ASSERT_EQ(0, lmig_verifier_new(trust, &vc, &self->v, err, sizeof(err)));
	self->lookups = 0;
	self->policy = (struct lmigd_admit_policy){
		.verifier = self->v,
		.lookup = lookup,
		.lookup_arg = &self->lookups,
		.max_admission = MAX_ADMISSION,
	};
}

FIXTURE_TEARDOWN(admit)
{
	lmig_verifier_free(self->v);
	tu_rmdir(self->dir);
}

#define PTT_ALICE                                       \
	"--scope", "3gpp:mc:ptt_service", "--mcptt-id", \
		"sip:alice@primary.example"

static void expect_refusal(struct __test_metadata *_metadata,
			   const struct lmigd_decision *d,
			   enum lmigd_verdict verdict, int status,
			   const char *error, const char *reason,
			   const char *client_reason)
{
	EXPECT_EQ(verdict, d->verdict);
	EXPECT_EQ(status, d->http_status);
	EXPECT_STREQ(error, d->error);
	EXPECT_STREQ(reason, d->reason);
	EXPECT_STREQ(client_reason, d->client_reason);
	EXPECT_NE(NULL, d->message);
	EXPECT_NE(NULL, d->detail);
	EXPECT_EQ(0, d->services);
}

TEST_F(admit, valid_token_is_admitted)
{
	ASSERT_EQ(0, mint(self, "primary", "--iss", ISSUER, "--aud", AUDIENCE,
			  "--exp-in", "3600", "--scope",
			  "openid 3gpp:mc:ptt_service 3gpp:mc:video_service "
			  "3gpp:mc:data_service",
			  "--mcptt-id", "sip:alice@primary.example",
			  "--mcvideo-id", "sip:alice.video@primary.example",
			  "--mcdata-id", "sip:alice@primary.example", NULL));
	decide(self);
	ASSERT_EQ(LMIGD_ADMITTED, self->d.verdict)
	{
		TH_LOG("%s: %s", self->d.reason, self->d.detail);
	}
	EXPECT_EQ(200, self->d.http_status);
	EXPECT_EQ(1, self->d.profile.user_id);
	/* data is asked for but not permitted by the profile. */
	EXPECT_EQ(LMIG_SERVICE_PTT | LMIG_SERVICE_VIDEO, self->d.services);
	EXPECT_EQ(NOW + 3600, self->d.expires);
	EXPECT_EQ(3, self->lookups);
}

TEST_F(admit, expiry_is_capped_by_profile_and_gateway)
{
	ASSERT_EQ(0, mint(self, "primary", "--iss", ISSUER, "--aud", AUDIENCE,
			  "--exp-in", "3600", "--scope", "3gpp:mc:ptt_service",
			  "--mcptt-id", "sip:soon@primary.example", NULL));
	decide(self);
	ASSERT_EQ(LMIGD_ADMITTED, self->d.verdict);
	EXPECT_EQ(NOW + 600, self->d.expires);

	ASSERT_EQ(0, mint(self, "primary", "--iss", ISSUER, "--aud", AUDIENCE,
			  "--exp-in", "3600", PTT_ALICE, NULL));
	self->policy.max_admission = 120;
	decide(self);
	ASSERT_EQ(LMIGD_ADMITTED, self->d.verdict);
	EXPECT_EQ(NOW + 120, self->d.expires);
}

TEST_F(admit, wrong_signature)
{
	ASSERT_EQ(0, mint(self, "primary", "--iss", ISSUER, "--aud", AUDIENCE,
			  "--tamper-signature", PTT_ALICE, NULL));
	decide(self);
	expect_refusal(_metadata, &self->d, LMIGD_REFUSED_TOKEN, 401,
		       "invalid_token", "bad_signature", "untrusted_token");
	EXPECT_EQ(0, self->lookups);
}

TEST_F(admit, key_of_another_idms_under_the_trusted_name)
{
	ASSERT_EQ(0, mint(self, "rogue", "--iss", ISSUER, "--aud", AUDIENCE,
			  PTT_ALICE, NULL));
	decide(self);
	expect_refusal(_metadata, &self->d, LMIGD_REFUSED_TOKEN, 401,
		       "invalid_token", "bad_signature", "untrusted_token");
}

TEST_F(admit, wrong_issuer)
{
	ASSERT_EQ(0, mint(self, "rogue", "--iss", ROGUE, "--aud", AUDIENCE,
			  PTT_ALICE, NULL));
	decide(self);
	expect_refusal(_metadata, &self->d, LMIGD_REFUSED_TOKEN, 401,
		       "invalid_token", "unknown_issuer", "untrusted_token");
	EXPECT_EQ(0, self->lookups);
}

TEST_F(admit, wrong_audience)
{
	ASSERT_EQ(0, mint(self, "primary", "--iss", ISSUER, "--aud",
			  "https://mc.other.example", PTT_ALICE, NULL));
	decide(self);
	expect_refusal(_metadata, &self->d, LMIGD_REFUSED_TOKEN, 401,
		       "invalid_token", "wrong_audience", "wrong_audience");
}

TEST_F(admit, expired)
{
	ASSERT_EQ(0, mint(self, "primary", "--iss", ISSUER, "--aud", AUDIENCE,
			  "--exp", "now-60", "--iat", "now-3600", PTT_ALICE,
			  NULL));
	decide(self);
	expect_refusal(_metadata, &self->d, LMIGD_REFUSED_TOKEN, 401,
		       "invalid_token", "expired", "expired");
}

TEST_F(admit, expired_within_skew_grants_nothing)
{
	/* exp 2 s ago is inside the 5 s skew, but nothing is left of it. */
	ASSERT_EQ(0,
		  mint(self, "primary", "--iss", ISSUER, "--aud", AUDIENCE,
		       "--exp", "now-2", "--iat", "now-3600", PTT_ALICE, NULL));
	decide(self);
	expect_refusal(_metadata, &self->d, LMIGD_REFUSED_TOKEN, 401,
		       "invalid_token", "expired", "expired");
}

TEST_F(admit, no_mc_scope)
{
	ASSERT_EQ(0, mint(self, "primary", "--iss", ISSUER, "--aud", AUDIENCE,
			  "--scope", "openid profile", "--mcptt-id",
			  "sip:alice@primary.example", NULL));
	decide(self);
	expect_refusal(_metadata, &self->d, LMIGD_REFUSED_TOKEN, 403,
		       "insufficient_scope", "no_mc_scope", "no_mc_scope");
}

TEST_F(admit, unknown_user)
{
	ASSERT_EQ(0, mint(self, "primary", "--iss", ISSUER, "--aud", AUDIENCE,
			  "--scope", "3gpp:mc:ptt_service", "--mcptt-id",
			  "sip:bob@primary.example", NULL));
	decide(self);
	expect_refusal(_metadata, &self->d, LMIGD_REFUSED_NO_PROFILE, 403,
		       "insufficient_scope", "no_profile", "no_profile");
}

TEST_F(admit, ids_of_two_users)
{
	ASSERT_EQ(0, mint(self, "primary", "--iss", ISSUER, "--aud", AUDIENCE,
			  "--scope", "3gpp:mc:ptt_service 3gpp:mc:data_service",
			  "--mcptt-id", "sip:alice@primary.example",
			  "--mcdata-id", "sip:data@primary.example", NULL));
	decide(self);
	expect_refusal(_metadata, &self->d, LMIGD_REFUSED_ID_MISMATCH, 403,
		       "insufficient_scope", "id_mismatch", "id_mismatch");
}

TEST_F(admit, suspended)
{
	ASSERT_EQ(0, mint(self, "primary", "--iss", ISSUER, "--aud", AUDIENCE,
			  "--scope", "3gpp:mc:ptt_service", "--mcptt-id",
			  "sip:sus@primary.example", NULL));
	decide(self);
	expect_refusal(_metadata, &self->d, LMIGD_REFUSED_SUSPENDED, 403,
		       "insufficient_scope", "suspended", "suspended");
}

TEST_F(admit, profile_window)
{
	ASSERT_EQ(0, mint(self, "primary", "--iss", ISSUER, "--aud", AUDIENCE,
			  "--scope", "3gpp:mc:ptt_service", "--mcptt-id",
			  "sip:later@primary.example", NULL));
	decide(self);
	expect_refusal(_metadata, &self->d, LMIGD_REFUSED_NOT_YET_VALID, 403,
		       "insufficient_scope", "profile_not_yet_valid",
		       "profile_not_yet_valid");
	ASSERT_EQ(0, mint(self, "primary", "--iss", ISSUER, "--aud", AUDIENCE,
			  "--scope", "3gpp:mc:ptt_service", "--mcptt-id",
			  "sip:over@primary.example", NULL));
	decide(self);
	expect_refusal(_metadata, &self->d, LMIGD_REFUSED_PROFILE_ENDED, 403,
		       "insufficient_scope", "profile_ended", "profile_ended");
}

TEST_F(admit, no_permitted_service)
{
	ASSERT_EQ(0, mint(self, "primary", "--iss", ISSUER, "--aud", AUDIENCE,
			  "--scope", "3gpp:mc:ptt_service", "--mcptt-id",
			  "sip:data@primary.example", NULL));
	decide(self);
	expect_refusal(_metadata, &self->d, LMIGD_REFUSED_NO_SERVICE, 403,
		       "insufficient_scope", "no_permitted_service",
		       "no_permitted_service");
}

TEST_F(admit, policy_unavailable)
{
	ASSERT_EQ(0, mint(self, "primary", "--iss", ISSUER, "--aud", AUDIENCE,
			  "--scope", "3gpp:mc:ptt_service", "--mcptt-id",
			  "sip:broken@primary.example", NULL));
	decide(self);
	expect_refusal(_metadata, &self->d, LMIGD_POLICY_UNAVAILABLE, 503,
		       "server_error", "policy_unavailable",
		       "policy_unavailable");
}

TEST_F(admit, garbage)
{
	strcpy(self->token, "not a token");
	decide(self);
	expect_refusal(_metadata, &self->d, LMIGD_REFUSED_TOKEN, 401,
		       "invalid_token", "malformed", "malformed");
}

TEST_HARNESS_MAIN
