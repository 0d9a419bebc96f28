/* SPDX-License-Identifier: GPL-2.0-only */
/* The state of one running lmigd, shared by its parts. */
#ifndef LMIG_AGENT_LMIGD_H
#define LMIG_AGENT_LMIGD_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "denials.h"
#include "fastpath.h"
#include "kernel.h"
#include "latency.h"
#include "loop.h"
#include "server.h"
#include "snapshot.h"
#include "token.h"
#include "token_cache.h"
#include "user_addrs.h"
#include "workers.h"

struct lmigd {
	struct lmigd_config cfg;
	/* Verifier and token cache; replaced whole on reload. */
	struct lmigd_snapshot *snap;
	struct lmigd_workers *workers;
	struct lmigd_user_addrs *addrs; /* admitted addresses by user */
	struct lmigd_kernel *kernel;
	struct lmig_fp *fp;
	struct lmigd_loop *loop;
	struct lmigd_server *server;
	int signal_fd;
	/* The kernel table state the fast path mirrors. */
	uint64_t epoch;
	uint64_t generation;
	bool resync_pending;
	unsigned int ticks;
	uint64_t admitted, refused;
	uint64_t busy; /* answered 503: every worker's queue full */
	/* Request parsed to admission written, for each admission. */
	struct lmigd_latency admit_latency;
	/* CLOCK_REALTIME - CLOCK_MONOTONIC the expiries were written with. */
	int64_t clock_anchor_ns;
	struct lmigd_denials denials;
};

#endif /* LMIG_AGENT_LMIGD_H */
