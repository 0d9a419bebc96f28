// SPDX-License-Identifier: GPL-2.0-only
/* The agent's epoll event loop. */
#include <errno.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "clock.h"
#include "loop.h"

/*
 * Each registered descriptor owns one handler; epoll hands its address
 * back. Handlers are freed only between batches, so a callback may remove
 * any descriptor, its own included.
 */
struct handler {
	int fd;
	lmigd_fd_cb cb;
	void *arg;
	bool removed;
	struct handler *next;
};

struct lmigd_loop {
	int epfd;
	bool stop;
	struct handler *handlers;
	void (*tick)(void *arg);
	void *tick_arg;
};

struct lmigd_loop *lmigd_loop_new(void)
{
	struct lmigd_loop *loop = calloc(1, sizeof(*loop));

	if (!loop)
		return NULL;
	loop->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (loop->epfd < 0) {
		free(loop);
		return NULL;
	}
	return loop;
}

static void reap(struct lmigd_loop *loop)
{
	struct handler **pp = &loop->handlers;

	while (*pp) {
		struct handler *h = *pp;

		if (h->removed) {
			*pp = h->next;
			free(h);
		} else {
			pp = &h->next;
		}
	}
}

void lmigd_loop_free(struct lmigd_loop *loop)
{
	if (!loop)
		return;
	for (struct handler *h = loop->handlers; h; h = h->next)
		h->removed = true;
	reap(loop);
	close(loop->epfd);
	free(loop);
}

static struct handler *find(struct lmigd_loop *loop, int fd)
{
	for (struct handler *h = loop->handlers; h; h = h->next)
		if (h->fd == fd && !h->removed)
			return h;
	return NULL;
}

int lmigd_loop_add(struct lmigd_loop *loop, int fd, uint32_t events,
		   lmigd_fd_cb cb, void *arg)
{
	struct handler *h = calloc(1, sizeof(*h));
	struct epoll_event ev = {.events = events};

	if (!h)
		return -ENOMEM;
	h->fd = fd;
	h->cb = cb;
	h->arg = arg;
	ev.data.ptr = h;
	if (epoll_ctl(loop->epfd, EPOLL_CTL_ADD, fd, &ev)) {
		int err = -errno;

		free(h);
		return err;
	}
	h->next = loop->handlers;
	loop->handlers = h;
	return 0;
}

int lmigd_loop_modify(struct lmigd_loop *loop, int fd, uint32_t events,
		      lmigd_fd_cb cb, void *arg)
{
	struct handler *h = find(loop, fd);
	struct epoll_event ev = {.events = events};

	if (!h)
		return -ENOENT;
	h->cb = cb;
	h->arg = arg;
	ev.data.ptr = h;
	return epoll_ctl(loop->epfd, EPOLL_CTL_MOD, fd, &ev) ? -errno : 0;
}

void lmigd_loop_remove(struct lmigd_loop *loop, int fd)
{
	struct handler *h = find(loop, fd);

	if (!h)
		return;
	epoll_ctl(loop->epfd, EPOLL_CTL_DEL, fd, NULL);
	h->removed = true;
}

void lmigd_loop_set_tick(struct lmigd_loop *loop, void (*cb)(void *arg),
			 void *arg)
{
	loop->tick = cb;
	loop->tick_arg = arg;
}

void lmigd_loop_stop(struct lmigd_loop *loop)
{
	loop->stop = true;
}

static int64_t now_ms(void)
{
	return (int64_t)(lmig_clock_precise_ns() / 1000000);
}

/* Wait up to timeout_ms for one batch of events and run their handlers. */
static int dispatch(struct lmigd_loop *loop, int timeout_ms)
{
	struct epoll_event evs[64];
	int n = epoll_wait(loop->epfd, evs, 64, timeout_ms);

	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	for (int i = 0; i < n; i++) {
		struct handler *h = evs[i].data.ptr;

		if (!h->removed)
			h->cb(h->arg, evs[i].events);
	}
	return n;
}

int lmigd_loop_run_once(struct lmigd_loop *loop, int timeout_ms)
{
	int n = dispatch(loop, timeout_ms);

	reap(loop);
	return n;
}

int lmigd_loop_run(struct lmigd_loop *loop)
{
	int64_t next_tick = now_ms() + 1000;

	loop->stop = false;
	while (!loop->stop) {
		int64_t wait = next_tick - now_ms();
		int n = dispatch(loop, wait < 0 ? 0 : (int)wait);

		if (n < 0)
			return n;
		if (now_ms() >= next_tick) {
			next_tick = now_ms() + 1000;
			if (loop->tick)
				loop->tick(loop->tick_arg);
		}
		reap(loop);
	}
	return 0;
}
