/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Mirroring the kernel's profile table into the fast path's lmig_users
 * map, so that one map write suspends, narrows or ends every session of a
 * user. A full resynchronisation at start (and whenever events were lost)
 * makes the map equal to the table; events keep it so. User ids are only
 * meaningful within one table epoch: a new epoch (module reloaded) drops
 * every user and admission first.
 */
#ifndef LMIG_AGENT_MIRROR_H
#define LMIG_AGENT_MIRROR_H

#include "lmigd.h"

/* Make lmig_users equal to the kernel table. 0 or -errno (logged). */
int lmigd_mirror_resync(struct lmigd *d);

/* Apply the events waiting on the kernel socket (resync if some were lost). */
void lmigd_mirror_events(struct lmigd *d);

/* Write one profile's state into lmig_users, unless the map is newer. */
int lmigd_mirror_profile(struct lmigd *d, const struct lmigd_profile *p);

/* Remove admissions that have expired. */
void lmigd_mirror_gc(struct lmigd *d);

#endif /* LMIG_AGENT_MIRROR_H */
