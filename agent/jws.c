// SPDX-License-Identifier: GPL-2.0-only
/* Compact JWS parsing: structure, base64url, protected header. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "b64.h"
#include "jws.h"

static const char *const alg_names[__LMIG_JWS_ALG_MAX] = {
	[LMIG_JWS_ES256] = "ES256", [LMIG_JWS_ES384] = "ES384",
	[LMIG_JWS_RS256] = "RS256", [LMIG_JWS_PS256] = "PS256",
	[LMIG_JWS_EDDSA] = "EdDSA",
};

static const char *const status_names[] = {
	[LMIG_JWS_OK] = "ok",
	[LMIG_JWS_TOO_LARGE] = "too_large",
	[LMIG_JWS_MALFORMED] = "malformed",
	[LMIG_JWS_BAD_HEADER] = "bad_header",
	[LMIG_JWS_UNSUPPORTED_ALG] = "unsupported_alg",
	[LMIG_JWS_FORBIDDEN_HEADER] = "forbidden_header",
	[LMIG_JWS_KEY_MISMATCH] = "key_mismatch",
	[LMIG_JWS_BAD_SIGNATURE] = "bad_signature",
	[LMIG_JWS_NO_MEMORY] = "no_memory",
};

/*
 * Header members that would let the token choose or describe its own key,
 * or demand semantics this verifier does not implement.
 */
static const struct {
	const char *name;
	const char *why;
} forbidden_members[] = {
	{"jku", "header member \"jku\" is not allowed: keys are pinned"},
	{"x5u", "header member \"x5u\" is not allowed: keys are pinned"},
	{"jwk", "header member \"jwk\" is not allowed: keys are pinned"},
	{"x5c", "header member \"x5c\" is not allowed: keys are pinned"},
	{"crit", "header member \"crit\" is not allowed: no extension "
		 "is understood"},
	{"b64", "header member \"b64\" is not allowed: the payload must be "
		"base64url"},
};

const char *lmig_jws_alg_name(enum lmig_jws_alg alg)
{
	if ((unsigned int)alg >= __LMIG_JWS_ALG_MAX)
		return NULL;
	return alg_names[alg];
}

enum lmig_jws_alg lmig_jws_alg_from_name(const char *name, size_t len)
{
	unsigned int a;

	for (a = 1; a < __LMIG_JWS_ALG_MAX; a++) {
		if (strlen(alg_names[a]) == len &&
		    !memcmp(alg_names[a], name, len))
			return (enum lmig_jws_alg)a;
	}
	return LMIG_JWS_ALG_INVALID;
}

const char *lmig_jws_status_name(enum lmig_jws_status status)
{
	if ((unsigned int)status >=
	    sizeof(status_names) / sizeof(*status_names))
		return "?";
	return status_names[status];
}

static enum lmig_jws_status refuse(const char **detail,
				   enum lmig_jws_status status, const char *why)
{
	if (detail)
		*detail = why;
	return status;
}

static enum lmig_jws_status check_alg(const struct lmig_json *alg,
				      enum lmig_jws_alg *out,
				      const char **detail)
{
	const char *name;
	size_t len;

	if (!alg)
		return refuse(detail, LMIG_JWS_BAD_HEADER,
			      "header has no \"alg\"");
	name = lmig_json_string(alg, &len);
	if (!name)
		return refuse(detail, LMIG_JWS_BAD_HEADER,
			      "header \"alg\" is not a string");
	*out = lmig_jws_alg_from_name(name, len);
	if (*out != LMIG_JWS_ALG_INVALID)
		return LMIG_JWS_OK;
	if (len == 4 && !strncasecmp(name, "none", 4))
		return refuse(detail, LMIG_JWS_UNSUPPORTED_ALG,
			      "alg \"none\" is never accepted");
	if (len >= 2 && !strncasecmp(name, "HS", 2))
		return refuse(detail, LMIG_JWS_UNSUPPORTED_ALG,
			      "HMAC algorithms are never accepted");
	return refuse(detail, LMIG_JWS_UNSUPPORTED_ALG,
		      "alg is not one of ES256, ES384, RS256, PS256, EdDSA");
}

/* An optional string member without NUL bytes; *out NULL when absent. */
static int optional_cstr(const struct lmig_json *header, const char *name,
			 const char **out, size_t *len)
{
	const struct lmig_json *v = lmig_json_get(header, name);

	*out = NULL;
	if (!v)
		return 0;
	if (!lmig_json_string_is_cstr(v))
		return -EINVAL;
	*out = lmig_json_string(v, len);
	return 0;
}

static enum lmig_jws_status check_header(struct lmig_jws *jws,
					 const char **detail)
{
	const struct lmig_json *h = jws->header;
	enum lmig_jws_status st;
	size_t k, typ_len;

	if (lmig_json_type(h) != LMIG_JSON_OBJECT)
		return refuse(detail, LMIG_JWS_BAD_HEADER,
			      "header is not a JSON object");
	st = check_alg(lmig_json_get(h, "alg"), &jws->alg, detail);
	if (st != LMIG_JWS_OK)
		return st;
	for (k = 0; k < sizeof(forbidden_members) / sizeof(*forbidden_members);
	     k++) {
		if (lmig_json_get(h, forbidden_members[k].name))
			return refuse(detail, LMIG_JWS_FORBIDDEN_HEADER,
				      forbidden_members[k].why);
	}
	if (optional_cstr(h, "kid", &jws->kid, &jws->kid_len))
		return refuse(detail, LMIG_JWS_BAD_HEADER,
			      "header \"kid\" is not a string");
	if (optional_cstr(h, "typ", &jws->typ, &typ_len))
		return refuse(detail, LMIG_JWS_BAD_HEADER,
			      "header \"typ\" is not a string");
	return LMIG_JWS_OK;
}

/* Decode one base64url part into buf; -1 if it is not canonical. */
static ssize_t decode_part(const char *part, size_t len, uint8_t *buf)
{
	return lmig_b64url_decode(part, len, buf, lmig_b64url_decoded_len(len),
				  NULL);
}

enum lmig_jws_status lmig_jws_parse(const char *token, size_t len,
				    struct lmig_jws *jws, const char **detail)
{
	static const struct lmig_json_limits header_limits = {
		.max_size = LMIG_JWS_MAX_LEN,
		.max_depth = LMIG_JWS_HEADER_DEPTH,
	};
	const char *dot1, *dot2, *payload_b64, *sig_b64;
	size_t header_len, payload_len, sig_len, header_max, payload_max;
	ssize_t n_header, n_payload, n_sig;
	enum lmig_jws_status st;
	uint8_t *buf, *payload, *sig;
	int rc;

	memset(jws, 0, sizeof(*jws));
	if (len > LMIG_JWS_MAX_LEN)
		return refuse(detail, LMIG_JWS_TOO_LARGE,
			      "token is longer than 8192 bytes");

	/* Structure first: exactly two dots, before anything is decoded. */
	dot1 = memchr(token, '.', len);
	dot2 = dot1 ? memchr(dot1 + 1, '.', len - (dot1 + 1 - token)) : NULL;
	if (!dot2 || memchr(dot2 + 1, '.', len - (dot2 + 1 - token)))
		return refuse(detail, LMIG_JWS_MALFORMED,
			      "a compact JWS has exactly two '.'");
	payload_b64 = dot1 + 1;
	sig_b64 = dot2 + 1;
	header_len = dot1 - token;
	payload_len = dot2 - payload_b64;
	sig_len = len - (sig_b64 - token);
	if (!header_len)
		return refuse(detail, LMIG_JWS_MALFORMED,
			      "a compact JWS has three non-empty parts");

	header_max = lmig_b64url_decoded_len(header_len);
	payload_max = lmig_b64url_decoded_len(payload_len);
	buf = malloc(header_max + 1 + payload_max + 1 +
		     lmig_b64url_decoded_len(sig_len));
	if (!buf)
		return refuse(detail, LMIG_JWS_NO_MEMORY, "out of memory");
	payload = buf + header_max + 1;
	sig = payload + payload_max + 1;

	/*
	 * The header next, so that a token refused for its algorithm (an
	 * unsigned "none" token has an empty signature) says so.
	 */
	n_header = decode_part(token, header_len, buf);
	if (n_header < 0) {
		free(buf);
		return refuse(detail, LMIG_JWS_MALFORMED,
			      "header is not base64url");
	}
	buf[n_header] = '\0';
	rc = lmig_json_parse((const char *)buf, (size_t)n_header,
			     &header_limits, &jws->header_doc, NULL);
	if (rc) {
		free(buf);
		return refuse(detail,
			      rc == -ENOMEM ? LMIG_JWS_NO_MEMORY
					    : LMIG_JWS_BAD_HEADER,
			      rc == -ENOMEM  ? "out of memory"
			      : rc == -E2BIG ? "header nests too deeply"
					     : "header is not JSON");
	}
	jws->buf = buf;
	jws->header = lmig_json_root(jws->header_doc);
	st = check_header(jws, detail);
	if (st != LMIG_JWS_OK)
		goto fail;

	st = LMIG_JWS_MALFORMED;
	if (!payload_len || !sig_len) {
		refuse(detail, st, "a compact JWS has three non-empty parts");
		goto fail;
	}
	n_payload = decode_part(payload_b64, payload_len, payload);
	n_sig = decode_part(sig_b64, sig_len, sig);
	if (n_payload < 0 || n_sig < 0) {
		refuse(detail, st,
		       n_payload < 0 ? "payload is not base64url"
				     : "signature is not base64url");
		goto fail;
	}
	payload[n_payload] = '\0';
	jws->signing_input = token;
	jws->signing_input_len = dot2 - token;
	jws->payload = payload;
	jws->payload_len = (size_t)n_payload;
	jws->signature = sig;
	jws->signature_len = (size_t)n_sig;
	return LMIG_JWS_OK;
fail:
	lmig_jws_release(jws);
	return st;
}

void lmig_jws_release(struct lmig_jws *jws)
{
	lmig_json_free(jws->header_doc);
	free(jws->buf);
	memset(jws, 0, sizeof(*jws));
}
