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

struct lmigd_server;
struct lmigd_conn;

#define LMIGD_ANSWERED 0
#define LMIGD_DEFERRED 1

/*
 * Handle one request from peer: write the whole response to out with
 * http_write_response() and return LMIGD_ANSWERED; clearing *keep_alive
 * closes the connection after the response. Or write nothing, keep conn
 * and return LMIGD_DEFERRED: the connection then reads nothing more until
 * lmigd_server_answer(conn, ...) is called, on the loop thread, exactly
 * once (even when the client has gone meanwhile). req and out are valid
 * during the call only.
 */
typedef int (*lmigd_request_cb)(void *arg, struct lmigd_conn *conn,
				const struct http_request *req,
				const struct sockaddr_storage *peer, FILE *out,
				bool *keep_alive);

/*
 * The deferred answer: response (len bytes, from malloc, taken over) is
 * sent, and the connection closed after it unless keep_alive. A NULL or
 * empty response closes the connection without an answer.
 */
void lmigd_server_answer(struct lmigd_conn *conn, char *response, size_t len,
			 bool keep_alive);

/* Load the TLS certificate and key and listen on every configured address. */
int lmigd_server_start(struct lmigd_server **srv, struct lmigd_loop *loop,
		       const struct lmigd_config *cfg, lmigd_request_cb cb,
		       void *arg, char *err, size_t errlen);

/*
 * Close every connection and listener. Deferred answers still due must
 * have been given (stop the workers first).
 */
void lmigd_server_stop(struct lmigd_server *srv);

/* Close connections past their deadline; call about once a second. */
void lmigd_server_expire(struct lmigd_server *srv);

/* A new per-source connection rate (a reload). */
void lmigd_server_set_rate(struct lmigd_server *srv, uint64_t rate,
			   uint64_t burst);

/* Open connections, for health reporting. */
unsigned int lmigd_server_connections(const struct lmigd_server *srv);

#endif /* LMIG_AGENT_SERVER_H */
