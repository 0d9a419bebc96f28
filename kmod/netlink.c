// SPDX-License-Identifier: GPL-2.0-only
/*
 * The "lmig" generic netlink family: one handler per command, and the
 * events announcing every change. A handler that changes the table checks
 * and allocates all it needs before it changes anything, so that any
 * error leaves the table, its generation and the listeners untouched.
 * Look-ups and dumps hold no lock: they run under RCU.
 */

#include <linux/module.h>
#include <linux/notifier.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <net/genetlink.h>
#include <net/sock.h>

#include "apply.h"
#include "attrs.h"
#include "netlink.h"
#include "policy.h"
#include "profile.h"
#include "table.h"

enum lmig_nlgrp {
	LMIG_NLGRP_EVENTS,
};

static const struct genl_multicast_group lmig_mcgrps[] = {
	[LMIG_NLGRP_EVENTS] = {
		.name	= LMIG_MCGRP_EVENTS,
		.flags	= GENL_MCAST_CAP_NET_ADMIN,
	},
};

static struct genl_family lmig_family;

/*
 * Where a profile dump resumes (past U32_MAX once the last id is sent),
 * and whether the table changed since it started.
 */
struct lmig_dump_ctx {
	u64 next_user_id;
	unsigned int seq;	/* the table's seqcount when the dump began */
	bool started;
	bool disturbed;
};

/* The largest message a dump writes: one whole profile. */
#define LMIG_DUMP_MSG_MAX	nlmsg_total_size(GENL_HDRLEN + LMIG_PROFILE_NEST_MAX)

/* Which members of a struct lmig_summary a message carries. */
enum lmig_summary_part {
	LMIG_SUMMARY_DELETED	= BIT(0),
	LMIG_SUMMARY_COUNTS	= BIT(1),	/* all four counts */
	LMIG_SUMMARY_GENERATION	= BIT(2),
};

#define LMIG_SUMMARY_SIZE						\
	(nla_total_size(0) + 4 * nla_total_size(sizeof(u32)) +		\
	 nla_total_size_64bit(sizeof(u64)))

bool lmig_nl_has_listeners(struct net *net)
{
	return genl_has_listeners(&lmig_family, net, LMIG_NLGRP_EVENTS);
}

/* A listener that cannot be told gets ENOBUFS: the cue to dump again. */
static void lmig_nl_event_lost(struct net *net)
{
	genl_set_err(&lmig_family, net, 0, LMIG_NLGRP_EVENTS, -ENOBUFS);
}

/*
 * Announce a change made under @t's lock, so that events leave in the
 * order of the generations they carry.
 */
void lmig_nl_notify(struct net *net, struct lmig_table *t, u8 cmd,
		    const struct lmig_profile *p,
		    const struct lmig_profile *old)
{
	struct sk_buff *msg;
	size_t size;
	void *hdr;

	lockdep_assert_held(&t->lock);
	if (!lmig_nl_has_listeners(net))
		return;

	size = nla_total_size_64bit(sizeof(u64)) + lmig_profile_nest_size(p);
	if (old)
		size += lmig_profile_nest_size(old);
	msg = genlmsg_new(size, GFP_KERNEL);
	if (!msg)
		goto lost;
	hdr = genlmsg_put(msg, 0, 0, &lmig_family, 0, cmd);
	if (!hdr)
		goto lost_msg;
	if (nla_put_u64_64bit(msg, LMIG_A_GENERATION, t->generation,
			      LMIG_A_PAD) ||
	    lmig_profile_fill(msg, LMIG_A_PROFILE, p) ||
	    (old && lmig_profile_fill(msg, LMIG_A_OLD_PROFILE, old)))
		goto lost_msg;
	genlmsg_end(msg, hdr);
	genlmsg_multicast_netns(&lmig_family, net, msg, 0, LMIG_NLGRP_EVENTS,
				GFP_KERNEL);
	return;

lost_msg:
	nlmsg_free(msg);
lost:
	lmig_nl_event_lost(net);
}

static int lmig_nl_put_summary(struct sk_buff *msg,
			       const struct lmig_summary *sum,
			       unsigned int parts)
{
	struct nlattr *nest;

	nest = nla_nest_start(msg, LMIG_A_SUMMARY);
	if (!nest)
		return -EMSGSIZE;
	if (((parts & LMIG_SUMMARY_COUNTS) &&
	     (nla_put_u32(msg, LMIG_SUMMARY_A_CREATED, sum->created) ||
	      nla_put_u32(msg, LMIG_SUMMARY_A_CHANGED, sum->changed) ||
	      nla_put_u32(msg, LMIG_SUMMARY_A_UNCHANGED, sum->unchanged))) ||
	    ((parts & (LMIG_SUMMARY_COUNTS | LMIG_SUMMARY_DELETED)) &&
	     nla_put_u32(msg, LMIG_SUMMARY_A_DELETED, sum->deleted)) ||
	    ((parts & LMIG_SUMMARY_GENERATION) &&
	     nla_put_u64_64bit(msg, LMIG_SUMMARY_A_GENERATION,
			       sum->generation, LMIG_SUMMARY_A_PAD))) {
		nla_nest_cancel(msg, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(msg, nest);
	return 0;
}

/* The table was emptied in one step: one event for every profile. */
static void lmig_nl_notify_flush(struct net *net, struct lmig_table *t,
				 const struct lmig_summary *sum)
{
	struct sk_buff *msg;
	void *hdr;

	lockdep_assert_held(&t->lock);
	if (!lmig_nl_has_listeners(net))
		return;

	msg = genlmsg_new(nla_total_size_64bit(sizeof(u64)) +
			  LMIG_SUMMARY_SIZE, GFP_KERNEL);
	if (!msg)
		goto lost;
	hdr = genlmsg_put(msg, 0, 0, &lmig_family, 0, LMIG_CMD_FLUSH_NTF);
	if (!hdr)
		goto lost_msg;
	if (nla_put_u64_64bit(msg, LMIG_A_GENERATION, t->generation,
			      LMIG_A_PAD) ||
	    lmig_nl_put_summary(msg, sum, LMIG_SUMMARY_DELETED))
		goto lost_msg;
	genlmsg_end(msg, hdr);
	genlmsg_multicast_netns(&lmig_family, net, msg, 0, LMIG_NLGRP_EVENTS,
				GFP_KERNEL);
	return;

lost_msg:
	nlmsg_free(msg);
lost:
	lmig_nl_event_lost(net);
}

static int lmig_nl_fill_reply(struct sk_buff *msg, struct genl_info *info,
			      const struct lmig_profile *p)
{
	void *hdr;

	hdr = genlmsg_put_reply(msg, info, &lmig_family, 0,
				info->genlhdr->cmd);
	if (!hdr)
		return -EMSGSIZE;
	if (lmig_profile_fill(msg, LMIG_A_PROFILE, p)) {
		genlmsg_cancel(msg, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return 0;
}

/* The reply to a request that changes nothing, built under the table lock. */
static struct sk_buff *lmig_nl_reply(struct genl_info *info,
				     const struct lmig_profile *p)
{
	struct sk_buff *msg;

	msg = genlmsg_new(lmig_profile_nest_size(p), GFP_KERNEL);
	if (!msg)
		return ERR_PTR(-ENOMEM);
	if (WARN_ON_ONCE(lmig_nl_fill_reply(msg, info, p))) {
		nlmsg_free(msg);
		return ERR_PTR(-EMSGSIZE);
	}
	return msg;
}

/*
 * Send the reply to a change already made, @filled being what filling it
 * returned. The change stands even if the requester's socket is full, so
 * the request still reports success.
 */
static int lmig_nl_reply_change(struct sk_buff *msg, struct genl_info *info,
				int filled)
{
	if (WARN_ON_ONCE(filled))
		nlmsg_free(msg);
	else
		genlmsg_reply(msg, info);
	return 0;
}

/* Reply with a summary: @msg was sized LMIG_SUMMARY_SIZE. */
static int lmig_nl_reply_summary(struct sk_buff *msg, struct genl_info *info,
				 const struct lmig_summary *sum,
				 unsigned int parts)
{
	void *hdr;

	hdr = genlmsg_put_reply(msg, info, &lmig_family, 0,
				info->genlhdr->cmd);
	if (WARN_ON_ONCE(!hdr || lmig_nl_put_summary(msg, sum, parts))) {
		nlmsg_free(msg);
		return 0;	/* the change stands */
	}
	genlmsg_end(msg, hdr);
	genlmsg_reply(msg, info);
	return 0;
}

static int lmig_nl_gather(struct genl_info *info, struct lmig_attrs *a)
{
	if (GENL_REQ_ATTR_CHECK(info, LMIG_A_PROFILE)) {
		NL_SET_ERR_MSG_MOD(info->extack, "missing profile attributes");
		return -EINVAL;
	}
	return lmig_attrs_gather(a, info->attrs[LMIG_A_PROFILE], info->extack);
}

/*
 * The one attribute saying which profile a command is about: USER_ID or
 * PARTNER_ID, and PRIMARY_ID too when @by_primary.
 */
static const struct nlattr *lmig_nl_selector(const struct lmig_attrs *a,
					     bool by_primary,
					     struct netlink_ext_ack *extack)
{
	static const int types[] = {
		LMIG_PROFILE_A_USER_ID,
		LMIG_PROFILE_A_PARTNER_ID,
		LMIG_PROFILE_A_PRIMARY_ID,
	};
	unsigned int i, n = by_primary ? ARRAY_SIZE(types) : 2;
	const struct nlattr *sel = NULL;

	if (by_primary && a->n_primary > 1) {
		NL_SET_ERR_MSG_ATTR(extack, a->primary[1],
				    "more than one selector");
		return ERR_PTR(-EINVAL);
	}
	for (i = 0; i < n; i++) {
		if (!a->tb[types[i]])
			continue;
		if (sel) {
			NL_SET_ERR_MSG_ATTR(extack, a->tb[types[i]],
					    "more than one selector");
			return ERR_PTR(-EINVAL);
		}
		sel = a->tb[types[i]];
	}
	if (sel)
		return sel;
	if (by_primary)
		NL_SET_ERR_MSG_ATTR(extack, a->nest,
				    "missing selector: user id, partner ID or primary ID");
	else
		NL_SET_ERR_MSG_ATTR(extack, a->nest,
				    "missing selector: user id or partner ID");
	return ERR_PTR(-EINVAL);
}

/* Under rcu_read_lock() or the table lock. */
static struct lmig_profile *lmig_nl_find(struct lmig_index *idx,
					 const struct nlattr *sel,
					 struct netlink_ext_ack *extack)
{
	struct lmig_profile *p = NULL;

	switch (nla_type(sel)) {
	case LMIG_PROFILE_A_USER_ID:
		p = lmig_index_find_user(idx, nla_get_u32(sel));
		break;
	case LMIG_PROFILE_A_PARTNER_ID:
		p = lmig_index_find_partner(idx, nla_data(sel),
					    nla_len(sel) - 1);
		break;
	case LMIG_PROFILE_A_PRIMARY_ID:
		p = lmig_index_find_primary(idx, nla_data(sel),
					    nla_len(sel) - 1);
		break;
	}
	if (!p)
		NL_SET_ERR_MSG_ATTR(extack, sel, "no profile matches the selector");
	return p;
}

/* No profile but @self may hold the partner ID or a primary ID of @a. */
static int lmig_nl_check_ids(struct lmig_table *t, const struct lmig_attrs *a,
			     const struct lmig_profile *self,
			     struct netlink_ext_ack *extack)
{
	const struct nlattr *partner = a->tb[LMIG_PROFILE_A_PARTNER_ID];
	struct lmig_index *idx = lmig_table_index(t);
	struct lmig_profile *owner;
	unsigned int i;

	lockdep_assert_held(&t->lock);
	if (partner) {
		owner = lmig_index_find_partner(idx, nla_data(partner),
						nla_len(partner) - 1);
		if (owner && owner != self) {
			NL_SET_ERR_MSG_ATTR(extack, partner,
					    "partner ID already in the table");
			return -EEXIST;
		}
	}
	for (i = 0; i < a->n_primary; i++) {
		owner = lmig_index_find_primary(idx, nla_data(a->primary[i]),
						nla_len(a->primary[i]) - 1);
		if (owner && owner != self) {
			NL_SET_ERR_MSG_ATTR(extack, a->primary[i],
					    "primary ID already in the table");
			return -EEXIST;
		}
	}
	return 0;
}

/*
 * The draft of a whole profile from a request: what NEW, REPLACE and each
 * profile of APPLY_ADD carry. Fields left out take their defaults.
 */
static int lmig_nl_whole_draft(const struct lmig_attrs *a,
			       struct lmig_draft *d,
			       struct netlink_ext_ack *extack)
{
	int ret;

	ret = lmig_attrs_check_complete(a, extack);
	if (ret)
		return ret;
	memset(d, 0, sizeof(*d));
	d->state = LMIG_STATE_ACTIVE;
	lmig_attrs_apply(a, d);
	return lmig_attrs_check_window(a, d, extack);
}

static int lmig_nl_profile_new(struct sk_buff *skb, struct genl_info *info)
{
	struct netlink_ext_ack *extack = info->extack;
	struct net *net = genl_info_net(info);
	struct lmig_table *t = lmig_table_get(net);
	struct lmig_profile *p;
	struct lmig_draft d;
	struct lmig_attrs a;
	struct sk_buff *msg;
	int ret;

	ret = lmig_nl_gather(info, &a);
	if (ret)
		return ret;
	ret = lmig_nl_whole_draft(&a, &d, extack);
	if (ret)
		return ret;

	p = lmig_profile_alloc(&d);
	if (!p)
		return -ENOMEM;
	msg = genlmsg_new(lmig_profile_nest_size(p), GFP_KERNEL);
	if (!msg) {
		ret = -ENOMEM;
		goto err_profile;
	}

	mutex_lock(&t->lock);
	ret = lmig_table_check_room(t, lmig_table_index(t)->count + 1, 1,
				    extack);
	if (ret)
		goto err_unlock;
	ret = lmig_nl_check_ids(t, &a, NULL, extack);
	if (ret)
		goto err_unlock;
	ret = lmig_table_add(t, p);
	if (ret)
		goto err_unlock;
	lmig_nl_notify(net, t, LMIG_CMD_PROFILE_NEW_NTF, p, NULL);
	ret = lmig_nl_fill_reply(msg, info, p);
	mutex_unlock(&t->lock);
	return lmig_nl_reply_change(msg, info, ret);

err_unlock:
	mutex_unlock(&t->lock);
	nlmsg_free(msg);
err_profile:
	lmig_profile_destroy(p);
	return ret;
}

/*
 * Make @old, found under the table lock, hold @d: nothing happens when it
 * does already; otherwise a copy replaces it and the change is announced.
 * Returns the reply to send once the lock is released.
 */
static struct sk_buff *lmig_nl_change(struct genl_info *info,
				      struct lmig_table *t,
				      struct lmig_profile *old,
				      const struct lmig_draft *d,
				      const struct lmig_attrs *a)
{
	struct lmig_profile *new;
	struct sk_buff *msg;
	int ret;

	lockdep_assert_held(&t->lock);
	if (lmig_draft_matches(d, old))
		return lmig_nl_reply(info, old); /* no generation, no event */

	ret = lmig_nl_check_ids(t, a, old, info->extack);
	if (ret)
		return ERR_PTR(ret);
	new = lmig_profile_alloc(d);
	if (!new)
		return ERR_PTR(-ENOMEM);
	msg = genlmsg_new(lmig_profile_nest_size(new), GFP_KERNEL);
	if (!msg) {
		ret = -ENOMEM;
		goto err_new;
	}
	ret = lmig_table_replace(t, old, new);
	if (ret)
		goto err_msg;
	lmig_nl_notify(genl_info_net(info), t, LMIG_CMD_PROFILE_CHANGE_NTF,
		       new, old);
	lmig_profile_free(old);
	if (WARN_ON_ONCE(lmig_nl_fill_reply(msg, info, new))) {
		nlmsg_free(msg);
		return NULL;	/* the change stands, without a reply */
	}
	return msg;

err_msg:
	nlmsg_free(msg);
err_new:
	lmig_profile_destroy(new);
	return ERR_PTR(ret);
}

/* Send what lmig_nl_change() returned. */
static int lmig_nl_changed(struct sk_buff *msg, struct genl_info *info)
{
	if (IS_ERR(msg))
		return PTR_ERR(msg);
	if (msg)
		genlmsg_reply(msg, info);
	return 0;
}

static bool lmig_nl_set_changes(const struct lmig_attrs *a)
{
	const struct nlattr *const *tb = a->tb;

	return tb[LMIG_PROFILE_A_PRIMARY_ID] || tb[LMIG_PROFILE_A_SERVICES] ||
	       tb[LMIG_PROFILE_A_STATE] || tb[LMIG_PROFILE_A_NOT_BEFORE] ||
	       tb[LMIG_PROFILE_A_NOT_AFTER] || tb[LMIG_PROFILE_A_COMMENT];
}

static int lmig_nl_profile_set(struct sk_buff *skb, struct genl_info *info)
{
	struct netlink_ext_ack *extack = info->extack;
	struct lmig_table *t = lmig_table_get(genl_info_net(info));
	const struct nlattr *sel;
	struct lmig_profile *old;
	struct sk_buff *msg;
	struct lmig_draft d;
	struct lmig_attrs a;
	int ret;

	ret = lmig_nl_gather(info, &a);
	if (ret)
		return ret;
	sel = lmig_nl_selector(&a, false, extack);
	if (IS_ERR(sel))
		return PTR_ERR(sel);
	if (!lmig_nl_set_changes(&a)) {
		NL_SET_ERR_MSG_ATTR(extack, a.nest, "nothing to change");
		return -EINVAL;
	}

	mutex_lock(&t->lock);
	old = lmig_nl_find(lmig_table_index(t), sel, extack);
	if (!old) {
		msg = ERR_PTR(-ENOENT);
		goto out;
	}
	lmig_draft_from_profile(&d, old);
	lmig_attrs_apply(&a, &d);
	ret = lmig_attrs_check_window(&a, &d, extack);
	msg = ret ? ERR_PTR(ret) : lmig_nl_change(info, t, old, &d, &a);
out:
	mutex_unlock(&t->lock);
	return lmig_nl_changed(msg, info);
}

static int lmig_nl_profile_replace(struct sk_buff *skb, struct genl_info *info)
{
	struct netlink_ext_ack *extack = info->extack;
	struct lmig_table *t = lmig_table_get(genl_info_net(info));
	const struct nlattr *sel;
	struct lmig_profile *old;
	struct sk_buff *msg;
	struct lmig_draft d;
	struct lmig_attrs a;
	int ret;

	ret = lmig_nl_gather(info, &a);
	if (ret)
		return ret;
	ret = lmig_nl_whole_draft(&a, &d, extack);
	if (ret)
		return ret;
	/* The user id says which profile when given; the partner ID else. */
	sel = a.tb[LMIG_PROFILE_A_USER_ID] ?: a.tb[LMIG_PROFILE_A_PARTNER_ID];

	mutex_lock(&t->lock);
	old = lmig_nl_find(lmig_table_index(t), sel, extack);
	msg = old ? lmig_nl_change(info, t, old, &d, &a) : ERR_PTR(-ENOENT);
	mutex_unlock(&t->lock);
	return lmig_nl_changed(msg, info);
}

static int lmig_nl_profile_del(struct sk_buff *skb, struct genl_info *info)
{
	struct net *net = genl_info_net(info);
	struct lmig_table *t = lmig_table_get(net);
	const struct nlattr *sel;
	struct lmig_profile *p;
	struct lmig_attrs a;
	int ret;

	ret = lmig_nl_gather(info, &a);
	if (ret)
		return ret;
	sel = lmig_nl_selector(&a, false, info->extack);
	if (IS_ERR(sel))
		return PTR_ERR(sel);

	mutex_lock(&t->lock);
	p = lmig_nl_find(lmig_table_index(t), sel, info->extack);
	if (!p) {
		mutex_unlock(&t->lock);
		return -ENOENT;
	}
	lmig_table_remove(t, p);
	lmig_nl_notify(net, t, LMIG_CMD_PROFILE_DEL_NTF, p, NULL);
	mutex_unlock(&t->lock);
	lmig_profile_free(p);
	return 0;
}

/* A look-up: lock-free, it never waits for a writer. */
static int lmig_nl_profile_get(struct sk_buff *skb, struct genl_info *info)
{
	struct lmig_table *t = lmig_table_get(genl_info_net(info));
	const struct nlattr *sel;
	struct lmig_profile *p;
	struct lmig_attrs a;
	struct sk_buff *msg;
	int ret;

	ret = lmig_nl_gather(info, &a);
	if (ret)
		return ret;
	sel = lmig_nl_selector(&a, true, info->extack);
	if (IS_ERR(sel))
		return PTR_ERR(sel);

	msg = genlmsg_new(LMIG_PROFILE_NEST_MAX, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	rcu_read_lock();
	p = lmig_nl_find(lmig_table_index(t), sel, info->extack);
	ret = p ? lmig_nl_fill_reply(msg, info, p) : -ENOENT;
	rcu_read_unlock();
	if (ret) {
		nlmsg_free(msg);
		return WARN_ON_ONCE(ret == -EMSGSIZE) ? -EMSGSIZE : ret;
	}
	return genlmsg_reply(msg, info);
}

static int lmig_nl_dump_start(struct netlink_callback *cb)
{
	struct lmig_dump_ctx *ctx = (struct lmig_dump_ctx *)cb->ctx;

	BUILD_BUG_ON(sizeof(*ctx) > sizeof(cb->ctx));
	memset(ctx, 0, sizeof(*ctx));
	ctx->next_user_id = 1;
	/* Every buffer must have room for the largest profile. */
	cb->min_dump_alloc = LMIG_DUMP_MSG_MAX;
	return 0;
}

/*
 * One message per profile in ascending user id order, resuming after the
 * last profile sent, under RCU alone. The table's seqcount tells whether
 * a writer changed anything since the dump began: if so, every message
 * from then on carries NLM_F_DUMP_INTR, the NLMSG_DONE that ends the dump
 * included, as that is only written after a last look at the seqcount.
 */
static int lmig_nl_profile_dump(struct sk_buff *skb,
				struct netlink_callback *cb)
{
	struct lmig_dump_ctx *ctx = (struct lmig_dump_ctx *)cb->ctx;
	struct lmig_table *t = lmig_table_get(sock_net(skb->sk));
	struct lmig_profile *p;
	unsigned long user_id;
	bool full = false;
	unsigned int seq;
	void *hdr;

	if (nlmsg_attrlen(cb->nlh, GENL_HDRLEN)) {
		NL_SET_ERR_MSG_MOD(cb->extack, "a dump takes no attributes");
		return -EINVAL;
	}

	rcu_read_lock();
	seq = raw_read_seqcount(&t->seq);
	if (!ctx->started) {
		ctx->started = true;
		ctx->seq = seq;
	}
	if (seq != ctx->seq || (seq & 1))
		ctx->disturbed = true;
	if (ctx->next_user_id > U32_MAX)
		goto out;
	xa_for_each_start(&lmig_table_index(t)->by_user, user_id, p,
			  ctx->next_user_id) {
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, &lmig_family,
				  NLM_F_MULTI, LMIG_CMD_PROFILE_GET);
		if (!hdr) {
			full = true;
			break;
		}
		if (lmig_profile_fill(skb, LMIG_A_PROFILE, p)) {
			genlmsg_cancel(skb, hdr);
			full = true;
			break;
		}
		genlmsg_end(skb, hdr);
		if (ctx->disturbed)
			genlmsg_nlhdr(hdr)->nlmsg_flags |= NLM_F_DUMP_INTR;
		ctx->next_user_id = (u64)user_id + 1;
	}
	if (read_seqcount_retry(&t->seq, seq))
		ctx->disturbed = true;
out:
	rcu_read_unlock();

	/* What the core checks NLMSG_DONE against. */
	cb->prev_seq = 1;
	cb->seq = ctx->disturbed ? 2 : 1;

	/* An empty part would end the dump early. */
	if (full && !skb->len)
		return -EMSGSIZE;
	return skb->len;
}

static int lmig_nl_info_get(struct sk_buff *skb, struct genl_info *info)
{
	struct lmig_table *t = lmig_table_get(genl_info_net(info));
	struct lmig_index *idx;
	struct sk_buff *msg;
	struct nlattr *nest;
	void *hdr;
	int ret;

	msg = genlmsg_new(nla_total_size(0) +
			  4 * nla_total_size_64bit(sizeof(u64)) +
			  8 * nla_total_size(sizeof(u32)), GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &lmig_family, 0, LMIG_CMD_INFO_GET);
	if (!hdr)
		goto err_msg;
	nest = nla_nest_start(msg, LMIG_A_INFO);
	if (!nest)
		goto err_msg;

	mutex_lock(&t->lock);
	idx = lmig_table_index(t);
	ret = nla_put_u64_64bit(msg, LMIG_INFO_A_EPOCH, t->epoch,
				LMIG_INFO_A_PAD) ||
	      nla_put_u64_64bit(msg, LMIG_INFO_A_GENERATION, t->generation,
				LMIG_INFO_A_PAD) ||
	      nla_put_u32(msg, LMIG_INFO_A_PROFILES, idx->count) ||
	      nla_put_u32(msg, LMIG_INFO_A_MAX_PROFILES,
			  lmig_table_max_profiles()) ||
	      nla_put_u32(msg, LMIG_INFO_A_SUSPENDED, idx->suspended) ||
	      nla_put_u32(msg, LMIG_INFO_A_PRIMARY_IDS, idx->primary_ids) ||
	      nla_put_u32(msg, LMIG_INFO_A_MAX_PRIMARY_IDS,
			  LMIG_PRIMARY_IDS_MAX) ||
	      nla_put_u64_64bit(msg, LMIG_INFO_A_MEMORY, lmig_index_bytes(idx),
				LMIG_INFO_A_PAD) ||
	      nla_put_u32(msg, LMIG_INFO_A_APPLIES, t->n_applies) ||
	      nla_put_u32(msg, LMIG_INFO_A_MAX_APPLIES, LMIG_APPLIES_MAX) ||
	      nla_put_u32(msg, LMIG_INFO_A_STAGED, t->staged) ||
	      nla_put_u64_64bit(msg, LMIG_INFO_A_STAGED_MEMORY,
				t->staged_bytes, LMIG_INFO_A_PAD);
	mutex_unlock(&t->lock);
	if (WARN_ON_ONCE(ret))
		goto err_msg;

	nla_nest_end(msg, nest);
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err_msg:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

static int lmig_nl_flush(struct sk_buff *skb, struct genl_info *info)
{
	struct net *net = genl_info_net(info);
	struct lmig_table *t = lmig_table_get(net);
	struct lmig_index *empty, *retired = NULL;
	struct lmig_summary sum = {};
	struct sk_buff *msg;

	empty = lmig_index_alloc();
	if (!empty)
		return -ENOMEM;
	msg = genlmsg_new(LMIG_SUMMARY_SIZE, GFP_KERNEL);
	if (!msg) {
		lmig_index_destroy(empty);
		return -ENOMEM;
	}

	mutex_lock(&t->lock);
	if (lmig_table_index(t)->count) {
		retired = lmig_table_swap(t, empty);
		empty = NULL;
		sum.deleted = retired->count;
		t->generation++;
		lmig_nl_notify_flush(net, t, &sum);
	}
	sum.generation = t->generation;
	mutex_unlock(&t->lock);

	lmig_index_destroy(empty);
	if (retired)
		lmig_index_retire(retired);
	return lmig_nl_reply_summary(msg, info, &sum, LMIG_SUMMARY_DELETED |
				     LMIG_SUMMARY_GENERATION);
}

static int lmig_nl_apply_begin(struct sk_buff *skb, struct genl_info *info)
{
	struct lmig_table *t = lmig_table_get(genl_info_net(info));
	int ret;

	mutex_lock(&t->lock);
	ret = lmig_apply_begin(t, info->snd_portid, info->extack);
	mutex_unlock(&t->lock);
	return ret;
}

/* Check the profile nest @nest and stage it; the caller unstages on error. */
static int lmig_nl_apply_stage(struct lmig_table *t, struct lmig_apply *ap,
			       const struct nlattr *nest,
			       struct netlink_ext_ack *extack)
{
	struct lmig_profile *p;
	struct lmig_draft d;
	struct lmig_attrs a;
	int ret;

	ret = lmig_attrs_gather(&a, nest, extack);
	if (ret)
		return ret;
	ret = lmig_nl_whole_draft(&a, &d, extack);
	if (ret)
		return ret;
	p = lmig_profile_alloc(&d);
	if (!p)
		return -ENOMEM;
	ret = lmig_apply_stage(t, ap, p, &a, extack);
	if (ret)
		lmig_profile_destroy(p);
	return ret;
}

/* Stage every profile of the message, or none of them. */
static int lmig_nl_apply_add(struct sk_buff *skb, struct genl_info *info)
{
	struct lmig_table *t = lmig_table_get(genl_info_net(info));
	const struct nlattr *attr;
	struct lmig_apply *ap;
	unsigned int n = 0;
	int rem, ret = 0;
	u32 before;

	if (GENL_REQ_ATTR_CHECK(info, LMIG_A_PROFILE)) {
		NL_SET_ERR_MSG_MOD(info->extack, "missing profile attributes");
		return -EINVAL;
	}

	mutex_lock(&t->lock);
	ap = lmig_apply_find(t, info->snd_portid, info->extack);
	if (!ap) {
		ret = -ENOENT;
		goto out;
	}
	before = lmig_apply_count(ap);
	nlmsg_for_each_attr(attr, info->nlhdr, GENL_HDRLEN, rem) {
		if (nla_type(attr) != LMIG_A_PROFILE)
			continue;	/* the policy allows no other */
		ret = lmig_nl_apply_stage(t, ap, attr, info->extack);
		if (ret) {
			lmig_apply_unstage(t, ap, before);
			break;
		}
		if (!(++n % 64))
			cond_resched();
	}
out:
	mutex_unlock(&t->lock);
	return ret;
}

static int lmig_nl_apply_commit(struct sk_buff *skb, struct genl_info *info)
{
	struct netlink_ext_ack *extack = info->extack;
	struct net *net = genl_info_net(info);
	struct lmig_table *t = lmig_table_get(net);
	struct lmig_summary sum;
	struct lmig_apply *ap;
	struct sk_buff *msg;
	u32 count;
	int ret;

	if (GENL_REQ_ATTR_CHECK(info, LMIG_A_COUNT)) {
		NL_SET_ERR_MSG_MOD(extack, "missing count of the batch");
		return -EINVAL;
	}
	count = nla_get_u32(info->attrs[LMIG_A_COUNT]);
	msg = genlmsg_new(LMIG_SUMMARY_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;

	mutex_lock(&t->lock);
	ap = lmig_apply_find(t, info->snd_portid, extack);
	if (!ap) {
		ret = -ENOENT;
	} else if (count != lmig_apply_count(ap)) {
		NL_SET_ERR_MSG_ATTR(extack, info->attrs[LMIG_A_COUNT],
				    "count is not the number of profiles staged");
		ret = -EINVAL;
	} else {
		ret = lmig_apply_commit(t, ap, net, &sum, extack);
	}
	mutex_unlock(&t->lock);
	if (ret) {
		nlmsg_free(msg);
		return ret;
	}
	return lmig_nl_reply_summary(msg, info, &sum, LMIG_SUMMARY_COUNTS |
				     LMIG_SUMMARY_GENERATION);
}

static int lmig_nl_apply_abort(struct sk_buff *skb, struct genl_info *info)
{
	struct lmig_table *t = lmig_table_get(genl_info_net(info));
	struct lmig_apply *ap;

	mutex_lock(&t->lock);
	ap = lmig_apply_find(t, info->snd_portid, info->extack);
	if (ap)
		lmig_apply_detach(t, ap);
	mutex_unlock(&t->lock);
	if (!ap)
		return -ENOENT;
	lmig_apply_free(ap);
	return 0;
}

static const struct genl_ops lmig_ops[] = {
	{
		.cmd		= LMIG_CMD_PROFILE_NEW,
		.flags		= GENL_UNS_ADMIN_PERM,
		.policy		= lmig_new_policy,
		.maxattr	= LMIG_A_MAX,
		.doit		= lmig_nl_profile_new,
	},
	{
		.cmd		= LMIG_CMD_PROFILE_SET,
		.flags		= GENL_UNS_ADMIN_PERM,
		.policy		= lmig_set_policy,
		.maxattr	= LMIG_A_MAX,
		.doit		= lmig_nl_profile_set,
	},
	{
		.cmd		= LMIG_CMD_PROFILE_DEL,
		.flags		= GENL_UNS_ADMIN_PERM,
		.policy		= lmig_del_policy,
		.maxattr	= LMIG_A_MAX,
		.doit		= lmig_nl_profile_del,
	},
	{
		.cmd		= LMIG_CMD_PROFILE_GET,
		.flags		= GENL_UNS_ADMIN_PERM,
		.policy		= lmig_get_policy,
		.maxattr	= LMIG_A_MAX,
		.doit		= lmig_nl_profile_get,
		.start		= lmig_nl_dump_start,
		.dumpit		= lmig_nl_profile_dump,
	},
	{
		.cmd		= LMIG_CMD_INFO_GET,
		.flags		= GENL_UNS_ADMIN_PERM,
		.policy		= lmig_no_attrs_policy,
		.maxattr	= LMIG_A_MAX,
		.doit		= lmig_nl_info_get,
	},
	{
		.cmd		= LMIG_CMD_PROFILE_REPLACE,
		.flags		= GENL_UNS_ADMIN_PERM,
		.policy		= lmig_replace_policy,
		.maxattr	= LMIG_A_MAX,
		.doit		= lmig_nl_profile_replace,
	},
	{
		.cmd		= LMIG_CMD_FLUSH,
		.flags		= GENL_UNS_ADMIN_PERM,
		.policy		= lmig_no_attrs_policy,
		.maxattr	= LMIG_A_MAX,
		.doit		= lmig_nl_flush,
	},
	{
		.cmd		= LMIG_CMD_APPLY_BEGIN,
		.flags		= GENL_UNS_ADMIN_PERM,
		.policy		= lmig_no_attrs_policy,
		.maxattr	= LMIG_A_MAX,
		.doit		= lmig_nl_apply_begin,
	},
	{
		.cmd		= LMIG_CMD_APPLY_ADD,
		.flags		= GENL_UNS_ADMIN_PERM,
		.policy		= lmig_apply_add_policy,
		.maxattr	= LMIG_A_MAX,
		.doit		= lmig_nl_apply_add,
	},
	{
		.cmd		= LMIG_CMD_APPLY_COMMIT,
		.flags		= GENL_UNS_ADMIN_PERM,
		.policy		= lmig_apply_commit_policy,
		.maxattr	= LMIG_A_MAX,
		.doit		= lmig_nl_apply_commit,
	},
	{
		.cmd		= LMIG_CMD_APPLY_ABORT,
		.flags		= GENL_UNS_ADMIN_PERM,
		.policy		= lmig_no_attrs_policy,
		.maxattr	= LMIG_A_MAX,
		.doit		= lmig_nl_apply_abort,
	},
};

/*
 * A new family: resv_start_op stays 0, so the core checks the reserved
 * header field and the flags of every command and refuses attributes no
 * policy names.
 */
static struct genl_family lmig_family __ro_after_init = {
	.name		= LMIG_GENL_NAME,
	.version	= LMIG_GENL_VERSION,
	.netnsok	= true,
	.parallel_ops	= true,
	.module		= THIS_MODULE,
	.ops		= lmig_ops,
	.n_ops		= ARRAY_SIZE(lmig_ops),
	.mcgrps		= lmig_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(lmig_mcgrps),
};

/* A netlink socket closed: its apply transaction, if any, goes with it. */
static int lmig_nl_sock_event(struct notifier_block *nb, unsigned long event,
			      void *ptr)
{
	struct netlink_notify *n = ptr;

	if (event == NETLINK_URELEASE && n->protocol == NETLINK_GENERIC)
		lmig_apply_release(n->net, n->portid);
	return NOTIFY_DONE;
}

static struct notifier_block lmig_nl_notifier = {
	.notifier_call	= lmig_nl_sock_event,
};

int __init lmig_netlink_init(void)
{
	int ret;

	/* Before any transaction can exist, so that none outlives its socket. */
	ret = netlink_register_notifier(&lmig_nl_notifier);
	if (ret)
		return ret;
	ret = genl_register_family(&lmig_family);
	if (ret)
		netlink_unregister_notifier(&lmig_nl_notifier);
	return ret;
}

void lmig_netlink_exit(void)
{
	genl_unregister_family(&lmig_family);
	netlink_unregister_notifier(&lmig_nl_notifier);
}
