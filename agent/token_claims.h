/* SPDX-License-Identifier: GPL-2.0-only */
/* Claim checks of a token whose signature has been verified (token.c). */
#ifndef LMIG_AGENT_TOKEN_CLAIMS_H
#define LMIG_AGENT_TOKEN_CLAIMS_H

#include "json.h"
#include "token.h"

/* The claim policy a verifier applies. */
struct lmig_claims_policy {
	const char *audience;
	int64_t clock_skew; /* seconds */
};

/*
 * Check the verified claims object against policy at time now and fill
 * the claim fields of *out (issuer, key and alg are the caller's). On a
 * refusal out->detail says why; the caller zeroes *out.
 */
enum lmig_token_status lmig_token_check_claims(
	const struct lmig_json *claims, const struct lmig_claims_policy *policy,
	int64_t now, struct lmig_token *out);

#endif /* LMIG_AGENT_TOKEN_CLAIMS_H */
