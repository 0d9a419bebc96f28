/* SPDX-License-Identifier: GPL-2.0-only */
/* What lmigctl's commands share. */
#ifndef LMIG_CTL_LMIGCTL_H
#define LMIG_CTL_LMIGCTL_H

#include <stdbool.h>

#include "genl.h"
#include "profile.h"

/* Exit statuses, documented in lmigctl --help. */
enum ctl_exit {
	CTL_OK = 0,
	CTL_FAILED = 1,	     /* the kernel refused, or not found */
	CTL_USAGE = 2,	     /* bad command line */
	CTL_UNAVAILABLE = 3, /* module not loaded, no permission */
};

struct ctl {
	const char *instance; /* fast path instance, for read views */
	struct lmig_genl *nl; /* opened on first use */
	bool json, pretty;    /* as asked on the command line */
};

/* "lmigctl: " and the message on stderr. */
__attribute__((format(printf, 1, 2))) void ctl_error(const char *fmt, ...);

/* The netlink handle, opened now if needed; NULL after printing why. */
struct lmig_genl *ctl_genl(struct ctl *c);

/* Report a failed request, quoting the value the kernel pointed at. */
void ctl_kernel_error(struct ctl *c, const char *what,
		      const struct lmig_profile *sent);

/* Exit status for a failed kernel request. */
int ctl_exit_for(int err);

/*
 * Parse USER: a number is a user id, anything else a partner MC service
 * ID; sets the selector field of p. -1 after printing why.
 */
int ctl_parse_user(const char *what, const char *arg, struct lmig_profile *p);

/* "--help" or "-h" among the arguments. */
bool ctl_wants_help(int argc, char **argv);

/*
 * Is an lmigd running in this network namespace? Changes of the table
 * reach the fast path only through it. When none runs, warn that the fast
 * path will not follow what (e.g. "the change") until one does.
 */
bool ctl_agent_running(void);
void ctl_warn_no_agent(const char *what);

/* Print one profile in full (text) or as one JSON object (key may be NULL). */
void ctl_print_profile(const char *key, const struct lmig_profile *p);

int cmd_profile(struct ctl *c, int argc, char **argv);
int cmd_show(struct ctl *c, int argc, char **argv);
int cmd_revoke(struct ctl *c, int argc, char **argv);
int cmd_apply(struct ctl *c, int argc, char **argv);
int cmd_export(struct ctl *c, int argc, char **argv);
int cmd_stats(struct ctl *c, int argc, char **argv);
int cmd_services(struct ctl *c, int argc, char **argv);
int cmd_monitor(struct ctl *c, int argc, char **argv);

#endif /* LMIG_CTL_LMIGCTL_H */
