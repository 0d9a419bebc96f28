// SPDX-License-Identifier: GPL-2.0-only
/*
 * The flood generator: run with BPF_PROG_TEST_RUN in live-frame mode, it
 * gives each frame the next of count IPv4 source addresses from base, a
 * stride apart, and redirects it out of ifindex.
 */
#include <linux/bpf.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

/* Set before load, as one block so its layout is fixed. */
const volatile struct {
	__u32 ifindex;
	__u32 src_offset;
	__u32 count;
	__u32 stride;
	__u32 base;
} cfg = {.count = 1, .stride = 1};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} position SEC(".maps");

SEC("xdp")
int gen(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	__u32 zero = 0, off = cfg.src_offset, *at, next;
	__be32 *src;

	at = bpf_map_lookup_elem(&position, &zero);
	if (!at || off > 128)
		return XDP_ABORTED;
	src = data + off;
	if ((void *)(src + 1) > end)
		return XDP_ABORTED;
	next = *at + cfg.stride;
	if (next >= cfg.count)
		next -= cfg.count;
	*at = next;
	*src = bpf_htonl(cfg.base + next);
	return bpf_redirect(cfg.ifindex, 0);
}

char LICENSE[] SEC("license") = "GPL";
