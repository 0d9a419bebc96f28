// SPDX-License-Identifier: GPL-2.0-only
/* JWT claim checks for MC access tokens (RFC 7519, TS 33.180 Annex B). */
#include <string.h>

#include "token_claims.h"

static enum lmig_token_status refuse(struct lmig_token *out,
				     enum lmig_token_status status,
				     const char *why)
{
	out->detail = why;
	return status;
}

static enum lmig_token_status check_audience(const struct lmig_json *claims,
					     const char *audience,
					     struct lmig_token *out)
{
	const struct lmig_json *aud = lmig_json_get(claims, "aud");
	bool found = false;
	size_t i;

	if (!aud)
		return refuse(out, LMIG_TOKEN_MISSING_CLAIM, "no aud claim");
	if (lmig_json_type(aud) == LMIG_JSON_STRING) {
		found = lmig_json_string_is(aud, audience);
	} else if (lmig_json_type(aud) == LMIG_JSON_ARRAY) {
		for (i = 0; i < lmig_json_count(aud); i++) {
			const struct lmig_json *item = lmig_json_item(aud, i);

			if (lmig_json_type(item) != LMIG_JSON_STRING)
				return refuse(out, LMIG_TOKEN_BAD_CLAIM,
					      "aud array holds a non-string");
			found |= lmig_json_string_is(item, audience);
		}
	} else {
		return refuse(out, LMIG_TOKEN_BAD_CLAIM,
			      "aud is neither a string nor an array");
	}
	if (!found)
		return refuse(out, LMIG_TOKEN_WRONG_AUDIENCE,
			      "aud does not name this partner system");
	return LMIG_TOKEN_OK;
}

/*
 * A NumericDate claim: 1 and *value if present, 0 if absent, -1 if it is
 * not a strict NumericDate (see lmig_json_numeric_date()).
 */
static int numeric_date(const struct lmig_json *claims, const char *name,
			int64_t *value)
{
	const struct lmig_json *v = lmig_json_get(claims, name);

	if (!v)
		return 0;
	return lmig_json_numeric_date(v, value) ? -1 : 1;
}

static enum lmig_token_status check_times(const struct lmig_json *claims,
					  int64_t skew, int64_t now,
					  struct lmig_token *out)
{
	int rc;

	/* NumericDates are at most 2^53 and skew at most 30: no overflow. */
	rc = numeric_date(claims, "exp", &out->exp);
	if (!rc)
		return refuse(out, LMIG_TOKEN_MISSING_CLAIM, "no exp claim");
	if (rc < 0)
		return refuse(out, LMIG_TOKEN_BAD_CLAIM,
			      "exp is not a NumericDate");
	if (now >= out->exp + skew)
		return refuse(out, LMIG_TOKEN_EXPIRED,
			      "exp has passed, beyond the allowed clock skew");

	rc = numeric_date(claims, "nbf", &out->nbf);
	if (rc < 0)
		return refuse(out, LMIG_TOKEN_BAD_CLAIM,
			      "nbf is not a NumericDate");
	if (rc) {
		out->present |= LMIG_TOKEN_HAS_NBF;
		if (out->nbf - skew > now)
			return refuse(out, LMIG_TOKEN_NOT_YET_VALID,
				      "nbf is ahead, beyond the allowed clock "
				      "skew");
	}

	rc = numeric_date(claims, "iat", &out->iat);
	if (rc < 0)
		return refuse(out, LMIG_TOKEN_BAD_CLAIM,
			      "iat is not a NumericDate");
	if (rc) {
		out->present |= LMIG_TOKEN_HAS_IAT;
		if (out->iat - skew > now)
			return refuse(out, LMIG_TOKEN_ISSUED_IN_FUTURE,
				      "iat is ahead, beyond the allowed clock "
				      "skew");
	}
	return LMIG_TOKEN_OK;
}

static const struct mc_service {
	uint32_t bit;
	const char *scope;
	const char *id_claim;
	size_t id_offset; /* of the ID's buffer in struct lmig_token */
	const char *missing;
	const char *bad;
} mc_services[] = {
	{LMIG_SERVICE_PTT, "3gpp:mc:ptt_service", "mcptt_id",
	 offsetof(struct lmig_token, mcptt_id),
	 "scope asks for MCPTT but there is no mcptt_id",
	 "mcptt_id is not 1..255 printable ASCII characters"},
	{LMIG_SERVICE_VIDEO, "3gpp:mc:video_service", "mcvideo_id",
	 offsetof(struct lmig_token, mcvideo_id),
	 "scope asks for MCVideo but there is no mcvideo_id",
	 "mcvideo_id is not 1..255 printable ASCII characters"},
	{LMIG_SERVICE_DATA, "3gpp:mc:data_service", "mcdata_id",
	 offsetof(struct lmig_token, mcdata_id),
	 "scope asks for MCData but there is no mcdata_id",
	 "mcdata_id is not 1..255 printable ASCII characters"},
};

#define N_MC_SERVICES (sizeof(mc_services) / sizeof(mc_services[0]))

/* RFC 6749 section 3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ). */
static bool is_scope_char(unsigned char c)
{
	return c == 0x21 || (c >= 0x23 && c <= 0x5b) ||
	       (c >= 0x5d && c <= 0x7e);
}

static enum lmig_token_status check_scope(const struct lmig_json *claims,
					  struct lmig_token *out)
{
	const struct lmig_json *v = lmig_json_get(claims, "scope");
	const char *scope, *word;
	size_t len, i, k;

	if (!v)
		return refuse(out, LMIG_TOKEN_NO_MC_SCOPE, "no scope claim");
	scope = lmig_json_string(v, &len);
	if (!scope)
		return refuse(out, LMIG_TOKEN_BAD_CLAIM,
			      "scope is not a string");

	/* Words separated by exactly one space, none empty. */
	for (word = scope, i = 0; i <= len; i++) {
		if (i < len && scope[i] != ' ') {
			if (!is_scope_char((unsigned char)scope[i]))
				return refuse(out, LMIG_TOKEN_BAD_CLAIM,
					      "scope holds a character RFC "
					      "6749 does not allow");
			continue;
		}
		if (scope + i == word)
			return refuse(out, LMIG_TOKEN_BAD_CLAIM,
				      "scope is not a list of words separated "
				      "by single spaces");
		for (k = 0; k < N_MC_SERVICES; k++) {
			if (strlen(mc_services[k].scope) ==
				    (size_t)(scope + i - word) &&
			    !memcmp(word, mc_services[k].scope,
				    (size_t)(scope + i - word)))
				out->services |= mc_services[k].bit;
		}
		word = scope + i + 1;
	}
	if (!out->services)
		return refuse(out, LMIG_TOKEN_NO_MC_SCOPE,
			      "scope asks for no MC service");
	return LMIG_TOKEN_OK;
}

static bool is_mc_id(const char *s, size_t len)
{
	size_t i;

	if (!len || len > LMIG_ID_MAX_LEN)
		return false;
	for (i = 0; i < len; i++) {
		if ((unsigned char)s[i] < 0x21 || (unsigned char)s[i] > 0x7e)
			return false;
	}
	return true;
}

static enum lmig_token_status check_mc_ids(const struct lmig_json *claims,
					   struct lmig_token *out)
{
	size_t k, len;

	for (k = 0; k < N_MC_SERVICES; k++) {
		const struct mc_service *svc = &mc_services[k];
		const struct lmig_json *v;
		const char *id;

		if (!(out->services & svc->bit))
			continue;
		v = lmig_json_get(claims, svc->id_claim);
		if (!v)
			return refuse(out, LMIG_TOKEN_MISSING_MC_ID,
				      svc->missing);
		id = lmig_json_string(v, &len);
		if (!id || !is_mc_id(id, len))
			return refuse(out, LMIG_TOKEN_BAD_MC_ID, svc->bad);
		memcpy((char *)out + svc->id_offset, id, len + 1);
	}
	return LMIG_TOKEN_OK;
}

/* Optional informative strings: no NUL or control bytes, bounded. */
static enum lmig_token_status copy_optional(const struct lmig_json *claims,
					    struct lmig_token *out)
{
	static const struct {
		const char *name;
		size_t offset;
		unsigned int flag;
		const char *bad;
	} optional[] = {
		{"jti", offsetof(struct lmig_token, jti), LMIG_TOKEN_HAS_JTI,
		 "jti is not a string of at most 255 printable bytes"},
		{"sub", offsetof(struct lmig_token, sub), LMIG_TOKEN_HAS_SUB,
		 "sub is not a string of at most 255 printable bytes"},
		{"client_id", offsetof(struct lmig_token, client_id),
		 LMIG_TOKEN_HAS_CLIENT_ID,
		 "client_id is not a string of at most 255 printable bytes"},
	};
	size_t k, i, len;

	for (k = 0; k < sizeof(optional) / sizeof(optional[0]); k++) {
		const struct lmig_json *v = lmig_json_get(claims,
							  optional[k].name);
		const char *s;

		if (!v)
			continue;
		s = lmig_json_string(v, &len);
		if (!s || len > LMIG_TOKEN_STR_MAX)
			return refuse(out, LMIG_TOKEN_BAD_CLAIM,
				      optional[k].bad);
		for (i = 0; i < len; i++) {
			if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
				return refuse(out, LMIG_TOKEN_BAD_CLAIM,
					      optional[k].bad);
		}
		memcpy((char *)out + optional[k].offset, s, len + 1);
		out->present |= optional[k].flag;
	}
	return LMIG_TOKEN_OK;
}

enum lmig_token_status lmig_token_check_claims(
	const struct lmig_json *claims, const struct lmig_claims_policy *policy,
	int64_t now, struct lmig_token *out)
{
	enum lmig_token_status st;

	st = check_audience(claims, policy->audience, out);
	if (st == LMIG_TOKEN_OK)
		st = check_times(claims, policy->clock_skew, now, out);
	if (st == LMIG_TOKEN_OK)
		st = check_scope(claims, out);
	if (st == LMIG_TOKEN_OK)
		st = check_mc_ids(claims, out);
	if (st == LMIG_TOKEN_OK)
		st = copy_optional(claims, out);
	return st;
}
