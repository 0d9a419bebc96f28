// SPDX-License-Identifier: GPL-2.0-only
/*
 * Per network namespace profile table. Writers hold the table mutex; the
 * indexes are RCU-safe structures, so lock-free readers can be added
 * without changing the writers. Every change either completes or leaves
 * the table exactly as it was.
 */

#include <linux/jhash.h>
#include <linux/lockdep.h>
#include <linux/moduleparam.h>
#include <linux/random.h>
#include <linux/rhashtable.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include "profile.h"
#include "table.h"

static unsigned int max_profiles = 1000000;
module_param(max_profiles, uint, 0644);
MODULE_PARM_DESC(max_profiles,
		 "Most profiles one network namespace may hold (default 1000000)");

static unsigned int lmig_net_id __read_mostly;

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

struct lmig_table *lmig_table_get(const struct net *net)
{
	return net_generic(net, lmig_net_id);
}

unsigned int lmig_table_max_profiles(void)
{
	return READ_ONCE(max_profiles);
}

struct lmig_profile *lmig_table_find_user(struct lmig_table *t, u32 user_id)
{
	lockdep_assert_held(&t->lock);
	return xa_load(&t->by_user, user_id);
}

struct lmig_profile *lmig_table_find_partner(struct lmig_table *t,
					     const char *str, u8 len)
{
	struct lmig_id *id;

	lockdep_assert_held(&t->lock);
	id = lmig_id_find(&t->by_partner, str, len);
	return id ? id->profile : NULL;
}

struct lmig_profile *lmig_table_find_primary(struct lmig_table *t,
					     const char *str, u8 len)
{
	struct lmig_id *id;

	lockdep_assert_held(&t->lock);
	id = lmig_id_find(&t->by_primary, str, len);
	return id ? id->profile : NULL;
}

/*
 * Put @p in the table under the next user id, as generation 1. The caller
 * has made sure no other profile holds its IDs; -EEXIST still guards it.
 */
int lmig_table_add(struct lmig_table *t, struct lmig_profile *p)
{
	unsigned int i;
	int ret;

	lockdep_assert_held(&t->lock);
	if (t->count >= lmig_table_max_profiles() || !t->next_user_id)
		return -ENOSPC;

	p->user_id = t->next_user_id;
	p->generation = 1;
	ret = xa_insert(&t->by_user, p->user_id, p, GFP_KERNEL_ACCOUNT);
	if (ret)
		return ret;
	ret = lmig_id_insert(&t->by_partner, &p->partner);
	if (ret)
		goto err_user;
	for (i = 0; i < p->n_primary; i++) {
		ret = lmig_id_insert(&t->by_primary, &p->primary[i]);
		if (ret)
			goto err_primary;
	}

	t->next_user_id++;	/* wraps to 0: no id is ever handed out twice */
	t->count++;
	t->generation++;
	return 0;

err_primary:
	while (i--)
		lmig_id_remove(&t->by_primary, &p->primary[i]);
	lmig_id_remove(&t->by_partner, &p->partner);
err_user:
	xa_erase(&t->by_user, p->user_id);
	return ret;
}

/*
 * Replace @old by @new, which has the same partner ID and keeps the user
 * id; its generation becomes the next one. Primary IDs only @new holds
 * are inserted first, the one step that can fail, so a failure leaves the
 * table untouched; then shared IDs are switched over and @old's others
 * removed. The caller frees @old.
 */
int lmig_table_replace(struct lmig_table *t, struct lmig_profile *old,
		       struct lmig_profile *new)
{
	struct lmig_id *id;
	unsigned int i;
	int ret;

	lockdep_assert_held(&t->lock);
	new->user_id = old->user_id;
	new->generation = old->generation + 1;

	for (i = 0; i < new->n_primary; i++) {
		id = lmig_id_find(&t->by_primary, new->primary[i].str,
				  new->primary[i].len);
		if (id && id->profile == old)
			continue;
		ret = lmig_id_insert(&t->by_primary, &new->primary[i]);
		if (ret)
			goto err_primary;
	}

	for (i = 0; i < new->n_primary; i++) {
		id = lmig_id_find(&t->by_primary, new->primary[i].str,
				  new->primary[i].len);
		if (id && id != &new->primary[i])
			WARN_ON_ONCE(rhashtable_replace_fast(&t->by_primary,
							     &id->node,
							     &new->primary[i].node,
							     lmig_id_params));
	}
	for (i = 0; i < old->n_primary; i++)
		if (lmig_id_indexed(&t->by_primary, &old->primary[i]))
			lmig_id_remove(&t->by_primary, &old->primary[i]);
	WARN_ON_ONCE(rhashtable_replace_fast(&t->by_partner, &old->partner.node,
					     &new->partner.node,
					     lmig_id_params));
	WARN_ON_ONCE(xa_is_err(xa_store(&t->by_user, new->user_id, new,
					GFP_KERNEL_ACCOUNT)));
	t->generation++;
	return 0;

err_primary:
	while (i--)
		if (lmig_id_indexed(&t->by_primary, &new->primary[i]))
			lmig_id_remove(&t->by_primary, &new->primary[i]);
	return ret;
}

/* Take @p out of the table; the caller frees it. */
void lmig_table_remove(struct lmig_table *t, struct lmig_profile *p)
{
	unsigned int i;

	lockdep_assert_held(&t->lock);
	for (i = 0; i < p->n_primary; i++)
		lmig_id_remove(&t->by_primary, &p->primary[i]);
	lmig_id_remove(&t->by_partner, &p->partner);
	xa_erase(&t->by_user, p->user_id);
	t->count--;
	t->generation++;
}

static int __net_init lmig_table_net_init(struct net *net)
{
	struct lmig_table *t = lmig_table_get(net);
	int ret;

	ret = rhashtable_init(&t->by_partner, &lmig_id_params);
	if (ret)
		return ret;
	ret = rhashtable_init(&t->by_primary, &lmig_id_params);
	if (ret) {
		rhashtable_destroy(&t->by_partner);
		return ret;
	}
	mutex_init(&t->lock);
	xa_init(&t->by_user);
	/* 0 stays free to mean "no epoch known" to consumers. */
	do {
		t->epoch = get_random_u64();
	} while (!t->epoch);
	t->generation = 0;
	t->next_user_id = 1;
	t->count = 0;
	return 0;
}

/* The namespace is going away: nothing can reach the table any more. */
static void __net_exit lmig_table_net_exit(struct net *net)
{
	struct lmig_table *t = lmig_table_get(net);
	struct lmig_profile *p;
	unsigned long user_id;

	rhashtable_destroy(&t->by_primary);
	rhashtable_destroy(&t->by_partner);
	xa_for_each(&t->by_user, user_id, p)
		lmig_profile_free(p);
	xa_destroy(&t->by_user);
	mutex_destroy(&t->lock);
}

struct pernet_operations lmig_table_net_ops = {
	.init	= lmig_table_net_init,
	.exit	= lmig_table_net_exit,
	.id	= &lmig_net_id,
	.size	= sizeof(struct lmig_table),
};
