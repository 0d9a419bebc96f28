/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * HTTP/1.1 request parsing (RFC 9110/9112) for the admission endpoint: a
 * strict, allocation-free parser over the bytes received so far, and the
 * response writer. Only what the endpoint needs is accepted: no chunked
 * bodies, no line folding, bounded header and body sizes.
 */
#ifndef LMIG_HTTP_H
#define LMIG_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define HTTP_MAX_HEADER 8192 /* request line and headers */
#define HTTP_MAX_BODY	4096
#define HTTP_MAX_TARGET 256
#define HTTP_MAX_FIELDS 64

enum http_method {
	HTTP_GET,
	HTTP_POST,
	HTTP_DELETE,
	HTTP_HEAD,
	HTTP_OTHER,
};

enum http_auth {
	HTTP_AUTH_NONE,	     /* no Authorization field */
	HTTP_AUTH_BEARER,    /* "Bearer <token68>": token, token_len set */
	HTTP_AUTH_OTHER,     /* another scheme */
	HTTP_AUTH_MALFORMED, /* Bearer, but not a token68 */
};

struct http_request {
	enum http_method method;
	char target[HTTP_MAX_TARGET];
	bool http10;
	bool keep_alive;
	enum http_auth auth;
	const char *token; /* points into the parsed buffer */
	size_t token_len;
	size_t content_length;
	const char *body; /* points into the parsed buffer */
	size_t length;	  /* bytes of the whole request */
};

/*
 * Parse one request at the start of buf[0..len). Returns 1 when a whole
 * request is there (req filled, req->length bytes used), 0 when more bytes
 * are needed, or -status (400, 413, 414, 431, 501, 505) when the request
 * must be refused; *why then says what was wrong.
 */
int http_parse_request(const char *buf, size_t len, struct http_request *req,
		       const char **why);

/* The reason phrase of a status code ("OK", "Unauthorized", ...). */
const char *http_status_text(int status);

/*
 * Write a response with a JSON body: status line, Content-Type,
 * Content-Length, Cache-Control: no-store, Connection, any extra header
 * lines given (each ending in CRLF), then the body.
 */
void http_write_response(FILE *out, int status, bool keep_alive,
			 const char *extra_headers, const char *body,
			 size_t body_len);

#endif /* LMIG_HTTP_H */
