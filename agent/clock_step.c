// SPDX-License-Identifier: GPL-2.0-only
/* Wall-clock steps: expiries brought forward, never pushed back. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "clock_step.h"
#include "lmigd.h"
#include "log.h"

int64_t lmigd_clock_step(int64_t *anchor_ns, int64_t offset_now_ns)
{
	int64_t step = offset_now_ns - *anchor_ns;

	if (step > -LMIGD_CLOCK_STEP_NS && step < LMIGD_CLOCK_STEP_NS)
		return 0;
	*anchor_ns = offset_now_ns;
	return step;
}

/* An expiry step_ns earlier; "never" stays, nothing goes below 1 (past). */
static uint64_t earlier(uint64_t expiry, int64_t step_ns)
{
	if (expiry == LMIG_TIME_NEVER)
		return expiry;
	return expiry > (uint64_t)step_ns + 1 ? expiry - (uint64_t)step_ns : 1;
}

struct admission_list {
	struct lmig_addr *addrs;
	struct lmig_admission *adms;
	size_t n, cap;
};

static int collect(const struct lmig_addr *addr,
		   const struct lmig_admission *adm, void *ctx)
{
	struct admission_list *l = ctx;

	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 64;
		struct lmig_addr *a = realloc(l->addrs, cap * sizeof(*a));

		if (!a)
			return -ENOMEM;
		l->addrs = a;
		struct lmig_admission *v = realloc(l->adms, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		l->adms = v;
		l->cap = cap;
	}
	l->addrs[l->n] = *addr;
	l->adms[l->n] = *adm;
	l->n++;
	return 0;
}

struct user_pass {
	struct lmig_fp *fp;
	int64_t step_ns;
	size_t shortened;
	int err;
	char *msg;
	size_t msglen;
};

static int shorten_user(uint32_t slot, const struct lmig_user *user, void *ctx)
{
	struct user_pass *p = ctx;
	struct lmig_user u = *user;

	(void)slot;
	u.valid_until_ns = earlier(user->valid_until_ns, p->step_ns);
	if (u.valid_until_ns == user->valid_until_ns)
		return 0;
	p->err = lmig_fp_user_put(p->fp, u.user_id, &u, NULL, p->msg,
				  p->msglen);
	if (p->err)
		return p->err;
	p->shortened++;
	return 0;
}

int lmigd_clock_recheck(struct lmig_fp *fp, int64_t step_ns, uint64_t now_ns,
			struct lmigd_clock_recheck *out, char *msg,
			size_t msglen)
{
	struct user_pass users = {
		.fp = fp, .step_ns = step_ns, .msg = msg, .msglen = msglen};
	struct admission_list l = {0};
	int err;

	memset(out, 0, sizeof(*out));
	if (step_ns <= 0)
		return 0;
	/* Users first: their window ends every admission of theirs. */
	err = lmig_fp_user_foreach(fp, shorten_user, &users, msg, msglen);
	out->users_shortened = users.shortened;
	if (err)
		return users.err ? users.err : err;
	err = lmig_fp_admission_foreach(fp, collect, &l, msg, msglen);
	for (size_t i = 0; i < l.n && !err; i++) {
		struct lmig_admission adm = l.adms[i];

		adm.expires_ns = earlier(adm.expires_ns, step_ns);
		if (adm.expires_ns <= now_ns) {
			err = lmig_fp_admission_del(fp, &l.addrs[i], msg,
						    msglen);
			if (err == -ENOENT)
				err = 0; /* gone meanwhile: as good */
			else if (!err)
				out->admissions_ended++;
		} else if (adm.expires_ns != l.adms[i].expires_ns) {
			err = lmig_fp_admission_put(fp, &l.addrs[i], &adm, msg,
						    msglen);
			if (!err)
				out->admissions_shortened++;
		}
	}
	free(l.addrs);
	free(l.adms);
	return err;
}

void lmigd_clock_follow(struct lmigd *d)
{
	int64_t step = lmigd_clock_step(&d->clock_anchor_ns,
					lmig_clock_offset_ns());
	struct lmigd_clock_recheck r;
	char msg[LMIG_FP_MSG_MAX];

	if (!step)
		return;
	if (step < 0) {
		log_notice("the wall clock was set back %lld s: expiries "
			   "stay as granted",
			   (long long)(-step / 1000000000LL));
		return;
	}
	if (lmigd_clock_recheck(d->fp, step, lmig_clock_now_ns(), &r, msg,
				sizeof(msg)))
		log_err("the wall clock was set forward %lld s; bringing "
			"expiries forward: %s",
			(long long)(step / 1000000000LL), msg);
	log_notice("the wall clock was set forward %lld s: %zu admissions "
		   "ended, %zu shortened, %zu user windows shortened",
		   (long long)(step / 1000000000LL), r.admissions_ended,
		   r.admissions_shortened, r.users_shortened);
}
