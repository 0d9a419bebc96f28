// SPDX-License-Identifier: GPL-2.0-only
/*
 * lmigctl stats: totals. The kernel's table (counts, limits, memory) and
 * the fast path's verdict counters summed over every class and CPU.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fastpath.h"
#include "lmigctl.h"
#include "names.h"
#include "print.h"

static int count_admission(const struct lmig_addr *addr,
			   const struct lmig_admission *adm, void *ctx)
{
	(void)addr;
	(void)adm;
	(*(uint64_t *)ctx)++;
	return 0;
}

static int count_user(uint32_t slot, const struct lmig_user *user, void *ctx)
{
	(void)slot;
	(void)user;
	(*(uint64_t *)ctx)++;
	return 0;
}

static void print_table(const struct lmig_info *i)
{
	char epoch[32];

	snprintf(epoch, sizeof(epoch), "%016llx", (unsigned long long)i->epoch);
	print_open_object("table");
	print_uint(PRINT_ANY, "profiles", "profiles      %llu", i->profiles);
	print_uint(PRINT_ANY, "max_profiles", " of %llu", i->max_profiles);
	print_uint(PRINT_ANY, "suspended", " (%llu suspended)\n", i->suspended);
	print_uint(PRINT_ANY, "primary_ids", "primary IDs   %llu",
		   i->primary_ids);
	print_uint(PRINT_ANY, "max_primary_ids", " (at most %llu a profile)\n",
		   i->max_primary_ids);
	print_uint(PRINT_ANY, "memory", "memory        %llu bytes\n",
		   i->memory);
	print_uint(PRINT_ANY, "applies", "applies       %llu open", i->applies);
	print_uint(PRINT_ANY, "max_applies", " of %llu", i->max_applies);
	print_uint(PRINT_ANY, "staged", ", %llu profiles staged", i->staged);
	print_uint(PRINT_ANY, "staged_memory", " in %llu bytes\n",
		   i->staged_memory);
	print_uint(PRINT_ANY, "generation", "generation    %llu",
		   i->generation);
	print_string(PRINT_ANY, "epoch", " (epoch %s)\n", epoch);
	print_close_object();
}

/* The fast path's totals; CTL_* status. */
static int print_fastpath(struct ctl *c, struct lmig_fp *fp)
{
	struct lmig_counter st[__LMIG_REASON_MAX] = {0};
	struct lmig_counter passed = {0}, dropped = {0};
	char msg[LMIG_FP_MSG_MAX];
	uint64_t sessions = 0, users = 0;

	if (lmig_fp_stats(fp, st, __LMIG_REASON_MAX, msg, sizeof(msg)) ||
	    lmig_fp_admission_foreach(fp, count_admission, &sessions, msg,
				      sizeof(msg)) ||
	    lmig_fp_user_foreach(fp, count_user, &users, msg, sizeof(msg))) {
		ctl_error("stats: %s", msg);
		return CTL_FAILED;
	}
	for (uint32_t r = 0; r < __LMIG_REASON_MAX; r++) {
		struct lmig_counter *sum = lmig_reason_passes(r) ? &passed
								 : &dropped;

		sum->packets += st[r].packets;
		sum->bytes += st[r].bytes;
	}
	print_open_object("fastpath");
	print_string(PRINT_ANY, "instance",
		     "fast path     instance %s: ", c->instance);
	print_uint(PRINT_ANY, "sessions", "%llu sessions", sessions);
	print_uint(PRINT_ANY, "users", ", %llu users\n", users);
	print_open_object("passed");
	print_uint(PRINT_ANY, "packets", "passed        %llu packets",
		   passed.packets);
	print_uint(PRINT_ANY, "bytes", ", %llu bytes\n", passed.bytes);
	print_close_object();
	print_open_object("dropped");
	print_uint(PRINT_ANY, "packets", "dropped       %llu packets",
		   dropped.packets);
	print_uint(PRINT_ANY, "bytes", ", %llu bytes\n", dropped.bytes);
	print_close_object();
	print_open_object("reasons");
	for (uint32_t r = 0; r < __LMIG_REASON_MAX; r++) {
		print_open_object(lmig_reason_name(r));
		print_string(PRINT_TEXT, NULL, "  %-24s", lmig_reason_name(r));
		print_uint(PRINT_ANY, "packets", "%12llu packets",
			   st[r].packets);
		print_uint(PRINT_ANY, "bytes", "%14llu bytes\n", st[r].bytes);
		print_close_object();
	}
	print_close_object();
	print_close_object();
	return CTL_OK;
}

int cmd_stats(struct ctl *c, int argc, char **argv)
{
	struct lmig_genl *nl;
	struct lmig_info info;
	struct lmig_fp *fp;
	char msg[LMIG_FP_MSG_MAX];
	int err, ret;

	if (ctl_wants_help(argc, argv) ||
	    (argc == 1 && !strcmp(argv[0], "help"))) {
		printf("usage: lmigctl [-j|-p] [-i INSTANCE] stats\n"
		       "\n"
		       "Totals: the kernel's profile table (profiles, "
		       "limits, memory, open\n"
		       "applies) and the fast path's sessions, users and "
		       "verdict counters\n"
		       "summed over every traffic class, by reason.\n");
		return CTL_OK;
	}
	if (argc) {
		ctl_error("stats: takes no arguments");
		return CTL_USAGE;
	}
	nl = ctl_genl(c);
	if (!nl)
		return CTL_UNAVAILABLE;
	err = lmig_info_get(nl, &info);
	if (err) {
		ctl_kernel_error(c, "stats", NULL);
		return ctl_exit_for(err);
	}
	print_table(&info);
	err = lmig_fp_open(c->instance, &fp, msg, sizeof(msg));
	if (err) {
		ctl_error("stats: no fast-path totals: %s (is lmigd running?)",
			  msg);
		return err == -ENOENT ? CTL_OK : CTL_FAILED;
	}
	ret = print_fastpath(c, fp);
	lmig_fp_close(fp);
	return ret;
}
