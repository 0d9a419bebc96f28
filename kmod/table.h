/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The profile table of one network namespace and its indexes: by user id,
 * by partner ID and by each primary ID.
 */
#ifndef _LMIG_TABLE_H
#define _LMIG_TABLE_H

#include <linux/mutex.h>
#include <linux/rhashtable-types.h>
#include <linux/types.h>
#include <linux/xarray.h>

struct net;
struct pernet_operations;
struct lmig_profile;

struct lmig_table {
	struct mutex lock;		/* held by every writer and every dump */
	struct xarray by_user;		/* user id -> profile */
	struct rhashtable by_partner;	/* partner ID -> &profile->partner */
	struct rhashtable by_primary;	/* primary ID -> &profile->primary[] */
	u64 epoch;			/* random, never 0, fixed for life */
	u64 generation;			/* bumped once per change, i.e. event */
	u32 next_user_id;		/* 0 once every id has been handed out */
	u32 count;
};

extern struct pernet_operations lmig_table_net_ops;

struct lmig_table *lmig_table_get(const struct net *net);
unsigned int lmig_table_max_profiles(void);

struct lmig_profile *lmig_table_find_user(struct lmig_table *t, u32 user_id);
struct lmig_profile *lmig_table_find_partner(struct lmig_table *t,
					     const char *str, u8 len);
struct lmig_profile *lmig_table_find_primary(struct lmig_table *t,
					     const char *str, u8 len);

int lmig_table_add(struct lmig_table *t, struct lmig_profile *p);
int lmig_table_replace(struct lmig_table *t, struct lmig_profile *old,
		       struct lmig_profile *new);
void lmig_table_remove(struct lmig_table *t, struct lmig_profile *p);

#endif /* _LMIG_TABLE_H */
