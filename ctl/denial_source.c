// SPDX-License-Identifier: GPL-2.0-only
/* lmigctl monitor's denial samples: lmigd's feed, or the ring buffer. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "denial_source.h"
#include "feed.h"
#include "lmigctl.h"

/* How often a reader of the ring buffer looks for an lmigd to take over. */
#define RETRY_MS 1000
/* How long lmigd may take to answer a new subscriber. */
#define HELLO_MS 2000

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* 1 subscribed, 0 no lmigd serves the feed, -1 lmigd refused (said). */
static int feed_open(struct denial_source *ds)
{
	char msg[LMIG_FP_MSG_MAX];
	int fd, err;

	err = lmig_feed_connect(ds->instance, &fd, msg, sizeof(msg));
	if (err == -ECONNREFUSED)
		return 0;
	if (!err) {
		err = lmig_feed_hello(fd, HELLO_MS, msg, sizeof(msg));
		if (!err) {
			ds->feed_fd = fd;
			return 1;
		}
		close(fd);
	}
	ctl_error("monitor: no denial samples: %s", msg);
	return -1;
}

static void ring_close(struct denial_source *ds)
{
	lmig_fp_close(ds->fp);
	ds->fp = NULL;
	ds->ring_fd = -1;
}

static bool ring_open(struct denial_source *ds, const char *why)
{
	char msg[LMIG_FP_MSG_MAX];
	int err;

	ds->retry_ms = now_ms() + RETRY_MS;
	err = lmig_fp_open(ds->instance, &ds->fp, msg, sizeof(msg));
	if (!err) {
		ds->ring_fd = lmig_fp_denials_fd(ds->fp, msg, sizeof(msg));
		if (ds->ring_fd < 0)
			ring_close(ds);
	}
	if (!ds->fp) {
		ctl_error("monitor: no denial samples: %s", msg);
		return false;
	}
	fprintf(stderr, "lmigctl: denial samples: from the ring buffer (%s)\n",
		why);
	return true;
}

bool denial_source_open(struct denial_source *ds)
{
	int found;

	ds->feed_fd = -1;
	ds->ring_fd = -1;
	ds->fp = NULL;
	ds->none = false;
	found = feed_open(ds);
	if (found > 0) {
		fprintf(stderr, "lmigctl: denial samples: from lmigd\n");
		return true;
	}
	if (found < 0) {
		ds->none = true;
		return false;
	}
	return ring_open(ds, "no lmigd");
}

int denial_source_fd(const struct denial_source *ds)
{
	return ds->feed_fd >= 0 ? ds->feed_fd : ds->ring_fd;
}

static int feed_read(struct denial_source *ds)
{
	struct lmig_feed_msg m;
	int n;

	while ((n = lmig_feed_recv(ds->feed_fd, &m)) > 0) {
		if (m.type != LMIG_FEED_DENIAL)
			continue;
		if (m.lost)
			ds->on_lost(m.lost, ds->ctx);
		ds->on_denial(&m.denial, ds->ctx);
	}
	if (n == -EAGAIN || n == -EINTR)
		return 0;
	/* lmigd stopped: the ring buffer is ours until one runs again. */
	close(ds->feed_fd);
	ds->feed_fd = -1;
	return ring_open(ds, "lmigd stopped") ? 0 : -1;
}

static int ring_read(struct denial_source *ds, short revents)
{
	char msg[LMIG_FP_MSG_MAX];
	int found;

	if (revents & POLLIN) {
		int err = lmig_fp_denials_read(ds->fp, ds->on_denial, ds->ctx,
					       0, msg, sizeof(msg));

		if (err < 0 && err != -EINTR) {
			ctl_error("monitor: %s", msg);
			return -1;
		}
	}
	if (now_ms() < ds->retry_ms)
		return 0;
	ds->retry_ms = now_ms() + RETRY_MS;
	found = feed_open(ds);
	if (found < 0) {
		ring_close(ds);
		ds->none = true;
	} else if (found > 0) {
		ring_close(ds);
		fprintf(stderr, "lmigctl: denial samples: from lmigd\n");
	}
	return 0;
}

int denial_source_read(struct denial_source *ds, short revents)
{
	if (ds->feed_fd >= 0)
		return revents ? feed_read(ds) : 0;
	if (ds->fp)
		return ring_read(ds, revents);
	return 0;
}

void denial_source_close(struct denial_source *ds)
{
	if (ds->feed_fd >= 0)
		close(ds->feed_fd);
	ds->feed_fd = -1;
	ring_close(ds);
}
