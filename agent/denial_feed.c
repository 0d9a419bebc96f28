// SPDX-License-Identifier: GPL-2.0-only
/* The denial feed: lmigd's side. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "denial_feed.h"
#include "feed.h"
#include "log.h"

struct subscriber {
	struct lmigd_feed *feed;
	int fd;	       /* -1: a free place */
	uint32_t lost; /* samples missed since the last one sent */
};

struct lmigd_feed {
	struct lmigd_loop *loop;
	int listen_fd;
	unsigned int n;
	uint64_t lost;
	struct subscriber subs[LMIG_FEED_SUBSCRIBERS_MAX];
};

static int send_msg(int fd, const struct lmig_feed_msg *m)
{
	return send(fd, m, sizeof(*m), MSG_DONTWAIT | MSG_NOSIGNAL) < 0 ? -errno
									: 0;
}

static void drop(struct subscriber *s)
{
	lmigd_loop_remove(s->feed->loop, s->fd);
	close(s->fd);
	s->fd = -1;
	s->feed->n--;
	log_debug("denial feed: a subscriber left (%u remain)", s->feed->n);
}

/* Subscribers only listen: input is discarded, end of file or an error
 * ends the subscription. */
static void on_subscriber(void *arg, uint32_t events)
{
	struct subscriber *s = arg;
	char buf[64];
	ssize_t n;

	do
		n = recv(s->fd, buf, sizeof(buf), MSG_DONTWAIT);
	while (n > 0);
	if (n == 0 || (n < 0 && errno != EAGAIN) ||
	    (events & (EPOLLHUP | EPOLLERR)))
		drop(s);
}

static void refuse(int fd, enum lmig_feed_refusal why)
{
	struct lmig_feed_msg m = {.type = LMIG_FEED_REFUSED, .refusal = why};

	send_msg(fd, &m);
	close(fd);
}

static void subscribe(struct lmigd_feed *f, int fd)
{
	struct lmig_feed_msg hello = {.type = LMIG_FEED_HELLO};
	struct subscriber *s = NULL;
	struct ucred cred;
	socklen_t len = sizeof(cred);

	/* The samples name sources and ports: root's to see, as the maps. */
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) ||
	    cred.uid != 0) {
		log_notice("denial feed: refused a subscriber of uid %d: root "
			   "only",
			   len == sizeof(cred) ? (int)cred.uid : -1);
		refuse(fd, LMIG_FEED_NOT_ROOT);
		return;
	}
	for (unsigned int i = 0; i < LMIG_FEED_SUBSCRIBERS_MAX && !s; i++)
		if (f->subs[i].fd < 0)
			s = &f->subs[i];
	if (!s) {
		log_notice("denial feed: refused a subscriber: %d served "
			   "already",
			   LMIG_FEED_SUBSCRIBERS_MAX);
		refuse(fd, LMIG_FEED_FULL);
		return;
	}
	if (send_msg(fd, &hello) ||
	    lmigd_loop_add(f->loop, fd, EPOLLIN | EPOLLRDHUP, on_subscriber,
			   s)) {
		close(fd);
		return;
	}
	*s = (struct subscriber){.feed = f, .fd = fd};
	f->n++;
	log_debug("denial feed: subscriber pid %d (%u served)", (int)cred.pid,
		  f->n);
}

static void on_listen(void *arg, uint32_t events)
{
	struct lmigd_feed *f = arg;
	int fd;

	(void)events;
	while ((fd = accept4(f->listen_fd, NULL, NULL,
			     SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0)
		subscribe(f, fd);
}

int lmigd_feed_start(struct lmigd_feed **feed, struct lmigd_loop *loop,
		     const char *instance, char *err, size_t errlen)
{
	struct lmigd_feed *f = calloc(1, sizeof(*f));
	struct sockaddr_un sun;
	socklen_t len;
	int ret;

	*feed = NULL;
	if (!f) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	f->loop = loop;
	f->listen_fd = -1;
	for (unsigned int i = 0; i < LMIG_FEED_SUBSCRIBERS_MAX; i++)
		f->subs[i].fd = -1;
	ret = lmig_feed_address(instance, &sun, &len, err, errlen);
	if (ret)
		goto fail;
	f->listen_fd = socket(AF_UNIX,
			      SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (f->listen_fd < 0 ||
	    bind(f->listen_fd, (struct sockaddr *)&sun, len) ||
	    listen(f->listen_fd, LMIG_FEED_SUBSCRIBERS_MAX)) {
		ret = -errno;
		snprintf(err, errlen, "denial feed @%s: %s%s", sun.sun_path + 1,
			 strerror(errno),
			 errno == EADDRINUSE
				 ? " (another lmigd of this instance runs in "
				   "this network namespace)"
				 : "");
		goto fail;
	}
	ret = lmigd_loop_add(loop, f->listen_fd, EPOLLIN, on_listen, f);
	if (ret) {
		snprintf(err, errlen, "denial feed: %s", strerror(-ret));
		goto fail;
	}
	*feed = f;
	return 0;
fail:
	if (f->listen_fd >= 0)
		close(f->listen_fd);
	free(f);
	return ret;
}

void lmigd_feed_publish(struct lmigd_feed *f, const struct lmig_denial *d)
{
	struct lmig_feed_msg m = {.type = LMIG_FEED_DENIAL, .denial = *d};

	if (!f)
		return;
	for (unsigned int i = 0; i < LMIG_FEED_SUBSCRIBERS_MAX; i++) {
		struct subscriber *s = &f->subs[i];
		int err;

		if (s->fd < 0)
			continue;
		m.lost = s->lost;
		err = send_msg(s->fd, &m);
		if (!err) {
			s->lost = 0;
		} else if (err == -EAGAIN || err == -ENOBUFS) {
			if (s->lost < UINT32_MAX)
				s->lost++;
			f->lost++;
		} else {
			drop(s);
		}
	}
}

unsigned int lmigd_feed_subscribers(const struct lmigd_feed *f)
{
	return f ? f->n : 0;
}

uint64_t lmigd_feed_lost(const struct lmigd_feed *f)
{
	return f ? f->lost : 0;
}

void lmigd_feed_stop(struct lmigd_feed *f)
{
	if (!f)
		return;
	for (unsigned int i = 0; i < LMIG_FEED_SUBSCRIBERS_MAX; i++)
		if (f->subs[i].fd >= 0)
			drop(&f->subs[i]);
	lmigd_loop_remove(f->loop, f->listen_fd);
	close(f->listen_fd);
	free(f);
}
