/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * JSON Web Signature (RFC 7515), compact serialization only, as used for
 * MC access tokens (TS 33.180 Annex B).
 *
 * Parsing checks, in this order, and before any signature work:
 *   1. at most LMIG_JWS_MAX_LEN bytes and exactly two '.' (nothing is
 *      decoded before both hold);
 *   2. the protected header is non-empty canonical base64url (see b64.h)
 *      of a JSON object (see json.h) with "alg" a string naming one of
 *      enum lmig_jws_alg; "none", every HMAC ("HS*") and every other
 *      name are refused;
 *   3. none of the header members "jku", "x5u", "jwk", "x5c" (keys come
 *      only from the trust store), "crit" (no extension is understood) or
 *      "b64" (RFC 7797 unencoded payloads) is present;
 *   4. "kid" and "typ", when present, are strings without NUL bytes;
 *   5. payload and signature are non-empty canonical base64url.
 * The header goes before the other two parts so that an unsigned "none"
 * token (empty signature) is refused for its algorithm, not its shape.
 * Other header members are ignored. The payload is returned as bytes; it
 * is the caller's to interpret (token.h parses it as JWT claims).
 *
 * Verification runs on OpenSSL 3's EVP interface. Each algorithm accepts
 * exactly one key type and one signature form:
 *   ES256  EC key on P-256, signature r||s of exactly 64 bytes
 *   ES384  EC key on P-384, signature r||s of exactly 96 bytes
 *          (r||s is converted to DER for OpenSSL here; a DER signature
 *          in a token is refused by its length or, were it ever exactly
 *          that long, because it does not verify as r||s)
 *   RS256  RSA key, RSASSA-PKCS1-v1_5 with SHA-256, signature exactly as
 *          long as the modulus
 *   PS256  RSA (or RSA-PSS) key, RSASSA-PSS with SHA-256, MGF1-SHA-256
 *          and a salt of exactly 32 bytes, all set explicitly (OpenSSL's
 *          verify default would accept any salt length)
 *   EdDSA  Ed25519 key (RFC 8037), signature of exactly 64 bytes
 * lmig_jws_key_check(), which the trust store applies when it loads a
 * key, also refuses RSA keys under LMIG_JWS_RSA_MIN_BITS.
 */
#ifndef LMIG_AGENT_JWS_H
#define LMIG_AGENT_JWS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "json.h"

/* Largest compact JWS accepted, in bytes. */
#define LMIG_JWS_MAX_LEN 8192
/* Smallest RSA modulus accepted, in bits. */
#define LMIG_JWS_RSA_MIN_BITS 2048
/* Longest signature of any supported algorithm (RSA-8192), in bytes. */
#define LMIG_JWS_SIG_MAX 1024
/* Nesting allowed in a protected header ("jwk" is an object: 2). */
#define LMIG_JWS_HEADER_DEPTH 8

enum lmig_jws_alg {
	LMIG_JWS_ALG_INVALID,
	LMIG_JWS_ES256,
	LMIG_JWS_ES384,
	LMIG_JWS_RS256,
	LMIG_JWS_PS256,
	LMIG_JWS_EDDSA,
	__LMIG_JWS_ALG_MAX
};

enum lmig_jws_status {
	LMIG_JWS_OK,
	LMIG_JWS_TOO_LARGE,	   /* over LMIG_JWS_MAX_LEN */
	LMIG_JWS_MALFORMED,	   /* structure or base64url */
	LMIG_JWS_BAD_HEADER,	   /* not a JSON object, alg/kid/typ types */
	LMIG_JWS_UNSUPPORTED_ALG,  /* none, HS*, or not in enum lmig_jws_alg */
	LMIG_JWS_FORBIDDEN_HEADER, /* jku, x5u, jwk, x5c, crit, b64 */
	LMIG_JWS_KEY_MISMATCH,	   /* the key does not fit the algorithm */
	LMIG_JWS_BAD_SIGNATURE,	   /* does not verify, or has the wrong form */
	LMIG_JWS_NO_MEMORY,	   /* out of memory, or OpenSSL failed */
};

/* A parsed, not yet verified, compact JWS. */
struct lmig_jws {
	enum lmig_jws_alg alg;
	const char *kid; /* header "kid", NUL-terminated; NULL if absent */
	size_t kid_len;
	const char *typ;		/* header "typ"; NULL if absent */
	const struct lmig_json *header; /* the protected header object */
	const char *signing_input;	/* "header.payload", inside the token */
	size_t signing_input_len;
	const uint8_t *payload; /* decoded payload, NUL-terminated */
	size_t payload_len;
	const uint8_t *signature; /* decoded signature */
	size_t signature_len;
	/* private */
	struct lmig_json_doc *header_doc;
	void *buf;
};

/* "ES256", "ES384", "RS256", "PS256", "EdDSA"; NULL if out of range. */
const char *lmig_jws_alg_name(enum lmig_jws_alg alg);

/* The algorithm of a JWS "alg" name, exactly as above; else INVALID. */
enum lmig_jws_alg lmig_jws_alg_from_name(const char *name, size_t len);

/* "ok", "too_large", "malformed", ... as the enum names them. */
const char *lmig_jws_status_name(enum lmig_jws_status status);

/*
 * Parse a compact JWS of len bytes (token need not be NUL-terminated; it
 * must outlive *jws, whose signing_input points into it). On LMIG_JWS_OK
 * the caller releases *jws with lmig_jws_release(). On any other status
 * *jws holds nothing to release and *detail (if detail is not NULL) is a
 * static English sentence saying what was wrong, fit for a log.
 */
enum lmig_jws_status lmig_jws_parse(const char *token, size_t len,
				    struct lmig_jws *jws, const char **detail);

/* Free what lmig_jws_parse() allocated; *jws is zeroed. */
void lmig_jws_release(struct lmig_jws *jws);

/*
 * Whether key can serve alg at all: key type, curve, RSA size. Returns
 * LMIG_JWS_OK, or LMIG_JWS_KEY_MISMATCH with *why (if not NULL) a static
 * sentence. The trust store calls this when it loads a key.
 */
enum lmig_jws_status lmig_jws_key_check(enum lmig_jws_alg alg,
					const EVP_PKEY *key, const char **why);

/*
 * Verify sig over data with key under alg: the one signature check of
 * lmig, used for tokens and for the test vectors. Returns LMIG_JWS_OK,
 * LMIG_JWS_BAD_SIGNATURE (wrong signature, or a signature of the wrong
 * length or form for alg), LMIG_JWS_KEY_MISMATCH (key type unfit for alg)
 * or LMIG_JWS_NO_MEMORY. Safe to call from several threads with one key.
 */
enum lmig_jws_status lmig_jws_verify_signature(enum lmig_jws_alg alg,
					       EVP_PKEY *key, const void *data,
					       size_t data_len,
					       const uint8_t *sig,
					       size_t sig_len);

/*
 * A key made ready for one algorithm once (the trust store keeps one per
 * key), so that each verification takes a prepared OpenSSL context and
 * only hashes and checks. lmig_jws_verifier_new() returns LMIG_JWS_OK with
 * *out set, or LMIG_JWS_KEY_MISMATCH / LMIG_JWS_NO_MEMORY with *out NULL;
 * it does not apply the size rule of lmig_jws_key_check().
 * lmig_jws_verifier_check() answers as lmig_jws_verify_signature() and may
 * run in several threads on one verifier at once: up to `slots` checks at
 * a time (lmig_jws_verifier_new(): LMIG_JWS_VERIFIER_SLOTS) run on contexts
 * kept ready, any more on a copy of one made for them (as EdDSA always
 * does: it hashes inside the signature).
 */
#define LMIG_JWS_VERIFIER_SLOTS 64u

struct lmig_jws_verifier;

enum lmig_jws_status lmig_jws_verifier_new(enum lmig_jws_alg alg, EVP_PKEY *key,
					   struct lmig_jws_verifier **out);
enum lmig_jws_status lmig_jws_verifier_new_sized(
	enum lmig_jws_alg alg, EVP_PKEY *key, unsigned int slots,
	struct lmig_jws_verifier **out);
void lmig_jws_verifier_free(struct lmig_jws_verifier *v);
enum lmig_jws_status lmig_jws_verifier_check(const struct lmig_jws_verifier *v,
					     const void *data, size_t data_len,
					     const uint8_t *sig,
					     size_t sig_len);

/*
 * A parsed JWS against a verifier: LMIG_JWS_KEY_MISMATCH when the token's
 * algorithm is not the verifier's, else lmig_jws_verifier_check().
 */
enum lmig_jws_status lmig_jws_verify(const struct lmig_jws *jws,
				     const struct lmig_jws_verifier *v);

/* The same with a key made ready for this one check only. */
enum lmig_jws_status lmig_jws_verify_with_key(const struct lmig_jws *jws,
					      EVP_PKEY *key);

/*
 * Sign data with key under alg, producing the JWS signature form (r||s
 * for ES*). sig must have room for LMIG_JWS_SIG_MAX bytes; the length is
 * stored in *sig_len. Returns LMIG_JWS_OK, LMIG_JWS_KEY_MISMATCH or
 * LMIG_JWS_NO_MEMORY. lmigd never signs; the test-side IdMS and the tests
 * do (jws_sign.c).
 */
enum lmig_jws_status lmig_jws_sign(enum lmig_jws_alg alg, EVP_PKEY *key,
				   const void *data, size_t data_len,
				   uint8_t *sig, size_t *sig_len);

#endif /* LMIG_AGENT_JWS_H */
