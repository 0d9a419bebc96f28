// SPDX-License-Identifier: GPL-2.0-only
/* Strict HTTP/1.1 request parsing and response writing. */
#include <string.h>
#include <strings.h>

#include "http.h"

static bool is_tchar(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || (c && strchr("!#$%&'*+-.^_`|~", c));
}

static bool is_token68_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || (c && strchr("-._~+/", c));
}

/* A field value may hold visible characters, obs-text, SP and HTAB. */
static bool is_field_char(unsigned char c)
{
	return c == ' ' || c == '\t' || (c >= 0x21 && c != 0x7f);
}

static bool name_is(const char *name, size_t len, const char *want)
{
	return strlen(want) == len && !strncasecmp(name, want, len);
}

static int fail(const char **why, const char *msg, int status)
{
	*why = msg;
	return -status;
}

static int parse_request_line(const char *p, size_t len,
			      struct http_request *req, const char **why)
{
	static const struct {
		const char *name;
		enum http_method method;
	} methods[] = {
		{"GET", HTTP_GET},
		{"POST", HTTP_POST},
		{"DELETE", HTTP_DELETE},
		{"HEAD", HTTP_HEAD},
	};
	const char *end = p + len, *sp;
	size_t n;

	for (sp = p; sp < end && is_tchar(*sp); sp++)
		;
	if (sp == p || sp == end || *sp != ' ')
		return fail(why, "malformed request line", 400);
	req->method = HTTP_OTHER;
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (strlen(methods[i].name) == (size_t)(sp - p) &&
		    !memcmp(p, methods[i].name, sp - p))
			req->method = methods[i].method;

	p = sp + 1;
	for (sp = p; sp < end && *sp != ' '; sp++)
		if ((unsigned char)*sp < 0x21 || *sp == 0x7f)
			return fail(why, "malformed request target", 400);
	n = sp - p;
	if (sp == end || n == 0 || *p != '/')
		return fail(why, "request target must be an absolute path",
			    400);
	if (n >= HTTP_MAX_TARGET)
		return fail(why, "request target too long", 414);
	memcpy(req->target, p, n);
	req->target[n] = '\0';

	p = sp + 1;
	n = end - p;
	if (n == 8 && !memcmp(p, "HTTP/1.1", 8)) {
		req->http10 = false;
	} else if (n == 8 && !memcmp(p, "HTTP/1.0", 8)) {
		req->http10 = true;
	} else if (n > 5 && !memcmp(p, "HTTP/", 5)) {
		return fail(why, "HTTP version not supported", 505);
	} else {
		return fail(why, "malformed HTTP version", 400);
	}
	return 0;
}

static int parse_connection(const char *v, size_t len, struct http_request *req)
{
	const char *end = v + len;

	while (v < end) {
		const char *t = v;

		while (v < end && *v != ',')
			v++;
		const char *te = v;

		while (t < te && (*t == ' ' || *t == '\t'))
			t++;
		while (te > t && (te[-1] == ' ' || te[-1] == '\t'))
			te--;
		if (name_is(t, te - t, "close"))
			req->keep_alive = false;
		else if (name_is(t, te - t, "keep-alive"))
			req->keep_alive = true;
		if (v < end)
			v++;
	}
	return 0;
}

static int parse_authorization(const char *v, size_t len,
			       struct http_request *req)
{
	const char *end = v + len, *p = v;

	while (p < end && is_tchar(*p))
		p++;
	if (!name_is(v, p - v, "Bearer")) {
		req->auth = HTTP_AUTH_OTHER;
		return 0;
	}
	req->auth = HTTP_AUTH_MALFORMED;
	if (p == end || *p != ' ')
		return 0;
	while (p < end && *p == ' ')
		p++;
	const char *token = p;

	while (p < end && is_token68_char(*p))
		p++;
	while (p < end && *p == '=')
		p++;
	if (p != end || p == token)
		return 0;
	req->auth = HTTP_AUTH_BEARER;
	req->token = token;
	req->token_len = p - token;
	return 0;
}

static int parse_content_length(const char *v, size_t len,
				struct http_request *req, const char **why)
{
	size_t n = 0;

	if (len == 0)
		return fail(why, "malformed Content-Length", 400);
	for (size_t i = 0; i < len; i++) {
		if (v[i] < '0' || v[i] > '9')
			return fail(why, "malformed Content-Length", 400);
		n = n * 10 + (v[i] - '0');
		if (n > HTTP_MAX_BODY)
			return fail(why, "request body too large", 413);
	}
	req->content_length = n;
	return 0;
}

/* Parse the header fields between the request line and the empty line. */
static int parse_fields(const char *p, const char *end,
			struct http_request *req, const char **why)
{
	bool seen_host = false, seen_auth = false, seen_length = false;
	int fields = 0;

	while (p < end) {
		const char *eol = memchr(p, '\r', end - p);
		const char *name = p, *colon, *v, *ve;
		int err = 0;

		if (!eol || eol + 1 >= end || eol[1] != '\n')
			return fail(why, "malformed header line", 400);
		if (++fields > HTTP_MAX_FIELDS)
			return fail(why, "too many header fields", 431);
		if (*p == ' ' || *p == '\t')
			return fail(why, "obsolete line folding", 400);
		for (colon = p; colon < eol && is_tchar(*colon); colon++)
			;
		if (colon == name || colon == eol || *colon != ':')
			return fail(why, "malformed header field name", 400);
		for (v = colon + 1; v < eol && (*v == ' ' || *v == '\t'); v++)
			;
		for (ve = eol; ve > v && (ve[-1] == ' ' || ve[-1] == '\t');
		     ve--)
			;
		for (const char *c = v; c < ve; c++)
			if (!is_field_char(*c))
				return fail(why, "invalid character in field",
					    400);

		size_t nlen = colon - name, vlen = ve - v;

		if (name_is(name, nlen, "Host")) {
			if (seen_host)
				return fail(why, "duplicate Host", 400);
			seen_host = true;
		} else if (name_is(name, nlen, "Authorization")) {
			if (seen_auth)
				return fail(why, "duplicate Authorization",
					    400);
			seen_auth = true;
			err = parse_authorization(v, vlen, req);
		} else if (name_is(name, nlen, "Content-Length")) {
			if (seen_length)
				return fail(why, "duplicate Content-Length",
					    400);
			seen_length = true;
			err = parse_content_length(v, vlen, req, why);
		} else if (name_is(name, nlen, "Transfer-Encoding")) {
			return fail(why, "transfer codings are not supported",
				    501);
		} else if (name_is(name, nlen, "Connection")) {
			err = parse_connection(v, vlen, req);
		}
		if (err)
			return err;
		p = eol + 2;
	}
	if (!req->http10 && !seen_host)
		return fail(why, "missing Host", 400);
	return 0;
}

int http_parse_request(const char *buf, size_t len, struct http_request *req,
		       const char **why)
{
	size_t scan = len < HTTP_MAX_HEADER ? len : HTTP_MAX_HEADER;
	const char *head_end = NULL, *line_end;
	int err;

	*why = NULL;
	memset(req, 0, sizeof(*req));

	/* Bare LF anywhere in the head is refused, not guessed at. */
	for (size_t i = 0; i < scan; i++) {
		if (buf[i] == '\n' && (i == 0 || buf[i - 1] != '\r'))
			return fail(why, "bare LF in request head", 400);
		if (buf[i] == '\0')
			return fail(why, "NUL in request head", 400);
		if (i >= 3 && !memcmp(buf + i - 3, "\r\n\r\n", 4)) {
			head_end = buf + i + 1;
			break;
		}
	}
	if (!head_end)
		return len >= HTTP_MAX_HEADER
			       ? fail(why, "request head too large", 431)
			       : 0;

	line_end = memchr(buf, '\r', head_end - buf);
	err = parse_request_line(buf, line_end - buf, req, why);
	if (err)
		return err;
	req->keep_alive = !req->http10;
	err = parse_fields(line_end + 2, head_end - 2, req, why);
	if (err)
		return err;

	size_t head_len = head_end - buf;

	if (len - head_len < req->content_length)
		return 0;
	req->body = head_end;
	req->length = head_len + req->content_length;
	return 1;
}

const char *http_status_text(int status)
{
	switch (status) {
	case 200:
		return "OK";
	case 400:
		return "Bad Request";
	case 401:
		return "Unauthorized";
	case 403:
		return "Forbidden";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	case 408:
		return "Request Timeout";
	case 413:
		return "Content Too Large";
	case 414:
		return "URI Too Long";
	case 429:
		return "Too Many Requests";
	case 431:
		return "Request Header Fields Too Large";
	case 500:
		return "Internal Server Error";
	case 501:
		return "Not Implemented";
	case 503:
		return "Service Unavailable";
	case 505:
		return "HTTP Version Not Supported";
	default:
		return "Unknown";
	}
}

void http_write_response(FILE *out, int status, bool keep_alive,
			 const char *extra_headers, const char *body,
			 size_t body_len)
{
	fprintf(out,
		"HTTP/1.1 %d %s\r\n"
		"Content-Type: application/json\r\n"
		"Content-Length: %zu\r\n"
		"Cache-Control: no-store\r\n"
		"Connection: %s\r\n"
		"%s"
		"\r\n",
		status, http_status_text(status), body_len,
		keep_alive ? "keep-alive" : "close",
		extra_headers ? extra_headers : "");
	fwrite(body, 1, body_len, out);
}
