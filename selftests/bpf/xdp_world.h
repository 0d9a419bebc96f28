/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The gateway state the XDP verdict tests run against: which ports are MC
 * ports, which sources hold which admission, which users exist in which
 * state. It is written through lib/fastpath, as the agent writes it, into
 * an instance on a BPF filesystem private to the test process, once, before
 * the tests fork from it; and it is described here as data, so a test can
 * work out the verdict on its own.
 */
#ifndef LMIG_XDP_WORLD_H
#define LMIG_XDP_WORLD_H

#include <errno.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/mount.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <linux/lmig.h>
#include "clock.h"
#include "fastpath.h"
#include "lmig_maps.h"

/* Destination ports and their classes. */
#define PORT_PTT    5000 /* udp: ptt */
#define PORT_VIDEO  5001 /* udp, tcp and sctp: video */
#define PORT_DATA   5002 /* udp and sctp: data */
#define PORT_OPEN   443	 /* udp and tcp: open (the admission endpoint) */
#define PORT_DENY   8809 /* udp and tcp: deny (off-network MONP) */
#define PORT_BOGUS  7777 /* udp: a class value no lmig knows, from bpftool */
#define PORT_OTHER  9999 /* no class */
#define BOGUS_CLASS 77

static inline uint32_t world_class(uint32_t l4, uint16_t port)
{
	switch (port) {
	case PORT_PTT:
		return l4 == LMIG_L4_UDP ? LMIG_CLASS_PTT : LMIG_CLASS_NONE;
	case PORT_VIDEO:
		return LMIG_CLASS_VIDEO;
	case PORT_DATA:
		return l4 == LMIG_L4_TCP ? LMIG_CLASS_NONE : LMIG_CLASS_DATA;
	case PORT_OPEN:
		return l4 == LMIG_L4_SCTP ? LMIG_CLASS_NONE : LMIG_CLASS_OPEN;
	case PORT_DENY:
		return l4 == LMIG_L4_SCTP ? LMIG_CLASS_NONE : LMIG_CLASS_DENY;
	case PORT_BOGUS:
		/* Judged as deny, whatever the value says. */
		return l4 == LMIG_L4_UDP ? LMIG_CLASS_DENY : LMIG_CLASS_NONE;
	default:
		return LMIG_CLASS_NONE;
	}
}

/* Sources: 192.0.2.(10 + src) and 2001:db8::(10 + src) hex. */
enum src {
	SRC_ADMITTED,	       /* ptt+video, user 1 active, unexpired */
	SRC_NONE,	       /* no admission */
	SRC_EXPIRED,	       /* admission expired */
	SRC_WINDOW_OVER,       /* user 2: profile window ended */
	SRC_SUSPENDED,	       /* user 3: suspended */
	SRC_NO_USER,	       /* user 99, whose slot was freed */
	SRC_VIDEO_ONLY,	       /* admission grants video only */
	SRC_PROFILE_VIDEO,     /* user 4: profile permits video only */
	SRC_SUSPENDED_EXPIRED, /* user 3, admission expired: suspended first */
	SRC_DATA,	       /* user 5: every service */
	SRC_COLLIDING,	       /* no admission, but its filter counter is up */
	SRC_COUNT
};

#define PV	    (LMIG_SERVICE_PTT | LMIG_SERVICE_VIDEO)
#define STALE_USER  99
#define WORLD_USERS 5

static const struct world_admission {
	bool admitted;
	bool expired;
	uint32_t services;
	uint32_t user_id;
} world_admissions[SRC_COUNT] = {
	[SRC_ADMITTED] = {true, false, PV, 1},
	[SRC_EXPIRED] = {true, true, PV, 1},
	[SRC_WINDOW_OVER] = {true, false, PV, 2},
	[SRC_SUSPENDED] = {true, false, PV, 3},
	[SRC_NO_USER] = {true, false, PV, STALE_USER},
	[SRC_VIDEO_ONLY] = {true, false, LMIG_SERVICE_VIDEO, 1},
	[SRC_PROFILE_VIDEO] = {true, false, PV, 4},
	[SRC_SUSPENDED_EXPIRED] = {true, true, PV, 3},
	[SRC_DATA] = {true, false, LMIG_SERVICES_ALL, 5},
};

static const struct world_user {
	uint32_t id;
	uint32_t state;
	bool window_over;
	uint32_t services;
} world_users[WORLD_USERS] = {
	{1, LMIG_STATE_ACTIVE, false, LMIG_SERVICES_ALL},
	{2, LMIG_STATE_ACTIVE, true, LMIG_SERVICES_ALL},
	{3, LMIG_STATE_SUSPENDED, false, LMIG_SERVICES_ALL},
	{4, LMIG_STATE_ACTIVE, false, LMIG_SERVICE_VIDEO},
	{5, LMIG_STATE_ACTIVE, false, LMIG_SERVICES_ALL},
};

static inline void src_v4(enum src src, uint8_t *out)
{
	const uint8_t a[4] = {192, 0, 2, 10 + src};

	memcpy(out, a, 4);
}

static inline void src_v6(enum src src, uint8_t *out)
{
	memset(out, 0, 16);
	out[0] = 0x20;
	out[1] = 0x01;
	out[2] = 0x0d;
	out[3] = 0xb8;
	out[15] = 0x10 + src;
}

static inline void src_key(int family, enum src src, struct lmig_addr *key)
{
	memset(key, 0, sizeof(*key));
	if (family == 4) {
		key->addr[10] = 0xff;
		key->addr[11] = 0xff;
		src_v4(src, key->addr + 12);
	} else {
		src_v6(src, key->addr);
	}
}

/* The world's admission of an address, NULL if it holds none. */
static inline const struct world_admission *world_admission_of(
	const struct lmig_addr *src)
{
	struct lmig_addr key;

	for (int s = 0; s < SRC_COUNT; s++)
		for (int family = 4; family <= 6; family += 2) {
			src_key(family, s, &key);
			if (!memcmp(&key, src, sizeof(key)) &&
			    world_admissions[s].admitted)
				return &world_admissions[s];
		}
	return NULL;
}

/*
 * The verdict reason for src sending traffic that needs a service of
 * need, as the contract orders the checks; *user is the index in
 * world_users of the user the traffic is counted for, -1 for none.
 */
static inline enum lmig_reason world_judge(const struct lmig_addr *src,
					   uint32_t need, int *user)
{
	const struct world_admission *adm = world_admission_of(src);
	const struct world_user *u = NULL;

	*user = -1;
	if (!adm)
		return LMIG_DROP_NO_ADMISSION;
	for (int i = 0; i < WORLD_USERS; i++)
		if (world_users[i].id == adm->user_id) {
			u = &world_users[i];
			*user = i;
		}
	if (!u)
		return LMIG_DROP_USER_UNKNOWN;
	if (u->state != LMIG_STATE_ACTIVE)
		return LMIG_DROP_SUSPENDED;
	if (adm->expired || u->window_over)
		return LMIG_DROP_EXPIRED;
	if (!(adm->services & u->services & need))
		return LMIG_DROP_SERVICE;
	return LMIG_PASS_ADMITTED;
}

/* ---- the loaded world ----------------------------------------------- */

struct world {
	int err; /* of world_init(): every test fails with it */
	char why[LMIG_FP_MSG_MAX];
	char instance[LMIG_FP_INSTANCE_MAX + 1];
	struct lmig_fp *fp;
	int prog_fd;
	int stats_fd;
	int ncpus;
	uint32_t slots[WORLD_USERS];
	struct lmig_counter *before, *after; /* LMIG_STATS_MAX x ncpus */
};

static struct world world;

static inline int world_fail(int err, const char *what, const char *detail)
{
	char copy[LMIG_FP_MSG_MAX];

	snprintf(copy, sizeof(copy), "%s", detail);
	world.err = err ? err : -EIO;
	snprintf(world.why, sizeof(world.why), "%.64s: %.400s", what, copy);
	return world.err;
}

static inline int world_map_fd(const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", lmig_fp_dir(world.fp), name);
	return bpf_obj_get(path);
}

/* Raise the filter cells of an address that holds no admission: the
 * program must look it up and find nothing. */
static inline int world_collide(const struct lmig_addr *key)
{
	int fd = world_map_fd(LMIG_MAP_FILTER);
	size_t len = sizeof(struct lmig_filter);
	struct lmig_filter *f;
	uint64_t h;

	if (fd < 0)
		return -errno;
	len = (len + 4095) / 4096 * 4096;
	f = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (f == MAP_FAILED)
		return -errno;
	h = lmig_filter_hash(key, f->seed);
	for (uint32_t i = 0; i < LMIG_FILTER_CELLS; i++) {
		struct lmig_filter_block *b = &f->blocks[lmig_filter_block(h)];
		uint32_t cell = lmig_filter_cell(h, i);

		if (!lmig_filter_count(b, cell))
			__atomic_fetch_add(&b->word[cell / 32],
					   1ULL << ((cell % 32) * 2),
					   __ATOMIC_SEQ_CST);
	}
	munmap(f, len);
	return 0;
}

static inline int world_admit(enum src s, uint32_t slot, uint64_t hour)
{
	const struct world_admission *w = &world_admissions[s];
	struct lmig_admission adm = {
		.expires_ns = w->expired ? 1 : hour,
		.granted_ns = 1,
		.user_id = w->user_id,
		.user_slot = slot,
		.services = w->services,
		.requested = w->services,
	};
	struct lmig_addr key;
	int err;

	for (int family = 4; family <= 6; family += 2) {
		src_key(family, s, &key);
		err = lmig_fp_admission_put(world.fp, &key, &adm, world.why,
					    sizeof(world.why));
		if (err)
			return world_fail(err, "admission", world.why);
	}
	return 0;
}

static inline int world_put_user(uint32_t id, uint32_t state, bool window_over,
				 uint32_t services, uint32_t *slot)
{
	struct lmig_user user = {
		.valid_until_ns = window_over ? 1 : LMIG_TIME_NEVER,
		.generation = 1,
		.state = state,
		.services = services,
	};
	int err = lmig_fp_user_put(world.fp, id, &user, slot, world.why,
				   sizeof(world.why));

	return err ? world_fail(err, "user", world.why) : 0;
}

/*
 * Build the world: a private mount namespace with its own BPF filesystem,
 * the program loaded through lib/fastpath, every map filled. Runs once in
 * the test process, before the harness forks the tests.
 */
static inline void world_init(void)
{
	static const struct {
		uint32_t l4;
		uint16_t port;
	} ports[] = {
		{LMIG_L4_UDP, PORT_PTT},   {LMIG_L4_UDP, PORT_VIDEO},
		{LMIG_L4_TCP, PORT_VIDEO}, {LMIG_L4_SCTP, PORT_VIDEO},
		{LMIG_L4_UDP, PORT_DATA},  {LMIG_L4_SCTP, PORT_DATA},
		{LMIG_L4_UDP, PORT_OPEN},  {LMIG_L4_TCP, PORT_OPEN},
		{LMIG_L4_UDP, PORT_DENY},  {LMIG_L4_TCP, PORT_DENY},
	};
	uint64_t hour = lmig_clock_now_ns() + 3600 * LMIG_NSEC_PER_SEC;
	struct lmig_addr key;
	uint32_t stale_slot, bogus = BOGUS_CLASS, index;
	int err, fd;

	if (unshare(CLONE_NEWNS) ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
	    mount("bpf", "/sys/fs/bpf", "bpf", 0, "mode=0700")) {
		world_fail(-errno, "a private BPF filesystem", strerror(errno));
		return;
	}
	snprintf(world.instance, sizeof(world.instance), "world-%d", getpid());
	err = lmig_fp_load(world.instance, &world.fp, world.why,
			   sizeof(world.why));
	if (err) {
		world_fail(err, "loading", world.why);
		return;
	}
	world.prog_fd = lmig_fp_prog_fd(world.fp);
	world.stats_fd = world_map_fd(LMIG_MAP_STATS);
	world.ncpus = libbpf_num_possible_cpus();
	if (world.stats_fd < 0 || world.ncpus <= 0) {
		world_fail(-errno, "the counters", strerror(errno));
		return;
	}
	world.before = calloc((size_t)LMIG_STATS_MAX * world.ncpus,
			      sizeof(struct lmig_counter));
	world.after = calloc((size_t)LMIG_STATS_MAX * world.ncpus,
			     sizeof(struct lmig_counter));
	if (!world.before || !world.after) {
		world_fail(-ENOMEM, "the counters", "out of memory");
		return;
	}
	for (size_t i = 0; i < sizeof(ports) / sizeof(ports[0]); i++) {
		err = lmig_fp_ports_set(world.fp, ports[i].l4, ports[i].port,
					ports[i].port,
					world_class(ports[i].l4, ports[i].port),
					world.why, sizeof(world.why));
		if (err) {
			world_fail(err, "ports", world.why);
			return;
		}
	}
	/* What bpftool could write, bypassing the library's checks. */
	fd = world_map_fd(LMIG_MAP_PORTS);
	index = lmig_port_index(LMIG_L4_UDP, PORT_BOGUS);
	if (fd < 0 || bpf_map_update_elem(fd, &index, &bogus, BPF_ANY)) {
		world_fail(-errno, "a bogus class", strerror(errno));
		return;
	}
	close(fd);

	for (int i = 0; i < WORLD_USERS; i++)
		if (world_put_user(world_users[i].id, world_users[i].state,
				   world_users[i].window_over,
				   world_users[i].services, &world.slots[i]))
			return;
	/* User 99 is admitted, then loses its slot. */
	if (world_put_user(STALE_USER, LMIG_STATE_ACTIVE, false,
			   LMIG_SERVICES_ALL, &stale_slot))
		return;
	for (int s = 0; s < SRC_COUNT; s++) {
		const struct world_admission *w = &world_admissions[s];
		uint32_t slot = stale_slot;

		if (!w->admitted)
			continue;
		for (int i = 0; i < WORLD_USERS; i++)
			if (world_users[i].id == w->user_id)
				slot = world.slots[i];
		if (world_admit(s, slot, hour))
			return;
	}
	err = lmig_fp_user_del(world.fp, STALE_USER, world.why,
			       sizeof(world.why));
	if (err) {
		world_fail(err, "freeing user 99", world.why);
		return;
	}
	for (int family = 4; family <= 6; family += 2) {
		src_key(family, SRC_COLLIDING, &key);
		err = world_collide(&key);
		if (err) {
			world_fail(err, "the filter", strerror(-err));
			return;
		}
	}
}

/* Settings of one test: default and rate limits; open buckets emptied. */
static inline int world_config(bool default_drop,
			       const struct lmig_limit *open_source,
			       const struct lmig_limit *open_total,
			       const struct lmig_limit *denials)
{
	struct lmig_config cfg = {
		.unclassified = default_drop ? LMIG_DEFAULT_DROP
					     : LMIG_DEFAULT_PASS,
	};
	struct lmig_bucket empty = {0};
	struct lmig_addr key, next;
	uint32_t zero = 0;
	int fd, err;

	if (open_source)
		cfg.open_source = *open_source;
	if (open_total)
		cfg.open_total = *open_total;
	if (denials)
		cfg.denials = *denials;
	err = lmig_fp_config_set(world.fp, &cfg, NULL, 0);
	if (err)
		return err;
	fd = world_map_fd(LMIG_MAP_OPEN_SOURCES);
	if (fd < 0)
		return -errno;
	while (!bpf_map_get_next_key(fd, NULL, &next)) {
		key = next;
		if (bpf_map_delete_elem(fd, &key))
			break;
	}
	close(fd);
	fd = world_map_fd(LMIG_MAP_OPEN_TOTAL);
	if (fd < 0)
		return -errno;
	err = bpf_map_update_elem(fd, &zero, &empty, BPF_ANY) ? -errno : 0;
	close(fd);
	return err;
}

static inline int world_read_stats(struct lmig_counter *out)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	static uint32_t keys[LMIG_STATS_MAX];
	uint32_t count = LMIG_STATS_MAX, batch;
	int err;

	err = bpf_map_lookup_batch(world.stats_fd, NULL, &batch, keys, out,
				   &count, &opts);
	if (err && errno != ENOENT)
		return -errno;
	return count == LMIG_STATS_MAX ? 0 : -EIO;
}

/*
 * Run the program once on len bytes. *class and *reason say which
 * counter moved, by one packet of len bytes (-1 if not exactly one did
 * so). Returns the XDP action, or -errno when the kernel refused the run.
 */
static inline int world_run(const void *frame, size_t len, int *class,
			    int *reason)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame,
		    .data_size_in = len, .repeat = 1);
	int err;

	*class = *reason = -1;
	err = world_read_stats(world.before);
	if (err)
		return err;
	err = bpf_prog_test_run_opts(world.prog_fd, &opts);
	if (err)
		return -errno;
	err = world_read_stats(world.after);
	if (err)
		return err;
	for (uint32_t i = 0; i < LMIG_STATS_MAX; i++) {
		uint64_t packets = 0, bytes = 0;

		for (int c = 0; c < world.ncpus; c++) {
			size_t at = (size_t)i * world.ncpus + c;

			packets += world.after[at].packets -
				   world.before[at].packets;
			bytes += world.after[at].bytes - world.before[at].bytes;
		}
		if (!packets && !bytes)
			continue;
		if (*reason != -1 || packets != 1 || bytes != len) {
			*class = *reason = -1;
			break;
		}
		*class = i / __LMIG_REASON_MAX;
		*reason = i % __LMIG_REASON_MAX;
	}
	return (int)opts.retval;
}

/*
 * world_run() for many frames: only the counter the caller expects is
 * read after each run, against a snapshot of all of them; every counter
 * is read only when that one did not move as expected. The program
 * counts each packet once, so the result is the same.
 */
static inline int world_run_expect(const void *frame, size_t len,
				   uint32_t want_class, uint32_t want_reason,
				   int *class, int *reason)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame,
		    .data_size_in = len, .repeat = 1);
	static bool have_snapshot;
	uint32_t key = lmig_stats_index(want_class, want_reason);
	struct lmig_counter *snap = world.before, *now = world.after;
	uint64_t packets = 0, bytes = 0;
	int err;

	*class = *reason = -1;
	if (!have_snapshot) {
		err = world_read_stats(snap);
		if (err)
			return err;
		have_snapshot = true;
	}
	err = bpf_prog_test_run_opts(world.prog_fd, &opts);
	if (err)
		return -errno;
	if (key < LMIG_STATS_MAX &&
	    !bpf_map_lookup_elem(world.stats_fd, &key, now)) {
		for (int c = 0; c < world.ncpus; c++) {
			struct lmig_counter *old = &snap[key * world.ncpus + c];

			packets += now[c].packets - old->packets;
			bytes += now[c].bytes - old->bytes;
		}
		if (packets == 1 && bytes == len) {
			memcpy(&snap[key * world.ncpus], now,
			       sizeof(*now) * world.ncpus);
			*class = want_class;
			*reason = want_reason;
			return (int)opts.retval;
		}
	}
	/* Something else moved: find out what, and start afresh. */
	have_snapshot = false;
	err = world_read_stats(now);
	if (err)
		return err;
	for (uint32_t i = 0; i < LMIG_STATS_MAX; i++) {
		packets = bytes = 0;
		for (int c = 0; c < world.ncpus; c++) {
			size_t at = (size_t)i * world.ncpus + c;

			packets += now[at].packets - snap[at].packets;
			bytes += now[at].bytes - snap[at].bytes;
		}
		if (!packets && !bytes)
			continue;
		if (*reason != -1 || packets != 1 || bytes != len) {
			*class = *reason = -1;
			break;
		}
		*class = i / __LMIG_REASON_MAX;
		*reason = i % __LMIG_REASON_MAX;
	}
	return (int)opts.retval;
}

/* The counters of world user i (an index in world_users). */
static inline int world_user_stats(int i, struct lmig_user_counter *out)
{
	return lmig_fp_user_stats(world.fp, world.slots[i], out, NULL, 0);
}

/* main() for a test file: the world first, then the tests, which fork
 * from it and share its maps. */
#define WORLD_HARNESS_MAIN                                                 \
	static void __attribute__((constructor))                           \
	__constructor_order_last(void)                                     \
	{                                                                  \
		if (!__constructor_order)                                  \
			__constructor_order = _CONSTRUCTOR_ORDER_BACKWARD; \
	}                                                                  \
	int main(int argc, char **argv)                                    \
	{                                                                  \
		world_init();                                              \
		if (world.err)                                             \
			fprintf(stderr, "# world: %s\n", world.why);       \
		return test_harness_run(argc, argv);                       \
	}

#endif /* LMIG_XDP_WORLD_H */
