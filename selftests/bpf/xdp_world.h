/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The gateway state the XDP verdict tests run against: which ports are MC
 * ports, which sources hold which admission, which users exist in which
 * state. It is loaded into an unpinned copy of the program, and also
 * described as data so a test can work out the verdict on its own.
 */
#ifndef LMIG_XDP_WORLD_H
#define LMIG_XDP_WORLD_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <linux/lmig.h>
#include "clock.h"
#include "lmig_maps.h"
#include "lmig_xdp.skel.h"

/* Destination ports and their classes. */
#define PORT_PTT   5000 /* udp: ptt */
#define PORT_VIDEO 5001 /* udp and tcp: video */
#define PORT_DATA  5002 /* udp: data */
#define PORT_OPEN  443	/* udp and tcp: open (the admission endpoint) */
#define PORT_OTHER 9999 /* no class */

static inline uint32_t world_class(uint32_t slot, uint16_t port)
{
	switch (port) {
	case PORT_PTT:
		return slot == LMIG_L4_UDP ? LMIG_CLASS_PTT : LMIG_CLASS_NONE;
	case PORT_VIDEO:
		return LMIG_CLASS_VIDEO;
	case PORT_DATA:
		return slot == LMIG_L4_UDP ? LMIG_CLASS_DATA : LMIG_CLASS_NONE;
	case PORT_OPEN:
		return LMIG_CLASS_OPEN;
	default:
		return LMIG_CLASS_NONE;
	}
}

/* Sources: 192.0.2.(10 + src) and 2001:db8::(10 + src) hex. */
enum src {
	SRC_ADMITTED,	   /* ptt+video, user 1 active, unexpired */
	SRC_NONE,	   /* no admission */
	SRC_EXPIRED,	   /* admission expired */
	SRC_WINDOW_OVER,   /* user 2: profile window ended */
	SRC_SUSPENDED,	   /* user 3: suspended */
	SRC_NO_USER,	   /* user 99: no user state */
	SRC_VIDEO_ONLY,	   /* admission grants video only */
	SRC_PROFILE_VIDEO, /* user 4: profile permits video only */
	SRC_NO_USER_VIDEO, /* user 99, video only: the grant is checked first */
	SRC_COUNT
};

#define PV (LMIG_SERVICE_PTT | LMIG_SERVICE_VIDEO)

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
	[SRC_NO_USER] = {true, false, PV, 99},
	[SRC_VIDEO_ONLY] = {true, false, LMIG_SERVICE_VIDEO, 1},
	[SRC_PROFILE_VIDEO] = {true, false, PV, 4},
	[SRC_NO_USER_VIDEO] = {true, false, LMIG_SERVICE_VIDEO, 99},
};

static const struct world_user {
	uint32_t id;
	uint32_t state;
	bool window_over;
	uint32_t services;
} world_users[] = {
	{1, LMIG_STATE_ACTIVE, false, LMIG_SERVICES_ALL},
	{2, LMIG_STATE_ACTIVE, true, LMIG_SERVICES_ALL},
	{3, LMIG_STATE_SUSPENDED, false, LMIG_SERVICES_ALL},
	{4, LMIG_STATE_ACTIVE, false, LMIG_SERVICE_VIDEO},
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

/* The verdict reason for src sending traffic that needs a service of
 * need, as the contract orders the checks. */
static inline enum lmig_reason world_judge(const struct lmig_addr *src,
					   uint32_t need)
{
	const struct world_admission *adm = NULL;
	const struct world_user *user = NULL;
	struct lmig_addr key;

	for (int s = 0; s < SRC_COUNT && !adm; s++)
		for (int family = 4; family <= 6; family += 2) {
			src_key(family, s, &key);
			if (!memcmp(&key, src, sizeof(key)) &&
			    world_admissions[s].admitted)
				adm = &world_admissions[s];
		}
	if (!adm)
		return LMIG_DROP_NO_ADMISSION;
	if (adm->expired)
		return LMIG_DROP_EXPIRED;
	if (!(adm->services & need))
		return LMIG_DROP_SERVICE;
	for (size_t u = 0; u < sizeof(world_users) / sizeof(world_users[0]);
	     u++)
		if (world_users[u].id == adm->user_id)
			user = &world_users[u];
	if (!user)
		return LMIG_DROP_USER_UNKNOWN;
	if (user->state != LMIG_STATE_ACTIVE)
		return LMIG_DROP_SUSPENDED;
	if (user->window_over)
		return LMIG_DROP_EXPIRED;
	if (!(user->services & adm->services & need))
		return LMIG_DROP_SERVICE;
	return LMIG_PASS_ADMITTED;
}

/* Load the program with pinning switched off and fill its maps. */
static inline struct lmig_xdp *world_load(bool default_drop)
{
	static const struct {
		uint32_t slot;
		uint16_t port;
	} ports[] = {{LMIG_L4_UDP, PORT_PTT},	{LMIG_L4_UDP, PORT_VIDEO},
		     {LMIG_L4_TCP, PORT_VIDEO}, {LMIG_L4_UDP, PORT_DATA},
		     {LMIG_L4_UDP, PORT_OPEN},	{LMIG_L4_TCP, PORT_OPEN}};
	uint64_t hour = lmig_clock_boot_ns() + 3600 * LMIG_NSEC_PER_SEC;
	struct lmig_config cfg = {
		.unclassified = default_drop ? LMIG_DEFAULT_DROP
					     : LMIG_DEFAULT_PASS,
	};
	struct lmig_xdp *skel = lmig_xdp__open();
	struct bpf_map *map;
	uint32_t zero = 0;
	int err = 0;

	if (!skel)
		return NULL;
	bpf_object__for_each_map (map, skel->obj)
		err = err ?: bpf_map__set_pin_path(map, NULL);
	err = err ?: lmig_xdp__load(skel);
	for (size_t i = 0; !err && i < sizeof(ports) / sizeof(ports[0]); i++) {
		uint32_t key = lmig_port_index(ports[i].slot, ports[i].port);
		uint32_t class = world_class(ports[i].slot, ports[i].port);

		err = bpf_map__update_elem(skel->maps.lmig_ports, &key,
					   sizeof(key), &class, sizeof(class),
					   BPF_ANY);
	}
	err = err
		      ?: bpf_map__update_elem(skel->maps.lmig_config, &zero,
					      sizeof(zero), &cfg, sizeof(cfg),
					      BPF_ANY);
	for (size_t u = 0;
	     !err && u < sizeof(world_users) / sizeof(world_users[0]); u++) {
		struct lmig_user user = {
			.valid_until_ns = world_users[u].window_over
						  ? 1
						  : LMIG_TIME_NEVER,
			.generation = 1,
			.state = world_users[u].state,
			.services = world_users[u].services,
		};

		err = bpf_map__update_elem(skel->maps.lmig_users,
					   &world_users[u].id, sizeof(uint32_t),
					   &user, sizeof(user), BPF_ANY);
	}
	for (int s = 0; !err && s < SRC_COUNT; s++) {
		const struct world_admission *w = &world_admissions[s];
		struct lmig_admission adm = {
			.expires_ns = w->expired ? 1 : hour,
			.granted_ns = 1,
			.user_id = w->user_id,
			.services = w->services,
		};
		struct lmig_addr key;

		for (int family = 4; w->admitted && !err && family <= 6;
		     family += 2) {
			src_key(family, s, &key);
			err = bpf_map__update_elem(skel->maps.lmig_admission,
						   &key, sizeof(key), &adm,
						   sizeof(adm), BPF_ANY);
		}
	}
	if (err) {
		lmig_xdp__destroy(skel);
		return NULL;
	}
	return skel;
}

/* Packets and bytes per reason, summed over CPUs. */
static inline int world_stats(struct lmig_xdp *skel,
			      struct lmig_counter out[__LMIG_REASON_MAX])
{
	int ncpus = libbpf_num_possible_cpus();
	struct lmig_counter *percpu;
	size_t size;
	int err = 0;

	if (ncpus <= 0)
		return -EINVAL;
	size = ncpus * sizeof(*percpu);
	percpu = malloc(size);
	if (!percpu)
		return -ENOMEM;
	memset(out, 0, sizeof(*out) * __LMIG_REASON_MAX);
	for (uint32_t r = 0; r < __LMIG_REASON_MAX; r++) {
		if (bpf_map__lookup_elem(skel->maps.lmig_stats, &r, sizeof(r),
					 percpu, size, 0)) {
			err = -errno;
			break;
		}
		for (int c = 0; c < ncpus; c++) {
			out[r].packets += percpu[c].packets;
			out[r].bytes += percpu[c].bytes;
		}
	}
	free(percpu);
	return err;
}

/*
 * Run the program once on len bytes; *reason is the one counter that
 * moved, by one packet of len bytes (-1 if not exactly that). Returns the
 * XDP action, or -errno when the kernel refused the run.
 */
static inline int world_run(struct lmig_xdp *skel, const void *frame,
			    size_t len, int *reason)
{
	struct lmig_counter before[__LMIG_REASON_MAX], after[__LMIG_REASON_MAX];
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame,
		    .data_size_in = len, .repeat = 1);
	int err;

	*reason = -1;
	err = world_stats(skel, before);
	if (err)
		return err;
	err = bpf_prog_test_run_opts(
		bpf_program__fd(skel->progs.lmig_fast_path), &opts);
	if (err)
		return err;
	err = world_stats(skel, after);
	if (err)
		return err;
	for (int r = 0; r < __LMIG_REASON_MAX; r++) {
		uint64_t packets = after[r].packets - before[r].packets;
		uint64_t bytes = after[r].bytes - before[r].bytes;

		if (!packets && !bytes)
			continue;
		if (*reason != -1 || packets != 1 || bytes != len) {
			*reason = -1;
			break;
		}
		*reason = r;
	}
	return (int)opts.retval;
}

#endif /* LMIG_XDP_WORLD_H */
