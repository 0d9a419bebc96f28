// SPDX-License-Identifier: GPL-2.0-only
/* The admission decision: token, partner profile, gateway limit. */
#include <errno.h>
#include <string.h>

#include "admit.h"

static const uint32_t service_bits[] = {
	LMIG_SERVICE_PTT,
	LMIG_SERVICE_VIDEO,
	LMIG_SERVICE_DATA,
};

/*
 * Whether the issuer or key was trusted is the partner's business: a
 * client learns only that the token was not signed by anyone trusted.
 */
static bool trust_refusal(enum lmig_token_status s)
{
	switch (s) {
	case LMIG_TOKEN_UNKNOWN_ISSUER:
	case LMIG_TOKEN_UNKNOWN_KEY:
	case LMIG_TOKEN_ALG_MISMATCH:
	case LMIG_TOKEN_KEY_NOT_VALID:
	case LMIG_TOKEN_BAD_SIGNATURE:
		return true;
	default:
		return false;
	}
}

static void refuse_token(struct lmigd_decision *d, enum lmig_token_status s)
{
	d->verdict = LMIGD_REFUSED_TOKEN;
	d->token_status = s;
	d->services = 0;
	d->expires = 0;
	d->http_status = lmig_token_status_http(s);
	d->reason = lmig_token_status_name(s);
	d->detail = d->token.detail;
	if (trust_refusal(s)) {
		d->client_reason = "untrusted_token";
		d->message = "the access token is not signed by a trusted "
			     "identity management server";
	} else {
		d->client_reason = d->reason;
		d->message = lmig_token_status_message(s);
	}
	switch (d->http_status) {
	case 403:
		d->error = "insufficient_scope";
		break;
	case 401:
		d->error = "invalid_token";
		break;
	default:
		d->error = "server_error";
	}
}

static void refuse(struct lmigd_decision *d, enum lmigd_verdict v, int status,
		   const char *error, const char *reason, const char *message,
		   const char *detail)
{
	d->verdict = v;
	d->services = 0;
	d->expires = 0;
	d->http_status = status;
	d->error = error;
	d->reason = reason;
	d->client_reason = reason;
	d->message = message;
	d->detail = detail;
}

/*
 * The one profile the token's MC IDs lead to. Every service the token asks
 * for names an MC ID; all of them must belong to one user, since one
 * admission is one user's.
 */
static bool find_profile(const struct lmigd_admit_policy *policy,
			 struct lmigd_decision *d)
{
	bool found = false;

	for (size_t i = 0; i < sizeof(service_bits) / sizeof(*service_bits);
	     i++) {
		const char *id = lmig_token_mc_id(&d->token, service_bits[i]);
		struct lmigd_profile p;
		int err;

		if (!id)
			continue;
		err = policy->lookup(policy->lookup_arg, id, &p);
		if (err == -ENOENT) {
			refuse(d, LMIGD_REFUSED_NO_PROFILE, 403,
			       "insufficient_scope", "no_profile",
			       "this partner system holds no limited-migration "
			       "permission for the user",
			       "no profile answers for an MC ID of the token");
			return false;
		}
		if (err) {
			refuse(d, LMIGD_POLICY_UNAVAILABLE, 503, "server_error",
			       "policy_unavailable",
			       "the partner's policy cannot be read now",
			       "looking up the profile in the kernel failed");
			return false;
		}
		if (found && p.user_id != d->profile.user_id) {
			refuse(d, LMIGD_REFUSED_ID_MISMATCH, 403,
			       "insufficient_scope", "id_mismatch",
			       "the MC IDs of the access token belong to "
			       "different users here",
			       "the token's MC IDs map to different profiles");
			return false;
		}
		d->profile = p;
		found = true;
	}
	return found;
}

static bool check_profile(struct lmigd_decision *d, int64_t now)
{
	const struct lmigd_profile *p = &d->profile;

	if (p->state != LMIG_STATE_ACTIVE) {
		refuse(d, LMIGD_REFUSED_SUSPENDED, 403, "insufficient_scope",
		       "suspended",
		       "limited migration is suspended for the user",
		       "the user's profile is suspended");
		return false;
	}
	if (p->not_before && now < (int64_t)p->not_before) {
		refuse(d, LMIGD_REFUSED_NOT_YET_VALID, 403,
		       "insufficient_scope", "profile_not_yet_valid",
		       "the user's limited-migration permission has not begun",
		       "now is before the profile's not-before");
		return false;
	}
	if (p->not_after && now >= (int64_t)p->not_after) {
		refuse(d, LMIGD_REFUSED_PROFILE_ENDED, 403,
		       "insufficient_scope", "profile_ended",
		       "the user's limited-migration permission has ended",
		       "now is past the profile's not-after");
		return false;
	}
	d->services = d->token.services & p->services;
	if (!d->services) {
		refuse(d, LMIGD_REFUSED_NO_SERVICE, 403, "insufficient_scope",
		       "no_permitted_service",
		       "none of the services asked for is permitted here",
		       "token scope and profile services do not intersect");
		return false;
	}
	return true;
}

bool lmigd_admit_verify(const struct lmigd_admit_policy *policy,
			const char *token, size_t len, int64_t now,
			struct lmigd_decision *d)
{
	enum lmig_token_status s;

	memset(d, 0, sizeof(*d));
	s = lmigd_token_verify_cached(policy->cache, policy->verifier, token,
				      len, now, &d->token);
	if (s != LMIG_TOKEN_OK) {
		refuse_token(d, s);
		return false;
	}
	return true;
}

void lmigd_admit_finish(const struct lmigd_admit_policy *policy, int64_t now,
			struct lmigd_decision *d)
{
	int64_t expires;

	if (!find_profile(policy, d) || !check_profile(d, now))
		return;

	/* The earliest of token expiry, profile end and gateway limit. */
	expires = d->token.exp;
	if (d->profile.not_after && (int64_t)d->profile.not_after < expires)
		expires = d->profile.not_after;
	if (now + (int64_t)policy->max_admission < expires)
		expires = now + policy->max_admission;
	if (expires <= now) {
		/* Accepted within the clock skew, but nothing left to grant. */
		refuse_token(d, LMIG_TOKEN_EXPIRED);
		d->detail = "the token expired within the allowed clock skew";
		return;
	}
	d->verdict = LMIGD_ADMITTED;
	d->http_status = 200;
	d->reason = "admitted";
	d->client_reason = "admitted";
	d->message = "admitted";
	d->detail = "admitted";
	d->expires = expires;
}

void lmigd_admit_decide(const struct lmigd_admit_policy *policy,
			const char *token, size_t len, int64_t now,
			struct lmigd_decision *d)
{
	if (lmigd_admit_verify(policy, token, len, now, d))
		lmigd_admit_finish(policy, now, d);
}
