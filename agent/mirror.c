// SPDX-License-Identifier: GPL-2.0-only
/*
 * Mirroring the kernel's profile table into lmig_users.
 *
 * The fast path holds state for the users that hold admissions, one slot
 * of lmig_users each (LMIG_USERS_MAX at most): a user gets its slot from
 * lmigd_mirror_profile() just before its first admission is written;
 * events and resynchronisations keep the slots that exist equal to the
 * table; the periodic clean-up removes expired admissions, admissions
 * whose slot no longer holds their user, and then the slots of users left
 * without admissions. The agent is the only writer, and one thread, so
 * none of these runs between the two writes of an admission.
 */
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

/* The slots in use: user id and slot, in user id order once sorted. */
struct slot_list {
	struct slot_entry {
		uint32_t user_id;
		uint32_t slot;
	} * e;
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

static void id_sort(struct id_list *l)
{
	qsort(l->ids, l->n, sizeof(*l->ids), cmp_u32);
}

static bool id_in(const struct id_list *l, uint32_t id)
{
	return l->n &&
	       bsearch(&id, l->ids, l->n, sizeof(*l->ids), cmp_u32) != NULL;
}

static int collect_slot(uint32_t slot, const struct lmig_user *u, void *ctx)
{
	struct slot_list *l = ctx;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 256;
		struct slot_entry *e = realloc(l->e, cap * sizeof(*e));

		if (!e)
			return -ENOMEM;
		l->e = e;
		l->cap = cap;
	}
	l->e[l->n].user_id = u->user_id;
	l->e[l->n].slot = slot;
	l->n++;
	return 0;
}

/* Sorted by user id, the first member of each entry. */
static int collect_slots(struct lmigd *d, struct slot_list *l)
{
	char msg[LMIG_FP_MSG_MAX];
	int err;

	err = lmig_fp_user_foreach(d->fp, collect_slot, l, msg, sizeof(msg));
	if (err) {
		log_err("walking user slots: %s", err == -ENOMEM ? "out of "
								   "memory"
								 : msg);
		return err;
	}
	qsort(l->e, l->n, sizeof(*l->e), cmp_u32);
	return 0;
}

static const struct slot_entry *slot_of(const struct slot_list *l,
					uint32_t user_id)
{
	return l->n ? bsearch(&user_id, l->e, l->n, sizeof(*l->e), cmp_u32)
		    : NULL;
}

static void user_from_profile(const struct lmigd_profile *p,
			      struct lmig_user *u)
{
	memset(u, 0, sizeof(*u));
	u->user_id = p->user_id;
	u->state = p->state;
	u->services = p->services;
	u->generation = p->generation;
	if (p->not_after) {
		u->valid_until_ns = lmig_clock_from_unix(p->not_after);
		/* A window already over: ended, but never "unset" (0). */
		if (!u->valid_until_ns)
			u->valid_until_ns = 1;
	} else {
		u->valid_until_ns = LMIG_TIME_NEVER;
	}
}

/*
 * Write p into the user's slot, giving it one first when it has none and
 * give is set; -ENOENT when it has none and give is not. Nothing is
 * written when the slot already holds this or a newer generation.
 */
static int write_user(struct lmigd *d, const struct lmigd_profile *p, bool give)
{
	char msg[LMIG_FP_MSG_MAX];
	struct lmig_user cur, u;
	int err;

	err = lmig_fp_user_get(d->fp, p->user_id, &cur, NULL, msg, sizeof(msg));
	if (err == -ENOENT && !give)
		return err;
	if (err && err != -ENOENT) {
		log_err("cannot read user %u: %s", p->user_id, msg);
		return err;
	}
	if (!err && cur.generation >= p->generation && p->generation)
		return 0;
	user_from_profile(p, &u);
	err = lmig_fp_user_put(d->fp, p->user_id, &u, NULL, msg, sizeof(msg));
	if (err)
		log_err("cannot mirror user %u: %s", p->user_id, msg);
	return err;
}

int lmigd_mirror_profile(struct lmigd *d, const struct lmigd_profile *p)
{
	return write_user(d, p, true);
}

/* Which admissions a walk removes. */
struct by_user {
	uint32_t user_id;	       /* 0: every admission */
	const struct id_list *keep;    /* if set: drop users not in it */
	uint64_t expired_before;       /* if set: the clean-up, below */
	const struct slot_list *slots; /* with expired_before */
	struct id_list *holding;       /* with expired_before: users kept */
	struct addr_list drop;
	int err; /* of the walk: then not every admission was seen */
};

static int collect_admission(const struct lmig_addr *addr,
			     const struct lmig_admission *adm, void *ctx)
{
	struct by_user *b = ctx;
	const struct slot_entry *slot;
	bool drop;

	if (b->expired_before) {
		/* Expired, or its slot went to someone else. */
		slot = slot_of(b->slots, adm->user_id);
		drop = adm->expires_ns <= b->expired_before || !slot ||
		       slot->slot != adm->user_slot;
		if (!drop)
			return id_push(b->holding, adm->user_id);
	} else if (b->keep) {
		drop = !id_in(b->keep, adm->user_id);
	} else {
		drop = !b->user_id || adm->user_id == b->user_id;
	}
	return drop ? addr_push(&b->drop, addr) : 0;
}

/* Remove the admissions a walk selects; returns how many went. */
static size_t drop_admissions(struct lmigd *d, struct by_user *b)
{
	char msg[LMIG_FP_MSG_MAX];
	size_t n = 0;
	int err;

	err = lmig_fp_admission_foreach(d->fp, collect_admission, b, msg,
					sizeof(msg));
	if (err)
		log_err("walking admissions: %s",
			err == -ENOMEM ? "out of memory" : msg);
	b->err = err;
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

/* A new epoch: the ids in the maps name nobody now. */
static void drop_everything(struct lmigd *d)
{
	struct slot_list slots = {0};
	size_t admissions;

	collect_slots(d, &slots);
	for (size_t i = 0; i < slots.n; i++)
		lmig_fp_user_del(d->fp, slots.e[i].user_id, NULL, 0);
	admissions = drop_user_admissions(d, 0);
	if (slots.n || admissions)
		log_notice("the kernel policy table is new (module reloaded?): "
			   "dropped %zu mirrored users and %zu admissions",
			   slots.n, admissions);
	free(slots.e);
}

struct resync {
	struct lmigd *d;
	const struct slot_list *slots;
	struct id_list seen;
};

static int dump_profile(const struct lmigd_profile *p, void *arg)
{
	struct resync *r = arg;
	int err = id_push(&r->seen, p->user_id);

	/* Only users with a slot are in the fast path. */
	if (!err && slot_of(r->slots, p->user_id))
		err = write_user(r->d, p, false);
	return err == -ENOENT ? 0 : err;
}

int lmigd_mirror_resync(struct lmigd *d)
{
	struct lmigd_table_info info;
	struct slot_list slots = {0};
	struct resync r = {.d = d, .slots = &slots};
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
	err = collect_slots(d, &slots);
	if (err)
		return err;

	/* Events after info.generation are read, in order, after the dump. */
	do {
		r.seen.n = 0;
		err = lmigd_kernel_dump(d->kernel, dump_profile, &r);
	} while (err == -EAGAIN && ++tries < 10);
	if (err) {
		log_err("dumping the kernel policy table: %s", strerror(-err));
		goto out;
	}
	id_sort(&r.seen);

	for (size_t i = 0; i < slots.n; i++)
		if (!id_in(&r.seen, slots.e[i].user_id))
			gone_users += !lmig_fp_user_del(
				d->fp, slots.e[i].user_id, NULL, 0);
	struct by_user b = {.keep = &r.seen};

	gone_adm = drop_admissions(d, &b);

	cfg.policy_epoch = info.epoch;
	err = lmig_fp_config_set(d->fp, &cfg, msg, sizeof(msg));
	if (err) {
		log_err("%s", msg);
		goto out;
	}
	d->epoch = info.epoch;
	d->generation = info.generation;
	d->resync_pending = false;
	log_info("policy mirrored: %u profiles, %zu users in the fast path, "
		 "table generation %llu%s",
		 info.profiles, slots.n - gone_users,
		 (unsigned long long)info.generation,
		 gone_users || gone_adm ? " (removed stale entries)" : "");
	if (gone_users || gone_adm)
		log_notice("removed %zu users and %zu admissions no longer in "
			   "the policy",
			   gone_users, gone_adm);
out:
	free(slots.e);
	free(r.seen.ids);
	return err;
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
		write_user(d, p, false);
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
	} else if (err == -ESTALE) {
		log_notice("the kernel policy table was flushed (or changed "
			   "in a way this agent cannot follow event by "
			   "event): resynchronising");
		d->resync_pending = true;
	} else if (err) {
		log_err("reading kernel events: %s", strerror(-err));
		d->resync_pending = true;
	}
	if (d->resync_pending)
		lmigd_mirror_resync(d);
}

/*
 * Cells of the admission filter that three admissions once shared stay
 * saturated: count them again, which only the one writer may do, when
 * more are saturated than the last count left (cells that do count three
 * or more stay so).
 */
static void filter_gc(struct lmigd *d)
{
	static uint32_t left_saturated;
	struct lmig_fp_filter_info info;
	char msg[LMIG_FP_MSG_MAX];
	uint32_t lowered;

	if (lmig_fp_filter_info(d->fp, &info, NULL, 0) ||
	    info.saturated <= left_saturated)
		return;
	if (lmig_fp_filter_recount(d->fp, &lowered, msg, sizeof(msg))) {
		log_err("recounting the admission filter: %s", msg);
		return;
	}
	left_saturated = info.saturated - lowered;
	if (lowered)
		log_debug("admission filter: %u saturated cells recounted",
			  lowered);
}

void lmigd_mirror_gc(struct lmigd *d)
{
	struct slot_list slots = {0};
	struct id_list holding = {0};
	struct by_user b = {
		.expired_before = lmig_clock_now_ns(),
		.slots = &slots,
		.holding = &holding,
	};
	size_t n, freed = 0;

	if (collect_slots(d, &slots))
		return;
	n = drop_admissions(d, &b);
	id_sort(&holding);
	/* A slot is for a user with admissions, if we saw them all. */
	for (size_t i = 0; i < slots.n && !b.err; i++)
		if (!id_in(&holding, slots.e[i].user_id))
			freed += !lmig_fp_user_del(d->fp, slots.e[i].user_id,
						   NULL, 0);
	if (n || freed)
		log_debug("removed %zu expired admissions and %zu idle users",
			  n, freed);
	free(slots.e);
	free(holding.ids);
	filter_gc(d);
}
