/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The addresses each user holds admissions for, so that a user can be
 * capped (max-addresses-per-user). An index the agent keeps beside the
 * admission map: rebuilt from the map at start, added to on every grant.
 * It may hold addresses the map no longer has (expired, revoked, ended
 * by a profile change): those are found and dropped when they could
 * matter, by checking a user's addresses against the map whenever the
 * user's count reaches the cap. So it never needs to hear of a removal,
 * and a stale entry can only ever cost a look-up.
 */
#ifndef LMIG_AGENT_USER_ADDRS_H
#define LMIG_AGENT_USER_ADDRS_H

#include <stddef.h>
#include <stdint.h>

#include "fastpath.h"

struct lmigd_user_addrs;

struct lmigd_user_addrs *lmigd_user_addrs_new(void);
void lmigd_user_addrs_free(struct lmigd_user_addrs *ua);

/* Forget everything and read every admission of the map. 0 or -errno. */
int lmigd_user_addrs_rebuild(struct lmigd_user_addrs *ua, struct lmig_fp *fp);

/* addr was granted to user_id at granted_ns. 0 or -ENOMEM. */
int lmigd_user_addrs_add(struct lmigd_user_addrs *ua, uint32_t user_id,
			 const struct lmig_addr *addr, uint64_t granted_ns);

/*
 * How many addresses other than except user_id holds admissions for in
 * fp now (stale entries are dropped on the way), and in *oldest the one
 * granted first, if any.
 */
size_t lmigd_user_addrs_live(struct lmigd_user_addrs *ua, struct lmig_fp *fp,
			     uint32_t user_id, const struct lmig_addr *except,
			     struct lmig_addr *oldest);

#endif /* LMIG_AGENT_USER_ADDRS_H */
