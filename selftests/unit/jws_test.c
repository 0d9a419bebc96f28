// SPDX-License-Identifier: GPL-2.0-only
/*
 * Compact JWS: every parsing refusal, and signature verification for each
 * algorithm with keys generated here through OpenSSL.
 */
#include <pthread.h>
#include <string.h>

#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/rsa.h>

#include "kselftest_harness.h"

#include "b64.h"
#include "jws.h"

static EVP_PKEY *keygen(enum lmig_jws_alg alg)
{
	switch (alg) {
	case LMIG_JWS_ES256:
		return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	case LMIG_JWS_ES384:
		return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
	case LMIG_JWS_RS256:
	case LMIG_JWS_PS256:
		return EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	case LMIG_JWS_EDDSA:
		return EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	default:
		return NULL;
	}
}

/* Append the base64url of len bytes to out (room for it assumed). */
static void append_b64(char *out, const void *data, size_t len)
{
	size_t used = strlen(out);

	lmig_b64url_encode(data, len, out + used, 4 * len / 3 + 4);
}

/*
 * header.payload.signature with header and payload given as text and a
 * signature made by key under alg; returns 0 on success.
 */
static int make_jws(char *out, enum lmig_jws_alg alg, EVP_PKEY *key,
		    const char *header, const char *payload)
{
	uint8_t sig[LMIG_JWS_SIG_MAX];
	size_t sig_len;

	out[0] = '\0';
	append_b64(out, header, strlen(header));
	strcat(out, ".");
	append_b64(out, payload, strlen(payload));
	if (lmig_jws_sign(alg, key, out, strlen(out), sig, &sig_len) !=
	    LMIG_JWS_OK)
		return -1;
	strcat(out, ".");
	append_b64(out, sig, sig_len);
	return 0;
}

/* A token from raw header/payload/signature texts, each base64url'd. */
static void raw_jws(char *out, const char *header, const char *payload,
		    const char *sig)
{
	out[0] = '\0';
	append_b64(out, header, strlen(header));
	strcat(out, ".");
	append_b64(out, payload, strlen(payload));
	strcat(out, ".");
	append_b64(out, sig, strlen(sig));
}

static enum lmig_jws_status parse_only(const char *token, const char **why)
{
	struct lmig_jws jws;
	enum lmig_jws_status st;

	st = lmig_jws_parse(token, strlen(token), &jws, why);
	if (st == LMIG_JWS_OK)
		lmig_jws_release(&jws);
	return st;
}

/* --- parsing ----------------------------------------------------------- */

TEST(parses_a_well_formed_token)
{
	char token[512];
	struct lmig_jws jws;
	const char *why = NULL;

	raw_jws(token,
		"{\"alg\":\"ES256\",\"kid\":\"k1\",\"typ\":\"JWT\","
		"\"x5t#S256\":\"ignored\"}",
		"{\"iss\":\"a\"}", "sig");
	ASSERT_EQ(LMIG_JWS_OK,
		  lmig_jws_parse(token, strlen(token), &jws, &why));
	EXPECT_EQ(LMIG_JWS_ES256, jws.alg);
	EXPECT_STREQ("k1", jws.kid);
	EXPECT_EQ(2, jws.kid_len);
	EXPECT_STREQ("JWT", jws.typ);
	EXPECT_STREQ("{\"iss\":\"a\"}", (const char *)jws.payload);
	EXPECT_EQ(3, jws.signature_len);
	EXPECT_EQ(0, memcmp(jws.signature, "sig", 3));
	EXPECT_EQ(strrchr(token, '.') - token, (long)jws.signing_input_len);
	EXPECT_EQ((const char *)token, jws.signing_input);
	lmig_jws_release(&jws);
	EXPECT_EQ(NULL, jws.payload);
}

TEST(optional_members_absent)
{
	char token[256];
	struct lmig_jws jws;

	raw_jws(token, "{\"alg\":\"EdDSA\"}", "x", "s");
	ASSERT_EQ(LMIG_JWS_OK,
		  lmig_jws_parse(token, strlen(token), &jws, NULL));
	EXPECT_EQ(LMIG_JWS_EDDSA, jws.alg);
	EXPECT_EQ(NULL, jws.kid);
	EXPECT_EQ(NULL, jws.typ);
	lmig_jws_release(&jws);
}

TEST(size_limit_before_anything)
{
	char *token = malloc(LMIG_JWS_MAX_LEN + 1);
	const char *why = NULL;

	ASSERT_NE(NULL, token);
	/* Garbage that is too long is refused for its size alone. */
	memset(token, '!', LMIG_JWS_MAX_LEN + 1);
	EXPECT_EQ(LMIG_JWS_TOO_LARGE,
		  lmig_jws_parse(token, LMIG_JWS_MAX_LEN + 1,
				 &(struct lmig_jws){0}, &why));
	EXPECT_STREQ("token is longer than 8192 bytes", why);
	free(token);
}

TEST(size_limit_is_inclusive)
{
	static const char *const payloads[] = {"x", "xy", "xyz"};
	char *token = malloc(LMIG_JWS_MAX_LEN);
	char good[256];
	struct lmig_jws jws;
	size_t len = 0, k = 0, i;

	ASSERT_NE(NULL, token);
	/* header.payload. then a signature part filling up to the limit */
	for (i = 0; i < 3; i++) {
		raw_jws(good, "{\"alg\":\"ES256\"}", payloads[i], "");
		len = strlen(good);
		k = LMIG_JWS_MAX_LEN - len;
		if (k % 4 != 1)
			break;
	}
	memcpy(token, good, len);
	memset(token + len, 'A', k);
	ASSERT_EQ(LMIG_JWS_OK,
		  lmig_jws_parse(token, LMIG_JWS_MAX_LEN, &jws, NULL));
	EXPECT_EQ(lmig_b64url_decoded_len(k), jws.signature_len);
	lmig_jws_release(&jws);
	free(token);
}

TEST(structure_before_decoding)
{
	static const char *const bad[] = {
		"",
		"abc",
		"abc.def",
		"a.b.c.d",
		"!!!.###.$$$.%%%",
		"..",
		"eyJhbGciOiJFUzI1NiJ9..c2ln",
		".eA.c2ln",
		"eyJhbGciOiJFUzI1NiJ9.eA.",
	};
	const char *why;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why = NULL;
		EXPECT_EQ(LMIG_JWS_MALFORMED, parse_only(bad[i], &why))
		{
			TH_LOG("case %zu", i);
		}
		EXPECT_TRUE(why && (strstr(why, "two '.'") ||
				    strstr(why, "non-empty")));
	}
}

TEST(base64url_is_strict)
{
	static const char *const bad[] = {
		"eyJhbGciOiJFUzI1NiJ9=.eA.c2ln",   /* padding */
		"eyJhbGciOiJFUzI1NiJ9.eA==.c2ln",  /* padding */
		"eyJhbGciOiJFUzI1NiJ9.eA.c2ln=",   /* padding */
		"eyJhbGciOiJFUzI1NiJ9 .eA.c2ln",   /* blank */
		"eyJhbGciOiJFUzI1NiJ9.e A.c2ln",   /* blank */
		"eyJhbGciOiJFUzI1NiJ9.eA.c2\nln",  /* newline */
		"eyJhbGciOiJFUzI1NiJ9.eA.c2l+",	   /* standard alphabet */
		"eyJhbGciOiJFUzI1NiJ9.eA.c2l/",	   /* standard alphabet */
		"eyJhbGciOiJFUzI1NiJ9.eB.c2ln",	   /* trailing bits */
		"eyJhbGciOiJFUzI1NiJ9.eAB.c2ln",   /* trailing bits */
		"eyJhbGciOiJFUzI1NiJ9.eAAAA.c2ln", /* length 1 mod 4 */
	};
	const char *why;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_EQ(LMIG_JWS_MALFORMED, parse_only(bad[i], &why))
		{
			TH_LOG("case %zu", i);
		}
	}
	parse_only(bad[1], &why);
	EXPECT_STREQ("payload is not base64url", why);
	parse_only(bad[0], &why);
	EXPECT_STREQ("header is not base64url", why);
	parse_only(bad[2], &why);
	EXPECT_STREQ("signature is not base64url", why);
}

struct header_case {
	const char *header;
	enum lmig_jws_status status;
	const char *why;
};

TEST(header_refusals)
{
	static const struct header_case cases[] = {
		{"not json", LMIG_JWS_BAD_HEADER, "header is not JSON"},
		{"[\"alg\",\"ES256\"]", LMIG_JWS_BAD_HEADER,
		 "header is not a JSON object"},
		{"\"ES256\"", LMIG_JWS_BAD_HEADER,
		 "header is not a JSON object"},
		{"{}", LMIG_JWS_BAD_HEADER, "header has no \"alg\""},
		{"{\"typ\":\"JWT\"}", LMIG_JWS_BAD_HEADER,
		 "header has no \"alg\""},
		{"{\"alg\":256}", LMIG_JWS_BAD_HEADER,
		 "header \"alg\" is not a string"},
		{"{\"alg\":null}", LMIG_JWS_BAD_HEADER,
		 "header \"alg\" is not a string"},
		{"{\"alg\":\"ES256\",\"alg\":\"ES256\"}", LMIG_JWS_BAD_HEADER,
		 "header is not JSON"},
		{"{\"alg\":\"ES256\",\"kid\":7}", LMIG_JWS_BAD_HEADER,
		 "header \"kid\" is not a string"},
		{"{\"alg\":\"ES256\",\"kid\":\"a\\u0000b\"}",
		 LMIG_JWS_BAD_HEADER, "header \"kid\" is not a string"},
		{"{\"alg\":\"ES256\",\"typ\":[]}", LMIG_JWS_BAD_HEADER,
		 "header \"typ\" is not a string"},
		{"[[[[[[[[[[]]]]]]]]]]", LMIG_JWS_BAD_HEADER,
		 "header nests too deeply"},
		{"{\"alg\":\"none\"}", LMIG_JWS_UNSUPPORTED_ALG,
		 "alg \"none\" is never accepted"},
		{"{\"alg\":\"NONE\"}", LMIG_JWS_UNSUPPORTED_ALG,
		 "alg \"none\" is never accepted"},
		{"{\"alg\":\"HS256\"}", LMIG_JWS_UNSUPPORTED_ALG,
		 "HMAC algorithms are never accepted"},
		{"{\"alg\":\"HS384\"}", LMIG_JWS_UNSUPPORTED_ALG,
		 "HMAC algorithms are never accepted"},
		{"{\"alg\":\"HS512\"}", LMIG_JWS_UNSUPPORTED_ALG,
		 "HMAC algorithms are never accepted"},
		{"{\"alg\":\"es256\"}", LMIG_JWS_UNSUPPORTED_ALG,
		 "alg is not one of ES256, ES384, RS256, PS256, EdDSA"},
		{"{\"alg\":\"ES512\"}", LMIG_JWS_UNSUPPORTED_ALG, NULL},
		{"{\"alg\":\"RS384\"}", LMIG_JWS_UNSUPPORTED_ALG, NULL},
		{"{\"alg\":\"PS512\"}", LMIG_JWS_UNSUPPORTED_ALG, NULL},
		{"{\"alg\":\"ES256K\"}", LMIG_JWS_UNSUPPORTED_ALG, NULL},
		{"{\"alg\":\"EDDSA\"}", LMIG_JWS_UNSUPPORTED_ALG, NULL},
		{"{\"alg\":\"\"}", LMIG_JWS_UNSUPPORTED_ALG, NULL},
		{"{\"alg\":\"ES256\\u0000\"}", LMIG_JWS_UNSUPPORTED_ALG, NULL},
		{"{\"alg\":\"ES256\",\"jku\":\"https://x/jwks\"}",
		 LMIG_JWS_FORBIDDEN_HEADER,
		 "header member \"jku\" is not allowed: keys are pinned"},
		{"{\"alg\":\"ES256\",\"x5u\":\"https://x/c.pem\"}",
		 LMIG_JWS_FORBIDDEN_HEADER,
		 "header member \"x5u\" is not allowed: keys are pinned"},
		{"{\"alg\":\"ES256\",\"jwk\":{\"kty\":\"EC\"}}",
		 LMIG_JWS_FORBIDDEN_HEADER,
		 "header member \"jwk\" is not allowed: keys are pinned"},
		{"{\"alg\":\"ES256\",\"x5c\":[\"MII\"]}",
		 LMIG_JWS_FORBIDDEN_HEADER,
		 "header member \"x5c\" is not allowed: keys are pinned"},
		{"{\"alg\":\"ES256\",\"crit\":[\"exp\"]}",
		 LMIG_JWS_FORBIDDEN_HEADER, NULL},
		{"{\"alg\":\"ES256\",\"b64\":false}", LMIG_JWS_FORBIDDEN_HEADER,
		 NULL},
		/* Forbidden whatever the value, even null. */
		{"{\"alg\":\"ES256\",\"jwk\":null}", LMIG_JWS_FORBIDDEN_HEADER,
		 NULL},
	};
	char token[512];
	const char *why;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		raw_jws(token, cases[i].header, "{}", "sig");
		why = NULL;
		EXPECT_EQ(cases[i].status, parse_only(token, &why))
		{
			TH_LOG("case %zu", i);
		}
		if (cases[i].why) {
			EXPECT_STREQ(cases[i].why, why ? why : "(none)");
		}
	}
}

TEST(payload_is_opaque_bytes)
{
	char token[256];
	struct lmig_jws jws;

	/* Not JSON, and holding a NUL: the JWS layer does not care. */
	raw_jws(token, "{\"alg\":\"RS256\"}", "foo", "s");
	ASSERT_EQ(LMIG_JWS_OK,
		  lmig_jws_parse(token, strlen(token), &jws, NULL));
	EXPECT_EQ(3, jws.payload_len);
	lmig_jws_release(&jws);
}

TEST(alg_names)
{
	enum lmig_jws_alg a;

	for (a = LMIG_JWS_ES256; a < __LMIG_JWS_ALG_MAX; a++) {
		const char *name = lmig_jws_alg_name(a);

		ASSERT_NE(NULL, name);
		EXPECT_EQ(a, lmig_jws_alg_from_name(name, strlen(name)));
	}
	EXPECT_STREQ("EdDSA", lmig_jws_alg_name(LMIG_JWS_EDDSA));
	EXPECT_EQ(LMIG_JWS_ALG_INVALID, lmig_jws_alg_from_name("ES25", 4));
	EXPECT_EQ(LMIG_JWS_ALG_INVALID, lmig_jws_alg_from_name("ES2566", 6));
	EXPECT_EQ(NULL, lmig_jws_alg_name(__LMIG_JWS_ALG_MAX));
	EXPECT_STREQ("forbidden_header",
		     lmig_jws_status_name(LMIG_JWS_FORBIDDEN_HEADER));
}

/* --- signatures, per algorithm ----------------------------------------- */

FIXTURE(alg)
{
	EVP_PKEY *key;
	EVP_PKEY *other; /* same type, another key */
	char token[4096];
};

FIXTURE_VARIANT(alg)
{
	enum lmig_jws_alg alg;
	const char *header;
	size_t sig_len; /* 0: the RSA modulus size */
};

FIXTURE_VARIANT_ADD(alg, es256){
	.alg = LMIG_JWS_ES256,
	.header = "{\"alg\":\"ES256\",\"typ\":\"JWT\"}",
	.sig_len = 64,
};

FIXTURE_VARIANT_ADD(alg, es384){
	.alg = LMIG_JWS_ES384,
	.header = "{\"alg\":\"ES384\"}",
	.sig_len = 96,
};

FIXTURE_VARIANT_ADD(alg, rs256){
	.alg = LMIG_JWS_RS256,
	.header = "{\"alg\":\"RS256\"}",
	.sig_len = 256,
};

FIXTURE_VARIANT_ADD(alg, ps256){
	.alg = LMIG_JWS_PS256,
	.header = "{\"alg\":\"PS256\"}",
	.sig_len = 256,
};

FIXTURE_VARIANT_ADD(alg, eddsa){
	.alg = LMIG_JWS_EDDSA,
	.header = "{\"alg\":\"EdDSA\"}",
	.sig_len = 64,
};

FIXTURE_SETUP(alg)
{
	self->key = keygen(variant->alg);
	self->other = keygen(variant->alg);
	ASSERT_NE(NULL, self->key);
	ASSERT_NE(NULL, self->other);
	ASSERT_EQ(0, make_jws(self->token, variant->alg, self->key,
			      variant->header, "{\"iss\":\"https://idms\"}"));
}

FIXTURE_TEARDOWN(alg)
{
	EVP_PKEY_free(self->key);
	EVP_PKEY_free(self->other);
}

TEST_F(alg, verifies)
{
	struct lmig_jws jws;

	ASSERT_EQ(LMIG_JWS_OK,
		  lmig_jws_parse(self->token, strlen(self->token), &jws, NULL));
	EXPECT_EQ(variant->alg, jws.alg);
	EXPECT_EQ(variant->sig_len, jws.signature_len);
	EXPECT_EQ(LMIG_JWS_OK,
		  lmig_jws_key_check(variant->alg, self->key, NULL));
	EXPECT_EQ(LMIG_JWS_OK, lmig_jws_verify_with_key(&jws, self->key));
	EXPECT_EQ(LMIG_JWS_BAD_SIGNATURE,
		  lmig_jws_verify_with_key(&jws, self->other));
	/* No error is left queued for the next OpenSSL user... */
	EXPECT_EQ(0, ERR_peek_error());
	/* ...and the caller's own queued errors are left alone. */
	ERR_raise(ERR_LIB_USER, 42);
	EXPECT_EQ(LMIG_JWS_BAD_SIGNATURE,
		  lmig_jws_verify_with_key(&jws, self->other));
	EXPECT_EQ(42, ERR_GET_REASON(ERR_peek_last_error()));
	ERR_clear_error();
	lmig_jws_release(&jws);
}

TEST_F(alg, every_signature_bit_matters)
{
	struct lmig_jws jws;
	uint8_t sig[LMIG_JWS_SIG_MAX];
	size_t i;

	ASSERT_EQ(LMIG_JWS_OK,
		  lmig_jws_parse(self->token, strlen(self->token), &jws, NULL));
	memcpy(sig, jws.signature, jws.signature_len);
	for (i = 0; i < jws.signature_len; i += 7) {
		sig[i] ^= 0x80;
		EXPECT_EQ(LMIG_JWS_BAD_SIGNATURE,
			  lmig_jws_verify_signature(jws.alg, self->key,
						    jws.signing_input,
						    jws.signing_input_len, sig,
						    jws.signature_len))
		{
			TH_LOG("byte %zu flipped", i);
		}
		sig[i] ^= 0x80;
	}
	lmig_jws_release(&jws);
}

TEST_F(alg, signed_input_is_header_and_payload)
{
	struct lmig_jws jws;
	char *dot;

	/* Change one payload character: the signature no longer fits. */
	dot = strchr(self->token, '.');
	dot[1] = dot[1] == 'e' ? 'f' : 'e';
	ASSERT_EQ(LMIG_JWS_OK,
		  lmig_jws_parse(self->token, strlen(self->token), &jws, NULL));
	EXPECT_EQ(LMIG_JWS_BAD_SIGNATURE,
		  lmig_jws_verify_with_key(&jws, self->key));
	lmig_jws_release(&jws);
}

TEST_F(alg, signature_length_is_exact)
{
	struct lmig_jws jws;
	uint8_t sig[LMIG_JWS_SIG_MAX + 1];

	ASSERT_EQ(LMIG_JWS_OK,
		  lmig_jws_parse(self->token, strlen(self->token), &jws, NULL));
	memcpy(sig, jws.signature, jws.signature_len);
	EXPECT_EQ(LMIG_JWS_BAD_SIGNATURE,
		  lmig_jws_verify_signature(
			  jws.alg, self->key, jws.signing_input,
			  jws.signing_input_len, sig, jws.signature_len - 1));
	/* A leading zero byte does not change the number, but the form. */
	memmove(sig + 1, sig, jws.signature_len);
	sig[0] = 0;
	EXPECT_EQ(LMIG_JWS_BAD_SIGNATURE,
		  lmig_jws_verify_signature(
			  jws.alg, self->key, jws.signing_input,
			  jws.signing_input_len, sig, jws.signature_len + 1));
	EXPECT_EQ(LMIG_JWS_BAD_SIGNATURE,
		  lmig_jws_verify_signature(jws.alg, self->key,
					    jws.signing_input,
					    jws.signing_input_len, sig, 0));
	lmig_jws_release(&jws);
}

/* A key of every other algorithm's type is refused for this one. */
TEST_F(alg, other_key_types_mismatch)
{
	enum lmig_jws_alg other;
	struct lmig_jws jws;

	ASSERT_EQ(LMIG_JWS_OK,
		  lmig_jws_parse(self->token, strlen(self->token), &jws, NULL));
	for (other = LMIG_JWS_ES256; other < __LMIG_JWS_ALG_MAX; other++) {
		EVP_PKEY *k;
		bool same_type = (other == LMIG_JWS_RS256 ||
				  other == LMIG_JWS_PS256) &&
				 (variant->alg == LMIG_JWS_RS256 ||
				  variant->alg == LMIG_JWS_PS256);

		if (other == variant->alg || same_type)
			continue;
		k = keygen(other);
		ASSERT_NE(NULL, k);
		EXPECT_EQ(LMIG_JWS_KEY_MISMATCH,
			  lmig_jws_verify_with_key(&jws, k))
		{
			TH_LOG("%s key accepted for %s",
			       lmig_jws_alg_name(other),
			       lmig_jws_alg_name(variant->alg));
		}
		EXPECT_EQ(LMIG_JWS_KEY_MISMATCH,
			  lmig_jws_key_check(variant->alg, k, NULL));
		EVP_PKEY_free(k);
	}
	lmig_jws_release(&jws);
}

/*
 * Workers share one verifier per key. More threads than a small pool has
 * slots, so that checks run on ready contexts and on copies at once; a
 * pool of none copies for every check.
 */
#define SHARING_THREADS 12
struct shared_check {
	const struct lmig_jws_verifier *v;
	const struct lmig_jws *jws;
	const uint8_t *bad_sig;
	int wrong; /* answers other than expected */
};

static void *check_repeatedly(void *arg)
{
	struct shared_check *sc = arg;

	for (int i = 0; i < 100; i++) {
		if (lmig_jws_verify(sc->jws, sc->v) != LMIG_JWS_OK)
			sc->wrong++;
		if (lmig_jws_verifier_check(
			    sc->v, sc->jws->signing_input,
			    sc->jws->signing_input_len, sc->bad_sig,
			    sc->jws->signature_len) != LMIG_JWS_BAD_SIGNATURE)
			sc->wrong++;
	}
	return NULL;
}

TEST_F(alg, verifier_is_shared_by_threads)
{
	static const unsigned int pool_sizes[] = {LMIG_JWS_VERIFIER_SLOTS, 2,
						  0};
	struct shared_check sc[SHARING_THREADS];
	pthread_t threads[SHARING_THREADS];
	uint8_t bad[LMIG_JWS_SIG_MAX];
	struct lmig_jws_verifier *v, *other;
	enum lmig_jws_alg other_alg;
	struct lmig_jws jws;

	ASSERT_EQ(LMIG_JWS_OK,
		  lmig_jws_parse(self->token, strlen(self->token), &jws, NULL));
	memcpy(bad, jws.signature, jws.signature_len);
	bad[jws.signature_len / 2] ^= 0x01;
	for (size_t p = 0; p < sizeof(pool_sizes) / sizeof(*pool_sizes); p++) {
		ASSERT_EQ(LMIG_JWS_OK,
			  lmig_jws_verifier_new_sized(jws.alg, self->key,
						      pool_sizes[p], &v));
		for (int i = 0; i < SHARING_THREADS; i++) {
			sc[i] = (struct shared_check){
				.v = v, .jws = &jws, .bad_sig = bad};
			ASSERT_EQ(0, pthread_create(&threads[i], NULL,
						    check_repeatedly, &sc[i]));
		}
		for (int i = 0; i < SHARING_THREADS; i++) {
			pthread_join(threads[i], NULL);
			EXPECT_EQ(0, sc[i].wrong)
			{
				TH_LOG("pool of %u: %d wrong answers",
				       pool_sizes[p], sc[i].wrong);
			}
		}
		lmig_jws_verifier_free(v);
	}
	ASSERT_EQ(LMIG_JWS_OK, lmig_jws_verifier_new(jws.alg, self->key, &v));
	/* A verifier answers only for its own algorithm. */
	other_alg = jws.alg == LMIG_JWS_RS256	? LMIG_JWS_PS256
		    : jws.alg == LMIG_JWS_PS256 ? LMIG_JWS_RS256
						: LMIG_JWS_ALG_INVALID;
	if (other_alg != LMIG_JWS_ALG_INVALID) {
		ASSERT_EQ(LMIG_JWS_OK,
			  lmig_jws_verifier_new(other_alg, self->key, &other));
		EXPECT_EQ(LMIG_JWS_KEY_MISMATCH, lmig_jws_verify(&jws, other));
		lmig_jws_verifier_free(other);
	}
	EXPECT_EQ(
		LMIG_JWS_KEY_MISMATCH,
		lmig_jws_verifier_new(LMIG_JWS_ALG_INVALID, self->key, &other));
	EXPECT_EQ(NULL, other);
	EXPECT_EQ(0, ERR_peek_error());
	lmig_jws_verifier_free(v);
	lmig_jws_release(&jws);
}

/* --- algorithm specifics ------------------------------------------------ */

/* Sign data the way OpenSSL does natively (DER for ECDSA). */
static size_t native_sign(EVP_PKEY *key, const char *md, const char *data,
			  uint8_t *sig, size_t size, int pss_salt,
			  const char *mgf1)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx;
	size_t n = size;
	int ok;

	ok = ctx &&
	     EVP_DigestSignInit_ex(ctx, &pctx, md, NULL, NULL, key, NULL) == 1;
	if (ok && pss_salt >= 0)
		ok = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) >
			     0 &&
		     EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, pss_salt) > 0 &&
		     EVP_PKEY_CTX_set_rsa_mgf1_md_name(pctx, mgf1, NULL) > 0;
	ok = ok && EVP_DigestSign(ctx, sig, &n, (const uint8_t *)data,
				  strlen(data)) == 1;
	EVP_MD_CTX_free(ctx);
	return ok ? n : 0;
}

TEST(ecdsa_der_signature_is_refused)
{
	EVP_PKEY *key = keygen(LMIG_JWS_ES256);
	const char *data = "eyJhbGciOiJFUzI1NiJ9.e30";
	uint8_t der[80], raw[64];
	const unsigned char *p = der;
	const BIGNUM *r, *s;
	ECDSA_SIG *es;
	size_t n;

	ASSERT_NE(NULL, key);
	n = native_sign(key, "SHA256", data, der, sizeof(der), -1, NULL);
	ASSERT_LT(0, n);
	EXPECT_EQ(LMIG_JWS_BAD_SIGNATURE,
		  lmig_jws_verify_signature(LMIG_JWS_ES256, key, data,
					    strlen(data), der, n));
	/* The same signature as r||s verifies: only the form was wrong. */
	es = d2i_ECDSA_SIG(NULL, &p, (long)n);
	ASSERT_NE(NULL, es);
	ECDSA_SIG_get0(es, &r, &s);
	ASSERT_EQ(32, BN_bn2binpad(r, raw, 32));
	ASSERT_EQ(32, BN_bn2binpad(s, raw + 32, 32));
	EXPECT_EQ(LMIG_JWS_OK,
		  lmig_jws_verify_signature(LMIG_JWS_ES256, key, data,
					    strlen(data), raw, sizeof(raw)));
	/* DER padded or cut to the right length is still refused. */
	memset(raw, 0, sizeof(raw));
	memcpy(raw, der, n < 64 ? n : 64);
	EXPECT_EQ(LMIG_JWS_BAD_SIGNATURE,
		  lmig_jws_verify_signature(LMIG_JWS_ES256, key, data,
					    strlen(data), raw, sizeof(raw)));
	ECDSA_SIG_free(es);
	EVP_PKEY_free(key);
}

/*
 * Many signatures: r and s with a leading zero byte or the top bit set
 * both turn up, and each needs its own DER form.
 */
TEST(ecdsa_many_signatures_convert)
{
	EVP_PKEY *keys[2] = {keygen(LMIG_JWS_ES256), keygen(LMIG_JWS_ES384)};
	enum lmig_jws_alg algs[2] = {LMIG_JWS_ES256, LMIG_JWS_ES384};
	uint8_t sig[LMIG_JWS_SIG_MAX];
	int k, i, high = 0, low = 0;

	for (k = 0; k < 2; k++) {
		ASSERT_NE(NULL, keys[k]);
		for (i = 0; i < 300; i++) {
			char data[32];
			size_t n;

			snprintf(data, sizeof(data), "message %d", i);
			ASSERT_EQ(LMIG_JWS_OK,
				  lmig_jws_sign(algs[k], keys[k], data,
						strlen(data), sig, &n));
			high += (sig[0] & 0x80) != 0;
			low += sig[0] < 0x10;
			EXPECT_EQ(LMIG_JWS_OK, lmig_jws_verify_signature(
						       algs[k], keys[k], data,
						       strlen(data), sig, n));
		}
		EVP_PKEY_free(keys[k]);
	}
	EXPECT_LT(0, high);
	EXPECT_LT(0, low);
}

TEST(ecdsa_zero_signature_is_refused)
{
	EVP_PKEY *key = keygen(LMIG_JWS_ES256);
	uint8_t zero[64] = {0};

	ASSERT_NE(NULL, key);
	/* r = s = 0 verifies everything in a broken implementation. */
	EXPECT_EQ(LMIG_JWS_BAD_SIGNATURE,
		  lmig_jws_verify_signature(LMIG_JWS_ES256, key, "x", 1, zero,
					    sizeof(zero)));
	EVP_PKEY_free(key);
}

TEST(ps256_salt_length_is_exactly_32)
{
	EVP_PKEY *key = keygen(LMIG_JWS_PS256);
	const char *data = "eyJhbGciOiJQUzI1NiJ9.e30";
	static const int other_salts[] = {0, 20, 31, 33, 64, 222};
	uint8_t sig[512];
	size_t n, i;

	ASSERT_NE(NULL, key);
	n = native_sign(key, "SHA256", data, sig, sizeof(sig), 32, "SHA256");
	ASSERT_EQ(256, n);
	EXPECT_EQ(LMIG_JWS_OK,
		  lmig_jws_verify_signature(LMIG_JWS_PS256, key, data,
					    strlen(data), sig, n));
	for (i = 0; i < sizeof(other_salts) / sizeof(other_salts[0]); i++) {
		n = native_sign(key, "SHA256", data, sig, sizeof(sig),
				other_salts[i], "SHA256");
		ASSERT_EQ(256, n);
		EXPECT_EQ(LMIG_JWS_BAD_SIGNATURE,
			  lmig_jws_verify_signature(LMIG_JWS_PS256, key, data,
						    strlen(data), sig, n))
		{
			TH_LOG("salt length %d accepted", other_salts[i]);
		}
	}
	/* MGF1 with another hash is another scheme. */
	n = native_sign(key, "SHA256", data, sig, sizeof(sig), 32, "SHA1");
	ASSERT_EQ(256, n);
	EXPECT_EQ(LMIG_JWS_BAD_SIGNATURE,
		  lmig_jws_verify_signature(LMIG_JWS_PS256, key, data,
					    strlen(data), sig, n));
	EVP_PKEY_free(key);
}

TEST(rs256_and_ps256_do_not_cross)
{
	EVP_PKEY *key = keygen(LMIG_JWS_RS256);
	const char *data = "eyJhbGciOiJSUzI1NiJ9.e30";
	uint8_t sig[LMIG_JWS_SIG_MAX];
	size_t n;

	ASSERT_NE(NULL, key);
	ASSERT_EQ(LMIG_JWS_OK, lmig_jws_sign(LMIG_JWS_RS256, key, data,
					     strlen(data), sig, &n));
	EXPECT_EQ(LMIG_JWS_OK,
		  lmig_jws_verify_signature(LMIG_JWS_RS256, key, data,
					    strlen(data), sig, n));
	EXPECT_EQ(LMIG_JWS_BAD_SIGNATURE,
		  lmig_jws_verify_signature(LMIG_JWS_PS256, key, data,
					    strlen(data), sig, n));
	ASSERT_EQ(LMIG_JWS_OK, lmig_jws_sign(LMIG_JWS_PS256, key, data,
					     strlen(data), sig, &n));
	EXPECT_EQ(LMIG_JWS_BAD_SIGNATURE,
		  lmig_jws_verify_signature(LMIG_JWS_RS256, key, data,
					    strlen(data), sig, n));
	EVP_PKEY_free(key);
}

/* EVP_PKEY_Q_keygen() takes no size for RSA-PSS in OpenSSL 3.0. */
static EVP_PKEY *rsa_pss_keygen(void)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA-PSS", NULL);
	EVP_PKEY *key = NULL;

	if (ctx && EVP_PKEY_keygen_init(ctx) > 0 &&
	    EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, 2048) > 0)
		EVP_PKEY_generate(ctx, &key);
	EVP_PKEY_CTX_free(ctx);
	return key;
}

TEST(key_check_rules)
{
	EVP_PKEY *rsa1024 = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
	EVP_PKEY *pss = rsa_pss_keygen();
	EVP_PKEY *k256 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "secp256k1");
	EVP_PKEY *ed448 = EVP_PKEY_Q_keygen(NULL, NULL, "ED448");
	EVP_PKEY *p521 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-521");
	const char *why = NULL;

	ASSERT_NE(NULL, rsa1024);
	ASSERT_NE(NULL, pss);
	ASSERT_NE(NULL, k256);
	ASSERT_NE(NULL, ed448);
	ASSERT_NE(NULL, p521);
	EXPECT_EQ(LMIG_JWS_KEY_MISMATCH,
		  lmig_jws_key_check(LMIG_JWS_RS256, rsa1024, &why));
	EXPECT_STREQ("RSA keys under 2048 bits are refused", why);
	EXPECT_EQ(LMIG_JWS_KEY_MISMATCH,
		  lmig_jws_key_check(LMIG_JWS_PS256, rsa1024, NULL));
	EXPECT_EQ(LMIG_JWS_OK, lmig_jws_key_check(LMIG_JWS_PS256, pss, NULL));
	EXPECT_EQ(LMIG_JWS_KEY_MISMATCH,
		  lmig_jws_key_check(LMIG_JWS_RS256, pss, &why));
	EXPECT_STREQ("RS256 needs an RSA key", why);
	EXPECT_EQ(LMIG_JWS_KEY_MISMATCH,
		  lmig_jws_key_check(LMIG_JWS_ES256, k256, &why));
	EXPECT_STREQ("ES256 needs an EC key on P-256", why);
	EXPECT_EQ(LMIG_JWS_KEY_MISMATCH,
		  lmig_jws_key_check(LMIG_JWS_ES384, p521, NULL));
	EXPECT_EQ(LMIG_JWS_KEY_MISMATCH,
		  lmig_jws_key_check(LMIG_JWS_EDDSA, ed448, &why));
	EXPECT_STREQ("EdDSA needs an Ed25519 key", why);
	EXPECT_EQ(LMIG_JWS_KEY_MISMATCH,
		  lmig_jws_key_check(LMIG_JWS_ALG_INVALID, pss, NULL));
	EXPECT_EQ(LMIG_JWS_KEY_MISMATCH,
		  lmig_jws_verify_signature(LMIG_JWS_ALG_INVALID, pss, "x", 1,
					    (const uint8_t *)"s", 1));

	/* An RSA-PSS key signs and verifies PS256. */
	{
		uint8_t sig[LMIG_JWS_SIG_MAX];
		size_t n;

		ASSERT_EQ(LMIG_JWS_OK,
			  lmig_jws_sign(LMIG_JWS_PS256, pss, "x", 1, sig, &n));
		EXPECT_EQ(LMIG_JWS_OK,
			  lmig_jws_verify_signature(LMIG_JWS_PS256, pss, "x", 1,
						    sig, n));
	}
	EVP_PKEY_free(rsa1024);
	EVP_PKEY_free(pss);
	EVP_PKEY_free(k256);
	EVP_PKEY_free(ed448);
	EVP_PKEY_free(p521);
}

TEST_HARNESS_MAIN
