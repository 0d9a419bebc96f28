/* SPDX-License-Identifier: GPL-2.0-only */
/* The admission endpoint's resources (see api.c). */
#ifndef LMIG_AGENT_API_H
#define LMIG_AGENT_API_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/socket.h>

#include "admit.h"
#include "http.h"
#include "lmigd.h"

/* An lmigd_request_cb: arg is the struct lmigd. */
int lmigd_api_handle(void *arg, struct lmigd_conn *conn,
		     const struct http_request *req,
		     const struct sockaddr_storage *peer, FILE *out,
		     bool *keep_alive);

/*
 * Write an admitted decision into the fast path for addr: the user's
 * state, then the admission, then the per-user cap. 0, -EDQUOT (over the
 * cap, policy refuse) or another negative errno. The loop thread's; the
 * latency benchmark calls it too.
 */
int lmigd_api_install(struct lmigd *d, const struct lmig_addr *addr,
		      const struct lmigd_decision *dec);

#endif /* LMIG_AGENT_API_H */
