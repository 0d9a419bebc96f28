/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lmig fast-path maps: the one definition of every key and value shared by
 * the XDP program (bpf/), the agent (agent/) and the CLI (ctl/).
 *
 * Overview
 * ========
 *
 * Every packet is parsed, classified by transport and destination port
 * (lmig_ports), and then:
 *
 *   class none    follows lmig_config.unclassified (pass or drop)
 *   class open    passes within two rate limits: one per source address
 *                 (lmig_open_src, an LRU of token buckets) and one for all
 *                 sources together (lmig_open_total)
 *   class deny    is dropped
 *   ptt, video,   pass only for a source address holding an admission
 *   data          (lmig_admission) that grants the service, has not
 *                 expired, and whose user (lmig_users) is active, has not
 *                 expired and permits the service
 *
 * Packets whose ports cannot be seen (later fragments, IPv6 extension
 * chains too long or unknown) need an admission for any service.
 *
 * Before the admission table is touched, the source goes through
 * lmig_filter, a compact counting Bloom filter kept in step with
 * lmig_admission by lib/fastpath: a zero among the source's cells proves
 * there is no admission, so a flood from unadmitted sources is dropped
 * after one cache line, without walking the big table. Cells all above
 * zero only mean "look it up": the filter can never admit.
 *
 * Every verdict is counted per CPU by class and reason (lmig_stats); the
 * traffic of every user is counted per CPU too (lmig_user_stats). A
 * sample of the drops goes to the ring buffer lmig_denials, at most
 * lmig_config.denials per second and CPU, so a flood costs the reader
 * nothing.
 *
 * Pins
 * ====
 *
 * All maps of one gateway instance are pinned by name under
 * LMIG_PIN_ROOT "/" <instance> "/", with BTF, so that
 * "bpftool map dump pinned /sys/fs/bpf/lmig/<instance>/<map>" prints named
 * fields. Structures use fixed-width fields, hold no implicit padding and
 * keep their explicit padding zeroed.
 *
 * Time
 * ====
 *
 * Every time in a map is in nanoseconds of CLOCK_MONOTONIC. The program
 * reads it with bpf_ktime_get_coarse_ns() (the clock as of the last timer
 * tick, a few nanoseconds to read, where bpf_ktime_get_boot_ns() costs
 * about six times as much) and reads it again only when bpf_jiffies64()
 * says a tick has passed, so it may lag the true time by up to two ticks
 * (8 ms at HZ=250). Userspace reads CLOCK_MONOTONIC_COARSE (lib/clock.h).
 * Expiries are second-granular, so the lag never matters; the monotonic
 * clock stops while the machine is suspended, which a gateway is not.
 * Token and profile times (Unix seconds) are converted once, when an
 * admission is granted.
 *
 * Users and slots
 * ===============
 *
 * lmig_users is an array indexed by a slot number that lib/fastpath gives
 * a user when the agent first writes the user's state; an admission
 * carries both the user id and the slot. The entry holds the user id, so
 * an admission left pointing at a slot that was freed or given to another
 * user finds a different id there and is refused (LMIG_DROP_USER_UNKNOWN).
 * One write to the slot suspends or narrows every session of the user.
 * lmig_user_slots maps user ids to slots for userspace; the program never
 * reads it.
 */
#ifndef LMIG_MAPS_H
#define LMIG_MAPS_H

#include <linux/types.h>
#include <linux/lmig.h>

#define LMIG_PIN_ROOT		"/sys/fs/bpf/lmig"
#define LMIG_INSTANCE_DEFAULT	"default"

/* Map names: also the file names of the pins. */
#define LMIG_MAP_ADMISSIONS	"lmig_admission"
#define LMIG_MAP_FILTER		"lmig_filter"
#define LMIG_MAP_USERS		"lmig_users"
#define LMIG_MAP_USER_SLOTS	"lmig_user_slots"
#define LMIG_MAP_PORTS		"lmig_ports"
#define LMIG_MAP_CONFIG		"lmig_config"
#define LMIG_MAP_STATS		"lmig_stats"
#define LMIG_MAP_USER_STATS	"lmig_user_stats"
#define LMIG_MAP_OPEN_SOURCES	"lmig_open_src"
#define LMIG_MAP_OPEN_TOTAL	"lmig_open_total"
#define LMIG_MAP_DENIALS	"lmig_denials"
/* Pinned XDP links are named LMIG_LINK_PREFIX <ifname>. */
#define LMIG_LINK_PREFIX	"link_"

#define LMIG_ADMISSIONS_MAX	1048576
/* Users holding state in the fast path at once (slots of lmig_users). */
#define LMIG_USERS_MAX		65536
/* Sources whose open-class rate is tracked; the least recent go first. */
#define LMIG_OPEN_SOURCES_MAX	65536
/* Bytes of the denial ring buffer (a power of two, whole pages). */
#define LMIG_DENIALS_BYTES	(256 * 1024)

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
	__u64 expires_ns;	/* CLOCK_MONOTONIC; dropped from this time on */
	__u64 granted_ns;	/* CLOCK_MONOTONIC when the agent granted it */
	__u32 user_id;		/* profile user id */
	__u32 user_slot;	/* index of the user's state in lmig_users */
	__u32 services;		/* LMIG_SERVICE_* granted to this address */
	__u32 requested;	/* LMIG_SERVICE_* the token asked for */
};

/*
 * lmig_filter: one entry, key 0. A blocked counting Bloom filter over the
 * admitted source addresses. Its cells are 2-bit counters, 256 to a
 * 64-byte block (one cache line); an address hashes (lmig_filter_hash())
 * to one block and to LMIG_FILTER_CELLS cells in it, and every cell counts
 * the admissions hashing there. In 512 KiB, with 131072 admissions about
 * one address in 170 of others finds all its cells raised, with a million
 * admissions nearly one in two: the filter is sized for floods against a
 * gateway of ordinary size, and costs one cache line either way. A cell at 3 is saturated and stays so
 * until lib/fastpath counts it again. Writers (lib/fastpath, through a
 * shared mapping of the map) change a cell with an atomic compare-and-swap
 * of its word, raise the cells of an address before its admission is
 * added and lower them after it is removed, so no cell is ever below the
 * number of admissions it counts.
 */
#define LMIG_FILTER_BLOCK_BITS	13
#define LMIG_FILTER_BLOCKS	(1U << LMIG_FILTER_BLOCK_BITS)
#define LMIG_FILTER_CELLS	3	/* cells per address */
#define LMIG_FILTER_SATURATED	3

struct lmig_filter_block {
	__u64 word[8];		/* 256 2-bit cells, cell c in word c / 32 */
};

struct lmig_filter {
	__u64 seed;		/* hash key; 0 until lib/fastpath sets it */
	__u64 pad[7];		/* zero; the blocks start a cache line */
	struct lmig_filter_block blocks[LMIG_FILTER_BLOCKS];
};

/*
 * The filter hash of an address: its 16 bytes, read as four native-endian
 * 32-bit words, folded to 64 bits, keyed with the seed, and mixed with two
 * multiply-xorshift rounds. The top bits choose the block, three bytes
 * from the middle the cells: as good as random for sequential and random
 * addresses of either family. The same arithmetic in the program and in
 * userspace.
 */
static inline __u64 lmig_filter_hash(const struct lmig_addr *a, __u64 seed)
{
	__u32 w[4];
	__u64 x;

	__builtin_memcpy(w, a->addr, sizeof(w));
	x = ((((__u64)(w[0] ^ w[2])) << 32) | (w[1] ^ w[3])) ^ seed;
	x *= 0x9e3779b97f4a7c15ULL;
	x ^= x >> 32;
	x *= 0xd6e8feb86659fd93ULL;
	return x;
}

static inline __u32 lmig_filter_block(__u64 hash)
{
	return (__u32)(hash >> (64 - LMIG_FILTER_BLOCK_BITS)) &
	       (LMIG_FILTER_BLOCKS - 1);
}

/* Cell i (below LMIG_FILTER_CELLS) of a hash, in its block. */
static inline __u32 lmig_filter_cell(__u64 hash, __u32 i)
{
	return (__u32)(hash >> (20 + 8 * i)) & 0xff;
}

static inline __u32 lmig_filter_count(const struct lmig_filter_block *b,
				      __u32 cell)
{
	return (__u32)(b->word[(cell / 32) & 7] >> ((cell % 32) * 2)) & 3;
}

/* May the address hold an admission? Only if all its cells are raised. */
static inline int lmig_filter_maybe(const struct lmig_filter *f,
				    const struct lmig_addr *a)
{
	__u64 h = lmig_filter_hash(a, f->seed);
	const struct lmig_filter_block *b = &f->blocks[lmig_filter_block(h)];

	return lmig_filter_count(b, lmig_filter_cell(h, 0)) &&
	       lmig_filter_count(b, lmig_filter_cell(h, 1)) &&
	       lmig_filter_count(b, lmig_filter_cell(h, 2));
}

/*
 * lmig_users: slot -> the profile state the agent mirrors from the kernel
 * for one user. A free slot is all zero. lib/fastpath writes the entries
 * through a shared mapping of the map: a slot is claimed by an atomic
 * compare-and-swap of user_id from 0, filled, and freed by setting
 * user_id to 0 before the rest is cleared. A claimed slot whose state is
 * not yet written reads as LMIG_STATE_UNSPEC, which never passes.
 */
struct lmig_user {
	__u64 valid_until_ns;	/* CLOCK_MONOTONIC end of the profile window */
	__u64 generation;	/* profile generation this entry mirrors */
	__u32 user_id;		/* owner of the slot; 0: free */
	__u32 state;		/* enum lmig_state */
	__u32 services;		/* LMIG_SERVICE_* the profile permits */
	__u32 pad;		/* zero */
};

/* lmig_user_stats: per CPU, per slot: the user's traffic. */
struct lmig_user_counter {
	__u64 packets;		/* passed */
	__u64 bytes;		/* passed */
	__u64 drops;		/* packets dropped after the user was found */
};

/*
 * lmig_ports: traffic class of a destination port, an array indexed by
 * lmig_port_index(l4 slot, port). Lookup cost does not depend on how many
 * ports are configured.
 */
enum lmig_l4_slot {
	LMIG_L4_UDP,
	LMIG_L4_TCP,
	LMIG_L4_SCTP,
	__LMIG_L4_MAX
};

#define LMIG_PORTS_MAX		(__LMIG_L4_MAX * 65536)

static inline __u32 lmig_port_index(__u32 slot, __u16 port)
{
	return (slot << 16) | port;
}

/*
 * Traffic classes. The first __LMIG_PORT_CLASS_MAX can be given to ports;
 * the others only name, in the counters, packets whose ports are hidden.
 */
enum lmig_class {
	LMIG_CLASS_NONE,	/* not MC traffic: follows the default */
	LMIG_CLASS_OPEN,	/* reachable without admission (agent, IdMS) */
	LMIG_CLASS_PTT,		/* MCPTT: needs LMIG_SERVICE_PTT */
	LMIG_CLASS_VIDEO,	/* MCVideo: needs LMIG_SERVICE_VIDEO */
	LMIG_CLASS_DATA,	/* MCData: needs LMIG_SERVICE_DATA */
	LMIG_CLASS_DENY,	/* always dropped, e.g. off-network MONP */
	__LMIG_PORT_CLASS_MAX,
	/* A later IPv4 or IPv6 fragment: needs an admission, any service. */
	LMIG_CLASS_FRAGMENT = __LMIG_PORT_CLASS_MAX,
	/* IPv6 whose extension chain is too long or unknown: the same. */
	LMIG_CLASS_OPAQUE,
	__LMIG_CLASS_MAX
};

/* The LMIG_SERVICE_* bit traffic of a class needs: every service for
 * traffic whose ports are hidden, 0 for classes without admission. */
static inline __u32 lmig_class_service(__u32 class)
{
	switch (class) {
	case LMIG_CLASS_PTT:
		return LMIG_SERVICE_PTT;
	case LMIG_CLASS_VIDEO:
		return LMIG_SERVICE_VIDEO;
	case LMIG_CLASS_DATA:
		return LMIG_SERVICE_DATA;
	case LMIG_CLASS_FRAGMENT:
	case LMIG_CLASS_OPAQUE:
		return LMIG_SERVICES_ALL;
	default:
		return 0;
	}
}

/*
 * A rate limit as the generic cell rate algorithm keeps it: one packet
 * every interval_ns on average, and bursts of up to burst_ns / interval_ns
 * + 1 packets. interval_ns 0: no limit. lib/fastpath converts packets per
 * second and a burst into these.
 */
struct lmig_limit {
	__u64 interval_ns;
	__u64 burst_ns;
};

/* The state of one limit: the theoretical arrival time of the next packet. */
struct lmig_bucket {
	__u64 tat_ns;		/* CLOCK_MONOTONIC */
};

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
	struct lmig_limit open_source;	/* open class, per source address */
	struct lmig_limit open_total;	/* open class, all sources */
	struct lmig_limit denials;	/* denial samples, per CPU */
};

/*
 * lmig_stats: per-CPU counters indexed by lmig_stats_index(class, reason).
 * The reason implies the verdict: everything before
 * LMIG_DROP_UNCLASSIFIED passed.
 */
enum lmig_reason {
	LMIG_PASS_NOT_IP,	/* not IPv4/IPv6: not ours to judge */
	LMIG_PASS_UNCLASSIFIED,	/* no MC port, default is pass */
	LMIG_PASS_OPEN,		/* open class, within its rate limits */
	LMIG_PASS_ADMITTED,	/* admitted, unexpired, permitted, active */
	LMIG_DROP_UNCLASSIFIED,	/* no MC port, default is drop */
	LMIG_DROP_MALFORMED,	/* truncated or inconsistent headers */
	LMIG_DROP_NO_ADMISSION,	/* source holds no admission */
	LMIG_DROP_EXPIRED,	/* admission or profile window has ended */
	LMIG_DROP_SERVICE,	/* service not granted or not permitted */
	LMIG_DROP_USER_UNKNOWN,	/* admission names a user with no state */
	LMIG_DROP_SUSPENDED,	/* user suspended */
	LMIG_DROP_DENIED,	/* deny class */
	LMIG_DROP_OPEN_SOURCE,	/* open class, the source's rate exceeded */
	LMIG_DROP_OPEN_TOTAL,	/* open class, the total rate exceeded */
	__LMIG_REASON_MAX
};

static inline int lmig_reason_passes(__u32 reason)
{
	return reason < LMIG_DROP_UNCLASSIFIED;
}

#define LMIG_STATS_MAX		(__LMIG_CLASS_MAX * __LMIG_REASON_MAX)

static inline __u32 lmig_stats_index(__u32 class, __u32 reason)
{
	return class * __LMIG_REASON_MAX + reason;
}

struct lmig_counter {
	__u64 packets;
	__u64 bytes;
};

/* lmig_denials: one sampled drop. */
struct lmig_denial {
	__u64 time_ns;		/* CLOCK_MONOTONIC, as the program saw it */
	struct lmig_addr src;
	__u16 dport;		/* host order; 0 when the ports are hidden */
	__u8 l4;		/* enum lmig_l4_slot; __LMIG_L4_MAX: none */
	__u8 class;		/* enum lmig_class */
	__u8 reason;		/* enum lmig_reason */
	__u8 pad[3];		/* zero */
};

#ifndef __bpf__
#include <stddef.h>

_Static_assert(sizeof(struct lmig_addr) == 16, "lmig_addr layout");
_Static_assert(sizeof(struct lmig_admission) == 32, "lmig_admission layout");
_Static_assert(offsetof(struct lmig_admission, user_slot) == 20,
	       "lmig_admission layout");
_Static_assert(offsetof(struct lmig_filter, blocks) == 64,
	       "lmig_filter layout");
_Static_assert(sizeof(struct lmig_filter_block) == 64, "lmig_filter layout");
_Static_assert(sizeof(struct lmig_filter) == 64 + 64 * LMIG_FILTER_BLOCKS,
	       "lmig_filter layout");
_Static_assert(sizeof(struct lmig_user) == 32, "lmig_user layout");
_Static_assert(offsetof(struct lmig_user, user_id) == 16, "lmig_user layout");
_Static_assert(sizeof(struct lmig_user_counter) == 24,
	       "lmig_user_counter layout");
_Static_assert(sizeof(struct lmig_limit) == 16, "lmig_limit layout");
_Static_assert(sizeof(struct lmig_bucket) == 8, "lmig_bucket layout");
_Static_assert(sizeof(struct lmig_config) == 64, "lmig_config layout");
_Static_assert(offsetof(struct lmig_config, open_source) == 16,
	       "lmig_config layout");
_Static_assert(sizeof(struct lmig_counter) == 16, "lmig_counter layout");
_Static_assert(sizeof(struct lmig_denial) == 32, "lmig_denial layout");
_Static_assert(offsetof(struct lmig_denial, dport) == 24,
	       "lmig_denial layout");
#endif

#endif /* LMIG_MAPS_H */
