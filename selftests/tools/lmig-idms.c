// SPDX-License-Identifier: GPL-2.0-only
/*
 * lmig-idms: the test-side primary Identity Management Server. It makes
 * what a primary IdMS would hand out (signing certificates, access
 * tokens) and the deliberately broken variants the tests need, plus TLS
 * certificates for the gateway's admission endpoint.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <arpa/inet.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "b64.h"
#include "jws.h"

#define PROG "lmig-idms"
#define DAY  (24 * 3600LL)

static const char *cmd_name = PROG;

__attribute__((format(printf, 1, 2))) static void error(const char *fmt, ...)
{
	unsigned long e;
	va_list ap;

	fprintf(stderr, "%s: ", cmd_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	e = ERR_get_error();
	if (e)
		fprintf(stderr, " (%s)", ERR_reason_error_string(e));
	fputc('\n', stderr);
	ERR_clear_error();
}

/* A growing string, for JSON and tokens. */
struct buf {
	char *p;
	size_t len, cap;
};

__attribute__((format(printf, 2, 3))) static void buf_printf(struct buf *b,
							     const char *fmt,
							     ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->p ? b->p + b->len : NULL,
			      b->p ? b->cap - b->len : 0, fmt, ap);
		va_end(ap);
		if (n < 0) {
			perror(PROG);
			exit(1);
		}
		if (b->p && b->len + (size_t)n < b->cap) {
			b->len += (size_t)n;
			return;
		}
		b->cap = (b->cap + (size_t)n + 1) * 2;
		b->p = realloc(b->p, b->cap);
		if (!b->p) {
			perror(PROG);
			exit(1);
		}
	}
}

/* Append s as a JSON string literal. */
static void buf_json_string(struct buf *b, const char *s)
{
	buf_printf(b, "\"");
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			buf_printf(b, "\\%c", c);
		else if (c < 0x20)
			buf_printf(b, "\\u%04x", c);
		else
			buf_printf(b, "%c", c);
	}
	buf_printf(b, "\"");
}

static void buf_b64url(struct buf *b, const void *data, size_t len)
{
	size_t n = lmig_b64url_encoded_len(len) + 1;
	char *tmp = malloc(n);

	if (!tmp || lmig_b64url_encode(data, len, tmp, n) < 0) {
		perror(PROG);
		exit(1);
	}
	buf_printf(b, "%s", tmp);
	free(tmp);
}

/* --- times ------------------------------------------------------------ */

/*
 * A time: Unix seconds, "now", or "now+D" / "now-D" where D is a number
 * of seconds with an optional unit s, m, h or d.
 */
static int parse_time(const char *s, int64_t now, int64_t *out)
{
	long long v, unit = 1;
	char *end;

	if (!strncmp(s, "now", 3)) {
		if (!s[3]) {
			*out = now;
			return 0;
		}
		if (s[3] != '+' && s[3] != '-')
			return -1;
		errno = 0;
		v = strtoll(s + 4, &end, 10);
		if (errno || end == s + 4 || v < 0)
			return -1;
		switch (*end) {
		case '\0':
		case 's':
			break;
		case 'm':
			unit = 60;
			break;
		case 'h':
			unit = 3600;
			break;
		case 'd':
			unit = DAY;
			break;
		default:
			return -1;
		}
		if (*end && end[1])
			return -1;
		*out = now + (s[3] == '+' ? 1 : -1) * v * unit;
		return 0;
	}
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s || *end)
		return -1;
	*out = v;
	return 0;
}

static int64_t need_time(const char *opt, const char *s, int64_t now)
{
	int64_t t;

	if (parse_time(s, now, &t)) {
		error("%s: '%s' is not a time (Unix seconds, now, now+N, "
		      "now-N; N in s, m, h or d)",
		      opt, s);
		exit(2);
	}
	return t;
}

static long need_number(const char *opt, const char *s, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max) {
		error("%s: '%s' is not a number in %ld..%ld", opt, s, min, max);
		exit(2);
	}
	return v;
}

static enum lmig_jws_alg need_alg(const char *s)
{
	enum lmig_jws_alg alg = lmig_jws_alg_from_name(s, strlen(s));

	if (alg == LMIG_JWS_ALG_INVALID) {
		error("--alg: '%s' is not ES256, ES384, RS256, PS256 or EdDSA",
		      s);
		exit(2);
	}
	return alg;
}

/* --- keys and files --------------------------------------------------- */

static EVP_PKEY *generate_key(enum lmig_jws_alg alg, long rsa_bits)
{
	switch (alg) {
	case LMIG_JWS_ES256:
		return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	case LMIG_JWS_ES384:
		return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
	case LMIG_JWS_RS256:
	case LMIG_JWS_PS256:
		return EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)rsa_bits);
	case LMIG_JWS_EDDSA:
		return EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	default:
		return NULL;
	}
}

static FILE *open_out(const char *path, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	/* An existing file keeps its mode on open(); a key must not. */
	FILE *f = fd < 0 || fchmod(fd, mode) ? NULL : fdopen(fd, "w");

	if (!f) {
		error("%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
	}
	return f;
}

static int write_key(const char *path, EVP_PKEY *key)
{
	FILE *f = open_out(path, 0600);
	int ok;

	if (!f)
		return -1;
	ok = PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL);
	if (fclose(f) || !ok) {
		error("%s: cannot write the key", path);
		return -1;
	}
	return 0;
}

static int write_cert(const char *path, X509 *cert)
{
	FILE *f = open_out(path, 0644);
	int ok;

	if (!f)
		return -1;
	ok = PEM_write_X509(f, cert);
	if (fclose(f) || !ok) {
		error("%s: cannot write the certificate", path);
		return -1;
	}
	return 0;
}

static EVP_PKEY *read_key(const char *path)
{
	FILE *f = fopen(path, "re");
	EVP_PKEY *key;

	if (!f) {
		error("%s: %s", path, strerror(errno));
		return NULL;
	}
	key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	if (!key)
		error("%s: no PEM private key", path);
	return key;
}

static X509 *read_cert(const char *path)
{
	FILE *f = fopen(path, "re");
	X509 *cert;

	if (!f) {
		error("%s: %s", path, strerror(errno));
		return NULL;
	}
	cert = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	if (!cert)
		error("%s: no PEM certificate", path);
	return cert;
}

/* The algorithm a key signs with when none is asked for. */
static enum lmig_jws_alg default_alg(const EVP_PKEY *key)
{
	static const enum lmig_jws_alg candidates[] = {
		LMIG_JWS_ES256, LMIG_JWS_ES384, LMIG_JWS_RS256, LMIG_JWS_EDDSA};
	size_t i;

	for (i = 0; i < sizeof(candidates) / sizeof(candidates[0]); i++) {
		if (lmig_jws_key_check(candidates[i], key, NULL) == LMIG_JWS_OK)
			return candidates[i];
	}
	return LMIG_JWS_ALG_INVALID;
}

/* --- certificates ----------------------------------------------------- */

static X509_NAME *parse_subject(const char *dn)
{
	X509_NAME *name = X509_NAME_new();
	char *copy = strdup(dn), *part, *save = NULL;

	if (!name || !copy || dn[0] != '/')
		goto fail;
	for (part = strtok_r(copy + 1, "/", &save); part;
	     part = strtok_r(NULL, "/", &save)) {
		char *eq = strchr(part, '=');

		if (!eq || eq == part || !eq[1])
			goto fail;
		*eq = '\0';
		if (!X509_NAME_add_entry_by_txt(name, part, MBSTRING_UTF8,
						(unsigned char *)eq + 1, -1, -1,
						0))
			goto fail;
	}
	if (X509_NAME_entry_count(name) == 0)
		goto fail;
	free(copy);
	return name;
fail:
	error("--subject: '%s' is not of the form /CN=name/O=org", dn);
	free(copy);
	X509_NAME_free(name);
	return NULL;
}

static int add_ext(X509 *cert, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;
	int ok;

	X509V3_set_ctx(&ctx, issuer, cert, NULL, NULL, 0);
	ext = X509V3_EXT_nconf_nid(NULL, &ctx, nid, value);
	if (!ext) {
		error("cannot make extension %s = %s", OBJ_nid2sn(nid), value);
		return -1;
	}
	ok = X509_add_ext(cert, ext, -1);
	X509_EXTENSION_free(ext);
	return ok ? 0 : -1;
}

static const EVP_MD *cert_digest(const EVP_PKEY *signer)
{
	if (EVP_PKEY_is_a(signer, "ED25519") || EVP_PKEY_is_a(signer, "ED448"))
		return NULL;
	if (lmig_jws_key_check(LMIG_JWS_ES384, signer, NULL) == LMIG_JWS_OK)
		return EVP_sha384();
	return EVP_sha256();
}

/*
 * A version 3 certificate for key, named subject, valid from not_before
 * to not_after; signed by issuer_key under issuer_cert's name, or self
 * signed when issuer_cert is NULL. Extensions are added by the caller
 * through the add callback before signing.
 */
struct cert_spec {
	EVP_PKEY *key;
	X509_NAME *subject;
	int64_t not_before, not_after;
	EVP_PKEY *issuer_key; /* NULL: key */
	X509 *issuer_cert;    /* NULL: self-signed */
	int (*add_extensions)(X509 *cert, X509 *issuer, const void *arg);
	const void *arg;
};

static X509 *make_cert(const struct cert_spec *spec)
{
	EVP_PKEY *signer = spec->issuer_key ? spec->issuer_key : spec->key;
	X509 *cert = X509_new();
	X509 *issuer;
	BIGNUM *serial = BN_new();

	if (!cert || !serial || !X509_set_version(cert, X509_VERSION_3) ||
	    !BN_rand(serial, 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) ||
	    !BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(cert)) ||
	    !X509_set_subject_name(cert, spec->subject) ||
	    !X509_set_issuer_name(
		    cert, spec->issuer_cert
				  ? X509_get_subject_name(spec->issuer_cert)
				  : spec->subject) ||
	    !ASN1_TIME_set(X509_getm_notBefore(cert),
			   (time_t)spec->not_before) ||
	    !ASN1_TIME_set(X509_getm_notAfter(cert), (time_t)spec->not_after) ||
	    !X509_set_pubkey(cert, spec->key)) {
		error("cannot build the certificate");
		goto fail;
	}
	issuer = spec->issuer_cert ? spec->issuer_cert : cert;
	if (add_ext(cert, issuer, NID_subject_key_identifier, "hash") ||
	    (spec->issuer_cert &&
	     add_ext(cert, issuer, NID_authority_key_identifier,
		     "keyid:always")) ||
	    spec->add_extensions(cert, issuer, spec->arg))
		goto fail;
	if (!X509_sign(cert, signer, cert_digest(signer))) {
		error("cannot sign the certificate");
		goto fail;
	}
	BN_free(serial);
	return cert;
fail:
	BN_free(serial);
	X509_free(cert);
	return NULL;
}

/* --- keygen ----------------------------------------------------------- */

static const char keygen_usage[] =
	"usage: " PROG " keygen --alg ALG --key FILE --cert FILE [OPTION]...\n"
	"\n"
	"Make a primary IdMS signing key and its self-signed certificate,\n"
	"the certificate a partner gateway is provisioned with.\n"
	"\n"
	"  --alg ALG              ES256, ES384, RS256, PS256 or EdDSA\n"
	"  --key FILE             write the private key here (PEM, mode 0600)\n"
	"  --cert FILE            write the certificate here (PEM)\n"
	"  --subject DN           subject, default \"/CN=lmig test IdMS\"\n"
	"  --not-before T         start of validity, default now-1h\n"
	"  --not-after T          end of validity, default now+365d\n"
	"  --now T                what \"now\" means, default the clock\n"
	"  --rsa-bits N           RSA modulus bits, default 2048\n"
	"\n"
	"For negative tests:\n"
	"  --expired              valid from now-2d to now-1d\n"
	"  --not-yet-valid        valid from now+1d to now+2d\n"
	"  --no-digital-signature keyUsage without digitalSignature\n"
	"  --no-key-usage         no keyUsage extension at all\n"
	"  --rsa-bits 1024        (any size from 512 on is made)\n"
	"\n"
	"T is Unix seconds, \"now\", or now+N / now-N with N in seconds or\n"
	"with a unit s, m, h, d.\n";

struct keygen_ext {
	bool no_ds, no_ku;
	enum lmig_jws_alg alg;
};

static int keygen_extensions(X509 *cert, X509 *issuer, const void *arg)
{
	const struct keygen_ext *k = arg;
	const char *ku = "critical,digitalSignature";

	if (k->no_ku)
		return 0;
	if (k->no_ds)
		ku = (k->alg == LMIG_JWS_RS256 || k->alg == LMIG_JWS_PS256)
			     ? "critical,keyEncipherment"
			     : "critical,keyAgreement";
	if (k->alg == LMIG_JWS_EDDSA && k->no_ds)
		ku = "critical,nonRepudiation";
	return add_ext(cert, issuer, NID_key_usage, ku) ||
	       add_ext(cert, issuer, NID_basic_constraints,
		       "critical,CA:FALSE");
}

static int cmd_keygen(int argc, char **argv)
{
	enum {
		O_ALG = 1,
		O_KEY,
		O_CERT,
		O_SUBJECT,
		O_NOT_BEFORE,
		O_NOT_AFTER,
		O_NOW,
		O_RSA_BITS,
		O_EXPIRED,
		O_NOT_YET_VALID,
		O_NO_DS,
		O_NO_KU,
		O_HELP,
	};
	static const struct option options[] = {
		{"alg", required_argument, NULL, O_ALG},
		{"key", required_argument, NULL, O_KEY},
		{"cert", required_argument, NULL, O_CERT},
		{"subject", required_argument, NULL, O_SUBJECT},
		{"not-before", required_argument, NULL, O_NOT_BEFORE},
		{"not-after", required_argument, NULL, O_NOT_AFTER},
		{"now", required_argument, NULL, O_NOW},
		{"rsa-bits", required_argument, NULL, O_RSA_BITS},
		{"expired", no_argument, NULL, O_EXPIRED},
		{"not-yet-valid", no_argument, NULL, O_NOT_YET_VALID},
		{"no-digital-signature", no_argument, NULL, O_NO_DS},
		{"no-key-usage", no_argument, NULL, O_NO_KU},
		{"help", no_argument, NULL, O_HELP},
		{0},
	};
	const char *key_path = NULL, *cert_path = NULL;
	const char *subject = "/CN=lmig test IdMS", *nb = NULL, *na = NULL;
	const char *now_s = NULL;
	struct keygen_ext ext = {0};
	bool expired = false, not_yet = false;
	long rsa_bits = 2048;
	struct cert_spec spec = {0};
	int64_t now;
	X509 *cert = NULL;
	int c, rc = 1;

	while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (c) {
		case O_ALG:
			ext.alg = need_alg(optarg);
			break;
		case O_KEY:
			key_path = optarg;
			break;
		case O_CERT:
			cert_path = optarg;
			break;
		case O_SUBJECT:
			subject = optarg;
			break;
		case O_NOT_BEFORE:
			nb = optarg;
			break;
		case O_NOT_AFTER:
			na = optarg;
			break;
		case O_NOW:
			now_s = optarg;
			break;
		case O_RSA_BITS:
			rsa_bits = need_number("--rsa-bits", optarg, 512,
					       16384);
			break;
		case O_EXPIRED:
			expired = true;
			break;
		case O_NOT_YET_VALID:
			not_yet = true;
			break;
		case O_NO_DS:
			ext.no_ds = true;
			break;
		case O_NO_KU:
			ext.no_ku = true;
			break;
		case O_HELP:
			fputs(keygen_usage, stdout);
			return 0;
		default:
			fputs(keygen_usage, stderr);
			return 2;
		}
	}
	if (optind != argc || !ext.alg || !key_path || !cert_path) {
		error("--alg, --key and --cert are required; see --help");
		return 2;
	}
	if (expired + not_yet + (nb || na) > 1) {
		error("--expired, --not-yet-valid and --not-before/--not-after "
		      "exclude each other");
		return 2;
	}
	now = now_s ? need_time("--now", now_s, time(NULL)) : time(NULL);
	spec.not_before = nb ? need_time("--not-before", nb, now) : now - 3600;
	spec.not_after = na ? need_time("--not-after", na, now)
			    : now + 365 * DAY;
	if (expired) {
		spec.not_before = now - 2 * DAY;
		spec.not_after = now - DAY;
	} else if (not_yet) {
		spec.not_before = now + DAY;
		spec.not_after = now + 2 * DAY;
	}

	spec.subject = parse_subject(subject);
	if (!spec.subject)
		return 2;
	spec.key = generate_key(ext.alg, rsa_bits);
	if (!spec.key) {
		error("cannot generate a %s key", lmig_jws_alg_name(ext.alg));
		goto out;
	}
	spec.add_extensions = keygen_extensions;
	spec.arg = &ext;
	cert = make_cert(&spec);
	if (cert && !write_key(key_path, spec.key) &&
	    !write_cert(cert_path, cert))
		rc = 0;
out:
	X509_free(cert);
	EVP_PKEY_free(spec.key);
	X509_NAME_free(spec.subject);
	return rc;
}

/* --- kid -------------------------------------------------------------- */

static const char kid_usage[] =
	"usage: " PROG " kid CERT\n"
	"\n"
	"Print the implicit kid of a certificate: the base64url SHA-256 of\n"
	"its DER encoding, as a partner gateway computes it.\n";

static int implicit_kid(X509 *cert, char *out, size_t size)
{
	unsigned char digest[32];
	unsigned int len = 0;

	if (!X509_digest(cert, EVP_sha256(), digest, &len) || len != 32 ||
	    lmig_b64url_encode(digest, len, out, size) < 0)
		return -1;
	return 0;
}

static int cmd_kid(int argc, char **argv)
{
	char kid[64];
	X509 *cert;

	if (argc == 2 && !strcmp(argv[1], "--help")) {
		fputs(kid_usage, stdout);
		return 0;
	}
	if (argc != 2) {
		fputs(kid_usage, stderr);
		return 2;
	}
	cert = read_cert(argv[1]);
	if (!cert)
		return 1;
	if (implicit_kid(cert, kid, sizeof(kid))) {
		error("%s: cannot hash the certificate", argv[1]);
		X509_free(cert);
		return 1;
	}
	X509_free(cert);
	printf("%s\n", kid);
	return 0;
}

/* --- mint ------------------------------------------------------------- */

static const char mint_usage[] =
	"usage: " PROG " mint --key FILE [OPTION]...\n"
	"\n"
	"Print a compact JWS access token (TS 33.180 Annex B) on stdout.\n"
	"\n"
	"  --key FILE           signing key (PEM); not needed with --alg none\n"
	"                       or --hs256-secret\n"
	"  --alg ALG            ES256, ES384, RS256, PS256, EdDSA; default\n"
	"                       from the key (RSA: RS256)\n"
	"  --now T              what \"now\" means, default the clock\n"
	"Claims:\n"
	"  --iss S              issuer\n"
	"  --aud S              audience; repeat for an array\n"
	"  --aud-array          make aud an array even with one value\n"
	"  --exp T              expiry; default now+1h\n"
	"  --exp-in SECONDS     expiry relative to now\n"
	"  --no-exp             no exp claim\n"
	"  --nbf T              not before\n"
	"  --iat T              issued at; default now\n"
	"  --no-iat             no iat claim\n"
	"  --scope S            e.g. \"openid 3gpp:mc:ptt_service\"\n"
	"  --mcptt-id S, --mcvideo-id S, --mcdata-id S\n"
	"                       MC service IDs\n"
	"  --sub S, --jti S, --client-id S\n"
	"  --claim NAME=JSON    extra claim; JSON is copied as is (repeat)\n"
	"Header:\n"
	"  --kid S              header kid\n"
	"  --kid-from-cert FILE header kid = implicit kid of the certificate\n"
	"  --typ S              header typ, default JWT\n"
	"  --no-typ             no typ\n"
	"  --header NAME=JSON   extra header member, copied as is (repeat)\n"
	"  --header-alg S       header alg value, whatever signs the token\n"
	"Deliberate defects, for negative tests:\n"
	"  --alg none           \"alg\":\"none\" and an empty signature\n"
	"  --hs256-secret S     HMAC-SHA256 with secret S (\"alg\":\"HS256\")\n"
	"  --tamper-signature   flip a bit of the signature\n"
	"  --tamper-payload     change the payload after signing\n"
	"  --der-signature      ECDSA signature in DER instead of r||s\n"
	"  --pss-salt N         PS256 with a salt of N bytes instead of 32\n"
	"\n"
	"T is Unix seconds, \"now\", or now+N / now-N with N in seconds or\n"
	"with a unit s, m, h, d.\n";

#define MAX_REPEAT 16

struct mint {
	const char *key_path;
	const char *alg_name; /* --alg as given; "none" allowed */
	const char *now;
	const char *iss, *aud[MAX_REPEAT];
	int n_aud;
	bool aud_array;
	const char *exp, *exp_in, *nbf, *iat;
	bool no_exp, no_iat;
	const char *scope, *mcptt_id, *mcvideo_id, *mcdata_id;
	const char *sub, *jti, *client_id;
	const char *claims[MAX_REPEAT], *headers[MAX_REPEAT];
	int n_claims, n_headers;
	const char *kid, *kid_cert, *typ, *header_alg;
	bool no_typ;
	const char *hs256_secret;
	bool tamper_sig, tamper_payload, der_sig;
	long pss_salt;
};

/* Append ,"name":raw for a NAME=JSON option. */
static int add_raw_member(struct buf *b, const char *opt, const char *spec)
{
	const char *eq = strchr(spec, '=');

	if (!eq || eq == spec) {
		error("%s: '%s' is not NAME=JSON", opt, spec);
		return -1;
	}
	buf_printf(b, ",\"%.*s\":%s", (int)(eq - spec), spec, eq + 1);
	return 0;
}

static void add_string_member(struct buf *b, const char *name, const char *v)
{
	if (!v)
		return;
	buf_printf(b, ",\"%s\":", name);
	buf_json_string(b, v);
}

/* Claims as ",name:value" members; the caller wraps them in braces. */
static int build_claims(const struct mint *m, int64_t now, struct buf *b)
{
	int i;

	add_string_member(b, "iss", m->iss);
	if (m->n_aud == 1 && !m->aud_array) {
		add_string_member(b, "aud", m->aud[0]);
	} else if (m->n_aud) {
		buf_printf(b, ",\"aud\":[");
		for (i = 0; i < m->n_aud; i++) {
			if (i)
				buf_printf(b, ",");
			buf_json_string(b, m->aud[i]);
		}
		buf_printf(b, "]");
	}
	if (!m->no_exp) {
		int64_t exp = now + 3600;

		if (m->exp)
			exp = need_time("--exp", m->exp, now);
		else if (m->exp_in)
			exp = now + need_number("--exp-in", m->exp_in,
						-100L * 365 * DAY,
						100L * 365 * DAY);
		buf_printf(b, ",\"exp\":%lld", (long long)exp);
	}
	if (m->nbf)
		buf_printf(b, ",\"nbf\":%lld",
			   (long long)need_time("--nbf", m->nbf, now));
	if (!m->no_iat)
		buf_printf(b, ",\"iat\":%lld",
			   (long long)(m->iat ? need_time("--iat", m->iat, now)
					      : now));
	add_string_member(b, "scope", m->scope);
	add_string_member(b, "mcptt_id", m->mcptt_id);
	add_string_member(b, "mcvideo_id", m->mcvideo_id);
	add_string_member(b, "mcdata_id", m->mcdata_id);
	add_string_member(b, "sub", m->sub);
	add_string_member(b, "jti", m->jti);
	add_string_member(b, "client_id", m->client_id);
	for (i = 0; i < m->n_claims; i++) {
		if (add_raw_member(b, "--claim", m->claims[i]))
			return -1;
	}
	return 0;
}

/* Wrap ",a:1,b:2" members into the object text "{a:1,b:2}". */
static void buf_object(struct buf *out, const struct buf *members)
{
	buf_printf(out, "{%s}", members->len ? members->p + 1 : "");
}

/* Header members, like build_claims(). */
static int build_header(const struct mint *m, const char *alg, struct buf *b)
{
	char kid[64];
	X509 *cert;
	int i;

	add_string_member(b, "alg", m->header_alg ? m->header_alg : alg);
	if (!m->no_typ)
		add_string_member(b, "typ", m->typ ? m->typ : "JWT");
	if (m->kid_cert) {
		cert = read_cert(m->kid_cert);
		if (!cert)
			return -1;
		i = implicit_kid(cert, kid, sizeof(kid));
		X509_free(cert);
		if (i) {
			error("%s: cannot hash the certificate", m->kid_cert);
			return -1;
		}
		add_string_member(b, "kid", kid);
	}
	add_string_member(b, "kid", m->kid);
	for (i = 0; i < m->n_headers; i++) {
		if (add_raw_member(b, "--header", m->headers[i]))
			return -1;
	}
	return 0;
}

/*
 * Sign with parameters lmig_jws_sign() would never use: a DER ECDSA
 * signature, or PS256 with another salt length.
 */
static int sign_defective(const struct mint *m, enum lmig_jws_alg alg,
			  EVP_PKEY *key, const char *data, size_t len,
			  uint8_t *sig, size_t *sig_len)
{
	const char *md = alg == LMIG_JWS_ES384 ? "SHA384" : "SHA256";
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx;
	int ok;

	ok = ctx &&
	     EVP_DigestSignInit_ex(ctx, &pctx, md, NULL, NULL, key, NULL) == 1;
	if (ok && m->pss_salt >= 0)
		ok = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) >
			     0 &&
		     EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, (int)m->pss_salt) >
			     0 &&
		     EVP_PKEY_CTX_set_rsa_mgf1_md_name(pctx, "SHA256", NULL) >
			     0;
	ok = ok &&
	     EVP_DigestSign(ctx, sig, sig_len, (const uint8_t *)data, len) == 1;
	EVP_MD_CTX_free(ctx);
	if (!ok)
		error("cannot sign");
	return ok ? 0 : -1;
}

/* The signature over data as --alg and the defect options ask. */
static int sign_token(const struct mint *m, enum lmig_jws_alg alg,
		      EVP_PKEY *key, const char *data, size_t len, uint8_t *sig,
		      size_t *sig_len)
{
	*sig_len = 0;
	if (m->hs256_secret) {
		if (!EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL,
			       m->hs256_secret, strlen(m->hs256_secret),
			       (const unsigned char *)data, len, sig,
			       LMIG_JWS_SIG_MAX, sig_len)) {
			error("cannot compute the HMAC");
			return -1;
		}
		return 0;
	}
	if (!key) /* --alg none */
		return 0;
	*sig_len = LMIG_JWS_SIG_MAX;
	if (m->der_sig || m->pss_salt >= 0)
		return sign_defective(m, alg, key, data, len, sig, sig_len);
	if (lmig_jws_sign(alg, key, data, len, sig, sig_len) != LMIG_JWS_OK) {
		error("cannot sign");
		return -1;
	}
	return 0;
}

/* The key and algorithm to sign with; *key stays NULL for none/HS256. */
static int choose_signer(const struct mint *m, EVP_PKEY **key,
			 enum lmig_jws_alg *alg, const char **alg_name)
{
	*key = NULL;
	*alg = LMIG_JWS_ALG_INVALID;
	if (m->alg_name && !strcmp(m->alg_name, "none")) {
		*alg_name = "none";
		return 0;
	}
	if (m->hs256_secret) {
		*alg_name = "HS256";
		return 0;
	}
	if (!m->key_path) {
		error("--key is required; see --help");
		return -1;
	}
	*key = read_key(m->key_path);
	if (!*key)
		return -1;
	*alg = m->alg_name ? need_alg(m->alg_name) : default_alg(*key);
	if (*alg == LMIG_JWS_ALG_INVALID ||
	    lmig_jws_key_check(*alg, *key, NULL) != LMIG_JWS_OK) {
		error("%s: the key cannot sign %s", m->key_path,
		      *alg ? lmig_jws_alg_name(*alg) : "any supported alg");
		return -1;
	}
	if (m->der_sig && *alg != LMIG_JWS_ES256 && *alg != LMIG_JWS_ES384) {
		error("--der-signature needs ES256 or ES384");
		return -1;
	}
	if (m->pss_salt >= 0 && *alg != LMIG_JWS_PS256) {
		error("--pss-salt needs PS256");
		return -1;
	}
	*alg_name = lmig_jws_alg_name(*alg);
	return 0;
}

static int mint_token(const struct mint *m)
{
	struct buf members = {0}, header = {0}, claims = {0};
	struct buf token = {0};
	uint8_t sig[LMIG_JWS_SIG_MAX];
	int64_t now = m->now ? need_time("--now", m->now, time(NULL))
			     : time(NULL);
	enum lmig_jws_alg alg;
	const char *alg_name;
	EVP_PKEY *key = NULL;
	size_t sig_len;
	int rc = 1;

	if (choose_signer(m, &key, &alg, &alg_name))
		goto out;
	if (build_header(m, alg_name, &members))
		goto out;
	buf_object(&header, &members);
	members.len = 0;
	if (build_claims(m, now, &members))
		goto out;
	buf_object(&claims, &members);

	buf_b64url(&token, header.p, header.len);
	buf_printf(&token, ".");
	buf_b64url(&token, claims.p, claims.len);
	if (sign_token(m, alg, key, token.p, token.len, sig, &sig_len))
		goto out;
	if (m->tamper_sig && sig_len)
		sig[sig_len / 2] ^= 0x01;
	if (m->tamper_payload) {
		/* Same claims plus a blank: still JSON, no longer signed. */
		buf_printf(&claims, " ");
		token.len = 0;
		buf_b64url(&token, header.p, header.len);
		buf_printf(&token, ".");
		buf_b64url(&token, claims.p, claims.len);
	}
	buf_printf(&token, ".");
	buf_b64url(&token, sig, sig_len);
	printf("%s\n", token.p);
	rc = fflush(stdout) ? 1 : 0;
out:
	EVP_PKEY_free(key);
	free(members.p);
	free(header.p);
	free(claims.p);
	free(token.p);
	return rc;
}

static int cmd_mint(int argc, char **argv)
{
	enum {
		O_KEY = 1,
		O_ALG,
		O_NOW,
		O_ISS,
		O_AUD,
		O_AUD_ARRAY,
		O_EXP,
		O_EXP_IN,
		O_NO_EXP,
		O_NBF,
		O_IAT,
		O_NO_IAT,
		O_SCOPE,
		O_MCPTT,
		O_MCVIDEO,
		O_MCDATA,
		O_SUB,
		O_JTI,
		O_CLIENT_ID,
		O_CLAIM,
		O_KID,
		O_KID_CERT,
		O_TYP,
		O_NO_TYP,
		O_HEADER,
		O_HEADER_ALG,
		O_HS256,
		O_TAMPER_SIG,
		O_TAMPER_PAYLOAD,
		O_DER,
		O_PSS_SALT,
		O_HELP,
	};
	static const struct option options[] = {
		{"key", required_argument, NULL, O_KEY},
		{"alg", required_argument, NULL, O_ALG},
		{"now", required_argument, NULL, O_NOW},
		{"iss", required_argument, NULL, O_ISS},
		{"aud", required_argument, NULL, O_AUD},
		{"aud-array", no_argument, NULL, O_AUD_ARRAY},
		{"exp", required_argument, NULL, O_EXP},
		{"exp-in", required_argument, NULL, O_EXP_IN},
		{"no-exp", no_argument, NULL, O_NO_EXP},
		{"nbf", required_argument, NULL, O_NBF},
		{"iat", required_argument, NULL, O_IAT},
		{"no-iat", no_argument, NULL, O_NO_IAT},
		{"scope", required_argument, NULL, O_SCOPE},
		{"mcptt-id", required_argument, NULL, O_MCPTT},
		{"mcvideo-id", required_argument, NULL, O_MCVIDEO},
		{"mcdata-id", required_argument, NULL, O_MCDATA},
		{"sub", required_argument, NULL, O_SUB},
		{"jti", required_argument, NULL, O_JTI},
		{"client-id", required_argument, NULL, O_CLIENT_ID},
		{"claim", required_argument, NULL, O_CLAIM},
		{"kid", required_argument, NULL, O_KID},
		{"kid-from-cert", required_argument, NULL, O_KID_CERT},
		{"typ", required_argument, NULL, O_TYP},
		{"no-typ", no_argument, NULL, O_NO_TYP},
		{"header", required_argument, NULL, O_HEADER},
		{"header-alg", required_argument, NULL, O_HEADER_ALG},
		{"hs256-secret", required_argument, NULL, O_HS256},
		{"tamper-signature", no_argument, NULL, O_TAMPER_SIG},
		{"tamper-payload", no_argument, NULL, O_TAMPER_PAYLOAD},
		{"der-signature", no_argument, NULL, O_DER},
		{"pss-salt", required_argument, NULL, O_PSS_SALT},
		{"help", no_argument, NULL, O_HELP},
		{0},
	};
	struct mint m = {.pss_salt = -1};
	int c;

	while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (c) {
		case O_KEY:
			m.key_path = optarg;
			break;
		case O_ALG:
			m.alg_name = optarg;
			if (strcmp(optarg, "none"))
				need_alg(optarg);
			break;
		case O_NOW:
			m.now = optarg;
			break;
		case O_ISS:
			m.iss = optarg;
			break;
		case O_AUD:
			if (m.n_aud == MAX_REPEAT) {
				error("--aud: at most %d", MAX_REPEAT);
				return 2;
			}
			m.aud[m.n_aud++] = optarg;
			break;
		case O_AUD_ARRAY:
			m.aud_array = true;
			break;
		case O_EXP:
			m.exp = optarg;
			break;
		case O_EXP_IN:
			m.exp_in = optarg;
			break;
		case O_NO_EXP:
			m.no_exp = true;
			break;
		case O_NBF:
			m.nbf = optarg;
			break;
		case O_IAT:
			m.iat = optarg;
			break;
		case O_NO_IAT:
			m.no_iat = true;
			break;
		case O_SCOPE:
			m.scope = optarg;
			break;
		case O_MCPTT:
			m.mcptt_id = optarg;
			break;
		case O_MCVIDEO:
			m.mcvideo_id = optarg;
			break;
		case O_MCDATA:
			m.mcdata_id = optarg;
			break;
		case O_SUB:
			m.sub = optarg;
			break;
		case O_JTI:
			m.jti = optarg;
			break;
		case O_CLIENT_ID:
			m.client_id = optarg;
			break;
		case O_CLAIM:
		case O_HEADER:
			if ((c == O_CLAIM ? m.n_claims : m.n_headers) ==
			    MAX_REPEAT) {
				error("--claim, --header: at most %d each",
				      MAX_REPEAT);
				return 2;
			}
			if (c == O_CLAIM)
				m.claims[m.n_claims++] = optarg;
			else
				m.headers[m.n_headers++] = optarg;
			break;
		case O_KID:
			m.kid = optarg;
			break;
		case O_KID_CERT:
			m.kid_cert = optarg;
			break;
		case O_TYP:
			m.typ = optarg;
			break;
		case O_NO_TYP:
			m.no_typ = true;
			break;
		case O_HEADER_ALG:
			m.header_alg = optarg;
			break;
		case O_HS256:
			m.hs256_secret = optarg;
			break;
		case O_TAMPER_SIG:
			m.tamper_sig = true;
			break;
		case O_TAMPER_PAYLOAD:
			m.tamper_payload = true;
			break;
		case O_DER:
			m.der_sig = true;
			break;
		case O_PSS_SALT:
			m.pss_salt = need_number("--pss-salt", optarg, 0, 512);
			break;
		case O_HELP:
			fputs(mint_usage, stdout);
			return 0;
		default:
			fputs(mint_usage, stderr);
			return 2;
		}
	}
	if (optind != argc) {
		error("unexpected argument '%s'; see --help", argv[optind]);
		return 2;
	}
	if ((m.exp != NULL) + (m.exp_in != NULL) + m.no_exp > 1 ||
	    (m.iat && m.no_iat) || (m.kid && m.kid_cert) ||
	    (m.typ && m.no_typ) || (m.hs256_secret && m.alg_name)) {
		error("conflicting options; see --help");
		return 2;
	}
	return mint_token(&m);
}

/* --- tls-cert --------------------------------------------------------- */

static const char tls_usage[] =
	"usage: " PROG " tls-cert --key FILE --cert FILE [OPTION]...\n"
	"\n"
	"Make a key and certificate for the gateway's TLS endpoint, or a CA\n"
	"to sign such certificates with.\n"
	"\n"
	"  --key FILE         write the private key here (PEM, mode 0600)\n"
	"  --cert FILE        write the certificate here (PEM)\n"
	"  --dns NAME         a DNS subjectAltName (repeat)\n"
	"  --ip ADDR          an IPv4 or IPv6 subjectAltName (repeat)\n"
	"  --ca-key FILE      sign with this CA key ...\n"
	"  --ca-cert FILE     ... under this CA certificate; default: "
	"self-signed\n"
	"  --ca               make a CA certificate instead (no SAN needed)\n"
	"  --alg ALG          key type: ES256 (default), ES384, RS256, EdDSA\n"
	"  --subject DN       default /CN=<first SAN> or /CN=lmig test CA\n"
	"  --days N           validity from now-1h, default 365\n";

struct tls_ext {
	bool ca;
	const char *san; /* "DNS:a,IP:1.2.3.4" */
	enum lmig_jws_alg alg;
};

static int tls_extensions(X509 *cert, X509 *issuer, const void *arg)
{
	const struct tls_ext *t = arg;

	if (t->ca)
		return add_ext(cert, issuer, NID_basic_constraints,
			       "critical,CA:TRUE") ||
		       add_ext(cert, issuer, NID_key_usage,
			       "critical,keyCertSign,cRLSign,digitalSignature");
	return add_ext(cert, issuer, NID_basic_constraints,
		       "critical,CA:FALSE") ||
	       add_ext(cert, issuer, NID_key_usage,
		       t->alg == LMIG_JWS_RS256
			       ? "critical,digitalSignature,keyEncipherment"
			       : "critical,digitalSignature") ||
	       add_ext(cert, issuer, NID_ext_key_usage, "serverAuth") ||
	       add_ext(cert, issuer, NID_subject_alt_name, t->san);
}

static int cmd_tls_cert(int argc, char **argv)
{
	enum {
		O_KEY = 1,
		O_CERT,
		O_DNS,
		O_IP,
		O_CA_KEY,
		O_CA_CERT,
		O_CA,
		O_ALG,
		O_SUBJECT,
		O_DAYS,
		O_HELP,
	};
	static const struct option options[] = {
		{"key", required_argument, NULL, O_KEY},
		{"cert", required_argument, NULL, O_CERT},
		{"dns", required_argument, NULL, O_DNS},
		{"ip", required_argument, NULL, O_IP},
		{"ca-key", required_argument, NULL, O_CA_KEY},
		{"ca-cert", required_argument, NULL, O_CA_CERT},
		{"ca", no_argument, NULL, O_CA},
		{"alg", required_argument, NULL, O_ALG},
		{"subject", required_argument, NULL, O_SUBJECT},
		{"days", required_argument, NULL, O_DAYS},
		{"help", no_argument, NULL, O_HELP},
		{0},
	};
	const char *key_path = NULL, *cert_path = NULL, *subject = NULL;
	const char *ca_key_path = NULL, *ca_cert_path = NULL;
	const char *first_san = NULL;
	struct tls_ext ext = {.alg = LMIG_JWS_ES256};
	struct cert_spec spec = {0};
	struct buf san = {0}, cn = {0};
	unsigned char addr[16];
	long days = 365;
	int64_t now = time(NULL);
	X509 *cert = NULL;
	int c, rc = 1;

	while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (c) {
		case O_KEY:
			key_path = optarg;
			break;
		case O_CERT:
			cert_path = optarg;
			break;
		case O_DNS:
		case O_IP:
			if (c == O_IP &&
			    inet_pton(AF_INET, optarg, addr) != 1 &&
			    inet_pton(AF_INET6, optarg, addr) != 1) {
				error("--ip: '%s' is not an IP address",
				      optarg);
				return 2;
			}
			if (c == O_DNS &&
			    (!optarg[0] || strpbrk(optarg, ", "))) {
				error("--dns: '%s' is not a DNS name", optarg);
				return 2;
			}
			buf_printf(&san, "%s%s:%s", san.len ? "," : "",
				   c == O_IP ? "IP" : "DNS", optarg);
			if (!first_san)
				first_san = optarg;
			break;
		case O_CA_KEY:
			ca_key_path = optarg;
			break;
		case O_CA_CERT:
			ca_cert_path = optarg;
			break;
		case O_CA:
			ext.ca = true;
			break;
		case O_ALG:
			ext.alg = need_alg(optarg);
			if (ext.alg == LMIG_JWS_PS256)
				ext.alg = LMIG_JWS_RS256;
			break;
		case O_SUBJECT:
			subject = optarg;
			break;
		case O_DAYS:
			days = need_number("--days", optarg, 1, 36500);
			break;
		case O_HELP:
			fputs(tls_usage, stdout);
			free(san.p);
			return 0;
		default:
			fputs(tls_usage, stderr);
			free(san.p);
			return 2;
		}
	}
	rc = 2;
	if (optind != argc || !key_path || !cert_path) {
		error("--key and --cert are required; see --help");
		goto out;
	}
	if (!ca_key_path != !ca_cert_path) {
		error("--ca-key and --ca-cert go together");
		goto out;
	}
	if (!ext.ca && !san.len) {
		error("a TLS certificate needs at least one --dns or --ip");
		goto out;
	}
	ext.san = san.p;
	if (!subject) {
		buf_printf(&cn, "/CN=%s", ext.ca ? "lmig test CA" : first_san);
		subject = cn.p;
	}
	rc = 1;
	spec.subject = parse_subject(subject);
	if (!spec.subject)
		goto out;
	if (ca_key_path) {
		spec.issuer_key = read_key(ca_key_path);
		spec.issuer_cert = read_cert(ca_cert_path);
		if (!spec.issuer_key || !spec.issuer_cert)
			goto out;
		if (X509_check_private_key(spec.issuer_cert, spec.issuer_key) !=
		    1) {
			error("%s does not belong to %s", ca_key_path,
			      ca_cert_path);
			goto out;
		}
	}
	spec.key = generate_key(ext.alg, 2048);
	if (!spec.key) {
		error("cannot generate a key");
		goto out;
	}
	spec.not_before = now - 3600;
	spec.not_after = now + days * DAY;
	spec.add_extensions = tls_extensions;
	spec.arg = &ext;
	cert = make_cert(&spec);
	if (cert && !write_key(key_path, spec.key) &&
	    !write_cert(cert_path, cert))
		rc = 0;
out:
	X509_free(cert);
	X509_free(spec.issuer_cert);
	EVP_PKEY_free(spec.issuer_key);
	EVP_PKEY_free(spec.key);
	X509_NAME_free(spec.subject);
	free(san.p);
	free(cn.p);
	return rc;
}

/* --- main ------------------------------------------------------------- */

static const char main_usage[] =
	"usage: " PROG " COMMAND [OPTION]...\n"
	"\n"
	"The test-side primary Identity Management Server of lmig.\n"
	"\n"
	"  keygen    make a signing key and its self-signed certificate\n"
	"  kid       print the implicit kid of a certificate\n"
	"  mint      print an access token (also deliberately broken ones)\n"
	"  tls-cert  make a key and certificate for the admission endpoint\n"
	"\n"
	"\"" PROG
	" COMMAND --help\" describes each command. Exit status: 0 on\n"
	"success, 1 on failure, 2 on a usage error.\n";

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*run)(int argc, char **argv);
	} commands[] = {
		{"keygen", cmd_keygen},
		{"kid", cmd_kid},
		{"mint", cmd_mint},
		{"tls-cert", cmd_tls_cert},
	};
	static char name[64];
	size_t i;

	if (argc < 2) {
		fputs(main_usage, stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		fputs(main_usage, stdout);
		return 0;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[1], commands[i].name))
			continue;
		snprintf(name, sizeof(name), PROG " %s", commands[i].name);
		cmd_name = name;
		return commands[i].run(argc - 1, argv + 1);
	}
	error("unknown command '%s'; see --help", argv[1]);
	return 2;
}
