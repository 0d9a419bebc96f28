// SPDX-License-Identifier: GPL-2.0-only
/*
 * Token verifications per second on one core: lmig's verifier (first
 * presentation), lmig's verified-token cache (the same token again),
 * lmig's signature step alone (hash and check of the parsed token), the
 * bare signature check done as "openssl speed" does it but with the
 * algorithm's own padding (one context made ready once, the digest
 * computed once: "openssl speed" has no RSA-PSS), and libjwt verifying
 * the same token with the same public key, for a fixed time each. Prints
 * one line per subject:
 *
 *   SUBJECT OPS_PER_SECOND
 *
 *   lmig-verifybench --cert CERT --pubkey PUBKEY --alg ALG --issuer ISS
 *                    --audience AUD --now T --seconds S TOKEN-FILE
 *   lmig-verifybench --cert CERT --alg ALG --issuer ISS --audience AUD
 *                    --latency N --primary-id ID TOKEN-FILE
 *
 * A subject that refuses the token prints "SUBJECT refused" instead, so a
 * figure is never reported for a verification that did not succeed.
 *
 * With --latency N (root), instead: lmigd's admission path N times, from
 * the request parsed to the admission in the fast path's map: the token's
 * verification, the profile's part of the decision (the profile of
 * --primary-id comes from memory, not the kernel; bench/kmod measures the
 * module's look-up) and lmigd's own install into a private instance of
 * the pinned maps, each time for another address of one user. First
 * presentations skip the verified-token cache, cached ones hit it. One
 * line per kind:
 *
 *   KIND n=N p50_us=X p99_us=X max_us=X
 */
#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <time.h>

#include <jwt.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "api.h"
#include "clock.h"
#include "jws.h"
#include "lmigd.h"
#include "token.h"
#include "token_cache.h"

struct opts {
	const char *cert, *pubkey, *alg, *issuer, *audience, *token_file;
	const char *primary_id; /* with latency */
	int64_t now;
	double seconds;
	long latency; /* admissions to time; 0: verification rates */
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

/* lmig's signature step on a token parsed once. */
struct signature_run {
	struct lmig_jws jws;
	struct lmig_jws_verifier *verifier;
};

static bool signature_one(void *ctx)
{
	struct signature_run *r = ctx;

	return lmig_jws_verify(&r->jws, r->verifier) == LMIG_JWS_OK;
}

/* The bare check: what "openssl speed" times, with this padding. */
struct bare_run {
	EVP_PKEY_CTX *pctx; /* RSA and ECDSA: over digest */
	EVP_MD_CTX *mctx;   /* EdDSA: over the signing input */
	const uint8_t *msg, *sig;
	size_t msg_len, sig_len;
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned char der[128];
};

static bool bare_one(void *ctx)
{
	struct bare_run *r = ctx;

	if (r->mctx)
		return EVP_DigestVerify(r->mctx, r->sig, r->sig_len, r->msg,
					r->msg_len) == 1;
	return EVP_PKEY_verify(r->pctx, r->sig, r->sig_len, r->msg,
			       r->msg_len) == 1;
}

/* JWS's r||s as the DER OpenSSL checks; 0 on failure. */
static size_t ecdsa_der(const uint8_t *rs, size_t len, unsigned char *der)
{
	ECDSA_SIG *es = ECDSA_SIG_new();
	BIGNUM *r = BN_bin2bn(rs, (int)(len / 2), NULL);
	BIGNUM *s = BN_bin2bn(rs + len / 2, (int)(len / 2), NULL);
	int n = 0;

	if (es && r && s && ECDSA_SIG_set0(es, r, s)) {
		r = s = NULL; /* owned by es now */
		n = i2d_ECDSA_SIG(es, NULL);
		if (n > 0 && n <= 128)
			n = i2d_ECDSA_SIG(es, &der);
		else
			n = 0;
	}
	BN_free(r);
	BN_free(s);
	ECDSA_SIG_free(es);
	return n > 0 ? (size_t)n : 0;
}

static bool bare_setup(struct bare_run *r, const struct lmig_jws *jws,
		       EVP_PKEY *key)
{
	const char *md = jws->alg == LMIG_JWS_ES384 ? "SHA384" : "SHA256";

	r->sig = jws->signature;
	r->sig_len = jws->signature_len;
	if (jws->alg == LMIG_JWS_EDDSA) {
		r->mctx = EVP_MD_CTX_new();
		r->msg = (const uint8_t *)jws->signing_input;
		r->msg_len = jws->signing_input_len;
		return r->mctx &&
		       EVP_DigestVerifyInit_ex(r->mctx, NULL, NULL, NULL, NULL,
					       key, NULL) == 1;
	}
	if (!EVP_Q_digest(NULL, md, NULL, jws->signing_input,
			  jws->signing_input_len, r->digest, &r->msg_len))
		return false;
	r->msg = r->digest;
	if (jws->alg == LMIG_JWS_ES256 || jws->alg == LMIG_JWS_ES384) {
		r->sig_len = ecdsa_der(jws->signature, jws->signature_len,
				       r->der);
		r->sig = r->der;
	}
	r->pctx = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL);
	if (!r->pctx || EVP_PKEY_verify_init(r->pctx) != 1)
		return false;
	if (jws->alg == LMIG_JWS_RS256 &&
	    EVP_PKEY_CTX_set_rsa_padding(r->pctx, RSA_PKCS1_PADDING) <= 0)
		return false;
	if (jws->alg == LMIG_JWS_PS256 &&
	    (EVP_PKEY_CTX_set_rsa_padding(r->pctx, RSA_PKCS1_PSS_PADDING) <=
		     0 ||
	     EVP_PKEY_CTX_set_rsa_pss_saltlen(r->pctx, 32) <= 0 ||
	     EVP_PKEY_CTX_set_rsa_mgf1_md_name(r->pctx, md, NULL) <= 0))
		return false;
	return EVP_PKEY_CTX_set_signature_md(r->pctx,
					     EVP_get_digestbyname(md)) > 0;
}

static void report(const char *name, double ops)
{
	if (ops < 0)
		printf("%s refused\n", name);
	else
		printf("%s %.0f\n", name, ops);
	fflush(stdout);
}

/* ---- admission latency ------------------------------------------- */

static void die(const char *what, const char *why)
{
	fprintf(stderr, "lmig-verifybench: %s: %s\n", what, why);
	exit(1);
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
		uint64_t t0 = lmig_clock_precise_ns();

		if (!lmigd_admit_verify(policy, token, len, now, &dec))
			die(kind, dec.detail ? dec.detail : "token refused");
		lmigd_admit_finish(policy, now, &dec);
		if (dec.verdict != LMIGD_ADMITTED)
			die(kind, dec.detail ? dec.detail : "refused");
		if (lmigd_api_install(d, &addr, &dec))
			die(kind, "install failed");
		samples[i] = lmig_clock_precise_ns() - t0;
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

static int latency(const struct opts *o, const struct lmig_verifier *v,
		   const char *token, size_t len)
{
	struct lmigd_admit_policy policy = {
		.verifier = v,
		.lookup = profile_lookup,
		.lookup_arg = (void *)o->primary_id,
		.max_admission = 3600,
	};
	uint64_t *samples = calloc((size_t)o->latency, sizeof(*samples));
	struct lmigd d = {0};
	char err[LMIG_FP_MSG_MAX];

	if (!samples)
		die("memory", strerror(ENOMEM));
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

	measure("first", &d, &policy, token, len, o->latency, samples);
	policy.cache = lmigd_token_cache_new();
	if (!policy.cache)
		die("memory", strerror(ENOMEM));
	measure("cached", &d, &policy, token, len, o->latency, samples);

	lmigd_token_cache_free(policy.cache);
	lmigd_user_addrs_free(d.addrs);
	lmig_fp_close(d.fp);
	free(samples);
	return 0;
}

/* lmig's signature step, then the bare check, on the same token. */
static void signature_and_bare(const struct opts *o, const char *token,
			       size_t len, const char *pem, size_t pem_len)
{
	struct signature_run sr = {0};
	struct bare_run br = {0};
	BIO *bio = BIO_new_mem_buf(pem, (int)pem_len);
	EVP_PKEY *key = bio ? PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL) : NULL;
	bool parsed = lmig_jws_parse(token, len, &sr.jws, NULL) == LMIG_JWS_OK;

	if (key && parsed &&
	    lmig_jws_verifier_new(sr.jws.alg, key, &sr.verifier) == LMIG_JWS_OK)
		report("lmig-signature", rate(signature_one, &sr, o->seconds));
	else
		report("lmig-signature", -1);
	if (key && parsed && bare_setup(&br, &sr.jws, key))
		report("bare", rate(bare_one, &br, o->seconds));
	else
		report("bare", -1);
	EVP_PKEY_CTX_free(br.pctx);
	EVP_MD_CTX_free(br.mctx);
	lmig_jws_verifier_free(sr.verifier);
	if (parsed)
		lmig_jws_release(&sr.jws);
	EVP_PKEY_free(key);
	BIO_free(bio);
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
	key = o->latency ? NULL : slurp(o->pubkey, &key_len);
	if (!token || (!o->latency && !key) || !trust) {
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
	if (o->latency) {
		int rc = latency(o, v, token, len);

		lmig_verifier_free(v); /* and the trust store it owns */
		free(token);
		return rc;
	}
	lr.v = v;
	lr.token = token;
	lr.len = len;
	lr.cache = lmigd_token_cache_new();
	report("lmig", rate(lmig_one, &lr, o->seconds));
	report("lmig-cached", rate(lmig_cached_one, &lr, o->seconds));
	signature_and_bare(o, token, len, key, key_len);
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
		{"latency", required_argument, NULL, 'l'},
		{"primary-id", required_argument, NULL, 'P'},
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
		case 'l':
			o.latency = strtol(optarg, NULL, 10);
			break;
		case 'P':
			o.primary_id = optarg;
			break;
		default:
			return 2;
		}
	}
	if (optind != argc - 1 || !o.cert || !o.alg || !o.issuer ||
	    !o.audience || o.seconds <= 0 || o.latency < 0 ||
	    o.latency > 1000000 || (o.latency ? !o.primary_id : !o.pubkey)) {
		fprintf(stderr, "usage: lmig-verifybench --cert CERT --pubkey "
				"PUBKEY --alg ALG --issuer ISS --audience AUD "
				"[--now T] [--seconds S] TOKEN-FILE\n"
				"       lmig-verifybench --cert CERT --alg ALG "
				"--issuer ISS --audience AUD --latency N "
				"--primary-id ID TOKEN-FILE\n");
		return 2;
	}
	o.token_file = argv[optind];
	return run(&o);
}
