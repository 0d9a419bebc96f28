/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * New connections per source address, limited before any TLS work: the
 * generic cell rate algorithm over a fixed table of LMIGD_SOURCE_SLOTS
 * sources. An address takes the slot a keyed hash names; an address
 * finding another there takes the slot over with a fresh budget, so the
 * table never refuses more than the limit says (it may refuse less when
 * very many sources are active at once).
 */
#ifndef LMIG_AGENT_SOURCE_RATE_H
#define LMIG_AGENT_SOURCE_RATE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#define LMIGD_SOURCE_SLOTS 4096 /* a power of two */

struct lmigd_source_rate;

/* rate: connections a second (0: no limit); burst: at once, >= 1. */
struct lmigd_source_rate *lmigd_source_rate_new(uint64_t rate, uint64_t burst);
void lmigd_source_rate_free(struct lmigd_source_rate *limit);
void lmigd_source_rate_set(struct lmigd_source_rate *limit, uint64_t rate,
			   uint64_t burst);

/* May peer open a connection at now_us (CLOCK_MONOTONIC, microseconds)? */
bool lmigd_source_rate_admit(struct lmigd_source_rate *limit,
			     const struct sockaddr_storage *peer,
			     int64_t now_us);

#endif /* LMIG_AGENT_SOURCE_RATE_H */
