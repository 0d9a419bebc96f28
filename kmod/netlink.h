/* SPDX-License-Identifier: GPL-2.0-only */
/* The "lmig" generic netlink family and the events it sends. */
#ifndef _LMIG_NETLINK_H
#define _LMIG_NETLINK_H

#include <linux/types.h>

struct lmig_profile;
struct lmig_table;
struct net;

int lmig_netlink_init(void);
void lmig_netlink_exit(void);

bool lmig_nl_has_listeners(struct net *net);
void lmig_nl_notify(struct net *net, struct lmig_table *t, u8 cmd,
		    const struct lmig_profile *p,
		    const struct lmig_profile *old);

#endif /* _LMIG_NETLINK_H */
