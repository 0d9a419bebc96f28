/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The denial feed of include/lmig_feed.h: its address, and the
 * subscriber's side. lmigd serves it (agent/denial_feed.c).
 */
#ifndef LMIG_FEED_LIB_H
#define LMIG_FEED_LIB_H

#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "lmig_feed.h"

/* The abstract address of instance's feed; -EINVAL and why for a bad
 * instance name. */
int lmig_feed_address(const char *instance, struct sockaddr_un *sun,
		      socklen_t *len, char *msg, size_t msglen);

/*
 * Connect to the feed of instance in this network namespace: *fd, or
 * -ECONNREFUSED when no lmigd serves it. The answer comes later: read it
 * with lmig_feed_hello().
 */
int lmig_feed_connect(const char *instance, int *fd, char *msg, size_t msglen);

/*
 * Wait up to timeout_ms for lmigd's first message: 0 when subscribed,
 * -EACCES or -EBUSY when refused (LMIG_FEED_NOT_ROOT, LMIG_FEED_FULL),
 * -ETIMEDOUT, -ECONNRESET when lmigd closed without a word.
 */
int lmig_feed_hello(int fd, int timeout_ms, char *msg, size_t msglen);

/* One message: 1, 0 when lmigd closed the feed, -errno (-EAGAIN too). */
int lmig_feed_recv(int fd, struct lmig_feed_msg *m);

#endif /* LMIG_FEED_LIB_H */
