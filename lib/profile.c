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

#define LMIG_STR_(x) #x
#define LMIG_STR(x)  LMIG_STR_(x)

const char *lmig_id_problem(const char *id)
{
	size_t n = strlen(id);

	if (!n)
		return "is empty";
	if (n > LMIG_ID_MAX_LEN)
		return "is longer than " LMIG_STR(LMIG_ID_MAX_LEN) " bytes";
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)id[i] < 0x21 || (unsigned char)id[i] > 0x7e)
			return "has a byte outside printable ASCII "
			       "(0x21..0x7e: no blanks)";
	return NULL;
}

int lmig_profile_set_partner_id(struct lmig_profile *p, const char *id)
{
	int ret;

	if (lmig_id_problem(id))
		return -EINVAL;
	ret = lmig_copy_str(p->partner_id, sizeof(p->partner_id), id);

	if (!ret)
		p->fields |= LMIG_PF_PARTNER_ID;
	return ret;
}

int lmig_profile_add_primary_id(struct lmig_profile *p, const char *id)
{
	int ret;

	if (p->n_primary_ids >= LMIG_PRIMARY_IDS_MAX)
		return -ENOSPC;
	if (lmig_id_problem(id))
		return -EINVAL;
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
	case LMIG_INFO_A_SUSPENDED:
		info->fields |= LMIG_IF_SUSPENDED;
		return lmig_get_u32(attr, &info->suspended);
	case LMIG_INFO_A_PRIMARY_IDS:
		info->fields |= LMIG_IF_PRIMARY_IDS;
		return lmig_get_u32(attr, &info->primary_ids);
	case LMIG_INFO_A_MAX_PRIMARY_IDS:
		info->fields |= LMIG_IF_MAX_PRIMARY_IDS;
		return lmig_get_u32(attr, &info->max_primary_ids);
	case LMIG_INFO_A_MEMORY:
		info->fields |= LMIG_IF_MEMORY;
		return lmig_get_u64(attr, &info->memory);
	case LMIG_INFO_A_APPLIES:
		info->fields |= LMIG_IF_APPLIES;
		return lmig_get_u32(attr, &info->applies);
	case LMIG_INFO_A_MAX_APPLIES:
		info->fields |= LMIG_IF_MAX_APPLIES;
		return lmig_get_u32(attr, &info->max_applies);
	case LMIG_INFO_A_STAGED:
		info->fields |= LMIG_IF_STAGED;
		return lmig_get_u32(attr, &info->staged);
	case LMIG_INFO_A_STAGED_MEMORY:
		info->fields |= LMIG_IF_STAGED_MEMORY;
		return lmig_get_u64(attr, &info->staged_memory);
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

static int lmig_summary_attr(const struct nlattr *attr,
			     struct lmig_summary *sum)
{
	switch (mnl_attr_get_type(attr)) {
	case LMIG_SUMMARY_A_CREATED:
		sum->fields |= LMIG_SF_CREATED;
		return lmig_get_u32(attr, &sum->created);
	case LMIG_SUMMARY_A_CHANGED:
		sum->fields |= LMIG_SF_CHANGED;
		return lmig_get_u32(attr, &sum->changed);
	case LMIG_SUMMARY_A_DELETED:
		sum->fields |= LMIG_SF_DELETED;
		return lmig_get_u32(attr, &sum->deleted);
	case LMIG_SUMMARY_A_UNCHANGED:
		sum->fields |= LMIG_SF_UNCHANGED;
		return lmig_get_u32(attr, &sum->unchanged);
	case LMIG_SUMMARY_A_GENERATION:
		sum->fields |= LMIG_SF_GENERATION;
		return lmig_get_u64(attr, &sum->generation);
	default:
		return 0;
	}
}

int lmig_summary_parse(const struct nlattr *nest, struct lmig_summary *sum)
{
	const struct nlattr *attr;
	int ret;

	memset(sum, 0, sizeof(*sum));
	if (mnl_attr_validate(nest, MNL_TYPE_NESTED) < 0)
		return -EINVAL;
	mnl_attr_for_each_nested (attr, nest) {
		ret = lmig_summary_attr(attr, sum);
		if (ret)
			return ret;
	}
	return 0;
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
	if (ev->cmd == LMIG_CMD_FLUSH_NTF) {
		attr = lmig_msg_attr(nlh, LMIG_A_SUMMARY);
		if (!attr)
			return -EPROTO;
		ret = lmig_summary_parse(attr, &ev->summary);
		if (ret)
			return ret;
		return ev->summary.fields & LMIG_SF_DELETED ? 0 : -EPROTO;
	}
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

static int lmig_profile_get_sel(struct lmig_genl *nl, struct nlmsghdr *nlh,
				struct nlattr *nest, struct lmig_profile *out)
{
	mnl_attr_nest_end(nlh, nest);
	lmig_profile_init(out);
	return lmig_genl_run(nl, nlh, lmig_profile_reply_cb, out);
}

int lmig_profile_get_by_user(struct lmig_genl *nl, uint32_t user_id,
			     struct lmig_profile *out)
{
	struct nlmsghdr *nlh = lmig_genl_request(nl, LMIG_CMD_PROFILE_GET, 0);
	struct nlattr *nest = mnl_attr_nest_start(nlh, LMIG_A_PROFILE);

	mnl_attr_put_u32(nlh, LMIG_PROFILE_A_USER_ID, user_id);
	return lmig_profile_get_sel(nl, nlh, nest, out);
}

/* An ID the kernel would refuse for its length never leaves here. */
static int lmig_profile_get_by_id(struct lmig_genl *nl, uint16_t type,
				  const char *id, struct lmig_profile *out)
{
	struct nlmsghdr *nlh;
	struct nlattr *nest;

	if (strlen(id) > LMIG_ID_MAX_LEN) {
		lmig_profile_init(out);
		return -EINVAL;
	}
	nlh = lmig_genl_request(nl, LMIG_CMD_PROFILE_GET, 0);
	nest = mnl_attr_nest_start(nlh, LMIG_A_PROFILE);
	mnl_attr_put_strz(nlh, type, id);
	return lmig_profile_get_sel(nl, nlh, nest, out);
}

int lmig_profile_get_by_partner(struct lmig_genl *nl, const char *partner_id,
				struct lmig_profile *out)
{
	return lmig_profile_get_by_id(nl, LMIG_PROFILE_A_PARTNER_ID, partner_id,
				      out);
}

int lmig_profile_get_by_primary(struct lmig_genl *nl, const char *primary_id,
				struct lmig_profile *out)
{
	return lmig_profile_get_by_id(nl, LMIG_PROFILE_A_PRIMARY_ID, primary_id,
				      out);
}

int lmig_profile_replace(struct lmig_genl *nl, const struct lmig_profile *p,
			 struct lmig_profile *reply)
{
	return lmig_profile_request(nl, LMIG_CMD_PROFILE_REPLACE, p,
				    LMIG_PF_WRITABLE | LMIG_PF_USER_ID, reply);
}

static int lmig_summary_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *nest = lmig_msg_attr(nlh, LMIG_A_SUMMARY);

	return nest ? lmig_summary_parse(nest, data) : -EPROTO;
}

/* Send @nlh, whose reply carries a summary, into @sum (may be NULL). */
static int lmig_summary_request(struct lmig_genl *nl, struct nlmsghdr *nlh,
				struct lmig_summary *sum)
{
	struct lmig_summary ignored;

	if (!sum)
		sum = &ignored;
	memset(sum, 0, sizeof(*sum));
	return lmig_genl_run(nl, nlh, lmig_summary_cb, sum);
}

int lmig_flush(struct lmig_genl *nl, struct lmig_summary *sum)
{
	return lmig_summary_request(
		nl, lmig_genl_request(nl, LMIG_CMD_FLUSH, 0), sum);
}

int lmig_apply_begin(struct lmig_genl *nl)
{
	return lmig_genl_run(nl, lmig_genl_request(nl, LMIG_CMD_APPLY_BEGIN, 0),
			     NULL, NULL);
}

/* Which profile of a refused APPLY_ADD, of those from @first on, it was. */
static size_t lmig_apply_culprit(struct lmig_genl *nl, size_t first,
				 size_t sent)
{
	const struct lmig_genl_error *e = lmig_genl_error(nl);
	size_t i = SIZE_MAX;

	if (e->attr_nest == LMIG_A_PROFILE ||
	    (!e->attr_nest && e->attr_type == LMIG_A_PROFILE))
		i = e->nest_index;
	else if (e->miss_nest == LMIG_A_PROFILE)
		i = e->miss_nest_index;
	return i < sent ? first + i : SIZE_MAX;
}

int lmig_apply_add(struct lmig_genl *nl, const struct lmig_profile *v, size_t n,
		   size_t *failed)
{
	size_t first = 0, i = 0;
	struct nlmsghdr *nlh;
	int ret;

	if (failed)
		*failed = SIZE_MAX;
	while (i < n) {
		nlh = lmig_genl_request(nl, LMIG_CMD_APPLY_ADD, 0);
		first = i;
		for (; i < n; i++) {
			ret = lmig_profile_put(nlh, LMIG_GENL_REQUEST_MAX,
					       LMIG_A_PROFILE, &v[i],
					       LMIG_PF_WRITABLE);
			if (ret == -EMSGSIZE && i > first)
				break; /* the message is full: send it */
			if (ret) {
				if (failed)
					*failed = i;
				return ret;
			}
		}
		ret = lmig_genl_run(nl, nlh, NULL, NULL);
		if (ret) {
			if (failed)
				*failed = lmig_apply_culprit(nl, first,
							     i - first);
			return ret;
		}
	}
	return 0;
}

int lmig_apply_commit(struct lmig_genl *nl, uint32_t count,
		      struct lmig_summary *sum)
{
	struct nlmsghdr *nlh = lmig_genl_request(nl, LMIG_CMD_APPLY_COMMIT, 0);

	mnl_attr_put_u32(nlh, LMIG_A_COUNT, count);
	return lmig_summary_request(nl, nlh, sum);
}

int lmig_apply_abort(struct lmig_genl *nl)
{
	return lmig_genl_run_quiet(nl, LMIG_CMD_APPLY_ABORT);
}

int lmig_apply(struct lmig_genl *nl, const struct lmig_profile *v, size_t n,
	       struct lmig_summary *sum, size_t *failed)
{
	int ret;

	if (failed)
		*failed = SIZE_MAX;
	if (sum)
		memset(sum, 0, sizeof(*sum));
	if (n > UINT32_MAX)
		return -E2BIG;
	ret = lmig_apply_begin(nl);
	if (ret)
		return ret;
	ret = lmig_apply_add(nl, v, n, failed);
	if (!ret)
		ret = lmig_apply_commit(nl, (uint32_t)n, sum);
	if (ret)
		lmig_apply_abort(nl);
	return ret;
}
