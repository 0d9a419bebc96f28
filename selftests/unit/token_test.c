// SPDX-License-Identifier: GPL-2.0-only
/*
 * Access token verification end to end: keys and tokens come from the
 * test-side IdMS (lmig-idms keygen / mint), the verifier sees only the
 * certificate, as a partner gateway would. Every refusal status is
 * produced by a minted token and asserted, and so is what an accepted
 * token yields.
 */
#include <string.h>

#include "kselftest_harness.h"

#include "token.h"
#include "testutil.h"

#define ISSUER	 "https://idms.primary.example"
#define AUDIENCE "partner.example"
#define MCPTT_ID "sip:alice@primary.example"
#define NOW	 1800000000LL
#define NOW_S	 "1800000000"
#define SKEW	 10

FIXTURE(token)
{
	char dir[PATH_MAX];
	char tool[PATH_MAX];
	char path[4][PATH_MAX];
	struct lmig_verifier *v;
	struct lmig_token out;
	char tok[16384];
};

/* dir/name into a rotating buffer. */
static const char *file_of(FIXTURE_DATA(token) * self, const char *name)
{
	static unsigned int next;
	char *p = self->path[next++ % 4];

	if (tu_join(p, PATH_MAX, self->dir, name))
		p[0] = '\0';
	return p;
}

/* lmig-idms keygen for name.key / name.pem at NOW, with extra options. */
static int keygen(FIXTURE_DATA(token) * self, const char *name, const char *alg,
		  const char *extra)
{
	char key[PATH_MAX + 8], cert[PATH_MAX + 8], out[64], err[1024];
	char *argv[] = {self->tool, "keygen", "--alg",	     (char *)alg,
			"--key",    key,      "--cert",	     cert,
			"--now",    NOW_S,    (char *)extra, NULL};
	int rc;

	snprintf(key, sizeof(key), "%s/%s.key", self->dir, name);
	snprintf(cert, sizeof(cert), "%s/%s.pem", self->dir, name);
	rc = tu_run(argv, out, sizeof(out), err, sizeof(err));
	if (rc)
		fprintf(stderr, "# keygen %s: %s\n", name, err);
	return rc;
}

/*
 * A verifier trusting ISSUER's key name.pem for alg under kid, with the
 * fixture's audience and the given skew; replaces self->v.
 */
static int trust_only(FIXTURE_DATA(token) * self, const char *name,
		      enum lmig_jws_alg alg, const char *kid, unsigned int skew)
{
	const struct lmig_verifier_config cfg = {.audience = AUDIENCE,
						 .clock_skew = skew};
	struct lmig_trust *t = lmig_trust_new();
	char file[64], err[512];

	snprintf(file, sizeof(file), "%s.pem", name);
	if (!t ||
	    lmig_trust_add_cert_file(t, ISSUER, alg, kid, file_of(self, file),
				     err, sizeof(err))) {
		fprintf(stderr, "# %s\n", err);
		lmig_trust_free(t);
		return -1;
	}
	lmig_verifier_free(self->v);
	self->v = NULL;
	if (lmig_verifier_new(t, &cfg, &self->v, err, sizeof(err))) {
		fprintf(stderr, "# %s\n", err);
		lmig_trust_free(t);
		return -1;
	}
	return 0;
}

/*
 * lmig-idms mint --now NOW --key dir/key.key then the NULL-terminated
 * args; the token goes to self->tok. Returns the tool's exit status.
 */
static int mint_with(FIXTURE_DATA(token) * self, const char *key,
		     const char *const *args)
{
	char key_path[PATH_MAX + 8], err[1024];
	char *argv[64] = {self->tool, "mint",  "--now",
			  NOW_S,      "--key", key_path};
	int n = 6, rc;

	snprintf(key_path, sizeof(key_path), "%s/%s.key", self->dir, key);
	while (*args && n < 63)
		argv[n++] = (char *)*args++;
	argv[n] = NULL;
	rc = tu_run(argv, self->tok, sizeof(self->tok), err, sizeof(err));
	if (rc)
		fprintf(stderr, "# mint: %s\n", err);
	return rc;
}

/* The arguments of a token that the fixture's verifier accepts. */
#define GOOD_CLAIMS                                                            \
	"--iss", ISSUER, "--aud", AUDIENCE, "--scope",                         \
		"openid 3gpp:mc:ptt_service", "--mcptt-id", MCPTT_ID, "--kid", \
		"k1"

/* Mint with the "idms" key: MINT(GOOD_CLAIMS, "--jti", "x") etc. */
#define MINT(...)                            \
	ASSERT_EQ(0, mint_with(self, "idms", \
			       (const char *const[]){__VA_ARGS__, NULL}))

static enum lmig_token_status verify_at(FIXTURE_DATA(token) * self, int64_t now)
{
	return lmig_token_verify(self->v, self->tok, strlen(self->tok), now,
				 &self->out);
}

static enum lmig_token_status verify(FIXTURE_DATA(token) * self)
{
	return verify_at(self, NOW);
}

/*
 * Expect verify() to give status; when it does not, log the detail and
 * the context given as a format and arguments.
 */
#define EXPECT_STATUS_CTX(status, fmt, ...)                                \
	EXPECT_STREQ(lmig_token_status_name(status),                       \
		     lmig_token_status_name(verify(self)))                 \
	{                                                                  \
		TH_LOG("detail: %s" fmt, self->out.detail, ##__VA_ARGS__); \
	}

#define EXPECT_STATUS(status) EXPECT_STATUS_CTX(status, "")

FIXTURE_SETUP(token)
{
	self->dir[0] = '\0';
	self->v = NULL;
	ASSERT_TRUE(tu_tool_path("lmig-idms", self->tool))
	{
		TH_LOG("lmig-idms not built: make O=<dir> tools");
	}
	ASSERT_TRUE(tu_mkdtemp(self->dir));
	ASSERT_EQ(0, keygen(self, "idms", "ES256", NULL));
	ASSERT_EQ(0, trust_only(self, "idms", LMIG_JWS_ES256, "k1", SKEW));
}

FIXTURE_TEARDOWN(token)
{
	lmig_verifier_free(self->v);
	tu_rmdir(self->dir);
}

/* --- accepted ------------------------------------------------------------ */

TEST_F(token, valid_token_is_accepted)
{
	const struct lmig_trust_key *key;

	MINT(GOOD_CLAIMS, "--jti", "t-0001", "--sub", "alice", "--client-id",
	     "mcptt-client", "--nbf", "now-5");
	ASSERT_EQ(LMIG_TOKEN_OK, verify(self))
	{
		TH_LOG("detail: %s", self->out.detail);
	}
	key = lmig_trust_key(lmig_verifier_trust(self->v), 0);
	EXPECT_STREQ(ISSUER, self->out.issuer);
	EXPECT_EQ(LMIG_JWS_ES256, self->out.alg);
	EXPECT_STREQ(key->implicit_kid, self->out.key_id);
	EXPECT_EQ(NOW + 3600, self->out.exp);
	EXPECT_EQ(NOW, self->out.iat);
	EXPECT_EQ(NOW - 5, self->out.nbf);
	EXPECT_EQ(LMIG_TOKEN_HAS_NBF | LMIG_TOKEN_HAS_IAT | LMIG_TOKEN_HAS_JTI |
			  LMIG_TOKEN_HAS_SUB | LMIG_TOKEN_HAS_CLIENT_ID,
		  self->out.present);
	EXPECT_EQ(LMIG_SERVICE_PTT, self->out.services);
	EXPECT_STREQ(MCPTT_ID, self->out.mcptt_id);
	EXPECT_STREQ("", self->out.mcvideo_id);
	EXPECT_STREQ("t-0001", self->out.jti);
	EXPECT_STREQ("alice", self->out.sub);
	EXPECT_STREQ("mcptt-client", self->out.client_id);
	EXPECT_STREQ(MCPTT_ID, lmig_token_mc_id(&self->out, LMIG_SERVICE_PTT));
	EXPECT_EQ(NULL, lmig_token_mc_id(&self->out, LMIG_SERVICE_DATA));
	EXPECT_STREQ("access token verified", self->out.detail);
}

TEST_F(token, minimal_token_is_accepted)
{
	/* No kid, no iat, no typ, no optional claims. */
	MINT("--iss", ISSUER, "--aud", AUDIENCE, "--scope",
	     "3gpp:mc:ptt_service", "--mcptt-id", MCPTT_ID, "--no-iat",
	     "--no-typ");
	EXPECT_STATUS(LMIG_TOKEN_OK);
	EXPECT_EQ(0, self->out.present);
	EXPECT_EQ(0, self->out.iat);
}

TEST_F(token, every_service)
{
	MINT(GOOD_CLAIMS, "--scope",
	     "3gpp:mc:video_service 3gpp:mc:data_service "
	     "3gpp:mc:ptt_service",
	     "--mcvideo-id", "sip:alice-video@primary.example", "--mcdata-id",
	     "sip:alice-data@primary.example");
	EXPECT_STATUS(LMIG_TOKEN_OK);
	EXPECT_EQ(LMIG_SERVICES_ALL, self->out.services);
	EXPECT_STREQ("sip:alice-video@primary.example",
		     lmig_token_mc_id(&self->out, LMIG_SERVICE_VIDEO));
	EXPECT_STREQ("sip:alice-data@primary.example", self->out.mcdata_id);

	/* Only the services asked for; others' IDs are ignored. */
	MINT(GOOD_CLAIMS, "--scope", "3gpp:mc:data_service", "--mcdata-id",
	     "sip:d@p", "--mcvideo-id", "");
	EXPECT_STATUS(LMIG_TOKEN_OK);
	EXPECT_EQ(LMIG_SERVICE_DATA, self->out.services);
	EXPECT_STREQ("", self->out.mcptt_id);
	EXPECT_STREQ("", self->out.mcvideo_id);
}

TEST_F(token, audience_in_an_array)
{
	MINT("--iss", ISSUER, "--aud", "someone.else", "--aud", AUDIENCE,
	     "--scope", "3gpp:mc:ptt_service", "--mcptt-id", MCPTT_ID);
	EXPECT_STATUS(LMIG_TOKEN_OK);
	MINT("--iss", ISSUER, "--aud", AUDIENCE, "--aud-array", "--scope",
	     "3gpp:mc:ptt_service", "--mcptt-id", MCPTT_ID);
	EXPECT_STATUS(LMIG_TOKEN_OK);
}

TEST_F(token, implicit_kid_selects_the_key)
{
	MINT("--iss", ISSUER, "--aud", AUDIENCE, "--scope",
	     "3gpp:mc:ptt_service", "--mcptt-id", MCPTT_ID, "--kid-from-cert",
	     file_of(self, "idms.pem"));
	EXPECT_STATUS(LMIG_TOKEN_OK);
}

/* Each algorithm, end to end through certificates and the tool. */
TEST_F(token, every_algorithm)
{
	static const struct {
		const char *name;
		enum lmig_jws_alg alg;
	} algs[] = {
		{"ES384", LMIG_JWS_ES384},
		{"RS256", LMIG_JWS_RS256},
		{"PS256", LMIG_JWS_PS256},
		{"EdDSA", LMIG_JWS_EDDSA},
	};
	size_t i;

	for (i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
		ASSERT_EQ(0, keygen(self, algs[i].name, algs[i].name, NULL));
		ASSERT_EQ(0, trust_only(self, algs[i].name, algs[i].alg, "k1",
					SKEW));
		ASSERT_EQ(0,
			  mint_with(self, algs[i].name,
				    (const char *const[]){"--alg", algs[i].name,
							  GOOD_CLAIMS, NULL}));
		EXPECT_STATUS(LMIG_TOKEN_OK);
		EXPECT_EQ(algs[i].alg, self->out.alg);
	}
}

/* An issuer with two keys and no kid in the token: the right one wins. */
TEST_F(token, issuer_with_several_keys)
{
	const struct lmig_verifier_config cfg = {.audience = AUDIENCE};
	struct lmig_trust *t = lmig_trust_new();
	char err[256];

	ASSERT_NE(NULL, t);
	ASSERT_EQ(0, keygen(self, "old", "ES256", NULL));
	ASSERT_EQ(0, lmig_trust_add_cert_file(t, ISSUER, LMIG_JWS_ES256, NULL,
					      file_of(self, "old.pem"), err,
					      sizeof(err)));
	ASSERT_EQ(0, lmig_trust_add_cert_file(t, ISSUER, LMIG_JWS_ES256, NULL,
					      file_of(self, "idms.pem"), err,
					      sizeof(err)));
	lmig_verifier_free(self->v);
	ASSERT_EQ(0, lmig_verifier_new(t, &cfg, &self->v, err, sizeof(err)));
	MINT("--iss", ISSUER, "--aud", AUDIENCE, "--scope",
	     "3gpp:mc:ptt_service", "--mcptt-id", MCPTT_ID);
	EXPECT_STATUS(LMIG_TOKEN_OK);
	EXPECT_STREQ(lmig_trust_key(t, 1)->implicit_kid, self->out.key_id);
}

/* --- refusals before the signature -------------------------------------- */

TEST_F(token, too_large)
{
	static char claim[9000];

	memset(claim, 'x', sizeof(claim) - 1);
	memcpy(claim, "pad=\"", 5);
	claim[sizeof(claim) - 2] = '"';
	MINT(GOOD_CLAIMS, "--claim", claim);
	EXPECT_STATUS(LMIG_TOKEN_TOO_LARGE);
	EXPECT_STREQ("token is longer than 8192 bytes", self->out.detail);
}

TEST_F(token, malformed)
{
	char *dot;

	MINT(GOOD_CLAIMS);
	dot = strrchr(self->tok, '.');
	*dot = '\0';
	EXPECT_STATUS(LMIG_TOKEN_MALFORMED);
	*dot = '.';
	dot[1] = '=';
	EXPECT_STATUS(LMIG_TOKEN_MALFORMED);

	/* Claims that are not JSON, or not an object of them. */
	MINT(GOOD_CLAIMS, "--claim", "x=1,");
	EXPECT_STATUS(LMIG_TOKEN_MALFORMED);
	EXPECT_STREQ("claims are not JSON", self->out.detail);
	MINT(GOOD_CLAIMS, "--claim", "iss=\"again\"");
	EXPECT_STATUS(LMIG_TOKEN_MALFORMED); /* duplicate iss */
	MINT(GOOD_CLAIMS, "--claim", "deep=[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]");
	EXPECT_STATUS(LMIG_TOKEN_MALFORMED);
	EXPECT_STREQ("claims nest too deeply", self->out.detail);
}

TEST_F(token, bad_header)
{
	MINT("--iss", ISSUER, "--aud", AUDIENCE, "--header", "kid=5");
	EXPECT_STATUS(LMIG_TOKEN_BAD_HEADER);
	MINT(GOOD_CLAIMS, "--header", "alg=\"ES256\"");
	EXPECT_STATUS(LMIG_TOKEN_BAD_HEADER); /* duplicate alg */
	MINT(GOOD_CLAIMS, "--header-alg", "");
	EXPECT_STATUS(LMIG_TOKEN_UNSUPPORTED_ALG);
	MINT(GOOD_CLAIMS, "--typ", "JWT", "--header", "typ=1");
	EXPECT_STATUS(LMIG_TOKEN_BAD_HEADER);
}

TEST_F(token, unsupported_alg)
{
	char *pem;
	size_t len;

	MINT(GOOD_CLAIMS, "--alg", "none");
	EXPECT_STATUS(LMIG_TOKEN_UNSUPPORTED_ALG);
	EXPECT_STREQ("alg \"none\" is never accepted", self->out.detail);
	MINT(GOOD_CLAIMS, "--hs256-secret", "s3cret");
	EXPECT_STATUS(LMIG_TOKEN_UNSUPPORTED_ALG);
	EXPECT_STREQ("HMAC algorithms are never accepted", self->out.detail);

	/* The classic confusion: HMAC keyed with the public certificate. */
	pem = tu_read_file(file_of(self, "idms.pem"), &len);
	ASSERT_NE(NULL, pem);
	MINT(GOOD_CLAIMS, "--hs256-secret", pem);
	free(pem);
	EXPECT_STATUS(LMIG_TOKEN_UNSUPPORTED_ALG);
	MINT(GOOD_CLAIMS, "--header-alg", "ES512");
	EXPECT_STATUS(LMIG_TOKEN_UNSUPPORTED_ALG);
}

TEST_F(token, forbidden_headers)
{
	static const char *const members[] = {
		"jku=\"https://evil.example/jwks\"",
		"x5u=\"https://evil.example/c.pem\"",
		"jwk={\"kty\":\"EC\",\"crv\":\"P-256\"}",
		"x5c=[\"MIIB\"]",
		"crit=[\"exp\"]",
		"b64=false",
	};
	size_t i;

	for (i = 0; i < sizeof(members) / sizeof(members[0]); i++) {
		MINT(GOOD_CLAIMS, "--header", members[i]);
		EXPECT_STATUS(LMIG_TOKEN_FORBIDDEN_HEADER);
	}
}

TEST_F(token, missing_claims)
{
	MINT("--aud", AUDIENCE, "--scope", "3gpp:mc:ptt_service", "--mcptt-id",
	     MCPTT_ID, "--kid", "k1");
	EXPECT_STATUS(LMIG_TOKEN_MISSING_CLAIM);
	EXPECT_STREQ("no iss claim", self->out.detail);
	MINT("--iss", ISSUER, "--scope", "3gpp:mc:ptt_service", "--mcptt-id",
	     MCPTT_ID, "--kid", "k1");
	EXPECT_STATUS(LMIG_TOKEN_MISSING_CLAIM);
	EXPECT_STREQ("no aud claim", self->out.detail);
	MINT(GOOD_CLAIMS, "--no-exp");
	EXPECT_STATUS(LMIG_TOKEN_MISSING_CLAIM);
	EXPECT_STREQ("no exp claim", self->out.detail);
}

TEST_F(token, unknown_issuer)
{
	MINT("--iss", "https://idms.elsewhere.example", "--aud", AUDIENCE,
	     "--scope", "3gpp:mc:ptt_service", "--mcptt-id", MCPTT_ID);
	EXPECT_STATUS(LMIG_TOKEN_UNKNOWN_ISSUER);
	MINT("--iss", ISSUER "/", "--aud", AUDIENCE);
	EXPECT_STATUS(LMIG_TOKEN_UNKNOWN_ISSUER);
}

TEST_F(token, unknown_key)
{
	MINT(GOOD_CLAIMS, "--kid", "k2");
	EXPECT_STATUS(LMIG_TOKEN_UNKNOWN_KEY);
	EXPECT_STREQ("kid names no key of the issuer", self->out.detail);

	/* Without kid, the issuer has no ES384 key. */
	ASSERT_EQ(0, keygen(self, "p384", "ES384", NULL));
	ASSERT_EQ(0, mint_with(self, "p384",
			       (const char *const[]){"--iss", ISSUER, "--aud",
						     AUDIENCE, NULL}));
	EXPECT_STATUS(LMIG_TOKEN_UNKNOWN_KEY);
	EXPECT_STREQ("the issuer has no key for this alg", self->out.detail);
}

TEST_F(token, alg_mismatch)
{
	/* Signed by an RSA key, naming the ES256 key's kid. */
	ASSERT_EQ(0, keygen(self, "rsa", "RS256", NULL));
	ASSERT_EQ(0, mint_with(self, "rsa",
			       (const char *const[]){GOOD_CLAIMS, NULL}));
	EXPECT_STATUS(LMIG_TOKEN_ALG_MISMATCH);

	/* Header alg changed, key and signature the right ones. */
	MINT(GOOD_CLAIMS, "--header-alg", "PS256");
	EXPECT_STATUS(LMIG_TOKEN_ALG_MISMATCH);
}

TEST_F(token, key_not_valid)
{
	ASSERT_EQ(0, keygen(self, "old", "ES256", "--expired"));
	ASSERT_EQ(0, trust_only(self, "old", LMIG_JWS_ES256, "k1", SKEW));
	ASSERT_EQ(0, mint_with(self, "old",
			       (const char *const[]){GOOD_CLAIMS, NULL}));
	EXPECT_STATUS(LMIG_TOKEN_KEY_NOT_VALID);

	ASSERT_EQ(0, keygen(self, "new", "ES256", "--not-yet-valid"));
	ASSERT_EQ(0, trust_only(self, "new", LMIG_JWS_ES256, NULL, SKEW));
	ASSERT_EQ(0, mint_with(self, "new",
			       (const char *const[]){"--iss", ISSUER, "--aud",
						     AUDIENCE, NULL}));
	EXPECT_STATUS(LMIG_TOKEN_KEY_NOT_VALID);
}

/* --- the signature -------------------------------------------------------- */

TEST_F(token, bad_signature)
{
	MINT(GOOD_CLAIMS, "--tamper-signature");
	EXPECT_STATUS(LMIG_TOKEN_BAD_SIGNATURE);
	MINT(GOOD_CLAIMS, "--tamper-payload");
	EXPECT_STATUS(LMIG_TOKEN_BAD_SIGNATURE);
	MINT(GOOD_CLAIMS, "--der-signature");
	EXPECT_STATUS(LMIG_TOKEN_BAD_SIGNATURE);

	/* Another key of the same type, claiming the trusted kid. */
	ASSERT_EQ(0, keygen(self, "mallory", "ES256", NULL));
	ASSERT_EQ(0, mint_with(self, "mallory",
			       (const char *const[]){GOOD_CLAIMS, NULL}));
	EXPECT_STATUS(LMIG_TOKEN_BAD_SIGNATURE);
}

TEST_F(token, ps256_with_another_salt_length)
{
	ASSERT_EQ(0, keygen(self, "pss", "PS256", NULL));
	ASSERT_EQ(0, trust_only(self, "pss", LMIG_JWS_PS256, "k1", SKEW));
	ASSERT_EQ(0, mint_with(self, "pss",
			       (const char *const[]){"--alg", "PS256",
						     GOOD_CLAIMS, NULL}));
	EXPECT_STATUS(LMIG_TOKEN_OK);
	ASSERT_EQ(0, mint_with(self, "pss",
			       (const char *const[]){"--alg", "PS256",
						     "--pss-salt", "20",
						     GOOD_CLAIMS, NULL}));
	EXPECT_STATUS(LMIG_TOKEN_BAD_SIGNATURE);
}

/* Claims are judged only once the signature holds. */
TEST_F(token, signature_comes_before_claims)
{
	MINT("--iss", ISSUER, "--aud", "someone.else", "--exp", "now-1d",
	     "--kid", "k1", "--tamper-signature");
	EXPECT_STATUS(LMIG_TOKEN_BAD_SIGNATURE);
}

/* --- claims --------------------------------------------------------------- */

TEST_F(token, bad_claims)
{
	static const char *const claims[] = {
		"iss=5",
		"exp=\"1800003600\"",
		"exp=1800003600.0",
		"exp=18000036e2",
		"exp=-1",
		"exp=9007199254740992",
		"exp=true",
		"nbf=\"now\"",
		"iat=1.5",
		"aud=7",
		"aud=[\"" AUDIENCE "\",7]",
		"aud={\"a\":1}",
		"scope=[\"3gpp:mc:ptt_service\"]",
		"scope=\"openid  3gpp:mc:ptt_service\"",
		"scope=\" 3gpp:mc:ptt_service\"",
		"scope=\"3gpp:mc:ptt_service \"",
		"scope=\"3gpp:mc:ptt_service\\t\"",
		"scope=\"a\\\"b 3gpp:mc:ptt_service\"",
		"jti=1",
		"sub=\"al\\u0001ice\"",
		"client_id=null",
	};
	static const char *const drop[] = {
		"iss",	 "exp",	  "exp",   "exp",   "exp", "exp",   "exp",
		"",	 "",	  "aud",   "aud",   "aud", "scope", "scope",
		"scope", "scope", "scope", "scope", "",	   "",	    "",
	};
	size_t i;

	for (i = 0; i < sizeof(claims) / sizeof(claims[0]); i++) {
		const char *args[20] = {"--kid",  "k1",	     "--mcptt-id",
					MCPTT_ID, "--claim", claims[i]};
		int n = 6;

		/* Every claim the case replaces is left out. */
		if (strcmp(drop[i], "iss")) {
			args[n++] = "--iss";
			args[n++] = ISSUER;
		}
		if (strcmp(drop[i], "aud")) {
			args[n++] = "--aud";
			args[n++] = AUDIENCE;
		}
		if (!strcmp(drop[i], "exp"))
			args[n++] = "--no-exp";
		if (strcmp(drop[i], "scope")) {
			args[n++] = "--scope";
			args[n++] = "3gpp:mc:ptt_service";
		}
		if (!strncmp(claims[i], "iat", 3))
			args[n++] = "--no-iat";
		args[n] = NULL;
		ASSERT_EQ(0, mint_with(self, "idms", args));
		EXPECT_STATUS_CTX(LMIG_TOKEN_BAD_CLAIM, " (claim %s)",
				  claims[i]);
	}
}

TEST_F(token, wrong_audience)
{
	MINT("--iss", ISSUER, "--aud", "other.example", "--scope",
	     "3gpp:mc:ptt_service", "--mcptt-id", MCPTT_ID);
	EXPECT_STATUS(LMIG_TOKEN_WRONG_AUDIENCE);
	MINT("--iss", ISSUER, "--aud", "partner.example.evil", "--aud",
	     "PARTNER.EXAMPLE");
	EXPECT_STATUS(LMIG_TOKEN_WRONG_AUDIENCE);
	MINT("--iss", ISSUER, "--claim", "aud=[]");
	EXPECT_STATUS(LMIG_TOKEN_WRONG_AUDIENCE);
}

struct time_case {
	const char *option;
	const char *value;
	unsigned int skew;
	enum lmig_token_status status;
};

/*
 * The clock skew both ways: inside it a token still passes, outside it
 * fails; the configured skew, never the 30 s maximum, is what counts.
 */
TEST_F(token, times_and_clock_skew)
{
	static const struct time_case cases[] = {
		/* exp: refused once now >= exp + skew */
		{"--exp", "now+1", 0, LMIG_TOKEN_OK},
		{"--exp", "now", 0, LMIG_TOKEN_EXPIRED},
		{"--exp", "now-1", 0, LMIG_TOKEN_EXPIRED}, /* inside 30 s */
		{"--exp", "now-9", 10, LMIG_TOKEN_OK},
		{"--exp", "now-10", 10, LMIG_TOKEN_EXPIRED},
		{"--exp", "now-29", 30, LMIG_TOKEN_OK},
		{"--exp", "now-30", 30, LMIG_TOKEN_EXPIRED},
		{"--exp", "now-31", 30, LMIG_TOKEN_EXPIRED}, /* beyond 30 s */
		{"--exp", "now-1d", 30, LMIG_TOKEN_EXPIRED},
		{"--exp", "0", 30, LMIG_TOKEN_EXPIRED},
		/* nbf: refused while now < nbf - skew */
		{"--nbf", "now", 0, LMIG_TOKEN_OK},
		{"--nbf", "now+1", 0, LMIG_TOKEN_NOT_YET_VALID},
		{"--nbf", "now+10", 10, LMIG_TOKEN_OK},
		{"--nbf", "now+11", 10, LMIG_TOKEN_NOT_YET_VALID},
		{"--nbf", "now+30", 30, LMIG_TOKEN_OK},
		{"--nbf", "now+31", 30, LMIG_TOKEN_NOT_YET_VALID},
		/* iat: refused if iat - skew > now */
		{"--iat", "now+1", 0, LMIG_TOKEN_ISSUED_IN_FUTURE},
		{"--iat", "now+10", 10, LMIG_TOKEN_OK},
		{"--iat", "now+11", 10, LMIG_TOKEN_ISSUED_IN_FUTURE},
		{"--iat", "now+30", 30, LMIG_TOKEN_OK},
		{"--iat", "now+31", 30, LMIG_TOKEN_ISSUED_IN_FUTURE},
		{"--iat", "now-1d", 0, LMIG_TOKEN_OK},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ASSERT_EQ(0, trust_only(self, "idms", LMIG_JWS_ES256, "k1",
					cases[i].skew));
		MINT(GOOD_CLAIMS, cases[i].option, cases[i].value);
		EXPECT_STATUS_CTX(cases[i].status, " (%s %s, skew %u)",
				  cases[i].option, cases[i].value,
				  cases[i].skew);
	}
}

TEST_F(token, same_token_over_time)
{
	MINT(GOOD_CLAIMS, "--nbf", "now+100", "--exp", "now+200", "--iat",
	     "now+100");
	EXPECT_EQ(LMIG_TOKEN_NOT_YET_VALID, verify_at(self, NOW + 89));
	EXPECT_EQ(LMIG_TOKEN_OK, verify_at(self, NOW + 90));
	EXPECT_EQ(LMIG_TOKEN_OK, verify_at(self, NOW + 209));
	EXPECT_EQ(LMIG_TOKEN_EXPIRED, verify_at(self, NOW + 210));
}

TEST_F(token, no_mc_scope)
{
	MINT(GOOD_CLAIMS, "--scope", "openid profile");
	EXPECT_STATUS(LMIG_TOKEN_NO_MC_SCOPE);
	MINT(GOOD_CLAIMS, "--scope", "3gpp:mc:ptt_service_x 3gpp:mc:ptt");
	EXPECT_STATUS(LMIG_TOKEN_NO_MC_SCOPE);
	MINT("--iss", ISSUER, "--aud", AUDIENCE, "--mcptt-id", MCPTT_ID);
	EXPECT_STATUS(LMIG_TOKEN_NO_MC_SCOPE);
	EXPECT_STREQ("no scope claim", self->out.detail);
	EXPECT_EQ(403, lmig_token_status_http(LMIG_TOKEN_NO_MC_SCOPE));
}

TEST_F(token, missing_mc_id)
{
	MINT("--iss", ISSUER, "--aud", AUDIENCE, "--scope",
	     "3gpp:mc:ptt_service");
	EXPECT_STATUS(LMIG_TOKEN_MISSING_MC_ID);
	EXPECT_STREQ("scope asks for MCPTT but there is no mcptt_id",
		     self->out.detail);
	MINT("--iss", ISSUER, "--aud", AUDIENCE, "--scope",
	     "3gpp:mc:video_service 3gpp:mc:data_service", "--mcvideo-id",
	     "sip:v@p");
	EXPECT_STATUS(LMIG_TOKEN_MISSING_MC_ID);
	EXPECT_STREQ("scope asks for MCData but there is no mcdata_id",
		     self->out.detail);
}

TEST_F(token, bad_mc_id)
{
	static char long_id[LMIG_ID_MAX_LEN + 2];
	static const char *const bad[] = {
		"", "sip:alice @primary", "sip:\x7f", "sip:al\xc3\xa9", long_id,
	};
	size_t i;

	memset(long_id, 'a', LMIG_ID_MAX_LEN + 1);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		MINT(GOOD_CLAIMS, "--mcptt-id", bad[i]);
		EXPECT_STATUS_CTX(LMIG_TOKEN_BAD_MC_ID, " (case %zu)", i);
	}
	long_id[LMIG_ID_MAX_LEN] = '\0'; /* 255: the longest allowed */
	MINT(GOOD_CLAIMS, "--mcptt-id", long_id);
	EXPECT_STATUS(LMIG_TOKEN_OK);
	MINT("--iss", ISSUER, "--aud", AUDIENCE, "--scope",
	     "3gpp:mc:ptt_service", "--claim", "mcptt_id=42");
	EXPECT_STATUS(LMIG_TOKEN_BAD_MC_ID);
}

/* A small fixed-seed generator: the same mutations on every run. */
static uint32_t xorshift(uint32_t *state)
{
	uint32_t x = *state;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *state = x;
}

/*
 * Random edits of a valid token (replace, insert or delete one byte)
 * never verify, and never crash the verifier (run it under SAN=1).
 */
TEST_F(token, mutated_tokens_never_verify)
{
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijk"
				       "lmnopqrstuvwxyz0123456789-_.=+/ \0";
	static char good[4096], bad[4096];
	uint32_t seed = 0x1d5eed;
	size_t len, pos;
	int i, refused = 0;

	MINT(GOOD_CLAIMS, "--jti", "mutation-base");
	ASSERT_EQ(LMIG_TOKEN_OK, verify(self));
	len = strlen(self->tok);
	ASSERT_LT(len, sizeof(good) - 2);
	memcpy(good, self->tok, len + 1);
	for (i = 0; i < 3000; i++) {
		size_t n = len;
		char c = alphabet[xorshift(&seed) % (sizeof(alphabet) - 1)];

		memcpy(bad, good, len + 1);
		pos = xorshift(&seed) % len;
		switch (xorshift(&seed) % 3) {
		case 0:
			if (bad[pos] == c)
				continue;
			bad[pos] = c;
			break;
		case 1:
			memmove(bad + pos + 1, bad + pos, len - pos + 1);
			bad[pos] = c;
			n++;
			break;
		default:
			memmove(bad + pos, bad + pos + 1, len - pos);
			n--;
			break;
		}
		EXPECT_NE(LMIG_TOKEN_OK,
			  lmig_token_verify(self->v, bad, n, NOW, &self->out))
		{
			TH_LOG("mutation %d at %zu verified: %.*s", i, pos,
			       (int)n, bad);
		}
		refused++;
	}
	EXPECT_LT(2500, refused);
}

/* --- the API around it ------------------------------------------------------
 */

TEST_F(token, refusal_leaves_nothing_behind)
{
	MINT(GOOD_CLAIMS, "--aud", "x", "--jti", "j", "--sub", "s");
	memset(&self->out, 0x5a, sizeof(self->out));
	ASSERT_EQ(LMIG_TOKEN_OK, verify(self)); /* aud array holds ours */
	MINT(GOOD_CLAIMS, "--jti", "j", "--sub", "s", "--exp", "now-1h");
	memset(&self->out, 0x5a, sizeof(self->out));
	ASSERT_EQ(LMIG_TOKEN_EXPIRED, verify(self));
	EXPECT_STREQ("", self->out.issuer);
	EXPECT_STREQ("", self->out.mcptt_id);
	EXPECT_STREQ("", self->out.sub);
	EXPECT_EQ(0, self->out.services);
	EXPECT_EQ(0, self->out.exp);
	EXPECT_NE(NULL, self->out.detail);
}

TEST_F(token, garbage_inputs)
{
	static const char *const inputs[] = {
		"", ".", "..", "...", "Bearer x.y.z", "a.b.c", "\xff.\xff.\xff",
	};
	size_t i;

	for (i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		EXPECT_EQ(LMIG_TOKEN_MALFORMED,
			  lmig_token_verify(self->v, inputs[i],
					    strlen(inputs[i]), NOW, &self->out))
		{
			TH_LOG("input %zu: %s", i, self->out.detail);
		}
	}
	/* The length is what counts, not a NUL. */
	MINT(GOOD_CLAIMS);
	EXPECT_EQ(LMIG_TOKEN_MALFORMED,
		  lmig_token_verify(self->v, self->tok, strlen(self->tok) - 1,
				    NOW, &self->out));
}

TEST(verifier_needs_a_key)
{
	struct lmig_verifier_config cfg = {.audience = AUDIENCE,
					   .clock_skew = 31};
	struct lmig_verifier *v = (struct lmig_verifier *)1;
	struct lmig_trust *empty = lmig_trust_new();
	char err[256];

	ASSERT_NE(NULL, empty);
	/* An empty store is refused first; it stays the caller's. */
	EXPECT_EQ(-EINVAL,
		  lmig_verifier_new(empty, &cfg, &v, err, sizeof(err)));
	EXPECT_EQ(NULL, v);
	EXPECT_STREQ("no trusted issuer key is configured", err);
	EXPECT_EQ(-EINVAL, lmig_verifier_new(NULL, &cfg, &v, err, sizeof(err)));
	lmig_trust_free(empty);
}

TEST_F(token, verifier_config_limits)
{
	struct lmig_verifier_config cfg = {.audience = AUDIENCE};
	struct lmig_trust *t = lmig_trust_new();
	struct lmig_verifier *v = NULL;
	char err[256], big[LMIG_TOKEN_AUDIENCE_MAX + 2];

	ASSERT_NE(NULL, t);
	ASSERT_EQ(0, lmig_trust_add_cert_file(t, ISSUER, LMIG_JWS_ES256, NULL,
					      file_of(self, "idms.pem"), err,
					      sizeof(err)));
	cfg.clock_skew = 31;
	EXPECT_EQ(-EINVAL, lmig_verifier_new(t, &cfg, &v, err, sizeof(err)));
	EXPECT_STREQ("clock skew 31 s is above the 30 s TS 33.180 allows", err);
	cfg.clock_skew = 30;
	cfg.audience = "";
	EXPECT_EQ(-EINVAL, lmig_verifier_new(t, &cfg, &v, err, sizeof(err)));
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	cfg.audience = big;
	EXPECT_EQ(-EINVAL, lmig_verifier_new(t, &cfg, &v, err, sizeof(err)));
	EXPECT_EQ(NULL, v);
	big[LMIG_TOKEN_AUDIENCE_MAX] = '\0';
	/* Success: the verifier owns the store from now on. */
	ASSERT_EQ(0, lmig_verifier_new(t, &cfg, &v, err, sizeof(err)));
	EXPECT_EQ(t, lmig_verifier_trust(v));
	lmig_verifier_free(v);
}

TEST(status_names_are_stable_and_distinct)
{
	static const char *const expected[] = {
		"ok",
		"too_large",
		"malformed",
		"bad_header",
		"unsupported_alg",
		"forbidden_header",
		"missing_claim",
		"bad_claim",
		"unknown_issuer",
		"unknown_key",
		"alg_mismatch",
		"key_not_valid",
		"bad_signature",
		"wrong_audience",
		"expired",
		"not_yet_valid",
		"issued_in_future",
		"no_mc_scope",
		"missing_mc_id",
		"bad_mc_id",
		"internal_error",
	};
	int s, t;

	ASSERT_EQ(__LMIG_TOKEN_STATUS_MAX,
		  (int)(sizeof(expected) / sizeof(expected[0])));
	for (s = 0; s < __LMIG_TOKEN_STATUS_MAX; s++) {
		EXPECT_STREQ(expected[s], lmig_token_status_name(s));
		EXPECT_LT(10, strlen(lmig_token_status_message(s)));
		for (t = 0; t < s; t++) {
			EXPECT_STRNE(lmig_token_status_message(t),
				     lmig_token_status_message(s));
		}
		EXPECT_EQ(s == LMIG_TOKEN_OK		? 200
			  : s == LMIG_TOKEN_NO_MC_SCOPE ? 403
			  : s == LMIG_TOKEN_INTERNAL	? 500
							: 401,
			  lmig_token_status_http(s));
	}
	EXPECT_STREQ("?", lmig_token_status_name(__LMIG_TOKEN_STATUS_MAX));
}

TEST_HARNESS_MAIN
