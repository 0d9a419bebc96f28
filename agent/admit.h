/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The admission decision (DESIGN.md, "Admit"): a verified token, the
 * partner's own profile for the user, and the gateway's limit decide,
 * offline, whether a client is admitted, for which services and until
 * when. Pure: the profile comes through a look-up callback, nothing is
 * written; the caller installs the admission.
 */
#ifndef LMIG_AGENT_ADMIT_H
#define LMIG_AGENT_ADMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel.h"
#include "token.h"
#include "token_cache.h"

enum lmigd_verdict {
	LMIGD_ADMITTED,
	LMIGD_REFUSED_TOKEN,	     /* see token_status */
	LMIGD_REFUSED_NO_PROFILE,    /* no profile for the MC ID(s) */
	LMIGD_REFUSED_ID_MISMATCH,   /* MC IDs belong to different users */
	LMIGD_REFUSED_SUSPENDED,     /* profile suspended */
	LMIGD_REFUSED_NOT_YET_VALID, /* profile window not begun */
	LMIGD_REFUSED_PROFILE_ENDED, /* profile window over */
	LMIGD_REFUSED_NO_SERVICE,    /* scope and profile share no service */
	LMIGD_POLICY_UNAVAILABLE,    /* the kernel could not be asked */
};

struct lmigd_decision {
	enum lmigd_verdict verdict;
	enum lmig_token_status token_status;
	int http_status;	      /* 200, 401, 403, 500 or 503 */
	const char *error;	      /* RFC 6750 error code, NULL on 200 */
	const char *reason;	      /* stable, precise: for the log */
	const char *client_reason;    /* stable, for the client */
	const char *message;	      /* for the client, reveals nothing */
	const char *detail;	      /* for the log */
	struct lmig_token token;      /* valid unless REFUSED_TOKEN */
	struct lmigd_profile profile; /* valid from REFUSED_SUSPENDED on */
	uint32_t services;	      /* granted, when admitted */
	int64_t expires;	      /* Unix seconds, when admitted */
};

/* Look up the profile answering for a primary MC ID: 0, -ENOENT, -errno. */
typedef int (*lmigd_lookup_fn)(void *arg, const char *primary_id,
			       struct lmigd_profile *out);

struct lmigd_admit_policy {
	const struct lmig_verifier *verifier;
	lmigd_lookup_fn lookup;
	void *lookup_arg;
	unsigned int max_admission;	 /* seconds */
	struct lmigd_token_cache *cache; /* NULL: verify every time */
};

void lmigd_admit_decide(const struct lmigd_admit_policy *policy,
			const char *token, size_t len, int64_t now,
			struct lmigd_decision *d);

/*
 * lmigd_admit_decide() in two steps, for threads: the token's check alone
 * (needs verifier and cache only; no look-up), true when the token is
 * good, else d is the refusal; then, for a good token, the profile's part
 * (calls lookup).
 */
bool lmigd_admit_verify(const struct lmigd_admit_policy *policy,
			const char *token, size_t len, int64_t now,
			struct lmigd_decision *d);
void lmigd_admit_finish(const struct lmigd_admit_policy *policy, int64_t now,
			struct lmigd_decision *d);

#endif /* LMIG_AGENT_ADMIT_H */
