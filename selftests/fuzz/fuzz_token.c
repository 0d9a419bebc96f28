// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer: the whole token verifier. The first byte picks the mode:
 * even, the input is a token as a client would send it; odd, the rest is
 * "header JSON" NUL "claims JSON", which the harness signs with the
 * trusted key, so that claim checking past the signature is fuzzed too.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "b64.h"
#include "jws.h"
#include "token.h"

#define ISSUER "https://idms.primary.example"
#define NOW    1790000000

static struct lmig_verifier *verifier;
static EVP_PKEY *key;

/* A P-256 key and a self-signed certificate for it, made once. */
static void setup(void)
{
	const struct lmig_verifier_config vc = {
		.audience = "https://mc.partner.example",
		.clock_skew = 30,
	};
	struct lmig_trust *trust = lmig_trust_new();
	X509 *cert = X509_new();
	BIO *bio = BIO_new(BIO_s_mem());
	X509_EXTENSION *ku;
	char *pem, err[256];
	long len;

	key = EVP_EC_gen("P-256");
	if (!trust || !cert || !bio || !key)
		abort();
	ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
	X509_set_version(cert, X509_VERSION_3);
	ASN1_TIME_set(X509_getm_notBefore(cert), NOW - 86400);
	ASN1_TIME_set(X509_getm_notAfter(cert), NOW + 86400);
	X509_NAME_add_entry_by_txt(X509_get_subject_name(cert), "CN",
				   MBSTRING_ASC, (const unsigned char *)"idms",
				   -1, -1, 0);
	X509_set_issuer_name(cert, X509_get_subject_name(cert));
	X509_set_pubkey(cert, key);
	ku = X509V3_EXT_conf_nid(NULL, NULL, NID_key_usage,
				 "critical,digitalSignature");
	X509_add_ext(cert, ku, -1);
	X509_EXTENSION_free(ku);
	if (!X509_sign(cert, key, EVP_sha256()) ||
	    !PEM_write_bio_X509(bio, cert))
		abort();
	len = BIO_get_mem_data(bio, &pem);
	if (lmig_trust_add_cert_pem(trust, ISSUER, LMIG_JWS_ES256, "k1", pem,
				    len, "fuzz", err, sizeof(err)) ||
	    lmig_verifier_new(trust, &vc, &verifier, err, sizeof(err)))
		abort();
	BIO_free(bio);
	X509_free(cert);
}

static size_t put_b64(char *out, size_t room, const void *in, size_t len)
{
	ssize_t n = lmig_b64url_encode(in, len, out, room);

	if (n < 0)
		abort();
	return n;
}

/* header "." claims "." signature, signed with the trusted key. */
static size_t sign(const uint8_t *data, size_t size, char *tok, size_t room)
{
	const uint8_t *nul = memchr(data, '\0', size);
	size_t hlen = nul ? (size_t)(nul - data) : size, n, siglen = 128;
	uint8_t sig[128];

	n = put_b64(tok, room, data, hlen);
	tok[n++] = '.';
	if (nul)
		n += put_b64(tok + n, room - n, nul + 1, size - hlen - 1);
	if (lmig_jws_sign(LMIG_JWS_ES256, key, tok, n, sig, &siglen) !=
	    LMIG_JWS_OK)
		abort();
	tok[n++] = '.';
	return n + put_b64(tok + n, room - n, sig, siglen);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char tok[4 * LMIG_JWS_MAX_LEN];
	struct lmig_token out;
	enum lmig_token_status s;
	size_t len;

	if (!verifier)
		setup();
	if (size < 1 || size > LMIG_JWS_MAX_LEN)
		return 0;
	if (data[0] & 1) {
		len = sign(data + 1, size - 1, tok, sizeof(tok));
	} else {
		memcpy(tok, data + 1, size - 1);
		len = size - 1;
	}
	s = lmig_token_verify(verifier, tok, len, NOW, &out);
	if (s >= __LMIG_TOKEN_STATUS_MAX || !out.detail ||
	    !lmig_token_status_name(s))
		abort();
	/* Only a token signed here can pass. */
	if (s == LMIG_TOKEN_OK && !(data[0] & 1))
		abort();
	return 0;
}
