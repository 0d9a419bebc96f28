// SPDX-License-Identifier: GPL-2.0-only
/* Per-user admitted addresses: a hash of users, each a small array. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "user_addrs.h"

#define BUCKETS 4096 /* a power of two */

struct held {
	struct lmig_addr addr;
	uint64_t granted_ns;
};

struct user {
	uint32_t user_id;
	size_t n, cap;
	struct held *held;
	struct user *next;
};

struct lmigd_user_addrs {
	struct user *buckets[BUCKETS];
};

struct lmigd_user_addrs *lmigd_user_addrs_new(void)
{
	return calloc(1, sizeof(struct lmigd_user_addrs));
}

static void clear(struct lmigd_user_addrs *ua)
{
	for (size_t i = 0; i < BUCKETS; i++) {
		while (ua->buckets[i]) {
			struct user *u = ua->buckets[i];

			ua->buckets[i] = u->next;
			free(u->held);
			free(u);
		}
	}
}

void lmigd_user_addrs_free(struct lmigd_user_addrs *ua)
{
	if (!ua)
		return;
	clear(ua);
	free(ua);
}

static struct user **slot(struct lmigd_user_addrs *ua, uint32_t user_id)
{
	uint32_t h = user_id * 2654435761U;

	return &ua->buckets[(h >> 20) & (BUCKETS - 1)];
}

static struct user *find(struct lmigd_user_addrs *ua, uint32_t user_id)
{
	for (struct user *u = *slot(ua, user_id); u; u = u->next)
		if (u->user_id == user_id)
			return u;
	return NULL;
}

int lmigd_user_addrs_add(struct lmigd_user_addrs *ua, uint32_t user_id,
			 const struct lmig_addr *addr, uint64_t granted_ns)
{
	struct user *u = find(ua, user_id);

	if (!u) {
		u = calloc(1, sizeof(*u));
		if (!u)
			return -ENOMEM;
		u->user_id = user_id;
		u->next = *slot(ua, user_id);
		*slot(ua, user_id) = u;
	}
	for (size_t i = 0; i < u->n; i++) {
		if (!memcmp(&u->held[i].addr, addr, sizeof(*addr))) {
			u->held[i].granted_ns = granted_ns;
			return 0;
		}
	}
	if (u->n == u->cap) {
		size_t cap = u->cap ? 2 * u->cap : 4;
		struct held *h = realloc(u->held, cap * sizeof(*h));

		if (!h)
			return -ENOMEM;
		u->held = h;
		u->cap = cap;
	}
	u->held[u->n++] = (struct held){.addr = *addr,
					.granted_ns = granted_ns};
	return 0;
}

static int add_one(const struct lmig_addr *addr,
		   const struct lmig_admission *adm, void *ctx)
{
	return lmigd_user_addrs_add(ctx, adm->user_id, addr, adm->granted_ns);
}

int lmigd_user_addrs_rebuild(struct lmigd_user_addrs *ua, struct lmig_fp *fp)
{
	clear(ua);
	return lmig_fp_admission_foreach(fp, add_one, ua, NULL, 0);
}

size_t lmigd_user_addrs_live(struct lmigd_user_addrs *ua, struct lmig_fp *fp,
			     uint32_t user_id, const struct lmig_addr *except,
			     struct lmig_addr *oldest)
{
	struct user *u = find(ua, user_id);
	uint64_t first = UINT64_MAX;
	size_t kept = 0;

	if (!u)
		return 0;
	for (size_t i = 0; i < u->n; i++) {
		struct lmig_admission adm;

		/* Gone, or now another user's: not this user's any more. */
		if (lmig_fp_admission_get(fp, &u->held[i].addr, &adm, NULL,
					  0) ||
		    adm.user_id != user_id)
			continue;
		u->held[kept++] = u->held[i];
		if (!memcmp(&u->held[i].addr, except, sizeof(*except)))
			continue;
		if (adm.granted_ns < first) {
			first = adm.granted_ns;
			*oldest = u->held[i].addr;
		}
	}
	u->n = kept;
	for (size_t i = 0; i < u->n; i++)
		if (!memcmp(&u->held[i].addr, except, sizeof(*except)))
			return kept - 1;
	return kept;
}
