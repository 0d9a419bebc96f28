// SPDX-License-Identifier: GPL-2.0-only
/*
 * Per network namespace profile table. Writers hold the table mutex and
 * change the current index in place (one profile) or swap in another
 * index (apply, flush); readers find profiles under RCU alone. Profiles
 * never change once indexed, so a reader always sees one whole version
 * of a profile. Every change either completes or leaves the table
 * exactly as it was.
 */

#include <linux/jhash.h>
#include <linux/lockdep.h>
#include <linux/moduleparam.h>
#include <linux/random.h>
#include <linux/rhashtable.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#include <net/net_namespace.h>
#include <net/netlink.h>
#include <net/netns/generic.h>

#include "apply.h"
#include "profile.h"
#include "table.h"

static unsigned int max_profiles = 1000000;
module_param(max_profiles, uint, 0644);
MODULE_PARM_DESC(max_profiles,
		 "Most profiles one network namespace may hold (default 1000000)");

static unsigned int lmig_net_id __read_mostly;

/* Frees indexes once readers are done with them; drained at unload. */
static struct workqueue_struct *lmig_wq;

/* What an ID index is searched with: a string that need not be in a profile. */
struct lmig_id_key {
	const char *str;
	u8 len;
};

static u32 lmig_id_key_hash(const void *data, u32 len, u32 seed)
{
	const struct lmig_id_key *key = data;

	return jhash(key->str, key->len, seed);
}

static u32 lmig_id_obj_hash(const void *data, u32 len, u32 seed)
{
	const struct lmig_id *id = data;

	return jhash(id->str, id->len, seed);
}

static int lmig_id_cmp(struct rhashtable_compare_arg *arg, const void *obj)
{
	const struct lmig_id_key *key = arg->key;
	const struct lmig_id *id = obj;

	return key->len != id->len || memcmp(key->str, id->str, id->len);
}

static const struct rhashtable_params lmig_id_params = {
	.head_offset		= offsetof(struct lmig_id, node),
	.hashfn			= lmig_id_key_hash,
	.obj_hashfn		= lmig_id_obj_hash,
	.obj_cmpfn		= lmig_id_cmp,
	.automatic_shrinking	= true,
};

static struct lmig_id *lmig_id_find(struct rhashtable *ht, const char *str,
				    u8 len)
{
	struct lmig_id_key key = { .str = str, .len = len };

	return rhashtable_lookup_fast(ht, &key, lmig_id_params);
}

static int lmig_id_insert(struct rhashtable *ht, struct lmig_id *id)
{
	struct lmig_id_key key = { .str = id->str, .len = id->len };

	return rhashtable_lookup_insert_key(ht, &key, &id->node,
					    lmig_id_params);
}

static void lmig_id_remove(struct rhashtable *ht, struct lmig_id *id)
{
	WARN_ON_ONCE(rhashtable_remove_fast(ht, &id->node, lmig_id_params));
}

/* Is @id itself, not merely an equal string, in @ht? */
static bool lmig_id_indexed(struct rhashtable *ht, struct lmig_id *id)
{
	return lmig_id_find(ht, id->str, id->len) == id;
}

static bool lmig_id_equal(const struct lmig_id *a, const struct lmig_id *b)
{
	return a->len == b->len && !memcmp(a->str, b->str, a->len);
}

struct lmig_table *lmig_table_get(const struct net *net)
{
	return net_generic(net, lmig_net_id);
}

unsigned int lmig_table_max_profiles(void)
{
	return READ_ONCE(max_profiles);
}

/* The current index, for a reader in an RCU read-side section or a writer. */
struct lmig_index *lmig_table_index(struct lmig_table *t)
{
	return rcu_dereference_check(t->idx, lockdep_is_held(&t->lock));
}

static struct lmig_index *lmig_table_locked(struct lmig_table *t)
{
	return rcu_dereference_protected(t->idx, lockdep_is_held(&t->lock));
}

struct lmig_profile *lmig_index_find_user(struct lmig_index *idx, u32 user_id)
{
	return xa_load(&idx->by_user, user_id);
}

struct lmig_profile *lmig_index_find_partner(struct lmig_index *idx,
					     const char *str, u8 len)
{
	struct lmig_id *id = lmig_id_find(&idx->by_partner, str, len);

	return id ? id->profile : NULL;
}

struct lmig_profile *lmig_index_find_primary(struct lmig_index *idx,
					     const char *str, u8 len)
{
	struct lmig_id *id = lmig_id_find(&idx->by_primary, str, len);

	return id ? id->profile : NULL;
}

static size_t lmig_ht_bytes(struct rhashtable *ht)
{
	const struct bucket_table *tbl;
	size_t bytes;

	rcu_read_lock();
	tbl = rht_dereference_rcu(ht->tbl, ht);
	bytes = sizeof(*tbl) + (size_t)tbl->size * sizeof(tbl->buckets[0]);
	rcu_read_unlock();
	return bytes;
}

/* The profiles of @idx and the buckets of its hash tables, in bytes. */
u64 lmig_index_bytes(struct lmig_index *idx)
{
	return idx->bytes + lmig_ht_bytes(&idx->by_partner) +
	       lmig_ht_bytes(&idx->by_primary);
}

/* An empty index, charged to the caller's memory cgroup where it can be. */
struct lmig_index *lmig_index_alloc(void)
{
	struct lmig_index *idx;

	idx = kzalloc(sizeof(*idx), GFP_KERNEL_ACCOUNT);
	if (!idx)
		return NULL;
	if (rhashtable_init(&idx->by_partner, &lmig_id_params))
		goto err_free;
	if (rhashtable_init(&idx->by_primary, &lmig_id_params))
		goto err_partner;
	xa_init_flags(&idx->by_user, XA_FLAGS_ACCOUNT);
	return idx;

err_partner:
	rhashtable_destroy(&idx->by_partner);
err_free:
	kfree(idx);
	return NULL;
}

/* Every profile of an index has exactly one partner ID entry in it. */
static void lmig_index_free_profile(void *ptr, void *arg)
{
	struct lmig_id *partner = ptr;

	lmig_profile_destroy(partner->profile);
}

/*
 * Free @idx and every profile in it at once. No reader may reach it: it
 * never was the table's, or a grace period has passed since it stopped
 * being so, or the namespace is gone.
 */
void lmig_index_destroy(struct lmig_index *idx)
{
	if (!idx)
		return;
	xa_destroy(&idx->by_user);
	rhashtable_destroy(&idx->by_primary);
	rhashtable_free_and_destroy(&idx->by_partner, lmig_index_free_profile,
				    NULL);
	kfree(idx);
}

static void lmig_index_free_work(struct work_struct *work)
{
	lmig_index_destroy(container_of(to_rcu_work(work), struct lmig_index,
					free_work));
}

/*
 * Free @idx, which readers may have been using until now, once every
 * reader is done with it: after a grace period, without waiting for it.
 */
void lmig_index_retire(struct lmig_index *idx)
{
	INIT_RCU_WORK(&idx->free_work, lmig_index_free_work);
	queue_rcu_work(lmig_wq, &idx->free_work);
}

/*
 * Index the partner ID and the primary IDs of @p in @idx. -EEXIST if one
 * is there already: *@clash (when not NULL) then says which, -1 for the
 * partner ID, else the index of the primary ID. On any error @idx is as
 * it was.
 */
int lmig_index_insert_ids(struct lmig_index *idx, struct lmig_profile *p,
			  int *clash)
{
	unsigned int i;
	int ret;

	if (clash)
		*clash = -1;
	ret = lmig_id_insert(&idx->by_partner, &p->partner);
	if (ret)
		return ret;
	for (i = 0; i < p->n_primary; i++) {
		ret = lmig_id_insert(&idx->by_primary, &p->primary[i]);
		if (ret) {
			if (clash)
				*clash = i;
			goto err_primary;
		}
	}
	return 0;

err_primary:
	while (i--)
		lmig_id_remove(&idx->by_primary, &p->primary[i]);
	lmig_id_remove(&idx->by_partner, &p->partner);
	return ret;
}

void lmig_index_remove_ids(struct lmig_index *idx, struct lmig_profile *p)
{
	unsigned int i;

	for (i = 0; i < p->n_primary; i++)
		lmig_id_remove(&idx->by_primary, &p->primary[i]);
	lmig_id_remove(&idx->by_partner, &p->partner);
}

/* Count @p in (@sign 1) or out of (@sign -1) the totals of @idx. */
void lmig_index_account(struct lmig_index *idx, const struct lmig_profile *p,
			int sign)
{
	idx->count += sign;
	idx->primary_ids += sign * p->n_primary;
	if (p->state == LMIG_STATE_SUSPENDED)
		idx->suspended += sign;
	idx->bytes += sign * (s64)lmig_profile_size(p);
}

/* User ids not handed out yet in this namespace. */
static u64 lmig_table_ids_left(const struct lmig_table *t)
{
	return t->next_user_id ? (u64)U32_MAX - t->next_user_id + 1 : 0;
}

/*
 * May the table hold @profiles profiles, @new_ids of them with new user
 * ids? -ENOSPC, with a message, if not.
 */
int lmig_table_check_room(struct lmig_table *t, u32 profiles, u32 new_ids,
			  struct netlink_ext_ack *extack)
{
	lockdep_assert_held(&t->lock);
	if (profiles > lmig_table_max_profiles()) {
		NL_SET_ERR_MSG_MOD(extack, "profile table is full");
		return -ENOSPC;
	}
	if (new_ids > lmig_table_ids_left(t)) {
		NL_SET_ERR_MSG_MOD(extack, "no user id left in this namespace");
		return -ENOSPC;
	}
	return 0;
}

/*
 * Put @p in the table under the next user id, as generation 1. The caller
 * has made sure there is room and no other profile holds its IDs; -EEXIST
 * and -ENOSPC still guard it.
 */
int lmig_table_add(struct lmig_table *t, struct lmig_profile *p)
{
	struct lmig_index *idx = lmig_table_locked(t);
	int ret;

	if (lmig_table_check_room(t, idx->count + 1, 1, NULL))
		return -ENOSPC;

	p->user_id = t->next_user_id;
	p->generation = 1;
	if (xa_load(&idx->by_user, p->user_id))
		return -EEXIST;
	/*
	 * Allocate the slot now: the write section below runs with
	 * preemption off (readers spin on it), where nothing may sleep.
	 */
	ret = xa_reserve(&idx->by_user, p->user_id, GFP_KERNEL_ACCOUNT);
	if (ret)
		return ret;
	write_seqcount_begin(&t->seq);
	/* Into the reserved slot: allocates nothing, cannot fail. */
	xa_store(&idx->by_user, p->user_id, p, GFP_ATOMIC);
	ret = lmig_index_insert_ids(idx, p, NULL);
	if (ret) {
		xa_erase(&idx->by_user, p->user_id);
		goto out;
	}
	lmig_index_account(idx, p, 1);
	t->next_user_id++;	/* wraps to 0: no id is ever handed out twice */
	t->generation++;
out:
	write_seqcount_end(&t->seq);
	return ret;
}

/*
 * Replace @old by @new, which keeps the user id and may carry another
 * partner ID; its generation becomes the next one. IDs only @new holds are
 * inserted first, the one step that can fail, so a failure leaves the
 * table untouched; then shared IDs are switched over and @old's others
 * removed. The caller has checked that no third profile holds an ID of
 * @new, and frees @old.
 */
int lmig_table_replace(struct lmig_table *t, struct lmig_profile *old,
		       struct lmig_profile *new)
{
	struct lmig_index *idx = lmig_table_locked(t);
	bool same_partner = lmig_id_equal(&old->partner, &new->partner);
	struct lmig_id *id;
	unsigned int i;
	int ret = 0;

	new->user_id = old->user_id;
	new->generation = old->generation + 1;
	write_seqcount_begin(&t->seq);

	if (!same_partner) {
		ret = lmig_id_insert(&idx->by_partner, &new->partner);
		if (ret)
			goto out;
	}
	for (i = 0; i < new->n_primary; i++) {
		id = lmig_id_find(&idx->by_primary, new->primary[i].str,
				  new->primary[i].len);
		if (id && id->profile == old)
			continue;
		ret = lmig_id_insert(&idx->by_primary, &new->primary[i]);
		if (ret)
			goto err_primary;
	}

	for (i = 0; i < new->n_primary; i++) {
		id = lmig_id_find(&idx->by_primary, new->primary[i].str,
				  new->primary[i].len);
		if (id && id != &new->primary[i])
			WARN_ON_ONCE(rhashtable_replace_fast(&idx->by_primary,
							     &id->node,
							     &new->primary[i].node,
							     lmig_id_params));
	}
	for (i = 0; i < old->n_primary; i++)
		if (lmig_id_indexed(&idx->by_primary, &old->primary[i]))
			lmig_id_remove(&idx->by_primary, &old->primary[i]);
	if (same_partner)
		WARN_ON_ONCE(rhashtable_replace_fast(&idx->by_partner,
						     &old->partner.node,
						     &new->partner.node,
						     lmig_id_params));
	else
		lmig_id_remove(&idx->by_partner, &old->partner);
	/* Overwriting a present entry allocates nothing and cannot fail. */
	/* Over an entry present: allocates nothing, so may not sleep. */
	WARN_ON_ONCE(xa_is_err(xa_store(&idx->by_user, new->user_id, new,
					GFP_ATOMIC)));
	lmig_index_account(idx, old, -1);
	lmig_index_account(idx, new, 1);
	t->generation++;
	goto out;

err_primary:
	while (i--)
		if (lmig_id_indexed(&idx->by_primary, &new->primary[i]))
			lmig_id_remove(&idx->by_primary, &new->primary[i]);
	if (!same_partner)
		lmig_id_remove(&idx->by_partner, &new->partner);
out:
	write_seqcount_end(&t->seq);
	return ret;
}

/* Take @p out of the table; the caller frees it. */
void lmig_table_remove(struct lmig_table *t, struct lmig_profile *p)
{
	struct lmig_index *idx = lmig_table_locked(t);

	write_seqcount_begin(&t->seq);
	lmig_index_remove_ids(idx, p);
	xa_erase(&idx->by_user, p->user_id);
	lmig_index_account(idx, p, -1);
	t->generation++;
	write_seqcount_end(&t->seq);
}

/*
 * Make @idx the table's contents in one step and return the index it
 * replaces, which readers may still be using: the caller frees it after
 * a grace period. The caller accounts for the generation.
 */
struct lmig_index *lmig_table_swap(struct lmig_table *t,
				   struct lmig_index *idx)
{
	struct lmig_index *old = lmig_table_locked(t);

	write_seqcount_begin(&t->seq);
	rcu_assign_pointer(t->idx, idx);
	write_seqcount_end(&t->seq);
	return old;
}

static int __net_init lmig_table_net_init(struct net *net)
{
	struct lmig_table *t = lmig_table_get(net);
	struct lmig_index *idx;

	idx = lmig_index_alloc();
	if (!idx)
		return -ENOMEM;
	mutex_init(&t->lock);
	seqcount_mutex_init(&t->seq, &t->lock);
	RCU_INIT_POINTER(t->idx, idx);
	INIT_LIST_HEAD(&t->applies);
	t->n_applies = 0;
	t->staged = 0;
	t->staged_bytes = 0;
	/* 0 stays free to mean "no epoch known" to consumers. */
	do {
		t->epoch = get_random_u64();
	} while (!t->epoch);
	t->generation = 0;
	t->next_user_id = 1;
	return 0;
}

/*
 * The namespace is going away: no socket is left in it, so no request can
 * reach the table and no reader can hold one of its profiles.
 */
static void __net_exit lmig_table_net_exit(struct net *net)
{
	struct lmig_table *t = lmig_table_get(net);

	lmig_apply_destroy_all(t);
	lmig_index_destroy(rcu_dereference_protected(t->idx, true));
	RCU_INIT_POINTER(t->idx, NULL);
	mutex_destroy(&t->lock);
}

int __init lmig_table_module_init(void)
{
	lmig_wq = alloc_workqueue("lmig", WQ_UNBOUND, 0);
	return lmig_wq ? 0 : -ENOMEM;
}

/* Every index retired has been freed when this returns. */
void lmig_table_module_exit(void)
{
	rcu_barrier();	/* the callbacks that queue the frees have run */
	destroy_workqueue(lmig_wq);
}

struct pernet_operations lmig_table_net_ops = {
	.init	= lmig_table_net_init,
	.exit	= lmig_table_net_exit,
	.id	= &lmig_net_id,
	.size	= sizeof(struct lmig_table),
};
