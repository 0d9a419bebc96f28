// SPDX-License-Identifier: GPL-2.0-only
/* Per-source connection rate: one cell-rate state per table slot. */
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "source_rate.h"

struct slot {
	uint8_t addr[16];
	int64_t tat_us; /* theoretical arrival time of the next connection */
	bool used;
};

struct lmigd_source_rate {
	int64_t interval_us; /* 0: no limit */
	int64_t burst_us;
	uint64_t seed;
	struct slot slots[LMIGD_SOURCE_SLOTS];
};

void lmigd_source_rate_set(struct lmigd_source_rate *limit, uint64_t rate,
			   uint64_t burst)
{
	if (!rate) {
		limit->interval_us = 0;
		return;
	}
	limit->interval_us = rate >= 1000000 ? 1 : (int64_t)(1000000 / rate);
	limit->burst_us = (int64_t)(burst ? burst - 1 : 0) * limit->interval_us;
}

struct lmigd_source_rate *lmigd_source_rate_new(uint64_t rate, uint64_t burst)
{
	struct lmigd_source_rate *limit = calloc(1, sizeof(*limit));

	if (!limit)
		return NULL;
	/* Unpredictable slots: no one can aim at another client's. */
	if (getrandom(&limit->seed, sizeof(limit->seed), 0) !=
	    sizeof(limit->seed))
		limit->seed = (uint64_t)(uintptr_t)limit ^
			      0x9e3779b97f4a7c15ULL;
	lmigd_source_rate_set(limit, rate, burst);
	return limit;
}

void lmigd_source_rate_free(struct lmigd_source_rate *limit)
{
	free(limit);
}

/* The address alone (no port), IPv4 as IPv4-mapped IPv6. */
static bool peer_addr(const struct sockaddr_storage *peer, uint8_t out[16])
{
	if (peer->ss_family == AF_INET) {
		const struct sockaddr_in *in = (const void *)peer;

		memset(out, 0, 10);
		out[10] = 0xff;
		out[11] = 0xff;
		memcpy(out + 12, &in->sin_addr, 4);
		return true;
	}
	if (peer->ss_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const void *)peer;

		memcpy(out, &in6->sin6_addr, 16);
		return true;
	}
	return false;
}

static uint32_t slot_of(const struct lmigd_source_rate *limit,
			const uint8_t addr[16])
{
	uint64_t w[2], x;

	memcpy(w, addr, sizeof(w));
	x = (w[0] * 0x9e3779b97f4a7c15ULL) ^ w[1] ^ limit->seed;
	x ^= x >> 31;
	x *= 0xd6e8feb86659fd93ULL;
	x ^= x >> 32;
	return (uint32_t)x & (LMIGD_SOURCE_SLOTS - 1);
}

bool lmigd_source_rate_admit(struct lmigd_source_rate *limit,
			     const struct sockaddr_storage *peer,
			     int64_t now_us)
{
	uint8_t addr[16];
	struct slot *s;
	int64_t tat;

	if (!limit || !limit->interval_us || !peer_addr(peer, addr))
		return true;
	s = &limit->slots[slot_of(limit, addr)];
	if (!s->used || memcmp(s->addr, addr, sizeof(addr))) {
		memcpy(s->addr, addr, sizeof(addr));
		s->used = true;
		s->tat_us = now_us;
	}
	tat = s->tat_us > now_us ? s->tat_us : now_us;
	if (tat - now_us > limit->burst_us)
		return false;
	s->tat_us = tat + limit->interval_us;
	return true;
}
