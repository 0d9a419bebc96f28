// SPDX-License-Identifier: GPL-2.0-only
/* Mirroring the kernel's profile table into lmig_users. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "log.h"
#include "mirror.h"
#include "names.h"

/* A growable list of user ids or addresses collected during a map walk:
 * entries are removed after the walk, never during it. */
struct id_list {
	uint32_t *ids;
	size_t n, cap;
};

struct addr_list {
	struct lmig_addr *addrs;
	size_t n, cap;
};

static int id_push(struct id_list *l, uint32_t id)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 256;
		uint32_t *ids = realloc(l->ids, cap * sizeof(*ids));

		if (!ids)
			return -ENOMEM;
		l->ids = ids;
		l->cap = cap;
	}
	l->ids[l->n++] = id;
	return 0;
}

static int addr_push(struct addr_list *l, const struct lmig_addr *a)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 256;
		struct lmig_addr *addrs = realloc(l->addrs,
						  cap * sizeof(*addrs));

		if (!addrs)
			return -ENOMEM;
		l->addrs = addrs;
		l->cap = cap;
	}
	l->addrs[l->n++] = *a;
	return 0;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static bool id_in(const struct id_list *l, uint32_t id)
{
	return bsearch(&id, l->ids, l->n, sizeof(*l->ids), cmp_u32) != NULL;
}

static void user_from_profile(const struct lmigd_profile *p,
			      struct lmig_user *u)
{
	memset(u, 0, sizeof(*u));
	u->state = p->state;
	u->services = p->services;
	u->generation = p->generation;
	if (p->not_after) {
		u->valid_until_ns = lmig_clock_unix_to_boot(p->not_after);
		/* A window already over: ended, but never "unset" (0). */
		if (!u->valid_until_ns)
			u->valid_until_ns = 1;
	} else {
		u->valid_until_ns = LMIG_TIME_NEVER;
	}
}

int lmigd_mirror_profile(struct lmigd *d, const struct lmigd_profile *p)
{
	char msg[LMIG_FP_MSG_MAX];
	struct lmig_user cur, u;
	int err;

	err = lmig_fp_user_get(d->fp, p->user_id, &cur, NULL, 0);
	if (!err && cur.generation >= p->generation && p->generation)
		return 0; /* the map already holds this or a newer state */
	user_from_profile(p, &u);
	err = lmig_fp_user_put(d->fp, p->user_id, &u, msg, sizeof(msg));
	if (err)
		log_err("cannot mirror user %u: %s", p->user_id, msg);
	return err;
}

struct by_user {
	uint32_t user_id;	    /* 0: every admission */
	const struct id_list *keep; /* if set: drop users not in it */
	uint64_t expired_before;    /* if set: drop expired ones */
	struct addr_list drop;
};

static int collect_admission(const struct lmig_addr *addr,
			     const struct lmig_admission *adm, void *ctx)
{
	struct by_user *b = ctx;
	bool drop;

	if (b->expired_before)
		drop = adm->expires_ns <= b->expired_before;
	else if (b->keep)
		drop = !id_in(b->keep, adm->user_id);
	else
		drop = !b->user_id || adm->user_id == b->user_id;
	return drop ? addr_push(&b->drop, addr) : 0;
}

/* Remove the admissions a walk selects; returns how many went. */
static size_t drop_admissions(struct lmigd *d, struct by_user *b)
{
	char msg[LMIG_FP_MSG_MAX];
	size_t n = 0;

	if (lmig_fp_admission_foreach(d->fp, collect_admission, b, msg,
				      sizeof(msg)))
		log_err("walking admissions: %s", msg);
	for (size_t i = 0; i < b->drop.n; i++)
		n += !lmig_fp_admission_del(d->fp, &b->drop.addrs[i], NULL, 0);
	free(b->drop.addrs);
	return n;
}

static size_t drop_user_admissions(struct lmigd *d, uint32_t user_id)
{
	struct by_user b = {.user_id = user_id};

	return drop_admissions(d, &b);
}

static int collect_user(uint32_t user_id, const struct lmig_user *u, void *ctx)
{
	(void)u;
	return id_push(ctx, user_id);
}

/* A new epoch: the ids in the maps name nobody now. */
static void drop_everything(struct lmigd *d)
{
	struct id_list users = {0};
	size_t admissions;

	lmig_fp_user_foreach(d->fp, collect_user, &users, NULL, 0);
	for (size_t i = 0; i < users.n; i++)
		lmig_fp_user_del(d->fp, users.ids[i], NULL, 0);
	admissions = drop_user_admissions(d, 0);
	if (users.n || admissions)
		log_notice("the kernel policy table is new (module reloaded?): "
			   "dropped %zu mirrored users and %zu admissions",
			   users.n, admissions);
	free(users.ids);
}

static int dump_profile(const struct lmigd_profile *p, void *arg)
{
	struct lmigd *d = ((void **)arg)[0];
	struct id_list *seen = ((void **)arg)[1];
	int err = id_push(seen, p->user_id);

	if (!err)
		err = lmigd_mirror_profile(d, p);
	return err;
}

int lmigd_mirror_resync(struct lmigd *d)
{
	struct lmigd_table_info info;
	struct id_list seen = {0}, users = {0};
	struct lmig_config cfg;
	char msg[LMIG_FP_MSG_MAX];
	size_t gone_users = 0, gone_adm;
	int err, tries = 0;

	err = lmigd_kernel_info(d->kernel, &info);
	if (err) {
		log_err("reading the kernel policy table: %s", strerror(-err));
		return err;
	}
	err = lmig_fp_config_get(d->fp, &cfg, msg, sizeof(msg));
	if (err) {
		log_err("%s", msg);
		return err;
	}
	if (cfg.policy_epoch != info.epoch)
		drop_everything(d);

	/* Events after info.generation are read, in order, after the dump. */
	do {
		void *arg[2] = {d, &seen};

		seen.n = 0;
		err = lmigd_kernel_dump(d->kernel, dump_profile, arg);
	} while (err == -EAGAIN && ++tries < 10);
	if (err) {
		log_err("dumping the kernel policy table: %s", strerror(-err));
		free(seen.ids);
		return err;
	}
	qsort(seen.ids, seen.n, sizeof(*seen.ids), cmp_u32);

	lmig_fp_user_foreach(d->fp, collect_user, &users, NULL, 0);
	for (size_t i = 0; i < users.n; i++)
		if (!id_in(&seen, users.ids[i]))
			gone_users += !lmig_fp_user_del(d->fp, users.ids[i],
							NULL, 0);
	struct by_user b = {.keep = &seen};

	gone_adm = drop_admissions(d, &b);
	free(users.ids);
	free(seen.ids);

	cfg.policy_epoch = info.epoch;
	err = lmig_fp_config_set(d->fp, &cfg, msg, sizeof(msg));
	if (err) {
		log_err("%s", msg);
		return err;
	}
	d->epoch = info.epoch;
	d->generation = info.generation;
	d->resync_pending = false;
	log_info("policy mirrored: %u profiles, table generation %llu%s",
		 info.profiles, (unsigned long long)info.generation,
		 gone_users || gone_adm ? " (removed stale entries)" : "");
	if (gone_users || gone_adm)
		log_notice("removed %zu users and %zu admissions no longer in "
			   "the policy",
			   gone_users, gone_adm);
	return 0;
}

static bool window_not_begun(const struct lmigd_profile *p)
{
	return p->not_before && (int64_t)p->not_before > (int64_t)time(NULL);
}

static void apply_event(struct lmigd *d, const struct lmigd_event *ev)
{
	const struct lmigd_profile *p = &ev->profile;
	char services[32];
	size_t n;

	switch (ev->cmd) {
	case LMIG_CMD_PROFILE_NEW_NTF:
	case LMIG_CMD_PROFILE_CHANGE_NTF:
		lmigd_mirror_profile(d, p);
		log_info("profile %u %s: %s, %s%s", p->user_id, p->partner_id,
			 lmig_state_name(p->state),
			 lmig_services_format(p->services, services,
					      sizeof(services)),
			 ev->cmd == LMIG_CMD_PROFILE_NEW_NTF ? " (new)" : "");
		/* The fast path does not know when a window begins. */
		if (window_not_begun(p)) {
			n = drop_user_admissions(d, p->user_id);
			if (n)
				log_notice("user %u: window not begun, %zu "
					   "admissions removed",
					   p->user_id, n);
		}
		break;
	case LMIG_CMD_PROFILE_DEL_NTF:
		lmig_fp_user_del(d->fp, p->user_id, NULL, 0);
		n = drop_user_admissions(d, p->user_id);
		log_info("profile %u %s deleted: %zu admissions removed",
			 p->user_id, p->partner_id, n);
		break;
	}
}

static void on_event(const struct lmigd_event *ev, void *arg)
{
	struct lmigd *d = arg;

	if (d->resync_pending)
		return;
	if (ev->generation > d->generation + 1) {
		log_warn("missed kernel events (generation %llu after %llu): "
			 "resynchronising",
			 (unsigned long long)ev->generation,
			 (unsigned long long)d->generation);
		d->resync_pending = true;
		return;
	}
	if (ev->generation > d->generation)
		d->generation = ev->generation;
	/* Older events than the last dump are harmless: the per-profile
	 * generation keeps newer state in the map. Deletions are final. */
	apply_event(d, ev);
}

void lmigd_mirror_events(struct lmigd *d)
{
	int err = lmigd_kernel_read_events(d->kernel, on_event, d);

	if (err == -ENOBUFS) {
		log_warn("kernel events were lost (socket overflow): "
			 "resynchronising");
		d->resync_pending = true;
	} else if (err) {
		log_err("reading kernel events: %s", strerror(-err));
		d->resync_pending = true;
	}
	if (d->resync_pending)
		lmigd_mirror_resync(d);
}

void lmigd_mirror_gc(struct lmigd *d)
{
	struct by_user b = {.expired_before = lmig_clock_boot_ns()};
	size_t n = drop_admissions(d, &b);

	if (n)
		log_debug("removed %zu expired admissions", n);
}
