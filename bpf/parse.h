/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Packet parsing for the lmig fast path.
 *
 * A cursor walks the frame from the Ethernet header to the transport ports.
 * Every header is bounds-checked against the end of the frame before it is
 * read, and every length a header claims is checked against both the frame
 * and the IP datagram length, so a truncated or inconsistent packet ends as
 * LMIG_PARSE_MALFORMED and never reaches a verdict on partial data. Loops
 * have fixed limits.
 *
 * What cannot be proven not to be MC traffic is reported so: a later
 * fragment (LMIG_PARSE_FRAGMENT), an IPv6 extension chain longer than we
 * walk or of a header we cannot walk, a tunnel or IPsec header hiding the
 * inner ports (LMIG_PARSE_OPAQUE). The program then wants an admission.
 */
#ifndef LMIG_BPF_PARSE_H
#define LMIG_BPF_PARSE_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "lmig_maps.h"

/* At most this many VLAN tags (802.1Q, 802.1ad) before the IP header. */
#define LMIG_VLAN_MAX		2
/* At most this many IPv6 extension headers are walked to find the ports. */
#define LMIG_IPV6_EXT_MAX	6

#define LMIG_IP_MF		0x2000	/* IPv4 more fragments */
#define LMIG_IP_OFFSET		0x1fff	/* IPv4 fragment offset, 8-byte units */
#define LMIG_IP6_OFFSET		0xfff8	/* IPv6 fragment offset, in place */

/* IPv6 next-header values that are extension headers, not transports. */
#define LMIG_NEXTHDR_HOP	0
#define LMIG_NEXTHDR_ROUTING	43
#define LMIG_NEXTHDR_FRAGMENT	44
#define LMIG_NEXTHDR_ESP	50
#define LMIG_NEXTHDR_AUTH	51
#define LMIG_NEXTHDR_DEST	60
#define LMIG_NEXTHDR_MOBILITY	135
#define LMIG_NEXTHDR_HIP	139
#define LMIG_NEXTHDR_SHIM6	140
#define LMIG_NEXTHDR_TEST1	253
#define LMIG_NEXTHDR_TEST2	254

/* Transports that carry whole packets or encrypt them: the inner ports
 * are out of sight. */
#define LMIG_PROTO_IPIP		4
#define LMIG_PROTO_IPV6		41
#define LMIG_PROTO_GRE		47
#define LMIG_PROTO_ETHERIP	97
#define LMIG_PROTO_L2TP		115
#define LMIG_PROTO_MPLS		137
#define LMIG_PROTO_ETHERNET	143

#define LMIG_PROTO_SCTP		132

enum lmig_parse {
	LMIG_PARSE_NOT_IP,	/* neither IPv4 nor IPv6 */
	LMIG_PARSE_MALFORMED,	/* truncated or inconsistent */
	LMIG_PARSE_PORTS,	/* UDP, TCP or SCTP: classify by port */
	LMIG_PARSE_OTHER_L4,	/* IP, another transport: unclassified */
	LMIG_PARSE_FRAGMENT,	/* a later fragment: no ports */
	LMIG_PARSE_OPAQUE,	/* ports hidden (extension chain, tunnel) */
};

/* What the verdict needs to know about one packet. */
struct lmig_packet {
	struct lmig_addr src;	/* IPv4 stored IPv4-mapped */
	__u32 l4;		/* enum lmig_l4_slot, with LMIG_PARSE_PORTS */
	__u32 dport;		/* host byte order, with LMIG_PARSE_PORTS */
};

struct lmig_cursor {
	void *pos;
	void *end;
};

/* VLAN header after the MAC addresses: tag control, then the next type. */
struct lmig_vlan_hdr {
	__be16 tci;
	__be16 proto;
};

/* The first 8 bytes of hop-by-hop, routing and destination options. */
struct lmig_ipv6_opt_hdr {
	__u8 nexthdr;
	__u8 hdrlen;		/* in 8-byte units, not counting the first */
	__u8 data[6];
};

struct lmig_ipv6_frag_hdr {
	__u8 nexthdr;
	__u8 reserved;
	__be16 frag_off;	/* offset in the top 13 bits, MF in bit 0 */
	__be32 identification;
};

/* The SCTP common header (RFC 9260 section 3.1). */
struct lmig_sctp_hdr {
	__be16 source;
	__be16 dest;
	__be32 vtag;
	__le32 checksum;
};

/*
 * Return a pointer to the next len bytes and step over them, or NULL when
 * the frame is shorter. len must be a constant so the verifier learns the
 * range of the returned pointer.
 */
static __always_inline void *cursor_pull(struct lmig_cursor *c, __u32 len)
{
	void *p = c->pos;

	if (p + len > c->end)
		return NULL;
	c->pos = p + len;
	return p;
}

/* Step over len bytes (a bounded variable) that are not read. */
static __always_inline int cursor_skip(struct lmig_cursor *c, __u32 len)
{
	if (c->pos + len > c->end)
		return -1;
	c->pos += len;
	return 0;
}

/*
 * A 16-bit length in host order, with its bounds visible to the verifier.
 * Older verifiers (Linux 6.1) forget every bound of a value that went
 * through a byte swap, and then refuse to add it to a packet pointer; the
 * mask restates them, and being asm, the compiler cannot drop it.
 */
static __always_inline __u32 be16_len(__be16 v)
{
	__u32 len = bpf_ntohs(v);

	asm volatile("%0 &= 0xffff" : "+r"(len));
	return len;
}

static __always_inline void addr_set_v4(struct lmig_addr *a, __be32 v4)
{
	__u32 *w = (__u32 *)a->addr;

	w[0] = 0;
	w[1] = 0;
	w[2] = bpf_htonl(0x0000ffff);
	w[3] = v4;
}

static __always_inline int addr_is_v4_mapped(const struct lmig_addr *a)
{
	const __u32 *w = (const __u32 *)a->addr;

	return w[0] == 0 && w[1] == 0 && w[2] == bpf_htonl(0x0000ffff);
}

/*
 * Ethernet and up to LMIG_VLAN_MAX tags: sets *proto to the EtherType after
 * the tags (network order). Fails when a header is cut short or there are
 * more tags than we look through: a packet we cannot see into is never
 * judged as anything but malformed.
 */
static __always_inline int parse_eth(struct lmig_cursor *c, __be16 *proto)
{
	struct ethhdr *eth = cursor_pull(c, sizeof(*eth));
	__be16 type;

	if (!eth)
		return -1;
	type = eth->h_proto;
#pragma unroll
	for (int i = 0; i < LMIG_VLAN_MAX; i++) {
		struct lmig_vlan_hdr *vlan;

		if (type != bpf_htons(ETH_P_8021Q) &&
		    type != bpf_htons(ETH_P_8021AD))
			break;
		vlan = cursor_pull(c, sizeof(*vlan));
		if (!vlan)
			return -1;
		type = vlan->proto;
	}
	if (type == bpf_htons(ETH_P_8021Q) || type == bpf_htons(ETH_P_8021AD))
		return -1;
	*proto = type;
	return 0;
}

/* A transport that hides the ports of what it carries. */
static __always_inline int proto_hides_ports(__u8 proto)
{
	switch (proto) {
	case LMIG_PROTO_IPIP:
	case LMIG_PROTO_IPV6:
	case LMIG_PROTO_GRE:
	case LMIG_NEXTHDR_ESP:
	case LMIG_NEXTHDR_AUTH:
	case LMIG_PROTO_ETHERIP:
	case LMIG_PROTO_L2TP:
	case LMIG_PROTO_MPLS:
	case LMIG_PROTO_ETHERNET:
		return 1;
	default:
		return 0;
	}
}

/*
 * The transport header at the cursor, of which l4_len bytes belong to the
 * IP datagram. Only the destination port matters; the header must still be
 * whole, in the frame and in the datagram.
 */
static __always_inline enum lmig_parse
parse_l4(struct lmig_cursor *c, __u8 proto, __u32 l4_len,
	 struct lmig_packet *pkt)
{
	if (proto == IPPROTO_UDP) {
		struct udphdr *udp;

		if (l4_len < sizeof(*udp))
			return LMIG_PARSE_MALFORMED;
		udp = cursor_pull(c, sizeof(*udp));
		if (!udp)
			return LMIG_PARSE_MALFORMED;
		pkt->l4 = LMIG_L4_UDP;
		pkt->dport = bpf_ntohs(udp->dest);
		return LMIG_PARSE_PORTS;
	}
	if (proto == IPPROTO_TCP) {
		struct tcphdr *tcp;

		if (l4_len < sizeof(*tcp))
			return LMIG_PARSE_MALFORMED;
		tcp = cursor_pull(c, sizeof(*tcp));
		if (!tcp || tcp->doff < 5)
			return LMIG_PARSE_MALFORMED;
		pkt->l4 = LMIG_L4_TCP;
		pkt->dport = bpf_ntohs(tcp->dest);
		return LMIG_PARSE_PORTS;
	}
	if (proto == LMIG_PROTO_SCTP) {
		struct lmig_sctp_hdr *sctp;

		if (l4_len < sizeof(*sctp))
			return LMIG_PARSE_MALFORMED;
		sctp = cursor_pull(c, sizeof(*sctp));
		if (!sctp)
			return LMIG_PARSE_MALFORMED;
		pkt->l4 = LMIG_L4_SCTP;
		pkt->dport = bpf_ntohs(sctp->dest);
		return LMIG_PARSE_PORTS;
	}
	if (proto_hides_ports(proto))
		return LMIG_PARSE_OPAQUE;
	return LMIG_PARSE_OTHER_L4;
}

static __always_inline enum lmig_parse parse_ipv4(struct lmig_cursor *c,
						  struct lmig_packet *pkt)
{
	struct iphdr *iph = cursor_pull(c, sizeof(*iph));
	__u32 hdr_len, tot_len;

	if (!iph || iph->version != 4)
		return LMIG_PARSE_MALFORMED;
	hdr_len = iph->ihl * 4;
	tot_len = be16_len(iph->tot_len);
	if (hdr_len < sizeof(*iph) || tot_len < hdr_len)
		return LMIG_PARSE_MALFORMED;
	/* The frame may carry a trailer (padding), never less than claimed. */
	if ((void *)iph + tot_len > c->end)
		return LMIG_PARSE_MALFORMED;
	if (cursor_skip(c, hdr_len - sizeof(*iph)))
		return LMIG_PARSE_MALFORMED;
	addr_set_v4(&pkt->src, iph->saddr);
	/* Only the first fragment carries the ports. */
	if (bpf_ntohs(iph->frag_off) & LMIG_IP_OFFSET)
		return LMIG_PARSE_FRAGMENT;
	return parse_l4(c, iph->protocol, tot_len - hdr_len, pkt);
}

static __always_inline int ipv6_is_ext(__u8 nexthdr)
{
	switch (nexthdr) {
	case LMIG_NEXTHDR_HOP:
	case LMIG_NEXTHDR_ROUTING:
	case LMIG_NEXTHDR_FRAGMENT:
	case LMIG_NEXTHDR_ESP:
	case LMIG_NEXTHDR_AUTH:
	case LMIG_NEXTHDR_DEST:
	case LMIG_NEXTHDR_MOBILITY:
	case LMIG_NEXTHDR_HIP:
	case LMIG_NEXTHDR_SHIM6:
	case LMIG_NEXTHDR_TEST1:
	case LMIG_NEXTHDR_TEST2:
		return 1;
	default:
		return 0;
	}
}

static __always_inline enum lmig_parse parse_ipv6(struct lmig_cursor *c,
						  struct lmig_packet *pkt)
{
	struct ipv6hdr *ip6h = cursor_pull(c, sizeof(*ip6h));
	__u32 left;
	__u8 nexthdr;

	if (!ip6h || ip6h->version != 6)
		return LMIG_PARSE_MALFORMED;
	left = be16_len(ip6h->payload_len);
	if (c->pos + left > c->end)
		return LMIG_PARSE_MALFORMED;
	__builtin_memcpy(pkt->src.addr, &ip6h->saddr, sizeof(pkt->src.addr));
	/* Never on the wire; it would alias an IPv4 admission. */
	if (addr_is_v4_mapped(&pkt->src))
		return LMIG_PARSE_MALFORMED;

	nexthdr = ip6h->nexthdr;
#pragma unroll
	for (int i = 0; i < LMIG_IPV6_EXT_MAX; i++) {
		if (nexthdr == LMIG_NEXTHDR_HOP ||
		    nexthdr == LMIG_NEXTHDR_ROUTING ||
		    nexthdr == LMIG_NEXTHDR_DEST) {
			struct lmig_ipv6_opt_hdr *opt;
			__u32 len;

			opt = cursor_pull(c, sizeof(*opt));
			if (!opt)
				return LMIG_PARSE_MALFORMED;
			len = (opt->hdrlen + 1) * 8;
			if (len > left ||
			    cursor_skip(c, len - sizeof(*opt)))
				return LMIG_PARSE_MALFORMED;
			left -= len;
			nexthdr = opt->nexthdr;
		} else if (nexthdr == LMIG_NEXTHDR_FRAGMENT) {
			struct lmig_ipv6_frag_hdr *frag;

			frag = cursor_pull(c, sizeof(*frag));
			if (!frag || sizeof(*frag) > left)
				return LMIG_PARSE_MALFORMED;
			left -= sizeof(*frag);
			if (bpf_ntohs(frag->frag_off) & LMIG_IP6_OFFSET)
				return LMIG_PARSE_FRAGMENT;
			nexthdr = frag->nexthdr;
		} else {
			break;
		}
	}
	/* A chain longer than we walk, or a header we cannot walk. */
	if (ipv6_is_ext(nexthdr))
		return LMIG_PARSE_OPAQUE;
	return parse_l4(c, nexthdr, left, pkt);
}

/* Parse one frame; fills pkt as far as the result says it is valid. */
static __always_inline enum lmig_parse parse_packet(struct xdp_md *ctx,
						    struct lmig_packet *pkt)
{
	struct lmig_cursor c = {
		.pos = (void *)(long)ctx->data,
		.end = (void *)(long)ctx->data_end,
	};
	__be16 proto;

	if (parse_eth(&c, &proto))
		return LMIG_PARSE_MALFORMED;
	if (proto == bpf_htons(ETH_P_IP))
		return parse_ipv4(&c, pkt);
	if (proto == bpf_htons(ETH_P_IPV6))
		return parse_ipv6(&c, pkt);
	return LMIG_PARSE_NOT_IP;
}

#endif /* LMIG_BPF_PARSE_H */
