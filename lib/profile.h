/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The userspace view of lmig profiles, table information and events, as
 * carried by the lmig generic netlink family (include/uapi/linux/lmig.h),
 * and the requests that read and change them.
 *
 * Parsers ignore attributes they do not know, so that a newer module can
 * add some; they refuse a known attribute of the wrong size or one that
 * does not fit in the structures below (-EINVAL).
 */
#ifndef LMIG_PROFILE_H
#define LMIG_PROFILE_H

#include <stddef.h>
#include <stdint.h>

#include <linux/lmig.h>
#include <linux/netlink.h>

#include "genl.h"

/* Bits of lmig_profile.fields: which fields hold a value. */
enum lmig_profile_field {
	LMIG_PF_USER_ID = 1U << 0,
	LMIG_PF_PARTNER_ID = 1U << 1,
	LMIG_PF_PRIMARY_IDS = 1U << 2,
	LMIG_PF_SERVICES = 1U << 3,
	LMIG_PF_STATE = 1U << 4,
	LMIG_PF_NOT_BEFORE = 1U << 5,
	LMIG_PF_NOT_AFTER = 1U << 6,
	LMIG_PF_COMMENT = 1U << 7,
	LMIG_PF_GENERATION = 1U << 8,
};

/* Everything a request may set; USER_ID and GENERATION are not. */
#define LMIG_PF_WRITABLE                                               \
	(LMIG_PF_PARTNER_ID | LMIG_PF_PRIMARY_IDS | LMIG_PF_SERVICES | \
	 LMIG_PF_STATE | LMIG_PF_NOT_BEFORE | LMIG_PF_NOT_AFTER |      \
	 LMIG_PF_COMMENT)

struct lmig_profile {
	uint32_t fields; /* LMIG_PF_* */
	uint32_t user_id;
	char partner_id[LMIG_ID_MAX_LEN + 1];
	unsigned int n_primary_ids;
	char primary_ids[LMIG_PRIMARY_IDS_MAX][LMIG_ID_MAX_LEN + 1];
	uint32_t services;   /* LMIG_SERVICE_* */
	uint32_t state;	     /* enum lmig_state */
	uint64_t not_before; /* Unix seconds, 0: unbounded */
	uint64_t not_after;  /* Unix seconds, 0: unbounded */
	char comment[LMIG_COMMENT_MAX_LEN + 1];
	uint64_t generation;
};

/* Bits of lmig_info.fields. */
enum lmig_info_field {
	LMIG_IF_EPOCH = 1U << 0,
	LMIG_IF_GENERATION = 1U << 1,
	LMIG_IF_PROFILES = 1U << 2,
	LMIG_IF_MAX_PROFILES = 1U << 3,
	LMIG_IF_SUSPENDED = 1U << 4,
	LMIG_IF_PRIMARY_IDS = 1U << 5,
	LMIG_IF_MAX_PRIMARY_IDS = 1U << 6,
	LMIG_IF_MEMORY = 1U << 7,
	LMIG_IF_APPLIES = 1U << 8,
	LMIG_IF_MAX_APPLIES = 1U << 9,
	LMIG_IF_STAGED = 1U << 10,
	LMIG_IF_STAGED_MEMORY = 1U << 11,
};

/* The table information and statistics of a namespace (INFO_GET). */
struct lmig_info {
	uint32_t fields; /* LMIG_IF_* */
	uint64_t epoch;
	uint64_t generation;
	uint32_t profiles;
	uint32_t max_profiles;
	uint32_t suspended;	  /* profiles suspended */
	uint32_t primary_ids;	  /* in the whole table */
	uint32_t max_primary_ids; /* per profile */
	uint64_t memory;	  /* bytes */
	uint32_t applies;	  /* apply transactions open */
	uint32_t max_applies;
	uint32_t staged; /* profiles staged in them */
	uint64_t staged_memory;
};

/* Bits of lmig_summary.fields. */
enum lmig_summary_field {
	LMIG_SF_CREATED = 1U << 0,
	LMIG_SF_CHANGED = 1U << 1,
	LMIG_SF_DELETED = 1U << 2,
	LMIG_SF_UNCHANGED = 1U << 3,
	LMIG_SF_GENERATION = 1U << 4,
};

/* What an apply or a flush did (LMIG_A_SUMMARY). */
struct lmig_summary {
	uint32_t fields; /* LMIG_SF_* */
	uint32_t created;
	uint32_t changed;
	uint32_t deleted;
	uint32_t unchanged;
	uint64_t generation; /* of the table afterwards */
};

/*
 * One multicast event: LMIG_CMD_PROFILE_{NEW,CHANGE,DEL}_NTF, or
 * LMIG_CMD_FLUSH_NTF, which carries no profile but a summary.
 */
struct lmig_event {
	uint8_t cmd;
	uint64_t generation;	     /* of the table after the change */
	struct lmig_profile profile; /* new, changed or deleted */
	struct lmig_profile old;     /* CHANGE only; fields is 0 otherwise */
	struct lmig_summary summary; /* FLUSH only: deleted */
};

/* Empty @p: no field present. */
void lmig_profile_init(struct lmig_profile *p);

/*
 * What is wrong with an MC service ID by the module's rule (1 to
 * LMIG_ID_MAX_LEN bytes, each printable ASCII other than space), as words
 * to follow the ID in a message; NULL when nothing is.
 */
const char *lmig_id_problem(const char *id);

/*
 * Setters that also mark the field present. IDs that break the module's
 * rule above and comments longer than it accepts are refused with -EINVAL
 * (-ENOSPC for one primary ID too many); a comment's characters are left
 * for the module to judge.
 */
int lmig_profile_set_partner_id(struct lmig_profile *p, const char *id);
int lmig_profile_add_primary_id(struct lmig_profile *p, const char *id);
int lmig_profile_set_comment(struct lmig_profile *p, const char *comment);

/*
 * Append the fields of @p that are present and selected by @mask as nest
 * @type (LMIG_A_PROFILE) to @nlh, a message in a buffer of @buf_len bytes.
 * Returns 0, or -EMSGSIZE with @nlh unchanged.
 */
int lmig_profile_put(struct nlmsghdr *nlh, size_t buf_len, uint16_t type,
		     const struct lmig_profile *p, uint32_t mask);

/* Parse a profile nest into @p, which is first emptied. */
int lmig_profile_parse(const struct nlattr *nest, struct lmig_profile *p);

/*
 * Parse the top-level nest of type @type (LMIG_A_PROFILE or
 * LMIG_A_OLD_PROFILE) of a message of the family. -ENOENT: none.
 */
int lmig_profile_from_msg(const struct nlmsghdr *nlh, uint16_t type,
			  struct lmig_profile *p);

int lmig_info_parse(const struct nlattr *nest, struct lmig_info *info);
int lmig_summary_parse(const struct nlattr *nest, struct lmig_summary *sum);
/* Parse the LMIG_A_INFO nest of an INFO_GET reply; -ENOENT: none. */
int lmig_info_from_msg(const struct nlmsghdr *nlh, struct lmig_info *info);

/*
 * Parse an event message; -EPROTO if it lacks its generation, or its
 * profile (its summary, for FLUSH_NTF).
 */
int lmig_event_parse(const struct nlmsghdr *nlh, struct lmig_event *ev);

/*
 * Requests. Failures return -errno, with the kernel's explanation in
 * lmig_genl_error(nl).
 *
 * lmig_profile_request() sends @cmd (LMIG_CMD_PROFILE_NEW, _SET, _DEL or
 * _GET) with the fields of @p selected by @mask; when @reply is not NULL
 * it receives the profile the kernel returns (NEW, SET and GET; DEL
 * returns none and leaves it empty). @reply may be @p.
 */
int lmig_profile_request(struct lmig_genl *nl, uint8_t cmd,
			 const struct lmig_profile *p, uint32_t mask,
			 struct lmig_profile *reply);

/* Called per profile of a dump; a negative errno stops the dump. */
typedef int (*lmig_profile_cb)(const struct lmig_profile *p, void *data);

/*
 * Dump the table in ascending user id order (@cb may be NULL). -EINTR:
 * the table changed during the dump, whose profiles were all passed to
 * @cb; dump again.
 */
int lmig_profile_dump(struct lmig_genl *nl, lmig_profile_cb cb, void *data);

int lmig_info_get(struct lmig_genl *nl, struct lmig_info *info);

/*
 * Look a profile up by user id, partner ID or primary ID: 0, -ENOENT when
 * no profile matches, or another -errno.
 */
int lmig_profile_get_by_user(struct lmig_genl *nl, uint32_t user_id,
			     struct lmig_profile *out);
int lmig_profile_get_by_partner(struct lmig_genl *nl, const char *partner_id,
				struct lmig_profile *out);
int lmig_profile_get_by_primary(struct lmig_genl *nl, const char *primary_id,
				struct lmig_profile *out);

/*
 * Replace the whole content of the profile selected by @p's user id when
 * @p has one, else by its partner ID (LMIG_CMD_PROFILE_REPLACE): fields
 * @p lacks take their defaults. @reply, which may be @p, receives the
 * profile as it now is.
 */
int lmig_profile_replace(struct lmig_genl *nl, const struct lmig_profile *p,
			 struct lmig_profile *reply);

/* Delete every profile; @sum (may be NULL) gets deleted and generation. */
int lmig_flush(struct lmig_genl *nl, struct lmig_summary *sum);

/*
 * Make the @n profiles of @v the whole table, in one step that either
 * happens entirely or not at all ("Apply" in the uapi header): the
 * profiles go in as many APPLY_ADD messages as they need, between
 * APPLY_BEGIN and APPLY_COMMIT. Profiles are matched with the table by
 * partner ID; applying what the table holds changes nothing. On failure
 * the transaction is aborted and nothing changed; *@failed (may be NULL)
 * is then the index in @v of the profile the kernel refused, or SIZE_MAX
 * when the failure was not about one profile, and lmig_genl_error(nl)
 * explains it. @sum (may be NULL) receives what the apply did.
 */
int lmig_apply(struct lmig_genl *nl, const struct lmig_profile *v, size_t n,
	       struct lmig_summary *sum, size_t *failed);

/*
 * The steps of lmig_apply(), for a batch built piece by piece. The
 * transaction belongs to @nl: closing it aborts. lmig_apply_add() sends
 * @n profiles in as many messages as needed; when one fails, *@failed
 * is the index in @v of the profile refused (SIZE_MAX: unknown) and the
 * profiles of the messages before it stay staged, so the caller aborts.
 * lmig_apply_commit() takes the number of profiles added in all.
 */
int lmig_apply_begin(struct lmig_genl *nl);
int lmig_apply_add(struct lmig_genl *nl, const struct lmig_profile *v, size_t n,
		   size_t *failed);
int lmig_apply_commit(struct lmig_genl *nl, uint32_t count,
		      struct lmig_summary *sum);
/* Abort, keeping lmig_genl_error() as the failure that led here left it. */
int lmig_apply_abort(struct lmig_genl *nl);

#endif /* LMIG_PROFILE_H */
