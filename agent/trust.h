/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The trust store: the primary IdMS signing keys this partner gateway
 * accepts, provisioned out of band as PEM X.509 certificates (TS 33.180
 * section 5.1.4.2).
 *
 * Each key belongs to one issuer (the exact "iss" of its tokens) and
 * serves exactly one JWS algorithm. Loading refuses, naming the file and
 * the reason: a file holding no PEM certificate or more than one (other
 * PEM blocks, such as a private key beside it, are ignored), a certificate
 * whose keyUsage extension lacks digitalSignature (it may never sign),
 * a key that does not fit its algorithm (P-256 for ES256, P-384 for
 * ES384, RSA of at least 2048 bits for RS256/PS256, Ed25519 for EdDSA),
 * the same certificate twice for one issuer, and a kid that would name
 * two keys of one issuer.
 *
 * A key answers to its configured kid, if any, and always to its implicit
 * kid: the base64url SHA-256 of the certificate's DER (the RFC 7515
 * "x5t#S256" thumbprint), 43 characters. A certificate outside its
 * validity period at verification time is not used; that is decided per
 * token, so a store may hold keys that become valid later (rollover).
 *
 * A store is built whole, then only read: lmig_trust_select() may run
 * from many threads at once. There is no global state; a configuration
 * reload builds a new store and the caller swaps it in, freeing the old
 * one when no verification uses it any more.
 */
#ifndef LMIG_AGENT_TRUST_H
#define LMIG_AGENT_TRUST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "jws.h"

#define LMIG_TRUST_ISSUER_MAX	    255 /* bytes of an issuer */
#define LMIG_TRUST_KID_MAX	    127 /* bytes of a configured kid */
#define LMIG_TRUST_IMPLICIT_KID_LEN 43	/* base64url of 32 bytes */
#define LMIG_TRUST_ISSUER_KEYS_MAX  16	/* keys of one issuer */
#define LMIG_TRUST_PEM_MAX	    (1024 * 1024) /* bytes of a PEM file */

struct lmig_trust;

/* One key of the store; read only, valid as long as its store. */
struct lmig_trust_key {
	const char *issuer;
	enum lmig_jws_alg alg;
	EVP_PKEY *pkey;
	struct lmig_jws_verifier *verifier; /* pkey made ready for alg */
	char kid[LMIG_TRUST_KID_MAX + 1];   /* configured kid; "" if none */
	char implicit_kid[LMIG_TRUST_IMPLICIT_KID_LEN + 1];
	int64_t not_before; /* certificate validity, Unix seconds, */
	int64_t not_after;  /* both ends included */
	const char *source; /* the file (or name) it was loaded from */
};

struct lmig_trust *lmig_trust_new(void);

/* Free a store and its keys. NULL is allowed. */
void lmig_trust_free(struct lmig_trust *trust);

/*
 * Add the key of the one certificate in the PEM file path, for tokens of
 * issuer signed with alg; kid is the configured kid, or NULL or "" for
 * none. Returns 0, or a negative errno with err holding "PATH: reason"
 * (err_len bytes at most); the store is unchanged on error.
 */
int lmig_trust_add_cert_file(struct lmig_trust *trust, const char *issuer,
			     enum lmig_jws_alg alg, const char *kid,
			     const char *path, char *err, size_t err_len);

/* The same from pem_len bytes in memory; source names them in errors. */
int lmig_trust_add_cert_pem(struct lmig_trust *trust, const char *issuer,
			    enum lmig_jws_alg alg, const char *kid,
			    const char *pem, size_t pem_len, const char *source,
			    char *err, size_t err_len);

/* Keys in the order they were added, all issuers together. */
size_t lmig_trust_key_count(const struct lmig_trust *trust);
const struct lmig_trust_key *lmig_trust_key(const struct lmig_trust *trust,
					    size_t i);

/* Whether certificate time now (Unix seconds) lies in the key's validity. */
bool lmig_trust_key_valid_at(const struct lmig_trust_key *key, int64_t now);

enum lmig_trust_status {
	LMIG_TRUST_OK,
	LMIG_TRUST_UNKNOWN_ISSUER, /* no key for this issuer at all */
	LMIG_TRUST_UNKNOWN_KEY,	   /* kid names no key of the issuer, or the
				    * issuer has no key for the algorithm */
	LMIG_TRUST_ALG_MISMATCH,   /* kid names a key of another algorithm */
	LMIG_TRUST_KEY_NOT_VALID,  /* the fitting keys are all outside their
				    * validity period now */
};

/* What a token's header and (unverified) issuer ask for. */
struct lmig_trust_query {
	const char *issuer; /* "iss" of the token, issuer_len bytes */
	size_t issuer_len;
	enum lmig_jws_alg alg; /* header "alg" */
	const char *kid;       /* header "kid", kid_len bytes; NULL if absent */
	size_t kid_len;
	int64_t now; /* Unix seconds */
};

/*
 * The keys to try for a token, looked up among the query's issuer only.
 * With a kid: the one key answering to it, if its algorithm is the
 * header's and it is valid now. Without: every key of the issuer for the
 * header's algorithm that is valid now. On LMIG_TRUST_OK keys[0..*n) are
 * the candidates, in load order (keys has room for
 * LMIG_TRUST_ISSUER_KEYS_MAX); otherwise *n is 0.
 */
enum lmig_trust_status lmig_trust_select(const struct lmig_trust *trust,
					 const struct lmig_trust_query *query,
					 const struct lmig_trust_key **keys,
					 size_t *n);

#endif /* LMIG_AGENT_TRUST_H */
