/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The agent's view of the kernel's limited-migration policy (lmig.ko,
 * generic netlink family "lmig", include/uapi/linux/lmig.h), over
 * libnl-genl-3: profile look-ups, a full dump, the table info, and the
 * event stream the agent follows to mirror profile state into the fast
 * path.
 */
#ifndef LMIG_AGENT_KERNEL_H
#define LMIG_AGENT_KERNEL_H

#include <stddef.h>
#include <stdint.h>

#include <linux/lmig.h>

/* What the agent needs of one profile. */
struct lmigd_profile {
	uint32_t user_id;
	char partner_id[LMIG_ID_MAX_LEN + 1];
	uint32_t services;   /* LMIG_SERVICE_* */
	uint32_t state;	     /* enum lmig_state */
	uint64_t not_before; /* Unix seconds, 0: unbounded */
	uint64_t not_after;  /* Unix seconds, 0: unbounded */
	uint64_t generation;
};

struct lmigd_table_info {
	uint64_t epoch;
	uint64_t generation;
	uint32_t profiles;
	uint32_t max_profiles;
};

struct lmigd_kernel;

/*
 * Connect to the lmig family and subscribe to its events. Returns 0, or
 * -errno with a message in err (e.g. the module is not loaded).
 */
int lmigd_kernel_open(struct lmigd_kernel **k, char *err, size_t errlen);
void lmigd_kernel_close(struct lmigd_kernel *k);

int lmigd_kernel_info(struct lmigd_kernel *k, struct lmigd_table_info *info);

/* The profile answering for a primary MC ID: 0, -ENOENT or -errno. */
int lmigd_kernel_get_by_primary(struct lmigd_kernel *k, const char *primary_id,
				struct lmigd_profile *out);

/*
 * Every profile, in user id order. Returns 0, -EAGAIN when the table
 * changed during the dump (the caller dumps again), or -errno; stops with
 * cb's value if it returns non-zero.
 */
int lmigd_kernel_dump(struct lmigd_kernel *k,
		      int (*cb)(const struct lmigd_profile *p, void *arg),
		      void *arg);

/* The descriptor to poll for events. */
int lmigd_kernel_event_fd(const struct lmigd_kernel *k);

struct lmigd_event {
	uint8_t cmd;		      /* LMIG_CMD_PROFILE_*_NTF */
	uint64_t generation;	      /* table generation after it */
	struct lmigd_profile profile; /* new state, or the deleted one */
	struct lmigd_profile old;     /* CHANGE only: the previous state */
};

/*
 * Read the events waiting on the socket without blocking, calling cb for
 * each profile event (NEW, CHANGE, DEL). Returns 0; or, when the caller
 * must resynchronise from a dump, -ENOBUFS if events were lost (socket
 * overflow) and -ESTALE if the table was flushed (LMIG_CMD_FLUSH_NTF,
 * which names no profile) or an event of an unknown kind came; or
 * another -errno.
 */
int lmigd_kernel_read_events(struct lmigd_kernel *k,
			     void (*cb)(const struct lmigd_event *ev,
					void *arg),
			     void *arg);

#endif /* LMIG_AGENT_KERNEL_H */
