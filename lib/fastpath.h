/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The XDP fast path of one gateway instance, from userspace.
 *
 * An instance is a directory LMIG_PIN_ROOT/<instance>/ on the BPF
 * filesystem holding the pinned maps of include/lmig_maps.h (one file per
 * map, named as the map) and one pinned XDP link per interface the
 * program is attached to (LMIG_LINK_PREFIX <ifname>). Pins outlive the
 * process: the agent can stop, crash or be upgraded while the program
 * keeps enforcing the admissions already in the maps. One instance serves
 * one network namespace; give gateways in other namespaces their own.
 *
 * A handle comes from lmig_fp_load() (the agent: load the program, reuse
 * the pinned maps or create and pin them) or lmig_fp_open() (the CLI,
 * tests: the pinned maps only, read and write, no program). Both handles
 * read and write maps the same way, lmig_filter and lmig_users through
 * shared mappings of them.
 *
 * Errors: every function that can fail returns 0 or a negative errno and
 * then writes into msg (at most msglen bytes, always NUL-terminated; msg
 * may be NULL when msglen is 0) one line that names what failed: the
 * instance, path, interface or map, and the offending value. On success
 * msg is left empty, except where a function says otherwise. Input is
 * checked before anything is touched, so a rejected call changes nothing.
 *
 * Map walks call cb once per entry; a non-zero return from cb stops the
 * walk and is returned as is. Entries added or removed during a walk may
 * or may not be seen; no entry is seen twice.
 *
 * The library never prints. libbpf prints its own warnings through the
 * function set with libbpf_set_print(), which the program chooses.
 * Handles are not shared between threads without a lock.
 */
#ifndef LMIG_FASTPATH_H
#define LMIG_FASTPATH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <net/if.h>
#include <sys/socket.h>

#include "lmig_maps.h"

/* Instance names: [A-Za-z0-9_-], 1 to LMIG_FP_INSTANCE_MAX bytes. */
#define LMIG_FP_INSTANCE_MAX 64
/* A message buffer of this size holds every message whole. */
#define LMIG_FP_MSG_MAX 512
/* Room for any address lmig_addr_format() writes, with its NUL. */
#define LMIG_ADDR_STRLEN 46

struct lmig_fp;

enum lmig_xdp_mode {
	/* Request only: native if the driver can, else generic, saying so. */
	LMIG_XDP_AUTO,
	/* In the driver, before any skb exists (XDP_FLAGS_DRV_MODE). */
	LMIG_XDP_NATIVE,
	/* In the stack, once the skb is built (XDP_FLAGS_SKB_MODE). */
	LMIG_XDP_GENERIC,
	/* Report only: the interface is gone or not in this namespace. */
	LMIG_XDP_UNKNOWN,
};

/* "auto", "native", "generic", "unknown"; "?" when out of range. */
const char *lmig_xdp_mode_name(enum lmig_xdp_mode mode);

/* 0 if name is a valid instance name, else -EINVAL and why. */
int lmig_fp_instance_check(const char *name, char *msg, size_t msglen);

/*
 * Load the XDP program for instance, creating its directory and every map
 * it does not have yet, reusing (never clearing) the maps it has. A pinned
 * map whose type, key, value, size or flags differ from the program's is
 * an error (-EINVAL): nothing is replaced behind the operator's back.
 * A new admission filter is built from the admissions pinned already; an
 * old one is checked against them (lmig_fp_filter_sync()).
 * Needs the BPF filesystem at the parent of LMIG_PIN_ROOT (-ENOTSUP).
 * Loaders of one instance are serialised with a lock on its directory;
 * one that finds it held fails with -EBUSY instead of waiting.
 */
int lmig_fp_load(const char *instance, struct lmig_fp **fp, char *msg,
		 size_t msglen);

/* The pinned maps of an existing instance, without the program: -ENOENT
 * when the instance or one of its maps is missing. */
int lmig_fp_open(const char *instance, struct lmig_fp **fp, char *msg,
		 size_t msglen);

/* Release the handle. Pins, links and maps stay. NULL is ignored. */
void lmig_fp_close(struct lmig_fp *fp);

/*
 * Remove an instance: detach and unpin every link, unpin every map, remove
 * the directory. Files in it that lmig does not own are left, and then so
 * is the directory (-ENOTEMPTY, the message names one such file). -EBUSY
 * while another process loads or removes the instance.
 */
int lmig_fp_remove(const char *instance, char *msg, size_t msglen);

/* The instance directory, e.g. "/sys/fs/bpf/lmig/default". */
const char *lmig_fp_dir(const struct lmig_fp *fp);

/* The loaded program's fd (owned by the handle); -1 from lmig_fp_open(). */
int lmig_fp_prog_fd(const struct lmig_fp *fp);

/*
 * Attach the loaded program to ifname in this network namespace through a
 * bpf_link pinned as LMIG_LINK_PREFIX <ifname> in the instance directory.
 *
 * If that pin exists and is the link of this interface, the link is
 * reused: its program is replaced atomically, so no packet goes
 * unjudged, and the mode stays what it was (*reused = true). A pin left
 * from an interface that no longer exists is replaced by a new link. A pin
 * whose link holds another interface is an error (-EEXIST), as is asking
 * for a mode other than the reused link's.
 *
 * want LMIG_XDP_AUTO tries native mode, then generic mode; on such a
 * fallback msg says why native mode was refused, on success too. *mode is
 * the mode the program now runs in. Needs a handle from lmig_fp_load().
 */
int lmig_fp_attach(struct lmig_fp *fp, const char *ifname,
		   enum lmig_xdp_mode want, enum lmig_xdp_mode *mode,
		   bool *reused, char *msg, size_t msglen);

/* Detach the link of ifname and remove its pin; -ENOENT if none. Works
 * also when the interface is gone. */
int lmig_fp_detach(struct lmig_fp *fp, const char *ifname, char *msg,
		   size_t msglen);

struct lmig_fp_link {
	char ifname[IF_NAMESIZE]; /* from the pin name */
	uint32_t ifindex;	  /* 0: the interface is gone */
	uint32_t link_id;
	uint32_t prog_id;
	enum lmig_xdp_mode mode; /* NATIVE, GENERIC or UNKNOWN */
};

/* The pinned link of ifname; -ENOENT if none. */
int lmig_fp_link_get(struct lmig_fp *fp, const char *ifname,
		     struct lmig_fp_link *link, char *msg, size_t msglen);

typedef int (*lmig_fp_link_cb)(const struct lmig_fp_link *link, void *ctx);
int lmig_fp_link_foreach(struct lmig_fp *fp, lmig_fp_link_cb cb, void *ctx,
			 char *msg, size_t msglen);

/*
 * Admissions, keyed by source address. put inserts or replaces; it wants
 * user_id != 0, user_slot the slot lmig_fp_user_put() gave that user
 * (-ESTALE when the slot holds another user or none), services a
 * non-empty subset of LMIG_SERVICES_ALL, requested a subset of it, and
 * expires_ns != 0 (CLOCK_MONOTONIC, see clock.h). get and del return
 * -ENOENT for an address without an admission. put and del keep
 * lmig_filter in step with the admissions; so does every handle, of any
 * process, at once.
 */
int lmig_fp_admission_put(struct lmig_fp *fp, const struct lmig_addr *addr,
			  const struct lmig_admission *adm, char *msg,
			  size_t msglen);
int lmig_fp_admission_get(struct lmig_fp *fp, const struct lmig_addr *addr,
			  struct lmig_admission *adm, char *msg, size_t msglen);
int lmig_fp_admission_del(struct lmig_fp *fp, const struct lmig_addr *addr,
			  char *msg, size_t msglen);

typedef int (*lmig_fp_admission_cb)(const struct lmig_addr *addr,
				    const struct lmig_admission *adm,
				    void *ctx);
int lmig_fp_admission_foreach(struct lmig_fp *fp, lmig_fp_admission_cb cb,
			      void *ctx, char *msg, size_t msglen);

/*
 * The admission filter. sync makes sure no admission has a cell at zero
 * (raising the ones that are; *repaired says for how many admissions, may
 * be NULL): lmig_fp_load() does it, and rebuilds the filter whole when it
 * finds it new. info counts the cells in use and saturated.
 */
int lmig_fp_filter_sync(struct lmig_fp *fp, uint32_t *repaired, char *msg,
			size_t msglen);

/*
 * A cell that once counted three admissions stays saturated when they go.
 * recount gives such cells their exact count again (*lowered says how
 * many; may be NULL). It may miss an admission another process adds
 * while it runs: call it only from the one process that writes
 * admissions (the agent does, from its periodic clean-up).
 */
int lmig_fp_filter_recount(struct lmig_fp *fp, uint32_t *lowered, char *msg,
			   size_t msglen);

struct lmig_fp_filter_info {
	uint64_t seed;
	uint32_t used;	    /* cells above zero */
	uint32_t saturated; /* cells at LMIG_FILTER_SATURATED */
};

int lmig_fp_filter_info(struct lmig_fp *fp, struct lmig_fp_filter_info *info,
			char *msg, size_t msglen);

/*
 * User state mirrored from the profile table, one slot of lmig_users per
 * user. put writes the state, giving the user a free slot first if it has
 * none (-ENOSPC when all LMIG_USERS_MAX are taken), and tells the slot in
 * *slot (may be NULL). It wants user_id != 0, state LMIG_STATE_ACTIVE or
 * LMIG_STATE_SUSPENDED, services a subset of LMIG_SERVICES_ALL,
 * valid_until_ns != 0 (LMIG_TIME_NEVER: no end), pad 0 and user->user_id
 * 0 or user_id. get fills user and *slot (either may be NULL); -ENOENT
 * when the user holds no slot. del frees the user's slot: admissions that
 * still name it are refused from then on (LMIG_DROP_USER_UNKNOWN).
 *
 * Slots are claimed with an atomic compare-and-swap, so writers in
 * several processes never share one; a user is still best written by one
 * process (the agent), or two racing puts of one new user may each leave
 * it a slot until del.
 */
int lmig_fp_user_put(struct lmig_fp *fp, uint32_t user_id,
		     const struct lmig_user *user, uint32_t *slot, char *msg,
		     size_t msglen);
int lmig_fp_user_get(struct lmig_fp *fp, uint32_t user_id,
		     struct lmig_user *user, uint32_t *slot, char *msg,
		     size_t msglen);
int lmig_fp_user_del(struct lmig_fp *fp, uint32_t user_id, char *msg,
		     size_t msglen);

/* Every slot in use, in slot order; user->user_id is the user. */
typedef int (*lmig_fp_user_cb)(uint32_t slot, const struct lmig_user *user,
			       void *ctx);
int lmig_fp_user_foreach(struct lmig_fp *fp, lmig_fp_user_cb cb, void *ctx,
			 char *msg, size_t msglen);

/* The traffic of the user in slot, summed over every CPU. Counters start
 * at zero when a slot is given to a user. */
int lmig_fp_user_stats(struct lmig_fp *fp, uint32_t slot,
		       struct lmig_user_counter *stats, char *msg,
		       size_t msglen);

/*
 * Traffic class of destination ports first..last (inclusive) of one
 * transport (enum lmig_l4_slot): one of the first __LMIG_PORT_CLASS_MAX
 * classes. LMIG_CLASS_NONE gives them back to the default. The range
 * changes whole or not at all: should the kernel stop part-way, the ports
 * already written get their old classes back (and if even that fails,
 * msg says so: each port then holds its old class or the new one, never
 * a third).
 */
int lmig_fp_ports_set(struct lmig_fp *fp, uint32_t slot, uint16_t first,
		      uint16_t last, uint32_t class, char *msg, size_t msglen);
/* The classes of ports first..last, into classes[0 .. last - first]. */
int lmig_fp_ports_get(struct lmig_fp *fp, uint32_t slot, uint16_t first,
		      uint16_t last, uint32_t *classes, char *msg,
		      size_t msglen);
int lmig_fp_port_get(struct lmig_fp *fp, uint32_t slot, uint16_t port,
		     uint32_t *class, char *msg, size_t msglen);

/* Every longest run of ports of one class other than NONE, in order of
 * slot and port. */
typedef int (*lmig_fp_port_range_cb)(uint32_t slot, uint16_t first,
				     uint16_t last, uint32_t class, void *ctx);
int lmig_fp_port_ranges(struct lmig_fp *fp, lmig_fp_port_range_cb cb, void *ctx,
			char *msg, size_t msglen);

/*
 * Runtime settings; set wants a known unclassified default, pad 0 and
 * limits made by lmig_limit_set().
 */
int lmig_fp_config_set(struct lmig_fp *fp, const struct lmig_config *cfg,
		       char *msg, size_t msglen);
int lmig_fp_config_get(struct lmig_fp *fp, struct lmig_config *cfg, char *msg,
		       size_t msglen);

/*
 * A rate limit of per_second packets a second (at most 1e9; 0 for no
 * limit, or for no samples where that is what the limit meters) in
 * bursts of up to burst packets (at least 1). get gives back the figures
 * set, up to the rounding of the interval to whole nanoseconds.
 */
int lmig_limit_set(struct lmig_limit *limit, uint64_t per_second,
		   uint64_t burst);
void lmig_limit_get(const struct lmig_limit *limit, uint64_t *per_second,
		    uint64_t *burst);

/* Verdict counters per enum lmig_reason, summed over every class and CPU. */
int lmig_fp_stats(struct lmig_fp *fp, struct lmig_counter *stats, size_t nstats,
		  char *msg, size_t msglen);

/* Verdict counters per class and reason, summed over every CPU. */
int lmig_fp_class_stats(
	struct lmig_fp *fp,
	struct lmig_counter stats[__LMIG_CLASS_MAX][__LMIG_REASON_MAX],
	char *msg, size_t msglen);

/*
 * Sampled denials. read calls cb for each sample waiting, after waiting up
 * to timeout_ms (0: not at all, -1: until one comes) for the first, and
 * returns how many it read or -errno; a non-zero return of cb stops it
 * and is returned. fd is a descriptor that polls readable when samples
 * wait, for an event loop.
 */
typedef int (*lmig_fp_denial_cb)(const struct lmig_denial *denial, void *ctx);
int lmig_fp_denials_read(struct lmig_fp *fp, lmig_fp_denial_cb cb, void *ctx,
			 int timeout_ms, char *msg, size_t msglen);
int lmig_fp_denials_fd(struct lmig_fp *fp, char *msg, size_t msglen);

/*
 * Addresses. parse takes one IPv4 address in dotted-quad form or one IPv6
 * address in any RFC 4291 text form (no brackets, prefix or zone); IPv4 is
 * stored IPv4-mapped, so "192.0.2.1" and "::ffff:192.0.2.1" are the same
 * address. format writes IPv4-mapped addresses as IPv4, into a buffer of
 * LMIG_ADDR_STRLEN bytes or more, and returns buf.
 */
int lmig_addr_parse(const char *text, struct lmig_addr *addr, char *msg,
		    size_t msglen);
char *lmig_addr_format(const struct lmig_addr *addr, char *buf, size_t len);
bool lmig_addr_is_ipv4(const struct lmig_addr *addr);
/* From an AF_INET or AF_INET6 socket address; -EAFNOSUPPORT or -EINVAL. */
int lmig_addr_from_sockaddr(const struct sockaddr *sa, socklen_t salen,
			    struct lmig_addr *addr, char *msg, size_t msglen);

#endif /* LMIG_FASTPATH_H */
