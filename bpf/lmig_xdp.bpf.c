// SPDX-License-Identifier: GPL-2.0-only
/*
 * lmig fast path: admit mission-critical traffic of migrated users at the
 * driver, drop everyone else's.
 *
 * Each frame is parsed (parse.h) and classified by its transport and
 * destination port (lmig_ports). MC traffic is checked against the
 * admission the agent installed for the source address (lmig_admission,
 * behind the lmig_filter prefilter) and the state it mirrors for the user
 * (lmig_users); open traffic against its rate limits. Every verdict is
 * counted by class and reason (lmig_stats), the user's traffic by user
 * (lmig_user_stats), and a rate-limited sample of drops goes to
 * lmig_denials. The program only reads the maps it decides on, but for
 * the rate-limit state; the agent owns them. Expiry is checked here, so an
 * admission stops working on time even when the agent is not running.
 * include/lmig_maps.h is the contract.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include <linux/lmig.h>
#include "lmig_maps.h"
#include "parse.h"

/* Admissions are written rarely (by the agent) and may be few: allocate on
 * insert instead of reserving the maximum up front. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, LMIG_ADMISSIONS_MAX);
	__type(key, struct lmig_addr);
	__type(value, struct lmig_admission);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} lmig_admission SEC(".maps");

/* Mappable: writers update counters with atomic operations. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct lmig_filter);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} lmig_filter SEC(".maps");

/* An array, so the verifier inlines the lookup; mappable for the same
 * reason as the filter. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, LMIG_USERS_MAX);
	__type(key, __u32);
	__type(value, struct lmig_user);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} lmig_users SEC(".maps");

/* Userspace's index of lmig_users; the program never reads it. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, LMIG_USERS_MAX);
	__type(key, __u32);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} lmig_user_slots SEC(".maps");

/* The value is an enum lmig_class, so map dumps show class names. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, LMIG_PORTS_MAX);
	__type(key, __u32);
	__type(value, enum lmig_class);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} lmig_ports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct lmig_config);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} lmig_config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, LMIG_STATS_MAX);
	__type(key, __u32);
	__type(value, struct lmig_counter);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} lmig_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, LMIG_USERS_MAX);
	__type(key, __u32);
	__type(value, struct lmig_user_counter);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} lmig_user_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, LMIG_OPEN_SOURCES_MAX);
	__type(key, struct lmig_addr);
	__type(value, struct lmig_bucket);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} lmig_open_src SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct lmig_bucket);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} lmig_open_total SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, LMIG_DENIALS_BYTES);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} lmig_denials SEC(".maps");

/*
 * Per-CPU scratch, not pinned: the time as of the last tick this CPU saw,
 * and the state of its denial sampling.
 */
struct lmig_cpu {
	__u64 jiffies;
	__u64 now_ns;
	struct lmig_bucket denials;
	__u64 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct lmig_cpu);
} lmig_cpu SEC(".maps");

#define NO_SLOT (~0U)

/* What was decided about one packet, for the counters. */
struct verdict {
	__u32 class;
	__u32 reason;
	__u32 slot;	/* the user's slot once the user is known */
};

static __always_inline struct lmig_cpu *this_cpu(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&lmig_cpu, &zero);
}

/*
 * CLOCK_MONOTONIC as of the last timer tick. bpf_jiffies64() is inlined
 * into a load, so the coarse clock is read once per tick and CPU.
 */
static __always_inline __u64 now_ns(struct lmig_cpu *cpu)
{
	__u64 jiffies = bpf_jiffies64();

	if (!cpu)
		return bpf_ktime_get_coarse_ns();
	if (cpu->jiffies != jiffies) {
		cpu->now_ns = bpf_ktime_get_coarse_ns();
		cpu->jiffies = jiffies;
	}
	return cpu->now_ns;
}

static __always_inline struct lmig_config *config(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&lmig_config, &zero);
}

/*
 * The generic cell rate algorithm: admit unless the next packet's
 * theoretical arrival time is more than the burst ahead of now. Racing
 * CPUs may each admit a packet the other would have refused: the limit is
 * approximate under contention, never stricter than configured.
 */
static __always_inline int limit_admits(struct lmig_bucket *b,
					const struct lmig_limit *l, __u64 now)
{
	__u64 tat = b->tat_ns;

	if (tat < now)
		tat = now;
	if (tat - now > l->burst_ns)
		return 0;
	b->tat_ns = tat + l->interval_ns;
	return 1;
}

/* Does src hold a live admission for at least one service in need? */
static __always_inline void check_admission(const struct lmig_addr *src,
					    __u32 need, struct verdict *v)
{
	struct lmig_admission *adm;
	struct lmig_filter *filter;
	struct lmig_user *user;
	__u32 zero = 0, slot;
	__u64 now;

	/* A zero cell proves there is no admission: the table, cold in a
	 * flood, is not touched. */
	filter = bpf_map_lookup_elem(&lmig_filter, &zero);
	if (filter && !lmig_filter_maybe(filter, src)) {
		v->reason = LMIG_DROP_NO_ADMISSION;
		return;
	}
	adm = bpf_map_lookup_elem(&lmig_admission, src);
	if (!adm) {
		v->reason = LMIG_DROP_NO_ADMISSION;
		return;
	}
	slot = adm->user_slot;
	user = bpf_map_lookup_elem(&lmig_users, &slot);
	if (!user || user->user_id != adm->user_id) {
		v->reason = LMIG_DROP_USER_UNKNOWN;
		return;
	}
	v->slot = slot;
	if (user->state != LMIG_STATE_ACTIVE) {
		v->reason = LMIG_DROP_SUSPENDED;
		return;
	}
	/* Read only for traffic that found an active user. */
	now = now_ns(this_cpu());
	if (now >= adm->expires_ns || now >= user->valid_until_ns) {
		v->reason = LMIG_DROP_EXPIRED;
		return;
	}
	if (!(adm->services & user->services & need)) {
		v->reason = LMIG_DROP_SERVICE;
		return;
	}
	v->reason = LMIG_PASS_ADMITTED;
}

static __always_inline __u32 unclassified(void)
{
	struct lmig_config *cfg = config();

	/* Any value but an explicit pass fails closed. */
	if (cfg && cfg->unclassified == LMIG_DEFAULT_PASS)
		return LMIG_PASS_UNCLASSIFIED;
	return LMIG_DROP_UNCLASSIFIED;
}

/*
 * Open traffic. A total budget already spent drops the packet before any
 * per-source state is touched, so a flood of forged sources costs a cache
 * line, not an insertion each. Then the source's own limit: one source
 * over it spends only its own budget. What passes both is charged to the
 * total.
 */
static __always_inline __u32 open_lane(const struct lmig_addr *src)
{
	struct lmig_config *cfg = config();
	struct lmig_bucket *b, *total = NULL;
	__u32 zero = 0;
	__u64 now;

	if (!cfg)
		return LMIG_DROP_OPEN_TOTAL;
	if (!cfg->open_source.interval_ns && !cfg->open_total.interval_ns)
		return LMIG_PASS_OPEN;
	now = now_ns(this_cpu());
	if (cfg->open_total.interval_ns) {
		total = bpf_map_lookup_elem(&lmig_open_total, &zero);
		if (!total)
			return LMIG_DROP_OPEN_TOTAL;
		if (total->tat_ns > now &&
		    total->tat_ns - now > cfg->open_total.burst_ns)
			return LMIG_DROP_OPEN_TOTAL;
	}
	if (cfg->open_source.interval_ns) {
		b = bpf_map_lookup_elem(&lmig_open_src, src);
		if (b) {
			if (!limit_admits(b, &cfg->open_source, now))
				return LMIG_DROP_OPEN_SOURCE;
		} else {
			struct lmig_bucket fresh = {
				.tat_ns = now + cfg->open_source.interval_ns,
			};

			bpf_map_update_elem(&lmig_open_src, src, &fresh,
					    BPF_ANY);
		}
	}
	if (total) {
		if (total->tat_ns < now)
			total->tat_ns = now;
		/* Shared by every CPU: charge atomically. */
		__sync_fetch_and_add(&total->tat_ns, cfg->open_total.interval_ns);
	}
	return LMIG_PASS_OPEN;
}

static __always_inline void classify(const struct lmig_packet *pkt,
				     struct verdict *v)
{
	__u32 index = lmig_port_index(pkt->l4, pkt->dport);
	__u32 *class = bpf_map_lookup_elem(&lmig_ports, &index);
	__u32 c = class ? *class : LMIG_CLASS_NONE;

	switch (c) {
	case LMIG_CLASS_NONE:
		v->reason = unclassified();
		return;
	case LMIG_CLASS_OPEN:
		v->class = c;
		v->reason = open_lane(&pkt->src);
		return;
	case LMIG_CLASS_PTT:
	case LMIG_CLASS_VIDEO:
	case LMIG_CLASS_DATA:
		v->class = c;
		check_admission(&pkt->src, lmig_class_service(c), v);
		return;
	default:
		/* deny, and a class this program does not know. */
		v->class = LMIG_CLASS_DENY;
		v->reason = LMIG_DROP_DENIED;
		return;
	}
}

/* A sample of the drop for the agent, within the per-CPU rate. */
static __always_inline void sample(const struct lmig_packet *pkt,
				   const struct verdict *v)
{
	struct lmig_config *cfg = config();
	struct lmig_cpu *cpu = this_cpu();
	struct lmig_denial ev = {};
	__u64 now;

	if (!cfg || !cfg->denials.interval_ns || !cpu)
		return;
	now = now_ns(cpu);
	if (!limit_admits(&cpu->denials, &cfg->denials, now))
		return;
	ev.time_ns = now;
	ev.src = pkt->src;
	ev.dport = pkt->dport;
	ev.l4 = pkt->l4;
	ev.class = v->class;
	ev.reason = v->reason;
	bpf_ringbuf_output(&lmig_denials, &ev, sizeof(ev), 0);
}

static __always_inline void count(struct xdp_md *ctx,
				  const struct lmig_packet *pkt,
				  const struct verdict *v, int pass)
{
	__u64 len = ctx->data_end - ctx->data;
	__u32 index = lmig_stats_index(v->class, v->reason);
	struct lmig_user_counter *user;
	struct lmig_counter *counter;
	__u32 slot = v->slot;

	counter = bpf_map_lookup_elem(&lmig_stats, &index);
	if (counter) {
		counter->packets++;
		counter->bytes += len;
	}
	if (slot != NO_SLOT) {
		user = bpf_map_lookup_elem(&lmig_user_stats, &slot);
		if (user) {
			if (pass) {
				user->packets++;
				user->bytes += len;
			} else {
				user->drops++;
			}
		}
	}
}

SEC("xdp")
int lmig_fast_path(struct xdp_md *ctx)
{
	struct lmig_packet pkt = {.l4 = __LMIG_L4_MAX};
	struct verdict v = {
		.class = LMIG_CLASS_NONE,
		.reason = LMIG_DROP_MALFORMED,
		.slot = NO_SLOT,
	};
	int pass;

	switch (parse_packet(ctx, &pkt)) {
	case LMIG_PARSE_NOT_IP:
		v.reason = LMIG_PASS_NOT_IP;
		break;
	case LMIG_PARSE_PORTS:
		classify(&pkt, &v);
		break;
	case LMIG_PARSE_OTHER_L4:
		v.reason = unclassified();
		break;
	case LMIG_PARSE_FRAGMENT:
		v.class = LMIG_CLASS_FRAGMENT;
		check_admission(&pkt.src, LMIG_SERVICES_ALL, &v);
		break;
	case LMIG_PARSE_OPAQUE:
		v.class = LMIG_CLASS_OPAQUE;
		check_admission(&pkt.src, LMIG_SERVICES_ALL, &v);
		break;
	default:
		break;
	}
	pass = lmig_reason_passes(v.reason);
	count(ctx, &pkt, &v, pass);
	if (!pass)
		sample(&pkt, &v);
	return pass ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
