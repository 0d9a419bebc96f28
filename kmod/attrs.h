/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One LMIG_A_PROFILE nest of a request, gathered after its policy has
 * validated every attribute in it.
 */
#ifndef _LMIG_ATTRS_H
#define _LMIG_ATTRS_H

#include <net/netlink.h>
#include <linux/lmig.h>

struct lmig_draft;

struct lmig_attrs {
	const struct nlattr *nest;
	const struct nlattr *tb[LMIG_PROFILE_A_MAX + 1]; /* first PRIMARY_ID */
	const struct nlattr *primary[LMIG_PRIMARY_IDS_MAX];
	unsigned int n_primary;
};

int lmig_attrs_gather(struct lmig_attrs *a, const struct nlattr *nest,
		      struct netlink_ext_ack *extack);
int lmig_attrs_check_complete(const struct lmig_attrs *a,
			      struct netlink_ext_ack *extack);
void lmig_attrs_apply(const struct lmig_attrs *a, struct lmig_draft *d);
int lmig_attrs_check_window(const struct lmig_attrs *a,
			    const struct lmig_draft *d,
			    struct netlink_ext_ack *extack);

#endif /* _LMIG_ATTRS_H */
