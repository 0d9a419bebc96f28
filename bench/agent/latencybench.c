// SPDX-License-Identifier: GPL-2.0-only
/*
 * lmig-latencybench: the admission path of lmigd, natively, from the
 * request parsed to the admission in the fast path's map: the token's
 * verification, the profile's part of the decision and lmigd's own
 * install into a real (private) instance of the pinned maps. The profile
 * comes from memory, not the kernel (the module's look-up is measured by
 * bench/kmod). Each admission is for another address, of one user; first
 * presentations skip the verified-token cache, re-presentations hit it.
 * Prints one line per kind: n, p50, p99, max in microseconds. Root.
 *
 *   lmig-latencybench --cert PEM --alg ALG --issuer ISS --audience AUD
 *                     --primary-id ID [--count N] TOKEN-FILE
 */
#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <time.h>
#include <unistd.h>

#include "api.h"
#include "clock.h"
#include "lmigd.h"
#include "token_cache.h"
#include "trust.h"

struct opts {
	const char *cert, *alg, *issuer, *audience, *primary_id, *token_file;
	long count;
};

static void die(const char *what, const char *why)
{
	fprintf(stderr, "lmig-latencybench: %s: %s\n", what, why);
	exit(1);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* The profile the kernel would hold for the token's user. */
static int profile_lookup(void *arg, const char *primary_id,
			  struct lmigd_profile *out)
{
	const char *want = arg;

	if (strcmp(primary_id, want))
		return -ENOENT;
	memset(out, 0, sizeof(*out));
	out->user_id = 1;
	snprintf(out->partner_id, sizeof(out->partner_id),
		 "sip:bench@partner.example");
	out->services = LMIG_SERVICES_ALL;
	out->state = LMIG_STATE_ACTIVE;
	out->generation = 1;
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* 10.(i >> 16).(i >> 8).i: another address each time. */
static struct lmig_addr address(long i)
{
	struct lmig_addr a = {.addr = {[10] = 0xff, [11] = 0xff, [12] = 10}};

	a.addr[13] = (uint8_t)(i >> 16);
	a.addr[14] = (uint8_t)(i >> 8);
	a.addr[15] = (uint8_t)i;
	return a;
}

static void measure(const char *kind, struct lmigd *d,
		    const struct lmigd_admit_policy *policy, const char *token,
		    size_t len, long count, uint64_t *samples)
{
	char msg[LMIG_FP_MSG_MAX];

	for (long i = 0; i < count; i++) {
		struct lmig_addr addr = address(i);
		struct lmigd_decision dec;
		int64_t now = time(NULL);
		uint64_t t0 = now_ns();

		if (!lmigd_admit_verify(policy, token, len, now, &dec))
			die(kind, dec.detail ? dec.detail : "token refused");
		lmigd_admit_finish(policy, now, &dec);
		if (dec.verdict != LMIGD_ADMITTED)
			die(kind, dec.detail ? dec.detail : "refused");
		if (lmigd_api_install(d, &addr, &dec))
			die(kind, "install failed");
		samples[i] = now_ns() - t0;
		/* The user keeps one address: no eviction in the figures. */
		if (lmig_fp_admission_del(d->fp, &addr, msg, sizeof(msg)))
			die(kind, msg);
	}
	qsort(samples, (size_t)count, sizeof(*samples), cmp_u64);
	printf("%s n=%ld p50_us=%.1f p99_us=%.1f max_us=%.1f\n", kind, count,
	       samples[count / 2] / 1e3, samples[count * 99 / 100] / 1e3,
	       samples[count - 1] / 1e3);
	fflush(stdout);
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t cap = 0;
	ssize_t n;

	if (!f)
		return NULL;
	n = getline(&buf, &cap, f);
	fclose(f);
	if (n < 0) {
		free(buf);
		return NULL;
	}
	buf[strcspn(buf, "\r\n")] = '\0';
	*len = strlen(buf);
	return buf;
}

static int run(const struct opts *o)
{
	const struct lmig_verifier_config vc = {.audience = o->audience,
						.clock_skew = 30};
	struct lmig_trust *trust = lmig_trust_new();
	struct lmigd_admit_policy policy = {
		.lookup = profile_lookup,
		.lookup_arg = (void *)o->primary_id,
		.max_admission = 3600,
	};
	struct lmig_verifier *v = NULL;
	struct lmigd d = {0};
	char err[512], *token;
	enum lmig_jws_alg alg;
	uint64_t *samples;
	size_t len;

	token = slurp(o->token_file, &len);
	samples = calloc((size_t)o->count, sizeof(*samples));
	if (!token || !trust || !samples)
		die(o->token_file, "cannot read it");
	alg = lmig_jws_alg_from_name(o->alg, strlen(o->alg));
	snprintf(err, sizeof(err), "unknown algorithm '%s'", o->alg);
	if (alg == LMIG_JWS_ALG_INVALID ||
	    lmig_trust_add_cert_file(trust, o->issuer, alg, NULL, o->cert, err,
				     sizeof(err)) ||
	    lmig_verifier_new(trust, &vc, &v, err, sizeof(err)))
		die("trust", err);
	policy.verifier = v;

	/* A private BPF filesystem: never a running gateway's pins. */
	if (unshare(CLONE_NEWNS) ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
	    mount("bpf", "/sys/fs/bpf", "bpf", 0, "mode=0700"))
		die("a private BPF filesystem", strerror(errno));
	if (lmig_fp_load("latency", &d.fp, err, sizeof(err)))
		die("fast path", err);
	d.addrs = lmigd_user_addrs_new();
	if (!d.addrs)
		die("memory", strerror(ENOMEM));
	d.cfg.max_addresses = 1;
	d.cfg.addr_policy = LMIGD_ADDR_REPLACE_OLDEST;
	d.clock_anchor_ns = lmig_clock_offset_ns();

	measure("first", &d, &policy, token, len, o->count, samples);
	policy.cache = lmigd_token_cache_new();
	if (!policy.cache)
		die("memory", strerror(ENOMEM));
	measure("cached", &d, &policy, token, len, o->count, samples);

	lmigd_token_cache_free(policy.cache);
	lmigd_user_addrs_free(d.addrs);
	lmig_fp_close(d.fp);
	lmig_verifier_free(v); /* and the trust store it owns */
	free(samples);
	free(token);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"cert", required_argument, NULL, 'c'},
		{"alg", required_argument, NULL, 'a'},
		{"issuer", required_argument, NULL, 'i'},
		{"audience", required_argument, NULL, 'u'},
		{"primary-id", required_argument, NULL, 'p'},
		{"count", required_argument, NULL, 'n'},
		{0},
	};
	struct opts o = {.count = 2000};
	int c;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			o.cert = optarg;
			break;
		case 'a':
			o.alg = optarg;
			break;
		case 'i':
			o.issuer = optarg;
			break;
		case 'u':
			o.audience = optarg;
			break;
		case 'p':
			o.primary_id = optarg;
			break;
		case 'n':
			o.count = strtol(optarg, NULL, 10);
			break;
		default:
			return 2;
		}
	}
	if (optind != argc - 1 || !o.cert || !o.alg || !o.issuer ||
	    !o.audience || !o.primary_id || o.count < 1 || o.count > 1000000) {
		fprintf(stderr,
			"usage: lmig-latencybench --cert PEM --alg ALG "
			"--issuer ISS --audience AUD\n"
			"                         --primary-id ID [--count N] "
			"TOKEN-FILE\n");
		return 2;
	}
	o.token_file = argv[optind];
	return run(&o);
}
