// SPDX-License-Identifier: GPL-2.0-only
/*
 * Many distinct sources through BPF_PROG_TEST_RUN, which repeats one
 * frame: this prologue writes the next source address into the frame
 * (the run keeps the frame between repeats) and tail-calls the program
 * measured. The low 32 bits of the address walk count values from base,
 * a stride apart (coprime with count), so consecutive packets land far
 * apart in any table filled from base in order. The same prologue, tail
 * calling a program that only passes, gives its own cost.
 */
#include <linux/bpf.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

/* Set before load, as one block so its layout is fixed. */
const volatile struct {
	__u32 src_offset;	/* of the address's last 4 bytes */
	__u32 count;
	__u32 stride;
	__u32 base;		/* host order */
} cfg = {.count = 1, .stride = 1};

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} target SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} position SEC(".maps");

SEC("xdp")
int spread(struct xdp_md *ctx)
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
	bpf_tail_call(ctx, &target, 0);
	return XDP_ABORTED;
}

SEC("xdp")
int pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
