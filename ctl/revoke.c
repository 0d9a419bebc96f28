// SPDX-License-Identifier: GPL-2.0-only
/*
 * lmigctl revoke: suspend a user in the kernel and end every session the
 * user holds in the fast path, at once. Suspending alone keeps the
 * admissions (resume lets them pass again); revoking removes them, so the
 * user must be admitted anew after a resume.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fastpath.h"
#include "lmigctl.h"
#include "names.h"
#include "print.h"

struct user_sessions {
	uint32_t user_id;
	struct lmig_addr *addrs;
	size_t n, cap;
};

static int collect(const struct lmig_addr *addr,
		   const struct lmig_admission *adm, void *ctx)
{
	struct user_sessions *s = ctx;

	if (adm->user_id != s->user_id)
		return 0;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		struct lmig_addr *a = realloc(s->addrs, cap * sizeof(*a));

		if (!a)
			return -ENOMEM;
		s->addrs = a;
		s->cap = cap;
	}
	s->addrs[s->n++] = *addr;
	return 0;
}

/* The user's admissions into s; -errno after printing why. */
static int sessions_of(struct lmig_fp *fp, struct user_sessions *s)
{
	char msg[LMIG_FP_MSG_MAX];
	int err;

	s->n = 0;
	err = lmig_fp_admission_foreach(fp, collect, s, msg, sizeof(msg));
	if (err)
		ctl_error("revoke: %s", err == -ENOMEM ? "out of memory" : msg);
	return err;
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: lmigctl [-j|-p] [-i INSTANCE] revoke USER\n"
		"\n"
		"Suspend USER (a user id or a partner MC service ID) and end "
		"every\n"
		"session the user holds in the fast path at once; prints how "
		"many\n"
		"ended. 'profile resume' lets the user be admitted again, with "
		"a new\n"
		"token request.\n");
}

int cmd_revoke(struct ctl *c, int argc, char **argv)
{
	struct user_sessions s = {0};
	char msg[LMIG_FP_MSG_MAX];
	struct lmig_profile p;
	struct lmig_genl *nl;
	struct lmig_fp *fp = NULL;
	size_t before = 0, ended = 0, left = 0;
	int err, ret = CTL_OK;

	if (ctl_wants_help(argc, argv)) {
		usage(stdout);
		return CTL_OK;
	}
	if (argc != 1) {
		ctl_error("revoke: give exactly one user (a user id or partner "
			  "ID)");
		usage(stderr);
		return CTL_USAGE;
	}
	lmig_profile_init(&p);
	if (ctl_parse_user("revoke", argv[0], &p))
		return CTL_USAGE;
	nl = ctl_genl(c);
	if (!nl)
		return CTL_UNAVAILABLE;

	/* Suspend first: from now on the agent admits the user no more. */
	p.state = LMIG_STATE_SUSPENDED;
	p.fields |= LMIG_PF_STATE;
	err = lmig_profile_request(nl, LMIG_CMD_PROFILE_SET, &p,
				   (p.fields & LMIG_PF_USER_ID
					    ? LMIG_PF_USER_ID
					    : LMIG_PF_PARTNER_ID) |
					   LMIG_PF_STATE,
				   &p);
	if (err) {
		ctl_kernel_error(c, "revoke", NULL);
		return ctl_exit_for(err);
	}

	err = lmig_fp_open(c->instance, &fp, msg, sizeof(msg));
	if (err == -ENOENT) {
		/* No fast path yet: no session to end. */
		ctl_error("revoke: suspended; no fast path to end sessions "
			  "in: %s",
			  msg);
		fp = NULL;
	} else if (err) {
		ctl_error("revoke: suspended, but no session could be ended: "
			  "%s",
			  msg);
		ret = err == -EPERM || err == -EACCES ? CTL_UNAVAILABLE
						      : CTL_FAILED;
		fp = NULL;
	} else {
		s.user_id = p.user_id;
		if (sessions_of(fp, &s)) {
			ret = CTL_FAILED;
		} else {
			before = s.n;
			for (size_t i = 0; i < s.n; i++)
				lmig_fp_admission_del(fp, &s.addrs[i], NULL, 0);
			if (sessions_of(fp, &s))
				ret = CTL_FAILED;
			left = s.n;
			ended = before > left ? before - left : 0;
		}
	}

	print_open_object("revoked");
	print_uint(PRINT_ANY, "user_id", "revoked user %llu", p.user_id);
	print_string(PRINT_ANY, "partner_id", " (%s): ", p.partner_id);
	print_string(PRINT_ANY, "state", "%s", lmig_state_name(p.state));
	print_bool(PRINT_JSON, "fastpath", NULL, fp != NULL);
	print_uint(PRINT_ANY, "sessions_before", NULL, before);
	print_uint(PRINT_ANY, "sessions_ended", ", %llu sessions ended", ended);
	print_uint(PRINT_JSON, "sessions_left", NULL, left);
	if (left)
		print_text(", %zu left", left);
	print_text("\n");
	print_close_object();
	if (left) {
		ctl_error("revoke: %zu sessions of user %u are still in the "
			  "fast path",
			  left, p.user_id);
		ret = CTL_FAILED;
	}
	ctl_warn_no_agent("the suspension");
	free(s.addrs);
	lmig_fp_close(fp);
	return ret;
}
