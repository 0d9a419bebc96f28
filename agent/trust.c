// SPDX-License-Identifier: GPL-2.0-only
/* The trust store: pinned primary IdMS keys from PEM certificates. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "b64.h"
#include "trust.h"

struct trust_issuer {
	char *name;
	size_t name_len;
	struct lmig_trust_key *keys[LMIG_TRUST_ISSUER_KEYS_MAX];
	size_t n_keys;
};

struct lmig_trust {
	struct trust_issuer *issuers;
	size_t n_issuers;
	struct lmig_trust_key **keys; /* every key, in load order */
	size_t n_keys;
};

struct lmig_trust *lmig_trust_new(void)
{
	return calloc(1, sizeof(struct lmig_trust));
}

static void key_free(struct lmig_trust_key *key)
{
	if (!key)
		return;
	lmig_jws_verifier_free(key->verifier);
	EVP_PKEY_free(key->pkey);
	free((char *)key->source);
	free(key);
}

void lmig_trust_free(struct lmig_trust *trust)
{
	size_t i;

	if (!trust)
		return;
	for (i = 0; i < trust->n_keys; i++)
		key_free(trust->keys[i]);
	for (i = 0; i < trust->n_issuers; i++)
		free(trust->issuers[i].name);
	free(trust->keys);
	free(trust->issuers);
	free(trust);
}

__attribute__((format(printf, 4, 5))) static int load_error(
	char *err, size_t err_len, const char *source, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!err || !err_len)
		return -EINVAL;
	n = snprintf(err, err_len, "%s: ", source);
	if (n >= 0 && (size_t)n < err_len) {
		va_start(ap, fmt);
		vsnprintf(err + n, err_len - n, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* OpenSSL's reason for the last failure, for load errors. */
static const char *openssl_reason(void)
{
	const char *r = ERR_reason_error_string(ERR_peek_last_error());

	return r ? r : "unknown error";
}

static struct trust_issuer *find_issuer(const struct lmig_trust *trust,
					const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < trust->n_issuers; i++) {
		struct trust_issuer *is = &trust->issuers[i];

		if (is->name_len == len && !memcmp(is->name, name, len))
			return is;
	}
	return NULL;
}

static bool key_answers_to(const struct lmig_trust_key *key, const char *kid,
			   size_t len)
{
	return (key->kid[0] && strlen(key->kid) == len &&
		!memcmp(key->kid, kid, len)) ||
	       (len == LMIG_TRUST_IMPLICIT_KID_LEN &&
		!memcmp(key->implicit_kid, kid, len));
}

/* ASN1_TIME to Unix seconds; false if it does not parse. */
static bool asn1_time_unix(const ASN1_TIME *t, int64_t *out)
{
	struct tm tm;

	if (!t || !ASN1_TIME_to_tm(t, &tm))
		return false;
	*out = (int64_t)timegm(&tm);
	return true;
}

/* Read one certificate and make sure the PEM holds no other. */
static X509 *read_single_cert(const char *pem, size_t pem_len,
			      const char *source, char *err, size_t err_len)
{
	BIO *bio = BIO_new_mem_buf(pem, (int)pem_len);
	X509 *cert, *extra;

	if (!bio) {
		load_error(err, err_len, source, "out of memory");
		return NULL;
	}
	cert = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	if (!cert) {
		load_error(err, err_len, source,
			   "no PEM certificate could be read (%s)",
			   openssl_reason());
		BIO_free(bio);
		return NULL;
	}
	extra = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	BIO_free(bio);
	if (extra) {
		X509_free(extra);
		X509_free(cert);
		load_error(err, err_len, source,
			   "holds more than one certificate; give one per key");
		return NULL;
	}
	return cert;
}

/* Fill key from cert, checking everything that does not need the store. */
static int key_from_cert(struct lmig_trust_key *key, X509 *cert,
			 enum lmig_jws_alg alg, const char *source, char *err,
			 size_t err_len)
{
	unsigned char digest[32];
	unsigned int digest_len = 0;
	uint32_t flags = X509_get_extension_flags(cert);
	const char *why;

	if (flags & EXFLAG_INVALID)
		return load_error(err, err_len, source,
				  "certificate has malformed extensions");
	if ((flags & EXFLAG_KUSAGE) &&
	    !(X509_get_key_usage(cert) & KU_DIGITAL_SIGNATURE))
		return load_error(err, err_len, source,
				  "keyUsage lacks digitalSignature: the key "
				  "may not sign tokens");
	if (!asn1_time_unix(X509_get0_notBefore(cert), &key->not_before) ||
	    !asn1_time_unix(X509_get0_notAfter(cert), &key->not_after))
		return load_error(err, err_len, source,
				  "certificate validity does not parse");
	key->pkey = X509_get_pubkey(cert);
	if (!key->pkey)
		return load_error(err, err_len, source,
				  "public key does not parse (%s)",
				  openssl_reason());
	if (lmig_jws_key_check(alg, key->pkey, &why) != LMIG_JWS_OK)
		return load_error(err, err_len, source, "%s", why);
	if (lmig_jws_verifier_new(alg, key->pkey, &key->verifier) !=
	    LMIG_JWS_OK)
		return load_error(err, err_len, source,
				  "OpenSSL cannot verify with the key (%s)",
				  openssl_reason());
	if (!X509_digest(cert, EVP_sha256(), digest, &digest_len) ||
	    digest_len != sizeof(digest))
		return load_error(err, err_len, source,
				  "cannot hash the certificate");
	lmig_b64url_encode(digest, sizeof(digest), key->implicit_kid,
			   sizeof(key->implicit_kid));
	key->alg = alg;
	return 0;
}

/* The store-wide rules: one certificate once, one kid one key. */
static int check_conflicts(const struct trust_issuer *is,
			   const struct lmig_trust_key *key, const char *source,
			   char *err, size_t err_len)
{
	size_t i;

	if (!is)
		return 0;
	if (is->n_keys == LMIG_TRUST_ISSUER_KEYS_MAX)
		return load_error(err, err_len, source,
				  "issuer already has %d keys",
				  LMIG_TRUST_ISSUER_KEYS_MAX);
	for (i = 0; i < is->n_keys; i++) {
		const struct lmig_trust_key *old = is->keys[i];

		if (!strcmp(old->implicit_kid, key->implicit_kid))
			return load_error(err, err_len, source,
					  "same certificate as %s",
					  old->source);
		if (key->kid[0] &&
		    key_answers_to(old, key->kid, strlen(key->kid)))
			return load_error(err, err_len, source,
					  "kid \"%s\" already names the key "
					  "of %s",
					  key->kid, old->source);
		if (old->kid[0] && !strcmp(old->kid, key->implicit_kid))
			return load_error(err, err_len, source,
					  "implicit kid equals the kid of %s",
					  old->source);
	}
	return 0;
}

/* Insert key (owned by the store from now on); only fails for memory. */
static int store_key(struct lmig_trust *trust, struct trust_issuer *is,
		     const char *issuer, struct lmig_trust_key *key)
{
	struct lmig_trust_key **keys;
	struct trust_issuer *issuers;

	keys = realloc(trust->keys, (trust->n_keys + 1) * sizeof(*keys));
	if (!keys)
		return -ENOMEM;
	trust->keys = keys;
	if (!is) {
		issuers = realloc(trust->issuers,
				  (trust->n_issuers + 1) * sizeof(*issuers));
		if (!issuers)
			return -ENOMEM;
		trust->issuers = issuers;
		is = &issuers[trust->n_issuers];
		memset(is, 0, sizeof(*is));
		is->name = strdup(issuer);
		if (!is->name)
			return -ENOMEM;
		is->name_len = strlen(issuer);
		trust->n_issuers++;
	}
	key->issuer = is->name;
	is->keys[is->n_keys++] = key;
	trust->keys[trust->n_keys++] = key;
	return 0;
}

static int add_cert(struct lmig_trust *trust, const char *issuer,
		    enum lmig_jws_alg alg, const char *kid, const char *pem,
		    size_t pem_len, const char *source, char *err,
		    size_t err_len)
{
	struct lmig_trust_key *key;
	struct trust_issuer *is;
	size_t issuer_len = strlen(issuer);
	X509 *cert;
	int rc;

	if (!issuer_len || issuer_len > LMIG_TRUST_ISSUER_MAX)
		return load_error(err, err_len, source,
				  "issuer must be 1..%d bytes",
				  LMIG_TRUST_ISSUER_MAX);
	if (!lmig_jws_alg_name(alg) || alg == LMIG_JWS_ALG_INVALID)
		return load_error(err, err_len, source, "unknown algorithm");
	if (kid && strlen(kid) > LMIG_TRUST_KID_MAX)
		return load_error(err, err_len, source,
				  "kid longer than %d bytes",
				  LMIG_TRUST_KID_MAX);
	if (pem_len > LMIG_TRUST_PEM_MAX)
		return load_error(err, err_len, source, "larger than %d bytes",
				  LMIG_TRUST_PEM_MAX);

	cert = read_single_cert(pem, pem_len, source, err, err_len);
	if (!cert)
		return -EINVAL;
	key = calloc(1, sizeof(*key));
	if (!key) {
		X509_free(cert);
		return load_error(err, err_len, source, "out of memory");
	}
	rc = key_from_cert(key, cert, alg, source, err, err_len);
	X509_free(cert);
	if (rc)
		goto fail;
	if (kid)
		strcpy(key->kid, kid);
	key->source = strdup(source);
	if (!key->source) {
		rc = load_error(err, err_len, source, "out of memory");
		goto fail;
	}
	is = find_issuer(trust, issuer, issuer_len);
	rc = check_conflicts(is, key, source, err, err_len);
	if (rc)
		goto fail;
	rc = store_key(trust, is, issuer, key);
	if (rc) {
		load_error(err, err_len, source, "out of memory");
		goto fail;
	}
	return 0;
fail:
	key_free(key);
	return rc;
}

int lmig_trust_add_cert_pem(struct lmig_trust *trust, const char *issuer,
			    enum lmig_jws_alg alg, const char *kid,
			    const char *pem, size_t pem_len, const char *source,
			    char *err, size_t err_len)
{
	int rc;

	/* OpenSSL's reasons go into err; leave its queue as it was. */
	ERR_set_mark();
	rc = add_cert(trust, issuer, alg, kid, pem, pem_len, source, err,
		      err_len);
	ERR_pop_to_mark();
	return rc;
}

int lmig_trust_add_cert_file(struct lmig_trust *trust, const char *issuer,
			     enum lmig_jws_alg alg, const char *kid,
			     const char *path, char *err, size_t err_len)
{
	size_t len = 0, n;
	char *buf;
	FILE *f;
	int rc;

	f = fopen(path, "re");
	if (!f) {
		rc = -errno;
		load_error(err, err_len, path, "%s", strerror(-rc));
		return rc;
	}
	buf = malloc(LMIG_TRUST_PEM_MAX + 1);
	if (!buf) {
		fclose(f);
		return load_error(err, err_len, path, "out of memory");
	}
	while ((n = fread(buf + len, 1, LMIG_TRUST_PEM_MAX + 1 - len, f)) > 0)
		len += n;
	if (ferror(f)) {
		rc = -EIO;
		load_error(err, err_len, path, "read error");
	} else if (len > LMIG_TRUST_PEM_MAX) {
		rc = load_error(err, err_len, path, "larger than %d bytes",
				LMIG_TRUST_PEM_MAX);
	} else {
		rc = lmig_trust_add_cert_pem(trust, issuer, alg, kid, buf, len,
					     path, err, err_len);
	}
	fclose(f);
	free(buf);
	return rc;
}

size_t lmig_trust_key_count(const struct lmig_trust *trust)
{
	return trust->n_keys;
}

const struct lmig_trust_key *lmig_trust_key(const struct lmig_trust *trust,
					    size_t i)
{
	return i < trust->n_keys ? trust->keys[i] : NULL;
}

bool lmig_trust_key_valid_at(const struct lmig_trust_key *key, int64_t now)
{
	return key->not_before <= now && now <= key->not_after;
}

enum lmig_trust_status lmig_trust_select(const struct lmig_trust *trust,
					 const struct lmig_trust_query *query,
					 const struct lmig_trust_key **keys,
					 size_t *n)
{
	const struct trust_issuer *is;
	bool alg_known = false;
	size_t i;

	*n = 0;
	is = find_issuer(trust, query->issuer, query->issuer_len);
	if (!is)
		return LMIG_TRUST_UNKNOWN_ISSUER;

	if (query->kid) {
		for (i = 0; i < is->n_keys; i++) {
			const struct lmig_trust_key *key = is->keys[i];

			if (!key_answers_to(key, query->kid, query->kid_len))
				continue;
			if (key->alg != query->alg)
				return LMIG_TRUST_ALG_MISMATCH;
			if (!lmig_trust_key_valid_at(key, query->now))
				return LMIG_TRUST_KEY_NOT_VALID;
			keys[(*n)++] = key;
			return LMIG_TRUST_OK;
		}
		return LMIG_TRUST_UNKNOWN_KEY;
	}

	for (i = 0; i < is->n_keys; i++) {
		const struct lmig_trust_key *key = is->keys[i];

		if (key->alg != query->alg)
			continue;
		alg_known = true;
		if (lmig_trust_key_valid_at(key, query->now))
			keys[(*n)++] = key;
	}
	if (!alg_known)
		return LMIG_TRUST_UNKNOWN_KEY;
	return *n ? LMIG_TRUST_OK : LMIG_TRUST_KEY_NOT_VALID;
}
