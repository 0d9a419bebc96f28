// SPDX-License-Identifier: GPL-2.0-only
/*
 * Command policies and the value checks they call. The core validates a
 * whole request against its command's policy before the handler runs, so
 * a handler only ever sees attributes its command allows, well formed;
 * lmig_attrs_gather() checks what a policy cannot.
 */

#include <linux/stringify.h>
#include <linux/string.h>

#include "policy.h"

enum lmig_text_fault {
	LMIG_TEXT_OK,
	LMIG_TEXT_EMPTY,
	LMIG_TEXT_TOO_LONG,
	LMIG_TEXT_INNER_NUL,	/* bytes follow the terminating NUL */
	LMIG_TEXT_BAD_BYTE,
};

/*
 * The policy has made sure the attribute holds a NUL; a string must end
 * at the attribute's end, so that nothing hides behind its NUL.
 */
static size_t lmig_text_len(const struct nlattr *attr, bool *inner_nul)
{
	size_t len = strnlen(nla_data(attr), nla_len(attr));

	*inner_nul = len + 1 != nla_len(attr);
	return len;
}

/* An MC service ID: printable ASCII without space, as in a SIP URI. */
static enum lmig_text_fault lmig_id_fault(const struct nlattr *attr)
{
	const u8 *s = nla_data(attr);
	bool inner_nul;
	size_t len, i;

	len = lmig_text_len(attr, &inner_nul);
	if (inner_nul)
		return LMIG_TEXT_INNER_NUL;
	if (!len)
		return LMIG_TEXT_EMPTY;
	if (len > LMIG_ID_MAX_LEN)
		return LMIG_TEXT_TOO_LONG;
	for (i = 0; i < len; i++)
		if (s[i] < 0x21 || s[i] > 0x7e)
			return LMIG_TEXT_BAD_BYTE;
	return LMIG_TEXT_OK;
}

static int lmig_validate_partner_id(const struct nlattr *attr,
				    struct netlink_ext_ack *extack)
{
	switch (lmig_id_fault(attr)) {
	case LMIG_TEXT_OK:
		return 0;
	case LMIG_TEXT_EMPTY:
		NL_SET_ERR_MSG_ATTR(extack, attr, "partner ID is empty");
		break;
	case LMIG_TEXT_TOO_LONG:
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "partner ID is longer than "
				    __stringify(LMIG_ID_MAX_LEN) " bytes");
		break;
	case LMIG_TEXT_INNER_NUL:
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "partner ID has bytes after its NUL");
		break;
	case LMIG_TEXT_BAD_BYTE:
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "partner ID has a byte outside 0x21..0x7e");
		break;
	}
	return -EINVAL;
}

static int lmig_validate_primary_id(const struct nlattr *attr,
				    struct netlink_ext_ack *extack)
{
	switch (lmig_id_fault(attr)) {
	case LMIG_TEXT_OK:
		return 0;
	case LMIG_TEXT_EMPTY:
		NL_SET_ERR_MSG_ATTR(extack, attr, "primary ID is empty");
		break;
	case LMIG_TEXT_TOO_LONG:
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "primary ID is longer than "
				    __stringify(LMIG_ID_MAX_LEN) " bytes");
		break;
	case LMIG_TEXT_INNER_NUL:
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "primary ID has bytes after its NUL");
		break;
	case LMIG_TEXT_BAD_BYTE:
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "primary ID has a byte outside 0x21..0x7e");
		break;
	}
	return -EINVAL;
}

/*
 * Text a terminal prints as it is: UTF-8 in its shortest form, no
 * surrogates, nothing above U+10FFFF, and no control character, neither
 * ASCII (below 0x20, 0x7f) nor C1 (U+0080..U+009F, which terminals may
 * take as escape sequences).
 */
static bool lmig_utf8_printable(const u8 *s, size_t len)
{
	size_t i = 0, j, more;
	u8 lo, hi;

	while (i < len) {
		lo = 0x80;
		hi = 0xbf;
		if (s[i] >= 0x20 && s[i] <= 0x7e) {
			i++;
			continue;
		} else if (s[i] >= 0xc2 && s[i] <= 0xdf) {
			more = 1;
			if (s[i] == 0xc2)
				lo = 0xa0;
		} else if (s[i] >= 0xe0 && s[i] <= 0xef) {
			more = 2;
			if (s[i] == 0xe0)
				lo = 0xa0;
			else if (s[i] == 0xed)
				hi = 0x9f;
		} else if (s[i] >= 0xf0 && s[i] <= 0xf4) {
			more = 3;
			if (s[i] == 0xf0)
				lo = 0x90;
			else if (s[i] == 0xf4)
				hi = 0x8f;
		} else {
			return false;
		}
		if (len - i <= more || s[i + 1] < lo || s[i + 1] > hi)
			return false;
		for (j = 2; j <= more; j++)
			if ((s[i + j] & 0xc0) != 0x80)
				return false;
		i += more + 1;
	}
	return true;
}

static int lmig_validate_comment(const struct nlattr *attr,
				 struct netlink_ext_ack *extack)
{
	bool inner_nul;
	size_t len;

	len = lmig_text_len(attr, &inner_nul);
	if (inner_nul) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "comment has bytes after its NUL");
		return -EINVAL;
	}
	if (len > LMIG_COMMENT_MAX_LEN) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "comment is longer than "
				    __stringify(LMIG_COMMENT_MAX_LEN) " bytes");
		return -EINVAL;
	}
	if (!lmig_utf8_printable(nla_data(attr), len)) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "comment is not printable UTF-8 text");
		return -EINVAL;
	}
	return 0;
}

#define LMIG_REJECT(msg)	{ .type = NLA_REJECT, .reject_message = msg }
#define LMIG_ONLY_SELECTOR	LMIG_REJECT("only a selector is allowed here")
#define LMIG_READ_ONLY_GEN	LMIG_REJECT("generation is read only")

#define LMIG_PARTNER_ID	\
	NLA_POLICY_VALIDATE_FN(NLA_NUL_STRING, lmig_validate_partner_id)
#define LMIG_PRIMARY_ID	\
	NLA_POLICY_VALIDATE_FN(NLA_NUL_STRING, lmig_validate_primary_id)
/*
 * Services 0 passes the mask, and the state's range is checked there too
 * (lmig_attrs_gather()): a range policy would fail with -ERANGE, where
 * the API promises -EINVAL.
 */
#define LMIG_SERVICES	NLA_POLICY_MASK(NLA_U32, LMIG_SERVICES_ALL)
#define LMIG_STATE	{ .type = NLA_U32 }
#define LMIG_COMMENT	\
	NLA_POLICY_VALIDATE_FN(NLA_NUL_STRING, lmig_validate_comment)

/*
 * Top-level attributes a command does not name are left NLA_UNSPEC, which
 * strict validation refuses as unsupported: NLA_REJECT would be refused
 * for its NLA_F_NESTED flag first, with a misleading message.
 *
 * String lengths are checked by the functions above, not by .len, so that
 * a too long ID gets a message of its own. Integers use ranges and masks
 * only: a validation function on an integer would break policy dumps.
 */
static const struct nla_policy lmig_new_profile_policy[LMIG_PROFILE_A_MAX + 1] = {
	[LMIG_PROFILE_A_USER_ID]	=
		LMIG_REJECT("user id is assigned by the module"),
	[LMIG_PROFILE_A_PARTNER_ID]	= LMIG_PARTNER_ID,
	[LMIG_PROFILE_A_PRIMARY_ID]	= LMIG_PRIMARY_ID,
	[LMIG_PROFILE_A_SERVICES]	= LMIG_SERVICES,
	[LMIG_PROFILE_A_STATE]		= LMIG_STATE,
	[LMIG_PROFILE_A_NOT_BEFORE]	= { .type = NLA_U64 },
	[LMIG_PROFILE_A_NOT_AFTER]	= { .type = NLA_U64 },
	[LMIG_PROFILE_A_COMMENT]	= LMIG_COMMENT,
	[LMIG_PROFILE_A_GENERATION]	= LMIG_READ_ONLY_GEN,
};

/*
 * SET and REPLACE: any field but the generation, with the user id saying
 * which profile. What each must hold differs and is checked by its handler.
 */
static const struct nla_policy lmig_set_profile_policy[LMIG_PROFILE_A_MAX + 1] = {
	[LMIG_PROFILE_A_USER_ID]	= { .type = NLA_U32 },
	[LMIG_PROFILE_A_PARTNER_ID]	= LMIG_PARTNER_ID,
	[LMIG_PROFILE_A_PRIMARY_ID]	= LMIG_PRIMARY_ID,
	[LMIG_PROFILE_A_SERVICES]	= LMIG_SERVICES,
	[LMIG_PROFILE_A_STATE]		= LMIG_STATE,
	[LMIG_PROFILE_A_NOT_BEFORE]	= { .type = NLA_U64 },
	[LMIG_PROFILE_A_NOT_AFTER]	= { .type = NLA_U64 },
	[LMIG_PROFILE_A_COMMENT]	= LMIG_COMMENT,
	[LMIG_PROFILE_A_GENERATION]	= LMIG_READ_ONLY_GEN,
};

static const struct nla_policy lmig_del_profile_policy[LMIG_PROFILE_A_MAX + 1] = {
	[LMIG_PROFILE_A_USER_ID]	= { .type = NLA_U32 },
	[LMIG_PROFILE_A_PARTNER_ID]	= LMIG_PARTNER_ID,
	[LMIG_PROFILE_A_PRIMARY_ID]	=
		LMIG_REJECT("select by user id or partner ID"),
	[LMIG_PROFILE_A_SERVICES]	= LMIG_ONLY_SELECTOR,
	[LMIG_PROFILE_A_STATE]		= LMIG_ONLY_SELECTOR,
	[LMIG_PROFILE_A_NOT_BEFORE]	= LMIG_ONLY_SELECTOR,
	[LMIG_PROFILE_A_NOT_AFTER]	= LMIG_ONLY_SELECTOR,
	[LMIG_PROFILE_A_COMMENT]	= LMIG_ONLY_SELECTOR,
	[LMIG_PROFILE_A_GENERATION]	= LMIG_ONLY_SELECTOR,
};

static const struct nla_policy lmig_get_profile_policy[LMIG_PROFILE_A_MAX + 1] = {
	[LMIG_PROFILE_A_USER_ID]	= { .type = NLA_U32 },
	[LMIG_PROFILE_A_PARTNER_ID]	= LMIG_PARTNER_ID,
	[LMIG_PROFILE_A_PRIMARY_ID]	= LMIG_PRIMARY_ID,
	[LMIG_PROFILE_A_SERVICES]	= LMIG_ONLY_SELECTOR,
	[LMIG_PROFILE_A_STATE]		= LMIG_ONLY_SELECTOR,
	[LMIG_PROFILE_A_NOT_BEFORE]	= LMIG_ONLY_SELECTOR,
	[LMIG_PROFILE_A_NOT_AFTER]	= LMIG_ONLY_SELECTOR,
	[LMIG_PROFILE_A_COMMENT]	= LMIG_ONLY_SELECTOR,
	[LMIG_PROFILE_A_GENERATION]	= LMIG_ONLY_SELECTOR,
};

const struct nla_policy lmig_new_policy[LMIG_A_MAX + 1] = {
	[LMIG_A_PROFILE]	= NLA_POLICY_NESTED(lmig_new_profile_policy),
};

const struct nla_policy lmig_set_policy[LMIG_A_MAX + 1] = {
	[LMIG_A_PROFILE]	= NLA_POLICY_NESTED(lmig_set_profile_policy),
};

const struct nla_policy lmig_del_policy[LMIG_A_MAX + 1] = {
	[LMIG_A_PROFILE]	= NLA_POLICY_NESTED(lmig_del_profile_policy),
};

/* Also the dump's policy: the handler refuses a dump with attributes. */
const struct nla_policy lmig_get_policy[LMIG_A_MAX + 1] = {
	[LMIG_A_PROFILE]	= NLA_POLICY_NESTED(lmig_get_profile_policy),
};

const struct nla_policy lmig_replace_policy[LMIG_A_MAX + 1] = {
	[LMIG_A_PROFILE]	= NLA_POLICY_NESTED(lmig_set_profile_policy),
};

/* Each of the repeated profiles is checked as NEW checks its one. */
const struct nla_policy lmig_apply_add_policy[LMIG_A_MAX + 1] = {
	[LMIG_A_PROFILE]	= NLA_POLICY_NESTED(lmig_new_profile_policy),
};

const struct nla_policy lmig_apply_commit_policy[LMIG_A_MAX + 1] = {
	[LMIG_A_COUNT]		= { .type = NLA_U32 },
};

/* Nothing: every attribute is refused as unsupported. */
const struct nla_policy lmig_no_attrs_policy[LMIG_A_MAX + 1] = {};
