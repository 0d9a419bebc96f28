// SPDX-License-Identifier: GPL-2.0-only
/*
 * JWS signing, for the test-side IdMS and the tests: lmigd itself never
 * signs. Kept beside verification so both agree on every parameter.
 */
#include <string.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/rsa.h>

#include "jws.h"

/* OpenSSL's DER ECDSA-Sig-Value to JWS's r||s of coord bytes each. */
static int ecdsa_der_to_raw(const uint8_t *der, size_t der_len, size_t coord,
			    uint8_t *raw)
{
	const unsigned char *p = der;
	ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &p, (long)der_len);
	const BIGNUM *r, *s;
	int ok;

	if (!es)
		return 0;
	ECDSA_SIG_get0(es, &r, &s);
	ok = BN_bn2binpad(r, raw, (int)coord) == (int)coord &&
	     BN_bn2binpad(s, raw + coord, (int)coord) == (int)coord;
	ECDSA_SIG_free(es);
	return ok;
}

enum lmig_jws_status lmig_jws_sign(enum lmig_jws_alg alg, EVP_PKEY *key,
				   const void *data, size_t data_len,
				   uint8_t *sig, size_t *sig_len)
{
	uint8_t out[LMIG_JWS_SIG_MAX];
	const char *digest = "SHA256";
	enum lmig_jws_status st;
	size_t coord = 0, n = sizeof(out);
	EVP_PKEY_CTX *pctx;
	EVP_MD_CTX *ctx;

	st = lmig_jws_key_check(alg, key, NULL);
	if (st != LMIG_JWS_OK)
		return st;
	if (alg == LMIG_JWS_ES256)
		coord = 32;
	if (alg == LMIG_JWS_ES384) {
		coord = 48;
		digest = "SHA384";
	}
	if (alg == LMIG_JWS_EDDSA)
		digest = NULL;
	if (EVP_PKEY_get_size(key) > (int)sizeof(out))
		return LMIG_JWS_KEY_MISMATCH;

	ERR_set_mark();
	st = LMIG_JWS_NO_MEMORY;
	ctx = EVP_MD_CTX_new();
	if (!ctx)
		goto out;
	if (EVP_DigestSignInit_ex(ctx, &pctx, digest, NULL, NULL, key, NULL) !=
	    1)
		goto out;
	if (alg == LMIG_JWS_RS256 &&
	    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) <= 0)
		goto out;
	if (alg == LMIG_JWS_PS256 &&
	    (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) <= 0 ||
	     EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 32) <= 0 ||
	     EVP_PKEY_CTX_set_rsa_mgf1_md_name(pctx, "SHA256", NULL) <= 0))
		goto out;
	if (EVP_DigestSign(ctx, out, &n, data, data_len) != 1)
		goto out;
	if (coord) {
		if (!ecdsa_der_to_raw(out, n, coord, sig))
			goto out;
		*sig_len = 2 * coord;
	} else {
		memcpy(sig, out, n);
		*sig_len = n;
	}
	st = LMIG_JWS_OK;
out:
	EVP_MD_CTX_free(ctx);
	ERR_pop_to_mark();
	return st;
}
