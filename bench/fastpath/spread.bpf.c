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
#include "next_source.h"

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

SEC("xdp")
int spread(struct xdp_md *ctx)
{
	if (write_next_source(ctx, cfg.src_offset, cfg.count, cfg.stride,
			      cfg.base))
		return XDP_ABORTED;
	bpf_tail_call(ctx, &target, 0);
	return XDP_ABORTED;
}

SEC("xdp")
int pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
