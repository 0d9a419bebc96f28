// SPDX-License-Identifier: GPL-2.0-only
/*
 * Apply transactions. A transaction belongs to one netlink socket (its
 * port id) in one namespace and stages a batch of profiles in an index of
 * its own, which readers never see: so the batch can be checked for
 * duplicate IDs as it grows, across as many messages as it needs, while
 * the table stays as it is. Commit compares the batch with the table by
 * partner ID, carries user ids and generations over, builds the user id
 * index and swaps the whole index in at once; the old one is freed after
 * a grace period. The socket going away discards its transaction.
 */

#include <linux/list.h>
#include <linux/lockdep.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/xarray.h>
#include <net/netlink.h>

#include "apply.h"
#include "attrs.h"
#include "netlink.h"
#include "profile.h"
#include "table.h"

struct lmig_apply {
	struct list_head node;		/* in lmig_table.applies */
	u32 portid;			/* of the socket it belongs to */
	u32 count;			/* profiles staged */
	u64 bytes;			/* their memory, as the index counts it */
	struct lmig_index *idx;		/* staged, by partner and primary ID */
	struct xarray order;		/* batch position -> staged profile */
};

/* Long loops under the table lock let others run now and then. */
#define LMIG_APPLY_RESCHED	256

static struct lmig_apply *lmig_apply_lookup(struct lmig_table *t, u32 portid)
{
	struct lmig_apply *a;

	lockdep_assert_held(&t->lock);
	list_for_each_entry(a, &t->applies, node)
		if (a->portid == portid)
			return a;
	return NULL;
}

int lmig_apply_begin(struct lmig_table *t, u32 portid,
		     struct netlink_ext_ack *extack)
{
	struct lmig_apply *a;

	lockdep_assert_held(&t->lock);
	if (lmig_apply_lookup(t, portid)) {
		NL_SET_ERR_MSG_MOD(extack,
				   "this socket has an apply transaction open already");
		return -EBUSY;
	}
	if (t->n_applies >= LMIG_APPLIES_MAX) {
		NL_SET_ERR_MSG_MOD(extack,
				   "too many apply transactions open in this namespace");
		return -EBUSY;
	}

	a = kzalloc(sizeof(*a), GFP_KERNEL_ACCOUNT);
	if (!a)
		return -ENOMEM;
	a->idx = lmig_index_alloc();
	if (!a->idx) {
		kfree(a);
		return -ENOMEM;
	}
	a->portid = portid;
	xa_init_flags(&a->order, XA_FLAGS_ACCOUNT);
	list_add_tail(&a->node, &t->applies);
	WRITE_ONCE(t->n_applies, t->n_applies + 1);
	return 0;
}

struct lmig_apply *lmig_apply_find(struct lmig_table *t, u32 portid,
				   struct netlink_ext_ack *extack)
{
	struct lmig_apply *a = lmig_apply_lookup(t, portid);

	if (!a)
		NL_SET_ERR_MSG_MOD(extack,
				   "no apply transaction open on this socket");
	return a;
}

u32 lmig_apply_count(const struct lmig_apply *a)
{
	return a->count;
}

/*
 * Add @p, built from @attrs, to the batch. On success the transaction
 * owns it; on failure the caller still does.
 */
int lmig_apply_stage(struct lmig_table *t, struct lmig_apply *a,
		     struct lmig_profile *p, const struct lmig_attrs *attrs,
		     struct netlink_ext_ack *extack)
{
	int clash, ret;

	lockdep_assert_held(&t->lock);
	if (a->count >= lmig_table_max_profiles()) {
		NL_SET_ERR_MSG_ATTR(extack, attrs->nest,
				    "batch is larger than the profile limit");
		return -ENOSPC;
	}
	/* Inserting is what finds an ID that another profile holds. */
	ret = lmig_index_insert_ids(a->idx, p, &clash);
	if (ret == -EEXIST && clash < 0)
		NL_SET_ERR_MSG_ATTR(extack, attrs->tb[LMIG_PROFILE_A_PARTNER_ID],
				    "partner ID already in the batch");
	else if (ret == -EEXIST)
		NL_SET_ERR_MSG_ATTR(extack, attrs->primary[clash],
				    "primary ID already in the batch");
	if (ret)
		return ret;
	ret = xa_insert(&a->order, a->count, p, GFP_KERNEL_ACCOUNT);
	if (ret) {
		lmig_index_remove_ids(a->idx, p);
		return ret;
	}
	lmig_index_account(a->idx, p, 1);
	a->bytes += lmig_profile_size(p);
	a->count++;
	t->staged++;
	t->staged_bytes += lmig_profile_size(p);
	return 0;
}

/* Drop the profiles staged after the first @count, newest first. */
void lmig_apply_unstage(struct lmig_table *t, struct lmig_apply *a,
			u32 count)
{
	struct lmig_profile *p;

	lockdep_assert_held(&t->lock);
	while (a->count > count) {
		a->count--;
		p = xa_erase(&a->order, a->count);
		lmig_index_remove_ids(a->idx, p);
		lmig_index_account(a->idx, p, -1);
		a->bytes -= lmig_profile_size(p);
		t->staged--;
		t->staged_bytes -= lmig_profile_size(p);
		lmig_profile_destroy(p);	/* no reader ever saw it */
	}
}

/* Take @a out of its table, which no longer counts what it stages. */
void lmig_apply_detach(struct lmig_table *t, struct lmig_apply *a)
{
	lockdep_assert_held(&t->lock);
	list_del(&a->node);
	WRITE_ONCE(t->n_applies, t->n_applies - 1);
	t->staged -= a->count;
	t->staged_bytes -= a->bytes;
}

/* Free a detached transaction and whatever it still stages. */
void lmig_apply_free(struct lmig_apply *a)
{
	xa_destroy(&a->order);
	lmig_index_destroy(a->idx);
	kfree(a);
}

/*
 * Match the batch against the table @old by partner ID: a staged profile
 * takes the user id of its match, and its generation too when nothing
 * differs, else the next one. New ones get user id 0 for now.
 */
static void lmig_apply_match(struct lmig_apply *a, struct lmig_index *old,
			     struct lmig_summary *sum)
{
	struct lmig_profile *p, *o;
	unsigned long pos;

	xa_for_each(&a->order, pos, p) {
		o = lmig_index_find_partner(old, p->partner.str,
					    p->partner.len);
		if (!o) {
			p->user_id = 0;
			p->generation = 1;
			sum->created++;
		} else if (lmig_profile_same(p, o)) {
			p->user_id = o->user_id;
			p->generation = o->generation;
			sum->unchanged++;
		} else {
			p->user_id = o->user_id;
			p->generation = o->generation + 1;
			sum->changed++;
		}
		if (!(pos % LMIG_APPLY_RESCHED))
			cond_resched();
	}
	sum->deleted = old->count - sum->unchanged - sum->changed;
}

/*
 * Give the created profiles their user ids, from @next on in batch order,
 * and index the whole batch by user id. On failure the batch's user id
 * index is empty again.
 */
static int lmig_apply_index_users(struct lmig_apply *a, u32 next)
{
	struct lmig_profile *p;
	unsigned long pos;
	int ret;

	xa_for_each(&a->order, pos, p) {
		if (!p->user_id)
			p->user_id = next++;
		ret = xa_insert(&a->idx->by_user, p->user_id, p,
				GFP_KERNEL_ACCOUNT);
		if (ret) {
			xa_destroy(&a->idx->by_user);
			return ret;
		}
		if (!(pos % LMIG_APPLY_RESCHED))
			cond_resched();
	}
	return 0;
}

/* One event per profile the commit touched, each its own generation. */
static void lmig_apply_announce(struct lmig_table *t, struct net *net,
				struct lmig_index *old, struct lmig_index *new,
				struct lmig_apply *a,
				const struct lmig_summary *sum)
{
	struct lmig_profile *p, *o;
	unsigned long pos, n = 0;

	if (!lmig_nl_has_listeners(net)) {
		t->generation += sum->deleted + sum->changed + sum->created;
		return;
	}
	xa_for_each(&old->by_user, pos, o) {
		if (!lmig_index_find_partner(new, o->partner.str,
					     o->partner.len)) {
			t->generation++;
			lmig_nl_notify(net, t, LMIG_CMD_PROFILE_DEL_NTF, o, NULL);
		}
		if (!(++n % LMIG_APPLY_RESCHED))
			cond_resched();
	}
	xa_for_each(&a->order, pos, p) {
		o = lmig_index_find_partner(old, p->partner.str,
					    p->partner.len);
		if (!o) {
			t->generation++;
			lmig_nl_notify(net, t, LMIG_CMD_PROFILE_NEW_NTF, p, NULL);
		} else if (p->generation != o->generation) {
			t->generation++;
			lmig_nl_notify(net, t, LMIG_CMD_PROFILE_CHANGE_NTF, p, o);
		}
		if (!(pos % LMIG_APPLY_RESCHED))
			cond_resched();
	}
}

/*
 * Make the batch of @a the table. On success @a is gone, and so is the
 * index it replaced (the table's old one, or the batch's own when it
 * changed nothing) once readers are done with it. On failure the table
 * and @a are as they were.
 */
int lmig_apply_commit(struct lmig_table *t, struct lmig_apply *a,
		      struct net *net, struct lmig_summary *sum,
		      struct netlink_ext_ack *extack)
{
	struct lmig_index *old = lmig_table_index(t);
	struct lmig_index *retired;
	int ret;

	lockdep_assert_held(&t->lock);
	memset(sum, 0, sizeof(*sum));
	lmig_apply_match(a, old, sum);

	if (!sum->created && !sum->changed && !sum->deleted) {
		/* The table holds the batch already: keep it as it is. */
		retired = a->idx;
		goto done;
	}

	ret = lmig_table_check_room(t, a->count, sum->created, extack);
	if (ret)
		return ret;
	ret = lmig_apply_index_users(a, t->next_user_id);
	if (ret)
		return ret;

	retired = lmig_table_swap(t, a->idx);
	/* Wraps to 0 when the last id went: never handed out twice. */
	t->next_user_id += sum->created;
	lmig_apply_announce(t, net, old, a->idx, a, sum);

done:
	sum->generation = t->generation;
	lmig_apply_detach(t, a);
	a->idx = NULL;
	lmig_apply_free(a);
	lmig_index_retire(retired);
	return 0;
}

/* The socket @portid of @net is closing: discard its transaction. */
void lmig_apply_release(struct net *net, u32 portid)
{
	struct lmig_table *t = lmig_table_get(net);
	struct lmig_apply *a;

	if (!READ_ONCE(t->n_applies))
		return;
	mutex_lock(&t->lock);
	a = lmig_apply_lookup(t, portid);
	if (a)
		lmig_apply_detach(t, a);
	mutex_unlock(&t->lock);
	if (a)
		lmig_apply_free(a);
}

/* The namespace is going away with its table. */
void lmig_apply_destroy_all(struct lmig_table *t)
{
	struct lmig_apply *a, *tmp;

	list_for_each_entry_safe(a, tmp, &t->applies, node) {
		list_del(&a->node);
		lmig_apply_free(a);
	}
	t->n_applies = 0;
	t->staged = 0;
	t->staged_bytes = 0;
}
