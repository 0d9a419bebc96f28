// SPDX-License-Identifier: GPL-2.0-only
/*
 * The XDP program against a reference model, on random and mutated frames.
 *
 * The model below is a naive reading of the contract: plain byte offsets,
 * no cursor, every rule written out once. Frames come from a fixed-seed
 * generator that builds mostly plausible Ethernet, VLAN, IPv4, IPv6 (with
 * extension chains), UDP, TCP, SCTP and tunnel headers and then bends
 * them: wrong lengths, odd versions, fragments, unknown headers, trailers,
 * truncation, flipped bytes; half of them are mutations of earlier frames
 * (bytes set to values parsers care about, ranges inserted, deleted or
 * repeated). For every frame the program's action and the class and
 * reason it counted must equal the model's, and no frame from a source
 * without an admission may pass as admitted. Over a million frames in
 * all; LMIG_SEED=<n> replays another sequence, LMIG_FRAMES=<n> sets the
 * number per variant; a failure prints the seed and the frame.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <linux/if_ether.h>

#include "kselftest_harness.h"

#include "names.h"
#include "xdp_world.h"

#define FRAMES	  520000 /* per variant: two make over a million */
#define FRAME_MAX 1600

/* ---- the model ------------------------------------------------------ */

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static bool is_vlan(uint16_t type)
{
	return type == ETH_P_8021Q || type == ETH_P_8021AD;
}

/* Extension headers in the IANA list; the first four are walked. */
static bool is_ipv6_ext(uint8_t nh)
{
	static const uint8_t ext[] = {0,   43,	44,  50,  51, 60,
				      135, 139, 140, 253, 254};

	return memchr(ext, nh, sizeof(ext)) != NULL;
}

enum model_parse {
	M_NOT_IP,
	M_MALFORMED,
	M_PORTS,
	M_OTHER,
	M_FRAGMENT,
	M_OPAQUE
};

struct model_pkt {
	struct lmig_addr src;
	uint32_t l4;
	uint16_t dport;
};

/* Tunnels and IPsec: what they carry has its ports out of sight. */
static bool hides_ports(uint8_t proto)
{
	static const uint8_t tunnels[] = {4, 41, 47, 50, 51, 97, 115, 137, 143};

	return memchr(tunnels, proto, sizeof(tunnels)) != NULL;
}

static enum model_parse model_l4(const uint8_t *b, size_t len, size_t pos,
				 uint8_t proto, uint32_t l4len,
				 struct model_pkt *pkt)
{
	size_t hlen;

	switch (proto) {
	case IPPROTO_UDP:
		hlen = 8;
		pkt->l4 = LMIG_L4_UDP;
		break;
	case IPPROTO_TCP:
		hlen = 20;
		pkt->l4 = LMIG_L4_TCP;
		break;
	case IPPROTO_SCTP:
		hlen = 12;
		pkt->l4 = LMIG_L4_SCTP;
		break;
	default:
		return hides_ports(proto) ? M_OPAQUE : M_OTHER;
	}
	if (l4len < hlen || pos + hlen > len)
		return M_MALFORMED;
	if (proto == IPPROTO_TCP && (b[pos + 12] >> 4) < 5)
		return M_MALFORMED;
	pkt->dport = be16(b + pos + 2);
	return M_PORTS;
}

static enum model_parse model_parse(const uint8_t *b, size_t len,
				    struct model_pkt *pkt)
{
	size_t off = 14, pos;
	uint16_t type;
	uint32_t left;
	uint8_t nh;

	type = be16(b + 12);
	for (int tags = 0; is_vlan(type); tags++) {
		if (tags == 2 || off + 4 > len)
			return M_MALFORMED;
		type = be16(b + off + 2);
		off += 4;
	}

	if (type == ETH_P_IP) {
		size_t ihl, tot;

		if (off + 20 > len || b[off] >> 4 != 4)
			return M_MALFORMED;
		ihl = (b[off] & 0xf) * 4;
		tot = be16(b + off + 2);
		if (ihl < 20 || tot < ihl || off + tot > len)
			return M_MALFORMED;
		memset(&pkt->src, 0, sizeof(pkt->src));
		pkt->src.addr[10] = pkt->src.addr[11] = 0xff;
		memcpy(pkt->src.addr + 12, b + off + 12, 4);
		if (be16(b + off + 6) & 0x1fff)
			return M_FRAGMENT;
		return model_l4(b, len, off + ihl, b[off + 9], tot - ihl, pkt);
	}
	if (type != ETH_P_IPV6)
		return M_NOT_IP;

	if (off + 40 > len || b[off] >> 4 != 6)
		return M_MALFORMED;
	left = be16(b + off + 4);
	if (off + 40 + left > len)
		return M_MALFORMED;
	memcpy(pkt->src.addr, b + off + 8, 16);
	if (!memcmp(pkt->src.addr, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12))
		return M_MALFORMED;
	nh = b[off + 6];
	pos = off + 40;
	for (int i = 0; i < 6; i++) {
		if (nh == 0 || nh == 43 || nh == 60) {
			size_t hl;

			if (pos + 8 > len)
				return M_MALFORMED;
			hl = (b[pos + 1] + 1) * 8;
			if (hl > left || pos + hl > len)
				return M_MALFORMED;
			left -= hl;
			nh = b[pos];
			pos += hl;
		} else if (nh == 44) {
			if (pos + 8 > len || left < 8)
				return M_MALFORMED;
			left -= 8;
			if (be16(b + pos + 2) & 0xfff8)
				return M_FRAGMENT;
			nh = b[pos];
			pos += 8;
		} else {
			break;
		}
	}
	if (is_ipv6_ext(nh))
		return M_OPAQUE;
	return model_l4(b, len, pos, nh, left, pkt);
}

struct judgement {
	enum lmig_reason reason;
	uint32_t class;
	bool admitted_source; /* the source holds an admission */
};

static void model(const uint8_t *b, size_t len, bool default_drop,
		  struct judgement *j)
{
	enum lmig_reason unclassified = default_drop ? LMIG_DROP_UNCLASSIFIED
						     : LMIG_PASS_UNCLASSIFIED;
	struct model_pkt pkt;
	int user;

	memset(j, 0, sizeof(*j));
	j->class = LMIG_CLASS_NONE;
	switch (model_parse(b, len, &pkt)) {
	case M_NOT_IP:
		j->reason = LMIG_PASS_NOT_IP;
		return;
	case M_MALFORMED:
		j->reason = LMIG_DROP_MALFORMED;
		return;
	case M_OTHER:
		j->reason = unclassified;
		return;
	case M_FRAGMENT:
		j->class = LMIG_CLASS_FRAGMENT;
		break;
	case M_OPAQUE:
		j->class = LMIG_CLASS_OPAQUE;
		break;
	case M_PORTS:
		j->class = world_class(pkt.l4, pkt.dport);
		break;
	}
	j->admitted_source = world_admission_of(&pkt.src) != NULL;
	switch (j->class) {
	case LMIG_CLASS_NONE:
		j->reason = unclassified;
		return;
	case LMIG_CLASS_OPEN:
		/* No rate limit in this world. */
		j->reason = LMIG_PASS_OPEN;
		return;
	case LMIG_CLASS_DENY:
		j->reason = LMIG_DROP_DENIED;
		return;
	default:
		j->reason = world_judge(&pkt.src, lmig_class_service(j->class),
					&user);
	}
}

/* ---- the generator -------------------------------------------------- */

struct rng {
	uint64_t s;
};

static uint32_t rnd(struct rng *r)
{
	/* xorshift64* */
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return (uint32_t)((r->s * 0x2545f4914f6cdd1dULL) >> 32);
}

static uint32_t below(struct rng *r, uint32_t n)
{
	return rnd(r) % n;
}

static bool chance(struct rng *r, uint32_t percent)
{
	return below(r, 100) < percent;
}

struct gen {
	struct rng *r;
	uint8_t *b;
	size_t len;
};

static void put8(struct gen *g, uint8_t v)
{
	if (g->len < FRAME_MAX)
		g->b[g->len++] = v;
}

static void put16g(struct gen *g, uint16_t v)
{
	put8(g, v >> 8);
	put8(g, v & 0xff);
}

static void put_random(struct gen *g, size_t n)
{
	while (n--)
		put8(g, rnd(g->r));
}

static void set16(struct gen *g, size_t at, uint16_t v)
{
	if (at + 2 <= g->len) {
		g->b[at] = v >> 8;
		g->b[at + 1] = v & 0xff;
	}
}

/* Mostly right, sometimes off by a little, sometimes anything. */
static uint16_t bend(struct rng *r, size_t right)
{
	if (chance(r, 85))
		return right;
	if (chance(r, 70))
		return right + below(r, 9) - 4;
	return rnd(r);
}

static uint8_t pick_proto(struct rng *r, int family)
{
	static const uint8_t tunnels[] = {4, 41, 47, 50, 51};
	uint32_t x = below(r, 100);

	if (x < 45)
		return IPPROTO_UDP;
	if (x < 70)
		return IPPROTO_TCP;
	if (x < 80)
		return IPPROTO_SCTP;
	if (x < 87)
		return family == 4 ? IPPROTO_ICMP : IPPROTO_ICMPV6;
	if (x < 93)
		return tunnels[below(r, sizeof(tunnels))];
	return rnd(r);
}

static uint16_t pick_port(struct rng *r)
{
	static const uint16_t ports[] = {PORT_PTT,  PORT_VIDEO, PORT_DATA,
					 PORT_OPEN, PORT_DENY,	PORT_BOGUS,
					 PORT_OTHER};

	if (chance(r, 85))
		return ports[below(r, sizeof(ports) / sizeof(ports[0]))];
	return rnd(r);
}

static void gen_l4(struct gen *g, uint8_t proto)
{
	struct rng *r = g->r;
	size_t start = g->len;

	if (proto == IPPROTO_UDP) {
		size_t n = below(r, 24);

		put16g(g, rnd(r));
		put16g(g, pick_port(r));
		put16g(g, bend(r, 8 + n));
		put16g(g, 0);
		put_random(g, n);
	} else if (proto == IPPROTO_SCTP) {
		put16g(g, rnd(r));
		put16g(g, pick_port(r));
		put_random(g, 8 + below(r, 24));
	} else if (proto == IPPROTO_TCP) {
		uint8_t doff = chance(r, 90) ? 5 + below(r, 3) : below(r, 16);

		put16g(g, rnd(r));
		put16g(g, pick_port(r));
		put_random(g, 8);
		put8(g, doff << 4);
		put_random(g, 7);
		if (doff > 5)
			put_random(g, (doff - 5) * 4);
		put_random(g, below(r, 16));
	} else {
		put_random(g, below(r, 32));
	}
	(void)start;
}

static void gen_src4(struct gen *g)
{
	uint8_t a[4];

	if (chance(g->r, 90))
		src_v4(below(g->r, SRC_COUNT), a);
	else
		memcpy(a, (uint8_t[]){10, 1, 2, rnd(g->r)}, 4);
	for (int i = 0; i < 4; i++)
		put8(g, a[i]);
}

static void gen_ipv4(struct gen *g)
{
	struct rng *r = g->r;
	size_t start = g->len;
	uint8_t ihl, proto = pick_proto(r, 4);
	uint16_t frag = 0;

	if (chance(r, 90))
		ihl = 5 + (chance(r, 30) ? below(r, 11) : 0);
	else
		ihl = below(r, 16);
	if (chance(r, 15))
		frag = 0x2000;
	else if (chance(r, 15))
		frag = (1 + below(r, 0x1fff)) | (chance(r, 50) ? 0x2000 : 0);

	put8(g, (chance(r, 97) ? 0x40 : below(r, 16) << 4) | ihl);
	put8(g, 0);
	put16g(g, 0); /* total length, below */
	put16g(g, rnd(r));
	put16g(g, frag);
	put8(g, 64);
	put8(g, proto);
	put16g(g, 0);
	gen_src4(g);
	put8(g, 192), put8(g, 0), put8(g, 2), put8(g, 1);
	if (ihl > 5)
		put_random(g, (ihl - 5) * 4);
	gen_l4(g, proto);
	set16(g, start + 2, bend(r, g->len - start));
}

static uint8_t pick_ext(struct rng *r)
{
	static const uint8_t ext[] = {0,  43, 60,  60, 44, 44,
				      51, 50, 135, 59, 253};

	return ext[below(r, sizeof(ext))];
}

static void gen_ipv6(struct gen *g)
{
	struct rng *r = g->r;
	size_t start = g->len, nh_at = start + 6;
	uint8_t proto = pick_proto(r, 6);
	int n = chance(r, 50) ? 0 : below(r, 9);

	put8(g, chance(r, 97) ? 0x60 : below(r, 16) << 4);
	put_random(g, 3);
	put16g(g, 0); /* payload length, below */
	put8(g, proto);
	put8(g, 64);
	if (chance(r, 95)) {
		uint8_t a[16];

		src_v6(below(r, SRC_COUNT), a);
		if (chance(r, 3)) /* IPv4-mapped */
			memcpy(a, "\0\0\0\0\0\0\0\0\0\0\xff\xff\xc0\0\x02\x0a",
			       16);
		for (int i = 0; i < 16; i++)
			put8(g, a[i]);
	} else {
		put_random(g, 16);
	}
	put_random(g, 16);

	for (int i = 0; i < n; i++) {
		uint8_t t = pick_ext(r);

		if (nh_at < g->len)
			g->b[nh_at] = t;
		nh_at = g->len;
		put8(g, proto);
		if (t == 0 || t == 43 || t == 60) {
			uint8_t hl = chance(r, 90) ? below(r, 3) : rnd(r);

			put8(g, hl);
			put_random(g, 6 + (size_t)hl * 8);
		} else if (t == 44) {
			put8(g, 0);
			put16g(g, chance(r, 60) ? below(r, 2) : rnd(r));
			put_random(g, 4);
		} else {
			put_random(g, 7 + below(r, 12));
		}
	}
	gen_l4(g, proto);
	set16(g, start + 4, bend(r, g->len - start - 40));
}

static size_t gen_frame(struct rng *r, uint8_t *b)
{
	struct gen g = {.r = r, .b = b};
	int tags = chance(r, 60) ? 0 : below(r, 4);
	uint32_t x = below(r, 100);

	put_random(&g, 12);
	for (int i = 0; i < tags; i++) {
		put16g(&g, chance(r, 50) ? ETH_P_8021Q : ETH_P_8021AD);
		put16g(&g, rnd(r));
	}
	if (x < 45) {
		put16g(&g, ETH_P_IP);
		gen_ipv4(&g);
	} else if (x < 90) {
		put16g(&g, ETH_P_IPV6);
		gen_ipv6(&g);
	} else {
		put16g(&g, x < 95 ? ETH_P_ARP : rnd(r));
		put_random(&g, below(r, 60));
	}
	if (chance(r, 15))
		put_random(&g, below(r, 24));
	if (g.len < ETH_HLEN)
		put_random(&g, ETH_HLEN - g.len);
	if (chance(r, 15))
		g.len = ETH_HLEN + below(r, g.len - ETH_HLEN + 1);
	if (chance(r, 10))
		for (int i = 1 + below(r, 3); i > 0; i--)
			b[below(r, g.len)] ^= 1 << below(r, 8);
	return g.len;
}

/* ---- mutation ------------------------------------------------------- */

/* Byte values the parsers decide on: versions, lengths, EtherTypes,
 * next headers, fragment bits. */
static const uint8_t interesting[] = {
	0x00, 0x01, 0x02, 0x04, 0x05, 0x06, 0x08, 0x0f, 0x10, 0x11, 0x14, 0x20,
	0x29, 0x2b, 0x2c, 0x2f, 0x32, 0x33, 0x3a, 0x3b, 0x3c, 0x40, 0x45, 0x46,
	0x4f, 0x60, 0x7f, 0x80, 0x81, 0x84, 0x86, 0x88, 0xa8, 0xdd, 0xfe, 0xff,
};

/* Change a frame the way a broken or hostile sender would: 1 to 4 edits
 * anywhere, keeping it between ETH_HLEN and FRAME_MAX bytes. */
static size_t mutate(struct rng *r, uint8_t *b, size_t len)
{
	for (int n = 1 + below(r, 4); n > 0; n--) {
		size_t at = below(r, len), k;

		switch (below(r, 7)) {
		case 0: /* a bit */
			b[at] ^= 1 << below(r, 8);
			break;
		case 1: /* a byte parsers care about */
			b[at] = interesting[below(r, sizeof(interesting))];
			break;
		case 2: /* a 16-bit field a little off */
			if (at + 2 <= len) {
				uint16_t v = be16(b + at) + below(r, 17) - 8;

				b[at] = v >> 8;
				b[at + 1] = v & 0xff;
			}
			break;
		case 3: /* bytes inserted */
			k = 1 + below(r, 16);
			if (len + k <= FRAME_MAX) {
				memmove(b + at + k, b + at, len - at);
				for (size_t i = 0; i < k; i++)
					b[at + i] = rnd(r);
				len += k;
			}
			break;
		case 4: /* bytes removed */
			k = 1 + below(r, 16);
			if (at + k < len && len - k >= ETH_HLEN) {
				memmove(b + at, b + at + k, len - at - k);
				len -= k;
			}
			break;
		case 5: /* a header repeated, e.g. one VLAN tag more */
			k = 4 * (1 + below(r, 4));
			if (at + k <= len && len + k <= FRAME_MAX) {
				memmove(b + at + k, b + at, len - at);
				len += k;
			}
			break;
		default: /* cut */
			if (at >= ETH_HLEN)
				len = at;
			break;
		}
	}
	return len;
}

/* ---- the comparison ------------------------------------------------- */

FIXTURE(model)
{
	uint64_t seed;
	long frames;
};

FIXTURE_VARIANT(model)
{
	bool default_drop;
	uint64_t seed;
};

FIXTURE_VARIANT_ADD(model, default_pass){.seed = 1};
FIXTURE_VARIANT_ADD(model, default_drop){.default_drop = true, .seed = 2};

FIXTURE_SETUP(model)
{
	const char *seed = getenv("LMIG_SEED"), *frames = getenv("LMIG_FRAMES");

	ASSERT_EQ(0, world.err) TH_LOG("%s", world.why);
	ASSERT_EQ(0, world_config(variant->default_drop, NULL, NULL, NULL));
	self->seed = seed ? strtoull(seed, NULL, 0) : variant->seed;
	self->frames = frames ? strtol(frames, NULL, 0) : FRAMES;
}

FIXTURE_TEARDOWN(model)
{
}

static void dump(const uint8_t *b, size_t len)
{
	char line[3 * 16 + 1];

	for (size_t i = 0; i < len; i += 16) {
		size_t n = 0;

		for (size_t j = i; j < len && j < i + 16; j++)
			n += snprintf(line + n, sizeof(line) - n, "%02x ",
				      b[j]);
		fprintf(stderr, "#   %04zx: %s\n", i, line);
	}
}

/* A few seconds here; minutes under emulation (the test VM). */
TEST_F_TIMEOUT(model, random_and_mutated_frames, 900)
{
	struct rng r = {.s = self->seed * 0x9e3779b97f4a7c15ULL + 1};
	static uint8_t frame[FRAME_MAX], last[FRAME_MAX];
	unsigned int seen[__LMIG_REASON_MAX] = {0};
	unsigned int classes[__LMIG_CLASS_MAX] = {0};
	long mismatches = 0, unadmitted_passes = 0, mutated = 0;
	size_t last_len = 0;

	for (long i = 0; i < self->frames && mismatches < 3; i++) {
		struct judgement want;
		size_t len;
		int action, class, reason;

		if (last_len && chance(&r, 50)) {
			memcpy(frame, last, last_len);
			len = mutate(&r, frame, last_len);
			mutated++;
		} else {
			len = gen_frame(&r, frame);
		}
		model(frame, len, variant->default_drop, &want);
		action = world_run_expect(frame, len, want.class, want.reason,
					  &class, &reason);
		ASSERT_LE(0, action)
		TH_LOG("frame %ld: test run: %s", i, strerror(-action));
		seen[want.reason]++;
		classes[want.class]++;
		if (reason == LMIG_PASS_ADMITTED && !want.admitted_source)
			unadmitted_passes++;
		/* Mutate what got furthest: frames the model did not refuse
		 * as malformed. */
		if (want.reason != LMIG_DROP_MALFORMED) {
			memcpy(last, frame, len);
			last_len = len;
		}
		if (action == (lmig_reason_passes(want.reason) ? XDP_PASS
							       : XDP_DROP) &&
		    reason == (int)want.reason && class == (int)want.class)
			continue;
		mismatches++;
		TH_LOG("seed %ju frame %ld (%zu bytes): program %s/%s (action "
		       "%d), model %s/%s",
		       (uintmax_t)self->seed, i, len,
		       class < 0 ? "?" : lmig_class_name(class),
		       reason < 0 ? "?" : lmig_reason_name(reason), action,
		       lmig_class_name(want.class),
		       lmig_reason_name(want.reason));
		dump(frame, len);
	}
	EXPECT_EQ(0, mismatches);
	EXPECT_EQ(0, unadmitted_passes);
	EXPECT_LT(self->frames / 4, mutated);

	/* The frames reached every verdict the configuration allows. */
	for (int rs = 0; rs < __LMIG_REASON_MAX; rs++) {
		bool impossible = rs == LMIG_DROP_OPEN_SOURCE ||
				  rs == LMIG_DROP_OPEN_TOTAL ||
				  rs == (variant->default_drop
						 ? LMIG_PASS_UNCLASSIFIED
						 : LMIG_DROP_UNCLASSIFIED);

		if (!impossible && self->frames >= 100000) {
			EXPECT_LT(10, seen[rs])
			TH_LOG("only %u frames gave %s", seen[rs],
			       lmig_reason_name(rs));
		}
	}
	for (int c = 0; c < __LMIG_CLASS_MAX && self->frames >= 100000; c++) {
		EXPECT_LT(10, classes[c])
		TH_LOG("only %u frames of class %s", classes[c],
		       lmig_class_name(c));
	}
}

WORLD_HARNESS_MAIN
