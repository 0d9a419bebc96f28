/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The denial feed: lmigd republishes every sample it reads from the ring
 * buffer lmig_denials to local subscribers (lmigctl monitor). A ring
 * buffer has one consumer position: two readers would each see only part
 * of the samples, so while lmigd runs it is the one reader.
 *
 * The feed is an AF_UNIX SOCK_SEQPACKET socket in the abstract namespace,
 * named LMIG_FEED_PREFIX <instance> LMIG_FEED_SUFFIX after the leading
 * NUL ("@lmig/default/denials" in ss(8)). Abstract names belong to a
 * network namespace, as a fast path instance does. Only peers of uid 0
 * (in lmigd's user namespace, by SO_PEERCRED) are served.
 *
 * Every message is one struct lmig_feed_msg. A subscriber is first sent
 * LMIG_FEED_HELLO, or LMIG_FEED_REFUSED and the connection is closed;
 * then one LMIG_FEED_DENIAL per sample. lmigd never waits for a
 * subscriber: a sample that does not fit its socket is counted in lost
 * and the count goes out with the next sample that fits.
 */
#ifndef LMIG_FEED_H
#define LMIG_FEED_H

#include <linux/types.h>

#include "lmig_maps.h"

#define LMIG_FEED_PREFIX	"lmig/"
#define LMIG_FEED_SUFFIX	"/denials"
/* Subscribers served at once; more are refused. */
#define LMIG_FEED_SUBSCRIBERS_MAX 8

enum lmig_feed_type {
	LMIG_FEED_HELLO = 1,	/* subscribed */
	LMIG_FEED_REFUSED,	/* refusal says why; the connection ends */
	LMIG_FEED_DENIAL,	/* one sample in denial */
};

enum lmig_feed_refusal {
	LMIG_FEED_NOT_ROOT = 1,	/* the peer's uid is not 0 */
	LMIG_FEED_FULL,		/* LMIG_FEED_SUBSCRIBERS_MAX served already */
};

struct lmig_feed_msg {
	__u16 type;		/* enum lmig_feed_type */
	__u16 refusal;		/* enum lmig_feed_refusal; 0 otherwise */
	__u32 lost;		/* samples this subscriber missed before this one */
	struct lmig_denial denial; /* LMIG_FEED_DENIAL; zero otherwise */
};

#ifndef __bpf__
_Static_assert(sizeof(struct lmig_feed_msg) == 40, "lmig_feed_msg layout");
#endif

#endif /* LMIG_FEED_H */
