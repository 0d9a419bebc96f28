// SPDX-License-Identifier: GPL-2.0-only
/*
 * lmig-tlsbench: load on the admission endpoint over TLS, for
 * bench/agent/run. Each of --conns threads does, again and again:
 *
 *   keepalive  POST /v1/admission on one TLS connection it keeps
 *   close      a new TLS connection per POST (Connection: close)
 *   handshake  a new TLS connection, the full handshake, then close
 *
 * until --count operations are done or --seconds have passed, whichever
 * comes first; then prints one line of figures: operations, errors,
 * answers other than 200, rate, and the latency of one operation (p50,
 * p99, in microseconds). Sessions are never resumed: every handshake is
 * a full one.
 */
#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#define MAX_CONNS 256

enum mode {
	KEEPALIVE,
	CLOSE,
	HANDSHAKE
};

struct bench {
	enum mode mode;
	struct addrinfo *ai;
	SSL_CTX *ctx;
	char *request;
	size_t request_len;
	long count;
	double deadline;
	atomic_long next; /* operations handed out */
};

struct worker {
	struct bench *b;
	pthread_t thread;
	double *lat; /* seconds, one per operation done */
	long n, errors, non200;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static SSL *tls_connect(struct bench *b)
{
	int fd = socket(b->ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct timeval tv = {.tv_sec = 10};
	SSL *ssl;

	if (fd < 0)
		return NULL;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, b->ai->ai_addr, b->ai->ai_addrlen)) {
		close(fd);
		return NULL;
	}
	ssl = SSL_new(b->ctx);
	if (!ssl || !SSL_set_fd(ssl, fd) || SSL_connect(ssl) != 1) {
		SSL_free(ssl);
		close(fd);
		ERR_clear_error();
		return NULL;
	}
	return ssl;
}

static void tls_close(SSL *ssl)
{
	int fd;

	if (!ssl)
		return;
	fd = SSL_get_fd(ssl);
	SSL_shutdown(ssl);
	SSL_free(ssl);
	close(fd);
	ERR_clear_error();
}

/* Send the request, read one answer: its status, or -1. */
static int exchange(struct bench *b, SSL *ssl)
{
	char buf[16384];
	size_t len = 0, want = 0;
	char *end;

	if (SSL_write(ssl, b->request, b->request_len) != (int)b->request_len)
		return -1;
	for (;;) {
		int r = SSL_read(ssl, buf + len, sizeof(buf) - 1 - len);

		if (r <= 0)
			return -1;
		len += r;
		buf[len] = '\0';
		end = strstr(buf, "\r\n\r\n");
		if (end && !want) {
			char *cl = strcasestr(buf, "\r\nContent-Length:");

			want = end + 4 - buf +
			       (cl ? strtoul(cl + 17, NULL, 10) : 0);
		}
		if (want && len >= want)
			break;
		if (len == sizeof(buf) - 1)
			return -1;
	}
	if (strncmp(buf, "HTTP/1.1 ", 9))
		return -1;
	return atoi(buf + 9);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct bench *b = w->b;
	SSL *ssl = NULL;

	while (now_s() < b->deadline &&
	       atomic_fetch_add(&b->next, 1) < b->count) {
		double t0 = now_s();
		int status = 200;

		if (!ssl)
			ssl = tls_connect(b);
		if (!ssl) {
			w->errors++;
			continue;
		}
		if (b->mode != HANDSHAKE)
			status = exchange(b, ssl);
		if (b->mode != KEEPALIVE || status < 0) {
			tls_close(ssl);
			ssl = NULL;
		}
		if (status < 0) {
			w->errors++;
			continue;
		}
		w->non200 += status != 200;
		w->lat[w->n++] = now_s() - t0;
	}
	tls_close(ssl);
	return NULL;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static char *read_token(const char *path)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	if (!f)
		return NULL;
	n = getline(&line, &cap, f);
	fclose(f);
	if (n <= 0) {
		free(line);
		return NULL;
	}
	line[strcspn(line, "\r\n")] = '\0';
	return line;
}

static void usage(FILE *out)
{
	fprintf(out, "usage: lmig-tlsbench --connect HOST:PORT --ca FILE\n"
		     "                     --mode keepalive|close|handshake\n"
		     "                     [--token-file FILE] [--conns N] "
		     "[--count N] [--seconds S]\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"connect", required_argument, NULL, 'c'},
		{"ca", required_argument, NULL, 'a'},
		{"mode", required_argument, NULL, 'm'},
		{"token-file", required_argument, NULL, 't'},
		{"conns", required_argument, NULL, 'n'},
		{"count", required_argument, NULL, 'N'},
		{"seconds", required_argument, NULL, 's'},
		{NULL, 0, NULL, 0},
	};
	const char *connect_to = NULL, *ca = NULL, *mode = NULL,
		   *token_file = NULL;
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM};
	static struct worker workers[MAX_CONNS];
	struct bench b = {.count = 10000};
	long conns = 1, done = 0, errors = 0, non200 = 0;
	double seconds = 5, start, elapsed, *all;
	char host[256], *port, *token = NULL;
	int opt;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			connect_to = optarg;
			break;
		case 'a':
			ca = optarg;
			break;
		case 'm':
			mode = optarg;
			break;
		case 't':
			token_file = optarg;
			break;
		case 'n':
			conns = strtol(optarg, NULL, 10);
			break;
		case 'N':
			b.count = strtol(optarg, NULL, 10);
			break;
		case 's':
			seconds = strtod(optarg, NULL);
			break;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (!connect_to || !ca || !mode || conns < 1 || conns > MAX_CONNS ||
	    b.count < 1 || b.count > 10000000 || seconds <= 0 ||
	    seconds > 600) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(mode, "keepalive"))
		b.mode = KEEPALIVE;
	else if (!strcmp(mode, "close"))
		b.mode = CLOSE;
	else if (!strcmp(mode, "handshake"))
		b.mode = HANDSHAKE;
	else {
		usage(stderr);
		return 2;
	}
	if (b.mode != HANDSHAKE) {
		if (!token_file || !(token = read_token(token_file))) {
			fprintf(stderr, "lmig-tlsbench: --token-file needed\n");
			return 2;
		}
		if (asprintf(&b.request,
			     "POST /v1/admission HTTP/1.1\r\nHost: gateway\r\n"
			     "Authorization: Bearer %s\r\n%s\r\n",
			     token,
			     b.mode == CLOSE ? "Connection: close\r\n" : "") <
		    0)
			return 2;
		b.request_len = strlen(b.request);
	}
	port = strrchr(connect_to, ':');
	if (!port || (size_t)(port - connect_to) >= sizeof(host)) {
		usage(stderr);
		return 2;
	}
	snprintf(host, sizeof(host), "%.*s", (int)(port - connect_to),
		 connect_to);
	if (getaddrinfo(host, port + 1, &hints, &b.ai)) {
		fprintf(stderr, "lmig-tlsbench: cannot resolve %s\n", host);
		return 2;
	}
	b.ctx = SSL_CTX_new(TLS_client_method());
	if (!b.ctx || SSL_CTX_load_verify_locations(b.ctx, ca, NULL) != 1)
		return 2;
	SSL_CTX_set_verify(b.ctx, SSL_VERIFY_PEER, NULL);
	SSL_CTX_set_session_cache_mode(b.ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_options(b.ctx, SSL_OP_NO_TICKET);

	start = now_s();
	b.deadline = start + seconds;
	for (long i = 0; i < conns; i++) {
		workers[i].b = &b;
		workers[i].lat = calloc(b.count, sizeof(double));
		if (!workers[i].lat || pthread_create(&workers[i].thread, NULL,
						      worker_main, &workers[i]))
			return 2;
	}
	for (long i = 0; i < conns; i++) {
		pthread_join(workers[i].thread, NULL);
		done += workers[i].n;
		errors += workers[i].errors;
		non200 += workers[i].non200;
	}
	elapsed = now_s() - start;
	all = calloc(done ? done : 1, sizeof(double));
	if (!all)
		return 2;
	for (long i = 0, k = 0; i < conns; i++) {
		memcpy(all + k, workers[i].lat, workers[i].n * sizeof(double));
		k += workers[i].n;
		free(workers[i].lat);
	}
	qsort(all, done, sizeof(double), cmp_double);
	printf("mode=%s conns=%ld done=%ld errors=%ld non200=%ld "
	       "seconds=%.2f rate=%.0f p50_us=%.0f p99_us=%.0f\n",
	       mode, conns, done, errors, non200, elapsed, done / elapsed,
	       done ? all[done / 2] * 1e6 : 0,
	       done ? all[(long)(done * 0.99)] * 1e6 : 0);
	free(all);
	free(token);
	free(b.request);
	SSL_CTX_free(b.ctx);
	freeaddrinfo(b.ai);
	return 0;
}
