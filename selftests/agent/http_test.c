// SPDX-License-Identifier: GPL-2.0-only
/* The admission endpoint's HTTP/1.1 request parser. */
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "http.h"

static int parse(const char *text, struct http_request *req, const char **why)
{
	return http_parse_request(text, strlen(text), req, why);
}

TEST(post_with_bearer)
{
	const char *r = "POST /v1/admission HTTP/1.1\r\n"
			"Host: 10.0.0.1:8443\r\n"
			"Authorization: Bearer abc.DEF-_~+/x.sig==\r\n"
			"Content-Length: 0\r\n"
			"\r\n";
	struct http_request req;
	const char *why;

	ASSERT_EQ(1, parse(r, &req, &why));
	EXPECT_EQ(HTTP_POST, req.method);
	EXPECT_STREQ("/v1/admission", req.target);
	EXPECT_EQ(HTTP_AUTH_BEARER, req.auth);
	ASSERT_EQ(strlen("abc.DEF-_~+/x.sig=="), req.token_len);
	EXPECT_EQ(0, memcmp(req.token, "abc.DEF-_~+/x.sig==", req.token_len));
	EXPECT_TRUE(req.keep_alive);
	EXPECT_EQ(strlen(r), req.length);
}

TEST(scheme_is_case_insensitive_and_spaces_allowed)
{
	struct http_request req;
	const char *why;

	ASSERT_EQ(1, parse("GET / HTTP/1.1\r\nHost: h\r\n"
			   "authorization:   bEaReR   tok  \r\n\r\n",
			   &req, &why));
	EXPECT_EQ(HTTP_AUTH_BEARER, req.auth);
	ASSERT_EQ(3, req.token_len);
	EXPECT_EQ(0, memcmp(req.token, "tok", 3));
}

TEST(incomplete_needs_more)
{
	const char *full = "GET /healthz HTTP/1.1\r\nHost: h\r\n\r\n";
	struct http_request req;
	const char *why;

	for (size_t n = 0; n < strlen(full); n++) {
		ASSERT_EQ(0, http_parse_request(full, n, &req, &why))
		TH_LOG("prefix of %zu bytes", n);
	}
	ASSERT_EQ(1, parse(full, &req, &why));
}

TEST(body_waits_for_content_length)
{
	const char *r = "POST /v1/admission HTTP/1.1\r\nHost: h\r\n"
			"Content-Length: 4\r\n\r\nab";
	struct http_request req;
	const char *why;

	ASSERT_EQ(0, parse(r, &req, &why));
	ASSERT_EQ(1,
		  http_parse_request("POST / HTTP/1.1\r\nHost: h\r\n"
				     "Content-Length: 4\r\n\r\nabcdXYZ",
				     strlen("POST / HTTP/1.1\r\nHost: h\r\n"
					    "Content-Length: 4\r\n\r\nabcdXYZ"),
				     &req, &why));
	EXPECT_EQ(4, req.content_length);
	EXPECT_EQ(0, memcmp(req.body, "abcd", 4));
	/* Pipelined bytes after the body are left for the next request. */
	EXPECT_EQ(strlen("POST / HTTP/1.1\r\nHost: h\r\n"
			 "Content-Length: 4\r\n\r\nabcd"),
		  req.length);
}

TEST(connection_close_and_http10)
{
	struct http_request req;
	const char *why;

	ASSERT_EQ(1, parse("GET / HTTP/1.1\r\nHost: h\r\n"
			   "Connection: foo, close\r\n\r\n",
			   &req, &why));
	EXPECT_FALSE(req.keep_alive);
	ASSERT_EQ(1, parse("GET / HTTP/1.0\r\n\r\n", &req, &why));
	EXPECT_TRUE(req.http10);
	EXPECT_FALSE(req.keep_alive);
	ASSERT_EQ(1, parse("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
			   &req, &why));
	EXPECT_TRUE(req.keep_alive);
}

TEST(other_auth_schemes)
{
	struct http_request req;
	const char *why;

	ASSERT_EQ(1, parse("GET / HTTP/1.1\r\nHost: h\r\n"
			   "Authorization: Basic dXNlcjpwYXNz\r\n\r\n",
			   &req, &why));
	EXPECT_EQ(HTTP_AUTH_OTHER, req.auth);
	ASSERT_EQ(1, parse("GET / HTTP/1.1\r\nHost: h\r\n"
			   "Authorization: Bearer a b\r\n\r\n",
			   &req, &why));
	EXPECT_EQ(HTTP_AUTH_MALFORMED, req.auth);
	ASSERT_EQ(1, parse("GET / HTTP/1.1\r\nHost: h\r\n"
			   "Authorization: Bearer\r\n\r\n",
			   &req, &why));
	EXPECT_EQ(HTTP_AUTH_MALFORMED, req.auth);
	ASSERT_EQ(1, parse("GET / HTTP/1.1\r\nHost: h\r\n"
			   "Authorization: Bearer a\"b\r\n\r\n",
			   &req, &why));
	EXPECT_EQ(HTTP_AUTH_MALFORMED, req.auth);
	ASSERT_EQ(1, parse("GET / HTTP/1.1\r\nHost: h\r\n\r\n", &req, &why));
	EXPECT_EQ(HTTP_AUTH_NONE, req.auth);
}

/* Every malformed request is refused with its status and a reason. */
FIXTURE(refused){};
FIXTURE_SETUP(refused)
{
}
FIXTURE_TEARDOWN(refused)
{
}

FIXTURE_VARIANT(refused)
{
	const char *request;
	int status;
	const char *why;
};

#define REFUSED(name, req, st, msg)                       \
	FIXTURE_VARIANT_ADD(refused, name)                \
	{                                                 \
		.request = req, .status = st, .why = msg, \
	}

REFUSED(bare_lf, "GET / HTTP/1.1\nHost: h\n\n", 400, "bare LF in request head");
REFUSED(nul, "GET /\0 HTTP/1.1\r\n\r\n", 400, "NUL in request head");
REFUSED(no_host, "GET / HTTP/1.1\r\n\r\n", 400, "missing Host");
REFUSED(two_hosts, "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400,
	"duplicate Host");
REFUSED(absolute_form, "GET http://x/ HTTP/1.1\r\nHost: x\r\n\r\n", 400,
	"request target must be an absolute path");
REFUSED(version, "GET / HTTP/2.0\r\nHost: h\r\n\r\n", 505,
	"HTTP version not supported");
REFUSED(garbage_version, "GET / FTP/1.1\r\nHost: h\r\n\r\n", 400,
	"malformed HTTP version");
REFUSED(two_spaces, "GET  / HTTP/1.1\r\nHost: h\r\n\r\n", 400,
	"request target must be an absolute path");
REFUSED(folding, "GET / HTTP/1.1\r\nHost: h\r\n X: y\r\n\r\n", 400,
	"obsolete line folding");
REFUSED(space_before_colon, "GET / HTTP/1.1\r\nHost : h\r\n\r\n", 400,
	"malformed header field name");
REFUSED(ctl_in_value, "GET / HTTP/1.1\r\nHost: h\x01\r\n\r\n", 400,
	"invalid character in field");
REFUSED(chunked,
	"POST / HTTP/1.1\r\nHost: h\r\n"
	"Transfer-Encoding: chunked\r\n\r\n",
	501, "transfer codings are not supported");
REFUSED(big_body, "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 4097\r\n\r\n",
	413, "request body too large");
REFUSED(huge_body,
	"POST / HTTP/1.1\r\nHost: h\r\n"
	"Content-Length: 99999999999999999999999\r\n\r\n",
	413, "request body too large");
REFUSED(signed_length,
	"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: +1\r\n\r\n", 400,
	"malformed Content-Length");
REFUSED(two_lengths,
	"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n"
	"Content-Length: 0\r\n\r\n",
	400, "duplicate Content-Length");
REFUSED(two_auth,
	"GET / HTTP/1.1\r\nHost: h\r\nAuthorization: Bearer a\r\n"
	"Authorization: Bearer b\r\n\r\n",
	400, "duplicate Authorization");
REFUSED(empty_line_first, "\r\n\r\n", 400, "malformed request line");

TEST_F(refused, status_and_reason)
{
	struct http_request req;
	const char *why = NULL;
	/* The NUL variant needs its real length. */
	size_t len = strlen(variant->request);

	if (!strcmp(variant->why, "NUL in request head"))
		len = sizeof("GET /\0 HTTP/1.1\r\n\r\n") - 1;
	ASSERT_EQ(-variant->status,
		  http_parse_request(variant->request, len, &req, &why));
	ASSERT_NE(NULL, why);
	EXPECT_STREQ(variant->why, why);
}

TEST(head_too_large)
{
	size_t len = HTTP_MAX_HEADER + 10;
	char *r = malloc(len);
	struct http_request req;
	const char *why;

	ASSERT_NE(NULL, r);
	memset(r, 'a', len);
	memcpy(r, "GET / HTTP/1.1\r\nX: ", 19);
	EXPECT_EQ(-431, http_parse_request(r, len, &req, &why));
	EXPECT_STREQ("request head too large", why);
	free(r);
}

TEST(target_too_long)
{
	char r[HTTP_MAX_TARGET + 64];
	struct http_request req;
	const char *why;

	memset(r, 'a', sizeof(r));
	memcpy(r, "GET /", 5);
	strcpy(r + 5 + HTTP_MAX_TARGET, " HTTP/1.1\r\nHost: h\r\n\r\n");
	EXPECT_EQ(-414, parse(r, &req, &why));
}

TEST(response_format)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ASSERT_NE(NULL, f);
	http_write_response(f, 401, true,
			    "WWW-Authenticate: Bearer realm=\"lmig\"\r\n", "{}",
			    2);
	fclose(f);
	EXPECT_STREQ("HTTP/1.1 401 Unauthorized\r\n"
		     "Content-Type: application/json\r\n"
		     "Content-Length: 2\r\n"
		     "Cache-Control: no-store\r\n"
		     "Connection: keep-alive\r\n"
		     "WWW-Authenticate: Bearer realm=\"lmig\"\r\n"
		     "\r\n{}",
		     buf);
	free(buf);
}

TEST_HARNESS_MAIN
