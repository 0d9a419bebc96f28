// SPDX-License-Identifier: GPL-2.0-only
/*
 * lmig-probe: MC-like traffic for tests and the demo.
 *
 *   lmig-probe echo --listen ADDR:PORT [--tcp] [--timeout SEC]
 *	echo every UDP datagram (or TCP stream) back, for at most SEC
 *	seconds (default 60)
 *   lmig-probe send --to ADDR:PORT [--bind ADDR] [--count N]
 *		    [--wait-ms MS] [--tcp]
 *	UDP: send N numbered datagrams (default 5), wait up to MS (default
 *	300) for each echo; TCP: try to connect within MS and exchange one
 *	message. Prints "sent N received R" and exits 0 whatever R is.
 *   lmig-probe hold --to ADDR:PORT [--bind ADDR] [--timeout SEC]
 *	connect over TCP, send nothing, and print "closed after N s" when
 *	the peer closes, or "still open" after SEC seconds (default 30)
 *   lmig-probe notify --listen PATH [--timeout SEC]
 *	receive sd_notify datagrams on a unix socket at PATH and print
 *	each, until one holds READY=1 or SEC seconds pass
 */
#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static int die(const char *what, const char *detail)
{
	fprintf(stderr, "lmig-probe: %s: %s\n", what, detail);
	return 2;
}

static struct addrinfo *resolve(const char *hostport, int socktype,
				bool passive)
{
	struct addrinfo hints = {.ai_socktype = socktype,
				 .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV |
					     (passive ? AI_PASSIVE : 0)};
	char host[256];
	const char *colon = strrchr(hostport, ':');
	struct addrinfo *ai;
	size_t n;

	if (!colon)
		return NULL;
	n = colon - hostport;
	if (n >= 2 && hostport[0] == '[' && hostport[n - 1] == ']') {
		hostport++;
		n -= 2;
	}
	if (n == 0 || n >= sizeof(host))
		return NULL;
	memcpy(host, hostport, n);
	host[n] = '\0';
	if (getaddrinfo(host, colon + 1, &hints, &ai))
		return NULL;
	return ai;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int echo_udp(int fd, int64_t end)
{
	char buf[2048];

	while (now_ms() < end) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		struct sockaddr_storage peer;
		socklen_t len = sizeof(peer);
		ssize_t n;

		if (poll(&p, 1, 200) <= 0)
			continue;
		n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&peer,
			     &len);
		if (n > 0)
			sendto(fd, buf, n, 0, (struct sockaddr *)&peer, len);
	}
	return 0;
}

static int echo_tcp(int fd, int64_t end)
{
	char buf[2048];

	listen(fd, 16);
	while (now_ms() < end) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		int c;
		ssize_t n;

		if (poll(&p, 1, 200) <= 0)
			continue;
		c = accept(fd, NULL, NULL);
		if (c < 0)
			continue;
		p.fd = c;
		if (poll(&p, 1, 1000) > 0) {
			n = recv(c, buf, sizeof(buf), 0);
			if (n > 0)
				send(c, buf, n, MSG_NOSIGNAL);
		}
		close(c);
	}
	return 0;
}

static int do_echo(const char *listen_at, bool tcp, int timeout_s)
{
	struct addrinfo *ai = resolve(listen_at, tcp ? SOCK_STREAM : SOCK_DGRAM,
				      true);
	int one = 1, fd;

	if (!ai)
		return die("not ADDR:PORT", listen_at);
	fd = socket(ai->ai_family, ai->ai_socktype, 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (fd < 0 || bind(fd, ai->ai_addr, ai->ai_addrlen))
		return die("cannot bind", strerror(errno));
	freeaddrinfo(ai);
	int64_t end = now_ms() + (int64_t)timeout_s * 1000;

	return tcp ? echo_tcp(fd, end) : echo_udp(fd, end);
}

static int open_sender(struct addrinfo *ai, const char *bind_to, int flags)
{
	int fd = socket(ai->ai_family, ai->ai_socktype | flags, 0);

	if (fd >= 0 && bind_to) {
		char spec[300];
		struct addrinfo *bi;

		snprintf(spec, sizeof(spec), "%s%s%s:0",
			 ai->ai_family == AF_INET6 ? "[" : "", bind_to,
			 ai->ai_family == AF_INET6 ? "]" : "");
		bi = resolve(spec, ai->ai_socktype, true);
		if (!bi || bind(fd, bi->ai_addr, bi->ai_addrlen)) {
			close(fd);
			fd = -1;
		}
		if (bi)
			freeaddrinfo(bi);
	}
	return fd;
}

static int send_udp(int fd, struct addrinfo *ai, int count, int wait_ms)
{
	int received = 0;

	if (connect(fd, ai->ai_addr, ai->ai_addrlen))
		return -1;
	for (int i = 0; i < count; i++) {
		char msg[32], buf[64];
		int len = snprintf(msg, sizeof(msg), "lmig-probe %d", i);
		int64_t end = now_ms() + wait_ms;

		send(fd, msg, len, 0);
		while (now_ms() < end) {
			struct pollfd p = {.fd = fd, .events = POLLIN};
			ssize_t n;

			if (poll(&p, 1, (int)(end - now_ms())) <= 0)
				break;
			n = recv(fd, buf, sizeof(buf), 0);
			if (n == len && !memcmp(buf, msg, len)) {
				received++;
				break;
			}
		}
	}
	return received;
}

static int send_tcp(int fd, struct addrinfo *ai, int wait_ms)
{
	struct pollfd p = {.fd = fd, .events = POLLOUT};
	char buf[64];
	int err = 0;
	socklen_t len = sizeof(err);

	if (connect(fd, ai->ai_addr, ai->ai_addrlen) && errno != EINPROGRESS)
		return 0;
	if (poll(&p, 1, wait_ms) <= 0 ||
	    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) || err)
		return 0;
	send(fd, "lmig-probe", 10, MSG_NOSIGNAL);
	p.events = POLLIN;
	if (poll(&p, 1, wait_ms) <= 0 || recv(fd, buf, sizeof(buf), 0) != 10)
		return 0;
	return 1;
}

static int do_send(const char *to, const char *bind_to, bool tcp, int count,
		   int wait_ms)
{
	struct addrinfo *ai = resolve(to, tcp ? SOCK_STREAM : SOCK_DGRAM,
				      false);
	int fd, received;

	if (!ai)
		return die("not ADDR:PORT", to);
	fd = open_sender(ai, bind_to, tcp ? SOCK_NONBLOCK : 0);
	if (fd < 0)
		return die("cannot open a socket from",
			   bind_to ? bind_to : "*");
	if (tcp) {
		count = 1;
		received = send_tcp(fd, ai, wait_ms);
	} else {
		received = send_udp(fd, ai, count, wait_ms);
	}
	freeaddrinfo(ai);
	close(fd);
	if (received < 0)
		return die("cannot send to", to);
	printf("sent %d received %d\n", count, received);
	return 0;
}

static int do_hold(const char *to, const char *bind_to, int timeout_s)
{
	struct addrinfo *ai = resolve(to, SOCK_STREAM, false);
	int64_t start = now_ms(), end = start + (int64_t)timeout_s * 1000;
	char buf[256];
	int fd;

	if (!ai)
		return die("not ADDR:PORT", to);
	fd = open_sender(ai, bind_to, 0);
	if (fd < 0 || connect(fd, ai->ai_addr, ai->ai_addrlen))
		return die("cannot connect to", to);
	freeaddrinfo(ai);
	while (now_ms() < end) {
		struct pollfd p = {.fd = fd, .events = POLLIN};

		if (poll(&p, 1, (int)(end - now_ms())) <= 0)
			break;
		if (recv(fd, buf, sizeof(buf), 0) <= 0) {
			printf("closed after %lld s\n",
			       (long long)(now_ms() - start + 500) / 1000);
			close(fd);
			return 0;
		}
	}
	printf("still open\n");
	close(fd);
	return 0;
}

static int do_notify(const char *path, int timeout_s)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int64_t end = now_ms() + (int64_t)timeout_s * 1000;
	char buf[512];
	int fd = socket(AF_UNIX, SOCK_DGRAM, 0);

	if (strlen(path) >= sizeof(sa.sun_path))
		return die("path too long", path);
	strcpy(sa.sun_path, path);
	unlink(path);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)))
		return die("cannot bind", path);
	while (now_ms() < end) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		ssize_t n;

		if (poll(&p, 1, (int)(end - now_ms())) <= 0)
			break;
		n = recv(fd, buf, sizeof(buf) - 1, 0);
		if (n <= 0)
			continue;
		buf[n] = '\0';
		printf("%s\n", buf);
		fflush(stdout);
		if (strstr(buf, "READY=1"))
			break;
	}
	close(fd);
	unlink(path);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"listen", required_argument, NULL, 'l'},
		{"to", required_argument, NULL, 't'},
		{"bind", required_argument, NULL, 'b'},
		{"count", required_argument, NULL, 'n'},
		{"wait-ms", required_argument, NULL, 'w'},
		{"timeout", required_argument, NULL, 'T'},
		{"tcp", no_argument, NULL, 'p'},
		{NULL, 0, NULL, 0},
	};
	const char *listen_at = NULL, *to = NULL, *bind_to = NULL;
	int count = 5, wait_ms = 300, timeout_s = 0, opt;
	bool tcp = false;

	if (argc < 2)
		return die("usage", "lmig-probe echo|send [options]");
	optind = 2;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'l':
			listen_at = optarg;
			break;
		case 't':
			to = optarg;
			break;
		case 'b':
			bind_to = optarg;
			break;
		case 'n':
			count = atoi(optarg);
			if (count < 1 || count > 100000)
				return die("--count must be 1..100000", optarg);
			break;
		case 'w':
			wait_ms = atoi(optarg);
			if (wait_ms < 1 || wait_ms > 60000)
				return die("--wait-ms must be 1..60000",
					   optarg);
			break;
		case 'T':
			timeout_s = atoi(optarg);
			if (timeout_s < 1 || timeout_s > 3600)
				return die("--timeout must be 1..3600", optarg);
			break;
		case 'p':
			tcp = true;
			break;
		default:
			return 2;
		}
	}
	if (!strcmp(argv[1], "echo") && listen_at)
		return do_echo(listen_at, tcp, timeout_s ? timeout_s : 60);
	if (!strcmp(argv[1], "send") && to)
		return do_send(to, bind_to, tcp, count, wait_ms);
	if (!strcmp(argv[1], "hold") && to)
		return do_hold(to, bind_to, timeout_s ? timeout_s : 30);
	if (!strcmp(argv[1], "notify") && listen_at)
		return do_notify(listen_at, timeout_s ? timeout_s : 30);
	return die("usage", "lmig-probe echo --listen A:P | send --to A:P");
}
