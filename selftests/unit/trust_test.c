// SPDX-License-Identifier: GPL-2.0-only
/*
 * The trust store, with certificates made by the test-side IdMS
 * (lmig-idms keygen): loading rules and their errors, kid and algorithm
 * selection, validity periods.
 */
#include <string.h>

#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include "kselftest_harness.h"

#include "b64.h"
#include "trust.h"
#include "testutil.h"

#define ISSUER "https://idms.primary.example"
#define NOW    1800000000LL
#define NOW_S  "1800000000"

FIXTURE(trust)
{
	char dir[PATH_MAX];
	char tool[PATH_MAX];
	char paths[8][PATH_MAX];
	unsigned int next_path;
	struct lmig_trust *t;
	char err[512];
};

FIXTURE_SETUP(trust)
{
	self->dir[0] = '\0';
	self->t = NULL;
	self->next_path = 0;
	ASSERT_TRUE(tu_tool_path("lmig-idms", self->tool))
	{
		TH_LOG("lmig-idms not built: make O=<dir> tools");
	}
	ASSERT_TRUE(tu_mkdtemp(self->dir));
	self->t = lmig_trust_new();
	ASSERT_NE(NULL, self->t);
}

FIXTURE_TEARDOWN(trust)
{
	lmig_trust_free(self->t);
	tu_rmdir(self->dir);
}

/* dir/name, in one of a few rotating buffers. */
static const char *path_of(FIXTURE_DATA(trust) * self, const char *name)
{
	char *p = self->paths[self->next_path++ % 8];

	if (tu_join(p, PATH_MAX, self->dir, name))
		p[0] = '\0';
	return p;
}

/*
 * lmig-idms keygen --alg alg --key dir/name.key --cert dir/name.pem
 * --now NOW, then up to 6 more arguments (NULL-terminated).
 */
static int keygen(FIXTURE_DATA(trust) * self, const char *name, const char *alg,
		  const char *const *more)
{
	char key[PATH_MAX + 8], cert[PATH_MAX + 8], out[256], err[1024];
	char *argv[24] = {self->tool, "keygen", "--alg", (char *)alg, "--key",
			  key,	      "--cert", cert,	 "--now",     NOW_S};
	int n = 10, rc;

	snprintf(key, sizeof(key), "%s/%s.key", self->dir, name);
	snprintf(cert, sizeof(cert), "%s/%s.pem", self->dir, name);
	while (more && *more && n < 22)
		argv[n++] = (char *)*more++;
	argv[n] = NULL;
	rc = tu_run(argv, out, sizeof(out), err, sizeof(err));
	if (rc)
		fprintf(stderr, "# keygen %s: %s\n", name, err);
	return rc;
}

static int add(FIXTURE_DATA(trust) * self, const char *issuer,
	       enum lmig_jws_alg alg, const char *kid, const char *name)
{
	char file[64];

	snprintf(file, sizeof(file), "%s.pem", name);
	self->err[0] = '\0';
	return lmig_trust_add_cert_file(self->t, issuer, alg, kid,
					path_of(self, file), self->err,
					sizeof(self->err));
}

static enum lmig_trust_status select_keys(FIXTURE_DATA(trust) * self,
					  const char *issuer,
					  enum lmig_jws_alg alg,
					  const char *kid, int64_t now,
					  const struct lmig_trust_key **keys,
					  size_t *n)
{
	struct lmig_trust_query q = {
		.issuer = issuer,
		.issuer_len = strlen(issuer),
		.alg = alg,
		.kid = kid,
		.kid_len = kid ? strlen(kid) : 0,
		.now = now,
	};

	return lmig_trust_select(self->t, &q, keys, n);
}

/* The implicit kid computed here, independently of the store. */
static bool thumbprint(const char *pem_path, char *kid, size_t size)
{
	unsigned char *der = NULL, digest[SHA256_DIGEST_LENGTH];
	unsigned int digest_len = 0;
	FILE *f = fopen(pem_path, "re");
	X509 *cert;
	int len;
	bool ok;

	if (!f)
		return false;
	cert = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	len = cert ? i2d_X509(cert, &der) : -1;
	ok = len > 0 &&
	     EVP_Digest(der, (size_t)len, digest, &digest_len, EVP_sha256(),
			NULL) &&
	     lmig_b64url_encode(digest, digest_len, kid, size) == 43;
	OPENSSL_free(der);
	X509_free(cert);
	return ok;
}

TEST_F(trust, loads_every_algorithm)
{
	static const struct {
		const char *name;
		enum lmig_jws_alg alg;
	} algs[] = {
		{"ES256", LMIG_JWS_ES256}, {"ES384", LMIG_JWS_ES384},
		{"RS256", LMIG_JWS_RS256}, {"PS256", LMIG_JWS_PS256},
		{"EdDSA", LMIG_JWS_EDDSA},
	};
	size_t i;

	for (i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
		const struct lmig_trust_key *key;

		ASSERT_EQ(0, keygen(self, algs[i].name, algs[i].name, NULL));
		ASSERT_EQ(0, add(self, ISSUER, algs[i].alg, NULL, algs[i].name))
		{
			TH_LOG("%s", self->err);
		}
		key = lmig_trust_key(self->t, i);
		ASSERT_NE(NULL, key);
		EXPECT_EQ(algs[i].alg, key->alg);
		EXPECT_STREQ(ISSUER, key->issuer);
		EXPECT_STREQ("", key->kid);
		EXPECT_EQ(43, strlen(key->implicit_kid));
		EXPECT_NE(NULL, strstr(key->source, algs[i].name));
		/* lmig-idms keygen: valid from now-1h to now+365d. */
		EXPECT_EQ(NOW - 3600, key->not_before);
		EXPECT_EQ(NOW + 365 * 86400LL, key->not_after);
	}
	EXPECT_EQ(5, lmig_trust_key_count(self->t));
	EXPECT_EQ(NULL, lmig_trust_key(self->t, 5));
}

TEST_F(trust, implicit_kid_is_the_certificate_thumbprint)
{
	const struct lmig_trust_key *keys[LMIG_TRUST_ISSUER_KEYS_MAX];
	char kid[64], out[128], err[256];
	size_t n;

	ASSERT_EQ(0, keygen(self, "a", "ES256", NULL));
	ASSERT_EQ(0, add(self, ISSUER, LMIG_JWS_ES256, NULL, "a"));
	ASSERT_TRUE(thumbprint(path_of(self, "a.pem"), kid, sizeof(kid)));
	EXPECT_STREQ(kid, lmig_trust_key(self->t, 0)->implicit_kid);
	/* The IdMS tool computes the same. */
	ASSERT_EQ(0, tu_runl(self->tool, out, sizeof(out), err, sizeof(err),
			     "kid", path_of(self, "a.pem"), NULL));
	EXPECT_STREQ(kid, out);

	ASSERT_EQ(LMIG_TRUST_OK, select_keys(self, ISSUER, LMIG_JWS_ES256, kid,
					     NOW, keys, &n));
	EXPECT_EQ(1, n);
	/* One character off is another kid. */
	kid[42] = kid[42] == 'A' ? 'B' : 'A';
	EXPECT_EQ(
		LMIG_TRUST_UNKNOWN_KEY,
		select_keys(self, ISSUER, LMIG_JWS_ES256, kid, NOW, keys, &n));
	EXPECT_EQ(0, n);
}

TEST_F(trust, kid_selects_among_the_issuers_keys)
{
	const struct lmig_trust_key *keys[LMIG_TRUST_ISSUER_KEYS_MAX];
	const char *implicit_two;
	size_t n;

	ASSERT_EQ(0, keygen(self, "one", "ES256", NULL));
	ASSERT_EQ(0, keygen(self, "two", "ES256", NULL));
	ASSERT_EQ(0, keygen(self, "other", "ES256", NULL));
	ASSERT_EQ(0, add(self, ISSUER, LMIG_JWS_ES256, "k-one", "one"));
	ASSERT_EQ(0, add(self, ISSUER, LMIG_JWS_ES256, "k-two", "two"));
	ASSERT_EQ(0, add(self, "https://idms.other.example", LMIG_JWS_ES256,
			 "k-other", "other"));

	ASSERT_EQ(LMIG_TRUST_OK, select_keys(self, ISSUER, LMIG_JWS_ES256,
					     "k-two", NOW, keys, &n));
	ASSERT_EQ(1, n);
	EXPECT_STREQ("k-two", keys[0]->kid);

	/* Its implicit kid selects it as well as the configured one. */
	implicit_two = lmig_trust_key(self->t, 1)->implicit_kid;
	ASSERT_EQ(LMIG_TRUST_OK, select_keys(self, ISSUER, LMIG_JWS_ES256,
					     implicit_two, NOW, keys, &n));
	EXPECT_STREQ("k-two", keys[0]->kid);

	/* Another issuer's kid does not reach across. */
	EXPECT_EQ(LMIG_TRUST_UNKNOWN_KEY,
		  select_keys(self, ISSUER, LMIG_JWS_ES256, "k-other", NOW,
			      keys, &n));
	EXPECT_EQ(LMIG_TRUST_UNKNOWN_KEY,
		  select_keys(self, ISSUER, LMIG_JWS_ES256, "k-thr", NOW, keys,
			      &n));
	EXPECT_EQ(LMIG_TRUST_UNKNOWN_KEY,
		  select_keys(self, ISSUER, LMIG_JWS_ES256, "", NOW, keys, &n));
	EXPECT_EQ(LMIG_TRUST_UNKNOWN_KEY,
		  select_keys(self, ISSUER, LMIG_JWS_ES256, "k-one\n", NOW,
			      keys, &n));

	/* Without kid: every key of the issuer for the alg, load order. */
	ASSERT_EQ(LMIG_TRUST_OK, select_keys(self, ISSUER, LMIG_JWS_ES256, NULL,
					     NOW, keys, &n));
	ASSERT_EQ(2, n);
	EXPECT_STREQ("k-one", keys[0]->kid);
	EXPECT_STREQ("k-two", keys[1]->kid);
}

TEST_F(trust, issuer_is_matched_exactly)
{
	const struct lmig_trust_key *keys[LMIG_TRUST_ISSUER_KEYS_MAX];
	static const char *const near[] = {
		ISSUER "/",
		"https://IDMS.primary.example",
		"https://idms.primary.exampl",
		"http://idms.primary.example",
		" " ISSUER,
		"",
	};
	size_t n, i;

	ASSERT_EQ(0, keygen(self, "a", "ES256", NULL));
	ASSERT_EQ(0, add(self, ISSUER, LMIG_JWS_ES256, NULL, "a"));
	EXPECT_EQ(LMIG_TRUST_OK, select_keys(self, ISSUER, LMIG_JWS_ES256, NULL,
					     NOW, keys, &n));
	for (i = 0; i < sizeof(near) / sizeof(near[0]); i++) {
		EXPECT_EQ(LMIG_TRUST_UNKNOWN_ISSUER,
			  select_keys(self, near[i], LMIG_JWS_ES256, NULL, NOW,
				      keys, &n))
		{
			TH_LOG("matched '%s'", near[i]);
		}
		EXPECT_EQ(0, n);
	}
}

TEST_F(trust, each_key_serves_one_algorithm)
{
	const struct lmig_trust_key *keys[LMIG_TRUST_ISSUER_KEYS_MAX];
	size_t n;

	ASSERT_EQ(0, keygen(self, "rsa", "RS256", NULL));
	ASSERT_EQ(0, add(self, ISSUER, LMIG_JWS_RS256, "r", "rsa"));

	/* kid names the RS256 key, the header says PS256: confusion. */
	EXPECT_EQ(
		LMIG_TRUST_ALG_MISMATCH,
		select_keys(self, ISSUER, LMIG_JWS_PS256, "r", NOW, keys, &n));
	EXPECT_EQ(0, n);
	EXPECT_EQ(
		LMIG_TRUST_ALG_MISMATCH,
		select_keys(self, ISSUER, LMIG_JWS_ES256, "r", NOW, keys, &n));
	/* Without kid, no key of the issuer serves PS256. */
	EXPECT_EQ(
		LMIG_TRUST_UNKNOWN_KEY,
		select_keys(self, ISSUER, LMIG_JWS_PS256, NULL, NOW, keys, &n));
	EXPECT_EQ(LMIG_TRUST_OK, select_keys(self, ISSUER, LMIG_JWS_RS256, "r",
					     NOW, keys, &n));

	/* The same RSA certificate may serve PS256 as another entry. */
	ASSERT_EQ(0, keygen(self, "rsa2", "PS256", NULL));
	ASSERT_EQ(0, add(self, ISSUER, LMIG_JWS_PS256, "p", "rsa2"));
	EXPECT_EQ(LMIG_TRUST_OK, select_keys(self, ISSUER, LMIG_JWS_PS256, NULL,
					     NOW, keys, &n));
	EXPECT_EQ(1, n);
	EXPECT_STREQ("p", keys[0]->kid);
}

TEST_F(trust, key_type_must_fit_the_algorithm)
{
	static const struct {
		const char *name;
		enum lmig_jws_alg wrong;
		const char *why;
	} cases[] = {
		{"ES256", LMIG_JWS_ES384, "ES384 needs an EC key on P-384"},
		{"ES384", LMIG_JWS_ES256, "ES256 needs an EC key on P-256"},
		{"RS256", LMIG_JWS_ES256, "ES256 needs an EC key on P-256"},
		{"ES256", LMIG_JWS_RS256, "RS256 needs an RSA key"},
		{"EdDSA", LMIG_JWS_PS256, "PS256 needs an RSA or RSA-PSS key"},
		{"ES256", LMIG_JWS_EDDSA, "EdDSA needs an Ed25519 key"},
	};
	size_t i;

	ASSERT_EQ(0, keygen(self, "ES256", "ES256", NULL));
	ASSERT_EQ(0, keygen(self, "ES384", "ES384", NULL));
	ASSERT_EQ(0, keygen(self, "RS256", "RS256", NULL));
	ASSERT_EQ(0, keygen(self, "EdDSA", "EdDSA", NULL));
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		EXPECT_EQ(-EINVAL, add(self, ISSUER, cases[i].wrong, NULL,
				       cases[i].name));
		EXPECT_NE(NULL, strstr(self->err, cases[i].why))
		{
			TH_LOG("got: %s", self->err);
		}
		EXPECT_NE(NULL, strstr(self->err, cases[i].name));
	}
	EXPECT_EQ(0, lmig_trust_key_count(self->t));
}

TEST_F(trust, rsa_1024_is_refused_at_load)
{
	const char *more[] = {"--rsa-bits", "1024", NULL};
	const char *pem;

	ASSERT_EQ(0, keygen(self, "small", "RS256", more));
	pem = path_of(self, "small.pem");
	EXPECT_EQ(-EINVAL, add(self, ISSUER, LMIG_JWS_RS256, NULL, "small"));
	EXPECT_EQ(0, strncmp(self->err, pem, strlen(pem)));
	EXPECT_NE(NULL, strstr(self->err, "RSA keys under 2048 bits"));
	EXPECT_EQ(-EINVAL, add(self, ISSUER, LMIG_JWS_PS256, NULL, "small"));
	EXPECT_EQ(0, lmig_trust_key_count(self->t));
}

TEST_F(trust, no_digital_signature_is_refused_at_load)
{
	const char *no_ds[] = {"--no-digital-signature", NULL};
	const char *no_ku[] = {"--no-key-usage", NULL};

	ASSERT_EQ(0, keygen(self, "nods", "ES256", no_ds));
	EXPECT_EQ(-EINVAL, add(self, ISSUER, LMIG_JWS_ES256, NULL, "nods"));
	EXPECT_NE(NULL, strstr(self->err, "nods.pem: keyUsage lacks "
					  "digitalSignature"))
	{
		TH_LOG("got: %s", self->err);
	}
	ASSERT_EQ(0, keygen(self, "rsanods", "RS256", no_ds));
	EXPECT_EQ(-EINVAL, add(self, ISSUER, LMIG_JWS_RS256, NULL, "rsanods"));
	EXPECT_EQ(0, lmig_trust_key_count(self->t));

	/* No keyUsage extension at all restricts nothing (RFC 5280). */
	ASSERT_EQ(0, keygen(self, "noku", "ES256", no_ku));
	EXPECT_EQ(0, add(self, ISSUER, LMIG_JWS_ES256, NULL, "noku"));
	EXPECT_EQ(1, lmig_trust_key_count(self->t));
}

TEST_F(trust, expired_and_not_yet_valid_keys_are_not_used)
{
	const struct lmig_trust_key *keys[LMIG_TRUST_ISSUER_KEYS_MAX];
	const char *expired[] = {"--expired", NULL};
	const char *not_yet[] = {"--not-yet-valid", NULL};
	size_t n;

	ASSERT_EQ(0, keygen(self, "old", "ES256", expired));
	ASSERT_EQ(0, keygen(self, "new", "ES256", not_yet));
	/* Loading them is fine: validity is judged per token. */
	ASSERT_EQ(0, add(self, ISSUER, LMIG_JWS_ES256, "old", "old"));
	ASSERT_EQ(0, add(self, ISSUER, LMIG_JWS_ES256, "new", "new"));

	EXPECT_EQ(LMIG_TRUST_KEY_NOT_VALID,
		  select_keys(self, ISSUER, LMIG_JWS_ES256, "old", NOW, keys,
			      &n));
	EXPECT_EQ(LMIG_TRUST_KEY_NOT_VALID,
		  select_keys(self, ISSUER, LMIG_JWS_ES256, "new", NOW, keys,
			      &n));
	EXPECT_EQ(
		LMIG_TRUST_KEY_NOT_VALID,
		select_keys(self, ISSUER, LMIG_JWS_ES256, NULL, NOW, keys, &n));
	EXPECT_EQ(0, n);
	/* The same keys at times inside their periods. */
	EXPECT_EQ(LMIG_TRUST_OK,
		  select_keys(self, ISSUER, LMIG_JWS_ES256, "old",
			      NOW - 86400 - 3600, keys, &n));
	EXPECT_EQ(LMIG_TRUST_OK, select_keys(self, ISSUER, LMIG_JWS_ES256, NULL,
					     NOW + 86400 + 3600, keys, &n));
	ASSERT_EQ(1, n);
	EXPECT_STREQ("new", keys[0]->kid);

	/* A valid key beside them is the only candidate now. */
	ASSERT_EQ(0, keygen(self, "cur", "ES256", NULL));
	ASSERT_EQ(0, add(self, ISSUER, LMIG_JWS_ES256, "cur", "cur"));
	ASSERT_EQ(LMIG_TRUST_OK, select_keys(self, ISSUER, LMIG_JWS_ES256, NULL,
					     NOW, keys, &n));
	ASSERT_EQ(1, n);
	EXPECT_STREQ("cur", keys[0]->kid);
}

TEST_F(trust, validity_bounds_are_inclusive)
{
	const struct lmig_trust_key *keys[LMIG_TRUST_ISSUER_KEYS_MAX];
	const char *period[] = {"--not-before", "1800000100", "--not-after",
				"1800000200", NULL};
	const struct lmig_trust_key *key;
	size_t n;

	ASSERT_EQ(0, keygen(self, "p", "EdDSA", period));
	ASSERT_EQ(0, add(self, ISSUER, LMIG_JWS_EDDSA, NULL, "p"));
	key = lmig_trust_key(self->t, 0);
	EXPECT_EQ(1800000100, key->not_before);
	EXPECT_EQ(1800000200, key->not_after);
	EXPECT_FALSE(lmig_trust_key_valid_at(key, 1800000099));
	EXPECT_TRUE(lmig_trust_key_valid_at(key, 1800000100));
	EXPECT_TRUE(lmig_trust_key_valid_at(key, 1800000200));
	EXPECT_FALSE(lmig_trust_key_valid_at(key, 1800000201));
	EXPECT_EQ(LMIG_TRUST_KEY_NOT_VALID,
		  select_keys(self, ISSUER, LMIG_JWS_EDDSA, NULL, 1800000201,
			      keys, &n));
	EXPECT_EQ(LMIG_TRUST_OK, select_keys(self, ISSUER, LMIG_JWS_EDDSA, NULL,
					     1800000200, keys, &n));
}

TEST_F(trust, bad_files_are_named_in_errors)
{
	static const struct {
		const char *name;
		const char *content;
		const char *why;
	} cases[] = {
		{"garbage.pem", "this is not PEM\n",
		 "no PEM certificate could be read"},
		{"empty.pem", "", "no PEM certificate could be read"},
		{"truncated.pem",
		 "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIQ\n",
		 "no PEM certificate could be read"},
		{"badb64.pem",
		 "-----BEGIN CERTIFICATE-----\n!!!!\n-----END "
		 "CERTIFICATE-----\n",
		 "no PEM certificate could be read"},
		{"notder.pem",
		 "-----BEGIN CERTIFICATE-----\naGVsbG8gd29ybGQ=\n"
		 "-----END CERTIFICATE-----\n",
		 "no PEM certificate could be read"},
	};
	char path[PATH_MAX];
	size_t i;
	FILE *f;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ASSERT_EQ(0, tu_join(path, sizeof(path), self->dir,
				     cases[i].name));
		f = fopen(path, "w");
		ASSERT_NE(NULL, f);
		fputs(cases[i].content, f);
		fclose(f);
		EXPECT_EQ(-EINVAL,
			  lmig_trust_add_cert_file(
				  self->t, ISSUER, LMIG_JWS_ES256, NULL, path,
				  self->err, sizeof(self->err)));
		/* "PATH: reason" */
		EXPECT_EQ(0, strncmp(self->err, path, strlen(path)));
		EXPECT_EQ(':', self->err[strlen(path)]);
		EXPECT_NE(NULL, strstr(self->err, cases[i].why))
		{
			TH_LOG("got: %s", self->err);
		}
	}
	ASSERT_EQ(0, tu_join(path, sizeof(path), self->dir, "missing.pem"));
	EXPECT_EQ(-ENOENT, lmig_trust_add_cert_file(
				   self->t, ISSUER, LMIG_JWS_ES256, NULL, path,
				   self->err, sizeof(self->err)));
	EXPECT_EQ(0, strncmp(self->err, path, strlen(path)));
	EXPECT_NE(NULL, strstr(self->err, "No such file"));
	EXPECT_EQ(0, lmig_trust_key_count(self->t));
}

TEST_F(trust, one_certificate_per_file)
{
	char *a, *b, *both, *key;
	static size_t la, lb, lk; /* static: kept across ASSERT longjmp */

	ASSERT_EQ(0, keygen(self, "a", "ES256", NULL));
	ASSERT_EQ(0, keygen(self, "b", "ES256", NULL));
	a = tu_read_file(path_of(self, "a.pem"), &la);
	b = tu_read_file(path_of(self, "b.pem"), &lb);
	key = tu_read_file(path_of(self, "a.key"), &lk);
	ASSERT_NE(NULL, a);
	ASSERT_NE(NULL, b);
	ASSERT_NE(NULL, key);
	both = malloc(la + lb + lk + 1);
	ASSERT_NE(NULL, both);
	memcpy(both, a, la);
	memcpy(both + la, b, lb);
	EXPECT_EQ(-EINVAL,
		  lmig_trust_add_cert_pem(self->t, ISSUER, LMIG_JWS_ES256, NULL,
					  both, la + lb, "two-certs", self->err,
					  sizeof(self->err)));
	EXPECT_STREQ("two-certs: holds more than one certificate; give one "
		     "per key",
		     self->err);
	/* A private key alone is no certificate. */
	EXPECT_EQ(-EINVAL,
		  lmig_trust_add_cert_pem(self->t, ISSUER, LMIG_JWS_ES256, NULL,
					  key, lk, "key-only", self->err,
					  sizeof(self->err)));
	EXPECT_EQ(0, strncmp(self->err, "key-only: ", 10));
	/* Text around one certificate, a private key beside it: fine. */
	memcpy(both, key, lk);
	memcpy(both + lk, a, la);
	EXPECT_EQ(0, lmig_trust_add_cert_pem(self->t, ISSUER, LMIG_JWS_ES256,
					     NULL, both, lk + la, "key+cert",
					     self->err, sizeof(self->err)));
	EXPECT_EQ(1, lmig_trust_key_count(self->t));
	free(a);
	free(b);
	free(key);
	free(both);
}

TEST_F(trust, duplicates_are_refused)
{
	char kid_of_a[64];

	ASSERT_EQ(0, keygen(self, "a", "ES256", NULL));
	ASSERT_EQ(0, keygen(self, "b", "ES256", NULL));
	ASSERT_EQ(0, keygen(self, "c", "ES256", NULL));
	ASSERT_EQ(0, add(self, ISSUER, LMIG_JWS_ES256, "k", "a"));

	EXPECT_EQ(-EINVAL, add(self, ISSUER, LMIG_JWS_ES256, NULL, "a"));
	EXPECT_NE(NULL, strstr(self->err, "same certificate as"));
	EXPECT_EQ(-EINVAL, add(self, ISSUER, LMIG_JWS_ES256, "k", "b"));
	EXPECT_NE(NULL, strstr(self->err, "kid \"k\" already names the key"));
	/* A configured kid may not be another key's implicit kid. */
	snprintf(kid_of_a, sizeof(kid_of_a), "%s",
		 lmig_trust_key(self->t, 0)->implicit_kid);
	EXPECT_EQ(-EINVAL, add(self, ISSUER, LMIG_JWS_ES256, kid_of_a, "c"));
	EXPECT_EQ(1, lmig_trust_key_count(self->t));

	/* Another issuer may pin the same certificate and kid. */
	EXPECT_EQ(0, add(self, "https://idms.other.example", LMIG_JWS_ES256,
			 "k", "a"));
	EXPECT_EQ(0, add(self, ISSUER, LMIG_JWS_ES256, "k2", "b"));
	EXPECT_EQ(3, lmig_trust_key_count(self->t));
}

TEST_F(trust, arguments_are_checked)
{
	char issuer[LMIG_TRUST_ISSUER_MAX + 2];
	char kid[LMIG_TRUST_KID_MAX + 2];

	ASSERT_EQ(0, keygen(self, "a", "ES256", NULL));
	EXPECT_EQ(-EINVAL, add(self, "", LMIG_JWS_ES256, NULL, "a"));
	EXPECT_NE(NULL, strstr(self->err, "issuer must be 1..255 bytes"));
	memset(issuer, 'i', sizeof(issuer) - 1);
	issuer[sizeof(issuer) - 1] = '\0';
	EXPECT_EQ(-EINVAL, add(self, issuer, LMIG_JWS_ES256, NULL, "a"));
	issuer[LMIG_TRUST_ISSUER_MAX] = '\0';
	EXPECT_EQ(0, add(self, issuer, LMIG_JWS_ES256, NULL, "a"));

	memset(kid, 'k', sizeof(kid) - 1);
	kid[sizeof(kid) - 1] = '\0';
	EXPECT_EQ(-EINVAL, add(self, ISSUER, LMIG_JWS_ES256, kid, "a"));
	EXPECT_NE(NULL, strstr(self->err, "kid longer than 127 bytes"));
	EXPECT_EQ(-EINVAL, add(self, ISSUER, LMIG_JWS_ALG_INVALID, NULL, "a"));
	EXPECT_EQ(-EINVAL, add(self, ISSUER, __LMIG_JWS_ALG_MAX, NULL, "a"));
	EXPECT_EQ(1, lmig_trust_key_count(self->t));
}

TEST_F(trust, keys_per_issuer_are_bounded)
{
	char name[16];
	int i;

	for (i = 0; i <= LMIG_TRUST_ISSUER_KEYS_MAX; i++) {
		snprintf(name, sizeof(name), "k%d", i);
		ASSERT_EQ(0, keygen(self, name, "EdDSA", NULL));
		if (i < LMIG_TRUST_ISSUER_KEYS_MAX) {
			ASSERT_EQ(0, add(self, ISSUER, LMIG_JWS_EDDSA, NULL,
					 name));
		}
	}
	EXPECT_EQ(-EINVAL, add(self, ISSUER, LMIG_JWS_EDDSA, NULL, name));
	EXPECT_NE(NULL, strstr(self->err, "issuer already has 16 keys"));
	EXPECT_EQ(0, add(self, "https://idms.other.example", LMIG_JWS_EDDSA,
			 NULL, name));
}

TEST_HARNESS_MAIN
