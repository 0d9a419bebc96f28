// SPDX-License-Identifier: GPL-2.0-only
/*
 * Wycheproof signature vectors through lmig_jws_verify_signature(), the
 * one signature check tokens go through, read with lmig's own JSON
 * parser. Every vector's expected result is asserted:
 *   valid       must verify;
 *   invalid     must be refused;
 *   acceptable  (legacy forms, e.g. PKCS#1 DigestInfo without the NULL
 *               parameter) must be refused: a token verifier has no
 *               interoperability reason to take them.
 * The DER-encoded ECDSA file is run as well: JWS ES256 takes only r||s,
 * so every one of its vectors, valid ones included, must be refused.
 *
 * The whole-token file (json_web_signature_test.json) goes through
 * lmig_jws_parse() and lmig_jws_verify_with_key() with the JWK of each
 * group; see jws_tokens below for what applies and the documented deviations.
 */
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/param_build.h>
#include <openssl/x509.h>

#include "kselftest_harness.h"

#include "b64.h"
#include "json.h"
#include "jws.h"
#include "testutil.h"

static const struct lmig_json_limits vector_limits = {
	.max_size = 16 << 20,
	.max_depth = 16,
};

/* A parsed vector file; the text is kept for the tree's lifetime. */
struct vectors {
	char *text;
	struct lmig_json_doc *doc;
	const struct lmig_json *root;
};

static int vectors_load(struct vectors *v, const char *path)
{
	struct lmig_json_error err;
	size_t len;

	v->doc = NULL;
	v->text = tu_read_file(path, &len);
	if (!v->text)
		return -1;
	if (lmig_json_parse(v->text, len, &vector_limits, &v->doc, &err)) {
		fprintf(stderr, "# %s: JSON error at %zu: %s\n", path,
			err.offset, err.reason);
		return -1;
	}
	v->root = lmig_json_root(v->doc);
	return 0;
}

static void vectors_free(struct vectors *v)
{
	lmig_json_free(v->doc);
	free(v->text);
}

/* A hex member of obj, decoded into a fresh buffer; NULL if not hex. */
static uint8_t *hex_member(const struct lmig_json *obj, const char *name,
			   size_t *len)
{
	size_t hex_len;
	const char *hex = lmig_json_string(lmig_json_get(obj, name), &hex_len);
	uint8_t *out;
	ssize_t n;

	if (!hex)
		return NULL;
	out = malloc(hex_len / 2 + 1);
	if (!out)
		return NULL;
	n = tu_unhex(hex, hex_len, out, hex_len / 2 + 1);
	if (n < 0) {
		free(out);
		return NULL;
	}
	*len = (size_t)n;
	return out;
}

static int64_t int_member(const struct lmig_json *obj, const char *name)
{
	int64_t v = -1;

	lmig_json_int64(lmig_json_get(obj, name), &v);
	return v;
}

/* --- signature vector files -------------------------------------------- */

FIXTURE(signatures)
{
	struct vectors v;
};

FIXTURE_VARIANT(signatures)
{
	const char *file;
	enum lmig_jws_alg alg;
	const char *group_type;
	bool all_refused; /* DER signatures: never the JWS form */
	int64_t tests;
};

FIXTURE_VARIANT_ADD(signatures, ecdsa_p256_sha256_p1363){
	.file = "wycheproof/ecdsa_secp256r1_sha256_p1363_test.json",
	.alg = LMIG_JWS_ES256,
	.group_type = "EcdsaP1363Verify",
	.tests = 262,
};

FIXTURE_VARIANT_ADD(signatures, ecdsa_p256_sha256_der){
	.file = "wycheproof/ecdsa_secp256r1_sha256_test.json",
	.alg = LMIG_JWS_ES256,
	.group_type = "EcdsaVerify",
	.all_refused = true,
	.tests = 484,
};

FIXTURE_VARIANT_ADD(signatures, ed25519){
	.file = "wycheproof/ed25519_test.json",
	.alg = LMIG_JWS_EDDSA,
	.group_type = "EddsaVerify",
	.tests = 151,
};

FIXTURE_VARIANT_ADD(signatures, rsa_pss_2048_sha256_mgf1_32){
	.file = "wycheproof/rsa_pss_2048_sha256_mgf1_32_test.json",
	.alg = LMIG_JWS_PS256,
	.group_type = "RsassaPssVerify",
	.tests = 108,
};

FIXTURE_VARIANT_ADD(signatures, rsa_pkcs1_2048_sha256){
	.file = "wycheproof/rsa_signature_2048_sha256_test.json",
	.alg = LMIG_JWS_RS256,
	.group_type = "RsassaPkcs1Verify",
	.tests = 259,
};

FIXTURE_VARIANT_ADD(signatures, rsa_pkcs1_3072_sha256){
	.file = "wycheproof/rsa_signature_3072_sha256_test.json",
	.alg = LMIG_JWS_RS256,
	.group_type = "RsassaPkcs1Verify",
	.tests = 259,
};

FIXTURE_SETUP(signatures)
{
	char path[PATH_MAX];

	self->v.text = NULL;
	self->v.doc = NULL;
	TESTDATA_PATH_OR_SKIP(path, variant->file);
	ASSERT_EQ(0, vectors_load(&self->v, path));
}

FIXTURE_TEARDOWN(signatures)
{
	vectors_free(&self->v);
}

/* The group's parameters must be exactly what the JWS algorithm means. */
static bool group_matches_alg(const struct lmig_json *group,
			      enum lmig_jws_alg alg)
{
	const struct lmig_json *sha = lmig_json_get(group, "sha");

	if (alg == LMIG_JWS_EDDSA)
		return !sha;
	if (!lmig_json_string_is(sha, "SHA-256"))
		return false;
	if (alg != LMIG_JWS_PS256)
		return true;
	return lmig_json_string_is(lmig_json_get(group, "mgf"), "MGF1") &&
	       lmig_json_string_is(lmig_json_get(group, "mgfSha"), "SHA-256") &&
	       int_member(group, "sLen") == 32;
}

TEST_F_TIMEOUT(signatures, every_vector, 120)
{
	const struct lmig_json *groups = lmig_json_get(self->v.root,
						       "testGroups");
	int64_t seen = 0, valid_ok = 0, refused = 0, acceptable = 0;
	size_t g, t;

	ASSERT_LT(0, lmig_json_count(groups));
	for (g = 0; g < lmig_json_count(groups); g++) {
		const struct lmig_json *group = lmig_json_item(groups, g);
		const struct lmig_json *tests = lmig_json_get(group, "tests");
		const unsigned char *p;
		uint8_t *der;
		size_t der_len;
		EVP_PKEY *key;

		ASSERT_TRUE(lmig_json_string_is(lmig_json_get(group, "type"),
						variant->group_type));
		ASSERT_TRUE(group_matches_alg(group, variant->alg));
		der = hex_member(group, "publicKeyDer", &der_len);
		ASSERT_NE(NULL, der);
		p = der;
		key = d2i_PUBKEY(NULL, &p, (long)der_len);
		free(der);
		ASSERT_NE(NULL, key);
		/* Every key of these files is one the trust store takes. */
		EXPECT_EQ(LMIG_JWS_OK,
			  lmig_jws_key_check(variant->alg, key, NULL));

		for (t = 0; t < lmig_json_count(tests); t++) {
			const struct lmig_json *test = lmig_json_item(tests, t);
			const struct lmig_json *result;
			enum lmig_jws_status st;
			size_t msg_len, sig_len;
			uint8_t *msg, *sig;
			bool want_ok;

			msg = hex_member(test, "msg", &msg_len);
			sig = hex_member(test, "sig", &sig_len);
			ASSERT_NE(NULL, msg);
			ASSERT_NE(NULL, sig);
			result = lmig_json_get(test, "result");
			want_ok = lmig_json_string_is(result, "valid") &&
				  !variant->all_refused;
			st = lmig_jws_verify_signature(variant->alg, key, msg,
						       msg_len, sig, sig_len);
			EXPECT_EQ(want_ok ? LMIG_JWS_OK
					  : LMIG_JWS_BAD_SIGNATURE,
				  st)
			{
				TH_LOG("tcId %lld (%s): %s",
				       (long long)int_member(test, "tcId"),
				       lmig_json_string(result, NULL),
				       lmig_json_string(
					       lmig_json_get(test, "comment"),
					       NULL));
			}
			if (lmig_json_string_is(result, "acceptable"))
				acceptable += st != LMIG_JWS_OK;
			valid_ok += want_ok && st == LMIG_JWS_OK;
			refused += st != LMIG_JWS_OK;
			seen++;
			free(msg);
			free(sig);
		}
		EVP_PKEY_free(key);
	}
	TH_LOG("%lld vectors: %lld valid verified, %lld refused (%lld of "
	       "them \"acceptable\")",
	       (long long)seen, (long long)valid_ok, (long long)refused,
	       (long long)acceptable);
	EXPECT_EQ(variant->tests, seen);
	EXPECT_EQ(int_member(self->v.root, "numberOfTests"), seen);
}

/* --- whole tokens ------------------------------------------------------- */

/* A BIGNUM from a base64url JWK member. */
static BIGNUM *jwk_bn(const struct lmig_json *jwk, const char *name)
{
	uint8_t buf[1024];
	size_t len;
	const char *b64 = lmig_json_string(lmig_json_get(jwk, name), &len);
	ssize_t n;

	if (!b64)
		return NULL;
	n = lmig_b64url_decode(b64, len, buf, sizeof(buf), NULL);
	return n < 0 ? NULL : BN_bin2bn(buf, (int)n, NULL);
}

/* The uncompressed point 04 || x || y of an EC JWK. */
static size_t jwk_point(const struct lmig_json *jwk, uint8_t *out, size_t size)
{
	const char *x, *y;
	size_t xl, yl;
	ssize_t nx, ny;

	x = lmig_json_string(lmig_json_get(jwk, "x"), &xl);
	y = lmig_json_string(lmig_json_get(jwk, "y"), &yl);
	if (!x || !y)
		return 0;
	out[0] = 0x04;
	nx = lmig_b64url_decode(x, xl, out + 1, size - 1, NULL);
	if (nx < 0)
		return 0;
	ny = lmig_b64url_decode(y, yl, out + 1 + nx, size - 1 - (size_t)nx,
				NULL);
	return ny == nx ? 1 + (size_t)(2 * nx) : 0;
}

/* A public key from an RSA or EC JWK; NULL for anything else. */
static EVP_PKEY *jwk_to_pkey(const struct lmig_json *jwk)
{
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	const struct lmig_json *kty = lmig_json_get(jwk, "kty");
	const struct lmig_json *crv = lmig_json_get(jwk, "crv");
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *key = NULL;
	BIGNUM *n = NULL, *e = NULL;
	uint8_t point[1 + 2 * 66];
	size_t point_len;
	const char *type = NULL, *group = NULL;
	bool rsa = !kty || lmig_json_string_is(kty, "RSA");

	if (!bld)
		return NULL;
	if (lmig_json_get(jwk, "n") && rsa) {
		type = "RSA";
		n = jwk_bn(jwk, "n");
		e = jwk_bn(jwk, "e");
		if (!n || !e ||
		    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) ||
		    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e))
			goto out;
	} else if (crv) {
		type = "EC";
		group = lmig_json_string_is(crv, "P-256")   ? "P-256"
			: lmig_json_string_is(crv, "P-384") ? "P-384"
			: lmig_json_string_is(crv, "P-521") ? "P-521"
							    : NULL;
		point_len = jwk_point(jwk, point, sizeof(point));
		if (!group || !point_len ||
		    !OSSL_PARAM_BLD_push_utf8_string(
			    bld, OSSL_PKEY_PARAM_GROUP_NAME, group, 0) ||
		    !OSSL_PARAM_BLD_push_octet_string(
			    bld, OSSL_PKEY_PARAM_PUB_KEY, point, point_len))
			goto out;
	} else {
		goto out;
	}
	params = OSSL_PARAM_BLD_to_param(bld);
	ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
	if (!params || !ctx || EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) <= 0)
		key = NULL;
out:
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(n);
	BN_free(e);
	return key;
}

/*
 * Whether the JWK may verify signatures at all: "use" must be "sig" when
 * present and "key_ops" must hold "verify" when present. This is what a
 * certificate's keyUsage says for the trust store, which refuses keys
 * that may not sign.
 */
static bool jwk_may_verify(const struct lmig_json *jwk)
{
	const struct lmig_json *use = lmig_json_get(jwk, "use");
	const struct lmig_json *ops = lmig_json_get(jwk, "key_ops");
	size_t i;

	if (use && !lmig_json_string_is(use, "sig"))
		return false;
	if (!ops)
		return true;
	for (i = 0; i < lmig_json_count(ops); i++) {
		if (lmig_json_string_is(lmig_json_item(ops, i), "verify"))
			return true;
	}
	return false;
}

enum token_outcome {
	TOKEN_ACCEPTED,
	TOKEN_REFUSED_PARSE, /* lmig_jws_parse() refused it */
	TOKEN_REFUSED_KEY,   /* no key, or kid/alg do not select this key */
	TOKEN_REFUSED_SIGNATURE,
};

/*
 * One compact token against the group's key, as lmigd would: parse, let
 * the header's kid and alg select the pinned key, verify.
 */
static enum token_outcome check_token(const char *jws_text, EVP_PKEY *key,
				      const struct lmig_json *jwk,
				      enum lmig_jws_status *parse_status)
{
	const struct lmig_json *key_kid = lmig_json_get(jwk, "kid");
	const struct lmig_json *key_alg = lmig_json_get(jwk, "alg");
	size_t alg_len;
	const char *alg_name = lmig_json_string(key_alg, &alg_len);
	enum lmig_jws_alg alg;
	struct lmig_jws jws;
	enum token_outcome out;

	*parse_status = lmig_jws_parse(jws_text, strlen(jws_text), &jws, NULL);
	if (*parse_status != LMIG_JWS_OK)
		return TOKEN_REFUSED_PARSE;
	alg = alg_name ? lmig_jws_alg_from_name(alg_name, alg_len)
		       : LMIG_JWS_ALG_INVALID;
	if (!key || alg != jws.alg ||
	    (jws.kid && key_kid && !lmig_json_string_is(key_kid, jws.kid)))
		out = TOKEN_REFUSED_KEY;
	else if (lmig_jws_verify_with_key(&jws, key) == LMIG_JWS_OK)
		out = TOKEN_ACCEPTED;
	else
		out = TOKEN_REFUSED_SIGNATURE;
	lmig_jws_release(&jws);
	return out;
}

/*
 * Vectors marked valid that lmig refuses on purpose, and why:
 *   - every HS256 token: HMAC is never accepted (a pinned public key is
 *     no secret), refused as unsupported_alg;
 *   - RS384, RS512, PS384, PS512 and ES512 tokens: lmig implements ES256,
 *     ES384, RS256, PS256 and EdDSA only, refused as unsupported_alg
 *     (the header is judged before the other parts);
 *   - tcId 259 and 272 ("emptyPayload" under RS256 and PS256): a compact
 *     JWS here has three non-empty parts, since an access token's claim
 *     set is never empty, refused as malformed;
 *   - tcId 372 (HS256 with a '?' inside the header's base64url, which
 *     some decoders skip): base64url is strict, refused as malformed.
 * Each is asserted to be refused with exactly that status; everything
 * else marked valid must verify.
 */
static const int64_t valid_but_malformed[] = {259, 272, 372};

#define N_VALID_BUT_MALFORMED \
	(sizeof(valid_but_malformed) / sizeof(valid_but_malformed[0]))

FIXTURE(jws_tokens)
{
	struct vectors v;
};

FIXTURE_SETUP(jws_tokens)
{
	char path[PATH_MAX];

	self->v.text = NULL;
	self->v.doc = NULL;
	TESTDATA_PATH_OR_SKIP(path, "wycheproof/json_web_signature_test.json");
	ASSERT_EQ(0, vectors_load(&self->v, path));
}

FIXTURE_TEARDOWN(jws_tokens)
{
	vectors_free(&self->v);
}

static bool is_listed(int64_t id, const int64_t *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (list[i] == id)
			return true;
	}
	return false;
}

TEST_F_TIMEOUT(jws_tokens, every_token, 120)
{
	const struct lmig_json *groups = lmig_json_get(self->v.root,
						       "testGroups");
	int64_t seen = 0, accepted = 0, unsupported = 0, malformed = 0;
	int64_t invalid_refused = 0;
	size_t g, t;

	ASSERT_LT(0, lmig_json_count(groups));
	for (g = 0; g < lmig_json_count(groups); g++) {
		const struct lmig_json *group = lmig_json_item(groups, g);
		const struct lmig_json *tests = lmig_json_get(group, "tests");
		const struct lmig_json *jwk = lmig_json_get(group, "public");
		EVP_PKEY *key = NULL;

		if (jwk && jwk_may_verify(jwk)) {
			key = jwk_to_pkey(jwk);
			EXPECT_NE(NULL, key);
		}
		for (t = 0; t < lmig_json_count(tests); t++) {
			const struct lmig_json *test = lmig_json_item(tests, t);
			const char *text = lmig_json_string(
				lmig_json_get(test, "jws"), NULL);
			int64_t id = int_member(test, "tcId");
			enum lmig_jws_status ps = LMIG_JWS_OK;
			enum token_outcome out;

			ASSERT_NE(NULL, text);
			seen++;
			out = check_token(text, key, jwk, &ps);
			if (!lmig_json_string_is(lmig_json_get(test, "result"),
						 "valid")) {
				EXPECT_NE(TOKEN_ACCEPTED, out)
				{
					TH_LOG("tcId %lld accepted",
					       (long long)id);
				}
				invalid_refused += out != TOKEN_ACCEPTED;
				continue;
			}
			if (out == TOKEN_ACCEPTED) {
				accepted++;
			} else if (is_listed(id, valid_but_malformed,
					     N_VALID_BUT_MALFORMED)) {
				EXPECT_EQ(LMIG_JWS_MALFORMED, ps);
				malformed += ps == LMIG_JWS_MALFORMED;
			} else {
				EXPECT_EQ(LMIG_JWS_UNSUPPORTED_ALG, ps)
				{
					TH_LOG("valid tcId %lld refused: "
					       "outcome %d, status %s",
					       (long long)id, out,
					       lmig_jws_status_name(ps));
				}
				unsupported += ps == LMIG_JWS_UNSUPPORTED_ALG;
			}
		}
		EVP_PKEY_free(key);
	}
	TH_LOG("%lld tokens: %lld invalid refused; valid: %lld verified, "
	       "%lld refused as unsupported alg, %lld refused as malformed",
	       (long long)seen, (long long)invalid_refused, (long long)accepted,
	       (long long)unsupported, (long long)malformed);
	EXPECT_EQ(401, seen);
	EXPECT_EQ(355, invalid_refused);
	EXPECT_EQ(14, accepted);
	EXPECT_EQ(29, unsupported);
	EXPECT_EQ(3, malformed);
}

TEST_HARNESS_MAIN
