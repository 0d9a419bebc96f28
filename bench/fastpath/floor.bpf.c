// SPDX-License-Identifier: GPL-2.0-only
/*
 * The floor the fast path is measured against: parse Ethernet (up to two
 * VLAN tags), IPv4 (options) or IPv6 (hop-by-hop, routing and destination
 * options headers) and the UDP or TCP destination port, then one lookup of
 * the source address in a hash map made like lmig_admission (the same key,
 * value size, flags and size). Found: pass; else drop. Nothing else: no
 * length checks beyond what the verifier needs, no classes, no clock, no
 * counters.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "lmig_maps.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, LMIG_ADMISSIONS_MAX);
	__type(key, struct lmig_addr);
	__type(value, struct lmig_admission);
} floor_table SEC(".maps");

struct vlan {
	__be16 tci;
	__be16 proto;
};

struct opt {
	__u8 nexthdr;
	__u8 len;
	__u8 pad[6];
};

SEC("xdp")
int parse_and_lookup(struct xdp_md *ctx)
{
	void *pos = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = pos;
	struct lmig_addr key;
	__u16 *ports;
	__be16 type;
	__u8 proto;

	if ((void *)(eth + 1) > end)
		return XDP_DROP;
	pos = eth + 1;
	type = eth->h_proto;
#pragma unroll
	for (int i = 0; i < 2; i++) {
		struct vlan *v = pos;

		if (type != bpf_htons(ETH_P_8021Q) &&
		    type != bpf_htons(ETH_P_8021AD))
			break;
		if ((void *)(v + 1) > end)
			return XDP_DROP;
		type = v->proto;
		pos = v + 1;
	}
	if (type == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = pos;
		__u32 *w = (__u32 *)key.addr;

		if ((void *)(ip + 1) > end)
			return XDP_DROP;
		w[0] = 0;
		w[1] = 0;
		w[2] = bpf_htonl(0xffff);
		w[3] = ip->saddr;
		proto = ip->protocol;
		pos += ip->ihl * 4;
	} else if (type == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = pos;

		if ((void *)(ip6 + 1) > end)
			return XDP_DROP;
		__builtin_memcpy(key.addr, &ip6->saddr, sizeof(key.addr));
		proto = ip6->nexthdr;
		pos = ip6 + 1;
#pragma unroll
		for (int i = 0; i < 6; i++) {
			struct opt *o = pos;

			if (proto != 0 && proto != 43 && proto != 60)
				break;
			if ((void *)(o + 1) > end)
				return XDP_DROP;
			proto = o->nexthdr;
			pos += (o->len + 1) * 8;
		}
	} else {
		return XDP_PASS;
	}
	if (proto != IPPROTO_UDP && proto != IPPROTO_TCP)
		return XDP_PASS;
	ports = pos;
	if ((void *)(ports + 2) > end || !ports[1])
		return XDP_DROP;
	return bpf_map_lookup_elem(&floor_table, &key) ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
