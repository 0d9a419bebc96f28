// SPDX-License-Identifier: GPL-2.0-only
/* lmigctl show: profiles joined with their live sessions, and counters. */
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "fastpath.h"
#include "lmigctl.h"
#include "names.h"
#include "print.h"
#include "timefmt.h"

#define HALF_SECOND (LMIG_NSEC_PER_SEC / 2)

struct session {
	struct lmig_addr addr;
	struct lmig_admission adm;
};

struct show {
	struct lmig_fp *fp; /* NULL: no fast path to show */
	struct session *sessions;
	size_t n, cap;
	uint64_t now_ns;
	int64_t offset_ns; /* monotonic time to Unix time */
};

static int collect(const struct lmig_addr *addr,
		   const struct lmig_admission *adm, void *ctx)
{
	struct show *s = ctx;

	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		struct session *n = realloc(s->sessions, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		s->sessions = n;
		s->cap = cap;
	}
	s->sessions[s->n].addr = *addr;
	s->sessions[s->n].adm = *adm;
	s->n++;
	return 0;
}

static void print_session(const struct show *s, const struct session *se)
{
	char addr[LMIG_ADDR_STRLEN], in[32];
	bool live = se->adm.expires_ns > s->now_ns;
	uint64_t left = live ? (se->adm.expires_ns - s->now_ns) /
					LMIG_NSEC_PER_SEC
			     : 0;

	lmig_addr_format(&se->addr, addr, sizeof(addr));
	print_open_object(NULL);
	print_string(PRINT_ANY, "address", "    session     %-16s ", addr);
	print_services("services", "%-15s ", se->adm.services);
	if (print_is_json())
		print_services("requested", NULL, se->adm.requested);
	print_bool(PRINT_JSON, "live", NULL, live);
	if (live)
		print_string(PRINT_TEXT, NULL, "expires in %s ",
			     lmig_duration(left, in, sizeof(in)));
	else
		print_text("expired ");
	print_uint(PRINT_JSON, "expires_in", NULL, left);
	print_time("expires_at", "(%s)",
		   lmig_clock_to_unix_at(se->adm.expires_ns, s->offset_ns));
	print_time("granted_at", ", granted %s\n",
		   lmig_clock_to_unix_at(se->adm.granted_ns, s->offset_ns));
	print_close_object();
}

/* The user's traffic through the fast path, while it holds a slot. */
static void show_traffic(const struct show *s, uint32_t user_id)
{
	struct lmig_user_counter c;
	uint32_t slot;

	if (!s->fp || lmig_fp_user_get(s->fp, user_id, NULL, &slot, NULL, 0) ||
	    lmig_fp_user_stats(s->fp, slot, &c, NULL, 0))
		return;
	print_open_object("traffic");
	print_uint(PRINT_ANY, "packets", "    traffic     %llu packets",
		   c.packets);
	print_uint(PRINT_ANY, "bytes", ", %llu bytes passed", c.bytes);
	print_uint(PRINT_ANY, "drops", ", %llu packets dropped\n", c.drops);
	print_close_object();
}

static int show_profile(const struct lmig_profile *p, void *data)
{
	const struct show *s = data;
	bool any = false;

	print_open_object(NULL);
	print_uint(PRINT_ANY, "user_id", "user %llu  ", p->user_id);
	print_string(PRINT_ANY, "partner_id", "%s  ", p->partner_id);
	print_string(PRINT_ANY, "state", "%s  ", lmig_state_name(p->state));
	print_services("services", "%s\n", p->services);
	print_open_array("primary_ids");
	for (unsigned int i = 0; i < p->n_primary_ids; i++)
		print_string(PRINT_ANY, NULL, "    primary     %s\n",
			     p->primary_ids[i]);
	print_close_array();
	if (p->not_before)
		print_time("not_before", "    not-before  %s\n", p->not_before);
	if (p->not_after)
		print_time("not_after", "    not-after   %s\n", p->not_after);
	show_traffic(s, p->user_id);
	print_open_array("sessions");
	for (size_t i = 0; i < s->n; i++) {
		if (s->sessions[i].adm.user_id != p->user_id)
			continue;
		print_session(s, &s->sessions[i]);
		any = true;
	}
	print_close_array();
	if (!any)
		print_text("    no sessions\n");
	print_close_object();
	return 0;
}

/* Totals per reason, then every class and reason that counted a packet. */
static void show_counters(struct lmig_fp *fp)
{
	struct lmig_counter(*st)[__LMIG_REASON_MAX];
	char msg[LMIG_FP_MSG_MAX];

	st = calloc(__LMIG_CLASS_MAX, sizeof(*st));
	if (!st) {
		ctl_error("show: out of memory");
		return;
	}
	if (lmig_fp_class_stats(fp, st, msg, sizeof(msg))) {
		ctl_error("show: %s", msg);
		free(st);
		return;
	}
	print_text("counters\n");
	print_open_object("counters");
	for (uint32_t r = 0; r < __LMIG_REASON_MAX; r++) {
		struct lmig_counter sum = {0};

		for (uint32_t c = 0; c < __LMIG_CLASS_MAX; c++) {
			sum.packets += st[c][r].packets;
			sum.bytes += st[c][r].bytes;
		}
		print_open_object(lmig_reason_name(r));
		print_string(PRINT_TEXT, NULL, "    %-24s",
			     lmig_reason_name(r));
		print_uint(PRINT_ANY, "packets", "%12llu packets", sum.packets);
		print_uint(PRINT_ANY, "bytes", "%14llu bytes\n", sum.bytes);
		print_close_object();
	}
	print_close_object();
	print_text("counters by class\n");
	print_open_object("classes");
	for (uint32_t c = 0; c < __LMIG_CLASS_MAX; c++) {
		bool any = false;

		for (uint32_t r = 0; r < __LMIG_REASON_MAX; r++)
			any |= st[c][r].packets != 0;
		if (!any)
			continue;
		print_open_object(lmig_class_name(c));
		for (uint32_t r = 0; r < __LMIG_REASON_MAX; r++) {
			if (!st[c][r].packets)
				continue;
			print_open_object(lmig_reason_name(r));
			print_string(PRINT_TEXT, NULL, "    %-9s",
				     lmig_class_name(c));
			print_string(PRINT_TEXT, NULL, "%-24s",
				     lmig_reason_name(r));
			print_uint(PRINT_ANY, "packets", "%12llu packets",
				   st[c][r].packets);
			print_uint(PRINT_ANY, "bytes", "%14llu bytes\n",
				   st[c][r].bytes);
			print_close_object();
		}
		print_close_object();
	}
	print_close_object();
	free(st);
}

int cmd_show(struct ctl *c, int argc, char **argv)
{
	struct show s = {.now_ns = lmig_clock_now_ns(),
			 .offset_ns = lmig_clock_offset_ns()};
	struct lmig_genl *nl;
	struct lmig_fp *fp = NULL;
	char msg[LMIG_FP_MSG_MAX];
	int err, ret = CTL_OK;

	if (argc == 1 &&
	    (!strcmp(argv[0], "help") || !strcmp(argv[0], "--help") ||
	     !strcmp(argv[0], "-h"))) {
		printf("usage: lmigctl [-j|-p] [-i INSTANCE] show [USER]\n"
		       "\n"
		       "Every profile (or USER's: a user id or a partner MC "
		       "service ID)\n"
		       "with its live sessions (address, services, expiry, "
		       "traffic), then\n"
		       "the fast path's counters by class and reason.\n");
		return CTL_OK;
	}
	if (argc > 1) {
		ctl_error("show: at most one user");
		return CTL_USAGE;
	}
	nl = ctl_genl(c);
	if (!nl)
		return CTL_UNAVAILABLE;
	err = lmig_fp_open(c->instance, &fp, msg, sizeof(msg));
	if (err) {
		/* Profiles are still worth showing. */
		ctl_error("show: no sessions or counters: %s (is lmigd "
			  "running?)",
			  msg);
		fp = NULL;
	} else if (lmig_fp_admission_foreach(fp, collect, &s, msg,
					     sizeof(msg))) {
		ctl_error("show: %s", msg);
	}
	s.fp = fp;
	print_string(PRINT_JSON, "instance", NULL, c->instance);
	print_open_array("profiles");
	if (argc == 1) {
		struct lmig_profile p;
		char *end;
		unsigned long id = strtoul(argv[0], &end, 10);

		lmig_profile_init(&p);
		if (argv[0][0] >= '0' && argv[0][0] <= '9' && !*end && id &&
		    id <= UINT32_MAX) {
			p.user_id = id;
			p.fields = LMIG_PF_USER_ID;
		} else if (lmig_profile_set_partner_id(&p, argv[0])) {
			ctl_error("show: '%s' is neither a user id nor a "
				  "partner ID",
				  argv[0]);
			ret = CTL_USAGE;
			goto out;
		}
		err = lmig_profile_request(nl, LMIG_CMD_PROFILE_GET, &p,
					   p.fields, &p);
		if (!err)
			show_profile(&p, &s);
	} else {
		err = lmig_profile_dump(nl, show_profile, &s);
	}
	print_close_array();
	if (err) {
		ctl_kernel_error(c, "show", NULL);
		ret = ctl_exit_for(err);
	} else if (fp) {
		if (!argc)
			show_counters(fp);
	}
out:
	if (ret == CTL_USAGE)
		print_close_array();
	free(s.sessions);
	lmig_fp_close(fp);
	return ret;
}
