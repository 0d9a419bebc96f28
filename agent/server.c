// SPDX-License-Identifier: GPL-2.0-only
/* TLS listeners and HTTP/1.1 connections on the agent's event loop. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "clock.h"
#include "jsonw.h"
#include "log.h"
#include "server.h"
#include "source_rate.h"

enum conn_state {
	CONN_HANDSHAKE,
	CONN_READING,
	CONN_WRITING,
	CONN_WAITING, /* for a deferred answer; reads nothing meanwhile */
};

struct lmigd_conn {
	struct lmigd_server *srv;
	int fd;
	SSL *ssl;
	enum conn_state state;
	struct sockaddr_storage peer;
	int64_t deadline_ms;
	bool close_after_write;
	bool dead; /* closed while waiting: freed by the answer */
	char in[HTTP_MAX_HEADER + HTTP_MAX_BODY];
	size_t in_len;
	char *out;
	size_t out_len, out_off;
	struct lmigd_conn *prev, *next;
};

struct listener {
	struct lmigd_server *srv;
	int fd;
};

struct lmigd_server {
	struct lmigd_loop *loop;
	SSL_CTX *ctx;
	lmigd_request_cb cb;
	void *arg;
	struct listener listeners[LMIGD_MAX_LISTEN];
	int n_listeners;
	struct lmigd_conn *conns;
	struct lmigd_conn *zombies; /* closed, an answer still to come */
	unsigned int n_conns, max_conns;
	struct lmigd_source_rate *per_source;
	uint64_t rate_refused; /* since the last expire() */
};

static int64_t now_ms(void)
{
	return (int64_t)(lmig_clock_precise_ns() / 1000000);
}

static const char *tls_error(void)
{
	static char buf[256];
	unsigned long e = ERR_get_error();

	ERR_clear_error();
	if (!e)
		return "unknown TLS error";
	ERR_error_string_n(e, buf, sizeof(buf));
	return buf;
}

static void conn_unlink(struct lmigd_conn **head, struct lmigd_conn *c)
{
	if (c->prev)
		c->prev->next = c->next;
	else
		*head = c->next;
	if (c->next)
		c->next->prev = c->prev;
	c->prev = c->next = NULL;
}

static void conn_close(struct lmigd_conn *c)
{
	struct lmigd_server *srv = c->srv;

	lmigd_loop_remove(srv->loop, c->fd);
	if (c->ssl) {
		if (c->state != CONN_HANDSHAKE)
			SSL_shutdown(c->ssl);
		SSL_free(c->ssl);
		c->ssl = NULL;
	}
	close(c->fd);
	c->fd = -1;
	free(c->out);
	c->out = NULL;
	conn_unlink(&srv->conns, c);
	srv->n_conns--;
	if (c->state == CONN_WAITING) {
		/* A worker's answer still names it: keep it till then. */
		c->dead = true;
		c->next = srv->zombies;
		if (srv->zombies)
			srv->zombies->prev = c;
		srv->zombies = c;
		return;
	}
	free(c);
}

static void conn_event(void *arg, uint32_t events);

/* Wait for what OpenSSL asks for, or close on a real error. */
static void conn_wait(struct lmigd_conn *c, int ret)
{
	uint32_t want;

	switch (SSL_get_error(c->ssl, ret)) {
	case SSL_ERROR_WANT_READ:
		want = EPOLLIN;
		break;
	case SSL_ERROR_WANT_WRITE:
		want = EPOLLOUT;
		break;
	default:
		ERR_clear_error();
		conn_close(c);
		return;
	}
	if (lmigd_loop_modify(c->srv->loop, c->fd, want, conn_event, c))
		conn_close(c);
}

enum respond {
	RESPOND_CLOSED,	  /* the connection had to be closed (and is freed) */
	RESPOND_WRITING,  /* the answer is in the output buffer */
	RESPOND_DEFERRED, /* lmigd_server_answer() will bring it */
};

/* Serialise a response into the output buffer and start writing it. */
static enum respond conn_respond(struct lmigd_conn *c,
				 const struct http_request *req,
				 int error_status, const char *why)
{
	bool keep_alive = req ? req->keep_alive : false;
	FILE *out = open_memstream(&c->out, &c->out_len);
	int ret = LMIGD_ANSWERED;

	if (!out) {
		conn_close(c);
		return RESPOND_CLOSED;
	}
	if (req) {
		ret = c->srv->cb(c->srv->arg, c, req, &c->peer, out,
				 &keep_alive);
	} else {
		char *body = NULL;
		size_t len = 0;
		FILE *b = open_memstream(&body, &len);
		struct jsonw w;

		if (b) {
			jsonw_init(&w, b, false);
			jsonw_start_object(&w, NULL);
			jsonw_string(&w, "error", "invalid_request");
			jsonw_string(&w, "message", why ? why : "bad request");
			jsonw_end_object(&w);
			fclose(b);
		}
		http_write_response(out, error_status, false, NULL,
				    body ? body : "", body ? len : 0);
		free(body);
	}
	if (fclose(out)) {
		conn_close(c);
		return RESPOND_CLOSED;
	}
	if (ret == LMIGD_DEFERRED) {
		free(c->out);
		c->out = NULL;
		c->state = CONN_WAITING;
		c->deadline_ms = now_ms() + LMIGD_REQUEST_TIMEOUT_MS;
		/* Only hang-ups and errors are reported meanwhile. */
		if (lmigd_loop_modify(c->srv->loop, c->fd, 0, conn_event, c)) {
			conn_close(c);
			return RESPOND_CLOSED;
		}
		return RESPOND_DEFERRED;
	}
	c->out_off = 0;
	c->close_after_write = !keep_alive;
	c->state = CONN_WRITING;
	c->deadline_ms = now_ms() + LMIGD_REQUEST_TIMEOUT_MS;
	return RESPOND_WRITING;
}

static void conn_step(struct lmigd_conn *c)
{
	for (;;) {
		struct http_request req;
		const char *why;
		int ret;

		switch (c->state) {
		case CONN_HANDSHAKE:
			ret = SSL_do_handshake(c->ssl);
			if (ret != 1) {
				conn_wait(c, ret);
				return;
			}
			c->state = CONN_READING;
			c->deadline_ms = now_ms() + LMIGD_REQUEST_TIMEOUT_MS;
			break;
		case CONN_READING:
			ret = http_parse_request(c->in, c->in_len, &req, &why);
			if (ret == 1) {
				enum respond r = conn_respond(c, &req, 0, NULL);

				if (r == RESPOND_CLOSED)
					return;
				c->in_len -= req.length;
				memmove(c->in, c->in + req.length, c->in_len);
				if (r == RESPOND_DEFERRED)
					return;
				break;
			}
			if (ret < 0) {
				if (!conn_respond(c, NULL, -ret, why))
					return;
				break;
			}
			if (c->in_len == sizeof(c->in)) {
				if (!conn_respond(c, NULL, 431,
						  "request too large"))
					return;
				break;
			}
			ret = SSL_read(c->ssl, c->in + c->in_len,
				       sizeof(c->in) - c->in_len);
			if (ret <= 0) {
				conn_wait(c, ret);
				return;
			}
			c->in_len += ret;
			break;
		case CONN_WRITING:
			ret = SSL_write(c->ssl, c->out + c->out_off,
					c->out_len - c->out_off);
			if (ret <= 0) {
				conn_wait(c, ret);
				return;
			}
			c->out_off += ret;
			if (c->out_off < c->out_len)
				break;
			free(c->out);
			c->out = NULL;
			if (c->close_after_write) {
				conn_close(c);
				return;
			}

			c->state = CONN_READING;
			c->deadline_ms = now_ms() +
					 (c->in_len ? LMIGD_REQUEST_TIMEOUT_MS
						    : LMIGD_IDLE_TIMEOUT_MS);
			break;
		case CONN_WAITING:
			return;
		}
	}
}

static void conn_event(void *arg, uint32_t events)
{
	struct lmigd_conn *c = arg;

	if (c->state == CONN_WAITING) {
		if (events & (EPOLLHUP | EPOLLERR))
			conn_close(c);
		return;
	}
	conn_step(c);
}

void lmigd_server_answer(struct lmigd_conn *c, char *response, size_t len,
			 bool keep_alive)
{
	if (c->dead) {
		conn_unlink(&c->srv->zombies, c);
		free(response);
		free(c);
		return;
	}
	if (!response || !len) {
		/* Nothing could be said: the client sees the close. */
		free(response);
		conn_close(c);
		return;
	}
	c->out = response;
	c->out_len = len;
	c->out_off = 0;
	c->close_after_write = !keep_alive;
	c->state = CONN_WRITING;
	c->deadline_ms = now_ms() + LMIGD_REQUEST_TIMEOUT_MS;
	conn_step(c);
}

/* Returns false when no connection was waiting. */
static bool accept_one(struct lmigd_server *srv, int lfd)
{
	struct sockaddr_storage peer;
	socklen_t len = sizeof(peer);
	struct lmigd_conn *c;
	int fd;

	fd = accept4(lfd, (struct sockaddr *)&peer, &len,
		     SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return false;
	if (!lmigd_source_rate_admit(srv->per_source, &peer, now_ms() * 1000)) {
		/* Before any TLS work; counted, logged once a second. */
		close(fd);
		srv->rate_refused++;
		return true;
	}
	if (srv->n_conns >= srv->max_conns) {
		close(fd);
		log_warn("connection limit (%u) reached: refusing a client",
			 srv->max_conns);
		return true;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		close(fd);
		return true;
	}
	c->srv = srv;
	c->fd = fd;
	c->peer = peer;
	c->state = CONN_HANDSHAKE;
	c->deadline_ms = now_ms() + LMIGD_HANDSHAKE_TIMEOUT_MS;
	c->ssl = SSL_new(srv->ctx);
	if (!c->ssl || !SSL_set_fd(c->ssl, fd) ||
	    lmigd_loop_add(srv->loop, fd, EPOLLIN, conn_event, c)) {
		if (c->ssl)
			SSL_free(c->ssl);
		ERR_clear_error();
		close(fd);
		free(c);
		return true;
	}
	SSL_set_accept_state(c->ssl);
	c->next = srv->conns;
	if (srv->conns)
		srv->conns->prev = c;
	srv->conns = c;
	srv->n_conns++;
	conn_step(c);
	return true;
}

static void listener_event(void *arg, uint32_t events)
{
	struct listener *l = arg;

	(void)events;
	/* Bounded so one busy listener cannot starve the rest. */
	for (int i = 0; i < 32; i++)
		if (!accept_one(l->srv, l->fd))
			break;
}

static int open_listener(struct lmigd_server *srv,
			 const struct sockaddr_storage *ss, char *err,
			 size_t errlen)
{
	socklen_t len = ss->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6)
						  : sizeof(struct sockaddr_in);
	char host[INET6_ADDRSTRLEN] = "?";
	int one = 1, fd;
	const void *addr;

	addr = ss->ss_family == AF_INET6
		       ? (const void *)&((const struct sockaddr_in6 *)ss)
				 ->sin6_addr
		       : (const void *)&((const struct sockaddr_in *)ss)
				 ->sin_addr;
	inet_ntop(ss->ss_family, addr, host, sizeof(host));

	fd = socket(ss->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    0);
	if (fd < 0)
		goto fail;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ss->ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (const struct sockaddr *)ss, len) || listen(fd, 128))
		goto fail;

	struct listener *l = &srv->listeners[srv->n_listeners];

	l->srv = srv;
	l->fd = fd;
	if (lmigd_loop_add(srv->loop, fd, EPOLLIN, listener_event, l))
		goto fail;
	srv->n_listeners++;
	log_info("admission endpoint listening on %s%s%s:%u",
		 ss->ss_family == AF_INET6 ? "[" : "", host,
		 ss->ss_family == AF_INET6 ? "]" : "", lmigd_listen_port(ss));
	return 0;
fail:
	snprintf(err, errlen, "listen on %s port %u: %s", host,
		 lmigd_listen_port(ss), strerror(errno));
	if (fd >= 0)
		close(fd);
	return -1;
}

static SSL_CTX *tls_context(const struct lmigd_config *cfg, char *err,
			    size_t errlen)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());

	if (!ctx) {
		snprintf(err, errlen, "TLS context: %s", tls_error());
		return NULL;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION |
					 SSL_OP_CIPHER_SERVER_PREFERENCE |
					 SSL_OP_NO_COMPRESSION);
	SSL_CTX_set_mode(ctx, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	if (SSL_CTX_use_certificate_chain_file(ctx, cfg->tls_cert) != 1) {
		snprintf(err, errlen, "tls-certificate %s: %s", cfg->tls_cert,
			 tls_error());
		goto fail;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, cfg->tls_key, SSL_FILETYPE_PEM) !=
	    1) {
		snprintf(err, errlen, "tls-key %s: %s", cfg->tls_key,
			 tls_error());
		goto fail;
	}
	if (SSL_CTX_check_private_key(ctx) != 1) {
		snprintf(err, errlen,
			 "tls-key %s does not match tls-certificate %s",
			 cfg->tls_key, cfg->tls_cert);
		goto fail;
	}
	return ctx;
fail:
	SSL_CTX_free(ctx);
	return NULL;
}

int lmigd_server_start(struct lmigd_server **out, struct lmigd_loop *loop,
		       const struct lmigd_config *cfg, lmigd_request_cb cb,
		       void *arg, char *err, size_t errlen)
{
	struct lmigd_server *srv = calloc(1, sizeof(*srv));

	if (!srv) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	srv->loop = loop;
	srv->cb = cb;
	srv->arg = arg;
	srv->max_conns = cfg->max_connections;
	srv->per_source = lmigd_source_rate_new(cfg->connection_rate.rate,
						cfg->connection_rate.burst);
	if (!srv->per_source) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	srv->ctx = tls_context(cfg, err, errlen);
	if (!srv->ctx)
		goto fail;
	for (int i = 0; i < cfg->n_listen; i++)
		if (open_listener(srv, &cfg->listen[i], err, errlen))
			goto fail;
	*out = srv;
	return 0;
fail:
	lmigd_server_stop(srv);
	return -1;
}

void lmigd_server_stop(struct lmigd_server *srv)
{
	if (!srv)
		return;
	while (srv->conns)
		conn_close(srv->conns);
	while (srv->zombies) {
		struct lmigd_conn *c = srv->zombies;

		conn_unlink(&srv->zombies, c);
		free(c);
	}
	for (int i = 0; i < srv->n_listeners; i++) {
		lmigd_loop_remove(srv->loop, srv->listeners[i].fd);
		close(srv->listeners[i].fd);
	}
	SSL_CTX_free(srv->ctx);
	lmigd_source_rate_free(srv->per_source);
	free(srv);
}

void lmigd_server_expire(struct lmigd_server *srv)
{
	int64_t now = now_ms();
	struct lmigd_conn *c = srv->conns;

	if (srv->rate_refused) {
		log_warn("refused %llu connections over the per-source rate",
			 (unsigned long long)srv->rate_refused);
		srv->rate_refused = 0;
	}
	while (c) {
		struct lmigd_conn *next = c->next;

		if (now >= c->deadline_ms)
			conn_close(c);
		c = next;
	}
}

void lmigd_server_set_rate(struct lmigd_server *srv, uint64_t rate,
			   uint64_t burst)
{
	lmigd_source_rate_set(srv->per_source, rate, burst);
}

unsigned int lmigd_server_connections(const struct lmigd_server *srv)
{
	return srv->n_conns;
}
