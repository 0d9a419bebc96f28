/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lmig fast-path maps: the one definition of every key and value shared by
 * the XDP program (bpf/), the agent (agent/) and the CLI (ctl/).
 *
 * All maps of one gateway instance are pinned by name under
 * LMIG_PIN_ROOT "/" <instance> "/", with BTF, so that
 * "bpftool map dump pinned /sys/fs/bpf/lmig/<instance>/<map>" prints named
 * fields. Structures use fixed-width fields, hold no implicit padding and
 * keep their explicit padding zeroed.
 *
 * Time: every expiry is in nanoseconds of CLOCK_BOOTTIME, which the program
 * reads with bpf_ktime_get_boot_ns() and userspace with clock_gettime().
 * Token and profile times (Unix seconds) are converted once, on admission.
 */
#ifndef LMIG_MAPS_H
#define LMIG_MAPS_H

#include <linux/types.h>
#include <linux/lmig.h>

#define LMIG_PIN_ROOT		"/sys/fs/bpf/lmig"
#define LMIG_INSTANCE_DEFAULT	"default"

/* Map names: also the file names of the pins. */
#define LMIG_MAP_ADMISSIONS	"lmig_admission"
#define LMIG_MAP_USERS		"lmig_users"
#define LMIG_MAP_PORTS		"lmig_ports"
#define LMIG_MAP_STATS		"lmig_stats"
#define LMIG_MAP_CONFIG		"lmig_config"
/* Pinned XDP links are named LMIG_LINK_PREFIX <ifname>. */
#define LMIG_LINK_PREFIX	"link_"

#define LMIG_ADMISSIONS_MAX	1048576
#define LMIG_USERS_MAX		1048576

/* A never-expiring time, for "no limit". */
#define LMIG_TIME_NEVER		(~(__u64)0)

/*
 * lmig_admission: source address -> the admission the agent granted it.
 * IPv4 addresses are stored IPv4-mapped (::ffff:a.b.c.d), so one map and
 * one lookup serve both families.
 */
struct lmig_addr {
	__u8 addr[16];		/* network byte order */
} __attribute__((aligned(4)));

struct lmig_admission {
	__u64 expires_ns;	/* CLOCK_BOOTTIME; dropped from this time on */
	__u64 granted_ns;	/* CLOCK_BOOTTIME when the agent granted it */
	__u32 user_id;		/* profile user id, key of lmig_users */
	__u32 services;		/* LMIG_SERVICE_* granted to this address */
};

/*
 * lmig_users: user id -> the profile state the agent mirrors from the
 * kernel. One write here suspends or narrows every session of the user.
 */
struct lmig_user {
	__u64 valid_until_ns;	/* CLOCK_BOOTTIME end of the profile window */
	__u64 generation;	/* profile generation this entry mirrors */
	__u32 state;		/* enum lmig_state */
	__u32 services;		/* LMIG_SERVICE_* the profile permits */
};

/*
 * lmig_ports: traffic class of a destination port, an array indexed by
 * lmig_port_index(l4 slot, port). Lookup cost does not depend on how many
 * ports are configured.
 */
enum lmig_l4_slot {
	LMIG_L4_UDP,
	LMIG_L4_TCP,
	__LMIG_L4_MAX
};

#define LMIG_PORTS_MAX		(__LMIG_L4_MAX * 65536)

static inline __u32 lmig_port_index(__u32 slot, __u16 port)
{
	return (slot << 16) | port;
}

enum lmig_class {
	LMIG_CLASS_NONE,	/* not MC traffic: follows the default */
	LMIG_CLASS_OPEN,	/* reachable without admission (agent, IdMS) */
	LMIG_CLASS_PTT,		/* MCPTT: needs LMIG_SERVICE_PTT */
	LMIG_CLASS_VIDEO,	/* MCVideo: needs LMIG_SERVICE_VIDEO */
	LMIG_CLASS_DATA,	/* MCData: needs LMIG_SERVICE_DATA */
	__LMIG_CLASS_MAX
};

/* The LMIG_SERVICE_* bit traffic of a class needs; 0 for none and open. */
static inline __u32 lmig_class_service(__u32 class)
{
	switch (class) {
	case LMIG_CLASS_PTT:
		return LMIG_SERVICE_PTT;
	case LMIG_CLASS_VIDEO:
		return LMIG_SERVICE_VIDEO;
	case LMIG_CLASS_DATA:
		return LMIG_SERVICE_DATA;
	default:
		return 0;
	}
}

/*
 * lmig_config: one entry, key 0: runtime settings of the program, and the
 * kernel policy epoch the agent filled lmig_users from. User ids are only
 * meaningful within one epoch (see LMIG_INFO_A_EPOCH): after a module
 * reload the agent finds a different epoch and drops every entry.
 */
enum lmig_default {
	LMIG_DEFAULT_PASS,	/* unclassified traffic passes */
	LMIG_DEFAULT_DROP,	/* strict gateway: only open and MC pass */
};

struct lmig_config {
	__u32 unclassified;	/* enum lmig_default */
	__u32 pad;		/* zero */
	__u64 policy_epoch;	/* LMIG_INFO_A_EPOCH of the mirrored table */
};

/*
 * lmig_stats: per-CPU counters indexed by enum lmig_reason, the reason of
 * each verdict.
 */
enum lmig_reason {
	LMIG_PASS_NOT_IP,	/* not IPv4/IPv6: not ours to judge */
	LMIG_PASS_UNCLASSIFIED,	/* no MC port, default is pass */
	LMIG_PASS_OPEN,		/* open class, e.g. the admission endpoint */
	LMIG_PASS_ADMITTED,	/* admitted, unexpired, permitted, active */
	LMIG_DROP_UNCLASSIFIED,	/* no MC port, default is drop */
	LMIG_DROP_MALFORMED,	/* truncated or inconsistent headers */
	LMIG_DROP_NO_ADMISSION,	/* source holds no admission */
	LMIG_DROP_EXPIRED,	/* admission or profile window has ended */
	LMIG_DROP_SERVICE,	/* service not granted or not permitted */
	LMIG_DROP_USER_UNKNOWN,	/* admission names a user with no state */
	LMIG_DROP_SUSPENDED,	/* user suspended */
	__LMIG_REASON_MAX
};

struct lmig_counter {
	__u64 packets;
	__u64 bytes;
};

#ifndef __bpf__
_Static_assert(sizeof(struct lmig_addr) == 16, "lmig_addr layout");
_Static_assert(sizeof(struct lmig_admission) == 24, "lmig_admission layout");
_Static_assert(sizeof(struct lmig_user) == 24, "lmig_user layout");
_Static_assert(sizeof(struct lmig_config) == 16, "lmig_config layout");
_Static_assert(sizeof(struct lmig_counter) == 16, "lmig_counter layout");
#endif

#endif /* LMIG_MAPS_H */
