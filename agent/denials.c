// SPDX-License-Identifier: GPL-2.0-only
/* Drop samples from the fast path: logged at a bounded rate, and passed
 * on to the subscribers of the denial feed. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>

#include "denials.h"
#include "lmig_feed.h"
#include "lmigd.h"
#include "log.h"
#include "names.h"

static int log_one(const struct lmig_denial *s, void *arg)
{
	struct lmigd_denials *dn = arg;
	char addr[LMIG_ADDR_STRLEN];

	dn->seen++;
	/* Every sample to the subscribers, whatever the log's budget. */
	lmigd_feed_publish(dn->feed, s);
	if (dn->logged >= LMIGD_DENIAL_LOG_PER_TICK) {
		dn->unlogged++;
		return 0;
	}
	dn->logged++;
	lmig_addr_format(&s->src, addr, sizeof(addr));
	if (s->l4 < __LMIG_L4_MAX)
		log_info("dropped %s to %s/%u: class %s, %s", addr,
			 lmig_l4_name(s->l4), s->dport,
			 lmig_class_name(s->class),
			 lmig_reason_name(s->reason));
	else
		log_info("dropped %s: class %s, %s", addr,
			 lmig_class_name(s->class),
			 lmig_reason_name(s->reason));
	return 0;
}

static void on_denials(void *arg, uint32_t events)
{
	struct lmigd *d = arg;
	char err[256];

	(void)events;
	if (lmig_fp_denials_read(d->fp, log_one, &d->denials, 0, err,
				 sizeof(err)) < 0)
		log_warn("drop samples: %s", err);
}

int lmigd_denials_start(struct lmigd *d, char *err, size_t errlen)
{
	int fd = lmig_fp_denials_fd(d->fp, err, errlen);
	int ret;

	if (fd < 0)
		return fd;
	ret = lmigd_loop_add(d->loop, fd, EPOLLIN, on_denials, d);
	if (ret) {
		snprintf(err, errlen, "%s", strerror(-ret));
		return ret;
	}
	/* Without the feed the log still gets every sample. */
	if (lmigd_feed_start(&d->denials.feed, d->loop, d->cfg.instance, err,
			     errlen))
		log_warn("lmigctl monitor will not see drop samples: %s", err);
	else
		log_info(
			"drop samples for lmigctl monitor on @" LMIG_FEED_PREFIX
			"%s" LMIG_FEED_SUFFIX,
			d->cfg.instance);
	return 0;
}

void lmigd_denials_stop(struct lmigd *d)
{
	lmigd_feed_stop(d->denials.feed);
	d->denials.feed = NULL;
}

void lmigd_denials_tick(struct lmigd *d)
{
	struct lmigd_denials *dn = &d->denials;

	if (dn->unlogged)
		log_info("%llu more drop samples in the last second, not "
			 "logged one by one",
			 (unsigned long long)dn->unlogged);
	dn->logged = 0;
	dn->unlogged = 0;
	if (lmigd_feed_lost(dn->feed) != dn->feed_lost) {
		log_info("%llu drop samples not sent to a slow lmigctl monitor "
			 "in the last second",
			 (unsigned long long)(lmigd_feed_lost(dn->feed) -
					      dn->feed_lost));
		dn->feed_lost = lmigd_feed_lost(dn->feed);
	}
}
