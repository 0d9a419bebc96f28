// SPDX-License-Identifier: GPL-2.0-only
/*
 * A netlink fuzzer for the lmig family. It sends LMIG_FUZZ_COUNT (default
 * 100000) messages to the family from one socket in a namespace of its
 * own: valid requests of every command, the same mutated (bits flipped,
 * bytes overwritten, attributes retyped or resized, messages cut short or
 * extended, flags scrambled) and random ones. Every message that can be
 * answered must be, within a bound; any answer is fine. The socket is
 * closed and reopened now and then, dropping whatever transaction it had
 * open. Afterwards the module must answer correctly, its table must be
 * consistent through every index, and the kernel must have logged no
 * warning, BUG or sanitizer report (checked here in /dev/kmsg, and by
 * the VM runner too).
 *
 * LMIG_SEED=n replays a sequence; LMIG_FUZZ_COUNT=n sets the number of
 * messages; LMIG_FUZZ_SECONDS=n bounds the time (default 600).
 *
 * Run as root where lmig.ko is loaded, e.g. in the VM:
 *   selftests/vm/run -- /lmig/build/selftests/kmod/fuzz_test
 */
#include <poll.h>
#include <stdlib.h>
#include <time.h>

#include <linux/genetlink.h>

#include "kmod_test.h"

#define FUZZ_MSG_MAX 4096
/* An answer comes at once; this bounds only a broken kernel. */
#define ANSWER_WAIT_MS 5000

static uint64_t rng_state;

static uint64_t rnd(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

static uint32_t below(uint32_t n)
{
	return n ? (uint32_t)(rnd() % n) : 0;
}

static unsigned long env_ulong(const char *name, unsigned long dflt)
{
	const char *v = getenv(name);

	return v && *v ? strtoul(v, NULL, 0) : dflt;
}

/* A small pool of IDs, so that requests find, clash and succeed. */
static const char *const partners[] = {
	"sip:a@partner.example", "sip:b@partner.example",
	"sip:c@partner.example", "sip:d@partner.example",
	"sip:e@partner.example", "sip:f@partner.example",
};

static const char *const primaries[] = {
	"sip:a@primary.example", "sip:b@primary.example",
	"sip:c@primary.example", "sip:d@primary.example",
	"sip:e@primary.example", "sip:f@primary.example",
	"sip:g@primary.example", "sip:h@primary.example",
	"tel:+15551234",	 "sip:x",
};

static void put_profile_fields(struct nlmsghdr *nlh, bool selector_only)
{
	unsigned int n;

	if (below(4))
		mnl_attr_put_strz(nlh, LMIG_PROFILE_A_PARTNER_ID,
				  partners[below(ARRAY_SIZE(partners))]);
	if (selector_only && below(2))
		return;
	if (!below(6))
		mnl_attr_put_u32(nlh, LMIG_PROFILE_A_USER_ID, below(12));
	n = below(4);
	for (unsigned int i = 0; i < n; i++)
		mnl_attr_put_strz(nlh, LMIG_PROFILE_A_PRIMARY_ID,
				  primaries[below(ARRAY_SIZE(primaries))]);
	if (below(4))
		mnl_attr_put_u32(nlh, LMIG_PROFILE_A_SERVICES, below(9));
	if (!below(3))
		mnl_attr_put_u32(nlh, LMIG_PROFILE_A_STATE, below(4));
	if (!below(4))
		mnl_attr_put_u64(nlh, LMIG_PROFILE_A_NOT_BEFORE,
				 below(3) * 100);
	if (!below(4))
		mnl_attr_put_u64(nlh, LMIG_PROFILE_A_NOT_AFTER, below(3) * 150);
	if (!below(5))
		mnl_attr_put_strz(nlh, LMIG_PROFILE_A_COMMENT,
				  below(2) ? "note" : "");
	if (!below(20))
		mnl_attr_put_u64(nlh, LMIG_PROFILE_A_GENERATION, 1);
}

static void put_profile(struct nlmsghdr *nlh, uint16_t type, bool selector_only)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, type);

	put_profile_fields(nlh, selector_only);
	mnl_attr_nest_end(nlh, nest);
}

/* A well-formed request of a random command, mostly valid. */
static struct nlmsghdr *build_valid(char *buf, uint16_t family)
{
	static const uint8_t cmds[] = {
		LMIG_CMD_PROFILE_NEW,  LMIG_CMD_PROFILE_NEW,
		LMIG_CMD_PROFILE_SET,  LMIG_CMD_PROFILE_REPLACE,
		LMIG_CMD_PROFILE_DEL,  LMIG_CMD_PROFILE_GET,
		LMIG_CMD_PROFILE_GET,  LMIG_CMD_INFO_GET,
		LMIG_CMD_FLUSH,	       LMIG_CMD_APPLY_BEGIN,
		LMIG_CMD_APPLY_ADD,    LMIG_CMD_APPLY_ADD,
		LMIG_CMD_APPLY_COMMIT, LMIG_CMD_APPLY_ABORT,
	};
	uint8_t cmd = cmds[below(ARRAY_SIZE(cmds))];
	struct genlmsghdr *genl;
	struct nlmsghdr *nlh;
	unsigned int n;

	memset(buf, 0, FUZZ_MSG_MAX);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = family;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = LMIG_GENL_VERSION;

	switch (cmd) {
	case LMIG_CMD_PROFILE_NEW:
	case LMIG_CMD_PROFILE_SET:
	case LMIG_CMD_PROFILE_REPLACE:
		put_profile(nlh, LMIG_A_PROFILE, false);
		break;
	case LMIG_CMD_PROFILE_DEL:
		put_profile(nlh, LMIG_A_PROFILE, true);
		break;
	case LMIG_CMD_PROFILE_GET:
		if (below(3))
			put_profile(nlh, LMIG_A_PROFILE, true);
		else
			nlh->nlmsg_flags |= NLM_F_DUMP;
		break;
	case LMIG_CMD_APPLY_ADD:
		n = 1 + below(5);
		for (unsigned int i = 0; i < n; i++)
			put_profile(nlh, LMIG_A_PROFILE, false);
		break;
	case LMIG_CMD_APPLY_COMMIT:
		if (below(8))
			mnl_attr_put_u32(nlh, LMIG_A_COUNT, below(8));
		break;
	}
	return nlh;
}

/* Every attribute of the message, nested ones too, up to @max. */
static unsigned int collect_attrs(char *pos, char *end, struct nlattr **out,
				  unsigned int n, unsigned int max, int depth)
{
	while (n < max && end - pos >= (long)sizeof(struct nlattr)) {
		struct nlattr *attr = (struct nlattr *)pos;

		if (attr->nla_len < sizeof(*attr) || attr->nla_len > end - pos)
			break;
		out[n++] = attr;
		if ((attr->nla_type & NLA_F_NESTED) && depth < 3)
			n = collect_attrs(pos + MNL_ATTR_HDRLEN,
					  pos + attr->nla_len, out, n, max,
					  depth + 1);
		pos += MNL_ALIGN(attr->nla_len);
	}
	return n;
}

/*
 * Mutate @nlh in place. Returns whether an answer must come: false when
 * the message may have become one the kernel silently drops.
 */
static bool mutate(struct nlmsghdr *nlh)
{
	char *payload = (char *)nlh + MNL_NLMSG_HDRLEN;
	char *attrs = payload + GENL_HDRLEN;
	struct genlmsghdr *genl = (struct genlmsghdr *)payload;
	struct nlattr *list[64];
	unsigned int len, n, i;

	switch (below(10)) {
	case 0: /* as it is */
		return true;
	case 1: /* flip a few bits after the netlink header */
		n = 1 + below(8);
		len = nlh->nlmsg_len - MNL_NLMSG_HDRLEN;
		for (i = 0; i < n && len; i++)
			payload[below(len)] ^= 1 << below(8);
		return true;
	case 2: /* overwrite bytes of the attributes */
		len = nlh->nlmsg_len - MNL_NLMSG_HDRLEN - GENL_HDRLEN;
		n = 1 + below(6);
		for (i = 0; i < n && len; i++)
			attrs[below(len)] = (char)rnd();
		return true;
	case 3: /* cut the message short, anywhere after the netlink header */
		nlh->nlmsg_len = MNL_NLMSG_HDRLEN +
				 below(nlh->nlmsg_len - MNL_NLMSG_HDRLEN + 1);
		return true;
	case 4: /* random bytes appended */
		n = below(64);
		for (i = 0; i < n && nlh->nlmsg_len < FUZZ_MSG_MAX; i++)
			((char *)nlh)[nlh->nlmsg_len++] = (char)rnd();
		return true;
	case 5: /* an attribute retyped */
		n = collect_attrs(attrs, (char *)nlh + nlh->nlmsg_len, list, 0,
				  ARRAY_SIZE(list), 0);
		if (n) {
			struct nlattr *a = list[below(n)];

			a->nla_type =
				(uint16_t)(below(16) |
					   (below(2) ? NLA_F_NESTED : 0) |
					   (below(8) ? 0
						     : NLA_F_NET_BYTEORDER));
		}
		return true;
	case 6: /* an attribute resized */
		n = collect_attrs(attrs, (char *)nlh + nlh->nlmsg_len, list, 0,
				  ARRAY_SIZE(list), 0);
		if (n) {
			struct nlattr *a = list[below(n)];

			a->nla_len = below(2) ? (uint16_t)below(a->nla_len + 16)
					      : (uint16_t)rnd();
		}
		return true;
	case 7: /* another command, version or reserved field */
		if (below(2))
			genl->cmd = (uint8_t)below(24);
		else if (below(2))
			genl->version = (uint8_t)rnd();
		else
			genl->reserved = (uint16_t)rnd();
		return true;
	case 8: /* scrambled flags, the request and ack bits kept */
		nlh->nlmsg_flags = (uint16_t)rnd() | NLM_F_REQUEST | NLM_F_ACK;
		return true;
	default: /* random attributes altogether */
		len = below(256) & ~3U;
		for (i = 0; i < len; i++)
			attrs[i] = (char)rnd();
		if (len >= 4) /* mostly a plausible first attribute length */
			((struct nlattr *)attrs)->nla_len = (uint16_t)below(
				len + 4);
		genl->cmd = (uint8_t)below(20);
		nlh->nlmsg_len = MNL_NLMSG_HDRLEN + GENL_HDRLEN + len;
		return true;
	}
}

struct fuzzer {
	struct mnl_socket *sock;
	uint32_t portid;
	uint32_t seq;
	char buf[65536];
	unsigned long answered, errors, unanswered;
};

static int fuzzer_open(struct fuzzer *f)
{
	int one = 1;

	f->sock = mnl_socket_open2(NETLINK_GENERIC, SOCK_CLOEXEC);
	if (!f->sock || mnl_socket_bind(f->sock, 0, MNL_SOCKET_AUTOPID) < 0)
		return -errno;
	mnl_socket_setsockopt(f->sock, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(f->sock, NETLINK_CAP_ACK, &one, sizeof(one));
	f->portid = mnl_socket_get_portid(f->sock);
	return 0;
}

static void fuzzer_close(struct fuzzer *f)
{
	if (f->sock)
		mnl_socket_close(f->sock);
	f->sock = NULL;
}

/*
 * Read what comes until the answer to @seq has (when @wait) or nothing is
 * left. Returns 0, or -ETIMEDOUT when an awaited answer did not come.
 */
static int fuzzer_drain(struct fuzzer *f, uint32_t seq, bool wait)
{
	struct pollfd pfd = {.fd = mnl_socket_get_fd(f->sock),
			     .events = POLLIN};

	for (;;) {
		int ready = poll(&pfd, 1, wait ? ANSWER_WAIT_MS : 0);
		ssize_t len;
		int rem;

		if (ready < 0 && errno == EINTR)
			continue;
		if (ready <= 0)
			return wait ? -ETIMEDOUT : 0;
		len = recv(pfd.fd, f->buf, sizeof(f->buf), MSG_DONTWAIT);
		if (len < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			if (errno == ENOBUFS) /* a dump outran us: fine */
				continue;
			return -errno;
		}
		rem = (int)len;
		for (struct nlmsghdr *nlh = (struct nlmsghdr *)f->buf;
		     mnl_nlmsg_ok(nlh, rem); nlh = mnl_nlmsg_next(nlh, &rem)) {
			if (nlh->nlmsg_seq != seq)
				continue;
			if (nlh->nlmsg_type == NLMSG_ERROR ||
			    nlh->nlmsg_type == NLMSG_DONE) {
				const struct nlmsgerr *e =
					mnl_nlmsg_get_payload(nlh);

				f->answered++;
				if (nlh->nlmsg_type == NLMSG_ERROR && e->error)
					f->errors++;
				wait = false;
			}
		}
	}
}

FIXTURE(fuzz){};
FIXTURE_SETUP(fuzz)
{
}
FIXTURE_TEARDOWN(fuzz)
{
}

TEST_F_TIMEOUT(fuzz, the_family, 1200)
{
	unsigned long count = env_ulong("LMIG_FUZZ_COUNT", 100000);
	unsigned long seconds = env_ulong("LMIG_FUZZ_SECONDS", 600);
	uint64_t seed = env_ulong("LMIG_SEED", (unsigned long)time(NULL));
	static char msg[FUZZ_MSG_MAX] __attribute__((aligned(8)));
	static struct fuzzer f;
	struct lmig_genl *nl;
	unsigned long sent = 0;
	struct lmig_profile p;
	time_t deadline;
	uint16_t family;
	int kmsg;

	kmsg = lmig_test_kmsg_open();
	ASSERT_LE(0, kmsg)
	TH_LOG("/dev/kmsg: %s", strerror(errno));
	nl = lmig_test_fresh_netns(_metadata);
	family = lmig_genl_family_id(nl);
	rng_state = seed ? seed : 1;
	TH_LOG("LMIG_SEED=%llu LMIG_FUZZ_COUNT=%lu", (unsigned long long)seed,
	       count);
	ASSERT_EQ(0, fuzzer_open(&f));
	deadline = time(NULL) + (time_t)seconds;

	for (; sent < count && time(NULL) < deadline; sent++) {
		struct nlmsghdr *nlh = build_valid(msg, family);
		bool answer = mutate(nlh);

		if (++f.seq == 0)
			f.seq = 1;
		nlh->nlmsg_seq = f.seq;
		nlh->nlmsg_pid = 0;
		ASSERT_LT(0, send(mnl_socket_get_fd(f.sock), nlh,
				  nlh->nlmsg_len, 0))
		TH_LOG("send: %s", strerror(errno));
		if (answer && nlh->nlmsg_len >= MNL_NLMSG_HDRLEN) {
			ASSERT_EQ(0, fuzzer_drain(&f, f.seq, true))
			TH_LOG("message %lu (cmd %u, %u bytes) got no answer",
			       sent,
			       ((struct genlmsghdr *)mnl_nlmsg_get_payload(nlh))
				       ->cmd,
			       nlh->nlmsg_len);
		} else {
			f.unanswered++;
			ASSERT_EQ(0, fuzzer_drain(&f, f.seq, false));
		}
		/* Now and then a new socket: the old one's transaction goes. */
		if (!below(500)) {
			fuzzer_close(&f);
			ASSERT_EQ(0, fuzzer_open(&f));
		}
	}
	fuzzer_close(&f);
	TH_LOG("%lu messages: %lu answered (%lu errors), %lu not awaited", sent,
	       f.answered, f.errors, f.unanswered);
	ASSERT_EQ(count, sent)
	TH_LOG("stopped after %lu s: raise LMIG_FUZZ_SECONDS", seconds);
	/* Most requests must have been well-formed enough to be answered. */
	ASSERT_LT(count / 2, f.answered);

	/* The table is whole, and the module answers as it should. */
	lmig_test_audit(_metadata, nl);
	ASSERT_EQ(0, lmig_flush(nl, NULL));
	ASSERT_EQ(0U, lmig_test_info(_metadata, nl).profiles);
	lmig_test_profile(&p, "after");
	ASSERT_EQ(0, lmig_profile_request(nl, LMIG_CMD_PROFILE_NEW, &p,
					  LMIG_PF_WRITABLE, &p));
	ASSERT_EQ(0, lmig_profile_get_by_partner(nl, p.partner_id, &p));
	ASSERT_EQ(0, lmig_test_apply_numbered(nl, "after", 1, 100, 2, NULL));
	lmig_test_audit(_metadata, nl);
	ASSERT_EQ(100U, lmig_test_info(_metadata, nl).profiles);
	lmig_genl_close(nl);
	ASSERT_KERNEL_QUIET(kmsg);
}

LMIG_TEST_MAIN
