/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One limited-migration profile: its memory layout, how it is built from a
 * draft, compared and written into a netlink message.
 */
#ifndef _LMIG_PROFILE_H
#define _LMIG_PROFILE_H

#include <linux/atomic.h>
#include <linux/rcupdate.h>
#include <linux/rhashtable-types.h>
#include <linux/types.h>
#include <net/netlink.h>
#include <linux/lmig.h>

struct lmig_profile;

/* One partner or primary ID, an entry of one of the table's ID indexes. */
struct lmig_id {
	struct rhash_head node;
	struct lmig_profile *profile;	/* the profile answering to the ID */
	const char *str;		/* NUL-terminated, inside the profile */
	u8 len;				/* bytes, not counting the NUL */
};

/*
 * A profile never changes once it is in the table: a change replaces it
 * with a new copy, so a reader holding a pointer sees one consistent
 * version. It is freed after an RCU grace period.
 */
struct lmig_profile {
	struct rcu_head rcu;
	u64 generation;
	u64 not_before;
	u64 not_after;
	u32 user_id;
	u32 services;
	u32 state;
	u8 comment_len;
	u8 n_primary;
	u16 size;			/* of the allocation, as slab sized it */
	const char *comment;		/* "" when there is none */
	struct lmig_id partner;
	struct lmig_id primary[];	/* n_primary, then the strings */
};

/* A string borrowed from a netlink attribute or an existing profile. */
struct lmig_str {
	const char *str;
	u8 len;
};

/* The fields of a profile about to be created, before it exists. */
struct lmig_draft {
	struct lmig_str partner;
	struct lmig_str primary[LMIG_PRIMARY_IDS_MAX];
	unsigned int n_primary;
	struct lmig_str comment;
	u64 not_before;
	u64 not_after;
	u32 services;
	u32 state;
};

/* The memory a profile occupies. */
static inline size_t lmig_profile_size(const struct lmig_profile *p)
{
	return p->size;
}

/* Profiles allocated and not yet freed, in every namespace. */
extern atomic_t lmig_profiles_live;

void lmig_draft_from_profile(struct lmig_draft *d,
			     const struct lmig_profile *p);
bool lmig_draft_matches(const struct lmig_draft *d,
			const struct lmig_profile *p);

struct lmig_profile *lmig_profile_alloc(const struct lmig_draft *d);
void lmig_profile_free(struct lmig_profile *p);
void lmig_profile_destroy(struct lmig_profile *p);
bool lmig_profile_same(const struct lmig_profile *a,
		       const struct lmig_profile *b);

size_t lmig_profile_nest_size(const struct lmig_profile *p);
int lmig_profile_fill(struct sk_buff *skb, int attrtype,
		      const struct lmig_profile *p);

/* The largest nest lmig_profile_fill() can write. */
#define LMIG_PROFILE_NEST_MAX						\
	(nla_total_size(0) + 2 * nla_total_size(sizeof(u32)) +		\
	 nla_total_size(sizeof(u32)) +					\
	 (1 + LMIG_PRIMARY_IDS_MAX) * nla_total_size(LMIG_ID_MAX_LEN + 1) + \
	 nla_total_size(LMIG_COMMENT_MAX_LEN + 1) +			\
	 3 * nla_total_size_64bit(sizeof(u64)))

#endif /* _LMIG_PROFILE_H */
