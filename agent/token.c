// SPDX-License-Identifier: GPL-2.0-only
/* Offline access token verification: the admission endpoint's entry. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "token.h"
#include "token_claims.h"

struct lmig_verifier {
	struct lmig_trust *trust;
	char audience[LMIG_TOKEN_AUDIENCE_MAX + 1];
	unsigned int clock_skew;
};

static const struct {
	const char *name;
	const char *message;
} statuses[__LMIG_TOKEN_STATUS_MAX] = {
	[LMIG_TOKEN_OK] = {"ok", "access token accepted"},
	[LMIG_TOKEN_TOO_LARGE] = {"too_large", "the access token is too large"},
	[LMIG_TOKEN_MALFORMED] = {"malformed", "the access token is malformed"},
	[LMIG_TOKEN_BAD_HEADER] = {"bad_header",
				   "the access token header is invalid"},
	[LMIG_TOKEN_UNSUPPORTED_ALG] = {"unsupported_alg",
					"the signature algorithm of the "
					"access token is not accepted"},
	[LMIG_TOKEN_FORBIDDEN_HEADER] = {"forbidden_header",
					 "the access token header carries a "
					 "member that is not accepted"},
	[LMIG_TOKEN_MISSING_CLAIM] = {"missing_claim",
				      "the access token lacks a required "
				      "claim"},
	[LMIG_TOKEN_BAD_CLAIM] = {"bad_claim",
				  "the access token has a claim of the wrong "
				  "form"},
	[LMIG_TOKEN_UNKNOWN_ISSUER] = {"unknown_issuer",
				       "the issuer of the access token is not "
				       "trusted here"},
	[LMIG_TOKEN_UNKNOWN_KEY] = {"unknown_key",
				    "the signing key of the access token is "
				    "not known here"},
	[LMIG_TOKEN_ALG_MISMATCH] = {"alg_mismatch",
				     "the signature algorithm does not match "
				     "the signing key"},
	[LMIG_TOKEN_KEY_NOT_VALID] = {"key_not_valid",
				      "the signing certificate is not valid "
				      "at this time"},
	[LMIG_TOKEN_BAD_SIGNATURE] = {"bad_signature",
				      "the signature of the access token "
				      "does not verify"},
	[LMIG_TOKEN_WRONG_AUDIENCE] = {"wrong_audience",
				       "the access token is not meant for "
				       "this system"},
	[LMIG_TOKEN_EXPIRED] = {"expired", "the access token has expired"},
	[LMIG_TOKEN_NOT_YET_VALID] = {"not_yet_valid",
				      "the access token is not valid yet"},
	[LMIG_TOKEN_ISSUED_IN_FUTURE] = {"issued_in_future",
					 "the access token was issued in "
					 "the future"},
	[LMIG_TOKEN_NO_MC_SCOPE] = {"no_mc_scope",
				    "the access token grants no MC service"},
	[LMIG_TOKEN_MISSING_MC_ID] = {"missing_mc_id",
				      "the access token lacks the MC ID of a "
				      "service it asks for"},
	[LMIG_TOKEN_BAD_MC_ID] = {"bad_mc_id",
				  "the access token carries an invalid MC "
				  "ID"},
	[LMIG_TOKEN_INTERNAL] = {"internal_error",
				 "the access token could not be checked"},
};

const char *lmig_token_status_name(enum lmig_token_status status)
{
	if ((unsigned int)status >= __LMIG_TOKEN_STATUS_MAX)
		return "?";
	return statuses[status].name;
}

const char *lmig_token_status_message(enum lmig_token_status status)
{
	if ((unsigned int)status >= __LMIG_TOKEN_STATUS_MAX)
		return "?";
	return statuses[status].message;
}

int lmig_token_status_http(enum lmig_token_status status)
{
	switch (status) {
	case LMIG_TOKEN_OK:
		return 200;
	case LMIG_TOKEN_NO_MC_SCOPE:
		return 403;
	case LMIG_TOKEN_INTERNAL:
		return 500;
	default:
		return 401;
	}
}

int lmig_verifier_new(struct lmig_trust *trust,
		      const struct lmig_verifier_config *config,
		      struct lmig_verifier **out, char *err, size_t err_len)
{
	size_t audience_len = config->audience ? strlen(config->audience) : 0;
	struct lmig_verifier *v;

	*out = NULL;
	if (!trust || !lmig_trust_key_count(trust)) {
		snprintf(err, err_len, "no trusted issuer key is configured");
		return -EINVAL;
	}
	if (!audience_len || audience_len > LMIG_TOKEN_AUDIENCE_MAX) {
		snprintf(err, err_len, "audience must be 1..%d bytes",
			 LMIG_TOKEN_AUDIENCE_MAX);
		return -EINVAL;
	}
	if (config->clock_skew > LMIG_TOKEN_SKEW_MAX) {
		snprintf(err, err_len,
			 "clock skew %u s is above the %d s TS 33.180 allows",
			 config->clock_skew, LMIG_TOKEN_SKEW_MAX);
		return -EINVAL;
	}
	v = calloc(1, sizeof(*v));
	if (!v) {
		snprintf(err, err_len, "out of memory");
		return -ENOMEM;
	}
	v->trust = trust;
	memcpy(v->audience, config->audience, audience_len + 1);
	v->clock_skew = config->clock_skew;
	*out = v;
	return 0;
}

void lmig_verifier_free(struct lmig_verifier *verifier)
{
	if (!verifier)
		return;
	lmig_trust_free(verifier->trust);
	free(verifier);
}

const struct lmig_trust *lmig_verifier_trust(
	const struct lmig_verifier *verifier)
{
	return verifier->trust;
}

unsigned int lmig_verifier_clock_skew(const struct lmig_verifier *verifier)
{
	return verifier->clock_skew;
}

const char *lmig_token_mc_id(const struct lmig_token *token, uint32_t service)
{
	if (!(token->services & service))
		return NULL;
	switch (service) {
	case LMIG_SERVICE_PTT:
		return token->mcptt_id;
	case LMIG_SERVICE_VIDEO:
		return token->mcvideo_id;
	case LMIG_SERVICE_DATA:
		return token->mcdata_id;
	default:
		return NULL;
	}
}

static enum lmig_token_status from_jws(enum lmig_jws_status st)
{
	switch (st) {
	case LMIG_JWS_OK:
		return LMIG_TOKEN_OK;
	case LMIG_JWS_TOO_LARGE:
		return LMIG_TOKEN_TOO_LARGE;
	case LMIG_JWS_MALFORMED:
		return LMIG_TOKEN_MALFORMED;
	case LMIG_JWS_BAD_HEADER:
		return LMIG_TOKEN_BAD_HEADER;
	case LMIG_JWS_UNSUPPORTED_ALG:
		return LMIG_TOKEN_UNSUPPORTED_ALG;
	case LMIG_JWS_FORBIDDEN_HEADER:
		return LMIG_TOKEN_FORBIDDEN_HEADER;
	case LMIG_JWS_KEY_MISMATCH:
		return LMIG_TOKEN_ALG_MISMATCH;
	case LMIG_JWS_BAD_SIGNATURE:
		return LMIG_TOKEN_BAD_SIGNATURE;
	default:
		return LMIG_TOKEN_INTERNAL;
	}
}

static enum lmig_token_status from_trust(enum lmig_trust_status st,
					 bool with_kid, const char **why)
{
	switch (st) {
	case LMIG_TRUST_OK:
		return LMIG_TOKEN_OK;
	case LMIG_TRUST_UNKNOWN_ISSUER:
		*why = "iss names no configured issuer";
		return LMIG_TOKEN_UNKNOWN_ISSUER;
	case LMIG_TRUST_UNKNOWN_KEY:
		*why = with_kid ? "kid names no key of the issuer"
				: "the issuer has no key for this alg";
		return LMIG_TOKEN_UNKNOWN_KEY;
	case LMIG_TRUST_ALG_MISMATCH:
		*why = "kid names a key of the issuer that serves another alg";
		return LMIG_TOKEN_ALG_MISMATCH;
	case LMIG_TRUST_KEY_NOT_VALID:
		*why = "the issuer's certificate is outside its validity "
		       "period";
		return LMIG_TOKEN_KEY_NOT_VALID;
	}
	*why = "trust store failure";
	return LMIG_TOKEN_INTERNAL;
}

/* Parse the payload as a JSON object of claims. */
static enum lmig_token_status parse_claims(const struct lmig_jws *jws,
					   struct lmig_json_doc **doc,
					   const char **why)
{
	static const struct lmig_json_limits limits = {
		.max_size = LMIG_JWS_MAX_LEN,
		.max_depth = LMIG_TOKEN_CLAIMS_DEPTH,
	};
	int rc;

	rc = lmig_json_parse((const char *)jws->payload, jws->payload_len,
			     &limits, doc, NULL);
	if (rc == -ENOMEM) {
		*why = "out of memory";
		return LMIG_TOKEN_INTERNAL;
	}
	if (rc) {
		*why = rc == -E2BIG ? "claims nest too deeply"
				    : "claims are not JSON";
		return LMIG_TOKEN_MALFORMED;
	}
	if (lmig_json_type(lmig_json_root(*doc)) != LMIG_JSON_OBJECT) {
		*why = "claims are not a JSON object";
		return LMIG_TOKEN_MALFORMED;
	}
	return LMIG_TOKEN_OK;
}

/* Try the candidate keys; the first that verifies is the token's. */
static enum lmig_token_status verify_with(const struct lmig_jws *jws,
					  const struct lmig_trust_key **keys,
					  size_t n,
					  const struct lmig_trust_key **signer,
					  const char **why)
{
	size_t i;

	for (i = 0; i < n; i++) {
		enum lmig_jws_status st = lmig_jws_verify(jws,
							  keys[i]->verifier);

		if (st == LMIG_JWS_OK) {
			*signer = keys[i];
			return LMIG_TOKEN_OK;
		}
		if (st == LMIG_JWS_NO_MEMORY) {
			*why = "signature check failed for want of memory";
			return LMIG_TOKEN_INTERNAL;
		}
	}
	*why = n > 1 ? "no key of the issuer verifies the signature"
		     : "the signature does not verify";
	return LMIG_TOKEN_BAD_SIGNATURE;
}

enum lmig_token_status lmig_token_verify(const struct lmig_verifier *verifier,
					 const char *token, size_t len,
					 int64_t now_unix,
					 struct lmig_token *out)
{
	const struct lmig_trust_key *keys[LMIG_TRUST_ISSUER_KEYS_MAX];
	const struct lmig_trust_key *signer = NULL;
	const struct lmig_claims_policy policy = {
		.audience = verifier->audience,
		.clock_skew = verifier->clock_skew,
	};
	struct lmig_trust_query query = {.now = now_unix};
	struct lmig_json_doc *doc = NULL;
	const struct lmig_json *claims, *iss;
	const char *why = NULL;
	enum lmig_token_status st;
	struct lmig_jws jws;
	size_t n_keys;

	memset(out, 0, sizeof(*out));
	st = from_jws(lmig_jws_parse(token, len, &jws, &why));
	if (st != LMIG_TOKEN_OK) {
		out->detail = why;
		return st;
	}
	st = parse_claims(&jws, &doc, &why);
	if (st != LMIG_TOKEN_OK)
		goto out;
	claims = lmig_json_root(doc);

	/* iss is untrusted here: it only picks the keys to try. */
	iss = lmig_json_get(claims, "iss");
	if (!iss) {
		st = LMIG_TOKEN_MISSING_CLAIM;
		why = "no iss claim";
		goto out;
	}
	if (!lmig_json_string_is_cstr(iss)) {
		st = LMIG_TOKEN_BAD_CLAIM;
		why = "iss is not a string";
		goto out;
	}
	query.issuer = lmig_json_string(iss, &query.issuer_len);
	query.alg = jws.alg;
	query.kid = jws.kid;
	query.kid_len = jws.kid_len;
	st = from_trust(
		lmig_trust_select(verifier->trust, &query, keys, &n_keys),
		jws.kid != NULL, &why);
	if (st != LMIG_TOKEN_OK)
		goto out;
	st = verify_with(&jws, keys, n_keys, &signer, &why);
	if (st != LMIG_TOKEN_OK)
		goto out;

	/* From here on the claims are the issuer's word. */
	st = lmig_token_check_claims(claims, &policy, now_unix, out);
	why = out->detail;
	if (st != LMIG_TOKEN_OK)
		goto out;
	memcpy(out->issuer, query.issuer, query.issuer_len + 1);
	out->alg = jws.alg;
	memcpy(out->key_id, signer->implicit_kid, sizeof(out->key_id));
	why = "access token verified";
out:
	lmig_json_free(doc);
	lmig_jws_release(&jws);
	if (st != LMIG_TOKEN_OK)
		memset(out, 0, sizeof(*out));
	out->detail = why;
	return st;
}
