// SPDX-License-Identifier: GPL-2.0-only
/*
 * lmig-fpbench: what the XDP fast path costs, beside what it is measured
 * against. Figures for comparison on one machine, never pass/fail.
 *
 *   lmig-fpbench clock  [-B DIR] [-r REPEAT] [-n RUNS] [-c CPU]
 *   lmig-fpbench [packet] [-B DIR] [-r REPEAT] [-n RUNS] [-c CPU]
 *                       [-a COUNT[,COUNT...]]
 *   lmig-fpbench flood  [-B DIR] [-t SECONDS] [-n RUNS] [-s SOURCES]
 *                       [-a ADMISSIONS] [-c CPU,CPU] [-v]
 *
 * clock: ns per packet of each way of reading the time in a program,
 * beside none; the fast path's is "tick".
 *
 * packet: ns per packet through BPF_PROG_TEST_RUN (REPEAT runs in the
 * kernel, the median of RUNS, the runs of every program interleaved) for
 * six frames: admitted MC, unadmitted MC, open lane, unclassified, IPv6
 * with an extension header, QinQ. Each with COUNT admissions in the table
 * (default 1, 1000 and 1000000: half IPv4, half IPv6, and at least one
 * of each), from one source and from many (the admitted ones for admitted
 * frames, 2^20 others for the rest, a different one every packet: a
 * prologue writes it into the frame and tail-calls the program). Beside
 * lmig: the floor (parse and one lookup in a table like lmig's, from DIR)
 * and xdp-filter's own programs, deny policy, all features and IPv4/IPv6
 * only, with its tables (10000 entries at most) filled the same way.
 *
 * flood: packets per second a veth drops of a flood from SOURCES random
 * unadmitted IPv4 sources (default 131072) while ADMISSIONS (default
 * 131072) are in the table, by a program that only drops, lmig,
 * xdp-filter (its command, deny policy) and an nftables set. A generator
 * (BPF_PROG_TEST_RUN with live frames, redirected into the veth) runs on
 * one CPU, the receiving NAPI thread on the other; SECONDS per
 * measurement (default 2), RUNS rounds.
 *
 * DIR holds the benchmark's BPF objects (default build/bench/fastpath);
 * -v tells every round; LMIG_BENCH_SUMMARY names a file to which one
 * line per mode is added, the figures the targets speak of.
 * Everything lives in private mount and network namespaces that vanish
 * with the process. Needs root.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sched.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/mount.h>
#include <sys/wait.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <linux/lmig.h>
#include "clock.h"
#include "fastpath.h"
#include "lmig_maps.h"

#define PORT_MC	   5000
#define PORT_OPEN  443
#define PORT_OTHER 9999
#define USER	   1
#define BIG_PRIME  1000003U
#define MANY	   (1U << 20) /* unadmitted sources, one after another */
#define XDPF_MAX   10000      /* entries in an xdp-filter table */
#define XDPF_SRC   1	      /* xdp-filter's MAP_FLAG_SRC */

static const char *objdir = "build/bench/fastpath";
static const char *xdpfilt_dir;
static long repeat = 1000000;
static int runs = 5;
static int cpus[2] = {-1, -1};
static bool verbose;

/* A line for the summary the run script prints at the end. */
__attribute__((format(printf, 1, 2))) static void summary(const char *fmt, ...)
{
	const char *path = getenv("LMIG_BENCH_SUMMARY");
	va_list ap;
	FILE *f;

	if (!path || !(f = fopen(path, "a")))
		return;
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fputc('\n', f);
	fclose(f);
}

__attribute__((format(printf, 1, 2), noreturn)) static void die(const char *fmt,
								...)
{
	va_list ap;

	fprintf(stderr, "lmig-fpbench: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	exit(1);
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * LMIG_NSEC_PER_SEC + ts.tv_nsec;
}

static void pin(pid_t pid, int cpu)
{
	cpu_set_t set;

	if (cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(pid, sizeof(set), &set))
		die("pinning %d to CPU %d: %s", (int)pid, cpu, strerror(errno));
}

static int run_cmd(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

/* Private mounts; with net, a private network namespace and its sysfs. */
static void private_env(bool net)
{
	if (unshare(CLONE_NEWNS | (net ? CLONE_NEWNET : 0)))
		die("unshare: %s (root?)", strerror(errno));
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		die("private mounts: %s", strerror(errno));
	if (net && mount("sysfs", "/sys", "sysfs", 0, NULL))
		die("sysfs: %s", strerror(errno));
	if (mount("bpf", "/sys/fs/bpf", "bpf", 0, "mode=0700"))
		die("a BPF filesystem: %s", strerror(errno));
	if (net && run_cmd("ip link set lo up"))
		die("lo");
}

/* ---- statistics ----------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The median, as the mean of the middle half (the kernel gives whole
 * nanoseconds; this keeps a fraction). */
static double middle(double *v, int n)
{
	double sum = 0;
	int from, to;

	qsort(v, n, sizeof(*v), cmp_double);
	from = n / 4;
	to = n - n / 4;
	if (to <= from)
		return v[n / 2];
	for (int i = from; i < to; i++)
		sum += v[i];
	return sum / (to - from);
}

/* ---- addresses and frames ------------------------------------------- */

#define V4_ADMITTED 0x0a000000U /* 10.0.0.0 */
#define V4_FLOOD    0xac100000U /* 172.16.0.0 */
#define V6_TAIL_ADM 0x00000000U /* 2001:db8::/96 */

static struct lmig_addr key_v4(uint32_t host)
{
	struct lmig_addr a = {.addr = {[10] = 0xff, [11] = 0xff}};
	uint32_t net = htonl(host);

	memcpy(a.addr + 12, &net, 4);
	return a;
}

/* 2001:db8:0:0:0:<net>:<tail>, net 0 for admitted, 1 for the others. */
static struct lmig_addr key_v6(uint32_t net, uint32_t tail)
{
	struct lmig_addr a = {.addr = {0x20, 0x01, 0x0d, 0xb8}};
	uint32_t t = htonl(tail);

	a.addr[10] = net;
	memcpy(a.addr + 12, &t, 4);
	return a;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

enum shape {
	ADMITTED,
	UNADMITTED,
	OPEN_LANE,
	UNCLASSIFIED,
	IPV6_EXT,
	QINQ,
	SHAPES
};

static const char *const shape_names[SHAPES] = {
	"admitted MC",	"unadmitted MC",     "open lane",
	"unclassified", "IPv6 + hop-by-hop", "QinQ (802.1ad+Q)",
};

struct frame {
	uint8_t b[128];
	size_t len;
	uint32_t src_offset; /* of the last 4 bytes of the source */
	bool v6;
	uint32_t base; /* of the sources, as the prologue counts them */
	bool admitted;
};

static void build_frame(enum shape s, struct frame *f)
{
	size_t l2 = s == QINQ ? 22 : 14, ip = l2, l4;
	bool tcp = s == OPEN_LANE;

	memset(f, 0, sizeof(*f));
	memcpy(f->b, "\x02\0\0\0\0\x02\x02\0\0\0\0\x01", 12);
	if (s == QINQ) {
		put16(f->b + 12, ETH_P_8021AD);
		put16(f->b + 14, 10);
		put16(f->b + 16, ETH_P_8021Q);
		put16(f->b + 18, 20);
	}
	f->admitted = s == ADMITTED || s == IPV6_EXT || s == QINQ;
	if (s == IPV6_EXT) {
		struct lmig_addr src = key_v6(0, V6_TAIL_ADM);

		f->v6 = true;
		put16(f->b + ip - 2, ETH_P_IPV6);
		f->b[ip] = 0x60;
		put16(f->b + ip + 4, 8 + 8 + 18);
		f->b[ip + 6] = 0; /* hop-by-hop */
		f->b[ip + 7] = 64;
		memcpy(f->b + ip + 8, src.addr, 16);
		memcpy(f->b + ip + 24, src.addr, 16);
		f->b[ip + 39] = 1;
		f->b[ip + 40] = IPPROTO_UDP;
		f->b[ip + 42] = 1; /* PadN */
		f->b[ip + 43] = 4;
		l4 = ip + 48;
		f->src_offset = ip + 8 + 12;
		f->base = V6_TAIL_ADM;
	} else {
		uint32_t src = htonl(f->admitted ? V4_ADMITTED : V4_FLOOD);

		put16(f->b + ip - 2, ETH_P_IP);
		f->b[ip] = 0x45;
		put16(f->b + ip + 2, 20 + (tcp ? 20 : 8) + 18);
		f->b[ip + 8] = 64;
		f->b[ip + 9] = tcp ? IPPROTO_TCP : IPPROTO_UDP;
		memcpy(f->b + ip + 12, &src, 4);
		memcpy(f->b + ip + 16, "\xc0\x00\x02\x01", 4);
		l4 = ip + 20;
		f->src_offset = ip + 12;
		f->base = f->admitted ? V4_ADMITTED : V4_FLOOD;
	}
	put16(f->b + l4, 40000);
	put16(f->b + l4 + 2, s == OPEN_LANE	 ? PORT_OPEN
			     : s == UNCLASSIFIED ? PORT_OTHER
						 : PORT_MC);
	if (tcp) {
		f->b[l4 + 12] = 5 << 4;
		f->b[l4 + 13] = 0x02;
		f->len = l4 + 20 + 18;
	} else {
		put16(f->b + l4 + 4, 8 + 18);
		f->len = l4 + 8 + 18;
	}
}

/* ---- the programs --------------------------------------------------- */

static struct bpf_object *open_object(const char *dir, const char *file)
{
	char path[512];
	struct bpf_object *obj;
	struct bpf_map *map;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	obj = bpf_object__open_file(path, NULL);
	if (!obj)
		die("%s: %s", path, strerror(errno));
	bpf_object__for_each_map (map, obj)
		bpf_map__set_pin_path(map, NULL);
	return obj;
}

static struct bpf_object *load_object(const char *dir, const char *file)
{
	struct bpf_object *obj = open_object(dir, file);

	if (bpf_object__load(obj))
		die("loading %s/%s: %s", dir, file, strerror(errno));
	return obj;
}

static int prog_fd(struct bpf_object *obj, const char *name)
{
	struct bpf_program *p = bpf_object__find_program_by_name(obj, name);

	if (!p)
		die("no program %s", name);
	return bpf_program__fd(p);
}

static int map_fd(struct bpf_object *obj, const char *name)
{
	struct bpf_map *m = bpf_object__find_map_by_name(obj, name);

	if (!m)
		die("no map %s", name);
	return bpf_map__fd(m);
}

/* The programs compared, and their tables. */
struct subject {
	const char *name;
	int fd;
	struct bpf_object *obj; /* NULL for lmig */
	int table4, table6;	/* floor: both the same; xdp-filter: two */
	uint32_t have4, have6;	/* entries in the tables */
	uint32_t cap;		/* 0: no limit */
};

struct bench {
	struct lmig_fp *fp;
	uint32_t slot;
	uint32_t have4, have6; /* admissions of lmig */
	struct subject subjects[4];
	int n;
	int ncpus;
};

static void lmig_setup(struct bench *b, const char *instance)
{
	struct lmig_user user = {.valid_until_ns = LMIG_TIME_NEVER,
				 .state = LMIG_STATE_ACTIVE,
				 .services = LMIG_SERVICES_ALL};
	struct lmig_config cfg = {.unclassified = LMIG_DEFAULT_PASS};
	char msg[LMIG_FP_MSG_MAX];

	/* lmigd's defaults. */
	lmig_limit_set(&cfg.open_source, 100, 200);
	lmig_limit_set(&cfg.open_total, 20000, 40000);
	lmig_limit_set(&cfg.denials, 10, 10);
	if (lmig_fp_load(instance, &b->fp, msg, sizeof(msg)) ||
	    lmig_fp_ports_set(b->fp, LMIG_L4_UDP, PORT_MC, PORT_MC,
			      LMIG_CLASS_PTT, msg, sizeof(msg)) ||
	    lmig_fp_ports_set(b->fp, LMIG_L4_TCP, PORT_OPEN, PORT_OPEN,
			      LMIG_CLASS_OPEN, msg, sizeof(msg)) ||
	    lmig_fp_config_set(b->fp, &cfg, msg, sizeof(msg)) ||
	    lmig_fp_user_put(b->fp, USER, &user, &b->slot, msg, sizeof(msg)))
		die("lmig: %s", msg);
}

/* Admissions up to n4 IPv4 and n6 IPv6 sources. */
static void lmig_fill(struct bench *b, uint32_t n4, uint32_t n6)
{
	struct lmig_admission adm = {.expires_ns = LMIG_TIME_NEVER,
				     .user_id = USER,
				     .user_slot = b->slot,
				     .services = LMIG_SERVICES_ALL,
				     .requested = LMIG_SERVICES_ALL};
	char msg[LMIG_FP_MSG_MAX];
	struct lmig_addr a;

	adm.granted_ns = lmig_clock_now_ns();
	for (; b->have4 < n4; b->have4++) {
		a = key_v4(V4_ADMITTED + b->have4);
		if (lmig_fp_admission_put(b->fp, &a, &adm, msg, sizeof(msg)))
			die("lmig: %s", msg);
	}
	for (; b->have6 < n6; b->have6++) {
		a = key_v6(0, V6_TAIL_ADM + b->have6);
		if (lmig_fp_admission_put(b->fp, &a, &adm, msg, sizeof(msg)))
			die("lmig: %s", msg);
	}
}

#define CHUNK 8192

/* The same admissions in another program's table(s). */
static void subject_fill(struct bench *b, struct subject *s, uint32_t n4,
			 uint32_t n6)
{
	static struct lmig_addr keys[CHUNK];
	static uint32_t keys4[CHUNK];
	static struct lmig_admission values[CHUNK];
	uint64_t *flags = calloc((size_t)CHUNK * b->ncpus, sizeof(uint64_t));
	bool xdpf = s->cap != 0;

	if (!flags)
		die("out of memory");
	for (size_t i = 0; i < (size_t)CHUNK * b->ncpus; i++)
		flags[i] = XDPF_SRC;
	if (s->cap) {
		n4 = n4 < s->cap ? n4 : s->cap;
		n6 = n6 < s->cap ? n6 : s->cap;
	}
	for (int fam = 4; fam <= 6; fam += 2) {
		uint32_t *have = fam == 4 ? &s->have4 : &s->have6;
		uint32_t want = fam == 4 ? n4 : n6;

		while (*have < want) {
			LIBBPF_OPTS(bpf_map_batch_opts, opts);
			uint32_t n = want - *have < CHUNK ? want - *have
							  : CHUNK;
			void *k = keys, *v = values;

			for (uint32_t i = 0; i < n; i++) {
				uint32_t at = *have + i;

				keys[i] = fam == 4
						  ? key_v4(V4_ADMITTED + at)
						  : key_v6(0, V6_TAIL_ADM + at);
				keys4[i] = htonl(V4_ADMITTED + at);
				values[i] = (struct lmig_admission){
					.expires_ns = LMIG_TIME_NEVER,
					.user_id = USER};
			}
			if (xdpf) {
				k = fam == 4 ? (void *)keys4 : (void *)keys;
				v = flags;
			}
			if (bpf_map_update_batch(fam == 4 ? s->table4
							  : s->table6,
						 k, v, &n, &opts))
				die("%s: filling: %s", s->name,
				    strerror(errno));
			*have += n;
		}
	}
	free(flags);
}

static void add_object_subject(struct bench *b, const char *name,
			       const char *dir, const char *file,
			       const char *prog, const char *t4, const char *t6,
			       uint32_t cap)
{
	struct subject *s = &b->subjects[b->n++];

	s->name = name;
	s->obj = load_object(dir, file);
	s->fd = prog_fd(s->obj, prog);
	s->table4 = map_fd(s->obj, t4);
	s->table6 = map_fd(s->obj, t6);
	s->cap = cap;
}

static const char *find_xdpfilt(void)
{
	static const char *const dirs[] = {"/usr/lib/x86_64-linux-gnu/bpf",
					   "/usr/lib/bpf",
					   "/usr/local/lib/bpf"};
	char path[256];

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s/xdpfilt_dny_all.o", dirs[i]);
		if (!access(path, R_OK))
			return dirs[i];
	}
	return NULL;
}

/* ---- running -------------------------------------------------------- */

/* Give a program's cfg block (its one const volatile global, of __u32
 * fields) its values before load. */
static void set_rodata(struct bpf_object *obj, const uint32_t *v, size_t len)
{
	struct bpf_map *rodata = NULL, *m;
	size_t size = 0;

	bpf_object__for_each_map (m, obj)
		if (strstr(bpf_map__name(m), ".rodata"))
			rodata = m;
	if (!rodata || !bpf_map__initial_value(rodata, &size) || size != len)
		die("%s: .rodata of %zu bytes, not %zu", bpf_object__name(obj),
		    size, len);
	if (bpf_map__set_initial_value(rodata, v, len))
		die("%s: setting .rodata: %s", bpf_object__name(obj),
		    strerror(errno));
}

/* ns per run of fd on the frame, as the kernel measured REPEAT runs. */
static double test_run(int fd, const struct frame *f)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = f->b,
		    .data_size_in = f->len, .repeat = repeat);

	if (bpf_prog_test_run_opts(fd, &opts))
		die("test run: %s", strerror(errno));
	return opts.duration;
}

/* The prologue, writing count sources from f->base into the frame, then
 * tail-calling target. */
static struct bpf_object *spread_for(int target, const struct frame *f,
				     uint32_t count)
{
	struct bpf_object *obj = open_object(objdir, "spread.bpf.o");
	/* The prologue's cfg block. */
	const uint32_t ro[] = {f->src_offset, count, BIG_PRIME % count,
			       f->base};
	uint32_t zero = 0;

	set_rodata(obj, ro, sizeof(ro));
	if (bpf_object__load(obj))
		die("loading spread.bpf.o: %s", strerror(errno));
	if (bpf_map_update_elem(map_fd(obj, "target"), &zero, &target, BPF_ANY))
		die("tail call target: %s", strerror(errno));
	return obj;
}

/* ---- clock ---------------------------------------------------------- */

static void bench_clock(void)
{
	static const char *const progs[] = {"none", "boot", "mono", "coarse",
					    "tick"};
	static const char *const what[] = {
		"no clock",
		"bpf_ktime_get_boot_ns()   CLOCK_BOOTTIME",
		"bpf_ktime_get_ns()        CLOCK_MONOTONIC",
		"bpf_ktime_get_coarse_ns() CLOCK_MONOTONIC_COARSE",
		"coarse, re-read once per tick (bpf_jiffies64): lmig",
	};
	enum {
		n = sizeof(progs) / sizeof(progs[0])
	};
	struct bpf_object *obj = load_object(objdir, "clock.bpf.o");
	double v[n][64], ns[n];
	uint64_t big = LMIG_TIME_NEVER;
	struct frame f;
	uint32_t zero = 0;

	build_frame(ADMITTED, &f);
	bpf_map_update_elem(map_fd(obj, "expiry"), &zero, &big, BPF_ANY);
	for (int r = 0; r < runs; r++)
		for (int i = 0; i < n; i++)
			v[i][r] = test_run(prog_fd(obj, progs[i]), &f);
	printf("# the clock: ns per packet of a lookup and an expiry check, "
	       "by how the time is read\n");
	printf("# (BPF_PROG_TEST_RUN, %ld runs in the kernel, middle of "
	       "%d)\n",
	       repeat, runs);
	for (int i = 0; i < n; i++) {
		ns[i] = middle(v[i], runs);
		printf("  %-52s %6.1f ns  %+6.1f\n", what[i], ns[i],
		       ns[i] - ns[0]);
	}
	printf("\n");
	summary("clock: per packet, boot time +%.1f ns, coarse +%.1f ns, "
		"coarse once per tick (lmig) +%.1f ns",
		ns[1] - ns[0], ns[3] - ns[0], ns[4] - ns[0]);
	bpf_object__close(obj);
}

/* ---- per packet ----------------------------------------------------- */

static void bench_packet(const unsigned long *counts, int ncounts)
{
	struct bench b = {0};
	char name[64];

	private_env(false);
	b.ncpus = libbpf_num_possible_cpus();
	snprintf(name, sizeof(name), "bench-%d", getpid());
	lmig_setup(&b, name);
	b.subjects[b.n++] = (struct subject){.name = "lmig",
					     .fd = lmig_fp_prog_fd(b.fp)};
	add_object_subject(&b, "floor", objdir, "floor.bpf.o",
			   "parse_and_lookup", "floor_table", "floor_table", 0);
	if (xdpfilt_dir) {
		add_object_subject(&b, "xdp-filter", xdpfilt_dir,
				   "xdpfilt_dny_all.o", "xdpfilt_dny_all",
				   "filter_ipv4", "filter_ipv6", XDPF_MAX);
		add_object_subject(&b, "xdpf-ip", xdpfilt_dir,
				   "xdpfilt_dny_ip.o", "xdpfilt_dny_ip",
				   "filter_ipv4", "filter_ipv6", XDPF_MAX);
	}
	/* The prologue's own cost, ahead of a program that only passes. */
	struct bpf_object *passer = load_object(objdir, "spread.bpf.o");
	int pass_fd = prog_fd(passer, "pass");

	printf("# per packet: ns through BPF_PROG_TEST_RUN (%ld runs in the "
	       "kernel, middle of %d, interleaved)\n",
	       repeat, runs);
	printf("# one: the same source every packet; many: another every "
	       "packet (admitted: all the\n# admitted ones of the family; "
	       "others: %u), through a prologue that costs the 'prologue'\n"
	       "# column. floor: parse + one lookup in a table like lmig's. "
	       "xdp-filter: its own programs,\n# deny policy, all features "
	       "and IPv4/IPv6 only (tables of %d at most).\n",
	       MANY, XDPF_MAX);
	printf("%-18s %9s %5s %8s", "frame", "admitted", "srcs", "prologue");
	for (int s = 0; s < b.n; s++)
		printf(" %10s", b.subjects[s].name);
	printf(" %10s", "lmig/floor");
	if (b.n > 2)
		printf(" %10s %10s", "lmig/xdpf", "lmig/xdpf-ip");
	printf("\n");

	double worst = 0, best = 1e9;
	const char *worst_at = "";
	char where[128];

	for (int c = 0; c < ncounts; c++) {
		uint32_t n4 = counts[c] / 2 ? counts[c] / 2 : 1;
		uint32_t n6 = n4;

		lmig_fill(&b, n4, n6);
		for (int s = 1; s < b.n; s++)
			subject_fill(&b, &b.subjects[s], n4, n6);
		for (int sh = 0; sh < SHAPES; sh++) {
			struct frame f;

			build_frame(sh, &f);
			for (int many = 0; many < 2; many++) {
				uint32_t count = f.admitted ? (f.v6 ? n6 : n4)
							    : MANY;
				struct bpf_object *pro[4] = {0}, *pp = NULL;
				int fds[4], pro_fd = -1;
				double v[5][64], ns[5];

				if (many && count < 2)
					continue;
				for (int s = 0; s < b.n; s++) {
					uint32_t cnt = count;

					if (b.subjects[s].cap && f.admitted &&
					    cnt > b.subjects[s].cap)
						cnt = b.subjects[s].cap;
					if (!many) {
						fds[s] = b.subjects[s].fd;
						continue;
					}
					pro[s] = spread_for(b.subjects[s].fd,
							    &f, cnt);
					fds[s] = prog_fd(pro[s], "spread");
				}
				if (many) {
					pp = spread_for(pass_fd, &f, count);
					pro_fd = prog_fd(pp, "spread");
				}
				for (int r = 0; r < runs; r++) {
					for (int s = 0; s < b.n; s++)
						v[s][r] = test_run(fds[s], &f);
					v[4][r] = many ? test_run(pro_fd, &f)
						       : 0;
				}
				for (int s = 0; s < b.n; s++)
					ns[s] = middle(v[s], runs);
				ns[4] = middle(v[4], runs);
				printf("%-18s %9lu %5s", shape_names[sh],
				       counts[c], many ? "many" : "one");
				if (many)
					printf(" %8.1f", ns[4]);
				else
					printf(" %8s", "-");
				for (int s = 0; s < b.n; s++)
					printf(" %10.1f", ns[s]);
				printf(" %10.2f", ns[0] / ns[1]);
				if (ns[0] / ns[1] > worst) {
					worst = ns[0] / ns[1];
					snprintf(where, sizeof(where),
						 "%s, %lu admitted, %s",
						 shape_names[sh], counts[c],
						 many ? "many" : "one");
					worst_at = where;
				}
				if (ns[0] / ns[1] < best)
					best = ns[0] / ns[1];
				if (b.n > 2)
					printf(" %10.2f %12.2f", ns[0] / ns[2],
					       ns[0] / ns[3]);
				if (many && f.admitted && b.n > 2 &&
				    count > XDPF_MAX)
					printf("  (xdp-filter: %d of them)",
					       XDPF_MAX);
				printf("\n");
				fflush(stdout);
				for (int s = 0; s < b.n; s++)
					bpf_object__close(pro[s]);
				bpf_object__close(pp);
			}
		}
	}
	printf("\n");
	summary("per packet: lmig/floor from %.2f to %.2f (%s) (target <= "
		"1.3)",
		best, worst, worst_at);
	bpf_object__close(passer);
	for (int s = 1; s < b.n; s++)
		bpf_object__close(b.subjects[s].obj);
	lmig_fp_close(b.fp);
}

/* ---- flood ---------------------------------------------------------- */

static long read_long(const char *path)
{
	char buf[64] = "";
	FILE *f = fopen(path, "r");
	long v = -1;

	if (f) {
		if (fgets(buf, sizeof(buf), f))
			v = strtol(buf, NULL, 10);
		fclose(f);
	}
	return v;
}

/* Put the receiving NAPI in its own thread, on its own CPU. */
static bool napi_thread(const char *ifname, int cpu)
{
	char path[128], comm[64], want[32];
	bool found = false;
	struct dirent *de;
	DIR *proc;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/class/net/%s/threaded", ifname);
	f = fopen(path, "w");
	if (!f)
		return false;
	fputs("1\n", f);
	if (fclose(f))
		return false;
	snprintf(want, sizeof(want), "napi/%s-", ifname);
	proc = opendir("/proc");
	if (!proc)
		return false;
	while ((de = readdir(proc))) {
		pid_t pid = atoi(de->d_name);

		if (pid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(comm, sizeof(comm), f) &&
		    !strncmp(comm, want, strlen(want))) {
			struct sched_param sp = {.sched_priority = 10};

			pin(pid, cpu);
			/* Ahead of whatever else runs there: the receiver's
			 * rate is what is measured. */
			sched_setscheduler(pid, SCHED_FIFO, &sp);
			found = true;
		}
		fclose(f);
	}
	closedir(proc);
	return found;
}

struct flood {
	struct bpf_object *gen, *drop;
	int gen_fd;
	struct frame frame;
	unsigned int rx_ifindex;
	double seconds;
	uint32_t sources, admissions;
	bool threaded;
};

static struct bpf_object *generator(uint32_t ifindex, uint32_t sources)
{
	struct bpf_object *obj = open_object(objdir, "gen.bpf.o");
	const uint32_t ro[] = {ifindex, 14 + 12, sources, BIG_PRIME % sources,
			       V4_FLOOD};

	set_rodata(obj, ro, sizeof(ro));
	if (bpf_object__load(obj))
		die("loading gen.bpf.o: %s", strerror(errno));
	return obj;
}

/* Drive the flood for the given time; packets per second the receiver
 * took in (it drops them all); *offered: per second the generator made. */
static double drive(struct flood *fl, double seconds, double *offered)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = fl->frame.b,
		    .data_size_in = fl->frame.len, .repeat = 1 << 18,
		    .flags = BPF_F_TEST_XDP_LIVE_FRAMES);
	long before = read_long("/sys/class/net/veth-rx/statistics/rx_packets");
	uint64_t start = mono_ns(), end = start + seconds * 1e9, t, sent = 0;
	long after;

	do {
		if (bpf_prog_test_run_opts(fl->gen_fd, &opts))
			die("generator: %s", strerror(errno));
		sent += opts.repeat;
		t = mono_ns();
	} while (t < end);
	if (offered)
		*offered = sent / ((t - start) / 1e9);
	after = read_long("/sys/class/net/veth-rx/statistics/rx_packets");
	if (before < 0 || after < 0)
		die("reading veth-rx counters");
	return (after - before) / ((t - start) / 1e9);
}

enum receiver {
	R_DROP,
	R_READ,
	R_LMIG,
	R_XDPF,
	R_NFT,
	RECEIVERS
};

static const char *const receiver_names[RECEIVERS] = {
	"XDP_DROP", "read+XDP_DROP", "lmig", "xdp-filter", "nftables set"};

static int xdp_attach(unsigned int ifindex, int fd)
{
	LIBBPF_OPTS(bpf_xdp_attach_opts, opts);

	return bpf_xdp_attach(ifindex, fd, XDP_FLAGS_DRV_MODE, &opts);
}

static void xdp_detach(unsigned int ifindex)
{
	LIBBPF_OPTS(bpf_xdp_attach_opts, opts);

	bpf_xdp_detach(ifindex, XDP_FLAGS_DRV_MODE, &opts);
}

/* xdp-filter, deny policy, its allow table filled with what it holds of
 * the admitted sources. */
static bool xdpf_start(uint32_t admissions, int ncpus)
{
	uint64_t *flags;
	uint32_t n = admissions < XDPF_MAX ? admissions : XDPF_MAX, done = 0;
	int fd;

	if (run_cmd("xdp-filter load -m native -p deny -f ipv4 veth-rx "
		    ">/dev/null 2>&1"))
		return false;
	fd = bpf_obj_get("/sys/fs/bpf/xdp-filter/filter_ipv4");
	flags = calloc((size_t)ncpus, sizeof(*flags));
	if (fd < 0 || !flags)
		return false;
	for (int c = 0; c < ncpus; c++)
		flags[c] = XDPF_SRC;
	for (; done < n; done++) {
		uint32_t key = htonl(V4_ADMITTED + done);

		if (bpf_map_update_elem(fd, &key, flags, BPF_ANY))
			break;
	}
	free(flags);
	close(fd);
	return done == n;
}

/* An nftables set of the admitted sources, on the ingress hook: what is
 * not in it and goes to the MC port is dropped. */
static bool nft_start(uint32_t admissions)
{
	char path[] = "/tmp/lmig-fpbench.nft.XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	bool ok;

	if (!f)
		return false;
	fprintf(f,
		"table netdev lmigbench {\n"
		"  set admitted { type ipv4_addr; size %u; }\n"
		"  chain in {\n"
		"    type filter hook ingress device \"veth-rx\" "
		"priority 0; policy accept;\n"
		"    ip saddr != @admitted udp dport %d counter drop\n"
		"  }\n}\n",
		admissions * 2, PORT_MC);
	for (uint32_t i = 0; i < admissions; i++) {
		uint32_t a = V4_ADMITTED + i;

		if (i % 4096 == 0)
			fprintf(f, "%sadd element netdev lmigbench admitted { ",
				i ? " }\n" : "");
		fprintf(f, "%s%u.%u.%u.%u", i % 4096 ? ", " : "", a >> 24,
			(a >> 16) & 0xff, (a >> 8) & 0xff, a & 0xff);
	}
	fprintf(f, " }\n");
	fclose(f);
	ok = !run_cmd("nft -f %s", path);
	unlink(path);
	return ok;
}

static bool receiver_start(struct flood *fl, enum receiver r,
			   struct lmig_fp *fp, int ncpus)
{
	char msg[LMIG_FP_MSG_MAX];
	enum lmig_xdp_mode mode;
	bool reused;

	switch (r) {
	case R_DROP:
		return !xdp_attach(fl->rx_ifindex, prog_fd(fl->drop, "drop"));
	case R_READ:
		return !xdp_attach(fl->rx_ifindex,
				   prog_fd(fl->drop, "read_drop"));
	case R_LMIG:
		if (lmig_fp_attach(fp, "veth-rx", LMIG_XDP_NATIVE, &mode,
				   &reused, msg, sizeof(msg)))
			die("lmig: %s", msg);
		return true;
	case R_XDPF:
		return xdpf_start(fl->admissions, ncpus);
	case R_NFT:
		return !xdp_attach(fl->rx_ifindex, prog_fd(fl->drop, "pass"));
	default:
		return false;
	}
}

static void receiver_stop(struct flood *fl, enum receiver r, struct lmig_fp *fp)
{
	switch (r) {
	case R_LMIG:
		lmig_fp_detach(fp, "veth-rx", NULL, 0);
		break;
	case R_XDPF:
		run_cmd("xdp-filter unload -a veth-rx >/dev/null 2>&1");
		break;
	default:
		xdp_detach(fl->rx_ifindex);
	}
}

static void bench_flood(double seconds, uint32_t sources, uint32_t admissions)
{
	struct flood fl = {.seconds = seconds,
			   .sources = sources,
			   .admissions = admissions};
	double v[RECEIVERS][64], offer[RECEIVERS][64], pps[RECEIVERS];
	struct lmig_counter before[__LMIG_REASON_MAX], after[__LMIG_REASON_MAX];
	bool have[RECEIVERS] = {true, true, true, true, true};
	struct bench b = {0};
	long nft_drops = 0;
	char name[64];

	private_env(true);
	b.ncpus = libbpf_num_possible_cpus();
	if (run_cmd("ip link add veth-gen type veth peer name veth-rx") ||
	    run_cmd("ip link set veth-gen up") ||
	    run_cmd("ip link set veth-rx address 02:00:00:00:00:02 up"))
		die("making the veth pair");
	fl.rx_ifindex = if_nametoindex("veth-rx");
	fl.drop = load_object(objdir, "drop.bpf.o");
	fl.gen = generator(if_nametoindex("veth-gen"), sources);
	fl.gen_fd = prog_fd(fl.gen, "gen");
	build_frame(UNADMITTED, &fl.frame);

	snprintf(name, sizeof(name), "flood-%d", getpid());
	lmig_setup(&b, name);
	lmig_fill(&b, admissions, 0);
	have[R_XDPF] = access("/usr/sbin/xdp-filter", X_OK) == 0;
	have[R_NFT] = nft_start(admissions);
	pin(0, cpus[0]);

	printf("# flood: packets per second a veth drops of a flood from %u "
	       "unadmitted IPv4 sources,\n# %u admissions in the table ("
	       "xdp-filter: %d, all it holds); %.1f s each, middle of %d "
	       "rounds;\n# generator on CPU %d, receiving NAPI %s\n",
	       sources, admissions,
	       admissions < XDPF_MAX ? admissions : XDPF_MAX, seconds, runs,
	       cpus[0],
	       cpus[1] != cpus[0] ? "thread on the other CPU"
				  : "in softirq on the same CPU");
	for (int r = 0; r < runs; r++)
		for (int m = 0; m < RECEIVERS; m++) {
			if (!have[m])
				continue;
			if (!receiver_start(&fl, m, b.fp, b.ncpus)) {
				fprintf(stderr, "# %s: could not be set up\n",
					receiver_names[m]);
				have[m] = false;
				receiver_stop(&fl, m, b.fp);
				continue;
			}
			fl.threaded = cpus[1] != cpus[0] &&
				      napi_thread("veth-rx", cpus[1]);
			drive(&fl, 0.3, NULL); /* warm up */
			if (m == R_LMIG)
				lmig_fp_stats(b.fp, before, __LMIG_REASON_MAX,
					      NULL, 0);
			v[m][r] = drive(&fl, seconds, &offer[m][r]);
			if (verbose)
				fprintf(stderr,
					"# round %d %-12s %6.2f Mpps of %6.2f "
					"offered%s\n",
					r + 1, receiver_names[m], v[m][r] / 1e6,
					offer[m][r] / 1e6,
					fl.threaded ? "" : " (no NAPI thread)");
			if (m == R_LMIG) {
				lmig_fp_stats(b.fp, after, __LMIG_REASON_MAX,
					      NULL, 0);
				/* They were dropped, and for the reason. */
				if (after[LMIG_DROP_NO_ADMISSION].packets ==
				    before[LMIG_DROP_NO_ADMISSION].packets)
					die("lmig dropped nothing");
			}
			receiver_stop(&fl, m, b.fp);
		}
	if (cpus[1] != cpus[0] && !fl.threaded)
		printf("# (no NAPI thread could be made: the receiver ran on "
		       "the generator's CPU)\n");
	for (int m = 0; m < RECEIVERS; m++) {
		if (!have[m]) {
			printf("  %-14s %12s\n", receiver_names[m],
			       "unavailable");
			continue;
		}
		pps[m] = middle(v[m], runs);
		printf("  %-14s %8.2f Mpps  %5.2f of XDP_DROP\n",
		       receiver_names[m], pps[m] / 1e6, pps[m] / pps[R_DROP]);
		if (m == R_LMIG)
			summary("flood: lmig/XDP_DROP %.2f, lmig/read+XDP_DROP "
				"%.2f (target >= 0.7 of XDP_DROP)",
				pps[m] / pps[R_DROP], pps[m] / pps[R_READ]);
	}
	if (have[R_NFT]) {
		FILE *p = popen("nft list chain netdev lmigbench in", "r");
		char line[256];

		while (p && fgets(line, sizeof(line), p)) {
			char *c = strstr(line, "counter packets ");

			if (c)
				nft_drops = strtol(c + 16, NULL, 10);
		}
		if (p)
			pclose(p);
		printf("  (nftables counted %ld drops)\n", nft_drops);
	}
	printf("\n");
	lmig_fp_close(b.fp);
	bpf_object__close(fl.gen);
	bpf_object__close(fl.drop);
}

/* ---- main ----------------------------------------------------------- */

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

static void usage(void)
{
	fprintf(stderr,
		"usage: lmig-fpbench clock|packet|flood [-B DIR] [-r REPEAT] "
		"[-n RUNS]\n"
		"                    [-a COUNT[,COUNT...]] [-t SECONDS] "
		"[-s SOURCES] [-c CPU[,CPU]] [-v]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	unsigned long counts[8] = {1, 1000, 1000000};
	int ncounts = 3, opt;
	unsigned long sources = 131072, admissions = 131072;
	double seconds = 2;
	const char *mode;
	char *end;

	/* Options alone: the per-packet table, as it always was. */
	if (argc < 2 || argv[1][0] == '-') {
		mode = "packet";
		optind = 1;
	} else {
		mode = argv[1];
		optind = 2;
	}
	while ((opt = getopt(argc, argv, "B:r:n:a:t:s:c:vh")) != -1) {
		switch (opt) {
		case 'v':
			verbose = true;
			break;
		case 'B':
			objdir = optarg;
			break;
		case 'r':
			repeat = strtol(optarg, &end, 10);
			if (*end || repeat < 1 || repeat > 100000000)
				die("-r '%s': want 1..100000000", optarg);
			break;
		case 'n':
			runs = strtol(optarg, &end, 10);
			if (*end || runs < 1 || runs > 64)
				die("-n '%s': want 1..64", optarg);
			break;
		case 'a':
			ncounts = parse_counts(optarg, counts, 8);
			if (ncounts <= 0)
				die("-a '%s': want counts 1..%d, "
				    "comma-separated",
				    optarg, LMIG_ADMISSIONS_MAX);
			admissions = counts[0];
			break;
		case 't':
			seconds = strtod(optarg, &end);
			if (*end || seconds < 0.1 || seconds > 60)
				die("-t '%s': want 0.1..60 seconds", optarg);
			break;
		case 's':
			sources = strtoul(optarg, &end, 10);
			if (*end || sources < 1 || sources > (1UL << 24))
				die("-s '%s': want 1..%lu", optarg, 1UL << 24);
			break;
		case 'c':
			cpus[0] = strtol(optarg, &end, 10);
			cpus[1] = *end == ',' ? strtol(end + 1, &end, 10)
					      : cpus[0];
			if (*end || cpus[0] < 0 || cpus[1] < 0)
				die("-c '%s': want CPU or CPU,CPU", optarg);
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	libbpf_set_print(NULL);
	xdpfilt_dir = find_xdpfilt();
	if (!strcmp(mode, "clock")) {
		pin(0, cpus[0]);
		bench_clock();
	} else if (!strcmp(mode, "packet")) {
		pin(0, cpus[0]);
		bench_packet(counts, ncounts);
	} else if (!strcmp(mode, "flood")) {
		bench_flood(seconds, sources, admissions);
	} else {
		usage();
	}
	return 0;
}
