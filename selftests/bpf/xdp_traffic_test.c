// SPDX-License-Identifier: GPL-2.0-only
/*
 * The fast path on real traffic, over a veth between two network
 * namespaces:
 *
 *     netns "client"                        netns "gateway"
 *   +------------------+                  +--------------------------+
 *   | veth-c           |                  | veth-g  [lmig_fast_path] |
 *   | 192.0.2.1/24     |<---------------->| 192.0.2.2/24             |
 *   | 2001:db8::1/64   |                  | 2001:db8::2/64           |
 *   +------------------+                  |  udp 5000: ptt (MC)      |
 *                                         |  tcp 5060: ptt (MC)      |
 *                                         |  udp 6000: no class      |
 *                                         +--------------------------+
 *
 * traffic: the client sends UDP datagrams and opens TCP connections to
 * the gateway through its sockets. tagged: the client writes 802.1Q and
 * QinQ (802.1ad, then 802.1Q) frames of UDP datagrams and TCP SYNs onto
 * the wire through a packet socket, and the gateway sees what passes on
 * one (VLAN devices would need the 8021q module, which neither the
 * development kernel nor the test VM has). The program runs on the
 * gateway's end of the veth (native mode). MC traffic must pass exactly
 * while the client's address is admitted for the service and its user is
 * active, and every verdict must be counted under its reason and for its
 * user; other traffic passes. The namespaces, the veth and a private BPF
 * filesystem belong to the test process alone and vanish with it. Every
 * wait is bounded.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>

#include "kselftest_harness.h"

#include <linux/lmig.h>
#include "clock.h"
#include "fastpath.h"
#include "iproute.h"
#include "lmig_maps.h"

#define PORT_MC	    5000
#define PORT_MC_TCP 5060
#define PORT_PLAIN  6000
#define BURST	    5
#define USER	    7
/* Longest wait for one datagram, a connection or counters to settle. */
#define WAIT_MS 5000

FIXTURE(traffic)
{
	int client_ns, gateway_ns;
	struct lmig_fp *fp;
	char instance[LMIG_FP_INSTANCE_MAX + 1];
	int tx;		     /* client socket */
	int rx_mc, rx_other; /* gateway sockets */
	int listener;	     /* gateway TCP socket */
	struct sockaddr_storage to_mc, to_other, to_tcp;
	socklen_t to_len;
	struct lmig_addr client;
	uint32_t slot;
	char msg[LMIG_FP_MSG_MAX];
};

FIXTURE_VARIANT(traffic)
{
	int family;
	const char *client_addr, *gateway_addr;
};

FIXTURE_VARIANT_ADD(traffic, ipv4){
	.family = AF_INET,
	.client_addr = "192.0.2.1",
	.gateway_addr = "192.0.2.2",
};

FIXTURE_VARIANT_ADD(traffic, ipv6){
	.family = AF_INET6,
	.client_addr = "2001:db8::1",
	.gateway_addr = "2001:db8::2",
};

static int new_netns(void)
{
	if (unshare(CLONE_NEWNET))
		return -1;
	if (ip_cmd("link set lo up"))
		return -1;
	return open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
}

static socklen_t sockaddr_of(int family, const char *text, uint16_t port,
			     struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		inet_pton(AF_INET, text, &sin->sin_addr);
		return sizeof(*sin);
	}
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(port);
	inet_pton(AF_INET6, text, &sin6->sin6_addr);
	return sizeof(*sin6);
}

static int bound_socket(int family, int type, const char *addr, uint16_t port)
{
	struct timeval tv = {.tv_sec = WAIT_MS / 1000};
	struct sockaddr_storage ss;
	socklen_t len = sockaddr_of(family, addr, port, &ss);
	int fd = socket(family, type | SOCK_CLOEXEC, 0), one = 1;

	if (fd < 0)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&ss, len) ||
	    (type == SOCK_STREAM && listen(fd, 4))) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Both namespaces, the veth between them, and a private BPF filesystem;
 * the calling process ends in the gateway's namespace. */
static int veth_pair(int *client_ns, int *gateway_ns)
{
	if (unshare(CLONE_NEWNS) ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
	    mount("bpf", "/sys/fs/bpf", "bpf", 0, "mode=0700"))
		return -1;
	*gateway_ns = new_netns();
	if (*gateway_ns < 0)
		return -1;
	*client_ns = new_netns();
	if (*client_ns < 0)
		return -1;
	if (ip_cmd("link add veth-c address 02:00:00:00:00:01 type veth peer "
		   "name veth-g address 02:00:00:00:00:02 netns /proc/%d/fd/%d",
		   getpid(), *gateway_ns) ||
	    ip_cmd("link set veth-c up") || setns(*gateway_ns, CLONE_NEWNET) ||
	    ip_cmd("link set veth-g up"))
		return -1;
	return 0;
}

/* The program on veth-g, udp 5000 and tcp 5060 ptt, user USER active. */
static int gateway(struct lmig_fp **fp, const char *instance, uint32_t *slot,
		   char *msg, size_t msglen)
{
	struct lmig_config cfg = {.unclassified = LMIG_DEFAULT_PASS};
	struct lmig_user user = {.valid_until_ns = LMIG_TIME_NEVER,
				 .generation = 1,
				 .state = LMIG_STATE_ACTIVE,
				 .services = LMIG_SERVICES_ALL};
	enum lmig_xdp_mode mode;
	bool reused;
	int err;

	err = lmig_fp_load(instance, fp, msg, msglen);
	if (!err)
		err = lmig_fp_ports_set(*fp, LMIG_L4_UDP, PORT_MC, PORT_MC,
					LMIG_CLASS_PTT, msg, msglen);
	if (!err)
		err = lmig_fp_ports_set(*fp, LMIG_L4_TCP, PORT_MC_TCP,
					PORT_MC_TCP, LMIG_CLASS_PTT, msg,
					msglen);
	if (!err)
		err = lmig_fp_config_set(*fp, &cfg, msg, msglen);
	if (!err)
		err = lmig_fp_user_put(*fp, USER, &user, slot, msg, msglen);
	if (!err)
		err = lmig_fp_attach(*fp, "veth-g", LMIG_XDP_NATIVE, &mode,
				     &reused, msg, msglen);
	return err;
}

FIXTURE_SETUP(traffic)
{
	const char *fam = variant->family == AF_INET ? "" : "-6 ";
	const char *plen = variant->family == AF_INET ? "24" : "64 nodad";

	self->client_ns = self->gateway_ns = self->tx = -1;
	self->rx_mc = self->rx_other = self->listener = -1;
	ASSERT_EQ(0, veth_pair(&self->client_ns, &self->gateway_ns));

	/* Static neighbours: no ARP/ND. */
	ASSERT_EQ(0, setns(self->client_ns, CLONE_NEWNET));
	ASSERT_EQ(0, ip_cmd("%saddr add %s/%s dev veth-c", fam,
			    variant->client_addr, plen));
	ASSERT_EQ(0, ip_cmd("%sneigh add %s lladdr 02:00:00:00:00:02 dev "
			    "veth-c nud permanent",
			    fam, variant->gateway_addr));
	self->tx = socket(variant->family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ASSERT_LE(0, self->tx);

	ASSERT_EQ(0, setns(self->gateway_ns, CLONE_NEWNET));
	ASSERT_EQ(0, ip_cmd("%saddr add %s/%s dev veth-g", fam,
			    variant->gateway_addr, plen));
	ASSERT_EQ(0, ip_cmd("%sneigh add %s lladdr 02:00:00:00:00:01 dev "
			    "veth-g nud permanent",
			    fam, variant->client_addr));
	self->rx_mc = bound_socket(variant->family, SOCK_DGRAM,
				   variant->gateway_addr, PORT_MC);
	ASSERT_LE(0, self->rx_mc);
	self->rx_other = bound_socket(variant->family, SOCK_DGRAM,
				      variant->gateway_addr, PORT_PLAIN);
	ASSERT_LE(0, self->rx_other);
	self->listener = bound_socket(variant->family, SOCK_STREAM,
				      variant->gateway_addr, PORT_MC_TCP);
	ASSERT_LE(0, self->listener);
	self->to_len = sockaddr_of(variant->family, variant->gateway_addr,
				   PORT_MC, &self->to_mc);
	sockaddr_of(variant->family, variant->gateway_addr, PORT_PLAIN,
		    &self->to_other);
	sockaddr_of(variant->family, variant->gateway_addr, PORT_MC_TCP,
		    &self->to_tcp);
	ASSERT_EQ(0, lmig_addr_parse(variant->client_addr, &self->client, NULL,
				     0));
	snprintf(self->instance, sizeof(self->instance), "traffic-%d",
		 getpid());
	ASSERT_EQ(0, gateway(&self->fp, self->instance, &self->slot, self->msg,
			     sizeof(self->msg)))
	TH_LOG("%s", self->msg);
}

FIXTURE_TEARDOWN(traffic)
{
	int fds[] = {self->tx,	     self->rx_mc,     self->rx_other,
		     self->listener, self->client_ns, self->gateway_ns};

	if (self->fp)
		EXPECT_EQ(0, lmig_fp_remove(self->instance, NULL, 0));
	lmig_fp_close(self->fp);
	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

static uint64_t packets(FIXTURE_DATA(traffic) * self, enum lmig_reason r)
{
	struct lmig_counter stats[__LMIG_REASON_MAX];

	if (lmig_fp_stats(self->fp, stats, __LMIG_REASON_MAX, NULL, 0))
		return UINT64_MAX;
	return stats[r].packets;
}

static void sleep_ms(int ms)
{
	struct timespec ts = {.tv_sec = ms / 1000,
			      .tv_nsec = (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

/* Wait, bounded, until counter r reached want; return what it holds. */
static uint64_t wait_packets(FIXTURE_DATA(traffic) * self, enum lmig_reason r,
			     uint64_t want)
{
	uint64_t have = packets(self, r);

	for (int waited = 0; have < want && waited < WAIT_MS; waited += 10) {
		sleep_ms(10);
		have = packets(self, r);
	}
	return have;
}

static int send_burst(FIXTURE_DATA(traffic) * self,
		      const struct sockaddr_storage *to, int tag)
{
	char payload[32];

	for (int i = 0; i < BURST; i++) {
		int n = snprintf(payload, sizeof(payload), "lmig %d %d", tag,
				 i);

		if (sendto(self->tx, payload, n, 0, (const struct sockaddr *)to,
			   self->to_len) != n)
			return -errno;
	}
	return 0;
}

/* How many of the burst tagged tag arrive, in order, within the wait. */
static int receive_burst(int fd, int tag)
{
	char buf[64], want[32];
	int got = 0;

	for (int i = 0; i < BURST; i++) {
		ssize_t n = recv(fd, buf, sizeof(buf) - 1, 0);

		if (n < 0)
			break;
		buf[n] = '\0';
		snprintf(want, sizeof(want), "lmig %d %d", tag, i);
		if (strcmp(buf, want))
			break;
		got++;
	}
	return got;
}

/* Nothing is waiting on fd. */
static bool nothing_queued(int fd)
{
	char buf[64];

	return recv(fd, buf, sizeof(buf), MSG_DONTWAIT) < 0 &&
	       (errno == EAGAIN || errno == EWOULDBLOCK);
}

/* The program counts before the stack delivers; wait for the counters,
 * then nothing of the burst may have arrived. */
#define EXPECT_DROPPED(reason, tag)                                      \
	do {                                                             \
		uint64_t sent_at_ = packets(self, reason);               \
		ASSERT_EQ(0, send_burst(self, &self->to_mc, tag));       \
		EXPECT_EQ(sent_at_ + BURST,                              \
			  wait_packets(self, reason, sent_at_ + BURST)); \
		EXPECT_TRUE(nothing_queued(self->rx_mc));                \
	} while (0)

#define EXPECT_ADMITTED(tag)                                          \
	do {                                                          \
		uint64_t sent_at = packets(self, LMIG_PASS_ADMITTED); \
		ASSERT_EQ(0, send_burst(self, &self->to_mc, tag));    \
		EXPECT_EQ(BURST, receive_burst(self->rx_mc, tag));    \
		EXPECT_EQ(sent_at + BURST,                            \
			  wait_packets(self, LMIG_PASS_ADMITTED,      \
				       sent_at + BURST));             \
	} while (0)

static int admit(FIXTURE_DATA(traffic) * self, uint32_t services,
		 uint64_t expires)
{
	struct lmig_admission adm = {
		.expires_ns = expires,
		.granted_ns = lmig_clock_now_ns(),
		.user_id = USER,
		.user_slot = self->slot,
		.services = services,
		.requested = services,
	};

	return lmig_fp_admission_put(self->fp, &self->client, &adm, NULL, 0);
}

static int set_user(FIXTURE_DATA(traffic) * self, uint32_t state)
{
	struct lmig_user user = {
		.valid_until_ns = LMIG_TIME_NEVER,
		.generation = 1,
		.state = state,
		.services = LMIG_SERVICES_ALL,
	};

	return lmig_fp_user_put(self->fp, USER, &user, NULL, NULL, 0);
}

TEST_F(traffic, admission_decides)
{
	uint64_t hour = lmig_clock_now_ns() + 3600 * LMIG_NSEC_PER_SEC;
	struct lmig_user_counter before, after;
	uint64_t passed;

	/* Before any admission: MC traffic is dropped, other passes. */
	EXPECT_DROPPED(LMIG_DROP_NO_ADMISSION, 1);
	passed = packets(self, LMIG_PASS_UNCLASSIFIED);
	ASSERT_EQ(0, send_burst(self, &self->to_other, 2));
	EXPECT_EQ(BURST, receive_burst(self->rx_other, 2));
	EXPECT_LE(passed + BURST, packets(self, LMIG_PASS_UNCLASSIFIED));

	/* Admitted for the service, user active: it passes, and counts
	 * for the user. */
	ASSERT_EQ(0, admit(self, LMIG_SERVICE_PTT, hour));
	ASSERT_EQ(0,
		  lmig_fp_user_stats(self->fp, self->slot, &before, NULL, 0));
	EXPECT_ADMITTED(3);
	ASSERT_EQ(0, lmig_fp_user_stats(self->fp, self->slot, &after, NULL, 0));
	EXPECT_EQ(before.packets + BURST, after.packets);
	EXPECT_LT(before.bytes + BURST * 28, after.bytes);

	/* Admitted for another service only. */
	ASSERT_EQ(0, admit(self, LMIG_SERVICE_VIDEO, hour));
	EXPECT_DROPPED(LMIG_DROP_SERVICE, 4);

	/* The user is suspended: one write stops the session. */
	ASSERT_EQ(0, admit(self, LMIG_SERVICE_PTT, hour));
	ASSERT_EQ(0, set_user(self, LMIG_STATE_SUSPENDED));
	EXPECT_DROPPED(LMIG_DROP_SUSPENDED, 5);
	ASSERT_EQ(0,
		  lmig_fp_user_stats(self->fp, self->slot, &before, NULL, 0));
	EXPECT_EQ(after.drops + 2 * BURST, before.drops);

	/* Reactivated, then the admission runs out. */
	ASSERT_EQ(0, set_user(self, LMIG_STATE_ACTIVE));
	EXPECT_ADMITTED(6);
	ASSERT_EQ(0, admit(self, LMIG_SERVICE_PTT,
			   lmig_clock_now_ns() - LMIG_NSEC_PER_SEC));
	EXPECT_DROPPED(LMIG_DROP_EXPIRED, 7);

	/* The admission withdrawn: back to none. */
	ASSERT_EQ(0, lmig_fp_admission_del(self->fp, &self->client, NULL, 0));
	EXPECT_DROPPED(LMIG_DROP_NO_ADMISSION, 8);

	/* Other traffic was never affected. */
	ASSERT_EQ(0, send_burst(self, &self->to_other, 9));
	EXPECT_EQ(BURST, receive_burst(self->rx_other, 9));
}

/* Wait, bounded, for fd to be writable (connected) or failed. */
static int wait_connected(int fd, int ms)
{
	struct pollfd p = {.fd = fd, .events = POLLOUT};
	socklen_t len = sizeof(int);
	int err = 0;

	if (poll(&p, 1, ms) != 1)
		return -ETIMEDOUT;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len))
		return -errno;
	return -err;
}

static int tcp_connect(FIXTURE_DATA(traffic) * self, int family)
{
	int fd;

	if (setns(self->client_ns, CLONE_NEWNET))
		return -1;
	fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd >= 0 &&
	    connect(fd, (struct sockaddr *)&self->to_tcp, self->to_len) &&
	    errno != EINPROGRESS) {
		close(fd);
		fd = -1;
	}
	if (setns(self->gateway_ns, CLONE_NEWNET)) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

TEST_F(traffic, tcp_needs_admission)
{
	uint64_t hour = lmig_clock_now_ns() + 3600 * LMIG_NSEC_PER_SEC;
	uint64_t dropped = packets(self, LMIG_DROP_NO_ADMISSION), passed;
	char buf[16];
	int c, s;

	/* Unadmitted: the SYN is dropped and counted; no connection. */
	c = tcp_connect(self, variant->family);
	ASSERT_LE(0, c);
	EXPECT_LE(dropped + 1,
		  wait_packets(self, LMIG_DROP_NO_ADMISSION, dropped + 1));
	EXPECT_EQ(-ETIMEDOUT, wait_connected(c, 0));
	close(c);

	/* Admitted: the handshake and the data pass. */
	ASSERT_EQ(0, admit(self, LMIG_SERVICE_PTT, hour));
	passed = packets(self, LMIG_PASS_ADMITTED);
	c = tcp_connect(self, variant->family);
	ASSERT_LE(0, c);
	ASSERT_EQ(0, wait_connected(c, WAIT_MS));
	s = accept(self->listener, NULL, NULL);
	ASSERT_LE(0, s);
	ASSERT_EQ(5, send(c, "hello", 5, 0));
	EXPECT_EQ(5, recv(s, buf, sizeof(buf), 0));
	EXPECT_EQ(0, memcmp(buf, "hello", 5));
	EXPECT_LE(passed + 3, packets(self, LMIG_PASS_ADMITTED));

	/* Suspended: the next segment is dropped, nothing arrives. */
	dropped = packets(self, LMIG_DROP_SUSPENDED);
	ASSERT_EQ(0, set_user(self, LMIG_STATE_SUSPENDED));
	ASSERT_EQ(4, send(c, "more", 4, 0));
	EXPECT_LE(dropped + 1,
		  wait_packets(self, LMIG_DROP_SUSPENDED, dropped + 1));
	EXPECT_TRUE(nothing_queued(s));
	close(s);
	close(c);
}

TEST_F(traffic, detach_stops_judging)
{
	uint64_t dropped;

	EXPECT_DROPPED(LMIG_DROP_NO_ADMISSION, 1);
	dropped = packets(self, LMIG_DROP_NO_ADMISSION);
	ASSERT_EQ(0, lmig_fp_detach(self->fp, "veth-g", self->msg,
				    sizeof(self->msg)))
	TH_LOG("%s", self->msg);
	ASSERT_EQ(0, send_burst(self, &self->to_mc, 2));
	EXPECT_EQ(BURST, receive_burst(self->rx_mc, 2));
	EXPECT_EQ(dropped, packets(self, LMIG_DROP_NO_ADMISSION));
}

/* ---- tagged frames ---------------------------------------------------- */

FIXTURE(tagged)
{
	int client_ns, gateway_ns;
	struct lmig_fp *fp;
	char instance[LMIG_FP_INSTANCE_MAX + 1];
	int tx, rx; /* packet sockets on veth-c and veth-g */
	struct lmig_addr client;
	uint32_t slot;
	uint32_t seq;
	char msg[LMIG_FP_MSG_MAX];
};

FIXTURE_VARIANT(tagged)
{
	int family;
	int vlans; /* 1: 802.1Q 100; 2: 802.1ad 10, then 802.1Q 20 */
};

FIXTURE_VARIANT_ADD(tagged, ipv4_vlan){.family = AF_INET, .vlans = 1};
FIXTURE_VARIANT_ADD(tagged, ipv6_vlan){.family = AF_INET6, .vlans = 1};
FIXTURE_VARIANT_ADD(tagged, ipv4_qinq){.family = AF_INET, .vlans = 2};
FIXTURE_VARIANT_ADD(tagged, ipv6_qinq){.family = AF_INET6, .vlans = 2};

static int packet_socket(const char *ifname, int protocol)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(protocol),
		.sll_ifindex = if_nametoindex(ifname),
	};
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
			htons(protocol));

	if (fd < 0)
		return -1;
	if (!sll.sll_ifindex ||
	    bind(fd, (struct sockaddr *)&sll, sizeof(sll))) {
		close(fd);
		return -1;
	}
	return fd;
}

FIXTURE_SETUP(tagged)
{
	self->client_ns = self->gateway_ns = self->tx = self->rx = -1;
	ASSERT_EQ(0, veth_pair(&self->client_ns, &self->gateway_ns));
	ASSERT_EQ(0, setns(self->client_ns, CLONE_NEWNET));
	self->tx = packet_socket("veth-c", 0);
	ASSERT_LE(0, self->tx);
	ASSERT_EQ(0, setns(self->gateway_ns, CLONE_NEWNET));
	self->rx = packet_socket("veth-g", ETH_P_ALL);
	ASSERT_LE(0, self->rx);
	ASSERT_EQ(0, lmig_addr_parse(variant->family == AF_INET ? "192.0.2.1"
								: "2001:db8::1",
				     &self->client, NULL, 0));
	snprintf(self->instance, sizeof(self->instance), "tagged-%d", getpid());
	ASSERT_EQ(0, gateway(&self->fp, self->instance, &self->slot, self->msg,
			     sizeof(self->msg)))
	TH_LOG("%s", self->msg);
}

FIXTURE_TEARDOWN(tagged)
{
	int fds[] = {self->tx, self->rx, self->client_ns, self->gateway_ns};

	if (self->fp)
		EXPECT_EQ(0, lmig_fp_remove(self->instance, NULL, 0));
	lmig_fp_close(self->fp);
	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

/* The Internet checksum of len bytes (RFC 1071), folded. */
static uint16_t inet_sum(const uint8_t *p, size_t len, uint32_t sum)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

/*
 * A tagged frame from the client to the gateway: UDP with a marker as
 * payload, or a TCP SYN whose sequence number is the marker. Checksums
 * are right, so nothing but the program tells the frames apart.
 */
static size_t tagged_frame(const FIXTURE_VARIANT(tagged) * v, uint8_t proto,
			   uint16_t dport, uint32_t marker, uint8_t *f)
{
	size_t off = 12, ip, l4, l4len, len;
	uint32_t sum = 0;

	memcpy(f, "\x02\0\0\0\0\x02\x02\0\0\0\0\x01", 12);
	if (v->vlans == 2) {
		put16(f + off, ETH_P_8021AD);
		put16(f + off + 2, 10);
		off += 4;
	}
	put16(f + off, ETH_P_8021Q);
	put16(f + off + 2, v->vlans == 2 ? 20 : 100);
	off += 4;
	put16(f + off, v->family == AF_INET ? ETH_P_IP : ETH_P_IPV6);
	ip = off + 2;
	l4 = ip + (v->family == AF_INET ? 20 : 40);
	l4len = proto == IPPROTO_UDP ? 8 + 4 : 20;
	len = l4 + l4len;
	memset(f + ip, 0, len - ip);

	put16(f + l4, 40000);
	put16(f + l4 + 2, dport);
	if (proto == IPPROTO_UDP) {
		put16(f + l4 + 4, l4len);
		memcpy(f + l4 + 8, &marker, 4);
	} else {
		memcpy(f + l4 + 4, &marker, 4);
		f[l4 + 12] = 5 << 4;
		f[l4 + 13] = 0x02; /* SYN */
		put16(f + l4 + 14, 65535);
	}
	if (v->family == AF_INET) {
		f[ip] = 0x45;
		put16(f + ip + 2, len - ip);
		f[ip + 8] = 64;
		f[ip + 9] = proto;
		memcpy(f + ip + 12, "\xc0\x00\x02\x01\xc0\x00\x02\x02", 8);
		put16(f + ip + 10, ~inet_sum(f + ip, 20, 0));
		sum = inet_sum(f + ip + 12, 8, 0);
	} else {
		f[ip] = 0x60;
		put16(f + ip + 4, l4len);
		f[ip + 6] = proto;
		f[ip + 7] = 64;
		memcpy(f + ip + 8, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01",
		       16);
		memcpy(f + ip + 24,
		       "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x02", 16);
		sum = inet_sum(f + ip + 8, 32, 0);
	}
	sum += proto + l4len;
	put16(f + l4 + (proto == IPPROTO_UDP ? 6 : 16),
	      ~inet_sum(f + l4, l4len, sum));
	return len;
}

/* Frames the gateway's packet socket holds that carry one of the BURST
 * markers from first on. */
static int seen(FIXTURE_DATA(tagged) * self, uint32_t first)
{
	uint8_t buf[256];
	uint32_t marker;
	ssize_t len;
	int n = 0;

	while ((len = recv(self->rx, buf, sizeof(buf), 0)) > 0)
		for (ssize_t i = 0; i + 4 <= len; i++) {
			memcpy(&marker, buf + i, 4);
			if (marker - first < BURST) {
				n++;
				break;
			}
		}
	return n;
}

/*
 * Write BURST frames with fresh markers; wait, bounded, until the program
 * counted them under reason; return how many passed to the gateway.
 */
static int tagged_burst(FIXTURE_DATA(tagged) * self,
			const FIXTURE_VARIANT(tagged) * v, uint8_t proto,
			enum lmig_reason reason)
{
	struct lmig_counter stats[__LMIG_REASON_MAX];
	uint16_t dport = proto == IPPROTO_UDP ? PORT_MC : PORT_MC_TCP;
	uint32_t first = ++self->seq * 0x01000193;
	uint64_t want;
	uint8_t f[128];
	int got = 0;

	if (lmig_fp_stats(self->fp, stats, __LMIG_REASON_MAX, NULL, 0))
		return -1;
	want = stats[reason].packets + BURST;
	seen(self, first); /* drain */
	for (int i = 0; i < BURST; i++) {
		size_t len = tagged_frame(v, proto, dport, first + i, f);

		if (send(self->tx, f, len, 0) != (ssize_t)len)
			return -1;
	}
	for (int waited = 0; waited < WAIT_MS; waited += 10) {
		if (lmig_fp_stats(self->fp, stats, __LMIG_REASON_MAX, NULL, 0))
			return -1;
		if (stats[reason].packets >= want)
			break;
		sleep_ms(10);
	}
	if (stats[reason].packets != want)
		return -1;
	/* Counted before delivered: what passed may still be on its way,
	 * what was dropped never comes. */
	got = seen(self, first);
	for (int waited = 0;
	     lmig_reason_passes(reason) && got < BURST && waited < WAIT_MS;
	     waited += 10) {
		sleep_ms(10);
		got += seen(self, first);
	}
	return got;
}

static int tagged_admit(FIXTURE_DATA(tagged) * self, uint32_t services)
{
	struct lmig_admission adm = {
		.expires_ns = lmig_clock_now_ns() + 3600 * LMIG_NSEC_PER_SEC,
		.granted_ns = lmig_clock_now_ns(),
		.user_id = USER,
		.user_slot = self->slot,
		.services = services,
		.requested = services,
	};

	return lmig_fp_admission_put(self->fp, &self->client, &adm, NULL, 0);
}

TEST_F(tagged, udp_needs_admission)
{
	struct lmig_user user = {.valid_until_ns = LMIG_TIME_NEVER,
				 .generation = 2,
				 .state = LMIG_STATE_SUSPENDED,
				 .services = LMIG_SERVICES_ALL};

	EXPECT_EQ(0, tagged_burst(self, variant, IPPROTO_UDP,
				  LMIG_DROP_NO_ADMISSION));
	ASSERT_EQ(0, tagged_admit(self, LMIG_SERVICE_PTT));
	EXPECT_EQ(BURST,
		  tagged_burst(self, variant, IPPROTO_UDP, LMIG_PASS_ADMITTED));
	ASSERT_EQ(0, tagged_admit(self, LMIG_SERVICE_DATA));
	EXPECT_EQ(0,
		  tagged_burst(self, variant, IPPROTO_UDP, LMIG_DROP_SERVICE));
	ASSERT_EQ(0, tagged_admit(self, LMIG_SERVICE_PTT));
	ASSERT_EQ(0, lmig_fp_user_put(self->fp, USER, &user, NULL, NULL, 0));
	EXPECT_EQ(0, tagged_burst(self, variant, IPPROTO_UDP,
				  LMIG_DROP_SUSPENDED));
}

TEST_F(tagged, tcp_syn_needs_admission)
{
	struct lmig_user_counter c;

	EXPECT_EQ(0, tagged_burst(self, variant, IPPROTO_TCP,
				  LMIG_DROP_NO_ADMISSION));
	ASSERT_EQ(0, tagged_admit(self, LMIG_SERVICE_PTT));
	EXPECT_EQ(BURST,
		  tagged_burst(self, variant, IPPROTO_TCP, LMIG_PASS_ADMITTED));
	ASSERT_EQ(0, lmig_fp_user_stats(self->fp, self->slot, &c, NULL, 0));
	EXPECT_EQ(BURST, c.packets);
	EXPECT_EQ(0, c.drops);
}

TEST_HARNESS_MAIN
