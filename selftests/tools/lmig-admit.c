// SPDX-License-Identifier: GPL-2.0-only
/*
 * lmig-admit: a migrating MC client's side of the admission endpoint, for
 * tests and the demo. Opens TLS to the gateway, sends one HTTP request
 * with the access token as a Bearer credential, prints the status line
 * and the body.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#define MAX_TOKEN 16384
#define MAX_REPLY 65536

static void usage(FILE *out)
{
	fprintf(out,
		"usage: lmig-admit --connect HOST:PORT (--ca FILE | "
		"--insecure)\n"
		"                  [--token TOKEN | --token-file FILE]\n"
		"                  [--method POST|GET|DELETE] [--path PATH]\n"
		"                  [--bind ADDRESS] [--raw FILE] [--timeout "
		"SEC]\n"
		"                  [--statuses]\n"
		"\n"
		"Sends one request over TLS and prints 'HTTP <status>' and "
		"the\n"
		"body. --raw sends the file's bytes as the whole request\n"
		"(several pipelined requests, say); --statuses then prints "
		"the\n"
		"status of every response received, on one line.\n"
		"Exit status: 0 for 2xx, 1 for another status, 2 on errors.\n");
}

static int die(const char *what, const char *detail)
{
	unsigned long e = ERR_get_error();

	fprintf(stderr, "lmig-admit: %s%s%s", what, detail ? ": " : "",
		detail ? detail : "");
	if (e) {
		char buf[256];

		ERR_error_string_n(e, buf, sizeof(buf));
		fprintf(stderr, " (%s)", buf);
	}
	fputc('\n', stderr);
	return 2;
}

static char *read_file(const char *path, size_t max, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;

	if (!f)
		return NULL;
	buf = malloc(max + 1);
	if (buf) {
		*len = fread(buf, 1, max, f);
		buf[*len] = '\0';
	}
	fclose(f);
	return buf;
}

static int split_hostport(const char *s, char *host, size_t hlen, char **port)
{
	const char *colon = strrchr(s, ':');
	size_t n;

	if (!colon)
		return -1;
	n = colon - s;
	if (n >= 2 && s[0] == '[' && s[n - 1] == ']') {
		s++;
		n -= 2;
	}
	if (n == 0 || n >= hlen)
		return -1;
	memcpy(host, s, n);
	host[n] = '\0';
	*port = (char *)colon + 1;
	return 0;
}

static int connect_to(const char *host, const char *port, const char *bind_to,
		      int timeout_s)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM,
				 .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV};
	struct addrinfo *ai;
	struct timeval tv = {.tv_sec = timeout_s};
	int fd;

	if (getaddrinfo(host, port, &hints, &ai))
		return -1;
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0 && bind_to) {
		struct addrinfo *bi;

		hints.ai_family = ai->ai_family;
		if (getaddrinfo(bind_to, "0", &hints, &bi) ||
		    bind(fd, bi->ai_addr, bi->ai_addrlen)) {
			close(fd);
			fd = -1;
		} else {
			freeaddrinfo(bi);
		}
	}
	if (fd >= 0) {
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		if (connect(fd, ai->ai_addr, ai->ai_addrlen)) {
			close(fd);
			fd = -1;
		}
	}
	freeaddrinfo(ai);
	return fd;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"connect", required_argument, NULL, 'c'},
		{"ca", required_argument, NULL, 'a'},
		{"insecure", no_argument, NULL, 'k'},
		{"token", required_argument, NULL, 't'},
		{"token-file", required_argument, NULL, 'T'},
		{"method", required_argument, NULL, 'm'},
		{"path", required_argument, NULL, 'p'},
		{"bind", required_argument, NULL, 'b'},
		{"raw", required_argument, NULL, 'r'},
		{"timeout", required_argument, NULL, 'w'},
		{"statuses", no_argument, NULL, 's'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *connect_arg = NULL, *ca = NULL, *method = "POST";
	const char *path = "/v1/admission", *bind_to = NULL, *raw = NULL;
	char *token = NULL, *request = NULL, *reply, host[256], *port;
	bool insecure = false, statuses = false;
	size_t token_len = 0, req_len = 0, got = 0;
	int timeout_s = 10, fd, opt, status;
	SSL_CTX *ctx;
	SSL *ssl;

	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			connect_arg = optarg;
			break;
		case 'a':
			ca = optarg;
			break;
		case 'k':
			insecure = true;
			break;
		case 't':
			token = strdup(optarg);
			token_len = strlen(optarg);
			break;
		case 'T':
			token = read_file(optarg, MAX_TOKEN, &token_len);
			if (!token)
				return die("cannot read token file", optarg);
			while (token_len && (token[token_len - 1] == '\n' ||
					     token[token_len - 1] == '\r'))
				token[--token_len] = '\0';
			break;
		case 'm':
			method = optarg;
			break;
		case 'p':
			path = optarg;
			break;
		case 'b':
			bind_to = optarg;
			break;
		case 'r':
			raw = optarg;
			break;
		case 'w':
			timeout_s = atoi(optarg);
			if (timeout_s <= 0 || timeout_s > 300)
				return die("--timeout must be 1..300", optarg);
			break;
		case 's':
			statuses = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (!connect_arg || (!ca && !insecure) || optind != argc) {
		usage(stderr);
		return 2;
	}
	if (split_hostport(connect_arg, host, sizeof(host), &port))
		return die("--connect is not HOST:PORT", connect_arg);

	if (raw) {
		request = read_file(raw, MAX_REPLY, &req_len);
		if (!request)
			return die("cannot read", raw);
	} else {
		FILE *f = open_memstream(&request, &req_len);

		fprintf(f, "%s %s HTTP/1.1\r\nHost: %s\r\n", method, path,
			host);
		if (token)
			fprintf(f, "Authorization: Bearer %s\r\n", token);
		fprintf(f, "Content-Length: 0\r\nConnection: close\r\n\r\n");
		fclose(f);
	}
	free(token);

	ctx = SSL_CTX_new(TLS_client_method());
	if (!ctx)
		return die("TLS context", NULL);
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	if (ca) {
		if (SSL_CTX_load_verify_locations(ctx, ca, NULL) != 1)
			return die("cannot load CA file", ca);
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	}
	fd = connect_to(host, port, bind_to, timeout_s);
	if (fd < 0)
		return die("cannot connect", strerror(errno));
	ssl = SSL_new(ctx);
	SSL_set_fd(ssl, fd);
	if (ca) {
		X509_VERIFY_PARAM *param = SSL_get0_param(ssl);

		if (X509_VERIFY_PARAM_set1_ip_asc(param, host) != 1)
			SSL_set1_host(ssl, host);
	}
	if (SSL_connect(ssl) != 1)
		return die("TLS handshake failed", NULL);
	if (SSL_write(ssl, request, req_len) != (int)req_len)
		return die("cannot send the request", NULL);
	free(request);

	reply = malloc(MAX_REPLY + 1);
	for (;;) {
		int n = SSL_read(ssl, reply + got, MAX_REPLY - got);

		if (n <= 0)
			break;
		got += n;
		if (got == MAX_REPLY)
			break;
	}
	reply[got] = '\0';
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	close(fd);

	if (statuses) {
		const char *p = reply;
		int n = 0;

		while ((p = strstr(p, "HTTP/1.1 ")) &&
		       sscanf(p, "HTTP/1.1 %d", &status) == 1) {
			printf("%s%d", n++ ? " " : "", status);
			p += 9;
		}
		printf("\n");
		free(reply);
		return n ? 0 : 1;
	}
	if (sscanf(reply, "HTTP/1.1 %d", &status) != 1)
		return die("no HTTP response",
			   got ? reply : "connection closed");
	char *body = strstr(reply, "\r\n\r\n");

	printf("HTTP %d\n%s\n", status, body ? body + 4 : "");
	free(reply);
	return status >= 200 && status < 300 ? 0 : 1;
}
