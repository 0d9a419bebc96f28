/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The agent's event loop: one epoll set, a callback per descriptor, and a
 * once-a-second tick for timeouts and housekeeping.
 */
#ifndef LMIG_AGENT_LOOP_H
#define LMIG_AGENT_LOOP_H

#include <stdbool.h>
#include <stdint.h>

struct lmigd_loop;

/* Called with the epoll events (EPOLLIN, EPOLLOUT, EPOLLERR, ...). */
typedef void (*lmigd_fd_cb)(void *arg, uint32_t events);

struct lmigd_loop *lmigd_loop_new(void);
void lmigd_loop_free(struct lmigd_loop *loop);

int lmigd_loop_add(struct lmigd_loop *loop, int fd, uint32_t events,
		   lmigd_fd_cb cb, void *arg);
int lmigd_loop_modify(struct lmigd_loop *loop, int fd, uint32_t events,
		      lmigd_fd_cb cb, void *arg);
void lmigd_loop_remove(struct lmigd_loop *loop, int fd);

/* cb runs about once a second. */
void lmigd_loop_set_tick(struct lmigd_loop *loop, void (*cb)(void *arg),
			 void *arg);

/* Run until lmigd_loop_stop(); returns 0, or -errno on a loop failure. */
int lmigd_loop_run(struct lmigd_loop *loop);
void lmigd_loop_stop(struct lmigd_loop *loop);

/* One batch: wait up to timeout_ms, run the handlers of what is ready,
 * no tick; how many were ready, or -errno. For tests. */
int lmigd_loop_run_once(struct lmigd_loop *loop, int timeout_ms);

#endif /* LMIG_AGENT_LOOP_H */
