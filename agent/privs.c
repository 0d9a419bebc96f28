// SPDX-License-Identifier: GPL-2.0-only
/* Dropping every capability the running agent does not need. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/capability.h>

#include "privs.h"

/*
 * CAP_NET_ADMIN: the lmig family's commands, and reconnecting to it.
 * CAP_BPF: with kernel.unprivileged_bpf_disabled set (Debian's default),
 * every bpf() call needs it, map updates on an open descriptor included.
 */
static const int keep[] = {CAP_NET_ADMIN, CAP_BPF};

static bool kept(int cap)
{
	for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
		if (keep[i] == cap)
			return true;
	return false;
}

int lmigd_drop_privileges(char *err, size_t errlen)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) {
		snprintf(err, errlen, "no_new_privs: %s", strerror(errno));
		return -errno;
	}
	/* The bounding set first: the capabilities a future exec could get. */
	for (int cap = 0; cap <= CAP_LAST_CAP; cap++) {
		if (kept(cap))
			continue;
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) && errno != EINVAL) {
			snprintf(err, errlen, "dropping capability %d: %s", cap,
				 strerror(errno));
			return -errno;
		}
	}
	memset(data, 0, sizeof(data));
	for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++) {
		data[keep[i] / 32].effective |= 1U << (keep[i] % 32);
		data[keep[i] / 32].permitted |= 1U << (keep[i] % 32);
	}
	if (syscall(SYS_capset, &hdr, data)) {
		snprintf(err, errlen, "capset: %s", strerror(errno));
		return -errno;
	}
	return 0;
}
