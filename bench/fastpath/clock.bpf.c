// SPDX-License-Identifier: GPL-2.0-only
/*
 * What a clock read costs per packet: one program per way of reading the
 * time, each the same array lookup and compare the fast path does with
 * the time. The fast path's way is "tick": the coarse clock, read again
 * only when jiffies moved.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct tick {
	__u64 jiffies;
	__u64 now;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} expiry SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct tick);
} cache SEC(".maps");

static __always_inline int judge(__u64 now)
{
	__u32 zero = 0;
	__u64 *e = bpf_map_lookup_elem(&expiry, &zero);

	return e && now < *e ? XDP_PASS : XDP_DROP;
}

SEC("xdp")
int none(struct xdp_md *ctx)
{
	return judge(1);
}

SEC("xdp")
int boot(struct xdp_md *ctx)
{
	return judge(bpf_ktime_get_boot_ns());
}

SEC("xdp")
int mono(struct xdp_md *ctx)
{
	return judge(bpf_ktime_get_ns());
}

SEC("xdp")
int coarse(struct xdp_md *ctx)
{
	return judge(bpf_ktime_get_coarse_ns());
}

SEC("xdp")
int tick(struct xdp_md *ctx)
{
	__u64 jiffies = bpf_jiffies64();
	__u32 zero = 0;
	struct tick *t = bpf_map_lookup_elem(&cache, &zero);

	if (!t)
		return XDP_DROP;
	if (t->jiffies != jiffies) {
		t->now = bpf_ktime_get_coarse_ns();
		t->jiffies = jiffies;
	}
	return judge(t->now);
}

char LICENSE[] SEC("license") = "GPL";
