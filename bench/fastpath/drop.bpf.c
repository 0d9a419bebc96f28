// SPDX-License-Identifier: GPL-2.0-only
/*
 * The least any XDP program does: drop; the reference for floods. And the
 * least a program that judges by source does: read the IPv4 source, then
 * drop, which costs the frame's first cache line.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int drop(struct xdp_md *ctx)
{
	return XDP_DROP;
}

SEC("xdp")
int read_drop(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);

	if ((void *)(ip + 1) > end)
		return XDP_DROP;
	/* Never true for the flood; the read is what is paid for. */
	if (eth->h_proto == bpf_htons(ETH_P_IP) && ip->saddr == 0xffffffff)
		return XDP_PASS;
	return XDP_DROP;
}

/* Only there so that veth runs its NAPI for traffic judged later. */
SEC("xdp")
int pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
