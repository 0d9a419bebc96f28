// SPDX-License-Identifier: GPL-2.0-only
/* The denial feed, from the subscriber's side. */
#include <errno.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fastpath.h"
#include "feed.h"

int lmig_feed_address(const char *instance, struct sockaddr_un *sun,
		      socklen_t *len, char *msg, size_t msglen)
{
	int n, err = lmig_fp_instance_check(instance, msg, msglen);

	if (err)
		return err;
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	/* sun_path[0] stays NUL: the abstract namespace. */
	n = snprintf(sun->sun_path + 1, sizeof(sun->sun_path) - 1,
		     LMIG_FEED_PREFIX "%s" LMIG_FEED_SUFFIX, instance);
	*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n);
	return 0;
}

int lmig_feed_connect(const char *instance, int *fd, char *msg, size_t msglen)
{
	struct sockaddr_un sun;
	socklen_t len;
	int s, err;

	err = lmig_feed_address(instance, &sun, &len, msg, msglen);
	if (err)
		return err;
	s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (s < 0) {
		err = -errno;
		snprintf(msg, msglen, "denial feed: socket: %s",
			 strerror(errno));
		return err;
	}
	if (connect(s, (struct sockaddr *)&sun, len)) {
		err = -errno;
		snprintf(msg, msglen, "denial feed @%s: %s", sun.sun_path + 1,
			 err == -ECONNREFUSED ? "no lmigd serves it"
					      : strerror(-err));
		close(s);
		return err;
	}
	*fd = s;
	return 0;
}

int lmig_feed_recv(int fd, struct lmig_feed_msg *m)
{
	ssize_t n = recv(fd, m, sizeof(*m), MSG_DONTWAIT);

	if (n < 0)
		return -errno;
	if (n == 0)
		return 0;
	/* A shorter message from another version: zero what it lacks. */
	if ((size_t)n < sizeof(*m))
		memset((char *)m + n, 0, sizeof(*m) - (size_t)n);
	return 1;
}

int lmig_feed_hello(int fd, int timeout_ms, char *msg, size_t msglen)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	struct lmig_feed_msg m;
	int n;

	n = poll(&p, 1, timeout_ms);
	if (n == 0) {
		snprintf(msg, msglen,
			 "lmigd did not answer on its denial "
			 "feed");
		return -ETIMEDOUT;
	}
	n = n < 0 ? -errno : lmig_feed_recv(fd, &m);
	if (n <= 0) {
		snprintf(msg, msglen, "lmigd closed its denial feed%s%s",
			 n ? ": " : "", n ? strerror(-n) : "");
		return n ? n : -ECONNRESET;
	}
	if (m.type == LMIG_FEED_HELLO)
		return 0;
	if (m.type == LMIG_FEED_REFUSED && m.refusal == LMIG_FEED_FULL) {
		snprintf(msg, msglen,
			 "lmigd serves %d denial feed subscribers already",
			 LMIG_FEED_SUBSCRIBERS_MAX);
		return -EBUSY;
	}
	if (m.type == LMIG_FEED_REFUSED) {
		snprintf(msg, msglen,
			 "lmigd serves its denial feed to root only");
		return -EACCES;
	}
	snprintf(msg, msglen, "lmigd's denial feed began with message type %u",
		 m.type);
	return -EPROTO;
}
