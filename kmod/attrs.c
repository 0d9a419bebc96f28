// SPDX-License-Identifier: GPL-2.0-only
/*
 * The checks of a profile nest that its policy cannot express: repeated
 * attributes, the list of primary IDs, the validity window; and turning
 * the nest into a draft.
 */

#include <linux/stringify.h>
#include <linux/string.h>

#include "attrs.h"
#include "profile.h"

/* Strings passed the policy, so each ends at its attribute's NUL. */
static bool lmig_attr_str_equal(const struct nlattr *a, const struct nlattr *b)
{
	return nla_len(a) == nla_len(b) &&
	       !memcmp(nla_data(a), nla_data(b), nla_len(a));
}

/* Values a mask or a range policy cannot refuse with -EINVAL. */
static bool lmig_attr_out_of_range(const struct nlattr *attr,
				   struct netlink_ext_ack *extack)
{
	u32 value;

	switch (nla_type(attr)) {
	case LMIG_PROFILE_A_SERVICES:
		if (nla_get_u32(attr))
			return false;
		NL_SET_ERR_MSG_ATTR(extack, attr, "services must not be 0");
		return true;
	case LMIG_PROFILE_A_STATE:
		value = nla_get_u32(attr);
		if (value >= LMIG_STATE_ACTIVE && value <= LMIG_STATE_MAX)
			return false;
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "state must be active (1) or suspended (2)");
		return true;
	default:
		return false;
	}
}

/*
 * Gather the attributes of @nest, which its command's policy has already
 * validated: only PRIMARY_ID may repeat, at most LMIG_PRIMARY_IDS_MAX
 * times and never with the same value twice.
 */
int lmig_attrs_gather(struct lmig_attrs *a, const struct nlattr *nest,
		      struct netlink_ext_ack *extack)
{
	const struct nlattr *attr;
	unsigned int i;
	int type, rem;

	memset(a, 0, sizeof(*a));
	a->nest = nest;
	nla_for_each_nested(attr, nest, rem) {
		type = nla_type(attr);
		if (type <= 0 || type > LMIG_PROFILE_A_MAX)
			continue;	/* refused by every policy already */
		if (lmig_attr_out_of_range(attr, extack))
			return -EINVAL;
		if (type != LMIG_PROFILE_A_PRIMARY_ID) {
			if (a->tb[type]) {
				NL_SET_ERR_MSG_ATTR(extack, attr,
						    "attribute given more than once");
				return -EINVAL;
			}
			a->tb[type] = attr;
			continue;
		}
		if (a->n_primary == LMIG_PRIMARY_IDS_MAX) {
			NL_SET_ERR_MSG_ATTR(extack, attr,
					    "more than "
					    __stringify(LMIG_PRIMARY_IDS_MAX)
					    " primary IDs");
			return -EINVAL;
		}
		for (i = 0; i < a->n_primary; i++) {
			if (lmig_attr_str_equal(a->primary[i], attr)) {
				NL_SET_ERR_MSG_ATTR(extack, attr,
						    "primary ID given twice");
				return -EINVAL;
			}
		}
		if (!a->n_primary)
			a->tb[type] = attr;
		a->primary[a->n_primary++] = attr;
	}
	return 0;
}

/* A whole profile, as NEW, REPLACE and APPLY_ADD take it, is there. */
int lmig_attrs_check_complete(const struct lmig_attrs *a,
			      struct netlink_ext_ack *extack)
{
	const struct nlattr *const *tb = a->tb;

	if (!tb[LMIG_PROFILE_A_PARTNER_ID]) {
		NL_SET_ERR_MSG_ATTR(extack, a->nest, "missing partner ID");
		NL_SET_ERR_ATTR_MISS(extack, a->nest, LMIG_PROFILE_A_PARTNER_ID);
		return -EINVAL;
	}
	if (!tb[LMIG_PROFILE_A_PRIMARY_ID]) {
		NL_SET_ERR_MSG_ATTR(extack, a->nest, "missing primary ID");
		NL_SET_ERR_ATTR_MISS(extack, a->nest, LMIG_PROFILE_A_PRIMARY_ID);
		return -EINVAL;
	}
	if (!tb[LMIG_PROFILE_A_SERVICES]) {
		NL_SET_ERR_MSG_ATTR(extack, a->nest, "missing services");
		NL_SET_ERR_ATTR_MISS(extack, a->nest, LMIG_PROFILE_A_SERVICES);
		return -EINVAL;
	}
	return 0;
}

static void lmig_str_from_attr(struct lmig_str *s, const struct nlattr *attr)
{
	s->str = nla_data(attr);
	s->len = nla_len(attr) - 1;
}

/* Overwrite the fields of @d that @a holds; primary IDs as one list. */
void lmig_attrs_apply(const struct lmig_attrs *a, struct lmig_draft *d)
{
	const struct nlattr *const *tb = a->tb;
	unsigned int i;

	if (tb[LMIG_PROFILE_A_PARTNER_ID])
		lmig_str_from_attr(&d->partner, tb[LMIG_PROFILE_A_PARTNER_ID]);
	if (a->n_primary) {
		for (i = 0; i < a->n_primary; i++)
			lmig_str_from_attr(&d->primary[i], a->primary[i]);
		d->n_primary = a->n_primary;
	}
	if (tb[LMIG_PROFILE_A_SERVICES])
		d->services = nla_get_u32(tb[LMIG_PROFILE_A_SERVICES]);
	if (tb[LMIG_PROFILE_A_STATE])
		d->state = nla_get_u32(tb[LMIG_PROFILE_A_STATE]);
	if (tb[LMIG_PROFILE_A_NOT_BEFORE])
		d->not_before = nla_get_u64(tb[LMIG_PROFILE_A_NOT_BEFORE]);
	if (tb[LMIG_PROFILE_A_NOT_AFTER])
		d->not_after = nla_get_u64(tb[LMIG_PROFILE_A_NOT_AFTER]);
	if (tb[LMIG_PROFILE_A_COMMENT])
		lmig_str_from_attr(&d->comment, tb[LMIG_PROFILE_A_COMMENT]);
}

/*
 * A window bounded on both sides must not be empty. Only a request that
 * names a bound can make it so; the message points at that bound.
 */
int lmig_attrs_check_window(const struct lmig_attrs *a,
			    const struct lmig_draft *d,
			    struct netlink_ext_ack *extack)
{
	const struct nlattr *culprit = a->tb[LMIG_PROFILE_A_NOT_AFTER];

	if (!d->not_before || !d->not_after || d->not_before < d->not_after)
		return 0;
	if (!culprit)
		culprit = a->tb[LMIG_PROFILE_A_NOT_BEFORE];
	NL_SET_ERR_MSG_ATTR(extack, culprit,
			    "not-before must be earlier than not-after");
	return -EINVAL;
}
