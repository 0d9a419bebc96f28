/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Once lmigd has loaded the fast path, bound its listeners and opened its
 * netlink sockets, it needs almost nothing: map and netlink access go
 * through descriptors it already holds. It keeps CAP_NET_ADMIN (the lmig
 * family's commands, reconnecting after a module reload) and CAP_BPF
 * (bpf() on those descriptors), and can never regain the rest (bounding
 * set, no_new_privs).
 */
#ifndef LMIG_AGENT_PRIVS_H
#define LMIG_AGENT_PRIVS_H

#include <stddef.h>

/* 0, or -errno with a message in err. */
int lmigd_drop_privileges(char *err, size_t errlen);

#endif /* LMIG_AGENT_PRIVS_H */
