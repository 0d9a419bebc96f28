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
 *                                         |  udp 6000: no class      |
 *                                         +--------------------------+
 *
 * The client sends UDP datagrams to the gateway; the program runs on the
 * gateway's end of the veth (native mode). MC traffic must pass exactly
 * while the client's address is admitted for the service and its user is
 * active, and every drop must be counted under its reason; other traffic
 * passes. Both namespaces, the veth and a private BPF filesystem belong to
 * the test process alone and vanish with it. Every wait is bounded.
 */
#include <errno.h>
#include <fcntl.h>
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

#include "kselftest_harness.h"

#include <linux/lmig.h>
#include "clock.h"
#include "fastpath.h"
#include "iproute.h"
#include "lmig_maps.h"

#define PORT_MC	   5000
#define PORT_OTHER 6000
#define BURST	   5
#define USER	   7
/* Longest wait for one datagram or for counters to settle. */
#define WAIT_MS 5000

FIXTURE(traffic)
{
	int client_ns, gateway_ns;
	struct lmig_fp *fp;
	char instance[LMIG_FP_INSTANCE_MAX + 1];
	int tx;		     /* client socket */
	int rx_mc, rx_other; /* gateway sockets */
	struct sockaddr_storage to_mc, to_other;
	socklen_t to_len;
	struct lmig_addr client;
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

static int udp_socket(int family, const char *addr, uint16_t port)
{
	struct timeval tv = {.tv_sec = WAIT_MS / 1000};
	struct sockaddr_storage ss;
	socklen_t len = sockaddr_of(family, addr, port, &ss);
	int fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	    bind(fd, (struct sockaddr *)&ss, len)) {
		close(fd);
		return -1;
	}
	return fd;
}

FIXTURE_SETUP(traffic)
{
	const char *fam = variant->family == AF_INET ? "" : "-6 ";
	const char *plen = variant->family == AF_INET ? "24" : "64 nodad";
	struct lmig_config cfg = {.unclassified = LMIG_DEFAULT_PASS};
	enum lmig_xdp_mode mode;
	bool reused;

	self->client_ns = self->gateway_ns = self->tx = -1;
	self->rx_mc = self->rx_other = -1;
	ASSERT_EQ(0, unshare(CLONE_NEWNS));
	ASSERT_EQ(0, mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL));
	ASSERT_EQ(0, mount("bpf", "/sys/fs/bpf", "bpf", 0, "mode=0700"));

	self->gateway_ns = new_netns();
	ASSERT_LE(0, self->gateway_ns);
	self->client_ns = new_netns();
	ASSERT_LE(0, self->client_ns);

	/* In the client's namespace now. Static neighbours: no ARP/ND. */
	ASSERT_EQ(0, ip_cmd("link add veth-c address 02:00:00:00:00:01 type "
			    "veth peer name veth-g address 02:00:00:00:00:02 "
			    "netns /proc/%d/fd/%d",
			    getpid(), self->gateway_ns));
	ASSERT_EQ(0, ip_cmd("%saddr add %s/%s dev veth-c", fam,
			    variant->client_addr, plen));
	ASSERT_EQ(0, ip_cmd("link set veth-c up"));
	ASSERT_EQ(0, ip_cmd("%sneigh add %s lladdr 02:00:00:00:00:02 dev "
			    "veth-c nud permanent",
			    fam, variant->gateway_addr));
	self->tx = socket(variant->family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ASSERT_LE(0, self->tx);

	ASSERT_EQ(0, setns(self->gateway_ns, CLONE_NEWNET));
	ASSERT_EQ(0, ip_cmd("%saddr add %s/%s dev veth-g", fam,
			    variant->gateway_addr, plen));
	ASSERT_EQ(0, ip_cmd("link set veth-g up"));
	ASSERT_EQ(0, ip_cmd("%sneigh add %s lladdr 02:00:00:00:00:01 dev "
			    "veth-g nud permanent",
			    fam, variant->client_addr));
	self->rx_mc = udp_socket(variant->family, variant->gateway_addr,
				 PORT_MC);
	ASSERT_LE(0, self->rx_mc);
	self->rx_other = udp_socket(variant->family, variant->gateway_addr,
				    PORT_OTHER);
	ASSERT_LE(0, self->rx_other);
	self->to_len = sockaddr_of(variant->family, variant->gateway_addr,
				   PORT_MC, &self->to_mc);
	sockaddr_of(variant->family, variant->gateway_addr, PORT_OTHER,
		    &self->to_other);
	ASSERT_EQ(0, lmig_addr_parse(variant->client_addr, &self->client, NULL,
				     0));

	snprintf(self->instance, sizeof(self->instance), "traffic-%d",
		 getpid());
	ASSERT_EQ(0, lmig_fp_load(self->instance, &self->fp, self->msg,
				  sizeof(self->msg)))
	TH_LOG("%s", self->msg);
	ASSERT_EQ(0, lmig_fp_ports_set(self->fp, LMIG_L4_UDP, PORT_MC, PORT_MC,
				       LMIG_CLASS_PTT, NULL, 0));
	ASSERT_EQ(0, lmig_fp_config_set(self->fp, &cfg, NULL, 0));
	ASSERT_EQ(0, lmig_fp_attach(self->fp, "veth-g", LMIG_XDP_NATIVE, &mode,
				    &reused, self->msg, sizeof(self->msg)))
	TH_LOG("%s", self->msg);
}

FIXTURE_TEARDOWN(traffic)
{
	int fds[] = {self->tx, self->rx_mc, self->rx_other, self->client_ns,
		     self->gateway_ns};

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
		.granted_ns = lmig_clock_boot_ns(),
		.user_id = USER,
		.services = services,
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

	return lmig_fp_user_put(self->fp, USER, &user, NULL, 0);
}

TEST_F(traffic, admission_decides)
{
	uint64_t hour = lmig_clock_boot_ns() + 3600 * LMIG_NSEC_PER_SEC;
	uint64_t before;

	/* Before any admission: MC traffic is dropped, other passes. */
	EXPECT_DROPPED(LMIG_DROP_NO_ADMISSION, 1);
	before = packets(self, LMIG_PASS_UNCLASSIFIED);
	ASSERT_EQ(0, send_burst(self, &self->to_other, 2));
	EXPECT_EQ(BURST, receive_burst(self->rx_other, 2));
	EXPECT_LE(before + BURST, packets(self, LMIG_PASS_UNCLASSIFIED));

	/* Admitted for the service, user active: it passes. */
	ASSERT_EQ(0, set_user(self, LMIG_STATE_ACTIVE));
	ASSERT_EQ(0, admit(self, LMIG_SERVICE_PTT, hour));
	EXPECT_ADMITTED(3);

	/* Admitted for another service only. */
	ASSERT_EQ(0, admit(self, LMIG_SERVICE_VIDEO, hour));
	EXPECT_DROPPED(LMIG_DROP_SERVICE, 4);

	/* The user is suspended: one write stops the session. */
	ASSERT_EQ(0, admit(self, LMIG_SERVICE_PTT, hour));
	ASSERT_EQ(0, set_user(self, LMIG_STATE_SUSPENDED));
	EXPECT_DROPPED(LMIG_DROP_SUSPENDED, 5);

	/* Reactivated, then the admission runs out. */
	ASSERT_EQ(0, set_user(self, LMIG_STATE_ACTIVE));
	EXPECT_ADMITTED(6);
	ASSERT_EQ(0, admit(self, LMIG_SERVICE_PTT, lmig_clock_boot_ns()));
	EXPECT_DROPPED(LMIG_DROP_EXPIRED, 7);

	/* Other traffic was never affected. */
	ASSERT_EQ(0, send_burst(self, &self->to_other, 8));
	EXPECT_EQ(BURST, receive_burst(self->rx_other, 8));
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

TEST_HARNESS_MAIN
