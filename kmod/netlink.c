// SPDX-License-Identifier: GPL-2.0-only
/*
 * The "lmig" generic netlink family: one handler per command, and the
 * events announcing every change. A handler checks and allocates all it
 * needs before it changes the table, so that any error leaves the table,
 * its generation and the listeners untouched.
 */

#include <linux/module.h>
#include <net/genetlink.h>
#include <net/sock.h>

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

/* Where a profile dump resumes: past U32_MAX once the last id is sent. */
struct lmig_dump_ctx {
	u64 next_user_id;
};

/* The largest message a dump writes: one whole profile. */
#define LMIG_DUMP_MSG_MAX	nlmsg_total_size(GENL_HDRLEN + LMIG_PROFILE_NEST_MAX)

/*
 * Announce a change made under @t's lock, so that events leave in the
 * order of the generations they carry. A listener that cannot be told
 * gets ENOBUFS on its socket: the cue to dump again.
 */
static void lmig_nl_notify(struct net *net, struct lmig_table *t, u8 cmd,
			   const struct lmig_profile *p,
			   const struct lmig_profile *old)
{
	struct sk_buff *msg;
	size_t size;
	void *hdr;

	lockdep_assert_held(&t->lock);
	if (!genl_has_listeners(&lmig_family, net, LMIG_NLGRP_EVENTS))
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
	genl_set_err(&lmig_family, net, 0, LMIG_NLGRP_EVENTS, -ENOBUFS);
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

static struct lmig_profile *lmig_nl_find(struct lmig_table *t,
					 const struct nlattr *sel,
					 struct netlink_ext_ack *extack)
{
	struct lmig_profile *p = NULL;

	switch (nla_type(sel)) {
	case LMIG_PROFILE_A_USER_ID:
		p = lmig_table_find_user(t, nla_get_u32(sel));
		break;
	case LMIG_PROFILE_A_PARTNER_ID:
		p = lmig_table_find_partner(t, nla_data(sel), nla_len(sel) - 1);
		break;
	case LMIG_PROFILE_A_PRIMARY_ID:
		p = lmig_table_find_primary(t, nla_data(sel), nla_len(sel) - 1);
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
	struct lmig_profile *owner;
	unsigned int i;

	if (partner) {
		owner = lmig_table_find_partner(t, nla_data(partner),
						nla_len(partner) - 1);
		if (owner && owner != self) {
			NL_SET_ERR_MSG_ATTR(extack, partner,
					    "partner ID already in the table");
			return -EEXIST;
		}
	}
	for (i = 0; i < a->n_primary; i++) {
		owner = lmig_table_find_primary(t, nla_data(a->primary[i]),
						nla_len(a->primary[i]) - 1);
		if (owner && owner != self) {
			NL_SET_ERR_MSG_ATTR(extack, a->primary[i],
					    "primary ID already in the table");
			return -EEXIST;
		}
	}
	return 0;
}

static int lmig_nl_check_room(struct lmig_table *t,
			      struct netlink_ext_ack *extack)
{
	if (t->count >= lmig_table_max_profiles()) {
		NL_SET_ERR_MSG_MOD(extack, "profile table is full");
		return -ENOSPC;
	}
	if (!t->next_user_id) {
		NL_SET_ERR_MSG_MOD(extack, "no user id left in this namespace");
		return -ENOSPC;
	}
	return 0;
}

static int lmig_nl_new_required(const struct lmig_attrs *a,
				struct netlink_ext_ack *extack)
{
	const struct nlattr *const *tb = a->tb;

	if (!tb[LMIG_PROFILE_A_PARTNER_ID]) {
		NL_SET_ERR_MSG_ATTR(extack, a->nest, "missing partner ID");
		NL_SET_ERR_ATTR_MISS(extack, a->nest, LMIG_PROFILE_A_PARTNER_ID);
		return -EINVAL;
	}
	if (!tb[LMIG_PROFILE_A_PRIMARY_ID]) {
		NL_SET_ERR_MSG_ATTR(extack, a->nest, "missing primary ID");
		NL_SET_ERR_ATTR_MISS(extack, a->nest, LMIG_PROFILE_A_PRIMARY_ID);
		return -EINVAL;
	}
	if (!tb[LMIG_PROFILE_A_SERVICES]) {
		NL_SET_ERR_MSG_ATTR(extack, a->nest, "missing services");
		NL_SET_ERR_ATTR_MISS(extack, a->nest, LMIG_PROFILE_A_SERVICES);
		return -EINVAL;
	}
	return 0;
}

static int lmig_nl_profile_new(struct sk_buff *skb, struct genl_info *info)
{
	struct netlink_ext_ack *extack = info->extack;
	struct net *net = genl_info_net(info);
	struct lmig_table *t = lmig_table_get(net);
	struct lmig_draft d = { .state = LMIG_STATE_ACTIVE };
	struct lmig_profile *p;
	struct lmig_attrs a;
	struct sk_buff *msg;
	int ret;

	ret = lmig_nl_gather(info, &a);
	if (ret)
		return ret;
	ret = lmig_nl_new_required(&a, extack);
	if (ret)
		return ret;
	lmig_attrs_apply(&a, &d);
	ret = lmig_attrs_check_window(&a, &d, extack);
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
	ret = lmig_nl_check_room(t, extack);
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
	lmig_profile_free(p);
	return ret;
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
	struct net *net = genl_info_net(info);
	struct lmig_table *t = lmig_table_get(net);
	struct lmig_profile *old, *new;
	const struct nlattr *sel;
	struct lmig_draft d;
	struct lmig_attrs a;
	struct sk_buff *msg;
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
	old = lmig_nl_find(t, sel, extack);
	if (!old) {
		ret = -ENOENT;
		goto err_unlock;
	}
	lmig_draft_from_profile(&d, old);
	lmig_attrs_apply(&a, &d);
	ret = lmig_attrs_check_window(&a, &d, extack);
	if (ret)
		goto err_unlock;

	if (lmig_draft_matches(&d, old)) {
		/* Already so: no new generation, no event. */
		msg = lmig_nl_reply(info, old);
		mutex_unlock(&t->lock);
		return IS_ERR(msg) ? PTR_ERR(msg) : genlmsg_reply(msg, info);
	}

	ret = lmig_nl_check_ids(t, &a, old, extack);
	if (ret)
		goto err_unlock;
	new = lmig_profile_alloc(&d);
	if (!new) {
		ret = -ENOMEM;
		goto err_unlock;
	}
	msg = genlmsg_new(lmig_profile_nest_size(new), GFP_KERNEL);
	if (!msg) {
		ret = -ENOMEM;
		goto err_new;
	}
	ret = lmig_table_replace(t, old, new);
	if (ret)
		goto err_msg;
	lmig_nl_notify(net, t, LMIG_CMD_PROFILE_CHANGE_NTF, new, old);
	ret = lmig_nl_fill_reply(msg, info, new);
	mutex_unlock(&t->lock);
	lmig_profile_free(old);
	return lmig_nl_reply_change(msg, info, ret);

err_msg:
	nlmsg_free(msg);
err_new:
	lmig_profile_free(new);
err_unlock:
	mutex_unlock(&t->lock);
	return ret;
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
	p = lmig_nl_find(t, sel, info->extack);
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

	mutex_lock(&t->lock);
	p = lmig_nl_find(t, sel, info->extack);
	msg = p ? lmig_nl_reply(info, p) : ERR_PTR(-ENOENT);
	mutex_unlock(&t->lock);
	if (IS_ERR(msg))
		return PTR_ERR(msg);
	return genlmsg_reply(msg, info);
}

static int lmig_nl_dump_start(struct netlink_callback *cb)
{
	struct lmig_dump_ctx *ctx = (struct lmig_dump_ctx *)cb->ctx;

	BUILD_BUG_ON(sizeof(*ctx) > sizeof(cb->ctx));
	ctx->next_user_id = 1;
	/* Every buffer must have room for the largest profile. */
	cb->min_dump_alloc = LMIG_DUMP_MSG_MAX;
	return 0;
}

/*
 * One message per profile in ascending user id order, resuming after the
 * last profile sent. The table generation serves as the dump sequence, so
 * a change between two parts marks the next message NLM_F_DUMP_INTR.
 */
static int lmig_nl_profile_dump(struct sk_buff *skb,
				struct netlink_callback *cb)
{
	struct lmig_dump_ctx *ctx = (struct lmig_dump_ctx *)cb->ctx;
	struct lmig_table *t = lmig_table_get(sock_net(skb->sk));
	struct lmig_profile *p;
	unsigned long user_id;
	bool full = false;
	void *hdr;

	if (nlmsg_attrlen(cb->nlh, GENL_HDRLEN)) {
		NL_SET_ERR_MSG_MOD(cb->extack, "a dump takes no attributes");
		return -EINVAL;
	}

	if (ctx->next_user_id > U32_MAX)
		return 0;

	mutex_lock(&t->lock);
	/* 0 would mean "no sequence yet" to the consistency check. */
	cb->seq = lower_32_bits(t->generation) + 1;
	if (!cb->seq)
		cb->seq = 1;
	xa_for_each_start(&t->by_user, user_id, p, ctx->next_user_id) {
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, &lmig_family,
				  NLM_F_MULTI, LMIG_CMD_PROFILE_GET);
		if (!hdr) {
			full = true;
			break;
		}
		genl_dump_check_consistent(cb, hdr);
		if (lmig_profile_fill(skb, LMIG_A_PROFILE, p)) {
			genlmsg_cancel(skb, hdr);
			full = true;
			break;
		}
		genlmsg_end(skb, hdr);
		ctx->next_user_id = (u64)user_id + 1;
	}
	mutex_unlock(&t->lock);

	/* An empty part would end the dump early. */
	if (full && !skb->len)
		return -EMSGSIZE;
	return skb->len;
}

static int lmig_nl_info_get(struct sk_buff *skb, struct genl_info *info)
{
	struct lmig_table *t = lmig_table_get(genl_info_net(info));
	struct sk_buff *msg;
	struct nlattr *nest;
	void *hdr;

	msg = genlmsg_new(nla_total_size(0) +
			  2 * nla_total_size_64bit(sizeof(u64)) +
			  2 * nla_total_size(sizeof(u32)), GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &lmig_family, 0, LMIG_CMD_INFO_GET);
	if (!hdr)
		goto err_msg;
	nest = nla_nest_start(msg, LMIG_A_INFO);
	if (!nest)
		goto err_msg;

	mutex_lock(&t->lock);
	if (nla_put_u64_64bit(msg, LMIG_INFO_A_EPOCH, t->epoch,
			      LMIG_INFO_A_PAD) ||
	    nla_put_u64_64bit(msg, LMIG_INFO_A_GENERATION, t->generation,
			      LMIG_INFO_A_PAD) ||
	    nla_put_u32(msg, LMIG_INFO_A_PROFILES, t->count) ||
	    nla_put_u32(msg, LMIG_INFO_A_MAX_PROFILES,
			lmig_table_max_profiles())) {
		mutex_unlock(&t->lock);
		goto err_msg;
	}
	mutex_unlock(&t->lock);

	nla_nest_end(msg, nest);
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err_msg:
	nlmsg_free(msg);
	return -EMSGSIZE;
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
		.policy		= lmig_info_policy,
		.maxattr	= LMIG_A_MAX,
		.doit		= lmig_nl_info_get,
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

int __init lmig_netlink_init(void)
{
	return genl_register_family(&lmig_family);
}

void lmig_netlink_exit(void)
{
	genl_unregister_family(&lmig_family);
}
