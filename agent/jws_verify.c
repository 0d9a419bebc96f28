// SPDX-License-Identifier: GPL-2.0-only
/* JWS signature verification on OpenSSL 3's EVP interface. */
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
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
 * Contexts made ready for one key and algorithm, each used by one
 * verification at a time. OpenSSL 3 looks up the signature and digest
 * implementations and sets the padding on every fresh context, under
 * locks shared by every thread; a context taken from here has all that
 * done and is used again as it is, as "openssl speed" uses its own.
 * A slot is made ready by the first check that takes it, so a pool costs
 * only as many contexts as checks have run at once.
 */
struct verify_slot {
	EVP_MD_CTX *hash;    /* hashes the signing input */
	EVP_PKEY_CTX *check; /* checks the signature over the hash */
};

struct verify_pool {
	_Atomic uint64_t busy; /* bit i set: slot[i] is taken */
	unsigned int size;
	struct verify_slot slot[];
};

struct lmig_jws_verifier {
	enum lmig_jws_alg alg;
	const struct alg_params *ap;
	size_t sig_len; /* the one signature length the key accepts */
	EVP_PKEY *key;	/* held for making slots ready */
	EVP_MD *md;	/* the algorithm's digest, NULL for EdDSA */
	/*
	 * Initialised for EVP_DigestVerify() and copied per check: EdDSA
	 * signs the message itself, and every slot may be taken.
	 */
	EVP_MD_CTX *ready;
	struct verify_pool *pool; /* NULL: every check copies */
};

static void slot_clear(struct verify_slot *slot)
{
	EVP_MD_CTX_free(slot->hash);
	EVP_PKEY_CTX_free(slot->check);
	slot->hash = NULL;
	slot->check = NULL;
}

static bool slot_ready(const struct lmig_jws_verifier *v,
		       struct verify_slot *slot)
{
	if (slot->check)
		return true;
	slot->hash = EVP_MD_CTX_new();
	slot->check = EVP_PKEY_CTX_new_from_pkey(NULL, v->key, NULL);
	if (slot->hash && slot->check &&
	    EVP_PKEY_verify_init(slot->check) == 1 &&
	    set_padding(slot->check, v->ap) &&
	    EVP_PKEY_CTX_set_signature_md(slot->check, v->md) > 0)
		return true;
	slot_clear(slot);
	return false;
}

static struct verify_pool *pool_new(unsigned int size)
{
	struct verify_pool *pool;

	pool = calloc(1, sizeof(*pool) + size * sizeof(pool->slot[0]));
	if (!pool)
		return NULL;
	atomic_init(&pool->busy, 0);
	pool->size = size;
	return pool;
}

static void pool_free(struct verify_pool *pool)
{
	unsigned int i;

	if (!pool)
		return;
	for (i = 0; i < pool->size; i++)
		slot_clear(&pool->slot[i]);
	free(pool);
}

/* A free slot, taken, or -1 when every one is in use. */
static int slot_take(struct verify_pool *pool)
{
	uint64_t all = pool->size == 64 ? ~0ULL : (1ULL << pool->size) - 1;
	uint64_t busy = atomic_load(&pool->busy);

	while ((busy & all) != all) {
		unsigned int i = (unsigned int)__builtin_ctzll(~busy);

		busy = atomic_fetch_or(&pool->busy, 1ULL << i);
		if (!(busy & (1ULL << i)))
			return (int)i;
	}
	return -1;
}

static void slot_give_back(struct verify_pool *pool, int i)
{
	atomic_fetch_and(&pool->busy, ~(1ULL << i));
}

enum lmig_jws_status lmig_jws_verifier_new(enum lmig_jws_alg alg, EVP_PKEY *key,
					   struct lmig_jws_verifier **out)
{
	return lmig_jws_verifier_new_sized(alg, key, LMIG_JWS_VERIFIER_SLOTS,
					   out);
}

enum lmig_jws_status lmig_jws_verifier_new_sized(enum lmig_jws_alg alg,
						 EVP_PKEY *key,
						 unsigned int slots,
						 struct lmig_jws_verifier **out)
{
	struct lmig_jws_verifier *v;
	enum lmig_jws_status st;
	EVP_PKEY_CTX *pctx;

	*out = NULL;
	if ((unsigned int)alg >= __LMIG_JWS_ALG_MAX ||
	    alg == LMIG_JWS_ALG_INVALID || !key_fits(alg, key))
		return LMIG_JWS_KEY_MISMATCH;
	if (slots > LMIG_JWS_VERIFIER_SLOTS)
		slots = LMIG_JWS_VERIFIER_SLOTS;
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
	if (v->ap->digest && slots) {
		if (EVP_PKEY_up_ref(key))
			v->key = key;
		v->md = EVP_MD_fetch(NULL, v->ap->digest, NULL);
		v->pool = pool_new(slots);
	}
	if (v->ready &&
	    (!v->ap->digest || !slots || (v->key && v->md && v->pool)) &&
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
	pool_free(v->pool);
	EVP_MD_free(v->md);
	EVP_PKEY_free(v->key);
	EVP_MD_CTX_free(v->ready);
	free(v);
}

/* Hash, then check the signature over the hash, on a ready slot. */
static int check_on_slot(const struct lmig_jws_verifier *v,
			 struct verify_slot *slot, const void *data,
			 size_t data_len, const uint8_t *sig, size_t sig_len)
{
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned int digest_len;

	if (EVP_DigestInit_ex2(slot->hash, v->md, NULL) != 1 ||
	    EVP_DigestUpdate(slot->hash, data, data_len) != 1 ||
	    EVP_DigestFinal_ex(slot->hash, digest, &digest_len) != 1)
		return -1;
	return EVP_PKEY_verify(slot->check, sig, sig_len, digest, digest_len);
}

/* No context to check on: not an answer about the signature. */
#define NO_CONTEXT (-1000)

/* The same on a copy of the ready context: EdDSA, or no slot free. */
static int check_on_copy(const struct lmig_jws_verifier *v, const void *data,
			 size_t data_len, const uint8_t *sig, size_t sig_len)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int rc = NO_CONTEXT;

	if (ctx && EVP_MD_CTX_copy_ex(ctx, v->ready) == 1) {
		/* Used once: spares the copy OpenSSL makes to keep it. */
		EVP_MD_CTX_set_flags(ctx, EVP_MD_CTX_FLAG_FINALISE);
		rc = EVP_DigestVerify(ctx, sig, sig_len, data, data_len);
	}
	EVP_MD_CTX_free(ctx);
	return rc;
}

enum lmig_jws_status lmig_jws_verifier_check(const struct lmig_jws_verifier *v,
					     const void *data, size_t data_len,
					     const uint8_t *sig, size_t sig_len)
{
	uint8_t der[ECDSA_DER_MAX];
	int rc, i = -1;

	/* Exactly one signature form per algorithm, checked before OpenSSL. */
	if (sig_len != v->sig_len)
		return LMIG_JWS_BAD_SIGNATURE;
	if (v->ap->ec_coord_size) {
		sig_len = ecdsa_raw_to_der(sig, v->ap->ec_coord_size, der);
		sig = der;
	}

	/* Refused signatures queue errors; drop them, and only them. */
	ERR_set_mark();
	if (v->pool)
		i = slot_take(v->pool);
	if (i >= 0 && slot_ready(v, &v->pool->slot[i])) {
		rc = check_on_slot(v, &v->pool->slot[i], data, data_len, sig,
				   sig_len);
		slot_give_back(v->pool, i);
	} else {
		if (i >= 0)
			slot_give_back(v->pool, i);
		rc = check_on_copy(v, data, data_len, sig, sig_len);
	}
	ERR_pop_to_mark();
	if (rc == NO_CONTEXT)
		return LMIG_JWS_NO_MEMORY;
	/* Anything but a clear yes is a no: fail closed. */
	return rc == 1 ? LMIG_JWS_OK : LMIG_JWS_BAD_SIGNATURE;
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
