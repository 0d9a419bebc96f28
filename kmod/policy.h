/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What each command accepts: one policy per command, strict for every
 * attribute, with a message naming the attribute on every refusal.
 */
#ifndef _LMIG_POLICY_H
#define _LMIG_POLICY_H

#include <net/netlink.h>
#include <linux/lmig.h>

extern const struct nla_policy lmig_new_policy[LMIG_A_MAX + 1];
extern const struct nla_policy lmig_set_policy[LMIG_A_MAX + 1];
extern const struct nla_policy lmig_del_policy[LMIG_A_MAX + 1];
extern const struct nla_policy lmig_get_policy[LMIG_A_MAX + 1];
extern const struct nla_policy lmig_replace_policy[LMIG_A_MAX + 1];
extern const struct nla_policy lmig_apply_add_policy[LMIG_A_MAX + 1];
extern const struct nla_policy lmig_apply_commit_policy[LMIG_A_MAX + 1];
/* INFO_GET, FLUSH, APPLY_BEGIN, APPLY_ABORT. */
extern const struct nla_policy lmig_no_attrs_policy[LMIG_A_MAX + 1];

#endif /* _LMIG_POLICY_H */
