// SPDX-License-Identifier: GPL-2.0-only
/*
 * lmig fast path: admit mission-critical traffic of migrated users at the
 * driver, drop everyone else's.
 *
 * Each frame is parsed (parse.h), classified by its transport and
 * destination port (lmig_ports), and MC traffic is checked against the
 * admission the agent installed for the source address (lmig_admission)
 * and the state it mirrors for the user (lmig_users). Every verdict is
 * counted by reason in lmig_stats. The program only reads the maps it
 * decides on; the agent owns them. Expiry is checked here against
 * CLOCK_BOOTTIME, so an admission stops working on time even when the
 * agent is not running.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include <linux/lmig.h>
#include "lmig_maps.h"
#include "parse.h"

/* Admissions and users are written rarely (by the agent) and may be few:
 * allocate on insert instead of reserving the maximum up front. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, LMIG_ADMISSIONS_MAX);
	__type(key, struct lmig_addr);
	__type(value, struct lmig_admission);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} lmig_admission SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, LMIG_USERS_MAX);
	__type(key, __u32);
	__type(value, struct lmig_user);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} lmig_users SEC(".maps");

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
	__uint(max_entries, __LMIG_REASON_MAX);
	__type(key, __u32);
	__type(value, struct lmig_counter);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} lmig_stats SEC(".maps");

/*
 * Does src hold a live admission for at least one service in need? The
 * checks run in the order the agent's state is layered: the admission,
 * its expiry, what it granted, then the user it belongs to.
 */
static __always_inline enum lmig_reason check_admission(struct lmig_addr *src,
							__u32 need)
{
	struct lmig_admission *adm;
	struct lmig_user *user;
	__u64 now;

	adm = bpf_map_lookup_elem(&lmig_admission, src);
	if (!adm)
		return LMIG_DROP_NO_ADMISSION;
	/* Read only for traffic that found an admission. */
	now = bpf_ktime_get_boot_ns();
	if (now >= adm->expires_ns)
		return LMIG_DROP_EXPIRED;
	if (!(adm->services & need))
		return LMIG_DROP_SERVICE;
	user = bpf_map_lookup_elem(&lmig_users, &adm->user_id);
	if (!user)
		return LMIG_DROP_USER_UNKNOWN;
	if (user->state != LMIG_STATE_ACTIVE)
		return LMIG_DROP_SUSPENDED;
	if (now >= user->valid_until_ns)
		return LMIG_DROP_EXPIRED;
	if (!(user->services & adm->services & need))
		return LMIG_DROP_SERVICE;
	return LMIG_PASS_ADMITTED;
}

static __always_inline enum lmig_reason unclassified(void)
{
	__u32 key = 0;
	struct lmig_config *cfg = bpf_map_lookup_elem(&lmig_config, &key);

	/* Any value but an explicit pass fails closed. */
	if (cfg && cfg->unclassified == LMIG_DEFAULT_PASS)
		return LMIG_PASS_UNCLASSIFIED;
	return LMIG_DROP_UNCLASSIFIED;
}

static __always_inline enum lmig_reason classify(struct lmig_packet *pkt)
{
	__u32 index = lmig_port_index(pkt->l4_slot, pkt->dport);
	__u32 *class = bpf_map_lookup_elem(&lmig_ports, &index);
	__u32 need;

	if (!class || *class == LMIG_CLASS_NONE)
		return unclassified();
	if (*class == LMIG_CLASS_OPEN)
		return LMIG_PASS_OPEN;
	need = lmig_class_service(*class);
	/* A class this program does not know is never admitted. */
	if (!need)
		return LMIG_DROP_SERVICE;
	return check_admission(&pkt->src, need);
}

static __always_inline enum lmig_reason judge(struct xdp_md *ctx)
{
	struct lmig_packet pkt;

	switch (parse_packet(ctx, &pkt)) {
	case LMIG_PARSE_NOT_IP:
		return LMIG_PASS_NOT_IP;
	case LMIG_PARSE_PORTS:
		return classify(&pkt);
	case LMIG_PARSE_OTHER_L4:
		return unclassified();
	case LMIG_PARSE_OPAQUE:
		return check_admission(&pkt.src, LMIG_SERVICES_ALL);
	default:
		return LMIG_DROP_MALFORMED;
	}
}

SEC("xdp")
int lmig_fast_path(struct xdp_md *ctx)
{
	enum lmig_reason reason = judge(ctx);
	__u32 key = reason;
	struct lmig_counter *counter;

	counter = bpf_map_lookup_elem(&lmig_stats, &key);
	if (counter) {
		counter->packets++;
		counter->bytes += bpf_xdp_get_buff_len(ctx);
	}
	return reason < LMIG_DROP_UNCLASSIFIED ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
