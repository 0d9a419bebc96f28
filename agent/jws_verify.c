// SPDX-License-Identifier: GPL-2.0-only
/* JWS signature verification on OpenSSL 3's EVP interface. */
#include <stdlib.h>
#include <string.h>

#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/rsa.h>

#include "jws.h"

/* DER of an ECDSA-Sig-Value for P-384 at most: 2 + 2 * (2 + 1 + 48). */
#define ECDSA_DER_MAX 104

struct alg_params {
	const char *digest;   /* NULL: the algorithm hashes itself */
	size_t ec_coord_size; /* bytes of r and of s; 0 for non-ECDSA */
	int padding;	      /* RSA padding mode; 0 for non-RSA */
};

static const struct alg_params params[__LMIG_JWS_ALG_MAX] = {
	[LMIG_JWS_ES256] = {.digest = "SHA256", .ec_coord_size = 32},
	[LMIG_JWS_ES384] = {.digest = "SHA384", .ec_coord_size = 48},
	[LMIG_JWS_RS256] = {.digest = "SHA256", .padding = RSA_PKCS1_PADDING},
	[LMIG_JWS_PS256] = {.digest = "SHA256",
			    .padding = RSA_PKCS1_PSS_PADDING},
	[LMIG_JWS_EDDSA] = {.digest = NULL},
};

/* The salt length RFC 7518 section 3.5 fixes for PS256: the hash size. */
#define PS256_SALT_LEN 32

static bool ec_curve_is(const EVP_PKEY *key, int nid)
{
	char name[80];
	size_t len;
	int found;

	if (!EVP_PKEY_is_a(key, "EC") ||
	    !EVP_PKEY_get_group_name(key, name, sizeof(name), &len))
		return false;
	found = OBJ_txt2nid(name);
	if (found == NID_undef)
		found = EC_curve_nist2nid(name);
	return found == nid;
}

enum lmig_jws_status lmig_jws_key_check(enum lmig_jws_alg alg,
					const EVP_PKEY *key, const char **why)
{
	const char *ignored;

	if (!why)
		why = &ignored;
	switch (alg) {
	case LMIG_JWS_ES256:
		if (ec_curve_is(key, NID_X9_62_prime256v1))
			return LMIG_JWS_OK;
		*why = "ES256 needs an EC key on P-256";
		break;
	case LMIG_JWS_ES384:
		if (ec_curve_is(key, NID_secp384r1))
			return LMIG_JWS_OK;
		*why = "ES384 needs an EC key on P-384";
		break;
	case LMIG_JWS_RS256:
	case LMIG_JWS_PS256:
		if (!EVP_PKEY_is_a(key, "RSA") &&
		    !(alg == LMIG_JWS_PS256 && EVP_PKEY_is_a(key, "RSA-PSS"))) {
			*why = alg == LMIG_JWS_RS256
				       ? "RS256 needs an RSA key"
				       : "PS256 needs an RSA or RSA-PSS key";
			break;
		}
		if (EVP_PKEY_get_bits(key) >= LMIG_JWS_RSA_MIN_BITS)
			return LMIG_JWS_OK;
		*why = "RSA keys under 2048 bits are refused";
		break;
	case LMIG_JWS_EDDSA:
		if (EVP_PKEY_is_a(key, "ED25519"))
			return LMIG_JWS_OK;
		*why = "EdDSA needs an Ed25519 key";
		break;
	default:
		*why = "unknown algorithm";
		break;
	}
	return LMIG_JWS_KEY_MISMATCH;
}

/* Append a DER INTEGER holding the unsigned big-endian v[0..n). */
static size_t der_integer(uint8_t *out, const uint8_t *v, size_t n)
{
	size_t pad;

	while (n > 1 && !v[0]) {
		v++;
		n--;
	}
	pad = v[0] & 0x80 ? 1 : 0; /* keep it positive */
	out[0] = 0x02;
	out[1] = (uint8_t)(n + pad);
	out[2] = 0;
	memcpy(out + 2 + pad, v, n);
	return 2 + pad + n;
}

/* The DER ECDSA-Sig-Value OpenSSL wants from JWS's fixed-size r||s. */
static size_t ecdsa_raw_to_der(const uint8_t *raw, size_t coord,
			       uint8_t der[ECDSA_DER_MAX])
{
	size_t n = 2;

	n += der_integer(der + n, raw, coord);
	n += der_integer(der + n, raw + coord, coord);
	der[0] = 0x30;
	der[1] = (uint8_t)(n - 2); /* at most 102: short form */
	return n;
}

/* Key type check without the size rule, for every verification. */
static bool key_fits(enum lmig_jws_alg alg, const EVP_PKEY *key)
{
	switch (alg) {
	case LMIG_JWS_ES256:
		return ec_curve_is(key, NID_X9_62_prime256v1);
	case LMIG_JWS_ES384:
		return ec_curve_is(key, NID_secp384r1);
	case LMIG_JWS_RS256:
		return EVP_PKEY_is_a(key, "RSA");
	case LMIG_JWS_PS256:
		return EVP_PKEY_is_a(key, "RSA") ||
		       EVP_PKEY_is_a(key, "RSA-PSS");
	case LMIG_JWS_EDDSA:
		return EVP_PKEY_is_a(key, "ED25519");
	default:
		return false;
	}
}

static int set_padding(EVP_PKEY_CTX *pctx, const struct alg_params *ap)
{
	if (!ap->padding)
		return 1;
	if (EVP_PKEY_CTX_set_rsa_padding(pctx, ap->padding) <= 0)
		return 0;
	if (ap->padding != RSA_PKCS1_PSS_PADDING)
		return 1;
	return EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, PS256_SALT_LEN) > 0 &&
	       EVP_PKEY_CTX_set_rsa_mgf1_md_name(pctx, "SHA256", NULL) > 0;
}

/*
 * A key made ready for one algorithm. OpenSSL 3 looks up the signature
 * and digest implementations and sets the padding on every fresh context,
 * under locks shared by every thread; doing that once per key and copying
 * the ready context per token leaves only the arithmetic.
 */
struct lmig_jws_verifier {
	enum lmig_jws_alg alg;
	const struct alg_params *ap;
	size_t sig_len;	   /* the one signature length the key accepts */
	EVP_MD_CTX *ready; /* initialised for verifying; never used itself */
};

enum lmig_jws_status lmig_jws_verifier_new(enum lmig_jws_alg alg, EVP_PKEY *key,
					   struct lmig_jws_verifier **out)
{
	struct lmig_jws_verifier *v;
	enum lmig_jws_status st;
	EVP_PKEY_CTX *pctx;

	*out = NULL;
	if ((unsigned int)alg >= __LMIG_JWS_ALG_MAX ||
	    alg == LMIG_JWS_ALG_INVALID || !key_fits(alg, key))
		return LMIG_JWS_KEY_MISMATCH;
	v = calloc(1, sizeof(*v));
	if (!v)
		return LMIG_JWS_NO_MEMORY;
	v->alg = alg;
	v->ap = &params[alg];
	if (v->ap->ec_coord_size)
		v->sig_len = 2 * v->ap->ec_coord_size;
	else if (v->ap->padding)
		v->sig_len = (size_t)EVP_PKEY_get_size(key);
	else
		v->sig_len = 64;
	ERR_set_mark();
	st = LMIG_JWS_NO_MEMORY;
	v->ready = EVP_MD_CTX_new();
	if (v->ready &&
	    EVP_DigestVerifyInit_ex(v->ready, &pctx, v->ap->digest, NULL, NULL,
				    key, NULL) == 1 &&
	    set_padding(pctx, v->ap))
		st = LMIG_JWS_OK;
	ERR_pop_to_mark();
	if (st != LMIG_JWS_OK) {
		lmig_jws_verifier_free(v);
		return st;
	}
	*out = v;
	return LMIG_JWS_OK;
}

void lmig_jws_verifier_free(struct lmig_jws_verifier *v)
{
	if (!v)
		return;
	EVP_MD_CTX_free(v->ready);
	free(v);
}

enum lmig_jws_status lmig_jws_verifier_check(const struct lmig_jws_verifier *v,
					     const void *data, size_t data_len,
					     const uint8_t *sig, size_t sig_len)
{
	uint8_t der[ECDSA_DER_MAX];
	enum lmig_jws_status st;
	EVP_MD_CTX *ctx;
	int rc;

	/* Exactly one signature form per algorithm, checked before OpenSSL. */
	if (sig_len != v->sig_len)
		return LMIG_JWS_BAD_SIGNATURE;
	if (v->ap->ec_coord_size) {
		sig_len = ecdsa_raw_to_der(sig, v->ap->ec_coord_size, der);
		sig = der;
	}

	/* Refused signatures queue errors; drop them, and only them. */
	ERR_set_mark();
	st = LMIG_JWS_NO_MEMORY;
	ctx = EVP_MD_CTX_new();
	if (!ctx || EVP_MD_CTX_copy_ex(ctx, v->ready) != 1)
		goto out;
	/* Used once: spares the copy OpenSSL makes to keep it reusable. */
	EVP_MD_CTX_set_flags(ctx, EVP_MD_CTX_FLAG_FINALISE);
	rc = EVP_DigestVerify(ctx, sig, sig_len, data, data_len);
	/* Anything but a clear yes is a no: fail closed. */
	st = rc == 1 ? LMIG_JWS_OK : LMIG_JWS_BAD_SIGNATURE;
out:
	EVP_MD_CTX_free(ctx);
	ERR_pop_to_mark();
	return st;
}

enum lmig_jws_status lmig_jws_verify_signature(enum lmig_jws_alg alg,
					       EVP_PKEY *key, const void *data,
					       size_t data_len,
					       const uint8_t *sig,
					       size_t sig_len)
{
	struct lmig_jws_verifier *v;
	enum lmig_jws_status st;

	st = lmig_jws_verifier_new(alg, key, &v);
	if (st != LMIG_JWS_OK)
		return st;
	st = lmig_jws_verifier_check(v, data, data_len, sig, sig_len);
	lmig_jws_verifier_free(v);
	return st;
}

enum lmig_jws_status lmig_jws_verify(const struct lmig_jws *jws,
				     const struct lmig_jws_verifier *v)
{
	if (jws->alg != v->alg)
		return LMIG_JWS_KEY_MISMATCH;
	return lmig_jws_verifier_check(v, jws->signing_input,
				       jws->signing_input_len, jws->signature,
				       jws->signature_len);
}

enum lmig_jws_status lmig_jws_verify_with_key(const struct lmig_jws *jws,
					      EVP_PKEY *key)
{
	return lmig_jws_verify_signature(jws->alg, key, jws->signing_input,
					 jws->signing_input_len, jws->signature,
					 jws->signature_len);
}
