// SPDX-License-Identifier: GPL-2.0-only
/*
 * A corpus of hostile access tokens, built byte by byte: each is refused
 * by the admission decision with the reason it should be, and the valid
 * variants beside them are admitted. Tokens are signed here, with the
 * primary IdMS key that lmig-idms made, so that header and claims can be
 * anything at all.
 */
#include <openssl/ecdsa.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>

#include "kselftest_harness.h"
#include "../unit/testutil.h"
#include "admit.h"
#include "b64.h"

#define ISSUER "https://idms.primary.example"
#define AUD    "https://mc.partner.example"
#define NOW    1790000000
#define NOW_S  "1790000000"

/* A valid header and valid claims, the base of every variant. */
#define H_OK "{\"alg\":\"ES256\",\"typ\":\"JWT\"}"
#define CLAIMS(extra)                                                     \
	"{\"iss\":\"" ISSUER "\",\"aud\":\"" AUD "\",\"exp\":1790003600," \
	"\"iat\":1790000000,\"scope\":\"3gpp:mc:ptt_service\","           \
	"\"mcptt_id\":\"sip:alice@primary.example\"" extra "}"
#define P_OK CLAIMS("")

enum sig_mode {
	SIG_PRIMARY,  /* ES256 with the trusted key */
	SIG_ROGUE,    /* ES256 with another IdMS's key */
	SIG_EMPTY,    /* no signature at all */
	SIG_HMAC_PEM, /* HS256 keyed with the trusted certificate's PEM */
	SIG_ZERO,     /* r = s = 0 */
	SIG_ORDER,    /* r = n (the group order), s = 1 */
	SIG_FF,	      /* r, s = 2^256 - 1, above n */
	SIG_DER,      /* the real signature, DER-encoded */
	SIG_SHORT,    /* the real signature less its last byte */
	SIG_LONG,     /* the real signature and one byte more */
	SIG_FLIP,     /* the real signature with one bit flipped */
};

enum transform {
	T_NONE,
	T_TWO_PARTS,	/* header.payload */
	T_FOUR_PARTS,	/* header.payload.signature.extra */
	T_PADDING,	/* '=' after the payload */
	T_SPACE,	/* a blank inside the payload */
	T_NEWLINE,	/* a newline after the token */
	T_LEADING,	/* a blank before the token */
	T_STD_B64,	/* '+' in place of a base64url character */
	T_SWAP_PAYLOAD, /* another (valid) payload under the signature */
	T_NUL_INSIDE,	/* a NUL byte inside the token */
};

static const struct lmigd_profile profiles[] = {
	{.user_id = 1,
	 .partner_id = "sip:alice@partner.example",
	 .services = LMIG_SERVICE_PTT | LMIG_SERVICE_VIDEO,
	 .state = LMIG_STATE_ACTIVE},
	{.user_id = 2,
	 .partner_id = "sip:sus@partner.example",
	 .services = LMIG_SERVICE_PTT,
	 .state = LMIG_STATE_SUSPENDED},
	{.user_id = 3,
	 .partner_id = "sip:data@partner.example",
	 .services = LMIG_SERVICE_DATA,
	 .state = LMIG_STATE_ACTIVE},
};

static int lookup(void *arg, const char *id, struct lmigd_profile *out)
{
	static const char *const ids[] = {"sip:alice@primary.example",
					  "sip:sus@primary.example",
					  "sip:data@primary.example"};

	(void)arg;
	for (size_t i = 0; i < sizeof(ids) / sizeof(*ids); i++)
		if (!strcmp(ids[i], id)) {
			*out = profiles[i];
			return 0;
		}
	return -ENOENT;
}

FIXTURE(hostile)
{
	char dir[PATH_MAX];
	char tool[PATH_MAX];
	EVP_PKEY *primary, *rogue;
	char *primary_pem;
	size_t primary_pem_len;
	char rogue_kid[64];
	struct lmig_verifier *v;
	char token[32768];
	size_t len;
};

FIXTURE_VARIANT(hostile)
{
	const char *header;  /* NULL: H_OK */
	const char *payload; /* NULL: P_OK */
	enum sig_mode sig;
	enum transform transform;
	const char *reason; /* the decision's log reason */
};

#define CASE(name, h, p, s, t, r)                                    \
	FIXTURE_VARIANT_ADD(hostile, name)                           \
	{                                                            \
		.header = h, .payload = p, .sig = s, .transform = t, \
		.reason = r,                                         \
	}

/* Algorithms and headers. */
CASE(alg_none, "{\"alg\":\"none\"}", NULL, SIG_EMPTY, T_NONE,
     "unsupported_alg");
CASE(alg_none_signed, "{\"alg\":\"none\"}", NULL, SIG_PRIMARY, T_NONE,
     "unsupported_alg");
CASE(alg_None, "{\"alg\":\"None\"}", NULL, SIG_PRIMARY, T_NONE,
     "unsupported_alg");
CASE(alg_nOnE, "{\"alg\":\"nOnE\"}", NULL, SIG_EMPTY, T_NONE,
     "unsupported_alg");
CASE(hmac_key_confusion, "{\"alg\":\"HS256\"}", NULL, SIG_HMAC_PEM, T_NONE,
     "unsupported_alg");
CASE(alg_HS512, "{\"alg\":\"HS512\"}", NULL, SIG_PRIMARY, T_NONE,
     "unsupported_alg");
CASE(alg_ES512, "{\"alg\":\"ES512\"}", NULL, SIG_PRIMARY, T_NONE,
     "unsupported_alg");
CASE(alg_lowercase, "{\"alg\":\"es256\"}", NULL, SIG_PRIMARY, T_NONE,
     "unsupported_alg");
CASE(alg_with_nul, "{\"alg\":\"ES256\\u0000\"}", NULL, SIG_PRIMARY, T_NONE,
     "unsupported_alg");
CASE(alg_RS256_on_ec_key, "{\"alg\":\"RS256\"}", NULL, SIG_PRIMARY, T_NONE,
     "unknown_key");
CASE(alg_PS256_on_ec_key, "{\"alg\":\"PS256\"}", NULL, SIG_PRIMARY, T_NONE,
     "unknown_key");
CASE(alg_EdDSA_on_ec_key, "{\"alg\":\"EdDSA\"}", NULL, SIG_PRIMARY, T_NONE,
     "unknown_key");
CASE(kid_names_key_of_other_alg, "{\"alg\":\"RS256\",\"kid\":\"k1\"}", NULL,
     SIG_PRIMARY, T_NONE, "alg_mismatch");
CASE(no_alg, "{\"typ\":\"JWT\"}", NULL, SIG_PRIMARY, T_NONE, "bad_header");
CASE(alg_number, "{\"alg\":1}", NULL, SIG_PRIMARY, T_NONE, "bad_header");
CASE(alg_null, "{\"alg\":null}", NULL, SIG_PRIMARY, T_NONE, "bad_header");
CASE(header_array, "[\"ES256\"]", NULL, SIG_PRIMARY, T_NONE, "bad_header");
CASE(header_not_json, "ES256", NULL, SIG_PRIMARY, T_NONE, "bad_header");
CASE(embedded_jwk, "{\"alg\":\"ES256\",\"jwk\":{\"kty\":\"EC\"}}", NULL,
     SIG_PRIMARY, T_NONE, "forbidden_header");
CASE(jku, "{\"alg\":\"ES256\",\"jku\":\"https://evil.example/k\"}", NULL,
     SIG_PRIMARY, T_NONE, "forbidden_header");
CASE(x5u, "{\"alg\":\"ES256\",\"x5u\":\"https://evil.example/c\"}", NULL,
     SIG_PRIMARY, T_NONE, "forbidden_header");
CASE(x5c, "{\"alg\":\"ES256\",\"x5c\":[\"MIIB\"]}", NULL, SIG_PRIMARY, T_NONE,
     "forbidden_header");
CASE(crit, "{\"alg\":\"ES256\",\"crit\":[\"exp\"]}", NULL, SIG_PRIMARY, T_NONE,
     "forbidden_header");
CASE(b64_false, "{\"alg\":\"ES256\",\"b64\":false}", NULL, SIG_PRIMARY, T_NONE,
     "forbidden_header");
CASE(duplicate_alg, "{\"alg\":\"ES256\",\"alg\":\"ES256\"}", NULL, SIG_PRIMARY,
     T_NONE, "bad_header");
CASE(duplicate_alg_escaped, "{\"alg\":\"ES256\",\"al\\u0067\":\"none\"}", NULL,
     SIG_PRIMARY, T_NONE, "bad_header");
CASE(unknown_kid, "{\"alg\":\"ES256\",\"kid\":\"nobody\"}", NULL, SIG_PRIMARY,
     T_NONE, "unknown_key");
CASE(kid_number, "{\"alg\":\"ES256\",\"kid\":7}", NULL, SIG_PRIMARY, T_NONE,
     "bad_header");
CASE(typ_number, "{\"alg\":\"ES256\",\"typ\":7}", NULL, SIG_PRIMARY, T_NONE,
     "bad_header");

/* Signatures. */
CASE(signature_stripped, NULL, NULL, SIG_EMPTY, T_NONE, "malformed");
CASE(signature_flipped, NULL, NULL, SIG_FLIP, T_NONE, "bad_signature");
CASE(r_s_zero, NULL, NULL, SIG_ZERO, T_NONE, "bad_signature");
CASE(r_is_order, NULL, NULL, SIG_ORDER, T_NONE, "bad_signature");
CASE(r_s_out_of_range, NULL, NULL, SIG_FF, T_NONE, "bad_signature");
CASE(der_signature, NULL, NULL, SIG_DER, T_NONE, "bad_signature");
CASE(signature_short, NULL, NULL, SIG_SHORT, T_NONE, "bad_signature");
CASE(signature_long, NULL, NULL, SIG_LONG, T_NONE, "bad_signature");
CASE(payload_swapped, NULL, NULL, SIG_PRIMARY, T_SWAP_PAYLOAD, "bad_signature");
CASE(rogue_key_trusted_name, NULL, NULL, SIG_ROGUE, T_NONE, "bad_signature");

/* Structure. */
CASE(two_parts, NULL, NULL, SIG_PRIMARY, T_TWO_PARTS, "malformed");
CASE(four_parts, NULL, NULL, SIG_PRIMARY, T_FOUR_PARTS, "malformed");
CASE(padding, NULL, NULL, SIG_PRIMARY, T_PADDING, "malformed");
CASE(blank_inside, NULL, NULL, SIG_PRIMARY, T_SPACE, "malformed");
CASE(trailing_newline, NULL, NULL, SIG_PRIMARY, T_NEWLINE, "malformed");
CASE(leading_blank, NULL, NULL, SIG_PRIMARY, T_LEADING, "malformed");
CASE(standard_base64, NULL, NULL, SIG_PRIMARY, T_STD_B64, "malformed");
CASE(nul_inside, NULL, NULL, SIG_PRIMARY, T_NUL_INSIDE, "malformed");
CASE(oversize, NULL, CLAIMS(",\"pad\":\"" /* 9 KiB below */), SIG_PRIMARY,
     T_NONE, "too_large");
CASE(payload_not_json, NULL, "exp=1790003600", SIG_PRIMARY, T_NONE,
     "malformed");
CASE(payload_array, NULL, "[1790003600]", SIG_PRIMARY, T_NONE, "malformed");
CASE(payload_trailing_bytes, NULL, P_OK "x", SIG_PRIMARY, T_NONE, "malformed");

/* Claims. */
CASE(duplicate_exp, NULL, CLAIMS(",\"exp\":1790003600"), SIG_PRIMARY, T_NONE,
     "malformed");
CASE(duplicate_escaped_name, NULL, CLAIMS(",\"ex\\u0070\":1790009999"),
     SIG_PRIMARY, T_NONE, "malformed");
CASE(nul_in_issuer, NULL,
     "{\"iss\":\"" ISSUER "\\u0000x\",\"aud\":\"" AUD
     "\",\"exp\":1790003600,\"scope\":\"3gpp:mc:ptt_service\",\"mcptt_id\":"
     "\"a\"}",
     SIG_PRIMARY, T_NONE, "bad_claim");
CASE(exp_string, NULL,
     "{\"iss\":\"" ISSUER "\",\"aud\":\"" AUD
     "\",\"exp\":\"1790003600\",\"scope\":\"3gpp:mc:ptt_service\",\"mcptt_id\":"
     "\"a\"}",
     SIG_PRIMARY, T_NONE, "bad_claim");
CASE(exp_float, NULL,
     "{\"iss\":\"" ISSUER "\",\"aud\":\"" AUD
     "\",\"exp\":1790003600.0,\"scope\":\"3gpp:mc:ptt_service\",\"mcptt_id\":"
     "\"a\"}",
     SIG_PRIMARY, T_NONE, "bad_claim");
CASE(exp_exponent, NULL,
     "{\"iss\":\"" ISSUER "\",\"aud\":\"" AUD
     "\",\"exp\":1.79e9,\"scope\":\"3gpp:mc:ptt_service\",\"mcptt_id\":\"a\"}",
     SIG_PRIMARY, T_NONE, "bad_claim");
CASE(exp_negative, NULL,
     "{\"iss\":\"" ISSUER "\",\"aud\":\"" AUD
     "\",\"exp\":-1,\"scope\":\"3gpp:mc:ptt_service\",\"mcptt_id\":\"a\"}",
     SIG_PRIMARY, T_NONE, "bad_claim");
CASE(exp_overflow, NULL,
     "{\"iss\":\"" ISSUER "\",\"aud\":\"" AUD
     "\",\"exp\":99999999999999999999999,\"scope\":\"3gpp:mc:ptt_service\","
     "\"mcptt_id\":\"a\"}",
     SIG_PRIMARY, T_NONE, "bad_claim");
CASE(no_exp, NULL,
     "{\"iss\":\"" ISSUER "\",\"aud\":\"" AUD
     "\",\"scope\":\"3gpp:mc:ptt_service\",\"mcptt_id\":\"a\"}",
     SIG_PRIMARY, T_NONE, "missing_claim");
CASE(no_iss, NULL,
     "{\"aud\":\"" AUD "\",\"exp\":1790003600,\"scope\":\"3gpp:mc:ptt_"
     "service\",\"mcptt_id\":\"a\"}",
     SIG_PRIMARY, T_NONE, "missing_claim");
CASE(no_aud, NULL,
     "{\"iss\":\"" ISSUER "\",\"exp\":1790003600,\"scope\":\"3gpp:mc:ptt_"
     "service\",\"mcptt_id\":\"a\"}",
     SIG_PRIMARY, T_NONE, "missing_claim");
CASE(too_deep, NULL, CLAIMS(",\"x\":[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]"),
     SIG_PRIMARY, T_NONE, "malformed");
CASE(wrong_issuer, NULL,
     "{\"iss\":\"https://idms.rogue.example\",\"aud\":\"" AUD
     "\",\"exp\":1790003600,\"scope\":\"3gpp:mc:ptt_service\",\"mcptt_id\":"
     "\"a\"}",
     SIG_PRIMARY, T_NONE, "unknown_issuer");
CASE(issuer_case, NULL,
     "{\"iss\":\"https://IDMS.primary.example\",\"aud\":\"" AUD
     "\",\"exp\":1790003600,\"scope\":\"3gpp:mc:ptt_service\",\"mcptt_id\":"
     "\"a\"}",
     SIG_PRIMARY, T_NONE, "unknown_issuer");
CASE(wrong_audience, NULL,
     "{\"iss\":\"" ISSUER "\",\"aud\":\"https://"
     "mc.other.example\",\"exp\":1790003600,\"scope\":"
     "\"3gpp:mc:ptt_service\",\"mcptt_id\":\"a\"}",
     SIG_PRIMARY, T_NONE, "wrong_audience");
CASE(audience_array_without_us, NULL,
     "{\"iss\":\"" ISSUER
     "\",\"aud\":[\"x\",\"y\"],\"exp\":1790003600,\"scope\":\"3gpp:mc:ptt_"
     "service\",\"mcptt_id\":\"a\"}",
     SIG_PRIMARY, T_NONE, "wrong_audience");
CASE(audience_prefix, NULL,
     "{\"iss\":\"" ISSUER "\",\"aud\":\"" AUD
     "/x\",\"exp\":1790003600,\"scope\":\"3gpp:mc:ptt_service\",\"mcptt_id\":"
     "\"a\"}",
     SIG_PRIMARY, T_NONE, "wrong_audience");
CASE(expired_beyond_skew, NULL,
     "{\"iss\":\"" ISSUER "\",\"aud\":\"" AUD
     "\",\"exp\":1789999994,\"scope\":\"3gpp:mc:ptt_service\",\"mcptt_id\":"
     "\"sip:alice@primary.example\"}",
     SIG_PRIMARY, T_NONE, "expired");
CASE(nbf_in_future, NULL, CLAIMS(",\"nbf\":1790000006"), SIG_PRIMARY, T_NONE,
     "not_yet_valid");
CASE(iat_in_future, NULL,
     "{\"iss\":\"" ISSUER "\",\"aud\":\"" AUD
     "\",\"exp\":1790003600,\"iat\":1790000006,\"scope\":\"3gpp:mc:ptt_"
     "service\",\"mcptt_id\":\"a\"}",
     SIG_PRIMARY, T_NONE, "issued_in_future");
CASE(no_mc_scope, NULL,
     "{\"iss\":\"" ISSUER "\",\"aud\":\"" AUD
     "\",\"exp\":1790003600,\"scope\":\"openid "
     "3gpp:mc:other_service\",\"mcptt_id\":\"a\"}",
     SIG_PRIMARY, T_NONE, "no_mc_scope");
CASE(scope_array, NULL,
     "{\"iss\":\"" ISSUER "\",\"aud\":\"" AUD
     "\",\"exp\":1790003600,\"scope\":[\"3gpp:mc:ptt_service\"],\"mcptt_id\":"
     "\"a\"}",
     SIG_PRIMARY, T_NONE, "bad_claim");
CASE(scope_without_its_id, NULL,
     "{\"iss\":\"" ISSUER "\",\"aud\":\"" AUD
     "\",\"exp\":1790003600,\"scope\":\"3gpp:mc:ptt_service\",\"mcdata_id\":"
     "\"a\"}",
     SIG_PRIMARY, T_NONE, "missing_mc_id");
CASE(mc_id_with_blank, NULL,
     "{\"iss\":\"" ISSUER "\",\"aud\":\"" AUD
     "\",\"exp\":1790003600,\"scope\":\"3gpp:mc:ptt_service\",\"mcptt_id\":"
     "\"sip:a b@q\"}",
     SIG_PRIMARY, T_NONE, "bad_mc_id");
CASE(mc_id_empty, NULL,
     "{\"iss\":\"" ISSUER "\",\"aud\":\"" AUD
     "\",\"exp\":1790003600,\"scope\":\"3gpp:mc:ptt_service\",\"mcptt_id\":"
     "\"\"}",
     SIG_PRIMARY, T_NONE, "bad_mc_id");
CASE(mc_id_number, NULL,
     "{\"iss\":\"" ISSUER "\",\"aud\":\"" AUD
     "\",\"exp\":1790003600,\"scope\":\"3gpp:mc:ptt_service\",\"mcptt_id\":42}",
     SIG_PRIMARY, T_NONE, "bad_mc_id");

/* The partner's own profile. */
CASE(unknown_user, NULL,
     "{\"iss\":\"" ISSUER "\",\"aud\":\"" AUD
     "\",\"exp\":1790003600,\"scope\":\"3gpp:mc:ptt_service\",\"mcptt_id\":"
     "\"sip:bob@primary.example\"}",
     SIG_PRIMARY, T_NONE, "no_profile");
CASE(suspended_user, NULL,
     "{\"iss\":\"" ISSUER "\",\"aud\":\"" AUD
     "\",\"exp\":1790003600,\"scope\":\"3gpp:mc:ptt_service\",\"mcptt_id\":"
     "\"sip:sus@primary.example\"}",
     SIG_PRIMARY, T_NONE, "suspended");
CASE(disjoint_services, NULL,
     "{\"iss\":\"" ISSUER "\",\"aud\":\"" AUD
     "\",\"exp\":1790003600,\"scope\":\"3gpp:mc:ptt_service\",\"mcptt_id\":"
     "\"sip:data@primary.example\"}",
     SIG_PRIMARY, T_NONE, "no_permitted_service");
CASE(ids_of_two_users, NULL,
     "{\"iss\":\"" ISSUER "\",\"aud\":\"" AUD
     "\",\"exp\":1790003600,\"scope\":\"3gpp:mc:ptt_service "
     "3gpp:mc:data_service\",\"mcptt_id\":\"sip:alice@primary.example\","
     "\"mcdata_id\":\"sip:data@primary.example\"}",
     SIG_PRIMARY, T_NONE, "id_mismatch");

/* Valid variants: admitted. */
CASE(valid, NULL, NULL, SIG_PRIMARY, T_NONE, "admitted");
CASE(valid_audience_array, NULL,
     "{\"iss\":\"" ISSUER "\",\"aud\":[\"x\",\"" AUD
     "\"],\"exp\":1790003600,\"scope\":\"3gpp:mc:ptt_service\",\"mcptt_id\":"
     "\"sip:alice@primary.example\"}",
     SIG_PRIMARY, T_NONE, "admitted");
CASE(valid_configured_kid, "{\"alg\":\"ES256\",\"kid\":\"k1\"}", NULL,
     SIG_PRIMARY, T_NONE, "admitted");
CASE(valid_nbf_within_skew, NULL, CLAIMS(",\"nbf\":1790000004"), SIG_PRIMARY,
     T_NONE, "admitted");
CASE(valid_iat_within_skew, NULL,
     "{\"iss\":\"" ISSUER "\",\"aud\":\"" AUD
     "\",\"exp\":1790003600,\"iat\":1790000004,\"scope\":\"3gpp:mc:ptt_"
     "service\",\"mcptt_id\":\"sip:alice@primary.example\"}",
     SIG_PRIMARY, T_NONE, "admitted");
CASE(valid_extra_members,
     "{\"alg\":\"ES256\",\"typ\":\"at+jwt\",\"x-vendor\":{\"a\":[1]}}",
     CLAIMS(",\"client_id\":\"mcptt-client\",\"jti\":\"j-1\",\"x\":null"),
     SIG_PRIMARY, T_NONE, "admitted");
CASE(valid_scope_with_others, NULL,
     "{\"iss\":\"" ISSUER "\",\"aud\":\"" AUD
     "\",\"exp\":1790003600,\"scope\":\"openid 3gpp:mc:ptt_service "
     "profile\",\"mcptt_id\":\"sip:alice@primary.example\"}",
     SIG_PRIMARY, T_NONE, "admitted");
CASE(valid_two_services_one_user, NULL,
     "{\"iss\":\"" ISSUER "\",\"aud\":\"" AUD
     "\",\"exp\":1790003600,\"scope\":\"3gpp:mc:ptt_service "
     "3gpp:mc:video_service\",\"mcptt_id\":\"sip:alice@primary.example\","
     "\"mcvideo_id\":\"sip:alice@primary.example\"}",
     SIG_PRIMARY, T_NONE, "admitted");

static EVP_PKEY *read_key(const char *path)
{
	FILE *f = fopen(path, "r");
	EVP_PKEY *k;

	if (!f)
		return NULL;
	k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	return k;
}

static int keygen(FIXTURE_DATA(hostile) * self, const char *name)
{
	char key[PATH_MAX + 8], cert[PATH_MAX + 8], out[64], err[512];
	char *argv[] = {self->tool, "keygen", "--alg", "ES256", "--key", key,
			"--cert",   cert,     "--now", NOW_S,	NULL};

	snprintf(key, sizeof(key), "%s/%s.key", self->dir, name);
	snprintf(cert, sizeof(cert), "%s/%s.pem", self->dir, name);
	return tu_run(argv, out, sizeof(out), err, sizeof(err));
}

FIXTURE_SETUP(hostile)
{
	const struct lmig_verifier_config vc = {.audience = AUD,
						.clock_skew = 5};
	char path[PATH_MAX + 16], err[512];
	struct lmig_trust *trust;

	ASSERT_TRUE(tu_tool_path("lmig-idms", self->tool));
	ASSERT_TRUE(tu_mkdtemp(self->dir));
	ASSERT_EQ(0, keygen(self, "primary"));
	ASSERT_EQ(0, keygen(self, "rogue"));
	snprintf(path, sizeof(path), "%s/primary.key", self->dir);
	self->primary = read_key(path);
	snprintf(path, sizeof(path), "%s/rogue.key", self->dir);
	self->rogue = read_key(path);
	ASSERT_NE(NULL, self->primary);
	ASSERT_NE(NULL, self->rogue);
	snprintf(path, sizeof(path), "%s/primary.pem", self->dir);
	self->primary_pem = tu_read_file(path, &self->primary_pem_len);
	ASSERT_NE(NULL, self->primary_pem);
	trust = lmig_trust_new();
	ASSERT_NE(NULL, trust);
	ASSERT_EQ(0, lmig_trust_add_cert_file(trust, ISSUER, LMIG_JWS_ES256,
					      "k1", path, err, sizeof(err)));
	ASSERT_EQ(0, lmig_verifier_new(trust, &vc, &self->v, err, sizeof(err)));
}

FIXTURE_TEARDOWN(hostile)
{
	lmig_verifier_free(self->v);
	EVP_PKEY_free(self->primary);
	EVP_PKEY_free(self->rogue);
	free(self->primary_pem);
	tu_rmdir(self->dir);
}

static size_t b64(char *out, size_t room, const void *in, size_t len)
{
	ssize_t n = lmig_b64url_encode(in, len, out, room);

	return n < 0 ? 0 : (size_t)n;
}

/* The P-256 signature as DER, from r || s. */
static size_t to_der(const uint8_t *rs, uint8_t *der)
{
	ECDSA_SIG *sig = ECDSA_SIG_new();
	unsigned char *p = der;
	int n;

	ECDSA_SIG_set0(sig, BN_bin2bn(rs, 32, NULL),
		       BN_bin2bn(rs + 32, 32, NULL));
	n = i2d_ECDSA_SIG(sig, &p);
	ECDSA_SIG_free(sig);
	return n < 0 ? 0 : n;
}

static void build(FIXTURE_DATA(hostile) * self,
		  const FIXTURE_VARIANT(hostile) * variant)
{
	static const uint8_t order[32] = {
		0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84,
		0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
	};
	const char *h = variant->header ? variant->header : H_OK;
	char payload[12288];
	uint8_t sig[256], der[128];
	size_t n, siglen = sizeof(sig), input_len;
	char *t = self->token, *p;

	snprintf(payload, sizeof(payload), "%s",
		 variant->payload ? variant->payload : P_OK);
	if (!strcmp(variant->reason, "too_large")) {
		/* Close the "pad" string after 9 KiB, then the object. */
		size_t at = strlen(payload) - 1;

		memset(payload + at, 'x', 9216);
		strcpy(payload + at + 9216, "\"}");
	}
	n = b64(t, sizeof(self->token), h, strlen(h));
	t[n++] = '.';
	n += b64(t + n, sizeof(self->token) - n, payload, strlen(payload));
	input_len = n;

	switch (variant->sig) {
	case SIG_ROGUE:
		lmig_jws_sign(LMIG_JWS_ES256, self->rogue, t, n, sig, &siglen);
		break;
	case SIG_EMPTY:
		siglen = 0;
		break;
	case SIG_HMAC_PEM: {
		unsigned int len = 0;

		HMAC(EVP_sha256(), self->primary_pem, self->primary_pem_len,
		     (const unsigned char *)t, n, sig, &len);
		siglen = len;
		break;
	}
	case SIG_ZERO:
		memset(sig, 0, 64);
		siglen = 64;
		break;
	case SIG_ORDER:
		memcpy(sig, order, 32);
		memset(sig + 32, 0, 31);
		sig[63] = 1;
		siglen = 64;
		break;
	case SIG_FF:
		memset(sig, 0xff, 64);
		siglen = 64;
		break;
	default:
		lmig_jws_sign(LMIG_JWS_ES256, self->primary, t, n, sig,
			      &siglen);
		if (variant->sig == SIG_DER) {
			siglen = to_der(sig, der);
			memcpy(sig, der, siglen);
		} else if (variant->sig == SIG_SHORT) {
			siglen--;
		} else if (variant->sig == SIG_LONG) {
			sig[siglen++] = 0;
		} else if (variant->sig == SIG_FLIP) {
			sig[10] ^= 0x20;
		}
	}
	t[n++] = '.';
	n += b64(t + n, sizeof(self->token) - n, sig, siglen);
	t[n] = '\0';

	p = strchr(t, '.') + 1; /* the payload part */
	switch (variant->transform) {
	case T_TWO_PARTS:
		n = input_len;
		break;
	case T_FOUR_PARTS:
		n += sprintf(t + n, ".AAAA");
		break;
	case T_PADDING:
		memmove(t + input_len + 1, t + input_len, n - input_len + 1);
		t[input_len] = '=';
		n++;
		break;
	case T_SPACE:
		memmove(p + 5, p + 4, strlen(p + 4) + 1);
		p[4] = ' ';
		n++;
		break;
	case T_NEWLINE:
		t[n++] = '\n';
		break;
	case T_LEADING:
		memmove(t + 1, t, n + 1);
		t[0] = ' ';
		n++;
		break;
	case T_STD_B64:
		t[n - 1] = '+';
		break;
	case T_NUL_INSIDE:
		p[2] = '\0';
		break;
	case T_SWAP_PAYLOAD: {
		static const char other[] = CLAIMS(",\"jti\":\"x\"");
		char enc[1024], rest[4096];
		size_t elen = b64(enc, sizeof(enc), other, strlen(other));

		snprintf(rest, sizeof(rest), "%s", t + input_len);
		memcpy(p, enc, elen);
		strcpy(p + elen, rest);
		n = strlen(t);
		break;
	}
	default:
		break;
	}
	t[n] = '\0';
	self->len = n;
}

TEST_F(hostile, judged)
{
	struct lmigd_admit_policy policy = {
		.verifier = self->v,
		.lookup = lookup,
		.max_admission = 86400,
	};
	struct lmigd_decision d;

	build(self, variant);
	lmigd_admit_decide(&policy, self->token, self->len, NOW, &d);
	EXPECT_STREQ(variant->reason, d.reason)
	{
		TH_LOG("detail: %s; token: %.200s", d.detail, self->token);
	}
	if (strcmp(variant->reason, "admitted")) {
		EXPECT_NE(200, d.http_status);
		EXPECT_EQ(0, d.services);
	} else {
		EXPECT_EQ(200, d.http_status);
		EXPECT_EQ(1, d.profile.user_id);
	}
}

TEST_HARNESS_MAIN
