// SPDX-License-Identifier: GPL-2.0-only
/*
 * Verdicts of the XDP fast path on crafted frames, through
 * BPF_PROG_TEST_RUN. Each variant is one frame shape and the verdict and
 * reason it must get; every variant also runs truncated at every length
 * below its full size, which must never pass as admitted.
 *
 * The program is loaded from its skeleton with pinning switched off, so
 * the test touches no pinned state. Needs root (CAP_BPF, CAP_NET_ADMIN).
 */
#include <errno.h>
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
	int verdict; /* XDP_PASS or XDP_DROP */
	enum lmig_reason reason;
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

FIXTURE(verdict)
{
	struct lmig_xdp *skel;
};

FIXTURE_SETUP(verdict)
{
	self->skel = world_load(variant->default_drop);
	ASSERT_NE(NULL, self->skel);
}

FIXTURE_TEARDOWN(verdict)
{
	lmig_xdp__destroy(self->skel);
}

/*
 * Run the program once on the first len bytes of f: the action, and
 * exactly the counter of reason moved, by one packet of len bytes.
 * Returns 0 if the kernel refused the input (too short to be a frame).
 */
static int run_and_check(struct __test_metadata *_metadata,
			 FIXTURE_DATA(verdict) * self, const struct frame *f,
			 size_t len, int verdict, enum lmig_reason reason)
{
	int action, moved;

	action = world_run(self->skel, f->b, len, &moved);
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
	return 1;
}

TEST_F(verdict, full_frame)
{
	struct frame f;

	build_frame(variant, &f);
	run_and_check(_metadata, self, &f, f.len, variant->verdict,
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
		runs += run_and_check(_metadata, self, &f, len, verdict,
				      reason);
		if (!_metadata->passed)
			break;
	}
	EXPECT_EQ((int)(f.len - ETH_HLEN), runs);
}

/* ---- the table ------------------------------------------------------ */

#define PASS(r) .verdict = XDP_PASS, .reason = LMIG_PASS_##r
#define DROP(r) .verdict = XDP_DROP, .reason = LMIG_DROP_##r

/* The admission checks, in both families. */
#define ADMISSION_VARIANTS(fam, f)                                             \
	FIXTURE_VARIANT_ADD(verdict, fam##_admitted){.family = f,              \
						     PASS(ADMITTED)};          \
	FIXTURE_VARIANT_ADD(verdict, fam##_no_admission){                      \
		.family = f, .src = SRC_NONE, DROP(NO_ADMISSION)};             \
	FIXTURE_VARIANT_ADD(verdict, fam##_admission_expired){                 \
		.family = f, .src = SRC_EXPIRED, DROP(EXPIRED)};               \
	FIXTURE_VARIANT_ADD(verdict, fam##_profile_window_over){               \
		.family = f, .src = SRC_WINDOW_OVER, DROP(EXPIRED)};           \
	FIXTURE_VARIANT_ADD(verdict, fam##_suspended){                         \
		.family = f, .src = SRC_SUSPENDED, DROP(SUSPENDED)};           \
	FIXTURE_VARIANT_ADD(verdict, fam##_user_unknown){                      \
		.family = f, .src = SRC_NO_USER, DROP(USER_UNKNOWN)};          \
	FIXTURE_VARIANT_ADD(verdict, fam##_service_not_granted){               \
		.family = f, .src = SRC_VIDEO_ONLY, DROP(SERVICE)};            \
	FIXTURE_VARIANT_ADD(verdict, fam##_service_not_in_profile){            \
		.family = f, .src = SRC_PROFILE_VIDEO, DROP(SERVICE)};         \
	FIXTURE_VARIANT_ADD(verdict, fam##_service_before_user){               \
		.family = f, .src = SRC_NO_USER_VIDEO, DROP(SERVICE)};         \
	FIXTURE_VARIANT_ADD(verdict,                                           \
			    fam##_video_granted){.family = f,                  \
						 .src = SRC_VIDEO_ONLY,        \
						 .dport = PORT_VIDEO,          \
						 PASS(ADMITTED)};              \
	FIXTURE_VARIANT_ADD(verdict,                                           \
			    fam##_tcp_video_admitted){.family = f,             \
						      .proto = IPPROTO_TCP,    \
						      .dport = PORT_VIDEO,     \
						      PASS(ADMITTED)};         \
	FIXTURE_VARIANT_ADD(verdict, fam##_data_not_granted){                  \
		.family = f, .dport = PORT_DATA, DROP(SERVICE)};               \
	FIXTURE_VARIANT_ADD(verdict, fam##_unclassified_default_pass){         \
		.family = f,                                                   \
		.src = SRC_NONE,                                               \
		.dport = PORT_OTHER,                                           \
		PASS(UNCLASSIFIED)};                                           \
	FIXTURE_VARIANT_ADD(verdict, fam##_unclassified_default_drop){         \
		.family = f,                                                   \
		.src = SRC_ADMITTED,                                           \
		.dport = PORT_OTHER,                                           \
		.default_drop = true,                                          \
		DROP(UNCLASSIFIED)};                                           \
	FIXTURE_VARIANT_ADD(verdict, fam##_tcp_unclassified_default_drop){     \
		.family = f,                                                   \
		.proto = IPPROTO_TCP,                                          \
		.default_drop = true,                                          \
		DROP(UNCLASSIFIED)};                                           \
	FIXTURE_VARIANT_ADD(verdict, fam##_open){.family = f,                  \
						 .src = SRC_NONE,              \
						 .proto = IPPROTO_TCP,         \
						 .dport = PORT_OPEN,           \
						 PASS(OPEN)};                  \
	FIXTURE_VARIANT_ADD(verdict,                                           \
			    fam##_open_default_drop){.family = f,              \
						     .src = SRC_NONE,          \
						     .dport = PORT_OPEN,       \
						     .default_drop = true,     \
						     PASS(OPEN)};              \
	FIXTURE_VARIANT_ADD(verdict, fam##_vlan1_admitted){                    \
		.family = f, .vlans = 1, PASS(ADMITTED)};                      \
	FIXTURE_VARIANT_ADD(verdict, fam##_vlan1_no_admission){                \
		.family = f, .vlans = 1, .src = SRC_NONE, DROP(NO_ADMISSION)}; \
	FIXTURE_VARIANT_ADD(verdict, fam##_vlan2_admitted){                    \
		.family = f, .vlans = 2, PASS(ADMITTED)};                      \
	FIXTURE_VARIANT_ADD(verdict, fam##_vlan2_no_admission){                \
		.family = f, .vlans = 2, .src = SRC_NONE, DROP(NO_ADMISSION)}; \
	FIXTURE_VARIANT_ADD(verdict, fam##_vlan3_malformed){                   \
		.family = f, .vlans = 3, DROP(MALFORMED)};                     \
	FIXTURE_VARIANT_ADD(verdict, fam##_trailer_admitted){                  \
		.family = f, .pad = 18, PASS(ADMITTED)};                       \
	FIXTURE_VARIANT_ADD(verdict, fam##_tcp_doff_small)                     \
	{                                                                      \
		.family = f, .proto = IPPROTO_TCP, .dport = PORT_VIDEO,        \
		.corrupt = TCP_DOFF_SMALL, DROP(MALFORMED)                     \
	}

ADMISSION_VARIANTS(v4, 4);
ADMISSION_VARIANTS(v6, 6);

FIXTURE_VARIANT_ADD(verdict, arp){.family = FAM_ARP, PASS(NOT_IP)};
FIXTURE_VARIANT_ADD(verdict,
		    arp_vlan2){.family = FAM_ARP, .vlans = 2, PASS(NOT_IP)};
FIXTURE_VARIANT_ADD(verdict, v4_icmp_default_pass){
	.family = 4, .proto = IPPROTO_ICMP, PASS(UNCLASSIFIED)};
FIXTURE_VARIANT_ADD(verdict, v4_icmp_default_drop){.family = 4,
						   .proto = IPPROTO_ICMP,
						   .default_drop = true,
						   DROP(UNCLASSIFIED)};
FIXTURE_VARIANT_ADD(verdict, v6_icmp_default_pass){
	.family = 6, .proto = IPPROTO_ICMPV6, PASS(UNCLASSIFIED)};
FIXTURE_VARIANT_ADD(verdict, v6_icmp_default_drop){.family = 6,
						   .proto = IPPROTO_ICMPV6,
						   .default_drop = true,
						   DROP(UNCLASSIFIED)};

/* IPv4 options: the ports are found after them, not inside them. */
FIXTURE_VARIANT_ADD(verdict, v4_options_admitted){
	.family = 4, .ip4_opts = 8, PASS(ADMITTED)};
FIXTURE_VARIANT_ADD(verdict, v4_options_no_admission){
	.family = 4, .ip4_opts = 8, .src = SRC_NONE, DROP(NO_ADMISSION)};
FIXTURE_VARIANT_ADD(verdict, v4_options_max_no_admission){
	.family = 4, .ip4_opts = 40, .src = SRC_NONE, DROP(NO_ADMISSION)};

/* IPv4 fragments: the first by its ports, later ones by the source. */
FIXTURE_VARIANT_ADD(verdict, v4_first_fragment_admitted){
	.family = 4, .frag = FRAG_FIRST, PASS(ADMITTED)};
FIXTURE_VARIANT_ADD(verdict, v4_first_fragment_no_admission){
	.family = 4, .frag = FRAG_FIRST, .src = SRC_NONE, DROP(NO_ADMISSION)};
FIXTURE_VARIANT_ADD(verdict, v4_first_fragment_open){.family = 4,
						     .frag = FRAG_FIRST,
						     .src = SRC_NONE,
						     .proto = IPPROTO_TCP,
						     .dport = PORT_OPEN,
						     PASS(OPEN)};
FIXTURE_VARIANT_ADD(verdict, v4_later_fragment_admitted){
	.family = 4, .frag = FRAG_LATER, PASS(ADMITTED)};
FIXTURE_VARIANT_ADD(verdict, v4_later_fragment_any_service){
	.family = 4, .frag = FRAG_LATER, .src = SRC_VIDEO_ONLY, PASS(ADMITTED)};
FIXTURE_VARIANT_ADD(verdict, v4_later_fragment_no_admission){
	.family = 4, .frag = FRAG_LATER, .src = SRC_NONE, DROP(NO_ADMISSION)};
FIXTURE_VARIANT_ADD(verdict, v4_later_fragment_default_drop){
	.family = 4, .frag = FRAG_LATER, .default_drop = true, PASS(ADMITTED)};
FIXTURE_VARIANT_ADD(verdict, v4_later_fragment_expired){
	.family = 4, .frag = FRAG_LATER, .src = SRC_EXPIRED, DROP(EXPIRED)};
FIXTURE_VARIANT_ADD(verdict, v4_later_fragment_suspended){
	.family = 4, .frag = FRAG_LATER, .src = SRC_SUSPENDED, DROP(SUSPENDED)};
FIXTURE_VARIANT_ADD(verdict,
		    v4_later_fragment_icmp_no_admission){.family = 4,
							 .frag = FRAG_LATER,
							 .proto = IPPROTO_ICMP,
							 .src = SRC_NONE,
							 DROP(NO_ADMISSION)};

/* IPv6 extension headers: walked to the ports. */
#define EXT1(name, t)                                                      \
	FIXTURE_VARIANT_ADD(verdict, v6_##name##_admitted){                \
		.family = 6, .ext = {t}, .n_ext = 1, PASS(ADMITTED)};      \
	FIXTURE_VARIANT_ADD(verdict,                                       \
			    v6_##name##_no_admission){.family = 6,         \
						      .ext = {t},          \
						      .n_ext = 1,          \
						      .src = SRC_NONE,     \
						      DROP(NO_ADMISSION)}; \
	FIXTURE_VARIANT_ADD(verdict, v6_##name##_open)                     \
	{                                                                  \
		.family = 6, .ext = {t}, .n_ext = 1, .src = SRC_NONE,      \
		.proto = IPPROTO_TCP, .dport = PORT_OPEN, PASS(OPEN)       \
	}

EXT1(hopopts, 0);
EXT1(routing, 43);
EXT1(dstopts, 60);
EXT1(first_fragment, 44);

#define CHAIN5 .ext = {0, 60, 43, 44, 60}, .n_ext = 5
FIXTURE_VARIANT_ADD(verdict, v6_chain_admitted){
	.family = 6, CHAIN5, .frag = FRAG_FIRST, PASS(ADMITTED)};
FIXTURE_VARIANT_ADD(verdict, v6_chain_no_admission){.family = 6,
						    CHAIN5,
						    .frag = FRAG_FIRST,
						    .src = SRC_NONE,
						    DROP(NO_ADMISSION)};
/* Six headers are walked, so the ports still count. */
FIXTURE_VARIANT_ADD(verdict,
		    v6_chain_longest_open){.family = 6,
					   .ext = {60, 60, 60, 60, 60, 60},
					   .n_ext = 6,
					   .src = SRC_NONE,
					   .proto = IPPROTO_TCP,
					   .dport = PORT_OPEN,
					   PASS(OPEN)};
/* Seven are too many: MC traffic needing a live admission. */
FIXTURE_VARIANT_ADD(verdict, v6_chain_too_long_admitted){
	.family = 6,
	.ext = {60, 60, 60, 60, 60, 60, 60},
	.n_ext = 7,
	PASS(ADMITTED)};
FIXTURE_VARIANT_ADD(verdict, v6_chain_too_long_no_admission){
	.family = 6,
	.ext = {60, 60, 60, 60, 60, 60, 60},
	.n_ext = 7,
	.src = SRC_NONE,
	.proto = IPPROTO_TCP,
	.dport = PORT_OPEN,
	DROP(NO_ADMISSION)};
FIXTURE_VARIANT_ADD(verdict, v6_chain_too_long_suspended){
	.family = 6,
	.ext = {60, 60, 60, 60, 60, 60, 60},
	.n_ext = 7,
	.src = SRC_SUSPENDED,
	DROP(SUSPENDED)};
FIXTURE_VARIANT_ADD(verdict, v6_later_fragment_admitted){.family = 6,
							 .ext = {44},
							 .n_ext = 1,
							 .frag = FRAG_LATER,
							 PASS(ADMITTED)};
FIXTURE_VARIANT_ADD(verdict,
		    v6_later_fragment_no_admission){.family = 6,
						    .ext = {44},
						    .n_ext = 1,
						    .frag = FRAG_LATER,
						    .src = SRC_NONE,
						    DROP(NO_ADMISSION)};
FIXTURE_VARIANT_ADD(verdict, v6_later_fragment_expired){.family = 6,
							.ext = {0, 44},
							.n_ext = 2,
							.frag = FRAG_LATER,
							.src = SRC_EXPIRED,
							DROP(EXPIRED)};
FIXTURE_VARIANT_ADD(verdict, v6_auth_header_admitted){
	.family = 6, .ext = {51}, .n_ext = 1, PASS(ADMITTED)};
FIXTURE_VARIANT_ADD(verdict, v6_auth_header_no_admission){.family = 6,
							  .ext = {51},
							  .n_ext = 1,
							  .src = SRC_NONE,
							  .proto = IPPROTO_TCP,
							  .dport = PORT_OPEN,
							  DROP(NO_ADMISSION)};
FIXTURE_VARIANT_ADD(verdict, v6_esp_no_admission){.family = 6,
						  .ext = {50},
						  .n_ext = 1,
						  .src = SRC_NONE,
						  DROP(NO_ADMISSION)};
FIXTURE_VARIANT_ADD(verdict, v6_no_next_header){
	.family = 6, .proto = 59, .src = SRC_NONE, PASS(UNCLASSIFIED)};

/* Inconsistent headers. */
#define MALFORMED(name, f, c)                              \
	FIXTURE_VARIANT_ADD(verdict, name)                 \
	{                                                  \
		.family = f, .corrupt = c, DROP(MALFORMED) \
	}

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
FIXTURE_VARIANT_ADD(verdict, v6_ext_beyond_payload){.family = 6,
						    .ext = {60},
						    .n_ext = 1,
						    .corrupt = V6_EXT_LONG,
						    DROP(MALFORMED)};
/* The rest of the frame would pass as admitted if it were believed. */
FIXTURE_VARIANT_ADD(verdict, v6_payload_length_ends_in_dstopts){
	.family = 6,
	.ext = {60},
	.n_ext = 1,
	.corrupt = V6_PLEN_IN_EXT,
	DROP(MALFORMED)};
FIXTURE_VARIANT_ADD(verdict, v6_payload_length_ends_in_fragment){
	.family = 6,
	.ext = {44},
	.n_ext = 1,
	.frag = FRAG_FIRST,
	.corrupt = V6_PLEN_IN_FRAG,
	DROP(MALFORMED)};
FIXTURE_VARIANT_ADD(verdict, v4_total_length_beyond_frame_default_drop){
	.family = 4,
	.corrupt = V4_TOTLEN_LONG,
	.default_drop = true,
	DROP(MALFORMED)};

TEST_HARNESS_MAIN
