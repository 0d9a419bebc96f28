/* SPDX-License-Identifier: GPL-2.0-only */
/* The "lmig" generic netlink family. */
#ifndef _LMIG_NETLINK_H
#define _LMIG_NETLINK_H

int lmig_netlink_init(void);
void lmig_netlink_exit(void);

#endif /* _LMIG_NETLINK_H */
