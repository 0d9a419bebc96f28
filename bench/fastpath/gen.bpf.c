// SPDX-License-Identifier: GPL-2.0-only
/*
 * The flood generator: run with BPF_PROG_TEST_RUN in live-frame mode, it
 * gives each frame the next of count IPv4 source addresses from base, a
 * stride apart, and redirects it out of ifindex.
 */
#include "next_source.h"

/* Set before load, as one block so its layout is fixed. */
const volatile struct {
	__u32 ifindex;
	__u32 src_offset;
	__u32 count;
	__u32 stride;
	__u32 base;
} cfg = {.count = 1, .stride = 1};

SEC("xdp")
int gen(struct xdp_md *ctx)
{
	if (write_next_source(ctx, cfg.src_offset, cfg.count, cfg.stride,
			      cfg.base))
		return XDP_ABORTED;
	return bpf_redirect(cfg.ifindex, 0);
}

char LICENSE[] SEC("license") = "GPL";
