// SPDX-License-Identifier: GPL-2.0-only
/*
 * lmig-fpbench: per-packet cost of the XDP fast path, measured with
 * BPF_PROG_TEST_RUN on an unpinned copy of the program.
 *
 *   lmig-fpbench [-r REPEAT] [-a COUNT[,COUNT...]] [-c CPU]
 *
 * For each number of admissions in the map (default 1, 1000, 1048576;
 * filled with random addresses plus the measured source) it runs each
 * frame shape REPEAT times (default 1000000) in the kernel and prints the
 * average time per run that the kernel reports, in ns. These are figures
 * for comparison on one machine, not pass/fail results; -c runs on one
 * CPU, as CPUs of a virtual machine can differ twofold. Needs root.
 */
#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/if_ether.h>
#include <netinet/in.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <linux/lmig.h>
#include "clock.h"
#include "lmig_maps.h"
#include "lmig_xdp.skel.h"

#define PORT_MC	   5000
#define PORT_OTHER 9999
#define USER	   1

struct shape {
	const char *name;
	uint8_t frame[128];
	size_t len;
};

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

/* IPv4 UDP from 192.0.2.last to dport. */
static size_t frame_v4(uint8_t *f, uint8_t last, uint16_t dport)
{
	static const uint8_t ip[] = {0x45, 0, 0,   0, 0, 0, 0,	 0, 64, 17,
				     0,	   0, 192, 0, 2, 0, 192, 0, 2,	1};

	memset(f, 0, 64);
	put16(f + 12, ETH_P_IP);
	memcpy(f + 14, ip, sizeof(ip));
	f[14 + 15] = last;
	put16(f + 14 + 2, 20 + 8 + 18);
	put16(f + 34 + 2, dport);
	put16(f + 34 + 4, 8 + 18);
	return 14 + 20 + 8 + 18;
}

/* IPv6 UDP from 2001:db8::last through hop-by-hop and dstopts headers. */
static size_t frame_v6(uint8_t *f, uint8_t last, uint16_t dport)
{
	uint8_t *ip = f + 14;

	memset(f, 0, 128);
	put16(f + 12, ETH_P_IPV6);
	ip[0] = 0x60;
	put16(ip + 4, 8 + 8 + 8 + 18);
	ip[6] = 0; /* hop-by-hop */
	ip[7] = 64;
	ip[8] = 0x20, ip[9] = 0x01, ip[10] = 0x0d, ip[11] = 0xb8;
	ip[23] = last;
	memcpy(ip + 24, ip + 8, 16);
	ip[40] = 60; /* then destination options */
	ip[48] = IPPROTO_UDP;
	put16(ip + 56 + 2, dport);
	put16(ip + 56 + 4, 8 + 18);
	return 14 + 40 + 16 + 8 + 18;
}

static int parse_counts(const char *arg, unsigned long *counts, int max)
{
	char *end;
	int n = 0;

	for (const char *p = arg; *p && n < max; p = end + (*end == ',')) {
		counts[n] = strtoul(p, &end, 10);
		if (end == p || (*end && *end != ',') || !counts[n] ||
		    counts[n] > LMIG_ADMISSIONS_MAX)
			return -1;
		n++;
	}
	return n;
}

static void random_addr(struct lmig_addr *a, uint64_t *state)
{
	for (int i = 0; i < 4; i++) {
		*state ^= *state << 13;
		*state ^= *state >> 7;
		*state ^= *state << 17;
		memcpy(a->addr + 4 * i, state, 4);
	}
	a->addr[0] = 0xfd; /* never one of the measured sources */
}

/* Fill the admission map up to count entries in batches. */
static int fill(struct lmig_xdp *skel, unsigned long count)
{
	const unsigned long chunk = 4096;
	uint64_t state = 0x9e3779b97f4a7c15ULL;
	struct lmig_admission adm = {.expires_ns = LMIG_TIME_NEVER,
				     .user_id = USER,
				     .services = LMIG_SERVICE_PTT};
	struct lmig_addr *keys = calloc(chunk, sizeof(*keys));
	struct lmig_admission *values = calloc(chunk, sizeof(*values));
	int fd = bpf_map__fd(skel->maps.lmig_admission);
	int err = 0;

	if (!keys || !values) {
		err = -ENOMEM;
		goto out;
	}
	for (unsigned long i = 0; i < chunk; i++)
		values[i] = adm;
	for (unsigned long done = 0; done < count && !err;) {
		LIBBPF_OPTS(bpf_map_batch_opts, opts);
		uint32_t n = count - done < chunk ? count - done : chunk;

		for (uint32_t i = 0; i < n; i++)
			random_addr(&keys[i], &state);
		if (bpf_map_update_batch(fd, keys, values, &n, &opts))
			err = -errno;
		done += n;
	}
out:
	free(keys);
	free(values);
	return err;
}

static int setup(struct lmig_xdp *skel)
{
	struct lmig_user user = {.valid_until_ns = LMIG_TIME_NEVER,
				 .state = LMIG_STATE_ACTIVE,
				 .services = LMIG_SERVICES_ALL};
	struct lmig_admission adm = {.expires_ns = LMIG_TIME_NEVER,
				     .user_id = USER,
				     .services = LMIG_SERVICE_PTT};
	struct lmig_addr a4 = {.addr = {[10] = 0xff,
					[11] = 0xff,
					[12] = 192,
					[14] = 2,
					[15] = 10}};
	struct lmig_addr a6 = {.addr = {0x20, 0x01, 0x0d, 0xb8, [15] = 10}};
	uint32_t port = lmig_port_index(LMIG_L4_UDP, PORT_MC);
	uint32_t class = LMIG_CLASS_PTT, id = USER;

	if (bpf_map__update_elem(skel->maps.lmig_ports, &port, sizeof(port),
				 &class, sizeof(class), BPF_ANY) ||
	    bpf_map__update_elem(skel->maps.lmig_users, &id, sizeof(id), &user,
				 sizeof(user), BPF_ANY) ||
	    bpf_map__update_elem(skel->maps.lmig_admission, &a4, sizeof(a4),
				 &adm, sizeof(adm), BPF_ANY) ||
	    bpf_map__update_elem(skel->maps.lmig_admission, &a6, sizeof(a6),
				 &adm, sizeof(adm), BPF_ANY))
		return -errno;
	return 0;
}

static struct lmig_xdp *load(void)
{
	struct lmig_xdp *skel = lmig_xdp__open();
	struct bpf_map *map;

	if (!skel)
		return NULL;
	bpf_object__for_each_map (map, skel->obj)
		bpf_map__set_pin_path(map, NULL);
	if (lmig_xdp__load(skel) || setup(skel)) {
		lmig_xdp__destroy(skel);
		return NULL;
	}
	return skel;
}

int main(int argc, char **argv)
{
	unsigned long counts[8] = {1, 1000, LMIG_ADMISSIONS_MAX};
	unsigned long repeat = 1000000;
	int ncounts = 3, opt;
	struct shape shapes[] = {
		{"not IP (ARP): parse floor"},
		{"IPv4 UDP, no class (default pass)"},
		{"IPv4 UDP MC, no admission (flood)"},
		{"IPv4 UDP MC, admitted"},
		{"IPv6 UDP MC, 2 ext hdrs, admitted"},
		{"IPv6 UDP MC, 2 ext hdrs, no admission"},
	};

	while ((opt = getopt(argc, argv, "r:a:c:h")) != -1) {
		switch (opt) {
		case 'c': {
			char *end;
			unsigned long cpu = strtoul(optarg, &end, 10);
			cpu_set_t set;

			CPU_ZERO(&set);
			if (*end || end == optarg || cpu >= CPU_SETSIZE) {
				fprintf(stderr,
					"lmig-fpbench: -c '%s': not a "
					"CPU number\n",
					optarg);
				return 2;
			}
			CPU_SET(cpu, &set);
			if (sched_setaffinity(0, sizeof(set), &set)) {
				fprintf(stderr, "lmig-fpbench: -c %lu: %s\n",
					cpu, strerror(errno));
				return 2;
			}
			break;
		}
		case 'r':
			repeat = strtoul(optarg, NULL, 10);
			if (!repeat || repeat > 100000000) {
				fprintf(stderr,
					"lmig-fpbench: -r '%s': want "
					"1..100000000\n",
					optarg);
				return 2;
			}
			break;
		case 'a':
			ncounts = parse_counts(optarg, counts, 8);
			if (ncounts <= 0) {
				fprintf(stderr,
					"lmig-fpbench: -a '%s': want counts "
					"1..%d, comma-separated\n",
					optarg, LMIG_ADMISSIONS_MAX);
				return 2;
			}
			break;
		default:
			fprintf(stderr, "usage: lmig-fpbench [-r REPEAT] "
					"[-a COUNT[,COUNT...]] [-c CPU]\n");
			return 2;
		}
	}

	put16(shapes[0].frame + 12, ETH_P_ARP);
	shapes[0].len = 60;
	shapes[1].len = frame_v4(shapes[1].frame, 10, PORT_OTHER);
	shapes[2].len = frame_v4(shapes[2].frame, 99, PORT_MC);
	shapes[3].len = frame_v4(shapes[3].frame, 10, PORT_MC);
	shapes[4].len = frame_v6(shapes[4].frame, 10, PORT_MC);
	shapes[5].len = frame_v6(shapes[5].frame, 99, PORT_MC);

	printf("# ns per packet (kernel's average over %lu runs)\n", repeat);
	printf("%-40s", "# frame \\ admissions");
	for (int c = 0; c < ncounts; c++)
		printf("%10lu", counts[c]);
	printf("\n");

	double ns[sizeof(shapes) / sizeof(shapes[0])][8];

	for (int c = 0; c < ncounts; c++) {
		struct lmig_xdp *skel = load();
		int err;

		if (!skel) {
			fprintf(stderr,
				"lmig-fpbench: loading the program: "
				"%s\n",
				strerror(errno));
			return 1;
		}
		err = fill(skel, counts[c] > 2 ? counts[c] - 2 : 0);
		if (err) {
			fprintf(stderr,
				"lmig-fpbench: filling %lu "
				"admissions: %s\n",
				counts[c], strerror(-err));
			lmig_xdp__destroy(skel);
			return 1;
		}
		for (size_t s = 0; s < sizeof(shapes) / sizeof(shapes[0]);
		     s++) {
			LIBBPF_OPTS(bpf_test_run_opts, run,
				    .data_in = shapes[s].frame,
				    .data_size_in = shapes[s].len,
				    .repeat = repeat);

			if (bpf_prog_test_run_opts(
				    bpf_program__fd(skel->progs.lmig_fast_path),
				    &run)) {
				fprintf(stderr, "lmig-fpbench: test run: %s\n",
					strerror(errno));
				lmig_xdp__destroy(skel);
				return 1;
			}
			ns[s][c] = run.duration;
		}
		lmig_xdp__destroy(skel);
	}
	for (size_t s = 0; s < sizeof(shapes) / sizeof(shapes[0]); s++) {
		printf("%-40s", shapes[s].name);
		for (int c = 0; c < ncounts; c++)
			printf("%10.0f", ns[s][c]);
		printf("\n");
	}
	return 0;
}
