// SPDX-License-Identifier: GPL-2.0-only
/*
 * Token verifications per second on one core: lmig's verifier (first
 * presentation), lmig's verified-token cache (the same token again), and
 * libjwt verifying the same token with the same public key, for a fixed
 * time each. Prints one line per subject:
 *
 *   SUBJECT OPS_PER_SECOND
 *
 *   lmig-verifybench --cert CERT --pubkey PUBKEY --alg ALG --issuer ISS
 *                    --audience AUD --now T --seconds S TOKEN-FILE
 *
 * A subject that refuses the token prints "SUBJECT refused" instead, so a
 * figure is never reported for a verification that did not succeed.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jwt.h>

#include "token.h"
#include "token_cache.h"

struct opts {
	const char *cert, *pubkey, *alg, *issuer, *audience, *token_file;
	int64_t now;
	double seconds;
};

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET)) {
		fclose(f);
		return NULL;
	}
	buf = malloc((size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	if (!buf)
		return NULL;
	buf[n] = '\0';
	*len = (size_t)n;
	return buf;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Run one(ctx) for about seconds; ops per second, or -1 if one failed. */
static double rate(bool (*one)(void *ctx), void *ctx, double seconds)
{
	double start = now_s(), end = start + seconds, t;
	unsigned long n = 0;

	do {
		for (int i = 0; i < 16; i++, n++)
			if (!one(ctx))
				return -1;
		t = now_s();
	} while (t < end);
	return (double)n / (t - start);
}

struct lmig_run {
	const struct lmig_verifier *v;
	struct lmigd_token_cache *cache;
	const char *token;
	size_t len;
	int64_t now;
};

static bool lmig_one(void *ctx)
{
	struct lmig_run *r = ctx;
	struct lmig_token t;

	return lmig_token_verify(r->v, r->token, r->len, r->now, &t) ==
	       LMIG_TOKEN_OK;
}

static bool lmig_cached_one(void *ctx)
{
	struct lmig_run *r = ctx;
	struct lmig_token t;

	return lmigd_token_verify_cached(r->cache, r->v, r->token, r->len,
					 r->now, &t) == LMIG_TOKEN_OK;
}

struct jwt_run {
	const char *token;
	const unsigned char *key;
	int key_len;
};

static bool libjwt_one(void *ctx)
{
	struct jwt_run *r = ctx;
	jwt_t *jwt = NULL;
	int err = jwt_decode(&jwt, r->token, r->key, r->key_len);

	jwt_free(jwt);
	return err == 0;
}

static void report(const char *name, double ops)
{
	if (ops < 0)
		printf("%s refused\n", name);
	else
		printf("%s %.0f\n", name, ops);
	fflush(stdout);
}

static int run(const struct opts *o)
{
	const struct lmig_verifier_config vc = {.audience = o->audience,
						.clock_skew = 30};
	struct lmig_trust *trust = lmig_trust_new();
	struct lmig_verifier *v = NULL;
	struct lmig_run lr = {.now = o->now};
	struct jwt_run jr;
	enum lmig_jws_alg alg;
	char err[512], *token, *key;
	size_t len, key_len;

	token = slurp(o->token_file, &len);
	key = slurp(o->pubkey, &key_len);
	if (!token || !key || !trust) {
		fprintf(stderr, "lmig-verifybench: cannot read the token or "
				"key\n");
		return 1;
	}
	token[strcspn(token, "\r\n")] = '\0';
	len = strlen(token);
	alg = lmig_jws_alg_from_name(o->alg, strlen(o->alg));
	snprintf(err, sizeof(err), "unknown algorithm '%s'", o->alg);
	if (alg == LMIG_JWS_ALG_INVALID ||
	    lmig_trust_add_cert_file(trust, o->issuer, alg, NULL, o->cert, err,
				     sizeof(err)) ||
	    lmig_verifier_new(trust, &vc, &v, err, sizeof(err))) {
		fprintf(stderr, "lmig-verifybench: %s\n", err);
		return 1;
	}
	lr.v = v;
	lr.token = token;
	lr.len = len;
	lr.cache = lmigd_token_cache_new();
	report("lmig", rate(lmig_one, &lr, o->seconds));
	report("lmig-cached", rate(lmig_cached_one, &lr, o->seconds));
	jr = (struct jwt_run){.token = token,
			      .key = (const unsigned char *)key,
			      .key_len = (int)key_len};
	report("libjwt", rate(libjwt_one, &jr, o->seconds));
	lmigd_token_cache_free(lr.cache);
	lmig_verifier_free(v);
	free(token);
	free(key);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"cert", required_argument, NULL, 'c'},
		{"pubkey", required_argument, NULL, 'p'},
		{"alg", required_argument, NULL, 'a'},
		{"issuer", required_argument, NULL, 'i'},
		{"audience", required_argument, NULL, 'u'},
		{"now", required_argument, NULL, 'n'},
		{"seconds", required_argument, NULL, 's'},
		{0},
	};
	struct opts o = {.seconds = 2, .now = (int64_t)time(NULL)};
	int c;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			o.cert = optarg;
			break;
		case 'p':
			o.pubkey = optarg;
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
		case 'n':
			o.now = strtoll(optarg, NULL, 10);
			break;
		case 's':
			o.seconds = strtod(optarg, NULL);
			break;
		default:
			return 2;
		}
	}
	if (optind != argc - 1 || !o.cert || !o.pubkey || !o.alg || !o.issuer ||
	    !o.audience || o.seconds <= 0) {
		fprintf(stderr, "usage: lmig-verifybench --cert CERT --pubkey "
				"PUBKEY --alg ALG --issuer ISS --audience AUD "
				"[--now T] [--seconds S] TOKEN-FILE\n");
		return 2;
	}
	o.token_file = argv[optind];
	return run(&o);
}
