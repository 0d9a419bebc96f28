// SPDX-License-Identifier: GPL-2.0-only
/*
 * Profiles: one allocation holds the profile, the entries it puts in the
 * ID indexes and every string, so a profile is created or freed whole.
 */

#include <linux/bug.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "profile.h"

atomic_t lmig_profiles_live = ATOMIC_INIT(0);

static void lmig_str_from_id(struct lmig_str *s, const struct lmig_id *id)
{
	s->str = id->str;
	s->len = id->len;
}

void lmig_draft_from_profile(struct lmig_draft *d,
			     const struct lmig_profile *p)
{
	unsigned int i;

	memset(d, 0, sizeof(*d));
	lmig_str_from_id(&d->partner, &p->partner);
	for (i = 0; i < p->n_primary; i++)
		lmig_str_from_id(&d->primary[i], &p->primary[i]);
	d->n_primary = p->n_primary;
	d->comment.str = p->comment;
	d->comment.len = p->comment_len;
	d->not_before = p->not_before;
	d->not_after = p->not_after;
	d->services = p->services;
	d->state = p->state;
}

static bool lmig_str_equal(const struct lmig_str *s, const char *str, u8 len)
{
	return s->len == len && (!len || !memcmp(s->str, str, len));
}

/* True when creating @d would give a profile equal to @p field by field. */
bool lmig_draft_matches(const struct lmig_draft *d,
			const struct lmig_profile *p)
{
	unsigned int i;

	if (d->services != p->services || d->state != p->state ||
	    d->not_before != p->not_before || d->not_after != p->not_after ||
	    d->n_primary != p->n_primary ||
	    !lmig_str_equal(&d->partner, p->partner.str, p->partner.len) ||
	    !lmig_str_equal(&d->comment, p->comment, p->comment_len))
		return false;
	for (i = 0; i < p->n_primary; i++)
		if (!lmig_str_equal(&d->primary[i], p->primary[i].str,
				    p->primary[i].len))
			return false;
	return true;
}

/* Copy @s and its NUL to @pos; returns where the next string goes. */
static char *lmig_place_str(char *pos, const struct lmig_str *s)
{
	if (s->len)	/* an absent comment has no string at all */
		memcpy(pos, s->str, s->len);
	pos[s->len] = '\0';
	return pos + s->len + 1;
}

static char *lmig_place_id(char *pos, struct lmig_id *id,
			   struct lmig_profile *p, const struct lmig_str *s)
{
	id->profile = p;
	id->str = pos;
	id->len = s->len;
	return lmig_place_str(pos, s);
}

/* What a profile with @n_primary IDs and these strings asks kmalloc for. */
static size_t lmig_profile_request_size(unsigned int n_primary, size_t strings)
{
	struct lmig_profile *p;

	return size_add(struct_size(p, primary, n_primary), strings);
}

/*
 * Build a profile from @d. User id and generation are left 0 for the
 * caller. The draft's strings are copied, so they may be freed afterwards.
 */
struct lmig_profile *lmig_profile_alloc(const struct lmig_draft *d)
{
	size_t size, strings = d->partner.len + 1 + d->comment.len + 1;
	struct lmig_profile *p;
	unsigned int i;
	char *pos;

	if (WARN_ON_ONCE(d->n_primary > LMIG_PRIMARY_IDS_MAX))
		return NULL;
	for (i = 0; i < d->n_primary; i++)
		strings += d->primary[i].len + 1;

	size = lmig_profile_request_size(d->n_primary, strings);
	p = kzalloc(size, GFP_KERNEL_ACCOUNT);
	if (!p)
		return NULL;
	/* At most some 5 KiB: the largest profile has 17 IDs of 255 bytes. */
	p->size = kmalloc_size_roundup(size);

	pos = (char *)&p->primary[d->n_primary];
	pos = lmig_place_id(pos, &p->partner, p, &d->partner);
	for (i = 0; i < d->n_primary; i++)
		pos = lmig_place_id(pos, &p->primary[i], p, &d->primary[i]);
	p->n_primary = d->n_primary;
	p->comment = pos;
	p->comment_len = d->comment.len;
	lmig_place_str(pos, &d->comment);

	p->not_before = d->not_before;
	p->not_after = d->not_after;
	p->services = d->services;
	p->state = d->state;
	atomic_inc(&lmig_profiles_live);
	return p;
}

/* Free @p once every RCU reader that might still see it is done. */
void lmig_profile_free(struct lmig_profile *p)
{
	atomic_dec(&lmig_profiles_live);
	kfree_rcu(p, rcu);
}

/* Free @p at once: no reader can reach it, or none could for a grace period. */
void lmig_profile_destroy(struct lmig_profile *p)
{
	atomic_dec(&lmig_profiles_live);
	kfree(p);
}

/* @a and @b hold the same content; user ids and generations aside. */
bool lmig_profile_same(const struct lmig_profile *a,
		       const struct lmig_profile *b)
{
	struct lmig_draft d;

	lmig_draft_from_profile(&d, a);
	return lmig_draft_matches(&d, b);
}

/* Exactly the room lmig_profile_fill() needs for @p. */
size_t lmig_profile_nest_size(const struct lmig_profile *p)
{
	size_t size = nla_total_size(0) +			/* the nest */
		      nla_total_size(sizeof(u32)) +		/* USER_ID */
		      nla_total_size(p->partner.len + 1) +	/* PARTNER_ID */
		      2 * nla_total_size(sizeof(u32)) +		/* SERVICES, STATE */
		      3 * nla_total_size_64bit(sizeof(u64));	/* window, GEN */
	unsigned int i;

	for (i = 0; i < p->n_primary; i++)
		size += nla_total_size(p->primary[i].len + 1);
	if (p->comment_len)
		size += nla_total_size(p->comment_len + 1);
	return size;
}

/* Write @p as nest @attrtype; -EMSGSIZE leaves @skb as it was. */
int lmig_profile_fill(struct sk_buff *skb, int attrtype,
		      const struct lmig_profile *p)
{
	struct nlattr *nest;
	unsigned int i;

	nest = nla_nest_start(skb, attrtype);
	if (!nest)
		return -EMSGSIZE;

	if (nla_put_u32(skb, LMIG_PROFILE_A_USER_ID, p->user_id) ||
	    nla_put_string(skb, LMIG_PROFILE_A_PARTNER_ID, p->partner.str))
		goto cancel;
	for (i = 0; i < p->n_primary; i++)
		if (nla_put_string(skb, LMIG_PROFILE_A_PRIMARY_ID,
				   p->primary[i].str))
			goto cancel;
	if (nla_put_u32(skb, LMIG_PROFILE_A_SERVICES, p->services) ||
	    nla_put_u32(skb, LMIG_PROFILE_A_STATE, p->state) ||
	    nla_put_u64_64bit(skb, LMIG_PROFILE_A_NOT_BEFORE, p->not_before,
			      LMIG_PROFILE_A_PAD) ||
	    nla_put_u64_64bit(skb, LMIG_PROFILE_A_NOT_AFTER, p->not_after,
			      LMIG_PROFILE_A_PAD) ||
	    (p->comment_len &&
	     nla_put_string(skb, LMIG_PROFILE_A_COMMENT, p->comment)) ||
	    nla_put_u64_64bit(skb, LMIG_PROFILE_A_GENERATION, p->generation,
			      LMIG_PROFILE_A_PAD))
		goto cancel;

	nla_nest_end(skb, nest);
	return 0;

cancel:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}
