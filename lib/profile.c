// SPDX-License-Identifier: GPL-2.0-only
/*
 * Profiles, table information and events of the lmig family: building
 * their attributes, parsing them, and the requests that carry them.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>

#include "profile.h"

void lmig_profile_init(struct lmig_profile *p)
{
	memset(p, 0, sizeof(*p));
}

static int lmig_copy_str(char *dst, size_t size, const char *src)
{
	size_t len = strlen(src);

	if (len >= size)
		return -EINVAL;
	memcpy(dst, src, len + 1);
	return 0;
}

int lmig_profile_set_partner_id(struct lmig_profile *p, const char *id)
{
	int ret = lmig_copy_str(p->partner_id, sizeof(p->partner_id), id);

	if (!ret)
		p->fields |= LMIG_PF_PARTNER_ID;
	return ret;
}

int lmig_profile_add_primary_id(struct lmig_profile *p, const char *id)
{
	int ret;

	if (p->n_primary_ids >= LMIG_PRIMARY_IDS_MAX)
		return -ENOSPC;
	ret = lmig_copy_str(p->primary_ids[p->n_primary_ids],
			    sizeof(p->primary_ids[0]), id);
	if (ret)
		return ret;
	p->n_primary_ids++;
	p->fields |= LMIG_PF_PRIMARY_IDS;
	return 0;
}

int lmig_profile_set_comment(struct lmig_profile *p, const char *comment)
{
	int ret = lmig_copy_str(p->comment, sizeof(p->comment), comment);

	if (!ret)
		p->fields |= LMIG_PF_COMMENT;
	return ret;
}

static bool lmig_terminated(const char *s, size_t size)
{
	return memchr(s, '\0', size) != NULL;
}

/* The strings of @p that @fields selects all end inside their arrays. */
static bool lmig_profile_strings_ok(const struct lmig_profile *p,
				    uint32_t fields)
{
	if ((fields & LMIG_PF_PARTNER_ID) &&
	    !lmig_terminated(p->partner_id, sizeof(p->partner_id)))
		return false;
	if ((fields & LMIG_PF_COMMENT) &&
	    !lmig_terminated(p->comment, sizeof(p->comment)))
		return false;
	if (!(fields & LMIG_PF_PRIMARY_IDS))
		return true;
	if (p->n_primary_ids > LMIG_PRIMARY_IDS_MAX)
		return false;
	for (unsigned int i = 0; i < p->n_primary_ids; i++)
		if (!lmig_terminated(p->primary_ids[i],
				     sizeof(p->primary_ids[i])))
			return false;
	return true;
}

static bool lmig_put_fields(struct nlmsghdr *nlh, size_t len,
			    const struct lmig_profile *p, uint32_t f)
{
	if ((f & LMIG_PF_USER_ID) &&
	    !mnl_attr_put_u32_check(nlh, len, LMIG_PROFILE_A_USER_ID,
				    p->user_id))
		return false;
	if ((f & LMIG_PF_PARTNER_ID) &&
	    !mnl_attr_put_strz_check(nlh, len, LMIG_PROFILE_A_PARTNER_ID,
				     p->partner_id))
		return false;
	for (unsigned int i = 0;
	     (f & LMIG_PF_PRIMARY_IDS) && i < p->n_primary_ids; i++)
		if (!mnl_attr_put_strz_check(nlh, len,
					     LMIG_PROFILE_A_PRIMARY_ID,
					     p->primary_ids[i]))
			return false;
	if ((f & LMIG_PF_SERVICES) &&
	    !mnl_attr_put_u32_check(nlh, len, LMIG_PROFILE_A_SERVICES,
				    p->services))
		return false;
	if ((f & LMIG_PF_STATE) &&
	    !mnl_attr_put_u32_check(nlh, len, LMIG_PROFILE_A_STATE, p->state))
		return false;
	if ((f & LMIG_PF_NOT_BEFORE) &&
	    !mnl_attr_put_u64_check(nlh, len, LMIG_PROFILE_A_NOT_BEFORE,
				    p->not_before))
		return false;
	if ((f & LMIG_PF_NOT_AFTER) &&
	    !mnl_attr_put_u64_check(nlh, len, LMIG_PROFILE_A_NOT_AFTER,
				    p->not_after))
		return false;
	if ((f & LMIG_PF_COMMENT) &&
	    !mnl_attr_put_strz_check(nlh, len, LMIG_PROFILE_A_COMMENT,
				     p->comment))
		return false;
	if ((f & LMIG_PF_GENERATION) &&
	    !mnl_attr_put_u64_check(nlh, len, LMIG_PROFILE_A_GENERATION,
				    p->generation))
		return false;
	return true;
}

int lmig_profile_put(struct nlmsghdr *nlh, size_t buf_len, uint16_t type,
		     const struct lmig_profile *p, uint32_t mask)
{
	uint32_t fields = p->fields & mask;
	struct nlattr *nest;

	if (!lmig_profile_strings_ok(p, fields))
		return -EINVAL;
	nest = mnl_attr_nest_start_check(nlh, buf_len, type);
	if (!nest)
		return -EMSGSIZE;
	if (!lmig_put_fields(nlh, buf_len, p, fields)) {
		mnl_attr_nest_cancel(nlh, nest);
		return -EMSGSIZE;
	}
	mnl_attr_nest_end(nlh, nest);
	return 0;
}

static int lmig_get_str(const struct nlattr *attr, char *dst, size_t size)
{
	size_t len;

	if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0)
		return -EINVAL;
	len = strnlen(mnl_attr_get_str(attr), mnl_attr_get_payload_len(attr));
	if (len >= size)
		return -EINVAL;
	memcpy(dst, mnl_attr_get_str(attr), len);
	dst[len] = '\0';
	return 0;
}

static int lmig_get_u32(const struct nlattr *attr, uint32_t *dst)
{
	if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
		return -EINVAL;
	*dst = mnl_attr_get_u32(attr);
	return 0;
}

static int lmig_get_u64(const struct nlattr *attr, uint64_t *dst)
{
	if (mnl_attr_validate(attr, MNL_TYPE_U64) < 0)
		return -EINVAL;
	*dst = mnl_attr_get_u64(attr);
	return 0;
}

static int lmig_profile_attr(const struct nlattr *attr, struct lmig_profile *p)
{
	switch (mnl_attr_get_type(attr)) {
	case LMIG_PROFILE_A_USER_ID:
		p->fields |= LMIG_PF_USER_ID;
		return lmig_get_u32(attr, &p->user_id);
	case LMIG_PROFILE_A_PARTNER_ID:
		p->fields |= LMIG_PF_PARTNER_ID;
		return lmig_get_str(attr, p->partner_id, sizeof(p->partner_id));
	case LMIG_PROFILE_A_PRIMARY_ID:
		if (p->n_primary_ids >= LMIG_PRIMARY_IDS_MAX)
			return -EINVAL;
		p->fields |= LMIG_PF_PRIMARY_IDS;
		return lmig_get_str(attr, p->primary_ids[p->n_primary_ids++],
				    sizeof(p->primary_ids[0]));
	case LMIG_PROFILE_A_SERVICES:
		p->fields |= LMIG_PF_SERVICES;
		return lmig_get_u32(attr, &p->services);
	case LMIG_PROFILE_A_STATE:
		p->fields |= LMIG_PF_STATE;
		return lmig_get_u32(attr, &p->state);
	case LMIG_PROFILE_A_NOT_BEFORE:
		p->fields |= LMIG_PF_NOT_BEFORE;
		return lmig_get_u64(attr, &p->not_before);
	case LMIG_PROFILE_A_NOT_AFTER:
		p->fields |= LMIG_PF_NOT_AFTER;
		return lmig_get_u64(attr, &p->not_after);
	case LMIG_PROFILE_A_COMMENT:
		p->fields |= LMIG_PF_COMMENT;
		return lmig_get_str(attr, p->comment, sizeof(p->comment));
	case LMIG_PROFILE_A_GENERATION:
		p->fields |= LMIG_PF_GENERATION;
		return lmig_get_u64(attr, &p->generation);
	default:
		return 0; /* unknown: from a newer module */
	}
}

int lmig_profile_parse(const struct nlattr *nest, struct lmig_profile *p)
{
	const struct nlattr *attr;
	int ret;

	lmig_profile_init(p);
	if (mnl_attr_validate(nest, MNL_TYPE_NESTED) < 0)
		return -EINVAL;
	mnl_attr_for_each_nested (attr, nest) {
		ret = lmig_profile_attr(attr, p);
		if (ret)
			return ret;
	}
	return 0;
}

/* The first top-level attribute of type @type of a family message. */
static const struct nlattr *lmig_msg_attr(const struct nlmsghdr *nlh,
					  uint16_t type)
{
	const struct nlattr *attr;

	if (mnl_nlmsg_get_payload_len(nlh) < GENL_HDRLEN)
		return NULL;
	mnl_attr_for_each (attr, nlh, GENL_HDRLEN)
		if (mnl_attr_get_type(attr) == type)
			return attr;
	return NULL;
}

int lmig_profile_from_msg(const struct nlmsghdr *nlh, uint16_t type,
			  struct lmig_profile *p)
{
	const struct nlattr *nest = lmig_msg_attr(nlh, type);

	lmig_profile_init(p);
	return nest ? lmig_profile_parse(nest, p) : -ENOENT;
}

static int lmig_info_attr(const struct nlattr *attr, struct lmig_info *info)
{
	switch (mnl_attr_get_type(attr)) {
	case LMIG_INFO_A_EPOCH:
		info->fields |= LMIG_IF_EPOCH;
		return lmig_get_u64(attr, &info->epoch);
	case LMIG_INFO_A_GENERATION:
		info->fields |= LMIG_IF_GENERATION;
		return lmig_get_u64(attr, &info->generation);
	case LMIG_INFO_A_PROFILES:
		info->fields |= LMIG_IF_PROFILES;
		return lmig_get_u32(attr, &info->profiles);
	case LMIG_INFO_A_MAX_PROFILES:
		info->fields |= LMIG_IF_MAX_PROFILES;
		return lmig_get_u32(attr, &info->max_profiles);
	default:
		return 0;
	}
}

int lmig_info_parse(const struct nlattr *nest, struct lmig_info *info)
{
	const struct nlattr *attr;
	int ret;

	memset(info, 0, sizeof(*info));
	if (mnl_attr_validate(nest, MNL_TYPE_NESTED) < 0)
		return -EINVAL;
	mnl_attr_for_each_nested (attr, nest) {
		ret = lmig_info_attr(attr, info);
		if (ret)
			return ret;
	}
	return 0;
}

int lmig_info_from_msg(const struct nlmsghdr *nlh, struct lmig_info *info)
{
	const struct nlattr *nest = lmig_msg_attr(nlh, LMIG_A_INFO);

	memset(info, 0, sizeof(*info));
	return nest ? lmig_info_parse(nest, info) : -ENOENT;
}

int lmig_event_parse(const struct nlmsghdr *nlh, struct lmig_event *ev)
{
	const struct genlmsghdr *genl = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *attr;
	int ret;

	memset(ev, 0, sizeof(*ev));
	if (mnl_nlmsg_get_payload_len(nlh) < GENL_HDRLEN)
		return -EPROTO;
	ev->cmd = genl->cmd;

	attr = lmig_msg_attr(nlh, LMIG_A_GENERATION);
	if (!attr || lmig_get_u64(attr, &ev->generation))
		return -EPROTO;
	attr = lmig_msg_attr(nlh, LMIG_A_PROFILE);
	if (!attr)
		return -EPROTO;
	ret = lmig_profile_parse(attr, &ev->profile);
	if (ret)
		return ret;
	attr = lmig_msg_attr(nlh, LMIG_A_OLD_PROFILE);
	return attr ? lmig_profile_parse(attr, &ev->old) : 0;
}

static int lmig_profile_reply_cb(const struct nlmsghdr *nlh, void *data)
{
	int ret = lmig_profile_from_msg(nlh, LMIG_A_PROFILE, data);

	return ret == -ENOENT ? -EPROTO : ret;
}

int lmig_profile_request(struct lmig_genl *nl, uint8_t cmd,
			 const struct lmig_profile *p, uint32_t mask,
			 struct lmig_profile *reply)
{
	struct nlmsghdr *nlh = lmig_genl_request(nl, cmd, 0);
	int ret;

	ret = lmig_profile_put(nlh, LMIG_GENL_REQUEST_MAX, LMIG_A_PROFILE, p,
			       mask);
	if (reply)
		lmig_profile_init(reply); /* only now: it may be @p */
	if (ret)
		return ret;
	return lmig_genl_run(nl, nlh, reply ? lmig_profile_reply_cb : NULL,
			     reply);
}

struct lmig_dump {
	lmig_profile_cb cb;
	void *data;
	struct lmig_profile profile;
};

static int lmig_profile_dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct lmig_dump *dump = data;
	int ret;

	ret = lmig_profile_from_msg(nlh, LMIG_A_PROFILE, &dump->profile);
	if (ret)
		return ret == -ENOENT ? -EPROTO : ret;
	return dump->cb ? dump->cb(&dump->profile, dump->data) : 0;
}

int lmig_profile_dump(struct lmig_genl *nl, lmig_profile_cb cb, void *data)
{
	struct lmig_dump dump = {.cb = cb, .data = data};
	struct nlmsghdr *nlh;

	nlh = lmig_genl_request(nl, LMIG_CMD_PROFILE_GET, NLM_F_DUMP);
	return lmig_genl_run(nl, nlh, lmig_profile_dump_cb, &dump);
}

static int lmig_info_cb(const struct nlmsghdr *nlh, void *data)
{
	int ret = lmig_info_from_msg(nlh, data);

	return ret == -ENOENT ? -EPROTO : ret;
}

int lmig_info_get(struct lmig_genl *nl, struct lmig_info *info)
{
	struct nlmsghdr *nlh = lmig_genl_request(nl, LMIG_CMD_INFO_GET, 0);

	memset(info, 0, sizeof(*info));
	return lmig_genl_run(nl, nlh, lmig_info_cb, info);
}
