/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Offline verification of MC access tokens (TS 33.180 Annex B): the one
 * entry point the admission endpoint calls.
 *
 * lmig_token_verify() does, in order, stopping at the first refusal:
 *   1. parse the compact JWS (jws.h: size, structure, base64url, header,
 *      algorithm, forbidden header members);
 *   2. parse the payload as a JSON object of claims;
 *   3. take "iss" (still untrusted) and the header's "alg" and "kid" to
 *      choose keys in the trust store (trust.h), among that issuer's only;
 *   4. verify the signature; nothing in the claims is believed before;
 *   5. check the claims:
 *      aud    a string or an array of strings holding the configured
 *             audience (this partner system's identifier)
 *      exp    required NumericDate; refused once now >= exp + skew
 *      nbf    if present, NumericDate; refused while now < nbf - skew
 *      iat    if present, NumericDate; refused if iat - skew > now
 *      scope  a space-separated list (RFC 6749 section 3.3) holding at
 *             least one of 3gpp:mc:ptt_service, 3gpp:mc:video_service,
 *             3gpp:mc:data_service; other scope values are ignored
 *      mcptt_id, mcvideo_id, mcdata_id
 *             for each service asked for, its MC ID: a string of
 *             1..LMIG_ID_MAX_LEN printable ASCII bytes without blanks
 *             (0x21..0x7e); IDs of services not asked for are ignored
 *      jti, sub, client_id
 *             optional; when present, strings of at most
 *             LMIG_TOKEN_STR_MAX bytes without NUL or control characters
 * where skew is the configured clock skew, 0..LMIG_TOKEN_SKEW_MAX seconds.
 *
 * Every refusal has its own status with a stable name for logs, metrics
 * and JSON (lmig_token_status_name), a fixed human message safe to send
 * to the client (lmig_token_status_message), the HTTP status to answer
 * with (lmig_token_status_http), and a more precise static sentence for
 * the gateway's own log in lmig_token.detail, which may name claims and
 * header members but never echoes token content.
 */
#ifndef LMIG_AGENT_TOKEN_H
#define LMIG_AGENT_TOKEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/lmig.h>

#include "jws.h"
#include "trust.h"

#define LMIG_TOKEN_SKEW_MAX	30  /* seconds, TS 33.180 */
#define LMIG_TOKEN_AUDIENCE_MAX 255 /* bytes */
#define LMIG_TOKEN_STR_MAX	255 /* bytes of jti, sub, client_id */
#define LMIG_TOKEN_CLAIMS_DEPTH 16  /* nesting allowed in the claims */

enum lmig_token_status {
	LMIG_TOKEN_OK,
	LMIG_TOKEN_TOO_LARGE,	     /* longer than LMIG_JWS_MAX_LEN */
	LMIG_TOKEN_MALFORMED,	     /* not a compact JWS of JSON claims */
	LMIG_TOKEN_BAD_HEADER,	     /* header not an object, bad alg/kid/typ */
	LMIG_TOKEN_UNSUPPORTED_ALG,  /* none, HS*, anything unknown */
	LMIG_TOKEN_FORBIDDEN_HEADER, /* jku, x5u, jwk, x5c, crit, b64 */
	LMIG_TOKEN_MISSING_CLAIM,    /* no iss, aud or exp */
	LMIG_TOKEN_BAD_CLAIM,	     /* a claim of the wrong type or form */
	LMIG_TOKEN_UNKNOWN_ISSUER,   /* iss is no configured issuer */
	LMIG_TOKEN_UNKNOWN_KEY,	     /* no key of the issuer fits kid or alg */
	LMIG_TOKEN_ALG_MISMATCH,     /* kid names a key of another alg */
	LMIG_TOKEN_KEY_NOT_VALID,    /* certificate outside its validity */
	LMIG_TOKEN_BAD_SIGNATURE,    /* no candidate key verifies it */
	LMIG_TOKEN_WRONG_AUDIENCE,   /* aud does not hold our audience */
	LMIG_TOKEN_EXPIRED,	     /* exp has passed */
	LMIG_TOKEN_NOT_YET_VALID,    /* nbf is ahead */
	LMIG_TOKEN_ISSUED_IN_FUTURE, /* iat is ahead */
	LMIG_TOKEN_NO_MC_SCOPE,	     /* scope asks for no MC service */
	LMIG_TOKEN_MISSING_MC_ID,    /* a service asked for has no MC ID */
	LMIG_TOKEN_BAD_MC_ID,	     /* an MC ID is not a valid ID */
	LMIG_TOKEN_INTERNAL,	     /* out of memory or a crypto failure */
	__LMIG_TOKEN_STATUS_MAX
};

/* Bits of lmig_token.present. */
#define LMIG_TOKEN_HAS_NBF	 (1U << 0)
#define LMIG_TOKEN_HAS_IAT	 (1U << 1)
#define LMIG_TOKEN_HAS_JTI	 (1U << 2)
#define LMIG_TOKEN_HAS_SUB	 (1U << 3)
#define LMIG_TOKEN_HAS_CLIENT_ID (1U << 4)

/* What a verified token says. Strings are NUL-terminated, "" if absent. */
struct lmig_token {
	char issuer[LMIG_TRUST_ISSUER_MAX + 1];
	enum lmig_jws_alg alg;
	/* Implicit kid (certificate thumbprint) of the key that verified. */
	char key_id[LMIG_TRUST_IMPLICIT_KID_LEN + 1];
	int64_t exp;	   /* Unix seconds */
	int64_t nbf;	   /* valid if present & LMIG_TOKEN_HAS_NBF */
	int64_t iat;	   /* valid if present & LMIG_TOKEN_HAS_IAT */
	uint32_t services; /* LMIG_SERVICE_* asked for by scope, never 0 */
	char mcptt_id[LMIG_ID_MAX_LEN + 1];   /* set iff LMIG_SERVICE_PTT */
	char mcvideo_id[LMIG_ID_MAX_LEN + 1]; /* set iff LMIG_SERVICE_VIDEO */
	char mcdata_id[LMIG_ID_MAX_LEN + 1];  /* set iff LMIG_SERVICE_DATA */
	char jti[LMIG_TOKEN_STR_MAX + 1];
	char sub[LMIG_TOKEN_STR_MAX + 1];
	char client_id[LMIG_TOKEN_STR_MAX + 1];
	unsigned int present; /* LMIG_TOKEN_HAS_* */
	/* Always set: a static sentence for the gateway's log. */
	const char *detail;
};

struct lmig_verifier_config {
	const char *audience;	 /* 1..LMIG_TOKEN_AUDIENCE_MAX bytes */
	unsigned int clock_skew; /* seconds, 0..LMIG_TOKEN_SKEW_MAX */
};

/* Trust store plus claim policy; read only once built, no global state. */
struct lmig_verifier;

/*
 * Build a verifier from a trust store holding at least one key and a
 * configuration. On success returns 0, *out owns trust (freed with the
 * verifier). On error returns -EINVAL or -ENOMEM with a sentence in err,
 * *out is NULL and trust still belongs to the caller.
 */
int lmig_verifier_new(struct lmig_trust *trust,
		      const struct lmig_verifier_config *config,
		      struct lmig_verifier **out, char *err, size_t err_len);

/* Free a verifier and its trust store. NULL is allowed. */
void lmig_verifier_free(struct lmig_verifier *verifier);

/* The verifier's trust store, e.g. to log its keys. */
const struct lmig_trust *lmig_verifier_trust(
	const struct lmig_verifier *verifier);

/*
 * Verify the access token of len bytes (need not be NUL-terminated) at
 * time now_unix (seconds since the epoch, the gateway's wall clock).
 * Returns LMIG_TOKEN_OK with *out filled in, or the first refusal, with
 * *out zeroed but for out->detail. Safe to call from several threads on
 * one verifier.
 */
enum lmig_token_status lmig_token_verify(const struct lmig_verifier *verifier,
					 const char *token, size_t len,
					 int64_t now_unix,
					 struct lmig_token *out);

/* The clock skew it allows, seconds. */
unsigned int lmig_verifier_clock_skew(const struct lmig_verifier *verifier);

/* The MC ID of one LMIG_SERVICE_* bit of a verified token; NULL if none. */
const char *lmig_token_mc_id(const struct lmig_token *token, uint32_t service);

/* "ok", "malformed", "expired", ...: stable, for logs, metrics, JSON. */
const char *lmig_token_status_name(enum lmig_token_status status);

/* A short English message for the client, revealing nothing internal. */
const char *lmig_token_status_message(enum lmig_token_status status);

/*
 * The HTTP status for the answer: 200 for OK, 403 for NO_MC_SCOPE (RFC
 * 6750 insufficient_scope), 500 for INTERNAL, 401 (invalid_token) for
 * every other refusal.
 */
int lmig_token_status_http(enum lmig_token_status status);

#endif /* LMIG_AGENT_TOKEN_H */
