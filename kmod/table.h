/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The profile table of one network namespace. Its contents live in an
 * index (by user id, by partner ID and by each primary ID) that readers
 * reach under RCU alone; writers hold the table mutex and either change
 * the current index in place or swap in a whole new one.
 */
#ifndef _LMIG_TABLE_H
#define _LMIG_TABLE_H

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/rhashtable-types.h>
#include <linux/seqlock.h>
#include <linux/types.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

struct net;
struct netlink_ext_ack;
struct pernet_operations;
struct lmig_profile;

/* A set of profiles and the indexes that find them. */
struct lmig_index {
	struct xarray by_user;		/* user id -> profile */
	struct rhashtable by_partner;	/* partner ID -> &profile->partner */
	struct rhashtable by_primary;	/* primary ID -> &profile->primary[] */
	u32 count;			/* profiles */
	u32 suspended;			/* of which LMIG_STATE_SUSPENDED */
	u32 primary_ids;		/* their primary IDs together */
	u64 bytes;			/* their allocations */
	struct rcu_work free_work;	/* lmig_index_retire() */
};

struct lmig_table {
	struct mutex lock;		/* held by every writer */
	/* Odd while a writer changes what readers see; dumps check it. */
	seqcount_mutex_t seq;
	struct lmig_index __rcu *idx;
	struct list_head applies;	/* open transactions, struct lmig_apply */
	unsigned int n_applies;
	u32 staged;			/* profiles in open transactions */
	u64 staged_bytes;
	u64 epoch;			/* random, never 0, fixed for life */
	u64 generation;			/* bumped once per change, i.e. event */
	u32 next_user_id;		/* 0 once every id has been handed out */
};

extern struct pernet_operations lmig_table_net_ops;

int lmig_table_module_init(void);
void lmig_table_module_exit(void);

struct lmig_table *lmig_table_get(const struct net *net);
unsigned int lmig_table_max_profiles(void);

/* Readers: under rcu_read_lock() or the table lock. */
struct lmig_index *lmig_table_index(struct lmig_table *t);
struct lmig_profile *lmig_index_find_user(struct lmig_index *idx,
					  u32 user_id);
struct lmig_profile *lmig_index_find_partner(struct lmig_index *idx,
					     const char *str, u8 len);
struct lmig_profile *lmig_index_find_primary(struct lmig_index *idx,
					     const char *str, u8 len);
u64 lmig_index_bytes(struct lmig_index *idx);

/* Indexes that are not (yet, or any more) reachable by readers. */
struct lmig_index *lmig_index_alloc(void);
void lmig_index_destroy(struct lmig_index *idx);
void lmig_index_retire(struct lmig_index *idx);
int lmig_index_insert_ids(struct lmig_index *idx, struct lmig_profile *p,
			  int *clash);
void lmig_index_remove_ids(struct lmig_index *idx, struct lmig_profile *p);
void lmig_index_account(struct lmig_index *idx, const struct lmig_profile *p,
			int sign);

/* Writers: under the table lock. */
int lmig_table_add(struct lmig_table *t, struct lmig_profile *p);
int lmig_table_replace(struct lmig_table *t, struct lmig_profile *old,
		       struct lmig_profile *new);
void lmig_table_remove(struct lmig_table *t, struct lmig_profile *p);
struct lmig_index *lmig_table_swap(struct lmig_table *t,
				   struct lmig_index *idx);
int lmig_table_check_room(struct lmig_table *t, u32 profiles, u32 new_ids,
			  struct netlink_ext_ack *extack);

#endif /* _LMIG_TABLE_H */
