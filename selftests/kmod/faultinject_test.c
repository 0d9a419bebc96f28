// SPDX-License-Identifier: GPL-2.0-only
/*
 * Every command of the lmig family survives running out of memory at any
 * point. For each case below, the N-th allocation of the calling task
 * inside the command fails (/proc/thread-self/fail-nth, with failslab and
 * fail_page_alloc armed through debugfs), for N = 1, 2, ... until the
 * command runs with no allocation left to fail. Each time:
 *
 *   - the command fails with a clean error (ENOMEM or ENOBUFS: from the
 *     kernel's reply, or from the socket when the reply itself could not
 *     be allocated), or succeeds with exactly its normal effect;
 *   - the profile table, read back through a dump, the table information
 *     and lookups by every ID the cases touch, is exactly as before when
 *     the command failed;
 *   - an event listener heard of a change if and only if there was one;
 *   - the kernel logged no warning.
 *
 * Then a kmemleak scan must report nothing. The family's own list of
 * operations is checked against the cases, so a command without a case
 * fails the test.
 *
 * Needs a kernel with fault injection (the debug kernel of
 * scripts/debug-kernel); skips elsewhere:
 *   selftests/vm/run --kernel debug --
 * /lmig/build/selftests/kmod/faultinject_test
 *
 * Adding a command: one line in cases[], with a function that adds the
 * request's attributes when it has any, and a prelude when the command
 * needs earlier requests on the same socket (a transaction begun first).
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/lmig.h>

#include "kselftest.h"
#include "genl.h"
#include "profile.h"

#define FAIL_NTH "/proc/thread-self/fail-nth"
#define DEBUGFS	 "/sys/kernel/debug"
#define KMEMLEAK DEBUGFS "/kmemleak"
/* More allocation points than any command has; the sweep's bound. */
#define MAX_POINTS 2000
/* An answer always comes; this only bounds a broken kernel. */
#define ANSWER_TIMEOUT_S 60
#define SNAPSHOT_MAX	 65536
#define FILLERS		 30

/* --- the cases ---------------------------------------------------------- */

/* Adds the attributes of a request; returns 0 or -EMSGSIZE. */
typedef int (*fi_build)(struct nlmsghdr *nlh, size_t len);

/* A request made on the same socket before the one under test. */
struct fi_req {
	uint8_t cmd; /* 0 ends a list */
	fi_build build;
};

struct fi_case {
	const char *name;
	uint8_t cmd;
	bool dump;
	fi_build build;		      /* NULL: no attributes */
	const struct fi_req *prelude; /* NULL: none; each must succeed */
};

static int build_new(struct nlmsghdr *nlh, size_t len);
static int build_set(struct nlmsghdr *nlh, size_t len);
static int build_del(struct nlmsghdr *nlh, size_t len);
static int build_get(struct nlmsghdr *nlh, size_t len);
static int build_replace(struct nlmsghdr *nlh, size_t len);
static int build_add(struct nlmsghdr *nlh, size_t len);
static int build_commit(struct nlmsghdr *nlh, size_t len);

/* A transaction begun, then one with its batch staged. */
static const struct fi_req begun[] = {
	{LMIG_CMD_APPLY_BEGIN, NULL},
	{0, NULL},
};
static const struct fi_req staged[] = {
	{LMIG_CMD_APPLY_BEGIN, NULL},
	{LMIG_CMD_APPLY_ADD, build_add},
	{0, NULL},
};

static const struct fi_case cases[] = {
	{"PROFILE_NEW", LMIG_CMD_PROFILE_NEW, false, build_new, NULL},
	{"PROFILE_SET", LMIG_CMD_PROFILE_SET, false, build_set, NULL},
	{"PROFILE_DEL", LMIG_CMD_PROFILE_DEL, false, build_del, NULL},
	{"PROFILE_GET", LMIG_CMD_PROFILE_GET, false, build_get, NULL},
	{"PROFILE_GET dump", LMIG_CMD_PROFILE_GET, true, NULL, NULL},
	{"INFO_GET", LMIG_CMD_INFO_GET, false, NULL, NULL},
	{"PROFILE_REPLACE", LMIG_CMD_PROFILE_REPLACE, false, build_replace,
	 NULL},
	{"FLUSH", LMIG_CMD_FLUSH, false, NULL, NULL},
	{"APPLY_BEGIN", LMIG_CMD_APPLY_BEGIN, false, NULL, NULL},
	{"APPLY_ADD", LMIG_CMD_APPLY_ADD, false, build_add, begun},
	{"APPLY_COMMIT", LMIG_CMD_APPLY_COMMIT, false, build_commit, staged},
	{"APPLY_ABORT", LMIG_CMD_APPLY_ABORT, false, NULL, staged},
};
#define N_CASES (sizeof(cases) / sizeof(cases[0]))

/*
 * The table every case starts from: alice, bob with every field set, and
 * fillers with long comments so that a dump takes several messages.
 */
#define BOB "sip:bob@partner.example"
static const char *const bob_primaries[] = {
	"sip:bob@primary.example",
	"sip:bob.video@primary.example",
	"sip:bob.data@primary.example",
};
#define DORA "sip:dora@partner.example"
static const char *const dora_primaries[] = {
	"sip:dora@primary.example",
	"sip:dora.video@primary.example",
};
#define ROBERT "sip:robert@primary.example"

/* Every ID a case creates, changes or removes: looked up in snapshots. */
static const char *const probes_partner[] = {
	"sip:alice@partner.example",
	BOB,
	DORA,
};
static const char *const probes_primary[] = {
	"sip:alice@primary.example",
	"sip:bob@primary.example",
	"sip:bob.video@primary.example",
	"sip:bob.data@primary.example",
	ROBERT,
	"sip:dora@primary.example",
	"sip:dora.video@primary.example",
};

static int build_new(struct nlmsghdr *nlh, size_t len)
{
	struct lmig_profile p;

	lmig_profile_init(&p);
	lmig_profile_set_partner_id(&p, DORA);
	for (size_t i = 0; i < 2; i++)
		lmig_profile_add_primary_id(&p, dora_primaries[i]);
	p.services = LMIG_SERVICE_PTT | LMIG_SERVICE_VIDEO;
	p.not_after = 1900000000;
	p.fields |= LMIG_PF_SERVICES | LMIG_PF_NOT_AFTER;
	lmig_profile_set_comment(&p, "arrives tonight");
	return lmig_profile_put(nlh, len, LMIG_A_PROFILE, &p, LMIG_PF_WRITABLE);
}

static int build_set(struct nlmsghdr *nlh, size_t len)
{
	struct lmig_profile p;

	lmig_profile_init(&p);
	lmig_profile_set_partner_id(&p, BOB);
	lmig_profile_add_primary_id(&p, bob_primaries[0]);
	lmig_profile_add_primary_id(&p, ROBERT);
	p.services = LMIG_SERVICE_DATA;
	p.state = LMIG_STATE_SUSPENDED;
	p.fields |= LMIG_PF_SERVICES | LMIG_PF_STATE;
	lmig_profile_set_comment(&p, "moved to the day shift");
	return lmig_profile_put(nlh, len, LMIG_A_PROFILE, &p, LMIG_PF_WRITABLE);
}

static int build_del(struct nlmsghdr *nlh, size_t len)
{
	struct lmig_profile p;

	lmig_profile_init(&p);
	lmig_profile_set_partner_id(&p, BOB);
	return lmig_profile_put(nlh, len, LMIG_A_PROFILE, &p,
				LMIG_PF_PARTNER_ID);
}

static int build_get(struct nlmsghdr *nlh, size_t len)
{
	struct lmig_profile p;

	lmig_profile_init(&p);
	lmig_profile_add_primary_id(&p, bob_primaries[1]);
	return lmig_profile_put(nlh, len, LMIG_A_PROFILE, &p,
				LMIG_PF_PRIMARY_IDS);
}

/* Bob's whole content replaced: what SET left alone goes to defaults. */
static int build_replace(struct nlmsghdr *nlh, size_t len)
{
	struct lmig_profile p;

	lmig_profile_init(&p);
	lmig_profile_set_partner_id(&p, BOB);
	lmig_profile_add_primary_id(&p, ROBERT);
	p.services = LMIG_SERVICE_VIDEO;
	p.fields |= LMIG_PF_SERVICES;
	return lmig_profile_put(nlh, len, LMIG_A_PROFILE, &p, LMIG_PF_WRITABLE);
}

/*
 * The batch of a transaction, in one message: alice changed, dora new;
 * committed, bob and the fillers go.
 */
#define BATCH 2
static int build_add(struct nlmsghdr *nlh, size_t len)
{
	struct lmig_profile p;
	int err;

	lmig_profile_init(&p);
	lmig_profile_set_partner_id(&p, "sip:alice@partner.example");
	lmig_profile_add_primary_id(&p, "sip:alice@primary.example");
	p.services = LMIG_SERVICES_ALL;
	p.fields |= LMIG_PF_SERVICES;
	err = lmig_profile_put(nlh, len, LMIG_A_PROFILE, &p, LMIG_PF_WRITABLE);
	if (err)
		return err;
	lmig_profile_init(&p);
	lmig_profile_set_partner_id(&p, DORA);
	lmig_profile_add_primary_id(&p, dora_primaries[0]);
	p.services = LMIG_SERVICE_PTT;
	p.fields |= LMIG_PF_SERVICES;
	lmig_profile_set_comment(&p, "by the book");
	return lmig_profile_put(nlh, len, LMIG_A_PROFILE, &p, LMIG_PF_WRITABLE);
}

static int build_commit(struct nlmsghdr *nlh, size_t len)
{
	return mnl_attr_put_u32_check(nlh, len, LMIG_A_COUNT, BATCH)
		       ? 0
		       : -EMSGSIZE;
}

/* --- small helpers ------------------------------------------------------- */

static void note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	printf("# ");
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	fflush(stdout);
}

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -EIO;
}

static int read_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t got = 0;
	ssize_t n;

	if (fd < 0)
		return -errno;
	while (got + 1 < len && (n = read(fd, buf + got, len - 1 - got)) > 0)
		got += (size_t)n;
	close(fd);
	buf[got] = '\0';
	return 0;
}

/* --- fault injection, set up through debugfs and restored at exit -------- */

struct fi_knob {
	const char *path;
	const char *value;
	char saved[32];
	bool set;
};

static struct fi_knob knobs[] = {
	/* Fail GFP_KERNEL allocations too, that is nearly all of them. */
	{DEBUGFS "/failslab/ignore-gfp-wait", "N"},
	{DEBUGFS "/fail_page_alloc/ignore-gfp-wait", "N"},
	/* Single pages too; highmem (user pages) stays ignored. */
	{DEBUGFS "/fail_page_alloc/min-order", "0"},
	/* No stack dump per injected failure: hundreds of them. */
	{DEBUGFS "/failslab/verbose", "0"},
	{DEBUGFS "/fail_page_alloc/verbose", "0"},
};

static void knobs_restore(void)
{
	for (size_t i = 0; i < sizeof(knobs) / sizeof(knobs[0]); i++)
		if (knobs[i].set)
			write_file(knobs[i].path, knobs[i].saved);
}

static int knobs_arm(void)
{
	for (size_t i = 0; i < sizeof(knobs) / sizeof(knobs[0]); i++) {
		struct fi_knob *k = &knobs[i];

		if (read_file(k->path, k->saved, sizeof(k->saved)) ||
		    write_file(k->path, k->value)) {
			note("cannot set %s to %s", k->path, k->value);
			return -1;
		}
		k->set = true;
	}
	return 0;
}

/* --- the kernel log --------------------------------------------------------
 */

/* What no run may log: the kernel's own reports, and lmig's warnings. */
static const char *const bad_words[] = {
	"WARNING:",
	"BUG:",
	"Oops",
	"KASAN",
	"UBSAN",
	"kmemleak",
	"circular locking",
	"inconsistent lock state",
	"lock held when",
	"suspicious RCU usage",
	"general protection fault",
	"refcount_t",
	"list_add corruption",
	"list_del corruption",
	"ODEBUG",
};

/* Report the new records of /dev/kmsg that show a problem; how many. */
static int kmsg_problems(int fd)
{
	static char rec[8192];
	int bad = 0;

	for (int i = 0; i < 100000; i++) {
		ssize_t n = read(fd, rec, sizeof(rec) - 1);
		const char *msg;
		int level;

		if (n < 0 && errno == EPIPE)
			continue; /* overwritten before read: go on */
		if (n <= 0)
			break;
		rec[n] = '\0';
		msg = strchr(rec, ';');
		msg = msg ? msg + 1 : rec;
		level = atoi(rec) & 7;
		for (size_t w = 0; w < sizeof(bad_words) / sizeof(bad_words[0]);
		     w++) {
			if (strstr(msg, bad_words[w]) ||
			    (level <= 4 && !strncmp(msg, "lmig", 4))) {
				note("kernel: %.*s", (int)strcspn(msg, "\n"),
				     msg);
				bad++;
				break;
			}
		}
	}
	return bad;
}

/* --- snapshots of the table ----------------------------------------------- */

struct snap_ctx {
	char *buf;
	size_t len, used;
	bool ids;
};

static void snap_add(struct snap_ctx *s, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (s->used >= s->len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(s->buf + s->used, s->len - s->used, fmt, ap);
	va_end(ap);
	if (n > 0)
		s->used += (size_t)n;
}

static int snap_profile(const struct lmig_profile *p, void *data)
{
	struct snap_ctx *s = data;

	if (s->ids)
		snap_add(s, "id=%u ", p->user_id);
	snap_add(s, "partner=%s primary=", p->partner_id);
	for (unsigned int i = 0; i < p->n_primary_ids; i++)
		snap_add(s, "%s%s", i ? "," : "", p->primary_ids[i]);
	snap_add(s, " services=%#x state=%u window=%llu..%llu gen=%llu",
		 p->services, p->state, (unsigned long long)p->not_before,
		 (unsigned long long)p->not_after,
		 (unsigned long long)p->generation);
	snap_add(s, " comment=\"%s\"\n", p->comment);
	return 0;
}

static void snap_lookup(struct snap_ctx *s, struct lmig_genl *nl,
			const char *id, bool primary)
{
	struct lmig_profile p, reply;
	int err;

	lmig_profile_init(&p);
	if (primary)
		lmig_profile_add_primary_id(&p, id);
	else
		lmig_profile_set_partner_id(&p, id);
	err = lmig_profile_request(
		nl, LMIG_CMD_PROFILE_GET, &p,
		primary ? LMIG_PF_PRIMARY_IDS : LMIG_PF_PARTNER_ID, &reply);
	snap_add(s, "get %s: ", id);
	if (err)
		snap_add(s, "%s\n", strerror(-err));
	else
		snap_add(s, "%s%s\n", s->ids ? "" : "found ",
			 s->ids ? reply.partner_id : "");
}

/*
 * The table in text: its information, every profile in dump order, and
 * lookups by each probe ID. @ids: with user ids (for comparisons within
 * one namespace); without, two namespaces that went through the same
 * commands compare equal.
 */
static int snapshot(struct lmig_genl *nl, char *buf, size_t len, bool ids)
{
	struct snap_ctx s = {.buf = buf, .len = len, .ids = ids};
	struct lmig_info info;
	int err = -EINTR;

	buf[0] = '\0';
	if (lmig_info_get(nl, &info)) {
		note("INFO_GET for a snapshot: %s", lmig_genl_strerror(nl));
		return -1;
	}
	snap_add(&s, "generation=%llu profiles=%u max=%u\n",
		 (unsigned long long)info.generation, info.profiles,
		 info.max_profiles);
	/* A dump only meets a change made by another test: retry a little. */
	for (int i = 0; i < 5 && err == -EINTR; i++) {
		size_t mark = s.used;

		err = lmig_profile_dump(nl, snap_profile, &s);
		if (err)
			s.used = mark;
	}
	if (err) {
		note("dump for a snapshot: %s", lmig_genl_strerror(nl));
		return -1;
	}
	for (size_t i = 0; i < sizeof(probes_partner) / sizeof(char *); i++)
		snap_lookup(&s, nl, probes_partner[i], false);
	for (size_t i = 0; i < sizeof(probes_primary) / sizeof(char *); i++)
		snap_lookup(&s, nl, probes_primary[i], true);
	if (s.used >= len) {
		note("snapshot larger than %zu bytes", len);
		return -1;
	}
	return 0;
}

/* Print the lines of @a and @b that differ, as diagnostics. */
static void snap_diff(const char *what_a, const char *a, const char *what_b,
		      const char *b)
{
	const char *la = a, *lb = b;
	int shown = 0;

	while ((*la || *lb) && shown < 8) {
		size_t na = strcspn(la, "\n"), nb = strcspn(lb, "\n");

		if (na != nb || strncmp(la, lb, na)) {
			note("  %s: %.*s", what_a, (int)na, la);
			note("  %s: %.*s", what_b, (int)nb, lb);
			shown++;
		}
		la += na + (la[na] == '\n');
		lb += nb + (lb[nb] == '\n');
	}
}

/* --- one namespace with the baseline table ------------------------------ */

struct fi_env {
	struct lmig_genl *nl;	  /* snapshots and setup */
	struct lmig_genl *events; /* subscribed listener */
	uint16_t family;
};

static void env_close(struct fi_env *e)
{
	lmig_genl_close(e->nl);
	lmig_genl_close(e->events);
	e->nl = e->events = NULL;
}

static int add_profile(struct lmig_genl *nl, const char *partner,
		       const char *const *primaries, size_t n,
		       const char *comment, bool full)
{
	struct lmig_profile p;

	lmig_profile_init(&p);
	lmig_profile_set_partner_id(&p, partner);
	for (size_t i = 0; i < n; i++)
		lmig_profile_add_primary_id(&p, primaries[i]);
	p.services = full ? LMIG_SERVICES_ALL : LMIG_SERVICE_PTT;
	p.fields |= LMIG_PF_SERVICES;
	if (full) {
		p.not_before = 1700000000;
		p.not_after = 1900000000;
		p.fields |= LMIG_PF_NOT_BEFORE | LMIG_PF_NOT_AFTER;
	}
	if (comment)
		lmig_profile_set_comment(&p, comment);
	if (lmig_profile_request(nl, LMIG_CMD_PROFILE_NEW, &p, LMIG_PF_WRITABLE,
				 NULL)) {
		note("adding %s: %s", partner, lmig_genl_strerror(nl));
		return -1;
	}
	return 0;
}

/* Move to a new network namespace and lay out the baseline table there. */
static int env_open(struct fi_env *e)
{
	static const char *const alice[] = {"sip:alice@primary.example"};
	char why[256], partner[64], primary[64], comment[128];

	env_close(e);
	if (unshare(CLONE_NEWNET)) {
		note("unshare(CLONE_NEWNET): %s", strerror(errno));
		return -1;
	}
	if (lmig_genl_open(&e->nl, why, sizeof(why)) ||
	    lmig_genl_open(&e->events, why, sizeof(why))) {
		note("%s", why);
		return -1;
	}
	if (lmig_genl_subscribe(e->events)) {
		note("joining the events group: %s",
		     lmig_genl_strerror(e->events));
		return -1;
	}
	e->family = lmig_genl_family_id(e->nl);
	if (add_profile(e->nl, "sip:alice@partner.example", alice, 1, NULL,
			false) ||
	    add_profile(e->nl, BOB, bob_primaries, 3, "night shift", true))
		return -1;
	for (int i = 1; i <= FILLERS; i++) {
		const char *one[] = {primary};

		snprintf(partner, sizeof(partner),
			 "sip:filler%02d@partner.example", i);
		snprintf(primary, sizeof(primary),
			 "sip:filler%02d@primary.example", i);
		snprintf(comment, sizeof(comment),
			 "filler %02d, here so that a dump of the table needs "
			 "more than one message from the kernel",
			 i);
		if (add_profile(e->nl, partner, one, 1, comment, i % 2))
			return -1;
	}
	return 0;
}

static int count_event(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	(*(int *)data)++;
	return 0;
}

/* Events heard since the last call; -ENOBUFS when some were lost. */
static int drain_events(struct fi_env *e)
{
	int n = 0, lost = 0;

	for (int i = 0; i < 1000; i++) {
		int ret = lmig_genl_recv_events(e->events, 0, count_event, &n);

		if (ret == -EAGAIN)
			break;
		if (ret == -ENOBUFS)
			lost = 1;
		else if (ret < 0)
			return ret;
	}
	return lost ? -ENOBUFS : n;
}

/* --- one request, with or without an injected failure --------------------- */

enum fi_outcome {
	FI_DONE,      /* acknowledged (or the dump ended) without error */
	FI_REFUSED,   /* the kernel answered with an error */
	FI_NOT_SENT,  /* sendto() failed */
	FI_NO_ANSWER, /* the socket failed before the answer arrived */
};

struct fi_result {
	enum fi_outcome outcome;
	int error;   /* errno: of the answer, sendto() or recv() */
	int replies; /* messages of the family received */
	bool injected;
	char msg[LMIG_GENL_MSG_MAX];
};

static int fi_ack_attr(const struct nlattr *attr, void *data)
{
	struct fi_result *r = data;

	if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG &&
	    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
		snprintf(r->msg, sizeof(r->msg), "%s", mnl_attr_get_str(attr));
	return MNL_CB_OK;
}

static void fi_parse_error(const struct nlmsghdr *nlh, struct fi_result *r,
			   int error, size_t tlv_offset)
{
	size_t payload = mnl_nlmsg_get_payload_len(nlh);

	r->error = -error;
	r->outcome = error ? FI_REFUSED : FI_DONE;
	if ((nlh->nlmsg_flags & NLM_F_ACK_TLVS) && tlv_offset < payload)
		mnl_attr_parse_payload(
			(const char *)mnl_nlmsg_get_payload(nlh) + tlv_offset,
			payload - tlv_offset, fi_ack_attr, r);
}

/* The answer to the request with @seq: true when it is complete. */
static bool fi_answer(const char *buf, int len, uint32_t seq,
		      struct fi_result *r)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;

	for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
		if (nlh->nlmsg_seq != seq)
			continue;
		if (nlh->nlmsg_type == NLMSG_ERROR) {
			const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);

			fi_parse_error(nlh, r, e->error, sizeof(*e));
			return true;
		}
		if (nlh->nlmsg_type == NLMSG_DONE) {
			int error = 0;

			if (mnl_nlmsg_get_payload_len(nlh) >= sizeof(error))
				memcpy(&error, mnl_nlmsg_get_payload(nlh),
				       sizeof(error));
			fi_parse_error(nlh, r, error, sizeof(error));
			return true;
		}
		r->replies++;
	}
	return false;
}

static const char *outcome_name(const struct fi_result *r)
{
	switch (r->outcome) {
	case FI_DONE:
		return "done";
	case FI_REFUSED:
		return "refused";
	case FI_NOT_SENT:
		return "not sent";
	case FI_NO_ANSWER:
		return "no answer";
	}
	return "?";
}

/* Of the task running a case: opened by it, since the file is per task. */
static int fail_nth_fd = -1;

/* Build request @cmd (a dump when @dump) with sequence number @seq. */
static struct nlmsghdr *fi_request(struct fi_env *e, char *req, size_t len,
				   uint8_t cmd, bool dump, fi_build build,
				   uint32_t seq)
{
	struct genlmsghdr *genl;
	struct nlmsghdr *nlh;

	memset(req, 0, len);
	nlh = mnl_nlmsg_put_header(req);
	nlh->nlmsg_type = e->family;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | (dump ? NLM_F_DUMP : 0);
	nlh->nlmsg_seq = seq;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = LMIG_GENL_VERSION;
	if (build && build(nlh, len)) {
		note("request %u does not fit", cmd);
		return NULL;
	}
	return nlh;
}

/* Send @nlh on @sock and read its whole answer into @r. */
static void fi_exchange(struct mnl_socket *sock, struct nlmsghdr *nlh,
			struct fi_result *r)
{
	static char buf[65536];

	if (mnl_socket_sendto(sock, nlh, nlh->nlmsg_len) < 0) {
		r->outcome = FI_NOT_SENT;
		r->error = errno;
		return;
	}
	for (int i = 0; i < 10000; i++) {
		ssize_t len = mnl_socket_recvfrom(sock, buf, sizeof(buf));

		if (len < 0 && errno == EINTR)
			continue;
		if (len < 0) {
			r->outcome = FI_NO_ANSWER;
			r->error = errno;
			return;
		}
		if (fi_answer(buf, (int)len, nlh->nlmsg_seq, r))
			return;
	}
	r->outcome = FI_NO_ANSWER;
	r->error = EPROTO;
}

/*
 * Send the request of @c on a socket of its own, after its prelude, and
 * read the whole answer; with @nth > 0, the nth allocation of this task
 * in between fails.
 */
static int fi_run(struct fi_env *e, const struct fi_case *c, unsigned int nth,
		  struct fi_result *r)
{
	static char req[LMIG_GENL_REQUEST_MAX];
	struct timeval tv = {.tv_sec = ANSWER_TIMEOUT_S};
	struct mnl_socket *sock;
	struct nlmsghdr *nlh;
	char text[16];
	int one = 1, ret = 0;
	uint32_t seq = 1;

	memset(r, 0, sizeof(*r));
	sock = mnl_socket_open2(NETLINK_GENERIC, SOCK_CLOEXEC);
	if (!sock || mnl_socket_bind(sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		note("netlink socket: %s", strerror(errno));
		if (sock)
			mnl_socket_close(sock);
		return -1;
	}
	mnl_socket_setsockopt(sock, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(sock, NETLINK_CAP_ACK, &one, sizeof(one));
	setsockopt(mnl_socket_get_fd(sock), SOL_SOCKET, SO_RCVTIMEO, &tv,
		   sizeof(tv));

	for (const struct fi_req *p = c->prelude; p && p->cmd; p++) {
		nlh = fi_request(e, req, sizeof(req), p->cmd, false, p->build,
				 seq++);
		if (nlh)
			fi_exchange(sock, nlh, r);
		if (!nlh || r->outcome != FI_DONE) {
			note("%s: prelude request %u: %s (%s) %s", c->name,
			     p->cmd, outcome_name(r), strerror(r->error),
			     r->msg);
			mnl_socket_close(sock);
			return -1;
		}
		memset(r, 0, sizeof(*r));
	}
	nlh = fi_request(e, req, sizeof(req), c->cmd, c->dump, c->build, seq);
	if (!nlh) {
		mnl_socket_close(sock);
		return -1;
	}

	/* From here to the read of fail-nth: no allocation of our own. */
	snprintf(text, sizeof(text), "%u", nth);
	if (nth && pwrite(fail_nth_fd, text, strlen(text), 0) < 0) {
		note("writing %s: %s", FAIL_NTH, strerror(errno));
		mnl_socket_close(sock);
		return -1;
	}
	fi_exchange(sock, nlh, r);
	if (nth) {
		/* Still counting down: nothing was made to fail. */
		memset(text, 0, sizeof(text));
		if (pread(fail_nth_fd, text, sizeof(text) - 1, 0) < 0 ||
		    pwrite(fail_nth_fd, "0", 1, 0) < 0) {
			note("reading %s: %s", FAIL_NTH, strerror(errno));
			ret = -1;
		}
		r->injected = atoi(text) == 0;
	}
	mnl_socket_close(sock);
	return ret;
}

/* --- the sweep of one case ----------------------------------------------- */

struct fi_counts {
	unsigned int points, refused, not_sent, no_answer, absorbed;
};

/*
 * One injected run: the checks of the file's header comment. Returns 1
 * when nothing was injected (the sweep is over), 0 to go on, -1 on a
 * failed check. *@changed: the table is no longer the baseline.
 */
static int fi_step(struct fi_env *e, const struct fi_case *c, unsigned int n,
		   const char *ref_after, int ref_replies, int kmsg,
		   struct fi_counts *counts, bool *changed)
{
	static char before[SNAPSHOT_MAX], after[SNAPSHOT_MAX],
		after_plain[SNAPSHOT_MAX];
	struct fi_result r;
	bool same, as_ref, clean;
	int events, bad = 0;

	*changed = false;
	if (snapshot(e->nl, before, sizeof(before), true) ||
	    drain_events(e) < 0 || fi_run(e, c, n, &r) ||
	    snapshot(e->nl, after, sizeof(after), true) ||
	    snapshot(e->nl, after_plain, sizeof(after_plain), false))
		return -1;
	events = drain_events(e);
	same = !strcmp(before, after);
	as_ref = !strcmp(after_plain, ref_after);
	*changed = !same;

	if (kmsg_problems(kmsg)) {
		note("%s, failing allocation %u: the kernel logged a problem",
		     c->name, n);
		bad++;
	}
	if (!r.injected) {
		if (r.outcome != FI_DONE) {
			note("%s without an injected failure: %s (%s) %s",
			     c->name, outcome_name(&r), strerror(r.error),
			     r.msg);
			return -1;
		}
		if (!as_ref) {
			note("%s without an injected failure: not its normal "
			     "effect",
			     c->name);
			snap_diff("got", after_plain, "expected", ref_after);
			return -1;
		}
		return bad ? -1 : 1;
	}

	counts->points++;
	clean = r.error == ENOMEM || r.error == ENOBUFS;
	switch (r.outcome) {
	case FI_DONE:
		/* The failure was absorbed: the command did all it does. */
		counts->absorbed++;
		if (!as_ref || r.replies != ref_replies) {
			note("%s, failing allocation %u: succeeded with %d "
			     "replies (normally %d) but another effect",
			     c->name, n, r.replies, ref_replies);
			snap_diff("got", after_plain, "expected", ref_after);
			bad++;
		}
		break;
	case FI_REFUSED:
	case FI_NOT_SENT:
		counts->refused += r.outcome == FI_REFUSED;
		counts->not_sent += r.outcome == FI_NOT_SENT;
		if (!clean) {
			note("%s, failing allocation %u: %s with %s, not "
			     "ENOMEM or ENOBUFS %s%s",
			     c->name, n, outcome_name(&r), strerror(r.error),
			     r.msg[0] ? "- kernel: " : "", r.msg);
			bad++;
		}
		if (!same) {
			note("%s, failing allocation %u: %s (%s) but the table "
			     "changed",
			     c->name, n, outcome_name(&r), strerror(r.error));
			snap_diff("after", after, "before", before);
			bad++;
		}
		break;
	case FI_NO_ANSWER:
		/* The answer could not be allocated: either outcome holds. */
		counts->no_answer++;
		if (r.error != ENOBUFS) {
			note("%s, failing allocation %u: the socket failed "
			     "with %s, not ENOBUFS",
			     c->name, n, strerror(r.error));
			bad++;
		}
		if (!same && !as_ref) {
			note("%s, failing allocation %u: no answer, and the "
			     "table is neither as before nor as after the "
			     "command",
			     c->name, n);
			snap_diff("after", after, "before", before);
			bad++;
		}
		break;
	}
	if (same && events != 0) {
		note("%s, failing allocation %u: the table did not change "
		     "but listeners heard %s",
		     c->name, n, events < 0 ? "of lost events" : "an event");
		bad++;
	}
	if (!same && events == 0) {
		note("%s, failing allocation %u: the table changed and "
		     "listeners heard nothing",
		     c->name, n);
		bad++;
	}
	return bad ? -1 : 0;
}

static int sweep(const struct fi_case *c)
{
	static char ref_before[SNAPSHOT_MAX], ref_after[SNAPSHOT_MAX];
	struct fi_env e = {0};
	struct fi_counts counts = {0};
	struct fi_result r;
	unsigned int n;
	int kmsg, ret = -1;
	bool changed = true;

	fail_nth_fd = open(FAIL_NTH, O_RDWR | O_CLOEXEC);
	if (fail_nth_fd < 0) {
		note("%s: %s", FAIL_NTH, strerror(errno));
		return -1;
	}
	kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (kmsg < 0) {
		note("/dev/kmsg: %s", strerror(errno));
		return -1;
	}
	lseek(kmsg, 0, SEEK_END);

	/* What the command does when nothing fails. */
	if (env_open(&e) ||
	    snapshot(e.nl, ref_before, sizeof(ref_before), false) ||
	    drain_events(&e) < 0 || fi_run(&e, c, 0, &r) ||
	    snapshot(e.nl, ref_after, sizeof(ref_after), false))
		goto out;
	if (r.outcome != FI_DONE) {
		note("%s: %s (%s) %s", c->name, outcome_name(&r),
		     strerror(r.error), r.msg);
		goto out;
	}
	drain_events(&e);

	for (n = 1; n <= MAX_POINTS; n++) {
		int step;

		if (changed && env_open(&e))
			goto out;
		step = fi_step(&e, c, n, ref_after, r.replies, kmsg, &counts,
			       &changed);
		if (step < 0)
			goto out;
		if (step > 0)
			break;
	}
	if (n > MAX_POINTS) {
		note("%s: still failing allocations after %u", c->name,
		     MAX_POINTS);
		goto out;
	}
	note("%s: %u allocation points; failed cleanly %u times, not sent "
	     "%u, answer lost %u, absorbed %u",
	     c->name, counts.points, counts.refused, counts.not_sent,
	     counts.no_answer, counts.absorbed);
	ret = counts.points > 0 ? 0 : -1;
	if (ret)
		note("%s: no allocation was made to fail", c->name);
out:
	env_close(&e);
	close(kmsg);
	return ret;
}

/* Run @c in a child of its own: its namespaces go away with it. */
static void run_case(const struct fi_case *c)
{
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0)
		_exit(sweep(c) ? 1 : 0);
	if (pid < 0 || waitpid(pid, &status, 0) != pid) {
		ksft_test_result_fail("%s: cannot run it: %s\n", c->name,
				      strerror(errno));
		return;
	}
	ksft_test_result(WIFEXITED(status) && WEXITSTATUS(status) == 0,
			 "%s fails cleanly at every allocation\n", c->name);
}

/* --- every command of the family has a case --------------------------------
 */

struct ops_ctx {
	unsigned int missing;
	unsigned int ops;
};

static bool has_case(uint32_t cmd, bool dump)
{
	for (size_t i = 0; i < N_CASES; i++)
		if (cases[i].cmd == cmd && cases[i].dump == dump)
			return true;
	return false;
}

static int op_attr(const struct nlattr *attr, void *data)
{
	const struct nlattr *a;
	struct ops_ctx *ctx = data;
	uint32_t id = 0, flags = 0;

	mnl_attr_for_each_nested (a, attr) {
		if (mnl_attr_get_type(a) == CTRL_ATTR_OP_ID &&
		    !mnl_attr_validate(a, MNL_TYPE_U32))
			id = mnl_attr_get_u32(a);
		if (mnl_attr_get_type(a) == CTRL_ATTR_OP_FLAGS &&
		    !mnl_attr_validate(a, MNL_TYPE_U32))
			flags = mnl_attr_get_u32(a);
	}
	ctx->ops++;
	if ((flags & GENL_CMD_CAP_DO) && !has_case(id, false)) {
		note("command %u has no case in cases[]", id);
		ctx->missing++;
	}
	if ((flags & GENL_CMD_CAP_DUMP) && !has_case(id, true)) {
		note("the dump of command %u has no case in cases[]", id);
		ctx->missing++;
	}
	return MNL_CB_OK;
}

static int family_attr(const struct nlattr *attr, void *data)
{
	if (mnl_attr_get_type(attr) == CTRL_ATTR_OPS)
		mnl_attr_parse_nested(attr, op_attr, data);
	return MNL_CB_OK;
}

static int family_msg(const struct nlmsghdr *nlh, void *data)
{
	return mnl_attr_parse(nlh, sizeof(struct genlmsghdr), family_attr,
			      data) < 0
		       ? -EPROTO
		       : 0;
}

static void check_coverage(void)
{
	struct ops_ctx ctx = {0};
	struct lmig_genl *nl;
	struct nlmsghdr *nlh;
	char why[256];
	int err;

	if (lmig_genl_open(&nl, why, sizeof(why))) {
		ksft_test_result_fail("every command has a case: %s\n", why);
		return;
	}
	/* The handle speaks to any family; ask the controller. */
	nlh = lmig_genl_request(nl, CTRL_CMD_GETFAMILY, 0);
	nlh->nlmsg_type = GENL_ID_CTRL;
	((struct genlmsghdr *)mnl_nlmsg_get_payload(nlh))->version = 1;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, LMIG_GENL_NAME);
	err = lmig_genl_run(nl, nlh, family_msg, &ctx);
	if (err)
		note("CTRL_CMD_GETFAMILY: %s", lmig_genl_strerror(nl));
	lmig_genl_close(nl);
	note("the family has %u operations", ctx.ops);
	ksft_test_result(!err && ctx.ops > 0 && !ctx.missing,
			 "every command of the family has a case\n");
}

/* --- leaks -----------------------------------------------------------------
 */

static void check_leaks(void)
{
	static char report[16384];

	if (access(KMEMLEAK, W_OK)) {
		ksft_test_result_skip("kmemleak finds no leak: %s absent\n",
				      KMEMLEAK);
		return;
	}
	/*
	 * kmemleak reports objects older than 5 s only; the second scan
	 * leaves out pointers that were only in flight during the first.
	 */
	sleep(6);
	if (write_file(KMEMLEAK, "scan") || write_file(KMEMLEAK, "scan") ||
	    read_file(KMEMLEAK, report, sizeof(report))) {
		ksft_test_result_fail("kmemleak finds no leak: cannot scan\n");
		return;
	}
	for (char *line = strtok(report, "\n"); line; line = strtok(NULL, "\n"))
		note("kmemleak: %s", line);
	ksft_test_result(report[0] == '\0', "kmemleak finds no leak\n");
}

int main(void)
{
	char why[256];
	struct lmig_genl *nl;

	ksft_print_header();
	if (geteuid() != 0)
		ksft_exit_skip("needs root, for debugfs and namespaces\n");
	if (access(FAIL_NTH, W_OK) || access(DEBUGFS "/failslab", F_OK) ||
	    access(DEBUGFS "/fail_page_alloc", F_OK))
		ksft_exit_skip("this kernel has no fault injection (%s, "
			       "failslab, fail_page_alloc in debugfs): run it "
			       "on the debug kernel (make check-debug)\n",
			       FAIL_NTH);
	if (lmig_genl_open(&nl, why, sizeof(why)))
		ksft_exit_skip("%s\n", why);
	lmig_genl_close(nl);

	ksft_set_plan(N_CASES + 2);
	check_coverage();
	if (knobs_arm()) {
		knobs_restore();
		ksft_exit_fail_msg("cannot set up fault injection\n");
	}
	for (size_t i = 0; i < N_CASES; i++)
		run_case(&cases[i]);
	knobs_restore();
	check_leaks();
	ksft_finished();
}
