/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Apply transactions: a batch of profiles staged over any number of
 * messages from one socket, then made the whole table in one step.
 */
#ifndef _LMIG_APPLY_H
#define _LMIG_APPLY_H

#include <linux/types.h>

struct lmig_apply;
struct lmig_attrs;
struct lmig_index;
struct lmig_profile;
struct lmig_table;
struct net;
struct netlink_ext_ack;

/* The most transactions one namespace may have open at once. */
#define LMIG_APPLIES_MAX	4

/* What a commit or a flush did to the table. */
struct lmig_summary {
	u32 created;
	u32 changed;
	u32 deleted;
	u32 unchanged;
	u64 generation;		/* of the table afterwards */
};

/* Under the table lock. */
int lmig_apply_begin(struct lmig_table *t, u32 portid,
		     struct netlink_ext_ack *extack);
struct lmig_apply *lmig_apply_find(struct lmig_table *t, u32 portid,
				   struct netlink_ext_ack *extack);
u32 lmig_apply_count(const struct lmig_apply *a);
int lmig_apply_stage(struct lmig_table *t, struct lmig_apply *a,
		     struct lmig_profile *p, const struct lmig_attrs *attrs,
		     struct netlink_ext_ack *extack);
void lmig_apply_unstage(struct lmig_table *t, struct lmig_apply *a,
			u32 count);
int lmig_apply_commit(struct lmig_table *t, struct lmig_apply *a,
		      struct net *net, struct lmig_summary *sum,
		      struct netlink_ext_ack *extack);
void lmig_apply_detach(struct lmig_table *t, struct lmig_apply *a);

/* Without the lock: @a is detached, or its table gone. */
void lmig_apply_free(struct lmig_apply *a);

void lmig_apply_release(struct net *net, u32 portid);
void lmig_apply_destroy_all(struct lmig_table *t);

#endif /* _LMIG_APPLY_H */
