/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the flood generator and the table-spreading prologue share: each
 * frame gets the next of count IPv4 source addresses from base, a stride
 * apart, written at src_offset (the address's last four bytes). The
 * position is per CPU, so no two CPUs contend for it.
 */
#ifndef LMIG_BENCH_NEXT_SOURCE_H
#define LMIG_BENCH_NEXT_SOURCE_H

#include <linux/bpf.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} position SEC(".maps");

/* 0 when the frame now carries the next address, -1 when it cannot. */
static __always_inline int write_next_source(struct xdp_md *ctx, __u32 off,
					     __u32 count, __u32 stride,
					     __u32 base)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	__u32 zero = 0, *at, next;
	__be32 *src;

	at = bpf_map_lookup_elem(&position, &zero);
	if (!at || off > 128)
		return -1;
	src = data + off;
	if ((void *)(src + 1) > end)
		return -1;
	next = *at + stride;
	if (next >= count)
		next -= count;
	*at = next;
	*src = bpf_htonl(base + next);
	return 0;
}

#endif
