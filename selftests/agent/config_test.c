// SPDX-License-Identifier: GPL-2.0-only
/* lmigd configuration file: accepted whole, or refused with file:line. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "config.h"
#include "lmig_maps.h"

#define BASE                                                          \
	"audience https://mc.partner.example\n"                       \
	"listen 10.0.0.1:8443\n"                                      \
	"tls-certificate /etc/lmig/gw.crt\n"                          \
	"tls-key /etc/lmig/gw.key\n"                                  \
	"issuer https://idms.primary.example /etc/lmig/p.pem ES256\n" \
	"interface eth1\n"

static struct lmigd_config cfg;
static char err[512];

static int parse(const char *text)
{
	return lmigd_config_parse(text, "/etc/lmig/lmigd.conf", &cfg, err,
				  sizeof(err));
}

static const struct lmigd_service *find_service(uint32_t slot, uint16_t port)
{
	for (int i = 0; i < cfg.n_services; i++)
		if (cfg.services[i].slot == slot &&
		    port >= cfg.services[i].first &&
		    port <= cfg.services[i].last)
			return &cfg.services[i];
	return NULL;
}

TEST(minimal_with_defaults)
{
	ASSERT_EQ(0, parse(BASE)) TH_LOG("%s", err);
	EXPECT_STREQ("https://mc.partner.example", cfg.audience);
	EXPECT_EQ(1, cfg.n_listen);
	EXPECT_EQ(8443, lmigd_listen_port(&cfg.listen[0]));
	EXPECT_EQ(30, cfg.clock_skew);
	EXPECT_EQ(86400, cfg.max_admission);
	EXPECT_STREQ("default", cfg.instance);
	EXPECT_EQ(LMIG_DEFAULT_PASS, cfg.unclassified);
	EXPECT_EQ(LMIGD_XDP_AUTO, cfg.xdp_mode);
	EXPECT_EQ(LMIGD_OPEN_SOURCE_RATE, cfg.open_source.rate);
	EXPECT_EQ(LMIGD_OPEN_SOURCE_BURST, cfg.open_source.burst);
	EXPECT_EQ(LMIGD_OPEN_TOTAL_RATE, cfg.open_total.rate);
	EXPECT_EQ(LMIGD_OPEN_TOTAL_BURST, cfg.open_total.burst);
	EXPECT_EQ(LMIGD_DENIAL_RATE, cfg.denials.rate);
	ASSERT_EQ(1, cfg.n_keys);
	EXPECT_STREQ("https://idms.primary.example", cfg.keys[0].issuer);
	EXPECT_STREQ("ES256", cfg.keys[0].alg);
	EXPECT_STREQ("", cfg.keys[0].kid);
	/* The admission endpoint's port is opened automatically. */
	const struct lmigd_service *s = find_service(LMIG_L4_TCP, 8443);

	ASSERT_NE(NULL, s);
	EXPECT_EQ(LMIG_CLASS_OPEN, s->class);
}

TEST(full)
{
	ASSERT_EQ(0, parse("# comment\n"
			   "  audience\tID # trailing comment\n"
			   "listen [::1]:9443\n"
			   "listen 0.0.0.0:8443\n"
			   "tls-certificate tls/gw.crt\n"
			   "tls-key tls/gw.key\n"
			   "issuer A a.pem ES256 kid=k1\n"
			   "issuer A b.pem EdDSA\n"
			   "issuer B /abs/c.pem RS256\n"
			   "clock-skew 5\n"
			   "max-admission 600\n"
			   "max-connections 10\n"
			   "instance gw-1\n"
			   "interface eth1\ninterface eth2\n"
			   "xdp-mode generic\n"
			   "unclassified drop\n"
			   "service ptt udp 5000-5099\n"
			   "service video udp 5100\n"
			   "service data tcp 5280\n"
			   "service open tcp 9443\n"
			   "service deny udp 8809\n"
			   "service video sctp 5100-5101\n"
			   "open-limit-source 10 20\n"
			   "open-limit-total 0 1\n"
			   "denial-samples 0\n"
			   "connection-rate 5 10\n"
			   "workers 3\n"
			   "worker-queue 40\n"
			   "max-addresses-per-user 2 refuse\n"))
	TH_LOG("%s", err);
	EXPECT_STREQ("ID", cfg.audience);
	EXPECT_EQ(2, cfg.n_listen);
	EXPECT_EQ(AF_INET6, cfg.listen[0].ss_family);
	/* Relative paths are relative to the configuration file. */
	EXPECT_STREQ("/etc/lmig/tls/gw.crt", cfg.tls_cert);
	EXPECT_STREQ("/etc/lmig/a.pem", cfg.keys[0].cert);
	EXPECT_STREQ("/abs/c.pem", cfg.keys[2].cert);
	EXPECT_STREQ("k1", cfg.keys[0].kid);
	EXPECT_EQ(3, cfg.n_keys);
	EXPECT_EQ(5, cfg.clock_skew);
	EXPECT_EQ(600, cfg.max_admission);
	EXPECT_EQ(10, cfg.max_connections);
	EXPECT_EQ(5, cfg.connection_rate.rate);
	EXPECT_EQ(10, cfg.connection_rate.burst);
	EXPECT_EQ(3, cfg.workers);
	EXPECT_EQ(40, cfg.worker_queue);
	EXPECT_EQ(2, cfg.max_addresses);
	EXPECT_EQ(LMIGD_ADDR_REFUSE, cfg.addr_policy);
	EXPECT_STREQ("gw-1", cfg.instance);
	EXPECT_EQ(2, cfg.n_interfaces);
	EXPECT_EQ(LMIGD_XDP_GENERIC, cfg.xdp_mode);
	EXPECT_EQ(LMIG_DEFAULT_DROP, cfg.unclassified);
	EXPECT_EQ(LMIG_CLASS_PTT, find_service(LMIG_L4_UDP, 5050)->class);
	EXPECT_EQ(LMIG_CLASS_VIDEO, find_service(LMIG_L4_UDP, 5100)->class);
	EXPECT_EQ(NULL, find_service(LMIG_L4_UDP, 5101));
	EXPECT_EQ(NULL, find_service(LMIG_L4_TCP, 5050));
	EXPECT_EQ(LMIG_CLASS_DATA, find_service(LMIG_L4_TCP, 5280)->class);
	EXPECT_EQ(LMIG_CLASS_OPEN, find_service(LMIG_L4_TCP, 8443)->class);
	EXPECT_EQ(LMIG_CLASS_DENY, find_service(LMIG_L4_UDP, 8809)->class);
	EXPECT_EQ(LMIG_CLASS_VIDEO, find_service(LMIG_L4_SCTP, 5101)->class);
	/* SCTP and UDP ports are apart: 5100 is video on both. */
	EXPECT_EQ(LMIG_CLASS_VIDEO, find_service(LMIG_L4_UDP, 5100)->class);
	EXPECT_EQ(10, cfg.open_source.rate);
	EXPECT_EQ(20, cfg.open_source.burst);
	EXPECT_EQ(0, cfg.open_total.rate);
	EXPECT_EQ(0, cfg.denials.rate);
	/* 9443 was listed open already: not added twice. */
	int open9443 = 0;

	for (int i = 0; i < cfg.n_services; i++)
		open9443 += cfg.services[i].first == 9443;
	EXPECT_EQ(1, open9443);
}

FIXTURE(bad){};
FIXTURE_SETUP(bad)
{
}
FIXTURE_TEARDOWN(bad)
{
}

FIXTURE_VARIANT(bad)
{
	const char *extra;
	const char *error;
};

#define BAD(name, text, msg)                 \
	FIXTURE_VARIANT_ADD(bad, name)       \
	{                                    \
		.extra = text, .error = msg, \
	}

/* Line numbers: BASE has 6 lines, so the extra line is line 7. */
BAD(unknown, "frobnicate yes\n",
    "/etc/lmig/lmigd.conf:7: unknown directive 'frobnicate'");
BAD(skew_too_big, "clock-skew 31\n",
    "/etc/lmig/lmigd.conf:7: clock-skew: '31' is not a number from 0 to 30");
BAD(skew_negative, "clock-skew -1\n",
    "/etc/lmig/lmigd.conf:7: clock-skew: '-1' is not a number");
BAD(skew_twice, "clock-skew 1\nclock-skew 2\n",
    "/etc/lmig/lmigd.conf:8: clock-skew given twice");
BAD(audience_twice, "audience X\n",
    "/etc/lmig/lmigd.conf:7: audience given twice");
BAD(listen_bad, "listen 10.0.0.300:80\n",
    "/etc/lmig/lmigd.conf:7: listen: '10.0.0.300' is not an IPv4 address "
    "(write IPv6 as [ADDRESS]:PORT)");
BAD(listen_port, "listen 10.0.0.1:0\n",
    "/etc/lmig/lmigd.conf:7: listen port: '0' is not a number from 1 to 65535");
BAD(listen_v6, "listen [::zz]:80\n",
    "/etc/lmig/lmigd.conf:7: listen: '::zz' is not an IPv6 address");
BAD(alg_none, "issuer X x.pem none\n",
    "/etc/lmig/lmigd.conf:7: issuer: algorithm 'none' not supported (ES256, "
    "ES384, RS256, PS256, EdDSA)");
BAD(alg_hmac, "issuer X x.pem HS256\n",
    "/etc/lmig/lmigd.conf:7: issuer: algorithm 'HS256' not supported (ES256, "
    "ES384, RS256, PS256, EdDSA)");
BAD(issuer_short, "issuer X x.pem\n",
    "/etc/lmig/lmigd.conf:7: issuer: expected 'issuer ISS CERT-FILE ALG "
    "[kid=KID]'");
BAD(issuer_junk, "issuer X x.pem ES256 foo\n",
    "/etc/lmig/lmigd.conf:7: issuer: unexpected 'foo' (kid=KID?)");
BAD(service_class, "service voice udp 1\n",
    "/etc/lmig/lmigd.conf:7: service: class 'voice' unknown (open, ptt, "
    "video, data, deny)");
BAD(service_none, "service none udp 1\n",
    "/etc/lmig/lmigd.conf:7: service: class 'none' unknown (open, ptt, "
    "video, data, deny)");
BAD(service_fragment, "service fragment udp 1\n",
    "/etc/lmig/lmigd.conf:7: service: class 'fragment' unknown (open, ptt, "
    "video, data, deny)");
BAD(service_proto, "service ptt icmp 1\n",
    "/etc/lmig/lmigd.conf:7: service: protocol 'icmp' unknown (udp, tcp, "
    "sctp)");
BAD(service_words, "service ptt udp\n",
    "/etc/lmig/lmigd.conf:7: service: expected 'service CLASS udp|tcp|sctp "
    "PORT[-PORT]'");
BAD(sctp_overlap, "service ptt sctp 1-9\nservice deny sctp 9\n",
    "/etc/lmig/lmigd.conf:8: service: sctp ports 9-9 overlap 1-9 (ptt) "
    "from line 7");
BAD(endpoint_denied, "service deny tcp 8443\n",
    "/etc/lmig/lmigd.conf:7: service: tcp port 8443 is the admission "
    "endpoint and must be open, not deny");
BAD(rate_words, "open-limit-source 10\n",
    "/etc/lmig/lmigd.conf:7: open-limit-source: expected "
    "'open-limit-source RATE BURST'");
BAD(conn_rate_words, "connection-rate 5\n",
    "/etc/lmig/lmigd.conf:7: connection-rate: expected "
    "'connection-rate RATE BURST'");
BAD(workers_zero, "workers 0\n",
    "/etc/lmig/lmigd.conf:7: workers: '0' is not a number from 1 to 256");
BAD(workers_twice, "workers auto\nworkers 2\n",
    "/etc/lmig/lmigd.conf:8: workers given twice");
BAD(addrs_policy, "max-addresses-per-user 2 evict\n",
    "/etc/lmig/lmigd.conf:7: max-addresses-per-user: 'evict' is neither "
    "replace-oldest nor refuse");
BAD(addrs_zero, "max-addresses-per-user 0\n",
    "/etc/lmig/lmigd.conf:7: max-addresses-per-user: '0' is not a number "
    "from 1 to 1024");
BAD(rate_bad, "open-limit-total lots 1\n",
    "/etc/lmig/lmigd.conf:7: open-limit-total: 'lots' is not a number");
BAD(rate_big, "open-limit-total 1000000001 1\n",
    "/etc/lmig/lmigd.conf:7: open-limit-total: '1000000001' is not a "
    "number from 0 to 1000000000");
BAD(burst_zero, "open-limit-source 10 0\n",
    "/etc/lmig/lmigd.conf:7: open-limit-source: '0' is not a number from 1 "
    "to 1000000000");
BAD(rate_twice, "denial-samples 1\ndenial-samples 2\n",
    "/etc/lmig/lmigd.conf:8: denial-samples given twice");
BAD(samples_words, "denial-samples 1 2\n",
    "/etc/lmig/lmigd.conf:7: denial-samples: expected 'denial-samples "
    "RATE'");
BAD(service_range, "service ptt udp 10-5\n",
    "/etc/lmig/lmigd.conf:7: service: range '10-5' ends before it starts");
BAD(service_port, "service ptt udp 70000\n",
    "/etc/lmig/lmigd.conf:7: service: port '70000' is not a number from 1 "
    "to 65535");
BAD(overlap, "service ptt udp 5000-5010\nservice data udp 5010-5020\n",
    "/etc/lmig/lmigd.conf:8: service: udp ports 5010-5020 overlap 5000-5010 "
    "(ptt) from line 7");
BAD(endpoint_not_open, "service ptt tcp 8000-9000\n",
    "/etc/lmig/lmigd.conf:7: service: tcp port 8443 is the admission "
    "endpoint and must be open, not ptt");
BAD(instance_bad, "instance a/b\n",
    "/etc/lmig/lmigd.conf:7: instance: 'a/b' must be 1 to 64 of A-Z a-z 0-9 "
    "_ -");
BAD(interface_twice, "interface eth1\n",
    "/etc/lmig/lmigd.conf:7: interface: 'eth1' given twice");
BAD(interface_long, "interface abcdefghijklmnop\n",
    "/etc/lmig/lmigd.conf:7: interface: 'abcdefghijklmnop' is not an "
    "interface name");
BAD(mode, "xdp-mode turbo\n",
    "/etc/lmig/lmigd.conf:7: xdp-mode: 'turbo' unknown (auto, native, "
    "generic)");
BAD(default_bad, "unclassified maybe\n",
    "/etc/lmig/lmigd.conf:7: unclassified: 'maybe' unknown (pass, drop)");
BAD(extra_word, "audience X Y\n",
    "/etc/lmig/lmigd.conf:7: audience: expected exactly one value");
BAD(control_char, "\x01\n",
    "/etc/lmig/lmigd.conf:7: control character in line");

TEST_F(bad, refused_with_line)
{
	char text[2048];

	snprintf(text, sizeof(text), "%s%s", BASE, variant->extra);
	ASSERT_EQ(-1, parse(text));
	EXPECT_STREQ(variant->error, err);
}

TEST(missing_required)
{
	ASSERT_EQ(-1, parse("listen 10.0.0.1:1\n"));
	EXPECT_STREQ("/etc/lmig/lmigd.conf: 'audience' is required", err);
	ASSERT_EQ(-1, parse("audience A\ntls-certificate c\ntls-key k\n"
			    "listen 10.0.0.1:1\ninterface e\n"));
	EXPECT_STREQ("/etc/lmig/lmigd.conf: at least one 'issuer' is required",
		     err);
	ASSERT_EQ(-1, parse("audience A\ntls-certificate c\ntls-key k\n"
			    "listen 10.0.0.1:1\nissuer A a ES256\n"));
	EXPECT_STREQ("/etc/lmig/lmigd.conf: at least one 'interface' is "
		     "required",
		     err);
}

TEST(load_from_file)
{
	char path[] = "/tmp/lmigd-config-test.XXXXXX";
	int fd = mkstemp(path);

	ASSERT_GE(fd, 0);
	ASSERT_EQ(strlen(BASE), write(fd, BASE, strlen(BASE)));
	close(fd);
	EXPECT_EQ(0, lmigd_config_load(path, &cfg, err, sizeof(err)))
	TH_LOG("%s", err);
	unlink(path);
	EXPECT_EQ(-1, lmigd_config_load(path, &cfg, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "No such file or directory"));
}

TEST_HARNESS_MAIN
