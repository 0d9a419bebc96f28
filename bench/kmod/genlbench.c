// SPDX-License-Identifier: GPL-2.0-only
/*
 * lmig-genlbench: what the lmig family costs, beside nft doing the same
 * with a set. For each table size N it measures, in a network namespace
 * of its own:
 *
 *   lmig   create N profiles, one request each (NEW, acknowledged)
 *          look-ups by primary ID (GET), latency per request
 *          dump the table (parsed into struct lmig_profile)
 *          flush it: the request, and until the memory is freed
 *          apply N profiles in one transaction (APPLY_*), then the same
 *          batch again (nothing changes)
 *          memory of the table (INFO_GET) per profile
 *   nft    add N elements to an ipv4_addr set with 'nft -f', one add
 *          command each (one message each, in one transaction)
 *          list the set ('nft list set', to /dev/null)
 *          look-ups ('get element') through libnftables in this process,
 *          and a few through the nft program, each for at most a
 *          minute (through the program, each reads the whole set: at
 *          a million elements one takes minutes)
 *          flush the set, then add N elements in one command
 *
 * and prints the figures with the ratios lmig : nft. Figures only, never
 * pass or fail; see bench/kmod/run, which runs it in the test VM.
 *
 *   lmig-genlbench [-n N]... [-g GETS] [--nft PATH] [--cli-gets K]
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/lmig.h>

#include "genl.h"
#include "profile.h"

#define MAX_SIZES 8
#define CHUNK	  256

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, const char *why)
{
	fprintf(stderr, "lmig-genlbench: %s: %s\n", what, why);
	exit(1);
}

/* Profile @i of the benchmark's table, written without clearing @p. */
static void bench_profile(struct lmig_profile *p, unsigned long i,
			  const char *tag)
{
	p->fields = LMIG_PF_PARTNER_ID | LMIG_PF_PRIMARY_IDS | LMIG_PF_SERVICES;
	snprintf(p->partner_id, sizeof(p->partner_id),
		 "sip:user%lu@partner.example", i);
	snprintf(p->primary_ids[0], sizeof(p->primary_ids[0]),
		 "sip:user%lu%s@primary.example", i, tag);
	p->n_primary_ids = 1;
	p->services = LMIG_SERVICE_PTT | LMIG_SERVICE_DATA;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

struct latency {
	double median, p99, mean; /* seconds */
	size_t n;		  /* look-ups measured */
};

/*
 * The nft program reads the whole set for a look-up, and libnftables does
 * for its first one: at a million elements that takes minutes. nft's
 * look-ups stop after this long, however many were asked for, and the
 * figures say how many were made.
 */
#define NFT_GET_BUDGET_S 60.0

static struct latency summarize(double *v, size_t n)
{
	struct latency l = {0};
	double sum = 0;

	l.n = n;
	if (!n)
		return l;
	qsort(v, n, sizeof(*v), cmp_double);
	for (size_t i = 0; i < n; i++)
		sum += v[i];
	l.median = v[n / 2];
	l.p99 = v[(n * 99) / 100 < n ? (n * 99) / 100 : n - 1];
	l.mean = sum / (double)n;
	return l;
}

/* One table size, both sides. Rates are per second; 0: not measured. */
struct result {
	unsigned long n;
	double lmig_create, lmig_apply, lmig_reapply, lmig_dump, lmig_flush;
	double lmig_flush_call; /* seconds */
	struct latency lmig_get;
	double lmig_bytes;
	double nft_add_each, nft_add_batch, nft_list, nft_flush;
	struct latency nft_get, nft_get_cli;
};

/* --- lmig ----------------------------------------------------------- */

/* Profiles alive in the module (debugfs), or -1. */
static long live_profiles(void)
{
	FILE *f = fopen("/sys/kernel/debug/lmig/profiles", "r");
	long n = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%ld", &n) != 1)
		n = -1;
	fclose(f);
	return n;
}

static int count_cb(const struct lmig_profile *p, void *data)
{
	(void)p;
	++*(unsigned long *)data;
	return 0;
}

static void bench_lmig(struct lmig_genl *nl, struct result *r,
		       unsigned long gets)
{
	static struct lmig_profile chunk[CHUNK];
	struct lmig_profile p, got;
	struct lmig_summary sum;
	unsigned long n = r->n, seen;
	struct lmig_info info;
	double t, *lat;
	long live;
	int ret;

	/* Create, one request each. */
	lmig_profile_init(&p);
	t = now_s();
	for (unsigned long i = 1; i <= n; i++) {
		bench_profile(&p, i, "");
		ret = lmig_profile_request(nl, LMIG_CMD_PROFILE_NEW, &p,
					   LMIG_PF_WRITABLE, NULL);
		if (ret)
			die("NEW", lmig_genl_strerror(nl));
	}
	r->lmig_create = (double)n / (now_s() - t);

	/* Look-ups by primary ID, spread over the table, once it is quiet. */
	sleep(1);
	lat = calloc(gets, sizeof(*lat));
	if (!lat)
		die("memory", strerror(errno));
	for (unsigned long k = 0; k < gets; k++) {
		char id[64];

		snprintf(id, sizeof(id), "sip:user%lu@primary.example",
			 1 + (k * 7919) % n);
		t = now_s();
		ret = lmig_profile_get_by_primary(nl, id, &got);
		lat[k] = now_s() - t;
		if (ret)
			die("GET", lmig_genl_strerror(nl));
	}
	r->lmig_get = summarize(lat, gets);
	free(lat);

	/* Dump: best of three, each parsed whole. */
	for (int k = 0; k < 3; k++) {
		double rate;

		seen = 0;
		t = now_s();
		ret = lmig_profile_dump(nl, count_cb, &seen);
		rate = (double)n / (now_s() - t);
		if (ret || seen != n)
			die("dump", ret ? lmig_genl_strerror(nl) : "short");
		if (rate > r->lmig_dump)
			r->lmig_dump = rate;
	}

	if (lmig_info_get(nl, &info))
		die("INFO_GET", lmig_genl_strerror(nl));
	r->lmig_bytes = (double)info.memory / (double)n;

	/*
	 * A flush swaps in an empty table at once and frees the old one
	 * after a grace period: time both, the latter with the module's count
	 * of live profiles (debugfs).
	 */
	live = live_profiles();
	t = now_s();
	if (lmig_flush(nl, &sum) || sum.deleted != n)
		die("FLUSH", lmig_genl_strerror(nl));
	r->lmig_flush_call = now_s() - t;
	while (live >= 0 && live_profiles() > live - (long)n &&
	       now_s() - t < 60)
		usleep(1000);
	r->lmig_flush = (double)n / (now_s() - t);

	/* Apply into the empty table, then the same batch again. */
	for (int pass = 0; pass < 2; pass++) {
		unsigned long done = 0;

		for (int k = 0; k < CHUNK; k++)
			lmig_profile_init(&chunk[k]);
		t = now_s();
		ret = lmig_apply_begin(nl);
		while (!ret && done < n) {
			unsigned long k = n - done < CHUNK ? n - done : CHUNK;

			for (unsigned long j = 0; j < k; j++)
				bench_profile(&chunk[j], done + j + 1, "");
			ret = lmig_apply_add(nl, chunk, k, NULL);
			done += k;
		}
		if (!ret)
			ret = lmig_apply_commit(nl, (uint32_t)n, &sum);
		if (ret)
			die("apply", lmig_genl_strerror(nl));
		if (pass == 0) {
			r->lmig_apply = (double)n / (now_s() - t);
			if (sum.created != n)
				die("apply", "not every profile was created");
		} else {
			r->lmig_reapply = (double)n / (now_s() - t);
			if (sum.unchanged != n)
				die("apply",
				    "the same batch changed something");
		}
	}
	if (lmig_flush(nl, NULL))
		die("FLUSH", lmig_genl_strerror(nl));
}

/* --- nft ------------------------------------------------------------ */

/* The few functions of libnftables used, looked up at run time. */
struct nftlib {
	void *handle;
	void *(*ctx_new)(unsigned int flags);
	void (*ctx_free)(void *ctx);
	int (*run_cmd)(void *ctx, const char *buf);
	int (*buffer_output)(void *ctx);
	int (*buffer_error)(void *ctx);
	void *ctx;
};

static bool nftlib_open(struct nftlib *l)
{
	l->handle = dlopen("libnftables.so.1", RTLD_NOW);
	if (!l->handle)
		return false;
	l->ctx_new = (void *(*)(unsigned int))dlsym(l->handle, "nft_ctx_new");
	l->ctx_free = (void (*)(void *))dlsym(l->handle, "nft_ctx_free");
	l->run_cmd = (int (*)(void *, const char *))dlsym(
		l->handle, "nft_run_cmd_from_buffer");
	l->buffer_output = (int (*)(void *))dlsym(l->handle,
						  "nft_ctx_buffer_output");
	l->buffer_error = (int (*)(void *))dlsym(l->handle,
						 "nft_ctx_buffer_error");
	if (!l->ctx_new || !l->ctx_free || !l->run_cmd || !l->buffer_output ||
	    !l->buffer_error)
		return false;
	l->ctx = l->ctx_new(0);
	if (!l->ctx)
		return false;
	/* Keep what get prints in memory, as a program would. */
	l->buffer_output(l->ctx);
	l->buffer_error(l->ctx);
	return true;
}

static void nftlib_close(struct nftlib *l)
{
	if (l->ctx)
		l->ctx_free(l->ctx);
	if (l->handle)
		dlclose(l->handle);
}

/* Run the nft program; returns its run time in seconds, or -1. */
static double run_nft(const char *nft, const char *const *args, bool quiet)
{
	const char *argv[8] = {nft};
	double t = now_s();
	int status, i;
	pid_t pid;

	for (i = 0; args[i] && i < 6; i++)
		argv[i + 1] = args[i];
	argv[i + 1] = NULL;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (quiet) {
			int fd = open("/dev/null", O_WRONLY);

			if (fd >= 0)
				dup2(fd, 1);
		}
		execv(nft, (char *const *)argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		return -1;
	return now_s() - t;
}

static void ipv4(char *buf, size_t len, unsigned long i)
{
	snprintf(buf, len, "10.%lu.%lu.%lu", (i >> 16) & 255, (i >> 8) & 255,
		 i & 255);
}

/* A file for 'nft -f': N add commands, or one with every element. */
static void write_adds(const char *path, unsigned long n, bool one_command)
{
	FILE *f = fopen(path, "w");
	char a[32];

	if (!f)
		die(path, strerror(errno));
	if (one_command)
		fputs("add element inet lmigbench s {", f);
	for (unsigned long i = 1; i <= n; i++) {
		ipv4(a, sizeof(a), i);
		if (one_command)
			fprintf(f, "%s%s", i > 1 ? ", " : " ", a);
		else
			fprintf(f, "add element inet lmigbench s { %s }\n", a);
	}
	if (one_command)
		fputs(" }\n", f);
	if (fclose(f))
		die(path, strerror(errno));
}

static void bench_nft(const char *nft, struct nftlib *lib, struct result *r,
		      unsigned long gets, unsigned long cli_gets)
{
	const char *file = "/tmp/lmig-genlbench.nft";
	unsigned long n = r->n;
	double t, *lat;
	char cmd[128], a[32];

	if (run_nft(nft,
		    (const char *[]){"add", "table", "inet", "lmigbench", NULL},
		    false) < 0 ||
	    run_nft(nft,
		    (const char *[]){"add set inet lmigbench s { type "
				     "ipv4_addr; }",
				     NULL},
		    false) < 0)
		die("nft", "cannot create the table and set");

	write_adds(file, n, false);
	t = run_nft(nft, (const char *[]){"-f", file, NULL}, false);
	if (t < 0)
		die("nft -f", "adding one element per command failed");
	r->nft_add_each = (double)n / t;

	t = run_nft(
		nft,
		(const char *[]){"list", "set", "inet", "lmigbench", "s", NULL},
		true);
	if (t < 0)
		die("nft list set", "failed");
	r->nft_list = (double)n / t;

	lat = calloc(gets > cli_gets ? gets : cli_gets, sizeof(*lat));
	if (!lat)
		die("memory", strerror(errno));
	sleep(1);
	if (lib->ctx) {
		double start = now_s();
		unsigned long k;

		for (k = 0; k < gets && now_s() - start < NFT_GET_BUDGET_S;
		     k++) {
			ipv4(a, sizeof(a), 1 + (k * 7919) % n);
			snprintf(cmd, sizeof(cmd),
				 "get element inet lmigbench s { %s }", a);
			t = now_s();
			if (lib->run_cmd(lib->ctx, cmd))
				die("libnftables", cmd);
			lat[k] = now_s() - t;
		}
		r->nft_get = summarize(lat, k);
	}
	t = now_s();
	for (unsigned long k = 0; k < cli_gets; k++) {
		ipv4(a, sizeof(a), 1 + (k * 7919) % n);
		snprintf(cmd, sizeof(cmd),
			 "get element inet lmigbench s { %s }", a);
		lat[k] = run_nft(nft, (const char *[]){cmd, NULL}, true);
		if (lat[k] < 0)
			die("nft get element", cmd);
		if (now_s() - t > NFT_GET_BUDGET_S) {
			cli_gets = k + 1;
			break;
		}
	}
	r->nft_get_cli = summarize(lat, cli_gets);
	free(lat);

	t = run_nft(nft,
		    (const char *[]){"flush", "set", "inet", "lmigbench", "s",
				     NULL},
		    false);
	if (t < 0)
		die("nft flush set", "failed");
	r->nft_flush = (double)n / t;

	write_adds(file, n, true);
	t = run_nft(nft, (const char *[]){"-f", file, NULL}, false);
	if (t < 0)
		die("nft -f", "adding every element in one command failed");
	r->nft_add_batch = (double)n / t;

	unlink(file);
	if (run_nft(nft,
		    (const char *[]){"delete", "table", "inet", "lmigbench",
				     NULL},
		    false) < 0)
		die("nft", "cannot delete the table");
}

/* --- report --------------------------------------------------------- */

static void rate_line(const char *what, double lmig, double nft)
{
	printf("  %-34s %12.0f/s", what, lmig);
	if (nft > 0)
		printf(" %12.0f/s %8.2fx\n", nft, lmig / nft);
	else
		printf(" %14s %9s\n", "-", "-");
}

static void latency_line(const char *what, double lmig, double nft)
{
	printf("  %-34s %12.1fus", what, lmig * 1e6);
	if (nft > 0)
		printf(" %12.1fus %8.2fx\n", nft * 1e6, nft / lmig);
	else
		printf(" %14s %9s\n", "-", "-");
}

static void report(const struct result *r, bool nft)
{
	printf("\n%lu profiles / set elements%s\n", r->n,
	       nft ? "" : " (nft not measured)");
	printf("  %-34s %14s %14s %9s\n", "", "lmig", "nft", "lmig:nft");
	rate_line("create, one per message", r->lmig_create, r->nft_add_each);
	rate_line("create, batched (apply)", r->lmig_apply, r->nft_add_batch);
	rate_line("apply again, nothing changes", r->lmig_reapply, 0);
	rate_line("dump / list", r->lmig_dump, r->nft_list);
	rate_line("flush (until freed)", r->lmig_flush, r->nft_flush);
	printf("  %-34s %12.2fms\n", "flush, the request itself",
	       r->lmig_flush_call * 1e3);
	latency_line("get, median (in process)", r->lmig_get.median,
		     r->nft_get.median);
	latency_line("get, 99th percentile", r->lmig_get.p99, r->nft_get.p99);
	latency_line("get, mean", r->lmig_get.mean, r->nft_get.mean);
	printf("  %-34s %14zu %14zu\n", "get, look-ups measured", r->lmig_get.n,
	       r->nft_get.n);
	if (r->nft_get_cli.mean > 0)
		printf("  %-34s %14s %12.1fus (%zu)\n",
		       "get, one nft process each", "",
		       r->nft_get_cli.mean * 1e6, r->nft_get_cli.n);
	printf("  %-34s %12.0f B\n", "memory per profile (INFO_GET)",
	       r->lmig_bytes);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"count", required_argument, NULL, 'n'},
		{"gets", required_argument, NULL, 'g'},
		{"nft", required_argument, NULL, 'f'},
		{"cli-gets", required_argument, NULL, 'c'},
		{"help", no_argument, NULL, 'h'},
		{},
	};
	unsigned long sizes[MAX_SIZES], gets = 20000, cli_gets = 20;
	struct result results[MAX_SIZES] = {};
	struct nftlib lib = {};
	const char *nft = NULL;
	unsigned int n_sizes = 0;
	struct lmig_genl *nl;
	char why[256];
	int opt;

	while ((opt = getopt_long(argc, argv, "n:g:f:c:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'n':
			if (n_sizes == MAX_SIZES)
				die("-n", "too many sizes");
			sizes[n_sizes++] = strtoul(optarg, NULL, 10);
			if (!sizes[n_sizes - 1] ||
			    sizes[n_sizes - 1] > 16000000)
				die("-n", "a size is 1..16000000");
			break;
		case 'g':
			gets = strtoul(optarg, NULL, 10);
			break;
		case 'f':
			nft = optarg;
			break;
		case 'c':
			cli_gets = strtoul(optarg, NULL, 10);
			break;
		default:
			fprintf(stderr,
				"usage: lmig-genlbench [-n COUNT]... [-g GETS] "
				"[--nft PATH] [--cli-gets K]\n");
			return opt == 'h' ? 0 : 2;
		}
	}
	if (!n_sizes)
		sizes[n_sizes++] = 1000;
	if (!gets)
		gets = 1;

	/* A namespace of our own, for lmig's table and nft's set alike. */
	if (unshare(CLONE_NEWNET))
		die("unshare(CLONE_NEWNET)", strerror(errno));
	if (lmig_genl_open(&nl, why, sizeof(why)))
		die("lmig", why);
	if (nft && !nftlib_open(&lib)) {
		fprintf(stderr, "lmig-genlbench: libnftables not usable: "
				"nft look-ups only through the program\n");
		nftlib_close(&lib);
		memset(&lib, 0, sizeof(lib));
	}

	for (unsigned int i = 0; i < n_sizes; i++) {
		results[i].n = sizes[i];
		fprintf(stderr, "# %lu: lmig\n", sizes[i]);
		bench_lmig(nl, &results[i], gets);
		if (nft) {
			/* The program reads the whole set for one look-up. */
			unsigned long cli = sizes[i] > 100000 ? cli_gets / 10
					    : sizes[i] > 1000 ? cli_gets / 4
							      : cli_gets;

			fprintf(stderr, "# %lu: nft\n", sizes[i]);
			bench_nft(nft, &lib, &results[i], gets, cli ? cli : 1);
		}
		report(&results[i], nft);
		fflush(stdout);
	}
	printf("\nRates: profiles or elements per second; lmig:nft above 1 "
	       "means lmig is faster (for latencies too).\n");
	nftlib_close(&lib);
	lmig_genl_close(nl);
	return 0;
}
