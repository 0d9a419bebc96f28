/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The admission endpoint's transport: TLS 1.2/1.3 listeners and
 * non-blocking connections on the agent's event loop, HTTP/1.1 requests
 * parsed and handed to a callback, keep-alive, and timeouts that bound how
 * long a slow or silent client can hold a connection.
 */
#ifndef LMIG_AGENT_SERVER_H
#define LMIG_AGENT_SERVER_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/socket.h>

#include "config.h"
#include "http.h"
#include "loop.h"

#define LMIGD_HANDSHAKE_TIMEOUT_MS 5000
#define LMIGD_REQUEST_TIMEOUT_MS   10000
#define LMIGD_IDLE_TIMEOUT_MS	   30000

/*
 * Handle one request from peer: write the whole response to out with
 * http_write_response(). Clearing *keep_alive closes the connection after
 * the response.
 */
typedef void (*lmigd_request_cb)(void *arg, const struct http_request *req,
				 const struct sockaddr_storage *peer, FILE *out,
				 bool *keep_alive);

struct lmigd_server;

/* Load the TLS certificate and key and listen on every configured address. */
int lmigd_server_start(struct lmigd_server **srv, struct lmigd_loop *loop,
		       const struct lmigd_config *cfg, lmigd_request_cb cb,
		       void *arg, char *err, size_t errlen);

/* Close every connection and listener. */
void lmigd_server_stop(struct lmigd_server *srv);

/* Close connections past their deadline; call about once a second. */
void lmigd_server_expire(struct lmigd_server *srv);

/* A new per-source connection rate (a reload). */
void lmigd_server_set_rate(struct lmigd_server *srv, uint64_t rate,
			   uint64_t burst);

/* Open connections, for health reporting. */
unsigned int lmigd_server_connections(const struct lmigd_server *srv);

#endif /* LMIG_AGENT_SERVER_H */
