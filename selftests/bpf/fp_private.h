/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * For tests that load a fast-path instance: a private mount and network
 * namespace with a BPF filesystem of their own, so they never touch a
 * running gateway's pins, and test addresses in 192.0.2.0/24.
 */
#ifndef LMIG_SELFTESTS_FP_PRIVATE_H
#define LMIG_SELFTESTS_FP_PRIVATE_H

#include <sched.h>
#include <sys/mount.h>

#include "lmig_maps.h"

/* 0, or -1 with errno set. */
static inline int fp_private_bpffs(void)
{
	if (unshare(CLONE_NEWNS | CLONE_NEWNET) ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
	    mount("bpf", "/sys/fs/bpf", "bpf", 0, "mode=0700"))
		return -1;
	return 0;
}

/* 192.0.2.last, IPv4-mapped as the maps hold it. */
static inline struct lmig_addr fp_test_addr(unsigned char last)
{
	struct lmig_addr a = {.addr = {[10] = 0xff,
				       [11] = 0xff,
				       [12] = 192,
				       [13] = 0,
				       [14] = 2,
				       [15] = last}};

	return a;
}

#endif /* LMIG_SELFTESTS_FP_PRIVATE_H */
