// SPDX-License-Identifier: GPL-2.0-only
/*
 * Verdicts of the XDP fast path on crafted frames, through
 * BPF_PROG_TEST_RUN. Each variant is one frame shape and the verdict, the
 * class and reason counter, and the user counter it must move; every
 * variant also runs truncated at every length below its full size, which
 * must never pass as admitted. Every class and every reason is reached.
 * Below the table: rate limits of the open class, denial samples, and the
 * admission filter.
 *
 * The world (xdp_world.h) lives on a BPF filesystem private to the test
 * process. Needs root (CAP_BPF, CAP_NET_ADMIN, CAP_SYS_ADMIN).
 */
#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <linux/if_ether.h>

#include "kselftest_harness.h"

#include "names.h"
#include "xdp_world.h"

enum frag {
	FRAG_NONE,
	FRAG_FIRST,
	FRAG_LATER
};

enum corrupt {
	OK,
	V4_IHL_SMALL,	   /* IHL 4 */
	V4_IHL_BEYOND,	   /* IHL 15, options not in the frame */
	V4_TOTLEN_LONG,	   /* total length one more than the frame */
	V4_TOTLEN_SHORT,   /* total length below the header */
	V4_TOTLEN_CUTS_L4, /* total length ends inside the UDP header */
	V4_VERSION,	   /* version 6 in an IPv4 EtherType */
	TCP_DOFF_SMALL,	   /* TCP data offset 4 */
	V6_PLEN_LONG,	   /* payload length one more than the frame */
	V6_PLEN_CUTS_L4,   /* payload length ends inside the UDP header */
	V6_EXT_LONG,	   /* extension header longer than the frame */
	V6_PLEN_IN_EXT,	   /* payload length ends inside an extension */
	V6_PLEN_IN_FRAG,   /* payload length ends inside a fragment header */
	V6_V4_MAPPED_SRC,  /* source ::ffff:a.b.c.d */
	V6_VERSION,	   /* version 4 in an IPv6 EtherType */
};

#define FAM_ARP 1

enum limit {
	NO_LIMIT,
	LIMIT_SOURCE, /* the open class: one packet an hour per source */
	LIMIT_TOTAL,  /* the open class: one packet an hour in all */
};

/* An expected class other than the destination port's. */
#define CLS(c) (LMIG_CLASS_##c + 1)

FIXTURE_VARIANT(verdict)
{
	int family;	/* 4, 6 or FAM_ARP */
	int vlans;	/* VLAN tags, outer 802.1ad when two or more */
	uint8_t proto;	/* 0: UDP */
	uint16_t dport; /* 0: PORT_PTT */
	enum src src;
	int ip4_opts; /* bytes of IPv4 options, a multiple of 4 */
	enum frag frag;
	uint8_t ext[8]; /* IPv6 extension headers, in order */
	int n_ext;
	enum corrupt corrupt;
	int pad; /* trailer bytes after the IP datagram */
	bool default_drop;
	enum limit limit; /* then the frame is sent once before the checks */
	int verdict;	  /* XDP_PASS or XDP_DROP */
	enum lmig_reason reason;
	int cls; /* CLS(x); 0: the class of the transport and port */
};

/* ---- the frames ----------------------------------------------------- */

struct frame {
	uint8_t b[1024];
	size_t len;
	size_t ip_end; /* where the IP datagram ends; 0 if not IP */
	size_t l2_len; /* Ethernet and VLAN headers */
};

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

/* Transport header and payload at p; returns its length. */
static size_t put_l4(const FIXTURE_VARIANT(verdict) * v, uint8_t *p)
{
	uint8_t proto = v->proto ? v->proto : IPPROTO_UDP;
	uint16_t dport = v->dport ? v->dport : PORT_PTT;

	if (proto == IPPROTO_UDP) {
		put16(p, 40000);
		put16(p + 2, dport);
		put16(p + 4, 8 + 16);
		memset(p + 8, 0xab, 16);
		return 8 + 16;
	}
	if (proto == IPPROTO_TCP) {
		put16(p, 40000);
		put16(p + 2, dport);
		p[12] = (v->corrupt == TCP_DOFF_SMALL ? 4 : 5) << 4;
		p[13] = 0x02; /* SYN */
		put16(p + 14, 65535);
		return 20;
	}
	if (proto == IPPROTO_SCTP) {
		/* Common header, then an INIT chunk header. */
		put16(p, 40000);
		put16(p + 2, dport);
		memset(p + 4, 0x5c, 8);
		p[12] = 1;
		put16(p + 14, 20);
		memset(p + 16, 0, 16);
		return 32;
	}
	/* ICMP, ICMPv6 and anything else: an echo request shape. */
	p[0] = v->family == 4 ? 8 : 128;
	memset(p + 4, 0x11, 12);
	return 16;
}

/* Later fragments carry a transport header that is not one: it claims
 * the open port, which the program must not believe. */
static size_t put_later_fragment(uint8_t *p)
{
	put16(p, 40000);
	put16(p + 2, PORT_OPEN);
	memset(p + 4, 0xcd, 20);
	return 24;
}

static size_t put_ipv4(const FIXTURE_VARIANT(verdict) * v, uint8_t *p)
{
	size_t hlen = 20 + v->ip4_opts, l4len, tot;
	uint8_t proto = v->proto ? v->proto : IPPROTO_UDP;
	uint16_t frag_off = 0;

	memset(p, 0, hlen);
	/* NOPs, with the bytes where a parser ignoring IHL would find the
	 * UDP destination port set to the open port. */
	memset(p + 20, 0x01, v->ip4_opts);
	if (v->ip4_opts >= 4)
		put16(p + 22, PORT_OPEN);
	if (v->frag == FRAG_LATER)
		l4len = put_later_fragment(p + hlen);
	else
		l4len = put_l4(v, p + hlen);
	if (v->frag == FRAG_FIRST)
		frag_off = 0x2000;
	else if (v->frag == FRAG_LATER)
		frag_off = 1480 / 8;
	tot = hlen + l4len;

	p[0] = 0x40 | (hlen / 4);
	put16(p + 2, tot);
	put16(p + 4, 0x1234);
	put16(p + 6, frag_off);
	p[8] = 64;
	p[9] = proto;
	src_v4(v->src, p + 12);
	p[16] = 192, p[17] = 0, p[18] = 2, p[19] = 1;

	switch (v->corrupt) {
	case V4_IHL_SMALL:
		p[0] = 0x44;
		break;
	case V4_IHL_BEYOND:
		/* Header only, claiming 60 bytes of it. */
		p[0] = 0x4f;
		put16(p + 2, 60);
		return 20;
	case V4_TOTLEN_LONG:
		put16(p + 2, tot + 1);
		break;
	case V4_TOTLEN_SHORT:
		put16(p + 2, 19);
		break;
	case V4_TOTLEN_CUTS_L4:
		put16(p + 2, hlen + 4);
		break;
	case V4_VERSION:
		p[0] = 0x60 | (hlen / 4);
		break;
	default:
		break;
	}
	return tot;
}

/* One IPv6 extension header of type t at p, followed by next. */
static size_t put_ext(const FIXTURE_VARIANT(verdict) * v, uint8_t t,
		      uint8_t next, uint8_t *p)
{
	switch (t) {
	case 44: /* fragment */
		memset(p, 0, 8);
		p[0] = next;
		put16(p + 2, v->frag == FRAG_LATER ? 1448 : 0x0001);
		put16(p + 4, 0xbeef);
		return 8;
	case 60: /* destination options: 16 bytes, PadN */
		memset(p, 0, 16);
		p[0] = next;
		p[1] = 1;
		p[2] = 1;
		p[3] = 12;
		return 16;
	case 51: /* authentication header: 16 bytes */
		memset(p, 0x77, 16);
		p[0] = next;
		p[1] = 2;
		return 16;
	case 50: /* ESP: SPI, sequence, then ciphertext */
		memset(p, 0x66, 8);
		return 8;
	default: /* hop-by-hop, routing: 8 bytes */
		memset(p, 0, 8);
		p[0] = next;
		p[2] = 1;
		p[3] = 4;
		return 8;
	}
}

static size_t put_ipv6(const FIXTURE_VARIANT(verdict) * v, uint8_t *p)
{
	uint8_t proto = v->proto ? v->proto : IPPROTO_UDP;
	size_t off = 40;

	memset(p, 0, 40);
	for (int i = 0; i < v->n_ext; i++) {
		uint8_t next = i + 1 < v->n_ext ? v->ext[i + 1] : proto;

		off += put_ext(v, v->ext[i], next, p + off);
	}
	if (v->n_ext && v->ext[v->n_ext - 1] == 44 && v->frag == FRAG_LATER)
		off += put_later_fragment(p + off);
	else
		off += put_l4(v, p + off);

	p[0] = 0x60;
	put16(p + 4, off - 40);
	p[6] = v->n_ext ? v->ext[0] : proto;
	p[7] = 64;
	src_v6(v->src, p + 8);
	memcpy(p + 24, p + 8, 16);
	p[39] = 1;

	switch (v->corrupt) {
	case V6_PLEN_LONG:
		put16(p + 4, off - 40 + 1);
		break;
	case V6_PLEN_CUTS_L4:
		put16(p + 4, off - 40 - 20); /* 4 bytes of UDP left */
		break;
	case V6_EXT_LONG:
		p[40 + 1] = 200; /* 1608 bytes claimed */
		break;
	case V6_PLEN_IN_EXT:
		put16(p + 4, 8); /* of a 16-byte header */
		break;
	case V6_PLEN_IN_FRAG:
		put16(p + 4, 4); /* of an 8-byte header */
		break;
	case V6_V4_MAPPED_SRC:
		memset(p + 8, 0, 10);
		p[18] = 0xff, p[19] = 0xff;
		src_v4(SRC_ADMITTED, p + 20);
		break;
	case V6_VERSION:
		p[0] = 0x40;
		break;
	default:
		break;
	}
	return off;
}

static void build_frame(const FIXTURE_VARIANT(verdict) * v, struct frame *f)
{
	static const uint16_t tags[] = {ETH_P_8021AD, ETH_P_8021Q, ETH_P_8021Q};
	uint8_t *p = f->b;
	size_t off = 12;
	int first_tag = v->vlans >= 2 ? 0 : 1;

	memset(f, 0, sizeof(*f));
	memcpy(p, "\x02\0\0\0\0\x02\x02\0\0\0\0\x01", 12);
	for (int i = 0; i < v->vlans; i++) {
		put16(p + off, tags[first_tag + i > 2 ? 2 : first_tag + i]);
		put16(p + off + 2, 100 + i);
		off += 4;
	}
	if (v->family == FAM_ARP) {
		put16(p + off, ETH_P_ARP);
		off += 2;
		memset(p + off, 0x22, 28);
		f->len = off + 28;
		f->l2_len = off;
		return;
	}
	put16(p + off, v->family == 4 ? ETH_P_IP : ETH_P_IPV6);
	off += 2;
	f->l2_len = off;
	off += v->family == 4 ? put_ipv4(v, p + off) : put_ipv6(v, p + off);
	f->ip_end = off;
	f->len = off + v->pad;
}

/* ---- the program ---------------------------------------------------- */

static const struct lmig_limit hourly = {.interval_ns = 3600 *
							LMIG_NSEC_PER_SEC};

FIXTURE(verdict){};

FIXTURE_SETUP(verdict)
{
	ASSERT_EQ(0, world.err) TH_LOG("%s", world.why);
	ASSERT_EQ(0,
		  world_config(variant->default_drop,
			       variant->limit == LIMIT_SOURCE ? &hourly : NULL,
			       variant->limit == LIMIT_TOTAL ? &hourly : NULL,
			       NULL));
}

FIXTURE_TEARDOWN(verdict)
{
}

static uint32_t frame_l4(const FIXTURE_VARIANT(verdict) * v)
{
	switch (v->proto ? v->proto : IPPROTO_UDP) {
	case IPPROTO_UDP:
		return LMIG_L4_UDP;
	case IPPROTO_TCP:
		return LMIG_L4_TCP;
	case IPPROTO_SCTP:
		return LMIG_L4_SCTP;
	default:
		return __LMIG_L4_MAX;
	}
}

/* The class a verdict of reason is counted under. */
static int expected_class(const FIXTURE_VARIANT(verdict) * v,
			  enum lmig_reason reason)
{
	uint32_t l4 = frame_l4(v);

	if (reason == LMIG_PASS_NOT_IP || reason == LMIG_DROP_MALFORMED)
		return LMIG_CLASS_NONE;
	if (v->cls)
		return v->cls - 1;
	if (l4 == __LMIG_L4_MAX)
		return LMIG_CLASS_NONE;
	return world_class(l4, v->dport ? v->dport : PORT_PTT);
}

/* The world user whose counters a verdict of reason moves, or -1. */
static int expected_user(const FIXTURE_VARIANT(verdict) * v,
			 enum lmig_reason reason)
{
	const struct world_admission *adm = &world_admissions[v->src];

	if (reason != LMIG_PASS_ADMITTED && reason != LMIG_DROP_EXPIRED &&
	    reason != LMIG_DROP_SERVICE && reason != LMIG_DROP_SUSPENDED)
		return -1;
	for (int i = 0; i < WORLD_USERS; i++)
		if (adm->admitted && world_users[i].id == adm->user_id)
			return i;
	return -1;
}

/*
 * Run the program once on the first len bytes of f: the action, exactly
 * the counter of class and reason moved, by one packet of len bytes, and
 * the counters of the user, if any, by that packet. Returns 0 if the
 * kernel refused the input (too short to be a frame).
 */
static int run_and_check(struct __test_metadata *_metadata,
			 const FIXTURE_VARIANT(verdict) * variant,
			 const struct frame *f, size_t len, int verdict,
			 enum lmig_reason reason)
{
	struct lmig_user_counter before = {0}, after = {0};
	int action, class, moved, user = expected_user(variant, reason);
	int want_class = expected_class(variant, reason);

	if (user >= 0)
		EXPECT_EQ(0, world_user_stats(user, &before));
	action = world_run(f->b, len, &class, &moved);
	if (action < 0 && len < ETH_HLEN) {
		EXPECT_EQ(-EINVAL, action);
		return 0;
	}
	EXPECT_EQ(verdict, action)
	TH_LOG("%zu of %zu bytes: action %d, expected %d", len, f->len, action,
	       verdict);
	EXPECT_EQ((int)reason, moved)
	TH_LOG("%zu of %zu bytes: reason %s, expected %s", len, f->len,
	       moved < 0 ? "(none or several)" : lmig_reason_name(moved),
	       lmig_reason_name(reason));
	EXPECT_EQ(want_class, class)
	TH_LOG("%zu of %zu bytes: class %s, expected %s", len, f->len,
	       class < 0 ? "(none or several)" : lmig_class_name(class),
	       lmig_class_name(want_class));
	if (user >= 0) {
		EXPECT_EQ(0, world_user_stats(user, &after));
		if (verdict == XDP_PASS) {
			EXPECT_EQ(before.packets + 1, after.packets);
			EXPECT_EQ(before.bytes + len, after.bytes);
			EXPECT_EQ(before.drops, after.drops);
		} else {
			EXPECT_EQ(before.packets, after.packets);
			EXPECT_EQ(before.drops + 1, after.drops);
		}
	}
	return 1;
}

/* A variant with a rate limit spends the budget with one packet first. */
static void prime(struct __test_metadata *_metadata,
		  const FIXTURE_VARIANT(verdict) * variant,
		  const struct frame *f)
{
	if (variant->limit)
		run_and_check(_metadata, variant, f, f->len, XDP_PASS,
			      LMIG_PASS_OPEN);
}

TEST_F(verdict, full_frame)
{
	struct frame f;

	build_frame(variant, &f);
	prime(_metadata, variant, &f);
	run_and_check(_metadata, variant, &f, f.len, variant->verdict,
		      variant->reason);
}

/*
 * Every shorter frame cuts into a header or into the IP datagram, which
 * is malformed, unless only the trailer is cut. Nothing cut short passes
 * as admitted.
 */
TEST_F(verdict, truncated)
{
	struct frame f;
	int runs = 0;

	build_frame(variant, &f);
	ASSERT_GT(f.len, ETH_HLEN);
	prime(_metadata, variant, &f);
	for (size_t len = f.len - 1; len > 0; len--) {
		enum lmig_reason reason = LMIG_DROP_MALFORMED;
		int verdict = XDP_DROP;

		if (variant->family == FAM_ARP && len >= f.l2_len) {
			reason = LMIG_PASS_NOT_IP;
			verdict = XDP_PASS;
		} else if (f.ip_end && len >= f.ip_end) {
			reason = variant->reason;
			verdict = variant->verdict;
		}
		runs += run_and_check(_metadata, variant, &f, len, verdict,
				      reason);
		if (!_metadata->passed)
			break;
	}
	EXPECT_EQ((int)(f.len - ETH_HLEN), runs);
}

/* ---- the table ------------------------------------------------------ */

#define PASS(r) .verdict = XDP_PASS, .reason = LMIG_PASS_##r
#define DROP(r) .verdict = XDP_DROP, .reason = LMIG_DROP_##r
#define V(name, ...)                       \
	FIXTURE_VARIANT_ADD(verdict, name) \
	{                                  \
		__VA_ARGS__                \
	}

/* Every class and the admission checks, in both families. */
#define FAMILY_VARIANTS(fam, f)                                                \
	V(fam##_admitted, .family = f, PASS(ADMITTED));                        \
	V(fam##_no_admission, .family = f, .src = SRC_NONE,                    \
	  DROP(NO_ADMISSION));                                                 \
	V(fam##_filter_collision, .family = f, .src = SRC_COLLIDING,           \
	  DROP(NO_ADMISSION));                                                 \
	V(fam##_admission_expired, .family = f, .src = SRC_EXPIRED,            \
	  DROP(EXPIRED));                                                      \
	V(fam##_profile_window_over, .family = f, .src = SRC_WINDOW_OVER,      \
	  DROP(EXPIRED));                                                      \
	V(fam##_suspended, .family = f, .src = SRC_SUSPENDED,                  \
	  DROP(SUSPENDED));                                                    \
	V(fam##_suspended_before_expired, .family = f,                         \
	  .src = SRC_SUSPENDED_EXPIRED, DROP(SUSPENDED));                      \
	V(fam##_user_unknown, .family = f, .src = SRC_NO_USER,                 \
	  DROP(USER_UNKNOWN));                                                 \
	V(fam##_service_not_granted, .family = f, .src = SRC_VIDEO_ONLY,       \
	  DROP(SERVICE));                                                      \
	V(fam##_service_not_in_profile, .family = f, .src = SRC_PROFILE_VIDEO, \
	  DROP(SERVICE));                                                      \
	V(fam##_video_granted, .family = f, .src = SRC_VIDEO_ONLY,             \
	  .dport = PORT_VIDEO, PASS(ADMITTED));                                \
	V(fam##_tcp_video_admitted, .family = f, .proto = IPPROTO_TCP,         \
	  .dport = PORT_VIDEO, PASS(ADMITTED));                                \
	V(fam##_sctp_video_admitted, .family = f, .proto = IPPROTO_SCTP,       \
	  .dport = PORT_VIDEO, PASS(ADMITTED));                                \
	V(fam##_sctp_data_no_admission, .family = f, .proto = IPPROTO_SCTP,    \
	  .dport = PORT_DATA, .src = SRC_NONE, DROP(NO_ADMISSION));            \
	V(fam##_sctp_unclassified, .family = f, .proto = IPPROTO_SCTP,         \
	  .src = SRC_NONE, .dport = PORT_OPEN, PASS(UNCLASSIFIED));            \
	V(fam##_data_not_granted, .family = f, .dport = PORT_DATA,             \
	  DROP(SERVICE));                                                      \
	V(fam##_data_admitted, .family = f, .src = SRC_DATA,                   \
	  .dport = PORT_DATA, PASS(ADMITTED));                                 \
	V(fam##_unclassified_default_pass, .family = f, .src = SRC_NONE,       \
	  .dport = PORT_OTHER, PASS(UNCLASSIFIED));                            \
	V(fam##_unclassified_default_drop, .family = f, .src = SRC_ADMITTED,   \
	  .dport = PORT_OTHER, .default_drop = true, DROP(UNCLASSIFIED));      \
	V(fam##_tcp_unclassified_default_drop, .family = f,                    \
	  .proto = IPPROTO_TCP, .default_drop = true, DROP(UNCLASSIFIED));     \
	V(fam##_open, .family = f, .src = SRC_NONE, .proto = IPPROTO_TCP,      \
	  .dport = PORT_OPEN, PASS(OPEN));                                     \
	V(fam##_open_default_drop, .family = f, .src = SRC_NONE,               \
	  .dport = PORT_OPEN, .default_drop = true, PASS(OPEN));               \
	V(fam##_open_source_limit, .family = f, .src = SRC_NONE,               \
	  .proto = IPPROTO_TCP, .dport = PORT_OPEN, .limit = LIMIT_SOURCE,     \
	  DROP(OPEN_SOURCE));                                                  \
	V(fam##_open_total_limit, .family = f, .src = SRC_ADMITTED,            \
	  .dport = PORT_OPEN, .limit = LIMIT_TOTAL, DROP(OPEN_TOTAL));         \
	V(fam##_deny, .family = f, .dport = PORT_DENY, DROP(DENIED));          \
	V(fam##_tcp_deny_no_admission, .family = f, .src = SRC_NONE,           \
	  .proto = IPPROTO_TCP, .dport = PORT_DENY, DROP(DENIED));             \
	V(fam##_bogus_class, .family = f, .dport = PORT_BOGUS, DROP(DENIED));  \
	V(fam##_vlan1_admitted, .family = f, .vlans = 1, PASS(ADMITTED));      \
	V(fam##_vlan1_no_admission, .family = f, .vlans = 1, .src = SRC_NONE,  \
	  DROP(NO_ADMISSION));                                                 \
	V(fam##_vlan2_admitted, .family = f, .vlans = 2, PASS(ADMITTED));      \
	V(fam##_vlan2_no_admission, .family = f, .vlans = 2, .src = SRC_NONE,  \
	  DROP(NO_ADMISSION));                                                 \
	V(fam##_vlan2_sctp_no_admission, .family = f, .vlans = 2,              \
	  .src = SRC_NONE, .proto = IPPROTO_SCTP, .dport = PORT_VIDEO,         \
	  DROP(NO_ADMISSION));                                                 \
	V(fam##_vlan3_malformed, .family = f, .vlans = 3, DROP(MALFORMED));    \
	V(fam##_trailer_admitted, .family = f, .pad = 18, PASS(ADMITTED));     \
	V(fam##_tcp_doff_small, .family = f, .proto = IPPROTO_TCP,             \
	  .dport = PORT_VIDEO, .corrupt = TCP_DOFF_SMALL, DROP(MALFORMED))

FAMILY_VARIANTS(v4, 4);
FAMILY_VARIANTS(v6, 6);

V(arp, .family = FAM_ARP, PASS(NOT_IP));
V(arp_vlan2, .family = FAM_ARP, .vlans = 2, PASS(NOT_IP));
V(v4_icmp_default_pass, .family = 4, .proto = IPPROTO_ICMP, PASS(UNCLASSIFIED));
V(v4_icmp_default_drop, .family = 4, .proto = IPPROTO_ICMP,
  .default_drop = true, DROP(UNCLASSIFIED));
V(v6_icmp_default_pass, .family = 6, .proto = IPPROTO_ICMPV6,
  PASS(UNCLASSIFIED));
V(v6_icmp_default_drop, .family = 6, .proto = IPPROTO_ICMPV6,
  .default_drop = true, DROP(UNCLASSIFIED));

/* Tunnels and IPsec hide the inner ports: an admission is needed. */
V(v4_ipip_no_admission, .family = 4, .proto = 4, .src = SRC_NONE,
  DROP(NO_ADMISSION), .cls = CLS(OPAQUE));
V(v4_gre_admitted, .family = 4, .proto = 47, PASS(ADMITTED),
  .cls = CLS(OPAQUE));
V(v4_esp_suspended, .family = 4, .proto = 50, .src = SRC_SUSPENDED,
  DROP(SUSPENDED), .cls = CLS(OPAQUE));
V(v4_ah_no_admission, .family = 4, .proto = 51, .src = SRC_NONE,
  .default_drop = true, DROP(NO_ADMISSION), .cls = CLS(OPAQUE));
V(v6_ipv6_in_ipv6_no_admission, .family = 6, .proto = 41, .src = SRC_NONE,
  DROP(NO_ADMISSION), .cls = CLS(OPAQUE));
V(v6_gre_expired, .family = 6, .proto = 47, .src = SRC_EXPIRED, DROP(EXPIRED),
  .cls = CLS(OPAQUE));

/* IPv4 options: the ports are found after them, not inside them. */
V(v4_options_admitted, .family = 4, .ip4_opts = 8, PASS(ADMITTED));
V(v4_options_no_admission, .family = 4, .ip4_opts = 8, .src = SRC_NONE,
  DROP(NO_ADMISSION));
V(v4_options_max_no_admission, .family = 4, .ip4_opts = 40, .src = SRC_NONE,
  DROP(NO_ADMISSION));
V(v4_options_sctp_admitted, .family = 4, .ip4_opts = 12, .proto = IPPROTO_SCTP,
  .dport = PORT_VIDEO, PASS(ADMITTED));

/* IPv4 fragments: the first by its ports, later ones by the source. */
V(v4_first_fragment_admitted, .family = 4, .frag = FRAG_FIRST, PASS(ADMITTED));
V(v4_first_fragment_no_admission, .family = 4, .frag = FRAG_FIRST,
  .src = SRC_NONE, DROP(NO_ADMISSION));
V(v4_first_fragment_open, .family = 4, .frag = FRAG_FIRST, .src = SRC_NONE,
  .proto = IPPROTO_TCP, .dport = PORT_OPEN, PASS(OPEN));
V(v4_first_fragment_deny, .family = 4, .frag = FRAG_FIRST, .dport = PORT_DENY,
  DROP(DENIED));
#define LATER .frag = FRAG_LATER, .cls = CLS(FRAGMENT)
V(v4_later_fragment_admitted, .family = 4, LATER, PASS(ADMITTED));
V(v4_later_fragment_any_service, .family = 4, LATER, .src = SRC_VIDEO_ONLY,
  PASS(ADMITTED));
V(v4_later_fragment_no_admission, .family = 4, LATER, .src = SRC_NONE,
  DROP(NO_ADMISSION));
V(v4_later_fragment_default_drop, .family = 4, LATER, .default_drop = true,
  PASS(ADMITTED));
V(v4_later_fragment_expired, .family = 4, LATER, .src = SRC_EXPIRED,
  DROP(EXPIRED));
V(v4_later_fragment_suspended, .family = 4, LATER, .src = SRC_SUSPENDED,
  DROP(SUSPENDED));
V(v4_later_fragment_user_unknown, .family = 4, LATER, .src = SRC_NO_USER,
  DROP(USER_UNKNOWN));
V(v4_later_fragment_icmp_no_admission, .family = 4, LATER,
  .proto = IPPROTO_ICMP, .src = SRC_NONE, DROP(NO_ADMISSION));
V(v4_later_fragment_vlan2_admitted, .family = 4, LATER, .vlans = 2,
  PASS(ADMITTED));

/* IPv6 extension headers: walked to the ports. */
#define EXT1(name, t)                                                        \
	V(v6_##name##_admitted, .family = 6, .ext = {t}, .n_ext = 1,         \
	  PASS(ADMITTED));                                                   \
	V(v6_##name##_no_admission, .family = 6, .ext = {t}, .n_ext = 1,     \
	  .src = SRC_NONE, DROP(NO_ADMISSION));                              \
	V(v6_##name##_open, .family = 6, .ext = {t}, .n_ext = 1,             \
	  .src = SRC_NONE, .proto = IPPROTO_TCP, .dport = PORT_OPEN,         \
	  PASS(OPEN));                                                       \
	V(v6_##name##_sctp_video, .family = 6, .ext = {t}, .n_ext = 1,       \
	  .src = SRC_VIDEO_ONLY, .proto = IPPROTO_SCTP, .dport = PORT_VIDEO, \
	  PASS(ADMITTED))

EXT1(hopopts, 0);
EXT1(routing, 43);
EXT1(dstopts, 60);
EXT1(first_fragment, 44);

#define CHAIN5 .ext = {0, 60, 43, 44, 60}, .n_ext = 5
#define CHAIN7 .ext = {60, 60, 60, 60, 60, 60, 60}, .n_ext = 7
V(v6_chain_admitted, .family = 6, CHAIN5, .frag = FRAG_FIRST, PASS(ADMITTED));
V(v6_chain_no_admission, .family = 6, CHAIN5, .frag = FRAG_FIRST,
  .src = SRC_NONE, DROP(NO_ADMISSION));
V(v6_chain_vlan2_deny, .family = 6, CHAIN5, .vlans = 2, .frag = FRAG_FIRST,
  .dport = PORT_DENY, DROP(DENIED));
/* Six headers are walked, so the ports still count. */
V(v6_chain_longest_open, .family = 6, .ext = {60, 60, 60, 60, 60, 60},
  .n_ext = 6, .src = SRC_NONE, .proto = IPPROTO_TCP, .dport = PORT_OPEN,
  PASS(OPEN));
/* Seven are too many: MC traffic needing a live admission. */
V(v6_chain_too_long_admitted, .family = 6, CHAIN7, PASS(ADMITTED),
  .cls = CLS(OPAQUE));
V(v6_chain_too_long_no_admission, .family = 6, CHAIN7, .src = SRC_NONE,
  .proto = IPPROTO_TCP, .dport = PORT_OPEN, DROP(NO_ADMISSION),
  .cls = CLS(OPAQUE));
V(v6_chain_too_long_suspended, .family = 6, CHAIN7, .src = SRC_SUSPENDED,
  DROP(SUSPENDED), .cls = CLS(OPAQUE));
V(v6_later_fragment_admitted, .family = 6, .ext = {44}, .n_ext = 1, LATER,
  PASS(ADMITTED));
V(v6_later_fragment_no_admission, .family = 6, .ext = {44}, .n_ext = 1, LATER,
  .src = SRC_NONE, DROP(NO_ADMISSION));
V(v6_later_fragment_expired, .family = 6, .ext = {0, 44}, .n_ext = 2, LATER,
  .src = SRC_EXPIRED, DROP(EXPIRED));
V(v6_later_fragment_service_any, .family = 6, .ext = {60, 44}, .n_ext = 2,
  LATER, .src = SRC_PROFILE_VIDEO, PASS(ADMITTED));
V(v6_auth_header_admitted, .family = 6, .ext = {51}, .n_ext = 1, PASS(ADMITTED),
  .cls = CLS(OPAQUE));
V(v6_auth_header_no_admission, .family = 6, .ext = {51}, .n_ext = 1,
  .src = SRC_NONE, .proto = IPPROTO_TCP, .dport = PORT_OPEN, DROP(NO_ADMISSION),
  .cls = CLS(OPAQUE));
V(v6_esp_no_admission, .family = 6, .ext = {50}, .n_ext = 1, .src = SRC_NONE,
  DROP(NO_ADMISSION), .cls = CLS(OPAQUE));
V(v6_esp_user_unknown, .family = 6, .ext = {0, 50}, .n_ext = 2,
  .src = SRC_NO_USER, DROP(USER_UNKNOWN), .cls = CLS(OPAQUE));
V(v6_no_next_header, .family = 6, .proto = 59, .src = SRC_NONE,
  PASS(UNCLASSIFIED));

/* Inconsistent headers. */
#define MALFORMED(name, f, c) \
	V(name, .family = f, .corrupt = c, DROP(MALFORMED))

MALFORMED(v4_ihl_below_5, 4, V4_IHL_SMALL);
MALFORMED(v4_ihl_beyond_frame, 4, V4_IHL_BEYOND);
MALFORMED(v4_total_length_beyond_frame, 4, V4_TOTLEN_LONG);
MALFORMED(v4_total_length_below_header, 4, V4_TOTLEN_SHORT);
MALFORMED(v4_total_length_cuts_udp, 4, V4_TOTLEN_CUTS_L4);
MALFORMED(v4_version_6, 4, V4_VERSION);
MALFORMED(v6_payload_length_beyond_frame, 6, V6_PLEN_LONG);
MALFORMED(v6_payload_length_cuts_udp, 6, V6_PLEN_CUTS_L4);
MALFORMED(v6_version_4, 6, V6_VERSION);
MALFORMED(v6_v4_mapped_source, 6, V6_V4_MAPPED_SRC);
V(v4_total_length_cuts_sctp, .family = 4, .proto = IPPROTO_SCTP,
  .dport = PORT_VIDEO, .corrupt = V4_TOTLEN_CUTS_L4, DROP(MALFORMED));
V(v6_ext_beyond_payload, .family = 6, .ext = {60}, .n_ext = 1,
  .corrupt = V6_EXT_LONG, DROP(MALFORMED));
/* The rest of the frame would pass as admitted if it were believed. */
V(v6_payload_length_ends_in_dstopts, .family = 6, .ext = {60}, .n_ext = 1,
  .corrupt = V6_PLEN_IN_EXT, DROP(MALFORMED));
V(v6_payload_length_ends_in_fragment, .family = 6, .ext = {44}, .n_ext = 1,
  .frag = FRAG_FIRST, .corrupt = V6_PLEN_IN_FRAG, DROP(MALFORMED));
V(v4_total_length_beyond_frame_default_drop, .family = 4,
  .corrupt = V4_TOTLEN_LONG, .default_drop = true, DROP(MALFORMED));

/* The table reaches every reason and every class. */
TEST(table_covers_every_class_and_reason)
{
	const struct __fixture_variant_metadata *m;
	bool reasons[__LMIG_REASON_MAX] = {0}, classes[__LMIG_CLASS_MAX] = {0};
	int n = 0;

	for (m = _verdict_fixture_object.variant; m; m = m->next) {
		const FIXTURE_VARIANT(verdict) *v = m->data;

		reasons[v->reason] = true;
		classes[expected_class(v, v->reason)] = true;
		n++;
	}
	EXPECT_LE(80, n);
	for (int r = 0; r < __LMIG_REASON_MAX; r++) {
		EXPECT_TRUE(reasons[r])
		TH_LOG("no frame for %s", lmig_reason_name(r));
	}
	for (int c = 0; c < __LMIG_CLASS_MAX; c++) {
		EXPECT_TRUE(classes[c])
		TH_LOG("no frame of class %s", lmig_class_name(c));
	}
}

/* ---- beyond one frame ----------------------------------------------- */

static size_t udp4(uint8_t *b, enum src src, uint16_t dport)
{
	static const uint8_t ip[] = {0x45, 0, 0, 48, 0, 0, 0,	0, 64, 17,
				     0,	   0, 0, 0,  0, 0, 192, 0, 2,  1};

	memset(b, 0, 62);
	memcpy(b, "\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x08\x00", 14);
	memcpy(b + 14, ip, sizeof(ip));
	src_v4(src, b + 14 + 12);
	put16(b + 34, 40000);
	put16(b + 36, dport);
	put16(b + 38, 28);
	return 62;
}

static void pin_cpu(void)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(sched_getcpu() < 0 ? 0 : sched_getcpu(), &set);
	sched_setaffinity(0, sizeof(set), &set);
}

/* One source spends its own budget, not the total: another still gets
 * through, until the total is spent. */
TEST(open_limit_is_per_source)
{
	struct lmig_limit three = hourly, total = hourly;
	uint8_t a[62], b[62];
	int class, reason;

	ASSERT_EQ(0, world.err) TH_LOG("%s", world.why);
	three.burst_ns = 2 * hourly.interval_ns;
	total.burst_ns = 4 * hourly.interval_ns; /* five packets in all */
	ASSERT_EQ(0, world_config(false, &three, &total, NULL));
	udp4(a, SRC_NONE, PORT_OPEN);
	udp4(b, SRC_ADMITTED, PORT_OPEN);
	for (int i = 0; i < 3; i++) {
		EXPECT_EQ(XDP_PASS, world_run(a, sizeof(a), &class, &reason));
		EXPECT_EQ(LMIG_PASS_OPEN, reason);
	}
	for (int i = 0; i < 20; i++) {
		EXPECT_EQ(XDP_DROP, world_run(a, sizeof(a), &class, &reason));
		EXPECT_EQ(LMIG_DROP_OPEN_SOURCE, reason);
		EXPECT_EQ(LMIG_CLASS_OPEN, class);
	}
	/* Two packets of the total are left, whatever the first sent. */
	for (int i = 0; i < 2; i++) {
		EXPECT_EQ(XDP_PASS, world_run(b, sizeof(b), &class, &reason));
		EXPECT_EQ(LMIG_PASS_OPEN, reason);
	}
	EXPECT_EQ(XDP_DROP, world_run(b, sizeof(b), &class, &reason));
	EXPECT_EQ(LMIG_DROP_OPEN_TOTAL, reason);
	/* The total spent, even a source within its own limit is dropped
	 * for it, and its state is not touched. */
	EXPECT_EQ(XDP_DROP, world_run(a, sizeof(a), &class, &reason));
	EXPECT_EQ(LMIG_DROP_OPEN_TOTAL, reason);
}

/* No limit configured: no state is kept for open traffic. */
TEST(open_unlimited)
{
	uint8_t a[62];
	int class, reason;

	ASSERT_EQ(0, world.err) TH_LOG("%s", world.why);
	ASSERT_EQ(0, world_config(false, NULL, NULL, NULL));
	udp4(a, SRC_NONE, PORT_OPEN);
	for (int i = 0; i < 100; i++) {
		ASSERT_EQ(XDP_PASS, world_run(a, sizeof(a), &class, &reason));
		ASSERT_EQ(LMIG_PASS_OPEN, reason);
	}
}

struct samples {
	int n;
	struct lmig_denial d[8];
};

static int take(const struct lmig_denial *d, void *ctx)
{
	struct samples *s = ctx;

	if (s->n < 8)
		s->d[s->n] = *d;
	s->n++;
	return 0;
}

/* Drops are sampled within the per-CPU rate; passes never are. */
TEST(denial_samples)
{
	struct lmig_limit three = hourly;
	struct samples s = {0};
	uint8_t frame[62];
	int class, reason;
	char msg[LMIG_FP_MSG_MAX];

	ASSERT_EQ(0, world.err) TH_LOG("%s", world.why);
	pin_cpu();
	three.burst_ns = 2 * hourly.interval_ns;
	ASSERT_LE(0,
		  lmig_fp_denials_read(world.fp, take, &s, 0, msg, sizeof(msg)))
	TH_LOG("%s", msg);
	memset(&s, 0, sizeof(s));
	ASSERT_EQ(0, world_config(true, NULL, NULL, &three));
	udp4(frame, SRC_ADMITTED, PORT_PTT);
	EXPECT_EQ(XDP_PASS, world_run(frame, sizeof(frame), &class, &reason));
	udp4(frame, SRC_NONE, PORT_PTT);
	for (int i = 0; i < 5; i++)
		EXPECT_EQ(XDP_DROP,
			  world_run(frame, sizeof(frame), &class, &reason));
	EXPECT_EQ(3, lmig_fp_denials_read(world.fp, take, &s, 1000, msg,
					  sizeof(msg)))
	TH_LOG("%s", msg);
	ASSERT_EQ(3, s.n);
	for (int i = 0; i < 3; i++) {
		struct lmig_addr want;

		src_key(4, SRC_NONE, &want);
		EXPECT_EQ(0, memcmp(&want, &s.d[i].src, sizeof(want)));
		EXPECT_EQ(PORT_PTT, s.d[i].dport);
		EXPECT_EQ(LMIG_L4_UDP, s.d[i].l4);
		EXPECT_EQ(LMIG_CLASS_PTT, s.d[i].class);
		EXPECT_EQ(LMIG_DROP_NO_ADMISSION, s.d[i].reason);
		EXPECT_NE(0, s.d[i].time_ns);
	}
	/* Ports hidden: none to report. */
	udp4(frame, SRC_NONE, PORT_OTHER);
	EXPECT_EQ(XDP_DROP, world_run(frame, sizeof(frame), &class, &reason));
	EXPECT_EQ(LMIG_DROP_UNCLASSIFIED, reason);
	EXPECT_EQ(0, lmig_fp_denials_read(world.fp, take, &s, 0, msg,
					  sizeof(msg)));
	ASSERT_EQ(0, world_config(false, NULL, NULL, NULL));
}

/* The admission filter: a zero counter is final, a raised one is not. */
TEST(filter_decides_only_absence)
{
	struct lmig_fp_filter_info info;
	struct lmig_addr key;
	uint8_t frame[62];
	int class, reason;
	uint32_t repaired = 9;

	ASSERT_EQ(0, world.err) TH_LOG("%s", world.why);
	ASSERT_EQ(0, world_config(false, NULL, NULL, NULL));
	ASSERT_EQ(0, lmig_fp_filter_info(world.fp, &info, NULL, 0));
	EXPECT_NE(0, info.seed);
	/* The cells of every admitted address, two families, and of the
	 * colliding one. */
	EXPECT_LE(LMIG_FILTER_CELLS, info.used);
	EXPECT_GE(LMIG_FILTER_CELLS * 2 * SRC_COUNT, info.used);
	EXPECT_EQ(0, lmig_fp_filter_sync(world.fp, &repaired, NULL, 0));
	EXPECT_EQ(0, repaired);
	src_key(4, SRC_COLLIDING, &key);
	udp4(frame, SRC_COLLIDING, PORT_PTT);
	EXPECT_EQ(XDP_DROP, world_run(frame, sizeof(frame), &class, &reason));
	EXPECT_EQ(LMIG_DROP_NO_ADMISSION, reason);
}

WORLD_HARNESS_MAIN
