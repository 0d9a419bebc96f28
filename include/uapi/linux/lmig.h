/* SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note */
/*
 * lmig: limited-migration authorisation policy, generic netlink API.
 *
 * Overview
 * ========
 *
 * The lmig module holds the partner system's limited-migration policy: one
 * profile per migrating user, saying which primary-system identities the
 * user arrives with, which mission-critical services the user may use here,
 * for how long, and whether the user is currently allowed in at all. Each
 * network namespace has its own independent table, freed with the
 * namespace. The table is managed over generic netlink, family
 * LMIG_GENL_NAME, version LMIG_GENL_VERSION.
 *
 * Every command needs CAP_NET_ADMIN in the user namespace that owns the
 * network namespace of the requesting socket; so does joining the events
 * multicast group. Validation is strict: an attribute that a command does
 * not name below, an unknown attribute, a wrong type or length, a value out
 * of range or a set bit outside a mask is rejected with -EINVAL and an
 * extended ACK message that names the attribute. Integers are 32 or 64
 * bits wide; strings carry their NUL and nothing after it. Nothing changes
 * on any error.
 *
 * Profile attributes (nested in LMIG_A_PROFILE)
 * ---------------------------------------------
 *
 *    LMIG_PROFILE_A_USER_ID: NLA_U32
 *        Assigned by the module when the profile is created, never chosen by
 *        userspace. Stable for the life of the profile and never reused in
 *        the namespace while the module stays loaded. Never 0.
 *    LMIG_PROFILE_A_PARTNER_ID: NLA_NUL_STRING, 1..LMIG_ID_MAX_LEN bytes
 *        The user's MC service ID in this (partner) system, e.g.
 *        "sip:alice@partner.example". Printable ASCII, no space. Unique in
 *        the table.
 *    LMIG_PROFILE_A_PRIMARY_ID: NLA_NUL_STRING, 1..LMIG_ID_MAX_LEN bytes
 *        An MC service ID the user holds in the primary system, as carried
 *        by the access token's mcptt_id, mcvideo_id or mcdata_id claims.
 *        Repeated once per ID, 1..LMIG_PRIMARY_IDS_MAX times, order kept.
 *        Each primary ID is unique across the whole table.
 *    LMIG_PROFILE_A_SERVICES: NLA_U32, mask of LMIG_SERVICE_* bits
 *        The MC services the user may use here. Never 0.
 *    LMIG_PROFILE_A_STATE: NLA_U32, enum lmig_state
 *        Absent on create or replace means LMIG_STATE_ACTIVE.
 *    LMIG_PROFILE_A_NOT_BEFORE: NLA_U64, seconds since the Unix epoch (UTC)
 *    LMIG_PROFILE_A_NOT_AFTER: NLA_U64, seconds since the Unix epoch (UTC)
 *        Validity window of the permission. Absent or 0 means unbounded on
 *        that side. When both are set, NOT_BEFORE < NOT_AFTER. The module
 *        only stores the window; the agent applies it when admitting.
 *    LMIG_PROFILE_A_COMMENT: NLA_NUL_STRING, 0..LMIG_COMMENT_MAX_LEN bytes
 *        Free text for operators (bytes 0x20..0x7e and UTF-8). Absent on
 *        create or replace means none; empty clears it on set.
 *    LMIG_PROFILE_A_GENERATION: NLA_U64
 *        Read only: 1 when the profile is created, bumped by one on every
 *        change of it (set, replace, apply). Never sent by userspace.
 *    LMIG_PROFILE_A_PAD: padding for 64-bit attributes, ignore.
 *
 * A profile in a reply or an event carries every field above but COMMENT,
 * which is left out when empty; NOT_BEFORE and NOT_AFTER of 0 mean
 * unbounded as on input.
 *
 * Commands
 * --------
 *
 * LMIG_CMD_PROFILE_NEW
 *    Create a profile. LMIG_A_PROFILE must hold PARTNER_ID, at least one
 *    PRIMARY_ID and SERVICES; may hold STATE, NOT_BEFORE, NOT_AFTER,
 *    COMMENT. USER_ID and GENERATION are rejected. Fails with -EEXIST (the
 *    message names the conflicting ID) if the partner ID or any primary ID
 *    is already in the table, and with -ENOSPC when the table is full. The
 *    reply carries the created profile in LMIG_A_PROFILE, so the caller
 *    learns the assigned user id.
 *
 * LMIG_CMD_PROFILE_SET
 *    Change selected fields of one profile. LMIG_A_PROFILE must hold
 *    exactly one selector, USER_ID or PARTNER_ID, and at least one of
 *    PRIMARY_ID (replaces the whole list), SERVICES, STATE, NOT_BEFORE,
 *    NOT_AFTER, COMMENT. Fields absent stay as they are. -ENOENT if the
 *    selector matches nothing. The reply carries the profile as it now is.
 *    Setting a profile to what it already holds changes nothing and sends
 *    no event.
 *
 * LMIG_CMD_PROFILE_REPLACE
 *    Replace the whole content of one profile, keeping its user id.
 *    LMIG_A_PROFILE holds what NEW takes (PARTNER_ID, PRIMARY_ID...,
 *    SERVICES required; STATE, NOT_BEFORE, NOT_AFTER, COMMENT optional) and
 *    may hold USER_ID. With USER_ID, that profile is replaced and takes
 *    PARTNER_ID as its partner ID (a rename); without, the profile holding
 *    PARTNER_ID is replaced. Optional fields left out take their defaults
 *    (active, unbounded window, no comment), unlike SET. -ENOENT if no
 *    profile matches; -EEXIST if another profile holds the partner ID or a
 *    primary ID. The reply carries the profile as it now is. Replacing a
 *    profile by what it already holds changes nothing and sends no event.
 *
 * LMIG_CMD_PROFILE_DEL
 *    Delete one profile. LMIG_A_PROFILE holds exactly one selector,
 *    USER_ID or PARTNER_ID. -ENOENT if it matches nothing. The reply is
 *    the acknowledgment only; the DEL_NTF event carries the profile.
 *
 * LMIG_CMD_PROFILE_GET
 *    Without NLM_F_DUMP: LMIG_A_PROFILE holds exactly one selector,
 *    USER_ID, PARTNER_ID or PRIMARY_ID; the reply is that profile or
 *    -ENOENT. Look-ups never wait for writers: they see the table as it
 *    was before or after any change, never halfway.
 *    With NLM_F_DUMP: no attributes; one message per profile, in
 *    ascending user id order, as many per datagram as fit. A dump resumes
 *    where the previous datagram ended, so it may span any number of
 *    them and never holds writers back. If the table changes while a dump
 *    is in progress, a later message of the dump (at the latest its
 *    NLMSG_DONE) carries NLM_F_DUMP_INTR: the listener should dump again.
 *    A dump without NLM_F_DUMP_INTR is a snapshot of one moment.
 *
 * LMIG_CMD_FLUSH
 *    Delete every profile. No attributes. The reply's LMIG_A_SUMMARY holds
 *    DELETED and GENERATION. One LMIG_CMD_FLUSH_NTF event stands for all
 *    the profiles deleted; none is sent when the table was already empty.
 *
 * LMIG_CMD_INFO_GET
 *    No attributes. The reply's LMIG_A_INFO nest holds:
 *        LMIG_INFO_A_EPOCH: NLA_U64, random, chosen when the namespace's
 *            table is created; it changes when the module is reloaded or
 *            the namespace re-created, telling a consumer that user ids it
 *            holds from before mean nothing now.
 *        LMIG_INFO_A_GENERATION: NLA_U64, the table generation (see events).
 *        LMIG_INFO_A_PROFILES: NLA_U32, number of profiles.
 *        LMIG_INFO_A_MAX_PROFILES: NLA_U32, the limit on profiles in one
 *            namespace (module parameter max_profiles, default 1000000).
 *        LMIG_INFO_A_SUSPENDED: NLA_U32, profiles in LMIG_STATE_SUSPENDED.
 *        LMIG_INFO_A_PRIMARY_IDS: NLA_U32, primary IDs in the table.
 *        LMIG_INFO_A_MAX_PRIMARY_IDS: NLA_U32, the limit on primary IDs per
 *            profile, LMIG_PRIMARY_IDS_MAX.
 *        LMIG_INFO_A_MEMORY: NLA_U64, bytes the table holds: its profiles
 *            (as allocated) and the buckets of its ID hash tables. The
 *            user id index adds about 9 bytes per profile, not counted.
 *        LMIG_INFO_A_APPLIES: NLA_U32, apply transactions open.
 *        LMIG_INFO_A_MAX_APPLIES: NLA_U32, the limit on open transactions
 *            per namespace.
 *        LMIG_INFO_A_STAGED: NLA_U32, profiles staged in open transactions.
 *        LMIG_INFO_A_STAGED_MEMORY: NLA_U64, bytes they hold, counted as
 *            LMIG_INFO_A_MEMORY is.
 *    All the values are read at one moment, between two changes.
 *    Memory is charged to the memory cgroup of the task that caused the
 *    allocation, but for the hash tables' buckets, which the kernel's hash
 *    table allocates unaccounted.
 *
 * Apply: replacing the whole table at once
 * ----------------------------------------
 *
 * A declarative configuration (every profile the gateway shall hold) is
 * applied with a transaction, which lets a batch of any size (up to the
 * profile limit) span as many messages as it needs:
 *
 *    LMIG_CMD_APPLY_BEGIN     no attributes
 *    LMIG_CMD_APPLY_ADD       LMIG_A_PROFILE, repeated: one nest per
 *                             profile, each holding what NEW takes
 *    ...                      (as many ADD messages as needed)
 *    LMIG_CMD_APPLY_COMMIT    LMIG_A_COUNT: the number of profiles sent in
 *                             all the ADD messages of the transaction
 *    LMIG_CMD_APPLY_ABORT     no attributes: discard the transaction
 *
 * The transaction belongs to the socket that began it: ADD, COMMIT and
 * ABORT from any other socket fail with -ENOENT, and closing the socket
 * discards it, as does the namespace going away. A socket holds at most one
 * transaction (BEGIN again: -EBUSY); a namespace holds at most
 * LMIG_INFO_A_MAX_APPLIES of them (-EBUSY).
 *
 * ADD checks each profile as NEW does and stages it; the live table does
 * not change. Partner and primary IDs must be unique within the batch
 * (-EEXIST naming the ID); they may clash with the live table, which the
 * batch replaces. The profiles staged may not outnumber the profile limit
 * (-ENOSPC). An ADD is all or nothing: when it fails, none of its
 * profiles is staged; the extended ACK points into the offending profile
 * nest, so the sender learns which one it was.
 *
 * COMMIT fails with -EINVAL when LMIG_A_COUNT differs from the number of
 * profiles staged (an ADD failed and the sender went on regardless), and
 * otherwise makes the batch the table in one step: each staged profile
 * whose partner ID is in the table keeps that profile's user id; if its
 * content is the same, it keeps its generation too and sends no event,
 * otherwise its generation grows by one and a CHANGE_NTF event carries
 * it with its old content. Staged profiles whose partner ID is new are
 * created with new user ids, in batch order (NEW_NTF); profiles of the
 * table that the batch does not hold are deleted (DEL_NTF). Events go out
 * in that order: deletions by user id, then changes and creations in batch
 * order. Applying the same batch twice changes nothing the second time:
 * no event, no new generation. Readers see the old table or the new one,
 * never a mix. The reply's LMIG_A_SUMMARY holds CREATED, CHANGED, DELETED,
 * UNCHANGED and GENERATION.
 *
 * Nothing but a successful COMMIT, ABORT, closing the socket or the end of
 * the namespace ends a transaction: a failed request of any of the four
 * commands changes neither the table nor the transaction, and may be
 * retried. COMMIT may fail with -ENOSPC (the batch and the table's
 * history need more user ids than are left) or -ENOMEM.
 *
 * Summary attributes (nested in LMIG_A_SUMMARY, replies and FLUSH_NTF)
 * --------------------------------------------------------------------
 *
 *    LMIG_SUMMARY_A_CREATED:    NLA_U32, profiles created
 *    LMIG_SUMMARY_A_CHANGED:    NLA_U32, profiles changed
 *    LMIG_SUMMARY_A_DELETED:    NLA_U32, profiles deleted
 *    LMIG_SUMMARY_A_UNCHANGED:  NLA_U32, profiles kept as they were
 *    LMIG_SUMMARY_A_GENERATION: NLA_U64, the table generation afterwards
 *    LMIG_SUMMARY_A_PAD:        padding for 64-bit attributes, ignore
 *
 * Events
 * ------
 *
 * Every change of the table is announced on the multicast group
 * LMIG_MCGRP_EVENTS, in the namespace where it happened, as a message with
 * one of these commands:
 *
 *    LMIG_CMD_PROFILE_NEW_NTF     LMIG_A_PROFILE: the new profile
 *    LMIG_CMD_PROFILE_CHANGE_NTF  LMIG_A_PROFILE: as it now is,
 *                                 LMIG_A_OLD_PROFILE: as it was
 *    LMIG_CMD_PROFILE_DEL_NTF     LMIG_A_PROFILE: the profile removed
 *    LMIG_CMD_FLUSH_NTF           LMIG_A_SUMMARY: DELETED, how many were
 *                                 removed; the table is now empty
 *
 * Each event also carries LMIG_A_GENERATION (NLA_U64), the table generation
 * after the change. The table generation starts at 0 and grows by exactly
 * one per event, so a listener that sees a step larger than one has missed
 * events (for instance its socket buffer overflowed) and should dump again;
 * so should a listener whose socket reports ENOBUFS. Events leave in the
 * order of their generations. A change of one profile also shows in the
 * profile's own generation. A large apply sends one event per profile it
 * touches: a listener should give its socket a large receive buffer.
 * LMIG_A_PAD is padding for 64-bit attributes.
 *
 * Errors
 * ------
 *
 *    -EINVAL   an attribute is malformed, out of range, missing or not
 *              allowed for the command (extack names it); COMMIT with a
 *              count that is not the number of profiles staged
 *    -EEXIST   create, set or replace would duplicate a partner or
 *              primary ID; an ADD repeats one within its batch
 *    -ENOENT   no profile matches the selector; ADD, COMMIT or ABORT
 *              without a transaction on this socket
 *    -EBUSY    BEGIN while this socket has a transaction open, or while
 *              the namespace has as many open as it may
 *    -ENOSPC   the profile limit of the namespace is reached (by the
 *              table, or by the profiles staged), or user ids ran out
 *    -EPERM    the caller lacks CAP_NET_ADMIN
 *    -ENOMEM   out of memory (or the caller's memory cgroup is at its
 *              limit); nothing was changed
 *    -EOPNOTSUPP  an unknown command, an event command sent as a request,
 *              or NLM_F_DUMP on a command that has no dump
 *
 * Every refusal (-EINVAL, -EEXIST, -ENOENT, -EBUSY, -ENOSPC) comes with an
 * extended ACK message; -EPERM, -ENOMEM and -EOPNOTSUPP may come without.
 */
#ifndef _UAPI_LINUX_LMIG_H
#define _UAPI_LINUX_LMIG_H

#define LMIG_GENL_NAME		"lmig"
#define LMIG_GENL_VERSION	1
#define LMIG_MCGRP_EVENTS	"events"

/* Longest partner or primary MC service ID, not counting the NUL. */
#define LMIG_ID_MAX_LEN		255
/* Longest operator comment, not counting the NUL. */
#define LMIG_COMMENT_MAX_LEN	255
/* Most primary IDs one profile may answer for. */
#define LMIG_PRIMARY_IDS_MAX	16

/* MC services a profile may permit (LMIG_PROFILE_A_SERVICES bits). */
#define LMIG_SERVICE_PTT	(1U << 0)	/* MCPTT */
#define LMIG_SERVICE_VIDEO	(1U << 1)	/* MCVideo */
#define LMIG_SERVICE_DATA	(1U << 2)	/* MCData */
#define LMIG_SERVICES_ALL	\
	(LMIG_SERVICE_PTT | LMIG_SERVICE_VIDEO | LMIG_SERVICE_DATA)

enum lmig_state {
	LMIG_STATE_UNSPEC,
	LMIG_STATE_ACTIVE,	/* traffic of admitted sessions passes */
	LMIG_STATE_SUSPENDED,	/* no session of this user passes */
	__LMIG_STATE_MAX,
	LMIG_STATE_MAX = __LMIG_STATE_MAX - 1
};

enum lmig_cmd {
	LMIG_CMD_UNSPEC,
	LMIG_CMD_PROFILE_NEW,
	LMIG_CMD_PROFILE_SET,
	LMIG_CMD_PROFILE_DEL,
	LMIG_CMD_PROFILE_GET,
	LMIG_CMD_INFO_GET,
	LMIG_CMD_PROFILE_NEW_NTF,
	LMIG_CMD_PROFILE_CHANGE_NTF,
	LMIG_CMD_PROFILE_DEL_NTF,
	LMIG_CMD_PROFILE_REPLACE,
	LMIG_CMD_FLUSH,
	LMIG_CMD_FLUSH_NTF,
	LMIG_CMD_APPLY_BEGIN,
	LMIG_CMD_APPLY_ADD,
	LMIG_CMD_APPLY_COMMIT,
	LMIG_CMD_APPLY_ABORT,
	__LMIG_CMD_MAX,
	LMIG_CMD_MAX = __LMIG_CMD_MAX - 1
};

enum lmig_attr {
	LMIG_A_UNSPEC,
	LMIG_A_PAD,
	LMIG_A_PROFILE,		/* nest, enum lmig_profile_attr */
	LMIG_A_OLD_PROFILE,	/* nest, enum lmig_profile_attr; events only */
	LMIG_A_GENERATION,	/* u64, table generation; events only */
	LMIG_A_INFO,		/* nest, enum lmig_info_attr; replies only */
	LMIG_A_COUNT,		/* u32, profiles in a batch; APPLY_COMMIT */
	LMIG_A_SUMMARY,		/* nest, enum lmig_summary_attr; replies, events */
	__LMIG_A_MAX,
	LMIG_A_MAX = __LMIG_A_MAX - 1
};

enum lmig_profile_attr {
	LMIG_PROFILE_A_UNSPEC,
	LMIG_PROFILE_A_PAD,
	LMIG_PROFILE_A_USER_ID,
	LMIG_PROFILE_A_PARTNER_ID,
	LMIG_PROFILE_A_PRIMARY_ID,
	LMIG_PROFILE_A_SERVICES,
	LMIG_PROFILE_A_STATE,
	LMIG_PROFILE_A_NOT_BEFORE,
	LMIG_PROFILE_A_NOT_AFTER,
	LMIG_PROFILE_A_COMMENT,
	LMIG_PROFILE_A_GENERATION,
	__LMIG_PROFILE_A_MAX,
	LMIG_PROFILE_A_MAX = __LMIG_PROFILE_A_MAX - 1
};

enum lmig_info_attr {
	LMIG_INFO_A_UNSPEC,
	LMIG_INFO_A_PAD,
	LMIG_INFO_A_EPOCH,
	LMIG_INFO_A_GENERATION,
	LMIG_INFO_A_PROFILES,
	LMIG_INFO_A_MAX_PROFILES,
	LMIG_INFO_A_SUSPENDED,
	LMIG_INFO_A_PRIMARY_IDS,
	LMIG_INFO_A_MAX_PRIMARY_IDS,
	LMIG_INFO_A_MEMORY,
	LMIG_INFO_A_APPLIES,
	LMIG_INFO_A_MAX_APPLIES,
	LMIG_INFO_A_STAGED,
	LMIG_INFO_A_STAGED_MEMORY,
	__LMIG_INFO_A_MAX,
	LMIG_INFO_A_MAX = __LMIG_INFO_A_MAX - 1
};

enum lmig_summary_attr {
	LMIG_SUMMARY_A_UNSPEC,
	LMIG_SUMMARY_A_PAD,
	LMIG_SUMMARY_A_CREATED,
	LMIG_SUMMARY_A_CHANGED,
	LMIG_SUMMARY_A_DELETED,
	LMIG_SUMMARY_A_UNCHANGED,
	LMIG_SUMMARY_A_GENERATION,
	__LMIG_SUMMARY_A_MAX,
	LMIG_SUMMARY_A_MAX = __LMIG_SUMMARY_A_MAX - 1
};

#endif /* _UAPI_LINUX_LMIG_H */
